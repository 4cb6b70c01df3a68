//! The reads a token or key check rests on are current on a 3-node NATS cluster
//! (issue 25, item 8): revocations, user records (token generation, deletion) and
//! API keys are read from their stream's leader, never from a replica's direct
//! get, which a replica behind the leader answers from before a logout, password
//! change or key removal.
//!
//! Shown by where the answer comes from: with the leader of those streams paused
//! (SIGSTOP, shorter than an election), a check through a server on another node
//! does not complete until the leader is back; a replica's direct get would have
//! answered at once, from whatever that replica had.

use std::time::Duration;

use faas_shared::nats::{FUNCTIONS_BUCKET, KEYS_BUCKET, REVOKED_BUCKET, USERS_BUCKET};
use faas_testkit::cluster::NatsCluster;
use faas_testkit::names::unique;
use reqwest::{Method, StatusCode};
use serde_json::json;

/// The streams of the buckets those checks read.
const CHECKED: [&str; 3] = [REVOKED_BUCKET, USERS_BUCKET, KEYS_BUCKET];

/// Elects leaders until node `leader` leads every checked stream and not the
/// functions' (which the request below lists).
async fn arrange_leaders(cluster: &NatsCluster, leader: usize) {
    let name = cluster.nodes[leader].name.clone();
    let functions = format!("KV_{FUNCTIONS_BUCKET}");
    for _ in 0..60 {
        let mut done = true;
        for bucket in CHECKED {
            let stream = format!("KV_{bucket}");
            if cluster.leader_of(&stream).await != name {
                cluster.step_down(&stream).await;
                done = false;
            }
        }
        if cluster.leader_of(&functions).await == name {
            cluster.step_down(&functions).await;
            done = false;
        }
        if done {
            return;
        }
    }
    panic!("could not make {name} lead the checked streams");
}

#[tokio::test]
async fn token_and_key_checks_are_answered_by_the_stream_leader() {
    let cluster = NatsCluster::start().await;
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let pem = key.serialize_pem();
    let (leader, follower) = (0, 2);
    let on_leader = cluster.server(leader, &pem).await;
    let on_follower = cluster.server(follower, &pem).await;
    let session = on_leader.user(&unique("lead")).await;
    let created = on_leader
        .authed(Method::POST, "/v1/keys", &session)
        .json(&json!({"name": "ci"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let api_key = created.json::<serde_json::Value>().await.unwrap()["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    arrange_leaders(&cluster, leader).await;
    for bearer in [&session, &api_key] {
        assert_eq!(
            on_follower.get_json("/v1/functions", bearer).await.0,
            StatusCode::OK
        );
    }

    // Several rounds: NATS hands a direct get to any replica subscribed to it, so
    // a replica may or may not be the one asked in a given round.
    let mut outcomes = Vec::new();
    let rounds = [("session token", &session), ("API key", &api_key)].repeat(4);
    for (what, bearer) in rounds {
        cluster.nodes[leader].pause();
        let check = on_follower
            .authed(Method::GET, "/v1/functions", bearer)
            .send();
        tokio::pin!(check);
        // Well within an election (nats-server waits seconds before one).
        let answered_without_the_leader = tokio::select! {
            response = &mut check => Some(response.unwrap().status()),
            () = tokio::time::sleep(Duration::from_millis(1500)) => None,
        };
        cluster.nodes[leader].resume();
        let status = match answered_without_the_leader {
            Some(status) => status,
            None => check.await.unwrap().status(),
        };
        outcomes.push((what, answered_without_the_leader, status));
    }
    println!("(bearer, answered while the leader was paused, status): {outcomes:?}");
    for (what, answered_without_the_leader, status) in outcomes {
        assert_eq!(
            answered_without_the_leader, None,
            "the {what} was checked by a replica while the leader was paused"
        );
        assert_eq!(status, StatusCode::OK, "{what}");
    }
    on_follower.stop().await;
    on_leader.stop().await;
}
