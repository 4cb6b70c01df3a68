//! API keys: `POST/GET /v1/keys`, `DELETE /v1/keys/{name}`. (Accepting a key as
//! the bearer of a request is `crate::auth`'s.)
//!
//! Keys are for CI: they open the function, invocation and activation routes
//! ([`Access::SessionOrKey`](crate::api::Access::SessionOrKey) in the route table)
//! but not the account (logout, password, deletion) nor key management, which need
//! a session from a login, so a leaked key cannot mint itself successors or take
//! over the account.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::Utc;
use faas_shared::ErrorCode;
use faas_shared::keys::{
    DEFAULT_KEY_DAYS, KeyCreate, KeyCreated, KeyInfo, KeySecret, MAX_KEY_DAYS, MAX_KEYS_PER_USER,
    MIN_KEY_DAYS,
};
use faas_shared::names::validate_name;

use super::extract::{JsonBody, PathName, Session};
use crate::auth::hash_key_secret;
use crate::error::AppError;
use crate::state::AppState;
use crate::store::{QuotaKind, Reserved, StoredKey};

/// `POST /v1/keys`: a new key; its secret is in this answer only.
#[utoipa::path(post, path = faas_shared::paths::KEYS, operation_id = "create_key", tag = "keys",
    request_body(content = KeyCreate, example = json!({"name": "ci", "expires_in_days": 30})),
    responses((status = 201, description = "The new key; `secret` is shown this once", body = KeyCreated)))]
pub async fn create(
    State(state): State<Arc<AppState>>,
    Session(session): Session,
    JsonBody(request): JsonBody<KeyCreate>,
) -> Result<(StatusCode, Json<KeyCreated>), AppError> {
    let owner = session.user.username.clone();
    validate_key_name(&request.name)?;
    let days = request.expires_in_days.unwrap_or(DEFAULT_KEY_DAYS);
    if !(MIN_KEY_DAYS..=MAX_KEY_DAYS).contains(&days) {
        return Err(AppError::new(
            ErrorCode::BadRequest,
            format!(
                "expires_in_days must be between {MIN_KEY_DAYS} and {MAX_KEY_DAYS}, got {days}"
            ),
        ));
    }
    // Atomic: parallel creations cannot overshoot the quota (store/quotas.rs).
    let reserved = state
        .store
        .reserve(
            &owner,
            QuotaKind::Keys,
            &request.name,
            MAX_KEYS_PER_USER,
            "API keys",
        )
        .await?;
    let random = faas_process::signing::random_secret();
    let created_at = Utc::now();
    let key = StoredKey {
        name: request.name,
        secret_sha256: hash_key_secret(&random),
        created_at,
        expires_at: created_at + chrono::Duration::days(i64::from(days)),
        last_used_at: None,
        generation: Some(session.user.token_generation.clone()),
    };
    if let Err(e) = state.store.create_key(&owner, &key).await {
        if reserved == Reserved::New {
            state
                .store
                .unreserve(&owner, QuotaKind::Keys, &key.name)
                .await;
        }
        return Err(e);
    }
    tracing::info!(%owner, key = %key.name, days, "API key created");
    Ok((
        StatusCode::CREATED,
        Json(KeyCreated {
            secret: KeySecret::format(&owner, &key.name, &random),
            name: key.name,
            created_at: key.created_at,
            expires_at: key.expires_at,
        }),
    ))
}

/// `GET /v1/keys`: the caller's keys, without secrets.
#[utoipa::path(get, path = faas_shared::paths::KEYS, operation_id = "list_keys", tag = "keys",
    responses((status = 200, description = "The caller's keys, never their secrets", body = Vec<KeyInfo>)))]
pub async fn list(
    State(state): State<Arc<AppState>>,
    Session(session): Session,
) -> Result<Json<Vec<KeyInfo>>, AppError> {
    let keys = state.store.keys(&session.user.username).await?;
    Ok(Json(keys.iter().map(StoredKey::info).collect()))
}

/// `DELETE /v1/keys/{name}`: the key stops working at once, on every replica.
#[utoipa::path(delete, path = faas_shared::paths::KEY, operation_id = "delete_key", tag = "keys", params(("name" = String, Path, description = "The key's name", pattern = "^[a-z0-9][a-z0-9_-]{0,62}$", example = "ci")),
    responses((status = 204, description = "Removed: the key is refused from now on")))]
pub async fn delete(
    State(state): State<Arc<AppState>>,
    Session(session): Session,
    PathName(name): PathName,
) -> Result<StatusCode, AppError> {
    let owner = session.user.username;
    validate_key_name(&name)?;
    if !state.store.delete_key(&owner, &name).await? {
        return Err(AppError::new(
            ErrorCode::NotFound,
            format!("you have no API key named {name:?} (list yours with `faasctl key ls`)"),
        ));
    }
    state.store.unreserve(&owner, QuotaKind::Keys, &name).await;
    tracing::info!(%owner, key = %name, "API key removed");
    Ok(StatusCode::NO_CONTENT)
}

/// Key names follow the rules of function names.
fn validate_key_name(name: &str) -> Result<(), AppError> {
    Ok(validate_name("key", name)?)
}
