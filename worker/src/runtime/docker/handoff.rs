//! Init containers on the Docker backend: created with `faas-init` as their
//! entrypoint (mounted read-only from the init volume), attached and started
//! ahead, parked or for one cold activation ([`Ready`]); and the handoff, which
//! writes the activation frame to init's stdin so that it runs the function and
//! reports its end in-band.

use std::time::{Duration, Instant};

use bollard::Docker;
use bollard::container::AttachContainerResults;
use faas_shared::activation::ActivationRequest;
use faas_shared::{RunFailure, RunFailureKind, StepTimings};

use super::create::container_body;
use super::engine::{Engine, attach, start};
use super::failure::engine_failed;
use super::init_volume::{self, InitVolume};
use super::wait::{Running, finish};
use crate::runtime::completion;
use crate::runtime::init::{self, SecretFile};
use crate::runtime::outcome::{Failed, Outcome, millis};
use crate::runtime::sandbox::Sandbox;

/// A container created with `faas-init` as its entrypoint, attached and started:
/// its init waits on stdin for the activation frame.
pub(crate) struct Ready {
    id: String,
    attached: AttachContainerResults,
    /// The image id the container was made from.
    image_id: String,
    /// The image's own entrypoint and command, which init runs.
    entrypoint: Vec<String>,
    cmd: Vec<String>,
    timings: StepTimings,
    /// The part of the function's timeout spent getting its image (a cold run's).
    image_wait: Duration,
}

impl Ready {
    /// The same container, taken from a pool: its create and start were not this
    /// activation's.
    pub(crate) fn prewarmed(self) -> Self {
        Self {
            timings: StepTimings {
                prewarmed: true,
                ..StepTimings::default()
            },
            image_wait: Duration::ZERO,
            ..self
        }
    }

    /// Whether it runs what `image_id` names (a re-tagged reference names other
    /// content than its pool was filled with).
    pub(crate) fn runs(&self, image_id: &str) -> bool {
        self.image_id == image_id
    }
}

impl Engine {
    /// A container for `template`'s function with `faas-init` as its entrypoint,
    /// created, attached and started: parked (`activation` is `None`) or for one
    /// activation. Makes the same checks as a cold start.
    pub(crate) async fn prepare(
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
        let step = Instant::now();
        let command = self
            .image_commands
            .get_or_inspect(docker, &template.image, timeout)
            .await
            .map_err(Failed::before_create)?;
        let image_wait = step.elapsed();
        let network = self.network_for(docker, template).await?;
        let mut timings = StepTimings::default();
        let step = Instant::now();
        let sandbox = Sandbox::init(
            template,
            worker_id,
            self.platform.as_deref(),
            network,
            volume,
            activation,
        );
        let created = docker
            .create_container(None, container_body(&sandbox))
            .await;
        timings.create_ms = millis(step.elapsed());
        let id = self.created(created, &sandbox.network).await?;
        let attached = attach(docker, &id, true, &mut timings).await?;
        start(docker, &id, &mut timings).await?;
        Ok(Ready {
            id,
            attached,
            image_id: command.id.clone(),
            entrypoint: command.entrypoint.clone(),
            cmd: command.cmd.clone(),
            timings,
            image_wait,
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
        let volume = init_volume::install(docker, binary, refill)
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
    /// parameter) on its stdin, then waits for init's report. The function's
    /// timeout (less what getting its image took) and duration count from here.
    pub(crate) async fn hand_off(
        &self,
        ready: Ready,
        request: &ActivationRequest,
        secrets: Vec<SecretFile>,
    ) -> Result<Outcome, Failed> {
        let Ready {
            id,
            attached,
            image_id: _,
            entrypoint,
            cmd,
            timings,
            image_wait,
        } = ready;
        let docker = self
            .client()
            .await
            .map_err(|e| engine_failed(&id, "reaching the Docker Engine", &e))?;
        let nonce = completion::nonce();
        let frame = init::frame(nonce, entrypoint, cmd, request, secrets)
            .map_err(|failure| Failed::in_container(&id, failure))?;
        let mut running = Running::reading(id, attached.output, timings, Some(nonce));
        init::feed_stdin(attached.input, init::stdin_of(&frame, request));
        running.timings.handoff_ms = millis(running.clock.elapsed());
        let timeout = Duration::from_millis(request.timeout_ms).saturating_sub(image_wait);
        finish(docker, running, timeout).await
    }

    /// The id of the image `image` names now, as init containers are made from
    /// it (read again at most every 10 s), if the engine has it.
    pub(crate) async fn image_id(&self, image: &str) -> Option<String> {
        let docker = self.client().await.ok()?;
        let budget = Duration::from_secs(5);
        let command = self
            .image_commands
            .get_or_inspect(docker, image, budget)
            .await
            .ok()?;
        Some(command.id.clone())
    }

    /// Removes a parked container that will not be used.
    pub(crate) fn discard(&self, ready: Ready) {
        self.remove_later(ready.id);
    }
}
