//! Reading one's own activation records (kept 24 h).

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Query, State};
use faas_shared::names::{is_activation_id, validate_function_name};
use faas_shared::{ActivationRecord, ErrorCode};
use serde::Deserialize;

use super::extract::AuthUser;
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

/// `GET /v1/activations/{id}`. Another user's activation is a 404.
pub async fn get(
    State(state): State<Arc<AppState>>,
    AuthUser(user): AuthUser,
    Path(id): Path<String>,
) -> Result<Json<ActivationRecord>, AppError> {
    let not_found = || {
        AppError::new(
            ErrorCode::ActivationNotFound,
            format!(
                "activation {id:?} not found: it is unknown, not finished yet, or older than 24 h"
            ),
        )
    };
    if !is_activation_id(&id) {
        return Err(not_found());
    }
    let since = account_created_at(&state, &user).await?;
    state
        .store
        .activation(&user, &id)
        .await?
        .filter(|record| record.queued_at >= since)
        .map(Json)
        .ok_or_else(not_found)
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
