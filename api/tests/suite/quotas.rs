//! Per-user quotas hold under parallel requests across two server replicas (issue
//! 25, item 7): API keys (20), secrets (100) and functions
//! (`FAAS_MAX_FUNCTIONS_PER_USER`), each a compare-and-set on KV revisions.

use faas_testkit::names::{REVERSE, unique};
use faas_testkit::{Api, Platform};
use futures::future::join_all;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// How many answers had each status, as (created, refused with quota_exceeded).
async fn tally(responses: Vec<reqwest::Response>) -> (usize, usize) {
    let (mut created, mut refused) = (0, 0);
    for response in responses {
        match response.status() {
            StatusCode::CREATED => created += 1,
            StatusCode::FORBIDDEN => {
                let body: Value = response.json().await.unwrap();
                assert_eq!(body["error"]["code"], "quota_exceeded", "{body}");
                refused += 1;
            }
            other => panic!("unexpected {other}: {}", response.text().await.unwrap()),
        }
    }
    (created, refused)
}

#[tokio::test]
async fn parallel_key_creations_never_overshoot_the_quota() {
    let p = Platform::parts().await;
    let replica = p.replica().await;
    let token = p.user(&unique("keyq")).await;
    let apis: [&Api; 2] = [&p, &replica];
    let creations = (0..30).map(|i| {
        apis[i % 2]
            .authed(Method::POST, "/v1/keys", &token)
            .json(&json!({"name": format!("k{i}")}))
            .send()
    });
    let responses = join_all(creations)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    let (created, refused) = tally(responses).await;
    let listed = p.get_ok("/v1/keys", &token).await;
    let stored = listed.as_array().unwrap().len();
    println!(
        "30 parallel key creations (quota 20): {created} created, {refused} refused, {stored} stored"
    );
    assert_eq!((created, refused, stored), (20, 10, 20));
    // Removing one makes room for exactly one.
    let name = listed[0]["name"].as_str().unwrap();
    let removed = p
        .call(Method::DELETE, &format!("/v1/keys/{name}"), &token)
        .await;
    assert_eq!(removed.status(), StatusCode::NO_CONTENT);
    let again = (0..3).map(|i| {
        p.authed(Method::POST, "/v1/keys", &token)
            .json(&json!({"name": format!("again{i}")}))
            .send()
    });
    let responses = join_all(again)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(tally(responses).await, (1, 2));
    replica.stop().await;
    p.stop().await;
}

#[tokio::test]
async fn parallel_secret_writes_never_overshoot_the_quota() {
    let p = Platform::parts().await;
    let replica = p.replica().await;
    let token = p.user(&unique("secq")).await;
    let put = |api: &Api, name: String| {
        api.authed(Method::PUT, &format!("/v1/secrets/{name}"), &token)
            .body("value")
            .send()
    };
    // 95 stored, in batches of 10.
    for batch in 0..10 {
        let puts = (batch * 10..(batch * 10 + 10).min(95)).map(|i| put(&p, format!("s{i}")));
        for response in join_all(puts).await {
            assert_eq!(response.unwrap().status(), StatusCode::CREATED);
        }
    }
    let apis: [&Api; 2] = [&p, &replica];
    let puts = (0..40).map(|i| put(apis[i % 2], format!("new{i}")));
    let responses = join_all(puts)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    let (created, refused) = tally(responses).await;
    let stored = p
        .get_ok("/v1/secrets", &token)
        .await
        .as_array()
        .unwrap()
        .len();
    println!(
        "40 parallel secret writes on top of 95 (quota 100): {created} created, {refused} refused, {stored} stored"
    );
    assert_eq!((created, refused, stored), (5, 35, 100));
    // Replacing an existing secret is always allowed at the quota.
    let replaced = put(&p, "s0".into()).await.unwrap();
    assert_eq!(replaced.status(), StatusCode::OK);
    replica.stop().await;
    p.stop().await;
}

#[tokio::test]
async fn parallel_function_creations_never_overshoot_the_quota() {
    let p = Platform::parts().await; // FAAS_MAX_FUNCTIONS_PER_USER: 100
    let replica = p.replica().await;
    let token = p.user(&unique("fnq")).await;
    for i in 0..90 {
        p.add_function(&token, &format!("f{i}"), json!({"image": REVERSE}))
            .await;
    }
    let apis: [&Api; 2] = [&p, &replica];
    let puts = (0..30).map(|i| {
        apis[i % 2]
            .authed(Method::PUT, &format!("/v1/functions/new{i}"), &token)
            .json(&json!({"image": REVERSE}))
            .send()
    });
    let responses = join_all(puts)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    let (created, refused) = tally(responses).await;
    let stored = p
        .get_ok("/v1/functions?limit=1000", &token)
        .await
        .as_array()
        .unwrap()
        .len();
    println!(
        "30 parallel function creations on top of 90 (quota 100): {created} created, {refused} refused, {stored} stored"
    );
    assert_eq!((created, refused, stored), (10, 20, 100));
    replica.stop().await;
    p.stop().await;
}
