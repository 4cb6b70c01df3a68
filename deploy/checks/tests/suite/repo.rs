//! The repository's files, for the static checks of the deployment files
//! (`deploy_config`, `k8s_config`): as text, or YAML read as JSON values; the
//! workspace cargo finds in a tree of them; the tag of the images built from it;
//! and its keygen, run for the tests that need secrets.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use faas_testkit::compose::{stderr, stdout};
use serde_json::Value;

/// The tag of the offline images the tests that run containers use
/// (`TAG=test PROFILE=debug deploy/build-images.sh`, which `scripts/test.sh` runs);
/// `FAAS_TEST_TAG` at build time picks another, so that parallel checkouts on one
/// engine do not test one another's images.
pub const TAG: &str = match option_env!("FAAS_TEST_TAG") {
    Some(tag) => tag,
    None => "test",
};

/// The repository root (this package is `deploy/checks`).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The text of `path`, relative to the repository root.
pub fn repo_file(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

/// A YAML file of the repository, as JSON, with its merge keys (`<<: *server`)
/// applied as compose applies them.
pub fn repo_yaml(path: &str) -> Value {
    let mut yaml: serde_yaml::Value = serde_yaml::from_str(&repo_file(path))
        .unwrap_or_else(|e| panic!("{path} is not YAML: {e}"));
    yaml.apply_merge()
        .unwrap_or_else(|e| panic!("{path}: merge keys: {e}"));
    serde_json::to_value(yaml).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The documents of a YAML stream (`kubectl kustomize`'s output), as JSON.
pub fn yaml_documents(text: &str) -> Vec<Value> {
    serde_yaml::Deserializer::from_str(text)
        .map(|doc| {
            let yaml = <serde_yaml::Value as serde::Deserialize>::deserialize(doc).unwrap();
            serde_json::to_value(yaml).unwrap()
        })
        .filter(|v| !v.is_null())
        .collect()
}

/// The `FAAS_*` names in `files` (relative to the repository root).
pub fn faas_names(files: &[String]) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for file in files {
        let text = repo_file(file);
        for (start, _) in text.match_indices("FAAS_") {
            let name: String = text[start..]
                .chars()
                .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_')
                .collect();
            // `FAAS_LOGINS_PER_{USER,ADDRESS}_…` or `FAAS_LOGINS_PER_*` name several at once.
            if text[start + name.len()..].starts_with(['{', '*']) {
                continue;
            }
            names.insert(name.trim_end_matches('_').to_string());
        }
    }
    names
}

/// Every file below `dir` (relative to the repository root) ending in `ext`.
pub fn files_under(dir: &str, ext: &str) -> Vec<String> {
    let root = root();
    let mut found = Vec::new();
    let mut pending = vec![root.join(dir)];
    while let Some(path) = pending.pop() {
        for entry in std::fs::read_dir(&path).unwrap().map(Result::unwrap) {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == ext) {
                let relative = path.strip_prefix(&root).unwrap();
                found.push(relative.display().to_string());
            }
        }
    }
    found
}

/// keygen (`deploy/keygen.sh`, as the faas/keygen image runs it) with every
/// directory `dir`, as the docs make Swarm and Kumori secrets.
pub fn keygen(dir: &Path) {
    let owner = Command::new("id").arg("-u").output().unwrap();
    let group = Command::new("id").arg("-g").output().unwrap();
    let output = Command::new("sh")
        .arg(root().join("deploy/keygen.sh"))
        .envs(
            [
                "KEYS_DIR",
                "SERVER_AUTH_DIR",
                "WORKER_AUTH_DIR",
                "NATS_AUTH_DIR",
            ]
            .map(|v| (v, dir)),
        )
        .env("NATS_AUTH_TEMPLATE", root().join("deploy/nats/auth.conf"))
        .env(
            "KEYS_OWNER",
            format!("{}:{}", stdout(&owner), stdout(&group)),
        )
        .output()
        .expect("sh runs");
    assert!(output.status.success(), "keygen: {}", stderr(&output));
}

/// Every file below `dir`, relative to it.
pub fn files_below(dir: &Path) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut pending = vec![dir.to_owned()];
    while let Some(path) = pending.pop() {
        for entry in std::fs::read_dir(&path).unwrap().map(Result::unwrap) {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let relative = path.strip_prefix(dir).unwrap();
                found.insert(relative.display().to_string());
            }
        }
    }
    found
}

/// `cargo metadata` of the workspace at `dir` (offline, with the lockfile as it
/// is), as JSON; `extra` as further arguments.
pub fn cargo_metadata(dir: &Path, extra: &[&str]) -> Value {
    let target = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--locked", "--offline"])
        .args(["--filter-platform", "x86_64-unknown-linux-gnu"])
        .args(extra)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target.path())
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "cargo metadata in {}: {}",
        dir.display(),
        stderr(&output)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// The workspace's members as `name path` (relative to the workspace root).
pub fn members(metadata: &Value) -> BTreeSet<String> {
    let workspace = Path::new(metadata["workspace_root"].as_str().unwrap());
    let ids: BTreeSet<&str> = metadata["workspace_members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|id| id.as_str().unwrap())
        .collect();
    metadata["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|package| ids.contains(package["id"].as_str().unwrap()))
        .map(|package| {
            let manifest = Path::new(package["manifest_path"].as_str().unwrap());
            let dir = manifest.parent().unwrap().strip_prefix(workspace).unwrap();
            format!("{} {}", package["name"].as_str().unwrap(), dir.display())
        })
        .collect()
}
