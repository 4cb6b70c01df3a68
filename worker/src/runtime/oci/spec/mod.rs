//! A neutral [`Sandbox`] as an OCI runtime's `config.json`. Pure, and
//! security-critical: everything `sandbox` says every sandbox is, and what the
//! Docker Engine adds to a container on its own, is set here, since an OCI
//! runtime adds nothing.
//!
//! - **Root**: the image's unpacked copy ([`Rootfs`]), read-only.
//! - **Process**: the image's entrypoint and command (or the function's `cmd`, or
//!   `faas-init`), its environment under the function's, its working directory,
//!   its user (uid, gid, groups); no terminal; **no capabilities** in any of the
//!   five sets; **no-new-privileges**; at most [`NOFILE`] open files.
//! - **Mounts**: `/proc`, `/dev` (tmpfs, with `pts`, `shm` and `mqueue`), `/sys`
//!   read-only, the sandbox's tmpfs mounts ([`TMP`](crate::runtime::sandbox::TMP),
//!   [`SECRETS`](crate::runtime::sandbox::SECRETS)) `nodev` as Docker makes them,
//!   and for init the `faas-init` binary bound read-only at `faas_init::INIT_PATH`.
//!   Nothing else from the host.
//! - **`/proc` and `/sys`**: Docker's masked paths ([`MASKED_PATHS`]: unreadable)
//!   and read-only paths ([`READONLY_PATHS`]).
//! - **Namespaces**: pid, ipc, uts, mount, cgroup and a new, empty network
//!   namespace (the runtime brings up loopback; nothing else is configured).
//! - **Resources**: memory with swap equal to it (no extra swap), [`PIDS_LIMIT`]
//!   processes, [`CPUS`] CPU as a CFS quota, and only the standard devices.
//! - **Seccomp**: the profile as `linux.seccomp` always, and when the runtime
//!   takes it (crun) the compiled filter in [`SECCOMP_BPF_ANNOTATION`].
//!
//! The backend (`engine`) builds one per container and writes it to the bundle
//! (`runtime_binary::OciRuntime::write_bundle`).

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use anyhow::bail;
use oci_spec::runtime::{
    LinuxBuilder, LinuxCapabilitiesBuilder, LinuxCpuBuilder, LinuxDeviceCgroup,
    LinuxDeviceCgroupBuilder, LinuxDeviceType, LinuxMemoryBuilder, LinuxNamespace,
    LinuxNamespaceBuilder, LinuxNamespaceType, LinuxPidsBuilder, LinuxResourcesBuilder, Mount,
    MountBuilder, PosixRlimitBuilder, PosixRlimitType, ProcessBuilder, RootBuilder, Spec,
    SpecBuilder, UserBuilder,
};

use super::rootfs::Rootfs;
use super::seccomp::Seccomp;
use crate::runtime::sandbox::{CPUS, INIT_MOUNT_DIR, Network, PIDS_LIMIT, Process, Sandbox};

/// The annotation in which crun takes a compiled seccomp program (base64),
/// instead of compiling `linux.seccomp` on every start.
pub const SECCOMP_BPF_ANNOTATION: &str = "run.oci.seccomp_bpf_data";
/// Docker's masked paths: bound over with `/dev/null` (files) or an empty
/// read-only tmpfs (directories), so that nothing of the host's shows.
pub const MASKED_PATHS: &[&str] = &[
    "/proc/asound",
    "/proc/acpi",
    "/proc/interrupts",
    "/proc/kcore",
    "/proc/keys",
    "/proc/latency_stats",
    "/proc/timer_list",
    "/proc/timer_stats",
    "/proc/sched_debug",
    "/proc/scsi",
    "/sys/firmware",
    "/sys/devices/virtual/powercap",
];
/// Docker's read-only paths of `/proc`: the kernel's settings stay unwritable.
pub const READONLY_PATHS: &[&str] = &[
    "/proc/bus",
    "/proc/fs",
    "/proc/irq",
    "/proc/sys",
    "/proc/sysrq-trigger",
];
/// The longest hostname the kernel takes.
pub const HOSTNAME_MAX: usize = 64;
/// Open files a function may hold (soft and hard).
pub const NOFILE: u64 = 1024;
/// The CFS period; the quota is [`CPUS`] of them.
const CPU_PERIOD_US: u64 = 100_000;
/// `PATH` when the image sets none (Docker's default).
const DEFAULT_PATH: &str = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// One container to describe: its sandbox and what the OCI backend adds.
pub struct Container<'a> {
    /// The runtime's container id, also the hostname (its first [`HOSTNAME_MAX`]
    /// bytes).
    pub id: &'a str,
    pub sandbox: &'a Sandbox,
    pub rootfs: &'a Rootfs,
    /// Its cgroup (`cgroups::container_path`).
    pub cgroups_path: &'a str,
    pub seccomp: &'a Seccomp,
    /// Whether to hand the compiled filter over too (the runtime honours
    /// [`SECCOMP_BPF_ANNOTATION`]: crun).
    pub seccomp_bpf: bool,
}

/// The `config.json` of `container`.
pub fn spec(container: &Container) -> anyhow::Result<Spec> {
    let Container {
        id,
        sandbox,
        rootfs,
        ..
    } = container;
    if let Network::Function(_) = sandbox.network {
        bail!(
            "functions with network: true run on the Docker backend: the OCI backend has no function network"
        );
    }
    let image = &rootfs.config;
    let (args, extra_env) = match &sandbox.process {
        Process::Function { cmd, env, .. } => {
            let mut args = image.entrypoint.clone();
            args.extend(cmd.clone().unwrap_or_else(|| image.cmd.clone()));
            (args, env.clone())
        }
        // Init gets the function's argv and environment in the frame, on stdin.
        Process::Init { .. } => (vec![faas_init::INIT_PATH.to_owned()], Vec::new()),
    };
    if args.is_empty() {
        bail!(
            "image {} has neither an entrypoint nor a command to run",
            sandbox.image
        );
    }
    let user = &rootfs.user;
    // Container ids are ASCII (`runtime_binary` checks them).
    let hostname = &id[..id.len().min(HOSTNAME_MAX)];
    let process = ProcessBuilder::default()
        .terminal(false)
        .user(
            UserBuilder::default()
                .uid(user.uid)
                .gid(user.gid)
                .additional_gids(user.additional_gids.clone())
                .build()?,
        )
        .args(args)
        .env(environment(&image.env, &extra_env, &user.home, hostname))
        .cwd(if image.working_dir.is_empty() {
            "/"
        } else {
            &image.working_dir
        })
        .capabilities(
            LinuxCapabilitiesBuilder::default()
                .bounding(HashSet::new())
                .effective(HashSet::new())
                .inheritable(HashSet::new())
                .permitted(HashSet::new())
                .ambient(HashSet::new())
                .build()?,
        )
        .no_new_privileges(true)
        .rlimits(vec![
            PosixRlimitBuilder::default()
                .typ(PosixRlimitType::RlimitNofile)
                .soft(NOFILE)
                .hard(NOFILE)
                .build()?,
        ])
        .build()?;
    let mut annotations: HashMap<String, String> = sandbox.labels.clone();
    if container.seccomp_bpf {
        annotations.insert(
            SECCOMP_BPF_ANNOTATION.to_owned(),
            container.seccomp.bpf_base64(),
        );
    }
    let linux = LinuxBuilder::default()
        .namespaces(namespaces()?)
        .cgroups_path(PathBuf::from(container.cgroups_path))
        .resources(
            LinuxResourcesBuilder::default()
                .devices(devices()?)
                .memory(
                    LinuxMemoryBuilder::default()
                        .limit(sandbox.memory_bytes)
                        .swap(sandbox.memory_bytes)
                        .build()?,
                )
                .pids(LinuxPidsBuilder::default().limit(PIDS_LIMIT).build()?)
                .cpu(
                    LinuxCpuBuilder::default()
                        .quota(CPUS * CPU_PERIOD_US as i64)
                        .period(CPU_PERIOD_US)
                        .build()?,
                )
                .build()?,
        )
        .masked_paths(strings(MASKED_PATHS))
        .readonly_paths(strings(READONLY_PATHS))
        .seccomp(container.seccomp.oci().clone())
        .build()?;
    Ok(SpecBuilder::default()
        .version("1.0.2")
        .hostname(hostname.to_owned())
        .root(
            RootBuilder::default()
                .path(rootfs.path.clone())
                .readonly(true)
                .build()?,
        )
        .process(process)
        .mounts(mounts(sandbox)?)
        .annotations(annotations)
        .linux(linux)
        .build()?)
}

/// The image's environment, then the function's over it (same name: the
/// function's wins), then `PATH`, `HOME` and `HOSTNAME` where unset, as Docker
/// does.
fn environment(image: &[String], function: &[String], home: &str, hostname: &str) -> Vec<String> {
    let name = |entry: &str| entry.split('=').next().unwrap_or_default().to_owned();
    let mut env: Vec<String> = Vec::new();
    for entry in image.iter().chain(function) {
        env.retain(|e| name(e) != name(entry));
        env.push(entry.clone());
    }
    for default in [
        DEFAULT_PATH.to_owned(),
        format!("HOME={home}"),
        format!("HOSTNAME={hostname}"),
    ] {
        if !env.iter().any(|e| name(e) == name(&default)) {
            env.push(default);
        }
    }
    env
}

fn mounts(sandbox: &Sandbox) -> anyhow::Result<Vec<Mount>> {
    let mount = |destination: &str, typ: &str, source: &str, options: &[&str]| {
        MountBuilder::default()
            .destination(destination)
            .typ(typ)
            .source(source)
            .options(strings(options))
            .build()
    };
    let mut mounts = vec![
        mount("/proc", "proc", "proc", &["nosuid", "noexec", "nodev"])?,
        mount(
            "/dev",
            "tmpfs",
            "tmpfs",
            &["nosuid", "strictatime", "mode=755", "size=65536k"],
        )?,
        mount(
            "/dev/pts",
            "devpts",
            "devpts",
            &[
                "nosuid",
                "noexec",
                "newinstance",
                "ptmxmode=0666",
                "mode=0620",
                "gid=5",
            ],
        )?,
        mount(
            "/dev/shm",
            "tmpfs",
            "shm",
            &["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"],
        )?,
        mount(
            "/dev/mqueue",
            "mqueue",
            "mqueue",
            &["nosuid", "noexec", "nodev"],
        )?,
        mount(
            "/sys",
            "sysfs",
            "sysfs",
            &["nosuid", "noexec", "nodev", "ro"],
        )?,
    ];
    for tmpfs in &sandbox.tmpfs {
        let mut options = tmpfs.options.to_vec();
        if !options.contains(&"nodev") {
            options.push("nodev");
        }
        mounts.push(mount(tmpfs.target, "tmpfs", "tmpfs", &options)?);
    }
    if let Process::Init { source } = &sandbox.process {
        debug_assert!(faas_init::INIT_PATH.starts_with(INIT_MOUNT_DIR));
        mounts.push(mount(
            faas_init::INIT_PATH,
            "bind",
            source,
            &["bind", "ro", "nosuid", "nodev"],
        )?);
    }
    Ok(mounts)
}

/// New namespaces of every kind but user (as Docker): the network one empty.
fn namespaces() -> anyhow::Result<Vec<LinuxNamespace>> {
    [
        LinuxNamespaceType::Pid,
        LinuxNamespaceType::Ipc,
        LinuxNamespaceType::Uts,
        LinuxNamespaceType::Mount,
        LinuxNamespaceType::Network,
        LinuxNamespaceType::Cgroup,
    ]
    .into_iter()
    .map(|typ| Ok(LinuxNamespaceBuilder::default().typ(typ).build()?))
    .collect()
}

/// No device but the standard ones: null, zero, full, random, urandom, tty,
/// ptmx and the pseudo-terminals (the runtime creates their nodes).
fn devices() -> anyhow::Result<Vec<LinuxDeviceCgroup>> {
    let mut devices = vec![
        LinuxDeviceCgroupBuilder::default()
            .allow(false)
            .access("rwm")
            .build()?,
    ];
    for (major, minor) in [
        (1, Some(3)),
        (1, Some(5)),
        (1, Some(7)),
        (1, Some(8)),
        (1, Some(9)),
        (5, Some(0)),
        (5, Some(2)),
        (136, None),
    ] {
        let mut rule = LinuxDeviceCgroupBuilder::default()
            .allow(true)
            .typ(LinuxDeviceType::C)
            .major(major)
            .access("rwm");
        if let Some(minor) = minor {
            rule = rule.minor(minor);
        }
        devices.push(rule.build()?);
    }
    Ok(devices)
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

#[cfg(test)]
mod tests;
