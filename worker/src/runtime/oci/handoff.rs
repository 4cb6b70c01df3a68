//! The handoff on the OCI backend: the activation frame written to the started
//! container's `faas-init` (through the pipe its stdin is), then its output read
//! until init's trailer ends both streams (`completion`), within the function's
//! timeout; past it the runtime kills every process of the container. Whether a
//! SIGKILL was the OOM killer's is the container's cgroup's to say, read before
//! the container is deleted.

use std::time::{Duration, Instant};

use chrono::Utc;
use faas_shared::activation::ActivationRequest;
use faas_shared::{ActivationStatus, RunFailure, RunFailureKind};
use tokio::io::{AsyncRead, AsyncReadExt};

use super::engine::{OciEngine, Ready};
use super::runtime_binary::ContainerIo;
use crate::runtime::completion::{self, Streams};
use crate::runtime::init::{self, SecretFile};
use crate::runtime::outcome::{Failed, Outcome, SIGKILL_EXIT, exit_status, millis};

/// How long output may keep coming after a kill: the pipes close when the last
/// process of the container is gone.
const OUTPUT_GRACE: Duration = Duration::from_secs(2);

impl OciEngine {
    /// Hands `request` to a started container: the frame (and the stdin
    /// parameter) on init's stdin, then its report read off the output. The
    /// function's timeout (less what getting its image took) and duration count
    /// from here.
    pub(crate) async fn hand_off(
        &self,
        ready: Ready,
        request: &ActivationRequest,
        secrets: Vec<SecretFile>,
    ) -> Result<Outcome, Failed> {
        let Ready {
            id,
            mut io,
            rootfs,
            cgroup,
            mut timings,
            image_wait,
        } = ready;
        let config = &rootfs.config;
        let nonce = completion::nonce();
        let frame = init::frame(
            nonce,
            config.entrypoint.clone(),
            config.cmd.clone(),
            request,
            secrets,
        )
        .map_err(|failure| Failed::in_container(&id, failure))?;
        let started_at = Utc::now();
        let clock = Instant::now();
        let Some(stdin) = io.stdin.take() else {
            return Err(Failed::in_container(
                &id,
                RunFailure {
                    kind: RunFailureKind::Runtime,
                    message: "the container has no stdin to hand the activation to".into(),
                },
            ));
        };
        init::feed_stdin(stdin, init::stdin_of(&frame, request));
        timings.handoff_ms = millis(clock.elapsed());
        let timeout = Duration::from_millis(request.timeout_ms).saturating_sub(image_wait);
        let mut streams = Streams::new(Some(nonce));
        let read = read_until_reported(&mut io, &mut streams);
        let status = match tokio::time::timeout(timeout, read).await {
            Ok(()) => None,
            Err(_) => {
                if let Err(e) = self.runtime.kill(&id, "KILL").await {
                    tracing::warn!(container = %id, error = %e, "killing a container past its timeout failed");
                }
                Some((ActivationStatus::Timeout, None))
            }
        };
        let duration = clock.elapsed();
        timings.run_ms = millis(duration);
        let step = Instant::now();
        let (status, exit_code) = match status {
            Some(timed_out) => {
                // What it printed before the kill.
                let _ =
                    tokio::time::timeout(OUTPUT_GRACE, read_until_reported(&mut io, &mut streams))
                        .await;
                timed_out
            }
            None => match streams.reported() {
                Some(ended) => exit_status(ended.exit_code()),
                // Init itself was killed (the OOM killer may pick it): no report.
                None if self.oom_killed(&cgroup) => (ActivationStatus::Error, Some(SIGKILL_EXIT)),
                None => {
                    return Err(Failed::in_container(
                        &id,
                        RunFailure {
                            kind: RunFailureKind::Runtime,
                            message: "the container ended without faas-init's report (was it killed from outside the platform?)".into(),
                        },
                    ));
                }
            },
        };
        let oom_killed = exit_code == Some(SIGKILL_EXIT) && self.oom_killed(&cgroup);
        timings.collect_ms = millis(step.elapsed());
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
}

impl OciEngine {
    /// Whether the kernel killed a process of cgroup `cgroup` for exceeding its
    /// memory limit.
    fn oom_killed(&self, cgroup: &str) -> bool {
        self.layout.oom_kills(cgroup).is_ok_and(|kills| kills > 0)
    }
}

/// Reads the container's stdout and stderr into `streams` until init's trailer
/// ended both, or both pipes closed (every process of the container is gone).
async fn read_until_reported(io: &mut ContainerIo, streams: &mut Streams) {
    let (mut out_buf, mut err_buf) = (vec![0u8; 16 * 1024], vec![0u8; 16 * 1024]);
    let (mut out_open, mut err_open) = (true, true);
    while (out_open || err_open) && streams.reported().is_none() {
        tokio::select! {
            read = read_some(&mut io.stdout, &mut out_buf), if out_open => match read {
                Some(n) => streams.stdout(&out_buf[..n]),
                None => out_open = false,
            },
            read = read_some(&mut io.stderr, &mut err_buf), if err_open => match read {
                Some(n) => streams.stderr(&err_buf[..n]),
                None => err_open = false,
            },
        }
    }
}

/// The next bytes of `pipe`, or `None` at its end (or on an error, which ends it).
async fn read_some(pipe: &mut (impl AsyncRead + Unpin), buf: &mut [u8]) -> Option<usize> {
    match pipe.read(buf).await {
        Ok(0) | Err(_) => None,
        Ok(n) => Some(n),
    }
}
