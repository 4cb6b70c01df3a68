//! The worker's outer levels: [`run`] sets up and tears down, and [`Consumer::run`]
//! pulls requests from the shared durable consumer as slots free up, handing each to
//! an [`ActivationHandler`] task.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use anyhow::Context;
use async_nats::jetstream::{self, consumer::PullConsumer, consumer::pull};
use faas_shared::budget::WORKER_DRAIN;
use faas_shared::nats::{ACTIVATIONS_STREAM, WORKER_INBOX_PREFIX, WORKERS_CONSUMER};
use futures::StreamExt;
use futures::future::{FusedFuture, FutureExt};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinSet;

use crate::config::WorkerConfig;
use crate::handler::ActivationHandler;
use crate::liveness;
use crate::metrics::SLOTS_IN_USE;
use crate::runtime::ContainerRuntime;

/// How long a delivered request may go without an ack or a progress signal before
/// JetStream hands it to another worker.
const ACK_WAIT: Duration = Duration::from_secs(30);
/// A request that fails this many deliveries (worker crashes) is dropped.
const MAX_DELIVER: i64 = 3;
/// How long a pull request waits for messages before it is renewed. Short, because
/// slots freed meanwhile are only offered with the next pull, and shutdown waits
/// for the open pull to expire.
const PULL_EXPIRES: Duration = Duration::from_secs(2);
/// How long the worker waits for NATS at start-up (the server waits as long).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
/// How long shutdown then waits for the client to send the last acks.
const FLUSH: Duration = Duration::from_secs(5);
/// How long shutdown then waits for the last containers to be removed.
const REMOVALS: Duration = Duration::from_secs(10);

/// The caller's shutdown future, fused: it is checked from several places and must
/// not be polled again once it has completed.
trait Shutdown: FusedFuture<Output = ()> + Unpin {}
impl<F: FusedFuture<Output = ()> + Unpin> Shutdown for F {}

/// Runs the worker until `shutdown` resolves, then stops fetching and lets the
/// activations in progress finish.
pub async fn run(
    config: WorkerConfig,
    shutdown: impl Future<Output = ()> + Send,
) -> anyhow::Result<()> {
    let mut shutdown = std::pin::pin!(shutdown.fuse());
    let runtime = ContainerRuntime::new(config.docker_host.clone())
        .with_image_policy(config.image_policy.clone())
        .with_function_network(&config.function_network);
    let init = match &config.init_binary {
        // Absolute: the OCI runtime resolves the bind mount's source elsewhere.
        Some(path) => {
            crate::runtime::init::read_static(path).and_then(|_| Ok(std::fs::canonicalize(path)?))
        }
        // The one built with the worker.
        None => crate::runtime::init::embedded(),
    };
    let runtime = match init {
        Ok(init) => runtime
            .with_init(init)
            .with_prewarm(config.max_parked, config.prewarm_idle),
        Err(why) if config.oci.is_some() => {
            return Err(
                why.context("FAAS_WORKER_RUNTIME=oci starts every container with faas-init")
            );
        }
        Err(why) => {
            tracing::warn!(
                "{why:#}: prewarmed functions start cold, and functions with secret files fail"
            );
            runtime
        }
    };
    let runtime = match &config.oci {
        Some(settings) => runtime.with_oci(settings, &config.worker_id)?,
        None => runtime,
    };
    let metrics = match config.metrics_listen {
        Some(listen) => Some(crate::metrics::serve(listen).await?.1),
        None => None,
    };
    sweep(&runtime, &config.worker_id).await;
    let name = format!("faas-worker {}", config.worker_id);
    let who = faas_process::nats::Identity {
        name: &name,
        credentials: config.nats_credentials.as_ref(),
        inbox_prefix: WORKER_INBOX_PREFIX,
    };
    let connect = faas_process::nats::connect(&config.nats_url, who, CONNECT_TIMEOUT);
    let Some(connection) = unless_shutdown(&mut shutdown, connect).await else {
        return Ok(());
    };
    let client = connection?.client;
    let jetstream = jetstream::new(client.clone());
    let Some(bound) = unless_shutdown(&mut shutdown, bind(&jetstream)).await else {
        return Ok(());
    };
    let runtime = match platform_id(&jetstream).await {
        Some(platform) => runtime.in_platform(platform),
        None => runtime,
    };
    // Beats until the last container is removed, so that no live worker takes ours
    // for a dead one's while we drain.
    let liveness = tokio::spawn(liveness::run(
        jetstream.clone(),
        runtime.clone(),
        config.worker_id.clone(),
        config.slots,
    ));
    // Keeps the prewarm pools full (they start with the first activation of each
    // prewarmed function) until shutdown drains them.
    let upkeep = tokio::spawn(runtime.clone().upkeep(config.worker_id.clone()));
    // Drains the pools of replaced and removed functions at once.
    let retirements = tokio::spawn(crate::retired::follow(
        client.clone(),
        runtime.clone(),
        config.request_key.clone(),
    ));
    tracing::info!(
        worker = %config.worker_id,
        record_id = %config.request_key.public_worker_id(&config.worker_id),
        slots = config.slots,
        "worker ready"
    );
    let handler = ActivationHandler::new(
        runtime.clone(),
        client.clone(),
        config.worker_id,
        config.request_key,
        config.secret_keys,
    );

    let mut consumer = Consumer {
        jetstream,
        bound,
        slots: Arc::new(Semaphore::new(config.slots)),
        in_use: Arc::default(),
        running: JoinSet::new(),
        handler: Arc::new(handler),
    };
    consumer.run(&mut shutdown).await?;
    upkeep.abort();
    let _ = upkeep.await;
    retirements.abort();
    runtime.drain_pools();
    drain(consumer.running, &client, &runtime).await;
    // Activations that finished during the drain may have started pools again.
    runtime.drain_pools();
    if tokio::time::timeout(REMOVALS, runtime.removals_done())
        .await
        .is_err()
    {
        tracing::warn!("some containers were not removed in time; the next start sweeps them");
    }
    runtime.release_host();
    liveness.abort();
    if let Some(metrics) = metrics {
        metrics.abort();
    }
    Ok(())
}

/// What tells this platform's containers from another's on a shared engine (tests,
/// a dev platform beside a compose one): the activation stream's creation time,
/// which every node of a NATS cluster agrees on.
async fn platform_id(jetstream: &jetstream::Context) -> Option<String> {
    let mut stream = jetstream.get_stream(ACTIVATIONS_STREAM).await.ok()?;
    let created = stream.info().await.ok()?.created;
    Some(created.unix_timestamp_nanos().to_string())
}

/// Removes the containers an earlier run of this worker left behind, and the init
/// volumes of older `faas-init` binaries that nothing uses. Docker being away is no
/// reason not to start: activations fail clearly until it is back.
async fn sweep(runtime: &ContainerRuntime, worker_id: &str) {
    match runtime.sweep(worker_id).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(removed = n, "removed containers left by an earlier run"),
        Err(e) => {
            tracing::warn!(error = %e, "cannot reach the Docker Engine (is it running? is DOCKER_HOST right?); activations will fail until it is back");
            return;
        }
    }
    match runtime.remove_old_init_volumes().await {
        Ok(removed) if !removed.is_empty() => {
            tracing::info!(
                ?removed,
                "removed the init volumes of older faas-init binaries"
            )
        }
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "could not look for old init volumes"),
    }
}

/// `future`'s output, or `None` when shutdown comes first.
async fn unless_shutdown<T>(
    shutdown: &mut impl Shutdown,
    future: impl Future<Output = T>,
) -> Option<T> {
    tokio::select! {
        output = future => Some(output),
        _ = shutdown => None,
    }
}

/// The pull loop's state.
struct Consumer {
    jetstream: jetstream::Context,
    /// The shared durable consumer, as last bound.
    bound: PullConsumer,
    /// One permit per activation the worker may run at once.
    slots: Arc<Semaphore>,
    /// Activations running now (the slots a pending pull holds are not in use).
    in_use: Arc<AtomicUsize>,
    running: JoinSet<()>,
    handler: Arc<ActivationHandler>,
}

impl Consumer {
    /// Until shutdown: wait for a free slot, ask for as many requests as there are
    /// free slots (so a busy worker never hoards work), and run what comes. A failed
    /// pull binds again, since the stream may have been deleted and re-created.
    async fn run(&mut self, shutdown: &mut impl Shutdown) -> anyhow::Result<()> {
        loop {
            let Some(first) = unless_shutdown(shutdown, self.slots.clone().acquire_owned()).await
            else {
                return Ok(());
            };
            let mut permits = vec![first.context("slots closed")?];
            while let Ok(permit) = self.slots.clone().try_acquire_owned() {
                permits.push(permit);
            }
            let pull = self
                .bound
                .batch()
                .max_messages(permits.len())
                .expires(PULL_EXPIRES)
                .messages()
                .await;
            let still_bound = match pull {
                Ok(batch) => self.start_batch(batch, permits, shutdown).await,
                Err(e) => {
                    tracing::warn!(error = %e, "pulling activations failed; retrying");
                    drop(permits);
                    false
                }
            };
            if shutdown.is_terminated() {
                return Ok(());
            }
            if !still_bound {
                match unless_shutdown(shutdown, rebind(&self.jetstream)).await {
                    Some(bound) => self.bound = bound,
                    None => return Ok(()),
                }
            }
        }
    }

    /// Starts a task for each request one pull delivers, each holding one of
    /// `permits` until it is done. `false` when receiving failed and the consumer
    /// must be bound again.
    async fn start_batch(
        &mut self,
        mut batch: pull::Batch,
        mut permits: Vec<OwnedSemaphorePermit>,
        shutdown: &mut impl Shutdown,
    ) -> bool {
        while let Some(message) = next_message(&mut batch, shutdown).await {
            let message = match message {
                Ok(message) => message,
                Err(e) => {
                    tracing::warn!(error = %e, "receiving an activation failed; retrying");
                    return false;
                }
            };
            let Some(permit) = permits.pop() else { break };
            let handler = self.handler.clone();
            let in_use = self.in_use.clone();
            let running = in_use.fetch_add(1, Ordering::Relaxed) + 1;
            metrics::gauge!(SLOTS_IN_USE).set(running as f64);
            self.running.spawn(async move {
                handler.run(message).await;
                drop(permit);
                let running = in_use.fetch_sub(1, Ordering::Relaxed) - 1;
                metrics::gauge!(SLOTS_IN_USE).set(running as f64);
            });
            // Forget the finished tasks, so the set only holds running ones.
            while self.running.try_join_next().is_some() {}
        }
        true
    }
}

/// The pull's next message. Once shutdown has begun, the pull request stays open on
/// the server until it expires and may still deliver: run what it brings (the slots
/// are ours) rather than leave it stranded until `ack_wait`.
async fn next_message(
    batch: &mut pull::Batch,
    shutdown: &mut impl Shutdown,
) -> Option<<pull::Batch as futures::Stream>::Item> {
    if !shutdown.is_terminated()
        && let Some(message) = unless_shutdown(shutdown, batch.next()).await
    {
        return message;
    }
    tokio::time::timeout(PULL_EXPIRES + Duration::from_secs(1), batch.next())
        .await
        .ok()
        .flatten()
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

/// After the pull loop: let the running activations finish (bounded), send the acks
/// the client still buffers (or finished activations would be redelivered), and wait
/// for the last containers to be removed.
async fn drain(mut running: JoinSet<()>, client: &async_nats::Client, runtime: &ContainerRuntime) {
    tracing::info!(in_flight = running.len(), "worker stopping");
    let drained = tokio::time::timeout(WORKER_DRAIN, async {
        while running.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::warn!("activations still running at shutdown were left for redelivery");
    }
    match tokio::time::timeout(FLUSH, client.flush()).await {
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
}
