//! Starting a private `nats-server` for `faas-server dev` and for tests.
//!
//! It runs with a config of users and permissions (`super::nats_auth`), so nothing
//! connects without a password, and listens on 127.0.0.1 only. The server picks a
//! free port itself (`-p -1`); we learn it from its log line "Listening for client
//! connections on HOST:PORT". Its log keeps being drained so the pipe never fills
//! and blocks it. The process is killed when dropped.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context, bail};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// A running JetStream-enabled NATS server owned by this process.
pub struct NatsProcess {
    pub url: String,
    running: Running,
}

enum Running {
    /// Held only so that dropping it kills the process (`kill_on_drop`).
    Local {
        _child: Child,
    },
    Container(String),
}

impl NatsProcess {
    /// `nats-server` from PATH if there is one, else the `nats` image through Docker;
    /// either way with the users and permissions of `config` (see
    /// [`super::nats_auth`]) and listening on 127.0.0.1 only.
    pub async fn start(store_dir: &Path, config: &Path) -> anyhow::Result<Self> {
        std::fs::create_dir_all(store_dir)
            .with_context(|| format!("creating {}", store_dir.display()))?;
        if which("nats-server") {
            Self::start_local(store_dir, config, None).await
        } else {
            Self::start_container(store_dir, config).await.context(
                "nats-server is not on PATH and the `nats` image could not be run either: \
                 install it (`apt-get install nats-server`) or set FAAS_NATS_URL to a running server",
            )
        }
    }

    /// `nats-server` from PATH on a given port, e.g. to restart one on the port its
    /// clients know.
    pub async fn start_on_port(store_dir: &Path, config: &Path, port: u16) -> anyhow::Result<Self> {
        Self::start_local(store_dir, config, Some(port)).await
    }

    /// The client port.
    pub fn port(&self) -> u16 {
        self.url
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or_default()
    }

    async fn start_local(
        store_dir: &Path,
        config: &Path,
        port: Option<u16>,
    ) -> anyhow::Result<Self> {
        let port = port.map_or_else(|| "-1".to_owned(), |p| p.to_string());
        let mut child = Command::new("nats-server")
            .arg("-c")
            .arg(config)
            .args(["-js", "-a", "127.0.0.1", "-p", &port, "-sd"])
            .arg(store_dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .context("starting nats-server")?;
        let port = listening_port_of(&mut child, "nats-server").await?;
        Ok(Self {
            url: format!("nats://127.0.0.1:{port}"),
            running: Running::Local { _child: child },
        })
    }

    /// The `nats` image on the host's network, listening on 127.0.0.1 only: it shares
    /// no network with function containers (which join bridge networks), so they
    /// cannot reach it, and it is not published on any other address.
    async fn start_container(store_dir: &Path, config: &Path) -> anyhow::Result<Self> {
        let name = format!("faas-dev-nats-{}", std::process::id());
        let store = std::fs::canonicalize(store_dir)?;
        let config = std::fs::canonicalize(config)?;
        let output = Command::new("docker")
            .args([
                "run",
                "-d",
                "--rm",
                "--name",
                &name,
                "--network",
                "host",
                "-v",
            ])
            .arg(format!("{}:/data", store.display()))
            .arg("-v")
            .arg(format!("{}:/etc/nats/faas.conf:ro", config.display()))
            .args([
                "nats:2",
                "-c",
                "/etc/nats/faas.conf",
                "-js",
                "-a",
                "127.0.0.1",
                "-p",
                "-1",
                "-sd",
                "/data",
            ])
            .output()
            .await
            .context("running docker")?;
        if !output.status.success() {
            bail!(
                "docker run nats:2 failed: {}",
                String::from_utf8_lossy(&output.stderr).trim()
            );
        }
        let running = Running::Container(name.clone());
        let mut logs = Command::new("docker")
            .args(["logs", "-f", &name])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .context("running docker logs")?;
        let port = listening_port_of(&mut logs, &format!("container {name}")).await?;
        tokio::spawn(async move { logs.wait().await });
        Ok(Self {
            url: format!("nats://127.0.0.1:{port}"),
            running,
        })
    }
}

/// The client port from the server's log line "Listening for client connections on
/// HOST:PORT", read from `child`'s stderr; the rest of the log keeps being drained
/// (so the pipe never fills and blocks the server), and permission violations are
/// logged: they mean a faas user lacks a permission, or someone tried what they may
/// not.
async fn listening_port_of(child: &mut Child, what: &str) -> anyhow::Result<u16> {
    let stderr = child.stderr.take().context("nats-server stderr")?;
    let mut lines = BufReader::new(stderr).lines();
    let mut seen = Vec::new();
    let port = tokio::time::timeout(Duration::from_secs(15), async {
        while let Some(line) = lines.next_line().await? {
            if let Some(port) = listening_port(&line) {
                return Ok(port);
            }
            seen.push(line);
        }
        bail!("{what} exited")
    })
    .await;
    let port = match port {
        Ok(Ok(port)) => port,
        Ok(Err(e)) => bail!("{e}; its log:\n{}", seen.join("\n")),
        Err(_) => bail!(
            "{what} did not start within 15 s; its log:\n{}",
            seen.join("\n")
        ),
    };
    tokio::spawn(async move {
        while let Ok(Some(line)) = lines.next_line().await {
            if line.contains("Violation") {
                tracing::warn!(nats = %line, "NATS refused a client");
            }
        }
    });
    Ok(port)
}

impl Drop for NatsProcess {
    fn drop(&mut self) {
        if let Running::Container(name) = &self.running {
            let _ = std::process::Command::new("docker")
                .args(["rm", "-f", name])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
    }
}

fn listening_port(line: &str) -> Option<u16> {
    let (_, addr) = line.split_once("Listening for client connections on ")?;
    addr.trim().rsplit(':').next()?.parse().ok()
}

fn which(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn parses_the_listening_line() {
        let line = "[123] 2026/11/23 07:40:00.000000 [INF] Listening for client connections on 127.0.0.1:34567";
        assert_eq!(super::listening_port(line), Some(34567));
        assert_eq!(super::listening_port("[INF] Server is ready"), None);
    }
}
