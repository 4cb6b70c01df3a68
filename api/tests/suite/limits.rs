//! Admission control, timeouts and capacity: real NATS, real Docker.

use std::time::{Duration, Instant};

use faas_testkit::docker::leftover_containers;
use faas_testkit::names::{REVERSE, SLEEP, unique};
use faas_testkit::{Platform, expect_error};
use reqwest::{StatusCode, header};
use serde_json::{Value, json};

/// Sends `count` concurrent invocations and returns (status, Retry-After, body) each.
async fn burst(
    p: &Platform,
    token: &str,
    function: &str,
    param: &str,
    count: usize,
) -> Vec<(StatusCode, Option<String>, Value)> {
    let calls = (0..count).map(|_| async {
        let response = p.invoke(token, function, param).await;
        let status = response.status();
        let retry_after = response
            .headers()
            .get(header::RETRY_AFTER)
            .map(|v| v.to_str().unwrap().to_owned());
        (status, retry_after, response.json::<Value>().await.unwrap())
    });
    futures::future::join_all(calls).await
}

#[tokio::test]
async fn global_limit_rejects_exactly_the_excess_with_429() {
    let p = Platform::dev_with(|limits| limits.max_inflight = Some(2)).await;
    let user = unique("lim");
    let token = p.user(&user).await;
    p.add_function(&token, "sleep", json!({"image": SLEEP}))
        .await;

    let outcomes = burst(&p, &token, "sleep", "3", 8).await;
    let accepted: Vec<_> = outcomes
        .iter()
        .filter(|(s, _, _)| *s == StatusCode::OK)
        .collect();
    let rejected: Vec<_> = outcomes
        .iter()
        .filter(|(s, _, _)| *s == StatusCode::TOO_MANY_REQUESTS)
        .collect();
    assert_eq!(accepted.len(), 2, "{outcomes:?}");
    assert_eq!(rejected.len(), 6, "{outcomes:?}");
    for (_, retry_after, body) in &rejected {
        assert_eq!(body["error"]["code"], "concurrency_limit");
        assert!(retry_after.is_some(), "429 carries Retry-After");
    }
    for (_, _, activation) in &accepted {
        assert_eq!(activation["result"], "slept 3");
    }
    // The slots are free again once the accepted ones are answered.
    let again = p.invoke(&token, "sleep", "0").await;
    assert_eq!(again.status(), StatusCode::OK);
    assert!(leftover_containers(&user).await.is_empty());
    p.stop().await;
}

#[tokio::test]
async fn a_user_at_their_limit_does_not_block_another() {
    let p = Platform::dev_with(|limits| limits.max_inflight_per_user = Some(1)).await;
    let alice = p.user(&unique("pua")).await;
    let bob = p.user(&unique("pub")).await;
    p.add_function(&alice, "sleep", json!({"image": SLEEP}))
        .await;
    p.add_function(&bob, "reverse", json!({"image": REVERSE}))
        .await;

    let alice_burst = burst(&p, &alice, "sleep", "3", 3);
    let bob_call = async {
        tokio::time::sleep(Duration::from_millis(800)).await;
        p.invoke_ok(&bob, "reverse", "abc").await
    };
    let (alice_outcomes, bob_activation) = tokio::join!(alice_burst, bob_call);
    let statuses: Vec<_> = alice_outcomes.iter().map(|(s, _, _)| *s).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == StatusCode::OK).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
            .count(),
        2,
        "{statuses:?}"
    );
    assert_eq!(bob_activation["result"], "cba");
    p.stop().await;
}

#[tokio::test]
async fn timeout_kills_the_function_and_answers_504() {
    let p = Platform::dev().await;
    let user = unique("slow");
    let token = p.user(&user).await;
    p.add_function(&token, "sleep", json!({"image": SLEEP, "timeout_ms": 1000}))
        .await;

    let started = Instant::now();
    let response = p.invoke(&token, "sleep", "60").await;
    let elapsed = started.elapsed();
    let body = expect_error(response, StatusCode::GATEWAY_TIMEOUT, "function_timeout").await;
    assert_eq!(body["error"]["activation"]["status"], "timeout");
    assert!(
        elapsed < Duration::from_secs(30),
        "answered long before the function would end: {elapsed:?}"
    );
    assert!(leftover_containers(&user).await.is_empty());
    p.stop().await;
}

#[tokio::test]
async fn no_worker_within_the_queue_timeout_is_503_and_the_request_never_runs_later() {
    let parts =
        Platform::parts_with(|limits| limits.queue_timeout = Duration::from_millis(1500)).await;
    let user = unique("noworker");
    let token = parts.user(&user).await;
    parts
        .add_function(&token, "reverse", json!({"image": REVERSE}))
        .await;

    let started = Instant::now();
    let response = parts.invoke(&token, "reverse", "lost?").await;
    assert!(response.headers().contains_key(header::RETRY_AFTER));
    expect_error(response, StatusCode::SERVICE_UNAVAILABLE, "no_capacity").await;
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );

    // The request was withdrawn from the queue: a worker arriving now finds nothing.
    let mut stream = parts.nats().activations().await;
    assert_eq!(stream.info().await.unwrap().state.messages, 0);
    let _worker = parts.worker(|_| {});
    tokio::time::sleep(Duration::from_secs(3)).await;
    let (status, records) = parts.get_json("/v1/activations", &token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(records, json!([]), "the withdrawn activation never ran");
    parts.stop().await;
}
