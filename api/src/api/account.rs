//! Sessions and the account: what makes a verified token acceptable (not revoked,
//! of the account's current generation, the account not being deleted), logout,
//! password change and account deletion.

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

/// The caller of a protected route, checked against the store on every request so
/// that a revocation on one replica holds on all of them.
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub jti: String,
    pub expires_at: i64,
    pub user: StoredUser,
    /// The user record's revision, for a conditional update.
    pub revision: u64,
}

/// Verifies `token` (signature and claims) and then checks it against the store:
/// its id is not on the deny-list, the account exists and is not being deleted
/// (unless `while_deleting`), and the token is of the account's current generation
/// (a password change or a new account of the same name starts a new one).
pub async fn authenticate(
    state: &AppState,
    token: &str,
    while_deleting: bool,
) -> Result<Authenticated, AppError> {
    let unauthorized = |message: &str| AppError::new(ErrorCode::Unauthorized, message);
    let verified = state.tokens.verify(token)?;
    let (revoked, user) = tokio::join!(
        state.revocations.is_revoked(&verified.jti),
        state.store.user_entry(&verified.username),
    );
    if revoked? {
        return Err(unauthorized(
            "the token has been revoked (logged out): log in again (`faasctl login`)",
        ));
    }
    let Some((user, revision)) = user? else {
        return Err(unauthorized("the token's account no longer exists"));
    };
    if user.token_generation != verified.generation {
        return Err(unauthorized(
            "the token was revoked by a password change: log in again (`faasctl login`)",
        ));
    }
    if user.deleting_since.is_some() && !while_deleting {
        return Err(unauthorized("the token's account is being deleted"));
    }
    Ok(Authenticated {
        jti: verified.jti,
        expires_at: verified.expires_at,
        user,
        revision,
    })
}

/// `POST /v1/auth/logout`: puts the token on the deny-list until it expires.
#[utoipa::path(post, path = faas_shared::paths::LOGOUT, tag = "users", security(("bearer" = [])),
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
#[utoipa::path(put, path = faas_shared::paths::PASSWORD, tag = "users", security(("bearer" = [])), request_body = PasswordChange,
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
#[utoipa::path(delete, path = faas_shared::paths::ME, tag = "users", security(("bearer" = [])), request_body = AccountDeletion,
    responses((status = 204, description = "The account, its functions and its activation records are gone")))]
pub async fn delete_account(
    State(state): State<Arc<AppState>>,
    session: DeletingSession,
    JsonBody(deletion): JsonBody<AccountDeletion>,
) -> Result<StatusCode, AppError> {
    let session = session.0;
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
    let removed = state
        .store
        .remove_owned(&state.jetstream, &username)
        .await?;
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

/// The session of `DELETE /v1/users/me`, which also accepts the token of an
/// account whose deletion was interrupted, so that it can be finished.
pub struct DeletingSession(Authenticated);

impl axum::extract::FromRequestParts<Arc<AppState>> for DeletingSession {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        let token = super::extract::session_token(parts)?;
        authenticate(state, token, true).await.map(Self)
    }
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
