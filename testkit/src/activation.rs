//! Activation requests as faas-server queues them, to drive a worker through NATS
//! or its container runtime directly.

use chrono::Utc;
use faas_shared::ParamMode;
use faas_shared::activation::ActivationRequest;

use crate::names::unique;

/// A request to run `image` with `param` on the command line (argv mode), with a
/// unique activation id, 20 s and 64 MiB.
pub fn request(image: &str, param: &str) -> ActivationRequest {
    ActivationRequest {
        activation_id: unique("act"),
        owner: "tester".into(),
        function: "f".into(),
        image: image.into(),
        param: param.into(),
        param_mode: ParamMode::Argv,
        timeout_ms: 20_000,
        memory_mb: 64,
        network: false,
        queued_at: Utc::now(),
    }
}
