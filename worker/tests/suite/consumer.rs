//! The consumer loop against a real nats-server and the real Docker Engine (images
//! from `bash scripts/build-function-images.sh`).

use std::time::Duration;

use async_nats::jetstream;
use faas_shared::activation::{ActivationRequest, ActivationResult};
use faas_shared::nats::{activation_subject, result_subject};
use faas_shared::{ActivationRecord, ActivationStatus};
use faas_testkit::activation;
use faas_testkit::docker::assert_container_removed;
use faas_testkit::names::{REVERSE, unique};
use faas_testkit::{Nats, Worker};
use futures::StreamExt;

/// A worker with two slots running in this process.
fn start_worker(nats: &Nats) -> Worker {
    let mut config = nats.worker_config();
    config.worker_id = unique("worker");
    config.slots = 2;
    Worker::start(config)
}

/// Publishes `request` as faas-server would (signed, as the server's NATS user) and
/// waits for its result.
async fn invoke(
    nats: &Nats,
    client: &async_nats::Client,
    request: &ActivationRequest,
) -> ActivationResult {
    let mut results = client
        .subscribe(result_subject(&request.activation_id))
        .await
        .unwrap();
    client.flush().await.unwrap();
    activation::queue(client, nats.request_key(), request).await;
    let message = tokio::time::timeout(Duration::from_secs(30), results.next())
        .await
        .expect("a result within 30 s")
        .expect("the subscription stays open");
    // The result message is the activation record (inline: these results are small).
    serde_json::from_slice::<ActivationRecord>(&message.payload)
        .unwrap()
        .into()
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
    let nats = Nats::start().await;
    let client = nats.client().await;
    let mut stream = nats.set_up_store().await;
    let worker = start_worker(&nats);

    let request = activation::request(REVERSE, "hello");
    let result = invoke(&nats, &client, &request).await;
    assert_eq!(result.failure, None);
    assert_eq!(result.activation.activation_id, request.activation_id);
    assert_eq!(result.activation.status, ActivationStatus::Success);
    assert_eq!(result.activation.result, "olleh");
    assert_stream_empty(&mut stream).await;
    assert_container_removed(&request.activation_id).await;

    worker.stop().await;
}

#[tokio::test]
async fn worker_started_before_the_stream_exists_still_gets_work() {
    let nats = Nats::start().await;
    let worker = start_worker(&nats);
    // Let the worker find no stream and start waiting for it.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let client = nats.client().await;
    let mut stream = nats.set_up_store().await;

    let request = activation::request(REVERSE, "late");
    let result = invoke(&nats, &client, &request).await;
    assert_eq!(result.activation.result, "etal");
    assert_stream_empty(&mut stream).await;

    worker.stop().await;
}

#[tokio::test]
async fn malformed_request_is_dropped_and_the_worker_keeps_working() {
    let nats = Nats::start().await;
    let client = nats.client().await;
    let js = jetstream::new(client.clone());
    let mut stream = nats.set_up_store().await;
    let worker = start_worker(&nats);

    js.publish(activation_subject("tester"), "not json".into())
        .await
        .unwrap()
        .await
        .unwrap();
    let result = invoke(&nats, &client, &activation::request(REVERSE, "ok")).await;
    assert_eq!(result.activation.result, "ko");
    assert_stream_empty(&mut stream).await;

    worker.stop().await;
}

#[tokio::test]
async fn worker_rebinds_after_the_stream_is_recreated() {
    let nats = Nats::start().await;
    let client = nats.client().await;
    let js = jetstream::new(client.clone());
    nats.set_up_store().await;
    let worker = start_worker(&nats);
    assert_eq!(
        invoke(&nats, &client, &activation::request(REVERSE, "ab"))
            .await
            .activation
            .result,
        "ba"
    );

    // Deleting the stream deletes the consumer the worker pulls from.
    js.delete_stream(faas_shared::nats::ACTIVATIONS_STREAM)
        .await
        .unwrap();
    let mut stream = nats.set_up_store().await;
    let result = invoke(&nats, &client, &activation::request(REVERSE, "again")).await;
    assert_eq!(result.activation.result, "niaga");
    assert_stream_empty(&mut stream).await;

    worker.stop().await;
}

#[tokio::test]
async fn request_arriving_during_shutdown_is_still_answered() {
    let nats = std::sync::Arc::new(Nats::start().await);
    let client = nats.client().await;
    let mut stream = nats.set_up_store().await;
    let stopping = start_worker(&nats);
    // Let it open a pull, then tell it to stop while that pull is still open.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    stopping.shut_down();
    let request = activation::request(REVERSE, "handed back");
    let results = tokio::spawn({
        let (nats, client, request) = (nats.clone(), client.clone(), request.clone());
        async move { invoke(&nats, &client, &request).await }
    });

    // Well before the 30 s ack_wait would have freed it.
    let result = tokio::time::timeout(Duration::from_secs(10), results)
        .await
        .expect("the request is not stranded with the stopping worker")
        .unwrap();
    assert_eq!(result.activation.result, "kcab dednah");
    assert_stream_empty(&mut stream).await;
    stopping.stopped_within(Duration::from_secs(10)).await;
}

/// Issue 25, item 6: a synchronous call delivered after its caller stopped waiting
/// (`start_by` passed: the server's withdrawal failed or raced with the pull) is
/// not started: the worker answers `not_started`, stores no record, runs no
/// container and acks the request.
#[tokio::test]
async fn a_request_past_its_start_by_is_not_started() {
    let nats = Nats::start().await;
    let client = nats.client().await;
    let mut stream = nats.set_up_store().await;
    let worker = start_worker(&nats);

    let mut request = activation::request(REVERSE, "stale");
    request.start_by = Some(chrono::Utc::now() - chrono::Duration::seconds(1));
    let result = invoke(&nats, &client, &request).await;
    println!("a request past its start_by: {:?}", result.failure);
    let failure = result.failure.expect("a failure");
    assert_eq!(failure.kind, faas_shared::RunFailureKind::NotStarted);
    assert_eq!(result.activation.container_id, None);
    assert_stream_empty(&mut stream).await;
    assert_container_removed(&request.activation_id).await;
    let records = jetstream::new(client.clone())
        .get_key_value(faas_shared::nats::ACTIVATIONS_BUCKET)
        .await
        .unwrap();
    let key = faas_shared::nats::activation_key(&request.owner, &request.activation_id);
    assert!(records.get(&key).await.unwrap().is_none(), "no record");

    // One whose start_by is ahead runs as usual.
    let mut request = activation::request(REVERSE, "fresh");
    request.start_by = Some(chrono::Utc::now() + chrono::Duration::seconds(30));
    let result = invoke(&nats, &client, &request).await;
    assert_eq!(result.failure, None);
    assert_eq!(result.activation.result, "hserf");
    worker.stop().await;
}
