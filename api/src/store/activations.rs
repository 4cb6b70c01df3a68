//! Activation records in KV `faas_activations` (`<owner>.<id>`, kept 24 h), which
//! the workers write: one record, or a page of the owner's. A record too large for
//! one message is in the payloads bucket, and read from there.

use faas_shared::ActivationRecord;
use faas_shared::nats::{ACTIVATIONS_BUCKET, activation_key};

use super::handle::{Store, owner_keys};
use crate::error::AppError;

impl Store {
    /// One of the owner's activation records.
    pub async fn activation(
        &self,
        owner: &str,
        id: &str,
    ) -> Result<Option<ActivationRecord>, AppError> {
        self.record(&activation_key(owner, id), "reading the activation")
            .await
    }

    /// A record, fetched from the payloads bucket when the worker stored it there.
    async fn record(&self, key: &str, context: &str) -> Result<Option<ActivationRecord>, AppError> {
        let Some(value) = self
            .activations
            .get(key)
            .await
            .map_err(|e| AppError::backend(context, e))?
        else {
            return Ok(None);
        };
        self.payloads
            .unpack(&value)
            .await
            .map(Some)
            .map_err(|e| AppError::backend(context, e))
    }

    /// Up to `limit` of the owner's records (of `function`, if given) older than
    /// activation `before`, newest first, and whether older keys follow.
    pub async fn activations_page(
        &self,
        owner: &str,
        function: Option<&str>,
        before: Option<&str>,
        limit: usize,
    ) -> Result<(Vec<ActivationRecord>, bool), AppError> {
        let before = before.map(|id| activation_key(owner, id));
        let keys = owner_keys(&self.activations, ACTIVATIONS_BUCKET, owner).await?;
        let mut keys = keys
            .into_iter()
            .rev()
            .filter(|key| before.as_ref().is_none_or(|before| key < before));
        let mut records = Vec::new();
        for key in keys.by_ref() {
            let record = self.record(&key, "listing activations").await?;
            records.extend(record.filter(|r| function.is_none_or(|f| r.activation.function == f)));
            if records.len() == limit {
                break;
            }
        }
        Ok((records, keys.next().is_some()))
    }
}
