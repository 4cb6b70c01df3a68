//! What a function's sandbox holds besides its limits, whatever makes it: the
//! labels that name its activation and worker, and the function's environment.

use std::collections::HashMap;

use faas_shared::ParamMode;
use faas_shared::activation::ActivationRequest;

use crate::labels::{LABEL_ACTIVATION, LABEL_FUNCTION, LABEL_OWNER, LABEL_PLATFORM, LABEL_WORKER};

pub(crate) fn labels(
    request: &ActivationRequest,
    worker_id: &str,
    platform: Option<&str>,
) -> HashMap<String, String> {
    let mut labels = HashMap::from([
        (LABEL_ACTIVATION.to_owned(), request.activation_id.clone()),
        (LABEL_OWNER.to_owned(), request.owner.clone()),
        (LABEL_FUNCTION.to_owned(), request.function.clone()),
        (LABEL_WORKER.to_owned(), worker_id.to_owned()),
    ]);
    if let Some(platform) = platform {
        labels.insert(LABEL_PLATFORM.to_owned(), platform.to_owned());
    }
    labels
}

/// The function's environment: its activation id always (a redelivered activation
/// may run twice, and the id lets the function deduplicate), and the parameter in
/// `env` mode.
pub(crate) fn environment(request: &ActivationRequest) -> Vec<String> {
    let mut env = vec![format!("FAAS_ACTIVATION_ID={}", request.activation_id)];
    if request.param_mode == ParamMode::Env {
        env.push(format!("{}={}", faas_shared::PARAM_ENV_VAR, request.param));
    }
    env
}
