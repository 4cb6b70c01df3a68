//! The hand-in (`scripts/package.sh`): one `.tgz` of the repository at a commit,
//! unpacked into an empty directory, is the whole workspace and nothing else.

use std::collections::BTreeSet;
use std::process::Command;

use faas_testkit::compose::{stderr, stdout};

use crate::repo::{cargo_metadata, files_below, members, root};

/// What a hand-in must not carry: build output, dev state, virtual environments,
/// VCS data, earlier tarballs, keygen's output (keys, passwords, NATS configs
/// with passwords).
fn is_forbidden(path: &str) -> bool {
    let parts: Vec<&str> = path.split('/').collect();
    parts.iter().any(|part| {
        matches!(*part, "target" | ".git" | ".faas-dev" | "faas-secrets")
            || part.starts_with(".venv")
    }) || [".tgz", ".pem", ".key", ".password", ".crt"]
        .iter()
        .any(|ext| path.ends_with(ext))
}

/// `scripts/package.sh` writes `faas-<commit>.tgz`, which unpacks into one
/// directory `faas-<commit>/` holding exactly the files of the commit: every
/// workspace member is there and cargo loads the workspace offline with the
/// lockfile as it is; nothing of a developer's state, no key or private key.
#[test]
fn package_unpacks_into_the_whole_workspace_and_nothing_else() {
    let commit = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(root())
        .output()
        .unwrap();
    let commit = stdout(&commit);
    let out = tempfile::tempdir().unwrap();
    let packaged = Command::new("bash")
        .arg(root().join("scripts/package.sh"))
        .arg("HEAD")
        .arg(out.path())
        .output()
        .expect("bash runs");
    assert!(
        packaged.status.success(),
        "package.sh: {}",
        stderr(&packaged)
    );
    let tarball = out.path().join(format!("faas-{commit}.tgz"));
    assert_eq!(stdout(&packaged), tarball.display().to_string());

    let unpacked = tempfile::tempdir().unwrap();
    let untar = Command::new("tar")
        .arg("-xzf")
        .arg(&tarball)
        .arg("-C")
        .arg(unpacked.path())
        .output()
        .unwrap();
    assert!(untar.status.success(), "tar: {}", stderr(&untar));
    let top: Vec<String> = std::fs::read_dir(unpacked.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(top, [format!("faas-{commit}")], "the tarball's top level");
    let tree = unpacked.path().join(&top[0]);

    let files = files_below(&tree);
    let listed = Command::new("git")
        .args(["ls-tree", "-r", "--name-only", "HEAD"])
        .current_dir(root())
        .output()
        .unwrap();
    let committed: BTreeSet<String> = stdout(&listed).lines().map(str::to_owned).collect();
    assert_eq!(files, committed, "the tarball is not the commit's tree");
    let forbidden: Vec<&String> = files.iter().filter(|f| is_forbidden(f)).collect();
    assert!(forbidden.is_empty(), "the tarball holds {forbidden:?}");
    for file in &files {
        let text = std::fs::read(tree.join(file)).unwrap();
        // A PEM private key's marker, spelt in two parts so that this file has none.
        let needle = [&b"PRIVATE"[..], b" KEY-----"].concat();
        assert!(
            !text.windows(needle.len()).any(|w| w == needle.as_slice()),
            "{file} holds a private key"
        );
    }

    let packaged_members = members(&cargo_metadata(&tree, &[]));
    let workspace = members(&cargo_metadata(&root(), &["--no-deps"]));
    assert_eq!(packaged_members, workspace, "the tarball's workspace");
}
