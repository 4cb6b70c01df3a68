//! `faas-server dev`: the whole platform in one process, for a laptop.
//!
//! Starts (or reuses, with `nats_url`) a JetStream NATS server with its store in the
//! data dir, runs a worker in-process, and serves the API over HTTPS with a dev CA
//! whose certificate is written to `<data dir>/ca.pem`. The JWT signing key is kept
//! in the data dir too, so tokens survive restarts, and so are the NATS users'
//! passwords and the request signing key (`<data dir>/nats-auth/`, files 0600): the
//! NATS server it starts refuses clients without a password, and the in-process
//! server and worker each log in as their own user. With `nats_url` (a NATS of your
//! own) both log in with `FAAS_NATS_USER` and `FAAS_NATS_PASSWORD_FILE`, if set.

pub mod ca;
pub mod nats;
pub mod nats_auth;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::config::{Limits, ServerConfig};
use crate::serve::serve;
use crate::state::AppState;
use crate::throttle::AbuseLimits;
use ca::{ensure_dev_certificates, write_private};
use nats::NatsProcess;
use nats_auth::NatsAuth;

#[derive(Debug, Clone)]
pub struct DevOptions {
    /// Where the HTTPS API listens; port 0 picks a free port.
    pub listen: SocketAddr,
    /// NATS store, certificates and JWT key.
    pub data_dir: PathBuf,
    /// Use this NATS server instead of starting one (logging in with
    /// `FAAS_NATS_USER` and `FAAS_NATS_PASSWORD_FILE`, if set).
    pub nats_url: Option<String>,
    /// Concurrent activations of the in-process worker; `None` is its default.
    pub worker_slots: Option<usize>,
    pub limits: Limits,
    /// Login, registration, hashing, header and quota limits.
    pub abuse: AbuseLimits,
    /// Registries images may come from, for the API and the worker alike.
    pub image_policy: faas_shared::image_policy::ImagePolicy,
    /// Where `GET /metrics` is served (plain HTTP); `None`, nowhere.
    pub metrics_listen: Option<SocketAddr>,
    /// The static `faas-init` of the in-process worker (prewarm, secret files);
    /// `None`: `faas-init` beside this executable, if it is there.
    pub worker_init: Option<PathBuf>,
}

impl Default for DevOptions {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8443)),
            data_dir: PathBuf::from(".faas-dev"),
            nats_url: None,
            worker_slots: None,
            limits: Limits::default(),
            abuse: AbuseLimits::default(),
            image_policy: Default::default(),
            metrics_listen: None,
            worker_init: None,
        }
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

        let mut worker_config = faas_worker::WorkerConfig::new(&nats_url);
        if let Some(slots) = options.worker_slots {
            worker_config.slots = slots;
        }
        if let Some(init) = &options.worker_init {
            worker_config.init_binary = Some(init.clone());
        }
        let mut config = ServerConfig::new(&nats_url, jwt_key);
        config.listen = options.listen;
        config.limits = options.limits.clone();
        config.abuse = options.abuse.clone();
        // Fair share: unless set, one user may hold half the worker's slots.
        config.limits.max_inflight_per_user = config
            .limits
            .max_inflight_per_user
            .or(Some(fair_share_per_user(worker_config.slots)));
        config.tls = Some(certs.server);
        config.nats_credentials = server_login;
        config.request_key = nats_auth.request_key.clone();
        config.secret_keys = Some(nats_auth.secret_keys.clone());
        config.image_policy = options.image_policy.clone();
        let listener = std::net::TcpListener::bind(options.listen).with_context(|| {
            format!(
                "cannot listen on {}: is another faas-server running? pick another with --listen",
                options.listen
            )
        })?;
        let port = listener.local_addr()?.port();
        let state = Arc::new(AppState::connect(&config, Duration::from_secs(15)).await?);
        let metrics_url = match options.metrics_listen {
            Some(addr) => {
                let listener = crate::metrics::bind(addr)?;
                let url = format!("http://{}/metrics", listener.local_addr()?);
                crate::metrics::spawn(listener, state.clone())?;
                Some(url)
            }
            None => None,
        };

        let shutdown = CancellationToken::new();
        worker_config.nats_credentials = worker_login;
        worker_config.request_key = nats_auth.request_key.clone();
        worker_config.secret_keys = Some(nats_auth.secret_keys.clone());
        worker_config.image_policy = options.image_policy.clone();
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
