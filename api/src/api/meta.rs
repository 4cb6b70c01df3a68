//! The routes about the API itself (OpenAPI tag `meta`): liveness and readiness
//! probes for the gateway and orchestrators, and the OpenAPI document.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::{Extension, Json};
use faas_shared::Health;
use faas_shared::nats::ACTIVATIONS_STREAM;
use faas_shared::paths;

use crate::state::AppState;

/// `GET /healthz`: the process is up.
#[utoipa::path(get, path = faas_shared::paths::HEALTHZ, tag = "meta",
    responses((status = 200, description = "The process is up", body = Health)))]
pub async fn healthz() -> Json<Health> {
    Json(Health {
        status: "ok".into(),
        problems: vec![],
    })
}

/// `GET /readyz`: NATS is connected and the activation stream answers, so requests
/// can be served. 503 otherwise, with the reasons.
#[utoipa::path(get, path = faas_shared::paths::READYZ, tag = "meta",
    responses((status = 200, description = "Ready to serve", body = Health), (status = 503, description = "Not ready; `problems` says why", body = Health)))]
pub async fn readyz(State(state): State<Arc<AppState>>) -> (StatusCode, Json<Health>) {
    let mut problems = Vec::new();
    if state.nats.connection_state() != async_nats::connection::State::Connected {
        problems.push("not connected to NATS".to_owned());
    } else {
        let probe = tokio::time::timeout(
            Duration::from_secs(2),
            state.jetstream.get_stream(ACTIVATIONS_STREAM),
        )
        .await;
        match probe {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => problems.push(format!("activation stream unavailable: {e}")),
            Err(_) => problems.push("JetStream did not answer within 2 s".to_owned()),
        }
    }
    let status = if problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let label = if problems.is_empty() {
        "ok"
    } else {
        "unavailable"
    };
    (
        status,
        Json(Health {
            status: label.into(),
            problems,
        }),
    )
}

/// The OpenAPI document's JSON, which the router hands [`document`] (the document
/// lists this module's handlers, so this module cannot make it).
#[derive(Clone, Copy)]
pub struct OpenApiJson(pub &'static str);

/// `GET /v1/openapi.json`: this API's OpenAPI 3.1 document.
#[utoipa::path(
    get,
    path = paths::OPENAPI,
    tag = "meta",
    responses((status = 200, description = "The OpenAPI 3.1 document of this API", content_type = "application/json", body = Object)),
)]
pub async fn document(Extension(OpenApiJson(json)): Extension<OpenApiJson>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], json)
}
