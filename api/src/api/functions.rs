//! Registering, reading and removing one's own functions.
//!
//! Functions are keyed by owner, so a user can only ever address their own: another
//! user's function is indistinguishable from one that does not exist (404).

use std::fmt::Display;
use std::ops::RangeInclusive;
use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use chrono::Utc;
use faas_shared::names::{validate_function_name, validate_image, validate_secret_name};
use faas_shared::paths;
use faas_shared::{
    DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT_MS, ErrorCode, FunctionInfo, FunctionSpec,
    MAX_FUNCTION_CONCURRENCY, MAX_MEMORY_MB, MAX_PREWARM, MAX_SECRETS_PER_FUNCTION, MAX_TIMEOUT_MS,
    MIN_MEMORY_MB, MIN_TIMEOUT_MS,
};
use serde::Deserialize;

use super::extract::{AuthUser, JsonBody, PathName};
use crate::error::AppError;
use crate::state::AppState;
use crate::store::{QuotaKind, Reserved};

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
#[utoipa::path(get, path = faas_shared::paths::FUNCTIONS, operation_id = "list_functions", tag = "functions",
    params(("limit" = Option<u32>, Query, description = "Page size (default 100)", minimum = 1, maximum = 1000),
        ("after" = Option<String>, Query, description = "The last name of the previous page", pattern = "^[a-z0-9][a-z0-9_-]{0,62}$")),
    responses((status = 200, description = "One page of the caller's functions, by name", body = Vec<FunctionInfo>, headers(("Link" = String, description = "`<next page>; rel=\"next\"` when more follow")))))]
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
    let (mut functions, more) = state
        .store
        .functions_page(&user, query.after.as_deref(), limit)
        .await?;
    with_effective_prewarm(&state, &mut functions).await;
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
#[utoipa::path(get, path = faas_shared::paths::FUNCTION, operation_id = "get_function", tag = "functions", params(("name" = String, Path, description = "The function's name", pattern = "^[a-z0-9][a-z0-9_-]{0,62}$", example = "reverse")),
    responses((status = 200, description = "The function", body = FunctionInfo)))]
pub async fn get(
    State(state): State<Arc<AppState>>,
    AuthUser(user): AuthUser,
    PathName(name): PathName,
) -> Result<Json<FunctionInfo>, AppError> {
    let mut info = find(&state, &user, &name).await?;
    with_effective_prewarm(&state, std::slice::from_mut(&mut info)).await;
    Ok(Json(info))
}

/// Fills in what the live workers honour of each function's `prewarm`.
async fn with_effective_prewarm(state: &AppState, functions: &mut [FunctionInfo]) {
    let Some(serves) = state.store.worker_serves().await else {
        return;
    };
    for info in functions {
        info.effective_prewarm = Some(if serves.prewarm { info.prewarm } else { 0 });
    }
}

/// `PUT /v1/functions/{name}`: 201 when created, 200 when replaced.
#[utoipa::path(put, path = faas_shared::paths::FUNCTION, operation_id = "put_function", tag = "functions", params(("name" = String, Path, description = "The function's name", pattern = "^[a-z0-9][a-z0-9_-]{0,62}$", example = "reverse")),
    request_body(content = FunctionSpec, example = json!({"image": "faas-examples/reverse:latest"})),
    responses((status = 200, description = "Replaced", body = FunctionInfo),
        (status = 201, description = "Created", body = FunctionInfo)))]
pub async fn put(
    State(state): State<Arc<AppState>>,
    AuthUser(user): AuthUser,
    PathName(name): PathName,
    JsonBody(spec): JsonBody<FunctionSpec>,
) -> Result<(StatusCode, Json<FunctionInfo>), AppError> {
    validate_function_name(&name)?;
    let info = function_info(name, spec)?;
    state.image_policy.check(&info.image)?;
    servable(&state, &info).await?;
    let reserved = reserve(&state, &user, &info.name).await?;
    let (created, info) = match state.store.put_function(&user, info.clone()).await {
        Ok(stored) => stored,
        Err(e) => {
            if reserved == Reserved::New {
                state
                    .store
                    .unreserve(&user, QuotaKind::Functions, &info.name)
                    .await;
            }
            return Err(e);
        }
    };
    tracing::info!(owner = %user, function = %info.name, image = %info.image, created, "function stored");
    if !created {
        crate::dispatch::announce_retired(&state, &user, Some(&info.name)).await;
    }
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(info)))
}

/// `DELETE /v1/functions/{name}`
#[utoipa::path(delete, path = faas_shared::paths::FUNCTION, operation_id = "delete_function", tag = "functions", params(("name" = String, Path, description = "The function's name", pattern = "^[a-z0-9][a-z0-9_-]{0,62}$")),
    responses((status = 204, description = "Deleted")))]
pub async fn delete(
    State(state): State<Arc<AppState>>,
    AuthUser(user): AuthUser,
    PathName(name): PathName,
) -> Result<StatusCode, AppError> {
    validate_function_name(&name)?;
    if state.store.delete_function(&user, &name).await? {
        state
            .store
            .unreserve(&user, QuotaKind::Functions, &name)
            .await;
        tracing::info!(owner = %user, function = %name, "function removed");
        crate::dispatch::announce_retired(&state, &user, Some(&name)).await;
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(not_found(&name))
    }
}

/// Refuses a spec that no live worker can honour (their heartbeats say what they
/// serve): 409 `unservable` naming what to change, rather than a function whose
/// prewarm or secret files would be ignored. Nothing is refused while no live
/// worker says what it serves (none runs yet, or all are older).
async fn servable(state: &AppState, info: &FunctionInfo) -> Result<(), AppError> {
    let Some(serves) = state.store.worker_serves().await else {
        return Ok(());
    };
    let unserved = [
        (
            info.prewarm > 0 && !serves.prewarm,
            "prewarm: no live worker keeps prewarmed containers (FAAS_WORKER_MAX_PARKED is 0 on all of them, or none has faas-init): set prewarm to 0, or give the workers FAAS_WORKER_MAX_PARKED above 0",
        ),
        (
            !info.secrets.is_empty() && !serves.secret_files,
            "secrets: no live worker can deliver secret files (none has faas-init: set FAAS_WORKER_INIT on the workers), or name no secrets",
        ),
        (
            info.network && !serves.network,
            "network: no live worker has a function network: run a worker with the Docker Engine, or set network to false",
        ),
    ];
    match unserved.into_iter().find(|(unserved, _)| *unserved) {
        Some((_, why)) => Err(AppError::new(ErrorCode::Unservable, why)),
        None => Ok(()),
    }
}

/// A new function must fit the per-user quota (`FAAS_MAX_FUNCTIONS_PER_USER`);
/// replacing one always may. 403 `quota_exceeded`, not 429: waiting does not help,
/// deleting a function does. Atomic (`store/quotas.rs`): concurrent creations
/// cannot overshoot it. Counted even when unlimited, so that a limit set later
/// counts what was made before it.
async fn reserve(state: &AppState, user: &str, name: &str) -> Result<Reserved, AppError> {
    let max = state
        .throttle
        .limits
        .max_functions_per_user
        .map_or(usize::MAX, |max| max as usize);
    state
        .store
        .reserve(user, QuotaKind::Functions, name, max, "functions")
        .await
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
    let secrets = spec.secrets.unwrap_or_default();
    if secrets.len() > MAX_SECRETS_PER_FUNCTION {
        return Err(AppError::new(
            ErrorCode::InvalidSpec,
            format!(
                "secrets names {} secrets; a function may name at most {MAX_SECRETS_PER_FUNCTION}",
                secrets.len()
            ),
        ));
    }
    for (i, secret) in secrets.iter().enumerate() {
        validate_secret_name(secret)?;
        if secrets[..i].contains(secret) {
            return Err(AppError::new(
                ErrorCode::InvalidSpec,
                format!("secrets names {secret:?} twice: name each secret once"),
            ));
        }
    }
    let max_concurrency = spec
        .max_concurrency
        .map(|n| within("max_concurrency", n, 1..=MAX_FUNCTION_CONCURRENCY))
        .transpose()?;
    let prewarm = within("prewarm", spec.prewarm.unwrap_or(0), 0..=MAX_PREWARM)?;
    let now = Utc::now();
    Ok(FunctionInfo {
        name,
        image: spec.image,
        timeout_ms,
        memory_mb,
        param_mode: spec.param_mode.unwrap_or_default(),
        network: spec.network.unwrap_or(false),
        secrets,
        max_concurrency,
        prewarm,
        effective_prewarm: None,
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
