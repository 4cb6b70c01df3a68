//! The real `faas-server dev` binary under 200 parallel logins: the argon2 gate
//! bounds the process's memory.

use faas_testkit::names::{PASSWORD, unique};
use reqwest::StatusCode;

use crate::dev_process::DevProcess;

/// 200 parallel logins against the real `faas-server dev` binary: the argon2 gate
/// keeps the process's peak RSS under 100 MiB (each hash holds 19 MiB; unbounded,
/// 200 of them took 4 GB). Throttling by name and address is switched off so that
/// every login reaches the gate.
#[tokio::test]
async fn two_hundred_parallel_logins_stay_under_100_mib() {
    let dev = DevProcess::start(&[
        ("FAAS_LOGINS_PER_USER_PER_MINUTE", "0"),
        ("FAAS_LOGINS_PER_ADDRESS_PER_MINUTE", "0"),
    ])
    .await;
    let pid = dev.pid();
    let api = dev.api.clone();
    let user = unique("rss");
    api.user(&user).await;
    let before = memory(pid);

    let logins = (0..200).map(|_| {
        let api = api.clone();
        let user = user.clone();
        tokio::spawn(async move { api.login(&user, PASSWORD).await.status() })
    });
    let statuses: Vec<StatusCode> = futures::future::join_all(logins)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    let after = memory(pid);
    let ok = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    println!(
        "200 parallel logins: {ok} × 200, {refused} × 429; RSS before {} KiB, after {} KiB, peak (VmHWM) {} KiB",
        before.0, after.0, after.1
    );
    assert_eq!(ok + refused, 200, "{statuses:?}");
    assert!(ok >= 1);
    drop(api);
    dev.stop().await;
    assert!(
        after.1 < 100 * 1024,
        "peak RSS {} KiB is over 100 MiB",
        after.1
    );
}

/// (VmRSS, VmHWM) of process `pid`, in KiB.
fn memory(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap()
    };
    (field("VmRSS:"), field("VmHWM:"))
}
