//! Running one activation: publish the request to the work queue, wait for the
//! worker's result.
//!
//! We subscribe to the result subject *before* publishing, so a fast worker cannot
//! answer before anyone listens. The JetStream publish ack is the admission
//! decision: a full stream refuses the message with error 10077, which is our 429.

use std::error::Error as _;
use std::time::Duration;

use async_nats::jetstream;
use chrono::Utc;
use faas_shared::activation::{ActivationRequest, ActivationResult};
use faas_shared::nats::{ACTIVATIONS_STREAM, WORKERS_CONSUMER, activation_subject, result_subject};
use faas_shared::{ErrorCode, FunctionInfo};
use futures::StreamExt;

use crate::AppState;
use crate::error::AppError;

/// JetStream's "maximum messages (per subject) exceeded".
const STREAM_FULL: jetstream::ErrorCode = jetstream::ErrorCode(10077);

/// Extra time beyond the function's own timeout that a worker gets to create the
/// container, collect its output and report.
const WORKER_GRACE: Duration = Duration::from_secs(10);

/// Publishes an activation of `function` for `owner` and waits for its result.
pub async fn invoke(
    state: &AppState,
    owner: &str,
    function: &FunctionInfo,
    param: String,
) -> Result<ActivationResult, AppError> {
    let request = new_request(owner, function, param);
    let activation_id = request.activation_id.clone();
    let mut results = state
        .nats
        .subscribe(result_subject(&activation_id))
        .await
        .map_err(|e| AppError::backend("subscribing for the result", e))?;
    let sequence = publish(state, &request).await?;

    // Phase 1: a worker must take the request within the queue timeout.
    if let Ok(result) = tokio::time::timeout(state.limits.queue_timeout, results.next()).await {
        return decode(state, owner, &activation_id, result).await;
    }
    if !picked_up(state, sequence).await && withdraw(state, sequence).await {
        return Err(AppError::new(
            ErrorCode::NoCapacity,
            format!(
                "no worker took the activation within {} ms: the platform is at capacity or no worker is running; try again later",
                state.limits.queue_timeout.as_millis()
            ),
        )
        .with_retry_after(5));
    }
    // Phase 2: it is running; the worker enforces the function's timeout.
    let wait = Duration::from_millis(function.timeout_ms) + WORKER_GRACE;
    let result = tokio::time::timeout(wait, results.next())
        .await
        .ok()
        .flatten();
    decode(state, owner, &activation_id, result).await
}

/// Queues an activation without waiting (`?async=true`); returns its id. The
/// worker stores the record when it finishes.
pub async fn submit(
    state: &AppState,
    owner: &str,
    function: &FunctionInfo,
    param: String,
) -> Result<String, AppError> {
    let request = new_request(owner, function, param);
    publish(state, &request).await?;
    Ok(request.activation_id)
}

fn new_request(owner: &str, function: &FunctionInfo, param: String) -> ActivationRequest {
    ActivationRequest {
        activation_id: uuid::Uuid::now_v7().simple().to_string(),
        owner: owner.to_owned(),
        function: function.name.clone(),
        image: function.image.clone(),
        param,
        param_mode: function.param_mode,
        timeout_ms: function.timeout_ms,
        memory_mb: function.memory_mb,
        network: function.network,
        queued_at: Utc::now(),
    }
}

/// Queues the request; the stream's answer is the admission decision. Returns the
/// message's stream sequence.
async fn publish(state: &AppState, request: &ActivationRequest) -> Result<u64, AppError> {
    let payload = serde_json::to_vec(request)
        .map_err(|e| AppError::internal("encoding the activation", e))?;
    let mut headers = async_nats::HeaderMap::new();
    headers.insert("Nats-Msg-Id", request.activation_id.as_str());
    let ack = state
        .jetstream
        .publish_with_headers(activation_subject(&request.owner), headers, payload.into())
        .await
        .map_err(|e| AppError::backend("queueing the activation", e))?
        .await;
    match ack {
        Ok(ack) => {
            tracing::debug!(id = %request.activation_id, function = %request.function, owner = %request.owner, sequence = ack.sequence, "activation queued");
            Ok(ack.sequence)
        }
        Err(e) if is_stream_full(&e) => Err(AppError::new(
            ErrorCode::ConcurrencyLimit,
            "too many activations in flight: retry after the Retry-After delay",
        )
        .with_retry_after(1)),
        Err(e) => Err(AppError::backend("queueing the activation", e)),
    }
}

/// The result message, or when it was missed (a reconnect, a slow worker) the
/// activation's record.
async fn decode(
    state: &AppState,
    owner: &str,
    activation_id: &str,
    message: Option<async_nats::Message>,
) -> Result<ActivationResult, AppError> {
    if let Some(message) = message {
        return serde_json::from_slice(&message.payload)
            .map_err(|e| AppError::internal("decoding the activation result", e));
    }
    match state.store.activation(owner, activation_id).await? {
        Some(record) => Ok(record.into()),
        None => Err(AppError::new(
            ErrorCode::BackendUnavailable,
            format!(
                "the worker running activation {activation_id} stopped answering; see GET /v1/activations/{activation_id} later"
            ),
        )),
    }
}

/// Whether the shared worker consumer has been handed stream message `sequence`.
async fn picked_up(state: &AppState, sequence: u64) -> bool {
    let Ok(stream) = state.jetstream.get_stream(ACTIVATIONS_STREAM).await else {
        return false;
    };
    match stream.consumer_info(WORKERS_CONSUMER).await {
        Ok(info) => info.delivered.stream_sequence >= sequence,
        Err(_) => false,
    }
}

/// Takes a queued request back so it never runs later for nobody. False if a worker
/// took it in the meantime.
async fn withdraw(state: &AppState, sequence: u64) -> bool {
    match state.jetstream.get_stream(ACTIVATIONS_STREAM).await {
        Ok(stream) => stream.delete_message(sequence).await.unwrap_or(false),
        Err(_) => false,
    }
}

/// Whether a publish failed because the stream is at its message limit.
fn is_stream_full(error: &jetstream::context::PublishError) -> bool {
    let mut source = error.source();
    while let Some(err) = source {
        if let Some(js) = err.downcast_ref::<jetstream::Error>() {
            return js.error_code() == STREAM_FULL;
        }
        source = err.source();
    }
    error.to_string().contains("10077")
}
