//! No result is ever lost: parameters and results larger than one NATS message
//! (nats-server's default `max_payload` is 1 MiB) go end to end through the real
//! NATS, as claim checks in the Object Store, and each leaves a record readable by id.

use std::time::{Duration, Instant};

use faas_shared::{MAX_PARAM_BYTES_STDIN, MAX_RESULT_BYTES};
use faas_testkit::names::{CAT, DIGEST, SH, unique};
use faas_testkit::{Api, Platform, expect_error};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// The record of an activation, read back by id.
async fn record(api: &Api, token: &str, activation: &Value) -> Value {
    let id = activation["activation_id"]
        .as_str()
        .expect("an activation id");
    let (status, record) = api.get_json(&format!("/v1/activations/{id}"), token).await;
    assert_eq!(status, StatusCode::OK, "{record}");
    record
}

/// The SHA-256 of `data` in hex, from the host's `sha256sum`.
fn sha256(data: &str) -> String {
    use std::io::Write as _;
    let mut child = std::process::Command::new("sha256sum")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("sha256sum on PATH");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(data.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    String::from_utf8(output.stdout).unwrap()[..64].to_owned()
}

/// 3 MiB (and the 6 MiB limit) is over NATS's 1 MiB messages and the 1 MiB result cap: `digest`
/// answers the parameter's SHA-256, and `cat` its first 1 MiB.
#[tokio::test]
async fn a_3_mib_stdin_parameter_comes_back_intact() {
    let platform = Platform::dev().await;
    let token = platform.user(&unique("bigparam")).await;
    for (name, image) in [("digest", DIGEST), ("cat", CAT)] {
        platform
            .add_function(&token, name, json!({"image": image, "param_mode": "stdin"}))
            .await;
    }
    let param: String = (0..3 * 1024 * 1024)
        .map(|i| char::from(b'a' + (i % 26) as u8))
        .collect();

    let activation = platform.invoke_ok(&token, "digest", &param).await;
    assert_eq!(activation["result"], sha256(&param));
    assert_eq!(
        record(&platform, &token, &activation).await["result"],
        sha256(&param)
    );

    // The largest parameter allowed goes through as well.
    let largest: String = param.chars().cycle().take(MAX_PARAM_BYTES_STDIN).collect();
    let activation = platform.invoke_ok(&token, "digest", &largest).await;
    assert_eq!(activation["result"], sha256(&largest));

    let activation = platform.invoke_ok(&token, "cat", &param).await;
    assert!(
        activation["result"] == param[..MAX_RESULT_BYTES],
        "not the first 1 MiB"
    );
    assert_eq!(activation["result_truncated"], true);
    platform.stop().await;
}

#[tokio::test]
async fn output_over_the_cap_keeps_exactly_its_first_mebibyte() {
    let platform = Platform::dev().await;
    let token = platform.user(&unique("bigout")).await;
    platform
        .add_function(&token, "sh", json!({"image": SH}))
        .await;

    let activation = platform
        .invoke_ok(&token, "sh", "head -c 1500000 /dev/zero | tr '\\000' x")
        .await;
    let expected = "x".repeat(MAX_RESULT_BYTES);
    assert!(
        activation["result"] == expected.as_str(),
        "not the first 1 MiB"
    );
    assert_eq!(activation["result_truncated"], true);
    let record = record(&platform, &token, &activation).await;
    assert!(record["result"] == expected.as_str(), "the record differs");
    assert_eq!(record["result_truncated"], true);
    platform.stop().await;
}

#[tokio::test]
async fn control_bytes_that_escape_to_megabytes_of_json_come_back_exact() {
    let platform = Platform::dev().await;
    let token = platform.user(&unique("ctrl")).await;
    platform
        .add_function(&token, "cat", json!({"image": CAT, "param_mode": "stdin"}))
        .await;
    // 800 KB of 0x01..=0x1f: each escapes to `\u00XX`, about 4.8 MB of JSON.
    let param: String = (0..800_000)
        .map(|i| char::from(1 + (i % 31) as u8))
        .collect();

    let activation = platform.invoke_ok(&token, "cat", &param).await;
    assert!(activation["result"] == param.as_str(), "the result differs");
    let record = record(&platform, &token, &activation).await;
    assert!(record["result"] == param.as_str(), "the record differs");
    platform.stop().await;
}

#[tokio::test]
async fn a_parameter_over_the_stdin_limit_is_refused_before_it_is_queued() {
    let platform = Platform::dev().await;
    let token = platform.user(&unique("toolarge")).await;
    platform
        .add_function(&token, "cat", json!({"image": CAT, "param_mode": "stdin"}))
        .await;
    let param = "a".repeat(MAX_PARAM_BYTES_STDIN + 1);
    let response = platform.invoke(&token, "cat", &param).await;
    let body = expect_error(response, StatusCode::PAYLOAD_TOO_LARGE, "param_too_large").await;
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains(&MAX_PARAM_BYTES_STDIN.to_string()),
        "{message}"
    );
    let (_, records) = platform.get_json("/v1/activations", &token).await;
    assert_eq!(records, json!([]), "nothing was queued");
    platform.stop().await;
}

/// When the worker cannot store what a function printed (here the payload bucket
/// is gone), the caller hears so at once and a small failure record is kept,
/// instead of waiting out the function's timeout for a result that never comes.
#[tokio::test]
async fn a_result_that_cannot_be_stored_fails_fast_with_a_failure_record() {
    let platform = Platform::parts().await;
    let worker = platform.worker(|_| {});
    let token = platform.user(&unique("nostore")).await;
    platform
        .add_function(&token, "sh", json!({"image": SH, "timeout_ms": 120_000}))
        .await;
    let js = async_nats::jetstream::new(platform.nats().client().await);
    js.delete_stream(format!("OBJ_{}", faas_shared::nats::PAYLOADS_BUCKET))
        .await
        .unwrap();

    let started = Instant::now();
    let response = platform
        .invoke(&token, "sh", "head -c 1500000 /dev/zero | tr '\\000' x")
        .await;
    let waited = started.elapsed();
    let body = expect_error(
        response,
        StatusCode::SERVICE_UNAVAILABLE,
        "backend_unavailable",
    )
    .await;
    assert!(
        waited < Duration::from_secs(60),
        "the caller waited {waited:?}, as if for the function's timeout"
    );
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("could not record"), "{message}");
    let record = record(&platform, &token, &body["error"]["activation"]).await;
    assert_eq!(record["status"], "error");
    assert_eq!(record["result"], "");
    worker.stop().await;
    platform.stop().await;
}

#[tokio::test]
async fn the_function_gets_its_activation_id() {
    let platform = Platform::dev().await;
    let token = platform.user(&unique("actid")).await;
    platform
        .add_function(&token, "sh", json!({"image": SH}))
        .await;
    let activation = platform
        .invoke_ok(&token, "sh", "printf %s \"$FAAS_ACTIVATION_ID\"")
        .await;
    assert_eq!(activation["result"], activation["activation_id"]);
    platform.stop().await;
}
