//! The OCI backend through the whole platform: a worker with
//! `FAAS_WORKER_RUNTIME=oci`'s settings on a real nats-server behind the API
//! server serves cold, prewarmed and `network: true` functions (those on the
//! Docker Engine), every call in a fresh container, and leaves nothing when it
//! stops.

use std::collections::HashSet;

use faas_testkit::Platform;
use faas_testkit::docker::worker_leftovers;
use faas_testkit::names::{REVERSE, SH, unique};
use futures::future::join_all;
use serde_json::{Value, json};

/// The entries of `dir` (none when it is missing).
fn entries(dir: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|items| {
            items
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn an_oci_worker_serves_the_platform_and_leaves_nothing() {
    if !faas_testkit::oci::can_run() {
        return;
    }
    let platform = Platform::parts().await;
    let dir = tempfile::tempdir().unwrap();
    let id = unique("oci-worker");
    let worker = platform.worker(|config| {
        config.worker_id = id.clone();
        config.slots = 4;
        config.init_binary = Some(faas_testkit::init::binary());
        let mut settings = faas_worker::default_oci_settings();
        settings.dir = dir.path().to_owned();
        config.oci = Some(settings);
    });
    let token = platform.user(&unique("oci")).await;
    platform
        .add_function(&token, "rev", json!({"image": REVERSE}))
        .await;
    platform
        .add_function(&token, "warm", json!({"image": REVERSE, "prewarm": 2}))
        .await;
    platform
        .add_function(&token, "net", json!({"image": SH, "network": true}))
        .await;

    let calls = join_all((0..12).map(|i| {
        let (platform, token) = (&platform, &token);
        async move {
            let param = format!("call {i}");
            let answer = platform.invoke_ok(token, "rev", &param).await;
            let expected: String = param.chars().rev().collect();
            assert_eq!(answer["result"], expected.as_str(), "{answer}");
            answer
        }
    }))
    .await;
    let ids: HashSet<_> = calls
        .iter()
        .map(|a| a["container_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), 12, "every call a fresh container: {ids:?}");
    assert!(
        ids.iter().all(|id| id.starts_with("faas-")),
        "on the OCI runtime: {ids:?}"
    );

    let mut warm = Vec::new();
    for _ in 0..6 {
        warm.push(platform.invoke_ok(&token, "warm", "abc").await);
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    }
    assert!(warm.iter().all(|a| a["result"] == "cba"), "{warm:?}");
    assert!(
        warm.iter()
            .any(|a| a["timings"]["prewarmed"] == Value::Bool(true)),
        "a parked container served: {warm:?}"
    );

    let net = platform
        .invoke_ok(&token, "net", "ip -o link | grep -vc ' lo:'")
        .await;
    assert_eq!(net["result"], "1\n", "one interface besides lo: {net}");
    let net_container = net["container_id"].as_str().unwrap();
    assert!(
        !net_container.starts_with("faas-"),
        "network: true runs on the Docker Engine: {net_container}"
    );

    worker.stop().await;
    let runtime = dir.path().join("runtime");
    assert_eq!(entries(&runtime.join("state")), Vec::<String>::new());
    assert_eq!(entries(&runtime.join("bundles")), Vec::<String>::new());
    assert_eq!(worker_leftovers(&id).await, Vec::<String>::new());
    platform.stop().await;
}
