//! In-band completion: `faas-init` runs the function as its child, ends whatever it
//! left, and reports the end in a trailer signed with the activation's nonce; the
//! worker answers at the trailers and removes the container afterwards. On both
//! backends (the real Docker Engine, the real OCI runtime), with `faas-init` built
//! static by the test kit.

use std::io::Write;
use std::process::{Command, Stdio};

use faas_shared::ActivationStatus;
use faas_shared::activation::{ActivationRequest, ActivationResult};
use faas_testkit::activation::request;
use faas_testkit::names::{SH, unique};
use faas_worker::labels::LABEL_WORKER;
use futures::future::join_all;

use crate::backends::Backend;

const WORKER: &str = "completion-test";

/// Runs `script` with `sh -c` through init, cold; the container is gone afterwards.
async fn run(backend: &Backend, script: &str) -> ActivationResult {
    run_request(backend, &request(SH, script)).await
}

async fn run_request(backend: &Backend, request: &ActivationRequest) -> ActivationResult {
    let result = backend.runtime.run(request, WORKER).await;
    assert_eq!(result.failure, None, "{result:?}");
    backend.assert_removed(&request.activation_id).await;
    result
}

on_both_backends! {
    async fn a_fake_trailer_is_output_and_the_real_status_stands(backend: Backend) {
        // A trailer as init writes it, with a guessed nonce, on both streams, last.
        let fake = format!("\\0faas-init-end:{}:x000\\n", "0".repeat(32));
        let script = format!("printf 'out{fake}'; printf 'err{fake}' >&2; exit 3");
        let result = run(&backend, &script).await;
        assert_eq!(result.activation.exit_code, Some(3), "{result:?}");
        assert_eq!(result.activation.status, ActivationStatus::Error);
        let fake = format!("\0faas-init-end:{}:x000\n", "0".repeat(32));
        assert_eq!(result.activation.result, format!("out{fake}"));
        assert_eq!(result.activation.logs, format!("err{fake}"));
    }
}

on_both_backends! {
    async fn what_a_daemon_writes_after_the_function_exits_never_appears(backend: Backend) {
        // The daemon writes for ever once the function is gone: were it left running,
        // the run would last until its timeout and end with "late" in its output.
        let mut forked = request(
            SH,
            "(sleep 0.5; while :; do echo late; echo late >&2; sleep 0.01; done) & echo early; echo logs >&2",
        );
        forked.timeout_ms = 10_000;
        let result = run_request(&backend, &forked).await;
        assert_eq!(
            result.activation.status,
            ActivationStatus::Success,
            "{result:?}"
        );
        assert_eq!(result.activation.result, "early\n");
        assert_eq!(result.activation.logs, "logs\n");
    }
}

on_both_backends! {
    async fn exit_codes_and_signals_are_reported_as_the_engine_would(backend: Backend) {
        for (script, code) in [
            ("exit 0", 0),
            ("exit 1", 1),
            ("exit 255", 255),
            ("kill -TERM $$", 143),
            ("kill -KILL $$", 137),
        ] {
            let result = run(&backend, script).await;
            assert_eq!(
                result.activation.exit_code,
                Some(code),
                "{script}: {result:?}"
            );
            let expected = if code == 0 {
                ActivationStatus::Success
            } else {
                ActivationStatus::Error
            };
            assert_eq!(result.activation.status, expected, "{script}");
            assert!(!result.activation.oom_killed, "{script}: {result:?}");
        }
    }
}

on_both_backends! {
    async fn a_function_that_closes_stdout_early_keeps_its_logs(backend: Backend) {
        let result = run(&backend, "printf result; exec >&-; sleep 1; echo 'still here' >&2").await;
        assert_eq!(
            result.activation.status,
            ActivationStatus::Success,
            "{result:?}"
        );
        assert_eq!(result.activation.result, "result");
        assert_eq!(result.activation.logs, "still here\n");
    }
}

/// `bytes` in hex, as init's trailer spells the nonce.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Everything the function can read that could hold init's nonce: its own
/// environment and argv, every file of `/proc/1` and its task it may read (but
/// `pagemap`, as long as the address space), init's memory through `/proc/1/maps`
/// and `/proc/1/mem`, and every file of the container.
const SNOOP: &str = r#"
cat /proc/self/environ /proc/self/cmdline
for f in /proc/1/* /proc/1/task/*/*; do
  case "$f" in */mem|*/pagemap) continue ;; esac
  [ -f "$f" ] && cat "$f" </dev/null
done
while read -r range perms rest; do
  case "$perms" in r*)
    start=$((0x${range%-*})); end=$((0x${range#*-}))
    dd if=/proc/1/mem bs=4096 skip=$((start / 4096)) count=$(((end - start) / 4096)) ;;
  esac
done < /proc/1/maps
find / -xdev -type f -exec cat {} + 
cat /run/secrets/* /tmp/* /proc/1/fdinfo/* </dev/null
exit 0
"#;

#[tokio::test]
async fn the_nonce_is_nowhere_the_function_can_read() {
    faas_testkit::docker::require_image(SH);
    let mut nonce = faas_init::Nonce::default();
    getrandom::getrandom(&mut nonce).unwrap();
    let frame = faas_init::Frame {
        nonce,
        argv: vec![
            b"/bin/sh".to_vec(),
            b"-c".to_vec(),
            SNOOP.as_bytes().to_vec(),
        ],
        env: Vec::new(),
        files: vec![("token".into(), b"a secret".to_vec())],
    };
    // The platform's sandbox for the parts that matter here: no capabilities, no
    // new privileges, read-only root, init mounted read-only, the image's own user.
    let name = unique("nonce");
    let mut child = Command::new("docker")
        .args(["run", "--rm", "-i", "--name", &name, "--network", "none"])
        .args([
            "--cap-drop",
            "ALL",
            "--security-opt",
            "no-new-privileges",
            "--read-only",
        ])
        .args(["--tmpfs", "/tmp", "--tmpfs", "/run/secrets:mode=0700"])
        .arg("-v")
        .arg(format!(
            "{}:/.faas/init:ro",
            faas_testkit::init::binary().display()
        ))
        .args(["--entrypoint", "/.faas/init", SH])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("docker runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(&frame.encode())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let trailer = faas_init::trailer(&nonce, faas_init::Ended::Exited(0));
    assert!(
        output.stdout.ends_with(&trailer),
        "init's trailer ends stdout: {:?}",
        String::from_utf8_lossy(&output.stderr)
    );
    let read = &output.stdout[..output.stdout.len() - trailer.len()];
    assert!(
        read.len() > 100_000,
        "the snoop read the container's files: {} bytes",
        read.len()
    );
    let found = |needle: &[u8]| read.windows(needle.len()).any(|w| w == needle);
    assert!(
        !found(&nonce),
        "the nonce's bytes are readable by the function"
    );
    assert!(
        !found(hex(&nonce).as_bytes()),
        "the nonce in hex is readable by the function"
    );
    assert!(
        found(b"a secret"),
        "the snoop reads what it may (its secret file)"
    );
}

on_both_backends! {
    async fn a_burst_of_runs_leaves_no_container_behind(backend: Backend) {
        let runtime = backend.runtime.clone();
        let worker = unique("burst");
        let runs = (0..50).map(|i| {
            let runtime = runtime.clone();
            let worker = worker.clone();
            async move {
                let result = runtime
                    .run(&request(SH, &format!("echo {i}")), &worker)
                    .await;
                assert_eq!(result.activation.result, format!("{i}\n"), "{result:?}");
            }
        });
        join_all(runs).await;
        runtime.removals_done().await;
        let oci_left = runtime.oci_containers().await.unwrap();
        assert!(oci_left.is_empty(), "OCI containers left: {oci_left:?}");
        let left = Command::new("docker")
            .args(["ps", "-aq", "--filter"])
            .arg(format!("label={LABEL_WORKER}={worker}"))
            .output()
            .unwrap();
        assert_eq!(String::from_utf8_lossy(&left.stdout), "", "containers left");
    }
}
