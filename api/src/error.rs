//! Turning failures into the API's JSON error shape.
//!
//! Every handler returns `Result<_, AppError>`. Anything that is not a deliberate
//! `ApiError` is logged with its detail and answered as a generic 500, so internals
//! never leak to clients.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use faas_shared::{ApiError, ErrorBody, ErrorCode};

#[derive(Debug)]
pub struct AppError {
    error: ApiError,
    retry_after_secs: Option<u64>,
}

impl AppError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError::new(code, message).into()
    }

    /// The store (NATS) could not be reached or answered with an error.
    pub fn backend(context: &str, err: impl std::fmt::Display) -> Self {
        tracing::warn!(%err, "{context}");
        Self::new(
            ErrorCode::BackendUnavailable,
            format!("{context}: the message store is unavailable, try again shortly"),
        )
    }

    /// A bug or an impossible state: logged in full, answered without detail.
    pub fn internal(context: &str, err: impl std::fmt::Display) -> Self {
        tracing::error!(%err, "{context}");
        Self::new(ErrorCode::Internal, "internal error")
    }

    pub fn with_retry_after(mut self, secs: u64) -> Self {
        self.retry_after_secs = Some(secs);
        self
    }

    pub fn code(&self) -> ErrorCode {
        self.error.code
    }
}

impl From<ApiError> for AppError {
    fn from(error: ApiError) -> Self {
        Self {
            error,
            retry_after_secs: None,
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.error.code.http_status())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let code = self.error.code;
        let mut response = (status, axum::Json(ErrorBody { error: self.error })).into_response();
        // For the metrics middleware, which counts errors by code.
        response.extensions_mut().insert(code);
        if let Some(secs) = self.retry_after_secs {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"faas\""),
            );
        }
        response
    }
}
