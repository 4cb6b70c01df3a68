//! Registration and login.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::Utc;
use faas_shared::names::{
    MAX_PASSWORD_LEN, is_too_long_password, validate_new_username, validate_password,
    validate_username,
};
use faas_shared::{Credentials, ErrorCode, Registration, TokenResponse, UserInfo};

use super::extract::{ClientAddr, JsonBody};
use crate::auth::{hash_password, verify_password};
use crate::error::AppError;
use crate::state::AppState;
use crate::store::StoredUser;

/// `POST /v1/users`
///
/// Who may register is `FAAS_REGISTRATION`'s: anyone (`open`), only with a
/// single-use invite code the operator made (`invite`), or nobody (`closed`). An
/// invite given while registration is open is taken too, and makes the account
/// an invited one (never a new account, whatever its age).
#[utoipa::path(post, path = faas_shared::paths::USERS, tag = "users", request_body = Registration,
    responses((status = 201, description = "Registered; log in next", body = UserInfo)))]
pub async fn register(
    State(state): State<Arc<AppState>>,
    client: ClientAddr,
    JsonBody(registration): JsonBody<Registration>,
) -> Result<(StatusCode, Json<UserInfo>), AppError> {
    use crate::config::Registration as Mode;
    let mode = state.throttle.limits.registration;
    if mode == Mode::Closed {
        return Err(AppError::new(
            ErrorCode::RegistrationClosed,
            "this platform takes no registrations: ask its operator for an account",
        ));
    }
    validate_new_username(&registration.username)?;
    validate_password(&registration.password)?;
    if mode == Mode::Invite && registration.invite.is_none() {
        return Err(AppError::new(
            ErrorCode::InviteRequired,
            "registration is by invitation: send the operator's code as \"invite\" (`faasctl register --invite CODE`)",
        ));
    }
    state.throttle.register(client.0)?;
    let taken = match &registration.invite {
        Some(code) => Some((
            code.clone(),
            state
                .store
                .take_invite(code, &registration.username)
                .await?,
        )),
        None => None,
    };
    let hashed = state
        .throttle
        .hashing(hash_password(registration.password))
        .await;
    let user = match hashed {
        Ok(password_hash) => StoredUser {
            username: registration.username,
            password_hash,
            created_at: Utc::now(),
            token_generation: StoredUser::new_token_generation(),
            deleting_since: None,
            invited: taken.is_some(),
        },
        Err(e) => {
            if let Some((code, revision)) = &taken {
                state.store.give_back(code, *revision).await;
            }
            return Err(e);
        }
    };
    if let Err(e) = state.store.create_user(&user).await {
        if let Some((code, revision)) = &taken {
            state.store.give_back(code, *revision).await;
        }
        return Err(e);
    }
    tracing::info!(username = %user.username, "user registered");
    Ok((
        StatusCode::CREATED,
        Json(UserInfo {
            username: user.username,
        }),
    ))
}

/// `POST /v1/auth/login`. Unknown user and wrong password get the same answer in
/// about the same time, so usernames cannot be probed.
#[utoipa::path(post, path = faas_shared::paths::LOGIN, tag = "users", request_body = Credentials,
    responses((status = 200, description = "A session token", body = TokenResponse)))]
pub async fn login(
    State(state): State<Arc<AppState>>,
    client: ClientAddr,
    JsonBody(credentials): JsonBody<Credentials>,
) -> Result<Json<TokenResponse>, AppError> {
    // No password longer than registration accepts is ever hashed.
    if is_too_long_password(&credentials.password) {
        return Err(AppError::new(
            ErrorCode::BadRequest,
            format!("password too long: at most {MAX_PASSWORD_LEN} characters"),
        ));
    }
    state.throttle.login(&credentials.username, client.0)?;
    let user = if validate_username(&credentials.username).is_ok() {
        state.store.user(&credentials.username).await?
    } else {
        None
    };
    let hash = user.as_ref().map_or_else(
        || state.decoy_password_hash.clone(),
        |u| u.password_hash.clone(),
    );
    let matches = state
        .throttle
        .hashing(verify_password(credentials.password, hash))
        .await?;
    let Some(user) = user.filter(|u| matches && u.deleting_since.is_none()) else {
        return Err(AppError::new(
            ErrorCode::InvalidCredentials,
            "wrong username or password",
        ));
    };
    let (token, expires_at) = state.tokens.issue(&user.username, &user.token_generation)?;
    Ok(Json(TokenResponse {
        token,
        token_type: "Bearer".into(),
        expires_at,
    }))
}
