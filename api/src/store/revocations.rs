//! The deny-list of revoked tokens (KV `faas_revoked`, token id → its expiry),
//! shared by every server replica: logout puts a token on it, every session check
//! reads it.

use async_nats::jetstream::kv;

use crate::error::AppError;

/// The deny-list of revoked tokens, shared by every server replica.
#[derive(Clone)]
pub struct Revocations {
    bucket: kv::Store,
}

impl Revocations {
    pub(super) fn new(bucket: kv::Store) -> Self {
        Self { bucket }
    }

    /// Puts `jti` (a validated token id) on the deny-list.
    pub async fn revoke(&self, jti: &str, expires_at: i64) -> Result<(), AppError> {
        self.bucket
            .put(jti, expires_at.to_string().into())
            .await
            .map(drop)
            .map_err(|e| AppError::backend("revoking the token", e))
    }

    pub async fn is_revoked(&self, jti: &str) -> Result<bool, AppError> {
        self.bucket
            .get(jti)
            .await
            .map(|value| value.is_some())
            .map_err(|e| AppError::backend("checking the token", e))
    }
}
