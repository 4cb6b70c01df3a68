//! Waiting for a started container on the Docker backend: its output read from the
//! attach stream while it runs (`collect`), its exit within the function's timeout
//! or a SIGKILL past it, and whether a SIGKILL was the OOM killer's (`oom_killed`:
//! the engine's state and its event log).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bollard::Docker;
use bollard::container::LogOutput;
use bollard::errors::Error as DockerError;
use bollard::query_parameters::{EventsOptionsBuilder, KillContainerOptionsBuilder};
use chrono::{DateTime, Utc};
use faas_shared::{ActivationStatus, StepTimings};
use futures::StreamExt;
use tokio::io::AsyncWriteExt;

use super::failure::engine_failed;
use crate::runtime::outcome::{Captured, Failed, Outcome, exit_status, millis};

/// How long to keep reading output after the container exited: attach streams do
/// not always end on their own.
const OUTPUT_GRACE: Duration = Duration::from_secs(2);
/// The exit code of a process killed by SIGKILL (128 + 9), as the OOM killer does.
const SIGKILL_EXIT: i64 = 137;

/// A container's output, as its attach stream delivers it.
type Output = std::pin::Pin<Box<dyn futures::Stream<Item = Result<LogOutput, DockerError>> + Send>>;
/// A container's stdin, as its attach stream takes it.
type Input = std::pin::Pin<Box<dyn tokio::io::AsyncWrite + Send>>;

/// A started container being waited for.
pub(super) struct Running {
    pub(super) id: String,
    pub(super) reader: tokio::task::JoinHandle<()>,
    pub(super) captured: Arc<Mutex<Captured>>,
    pub(super) started_at: DateTime<Utc>,
    /// From the start (cold) or the handoff (prewarmed).
    pub(super) clock: Instant,
    pub(super) timings: StepTimings,
}

impl Running {
    /// Starts reading a container's attach `output` in the background; the
    /// function's clock starts now.
    pub(super) fn reading(id: String, output: Output, timings: StepTimings) -> Self {
        let captured = Captured::shared();
        let reader = tokio::spawn(collect(output, captured.clone()));
        Self {
            id,
            reader,
            captured,
            started_at: Utc::now(),
            clock: Instant::now(),
            timings,
        }
    }
}

/// Writes `bytes` to a container's stdin, then closes it (the function's EOF).
/// Concurrently, so that a function that prints before reading all its input
/// cannot deadlock us.
pub(super) fn feed_stdin(mut input: Input, bytes: Vec<u8>) {
    tokio::spawn(async move {
        let _ = input.write_all(&bytes).await;
        let _ = input.shutdown().await;
    });
}

/// Reads the multiplexed attach stream until it ends.
async fn collect(mut output: Output, captured: Arc<Mutex<Captured>>) {
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

/// Waits for a running container's exit within `timeout` (killing it past
/// that) and collects its output.
pub(super) async fn finish(
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
        Ok(Some(Err(e))) => return Err(engine_failed(&id, "waiting for the container", &e)),
        Ok(None) => {
            return Err(engine_failed(
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
    let oom_killed = exit_code == Some(SIGKILL_EXIT) && oom_killed(docker, &id, started_at).await;
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

/// Whether the container's SIGKILL came from the OOM killer. Docker 20.10 sets
/// `State.OOMKilled` when it handles the OOM event after the exit, but clears it
/// again when the event came first; the `oom` event itself is in its event log
/// either way. Both are asked for up to a second, as the engine may learn of the
/// kill a moment after the exit.
async fn oom_killed(docker: &Docker, id: &str, since: DateTime<Utc>) -> bool {
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
async fn oom_event(docker: &Docker, id: &str, since: DateTime<Utc>) -> bool {
    let stamp = |t: DateTime<Utc>| format!("{}.{:09}", t.timestamp(), t.timestamp_subsec_nanos());
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
