//! What handlers take from a request, with every rejection in the API's JSON error
//! shape and a stable code instead of axum's plain-text ones.
//!
//! Bodies are read as bytes and parsed here rather than with axum's `Json`
//! extractor, so that a bad body says what is wrong with it.

use std::sync::Arc;

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use faas_shared::ErrorCode;
use faas_shared::keys::KeySecret;
use serde::de::DeserializeOwned;

use super::MAX_BODY_BYTES;
use super::account::{Authenticated, authenticate};
use super::keys::authenticate_key;
use crate::error::AppError;
use crate::state::AppState;

/// The authenticated caller of a protected route. Extracting it verifies the
/// `Authorization: Bearer` header, a session token checked against the store
/// ([`authenticate`]) or an API key ([`authenticate_key`]); a missing, bad,
/// revoked or expired one is a 401.
#[derive(Debug, Clone)]
pub struct AuthUser(pub String);

impl FromRequestParts<Arc<AppState>> for AuthUser {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer_token(parts)?;
        if KeySecret::looks_like_key(token) {
            return authenticate_key(state, token).await.map(AuthUser);
        }
        let session = authenticate(state, token, false).await?;
        Ok(AuthUser(session.user.username))
    }
}

/// A session token only (no API key), checked as for [`AuthUser`], keeping what the
/// account and key routes need: the token's id and the user record.
pub struct Session(pub Authenticated);

impl FromRequestParts<Arc<AppState>> for Session {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        let token = session_token(parts)?;
        authenticate(state, token, false).await.map(Session)
    }
}

/// The bearer of a route that needs a session from a login: an API key is refused.
pub fn session_token(parts: &Parts) -> Result<&str, AppError> {
    let token = bearer_token(parts)?;
    if KeySecret::looks_like_key(token) {
        return Err(AppError::new(
            ErrorCode::Unauthorized,
            "an API key cannot manage the account or API keys: use a session token (`faasctl login`)",
        ));
    }
    Ok(token)
}

/// The token of the `Authorization: Bearer <token>` header.
pub fn bearer_token(parts: &Parts) -> Result<&str, AppError> {
    let unauthorized = |message: &str| AppError::new(ErrorCode::Unauthorized, message);
    let value = parts
        .headers
        .get(header::AUTHORIZATION)
        .ok_or_else(|| unauthorized("missing Authorization header: send `Authorization: Bearer <token>` (get a token with POST /v1/auth/login)"))?;
    let value = value
        .to_str()
        .map_err(|_| unauthorized("the Authorization header is not valid text"))?;
    match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => Ok(token.trim()),
        _ => Err(unauthorized(
            "the Authorization header must be `Bearer <token>`",
        )),
    }
}

/// The raw request body, with size and read failures in the API's error shape.
pub struct Body(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for Body {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        Bytes::from_request(req, state)
            .await
            .map(Body)
            .map_err(|rejection| {
                if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                    AppError::new(
                        ErrorCode::PayloadTooLarge,
                        format!(
                            "request body larger than {} MiB",
                            MAX_BODY_BYTES / (1024 * 1024)
                        ),
                    )
                } else {
                    AppError::new(
                        ErrorCode::BadRequest,
                        format!("cannot read the request body: {rejection}"),
                    )
                }
            })
    }
}

/// Middleware: reads the whole request body (up to the body limit) before any
/// extractor or handler answers. An answer given before the body has arrived (a 401
/// from the token check, a 404 for an unknown function) would otherwise make hyper
/// close the connection with the body unread, and the client, still sending it, gets
/// a connection reset instead of the answer (schemathesis found this).
pub async fn read_whole_body(request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    match Body::from_request(Request::from_parts(parts.clone(), body), &()).await {
        Ok(Body(bytes)) => {
            next.run(Request::from_parts(parts, axum::body::Body::from(bytes)))
                .await
        }
        Err(error) => error.into_response(),
    }
}

/// A JSON body. Parse errors name the problem (`missing field `password` at line 1
/// column 20`) so the client can fix it.
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let Body(bytes) = Body::from_request(req, state).await?;
        parse_json(&bytes).map(JsonBody)
    }
}

pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    serde_json::from_slice(bytes)
        .map_err(|e| AppError::new(ErrorCode::BadRequest, format!("invalid JSON body: {e}")))
}
