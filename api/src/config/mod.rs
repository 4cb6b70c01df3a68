//! The API server's settings, read once from the environment at start-up. The
//! bottom of the crate: it imports none of it. The abuse limits ([`AbuseLimits`])
//! have a file of their own, `abuse.rs`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use faas_shared::budget::{DEFAULT_QUEUE_TIMEOUT, MAX_QUEUE_TIMEOUT};
use faas_shared::image_policy::ImagePolicy;

use anyhow::{Context, bail};
use faas_process::env;
use faas_process::nats::Credentials;
use faas_process::secrets::SecretKeys;
use faas_process::signing::RequestKey;

mod abuse;
pub use abuse::{AbuseLimits, Cidr, Rate, Registration};
pub(crate) use abuse::{canonical, masked};

/// Everything the API server needs to run. Built by [`ServerConfig::from_env`] for
/// `faas-server serve`, or by `faas-server dev` and tests from [`ServerConfig::new`].
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// `FAAS_NATS_URL`
    pub nats_url: String,
    /// `FAAS_LISTEN`, default `0.0.0.0:8080`.
    pub listen: SocketAddr,
    /// PKCS#8 PEM of the ES256 (P-256) key that signs tokens.
    pub jwt_private_key_pem: String,
    /// `FAAS_TOKEN_TTL_SECS`, default 12 h.
    pub token_ttl: Duration,
    /// PEM certificate chain and key to serve HTTPS directly (`FAAS_TLS_CERT_FILE`,
    /// `FAAS_TLS_KEY_FILE`); without them the server speaks plain HTTP, for use behind
    /// the TLS-terminating gateway.
    pub tls: Option<TlsFiles>,
    pub limits: Limits,
    /// `FAAS_NATS_REPLICAS`: replicas of every stream and bucket (3 in a cluster).
    pub nats_replicas: usize,
    /// `FAAS_NATS_USER` and `FAAS_NATS_PASSWORD_FILE`: the server's own NATS user,
    /// required by `faas-server serve`.
    pub nats_credentials: Option<Credentials>,
    /// `FAAS_REQUEST_KEY_FILE`: signs activation requests for the workers.
    /// [`ServerConfig::new`] makes a random one; workers must be given the same.
    pub request_key: RequestKey,
    /// Login, registration, hashing, header and quota limits.
    pub abuse: AbuseLimits,
    /// `FAAS_ALLOWED_REGISTRIES`: the registries functions' images may come from.
    pub image_policy: ImagePolicy,
    /// `FAAS_SECRETS_KEY_FILE` (and `FAAS_SECRETS_OLD_KEY_FILES`): seals users'
    /// secrets. Without it the secrets routes answer 503 saying so.
    pub secret_keys: Option<SecretKeys>,
    /// `FAAS_METRICS_LISTEN`: where `GET /metrics` is served (plain HTTP, its own
    /// port, never the API's); unset, no metrics are served.
    pub metrics_listen: Option<SocketAddr>,
}

#[derive(Debug, Clone)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// Admission and waiting limits.
#[derive(Debug, Clone)]
pub struct Limits {
    /// `FAAS_MAX_INFLIGHT`: activations queued or running at once, platform-wide.
    /// `None` is unlimited.
    pub max_inflight: Option<u32>,
    /// `FAAS_MAX_INFLIGHT_PER_USER`: the same, per user.
    pub max_inflight_per_user: Option<u32>,
    /// `FAAS_QUEUE_TIMEOUT_MS`: how long an activation may wait for a worker.
    pub queue_timeout: Duration,
    /// `FAAS_MAX_INFLIGHT_NEW_ACCOUNTS`: activations queued or running at once of
    /// every new account together (see [`Limits::new_account_age`]), so that many
    /// cheap accounts of one actor hold no more than one user's share. `None`
    /// (unset): the same as `max_inflight_per_user`; `Some(0)`: unlimited.
    pub max_inflight_new_accounts: Option<u32>,
    /// `FAAS_NEW_ACCOUNT_SECS` (default 24 h): an account younger than this, and
    /// not registered with an operator's invite, is new.
    pub new_account_age: Duration,
    /// `FAAS_SYNC_QUEUE` (default 0): how many synchronous calls may wait for a
    /// worker slot beyond the free ones, platform-wide. Beyond it a synchronous
    /// call is refused at once (429) instead of waiting the queue timeout for a
    /// slot and getting 503. Only applied while the workers report their slots.
    pub sync_queue: u32,
}

impl Limits {
    /// The new accounts' pool: [`Limits::max_inflight_new_accounts`], by default
    /// one user's share; `None` is unlimited.
    pub fn new_accounts_pool(&self) -> Option<u32> {
        match self.max_inflight_new_accounts {
            None => self.max_inflight_per_user,
            Some(0) => None,
            Some(n) => Some(n),
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_inflight: None,
            max_inflight_per_user: None,
            queue_timeout: DEFAULT_QUEUE_TIMEOUT,
            max_inflight_new_accounts: None,
            new_account_age: Duration::from_secs(24 * 3600),
            sync_queue: 0,
        }
    }
}

impl ServerConfig {
    /// A config with defaults for everything but the NATS URL and signing key.
    pub fn new(nats_url: impl Into<String>, jwt_private_key_pem: impl Into<String>) -> Self {
        Self {
            nats_url: nats_url.into(),
            listen: SocketAddr::from(([0, 0, 0, 0], 8080)),
            jwt_private_key_pem: jwt_private_key_pem.into(),
            token_ttl: Duration::from_secs(12 * 3600),
            tls: None,
            limits: Limits::default(),
            nats_replicas: 1,
            nats_credentials: None,
            request_key: RequestKey::random(),
            abuse: AbuseLimits::default(),
            image_policy: ImagePolicy::any_public(),
            secret_keys: Some(SecretKeys::random()),
            metrics_listen: None,
        }
    }

    /// `faas-server serve`'s config: the signing key, NATS login and request key
    /// (all required), TLS, and every setting of [`ServerConfig::with_env_settings`].
    pub fn from_env() -> anyhow::Result<Self> {
        let key_file = env::var("FAAS_JWT_PRIVATE_KEY_FILE").context(
            "FAAS_JWT_PRIVATE_KEY_FILE is not set: point it at a PKCS#8 PEM P-256 key, e.g. \
             `openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out jwt.pem` \
             (or run `faas-server dev`, which generates one)",
        )?;
        let pem = std::fs::read_to_string(&key_file)
            .with_context(|| format!("cannot read FAAS_JWT_PRIVATE_KEY_FILE {key_file}"))?;
        let mut config = Self::new(
            env::var("FAAS_NATS_URL").unwrap_or_else(|| faas_process::nats::DEFAULT_URL.into()),
            pem,
        )
        .with_env_settings()?;
        if let Some(listen) = env::var("FAAS_LISTEN") {
            config.listen = listen.parse().with_context(|| {
                format!("FAAS_LISTEN={listen:?} is not an address like 0.0.0.0:8080")
            })?;
        }
        config.tls = match (
            env::var("FAAS_TLS_CERT_FILE"),
            env::var("FAAS_TLS_KEY_FILE"),
        ) {
            (Some(cert), Some(key)) => Some(TlsFiles {
                cert: cert.into(),
                key: key.into(),
            }),
            (None, None) => None,
            _ => bail!("set both FAAS_TLS_CERT_FILE and FAAS_TLS_KEY_FILE, or neither"),
        };
        config.nats_credentials = Some(Credentials::required_from_env("faas-server")?);
        config.request_key = RequestKey::from_env()?;
        config.secret_keys = SecretKeys::from_env()?;
        Ok(config)
    }

    /// The same config with the settings that do not say who the server is read from
    /// the environment: token lifetime, admission limits, NATS replicas, abuse
    /// limits, image policy and metrics address. `faas-server dev` reads exactly
    /// these, and brings its own address, keys, TLS and NATS login.
    pub fn with_env_settings(mut self) -> anyhow::Result<Self> {
        if let Some(secs) = env::parse::<u64>("FAAS_TOKEN_TTL_SECS")? {
            self.token_ttl = Duration::from_secs(secs);
        }
        self.limits = Limits::from_env()?;
        if let Some(replicas) = env::parse::<usize>("FAAS_NATS_REPLICAS")? {
            self.nats_replicas = replicas;
        }
        self.abuse = AbuseLimits::from_env()?;
        self.image_policy = image_policy_from_env()?;
        self.metrics_listen = metrics_listen_from_env()?;
        Ok(self)
    }
}

/// `FAAS_METRICS_LISTEN`, e.g. `0.0.0.0:9090`; unset, no `/metrics`.
fn metrics_listen_from_env() -> anyhow::Result<Option<SocketAddr>> {
    env::var("FAAS_METRICS_LISTEN")
        .map(|listen| {
            listen.parse().with_context(|| {
                format!("FAAS_METRICS_LISTEN={listen:?} is not an address like 0.0.0.0:9090")
            })
        })
        .transpose()
}

impl Limits {
    pub fn from_env() -> anyhow::Result<Self> {
        let mut limits = Limits {
            max_inflight: env::limit("FAAS_MAX_INFLIGHT")?,
            max_inflight_per_user: env::limit("FAAS_MAX_INFLIGHT_PER_USER")?,
            max_inflight_new_accounts: env::parse::<u32>("FAAS_MAX_INFLIGHT_NEW_ACCOUNTS")?,
            ..Limits::default()
        };
        if let Some(secs) = env::parse::<u64>("FAAS_NEW_ACCOUNT_SECS")? {
            limits.new_account_age = Duration::from_secs(secs);
        }
        if let Some(n) = env::parse::<u32>("FAAS_SYNC_QUEUE")? {
            limits.sync_queue = n;
        }
        if let Some(ms) = env::parse::<u64>("FAAS_QUEUE_TIMEOUT_MS")? {
            limits.queue_timeout = Duration::from_millis(ms);
            // The gateway's timeout is sized for the longest queue timeout.
            anyhow::ensure!(
                limits.queue_timeout <= MAX_QUEUE_TIMEOUT,
                "FAAS_QUEUE_TIMEOUT_MS={ms} is over the largest allowed, {} ms: the gateway would give up before the server answers",
                MAX_QUEUE_TIMEOUT.as_millis()
            );
        }
        Ok(limits)
    }
}

/// `FAAS_ALLOWED_REGISTRIES`, or any public registry when unset.
fn image_policy_from_env() -> anyhow::Result<ImagePolicy> {
    match env::var(faas_shared::image_policy::ALLOWED_REGISTRIES_VAR) {
        Some(list) => ImagePolicy::parse(&list).map_err(anyhow::Error::msg),
        None => Ok(ImagePolicy::any_public()),
    }
}
