//! Messages between `faas-server` and `faas-worker`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::api::{Activation, ActivationRecord, ParamMode, RunFailure};

/// Published by the server to `faas.activations.<owner>`; everything the worker
/// needs to run the function without looking anything up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivationRequest {
    pub activation_id: String,
    pub owner: String,
    pub function: String,
    pub image: String,
    pub param: String,
    pub param_mode: ParamMode,
    pub timeout_ms: u64,
    pub memory_mb: u64,
    pub network: bool,
    /// Names of the owner's secrets the worker hands to the function as files.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub secrets: Vec<String>,
    /// The per-function concurrency slot this activation holds (a subject of
    /// `FAAS_FN_SLOTS`); the worker releases it when the activation ends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concurrency_slot: Option<String>,
    /// The slot of the new accounts' shared pool this activation holds (a subject
    /// of `FAAS_FN_SLOTS`), when its owner's account is new; the worker releases
    /// it with the concurrency slot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_account_slot: Option<String>,
    /// The function's `prewarm`: a worker keeps a pool for it while it is above 0.
    #[serde(default)]
    pub prewarm: u32,
    pub queued_at: DateTime<Utc>,
    /// A synchronous call's: the caller stops waiting for a worker before this
    /// (the server's queue timeout, and the publish's retries), and the server
    /// then withdraws the request. A worker that gets it later anyway (the
    /// withdrawal failed or raced with the pull) does not start it: it answers
    /// `not_started` and runs nothing. `None` for asynchronous calls.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_by: Option<DateTime<Utc>>,
}

impl ActivationRequest {
    /// The checks the server made before queueing the request, made again by the
    /// worker, which trusts nothing from the queue: names, image reference,
    /// parameter size for its mode, timeout and memory bounds. The error says what
    /// is wrong.
    pub fn check(&self) -> Result<(), String> {
        use crate::api::{
            MAX_MEMORY_MB, MAX_PREWARM, MAX_SECRETS_PER_FUNCTION, MAX_TIMEOUT_MS, MIN_MEMORY_MB,
            MIN_TIMEOUT_MS,
        };
        use crate::names::{
            is_activation_id, validate_function_name, validate_image, validate_secret_name,
            validate_username,
        };
        if !is_activation_id(&self.activation_id) {
            return Err(format!("invalid activation id {:?}", self.activation_id));
        }
        validate_username(&self.owner).map_err(|e| e.message)?;
        validate_function_name(&self.function).map_err(|e| e.message)?;
        validate_image(&self.image).map_err(|e| e.message)?;
        let max = self.param_mode.max_param_bytes();
        if self.param.len() > max {
            return Err(format!(
                "the parameter is {} bytes, over the {max} bytes of param_mode {}",
                self.param.len(),
                self.param_mode.as_str()
            ));
        }
        if !(MIN_TIMEOUT_MS..=MAX_TIMEOUT_MS).contains(&self.timeout_ms) {
            return Err(format!("timeout_ms {} is out of bounds", self.timeout_ms));
        }
        if !(MIN_MEMORY_MB..=MAX_MEMORY_MB).contains(&self.memory_mb) {
            return Err(format!("memory_mb {} is out of bounds", self.memory_mb));
        }
        if self.secrets.len() > MAX_SECRETS_PER_FUNCTION {
            return Err(format!("{} secrets is too many", self.secrets.len()));
        }
        for name in &self.secrets {
            validate_secret_name(name).map_err(|e| e.message)?;
        }
        if let Some(slot) = &self.concurrency_slot {
            let prefix = crate::nats::function_slots_prefix(&self.owner, &self.function);
            let index = slot.strip_prefix(&prefix).unwrap_or_default();
            if index.is_empty() || !index.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!("{slot:?} is not a slot of this function"));
            }
        }
        if let Some(slot) = &self.new_account_slot {
            let index = slot
                .strip_prefix(crate::nats::NEW_ACCOUNTS_SLOTS_PREFIX)
                .unwrap_or_default();
            if index.is_empty() || !index.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!("{slot:?} is not a slot of the new accounts' pool"));
            }
        }
        if self.prewarm > MAX_PREWARM {
            return Err(format!("prewarm {} is out of bounds", self.prewarm));
        }
        Ok(())
    }
}

/// Published by the worker to `faas.results.<activation id>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivationResult {
    /// What the function did. When the platform could not run it at all, status is
    /// `error`, `exit_code` is `None` and `failure` says why.
    pub activation: Activation,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<RunFailure>,
    /// Which worker ran it (for tracing and spread measurements).
    pub worker: String,
}

impl ActivationResult {
    /// The result of an activation the platform could not run at all: status
    /// `error`, no exit code, no output, `failure` saying why.
    pub fn not_run(request: &ActivationRequest, failure: RunFailure, worker: &str) -> Self {
        Self {
            activation: Activation {
                activation_id: request.activation_id.clone(),
                function: request.function.clone(),
                status: crate::api::ActivationStatus::Error,
                result: String::new(),
                logs: String::new(),
                exit_code: None,
                duration_ms: 0,
                started_at: Utc::now(),
                result_truncated: false,
                logs_truncated: false,
                oom_killed: false,
                container_id: None,
                timings: None,
            },
            failure: Some(failure),
            worker: worker.to_owned(),
        }
    }

    /// The record to store for this result of `request`.
    pub fn record(
        &self,
        request: &ActivationRequest,
        finished_at: DateTime<Utc>,
    ) -> ActivationRecord {
        ActivationRecord {
            activation: self.activation.clone(),
            owner: request.owner.clone(),
            queued_at: request.queued_at,
            finished_at,
            worker: self.worker.clone(),
            failure: self.failure.clone(),
        }
    }
}

impl From<ActivationRecord> for ActivationResult {
    fn from(record: ActivationRecord) -> Self {
        Self {
            activation: record.activation,
            failure: record.failure,
            worker: record.worker,
        }
    }
}

/// Stands in for a message or KV value too large for one NATS message: the body
/// itself is in the JetStream Object Store bucket [`crate::nats::PAYLOADS_BUCKET`]
/// under this name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimCheck {
    pub claim_check: String,
}

/// Published by the server on [`crate::nats::RETIRED_FUNCTIONS_SUBJECT`] (signed like
/// an activation request) when a function is replaced or removed, or every
/// function of a user with `function: None` (the account was deleted): containers
/// parked for them must go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetiredFunctions {
    pub owner: String,
    pub function: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::ActivationRequest;
    use crate::ParamMode;

    fn request() -> ActivationRequest {
        ActivationRequest {
            activation_id: "0190a1b2c3d4e5f60718293a4b5c6d7e".into(),
            owner: "alice".into(),
            function: "reverse".into(),
            image: "alpine:3.20".into(),
            param: "x".into(),
            param_mode: ParamMode::Argv,
            timeout_ms: 1000,
            memory_mb: 64,
            network: false,
            secrets: vec!["db-password".into()],
            concurrency_slot: Some("faas.fnslots.alice.reverse.0".into()),
            new_account_slot: None,
            prewarm: 0,
            queued_at: chrono::Utc::now(),
            start_by: None,
        }
    }

    #[test]
    fn the_worker_rechecks_what_the_server_checked() {
        assert_eq!(request().check(), Ok(()));
        let bad: [fn(&mut ActivationRequest); 15] = [
            |r| r.new_account_slot = Some("faas.fnslots.alice.reverse.0".into()),
            |r| r.new_account_slot = Some("faas.fnslots._new.all.>".into()),
            |r| r.activation_id = "../x".into(),
            |r| r.owner = ">".into(),
            |r| r.function = "a.b".into(),
            |r| r.image = "Alpine; rm -rf /".into(),
            |r| r.param = "a".repeat(ParamMode::Argv.max_param_bytes() + 1),
            |r| r.timeout_ms = 10_000_000,
            |r| r.memory_mb = 1,
            |r| r.memory_mb = 1_000_000,
            |r| r.secrets = vec!["../etc/passwd".into()],
            |r| r.secrets = vec!["a".into(); 17],
            |r| r.concurrency_slot = Some("faas.fnslots.bob.reverse.0".into()),
            |r| r.concurrency_slot = Some("faas.fnslots.alice.reverse.>".into()),
            |r| r.prewarm = 17,
        ];
        for change in bad {
            let mut r = request();
            change(&mut r);
            assert!(r.check().is_err(), "{r:?}");
        }
        let mut stdin = request();
        stdin.param_mode = ParamMode::Stdin;
        stdin.param = "a".repeat(ParamMode::Argv.max_param_bytes() + 1);
        assert_eq!(stdin.check(), Ok(()), "stdin carries more than argv");
    }
}
