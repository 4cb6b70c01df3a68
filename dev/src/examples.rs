//! The example function images (`examples/functions/`), built offline through the
//! Engine API when the engine lacks them, so that `faas-server dev` on a fresh
//! machine serves the walkthrough at once (what `scripts/build-function-images.sh`
//! does by hand).
//!
//! The base image is the host's static busybox in an empty image; every other
//! folder is one image `FROM` it. An image already there is left alone: a re-tagged
//! or edited example is rebuilt by the script, not here.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use bollard::Docker;
use bollard::query_parameters::BuildImageOptionsBuilder;
use futures::StreamExt;

/// The images' names: `faas-examples/<folder>:latest`.
pub const PREFIX: &str = "faas-examples/";
/// The folder of the base image, and its image's name under the prefix.
const BASE: &str = "base";
const BASE_IMAGE: &str = "busybox";
/// Where the base's busybox comes from: it must be the static build.
const BUSYBOX: &str = "/bin/busybox";

/// The examples folder of the source tree this binary was built from, if it is
/// still there.
pub fn source_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/functions");
    dir.is_dir().then_some(dir)
}

/// Builds each image of `dir` that the engine does not have, named `<prefix><folder>:latest`
/// (the Dockerfiles' `FROM faas-examples/…` follows the prefix); returns the names
/// built.
pub async fn ensure_built(
    docker: &Docker,
    dir: &Path,
    prefix: &str,
) -> anyhow::Result<Vec<String>> {
    let mut folders: Vec<String> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(Result::ok)
        .filter(|entry| entry.path().join("Dockerfile").is_file())
        .filter_map(|entry| entry.file_name().into_string().ok())
        .filter(|name| name != BASE)
        .collect();
    folders.sort();
    let mut built = Vec::new();
    let base = format!("{prefix}{BASE_IMAGE}:latest");
    let mut missing = Vec::new();
    for folder in &folders {
        let image = format!("{prefix}{folder}:latest");
        if docker.inspect_image(&image).await.is_err() {
            missing.push((folder, image));
        }
    }
    if missing.is_empty() {
        return Ok(built);
    }
    if docker.inspect_image(&base).await.is_err() {
        let busybox = std::fs::read(BUSYBOX).with_context(|| {
            format!("the example images need a static busybox at {BUSYBOX}: apt-get install busybox-static")
        })?;
        let context = context_of(&dir.join(BASE), prefix, &[("busybox", &busybox)])?;
        build(docker, &base, context).await.with_context(|| {
            format!("building {base} (it needs the static busybox: apt-get install busybox-static)")
        })?;
        built.push(base);
    }
    for (folder, image) in missing {
        let context = context_of(&dir.join(folder), prefix, &[])?;
        build(docker, &image, context).await?;
        built.push(image);
    }
    Ok(built)
}

/// The build context of one example folder as a tar, its Dockerfile's
/// `faas-examples/` names moved under `prefix`, with `extra` files added.
fn context_of(folder: &Path, prefix: &str, extra: &[(&str, &[u8])]) -> anyhow::Result<Vec<u8>> {
    let mut tar = tar::Builder::new(Vec::new());
    let mut add = |name: &str, bytes: &[u8], mode: u32| {
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(mode);
        header.set_cksum();
        tar.append_data(&mut header, name, bytes)
    };
    for entry in
        std::fs::read_dir(folder).with_context(|| format!("reading {}", folder.display()))?
    {
        let path = entry?.path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        if !path.is_file() {
            continue;
        }
        let mut bytes = std::fs::read(&path)?;
        if name == "Dockerfile" {
            bytes = String::from_utf8(bytes)
                .context("a Dockerfile that is not UTF-8")?
                .replace(PREFIX, prefix)
                .into_bytes();
        }
        add(&name, &bytes, 0o644)?;
    }
    for (name, bytes) in extra {
        add(name, bytes, 0o755)?;
    }
    Ok(tar.into_inner()?)
}

/// Builds `context` as `image`, failing with the build's own error.
async fn build(docker: &Docker, image: &str, context: Vec<u8>) -> anyhow::Result<()> {
    let options = BuildImageOptionsBuilder::default()
        .t(image)
        .rm(true)
        .forcerm(true)
        .build();
    let mut steps = docker.build_image(options, None, Some(bollard::body_full(context.into())));
    while let Some(step) = steps.next().await {
        let step = step.with_context(|| format!("building {image}"))?;
        if let Some(error) = step.error_detail.and_then(|e| e.message) {
            bail!("building {image}: {error}");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Under a prefix of its own, so that the images other tests use stay.
    #[tokio::test]
    async fn missing_examples_are_built_and_run() {
        let docker = Docker::connect_with_defaults().unwrap();
        let prefix = format!("faas-examples-test-{}/", std::process::id());
        let dir = source_dir().expect("the source tree's examples");
        let built = ensure_built(&docker, &dir, &prefix).await.unwrap();
        let reverse = format!("{prefix}reverse:latest");
        assert!(built.contains(&reverse), "{built:?}");
        assert!(
            built.contains(&format!("{prefix}busybox:latest")),
            "{built:?}"
        );
        let ran = std::process::Command::new("docker")
            .args(["run", "--rm", "--network", "none", &reverse, "hello"])
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&ran.stdout).trim(),
            "olleh",
            "{ran:?}"
        );
        // A second call finds them all.
        assert_eq!(
            ensure_built(&docker, &dir, &prefix).await.unwrap(),
            Vec::<String>::new()
        );
        for image in &built {
            docker
                .remove_image(
                    image,
                    None::<bollard::query_parameters::RemoveImageOptions>,
                    None,
                )
                .await
                .unwrap();
        }
    }
}
