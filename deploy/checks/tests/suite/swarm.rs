//! `docker-stack.yml` on a real Docker Swarm of one node: `docker stack deploy`
//! with the stack file itself and an override that only swaps in the offline
//! `faas/*:TAG` images, names the secrets for this run, lets the one node hold
//! several workers and runs no APISIX (its image cannot be had here). The test
//! talks to server-1 directly, over a port it publishes in host mode for the test
//! only, in place of the gateway.
//!
//! The engine is left as it was found: the test makes a one-node swarm only when
//! the engine is in none, and leaves it (and removes the `docker_gwbridge` network
//! that joining made) when it ends, failed or not.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use faas_testkit::Api;
use faas_testkit::compose::{docker, stderr, stdout};
use reqwest::StatusCode;

use crate::compose::{add_reverse, assert_conformance, invoke, register};
use crate::repo::{TAG, keygen, root};

/// The engine in a swarm for the test's length: the one it was in, or a one-node
/// swarm made for the test and left when dropped.
struct Swarm {
    made: bool,
    /// Whether `docker_gwbridge` was there before: joining a swarm makes it, and
    /// leaving does not remove it.
    had_gwbridge: bool,
}

impl Swarm {
    fn join() -> Self {
        let state = stdout(&docker(&[
            "info",
            "-f",
            "{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}}",
        ]));
        let had_gwbridge = docker(&["network", "inspect", "docker_gwbridge"])
            .status
            .success();
        match state.as_str() {
            "inactive false" => {
                let init = docker(&["swarm", "init", "--advertise-addr", "127.0.0.1"]);
                assert!(
                    init.status.success(),
                    "docker swarm init: {}",
                    stderr(&init)
                );
                Self {
                    made: true,
                    had_gwbridge,
                }
            }
            "active true" => Self {
                made: false,
                had_gwbridge,
            },
            other => panic!("the engine is in a swarm it does not manage ({other}): cannot deploy"),
        }
    }
}

impl Drop for Swarm {
    fn drop(&mut self) {
        if self.made {
            let left = docker(&["swarm", "leave", "--force"]);
            if !left.status.success() {
                eprintln!("docker swarm leave: {}", stderr(&left));
            }
            if !self.had_gwbridge {
                docker(&["network", "rm", "docker_gwbridge"]);
            }
        }
    }
}

/// The secrets `docker-stack.yml` names (external), as keygen writes them.
const SECRETS: [&str; 9] = [
    "jwt.pem",
    "jwt.pub",
    "tls.crt",
    "tls.key",
    "server.password",
    "worker.password",
    "request.key",
    "secrets.key",
    "nats.conf",
];

/// One deployed stack, removed (services, secrets, volumes) when dropped; its
/// services' logs are printed first if the thread is panicking.
struct Stack {
    name: String,
    secrets: Vec<String>,
    removed: bool,
}

impl Stack {
    /// Deploys `docker-stack.yml` and the override `override_file` as `name`, with
    /// the secrets keygen made in `secrets_dir` under this run's names.
    fn deploy(name: &str, secrets_dir: &Path, override_file: &Path) -> Self {
        let mut stack = Self {
            name: name.to_owned(),
            secrets: Vec::new(),
            removed: false,
        };
        for secret in SECRETS {
            let secret_name = stack.secret_name(secret);
            let file = secrets_dir.join(secret).display().to_string();
            let created = docker(&["secret", "create", &secret_name, &file]);
            assert!(
                created.status.success(),
                "docker secret create: {}",
                stderr(&created)
            );
            stack.secrets.push(secret_name);
        }
        let socket_group = std::fs::metadata("/var/run/docker.sock")
            .map(|m| std::os::unix::fs::MetadataExt::gid(&m))
            .expect("a local Docker Engine socket");
        let deployed = Command::new("docker")
            .args(["stack", "deploy", "-c", "docker-stack.yml", "-c"])
            .arg(override_file)
            .arg(name)
            .current_dir(root())
            .env("DOCKER_GID", socket_group.to_string())
            .output()
            .expect("docker runs");
        assert!(
            deployed.status.success(),
            "docker stack deploy: {}",
            stderr(&deployed)
        );
        stack
    }

    fn secret_name(&self, secret: &str) -> String {
        format!("faas_{secret}-{}", self.name)
    }

    fn service(&self, service: &str) -> String {
        format!("{}_{service}", self.name)
    }

    /// The service's running tasks, once they are `expected` or a minute has
    /// passed.
    fn running_tasks(&self, service: &str, expected: usize) -> usize {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let running = self.running_now(service);
            if running == expected || Instant::now() > deadline {
                return running;
            }
            std::thread::sleep(Duration::from_millis(500));
        }
    }

    /// The service's tasks that run now.
    fn running_now(&self, service: &str) -> usize {
        let tasks = docker(&[
            "service",
            "ps",
            "--filter",
            "desired-state=running",
            "--format",
            "{{.CurrentState}}",
            &self.service(service),
        ]);
        stdout(&tasks)
            .lines()
            .filter(|state| state.starts_with("Running"))
            .count()
    }

    /// `docker service scale` of the workers, waiting until they converge.
    fn scale_workers(&self, workers: usize) {
        let scale = format!("{}={workers}", self.service("worker"));
        let scaled = docker(&["service", "scale", &scale]);
        assert!(
            scaled.status.success(),
            "docker service scale: {}",
            stderr(&scaled)
        );
        assert_eq!(
            self.running_tasks("worker", workers),
            workers,
            "workers after scaling"
        );
    }

    /// The stack's containers, networks and volumes (labelled with its namespace).
    fn leftovers(&self) -> BTreeMap<&'static str, String> {
        let label = format!("label=com.docker.stack.namespace={}", self.name);
        [
            (
                "service",
                docker(&["service", "ls", "-q", "--filter", &label]),
            ),
            ("container", docker(&["ps", "-aq", "--filter", &label])),
            (
                "network",
                docker(&["network", "ls", "-q", "--filter", &label]),
            ),
            (
                "config",
                docker(&["config", "ls", "-q", "--filter", &label]),
            ),
        ]
        .into_iter()
        .map(|(kind, output)| (kind, stdout(&output)))
        .filter(|(_, ids)| !ids.is_empty())
        .collect()
    }

    /// `docker stack rm`, then its volumes and secrets once its containers are
    /// gone; nothing of it may be left within a minute.
    fn remove(&mut self) -> Result<(), String> {
        self.removed = true;
        let removed = docker(&["stack", "rm", &self.name]);
        if !removed.status.success() {
            return Err(format!("docker stack rm: {}", stderr(&removed)));
        }
        let deadline = Instant::now() + Duration::from_secs(60);
        while !self.leftovers().is_empty() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(500));
        }
        let label = format!("label=com.docker.stack.namespace={}", self.name);
        let volumes = stdout(&docker(&["volume", "ls", "-q", "--filter", &label]));
        for volume in volumes.lines() {
            docker(&["volume", "rm", volume]);
        }
        for secret in &self.secrets {
            docker(&["secret", "rm", secret]);
        }
        let mut left = self.leftovers();
        let volumes = stdout(&docker(&["volume", "ls", "-q", "--filter", &label]));
        if !volumes.is_empty() {
            left.insert("volume", volumes);
        }
        let secrets: Vec<&String> = self
            .secrets
            .iter()
            .filter(|s| docker(&["secret", "inspect", s]).status.success())
            .collect();
        if !secrets.is_empty() {
            left.insert("secret", format!("{secrets:?}"));
        }
        if left.is_empty() {
            Ok(())
        } else {
            Err(format!("left by {}: {left:?}", self.name))
        }
    }
}

impl Drop for Stack {
    fn drop(&mut self) {
        if !self.removed {
            if std::thread::panicking() {
                for service in ["nats", "server-1", "server-2", "worker"] {
                    let logs = docker(&["service", "logs", "--tail", "20", &self.service(service)]);
                    eprintln!("--- {service}\n{}{}", stdout(&logs), stderr(&logs));
                }
            }
            if let Err(e) = self.remove() {
                eprintln!("{e}");
            }
        }
    }
}

/// A free TCP port on the host (bound, then released).
fn free_port() -> u16 {
    std::net::TcpListener::bind("0.0.0.0:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The test's override of `docker-stack.yml`: the offline images, one worker to
/// start with and room for more on the one node (the stack places one a node),
/// no APISIX, server-1's API published on `port` in host mode, and the secrets
/// under this run's names.
fn override_file(stack: &str, port: u16) -> String {
    let mut file = format!(
        "version: \"3.8\"\n\
         services:\n  \
           nats: {{image: \"faas/nats:{TAG}\"}}\n  \
           server-1:\n    \
             image: \"faas/server:{TAG}\"\n    \
             ports: [{{target: 8080, published: {port}, protocol: tcp, mode: host}}]\n  \
           server-2: {{image: \"faas/server:{TAG}\"}}\n  \
           worker:\n    \
             image: \"faas/worker:{TAG}\"\n    \
             deploy: {{replicas: 1, placement: {{max_replicas_per_node: 2}}}}\n  \
           apisix: {{deploy: {{replicas: 0}}}}\n\
         secrets:\n"
    );
    for secret in SECRETS {
        file.push_str(&format!(
            "  faas_{secret}: {{external: true, name: \"faas_{secret}-{stack}\"}}\n"
        ));
    }
    file
}

/// The stack on a one-node swarm: server-1 answers `/readyz` once NATS (a DNS
/// round-robin name: no virtual IPs without IPVS) is up; the workers scale from one
/// to two, and the conformance suite passes with both; back at one worker a
/// function is still answered; `docker stack rm` then leaves no service, container,
/// network, config, volume or secret of it.
#[tokio::test(flavor = "multi_thread")]
async fn swarm_stack_passes_conformance_and_scales_its_workers() {
    for image in ["nats", "server", "worker"] {
        let image = format!("faas/{image}:{TAG}");
        assert!(
            docker(&["image", "inspect", &image]).status.success(),
            "{image} is missing: TAG={TAG} PROFILE=debug deploy/build-images.sh makes it"
        );
    }
    let _swarm = Swarm::join();
    let name = format!("faasswarm{}", std::process::id());
    let secrets = tempfile::tempdir().unwrap();
    keygen(secrets.path());
    let port = free_port();
    let override_path = secrets.path().join("override.yml");
    std::fs::write(&override_path, override_file(&name, port)).unwrap();
    let started = Instant::now();
    let mut stack = Stack::deploy(&name, secrets.path(), &override_path);

    let server = Api::plain(format!("http://127.0.0.1:{port}"));
    assert!(
        server
            .ready_within(StatusCode::OK, Duration::from_secs(120))
            .await,
        "server-1 never became ready"
    );
    println!("ready after {:.0?}", started.elapsed());
    let server_2 = tokio::task::block_in_place(|| stack.running_tasks("server-2", 1));
    assert_eq!(server_2, 1, "server-2 runs");

    tokio::task::block_in_place(|| stack.scale_workers(2));
    assert_conformance(&server, "Swarm").await;

    tokio::task::block_in_place(|| stack.scale_workers(1));
    let user = register(&server, "swarm").await;
    let token = server.token(&user).await;
    add_reverse(&server, &token, "reverse").await;
    let (status, body) = invoke(&server, &token, "reverse", "swarm").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["result"], "mraws");

    let removed = tokio::task::block_in_place(|| stack.remove());
    removed.unwrap();
    println!("done after {:.0?}", started.elapsed());
}
