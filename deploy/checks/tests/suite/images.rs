//! The multi-stage `Dockerfile` (targets `server` and `worker`) for real. Every run:
//! its build context, as Docker itself makes it from a checkout with a developer's
//! state in it, is the whole checkout and none of that state, and cargo loads the
//! workspace from exactly that context. Ignored (a release build of both binaries
//! takes half an hour on two cores): the real build of both targets with the
//! unchanged Dockerfile, offline, on local stand-ins for `rust:1-bookworm` and
//! `debian:bookworm-slim`, and the compose walkthrough on the images it made.
//!
//! Docker here is the legacy builder (`DOCKER_BUILDKIT=0`): the docker CLI wants
//! the buildx plugin for BuildKit, which Debian 12 does not package, and
//! docker-compose v1 builds with the legacy builder too.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use faas_testkit::compose::{docker, stderr, stdout};

use crate::repo::{cargo_metadata, files_below, members, root};

/// Files a developer's checkout has that no build may see: build output (also a
/// crate's own `target`), JetStream state of `faas-server dev`, the schemathesis
/// venv, VCS data, a hand-in tarball (`scripts/package.sh`), keygen's secrets for
/// Swarm or Kumori, an editor's swap file.
const DEV_STATE: &[&str] = &[
    "target/debug/faas-server",
    "worker/target/debug/leftover",
    ".git/HEAD",
    ".faas-dev/nats/jetstream/meta.inf",
    ".venv-schemathesis/bin/python",
    "faas-0123456789ab.tgz",
    "faas-secrets/jwt.pem",
    "api/src/.lib.rs.swp",
];

/// The files of the checkout: tracked, and untracked ones git does not ignore.
fn checkout_files() -> Vec<String> {
    let listed = Command::new("git")
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .current_dir(root())
        .output()
        .expect("git runs");
    assert!(listed.status.success(), "git ls-files: {}", stderr(&listed));
    String::from_utf8(listed.stdout)
        .unwrap()
        .split('\0')
        .filter(|path| !path.is_empty() && root().join(path).is_file())
        .map(str::to_owned)
        .collect()
}

/// An image this test built, removed (with its untagged layers) when dropped.
struct BuiltImage(String);

impl Drop for BuiltImage {
    fn drop(&mut self) {
        docker(&["rmi", "-f", &self.0]);
    }
}

/// `docker build` with the legacy builder, of `context` with the Dockerfile
/// `dockerfile` (a path, or `-` for `stdin`), and `args` before the context.
fn build(
    tag: &str,
    dockerfile: &str,
    stdin: Option<&str>,
    args: &[&str],
    context: &Path,
) -> Output {
    let mut child = Command::new("docker")
        .args(["build", "-t", tag, "-f", dockerfile])
        .args(args)
        .arg(context)
        .env("DOCKER_BUILDKIT", "0")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("docker runs");
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).unwrap();
    }
    drop(input);
    child.wait_with_output().unwrap()
}

/// The build context Docker makes of `dir` (after its `.dockerignore`), copied out
/// into `out`/ctx: an image `FROM scratch` with `COPY . /ctx/`, and `docker cp`.
fn exported_context(dir: &Path, out: &Path) -> PathBuf {
    let tag = format!("faas-context-check:{}", std::process::id());
    let built = build(
        &tag,
        "-",
        Some("FROM scratch\nCOPY . /ctx/\n"),
        &["-q"],
        dir,
    );
    assert!(built.status.success(), "docker build: {}", stderr(&built));
    let _image = BuiltImage(tag.clone());
    let created = docker(&["create", &tag, "none"]);
    assert!(
        created.status.success(),
        "docker create: {}",
        stderr(&created)
    );
    let container = stdout(&created);
    let copied = docker(&[
        "cp",
        &format!("{container}:/ctx"),
        &out.display().to_string(),
    ]);
    docker(&["rm", &container]);
    assert!(copied.status.success(), "docker cp: {}", stderr(&copied));
    out.join("ctx")
}

/// The files the crates read at build time (`include_str!`, `include_bytes!`),
/// relative to the repository root.
fn included_files(files: &[String]) -> BTreeSet<String> {
    let mut included = BTreeSet::new();
    for file in files.iter().filter(|f| f.ends_with(".rs")) {
        let text = std::fs::read_to_string(root().join(file)).unwrap();
        for macro_name in ["include_str!(\"", "include_bytes!(\""] {
            for (start, _) in text.match_indices(macro_name) {
                let rest = &text[start + macro_name.len()..];
                let relative = &rest[..rest.find('"').unwrap()];
                let path = Path::new(file).parent().unwrap().join(relative);
                let mut normal = PathBuf::new();
                for part in path.components() {
                    match part {
                        std::path::Component::ParentDir => {
                            normal.pop();
                        }
                        other => normal.push(other),
                    }
                }
                included.insert(normal.display().to_string());
            }
        }
    }
    included
}

/// The Dockerfile's `COPY . .` gets the checkout as it is, every workspace member
/// and every file a crate includes among it, and none of a developer's state; and
/// cargo loads the whole workspace, lockfile unchanged, from exactly that context.
/// (With `benches` in `.dockerignore`, as it once was, `cargo build --locked` in the
/// image failed to load the workspace; this test then fails the same way.)
#[test]
fn dockerfile_context_is_the_checkout_without_dev_state_and_loads_the_workspace() {
    let checkout = tempfile::tempdir().unwrap();
    let files = checkout_files();
    for file in &files {
        let to = checkout.path().join(file);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(root().join(file), &to).unwrap();
    }
    for state in DEV_STATE {
        let to = checkout.path().join(state);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::write(&to, "dev state").unwrap();
    }

    let out = tempfile::tempdir().unwrap();
    let context = exported_context(checkout.path(), out.path());
    let sent = files_below(&context);
    let expected: BTreeSet<String> = files.iter().cloned().collect();
    let lost: Vec<&String> = expected.difference(&sent).collect();
    assert!(lost.is_empty(), "the build context lacks {lost:?}");
    let leaked: Vec<&String> = sent.difference(&expected).collect();
    assert!(leaked.is_empty(), "the build context has {leaked:?}");
    for included in included_files(&files) {
        assert!(
            sent.contains(&included),
            "{included} (read by include_str!/include_bytes!) is not in the build context"
        );
    }

    let in_context = members(&cargo_metadata(&context, &[]));
    let in_checkout = members(&cargo_metadata(&root(), &["--no-deps"]));
    assert_eq!(
        in_context, in_checkout,
        "cargo finds other workspace members in the build context"
    );
    assert!(in_context.contains("faas-bench benches"), "{in_context:?}");
}
