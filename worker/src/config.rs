//! The worker's settings: what `faas-worker` reads from the environment, and what
//! `faas-server dev` and tests set by hand.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use faas_process::env;
use faas_process::nats::{self, Credentials};
use faas_process::secrets::SecretKeys;
use faas_process::signing::RequestKey;
use faas_shared::image_policy::{ALLOWED_REGISTRIES_VAR, ImagePolicy};

use crate::runtime::oci::OciSettings;

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
    /// `FAAS_SECRETS_KEY_FILE` (and `FAAS_SECRETS_OLD_KEY_FILES`): opens the secrets
    /// functions name; the server's keys. Without it, an activation that names a
    /// secret fails saying so.
    pub secret_keys: Option<SecretKeys>,
    /// `FAAS_FUNCTION_NETWORK`: the Docker network of functions with `network: true`
    /// (see `runtime::docker::network`).
    pub function_network: String,
    /// `FAAS_WORKER_INIT`: the static `faas-init` binary that containers start
    /// with (prewarm, secret files, the end of a run in-band); by default
    /// `faas-init` beside the worker's executable, if it is there, else (`None`)
    /// the one built into the worker (`runtime::init::embedded`).
    pub init_binary: Option<PathBuf>,
    /// `FAAS_WORKER_MAX_PARKED`: prewarmed containers this worker keeps at most,
    /// over all functions (0 turns prewarming off).
    pub max_parked: usize,
    /// `FAAS_WORKER_PREWARM_IDLE_SECS`: a function's pool is drained after this
    /// long without an activation (a removed function's, for one).
    pub prewarm_idle: Duration,
    /// `FAAS_WORKER_METRICS_LISTEN`: where to serve `GET /metrics` (Prometheus);
    /// off when unset.
    pub metrics_listen: Option<SocketAddr>,
    /// `FAAS_WORKER_RUNTIME=oci` (default `docker`): run functions with the OCI
    /// runtime directly (`runtime::oci`), set up from `FAAS_WORKER_OCI_RUNTIME`,
    /// `FAAS_WORKER_OCI_DIR`, `FAAS_WORKER_ROOTFS_CACHE_MB` and
    /// `FAAS_WORKER_SECCOMP_PROFILE`; `None` runs them on the Docker Engine.
    pub oci: Option<OciSettings>,
}

/// Where the OCI backend keeps its state and root file systems unless
/// `FAAS_WORKER_OCI_DIR` says otherwise.
pub const DEFAULT_OCI_DIR: &str = "/var/lib/faas-worker/oci";
/// Default of `FAAS_WORKER_ROOTFS_CACHE_MB`.
pub const DEFAULT_ROOTFS_CACHE_MB: u64 = 4096;

/// The OCI backend's settings with their defaults: crun or else runc, in
/// [`DEFAULT_OCI_DIR`], Debian's default seccomp profile.
pub fn default_oci_settings() -> OciSettings {
    OciSettings {
        runtime: None,
        dir: DEFAULT_OCI_DIR.into(),
        rootfs_cache_bytes: DEFAULT_ROOTFS_CACHE_MB * 1024 * 1024,
        seccomp_profile: crate::runtime::oci::seccomp::DEFAULT_PROFILE.into(),
    }
}

/// Default of [`WorkerConfig::max_parked`].
pub const DEFAULT_MAX_PARKED: usize = 32;
/// Default of [`WorkerConfig::prewarm_idle`].
pub const DEFAULT_PREWARM_IDLE: Duration = Duration::from_secs(600);

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
            secret_keys: None,
            function_network: crate::runtime::docker::network::DEFAULT_NETWORK.to_owned(),
            // A dynamic one (a plain `cargo build` of the workspace) cannot run
            // in images: the built-in one serves then.
            init_binary: beside_the_worker("faas-init")
                .filter(|path| crate::runtime::init::read_static(path).is_ok()),
            max_parked: DEFAULT_MAX_PARKED,
            prewarm_idle: DEFAULT_PREWARM_IDLE,
            metrics_listen: None,
            oci: None,
        }
    }

    /// `faas-worker`'s config: `FAAS_NATS_URL` (default [`nats::DEFAULT_URL`]), the
    /// NATS login and request key (required), the secrets key, and every setting
    /// of [`WorkerConfig::with_env_settings`]; a bad value is an error, not a
    /// silent default. (`DOCKER_HOST` is read by the Docker client itself.)
    pub fn from_env() -> anyhow::Result<Self> {
        let mut config =
            Self::new(env::var("FAAS_NATS_URL").unwrap_or_else(|| nats::DEFAULT_URL.into()))
                .with_env_settings()?;
        config.nats_credentials = Some(Credentials::required_from_env("faas-worker")?);
        config.request_key = RequestKey::from_env()?;
        config.secret_keys = SecretKeys::from_env()?;
        Ok(config)
    }

    /// The same config with the settings that do not say whose worker it is read
    /// from the environment: `FAAS_WORKER_ID`, `FAAS_WORKER_SLOTS`,
    /// `FAAS_ALLOWED_REGISTRIES`, `FAAS_FUNCTION_NETWORK`, `FAAS_WORKER_INIT`,
    /// `FAAS_WORKER_MAX_PARKED`, `FAAS_WORKER_PREWARM_IDLE_SECS`,
    /// `FAAS_WORKER_METRICS_LISTEN`, and `FAAS_WORKER_RUNTIME` with the OCI
    /// backend's. `faas-server dev` reads exactly these, and brings its own NATS
    /// login and keys.
    pub fn with_env_settings(mut self) -> anyhow::Result<Self> {
        if let Some(id) = env::var("FAAS_WORKER_ID") {
            self.worker_id = id;
        }
        if let Some(slots) = env::positive("FAAS_WORKER_SLOTS")? {
            self.slots = slots;
        }
        if let Some(list) = env::var(ALLOWED_REGISTRIES_VAR) {
            self.image_policy = ImagePolicy::parse(&list).map_err(anyhow::Error::msg)?;
        }
        if let Some(network) = env::var("FAAS_FUNCTION_NETWORK") {
            crate::runtime::docker::network::check_name(&network)
                .map_err(|why| anyhow::anyhow!("FAAS_FUNCTION_NETWORK={network:?}: {why}"))?;
            self.function_network = network;
        }
        if let Some(path) = env::var("FAAS_WORKER_INIT") {
            self.init_binary = Some(path.into());
        }
        if let Some(max) = env::parse("FAAS_WORKER_MAX_PARKED")? {
            self.max_parked = max;
        }
        if let Some(secs) = env::positive("FAAS_WORKER_PREWARM_IDLE_SECS")? {
            self.prewarm_idle = Duration::from_secs(secs as u64);
        }
        if let Some(listen) = env::var("FAAS_WORKER_METRICS_LISTEN") {
            self.metrics_listen = Some(listen.trim().parse().map_err(|_| {
                anyhow::anyhow!(
                    "FAAS_WORKER_METRICS_LISTEN={listen:?} is not an address (use e.g. 0.0.0.0:9102)"
                )
            })?);
        }
        self.oci = oci_settings_from_env()?;
        Ok(self)
    }
}

/// `FAAS_WORKER_RUNTIME` and, for `oci`, the backend's settings; a setting of the
/// OCI backend without it is an error rather than ignored.
fn oci_settings_from_env() -> anyhow::Result<Option<OciSettings>> {
    const OCI_VARS: [&str; 4] = [
        "FAAS_WORKER_OCI_RUNTIME",
        "FAAS_WORKER_OCI_DIR",
        "FAAS_WORKER_ROOTFS_CACHE_MB",
        "FAAS_WORKER_SECCOMP_PROFILE",
    ];
    let runtime = env::var("FAAS_WORKER_RUNTIME");
    match runtime.as_deref().map(str::trim) {
        None | Some("docker") => {
            if let Some(set) = OCI_VARS.iter().find(|name| env::var(name).is_some()) {
                anyhow::bail!(
                    "{set} is set but the worker runs functions on Docker: set FAAS_WORKER_RUNTIME=oci too, or unset {set}"
                );
            }
            return Ok(None);
        }
        Some("oci") => {}
        Some(other) => anyhow::bail!(
            "FAAS_WORKER_RUNTIME={other:?} is not a runtime: use docker (the default: the Docker Engine runs every function) or oci (crun or runc run them directly; needs root)"
        ),
    }
    let mut settings = default_oci_settings();
    if let Some(path) = env::var("FAAS_WORKER_OCI_RUNTIME") {
        settings.runtime = Some(path.into());
    }
    if let Some(dir) = env::var("FAAS_WORKER_OCI_DIR") {
        settings.dir = dir.into();
    }
    if let Some(mb) = env::positive("FAAS_WORKER_ROOTFS_CACHE_MB")? {
        settings.rootfs_cache_bytes = mb as u64 * 1024 * 1024;
    }
    if let Some(path) = env::var("FAAS_WORKER_SECCOMP_PROFILE") {
        settings.seccomp_profile = path.into();
    }
    Ok(Some(settings))
}

/// `name` in the directory of the running executable, if it is there.
fn beside_the_worker(name: &str) -> Option<PathBuf> {
    let path = std::env::current_exe().ok()?.parent()?.join(name);
    path.is_file().then_some(path)
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
