//! The parts started separately, as in a deployment: start order does not matter
//! and nothing is lost across restarts.

mod common;

use std::time::Duration;

use common::*;
use faas_server::ServerConfig;
use faas_server::dev::{DevOptions, DevStack};
use faas_server::nats_process::NatsProcess;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

#[tokio::test]
async fn worker_started_before_the_server_picks_up_work() {
    faas_server::install_crypto_provider();
    let dir = tempfile::tempdir().unwrap();
    let nats = NatsProcess::start(&dir.path().join("nats")).await.unwrap();
    let stop = CancellationToken::new();

    // The worker comes first: the stream does not exist yet.
    let worker = tokio::spawn(faas_worker::run(
        faas_worker::WorkerConfig::new(&nats.url),
        stop.clone().cancelled_owned(),
    ));
    tokio::time::sleep(Duration::from_millis(1500)).await;

    // Then the API server alone, plain HTTP, as behind the gateway.
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let config = ServerConfig::new(&nats.url, key.serialize_pem());
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let api = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(faas_server::run(
        config,
        listener,
        stop.clone().cancelled_owned(),
    ));

    let client = reqwest::Client::new();
    let mut ready = false;
    for _ in 0..100 {
        let probe = client.get(format!("{api}/readyz")).send().await;
        if probe.is_ok_and(|r| r.status() == StatusCode::OK) {
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(ready, "the server became ready");

    let user = unique_user("early");
    let creds = json!({"username": user, "password": "correct horse battery"});
    assert_eq!(
        client
            .post(format!("{api}/v1/users"))
            .json(&creds)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::CREATED
    );
    let login: Value = client
        .post(format!("{api}/v1/auth/login"))
        .json(&creds)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["token"].as_str().unwrap();
    client
        .put(format!("{api}/v1/functions/reverse"))
        .bearer_auth(token)
        .json(&json!({"image": REVERSE}))
        .send()
        .await
        .unwrap();
    let activation: Value = client
        .post(format!("{api}/v1/functions/reverse/invoke"))
        .bearer_auth(token)
        .json(&json!({"param": "early bird"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(activation["result"], "drib ylrae");

    stop.cancel();
    server.await.unwrap().unwrap();
    worker.await.unwrap().unwrap();
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
