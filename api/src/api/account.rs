//! One's account: logout, password change and account deletion. (What makes a
//! session token acceptable is `crate::auth`'s.)

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use faas_shared::names::{MAX_PASSWORD_LEN, validate_password};
use faas_shared::{AccountDeletion, ErrorCode, PasswordChange, TokenResponse};

use super::extract::{JsonBody, Session};
use crate::auth::{hash_password, verify_password};
use crate::error::AppError;
use crate::state::AppState;
use crate::store::StoredUser;

/// `POST /v1/auth/logout`: puts the token on the deny-list until it expires.
#[utoipa::path(post, path = faas_shared::paths::LOGOUT, tag = "users",
    responses((status = 204, description = "The token is revoked")))]
pub async fn logout(
    State(state): State<Arc<AppState>>,
    Session(session): Session,
) -> Result<StatusCode, AppError> {
    state
        .revocations
        .revoke(&session.jti, session.expires_at)
        .await?;
    tracing::info!(username = %session.user.username, "logged out");
    Ok(StatusCode::NO_CONTENT)
}

/// `PUT /v1/users/me/password`: checks the current password, stores the new one
/// and starts a new token generation, which revokes every older token of the
/// account; answers with a fresh token of the new generation.
#[utoipa::path(put, path = faas_shared::paths::PASSWORD, tag = "users", request_body = PasswordChange,
    responses((status = 200, description = "Changed; every older token is revoked, this one is new", body = TokenResponse)))]
pub async fn change_password(
    State(state): State<Arc<AppState>>,
    Session(session): Session,
    JsonBody(change): JsonBody<PasswordChange>,
) -> Result<Json<TokenResponse>, AppError> {
    validate_password(&change.new_password)?;
    confirm_password(&session.user, change.current_password).await?;
    let user = StoredUser {
        password_hash: hash_password(change.new_password).await?,
        token_generation: StoredUser::new_token_generation(),
        ..session.user
    };
    if !state.store.update_user(&user, session.revision).await? {
        // Changed since this request read it: another password change won.
        return Err(AppError::new(
            ErrorCode::Unauthorized,
            "the account changed during the request (another password change?): log in again",
        ));
    }
    tracing::info!(username = %user.username, "password changed; older tokens revoked");
    let (token, expires_at) = state.tokens.issue(&user.username, &user.token_generation)?;
    Ok(Json(TokenResponse {
        token,
        token_type: "Bearer".into(),
        expires_at,
    }))
}

/// `DELETE /v1/users/me` with the password in the body.
///
/// First marks the account as being deleted (its tokens and logins are refused
/// from then on, and the name stays taken), then removes its queued requests,
/// functions and activation records, and last the user record, after which the
/// name may be registered again. If a step fails the account stays marked, and the
/// same request (the token still works for this route only) finishes the job.
#[utoipa::path(delete, path = faas_shared::paths::ME, tag = "users", request_body = AccountDeletion,
    responses((status = 204, description = "The account, its functions and its activation records are gone")))]
pub async fn delete_account(
    State(state): State<Arc<AppState>>,
    Session(session): Session,
    JsonBody(deletion): JsonBody<AccountDeletion>,
) -> Result<StatusCode, AppError> {
    confirm_password(&session.user, deletion.password).await?;
    let username = session.user.username.clone();
    if session.user.deleting_since.is_none() {
        let marked = StoredUser {
            deleting_since: Some(chrono::Utc::now()),
            ..session.user
        };
        if !state.store.update_user(&marked, session.revision).await? {
            return Err(AppError::new(
                ErrorCode::Unauthorized,
                "the account changed during the request (a password change?): log in again",
            ));
        }
    }
    let removed = state.store.remove_owned(&username).await?;
    state.store.remove_user(&username).await?;
    crate::dispatch::announce_retired(&state, &username, None).await;
    tracing::info!(
        %username,
        functions = removed.functions,
        activations = removed.activations,
        queued = removed.queued,
        keys = removed.keys,
        "account deleted"
    );
    Ok(StatusCode::NO_CONTENT)
}

/// A wrong password is a 403: the token is fine, the confirmation is not.
async fn confirm_password(user: &StoredUser, password: String) -> Result<(), AppError> {
    if password.len() > MAX_PASSWORD_LEN {
        // Never hashed: no password of the account is that long.
        return Err(AppError::new(
            ErrorCode::BadRequest,
            format!("password too long: at most {MAX_PASSWORD_LEN} bytes"),
        ));
    }
    if verify_password(password, user.password_hash.clone()).await? {
        Ok(())
    } else {
        Err(AppError::new(
            ErrorCode::WrongPassword,
            "the password is wrong",
        ))
    }
}
