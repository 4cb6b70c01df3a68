//! Prewarmed single-use containers and secret files, through the container runtime
//! on both backends (the real Docker Engine, the real OCI runtime) (images from `bash
//! scripts/build-function-images.sh`, `faas-init` built static by the test kit).

use std::collections::HashSet;
use std::time::Duration;

use faas_shared::activation::{ActivationRequest, ActivationResult};
use faas_shared::{ActivationStatus, ParamMode};
use faas_testkit::activation::request;
use faas_testkit::names::{CAT, ECHO, ENV, REVERSE, SH, SLEEP, unique};
use faas_worker::labels::{LABEL_OWNER, LABEL_PARKED, LABEL_WORKER};
use faas_worker::runtime::ContainerRuntime;
use futures::future::join_all;

use crate::backends::Backend;

/// A runtime with the init binary, keeping at most `max_parked` containers.
fn runtime(max_parked: usize) -> ContainerRuntime {
    ContainerRuntime::new(None)
        .with_init(faas_testkit::init::binary())
        .with_prewarm(max_parked, Duration::from_secs(600))
}

/// `backend`, keeping at most `max_parked` containers.
fn prewarming(backend: Backend, max_parked: usize) -> Backend {
    backend.with(|runtime| runtime.with_prewarm(max_parked, Duration::from_secs(600)))
}

/// A request of function `function` with `prewarm` containers.
fn prewarmed(image: &str, function: &str, param: &str, prewarm: u32) -> ActivationRequest {
    let mut request = request(image, param);
    request.function = function.into();
    request.prewarm = prewarm;
    request
}

/// The ids of the parked containers of `worker` (running, waiting for a frame):
/// on the OCI backend, its running containers (it has a directory of its own).
async fn parked(backend: &Backend, worker: &str) -> Vec<String> {
    if backend.is_oci() {
        let containers = backend.runtime.oci_containers().await.unwrap();
        return containers
            .into_iter()
            .filter(|(_, status)| status == "running")
            .map(|(id, _)| id)
            .collect();
    }
    let output = tokio::process::Command::new("docker")
        .args(["ps", "-q", "--no-trunc", "--filter"])
        .arg(format!("label={LABEL_WORKER}={worker}"))
        .arg("--filter")
        .arg(format!("label={LABEL_PARKED}=true"))
        .output()
        .await
        .unwrap();
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

/// Waits until `worker` has `n` parked containers (30 s at most).
async fn wait_parked(backend: &Backend, worker: &str, n: usize) {
    for _ in 0..300 {
        if parked(backend, worker).await.len() == n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{worker} never had {n} parked containers");
}

/// Drains the pools and checks that nothing of `worker` is left, in the engine
/// or the OCI runtime.
async fn shut_down(backend: &Backend, worker: &str) {
    backend.runtime.drain_pools();
    backend.runtime.removals_done().await;
    let left = faas_testkit::docker::worker_leftovers(worker).await;
    assert!(left.is_empty(), "containers left after shutdown: {left:?}");
    // As the engine's check waits 10 s: a refill in flight at the drain parks
    // its container after it, and that container goes right after.
    let mut left = backend.runtime.oci_containers().await.unwrap();
    for _ in 0..100 {
        if left.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        backend.runtime.removals_done().await;
        left = backend.runtime.oci_containers().await.unwrap();
    }
    assert!(
        left.is_empty(),
        "OCI containers left after shutdown: {left:?}"
    );
}

fn prewarmed_run(result: &ActivationResult) -> bool {
    result
        .activation
        .timings
        .as_ref()
        .is_some_and(|t| t.prewarmed)
}

on_both_backends! {
    async fn prewarmed_containers_answer_in_every_param_mode(backend: Backend) {
        let backend = prewarming(backend, 8);
        let runtime = &backend.runtime;
        let worker = unique("prewarm");
        let mut stdin = prewarmed(CAT, "cat", "line one\nline two", 1);
        stdin.param_mode = ParamMode::Stdin;
        let mut env = prewarmed(ENV, "env", "from the environment", 1);
        env.param_mode = ParamMode::Env;
        let cases = [
            (prewarmed(REVERSE, "reverse", "hello", 1), "olleh"),
            (stdin, "line one\nline two"),
            (env, "from the environment"),
        ];
        // The first run of each is a miss that starts its pool.
        for (request, expected) in &cases {
            let cold = runtime.run(request, &worker).await;
            assert_eq!(cold.activation.result, *expected);
            assert!(!prewarmed_run(&cold));
        }
        wait_parked(&backend, &worker, 3).await;
        if !backend.is_oci() {
            assert_sandboxed(&parked(&backend, &worker).await[0]).await;
        }
        for (request, expected) in &cases {
            let mut again = request.clone();
            again.activation_id = request_id();
            let warm = runtime.run(&again, &worker).await;
            assert_eq!(warm.failure, None);
            assert_eq!(warm.activation.status, ActivationStatus::Success);
            assert_eq!(warm.activation.result, *expected, "{:?}", again.param_mode);
            assert_eq!(warm.activation.exit_code, Some(0));
            assert!(prewarmed_run(&warm), "{:?} ran cold", again.param_mode);
        }
        shut_down(&backend, &worker).await;
    }
}

/// A parked container has the sandbox of a cold one (`runtime::sandbox`).
async fn assert_sandboxed(id: &str) {
    let output = tokio::process::Command::new("docker")
        .args(["inspect", "--format"])
        .arg("{{.HostConfig.NetworkMode}} {{.HostConfig.ReadonlyRootfs}} {{.HostConfig.CapDrop}} {{.HostConfig.SecurityOpt}} {{.HostConfig.Memory}} {{.HostConfig.PidsLimit}} {{.HostConfig.Privileged}}")
        .arg(id)
        .output()
        .await
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        format!(
            "none true [ALL] [no-new-privileges] {} 64 false",
            64 * 1024 * 1024
        )
    );
}

fn request_id() -> String {
    request(REVERSE, "").activation_id
}

on_both_backends! {
    async fn no_container_serves_twice(backend: Backend) {
        let backend = prewarming(backend, 8);
        let runtime = &backend.runtime;
        let worker = unique("prewarm");
        let first = runtime
            .run(&prewarmed(REVERSE, "rev", "x", 4), &worker)
            .await;
        assert_eq!(first.activation.result, "x");
        wait_parked(&backend, &worker, 4).await;
        let mut results = vec![first];
        for round in 0..7 {
            let batch = (0..7).map(|i| {
                let runtime = runtime.clone();
                let worker = worker.clone();
                async move {
                    let param = format!("{round}-{i}");
                    let result = runtime
                        .run(&prewarmed(REVERSE, "rev", &param, 4), &worker)
                        .await;
                    assert_eq!(
                        result.activation.result,
                        param.chars().rev().collect::<String>()
                    );
                    result
                }
            });
            results.extend(join_all(batch).await);
        }
        assert_eq!(results.len(), 50);
        let ids: HashSet<_> = results
            .iter()
            .map(|r| r.activation.container_id.clone().expect("a container id"))
            .collect();
        assert_eq!(ids.len(), 50, "a container served twice");
        let hits = results.iter().filter(|r| prewarmed_run(r)).count();
        assert!(hits >= 4, "the parked containers were used ({hits} hits)");
        println!("prewarm hits: {hits} of 50 at concurrency 7 with a pool of 4");
        shut_down(&backend, &worker).await;
    }
}

on_both_backends! {
    async fn replacing_the_image_drains_the_old_pool(backend: Backend) {
        let backend = prewarming(backend, 8);
        let runtime = &backend.runtime;
        let worker = unique("prewarm");
        runtime
            .run(&prewarmed(REVERSE, "f", "abc", 2), &worker)
            .await;
        wait_parked(&backend, &worker, 2).await;
        let old = parked(&backend, &worker).await;

        let replaced = runtime.run(&prewarmed(ECHO, "f", "abc", 2), &worker).await;
        assert_eq!(replaced.activation.result, "abc", "the new image answers");
        wait_parked(&backend, &worker, 2).await;
        let now: HashSet<_> = parked(&backend, &worker).await.into_iter().collect();
        assert!(
            old.iter().all(|id| !now.contains(id)),
            "the old image's containers were drained"
        );
        let warm = runtime.run(&prewarmed(ECHO, "f", "def", 2), &worker).await;
        assert_eq!(warm.activation.result, "def");
        assert!(prewarmed_run(&warm));
        shut_down(&backend, &worker).await;
    }
}

on_both_backends! {
    async fn the_timeout_counts_from_the_handoff(backend: Backend) {
        let backend = prewarming(backend, 8);
        let runtime = &backend.runtime;
        let worker = unique("prewarm");
        let mut quick = prewarmed(REVERSE, "quick", "ok", 1);
        quick.timeout_ms = 1000;
        let mut slow = prewarmed(SLEEP, "slow", "30", 1);
        slow.timeout_ms = 1000;
        runtime.run(&quick, &worker).await;
        slow.param = "0".into();
        runtime.run(&slow, &worker).await;
        wait_parked(&backend, &worker, 2).await;
        // Parked for longer than the timeout: that time is not the function's.
        tokio::time::sleep(Duration::from_millis(1500)).await;

        quick.activation_id = request_id();
        let result = runtime.run(&quick, &worker).await;
        assert!(prewarmed_run(&result));
        assert_eq!(result.activation.status, ActivationStatus::Success);
        assert!(result.activation.duration_ms < 1000);

        slow.activation_id = request_id();
        slow.param = "30".into();
        let result = runtime.run(&slow, &worker).await;
        assert!(prewarmed_run(&result));
        assert_eq!(result.activation.status, ActivationStatus::Timeout);
        assert_eq!(result.activation.exit_code, None);
        shut_down(&backend, &worker).await;
    }
}

on_both_backends! {
    async fn parked_containers_never_exceed_the_cap(backend: Backend) {
        let backend = prewarming(backend, 3);
        let runtime = &backend.runtime;
        let worker = unique("prewarm");
        runtime.run(&prewarmed(REVERSE, "a", "a", 4), &worker).await;
        runtime.run(&prewarmed(ECHO, "b", "b", 4), &worker).await;
        for _ in 0..30 {
            let n = parked(&backend, &worker).await.len();
            assert!(n <= 3, "{n} parked containers over a cap of 3");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        wait_parked(&backend, &worker, 3).await;
        shut_down(&backend, &worker).await;
    }
}

on_both_backends! {
    async fn secret_files_reach_the_function_as_files_only(backend: Backend) {
        let backend = prewarming(backend, 0);
        let runtime = &backend.runtime;
        let worker = unique("secrets");
        let script =
            "cat /run/secrets/token; ls -ln /run/secrets | tail -1 | cut -c1-10; env | grep -c s3cr3t";
        let result = runtime
            .run_with_secrets(
                &request(SH, script),
                &worker,
                vec![("token".into(), b"s3cr3t\n".to_vec())],
            )
            .await;
        assert_eq!(result.failure, None);
        assert_eq!(result.activation.result, "s3cr3t\n-r--------\n0\n");
        assert!(!prewarmed_run(&result), "a cold start through init");

        let refused = runtime
            .run_with_secrets(
                &request(SH, "true"),
                &worker,
                vec![("../etc/passwd".into(), b"x".to_vec())],
            )
            .await;
        assert_eq!(refused.activation.status, ActivationStatus::Error);
        assert!(refused.activation.result.is_empty());
        shut_down(&backend, &worker).await;
    }
}

/// Old `faas-init` versions' volumes go when nothing uses them; a volume in use,
/// the current binary's and volumes of other names stay.
#[tokio::test]
async fn old_init_volumes_are_removed_when_unused() {
    let fake_digest = || format!("{:016x}", rand_u64());
    let unused = format!("faas-init-{}", fake_digest());
    let in_use = format!("faas-init-{}", fake_digest());
    let not_ours = format!("faas-init-{}-data", unique("x"));
    let docker = |args: &[&str]| {
        let output = std::process::Command::new("docker")
            .args(args)
            .output()
            .unwrap();
        assert!(output.status.success(), "docker {args:?}: {output:?}");
        String::from_utf8_lossy(&output.stdout).trim().to_owned()
    };
    for volume in [&unused, &in_use, &not_ours] {
        docker(&["volume", "create", volume]);
    }
    let user = docker(&["create", "-v", &format!("{in_use}:/data"), ECHO]);
    let runtime = runtime(0);
    // A run through init (secret files) installs the current binary's volume.
    run_through_init(&runtime).await;

    let removed = runtime.remove_old_init_volumes().await.unwrap();
    assert!(removed.contains(&unused), "{removed:?}");
    let volumes = docker(&["volume", "ls", "-q"]);
    let exists = |name: &str| volumes.lines().any(|v| v == name);
    assert!(!exists(&unused));
    assert!(exists(&in_use), "a volume in use was removed");
    assert!(
        exists(&not_ours),
        "a volume not of init's name shape was removed"
    );
    // The current binary's volume, unused since the run, still serves.
    run_through_init(&runtime).await;
    docker(&["rm", "-f", &user]);
    docker(&["volume", "rm", &in_use, &not_ours]);
}

/// Runs `reverse abc` through init (it has a secret file), expects `cba`, and waits
/// for the container's removal.
async fn run_through_init(runtime: &ContainerRuntime) {
    let secret = vec![("token".to_owned(), b"s3cret".to_vec())];
    let result = runtime
        .run_with_secrets(&request(REVERSE, "abc"), "init-volume-test", secret)
        .await;
    assert_eq!(result.activation.result, "cba", "{:?}", result.failure);
    runtime.removals_done().await;
}

fn rand_u64() -> u64 {
    use std::hash::{BuildHasher, RandomState};
    RandomState::new().hash_one(std::time::SystemTime::now())
}

/// A worker whose init volume is removed while it runs (another version's worker
/// removes the init volumes it does not know once nothing uses them), or replaced
/// by an empty one (what the engine makes when a container mounts a missing
/// volume), installs it again and runs the activation.
#[tokio::test]
async fn a_removed_or_emptied_init_volume_is_installed_again() {
    // A binary of its own digest, so that its volume is this test's alone.
    let scratch = tempfile::tempdir().unwrap();
    let binary = scratch.path().join("faas-init");
    let mut bytes = std::fs::read(faas_testkit::init::binary()).unwrap();
    bytes.extend_from_slice(unique("trailer").as_bytes());
    std::fs::write(&binary, &bytes).unwrap();
    std::fs::set_permissions(&binary, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    use sha2::Digest as _;
    let volume = format!(
        "faas-init-{}",
        hex::encode(&sha2::Sha256::digest(&bytes)[..8])
    );
    // Not asserted: every worker that starts meanwhile (other tests) removes this
    // volume too when nothing uses it, which leaves it gone, the harder case.
    let docker = |args: &[&str]| {
        std::process::Command::new("docker")
            .args(args)
            .output()
            .unwrap();
    };

    let runtime = ContainerRuntime::new(None).with_init(binary);
    run_through_init(&runtime).await;
    docker(&["volume", "rm", &volume]);
    run_through_init(&runtime).await;
    docker(&["volume", "rm", &volume]);
    docker(&["volume", "create", &volume]);
    run_through_init(&runtime).await;
    docker(&["volume", "rm", &volume]);
}

/// The parked containers of `owner` on `worker`.
async fn parked_of(worker: &str, owner: &str) -> usize {
    let output = tokio::process::Command::new("docker")
        .args(["ps", "-q", "--filter"])
        .arg(format!("label={LABEL_WORKER}={worker}"))
        .arg("--filter")
        .arg(format!("label={LABEL_PARKED}=true"))
        .arg("--filter")
        .arg(format!("label={LABEL_OWNER}={owner}"))
        .output()
        .await
        .unwrap();
    String::from_utf8_lossy(&output.stdout).lines().count()
}

#[tokio::test]
async fn one_owner_cannot_take_every_parked_container() {
    // A cap of 2: alice's pool fills it, then bob's takes its share back.
    let backend = prewarming(Backend::docker(), 2);
    let runtime = &backend.runtime;
    let worker = unique("fair");
    let mut alice = prewarmed(REVERSE, "reverse", "a", 2);
    alice.owner = "alice".into();
    runtime.run(&alice, &worker).await;
    wait_parked(&backend, &worker, 2).await;
    let mut bob = prewarmed(ECHO, "echo", "b", 2);
    bob.owner = "bob".into();
    runtime.run(&bob, &worker).await;
    let mut shares = (0, 0);
    for _ in 0..300 {
        shares = (
            parked_of(&worker, "alice").await,
            parked_of(&worker, "bob").await,
        );
        if shares == (1, 1) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(shares, (1, 1), "alice's and bob's parked containers");
    shut_down(&backend, &worker).await;
}

on_both_backends! {
    async fn a_retagged_image_is_never_served_from_the_old_pool(backend: Backend) {
        let image = format!("faas-test/{}:latest", unique("retag"));
        let tag = |source: &str| {
            let status = std::process::Command::new("docker")
                .args(["tag", source, &image])
                .status()
                .unwrap();
            assert!(status.success());
        };
        tag(REVERSE);
        let backend = prewarming(backend, 4);
        let runtime = &backend.runtime;
        let worker = unique("retag");
        let request = prewarmed(&image, "f", "hello", 1);
        assert_eq!(
            runtime.run(&request, &worker).await.activation.result,
            "olleh"
        );
        wait_parked(&backend, &worker, 1).await;
        // Same reference, other content; the worker reads an image's id at most every 10 s.
        tag(ECHO);
        tokio::time::sleep(Duration::from_secs(11)).await;
        let mut again = request.clone();
        again.activation_id = request_id();
        let result = runtime.run(&again, &worker).await;
        assert_eq!(
            result.activation.result, "hello",
            "the new image ran: {result:?}"
        );
        assert!(!prewarmed_run(&result), "the old pool served it");
        shut_down(&backend, &worker).await;
        let _ = std::process::Command::new("docker")
            .args(["rmi", &image])
            .output();
    }
}

/// A worker that crashed with parked containers and one running leaves them in its
/// directory; its next start there deletes them, their processes and cgroups.
#[tokio::test]
async fn a_restart_sweeps_what_a_crashed_oci_worker_left() {
    let Some(backend) = Backend::oci() else {
        return;
    };
    let backend = prewarming(backend, 4);
    let worker = unique("crash");
    backend
        .runtime
        .run(&prewarmed(REVERSE, "rev", "x", 2), &worker)
        .await;
    wait_parked(&backend, &worker, 2).await;
    let mut busy = request(SLEEP, "600");
    busy.timeout_ms = 600_000;
    let running = {
        let runtime = backend.runtime.clone();
        let worker = worker.clone();
        tokio::spawn(async move { runtime.run(&busy, &worker).await })
    };
    wait_parked(&backend, &worker, 3).await;
    let left = parked(&backend, &worker).await;
    running.abort();
    // A crash ends the process; here the run's task holds the runtime until it ends.
    let _ = running.await;
    let cgroups = |id: &str| {
        std::fs::read_dir("/sys/fs/cgroup")
            .unwrap()
            .flatten()
            .flat_map(|controller| {
                std::fs::read_dir(controller.path().join("faas-oci"))
                    .into_iter()
                    .flatten()
                    .flatten()
            })
            .map(|parent| parent.path().join(id))
            .filter(|dir| dir.exists())
            .count()
    };
    assert!(cgroups(&left[0]) > 0, "the check sees the cgroups");

    let mut backend = backend;
    backend.restart();
    assert_eq!(
        backend.runtime.oci_containers().await.unwrap().len(),
        3,
        "the restarted runtime sees what the crashed one left"
    );
    let swept = backend.runtime.sweep(&worker).await.unwrap();
    assert_eq!(swept, 3, "swept containers");
    assert_eq!(backend.runtime.oci_containers().await.unwrap(), Vec::new());
    for id in &left {
        assert_eq!(cgroups(id), 0, "{id}'s cgroups are gone");
    }
    let result = backend.runtime.run(&request(REVERSE, "ok"), &worker).await;
    assert_eq!(result.activation.result, "ko", "{result:?}");
    shut_down(&backend, &worker).await;
}
