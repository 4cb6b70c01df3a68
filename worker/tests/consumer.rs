//! The consumer loop against a real nats-server and the real Docker Engine (images
//! from `bash scripts/build-function-images.sh`).

mod common;

use std::time::Duration;

use async_nats::jetstream;
use chrono::Utc;
use common::{assert_container_removed, create_activations_stream, start_nats, unique};
use faas_shared::activation::{ActivationRequest, ActivationResult};
use faas_shared::nats::{activation_subject, result_subject};
use faas_shared::{ActivationStatus, ParamMode};
use faas_worker::WorkerConfig;
use futures::StreamExt;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

fn reverse(param: &str) -> ActivationRequest {
    ActivationRequest {
        activation_id: unique("cons"),
        owner: "tester".into(),
        function: "reverse".into(),
        image: "faas-examples/reverse:latest".into(),
        param: param.into(),
        param_mode: ParamMode::Argv,
        timeout_ms: 20_000,
        memory_mb: 64,
        network: false,
        queued_at: Utc::now(),
    }
}

/// A worker running in this process; stopped gracefully by `stop`.
fn start_worker(url: &str) -> (JoinHandle<anyhow::Result<()>>, oneshot::Sender<()>) {
    let mut config = WorkerConfig::new(url);
    config.worker_id = unique("worker");
    config.slots = 2;
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(faas_worker::run(config, async move {
        let _ = stopped.await;
    }));
    (task, stop)
}

async fn stop_worker(task: JoinHandle<anyhow::Result<()>>, stop: oneshot::Sender<()>) {
    let _ = stop.send(());
    let stopped = tokio::time::timeout(Duration::from_secs(35), task)
        .await
        .expect("the worker stops after shutdown");
    stopped.unwrap().unwrap();
}

/// Publishes `request` as faas-server would and waits for its result.
async fn invoke(client: &async_nats::Client, request: &ActivationRequest) -> ActivationResult {
    let mut results = client
        .subscribe(result_subject(&request.activation_id))
        .await
        .unwrap();
    client.flush().await.unwrap();
    let js = jetstream::new(client.clone());
    js.publish(
        activation_subject(&request.owner),
        serde_json::to_vec(request).unwrap().into(),
    )
    .await
    .unwrap()
    .await
    .unwrap();
    let message = tokio::time::timeout(Duration::from_secs(30), results.next())
        .await
        .expect("a result within 30 s")
        .expect("the subscription stays open");
    serde_json::from_slice(&message.payload).unwrap()
}

/// The request leaves the work queue once the worker acks it.
async fn assert_stream_empty(stream: &mut jetstream::stream::Stream) {
    for _ in 0..50 {
        if stream.info().await.unwrap().state.messages == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the activation request was never acked");
}

#[tokio::test]
async fn worker_runs_a_request_publishes_its_result_and_acks_it() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let nats = start_nats();
    let client = async_nats::connect(&nats.url).await.unwrap();
    let mut stream = create_activations_stream(&jetstream::new(client.clone())).await;
    let (task, stop) = start_worker(&nats.url);

    let request = reverse("hello");
    let result = invoke(&client, &request).await;
    assert_eq!(result.failure, None);
    assert_eq!(result.activation.activation_id, request.activation_id);
    assert_eq!(result.activation.status, ActivationStatus::Success);
    assert_eq!(result.activation.result, "olleh");
    assert_stream_empty(&mut stream).await;
    assert_container_removed(&request.activation_id).await;

    stop_worker(task, stop).await;
}

#[tokio::test]
async fn worker_started_before_the_stream_exists_still_gets_work() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let nats = start_nats();
    let (task, stop) = start_worker(&nats.url);
    // Let the worker find no stream and start waiting for it.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let client = async_nats::connect(&nats.url).await.unwrap();
    let mut stream = create_activations_stream(&jetstream::new(client.clone())).await;

    let request = reverse("late");
    let result = invoke(&client, &request).await;
    assert_eq!(result.activation.result, "etal");
    assert_stream_empty(&mut stream).await;

    stop_worker(task, stop).await;
}

#[tokio::test]
async fn malformed_request_is_dropped_and_the_worker_keeps_working() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let nats = start_nats();
    let client = async_nats::connect(&nats.url).await.unwrap();
    let js = jetstream::new(client.clone());
    let mut stream = create_activations_stream(&js).await;
    let (task, stop) = start_worker(&nats.url);

    js.publish(activation_subject("tester"), "not json".into())
        .await
        .unwrap()
        .await
        .unwrap();
    let result = invoke(&client, &reverse("ok")).await;
    assert_eq!(result.activation.result, "ko");
    assert_stream_empty(&mut stream).await;

    stop_worker(task, stop).await;
}

#[tokio::test]
async fn worker_rebinds_after_the_stream_is_recreated() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let nats = start_nats();
    let client = async_nats::connect(&nats.url).await.unwrap();
    let js = jetstream::new(client.clone());
    create_activations_stream(&js).await;
    let (task, stop) = start_worker(&nats.url);
    assert_eq!(
        invoke(&client, &reverse("ab")).await.activation.result,
        "ba"
    );

    // Deleting the stream deletes the consumer the worker pulls from.
    js.delete_stream(faas_shared::nats::ACTIVATIONS_STREAM)
        .await
        .unwrap();
    let mut stream = create_activations_stream(&js).await;
    let result = invoke(&client, &reverse("again")).await;
    assert_eq!(result.activation.result, "niaga");
    assert_stream_empty(&mut stream).await;

    stop_worker(task, stop).await;
}

#[tokio::test]
async fn request_arriving_during_shutdown_is_still_answered() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let nats = start_nats();
    let client = async_nats::connect(&nats.url).await.unwrap();
    let js = jetstream::new(client.clone());
    let mut stream = create_activations_stream(&js).await;
    let (stopping, stop) = start_worker(&nats.url);
    // Let it open a pull, then tell it to stop while that pull is still open.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let _ = stop.send(());
    let request = reverse("handed back");
    let results = tokio::spawn({
        let client = client.clone();
        let request = request.clone();
        async move { invoke(&client, &request).await }
    });

    // Well before the 30 s ack_wait would have freed it.
    let result = tokio::time::timeout(Duration::from_secs(10), results)
        .await
        .expect("the request is not stranded with the stopping worker")
        .unwrap();
    assert_eq!(result.activation.result, "kcab dednah");
    assert_stream_empty(&mut stream).await;
    tokio::time::timeout(Duration::from_secs(10), stopping)
        .await
        .expect("the stopping worker stops")
        .unwrap()
        .unwrap();
}
