//! How the Docker Engine is told a function's sandbox: the create body and its
//! `HostConfig`.

use std::collections::HashMap;

use bollard::models::{ContainerCreateBody, HostConfig, Mount, MountType};
use faas_shared::ParamMode;
use faas_shared::activation::ActivationRequest;

use super::init_volume::MOUNT_DIR;
use crate::runtime::sandbox::{environment, labels};

/// Processes a function may run: enough for a shell pipeline, not for a fork bomb.
const PIDS_LIMIT: i64 = 64;
/// One CPU at most.
const NANO_CPUS: i64 = 1_000_000_000;

/// `network`: the function network's id, for a function with `network: true`.
pub(super) fn container_body(
    request: &ActivationRequest,
    worker_id: &str,
    platform: Option<&str>,
    network: Option<&str>,
) -> ContainerCreateBody {
    let stdin = request.param_mode == ParamMode::Stdin;
    ContainerCreateBody {
        image: Some(request.image.clone()),
        // Like `docker run --rm IMAGE PARAM`: the parameter replaces CMD, the
        // image's ENTRYPOINT stays.
        cmd: (request.param_mode == ParamMode::Argv).then(|| vec![request.param.clone()]),
        env: Some(environment(request)),
        attach_stdout: Some(true),
        attach_stderr: Some(true),
        attach_stdin: Some(stdin),
        open_stdin: Some(stdin),
        stdin_once: Some(stdin),
        tty: Some(false),
        network_disabled: Some(network.is_none()),
        labels: Some(labels(request, worker_id, platform)),
        host_config: Some(host_config(request, network)),
        ..Default::default()
    }
}

/// The sandbox: no network, or the function network (`network`) for a function that
/// asked for one; bounded memory (no extra swap), pids and CPU, no capabilities, no
/// privilege escalation, a read-only root with a small non-executable `/tmp`, no
/// mounts from the host.
pub fn host_config(request: &ActivationRequest, network: Option<&str>) -> HostConfig {
    let memory = i64::try_from(request.memory_mb.saturating_mul(1024 * 1024)).unwrap_or(i64::MAX);
    HostConfig {
        network_mode: Some(network.unwrap_or("none").to_owned()),
        memory: Some(memory),
        memory_swap: Some(memory),
        pids_limit: Some(PIDS_LIMIT),
        nano_cpus: Some(NANO_CPUS),
        cap_drop: Some(vec!["ALL".to_owned()]),
        security_opt: Some(vec!["no-new-privileges".to_owned()]),
        readonly_rootfs: Some(true),
        tmpfs: Some(HashMap::from([(
            "/tmp".to_owned(),
            "rw,noexec,nosuid,size=16m".to_owned(),
        )])),
        privileged: Some(false),
        binds: None,
        mounts: None,
        auto_remove: Some(false),
        ..Default::default()
    }
}

/// [`host_config`] with the init volume mounted read-only at `/.faas` and a small
/// tmpfs at `/run/secrets` for the files init writes.
pub(super) fn init_host_config(
    request: &ActivationRequest,
    network: Option<&str>,
    volume: &str,
) -> HostConfig {
    let mut config = host_config(request, network);
    config.mounts = Some(vec![Mount {
        target: Some(MOUNT_DIR.to_owned()),
        source: Some(volume.to_owned()),
        typ: Some(MountType::VOLUME),
        read_only: Some(true),
        volume_options: Some(bollard::models::MountVolumeOptions {
            no_copy: Some(true),
            ..Default::default()
        }),
        ..Default::default()
    }]);
    config.tmpfs.get_or_insert_default().insert(
        faas_init::SECRETS_DIR.to_owned(),
        "rw,noexec,nosuid,nodev,size=1m,mode=1777".to_owned(),
    );
    config
}
