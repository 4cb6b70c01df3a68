//! The suite's HTTP client: JSON in, status and JSON out, nothing assumed about
//! the deployment but its base URL and CA.

use std::path::Path;
use std::time::Duration;

use anyhow::Context as _;
use reqwest::{Method, RequestBuilder, StatusCode};
use serde_json::Value;

pub struct Api {
    client: reqwest::Client,
    base: String,
}

/// An answer: status, `Retry-After` if any, and the body as JSON (`Null` if it was
/// not JSON).
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub retry_after: Option<String>,
    pub body: Value,
}

impl Answer {
    /// The stable error code of an error body.
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }

    /// Fails unless the status is `status`.
    pub fn expect(self, status: StatusCode, what: &str) -> anyhow::Result<Value> {
        anyhow::ensure!(
            self.status == status,
            "{what}: expected {status}, got {} {}",
            self.status,
            short(&self.body)
        );
        Ok(self.body)
    }

    /// Fails unless the status is `status` with error code `code`.
    pub fn expect_error(self, status: StatusCode, code: &str, what: &str) -> anyhow::Result<Value> {
        anyhow::ensure!(
            self.status == status && self.code() == code,
            "{what}: expected {status} {code}, got {} {}",
            self.status,
            short(&self.body)
        );
        Ok(self.body)
    }
}

/// A body cut short enough for one line of the report.
pub fn short(body: &Value) -> String {
    let text = body.to_string();
    if text.chars().count() > 200 {
        format!("{}…", text.chars().take(200).collect::<String>())
    } else {
        text
    }
}

impl Api {
    pub fn new(base: &str, ca_cert: Option<&Path>) -> anyhow::Result<Self> {
        let mut builder = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            // The longest a case waits: a function's timeout plus queueing.
            .timeout(Duration::from_secs(120));
        if let Some(path) = ca_cert {
            let pem = std::fs::read(path)
                .with_context(|| format!("reading the CA certificate {}", path.display()))?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem)
                .with_context(|| format!("{} is not a PEM certificate", path.display()))?;
            builder = builder.tls_certs_merge(certs);
        }
        reqwest::Url::parse(base).with_context(|| format!("invalid API URL {base:?}"))?;
        Ok(Self {
            client: builder.build().context("setting up the HTTPS client")?,
            base: base.trim_end_matches('/').to_owned(),
        })
    }

    pub fn request(&self, method: Method, path: &str, bearer: Option<&str>) -> RequestBuilder {
        let request = self.client.request(method, format!("{}{path}", self.base));
        match bearer {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }

    /// Sends `request`; a transport failure is an error, any status an answer.
    pub async fn send(&self, request: RequestBuilder) -> anyhow::Result<Answer> {
        let response = request.send().await.context("sending the request")?;
        let status = response.status();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let bytes = response.bytes().await.context("reading the answer")?;
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Ok(Answer {
            status,
            retry_after,
            body,
        })
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        bearer: Option<&str>,
        body: Option<&Value>,
    ) -> anyhow::Result<Answer> {
        let mut request = self.request(method, path, bearer);
        if let Some(body) = body {
            request = request.json(body);
        }
        self.send(request).await
    }
}
