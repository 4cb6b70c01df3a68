//! The NATS users of a private platform (`faas-server dev`, the test kit), the key
//! that signs activation requests and the key that seals users' secrets, kept in the
//! data dir.
//!
//! The permissions are `deploy/nats/auth.conf`, the file every deployment uses;
//! this writes it out as `nats.conf` after the lines defining the passwords, as
//! `deploy/keygen.sh` does. Secrets are made once (files 0600) and kept, so a
//! restarted platform keeps its users and key.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use faas_process::nats::Credentials;
use faas_process::secrets::SecretKeys;
use faas_process::signing::{RequestKey, random_secret};
use faas_shared::nats::{SERVER_USER, WORKER_USER};

use super::ca::write_private;

/// The users and permissions: `deploy/nats/auth.conf`.
pub const AUTH_CONF: &str = include_str!("../../deploy/nats/auth.conf");

/// The secrets of one platform and the nats-server config made from them.
#[derive(Debug, Clone)]
pub struct NatsAuth {
    /// The API server's NATS user.
    pub server: Credentials,
    /// The workers' NATS user.
    pub worker: Credentials,
    /// Server and workers share it.
    pub request_key: RequestKey,
    /// Seals users' secrets; server and workers share it.
    pub secret_keys: SecretKeys,
    /// `nats.conf`, for `nats-server -c`.
    pub config: PathBuf,
}

/// The files beside `nats.conf`.
const SERVER_PASSWORD: &str = "server.password";
const WORKER_PASSWORD: &str = "worker.password";
const REQUEST_KEY: &str = "request.key";
const SECRETS_KEY: &str = "secrets.key";

impl NatsAuth {
    /// The files a worker's `FAAS_NATS_PASSWORD_FILE` and `FAAS_REQUEST_KEY_FILE`
    /// can name.
    pub fn worker_password_file(&self) -> PathBuf {
        self.config.with_file_name(WORKER_PASSWORD)
    }
    pub fn request_key_file(&self) -> PathBuf {
        self.config.with_file_name(REQUEST_KEY)
    }
    pub fn secrets_key_file(&self) -> PathBuf {
        self.config.with_file_name(SECRETS_KEY)
    }
}

impl NatsAuth {
    /// The secrets in `dir` (made when missing) and `dir/nats.conf` written from them.
    pub fn ensure(dir: &Path) -> anyhow::Result<Self> {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let server_password = secret(&dir.join(SERVER_PASSWORD))?;
        let worker_password = secret(&dir.join(WORKER_PASSWORD))?;
        let request_key = secret(&dir.join(REQUEST_KEY))?;
        let secrets_key = secret(&dir.join(SECRETS_KEY))?;
        let config = dir.join("nats.conf");
        write_private(&config, &nats_conf(&server_password, &worker_password))?;
        Ok(Self {
            server: Credentials {
                user: SERVER_USER.into(),
                password: server_password,
            },
            worker: Credentials {
                user: WORKER_USER.into(),
                password: worker_password,
            },
            request_key: RequestKey::from_text(&request_key)?,
            secret_keys: SecretKeys::from_text(&secrets_key)?,
            config,
        })
    }
}

/// The nats-server config: the passwords, then the users and their permissions.
pub fn nats_conf(server_password: &str, worker_password: &str) -> String {
    format!(
        "server_password: \"{server_password}\"\nworker_password: \"{worker_password}\"\n\n{AUTH_CONF}"
    )
}

/// The file's trimmed text, or a new secret written to it (0600).
fn secret(path: &Path) -> anyhow::Result<String> {
    if let Ok(text) = std::fs::read_to_string(path)
        && !text.trim().is_empty()
    {
        return Ok(text.trim().to_owned());
    }
    let value = random_secret();
    write_private(path, &value)?;
    Ok(value)
}
