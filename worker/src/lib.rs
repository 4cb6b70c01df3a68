//! `faas-worker`: takes activation requests off the `FAAS_ACTIVATIONS` work queue
//! and runs each in a fresh, sandboxed container through the Docker Engine API.
//!
//! [`run`] is the whole worker (the mini-redis pattern): `faas-worker` calls it from
//! `main`, `faas-server dev` runs it in-process, and tests run it against a real
//! nats-server and the real Docker Engine. [`runtime`] is the container part on its
//! own.

mod consumer;
pub mod output;
pub mod runtime;

use std::future::Future;

use anyhow::Context;

/// The worker's settings, read once at start-up.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// `FAAS_NATS_URL`
    pub nats_url: String,
    /// `FAAS_WORKER_ID`: labels this worker's containers so a restart can sweep the
    /// ones an earlier crash left behind.
    pub worker_id: String,
    /// `FAAS_WORKER_SLOTS`: containers run at once; the worker fetches no more
    /// requests than it has free slots, so a busy worker never hoards work.
    pub slots: usize,
    /// `DOCKER_HOST`-style address of the Docker Engine; `None` uses `DOCKER_HOST`
    /// or the local socket.
    pub docker_host: Option<String>,
}

impl WorkerConfig {
    /// Defaults: 2 slots per core, id `<hostname>-<pid>`.
    pub fn new(nats_url: impl Into<String>) -> Self {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Self {
            nats_url: nats_url.into(),
            worker_id: default_worker_id(),
            slots: 2 * cores,
            docker_host: None,
        }
    }

    /// Reads `FAAS_NATS_URL` (default `nats://127.0.0.1:4222`), `FAAS_WORKER_ID` and
    /// `FAAS_WORKER_SLOTS`; a bad slot count is an error, not a silent default.
    /// (`DOCKER_HOST` is read by the Docker client itself.)
    pub fn from_env() -> anyhow::Result<Self> {
        let env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let mut config =
            Self::new(env("FAAS_NATS_URL").unwrap_or_else(|| "nats://127.0.0.1:4222".into()));
        if let Some(id) = env("FAAS_WORKER_ID") {
            config.worker_id = id;
        }
        if let Some(slots) = env("FAAS_WORKER_SLOTS") {
            config.slots = slots
                .trim()
                .parse()
                .ok()
                .filter(|n| *n > 0)
                .with_context(|| {
                    format!("FAAS_WORKER_SLOTS={slots:?} must be a positive number")
                })?;
        }
        Ok(config)
    }
}

fn default_worker_id() -> String {
    let host = std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "worker".into());
    format!("{host}-{}", std::process::id())
}

/// Runs the worker until `shutdown` resolves, then stops fetching and lets the
/// activations in progress finish.
pub async fn run(
    config: WorkerConfig,
    shutdown: impl Future<Output = ()> + Send,
) -> anyhow::Result<()> {
    consumer::run(config, shutdown).await
}

/// `nats://a:4222,nats://b:4222` → the addresses of a cluster's servers (async-nats
/// parses a single URL from a string). Used by the server too.
pub fn server_addrs(urls: &str) -> anyhow::Result<Vec<async_nats::ServerAddr>> {
    urls.split(',')
        .map(|url| {
            url.trim()
                .parse()
                .with_context(|| format!("{url:?} is not a NATS URL like nats://host:4222"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn nats_urls_may_list_a_cluster() {
        let addrs = super::server_addrs("nats://a:4222, nats://b:4223").unwrap();
        assert_eq!(addrs.len(), 2);
        assert!(super::server_addrs("nats://a:4222,::bad::").is_err());
    }
}
