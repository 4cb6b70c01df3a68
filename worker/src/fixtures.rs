//! Requests for the unit tests: alice's function `f`, as the server would queue it.

use faas_shared::ParamMode;
use faas_shared::activation::ActivationRequest;

/// A request of alice's `f` to run `image` (argv mode, no parameter, 1 s, 64 MiB)
/// with `prewarm` containers.
pub(crate) fn request(image: &str, prewarm: u32) -> ActivationRequest {
    ActivationRequest {
        activation_id: "0190a1b2c3d4e5f60718293a4b5c6d7e".into(),
        owner: "alice".into(),
        function: "f".into(),
        image: image.into(),
        param: String::new(),
        param_mode: ParamMode::Argv,
        timeout_ms: 1000,
        memory_mb: 64,
        network: false,
        secrets: Vec::new(),
        concurrency_slot: None,
        new_account_slot: None,
        prewarm,
        queued_at: chrono::Utc::now(),
        start_by: None,
    }
}
