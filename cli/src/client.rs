//! The HTTP client of the faas API: one method per endpoint, faas-shared types in and
//! out, and every failure turned into a [`CliError`] that says what went wrong.
//!
//! Gateways (APISIX) answer some errors with their own body shape, so an error body
//! that is not `{"error": {...}}` is mapped by status to the closest stable code.

use std::error::Error as _;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use faas_shared::keys::{KeyCreate, KeyCreated, KeyInfo};
use faas_shared::paths;
use faas_shared::{
    AccountDeletion, Activation, ActivationAccepted, ActivationPending, ActivationRecord, ApiError,
    Credentials, ErrorBody, ErrorCode, FunctionInfo, FunctionSpec, InvokeRequest, PasswordChange,
    PasswordChanged, Registration, SecretInfo, TokenResponse, UserInfo,
};
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde::de::DeserializeOwned;

use crate::error::CliError;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// For everything but invoke, whose bound is the function's own timeout on the server.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

pub struct ApiClient {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
    verbose: bool,
}

/// An activation as `GET /v1/activations/{id}` answers: its record once finished
/// (200), else where it is (202).
#[derive(Debug)]
pub enum ActivationState {
    Finished(Box<ActivationRecord>),
    Pending(ActivationPending),
}

/// Whether `PUT /v1/functions/{name}` (or a secret's `PUT`) made a new function or replaced one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upsert {
    Created,
    Updated,
}

impl ApiClient {
    /// `ca_cert` is trusted in addition to the system roots; `insecure` trusts
    /// anything, with a warning.
    pub fn new(
        base: &str,
        ca_cert: Option<&Path>,
        token: Option<String>,
        verbose: bool,
        insecure: bool,
    ) -> anyhow::Result<Self> {
        let mut builder = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .user_agent(concat!("faasctl/", env!("CARGO_PKG_VERSION")));
        if insecure {
            eprintln!(
                "warning: --insecure: the server's certificate is not checked, so anyone on the path can read your password and token; use --ca-cert instead"
            );
            builder = builder.tls_danger_accept_invalid_certs(true);
        }
        if let Some(path) = ca_cert {
            let pem = std::fs::read(path)
                .with_context(|| format!("reading the CA certificate {}", path.display()))?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem)
                .with_context(|| format!("{} is not a PEM certificate", path.display()))?;
            builder = builder.tls_certs_merge(certs);
        }
        let http = builder.build().context("setting up the HTTPS client")?;
        reqwest::Url::parse(base)
            .map_err(|e| CliError::Usage(format!("invalid API URL {base:?}: {e}")))?;
        Ok(Self {
            http,
            base: base.trim_end_matches('/').to_owned(),
            token,
            verbose,
        })
    }

    pub async fn register(&self, registration: &Registration) -> Result<UserInfo, CliError> {
        let req = self.request(Method::POST, paths::USERS).json(registration);
        self.json(req).await
    }

    pub async fn login(&self, credentials: &Credentials) -> Result<TokenResponse, CliError> {
        let req = self.request(Method::POST, paths::LOGIN).json(credentials);
        self.json(req).await
    }

    /// Revokes the token this client sends, on every server replica.
    pub async fn logout(&self) -> Result<(), CliError> {
        self.send(self.request(Method::POST, paths::LOGOUT))
            .await
            .map(drop)
    }

    /// Changes the password; the answer is a fresh token (older ones are revoked)
    /// and the API keys the change revoked.
    pub async fn change_password(
        &self,
        change: &PasswordChange,
    ) -> Result<PasswordChanged, CliError> {
        self.json(self.request(Method::PUT, paths::PASSWORD).json(change))
            .await
    }

    /// Deletes the account with its functions and records.
    pub async fn delete_account(&self, deletion: &AccountDeletion) -> Result<(), CliError> {
        self.send(self.request(Method::DELETE, paths::ME).json(deletion))
            .await
            .map(drop)
    }

    /// The first page of the caller's functions: the server's default page (100)
    /// holds the default quota of functions, so `faasctl fn ls` does not follow
    /// `Link: rel="next"`.
    pub async fn list_functions(&self) -> Result<Vec<FunctionInfo>, CliError> {
        self.json(self.request(Method::GET, paths::FUNCTIONS)).await
    }

    pub async fn get_function(&self, name: &str) -> Result<FunctionInfo, CliError> {
        self.json(self.request(Method::GET, &function_path(name)?))
            .await
    }

    pub async fn put_function(
        &self,
        name: &str,
        spec: &FunctionSpec,
    ) -> Result<(FunctionInfo, Upsert), CliError> {
        self.upsert(self.request(Method::PUT, &function_path(name)?).json(spec))
            .await
    }

    pub async fn delete_function(&self, name: &str) -> Result<(), CliError> {
        self.send(self.request(Method::DELETE, &function_path(name)?))
            .await
            .map(drop)
    }

    /// Waits as long as the function runs; the server enforces its timeout.
    pub async fn invoke(&self, name: &str, param: String) -> Result<Activation, CliError> {
        let path = invoke_path(name)?;
        let req = self
            .request(Method::POST, &path)
            .timeout(Duration::from_secs(faas_shared::MAX_TIMEOUT_MS / 1000 + 60))
            .json(&InvokeRequest { param });
        self.json(req).await
    }

    /// Queues an invocation (`?async=true`) without waiting for it.
    pub async fn invoke_async(
        &self,
        name: &str,
        param: String,
    ) -> Result<ActivationAccepted, CliError> {
        let path = format!("{}?async=true", invoke_path(name)?);
        let req = self
            .request(Method::POST, &path)
            .json(&InvokeRequest { param });
        self.json(req).await
    }

    /// Your activation records, newest first.
    pub async fn list_activations(
        &self,
        function: Option<&str>,
        limit: usize,
    ) -> Result<Vec<ActivationRecord>, CliError> {
        // Both values are safe in a URL as they are: a number and a validated name.
        let mut path = format!("{}?limit={limit}", paths::ACTIVATIONS);
        if let Some(function) = function {
            faas_shared::names::validate_function_name(function)
                .map_err(|e| CliError::Usage(e.message))?;
            path.push_str(&format!("&function={function}"));
        }
        self.json(self.request(Method::GET, &path)).await
    }

    /// One activation; with `wait_secs`, the server holds the answer until it has
    /// finished or that many seconds have passed.
    pub async fn get_activation(
        &self,
        id: &str,
        wait_secs: Option<u64>,
    ) -> Result<ActivationState, CliError> {
        if !faas_shared::names::is_activation_id(id) {
            return Err(CliError::Usage(format!(
                "{id:?} is not an activation id (list them with `faasctl activations ls`)"
            )));
        }
        let mut path = paths::fill(paths::ACTIVATION, id);
        let mut req = self.request(Method::GET, &path);
        if let Some(wait) = wait_secs {
            path.push_str(&format!("?wait={wait}"));
            req = self
                .request(Method::GET, &path)
                .timeout(REQUEST_TIMEOUT + Duration::from_secs(wait));
        }
        let response = self.send(req).await?;
        if response.status() == StatusCode::ACCEPTED {
            return Ok(ActivationState::Pending(self.body(response).await?));
        }
        Ok(ActivationState::Finished(self.body(response).await?))
    }

    /// Sets a secret to `value`, bytes exact.
    pub async fn put_secret(
        &self,
        name: &str,
        value: Vec<u8>,
    ) -> Result<(SecretInfo, Upsert), CliError> {
        let req = self
            .request(Method::PUT, &secret_path(name)?)
            .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
            .body(value);
        self.upsert(req).await
    }

    /// Your secrets' names and when each was set; never their values.
    pub async fn list_secrets(&self) -> Result<Vec<SecretInfo>, CliError> {
        self.json(self.request(Method::GET, paths::SECRETS)).await
    }

    pub async fn delete_secret(&self, name: &str) -> Result<(), CliError> {
        self.send(self.request(Method::DELETE, &secret_path(name)?))
            .await
            .map(drop)
    }

    /// Creates an API key; the answer holds its secret, shown this once.
    pub async fn create_key(&self, request: &KeyCreate) -> Result<KeyCreated, CliError> {
        self.json(self.request(Method::POST, paths::KEYS).json(request))
            .await
    }

    pub async fn list_keys(&self) -> Result<Vec<KeyInfo>, CliError> {
        self.json(self.request(Method::GET, paths::KEYS)).await
    }

    pub async fn delete_key(&self, name: &str) -> Result<(), CliError> {
        faas_shared::names::validate_function_name(name).map_err(|_| {
            CliError::Usage(format!(
                "{name:?} is not a key name (list yours with `faasctl key ls`)"
            ))
        })?;
        self.send(self.request(Method::DELETE, &paths::fill(paths::KEY, name)))
            .await
            .map(drop)
    }

    fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .timeout(REQUEST_TIMEOUT);
        if let Some(token) = &self.token {
            req = req.bearer_auth(token);
        }
        req
    }

    async fn json<T: DeserializeOwned>(&self, req: RequestBuilder) -> Result<T, CliError> {
        let response = self.send(req).await?;
        self.body(response).await
    }

    /// Sends a PUT that creates or replaces: 201 is created, any other success
    /// replaced.
    async fn upsert<T: DeserializeOwned>(
        &self,
        req: RequestBuilder,
    ) -> Result<(T, Upsert), CliError> {
        let response = self.send(req).await?;
        let upsert = if response.status() == StatusCode::CREATED {
            Upsert::Created
        } else {
            Upsert::Updated
        };
        Ok((self.body(response).await?, upsert))
    }

    /// Sends the request; a non-2xx answer becomes [`CliError::Api`].
    async fn send(&self, req: RequestBuilder) -> Result<Response, CliError> {
        let started = Instant::now();
        let req = req.build().map_err(|e| self.transport_error(e))?;
        if self.verbose {
            eprintln!("> {} {}", req.method(), req.url());
        }
        let response = self
            .http
            .execute(req)
            .await
            .map_err(|e| self.transport_error(e))?;
        if self.verbose {
            eprintln!(
                "< {} ({} ms)",
                response.status(),
                started.elapsed().as_millis()
            );
        }
        if response.status().is_success() {
            return Ok(response);
        }
        Err(self.api_error(response).await)
    }

    async fn body<T: DeserializeOwned>(&self, response: Response) -> Result<T, CliError> {
        let bytes = response
            .bytes()
            .await
            .map_err(|e| self.transport_error(e))?;
        serde_json::from_slice(&bytes).map_err(|e| CliError::Api {
            error: ApiError::new(
                ErrorCode::Internal,
                format!("unexpected answer from {}: {e}", self.base),
            ),
            retry_after: None,
        })
    }

    async fn api_error(&self, response: Response) -> CliError {
        let status = response.status();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse().ok());
        let bytes = response.bytes().await.unwrap_or_default();
        let error = match serde_json::from_slice::<ErrorBody>(&bytes) {
            Ok(body) => body.error,
            Err(_) => foreign_error(status, &bytes),
        };
        if error.code == ErrorCode::TokenExpired {
            return CliError::SessionExpired;
        }
        CliError::Api { error, retry_after }
    }

    fn transport_error(&self, error: reqwest::Error) -> CliError {
        let url = self.base.clone();
        let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&error);
        let mut io_kind = None;
        let mut innermost = error.to_string();
        while let Some(err) = source {
            if let Some(tls) = err.downcast_ref::<rustls::Error>() {
                return CliError::Tls {
                    url,
                    reason: tls.to_string(),
                };
            }
            innermost = err.to_string();
            source = match err.downcast_ref::<std::io::Error>() {
                Some(io) => {
                    io_kind.get_or_insert(io.kind());
                    // io::Error's `source()` skips its payload; rustls errors hide there.
                    match io.get_ref() {
                        Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
                        None => io.source(),
                    }
                }
                None => err.source(),
            };
        }
        if error.is_timeout() {
            return CliError::Unreachable {
                url,
                reason: "timed out".into(),
            };
        }
        if error.is_connect() || io_kind.is_some() {
            let reason = match io_kind {
                Some(std::io::ErrorKind::ConnectionRefused) => "connection refused".to_owned(),
                _ => innermost,
            };
            return CliError::Unreachable { url, reason };
        }
        CliError::Unreachable {
            url,
            reason: innermost,
        }
    }
}

/// Function names go into the URL path, so they are validated before use.
fn function_path(name: &str) -> Result<String, CliError> {
    valid_function_name(name)?;
    Ok(paths::fill(paths::FUNCTION, name))
}

/// Secret names go into the URL path too.
fn secret_path(name: &str) -> Result<String, CliError> {
    faas_shared::names::validate_secret_name(name).map_err(|error| CliError::Api {
        error,
        retry_after: None,
    })?;
    Ok(paths::fill(paths::SECRET, name))
}

fn invoke_path(name: &str) -> Result<String, CliError> {
    valid_function_name(name)?;
    Ok(paths::fill(paths::INVOKE, name))
}

fn valid_function_name(name: &str) -> Result<(), CliError> {
    faas_shared::names::validate_function_name(name).map_err(|error| CliError::Api {
        error,
        retry_after: None,
    })
}

/// An error body in some other shape (a gateway's, a proxy's HTML page).
fn foreign_error(status: StatusCode, body: &[u8]) -> ApiError {
    let code = match status.as_u16() {
        401 => ErrorCode::Unauthorized,
        404 => ErrorCode::NotFound,
        413 => ErrorCode::PayloadTooLarge,
        429 => ErrorCode::ConcurrencyLimit,
        400 => ErrorCode::BadRequest,
        502..=504 => ErrorCode::BackendUnavailable,
        _ => ErrorCode::Internal,
    };
    // APISIX says {"message": "..."}, others {"error_msg": "..."}; a newer server may
    // send our shape with a code this build does not know.
    let message = serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| {
            ["/message", "/error_msg", "/error/message"]
                .iter()
                .find_map(|p| v.pointer(p).and_then(|m| m.as_str()).map(str::to_owned))
        })
        .unwrap_or_else(|| format!("the server answered {status}"));
    ApiError::new(code, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gateway_errors_get_a_stable_code() {
        let e = foreign_error(
            StatusCode::UNAUTHORIZED,
            br#"{"message":"Missing JWT token in request"}"#,
        );
        assert_eq!(e.code, ErrorCode::Unauthorized);
        assert_eq!(e.message, "Missing JWT token in request");
        let e = foreign_error(StatusCode::BAD_GATEWAY, b"<html>502</html>");
        assert_eq!(e.code, ErrorCode::BackendUnavailable);
        assert_eq!(e.message, "the server answered 502 Bad Gateway");
        let e = foreign_error(
            StatusCode::BAD_REQUEST,
            br#"{"error":{"code":"brand_new_code","message":"explained"}}"#,
        );
        assert_eq!(
            (e.code, e.message.as_str()),
            (ErrorCode::BadRequest, "explained")
        );
    }

    #[test]
    fn bad_function_names_never_reach_the_url() {
        assert!(function_path("../users").is_err());
        assert_eq!(function_path("reverse").unwrap(), "/v1/functions/reverse");
    }
}
