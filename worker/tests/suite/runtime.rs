//! The container runtime against the real Docker Engine and the real OCI runtime,
//! every test on both backends but the one of a worker without `faas-init`, with
//! the example images (`bash scripts/build-function-images.sh`).

use std::time::{Duration, Instant};

use faas_shared::RunFailureKind;
use faas_shared::activation::{ActivationRequest, ActivationResult};
use faas_shared::image_policy::ImagePolicy;
use faas_shared::{ActivationStatus, ParamMode};
use faas_testkit::activation::request;
use faas_testkit::docker::assert_container_removed;
use faas_testkit::listener::Listener;
use faas_testkit::names::{CAT, ENV, FAIL, REVERSE, SH, SLEEP};
use faas_worker::runtime::ContainerRuntime;

use crate::backends::Backend;

const WORKER: &str = "runtime-test";

/// Runs `request` cold on `backend` as a worker does: through `faas-init`, which
/// reports the end; its container is gone afterwards.
async fn run(backend: &Backend, request: &ActivationRequest) -> ActivationResult {
    let result = checked_run(&backend.runtime, request).await;
    if let Some(id) = &result.activation.container_id {
        // The OCI backend's ids are its own; functions with a network run on Docker.
        let on_oci = backend.is_oci() && !request.network;
        assert_eq!(id.starts_with("faas-"), on_oci, "ran elsewhere: {id}");
    }
    backend.assert_removed(&request.activation_id).await;
    result
}

/// Runs `request` on `runtime`, whose images must have been built.
async fn checked_run(runtime: &ContainerRuntime, request: &ActivationRequest) -> ActivationResult {
    let result = runtime.run(request, WORKER).await;
    if let Some(failure) = &result.failure {
        assert!(
            failure.kind != RunFailureKind::ImageUnavailable
                || request.image.contains("no-such-image"),
            "{}: run `bash scripts/build-function-images.sh` first",
            failure.message
        );
    }
    result
}

/// Runs `request` on `runtime`; its container is gone afterwards (Docker).
async fn run_on(runtime: &ContainerRuntime, request: &ActivationRequest) -> ActivationResult {
    let result = checked_run(runtime, request).await;
    assert_container_removed(&request.activation_id).await;
    result
}

/// Runs `param` on `image` with a 1 s timeout, which it must hit; returns the result
/// and how long the run took.
async fn run_past_a_1s_timeout(
    backend: &Backend,
    image: &str,
    param: &str,
) -> (ActivationResult, Duration) {
    let mut slow = request(image, param);
    slow.timeout_ms = 1000;
    let started = Instant::now();
    let result = run(backend, &slow).await;
    let took = started.elapsed();
    assert_eq!(result.activation.status, ActivationStatus::Timeout);
    assert_eq!(result.activation.exit_code, None);
    (result, took)
}

on_both_backends! {
    async fn argv_param_like_docker_run(backend: Backend) {
        let result = run(&backend, &request(REVERSE, "hello")).await;
        assert_eq!(result.failure, None);
        assert_eq!(result.activation.status, ActivationStatus::Success);
        assert_eq!(result.activation.result, "olleh");
        assert_eq!(result.activation.exit_code, Some(0));
        assert_eq!(result.worker, WORKER);
    }
}

/// A worker without `faas-init` runs the image as `docker run --rm` would, and
/// learns the end from the engine.
#[tokio::test]
async fn without_init_a_cold_run_is_the_engines_own() {
    let runtime = ContainerRuntime::new(None);
    let result = run_on(&runtime, &request(FAIL, "boom")).await;
    assert_eq!(result.activation.exit_code, Some(3), "{result:?}");
    assert_eq!(result.activation.result, "partial output");
    assert_eq!(result.activation.logs, "fail: something went wrong: boom\n");
    let mut stdin = request(CAT, "");
    stdin.param_mode = ParamMode::Stdin;
    stdin.param = "through stdin".into();
    assert_eq!(
        run_on(&runtime, &stdin).await.activation.result,
        "through stdin"
    );
    let mut slow = request(SLEEP, "30");
    slow.timeout_ms = 1000;
    let result = run_on(&runtime, &slow).await;
    assert_eq!(result.activation.status, ActivationStatus::Timeout);
}

on_both_backends! {
    async fn non_zero_exit_is_the_functions_error_with_its_output(backend: Backend) {
        let result = run(&backend, &request(FAIL, "boom")).await;
        assert_eq!(
            result.failure, None,
            "a failing function is not a platform failure"
        );
        assert_eq!(result.activation.status, ActivationStatus::Error);
        assert_eq!(result.activation.exit_code, Some(3));
        assert_eq!(result.activation.result, "partial output");
        assert_eq!(result.activation.logs, "fail: something went wrong: boom\n");
    }
}

on_both_backends! {
    async fn stdin_and_env_param_modes(backend: Backend) {
        let mut stdin = request(CAT, "");
        stdin.param_mode = ParamMode::Stdin;
        stdin.param = "line one\nline two".into();
        let result = run(&backend, &stdin).await;
        assert_eq!(result.activation.result, "line one\nline two");

        // More than a pipe buffer: written while the function already prints.
        stdin.param = "0123456789abcdef".repeat(32 * 1024);
        let big = run(&backend, &stdin).await;
        assert_eq!(big.activation.result.len(), 512 * 1024);
        assert_eq!(big.activation.result, stdin.param);

        let mut env = request(ENV, "");
        env.param_mode = ParamMode::Env;
        env.param = "from the environment".into();
        assert_eq!(run(&backend, &env).await.activation.result, "from the environment");
    }
}

on_both_backends! {
    async fn timeout_kills_the_container_and_keeps_output(backend: Backend) {
        let (result, took) = run_past_a_1s_timeout(&backend, SH, "printf started; sleep 60").await;
        assert_eq!(result.activation.result, "started");
        assert!(took < Duration::from_secs(20), "{took:?}");
    }
}

on_both_backends! {
    async fn sleep_past_its_timeout_is_stopped_within_seconds(backend: Backend) {
        let (result, took) = run_past_a_1s_timeout(&backend, SLEEP, "30").await;
        assert!(
            result.activation.duration_ms < 5000,
            "{}",
            result.activation.duration_ms
        );
        assert!(took < Duration::from_secs(10), "{took:?}");
    }
}

on_both_backends! {
    async fn missing_image_is_image_unavailable(backend: Backend) {
        let mut ghost = request(REVERSE, "x");
        ghost.image = "faas-examples/no-such-image:1".into();
        let result = run(&backend, &ghost).await;
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
        let untagged = run(&backend, &ghost).await.failure.expect("a platform failure");
        assert_eq!(untagged.kind, RunFailureKind::ImageUnavailable);
    }
}

on_both_backends! {
    async fn sandbox_has_no_network_and_a_read_only_root(backend: Backend) {
        let network = run(&backend, &request(SH, "ip -o link | grep -v ' lo:' | wc -l")).await;
        assert_eq!(
            network.activation.result.trim(),
            "0",
            "only loopback: {network:?}"
        );

        let write_root = run(&backend, &request(SH, "echo x > /x")).await;
        assert_eq!(write_root.activation.status, ActivationStatus::Error);
        assert!(
            write_root.activation.logs.contains("Read-only file system"),
            "{write_root:?}"
        );

        let tmp = run(&backend, &request(SH, "echo scratch > /tmp/x && cat /tmp/x")).await;
        assert_eq!(
            tmp.activation.result, "scratch\n",
            "/tmp is writable: {tmp:?}"
        );

        let caps = run(&backend, &request(SH, "grep CapEff /proc/self/status")).await;
        assert!(
            caps.activation.result.contains("0000000000000000"),
            "no capabilities: {caps:?}"
        );
    }
}

on_both_backends! {
    async fn fork_bomb_is_contained_by_the_pids_limit(backend: Backend) {
        let mut bomb = request(SH, "bomb() { bomb | bomb & }; bomb; sleep 2; echo survived");
        bomb.timeout_ms = 5000;
        let result = run(&backend, &bomb).await;
        assert_ne!(
            result.failure.as_ref().map(|f| f.kind),
            Some(RunFailureKind::Runtime),
            "{result:?}"
        );
        // The runtime still works afterwards.
        assert_eq!(run(&backend, &request(REVERSE, "ok")).await.activation.result, "ko");
    }
}

on_both_backends! {
    async fn output_beyond_the_cap_is_truncated_and_flagged(backend: Backend) {
        let big = run(&backend, &request(SH, "yes 0123456789 | head -c 2000000")).await;
        assert_eq!(big.activation.status, ActivationStatus::Success);
        assert_eq!(
            big.activation.result.len(),
            faas_worker::output::MAX_RESULT_BYTES
        );
        assert!(big.activation.result_truncated);
        assert!(!big.activation.logs_truncated);
    }
}

on_both_backends! {
    async fn allocation_beyond_the_memory_limit_is_an_error_not_a_hang(backend: Backend) {
        let mut hog = request(
            SH,
            r#"x=$(head -c 200000000 /dev/zero | tr "\0" a); echo ${#x}"#,
        );
        hog.memory_mb = 32;
        hog.timeout_ms = 20_000;
        let result = run(&backend, &hog).await;
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
        assert!(result.activation.oom_killed, "{result:?}");
    }
}

on_both_backends! {
    async fn an_oom_kill_is_recorded_as_such(backend: Backend) {
        // dd touches its 64 MiB buffer at once; a `tail` growing towards the limit can
        // thrash there for many seconds before the OOM killer acts (3 of 8 under load).
        let mut hog = request(SH, "dd if=/dev/zero of=/dev/null bs=64M count=1");
        hog.memory_mb = 16;
        // Docker 20.10 (containerd 1.6, cgroup v1) sometimes emits no `oom` event at all
        // for a container that dies at once while the engine is busy (seen: 3 of 12 runs
        // beside a load run, with a live `docker events` watching), and then nothing
        // tells the kill apart. So each run must be a SIGKILL, and one of three must be
        // recorded as an OOM kill.
        let mut results = Vec::new();
        for _ in 0..3 {
            let result = run(&backend, &hog).await;
            assert_eq!(result.activation.exit_code, Some(137), "{result:?}");
            let oom_killed = result.activation.oom_killed;
            results.push(result);
            if oom_killed {
                break;
            }
        }
        assert!(
            results.iter().any(|r| r.activation.oom_killed),
            "{results:#?}"
        );

        // Exit 137 by itself is not an OOM kill.
        let killed = run(&backend, &request(SH, "sh -c 'kill -9 $$'; exit $?")).await;
        assert_eq!(killed.activation.exit_code, Some(137), "{killed:?}");
        assert!(!killed.activation.oom_killed, "{killed:?}");
    }
}

on_both_backends! {
    /// The kernel's per-string limit (`MAX_ARG_STRLEN`, 131072 bytes with the NUL) is
    /// what the platform's limits are: a parameter at the limit runs in argv and env.
    async fn parameters_at_the_kernel_limit_run(backend: Backend) {
        // `sh -c PARAM`: PARAM is one argument of exactly the limit.
        let mut at_limit = request(SH, "");
        let script = "printf %s ok; exit 0; ";
        at_limit.param = format!(
            "{script}{}",
            "#".repeat(faas_shared::MAX_PARAM_BYTES_ARGV - script.len())
        );
        assert_eq!(at_limit.param.len(), 131_071);
        let result = run(&backend, &at_limit).await;
        assert_eq!(result.failure, None, "{result:?}");
        assert_eq!(result.activation.result, "ok");

        let mut env = request(ENV, "");
        env.param_mode = ParamMode::Env;
        env.param = "e".repeat(faas_shared::MAX_PARAM_BYTES_ENV);
        let result = run(&backend, &env).await;
        assert_eq!(result.failure, None, "{:?}", result.failure);
        assert_eq!(result.activation.result.len(), 131_060);

        // One byte more is what the kernel refuses (the API answers 413 before this).
        let mut over = at_limit;
        over.param.push('#');
        env.param.push('e');
        for over in [over, env] {
            let refused = run(&backend, &over).await;
            assert_eq!(refused.activation.status, ActivationStatus::Error);
            assert!(
                refused
                    .activation
                    .logs
                    .to_lowercase()
                    .contains("argument list too long"),
                "{refused:?}"
            );
        }
    }
}

on_both_backends! {
    /// A function with `network: true` is on our network, not Docker's `bridge`, and
    /// cannot reach another function on it: one listens, the other tries to connect.
    async fn network_functions_are_on_our_network_and_cannot_reach_one_another(backend: Backend) {
        let runtime = backend.runtime.clone();
        let mut listener = request(SH, "nc -l -p 9000");
        listener.network = true;
        listener.timeout_ms = 12_000;
        let listening = {
            let (runtime, listener) = (runtime.clone(), listener.clone());
            tokio::spawn(async move { runtime.run(&listener, WORKER).await })
        };
        let container = running_container(&listener.activation_id).await;
        let networks = docker_stdout(&[
            "inspect",
            "-f",
            "{{range $name, $_ := .NetworkSettings.Networks}}{{$name}} {{end}}",
            &container,
        ]);
        assert_eq!(networks, "faas-functions", "the function's networks");
        let ip = docker_stdout(&[
            "inspect",
            "-f",
            "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}",
            &container,
        ]);
        assert!(!ip.is_empty());
        let options = docker_stdout(&[
            "network",
            "inspect",
            "-f",
            "{{index .Options \"com.docker.network.bridge.enable_icc\"}} {{index .Labels \"io.faas.function-network\"}}",
            "faas-functions",
        ]);
        assert_eq!(options, "false true", "icc off, labelled ours");

        let mut prober = request(
            SH,
            &format!("echo hello from the prober | nc -w 3 {ip} 9000 && echo reached || echo blocked"),
        );
        prober.network = true;
        let probe = runtime.run(&prober, WORKER).await;
        assert_eq!(probe.failure, None, "{probe:?}");
        assert_eq!(probe.activation.result.trim(), "blocked", "{probe:?}");

        let listened = listening.await.unwrap();
        assert_eq!(listened.activation.status, ActivationStatus::Timeout);
        assert!(
            !listened.activation.result.contains("hello"),
            "the listener heard the prober: {listened:?}"
        );
    }
}

on_both_backends! {
    /// The worker applies the image policy itself: a request naming a loopback
    /// registry (as a forged or stale queue message might) is refused before the
    /// engine contacts anything.
    async fn a_refused_registry_is_never_contacted(backend: Backend) {
        let target = Listener::answering_a_secret().await;
        for host in ["127.0.0.1", "localhost"] {
            let image = format!("{host}:{}/x:1", target.port());
            let mut req = request(SH, "true");
            req.image = image.clone();
            let result = backend.runtime.run(&req, WORKER).await;
            let failure = result.failure.expect("a platform failure");
            assert_eq!(failure.kind, RunFailureKind::ImageUnavailable);
            assert!(
                failure.message.contains("not allowed"),
                "{}",
                failure.message
            );
            assert!(failure.message.contains(&image), "{}", failure.message);
        }
        assert_eq!(
            target.connections_after(Duration::from_secs(1)).await,
            0,
            "the engine contacted the refused registry"
        );
    }
}

on_both_backends! {
    /// A registry the operator allowed that answers with something else: the caller
    /// gets what kind of failure it was, never the body.
    async fn a_pull_error_never_echoes_what_the_registry_sent(backend: Backend) {
        let target = Listener::answering_a_secret().await;
        let registry = format!("127.0.0.1:{}", target.port());
        let runtime = backend
            .runtime
            .clone()
            .with_image_policy(ImagePolicy::parse(&registry).unwrap());
        let mut req = request(SH, "true");
        req.image = format!("{registry}/x:1");
        let result = runtime.run(&req, WORKER).await;
        let failure = result.failure.expect("a platform failure");
        assert_eq!(failure.kind, RunFailureKind::ImageUnavailable);
        assert!(failure.message.contains(&req.image), "{}", failure.message);
        assert!(!failure.message.contains("hunter2"), "{}", failure.message);
        assert!(target.connections() > 0, "the pull was tried");
        println!("pull failure: {}", failure.message);
    }
}

on_both_backends! {
    /// A registry that accepts connections and never answers holds the activation for
    /// about the function's timeout, not minutes.
    async fn a_hanging_registry_costs_at_most_the_functions_timeout(backend: Backend) {
        let target = Listener::silent().await;
        let registry = format!("127.0.0.1:{}", target.port());
        let runtime = backend
            .runtime
            .clone()
            .with_image_policy(ImagePolicy::parse(&registry).unwrap());
        let mut req = request(SH, "true");
        req.image = format!("{registry}/hang:1");
        req.timeout_ms = 3000;
        let started = Instant::now();
        let result = runtime.run(&req, WORKER).await;
        let took = started.elapsed();
        let failure = result.failure.expect("a platform failure");
        assert_eq!(failure.kind, RunFailureKind::ImageUnavailable);
        assert!(
            failure
                .message
                .contains("did not finish within the function's timeout (3000 ms)"),
            "{}",
            failure.message
        );
        assert!(target.connections() > 0, "the pull was tried");
        println!("a hanging registry answered after {took:?}");
        assert!(took < Duration::from_secs(15), "{took:?}");
    }
}

/// The id of the activation's container once it runs (within 20 s).
async fn running_container(activation_id: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let id = docker_stdout(&[
            "ps",
            "-q",
            "--filter",
            &format!("label=io.faas.activation={activation_id}"),
            "--filter",
            "status=running",
        ]);
        if !id.is_empty() {
            return id;
        }
        assert!(Instant::now() < deadline, "no running container");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn docker_stdout(args: &[&str]) -> String {
    let output = std::process::Command::new("docker")
        .args(args)
        .output()
        .expect("docker runs");
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}
