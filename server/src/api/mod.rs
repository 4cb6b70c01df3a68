//! The HTTP routes of API v1 and the pieces they share.
//!
//! Request bodies are read as bytes and parsed here rather than with axum's `Json`
//! extractor, so that every bad body gets the API's JSON error shape and a stable
//! code instead of axum's plain-text rejection.

mod activations;
mod functions;
mod health;
mod invoke;
mod users;

use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRequest, Request};
use axum::routing::{get, post};
use bytes::Bytes;
use faas_shared::ErrorCode;
use serde::de::DeserializeOwned;
use tower_http::trace::TraceLayer;

use crate::AppState;
use crate::error::AppError;

/// Largest request body: a stdin parameter of 6 MiB, JSON-escaped, fits.
const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// Every route the server serves, as (method, path, needs a token). The gateway
/// configuration is checked against this list.
pub const ROUTES: &[(&str, &str, bool)] = &[
    ("POST", "/v1/users", false),
    ("POST", "/v1/auth/login", false),
    ("GET", "/v1/functions", true),
    ("GET", "/v1/functions/{name}", true),
    ("PUT", "/v1/functions/{name}", true),
    ("DELETE", "/v1/functions/{name}", true),
    ("POST", "/v1/functions/{name}/invoke", true),
    ("GET", "/v1/activations", true),
    ("GET", "/v1/activations/{id}", true),
    ("GET", "/healthz", false),
    ("GET", "/readyz", false),
];

pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/v1/users", post(users::register))
        .route("/v1/auth/login", post(users::login))
        .route("/v1/functions", get(functions::list))
        .route(
            "/v1/functions/{name}",
            get(functions::get)
                .put(functions::put)
                .delete(functions::delete),
        )
        .route("/v1/functions/{name}/invoke", post(invoke::invoke))
        .route("/v1/activations", get(activations::list))
        .route("/v1/activations/{id}", get(activations::get))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

async fn not_found() -> AppError {
    AppError::new(
        ErrorCode::NotFound,
        "no such route: see the API reference in docs/",
    )
}

async fn method_not_allowed() -> AppError {
    AppError::new(
        ErrorCode::MethodNotAllowed,
        "method not allowed on this route",
    )
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
