//! Root file systems for the OCI backend: one unpacked copy per image id, made
//! once from the image the Docker Engine already holds and shared read-only by
//! every container of that image, in a cache directory with a size cap.
//!
//! The engine stays the image store: pulls, the image policy and registry errors
//! are the Docker backend's (`docker::images::ensure_image`, which the facade
//! integration calls first), so an image is only ever unpacked once it is
//! present. A created, never started container of the image is exported through
//! the Engine API (a flattened tar of its file system) and unpacked into a
//! temporary directory, which is then renamed into place: a crash leaves a
//! `.tmp-*` directory, never a half-unpacked entry, and the next [`RootfsCache::open`]
//! removes it. The mount points a sandbox needs on a read-only root (`/proc`,
//! `/dev`, `/sys`, `/tmp`, `/run/secrets`, `/.faas` and the init binary's file)
//! are made then, so the runtime never writes into the shared copy; device
//! nodes and FIFOs in the image are not unpacked.
//!
//! Callers for one image wait for one unpack. An [`Rootfs`] is in use while an
//! `Arc` of it is held (a container's life time): only unused entries are
//! evicted, least recently used first, when the cache outgrows its cap. One
//! worker owns a cache directory (a lock file says so), since another worker's
//! use of an entry would not be seen.
//!
//! The backend (`engine`) opens one cache at start and calls
//! [`RootfsCache::ensure`] before building each container's `config.json`.

use std::collections::HashMap;
use std::io::{self, Read};
use std::os::fd::AsRawFd;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use anyhow::{Context, bail};
use bollard::Docker;
use bollard::errors::Error as DockerError;
use bollard::models::ContainerCreateBody;
use bollard::query_parameters::RemoveContainerOptionsBuilder;
use futures::TryStreamExt;
use serde::{Deserialize, Serialize};
use tokio::sync::OnceCell;

use super::user::{self, ImageUser};
use crate::runtime::sandbox::{INIT_MOUNT_DIR, SECRETS, TMP};

/// An image's own process settings, from its config.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageConfig {
    /// `User`, as written (`name`, `uid`, `uid:gid`, `name:group`; empty: root).
    pub user: String,
    pub env: Vec<String>,
    pub entrypoint: Vec<String>,
    pub cmd: Vec<String>,
    /// `WorkingDir` (empty: `/`).
    pub working_dir: String,
}

/// One image's unpacked root file system, and what its containers run as.
#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rootfs {
    /// The engine's image id (`sha256:…`).
    pub image_id: String,
    /// The root directory, for `root.path` (read-only in every container).
    pub path: PathBuf,
    pub config: ImageConfig,
    /// The image's user, resolved in its own `/etc/passwd` and `/etc/group`.
    pub user: ImageUser,
    /// Disk space it takes, counted against the cache's cap.
    pub size_bytes: u64,
}

/// The root file systems of one worker, by image id.
#[derive(Clone)]
pub struct RootfsCache {
    inner: Arc<Inner>,
}

struct Inner {
    dir: PathBuf,
    cap_bytes: u64,
    /// Labels of the export containers, so that the Docker backend's sweep of
    /// this worker's leftovers finds one a crash left behind.
    export_labels: HashMap<String, String>,
    entries: Mutex<HashMap<String, Entry>>,
    /// Held for the cache's life: the `flock` that says this worker owns `dir`.
    _lock: std::fs::File,
}

/// One image's slot: unpacked, or being unpacked by the first caller (the others
/// wait on the cell).
struct Entry {
    cell: Arc<OnceCell<Arc<Rootfs>>>,
    last_used: Instant,
}

/// The file in an entry's directory that says what it holds; the root file
/// system is its sibling `rootfs/`.
const META: &str = "meta.json";
/// Names of half-made (`.tmp-`) and evicted (`.trash-`) entries.
const TMP_PREFIX: &str = ".tmp-";
const TRASH_PREFIX: &str = ".trash-";

impl RootfsCache {
    /// The cache in `dir` (created if missing), keeping at most `cap_bytes` of
    /// unused entries; export containers get `export_labels`. Removes what a
    /// crash left half-unpacked and keeps the complete entries.
    pub fn open(
        dir: &Path,
        cap_bytes: u64,
        export_labels: HashMap<String, String>,
    ) -> anyhow::Result<Self> {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .with_context(|| format!("creating the rootfs cache {}", dir.display()))?;
        let lock = lock(dir)?;
        let mut entries = HashMap::new();
        for item in std::fs::read_dir(dir)? {
            let item = item?;
            let name = item.file_name().to_string_lossy().into_owned();
            if name == ".lock" {
                continue;
            }
            let path = item.path();
            let complete = std::fs::read(path.join(META))
                .ok()
                .filter(|_| !name.starts_with('.'))
                .and_then(|m| serde_json::from_slice::<Rootfs>(&m).ok());
            match complete {
                Some(mut rootfs) => {
                    // Wherever the cache was when it was unpacked.
                    rootfs.path = path.join("rootfs");
                    let age = item
                        .metadata()?
                        .modified()?
                        .elapsed()
                        .unwrap_or(Duration::ZERO);
                    let last_used = Instant::now().checked_sub(age).unwrap_or_else(Instant::now);
                    let cell = Arc::new(OnceCell::new_with(Some(Arc::new(rootfs))));
                    entries.insert(name, Entry { cell, last_used });
                }
                None => {
                    tracing::info!(path = %path.display(), "removing a half-unpacked or evicted root file system");
                    remove_any(&path)?;
                }
            }
        }
        let cache = Self {
            inner: Arc::new(Inner {
                dir: dir.to_owned(),
                cap_bytes,
                export_labels,
                entries: Mutex::new(entries),
                _lock: lock,
            }),
        };
        for victim in cache.evictions(None) {
            remove_any(&victim)?;
        }
        Ok(cache)
    }

    /// The root file system of `image` (present in the engine: pull it first),
    /// unpacked now if no container has used this image id before. In use until
    /// the returned `Arc` is dropped.
    pub async fn ensure(&self, docker: &Docker, image: &str) -> anyhow::Result<Arc<Rootfs>> {
        let inspect = docker.inspect_image(image).await.map_err(|e| match e {
            DockerError::DockerResponseServerError {
                status_code: 404, ..
            } => anyhow::anyhow!(
                "image {image} is not in the Docker Engine: it must be pulled (docker::images::ensure_image) before its root file system is unpacked"
            ),
            e => anyhow::Error::new(e).context(format!("inspecting image {image}")),
        })?;
        let image_id = inspect.id.context("the engine gave the image no id")?;
        let key = entry_name(&image_id)?;
        let config = inspect.config.unwrap_or_default();
        let config = ImageConfig {
            user: config.user.unwrap_or_default(),
            env: config.env.unwrap_or_default(),
            entrypoint: config.entrypoint.unwrap_or_default(),
            cmd: config.cmd.unwrap_or_default(),
            working_dir: config.working_dir.unwrap_or_default(),
        };
        let cell = {
            let mut entries = self.lock();
            let entry = entries.entry(key.clone()).or_insert_with(|| Entry {
                cell: Arc::default(),
                last_used: Instant::now(),
            });
            entry.last_used = Instant::now();
            // Taken under the lock, so that no eviction sees it unused meanwhile.
            if let Some(ready) = entry.cell.get() {
                return Ok(ready.clone());
            }
            entry.cell.clone()
        };
        let rootfs = cell
            .get_or_try_init(|| self.unpack(docker, &image_id, &key, config))
            .await?
            .clone();
        drop(cell);
        let victims = self.evictions(Some(&key));
        if !victims.is_empty() {
            tokio::task::spawn_blocking(move || {
                for victim in victims {
                    if let Err(e) = remove_any(&victim) {
                        tracing::warn!(path = %victim.display(), error = %e, "removing an evicted root file system failed");
                    }
                }
            })
            .await?;
        }
        Ok(rootfs)
    }

    /// The root file system of image id `image_id` if it is unpacked already
    /// (in use until the returned `Arc` is dropped): no call to the engine, for a
    /// caller that knows the id (the image commands' cache does).
    pub fn unpacked(&self, image_id: &str) -> Option<Arc<Rootfs>> {
        let key = entry_name(image_id).ok()?;
        let mut entries = self.lock();
        let entry = entries.get_mut(&key)?;
        let ready = entry.cell.get()?.clone();
        entry.last_used = Instant::now();
        Some(ready)
    }

    /// What the cache holds, in bytes.
    pub fn size_bytes(&self) -> u64 {
        self.lock()
            .values()
            .filter_map(|e| e.cell.get())
            .map(|r| r.size_bytes)
            .sum()
    }

    /// The image ids it holds unpacked.
    pub fn image_ids(&self) -> Vec<String> {
        self.lock()
            .values()
            .filter_map(|e| Some(e.cell.get()?.image_id.clone()))
            .collect()
    }

    /// Exports `image_id` through a created, never started container, and
    /// unpacks it under a temporary name renamed to `key` once complete.
    async fn unpack(
        &self,
        docker: &Docker,
        image_id: &str,
        key: &str,
        config: ImageConfig,
    ) -> anyhow::Result<Arc<Rootfs>> {
        let started = Instant::now();
        let tmp = self
            .inner
            .dir
            .join(format!("{TMP_PREFIX}{key}-{}", nonce()));
        let root = tmp.join("rootfs");
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o755)
            .create(&root)?;
        let exported = self.export(docker, image_id, &root).await;
        let finished = match exported {
            Ok(()) => {
                let (tmp, dir, image_id) =
                    (tmp.clone(), self.inner.dir.clone(), image_id.to_owned());
                let key = key.to_owned();
                tokio::task::spawn_blocking(move || finish(&tmp, &dir, &key, image_id, config))
                    .await?
            }
            Err(e) => Err(e),
        };
        if finished.is_err() {
            let _ = remove_any(&tmp);
        }
        let rootfs = finished?;
        tracing::info!(image = %rootfs.image_id, bytes = rootfs.size_bytes, ms = started.elapsed().as_millis() as u64, "unpacked a root file system");
        Ok(Arc::new(rootfs))
    }

    /// Streams the file system of a created container of `image_id` into `root`;
    /// the container is removed whatever happens.
    async fn export(&self, docker: &Docker, image_id: &str, root: &Path) -> anyhow::Result<()> {
        let body = ContainerCreateBody {
            image: Some(image_id.to_owned()),
            // Never started: any command does; one is needed for an image without.
            entrypoint: Some(vec!["/.faas-rootfs-export".to_owned()]),
            cmd: Some(Vec::new()),
            network_disabled: Some(true),
            labels: Some(self.inner.export_labels.clone()),
            ..Default::default()
        };
        let created = docker
            .create_container(None, body)
            .await
            .context("creating a container to export the image's file system")?;
        let stream = docker
            .export_container(&created.id)
            .map_err(io::Error::other);
        let reader = tokio_util::io::SyncIoBridge::new(tokio_util::io::StreamReader::new(stream));
        let root = root.to_owned();
        let unpacked = tokio::task::spawn_blocking(move || unpack_tar(reader, &root)).await;
        let options = RemoveContainerOptionsBuilder::default()
            .force(true)
            .v(true)
            .build();
        if let Err(e) = docker.remove_container(&created.id, Some(options)).await {
            tracing::warn!(container = %created.id, error = %e, "removing the export container failed");
        }
        unpacked?.context("unpacking the exported file system")
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        self.inner.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Takes the least recently used unused entries (never `keep`) out of the
    /// cache until it fits its cap, renaming each to a `.trash-` name; returns
    /// those paths to remove.
    fn evictions(&self, keep: Option<&str>) -> Vec<PathBuf> {
        let mut entries = self.lock();
        let mut total: u64 = entries
            .values()
            .filter_map(|e| e.cell.get())
            .map(|r| r.size_bytes)
            .sum();
        let mut unused: Vec<(Instant, String)> = entries
            .iter()
            .filter(|(key, e)| {
                // Nobody waits on the cell, nobody holds the root file system.
                Some(key.as_str()) != keep
                    && Arc::strong_count(&e.cell) == 1
                    && e.cell.get().is_some_and(|r| Arc::strong_count(r) == 1)
            })
            .map(|(key, e)| (e.last_used, key.clone()))
            .collect();
        unused.sort();
        let mut victims = Vec::new();
        for (_, key) in unused {
            if total <= self.inner.cap_bytes {
                break;
            }
            let Some(entry) = entries.remove(&key) else {
                continue;
            };
            total -= entry.cell.get().map_or(0, |r| r.size_bytes);
            let from = self.inner.dir.join(&key);
            let to = self
                .inner
                .dir
                .join(format!("{TRASH_PREFIX}{key}-{}", nonce()));
            match std::fs::rename(&from, &to) {
                Ok(()) => victims.push(to),
                Err(e) => {
                    tracing::warn!(path = %from.display(), error = %e, "evicting a root file system failed")
                }
            }
        }
        if total > self.inner.cap_bytes {
            tracing::warn!(
                bytes = total,
                cap = self.inner.cap_bytes,
                "the root file systems in use exceed the cache's cap"
            );
        }
        victims
    }
}

/// Makes the mount points, resolves the user, writes the entry's metadata and
/// renames `tmp` to `dir/key`.
fn finish(
    tmp: &Path,
    dir: &Path,
    key: &str,
    image_id: String,
    config: ImageConfig,
) -> anyhow::Result<Rootfs> {
    let root = tmp.join("rootfs");
    for mount_point in [
        "proc",
        "dev",
        "sys",
        TMP.target,
        SECRETS.target,
        INIT_MOUNT_DIR,
    ] {
        dir_in_root(&root, mount_point)?;
    }
    file_in_root(&root, faas_init::INIT_PATH)?;
    let user = user::resolve(&config.user, &root)?;
    let final_path = dir.join(key);
    let rootfs = Rootfs {
        image_id,
        path: final_path.join("rootfs"),
        config,
        user,
        size_bytes: disk_usage(&root)?,
    };
    std::fs::write(tmp.join(META), serde_json::to_vec(&rootfs)?)?;
    std::fs::rename(tmp, &final_path)
        .with_context(|| format!("renaming {} to {}", tmp.display(), final_path.display()))?;
    Ok(rootfs)
}

/// Unpacks the tar `reader` into `root`, keeping modes, owners and times, and
/// leaving out device nodes and FIFOs; entries that would land outside `root`
/// (`..`, or through a symbolic link) are refused by the `tar` crate.
pub fn unpack_tar(reader: impl Read, root: &Path) -> io::Result<()> {
    let mut archive = tar::Archive::new(reader);
    archive.set_preserve_permissions(true);
    archive.set_preserve_ownerships(true);
    archive.set_preserve_mtime(true);
    archive.set_unpack_xattrs(false);
    archive.set_overwrite(true);
    for entry in archive.entries()? {
        let mut entry = entry?;
        if matches!(
            entry.header().entry_type(),
            tar::EntryType::Char | tar::EntryType::Block | tar::EntryType::Fifo
        ) {
            continue;
        }
        entry.unpack_in(root)?;
    }
    Ok(())
}

/// Makes `path` (absolute in the container) a directory under `root`, replacing
/// any component that is a file or a symbolic link: never followed, so nothing
/// is made outside `root`.
fn dir_in_root(root: &Path, path: &str) -> anyhow::Result<()> {
    let mut at = root.to_owned();
    for component in Path::new(path.trim_start_matches('/')).components() {
        at.push(component);
        match std::fs::symlink_metadata(&at) {
            Ok(meta) if meta.is_dir() => continue,
            Ok(_) => std::fs::remove_file(&at)?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e.into()),
        }
        std::fs::DirBuilder::new().mode(0o755).create(&at)?;
    }
    Ok(())
}

/// Makes `path` an empty regular file under `root` (a bind mount's target), its
/// parent through [`dir_in_root`].
fn file_in_root(root: &Path, path: &str) -> anyhow::Result<()> {
    let path = Path::new(path.trim_start_matches('/'));
    if let Some(parent) = path.parent().and_then(Path::to_str) {
        dir_in_root(root, parent)?;
    }
    let at = root.join(path);
    match std::fs::symlink_metadata(&at) {
        Ok(meta) if meta.is_file() => return Ok(()),
        Ok(meta) if meta.is_dir() => std::fs::remove_dir_all(&at)?,
        Ok(_) => std::fs::remove_file(&at)?,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(e.into()),
    }
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o644)
        .open(&at)?;
    Ok(())
}

/// The disk space the tree at `path` takes (allocated blocks, links not
/// followed).
fn disk_usage(path: &Path) -> io::Result<u64> {
    let meta = std::fs::symlink_metadata(path)?;
    let mut total = meta.blocks() * 512;
    if meta.is_dir() {
        for entry in std::fs::read_dir(path)? {
            total += disk_usage(&entry?.path())?;
        }
    }
    Ok(total)
}

/// The entry directory's name for `image_id` (`sha256:ab…` → `sha256-ab…`).
fn entry_name(image_id: &str) -> anyhow::Result<String> {
    let name = image_id.replace(':', "-");
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        bail!("the engine's image id {image_id:?} is not of the form algorithm:hex");
    }
    Ok(name)
}

/// A name part no other `.tmp-` or `.trash-` directory of this cache has.
fn nonce() -> u128 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos()
}

/// Takes the lock that makes this worker the owner of the cache in `dir`.
fn lock(dir: &Path) -> anyhow::Result<std::fs::File> {
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join(".lock"))?;
    // SAFETY: flock(2) on a file descriptor this function owns.
    if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
        bail!(
            "the rootfs cache {} is in use by another worker ({}): give each worker a cache directory of its own",
            dir.display(),
            io::Error::last_os_error()
        );
    }
    Ok(file)
}

/// Removes a file or a directory tree; nothing there is not an error.
fn remove_any(path: &Path) -> io::Result<()> {
    let result = match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.is_dir() => std::fs::remove_dir_all(path),
        Ok(_) => std::fs::remove_file(path),
        Err(e) => Err(e),
    };
    match result {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests;
