//! NATS addresses and the one connect policy of the server and the worker, and
//! how JetStream says a publish was refused for a full stream.

use std::time::Duration;

use anyhow::Context as _;
use tokio::sync::watch;

/// Where a NATS server is looked for when `FAAS_NATS_URL` is unset.
pub const DEFAULT_URL: &str = "nats://127.0.0.1:4222";

/// `nats://a:4222,nats://b:4222` → the addresses of a cluster's servers (async-nats
/// parses a single URL from a string).
pub fn server_addrs(urls: &str) -> anyhow::Result<Vec<async_nats::ServerAddr>> {
    urls.split(',')
        .map(|url| {
            url.trim()
                .parse()
                .with_context(|| format!("{url:?} is not a NATS URL like nats://host:4222"))
        })
        .collect()
}

/// A NATS user name and password. Its `Debug` never shows the password.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub user: String,
    pub password: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

/// The variables naming a service's NATS user and the file holding its password
/// (a file, so that the password shows neither in `docker inspect` nor in `ps`).
pub const USER_VAR: &str = "FAAS_NATS_USER";
pub const PASSWORD_FILE_VAR: &str = "FAAS_NATS_PASSWORD_FILE";

impl Credentials {
    /// `FAAS_NATS_USER` and the password in `FAAS_NATS_PASSWORD_FILE`; `None` when
    /// neither is set, an error when only one is or the file cannot be read.
    pub fn from_env() -> anyhow::Result<Option<Self>> {
        match (
            crate::env::var(USER_VAR),
            crate::env::var(PASSWORD_FILE_VAR),
        ) {
            (None, None) => Ok(None),
            (Some(user), Some(file)) => {
                let password = std::fs::read_to_string(&file)
                    .with_context(|| format!("cannot read {PASSWORD_FILE_VAR} {file}"))?
                    .trim()
                    .to_owned();
                anyhow::ensure!(!password.is_empty(), "{PASSWORD_FILE_VAR} {file} is empty");
                Ok(Some(Self { user, password }))
            }
            _ => anyhow::bail!("set both {USER_VAR} and {PASSWORD_FILE_VAR}, or neither"),
        }
    }

    /// Like [`Credentials::from_env`], but NATS without credentials is refused.
    pub fn required_from_env(service: &str) -> anyhow::Result<Self> {
        Self::from_env()?.with_context(|| {
            format!(
                "{USER_VAR} and {PASSWORD_FILE_VAR} are not set: {service} logs in to NATS as its own user \
                 (deploy/nats/auth.conf defines them; deploy/keygen.sh writes the passwords)"
            )
        })
    }
}

/// Who connects: the client name NATS shows, the user, and the prefix of its reply
/// subjects. Each faas user has its own prefix (`_INBOX_server`, `_INBOX_worker`),
/// so that NATS can let it receive its own replies and nobody else's.
#[derive(Debug, Clone, Copy)]
pub struct Identity<'a> {
    pub name: &'a str,
    pub credentials: Option<&'a Credentials>,
    pub inbox_prefix: &'a str,
}

/// A connected client, and a count of its (re)connections: a reconnect may have lost
/// core NATS messages, so whoever waits for one can look elsewhere when it changes.
pub struct Connection {
    pub client: async_nats::Client,
    pub connections: watch::Receiver<u64>,
}

/// Connects as `who`, retrying until `timeout` so that start order does not matter;
/// later disconnects are handled by the client, which reconnects forever. `url` may
/// list several servers of a cluster, comma-separated. Refused credentials end the
/// wait at once, with an error naming the settings.
pub async fn connect(
    url: &str,
    who: Identity<'_>,
    timeout: Duration,
) -> anyhow::Result<Connection> {
    let addrs = server_addrs(url)?;
    let (counter, connections) = watch::channel(0);
    let deadline = tokio::time::Instant::now() + timeout;
    let mut logged = false;
    loop {
        let counter = counter.clone();
        let mut options = async_nats::ConnectOptions::new();
        if let Some(credentials) = who.credentials {
            options =
                options.user_and_password(credentials.user.clone(), credentials.password.clone());
        }
        let options = options
            .name(who.name)
            .custom_inbox_prefix(who.inbox_prefix)
            .connection_timeout(Duration::from_secs(2))
            .max_reconnects(None)
            .event_callback(move |event| {
                if matches!(event, async_nats::Event::Connected) {
                    counter.send_modify(|n| *n += 1);
                }
                async {}
            });
        match options.connect(addrs.clone()).await {
            Ok(client) => {
                return Ok(Connection {
                    client,
                    connections,
                });
            }
            Err(e) if is_refused(&e) => {
                let user = who.credentials.map(|c| c.user.as_str());
                return Err(anyhow::anyhow!(
                    "NATS at {url} refused {}: {e}; set {USER_VAR} and {PASSWORD_FILE_VAR} to this service's NATS user and the file holding its password",
                    match user {
                        Some(user) => format!("the credentials of user {user:?}"),
                        None => "a connection without credentials".to_owned(),
                    }
                ));
            }
            Err(e) if tokio::time::Instant::now() < deadline => {
                if !logged {
                    tracing::warn!(%url, error = %e, "waiting for NATS");
                    logged = true;
                }
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            Err(e) => {
                return Err(anyhow::anyhow!(
                    "cannot connect to NATS at {url}: {e} (is nats-server running with JetStream, `nats-server -js`? set FAAS_NATS_URL)"
                ));
            }
        }
    }
}

/// Whether NATS turned the credentials down (no use waiting for it).
fn is_refused(error: &async_nats::ConnectError) -> bool {
    use async_nats::ConnectErrorKind::{Authentication, AuthorizationViolation};
    matches!(error.kind(), AuthorizationViolation | Authentication)
        || error.to_string().contains("authorization violation")
}

/// JetStream's "maximum messages (per subject) exceeded".
const STREAM_FULL: async_nats::jetstream::ErrorCode = async_nats::jetstream::ErrorCode(10077);

/// Whether a publish was refused because the stream is at its message limit: how
/// the activation stream says "too many in flight", and the slots stream "this
/// slot is taken".
pub fn is_stream_full(error: &async_nats::jetstream::context::PublishError) -> bool {
    let mut source = std::error::Error::source(error);
    while let Some(err) = source {
        if let Some(js) = err.downcast_ref::<async_nats::jetstream::Error>() {
            return js.error_code() == STREAM_FULL;
        }
        source = err.source();
    }
    error.to_string().contains("10077")
}

#[cfg(test)]
mod tests {
    #[test]
    fn urls_may_list_a_cluster() {
        let addrs = super::server_addrs("nats://a:4222, nats://b:4223").unwrap();
        assert_eq!(addrs.len(), 2);
        assert!(super::server_addrs("nats://a:4222,::bad::").is_err());
    }
}
