//! The HTTP routes of API v1: one module per resource, and `extract` for what
//! their handlers take from a request.

mod account;
mod activations;
mod extract;
mod functions;
mod health;
mod invoke;
mod keys;
pub mod openapi;
mod secrets;
mod users;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{delete, get, post, put};
use faas_shared::ErrorCode;
use faas_shared::paths;
use tower_http::trace::TraceLayer;

use crate::error::AppError;
use crate::state::AppState;

/// Every route the server serves, as (method, path, needs a token). The gateway
/// configuration is checked against this list.
pub const ROUTES: &[(&str, &str, bool)] = &[
    ("POST", paths::USERS, false),
    ("POST", paths::LOGIN, false),
    ("POST", paths::LOGOUT, true),
    ("PUT", paths::PASSWORD, true),
    ("DELETE", paths::ME, true),
    ("GET", paths::FUNCTIONS, true),
    ("GET", paths::FUNCTION, true),
    ("PUT", paths::FUNCTION, true),
    ("DELETE", paths::FUNCTION, true),
    ("POST", paths::INVOKE, true),
    ("GET", paths::ACTIVATIONS, true),
    ("GET", paths::ACTIVATION, true),
    ("GET", paths::SECRETS, true),
    ("PUT", paths::SECRET, true),
    ("DELETE", paths::SECRET, true),
    ("POST", paths::KEYS, true),
    ("GET", paths::KEYS, true),
    ("DELETE", paths::KEY, true),
    ("GET", paths::HEALTHZ, false),
    ("GET", paths::READYZ, false),
    ("GET", paths::OPENAPI, false),
];

/// The routes of [`ROUTES`] that also accept an API key as the bearer (those whose
/// handlers take `AuthUser`); the others that need a token want a session. The
/// gateway lets keys through to exactly these.
pub const API_KEY_ROUTES: &[(&str, &str)] = &[
    ("GET", paths::FUNCTIONS),
    ("GET", paths::FUNCTION),
    ("PUT", paths::FUNCTION),
    ("DELETE", paths::FUNCTION),
    ("POST", paths::INVOKE),
    ("GET", paths::ACTIVATIONS),
    ("GET", paths::ACTIVATION),
];

pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route(paths::USERS, post(users::register))
        .route(paths::LOGIN, post(users::login))
        .route(paths::LOGOUT, post(account::logout))
        .route(paths::PASSWORD, put(account::change_password))
        .route(paths::ME, delete(account::delete_account))
        .route(paths::FUNCTIONS, get(functions::list))
        .route(
            paths::FUNCTION,
            get(functions::get)
                .put(functions::put)
                .delete(functions::delete),
        )
        .route(paths::INVOKE, post(invoke::invoke))
        .route(paths::ACTIVATIONS, get(activations::list))
        .route(paths::ACTIVATION, get(activations::get))
        .route(paths::SECRETS, get(secrets::list))
        .route(paths::SECRET, put(secrets::put).delete(secrets::delete))
        .route(paths::KEYS, post(keys::create).get(keys::list))
        .route(paths::KEY, delete(keys::delete))
        .route(paths::HEALTHZ, get(health::healthz))
        .route(paths::READYZ, get(health::readyz))
        .route(paths::OPENAPI, get(openapi::document))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn(extract::read_whole_body))
        .layer(DefaultBodyLimit::max(extract::MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            extract::limit_headers,
        ))
        .layer(axum::middleware::from_fn(crate::metrics::track))
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
