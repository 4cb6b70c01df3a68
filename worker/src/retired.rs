//! The server's notices of retired functions (replaced or removed, or their
//! owner's account deleted), signed like a request on `faas.functions.retired`:
//! each drains that function's prewarm pools at once, since a pool must never
//! serve a sandbox the function no longer has.

use faas_process::signing::{RequestKey, SIGNATURE_HEADER};
use faas_shared::activation::RetiredFunctions;
use faas_shared::nats::RETIRED_FUNCTIONS_SUBJECT;
use futures::StreamExt;

use crate::runtime::ContainerRuntime;

/// Drains the pools of the functions the server announces as replaced or removed,
/// until the task is dropped. A notice without the server's signature is ignored.
pub(crate) async fn follow(
    client: async_nats::Client,
    runtime: ContainerRuntime,
    request_key: RequestKey,
) {
    let mut notices = match client.subscribe(RETIRED_FUNCTIONS_SUBJECT).await {
        Ok(notices) => notices,
        Err(e) => {
            tracing::warn!(error = %e, "cannot hear of replaced or removed functions; their pools drain when idle");
            return;
        }
    };
    while let Some(message) = notices.next().await {
        let signed = message
            .headers
            .as_ref()
            .and_then(|headers| headers.get(SIGNATURE_HEADER))
            .is_some_and(|signature| {
                request_key.verify(
                    RETIRED_FUNCTIONS_SUBJECT,
                    &message.payload,
                    signature.as_str(),
                )
            });
        let notice = serde_json::from_slice::<RetiredFunctions>(&message.payload);
        let (true, Ok(notice)) = (signed, notice) else {
            tracing::warn!(
                "ignored a notice of retired functions: the server did not sign it, or it is not one"
            );
            continue;
        };
        let drained = runtime.retire(&notice.owner, notice.function.as_deref());
        if drained > 0 {
            tracing::info!(owner = %notice.owner, function = ?notice.function, containers = drained, "draining the pools of a replaced or removed function");
        }
    }
}
