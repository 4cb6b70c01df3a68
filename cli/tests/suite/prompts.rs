//! The interactive prompts, driven for real through a pseudo-terminal.
#![cfg(unix)]

use crate::common::{FakeServer, Reply, faasctl_std, valid_token};
use rexpect::process::WaitStatus;
use serde_json::json;
use tempfile::TempDir;

#[test]
fn register_asks_for_a_hidden_password_twice() {
    let home = TempDir::new().unwrap();
    let server = FakeServer::start(home.path(), |req| {
        Reply::json(201, json!({"username": req.json()["username"]}))
    });
    let mut cmd = faasctl_std(&home);
    cmd.args([
        "register",
        "--username",
        "alice",
        "--api-url",
        &server.url,
        "--ca-cert",
    ])
    .arg(&server.ca_cert);
    let mut session = rexpect::session::spawn_command(cmd, Some(20_000)).unwrap();

    session.exp_string("Password").unwrap();
    session.send_line("correct horse").unwrap();
    let typed = session.exp_string("Repeat password").unwrap();
    assert!(
        !typed.contains("correct horse"),
        "the password was echoed: {typed:?}"
    );
    session.send_line("correct hearse").unwrap();
    session.exp_string("do not match").unwrap();

    session.exp_string("Password").unwrap();
    session.send_line("correct horse").unwrap();
    session.exp_string("Repeat password").unwrap();
    session.send_line("correct horse").unwrap();
    session.exp_string("registered alice").unwrap();
    session.exp_string("Log in as alice now?").unwrap();
    session.send("n").unwrap();
    session.flush().unwrap();
    let rest = session.exp_eof().unwrap();
    assert!(
        !rest.contains("correct horse"),
        "the password was echoed: {rest:?}"
    );
    assert!(matches!(
        session.process().wait().unwrap(),
        WaitStatus::Exited(_, 0)
    ));

    let requests = server.requests();
    assert_eq!(
        requests.len(),
        1,
        "one request, after the passwords matched"
    );
    assert_eq!(
        requests[0].json(),
        json!({"username": "alice", "password": "correct horse"})
    );
}

#[test]
fn fn_rm_asks_before_deleting() {
    let home = TempDir::new().unwrap();
    let server = FakeServer::start(home.path(), |_| Reply {
        status: 204,
        headers: Vec::new(),
        body: String::new(),
    });
    let rm = || {
        let mut cmd = faasctl_std(&home);
        cmd.args(["fn", "rm", "reverse", "--api-url", &server.url, "--ca-cert"])
            .arg(&server.ca_cert)
            .env("FAAS_TOKEN", valid_token("alice"));
        rexpect::session::spawn_command(cmd, Some(20_000)).unwrap()
    };

    let mut declined = rm();
    declined.exp_string("Delete function reverse?").unwrap();
    declined.send("n").unwrap();
    declined.flush().unwrap();
    assert!(declined.exp_eof().unwrap().contains("not deleted"));
    assert!(server.requests().is_empty());

    let mut confirmed = rm();
    confirmed.exp_string("Delete function reverse?").unwrap();
    confirmed.send("y").unwrap();
    confirmed.flush().unwrap();
    assert!(confirmed.exp_eof().unwrap().contains("deleted reverse"));
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].method, "DELETE");
    assert_eq!(requests[0].path, "/v1/functions/reverse");
}

#[test]
fn login_offers_the_remembered_username() {
    let home = TempDir::new().unwrap();
    let token = valid_token("alice");
    let server = FakeServer::start(home.path(), move |_| {
        Reply::json(
            200,
            json!({"token": token, "token_type": "Bearer", "expires_at": "2099-01-01T00:00:00Z"}),
        )
    });
    let config = crate::common::config_path(home.path());
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    std::fs::write(&config, "[profiles.default]\nusername = \"alice\"\n").unwrap();

    let mut cmd = faasctl_std(&home);
    cmd.args(["login", "--api-url", &server.url, "--ca-cert"])
        .arg(&server.ca_cert);
    let mut session = rexpect::session::spawn_command(cmd, Some(20_000)).unwrap();
    session.exp_string("Username").unwrap();
    session.exp_string("alice").unwrap();
    session.send_line("").unwrap();
    session.exp_string("Password for alice").unwrap();
    session.send_line("correct horse").unwrap();
    let rest = session.exp_eof().unwrap();
    assert!(rest.contains("logged in"), "{rest:?}");
    assert!(matches!(
        session.process().wait().unwrap(),
        WaitStatus::Exited(_, 0)
    ));
    assert_eq!(
        server.requests()[0].json(),
        json!({"username": "alice", "password": "correct horse"})
    );
}

#[test]
fn register_on_a_terminal_offers_to_log_in_at_once() {
    let home = TempDir::new().unwrap();
    let token = valid_token("alice");
    let server = FakeServer::start(home.path(), move |req| {
        if req.path == "/v1/users" {
            return Reply::json(201, json!({"username": "alice"}));
        }
        Reply::json(
            200,
            json!({"token": token, "token_type": "Bearer", "expires_at": "2099-01-01T00:00:00Z"}),
        )
    });
    let mut cmd = faasctl_std(&home);
    cmd.args([
        "register",
        "--username",
        "alice",
        "--api-url",
        &server.url,
        "--ca-cert",
    ])
    .arg(&server.ca_cert);
    let mut session = rexpect::session::spawn_command(cmd, Some(20_000)).unwrap();
    session.exp_string("Password").unwrap();
    session.send_line("correct horse").unwrap();
    session.exp_string("Repeat password").unwrap();
    session.send_line("correct horse").unwrap();
    session.exp_string("Log in as alice now?").unwrap();
    session.send("y").unwrap();
    session.flush().unwrap();
    let rest = session.exp_eof().unwrap();
    assert!(rest.contains("logged in"), "{rest:?}");
    let requests = server.requests();
    assert_eq!(
        requests.len(),
        2,
        "register, then log in without asking again"
    );
    assert_eq!(requests[1].path, "/v1/auth/login");
    assert_eq!(
        requests[1].json(),
        json!({"username": "alice", "password": "correct horse"})
    );
}

#[test]
fn invoke_on_a_terminal_ends_the_result_with_a_newline() {
    let home = TempDir::new().unwrap();
    let server = FakeServer::start(home.path(), |_| {
        Reply::json(
            200,
            json!({
                "activation_id": "0192a6c4000070008000000000000001", "function": "reverse",
                "status": "success", "result": "olleh", "logs": "", "exit_code": 0,
                "duration_ms": 1, "started_at": "2026-11-23T08:00:00Z",
            }),
        )
    });
    let mut cmd = faasctl_std(&home);
    cmd.args([
        "invoke",
        "reverse",
        "hello",
        "--api-url",
        &server.url,
        "--ca-cert",
    ])
    .arg(&server.ca_cert)
    .env("FAAS_TOKEN", valid_token("alice"));
    let mut session = rexpect::session::spawn_command(cmd, Some(20_000)).unwrap();
    let rest = session.exp_eof().unwrap();
    assert!(rest.ends_with("olleh\r\n"), "{rest:?}");
}

#[test]
fn secret_set_prompts_for_a_hidden_value() {
    let home = TempDir::new().unwrap();
    let server = FakeServer::start(home.path(), |_| {
        Reply::json(
            201,
            json!({"name": "db-password", "updated_at": "2026-11-23T08:00:00Z"}),
        )
    });
    let mut cmd = faasctl_std(&home);
    cmd.args([
        "secret",
        "set",
        "db-password",
        "--api-url",
        &server.url,
        "--ca-cert",
    ])
    .arg(&server.ca_cert)
    .env("FAAS_TOKEN", valid_token("alice"));
    let mut session = rexpect::session::spawn_command(cmd, Some(20_000)).unwrap();
    session.exp_string("Value of db-password").unwrap();
    session.send_line("s3cret value").unwrap();
    let rest = session.exp_eof().unwrap();
    assert!(rest.contains("created secret db-password"), "{rest:?}");
    assert!(!rest.contains("s3cret"), "the value was echoed: {rest:?}");
    assert_eq!(server.requests()[0].body, b"s3cret value");
}
