//! The completion scripts under `completions/` are generated; this keeps them fresh.
//!
//! Refresh them with:
//!   FAASCTL_UPDATE_COMPLETIONS=1 cargo nextest run -p faasctl -E 'test(/^completions::/)'

use std::path::PathBuf;

use assert_cmd::Command;

const SCRIPTS: [(&str, &str); 5] = [
    ("bash", "faasctl.bash"),
    ("zsh", "_faasctl"),
    ("fish", "faasctl.fish"),
    ("powershell", "_faasctl.ps1"),
    ("elvish", "faasctl.elv"),
];

#[test]
fn checked_in_completions_are_up_to_date() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../completions");
    let update = std::env::var_os("FAASCTL_UPDATE_COMPLETIONS").is_some();
    let mut stale = Vec::new();
    for (shell, file) in SCRIPTS {
        let output = Command::cargo_bin("faasctl")
            .unwrap()
            .args(["completions", shell])
            .output()
            .unwrap();
        assert!(output.status.success(), "completions {shell} failed");
        assert!(
            !output.stdout.is_empty(),
            "completions {shell} printed nothing"
        );
        let path = dir.join(file);
        if update {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &output.stdout).unwrap();
        } else if std::fs::read(&path).ok().as_deref() != Some(&output.stdout[..]) {
            stale.push(file);
        }
    }
    assert!(
        stale.is_empty(),
        "stale completion scripts in completions/: {stale:?}\nrefresh them with:\n  \
         FAASCTL_UPDATE_COMPLETIONS=1 cargo nextest run -p faasctl -E 'test(/^completions::/)'"
    );
}

#[test]
fn unknown_shell_is_a_usage_error() {
    Command::cargo_bin("faasctl")
        .unwrap()
        .args(["completions", "tcsh"])
        .assert()
        .code(2);
}
