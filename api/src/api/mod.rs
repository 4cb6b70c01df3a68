//! The HTTP layer of API v1: the route table (`routes.rs`), the router built from
//! it, one module per resource, `extract` for what their handlers take from a
//! request (the bearer check among it), and the OpenAPI document.

mod account;
mod activations;
mod extract;
mod functions;
mod invoke;
mod keys;
mod media;
mod meta;
pub mod openapi;
mod routes;
mod schema_rules;
mod secrets;
mod users;

pub use extract::Access;
pub use routes::{ROUTES, Route};

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::routing::MethodFilter;
use axum::{Extension, Router};
use faas_shared::ErrorCode;
use tower_http::trace::TraceLayer;

use crate::error::AppError;
use crate::state::AppState;

/// Every route of [`ROUTES`], each behind the bearer check its access names.
pub fn router(state: Arc<AppState>) -> Router {
    let mut router = Router::new();
    for route in ROUTES {
        let filter = MethodFilter::try_from(route.method.clone())
            .expect("the route table's methods are standard ones");
        let check = axum::middleware::from_fn_with_state(
            (state.clone(), route.access),
            extract::check_bearer,
        );
        router = router.route(route.path, (route.handler)(filter).route_layer(check));
    }
    router
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(Extension(meta::OpenApiJson(openapi::served_json())))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            extract::read_whole_body,
        ))
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
