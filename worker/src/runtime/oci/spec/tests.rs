//! Unit tests of `spec`.

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
            .contains("the Docker backend")
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
