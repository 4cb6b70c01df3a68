//! `POST /v1/functions/{name}/invoke`
//!
//! The parameter is `{"param": "..."}` with `Content-Type: application/json`, or any
//! other body taken verbatim (so `curl --data-binary @file` works). The answer is the
//! `Activation` as JSON, or with `Accept: text/plain` the raw result with the rest in
//! `X-Faas-*` headers. With `?async=true` the answer is `202` with the activation id
//! at once; the record is at `GET /v1/activations/{id}` when it has finished.

use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use faas_shared::activation::ActivationResult;
use faas_shared::{Activation, ActivationAccepted, ApiError, ErrorCode, InvokeRequest, ParamMode};
use serde::Deserialize;

use super::extract::{Account, AuthUser, Body, PathName, parse_json};
use super::media::{is_json_body, prefers_text};
use crate::error::AppError;
use crate::state::AppState;

#[derive(Debug, Deserialize)]
pub struct InvokeQuery {
    #[serde(default, rename = "async")]
    asynchronous: bool,
}

#[utoipa::path(post, path = faas_shared::paths::INVOKE, tag = "functions",
    params(("name" = String, Path, description = "The function's name", pattern = "^[a-z0-9][a-z0-9_-]{0,62}$", example = "reverse"),
        ("async" = Option<bool>, Query, description = "Answer 202 at once; the record is at the `Location` when it has finished")),
    request_body(description = "The parameter: `{\"param\": \"...\"}` as JSON, or any other body taken verbatim as UTF-8 text",
        content((InvokeRequest = "application/json", example = json!({"param": "hello"})), (String = "text/plain", example = "hello"))),
    responses(
        (status = 200, description = "The function exited 0. With `Accept: text/plain`, its stdout alone, the rest in `X-Faas-*` headers",
            content((Activation = "application/json"), (String = "text/plain"))),
        (status = 202, description = "Queued (`?async=true`)", body = ActivationAccepted,
            headers(("Location" = String, description = "The activation record's path")))))]
pub async fn invoke(
    State(state): State<Arc<AppState>>,
    AuthUser(user): AuthUser,
    Account(account): Account,
    PathName(name): PathName,
    query: Result<Query<InvokeQuery>, QueryRejection>,
    headers: HeaderMap,
    Body(body): Body,
) -> Result<Response, AppError> {
    let Query(query) = query.map_err(|e| {
        AppError::new(
            ErrorCode::BadRequest,
            format!("invalid query: {e} (use ?async=true)"),
        )
    })?;
    let function = super::functions::find(&state, &user, &name).await?;
    let param = param_from_body(&headers, &body)?;
    let limit = function.param_mode.max_param_bytes();
    if param.len() > limit {
        let hint = match function.param_mode {
            ParamMode::Stdin => String::new(),
            ParamMode::Argv | ParamMode::Env => format!(
                " (register the function with param_mode \"stdin\" for up to {} bytes)",
                faas_shared::MAX_PARAM_BYTES_STDIN
            ),
        };
        return Err(AppError::new(
            ErrorCode::ParamTooLarge,
            format!(
                "the parameter is {} bytes; param_mode \"{}\" takes at most {limit} bytes{hint}",
                param.len(),
                function.param_mode.as_str(),
            ),
        ));
    }
    if function.param_mode != ParamMode::Stdin && param.contains('\0') {
        return Err(AppError::new(
            ErrorCode::InvalidParam,
            format!(
                "the parameter contains a NUL byte, which param_mode \"{}\" cannot carry (the kernel ends every argument and environment string at NUL); register the function with param_mode \"stdin\" to pass any bytes",
                function.param_mode.as_str()
            ),
        ));
    }
    // Checked here so the caller hears at once; the worker looks again when it
    // runs (a secret may be deleted in between).
    if let Some(missing) = state
        .store
        .missing_secrets(&user, &function.secrets)
        .await?
        .first()
    {
        return Err(AppError::new(
            ErrorCode::SecretNotFound,
            format!(
                "function {name} reads secret {missing:?}, which you have not set: set it with `faasctl secret set {missing}` (PUT /v1/secrets/{missing})"
            ),
        ));
    }
    let new_account = account.is_new(state.limits.new_account_age);
    if query.asynchronous {
        let activation_id =
            crate::dispatch::submit(&state, &user, new_account, &function, param).await?;
        let location = faas_shared::paths::fill(faas_shared::paths::ACTIVATION, &activation_id);
        let mut response = (
            StatusCode::ACCEPTED,
            Json(ActivationAccepted {
                activation_id,
                location: location.clone(),
            }),
        )
            .into_response();
        if let Ok(value) = HeaderValue::from_str(&location) {
            response.headers_mut().insert(header::LOCATION, value);
        }
        return Ok(response);
    }
    let result = crate::dispatch::invoke(&state, &user, new_account, &function, param).await?;
    respond(result, prefers_text(&headers))
}

fn param_from_body(headers: &HeaderMap, body: &[u8]) -> Result<String, AppError> {
    if is_json_body(headers)? {
        if body.is_empty() {
            return Ok(String::new());
        }
        return parse_json::<InvokeRequest>(body).map(|r| r.param);
    }
    String::from_utf8(body.to_vec()).map_err(|_| {
        AppError::new(
            ErrorCode::BadRequest,
            "the parameter must be UTF-8 text (send binary data base64-encoded)",
        )
    })
}

/// Answers with the activation: 200 on success, else the error its outcome maps to
/// (502 function failure or `image_unavailable`, 504 timeout, 503
/// `backend_unavailable`), carrying the activation so output and exit code are never
/// lost.
fn respond(result: ActivationResult, wants_text: bool) -> Result<Response, AppError> {
    let activation = result.activation;
    if let Some(mut error) = ApiError::from_outcome(&activation, result.failure.as_ref()) {
        error.activation = Some(Box::new(activation));
        return Err(error.into());
    }
    if wants_text {
        let headers = activation_headers(&activation);
        return Ok((StatusCode::OK, headers, activation.result).into_response());
    }
    Ok((StatusCode::OK, Json(activation)).into_response())
}

fn activation_headers(activation: &Activation) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    let mut set = |name: &'static str, value: String| {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    };
    set("x-faas-activation-id", activation.activation_id.clone());
    set("x-faas-status", activation.status.as_str().into());
    set("x-faas-duration-ms", activation.duration_ms.to_string());
    if let Some(code) = activation.exit_code {
        set("x-faas-exit-code", code.to_string());
    }
    headers
}
