//! The OCI runtime binary, found and driven: `crun` by preference, `runc` when
//! only it is installed, or the one configured. Every step is the binary run as a
//! child process (`create`, `start`, `run`, `kill`, `delete`, `state`, `list`),
//! never a container made in-process: a runtime library forks and sets up
//! namespaces in ways that are not safe in a threaded program like the worker.
//!
//! Each worker has a directory of its own: `state/` is the runtime's `--root`
//! (its record of the containers), `bundles/<id>/` holds each container's
//! `config.json` and the runtime's log. A container's stdio are the pipes of the
//! `create` (or `run`) child, which the container keeps after that child exits:
//! [`ContainerIo`] is how the worker writes the function's stdin and reads its
//! output. The exit status of a detached container is not the runtime's to
//! report (it is not the container's parent once `create` returns): `faas-init`
//! reports it on stdout and stderr. The container's init is then reparented to
//! the nearest child subreaper (the worker, if it makes itself one, which must
//! then reap it) or the host's init.
//!
//! crun 1.8 refuses a host with cgroup v1 and v2 beside it when v2 has a
//! controller enabled ("cgroups in hybrid mode not supported"). On such a host
//! ([`CgroupLayout::crun_refuses`]) every crun child first enters a mount
//! namespace of its own, in which an empty tmpfs covers `/sys/fs/cgroup/unified`:
//! crun then sees plain v1, which it handles, and anything it writes there goes
//! with the namespace. runc needs nothing of the sort; neither does a v2 host.
//!
//! After a crash of the worker, [`OciRuntime::sweep`] deletes the containers the
//! runtime still knows of (killing what runs), then removes what is left of
//! state, bundles and the worker's cgroups. Mounts need nothing: a container's
//! are in its own mount namespace and go with its last process.
//!
//! The backend (`engine`) finds the runtime once at start ([`OciRuntime::find`]),
//! sweeps, and for each container writes a bundle, runs it detached, and deletes
//! it.

use std::ffi::CString;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use anyhow::{Context, bail};
use oci_spec::runtime::Spec;
use serde::Deserialize;
use tokio::io::AsyncReadExt;
use tokio::process::{ChildStderr, ChildStdin, ChildStdout, Command};

use super::cgroups::{CgroupLayout, HYBRID_UNIFIED};

/// Which OCI runtime a binary is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavor {
    Crun,
    Runc,
}

impl Flavor {
    pub fn name(self) -> &'static str {
        match self {
            Self::Crun => "crun",
            Self::Runc => "runc",
        }
    }

    /// Whether it takes a compiled seccomp filter (`spec::SECCOMP_BPF_ANNOTATION`)
    /// instead of compiling `linux.seccomp` on each start.
    pub fn takes_seccomp_bpf(self) -> bool {
        self == Self::Crun
    }
}

/// An OCI runtime binary, with this worker's state and bundles.
#[derive(Clone, Debug)]
pub struct OciRuntime {
    binary: PathBuf,
    flavor: Flavor,
    dir: PathBuf,
    /// Each child covers cgroup v2 first (crun on a hybrid host).
    hide_cgroup2: bool,
}

/// A container's stdin (when asked for), stdout and stderr.
pub struct ContainerIo {
    pub stdin: Option<ChildStdin>,
    pub stdout: ChildStdout,
    pub stderr: ChildStderr,
}

/// A container run in the foreground (`run`): the runtime waits for it.
pub struct Foreground {
    pub io: ContainerIo,
    child: tokio::process::Child,
}

impl Foreground {
    /// The container's exit code (128 + the signal when one killed it); the
    /// runtime has deleted it by then.
    pub async fn wait(mut self) -> anyhow::Result<i32> {
        let status = self.child.wait().await?;
        use std::os::unix::process::ExitStatusExt;
        status
            .code()
            .or_else(|| status.signal().map(|s| 128 + s))
            .context("the runtime's exit status")
    }
}

/// A container as the runtime reports it.
#[derive(Clone, Debug, Deserialize)]
pub struct ContainerState {
    pub id: String,
    /// `creating`, `created`, `running` or `stopped`.
    pub status: String,
    /// Its init process (0 once stopped).
    #[serde(default)]
    pub pid: i64,
    #[serde(default)]
    pub bundle: PathBuf,
}

/// What a sweep removed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Swept {
    pub containers: usize,
    pub cgroups: usize,
}

/// Where the runtimes are looked for when none is configured, after `PATH`
/// (Debian puts runc in `/usr/sbin`, which a service's `PATH` may lack).
const SEARCH_DIRS: &[&str] = &[
    "/usr/bin",
    "/usr/sbin",
    "/usr/local/bin",
    "/usr/local/sbin",
    "/bin",
    "/sbin",
];

/// Every runtime installed, crun first: what [`OciRuntime::find`] chooses from.
pub fn installed() -> Vec<(PathBuf, Flavor)> {
    [("crun", Flavor::Crun), ("runc", Flavor::Runc)]
        .into_iter()
        .filter_map(|(name, flavor)| Some((lookup(name)?, flavor)))
        .collect()
}

impl OciRuntime {
    /// The runtime at `configured`, or else `crun`, or else `runc`, keeping
    /// this worker's state and bundles under `dir`.
    pub fn find(
        configured: Option<&Path>,
        dir: &Path,
        cgroups: &CgroupLayout,
    ) -> anyhow::Result<Self> {
        let binary = match configured {
            Some(path) => path.to_owned(),
            None => ["crun", "runc"]
                .into_iter()
                .find_map(lookup)
                .context("no OCI runtime found (looked for crun, then runc, in PATH and /usr/bin, /usr/sbin): apt-get install crun, or set the runtime's path")?,
        };
        let flavor = flavor_of(&binary)?;
        Self::new(binary, flavor, dir, cgroups)
    }

    /// `binary`, which is `flavor`, keeping this worker's state and bundles under
    /// `dir` (created if missing).
    pub fn new(
        binary: PathBuf,
        flavor: Flavor,
        dir: &Path,
        cgroups: &CgroupLayout,
    ) -> anyhow::Result<Self> {
        for sub in ["state", "bundles"] {
            std::fs::create_dir_all(dir.join(sub))
                .with_context(|| format!("creating {}", dir.join(sub).display()))?;
        }
        Ok(Self {
            binary,
            flavor,
            dir: dir.to_owned(),
            hide_cgroup2: flavor == Flavor::Crun && cgroups.crun_refuses(),
        })
    }

    pub fn flavor(&self) -> Flavor {
        self.flavor
    }

    /// Whether each child hides cgroup v2 first (crun on a hybrid host).
    pub fn hides_cgroup2(&self) -> bool {
        self.hide_cgroup2
    }

    /// The runtime's `--root`: its records of this worker's containers.
    pub fn state_dir(&self) -> PathBuf {
        self.dir.join("state")
    }

    /// Container `id`'s bundle: its `config.json` and the runtime's log.
    pub fn bundle_dir(&self, id: &str) -> PathBuf {
        self.dir.join("bundles").join(id)
    }

    /// Writes `spec` as container `id`'s `config.json`; returns the bundle.
    pub fn write_bundle(&self, id: &str, spec: &Spec) -> anyhow::Result<PathBuf> {
        check_id(id)?;
        let bundle = self.bundle_dir(id);
        std::fs::create_dir_all(&bundle)?;
        std::fs::write(bundle.join("config.json"), serde_json::to_vec(spec)?)
            .with_context(|| format!("writing {}/config.json", bundle.display()))?;
        Ok(bundle)
    }

    /// Creates container `id` from its bundle, not started; its stdio are the
    /// returned pipes (stdin only when `stdin`, else `/dev/null`).
    pub async fn create(&self, id: &str, stdin: bool) -> anyhow::Result<ContainerIo> {
        self.spawn_container(&["create"], id, stdin).await
    }

    /// Starts created container `id`.
    pub async fn start(&self, id: &str) -> anyhow::Result<()> {
        self.simple("start", &[id]).await.map(drop)
    }

    /// Creates and starts container `id`, detached: `create` and `start` in one
    /// child.
    pub async fn run_detached(&self, id: &str, stdin: bool) -> anyhow::Result<ContainerIo> {
        self.spawn_container(&["run", "--detach"], id, stdin).await
    }

    /// Runs container `id` in the foreground: the runtime waits for it, reports
    /// its exit code and deletes it ([`Foreground::wait`]).
    pub async fn run(&self, id: &str, stdin: bool) -> anyhow::Result<Foreground> {
        check_id(id)?;
        let mut command = self.container_command(&["run"], id, stdin);
        let mut child = command
            .spawn()
            .with_context(|| format!("running {}", self.binary.display()))?;
        Ok(Foreground {
            io: take_io(&mut child)?,
            child,
        })
    }

    /// Sends `signal` (`KILL`, `TERM`, …) to every process of container `id`.
    pub async fn kill(&self, id: &str, signal: &str) -> anyhow::Result<()> {
        check_id(id)?;
        self.simple("kill", &["--all", id, signal]).await.map(drop)
    }

    /// Deletes container `id`, killing it first if it runs, and its bundle. A
    /// container the runtime does not know is no error.
    pub async fn delete(&self, id: &str) -> anyhow::Result<()> {
        check_id(id)?;
        self.simple("delete", &["--force", id]).await?;
        match std::fs::remove_dir_all(self.bundle_dir(id)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
            _ => Ok(()),
        }
    }

    /// Container `id` as the runtime sees it.
    pub async fn state(&self, id: &str) -> anyhow::Result<ContainerState> {
        check_id(id)?;
        let out = self.simple("state", &[id]).await?;
        serde_json::from_slice(&out).context("the runtime's state")
    }

    /// Every container of this worker's state directory. A container deleted
    /// while the runtime reads the directory fails its `list` (crun: its state
    /// is gone half-way): tried again, up to three times.
    pub async fn list(&self) -> anyhow::Result<Vec<ContainerState>> {
        let mut tries = 0;
        let out = loop {
            tries += 1;
            match self.simple("list", &["--format", "json"]).await {
                Err(e) if tries < 3 => {
                    tracing::debug!(error = %e, "listing containers, again");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                }
                listed => break listed?,
            }
        };
        // runc prints `null` for none.
        let states: Option<Vec<ContainerState>> =
            serde_json::from_slice(&out).context("the runtime's list")?;
        Ok(states.unwrap_or_default())
    }

    /// Removes what a crashed run of this worker left: the containers the
    /// runtime knows (killed and deleted), then any state, bundle and cgroup
    /// under `cgroup_parent` that remains. Only at start, before any container.
    pub async fn sweep(
        &self,
        cgroups: &CgroupLayout,
        cgroup_parent: &str,
    ) -> anyhow::Result<Swept> {
        let leftovers = self.list().await?;
        for container in &leftovers {
            if let Err(e) = self.delete(&container.id).await {
                tracing::warn!(container = %container.id, error = %e, "deleting a leftover container failed");
            }
        }
        for sub in ["state", "bundles"] {
            for entry in std::fs::read_dir(self.dir.join(sub))? {
                let path = entry?.path();
                std::fs::remove_dir_all(&path)
                    .or_else(|_| std::fs::remove_file(&path))
                    .with_context(|| format!("removing {}", path.display()))?;
            }
        }
        let (cgroups, parent) = (cgroups.clone(), cgroup_parent.to_owned());
        let removed =
            tokio::task::spawn_blocking(move || cgroups.remove_children(&parent)).await??;
        Ok(Swept {
            containers: leftovers.len(),
            cgroups: removed,
        })
    }

    /// `create` or `run --detach` of container `id`, whose stdio are the child's.
    async fn spawn_container(
        &self,
        step: &[&str],
        id: &str,
        stdin: bool,
    ) -> anyhow::Result<ContainerIo> {
        check_id(id)?;
        let mut command = self.container_command(step, id, stdin);
        let mut child = command
            .spawn()
            .with_context(|| format!("running {}", self.binary.display()))?;
        let mut io = take_io(&mut child)?;
        let status = child.wait().await?;
        if !status.success() {
            // The container never started: its stderr is the runtime's.
            let mut stderr = Vec::new();
            let _ = tokio::time::timeout(
                std::time::Duration::from_secs(1),
                io.stderr.read_to_end(&mut stderr),
            )
            .await;
            return Err(self.failed(&step.join(" "), id, status, &stderr));
        }
        Ok(io)
    }

    /// The runtime's command for `step` (`create`, `run`, `run --detach`) of
    /// container `id`, with its bundle, its log and piped stdio.
    fn container_command(&self, step: &[&str], id: &str, stdin: bool) -> Command {
        let bundle = self.bundle_dir(id);
        let mut command = self.command();
        command
            .arg("--log")
            .arg(bundle.join("runtime.log"))
            .args(["--log-format", "json"])
            .args(step)
            .arg("--bundle")
            .arg(&bundle)
            .arg(id);
        pipe(&mut command, stdin);
        command
    }

    /// Runs `step args…` to completion; returns its stdout.
    async fn simple(&self, step: &str, args: &[&str]) -> anyhow::Result<Vec<u8>> {
        let output = self
            .command()
            .arg(step)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .output()
            .await
            .with_context(|| format!("running {}", self.binary.display()))?;
        if !output.status.success() {
            let id = args.last().copied().unwrap_or_default();
            return Err(self.failed(step, id, output.status, &output.stderr));
        }
        Ok(output.stdout)
    }

    /// The binary with this worker's `--root`, in a mount namespace without
    /// cgroup v2 when crun needs it.
    fn command(&self) -> Command {
        let mut command = Command::new(&self.binary);
        command.arg("--root").arg(self.state_dir());
        if self.hide_cgroup2 {
            hide_cgroup2(&mut command);
        }
        command
    }

    /// The error of a failed `step`: the runtime's own words (its last error),
    /// and what to do when it is the known hybrid-cgroup refusal.
    fn failed(
        &self,
        step: &str,
        id: &str,
        status: std::process::ExitStatus,
        stderr: &[u8],
    ) -> anyhow::Error {
        let log =
            std::fs::read_to_string(self.bundle_dir(id).join("runtime.log")).unwrap_or_default();
        let said = last_error(&log)
            .or_else(|| {
                let text = String::from_utf8_lossy(stderr);
                let text = text.trim();
                (!text.is_empty()).then(|| text.to_owned())
            })
            .unwrap_or_else(|| "no message".to_owned());
        let mut message = format!(
            "{} {step} {id} failed ({status}): {said}",
            self.flavor.name()
        );
        if said.contains("hybrid mode not supported") {
            message.push_str(
                " (the worker hides cgroup v2 from crun on hybrid hosts; install runc or boot with cgroup v2 only)",
            );
        }
        anyhow::anyhow!(message)
    }
}

/// Pipes for a container's stdio.
fn pipe(command: &mut Command, stdin: bool) {
    command
        .stdin(if stdin { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
}

fn take_io(child: &mut tokio::process::Child) -> anyhow::Result<ContainerIo> {
    Ok(ContainerIo {
        stdin: child.stdin.take(),
        stdout: child.stdout.take().context("the container's stdout")?,
        stderr: child.stderr.take().context("the container's stderr")?,
    })
}

/// Makes the child enter a mount namespace of its own, private, with an empty
/// tmpfs over [`HYBRID_UNIFIED`], before it execs crun. Only async-signal-safe
/// calls run in the child (unshare, mount); the strings are made before the fork.
fn hide_cgroup2(command: &mut Command) {
    let root = CString::from(c"/");
    let target = CString::new(HYBRID_UNIFIED).expect("no NUL in a constant");
    let source = CString::from(c"faas-no-cgroup2");
    let fstype = CString::from(c"tmpfs");
    let data = CString::from(c"size=64k,mode=755");
    // SAFETY: the closure runs in the forked child before exec and calls only
    // unshare(2) and mount(2) on strings allocated before the fork.
    unsafe {
        command.pre_exec(move || {
            if libc::unshare(libc::CLONE_NEWNS) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            // Nothing of what follows may reach the host's mounts.
            if libc::mount(
                std::ptr::null(),
                root.as_ptr(),
                std::ptr::null(),
                libc::MS_REC | libc::MS_PRIVATE,
                std::ptr::null(),
            ) != 0
            {
                return Err(std::io::Error::last_os_error());
            }
            if libc::mount(
                source.as_ptr(),
                target.as_ptr(),
                fstype.as_ptr(),
                libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC,
                data.as_ptr().cast(),
            ) != 0
            {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

/// The `msg` of the last error line of a JSON log (crun's and runc's format).
fn last_error(log: &str) -> Option<String> {
    #[derive(Deserialize)]
    struct Line {
        level: String,
        msg: String,
    }
    log.lines()
        .rev()
        .filter_map(|line| serde_json::from_str::<Line>(line).ok())
        .find(|line| line.level == "error")
        .map(|line| line.msg)
}

/// The first of `PATH` and [`SEARCH_DIRS`] that has an executable `name`.
fn lookup(name: &str) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(SEARCH_DIRS.iter().map(PathBuf::from))
        .map(|dir| dir.join(name))
        .find(|candidate| {
            std::fs::metadata(candidate)
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
}

/// Which runtime `binary` is, from its `--version`.
fn flavor_of(binary: &Path) -> anyhow::Result<Flavor> {
    let output = std::process::Command::new(binary)
        .arg("--version")
        .output()
        .with_context(|| {
            format!(
                "running {} --version (is it an OCI runtime?)",
                binary.display()
            )
        })?;
    let version = String::from_utf8_lossy(&output.stdout);
    match version.split_whitespace().next() {
        Some("crun") => Ok(Flavor::Crun),
        Some("runc") => Ok(Flavor::Runc),
        _ => bail!(
            "{} is neither crun nor runc (its --version says {:?}): only those two are supported",
            binary.display(),
            version.lines().next().unwrap_or_default()
        ),
    }
}

/// Container ids are arguments of the runtime and names of directories: letters,
/// digits, `-`, `_` and `.` only, not starting with `-` or `.`.
fn check_id(id: &str) -> anyhow::Result<()> {
    let fine = !id.is_empty()
        && id.len() <= 128
        && !id.starts_with(['-', '.'])
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if !fine {
        bail!("{id:?} is not a container id (letters, digits, -, _ and . only)");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_that_could_be_options_or_paths_are_refused() {
        for bad in ["", "-h", "../x", "a/b", ".hidden", "a b"] {
            assert!(check_id(bad).is_err(), "{bad:?}");
        }
        check_id("faas-0190a1b2c3d4_e.1").unwrap();
    }

    #[test]
    fn the_runtime_s_last_error_is_what_the_caller_reads() {
        let log = "{\"msg\":\"warming up\",\"level\":\"warning\",\"time\":\"t\"}\n\
            {\"level\":\"error\",\"msg\":\"first\",\"time\":\"t\"}\n\
            {\"msg\":\"cgroups in hybrid mode not supported\",\"level\":\"error\",\"time\":\"t\"}\n";
        assert_eq!(
            last_error(log).as_deref(),
            Some("cgroups in hybrid mode not supported")
        );
        assert_eq!(last_error("not json"), None);
    }
}
