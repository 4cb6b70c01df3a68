//! One activation, one container: create → attach → start → wait → collect →
//! remove, through the Docker Engine API.
//!
//! Every container gets the sandbox of [`host_config`] and the `io.faas.*` labels
//! (`crate::labels`) that name its activation and worker; with `network: true` it joins
//! the function network ([`crate::network`]), never Docker's `bridge`. The image
//! must pass the image policy before it is looked for or pulled, and a pull shares
//! the function's timeout. A cold start makes the calls `docker run` makes: no
//! image inspect, a pull only when create finds no such image; init containers
//! read the image's command from a 10 s cache (`ImageCommands`). The function's
//! failure (non-zero exit, timeout, OOM kill) is a normal result; only a platform
//! failure (image missing or refused, Docker unreachable) sets
//! `ActivationResult::failure`. Nothing here panics on
//! what a function does.
//!
//! A function with `prewarm` takes a parked container of its pool
//! ([`crate::prewarm`]) when there is one: created and started ahead with
//! `faas-init` as its entrypoint, it gets the activation frame on stdin (the
//! handoff) and execs the function. A function with secret files starts cold
//! through init the same way. Each step's time goes into the record
//! (`Activation::timings`) and the worker's metrics.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bollard::Docker;
use bollard::container::AttachContainerResults;
use bollard::container::LogOutput;
use bollard::errors::Error as DockerError;
use bollard::models::{ContainerCreateBody, HostConfig, Mount, MountType};
use bollard::query_parameters::{
    AttachContainerOptionsBuilder, CreateImageOptionsBuilder, EventsOptionsBuilder,
    KillContainerOptionsBuilder, ListContainersOptionsBuilder, RemoveContainerOptionsBuilder,
};
use chrono::Utc;
use faas_shared::activation::{ActivationRequest, ActivationResult};
use faas_shared::image_policy::ImagePolicy;
use faas_shared::names::ImageRef;
use faas_shared::{Activation, ActivationStatus, ParamMode, StepTimings};
use faas_shared::{RunFailure, RunFailureKind};
use futures::StreamExt;
use tokio::io::AsyncWriteExt;
use tokio_util::task::TaskTracker;

use crate::labels::{
    LABEL_ACTIVATION, LABEL_FUNCTION, LABEL_OWNER, LABEL_PARKED, LABEL_PLATFORM, LABEL_WORKER,
};
use crate::metrics::{ACTIVATIONS_TOTAL, CONTAINER_STEP_SECONDS, PARKED_CONTAINERS, PREWARM_TOTAL};
use crate::network::{DEFAULT_NETWORK, FunctionNetwork};
use crate::output::{CappedBuffer, MAX_LOG_BYTES, MAX_RESULT_BYTES};
use crate::prewarm::{Parked, Pools};

/// A file a function gets under `/run/secrets` (name, content).
pub type SecretFile = (String, Vec<u8>);

/// Processes a function may run: enough for a shell pipeline, not for a fork bomb.
const PIDS_LIMIT: i64 = 64;
/// One CPU at most.
const NANO_CPUS: i64 = 1_000_000_000;
/// How long to keep reading output after the container exited: attach streams do
/// not always end on their own.
const OUTPUT_GRACE: Duration = Duration::from_secs(2);
/// How often pools are topped up (a permit freed by another pool) and checked
/// for idleness.
const UPKEEP_EVERY: Duration = Duration::from_secs(2);
/// The exit code of a process killed by SIGKILL (128 + 9), as the OOM killer does.
const SIGKILL_EXIT: i64 = 137;

/// A connection to the Docker Engine, made on first use and retried on every
/// activation until it succeeds: a worker started before Docker (or cut off from
/// it) stays up and answers each activation with a clear error meanwhile.
#[derive(Clone)]
pub struct ContainerRuntime {
    host: Option<String>,
    docker: Arc<tokio::sync::OnceCell<Docker>>,
    /// Container removals run in the background; shutdown waits for them.
    removals: TaskTracker,
    /// The `io.faas.platform` label of this worker's containers, once known.
    platform: Option<String>,
    /// The registries images may come from (checked before every run).
    image_policy: ImagePolicy,
    /// Where functions with `network: true` run.
    network: FunctionNetwork,
    /// The `faas-init` binary, for prewarmed containers and secret files; without
    /// it every activation starts cold and secrets cannot be delivered.
    init_binary: Option<std::path::PathBuf>,
    /// The volume the engine mounts the init binary from.
    init_volume: Arc<tokio::sync::Mutex<InitVolume>>,
    /// The prewarmed containers.
    pools: Pools<Ready>,
    /// Image entrypoints and commands for init containers, inspected once a while.
    image_commands: ImageCommands,
}

/// A container created with `faas-init` as its entrypoint, attached and started:
/// its init waits on stdin for the activation frame.
pub(crate) struct Ready {
    id: String,
    attached: AttachContainerResults,
    /// The image's own entrypoint and command, which init execs.
    entrypoint: Vec<String>,
    cmd: Vec<String>,
    timings: StepTimings,
}

/// What a container printed.
#[derive(Default)]
struct Captured {
    stdout: CappedBuffer,
    stderr: CappedBuffer,
}

impl ContainerRuntime {
    /// A runtime for the engine at `host` (`unix:///path`, `tcp://…`), or by
    /// default `DOCKER_HOST` or the local socket.
    pub fn new(host: Option<String>) -> Self {
        Self {
            host,
            docker: Arc::default(),
            removals: TaskTracker::new(),
            platform: None,
            image_policy: ImagePolicy::any_public(),
            network: FunctionNetwork::new(DEFAULT_NETWORK),
            init_binary: None,
            init_volume: Arc::default(),
            pools: Pools::new(0, Duration::MAX),
            image_commands: ImageCommands::default(),
        }
    }

    /// The same runtime, mounting the `faas-init` binary at `path` into prewarmed
    /// containers and containers with secret files.
    pub fn with_init(mut self, path: std::path::PathBuf) -> Self {
        self.init_binary = Some(path);
        self
    }

    /// The same runtime, keeping at most `max_parked` prewarmed containers, and
    /// draining a function's pool after `idle_after` without an activation.
    pub fn with_prewarm(mut self, max_parked: usize, idle_after: Duration) -> Self {
        self.pools = Pools::new(max_parked, idle_after);
        self
    }

    /// The same runtime, running only images `policy` allows.
    pub fn with_image_policy(mut self, policy: ImagePolicy) -> Self {
        self.image_policy = policy;
        self
    }

    /// The same runtime, putting functions with `network: true` on `network`.
    pub fn with_function_network(mut self, network: &str) -> Self {
        self.network = FunctionNetwork::new(network);
        self
    }

    /// The same runtime, labelling its containers as `platform`'s.
    pub fn in_platform(mut self, platform: String) -> Self {
        self.platform = Some(platform);
        self
    }

    /// Resolves once every container removal started so far has finished.
    pub async fn removals_done(&self) {
        self.removals.close();
        self.removals.wait().await;
        self.removals.reopen();
    }

    /// The engine client, with an API version both sides speak (the engine may be
    /// older than bollard's default).
    async fn docker(&self) -> Result<&Docker, DockerError> {
        self.docker
            .get_or_try_init(|| async {
                let docker = match &self.host {
                    Some(host) => Docker::connect_with_host(host)?,
                    None => Docker::connect_with_defaults()?,
                };
                docker.negotiate_version().await
            })
            .await
    }

    /// Runs one activation to completion. Never fails: problems are in the result.
    pub async fn run(&self, request: &ActivationRequest, worker_id: &str) -> ActivationResult {
        self.run_with_secrets(request, worker_id, Vec::new()).await
    }

    /// Runs one activation whose function gets `secrets` as files under
    /// `/run/secrets` (never in its environment or arguments): a parked container
    /// when its pool has one, else a cold start (through `faas-init` when there
    /// are secrets to write).
    pub async fn run_with_secrets(
        &self,
        request: &ActivationRequest,
        worker_id: &str,
        secrets: Vec<SecretFile>,
    ) -> ActivationResult {
        let (parked, drained) = self.pools.take(request);
        self.discard_all(drained);
        if request.prewarm > 0 && self.init_binary.is_some() {
            let outcome = if parked.is_some() { "hit" } else { "miss" };
            metrics::counter!(PREWARM_TOTAL, "outcome" => outcome).increment(1);
            // Refill in the background: what was taken, or a pool this request started.
            let refill = self.clone();
            let worker = worker_id.to_owned();
            tokio::spawn(async move { refill.fill_pools(&worker).await });
        }
        let outcome = match parked {
            Some(Parked {
                container: mut ready,
                ..
            }) => {
                // Its create and start were not this activation's.
                ready.timings = StepTimings {
                    prewarmed: true,
                    ..StepTimings::default()
                };
                self.hand_off(ready, request, secrets).await
            }
            None => {
                if secrets.is_empty() {
                    self.run_container(request, worker_id).await
                } else {
                    match self
                        .prepare(request, worker_id, Some(&request.activation_id))
                        .await
                    {
                        Ok(ready) => self.hand_off(ready, request, secrets).await,
                        Err(failed) => Err(failed),
                    }
                }
            }
        };
        let Outcome {
            status,
            exit_code,
            oom_killed,
            captured,
            failure,
            container,
            started_at,
            duration,
            timings,
        } = outcome.unwrap_or_else(Outcome::from);
        metrics::counter!(ACTIVATIONS_TOTAL, "outcome" => match (&failure, status) {
            (Some(_), _) => "platform_error",
            (None, status) => status.as_str(),
        })
        .increment(1);
        if let Some(timings) = &timings {
            record_timings(timings);
        }
        if let Some(id) = container.clone() {
            // Off the critical path: the result does not wait for the removal.
            self.remove_later(id);
        }
        let (result, result_truncated) = captured.stdout.finish();
        let (logs, logs_truncated) = captured.stderr.finish();
        ActivationResult {
            activation: Activation {
                activation_id: request.activation_id.clone(),
                function: request.function.clone(),
                status,
                result,
                logs,
                exit_code,
                duration_ms: u64::try_from(duration.as_millis()).unwrap_or(u64::MAX),
                started_at,
                result_truncated,
                logs_truncated,
                oom_killed,
                container_id: container,
                timings,
            },
            failure,
            worker: worker_id.to_owned(),
        }
    }

    async fn run_container(
        &self,
        request: &ActivationRequest,
        worker_id: &str,
    ) -> Result<Outcome, Failed> {
        let docker = self.engine_for(&request.image).await?;
        let timeout = Duration::from_millis(request.timeout_ms);
        let network = self.network_for(docker, request).await?;
        let stdin = request.param_mode == ParamMode::Stdin;
        let body = container_body(
            request,
            worker_id,
            self.platform.as_deref(),
            network.as_deref(),
        );
        let mut timings = StepTimings::default();
        let step = Instant::now();
        // Like `docker run`: no inspect first; the image is looked for (and pulled)
        // only when the engine has none of that name.
        let mut created = docker.create_container(None, body.clone()).await;
        let mut pulled = Duration::ZERO;
        if created.as_ref().is_err_and(is_missing_image) {
            // A pull counts against the function's timeout, so that the whole run
            // stays within what the server waits for (its timeout plus the
            // worker's grace).
            pulled = ensure_image(docker, &request.image, timeout)
                .await
                .map_err(Failed::before_create)?
                .0;
            created = docker.create_container(None, body).await;
        }
        timings.create_ms = millis(step.elapsed().saturating_sub(pulled));
        let id = self.created(created, network.is_some()).await?;

        // Attach before start, or the first output is lost.
        let step = Instant::now();
        let attached = attach(docker, &id, stdin)
            .await
            .map_err(|e| Failed::engine(&id, "attaching to the container", &e))?;
        timings.attach_ms = millis(step.elapsed());
        let captured = new_capture();
        let reader = tokio::spawn(collect(attached.output, captured.clone()));

        let started_at = Utc::now();
        let clock = Instant::now();
        docker
            .start_container(&id, None)
            .await
            .map_err(|e| Failed::engine(&id, "starting the container", &e))?;
        timings.start_ms = millis(clock.elapsed());
        if stdin {
            let mut input = attached.input;
            let param = request.param.clone();
            // Written concurrently so a function that prints before reading all its
            // input cannot deadlock us. Closing the stream is the function's EOF.
            tokio::spawn(async move {
                let _ = input.write_all(param.as_bytes()).await;
                let _ = input.shutdown().await;
            });
        }
        let running = Running {
            id,
            reader,
            captured,
            started_at,
            clock,
            timings,
        };
        self.finish(docker, running, timeout.saturating_sub(pulled))
            .await
    }

    /// The engine, for running `image` if the image policy allows it.
    async fn engine_for(&self, image: &str) -> Result<&Docker, Failed> {
        let docker = self.docker().await.map_err(|e| {
            Failed::before_create(RunFailure {
                kind: RunFailureKind::Runtime,
                message: format!(
                    "the worker cannot reach the Docker Engine: {}",
                    docker_message(&e)
                ),
            })
        })?;
        // The same policy as the server's, again: a request must not make the engine
        // fetch from an address the operator has not allowed.
        self.image_policy.check(image).map_err(|refused| {
            Failed::before_create(RunFailure {
                kind: RunFailureKind::ImageUnavailable,
                message: refused.message,
            })
        })?;
        Ok(docker)
    }

    /// The function network's id for a function with `network: true`.
    async fn network_for(
        &self,
        docker: &Docker,
        request: &ActivationRequest,
    ) -> Result<Option<String>, Failed> {
        if request.network {
            let id = self.network.id(docker).await.map_err(|why| {
                Failed::before_create(RunFailure {
                    kind: RunFailureKind::Runtime,
                    message: format!(
                        "the function network {} cannot be used: {why}",
                        self.network.name()
                    ),
                })
            })?;
            Ok(Some(id))
        } else {
            Ok(None)
        }
    }

    /// The id of a created container, or why it could not be created.
    async fn created(
        &self,
        created: Result<bollard::models::ContainerCreateResponse, DockerError>,
        on_network: bool,
    ) -> Result<String, Failed> {
        match created {
            Ok(created) => Ok(created.id),
            Err(e) => {
                if on_network {
                    // The network may be gone: look again next time.
                    self.network.forget().await;
                }
                Err(Failed::before_create(runtime_failure(
                    "creating the container",
                    &e,
                )))
            }
        }
    }

    /// A container for `template`'s function with `faas-init` as its entrypoint,
    /// created, attached and started: parked (`activation` is `None`) or for one
    /// activation. Makes the same checks as a cold start.
    async fn prepare(
        &self,
        template: &ActivationRequest,
        worker_id: &str,
        activation: Option<&str>,
    ) -> Result<Ready, Failed> {
        match self.prepare_once(template, worker_id, activation).await {
            // The engine found no init in the volume: another worker's start removed
            // it while no container used it (an older or newer binary's worker
            // removes the init volumes it does not know), and the engine made an
            // empty one of its name for the mount. Install it again, once.
            Err(failed) if failed.failure.message.contains(faas_init::INIT_PATH) => {
                tracing::warn!(error = %failed.failure.message, "the init volume is gone or empty; installing it again");
                if let Some(id) = failed.container {
                    self.remove_later(id);
                }
                *self.init_volume.lock().await = InitVolume::Refill;
                self.prepare_once(template, worker_id, activation).await
            }
            outcome => outcome,
        }
    }

    async fn prepare_once(
        &self,
        template: &ActivationRequest,
        worker_id: &str,
        activation: Option<&str>,
    ) -> Result<Ready, Failed> {
        let docker = self.engine_for(&template.image).await?;
        let volume = self.init_volume(docker).await?;
        let timeout = Duration::from_millis(template.timeout_ms);
        let command = self
            .image_commands
            .get_or_inspect(docker, &template.image, timeout)
            .await
            .map_err(Failed::before_create)?;
        let network = self.network_for(docker, template).await?;
        let mut timings = StepTimings::default();
        let step = Instant::now();
        let mut body = container_body(
            template,
            worker_id,
            self.platform.as_deref(),
            network.as_deref(),
        );
        let labels = body.labels.get_or_insert_default();
        labels.insert(
            LABEL_ACTIVATION.to_owned(),
            activation.unwrap_or_default().to_owned(),
        );
        if activation.is_none() {
            labels.insert(LABEL_PARKED.to_owned(), "true".to_owned());
        }
        let body = ContainerCreateBody {
            entrypoint: Some(vec![faas_init::INIT_PATH.to_owned()]),
            cmd: Some(Vec::new()),
            env: None,
            attach_stdin: Some(true),
            open_stdin: Some(true),
            stdin_once: Some(true),
            host_config: Some(init_host_config(template, network.as_deref(), &volume)),
            ..body
        };
        let created = docker.create_container(None, body).await;
        timings.create_ms = millis(step.elapsed());
        let id = self.created(created, network.is_some()).await?;
        let step = Instant::now();
        let attached = attach(docker, &id, true)
            .await
            .map_err(|e| Failed::engine(&id, "attaching to the container", &e))?;
        timings.attach_ms = millis(step.elapsed());
        let step = Instant::now();
        docker
            .start_container(&id, None)
            .await
            .map_err(|e| Failed::engine(&id, "starting the container", &e))?;
        timings.start_ms = millis(step.elapsed());
        Ok(Ready {
            id,
            attached,
            entrypoint: command.entrypoint.clone(),
            cmd: command.cmd.clone(),
            timings,
        })
    }

    /// The init volume, installed on first use.
    async fn init_volume(&self, docker: &Docker) -> Result<String, Failed> {
        let Some(binary) = &self.init_binary else {
            return Err(Failed::before_create(RunFailure {
                kind: RunFailureKind::Runtime,
                message: "this worker has no init binary (FAAS_WORKER_INIT) for functions with secret files".into(),
            }));
        };
        let mut installed = self.init_volume.lock().await;
        if let InitVolume::Ready(volume) = &*installed {
            return Ok(volume.clone());
        }
        let refill = matches!(*installed, InitVolume::Refill);
        let volume = crate::init_volume::install(docker, binary, refill)
            .await
            .map_err(|e| {
                Failed::before_create(RunFailure {
                    kind: RunFailureKind::Runtime,
                    message: format!("installing the init binary failed: {e:#}"),
                })
            })?;
        *installed = InitVolume::Ready(volume.clone());
        Ok(volume)
    }

    /// Hands `request` to a started init container: the frame (and the stdin
    /// parameter) on its stdin, then waits for the function like a cold run. The
    /// function's timeout and duration count from here.
    async fn hand_off(
        &self,
        ready: Ready,
        request: &ActivationRequest,
        secrets: Vec<SecretFile>,
    ) -> Result<Outcome, Failed> {
        let Ready {
            id,
            attached,
            entrypoint,
            cmd,
            mut timings,
        } = ready;
        let docker = self
            .docker()
            .await
            .map_err(|e| Failed::engine(&id, "reaching the Docker Engine", &e))?;
        if let Some(why) = secrets
            .iter()
            .find_map(|(name, _)| faas_init::check_file_name(name).err())
        {
            return Err(Failed::in_container(
                &id,
                RunFailure {
                    kind: RunFailureKind::Runtime,
                    message: format!("a secret cannot be written: {why}"),
                },
            ));
        }
        let argv = function_argv(entrypoint, cmd, request);
        if argv.is_empty() {
            return Err(Failed::in_container(
                &id,
                RunFailure {
                    kind: RunFailureKind::Runtime,
                    message: format!(
                        "image {} has neither an entrypoint nor a command to run",
                        request.image
                    ),
                },
            ));
        }
        let frame = faas_init::Frame {
            argv: argv.into_iter().map(String::into_bytes).collect(),
            env: environment(request)
                .into_iter()
                .map(String::into_bytes)
                .collect(),
            files: secrets,
        };
        let captured = new_capture();
        let reader = tokio::spawn(collect(attached.output, captured.clone()));
        let started_at = Utc::now();
        let clock = Instant::now();
        let mut input = attached.input;
        let mut payload = frame.encode();
        if request.param_mode == ParamMode::Stdin {
            payload.extend_from_slice(request.param.as_bytes());
        }
        // Written concurrently, as on the cold path; closing is the function's EOF.
        tokio::spawn(async move {
            let _ = input.write_all(&payload).await;
            let _ = input.shutdown().await;
        });
        timings.handoff_ms = millis(clock.elapsed());
        let running = Running {
            id,
            reader,
            captured,
            started_at,
            clock,
            timings,
        };
        self.finish(docker, running, Duration::from_millis(request.timeout_ms))
            .await
    }

    /// Waits for a running container's exit within `timeout` (killing it past
    /// that) and collects its output.
    async fn finish(
        &self,
        docker: &Docker,
        running: Running,
        timeout: Duration,
    ) -> Result<Outcome, Failed> {
        let Running {
            id,
            mut reader,
            captured,
            started_at,
            clock,
            mut timings,
        } = running;
        let mut wait = docker.wait_container(&id, None);
        let (status, exit_code) = match tokio::time::timeout(timeout, wait.next()).await {
            Ok(Some(Ok(response))) => exit_status(response.status_code),
            // A non-zero exit arrives as an error carrying the exit code.
            Ok(Some(Err(DockerError::DockerContainerWaitError { code, .. }))) => exit_status(code),
            Ok(Some(Err(e))) => return Err(Failed::engine(&id, "waiting for the container", &e)),
            Ok(None) => {
                return Err(Failed::engine(
                    &id,
                    "waiting for the container",
                    &DockerError::RequestTimeoutError,
                ));
            }
            Err(_) => {
                let kill = KillContainerOptionsBuilder::default()
                    .signal("SIGKILL")
                    .build();
                let _ = docker.kill_container(&id, Some(kill)).await;
                (ActivationStatus::Timeout, None)
            }
        };
        let duration = clock.elapsed();
        timings.run_ms = millis(duration);
        let step = Instant::now();
        let oom_killed =
            exit_code == Some(SIGKILL_EXIT) && oom_killed(docker, &id, started_at).await;
        if tokio::time::timeout(OUTPUT_GRACE, &mut reader)
            .await
            .is_err()
        {
            reader.abort();
        }
        timings.collect_ms = millis(step.elapsed());
        let captured = std::mem::take(&mut *captured.lock().unwrap_or_else(|p| p.into_inner()));
        Ok(Outcome {
            status,
            exit_code,
            oom_killed,
            captured,
            failure: None,
            container: Some(id),
            started_at,
            duration,
            timings: Some(timings),
        })
    }

    /// Makes containers until every pool is full or the permits are used up, one
    /// after the other (each take starts one such filler, the upkeep another).
    async fn fill_pools(&self, worker_id: &str) {
        while let Some((template, permit)) = self.pools.next_to_fill() {
            let made = match self.prepare(&template, worker_id, None).await {
                Ok(ready) => Some((ready, permit)),
                Err(failed) => {
                    tracing::warn!(function = %template.function, error = %failed.failure.message, "prewarming a container failed");
                    if let Some(id) = failed.container {
                        self.remove_later(id);
                    }
                    self.pools.park(&template, None);
                    // Do not retry at once what just failed.
                    return;
                }
            };
            if let Some(unwanted) = self.pools.park(&template, made) {
                self.discard(unwanted);
            }
            metrics::gauge!(PARKED_CONTAINERS).set(self.pools.parked() as f64);
        }
    }

    /// Removes parked containers in the background.
    fn discard_all(&self, parked: Vec<Parked<Ready>>) {
        for parked in parked {
            self.discard(parked.container);
        }
        metrics::gauge!(PARKED_CONTAINERS).set(self.pools.parked() as f64);
    }

    /// Removes every parked container and forgets the pools (shutdown; the
    /// removals run in the background, see [`ContainerRuntime::removals_done`]).
    pub fn drain_pools(&self) {
        let parked = self.pools.drain_all(true);
        if !parked.is_empty() {
            tracing::info!(containers = parked.len(), "draining the prewarm pools");
        }
        self.discard_all(parked);
    }

    /// Drains the pools of `owner`'s function (all of theirs for `None`), which
    /// the server retired; returns how many containers go.
    pub(crate) fn retire(&self, owner: &str, function: Option<&str>) -> usize {
        let parked = self.pools.retire(owner, function);
        let drained = parked.len();
        self.discard_all(parked);
        drained
    }

    /// Keeps the pools full and drains idle ones, until the task is dropped.
    pub(crate) async fn upkeep(self, worker_id: String) {
        let mut tick = tokio::time::interval(UPKEEP_EVERY);
        loop {
            tick.tick().await;
            let idle = self.pools.drain_idle();
            if !idle.is_empty() {
                tracing::info!(containers = idle.len(), "draining idle prewarm pools");
            }
            self.discard_all(idle);
            self.fill_pools(&worker_id).await;
        }
    }

    /// Removes a container in the background (shutdown waits for it).
    fn remove_later(&self, id: String) {
        let runtime = self.clone();
        self.removals.spawn(async move {
            if let Ok(docker) = runtime.docker().await {
                remove(docker, &id).await;
            }
        });
    }

    /// Removes a parked container that will not be used.
    fn discard(&self, ready: Ready) {
        self.remove_later(ready.id);
    }

    /// Removes containers that an earlier run of this worker left behind (a crash
    /// between create and remove).
    pub async fn sweep(&self, worker_id: &str) -> Result<usize, DockerError> {
        let leftovers = self
            .containers_labelled(&format!("{LABEL_WORKER}={worker_id}"))
            .await?;
        let docker = self.docker().await?;
        for (id, _) in &leftovers {
            remove(docker, id).await;
        }
        Ok(leftovers.len())
    }

    /// Removes the init volumes of other `faas-init` binaries that no container
    /// uses (an earlier version's); returns their names.
    pub async fn remove_old_init_volumes(&self) -> anyhow::Result<Vec<String>> {
        crate::init_volume::remove_unused(self.docker().await?, self.init_binary.as_deref()).await
    }

    /// This platform's containers, running or not, as (container id, worker id).
    pub async fn platform_containers(&self) -> Result<Vec<(String, String)>, DockerError> {
        let Some(platform) = &self.platform else {
            return Ok(Vec::new());
        };
        self.containers_labelled(&format!("{LABEL_PLATFORM}={platform}"))
            .await
    }

    /// Removes one container (of a worker that is gone).
    pub async fn remove(&self, id: &str) -> Result<(), DockerError> {
        remove(self.docker().await?, id).await;
        Ok(())
    }

    async fn containers_labelled(&self, label: &str) -> Result<Vec<(String, String)>, DockerError> {
        let filters = HashMap::from([("label".to_owned(), vec![label.to_owned()])]);
        let options = ListContainersOptionsBuilder::default()
            .all(true)
            .filters(&filters)
            .build();
        let containers = self.docker().await?.list_containers(Some(options)).await?;
        Ok(containers
            .into_iter()
            .filter_map(|c| {
                let worker = c.labels?.get(LABEL_WORKER).cloned().unwrap_or_default();
                Some((c.id?, worker))
            })
            .collect())
    }
}

/// The image is local, or pulled now within `budget` (the function's timeout);
/// otherwise a clear `ImageUnavailable` that names the image and the kind of
/// failure but never repeats what a registry sent. Returns the time spent pulling
/// and the image's own command.
async fn ensure_image(
    docker: &Docker,
    image: &str,
    budget: Duration,
) -> Result<(Duration, ImageCommand), RunFailure> {
    match docker.inspect_image(image).await {
        Ok(inspect) => return Ok((Duration::ZERO, ImageCommand::of(inspect))),
        Err(DockerError::DockerResponseServerError {
            status_code: 404, ..
        }) => {}
        Err(e) => return Err(runtime_failure("inspecting the image", &e)),
    }
    let unavailable = |why: &str| RunFailure {
        kind: RunFailureKind::ImageUnavailable,
        message: format!("image {image} is not on this worker and could not be pulled: {why}"),
    };
    let mut options = CreateImageOptionsBuilder::default().from_image(image);
    if ImageRef::parse(image).is_ok_and(|image| !image.is_pinned()) {
        // Without a tag the engine pulls every tag of the repository.
        options = options.tag("latest");
    }
    let started = Instant::now();
    let pull = async {
        let mut progress = docker.create_image(Some(options.build()), None, None);
        while let Some(step) = progress.next().await {
            step.map_err(|e| {
                tracing::warn!(image, error = %e, "image pull failed");
                unavailable(pull_failure(&e))
            })?;
        }
        Ok(started.elapsed())
    };
    // A registry that stops answering must not hold the activation's slot for
    // longer than the function may run.
    let pulled = tokio::time::timeout(budget, pull).await.unwrap_or_else(|_| {
        Err(unavailable(&format!(
            "the pull did not finish within the function's timeout ({} ms); pre-pull the image on the workers or raise timeout_ms",
            budget.as_millis()
        )))
    })?;
    let inspect = docker
        .inspect_image(image)
        .await
        .map_err(|e| runtime_failure("inspecting the pulled image", &e))?;
    Ok((pulled, ImageCommand::of(inspect)))
}

/// Whether a create failed for want of the image (the engine's 404 names it;
/// a missing network is a 404 too).
fn is_missing_image(error: &DockerError) -> bool {
    matches!(error, DockerError::DockerResponseServerError { status_code: 404, message }
        if message.to_ascii_lowercase().contains("no such image"))
}

/// An image's own entrypoint and command, which `faas-init` execs.
struct ImageCommand {
    entrypoint: Vec<String>,
    cmd: Vec<String>,
}

impl ImageCommand {
    fn of(inspect: bollard::models::ImageInspect) -> Self {
        let config = inspect.config.unwrap_or_default();
        Self {
            entrypoint: config.entrypoint.unwrap_or_default(),
            cmd: config.cmd.unwrap_or_default(),
        }
    }
}

/// How long an image's command is trusted: an image re-tagged under the same
/// reference is noticed after this at the latest.
const IMAGE_COMMAND_TTL: Duration = Duration::from_secs(10);

/// The commands of the images init containers ran lately, by image reference, so
/// that an init container costs no image inspect per run; entries older than
/// [`IMAGE_COMMAND_TTL`] are inspected again (and dropped when the next is stored).
#[derive(Clone, Default)]
struct ImageCommands(Arc<Mutex<CommandsByImage>>);

/// Image reference → when its command was read, and the command.
type CommandsByImage = HashMap<String, (Instant, Arc<ImageCommand>)>;

impl ImageCommands {
    /// `image`'s command, from the cache or inspected (and pulled within `budget`).
    async fn get_or_inspect(
        &self,
        docker: &Docker,
        image: &str,
        budget: Duration,
    ) -> Result<Arc<ImageCommand>, RunFailure> {
        let fresh = |at: &Instant| at.elapsed() < IMAGE_COMMAND_TTL;
        if let Some((_, command)) = self.lock().get(image).filter(|(at, _)| fresh(at)) {
            return Ok(command.clone());
        }
        let command = Arc::new(ensure_image(docker, image, budget).await?.1);
        let mut commands = self.lock();
        commands.retain(|_, (at, _)| fresh(at));
        commands.insert(image.to_owned(), (Instant::now(), command.clone()));
        Ok(command)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, CommandsByImage> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// What the function runs as, like `docker run --rm IMAGE [PARAM]`: the image's
/// entrypoint, then in `argv` mode the parameter in place of its command.
fn function_argv(
    entrypoint: Vec<String>,
    cmd: Vec<String>,
    request: &ActivationRequest,
) -> Vec<String> {
    let mut argv = entrypoint;
    if request.param_mode == ParamMode::Argv {
        argv.push(request.param.clone());
    } else {
        argv.extend(cmd);
    }
    argv
}

/// A started container being waited for.
struct Running {
    id: String,
    reader: tokio::task::JoinHandle<()>,
    captured: Arc<Mutex<Captured>>,
    started_at: chrono::DateTime<Utc>,
    /// From the start (cold) or the handoff (prewarmed).
    clock: Instant,
    timings: StepTimings,
}

/// Attaches to a created container's stdout and stderr (and stdin, to write the
/// parameter or the init frame), streaming.
async fn attach(
    docker: &Docker,
    id: &str,
    stdin: bool,
) -> Result<bollard::container::AttachContainerResults, DockerError> {
    let options = AttachContainerOptionsBuilder::default()
        .stdout(true)
        .stderr(true)
        .stdin(stdin)
        .stream(true)
        .build();
    docker.attach_container(id, Some(options)).await
}

fn new_capture() -> Arc<Mutex<Captured>> {
    Arc::new(Mutex::new(Captured {
        stdout: CappedBuffer::new(MAX_RESULT_BYTES),
        stderr: CappedBuffer::new(MAX_LOG_BYTES),
    }))
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// The steps as histograms (seconds).
fn record_timings(timings: &StepTimings) {
    let path = if timings.prewarmed {
        "prewarmed"
    } else {
        "cold"
    };
    for (step, ms) in [
        ("create", timings.create_ms),
        ("attach", timings.attach_ms),
        ("start", timings.start_ms),
        ("handoff", timings.handoff_ms),
        ("run", timings.run_ms),
        ("collect", timings.collect_ms),
    ] {
        metrics::histogram!(CONTAINER_STEP_SECONDS, "step" => step, "path" => path)
            .record(ms as f64 / 1000.0);
    }
}

/// What kind of pull failure `error` is, in words of our own: the engine's message
/// may carry what the registry answered, which must not reach the caller.
fn pull_failure(error: &DockerError) -> &'static str {
    let (status, message) = match error {
        DockerError::DockerResponseServerError {
            status_code,
            message,
        } => (Some(*status_code), message.to_ascii_lowercase()),
        DockerError::DockerStreamError { error } => (None, error.to_ascii_lowercase()),
        _ => return "the Docker Engine failed during the pull",
    };
    let has = |words: &[&str]| words.iter().any(|w| message.contains(w));
    if status == Some(404)
        || has(&[
            "not found",
            "manifest unknown",
            "does not exist",
            "http 404",
        ])
    {
        "the registry has no such image (not found)"
    } else if matches!(status, Some(401 | 403))
        || has(&[
            "unauthorized",
            "denied",
            "authentication required",
            "forbidden",
            "http 401",
            "http 403",
        ])
    {
        "the registry refused access (unauthorized)"
    } else if has(&["timeout", "timed out", "deadline exceeded"]) {
        "the registry did not answer in time (timed out)"
    } else if has(&[
        "connection refused",
        "no such host",
        "dial tcp",
        "network is unreachable",
        "no route to host",
        "server misbehaving",
        "connection reset",
        "eof",
    ]) {
        "the registry could not be reached (unreachable)"
    } else {
        "the registry or the engine failed the pull"
    }
}

/// Whether the container's SIGKILL came from the OOM killer. Docker 20.10 sets
/// `State.OOMKilled` when it handles the OOM event after the exit, but clears it
/// again when the event came first; the `oom` event itself is in its event log
/// either way. Both are asked for up to a second, as the engine may learn of the
/// kill a moment after the exit.
async fn oom_killed(docker: &Docker, id: &str, since: chrono::DateTime<Utc>) -> bool {
    for _ in 0..10 {
        let state = docker
            .inspect_container(id, None)
            .await
            .ok()
            .and_then(|c| c.state);
        match state.and_then(|s| s.oom_killed) {
            Some(true) => return true,
            Some(false) => {}
            None => return false,
        }
        if oom_event(docker, id, since).await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

/// Whether the engine's event log has an `oom` event of container `id` since `since`.
async fn oom_event(docker: &Docker, id: &str, since: chrono::DateTime<Utc>) -> bool {
    let stamp =
        |t: chrono::DateTime<Utc>| format!("{}.{:09}", t.timestamp(), t.timestamp_subsec_nanos());
    let filters = HashMap::from([("container", vec![id]), ("event", vec!["oom"])]);
    let options = EventsOptionsBuilder::default()
        .since(&stamp(since - chrono::Duration::seconds(1)))
        .until(&stamp(Utc::now()))
        .filters(&filters)
        .build();
    let mut events = docker.events(Some(options));
    matches!(
        tokio::time::timeout(Duration::from_secs(2), events.next()).await,
        Ok(Some(Ok(_)))
    )
}

/// How one run ended: what the function did, or why the platform could not run it.
struct Outcome {
    status: ActivationStatus,
    exit_code: Option<i64>,
    /// The kernel killed a process of the function for exceeding its memory limit.
    oom_killed: bool,
    captured: Captured,
    /// Set when the platform, not the function, failed the run.
    failure: Option<RunFailure>,
    /// The container to remove, if one was created.
    container: Option<String>,
    /// When the container was started, and how long it ran until it exited.
    started_at: chrono::DateTime<Utc>,
    duration: Duration,
    timings: Option<StepTimings>,
}

/// A run the platform failed, and the container it leaves to remove.
struct Failed {
    failure: RunFailure,
    container: Option<String>,
}

impl Failed {
    fn before_create(failure: RunFailure) -> Self {
        Self {
            failure,
            container: None,
        }
    }

    /// A failure after `id` was created: the container is left to remove.
    fn in_container(id: &str, failure: RunFailure) -> Self {
        Self {
            failure,
            container: Some(id.to_owned()),
        }
    }

    /// The engine failed `what` on the created container `id`.
    fn engine(id: &str, what: &str, error: &DockerError) -> Self {
        Self::in_container(id, runtime_failure(what, error))
    }
}

/// Where the worker stands with its init volume.
#[derive(Default)]
enum InitVolume {
    /// Not installed yet by this worker (another worker may have).
    #[default]
    NotYet,
    Ready(String),
    /// Found gone or empty: fill it even if a volume of its name exists.
    Refill,
}

impl From<Failed> for Outcome {
    fn from(failed: Failed) -> Self {
        Self {
            status: ActivationStatus::Error,
            exit_code: None,
            oom_killed: false,
            captured: Captured::default(),
            failure: Some(failed.failure),
            container: failed.container,
            started_at: Utc::now(),
            duration: Duration::ZERO,
            timings: None,
        }
    }
}

fn exit_status(code: i64) -> (ActivationStatus, Option<i64>) {
    let status = if code == 0 {
        ActivationStatus::Success
    } else {
        ActivationStatus::Error
    };
    (status, Some(code))
}

/// Reads the multiplexed attach stream until it ends.
async fn collect(
    mut output: std::pin::Pin<
        Box<dyn futures::Stream<Item = Result<LogOutput, DockerError>> + Send>,
    >,
    captured: Arc<Mutex<Captured>>,
) {
    while let Some(Ok(frame)) = output.next().await {
        let mut captured = captured.lock().unwrap_or_else(|p| p.into_inner());
        match frame {
            LogOutput::StdOut { message } | LogOutput::Console { message } => {
                captured.stdout.push(&message)
            }
            LogOutput::StdErr { message } => captured.stderr.push(&message),
            LogOutput::StdIn { .. } => {}
        }
    }
}

/// Removes a container and its anonymous volumes, killing it if it runs. A busy
/// engine can fail a removal for a moment (a kill it did not see end, a root
/// filesystem still busy), so a failure is retried a few times before the
/// container is left to the next sweep; one already gone is removed.
async fn remove(docker: &Docker, id: &str) {
    const ATTEMPTS: u32 = 4;
    let options = RemoveContainerOptionsBuilder::default()
        .force(true)
        .v(true)
        .build();
    let mut pause = Duration::from_millis(200);
    for attempt in 1..=ATTEMPTS {
        match docker.remove_container(id, Some(options.clone())).await {
            Ok(())
            | Err(DockerError::DockerResponseServerError {
                status_code: 404, ..
            }) => {
                return;
            }
            Err(e) if attempt < ATTEMPTS => {
                tracing::debug!(container = %id, error = %e, "removing the container failed; retrying");
                tokio::time::sleep(pause).await;
                pause *= 2;
            }
            Err(e) => {
                tracing::warn!(container = %id, error = %e, "could not remove container; the next sweep will");
            }
        }
    }
}

fn labels(
    request: &ActivationRequest,
    worker_id: &str,
    platform: Option<&str>,
) -> HashMap<String, String> {
    let mut labels = HashMap::from([
        (LABEL_ACTIVATION.to_owned(), request.activation_id.clone()),
        (LABEL_OWNER.to_owned(), request.owner.clone()),
        (LABEL_FUNCTION.to_owned(), request.function.clone()),
        (LABEL_WORKER.to_owned(), worker_id.to_owned()),
    ]);
    if let Some(platform) = platform {
        labels.insert(LABEL_PLATFORM.to_owned(), platform.to_owned());
    }
    labels
}

/// The function's environment: its activation id always (a redelivered activation
/// may run twice, and the id lets the function deduplicate), and the parameter in
/// `env` mode.
fn environment(request: &ActivationRequest) -> Vec<String> {
    let mut env = vec![format!("FAAS_ACTIVATION_ID={}", request.activation_id)];
    if request.param_mode == ParamMode::Env {
        env.push(format!("{}={}", faas_shared::PARAM_ENV_VAR, request.param));
    }
    env
}

/// `network`: the function network's id, for a function with `network: true`.
fn container_body(
    request: &ActivationRequest,
    worker_id: &str,
    platform: Option<&str>,
    network: Option<&str>,
) -> ContainerCreateBody {
    let stdin = request.param_mode == ParamMode::Stdin;
    ContainerCreateBody {
        image: Some(request.image.clone()),
        // Like `docker run --rm IMAGE PARAM`: the parameter replaces CMD, the
        // image's ENTRYPOINT stays.
        cmd: (request.param_mode == ParamMode::Argv).then(|| vec![request.param.clone()]),
        env: Some(environment(request)),
        attach_stdout: Some(true),
        attach_stderr: Some(true),
        attach_stdin: Some(stdin),
        open_stdin: Some(stdin),
        stdin_once: Some(stdin),
        tty: Some(false),
        network_disabled: Some(network.is_none()),
        labels: Some(labels(request, worker_id, platform)),
        host_config: Some(host_config(request, network)),
        ..Default::default()
    }
}

/// The sandbox: no network, or the function network (`network`) for a function that
/// asked for one; bounded memory (no extra swap), pids and CPU, no capabilities, no
/// privilege escalation, a read-only root with a small non-executable `/tmp`, no
/// mounts from the host.
pub fn host_config(request: &ActivationRequest, network: Option<&str>) -> HostConfig {
    let memory = i64::try_from(request.memory_mb.saturating_mul(1024 * 1024)).unwrap_or(i64::MAX);
    HostConfig {
        network_mode: Some(network.unwrap_or("none").to_owned()),
        memory: Some(memory),
        memory_swap: Some(memory),
        pids_limit: Some(PIDS_LIMIT),
        nano_cpus: Some(NANO_CPUS),
        cap_drop: Some(vec!["ALL".to_owned()]),
        security_opt: Some(vec!["no-new-privileges".to_owned()]),
        readonly_rootfs: Some(true),
        tmpfs: Some(HashMap::from([(
            "/tmp".to_owned(),
            "rw,noexec,nosuid,size=16m".to_owned(),
        )])),
        privileged: Some(false),
        binds: None,
        mounts: None,
        auto_remove: Some(false),
        ..Default::default()
    }
}

/// [`host_config`] with the init volume mounted read-only at `/.faas` and a small
/// tmpfs at `/run/secrets` for the files init writes.
fn init_host_config(
    request: &ActivationRequest,
    network: Option<&str>,
    volume: &str,
) -> HostConfig {
    let mut config = host_config(request, network);
    config.mounts = Some(vec![Mount {
        target: Some(crate::init_volume::MOUNT_DIR.to_owned()),
        source: Some(volume.to_owned()),
        typ: Some(MountType::VOLUME),
        read_only: Some(true),
        volume_options: Some(bollard::models::MountVolumeOptions {
            no_copy: Some(true),
            ..Default::default()
        }),
        ..Default::default()
    }]);
    config.tmpfs.get_or_insert_default().insert(
        faas_init::SECRETS_DIR.to_owned(),
        "rw,noexec,nosuid,nodev,size=1m,mode=1777".to_owned(),
    );
    config
}

fn runtime_failure(what: &str, error: &DockerError) -> RunFailure {
    RunFailure {
        kind: RunFailureKind::Runtime,
        message: format!("{what} failed: {}", docker_message(error)),
    }
}

/// The engine's own message where there is one, without Rust debug noise.
fn docker_message(error: &DockerError) -> String {
    match error {
        DockerError::DockerResponseServerError { message, .. } => message.clone(),
        other => other.to_string(),
    }
}
