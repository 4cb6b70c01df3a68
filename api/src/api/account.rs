//! One's account: logout, password change and account deletion. (What makes a
//! session token acceptable is `crate::auth`'s.)

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use faas_shared::names::{MAX_PASSWORD_LEN, is_too_long_password, validate_password};
use faas_shared::{AccountDeletion, ErrorCode, PasswordChange, PasswordChanged};

use super::extract::{JsonBody, Session};
use crate::auth::{hash_password, verify_password};
use crate::error::AppError;
use crate::state::AppState;
use crate::store::{QuotaKind, StoredUser};

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
/// account and every API key (keys carry the generation they were made in);
/// answers with a fresh token of the new generation and the names of the keys it
/// removed.
///
/// Keys are revoked rather than listed for a decision: a password change is what
/// a user does when a session may have been stolen, and a key the thief minted
/// with it (`POST /v1/keys`, up to 365 days) would otherwise outlive the change
/// that ends the stolen session. Revoking is atomic with the change (the new
/// generation refuses them at once, on every replica); the records are then
/// purged. CI jobs need a new key afterwards, which the answer and `faasctl
/// passwd` say.
#[utoipa::path(put, path = faas_shared::paths::PASSWORD, tag = "users", request_body = PasswordChange,
    responses((status = 200, description = "Changed; every older token and every API key is revoked, this token is new", body = PasswordChanged)))]
pub async fn change_password(
    State(state): State<Arc<AppState>>,
    Session(session): Session,
    JsonBody(change): JsonBody<PasswordChange>,
) -> Result<Json<PasswordChanged>, AppError> {
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
    // Already refused by the new generation; the records go too, so that the
    // listing shows what is left.
    let removed = match state.store.remove_keys(&user.username).await {
        Ok(names) => state
            .store
            .forget_counts(&user.username, QuotaKind::Keys)
            .await
            .map(|()| names),
        Err(e) => Err(e),
    };
    let revoked_keys = match removed {
        Ok(names) => names,
        Err(_) => {
            tracing::warn!(username = %user.username, "removing the API keys after a password change failed; they are refused anyway");
            Vec::new()
        }
    };
    tracing::info!(username = %user.username, keys = revoked_keys.len(), "password changed; older tokens and API keys revoked");
    let (token, expires_at) = state.tokens.issue(&user.username, &user.token_generation)?;
    Ok(Json(PasswordChanged {
        token,
        token_type: "Bearer".into(),
        expires_at,
        revoked_keys,
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
    if is_too_long_password(&password) {
        // Never hashed: no password of the account is that long.
        return Err(AppError::new(
            ErrorCode::BadRequest,
            format!("password too long: at most {MAX_PASSWORD_LEN} characters"),
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
