//! The OCI backend's state and its container life cycle: the runtime binary, the
//! host's cgroups, the root file system cache and the compiled seccomp filter,
//! found or made once at start ([`OciEngine::open`]); a container made from a
//! function's sandbox and started with `faas-init` waiting on stdin
//! ([`OciEngine::prepare`]); its deletion off the answer's path; the sweep of what
//! a crashed run left.
//!
//! Every container runs `faas-init`: a detached container's exit status is not
//! the runtime's to report, init's trailer is (`handoff`).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use faas_shared::activation::ActivationRequest;
use faas_shared::{RunFailure, RunFailureKind, StepTimings};
use sha2::Digest;

use super::cgroups::{self, CgroupLayout};
use super::rootfs::{Rootfs, RootfsCache};
use super::runtime_binary::{ContainerIo, OciRuntime, Swept};
use super::seccomp::Seccomp;
use super::spec::{self, Container};
use crate::labels::LABEL_WORKER;
use crate::runtime::docker::Engine;
use crate::runtime::outcome::{Failed, millis};
use crate::runtime::removals::Removals;
use crate::runtime::sandbox::{Network, Sandbox};

/// What the OCI backend is set up from (the worker's `FAAS_WORKER_OCI_*`).
#[derive(Clone, Debug)]
pub struct OciSettings {
    /// The runtime binary; `None` finds crun, else runc.
    pub runtime: Option<PathBuf>,
    /// This worker's own directory: the runtime's state, the bundles and the root
    /// file system cache. One worker per directory (it is locked).
    pub dir: PathBuf,
    /// The root file systems no container uses are evicted past this size.
    pub rootfs_cache_bytes: u64,
    /// The seccomp profile (JSON, Docker's format).
    pub seccomp_profile: PathBuf,
}

/// The OCI backend. Cheap to clone: the clones share everything.
#[derive(Clone)]
pub(crate) struct OciEngine {
    pub(super) runtime: OciRuntime,
    pub(super) layout: CgroupLayout,
    rootfs: RootfsCache,
    seccomp: Arc<Seccomp>,
    /// The `faas-init` binary every container starts with, bound read-only.
    init_binary: PathBuf,
    /// Names this worker's parent cgroup (`cgroups::worker_parent`), after its
    /// directory: a restart finds (and sweeps) what the earlier run left there.
    cgroup_name: String,
    /// Deletions in the background, shared with the Docker backend.
    removals: Removals,
}

/// A started container whose `faas-init` waits on stdin for the frame.
pub(crate) struct Ready {
    pub(super) id: String,
    pub(super) io: ContainerIo,
    /// In use while the container is: it is not evicted meanwhile.
    pub(super) rootfs: Arc<Rootfs>,
    pub(super) cgroup: String,
    pub(super) timings: StepTimings,
    /// The part of the function's timeout spent getting its image (a cold run's).
    pub(super) image_wait: Duration,
}

impl Ready {
    /// The same container, taken from a pool: its create and start were not this
    /// activation's.
    pub(crate) fn prewarmed(self) -> Self {
        Self {
            timings: StepTimings {
                prewarmed: true,
                ..StepTimings::default()
            },
            image_wait: Duration::ZERO,
            ..self
        }
    }

    /// Whether it runs what `image_id` names.
    pub(crate) fn runs(&self, image_id: &str) -> bool {
        self.rootfs.image_id == image_id
    }

    /// The container's id (to delete it).
    pub(crate) fn id(&self) -> &str {
        &self.id
    }
}

impl OciEngine {
    /// Finds the runtime, reads the cgroup layout, compiles the seccomp profile
    /// and opens the root file system cache: every reason the backend cannot run
    /// here is an error at start, said with its fix.
    pub(crate) fn open(
        settings: &OciSettings,
        init_binary: Option<&Path>,
        worker_id: &str,
        removals: Removals,
    ) -> anyhow::Result<Self> {
        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } != 0 {
            anyhow::bail!(
                "FAAS_WORKER_RUNTIME=oci needs root (it makes namespaces and cgroups for every container): run the worker as root, or use FAAS_WORKER_RUNTIME=docker"
            );
        }
        let init_binary = init_binary
            .context("FAAS_WORKER_RUNTIME=oci needs the faas-init binary (every container starts with it): put faas-init beside faas-worker or set FAAS_WORKER_INIT")?
            .to_owned();
        let layout = CgroupLayout::detect().context("reading this host's cgroup mounts")?;
        let runtime = OciRuntime::find(
            settings.runtime.as_deref(),
            &settings.dir.join("runtime"),
            &layout,
        )?;
        let seccomp = Seccomp::load(&settings.seccomp_profile).with_context(|| {
            format!(
                "loading the seccomp profile {} (apt-get install golang-github-containers-common, or set FAAS_WORKER_SECCOMP_PROFILE)",
                settings.seccomp_profile.display()
            )
        })?;
        let labels = [(LABEL_WORKER.to_owned(), worker_id.to_owned())].into();
        let rootfs = RootfsCache::open(
            &settings.dir.join("rootfs"),
            settings.rootfs_cache_bytes,
            labels,
        )
        .with_context(|| {
            format!(
                "opening the root file system cache in {} (is another worker using FAAS_WORKER_OCI_DIR={}?)",
                settings.dir.join("rootfs").display(),
                settings.dir.display()
            )
        })?;
        let dir = std::fs::canonicalize(&settings.dir)?;
        let digest = sha2::Sha256::digest(dir.as_os_str().as_encoded_bytes());
        Ok(Self {
            runtime,
            layout,
            rootfs,
            seccomp: Arc::new(seccomp),
            init_binary,
            cgroup_name: format!("d-{}", hex::encode(&digest[..8])),
            removals,
        })
    }

    /// Which runtime binary runs the containers (`crun` or `runc`).
    pub(crate) fn runtime_name(&self) -> &'static str {
        self.runtime.flavor().name()
    }

    /// A container for `template`'s function with `faas-init` waiting on its
    /// stdin, created and started: parked (`activation` is `None`) or for one
    /// activation. The image passes the policy and is pulled as on the Docker
    /// backend (whose engine is the image store); its root file system is
    /// unpacked once per image id.
    pub(crate) async fn prepare(
        &self,
        docker: &Engine,
        template: &ActivationRequest,
        worker_id: &str,
        activation: Option<&str>,
    ) -> Result<Ready, Failed> {
        let timeout = Duration::from_millis(template.timeout_ms);
        let step = Instant::now();
        let (client, image_id) = docker.present_image(&template.image, timeout).await?;
        let unpacked = match self.rootfs.unpacked(&image_id) {
            Some(rootfs) => Ok(rootfs),
            None => self.rootfs.ensure(client, &template.image).await,
        };
        let rootfs = unpacked.map_err(|e| {
            Failed::before_create(RunFailure {
                kind: RunFailureKind::Runtime,
                message: format!("unpacking the image's root file system failed: {e:#}"),
            })
        })?;
        let image_wait = step.elapsed();
        let mut timings = StepTimings::default();
        let step = Instant::now();
        let id = container_id();
        let cgroup = cgroups::container_path(&self.cgroup_name, &id);
        let sandbox = Sandbox::init(
            template,
            worker_id,
            docker.platform.as_deref(),
            Network::None,
            self.init_binary.to_string_lossy().into_owned(),
            activation,
        );
        let bundle = spec::spec(&Container {
            id: &id,
            sandbox: &sandbox,
            rootfs: &rootfs,
            cgroups_path: &cgroup,
            seccomp: &self.seccomp,
            seccomp_bpf: self.runtime.flavor().takes_seccomp_bpf(),
        })
        .and_then(|spec| self.runtime.write_bundle(&id, &spec));
        if let Err(e) = bundle {
            self.delete_later(id);
            return Err(Failed::before_create(RunFailure {
                kind: RunFailureKind::Runtime,
                message: format!("describing the container failed: {e:#}"),
            }));
        }
        timings.create_ms = millis(step.elapsed());
        let step = Instant::now();
        let io = match self.runtime.run_detached(&id, true).await {
            Ok(io) => io,
            Err(e) => {
                self.delete_later(id);
                return Err(Failed::before_create(RunFailure {
                    kind: RunFailureKind::Runtime,
                    message: format!("starting the container failed: {e:#}"),
                }));
            }
        };
        timings.start_ms = millis(step.elapsed());
        Ok(Ready {
            id,
            io,
            rootfs,
            cgroup,
            timings,
            image_wait,
        })
    }

    /// Deletes container `id` (killing what still runs in it), its bundle and
    /// its cgroup, in the background, a few at a time.
    pub(crate) fn delete_later(&self, id: String) {
        let runtime = self.runtime.clone();
        self.removals.spawn(async move {
            if let Err(e) = runtime.delete(&id).await {
                tracing::warn!(container = %id, error = %e, "deleting a container failed; the next start sweeps it");
            }
        });
    }

    /// Removes what an earlier run in this directory left (a crash): its
    /// containers, their state, bundles and cgroups. Only at start.
    pub(crate) async fn sweep(&self) -> anyhow::Result<Swept> {
        let parent = cgroups::worker_parent(&self.cgroup_name);
        self.runtime.sweep(&self.layout, &parent).await
    }

    /// Removes this worker's parent cgroup in every hierarchy, where it is empty
    /// (a container still there keeps it, for the next start's sweep).
    pub(crate) fn remove_cgroup_parent(&self) {
        for dir in self.layout.dirs(&cgroups::worker_parent(&self.cgroup_name)) {
            let _ = std::fs::remove_dir(dir);
        }
    }

    /// The containers the runtime holds for this worker now (running, or not yet
    /// deleted), as (id, status).
    pub(crate) async fn containers(&self) -> anyhow::Result<Vec<(String, String)>> {
        Ok(self
            .runtime
            .list()
            .await?
            .into_iter()
            .map(|c| (c.id, c.status))
            .collect())
    }
}

/// A fresh container id: never reused, so that no two activations can share
/// one's state, bundle or cgroup.
fn container_id() -> String {
    let mut bytes = [0u8; 12];
    getrandom::getrandom(&mut bytes).expect("the kernel's random source");
    format!("faas-{}", hex::encode(bytes))
}
