//! The Kubernetes deployment (`deploy/k8s`) agrees with the code and with compose:
//! each overlay renders offline with `kubectl kustomize`, and the rendered objects
//! are checked against the router (probe paths), the timeout budget (grace
//! periods), the NATS names (KEDA's stream and consumer), the settings the code
//! reads (`FAAS_*`), compose (images, settings, ports), the Secrets that
//! `deploy/k8s/secrets.sh` makes with keygen, and a real nats-server started with
//! the rendered NATS config (credentials required; the server's own set-up of the
//! stream and buckets works there; KEDA's monitoring query finds the consumer's
//! lag).
//!
//! There is no cluster here: nothing is applied, KEDA and the CNI are not run.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use async_nats::jetstream::{self, consumer::AckPolicy, consumer::pull};
use faas_api::Limits;
use faas_api::api::ROUTES;
use faas_shared::budget::{GATEWAY_TIMEOUT, LONGEST_SERVER_WAIT, WORKER_STOP_GRACE};
use faas_shared::nats::{
    ACTIVATIONS_STREAM, SERVER_INBOX_PREFIX, SERVER_USER, WORKER_INBOX_PREFIX, WORKER_USER,
    WORKERS_CONSUMER, activation_subject,
};

use crate::repo::{faas_names, files_under, repo_file, repo_yaml, root, yaml_documents};
use faas_shared::paths;
use serde_json::Value;

const OVERLAYS: [&str; 2] = ["dev", "prod"];
const NAMESPACE: &str = "faas";

/// The objects of one rendered overlay.
struct Rendered {
    overlay: &'static str,
    objects: Vec<Value>,
}

impl Rendered {
    fn of(overlay: &'static str) -> Self {
        let output = Command::new("kubectl")
            .arg("kustomize")
            .arg(root().join("deploy/k8s/overlays").join(overlay))
            .output()
            .expect("kubectl runs (apt-get install kubernetes-client; .ci/run does)");
        assert!(
            output.status.success(),
            "kubectl kustomize deploy/k8s/overlays/{overlay}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let objects = yaml_documents(&String::from_utf8(output.stdout).unwrap());
        Self { overlay, objects }
    }

    fn find(&self, kind: &str, name: &str) -> &Value {
        self.objects
            .iter()
            .find(|o| o["kind"] == kind && o["metadata"]["name"] == name)
            .unwrap_or_else(|| panic!("{}: no {kind} {name}", self.overlay))
    }

    fn all(&self, kind: &str) -> impl Iterator<Item = &Value> {
        self.objects.iter().filter(move |o| o["kind"] == kind)
    }

    /// The ConfigMap generated as `name` (kustomize appends a content hash).
    fn config_map(&self, name: &str) -> &Value {
        self.all("ConfigMap")
            .find(|o| {
                o["metadata"]["name"]
                    .as_str()
                    .and_then(|n| n.strip_prefix(name))
                    .is_some_and(|rest| rest.starts_with('-'))
            })
            .unwrap_or_else(|| panic!("{}: no ConfigMap {name}-<hash>", self.overlay))
    }

    /// The workload's pod template spec.
    fn pod(&self, kind: &str, name: &str) -> &Value {
        &self.find(kind, name)["spec"]["template"]["spec"]
    }

    /// The `env` of a workload's container as name → value (`valueFrom` → "").
    fn env(&self, kind: &str, name: &str, container: &str) -> BTreeMap<String, String> {
        let container = container_named(self.pod(kind, name), container);
        container["env"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| {
                (
                    e["name"].as_str().unwrap().to_owned(),
                    e["value"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect()
    }
}

fn container_named<'a>(pod: &'a Value, name: &str) -> &'a Value {
    ["containers", "initContainers"]
        .iter()
        .flat_map(|list| pod[*list].as_array().into_iter().flatten())
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no container {name}"))
}

/// The container port a probe or Service names (by name or number).
fn port_number(container: &Value, port: &Value) -> u64 {
    port.as_u64().unwrap_or_else(|| {
        container["ports"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == *port)
            .and_then(|p| p["containerPort"].as_u64())
            .unwrap_or_else(|| panic!("no port {port}"))
    })
}

/// Secret name → its keys, as `deploy/k8s/secrets.sh` makes them (with keygen);
/// the files are kept in `dir`.
fn secrets(dir: &Path) -> BTreeMap<String, BTreeMap<String, String>> {
    let output = Command::new("sh")
        .arg(root().join("deploy/k8s/secrets.sh"))
        .arg(dir)
        .output()
        .expect("sh runs");
    assert!(
        output.status.success(),
        "deploy/k8s/secrets.sh: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    yaml_documents(&String::from_utf8(output.stdout).unwrap())
        .into_iter()
        .map(|secret| {
            assert_eq!(secret["kind"], "Secret");
            assert_eq!(secret["metadata"]["namespace"], NAMESPACE);
            let keys = secret["data"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
                .collect();
            (
                secret["metadata"]["name"].as_str().unwrap().to_owned(),
                keys,
            )
        })
        .collect()
}

#[test]
fn every_overlay_renders_every_component_in_the_namespace() {
    for overlay in OVERLAYS {
        let r = Rendered::of(overlay);
        r.find("Namespace", NAMESPACE);
        r.find("StatefulSet", "nats");
        for name in ["server", "worker", "apisix"] {
            r.find("Deployment", name);
        }
        for name in ["nats", "server", "worker", "apisix"] {
            r.find("PodDisruptionBudget", name);
        }
        r.find("ScaledObject", "worker");
        for object in r.objects.iter().filter(|o| o["kind"] != "Namespace") {
            assert_eq!(
                object["metadata"]["namespace"], NAMESPACE,
                "{overlay}: {} {} outside the namespace",
                object["kind"], object["metadata"]["name"]
            );
        }
        // Secrets come from secrets.sh, never from the repository.
        assert_eq!(r.all("Secret").count(), 0, "{overlay} renders a Secret");
    }
}

/// Images and settings are compose's: the same images, the same `FAAS_*` names, the
/// same values but for the ones the topology decides (NATS URL and replicas, fair
/// share); every `FAAS_*` name is read by the code.
#[test]
fn images_and_settings_match_compose_and_the_code() {
    let compose = repo_yaml("docker-compose.yml");
    let compose_env = |service: &Value| -> BTreeMap<String, String> {
        service["environment"]
            .as_object()
            .unwrap()
            .iter()
            .filter(|(k, _)| k.starts_with("FAAS_"))
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
            .collect()
    };
    let code = |dirs: &[&str]| {
        let files: Vec<String> = dirs.iter().flat_map(|d| files_under(d, "rs")).collect();
        faas_names(&files)
    };
    let common = ["process/src", "shared/src"];
    let cases = [
        (
            "server",
            &compose["x-server"],
            code(&[&common[..], &["api/src"]].concat()),
        ),
        (
            "worker",
            &compose["services"]["worker"],
            code(&[&common[..], &["worker/src"]].concat()),
        ),
    ];
    let topology = [
        "FAAS_NATS_URL",
        "FAAS_NATS_REPLICAS",
        "FAAS_MAX_INFLIGHT_PER_USER",
    ];
    for overlay in OVERLAYS {
        let r = Rendered::of(overlay);
        for (name, service, read_by_code) in &cases {
            let container = container_named(r.pod("Deployment", name), name);
            assert_eq!(
                container["image"], service["image"],
                "{overlay}: {name} image"
            );
            let env = r.env("Deployment", name, name);
            let expected = compose_env(service);
            let k8s_names: BTreeSet<&String> =
                env.keys().filter(|k| k.starts_with("FAAS_")).collect();
            let compose_names: BTreeSet<&String> = expected.keys().collect();
            assert_eq!(
                k8s_names, compose_names,
                "{overlay}: {name} sets other settings than compose"
            );
            for var in k8s_names {
                assert!(
                    read_by_code.contains(var.as_str()),
                    "{overlay}: {name} sets {var}, which faas-{name} does not read"
                );
                if !topology.contains(&var.as_str()) {
                    assert_eq!(env[var], expected[var], "{overlay}: {name} {var}");
                }
            }
        }
        let nats = container_named(r.pod("StatefulSet", "nats"), "nats");
        assert_eq!(nats["image"], compose["services"]["nats"]["image"]);
        let apisix = container_named(r.pod("Deployment", "apisix"), "apisix");
        assert_eq!(apisix["image"], compose["services"]["apisix"]["image"]);
    }
}

/// The server listens where its probes and Services point, readiness is `/readyz`
/// and liveness `/healthz`, both public routes of the router; the upstream nodes of
/// `apisix/apisix.yaml` are Services on that port.
#[test]
fn probes_and_ports_match_the_router_and_the_gateway() {
    let public = |path: &str| {
        ROUTES
            .iter()
            .any(|r| r.method == "GET" && r.path == path && !r.access.needs_token())
    };
    assert!(public(paths::READYZ) && public(paths::HEALTHZ));
    let gateway = repo_yaml("apisix/apisix.yaml");
    let nodes: Vec<String> = gateway["upstreams"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|u| u["nodes"].as_object().unwrap().keys().cloned())
        .collect();
    assert!(!nodes.is_empty());
    for overlay in OVERLAYS {
        let r = Rendered::of(overlay);
        let server = container_named(r.pod("Deployment", "server"), "server");
        let env = r.env("Deployment", "server", "server");
        let listen_port: u64 = env["FAAS_LISTEN"]
            .rsplit(':')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        for (probe, path) in [
            ("readinessProbe", paths::READYZ),
            ("livenessProbe", paths::HEALTHZ),
        ] {
            let get = &server[probe]["httpGet"];
            assert_eq!(get["path"], path, "{overlay}: server {probe}");
            assert_eq!(
                port_number(server, &get["port"]),
                listen_port,
                "{overlay}: {probe} port"
            );
        }
        for node in &nodes {
            let (host, port) = node.split_once(':').unwrap();
            let service = r.find("Service", host);
            assert_eq!(
                service["spec"]["selector"]["app.kubernetes.io/name"],
                "server"
            );
            let ports = service["spec"]["ports"].as_array().unwrap();
            assert!(
                ports.iter().any(|p| p["port"].as_u64() == port.parse().ok()
                    && port_number(server, &p["targetPort"]) == listen_port),
                "{overlay}: Service {host} does not forward {port} to the server"
            );
        }
        // The gateway publishes what compose publishes.
        let apisix = container_named(r.pod("Deployment", "apisix"), "apisix");
        for port in [9080, 9443] {
            assert!(
                apisix["ports"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|p| p["containerPort"] == port),
                "{overlay}: APISIX lacks {port}"
            );
        }
    }
}

/// One copy of the gateway's files: the ConfigMap is `apisix/` itself, mounted where
/// compose mounts it; the variables `apisix.yaml` reads come from Secret values.
#[test]
fn apisix_runs_the_repository_files() {
    for overlay in OVERLAYS {
        let r = Rendered::of(overlay);
        let config = r.config_map("apisix");
        for file in ["config.yaml", "apisix.yaml"] {
            assert_eq!(
                config["data"][file].as_str(),
                Some(repo_file(&format!("apisix/{file}")).as_str()),
                "{overlay}: ConfigMap apisix is not apisix/{file}"
            );
        }
        let pod = r.pod("Deployment", "apisix");
        let container = container_named(pod, "apisix");
        let mounts: BTreeSet<(String, String)> = container["volumeMounts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                (
                    m["mountPath"].as_str().unwrap().to_owned(),
                    m["subPath"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect();
        for file in ["config.yaml", "apisix.yaml"] {
            assert!(mounts.contains(&(format!("/usr/local/apisix/conf/{file}"), file.to_owned())));
        }
        assert_eq!(
            pod["volumes"][0]["configMap"]["name"],
            config["metadata"]["name"]
        );
        let env = r.env("Deployment", "apisix", "apisix");
        let nginx_envs = repo_yaml("apisix/config.yaml")["nginx_config"]["envs"].clone();
        for var in env.keys() {
            assert!(
                nginx_envs
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|e| e == var.as_str()),
                "{overlay}: APISIX gets {var}, which config.yaml does not pass to nginx"
            );
        }
        assert_eq!(env.len(), nginx_envs.as_array().unwrap().len());
    }
}

/// Each stop is given what the timeout budget says it needs.
#[test]
fn grace_periods_cover_the_timeout_budget() {
    for overlay in OVERLAYS {
        let r = Rendered::of(overlay);
        for (name, at_least) in [
            ("worker", WORKER_STOP_GRACE),
            ("server", LONGEST_SERVER_WAIT),
            ("apisix", GATEWAY_TIMEOUT),
        ] {
            let grace = r.pod("Deployment", name)["terminationGracePeriodSeconds"]
                .as_u64()
                .unwrap_or(30);
            assert!(
                grace >= at_least.as_secs(),
                "{overlay}: {name} gets {grace} s to stop; it needs {at_least:?}"
            );
        }
        // The Docker sidecar must outlive the draining worker: a native sidecar
        // (an init container that keeps running) is stopped after the worker.
        let dockerd = container_named(r.pod("Deployment", "worker"), "dockerd");
        assert_eq!(
            dockerd["restartPolicy"], "Always",
            "{overlay}: dockerd is not a native sidecar"
        );
    }
}

/// KEDA scales the workers on the lag of the consumer the workers use, one worker
/// per FAAS_WORKER_SLOTS of lag, and the fair share is half of the slots KEDA
/// always keeps.
#[test]
fn keda_scales_the_workers_on_their_consumer() {
    for overlay in OVERLAYS {
        let r = Rendered::of(overlay);
        let scaled = &r.find("ScaledObject", "worker")["spec"];
        assert_eq!(scaled["scaleTargetRef"]["name"], "worker");
        assert!(
            r.find("Deployment", "worker")["spec"]["replicas"].is_null(),
            "{overlay}: the worker Deployment sets replicas, which fights KEDA"
        );
        let trigger = &scaled["triggers"][0];
        assert_eq!(trigger["type"], "nats-jetstream");
        let meta = &trigger["metadata"];
        assert_eq!(meta["stream"], ACTIVATIONS_STREAM);
        assert_eq!(meta["consumer"], WORKERS_CONSUMER);
        assert_eq!(
            meta["account"], "$G",
            "deploy/nats/auth.conf defines no accounts"
        );
        let slots = &r.env("Deployment", "worker", "worker")["FAAS_WORKER_SLOTS"];
        assert_eq!(meta["lagThreshold"].as_str(), Some(slots.as_str()));

        let service = r.find("Service", "nats");
        let monitor = service["spec"]["ports"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "monitor")
            .unwrap()["port"]
            .as_u64()
            .unwrap();
        assert_eq!(
            meta["natsServerMonitoringEndpoint"].as_str().unwrap(),
            format!("nats.{NAMESPACE}.svc.cluster.local:{monitor}")
        );
        let nats_conf = r.config_map("nats-config")["data"]["nats.conf"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(
            nats_conf.contains(&format!("\nhttp: 0.0.0.0:{monitor}\n")),
            "{overlay}: NATS does not serve monitoring on {monitor}"
        );

        let min = scaled["minReplicaCount"].as_u64().unwrap();
        let max = scaled["maxReplicaCount"].as_u64().unwrap();
        assert!(
            min >= 1,
            "{overlay}: scaling from zero outlasts the queue timeout"
        );
        assert!(max > min);
        let slots: u64 = slots.parse().unwrap();
        let share: u64 = r.env("Deployment", "server", "server")["FAAS_MAX_INFLIGHT_PER_USER"]
            .parse()
            .unwrap();
        assert_eq!(share, (min * slots / 2).max(1), "{overlay}: fair share");
    }
}

/// NATS is reachable on 4222 only from the pods labelled as its clients, which are
/// exactly the server and worker pods; on 6222 from its own nodes; on 8222 from
/// KEDA's operator; everything else in the namespace is denied by default.
#[test]
fn network_policies_let_only_servers_workers_and_keda_reach_nats() {
    for overlay in OVERLAYS {
        let r = Rendered::of(overlay);
        let deny = &r.find("NetworkPolicy", "default-deny-ingress")["spec"];
        assert_eq!(deny["podSelector"], serde_json::json!({}));
        assert!(deny["ingress"].is_null());

        let clients: BTreeSet<String> = r
            .all("Deployment")
            .chain(r.all("StatefulSet"))
            .filter(|o| {
                o["spec"]["template"]["metadata"]["labels"]["faas.io/nats-client"] == "true"
            })
            .map(|o| o["metadata"]["name"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(
            clients,
            BTreeSet::from(["server".to_owned(), "worker".to_owned()])
        );

        let policy = &r.find("NetworkPolicy", "nats")["spec"];
        assert_eq!(
            policy["podSelector"]["matchLabels"]["app.kubernetes.io/name"],
            "nats"
        );
        let mut allowed = BTreeMap::new();
        for rule in policy["ingress"].as_array().unwrap() {
            let from = rule["from"]
                .as_array()
                .expect("every NATS rule names its peers");
            assert_eq!(from.len(), 1, "{overlay}: one peer per NATS rule");
            let ports: Vec<u64> = rule["ports"]
                .as_array()
                .expect("every NATS rule names its ports")
                .iter()
                .map(|p| p["port"].as_u64().unwrap())
                .collect();
            assert_eq!(ports.len(), 1);
            allowed.insert(ports[0], from[0].clone());
        }
        assert_eq!(
            allowed.keys().copied().collect::<Vec<_>>(),
            [4222, 6222, 8222]
        );
        assert_eq!(
            allowed[&4222]["podSelector"]["matchLabels"]["faas.io/nats-client"],
            "true"
        );
        assert!(allowed[&4222]["namespaceSelector"].is_null());
        assert_eq!(
            allowed[&6222]["podSelector"]["matchLabels"]["app.kubernetes.io/name"],
            "nats"
        );
        assert_eq!(
            allowed[&8222]["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"],
            "keda"
        );
        assert_eq!(
            allowed[&8222]["podSelector"]["matchLabels"]["app.kubernetes.io/name"],
            "keda-operator"
        );
    }
}

/// The port of a `host:port` listen setting.
fn listen_port(listen: &str) -> u64 {
    listen.rsplit(':').next().unwrap().parse().unwrap()
}

/// The server's `FAAS_METRICS_LISTEN` and the worker's `FAAS_WORKER_METRICS_LISTEN`
/// are container ports named `metrics`; only namespaces labelled
/// `faas.io/metrics: allowed` may reach them, and nothing else is admitted to the
/// worker; no Service leads to them, so neither the gateway nor anyone outside can.
#[test]
fn metrics_ports_match_their_settings_and_only_prometheus_reaches_them() {
    let prometheus = serde_json::json!([{
        "namespaceSelector": {"matchLabels": {"faas.io/metrics": "allowed"}}
    }]);
    let gateway = serde_json::json!([{
        "podSelector": {"matchLabels": {"app.kubernetes.io/name": "apisix"}}
    }]);
    for overlay in OVERLAYS {
        let r = Rendered::of(overlay);
        for (name, setting) in [
            ("server", "FAAS_METRICS_LISTEN"),
            ("worker", "FAAS_WORKER_METRICS_LISTEN"),
        ] {
            let env = r.env("Deployment", name, name);
            let port = listen_port(
                env.get(setting)
                    .unwrap_or_else(|| panic!("{overlay}: {name} sets no {setting}")),
            );
            let container = container_named(r.pod("Deployment", name), name);
            assert_eq!(
                port_number(container, &serde_json::json!("metrics")),
                port,
                "{overlay}: {name}'s port `metrics` is not {setting}'s"
            );
            let policy = &r.find("NetworkPolicy", name)["spec"];
            assert_eq!(
                policy["podSelector"]["matchLabels"]["app.kubernetes.io/name"],
                name
            );
            for rule in policy["ingress"].as_array().unwrap() {
                let ports: Vec<u64> = rule["ports"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| p["port"].as_u64().unwrap())
                    .collect();
                if ports.contains(&port) {
                    assert_eq!(ports, [port], "{overlay}: {name} metrics rule");
                    assert_eq!(
                        rule["from"], prometheus,
                        "{overlay}: {name}'s metrics port admits more than Prometheus"
                    );
                } else {
                    assert_eq!(name, "server", "{overlay}: the worker admits {ports:?}");
                    assert_eq!(
                        rule["from"], gateway,
                        "{overlay}: the server's API admits more than the gateway"
                    );
                }
            }
            for service in r.all("Service") {
                let selects = service["spec"]["selector"]["app.kubernetes.io/name"] == name;
                for p in service["spec"]["ports"].as_array().unwrap() {
                    assert!(
                        !selects || port_number(container, &p["targetPort"]) != port,
                        "{overlay}: Service {} leads to {name}'s metrics",
                        service["metadata"]["name"]
                    );
                }
            }
        }
    }
}

/// Dev runs one NATS node with R1 streams; prod three with R3, and every client
/// lists the three nodes, which the routes in the Secret name.
#[test]
fn overlays_size_nats_and_its_replicas_together() {
    for overlay in OVERLAYS {
        let r = Rendered::of(overlay);
        let nodes = r.find("StatefulSet", "nats")["spec"]["replicas"]
            .as_u64()
            .unwrap();
        assert_eq!(nodes, if overlay == "prod" { 3 } else { 1 });
        let server = r.env("Deployment", "server", "server");
        assert_eq!(server["FAAS_NATS_REPLICAS"], nodes.to_string(), "{overlay}");
        let urls: Vec<String> = (0..nodes)
            .map(|n| format!("nats://nats-{n}.nats:4222"))
            .collect();
        let expected_url = if nodes == 1 {
            "nats://nats:4222".to_owned()
        } else {
            urls.join(",")
        };
        for name in ["server", "worker"] {
            assert_eq!(
                r.env("Deployment", name, name)["FAAS_NATS_URL"],
                expected_url,
                "{overlay}: {name}"
            );
        }
        let conf = r.config_map("nats-config")["data"]["nats.conf"]
            .as_str()
            .unwrap()
            .to_owned();
        let include = if nodes == 1 {
            "../auth/nats.conf"
        } else {
            "../auth/cluster.conf"
        };
        assert!(
            conf.contains(&format!("include \"{include}\"")),
            "{overlay}: {conf}"
        );
    }
}

/// Every Secret and key a pod mounts or reads is one that secrets.sh makes with
/// keygen, and each pod holds only its own: the worker never the JWT key or the
/// server's password.
#[test]
fn pods_use_the_secrets_keygen_makes_and_only_their_own() {
    let dir = tempfile::tempdir().unwrap();
    let made = secrets(dir.path());
    let cluster =
        String::from_utf8(std::fs::read(dir.path().join("nats/k8s-cluster.conf")).unwrap())
            .unwrap();
    for node in 0..3 {
        assert!(
            cluster.contains(&format!("@nats-{node}.nats:6222")),
            "{cluster}"
        );
    }
    for overlay in OVERLAYS {
        let r = Rendered::of(overlay);
        for (kind, name, allowed) in [
            (
                "Deployment",
                "server",
                &["faas-jwt", "faas-server-auth"][..],
            ),
            ("Deployment", "worker", &["faas-worker-auth"][..]),
            ("Deployment", "apisix", &["faas-gateway"][..]),
            ("StatefulSet", "nats", &["faas-nats-auth"][..]),
        ] {
            let pod = r.pod(kind, name);
            let mut used = BTreeSet::new();
            for volume in pod["volumes"].as_array().unwrap() {
                let secret = &volume["secret"];
                let Some(secret_name) = secret["secretName"].as_str() else {
                    continue;
                };
                let keys = made.get(secret_name).unwrap_or_else(|| {
                    panic!("{overlay}: {name} mounts {secret_name}, which secrets.sh does not make")
                });
                for item in secret["items"].as_array().into_iter().flatten() {
                    assert!(keys.contains_key(item["key"].as_str().unwrap()));
                }
                used.insert(secret_name.to_owned());
            }
            let containers = ["containers", "initContainers"]
                .iter()
                .flat_map(|l| pod[*l].as_array().into_iter().flatten());
            for container in containers {
                for e in container["env"].as_array().into_iter().flatten() {
                    let reference = &e["valueFrom"]["secretKeyRef"];
                    if let Some(secret_name) = reference["name"].as_str() {
                        let key = reference["key"].as_str().unwrap();
                        assert!(
                            made.get(secret_name).is_some_and(|k| k.contains_key(key)),
                            "{overlay}: {name} reads {secret_name}/{key}, which secrets.sh does not make"
                        );
                        used.insert(secret_name.to_owned());
                    }
                }
            }
            assert_eq!(
                used,
                allowed.iter().map(|s| s.to_string()).collect(),
                "{overlay}: {name} holds other secrets than its own"
            );
        }
        // The files the settings name are where the secrets are mounted.
        for name in ["server", "worker"] {
            let pod = r.pod("Deployment", name);
            let container = container_named(pod, name);
            for (var, path) in r.env("Deployment", name, name) {
                if !var.ends_with("_FILE") {
                    continue;
                }
                let (dir, file) = path.rsplit_once('/').unwrap();
                let mount = container["volumeMounts"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|m| m["mountPath"] == dir)
                    .unwrap_or_else(|| panic!("{overlay}: {name} {var}: nothing mounted at {dir}"));
                let volume = pod["volumes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|v| v["name"] == mount["name"])
                    .unwrap();
                let secret = volume["secret"]["secretName"].as_str().unwrap();
                assert!(
                    made[secret].contains_key(file),
                    "{overlay}: {name} {var}: {secret} has no {file}"
                );
            }
        }
    }
}

/// The rendered NATS config on a real nats-server, with keygen's users: a client
/// without credentials is refused; the server's user gets in and sets up the
/// stream and buckets with the server's own code (`faas_api::store::connect`, the
/// overlay's limits and replicas); the worker's user binds the `workers` consumer;
/// and KEDA's monitoring query (`/jsz?acc=$G&consumers=true&config=true`) reports
/// that consumer's pending messages, which is what it scales on.
#[tokio::test(flavor = "multi_thread")]
async fn rendered_nats_config_requires_credentials_and_shows_keda_the_lag() {
    faas_process::install_crypto_provider();
    let secrets_dir = tempfile::tempdir().unwrap();
    secrets(secrets_dir.path());
    let r = Rendered::of("dev");
    let conf = r.config_map("nats-config")["data"]["nats.conf"]
        .as_str()
        .unwrap()
        .to_owned();
    let (client_port, monitor_port) = (free_port(), free_port());
    // The pod's layout: /etc/nats/config/nats.conf includes ../auth/nats.conf.
    let etc = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(etc.path().join("config")).unwrap();
    std::fs::create_dir_all(etc.path().join("auth")).unwrap();
    let data = etc.path().join("data");
    let run = etc.path().join("run");
    std::fs::create_dir_all(&run).unwrap();
    let conf = conf
        .replace(
            "store_dir: /data",
            &format!("store_dir: {}", data.display()),
        )
        .replace("/var/run/nats", &run.display().to_string())
        .replace(
            "http: 0.0.0.0:8222",
            &format!("http: 127.0.0.1:{monitor_port}"),
        );
    std::fs::write(etc.path().join("config/nats.conf"), conf).unwrap();
    std::fs::copy(
        secrets_dir.path().join("nats/nats.conf"),
        etc.path().join("auth/nats.conf"),
    )
    .unwrap();
    let _nats = Nats(
        Command::new("nats-server")
            .arg("-c")
            .arg(etc.path().join("config/nats.conf"))
            .args(["-a", "127.0.0.1", "-p", &client_port.to_string()])
            .env("POD_NAME", "nats-0")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("nats-server runs (apt-get install nats-server)"),
    );
    let url = format!("nats://127.0.0.1:{client_port}");
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", client_port)).is_err() {
        assert!(Instant::now() < deadline, "nats-server did not start");
        std::thread::sleep(Duration::from_millis(100));
    }

    assert!(
        async_nats::connect(&url).await.is_err(),
        "a client without credentials got in"
    );
    // A client logged in as `user` with the password secrets.sh wrote in `file`.
    let login = async |user: &str, file: &str, inbox: &str| {
        let password = std::fs::read_to_string(secrets_dir.path().join(file)).unwrap();
        async_nats::ConnectOptions::with_user_and_password(user.into(), password.trim().into())
            .custom_inbox_prefix(inbox)
            .connect(&url)
            .await
    };
    let server = login(SERVER_USER, "server/server.password", SERVER_INBOX_PREFIX)
        .await
        .expect("the server's user gets in");
    // What faas-server sets up at start, by its own code, with the overlay's
    // limits (unset or 0: unlimited, as the server reads them) and replicas.
    let env = r.env("Deployment", "server", "server");
    let limit = |name: &str| {
        env.get(name)
            .and_then(|v| v.parse::<u32>().ok())
            .filter(|n| *n > 0)
    };
    let limits = Limits {
        max_inflight: limit("FAAS_MAX_INFLIGHT"),
        max_inflight_per_user: limit("FAAS_MAX_INFLIGHT_PER_USER"),
        ..Limits::default()
    };
    let replicas = env["FAAS_NATS_REPLICAS"].parse().unwrap();
    let js = jetstream::new(server);
    faas_api::store::connect(&js, &limits, replicas)
        .await
        .expect("the server's stream and buckets are created");
    // The workers' durable consumer, which each worker binds as its own user.
    let worker = login(WORKER_USER, "worker/worker.password", WORKER_INBOX_PREFIX)
        .await
        .expect("the worker's user gets in");
    jetstream::new(worker)
        .get_stream(ACTIVATIONS_STREAM)
        .await
        .unwrap()
        .get_or_create_consumer(
            WORKERS_CONSUMER,
            pull::Config {
                durable_name: Some(WORKERS_CONSUMER.into()),
                ack_policy: AckPolicy::Explicit,
                ..Default::default()
            },
        )
        .await
        .expect("the worker's user binds the consumer");
    // Three queued activations of three users, each within the fair share.
    for user in ["alice", "bob", "carol"] {
        js.publish(activation_subject(user), user.into())
            .await
            .unwrap()
            .await
            .unwrap();
    }

    // KEDA's request, against the monitoring port the ScaledObject names.
    let meta = &r.find("ScaledObject", "worker")["spec"]["triggers"][0]["metadata"];
    let jsz: Value = reqwest::get(format!(
        "http://127.0.0.1:{monitor_port}/jsz?acc={}&consumers=true&config=true",
        meta["account"].as_str().unwrap()
    ))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let account = jsz["account_details"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == meta["account"])
        .unwrap_or_else(|| panic!("KEDA's account is not in /jsz: {jsz}"));
    let stream = account["stream_detail"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == meta["stream"])
        .expect("KEDA's stream");
    let consumer = stream["consumer_detail"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == meta["consumer"])
        .expect("KEDA's consumer");
    let lag =
        consumer["num_pending"].as_u64().unwrap() + consumer["num_ack_pending"].as_u64().unwrap();
    assert_eq!(lag, 3, "{consumer}");
}

/// A nats-server child, killed when dropped.
struct Nats(Child);

impl Drop for Nats {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
