//! The secrets an activation names: fetched sealed from KV `faas_secrets` (the
//! worker may read that bucket, never write it) and opened with the platform's
//! secrets key, for the runtime to hand to the function as files. Their values go
//! nowhere else: not in logs, the record, the environment or the command line.

use async_nats::jetstream::{self, kv};
use faas_process::secrets::{SealedSecret, SecretKeys};
use faas_shared::activation::ActivationRequest;
use faas_shared::nats::{SECRETS_BUCKET, secret_key};
use faas_shared::{RunFailure, RunFailureKind};
use tokio::sync::OnceCell;

pub(crate) struct Secrets {
    jetstream: jetstream::Context,
    bucket: OnceCell<kv::Store>,
    keys: Option<SecretKeys>,
}

impl Secrets {
    pub(crate) fn new(jetstream: jetstream::Context, keys: Option<SecretKeys>) -> Self {
        Self {
            jetstream,
            bucket: OnceCell::new(),
            keys,
        }
    }

    /// Each secret the request names, opened, in its order; or why the activation
    /// cannot run (a secret deleted since it was queued, no key, NATS away).
    pub(crate) async fn resolve(
        &self,
        request: &ActivationRequest,
    ) -> Result<Vec<(String, Vec<u8>)>, RunFailure> {
        if request.secrets.is_empty() {
            return Ok(Vec::new());
        }
        let runtime = |message: String| RunFailure {
            kind: RunFailureKind::Runtime,
            message,
        };
        let keys = self.keys.as_ref().ok_or_else(|| {
            runtime(
                "this worker cannot open secrets: its operator has not set FAAS_SECRETS_KEY_FILE"
                    .into(),
            )
        })?;
        let bucket = self
            .bucket
            .get_or_try_init(|| self.jetstream.get_key_value(SECRETS_BUCKET))
            .await
            .map_err(|e| runtime(format!("the {SECRETS_BUCKET} bucket is not available: {e}")))?;
        let mut opened = Vec::with_capacity(request.secrets.len());
        for name in &request.secrets {
            let value = bucket
                .get(secret_key(&request.owner, name))
                .await
                .map_err(|e| runtime(format!("reading secret {name:?} failed: {e}")))?
                .ok_or_else(|| RunFailure {
                    kind: RunFailureKind::SecretNotFound,
                    message: format!(
                        "secret {name:?} was deleted after the activation was queued: set it again with `faasctl secret set {name}`"
                    ),
                })?;
            let sealed: SealedSecret = serde_json::from_slice(&value)
                .map_err(|_| runtime(format!("secret {name:?} is not a sealed value")))?;
            let value = keys
                .open(&request.owner, name, &sealed)
                .map_err(|e| runtime(format!("secret {name:?} cannot be opened: {e}")))?;
            opened.push((name.clone(), value));
        }
        Ok(opened)
    }
}
