//! The worker's two runtime backends, for the suites that run each test on both
//! ([`on_both_backends!`]): the Docker Engine, and the OCI runtime (crun, or
//! runc) driven directly, each through `faas-init` as a worker runs them.

use std::time::{Duration, Instant};

use faas_testkit::docker::assert_container_removed;
use faas_worker::runtime::ContainerRuntime;

/// Each test written with it runs twice, as `<name>::docker` and `<name>::oci`,
/// with `backend` bound to that [`Backend`]. The OCI one is skipped, saying so,
/// only where the backend cannot run (not root, or no crun nor runc).
macro_rules! on_both_backends {
    ($(#[$meta:meta])* async fn $name:ident($backend:ident: Backend) $body:block) => {
        $(#[$meta])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn body($backend: $crate::backends::Backend) $body

            #[tokio::test]
            async fn docker() {
                body($crate::backends::Backend::docker()).await
            }

            #[tokio::test]
            async fn oci() {
                if let Some(backend) = $crate::backends::Backend::oci() {
                    body(backend).await
                }
            }
        }
    };
}

impl Drop for Backend {
    /// At the end of a test, as at the end of a worker's shutdown: the OCI
    /// backend's parent cgroup goes.
    fn drop(&mut self) {
        self.runtime.release_host();
    }
}

/// The OCI backend's runtime, keeping its state in `dir`.
fn oci_runtime(dir: &std::path::Path) -> ContainerRuntime {
    let mut settings = faas_worker::default_oci_settings();
    settings.dir = dir.to_owned();
    ContainerRuntime::new(None)
        .with_init(faas_testkit::init::binary())
        .with_oci(&settings, "backend-test")
        .expect("the OCI backend starts")
}

/// One backend's runtime, and the directory the OCI one keeps its state in.
pub struct Backend {
    pub runtime: ContainerRuntime,
    oci_dir: Option<tempfile::TempDir>,
}

impl Backend {
    /// The Docker backend, through `faas-init`.
    pub fn docker() -> Self {
        Self {
            runtime: ContainerRuntime::new(None).with_init(faas_testkit::init::binary()),
            oci_dir: None,
        }
    }

    /// The OCI backend in a directory of its own (crun when installed, else
    /// runc), or `None` when it cannot run here (said on stderr).
    pub fn oci() -> Option<Self> {
        if !faas_testkit::oci::can_run() {
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        Some(Self {
            runtime: oci_runtime(dir.path()),
            oci_dir: Some(dir),
        })
    }

    /// The same OCI backend started again in its directory, the earlier runtime
    /// dropped without a shutdown (as a crash would leave it).
    pub fn restart(&mut self) {
        let dir = self.oci_dir.as_ref().expect("an OCI backend").path();
        // The earlier runtime goes first: it holds the directory's lock.
        self.runtime = ContainerRuntime::new(None);
        self.runtime = oci_runtime(dir);
    }

    pub fn is_oci(&self) -> bool {
        self.oci_dir.is_some()
    }

    /// The same backend with another runtime made from it (prewarm, a policy…).
    pub fn with(mut self, change: impl FnOnce(ContainerRuntime) -> ContainerRuntime) -> Self {
        self.runtime = change(self.runtime.clone());
        self
    }

    /// Asserts that activation `activation_id`'s container is gone (within 10 s):
    /// on Docker, no container has its label; on the OCI backend, the runtime
    /// holds no container at all once the removals are done.
    pub async fn assert_removed(&self, activation_id: &str) {
        if !self.is_oci() {
            return assert_container_removed(activation_id).await;
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        tokio::time::timeout_at(deadline.into(), self.runtime.removals_done())
            .await
            .expect("the removals end within 10 s");
        let left = self.runtime.oci_containers().await.unwrap();
        assert!(left.is_empty(), "containers left: {left:?}");
    }
}
