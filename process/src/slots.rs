//! Per-function concurrency slots (`max_concurrency`), the protocol in one place:
//! the stream `FAAS_FN_SLOTS` the server creates, claiming a slot before an
//! activation is queued (the server) and releasing it when the activation ends (the
//! worker) or never got queued (the server). See docs/architecture.md
//! "Per-function concurrency".
//!
//! Enforced by NATS, so that it holds across server replicas: a function with
//! limit N has N slot subjects, each holding at most one message, and a publish to
//! a taken slot is refused (JetStream error 10077). Taking a slot is publishing to
//! a free one; releasing it is purging its subject.

use async_nats::jetstream::{self, context::PublishError, stream};
use faas_shared::FunctionInfo;
use faas_shared::activation::ActivationRequest;
use faas_shared::budget::FUNCTION_SLOT_TTL;
use faas_shared::nats::{
    FUNCTION_SLOTS_STREAM, FUNCTION_SLOTS_SUBJECTS, function_slot_subject,
    new_accounts_slot_subject,
};

use crate::nats::is_stream_full;

/// The slots' stream: one subject per slot, each holding at most one message, a
/// publish to a taken slot refused (discard new per subject). A slot's message is
/// removed when its activation ends; `max_age` frees the ones nobody removes (a
/// server that died between taking a slot and queueing).
pub fn stream_config(replicas: usize) -> stream::Config {
    stream::Config {
        name: FUNCTION_SLOTS_STREAM.into(),
        subjects: vec![FUNCTION_SLOTS_SUBJECTS.into()],
        storage: stream::StorageType::File,
        num_replicas: replicas,
        max_messages_per_subject: 1,
        discard: stream::DiscardPolicy::New,
        discard_new_per_subject: true,
        max_age: FUNCTION_SLOT_TTL,
        ..Default::default()
    }
}

/// Why [`claim`] took no slot.
#[derive(Debug)]
pub enum ClaimError {
    /// Every slot is taken: the function has `max` (its `max_concurrency`)
    /// activations in flight.
    AllTaken { max: u32 },
    /// A publish failed for another reason (NATS unavailable).
    Nats(PublishError),
}

/// Takes a free slot of `owner`'s `function` for activation `activation_id`, and
/// returns its subject; `None` when the function has no limit.
pub async fn claim(
    jetstream: &jetstream::Context,
    owner: &str,
    function: &FunctionInfo,
    activation_id: &str,
) -> Result<Option<String>, ClaimError> {
    let Some(max) = function.max_concurrency else {
        return Ok(None);
    };
    // Starting at a random slot spreads concurrent claims over the free ones.
    let mut random = [0u8; 4];
    getrandom::getrandom(&mut random).expect("the OS random number generator works");
    let start = u32::from_le_bytes(random) % max;
    for i in 0..max {
        let slot = function_slot_subject(owner, &function.name, (start + i) % max);
        let ack = match jetstream
            .publish(slot.clone(), activation_id.to_owned().into())
            .await
        {
            Ok(pending) => pending.await,
            Err(e) => Err(e),
        };
        match ack {
            Ok(_) => return Ok(Some(slot)),
            Err(e) if is_stream_full(&e) => continue,
            Err(e) => return Err(ClaimError::Nats(e)),
        }
    }
    Err(ClaimError::AllTaken { max })
}

/// Frees the slots `request` holds, if any (its function's concurrency slot, and
/// its slot of the new accounts' pool), by purging their subjects. A failure
/// leaves a slot to expire with the stream's `max_age`, so it is logged, not
/// returned.
pub async fn release(jetstream: &jetstream::Context, request: &ActivationRequest) {
    for slot in [&request.concurrency_slot, &request.new_account_slot]
        .into_iter()
        .flatten()
    {
        release_slot(jetstream, slot).await;
    }
}

/// Takes a free slot of the new accounts' shared pool of `max` for activation
/// `activation_id`, and returns its subject.
pub async fn claim_new_account_slot(
    jetstream: &jetstream::Context,
    max: u32,
    activation_id: &str,
) -> Result<String, ClaimError> {
    let mut random = [0u8; 4];
    getrandom::getrandom(&mut random).expect("the OS random number generator works");
    let start = u32::from_le_bytes(random) % max.max(1);
    for i in 0..max {
        let slot = new_accounts_slot_subject((start + i) % max);
        let ack = match jetstream
            .publish(slot.clone(), activation_id.to_owned().into())
            .await
        {
            Ok(pending) => pending.await,
            Err(e) => Err(e),
        };
        match ack {
            Ok(_) => return Ok(slot),
            Err(e) if is_stream_full(&e) => continue,
            Err(e) => return Err(ClaimError::Nats(e)),
        }
    }
    Err(ClaimError::AllTaken { max })
}

/// Frees one slot by purging its subject (logged on failure: it expires).
pub async fn release_slot(jetstream: &jetstream::Context, slot: &str) {
    let purged = async {
        let stream = jetstream.get_stream_no_info(FUNCTION_SLOTS_STREAM).await?;
        stream.purge().filter(slot).await?;
        anyhow::Ok(())
    };
    if let Err(e) = purged.await {
        tracing::warn!(%slot, error = %e, "releasing a function concurrency slot failed; it expires on its own");
    }
}
