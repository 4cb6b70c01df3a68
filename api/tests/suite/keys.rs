//! API keys on the real platform: a key works on the function, invocation and
//! activation routes until it is removed, expires or its account goes; it never
//! opens the account or key routes; its secret is shown once and never listed or
//! logged; and keys of different users do not meet.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use faas_api::api::ROUTES;
use faas_api::store::StoredKey;
use faas_shared::nats::{KEYS_BUCKET, api_key_key};
use faas_shared::paths;
use faas_testkit::names::{ECHO, PASSWORD, unique};
use faas_testkit::{Api, Platform, expect_error};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Creates key `name` with a session `token`; the answer must be 201.
async fn create_key(api: &Api, token: &str, name: &str) -> Value {
    let response = api
        .authed(Method::POST, "/v1/keys", token)
        .json(&json!({ "name": name }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED, "create key {name}");
    response.json().await.unwrap()
}

/// The status of listing functions with `bearer`, and its error code.
async fn list_with(api: &Api, bearer: &str) -> (StatusCode, String) {
    let (status, body) = api.get_json("/v1/functions", bearer).await;
    (
        status,
        body["error"]["code"].as_str().unwrap_or("").to_owned(),
    )
}

/// Everything the server logs, at every level, captured for the test to search.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn a_key_works_on_functions_until_removed_and_is_never_listed_or_logged() {
    let logs = Captured::default();
    let writer = logs.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .init();
    let p = Platform::parts().await;
    let worker = p.worker(|_| {});
    let alice = unique("alice");
    let session = p.user(&alice).await;
    let created = create_key(&p, &session, "ci").await;
    let secret = created["secret"].as_str().unwrap().to_owned();
    assert!(
        secret.starts_with(&format!("faas_k_{alice}.ci.")),
        "{secret}"
    );
    let random = secret.rsplit('.').next().unwrap().to_owned();

    // Used as the bearer everywhere a CI job needs it.
    p.add_function(&secret, "echo", json!({"image": ECHO}))
        .await;
    assert_eq!(list_with(&p, &secret).await.0, StatusCode::OK);
    let activation = p.invoke_ok(&secret, "echo", "from ci").await;
    assert_eq!(activation["result"], "from ci");
    let id = activation["activation_id"].as_str().unwrap();
    let (status, _) = p.get_json(&format!("/v1/activations/{id}"), &secret).await;
    assert_eq!(status, StatusCode::OK);

    // Exactly the routes the table says take a key do; the account and the keys
    // need a session, so a leaked key cannot mint more. (Names that do not exist:
    // past the bearer check a route answers 400 or 404, never 401, and never 500,
    // which would say the handler wants a session its route does not check for.)
    for route in ROUTES.iter().filter(|r| r.access.needs_token()) {
        let filled = paths::fill(route.path, "nonexistent");
        let method = Method::from_bytes(route.method.as_str().as_bytes()).unwrap();
        let response = p
            .authed(method.clone(), &filled, &secret)
            .json(&json!({"name": "more", "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status() != StatusCode::UNAUTHORIZED,
            route.access.takes_api_key(),
            "{method} {filled} with a key: {}",
            response.status()
        );
        assert_ne!(
            response.status(),
            StatusCode::INTERNAL_SERVER_ERROR,
            "{method} {filled} with a key"
        );
    }

    // Listed with when it was last used, never with its secret or hash.
    let mut listed = Value::Null;
    for _ in 0..50 {
        listed = p.get_json("/v1/keys", &session).await.1;
        if !listed[0]["last_used_at"].is_null() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(listed[0]["name"], "ci");
    assert_eq!(listed[0]["expires_at"], created["expires_at"]);
    assert!(listed[0]["last_used_at"].is_string(), "{listed}");
    let text = listed.to_string();
    let hash = faas_api::auth::hash_key_secret(&random);
    assert!(!text.contains(&random) && !text.contains(&hash), "{text}");

    // Removed: refused at once; a new key of the same name has a new secret.
    let removed = p.call(Method::DELETE, "/v1/keys/ci", &session).await;
    assert_eq!(removed.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        list_with(&p, &secret).await,
        (StatusCode::UNAUTHORIZED, "unauthorized".into())
    );
    let again = create_key(&p, &session, "ci").await;
    assert_ne!(again["secret"], created["secret"]);
    assert_eq!(list_with(&p, &secret).await.0, StatusCode::UNAUTHORIZED);
    let missing = p.call(Method::DELETE, "/v1/keys/nope", &session).await;
    expect_error(missing, StatusCode::NOT_FOUND, "not_found").await;

    worker.stop().await;
    p.stop().await;
    let logged = String::from_utf8_lossy(&logs.0.lock().unwrap()).into_owned();
    assert!(logged.contains("API key created"), "the capture works");
    assert!(!logged.contains(&random), "a key's secret was logged");
}

#[tokio::test]
async fn forged_expired_foreign_and_orphaned_keys_are_refused() {
    let p = Platform::parts().await;
    let alice = unique("alice");
    let bob = unique("bob");
    let alices_session = p.user(&alice).await;
    let bobs_session = p.user(&bob).await;
    let alices = create_key(&p, &alices_session, "ci").await["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    // Bob's key of the same name is his own; neither listing shows the other's.
    let bobs = create_key(&p, &bobs_session, "ci").await["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(alices, bobs);
    assert_eq!(
        p.get_json("/v1/keys", &bobs_session)
            .await
            .1
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(list_with(&p, &alices).await.0, StatusCode::OK);
    assert_eq!(list_with(&p, &bobs).await.0, StatusCode::OK);

    // Forgeries: one digit changed, one user's secret under the other's name, and
    // secrets that merely look like keys.
    let (prefix, random) = alices.rsplit_once('.').unwrap();
    let flipped = format!(
        "{}{}",
        if random.starts_with('0') { '1' } else { '0' },
        &random[1..]
    );
    let bobs_random = bobs.rsplit_once('.').unwrap().1;
    for forged in [
        format!("{prefix}.{flipped}"),
        format!("{prefix}.{bobs_random}"),
        format!("faas_k_{bob}.ci.{}", random),
        format!("faas_k_{alice}.ci"),
        format!("faas_k_*.ci.{random}"),
        "faas_k_".to_owned(),
    ] {
        assert_eq!(
            list_with(&p, &forged).await,
            (StatusCode::UNAUTHORIZED, "unauthorized".into()),
            "{forged}"
        );
    }

    // Bounds of the API.
    for (body, status, code) in [
        (json!({"name": "ci"}), StatusCode::CONFLICT, "key_exists"),
        (
            json!({"name": "x", "expires_in_days": 0}),
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            json!({"name": "x", "expires_in_days": 366}),
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            json!({"name": "A.b"}),
            StatusCode::BAD_REQUEST,
            "invalid_name",
        ),
        (
            json!({"name": "x", "scope": "all"}),
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
    ] {
        let response = p
            .authed(Method::POST, "/v1/keys", &alices_session)
            .json(&body)
            .send()
            .await
            .unwrap();
        expect_error(response, status, code).await;
    }
    for n in 1..faas_shared::keys::MAX_KEYS_PER_USER {
        create_key(&p, &alices_session, &format!("k{n}")).await;
    }
    let over = p
        .authed(Method::POST, "/v1/keys", &alices_session)
        .json(&json!({"name": "one-too-many"}))
        .send()
        .await
        .unwrap();
    expect_error(over, StatusCode::FORBIDDEN, "quota_exceeded").await;

    // Expired (its record moved into the past, as time would): 401 token_expired.
    let keys = async_nats::jetstream::new(p.nats().client().await)
        .get_key_value(KEYS_BUCKET)
        .await
        .unwrap();
    let kv_key = api_key_key(&bob, "ci");
    let mut stored: StoredKey =
        serde_json::from_slice(&keys.get(&kv_key).await.unwrap().unwrap()).unwrap();
    stored.expires_at = chrono::Utc::now() - chrono::Duration::seconds(1);
    keys.put(&kv_key, serde_json::to_vec(&stored).unwrap().into())
        .await
        .unwrap();
    assert_eq!(
        list_with(&p, &bobs).await,
        (StatusCode::UNAUTHORIZED, "token_expired".into())
    );

    // Deleting the account revokes its keys, also for a new account of that name.
    let deleted = p
        .authed(Method::DELETE, "/v1/users/me", &alices_session)
        .json(&json!({"password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    assert_eq!(list_with(&p, &alices).await.0, StatusCode::UNAUTHORIZED);
    let new_session = p.user(&alice).await;
    assert_eq!(list_with(&p, &alices).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(p.get_json("/v1/keys", &new_session).await.1, json!([]));
    p.stop().await;
}

/// Issue 25, item 3: a key minted with a stolen session must not outlive the
/// password change that ends the session.
#[tokio::test]
async fn a_password_change_revokes_every_api_key_of_the_account() {
    let p = Platform::parts().await;
    let victim = unique("victim");
    let stolen_session = p.user(&victim).await;
    let backdoor = create_key(&p, &stolen_session, "backdoor").await["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let ci = create_key(&p, &stolen_session, "ci").await["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(list_with(&p, &backdoor).await.0, StatusCode::OK);
    // Another user's key is not touched.
    let other_session = p.user(&unique("bystander")).await;
    let others = create_key(&p, &other_session, "ci").await["secret"]
        .as_str()
        .unwrap()
        .to_owned();

    // What the key record held before the change, to put it back below.
    let keys = async_nats::jetstream::new(p.nats().client().await)
        .get_key_value(KEYS_BUCKET)
        .await
        .unwrap();
    let kv_key = api_key_key(&victim, "backdoor");
    let before_change = keys.get(&kv_key).await.unwrap().unwrap();

    let victims_session = p.token(&victim).await;
    let response = p
        .authed(Method::PUT, "/v1/users/me/password", &victims_session)
        .json(&json!({"current_password": PASSWORD, "new_password": "a brand new passphrase"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let changed: Value = response.json().await.unwrap();
    println!(
        "the password change answered: revoked_keys {}",
        changed["revoked_keys"]
    );
    assert_eq!(changed["revoked_keys"], json!(["backdoor", "ci"]));
    let fresh = changed["token"].as_str().unwrap();

    for key in [&backdoor, &ci] {
        assert_eq!(
            list_with(&p, key).await,
            (StatusCode::UNAUTHORIZED, "unauthorized".into())
        );
    }
    assert_eq!(p.get_json("/v1/keys", fresh).await.1, json!([]));
    assert_eq!(list_with(&p, &others).await.0, StatusCode::OK);

    // A key record that survived the change (its purge failed, or a request
    // authenticated just before the change stored it after) is refused too: it
    // carries the generation it was made in.
    keys.put(&kv_key, before_change).await.unwrap();
    let (status, code) = list_with(&p, &backdoor).await;
    println!("the backdoor key put back after the change: {status} {code}");
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::UNAUTHORIZED, "unauthorized")
    );

    // Keys made after the change work.
    let new_key = create_key(&p, fresh, "ci").await["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(list_with(&p, &new_key).await.0, StatusCode::OK);
    p.stop().await;
}
