//! Every route of API v1 in one table, [`ROUTES`]: method, path, who may call it,
//! the error codes it may answer, and its handler. The router takes its routes and
//! their bearer checks from it, the OpenAPI document each operation's security and
//! error responses, and the tests what they check the server, the document and the
//! gateway's configuration against.
//!
//! Adding a route: a row here, and its handler (with `#[utoipa::path]`) listed in
//! `openapi::ApiDoc`; the tests in `api/tests/openapi.rs` name the route until the
//! document and the table agree.

use std::sync::Arc;

use axum::http::Method;
use axum::routing::{MethodFilter, MethodRouter, on};
use faas_shared::{ErrorCode, paths};

use super::extract::Access;
use super::{account, activations, functions, invoke, keys, meta, secrets, users};
use crate::state::AppState;

/// One route of [`ROUTES`].
pub struct Route {
    pub method: Method,
    /// The axum path pattern, one of `faas_shared::paths`.
    pub path: &'static str,
    pub access: Access,
    /// What it can answer besides its successes. Codes sent with `Retry-After` are
    /// 429 and 503 ones; `internal` (500) is never listed: it must never happen.
    /// `headers_too_large` (431) and `request_timeout` (408) are every route's (the
    /// header-size middleware, the body read).
    pub errors: &'static [ErrorCode],
    /// Its handler, for the method filter of [`Route::method`].
    pub(super) handler: fn(MethodFilter) -> MethodRouter<Arc<AppState>>,
}

/// Every route the server serves.
pub const ROUTES: &[Route] = {
    use ErrorCode::*;
    &[
        Route {
            method: Method::POST,
            path: paths::USERS,
            access: Access::Public,
            errors: &[
                BadRequest,
                InvalidUsername,
                UsernameReserved,
                WeakPassword,
                RegistrationClosed,
                InviteRequired,
                UserExists,
                PayloadTooLarge,
                RateLimited,
                BackendUnavailable,
            ],
            handler: |m| on(m, users::register),
        },
        Route {
            method: Method::POST,
            path: paths::LOGIN,
            access: Access::Public,
            errors: &[
                BadRequest,
                InvalidCredentials,
                PayloadTooLarge,
                RateLimited,
                BackendUnavailable,
            ],
            handler: |m| on(m, users::login),
        },
        Route {
            method: Method::POST,
            path: paths::LOGOUT,
            access: Access::Session,
            errors: &[Unauthorized, TokenExpired, BackendUnavailable],
            handler: |m| on(m, account::logout),
        },
        Route {
            method: Method::PUT,
            path: paths::PASSWORD,
            access: Access::Session,
            errors: &[
                BadRequest,
                WeakPassword,
                Unauthorized,
                TokenExpired,
                WrongPassword,
                PayloadTooLarge,
                BackendUnavailable,
            ],
            handler: |m| on(m, account::change_password),
        },
        Route {
            method: Method::DELETE,
            path: paths::ME,
            access: Access::DeletingSession,
            errors: &[
                BadRequest,
                Unauthorized,
                TokenExpired,
                WrongPassword,
                PayloadTooLarge,
                BackendUnavailable,
            ],
            handler: |m| on(m, account::delete_account),
        },
        Route {
            method: Method::GET,
            path: paths::FUNCTIONS,
            access: Access::SessionOrKey,
            errors: &[
                BadRequest,
                InvalidName,
                Unauthorized,
                TokenExpired,
                BackendUnavailable,
            ],
            handler: |m| on(m, functions::list),
        },
        Route {
            method: Method::GET,
            path: paths::FUNCTION,
            access: Access::SessionOrKey,
            errors: &[
                InvalidName,
                Unauthorized,
                TokenExpired,
                FunctionNotFound,
                BackendUnavailable,
            ],
            handler: |m| on(m, functions::get),
        },
        Route {
            method: Method::PUT,
            path: paths::FUNCTION,
            access: Access::SessionOrKey,
            errors: &[
                BadRequest,
                InvalidName,
                InvalidImage,
                ImageNotAllowed,
                InvalidSpec,
                Unservable,
                Unauthorized,
                TokenExpired,
                QuotaExceeded,
                PayloadTooLarge,
                BackendUnavailable,
            ],
            handler: |m| on(m, functions::put),
        },
        Route {
            method: Method::DELETE,
            path: paths::FUNCTION,
            access: Access::SessionOrKey,
            errors: &[
                InvalidName,
                Unauthorized,
                TokenExpired,
                FunctionNotFound,
                BackendUnavailable,
            ],
            handler: |m| on(m, functions::delete),
        },
        Route {
            method: Method::POST,
            path: paths::INVOKE,
            access: Access::SessionOrKey,
            errors: &[
                BadRequest,
                InvalidName,
                InvalidParam,
                Unauthorized,
                TokenExpired,
                FunctionNotFound,
                PayloadTooLarge,
                ParamTooLarge,
                ConcurrencyLimit,
                FunctionConcurrencyLimit,
                SecretNotFound,
                FunctionFailed,
                ImageUnavailable,
                NoCapacity,
                BackendUnavailable,
                FunctionTimeout,
            ],
            handler: |m| on(m, invoke::invoke),
        },
        Route {
            method: Method::GET,
            path: paths::ACTIVATIONS,
            access: Access::SessionOrKey,
            errors: &[
                BadRequest,
                InvalidName,
                Unauthorized,
                TokenExpired,
                BackendUnavailable,
            ],
            handler: |m| on(m, activations::list),
        },
        Route {
            method: Method::GET,
            path: paths::ACTIVATION,
            access: Access::SessionOrKey,
            errors: &[
                BadRequest,
                Unauthorized,
                TokenExpired,
                ActivationNotFound,
                BackendUnavailable,
            ],
            handler: |m| on(m, activations::get),
        },
        Route {
            method: Method::GET,
            path: paths::SECRETS,
            access: Access::Session,
            errors: &[Unauthorized, TokenExpired, BackendUnavailable],
            handler: |m| on(m, secrets::list),
        },
        Route {
            method: Method::PUT,
            path: paths::SECRET,
            access: Access::Session,
            errors: &[
                BadRequest,
                InvalidName,
                Unauthorized,
                TokenExpired,
                QuotaExceeded,
                PayloadTooLarge,
                BackendUnavailable,
            ],
            handler: |m| on(m, secrets::put),
        },
        Route {
            method: Method::DELETE,
            path: paths::SECRET,
            access: Access::Session,
            errors: &[
                InvalidName,
                Unauthorized,
                TokenExpired,
                SecretNotFound,
                BackendUnavailable,
            ],
            handler: |m| on(m, secrets::delete),
        },
        Route {
            method: Method::POST,
            path: paths::KEYS,
            access: Access::Session,
            errors: &[
                BadRequest,
                InvalidName,
                Unauthorized,
                TokenExpired,
                QuotaExceeded,
                KeyExists,
                PayloadTooLarge,
                BackendUnavailable,
            ],
            handler: |m| on(m, keys::create),
        },
        Route {
            method: Method::GET,
            path: paths::KEYS,
            access: Access::Session,
            errors: &[Unauthorized, TokenExpired, BackendUnavailable],
            handler: |m| on(m, keys::list),
        },
        Route {
            method: Method::DELETE,
            path: paths::KEY,
            access: Access::Session,
            errors: &[
                InvalidName,
                Unauthorized,
                TokenExpired,
                NotFound,
                BackendUnavailable,
            ],
            handler: |m| on(m, keys::delete),
        },
        Route {
            method: Method::GET,
            path: paths::HEALTHZ,
            access: Access::Public,
            errors: &[],
            handler: |m| on(m, meta::healthz),
        },
        Route {
            method: Method::GET,
            path: paths::READYZ,
            access: Access::Public,
            // Its 503 is the Health body, in the handler's attribute.
            errors: &[],
            handler: |m| on(m, meta::readyz),
        },
        Route {
            method: Method::GET,
            path: paths::OPENAPI,
            access: Access::Public,
            errors: &[],
            handler: |m| on(m, meta::document),
        },
    ]
};
