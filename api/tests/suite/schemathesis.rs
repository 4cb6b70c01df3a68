//! An outside fuzzer against `faas-server dev`: schemathesis (version pinned in
//! `tests/schemathesis/requirements.txt`, installed into `.venv-schemathesis` by
//! `scripts/test.sh`) reads the served OpenAPI document and sends every operation
//! generated and boundary requests, with a registered user's token and a real
//! example function to invoke. Its checks ([`CHECKS`]): no server error, responses
//! that match the documented schema, status codes, content types and headers that
//! are documented, and more. The run must end with 0 failures.
//!
//! Two passes, so that one request cannot spoil the rest of the run: logout revokes
//! the token it is sent with, so it is fuzzed on its own, with a token of its own.
//! (Password change and account deletion need the password, which the document does
//! not give and the fuzzer does not guess: they are fuzzed with the others, and
//! refused with 403 `wrong_password`.)

use std::path::{Path, PathBuf};
use std::process::Command;

use faas_api::api::openapi::document_json;
use faas_shared::paths;
use faas_testkit::Platform;
use faas_testkit::names::{REVERSE, unique};
use reqwest::{Method, StatusCode};
use serde_json::json;

/// Fixed, so that a failure is reproducible (and the run the same in CI).
const SEED: &str = "14";
/// Generated cases per operation and phase: enough to reach every status, few
/// enough for about a minute on a 2-core machine.
const MAX_EXAMPLES: &str = "12";
/// Every check schemathesis has (no server error; documented statuses, content
/// types, headers and schemas; bad data refused; auth enforced; 405 for other
/// methods; ...) but one: `positive_data_acceptance` counts `907.0` as a valid
/// integer, as JSON Schema does, where serde refuses it with a 400 that says so.
const CHECKS: &str = "all";
const EXCLUDED_CHECKS: &str = "positive_data_acceptance";
/// The function the document's examples name, registered before the run so that
/// invoke runs a real container.
const EXAMPLE_FUNCTION: &str = "reverse";

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn schemathesis() -> PathBuf {
    let st = repo_root().join(".venv-schemathesis/bin/st");
    assert!(
        st.exists(),
        "schemathesis is not installed: `bash scripts/test.sh` installs it, or by hand:\n  \
         python3 -m venv .venv-schemathesis && \
         .venv-schemathesis/bin/pip install -r tests/schemathesis/requirements.txt"
    );
    st
}

/// Runs schemathesis over the operations `filter` selects; its output is printed
/// and its exit status returned.
fn run(pass: &str, base_url: &str, ca_cert: &Path, token: &str, filter: &[&str]) -> bool {
    // Kept after the test: every request and response, to replay a failure.
    let report = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("schemathesis-{pass}"));
    let _ = std::fs::remove_dir_all(&report);
    std::fs::create_dir_all(&report).unwrap();
    let output = Command::new(schemathesis())
        .arg("--no-color")
        .arg("run")
        .arg(format!("{base_url}{}", paths::OPENAPI))
        .args(["--url", base_url])
        .args(["--header", &format!("Authorization: Bearer {token}")])
        .arg("--tls-verify")
        .arg(ca_cert)
        .args(["--seed", SEED, "--max-examples", MAX_EXAMPLES])
        .args(["--workers", "1", "--phases", "examples,coverage,fuzzing"])
        .args(["--checks", CHECKS, "--exclude-checks", EXCLUDED_CHECKS])
        .args(["--request-timeout", "60", "--output-truncate", "false"])
        .args(["--report", "ndjson", "--report-dir"])
        .arg(&report)
        .args(filter)
        .current_dir(&report)
        .output()
        .expect("schemathesis runs");
    println!("{}", String::from_utf8_lossy(&output.stdout));
    println!(
        "schemathesis {pass}: the requests and responses are in {}",
        report.display()
    );
    eprintln!("{}", String::from_utf8_lossy(&output.stderr));
    output.status.success()
}

#[tokio::test(flavor = "multi_thread")]
async fn schemathesis_finds_nothing() {
    faas_testkit::docker::require_image(REVERSE);
    let platform = Platform::dev().await;
    let served = platform
        .request(Method::GET, paths::OPENAPI)
        .send()
        .await
        .unwrap();
    assert_eq!(served.status(), StatusCode::OK);
    assert_eq!(served.text().await.unwrap(), document_json());

    let user = unique("st");
    let token = platform.user(&user).await;
    platform
        .add_function(&token, EXAMPLE_FUNCTION, json!({ "image": REVERSE }))
        .await;
    platform.invoke_ok(&token, EXAMPLE_FUNCTION, "warm").await;

    let url = platform.url().to_owned();
    let ca_cert = platform.ca_cert().to_owned();
    let everything_but_logout = tokio::task::spawn_blocking({
        let (url, ca_cert, token) = (url.clone(), ca_cert.clone(), token.clone());
        move || {
            run(
                "all-but-logout",
                &url,
                &ca_cert,
                &token,
                &["--exclude-path", paths::LOGOUT],
            )
        }
    })
    .await
    .unwrap();
    let own_token = platform.token(&user).await;
    let logout = tokio::task::spawn_blocking(move || {
        run(
            "logout",
            &url,
            &ca_cert,
            &own_token,
            &["--include-path", paths::LOGOUT],
        )
    })
    .await
    .unwrap();
    assert!(
        everything_but_logout && logout,
        "schemathesis found failures (its report is above)"
    );
    // The fuzzer invoked the example function (beyond the warm-up above).
    let (status, records) = platform
        .get_json(&format!("{}?limit=1000", paths::ACTIVATIONS), &token)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        records.as_array().unwrap().len() > 1,
        "the fuzzer never ran the example function: {records}"
    );
    platform.stop().await;
}
