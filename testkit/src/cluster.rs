//! A 3-node JetStream cluster of local nats-server processes (from PATH), with the
//! users and permissions of every deployment, for tests of what R3 streams and
//! buckets do: which node leads a stream, and a node paused (SIGSTOP) and resumed
//! (SIGCONT) so that it falls behind its stream's leader for a moment.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use async_nats::jetstream;
use faas_dev::nats_auth::NatsAuth;
use faas_shared::nats::SERVER_INBOX_PREFIX;
use tempfile::TempDir;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::platform::Replica;

/// One node of a [`NatsCluster`].
pub struct Node {
    /// `nats://127.0.0.1:PORT`, this node alone.
    pub url: String,
    /// Its `server_name`, as stream infos name leaders and replicas.
    pub name: String,
    child: Child,
}

impl Node {
    fn signal(&self, signal: &str) {
        let pid = self.child.id().expect("the node is running").to_string();
        let status = std::process::Command::new("kill")
            .args([signal, &pid])
            .status()
            .unwrap();
        assert!(status.success(), "kill {signal} {pid}");
    }

    /// Stops the process (SIGSTOP): it answers nothing and hears nothing until
    /// [`Node::resume`], and keeps its connections.
    pub fn pause(&self) {
        self.signal("-STOP");
    }

    /// Resumes a paused process (SIGCONT).
    pub fn resume(&self) {
        self.signal("-CONT");
    }
}

/// Three JetStream nodes routed to one another on loopback, killed when dropped.
pub struct NatsCluster {
    pub nodes: Vec<Node>,
    auth: NatsAuth,
    _dir: TempDir,
}

/// A port that was free a moment ago.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl NatsCluster {
    pub async fn start() -> Self {
        faas_process::install_crypto_provider();
        let dir = tempfile::tempdir().unwrap();
        let auth = NatsAuth::ensure(&dir.path().join("auth")).unwrap();
        let users = std::fs::read_to_string(&auth.config).unwrap();
        let cluster_ports: Vec<u16> = (0..3).map(|_| free_port()).collect();
        let routes = cluster_ports
            .iter()
            .map(|port| format!("\"nats-route://127.0.0.1:{port}\""))
            .collect::<Vec<_>>()
            .join(", ");
        let mut nodes = Vec::new();
        for (i, cluster_port) in cluster_ports.iter().enumerate() {
            let name = format!("n{i}");
            let store = dir.path().join(&name);
            std::fs::create_dir_all(&store).unwrap();
            let client_port = free_port();
            let config = format!(
                "{users}\nserver_name: {name}\nlisten: 127.0.0.1:{client_port}\n\
                 jetstream {{ store_dir: \"{}\" }}\n\
                 cluster {{ name: faas-test, listen: 127.0.0.1:{cluster_port}, routes: [{routes}] }}\n",
                store.display()
            );
            let path = dir.path().join(format!("{name}.conf"));
            std::fs::write(&path, config).unwrap();
            nodes.push(Node {
                url: format!("nats://127.0.0.1:{client_port}"),
                name,
                child: spawn(&path),
            });
        }
        let cluster = Self {
            nodes,
            auth,
            _dir: dir,
        };
        cluster.wait_for_meta_leader().await;
        cluster
    }

    /// The users' passwords and the request signing key.
    pub fn auth(&self) -> &NatsAuth {
        &self.auth
    }

    /// Every node's URL, comma-separated, as deployments give them.
    pub fn urls(&self) -> String {
        self.nodes
            .iter()
            .map(|node| node.url.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }

    /// A client of node `i` only, logged in as the API server.
    pub async fn client(&self, i: usize) -> async_nats::Client {
        self.try_client(i).await.unwrap()
    }

    async fn try_client(&self, i: usize) -> Result<async_nats::Client, async_nats::ConnectError> {
        let user = &self.auth.server;
        async_nats::ConnectOptions::with_user_and_password(user.user.clone(), user.password.clone())
            .custom_inbox_prefix(SERVER_INBOX_PREFIX)
            .connect(&self.nodes[i].url)
            .await
    }

    /// An API server (plain HTTP) with R3 streams and buckets, connected to node
    /// `i` only, signing tokens with `jwt_key_pem`.
    pub async fn server(&self, i: usize, jwt_key_pem: &str) -> Replica {
        let mut config = faas_api::ServerConfig::new(&self.nodes[i].url, jwt_key_pem);
        config.nats_replicas = 3;
        config.nats_credentials = Some(self.auth.server.clone());
        config.request_key = self.auth.request_key.clone();
        config.secret_keys = Some(self.auth.secret_keys.clone());
        Replica::serve(config).await
    }

    /// The name of the node leading `stream`.
    pub async fn leader_of(&self, stream: &str) -> String {
        let js = jetstream::new(self.client(0).await);
        for _ in 0..100 {
            let info = js
                .get_stream(stream)
                .await
                .unwrap()
                .info()
                .await
                .unwrap()
                .clone();
            if let Some(leader) = info.cluster.and_then(|cluster| cluster.leader) {
                return leader;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{stream} has no leader");
    }

    /// Asks `stream`'s leader to step down; another replica is elected.
    pub async fn step_down(&self, stream: &str) {
        let client = self.client(0).await;
        let _ = client
            .request(
                format!("$JS.API.STREAM.LEADER.STEPDOWN.{stream}"),
                "".into(),
            )
            .await;
        // The election takes a moment: wait until some node leads it again.
        tokio::time::sleep(Duration::from_millis(500)).await;
        self.leader_of(stream).await;
    }

    /// Until the cluster has elected its JetStream meta leader (streams can be
    /// made).
    async fn wait_for_meta_leader(&self) {
        let mut last = String::new();
        for _ in 0..150 {
            match tokio::time::timeout(Duration::from_secs(2), self.try_client(0)).await {
                // async-nats cannot parse nats-server 2.9's account info: a stream
                // lookup answers "not found" once JetStream is up.
                Ok(Ok(client)) => match jetstream::new(client).get_stream("FAAS_PROBE").await {
                    Err(e) if e.to_string().contains("not found") => return,
                    Ok(_) => return,
                    Err(e) => last = e.to_string(),
                },
                Ok(Err(e)) => last = e.to_string(),
                Err(_) => last = "connecting timed out".into(),
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        panic!("the NATS cluster elected no JetStream leader within 30 s: {last}");
    }
}

/// `nats-server -c config`, its log drained so that its pipe never fills.
fn spawn(config: &Path) -> Child {
    let mut child = Command::new("nats-server")
        .arg("-c")
        .arg(config)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("nats-server starts (apt-get install nats-server)");
    let stderr = child.stderr.take().unwrap();
    tokio::spawn(async move {
        let mut lines = BufReader::new(stderr).lines();
        while let Ok(Some(_)) = lines.next_line().await {}
    });
    child
}

impl Drop for NatsCluster {
    fn drop(&mut self) {
        // A paused node would not die of SIGKILL's kill_on_drop until resumed.
        for node in &self.nodes {
            if let Some(pid) = node.child.id() {
                let _ = std::process::Command::new("kill")
                    .args(["-CONT", &pid.to_string()])
                    .status();
            }
        }
    }
}
