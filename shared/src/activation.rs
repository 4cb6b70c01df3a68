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
    pub queued_at: DateTime<Utc>,
}

impl ActivationRequest {
    /// The checks the server made before queueing the request, made again by the
    /// worker, which trusts nothing from the queue: names, image reference,
    /// parameter size for its mode, timeout and memory bounds. The error says what
    /// is wrong.
    pub fn check(&self) -> Result<(), String> {
        use crate::api::{MAX_MEMORY_MB, MAX_TIMEOUT_MS, MIN_MEMORY_MB, MIN_TIMEOUT_MS};
        use crate::names::{
            is_activation_id, validate_function_name, validate_image, validate_username,
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
            queued_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn the_worker_rechecks_what_the_server_checked() {
        assert_eq!(request().check(), Ok(()));
        let bad: [fn(&mut ActivationRequest); 8] = [
            |r| r.activation_id = "../x".into(),
            |r| r.owner = ">".into(),
            |r| r.function = "a.b".into(),
            |r| r.image = "Alpine; rm -rf /".into(),
            |r| r.param = "a".repeat(ParamMode::Argv.max_param_bytes() + 1),
            |r| r.timeout_ms = 10_000_000,
            |r| r.memory_mb = 1,
            |r| r.memory_mb = 1_000_000,
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
