//! [`Stack`]: the compose deployment run for real, for the compose tests and the
//! scaling benchmark. One docker-compose project of the repository's own compose
//! files: keygen, the NATS node(s), both server replicas and the workers, with the
//! images `faas/*:TAG` that `deploy/build-images.sh` builds offline (a generated
//! override file only swaps in the tag). APISIX is not started (its image cannot be
//! had without a registry): callers talk to the server replicas directly, over
//! plain HTTP on the compose network.

use std::net::IpAddr;
use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use reqwest::StatusCode;
use tempfile::NamedTempFile;

use crate::api::Api;

/// Which compose files a stack runs, and its NATS nodes.
#[derive(Clone, Copy, Debug)]
pub struct Topology {
    /// Relative to the repository root, in `-f` order.
    pub files: &'static [&'static str],
    /// The NATS services; the first is the base file's `nats`.
    pub nats: &'static [&'static str],
}

/// `docker-compose.yml`: one NATS node.
pub const SINGLE: Topology = Topology {
    files: &["docker-compose.yml"],
    nats: &["nats"],
};

/// `docker-compose.yml` with `docker-compose.cluster.yml`: a 3-node JetStream
/// cluster, R3 stream and buckets (`nats` is node nats-1).
pub const CLUSTER: Topology = Topology {
    files: &["docker-compose.yml", "docker-compose.cluster.yml"],
    nats: &["nats", "nats-2", "nats-3"],
};

/// The images a stack runs, as `faas/<name>:TAG`.
const IMAGES: [&str; 4] = ["server", "worker", "keygen", "nats"];

/// One docker-compose project, torn down (volumes included) when dropped; its
/// logs are printed first if the thread is panicking.
pub struct Stack {
    project: String,
    topology: Topology,
    /// The `-f` arguments: the topology's files, then the override.
    files: Vec<String>,
    _override: NamedTempFile,
    down: bool,
}

impl Stack {
    /// `docker-compose up -d` of keygen, the topology's NATS nodes, both servers
    /// and `workers` workers, with the images tagged `tag`; the project is named
    /// after `name` and this process.
    pub fn up(name: &str, tag: &str, topology: Topology, workers: usize) -> Self {
        let missing = missing_images(tag);
        assert!(
            missing.is_empty(),
            "missing images {missing:?}: build them with `TAG={tag} deploy/build-images.sh` \
             (scripts/test.sh builds the :test ones with PROFILE=debug)"
        );
        // The tags, and no account is "new": test users register and call at once.
        let override_file = tempfile::Builder::new().suffix(".yml").tempfile().unwrap();
        let mut services = format!(
            "version: \"2.4\"\nservices:\n  keygen: {{image: \"faas/keygen:{tag}\"}}\n  server-1: {{image: \"faas/server:{tag}\", environment: {{FAAS_NEW_ACCOUNT_SECS: \"0\"}}}}\n  server-2: {{image: \"faas/server:{tag}\", environment: {{FAAS_NEW_ACCOUNT_SECS: \"0\"}}}}\n  worker: {{image: \"faas/worker:{tag}\"}}\n"
        );
        for node in topology.nats {
            services.push_str(&format!("  {node}: {{image: \"faas/nats:{tag}\"}}\n"));
        }
        std::fs::write(override_file.path(), services).unwrap();
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut files: Vec<String> = topology
            .files
            .iter()
            .map(|f| root.join(f).display().to_string())
            .collect();
        files.push(override_file.path().display().to_string());
        let stack = Self {
            project: format!("faas{name}{}", std::process::id()),
            topology,
            files,
            _override: override_file,
            down: false,
        };
        let scale = format!("worker={workers}");
        let mut args = vec!["up", "-d", "--no-build", "--scale", &scale];
        args.extend(["keygen", "server-1", "server-2", "worker"]);
        args.extend(topology.nats);
        let up = stack.compose(&args);
        assert!(up.status.success(), "compose up: {}", stderr(&up));
        stack
    }

    /// The NATS services of its topology.
    pub fn nats_nodes(&self) -> &'static [&'static str] {
        self.topology.nats
    }

    /// `docker-compose` with this project's name and files. The worker joins the
    /// group owning the host's Docker socket (`DOCKER_GID`).
    pub fn compose(&self, args: &[&str]) -> Output {
        let socket_group = std::fs::metadata("/var/run/docker.sock")
            .map(|m| std::os::unix::fs::MetadataExt::gid(&m))
            .expect("a local Docker Engine socket");
        let mut command = Command::new("docker-compose");
        command.args(["-p", &self.project]);
        for file in &self.files {
            command.args(["-f", file]);
        }
        command
            .args(args)
            .env("DOCKER_GID", socket_group.to_string())
            .output()
            .expect("docker-compose runs (apt-get install docker-compose)")
    }

    /// Full ids of the service's containers.
    pub fn containers(&self, service: &str) -> Vec<String> {
        let ps = self.compose(&["ps", "-q", service]);
        stdout(&ps).lines().map(str::to_owned).collect()
    }

    /// `count` invite codes, made by the operator's command in server-1
    /// (`faas-server invite`: the image's `/usr/local/bin/app`, logged in to NATS
    /// as that server).
    pub fn invites(&self, count: usize) -> Vec<String> {
        let count = count.to_string();
        let made = self.compose(&[
            "exec",
            "-T",
            "server-1",
            "/usr/local/bin/app",
            "invite",
            "--count",
            &count,
        ]);
        assert!(
            made.status.success(),
            "faas-server invite: {}{}",
            stdout(&made),
            stderr(&made)
        );
        stdout(&made).lines().map(str::to_owned).collect()
    }

    /// What activation records call the worker in `container`: the opaque id its
    /// "worker ready" log line gives (`record_id`, `w-` and 16 hex characters).
    pub fn record_id(&self, container: &str) -> String {
        for _ in 0..50 {
            let logs = docker(&["logs", container]);
            let text = format!("{}{}", stdout(&logs), stderr(&logs));
            if let Some(at) = text.find("record_id") {
                let rest = &text[at..];
                if let Some(start) = rest.find("w-") {
                    return rest[start..start + 18].to_owned();
                }
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        panic!("worker container {container} logged no record_id");
    }

    /// The address of the service's (first) container.
    pub fn ip(&self, service: &str) -> IpAddr {
        let id = self.containers(service).remove(0);
        container_ip(&id).unwrap_or_else(|| panic!("{service} has no address"))
    }

    /// Both server replicas, once they answer `/readyz` (within 2 minutes).
    pub async fn servers(&self) -> [Api; 2] {
        let servers =
            ["server-1", "server-2"].map(|s| Api::plain(format!("http://{}:8080", self.ip(s))));
        for server in &servers {
            if !server
                .ready_within(StatusCode::OK, Duration::from_secs(240))
                .await
            {
                let logs = self.compose(&["logs", "--no-color", "--tail=20"]);
                panic!("{} never became ready:\n{}", server.url(), stdout(&logs));
            }
        }
        servers
    }

    /// Scales the worker service to `workers`, leaving the running ones as they are
    /// (compose stops the surplus ones: SIGTERM, then the stop grace). Blocks until
    /// compose is done: from async code, call it in `tokio::task::block_in_place`.
    pub fn scale_workers(&self, workers: usize) {
        let scale = format!("worker={workers}");
        let args = ["up", "-d", "--no-build", "--no-recreate", "--scale", &scale];
        let scaled = self.compose(&[&args[..], &["worker"]].concat());
        assert!(
            scaled.status.success(),
            "compose scale: {}",
            stderr(&scaled)
        );
    }

    /// `docker-compose down -v`, then no container, network or volume of the
    /// project may remain.
    pub fn down_and_check_nothing_is_left(&mut self) {
        let down = self.compose(&["down", "-v", "--remove-orphans", "-t", "20"]);
        self.down = true;
        assert!(down.status.success(), "compose down: {}", stderr(&down));
        let label = format!("label=com.docker.compose.project={}", self.project);
        for (kind, flags) in [("container", "-aq"), ("network", "-q"), ("volume", "-q")] {
            let left = docker(&[kind, "ls", flags, "--filter", &label]);
            assert_eq!(stdout(&left), "", "{kind}s left by {}", self.project);
        }
    }
}

impl Drop for Stack {
    fn drop(&mut self) {
        if !self.down {
            if std::thread::panicking() {
                let logs = self.compose(&["logs", "--no-color", "--tail=30"]);
                eprintln!("{}", stdout(&logs));
            }
            self.compose(&["down", "-v", "--remove-orphans", "-t", "5"]);
        }
    }
}

/// Which of the images a stack tagged `tag` runs are not in the engine.
pub fn missing_images(tag: &str) -> Vec<String> {
    IMAGES
        .iter()
        .map(|image| format!("faas/{image}:{tag}"))
        .filter(|image| !docker(&["image", "inspect", image]).status.success())
        .collect()
}

/// A container's address on its compose network; `None` once it has stopped.
pub fn container_ip(id: &str) -> Option<IpAddr> {
    let inspect = docker(&[
        "inspect",
        "-f",
        "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}",
        id,
    ]);
    stdout(&inspect).parse().ok()
}

/// The docker CLI, run to the end.
pub fn docker(args: &[&str]) -> Output {
    Command::new("docker")
        .args(args)
        .output()
        .expect("docker runs")
}

/// A command's standard output, trimmed.
pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

/// A command's standard error, trimmed.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).trim().to_owned()
}
