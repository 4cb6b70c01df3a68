//! Registering, reading and removing one's own functions.
//!
//! Functions are keyed by owner, so a user can only ever address their own: another
//! user's function is indistinguishable from one that does not exist (404).

use std::fmt::Display;
use std::ops::RangeInclusive;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::Utc;
use faas_shared::names::{validate_function_name, validate_image};
use faas_shared::{
    DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT_MS, ErrorCode, FunctionInfo, FunctionSpec, MAX_MEMORY_MB,
    MAX_TIMEOUT_MS, MIN_MEMORY_MB, MIN_TIMEOUT_MS,
};

use super::extract::{AuthUser, JsonBody};
use crate::error::AppError;
use crate::state::AppState;

/// `GET /v1/functions`
pub async fn list(
    State(state): State<Arc<AppState>>,
    AuthUser(user): AuthUser,
) -> Result<Json<Vec<FunctionInfo>>, AppError> {
    Ok(Json(state.store.list_functions(&user).await?))
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
