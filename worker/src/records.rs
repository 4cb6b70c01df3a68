//! What the worker reads from and writes to NATS besides the queue: activation
//! records (KV `faas_activations`) and the large bodies behind claim checks (Object
//! Store `faas_payloads`). Both are opened on first use: a missing bucket (the
//! server has not created it yet) must not stop activations from running.

use async_nats::jetstream::{self, kv};
use bytes::Bytes;
use faas_process::claim::{self, Payloads};
use faas_shared::ActivationRecord;
use faas_shared::nats::ACTIVATIONS_BUCKET;
use serde::de::DeserializeOwned;
use tokio::sync::OnceCell;

pub(crate) struct Records {
    jetstream: jetstream::Context,
    store: OnceCell<kv::Store>,
    payloads: OnceCell<Payloads>,
}

impl Records {
    pub(crate) fn new(jetstream: jetstream::Context) -> Self {
        Self {
            jetstream,
            store: OnceCell::new(),
            payloads: OnceCell::new(),
        }
    }

    async fn store(&self) -> anyhow::Result<&kv::Store> {
        self.store
            .get_or_try_init(|| self.jetstream.get_key_value(ACTIVATIONS_BUCKET))
            .await
            .map_err(|e| anyhow::anyhow!("the {ACTIVATIONS_BUCKET} bucket is not available: {e}"))
    }

    async fn payloads(&self) -> anyhow::Result<&Payloads> {
        self.payloads
            .get_or_try_init(|| Payloads::open(&self.jetstream))
            .await
    }

    /// A request or record as it travelled: inline, or behind a claim check.
    pub(crate) async fn unpack<T: DeserializeOwned>(&self, body: &[u8]) -> anyhow::Result<T> {
        if claim::claimed(body).is_none() {
            return Ok(serde_json::from_slice(body)?);
        }
        self.payloads().await?.unpack(body).await
    }

    /// The JSON a request's body stands for: itself, or what its claim check names.
    pub(crate) async fn unpack_json(&self, body: &[u8]) -> anyhow::Result<Bytes> {
        if claim::claimed(body).is_none() {
            return Ok(Bytes::copy_from_slice(body));
        }
        self.payloads().await?.unpack_json(body).await
    }

    /// `record` as one body for both the KV value and the result message: inline
    /// when it fits one NATS message (which needs no bucket, so a small failure
    /// record can still be reported when the bucket is gone), else stored under `key`.
    pub(crate) async fn pack(&self, key: &str, record: &ActivationRecord) -> anyhow::Result<Bytes> {
        let json = serde_json::to_vec(record)?;
        if json.len() <= claim::inline_limit(&self.jetstream.client()) {
            return Ok(json.into());
        }
        self.payloads().await?.pack(key, record).await
    }

    /// Removes a body that is no longer needed (a request once it is acked).
    pub(crate) async fn discard(&self, name: &str) {
        if let Ok(payloads) = self.payloads().await {
            payloads.discard(name).await;
        }
    }

    /// The record of the activation at `key`, if it has finished.
    pub(crate) async fn finished(&self, key: &str) -> Option<ActivationRecord> {
        let value = self.store().await.ok()?.get(key).await.ok()??;
        self.unpack(&value).await.ok()
    }

    /// Stores a packed record.
    pub(crate) async fn put(&self, key: &str, body: Bytes) -> anyhow::Result<()> {
        self.store().await?.put(key, body).await?;
        Ok(())
    }
}
