//! Sessions: what makes a verified token acceptable on a request. Not revoked, of
//! the account's current generation, the account not being deleted; checked
//! against the store every time, so a logout on one replica holds on all of them.

use faas_shared::ErrorCode;

use super::tokens::TokenKeys;
use crate::error::AppError;
use crate::store::{Revocations, Store, StoredUser};

/// The caller of a protected route, checked against the store on every request so
/// that a revocation on one replica holds on all of them.
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub jti: String,
    pub expires_at: i64,
    pub user: StoredUser,
    /// The user record's revision, for a conditional update.
    pub revision: u64,
}

/// Verifies `token` (signature and claims) and then checks it against the store:
/// its id is not on the deny-list, the account exists and is not being deleted
/// (unless `while_deleting`), and the token is of the account's current generation
/// (a password change or a new account of the same name starts a new one).
pub async fn authenticate(
    tokens: &TokenKeys,
    revocations: &Revocations,
    store: &Store,
    token: &str,
    while_deleting: bool,
) -> Result<Authenticated, AppError> {
    let unauthorized = |message: &str| AppError::new(ErrorCode::Unauthorized, message);
    let verified = tokens.verify(token)?;
    let (revoked, user) = tokio::join!(
        revocations.is_revoked(&verified.jti),
        store.user_entry(&verified.username),
    );
    if revoked? {
        return Err(unauthorized(
            "the token has been revoked (logged out): log in again (`faasctl login`)",
        ));
    }
    let Some((user, revision)) = user? else {
        return Err(unauthorized("the token's account no longer exists"));
    };
    if user.token_generation != verified.generation {
        return Err(unauthorized(
            "the token was revoked by a password change: log in again (`faasctl login`)",
        ));
    }
    if user.deleting_since.is_some() && !while_deleting {
        return Err(unauthorized("the token's account is being deleted"));
    }
    Ok(Authenticated {
        jti: verified.jti,
        expires_at: verified.expires_at,
        user,
        revision,
    })
}
