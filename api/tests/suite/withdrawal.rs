//! An abandoned synchronous call (issue 25, item 6): when its caller hangs up, or
//! its wait for a worker ends, the queued request is withdrawn and never runs
//! later, and its concurrency slot is free at once. Real NATS, real Docker.

use std::time::{Duration, Instant};

use faas_testkit::names::{REVERSE, unique};
use faas_testkit::{Platform, expect_error};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// The number of requests in the work queue, polled until it is `expected` (for up
/// to 15 s); returns how long that took, or panics with what it saw.
async fn queue_reaches(p: &Platform, expected: u64) -> Duration {
    let started = Instant::now();
    let mut stream = p.nats().activations().await;
    let mut seen = u64::MAX;
    while started.elapsed() < Duration::from_secs(15) {
        seen = stream.info().await.unwrap().state.messages;
        if seen == expected {
            return started.elapsed();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the work queue holds {seen} requests, not {expected}");
}

#[tokio::test]
async fn a_call_whose_caller_hangs_up_is_withdrawn_and_never_runs() {
    // No worker yet: the platform is saturated, so the call waits in the queue.
    let p = Platform::parts().await;
    let token = p.user(&unique("gone")).await;
    p.add_function(
        &token,
        "reverse",
        json!({"image": REVERSE, "max_concurrency": 1}),
    )
    .await;

    // A client that gives up after 2 s (well within the 10 s queue timeout).
    let impatient = reqwest::Client::builder()
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    let gave_up = impatient
        .post(format!("{}/v1/functions/reverse/invoke", p.url()))
        .bearer_auth(&token)
        .json(&json!({"param": "abandoned"}))
        .send()
        .await;
    assert!(gave_up.is_err_and(|e| e.is_timeout()), "the client gave up");
    let withdrawn_after = queue_reaches(&p, 0).await;
    println!("the abandoned request left the queue {withdrawn_after:?} after its caller hung up");

    // Its max_concurrency slot is free: the next call is admitted (not 429), and
    // once a worker runs, only that call runs.
    let worker = p.worker(|_| {});
    let activation = p.invoke_ok(&token, "reverse", "served").await;
    assert_eq!(activation["result"], "devres");
    let records = p.get_ok("/v1/activations", &token).await;
    let params: Vec<&str> = records
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["result"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(params, ["devres"], "the abandoned call never ran");
    worker.stop().await;
    p.stop().await;
}

#[tokio::test]
async fn a_call_whose_wait_ends_is_answered_503_and_never_runs_later() {
    let p = Platform::parts_with(|limits| limits.queue_timeout = Duration::from_secs(1)).await;
    let token = p.user(&unique("late")).await;
    p.add_function(
        &token,
        "reverse",
        json!({"image": REVERSE, "max_concurrency": 1}),
    )
    .await;
    let response = p.invoke(&token, "reverse", "too late").await;
    expect_error(response, StatusCode::SERVICE_UNAVAILABLE, "no_capacity").await;
    queue_reaches(&p, 0).await;
    let worker = p.worker(|_| {});
    let activation = p.invoke_ok(&token, "reverse", "on time").await;
    assert_eq!(activation["result"], "emit no");
    let records: Value = p.get_ok("/v1/activations", &token).await;
    assert_eq!(
        records.as_array().unwrap().len(),
        1,
        "only the call on time ran: {records}"
    );
    worker.stop().await;
    p.stop().await;
}
