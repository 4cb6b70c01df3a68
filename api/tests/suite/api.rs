//! The API end to end: real NATS, real Docker, real HTTPS.

use faas_testkit::docker::leftover_containers;
use faas_testkit::names::{ECHO, FAIL, PASSWORD, REVERSE, unique};
use faas_testkit::{Platform, error_code, expect_error};
use reqwest::{Method, StatusCode, header};
use serde_json::{Value, json};

#[tokio::test]
async fn walkthrough_register_login_add_invoke_remove() {
    let p = Platform::dev().await;
    let user = unique("alice");
    let token = p.user(&user).await;

    let created = p
        .add_function(&token, "reverse", json!({"image": REVERSE}))
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let info: Value = created.json().await.unwrap();
    assert_eq!(info["image"], REVERSE);
    assert_eq!(info["timeout_ms"], 30_000);
    assert_eq!(info["param_mode"], "argv");

    let replaced = p
        .add_function(
            &token,
            "reverse",
            json!({"image": REVERSE, "timeout_ms": 10_000}),
        )
        .await;
    assert_eq!(replaced.status(), StatusCode::OK);

    let (_, listed) = p.get_json("/v1/functions", &token).await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["name"], "reverse");
    assert_eq!(listed[0]["timeout_ms"], 10_000);

    let activation = p.invoke_ok(&token, "reverse", "hello").await;
    assert_eq!(activation["result"], "olleh");
    assert_eq!(activation["status"], "success");
    assert_eq!(activation["exit_code"], 0);
    assert_eq!(activation["function"], "reverse");

    let removed = p
        .call(Method::DELETE, "/v1/functions/reverse", &token)
        .await;
    assert_eq!(removed.status(), StatusCode::NO_CONTENT);
    let gone = p.invoke(&token, "reverse", "hello").await;
    expect_error(gone, StatusCode::NOT_FOUND, "function_not_found").await;

    assert!(leftover_containers(&user).await.is_empty());
    p.stop().await;
}

#[tokio::test]
async fn other_users_function_is_not_found() {
    let p = Platform::dev().await;
    let alice = p.user(&unique("alice")).await;
    let bob = p.user(&unique("bob")).await;
    assert_eq!(
        p.add_function(&alice, "secret", json!({"image": ECHO}))
            .await
            .status(),
        StatusCode::CREATED
    );

    for (method, path) in [
        (Method::GET, "/v1/functions/secret"),
        (Method::DELETE, "/v1/functions/secret"),
        (Method::POST, "/v1/functions/secret/invoke"),
    ] {
        let response = p
            .authed(method.clone(), path, &bob)
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{method} {path}");
        assert_eq!(error_code(response).await, "function_not_found");
    }
    assert_eq!(p.get_json("/v1/functions", &bob).await.1, json!([]));

    // Bob's function of the same name is his own; Alice's is untouched.
    assert_eq!(
        p.add_function(&bob, "secret", json!({"image": REVERSE}))
            .await
            .status(),
        StatusCode::CREATED
    );
    let (_, alices) = p.get_json("/v1/functions/secret", &alice).await;
    assert_eq!(alices["image"], ECHO);
    p.stop().await;
}

#[tokio::test]
async fn credentials_and_tokens_are_checked() {
    let p = Platform::dev().await;
    let user = unique("carol");
    assert_eq!(
        p.register(&user, PASSWORD).await.status(),
        StatusCode::CREATED
    );

    let dup = p.register(&user, "another password").await;
    expect_error(dup, StatusCode::CONFLICT, "user_exists").await;

    let wrong = p.login(&user, "wrong password!").await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let wrong_body: Value = wrong.json().await.unwrap();
    let unknown = p.login("nobody-here", "wrong password!").await;
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    let unknown_body: Value = unknown.json().await.unwrap();
    assert_eq!(
        wrong_body, unknown_body,
        "unknown user and wrong password look the same"
    );
    assert_eq!(wrong_body["error"]["code"], "invalid_credentials");

    let good: Value = p.login(&user, PASSWORD).await.json().await.unwrap();
    let token = good["token"].as_str().unwrap();
    assert_eq!(good["token_type"], "Bearer");
    assert!(good["expires_at"].is_string());
    assert_eq!(
        p.authed(Method::GET, "/v1/functions", token)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );

    let missing = p
        .request(Method::GET, "/v1/functions")
        .send()
        .await
        .unwrap();
    assert!(missing.headers().contains_key(header::WWW_AUTHENTICATE));
    expect_error(missing, StatusCode::UNAUTHORIZED, "unauthorized").await;

    let mut tampered = token.to_owned();
    tampered.pop();
    tampered.push(if token.ends_with('A') { 'B' } else { 'A' });
    let payload = token.split('.').nth(1).unwrap();
    let alg_none = format!("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{payload}.");
    for bad in ["garbage", "a.b.c", tampered.as_str(), alg_none.as_str()] {
        let response = p.call(Method::GET, "/v1/functions", bad).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "token {bad:?}");
        assert_eq!(error_code(response).await, "unauthorized");
    }
    let basic = p
        .request(Method::GET, "/v1/functions")
        .header(header::AUTHORIZATION, "Basic YWxpY2U6cHc=")
        .send()
        .await
        .unwrap();
    assert_eq!(basic.status(), StatusCode::UNAUTHORIZED);
    p.stop().await;
}

#[tokio::test]
async fn expired_token_is_rejected_with_its_own_code() {
    let p = Platform::dev().await;
    let user = unique("dave");
    let token = p.user(&user).await;
    // A token signed with the platform's own key, but expired an hour ago: the
    // claims of a genuine token with other times.
    let genuine: Value = jsonwebtoken::dangerous::insecure_decode_claims(&token).unwrap();
    let key = jsonwebtoken::EncodingKey::from_ec_pem(p.jwt_key_pem().as_bytes()).unwrap();
    let sign = |iat: i64, exp: i64| {
        let mut claims = genuine.clone();
        claims["iat"] = iat.into();
        claims["exp"] = exp.into();
        claims["jti"] = format!("t{iat}").into();
        jsonwebtoken::encode(
            &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256),
            &claims,
            &key,
        )
        .unwrap()
    };
    let now = chrono::Utc::now().timestamp();
    let expired = sign(now - 7200, now - 3600);
    let response = p.call(Method::GET, "/v1/functions", &expired).await;
    expect_error(response, StatusCode::UNAUTHORIZED, "token_expired").await;

    // The same claims, unexpired, are accepted: the rejection was the expiry.
    let fresh = sign(now, now + 600);
    let ok = p.call(Method::GET, "/v1/functions", &fresh).await;
    assert_eq!(ok.status(), StatusCode::OK);
    p.stop().await;
}

#[tokio::test]
async fn bad_input_gets_a_clear_4xx_never_a_500() {
    let p = Platform::dev().await;
    let token = p.user(&unique("erin")).await;

    // (method, path, token, body, expected status, expected code)
    type Case<'a> = (
        Method,
        &'a str,
        Option<&'a str>,
        &'a str,
        StatusCode,
        &'a str,
    );
    let cases: Vec<Case> = vec![
        (
            Method::POST,
            "/v1/users",
            None,
            "{not json",
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            Method::POST,
            "/v1/users",
            None,
            r#"{"username":"x"}"#,
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            Method::POST,
            "/v1/users",
            None,
            r#"{"username":"Bad Name","password":"long enough pw"}"#,
            StatusCode::BAD_REQUEST,
            "invalid_username",
        ),
        (
            Method::POST,
            "/v1/users",
            None,
            r#"{"username":"frank","password":"short"}"#,
            StatusCode::BAD_REQUEST,
            "weak_password",
        ),
        (
            Method::POST,
            "/v1/auth/login",
            None,
            "[]",
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            Method::PUT,
            "/v1/functions/f1",
            Some(&token),
            r#"{"image":"alpine; rm -rf /"}"#,
            StatusCode::BAD_REQUEST,
            "invalid_image",
        ),
        (
            Method::PUT,
            "/v1/functions/f1",
            Some(&token),
            r#"{"image":"alpine","timeout_ms":999999999}"#,
            StatusCode::BAD_REQUEST,
            "invalid_spec",
        ),
        (
            Method::PUT,
            "/v1/functions/f1",
            Some(&token),
            r#"{"image":"alpine","param_mode":"smoke"}"#,
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            Method::PUT,
            "/v1/functions/f1",
            Some(&token),
            r#"{"image":"alpine","extra":1}"#,
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            Method::PUT,
            "/v1/functions/Bad.Name",
            Some(&token),
            r#"{"image":"alpine"}"#,
            StatusCode::BAD_REQUEST,
            "invalid_name",
        ),
        (
            Method::GET,
            "/v1/functions/nope",
            Some(&token),
            "",
            StatusCode::NOT_FOUND,
            "function_not_found",
        ),
        (
            Method::GET,
            "/v1/nowhere",
            Some(&token),
            "",
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            Method::PATCH,
            "/v1/functions/f1",
            Some(&token),
            "{}",
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
        ),
    ];
    for (method, path, auth, body, status, code) in cases {
        let mut request = p
            .request(method.clone(), path)
            .header(header::CONTENT_TYPE, "application/json")
            .body(body.to_owned());
        if let Some(token) = auth {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), status, "{method} {path} {body}");
        let json: Value = response.json().await.expect("a JSON error body");
        assert_eq!(
            json["error"]["code"], code,
            "{method} {path} {body}: {json}"
        );
        assert!(!json["error"]["message"].as_str().unwrap().is_empty());
    }

    // Too large a parameter for argv mode is refused before anything is queued.
    p.add_function(&token, "echo", json!({"image": ECHO})).await;
    let big = "x".repeat(faas_shared::MAX_PARAM_BYTES_ARGV + 1);
    let response = p.invoke(&token, "echo", &big).await;
    expect_error(response, StatusCode::PAYLOAD_TOO_LARGE, "param_too_large").await;
    p.stop().await;
}

#[tokio::test]
async fn failing_function_answers_502_with_its_output_and_leaves_no_container() {
    let p = Platform::dev().await;
    let user = unique("grace");
    let token = p.user(&user).await;
    p.add_function(&token, "fail", json!({"image": FAIL})).await;

    let response = p.invoke(&token, "fail", "boom").await;
    let body = expect_error(response, StatusCode::BAD_GATEWAY, "function_failed").await;
    let activation = &body["error"]["activation"];
    assert_eq!(activation["status"], "error");
    assert_eq!(activation["exit_code"], 3);
    assert!(
        activation["logs"].as_str().unwrap().contains("boom"),
        "stderr is returned as logs: {activation}"
    );
    assert!(leftover_containers(&user).await.is_empty());
    p.stop().await;
}

#[tokio::test]
async fn missing_image_is_a_clear_error() {
    let p = Platform::dev().await;
    let user = unique("heidi");
    let token = p.user(&user).await;
    p.add_function(
        &token,
        "ghost",
        json!({"image": "faas-examples/does-not-exist:1"}),
    )
    .await;
    let response = p.invoke(&token, "ghost", "x").await;
    expect_error(response, StatusCode::BAD_GATEWAY, "image_unavailable").await;
    assert!(leftover_containers(&user).await.is_empty());
    p.stop().await;
}

#[tokio::test]
async fn parallel_invocations_each_get_their_own_result() {
    // Over the default per-user share of the dev worker's slots, and over its
    // slots: the calls beyond them may wait for one (FAAS_SYNC_QUEUE).
    let p = Platform::dev_with(|limits| {
        limits.max_inflight_per_user = Some(8);
        limits.sync_queue = 8;
    })
    .await;
    let user = unique("ivan");
    let token = p.user(&user).await;
    p.add_function(&token, "reverse", json!({"image": REVERSE}))
        .await;

    let calls = (0..8).map(|i| {
        let p = &p;
        let token = &token;
        async move {
            let param = format!("call-{i}-abc");
            let activation = p.invoke_ok(token, "reverse", &param).await;
            let expected: String = param.chars().rev().collect();
            assert_eq!(activation["result"], expected.as_str());
            activation["activation_id"].as_str().unwrap().to_owned()
        }
    });
    let mut ids = futures::future::join_all(calls).await;
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 8, "every activation has its own id");
    assert!(leftover_containers(&user).await.is_empty());
    p.stop().await;
}

#[tokio::test]
async fn plain_text_in_and_out() {
    let p = Platform::dev().await;
    let token = p.user(&unique("judy")).await;
    p.add_function(&token, "reverse", json!({"image": REVERSE}))
        .await;
    let response = p
        .authed(Method::POST, "/v1/functions/reverse/invoke", &token)
        .header(header::CONTENT_TYPE, "text/plain")
        .header(header::ACCEPT, "text/plain")
        .body("stressed")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["x-faas-status"], "success");
    assert_eq!(response.headers()["x-faas-exit-code"], "0");
    assert!(response.headers().contains_key("x-faas-activation-id"));
    assert_eq!(response.text().await.unwrap(), "desserts");
    p.stop().await;
}

#[tokio::test]
async fn health_and_readiness() {
    let p = Platform::dev().await;
    let health = p.request(Method::GET, "/healthz").send().await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    let ready = p.request(Method::GET, "/readyz").send().await.unwrap();
    let ready: Value = ready.json().await.unwrap();
    assert_eq!(ready["status"], "ok");
    p.stop().await;
}

#[tokio::test]
async fn concurrent_registrations_of_one_name_admit_exactly_one() {
    let p = Platform::dev().await;
    let user = unique("kim");
    let attempts = (0..6).map(|_| p.register(&user, PASSWORD));
    let statuses: Vec<StatusCode> = futures::future::join_all(attempts)
        .await
        .iter()
        .map(|r| r.status())
        .collect();
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::CREATED)
            .count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::CONFLICT)
            .count(),
        5,
        "{statuses:?}"
    );
    p.stop().await;
}
