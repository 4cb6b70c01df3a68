//! The cold path on the Docker backend for a worker without `faas-init`: the Engine
//! API calls `docker run --rm` makes and no other (create, attach, start, wait).
//! With init, cold runs go through an init container instead (`handoff`), which
//! answers before the engine reports the exit. The image is not inspected
//! first: only a create that finds no such image leads to a pull, within the
//! function's timeout, and a second create.

use std::time::{Duration, Instant};

use faas_shared::activation::ActivationRequest;
use faas_shared::{ParamMode, StepTimings};

use super::create::container_body;
use super::engine::{Engine, attach, start};
use super::images::{ensure_image, is_missing_image};
use super::wait::{Running, finish};
use crate::runtime::init::feed_stdin;
use crate::runtime::outcome::{Failed, Outcome, millis};
use crate::runtime::sandbox::Sandbox;

impl Engine {
    /// Runs `request` in a container of its own, as `docker run --rm` would.
    pub(crate) async fn run_cold(
        &self,
        request: &ActivationRequest,
        worker_id: &str,
    ) -> Result<Outcome, Failed> {
        let docker = self.engine_for(&request.image).await?;
        let timeout = Duration::from_millis(request.timeout_ms);
        let network = self.network_for(docker, request).await?;
        let stdin = request.param_mode == ParamMode::Stdin;
        let sandbox = Sandbox::cold(request, worker_id, self.platform.as_deref(), network);
        let body = container_body(&sandbox);
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
        let id = self.created(created, &sandbox.network).await?;

        let attached = attach(docker, &id, stdin, &mut timings).await?;
        let mut running = Running::reading(id, attached.output, timings, None);
        start(docker, &running.id, &mut running.timings).await?;
        if stdin {
            feed_stdin(attached.input, request.param.clone().into_bytes());
        }
        finish(docker, running, timeout.saturating_sub(pulled)).await
    }
}
