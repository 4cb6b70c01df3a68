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
//! The facade integration will build one per container and write it to the
//! bundle (`runtime_binary::OciRuntime::write_bundle`).

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
            "functions with network: true cannot run on the OCI backend yet (it has no function network): run this worker with FAAS_WORKER_RUNTIME=docker"
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
mod tests {
    use std::path::Path;

    use oci_spec::runtime::Capabilities;

    use super::*;
    use crate::fixtures::request;
    use crate::runtime::oci::rootfs::ImageConfig;
    use crate::runtime::oci::user::ImageUser;
    use crate::runtime::sandbox::Sandbox;

    fn rootfs() -> Rootfs {
        Rootfs {
            image_id: "sha256:0abc".into(),
            path: "/var/cache/faas/sha256-0abc/rootfs".into(),
            config: ImageConfig {
                user: "app".into(),
                env: vec!["PATH=/bin".into(), "LANG=C".into()],
                entrypoint: vec!["/bin/sh".into(), "/fn.sh".into()],
                cmd: vec!["default".into()],
                working_dir: "/srv".into(),
            },
            user: ImageUser {
                uid: 1000,
                gid: 1001,
                additional_gids: vec![50],
                home: "/home/app".into(),
            },
            size_bytes: 1,
        }
    }

    fn seccomp() -> Seccomp {
        Seccomp::load(Path::new(super::super::seccomp::DEFAULT_PROFILE)).unwrap()
    }

    fn spec_of(sandbox: &Sandbox, bpf: bool) -> Spec {
        spec(&Container {
            id: "c1",
            sandbox,
            rootfs: &rootfs(),
            cgroups_path: "/faas-oci/w/c1",
            seccomp: &seccomp(),
            seccomp_bpf: bpf,
        })
        .unwrap()
    }

    fn cold() -> Sandbox {
        let mut request = request("img", 0);
        request.param = "hello".into();
        Sandbox::cold(&request, "w", None, Network::None)
    }

    #[test]
    fn no_capability_no_privilege_escalation_and_a_read_only_root() {
        let spec = spec_of(&cold(), true);
        let process = spec.process().as_ref().unwrap();
        let caps = process.capabilities().as_ref().unwrap();
        let empty = Some(Capabilities::new());
        assert_eq!(caps.bounding(), &empty);
        assert_eq!(caps.effective(), &empty);
        assert_eq!(caps.inheritable(), &empty);
        assert_eq!(caps.permitted(), &empty);
        assert_eq!(caps.ambient(), &empty);
        assert_eq!(process.no_new_privileges(), Some(true));
        assert_eq!(process.terminal(), Some(false));
        let root = spec.root().as_ref().unwrap();
        assert_eq!(root.readonly(), Some(true));
        assert_eq!(root.path(), Path::new("/var/cache/faas/sha256-0abc/rootfs"));
    }

    #[test]
    fn the_image_s_user_command_and_environment_run_with_the_function_s() {
        let spec = spec_of(&cold(), false);
        let process = spec.process().as_ref().unwrap();
        assert_eq!((process.user().uid(), process.user().gid()), (1000, 1001));
        assert_eq!(process.user().additional_gids(), &Some(vec![50]));
        assert_eq!(
            process.args().as_deref(),
            Some(&["/bin/sh".into(), "/fn.sh".into(), "hello".into()][..]),
            "the parameter replaces the image's command"
        );
        let env = process.env().as_ref().unwrap();
        assert_eq!(env[..2], ["PATH=/bin".to_owned(), "LANG=C".to_owned()]);
        assert!(env.iter().any(|e| e.starts_with("FAAS_ACTIVATION_ID=")));
        assert!(env.contains(&"HOME=/home/app".to_owned()));
        assert!(env.contains(&"HOSTNAME=c1".to_owned()));
        assert_eq!(process.cwd(), Path::new("/srv"));
        assert_eq!(spec.hostname().as_deref(), Some("c1"));
    }

    #[test]
    fn proc_and_sys_are_masked_and_read_only_as_docker_makes_them() {
        let spec = spec_of(&cold(), false);
        let linux = spec.linux().as_ref().unwrap();
        let masked = linux.masked_paths().as_ref().unwrap();
        for path in [
            "/proc/asound",
            "/proc/acpi",
            "/proc/kcore",
            "/proc/keys",
            "/proc/latency_stats",
            "/proc/timer_list",
            "/proc/timer_stats",
            "/proc/sched_debug",
            "/proc/scsi",
            "/sys/firmware",
            "/proc/interrupts",
        ] {
            assert!(masked.iter().any(|m| m == path), "{path} is masked");
        }
        assert_eq!(
            linux.readonly_paths().as_deref(),
            Some(
                &strings(&[
                    "/proc/bus",
                    "/proc/fs",
                    "/proc/irq",
                    "/proc/sys",
                    "/proc/sysrq-trigger"
                ])[..]
            )
        );
        let sys = spec
            .mounts()
            .iter()
            .flatten()
            .find(|m| m.destination() == Path::new("/sys"))
            .unwrap();
        assert!(sys.options().iter().flatten().any(|o| o == "ro"));
    }

    #[test]
    fn tmpfs_mounts_keep_their_options_and_nothing_comes_from_the_host() {
        let spec = spec_of(&cold(), false);
        let mounts = spec.mounts().as_ref().unwrap();
        let tmp = mounts
            .iter()
            .find(|m| m.destination() == Path::new("/tmp"))
            .unwrap();
        assert_eq!(tmp.typ().as_deref(), Some("tmpfs"));
        assert_eq!(
            tmp.options().as_deref(),
            Some(&strings(&["rw", "noexec", "nosuid", "size=16m", "nodev"])[..])
        );
        assert!(
            mounts.iter().all(|m| m.typ().as_deref() != Some("bind")),
            "no bind mount"
        );
        assert!(
            !mounts
                .iter()
                .any(|m| m.destination() == Path::new("/run/secrets"))
        );

        let init = Sandbox::init(
            &request("img", 1),
            "w",
            None,
            Network::None,
            "/usr/lib/faas/faas-init".into(),
            None,
        );
        let spec = spec_of(&init, false);
        let mounts = spec.mounts().as_ref().unwrap();
        let secrets = mounts
            .iter()
            .find(|m| m.destination() == Path::new("/run/secrets"))
            .unwrap();
        assert_eq!(
            secrets.options().as_deref(),
            Some(&strings(&["rw", "noexec", "nosuid", "nodev", "size=1m", "mode=1777"])[..])
        );
        let bind: Vec<&Mount> = mounts
            .iter()
            .filter(|m| m.typ().as_deref() == Some("bind"))
            .collect();
        assert_eq!(bind.len(), 1, "only the init binary");
        assert_eq!(bind[0].destination(), Path::new("/.faas/init"));
        assert_eq!(
            bind[0].source().as_deref(),
            Some(Path::new("/usr/lib/faas/faas-init"))
        );
        assert!(bind[0].options().iter().flatten().any(|o| o == "ro"));
        assert_eq!(
            spec.process().as_ref().unwrap().args().as_deref(),
            Some(&["/.faas/init".to_owned()][..])
        );
    }

    #[test]
    fn limits_are_memory_with_equal_swap_64_pids_and_one_cpu() {
        let spec = spec_of(&cold(), false);
        let linux = spec.linux().as_ref().unwrap();
        assert_eq!(
            linux.cgroups_path().as_deref(),
            Some(Path::new("/faas-oci/w/c1"))
        );
        let resources = linux.resources().as_ref().unwrap();
        let memory = resources.memory().as_ref().unwrap();
        assert_eq!(memory.limit(), Some(64 * 1024 * 1024));
        assert_eq!(memory.swap(), memory.limit(), "no extra swap");
        assert_eq!(resources.pids().as_ref().unwrap().limit(), 64);
        let cpu = resources.cpu().as_ref().unwrap();
        assert_eq!((cpu.quota(), cpu.period()), (Some(100_000), Some(100_000)));
        let devices = resources.devices().as_ref().unwrap();
        assert!(
            !devices[0].allow() && devices[0].typ().is_none(),
            "deny all first"
        );
        assert!(
            devices
                .iter()
                .skip(1)
                .all(|d| d.allow() && d.typ() == Some(LinuxDeviceType::C))
        );
    }

    #[test]
    fn the_network_namespace_is_new_and_empty() {
        let spec = spec_of(&cold(), false);
        let linux = spec.linux().as_ref().unwrap();
        let namespaces = linux.namespaces().as_ref().unwrap();
        let network = namespaces
            .iter()
            .find(|n| n.typ() == LinuxNamespaceType::Network)
            .unwrap();
        assert_eq!(network.path(), &None, "a new namespace, not the host's");
        assert!(
            !namespaces
                .iter()
                .any(|n| n.typ() == LinuxNamespaceType::User)
        );
        assert_eq!(linux.net_devices(), &None, "no interface is moved in");
        let function_network =
            Sandbox::cold(&request("img", 0), "w", None, Network::Function("n".into()));
        let refused = super::spec(&Container {
            id: "c1",
            sandbox: &function_network,
            rootfs: &rootfs(),
            cgroups_path: "/p",
            seccomp: &seccomp(),
            seccomp_bpf: false,
        });
        assert!(
            refused
                .unwrap_err()
                .to_string()
                .contains("FAAS_WORKER_RUNTIME=docker")
        );
    }

    #[test]
    fn seccomp_is_always_in_the_spec_and_the_bpf_only_when_asked() {
        let json = spec_of(&cold(), false);
        let bpf = spec_of(&cold(), true);
        for spec in [&json, &bpf] {
            let seccomp = spec.linux().as_ref().unwrap().seccomp().as_ref().unwrap();
            assert!(seccomp.syscalls().as_ref().is_some_and(|s| !s.is_empty()));
        }
        let annotations = |spec: &Spec| spec.annotations().clone().unwrap_or_default();
        assert!(!annotations(&json).contains_key(SECCOMP_BPF_ANNOTATION));
        assert_eq!(
            annotations(&bpf)[SECCOMP_BPF_ANNOTATION],
            seccomp().bpf_base64()
        );
        assert_eq!(
            annotations(&bpf)["io.faas.owner"],
            "alice",
            "the labels are annotations"
        );
    }

    #[test]
    fn a_long_id_is_cut_to_a_hostname_the_kernel_takes() {
        let id = "c".repeat(100);
        let spec = spec(&Container {
            id: &id,
            sandbox: &cold(),
            rootfs: &rootfs(),
            cgroups_path: "/p",
            seccomp: &seccomp(),
            seccomp_bpf: false,
        })
        .unwrap();
        assert_eq!(
            spec.hostname().as_ref().map(String::len),
            Some(HOSTNAME_MAX)
        );
        let env = spec.process().as_ref().unwrap().env().clone().unwrap();
        assert!(env.contains(&format!("HOSTNAME={}", &id[..HOSTNAME_MAX])));
    }

    #[test]
    fn the_function_s_environment_wins_and_defaults_fill_in() {
        let env = environment(
            &["A=1".into(), "B=2".into()],
            &["B=3".into(), "PATH=/x".into()],
            "/",
            "h",
        );
        assert_eq!(env, ["A=1", "B=3", "PATH=/x", "HOME=/", "HOSTNAME=h"]);
    }
}
