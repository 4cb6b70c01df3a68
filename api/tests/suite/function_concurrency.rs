//! Per-function concurrency (`max_concurrency`), enforced in NATS: it holds across
//! server replicas, and the user's other functions keep running beside it.

use faas_testkit::names::{REVERSE, SLEEP, unique};
use faas_testkit::{Platform, expect_error};
use reqwest::{StatusCode, header};
use serde_json::{Value, json};

#[tokio::test]
async fn max_concurrency_one_admits_one_of_four_across_replicas() {
    let p = Platform::parts_with(|limits| limits.max_inflight_per_user = Some(4)).await;
    let replica = p.replica().await;
    let worker = p.worker(|config| config.slots = 4);
    let token = p.user(&unique("conc")).await;
    p.add_function(
        &token,
        "slow",
        json!({"image": SLEEP, "max_concurrency": 1}),
    )
    .await;
    p.add_function(&token, "reverse", json!({"image": REVERSE}))
        .await;

    // Four calls at once, two through each replica.
    let calls = (0..4).map(|i| {
        let api = if i % 2 == 0 { &*p } else { &*replica };
        let token = token.clone();
        async move {
            let response = api.invoke(&token, "slow", "8").await;
            let retry_after = response.headers().get(header::RETRY_AFTER).cloned();
            (
                response.status(),
                retry_after,
                response.json::<Value>().await.unwrap(),
            )
        }
    });
    let mut calls: Vec<_> = calls.map(Box::pin).collect();
    // The three refusals come at once; the admitted call is still running then.
    let mut refused = Vec::new();
    while refused.len() < 3 {
        let (outcome, _, rest) = futures::future::select_all(calls).await;
        calls = rest;
        assert_eq!(outcome.0, StatusCode::TOO_MANY_REQUESTS, "{outcome:?}");
        refused.push(outcome);
    }
    for (_, retry_after, body) in &refused {
        assert_eq!(
            body["error"]["code"], "function_concurrency_limit",
            "{body}"
        );
        assert!(retry_after.is_some(), "429 without Retry-After");
    }
    // Another function of the same user runs meanwhile.
    let other = p.invoke_ok(&token, "reverse", "abc").await;
    assert_eq!(other["result"], "cba");
    let (status, _, admitted) = calls.pop().unwrap().await;
    drop(calls);
    assert_eq!(status, StatusCode::OK, "{admitted}");
    let (_, record) = p
        .get_json(
            &format!(
                "/v1/activations/{}",
                other["activation_id"].as_str().unwrap()
            ),
            &token,
        )
        .await;
    let (_, slow) = p
        .get_json(
            &format!(
                "/v1/activations/{}",
                admitted["activation_id"].as_str().unwrap()
            ),
            &token,
        )
        .await;
    assert!(
        record["finished_at"].as_str() < slow["finished_at"].as_str(),
        "reverse ran while slow held its one slot"
    );

    // The slot is released with the activation: the next call is admitted.
    let again = p.invoke_ok(&token, "slow", "0").await;
    assert_eq!(again["status"], "success");

    // Out of bounds is a 400.
    let bad = p
        .authed(reqwest::Method::PUT, "/v1/functions/zero", &token)
        .json(&json!({"image": SLEEP, "max_concurrency": 0}))
        .send()
        .await
        .unwrap();
    expect_error(bad, StatusCode::BAD_REQUEST, "invalid_spec").await;
    replica.stop().await;
    worker.stop().await;
}
