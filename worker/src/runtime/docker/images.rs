//! Images on the Docker backend: present, or pulled within the function's timeout
//! (`ensure_image`), a pull's failure told in words of our own that never repeat
//! what a registry sent (`pull_failure`), and the image commands init containers
//! need, kept 10 s per reference (`ImageCommands`). The image policy is checked
//! before any of this ([`super::engine::Engine::engine_for`]).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bollard::Docker;
use bollard::errors::Error as DockerError;
use bollard::query_parameters::CreateImageOptionsBuilder;
use faas_shared::names::ImageRef;
use faas_shared::{RunFailure, RunFailureKind};
use futures::StreamExt;

use super::failure::runtime_failure;

/// The image is local, or pulled now within `budget` (the function's timeout);
/// otherwise a clear `ImageUnavailable` that names the image and the kind of
/// failure but never repeats what a registry sent. Returns the time spent pulling
/// and the image's own command.
pub(super) async fn ensure_image(
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
pub(super) fn is_missing_image(error: &DockerError) -> bool {
    matches!(error, DockerError::DockerResponseServerError { status_code: 404, message }
        if message.to_ascii_lowercase().contains("no such image"))
}

/// An image's id and its own entrypoint and command, which `faas-init` runs.
pub(super) struct ImageCommand {
    /// The content the reference named when inspected (`sha256:…`).
    pub(super) id: String,
    pub(super) entrypoint: Vec<String>,
    pub(super) cmd: Vec<String>,
}

impl ImageCommand {
    fn of(inspect: bollard::models::ImageInspect) -> Self {
        let config = inspect.config.unwrap_or_default();
        Self {
            id: inspect.id.unwrap_or_default(),
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
pub(super) struct ImageCommands(Arc<Mutex<CommandsByImage>>);

/// Image reference → when its command was read, and the command.
type CommandsByImage = HashMap<String, (Instant, Arc<ImageCommand>)>;

impl ImageCommands {
    /// `image`'s command, from the cache or inspected (and pulled within `budget`).
    pub(super) async fn get_or_inspect(
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
