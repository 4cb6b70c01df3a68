//! `faas-dev`: the whole platform in one process, for a laptop (`faas-server dev`)
//! and for the test kit.
//!
//! Starts (or reuses, with `nats_url`) a JetStream NATS server with its store in the
//! data dir, runs a worker in-process, and serves the API over HTTPS with a dev CA
//! whose certificate is written to `<data dir>/ca.pem`. The JWT signing key is kept
//! in the data dir too, so tokens survive restarts, and so are the NATS users'
//! passwords and the request signing key (`<data dir>/nats-auth/`, files 0600): the
//! NATS server it starts refuses clients without a password, and the in-process
//! server and worker each log in as their own user. With `nats_url` (a NATS of your
//! own) both log in with `FAAS_NATS_USER` and `FAAS_NATS_PASSWORD_FILE`, if set.
//! With `examples`, the example function images the engine lacks are built first
//! (`examples.rs`).

pub mod ca;
pub mod examples;
pub mod nats;
pub mod nats_auth;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use faas_api::ServerConfig;
use faas_api::serve::serve;
use faas_api::state::AppState;
use faas_worker::WorkerConfig;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use ca::{ensure_dev_certificates, write_private};
use nats::NatsProcess;
use nats_auth::NatsAuth;

/// What to start. The API's and the worker's settings are the two binaries' own
/// config types, so dev honours every setting either reads ([`DevOptions::from_env`]);
/// [`DevStack::start`] fills in what dev owns: the NATS URL and logins, the token
/// signing key, TLS from the dev CA, the request and secrets keys, the address.
#[derive(Debug, Clone)]
pub struct DevOptions {
    /// Where the HTTPS API listens; port 0 picks a free port.
    pub listen: SocketAddr,
    /// NATS store, certificates and JWT key.
    pub data_dir: PathBuf,
    /// Use this NATS server instead of starting one (logging in with
    /// `FAAS_NATS_USER` and `FAAS_NATS_PASSWORD_FILE`, if set).
    pub nats_url: Option<String>,
    /// The API server's settings (limits, abuse limits, image policy, metrics, token
    /// lifetime). A per-user in-flight limit left unset becomes the fair share of
    /// the worker's slots.
    pub server: ServerConfig,
    /// The in-process worker's settings (slots, init binary, prewarm, network,
    /// image policy, metrics).
    pub worker: WorkerConfig,
    /// Build the example images of this folder that the engine lacks
    /// ([`examples::ensure_built`]); `None`, leave the engine's images alone.
    pub examples: Option<PathBuf>,
}

impl Default for DevOptions {
    /// Every setting at its default, none read from the environment.
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8443)),
            data_dir: PathBuf::from(".faas-dev"),
            nats_url: None,
            // The URL and signing key are dev's own; `start` fills them in.
            server: ServerConfig::new(String::new(), String::new()),
            worker: WorkerConfig::new(String::new()),
            examples: None,
        }
    }
}

impl DevOptions {
    /// The defaults with every setting `faas-server serve` and `faas-worker` read
    /// from the environment, as they read them.
    pub fn from_env() -> anyhow::Result<Self> {
        let defaults = Self::default();
        Ok(Self {
            server: defaults.server.with_env_settings()?,
            worker: defaults.worker.with_env_settings()?,
            ..defaults
        })
    }
}

/// A running dev platform. Stop it with [`DevStack::stop`]; dropping it also kills
/// the NATS server it started.
pub struct DevStack {
    /// `https://127.0.0.1:PORT`
    pub url: String,
    /// The CA certificate clients must trust.
    pub ca_cert: PathBuf,
    pub nats_url: String,
    /// The NATS users' passwords and the request signing key, in the data dir.
    pub nats_auth: NatsAuth,
    /// `http://ADDR/metrics`, when metrics are served.
    pub metrics_url: Option<String>,
    shutdown: CancellationToken,
    api: JoinHandle<anyhow::Result<()>>,
    worker: JoinHandle<anyhow::Result<()>>,
    _nats: Option<NatsProcess>,
}

impl DevStack {
    pub async fn start(options: DevOptions) -> anyhow::Result<Self> {
        faas_process::install_crypto_provider();
        if let Some(dir) = &options.examples {
            build_examples(dir).await;
        }
        let data_dir = &options.data_dir;
        std::fs::create_dir_all(data_dir)
            .with_context(|| format!("creating the data dir {}", data_dir.display()))?;
        let certs = ensure_dev_certificates(data_dir)?;
        let jwt_key = dev_jwt_key(data_dir)?;

        let nats_auth = NatsAuth::ensure(&data_dir.join("nats-auth"))?;
        let (nats, server_login, worker_login) = match &options.nats_url {
            Some(_) => {
                let login = faas_process::nats::Credentials::from_env()?;
                (None, login.clone(), login)
            }
            None => (
                Some(NatsProcess::start(&data_dir.join("nats"), &nats_auth.config).await?),
                Some(nats_auth.server.clone()),
                Some(nats_auth.worker.clone()),
            ),
        };
        let nats_url = options
            .nats_url
            .clone()
            .or_else(|| nats.as_ref().map(|n| n.url.clone()))
            .context("no NATS url")?;

        let mut worker_config = options.worker;
        worker_config.nats_url = nats_url.clone();
        let mut config = options.server;
        config.nats_url = nats_url.clone();
        config.jwt_private_key_pem = jwt_key;
        config.listen = options.listen;
        // Fair share: unless set, one user may hold half the worker's slots.
        config.limits.max_inflight_per_user = config
            .limits
            .max_inflight_per_user
            .or(Some(fair_share_per_user(worker_config.slots)));
        config.tls = Some(certs.server);
        config.nats_credentials = server_login;
        config.request_key = nats_auth.request_key.clone();
        config.secret_keys = Some(nats_auth.secret_keys.clone());
        let listener = std::net::TcpListener::bind(options.listen).with_context(|| {
            format!(
                "cannot listen on {}: is another faas-server running? pick another with --listen",
                options.listen
            )
        })?;
        let port = listener.local_addr()?.port();
        let state = Arc::new(AppState::connect(&config, Duration::from_secs(15)).await?);
        let metrics_url = match config.metrics_listen {
            Some(addr) => {
                let listener = faas_api::metrics::bind(addr)?;
                let url = format!("http://{}/metrics", listener.local_addr()?);
                faas_api::metrics::spawn(listener, state.clone())?;
                Some(url)
            }
            None => None,
        };

        let shutdown = CancellationToken::new();
        worker_config.nats_credentials = worker_login;
        worker_config.request_key = nats_auth.request_key.clone();
        worker_config.secret_keys = Some(nats_auth.secret_keys.clone());
        let worker = tokio::spawn(faas_worker::run(
            worker_config,
            shutdown.clone().cancelled_owned(),
        ));
        let tls = config.tls.clone();
        let api = tokio::spawn({
            let shutdown = shutdown.clone();
            async move { serve(state, tls.as_ref(), listener, shutdown.cancelled_owned()).await }
        });
        let host = match options.listen.ip() {
            ip if ip.is_unspecified() || ip.is_loopback() => "127.0.0.1".to_owned(),
            std::net::IpAddr::V6(ip) => format!("[{ip}]"),
            ip => ip.to_string(),
        };
        Ok(Self {
            url: format!("https://{host}:{port}"),
            ca_cert: certs.ca_cert,
            nats_url,
            nats_auth,
            metrics_url,
            shutdown,
            api,
            worker,
            _nats: nats,
        })
    }

    /// Resolves when the API or the worker stops on its own (an error).
    pub async fn failed(&mut self) -> anyhow::Error {
        let outcome = tokio::select! {
            r = &mut self.api => ("API server", r),
            r = &mut self.worker => ("worker", r),
        };
        match outcome {
            (part, Ok(Ok(()))) => anyhow::anyhow!("the {part} stopped"),
            (part, Ok(Err(e))) => e.context(format!("the {part} failed")),
            (part, Err(e)) => anyhow::anyhow!("the {part} panicked: {e}"),
        }
    }

    /// Stops the API (after in-flight requests), the worker and NATS.
    pub async fn stop(self) -> anyhow::Result<()> {
        self.shutdown.cancel();
        let (api, worker) = tokio::join!(self.api, self.worker);
        api.context("API task")??;
        worker.context("worker task")??;
        Ok(())
    }
}

/// Builds the example images the engine lacks, saying what it built; a failure
/// is a warning (the platform runs without them) naming the manual way.
async fn build_examples(dir: &std::path::Path) {
    let built = match bollard::Docker::connect_with_defaults() {
        Ok(docker) => examples::ensure_built(&docker, dir, examples::PREFIX).await,
        Err(e) => Err(e.into()),
    };
    match built {
        Ok(built) => {
            for image in built {
                println!("built the example image {image}");
            }
        }
        Err(e) => tracing::warn!(
            "the example function images could not be built ({e:#}); the walkthrough needs them: bash scripts/build-function-images.sh"
        ),
    }
}

/// The default in-flight limit per user for a platform of `capacity` slots: half of
/// them (at least one), so one user's flood always leaves the other half free for
/// everyone else, and another user's first request finds a slot at once.
pub fn fair_share_per_user(capacity: usize) -> u32 {
    u32::try_from((capacity / 2).max(1)).unwrap_or(u32::MAX)
}

/// The JWT signing key in the data dir, created on first start.
fn dev_jwt_key(data_dir: &std::path::Path) -> anyhow::Result<String> {
    let path = data_dir.join("jwt-key.pem");
    if let Ok(pem) = std::fs::read_to_string(&path) {
        return Ok(pem);
    }
    let pem = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)?.serialize_pem();
    write_private(&path, &pem)?;
    Ok(pem)
}
