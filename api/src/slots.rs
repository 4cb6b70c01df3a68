//! Per-function concurrency (`max_concurrency`), enforced by NATS so that it holds
//! across server replicas: a function with limit N has N slot subjects in stream
//! `FAAS_FN_SLOTS`, each holding at most one message, and a publish to a taken slot
//! is refused (JetStream error 10077). Taking a slot is publishing to a free one;
//! the worker releases it when the activation ends (`faas_process::slots`).

use faas_shared::nats::function_slot_subject;
use faas_shared::{ErrorCode, FunctionInfo};

use crate::dispatch::is_stream_full;
use crate::error::AppError;
use crate::state::AppState;

/// Takes a free slot of `function` for activation `activation_id`; `None` when the
/// function has no limit. All taken: 429 `function_concurrency_limit`.
pub async fn claim(
    state: &AppState,
    owner: &str,
    function: &FunctionInfo,
    activation_id: &str,
) -> Result<Option<String>, AppError> {
    let Some(max) = function.max_concurrency else {
        return Ok(None);
    };
    // Starting at a random slot spreads concurrent claims over the free ones.
    let start = (uuid::Uuid::new_v4().as_u128() % u128::from(max)) as u32;
    for i in 0..max {
        let slot = function_slot_subject(owner, &function.name, (start + i) % max);
        let ack = match state
            .jetstream
            .publish(slot.clone(), activation_id.to_owned().into())
            .await
        {
            Ok(pending) => pending.await,
            Err(e) => Err(e),
        };
        match ack {
            Ok(_) => return Ok(Some(slot)),
            Err(e) if is_stream_full(&e) => continue,
            Err(e) => {
                return Err(AppError::backend("taking a concurrency slot", e).with_retry_after(1));
            }
        }
    }
    Err(AppError::new(
        ErrorCode::FunctionConcurrencyLimit,
        format!(
            "function {} has as many activations in flight as its max_concurrency ({max}): retry after the Retry-After delay, or raise max_concurrency",
            function.name
        ),
    )
    .with_retry_after(1))
}
