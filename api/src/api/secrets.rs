//! Setting, listing and removing one's own secrets. Values go in, sealed
//! (`faas_process::secrets`), and never come out of the API: listings show names
//! and times, and only workers open them, to hand them to functions as files.
//! Keyed by owner, so another user's secret is a 404 by construction. They need a
//! session from a login: an API key (for CI) cannot read the names or replace a
//! value a function trusts.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use chrono::Utc;
use faas_process::secrets::SecretKeys;
use faas_shared::names::validate_secret_name;
use faas_shared::{ErrorCode, MAX_SECRET_BYTES, MAX_SECRETS_PER_USER, SecretInfo, SecretValue};

use super::extract::{Body, PathName, Session, parse_json};
use super::media::is_json_body;
use crate::error::AppError;
use crate::state::AppState;
use crate::store::{QuotaKind, Reserved, StoredSecret};

/// `GET /v1/secrets`: names and `updated_at`, sorted by name.
#[utoipa::path(get, path = faas_shared::paths::SECRETS, operation_id = "list_secrets", tag = "secrets",
    responses((status = 200, description = "The caller's secrets' names, never their values", body = Vec<SecretInfo>)))]
pub async fn list(
    State(state): State<Arc<AppState>>,
    Session(session): Session,
) -> Result<Json<Vec<SecretInfo>>, AppError> {
    let user = session.user.username;
    Ok(Json(state.store.list_secrets(&user).await?))
}

/// `PUT /v1/secrets/{name}`: the body is the value, or `{"value": "..."}` with
/// `Content-Type: application/json`. 201 when created, 200 when replaced; either
/// way sealed with the current key (so a write also finishes a key rotation).
#[utoipa::path(put, path = faas_shared::paths::SECRET, operation_id = "put_secret", tag = "secrets",
    params(("name" = String, Path, description = "The secret's name (its file in /run/secrets/)", pattern = "^[a-z0-9][a-z0-9_-]{0,62}$", example = "db-password")),
    request_body(content = SecretValue, description = "`{\"value\": …}` as JSON, or any other body: the value itself, bytes exact (at most 64 KiB)"),
    responses((status = 201, description = "Created", body = SecretInfo), (status = 200, description = "Replaced", body = SecretInfo)))]
pub async fn put(
    State(state): State<Arc<AppState>>,
    Session(session): Session,
    PathName(name): PathName,
    headers: HeaderMap,
    Body(body): Body,
) -> Result<(StatusCode, Json<SecretInfo>), AppError> {
    let user = session.user.username;
    validate_secret_name(&name)?;
    let keys = keys(&state)?;
    let value = value_from_body(&headers, body.to_vec())?;
    if value.is_empty() {
        return Err(AppError::new(
            ErrorCode::BadRequest,
            "the secret's value is empty: send it as the request body, or as {\"value\": \"…\"} with Content-Type: application/json",
        ));
    }
    if value.len() > MAX_SECRET_BYTES {
        return Err(AppError::new(
            ErrorCode::PayloadTooLarge,
            format!(
                "the secret is {} bytes; a secret holds at most {MAX_SECRET_BYTES} bytes (store a larger file elsewhere and its key here)",
                value.len()
            ),
        ));
    }
    // Atomic: parallel creations cannot overshoot the quota (store/quotas.rs).
    let reserved = state
        .store
        .reserve(
            &user,
            QuotaKind::Secrets,
            &name,
            MAX_SECRETS_PER_USER,
            "secrets",
        )
        .await?;
    let stored = StoredSecret {
        sealed: keys.seal(&user, &name, &value),
        updated_at: Utc::now(),
    };
    let created = match state.store.put_secret(&user, &name, &stored).await {
        Ok(created) => created,
        Err(e) => {
            if reserved == Reserved::New {
                state
                    .store
                    .unreserve(&user, QuotaKind::Secrets, &name)
                    .await;
            }
            return Err(e);
        }
    };
    tracing::info!(owner = %user, secret = %name, created, "secret stored");
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        Json(SecretInfo {
            name,
            updated_at: stored.updated_at,
        }),
    ))
}

/// `DELETE /v1/secrets/{name}`
#[utoipa::path(delete, path = faas_shared::paths::SECRET, operation_id = "delete_secret", tag = "secrets",
    params(("name" = String, Path, description = "The secret's name", pattern = "^[a-z0-9][a-z0-9_-]{0,62}$", example = "db-password")),
    responses((status = 204, description = "Removed")))]
pub async fn delete(
    State(state): State<Arc<AppState>>,
    Session(session): Session,
    PathName(name): PathName,
) -> Result<StatusCode, AppError> {
    let user = session.user.username;
    validate_secret_name(&name)?;
    if state.store.delete_secret(&user, &name).await? {
        state
            .store
            .unreserve(&user, QuotaKind::Secrets, &name)
            .await;
        tracing::info!(owner = %user, secret = %name, "secret removed");
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(not_found(&name))
    }
}

/// 404 `secret_not_found` naming the secret.
pub fn not_found(name: &str) -> AppError {
    AppError::new(
        ErrorCode::SecretNotFound,
        format!(
            "secret {name:?} not found: set it with PUT /v1/secrets/{name} (faasctl secret set {name}), or list yours with GET /v1/secrets"
        ),
    )
}

/// The secrets key, or 503 saying the operator has not configured one.
fn keys(state: &AppState) -> Result<&SecretKeys, AppError> {
    state.secret_keys.as_ref().ok_or_else(|| {
        AppError::new(
            ErrorCode::BackendUnavailable,
            "this platform stores no secrets: its operator has not set FAAS_SECRETS_KEY_FILE",
        )
    })
}

fn value_from_body(headers: &HeaderMap, body: Vec<u8>) -> Result<Vec<u8>, AppError> {
    if is_json_body(headers)? {
        return parse_json::<SecretValue>(&body).map(|v| v.value.into_bytes());
    }
    Ok(body)
}
