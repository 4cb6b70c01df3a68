//! The cases, run in order against one deployment. Each returns what it checked
//! (the report's detail) or why it failed; a case that needs the session of
//! "register and login" fails when that one did.

use anyhow::{Context as _, bail, ensure};
use faas_shared::{MAX_LOG_BYTES, MAX_PARAM_BYTES_ARGV, MAX_RESULT_BYTES, paths};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::Images;
use crate::http::{Api, short};
use crate::report::{CaseResult, Report};

/// Every case: its name in the report, and its function.
const CASES: &[(&str, Case)] = &[
    ("health and readiness", |s| Box::pin(s.health())),
    ("register and login", |s| Box::pin(s.register_and_login())),
    ("deploy, list, get, update, remove", |s| {
        Box::pin(s.function_lifecycle())
    }),
    ("invoke: argv param", |s| Box::pin(s.invoke_argv())),
    ("invoke: stdin param", |s| Box::pin(s.invoke_stdin())),
    ("invoke: env param", |s| Box::pin(s.invoke_env())),
    ("404 for an unknown function", |s| {
        Box::pin(s.unknown_function())
    }),
    ("401 without a token or with a forged one", |s| {
        Box::pin(s.unauthorized())
    }),
    ("413 past the parameter limit", |s| {
        Box::pin(s.param_too_large())
    }),
    ("504 on timeout with partial output", |s| {
        Box::pin(s.timeout())
    }),
    ("logs and log truncation", |s| Box::pin(s.logs())),
    ("result truncation", |s| Box::pin(s.result_truncation())),
    ("async invoke and its record", |s| {
        Box::pin(s.async_invoke())
    }),
    ("isolation between two users", |s| Box::pin(s.isolation())),
    ("API key: create, use, list, remove", |s| {
        Box::pin(s.api_key())
    }),
    ("429 past the in-flight limit", |s| {
        Box::pin(s.concurrency_limit())
    }),
];

type Case =
    for<'a> fn(
        &'a mut Suite,
    ) -> std::pin::Pin<Box<dyn Future<Output = anyhow::Result<String>> + Send + 'a>>;

/// The password of the suite's users.
const PASSWORD: &str = "conformance suite password";
/// Most concurrent slow invocations the 429 case sends before giving up.
const MAX_INFLIGHT_PROBE: usize = 64;

pub struct Suite {
    api: Api,
    images: Images,
    /// Makes this run's user names unique.
    run_id: String,
    /// The main user's name and session token, once "register and login" passed.
    session: Option<(String, String)>,
}

impl Suite {
    pub fn new(api: Api, images: Images) -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos();
        Self {
            api,
            images,
            run_id: format!("{:x}", nanos % (1 << 48)),
            session: None,
        }
    }

    pub async fn run(mut self) -> Report {
        let mut report = Report::default();
        for (case, run) in CASES {
            let outcome = run(&mut self).await;
            report.cases.push(CaseResult {
                case,
                passed: outcome.is_ok(),
                detail: outcome.unwrap_or_else(|e| format!("{e:#}")),
            });
        }
        report
    }

    fn username(&self, role: &str) -> String {
        format!("cf{role}{}", self.run_id)
    }

    fn token(&self) -> anyhow::Result<&str> {
        self.session
            .as_ref()
            .map(|(_, token)| token.as_str())
            .context("no session: \"register and login\" failed")
    }

    /// Registers `username` and logs in: the session token.
    async fn new_user(&self, username: &str) -> anyhow::Result<String> {
        let credentials = json!({"username": username, "password": PASSWORD});
        self.api
            .call(Method::POST, paths::USERS, None, Some(&credentials))
            .await?
            .expect(StatusCode::CREATED, "register")?;
        let login = self
            .api
            .call(Method::POST, paths::LOGIN, None, Some(&credentials))
            .await?
            .expect(StatusCode::OK, "login")?;
        login["token"]
            .as_str()
            .map(str::to_owned)
            .context("the login answer has no token")
    }

    /// Deploys (creates or replaces) function `name` for `token`.
    async fn deploy(&self, token: &str, name: &str, spec: Value) -> anyhow::Result<Value> {
        let answer = self
            .api
            .call(
                Method::PUT,
                &paths::fill(paths::FUNCTION, name),
                Some(token),
                Some(&spec),
            )
            .await?;
        ensure!(
            answer.status.is_success(),
            "deploying {name}: {} {}",
            answer.status,
            short(&answer.body)
        );
        Ok(answer.body)
    }

    async fn invoke(
        &self,
        token: &str,
        name: &str,
        param: &str,
    ) -> anyhow::Result<crate::http::Answer> {
        self.api
            .call(
                Method::POST,
                &paths::fill(paths::INVOKE, name),
                Some(token),
                Some(&json!({ "param": param })),
            )
            .await
    }

    /// Invokes and expects 200 with a successful activation.
    async fn invoke_ok(&self, token: &str, name: &str, param: &str) -> anyhow::Result<Value> {
        let activation = self
            .invoke(token, name, param)
            .await?
            .expect(StatusCode::OK, &format!("invoking {name}"))?;
        ensure!(
            activation["status"] == "success",
            "{name} did not succeed: {}",
            short(&activation)
        );
        Ok(activation)
    }

    async fn remove(&self, token: &str, name: &str) -> anyhow::Result<()> {
        self.api
            .call(
                Method::DELETE,
                &paths::fill(paths::FUNCTION, name),
                Some(token),
                None,
            )
            .await?
            .expect(StatusCode::NO_CONTENT, &format!("removing {name}"))?;
        Ok(())
    }

    async fn health(&mut self) -> anyhow::Result<String> {
        for path in [paths::HEALTHZ, paths::READYZ] {
            let body = self
                .api
                .call(Method::GET, path, None, None)
                .await?
                .expect(StatusCode::OK, path)?;
            ensure!(
                body["status"].is_string(),
                "{path}: no status in {}",
                short(&body)
            );
        }
        Ok("/healthz and /readyz answer 200".into())
    }

    async fn register_and_login(&mut self) -> anyhow::Result<String> {
        let username = self.username("main");
        let token = self.new_user(&username).await?;
        let again = json!({"username": username, "password": PASSWORD});
        self.api
            .call(Method::POST, paths::USERS, None, Some(&again))
            .await?
            .expect_error(
                StatusCode::CONFLICT,
                "user_exists",
                "registering a taken name",
            )?;
        let wrong = json!({"username": username, "password": "not the password"});
        self.api
            .call(Method::POST, paths::LOGIN, None, Some(&wrong))
            .await?
            .expect_error(
                StatusCode::UNAUTHORIZED,
                "invalid_credentials",
                "a wrong password",
            )?;
        self.session = Some((username.clone(), token));
        Ok(format!(
            "{username}: 201, token; taken name 409; wrong password 401"
        ))
    }

    async fn function_lifecycle(&mut self) -> anyhow::Result<String> {
        let token = self.token()?.to_owned();
        let path = paths::fill(paths::FUNCTION, "lifecycle");
        let spec = json!({"image": self.images.echo});
        self.api
            .call(Method::PUT, &path, Some(&token), Some(&spec))
            .await?
            .expect(StatusCode::CREATED, "deploying")?;
        let listed = self
            .api
            .call(Method::GET, paths::FUNCTIONS, Some(&token), None)
            .await?
            .expect(StatusCode::OK, "listing")?;
        ensure!(
            listed
                .as_array()
                .is_some_and(|l| l.iter().any(|f| f["name"] == "lifecycle")),
            "the listing lacks the function: {}",
            short(&listed)
        );
        let got = self
            .api
            .call(Method::GET, &path, Some(&token), None)
            .await?
            .expect(StatusCode::OK, "getting")?;
        ensure!(
            got["image"] == self.images.echo.as_str(),
            "got {}",
            short(&got)
        );
        let update = json!({"image": self.images.echo, "timeout_ms": 5000});
        let updated = self
            .api
            .call(Method::PUT, &path, Some(&token), Some(&update))
            .await?
            .expect(StatusCode::OK, "updating")?;
        ensure!(
            updated["timeout_ms"] == 5000,
            "the update did not stick: {}",
            short(&updated)
        );
        self.remove(&token, "lifecycle").await?;
        self.api
            .call(Method::GET, &path, Some(&token), None)
            .await?
            .expect_error(
                StatusCode::NOT_FOUND,
                "function_not_found",
                "getting the removed function",
            )?;
        Ok("PUT 201, listed, GET, PUT 200 (timeout changed), DELETE 204, then 404".into())
    }

    async fn invoke_mode(&self, name: &str, image: &str, mode: &str) -> anyhow::Result<String> {
        let token = self.token()?;
        self.deploy(token, name, json!({"image": image, "param_mode": mode}))
            .await?;
        let param = format!("hello {mode}: ünïcode, \"quotes\" and $HOME");
        let activation = self.invoke_ok(token, name, &param).await?;
        ensure!(
            activation["result"] == param.as_str(),
            "expected the parameter back, got {}",
            short(&activation["result"])
        );
        Ok(format!("{image} ({mode}) returned the parameter verbatim"))
    }

    async fn invoke_argv(&mut self) -> anyhow::Result<String> {
        self.invoke_mode("echo", &self.images.echo.clone(), "argv")
            .await
    }

    async fn invoke_stdin(&mut self) -> anyhow::Result<String> {
        self.invoke_mode("cat", &self.images.cat.clone(), "stdin")
            .await
    }

    async fn invoke_env(&mut self) -> anyhow::Result<String> {
        self.invoke_mode("env", &self.images.env.clone(), "env")
            .await
    }

    async fn unknown_function(&mut self) -> anyhow::Result<String> {
        let token = self.token()?;
        self.invoke(token, "no-such-function", "")
            .await?
            .expect_error(StatusCode::NOT_FOUND, "function_not_found", "invoking")?;
        self.api
            .call(
                Method::GET,
                &paths::fill(paths::FUNCTION, "no-such-function"),
                Some(token),
                None,
            )
            .await?
            .expect_error(StatusCode::NOT_FOUND, "function_not_found", "getting")?;
        Ok("invoke and get: 404 function_not_found".into())
    }

    async fn unauthorized(&mut self) -> anyhow::Result<String> {
        let (username, token) = self.session.clone().context("no session")?;
        // A token signed by someone else, claiming the user; a key that is not one.
        let forged_jwt = forge_jwt(&username);
        let forged_key = format!("faas_k_{username}.ci.{}", "0".repeat(64));
        let mut tampered = token.clone();
        tampered.pop();
        tampered.push(if token.ends_with('A') { 'B' } else { 'A' });
        let mut checked = 0;
        for bearer in [
            None,
            Some(forged_jwt.as_str()),
            Some(forged_key.as_str()),
            Some(tampered.as_str()),
        ] {
            for (method, path) in [
                (Method::GET, paths::FUNCTIONS.to_owned()),
                (Method::POST, paths::fill(paths::INVOKE, "echo")),
            ] {
                let answer = self
                    .api
                    .call(method.clone(), &path, bearer, Some(&json!({"param": ""})))
                    .await?;
                ensure!(
                    answer.status == StatusCode::UNAUTHORIZED,
                    "{method} {path} with {}: expected 401, got {} {}",
                    match bearer {
                        None => "no token",
                        Some(b) if b == forged_key => "a forged key",
                        Some(b) if b == tampered => "a tampered token",
                        Some(_) => "a forged token",
                    },
                    answer.status,
                    short(&answer.body)
                );
                checked += 1;
            }
        }
        Ok(format!(
            "{checked} requests (none, forged JWT, forged key, tampered token): all 401"
        ))
    }

    async fn param_too_large(&mut self) -> anyhow::Result<String> {
        let token = self.token()?;
        let param = "x".repeat(MAX_PARAM_BYTES_ARGV + 1);
        let answer = self.invoke(token, "echo", &param).await?;
        ensure!(
            answer.status == StatusCode::PAYLOAD_TOO_LARGE,
            "a {} byte argv parameter: expected 413, got {} {}",
            param.len(),
            answer.status,
            short(&answer.body)
        );
        // Exactly at the limit is accepted.
        let at_limit = "x".repeat(MAX_PARAM_BYTES_ARGV);
        let activation = self.invoke_ok(token, "echo", &at_limit).await?;
        ensure!(activation["result"].as_str().map(str::len) == Some(MAX_PARAM_BYTES_ARGV));
        Ok(format!(
            "argv: {MAX_PARAM_BYTES_ARGV} bytes run, one more is 413 {}",
            answer.code()
        ))
    }

    async fn timeout(&mut self) -> anyhow::Result<String> {
        let token = self.token()?;
        self.deploy(
            token,
            "slow",
            json!({"image": self.images.sh, "timeout_ms": 1000}),
        )
        .await?;
        let body = self
            .invoke(token, "slow", "echo partial output; sleep 30")
            .await?
            .expect_error(
                StatusCode::GATEWAY_TIMEOUT,
                "function_timeout",
                "a 30 s script under a 1 s timeout",
            )?;
        let activation = &body["error"]["activation"];
        ensure!(
            activation["status"] == "timeout",
            "status: {}",
            short(activation)
        );
        ensure!(
            activation["result"]
                .as_str()
                .is_some_and(|r| r.contains("partial output")),
            "the output before the timeout is missing: {}",
            short(activation)
        );
        Ok("504 function_timeout, status timeout, output so far kept".into())
    }

    async fn logs(&mut self) -> anyhow::Result<String> {
        let token = self.token()?;
        self.deploy(token, "logs", json!({"image": self.images.logs}))
            .await?;
        let activation = self.invoke_ok(token, "logs", "a line for the logs").await?;
        ensure!(
            activation["result"] == "ok"
                && activation["logs"]
                    .as_str()
                    .is_some_and(|l| l.contains("a line for the logs")),
            "stderr not in the logs: {}",
            short(&activation)
        );
        ensure!(
            activation["logs_truncated"] == false,
            "short logs marked truncated"
        );
        let id = activation["activation_id"]
            .as_str()
            .context("no activation id")?;
        let record = self
            .api
            .call(
                Method::GET,
                &paths::fill(paths::ACTIVATION, id),
                Some(token),
                None,
            )
            .await?
            .expect(StatusCode::OK, "reading the record")?;
        ensure!(
            record["logs"] == activation["logs"],
            "the record's logs differ"
        );
        // Past the log cap, within the argv parameter limit.
        let long = "l".repeat(MAX_LOG_BYTES + 4096);
        let cut = self.invoke_ok(token, "logs", &long).await?;
        let kept = cut["logs"].as_str().map_or(0, str::len);
        ensure!(
            cut["logs_truncated"] == true && kept <= MAX_LOG_BYTES && kept > 0,
            "{} bytes of logs: kept {kept}, logs_truncated {}",
            long.len() + 1,
            cut["logs_truncated"]
        );
        Ok(format!(
            "stderr in logs and record; {} bytes cut to {kept}, logs_truncated",
            long.len() + 1
        ))
    }

    async fn result_truncation(&mut self) -> anyhow::Result<String> {
        let token = self.token()?;
        let script = format!("head -c {} /dev/zero | tr '\\0' r", MAX_RESULT_BYTES * 2);
        self.deploy(token, "sh", json!({"image": self.images.sh}))
            .await?;
        let activation = self.invoke_ok(token, "sh", &script).await?;
        let kept = activation["result"].as_str().map_or(0, str::len);
        ensure!(
            activation["result_truncated"] == true && kept <= MAX_RESULT_BYTES && kept > 0,
            "{} bytes of output: kept {kept}, result_truncated {}",
            MAX_RESULT_BYTES * 2,
            activation["result_truncated"]
        );
        Ok(format!(
            "{} bytes cut to {kept}, result_truncated",
            MAX_RESULT_BYTES * 2
        ))
    }

    async fn async_invoke(&mut self) -> anyhow::Result<String> {
        let token = self.token()?;
        let accepted = self
            .api
            .call(
                Method::POST,
                &format!("{}?async=true", paths::fill(paths::INVOKE, "echo")),
                Some(token),
                Some(&json!({"param": "later"})),
            )
            .await?
            .expect(StatusCode::ACCEPTED, "an asynchronous invocation")?;
        let id = accepted["activation_id"]
            .as_str()
            .context("no activation_id")?;
        // Long-poll: 200 with the record as soon as it is stored, or 202 with the
        // activation's state when the wait runs out.
        let path = format!("{}?wait=20", paths::fill(paths::ACTIVATION, id));
        for _ in 0..3 {
            let answer = self.api.call(Method::GET, &path, Some(token), None).await?;
            if answer.status == StatusCode::OK {
                let record = answer.body;
                ensure!(
                    record["status"] == "success" && record["result"] == "later",
                    "the record: {}",
                    short(&record)
                );
                let listed = self
                    .api
                    .call(
                        Method::GET,
                        &format!("{}?function=echo", paths::ACTIVATIONS),
                        Some(token),
                        None,
                    )
                    .await?
                    .expect(StatusCode::OK, "listing activations")?;
                ensure!(
                    listed
                        .as_array()
                        .is_some_and(|l| l.iter().any(|r| r["activation_id"] == id)),
                    "the activation is not listed"
                );
                return Ok(
                    "202 with an id; ?wait answers 200 with the record once stored, and it is listed"
                        .into(),
                );
            }
            ensure!(
                answer.status == StatusCode::ACCEPTED
                    && matches!(answer.body["state"].as_str(), Some("queued" | "running")),
                "waiting for the record: {} {}",
                answer.status,
                short(&answer.body)
            );
        }
        bail!("no record within 60 s")
    }

    async fn isolation(&mut self) -> anyhow::Result<String> {
        let token = self.token()?.to_owned();
        let owner = self.invoke_ok(&token, "echo", "mine").await?;
        let id = owner["activation_id"]
            .as_str()
            .context("no activation id")?
            .to_owned();
        let other = self.new_user(&self.username("other")).await?;
        let listed = self
            .api
            .call(Method::GET, paths::FUNCTIONS, Some(&other), None)
            .await?
            .expect(StatusCode::OK, "listing")?;
        ensure!(
            listed == json!([]),
            "another user sees functions: {}",
            short(&listed)
        );
        let function = paths::fill(paths::FUNCTION, "echo");
        for (method, path) in [
            (Method::GET, function.clone()),
            (Method::DELETE, function.clone()),
            (Method::POST, paths::fill(paths::INVOKE, "echo")),
        ] {
            self.api
                .call(
                    method.clone(),
                    &path,
                    Some(&other),
                    Some(&json!({"param": ""})),
                )
                .await?
                .expect_error(
                    StatusCode::NOT_FOUND,
                    "function_not_found",
                    &format!("{method} {path} as another user"),
                )?;
        }
        self.api
            .call(
                Method::GET,
                &paths::fill(paths::ACTIVATION, &id),
                Some(&other),
                None,
            )
            .await?
            .expect_error(
                StatusCode::NOT_FOUND,
                "activation_not_found",
                "another user's activation",
            )?;
        let records = self
            .api
            .call(Method::GET, paths::ACTIVATIONS, Some(&other), None)
            .await?
            .expect(StatusCode::OK, "listing activations")?;
        ensure!(records == json!([]), "another user sees activations");
        // The other user's function of the same name is theirs alone.
        self.deploy(
            &other,
            "echo",
            json!({"image": self.images.env, "param_mode": "env"}),
        )
        .await?;
        let mine = self.invoke_ok(&token, "echo", "still mine").await?;
        ensure!(
            mine["result"] == "still mine",
            "the owner's function changed"
        );
        self.remove(&other, "echo").await?;
        Ok("another user: empty listings, 404 on get/delete/invoke/activation, own function of the same name".into())
    }

    async fn api_key(&mut self) -> anyhow::Result<String> {
        let token = self.token()?.to_owned();
        let created = self
            .api
            .call(
                Method::POST,
                paths::KEYS,
                Some(&token),
                Some(&json!({"name": "conformance", "expires_in_days": 1})),
            )
            .await?
            .expect(StatusCode::CREATED, "creating a key")?;
        let secret = created["secret"].as_str().context("no secret")?.to_owned();
        let activation = self.invoke_ok(&secret, "echo", "with a key").await?;
        ensure!(activation["result"] == "with a key");
        let listed = self
            .api
            .call(Method::GET, paths::KEYS, Some(&token), None)
            .await?
            .expect(StatusCode::OK, "listing keys")?;
        ensure!(
            listed
                .as_array()
                .is_some_and(|l| l.iter().any(|k| k["name"] == "conformance")),
            "the key is not listed"
        );
        ensure!(
            !listed.to_string().contains(&secret[secret.len() - 64..]),
            "the listing shows the secret"
        );
        self.api
            .call(
                Method::DELETE,
                &paths::fill(paths::KEY, "conformance"),
                Some(&token),
                None,
            )
            .await?
            .expect(StatusCode::NO_CONTENT, "removing the key")?;
        self.api
            .call(Method::GET, paths::FUNCTIONS, Some(&secret), None)
            .await?
            .expect_error(StatusCode::UNAUTHORIZED, "unauthorized", "the removed key")?;
        Ok("201 with a secret; invoked with it; listed without it; removed, then 401".into())
    }

    async fn concurrency_limit(&mut self) -> anyhow::Result<String> {
        // A user of its own, so its slow calls hold no one else's share.
        let token = self.new_user(&self.username("flood")).await?;
        self.deploy(&token, "sleep", json!({"image": self.images.sleep}))
            .await?;
        let path = format!("{}?async=true", paths::fill(paths::INVOKE, "sleep"));
        for sent in 1..=MAX_INFLIGHT_PROBE {
            let answer = self
                .api
                .call(
                    Method::POST,
                    &path,
                    Some(&token),
                    Some(&json!({"param": "3"})),
                )
                .await?;
            match answer.status {
                StatusCode::ACCEPTED => continue,
                StatusCode::TOO_MANY_REQUESTS => {
                    ensure!(
                        answer.code() == "concurrency_limit",
                        "429 with code {:?}",
                        answer.code()
                    );
                    let retry_after = answer.retry_after.context("429 without Retry-After")?;
                    return Ok(format!(
                        "{} accepted, call {sent} refused: 429 concurrency_limit, Retry-After {retry_after}",
                        sent - 1
                    ));
                }
                status => bail!("call {sent}: {status} {}", short(&answer.body)),
            }
        }
        bail!(
            "no 429 after {MAX_INFLIGHT_PROBE} concurrent slow calls: no in-flight limit at or below that"
        )
    }
}

/// A JWT for `username` signed with a key that is not the server's (HS256 over a
/// made-up secret): a signature the server must refuse.
fn forge_jwt(username: &str) -> String {
    use base64::Engine as _;
    let encode = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let header = encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    let claims = encode(
        format!(
            r#"{{"sub":"{username}","key":"faas-api","iat":{now},"exp":{},"jti":"forged"}}"#,
            now + 600
        )
        .as_bytes(),
    );
    format!(
        "{header}.{claims}.{}",
        encode(b"not a signature of the server")
    )
}
