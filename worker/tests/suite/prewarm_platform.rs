//! Prewarming through the whole platform: `prewarm` over the API, two workers with
//! pools, what the activation records show, the workers' `/metrics`, and nothing
//! left once the workers stop.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::time::Duration;

use faas_process::signing::{RequestKey, SIGNATURE_HEADER};
use faas_shared::nats::RETIRED_FUNCTIONS_SUBJECT;
use faas_testkit::docker::worker_leftovers;
use faas_testkit::names::{REVERSE, unique};
use faas_testkit::{Platform, expect_error};
use futures::future::join_all;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A free loopback port for a worker's metrics listener.
fn free_address() -> SocketAddr {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

/// The body of `GET /metrics` at `address`.
async fn scrape(address: SocketAddr) -> String {
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    stream
        .write_all(b"GET /metrics HTTP/1.0\r\nHost: worker\r\n\r\n")
        .await
        .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    assert!(response.starts_with("HTTP/1.0 200"), "{response}");
    response
}

fn prewarmed(activation: &Value) -> bool {
    activation["timings"]["prewarmed"] == json!(true)
}

#[tokio::test]
async fn two_workers_serve_a_prewarmed_function_and_leave_nothing() {
    let platform = Platform::parts().await;
    let metrics = free_address();
    let ids = [unique("pw-a"), unique("pw-b")];
    let workers: Vec<_> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            platform.worker(|config| {
                config.worker_id = id.clone();
                config.slots = 4;
                config.init_binary = Some(faas_testkit::init::binary());
                if i == 0 {
                    config.metrics_listen = Some(metrics);
                }
            })
        })
        .collect();
    let token = platform.user(&unique("pw")).await;

    let refused = platform
        .authed(reqwest::Method::PUT, "/v1/functions/rev", &token)
        .json(&json!({"image": REVERSE, "prewarm": 17}))
        .send()
        .await
        .unwrap();
    expect_error(refused, reqwest::StatusCode::BAD_REQUEST, "invalid_spec").await;
    let stored = platform
        .add_function(&token, "rev", json!({"image": REVERSE, "prewarm": 4}))
        .await;
    let stored: Value = stored.json().await.unwrap();
    assert_eq!(stored["prewarm"], 4);

    // Warm-up: enough at once that both workers see the function and start pools.
    let invoke_batch = |n: usize, round: usize| {
        join_all((0..n).map(|i| {
            let param = format!("{round}-{i}");
            let platform = &platform;
            let token = &token;
            async move {
                let activation = platform.invoke_ok(token, "rev", &param).await;
                assert_eq!(
                    activation["result"],
                    param.chars().rev().collect::<String>()
                );
                activation
            }
        }))
    };
    let warm_up = invoke_batch(8, 0).await;
    tokio::time::sleep(Duration::from_secs(3)).await;

    let mut activations = Vec::new();
    for round in 1..=10 {
        activations.extend(invoke_batch(4, round).await);
    }
    let hits = activations.iter().filter(|a| prewarmed(a)).count();
    let mut per_worker = [0; 2];
    for activation in &activations {
        let id = activation["activation_id"].as_str().unwrap();
        let (_, record) = platform
            .get_json(&format!("/v1/activations/{id}"), &token)
            .await;
        // Records show each worker's opaque id, derived from its configured one.
        let key = &platform.nats_auth().request_key;
        if let Some(i) = ids
            .iter()
            .position(|w| record["worker"] == json!(key.public_worker_id(w)))
        {
            per_worker[i] += 1;
        }
    }
    println!(
        "prewarm hit rate with 2 workers (pool 4 each, concurrency 4): {hits}/{} = {:.0}%, activations per worker {per_worker:?}",
        activations.len(),
        100.0 * hits as f64 / activations.len() as f64
    );
    for path in ["cold", "prewarmed"] {
        let timings: Vec<&Value> = warm_up
            .iter()
            .chain(&activations)
            .map(|a| &a["timings"])
            .filter(|t| (t["prewarmed"] == json!(true)) == (path == "prewarmed"))
            .collect();
        let median = |step: &str| {
            let mut ms: Vec<u64> = timings.iter().filter_map(|t| t[step].as_u64()).collect();
            ms.sort_unstable();
            ms.get(ms.len() / 2).copied().unwrap_or_default()
        };
        println!(
            "{path} steps, median ms of {}: create {} attach {} start {} handoff {} run {} collect {}",
            timings.len(),
            median("create_ms"),
            median("attach_ms"),
            median("start_ms"),
            median("handoff_ms"),
            median("run_ms"),
            median("collect_ms")
        );
    }
    let containers: HashSet<_> = activations
        .iter()
        .map(|a| {
            a["container_id"]
                .as_str()
                .expect("a container id")
                .to_owned()
        })
        .collect();
    assert_eq!(
        containers.len(),
        activations.len(),
        "a container served twice"
    );
    assert!(hits > 0, "no activation found a parked container");

    let scraped = scrape(metrics).await;
    for name in [
        "faas_worker_prewarm_total{outcome=\"hit\"}",
        "faas_worker_activations_total{outcome=\"success\"}",
        "faas_worker_container_step_seconds_bucket",
        "step=\"create\"",
        "step=\"attach\"",
        "step=\"start\"",
        "step=\"run\"",
        "step=\"collect\"",
        "faas_worker_publish_seconds_bucket",
        "faas_worker_parked_containers",
        "faas_worker_slots_in_use",
        "faas_worker_container_removals",
    ] {
        assert!(scraped.contains(name), "/metrics lacks {name}:\n{scraped}");
    }
    // Every activation is answered: no slot is in use, though the next pull is
    // pending with every free slot's permit.
    let mut in_use = String::new();
    for _ in 0..50 {
        let scraped = scrape(metrics).await;
        in_use = scraped
            .lines()
            .find(|l| l.starts_with("faas_worker_slots_in_use "))
            .unwrap_or_default()
            .to_owned();
        if in_use == "faas_worker_slots_in_use 0" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(in_use, "faas_worker_slots_in_use 0", "nothing runs");

    for worker in workers {
        worker.stop().await;
    }
    for id in &ids {
        let left = worker_leftovers(id).await;
        assert!(left.is_empty(), "{id} left containers: {left:?}");
    }
}

/// How many containers `worker` has parked.
async fn parked(worker: &str) -> usize {
    let output = tokio::process::Command::new("docker")
        .args([
            "ps",
            "-q",
            "--filter",
            "label=io.faas.parked=true",
            "--filter",
        ])
        .arg(format!("label=io.faas.worker={worker}"))
        .output()
        .await
        .unwrap();
    String::from_utf8_lossy(&output.stdout).lines().count()
}

/// Waits until `worker` has `n` parked containers (30 s at most).
async fn wait_parked(worker: &str, n: usize) {
    for _ in 0..300 {
        if parked(worker).await == n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{worker} never had {n} parked containers");
}

#[tokio::test]
async fn an_idle_pool_is_drained() {
    let platform = Platform::parts().await;
    let id = unique("pw-idle");
    let worker = platform.worker(|config| {
        config.worker_id = id.clone();
        config.init_binary = Some(faas_testkit::init::binary());
        config.prewarm_idle = Duration::from_secs(3);
    });
    let token = platform.user(&unique("idle")).await;
    platform
        .add_function(&token, "rev", json!({"image": REVERSE, "prewarm": 2}))
        .await;
    assert_eq!(
        platform.invoke_ok(&token, "rev", "ab").await["result"],
        "ba"
    );
    wait_parked(&id, 2).await;
    // No activation for longer than the idle time: the pool goes.
    wait_parked(&id, 0).await;
    worker.stop().await;
}

#[tokio::test]
async fn a_replaced_or_removed_function_has_its_pool_drained_at_once() {
    let platform = Platform::parts().await;
    let id = unique("pw-retire");
    // The idle drain is ten minutes away: only the server's notice drains a pool
    // within `wait_parked`'s 30 s.
    let worker = platform.worker(|config| {
        config.worker_id = id.clone();
        config.init_binary = Some(faas_testkit::init::binary());
        config.prewarm_idle = Duration::from_secs(600);
    });
    let owner = unique("retire");
    let token = platform.user(&owner).await;
    let warm_up = |spec: Value| {
        let (platform, token, id) = (&platform, &token, &id);
        async move {
            platform.add_function(token, "rev", spec).await;
            assert_eq!(platform.invoke_ok(token, "rev", "ab").await["result"], "ba");
            wait_parked(id, 2).await;
        }
    };

    warm_up(json!({"image": REVERSE, "prewarm": 2})).await;
    // Replaced, even with the same sandbox: its containers were made for the old spec.
    platform
        .add_function(
            &token,
            "rev",
            json!({"image": REVERSE, "prewarm": 2, "timeout_ms": 9000}),
        )
        .await;
    wait_parked(&id, 0).await;

    warm_up(json!({"image": REVERSE, "prewarm": 2})).await;
    // Notices the server did not sign (published here with its NATS user, which
    // may) drain nothing: unsigned, and signed with another key.
    let notice = serde_json::to_vec(&json!({"owner": owner, "function": "rev"})).unwrap();
    let nats = platform.nats().client().await;
    nats.publish(RETIRED_FUNCTIONS_SUBJECT, notice.clone().into())
        .await
        .unwrap();
    let mut headers = async_nats::HeaderMap::new();
    let forged = RequestKey::random().sign(RETIRED_FUNCTIONS_SUBJECT, &notice);
    headers.insert(SIGNATURE_HEADER, forged.as_str());
    nats.publish_with_headers(RETIRED_FUNCTIONS_SUBJECT, headers, notice.into())
        .await
        .unwrap();
    nats.flush().await.unwrap();
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(parked(&id).await, 2, "a forged notice drained the pool");
    let removed = platform
        .authed(reqwest::Method::DELETE, "/v1/functions/rev", &token)
        .send()
        .await
        .unwrap();
    assert_eq!(removed.status(), reqwest::StatusCode::NO_CONTENT);
    wait_parked(&id, 0).await;

    // A deleted account takes every pool of its functions with it.
    warm_up(json!({"image": REVERSE, "prewarm": 2})).await;
    let deleted = platform
        .authed(reqwest::Method::DELETE, "/v1/users/me", &token)
        .json(&json!({"password": faas_testkit::names::PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), reqwest::StatusCode::NO_CONTENT);
    wait_parked(&id, 0).await;
    worker.stop().await;
}

/// A worker given no init binary (no `FAAS_WORKER_INIT`, none beside it) uses
/// the one built into it: a prewarmed function is served by a parked container.
#[tokio::test]
async fn a_worker_without_an_init_setting_prewarms_with_the_built_in_one() {
    let platform = Platform::parts().await;
    let id = unique("built-in");
    let worker = platform.worker(|config| {
        config.worker_id = id.clone();
        config.init_binary = None;
    });
    let token = platform.user(&unique("bi")).await;
    platform
        .add_function(&token, "rev", json!({"image": REVERSE, "prewarm": 1}))
        .await;
    let mut served = Vec::new();
    for i in 0..10 {
        let activation = platform.invoke_ok(&token, "rev", &format!("{i}")).await;
        served.push(prewarmed(&activation));
        if served.last() == Some(&true) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert_eq!(served.last(), Some(&true), "never prewarmed: {served:?}");
    worker.stop().await;
    assert!(worker_leftovers(&id).await.is_empty());
    platform.stop().await;
}

/// `PUT` of function `name` with `spec`: the status and the body.
async fn put_function(platform: &Platform, token: &str, name: &str, spec: Value) -> (u16, Value) {
    let response = platform
        .authed(
            reqwest::Method::PUT,
            &format!("/v1/functions/{name}"),
            token,
        )
        .json(&spec)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

/// The answer to `PUT` of `spec` once the workers' heartbeats have come in (it
/// changes from what nothing is known of to what they say, within 10 s).
async fn put_until(platform: &Platform, token: &str, spec: Value, want: u16) -> Value {
    for _ in 0..40 {
        let (status, body) = put_function(platform, token, "f", spec.clone()).await;
        if status == want {
            return body;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    panic!("PUT {spec} never answered {want}");
}

/// The function `f` as `GET` shows it once its `effective_prewarm` is `want`
/// (the workers' heartbeats come in within 10 s).
async fn get_until_effective(platform: &Platform, token: &str, want: u32) -> Value {
    for _ in 0..40 {
        let (_, info) = platform.get_json("/v1/functions/f", token).await;
        if info["effective_prewarm"] == json!(want) {
            return info;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    panic!("effective_prewarm never became {want}");
}

/// Nothing asked for is ignored without a word: a spec no live worker can honour
/// is refused naming the fix; a function whose prewarm the workers cannot honour
/// shows it (`effective_prewarm`), and each cold run of a prewarmed function says
/// why (`timings.cold_reason`).
#[tokio::test]
async fn a_spec_no_live_worker_can_serve_is_refused_naming_the_fix() {
    let platform = Platform::parts().await;
    let token = platform.user(&unique("serve")).await;
    let prewarmed = json!({"image": REVERSE, "prewarm": 2});
    // Before any worker says what it serves, nothing is refused.
    let (status, _) = put_function(&platform, &token, "f", prewarmed.clone()).await;
    assert_eq!(status, 201);

    let without_pools = platform.worker(|config| {
        config.worker_id = unique("no-pools");
        config.max_parked = 0;
    });
    let info = get_until_effective(&platform, &token, 0).await;
    assert_eq!(info["prewarm"], 2, "{info}");
    let cold = platform.invoke_ok(&token, "f", "ab").await;
    assert_eq!(
        cold["timings"]["cold_reason"], "worker_cannot_prewarm",
        "{cold}"
    );
    let refused = put_until(&platform, &token, prewarmed.clone(), 409).await;
    assert_eq!(refused["error"]["code"], "unservable", "{refused}");
    let message = refused["error"]["message"].as_str().unwrap();
    assert!(message.contains("FAAS_WORKER_MAX_PARKED"), "{message}");
    let (status, _) = put_function(&platform, &token, "g", json!({"image": REVERSE})).await;
    assert_eq!(status, 201, "a spec without prewarm is fine");

    let with_pools = platform.worker(|config| config.worker_id = unique("pools"));
    without_pools.stop().await;
    let accepted = put_until(&platform, &token, prewarmed, 200).await;
    assert_eq!(accepted["prewarm"], 2, "{accepted}");
    get_until_effective(&platform, &token, 2).await;
    let first = platform.invoke_ok(&token, "f", "ab").await;
    assert_eq!(first["timings"]["cold_reason"], "pool_empty", "{first}");
    with_pools.stop().await;
    platform.stop().await;
}
