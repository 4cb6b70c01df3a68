//! The seccomp filter of every OCI sandbox: the default profile Debian ships with
//! containers-common ([`DEFAULT_PROFILE`], the one Podman uses, close to
//! Docker's), resolved for this host's architecture and an **empty** capability
//! set (a function has none), then compiled **once** to BPF with libseccomp.
//!
//! Why compile it ourselves: Debian's crun is built without libgcrypt and so keeps
//! no cache of compiled filters; given the profile as JSON it compiles it on every
//! container start: ~14 ms of CPU more per life cycle here, nearly doubling it.
//! crun takes the compiled program in the `run.oci.seccomp_bpf_data` annotation
//! (base64, [`Seccomp::bpf_base64`]); runc has no such thing and gets the resolved
//! profile as `linux.seccomp` ([`Seccomp::oci`]), which `config.json` always
//! carries too, so a runtime that ignores the annotation still filters.
//!
//! The profile format's extensions over the OCI one (`archMap`, and
//! `includes`/`excludes` by architecture, capability and kernel version) are
//! resolved as containers-common does: a rule applies when every capability it
//! includes is held (none is), none it excludes is, the architecture is among
//! those it includes (if any) and not among those it excludes, and the kernel is
//! at least its `minKernel`.
//!
//! The backend (`engine`) loads it once at start ([`Seccomp::load`], the path
//! is `FAAS_WORKER_SECCOMP_PROFILE`) and hands it to `spec::spec` for every
//! container.

use std::io::{Read, Seek};
use std::os::fd::{FromRawFd, OwnedFd};
use std::path::Path;

use anyhow::{Context, bail};
use base64::Engine as _;
use libseccomp::{ScmpAction, ScmpArch, ScmpArgCompare, ScmpCompareOp, ScmpFilterContext};
use libseccomp::{ScmpSyscall, error::SeccompError};
use oci_spec::runtime::{
    Arch, LinuxSeccomp, LinuxSeccompAction, LinuxSeccompArg, LinuxSeccompBuilder,
    LinuxSeccompOperator, LinuxSyscallBuilder,
};
use serde::Deserialize;

/// Debian's default seccomp profile (package `golang-github-containers-common`).
pub const DEFAULT_PROFILE: &str = "/usr/share/containers/seccomp.json";

/// A seccomp filter, resolved and compiled.
#[derive(Clone, Debug)]
pub struct Seccomp {
    oci: LinuxSeccomp,
    bpf: Vec<u8>,
}

/// What a profile is resolved for: an architecture and a kernel version (a
/// function holds no capability, so the capability set is always empty).
#[derive(Clone, Copy, Debug)]
pub struct Target {
    /// The architecture in the profile's (Go's) words: `amd64`, `arm64`.
    pub arch: &'static str,
    /// The same as seccomp names it, whose `archMap` entry gives the
    /// architectures the filter covers (the native one and its compatible ones).
    pub scmp_arch: Arch,
    /// The running kernel, `(major, minor)`, for `minKernel`.
    pub kernel: (u32, u32),
}

impl Target {
    /// This host: its architecture and running kernel.
    pub fn host() -> anyhow::Result<Self> {
        let (arch, scmp_arch) = match std::env::consts::ARCH {
            "x86_64" => ("amd64", Arch::ScmpArchX86_64),
            "aarch64" => ("arm64", Arch::ScmpArchAarch64),
            other => bail!(
                "the OCI backend has no seccomp architecture mapping for {other}: run the Docker backend"
            ),
        };
        let release = std::fs::read_to_string("/proc/sys/kernel/osrelease")
            .context("reading the kernel version (/proc/sys/kernel/osrelease)")?;
        let kernel = kernel_version(&release)
            .with_context(|| format!("the kernel version {release:?} is not major.minor"))?;
        Ok(Self {
            arch,
            scmp_arch,
            kernel,
        })
    }
}

impl Seccomp {
    /// The profile at `path` (usually [`DEFAULT_PROFILE`]), resolved for this
    /// host and compiled.
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let json = std::fs::read_to_string(path).with_context(|| {
            format!(
                "reading the seccomp profile {} (apt-get install golang-github-containers-common, or set its path)",
                path.display()
            )
        })?;
        Self::from_profile(&json, Target::host()?)
            .with_context(|| format!("the seccomp profile {}", path.display()))
    }

    /// The profile `json`, resolved for `target` and compiled.
    pub fn from_profile(json: &str, target: Target) -> anyhow::Result<Self> {
        let profile: Profile = serde_json::from_str(json).context("parsing the profile")?;
        let oci = resolve(&profile, target)?;
        let bpf = compile(&oci)?;
        Ok(Self { oci, bpf })
    }

    /// The resolved profile, for `linux.seccomp` (runc compiles it itself).
    pub fn oci(&self) -> &LinuxSeccomp {
        &self.oci
    }

    /// The compiled filter: the program for `seccomp(SECCOMP_SET_MODE_FILTER)`.
    pub fn bpf(&self) -> &[u8] {
        &self.bpf
    }

    /// The compiled filter as crun's `run.oci.seccomp_bpf_data` wants it.
    pub fn bpf_base64(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(&self.bpf)
    }
}

/// A seccomp profile as containers-common and Docker write them: the OCI fields,
/// plus `archMap` and per-rule `includes`/`excludes`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Profile {
    default_action: LinuxSeccompAction,
    default_errno_ret: Option<u32>,
    #[serde(default)]
    architectures: Vec<Arch>,
    #[serde(default)]
    arch_map: Vec<ArchMap>,
    #[serde(default)]
    syscalls: Vec<Rule>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ArchMap {
    architecture: Arch,
    #[serde(default)]
    sub_architectures: Vec<Arch>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    #[serde(default)]
    names: Vec<String>,
    /// The older one-name form.
    name: Option<String>,
    action: LinuxSeccompAction,
    errno_ret: Option<u32>,
    #[serde(default)]
    args: Option<Vec<LinuxSeccompArg>>,
    #[serde(default)]
    includes: Condition,
    #[serde(default)]
    excludes: Condition,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Condition {
    #[serde(default)]
    arches: Vec<String>,
    #[serde(default)]
    caps: Vec<String>,
    min_kernel: Option<String>,
}

/// `profile` as plain OCI seccomp for `target` and no capabilities: the rules
/// that apply, the architectures of the target's `archMap` entry.
fn resolve(profile: &Profile, target: Target) -> anyhow::Result<LinuxSeccomp> {
    let mut architectures = profile.architectures.clone();
    for map in profile
        .arch_map
        .iter()
        .filter(|m| m.architecture == target.scmp_arch)
    {
        architectures.push(map.architecture);
        architectures.extend(&map.sub_architectures);
    }
    if architectures.is_empty() {
        architectures.push(target.scmp_arch);
    }
    let mut syscalls = Vec::new();
    for rule in &profile.syscalls {
        if !applies(rule, target)? {
            continue;
        }
        let mut names = rule.names.clone();
        names.extend(rule.name.clone());
        let mut syscall = LinuxSyscallBuilder::default()
            .names(names)
            .action(rule.action);
        if let Some(errno) = rule.errno_ret {
            syscall = syscall.errno_ret(errno);
        }
        if let Some(args) = rule.args.clone().filter(|a| !a.is_empty()) {
            syscall = syscall.args(args);
        }
        syscalls.push(syscall.build()?);
    }
    let mut seccomp = LinuxSeccompBuilder::default()
        .default_action(profile.default_action)
        .architectures(architectures)
        .syscalls(syscalls);
    if let Some(errno) = profile.default_errno_ret {
        seccomp = seccomp.default_errno_ret(errno);
    }
    Ok(seccomp.build()?)
}

/// Whether `rule` applies on `target` to a process without capabilities.
fn applies(rule: &Rule, target: Target) -> anyhow::Result<bool> {
    let (includes, excludes) = (&rule.includes, &rule.excludes);
    if !includes.caps.is_empty() {
        // It needs capabilities a function never has.
        return Ok(false);
    }
    if !includes.arches.is_empty() && !includes.arches.iter().any(|a| a == target.arch) {
        return Ok(false);
    }
    if excludes.arches.iter().any(|a| a == target.arch) {
        return Ok(false);
    }
    // `excludes.caps`: no capability is held, so none excludes the rule.
    if let Some(min) = &includes.min_kernel {
        let min =
            kernel_version(min).with_context(|| format!("minKernel {min:?} is not major.minor"))?;
        if target.kernel < min {
            return Ok(false);
        }
    }
    Ok(true)
}

/// `major.minor` of a kernel release such as `6.1.0-18-amd64`.
fn kernel_version(release: &str) -> Option<(u32, u32)> {
    let mut parts = release.trim().split(['.', '-']);
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some((major, minor))
}

/// The BPF program of `seccomp`, as libseccomp compiles it (what runc would load).
/// Syscalls this libseccomp does not know are left out, as runc and crun do.
fn compile(seccomp: &LinuxSeccomp) -> anyhow::Result<Vec<u8>> {
    let default = action(seccomp.default_action(), seccomp.default_errno_ret())?;
    let mut filter = ScmpFilterContext::new(default)?;
    for arch in seccomp.architectures().iter().flatten() {
        let arch: ScmpArch = arch.to_string().parse()?;
        if arch != ScmpArch::native() {
            filter.add_arch(arch)?;
        }
    }
    for rule in seccomp.syscalls().iter().flatten() {
        let action = action(rule.action(), rule.errno_ret())?;
        if action == default {
            // libseccomp refuses a rule that does what the default does.
            continue;
        }
        let compares = rule
            .args()
            .iter()
            .flatten()
            .map(compare)
            .collect::<anyhow::Result<Vec<_>>>()?;
        let mut indexes: Vec<usize> = rule.args().iter().flatten().map(|a| a.index()).collect();
        indexes.sort_unstable();
        let repeated = indexes.windows(2).any(|w| w[0] == w[1]);
        for name in rule.names() {
            let Ok(syscall) = ScmpSyscall::from_name(name) else {
                continue;
            };
            add(&mut filter, action, syscall, &compares, repeated)
                .with_context(|| format!("adding the rule for {name}"))?;
        }
    }
    export(&filter)
}

/// Adds one rule. Conditions on one argument more than once are alternatives
/// (`repeated`, runc's reading), so each becomes a rule of its own.
fn add(
    filter: &mut ScmpFilterContext,
    action: ScmpAction,
    syscall: ScmpSyscall,
    compares: &[ScmpArgCompare],
    repeated: bool,
) -> Result<(), SeccompError> {
    if repeated {
        for compare in compares {
            filter.add_rule_conditional(action, syscall, std::slice::from_ref(compare))?;
        }
    } else {
        filter.add_rule_conditional(action, syscall, compares)?;
    }
    Ok(())
}

fn action(action: LinuxSeccompAction, errno: Option<u32>) -> anyhow::Result<ScmpAction> {
    let errno = i32::try_from(errno.unwrap_or(libc::EPERM as u32))?;
    Ok(match action {
        LinuxSeccompAction::ScmpActAllow => ScmpAction::Allow,
        LinuxSeccompAction::ScmpActErrno => ScmpAction::Errno(errno),
        LinuxSeccompAction::ScmpActKill | LinuxSeccompAction::ScmpActKillThread => {
            ScmpAction::KillThread
        }
        LinuxSeccompAction::ScmpActKillProcess => ScmpAction::KillProcess,
        LinuxSeccompAction::ScmpActTrap => ScmpAction::Trap,
        LinuxSeccompAction::ScmpActLog => ScmpAction::Log,
        LinuxSeccompAction::ScmpActTrace => ScmpAction::Trace(u16::try_from(errno)?),
        LinuxSeccompAction::ScmpActNotify => {
            bail!("SCMP_ACT_NOTIFY needs a seccomp agent, which the worker does not run")
        }
    })
}

fn compare(arg: &LinuxSeccompArg) -> anyhow::Result<ScmpArgCompare> {
    let (value, two) = (arg.value(), arg.value_two().unwrap_or(0));
    let (op, datum) = match arg.op() {
        LinuxSeccompOperator::ScmpCmpNe => (ScmpCompareOp::NotEqual, value),
        LinuxSeccompOperator::ScmpCmpLt => (ScmpCompareOp::Less, value),
        LinuxSeccompOperator::ScmpCmpLe => (ScmpCompareOp::LessOrEqual, value),
        LinuxSeccompOperator::ScmpCmpEq => (ScmpCompareOp::Equal, value),
        LinuxSeccompOperator::ScmpCmpGe => (ScmpCompareOp::GreaterEqual, value),
        LinuxSeccompOperator::ScmpCmpGt => (ScmpCompareOp::Greater, value),
        LinuxSeccompOperator::ScmpCmpMaskedEq => (ScmpCompareOp::MaskedEqual(value), two),
    };
    Ok(ScmpArgCompare::new(u32::try_from(arg.index())?, op, datum))
}

/// The filter's BPF program, through a memfd (libseccomp 2.5 exports to a file
/// descriptor only).
fn export(filter: &ScmpFilterContext) -> anyhow::Result<Vec<u8>> {
    // SAFETY: memfd_create with a NUL-terminated name; the fd is owned below.
    let fd = unsafe { libc::memfd_create(c"faas-seccomp".as_ptr(), libc::MFD_CLOEXEC) };
    if fd < 0 {
        return Err(std::io::Error::last_os_error()).context("memfd_create");
    }
    // SAFETY: `fd` was just opened and nothing else owns it.
    let mut file = std::fs::File::from(unsafe { OwnedFd::from_raw_fd(fd) });
    filter.export_bpf(&file)?;
    file.rewind()?;
    let mut bpf = Vec::new();
    file.read_to_end(&mut bpf)?;
    if bpf.is_empty() || bpf.len() % 8 != 0 {
        bail!("libseccomp exported {} bytes, not a BPF program", bpf.len());
    }
    Ok(bpf)
}

/// The names of the rules with `action` in `seccomp`.
#[cfg(test)]
fn names_with(seccomp: &LinuxSeccomp, action: LinuxSeccompAction) -> Vec<&str> {
    seccomp
        .syscalls()
        .iter()
        .flatten()
        .filter(|s| s.action() == action)
        .flat_map(|s| s.names().iter().map(String::as_str))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const X86_64: Target = Target {
        arch: "amd64",
        scmp_arch: Arch::ScmpArchX86_64,
        kernel: (6, 1),
    };

    fn debian() -> Seccomp {
        Seccomp::load(Path::new(DEFAULT_PROFILE))
            .expect("apt-get install golang-github-containers-common")
    }

    #[test]
    fn the_default_profile_resolves_for_x86_64_without_capabilities() {
        let json = std::fs::read_to_string(DEFAULT_PROFILE).unwrap();
        let seccomp = Seccomp::from_profile(&json, X86_64).unwrap();
        let oci = seccomp.oci();
        assert_eq!(oci.default_action(), LinuxSeccompAction::ScmpActErrno);
        assert_eq!(oci.default_errno_ret(), Some(libc::ENOSYS as u32));
        assert_eq!(
            oci.architectures().as_deref(),
            Some(&[Arch::ScmpArchX86_64, Arch::ScmpArchX86, Arch::ScmpArchX32][..])
        );
        let allowed = names_with(oci, LinuxSeccompAction::ScmpActAllow);
        assert!(allowed.contains(&"read") && allowed.contains(&"mkdirat"));
        // Architecture rules: amd64's in, other architectures' out.
        assert!(allowed.contains(&"arch_prctl"));
        assert!(!allowed.contains(&"s390_pci_mmio_read"));
        assert!(!allowed.contains(&"arm_fadvise64_64"));
        // Capability rules: what needs one is out, what is denied without it is in.
        for needs_a_capability in ["bpf", "chroot", "open_by_handle_at", "init_module"] {
            assert!(
                !allowed.contains(&needs_a_capability),
                "{needs_a_capability}"
            );
        }
        let denied = names_with(oci, LinuxSeccompAction::ScmpActErrno);
        assert!(denied.contains(&"chroot") && denied.contains(&"bpf"));
        // The audit socket is refused without CAP_AUDIT_WRITE.
        assert!(denied.contains(&"socket"));
        assert!(!seccomp.bpf().is_empty());
    }

    #[test]
    fn the_filter_is_compiled_once_the_same_way() {
        let (a, b) = (debian(), debian());
        assert_eq!(a.bpf(), b.bpf(), "compiling is deterministic");
        assert_eq!(
            base64::engine::general_purpose::STANDARD
                .decode(a.bpf_base64())
                .unwrap(),
            a.bpf()
        );
    }

    #[test]
    fn rules_for_capabilities_arches_and_newer_kernels_are_left_out() {
        let json = r#"{
            "defaultAction": "SCMP_ACT_ERRNO",
            "syscalls": [
                {"names": ["read"], "action": "SCMP_ACT_ALLOW"},
                {"names": ["chroot"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_CHROOT"]}},
                {"names": ["ptrace"], "action": "SCMP_ACT_ALLOW", "excludes": {"caps": ["CAP_SYS_PTRACE"]}},
                {"names": ["futex_waitv"], "action": "SCMP_ACT_ALLOW", "includes": {"minKernel": "5.16"}},
                {"names": ["write"], "action": "SCMP_ACT_ALLOW", "includes": {"arches": ["arm64"]}},
                {"names": ["close"], "action": "SCMP_ACT_ALLOW", "excludes": {"arches": ["amd64"]}},
                {"name": "openat", "action": "SCMP_ACT_ALLOW"}
            ]
        }"#;
        let profile: Profile = serde_json::from_str(json).unwrap();
        let old_kernel = Target {
            kernel: (5, 10),
            ..X86_64
        };
        let resolved = resolve(&profile, old_kernel).unwrap();
        assert_eq!(
            names_with(&resolved, LinuxSeccompAction::ScmpActAllow),
            ["read", "ptrace", "openat"]
        );
        assert_eq!(
            resolved.architectures().as_deref(),
            Some(&[Arch::ScmpArchX86_64][..]),
            "without an archMap, the native architecture"
        );
        let new_kernel = resolve(&profile, X86_64).unwrap();
        assert!(names_with(&new_kernel, LinuxSeccompAction::ScmpActAllow).contains(&"futex_waitv"));
        assert_eq!(kernel_version("6.18.44-fc-v1045"), Some((6, 18)));
        assert_eq!(kernel_version("5.16"), Some((5, 16)));
    }
}
