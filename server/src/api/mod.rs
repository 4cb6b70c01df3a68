//! The HTTP routes of API v1: one module per resource, and `extract` for what
//! their handlers take from a request.

mod activations;
mod extract;
mod functions;
mod health;
mod invoke;
mod users;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use faas_shared::ErrorCode;
use tower_http::trace::TraceLayer;

use crate::error::AppError;
use crate::state::AppState;

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
