//! The consumer loop: pull activation requests, run each, report, ack.
//!
//! The order of the last steps matters. The result is recorded (KV
//! `faas_activations`) and published first and the request acked after, so the
//! request keeps holding its place in the stream (and so its concurrency slot) until
//! its answer is out; and a worker that dies before acking leaves the request to be
//! redelivered instead of lost.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use async_nats::jetstream::kv;
use async_nats::jetstream::{self, AckKind, consumer::PullConsumer, consumer::pull};
use faas_shared::ActivationRecord;
use faas_shared::activation::{ActivationRequest, ActivationResult};
use faas_shared::nats::{
    ACTIVATIONS_BUCKET, ACTIVATIONS_STREAM, WORKERS_CONSUMER, activation_key, result_subject,
};
use futures::StreamExt;
use futures::future::{FusedFuture, FutureExt};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::WorkerConfig;
use crate::runtime::ContainerRuntime;

/// How long a delivered request may go without an ack or a progress signal before
/// JetStream hands it to another worker.
const ACK_WAIT: Duration = Duration::from_secs(30);
/// Progress signals keep long functions from being redelivered.
const PROGRESS_EVERY: Duration = Duration::from_secs(10);
/// A request that fails this many deliveries (worker crashes) is dropped.
const MAX_DELIVER: i64 = 3;
/// How long a pull request waits for messages before it is renewed. Short, because
/// slots freed meanwhile are only offered with the next pull, and shutdown waits
/// for the open pull to expire.
const PULL_EXPIRES: Duration = Duration::from_secs(2);
/// How long the worker waits for NATS at start-up (the server waits as long).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
/// How long shutdown waits for running activations.
const DRAIN: Duration = Duration::from_secs(30);
/// How long shutdown then waits for the last containers to be removed.
const REMOVALS: Duration = Duration::from_secs(10);

pub async fn run(
    config: WorkerConfig,
    shutdown: impl Future<Output = ()> + Send,
) -> anyhow::Result<()> {
    // Fused: the caller's future (an `async fn`) must not be polled again once it
    // has completed, and we check it from several places.
    let shutdown = shutdown.fuse();
    tokio::pin!(shutdown);
    let runtime = ContainerRuntime::new(config.docker_host.clone());
    match runtime.sweep(&config.worker_id).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(removed = n, "removed containers left by an earlier run"),
        Err(e) => {
            tracing::warn!(error = %e, "cannot reach the Docker Engine (is it running? is DOCKER_HOST right?); activations will fail until it is back")
        }
    }
    let name = format!("faas-worker {}", config.worker_id);
    let connect = faas_process::nats::connect(&config.nats_url, &name, CONNECT_TIMEOUT);
    let client = tokio::select! {
        connection = connect => connection?.client,
        _ = &mut shutdown => return Ok(()),
    };
    let jetstream = jetstream::new(client.clone());

    let mut consumer = tokio::select! {
        bound = bind(&jetstream) => bound,
        _ = &mut shutdown => return Ok(()),
    };
    let records = Arc::new(Records {
        jetstream: jetstream.clone(),
        store: tokio::sync::OnceCell::new(),
    });
    tracing::info!(worker = %config.worker_id, slots = config.slots, "worker ready");

    let slots = Arc::new(Semaphore::new(config.slots));
    let mut running = JoinSet::new();
    loop {
        // Wait for a free slot, then ask for as many requests as there are free slots.
        let first = tokio::select! {
            permit = slots.clone().acquire_owned() => permit.context("slots closed")?,
            _ = &mut shutdown => break,
        };
        let mut permits = vec![first];
        while let Ok(permit) = slots.clone().try_acquire_owned() {
            permits.push(permit);
        }
        let batch = consumer
            .batch()
            .max_messages(permits.len())
            .expires(PULL_EXPIRES)
            .messages()
            .await;
        let mut lost = false;
        let mut batch = match batch {
            Ok(batch) => batch,
            Err(e) => {
                tracing::warn!(error = %e, "pulling activations failed; retrying");
                drop(permits);
                consumer = tokio::select! {
                    bound = rebind(&jetstream) => bound,
                    _ = &mut shutdown => break,
                };
                continue;
            }
        };
        loop {
            let message = if shutdown.is_terminated() {
                // The pull request stays open on the server until it expires and
                // may still deliver; run what it brings (the slots are ours) rather
                // than leave it stranded until `ack_wait`.
                tokio::time::timeout(PULL_EXPIRES + Duration::from_secs(1), batch.next())
                    .await
                    .ok()
                    .flatten()
            } else {
                tokio::select! {
                    message = batch.next() => message,
                    _ = &mut shutdown => continue,
                }
            };
            let Some(message) = message else { break };
            let message = match message {
                Ok(message) => message,
                Err(e) => {
                    tracing::warn!(error = %e, "receiving an activation failed; retrying");
                    lost = true;
                    break;
                }
            };
            let Some(permit) = permits.pop() else { break };
            let worker = Worker {
                runtime: runtime.clone(),
                client: client.clone(),
                records: records.clone(),
                id: config.worker_id.clone(),
            };
            running.spawn(async move {
                worker.handle(message).await;
                drop(permit);
            });
            while running.try_join_next().is_some() {}
        }
        drop(permits);
        if shutdown.is_terminated() {
            break;
        }
        if lost {
            consumer = tokio::select! {
                bound = rebind(&jetstream) => bound,
                _ = &mut shutdown => break,
            };
        }
    }
    tracing::info!(in_flight = running.len(), "worker stopping");
    let drained = tokio::time::timeout(DRAIN, async {
        while running.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::warn!("activations still running at shutdown were left for redelivery");
    }
    // Acks are buffered by the client; send them before it is dropped, or finished
    // activations would be redelivered.
    match tokio::time::timeout(Duration::from_secs(5), client.flush()).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => tracing::warn!(error = %e, "flushing the last acks failed"),
        Err(_) => tracing::warn!("NATS is unreachable; the last acks may be lost"),
    }
    if tokio::time::timeout(REMOVALS, runtime.removals_done())
        .await
        .is_err()
    {
        tracing::warn!("some containers were not removed in time; the next start sweeps them");
    }
    Ok(())
}

/// The shared durable consumer, once the server has created the stream. The server
/// owns the stream's settings (limits, retention), so the worker waits rather than
/// creating it, and start order does not matter.
async fn bind(jetstream: &jetstream::Context) -> PullConsumer {
    let mut logged = false;
    loop {
        let attempt = async {
            let stream = jetstream.get_stream(ACTIVATIONS_STREAM).await?;
            stream
                .get_or_create_consumer(
                    WORKERS_CONSUMER,
                    pull::Config {
                        durable_name: Some(WORKERS_CONSUMER.to_owned()),
                        ack_policy: jetstream::consumer::AckPolicy::Explicit,
                        ack_wait: ACK_WAIT,
                        max_deliver: MAX_DELIVER,
                        ..Default::default()
                    },
                )
                .await
                .map_err(anyhow::Error::from)
        };
        match attempt.await {
            Ok(consumer) => return consumer,
            Err(e) => {
                if !logged {
                    tracing::info!(error = %e, "waiting for the {ACTIVATIONS_STREAM} stream (created by faas-server)");
                    logged = true;
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

/// After a failed pull: wait a moment (no busy loop while NATS is away), then bind
/// again, since the stream or the consumer may have been deleted and re-created.
async fn rebind(jetstream: &jetstream::Context) -> PullConsumer {
    tokio::time::sleep(Duration::from_secs(1)).await;
    bind(jetstream).await
}

/// The activation record bucket, opened on first use: records are a fallback for
/// the server, so a missing bucket (the server has not created it yet) must not
/// stop activations from running.
struct Records {
    jetstream: jetstream::Context,
    store: tokio::sync::OnceCell<kv::Store>,
}

impl Records {
    async fn store(&self) -> Option<&kv::Store> {
        let opened = self
            .store
            .get_or_try_init(|| self.jetstream.get_key_value(ACTIVATIONS_BUCKET))
            .await;
        match opened {
            Ok(store) => Some(store),
            Err(e) => {
                tracing::warn!(error = %e, "the {ACTIVATIONS_BUCKET} bucket is not available; activation not recorded");
                None
            }
        }
    }

    async fn finished(&self, key: &str) -> Option<ActivationRecord> {
        let value = self.store().await?.get(key).await.ok()??;
        serde_json::from_slice(&value).ok()
    }

    async fn put(&self, key: &str, record: &ActivationRecord) {
        let Some(store) = self.store().await else {
            return;
        };
        match serde_json::to_vec(record) {
            Ok(value) => {
                if let Err(e) = store.put(key, value.into()).await {
                    tracing::warn!(error = %e, "storing the activation record failed");
                }
            }
            Err(e) => tracing::error!(error = %e, "encoding the activation record failed"),
        }
    }
}

/// What a running activation needs.
struct Worker {
    runtime: ContainerRuntime,
    client: async_nats::Client,
    records: Arc<Records>,
    id: String,
}

impl Worker {
    /// Runs one request, records and reports it, then acks. Never panics on a bad
    /// message.
    async fn handle(&self, message: jetstream::Message) {
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

        let run = self.runtime.run(&request, &self.id);
        tokio::pin!(run);
        let mut progress = tokio::time::interval(PROGRESS_EVERY);
        progress.tick().await;
        let result = loop {
            tokio::select! {
                result = &mut run => break result,
                _ = progress.tick() => {
                    let _ = message.ack_with(AckKind::Progress).await;
                }
            }
        };
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
