//! `faas-server dev` as a child process with the environment a test gives it,
//! killed if a failing test drops it.

use std::io::BufRead;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use faas_testkit::Api;

/// A running `faas-server dev` and the URLs it printed.
pub struct DevProcess {
    child: Killed,
    pub api: Api,
    /// The `Metrics:` line's URL, when `FAAS_METRICS_LISTEN` is set.
    pub metrics_url: Option<String>,
    _data_dir: tempfile::TempDir,
}

impl DevProcess {
    /// Starts it on a free port in a fresh data dir with `env` set, and waits until
    /// it has printed its API address (and its metrics address, when it serves one).
    pub async fn start(env: &[(&str, &str)]) -> Self {
        let data_dir = tempfile::tempdir().unwrap();
        let with_metrics = env.iter().any(|(k, _)| *k == "FAAS_METRICS_LISTEN");
        let mut child = Command::new(env!("CARGO_BIN_EXE_faas-server"))
            .args(["dev", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(data_dir.path())
            .env("RUST_LOG", "warn")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        // Read its output to the end (it must not meet a closed pipe), passing on
        // the URLs.
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
            {
                for prefix in ["API:", "Metrics:"] {
                    if let Some(url) = line.trim().strip_prefix(prefix) {
                        let _ = tx.send((prefix, url.trim().to_owned()));
                    }
                }
            }
        });
        let (api_url, metrics_url) = tokio::task::spawn_blocking(move || {
            let (mut api, mut metrics) = (None, None);
            while api.is_none() || (with_metrics && metrics.is_none()) {
                match rx.recv_timeout(Duration::from_secs(60)) {
                    Ok(("API:", url)) => api = Some(url),
                    Ok((_, url)) => metrics = Some(url),
                    Err(e) => panic!("faas-server dev prints its addresses: {e}"),
                }
            }
            (api.unwrap(), metrics)
        })
        .await
        .unwrap();
        Self {
            child: Killed(child),
            api: Api::trusting(api_url, &data_dir.path().join("ca.pem")),
            metrics_url,
            _data_dir: data_dir,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.0.id()
    }

    /// SIGTERM, so it drains and removes its containers. The client goes first:
    /// the server waits for open connections to close.
    pub async fn stop(self) {
        let Self { mut child, api, .. } = self;
        drop(api);
        tokio::task::spawn_blocking(move || {
            let _ = Command::new("kill")
                .args(["-TERM", &child.0.id().to_string()])
                .status();
            child.0.wait()
        })
        .await
        .unwrap()
        .unwrap();
    }
}

/// The dev process, killed when a failing test drops it.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
