//! Smoke run of the harness: `--quick` with tiny rounds prints every section of the
//! report and writes the SVG chart. Needs Docker and the example images, like the
//! other suites. No timing is asserted.

use std::path::PathBuf;
use std::process::Command;

/// The faas-server next to the bench binary, built here if this run did not build it.
fn server() -> PathBuf {
    let path = PathBuf::from(env!("CARGO_BIN_EXE_faas-bench")).with_file_name("faas-server");
    if !path.exists() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .args(["build", "-p", "faas-server"])
            .status()
            .expect("running cargo build -p faas-server");
        assert!(status.success(), "cargo build -p faas-server failed");
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
        .arg(server())
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
        "| faas cold invoke",
        "prewarmed: not built yet",
        "| platform overhead",
        "## Throughput by concurrency",
        "| 1 | ",
        "| 2 | ",
        "## Memory",
        "| idle, right after start |",
        "invocations |",
        "| after 3 logins |",
        "## Against the targets of issue 13",
        "## Chart",
    ] {
        assert!(stdout.contains(section), "no {section:?} in\n{stdout}");
    }
    assert!(
        stdout.contains("Containers left behind: 0."),
        "containers left behind:\n{stdout}"
    );
    let svg = std::fs::read_to_string(&chart).unwrap();
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    assert_eq!(svg.matches("<polyline").count(), 4, "{svg}");
}
