//! The worker's settings: what `faas-worker` reads from the environment, and what
//! `faas-server dev` and tests set by hand.

use faas_process::env;
use faas_process::nats::{self, Credentials};
use faas_process::signing::RequestKey;
use faas_shared::image_policy::{ALLOWED_REGISTRIES_VAR, ImagePolicy};

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
    /// `FAAS_NATS_USER` and `FAAS_NATS_PASSWORD_FILE`: the worker's own NATS user,
    /// required by `faas-worker`.
    pub nats_credentials: Option<Credentials>,
    /// `FAAS_REQUEST_KEY_FILE`: the key the server signs requests with; a request it
    /// does not verify is dropped. [`WorkerConfig::new`] makes a random one, which
    /// verifies nothing a server signed: give it the server's.
    pub request_key: RequestKey,
    /// `FAAS_ALLOWED_REGISTRIES`: the registries images may come from; the worker
    /// checks every request against it before it looks for or pulls the image.
    pub image_policy: ImagePolicy,
    /// `FAAS_FUNCTION_NETWORK`: the Docker network of functions with `network: true`
    /// (see [`crate::network`]).
    pub function_network: String,
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
            nats_credentials: None,
            request_key: RequestKey::random(),
            image_policy: ImagePolicy::any_public(),
            function_network: crate::network::DEFAULT_NETWORK.to_owned(),
        }
    }

    /// Reads `FAAS_NATS_URL` (default [`nats::DEFAULT_URL`]), `FAAS_WORKER_ID`,
    /// `FAAS_WORKER_SLOTS`, and (required) `FAAS_NATS_USER`,
    /// `FAAS_NATS_PASSWORD_FILE` and `FAAS_REQUEST_KEY_FILE`; a bad value is an
    /// error, not a silent default.
    /// (`DOCKER_HOST` is read by the Docker client itself.)
    pub fn from_env() -> anyhow::Result<Self> {
        let mut config =
            Self::new(env::var("FAAS_NATS_URL").unwrap_or_else(|| nats::DEFAULT_URL.into()));
        if let Some(id) = env::var("FAAS_WORKER_ID") {
            config.worker_id = id;
        }
        if let Some(slots) = env::positive("FAAS_WORKER_SLOTS")? {
            config.slots = slots;
        }
        config.nats_credentials = Some(Credentials::required_from_env("faas-worker")?);
        config.request_key = RequestKey::from_env()?;
        if let Some(list) = env::var(ALLOWED_REGISTRIES_VAR) {
            config.image_policy = ImagePolicy::parse(&list).map_err(anyhow::Error::msg)?;
        }
        if let Some(network) = env::var("FAAS_FUNCTION_NETWORK") {
            crate::network::check_name(&network)
                .map_err(|why| anyhow::anyhow!("FAAS_FUNCTION_NETWORK={network:?}: {why}"))?;
            config.function_network = network;
        }
        Ok(config)
    }
}

/// Unique per process on a host, and stable enough to read in `docker ps`.
fn default_worker_id() -> String {
    let host = std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "worker".into());
    format!("{host}-{}", std::process::id())
}
