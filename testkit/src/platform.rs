//! A running faas platform, started one of two ways, and the workers a test runs.
//!
//! - [`Platform::dev`]: `faas-server dev` in-process (a private nats-server, a
//!   worker on the local Docker Engine, the HTTPS API with its dev CA), the way a
//!   developer or a `faasctl` user meets the platform.
//! - [`Platform::parts`]: the parts one by one, as in a deployment: a [`Nats`] the
//!   test can kill and restart, the API server alone over plain HTTP
//!   (`faas_api::run`), and no worker until the test starts one.
//!
//! Either way the test talks to it through [`Api`] (the platform derefs to it).

use std::ops::Deref;
use std::path::Path;
use std::time::Duration;

use faas_api::Limits;
use faas_api::config::AbuseLimits;
use faas_dev::nats_auth::NatsAuth;
use faas_dev::{DevOptions, DevStack};
use faas_worker::WorkerConfig;
use reqwest::StatusCode;
use tempfile::TempDir;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::api::Api;
use crate::nats::Nats;

/// The server's limits in the kit: the defaults, but no account is new (every
/// test registers its users just before it uses them, and the new accounts' one
/// shared share would make the tests of other things wait on one another); a
/// test of that pool sets `new_account_age` itself.
fn kit_limits() -> Limits {
    Limits {
        new_account_age: Duration::ZERO,
        ..Limits::default()
    }
}

/// A running platform, started as the dev stack or as parts (see the module doc).
pub struct Platform {
    api: Api,
    /// What the server was given, and what workers the test starts get.
    nats_url: String,
    /// The PKCS#8 PEM key the server signs tokens with.
    jwt_key_pem: String,
    /// The server's limits, which replicas get too.
    limits: Limits,
    /// The server's abuse limits (the parts' server and its replicas).
    abuse: AbuseLimits,
    /// The NATS users and the request key (workers log in as the worker user).
    nats_auth: NatsAuth,
    running: Running,
}

/// How the platform runs, and what stopping it stops.
enum Running {
    Dev {
        stack: DevStack,
        /// The data dir when the kit made it, kept as long as the stack runs.
        _temp_dir: Option<TempDir>,
    },
    Parts {
        nats: Nats,
        stop_server: CancellationToken,
        server: JoinHandle<anyhow::Result<()>>,
    },
}

impl Platform {
    /// The dev stack with default limits, in a temporary data dir.
    pub async fn dev() -> Self {
        Self::dev_with(|_| {}).await
    }

    /// The dev stack with the limits `configure` sets.
    pub async fn dev_with(configure: impl FnOnce(&mut Limits)) -> Self {
        let mut limits = kit_limits();
        configure(&mut limits);
        let temp_dir = tempfile::tempdir().unwrap();
        let data_dir = temp_dir.path().to_owned();
        Self::start_dev(&data_dir, Some(temp_dir), limits, AbuseLimits::default()).await
    }

    /// The dev stack with the abuse limits (logins, registrations, hashing, headers,
    /// quota) `configure` sets.
    pub async fn dev_with_abuse(configure: impl FnOnce(&mut AbuseLimits)) -> Self {
        let mut abuse = AbuseLimits::default();
        configure(&mut abuse);
        let temp_dir = tempfile::tempdir().unwrap();
        let data_dir = temp_dir.path().to_owned();
        Self::start_dev(&data_dir, Some(temp_dir), kit_limits(), abuse).await
    }

    /// The dev stack in a data dir the caller keeps, e.g. to start it again on the
    /// same NATS store, CA and signing key.
    pub async fn dev_in(data_dir: &Path) -> Self {
        Self::start_dev(data_dir, None, kit_limits(), AbuseLimits::default()).await
    }

    async fn start_dev(
        data_dir: &Path,
        temp_dir: Option<TempDir>,
        limits: Limits,
        abuse: AbuseLimits,
    ) -> Self {
        faas_process::install_crypto_provider();
        let mut options = DevOptions {
            listen: "127.0.0.1:0".parse().unwrap(),
            data_dir: data_dir.to_owned(),
            ..DevOptions::default()
        };
        options.server.limits = limits.clone();
        options.server.abuse = abuse;
        let stack = DevStack::start(options)
            .await
            .expect("the dev platform starts (needs nats-server on PATH and Docker)");
        let jwt_key_pem =
            std::fs::read_to_string(stack.ca_cert.with_file_name("jwt-key.pem")).unwrap();
        Self {
            api: Api::trusting(&stack.url, &stack.ca_cert),
            nats_url: stack.nats_url.clone(),
            jwt_key_pem,
            limits,
            abuse: AbuseLimits::default(),
            nats_auth: stack.nats_auth.clone(),
            running: Running::Dev {
                stack,
                _temp_dir: temp_dir,
            },
        }
    }

    /// A private NATS and a ready API server with default limits; no worker.
    pub async fn parts() -> Self {
        Self::parts_with(|_| {}).await
    }

    /// The parts, the server with the limits `configure` sets.
    pub async fn parts_with(configure: impl FnOnce(&mut Limits)) -> Self {
        let mut limits = kit_limits();
        configure(&mut limits);
        let nats = Nats::start().await;
        let url = nats.url().to_owned();
        Self::serve(nats, &url, limits, AbuseLimits::default()).await
    }

    /// The parts, the server with the abuse limits (read timeouts, connections,
    /// rates) `configure` sets.
    pub async fn parts_with_abuse(configure: impl FnOnce(&mut AbuseLimits)) -> Self {
        let mut abuse = AbuseLimits::default();
        configure(&mut abuse);
        let nats = Nats::start().await;
        let url = nats.url().to_owned();
        Self::serve(nats, &url, kit_limits(), abuse).await
    }

    /// The API server alone on a NATS the test started, reaching it through
    /// `nats_url` (which may list several servers of a cluster). Workers started
    /// with [`Platform::worker`] get the same `nats_url`.
    pub async fn parts_on(nats: Nats, nats_url: &str) -> Self {
        Self::serve(nats, nats_url, kit_limits(), AbuseLimits::default()).await
    }

    /// Starts the API server (`faas_api::run`, plain HTTP) and waits until it is
    /// ready.
    async fn serve(nats: Nats, nats_url: &str, limits: Limits, abuse: AbuseLimits) -> Self {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let jwt_key_pem = key.serialize_pem();
        let replica = Replica::start(
            nats_url,
            &jwt_key_pem,
            limits.clone(),
            abuse.clone(),
            nats.auth(),
        )
        .await;
        Self {
            api: replica.api,
            nats_url: nats_url.to_owned(),
            jwt_key_pem,
            limits,
            abuse,
            nats_auth: nats.auth().clone(),
            running: Running::Parts {
                nats,
                stop_server: replica.stop,
                server: replica.server,
            },
        }
    }

    /// Another API server replica (plain HTTP) on this platform's NATS, with the
    /// same signing key and limits, as a deployment runs several behind the
    /// gateway.
    pub async fn replica(&self) -> Replica {
        Replica::start(
            &self.nats_url,
            &self.jwt_key_pem,
            self.limits.clone(),
            self.abuse.clone(),
            &self.nats_auth,
        )
        .await
    }

    /// The PKCS#8 PEM key the server signs tokens with, for tests that sign their
    /// own claims.
    pub fn jwt_key_pem(&self) -> &str {
        &self.jwt_key_pem
    }

    /// Starts a worker on this platform's NATS (as its worker user, with the
    /// server's request key), configured by `configure`.
    pub fn worker(&self, configure: impl FnOnce(&mut WorkerConfig)) -> Worker {
        let mut config = WorkerConfig::new(&self.nats_url);
        config.nats_credentials = Some(self.nats_auth.worker.clone());
        config.request_key = self.nats_auth.request_key.clone();
        config.secret_keys = Some(self.nats_auth.secret_keys.clone());
        configure(&mut config);
        Worker::start(config)
    }

    /// The CA certificate the dev stack's HTTPS is signed with (beside it in the
    /// data dir: the JWT signing key).
    pub fn ca_cert(&self) -> &Path {
        match &self.running {
            Running::Dev { stack, .. } => &stack.ca_cert,
            Running::Parts { .. } => panic!("only the dev stack has a CA: use Platform::dev"),
        }
    }

    /// The NATS URL the server was given (the dev stack's own NATS, or the parts').
    pub fn nats_url(&self) -> &str {
        &self.nats_url
    }

    /// The NATS users' passwords and the request signing key.
    pub fn nats_auth(&self) -> &NatsAuth {
        &self.nats_auth
    }

    /// The NATS server the kit started for the parts.
    pub fn nats(&self) -> &Nats {
        match &self.running {
            Running::Parts { nats, .. } => nats,
            Running::Dev { .. } => panic!("the dev stack keeps its NATS: use Platform::parts"),
        }
    }

    /// The same, to kill and restart it.
    pub fn nats_mut(&mut self) -> &mut Nats {
        match &mut self.running {
            Running::Parts { nats, .. } => nats,
            Running::Dev { .. } => panic!("the dev stack keeps its NATS: use Platform::parts"),
        }
    }

    /// Stops the API server (and the dev stack's worker and NATS); it must stop
    /// cleanly.
    pub async fn stop(self) {
        match self.running {
            Running::Dev { stack, .. } => stack.stop().await.unwrap(),
            Running::Parts {
                stop_server,
                server,
                ..
            } => {
                stop_server.cancel();
                server.await.unwrap().unwrap();
            }
        }
    }
}

impl Deref for Platform {
    type Target = Api;

    fn deref(&self) -> &Api {
        &self.api
    }
}

/// An API server replica a test started ([`Platform::replica`]); derefs to its
/// [`Api`].
pub struct Replica {
    api: Api,
    stop: CancellationToken,
    server: JoinHandle<anyhow::Result<()>>,
}

impl Replica {
    /// Starts `faas_api::run` over plain HTTP and waits until it is ready.
    async fn start(
        nats_url: &str,
        jwt_key_pem: &str,
        limits: Limits,
        abuse: AbuseLimits,
        auth: &NatsAuth,
    ) -> Self {
        let mut config = faas_api::ServerConfig::new(nats_url, jwt_key_pem);
        config.limits = limits;
        config.abuse = abuse;
        config.nats_credentials = Some(auth.server.clone());
        config.request_key = auth.request_key.clone();
        config.secret_keys = Some(auth.secret_keys.clone());
        Self::serve(config).await
    }

    /// Starts `faas_api::run` with `config` over plain HTTP on a free loopback
    /// port, and waits until it is ready.
    pub async fn serve(config: faas_api::ServerConfig) -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let api = Api::plain(format!("http://{}", listener.local_addr().unwrap()));
        let stop = CancellationToken::new();
        let server = tokio::spawn(faas_api::run(
            config,
            listener,
            stop.clone().cancelled_owned(),
        ));
        assert!(
            api.wait_ready(StatusCode::OK).await,
            "the server became ready"
        );
        Self { api, stop, server }
    }

    /// Stops the replica; it must stop cleanly.
    pub async fn stop(self) {
        self.stop.cancel();
        self.server.await.unwrap().unwrap();
    }
}

impl Deref for Replica {
    type Target = Api;

    fn deref(&self) -> &Api {
        &self.api
    }
}

/// A worker running in this process (`faas_worker::run`): stopped gracefully, or
/// crashed (no ack, no clean-up).
pub struct Worker {
    task: JoinHandle<anyhow::Result<()>>,
    shutdown: CancellationToken,
}

impl Worker {
    pub fn start(config: WorkerConfig) -> Self {
        faas_process::install_crypto_provider();
        let shutdown = CancellationToken::new();
        let task = tokio::spawn(faas_worker::run(config, shutdown.clone().cancelled_owned()));
        Self { task, shutdown }
    }

    /// Asks the worker to stop, as SIGTERM would, and returns at once.
    pub fn shut_down(&self) {
        self.shutdown.cancel();
    }

    /// Stops the worker; it must end cleanly within 35 s (past the 30 s ack wait).
    pub async fn stop(self) {
        self.shut_down();
        self.stopped_within(Duration::from_secs(35)).await;
    }

    /// Waits for a worker told to [shut down](Worker::shut_down); it must end
    /// cleanly within `limit`.
    pub async fn stopped_within(self, limit: Duration) {
        tokio::time::timeout(limit, self.task)
            .await
            .unwrap_or_else(|_| panic!("the worker did not stop within {limit:?}"))
            .unwrap()
            .unwrap();
    }

    /// Kills the worker mid-work, like a crash: no result, no ack, no clean-up.
    pub async fn crash(self) {
        self.task.abort();
        let _ = self.task.await;
    }

    pub fn is_finished(&self) -> bool {
        self.task.is_finished()
    }
}
