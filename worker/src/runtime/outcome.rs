//! How one run ended, whatever ran it: what the function did (status, exit code,
//! OOM kill, captured output, timings), or why the platform could not run it
//! ([`Failed`]); and the [`ActivationResult`] and metrics made of that.
//!
//! A backend reports in these terms and nothing of its engine's: the function's
//! failure (non-zero exit, timeout, OOM kill) is a normal outcome, only a platform
//! failure sets `ActivationResult::failure`.

use std::time::Duration;

use chrono::{DateTime, Utc};
use faas_shared::activation::{ActivationRequest, ActivationResult};
use faas_shared::{Activation, ActivationStatus, RunFailure, StepTimings};

use crate::metrics::{ACTIVATIONS_TOTAL, CONTAINER_STEP_SECONDS};
use crate::output::{CappedBuffer, MAX_LOG_BYTES, MAX_RESULT_BYTES};

/// The exit code of a process killed by SIGKILL (128 + 9), as the OOM killer's
/// victims end: a backend then asks whether it was one.
pub(crate) const SIGKILL_EXIT: i64 = 137;

/// What a sandbox printed.
#[derive(Default)]
pub(crate) struct Captured {
    pub(crate) stdout: CappedBuffer,
    pub(crate) stderr: CappedBuffer,
}

impl Captured {
    /// An empty capture with the platform's caps.
    pub(crate) fn empty() -> Self {
        Self {
            stdout: CappedBuffer::new(MAX_RESULT_BYTES),
            stderr: CappedBuffer::new(MAX_LOG_BYTES),
        }
    }
}

/// How one run ended: what the function did, or why the platform could not run it.
pub(crate) struct Outcome {
    pub(crate) status: ActivationStatus,
    pub(crate) exit_code: Option<i64>,
    /// The kernel killed a process of the function for exceeding its memory limit.
    pub(crate) oom_killed: bool,
    pub(crate) captured: Captured,
    /// Set when the platform, not the function, failed the run.
    pub(crate) failure: Option<RunFailure>,
    /// The container to remove, if one was created.
    pub(crate) container: Option<String>,
    /// When the container was started, and how long it ran until it exited.
    pub(crate) started_at: DateTime<Utc>,
    pub(crate) duration: Duration,
    pub(crate) timings: Option<StepTimings>,
}

/// A run the platform failed, and the container it leaves to remove.
pub(crate) struct Failed {
    pub(crate) failure: RunFailure,
    pub(crate) container: Option<String>,
}

impl Failed {
    pub(crate) fn before_create(failure: RunFailure) -> Self {
        Self {
            failure,
            container: None,
        }
    }

    /// A failure after `id` was created: the container is left to remove.
    pub(crate) fn in_container(id: &str, failure: RunFailure) -> Self {
        Self {
            failure,
            container: Some(id.to_owned()),
        }
    }
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

impl Outcome {
    /// Counts the activation by how it ended, and its steps' times.
    pub(crate) fn record_metrics(&self) {
        let outcome = match (&self.failure, self.status) {
            (Some(_), _) => "platform_error",
            (None, status) => status.as_str(),
        };
        metrics::counter!(ACTIVATIONS_TOTAL, "outcome" => outcome).increment(1);
        if let Some(timings) = &self.timings {
            record_timings(timings);
        }
    }

    /// The result of `request`'s activation on `worker_id`.
    pub(crate) fn into_result(
        self,
        request: &ActivationRequest,
        worker_id: &str,
    ) -> ActivationResult {
        let (result, result_truncated) = self.captured.stdout.finish();
        let (logs, logs_truncated) = self.captured.stderr.finish();
        ActivationResult {
            activation: Activation {
                activation_id: request.activation_id.clone(),
                function: request.function.clone(),
                status: self.status,
                result,
                logs,
                exit_code: self.exit_code,
                duration_ms: millis(self.duration),
                started_at: self.started_at,
                result_truncated,
                logs_truncated,
                oom_killed: self.oom_killed,
                container_id: self.container,
                timings: self.timings,
            },
            failure: self.failure,
            worker: worker_id.to_owned(),
        }
    }
}

/// An exit code as the activation's status: only 0 is a success.
pub(crate) fn exit_status(code: i64) -> (ActivationStatus, Option<i64>) {
    let status = if code == 0 {
        ActivationStatus::Success
    } else {
        ActivationStatus::Error
    };
    (status, Some(code))
}

pub(crate) fn millis(duration: Duration) -> u64 {
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
