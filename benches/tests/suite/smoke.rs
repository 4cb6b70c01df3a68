//! Smoke runs of the harness: `--quick` with tiny rounds prints every section of the
//! report for each backend that started (the OCI one needs root, crun or runc, and a
//! static faas-init) and writes the SVG chart; `load` for a few seconds sees only 200 and 429,
//! right results and no container left. Needs Docker and the example images, like
//! the other suites. No timing is asserted.

use std::path::PathBuf;
use std::process::Command;

/// `name` (faas-server, faas-worker) next to the bench binary, built here if this
/// run did not build it.
fn binary(name: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_BIN_EXE_faas-bench")).with_file_name(name);
    if !path.exists() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .args(["build", "-p", name])
            .status()
            .expect("running cargo build");
        assert!(status.success(), "cargo build -p {name} failed");
    }
    path
}

#[test]
fn quick_run_prints_every_section_and_writes_the_chart() {
    let dir = tempfile::tempdir().unwrap();
    let chart = dir.path().join("chart.svg");
    let output = Command::new(env!("CARGO_BIN_EXE_faas-bench"))
        .arg("--quick")
        .args(["--rounds", "2", "--levels", "1,2", "--logins", "3"])
        .arg("--server")
        .arg(binary("faas-server"))
        .arg("--worker")
        .arg(binary("faas-worker"))
        .arg("--chart")
        .arg(&chart)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    for section in [
        "## Latency (2 rounds, interleaved)",
        "| Engine API floor",
        "| `docker run --rm --network none` |",
        "| platform overhead",
        "## Throughput by concurrency",
        "| 2 | `docker run --rm` |",
        "## Memory",
        "| point | backend | server VmRSS | server RssAnon | server VmHWM |",
        "## Against the targets",
        "### Docker backend (issues 13 and 23)",
        "### OCI backend (issue 24)",
        "| removal backlog during the throughput runs | reported | peak ",
        "## Chart",
    ] {
        assert!(stdout.contains(section), "no {section:?} in\n{stdout}");
    }
    let oci_ran = !stdout.contains("**Not run: the oci backend.**");
    let backends: &[&str] = if oci_ran {
        &["docker", "oci"]
    } else {
        &["docker"]
    };
    for backend in backends {
        for row in [
            format!("| faas cold invoke ({backend}) |"),
            format!("| faas prewarmed invoke ({backend}, "),
            format!("| 1 | faas cold invoke ({backend}) |"),
            format!("| 1 | faas prewarmed invoke ({backend}) |"),
            format!("| idle, right after start | {backend} |"),
            format!("invocations | {backend} |"),
            format!("| after 3 logins | {backend} |"),
        ] {
            assert!(stdout.contains(&row), "no {row:?} in\n{stdout}");
        }
        let cold = format!("| 2 | faas cold invoke ({backend}) |");
        let cold_row = stdout
            .lines()
            .find(|l| l.starts_with(&cold))
            .expect("a cold row at concurrency 2");
        assert!(
            cold_row.ends_with(" s |"),
            "the removal backlog is read: {cold_row}"
        );
    }
    if oci_ran {
        assert!(
            stdout.contains("| none left | 0 in state, 0 in bundles |"),
            "the OCI worker left runtime state:\n{stdout}"
        );
    }
    assert!(
        stdout.contains("Containers left behind: 0."),
        "containers left behind:\n{stdout}"
    );
    let svg = std::fs::read_to_string(&chart).unwrap();
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    // p50 and p95 of cold and prewarmed per backend, and of `docker run`.
    let lines = 2 + 4 * backends.len();
    assert_eq!(svg.matches("<polyline").count(), lines, "{svg}");
}

#[test]
fn short_load_run_sees_only_200_and_429_and_leaves_no_container() {
    let output = Command::new(env!("CARGO_BIN_EXE_faas-bench"))
        .args(["load", "--seconds", "3", "--users", "2"])
        .arg("--server")
        .arg(binary("faas-server"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    // The run itself fails on a 5xx, a wrong result or a container left behind.
    assert!(output.status.success(), "{stdout}\n{stderr}");
    for line in [
        "| 200 with a wrong result | 0 |",
        "| containers left behind | 0 |",
        "| 200 latency p50 / p99 ms |",
    ] {
        assert!(stdout.contains(line), "no {line:?} in\n{stdout}");
    }
}
