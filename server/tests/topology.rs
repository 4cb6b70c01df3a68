//! The parts started separately, as in a deployment: start order does not matter
//! and nothing is lost across restarts.

mod common;

use std::time::Duration;

use common::*;
use faas_server::dev::{DevOptions, DevStack};
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test]
async fn worker_started_before_the_server_picks_up_work_via_a_cluster_url_list() {
    // The worker comes first: the stream does not exist yet.
    let mut parts = Parts::nats_only().await;
    // Both are given a cluster URL list whose first server is down.
    parts.nats_url = format!("nats://127.0.0.1:1,{}", parts.nats_url);
    let (worker, stop_worker) = parts.worker(|_| {});
    tokio::time::sleep(Duration::from_millis(1500)).await;
    // Then the API server alone, plain HTTP, as behind the gateway.
    parts.start_server().await;

    let token = parts.user(&unique_user("early")).await;
    parts
        .add_function(&token, "reverse", json!({"image": REVERSE}))
        .await;
    let response = parts.invoke(&token, "reverse", "early bird").await;
    assert_eq!(response.status(), StatusCode::OK);
    let activation: Value = response.json().await.unwrap();
    assert_eq!(activation["result"], "drib ylrae");

    stop_worker.cancel();
    worker.await.unwrap().unwrap();
    parts.stop().await;
}

#[tokio::test]
async fn users_and_functions_survive_a_restart() {
    faas_server::install_crypto_provider();
    let dir = tempfile::tempdir().unwrap();
    let options = DevOptions {
        listen: "127.0.0.1:0".parse().unwrap(),
        data_dir: dir.path().to_owned(),
        ..DevOptions::default()
    };
    let user = unique_user("durable");
    let first = Platform::from_stack(DevStack::start(options.clone()).await.unwrap());
    let token = first.user(&user).await;
    first
        .add_function(&token, "reverse", json!({"image": REVERSE}))
        .await;
    let ca_before = std::fs::read(&first.stack.ca_cert).unwrap();
    first.stop().await;

    let second = Platform::from_stack(DevStack::start(options).await.unwrap());
    assert_eq!(
        std::fs::read(&second.stack.ca_cert).unwrap(),
        ca_before,
        "clients keep trusting the same CA"
    );
    // The old token still verifies: the signing key is kept in the data dir.
    let response = second.invoke(&token, "reverse", "again").await;
    assert_eq!(response.status(), StatusCode::OK);
    let activation: Value = response.json().await.unwrap();
    assert_eq!(activation["result"], "niaga");
    let login = second.login(&user, "correct horse battery").await;
    assert_eq!(login.status(), StatusCode::OK);
    second.stop().await;
}
