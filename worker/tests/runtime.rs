//! The container runtime against the real Docker Engine, with the example images
//! (`bash scripts/build-function-images.sh`).

use std::time::{Duration, Instant};

use faas_shared::RunFailureKind;
use faas_shared::activation::{ActivationRequest, ActivationResult};
use faas_shared::{ActivationStatus, ParamMode};
use faas_testkit::activation::request;
use faas_testkit::docker::assert_container_removed;
use faas_testkit::names::{CAT, ENV, FAIL, REVERSE, SH, SLEEP};
use faas_worker::runtime::ContainerRuntime;

const WORKER: &str = "runtime-test";

async fn run(request: &ActivationRequest) -> ActivationResult {
    let runtime = ContainerRuntime::new(None);
    let result = runtime.run(request, WORKER).await;
    if let Some(failure) = &result.failure {
        assert!(
            failure.kind != RunFailureKind::ImageUnavailable
                || request.image.contains("no-such-image"),
            "{}: run `bash scripts/build-function-images.sh` first",
            failure.message
        );
    }
    assert_container_removed(&request.activation_id).await;
    result
}

/// Runs `param` on `image` with a 1 s timeout, which it must hit; returns the result
/// and how long the run took.
async fn run_past_a_1s_timeout(image: &str, param: &str) -> (ActivationResult, Duration) {
    let mut slow = request(image, param);
    slow.timeout_ms = 1000;
    let started = Instant::now();
    let result = run(&slow).await;
    let took = started.elapsed();
    assert_eq!(result.activation.status, ActivationStatus::Timeout);
    assert_eq!(result.activation.exit_code, None);
    (result, took)
}

#[tokio::test]
async fn argv_param_like_docker_run() {
    let result = run(&request(REVERSE, "hello")).await;
    assert_eq!(result.failure, None);
    assert_eq!(result.activation.status, ActivationStatus::Success);
    assert_eq!(result.activation.result, "olleh");
    assert_eq!(result.activation.exit_code, Some(0));
    assert_eq!(result.worker, WORKER);
}

#[tokio::test]
async fn non_zero_exit_is_the_functions_error_with_its_output() {
    let result = run(&request(FAIL, "boom")).await;
    assert_eq!(
        result.failure, None,
        "a failing function is not a platform failure"
    );
    assert_eq!(result.activation.status, ActivationStatus::Error);
    assert_eq!(result.activation.exit_code, Some(3));
    assert_eq!(result.activation.result, "partial output");
    assert_eq!(result.activation.logs, "fail: something went wrong: boom\n");
}

#[tokio::test]
async fn stdin_and_env_param_modes() {
    let mut stdin = request(CAT, "");
    stdin.param_mode = ParamMode::Stdin;
    stdin.param = "line one\nline two".into();
    let result = run(&stdin).await;
    assert_eq!(result.activation.result, "line one\nline two");

    // More than a pipe buffer: written while the function already prints.
    stdin.param = "0123456789abcdef".repeat(32 * 1024);
    let big = run(&stdin).await;
    assert_eq!(big.activation.result.len(), 512 * 1024);
    assert_eq!(big.activation.result, stdin.param);

    let mut env = request(ENV, "");
    env.param_mode = ParamMode::Env;
    env.param = "from the environment".into();
    assert_eq!(run(&env).await.activation.result, "from the environment");
}

#[tokio::test]
async fn timeout_kills_the_container_and_keeps_output() {
    let (result, took) = run_past_a_1s_timeout(SH, "printf started; sleep 60").await;
    assert_eq!(result.activation.result, "started");
    assert!(took < Duration::from_secs(20), "{took:?}");
}

#[tokio::test]
async fn sleep_past_its_timeout_is_stopped_within_seconds() {
    let (result, took) = run_past_a_1s_timeout(SLEEP, "30").await;
    assert!(
        result.activation.duration_ms < 5000,
        "{}",
        result.activation.duration_ms
    );
    assert!(took < Duration::from_secs(10), "{took:?}");
}

#[tokio::test]
async fn missing_image_is_image_unavailable() {
    let mut ghost = request(REVERSE, "x");
    ghost.image = "faas-examples/no-such-image:1".into();
    let result = run(&ghost).await;
    let failure = result.failure.expect("a platform failure");
    assert_eq!(failure.kind, RunFailureKind::ImageUnavailable);
    assert!(
        failure.message.contains("faas-examples/no-such-image:1"),
        "{}",
        failure.message
    );
    assert_eq!(result.activation.status, ActivationStatus::Error);

    // Untagged: one pull of `latest`, failing the same way.
    ghost.image = "faas-examples/no-such-image".into();
    let untagged = run(&ghost).await.failure.expect("a platform failure");
    assert_eq!(untagged.kind, RunFailureKind::ImageUnavailable);
}

#[tokio::test]
async fn sandbox_has_no_network_and_a_read_only_root() {
    let network = run(&request(SH, "ip -o link | grep -v ' lo:' | wc -l")).await;
    assert_eq!(
        network.activation.result.trim(),
        "0",
        "only loopback: {network:?}"
    );

    let write_root = run(&request(SH, "echo x > /x")).await;
    assert_eq!(write_root.activation.status, ActivationStatus::Error);
    assert!(
        write_root.activation.logs.contains("Read-only file system"),
        "{write_root:?}"
    );

    let tmp = run(&request(SH, "echo scratch > /tmp/x && cat /tmp/x")).await;
    assert_eq!(
        tmp.activation.result, "scratch\n",
        "/tmp is writable: {tmp:?}"
    );

    let caps = run(&request(SH, "grep CapEff /proc/self/status")).await;
    assert!(
        caps.activation.result.contains("0000000000000000"),
        "no capabilities: {caps:?}"
    );
}

#[tokio::test]
async fn fork_bomb_is_contained_by_the_pids_limit() {
    let mut bomb = request(SH, "bomb() { bomb | bomb & }; bomb; sleep 2; echo survived");
    bomb.timeout_ms = 5000;
    let result = run(&bomb).await;
    assert_ne!(
        result.failure.as_ref().map(|f| f.kind),
        Some(RunFailureKind::Runtime),
        "{result:?}"
    );
    // The runtime still works afterwards.
    assert_eq!(run(&request(REVERSE, "ok")).await.activation.result, "ko");
}

#[tokio::test]
async fn output_beyond_the_cap_is_truncated_and_flagged() {
    let big = run(&request(SH, "yes 0123456789 | head -c 2000000")).await;
    assert_eq!(big.activation.status, ActivationStatus::Success);
    assert_eq!(
        big.activation.result.len(),
        faas_worker::output::MAX_RESULT_BYTES
    );
    assert!(big.activation.result_truncated);
    assert!(!big.activation.logs_truncated);
}

#[tokio::test]
async fn allocation_beyond_the_memory_limit_is_an_error_not_a_hang() {
    let mut hog = request(
        SH,
        r#"x=$(head -c 200000000 /dev/zero | tr "\0" a); echo ${#x}"#,
    );
    hog.memory_mb = 32;
    hog.timeout_ms = 20_000;
    let result = run(&hog).await;
    assert_eq!(
        result.activation.status,
        ActivationStatus::Error,
        "{result:?}"
    );
    assert_eq!(
        result.activation.exit_code,
        Some(137),
        "killed by the OOM killer: {result:?}"
    );
}
