//! Behaviour that needs no server: parsing, help, usage errors, credentials handling
//! and what happens when the server cannot be reached.

use crate::common::{config_path, dead_url, faasctl, token, valid_token};
use predicates::prelude::*;
use tempfile::TempDir;

#[test]
fn help_documents_exit_codes_and_precedence() {
    let home = TempDir::new().unwrap();
    faasctl(&home)
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("Exit codes:"))
        .stdout(predicate::str::contains("8  server unreachable"))
        .stdout(predicate::str::contains(
            "command-line flag, environment variable",
        ))
        .stdout(predicate::str::contains("FAAS_TOKEN"));
}

#[test]
fn every_command_has_help() {
    let home = TempDir::new().unwrap();
    for args in [
        &["register", "--help"][..],
        &["login", "--help"],
        &["logout", "--help"],
        &["whoami", "--help"],
        &["fn", "add", "--help"],
        &["fn", "rm", "--help"],
        &["fn", "ls", "--help"],
        &["fn", "get", "--help"],
        &["invoke", "--help"],
        &["completions", "--help"],
    ] {
        faasctl(&home).args(args).assert().success();
    }
}

#[test]
fn usage_errors_exit_2() {
    let home = TempDir::new().unwrap();
    faasctl(&home).assert().code(2);
    faasctl(&home).args(["frobnicate"]).assert().code(2);
    faasctl(&home).args(["fn", "add", "x"]).assert().code(2); // no --image
    faasctl(&home)
        .args(["fn", "add", "x", "--image", "a", "--timeout", "soon"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("500ms"));
    faasctl(&home)
        .args(["fn", "add", "x", "--image", "a", "--param-mode", "file"])
        .assert()
        .code(2);
    faasctl(&home)
        .args(["invoke", "f", "x", "--file", "p.txt"])
        .assert()
        .code(2);
    faasctl(&home)
        .args(["--output", "yaml", "fn", "ls"])
        .assert()
        .code(2);
}

#[test]
fn password_prompt_without_a_terminal_names_password_stdin() {
    let home = TempDir::new().unwrap();
    for command in ["register", "login"] {
        faasctl(&home)
            .args([command, "--username", "alice"])
            .write_stdin("")
            .assert()
            .code(2)
            .stderr(predicate::str::contains("--password-stdin"));
    }
}

#[test]
fn username_is_required_without_a_terminal() {
    let home = TempDir::new().unwrap();
    faasctl(&home)
        .args(["login", "--password-stdin"])
        .write_stdin("secret-password\n")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--username"));
}

#[test]
fn invalid_username_is_refused_before_asking_for_a_password() {
    let home = TempDir::new().unwrap();
    faasctl(&home)
        .args(["register", "--username", "Al"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("invalid username"));
}

#[test]
fn fn_rm_without_a_terminal_requires_yes() {
    let home = TempDir::new().unwrap();
    faasctl(&home)
        .args(["fn", "rm", "reverse"])
        .env("FAAS_TOKEN", valid_token("alice"))
        .write_stdin("y\n")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--yes"));
}

#[test]
fn not_logged_in_exits_3() {
    let home = TempDir::new().unwrap();
    faasctl(&home)
        .args(["fn", "ls"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("not logged in"))
        .stderr(predicate::str::contains("faasctl login"));
}

#[test]
fn expired_token_says_session_expired() {
    let home = TempDir::new().unwrap();
    faasctl(&home)
        .args(["fn", "ls"])
        .env("FAAS_TOKEN", token("alice", 1_000_000))
        .assert()
        .code(3)
        .stderr(predicate::str::contains(
            "session expired, run `faasctl login`",
        ))
        .stderr(predicate::str::contains("401").not());
}

#[test]
fn faas_token_wins_and_nothing_stored_is_read() {
    let home = TempDir::new().unwrap();
    let dir = config_path(home.path()).parent().unwrap().to_owned();
    std::fs::create_dir_all(&dir).unwrap();
    // Unreadable stored state would fail any command that looked at it.
    std::fs::write(dir.join("credentials.json"), "{ not json").unwrap();
    std::fs::write(
        dir.join("config.toml"),
        "[profiles.default]\nusername = \"bob\"\n",
    )
    .unwrap();
    faasctl(&home)
        .arg("whoami")
        .env("FAAS_TOKEN", valid_token("alice"))
        .assert()
        .success()
        .stdout(predicate::str::starts_with("alice\n"))
        .stdout(predicate::str::contains("session expires in"));
    faasctl(&home).arg("whoami").assert().code(1);
}

#[test]
fn whoami_json_has_username_and_expiry() {
    let home = TempDir::new().unwrap();
    let output = faasctl(&home)
        .args(["whoami", "--output", "json"])
        .env("FAAS_TOKEN", token("alice", 4_000_000_000))
        .output()
        .unwrap();
    assert!(output.status.success());
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["username"], "alice");
    assert_eq!(json["expires_at"], "2096-10-02T07:06:40Z");
}

#[test]
fn unreachable_server_exits_8_with_a_hint() {
    let home = TempDir::new().unwrap();
    let url = dead_url();
    faasctl(&home)
        .args(["fn", "ls", "--api-url", &url])
        .env("FAAS_TOKEN", valid_token("alice"))
        .assert()
        .code(8)
        .stderr(predicate::str::contains(format!(
            "could not reach {url}: connection refused"
        )))
        .stderr(predicate::str::contains("cargo run -p faas-server -- dev"));
    // Public endpoints too, and the URL may come from the environment.
    faasctl(&home)
        .args(["login", "--username", "alice", "--password-stdin"])
        .env("FAAS_API_URL", &url)
        .write_stdin("secret-password\n")
        .assert()
        .code(8)
        .stderr(predicate::str::contains(&url));
}

#[test]
fn profile_supplies_the_url_and_flags_override_it() {
    let home = TempDir::new().unwrap();
    let (profile_url, flag_url) = (dead_url(), dead_url());
    let path = config_path(home.path());
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(
        &path,
        format!("[profiles.work]\napi_url = \"{profile_url}\"\n"),
    )
    .unwrap();
    faasctl(&home)
        .args(["--profile", "work", "fn", "ls"])
        .env("FAAS_TOKEN", valid_token("alice"))
        .assert()
        .code(8)
        .stderr(predicate::str::contains(&profile_url));
    faasctl(&home)
        .args(["fn", "ls", "--api-url", &flag_url])
        .env("FAASCTL_PROFILE", "work")
        .env("FAAS_TOKEN", valid_token("alice"))
        .assert()
        .code(8)
        .stderr(predicate::str::contains(&flag_url));
}

#[test]
fn invalid_function_name_shows_the_rule() {
    let home = TempDir::new().unwrap();
    faasctl(&home)
        .args(["invoke", "Not/Valid", "x"])
        .env("FAAS_TOKEN", valid_token("alice"))
        .env("FAAS_API_URL", dead_url())
        .assert()
        .code(1)
        .stderr(predicate::str::contains("invalid function name"));
}

#[test]
fn corrupt_config_is_reported_not_panicked() {
    let home = TempDir::new().unwrap();
    let path = config_path(home.path());
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, "profiles = 3").unwrap();
    faasctl(&home)
        .arg("whoami")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("config file"))
        .stderr(predicate::str::contains("panicked").not());
}

#[test]
fn logout_when_not_logged_in_is_fine() {
    let home = TempDir::new().unwrap();
    faasctl(&home)
        .arg("logout")
        .assert()
        .success()
        .stdout("not logged in\n");
}

#[test]
fn verbose_shows_the_settings_and_each_request() {
    let home = TempDir::new().unwrap();
    let url = dead_url();
    faasctl(&home)
        .args(["-v", "fn", "ls", "--api-url", &url])
        .env("FAAS_TOKEN", valid_token("alice"))
        .assert()
        .code(8)
        .stderr(predicate::str::contains(format!("api: {url}")))
        .stderr(predicate::str::contains(format!(
            "> GET {url}/v1/functions"
        )));
}

/// `faasctl completions bash | head -1` must not panic when `head` closes the pipe.
#[cfg(unix)]
#[test]
fn a_closed_stdout_is_not_an_error() {
    let home = TempDir::new().unwrap();
    let mut child = crate::common::faasctl_std(&home)
        .args(["completions", "bash"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{output:?}");
    assert!(
        output.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
