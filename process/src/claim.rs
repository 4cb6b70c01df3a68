//! Claim checks: bodies larger than one NATS message travel through NATS itself, in
//! the JetStream Object Store.
//!
//! A NATS server refuses messages over its `max_payload` (1 MiB by default, and a
//! platform may be pointed at a NATS it does not configure), while a stdin parameter
//! may be 6 MiB and a result of 1 MiB of control bytes escapes to 6 MiB of JSON. So
//! every request, result and record is packed: its JSON goes inline when it fits the
//! connected server's limit, else into bucket `faas_payloads` with a small
//! [`ClaimCheck`] in its place. Readers unpack either form.

use async_nats::jetstream::{self, object_store::ObjectStore};
use bytes::Bytes;
use faas_shared::activation::ClaimCheck;
use faas_shared::nats::PAYLOADS_BUCKET;
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::io::AsyncReadExt as _;

/// The object name when `body` is a claim check rather than the value itself.
pub fn claimed(body: &[u8]) -> Option<String> {
    serde_json::from_slice::<ClaimCheck>(body)
        .ok()
        .map(|check| check.claim_check)
}

/// The largest body the connected server takes inline in one message.
pub fn inline_limit(client: &async_nats::Client) -> usize {
    client.server_info().max_payload.saturating_sub(HEADROOM)
}

/// Room left in a message for headers (`Nats-Msg-Id`, KV and Object Store headers).
const HEADROOM: usize = 8 * 1024;

/// Packs and unpacks bodies for one NATS connection.
#[derive(Clone)]
pub struct Payloads {
    store: ObjectStore,
    inline_limit: usize,
}

impl Payloads {
    /// Opens the bucket (the server creates it with the other streams) and reads the
    /// connected server's `max_payload`.
    pub async fn open(jetstream: &jetstream::Context) -> anyhow::Result<Self> {
        let store = jetstream
            .get_object_store(PAYLOADS_BUCKET)
            .await
            .map_err(|e| anyhow::anyhow!("opening the {PAYLOADS_BUCKET} object store: {e}"))?;
        Ok(Self {
            store,
            inline_limit: inline_limit(&jetstream.client()),
        })
    }

    /// The largest body sent inline.
    pub fn inline_limit(&self) -> usize {
        self.inline_limit
    }

    /// `value` as JSON when it fits one message, else stored under `name` and
    /// replaced by its claim check. `name` must be unique to the body (an activation
    /// id plus what the body is).
    pub async fn pack<T: Serialize>(&self, name: &str, value: &T) -> anyhow::Result<Bytes> {
        self.pack_json(name, serde_json::to_vec(value)?).await
    }

    /// [`Payloads::pack`] of a value already serialized to `json`.
    pub async fn pack_json(&self, name: &str, json: Vec<u8>) -> anyhow::Result<Bytes> {
        if json.len() <= self.inline_limit {
            return Ok(json.into());
        }
        self.store
            .put(name, &mut json.as_slice())
            .await
            .map_err(|e| anyhow::anyhow!("storing a {} byte body as {name}: {e}", json.len()))?;
        let check = ClaimCheck {
            claim_check: name.to_owned(),
        };
        Ok(serde_json::to_vec(&check)?.into())
    }

    /// The value a packed body stands for, fetching it when it is a claim check.
    pub async fn unpack<T: DeserializeOwned>(&self, body: &[u8]) -> anyhow::Result<T> {
        Ok(serde_json::from_slice(&self.unpack_json(body).await?)?)
    }

    /// The JSON a packed body stands for, fetched when it is a claim check.
    pub async fn unpack_json(&self, body: &[u8]) -> anyhow::Result<Bytes> {
        let Some(name) = claimed(body) else {
            return Ok(Bytes::copy_from_slice(body));
        };
        let mut object = self
            .store
            .get(&name)
            .await
            .map_err(|e| anyhow::anyhow!("fetching the claimed body {name}: {e}"))?;
        let mut json = Vec::new();
        object
            .read_to_end(&mut json)
            .await
            .map_err(|e| anyhow::anyhow!("reading the claimed body {name}: {e}"))?;
        Ok(json.into())
    }

    /// Removes a stored body early (it expires with the records anyway).
    pub async fn discard(&self, name: &str) {
        if let Err(e) = self.store.delete(name).await {
            tracing::debug!(%name, error = %e, "discarding a claimed body");
        }
    }
}
