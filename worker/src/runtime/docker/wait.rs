//! Waiting for a started container on the Docker backend: its output read from the
//! attach stream while it runs (`collect`), its end within the function's timeout
//! or a SIGKILL past it, and whether a SIGKILL was the OOM killer's (`oom_killed`:
//! the engine's state and its event log).
//!
//! An init container's end is `faas-init`'s trailer on both streams
//! ([`crate::runtime::completion`]), which comes before the engine has handled the
//! exit; only a container without init, or one whose init could not report, waits
//! for the engine's `/wait`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bollard::Docker;
use bollard::container::LogOutput;
use bollard::errors::Error as DockerError;
use bollard::query_parameters::{EventsOptionsBuilder, KillContainerOptionsBuilder};
use chrono::{DateTime, Utc};
use faas_init::Nonce;
use faas_shared::{ActivationStatus, StepTimings};
use futures::StreamExt;

use super::failure::engine_failed;
use crate::runtime::completion::Streams;
use crate::runtime::outcome::{Failed, Outcome, SIGKILL_EXIT, exit_status, millis};

/// How long to keep reading output after the container exited: attach streams do
/// not always end on their own.
const OUTPUT_GRACE: Duration = Duration::from_secs(2);

/// A container's output, as its attach stream delivers it.
type Output = std::pin::Pin<Box<dyn futures::Stream<Item = Result<LogOutput, DockerError>> + Send>>;

/// A started container being waited for.
pub(super) struct Running {
    pub(super) id: String,
    pub(super) reader: tokio::task::JoinHandle<()>,
    pub(super) streams: Arc<Mutex<Streams>>,
    pub(super) started_at: DateTime<Utc>,
    /// From the start (cold) or the handoff (prewarmed).
    pub(super) clock: Instant,
    pub(super) timings: StepTimings,
}

impl Running {
    /// Starts reading a container's attach `output` in the background, for init's
    /// trailers signed with `nonce` when it has init; the function's clock starts now.
    pub(super) fn reading(
        id: String,
        output: Output,
        timings: StepTimings,
        nonce: Option<Nonce>,
    ) -> Self {
        let streams = Arc::new(Mutex::new(Streams::new(nonce)));
        let reader = tokio::spawn(collect(output, streams.clone()));
        Self {
            id,
            reader,
            streams,
            started_at: Utc::now(),
            clock: Instant::now(),
            timings,
        }
    }
}

/// Reads the multiplexed attach stream until init's trailers or the stream's end.
async fn collect(mut output: Output, streams: Arc<Mutex<Streams>>) {
    while let Some(Ok(frame)) = output.next().await {
        let mut streams = streams.lock().unwrap_or_else(|p| p.into_inner());
        match frame {
            LogOutput::StdOut { message } | LogOutput::Console { message } => {
                streams.stdout(&message)
            }
            LogOutput::StdErr { message } => streams.stderr(&message),
            LogOutput::StdIn { .. } => {}
        }
        if streams.reported().is_some() {
            return;
        }
    }
}

/// Waits for a running container's end within `timeout` (killing it past that):
/// init's trailers, or else the engine's report of its exit; and collects its
/// output.
pub(super) async fn finish(
    docker: &Docker,
    running: Running,
    timeout: Duration,
) -> Result<Outcome, Failed> {
    let Running {
        id,
        mut reader,
        streams,
        started_at,
        clock,
        mut timings,
    } = running;
    let deadline = tokio::time::Instant::from_std(clock) + timeout;
    let mut wait = docker.wait_container(&id, None);
    let mut output_read = false;
    let (status, exit_code) = loop {
        tokio::select! {
            _ = &mut reader, if !output_read => {
                output_read = true;
                let reported = streams.lock().unwrap_or_else(|p| p.into_inner()).reported();
                if let Some(ended) = reported {
                    break exit_status(ended.exit_code());
                }
                // The output ended without init's report: the engine's says how.
            }
            exit = wait.next() => match exit {
                Some(Ok(response)) => break exit_status(response.status_code),
                // A non-zero exit arrives as an error carrying the exit code.
                Some(Err(DockerError::DockerContainerWaitError { code, .. })) => break exit_status(code),
                Some(Err(e)) => return Err(engine_failed(&id, "waiting for the container", &e)),
                None => {
                    return Err(engine_failed(
                        &id,
                        "waiting for the container",
                        &DockerError::RequestTimeoutError,
                    ));
                }
            },
            _ = tokio::time::sleep_until(deadline) => {
                let kill = KillContainerOptionsBuilder::default()
                    .signal("SIGKILL")
                    .build();
                let _ = docker.kill_container(&id, Some(kill)).await;
                break (ActivationStatus::Timeout, None);
            }
        }
    };
    drop(wait);
    let duration = clock.elapsed();
    timings.run_ms = millis(duration);
    let step = Instant::now();
    let oom_killed = exit_code == Some(SIGKILL_EXIT) && oom_killed(docker, &id, started_at).await;
    if !output_read
        && tokio::time::timeout(OUTPUT_GRACE, &mut reader)
            .await
            .is_err()
    {
        reader.abort();
    }
    timings.collect_ms = millis(step.elapsed());
    let streams = std::mem::replace(
        &mut *streams.lock().unwrap_or_else(|p| p.into_inner()),
        Streams::new(None),
    );
    Ok(Outcome {
        status,
        exit_code,
        oom_killed,
        captured: streams.finish(),
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
