//! The `faas-worker` binary as an operator runs it: configured by environment,
//! stopped by SIGTERM; and as the host install's systemd unit runs it.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use faas_testkit::Nats;

/// Reads the worker's log (stderr) on a thread until it says it is ready, within
/// 20 s a line, so a worker that never gets ready fails the test instead of
/// hanging it; returns the lines so far and the rest to come.
fn until_ready(worker: &mut Child) -> (Vec<String>, Receiver<String>) {
    let (lines_tx, lines_rx) = std::sync::mpsc::channel();
    let stderr = BufReader::new(worker.stderr.take().unwrap());
    std::thread::spawn(move || {
        for line in stderr.lines().map_while(Result::ok) {
            let _ = lines_tx.send(line);
        }
    });
    let mut seen = Vec::new();
    while !seen.iter().any(|l: &String| l.contains("worker ready")) {
        match lines_rx.recv_timeout(Duration::from_secs(20)) {
            Ok(line) => seen.push(line),
            Err(_) => {
                let _ = worker.kill();
                panic!("the worker did not get ready: {seen:#?}");
            }
        }
    }
    (seen, lines_rx)
}

/// Asks the worker to stop, as an operator's SIGTERM does.
fn sigterm(worker: &Child) {
    let term = Command::new("kill")
        .args(["-TERM", &worker.id().to_string()])
        .status()
        .unwrap();
    assert!(term.success());
}

#[tokio::test]
async fn sigterm_stops_a_working_worker_cleanly() {
    let nats = Nats::start().await;
    // What faas-server creates, so the worker gets past start-up.
    nats.set_up_store().await;

    let mut worker = Command::new(env!("CARGO_BIN_EXE_faas-worker"))
        .env("FAAS_NATS_URL", nats.url())
        .env("FAAS_NATS_USER", &nats.auth().worker.user)
        .env(
            "FAAS_NATS_PASSWORD_FILE",
            nats.auth().worker_password_file(),
        )
        .env("FAAS_REQUEST_KEY_FILE", nats.auth().request_key_file())
        .env("FAAS_WORKER_ID", "binary-test")
        .env("RUST_LOG", "info")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (_, lines_rx) = until_ready(&mut worker);
    // Let it sit in its pull loop, then ask it to stop.
    tokio::time::sleep(Duration::from_millis(500)).await;
    sigterm(&worker);
    let started = Instant::now();
    let status = worker.wait().unwrap();
    let rest: Vec<String> = lines_rx.try_iter().collect();
    assert!(status.success(), "clean exit, got {status}: {rest:#?}");
    assert!(!rest.iter().any(|l| l.contains("panicked")), "{rest:#?}");
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "{:?}",
        started.elapsed()
    );
}

/// A runtime the worker does not have, or an OCI setting without the OCI runtime,
/// stops it at start with what to set instead.
#[test]
fn a_bad_runtime_setting_stops_the_worker_saying_what_to_set() {
    for (var, value, says) in [
        ("FAAS_WORKER_RUNTIME", "podman", "use docker"),
        (
            "FAAS_WORKER_OCI_DIR",
            "/tmp/x",
            "set FAAS_WORKER_RUNTIME=oci too",
        ),
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_faas-worker"))
            .env(var, value)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{var}={value}: {stderr}");
        assert!(stderr.contains(says), "{var}={value}: {stderr}");
    }
}

/// The settings of `deploy/systemd/faas-worker.service`, as (name, value).
fn unit_environment() -> Vec<(String, String)> {
    let unit = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../deploy/systemd/faas-worker.service"
    ))
    .unwrap();
    assert!(
        unit.lines()
            .any(|l| l == "ExecStart=/usr/local/bin/faas-worker")
    );
    unit.lines()
        .filter_map(|line| line.strip_prefix("Environment="))
        .map(|pair| {
            let (name, value) = pair.split_once('=').expect("NAME=value");
            (name.to_owned(), value.to_owned())
        })
        .collect()
}

/// The host install's unit runs the worker on the OCI runtime: started with the
/// unit's own settings (only addresses, files and the host name replaced by this
/// test's), the worker gets ready on crun or runc and stops cleanly.
#[tokio::test]
async fn the_systemd_unit_starts_a_worker_on_the_oci_runtime() {
    if !faas_testkit::oci::can_run() {
        return;
    }
    let nats = Nats::start().await;
    nats.set_up_store().await;
    let dir = tempfile::tempdir().unwrap();
    let here: Vec<(&str, String)> = vec![
        ("FAAS_WORKER_OCI_DIR", dir.path().display().to_string()),
        (
            "FAAS_WORKER_INIT",
            faas_testkit::init::binary().display().to_string(),
        ),
        ("FAAS_NATS_URL", nats.url().to_owned()),
        ("FAAS_NATS_USER", nats.auth().worker.user.clone()),
        (
            "FAAS_NATS_PASSWORD_FILE",
            nats.auth().worker_password_file().display().to_string(),
        ),
        (
            "FAAS_REQUEST_KEY_FILE",
            nats.auth().request_key_file().display().to_string(),
        ),
        (
            "FAAS_SECRETS_KEY_FILE",
            nats.auth().secrets_key_file().display().to_string(),
        ),
        ("FAAS_WORKER_ID", "unit-test".to_owned()),
    ];
    let mut command = Command::new(env!("CARGO_BIN_EXE_faas-worker"));
    command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap());
    for (name, value) in unit_environment() {
        let value = here
            .iter()
            .find(|(n, _)| *n == name)
            .map_or(value, |(_, v)| v.clone());
        command.env(name, value);
    }
    assert_eq!(
        unit_environment()
            .iter()
            .find(|(n, _)| n == "FAAS_WORKER_RUNTIME")
            .map(|(_, v)| v.as_str()),
        Some("oci")
    );
    let mut worker = command.stderr(Stdio::piped()).spawn().unwrap();
    let (seen, _) = until_ready(&mut worker);
    assert!(
        seen.iter()
            .any(|l| l.contains("functions run on the OCI runtime")),
        "{seen:#?}"
    );
    sigterm(&worker);
    let status = worker.wait().unwrap();
    assert!(status.success(), "clean exit, got {status}");
}
