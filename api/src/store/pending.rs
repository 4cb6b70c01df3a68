//! Markers of unfinished asynchronous activations (KV `faas_pending`, kept as long
//! as the records), and waiting for a record to be stored.
//!
//! The server writes a marker when it queues an activation with `?async=true`, so
//! `GET /v1/activations/{id}` can answer 202 (queued or running) rather than 404
//! until the worker stores the record. The record always wins: a marker left behind
//! is never read once the record exists.

use async_nats::jetstream::kv;
use chrono::{DateTime, Utc};
use faas_shared::ActivationRecord;
use faas_shared::nats::activation_key;
use futures::StreamExt;
use serde::{Deserialize, Serialize};

use super::handle::{Store, encode, get_json};
use crate::error::AppError;

/// What the server knows of an activation it queued.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PendingMarker {
    pub function: String,
    pub queued_at: DateTime<Utc>,
    /// Its request's sequence in `FAAS_ACTIVATIONS`: once the workers' consumer has
    /// been handed it, it is running.
    pub sequence: u64,
}

impl Store {
    pub async fn put_pending(
        &self,
        owner: &str,
        id: &str,
        marker: &PendingMarker,
    ) -> Result<(), AppError> {
        self.pending
            .put(activation_key(owner, id), encode(marker)?)
            .await
            .map(drop)
            .map_err(|e| AppError::backend("recording the queued activation", e))
    }

    pub async fn pending(&self, owner: &str, id: &str) -> Result<Option<PendingMarker>, AppError> {
        get_json(
            &self.pending,
            &activation_key(owner, id),
            "reading the activation",
        )
        .await
    }

    /// The record of the activation, as soon as it is stored and at most within
    /// `wait`. A KV watch with history delivers a record stored before the watch
    /// started too, so none is missed between a read and the watch.
    pub async fn wait_for_record(
        &self,
        owner: &str,
        id: &str,
        wait: std::time::Duration,
    ) -> Result<Option<ActivationRecord>, AppError> {
        let key = activation_key(owner, id);
        let mut watch = self
            .activations
            .watch_with_history(&key)
            .await
            .map_err(|e| AppError::backend("waiting for the activation", e))?;
        let deadline = tokio::time::sleep(wait);
        tokio::pin!(deadline);
        loop {
            tokio::select! {
                entry = watch.next() => match entry {
                    Some(Ok(entry)) if entry.operation == kv::Operation::Put => {
                        return self
                            .payloads
                            .unpack(&entry.value)
                            .await
                            .map(Some)
                            .map_err(|e| AppError::backend("reading the activation", e));
                    }
                    Some(Ok(_)) => {}
                    Some(Err(e)) => return Err(AppError::backend("waiting for the activation", e)),
                    None => return self.activation(owner, id).await,
                },
                () = &mut deadline => return Ok(None),
            }
        }
    }
}
