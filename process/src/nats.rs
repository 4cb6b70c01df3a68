//! NATS addresses and the one connect policy of the server and the worker.

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

/// A connected client, and a count of its (re)connections: a reconnect may have lost
/// core NATS messages, so whoever waits for one can look elsewhere when it changes.
pub struct Connection {
    pub client: async_nats::Client,
    pub connections: watch::Receiver<u64>,
}

/// Connects as `name`, retrying until `timeout` so that start order does not matter;
/// later disconnects are handled by the client, which reconnects forever. `url` may
/// list several servers of a cluster, comma-separated.
pub async fn connect(url: &str, name: &str, timeout: Duration) -> anyhow::Result<Connection> {
    let addrs = server_addrs(url)?;
    let (counter, connections) = watch::channel(0);
    let deadline = tokio::time::Instant::now() + timeout;
    let mut logged = false;
    loop {
        let counter = counter.clone();
        let options = async_nats::ConnectOptions::new()
            .name(name)
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

#[cfg(test)]
mod tests {
    #[test]
    fn urls_may_list_a_cluster() {
        let addrs = super::server_addrs("nats://a:4222, nats://b:4223").unwrap();
        assert_eq!(addrs.len(), 2);
        assert!(super::server_addrs("nats://a:4222,::bad::").is_err());
    }
}
