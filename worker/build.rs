//! Builds `faas-init` static for the target and embeds it in the worker
//! (`runtime::init::EMBEDDED`), so that `cargo run -p faas-server -- dev` or a
//! plain `cargo build` gives a worker that prewarms, delivers secret files and
//! learns a run's end in-band without a second build by hand. The build has a
//! target directory of its own under `OUT_DIR`, so it never waits for the outer
//! build's lock; `FAAS_WORKER_INIT` and a `faas-init` beside the worker still win.

use std::path::PathBuf;
use std::process::Command;

fn main() {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let workspace = manifest.parent().expect("the worker is a workspace member");
    let target = std::env::var("TARGET").expect("cargo sets TARGET");
    let cargo = std::env::var_os("CARGO").expect("cargo sets CARGO");
    println!(
        "cargo::rerun-if-changed={}",
        workspace.join("init").display()
    );
    let target_dir = out.join("init-target");
    let status = Command::new(cargo)
        .args([
            "build",
            "--release",
            "--locked",
            "--offline",
            "-p",
            "faas-init",
        ])
        .args(["--target", &target])
        .arg("--target-dir")
        .arg(&target_dir)
        .arg("--manifest-path")
        .arg(workspace.join("Cargo.toml"))
        // The outer build's flags and wrappers (clippy's, coverage's) are not
        // this binary's: it is built static, and only that way.
        .env_remove("RUSTFLAGS")
        .env_remove("RUSTC_WRAPPER")
        .env_remove("RUSTC_WORKSPACE_WRAPPER")
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("CARGO_BUILD_TARGET")
        .env("CARGO_ENCODED_RUSTFLAGS", "-Ctarget-feature=+crt-static")
        .status()
        .expect("running cargo to build faas-init");
    assert!(
        status.success(),
        "building the static faas-init failed: the target's static C library is needed (Debian: libc6-dev)"
    );
    let built = target_dir.join(&target).join("release").join("faas-init");
    std::fs::copy(&built, out.join("faas-init")).expect("copying faas-init into OUT_DIR");
}
