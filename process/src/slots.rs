//! Releasing a per-function concurrency slot (a subject of `FAAS_FN_SLOTS`, see
//! docs/architecture.md "Per-function concurrency"): the worker does when the
//! activation ends, the server when it never got queued.

use async_nats::jetstream;
use faas_shared::activation::ActivationRequest;
use faas_shared::nats::FUNCTION_SLOTS_STREAM;

/// Frees the slot `request` holds, if any, by purging its subject. A failure
/// leaves the slot to expire with the stream's `max_age`, so it is logged, not
/// returned.
pub async fn release(jetstream: &jetstream::Context, request: &ActivationRequest) {
    let Some(slot) = &request.concurrency_slot else {
        return;
    };
    let purged = async {
        let stream = jetstream.get_stream_no_info(FUNCTION_SLOTS_STREAM).await?;
        stream.purge().filter(slot).await?;
        anyhow::Ok(())
    };
    if let Err(e) = purged.await {
        tracing::warn!(%slot, error = %e, "releasing a function concurrency slot failed; it expires on its own");
    }
}
