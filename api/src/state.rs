//! [`AppState`]: what every request handler can reach, connected once at start-up.

use std::time::Duration;

use async_nats::jetstream;
use faas_process::signing::RequestKey;
use faas_shared::nats::SERVER_INBOX_PREFIX;
use tokio::sync::watch;

use crate::auth::{TokenKeys, hash_password};
use crate::config::{Limits, ServerConfig};
use crate::store::{self, Revocations, Store};
use crate::throttle::Throttle;

pub struct AppState {
    pub nats: async_nats::Client,
    pub jetstream: jetstream::Context,
    pub store: Store,
    pub tokens: TokenKeys,
    /// The deny-list of revoked tokens (KV `faas_revoked`).
    pub revocations: Revocations,
    pub limits: Limits,
    /// Which registries functions' images may come from.
    pub image_policy: faas_shared::image_policy::ImagePolicy,
    /// Counts the NATS client's (re)connections. A reconnect may have lost result
    /// messages, so invocations waiting for one look at the activation record then.
    pub nats_connections: watch::Receiver<u64>,
    /// A real argon2id hash of a random password. Logins for unknown users are
    /// checked against it so that they take as long as a wrong password.
    pub decoy_password_hash: String,
    /// Signs every activation request, so workers run only what the server queued.
    pub request_key: RequestKey,
    /// Abuse limits: login and registration rates, concurrent hashes.
    pub throttle: Throttle,
    /// Seals users' secrets; `None` when `FAAS_SECRETS_KEY_FILE` is not set.
    pub secret_keys: Option<faas_process::secrets::SecretKeys>,
}

impl AppState {
    /// Connects to NATS (waiting up to `connect_timeout` for it to come up) and makes
    /// sure the stream and buckets exist.
    pub async fn connect(config: &ServerConfig, connect_timeout: Duration) -> anyhow::Result<Self> {
        let tokens = TokenKeys::from_private_pem(&config.jwt_private_key_pem, config.token_ttl)?;
        let who = faas_process::nats::Identity {
            name: "faas-server",
            credentials: config.nats_credentials.as_ref(),
            inbox_prefix: SERVER_INBOX_PREFIX,
        };
        let nats = faas_process::nats::connect(&config.nats_url, who, connect_timeout).await?;
        let jetstream = jetstream::new(nats.client.clone());
        let store = store::connect(&jetstream, &config.limits, config.nats_replicas).await?;
        let revocations =
            store::open_revocations(&jetstream, config.token_ttl, config.nats_replicas).await?;
        let decoy_password_hash = hash_password(uuid::Uuid::new_v4().to_string())
            .await
            .map_err(|_| anyhow::anyhow!("cannot hash the decoy password"))?;
        Ok(Self {
            nats: nats.client,
            jetstream,
            store,
            tokens,
            revocations,
            limits: config.limits.clone(),
            image_policy: config.image_policy.clone(),
            nats_connections: nats.connections,
            decoy_password_hash,
            request_key: config.request_key.clone(),
            throttle: Throttle::new(config.abuse.clone()),
            secret_keys: config.secret_keys.clone(),
        })
    }
}
