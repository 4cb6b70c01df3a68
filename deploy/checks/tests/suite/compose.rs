//! The deployment itself, run for real: `docker-compose` brings up NATS, both server
//! replicas and three workers from `docker-compose.yml` (and, for the cluster test,
//! `docker-compose.cluster.yml`), and the tests drive the server replicas directly,
//! since APISIX cannot be had on a machine without a registry. The walkthrough test
//! also runs the conformance suite (`faas-conformance`) against it.
//!
//! The images are the compose files' own, built offline from this checkout:
//! `TAG=test PROFILE=debug deploy/build-images.sh`, which `scripts/test.sh` runs
//! first. The stack is the test kit's [`Stack`], which the scaling benchmark runs too.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use faas_testkit::Api;
use faas_testkit::compose::{CLUSTER, SINGLE, Stack, container_ip, docker, stderr, stdout};
use faas_testkit::names::{PASSWORD, REVERSE, SH, SLEEP, unique};
use futures::future::join_all;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::repo::TAG;

/// Three workers, as the README's walkthrough scales them.
const WORKERS: usize = 3;

/// Base stack, three workers: the README walkthrough across both replicas, work
/// spread over more than one worker, and a teardown that leaves nothing behind.
#[tokio::test(flavor = "multi_thread")]
async fn compose_stack_serves_the_walkthrough_and_spreads_work_over_workers() {
    let mut stack = Stack::up("walk", TAG, SINGLE, WORKERS);
    let servers = stack.servers().await;
    let [s1, s2] = &servers;

    // Registered on one replica, logged in on the other: the servers share nothing
    // but NATS and the JWT key from the keygen one-shot.
    let alice = register(s1, "alice").await;
    let token = s2.token(&alice).await;
    add_reverse(s1, &token, "reverse").await;
    let listed = s2.get_ok("/v1/functions", &token).await;
    assert_eq!(listed[0]["name"], "reverse", "{listed}");

    // Six concurrent invocations, alternating replicas: alice's fair share
    // (FAAS_MAX_INFLIGHT_PER_USER) of three workers × four slots.
    let calls = (0..6).map(|i| {
        let server = &servers[i % 2];
        let token = &token;
        async move { invoke(server, token, "reverse", &format!("hello {i}")).await }
    });
    for (i, (status, body)) in join_all(calls).await.into_iter().enumerate() {
        assert_eq!(status, StatusCode::OK, "invocation {i}: {body}");
        let expected: String = format!("hello {i}").chars().rev().collect();
        assert_eq!(body["result"], expected.as_str(), "invocation {i}");
    }

    // Which worker ran what, as any user sees it in their activation records.
    let records = s1.get_ok("/v1/activations?limit=100", &token).await;
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
    // Records name a worker by an opaque id, which each worker logs at start.
    let workers = stack.containers("worker");
    assert_eq!(workers.len(), WORKERS);
    let record_ids: Vec<String> = workers.iter().map(|id| stack.record_id(id)).collect();
    for worker in per_worker.keys() {
        assert!(
            record_ids.contains(worker),
            "{worker} is not one of the worker containers' ids {record_ids:?}"
        );
    }

    // Removal and authentication, on the replica that did not create the function.
    let deleted = s2
        .call(Method::DELETE, "/v1/functions/reverse", &token)
        .await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let (status, body) = invoke(s1, &token, "reverse", "gone").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(body["error"]["code"], "function_not_found");
    let anonymous = s1
        .request(Method::GET, "/v1/functions")
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);

    // The conformance suite, against one replica of the real deployment.
    assert_conformance(s1, "compose").await;

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
    let stack = Stack::up("auth", TAG, SINGLE, WORKERS);
    let [s1, s2] = &stack.servers().await;
    let alice = register(s1, "alice").await;
    let token = s2.token(&alice).await;
    add_reverse(s1, &token, "reverse").await;
    let (status, body) = invoke(s2, &token, "reverse", "signed").await;
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
    let mut stack = Stack::up("cluster", TAG, CLUSTER, WORKERS);
    let servers = stack.servers().await;

    let users = ["ann", "ben", "cat"];
    let mut tokens = Vec::new();
    for (i, name) in users.iter().enumerate() {
        let server = &servers[i % 2];
        let user = unique(name);
        let token = server.user(&user).await;
        add_reverse(server, &token, &format!("rev-{name}")).await;
        tokens.push((user, token));
    }

    let leader = activation_stream_leader(&stack).await;
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
        let server = &servers[client % 2];
        let (_, token) = &tokens[client % users.len()];
        let function = format!("rev-{}", users[client % users.len()]);
        async move {
            let mut answers = Vec::new();
            let mut n = 0;
            while started.elapsed() < run_for {
                n += 1;
                let param = format!("c{client} n{n}");
                let sent = started.elapsed();
                let (status, body) = invoke(server, token, &function, &param).await;
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
        for server in &servers {
            let token = server.token(user).await;
            let listed = server.get_ok("/v1/functions", &token).await;
            assert_eq!(listed.as_array().map(Vec::len), Some(1), "{user}: {listed}");
        }
    }
    // The two remaining nodes have a new leader and still take writes.
    let new_leader = activation_stream_leader(&stack).await;
    assert_ne!(new_leader, leader);
    register(&servers[0], "dan").await;

    stack.down_and_check_nothing_is_left();
}

/// Scale-down loses nothing. A worker stopped while it runs a 20 s function (as
/// `docker-compose up --scale`, Swarm or Kumori stop one: SIGTERM, then the stop
/// grace) finishes it: the caller gets the right result and no container is left.
/// A worker killed mid-function never comes back (a removed replica), and a live
/// worker removes the container it left within a minute.
#[tokio::test(flavor = "multi_thread")]
async fn scaling_down_workers_loses_no_result_and_leaves_no_container() {
    let mut stack = Stack::up("scale", TAG, SINGLE, WORKERS);
    let [server, _] = stack.servers().await;
    let user = unique("scaler");
    let token = server.user(&user).await;
    server
        .add_function(&token, "nap", json!({"image": SLEEP, "timeout_ms": 90_000}))
        .await;

    // 1. SIGTERM mid-run: the worker drains before it exits.
    let call = {
        let (server, token) = (server.clone(), token.clone());
        tokio::spawn(async move { invoke(&server, &token, "nap", "20").await })
    };
    let (container, worker) = function_container(&stack, &user).await;
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
    let accepted = server
        .authed(Method::POST, "/v1/functions/nap/invoke?async=true", &token)
        .json(&json!({ "param": "60" }))
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status(), StatusCode::ACCEPTED);
    let (container, worker) = function_container(&stack, &user).await;
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

    stack.down_and_check_nothing_is_left();
}

/// Scale-down under load: with every slot of the three workers running a function,
/// `docker-compose up --scale worker=1` stops two of them (SIGTERM, as a KEDA
/// scale-in does); each finishes what it runs, so every call is answered with its
/// result, none is run twice or refused, and nothing is left behind.
#[tokio::test(flavor = "multi_thread")]
async fn scaling_down_under_load_answers_every_call() {
    let mut stack = Stack::up("down", TAG, SINGLE, WORKERS);
    let servers = stack.servers().await;
    // Two users, 6 calls each: the fair share (6) lets each hold half the 12 slots.
    let mut calls = Vec::new();
    let mut owners = Vec::new();
    for (server, name) in servers.iter().zip(["downa", "downb"]) {
        let user = unique(name);
        let token = server.user(&user).await;
        server
            .add_function(&token, "nap", json!({"image": SLEEP, "timeout_ms": 60_000}))
            .await;
        for _ in 0..6 {
            let (server, token) = (server.clone(), token.clone());
            calls.push(tokio::spawn(async move {
                invoke(&server, &token, "nap", "8").await
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
    // What records call each worker, read before the removed ones are gone.
    let record_ids: Vec<(String, String)> = before
        .iter()
        .map(|id| (id.clone(), stack.record_id(id)))
        .collect();
    tokio::task::block_in_place(|| stack.scale_workers(1));
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
    for (server, (_, token)) in servers.iter().zip(&owners) {
        let records = server.get_ok("/v1/activations?limit=100", token).await;
        for record in records.as_array().unwrap() {
            let worker = record["worker"].as_str().unwrap_or_default();
            let removed = record_ids
                .iter()
                .filter(|(id, _)| !remaining.contains(id))
                .any(|(_, record_id)| record_id == worker);
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
    let mut stack = Stack::up("fence", TAG, SINGLE, WORKERS);
    let [server, _] = stack.servers().await;
    let token = server.user(&unique("prober")).await;
    server
        .add_function(
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
    let (status, body) = invoke(&server, &token, "probe", &script).await;
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
    let mut stack = Stack::up("prewarm", TAG, SINGLE, WORKERS);
    let [server, _] = stack.servers().await;
    let user = unique("warm");
    let token = server.user(&user).await;
    server
        .add_function(&token, "warm", json!({ "image": REVERSE, "prewarm": 2 }))
        .await;
    let mut prewarmed = false;
    for i in 0..40 {
        let param = format!("warm {i}");
        let (status, activation) = invoke(&server, &token, "warm", &param).await;
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

/// The conformance suite (`faas-conformance`) with the example images against
/// `server`, a replica of the deployment `what`: every case passes.
pub async fn assert_conformance(server: &Api, what: &str) {
    let options = faas_conformance::Options {
        api_url: server.url().to_owned(),
        ca_cert: None,
        images: faas_conformance::Images::new("faas-examples/", "latest"),
    };
    let report = faas_conformance::run(&options).await.unwrap();
    println!("{report}");
    assert!(report.passed(), "conformance on {what}:\n{report}");
}

/// Registers a new user named after `name` on `server`; returns the username.
pub async fn register(server: &Api, name: &str) -> String {
    let username = unique(name);
    let registered = server.register(&username, PASSWORD).await;
    assert_eq!(
        registered.status(),
        StatusCode::CREATED,
        "register {username} on {}",
        server.url()
    );
    username
}

/// Adds (or replaces) `function` running the reverse example.
pub async fn add_reverse(server: &Api, token: &str, function: &str) {
    server
        .add_function(token, function, json!({ "image": REVERSE }))
        .await;
}

/// Status and JSON body of an invocation; a transport error is a status 599, so
/// that a test under load counts it as a failed call.
pub async fn invoke(server: &Api, token: &str, function: &str, param: &str) -> (StatusCode, Value) {
    server
        .try_invoke(token, function, param)
        .await
        .unwrap_or_else(|e| (StatusCode::from_u16(599).unwrap(), json!(e.to_string())))
}

/// The first function container of `owner` to appear (waiting up to 30 s), and
/// the worker container that runs it.
async fn function_container(stack: &Stack, owner: &str) -> (String, String) {
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
            let worker = stack
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
            let logs = stack.compose(&["logs", "--no-color", "--tail=15", "worker"]);
            panic!(
                "no function container of {owner} appeared:\n{}\n{}",
                stdout(&all),
                stdout(&logs)
            );
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The cluster node leading `FAAS_ACTIVATIONS`, from a live node's monitoring
/// endpoint (the compose files start NATS with `-m 8222`).
async fn activation_stream_leader(stack: &Stack) -> String {
    for node in stack.nats_nodes() {
        // A killed node has no address any more.
        let Some(ip) = stack
            .containers(node)
            .pop()
            .as_deref()
            .and_then(container_ip)
        else {
            continue;
        };
        let monitor = Api::plain(format!("http://{ip}:8222"));
        let jsz = monitor
            .request(Method::GET, "/jsz?accounts=true&streams=true")
            .send()
            .await;
        let Ok(response) = jsz else {
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
