//! `faas-server dev` reads every setting `faas-server serve` and `faas-worker` read,
//! as they read them: a value takes effect, and a bad value stops it with an error
//! that names the variable.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use faas_testkit::names::unique;
use reqwest::StatusCode;

use crate::dev_process::DevProcess;

/// A port nothing listens on now.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test]
async fn dev_applies_the_servers_and_the_workers_settings() {
    let worker_metrics = format!("127.0.0.1:{}", free_port());
    let dev = DevProcess::start(&[
        ("FAAS_TOKEN_TTL_SECS", "90"),
        ("FAAS_WORKER_METRICS_LISTEN", &worker_metrics),
    ])
    .await;

    // The server's token lifetime.
    let user = unique("settings");
    dev.api.register(&user, faas_testkit::names::PASSWORD).await;
    let login = dev.api.login(&user, faas_testkit::names::PASSWORD).await;
    assert_eq!(login.status(), StatusCode::OK);
    let body: serde_json::Value = login.json().await.unwrap();
    let expires: DateTime<Utc> = body["expires_at"].as_str().unwrap().parse().unwrap();
    let lifetime = (expires - Utc::now()).num_seconds();
    assert!(
        (80..=90).contains(&lifetime),
        "token lives {lifetime} s, not 90"
    );

    // The worker's metrics listener.
    let mut scraped = None;
    for _ in 0..50 {
        if let Ok(response) = reqwest::get(format!("http://{worker_metrics}/metrics")).await {
            scraped = Some(response.status());
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        scraped,
        Some(StatusCode::OK),
        "the worker serves /metrics on {worker_metrics}"
    );
    dev.stop().await;
}

/// `FAAS_WORKER_RUNTIME=oci` puts dev's worker on the OCI runtime (root, crun or
/// runc): its calls run in the worker's own containers, not the engine's.
#[tokio::test]
async fn dev_runs_functions_on_the_oci_runtime_when_told() {
    if !faas_testkit::oci::can_run() {
        return;
    }
    let oci_dir = tempfile::tempdir().unwrap();
    let init = faas_testkit::init::binary();
    let dev = DevProcess::start(&[
        ("FAAS_WORKER_RUNTIME", "oci"),
        ("FAAS_WORKER_OCI_DIR", oci_dir.path().to_str().unwrap()),
        ("FAAS_WORKER_INIT", init.to_str().unwrap()),
    ])
    .await;
    let token = dev.api.user(&unique("oci-dev")).await;
    dev.api
        .add_function(
            &token,
            "rev",
            serde_json::json!({"image": faas_testkit::names::REVERSE}),
        )
        .await;
    let answer = dev.api.invoke_ok(&token, "rev", "hello").await;
    assert_eq!(answer["result"], "olleh", "{answer}");
    let container = answer["container_id"].as_str().unwrap();
    assert!(container.starts_with("faas-"), "ran on Docker: {container}");
    dev.stop().await;
}

#[test]
fn dev_refuses_a_bad_value_of_any_setting_naming_it() {
    for (name, value) in [
        ("FAAS_TOKEN_TTL_SECS", "soon"),
        ("FAAS_MAX_INFLIGHT", "lots"),
        ("FAAS_WORKER_SLOTS", "0"),
        ("FAAS_WORKER_MAX_PARKED", "many"),
        ("FAAS_WORKER_PREWARM_IDLE_SECS", "0"),
        ("FAAS_FUNCTION_NETWORK", "host"),
        ("FAAS_WORKER_METRICS_LISTEN", "nowhere"),
        ("FAAS_METRICS_LISTEN", "nowhere"),
        ("FAAS_REQUEST_READ_TIMEOUT_SECS", "0"),
        ("FAAS_MAX_CONNECTIONS", "none"),
        ("FAAS_MIN_UPLOAD_BYTES_PER_SEC", "slow"),
        ("FAAS_REGISTRATION", "sometimes"),
        ("FAAS_SYNC_QUEUE", "deep"),
        ("FAAS_WORKER_RUNTIME", "podman"),
        ("FAAS_WORKER_ROOTFS_CACHE_MB", "1024"),
    ] {
        let data_dir = tempfile::tempdir().unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_faas-server"))
            .args(["dev", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(data_dir.path())
            .env(name, value)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // A setting it ignored would leave it running: give it 30 s to refuse.
        let deadline = Instant::now() + Duration::from_secs(30);
        while child.try_wait().unwrap().is_none() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = child.kill();
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{name}={value} was accepted");
        assert!(stderr.contains(name), "{name}={value}: {stderr}");
    }
}
