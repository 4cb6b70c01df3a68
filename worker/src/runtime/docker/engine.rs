//! The Docker backend's state and the steps every path takes: the connection to
//! the engine (made on first use, retried on every activation until it succeeds),
//! the settings it runs with, the image policy check, the function network's id,
//! a create's answer, attach and start.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use bollard::Docker;
use bollard::container::AttachContainerResults;
use bollard::errors::Error as DockerError;
use bollard::query_parameters::AttachContainerOptionsBuilder;
use faas_shared::activation::ActivationRequest;
use faas_shared::image_policy::ImagePolicy;
use faas_shared::{RunFailure, RunFailureKind, StepTimings};

use super::failure::{docker_message, engine_failed, runtime_failure};
use super::images::ImageCommands;
use super::init_volume::InitVolume;
use super::network::{DEFAULT_NETWORK, FunctionNetwork};
use crate::runtime::outcome::{Failed, millis};
use crate::runtime::removals::Removals;
use crate::runtime::sandbox::Network;

/// A connection to the Docker Engine, made on first use and retried on every
/// activation until it succeeds: a worker started before Docker (or cut off from
/// it) stays up and answers each activation with a clear error meanwhile.
#[derive(Clone)]
pub(crate) struct Engine {
    host: Option<String>,
    client: Arc<tokio::sync::OnceCell<Docker>>,
    /// Container removals in the background, shared with the OCI backend.
    pub(crate) removals: Removals,
    /// The `io.faas.platform` label of this worker's containers, once known.
    pub(crate) platform: Option<String>,
    /// The registries images may come from (checked before every run).
    pub(crate) image_policy: ImagePolicy,
    /// Where functions with `network: true` run.
    pub(crate) network: FunctionNetwork,
    /// The `faas-init` binary, for prewarmed containers and secret files; without
    /// it every activation starts cold and secrets cannot be delivered.
    pub(crate) init_binary: Option<PathBuf>,
    /// The volume the engine mounts the init binary from.
    pub(super) init_volume: Arc<tokio::sync::Mutex<InitVolume>>,
    /// Image entrypoints and commands for init containers, inspected once a while.
    pub(super) image_commands: ImageCommands,
}

impl Engine {
    /// The engine at `host` (`unix:///path`, `tcp://…`), or by default
    /// `DOCKER_HOST` or the local socket.
    pub(crate) fn new(host: Option<String>) -> Self {
        Self {
            host,
            client: Arc::default(),
            removals: Removals::default(),
            platform: None,
            image_policy: ImagePolicy::any_public(),
            network: FunctionNetwork::new(DEFAULT_NETWORK),
            init_binary: None,
            init_volume: Arc::default(),
            image_commands: ImageCommands::default(),
        }
    }

    /// The engine client, with an API version both sides speak (the engine may be
    /// older than bollard's default).
    pub(super) async fn client(&self) -> Result<&Docker, DockerError> {
        self.client
            .get_or_try_init(|| async {
                let docker = match &self.host {
                    Some(host) => Docker::connect_with_host(host)?,
                    None => Docker::connect_with_defaults()?,
                };
                docker.negotiate_version().await
            })
            .await
    }

    /// The engine, for running `image` if the image policy allows it.
    pub(super) async fn engine_for(&self, image: &str) -> Result<&Docker, Failed> {
        let docker = self.client().await.map_err(|e| {
            Failed::before_create(RunFailure {
                kind: RunFailureKind::Runtime,
                message: format!(
                    "the worker cannot reach the Docker Engine: {}",
                    docker_message(&e)
                ),
            })
        })?;
        // The same policy as the server's, again: a request must not make the engine
        // fetch from an address the operator has not allowed.
        self.image_policy.check(image).map_err(|refused| {
            Failed::before_create(RunFailure {
                kind: RunFailureKind::ImageUnavailable,
                message: refused.message,
            })
        })?;
        Ok(docker)
    }

    /// The engine, holding `image` (the image policy allows it; pulled within
    /// `budget` when missing), and the image's id as read at most 10 s ago: the
    /// image store of the OCI backend.
    pub(crate) async fn present_image(
        &self,
        image: &str,
        budget: std::time::Duration,
    ) -> Result<(&Docker, String), Failed> {
        let docker = self.engine_for(image).await?;
        let command = self
            .image_commands
            .get_or_inspect(docker, image, budget)
            .await
            .map_err(Failed::before_create)?;
        Ok((docker, command.id.clone()))
    }

    /// The network of `request`'s function: none, or for a function with
    /// `network: true` the function network, by its id.
    pub(super) async fn network_for(
        &self,
        docker: &Docker,
        request: &ActivationRequest,
    ) -> Result<Network, Failed> {
        if request.network {
            let id = self.network.id(docker).await.map_err(|why| {
                Failed::before_create(RunFailure {
                    kind: RunFailureKind::Runtime,
                    message: format!(
                        "the function network {} cannot be used: {why}",
                        self.network.name()
                    ),
                })
            })?;
            Ok(Network::Function(id))
        } else {
            Ok(Network::None)
        }
    }

    /// The id of a created container, or why it could not be created.
    pub(super) async fn created(
        &self,
        created: Result<bollard::models::ContainerCreateResponse, DockerError>,
        network: &Network,
    ) -> Result<String, Failed> {
        match created {
            Ok(created) => Ok(created.id),
            Err(e) => {
                if let Network::Function(_) = network {
                    // The network may be gone: look again next time.
                    self.network.forget().await;
                }
                Err(Failed::before_create(runtime_failure(
                    "creating the container",
                    &e,
                )))
            }
        }
    }
}

/// Attaches to the created container `id`: its stdout and stderr (and stdin, to
/// write the parameter or the init frame), streaming. Before start, or the first
/// output is lost.
pub(super) async fn attach(
    docker: &Docker,
    id: &str,
    stdin: bool,
    timings: &mut StepTimings,
) -> Result<AttachContainerResults, Failed> {
    let step = Instant::now();
    let options = AttachContainerOptionsBuilder::default()
        .stdout(true)
        .stderr(true)
        .stdin(stdin)
        .stream(true)
        .build();
    let attached = docker
        .attach_container(id, Some(options))
        .await
        .map_err(|e| engine_failed(id, "attaching to the container", &e))?;
    timings.attach_ms = millis(step.elapsed());
    Ok(attached)
}

/// Starts the created container `id`.
pub(super) async fn start(
    docker: &Docker,
    id: &str,
    timings: &mut StepTimings,
) -> Result<(), Failed> {
    let step = Instant::now();
    docker
        .start_container(id, None)
        .await
        .map_err(|e| engine_failed(id, "starting the container", &e))?;
    timings.start_ms = millis(step.elapsed());
    Ok(())
}
