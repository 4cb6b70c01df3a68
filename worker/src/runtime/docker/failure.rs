//! What the engine's errors become for the caller: a `RunFailure` in our words with
//! the engine's own message, never Rust's debug form.

use bollard::errors::Error as DockerError;
use faas_shared::{RunFailure, RunFailureKind};

use crate::runtime::outcome::Failed;

/// The engine failed `what` on the created container `id`.
pub(super) fn engine_failed(id: &str, what: &str, error: &DockerError) -> Failed {
    Failed::in_container(id, runtime_failure(what, error))
}

pub(super) fn runtime_failure(what: &str, error: &DockerError) -> RunFailure {
    RunFailure {
        kind: RunFailureKind::Runtime,
        message: format!("{what} failed: {}", docker_message(error)),
    }
}

/// The engine's own message where there is one, without Rust debug noise.
pub(super) fn docker_message(error: &DockerError) -> String {
    match error {
        DockerError::DockerResponseServerError { message, .. } => message.clone(),
        other => other.to_string(),
    }
}
