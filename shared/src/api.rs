//! HTTP API v1 request and response bodies.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A function runs at most this long unless it asks for less or more.
pub const DEFAULT_TIMEOUT_MS: u64 = 30_000;
/// Upper bound for `timeout_ms`.
pub const MAX_TIMEOUT_MS: u64 = 300_000;
/// Lower bound for `timeout_ms`: anything shorter cannot even start a container.
pub const MIN_TIMEOUT_MS: u64 = 100;
/// Memory limit of a function's container unless it asks for another.
pub const DEFAULT_MEMORY_MB: u64 = 128;
/// Bounds for `memory_mb`.
pub const MIN_MEMORY_MB: u64 = 16;
pub const MAX_MEMORY_MB: u64 = 2048;
/// Linux's limit on one argument or environment string (`MAX_ARG_STRLEN`, 32 pages),
/// counting its terminating NUL.
pub const KERNEL_MAX_ARG_STRLEN: usize = 128 * 1024;
/// Largest parameter passed as the command-line argument: the kernel's per-argument
/// limit less the terminating NUL.
pub const MAX_PARAM_BYTES_ARGV: usize = KERNEL_MAX_ARG_STRLEN - 1;
/// The environment variable that carries the parameter in `env` mode.
pub const PARAM_ENV_VAR: &str = "FAAS_PARAM";
/// Largest parameter passed in the environment: `FAAS_PARAM=<value>` is one string
/// under the same per-argument limit.
pub const MAX_PARAM_BYTES_ENV: usize = KERNEL_MAX_ARG_STRLEN - 1 - PARAM_ENV_VAR.len() - 1;
/// Largest result (stdout) kept; past it the result is cut and `result_truncated` set.
pub const MAX_RESULT_BYTES: usize = 1024 * 1024;
/// Largest logs (stderr) kept; past it they are cut and `logs_truncated` set.
pub const MAX_LOG_BYTES: usize = 64 * 1024;
/// Largest parameter passed on stdin.
pub const MAX_PARAM_BYTES_STDIN: usize = 6 * 1024 * 1024;
/// Largest secret value.
pub const MAX_SECRET_BYTES: usize = 64 * 1024;
/// Most secrets one user may store.
pub const MAX_SECRETS_PER_USER: usize = 100;
/// Most secrets one function may name.
pub const MAX_SECRETS_PER_FUNCTION: usize = 16;
/// Upper bound for a function's `max_concurrency`: each slot is a NATS subject
/// tried in turn when an activation is admitted.
pub const MAX_FUNCTION_CONCURRENCY: u32 = 100;
/// Longest `GET /v1/activations/{id}?wait=` in seconds.
pub const MAX_ACTIVATION_WAIT_SECS: u64 = 60;
/// Most containers a function may keep prewarmed on each worker (`prewarm`).
pub const MAX_PREWARM: u32 = 16;

/// `POST /v1/users` and `POST /v1/auth/login`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Credentials {
    #[cfg_attr(feature = "openapi", schema(pattern = "^[a-z][a-z0-9_-]{2,31}$"))]
    pub username: String,
    #[cfg_attr(feature = "openapi", schema(min_length = 8, max_length = 1024))]
    pub password: String,
}

/// `POST /v1/users`: a new account's name and password, and the operator's invite
/// code where registration is by invitation (`FAAS_REGISTRATION=invite`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Registration {
    /// Not one of the names reserved for the platform either (the document says
    /// which: `faas_api`'s schema rules).
    #[cfg_attr(feature = "openapi", schema(pattern = "^[a-z][a-z0-9_-]{2,31}$"))]
    pub username: String,
    #[cfg_attr(feature = "openapi", schema(min_length = 8, max_length = 1024))]
    pub password: String,
    /// A single-use code from the platform's operator (`faas-server invite`):
    /// required when registration is by invitation; an account registered with
    /// one is never a new account (it has a share of its own at once).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invite: Option<String>,
}

/// `201` answer to `POST /v1/users`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserInfo {
    pub username: String,
}

/// `200` answer to `POST /v1/auth/login`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TokenResponse {
    pub token: String,
    /// Always `"Bearer"`.
    pub token_type: String,
    pub expires_at: DateTime<Utc>,
}

/// `200` answer to `PUT /v1/users/me/password`: a fresh token (every older token
/// of the account stops working), and the names of the API keys the change
/// revoked (all of the account's: a key minted with a stolen session must not
/// outlive the password change that ends that session).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasswordChanged {
    pub token: String,
    /// Always `"Bearer"`.
    pub token_type: String,
    pub expires_at: DateTime<Utc>,
    /// The API keys removed by the change, by name (create new ones for CI).
    #[serde(default)]
    pub revoked_keys: Vec<String>,
}

/// `PUT /v1/users/me/password`: answered with a fresh token; every older token of
/// the account stops working.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    #[cfg_attr(feature = "openapi", schema(max_length = 1024))]
    pub current_password: String,
    #[cfg_attr(feature = "openapi", schema(min_length = 8, max_length = 1024))]
    pub new_password: String,
}

/// `DELETE /v1/users/me`: the password again, so a stolen token alone cannot
/// delete an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AccountDeletion {
    #[cfg_attr(feature = "openapi", schema(max_length = 1024))]
    pub password: String,
}

/// How the invocation parameter reaches the function.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ParamMode {
    /// As the container command's single argument: `docker run --rm IMAGE PARAM`.
    #[default]
    Argv,
    /// On the container's standard input, then EOF.
    Stdin,
    /// In the environment variable `FAAS_PARAM`.
    Env,
}

impl ParamMode {
    pub const ALL: [ParamMode; 3] = [ParamMode::Argv, ParamMode::Stdin, ParamMode::Env];

    /// The wire name, as in `"param_mode": "stdin"`.
    pub fn as_str(self) -> &'static str {
        match self {
            ParamMode::Argv => "argv",
            ParamMode::Stdin => "stdin",
            ParamMode::Env => "env",
        }
    }

    /// The largest parameter this mode can carry (argv and env: the kernel's limit on
    /// one string; stdin: the platform's).
    pub fn max_param_bytes(self) -> usize {
        match self {
            ParamMode::Argv => MAX_PARAM_BYTES_ARGV,
            ParamMode::Env => MAX_PARAM_BYTES_ENV,
            ParamMode::Stdin => MAX_PARAM_BYTES_STDIN,
        }
    }
}

/// `PUT /v1/functions/{name}` body. Omitted fields take their defaults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FunctionSpec {
    /// A Docker image reference, `[registry[:port]/]path[:tag][@digest]`, at most
    /// 237 characters (`names::validate_image`). One whose registry the image
    /// policy refuses (loopback, link-local, private or local by default, see
    /// `FAAS_ALLOWED_REGISTRIES`) is 403 `image_not_allowed`.
    pub image: String,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::integer::option"
    )]
    #[cfg_attr(feature = "openapi", schema(minimum = 100, maximum = 300000))]
    pub timeout_ms: Option<u64>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::integer::option"
    )]
    #[cfg_attr(feature = "openapi", schema(minimum = 16, maximum = 2048))]
    pub memory_mb: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub param_mode: Option<ParamMode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<bool>,
    /// Names of the caller's secrets the function reads, as files under
    /// `/run/secrets/NAME`: at most [`MAX_SECRETS_PER_FUNCTION`], each once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secrets: Option<Vec<String>>,
    /// Activations of this function queued or running at once; more get 429
    /// `function_concurrency_limit`. Unset: only the user's and platform's limits.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::integer::option"
    )]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 100))]
    pub max_concurrency: Option<u32>,
    /// Containers to keep started and parked for this function, 0 to [`MAX_PREWARM`].
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::integer::option"
    )]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 16))]
    pub prewarm: Option<u32>,
}

/// A registered function as the API shows it to its owner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FunctionInfo {
    pub name: String,
    pub image: String,
    pub timeout_ms: u64,
    pub memory_mb: u64,
    pub param_mode: ParamMode,
    pub network: bool,
    /// The secrets it reads (names only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub secrets: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_concurrency: Option<u32>,
    /// Containers each worker keeps started and parked for this function (0: none,
    /// every activation starts its container cold).
    #[serde(default)]
    pub prewarm: u32,
    /// In answers: the prewarm the live workers honour now (0 when none of them
    /// keeps prewarmed containers); absent when no live worker says. Not stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective_prewarm: Option<u32>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `PUT /v1/secrets/{name}` JSON body (any other body is the value itself).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretValue {
    /// Not empty, and at most 65536 bytes in UTF-8 ([`MAX_SECRET_BYTES`];
    /// `maxLength` counts characters, so a value of multi-byte characters reaches
    /// the limit sooner); a longer one is 413 `payload_too_large`.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 65536))]
    pub value: String,
}

/// A stored secret as `GET /v1/secrets` and `PUT` show it: never its value.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretInfo {
    pub name: String,
    pub updated_at: DateTime<Utc>,
}

/// `POST /v1/functions/{name}/invoke` JSON body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct InvokeRequest {
    #[serde(default)]
    pub param: String,
}

/// How an activation ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ActivationStatus {
    /// The function exited 0.
    Success,
    /// The function exited non-zero, or could not be run.
    Error,
    /// The function ran past its timeout and was killed.
    Timeout,
}

impl ActivationStatus {
    /// The wire name, as in `"status": "timeout"`.
    pub fn as_str(self) -> &'static str {
        match self {
            ActivationStatus::Success => "success",
            ActivationStatus::Error => "error",
            ActivationStatus::Timeout => "timeout",
        }
    }
}

/// The outcome of one invocation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Activation {
    pub activation_id: String,
    pub function: String,
    pub status: ActivationStatus,
    /// The function's stdout.
    pub result: String,
    /// The function's stderr.
    pub logs: String,
    /// `None` when the container never exited on its own (timeout, start failure).
    pub exit_code: Option<i64>,
    pub duration_ms: u64,
    pub started_at: DateTime<Utc>,
    /// Set when `result` was cut at the platform's limit.
    #[serde(default)]
    pub result_truncated: bool,
    /// Set when `logs` were cut at the platform's limit.
    #[serde(default)]
    pub logs_truncated: bool,
    /// Set when the kernel killed the function for using more than its memory limit.
    #[serde(default)]
    pub oom_killed: bool,
    /// The container that ran it (each container runs one activation only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_id: Option<String>,
    /// How long the worker's container steps took.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timings: Option<StepTimings>,
}

/// The container steps of one activation, in milliseconds, as the worker measured
/// them. A prewarmed activation (`prewarmed: true`) did its create and start before
/// the request came, so they are 0; `handoff` is writing the parameter to the
/// parked container. `run` counts from the start (cold) or the handoff (prewarmed)
/// to the exit; `collect` is reading the last output after it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StepTimings {
    #[serde(default)]
    pub prewarmed: bool,
    pub create_ms: u64,
    pub attach_ms: u64,
    pub start_ms: u64,
    #[serde(default)]
    pub handoff_ms: u64,
    pub run_ms: u64,
    pub collect_ms: u64,
    /// Why a function with `prewarm` ran cold; absent when it was served
    /// prewarmed or asks for no prewarm.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cold_reason: Option<ColdReason>,
}

/// Why an activation of a function with `prewarm` started its container cold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ColdReason {
    /// Nothing was parked: the pool was in use, still filling, or just started
    /// by this call.
    PoolEmpty,
    /// The image reference names other content than the pool was filled with:
    /// the pool was drained.
    ImageChanged,
    /// The worker keeps no prewarmed containers (no `faas-init`, or
    /// `FAAS_WORKER_MAX_PARKED=0`).
    WorkerCannotPrewarm,
}

/// A finished activation as stored in KV `faas_activations` and served by
/// `GET /v1/activations[/{id}]`: the activation plus where and when it ran.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActivationRecord {
    #[serde(flatten)]
    pub activation: Activation,
    pub owner: String,
    pub queued_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    /// The worker that ran it.
    pub worker: String,
    /// Set when the platform could not run the function at all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<RunFailure>,
}

/// Why the platform could not run a function (as opposed to the function failing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RunFailureKind {
    /// The image is not present and could not be pulled.
    ImageUnavailable,
    /// The container runtime failed (Docker unreachable, create/start failed).
    Runtime,
    /// A secret the function names was deleted after the activation was queued.
    SecretNotFound,
    /// A synchronous call no worker took before its caller stopped waiting
    /// (`start_by`): it was not started, and never will be.
    NotStarted,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RunFailure {
    pub kind: RunFailureKind,
    pub message: String,
}

/// Where an unfinished activation is.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PendingState {
    /// In the queue; no worker has taken it yet.
    Queued,
    /// A worker has taken it.
    Running,
}

/// `202` answer to `GET /v1/activations/{id}[?wait=N]` while the activation has not
/// finished.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivationPending {
    pub activation_id: String,
    pub function: String,
    pub state: PendingState,
    pub queued_at: DateTime<Utc>,
}

/// `202` answer to an asynchronous invocation (`?async=true`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActivationAccepted {
    pub activation_id: String,
    /// Where to fetch the record once it has finished.
    pub location: String,
}

/// `/healthz` and `/readyz` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Health {
    pub status: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
}
