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
//! larger than one NATS message). A record that cannot be packed is replaced by a
//! small failure record, so the caller learns at once instead of waiting out the
//! function's timeout.

use std::time::Duration;

use async_nats::jetstream::{self, AckKind};
use faas_process::claim;
use faas_process::secrets::SecretKeys;
use faas_process::signing::{RequestKey, SIGNATURE_HEADER};
use faas_shared::activation::{ActivationRequest, ActivationResult};
use faas_shared::nats::{activation_key, activation_subject, request_payload_name, result_subject};
use faas_shared::{ActivationRecord, ActivationStatus, RunFailure, RunFailureKind};

use crate::metrics::PUBLISH_SECONDS;
use crate::records::Records;
use crate::runtime::ContainerRuntime;
use crate::secrets::Secrets;

/// Progress signals keep long functions from being redelivered (see the consumer's
/// `ack_wait`).
const PROGRESS_EVERY: Duration = Duration::from_secs(10);

/// What every activation of this worker shares; one task per request runs
/// [`ActivationHandler::run`].
pub(crate) struct ActivationHandler {
    runtime: ContainerRuntime,
    client: async_nats::Client,
    records: Records,
    secrets: Secrets,
    jetstream: jetstream::Context,
    worker_id: String,
    /// What records show of the worker: an opaque id, never `worker_id` (host
    /// name and pid). See [`RequestKey::public_worker_id`].
    public_id: String,
    /// Verifies that the server queued a request (see `faas_process::signing`).
    request_key: RequestKey,
}

impl ActivationHandler {
    pub(crate) fn new(
        runtime: ContainerRuntime,
        client: async_nats::Client,
        worker_id: String,
        request_key: RequestKey,
        secret_keys: Option<SecretKeys>,
    ) -> Self {
        let jetstream = jetstream::new(client.clone());
        let records = Records::new(jetstream.clone());
        let secrets = Secrets::new(jetstream.clone(), secret_keys);
        let public_id = request_key.public_worker_id(&worker_id);
        Self {
            runtime,
            client,
            records,
            secrets,
            jetstream,
            worker_id,
            public_id,
            request_key,
        }
    }

    /// Runs one request, records and reports it, then acks. Never panics on a bad
    /// message.
    pub(crate) async fn run(&self, message: jetstream::Message) {
        let request = match self.trusted_request(&message).await {
            Ok(request) => request,
            Err(why) => {
                tracing::warn!(subject = %message.subject, %why, "dropping an activation request the server did not send");
                let _ = message.ack_with(AckKind::Term).await;
                return;
            }
        };
        let key = activation_key(&request.owner, &request.activation_id);
        // A redelivery of an activation that already finished (its worker died
        // before the ack) is answered from its record, never run twice.
        if let Some(record) = self.records.finished(&key).await {
            tracing::info!(id = %request.activation_id, "redelivered activation already finished; answering from its record");
            faas_process::slots::release(&self.jetstream, &request).await;
            self.report(&request, &key, &record).await;
            self.ack(&request, &message).await;
            return;
        }

        // A synchronous call whose caller stopped waiting (the server withdrew it,
        // or would have): never started late for nobody.
        // A redelivery (its worker died) was started once already and runs again.
        let first_delivery = message.info().is_ok_and(|info| info.delivered <= 1);
        if let Some(start_by) = request.start_by
            && first_delivery
            && chrono::Utc::now() > start_by
        {
            self.not_started(&request, &message, start_by).await;
            return;
        }

        let mut result = match self.secrets.resolve(&request).await {
            Ok(secrets) => self.run_container(&request, &message, secrets).await,
            Err(failure) => {
                tracing::warn!(id = %request.activation_id, why = %failure.message, "activation not run");
                ActivationResult::not_run(&request, failure, &self.worker_id)
            }
        };
        // The container's labels name this worker by its id; the record, which
        // tenants read, by its opaque one.
        result.worker = self.public_id.clone();
        // Freed before the result goes out, so a caller who got the answer finds
        // the slot free for the next call.
        faas_process::slots::release(&self.jetstream, &request).await;
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

    /// The request, if the server signed exactly this body for exactly this subject
    /// and it passes the server's own checks; else why not. Nothing in the message
    /// is acted on before its signature is verified.
    async fn trusted_request(
        &self,
        message: &jetstream::Message,
    ) -> Result<ActivationRequest, String> {
        let signature = message
            .headers
            .as_ref()
            .and_then(|headers| headers.get(SIGNATURE_HEADER))
            .map(|value| value.as_str().to_owned())
            .ok_or("it is not signed")?;
        let json = self
            .records
            .unpack_json(&message.payload)
            .await
            .map_err(|e| format!("its body cannot be read: {e}"))?;
        if !self.request_key.verify(&message.subject, &json, &signature) {
            return Err(
                "its signature does not match (altered, or signed with another key)".into(),
            );
        }
        let request: ActivationRequest =
            serde_json::from_slice(&json).map_err(|e| format!("it is not a request: {e}"))?;
        if message.subject.as_str() != activation_subject(&request.owner) {
            return Err(format!(
                "it was queued for another user than {:?}",
                request.owner
            ));
        }
        request.check()?;
        Ok(request)
    }

    /// A request past its `start_by`: its slot is freed, a `not_started` result is
    /// published in case a server still listens (it answers 503 `no_capacity`),
    /// no record is stored and nothing runs; the request is acked.
    async fn not_started(
        &self,
        request: &ActivationRequest,
        message: &jetstream::Message,
        start_by: chrono::DateTime<chrono::Utc>,
    ) {
        tracing::info!(id = %request.activation_id, owner = %request.owner, function = %request.function, %start_by, "not starting a synchronous call whose caller stopped waiting");
        faas_process::slots::release(&self.jetstream, request).await;
        let failure = RunFailure {
            kind: RunFailureKind::NotStarted,
            message: format!(
                "no worker took activation {} before its caller stopped waiting ({start_by}): it was not run",
                request.activation_id
            ),
        };
        let result = ActivationResult::not_run(request, failure, &self.public_id);
        let record = result.record(request, chrono::Utc::now());
        let key = activation_key(&request.owner, &request.activation_id);
        if let Ok(body) = self.records.pack(&key, &record).await {
            let _ = self
                .client
                .publish(result_subject(&request.activation_id), body)
                .await;
        }
        self.ack(request, message).await;
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

    /// Stores the record, then publishes it to the waiting server, retrying what a
    /// NATS leader election explains for up to [`REPORT_RETRY`]. The result is
    /// published even when the record could not be stored: the caller's answer
    /// comes first. Only a record that cannot be packed at all (too large for one
    /// message, and the payload bucket unreachable) is replaced by a small failure
    /// record, so the caller hears at once instead of waiting out the timeout.
    async fn report(&self, request: &ActivationRequest, key: &str, record: &ActivationRecord) {
        let id = &request.activation_id;
        // The publish step (packing, storing, publishing), which the record it
        // carries cannot hold.
        let started = std::time::Instant::now();
        let body = match retrying(|| self.records.pack(key, record)).await {
            Ok(body) => body,
            Err(e) => {
                tracing::error!(%id, error = %e, "the record cannot be packed; reporting the failure instead");
                let failed = failure_record(record, &e);
                match self.records.pack(key, &failed).await {
                    Ok(body) => body,
                    Err(e) => {
                        tracing::error!(%id, error = %e, "packing the failure record failed too");
                        return;
                    }
                }
            }
        };
        if let Err(e) = retrying(|| self.records.put(key, body.clone())).await {
            tracing::error!(%id, error = %e, "storing the activation record failed; the result is still published");
        }
        let published = retrying(|| async {
            self.client
                .publish(result_subject(id), body.clone())
                .await?;
            self.client.flush().await?;
            Ok(())
        })
        .await;
        if let Err(e) = published {
            tracing::warn!(%id, error = %e, "publishing the result failed; the server reads the record");
        }
        metrics::histogram!(PUBLISH_SECONDS).record(started.elapsed().as_secs_f64());
    }

    /// Runs the container, telling JetStream every [`PROGRESS_EVERY`] that the
    /// request is still being worked on.
    async fn run_container(
        &self,
        request: &ActivationRequest,
        message: &jetstream::Message,
        secrets: Vec<(String, Vec<u8>)>,
    ) -> ActivationResult {
        let run = self
            .runtime
            .run_with_secrets(request, &self.worker_id, secrets);
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

/// How long reporting retries: a NATS leader election takes a few seconds, and
/// the server waits `WORKER_GRACE` (10 s) beyond the function's timeout.
const REPORT_RETRY: Duration = Duration::from_secs(6);

/// `attempt` until it succeeds or [`REPORT_RETRY`] has passed.
async fn retrying<T, F: std::future::Future<Output = anyhow::Result<T>>>(
    mut attempt: impl FnMut() -> F,
) -> anyhow::Result<T> {
    let deadline = tokio::time::Instant::now() + REPORT_RETRY;
    let mut pause = Duration::from_millis(100);
    loop {
        match attempt().await {
            Err(e) if tokio::time::Instant::now() + pause < deadline => {
                tracing::debug!(error = %e, "reporting: retrying");
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_secs(1));
            }
            outcome => return outcome,
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
