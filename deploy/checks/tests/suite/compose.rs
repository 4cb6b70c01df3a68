//! The deployment itself, run for real: `docker-compose` brings up NATS, both server
//! replicas and three workers from `docker-compose.yml` (and, for the cluster test,
//! `docker-compose.cluster.yml`), and the tests drive the server replicas directly,
//! since APISIX cannot be had on a machine without a registry. The walkthrough test
//! also runs the conformance suite (`faas-conformance`) against it.
//!
//! The images are the compose files' own, built offline from this checkout:
//! `TAG=test PROFILE=debug deploy/build-images.sh`, which `scripts/test.sh` runs
//! first. A generated override file only swaps in those `:test` tags.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use futures::future::join_all;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

use faas_testkit::names::{REVERSE, SH, SLEEP, unique};

/// The images' tag; `FAAS_TEST_TAG` at build time picks another (so that parallel
/// checkouts on one engine do not test one another's images).
const TAG: &str = match option_env!("FAAS_TEST_TAG") {
    Some(tag) => tag,
    None => "test",
};
const PASSWORD: &str = "compose-password-1";

/// Base stack, three workers: the README walkthrough across both replicas, work
/// spread over more than one worker, and a teardown that leaves nothing behind.
#[tokio::test(flavor = "multi_thread")]
async fn compose_stack_serves_the_walkthrough_and_spreads_work_over_workers() {
    let mut stack = Stack::up("walk", &["docker-compose.yml"], &[]);
    let api = stack.api().await;
    let [s1, s2] = [&api.servers[0], &api.servers[1]];

    // Registered on one replica, logged in on the other: the servers share nothing
    // but NATS and the JWT key from the keygen one-shot.
    let alice = api.register(s1, "alice").await;
    let token = api.login(s2, &alice).await;
    api.add_reverse(s1, &token, "reverse").await;
    let listed: Value = api.get(s2, "/v1/functions", &token).await;
    assert_eq!(listed[0]["name"], "reverse", "{listed}");

    // Six concurrent invocations, alternating replicas: alice's fair share
    // (FAAS_MAX_INFLIGHT_PER_USER) of three workers × four slots.
    let calls = (0..6).map(|i| {
        let server = &api.servers[i % 2];
        let token = &token;
        let api = &api;
        async move {
            api.invoke(server, token, "reverse", &format!("hello {i}"))
                .await
        }
    });
    for (i, (status, body)) in join_all(calls).await.into_iter().enumerate() {
        assert_eq!(status, StatusCode::OK, "invocation {i}: {body}");
        let expected: String = format!("hello {i}").chars().rev().collect();
        assert_eq!(body["result"], expected.as_str(), "invocation {i}");
    }

    // Which worker ran what, as any user sees it in their activation records.
    let records: Value = api.get(s1, "/v1/activations?limit=100", &token).await;
    let mut per_worker = BTreeMap::<String, usize>::new();
    for record in records.as_array().unwrap() {
        let worker = record["worker"].as_str().unwrap_or("(none)").to_owned();
        *per_worker.entry(worker).or_default() += 1;
    }
    println!("activations per worker: {per_worker:?}");
    assert_eq!(per_worker.values().sum::<usize>(), 6, "{per_worker:?}");
    assert!(
        per_worker.len() > 1,
        "all activations ran on one worker: {per_worker:?}"
    );
    // A worker's id is its container's hostname (the short container id) and pid.
    let workers = stack.containers("worker");
    assert_eq!(workers.len(), 3);
    for worker in per_worker.keys() {
        assert!(
            workers.iter().any(|id| worker.starts_with(&id[..12])),
            "{worker} is not one of the worker containers {workers:?}"
        );
    }

    // Removal and authentication, on the replica that did not create the function.
    let deleted = api
        .client
        .delete(format!("{s2}/v1/functions/reverse"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let (status, body) = api.invoke(s1, &token, "reverse", "gone").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(body["error"]["code"], "function_not_found");
    let anonymous = api
        .client
        .get(format!("{s1}/v1/functions"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);

    // The conformance suite, against one replica of the real deployment.
    let options = faas_conformance::Options {
        api_url: s1.clone(),
        ca_cert: None,
        images: faas_conformance::Images::new("faas-examples/", "latest"),
    };
    let report = faas_conformance::run(&options).await.unwrap();
    println!("{report}");
    assert!(report.passed(), "conformance on compose:\n{report}");

    let worker_ids: Vec<String> = per_worker.into_keys().collect();
    stack.down_and_check_nothing_is_left();
    for worker in worker_ids {
        let functions = docker(&[
            "ps",
            "-aq",
            "--filter",
            &format!("label=io.faas.worker={worker}"),
        ]);
        assert_eq!(
            stdout(&functions),
            "",
            "function containers of {worker} left"
        );
    }
}

/// NATS on compose: no client gets in without a password (the test connects to the
/// nats container's own address, as anything on the network could), the workers'
/// user cannot read the users bucket, each service holds only its own secrets, and
/// the monitoring port is not published. The API still works end to end: servers
/// and workers log in as their users and the workers verify signed requests.
#[tokio::test(flavor = "multi_thread")]
async fn compose_nats_requires_credentials_and_services_hold_only_their_secrets() {
    let stack = Stack::up("auth", &["docker-compose.yml"], &[]);
    let api = stack.api().await;
    let alice = api.register(&api.servers[0], "alice").await;
    let token = api.login(&api.servers[1], &alice).await;
    api.add_reverse(&api.servers[0], &token, "reverse").await;
    let (status, body) = api
        .invoke(&api.servers[1], &token, "reverse", "signed")
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["result"], "dengis");

    let nats_url = format!("nats://{}:4222", stack.ip("nats"));
    let anonymous = async_nats::ConnectOptions::new()
        .connection_timeout(Duration::from_secs(5))
        .connect(nats_url.as_str())
        .await;
    let error = anonymous.expect_err("NATS refuses a client without credentials");
    assert!(
        error.to_string().contains("authorization violation"),
        "{error}"
    );

    let nats = stack.containers("nats").remove(0);
    let published = docker(&["port", &nats]);
    assert_eq!(stdout(&published), "", "NATS publishes no port on the host");

    // The worker holds its own NATS password and the request key, nothing else.
    let worker = stack.containers("worker").remove(0);
    let has = |container: &str, path: &str| {
        docker(&["exec", container, "test", "-e", path])
            .status
            .success()
    };
    assert!(has(&worker, "/worker-auth/worker.password"));
    assert!(has(&worker, "/worker-auth/request.key"));
    for secret in [
        "/keys/jwt.pem",
        "/server-auth/server.password",
        "/nats-auth/nats.conf",
    ] {
        assert!(!has(&worker, secret), "the worker can see {secret}");
    }
    let server = stack.containers("server-1").remove(0);
    assert!(!has(&server, "/worker-auth/worker.password"));
    assert!(!has(&server, "/nats-auth/nats.conf"));

    // Logged in as the worker, the users bucket (password hashes) is out of reach.
    let password = docker(&["exec", &worker, "cat", "/worker-auth/worker.password"]);
    let as_worker =
        async_nats::ConnectOptions::with_user_and_password("faas-worker".into(), stdout(&password))
            .custom_inbox_prefix("_INBOX_worker")
            .request_timeout(Some(Duration::from_secs(3)))
            .connect(nats_url.as_str())
            .await
            .expect("the worker's user logs in");
    let js = async_nats::jetstream::new(as_worker);
    assert!(
        js.get_key_value("faas_users").await.is_err(),
        "the worker's user opened faas_users"
    );
}

/// NATS as a 3-node JetStream cluster with R3 stream and buckets: the node leading
/// the activation stream is killed while four clients keep invoking. Every
/// invocation is answered, and no user or function is lost.
#[tokio::test(flavor = "multi_thread")]
async fn nats_cluster_keeps_answering_when_a_node_is_lost() {
    let mut stack = Stack::up(
        "cluster",
        &["docker-compose.yml", "docker-compose.cluster.yml"],
        &["nats-2", "nats-3"],
    );
    let api = stack.api().await;

    let users = ["ann", "ben", "cat"];
    let mut tokens = Vec::new();
    for (i, name) in users.iter().enumerate() {
        let server = &api.servers[i % 2];
        let user = api.register(server, name).await;
        let token = api.login(server, &user).await;
        api.add_reverse(server, &token, &format!("rev-{name}"))
            .await;
        tokens.push((user, token));
    }

    let leader = stack.activation_stream_leader(&api.client).await;
    let victim = if leader == "nats-1" {
        "nats"
    } else {
        leader.as_str()
    };
    let victim_container = stack.containers(victim).remove(0);

    let started = Instant::now();
    let kill_at = Duration::from_secs(5);
    let run_for = Duration::from_secs(25);
    let loops = (0..4).map(|client| {
        let api = &api;
        let (_, token) = &tokens[client % users.len()];
        let function = format!("rev-{}", users[client % users.len()]);
        async move {
            let mut answers = Vec::new();
            let mut n = 0;
            while started.elapsed() < run_for {
                n += 1;
                let param = format!("c{client} n{n}");
                let sent = started.elapsed();
                let (status, body) = api
                    .invoke(&api.servers[client % 2], token, &function, &param)
                    .await;
                let expected: String = param.chars().rev().collect();
                let ok = status == StatusCode::OK && body["result"] == expected.as_str();
                answers.push((
                    sent,
                    started.elapsed() - sent,
                    ok,
                    format!("{status} {body}"),
                ));
            }
            answers
        }
    });
    let killer = async {
        tokio::time::sleep(kill_at).await;
        let killed = docker(&["kill", &victim_container]);
        assert!(killed.status.success(), "docker kill: {}", stderr(&killed));
    };
    let (answers, ()) = tokio::join!(join_all(loops), killer);
    let answers: Vec<_> = answers.into_iter().flatten().collect();

    let failed: Vec<_> = answers.iter().filter(|a| !a.2).collect();
    let after_kill = answers.iter().filter(|a| a.0 >= kill_at).count();
    let slowest = answers.iter().map(|a| a.1).max().unwrap_or_default();
    println!(
        "killed {leader} (leader of the activation stream) at {kill_at:?}: {} invocations, {after_kill} sent after the kill, {} failed, slowest answer {slowest:?}",
        answers.len(),
        failed.len()
    );
    assert!(failed.is_empty(), "unanswered or wrong: {failed:?}");
    assert!(
        after_kill >= 10,
        "too few invocations after the kill to tell"
    );

    // Nothing lost: every user logs in on both replicas and sees their function.
    for (user, _) in &tokens {
        for server in &api.servers {
            let token = api.login(server, user).await;
            let listed: Value = api.get(server, "/v1/functions", &token).await;
            assert_eq!(listed.as_array().map(Vec::len), Some(1), "{user}: {listed}");
        }
    }
    // The two remaining nodes have a new leader and still take writes.
    let new_leader = stack.activation_stream_leader(&api.client).await;
    assert_ne!(new_leader, leader);
    api.register(&api.servers[0], "dan").await;

    stack.down_and_check_nothing_is_left();
}

/// Scale-down loses nothing. A worker stopped while it runs a 20 s function (as
/// `docker-compose up --scale`, Swarm or Kumori stop one: SIGTERM, then the stop
/// grace) finishes it: the caller gets the right result and no container is left.
/// A worker killed mid-function never comes back (a removed replica), and a live
/// worker removes the container it left within a minute.
#[tokio::test(flavor = "multi_thread")]
async fn scaling_down_workers_loses_no_result_and_leaves_no_container() {
    let mut stack = Stack::up("scale", &["docker-compose.yml"], &[]);
    let api = stack.api().await;
    let server = api.servers[0].clone();
    let user = api.register(&server, "scaler").await;
    let token = api.login(&server, &user).await;
    api.add(
        &server,
        &token,
        "nap",
        json!({"image": SLEEP, "timeout_ms": 90_000}),
    )
    .await;

    // 1. SIGTERM mid-run: the worker drains before it exits.
    let call = {
        let (api, server, token) = (api.clone(), server.clone(), token.clone());
        tokio::spawn(async move { api.invoke(&server, &token, "nap", "20").await })
    };
    let (container, worker) = stack.function_container(&user).await;
    let stop = docker(&["stop", &worker]);
    assert!(stop.status.success(), "docker stop: {}", stderr(&stop));
    let exit = docker(&["inspect", "-f", "{{.State.ExitCode}}", &worker]);
    assert_eq!(
        stdout(&exit),
        "0",
        "the worker exited by itself, not killed"
    );
    let (status, body) = call.await.unwrap();
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["result"], "slept 20");
    assert!(gone_within(&container, Duration::from_secs(10)).await);

    // 2. SIGKILL mid-run, and the replica is not restarted.
    let accepted = api.invoke_async(&server, &token, "nap", "60").await;
    let (container, worker) = stack.function_container(&user).await;
    docker(&["update", "--restart=no", &worker]);
    let kill = docker(&["kill", &worker]);
    assert!(kill.status.success(), "docker kill: {}", stderr(&kill));
    let killed_at = Instant::now();
    assert!(
        gone_within(&container, Duration::from_secs(60)).await,
        "the killed worker's container {container} is still there after a minute"
    );
    println!(
        "killed worker's container removed after {:?}",
        killed_at.elapsed()
    );
    let _ = accepted;

    stack.down_and_check_nothing_is_left();
}

/// Scale-down under load: with every slot of the three workers running a function,
/// `docker-compose up --scale worker=1` stops two of them (SIGTERM, as a KEDA
/// scale-in does); each finishes what it runs, so every call is answered with its
/// result, none is run twice or refused, and nothing is left behind.
#[tokio::test(flavor = "multi_thread")]
async fn scaling_down_under_load_answers_every_call() {
    let mut stack = Stack::up("down", &["docker-compose.yml"], &[]);
    let api = stack.api().await;
    // Two users, 6 calls each: the fair share (6) lets each hold half the 12 slots.
    let mut calls = Vec::new();
    let mut owners = Vec::new();
    for (n, name) in ["downa", "downb"].into_iter().enumerate() {
        let server = api.servers[n].clone();
        let user = api.register(&server, name).await;
        let token = api.login(&server, &user).await;
        api.add(
            &server,
            &token,
            "nap",
            json!({"image": SLEEP, "timeout_ms": 60_000}),
        )
        .await;
        for _ in 0..6 {
            let (api, server, token) = (api.clone(), server.clone(), token.clone());
            calls.push(tokio::spawn(async move {
                api.invoke(&server, &token, "nap", "8").await
            }));
        }
        owners.push((user, token));
    }
    let running = || {
        owners
            .iter()
            .map(|(owner, _)| {
                let ps = docker(&[
                    "ps",
                    "-q",
                    "--filter",
                    &format!("label=io.faas.owner={owner}"),
                ]);
                stdout(&ps).lines().count()
            })
            .sum::<usize>()
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    while running() < 12 {
        assert!(
            Instant::now() < deadline,
            "only {} of 12 functions started",
            running()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let before = stack.containers("worker");
    let scale = tokio::task::block_in_place(|| {
        stack.compose(&[
            "up",
            "-d",
            "--no-build",
            "--no-recreate",
            "--scale",
            "worker=1",
            "worker",
        ])
    });
    assert!(scale.status.success(), "scale down: {}", stderr(&scale));
    let remaining = stack.containers("worker");
    assert_eq!(remaining.len(), 1);
    for call in calls {
        let (status, body) = call.await.unwrap();
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["result"], "slept 8");
    }
    // Each worker held 4 of the 12; the two removed ones ran theirs to the end
    // (a killed worker's calls would have been run again by the remaining one).
    let mut on_removed = 0;
    for (n, (_, token)) in owners.iter().enumerate() {
        let records: Value = api
            .get(&api.servers[n], "/v1/activations?limit=100", token)
            .await;
        for record in records.as_array().unwrap() {
            let worker = record["worker"].as_str().unwrap_or_default();
            let removed = before
                .iter()
                .filter(|id| !remaining.contains(id))
                .any(|id| worker.starts_with(&id[..12]));
            on_removed += usize::from(removed);
        }
    }
    assert_eq!(
        on_removed, 8,
        "calls the removed workers finished themselves"
    );
    stack.down_and_check_nothing_is_left();
}

/// A function with `network: true` runs on the worker's function network, not on
/// the platform's: it tries NATS's and both servers' container addresses (which this
/// test started and reads with `docker inspect`) and reaches none of them.
#[tokio::test(flavor = "multi_thread")]
async fn network_functions_cannot_reach_nats_or_the_servers() {
    let mut stack = Stack::up("fence", &["docker-compose.yml"], &[]);
    let api = stack.api().await;
    let server = api.servers[0].clone();
    let user = api.register(&server, "prober").await;
    let token = api.login(&server, &user).await;
    api.add(
        &server,
        &token,
        "probe",
        json!({"image": SH, "network": true, "timeout_ms": 60_000}),
    )
    .await;
    let (nats, s1, s2) = (stack.ip("nats"), stack.ip("server-1"), stack.ip("server-2"));
    // What a reachable target would print: NATS greets with INFO, the servers answer
    // HTTP/1.x (stdin stays open: hyper drops a request whose sender half-closes). Each probe ends with a marker, so an empty
    // answer cannot pass for a blocked one.
    let script = format!(
        "timeout 5 nc -w 3 {nats} 4222 </dev/null | head -c 4; echo ' <nats'; \
         (printf 'GET /healthz HTTP/1.0\\r\\n\\r\\n'; sleep 2) | timeout 5 nc -w 3 {s1} 8080 | head -c 8; echo ' <server-1'; \
         (printf 'GET /healthz HTTP/1.0\\r\\n\\r\\n'; sleep 2) | timeout 5 nc -w 3 {s2} 8080 | head -c 8; echo ' <server-2'; \
         ip -4 -o addr show eth0 | awk '{{print $4}}'"
    );
    let (status, body) = api.invoke(&server, &token, "probe", &script).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let result = body["result"].as_str().unwrap_or_default();
    println!(
        "network probe from a function:\n{result}\nits stderr:\n{}",
        body["logs"].as_str().unwrap_or_default()
    );
    for marker in [" <nats", " <server-1", " <server-2"] {
        assert!(result.contains(marker), "the probe did not run: {result}");
    }
    assert!(
        !result.contains("INFO"),
        "the function reached NATS: {result}"
    );
    assert!(
        !result.contains("HTTP"),
        "the function reached a server: {result}"
    );
    // It did have a network: an address on ours, which is not the platform's.
    let address = result.lines().last().unwrap_or_default();
    let subnet = docker(&[
        "network",
        "inspect",
        "-f",
        "{{range .IPAM.Config}}{{.Subnet}}{{end}}",
        "faas-functions",
    ]);
    let subnet = stdout(&subnet);
    assert!(!subnet.is_empty(), "the function network exists");
    let address = address.split('/').next().unwrap_or_default();
    assert!(
        in_subnet(address, &subnet),
        "the function's address {address} is on faas-functions ({subnet})"
    );
    assert!(
        !in_subnet(&nats.to_string(), &subnet),
        "NATS {nats} is not on faas-functions ({subnet})"
    );

    stack.down_and_check_nothing_is_left();
}

/// Workers in containers prewarm too: the engine cannot see a worker's files, so
/// the init binary reaches function containers through the volume the worker
/// fills over the Engine API. Parked containers go with the workers.
#[tokio::test(flavor = "multi_thread")]
async fn workers_in_containers_serve_prewarmed_functions() {
    let mut stack = Stack::up("prewarm", &["docker-compose.yml"], &[]);
    let api = stack.api().await;
    let server = &api.servers[0];
    let user = api.register(server, "warm").await;
    let token = api.login(server, &user).await;
    api.add(
        server,
        &token,
        "warm",
        json!({ "image": REVERSE, "prewarm": 2 }),
    )
    .await;
    let mut prewarmed = false;
    for i in 0..40 {
        let param = format!("warm {i}");
        let (status, activation) = api.invoke(server, &token, "warm", &param).await;
        assert_eq!(status, StatusCode::OK, "{activation}");
        assert_eq!(
            activation["result"],
            param.chars().rev().collect::<String>()
        );
        if activation["timings"]["prewarmed"] == json!(true) {
            prewarmed = true;
            break;
        }
        // Give the pools of the worker that took it time to fill.
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert!(prewarmed, "no invocation found a parked container");
    stack.down_and_check_nothing_is_left();
    let parked = docker(&[
        "ps",
        "-aq",
        "--filter",
        "label=io.faas.parked=true",
        "--filter",
        &format!("label=io.faas.owner={user}"),
    ]);
    assert_eq!(
        stdout(&parked),
        "",
        "parked containers outlived the workers"
    );
}

/// One docker-compose project, torn down (volumes included) when dropped.
struct Stack {
    project: String,
    files: Vec<String>,
    _override: tempfile::NamedTempFile,
    down: bool,
}

impl Stack {
    /// `docker-compose up` of the NATS node(s), both servers and three workers.
    fn up(name: &str, files: &[&str], extra_nats: &[&str]) -> Self {
        for image in ["server", "worker", "keygen", "nats"] {
            let inspect = docker(&["image", "inspect", &format!("faas/{image}:{TAG}")]);
            assert!(
                inspect.status.success(),
                "image faas/{image}:{TAG} is missing: run `TAG={TAG} PROFILE=debug deploy/build-images.sh` (scripts/test.sh does)"
            );
        }
        let root = crate::repo::root();
        let override_file = tempfile::Builder::new().suffix(".yml").tempfile().unwrap();
        let mut services = format!(
            "version: \"2.4\"\nservices:\n  keygen: {{image: \"faas/keygen:{TAG}\"}}\n  nats: {{image: \"faas/nats:{TAG}\"}}\n  server-1: {{image: \"faas/server:{TAG}\"}}\n  server-2: {{image: \"faas/server:{TAG}\"}}\n  worker: {{image: \"faas/worker:{TAG}\"}}\n"
        );
        for node in extra_nats {
            services.push_str(&format!("  {node}: {{image: \"faas/nats:{TAG}\"}}\n"));
        }
        std::fs::write(override_file.path(), services).unwrap();
        let mut all_files: Vec<String> = files
            .iter()
            .map(|f| root.join(f).display().to_string())
            .collect();
        all_files.push(override_file.path().display().to_string());
        let stack = Self {
            project: format!("faastest{}{name}", std::process::id()),
            files: all_files,
            _override: override_file,
            down: false,
        };
        let mut args = vec!["up", "-d", "--no-build", "--scale", "worker=3"];
        args.extend(["keygen", "nats", "server-1", "server-2", "worker"]);
        args.extend(extra_nats);
        let up = stack.compose(&args);
        assert!(up.status.success(), "compose up: {}", stderr(&up));
        stack
    }

    fn compose(&self, args: &[&str]) -> Output {
        let mut command = Command::new("docker-compose");
        command.args(["-p", &self.project]);
        for file in &self.files {
            command.args(["-f", file]);
        }
        // The worker joins the group owning the host's Docker socket.
        let socket_group = std::fs::metadata("/var/run/docker.sock")
            .map(|m| std::os::unix::fs::MetadataExt::gid(&m))
            .expect("a local Docker Engine socket");
        command
            .args(args)
            .env("DOCKER_GID", socket_group.to_string())
            .output()
            .expect("docker-compose runs (apt-get install docker-compose)")
    }

    /// The first function container of `owner` to appear (waiting up to 30 s), and
    /// the worker container that runs it.
    async fn function_container(&self, owner: &str) -> (String, String) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let found = docker(&[
                "ps",
                "--no-trunc",
                "--filter",
                &format!("label=io.faas.owner={owner}"),
                "--format",
                "{{.ID}} {{.Label \"io.faas.worker\"}}",
            ]);
            if let Some((container, worker_id)) = stdout(&found)
                .lines()
                .next()
                .and_then(|l| l.split_once(' '))
            {
                // A worker's id is its container's hostname (short id) and pid.
                let worker = self
                    .containers("worker")
                    .into_iter()
                    .find(|id| worker_id.starts_with(&id[..12]))
                    .unwrap_or_else(|| panic!("no worker container runs {worker_id}"));
                return (container.to_owned(), worker);
            }
            if Instant::now() > deadline {
                let all = docker(&[
                    "ps",
                    "-a",
                    "--filter",
                    &format!("label=io.faas.owner={owner}"),
                ]);
                let logs = self.compose(&["logs", "--no-color", "--tail=15", "worker"]);
                panic!(
                    "no function container of {owner} appeared:\n{}\n{}",
                    stdout(&all),
                    stdout(&logs)
                );
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Full ids of the service's containers.
    fn containers(&self, service: &str) -> Vec<String> {
        let ps = self.compose(&["ps", "-q", service]);
        stdout(&ps).lines().map(str::to_owned).collect()
    }

    /// The address of the service's (first) container.
    fn ip(&self, service: &str) -> IpAddr {
        let id = self.containers(service).remove(0);
        container_ip(&id).unwrap_or_else(|| panic!("{service} has no address"))
    }

    /// Both server replicas, once they answer `/readyz`.
    async fn api(&self) -> Api {
        faas_process::install_crypto_provider();
        let client = Client::builder()
            .timeout(Duration::from_secs(90))
            .build()
            .unwrap();
        let servers: Vec<String> = ["server-1", "server-2"]
            .iter()
            .map(|s| format!("http://{}:8080", self.ip(s)))
            .collect();
        let deadline = Instant::now() + Duration::from_secs(120);
        for server in &servers {
            loop {
                let ready = client.get(format!("{server}/readyz")).send().await;
                if ready.is_ok_and(|r| r.status() == StatusCode::OK) {
                    break;
                }
                if Instant::now() > deadline {
                    let logs = self.compose(&["logs", "--tail=20"]);
                    panic!("{server} never became ready:\n{}", stdout(&logs));
                }
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        }
        Api { client, servers }
    }

    /// The cluster node leading `FAAS_ACTIVATIONS`, from a live node's monitoring
    /// endpoint (the compose files start NATS with `-m 8222`).
    async fn activation_stream_leader(&self, client: &Client) -> String {
        for node in ["nats", "nats-2", "nats-3"] {
            // A killed node has no address any more.
            let Some(ip) = self
                .containers(node)
                .pop()
                .as_deref()
                .and_then(container_ip)
            else {
                continue;
            };
            let url = format!("http://{ip}:8222/jsz?accounts=true&streams=true");
            let Ok(response) = client.get(url).send().await else {
                continue;
            };
            let jsz: Value = response.json().await.unwrap();
            let streams = jsz["account_details"]
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|account| account["stream_detail"].as_array().into_iter().flatten());
            for stream in streams {
                if stream["name"] == "FAAS_ACTIVATIONS"
                    && let Some(leader) = stream["cluster"]["leader"].as_str()
                {
                    return leader.to_owned();
                }
            }
        }
        panic!("no NATS node names a leader for FAAS_ACTIVATIONS");
    }

    /// `docker-compose down -v`, then no container, network or volume of the
    /// project may remain.
    fn down_and_check_nothing_is_left(&mut self) {
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

/// The two server replicas and a plain-HTTP client (TLS ends at APISIX).
#[derive(Clone)]
struct Api {
    client: Client,
    servers: Vec<String>,
}

impl Api {
    /// Registers a new user named after `name`; returns the username.
    async fn register(&self, server: &str, name: &str) -> String {
        let username = unique(name);
        let response = self.credentials(server, "/v1/users", &username).await;
        assert_eq!(
            response.status(),
            StatusCode::CREATED,
            "register {username}"
        );
        username
    }

    async fn login(&self, server: &str, username: &str) -> String {
        let response = self.credentials(server, "/v1/auth/login", username).await;
        assert_eq!(
            response.status(),
            StatusCode::OK,
            "login {username} on {server}"
        );
        let body: Value = response.json().await.unwrap();
        body["token"].as_str().unwrap().to_owned()
    }

    async fn credentials(&self, server: &str, path: &str, username: &str) -> reqwest::Response {
        self.client
            .post(format!("{server}{path}"))
            .json(&json!({ "username": username, "password": PASSWORD }))
            .send()
            .await
            .unwrap()
    }

    /// Adds (or replaces) `function` running the reverse example.
    async fn add_reverse(&self, server: &str, token: &str, function: &str) {
        self.add(server, token, function, json!({ "image": REVERSE }))
            .await;
    }

    async fn add(&self, server: &str, token: &str, function: &str, spec: Value) {
        let put = self
            .client
            .put(format!("{server}/v1/functions/{function}"))
            .bearer_auth(token)
            .json(&spec)
            .send()
            .await
            .unwrap();
        assert!(
            put.status().is_success(),
            "PUT {function}: {}",
            put.status()
        );
    }

    async fn get(&self, server: &str, path: &str, token: &str) -> Value {
        let response = self
            .client
            .get(format!("{server}{path}"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        response.json().await.unwrap()
    }

    /// Queues an invocation (`?async=true`); the answer must be 202.
    async fn invoke_async(&self, server: &str, token: &str, function: &str, param: &str) -> Value {
        let response = self
            .client
            .post(format!(
                "{server}/v1/functions/{function}/invoke?async=true"
            ))
            .bearer_auth(token)
            .json(&json!({ "param": param }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::ACCEPTED);
        response.json().await.unwrap()
    }

    /// Status and JSON body; a transport error is a status 0 equivalent (599).
    async fn invoke(
        &self,
        server: &str,
        token: &str,
        function: &str,
        param: &str,
    ) -> (StatusCode, Value) {
        let sent = self
            .client
            .post(format!("{server}/v1/functions/{function}/invoke"))
            .bearer_auth(token)
            .json(&json!({ "param": param }))
            .send()
            .await;
        match sent {
            Ok(response) => {
                let status = response.status();
                (status, response.json().await.unwrap_or(Value::Null))
            }
            Err(e) => (StatusCode::from_u16(599).unwrap(), json!(e.to_string())),
        }
    }
}

/// A container's address on its compose network; `None` once it has stopped.
/// Whether container `id` is removed within `limit`.
async fn gone_within(id: &str, limit: Duration) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if !docker(&["inspect", id]).status.success() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    false
}

/// Whether IPv4 `address` lies in `cidr` (`a.b.c.d/n`).
fn in_subnet(address: &str, cidr: &str) -> bool {
    let (Some((network, bits)), Ok(address)) =
        (cidr.split_once('/'), address.parse::<std::net::Ipv4Addr>())
    else {
        return false;
    };
    let (Ok(network), Ok(bits)) = (network.parse::<std::net::Ipv4Addr>(), bits.parse::<u32>())
    else {
        return false;
    };
    let mask = u32::MAX.checked_shl(32 - bits).unwrap_or(0);
    u32::from(address) & mask == u32::from(network) & mask
}

fn container_ip(id: &str) -> Option<IpAddr> {
    let inspect = docker(&[
        "inspect",
        "-f",
        "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}",
        id,
    ]);
    stdout(&inspect).parse().ok()
}

fn docker(args: &[&str]) -> Output {
    Command::new("docker")
        .args(args)
        .output()
        .expect("docker runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).trim().to_owned()
}
