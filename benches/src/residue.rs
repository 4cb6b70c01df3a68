//! What an OCI worker could leave on the host once it has stopped: mounts,
//! container cgroups, and the runtime's state and bundle directories. Read at the
//! start and after the platforms stop, so the report can show that none was left
//! (the backend drives crun/runc itself, with no daemon to clean up after it).

use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// The host's mount points (`/proc/self/mountinfo`; the bench runs in the host's
/// mount namespace).
pub fn mounts() -> Vec<String> {
    std::fs::read_to_string("/proc/self/mountinfo")
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_whitespace().nth(4).map(str::to_owned))
        .collect()
}

/// The container cgroups below `faas-oci/<worker>/`, in every hierarchy
/// (`/sys/fs/cgroup/faas-oci` on cgroup v2, `/sys/fs/cgroup/<controller>/faas-oci`
/// on v1).
pub fn container_cgroups() -> Vec<PathBuf> {
    let root = Path::new("/sys/fs/cgroup");
    let mut bases = vec![root.to_owned()];
    bases.extend(dirs(root));
    bases
        .iter()
        .flat_map(|base| dirs(&base.join("faas-oci")))
        .flat_map(|worker| dirs(&worker))
        .collect()
}

/// Of `cgroups`, those named after one of `ids` (this run's containers: other
/// workers on the host have parents of their own below `faas-oci`).
pub fn named_after(cgroups: &[PathBuf], ids: &HashSet<String>) -> usize {
    cgroups
        .iter()
        .filter(|c| {
            c.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| ids.contains(n))
        })
        .count()
}

/// The names of the entries of `dir` (none if it is not there).
pub fn entries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn dirs(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
                .map(|e| e.path())
                .collect()
        })
        .unwrap_or_default()
}
