//! The parts started separately, as in a deployment: start order does not matter
//! and nothing is lost across restarts.

use std::time::Duration;

use faas_testkit::names::{PASSWORD, REVERSE, unique};
use faas_testkit::{Nats, Platform, Worker};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn worker_started_before_the_server_picks_up_work_via_a_cluster_url_list() {
    // The worker comes first: the stream does not exist yet.
    let nats = Nats::start().await;
    // Both are given a cluster URL list whose first server is down.
    let cluster_url = format!("nats://127.0.0.1:1,{}", nats.url());
    let mut config = nats.worker_config();
    config.nats_url = cluster_url.clone();
    let worker = Worker::start(config);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    // Then the API server alone, plain HTTP, as behind the gateway.
    let parts = Platform::parts_on(nats, &cluster_url).await;

    let token = parts.user(&unique("early")).await;
    parts
        .add_function(&token, "reverse", json!({"image": REVERSE}))
        .await;
    let activation = parts.invoke_ok(&token, "reverse", "early bird").await;
    assert_eq!(activation["result"], "drib ylrae");

    worker.stop().await;
    parts.stop().await;
}

#[tokio::test]
async fn users_and_functions_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let user = unique("durable");
    let first = Platform::dev_in(dir.path()).await;
    let token = first.user(&user).await;
    first
        .add_function(&token, "reverse", json!({"image": REVERSE}))
        .await;
    let ca_before = std::fs::read(first.ca_cert()).unwrap();
    first.stop().await;

    let second = Platform::dev_in(dir.path()).await;
    assert_eq!(
        std::fs::read(second.ca_cert()).unwrap(),
        ca_before,
        "clients keep trusting the same CA"
    );
    // The old token still verifies: the signing key is kept in the data dir.
    let activation = second.invoke_ok(&token, "reverse", "again").await;
    assert_eq!(activation["result"], "niaga");
    let login = second.login(&user, PASSWORD).await;
    assert_eq!(login.status(), StatusCode::OK);
    second.stop().await;
}
