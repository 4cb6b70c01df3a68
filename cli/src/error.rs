//! The errors `faasctl` knows how to explain, and the exit code each one maps to.
//!
//! Scripts branch on exit codes, so they are part of the CLI's contract (documented in
//! `--help` and `cli/README.md`). Anything not listed here is a plain `anyhow` error
//! and exits 1.

use faas_shared::{ApiError, ErrorCode};

/// Exit codes, as documented in `--help`.
pub mod exit {
    pub const OK: u8 = 0;
    pub const OTHER: u8 = 1;
    pub const USAGE: u8 = 2;
    pub const AUTH: u8 = 3;
    pub const NOT_FOUND: u8 = 4;
    pub const FUNCTION_FAILED: u8 = 5;
    pub const TIMEOUT: u8 = 6;
    pub const RATE_LIMITED: u8 = 7;
    pub const UNREACHABLE: u8 = 8;
}

/// The text appended to `faasctl --help`.
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  success
  1  any other error (invalid input rejected by the server, server error, ...)
  2  usage error (bad flags, or a prompt needed where there is no terminal)
  3  authentication: not logged in, session expired, wrong password
  4  function not found
  5  the function failed (its stdout and stderr are still printed)
  6  the function timed out
  7  rate limited: too many concurrent invocations (retry after the time shown)
  8  server unreachable, or its TLS certificate is not trusted

Settings are taken from, in order: command-line flag, environment variable, the
profile in the config file (written by `faasctl login`), built-in default.

Environment:
  FAAS_TOKEN          use this token; nothing stored is read (for CI and scripts)
  FAAS_API_URL, FAAS_CA_CERT, FAASCTL_PROFILE, FAASCTL_CONFIG, FAASCTL_NO_KEYRING
                      the same as the flags above";

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The server answered with an error body (or a gateway with something we turned
    /// into one).
    #[error("{}", .error.message)]
    Api {
        error: ApiError,
        /// Seconds from a `Retry-After` header (429).
        retry_after: Option<u64>,
    },
    #[error("could not reach {url}: {reason}")]
    Unreachable { url: String, reason: String },
    #[error("could not establish a trusted TLS connection to {url}: {reason}")]
    Tls { url: String, reason: String },
    #[error("not logged in")]
    NotLoggedIn,
    #[error("session expired, run `faasctl login`")]
    SessionExpired,
    /// Bad combination of arguments that clap cannot check, or a prompt with no terminal.
    #[error("{0}")]
    Usage(String),
}

impl CliError {
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Api { error, .. } => match error.code {
                ErrorCode::InvalidCredentials
                | ErrorCode::Unauthorized
                | ErrorCode::TokenExpired => exit::AUTH,
                ErrorCode::FunctionNotFound
                | ErrorCode::ActivationNotFound
                | ErrorCode::SecretNotFound
                | ErrorCode::NotFound => exit::NOT_FOUND,
                ErrorCode::FunctionFailed | ErrorCode::ImageUnavailable => exit::FUNCTION_FAILED,
                ErrorCode::FunctionTimeout => exit::TIMEOUT,
                ErrorCode::ConcurrencyLimit
                | ErrorCode::FunctionConcurrencyLimit
                | ErrorCode::RateLimited => exit::RATE_LIMITED,
                _ => exit::OTHER,
            },
            CliError::Unreachable { .. } | CliError::Tls { .. } => exit::UNREACHABLE,
            CliError::NotLoggedIn | CliError::SessionExpired => exit::AUTH,
            CliError::Usage(_) => exit::USAGE,
        }
    }

    /// What the user can do about it, if we know.
    pub fn hint(&self) -> Option<String> {
        match self {
            CliError::Api { error, retry_after } => match error.code {
                ErrorCode::InvalidCredentials => {
                    Some("check the username and password; new here? run `faasctl register`".into())
                }
                ErrorCode::Unauthorized | ErrorCode::TokenExpired => {
                    Some("run `faasctl login` to get a new token".into())
                }
                ErrorCode::FunctionNotFound => {
                    Some("list your functions with `faasctl fn ls`".into())
                }
                ErrorCode::UserExists => Some("log in with `faasctl login` instead".into()),
                ErrorCode::SecretNotFound => Some(
                    "list your secrets with `faasctl secret ls`; set one with `faasctl secret set NAME`".into(),
                ),
                ErrorCode::FunctionConcurrencyLimit => Some(match retry_after {
                    Some(secs) => format!("the function is at its max_concurrency; retry after {secs}s"),
                    None => "the function is at its max_concurrency; retry in a moment".into(),
                }),
                ErrorCode::ConcurrencyLimit => Some(match retry_after {
                    Some(secs) => format!("too many invocations in flight; retry after {secs}s"),
                    None => "too many invocations in flight; retry in a moment".into(),
                }),
                ErrorCode::RateLimited => Some(match retry_after {
                    Some(secs) => format!("too many attempts; retry after {secs}s"),
                    None => "too many attempts; retry in a moment".into(),
                }),
                _ => None,
            },
            CliError::Unreachable { url, .. } if crate::config::is_loopback_url(url) => Some(
                "is the server running? start one with `cargo run -p faas-server -- dev`".into(),
            ),
            CliError::Unreachable { .. } => {
                Some("check the address (--api-url, FAAS_API_URL or the profile)".into())
            }
            CliError::Tls { .. } => Some(
                "if this is a `faas-server dev` instance, trust its CA with `--ca-cert .faas-dev/ca.pem` (or FAAS_CA_CERT)".into(),
            ),
            CliError::NotLoggedIn => Some("run `faasctl login` first".into()),
            CliError::SessionExpired | CliError::Usage(_) => None,
        }
    }
}
