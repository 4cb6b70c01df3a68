//! One activation request, from delivery to ack: run it, record it, publish the
//! result, ack.
//!
//! The order of the last steps matters. The result is recorded (KV
//! `faas_activations`) and published first and the request acked after, so the
//! request keeps holding its place in the stream (and so its concurrency slot) until
//! its answer is out; and a worker that dies before acking leaves the request to be
//! redelivered instead of lost.

use std::time::Duration;

use async_nats::jetstream::{self, AckKind};
use faas_shared::activation::{ActivationRequest, ActivationResult};
use faas_shared::nats::{activation_key, result_subject};

use crate::records::Records;
use crate::runtime::ContainerRuntime;

/// Progress signals keep long functions from being redelivered (see the consumer's
/// `ack_wait`).
const PROGRESS_EVERY: Duration = Duration::from_secs(10);

/// What every activation of this worker shares; one task per request runs
/// [`ActivationHandler::run`].
pub(crate) struct ActivationHandler {
    runtime: ContainerRuntime,
    client: async_nats::Client,
    records: Records,
    worker_id: String,
}

impl ActivationHandler {
    pub(crate) fn new(
        runtime: ContainerRuntime,
        client: async_nats::Client,
        worker_id: String,
    ) -> Self {
        let records = Records::new(jetstream::new(client.clone()));
        Self {
            runtime,
            client,
            records,
            worker_id,
        }
    }

    /// Runs one request, records and reports it, then acks. Never panics on a bad
    /// message.
    pub(crate) async fn run(&self, message: jetstream::Message) {
        let request: ActivationRequest = match serde_json::from_slice(&message.payload) {
            Ok(request) => request,
            Err(e) => {
                tracing::warn!(subject = %message.subject, error = %e, "dropping a malformed activation request");
                let _ = message.ack_with(AckKind::Term).await;
                return;
            }
        };
        let key = activation_key(&request.owner, &request.activation_id);
        // A redelivery of an activation that already finished (its worker died
        // before the ack) is answered from its record, never run twice.
        if let Some(record) = self.records.finished(&key).await {
            tracing::info!(id = %request.activation_id, "redelivered activation already finished; answering from its record");
            self.publish(&request, &record.into()).await;
            let _ = message.ack().await;
            return;
        }

        let result = self.run_container(&request, &message).await;
        tracing::info!(
            id = %request.activation_id,
            owner = %request.owner,
            function = %request.function,
            status = ?result.activation.status,
            exit_code = ?result.activation.exit_code,
            duration_ms = result.activation.duration_ms,
            "activation finished"
        );
        let record = result.record(&request, chrono::Utc::now());
        self.records.put(&key, &record).await;
        self.publish(&request, &result).await;
        if let Err(e) = message.ack().await {
            tracing::warn!(error = %e, "acking the activation failed; it may be redelivered");
        }
    }

    /// Runs the container, telling JetStream every [`PROGRESS_EVERY`] that the
    /// request is still being worked on.
    async fn run_container(
        &self,
        request: &ActivationRequest,
        message: &jetstream::Message,
    ) -> ActivationResult {
        let run = self.runtime.run(request, &self.worker_id);
        tokio::pin!(run);
        let mut progress = tokio::time::interval(PROGRESS_EVERY);
        progress.tick().await;
        loop {
            tokio::select! {
                result = &mut run => return result,
                _ = progress.tick() => {
                    let _ = message.ack_with(AckKind::Progress).await;
                }
            }
        }
    }

    /// Sends the result to the server waiting for it.
    async fn publish(&self, request: &ActivationRequest, result: &ActivationResult) {
        match serde_json::to_vec(result) {
            Ok(payload) => {
                let subject = result_subject(&request.activation_id);
                if let Err(e) = self.client.publish(subject, payload.into()).await {
                    tracing::warn!(error = %e, "publishing the result failed");
                }
                let _ = self.client.flush().await;
            }
            Err(e) => tracing::error!(error = %e, "encoding the result failed"),
        }
    }
}
