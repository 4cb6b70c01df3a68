//! Tokens and the account: claims the server signed are still checked, logout
//! revokes a token on every replica, a password change revokes older tokens, and
//! deleting an account removes all it owned.

use std::time::Duration;

use async_nats::jetstream::consumer::pull;
use faas_shared::nats::{ACTIVATIONS_BUCKET, WORKERS_CONSUMER, activation_key};
use faas_testkit::names::{ECHO, PASSWORD, SLEEP, unique};
use faas_testkit::{Api, Platform, expect_error};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// The status of listing functions with `token`, and its error code if any.
async fn functions_status(api: &Api, token: &str) -> (StatusCode, Value) {
    let response = api.call(Method::GET, "/v1/functions", token).await;
    let status = response.status();
    (status, response.json().await.unwrap_or_default())
}

/// Asserts `token` is refused with 401 `unauthorized` on `api`.
async fn assert_refused(api: &Api, token: &str, why: &str) {
    let (status, body) = functions_status(api, token).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{why}: {body}");
    assert_eq!(body["error"]["code"], "unauthorized", "{why}: {body}");
}

/// Signs `claims` with the platform's own key: tokens the server could have issued.
fn sign(p: &Platform, claims: &Value) -> String {
    let key = jsonwebtoken::EncodingKey::from_ec_pem(p.jwt_key_pem().as_bytes()).unwrap();
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256),
        claims,
        &key,
    )
    .unwrap()
}

/// The claims of a token the server issued.
fn claims_of(token: &str) -> Value {
    jsonwebtoken::dangerous::insecure_decode_claims(token).unwrap()
}

#[tokio::test]
async fn signed_tokens_are_refused_unless_every_claim_is_right() {
    let p = Platform::parts().await;
    let alice = unique("alice");
    let bob = unique("bob");
    let token = p.user(&alice).await;
    let bobs = p.user(&bob).await;
    p.add_function(&token, "mine", json!({"image": ECHO})).await;
    p.add_function(&bobs, "his", json!({"image": ECHO})).await;
    let genuine = claims_of(&token);
    let now = chrono::Utc::now().timestamp();
    let with = |changes: Value| {
        let mut claims = genuine.clone();
        for (name, value) in changes.as_object().unwrap() {
            claims[name] = value.clone();
        }
        sign(&p, &claims)
    };

    // The genuine claims, signed again, are accepted: each refusal below is the
    // one claim changed.
    let (status, listed) = functions_status(&p, &with(json!({}))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");

    // Subjects that are NATS wildcards or separators would reach other users' keys.
    for sub in ["*", ">", "a.b", format!("{alice}.>").as_str(), "Alice", ""] {
        let forged = with(json!({"sub": sub}));
        assert_refused(&p, &forged, &format!("sub {sub:?}")).await;
    }
    assert_refused(&p, &with(json!({"nbf": now + 120})), "nbf in the future").await;
    let (status, _) = functions_status(&p, &with(json!({"nbf": now - 10}))).await;
    assert_eq!(status, StatusCode::OK, "nbf in the past");
    // The default lifetime is 12 h: a token for 12 h and a minute is refused.
    let long = with(json!({"iat": now, "exp": now + 12 * 3600 + 60}));
    assert_refused(&p, &long, "exp beyond the lifetime").await;
    let future = with(json!({"iat": now + 600, "exp": now + 1200}));
    assert_refused(&p, &future, "iat in the future").await;
    assert_refused(&p, &with(json!({"jti": "a.>"})), "jti not a key").await;
    assert_refused(&p, &with(json!({"gen": "made-up"})), "another generation").await;
    let expired = with(json!({"iat": now - 7200, "exp": now - 3600}));
    expect_error(
        p.authed(Method::GET, "/v1/functions", &expired)
            .send()
            .await
            .unwrap(),
        StatusCode::UNAUTHORIZED,
        "token_expired",
    )
    .await;
    p.stop().await;
}

#[tokio::test]
async fn logout_revokes_the_token_on_every_replica() {
    let p = Platform::parts().await;
    let other = p.replica().await;
    let user = unique("leaver");
    let token = p.user(&user).await;
    let second = p.token(&user).await;
    assert_eq!(functions_status(&other, &token).await.0, StatusCode::OK);

    let logout = p.call(Method::POST, "/v1/auth/logout", &token).await;
    assert_eq!(logout.status(), StatusCode::NO_CONTENT);

    assert_refused(&p, &token, "logged out, same replica").await;
    assert_refused(&other, &token, "logged out, other replica").await;
    // Logging out again with it is refused too.
    let again = other.call(Method::POST, "/v1/auth/logout", &token).await;
    expect_error(again, StatusCode::UNAUTHORIZED, "unauthorized").await;
    // Only that token: the user's other session goes on.
    assert_eq!(functions_status(&p, &second).await.0, StatusCode::OK);
    assert_eq!(functions_status(&other, &second).await.0, StatusCode::OK);
    other.stop().await;
    p.stop().await;
}

#[tokio::test]
async fn password_change_revokes_older_tokens() {
    let p = Platform::parts().await;
    let other = p.replica().await;
    let user = unique("changer");
    let token = p.user(&user).await;
    let older = p.token(&user).await;
    let change = |token: &str, current: &str, new: &str| {
        p.authed(Method::PUT, "/v1/users/me/password", token)
            .json(&json!({"current_password": current, "new_password": new}))
            .send()
    };
    let new_password = "a brand new passphrase";

    let wrong = change(&token, "not the password", new_password)
        .await
        .unwrap();
    expect_error(wrong, StatusCode::FORBIDDEN, "wrong_password").await;
    let weak = change(&token, PASSWORD, "short").await.unwrap();
    expect_error(weak, StatusCode::BAD_REQUEST, "weak_password").await;
    // Nothing changed so far.
    assert_eq!(functions_status(&p, &older).await.0, StatusCode::OK);

    let changed = change(&token, PASSWORD, new_password).await.unwrap();
    assert_eq!(changed.status(), StatusCode::OK);
    let body: Value = changed.json().await.unwrap();
    let fresh = body["token"].as_str().unwrap();

    for (name, api) in [("this replica", &*p), ("the other replica", &*other)] {
        assert_refused(api, &token, &format!("the token used, {name}")).await;
        assert_refused(api, &older, &format!("an older token, {name}")).await;
        assert_eq!(
            functions_status(api, fresh).await.0,
            StatusCode::OK,
            "{name}"
        );
    }
    expect_error(
        p.login(&user, PASSWORD).await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    )
    .await;
    let login = p.login(&user, new_password).await;
    assert_eq!(login.status(), StatusCode::OK);
    other.stop().await;
    p.stop().await;
}

#[tokio::test]
async fn account_deletion_removes_functions_and_records_and_frees_the_name() {
    let p = Platform::parts().await;
    let worker = p.worker(|_| {});
    let user = unique("goner");
    let token = p.user(&user).await;
    let older = p.token(&user).await;
    p.add_function(&token, "echo", json!({"image": ECHO})).await;
    p.invoke_ok(&token, "echo", "remember me").await;
    let (_, records) = p.get_json("/v1/activations", &token).await;
    assert_eq!(records.as_array().unwrap().len(), 1, "{records}");

    let delete = |body: Value| {
        p.authed(Method::DELETE, "/v1/users/me", &token)
            .json(&body)
            .send()
    };
    let wrong = delete(json!({"password": "not the password"}))
        .await
        .unwrap();
    expect_error(wrong, StatusCode::FORBIDDEN, "wrong_password").await;
    let no_password = delete(json!({})).await.unwrap();
    expect_error(no_password, StatusCode::BAD_REQUEST, "bad_request").await;
    assert_eq!(functions_status(&p, &token).await.0, StatusCode::OK);

    let deleted = delete(json!({"password": PASSWORD})).await.unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    assert_refused(&p, &token, "the deleting token").await;
    assert_refused(&p, &older, "another token").await;
    expect_error(
        p.login(&user, PASSWORD).await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    )
    .await;

    // The name is free again, and the new account starts empty; the old tokens
    // do not open it.
    let new_token = p.user(&user).await;
    assert_eq!(p.get_json("/v1/functions", &new_token).await.1, json!([]));
    assert_eq!(p.get_json("/v1/activations", &new_token).await.1, json!([]));
    let gone = p.invoke(&new_token, "echo", "x").await;
    expect_error(gone, StatusCode::NOT_FOUND, "function_not_found").await;
    assert_refused(&p, &token, "the old account's token, new account").await;
    assert_refused(&p, &older, "the old account's other token").await;
    worker.stop().await;
    p.stop().await;
}

#[tokio::test]
async fn a_deleted_accounts_late_record_is_not_the_new_accounts() {
    let p = Platform::parts().await;
    let worker = p.worker(|_| {});
    let user = unique("late");
    let token = p.user(&user).await;
    p.add_function(&token, "sleep", json!({"image": SLEEP}))
        .await;
    let accepted: Value = p
        .authed(
            Method::POST,
            "/v1/functions/sleep/invoke?async=true",
            &token,
        )
        .json(&json!({"param": "3"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = accepted["activation_id"].as_str().unwrap().to_owned();
    // Wait until the worker runs it: deletion cannot stop a running function.
    let mut consumer = p
        .nats()
        .activations()
        .await
        .get_consumer::<pull::Config>(WORKERS_CONSUMER)
        .await
        .unwrap();
    let mut running = false;
    for _ in 0..150 {
        if consumer.info().await.unwrap().num_ack_pending == 1 {
            running = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(running, "the worker took the activation within 30 s");

    let deleted = p
        .authed(Method::DELETE, "/v1/users/me", &token)
        .json(&json!({"password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let new_token = p.user(&user).await;

    // The old account's activation finishes and is recorded under the same name.
    let client = p.nats().client().await;
    let records = async_nats::jetstream::new(client)
        .get_key_value(ACTIVATIONS_BUCKET)
        .await
        .unwrap();
    let mut recorded = false;
    for _ in 0..150 {
        if records
            .get(activation_key(&user, &id))
            .await
            .unwrap()
            .is_some()
        {
            recorded = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(
        recorded,
        "the old account's activation was recorded within 30 s"
    );

    let (status, body) = p
        .get_json(&format!("/v1/activations/{id}"), &new_token)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(p.get_json("/v1/activations", &new_token).await.1, json!([]));
    worker.stop().await;
    p.stop().await;
}
