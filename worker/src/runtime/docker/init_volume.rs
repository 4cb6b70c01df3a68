//! Puts the `faas-init` binary where the engine can mount it into function
//! containers, wherever the worker itself runs.
//!
//! A bind mount of the worker's own file would mount the *engine host's* path when
//! the worker runs in a container (compose), so the binary travels through the
//! Engine API instead: it is imported as a one-file image, and a named volume
//! (`faas-init-<digest>`) is populated from it by creating (never starting) a
//! container of that image with the volume mounted, which the engine fills from the
//! image. Function containers mount the volume read-only at `/.faas`. The name
//! carries the binary's digest, so workers of one version share one volume and a
//! new binary never meets an old one. At start a worker removes the volumes other
//! binaries left ([`remove_unused`]): those of that name no container uses. A
//! worker whose own volume went that way fills it again (see
//! `Engine::prepare`).

use std::path::Path;

use bollard::Docker;
use bollard::models::{ContainerCreateBody, HostConfig, Mount, MountType};
use bollard::query_parameters::{
    CreateImageOptionsBuilder, DownloadFromContainerOptionsBuilder, ListVolumesOptionsBuilder,
    RemoveContainerOptionsBuilder, RemoveImageOptionsBuilder,
};
use futures::StreamExt;
use sha2::{Digest, Sha256};

use crate::runtime::init::read_static;
use crate::runtime::sandbox::INIT_MOUNT_DIR;

/// The volumes' names: this, then the binary's [`digest`].
const VOLUME_PREFIX: &str = "faas-init-";

/// Where the worker stands with its init volume.
#[derive(Default)]
pub(super) enum InitVolume {
    /// Not installed yet by this worker (another worker may have).
    #[default]
    NotYet,
    Ready(String),
    /// Found gone or empty: fill it even if a volume of its name exists.
    Refill,
}

/// The first 8 bytes of the binary's SHA-256, in hex.
fn digest(binary: &[u8]) -> String {
    hex::encode(&Sha256::digest(binary)[..8])
}

/// Whether `name` is an init volume's: the prefix and 16 hex digits, nothing else.
fn is_init_volume(name: &str) -> bool {
    name.strip_prefix(VOLUME_PREFIX)
        .is_some_and(|digest| digest.len() == 16 && digest.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Removes the init volumes that no container uses (dangling ones, as the engine
/// sees them), except the one for the binary at `current`. A volume in use stays:
/// the engine refuses to remove it. Returns the names removed.
pub(super) async fn remove_unused(
    docker: &Docker,
    current: Option<&Path>,
) -> anyhow::Result<Vec<String>> {
    let keep = match current {
        Some(path) => Some(format!("{VOLUME_PREFIX}{}", digest(&std::fs::read(path)?))),
        None => None,
    };
    let filters = std::collections::HashMap::from([
        ("dangling", vec!["true"]),
        ("name", vec![VOLUME_PREFIX]),
    ]);
    let options = ListVolumesOptionsBuilder::default()
        .filters(&filters)
        .build();
    let listed = docker.list_volumes(Some(options)).await?;
    let mut removed = Vec::new();
    for volume in listed.volumes.unwrap_or_default() {
        let name = volume.name;
        if !is_init_volume(&name) || keep.as_ref() == Some(&name) {
            continue;
        }
        match docker
            .remove_volume(
                &name,
                None::<bollard::query_parameters::RemoveVolumeOptions>,
            )
            .await
        {
            Ok(()) => removed.push(name),
            // In use since it was listed, or removed by another worker.
            Err(e) => tracing::debug!(volume = %name, error = %e, "old init volume kept"),
        }
    }
    Ok(removed)
}

/// The volume holding the binary at `path`, made now if no worker made it before;
/// with `refill`, filled even if a volume of its name exists (the engine makes an
/// empty one when a container mounts a volume that was removed, and fills only an
/// empty one from the image).
pub(super) async fn install(docker: &Docker, path: &Path, refill: bool) -> anyhow::Result<String> {
    let binary = read_static(path)?;
    let digest = digest(&binary);
    let volume = format!("{VOLUME_PREFIX}{digest}");
    if !refill && docker.inspect_volume(&volume).await.is_ok() {
        return Ok(volume);
    }
    let image = format!("faas-init:{digest}");
    let options = CreateImageOptionsBuilder::default()
        .from_src("-")
        .repo("faas-init")
        .tag(&digest)
        .build();
    let mut import = docker.create_image(
        Some(options),
        Some(bollard::body_full(one_file_tar(&binary)?.into())),
        None,
    );
    while let Some(step) = import.next().await {
        step?;
    }
    let carrier = docker
        .create_container(
            None,
            ContainerCreateBody {
                image: Some(image.clone()),
                cmd: Some(vec![faas_init::INIT_PATH.to_owned()]),
                network_disabled: Some(true),
                host_config: Some(HostConfig {
                    mounts: Some(vec![Mount {
                        target: Some(INIT_MOUNT_DIR.to_owned()),
                        source: Some(volume.clone()),
                        typ: Some(MountType::VOLUME),
                        ..Default::default()
                    }]),
                    ..Default::default()
                }),
                ..Default::default()
            },
        )
        .await?;
    // The carrier sees the volume's content at the binary's path: it must be there.
    let options = DownloadFromContainerOptionsBuilder::default()
        .path(faas_init::INIT_PATH)
        .build();
    let filled = docker
        .download_from_container(&carrier.id, Some(options))
        .next()
        .await;
    let removal = RemoveContainerOptionsBuilder::default().force(true).build();
    docker.remove_container(&carrier.id, Some(removal)).await?;
    if !matches!(filled, Some(Ok(_))) {
        anyhow::bail!(
            "the volume {volume} holds no {}, and the engine did not fill it (remove it with `docker volume rm {volume}`)",
            faas_init::INIT_PATH
        );
    }
    let removal = RemoveImageOptionsBuilder::default().force(true).build();
    let _ = docker.remove_image(&image, Some(removal), None).await;
    tracing::info!(%volume, "installed the init binary for prewarmed containers");
    Ok(volume)
}

/// A tar archive of `.faas/init` (mode 0755) holding `binary`.
fn one_file_tar(binary: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut archive = tar::Builder::new(Vec::new());
    let mut dir = tar::Header::new_gnu();
    dir.set_size(0);
    dir.set_mode(0o755);
    dir.set_entry_type(tar::EntryType::Directory);
    archive.append_data(
        &mut dir,
        INIT_MOUNT_DIR.trim_start_matches('/'),
        std::io::empty(),
    )?;
    let mut header = tar::Header::new_gnu();
    header.set_size(binary.len() as u64);
    header.set_mode(0o755);
    header.set_entry_type(tar::EntryType::Regular);
    let path = faas_init::INIT_PATH.trim_start_matches('/');
    archive.append_data(&mut header, path, binary)?;
    archive.into_inner()
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_init_volume_names_are_ours() {
        assert!(super::is_init_volume("faas-init-0123456789abcdef"));
        for other in [
            "faas-init-",
            "faas-init-data",
            "faas-init-0123456789abcdef0",
            "my-faas-init-0123456789abcdef",
        ] {
            assert!(!super::is_init_volume(other), "{other}");
        }
    }
}
