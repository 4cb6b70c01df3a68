//! The one timeout budget. Every timeout that bounds an invocation is derived here, so
//! the gateway, the server and the worker cannot drift apart (a test reads the
//! gateway's and orchestrators' configs and compares them with these figures).
//!
//! An invocation at the server: publish (retried through a NATS leader election) →
//! wait for a worker to take it (queue timeout) → the function runs (its timeout) →
//! the worker collects and reports (grace).

use std::time::Duration;

use crate::api::MAX_TIMEOUT_MS;

/// How long a publish keeps retrying failures a NATS leader election explains;
/// elections on a 3-node cluster take a few seconds.
pub const PUBLISH_RETRY: Duration = Duration::from_secs(15);
/// `FAAS_QUEUE_TIMEOUT_MS` unless set: how long a request may wait for a worker.
pub const DEFAULT_QUEUE_TIMEOUT: Duration = Duration::from_secs(10);
/// The largest queue timeout the server accepts; the gateway is sized for it.
pub const MAX_QUEUE_TIMEOUT: Duration = Duration::from_secs(30);
/// Beyond the function's own timeout: creating the container, collecting its
/// output, storing the record and publishing the result.
pub const WORKER_GRACE: Duration = Duration::from_secs(10);
/// A stopping worker finishes what it runs for up to this long: the longest
/// function plus the grace to report it.
pub const WORKER_DRAIN: Duration =
    Duration::from_millis(MAX_TIMEOUT_MS + WORKER_GRACE.as_millis() as u64);
/// What an orchestrator must allow a stopping worker before it kills it
/// (compose/stack `stop_grace_period`, Kubernetes `terminationGracePeriodSeconds`).
pub const WORKER_STOP_GRACE: Duration = Duration::from_secs(WORKER_DRAIN.as_secs() + 10);

/// The longest the server waits for one invocation of a function with
/// `function_timeout`, from the request to the answer.
pub const fn server_wait(queue_timeout: Duration, function_timeout: Duration) -> Duration {
    Duration::from_millis(
        PUBLISH_RETRY.as_millis() as u64
            + queue_timeout.as_millis() as u64
            + function_timeout.as_millis() as u64
            + WORKER_GRACE.as_millis() as u64,
    )
}

/// The longest any invocation can take at any server configuration the server
/// accepts. A stopping server drains requests for this long.
pub const LONGEST_SERVER_WAIT: Duration =
    server_wait(MAX_QUEUE_TIMEOUT, Duration::from_millis(MAX_TIMEOUT_MS));
/// How long a per-function concurrency slot is held at most: the longest any
/// invocation can take. A slot is released when its activation ends; this bounds
/// the ones a crashed server or a dropped request never releases.
pub const FUNCTION_SLOT_TTL: Duration = LONGEST_SERVER_WAIT;
/// The gateway's upstream timeout: the longest server wait plus a margin, so the
/// server always answers (504 with the output so far) before the gateway gives up.
pub const GATEWAY_TIMEOUT: Duration = Duration::from_secs(LONGEST_SERVER_WAIT.as_secs() + 5);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_layer_outlasts_the_one_inside_it() {
        assert!(GATEWAY_TIMEOUT > LONGEST_SERVER_WAIT);
        assert!(WORKER_STOP_GRACE > WORKER_DRAIN);
        assert!(WORKER_DRAIN >= Duration::from_millis(MAX_TIMEOUT_MS) + WORKER_GRACE);
        assert!(DEFAULT_QUEUE_TIMEOUT <= MAX_QUEUE_TIMEOUT);
        assert_eq!(GATEWAY_TIMEOUT, Duration::from_secs(360));
        assert_eq!(WORKER_STOP_GRACE, Duration::from_secs(320));
    }
}
