//! Reading one's own activation records (kept 24 h).

use std::sync::Arc;

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use faas_shared::names::{is_activation_id, validate_function_name};
use faas_shared::{
    ActivationPending, ActivationRecord, ErrorCode, MAX_ACTIVATION_WAIT_SECS, PendingState,
};
use serde::Deserialize;
use std::time::Duration;

use super::extract::{AuthUser, PathId};
use super::functions::{next_link, page_limit};
use crate::error::AppError;
use crate::state::AppState;
use axum::http::HeaderMap;
use faas_shared::paths;

const DEFAULT_LIMIT: usize = 20;
const MAX_LIMIT: usize = 1000;

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    function: Option<String>,
    limit: Option<usize>,
    after: Option<String>,
}

/// `GET /v1/activations[?function=NAME][&limit=N][&after=ID]`: newest first, one
/// page (records older than activation `after`); when more follow,
/// `Link: </v1/activations?limit=N&after=LAST>; rel="next"`.
#[utoipa::path(get, path = faas_shared::paths::ACTIVATIONS, operation_id = "list_activations", tag = "activations",
    params(("function" = Option<String>, Query, description = "Only this function's", pattern = "^[a-z0-9][a-z0-9_-]{0,62}$"),
        ("limit" = Option<u32>, Query, description = "Page size (default 20)", minimum = 1, maximum = 1000),
        ("after" = Option<String>, Query, description = "The last id of the previous page", pattern = "^[A-Za-z0-9]{1,64}$")),
    responses((status = 200, description = "One page of the caller's activation records, newest first", body = Vec<ActivationRecord>, headers(("Link" = String, description = "`<next page>; rel=\"next\"` when more follow")))))]
pub async fn list(
    State(state): State<Arc<AppState>>,
    AuthUser(user): AuthUser,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<(HeaderMap, Json<Vec<ActivationRecord>>), AppError> {
    let Query(query) = query.map_err(|e| {
        AppError::new(
            ErrorCode::BadRequest,
            format!("invalid query: {e} (use ?function=NAME&limit=N&after=ID)"),
        )
    })?;
    if let Some(function) = &query.function {
        validate_function_name(function)?;
    }
    let limit = page_limit(query.limit, DEFAULT_LIMIT, MAX_LIMIT)?;
    if let Some(after) = &query.after
        && !is_activation_id(after)
    {
        return Err(AppError::new(
            ErrorCode::BadRequest,
            "after must be an activation id (the last one of the previous page)",
        ));
    }
    let (mut records, more) = state
        .store
        .activations_page(
            &user,
            query.function.as_deref(),
            query.after.as_deref(),
            limit,
        )
        .await?;
    let since = account_created_at(&state, &user).await?;
    records.retain(|record| record.queued_at >= since);
    let next = records.last().filter(|_| more).map(|last| {
        let function = query
            .function
            .as_ref()
            .map(|f| format!("function={f}&"))
            .unwrap_or_default();
        format!(
            "{}?{function}limit={limit}&after={}",
            paths::ACTIVATIONS,
            last.activation.activation_id
        )
    });
    Ok((next_link(next), Json(records)))
}

#[derive(Debug, Deserialize)]
pub struct GetQuery {
    /// Seconds to wait for an unfinished activation, up to
    /// [`MAX_ACTIVATION_WAIT_SECS`].
    wait: Option<u64>,
}

/// `GET /v1/activations/{id}[?wait=SECONDS]`: 200 with the record once it has
/// finished; while an asynchronous activation has not, 202 with its state (queued
/// or running), after waiting up to `wait` seconds for it to finish (the answer
/// comes as soon as the record is stored). Another user's activation is a 404.
#[utoipa::path(get, path = faas_shared::paths::ACTIVATION, operation_id = "get_activation", tag = "activations",
    params(("id" = String, Path, description = "The activation id", pattern = "^[A-Za-z0-9]{1,64}$"), ("wait" = Option<u64>, Query, description = "Seconds to wait for it to finish, 0 to 60", maximum = 60)),
    responses((status = 200, description = "The record", body = ActivationRecord), (status = 202, description = "Not finished yet", body = ActivationPending)))]
pub async fn get(
    State(state): State<Arc<AppState>>,
    AuthUser(user): AuthUser,
    PathId(id): PathId,
    query: Result<Query<GetQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, AppError> {
    let bad_wait = |why: String| {
        AppError::new(
            ErrorCode::BadRequest,
            format!("{why} (use ?wait=SECONDS, 0 to {MAX_ACTIVATION_WAIT_SECS})"),
        )
    };
    let Query(query) = query.map_err(|e| bad_wait(format!("invalid query: {e}")))?;
    let wait = query.wait.unwrap_or(0);
    if wait > MAX_ACTIVATION_WAIT_SECS {
        return Err(bad_wait(format!("wait={wait} is too long")));
    }
    let not_found = || {
        AppError::new(
            ErrorCode::ActivationNotFound,
            format!("activation {id:?} not found: it is unknown, or older than 24 h"),
        )
    };
    if !is_activation_id(&id) {
        return Err(not_found());
    }
    let since = account_created_at(&state, &user).await?;
    let mine = |record: &ActivationRecord| record.queued_at >= since;
    if let Some(record) = state.store.activation(&user, &id).await?.filter(mine) {
        return Ok(Json(record).into_response());
    }
    let Some(marker) = state
        .store
        .pending(&user, &id)
        .await?
        .filter(|marker| marker.queued_at >= since)
    else {
        return Err(not_found());
    };
    if wait > 0
        && let Some(record) = state
            .store
            .wait_for_record(&user, &id, Duration::from_secs(wait))
            .await?
            .filter(mine)
    {
        return Ok(Json(record).into_response());
    }
    let state = if crate::dispatch::picked_up(&state.jetstream, marker.sequence).await {
        PendingState::Running
    } else {
        PendingState::Queued
    };
    let pending = ActivationPending {
        activation_id: id,
        function: marker.function,
        state,
        queued_at: marker.queued_at,
    };
    Ok((StatusCode::ACCEPTED, Json(pending)).into_response())
}

/// Records queued before the account was created belong to a deleted account of
/// the same name (an activation still running while it was deleted records its
/// result afterwards): they are not the caller's. (This needs the replicas' clocks
/// to agree to better than the time between registering and a first invocation,
/// which includes an argon2 login: tens of milliseconds at least.)
async fn account_created_at(
    state: &AppState,
    user: &str,
) -> Result<chrono::DateTime<chrono::Utc>, AppError> {
    Ok(state
        .store
        .user(user)
        .await?
        .map_or(chrono::DateTime::<chrono::Utc>::MAX_UTC, |u| u.created_at))
}
