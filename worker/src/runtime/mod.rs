//! One activation in one sandbox: [`ContainerRuntime`] hands it to a parked
//! container of the function's pool when there is one, or starts one cold (through
//! `faas-init` when the worker has it), and turns how the run ended into the
//! activation's result and the worker's metrics.
//!
//! A backend-neutral core, and one module per backend:
//!
//! - [`sandbox`]: what a function's sandbox must be, whatever makes it (limits,
//!   no capabilities, read-only root, tmpfs, init mount, network, labels,
//!   environment, argv), built from the request by pure functions;
//! - `outcome`: how a run ended (`Outcome`, or `Failed` for the platform's
//!   failures) and the `ActivationResult` made of it;
//! - `init`: `faas-init`, the static binary and the activation frame it reads on
//!   stdin;
//! - `completion`: init's trailers read off the output streams, which end a run
//!   before the engine reports the container's exit;
//! - `removals`: container removals in the background, a few at a time;
//! - [`docker`]: the Docker Engine backend through bollard: the cold path,
//!   images, init containers and the handoff, waiting, cleanup, the function
//!   network and the init volume. It is always there: it is the image store, and
//!   it runs the functions with `network: true`;
//! - [`oci`]: the OCI runtime backend (`crun` or `runc` driven directly), chosen
//!   with `FAAS_WORKER_RUNTIME=oci`: every other function runs on it.
//!
//! The image must pass the image policy before it is looked for or pulled, and a
//! pull shares the function's timeout. The function's failure (non-zero exit,
//! timeout, OOM kill) is a normal result; only a platform failure (image missing or
//! refused, Docker unreachable) sets `ActivationResult::failure`. Nothing here
//! panics on what a function does. Each step's time goes into the record
//! (`Activation::timings`) and the worker's metrics.

mod completion;
pub mod docker;
pub(crate) mod init;
pub mod oci;
mod outcome;
mod removals;
pub mod sandbox;

use std::time::Duration;

use faas_shared::ColdReason;
use faas_shared::activation::{ActivationRequest, ActivationResult};
use faas_shared::image_policy::ImagePolicy;

use self::docker::Engine;
use self::docker::network::FunctionNetwork;
pub use self::init::SecretFile;
use self::oci::{OciEngine, OciSettings};
use self::outcome::{Failed, Outcome};
use crate::metrics::{PARKED_CONTAINERS, PREWARM_TOTAL};
use crate::prewarm::{Fill, Parked, Pools};

/// How often pools are topped up (a permit freed by another pool) and checked
/// for idleness.
const UPKEEP_EVERY: Duration = Duration::from_secs(2);

/// Runs activations in sandboxes of the Docker Engine, or of the OCI runtime
/// when the worker has it, and keeps the prewarm pools. Cheap to clone: the
/// clones share the backends and the pools.
#[derive(Clone)]
pub struct ContainerRuntime {
    /// The Docker backend: the image store, and the sandboxes of functions with
    /// `network: true` (and of all when there is no OCI backend).
    docker: Engine,
    /// The OCI backend, when chosen.
    oci: Option<OciEngine>,
    /// The prewarmed containers.
    pools: Pools<Ready>,
}

/// A started container with `faas-init` waiting for the frame, of either backend.
pub(crate) enum Ready {
    Docker(docker::Ready),
    Oci(oci::Ready),
}

impl Ready {
    /// The same container, taken from a pool (see the backends' `prewarmed`).
    fn prewarmed(self) -> Self {
        match self {
            Self::Docker(ready) => Self::Docker(ready.prewarmed()),
            Self::Oci(ready) => Self::Oci(ready.prewarmed()),
        }
    }

    /// Whether it runs what `image_id` names.
    fn runs(&self, image_id: &str) -> bool {
        match self {
            Self::Docker(ready) => ready.runs(image_id),
            Self::Oci(ready) => ready.runs(image_id),
        }
    }
}

impl ContainerRuntime {
    /// A runtime for the engine at `host` (`unix:///path`, `tcp://…`), or by
    /// default `DOCKER_HOST` or the local socket.
    pub fn new(host: Option<String>) -> Self {
        Self {
            docker: Engine::new(host),
            oci: None,
            pools: Pools::new(0, Duration::MAX),
        }
    }

    /// The same runtime, running every function without `network: true` on the
    /// OCI runtime `settings` name (see [`oci`]), with the init binary given
    /// before ([`ContainerRuntime::with_init`]); the Docker Engine stays the image
    /// store. Fails, saying what to do, when the backend cannot run here.
    pub fn with_oci(mut self, settings: &OciSettings, worker_id: &str) -> anyhow::Result<Self> {
        let engine = OciEngine::open(
            settings,
            self.docker.init_binary.as_deref(),
            worker_id,
            self.docker.removals.clone(),
        )?;
        tracing::info!(runtime = engine.runtime_name(), dir = %settings.dir.display(), "functions run on the OCI runtime (network: true ones on the Docker Engine)");
        self.oci = Some(engine);
        Ok(self)
    }

    /// What this runtime can serve of a function spec, for the heartbeat: prewarm
    /// and secret files need `faas-init` (and prewarm a pool), `network: true` the
    /// Docker backend's function network, which every worker has.
    pub fn serves(&self) -> faas_shared::nats::Serves {
        let init = self.docker.init_binary.is_some();
        faas_shared::nats::Serves {
            prewarm: init && self.pools.enabled(),
            secret_files: init,
            network: true,
        }
    }

    /// The OCI backend's containers not yet deleted, as (id, status: `running`,
    /// `stopped`…); none without it.
    pub async fn oci_containers(&self) -> anyhow::Result<Vec<(String, String)>> {
        match &self.oci {
            Some(oci) => oci.containers().await,
            None => Ok(Vec::new()),
        }
    }

    /// The OCI backend, for `request` when it runs there: every function without
    /// `network: true` (the OCI backend has no function network).
    fn oci_for(&self, request: &ActivationRequest) -> Option<&OciEngine> {
        self.oci.as_ref().filter(|_| !request.network)
    }

    /// A container with init waiting, for `template`'s function, on its backend.
    async fn prepare(
        &self,
        template: &ActivationRequest,
        worker_id: &str,
        activation: Option<&str>,
    ) -> Result<Ready, Failed> {
        match self.oci_for(template) {
            Some(oci) => oci
                .prepare(&self.docker, template, worker_id, activation)
                .await
                .map(Ready::Oci),
            None => self
                .docker
                .prepare(template, worker_id, activation)
                .await
                .map(Ready::Docker),
        }
    }

    /// Hands `request` to a started container of either backend.
    async fn hand_off(
        &self,
        ready: Ready,
        request: &ActivationRequest,
        secrets: Vec<SecretFile>,
    ) -> Result<Outcome, Failed> {
        match ready {
            Ready::Docker(ready) => self.docker.hand_off(ready, request, secrets).await,
            Ready::Oci(ready) => self.made_oci().hand_off(ready, request, secrets).await,
        }
    }

    /// The OCI backend, which made every `Ready::Oci` there is.
    fn made_oci(&self) -> &OciEngine {
        self.oci
            .as_ref()
            .expect("only the OCI backend makes OCI containers")
    }

    /// Removes a container of the backend that ran `request`, in the background.
    fn remove_later(&self, request: &ActivationRequest, id: String) {
        match self.oci_for(request) {
            Some(oci) => oci.delete_later(id),
            None => self.docker.remove_later(id),
        }
    }

    /// The same runtime, mounting the `faas-init` binary at `path` into prewarmed
    /// containers and containers with secret files.
    pub fn with_init(mut self, path: std::path::PathBuf) -> Self {
        self.docker.init_binary = Some(path);
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
        self.docker.image_policy = policy;
        self
    }

    /// The same runtime, putting functions with `network: true` on `network`.
    pub fn with_function_network(mut self, network: &str) -> Self {
        self.docker.network = FunctionNetwork::new(network);
        self
    }

    /// The same runtime, labelling its containers as `platform`'s.
    pub fn in_platform(mut self, platform: String) -> Self {
        self.docker.platform = Some(platform);
        self
    }

    /// Resolves once every container removal started so far has finished.
    pub async fn removals_done(&self) {
        self.docker.removals.done().await;
    }

    /// Runs one activation to completion. Never fails: problems are in the result.
    pub async fn run(&self, request: &ActivationRequest, worker_id: &str) -> ActivationResult {
        self.run_with_secrets(request, worker_id, Vec::new()).await
    }

    /// Runs one activation whose function gets `secrets` as files under
    /// `/run/secrets` (never in its environment or arguments): a parked container
    /// when its pool has one, else a cold start (through `faas-init` when the
    /// worker has it).
    pub async fn run_with_secrets(
        &self,
        request: &ActivationRequest,
        worker_id: &str,
        secrets: Vec<SecretFile>,
    ) -> ActivationResult {
        let (mut parked, drained) = self.pools.take(request);
        self.discard_all(drained);
        let current = match parked {
            Some(_) => self.docker.image_id(&request.image).await,
            None => None,
        };
        let mut cold_reason = match parked {
            None if request.prewarm > 0 && !self.serves().prewarm => {
                Some(ColdReason::WorkerCannotPrewarm)
            }
            None if request.prewarm > 0 => Some(ColdReason::PoolEmpty),
            _ => None,
        };
        if let (Some(taken), Some(current)) = (&parked, current)
            && !taken.container.runs(&current)
        {
            cold_reason = Some(ColdReason::ImageChanged);
            // The reference was re-tagged: nothing parked from the old image serves.
            tracing::info!(function = %request.function, "the image was re-tagged; draining its pool");
            let mut stale = self.pools.drain(&request.owner, &request.function);
            stale.extend(parked.take());
            self.discard_all(stale);
        }
        if request.prewarm > 0 && self.docker.init_binary.is_some() {
            let outcome = if parked.is_some() { "hit" } else { "miss" };
            metrics::counter!(PREWARM_TOTAL, "outcome" => outcome).increment(1);
            // Refill in the background: what was taken, or a pool this request started.
            let refill = self.clone();
            let worker = worker_id.to_owned();
            tokio::spawn(async move { refill.fill_pools(&worker).await });
        }
        // The parked container's permit is held until the end of the run.
        let outcome = match parked {
            Some(Parked { container, .. }) => {
                self.hand_off(container.prewarmed(), request, secrets).await
            }
            None if self.oci_for(request).is_none()
                && self.docker.init_binary.is_none()
                && secrets.is_empty() =>
            {
                self.docker.run_cold(request, worker_id).await
            }
            // Cold, through init: it answers before the engine reports the exit.
            None => match self
                .prepare(request, worker_id, Some(&request.activation_id))
                .await
            {
                Ok(ready) => self.hand_off(ready, request, secrets).await,
                Err(failed) => Err(failed),
            },
        };
        let mut outcome = outcome.unwrap_or_else(Outcome::from);
        if let Some(timings) = &mut outcome.timings {
            timings.cold_reason = cold_reason;
        }
        outcome.record_metrics();
        if let Some(id) = outcome.container.clone() {
            // Off the critical path: the result does not wait for the removal.
            self.remove_later(request, id);
        }
        outcome.into_result(request, worker_id)
    }

    /// Makes containers until every pool is full or the permits are used up, one
    /// after the other (each take starts one such filler, the upkeep another).
    async fn fill_pools(&self, worker_id: &str) {
        loop {
            let (template, permit) = match self.pools.next_to_fill() {
                None => return,
                Some(Fill::Evict(parked)) => {
                    // Another owner's fair share: this one's permit is free now.
                    self.discard_all(vec![parked]);
                    continue;
                }
                Some(Fill::Make(template, permit)) => (*template, permit),
            };
            let made = match self.prepare(&template, worker_id, None).await {
                Ok(ready) => Some((ready, permit)),
                Err(failed) => {
                    tracing::warn!(function = %template.function, error = %failed.failure.message, "prewarming a container failed");
                    if let Some(id) = failed.container {
                        self.remove_later(&template, id);
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

    /// Removes a parked container that will not be used, in the background.
    fn discard(&self, ready: Ready) {
        match ready {
            Ready::Docker(ready) => self.docker.discard(ready),
            Ready::Oci(ready) => self.made_oci().delete_later(ready.id().to_owned()),
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

    /// Removes what the worker made on the host for itself (the OCI backend's
    /// parent cgroup), once no container of it is left: at the end of a shutdown.
    pub fn release_host(&self) {
        if let Some(oci) = &self.oci {
            oci.remove_cgroup_parent();
        }
    }

    /// Removes containers that an earlier run of this worker left behind (a crash
    /// between create and remove): the OCI backend's (in its directory; a failure
    /// is logged), then the Docker Engine's.
    pub async fn sweep(&self, worker_id: &str) -> Result<usize, bollard::errors::Error> {
        let mut swept = 0;
        if let Some(oci) = &self.oci {
            match oci.sweep().await {
                Ok(removed) => swept += removed.containers,
                Err(e) => {
                    tracing::warn!(error = %format!("{e:#}"), "sweeping the OCI runtime's leftovers failed")
                }
            }
        }
        Ok(swept + self.docker.sweep(worker_id).await?)
    }

    /// Removes the init volumes of other `faas-init` binaries that no container
    /// uses (an earlier version's); returns their names.
    pub async fn remove_old_init_volumes(&self) -> anyhow::Result<Vec<String>> {
        self.docker.remove_old_init_volumes().await
    }

    /// This platform's containers, running or not, as (container id, worker id).
    pub async fn platform_containers(
        &self,
    ) -> Result<Vec<(String, String)>, bollard::errors::Error> {
        self.docker.platform_containers().await
    }

    /// Removes one container (of a worker that is gone).
    pub async fn remove(&self, id: &str) -> Result<(), bollard::errors::Error> {
        self.docker.remove(id).await
    }
}
