//! How the Docker Engine is told a [`Sandbox`]: its create body and `HostConfig`.
//! Pure, and security-critical: what `sandbox` says every sandbox is (no
//! capabilities, no-new-privileges, a read-only root, the limits) is set here.

use bollard::models::{ContainerCreateBody, HostConfig, Mount, MountType, MountVolumeOptions};

use crate::runtime::sandbox::{CPUS, INIT_MOUNT_DIR, Network, PIDS_LIMIT, Process, Sandbox};

/// The create body of `sandbox`: attached (stdout, stderr, and stdin when
/// something is written to it), no TTY, with its labels and [`host_config`].
pub(super) fn container_body(sandbox: &Sandbox) -> ContainerCreateBody {
    let (entrypoint, cmd, env, stdin) = match &sandbox.process {
        Process::Function { cmd, env, stdin } => (None, cmd.clone(), Some(env.clone()), *stdin),
        // Init gets the function's argv and environment in the frame, on stdin.
        Process::Init { .. } => (
            Some(vec![faas_init::INIT_PATH.to_owned()]),
            Some(Vec::new()),
            None,
            true,
        ),
    };
    ContainerCreateBody {
        image: Some(sandbox.image.clone()),
        entrypoint,
        cmd,
        env,
        attach_stdout: Some(true),
        attach_stderr: Some(true),
        attach_stdin: Some(stdin),
        open_stdin: Some(stdin),
        stdin_once: Some(stdin),
        tty: Some(false),
        network_disabled: Some(sandbox.network == Network::None),
        labels: Some(sandbox.labels.clone()),
        host_config: Some(host_config(sandbox)),
        ..Default::default()
    }
}

/// The sandbox as Docker's `HostConfig`: no network (`none`) or the function
/// network's id; memory with no extra swap, pids and CPU bounded; no capabilities,
/// no privilege escalation, a read-only root with its tmpfs mounts; no mounts from
/// the host, only the init volume (read-only) for init.
pub fn host_config(sandbox: &Sandbox) -> HostConfig {
    HostConfig {
        network_mode: Some(match &sandbox.network {
            Network::None => "none".to_owned(),
            Network::Function(id) => id.clone(),
        }),
        memory: Some(sandbox.memory_bytes),
        memory_swap: Some(sandbox.memory_bytes),
        pids_limit: Some(PIDS_LIMIT),
        nano_cpus: Some(CPUS * 1_000_000_000),
        cap_drop: Some(vec!["ALL".to_owned()]),
        security_opt: Some(vec!["no-new-privileges".to_owned()]),
        readonly_rootfs: Some(true),
        tmpfs: Some(
            sandbox
                .tmpfs
                .iter()
                .map(|tmpfs| (tmpfs.target.to_owned(), tmpfs.options.join(",")))
                .collect(),
        ),
        privileged: Some(false),
        binds: None,
        mounts: match &sandbox.process {
            Process::Function { .. } => None,
            Process::Init { source } => Some(vec![Mount {
                target: Some(INIT_MOUNT_DIR.to_owned()),
                source: Some(source.clone()),
                typ: Some(MountType::VOLUME),
                read_only: Some(true),
                volume_options: Some(MountVolumeOptions {
                    no_copy: Some(true),
                    ..Default::default()
                }),
                ..Default::default()
            }]),
        },
        auto_remove: Some(false),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::fixtures::request;

    fn cold() -> Sandbox {
        Sandbox::cold(&request("img", 0), "w", None, Network::None)
    }

    #[test]
    fn the_host_config_drops_every_privilege_and_bounds_the_function() {
        let config = host_config(&cold());
        assert_eq!(config.cap_drop, Some(vec!["ALL".to_owned()]));
        assert_eq!(config.cap_add, None);
        assert_eq!(
            config.security_opt,
            Some(vec!["no-new-privileges".to_owned()])
        );
        assert_eq!(config.readonly_rootfs, Some(true));
        assert_eq!(config.privileged, Some(false));
        assert_eq!(config.memory, Some(64 * 1024 * 1024));
        assert_eq!(config.memory_swap, config.memory, "no extra swap");
        assert_eq!(config.pids_limit, Some(64));
        assert_eq!(config.nano_cpus, Some(1_000_000_000));
        assert_eq!(config.network_mode.as_deref(), Some("none"));
        assert_eq!(
            config.tmpfs,
            Some(HashMap::from([(
                "/tmp".to_owned(),
                "rw,noexec,nosuid,size=16m".to_owned()
            )]))
        );
        assert_eq!((config.binds, config.mounts), (None, None));
        assert_eq!(config.auto_remove, Some(false));
    }

    #[test]
    fn a_function_with_network_joins_the_function_network_only() {
        let template = request("img", 0);
        let off = container_body(&cold());
        assert_eq!(off.network_disabled, Some(true));
        let on = container_body(&Sandbox::cold(
            &template,
            "w",
            None,
            Network::Function("0123abcd".into()),
        ));
        assert_eq!(on.network_disabled, Some(false));
        assert_eq!(
            on.host_config.and_then(|c| c.network_mode).as_deref(),
            Some("0123abcd")
        );
    }

    #[test]
    fn an_init_container_runs_init_from_the_read_only_volume_in_the_same_sandbox() {
        let template = request("img", 1);
        let init = Sandbox::init(
            &template,
            "w",
            None,
            Network::None,
            "faas-init-0123".into(),
            None,
        );
        let body = container_body(&init);
        assert_eq!(body.entrypoint, Some(vec![faas_init::INIT_PATH.to_owned()]));
        assert_eq!(body.cmd, Some(Vec::new()), "not the image's command");
        assert_eq!(body.env, None, "the environment comes in the frame");
        assert_eq!(
            (body.attach_stdin, body.open_stdin, body.stdin_once),
            (Some(true), Some(true), Some(true))
        );
        let config = body.host_config.unwrap();
        let mount = &config.mounts.as_ref().unwrap()[..];
        assert_eq!(mount.len(), 1);
        assert_eq!(mount[0].target.as_deref(), Some("/.faas"));
        assert_eq!(mount[0].source.as_deref(), Some("faas-init-0123"));
        assert_eq!(mount[0].typ, Some(MountType::VOLUME));
        assert_eq!(mount[0].read_only, Some(true));
        assert_eq!(
            config.tmpfs.as_ref().unwrap()["/run/secrets"],
            "rw,noexec,nosuid,nodev,size=1m,mode=1777"
        );
        let cold = host_config(&cold());
        assert_eq!(
            HostConfig {
                mounts: None,
                tmpfs: cold.tmpfs.clone(),
                ..config
            },
            cold,
            "everything else is the cold sandbox"
        );
    }
}
