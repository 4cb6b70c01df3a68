//! The floor: one container through the Engine API (bollard) with the worker's own
//! sandbox, and `docker run --rm --network none` of the same image.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use bollard::Docker;
use bollard::models::ContainerCreateBody;
use bollard::query_parameters::RemoveContainerOptionsBuilder;
use faas_shared::ParamMode;
use faas_shared::activation::ActivationRequest;
use faas_worker::runtime::sandbox::{Network, Sandbox};
use futures::StreamExt;

/// Every container the harness creates itself carries this label.
pub const LABEL_BENCH: &str = "io.faas.bench";

/// The time of each Engine API call of one floor run.
#[derive(Debug, Clone, Copy)]
pub struct FloorSteps {
    pub create: Duration,
    pub start: Duration,
    pub wait: Duration,
    pub remove: Duration,
}

impl FloorSteps {
    pub fn total(&self) -> Duration {
        self.create + self.start + self.wait + self.remove
    }
}

pub struct Engine {
    docker: Docker,
    image: String,
    param: String,
}

impl Engine {
    pub fn connect(image: &str, param: &str) -> anyhow::Result<Self> {
        let docker = Docker::connect_with_defaults().context("connecting to the Docker Engine")?;
        Ok(Self {
            docker,
            image: image.to_owned(),
            param: param.to_owned(),
        })
    }

    /// `Docker Engine 20.10.x (API 1.41)`
    pub async fn version(&self) -> String {
        match self.docker.version().await {
            Ok(v) => format!(
                "Docker Engine {} (API {})",
                v.version.unwrap_or_default(),
                v.api_version.unwrap_or_default()
            ),
            Err(e) => format!("unknown ({e})"),
        }
    }

    /// The container body the worker would create for an `argv` activation of
    /// `image` with the default memory, without the attach: create → start → wait →
    /// remove is the least any single-use container costs.
    fn body(&self) -> ContainerCreateBody {
        let request = ActivationRequest {
            activation_id: "bench".to_owned(),
            owner: "bench".to_owned(),
            function: "floor".to_owned(),
            image: self.image.clone(),
            param: self.param.clone(),
            param_mode: ParamMode::Argv,
            timeout_ms: faas_shared::DEFAULT_TIMEOUT_MS,
            memory_mb: faas_shared::DEFAULT_MEMORY_MB,
            network: false,
            secrets: Vec::new(),
            concurrency_slot: None,
            new_account_slot: None,
            prewarm: 0,
            queued_at: chrono::Utc::now(),
            start_by: None,
        };
        ContainerCreateBody {
            image: Some(self.image.clone()),
            cmd: Some(vec![self.param.clone()]),
            tty: Some(false),
            network_disabled: Some(true),
            labels: Some(HashMap::from([(
                LABEL_BENCH.to_owned(),
                "floor".to_owned(),
            )])),
            host_config: Some(faas_worker::runtime::docker::host_config(&Sandbox::cold(
                &request,
                "bench",
                None,
                Network::None,
            ))),
            ..Default::default()
        }
    }

    pub async fn floor(&self) -> anyhow::Result<FloorSteps> {
        let t = Instant::now();
        let created = self
            .docker
            .create_container(None, self.body())
            .await
            .context("create")?;
        let create = t.elapsed();
        let id = created.id;
        let result = self.start_and_wait(&id).await;
        let t = Instant::now();
        let options = RemoveContainerOptionsBuilder::default()
            .force(true)
            .v(true)
            .build();
        self.docker
            .remove_container(&id, Some(options))
            .await
            .context("remove")?;
        let remove = t.elapsed();
        let (start, wait) = result?;
        Ok(FloorSteps {
            create,
            start,
            wait,
            remove,
        })
    }

    async fn start_and_wait(&self, id: &str) -> anyhow::Result<(Duration, Duration)> {
        let t = Instant::now();
        self.docker
            .start_container(id, None)
            .await
            .context("start")?;
        let start = t.elapsed();
        let t = Instant::now();
        match self.docker.wait_container(id, None).next().await {
            Some(Ok(r)) if r.status_code == 0 => {}
            other => bail!("wait: the container did not exit 0: {other:?}"),
        }
        Ok((start, t.elapsed()))
    }

    /// `docker run --rm --network none IMAGE PARAM`, checked to print the reversed
    /// parameter.
    pub async fn docker_run(&self) -> anyhow::Result<Duration> {
        let t = Instant::now();
        let output = tokio::process::Command::new("docker")
            .args(["run", "--rm", "--network", "none", "--label"])
            .arg(format!("{LABEL_BENCH}=run"))
            .args([&self.image, &self.param])
            .output()
            .await
            .context("running docker")?;
        let elapsed = t.elapsed();
        if !output.status.success() {
            bail!(
                "docker run failed: {}",
                String::from_utf8_lossy(&output.stderr).trim()
            );
        }
        Ok(elapsed)
    }

    /// Containers this harness or `owner` left behind, one line each (id, state,
    /// activation), for the report; the parked containers of a prewarm pool, which
    /// the worker keeps on purpose while it runs, are not.
    pub async fn leftovers(&self, owner: &str) -> Vec<String> {
        let mut found = Vec::new();
        for filter in [LABEL_BENCH.to_owned(), format!("io.faas.owner={owner}")] {
            let options = bollard::query_parameters::ListContainersOptionsBuilder::default()
                .all(true)
                .filters(&HashMap::from([("label".to_owned(), vec![filter])]))
                .build();
            let listed = match self.docker.list_containers(Some(options)).await {
                Ok(listed) => listed,
                Err(e) => {
                    found.push(format!("(listing the containers failed: {e})"));
                    continue;
                }
            };
            for container in listed {
                let labels = container.labels.unwrap_or_default();
                if labels.get(faas_worker::labels::LABEL_PARKED) == Some(&"true".to_owned()) {
                    continue;
                }
                let id = container.id.unwrap_or_default();
                found.push(format!(
                    "{} {:?} ({}), activation {}",
                    id.get(..12).unwrap_or(&id),
                    container.state,
                    container.status.unwrap_or_default(),
                    labels
                        .get(faas_worker::labels::LABEL_ACTIVATION)
                        .map_or("-", String::as_str)
                ));
            }
        }
        found
    }
}
