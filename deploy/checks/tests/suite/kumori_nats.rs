//! Kumori's NATS (`kumori/components/nats/component.cue`) run as the component
//! runs it, three times, as with `nats: hsize: 3`: the component's own command line
//! and file mapping, keygen's `kumori-cluster.conf` as the secret `auth`, in
//! containers of the offline `faas/nats` image (the host's nats-server laid out as
//! the official image) on a private network where instance 0 answers to
//! `0.cluster`, each with a host name as a pod has. There is no Kumori here: this
//! is as close to its role instances as Docker gets.

use std::path::Path;
use std::time::{Duration, Instant};

use async_nats::jetstream;
use faas_api::Limits;
use faas_shared::nats::{ACTIVATIONS_STREAM, SERVER_INBOX_PREFIX, SERVER_USER};
use faas_testkit::compose::{docker, stderr, stdout};

use crate::repo::{TAG, keygen, repo_file};

/// The instances, as with `nats: hsize: 3` and `nats_replicas: 3`.
const INSTANCES: usize = 3;

/// The component's command line: the `cmd` of its `nats` container.
fn component_command() -> Vec<String> {
    let cue = repo_file("kumori/components/nats/component.cue");
    let list = cue
        .lines()
        .find_map(|line| line.trim().strip_prefix("cmd: "))
        .expect("the nats component has a cmd");
    serde_json::from_str(list).expect("the cmd is a list of strings")
}

/// Where the component mounts the secret `auth` (its `mapping.filesystem`).
fn auth_mount() -> String {
    let cue = repo_file("kumori/components/nats/component.cue");
    let line = cue
        .lines()
        .find(|line| line.contains("{secret: \"auth\"}"))
        .expect("the nats component mounts the secret auth");
    line.trim().split('"').nth(1).unwrap().to_owned()
}

/// A Docker network and the containers on it, removed (with their volumes) when
/// dropped; their logs are printed first if the thread is panicking.
struct Instances {
    network: String,
    containers: Vec<String>,
}

impl Instances {
    fn new(network: String) -> Self {
        let created = docker(&["network", "create", &network]);
        assert!(
            created.status.success(),
            "docker network create: {}",
            stderr(&created)
        );
        Self {
            network,
            containers: Vec::new(),
        }
    }

    /// Runs one nats-server container named `name` (also its host name) with
    /// `config` at the component's mount and `args` as its command.
    fn start(&mut self, name: &str, config: &Path, args: &[String], aliases: &[&str]) {
        let mount = format!("{}:{}:ro", config.display(), auth_mount());
        let mut run = vec![
            "run",
            "-d",
            "--name",
            name,
            "--hostname",
            name,
            "--network",
            &self.network,
            "-v",
            &mount,
            "-v",
            "/data",
        ];
        for alias in aliases {
            run.extend(["--network-alias", alias]);
        }
        let image = format!("faas/nats:{TAG}");
        run.push(&image);
        run.extend(args.iter().map(String::as_str));
        let started = docker(&run);
        assert!(
            started.status.success(),
            "docker run {name}: {}",
            stderr(&started)
        );
        self.containers.push(name.to_owned());
    }

    fn ip(&self, name: &str) -> String {
        let format = format!(
            "{{{{(index .NetworkSettings.Networks \"{}\").IPAddress}}}}",
            self.network
        );
        let ip = stdout(&docker(&["inspect", "-f", &format, name]));
        assert!(!ip.is_empty(), "{name} is not running (its log follows)");
        ip
    }
}

impl Drop for Instances {
    fn drop(&mut self) {
        for container in &self.containers {
            if std::thread::panicking() {
                let logs = docker(&["logs", "--tail", "15", container]);
                eprintln!("--- {container}\n{}{}", stdout(&logs), stderr(&logs));
            }
            docker(&["rm", "-fv", container]);
        }
        docker(&["network", "rm", &self.network]);
    }
}

/// The activation stream's leader and the replicas that are current, once the
/// stream has `INSTANCES` peers, all current, or `within` has passed.
async fn current_peers(js: &jetstream::Context, within: Duration) -> Vec<String> {
    let deadline = Instant::now() + within;
    loop {
        let mut peers = Vec::new();
        if let Ok(mut stream) = js.get_stream(ACTIVATIONS_STREAM).await
            && let Ok(info) = stream.info().await
            && let Some(cluster) = &info.cluster
        {
            peers.extend(cluster.leader.clone());
            peers.extend(
                cluster
                    .replicas
                    .iter()
                    .filter(|r| r.current && !r.offline)
                    .map(|r| r.name.clone()),
            );
        }
        if peers.len() == INSTANCES || Instant::now() > deadline {
            peers.sort();
            return peers;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// The component's command and keygen's cluster config form a JetStream cluster
/// of three: the server's own set-up creates its R3 stream and buckets there, and
/// the activation stream has a leader and two current replicas, each an instance
/// named after its host. An instance restarted keeps its name and is current again
/// (the same peer, not a new one). Routes need keygen's route password: a
/// nats-server with the component's former flags (`--routes nats://0.cluster:6222`,
/// no credentials) never joins.
#[tokio::test(flavor = "multi_thread")]
async fn kumori_nats_instances_form_a_jetstream_cluster_with_r3_streams() {
    faas_process::install_crypto_provider();
    let image = format!("faas/nats:{TAG}");
    assert!(
        docker(&["image", "inspect", &image]).status.success(),
        "{image} is missing: TAG={TAG} PROFILE=debug deploy/build-images.sh makes it"
    );
    let secrets = tempfile::tempdir().unwrap();
    keygen(secrets.path());
    let config = secrets.path().join("kumori-cluster.conf");
    let command = component_command();

    let name = |i: usize| format!("faas-kumori-nats-{}-{i}", std::process::id());
    let mut instances = Instances::new(format!("faas-kumori-{}", std::process::id()));
    for i in 0..INSTANCES {
        let aliases: &[&str] = if i == 0 { &["0.cluster"] } else { &[] };
        instances.start(&name(i), &config, &command, aliases);
    }

    let password = std::fs::read_to_string(secrets.path().join("server.password")).unwrap();
    let url = format!("nats://{}:4222", instances.ip(&name(0)));
    let deadline = Instant::now() + Duration::from_secs(30);
    let client = loop {
        match async_nats::ConnectOptions::with_user_and_password(
            SERVER_USER.into(),
            password.trim().into(),
        )
        .custom_inbox_prefix(SERVER_INBOX_PREFIX)
        .connect(&url)
        .await
        {
            Ok(client) => break client,
            Err(e) if Instant::now() < deadline => {
                eprintln!("connecting to instance 0: {e}");
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            Err(e) => panic!("instance 0 takes no client: {e}"),
        }
    };
    let js = jetstream::new(client);
    let started = Instant::now();
    faas_api::store::connect(&js, &Limits::default(), INSTANCES)
        .await
        .expect("the server's R3 stream and buckets are created on Kumori's cluster");
    println!("stream and buckets created after {:.1?}", started.elapsed());
    let mut names: Vec<String> = (0..INSTANCES).map(name).collect();
    names.sort();
    let peers = current_peers(&js, Duration::from_secs(30)).await;
    assert_eq!(peers, names, "the R3 activation stream's current peers");
    let mut stream = js.get_stream(ACTIVATIONS_STREAM).await.unwrap();
    let info = stream.info().await.unwrap().clone();
    assert_eq!(info.config.num_replicas, INSTANCES);
    println!("{ACTIVATIONS_STREAM}: {:?}", info.cluster);

    // Restarted in place (a container restart in its pod): same host, same name.
    let follower = names
        .iter()
        .find(|n| Some(n.as_str()) != info.cluster.as_ref().and_then(|c| c.leader.as_deref()))
        .unwrap()
        .clone();
    let restarted = docker(&["restart", "-t", "5", &follower]);
    assert!(
        restarted.status.success(),
        "docker restart: {}",
        stderr(&restarted)
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    let peers = current_peers(&js, Duration::from_secs(60)).await;
    assert_eq!(peers, names, "after restarting {follower}");

    // Without the route password, as the component's flags once routed.
    let intruder = format!("faas-kumori-nats-{}-intruder", std::process::id());
    let mut args = command.clone();
    for flag in ["--cluster_name", "faas", "--cluster", "nats://0.0.0.0:6222"] {
        args.push(flag.to_owned());
    }
    for flag in ["--routes", "nats://0.cluster:6222", "--name", &intruder] {
        args.push(flag.to_owned());
    }
    instances.start(&intruder, &secrets.path().join("nats.conf"), &args, &[]);
    tokio::time::sleep(Duration::from_secs(5)).await;
    let fresh = async_nats::ConnectOptions::with_user_and_password(
        SERVER_USER.into(),
        password.trim().into(),
    )
    .custom_inbox_prefix(SERVER_INBOX_PREFIX)
    .connect(&url)
    .await
    .unwrap();
    let mut cluster: Vec<String> = fresh.server_info().connect_urls;
    cluster.sort();
    let mut expected: Vec<String> = (0..INSTANCES)
        .map(|i| format!("{}:4222", instances.ip(&name(i))))
        .collect();
    expected.sort();
    assert_eq!(
        cluster, expected,
        "the cluster's servers (a server routing without the password is not one)"
    );
    let logs = docker(&["logs", &intruder]);
    assert!(
        stderr(&logs).contains("Route Error 'Authorization Violation'"),
        "the route without a password was not refused:\n{}",
        stderr(&logs)
    );
}
