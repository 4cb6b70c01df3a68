//! Client behaviour against a fake HTTPS server with canned answers: exact output,
//! what is sent, how each error maps to a message and an exit code, and where the
//! token ends up. The real server is exercised in `e2e.rs`.

use crate::common::{
    FakeServer, Reply, config_path, credentials_path, dead_url, faasctl, valid_token,
};
use predicates::prelude::*;
use serde_json::json;
use tempfile::TempDir;

fn activation(status: &str, result: &str, logs: &str, exit_code: Option<i64>) -> serde_json::Value {
    json!({
        "activation_id": "0192a6c4-0000-7000-8000-000000000001",
        "function": "reverse",
        "status": status,
        "result": result,
        "logs": logs,
        "exit_code": exit_code,
        "duration_ms": 42,
        "started_at": "2026-11-23T08:00:00Z",
    })
}

fn function_info(name: &str, image: &str) -> serde_json::Value {
    json!({
        "name": name, "image": image, "timeout_ms": 30000, "memory_mb": 128,
        "param_mode": "argv", "network": false,
        "created_at": "2026-11-23T08:00:00Z", "updated_at": "2026-11-23T08:00:00Z",
    })
}

#[test]
fn untrusted_certificate_exits_8_and_suggests_ca_cert() {
    let home = TempDir::new().unwrap();
    let server = FakeServer::start(home.path(), |_| Reply::json(200, json!([])));
    faasctl(&home)
        .args(["fn", "ls", "--api-url", &server.url])
        .env("FAAS_TOKEN", valid_token("alice"))
        .assert()
        .code(8)
        .stderr(predicate::str::contains("TLS"))
        .stderr(predicate::str::contains("--ca-cert .faas-dev/ca.pem"));
}

#[test]
fn dev_ca_in_the_working_directory_is_trusted_for_loopback() {
    let home = TempDir::new().unwrap();
    let server = FakeServer::start(home.path(), |_| Reply::json(200, json!([])));
    std::fs::create_dir_all(home.path().join(".faas-dev")).unwrap();
    std::fs::copy(&server.ca_cert, home.path().join(".faas-dev/ca.pem")).unwrap();
    faasctl(&home)
        .args(["fn", "ls", "--api-url", &server.url])
        .env("FAAS_TOKEN", valid_token("alice"))
        .assert()
        .success();
}

#[test]
fn invoke_prints_exactly_the_result_and_sends_the_param() {
    let home = TempDir::new().unwrap();
    let server = FakeServer::start(home.path(), |_| {
        Reply::json(200, activation("success", "olleh", "reversing\n", Some(0)))
    });
    let token = valid_token("alice");
    let run = |args: &[&str]| {
        let mut cmd = faasctl(&home);
        cmd.args(["--api-url", &server.url, "--ca-cert"])
            .arg(&server.ca_cert)
            .args(args)
            .env("FAAS_TOKEN", &token);
        cmd
    };
    run(&["invoke", "reverse", "hello"])
        .assert()
        .success()
        .stdout("olleh")
        .stderr(predicate::str::contains("reversing").not());
    run(&["invoke", "reverse", "hello", "--logs"])
        .assert()
        .success()
        .stdout("olleh")
        .stderr("reversing\n");
    run(&["invoke", "reverse", "-"])
        .write_stdin("from\nstdin")
        .assert()
        .success();
    std::fs::write(home.path().join("param.txt"), "from a file").unwrap();
    run(&["invoke", "reverse", "--file", "param.txt"])
        .assert()
        .success();
    let output = run(&["invoke", "reverse", "x", "--output", "json"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["result"], "olleh");
    assert_eq!(json["logs"], "reversing\n");

    let requests = server.requests();
    let params: Vec<_> = requests.iter().map(|r| r.json()["param"].clone()).collect();
    assert_eq!(
        params,
        ["hello", "hello", "from\nstdin", "from a file", "x"]
    );
    let first = &requests[0];
    assert_eq!(first.method, "POST");
    assert_eq!(first.path, "/v1/functions/reverse/invoke");
    assert_eq!(
        first.header("authorization"),
        Some(format!("Bearer {token}").as_str())
    );
}

#[test]
fn failed_function_shows_its_output_and_exits_5() {
    let home = TempDir::new().unwrap();
    let server = FakeServer::start(home.path(), |_| {
        let mut body =
            json!({"error": {"code": "function_failed", "message": "function exited with code 3"}});
        body["error"]["activation"] = activation("error", "partial", "boom\n", Some(3));
        Reply::json(502, body)
    });
    faasctl(&home)
        .args(["invoke", "fail", "x", "--api-url", &server.url, "--ca-cert"])
        .arg(&server.ca_cert)
        .env("FAAS_TOKEN", valid_token("alice"))
        .assert()
        .code(5)
        .stdout("partial")
        .stderr(predicate::str::starts_with("boom\n"))
        .stderr(predicate::str::contains(
            "error: function fail failed with exit code 3",
        ));
}

#[test]
fn errors_map_to_documented_exit_codes() {
    let cases = [
        (
            Reply::error(404, "function_not_found", "no function nope"),
            4,
            "no function nope",
        ),
        (
            Reply::error(504, "function_timeout", "timed out after 1s"),
            6,
            "timed out",
        ),
        (
            Reply {
                headers: vec![("retry-after", "7".into())],
                ..Reply::error(429, "concurrency_limit", "too many in flight")
            },
            7,
            "retry after 7s",
        ),
        (
            Reply::error(401, "token_expired", "token expired"),
            3,
            "session expired, run `faasctl login`",
        ),
        (
            Reply::json(401, json!({"message": "Missing JWT token in request"})),
            3,
            "Missing JWT token in request",
        ),
        (
            Reply::error(413, "param_too_large", "param larger than 128 KiB"),
            1,
            "128 KiB",
        ),
        (Reply::error(500, "internal", "oops"), 1, "oops"),
    ];
    for (reply, code, message) in cases {
        let home = TempDir::new().unwrap();
        let reply = std::sync::Mutex::new(Some(reply));
        let server = FakeServer::start(home.path(), move |_| {
            reply.lock().unwrap().take().expect("one request per case")
        });
        faasctl(&home)
            .args(["invoke", "nope", "x", "--api-url", &server.url, "--ca-cert"])
            .arg(&server.ca_cert)
            .env("FAAS_TOKEN", valid_token("alice"))
            .assert()
            .code(code)
            .stderr(predicate::str::contains(message))
            .stderr(predicate::str::contains("panicked").not());
    }
}

#[test]
fn login_stores_token_and_profile_then_commands_need_no_flags() {
    let home = TempDir::new().unwrap();
    let token = valid_token("alice");
    let server = FakeServer::start(home.path(), {
        let token = token.clone();
        move |req| match (req.method.as_str(), req.path.as_str()) {
            ("POST", "/v1/auth/login") if req.json()["password"] == "correct horse" => Reply::json(
                200,
                json!({"token": token, "token_type": "Bearer", "expires_at": "2099-01-01T00:00:00Z"}),
            ),
            ("POST", "/v1/auth/login") => {
                Reply::error(401, "invalid_credentials", "wrong username or password")
            }
            ("GET", "/v1/functions") => Reply::json(
                200,
                json!([function_info("reverse", "faas-examples/reverse:latest")]),
            ),
            _ => Reply::error(404, "not_found", "no route"),
        }
    });
    let warning = "warning: no OS keyring available; token stored in";

    let login = |password: &str| {
        server
            .faasctl(&home, &["login", "--username", "alice", "--password-stdin"])
            .write_stdin(format!("{password}\n"))
            .assert()
    };
    login("wrong password")
        .code(3)
        .stderr(predicate::str::contains("wrong username or password"));
    assert!(!credentials_path(home.path()).exists());

    login("correct horse")
        .success()
        .stdout(predicate::str::contains("logged in"))
        .stderr(predicate::str::contains(warning).count(1))
        .stderr(predicate::str::contains("(mode 0600)"));

    let stored = std::fs::read_to_string(credentials_path(home.path())).unwrap();
    assert!(stored.contains(&token));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(credentials_path(home.path()))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let config = std::fs::read_to_string(config_path(home.path())).unwrap();
    assert!(config.contains(&server.url), "{config}");
    assert!(config.contains("username = \"alice\""), "{config}");
    assert!(config.contains("fake-ca.pem"), "{config}");

    // No flags now: URL, CA and token come from the profile; reading does not warn.
    faasctl(&home)
        .args(["fn", "ls"])
        .assert()
        .success()
        .stdout(predicate::str::contains("NAME"))
        .stdout(predicate::str::contains("reverse"))
        .stdout(predicate::str::contains("faas-examples/reverse:latest"))
        .stderr("");
    faasctl(&home)
        .arg("whoami")
        .assert()
        .success()
        .stdout(predicate::str::starts_with("alice\n"));

    faasctl(&home)
        .arg("logout")
        .assert()
        .success()
        .stdout("logged out\n");
    assert!(!credentials_path(home.path()).exists());
    faasctl(&home).args(["fn", "ls"]).assert().code(3);
}

#[test]
fn fn_add_reports_created_then_updated_and_sends_the_spec() {
    let home = TempDir::new().unwrap();
    let calls = std::sync::atomic::AtomicUsize::new(0);
    let server = FakeServer::start(home.path(), move |req| {
        let status = match calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst) {
            0 => 201,
            _ => 200,
        };
        Reply::json(
            status,
            function_info("up", req.json()["image"].as_str().unwrap()),
        )
    });
    let add = |extra: &[&str]| {
        let mut cmd = faasctl(&home);
        cmd.args(["fn", "add", "up", "--image", "faas-examples/reverse:latest"])
            .args(extra)
            .args(["--api-url", &server.url, "--ca-cert"])
            .arg(&server.ca_cert)
            .env("FAAS_TOKEN", valid_token("alice"));
        cmd
    };
    add(&[
        "--timeout",
        "5s",
        "--memory",
        "256Mi",
        "--param-mode",
        "stdin",
        "--network",
        "--prewarm",
        "3",
    ])
    .assert()
    .success()
    .stdout("created up (faas-examples/reverse:latest)\n");
    add(&[])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("updated up"));

    let requests = server.requests();
    assert_eq!(requests[0].method, "PUT");
    assert_eq!(requests[0].path, "/v1/functions/up");
    assert_eq!(
        requests[0].json(),
        json!({"image": "faas-examples/reverse:latest", "timeout_ms": 5000, "memory_mb": 256,
               "param_mode": "stdin", "network": true, "prewarm": 3})
    );
    assert_eq!(
        requests[1].json(),
        json!({"image": "faas-examples/reverse:latest"})
    );
}

#[test]
fn fn_ls_json_is_the_array_and_server_messages_are_shown() {
    let home = TempDir::new().unwrap();
    let server = FakeServer::start(home.path(), |req| match req.path.as_str() {
        "/v1/functions" => Reply::json(
            200,
            json!([function_info("a", "alpine"), function_info("b", "busybox")]),
        ),
        _ => Reply::error(
            400,
            "weak_password",
            "password too short: use at least 8 characters",
        ),
    });
    let output = faasctl(&home)
        .args([
            "fn",
            "ls",
            "-o",
            "json",
            "--api-url",
            &server.url,
            "--ca-cert",
        ])
        .arg(&server.ca_cert)
        .env("FAAS_TOKEN", valid_token("alice"))
        .output()
        .unwrap();
    assert!(output.status.success());
    let list: Vec<faas_shared::FunctionInfo> = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(list.len(), 2);

    server
        .faasctl(
            &home,
            &["register", "--username", "alice", "--password-stdin"],
        )
        .write_stdin("shortpw\n")
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "password too short: use at least 8 characters",
        ));
}

/// With no D-Bus session bus there is no Secret Service: the keyring fails and the
/// token goes to the 0600 file, with the warning printed once, when writing.
#[cfg(target_os = "linux")]
#[test]
fn without_a_keyring_the_token_falls_back_to_the_file() {
    let home = TempDir::new().unwrap();
    let token = valid_token("alice");
    let server = FakeServer::start(home.path(), {
        let token = token.clone();
        move |req| match req.path.as_str() {
            "/v1/auth/login" => Reply::json(
                200,
                json!({"token": token, "token_type": "Bearer", "expires_at": "2099-01-01T00:00:00Z"}),
            ),
            _ => Reply::json(200, json!([])),
        }
    });
    let with_keyring = |args: &[&str]| {
        let mut cmd = faasctl(&home);
        cmd.args(args)
            .env_remove("FAASCTL_NO_KEYRING")
            .env_remove("DBUS_SESSION_BUS_ADDRESS")
            .env("XDG_RUNTIME_DIR", home.path());
        cmd
    };
    with_keyring(&[
        "login",
        "-u",
        "alice",
        "--password-stdin",
        "--api-url",
        &server.url,
        "--ca-cert",
    ])
    .arg(&server.ca_cert)
    .write_stdin("correct horse\n")
    .assert()
    .success()
    .stderr(format!(
        "warning: no OS keyring available; token stored in {} (mode 0600)\n",
        credentials_path(home.path()).display()
    ));
    with_keyring(&["fn", "ls"])
        .assert()
        .success()
        .stderr(predicate::str::contains("warning").not());
    with_keyring(&["logout"])
        .assert()
        .success()
        .stdout("logged out\n");
    assert!(!credentials_path(home.path()).exists());
}

/// Logs alice in against `server` (saving its URL and CA in the profile).
fn log_in(home: &TempDir, server: &FakeServer) {
    faasctl(home)
        .args(["login", "-u", "alice", "--password-stdin", "--api-url"])
        .arg(&server.url)
        .arg("--ca-cert")
        .arg(&server.ca_cert)
        .write_stdin("correct horse\n")
        .assert()
        .success();
}

fn login_then_no_content(
    token: String,
) -> impl Fn(&crate::common::Request) -> Reply + Send + Sync + 'static {
    move |req| match req.path.as_str() {
        "/v1/auth/login" => Reply::json(
            200,
            json!({"token": token, "token_type": "Bearer", "expires_at": "2099-01-01T00:00:00Z"}),
        ),
        _ => Reply {
            status: 204,
            headers: Vec::new(),
            body: String::new(),
        },
    }
}

#[test]
fn logout_revokes_the_token_on_the_server_then_forgets_it() {
    let home = TempDir::new().unwrap();
    let token = valid_token("alice");
    let server = FakeServer::start(home.path(), login_then_no_content(token.clone()));
    log_in(&home, &server);
    logs_out_quietly(&home);
    let requests = server.requests();
    let last = requests.last().unwrap();
    assert_eq!(
        (last.method.as_str(), last.path.as_str()),
        ("POST", "/v1/auth/logout")
    );
    assert_eq!(
        last.header("authorization"),
        Some(format!("Bearer {token}").as_str())
    );
    assert!(!credentials_path(home.path()).exists());
}

#[test]
fn logout_with_the_server_unreachable_still_forgets_the_token_and_warns() {
    let home = TempDir::new().unwrap();
    let server = FakeServer::start(home.path(), login_then_no_content(valid_token("alice")));
    log_in(&home, &server);
    faasctl(&home)
        .args(["logout", "--api-url", &dead_url()])
        .assert()
        .success()
        .stdout("logged out\n")
        .stderr(predicate::str::contains(
            "warning: the server did not revoke the token",
        ))
        .stderr(predicate::str::contains("stays valid until"));
    assert!(!credentials_path(home.path()).exists());
}

#[test]
fn logout_of_a_token_the_server_refuses_already_is_quiet() {
    let home = TempDir::new().unwrap();
    let token = valid_token("alice");
    let server = FakeServer::start(home.path(), move |req| match req.path.as_str() {
        "/v1/auth/login" => Reply::json(
            200,
            json!({"token": token, "token_type": "Bearer", "expires_at": "2099-01-01T00:00:00Z"}),
        ),
        _ => Reply::error(401, "unauthorized", "the token has been revoked"),
    });
    log_in(&home, &server);
    logs_out_quietly(&home);
    assert!(!credentials_path(home.path()).exists());
}

/// `faasctl logout` succeeds, says so, and warns about nothing.
fn logs_out_quietly(home: &TempDir) {
    faasctl(home)
        .arg("logout")
        .assert()
        .success()
        .stdout("logged out\n")
        .stderr("");
}

#[test]
fn secret_set_sends_the_bytes_exactly_and_ls_shows_names_only() {
    let home = TempDir::new().unwrap();
    let server = FakeServer::start(home.path(), |req| match req.method.as_str() {
        "PUT" => Reply::json(
            201,
            json!({"name": "db-password", "updated_at": "2026-11-23T08:00:00Z"}),
        ),
        "DELETE" => Reply {
            status: 204,
            headers: Vec::new(),
            body: String::new(),
        },
        _ => Reply::json(
            200,
            json!([{"name": "db-password", "updated_at": "2026-11-23T08:00:00Z"}]),
        ),
    });
    let token = valid_token("alice");
    let run = |args: &[&str]| {
        let mut cmd = server.faasctl(&home, args);
        cmd.env("FAAS_TOKEN", &token);
        cmd
    };
    run(&["secret", "set", "db-password"])
        .write_stdin("two\nlines\n")
        .assert()
        .success()
        .stdout("created secret db-password\n");
    std::fs::write(home.path().join("value.bin"), [0u8, 1, 2, 255]).unwrap();
    let from_file = format!("--from-file={}", home.path().join("value.bin").display());
    run(&["secret", "set", "db-password", &from_file])
        .assert()
        .success();
    run(&["secret", "ls"])
        .assert()
        .success()
        .stdout(predicate::str::contains("db-password"));
    run(&["secret", "rm", "db-password"]).assert().code(2);
    run(&["secret", "rm", "db-password", "--yes"])
        .assert()
        .success();
    run(&["secret", "set", "Not.Valid"]).assert().code(2);

    let requests = server.requests();
    assert_eq!(requests[0].method, "PUT");
    assert_eq!(requests[0].path, "/v1/secrets/db-password");
    assert_eq!(requests[0].body, b"two\nlines\n");
    assert_eq!(requests[1].body, [0u8, 1, 2, 255]);
    assert_eq!(requests[2].path, "/v1/secrets");
    assert_eq!(requests[3].method, "DELETE");
    assert_eq!(requests.len(), 4, "nothing sent for refused commands");
}

#[test]
fn fn_add_sends_secrets_and_max_concurrency() {
    let home = TempDir::new().unwrap();
    let server = FakeServer::start(home.path(), |_| {
        Reply::json(201, function_info("reader", "faas-examples/sh:latest"))
    });
    server
        .faasctl(
            &home,
            &[
                "fn",
                "add",
                "reader",
                "--image",
                "faas-examples/sh:latest",
                "--secret",
                "db-password",
                "--secret",
                "api-key",
                "--max-concurrency",
                "2",
            ],
        )
        .env("FAAS_TOKEN", valid_token("alice"))
        .assert()
        .success();
    assert_eq!(
        server.requests()[0].json(),
        json!({"image": "faas-examples/sh:latest", "secrets": ["db-password", "api-key"], "max_concurrency": 2})
    );
    server
        .faasctl(
            &home,
            &["fn", "add", "x", "--image", "a:1", "--max-concurrency", "0"],
        )
        .env("FAAS_TOKEN", valid_token("alice"))
        .assert()
        .code(2);
}

#[test]
fn activations_get_wait_long_polls_until_the_record_is_there() {
    let home = TempDir::new().unwrap();
    let calls = std::sync::atomic::AtomicUsize::new(0);
    let id = "0192a6c4000070008000000000000001";
    let server = FakeServer::start(home.path(), move |_| {
        if calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
            return Reply::json(
                202,
                json!({"activation_id": id, "function": "reverse", "state": "running", "queued_at": "2026-11-23T08:00:00Z"}),
            );
        }
        let mut record = activation("success", "olleh", "", Some(0));
        for (key, value) in [
            ("owner", "alice"),
            ("queued_at", "2026-11-23T08:00:00Z"),
            ("finished_at", "2026-11-23T08:00:01Z"),
            ("worker", "w1"),
        ] {
            record[key] = json!(value);
        }
        Reply::json(200, record)
    });
    server
        .faasctl(&home, &["activations", "get", id, "--wait"])
        .env("FAAS_TOKEN", valid_token("alice"))
        .assert()
        .success()
        .stdout(predicate::str::contains("olleh"));
    let paths: Vec<_> = server.requests().into_iter().map(|r| r.path).collect();
    let waiting = format!("/v1/activations/{id}?wait=60");
    assert_eq!(paths, [waiting.clone(), waiting]);
}
