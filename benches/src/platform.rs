//! The platform under test: `faas-server serve` and `faas-worker` as separate
//! processes on a private nats-server ([`Parts`], so their memory is read apart), or
//! `faas-server dev` ([`Dev`], for the load run); the API over HTTPS with the dev CA;
//! memory from `/proc`.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use faas_dev::ca::{ensure_dev_certificates, write_private};
use faas_dev::nats::NatsProcess;
use faas_dev::nats_auth::NatsAuth;
use faas_shared::paths;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// Settings the bench gives the platform: no login throttle (the 100 logins come
/// from one address) and a per-user in-flight limit above every concurrency level,
/// so throughput is bounded by the worker's slots, not the fair share.
pub const DEV_ENV: &[(&str, &str)] = &[
    ("RUST_LOG", "warn"),
    ("FAAS_MAX_INFLIGHT_PER_USER", "64"),
    // Calls beyond the slots wait for one instead of a 429: the bench measures
    // the platform's throughput at concurrency levels above its slots.
    ("FAAS_SYNC_QUEUE", "64"),
    ("FAAS_LOGINS_PER_USER_PER_MINUTE", "0"),
    ("FAAS_LOGINS_PER_ADDRESS_PER_MINUTE", "0"),
];

/// `faas-server serve` (HTTPS with the dev certificates) and `faas-worker`, each
/// its own process, on a nats-server with the deployments' users and permissions,
/// as compose runs them. Killed when dropped.
pub struct Parts {
    _nats: NatsProcess,
    server: Child,
    worker: Child,
    pub server_pid: u32,
    pub worker_pid: u32,
    pub nats_pid: Option<u32>,
    pub url: String,
    pub ca_cert: PathBuf,
    /// The worker's `/metrics`.
    pub worker_metrics: String,
}

impl Parts {
    /// Starts NATS, the server and the worker (with `worker_env` on top of the
    /// settings) in `dir`; the server's log goes to `dir/server.log`, the worker's
    /// to `dir/worker.log`. Waits until the server is ready and the worker serves
    /// its metrics: a worker whose backend cannot run exits before that, and its
    /// error is this one's.
    pub async fn start(
        server: &Path,
        worker: &Path,
        worker_env: &[(&str, String)],
        dir: &Path,
    ) -> anyhow::Result<Self> {
        let auth = NatsAuth::ensure(&dir.join("nats-auth"))?;
        let nats = NatsProcess::start(&dir.join("nats"), &auth.config).await?;
        let certs = ensure_dev_certificates(dir)?;
        let jwt_key = dir.join("jwt-key.pem");
        write_private(
            &jwt_key,
            &rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)?.serialize_pem(),
        )?;
        let server_password = dir.join("server.password");
        write_private(&server_password, &auth.server.password)?;
        let free_port = || -> std::io::Result<u16> {
            Ok(std::net::TcpListener::bind("127.0.0.1:0")?
                .local_addr()?
                .port())
        };
        let port = free_port()?;
        let metrics_port = free_port()?;
        let common = [
            ("FAAS_NATS_URL", nats.url.clone()),
            ("FAAS_REQUEST_KEY_FILE", path(&auth.request_key_file())),
        ];
        let server = Command::new(server)
            .envs(DEV_ENV.iter().copied())
            .envs(common.clone())
            .envs([
                ("FAAS_NATS_USER", auth.server.user.clone()),
                ("FAAS_NATS_PASSWORD_FILE", path(&server_password)),
                ("FAAS_JWT_PRIVATE_KEY_FILE", path(&jwt_key)),
                ("FAAS_LISTEN", format!("127.0.0.1:{port}")),
                ("FAAS_TLS_CERT_FILE", path(&certs.server.cert)),
                ("FAAS_TLS_KEY_FILE", path(&certs.server.key)),
            ])
            .arg("serve")
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(dir.join("server.log"))?)
            .stderr(std::fs::File::create(dir.join("server.log"))?)
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {}", server.display()))?;
        let worker = Command::new(worker)
            .envs(DEV_ENV.iter().copied())
            .envs(common)
            .envs([
                ("FAAS_NATS_USER", auth.worker.user.clone()),
                (
                    "FAAS_NATS_PASSWORD_FILE",
                    path(&auth.worker_password_file()),
                ),
                (
                    "FAAS_WORKER_METRICS_LISTEN",
                    format!("127.0.0.1:{metrics_port}"),
                ),
            ])
            .envs(worker_env.iter().map(|(k, v)| (*k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.join("worker.log"))?)
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {}", worker.display()))?;
        let nats_dir = dir.join("nats");
        let mut parts = Self {
            server_pid: server.id().context("no server pid")?,
            worker_pid: worker.id().context("no worker pid")?,
            nats_pid: child_named(std::process::id(), "nats-server", &path(&nats_dir)),
            _nats: nats,
            server,
            worker,
            url: format!("https://127.0.0.1:{port}"),
            ca_cert: certs.ca_cert,
            worker_metrics: format!("http://127.0.0.1:{metrics_port}/metrics"),
        };
        let api = Api::new(&parts.url, &parts.ca_cert)?;
        let metrics = reqwest::Client::new();
        let (mut server_ready, mut worker_up) = (false, false);
        for _ in 0..300 {
            server_ready = server_ready || api.ready().await;
            worker_up = worker_up
                || metrics
                    .get(&parts.worker_metrics)
                    .send()
                    .await
                    .is_ok_and(|r| r.status().is_success());
            if server_ready && worker_up {
                return Ok(parts);
            }
            if let Some(status) = parts.worker.try_wait()? {
                bail!(
                    "faas-worker exited ({status}): {}",
                    tail(&dir.join("worker.log"), 5)
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        if !server_ready {
            bail!(
                "faas-server serve was not ready within 30 s; see {}",
                dir.join("server.log").display()
            )
        }
        bail!(
            "faas-worker served no metrics within 30 s: {}",
            tail(&dir.join("worker.log"), 5)
        )
    }

    /// SIGTERM to both, then up to 20 s for a clean drain each.
    pub async fn stop(self) {
        let Self { server, worker, .. } = self;
        tokio::join!(terminate(server), terminate(worker));
    }
}

fn path(p: &Path) -> String {
    p.display().to_string()
}

/// Why a process stopped, for an error message, on one line: its `Error:` (as
/// `main` returning an error prints it, with the causes and without the
/// backtrace), else the last `n` lines of its log.
fn tail(log: &Path, n: usize) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let shown = match lines.iter().rposition(|l| l.starts_with("Error: ")) {
        Some(error) => lines[error..]
            .iter()
            .take_while(|l| !l.starts_with("Stack backtrace:"))
            .map(|l| l.trim())
            .collect::<Vec<_>>(),
        None => lines[lines.len().saturating_sub(n)..].to_vec(),
    };
    match shown.as_slice() {
        [] => format!("{} is empty", log.display()),
        shown => shown.join(" / "),
    }
}

/// SIGTERM, then up to 20 s for a clean drain, then SIGKILL.
async fn terminate(mut child: Child) {
    if let Some(pid) = child.id() {
        let _ = Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()
            .await;
    }
    if tokio::time::timeout(Duration::from_secs(20), child.wait())
        .await
        .is_err()
    {
        let _ = child.kill().await;
    }
}

/// `faas-server dev`: API, worker and NATS in one process tree.
pub struct Dev {
    child: Child,
    pub url: String,
    pub ca_cert: PathBuf,
    /// Its stderr: the log of the API, the worker and NATS.
    pub log: PathBuf,
}

impl Dev {
    /// Starts `server dev --listen 127.0.0.1:0 --data-dir DATA_DIR` with `env` and
    /// reads the API URL and CA path it prints. Its stderr goes to
    /// `DATA_DIR/../dev.log`.
    pub async fn start(
        server: &Path,
        data_dir: &Path,
        env: &[(&str, &str)],
    ) -> anyhow::Result<Self> {
        let log = data_dir.with_file_name("dev.log");
        let mut child = Command::new(server)
            .args(["dev", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(data_dir)
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log)?)
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {}", server.display()))?;
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
            url: url.unwrap_or_default(),
            ca_cert: ca_cert.unwrap_or_default(),
            log,
        })
    }

    /// SIGTERM, then up to 20 s for a clean drain, then SIGKILL.
    pub async fn stop(self) {
        terminate(self.child).await;
    }
}

/// A child process of `parent` whose command is `name` and whose command line
/// has `arg` (each platform has a nats-server of its own).
pub fn child_named(parent: u32, name: &str, arg: &str) -> Option<u32> {
    let tasks = std::fs::read_dir(format!("/proc/{parent}/task")).ok()?;
    tasks
        .flatten()
        .filter_map(|t| std::fs::read_to_string(t.path().join("children")).ok())
        .flat_map(|c| {
            c.split_whitespace()
                .filter_map(|p| p.parse().ok())
                .collect::<Vec<u32>>()
        })
        .find(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|c| c.trim() == name)
                && std::fs::read(format!("/proc/{pid}/cmdline"))
                    .is_ok_and(|c| c.split(|&b| b == 0).any(|a| a == arg.as_bytes()))
        })
}

/// How many file descriptors process `pid` has open.
pub fn open_fds(pid: u32) -> Option<usize> {
    Some(std::fs::read_dir(format!("/proc/{pid}/fd")).ok()?.count())
}

/// VmRSS, its anonymous part (heap and stacks, not the binary's mapped code) and
/// VmHWM of one process, in KiB.
#[derive(Debug, Clone, Copy, Default)]
pub struct Memory {
    pub rss_kib: u64,
    pub anon_kib: u64,
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
            anon_kib: field("RssAnon:")?,
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
        self.post(paths::USERS, body).await.map(drop)
    }

    /// Logs in and keeps the token for later requests.
    pub async fn login(&mut self, username: &str, password: &str) -> anyhow::Result<()> {
        let body = serde_json::json!({"username": username, "password": password});
        let answer: serde_json::Value =
            serde_json::from_str(&self.post(paths::LOGIN, body).await?)?;
        self.token = answer["token"]
            .as_str()
            .context("no token in the login answer")?
            .to_owned();
        Ok(())
    }

    /// `GET /readyz` answers 200.
    pub async fn ready(&self) -> bool {
        let response = self.client.get(format!("{}/readyz", self.url)).send().await;
        response.is_ok_and(|r| r.status().is_success())
    }

    /// Adds or replaces a function; an error carries the server's answer.
    pub async fn put_function(&self, name: &str, spec: serde_json::Value) -> anyhow::Result<()> {
        let response = self
            .client
            .put(format!(
                "{}{}",
                self.url,
                paths::fill(paths::FUNCTION, name)
            ))
            .bearer_auth(&self.token)
            .json(&spec)
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

    /// One synchronous invoke with `param` as the body: the status, the wall time
    /// and the body. Any answer is `Ok`; only a failed request is an error.
    pub async fn call_invoke(
        &self,
        function: &str,
        param: &str,
    ) -> anyhow::Result<(reqwest::StatusCode, Duration, bytes::Bytes)> {
        let t = Instant::now();
        let response = self
            .client
            .post(format!(
                "{}{}",
                self.url,
                paths::fill(paths::INVOKE, function)
            ))
            .bearer_auth(&self.token)
            .header("Content-Type", "text/plain")
            .body(param.to_owned())
            .send()
            .await?;
        let status = response.status();
        let body = response.bytes().await?;
        Ok((status, t.elapsed(), body))
    }

    /// One synchronous invoke that must answer 200 with the result `expect`.
    pub async fn invoke(
        &self,
        function: &str,
        param: &str,
        expect: &str,
    ) -> anyhow::Result<Invoked> {
        let (status, wall, body) = self.call_invoke(function, param).await?;
        if !status.is_success() {
            bail!("invoke: {status}: {}", String::from_utf8_lossy(&body));
        }
        let activation: serde_json::Value = serde_json::from_slice(&body)?;
        if activation["result"].as_str().map(str::trim) != Some(expect) {
            bail!("invoke: unexpected result {}", activation["result"]);
        }
        Ok(Invoked::new(wall, &activation))
    }
}

/// One answered invocation, as the harness reads it.
pub struct Invoked {
    pub wall: Duration,
    /// The container's own run time: the worker's `timings.run_ms` when the record
    /// has it, else `duration_ms`.
    pub run_ms: f64,
    /// `timings.prewarmed`, when the record has timings.
    pub prewarmed: Option<bool>,
    /// The container that ran it (the record's `container_id`).
    pub container_id: Option<String>,
}

impl Invoked {
    fn new(wall: Duration, activation: &serde_json::Value) -> Self {
        let duration_ms = activation["duration_ms"].as_f64().unwrap_or_default();
        let timings = &activation["timings"];
        Self {
            wall,
            run_ms: timings["run_ms"].as_f64().unwrap_or(duration_ms),
            prewarmed: timings["prewarmed"].as_bool(),
            container_id: activation["container_id"].as_str().map(str::to_owned),
        }
    }
}
