//! End to end against the real platform: the dev stack (a private nats-server, the
//! in-process worker on the local Docker Engine, HTTPS with a dev CA) and the example
//! function images from `scripts/build-function-images.sh`.

use crate::common::{credentials_path, faasctl};
use faas_testkit::Platform;
use faas_testkit::docker::require_image;
use faas_testkit::names::{FAIL, REVERSE};
use predicates::prelude::*;
use tempfile::TempDir;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_whole_session_against_the_dev_stack() {
    require_image(REVERSE);
    require_image(FAIL);
    let platform = Platform::dev().await;
    let home = TempDir::new().unwrap();
    let url = platform.url().to_owned();
    let ca = platform.ca_cert().to_str().unwrap().to_owned();
    // Blocking is fine here: the stack runs on the runtime's worker threads.
    let cli = |args: &[&str]| {
        let mut cmd = faasctl(&home);
        cmd.args(args);
        cmd
    };

    // Without its CA the dev server is not trusted, and the error says what to do.
    cli(&[
        "register",
        "-u",
        "alice",
        "--password-stdin",
        "--api-url",
        &url,
    ])
    .write_stdin("correct horse\n")
    .assert()
    .code(8)
    .stderr(predicate::str::contains("--ca-cert .faas-dev/ca.pem"));

    // --insecure gets through, and says what it costs.
    cli(&[
        "register",
        "-u",
        "mallory",
        "--password-stdin",
        "--api-url",
        &url,
        "--insecure",
    ])
    .write_stdin("correct horse\n")
    .assert()
    .success()
    .stderr(predicate::str::contains("warning: --insecure"));

    // Alice with the dev CA, her password on stdin.
    let as_alice = |command: &str, password: &str| {
        let mut cmd = cli(&[
            command,
            "-u",
            "alice",
            "--password-stdin",
            "--api-url",
            &url,
            "--ca-cert",
            &ca,
        ]);
        cmd.write_stdin(format!("{password}\n"));
        cmd
    };
    as_alice("register", "correct horse")
        .assert()
        .success()
        .stdout(predicate::str::contains("registered alice"));
    as_alice("register", "correct horse")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("faasctl login"));
    as_alice("login", "wrong horse").assert().code(3);
    as_alice("login", "correct horse")
        .assert()
        .success()
        .stdout(predicate::str::contains("logged in"));

    // From here on the profile supplies URL, CA and token.
    cli(&["whoami"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("alice\n"));
    cli(&["fn", "add", "reverse", "--image", REVERSE])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("created reverse"));
    cli(&[
        "fn",
        "add",
        "reverse",
        "--image",
        REVERSE,
        "--timeout",
        "20s",
    ])
    .assert()
    .success()
    .stdout(predicate::str::starts_with("updated reverse"));
    cli(&["invoke", "reverse", "hello"])
        .assert()
        .success()
        .stdout("olleh");

    cli(&["fn", "ls", "--output", "table"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("NAME"));
    let output = cli(&["fn", "ls", "--output", "json"]).output().unwrap();
    assert!(output.status.success());
    let functions: Vec<faas_shared::FunctionInfo> = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(functions.len(), 1);
    assert_eq!(functions[0].name, "reverse");
    assert_eq!(functions[0].timeout_ms, 20_000);
    cli(&["fn", "get", "reverse"])
        .assert()
        .success()
        .stdout(predicate::str::contains(REVERSE));

    cli(&["fn", "add", "fail", "--image", FAIL])
        .assert()
        .success();
    cli(&["invoke", "fail", "x", "--logs"])
        .assert()
        .code(5)
        .stdout("partial output")
        .stderr(predicate::str::contains("fail: something went wrong: x"))
        .stderr(predicate::str::contains(
            "error: function fail failed with exit code 3",
        ));

    // Activation records: newest first, logs by id, and an asynchronous invoke.
    let output = cli(&["activations", "ls", "--output", "json"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let records: Vec<faas_shared::ActivationRecord> =
        serde_json::from_slice(&output.stdout).unwrap();
    let functions: Vec<&str> = records
        .iter()
        .map(|r| r.activation.function.as_str())
        .collect();
    assert_eq!(functions, ["fail", "reverse"]);
    let failed_id = records[0].activation.activation_id.clone();
    cli(&["logs", &failed_id])
        .assert()
        .success()
        .stdout("fail: something went wrong: x\n");
    cli(&["activations", "ls", "--function", "reverse"])
        .assert()
        .success()
        .stdout(predicate::str::contains("success"))
        .stdout(predicate::str::contains("fail").not());

    let queued = cli(&["invoke", "reverse", "abc", "--async"])
        .output()
        .unwrap();
    assert!(queued.status.success());
    let id = String::from_utf8(queued.stdout).unwrap().trim().to_owned();
    let waited = cli(&["activations", "get", &id, "--wait", "--output", "json"])
        .output()
        .unwrap();
    assert!(waited.status.success());
    let record: faas_shared::ActivationRecord = serde_json::from_slice(&waited.stdout).unwrap();
    assert_eq!(record.activation.result, "cba");

    cli(&["secret", "set", "db-password"])
        .write_stdin("hunter2")
        .assert()
        .success()
        .stdout("created secret db-password\n");
    cli(&["secret", "ls"])
        .assert()
        .success()
        .stdout(predicate::str::contains("db-password"))
        .stdout(predicate::str::contains("hunter2").not());
    cli(&["secret", "rm", "db-password", "--yes"])
        .assert()
        .success();
    cli(&["secret", "rm", "db-password", "--yes"])
        .assert()
        .code(4)
        .stderr(predicate::str::contains("db-password"));

    cli(&["fn", "rm", "reverse", "--yes"])
        .assert()
        .success()
        .stdout("deleted reverse\n");
    cli(&["invoke", "reverse", "hello"])
        .assert()
        .code(4)
        .stderr(predicate::str::contains("faasctl fn ls"));

    // An API key for CI: its secret printed once, then used as FAAS_TOKEN.
    let created = cli(&["key", "create", "ci", "--expires", "7d"])
        .assert()
        .success()
        .stderr(predicate::str::contains("only time"))
        .get_output()
        .stdout
        .clone();
    let secret = String::from_utf8(created).unwrap().trim().to_owned();
    assert!(secret.starts_with("faas_k_alice.ci."), "{secret}");
    cli(&["fn", "ls"])
        .env("FAAS_TOKEN", &secret)
        .assert()
        .success();
    cli(&["whoami"])
        .env("FAAS_TOKEN", &secret)
        .assert()
        .success()
        .stdout("alice\nAPI key ci (see `faasctl key ls`)\n");
    // A key cannot make more keys.
    cli(&["key", "create", "more"])
        .env("FAAS_TOKEN", &secret)
        .assert()
        .code(3);
    cli(&["key", "ls"])
        .assert()
        .success()
        .stdout(predicate::str::contains("ci ").and(predicate::str::contains(&secret[20..]).not()));
    cli(&["key", "rm", "ci", "--yes"])
        .assert()
        .success()
        .stdout("removed API key ci\n");
    cli(&["fn", "ls"])
        .env("FAAS_TOKEN", &secret)
        .assert()
        .code(3);

    // A password change keeps this session going on a fresh token and ends the
    // others: a copy of the old token no longer works.
    let stored_token = || {
        let stored: serde_json::Value =
            serde_json::from_slice(&std::fs::read(credentials_path(home.path())).unwrap()).unwrap();
        stored["profiles"]["default"]["token"]
            .as_str()
            .expect("the token in the credentials file")
            .to_owned()
    };
    let before = stored_token();
    cli(&["passwd", "--password-stdin"])
        .write_stdin("correct horse\nbattery staple\n")
        .assert()
        .success()
        .stdout(predicate::str::contains("password changed"));
    cli(&["fn", "ls"]).assert().success();
    let (status, _) = platform.get_json("/v1/functions", &before).await;
    assert_eq!(status, reqwest::StatusCode::UNAUTHORIZED);

    // Logout revokes the token on the server: a copy of it no longer works.
    let copied = stored_token();
    cli(&["logout"]).assert().success().stderr("");
    cli(&["fn", "ls"]).assert().code(3);
    let (status, _) = platform.get_json("/v1/functions", &copied).await;
    assert_eq!(status, reqwest::StatusCode::UNAUTHORIZED);

    // Deleting the account: confirmation, then the password; the name is free again
    // and the new account starts empty.
    as_alice("login", "correct horse").assert().code(3);
    as_alice("login", "battery staple").assert().success();
    cli(&["fn", "add", "reverse", "--image", REVERSE])
        .assert()
        .success();
    cli(&["account", "delete", "--password-stdin"])
        .write_stdin("battery staple\n")
        .assert()
        .failure()
        .stderr(predicate::str::contains("--yes"));
    cli(&["account", "delete", "--yes", "--password-stdin"])
        .write_stdin("wrong staple\n")
        .assert()
        .failure()
        .stderr(predicate::str::contains("password is wrong"));
    cli(&["account", "delete", "--yes", "--password-stdin"])
        .write_stdin("battery staple\n")
        .assert()
        .success()
        .stdout("account deleted\n");
    as_alice("login", "battery staple").assert().code(3);
    as_alice("register", "correct horse").assert().success();
    as_alice("login", "correct horse").assert().success();
    cli(&["fn", "ls"])
        .assert()
        .success()
        .stdout(predicate::str::contains("reverse").not());

    platform.stop().await;
}
