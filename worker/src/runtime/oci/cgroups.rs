//! The host's cgroups as the OCI backend sees them: which layout the host has (v2
//! only, or v1 with v2 mounted beside it: "hybrid"), where this worker's
//! containers go (one parent cgroup per worker, one child per container), the
//! kernel's OOM-kill count of a container's cgroup (read before the container is
//! deleted, since deleting removes the cgroup), and the sweep of the children a
//! crashed worker left.
//!
//! The runtime binary creates and removes the cgroups itself (`cgroupsPath` in
//! `config.json`); this module only reads them, and removes what is left after
//! the runtime's own `delete` could not run. The backend (`engine`) detects
//! the layout once at start ([`CgroupLayout::detect`]), hand it to
//! `OciRuntime::find` (crun needs a workaround on hybrid hosts), name each
//! container's cgroup with [`container_path`], read [`CgroupLayout::oom_kills`]
//! when a container has exited, and sweep through `OciRuntime::sweep`.

use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Where crun 1.8 looks for cgroup v2 beside v1 (a fixed path in its source).
pub const HYBRID_UNIFIED: &str = "/sys/fs/cgroup/unified";

/// The cgroup hierarchies mounted on this host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CgroupLayout {
    /// cgroup v2 only ("unified"), mounted at `mount`.
    Unified { mount: PathBuf },
    /// cgroup v1: one mount per hierarchy, and cgroup v2 mounted beside them
    /// (`unified`, the "hybrid" layout) on most systemd hosts.
    Legacy {
        hierarchies: Vec<Hierarchy>,
        unified: Option<PathBuf>,
    },
}

/// One cgroup v1 hierarchy: its controllers (`memory`, `cpu,cpuacct`, or a named
/// one such as `name=systemd`) and where it is mounted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hierarchy {
    pub controllers: Vec<String>,
    pub mount: PathBuf,
}

/// The cgroup path (relative to each hierarchy's root) of container `id` of
/// worker `worker_id`: one parent per worker, so that a worker's sweep never
/// touches another's containers.
pub fn container_path(worker_id: &str, id: &str) -> String {
    format!("{}/{id}", worker_parent(worker_id))
}

/// The parent cgroup of worker `worker_id`'s containers.
pub fn worker_parent(worker_id: &str) -> String {
    format!("/faas-oci/{worker_id}")
}

impl CgroupLayout {
    /// The layout of this host, from the mounts this process sees.
    pub fn detect() -> io::Result<Self> {
        let mountinfo = std::fs::read_to_string("/proc/self/mountinfo")?;
        Self::parse(&mountinfo).ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::NotFound,
                "no cgroup file system is mounted: mount cgroup2 on /sys/fs/cgroup (or the v1 hierarchies)",
            )
        })
    }

    /// The layout that `/proc/self/mountinfo` text describes, if any cgroup is
    /// mounted.
    pub fn parse(mountinfo: &str) -> Option<Self> {
        let mut hierarchies = Vec::new();
        let mut unified = None;
        for line in mountinfo.lines() {
            let Some((mount, rest)) = line.split_once(" - ") else {
                continue;
            };
            let Some(mount_point) = mount.split(' ').nth(4) else {
                continue;
            };
            let mut fields = rest.split(' ');
            let (Some(fs_type), _source, Some(options)) =
                (fields.next(), fields.next(), fields.next())
            else {
                continue;
            };
            match fs_type {
                "cgroup2" => unified = Some(PathBuf::from(mount_point)),
                "cgroup" => hierarchies.push(Hierarchy {
                    controllers: options
                        .split(',')
                        .filter(|o| !matches!(*o, "rw" | "ro") && !o.contains("relatime"))
                        .filter(|o| !o.starts_with("release_agent"))
                        .filter(|o| !matches!(*o, "clone_children" | "xattr" | "noprefix"))
                        .map(str::to_owned)
                        .collect(),
                    mount: PathBuf::from(mount_point),
                }),
                _ => {}
            }
        }
        match (hierarchies.is_empty(), unified) {
            (true, Some(mount)) => Some(Self::Unified { mount }),
            (true, None) => None,
            (false, unified) => Some(Self::Legacy {
                hierarchies,
                unified,
            }),
        }
    }

    /// Whether crun 1.8 refuses this host ("cgroups in hybrid mode not
    /// supported, drop all controllers from cgroupv2"): v1 with v2 mounted at
    /// [`HYBRID_UNIFIED`] and a controller (e.g. `hugetlb`) enabled there.
    pub fn crun_refuses(&self) -> bool {
        match self {
            Self::Legacy {
                unified: Some(unified),
                ..
            } if unified == Path::new(HYBRID_UNIFIED) => {
                std::fs::read_to_string(unified.join("cgroup.controllers"))
                    .is_ok_and(|controllers| !controllers.trim().is_empty())
            }
            _ => false,
        }
    }

    /// Every directory of cgroup `path`: one per hierarchy (v2 beside v1
    /// included, where runc makes one too), or the one of v2.
    pub fn dirs(&self, path: &str) -> Vec<PathBuf> {
        let relative = path.trim_start_matches('/');
        match self {
            Self::Unified { mount } => vec![mount.join(relative)],
            Self::Legacy {
                hierarchies,
                unified,
            } => hierarchies
                .iter()
                .map(|h| &h.mount)
                .chain(unified)
                .map(|mount| mount.join(relative))
                .collect(),
        }
    }

    /// The memory controller's directory of cgroup `path`.
    fn memory_dir(&self, path: &str) -> Option<PathBuf> {
        let relative = path.trim_start_matches('/');
        match self {
            Self::Unified { mount } => Some(mount.join(relative)),
            Self::Legacy { hierarchies, .. } => hierarchies
                .iter()
                .find(|h| h.controllers.iter().any(|c| c == "memory"))
                .map(|h| h.mount.join(relative)),
        }
    }

    /// How many processes of cgroup `path` the kernel has killed for exceeding
    /// its memory limit (v1 `memory.oom_control`, v2 `memory.events`: `oom_kill
    /// N`). Read it before the container is deleted: the cgroup goes with it.
    pub fn oom_kills(&self, path: &str) -> io::Result<u64> {
        let dir = self.memory_dir(path).ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::NotFound,
                "no cgroup v1 memory hierarchy is mounted",
            )
        })?;
        let file = match self {
            Self::Unified { .. } => "memory.events",
            Self::Legacy { .. } => "memory.oom_control",
        };
        let text = std::fs::read_to_string(dir.join(file))?;
        counter(&text, "oom_kill").ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "{} has no oom_kill line (a kernel before 4.13)",
                    dir.join(file).display()
                ),
            )
        })
    }

    /// Removes every cgroup under `parent` (a crashed worker's containers, once
    /// the runtime's `delete` has done what it could): kills what still runs in
    /// them, then removes them, deepest first. Returns how many directories went.
    pub fn remove_children(&self, parent: &str) -> io::Result<usize> {
        let mut removed = 0;
        for dir in self.dirs(parent) {
            let mut children = Vec::new();
            collect_dirs(&dir, &mut children)?;
            // Deepest first: a cgroup with children cannot be removed.
            children.sort_by_key(|c| std::cmp::Reverse(c.components().count()));
            for child in children {
                kill_all(&child);
                remove_cgroup(&child)?;
                removed += 1;
            }
        }
        Ok(removed)
    }
}

/// The value of `key N` in a cgroup's flat keyed file.
fn counter(text: &str, key: &str) -> Option<u64> {
    text.lines().find_map(|line| {
        let (k, v) = line.split_once(' ')?;
        (k == key).then(|| v.trim().parse().ok())?
    })
}

/// The directories below `dir` (not `dir` itself); none when `dir` is missing.
fn collect_dirs(dir: &Path, into: &mut Vec<PathBuf>) -> io::Result<()> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            into.push(entry.path());
            collect_dirs(&entry.path(), into)?;
        }
    }
    Ok(())
}

/// SIGKILLs every process of the cgroup at `dir` (v2's `cgroup.kill` when there
/// is one, else each pid of `cgroup.procs`).
fn kill_all(dir: &Path) {
    if std::fs::write(dir.join("cgroup.kill"), "1").is_ok() {
        return;
    }
    let Ok(procs) = std::fs::read_to_string(dir.join("cgroup.procs")) else {
        return;
    };
    for pid in procs
        .lines()
        .filter_map(|p| p.trim().parse::<libc::pid_t>().ok())
    {
        // SAFETY: kill(2) with a pid read from the cgroup and a constant signal.
        unsafe { libc::kill(pid, libc::SIGKILL) };
    }
}

/// Removes the (empty of children) cgroup at `dir`, waiting up to 2 s for its
/// killed processes to be gone.
fn remove_cgroup(dir: &Path) -> io::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        match std::fs::remove_dir(dir) {
            Ok(()) => return Ok(()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) if Instant::now() >= deadline => {
                return Err(io::Error::new(
                    e.kind(),
                    format!("removing the cgroup {}: {e}", dir.display()),
                ));
            }
            Err(_) => std::thread::sleep(Duration::from_millis(20)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HYBRID: &str = "\
31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
";

    #[test]
    fn a_hybrid_host_is_v1_with_v2_beside_it() {
        let layout = CgroupLayout::parse(HYBRID).unwrap();
        let CgroupLayout::Legacy {
            hierarchies,
            unified,
        } = &layout
        else {
            panic!("v1: {layout:?}");
        };
        assert_eq!(unified.as_deref(), Some(Path::new(HYBRID_UNIFIED)));
        assert_eq!(hierarchies[0].controllers, ["cpu", "cpuacct"]);
        assert_eq!(hierarchies[1].controllers, ["memory"]);
        assert_eq!(hierarchies[2].controllers, ["name=systemd"]);
        assert_eq!(
            layout.memory_dir("/faas-oci/w/c1"),
            Some(PathBuf::from("/sys/fs/cgroup/memory/faas-oci/w/c1"))
        );
        assert_eq!(layout.dirs("/p").len(), 4, "three v1 hierarchies and v2");
    }

    #[test]
    fn a_v2_host_has_one_hierarchy() {
        let mountinfo = "25 21 0:22 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n";
        let layout = CgroupLayout::parse(mountinfo).unwrap();
        assert_eq!(
            layout,
            CgroupLayout::Unified {
                mount: PathBuf::from("/sys/fs/cgroup")
            }
        );
        assert!(!layout.crun_refuses());
        assert_eq!(
            layout.dirs(&container_path("w1", "c1")),
            [PathBuf::from("/sys/fs/cgroup/faas-oci/w1/c1")]
        );
        assert_eq!(
            CgroupLayout::parse("1 2 0:1 / / rw - ext4 /dev/vda rw\n"),
            None
        );
    }

    #[test]
    fn the_oom_kill_count_is_read_from_either_version_s_file() {
        let v1 = "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n";
        let v2 = "low 0\nhigh 0\nmax 5\noom 1\noom_kill 1\noom_group_kill 0\n";
        assert_eq!(counter(v1, "oom_kill"), Some(2));
        assert_eq!(counter(v2, "oom_kill"), Some(1));
        assert_eq!(counter("oom 1\n", "oom_kill"), None);
    }
}
