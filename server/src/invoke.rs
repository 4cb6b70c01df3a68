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
use faas_shared::nats::{ACTIVATIONS_STREAM, activation_subject, result_subject};
use faas_shared::{ErrorCode, FunctionInfo};
use futures::StreamExt;

use crate::AppState;
use crate::error::AppError;

/// JetStream's "maximum messages (per subject) exceeded".
const STREAM_FULL: jetstream::ErrorCode = jetstream::ErrorCode(10077);

/// Extra time beyond queueing and the function's own timeout that the worker gets to
/// create, clean up and report.
const WORKER_GRACE: Duration = Duration::from_secs(10);

/// Publishes an activation of `function` for `owner` and waits for its result.
pub async fn invoke(
    state: &AppState,
    owner: &str,
    function: &FunctionInfo,
    param: String,
) -> Result<ActivationResult, AppError> {
    let activation_id = uuid::Uuid::now_v7().simple().to_string();
    let request = ActivationRequest {
        activation_id: activation_id.clone(),
        owner: owner.to_owned(),
        function: function.name.clone(),
        image: function.image.clone(),
        param,
        param_mode: function.param_mode,
        timeout_ms: function.timeout_ms,
        memory_mb: function.memory_mb,
        network: function.network,
        queued_at: Utc::now(),
    };
    let payload = serde_json::to_vec(&request)
        .map_err(|e| AppError::internal("encoding the activation", e))?;

    let mut results = state
        .nats
        .subscribe(result_subject(&activation_id))
        .await
        .map_err(|e| AppError::backend("subscribing for the result", e))?;

    let mut headers = async_nats::HeaderMap::new();
    headers.insert("Nats-Msg-Id", activation_id.as_str());
    let ack = state
        .jetstream
        .publish_with_headers(activation_subject(owner), headers, payload.into())
        .await
        .map_err(|e| AppError::backend("queueing the activation", e))?
        .await;
    let sequence = match ack {
        Ok(ack) => ack.sequence,
        Err(e) if is_stream_full(&e) => {
            return Err(AppError::new(
                ErrorCode::ConcurrencyLimit,
                "too many activations in flight: retry after the Retry-After delay",
            )
            .with_retry_after(1));
        }
        Err(e) => return Err(AppError::backend("queueing the activation", e)),
    };
    tracing::debug!(%activation_id, function = %function.name, %owner, sequence, "activation queued");

    let wait =
        state.limits.queue_timeout + Duration::from_millis(function.timeout_ms) + WORKER_GRACE;
    match tokio::time::timeout(wait, results.next()).await {
        Ok(Some(message)) => serde_json::from_slice(&message.payload)
            .map_err(|e| AppError::internal("decoding the activation result", e)),
        Ok(None) => Err(AppError::backend(
            "waiting for the result",
            "result subscription closed",
        )),
        Err(_) => {
            // Take the request back so it cannot run later for nobody.
            if let Ok(stream) = state.jetstream.get_stream(ACTIVATIONS_STREAM).await {
                let _ = stream.delete_message(sequence).await;
            }
            Err(AppError::new(
                ErrorCode::NoCapacity,
                format!(
                    "no worker answered within {} s: the platform has no free capacity, try again later",
                    wait.as_secs()
                ),
            )
            .with_retry_after(5))
        }
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
