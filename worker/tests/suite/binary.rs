//! The `faas-worker` binary as an operator runs it: configured by environment,
//! stopped by SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use faas_testkit::Nats;

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
    // Read its log on a thread, so a worker that never gets ready fails the test
    // instead of hanging it.
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
    // Let it sit in its pull loop, then ask it to stop.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let term = Command::new("kill")
        .args(["-TERM", &worker.id().to_string()])
        .status()
        .unwrap();
    assert!(term.success());
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
