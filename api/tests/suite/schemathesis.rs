//! An outside fuzzer against `faas-server dev`: schemathesis (version pinned in
//! `tests/schemathesis/requirements.txt`, installed into `.venv-schemathesis` by
//! `scripts/test.sh`) reads the served OpenAPI document and sends every operation
//! generated and boundary requests, with a registered user's token and a real
//! example function to invoke. Every check it has is on ([`CHECKS`]): no server
//! error; documented statuses, content types, headers and schemas; schema-valid
//! requests accepted and schema-invalid ones refused (so the document says exactly
//! what the server takes); auth enforced; 405 for other methods; and, in the
//! stateful phase, resources that exist after their creation and are gone after
//! their deletion. The runs must end with 0 failures.
//!
//! Several seeds ([`SEEDS`], or the comma-separated `FAAS_SCHEMATHESIS_SEEDS` to
//! try others), each a few short passes, each pass with a user of its own so that
//! one pass cannot spoil the next:
//! - `examples,coverage,fuzzing` over every operation but logout;
//! - `stateful` over the same: schemathesis follows the document's links
//!   (`faas_api::api::openapi::LINKS`, and those it infers), creating a
//!   function, secret or key and then reading, invoking and deleting it by the
//!   name the server answered. It must cover at least [`MIN_LINKS_COVERED`];
//! - logout on its own, with a token of its own: logout revokes the token it is
//!   sent with.
//!
//! (Password change and account deletion need the password, which the document
//! does not give and the fuzzer does not guess: they are fuzzed with the others,
//! and refused with 403 `wrong_password`.) What the checks' defaults do not
//! know of this API is in `tests/schemathesis/schemathesis.toml`.

use std::path::{Path, PathBuf};
use std::process::Command;

use faas_api::api::openapi::document_json;
use faas_shared::paths;
use faas_testkit::Platform;
use faas_testkit::names::{REVERSE, unique};
use reqwest::{Method, StatusCode};
use serde_json::json;

/// Fixed, so that a failure is reproducible (and the run the same in CI). Each is
/// a whole set of passes; more seeds reach more of the input space.
const SEEDS: &[&str] = &["14", "1", "2"];
/// Other seeds, e.g. `FAAS_SCHEMATHESIS_SEEDS=5,6,7`, to look further.
const SEEDS_VAR: &str = "FAAS_SCHEMATHESIS_SEEDS";
/// Generated cases per operation and phase: enough to reach every status, few
/// enough for well under a minute a seed on a 2-core machine.
const MAX_EXAMPLES: &str = "12";
/// How long the stateful phase chains calls: it stops by itself after a few dozen
/// scenarios, too few to follow every link, and repeats until this is spent (on a
/// 2-core machine 15 s is some 150 scenarios and most links). How far it gets
/// varies with the machine; a failure prints the calls that replay it.
const STATEFUL_SECONDS: &str = "15";
/// Every check schemathesis has, none excluded.
const CHECKS: &str = "all";
/// Links each stateful pass must follow at least (of the document's and the
/// inferred ones): fewer means the chaining broke (a link the fuzzer cannot
/// read, a creation that no longer answers the name).
const MIN_LINKS_COVERED: u32 = 8;
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

fn seeds() -> Vec<String> {
    match std::env::var(SEEDS_VAR) {
        Ok(list) if !list.trim().is_empty() => list
            .split(',')
            .map(|seed| seed.trim().to_owned())
            .filter(|seed| !seed.is_empty())
            .collect(),
        _ => SEEDS.iter().map(|seed| (*seed).to_owned()).collect(),
    }
}

/// One schemathesis run: its phases over the operations `filter` selects, as the
/// user of `token`.
struct Pass {
    name: String,
    seed: String,
    phases: &'static str,
    /// `--max-time`, for a pass that repeats until it is spent.
    seconds: Option<&'static str>,
    token: String,
    filter: Vec<&'static str>,
}

/// What a pass printed, and whether it passed.
struct Outcome {
    passed: bool,
    stdout: String,
}

/// Runs `pass`; its output is printed.
fn run(pass: &Pass, base_url: &str, ca_cert: &Path) -> Outcome {
    // Kept after the test: every request and response, to replay a failure.
    let report =
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("schemathesis-{}", pass.name));
    let _ = std::fs::remove_dir_all(&report);
    std::fs::create_dir_all(&report).unwrap();
    let output = Command::new(schemathesis())
        .arg("--no-color")
        .arg("--config-file")
        .arg(repo_root().join("tests/schemathesis/schemathesis.toml"))
        .arg("run")
        .arg(format!("{base_url}{}", paths::OPENAPI))
        .args(["--url", base_url])
        .args(["--header", &format!("Authorization: Bearer {}", pass.token)])
        .arg("--tls-verify")
        .arg(ca_cert)
        .args(["--seed", &pass.seed, "--max-examples", MAX_EXAMPLES])
        .args(
            pass.seconds
                .map(|seconds| ["--max-time", seconds])
                .into_iter()
                .flatten(),
        )
        .args(["--workers", "1", "--phases", pass.phases])
        .args(["--checks", CHECKS])
        .args(["--request-timeout", "60", "--output-truncate", "false"])
        .args(["--report", "ndjson", "--report-dir"])
        .arg(&report)
        .args(&pass.filter)
        .current_dir(&report)
        .output()
        .expect("schemathesis runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    println!("{stdout}");
    println!(
        "schemathesis {}: the requests and responses are in {}",
        pass.name,
        report.display()
    );
    eprintln!("{}", String::from_utf8_lossy(&output.stderr));
    Outcome {
        passed: output.status.success(),
        stdout,
    }
}

/// `covered` of the stateful phase's `API Links: 6 covered / 22 selected / 22 total`.
fn links_covered(stdout: &str) -> Option<u32> {
    let line = stdout.lines().find(|line| line.contains("API Links:"))?;
    let (_, counts) = line.split_once("API Links:")?;
    counts.split_whitespace().next()?.parse().ok()
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

    // Every user and token first: the fuzzer's own registrations and logins use up
    // the address's budgets (20 registrations an hour, 60 logins a minute).
    let mut passes = Vec::new();
    let mut fuzzed_users = Vec::new();
    for seed in seeds() {
        let user = unique("st");
        let token = platform.user(&user).await;
        platform
            .add_function(&token, EXAMPLE_FUNCTION, json!({ "image": REVERSE }))
            .await;
        platform.invoke_ok(&token, EXAMPLE_FUNCTION, "warm").await;
        let logout_token = platform.token(&user).await;
        let stateful_token = platform.user(&unique("st")).await;
        fuzzed_users.push(token.clone());
        passes.push(Pass {
            name: format!("seed-{seed}"),
            seed: seed.clone(),
            phases: "examples,coverage,fuzzing",
            seconds: None,
            token,
            filter: vec!["--exclude-path", paths::LOGOUT],
        });
        passes.push(Pass {
            name: format!("seed-{seed}-stateful"),
            seed: seed.clone(),
            phases: "stateful",
            seconds: Some(STATEFUL_SECONDS),
            token: stateful_token,
            filter: vec!["--exclude-path", paths::LOGOUT],
        });
        passes.push(Pass {
            name: format!("seed-{seed}-logout"),
            seed,
            phases: "examples,coverage,fuzzing",
            seconds: None,
            token: logout_token,
            filter: vec!["--include-path", paths::LOGOUT],
        });
    }

    let url = platform.url().to_owned();
    let ca_cert = platform.ca_cert().to_owned();
    let results = tokio::task::spawn_blocking(move || {
        passes
            .into_iter()
            .map(|pass| {
                let outcome = run(&pass, &url, &ca_cert);
                (pass, outcome)
            })
            .collect::<Vec<_>>()
    })
    .await
    .unwrap();
    let mut failed = Vec::new();
    for (pass, outcome) in &results {
        if !outcome.passed {
            failed.push(format!("{}: schemathesis found failures", pass.name));
        }
        if pass.phases == "stateful" {
            let covered = links_covered(&outcome.stdout);
            println!("schemathesis {}: {covered:?} links covered", pass.name);
            if covered.is_none_or(|covered| covered < MIN_LINKS_COVERED) {
                failed.push(format!(
                    "{}: {covered:?} links covered, fewer than {MIN_LINKS_COVERED}",
                    pass.name
                ));
            }
        }
    }
    assert!(
        failed.is_empty(),
        "schemathesis (its reports are above): {failed:#?}"
    );
    // The fuzzer invoked the example function (beyond the warm-up above).
    for token in &fuzzed_users {
        let (status, records) = platform
            .get_json(&format!("{}?limit=1000", paths::ACTIVATIONS), token)
            .await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            records.as_array().unwrap().len() > 1,
            "the fuzzer never ran the example function: {records}"
        );
    }
    platform.stop().await;
}
