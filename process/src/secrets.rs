//! Users' secrets at rest: sealed with XChaCha20-Poly1305 (RustCrypto AEAD) under
//! the platform's secrets key, bound to their owner and name.
//!
//! The server seals a value on `PUT /v1/secrets/{name}`; the worker opens it when an
//! activation names the secret. The associated data is the owner and the name, so a
//! sealed value copied under another user's key (or another name) does not open.
//! Each envelope names its key (`kid`: the first 8 bytes of the key's SHA-256, in
//! hex), so the key can be rotated: the current key (`FAAS_SECRETS_KEY_FILE`) seals,
//! and it or any old key (`FAAS_SECRETS_OLD_KEY_FILES`) opens (docs/deploy.md).

use std::path::Path;

use anyhow::Context as _;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The file holding the key that seals (64 hex characters: `openssl rand -hex 32`).
pub const KEY_FILE_VAR: &str = "FAAS_SECRETS_KEY_FILE";
/// Comma-separated files of earlier keys, which still open what they sealed.
pub const OLD_KEY_FILES_VAR: &str = "FAAS_SECRETS_OLD_KEY_FILES";

/// A sealed value as stored (inside the server's record of the secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedSecret {
    /// Which key sealed it.
    pub kid: String,
    /// 24 random bytes, hex.
    pub nonce: String,
    /// The value and its 16-byte tag, hex.
    pub ciphertext: String,
}

/// One key and its id.
#[derive(Clone)]
struct SecretKey {
    id: String,
    cipher: XChaCha20Poly1305,
}

impl SecretKey {
    fn from_text(text: &str) -> anyhow::Result<Self> {
        let bytes = hex::decode(text.trim())
            .ok()
            .filter(|bytes| bytes.len() == 32)
            .context("a secrets key is 64 hex characters (make one with `openssl rand -hex 32`)")?;
        Ok(Self {
            id: hex::encode(&Sha256::digest(&bytes)[..8]),
            cipher: XChaCha20Poly1305::new_from_slice(&bytes).expect("32-byte key"),
        })
    }

    fn from_file(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the secrets key {}", path.display()))?;
        Self::from_text(&text).with_context(|| format!("in {}", path.display()))
    }
}

/// The current key and the old ones. Its `Debug` shows only key ids.
#[derive(Clone)]
pub struct SecretKeys {
    current: SecretKey,
    old: Vec<SecretKey>,
}

impl std::fmt::Debug for SecretKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let old: Vec<_> = self.old.iter().map(|k| k.id.as_str()).collect();
        write!(f, "SecretKeys(current {}, old {old:?})", self.current.id)
    }
}

/// Why a sealed value does not open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpenError {
    /// Sealed with a key this process was not given.
    UnknownKey(String),
    /// Altered, or sealed for another owner or name.
    Corrupt,
}

impl std::error::Error for OpenError {}

impl std::fmt::Display for OpenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OpenError::UnknownKey(kid) => write!(
                f,
                "it was sealed with key {kid}, which is neither {KEY_FILE_VAR} nor in {OLD_KEY_FILES_VAR}"
            ),
            OpenError::Corrupt => f.write_str("it does not authenticate (altered or moved)"),
        }
    }
}

impl SecretKeys {
    /// A fresh random key and no old ones (tests, `faas-server dev` before it writes one).
    pub fn random() -> Self {
        Self::from_text(&crate::signing::random_secret()).expect("a random key is valid")
    }

    /// The current key from its text (64 hex characters), no old ones.
    pub fn from_text(text: &str) -> anyhow::Result<Self> {
        Ok(Self {
            current: SecretKey::from_text(text)?,
            old: Vec::new(),
        })
    }

    /// The same keys, with `old` (key texts) also opening.
    pub fn with_old(mut self, old: &[&str]) -> anyhow::Result<Self> {
        for text in old {
            self.old.push(SecretKey::from_text(text)?);
        }
        Ok(self)
    }

    /// `FAAS_SECRETS_KEY_FILE` and `FAAS_SECRETS_OLD_KEY_FILES`; `None` when the key
    /// file is not set (secrets are then unavailable, and say so).
    pub fn from_env() -> anyhow::Result<Option<Self>> {
        let Some(path) = crate::env::var(KEY_FILE_VAR) else {
            return Ok(None);
        };
        let current = SecretKey::from_file(Path::new(&path))
            .with_context(|| format!("{KEY_FILE_VAR}={path}"))?;
        let mut old = Vec::new();
        for path in crate::env::var(OLD_KEY_FILES_VAR)
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            old.push(
                SecretKey::from_file(Path::new(path))
                    .with_context(|| format!("{OLD_KEY_FILES_VAR} names {path}"))?,
            );
        }
        Ok(Some(Self { current, old }))
    }

    /// The id of the key that seals.
    pub fn current_id(&self) -> &str {
        &self.current.id
    }

    /// Seals `owner`'s secret `name`.
    pub fn seal(&self, owner: &str, name: &str, value: &[u8]) -> SealedSecret {
        let mut nonce = [0u8; 24];
        getrandom::getrandom(&mut nonce).expect("the OS random number generator works");
        let aad = associated_data(owner, name);
        let ciphertext = self
            .current
            .cipher
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: value,
                    aad: &aad,
                },
            )
            .expect("XChaCha20-Poly1305 encrypts any value under 256 GiB");
        SealedSecret {
            kid: self.current.id.clone(),
            nonce: hex::encode(nonce),
            ciphertext: hex::encode(ciphertext),
        }
    }

    /// The value of `owner`'s secret `name`, if `sealed` is exactly what one of our
    /// keys sealed for them.
    pub fn open(
        &self,
        owner: &str,
        name: &str,
        sealed: &SealedSecret,
    ) -> Result<Vec<u8>, OpenError> {
        let key = std::iter::once(&self.current)
            .chain(&self.old)
            .find(|key| key.id == sealed.kid)
            .ok_or_else(|| OpenError::UnknownKey(sealed.kid.clone()))?;
        let nonce: [u8; 24] = hex::decode(&sealed.nonce)
            .ok()
            .and_then(|n| n.try_into().ok())
            .ok_or(OpenError::Corrupt)?;
        let ciphertext = hex::decode(&sealed.ciphertext).map_err(|_| OpenError::Corrupt)?;
        let aad = associated_data(owner, name);
        key.cipher
            .decrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: &ciphertext,
                    aad: &aad,
                },
            )
            .map_err(|_| OpenError::Corrupt)
    }
}

/// What binds a sealed value to its place: the owner and the name (neither can
/// contain NUL, so they cannot be shifted into one another).
fn associated_data(owner: &str, name: &str) -> Vec<u8> {
    [b"faas-secret\0", owner.as_bytes(), b"\0", name.as_bytes()].concat()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_value_opens_only_for_its_owner_and_name() {
        let keys = SecretKeys::random();
        let sealed = keys.seal("alice", "db-password", b"hunter2");
        assert_eq!(
            keys.open("alice", "db-password", &sealed).unwrap(),
            b"hunter2"
        );
        assert_eq!(
            keys.open("bob", "db-password", &sealed),
            Err(OpenError::Corrupt)
        );
        assert_eq!(
            keys.open("alice", "other", &sealed),
            Err(OpenError::Corrupt)
        );
        assert!(!sealed.ciphertext.contains(&hex::encode("hunter2")));
        let mut altered = sealed.clone();
        let flipped = if &sealed.ciphertext[0..2] == "00" {
            "01"
        } else {
            "00"
        };
        altered.ciphertext.replace_range(0..2, flipped);
        assert_eq!(
            keys.open("alice", "db-password", &altered),
            Err(OpenError::Corrupt)
        );
    }

    #[test]
    fn old_keys_open_what_they_sealed_and_the_current_key_seals() {
        let old_text = crate::signing::random_secret();
        let old = SecretKeys::from_text(&old_text).unwrap();
        let sealed_before = old.seal("alice", "token", b"v1");
        let new = SecretKeys::random();
        assert!(matches!(
            new.open("alice", "token", &sealed_before),
            Err(OpenError::UnknownKey(_))
        ));
        let rotated = new.clone().with_old(&[&old_text]).unwrap();
        assert_eq!(
            rotated.open("alice", "token", &sealed_before).unwrap(),
            b"v1"
        );
        assert_eq!(rotated.seal("alice", "token", b"v2").kid, new.current_id());
    }

    #[test]
    fn keys_must_be_32_bytes_of_hex() {
        assert!(SecretKeys::from_text("short").is_err());
        assert!(SecretKeys::from_text(&"zz".repeat(32)).is_err());
        assert!(SecretKeys::from_text(&format!("{}\n", "ab".repeat(32))).is_ok());
        assert!(!format!("{:?}", SecretKeys::random()).contains("cipher"));
    }
}
