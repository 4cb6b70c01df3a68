//! The activation record bucket (KV `faas_activations`), opened on first use:
//! records are a fallback for the server, so a missing bucket (the server has not
//! created it yet) must not stop activations from running.

use async_nats::jetstream::{self, kv};
use faas_shared::ActivationRecord;
use faas_shared::nats::ACTIVATIONS_BUCKET;
use tokio::sync::OnceCell;

pub(crate) struct Records {
    jetstream: jetstream::Context,
    store: OnceCell<kv::Store>,
}

impl Records {
    pub(crate) fn new(jetstream: jetstream::Context) -> Self {
        Self {
            jetstream,
            store: OnceCell::new(),
        }
    }

    /// The bucket, or `None` (logged) while it does not exist; tried again next time.
    async fn store(&self) -> Option<&kv::Store> {
        let opened = self
            .store
            .get_or_try_init(|| self.jetstream.get_key_value(ACTIVATIONS_BUCKET))
            .await;
        match opened {
            Ok(store) => Some(store),
            Err(e) => {
                tracing::warn!(error = %e, "the {ACTIVATIONS_BUCKET} bucket is not available; activation not recorded");
                None
            }
        }
    }

    /// The record of the activation at `key`, if it has finished.
    pub(crate) async fn finished(&self, key: &str) -> Option<ActivationRecord> {
        let value = self.store().await?.get(key).await.ok()??;
        serde_json::from_slice(&value).ok()
    }

    /// Stores `record`; a failure is logged, not returned, since the result is
    /// still published.
    pub(crate) async fn put(&self, key: &str, record: &ActivationRecord) {
        let Some(store) = self.store().await else {
            return;
        };
        match serde_json::to_vec(record) {
            Ok(value) => {
                if let Err(e) = store.put(key, value.into()).await {
                    tracing::warn!(error = %e, "storing the activation record failed");
                }
            }
            Err(e) => tracing::error!(error = %e, "encoding the activation record failed"),
        }
    }
}
