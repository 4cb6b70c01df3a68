//! The OCI backend's building blocks against the real runtimes (crun and runc,
//! each one that is installed), as root, with root file systems exported from
//! the real Docker Engine's example images (`bash scripts/build-function-images.sh`).
//!
//! Every sandbox property is checked twice: in the sandbox `spec::spec` makes,
//! where it must hold, and in the same sandbox with that protection taken out of
//! the spec, where the same check must fail. So a check that cannot see the
//! protection fails the test instead of passing vacuously.
//!
//! Skipped, saying so, only when neither crun nor runc is installed.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bollard::Docker;
use faas_testkit::activation::request;
use faas_testkit::docker::require_image;
use faas_testkit::names::{CAT, ECHO, SH, SLEEP, unique};
use faas_worker::runtime::oci::cgroups::{self, CgroupLayout};
use faas_worker::runtime::oci::rootfs::{Rootfs, RootfsCache};
use faas_worker::runtime::oci::runtime_binary::{self, Flavor, OciRuntime};
use faas_worker::runtime::oci::seccomp::{DEFAULT_PROFILE, Seccomp, Target};
use faas_worker::runtime::oci::spec::{self, Container, SECCOMP_BPF_ANNOTATION};
use faas_worker::runtime::sandbox::{Network, Sandbox};
use oci_spec::runtime::{Capability, LinuxNamespaceType, Spec};
use tokio::io::AsyncReadExt;

/// What a container printed, and its exit code.
#[derive(Debug)]
struct Ran {
    stdout: String,
    stderr: String,
    code: i32,
}

/// One test's world: the host's cgroups, the engine, a rootfs cache, the
/// default seccomp filter, and a worker id of its own (its cgroup parent).
struct Harness {
    dir: tempfile::TempDir,
    layout: CgroupLayout,
    docker: Docker,
    cache: RootfsCache,
    seccomp: Seccomp,
    worker: String,
}

impl Harness {
    /// `None` (said on stderr) when no runtime is installed.
    async fn new() -> Option<Self> {
        if runtime_binary::installed().is_empty() {
            eprintln!(
                "SKIPPED: neither crun nor runc is installed (apt-get install crun runc); the OCI backend's tests need one"
            );
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let docker = Docker::connect_with_defaults()
            .unwrap()
            .negotiate_version()
            .await
            .expect("the Docker Engine answers (the image store of the OCI backend)");
        let worker = unique("ocitest");
        let labels = HashMap::from([("io.faas.worker".to_owned(), worker.clone())]);
        let cache = RootfsCache::open(&dir.path().join("rootfs"), u64::MAX, labels).unwrap();
        Some(Self {
            layout: CgroupLayout::detect().unwrap(),
            docker,
            cache,
            seccomp: Seccomp::load(DEFAULT_PROFILE.as_ref()).unwrap(),
            worker,
            dir,
        })
    }

    /// Each installed runtime, with state and bundles of its own.
    fn runtimes(&self) -> Vec<OciRuntime> {
        runtime_binary::installed()
            .into_iter()
            .map(|(binary, flavor)| self.runtime(binary, flavor))
            .collect()
    }

    fn runtime(&self, binary: PathBuf, flavor: Flavor) -> OciRuntime {
        OciRuntime::new(
            binary,
            flavor,
            &self.dir.path().join(flavor.name()),
            &self.layout,
        )
        .unwrap()
    }

    async fn rootfs(&self, image: &str) -> Arc<Rootfs> {
        require_image(image);
        self.cache.ensure(&self.docker, image).await.unwrap()
    }

    fn cgroup(&self, id: &str) -> String {
        cgroups::container_path(&self.worker, id)
    }

    /// The spec of a container `id` running `script` with `sh -c` (the `sh`
    /// example image), as the backend makes it for `runtime`.
    async fn spec(&self, runtime: &OciRuntime, id: &str, script: &str) -> Spec {
        let sandbox = Sandbox::cold(&request(SH, script), &self.worker, None, Network::None);
        self.spec_of(runtime, id, &sandbox, &*self.rootfs(SH).await)
    }

    fn spec_of(&self, runtime: &OciRuntime, id: &str, sandbox: &Sandbox, rootfs: &Rootfs) -> Spec {
        spec::spec(&Container {
            id,
            sandbox,
            rootfs,
            cgroups_path: &self.cgroup(id),
            seccomp: &self.seccomp,
            seccomp_bpf: runtime.flavor().takes_seccomp_bpf(),
        })
        .unwrap()
    }

    /// Runs `spec` in the foreground as container `id` to its end.
    async fn run(&self, runtime: &OciRuntime, id: &str, spec: &Spec) -> Ran {
        runtime.write_bundle(id, spec).unwrap();
        let mut foreground = runtime.run(id, false).await.unwrap();
        let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
        let read = async {
            tokio::try_join!(
                foreground.io.stdout.read_to_end(&mut stdout),
                foreground.io.stderr.read_to_end(&mut stderr),
            )
        };
        tokio::time::timeout(Duration::from_secs(30), read)
            .await
            .expect("the container ends within 30 s")
            .unwrap();
        let code = foreground.wait().await.unwrap();
        runtime.delete(id).await.unwrap();
        Ran {
            stdout: String::from_utf8_lossy(&stdout).into_owned(),
            stderr: String::from_utf8_lossy(&stderr).into_owned(),
            code,
        }
    }

    /// Runs `script` in the sandbox the backend makes, and again with `weaken`
    /// applied to its spec; returns both runs.
    async fn with_and_without(
        &self,
        runtime: &OciRuntime,
        script: &str,
        weaken: impl FnOnce(&mut Spec),
    ) -> (Ran, Ran) {
        let id = unique("c");
        let spec = self.spec(runtime, &id, script).await;
        self.both(runtime, &id, spec, weaken).await
    }

    /// Runs `spec` as container `id`, and again weakened by `weaken`.
    async fn both(
        &self,
        runtime: &OciRuntime,
        id: &str,
        spec: Spec,
        weaken: impl FnOnce(&mut Spec),
    ) -> (Ran, Ran) {
        let sandboxed = self.run(runtime, id, &spec).await;
        let mut weakened = spec;
        weaken(&mut weakened);
        let id = unique("c");
        weakened.set_hostname(Some(id.clone()));
        let linux = weakened.linux_mut().as_mut().unwrap();
        linux.set_cgroups_path(Some(self.cgroup(&id).into()));
        let unprotected = self.run(runtime, &id, &weakened).await;
        (sandboxed, unprotected)
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        // A test that failed half-way leaves containers behind (a created one
        // waits for its start for ever): kill what is in this test's cgroups and
        // remove them, then the parent. The state dies with the temporary directory.
        let parent = cgroups::worker_parent(&self.worker);
        if let Err(e) = self.layout.remove_children(&parent) {
            eprintln!("cleaning up the test's cgroups: {e}");
        }
        for dir in self.layout.dirs(&parent) {
            let _ = std::fs::remove_dir(dir);
        }
    }
}

/// Reads stdout and stderr of a detached container to their end (its exit).
async fn read_to_exit(io: &mut runtime_binary::ContainerIo) -> (String, String) {
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let read = async {
        tokio::try_join!(
            io.stdout.read_to_end(&mut stdout),
            io.stderr.read_to_end(&mut stderr)
        )
    };
    tokio::time::timeout(Duration::from_secs(30), read)
        .await
        .expect("the container ends within 30 s")
        .unwrap();
    (
        String::from_utf8_lossy(&stdout).into_owned(),
        String::from_utf8_lossy(&stderr).into_owned(),
    )
}

fn process_mut(spec: &mut Spec) -> &mut oci_spec::runtime::Process {
    spec.process_mut().as_mut().unwrap()
}

fn linux_mut(spec: &mut Spec) -> &mut oci_spec::runtime::Linux {
    spec.linux_mut().as_mut().unwrap()
}

#[tokio::test]
async fn a_container_s_output_and_exit_code_come_back() {
    let Some(h) = Harness::new().await else {
        return;
    };
    for runtime in h.runtimes() {
        let who = runtime.flavor().name();
        let id = unique("c");
        let spec = h
            .spec(&runtime, &id, "echo out; echo err >&2; exit 3")
            .await;
        let ran = h.run(&runtime, &id, &spec).await;
        assert_eq!(
            (ran.stdout.as_str(), ran.stderr.as_str(), ran.code),
            ("out\n", "err\n", 3),
            "{who}"
        );

        // Detached: create, start, the output until the exit, delete.
        let id = unique("c");
        let spec = h.spec(&runtime, &id, "read line; echo got $line").await;
        runtime.write_bundle(&id, &spec).unwrap();
        let mut io = runtime.create(&id, true).await.unwrap();
        assert_eq!(runtime.state(&id).await.unwrap().status, "created", "{who}");
        assert!(runtime.list().await.unwrap().iter().any(|c| c.id == id));
        runtime.start(&id).await.unwrap();
        use tokio::io::AsyncWriteExt;
        let mut stdin = io.stdin.take().unwrap();
        stdin.write_all(b"param\n").await.unwrap();
        drop(stdin);
        let (stdout, _) = read_to_exit(&mut io).await;
        assert_eq!(stdout, "got param\n", "{who}");
        let stopped = wait_for_status(&runtime, &id, "stopped").await;
        assert_eq!(stopped, "stopped", "{who}");
        runtime.delete(&id).await.unwrap();
        assert!(runtime.list().await.unwrap().is_empty(), "{who}");
        assert!(
            !runtime.bundle_dir(&id).exists(),
            "{who}: the bundle goes too"
        );
        assert!(
            h.layout.dirs(&h.cgroup(&id)).iter().all(|d| !d.exists()),
            "{who}: the cgroups go"
        );
    }
}

/// The status of container `id` once it is `want`, or after 5 s.
async fn wait_for_status(runtime: &OciRuntime, id: &str, want: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let status = runtime.state(id).await.unwrap().status;
        if status == want || Instant::now() > deadline {
            return status;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_long_running_container_is_killed_and_deleted() {
    let Some(h) = Harness::new().await else {
        return;
    };
    for runtime in h.runtimes() {
        let who = runtime.flavor().name();
        let id = unique("c");
        let spec = h.spec(&runtime, &id, "echo up; exec sleep 600").await;
        runtime.write_bundle(&id, &spec).unwrap();
        let mut io = runtime.run_detached(&id, false).await.unwrap();
        let mut first = [0u8; 3];
        io.stdout.read_exact(&mut first).await.unwrap();
        assert_eq!(&first, b"up\n");
        assert_eq!(runtime.state(&id).await.unwrap().status, "running", "{who}");
        let killed = Instant::now();
        runtime.kill(&id, "KILL").await.unwrap();
        read_to_exit(&mut io).await;
        assert!(killed.elapsed() < Duration::from_secs(5), "{who}");
        assert_eq!(
            wait_for_status(&runtime, &id, "stopped").await,
            "stopped",
            "{who}"
        );
        runtime.delete(&id).await.unwrap();
        assert!(runtime.list().await.unwrap().is_empty(), "{who}");
    }
}

#[tokio::test]
async fn the_sweep_removes_what_a_crashed_worker_left() {
    let Some(h) = Harness::new().await else {
        return;
    };
    for (binary, flavor) in runtime_binary::installed() {
        let who = flavor.name();
        let runtime = h.runtime(binary.clone(), flavor);
        let (created, running) = (unique("c"), unique("c"));
        let spec = h.spec(&runtime, &created, "true").await;
        runtime.write_bundle(&created, &spec).unwrap();
        let _created_io = runtime.create(&created, false).await.unwrap();
        let spec = h.spec(&runtime, &running, "exec sleep 600").await;
        runtime.write_bundle(&running, &spec).unwrap();
        let _running_io = runtime.run_detached(&running, false).await.unwrap();
        let pid = runtime.state(&running).await.unwrap().pid;
        // A cgroup whose container the runtime no longer knows of.
        let orphan = h.cgroup(&unique("orphan"));
        for dir in h.layout.dirs(&orphan) {
            std::fs::create_dir_all(dir).unwrap();
        }
        // The worker crashes: nothing is deleted. A new run finds the leftovers.
        drop(runtime);
        let restarted = h.runtime(binary, flavor);
        let mut left: Vec<String> = restarted
            .list()
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.id)
            .collect();
        left.sort();
        let mut expected = vec![created.clone(), running.clone()];
        expected.sort();
        assert_eq!(left, expected, "{who}");

        let swept = restarted
            .sweep(&h.layout, &cgroups::worker_parent(&h.worker))
            .await
            .unwrap();
        assert_eq!(swept.containers, 2, "{who}");
        assert!(
            swept.cgroups >= 1,
            "{who}: the orphan's cgroups at least: {swept:?}"
        );
        assert!(restarted.list().await.unwrap().is_empty(), "{who}");
        assert_eq!(
            std::fs::read_dir(restarted.state_dir()).unwrap().count(),
            0,
            "{who}"
        );
        assert!(!restarted.bundle_dir(&created).exists(), "{who}");
        for path in [h.cgroup(&created), h.cgroup(&running), orphan] {
            assert!(
                h.layout.dirs(&path).iter().all(|d| !d.exists()),
                "{who}: {path} is gone"
            );
        }
        // Gone, or a zombie its new parent has not reaped yet.
        let state = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let running = state
            .rsplit_once(") ")
            .is_some_and(|(_, rest)| !rest.starts_with('Z'));
        assert!(
            !running,
            "{who}: the running container's process is gone: {state}"
        );
    }
}

#[tokio::test]
async fn crun_runs_on_a_hybrid_host_only_with_cgroup2_hidden() {
    let Some(h) = Harness::new().await else {
        return;
    };
    let Some((crun, _)) = runtime_binary::installed()
        .into_iter()
        .find(|(_, f)| *f == Flavor::Crun)
    else {
        eprintln!("SKIPPED: crun is not installed");
        return;
    };
    if !h.layout.crun_refuses() {
        eprintln!(
            "SKIPPED: this host is not one crun 1.8 refuses (no controller in cgroup v2 beside v1)"
        );
        return;
    }
    let hiding = h.runtime(crun.clone(), Flavor::Crun);
    assert!(hiding.hides_cgroup2());
    let id = unique("c");
    let spec = h.spec(&hiding, &id, "echo fine").await;
    assert_eq!(h.run(&hiding, &id, &spec).await.stdout, "fine\n");

    // The same crun, told the host is v2 only: no workaround, and the refusal
    // comes back in the runtime's words, with what to do.
    let pure_v2 = CgroupLayout::Unified {
        mount: "/sys/fs/cgroup".into(),
    };
    let plain = OciRuntime::new(crun, Flavor::Crun, &h.dir.path().join("plain"), &pure_v2).unwrap();
    assert!(!plain.hides_cgroup2());
    let id = unique("c");
    let spec = h.spec(&plain, &id, "echo fine").await;
    plain.write_bundle(&id, &spec).unwrap();
    let refused = plain
        .create(&id, false)
        .await
        .err()
        .expect("crun refuses the hybrid host");
    let message = refused.to_string();
    assert!(
        message.contains("cgroups in hybrid mode not supported"),
        "{message}"
    );
    assert!(message.contains("install runc"), "{message}");
    plain.delete(&id).await.unwrap();
    // Nothing of crun's reached the host's cgroup v2 hierarchy.
    assert!(h.layout.dirs(&h.cgroup(&id)).iter().all(|d| !d.exists()));
}

/// Whether the capability sets and no-new-privileges of `/proc/self/status`
/// (`status`) are a function's: all empty, set.
fn no_privileges(status: &str) -> Result<(), String> {
    for set in ["CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"] {
        let line = status
            .lines()
            .find(|l| l.starts_with(set))
            .ok_or(format!("no {set} in {status}"))?;
        if !line.ends_with("0000000000000000") {
            return Err(format!("{line}: a capability is held"));
        }
    }
    if !status.contains("NoNewPrivs:\t1") {
        return Err(format!("no-new-privileges is off: {status}"));
    }
    Ok(())
}

#[tokio::test]
async fn a_function_holds_no_capability_and_cannot_gain_privileges() {
    let Some(h) = Harness::new().await else {
        return;
    };
    for runtime in h.runtimes() {
        let who = runtime.flavor().name();
        let (sandboxed, unprotected) = h
            .with_and_without(
                &runtime,
                "grep -E '^(Cap|NoNewPrivs)' /proc/self/status",
                |spec| {
                    let process = process_mut(spec);
                    let mut caps = process.capabilities().clone().unwrap();
                    let chown = HashSet::from([Capability::Chown]);
                    caps.set_bounding(Some(chown.clone()));
                    caps.set_effective(Some(chown.clone()));
                    caps.set_permitted(Some(chown));
                    process.set_capabilities(Some(caps));
                },
            )
            .await;
        no_privileges(&sandboxed.stdout).unwrap_or_else(|e| panic!("{who}: {e}"));
        assert!(
            no_privileges(&unprotected.stdout).is_err(),
            "{who}: the check sees a capability"
        );

        let (_, escalating) = h
            .with_and_without(
                &runtime,
                "grep -E '^(Cap|NoNewPrivs)' /proc/self/status",
                |spec| {
                    process_mut(spec).set_no_new_privileges(Some(false));
                },
            )
            .await;
        assert!(
            no_privileges(&escalating.stdout).is_err(),
            "{who}: the check sees no-new-privileges off"
        );
    }
}

#[tokio::test]
async fn the_root_is_read_only_and_tmp_a_noexec_tmpfs() {
    let Some(h) = Harness::new().await else {
        return;
    };
    let script = "touch /probe 2>&1; echo x > /tmp/w && cat /tmp/w; cp /bin/busybox /tmp/bb && /tmp/bb true 2>&1; grep ' /tmp ' /proc/self/mounts";
    for runtime in h.runtimes() {
        let who = runtime.flavor().name();
        let (sandboxed, unprotected) = h
            .with_and_without(&runtime, script, |spec| {
                let mut root = spec.root().clone().unwrap();
                root.set_readonly(Some(false));
                spec.set_root(Some(root));
            })
            .await;
        let out = &sandboxed.stdout;
        assert!(
            out.contains("touch: /probe: Read-only file system"),
            "{who}: {out}"
        );
        assert!(out.contains("\nx\n"), "{who}: /tmp is writable: {out}");
        assert!(
            out.contains("/tmp/bb: Permission denied"),
            "{who}: nothing in /tmp runs: {out}"
        );
        let tmp = out
            .lines()
            .find(|l| l.starts_with("tmpfs /tmp "))
            .unwrap_or_default();
        for option in ["nosuid", "nodev", "noexec", "size=16384k"] {
            assert!(tmp.contains(option), "{who}: {option} in {tmp}");
        }
        assert!(
            !unprotected.stdout.contains("Read-only file system"),
            "{who}: the check sees a writable root"
        );
    }
}

#[tokio::test]
async fn proc_and_sys_are_masked_and_read_only() {
    let Some(h) = Harness::new().await else {
        return;
    };
    // The size of two masked files, the entries of a masked directory, and the
    // mount options of the read-only paths.
    let script = "echo timer_list=$(wc -c < /proc/timer_list) interrupts=$(wc -c < /proc/interrupts) firmware=$(ls /sys/firmware | wc -l); \
        awk '$5 ~ /^\\/proc\\/(bus|fs|irq|sys|sysrq-trigger)$/ { print $5, $6 }' /proc/self/mountinfo";
    for runtime in h.runtimes() {
        let who = runtime.flavor().name();
        let (sandboxed, unprotected) = h
            .with_and_without(&runtime, script, |spec| {
                let linux = linux_mut(spec);
                linux.set_masked_paths(None);
                linux.set_readonly_paths(None);
            })
            .await;
        let out = &sandboxed.stdout;
        assert!(
            out.starts_with("timer_list=0 interrupts=0 firmware=0\n"),
            "{who}: masked: {out}"
        );
        for path in [
            "/proc/bus",
            "/proc/fs",
            "/proc/irq",
            "/proc/sys",
            "/proc/sysrq-trigger",
        ] {
            if !std::path::Path::new(path).exists() {
                // Not in this kernel (sysrq-trigger without CONFIG_MAGIC_SYSRQ).
                continue;
            }
            let line = out
                .lines()
                .find(|l| l.starts_with(&format!("{path} ")))
                .unwrap_or_default();
            assert!(line.contains(" ro,"), "{who}: {path} read-only: {out}");
        }
        let open = &unprotected.stdout;
        assert!(
            !open.contains("timer_list=0")
                && !open.contains("interrupts=0")
                && !open.contains("firmware=0"),
            "{who}: the check sees the host's: {open}"
        );
        assert!(!open.contains("/proc/sys ro"), "{who}: {open}");
    }
}

#[tokio::test]
async fn the_network_namespace_has_only_loopback() {
    let Some(h) = Harness::new().await else {
        return;
    };
    for runtime in h.runtimes() {
        let who = runtime.flavor().name();
        let (sandboxed, unprotected) = h
            .with_and_without(&runtime, "ls /sys/class/net", |spec| {
                let linux = linux_mut(spec);
                let namespaces = linux.namespaces().clone().unwrap();
                linux.set_namespaces(Some(
                    namespaces
                        .into_iter()
                        .filter(|n| n.typ() != LinuxNamespaceType::Network)
                        .collect(),
                ));
            })
            .await;
        assert_eq!(sandboxed.stdout, "lo\n", "{who}: {sandboxed:?}");
        assert_ne!(
            unprotected.stdout, "lo\n",
            "{who}: the check sees the host's interfaces"
        );
    }
}

/// A static probe of three system calls, each printed with its error (or
/// `ok`): `vmsplice` (an unprivileged call the profile refuses with EPERM),
/// `add_key` (not in the profile: its default action, ENOSYS) and `getpid`
/// (allowed). Built with the host's gcc.
fn syscall_probe(dir: &std::path::Path) -> PathBuf {
    const SOURCE: &str = r#"
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
static void report(const char *name, long result) {
    printf("%s %s\n", name, result >= 0 ? "ok" : strerror(errno));
}
int main(void) {
    report("vmsplice", syscall(SYS_vmsplice, -1, 0, 0, 0));
    report("add_key", syscall(SYS_add_key, 0, 0, 0, 0, 0));
    report("getpid", syscall(SYS_getpid));
    return 0;
}
"#;
    let (source, probe) = (dir.join("probe.c"), dir.join("probe"));
    std::fs::write(&source, SOURCE).unwrap();
    let built = std::process::Command::new("gcc")
        .args(["-static", "-O2", "-o"])
        .arg(&probe)
        .arg(&source)
        .status()
        .expect("gcc runs (apt-get install gcc libc6-dev)");
    assert!(built.success(), "building the syscall probe failed");
    probe
}

#[tokio::test]
async fn the_default_seccomp_profile_refuses_what_it_does_not_allow() {
    let Some(h) = Harness::new().await else {
        return;
    };
    let probe = syscall_probe(h.dir.path());
    for runtime in h.runtimes() {
        let who = runtime.flavor().name();
        let id = unique("c");
        // The probe where init goes: bound read-only at /.faas/init, run first.
        let sandbox = Sandbox::init(
            &request(SH, ""),
            &h.worker,
            None,
            Network::None,
            probe.to_string_lossy().into_owned(),
            None,
        );
        let spec = h.spec_of(&runtime, &id, &sandbox, &*h.rootfs(SH).await);
        let (sandboxed, unprotected) = h
            .both(&runtime, &id, spec, |spec| {
                linux_mut(spec).set_seccomp(None);
                spec.annotations_mut()
                    .as_mut()
                    .unwrap()
                    .remove(SECCOMP_BPF_ANNOTATION);
            })
            .await;
        assert_eq!(
            sandboxed.stdout,
            "vmsplice Operation not permitted\nadd_key Function not implemented\ngetpid ok\n",
            "{who}: {sandboxed:?}"
        );
        let open = &unprotected.stdout;
        assert!(
            open.starts_with("vmsplice Bad file descriptor\n")
                && !open.contains("Function not implemented"),
            "{who}: the check sees no filter: {open}"
        );
    }
}

/// A profile that allows everything but `mkdir`, which fails with EDQUOT: an
/// errno nothing else gives here.
const NO_MKDIR: &str = r#"{
    "defaultAction": "SCMP_ACT_ALLOW",
    "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X32"]}],
    "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 122}]
}"#;

#[tokio::test]
async fn crun_runs_the_compiled_filter_and_runc_the_profile() {
    let Some(h) = Harness::new().await else {
        return;
    };
    let no_mkdir = Seccomp::from_profile(NO_MKDIR, Target::host().unwrap()).unwrap();
    let script = "mkdir /tmp/d 2>&1; touch /tmp/f && echo touched";
    for runtime in h.runtimes() {
        let who = runtime.flavor().name();
        let id = unique("c");
        let mut spec = h.spec(&runtime, &id, script).await;
        match runtime.flavor() {
            // The annotation alone says "no mkdir"; linux.seccomp (the default
            // profile) allows it: crun must run the compiled filter.
            Flavor::Crun => {
                let annotations = spec.annotations_mut().as_mut().unwrap();
                annotations.insert(SECCOMP_BPF_ANNOTATION.into(), no_mkdir.bpf_base64());
            }
            Flavor::Runc => {
                linux_mut(&mut spec).set_seccomp(Some(no_mkdir.oci().clone()));
            }
        }
        let ran = h.run(&runtime, &id, &spec).await;
        assert!(ran.stdout.contains("Disk quota exceeded"), "{who}: {ran:?}");
        assert!(ran.stdout.contains("touched"), "{who}: {ran:?}");
    }
}

/// The limits of cgroup `path` as the kernel holds them: memory, memory and
/// swap, pids, CPU quota and period.
fn limits(layout: &CgroupLayout, path: &str) -> (String, String, String, String) {
    let read = |dir: PathBuf, file: &str| {
        std::fs::read_to_string(dir.join(file))
            .unwrap_or_else(|e| format!("{file}: {e}"))
            .trim()
            .to_owned()
    };
    let rel = path.trim_start_matches('/');
    match layout {
        CgroupLayout::Unified { mount } => {
            let dir = mount.join(rel);
            (
                read(dir.clone(), "memory.max"),
                read(dir.clone(), "memory.swap.max"),
                read(dir.clone(), "pids.max"),
                read(dir, "cpu.max"),
            )
        }
        CgroupLayout::Legacy { hierarchies, .. } => {
            let of = |controller: &str| {
                hierarchies
                    .iter()
                    .find(|h| h.controllers.iter().any(|c| c == controller))
                    .map(|h| h.mount.join(rel))
                    .unwrap()
            };
            (
                read(of("memory"), "memory.limit_in_bytes"),
                read(of("memory"), "memory.memsw.limit_in_bytes"),
                read(of("pids"), "pids.max"),
                format!(
                    "{} {}",
                    read(of("cpu"), "cpu.cfs_quota_us"),
                    read(of("cpu"), "cpu.cfs_period_us")
                ),
            )
        }
    }
}

#[tokio::test]
async fn memory_swap_pids_and_cpu_are_limited_in_the_container_s_cgroup() {
    let Some(h) = Harness::new().await else {
        return;
    };
    let mib64 = (64u64 << 20).to_string();
    let expected = match &h.layout {
        CgroupLayout::Unified { .. } => (
            mib64,
            "0".to_owned(),
            "64".to_owned(),
            "100000 100000".to_owned(),
        ),
        CgroupLayout::Legacy { .. } => (
            mib64.clone(),
            mib64,
            "64".to_owned(),
            "100000 100000".to_owned(),
        ),
    };
    for runtime in h.runtimes() {
        let who = runtime.flavor().name();
        let id = unique("c");
        let spec = h.spec(&runtime, &id, "true").await;
        runtime.write_bundle(&id, &spec).unwrap();
        let _io = runtime.create(&id, false).await.unwrap();
        assert_eq!(limits(&h.layout, &h.cgroup(&id)), expected, "{who}");
        runtime.delete(&id).await.unwrap();

        let unlimited = unique("c");
        let mut spec = h.spec(&runtime, &unlimited, "true").await;
        linux_mut(&mut spec).set_resources(None);
        runtime.write_bundle(&unlimited, &spec).unwrap();
        let _io = runtime.create(&unlimited, false).await.unwrap();
        let open = limits(&h.layout, &h.cgroup(&unlimited));
        runtime.delete(&unlimited).await.unwrap();
        assert_ne!(open.0, expected.0, "{who}: the check sees no memory limit");
        assert_ne!(open.2, expected.2, "{who}: the check sees no pids limit");
        assert_ne!(open.3, expected.3, "{who}: the check sees no CPU quota");
    }
}

#[tokio::test]
async fn an_oom_kill_is_counted_before_the_container_is_deleted() {
    let Some(h) = Harness::new().await else {
        return;
    };
    for runtime in h.runtimes() {
        let who = runtime.flavor().name();
        let id = unique("c");
        let mut hungry = request(SH, "head -c 64m /dev/zero > /dev/shm/fill; echo survived");
        hungry.memory_mb = 16;
        let sandbox = Sandbox::cold(&hungry, &h.worker, None, Network::None);
        let spec = h.spec_of(&runtime, &id, &sandbox, &*h.rootfs(SH).await);
        runtime.write_bundle(&id, &spec).unwrap();
        let mut io = runtime.run_detached(&id, false).await.unwrap();
        let (stdout, _) = read_to_exit(&mut io).await;
        assert_eq!(
            wait_for_status(&runtime, &id, "stopped").await,
            "stopped",
            "{who}"
        );
        let kills = h.layout.oom_kills(&h.cgroup(&id)).unwrap();
        runtime.delete(&id).await.unwrap();
        assert!(kills >= 1, "{who}: oom_kill {kills}, printed {stdout:?}");
        assert!(!stdout.contains("survived"), "{who}");
        assert!(
            h.layout.oom_kills(&h.cgroup(&id)).is_err(),
            "{who}: gone with the container"
        );
    }
}

#[tokio::test]
async fn the_function_runs_as_the_image_s_user() {
    let Some(h) = Harness::new().await else {
        return;
    };
    let shared = h.rootfs(SH).await;
    let rootfs = Rootfs {
        image_id: shared.image_id.clone(),
        path: shared.path.clone(),
        config: shared.config.clone(),
        user: faas_worker::runtime::oci::user::ImageUser {
            uid: 4242,
            gid: 4343,
            additional_gids: vec![50],
            home: "/nonexistent".into(),
        },
        size_bytes: 0,
    };
    for runtime in h.runtimes() {
        let who = runtime.flavor().name();
        let id = unique("c");
        let sandbox = Sandbox::cold(
            &request(SH, "id; echo HOME=$HOME"),
            &h.worker,
            None,
            Network::None,
        );
        let spec = h.spec_of(&runtime, &id, &sandbox, &rootfs);
        let ran = h.run(&runtime, &id, &spec).await;
        assert_eq!(
            ran.stdout, "uid=4242 gid=4343 groups=50\nHOME=/nonexistent\n",
            "{who}: {ran:?}"
        );
    }
}

#[tokio::test]
async fn init_is_bound_read_only_at_its_path() {
    let Some(h) = Harness::new().await else {
        return;
    };
    // A copy: the script writes to it, which only a protection taken out of the
    // sandbox would let through, and then not into the build's binary.
    let init = h.dir.path().join("faas-init");
    std::fs::copy(faas_testkit::init::binary(), &init).unwrap();
    let script = "test -x /.faas/init && echo runnable; awk '$5 == \"/.faas/init\" { print $6 }' /proc/self/mountinfo; { echo > /.faas/init; } 2>&1; ls /run/secrets && echo secrets";
    for runtime in h.runtimes() {
        let who = runtime.flavor().name();
        let id = unique("c");
        let template = request(SH, "");
        let sandbox = Sandbox::init(
            &template,
            &h.worker,
            None,
            Network::None,
            init.to_string_lossy().into_owned(),
            None,
        );
        let mut spec = h.spec_of(&runtime, &id, &sandbox, &*h.rootfs(SH).await);
        assert_eq!(
            spec.process().as_ref().unwrap().args().as_deref(),
            Some(&["/.faas/init".to_owned()][..])
        );
        // Look at the mount instead of running init (its protocol is its own).
        process_mut(&mut spec).set_args(Some(vec!["/bin/sh".into(), "-c".into(), script.into()]));
        let (ran, unprotected) = h
            .both(&runtime, &id, spec, |spec| {
                let mut mounts = spec.mounts().clone().unwrap();
                for mount in &mut mounts {
                    let options = mount.options().clone().unwrap_or_default();
                    mount.set_options(Some(options.into_iter().filter(|o| o != "ro").collect()));
                }
                spec.set_mounts(Some(mounts));
            })
            .await;
        let out = &ran.stdout;
        assert!(out.starts_with("runnable\nro,"), "{who}: {ran:?}");
        assert!(out.contains("Read-only file system"), "{who}: {out}");
        assert!(
            out.ends_with("secrets\n"),
            "{who}: the secrets tmpfs is there: {out}"
        );
        assert!(
            !unprotected.stdout.contains("Read-only file system"),
            "{who}: the check sees a writable init: {unprotected:?}"
        );
        // The sandboxed run did not write it; the unprotected one did (the copy).
        assert_eq!(std::fs::metadata(&init).unwrap().len(), 1, "{who}");
        std::fs::copy(faas_testkit::init::binary(), &init).unwrap();
    }
}

#[tokio::test]
async fn a_root_file_system_is_unpacked_once_and_kept_across_restarts() {
    let Some(h) = Harness::new().await else {
        return;
    };
    require_image(ECHO);
    let cache_dir = h.dir.path().join("cache");
    let labels = HashMap::from([("io.faas.worker".to_owned(), h.worker.clone())]);
    let cache = RootfsCache::open(&cache_dir, u64::MAX, labels.clone()).unwrap();
    let callers = (0..4).map(|_| cache.ensure(&h.docker, ECHO));
    let rootfs: Vec<Arc<Rootfs>> = futures::future::try_join_all(callers).await.unwrap();
    assert!(
        rootfs.iter().all(|r| Arc::ptr_eq(r, &rootfs[0])),
        "one unpack for all"
    );
    let root = &rootfs[0].path;
    assert!(root.join("fn.sh").is_file() && root.join("bin/busybox").is_file());
    for mount_point in ["proc", "dev", "sys", "tmp", "run/secrets", ".faas"] {
        assert!(root.join(mount_point).is_dir(), "{mount_point}");
    }
    assert!(root.join(".faas/init").is_file());
    assert_eq!(rootfs[0].config.entrypoint, ["/bin/sh", "/fn.sh"]);
    assert_eq!((rootfs[0].user.uid, rootfs[0].user.gid), (0, 0));
    assert!(cache.size_bytes() > 0);
    assert!(
        faas_testkit::docker::worker_leftovers(&h.worker)
            .await
            .is_empty(),
        "the export container is removed"
    );
    let busy = RootfsCache::open(&cache_dir, u64::MAX, labels.clone());
    assert!(
        busy.err()
            .unwrap()
            .to_string()
            .contains("in use by another worker")
    );

    // A restart keeps the complete entry and removes a half-unpacked one.
    let image_id = rootfs[0].image_id.clone();
    drop((rootfs, cache));
    std::fs::create_dir_all(cache_dir.join(".tmp-sha256-0abc-1/rootfs/bin")).unwrap();
    let reopened = RootfsCache::open(&cache_dir, u64::MAX, labels).unwrap();
    assert_eq!(reopened.image_ids(), [image_id]);
    assert!(!cache_dir.join(".tmp-sha256-0abc-1").exists());
    let again = reopened.ensure(&h.docker, ECHO).await.unwrap();
    assert!(again.path.join("fn.sh").is_file());

    let missing = reopened
        .ensure(&h.docker, "faas-examples/no-such-image")
        .await;
    assert!(missing.unwrap_err().to_string().contains("must be pulled"));
}

#[tokio::test]
async fn only_unused_root_file_systems_are_evicted_least_recently_used_first() {
    let Some(h) = Harness::new().await else {
        return;
    };
    for image in [ECHO, CAT, SLEEP] {
        require_image(image);
    }
    let dir = h.dir.path().join("small-cache");
    // Room for one: every new entry pushes the unused ones out.
    let cache = RootfsCache::open(&dir, 1, HashMap::new()).unwrap();
    let echo = cache.ensure(&h.docker, ECHO).await.unwrap();
    let cat = cache.ensure(&h.docker, CAT).await.unwrap();
    assert!(
        echo.path.exists() && cat.path.exists(),
        "both in use: over the cap, kept"
    );
    let echo_path = echo.path.clone();
    drop(echo);
    let sleep = cache.ensure(&h.docker, SLEEP).await.unwrap();
    assert!(!echo_path.exists(), "the unused one is evicted");
    assert!(
        cat.path.exists() && sleep.path.exists(),
        "those in use stay"
    );
    let mut held = cache.image_ids();
    held.sort();
    let mut expected = vec![cat.image_id.clone(), sleep.image_id.clone()];
    expected.sort();
    assert_eq!(held, expected);
    // Unpacked again when wanted again.
    let echo = cache.ensure(&h.docker, ECHO).await.unwrap();
    assert!(echo.path.join("fn.sh").is_file());
}

/// p50 and p95 of `samples` (milliseconds).
fn percentiles(samples: &mut [f64]) -> (f64, f64) {
    samples.sort_by(f64::total_cmp);
    let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
    (at(0.5), at(0.95))
}

/// CPU time (user + system, ms) of this process, and of its reaped children.
fn cpu_ms() -> (f64, f64) {
    let of = |who| {
        // SAFETY: getrusage(2) fills the struct it is given.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        unsafe { libc::getrusage(who, &mut usage) };
        let ms = |t: libc::timeval| t.tv_sec as f64 * 1000.0 + t.tv_usec as f64 / 1000.0;
        ms(usage.ru_utime) + ms(usage.ru_stime)
    };
    (of(libc::RUSAGE_SELF), of(libc::RUSAGE_CHILDREN))
}

/// The figures of issue 24: 100 life cycles of the `echo` function per runtime,
/// seccomp hand-over and way of starting (`create` then `start`, or `run
/// --detach`), each to its exit and `delete`: wall time, and CPU time of the
/// runtime's processes and the container's (children) and of the test itself.
/// `cargo nextest run -p faas-worker --test oci --run-ignored only life_cycle
/// --no-capture`; `FAAS_OCI_CYCLES` sets the count.
#[tokio::test]
#[ignore = "a measurement: run it on purpose"]
async fn life_cycle_figures() {
    let Some(h) = Harness::new().await else {
        return;
    };
    // The container's init is reparented to us once the runtime's child exits:
    // reap it, so that its CPU time counts as our children's.
    // SAFETY: prctl(2) with constant arguments.
    unsafe { libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) };
    let rootfs = h.rootfs(ECHO).await;
    let runs: usize = std::env::var("FAAS_OCI_CYCLES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100);
    for (binary, flavor) in runtime_binary::installed() {
        for (bpf, detached) in [(false, false), (true, false), (true, true)] {
            if bpf && !flavor.takes_seccomp_bpf() {
                continue;
            }
            let runtime = h.runtime(binary.clone(), flavor);
            let (mut wall, mut children, mut own) = (Vec::new(), Vec::new(), Vec::new());
            for _ in 0..runs {
                let id = unique("m");
                let sandbox = Sandbox::cold(&request(ECHO, "hi"), &h.worker, None, Network::None);
                let (started, cpu) = (Instant::now(), cpu_ms());
                let spec = spec::spec(&Container {
                    id: &id,
                    sandbox: &sandbox,
                    rootfs: &rootfs,
                    cgroups_path: &h.cgroup(&id),
                    seccomp: &h.seccomp,
                    seccomp_bpf: bpf,
                })
                .unwrap();
                runtime.write_bundle(&id, &spec).unwrap();
                let mut io = if detached {
                    runtime.run_detached(&id, false).await.unwrap()
                } else {
                    let io = runtime.create(&id, false).await.unwrap();
                    runtime.start(&id).await.unwrap();
                    io
                };
                let (stdout, _) = read_to_exit(&mut io).await;
                assert_eq!(stdout, "hi");
                // The runtime's children are all waited for: what is left is the
                // container's init.
                // SAFETY: waitpid(2) for any child, with no status wanted.
                unsafe { libc::waitpid(-1, std::ptr::null_mut(), 0) };
                runtime.delete(&id).await.unwrap();
                let now = cpu_ms();
                wall.push(started.elapsed().as_secs_f64() * 1000.0);
                own.push(now.0 - cpu.0);
                children.push(now.1 - cpu.1);
            }
            let (w50, w95) = percentiles(&mut wall);
            let (c50, c95) = percentiles(&mut children);
            let (o50, o95) = percentiles(&mut own);
            let seccomp = if bpf { "BPF" } else { "JSON" };
            let steps = if detached { "run -d" } else { "create+start" };
            println!(
                "{:<4} {seccomp:<4} {steps:<12} {runs} cycles: wall p50 {w50:.1} p95 {w95:.1} ms; CPU runtime+container p50 {c50:.1} p95 {c95:.1} ms, test p50 {o50:.1} p95 {o95:.1} ms (cgroup v2 hidden: {})",
                flavor.name(),
                runtime.hides_cgroup2()
            );
        }
    }
}
