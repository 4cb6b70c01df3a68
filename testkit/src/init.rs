//! The static `faas-init` binary that workers mount into prewarmed containers,
//! built once per test run the way the deployment builds it (static, gnu target).

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

/// The path of a freshly built static `faas-init`.
pub fn binary() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(build).clone()
}

fn build() -> PathBuf {
    const TARGET: &str = "x86_64-unknown-linux-gnu";
    // target/<profile>/deps/<test binary>
    let exe = std::env::current_exe().expect("the test binary's path");
    let target_dir = exe
        .ancestors()
        .nth(3)
        .expect("test binaries live in <target>/<profile>/deps")
        .to_owned();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args([
            "build",
            "--quiet",
            "--release",
            "-p",
            "faas-init",
            "--target",
            TARGET,
        ])
        .arg("--target-dir")
        .arg(&target_dir)
        .env("RUSTFLAGS", "-C target-feature=+crt-static")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .expect("cargo runs");
    assert!(status.success(), "building faas-init failed");
    target_dir.join(TARGET).join("release").join("faas-init")
}
