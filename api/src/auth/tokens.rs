//! The session tokens the API hands out, and checking one's signature and claims.
//!
//! Tokens are ES256 JWTs with the claims APISIX's `jwt-auth` consumer expects
//! (`key` = [`JWT_CONSUMER_KEY`]). The server verifies every token itself with the
//! algorithm pinned, so it stays safe when the gateway is bypassed or misconfigured.

use std::time::Duration;

use chrono::{DateTime, Utc};
use faas_shared::ErrorCode;
use faas_shared::names::validate_username;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// The `key` claim: the one APISIX `jwt-auth` consumer that accepts our tokens.
pub const JWT_CONSUMER_KEY: &str = "faas-api";

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    key: String,
    iat: i64,
    exp: i64,
    /// Honoured when present (we never set it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    nbf: Option<i64>,
    jti: String,
    /// The account's token generation when the token was issued (see
    /// [`crate::store::StoredUser::token_generation`]). Absent in tokens issued
    /// before it existed, which match accounts stored before it existed.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    r#gen: String,
}

/// Slack for clocks of different replicas, in seconds: `nbf` and `exp` are checked
/// with it, and `iat` may be this far in the future.
const LEEWAY_SECS: i64 = 5;

/// What a verified token says. The server still has to check it against the store
/// (revoked? the account's current generation?): see [`super::authenticate`].
#[derive(Debug, Clone)]
pub struct VerifiedToken {
    /// A valid username.
    pub username: String,
    /// The token's id: what logout puts on the deny-list.
    pub jti: String,
    pub expires_at: i64,
    /// The account generation it was issued for.
    pub generation: String,
}

/// Signs and verifies tokens.
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    ttl: Duration,
}

impl TokenKeys {
    /// From a PKCS#8 PEM P-256 private key.
    pub fn from_private_pem(pem: &str, ttl: Duration) -> anyhow::Result<Self> {
        let key_pair = rcgen::KeyPair::from_pem(pem)
            .map_err(|e| anyhow::anyhow!("the JWT key is not a PKCS#8 PEM key: {e}"))?;
        if !key_pair.is_compatible(&rcgen::PKCS_ECDSA_P256_SHA256) {
            anyhow::bail!("the JWT key must be an EC P-256 key (tokens are signed with ES256)");
        }
        let encoding = EncodingKey::from_ec_pem(pem.as_bytes())?;
        let decoding = DecodingKey::from_ec_pem(key_pair.public_key_pem().as_bytes())?;
        // Pinning the algorithm is what stops `alg: none` and HS256-with-the-public-key forgeries.
        let mut validation = Validation::new(Algorithm::ES256);
        validation.set_required_spec_claims(&["exp", "sub"]);
        validation.leeway = LEEWAY_SECS as u64;
        validation.validate_nbf = true;
        Ok(Self {
            encoding,
            decoding,
            validation,
            ttl,
        })
    }

    /// How long a token lives: also the longest `exp - iat` accepted.
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// A fresh token for `username`, of the account's token `generation`, and when
    /// it expires.
    pub fn issue(
        &self,
        username: &str,
        generation: &str,
    ) -> Result<(String, DateTime<Utc>), AppError> {
        self.issue_at(username, generation, Utc::now())
    }

    fn issue_at(
        &self,
        username: &str,
        generation: &str,
        now: DateTime<Utc>,
    ) -> Result<(String, DateTime<Utc>), AppError> {
        let expires_at = now
            + chrono::Duration::from_std(self.ttl)
                .map_err(|e| AppError::internal("token ttl out of range", e))?;
        let claims = Claims {
            sub: username.to_owned(),
            key: JWT_CONSUMER_KEY.to_owned(),
            iat: now.timestamp(),
            exp: expires_at.timestamp(),
            nbf: None,
            jti: uuid::Uuid::now_v7().simple().to_string(),
            r#gen: generation.to_owned(),
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::ES256), &claims, &self.encoding)
            .map_err(|e| AppError::internal("signing a token", e))?;
        Ok((token, expires_at))
    }

    /// Checks the signature and the claims of a token: algorithm pinned, `key` ours,
    /// `sub` a valid username (it becomes part of NATS subjects and KV keys, where
    /// `*` or `>` would be wildcards), `jti` a valid KV key, `nbf` passed, `iat` not
    /// in the future and `exp - iat` within the configured lifetime.
    pub fn verify(&self, token: &str) -> Result<VerifiedToken, AppError> {
        self.verify_at(token, Utc::now().timestamp())
    }

    fn verify_at(&self, token: &str, now: i64) -> Result<VerifiedToken, AppError> {
        use jsonwebtoken::errors::ErrorKind;
        let claims = match jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation) {
            Ok(data) => data.claims,
            Err(e) if matches!(e.kind(), ErrorKind::ExpiredSignature) => {
                return Err(AppError::new(
                    ErrorCode::TokenExpired,
                    "the token has expired: log in again (`faasctl login`)",
                ));
            }
            Err(e) if matches!(e.kind(), ErrorKind::ImmatureSignature) => {
                return Err(unauthorized("the token is not valid yet (nbf)"));
            }
            Err(_) => {
                return Err(unauthorized(
                    "the token is invalid: log in again (`faasctl login`)",
                ));
            }
        };
        if claims.key != JWT_CONSUMER_KEY {
            return Err(unauthorized("the token was not issued for this API"));
        }
        if validate_username(&claims.sub).is_err() {
            return Err(unauthorized("the token's subject is not a valid username"));
        }
        if !is_token_id(&claims.jti) {
            return Err(unauthorized("the token's id (jti) is malformed"));
        }
        if claims.iat > now + LEEWAY_SECS {
            return Err(unauthorized("the token was issued in the future (iat)"));
        }
        let ttl = i64::try_from(self.ttl.as_secs()).unwrap_or(i64::MAX);
        if claims.exp.saturating_sub(claims.iat) > ttl {
            return Err(unauthorized(
                "the token lives longer than this server issues tokens for (exp - iat)",
            ));
        }
        Ok(VerifiedToken {
            username: claims.sub,
            jti: claims.jti,
            expires_at: claims.exp,
            generation: claims.r#gen,
        })
    }
}

/// A `jti` we can use as a KV key: ours are 32 hex digits.
fn is_token_id(jti: &str) -> bool {
    (1..=64).contains(&jti.len())
        && jti
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn unauthorized(message: &str) -> AppError {
    AppError::new(ErrorCode::Unauthorized, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(ttl: Duration) -> TokenKeys {
        let pem = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)
            .unwrap()
            .serialize_pem();
        TokenKeys::from_private_pem(&pem, ttl).unwrap()
    }

    #[test]
    fn issued_token_verifies_to_its_user() {
        let keys = keys(Duration::from_secs(60));
        let (token, _) = keys.issue("alice", "g1").unwrap();
        let verified = keys.verify(&token).unwrap();
        assert_eq!(verified.username, "alice");
        assert_eq!(verified.generation, "g1");
    }

    #[test]
    fn token_from_another_key_is_rejected() {
        let (token, _) = keys(Duration::from_secs(60)).issue("alice", "").unwrap();
        let err = keys(Duration::from_secs(60)).verify(&token).unwrap_err();
        assert_eq!(err.code(), ErrorCode::Unauthorized);
    }

    #[test]
    fn alg_none_token_is_rejected() {
        let keys = keys(Duration::from_secs(60));
        let (token, _) = keys.issue("alice", "").unwrap();
        let payload = token.split('.').nth(1).unwrap();
        // {"alg":"none","typ":"JWT"}
        let forged = format!("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{payload}.");
        assert_eq!(
            keys.verify(&forged).unwrap_err().code(),
            ErrorCode::Unauthorized
        );
    }

    #[test]
    fn expired_token_says_so() {
        let keys = keys(Duration::from_secs(60));
        let (token, _) = keys
            .issue_at("alice", "", Utc::now() - chrono::Duration::hours(1))
            .unwrap();
        assert_eq!(
            keys.verify(&token).unwrap_err().code(),
            ErrorCode::TokenExpired
        );
    }

    /// Signs arbitrary claims with the keys' private key.
    fn sign(keys: &TokenKeys, claims: serde_json::Value) -> String {
        jsonwebtoken::encode(&Header::new(Algorithm::ES256), &claims, &keys.encoding).unwrap()
    }

    #[test]
    fn signed_claims_are_still_checked() {
        let keys = keys(Duration::from_secs(600));
        let now = Utc::now().timestamp();
        let claims = |sub: &str| serde_json::json!({"sub": sub, "key": JWT_CONSUMER_KEY, "iat": now, "exp": now + 60, "jti": "abc"});
        assert!(keys.verify(&sign(&keys, claims("alice"))).is_ok());
        for sub in ["*", ">", "a.b", "alice.>", "Alice", ""] {
            let err = keys.verify(&sign(&keys, claims(sub))).unwrap_err();
            assert_eq!(err.code(), ErrorCode::Unauthorized, "sub {sub:?}");
        }
        let mut bad_jti = claims("alice");
        bad_jti["jti"] = "a.b".into();
        let mut future_nbf = claims("alice");
        future_nbf["nbf"] = (now + 60).into();
        let mut future_iat = claims("alice");
        future_iat["iat"] = (now + 60).into();
        future_iat["exp"] = (now + 120).into();
        let mut too_long = claims("alice");
        too_long["exp"] = (now + 601).into();
        for (what, claims) in [
            ("jti", bad_jti),
            ("nbf", future_nbf),
            ("iat", future_iat),
            ("exp - iat", too_long),
        ] {
            let err = keys.verify(&sign(&keys, claims)).unwrap_err();
            assert_eq!(err.code(), ErrorCode::Unauthorized, "{what}");
        }
        let mut past_nbf = claims("alice");
        past_nbf["nbf"] = (now - 1).into();
        assert!(keys.verify(&sign(&keys, past_nbf)).is_ok());
    }
}
