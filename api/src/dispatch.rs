//! Running one activation: publish the request to the work queue, wait for the
//! worker's result.
//!
//! We subscribe to the result subject *before* publishing, so a fast worker cannot
//! answer before anyone listens. The JetStream publish ack is the admission
//! decision: a full stream refuses the message with error 10077, which is our 429.

use std::time::Duration;

use async_nats::jetstream;
use chrono::Utc;
use faas_process::nats::is_stream_full;
use faas_process::signing::SIGNATURE_HEADER;
use faas_process::slots::{self, ClaimError};
use faas_shared::activation::{ActivationRequest, ActivationResult, RetiredFunctions};
use faas_shared::budget::{PUBLISH_RETRY, WORKER_GRACE};
use faas_shared::nats::{
    ACTIVATIONS_STREAM, RETIRED_FUNCTIONS_SUBJECT, WORKERS_CONSUMER, activation_subject,
    request_payload_name, result_subject,
};
use faas_shared::{ActivationRecord, ErrorCode, FunctionInfo};
use futures::StreamExt;

use crate::error::AppError;
use crate::state::AppState;
use crate::store::PendingMarker;

/// Publishes an activation of `function` for `owner` (a new account when
/// `new_account`) and waits for its result. Refused at once (429) when every
/// worker slot is taken, rather than left to wait for one (see [`has_capacity`]).
pub async fn invoke(
    state: &AppState,
    owner: &str,
    new_account: bool,
    function: &FunctionInfo,
    param: String,
) -> Result<ActivationResult, AppError> {
    has_capacity(state).await?;
    let mut request = new_request(state, owner, new_account, function, param).await?;
    // The caller waits for a worker for the queue timeout after the publish (which
    // may retry for up to PUBLISH_RETRY); a worker starts nothing after that.
    request.start_by = Some(
        request.queued_at
            + chrono::Duration::from_std(PUBLISH_RETRY + state.limits.queue_timeout + START_GRACE)
                .unwrap_or(chrono::Duration::MAX),
    );
    let activation_id = request.activation_id.clone();
    let subscribed = state
        .nats
        .subscribe(result_subject(&activation_id))
        .await
        .map_err(|e| AppError::backend("subscribing for the result", e));
    let mut results = match subscribed {
        Ok(results) => results,
        Err(e) => {
            slots::release(&state.jetstream, &request).await;
            return Err(e);
        }
    };
    let sequence = publish(state, &request).await?;
    // Until a worker has taken it: if the caller goes away (this future is
    // dropped when the client disconnects), the request is withdrawn at once.
    let mut abandoned = Abandoned::new(&state.jetstream, &request, sequence);

    // Phase 1: a worker must take the request within the queue timeout.
    if let Some(result) = next_result(
        state,
        owner,
        &mut results,
        &activation_id,
        state.limits.queue_timeout,
    )
    .await?
    {
        abandoned.disarm();
        return Ok(result);
    }
    let withdrawn =
        !picked_up(&state.jetstream, sequence).await && withdraw(&state.jetstream, sequence).await;
    abandoned.disarm();
    if withdrawn {
        slots::release(&state.jetstream, &request).await;
        return Err(AppError::new(
            ErrorCode::NoCapacity,
            format!(
                "no worker took the activation within {} ms: the platform is at capacity or no worker is running; try again later",
                state.limits.queue_timeout.as_millis()
            ),
        )
        .with_retry_after(5));
    }
    // Phase 2: it is running; the worker enforces the function's timeout.
    let wait = Duration::from_millis(function.timeout_ms) + WORKER_GRACE;
    if let Some(result) = next_result(state, owner, &mut results, &activation_id, wait).await? {
        return Ok(result);
    }
    // The result message was missed (a slow worker): the record may still have it.
    match state.store.activation(owner, &activation_id).await? {
        Some(record) => Ok(record.into()),
        None => Err(AppError::new(
            ErrorCode::BackendUnavailable,
            format!(
                "the worker running activation {activation_id} stopped answering; see GET /v1/activations/{activation_id} later"
            ),
        )),
    }
}

/// How much later than the caller's wait a worker may still start a synchronous
/// call: clock skew between server and worker.
const START_GRACE: Duration = Duration::from_secs(2);

/// A synchronous call queued and not yet taken: dropped while armed (its caller
/// hung up and the handler's future was dropped with the connection), it
/// withdraws the request in a task of its own, so that it never runs for nobody
/// later and frees its concurrency slot now. A request already delivered to a
/// worker is running: it is left alone.
struct Abandoned {
    armed: Option<(jetstream::Context, ActivationRequest, u64)>,
}

impl Abandoned {
    fn new(jetstream: &jetstream::Context, request: &ActivationRequest, sequence: u64) -> Self {
        Self {
            armed: Some((jetstream.clone(), request.clone(), sequence)),
        }
    }

    /// The call is answered, or a worker has it: nothing to withdraw.
    fn disarm(&mut self) {
        self.armed = None;
    }
}

impl Drop for Abandoned {
    fn drop(&mut self) {
        let Some((jetstream, request, sequence)) = self.armed.take() else {
            return;
        };
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        runtime.spawn(async move {
            if !picked_up(&jetstream, sequence).await && withdraw(&jetstream, sequence).await {
                slots::release(&jetstream, &request).await;
                tracing::info!(id = %request.activation_id, owner = %request.owner, function = %request.function, "the caller hung up before a worker took the activation: withdrawn");
            }
        });
    }
}

/// The activation's result, if it arrives within `wait`.
///
/// Workers store the record before they publish the result, so when our NATS
/// connection comes back after a drop (a cluster node was lost) the record holds any
/// result published while we were away; later results reach the renewed
/// subscription.
async fn next_result(
    state: &AppState,
    owner: &str,
    results: &mut async_nats::Subscriber,
    activation_id: &str,
    wait: Duration,
) -> Result<Option<ActivationResult>, AppError> {
    let deadline = tokio::time::sleep(wait);
    tokio::pin!(deadline);
    let mut connections = state.nats_connections.clone();
    connections.mark_unchanged();
    loop {
        tokio::select! {
            message = results.next() => {
                let Some(message) = message else { return Ok(None) };
                let record: ActivationRecord = state
                    .store
                    .payloads
                    .unpack(&message.payload)
                    .await
                    .map_err(|e| AppError::backend("reading the activation result", e))?;
                return Ok(Some(record.into()));
            }
            Ok(()) = connections.changed() => {
                if let Ok(Some(record)) = state.store.activation(owner, activation_id).await {
                    tracing::info!(id = %activation_id, "result taken from the record after a NATS reconnect");
                    return Ok(Some(record.into()));
                }
            }
            () = &mut deadline => return Ok(None),
        }
    }
}

/// Queues an activation without waiting (`?async=true`); returns its id. The
/// worker stores the record when it finishes.
pub async fn submit(
    state: &AppState,
    owner: &str,
    new_account: bool,
    function: &FunctionInfo,
    param: String,
) -> Result<String, AppError> {
    let request = new_request(state, owner, new_account, function, param).await?;
    let sequence = publish(state, &request).await?;
    let marker = PendingMarker {
        function: request.function.clone(),
        queued_at: request.queued_at,
        sequence,
    };
    state
        .store
        .put_pending(owner, &request.activation_id, &marker)
        .await?;
    Ok(request.activation_id)
}

/// Whether a synchronous call may be queued now: the live workers' slots (from
/// their heartbeats) are not all taken by the activations queued or running, or
/// fewer than `FAAS_SYNC_QUEUE` wait beyond them. Otherwise 429
/// `concurrency_limit` with `Retry-After` at once: waiting the queue timeout for a
/// slot that a long activation holds would end in 503 `no_capacity` anyway. When
/// no worker reports its slots (none runs yet, or an older version), the call is
/// queued as before and the queue timeout decides.
async fn has_capacity(state: &AppState) -> Result<(), AppError> {
    let Some(slots) = state.store.worker_slots().await else {
        return Ok(());
    };
    let Some(in_flight) = in_flight(&state.jetstream).await else {
        return Ok(());
    };
    let allowed = slots + state.limits.sync_queue as usize;
    if in_flight < allowed {
        return Ok(());
    }
    Err(AppError::new(
        ErrorCode::ConcurrencyLimit,
        format!(
            "the platform is at capacity: its workers' {slots} slots are all taken ({in_flight} activations queued or running); retry after the Retry-After delay"
        ),
    )
    .with_retry_after(1))
}

/// The activations queued or running now: the workers' consumer's undelivered
/// and unacknowledged messages.
async fn in_flight(jetstream: &jetstream::Context) -> Option<usize> {
    let stream = jetstream.get_stream(ACTIVATIONS_STREAM).await.ok()?;
    let info = stream.consumer_info(WORKERS_CONSUMER).await.ok()?;
    Some(info.num_pending as usize + info.num_ack_pending)
}

/// A new request for `function`, holding one of its concurrency slots if it has a
/// limit (429 `function_concurrency_limit` when all are taken), and for a new
/// account one slot of the new accounts' pool (429 `concurrency_limit` when all
/// are taken).
async fn new_request(
    state: &AppState,
    owner: &str,
    new_account: bool,
    function: &FunctionInfo,
    param: String,
) -> Result<ActivationRequest, AppError> {
    let activation_id = uuid::Uuid::now_v7().simple().to_string();
    let new_account_slot = match state.limits.new_accounts_pool() {
        Some(max) if new_account => Some(
            slots::claim_new_account_slot(&state.jetstream, max, &activation_id)
                .await
                .map_err(|e| new_accounts_refused(state, e))?,
        ),
        _ => None,
    };
    let concurrency_slot =
        match slots::claim(&state.jetstream, owner, function, &activation_id).await {
            Ok(slot) => slot,
            Err(e) => {
                if let Some(slot) = &new_account_slot {
                    slots::release_slot(&state.jetstream, slot).await;
                }
                return Err(slot_refused(function, e));
            }
        };
    Ok(ActivationRequest {
        activation_id,
        owner: owner.to_owned(),
        function: function.name.clone(),
        image: function.image.clone(),
        param,
        param_mode: function.param_mode,
        timeout_ms: function.timeout_ms,
        memory_mb: function.memory_mb,
        network: function.network,
        secrets: function.secrets.clone(),
        concurrency_slot,
        new_account_slot,
        prewarm: function.prewarm,
        queued_at: Utc::now(),
        start_by: None,
    })
}

/// 429 `concurrency_limit` when the new accounts' pool is taken; 503 when NATS
/// failed.
fn new_accounts_refused(state: &AppState, error: ClaimError) -> AppError {
    let refused = match error {
        ClaimError::AllTaken { max } => AppError::new(
            ErrorCode::ConcurrencyLimit,
            format!(
                "accounts younger than {} h share {max} activations in flight, and they are all taken: retry after the Retry-After delay (an account registered with an operator's invite, or older, has a share of its own)",
                state.limits.new_account_age.as_secs() / 3600
            ),
        ),
        ClaimError::Nats(e) => AppError::backend("taking a slot of the new accounts' pool", e),
    };
    refused.with_retry_after(1)
}

/// 429 `function_concurrency_limit` when every slot is taken; 503 when NATS failed.
fn slot_refused(function: &FunctionInfo, error: ClaimError) -> AppError {
    let refused = match error {
        ClaimError::AllTaken { max } => AppError::new(
            ErrorCode::FunctionConcurrencyLimit,
            format!(
                "function {} has as many activations in flight as its max_concurrency ({max}): retry after the Retry-After delay, or raise max_concurrency",
                function.name
            ),
        ),
        ClaimError::Nats(e) => AppError::backend("taking a concurrency slot", e),
    };
    refused.with_retry_after(1)
}

/// Queues the request (see [`publish_once`]); when it is refused, its concurrency
/// slot is freed.
async fn publish(state: &AppState, request: &ActivationRequest) -> Result<u64, AppError> {
    let queued = publish_once(state, request).await;
    if queued.is_err() {
        slots::release(&state.jetstream, request).await;
    }
    queued
}

/// Queues the request; the stream's answer is the admission decision. Returns the
/// message's stream sequence.
///
/// While a NATS cluster elects a new stream leader (a node was lost) a publish has
/// no responder or times out for a few seconds. Those failures are retried within
/// [`PUBLISH_RETRY`]: the `Nats-Msg-Id` header makes a retry of a publish that
/// did land a duplicate the stream drops, so an activation is never queued twice.
///
/// The request's JSON is signed with the subject (see `faas_process::signing`): the
/// worker runs nothing the server did not queue for that user.
async fn publish_once(state: &AppState, request: &ActivationRequest) -> Result<u64, AppError> {
    let subject = activation_subject(&request.owner);
    let json = serde_json::to_vec(request)
        .map_err(|e| AppError::internal("encoding the activation request", e))?;
    let signature = state.request_key.sign(&subject, &json);
    let payload = state
        .store
        .payloads
        .pack_json(&request_payload_name(&request.activation_id), json)
        .await
        .map_err(|e| AppError::backend("storing the activation's parameter", e))?;
    let deadline = tokio::time::Instant::now() + PUBLISH_RETRY;
    let mut pause = Duration::from_millis(100);
    loop {
        let mut headers = async_nats::HeaderMap::new();
        headers.insert("Nats-Msg-Id", request.activation_id.as_str());
        headers.insert(SIGNATURE_HEADER, signature.as_str());
        let ack = match state
            .jetstream
            .publish_with_headers(subject.clone(), headers, payload.clone())
            .await
        {
            Ok(pending) => pending.await,
            Err(e) => Err(e),
        };
        match ack {
            Ok(ack) => {
                tracing::debug!(id = %request.activation_id, function = %request.function, owner = %request.owner, sequence = ack.sequence, "activation queued");
                return Ok(ack.sequence);
            }
            Err(e) if is_stream_full(&e) => {
                return Err(AppError::new(
                    ErrorCode::ConcurrencyLimit,
                    "too many activations in flight: retry after the Retry-After delay",
                )
                .with_retry_after(1));
            }
            Err(e) if is_transient(&e) && tokio::time::Instant::now() + pause < deadline => {
                tracing::info!(id = %request.activation_id, error = %e, "queueing the activation: retrying");
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_secs(1));
            }
            Err(e) => {
                return Err(AppError::backend("queueing the activation", e).with_retry_after(1));
            }
        }
    }
}

/// Failures a stream leader election or a reconnect explain, worth another try.
fn is_transient(error: &jetstream::context::PublishError) -> bool {
    use jetstream::context::PublishErrorKind::{BrokenPipe, StreamNotFound, TimedOut};
    matches!(error.kind(), StreamNotFound | TimedOut | BrokenPipe)
}

/// Whether the shared worker consumer has been handed stream message `sequence`.
pub async fn picked_up(jetstream: &jetstream::Context, sequence: u64) -> bool {
    let Ok(stream) = jetstream.get_stream(ACTIVATIONS_STREAM).await else {
        return false;
    };
    match stream.consumer_info(WORKERS_CONSUMER).await {
        Ok(info) => info.delivered.stream_sequence >= sequence,
        Err(_) => false,
    }
}

/// Takes a queued request back so it never runs later for nobody. False if a worker
/// took it in the meantime.
async fn withdraw(jetstream: &jetstream::Context, sequence: u64) -> bool {
    match jetstream.get_stream(ACTIVATIONS_STREAM).await {
        Ok(stream) => stream.delete_message(sequence).await.unwrap_or(false),
        Err(_) => false,
    }
}

/// Tells the workers that `owner`'s function (every one of theirs, for `None`) was
/// replaced or removed, so they drain its prewarm pools now rather than after the
/// idle time. Signed like a request. Best effort: a lost notice only delays the
/// drain to the idle time, so a failure is logged, never the caller's error.
pub async fn announce_retired(state: &AppState, owner: &str, function: Option<&str>) {
    let notice = RetiredFunctions {
        owner: owner.to_owned(),
        function: function.map(str::to_owned),
    };
    let Ok(json) = serde_json::to_vec(&notice) else {
        return;
    };
    let mut headers = async_nats::HeaderMap::new();
    let signature = state.request_key.sign(RETIRED_FUNCTIONS_SUBJECT, &json);
    headers.insert(SIGNATURE_HEADER, signature.as_str());
    if let Err(e) = state
        .nats
        .publish_with_headers(RETIRED_FUNCTIONS_SUBJECT, headers, json.into())
        .await
    {
        tracing::warn!(%owner, ?function, error = %e, "telling the workers to drain the pools failed; they drain them when idle");
    }
}
