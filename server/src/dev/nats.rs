//! Starting a private `nats-server` for `faas-server dev` and for tests.
//!
//! The server picks a free port itself (`-p -1`); we learn it from its log line
//! "Listening for client connections on HOST:PORT". Its log keeps being drained so
//! the pipe never fills and blocks it. The process is killed when dropped.

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
    /// `nats-server` from PATH if there is one, else the `nats` image through Docker.
    pub async fn start(store_dir: &Path) -> anyhow::Result<Self> {
        std::fs::create_dir_all(store_dir)
            .with_context(|| format!("creating {}", store_dir.display()))?;
        if which("nats-server") {
            Self::start_local(store_dir, None).await
        } else {
            Self::start_container(store_dir).await.context(
                "nats-server is not on PATH and the `nats` image could not be run either: \
                 install it (`apt-get install nats-server`) or set FAAS_NATS_URL to a running server",
            )
        }
    }

    /// `nats-server` from PATH on a given port, e.g. to restart one on the port its
    /// clients know.
    pub async fn start_on_port(store_dir: &Path, port: u16) -> anyhow::Result<Self> {
        Self::start_local(store_dir, Some(port)).await
    }

    /// The client port.
    pub fn port(&self) -> u16 {
        self.url
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or_default()
    }

    async fn start_local(store_dir: &Path, port: Option<u16>) -> anyhow::Result<Self> {
        let port = port.map_or_else(|| "-1".to_owned(), |p| p.to_string());
        let mut child = Command::new("nats-server")
            .args(["-js", "-a", "127.0.0.1", "-p", &port, "-sd"])
            .arg(store_dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .context("starting nats-server")?;
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
            bail!("nats-server exited")
        })
        .await;
        let port = match port {
            Ok(Ok(port)) => port,
            Ok(Err(e)) => bail!("{e}; its log:\n{}", seen.join("\n")),
            Err(_) => bail!(
                "nats-server did not start within 15 s; its log:\n{}",
                seen.join("\n")
            ),
        };
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Ok(Self {
            url: format!("nats://127.0.0.1:{port}"),
            running: Running::Local { _child: child },
        })
    }

    async fn start_container(store_dir: &Path) -> anyhow::Result<Self> {
        let name = format!("faas-dev-nats-{}", std::process::id());
        let store = std::fs::canonicalize(store_dir)?;
        let output = Command::new("docker")
            .args([
                "run",
                "-d",
                "--rm",
                "--name",
                &name,
                "-p",
                "127.0.0.1::4222",
                "-v",
            ])
            .arg(format!("{}:/data", store.display()))
            .args(["nats:2", "-js", "-sd", "/data"])
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
        let output = Command::new("docker")
            .args(["port", &name, "4222/tcp"])
            .output()
            .await?;
        let mapping = String::from_utf8_lossy(&output.stdout);
        let port = mapping
            .lines()
            .find_map(|l| l.rsplit(':').next()?.trim().parse::<u16>().ok())
            .with_context(|| format!("cannot read the port of container {name}: {mapping}"))?;
        Ok(Self {
            url: format!("nats://127.0.0.1:{port}"),
            running,
        })
    }
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
