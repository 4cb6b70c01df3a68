//! Signed activation requests: the worker runs only what the server queued.
//!
//! Anyone who can publish to `faas.activations.*` could otherwise have a worker run
//! any image with any limits. So the server signs each request with HMAC-SHA256
//! under a key only it and the workers hold (`FAAS_REQUEST_KEY_FILE`), over the
//! subject and the request's JSON, and sends the signature in the
//! [`SIGNATURE_HEADER`] header; the worker verifies it (in constant time) before it
//! acts on anything in the request.

use std::path::Path;

use anyhow::Context as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The header carrying the hex HMAC-SHA256 of a request.
pub const SIGNATURE_HEADER: &str = "Faas-Signature";

/// Shortest key accepted, in bytes (`openssl rand -hex 32` gives 64).
pub const MIN_KEY_BYTES: usize = 32;

/// The variable naming the key file.
pub const KEY_FILE_VAR: &str = "FAAS_REQUEST_KEY_FILE";

/// 32 random bytes from the OS, as 64 hex characters: keys and passwords.
pub fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes).expect("the OS random number generator works");
    hex::encode(bytes)
}

/// The key server and workers share. Its `Debug` never shows the key.
#[derive(Clone)]
pub struct RequestKey(Vec<u8>);

impl std::fmt::Debug for RequestKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RequestKey(..)")
    }
}

impl RequestKey {
    /// A fresh random key (32 bytes, kept as 64 hex characters, as in the key file).
    pub fn random() -> Self {
        Self(random_secret().into_bytes())
    }

    /// The key is the file's text, trimmed: at least [`MIN_KEY_BYTES`] bytes.
    pub fn from_text(text: &str) -> anyhow::Result<Self> {
        let key = text.trim();
        anyhow::ensure!(
            key.len() >= MIN_KEY_BYTES,
            "the request signing key is {} bytes long; it needs at least {MIN_KEY_BYTES} (make one with `openssl rand -hex 32`)",
            key.len()
        );
        Ok(Self(key.as_bytes().to_vec()))
    }

    pub fn from_file(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the request signing key {}", path.display()))?;
        Self::from_text(&text).with_context(|| format!("in {}", path.display()))
    }

    /// `FAAS_REQUEST_KEY_FILE`, which server and worker must both be given.
    pub fn from_env() -> anyhow::Result<Self> {
        let path = crate::env::var(KEY_FILE_VAR).with_context(|| {
            format!(
                "{KEY_FILE_VAR} is not set: point it at the key the server signs activation requests with \
                 and the workers verify them with, the same file for both (make one with \
                 `openssl rand -hex 32 > request.key`; deploy/keygen.sh and `faas-server dev` make it for you)"
            )
        })?;
        Self::from_file(Path::new(&path)).with_context(|| format!("{KEY_FILE_VAR}={path}"))
    }

    /// The text to store in a key file.
    pub fn to_text(&self) -> String {
        String::from_utf8_lossy(&self.0).into_owned()
    }

    fn mac(&self, subject: &str, body: &[u8]) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(subject.as_bytes());
        // The subject cannot contain NUL, so subject and body cannot be shifted.
        mac.update(&[0]);
        mac.update(body);
        mac
    }

    /// The signature of `body` published on `subject`, in hex.
    pub fn sign(&self, subject: &str, body: &[u8]) -> String {
        hex::encode(self.mac(subject, body).finalize().into_bytes())
    }

    /// What activation records show of the worker `worker_id` (`<host>-<pid>` by
    /// default): `w-` and 16 hex characters of its HMAC under this key, so that
    /// tenants can tell workers apart without learning host names or pids, and
    /// nobody without the key can tell which host an id stands for.
    pub fn public_worker_id(&self, worker_id: &str) -> String {
        let mac = self.mac("faas.worker-id", worker_id.as_bytes()).finalize();
        format!("w-{}", &hex::encode(mac.into_bytes())[..16])
    }

    /// Whether `signature` (hex) is this key's signature of `body` on `subject`;
    /// compared in constant time.
    pub fn verify(&self, subject: &str, body: &[u8], signature: &str) -> bool {
        let Ok(signature) = hex::decode(signature.trim()) else {
            return false;
        };
        self.mac(subject, body).verify_slice(&signature).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::RequestKey;

    #[test]
    fn a_signature_binds_key_subject_and_body() {
        let key = RequestKey::random();
        let signature = key.sign("faas.activations.alice", b"{\"a\":1}");
        assert!(key.verify("faas.activations.alice", b"{\"a\":1}", &signature));
        assert!(!key.verify("faas.activations.bob", b"{\"a\":1}", &signature));
        assert!(!key.verify("faas.activations.alice", b"{\"a\":2}", &signature));
        assert!(!RequestKey::random().verify("faas.activations.alice", b"{\"a\":1}", &signature));
        assert!(!key.verify("faas.activations.alice", b"{\"a\":1}", "zz"));
        assert!(!key.verify("faas.activations.alice", b"{\"a\":1}", ""));
    }

    #[test]
    fn public_worker_ids_are_opaque_stable_and_per_key() {
        let key = RequestKey::random();
        let id = key.public_worker_id("vm-29875");
        assert_eq!(id.len(), 18);
        assert!(id.starts_with("w-") && !id.contains("29875"), "{id}");
        assert_eq!(id, key.public_worker_id("vm-29875"));
        assert_ne!(id, key.public_worker_id("vm-29876"));
        assert_ne!(id, RequestKey::random().public_worker_id("vm-29875"));
    }

    #[test]
    fn short_keys_are_refused() {
        assert!(RequestKey::from_text("short").is_err());
        let key = RequestKey::random();
        assert!(RequestKey::from_text(&format!("{}\n", key.to_text())).is_ok());
    }
}
