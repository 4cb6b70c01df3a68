//! What a hostile user sends that the API fences off before anything runs: image
//! references that would make the Docker Engine fetch from the platform's own
//! network, parameters the kernel cannot carry; and what the record says when the
//! kernel kills a function for its memory. Real NATS, real Docker, the dev stack.

use std::time::Duration;

use faas_testkit::listener::Listener;
use faas_testkit::names::{CAT, ENV, SH, unique};
use faas_testkit::{Platform, expect_error};
use reqwest::{Method, StatusCode};
use serde_json::json;

/// `localhost:PORT/x` and friends are refused at PUT with 403 `image_not_allowed`
/// and a message saying why and how to allow it; the listener on that port never
/// hears from the platform, not even when the function is invoked (it was never
/// stored, so nothing is queued).
#[tokio::test]
async fn local_registries_are_refused_and_never_contacted() {
    let p = Platform::dev().await;
    let token = p.user(&unique("ssrf")).await;
    let target = Listener::answering_a_secret().await;
    let port = target.port();
    for image in [
        format!("localhost:{port}/x"),
        format!("127.0.0.1:{port}/x"),
        format!("127.0.0.1:{port}/x:1"),
        "169.254.169.254/latest/meta-data:1".to_owned(),
        "10.0.0.1:5000/x".to_owned(),
        "registry.internal/x".to_owned(),
    ] {
        let put = p
            .authed(Method::PUT, "/v1/functions/grab", &token)
            .json(&json!({ "image": image }))
            .send()
            .await
            .unwrap();
        let body = expect_error(put, StatusCode::FORBIDDEN, "image_not_allowed").await;
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains(&image), "{message}");
        assert!(message.contains("FAAS_ALLOWED_REGISTRIES"), "{message}");

        let invoke = p.invoke(&token, "grab", "x").await;
        expect_error(invoke, StatusCode::NOT_FOUND, "function_not_found").await;
    }
    let (status, records) = p.get_json("/v1/activations", &token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(records, json!([]), "nothing was queued");
    assert_eq!(
        target.connections_after(Duration::from_secs(2)).await,
        0,
        "the listener was contacted"
    );
    p.stop().await;
}

/// argv and env carry at most the kernel's per-string limit (131072 bytes with the
/// terminating NUL; in env mode `FAAS_PARAM=` is part of the string): at the limit
/// the function runs, one byte over is 413. A NUL byte, which neither can carry, is
/// 409 `invalid_param` (the function's mode refuses it, not the document); stdin
/// carries it.
#[tokio::test]
async fn parameters_are_refused_exactly_where_the_kernel_would_refuse_them() {
    let p = Platform::dev().await;
    let token = p.user(&unique("param")).await;
    p.add_function(&token, "sh", json!({ "image": SH })).await;
    p.add_function(&token, "env", json!({ "image": ENV, "param_mode": "env" }))
        .await;
    p.add_function(
        &token,
        "cat",
        json!({ "image": CAT, "param_mode": "stdin" }),
    )
    .await;

    let script = "printf ok; exit 0; ";
    let mut argv = format!(
        "{script}{}",
        "#".repeat(faas_shared::MAX_PARAM_BYTES_ARGV - script.len())
    );
    assert_eq!(argv.len(), 131_071);
    assert_eq!(p.invoke_ok(&token, "sh", &argv).await["result"], "ok");
    argv.push('#');
    let over = p.invoke(&token, "sh", &argv).await;
    expect_error(over, StatusCode::PAYLOAD_TOO_LARGE, "param_too_large").await;

    let mut env = "e".repeat(faas_shared::MAX_PARAM_BYTES_ENV);
    assert_eq!(env.len(), 131_060);
    let ran = p.invoke_ok(&token, "env", &env).await;
    assert_eq!(ran["result"].as_str().map(str::len), Some(131_060));
    env.push('e');
    let over = p.invoke(&token, "env", &env).await;
    expect_error(over, StatusCode::PAYLOAD_TOO_LARGE, "param_too_large").await;

    for function in ["sh", "env"] {
        let nul = p.invoke(&token, function, "a\0b").await;
        let body = expect_error(nul, StatusCode::CONFLICT, "invalid_param").await;
        let message = body["error"]["message"].as_str().unwrap();
        assert!(
            message.contains("NUL") && message.contains("stdin"),
            "{message}"
        );
    }
    assert_eq!(p.invoke_ok(&token, "cat", "a\0b").await["result"], "a\0b");
    p.stop().await;
}

/// A function the kernel kills for its memory says so, in the answer and in its
/// record.
#[tokio::test]
async fn an_oom_kill_is_in_the_answer_and_the_record() {
    let p = Platform::dev().await;
    let token = p.user(&unique("oom")).await;
    p.add_function(&token, "hog", json!({ "image": SH, "memory_mb": 16 }))
        .await;
    // dd touches its 64 MiB buffer at once (a growing `tail` can thrash at the limit).
    let answer = p
        .invoke(&token, "hog", "dd if=/dev/zero of=/dev/null bs=64M count=1")
        .await;
    let body = expect_error(answer, StatusCode::BAD_GATEWAY, "function_failed").await;
    let activation = &body["error"]["activation"];
    assert_eq!(activation["exit_code"], 137, "{body}");
    assert_eq!(activation["oom_killed"], true, "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("memory"), "{message}");

    let id = activation["activation_id"].as_str().unwrap();
    let (status, record) = p.get_json(&format!("/v1/activations/{id}"), &token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(record["oom_killed"], true, "{record}");

    let fine = p.invoke_ok(&token, "hog", "echo fine").await;
    assert_eq!(fine["oom_killed"], false, "{fine}");
    p.stop().await;
}
