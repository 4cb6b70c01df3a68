//! Activation records and asynchronous invocation.

use faas_testkit::Platform;
use faas_testkit::names::{FAIL, REVERSE, SLEEP, unique};
use reqwest::{Method, StatusCode, header};
use serde_json::{Value, json};

#[tokio::test]
async fn every_activation_is_recorded_and_listed_newest_first() {
    let p = Platform::dev().await;
    let user = unique("rec");
    let token = p.user(&user).await;
    let other = p.user(&unique("snoop")).await;
    p.add_function(&token, "reverse", json!({"image": REVERSE}))
        .await;
    p.add_function(&token, "fail", json!({"image": FAIL})).await;

    let mut ids = Vec::new();
    for (function, param) in [("reverse", "one"), ("fail", "two"), ("reverse", "three")] {
        let response = p.invoke(&token, function, param).await;
        let body: Value = response.json().await.unwrap();
        let activation = if body["error"].is_object() {
            body["error"]["activation"].clone()
        } else {
            body
        };
        ids.push(activation["activation_id"].as_str().unwrap().to_owned());
    }

    let (status, all) = p.get_json("/v1/activations", &token).await;
    assert_eq!(status, StatusCode::OK);
    let listed: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["activation_id"].as_str().unwrap())
        .collect();
    let newest_first: Vec<&str> = ids.iter().rev().map(String::as_str).collect();
    assert_eq!(listed, newest_first);

    let (_, reverses) = p
        .get_json("/v1/activations?function=reverse&limit=1", &token)
        .await;
    assert_eq!(reverses.as_array().unwrap().len(), 1);
    assert_eq!(reverses[0]["activation_id"], ids[2].as_str());
    assert_eq!(reverses[0]["result"], "eerht");

    let (status, failed) = p
        .get_json(&format!("/v1/activations/{}", ids[1]), &token)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(failed["status"], "error");
    assert_eq!(failed["exit_code"], 3);
    assert_eq!(failed["owner"], user.as_str());
    assert!(failed["logs"].as_str().unwrap().contains("two"));
    assert!(failed["worker"].is_string());
    assert!(failed["queued_at"].as_str().unwrap() <= failed["finished_at"].as_str().unwrap());

    // Another user sees none of it.
    let (status, body) = p
        .get_json(&format!("/v1/activations/{}", ids[1]), &other)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "activation_not_found");
    assert_eq!(p.get_json("/v1/activations", &other).await.1, json!([]));

    for bad in [
        "/v1/activations?limit=0",
        "/v1/activations?limit=x",
        "/v1/activations?function=Bad.Name",
    ] {
        let (status, body) = p.get_json(bad, &token).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
    }
    let (status, _) = p.get_json("/v1/activations/..%2F..%2Fetc", &token).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    p.stop().await;
}

/// Queues `param` for the function `sleep` (`?async=true`); the Location it answers.
async fn queue_sleep(p: &Platform, token: &str, seconds: &str) -> String {
    let response = p
        .authed(Method::POST, "/v1/functions/sleep/invoke?async=true", token)
        .json(&json!({ "param": seconds }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let location = response.headers()[header::LOCATION]
        .to_str()
        .unwrap()
        .to_owned();
    let accepted: Value = response.json().await.unwrap();
    assert_eq!(
        location,
        format!(
            "/v1/activations/{}",
            accepted["activation_id"].as_str().unwrap()
        )
    );
    location
}

#[tokio::test]
async fn async_invocation_answers_202_and_wait_returns_the_record_once_stored() {
    let p = Platform::dev().await;
    let token = p.user(&unique("later")).await;
    let other = p.user(&unique("nosy")).await;
    p.add_function(&token, "sleep", json!({"image": SLEEP}))
        .await;
    let long = queue_sleep(&p, &token, "10").await;
    let short = queue_sleep(&p, &token, "1").await;

    // Unfinished: 202 with where it is.
    let (status, pending) = p.get_json(&long, &token).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{pending}");
    assert_eq!(pending["function"], "sleep");
    assert!(
        ["queued", "running"].contains(&pending["state"].as_str().unwrap()),
        "{pending}"
    );

    // ?wait answers as soon as the record is stored, not when the wait runs out:
    // the 10 s activation queued beside it is still running then.
    let (status, record) = p.get_json(&format!("{short}?wait=60"), &token).await;
    assert_eq!(status, StatusCode::OK, "{record}");
    assert_eq!(record["result"], "slept 1");
    assert_eq!(record["status"], "success");
    let (status, still) = p.get_json(&long, &token).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{still}");
    assert_eq!(still["state"], "running");

    for bad in ["?wait=61", "?wait=x", "?wait=-1"] {
        let (status, body) = p.get_json(&format!("{long}{bad}"), &token).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
    }
    // Another user's activation is unknown to them, waiting or not.
    let (status, body) = p.get_json(&format!("{long}?wait=60"), &other).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, _) = p
        .get_json(
            "/v1/activations/0190a1b2c3d4e5f60718293a4b5c6d7e?wait=60",
            &token,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, done) = p.get_json(&format!("{long}?wait=60"), &token).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["result"], "slept 10");
    p.stop().await;
}
