//! `GET /metrics` of the real `faas-server dev` binary on its own listener
//! (`FAAS_METRICS_LISTEN`): after a failed login, an invocation and a 429 the
//! scrape has their series, the queue gauges see a running activation, and no
//! label carries a user's or function's name.

use std::time::Duration;

use faas_testkit::api::expect_error;
use faas_testkit::names::{REVERSE, SLEEP, unique};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::dev_process::DevProcess;

/// `faas-server dev` with metrics on a free port and a per-user in-flight limit of one.
async fn start_dev() -> DevProcess {
    DevProcess::start(&[
        ("FAAS_METRICS_LISTEN", "127.0.0.1:0"),
        ("FAAS_MAX_INFLIGHT_PER_USER", "1"),
    ])
    .await
}

async fn scrape(dev: &DevProcess) -> String {
    let response = reqwest::get(dev.metrics_url.as_deref().unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.text().await.unwrap()
}

/// The value of the sample of `name` whose labels include all of `labels`.
fn sample(scrape: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    scrape.lines().find_map(|line| {
        let rest = line.strip_prefix(name)?;
        let (labels_text, value) = match rest.strip_prefix('{') {
            Some(rest) => rest.split_once("} ")?,
            None => ("", rest.strip_prefix(' ')?),
        };
        labels
            .iter()
            .all(|(k, v)| labels_text.contains(&format!("{k}=\"{v}\"")))
            .then(|| value.trim().parse().ok())?
    })
}

#[tokio::test]
async fn metrics_count_requests_invocations_refusals_and_login_failures() {
    let dev = start_dev().await;
    let user = unique("metrics");
    let token = dev.api.user(&user).await;
    dev.api
        .add_function(&token, "reverse", json!({ "image": REVERSE }))
        .await;
    dev.api
        .add_function(&token, "sleep", json!({ "image": SLEEP }))
        .await;

    expect_error(
        dev.api.login(&user, "not the password").await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    )
    .await;
    let activation = dev.api.invoke_ok(&token, "reverse", "metrics").await;
    assert_eq!(activation["result"], "scirtem");

    // A 5 s activation holds the user's one in-flight place: the next call is a 429.
    let accepted = dev
        .api
        .authed(
            Method::POST,
            "/v1/functions/sleep/invoke?async=true",
            &token,
        )
        .json(&json!({"param": "5"}))
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status(), StatusCode::ACCEPTED);
    expect_error(
        dev.api.invoke(&token, "reverse", "refused").await,
        StatusCode::TOO_MANY_REQUESTS,
        "concurrency_limit",
    )
    .await;

    // While it runs, the queue gauges see it in flight (read from the consumer).
    let mut running = None;
    for _ in 0..300 {
        let scrape = scrape(&dev).await;
        if sample(&scrape, "faas_activations_in_flight", &[]) == Some(1.0) {
            running = Some(scrape);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let scrape = running.expect("a scrape shows the activation in flight");
    println!("{scrape}");

    // Tenant data stays out: routes are templates, never the raw path.
    for private in [user.as_str(), "/v1/functions/reverse", "sleep"] {
        assert!(!scrape.contains(private), "{private:?} in the scrape");
    }

    let invoke = "/v1/functions/{name}/invoke";
    for (name, labels, at_least) in [
        (
            "faas_http_requests_total",
            &[("method", "POST"), ("route", invoke), ("status", "200")][..],
            1.0,
        ),
        (
            "faas_http_requests_total",
            &[("route", invoke), ("status", "202")],
            1.0,
        ),
        (
            "faas_http_requests_total",
            &[("route", "/v1/auth/login"), ("status", "401")],
            1.0,
        ),
        (
            "faas_http_errors_total",
            &[
                ("route", invoke),
                ("status", "429"),
                ("code", "concurrency_limit"),
            ],
            1.0,
        ),
        (
            "faas_login_failures_total",
            &[("reason", "invalid_credentials")],
            1.0,
        ),
        (
            "faas_invocation_duration_seconds_count",
            &[("outcome", "ok")],
            1.0,
        ),
        (
            "faas_invocation_duration_seconds_count",
            &[("outcome", "concurrency_limit")],
            1.0,
        ),
        (
            "faas_invocation_duration_seconds_bucket",
            &[("outcome", "ok"), ("le", "+Inf")],
            1.0,
        ),
        ("faas_queue_pending", &[], 0.0),
        ("faas_stream_messages", &[], 1.0),
    ] {
        let value = sample(&scrape, name, labels);
        assert!(
            value.is_some_and(|v| v >= at_least),
            "{name}{labels:?} is {value:?}, expected at least {at_least}"
        );
    }
    dev.stop().await;
}

/// The gateway never proxies `/metrics`: no route names it, and the servers it
/// balances over are on the API port, not the metrics port compose and Kumori set.
#[test]
fn the_gateway_does_not_expose_metrics() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let read = |path: &str| std::fs::read_to_string(root.join(path)).unwrap();
    let apisix = read("apisix/apisix.yaml");
    assert!(
        apisix
            .lines()
            .filter(|l| l.trim_start().starts_with("uri:"))
            .all(|l| !l.contains("metrics")),
        "an APISIX route names /metrics"
    );
    for (file, line) in [
        ("docker-compose.yml", "FAAS_METRICS_LISTEN: 0.0.0.0:9090"),
        (
            "docker-compose.yml",
            "FAAS_WORKER_METRICS_LISTEN: 0.0.0.0:9102",
        ),
        ("docker-stack.yml", "FAAS_METRICS_LISTEN: 0.0.0.0:9090"),
        (
            "docker-stack.yml",
            "FAAS_WORKER_METRICS_LISTEN: 0.0.0.0:9102",
        ),
        (
            "kumori/components/server/component.cue",
            "FAAS_METRICS_LISTEN: value:        \"0.0.0.0:9090\"",
        ),
        (
            "kumori/components/worker/component.cue",
            "FAAS_WORKER_METRICS_LISTEN: value: \"0.0.0.0:9102\"",
        ),
    ] {
        assert!(read(file).contains(line), "{file} sets {line}");
    }
    assert!(apisix.contains("server-1:8080"));
    assert!(!apisix.contains(":9090") && !apisix.contains(":9102"));
    // Compose publishes neither metrics port (only APISIX's exporter, on loopback).
    let compose = read("docker-compose.yml");
    assert!(!compose.contains(":9090\"") && !compose.contains(":9102\""));
}
