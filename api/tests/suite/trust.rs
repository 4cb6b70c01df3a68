//! Trust boundaries inside the platform: NATS lets in only faas' own users, each
//! with only the subjects it needs, and a worker runs only what the server queued.
//!
//! (On compose the same NATS config is checked by faas-deploy-checks' `compose`.)

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_nats::jetstream;
use faas_shared::activation::ActivationRequest;
use faas_shared::nats::{
    FUNCTIONS_BUCKET, KEYS_BUCKET, RETIRED_FUNCTIONS_SUBJECT, USERS_BUCKET, WORKER_INBOX_PREFIX,
    activation_subject, result_subject,
};
use faas_testkit::activation::{self, publish_signed};
use faas_testkit::names::{REVERSE, unique};
use faas_testkit::{Nats, Platform};
use faas_worker::labels::LABEL_OWNER;
use futures::StreamExt;
use serde_json::json;

/// The dev stack's NATS refuses a client without credentials, and one with a wrong
/// password.
#[tokio::test]
async fn dev_nats_refuses_clients_without_the_right_password() {
    let platform = Platform::dev().await;
    let anonymous = async_nats::ConnectOptions::new()
        .connection_timeout(Duration::from_secs(5))
        .connect(platform.nats_url())
        .await;
    let error = anonymous.expect_err("a connection without credentials is refused");
    assert!(
        error.to_string().contains("authorization violation"),
        "{error}"
    );
    let wrong = async_nats::ConnectOptions::with_user_and_password(
        platform.nats_auth().server.user.clone(),
        "not-the-password".into(),
    )
    .connection_timeout(Duration::from_secs(5))
    .connect(platform.nats_url())
    .await;
    assert!(wrong.is_err(), "a wrong password is refused");
    // The platform itself works: its server and worker log in as their own users.
    let token = platform.user(&unique("authok")).await;
    platform
        .add_function(&token, "reverse", json!({"image": REVERSE}))
        .await;
    let activation = platform.invoke_ok(&token, "reverse", "abc").await;
    assert_eq!(activation["result"], "cba");
    platform.stop().await;
}

/// The connection refusal names the settings to fix.
#[tokio::test]
async fn a_refused_login_names_the_settings() {
    let nats = Nats::start().await;
    let who = faas_process::nats::Identity {
        name: "test",
        credentials: None,
        inbox_prefix: WORKER_INBOX_PREFIX,
    };
    let started = std::time::Instant::now();
    let error = faas_process::nats::connect(nats.url(), who, Duration::from_secs(30))
        .await
        .err()
        .expect("refused");
    let message = error.to_string();
    assert!(message.contains("FAAS_NATS_USER"), "{message}");
    assert!(message.contains("FAAS_NATS_PASSWORD_FILE"), "{message}");
    // Refused at once, not after waiting out the 30 s meant for a NATS starting up.
    assert!(started.elapsed() < Duration::from_secs(20));
}

/// The server errors NATS sends a client (permission violations among them).
fn collect_errors(errors: &Arc<Mutex<Vec<String>>>) -> async_nats::ConnectOptions {
    let errors = errors.clone();
    async_nats::ConnectOptions::new().event_callback(move |event| {
        let errors = errors.clone();
        async move {
            if let async_nats::Event::ServerError(e) = event {
                errors.lock().unwrap().push(e.to_string());
            }
        }
    })
}

/// Logged in as the worker, a client can read neither the users (password hashes)
/// nor the functions, through the KV API, the JetStream API or a subscription, and
/// cannot queue requests; the server's user can read them (so the refusal is the
/// permission, not a missing key).
#[tokio::test]
async fn the_worker_user_cannot_read_users_or_functions_nor_queue_work() {
    let platform = Platform::parts().await;
    let user = unique("victim");
    let token = platform.user(&user).await;
    platform
        .add_function(&token, "reverse", json!({"image": REVERSE}))
        .await;
    let key = platform
        .authed(reqwest::Method::POST, "/v1/keys", &token)
        .json(&json!({"name": "ci"}))
        .send()
        .await
        .unwrap();
    assert_eq!(key.status(), reqwest::StatusCode::CREATED);
    let nats = platform.nats();

    let server_js = jetstream::new(nats.client().await);
    let users = server_js.get_key_value(USERS_BUCKET).await.unwrap();
    let hash = users
        .get(&user)
        .await
        .unwrap()
        .expect("the server reads users");
    assert!(String::from_utf8_lossy(&hash).contains("argon2id"));

    let errors = Arc::new(Mutex::new(Vec::new()));
    let worker = collect_errors(&errors)
        .user_and_password(
            nats.auth().worker.user.clone(),
            nats.auth().worker.password.clone(),
        )
        .custom_inbox_prefix(WORKER_INBOX_PREFIX)
        .request_timeout(Some(Duration::from_secs(2)))
        .connect(nats.url())
        .await
        .unwrap();
    let js = jetstream::new(worker.clone());
    for bucket in [USERS_BUCKET, FUNCTIONS_BUCKET, KEYS_BUCKET] {
        assert!(
            js.get_key_value(bucket).await.is_err(),
            "the worker opened {bucket}"
        );
        // A direct get, as a KV read does it, without opening the bucket.
        let key = match bucket {
            USERS_BUCKET => user.clone(),
            KEYS_BUCKET => format!("{user}.ci"),
            _ => format!("{user}.reverse"),
        };
        let direct = worker
            .request(
                format!("$JS.API.DIRECT.GET.KV_{bucket}.$KV.{bucket}.{key}"),
                "".into(),
            )
            .await;
        assert!(direct.is_err(), "the worker read {bucket}: {direct:?}");
        let get = worker
            .request(
                format!("$JS.API.STREAM.MSG.GET.KV_{bucket}"),
                json!({"last_by_subj": format!("$KV.{bucket}.{key}")})
                    .to_string()
                    .into(),
            )
            .await;
        assert!(get.is_err(), "the worker read {bucket}: {get:?}");
        // Nor by a consumer of its own.
        let consumer = worker
            .request(
                format!("$JS.API.CONSUMER.CREATE.KV_{bucket}"),
                json!({"stream_name": format!("KV_{bucket}"), "config": {"deliver_subject": "_INBOX_worker.x", "ack_policy": "none"}})
                    .to_string()
                    .into(),
            )
            .await;
        assert!(consumer.is_err(), "the worker read {bucket}: {consumer:?}");
        // Nor by writing a key.
        let put = js.publish(format!("$KV.{bucket}.{key}"), "{}".into()).await;
        assert!(put.is_err() || put.unwrap().await.is_err());
    }
    // Nor by listening to what the server reads (its replies have their own prefix).
    let mut snoop = worker.subscribe("_INBOX_server.>").await.unwrap();
    let _ = users.get(&user).await.unwrap();
    let snooped = tokio::time::timeout(Duration::from_secs(1), snoop.next()).await;
    assert!(
        !matches!(snooped, Ok(Some(_))),
        "the worker received the server's replies"
    );
    // Nor queue work.
    let queued = js.publish(activation_subject(&user), "{}".into()).await;
    assert!(queued.is_err() || queued.unwrap().await.is_err());
    // Nor tell the other workers to drain their pools.
    worker
        .publish(RETIRED_FUNCTIONS_SUBJECT, "{}".into())
        .await
        .unwrap();

    worker.flush().await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let errors = errors.lock().unwrap().clone();
    assert!(
        errors
            .iter()
            .any(|e| e.contains("Permissions Violation")
                && e.contains(&format!("KV_{USERS_BUCKET}"))),
        "NATS refused the reads as permission violations: {errors:#?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.contains("Permissions Violation") && e.contains(RETIRED_FUNCTIONS_SUBJECT)),
        "NATS refused the notice as a permission violation: {errors:#?}"
    );
    platform.stop().await;
}

/// The owners of the function containers the engine creates while it runs, from a
/// live `docker events` stream: the engine's event log keeps only its last 256
/// events, which a busy test run overwrites within seconds.
struct CreatedContainers {
    events: std::process::Child,
    owners: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl CreatedContainers {
    fn watch() -> Self {
        use std::io::BufRead as _;
        let mut events = std::process::Command::new("docker")
            .args([
                "events",
                "--filter",
                "type=container",
                "--filter",
                "event=create",
                "--filter",
                &format!("label={LABEL_OWNER}"),
                "--format",
                &format!("{{{{index .Actor.Attributes \"{LABEL_OWNER}\"}}}}"),
            ])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("the docker CLI runs");
        let stdout = events.stdout.take().unwrap();
        let owners = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let seen = owners.clone();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
            {
                seen.lock().unwrap().push(line);
            }
        });
        // Let the stream attach before anything is created.
        std::thread::sleep(Duration::from_millis(500));
        Self { events, owners }
    }

    /// How many containers were created for `owner` so far.
    fn count(&self, owner: &str) -> usize {
        self.owners
            .lock()
            .unwrap()
            .iter()
            .filter(|o| *o == owner)
            .count()
    }
}

impl Drop for CreatedContainers {
    fn drop(&mut self) {
        let _ = self.events.kill();
        let _ = self.events.wait();
    }
}

/// Queues `request` on its owner's subject with `signature` over `body`.
async fn forge(
    client: &async_nats::Client,
    request: &ActivationRequest,
    body: Vec<u8>,
    signature: &str,
) {
    publish_signed(client, &activation_subject(&request.owner), body, signature).await;
}

/// Requests put on the queue by someone other than the server (a client with
/// publish rights there: here the server's own NATS user) are not run: unsigned,
/// signed with another key, signed and then altered, signed for another user's
/// subject, or signed but over the limits. No container is created for them, and
/// the worker goes on serving signed requests.
#[tokio::test]
async fn forged_queue_messages_are_not_run() {
    let nats = Nats::start().await;
    nats.set_up_store().await;
    let client = nats.client().await;
    let key = nats.request_key().clone();
    let mut worker_config = nats.worker_config();
    worker_config.worker_id = unique("trusty");
    let worker = faas_testkit::Worker::start(worker_config);
    let created = CreatedContainers::watch();

    let victim = unique("forged").replace('-', "");
    let forged = |param: &str| {
        let mut request = activation::request(REVERSE, param);
        request.owner = victim.clone();
        request
    };
    let json = |request: &ActivationRequest| serde_json::to_vec(request).unwrap();
    let mut results = Vec::new();
    let mut watch = |request: &ActivationRequest| {
        let client = client.clone();
        let subject = result_subject(&request.activation_id);
        results.push(tokio::spawn(async move {
            let mut sub = client.subscribe(subject).await.unwrap();
            tokio::time::timeout(Duration::from_secs(15), sub.next())
                .await
                .ok()
                .flatten()
        }));
    };

    // Unsigned.
    let unsigned = forged("unsigned");
    watch(&unsigned);
    tokio::time::sleep(Duration::from_millis(200)).await;
    jetstream::new(client.clone())
        .publish(activation_subject(&victim), json(&unsigned).into())
        .await
        .unwrap()
        .await
        .unwrap();
    // Signed with another key.
    let other_key = forged("other key");
    watch(&other_key);
    let signature = faas_process::signing::RequestKey::random()
        .sign(&activation_subject(&victim), &json(&other_key));
    // A garbage signature.
    let garbage = forged("garbage");
    watch(&garbage);
    // Signed, then altered on the way (another image, more memory).
    let altered = forged("altered");
    watch(&altered);
    let altered_signature = key.sign(&activation_subject(&victim), &json(&altered));
    let mut changed = altered.clone();
    changed.memory_mb = 2048;
    changed.image = "faas-examples/sh:latest".into();
    // Signed for another user's subject, published on the victim's.
    let moved = forged("moved");
    watch(&moved);
    let moved_signature = key.sign(&activation_subject("someoneelse"), &json(&moved));
    // Properly signed, but over the limits the server enforces.
    let mut oversized = forged("oversized");
    oversized.memory_mb = 1_000_000;
    watch(&oversized);
    let oversized_signature = key.sign(&activation_subject(&victim), &json(&oversized));
    tokio::time::sleep(Duration::from_millis(200)).await;

    forge(&client, &other_key, json(&other_key), &signature).await;
    forge(&client, &garbage, json(&garbage), "00ff").await;
    forge(&client, &altered, json(&changed), &altered_signature).await;
    forge(&client, &moved, json(&moved), &moved_signature).await;
    forge(&client, &oversized, json(&oversized), &oversized_signature).await;

    // The worker keeps serving: a signed request after the forged ones is answered.
    let mut genuine = activation::request(REVERSE, "genuine");
    genuine.owner = unique("genuine");
    let mut answer = client
        .subscribe(result_subject(&genuine.activation_id))
        .await
        .unwrap();
    client.flush().await.unwrap();
    activation::queue(&client, &key, &genuine).await;
    let answered = tokio::time::timeout(Duration::from_secs(30), answer.next())
        .await
        .expect("the genuine request is answered within 30 s")
        .unwrap();
    assert!(String::from_utf8_lossy(&answered.payload).contains("eniuneg"));

    for result in results {
        assert!(
            result.await.unwrap().is_none(),
            "a forged request got a result"
        );
    }
    assert_eq!(
        created.count(&victim),
        0,
        "containers were created for forged requests"
    );
    // The check itself sees containers: the genuine request's owner has one.
    assert_eq!(created.count(&genuine.owner), 1);
    assert_eq!(
        nats.activations()
            .await
            .info()
            .await
            .unwrap()
            .state
            .messages,
        0,
        "the forged requests were dropped from the queue"
    );
    worker.stop().await;
}
