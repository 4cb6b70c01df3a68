//! Where the login token lives: `FAAS_TOKEN`, else the OS keyring, else a 0600 file.
//!
//! On a headless Linux box there is no Secret Service, and every keyring call fails
//! with `PlatformFailure`/`NoStorageAccess`; that is the signal to use the file next to
//! the config. The file holds one token per profile. Logging out removes the token from
//! both places, so a token once written to the file does not outlive `logout`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use anyhow::Context as _;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Keyring service name; the entry's user is `<profile>:<username>`.
const KEYRING_SERVICE: &str = "faasctl";
/// A keyring that has not answered by then (a locked or hung Secret Service) is treated
/// as absent rather than hanging the CLI.
const KEYRING_TIMEOUT: Duration = Duration::from_secs(5);

/// Where [`CredentialStore::store`] put the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoredIn {
    Keyring,
    File(PathBuf),
}

pub struct CredentialStore {
    file: PathBuf,
    use_keyring: bool,
    env_token: Option<String>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct CredentialsFile {
    #[serde(default)]
    profiles: BTreeMap<String, FileEntry>,
}

#[derive(Debug, Serialize, Deserialize)]
struct FileEntry {
    username: String,
    token: String,
}

impl CredentialStore {
    pub fn new(file: PathBuf, use_keyring: bool, env_token: Option<String>) -> Self {
        Self {
            file,
            use_keyring,
            env_token,
        }
    }

    /// True when `FAAS_TOKEN` overrides whatever is stored.
    pub fn uses_env_token(&self) -> bool {
        self.env_token.is_some()
    }

    /// The token for this profile; with `FAAS_TOKEN` set, nothing stored is read.
    pub fn token(&self, profile: &str, username: Option<&str>) -> anyhow::Result<Option<String>> {
        if let Some(token) = &self.env_token {
            return Ok(Some(token.clone()));
        }
        if let Some(username) = username
            && self.use_keyring
            && let Some(Ok(token)) =
                keyring_call(entry_user(profile, username), |e| e.get_password())
        {
            return Ok(Some(token));
        }
        let file = self.read_file()?;
        Ok(file
            .profiles
            .get(profile)
            .filter(|entry| username.is_none_or(|u| u == entry.username))
            .map(|entry| entry.token.clone()))
    }

    /// Saves the token in the keyring if there is one, else in the 0600 file.
    pub fn store(&self, profile: &str, username: &str, token: &str) -> anyhow::Result<StoredIn> {
        if self.use_keyring {
            let secret = token.to_owned();
            if let Some(Ok(())) = keyring_call(entry_user(profile, username), move |e| {
                e.set_password(&secret)
            }) {
                // An older token in the file would otherwise shadow nothing but linger.
                self.remove_from_file(profile)?;
                return Ok(StoredIn::Keyring);
            }
        }
        let mut file = self.read_file()?;
        file.profiles.insert(
            profile.to_owned(),
            FileEntry {
                username: username.to_owned(),
                token: token.to_owned(),
            },
        );
        self.write_file(&file)?;
        Ok(StoredIn::File(self.file.clone()))
    }

    /// Forgets the profile's token everywhere. Returns whether there was one.
    pub fn remove(&self, profile: &str, username: Option<&str>) -> anyhow::Result<bool> {
        let mut removed = false;
        if let Some(username) = username
            && self.use_keyring
        {
            removed |= matches!(
                keyring_call(entry_user(profile, username), |e| e.delete_credential()),
                Some(Ok(()))
            );
        }
        removed |= self.remove_from_file(profile)?;
        Ok(removed)
    }

    fn remove_from_file(&self, profile: &str) -> anyhow::Result<bool> {
        let mut file = self.read_file()?;
        if file.profiles.remove(profile).is_none() {
            return Ok(false);
        }
        if file.profiles.is_empty() {
            std::fs::remove_file(&self.file)
                .with_context(|| format!("removing {}", self.file.display()))?;
        } else {
            self.write_file(&file)?;
        }
        Ok(true)
    }

    fn read_file(&self) -> anyhow::Result<CredentialsFile> {
        match std::fs::read_to_string(&self.file) {
            Ok(text) => serde_json::from_str(&text).with_context(|| {
                format!(
                    "reading the credentials file {} (delete it and log in again)",
                    self.file.display()
                )
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(CredentialsFile::default()),
            Err(e) => Err(e).with_context(|| format!("reading {}", self.file.display())),
        }
    }

    /// Writes a sibling temp file created with mode 0600 and renames it over the old
    /// one, so the token is never readable by others, not even for a moment.
    fn write_file(&self, file: &CredentialsFile) -> anyhow::Result<()> {
        let dir = self.file.parent().unwrap_or_else(|| Path::new("."));
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let tmp = self.file.with_extension("json.tmp");
        let json = serde_json::to_vec_pretty(file).context("encoding credentials")?;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let write = || -> std::io::Result<()> {
            use std::io::Write as _;
            let _ = std::fs::remove_file(&tmp);
            let mut out = options.open(&tmp)?;
            out.write_all(&json)?;
            out.sync_all()?;
            std::fs::rename(&tmp, &self.file)
        };
        write().with_context(|| format!("writing the credentials file {}", self.file.display()))
    }
}

fn entry_user(profile: &str, username: &str) -> String {
    format!("{profile}:{username}")
}

/// Runs a keyring operation on its own thread: the Secret Service backend drives zbus
/// on tokio and deadlocks when called from a runtime thread. `None` means no answer in
/// time; `Some(Err(_))` covers "no keyring here" and "no such entry" alike, because
/// either way the file is what is left.
fn keyring_call<T: Send + 'static>(
    user: String,
    op: impl FnOnce(&keyring::Entry) -> keyring::Result<T> + Send + 'static,
) -> Option<keyring::Result<T>> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let result = keyring::Entry::new(KEYRING_SERVICE, &user).and_then(|entry| op(&entry));
        let _ = tx.send(result);
    });
    rx.recv_timeout(KEYRING_TIMEOUT).ok()
}

/// The claims `faasctl` reads from its own token, without verifying the signature:
/// only to tell the user who they are and when the session ends, never to decide access.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub exp: i64,
}

impl Claims {
    pub fn decode(token: &str) -> Option<Self> {
        let payload = token.split('.').nth(1)?;
        let engine = base64::engine::GeneralPurpose::new(
            &base64::alphabet::URL_SAFE,
            base64::engine::GeneralPurposeConfig::new()
                .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
        );
        let bytes = engine.decode(payload).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    pub fn expires_at(&self) -> Option<DateTime<Utc>> {
        DateTime::from_timestamp(self.exp, 0)
    }

    pub fn is_expired(&self) -> bool {
        self.exp <= Utc::now().timestamp()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(sub: &str, exp: i64) -> String {
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let header = b64.encode(br#"{"alg":"ES256","typ":"JWT"}"#);
        let payload = b64.encode(format!(r#"{{"sub":"{sub}","exp":{exp},"key":"faas-api"}}"#));
        format!("{header}.{payload}.c2ln")
    }

    fn file_store(dir: &Path) -> CredentialStore {
        CredentialStore::new(dir.join("credentials.json"), false, None)
    }

    #[test]
    fn claims_are_read_without_verification() {
        let claims = Claims::decode(&token("alice", 4_000_000_000)).unwrap();
        assert_eq!(claims.sub, "alice");
        assert!(!claims.is_expired());
        assert!(Claims::decode(&token("alice", 1)).unwrap().is_expired());
        assert_eq!(Claims::decode("garbage"), None);
        assert_eq!(Claims::decode("a.!!!.c"), None);
    }

    #[test]
    fn file_fallback_is_private_and_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let store = file_store(dir.path());
        let stored = store.store("default", "alice", "tok-1").unwrap();
        assert_eq!(stored, StoredIn::File(dir.path().join("credentials.json")));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(dir.path().join("credentials.json"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert_eq!(
            store.token("default", Some("alice")).unwrap().as_deref(),
            Some("tok-1")
        );
        // A token belongs to the user who logged in, not to whoever the profile names now.
        assert_eq!(store.token("default", Some("bob")).unwrap(), None);
        assert_eq!(store.token("other", Some("alice")).unwrap(), None);
    }

    #[test]
    fn remove_forgets_only_that_profile() {
        let dir = tempfile::tempdir().unwrap();
        let store = file_store(dir.path());
        store.store("default", "alice", "a").unwrap();
        store.store("work", "bob", "b").unwrap();
        assert!(store.remove("default", Some("alice")).unwrap());
        assert!(!store.remove("default", Some("alice")).unwrap());
        assert_eq!(store.token("default", None).unwrap(), None);
        assert_eq!(store.token("work", None).unwrap().as_deref(), Some("b"));
        assert!(store.remove("work", None).unwrap());
        assert!(!dir.path().join("credentials.json").exists());
    }

    #[test]
    fn env_token_wins_and_the_file_is_not_read() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("credentials.json"), "not json").unwrap();
        let store = CredentialStore::new(
            dir.path().join("credentials.json"),
            false,
            Some("env".into()),
        );
        assert_eq!(
            store.token("default", Some("alice")).unwrap().as_deref(),
            Some("env")
        );
        assert!(file_store(dir.path()).token("default", None).is_err());
    }
}
