//! Activation requests as faas-server queues them, to drive a worker through NATS
//! or its container runtime directly.

use async_nats::jetstream;
use chrono::Utc;
use faas_process::signing::{RequestKey, SIGNATURE_HEADER};
use faas_shared::ParamMode;
use faas_shared::activation::ActivationRequest;
use faas_shared::nats::activation_subject;

use crate::names::unique;

/// A request to run `image` with `param` on the command line (argv mode), with a
/// unique activation id, 20 s and 64 MiB.
pub fn request(image: &str, param: &str) -> ActivationRequest {
    ActivationRequest {
        // Activation ids are alphanumeric, as the server's UUIDs are.
        activation_id: unique("act").replace('-', ""),
        owner: "tester".into(),
        function: "f".into(),
        image: image.into(),
        param: param.into(),
        param_mode: ParamMode::Argv,
        timeout_ms: 20_000,
        memory_mb: 64,
        network: false,
        secrets: Vec::new(),
        concurrency_slot: None,
        new_account_slot: None,
        prewarm: 0,
        queued_at: Utc::now(),
        start_by: None,
    }
}

/// Queues `request` as faas-server does: its JSON, signed with `key`, on its
/// owner's subject (`client` must be allowed to publish there: the server's user).
pub async fn queue(client: &async_nats::Client, key: &RequestKey, request: &ActivationRequest) {
    let json = serde_json::to_vec(request).unwrap();
    publish_signed(
        client,
        &activation_subject(&request.owner),
        json.clone(),
        &key.sign(&activation_subject(&request.owner), &json),
    )
    .await;
}

/// Publishes `body` to the work queue on `subject` with `signature` in the
/// signature header, and waits for the stream's ack: to queue forged requests.
pub async fn publish_signed(
    client: &async_nats::Client,
    subject: &str,
    body: Vec<u8>,
    signature: &str,
) {
    let mut headers = async_nats::HeaderMap::new();
    headers.insert(SIGNATURE_HEADER, signature);
    jetstream::new(client.clone())
        .publish_with_headers(subject.to_owned(), headers, body.into())
        .await
        .unwrap()
        .await
        .unwrap();
}
