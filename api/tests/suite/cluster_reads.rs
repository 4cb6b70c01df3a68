//! The reads a token or key check rests on are current on a 3-node NATS cluster
//! (issue 25, item 8): a logout, a password change and a key removal hold at once
//! through a server whose NATS node is a follower that has fallen behind its
//! streams' leaders (paused while the change was made, resumed as the request
//! arrives). A replica's direct get could answer from before the change there.

use std::time::Duration;

use faas_shared::nats::{KEYS_BUCKET, REVOKED_BUCKET, USERS_BUCKET};
use faas_testkit::cluster::NatsCluster;
use faas_testkit::names::{PASSWORD, unique};
use faas_testkit::{Api, Replica};
use reqwest::{Method, StatusCode};
use serde_json::json;

/// The streams of the buckets those checks read.
fn checked_streams() -> Vec<String> {
    [REVOKED_BUCKET, USERS_BUCKET, KEYS_BUCKET]
        .iter()
        .map(|bucket| format!("KV_{bucket}"))
        .collect()
}

/// Makes node `follower` lead none of the checked streams.
async fn make_follower(cluster: &NatsCluster, follower: usize) {
    let name = &cluster.nodes[follower].name;
    for _ in 0..30 {
        let mut led = Vec::new();
        for stream in checked_streams() {
            if cluster.leader_of(&stream).await == *name {
                led.push(stream);
            }
        }
        if led.is_empty() {
            return;
        }
        for stream in led {
            cluster.step_down(&stream).await;
        }
    }
    panic!("{name} keeps being elected");
}

/// Lists functions with `bearer` through `lagging` while its NATS node is paused
/// (the change was made just before, elsewhere), resuming the node a moment after
/// the request was sent; the status.
async fn status_through_the_lagging_node(
    cluster: &NatsCluster,
    follower: usize,
    lagging: &Replica,
    bearer: &str,
) -> StatusCode {
    let request = lagging.authed(Method::GET, "/v1/functions", bearer).send();
    let resume = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        cluster.nodes[follower].resume();
    };
    let (response, ()) = tokio::join!(request, resume);
    response.unwrap().status()
}

#[tokio::test]
async fn logouts_password_changes_and_key_removals_hold_on_a_lagging_replica() {
    let cluster = NatsCluster::start().await;
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let pem = key.serialize_pem();
    let writer = cluster.server(0, &pem).await;
    let follower = 2;
    let lagging = cluster.server(follower, &pem).await;
    make_follower(&cluster, follower).await;
    let writer: &Api = &writer;

    let user = unique("lag");
    let session = writer.user(&user).await;
    let mut outcomes = Vec::new();

    // 1. A logout.
    let token = writer.token(&user).await;
    assert_eq!(
        lagging.get_json("/v1/functions", &token).await.0,
        StatusCode::OK
    );
    cluster.nodes[follower].pause();
    let logout = writer.call(Method::POST, "/v1/auth/logout", &token).await;
    assert_eq!(logout.status(), StatusCode::NO_CONTENT);
    let status = status_through_the_lagging_node(&cluster, follower, &lagging, &token).await;
    outcomes.push(("logged-out token", status));

    // 2. An API key removed.
    let created = writer
        .authed(Method::POST, "/v1/keys", &session)
        .json(&json!({"name": "ci"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let secret = created.json::<serde_json::Value>().await.unwrap()["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        lagging.get_json("/v1/functions", &secret).await.0,
        StatusCode::OK
    );
    cluster.nodes[follower].pause();
    let removed = writer.call(Method::DELETE, "/v1/keys/ci", &session).await;
    assert_eq!(removed.status(), StatusCode::NO_CONTENT);
    let status = status_through_the_lagging_node(&cluster, follower, &lagging, &secret).await;
    outcomes.push(("removed API key", status));

    // 3. A password change (a new token generation).
    let old = writer.token(&user).await;
    assert_eq!(
        lagging.get_json("/v1/functions", &old).await.0,
        StatusCode::OK
    );
    cluster.nodes[follower].pause();
    let changed = writer
        .authed(Method::PUT, "/v1/users/me/password", &session)
        .json(&json!({"current_password": PASSWORD, "new_password": "another passphrase"}))
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), StatusCode::OK);
    let status = status_through_the_lagging_node(&cluster, follower, &lagging, &old).await;
    outcomes.push(("token older than the password change", status));

    println!("through the node that was behind: {outcomes:?}");
    for (what, status) in outcomes {
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{what}");
    }
    lagging.stop().await;
}
