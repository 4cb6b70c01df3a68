//! Faults: a worker dying mid-activation, NATS restarting, Docker unreachable.
//! Each must end in an answer (a result or a clear 5xx), never a hang, and lose no
//! users or functions.

use std::time::{Duration, Instant};

use faas_testkit::docker::worker_leftovers;
use faas_testkit::names::{REVERSE, SLEEP, unique};
use faas_testkit::{Platform, expect_error};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

#[tokio::test]
async fn docker_unreachable_fails_clearly_and_the_worker_stays_up() {
    let parts = Platform::parts().await;
    let worker = parts.worker(|c| c.docker_host = Some("unix:///nonexistent/docker.sock".into()));
    let token = parts.user(&unique("nodock")).await;
    parts
        .add_function(&token, "reverse", json!({"image": REVERSE}))
        .await;

    for _ in 0..2 {
        let response = parts.invoke(&token, "reverse", "x").await;
        let body = expect_error(
            response,
            StatusCode::SERVICE_UNAVAILABLE,
            "backend_unavailable",
        )
        .await;
        let message = body["error"]["message"].as_str().unwrap();
        assert!(
            message.contains("cannot reach the Docker Engine"),
            "{message}"
        );
    }
    assert!(!worker.is_finished(), "the worker is still running");
    parts.stop().await;
}

#[tokio::test]
async fn nats_restart_answers_503_meanwhile_and_loses_nothing() {
    let mut parts = Platform::parts().await;
    let _worker = parts.worker(|_| {});
    let user = unique("restart");
    let token = parts.user(&user).await;
    parts
        .add_function(&token, "reverse", json!({"image": REVERSE}))
        .await;
    assert_eq!(
        parts.invoke(&token, "reverse", "before").await.status(),
        StatusCode::OK
    );

    // Kill NATS (SIGKILL, like a crash).
    parts.nats_mut().kill();
    assert!(
        parts.wait_ready(StatusCode::SERVICE_UNAVAILABLE).await,
        "/readyz reports the outage"
    );
    let started = Instant::now();
    let response = parts
        .authed(Method::GET, "/v1/functions", &token)
        .send()
        .await
        .unwrap();
    expect_error(
        response,
        StatusCode::SERVICE_UNAVAILABLE,
        "backend_unavailable",
    )
    .await;
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "answered, not hung: {:?}",
        started.elapsed()
    );

    // Same store, same port: everything comes back.
    parts.nats_mut().restart().await;
    assert!(
        parts.wait_ready(StatusCode::OK).await,
        "the server reconnected"
    );
    let token = parts.token(&user).await;
    let mut result = Value::Null;
    for _ in 0..20 {
        let response = parts.invoke(&token, "reverse", "after").await;
        if response.status() == StatusCode::OK {
            result = response.json().await.unwrap();
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert_eq!(
        result["result"], "retfa",
        "the worker reconnected and the function survived"
    );
    parts.stop().await;
}

#[tokio::test]
async fn a_worker_dying_mid_activation_is_replaced_and_its_container_swept() {
    let parts = Platform::parts().await;
    let worker_id = unique("crashy");
    let crashing = parts.worker(|c| c.worker_id = worker_id.clone());
    let user = unique("victim");
    let token = parts.user(&user).await;
    parts
        .add_function(
            &token,
            "sleep",
            json!({"image": SLEEP, "timeout_ms": 60_000}),
        )
        .await;

    let started = Instant::now();
    let call = parts.invoke(&token, "sleep", "3");
    let crash = async {
        // Let the activation start on the only worker, then kill it: no result,
        // no ack, no clean-up.
        tokio::time::sleep(Duration::from_millis(1500)).await;
        crashing.crash().await;
        // A replacement worker; JetStream redelivers after the ack wait.
        parts.worker(|_| {})
    };
    let (response, _replacement) = tokio::join!(call, crash);
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "answered by the redelivery"
    );
    let activation: Value = response.json().await.unwrap();
    assert_eq!(activation["result"], "slept 3");
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "{:?}",
        started.elapsed()
    );

    // The dead worker's container is swept when a worker with its id starts again.
    let _restarted = parts.worker(|c| c.worker_id = worker_id.clone());
    let leftovers = worker_leftovers(&worker_id).await;
    assert!(leftovers.is_empty(), "orphans swept: {leftovers:?}");
    parts.stop().await;
}
