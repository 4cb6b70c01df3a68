//! Removing containers on the Docker backend: each with retries, in the background
//! off the answer's path and a few at a time (shutdown waits for those), and the sweeps of
//! what a crashed run of this worker or a dead worker of the platform left,
//! found by their labels; and the init volumes of older `faas-init` binaries.

use std::collections::HashMap;
use std::time::Duration;

use bollard::Docker;
use bollard::errors::Error as DockerError;
use bollard::query_parameters::{ListContainersOptionsBuilder, RemoveContainerOptionsBuilder};

use super::engine::Engine;
use super::init_volume;
use crate::labels::{LABEL_PLATFORM, LABEL_WORKER};

impl Engine {
    /// Removes a container in the background, a few at a time (shutdown waits for
    /// it). A container whose run is answered may still be exiting: the removal
    /// kills what is left.
    pub(crate) fn remove_later(&self, id: String) {
        let engine = self.clone();
        self.removals.spawn(async move {
            if let Ok(docker) = engine.client().await {
                remove(docker, &id).await;
            }
        });
    }

    /// Removes containers that an earlier run of this worker left behind (a crash
    /// between create and remove).
    pub(crate) async fn sweep(&self, worker_id: &str) -> Result<usize, DockerError> {
        let leftovers = self
            .containers_labelled(&format!("{LABEL_WORKER}={worker_id}"))
            .await?;
        let docker = self.client().await?;
        for (id, _) in &leftovers {
            remove(docker, id).await;
        }
        Ok(leftovers.len())
    }

    /// Removes the init volumes of other `faas-init` binaries that no container
    /// uses (an earlier version's); returns their names.
    pub(crate) async fn remove_old_init_volumes(&self) -> anyhow::Result<Vec<String>> {
        init_volume::remove_unused(self.client().await?, self.init_binary.as_deref()).await
    }

    /// This platform's containers, running or not, as (container id, worker id).
    pub(crate) async fn platform_containers(&self) -> Result<Vec<(String, String)>, DockerError> {
        let Some(platform) = &self.platform else {
            return Ok(Vec::new());
        };
        self.containers_labelled(&format!("{LABEL_PLATFORM}={platform}"))
            .await
    }

    /// Removes one container (of a worker that is gone).
    pub(crate) async fn remove(&self, id: &str) -> Result<(), DockerError> {
        remove(self.client().await?, id).await;
        Ok(())
    }

    async fn containers_labelled(&self, label: &str) -> Result<Vec<(String, String)>, DockerError> {
        let filters = HashMap::from([("label".to_owned(), vec![label.to_owned()])]);
        let options = ListContainersOptionsBuilder::default()
            .all(true)
            .filters(&filters)
            .build();
        let containers = self.client().await?.list_containers(Some(options)).await?;
        Ok(containers
            .into_iter()
            .filter_map(|c| {
                let worker = c.labels?.get(LABEL_WORKER).cloned().unwrap_or_default();
                Some((c.id?, worker))
            })
            .collect())
    }
}

/// Removes a container and its anonymous volumes, killing it if it runs. A busy
/// engine can fail a removal for a moment (a kill it did not see end, a root
/// filesystem still busy), so a failure is retried a few times before the
/// container is left to the next sweep; one already gone is removed.
async fn remove(docker: &Docker, id: &str) {
    const ATTEMPTS: u32 = 4;
    let options = RemoveContainerOptionsBuilder::default()
        .force(true)
        .v(true)
        .build();
    let mut pause = Duration::from_millis(200);
    for attempt in 1..=ATTEMPTS {
        match docker.remove_container(id, Some(options.clone())).await {
            Ok(())
            | Err(DockerError::DockerResponseServerError {
                status_code: 404, ..
            }) => {
                return;
            }
            Err(e) if attempt < ATTEMPTS => {
                tracing::debug!(container = %id, error = %e, "removing the container failed; retrying");
                tokio::time::sleep(pause).await;
                pause *= 2;
            }
            Err(e) => {
                tracing::warn!(container = %id, error = %e, "could not remove container; the next sweep will");
            }
        }
    }
}
