//! The platform under test: `faas-server dev` as a child process, its API over HTTPS
//! with the dev CA, and its memory from `/proc`.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use faas_shared::Activation;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// Settings the bench gives the dev platform: no login throttle (the 100 logins
/// come from one address) and a per-user in-flight limit above every concurrency
/// level, so throughput is bounded by the worker's slots, not the fair share.
pub const DEV_ENV: &[(&str, &str)] = &[
    ("RUST_LOG", "warn"),
    ("FAAS_MAX_INFLIGHT_PER_USER", "64"),
    ("FAAS_LOGINS_PER_USER_PER_MINUTE", "0"),
    ("FAAS_LOGINS_PER_ADDRESS_PER_MINUTE", "0"),
];

pub struct Dev {
    child: Child,
    pub pid: u32,
    pub url: String,
    pub ca_cert: PathBuf,
}

impl Dev {
    /// Starts `server dev --listen 127.0.0.1:0 --data-dir DATA_DIR` and reads the
    /// API URL and CA path it prints. Its stderr goes to `DATA_DIR/../dev.log`.
    pub async fn start(server: &Path, data_dir: &Path) -> anyhow::Result<Self> {
        let log = data_dir.with_file_name("dev.log");
        let mut child = Command::new(server)
            .args(["dev", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(data_dir)
            .envs(DEV_ENV.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log)?)
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {}", server.display()))?;
        let pid = child.id().context("no pid")?;
        let mut lines = BufReader::new(child.stdout.take().context("no stdout")?).lines();
        let (mut url, mut ca_cert) = (None, None);
        let read = async {
            while let Some(line) = lines.next_line().await? {
                if let Some(v) = line.trim().strip_prefix("API:") {
                    url = Some(v.trim().to_owned());
                } else if let Some(v) = line.trim().strip_prefix("CA cert:") {
                    ca_cert = Some(PathBuf::from(v.trim()));
                }
                if url.is_some() && ca_cert.is_some() {
                    return Ok(());
                }
            }
            bail!("faas-server dev exited; see {}", log.display())
        };
        tokio::time::timeout(Duration::from_secs(60), read)
            .await
            .context("faas-server dev did not print its URL within 60 s")??;
        // Keep draining stdout so the child never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Ok(Self {
            child,
            pid,
            url: url.unwrap_or_default(),
            ca_cert: ca_cert.unwrap_or_default(),
        })
    }

    /// The nats-server the dev process started, if it is its child.
    pub fn nats_pid(&self) -> Option<u32> {
        let tasks = std::fs::read_dir(format!("/proc/{}/task", self.pid)).ok()?;
        tasks
            .flatten()
            .filter_map(|t| std::fs::read_to_string(t.path().join("children")).ok())
            .flat_map(|c| {
                c.split_whitespace()
                    .filter_map(|p| p.parse().ok())
                    .collect::<Vec<u32>>()
            })
            .find(|pid| {
                std::fs::read_to_string(format!("/proc/{pid}/comm"))
                    .is_ok_and(|c| c.trim() == "nats-server")
            })
    }

    /// SIGTERM, then up to 20 s for a clean drain, then SIGKILL.
    pub async fn stop(mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.pid.to_string()])
            .status()
            .await;
        if tokio::time::timeout(Duration::from_secs(20), self.child.wait())
            .await
            .is_err()
        {
            let _ = self.child.kill().await;
        }
    }
}

/// VmRSS and VmHWM of one process, in KiB.
#[derive(Debug, Clone, Copy, Default)]
pub struct Memory {
    pub rss_kib: u64,
    pub hwm_kib: u64,
}

impl Memory {
    pub fn of(pid: u32) -> Option<Self> {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.split_whitespace().next()?.parse().ok())
        };
        Some(Self {
            rss_kib: field("VmRSS:")?,
            hwm_kib: field("VmHWM:")?,
        })
    }
}

pub fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

/// The API as one user sees it.
#[derive(Clone)]
pub struct Api {
    client: reqwest::Client,
    url: String,
    token: String,
}

impl Api {
    pub fn new(url: &str, ca_cert: &Path) -> anyhow::Result<Self> {
        faas_process::install_crypto_provider();
        let ca = std::fs::read(ca_cert).context("reading the dev CA")?;
        let client = reqwest::Client::builder()
            .tls_certs_only([reqwest::Certificate::from_pem(&ca)?])
            .timeout(Duration::from_secs(120))
            .build()?;
        Ok(Self {
            client,
            url: url.to_owned(),
            token: String::new(),
        })
    }

    async fn post(&self, path: &str, body: serde_json::Value) -> anyhow::Result<String> {
        let response = self
            .client
            .post(format!("{}{path}", self.url))
            .json(&body)
            .send()
            .await?;
        let status = response.status();
        let text = response.text().await?;
        if !status.is_success() {
            bail!("POST {path}: {status}: {text}");
        }
        Ok(text)
    }

    pub async fn register(&self, username: &str, password: &str) -> anyhow::Result<()> {
        let body = serde_json::json!({"username": username, "password": password});
        self.post("/v1/users", body).await.map(drop)
    }

    /// Logs in and keeps the token for later requests.
    pub async fn login(&mut self, username: &str, password: &str) -> anyhow::Result<()> {
        let body = serde_json::json!({"username": username, "password": password});
        let answer: serde_json::Value =
            serde_json::from_str(&self.post("/v1/auth/login", body).await?)?;
        self.token = answer["token"]
            .as_str()
            .context("no token in the login answer")?
            .to_owned();
        Ok(())
    }

    pub async fn put_function(&self, name: &str, image: &str) -> anyhow::Result<()> {
        let response = self
            .client
            .put(format!("{}/v1/functions/{name}", self.url))
            .bearer_auth(&self.token)
            .json(&serde_json::json!({"image": image}))
            .send()
            .await?;
        if !response.status().is_success() {
            bail!(
                "PUT function: {}: {}",
                response.status(),
                response.text().await?
            );
        }
        Ok(())
    }

    /// One synchronous invoke with `param` as the body; checks the result is
    /// `expect` and returns the wall time and the activation.
    pub async fn invoke(
        &self,
        function: &str,
        param: &str,
        expect: &str,
    ) -> anyhow::Result<(Duration, Activation)> {
        let t = Instant::now();
        let response = self
            .client
            .post(format!("{}/v1/functions/{function}/invoke", self.url))
            .bearer_auth(&self.token)
            .header("Content-Type", "text/plain")
            .body(param.to_owned())
            .send()
            .await?;
        let status = response.status();
        let body = response.bytes().await?;
        let elapsed = t.elapsed();
        if !status.is_success() {
            bail!("invoke: {status}: {}", String::from_utf8_lossy(&body));
        }
        let activation: Activation = serde_json::from_slice(&body)?;
        if activation.result.trim() != expect {
            bail!("invoke: unexpected result {:?}", activation.result);
        }
        Ok((elapsed, activation))
    }
}
