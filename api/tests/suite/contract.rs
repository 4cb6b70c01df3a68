//! The API's contract at its edges (issue 25, item 9): media types parsed as media
//! types, every error a client can cause in the JSON error shape with a stable code
//! (undecodable path segments, oversized headers on HTTP/2 too), reserved user
//! names, records that name workers by an opaque id, and the schema-valid requests
//! the fuzzer found refused (issue 26) answered as the document says.

use faas_api::api::ROUTES;
use faas_testkit::names::{REVERSE, unique};
use faas_testkit::{Platform, expect_error};
use reqwest::{Method, StatusCode, header};
use serde_json::{Value, json};

/// Invokes `reverse` with `body` sent as `content_type`; the activation's result.
async fn reversed(p: &Platform, token: &str, content_type: &str, body: &str) -> String {
    let response = p
        .authed(Method::POST, "/v1/functions/reverse/invoke", token)
        .header(header::CONTENT_TYPE, content_type)
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    let status = response.status();
    let activation: Value = response.json().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{content_type}: {activation}");
    activation["result"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn content_types_are_media_types_case_insensitive_with_parameters() {
    let p = Platform::dev().await;
    let token = p.user(&unique("mime")).await;
    p.add_function(&token, "reverse", json!({"image": REVERSE}))
        .await;
    let json_body = r#"{"param":"abc"}"#;
    for json_type in [
        "application/json",
        "APPLICATION/JSON",
        "Application/Json; charset=UTF-8",
    ] {
        assert_eq!(
            reversed(&p, &token, json_type, json_body).await,
            "cba",
            "{json_type} is JSON: the parameter is the field"
        );
    }
    for other in ["application/jsonx", "text/plain; charset=utf-8"] {
        assert_eq!(
            reversed(&p, &token, other, json_body).await,
            json_body.chars().rev().collect::<String>(),
            "{other} is not JSON: the body is the parameter"
        );
    }
    // `Accept` is a media range too.
    let response = p
        .authed(Method::POST, "/v1/functions/reverse/invoke", &token)
        .header(header::ACCEPT, "TEXT/PLAIN")
        .body("stressed")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.text().await.unwrap(), "desserts");
    // A Content-Type that is no media type at all is the client's error.
    let response = p
        .authed(Method::POST, "/v1/functions/reverse/invoke", &token)
        .header(header::CONTENT_TYPE, "not a media type")
        .body("x")
        .send()
        .await
        .unwrap();
    expect_error(response, StatusCode::BAD_REQUEST, "bad_request").await;

    // Secrets: a JSON media type in any case is parsed as `{"value": …}` (so a
    // body that is not that JSON is refused, not stored as the value), and
    // `application/jsonx` is a raw value.
    let put_secret = |content_type: &'static str, body: &'static str| {
        p.authed(Method::PUT, "/v1/secrets/token", &token)
            .header(header::CONTENT_TYPE, content_type)
            .body(body)
            .send()
    };
    let response = put_secret("APPLICATION/JSON; charset=utf-8", "raw, not JSON")
        .await
        .unwrap();
    expect_error(response, StatusCode::BAD_REQUEST, "bad_request").await;
    let response = put_secret("Application/Json", r#"{"value":"s3cret"}"#)
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let response = put_secret("application/jsonx", "raw, not JSON")
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "stored raw");
    p.stop().await;
}

#[tokio::test]
async fn undecodable_path_segments_get_the_json_error_shape_on_every_route() {
    let p = Platform::parts().await;
    let token = p.user(&unique("utf")).await;
    let mut checked = 0;
    for route in ROUTES.iter().filter(|route| route.path.contains('{')) {
        // `{name}` or `{id}` as a segment that is not UTF-8 once decoded.
        let start = route.path.find('{').unwrap();
        let end = route.path.find('}').unwrap();
        let path = format!("{}%FF{}", &route.path[..start], &route.path[end + 1..]);
        let response = p
            .authed(route.method.clone(), &path, &token)
            .send()
            .await
            .unwrap();
        let status = response.status();
        let content_type = response.headers()[header::CONTENT_TYPE].clone();
        let body: Value = response.json().await.unwrap_or_default();
        println!("{} {path}: {status} {body}", route.method);
        assert_eq!(status, StatusCode::BAD_REQUEST, "{} {path}", route.method);
        assert_eq!(content_type, "application/json", "{} {path}", route.method);
        let code = body["error"]["code"].as_str().unwrap_or_default();
        assert!(
            code == "invalid_name" || code == "bad_request",
            "{} {path}: {body}",
            route.method
        );
        assert!(
            route.errors.iter().any(|listed| listed.as_str() == code),
            "{} {path}: {code} is not in the route's error codes",
            route.method
        );
        checked += 1;
    }
    assert!(checked >= 8, "{checked} routes with a path parameter");
    p.stop().await;
}

#[tokio::test]
async fn oversized_headers_over_http2_get_the_json_431() {
    let p = Platform::parts().await;
    let h2 = reqwest::Client::builder()
        .http2_prior_knowledge()
        .build()
        .unwrap();
    // Over FAAS_MAX_HEADER_BYTES (16 KiB) but under HTTP/2's own limit.
    let response = h2
        .get(format!("{}/healthz", p.url()))
        .header("x-padding", "a".repeat(20 * 1024))
        .send()
        .await
        .unwrap();
    assert_eq!(response.version(), reqwest::Version::HTTP_2);
    let status = response.status();
    let content_type = response.headers().get(header::CONTENT_TYPE).cloned();
    let body = response.text().await.unwrap();
    println!("HTTP/2, 20 KiB header: {status} {content_type:?} {body:?}");
    assert_eq!(status, StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
    let body: Value = serde_json::from_str(&body).expect("a JSON body");
    assert_eq!(body["error"]["code"], "headers_too_large");
    // Under the limit, HTTP/2 is served as usual.
    let response = h2.get(format!("{}/healthz", p.url())).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    p.stop().await;
}

#[tokio::test]
async fn the_names_of_the_platforms_roles_cannot_be_registered() {
    let p = Platform::parts().await;
    for name in ["admin", "root", "operator", "system", "faas", "faas-ops"] {
        let response = p.register(name, "correct horse battery").await;
        let body = expect_error(response, StatusCode::BAD_REQUEST, "username_reserved").await;
        println!("{name}: {body}");
        let login = p.login(name, "correct horse battery").await;
        assert_eq!(login.status(), StatusCode::UNAUTHORIZED, "{name}");
    }
    // A name that only contains one of them is anyone's.
    let response = p
        .register(&unique("rootbeer"), "correct horse battery")
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    p.stop().await;
}

#[tokio::test]
async fn records_name_the_worker_by_an_opaque_id() {
    let p = Platform::dev().await;
    let token = p.user(&unique("wid")).await;
    p.add_function(&token, "reverse", json!({"image": REVERSE}))
        .await;
    let activation = p.invoke_ok(&token, "reverse", "abc").await;
    let id = activation["activation_id"].as_str().unwrap();
    let record = p.get_ok(&format!("/v1/activations/{id}"), &token).await;
    let worker = record["worker"].as_str().unwrap();
    println!("the record's worker: {worker:?}");
    let host = std::fs::read_to_string("/etc/hostname").unwrap_or_default();
    let pid = std::process::id().to_string();
    assert!(
        worker.len() == 18
            && worker.starts_with("w-")
            && worker[2..].chars().all(|c| c.is_ascii_hexdigit()),
        "{worker}"
    );
    assert!(!worker.contains(&pid), "{worker} shows the pid {pid}");
    assert!(
        host.trim().is_empty() || !worker.contains(host.trim()),
        "{worker} shows the host name"
    );
    // The same worker, the same id.
    let again = p.invoke_ok(&token, "reverse", "def").await;
    let again_id = again["activation_id"].as_str().unwrap();
    let record = p
        .get_ok(&format!("/v1/activations/{again_id}"), &token)
        .await;
    assert_eq!(record["worker"], worker);
    p.stop().await;
}

/// What schemathesis found with every check on (issue 26): schema-valid requests
/// the server refused. Each is now answered as the document says: the document
/// bounds `max_concurrency` from 1 and says a secret's value is not empty (both
/// still 400, now schema-invalid), and the server reads an integral number
/// written `183.0` as the integer it is, in every integer field of a request body,
/// while `183.5` stays a 400 `bad_request` that names it.
#[tokio::test]
async fn the_fuzzers_schema_valid_requests_are_answered_as_documented() {
    let p = Platform::dev().await;
    let token = p.user(&unique("exact")).await;

    let put = |name: &str, spec: Value| {
        let request = p
            .authed(Method::PUT, &format!("/v1/functions/{name}"), &token)
            .json(&spec);
        async move { request.send().await.unwrap() }
    };
    let zero = put("fn", json!({"image": REVERSE, "max_concurrency": 0})).await;
    let body = expect_error(zero, StatusCode::BAD_REQUEST, "invalid_spec").await;
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("max_concurrency must be between 1 and 100"),
        "{body}"
    );
    let doc: Value = serde_json::from_str(&faas_api::api::openapi::document_json()).unwrap();
    let spec = &doc["components"]["schemas"]["FunctionSpec"]["properties"];
    assert_eq!(spec["max_concurrency"]["minimum"], 1, "the document agrees");

    let integral = json!({
        "image": REVERSE,
        "timeout_ms": 1000.0,
        "memory_mb": 64.0,
        "max_concurrency": 2.0,
        "prewarm": 0.0,
    });
    let created = put("fn", integral).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let info: Value = created.json().await.unwrap();
    for (field, value) in [
        ("timeout_ms", 1000),
        ("memory_mb", 64),
        ("max_concurrency", 2),
        ("prewarm", 0),
    ] {
        assert_eq!(info[field], value, "{field}: {info}");
    }
    for field in ["timeout_ms", "memory_mb", "max_concurrency", "prewarm"] {
        let half = put("fn", json!({"image": REVERSE, field: 2.5})).await;
        let body = expect_error(half, StatusCode::BAD_REQUEST, "bad_request").await;
        let message = body["error"]["message"].as_str().unwrap();
        assert!(
            message.contains("floating point `2.5`, expected an integer"),
            "{field}: {message}"
        );
    }

    let empty = p
        .authed(Method::PUT, "/v1/secrets/db-password", &token)
        .json(&json!({"value": ""}))
        .send()
        .await
        .unwrap();
    expect_error(empty, StatusCode::BAD_REQUEST, "bad_request").await;
    let value = &doc["components"]["schemas"]["SecretValue"]["properties"]["value"];
    assert_eq!(value["minLength"], 1, "the document agrees");

    let key = |body: Value| {
        let request = p.authed(Method::POST, "/v1/keys", &token).json(&body);
        async move { request.send().await.unwrap() }
    };
    let created = key(json!({"name": "km", "expires_in_days": 183.0})).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let created: Value = created.json().await.unwrap();
    let at = |field: &str| {
        chrono::DateTime::parse_from_rfc3339(created[field].as_str().unwrap()).unwrap()
    };
    assert_eq!(
        at("expires_at") - at("created_at"),
        chrono::Duration::days(183)
    );
    let half = key(json!({"name": "kh", "expires_in_days": 183.5})).await;
    let body = expect_error(half, StatusCode::BAD_REQUEST, "bad_request").await;
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("floating point `183.5`, expected an integer"),
        "{message}"
    );
    p.stop().await;
}
