//! Password hashing and the JWTs the API hands out and checks.
//!
//! Tokens are ES256 JWTs with the claims APISIX's `jwt-auth` consumer expects
//! (`key` = [`JWT_CONSUMER_KEY`]). The server verifies every token itself with the
//! algorithm pinned, so it stays safe when the gateway is bypassed or misconfigured.

use std::time::Duration;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use chrono::{DateTime, Utc};
use faas_shared::ErrorCode;
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
    jti: String,
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
        validation.leeway = 5;
        Ok(Self {
            encoding,
            decoding,
            validation,
            ttl,
        })
    }

    /// A fresh token for `username` and when it expires.
    pub fn issue(&self, username: &str) -> Result<(String, DateTime<Utc>), AppError> {
        self.issue_at(username, Utc::now())
    }

    fn issue_at(
        &self,
        username: &str,
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
            jti: uuid::Uuid::now_v7().simple().to_string(),
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::ES256), &claims, &self.encoding)
            .map_err(|e| AppError::internal("signing a token", e))?;
        Ok((token, expires_at))
    }

    /// The username a valid token was issued to.
    pub fn verify(&self, token: &str) -> Result<String, AppError> {
        use jsonwebtoken::errors::ErrorKind;
        match jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation) {
            Ok(data) if data.claims.key == JWT_CONSUMER_KEY => Ok(data.claims.sub),
            Ok(_) => Err(unauthorized("the token was not issued for this API")),
            Err(e) if matches!(e.kind(), ErrorKind::ExpiredSignature) => Err(AppError::new(
                ErrorCode::TokenExpired,
                "the token has expired: log in again (`faasctl login`)",
            )),
            Err(_) => Err(unauthorized(
                "the token is invalid: log in again (`faasctl login`)",
            )),
        }
    }
}

fn unauthorized(message: &str) -> AppError {
    AppError::new(ErrorCode::Unauthorized, message)
}

/// argon2id with the crate's defaults (OWASP's m=19 MiB, t=2, p=1), run off the async
/// runtime because it deliberately takes tens of milliseconds.
pub async fn hash_password(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
    })
    .await
    .map_err(|e| AppError::internal("password hashing task", e))?
    .map_err(|e| AppError::internal("hashing a password", e))
}

/// Constant-time check of `password` against a PHC string. A malformed stored hash
/// counts as a mismatch.
pub async fn verify_password(password: String, phc: String) -> Result<bool, AppError> {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&phc)
            .map(|hash| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &hash)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .map_err(|e| AppError::internal("password verification task", e))
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
        let (token, _) = keys.issue("alice").unwrap();
        assert_eq!(keys.verify(&token).unwrap(), "alice");
    }

    #[test]
    fn token_from_another_key_is_rejected() {
        let (token, _) = keys(Duration::from_secs(60)).issue("alice").unwrap();
        let err = keys(Duration::from_secs(60)).verify(&token).unwrap_err();
        assert_eq!(err.code(), ErrorCode::Unauthorized);
    }

    #[test]
    fn alg_none_token_is_rejected() {
        let keys = keys(Duration::from_secs(60));
        let (token, _) = keys.issue("alice").unwrap();
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
            .issue_at("alice", Utc::now() - chrono::Duration::hours(1))
            .unwrap();
        assert_eq!(
            keys.verify(&token).unwrap_err().code(),
            ErrorCode::TokenExpired
        );
    }

    #[tokio::test]
    async fn password_round_trip() {
        let phc = hash_password("correct horse".into()).await.unwrap();
        assert!(phc.starts_with("$argon2id$"));
        assert!(
            verify_password("correct horse".into(), phc.clone())
                .await
                .unwrap()
        );
        assert!(!verify_password("wrong horse!".into(), phc).await.unwrap());
    }
}
