//! The Docker network of functions with `network: true`: ours, never Docker's
//! default `bridge` nor the platform's own network, with container-to-container
//! traffic off.
//!
//! The worker creates [`DEFAULT_NETWORK`] (or the network `FAAS_FUNCTION_NETWORK`
//! names) on first use when it is missing: a bridge with
//! `com.docker.network.bridge.enable_icc=false`, labelled [`LABEL_NETWORK`]. Docker
//! keeps bridge networks apart from one another, so a function on it reaches neither
//! NATS, the API servers and APISIX on theirs, nor other functions on it. What it
//! still reaches (the internet, the host's published ports, cloud metadata) and how
//! an operator narrows that is in docs/architecture.md, "Function networking".
//!
//! An operator may name a network they made instead (e.g. `--internal` for no egress
//! at all); the worker checks it once before first use: not one of Docker's own, a
//! bridge only with container-to-container traffic off, and no container on it but
//! functions (so never the platform's network).

use std::collections::HashMap;
use std::sync::Arc;

use bollard::Docker;
use bollard::errors::Error as DockerError;
use bollard::models::{NetworkCreateRequest, NetworkInspect};

use crate::labels::{LABEL_ACTIVATION, LABEL_NETWORK};

/// `FAAS_FUNCTION_NETWORK` unless set.
pub const DEFAULT_NETWORK: &str = "faas-functions";
const ICC: &str = "com.docker.network.bridge.enable_icc";
const BRIDGE_NAME: &str = "com.docker.network.bridge.name";

/// Refuses the names that are never a function network: Docker's own networks
/// (`bridge` has container-to-container traffic on, `host` is the host's) and
/// another container's namespace.
pub fn check_name(name: &str) -> Result<(), String> {
    match name {
        "" => Err("the name is empty".into()),
        "bridge" | "default" => Err(
            "Docker's default bridge lets containers reach one another; name a network of ours (default faas-functions)".into(),
        ),
        "host" => Err("the host's network is not a sandbox".into()),
        "none" => Err(
            "functions with network: true need a network; to give them none, name an operator-made --internal network".into(),
        ),
        _ if name.starts_with("container:") => {
            Err("another container's network namespace is not ours".into())
        }
        _ => Ok(()),
    }
}

/// The Linux interface name of the bridge the worker creates: the same for every
/// worker on an engine, so that workers racing to create the network collide on it
/// and exactly one creates it (Docker 20.10 would otherwise create several networks
/// of one name).
fn interface_name(network: &str) -> String {
    let fits = network.len() <= 15
        && network
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if fits {
        return network.to_owned();
    }
    // FNV-1a: stable across processes and builds, unlike the std hasher.
    let hash = network.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("faas-{:010x}", hash & 0xff_ffff_ffff)
}

/// The function network, checked (and created if missing) on first use; its id is
/// kept until a container fails to join it.
#[derive(Clone)]
pub struct FunctionNetwork {
    name: String,
    id: Arc<tokio::sync::Mutex<Option<String>>>,
}

impl FunctionNetwork {
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            id: Arc::default(),
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The network's id; why it cannot be used otherwise.
    pub async fn id(&self, docker: &Docker) -> Result<String, String> {
        let mut id = self.id.lock().await;
        if let Some(id) = &*id {
            return Ok(id.clone());
        }
        check_name(&self.name)?;
        let found = ensure(docker, &self.name).await?;
        *id = Some(found.clone());
        Ok(found)
    }

    /// Checks the network again on next use (it may have been removed).
    pub async fn forget(&self) {
        *self.id.lock().await = None;
    }
}

async fn ensure(docker: &Docker, name: &str) -> Result<String, String> {
    match docker.inspect_network(name, None).await {
        Ok(network) => return check(docker, network).await,
        Err(DockerError::DockerResponseServerError {
            status_code: 404, ..
        }) => {}
        Err(e) => return Err(format!("inspecting it failed: {e}")),
    }
    let request = NetworkCreateRequest {
        name: name.to_owned(),
        driver: Some("bridge".into()),
        options: Some(HashMap::from([
            (ICC.to_owned(), "false".to_owned()),
            (BRIDGE_NAME.to_owned(), interface_name(name)),
        ])),
        labels: Some(HashMap::from([(
            LABEL_NETWORK.to_owned(),
            "true".to_owned(),
        )])),
        ..Default::default()
    };
    match docker.create_network(request).await {
        Ok(created) => {
            tracing::info!(network = name, id = %created.id, "created the function network");
            Ok(created.id)
        }
        // Most likely another worker on this engine created it first.
        Err(create_error) => match docker.inspect_network(name, None).await {
            Ok(network) => check(docker, network).await,
            Err(_) => Err(format!("creating it failed: {create_error}")),
        },
    }
}

/// A network that exists: usable for functions, or why not.
async fn check(docker: &Docker, network: NetworkInspect) -> Result<String, String> {
    let id = network.id.clone().unwrap_or_default();
    let driver = network.driver.as_deref().unwrap_or_default();
    if matches!(driver, "host" | "null") {
        return Err(format!("its driver is {driver}"));
    }
    let options = network.options.unwrap_or_default();
    if driver == "bridge" && options.get(ICC).map(String::as_str) != Some("false") {
        return Err(format!(
            "container-to-container traffic is on: functions could reach one another (create it with -o {ICC}=false)"
        ));
    }
    for (container, endpoint) in network.containers.unwrap_or_default() {
        let labels = match docker.inspect_container(&container, None).await {
            Ok(inspect) => inspect.config.and_then(|c| c.labels).unwrap_or_default(),
            // Gone in the meantime.
            Err(_) => continue,
        };
        if !labels.contains_key(LABEL_ACTIVATION) {
            let name = endpoint.name.unwrap_or(container);
            return Err(format!(
                "container {name} is on it and is not a function: a function network must hold functions only (is it the platform's own network?)"
            ));
        }
    }
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_s_own_networks_are_refused() {
        for bad in ["", "bridge", "host", "none", "default", "container:nats"] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
        assert!(check_name(DEFAULT_NETWORK).is_ok());
        assert!(check_name("egress-proxied").is_ok());
    }

    #[test]
    fn interface_names_fit_linux_and_are_stable() {
        assert_eq!(interface_name(DEFAULT_NETWORK), "faas-functions");
        let long = interface_name("a-very-long-network-name.example");
        assert!(long.len() <= 15, "{long}");
        assert_eq!(long, interface_name("a-very-long-network-name.example"));
        assert_ne!(long, interface_name("a-very-long-network-name.example2"));
    }
}
