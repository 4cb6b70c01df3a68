//! The multi-stage `Dockerfile` (targets `server` and `worker`) for real. Every run:
//! its build context, as Docker itself makes it from a checkout with a developer's
//! state in it, is the whole checkout and none of that state, and cargo loads the
//! workspace from exactly that context. Ignored (the release build took 12
//! minutes here, on two shared cores): the real build of both targets with the
//! unchanged Dockerfile, offline, on local stand-ins for `rust:1-bookworm` and
//! `debian:bookworm-slim`, and the conformance suite on compose with the images it
//! made.
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

/// The checkout's files (see [`checkout_files`]) copied into `dir`; their paths.
fn copy_checkout(dir: &Path) -> Vec<String> {
    let files = checkout_files();
    for file in &files {
        let to = dir.join(file);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(root().join(file), &to).unwrap();
    }
    files
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
    let files = copy_checkout(checkout.path());
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

/// An image name this test gave an image, untagged when dropped (the image goes
/// with it when no other name holds it).
struct Tagged(String);

impl Drop for Tagged {
    fn drop(&mut self) {
        docker(&["rmi", &self.0]);
    }
}

/// Whether the engine has `image`.
fn has_image(image: &str) -> bool {
    docker(&["image", "inspect", image]).status.success()
}

/// `from` hard-linked (copied where it cannot be) into `to`.
fn link_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to.parent().unwrap()).unwrap();
    let linked = Command::new("cp")
        .arg("-al")
        .arg(from)
        .arg(to)
        .status()
        .unwrap();
    if !linked.success() {
        let copied = Command::new("cp")
            .arg("-a")
            .arg(from)
            .arg(to)
            .status()
            .unwrap();
        assert!(copied.success(), "cannot copy {}", from.display());
    }
}

/// The base images of the Dockerfile, which no registry gives here, made under
/// their own names from what this machine has, when the engine lacks them:
/// `debian:bookworm-slim` is `faas/debian-base:bookworm` (debootstrap's bookworm,
/// as `deploy/build-images.sh` makes it); `rust:1-bookworm` is that plus gcc (from
/// Debian's mirror), the host's Rust toolchain (the one running this test) and a
/// `CARGO_HOME` holding the host's crates.io index and crate cache, with
/// `CARGO_NET_OFFLINE=true`, so the Dockerfile's `cargo build --locked` finds every
/// crate of the lockfile without a network. Both names are removed when dropped;
/// images the engine had are left alone.
fn stand_ins() -> Vec<Tagged> {
    let base = "faas/debian-base:bookworm";
    assert!(
        has_image(base),
        "{base} is missing: deploy/build-images.sh makes it"
    );
    let mut made = Vec::new();
    if !has_image("debian:bookworm-slim") {
        let tagged = docker(&["tag", base, "debian:bookworm-slim"]);
        assert!(tagged.status.success(), "docker tag: {}", stderr(&tagged));
        made.push(Tagged("debian:bookworm-slim".into()));
    }
    if !has_image("rust:1-bookworm") {
        let context = tempfile::tempdir().unwrap();
        let sysroot = Command::new("rustc")
            .args(["--print", "sysroot"])
            .output()
            .unwrap();
        let sysroot = PathBuf::from(stdout(&sysroot));
        for part in ["bin", "lib", "libexec"] {
            link_tree(&sysroot.join(part), &context.path().join("rust").join(part));
        }
        let cargo_home = std::env::var_os("CARGO_HOME")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap()).join(".cargo"));
        for part in ["index", "cache"] {
            let from = cargo_home.join("registry").join(part);
            link_tree(&from, &context.path().join("cargo/registry").join(part));
        }
        let dockerfile = format!(
            "FROM {base}\n\
             RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev \\\n \
             && rm -rf /var/lib/apt/lists/*\n\
             COPY rust /usr/local/rust\n\
             COPY cargo /usr/local/cargo\n\
             ENV CARGO_HOME=/usr/local/cargo CARGO_NET_OFFLINE=true \\\n \
             PATH=/usr/local/cargo/bin:/usr/local/rust/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n"
        );
        let built = build(
            "rust:1-bookworm",
            "-",
            Some(&dockerfile),
            &["-q"],
            context.path(),
        );
        assert!(
            built.status.success(),
            "the rust stand-in: {}",
            stderr(&built)
        );
        made.push(Tagged("rust:1-bookworm".into()));
    }
    made
}

/// The bytes of `path` in `image`.
fn file_in_image(image: &str, path: &str) -> Vec<u8> {
    let created = docker(&["create", image]);
    assert!(
        created.status.success(),
        "docker create: {}",
        stderr(&created)
    );
    let container = stdout(&created);
    let out = tempfile::tempdir().unwrap();
    let copied = docker(&[
        "cp",
        &format!("{container}:{path}"),
        &out.path().display().to_string(),
    ]);
    docker(&["rm", &container]);
    assert!(copied.status.success(), "docker cp: {}", stderr(&copied));
    std::fs::read(out.path().join(Path::new(path).file_name().unwrap())).unwrap()
}

/// The real Dockerfile, unchanged, builds both targets here without a registry
/// (on the stand-ins of [`stand_ins`]; its runtime stage installs ca-certificates
/// from Debian's mirror), the server image carries no bollard (built without the
/// `dev` feature: no worker inside) while the worker's does, and the two images,
/// with the offline keygen and NATS, serve the conformance suite on compose.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "a release build of the server, the worker and faas-init: about 12 minutes on two cores"]
async fn dockerfile_builds_both_images_offline_and_they_pass_conformance_on_compose() {
    use faas_testkit::compose::{SINGLE, Stack};

    let _stand_ins = stand_ins();
    // The checkout as it is now: the build takes long, and the legacy builder
    // builds every stage before the target, so a change to the working tree while
    // it runs would make each target compile again.
    let checkout = tempfile::tempdir().unwrap();
    copy_checkout(checkout.path());
    let tag = format!("dockerfile{}", std::process::id());
    let mut images = Vec::new();
    // The build stage first, under a name of its own so that it goes too; the
    // targets then take it from the cache.
    for target in ["build", "server", "worker"] {
        let name = match target {
            "build" => format!("faas-dockerfile-build:{tag}"),
            image => format!("faas/{image}:{tag}"),
        };
        let started = std::time::Instant::now();
        let dockerfile = checkout.path().join("Dockerfile").display().to_string();
        let built = build(
            &name,
            &dockerfile,
            None,
            &["--target", target],
            checkout.path(),
        );
        images.push(Tagged(name.clone()));
        assert!(
            built.status.success(),
            "docker build --target {target}:\n{}\n{}",
            stdout(&built),
            stderr(&built)
        );
        println!("--target {target}: {:.0?}", started.elapsed());
    }
    let size = docker(&[
        "image",
        "ls",
        "--format",
        "{{.Repository}}:{{.Tag}} {{.Size}}",
    ]);
    for line in stdout(&size).lines().filter(|l| l.contains(&tag)) {
        println!("{line}");
    }

    let server = file_in_image(&format!("faas/server:{tag}"), "/usr/local/bin/faas-server");
    let worker = file_in_image(&format!("faas/worker:{tag}"), "/usr/local/bin/faas-worker");
    let mentions = |binary: &[u8], what: &[u8]| binary.windows(what.len()).any(|w| w == what);
    assert!(
        mentions(&worker, b"bollard"),
        "the worker binary names no bollard: the check is blind"
    );
    assert!(
        !mentions(&server, b"bollard"),
        "the server image carries bollard"
    );

    // The stack's keygen and NATS are the offline images, under the same tag.
    for image in ["keygen", "nats"] {
        let name = format!("faas/{image}:{tag}");
        let tagged = docker(&["tag", &format!("faas/{image}:{}", crate::repo::TAG), &name]);
        assert!(tagged.status.success(), "docker tag: {}", stderr(&tagged));
        images.push(Tagged(name));
    }
    let mut stack = Stack::up("dockerfile", &tag, SINGLE, 2);
    let [server, _] = stack.servers().await;
    crate::compose::assert_conformance(&server, "the Dockerfile's images").await;
    stack.down_and_check_nothing_is_left();
}
