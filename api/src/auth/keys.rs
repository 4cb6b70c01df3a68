//! API keys as credentials: the stored hash of a key's secret, and accepting a key
//! as the bearer of a request.

use std::time::Duration;

use chrono::Utc;
use faas_shared::ErrorCode;
use faas_shared::keys::KeySecret;

use crate::error::AppError;
use crate::store::{Store, StoredUser};

/// A key's "last used" is written at most this often, so a busy CI job does not
/// turn every request into a KV write.
const LAST_USED_RESOLUTION: Duration = Duration::from_secs(60);

/// The stored form of an API key's random part: hex SHA-256. The part is 256
/// random bits, so a fast hash is as safe as a slow one and costs microseconds per
/// request instead of argon2's tens of milliseconds.
pub fn hash_key_secret(random: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(random.as_bytes()))
}

/// Whether an API key's random part matches its stored hash, compared in constant
/// time.
fn key_secret_matches(random: &str, stored_sha256: &str) -> bool {
    use subtle::ConstantTimeEq;
    let computed = hash_key_secret(random);
    computed.len() == stored_sha256.len()
        && bool::from(computed.as_bytes().ct_eq(stored_sha256.as_bytes()))
}

/// The owner of a valid API key: the secret has the key's shape, the key exists
/// and its hash matches, it has not expired, and its account exists, is not being
/// deleted, is not younger than the key (a new account of the same name never
/// inherits one) and has not changed its password since the key was made (the
/// key's generation is the account's). Two KV reads, made concurrently.
pub async fn authenticate_key(
    store: &Store,
    secret: &str,
) -> Result<(String, StoredUser), AppError> {
    let unauthorized = |message: &str| AppError::new(ErrorCode::Unauthorized, message);
    let invalid =
        "the API key is invalid or has been removed: create one with `faasctl key create`";
    let parsed = KeySecret::parse(secret).ok_or_else(|| unauthorized(invalid))?;
    let (key, user) = tokio::join!(
        store.key_entry(parsed.owner, parsed.name),
        store.user_entry(parsed.owner),
    );
    let Some((key, revision)) = key? else {
        return Err(unauthorized(invalid));
    };
    if !key_secret_matches(parsed.random, &key.secret_sha256) {
        return Err(unauthorized(invalid));
    }
    let now = Utc::now();
    if now >= key.expires_at {
        return Err(AppError::new(
            ErrorCode::TokenExpired,
            format!(
                "the API key {:?} expired at {}: create a new one (`faasctl key create`)",
                key.name, key.expires_at
            ),
        ));
    }
    let user = match user? {
        Some((user, _)) if user.deleting_since.is_none() && user.created_at <= key.created_at => {
            user
        }
        _ => return Err(unauthorized("the API key's account no longer exists")),
    };
    // A password change revokes every key made before it (the key's generation is
    // the account's when it was made).
    if key
        .generation
        .as_ref()
        .is_some_and(|generation| *generation != user.token_generation)
    {
        return Err(unauthorized(
            "the API key was revoked by a password change: create a new one (`faasctl key create`)",
        ));
    }
    let stale = key
        .last_used_at
        .is_none_or(|last| (now - last).to_std().unwrap_or_default() >= LAST_USED_RESOLUTION);
    if stale {
        let store = store.clone();
        let owner = parsed.owner.to_owned();
        tokio::spawn(async move { store.touch_key(&owner, &key, revision).await });
    }
    Ok((parsed.owner.to_owned(), user))
}

#[cfg(test)]
mod tests {
    #[test]
    fn key_secrets_match_only_their_own_hash() {
        let stored = super::hash_key_secret("ab12");
        assert!(super::key_secret_matches("ab12", &stored));
        assert!(!super::key_secret_matches("ab13", &stored));
        assert!(!super::key_secret_matches("ab12", &stored[1..]));
    }
}
