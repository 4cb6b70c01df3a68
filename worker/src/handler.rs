//! One activation request, from delivery to ack: run it, record it, publish the
//! result, ack.
//!
//! The order of the last steps matters. The result is recorded (KV
//! `faas_activations`) and published first and the request acked after, so the
//! request keeps holding its place in the stream (and so its concurrency slot) until
//! its answer is out; and a worker that dies before acking leaves the request to be
//! redelivered instead of lost. Delivery is therefore at-least-once: a redelivered
//! activation whose record exists is answered from it, but one whose worker died
//! mid-run runs again (the function gets `FAAS_ACTIVATION_ID` to deduplicate).
//!
//! The record is the result message too, packed once (a claim check when it is
//! larger than one NATS message). When it cannot be stored or published, a small
//! failure record takes its place, so the caller learns at once instead of waiting
//! out the function's timeout.

use std::time::Duration;

use async_nats::jetstream::{self, AckKind};
use bytes::Bytes;
use faas_process::claim;
use faas_shared::activation::{ActivationRequest, ActivationResult};
use faas_shared::nats::{activation_key, request_payload_name, result_subject};
use faas_shared::{ActivationRecord, ActivationStatus, RunFailure, RunFailureKind};

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
        let request: ActivationRequest = match self.records.unpack(&message.payload).await {
            Ok(request) => request,
            Err(e) => {
                tracing::warn!(subject = %message.subject, error = %e, "dropping an unreadable activation request");
                let _ = message.ack_with(AckKind::Term).await;
                return;
            }
        };
        let key = activation_key(&request.owner, &request.activation_id);
        // A redelivery of an activation that already finished (its worker died
        // before the ack) is answered from its record, never run twice.
        if let Some(record) = self.records.finished(&key).await {
            tracing::info!(id = %request.activation_id, "redelivered activation already finished; answering from its record");
            self.report(&request, &key, &record).await;
            self.ack(&request, &message).await;
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
        self.report(&request, &key, &record).await;
        self.ack(&request, &message).await;
    }

    /// Acks the request and drops its claimed body, which only a redelivery needed.
    async fn ack(&self, request: &ActivationRequest, message: &jetstream::Message) {
        if let Err(e) = message.ack().await {
            tracing::warn!(error = %e, "acking the activation failed; it may be redelivered");
            return;
        }
        if claim::claimed(&message.payload).is_some() {
            self.records
                .discard(&request_payload_name(&request.activation_id))
                .await;
        }
    }

    /// Stores the record, then publishes it to the waiting server. A record that
    /// cannot be packed or stored is replaced by a small failure record (no output),
    /// stored and published in its place, so the caller is not left waiting out the
    /// function's timeout. (A failed publish needs no such thing: the record is
    /// stored, and the server reads it when its connection comes back.)
    async fn report(&self, request: &ActivationRequest, key: &str, record: &ActivationRecord) {
        let body = match self.store(key, record).await {
            Ok(body) => body,
            Err(e) => {
                tracing::error!(id = %request.activation_id, error = %e, "recording the activation failed; reporting the failure instead");
                let failed = failure_record(record, &e);
                match self.store(key, &failed).await {
                    Ok(body) => body,
                    Err(e) => {
                        tracing::error!(id = %request.activation_id, error = %e, "recording the failure failed too");
                        serde_json::to_vec(&failed).unwrap_or_default().into()
                    }
                }
            }
        };
        let subject = result_subject(&request.activation_id);
        let published = match self.client.publish(subject, body).await {
            Ok(()) => self.client.flush().await.map_err(anyhow::Error::from),
            Err(e) => Err(e.into()),
        };
        if let Err(e) = published {
            tracing::warn!(id = %request.activation_id, error = %e, "publishing the result failed; the server reads the record");
        }
    }

    /// Packs `record` and stores it; returns the packed body.
    async fn store(&self, key: &str, record: &ActivationRecord) -> anyhow::Result<Bytes> {
        let body = self.records.pack(key, record).await?;
        self.records.put(key, body.clone()).await?;
        Ok(body)
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
}

/// `record` without its output, failed for the platform's reason `why`.
fn failure_record(record: &ActivationRecord, why: &anyhow::Error) -> ActivationRecord {
    let mut failed = record.clone();
    failed.activation.status = ActivationStatus::Error;
    failed.activation.result.clear();
    failed.activation.logs.clear();
    failed.failure = Some(RunFailure {
        kind: RunFailureKind::Runtime,
        message: format!(
            "the worker could not record the outcome of activation {} ({why}); its output is lost",
            record.activation.activation_id
        ),
    });
    failed
}
