//! Real parts for the worker tests: a private nats-server, the activation stream as
//! faas-server creates it, and a check for leftover containers.

#![allow(dead_code)] // Each test binary uses its own part of this module.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use async_nats::jetstream::{self, stream};
use faas_shared::nats::{ACTIVATIONS_STREAM, ACTIVATIONS_SUBJECTS};

/// A private nats-server with JetStream on a free port; killed on drop.
pub struct Nats {
    child: std::process::Child,
    pub url: String,
    _dir: tempfile::TempDir,
}

impl Drop for Nats {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn start_nats() -> Nats {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new("nats-server")
        .args(["-js", "-a", "127.0.0.1", "-p", "-1", "-sd"])
        .arg(dir.path())
        .stderr(Stdio::piped())
        .spawn()
        .expect("nats-server on PATH (apt-get install nats-server)");
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let port = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|line| {
            let (_, addr) = line.split_once("Listening for client connections on ")?;
            addr.trim().rsplit(':').next()?.parse::<u16>().ok()
        })
        .expect("nats-server reports its port");
    // Keep draining so the server never blocks on a full stderr pipe.
    std::thread::spawn(move || lines.for_each(drop));
    Nats {
        child,
        url: format!("nats://127.0.0.1:{port}"),
        _dir: dir,
    }
}

/// The `FAAS_ACTIVATIONS` work queue, as faas-server creates it.
pub async fn create_activations_stream(js: &jetstream::Context) -> stream::Stream {
    js.create_stream(stream::Config {
        name: ACTIVATIONS_STREAM.to_owned(),
        subjects: vec![ACTIVATIONS_SUBJECTS.to_owned()],
        retention: stream::RetentionPolicy::WorkQueue,
        ..Default::default()
    })
    .await
    .unwrap()
}

/// A name no other test (or test process) uses.
pub fn unique(prefix: &str) -> String {
    static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!(
        "{prefix}{}x{n}x{}",
        std::process::id(),
        chrono::Utc::now().timestamp_micros()
    )
}

/// The activation's container is gone within a few seconds.
pub async fn assert_container_removed(activation_id: &str) {
    for _ in 0..50 {
        let output = tokio::process::Command::new("docker")
            .args([
                "ps",
                "-aq",
                "--filter",
                &format!("label=io.faas.activation={activation_id}"),
            ])
            .output()
            .await
            .unwrap();
        if output.stdout.is_empty() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the container of activation {activation_id} was not removed");
}
