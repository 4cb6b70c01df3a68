//! Users' secrets: set, listed by name only, sealed at rest, another user's a 404,
//! read by functions as files and shown nowhere else. Real NATS, real Docker.

use std::io::Write;
use std::sync::{Arc, Mutex};

use async_nats::jetstream;
use faas_shared::nats::{SECRETS_BUCKET, secret_key};
use faas_testkit::names::{SH, SLEEP, unique};
use faas_testkit::{Platform, expect_error};
use reqwest::{Method, StatusCode, header};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// Sets `name` to `value` (raw body); returns the status and the JSON answer.
async fn set_secret(p: &Platform, token: &str, name: &str, value: &[u8]) -> (StatusCode, Value) {
    let response = p
        .authed(Method::PUT, &format!("/v1/secrets/{name}"), token)
        .body(value.to_vec())
        .send()
        .await
        .unwrap();
    (response.status(), response.json().await.unwrap_or_default())
}

#[tokio::test]
async fn secrets_are_listed_by_name_only_sealed_at_rest_and_private() {
    let p = Platform::dev().await;
    let alice = unique("sec");
    let token = p.user(&alice).await;
    let value = format!("hunter2-{}", unique("v"));

    let (status, created) = set_secret(&p, &token, "db-password", value.as_bytes()).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["name"], "db-password");
    assert!(created["updated_at"].is_string());
    assert!(!created.to_string().contains(&value));
    // JSON `{"value": …}` replaces it.
    let replaced = p
        .authed(Method::PUT, "/v1/secrets/db-password", &token)
        .json(&json!({ "value": value }))
        .send()
        .await
        .unwrap();
    assert_eq!(replaced.status(), StatusCode::OK);

    let listed = p
        .call(Method::GET, "/v1/secrets", &token)
        .await
        .text()
        .await
        .unwrap();
    let secrets: Value = serde_json::from_str(&listed).unwrap();
    assert_eq!(secrets.as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(secrets[0]["name"], "db-password");
    assert!(
        !listed.contains(&value),
        "the listing shows the value: {listed}"
    );

    // At rest the value is sealed: the KV entry holds neither it nor its hex.
    let nats = p.nats_auth();
    let client = async_nats::ConnectOptions::with_user_and_password(
        nats.server.user.clone(),
        nats.server.password.clone(),
    )
    .custom_inbox_prefix(faas_shared::nats::SERVER_INBOX_PREFIX)
    .connect(p.nats_url())
    .await
    .unwrap();
    let stored = jetstream::new(client)
        .get_key_value(SECRETS_BUCKET)
        .await
        .unwrap()
        .get(secret_key(&alice, "db-password"))
        .await
        .unwrap()
        .expect("the secret is stored");
    let stored = String::from_utf8_lossy(&stored).into_owned();
    assert!(!stored.contains(&value), "stored in the clear: {stored}");
    assert!(
        !stored.contains(&hex::encode(&value)),
        "stored as hex: {stored}"
    );
    assert!(stored.contains("\"kid\""), "{stored}");

    // Bad names and values are 4xx with stable codes.
    let (status, body) = set_secret(&p, &token, "Bad.Name", b"x").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["code"], "invalid_name");
    let (status, body) = set_secret(&p, &token, "big", &vec![b'x'; 64 * 1024 + 1]).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(body["error"]["code"], "payload_too_large");
    let bad_spec = p
        .authed(Method::PUT, "/v1/functions/twice", &token)
        .json(&json!({"image": SH, "secrets": ["a", "a"]}))
        .send()
        .await
        .unwrap();
    expect_error(bad_spec, StatusCode::BAD_REQUEST, "invalid_spec").await;

    // Another user: the secret does not exist for them.
    let bob = p.user(&unique("snoop")).await;
    let (_, theirs) = p.get_json("/v1/secrets", &bob).await;
    assert_eq!(theirs, json!([]));
    let delete = p
        .call(Method::DELETE, "/v1/secrets/db-password", &bob)
        .await;
    expect_error(delete, StatusCode::NOT_FOUND, "secret_not_found").await;
    p.add_function(
        &bob,
        "peek",
        json!({"image": SH, "secrets": ["db-password"]}),
    )
    .await;
    let peek = p.invoke(&bob, "peek", "cat /run/secrets/db-password").await;
    let body = expect_error(peek, StatusCode::NOT_FOUND, "secret_not_found").await;
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("db-password"), "{message}");
    assert!(!body.to_string().contains(&value));

    // The owner's function names it; the definition shows the name only.
    let added = p
        .add_function(
            &token,
            "reader",
            json!({"image": SH, "secrets": ["db-password"]}),
        )
        .await;
    let info: Value = added.json().await.unwrap();
    assert_eq!(info["secrets"], json!(["db-password"]));

    // Deleted, it is a clear 404 at invoke.
    let deleted = p
        .call(Method::DELETE, "/v1/secrets/db-password", &token)
        .await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let invoke = p.invoke(&token, "reader", "true").await;
    let body = expect_error(invoke, StatusCode::NOT_FOUND, "secret_not_found").await;
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("db-password")
    );
}

#[tokio::test]
async fn a_secret_deleted_after_queueing_fails_its_activation_clearly() {
    let p = Platform::parts().await;
    let token = p.user(&unique("gone")).await;
    set_secret(&p, &token, "api-key", b"k").await;
    p.add_function(
        &token,
        "uses",
        json!({"image": SLEEP, "secrets": ["api-key"]}),
    )
    .await;
    // No worker yet: the activation waits in the queue while the secret goes.
    let queued = p
        .authed(Method::POST, "/v1/functions/uses/invoke?async=true", &token)
        .json(&json!({"param": "0"}))
        .send()
        .await
        .unwrap();
    assert_eq!(queued.status(), StatusCode::ACCEPTED);
    let id = queued.json::<Value>().await.unwrap()["activation_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let deleted = p.call(Method::DELETE, "/v1/secrets/api-key", &token).await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);

    let worker = p.worker(|_| {});
    let (status, record) = p
        .get_json(&format!("/v1/activations/{id}?wait=60"), &token)
        .await;
    assert_eq!(status, StatusCode::OK, "{record}");
    assert_eq!(record["status"], "error");
    assert_eq!(record["failure"]["kind"], "secret_not_found");
    let message = record["failure"]["message"].as_str().unwrap();
    assert!(message.contains("api-key"), "{message}");
    worker.stop().await;
}

/// Everything the server and worker of this test process log.
#[derive(Clone, Default)]
struct CapturedLog(Arc<Mutex<Vec<u8>>>);

impl Write for CapturedLog {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The function init (`faas-init`) writes the files: the worker is given it.
#[tokio::test]
async fn a_function_reads_its_secret_file_and_the_value_shows_nowhere_else() {
    let log = CapturedLog::default();
    let writer = log.clone();
    tracing_subscriber::fmt()
        .with_env_filter("debug")
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .init();
    let p = Platform::parts().await;
    let worker = p.worker(|config| config.init_binary = Some(faas_testkit::init::binary()));
    let user = unique("file");
    let token = p.user(&user).await;
    let value = format!("s3cret-{}", unique("v"));
    set_secret(&p, &token, "db-password", value.as_bytes()).await;
    p.add_function(
        &token,
        "digest",
        json!({"image": SH, "secrets": ["db-password"]}),
    )
    .await;

    // The function prints the file's digest, then lingers so its container can be
    // inspected while it runs.
    let invoke = p.invoke(
        &token,
        "digest",
        "sha256sum /run/secrets/db-password | cut -d ' ' -f 1; sleep 2",
    );
    tokio::pin!(invoke);
    let mut inspected = None;
    let response = loop {
        tokio::select! {
            response = &mut invoke => break response,
            () = tokio::time::sleep(std::time::Duration::from_millis(200)), if inspected.is_none() => {
                inspected = docker_inspect(&user);
            }
        }
    };
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], "success", "{body}");
    let digest = hex::encode(Sha256::digest(value.as_bytes()));
    assert_eq!(body["result"].as_str().unwrap().trim(), digest);

    let inspected = inspected.expect("the function's container was inspected while it ran");
    assert!(
        !inspected.contains(&value),
        "docker inspect shows the value"
    );
    let id = body["activation_id"].as_str().unwrap();
    for path in [
        format!("/v1/activations/{id}"),
        "/v1/activations".to_owned(),
        "/v1/functions".to_owned(),
        "/v1/functions/digest".to_owned(),
        "/v1/secrets".to_owned(),
    ] {
        let text = p
            .authed(Method::GET, &path, &token)
            .header(header::ACCEPT, "application/json")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(!text.contains(&value), "{path} shows the value: {text}");
    }
    let logged = String::from_utf8_lossy(&log.0.lock().unwrap()).into_owned();
    assert!(logged.contains("secret stored"), "the log was captured");
    assert!(!logged.contains(&value), "the log shows the value");
    worker.stop().await;
}

/// `docker inspect` of the user's running function container, once there is one.
fn docker_inspect(owner: &str) -> Option<String> {
    let ids = std::process::Command::new("docker")
        .args(["ps", "-q", "--filter"])
        .arg(format!(
            "label={}={owner}",
            faas_worker::labels::LABEL_OWNER
        ))
        .output()
        .ok()?;
    let id = String::from_utf8(ids.stdout).ok()?.trim().to_owned();
    if id.is_empty() {
        return None;
    }
    let inspect = std::process::Command::new("docker")
        .args(["inspect", &id])
        .output()
        .ok()?;
    Some(String::from_utf8_lossy(&inspect.stdout).into_owned())
}
