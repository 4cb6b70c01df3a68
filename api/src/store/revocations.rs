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

    /// Whether `jti` is on the deny-list, read from the bucket's stream leader
    /// (`super::handle::current_entry`): a logout must hold at once on every
    /// replica, so a replica behind the leader must not answer.
    pub async fn is_revoked(&self, jti: &str) -> Result<bool, AppError> {
        super::handle::current_entry(&self.bucket, jti, "checking the token")
            .await
            .map(|value| value.is_some())
    }
}
