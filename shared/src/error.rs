//! The error body every API failure returns, and its stable codes.
//!
//! The `code` is part of the API contract (scripts branch on it); the `message` is for
//! people and may change.

use serde::{Deserialize, Serialize};

use crate::api::{Activation, ActivationStatus, RunFailure, RunFailureKind};

/// Stable, machine-readable error codes. Serialized as `snake_case`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    BadRequest,
    InvalidUsername,
    /// The username is reserved for the platform's own roles (`admin`, `root`,
    /// `operator`, …): valid, but never given to an account.
    UsernameReserved,
    WeakPassword,
    InvalidName,
    InvalidImage,
    /// The image's registry is refused by the image policy (`FAAS_ALLOWED_REGISTRIES`):
    /// a valid reference the platform forbids, so 403, not 400.
    ImageNotAllowed,
    InvalidSpec,
    UserExists,
    /// The user already has an API key of that name.
    KeyExists,
    InvalidCredentials,
    /// The platform takes no registrations (`FAAS_REGISTRATION=closed`).
    RegistrationClosed,
    /// Registration is by invitation and the invite code is missing, unknown,
    /// used or expired.
    InviteRequired,
    Unauthorized,
    TokenExpired,
    /// The password that confirms a change to the account (password change,
    /// deletion) is wrong; the token itself is fine.
    WrongPassword,
    FunctionNotFound,
    ActivationNotFound,
    /// A secret that does not exist (or is another user's: the same to you).
    SecretNotFound,
    NotFound,
    MethodNotAllowed,
    PayloadTooLarge,
    ParamTooLarge,
    /// A parameter the function's `param_mode` cannot carry (a NUL byte in argv or
    /// env): 409, since the request is valid and the function's registration is
    /// what refuses it (one with `param_mode: "stdin"` takes it).
    InvalidParam,
    /// A function spec no live worker can honour (`prewarm` or secret files where
    /// no worker keeps pools or has `faas-init`): 409, since the spec is valid and
    /// the workers are what refuse it; the message names the setting to change.
    Unservable,
    UnsupportedMediaType,
    ConcurrencyLimit,
    /// The function has as many activations in flight as its `max_concurrency`.
    FunctionConcurrencyLimit,
    /// Too many attempts (logins, registrations) or password hashes at once; retry
    /// after `Retry-After`.
    RateLimited,
    /// The request's headers are over the server's limit.
    HeadersTooLarge,
    /// The client did not send the request's body within the read timeout
    /// (`FAAS_REQUEST_READ_TIMEOUT_SECS`) at the minimum upload rate.
    RequestTimeout,
    /// The user has as many functions as the per-user quota allows.
    QuotaExceeded,
    FunctionFailed,
    FunctionTimeout,
    ImageUnavailable,
    NoCapacity,
    BackendUnavailable,
    Internal,
    /// A code this build does not know (a newer server): clients still get the
    /// message instead of failing to parse the whole error.
    #[serde(other)]
    Unknown,
}

impl ErrorCode {
    /// The HTTP status this code is always sent with.
    pub fn http_status(self) -> u16 {
        use ErrorCode::*;
        match self {
            BadRequest | InvalidUsername | UsernameReserved | WeakPassword | InvalidName
            | InvalidImage | InvalidSpec => 400,
            InvalidCredentials | Unauthorized | TokenExpired => 401,
            WrongPassword | RegistrationClosed | InviteRequired | ImageNotAllowed => 403,
            FunctionNotFound | ActivationNotFound | SecretNotFound | NotFound => 404,
            MethodNotAllowed => 405,
            RequestTimeout => 408,
            UserExists | KeyExists | InvalidParam | Unservable => 409,
            PayloadTooLarge | ParamTooLarge => 413,
            UnsupportedMediaType => 415,
            ConcurrencyLimit | FunctionConcurrencyLimit | RateLimited => 429,
            HeadersTooLarge => 431,
            QuotaExceeded => 403,
            FunctionFailed | ImageUnavailable => 502,
            NoCapacity | BackendUnavailable => 503,
            FunctionTimeout => 504,
            Internal | Unknown => 500,
        }
    }

    /// The wire form, e.g. `function_not_found`.
    pub fn as_str(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_else(|| "internal".to_owned())
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.as_str())
    }
}

/// `{"code": "...", "message": "..."}`, plus the activation when a function ran but
/// failed or timed out, so its stdout, stderr and exit code are never lost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[error("{message} ({code})")]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activation: Option<Box<Activation>>,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            activation: None,
        }
    }
}

/// The JSON body of every error response: `{"error": {...}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    pub error: ApiError,
}

impl ApiError {
    /// The error a caller gets for this outcome, or `None` for a success: function
    /// failure 502 `function_failed`, timeout 504 `function_timeout`, and when the
    /// platform could not run it at all 502 `image_unavailable` or 503
    /// `backend_unavailable`. The server answers with it and the CLI reports it.
    pub fn from_outcome(activation: &Activation, failure: Option<&RunFailure>) -> Option<Self> {
        let (code, message) = match (activation.status, failure) {
            (ActivationStatus::Success, _) => return None,
            (_, Some(failure)) => (
                match failure.kind {
                    RunFailureKind::ImageUnavailable => ErrorCode::ImageUnavailable,
                    RunFailureKind::Runtime => ErrorCode::BackendUnavailable,
                    RunFailureKind::SecretNotFound => ErrorCode::SecretNotFound,
                    RunFailureKind::NotStarted => ErrorCode::NoCapacity,
                },
                failure.message.clone(),
            ),
            (ActivationStatus::Timeout, None) => (
                ErrorCode::FunctionTimeout,
                format!(
                    "function {} did not finish within its timeout ({} ms elapsed)",
                    activation.function, activation.duration_ms
                ),
            ),
            (ActivationStatus::Error, None) => (
                ErrorCode::FunctionFailed,
                match activation.exit_code {
                    Some(code) if activation.oom_killed => format!(
                        "function {} was killed for using more than its memory limit (exit code {code}; raise memory_mb)",
                        activation.function
                    ),
                    Some(code) => {
                        format!("function {} exited with code {code}", activation.function)
                    }
                    None => format!("function {} could not be run", activation.function),
                },
            ),
        };
        Some(Self::new(code, message))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_serialize_as_snake_case() {
        assert_eq!(ErrorCode::FunctionNotFound.as_str(), "function_not_found");
        assert_eq!(ErrorCode::ConcurrencyLimit.to_string(), "concurrency_limit");
        assert_eq!(ErrorCode::RateLimited.to_string(), "rate_limited");
        assert_eq!(ErrorCode::HeadersTooLarge.http_status(), 431);
    }

    #[test]
    fn unknown_codes_parse() {
        let body: ErrorBody =
            serde_json::from_str(r#"{"error":{"code":"brand_new_code","message":"m"}}"#).unwrap();
        assert_eq!(body.error.code, ErrorCode::Unknown);
        assert_eq!(body.error.message, "m");
    }

    #[test]
    fn error_body_round_trips() {
        let body = ErrorBody {
            error: ApiError::new(ErrorCode::UserExists, "taken"),
        };
        let json = serde_json::to_string(&body).unwrap();
        assert_eq!(
            json,
            r#"{"error":{"code":"user_exists","message":"taken"}}"#
        );
        assert_eq!(serde_json::from_str::<ErrorBody>(&json).unwrap(), body);
    }
}
