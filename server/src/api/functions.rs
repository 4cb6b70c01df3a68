//! Registering, reading and removing one's own functions.
//!
//! Functions are keyed by owner, so a user can only ever address their own: another
//! user's function is indistinguishable from one that does not exist (404).

use std::fmt::Display;
use std::ops::RangeInclusive;
use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use chrono::Utc;
use faas_shared::names::{validate_function_name, validate_image};
use faas_shared::paths;
use faas_shared::{
    DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT_MS, ErrorCode, FunctionInfo, FunctionSpec, MAX_MEMORY_MB,
    MAX_TIMEOUT_MS, MIN_MEMORY_MB, MIN_TIMEOUT_MS,
};
use serde::Deserialize;

use super::extract::{AuthUser, JsonBody};
use crate::error::AppError;
use crate::state::AppState;

/// Functions per page unless `?limit=` says otherwise (as many as the default quota).
const DEFAULT_PAGE: usize = 100;
const MAX_PAGE: usize = 1000;

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    limit: Option<usize>,
    after: Option<String>,
}

/// `GET /v1/functions[?limit=N][&after=NAME]`: sorted by name, one page; when more
/// follow, `Link: </v1/functions?limit=N&after=LAST>; rel="next"`.
pub async fn list(
    State(state): State<Arc<AppState>>,
    AuthUser(user): AuthUser,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<(HeaderMap, Json<Vec<FunctionInfo>>), AppError> {
    let Query(query) = query.map_err(|e| {
        AppError::new(
            ErrorCode::BadRequest,
            format!("invalid query: {e} (use ?limit=N&after=NAME)"),
        )
    })?;
    let limit = page_limit(query.limit, DEFAULT_PAGE, MAX_PAGE)?;
    if let Some(after) = &query.after {
        validate_function_name(after)?;
    }
    let (functions, more) = state
        .store
        .functions_page(&user, query.after.as_deref(), limit)
        .await?;
    let next = functions
        .last()
        .filter(|_| more)
        .map(|last| format!("{}?limit={limit}&after={}", paths::FUNCTIONS, last.name));
    Ok((next_link(next), Json(functions)))
}

/// `?limit=`, between 1 and `max`.
pub fn page_limit(limit: Option<usize>, default: usize, max: usize) -> Result<usize, AppError> {
    let limit = limit.unwrap_or(default);
    if !(1..=max).contains(&limit) {
        return Err(AppError::new(
            ErrorCode::BadRequest,
            format!("limit must be between 1 and {max}"),
        ));
    }
    Ok(limit)
}

/// `Link: <next>; rel="next"` when there is a next page.
pub fn next_link(next: Option<String>) -> HeaderMap {
    let mut headers = HeaderMap::new();
    if let Some(value) = next.and_then(|next| format!("<{next}>; rel=\"next\"").parse().ok()) {
        headers.insert(header::LINK, value);
    }
    headers
}

/// `GET /v1/functions/{name}`
pub async fn get(
    State(state): State<Arc<AppState>>,
    AuthUser(user): AuthUser,
    Path(name): Path<String>,
) -> Result<Json<FunctionInfo>, AppError> {
    Ok(Json(find(&state, &user, &name).await?))
}

/// `PUT /v1/functions/{name}`: 201 when created, 200 when replaced.
pub async fn put(
    State(state): State<Arc<AppState>>,
    AuthUser(user): AuthUser,
    Path(name): Path<String>,
    JsonBody(spec): JsonBody<FunctionSpec>,
) -> Result<(StatusCode, Json<FunctionInfo>), AppError> {
    validate_function_name(&name)?;
    let info = function_info(name, spec)?;
    state.image_policy.check(&info.image)?;
    check_quota(&state, &user, &info.name).await?;
    let (created, info) = state.store.put_function(&user, info).await?;
    tracing::info!(owner = %user, function = %info.name, image = %info.image, created, "function stored");
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(info)))
}

/// `DELETE /v1/functions/{name}`
pub async fn delete(
    State(state): State<Arc<AppState>>,
    AuthUser(user): AuthUser,
    Path(name): Path<String>,
) -> Result<StatusCode, AppError> {
    validate_function_name(&name)?;
    if state.store.delete_function(&user, &name).await? {
        tracing::info!(owner = %user, function = %name, "function removed");
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(not_found(&name))
    }
}

/// A new function must fit the per-user quota (`FAAS_MAX_FUNCTIONS_PER_USER`);
/// replacing one always may. 403 `quota_exceeded`, not 429: waiting does not help,
/// deleting a function does. Concurrent creations may overshoot it by their number.
async fn check_quota(state: &AppState, user: &str, name: &str) -> Result<(), AppError> {
    let Some(max) = state.throttle.limits.max_functions_per_user else {
        return Ok(());
    };
    let max = max as usize;
    if state.store.function(user, name).await?.is_some()
        || state.store.count_functions(user, max).await? < max
    {
        return Ok(());
    }
    Err(AppError::new(
        ErrorCode::QuotaExceeded,
        format!("you have {max} functions, the most allowed: delete one first"),
    ))
}

/// The caller's function `name`, or 404.
pub async fn find(state: &AppState, user: &str, name: &str) -> Result<FunctionInfo, AppError> {
    validate_function_name(name)?;
    state
        .store
        .function(user, name)
        .await?
        .ok_or_else(|| not_found(name))
}

fn not_found(name: &str) -> AppError {
    AppError::new(
        ErrorCode::FunctionNotFound,
        format!("function {name:?} not found (list yours with GET /v1/functions)"),
    )
}

/// Validates a spec and fills in defaults.
fn function_info(name: String, spec: FunctionSpec) -> Result<FunctionInfo, AppError> {
    validate_image(&spec.image)?;
    let timeout_ms = within(
        "timeout_ms",
        spec.timeout_ms.unwrap_or(DEFAULT_TIMEOUT_MS),
        MIN_TIMEOUT_MS..=MAX_TIMEOUT_MS,
    )?;
    let memory_mb = within(
        "memory_mb",
        spec.memory_mb.unwrap_or(DEFAULT_MEMORY_MB),
        MIN_MEMORY_MB..=MAX_MEMORY_MB,
    )?;
    let now = Utc::now();
    Ok(FunctionInfo {
        name,
        image: spec.image,
        timeout_ms,
        memory_mb,
        param_mode: spec.param_mode.unwrap_or_default(),
        network: spec.network.unwrap_or(false),
        created_at: now,
        updated_at: now,
    })
}

/// `value` of spec field `field`, if it lies in `range`.
fn within<T: PartialOrd + Display>(
    field: &str,
    value: T,
    range: RangeInclusive<T>,
) -> Result<T, AppError> {
    if range.contains(&value) {
        return Ok(value);
    }
    Err(AppError::new(
        ErrorCode::InvalidSpec,
        format!(
            "{field} must be between {} and {}, got {value}",
            range.start(),
            range.end()
        ),
    ))
}
