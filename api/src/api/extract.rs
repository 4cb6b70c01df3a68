//! What handlers take from a request (the caller, the client's address, the body),
//! with every rejection in the API's JSON error shape and a stable code instead of
//! axum's plain-text ones; and what no request gets past: headers over the size
//! limit, and answers before the whole body is read.
//!
//! Bodies are read as bytes and parsed here rather than with axum's `Json`
//! extractor, so that a bad body says what is wrong with it.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Path, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use faas_shared::ErrorCode;
use faas_shared::keys::KeySecret;
use futures::StreamExt;
use serde::de::DeserializeOwned;

use crate::auth::{Authenticated, authenticate, authenticate_key};
use crate::config::{Cidr, canonical, masked};
use crate::error::AppError;
use crate::state::AppState;
use crate::store::StoredUser;

/// Largest request body: a stdin parameter of 6 MiB, JSON-escaped, fits.
pub const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// Who may call a route (the route table's column): what [`check_bearer`] checks
/// the `Authorization: Bearer` header for before the handler runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone; no bearer is read.
    Public,
    /// A session token from a login. An API key is refused, so a leaked key cannot
    /// manage the account, mint more keys or touch the secrets.
    Session,
    /// A session token, also of an account whose deletion was interrupted, so that
    /// the same request can finish it (`DELETE /v1/users/me`).
    DeletingSession,
    /// A session token or an API key (for CI): the function, invocation and
    /// activation routes.
    SessionOrKey,
}

impl Access {
    /// Whether the route wants a bearer at all (the gateway's `jwt-auth`, the
    /// document's `security`).
    pub fn needs_token(self) -> bool {
        self != Access::Public
    }

    /// Whether an API key is accepted as the bearer.
    pub fn takes_api_key(self) -> bool {
        self == Access::SessionOrKey
    }
}

/// Middleware of every route: checks the `Authorization: Bearer` header as the
/// route's [`Access`] says, before the handler runs, and leaves the caller in the
/// request's extensions for [`AuthUser`] and [`Session`]. A session token is
/// checked against the store ([`authenticate`]), an API key too
/// ([`authenticate_key`]); a missing, bad, revoked or expired one is a 401.
pub async fn check_bearer(
    State((state, access)): State<(Arc<AppState>, Access)>,
    mut request: Request,
    next: Next,
) -> Response {
    match caller(&state, access, request.headers()).await {
        Ok(Some(caller)) => {
            request.extensions_mut().insert(caller);
            next.run(request).await
        }
        Ok(None) => next.run(request).await,
        Err(error) => error.into_response(),
    }
}

/// Who [`check_bearer`] found calling; `None` on a public route.
async fn caller(
    state: &AppState,
    access: Access,
    headers: &HeaderMap,
) -> Result<Option<Caller>, AppError> {
    let token = match access {
        Access::Public => return Ok(None),
        Access::SessionOrKey => bearer_token(headers)?,
        Access::Session | Access::DeletingSession => session_token(headers)?,
    };
    if access.takes_api_key() && KeySecret::looks_like_key(token) {
        let (owner, user) = authenticate_key(&state.store, token).await?;
        return Ok(Some(Caller::Key { owner, user }));
    }
    let session = authenticate(
        &state.tokens,
        &state.revocations,
        &state.store,
        token,
        access == Access::DeletingSession,
    )
    .await?;
    Ok(Some(Caller::Session(session)))
}

/// The caller [`check_bearer`] accepted, in the request's extensions.
#[derive(Clone)]
enum Caller {
    Session(Authenticated),
    Key { owner: String, user: StoredUser },
}

/// A handler asked for a caller its route's access does not check for: the
/// route table and the handler disagree (a bug, never the client's fault).
fn unchecked_caller() -> AppError {
    AppError::internal(
        "taking the caller",
        "the route table checks no bearer of this kind on this route",
    )
}

/// The caller of a route that needs a token: the user of the session, or the
/// owner of the API key.
#[derive(Debug, Clone)]
pub struct AuthUser(pub String);

impl<S: Send + Sync> FromRequestParts<S> for AuthUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<Caller>() {
            Some(Caller::Session(session)) => Ok(Self(session.user.username.clone())),
            Some(Caller::Key { owner, .. }) => Ok(Self(owner.clone())),
            None => Err(unchecked_caller()),
        }
    }
}

/// The caller's user record, as the bearer check read it (session or API key):
/// what admission needs to know of the account (its age, whether invited).
#[derive(Debug, Clone)]
pub struct Account(pub StoredUser);

impl<S: Send + Sync> FromRequestParts<S> for Account {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<Caller>() {
            Some(Caller::Session(session)) => Ok(Self(session.user.clone())),
            Some(Caller::Key { user, .. }) => Ok(Self(user.clone())),
            None => Err(unchecked_caller()),
        }
    }
}

/// The session of a route that takes no API key, with what the account and key
/// routes need: the token's id and the user record.
pub struct Session(pub Authenticated);

impl<S: Send + Sync> FromRequestParts<S> for Session {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<Caller>() {
            Some(Caller::Session(session)) => Ok(Self(session.clone())),
            _ => Err(unchecked_caller()),
        }
    }
}

/// The bearer of a route that needs a session from a login: an API key is refused.
fn session_token(headers: &HeaderMap) -> Result<&str, AppError> {
    let token = bearer_token(headers)?;
    if KeySecret::looks_like_key(token) {
        return Err(AppError::new(
            ErrorCode::Unauthorized,
            "an API key cannot manage the account or API keys: use a session token (`faasctl login`)",
        ));
    }
    Ok(token)
}

/// The token of the `Authorization: Bearer <token>` header.
fn bearer_token(headers: &HeaderMap) -> Result<&str, AppError> {
    let unauthorized = |message: &str| AppError::new(ErrorCode::Unauthorized, message);
    let value = headers
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

/// A name in the request's path (`/v1/functions/{name}`, secrets, keys): a segment
/// axum cannot decode (not UTF-8, e.g. `%FF`) is 400 `invalid_name` in the JSON
/// error shape, not axum's plain-text 400.
pub struct PathName(pub String);

impl<S: Send + Sync> FromRequestParts<S> for PathName {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        path_segment(parts, state, ErrorCode::InvalidName)
            .await
            .map(Self)
    }
}

/// An id in the request's path (`/v1/activations/{id}`): an undecodable segment is
/// 400 `bad_request` in the JSON error shape.
pub struct PathId(pub String);

impl<S: Send + Sync> FromRequestParts<S> for PathId {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        path_segment(parts, state, ErrorCode::BadRequest)
            .await
            .map(Self)
    }
}

/// The route's one path parameter, or `code` saying why it cannot be read.
async fn path_segment<S: Send + Sync>(
    parts: &mut Parts,
    state: &S,
    code: ErrorCode,
) -> Result<String, AppError> {
    Path::<String>::from_request_parts(parts, state)
        .await
        .map(|Path(segment)| segment)
        .map_err(|rejection| {
            AppError::new(
                code,
                format!(
                    "the path cannot be read: {} (names and ids are ASCII: a-z, 0-9, '_' and '-')",
                    rejection.body_text()
                ),
            )
        })
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
///
/// The read is bounded in time ([`BodyDeadline`]): a client that stops sending, or
/// sends too slowly, gets 408 `request_timeout` and its connection is closed,
/// instead of holding it (and a descriptor) for as long as it likes.
pub async fn read_whole_body(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    let limits = &state.throttle.limits;
    let deadline = BodyDeadline {
        timeout: limits.request_read_timeout,
        min_rate: limits.min_upload_rate,
    };
    let (parts, body) = request.into_parts();
    match read_body(body, &parts.headers, deadline).await {
        Ok(bytes) => {
            next.run(Request::from_parts(parts, axum::body::Body::from(bytes)))
                .await
        }
        Err(error) => {
            let timed_out = error.code() == ErrorCode::RequestTimeout;
            let mut response = error.into_response();
            // HTTP/2 has no Connection header; its stream is reset with the body
            // unread anyway.
            if timed_out && parts.version <= axum::http::Version::HTTP_11 {
                response.headers_mut().insert(
                    header::CONNECTION,
                    axum::http::HeaderValue::from_static("close"),
                );
            }
            response
        }
    }
}

/// How long a request's body may take to arrive, once its headers are in: up to
/// `timeout`, and beyond it only while the average rate since the start stays at
/// `min_rate` bytes per second or more (so a large upload over a slow link
/// passes, and a trickle does not). With the body limit, no read lasts longer than
/// [`MAX_BODY_BYTES`] at `min_rate`.
#[derive(Debug, Clone, Copy)]
pub struct BodyDeadline {
    pub timeout: Duration,
    pub min_rate: u64,
}

impl BodyDeadline {
    /// How long, from the start of the read, a body of which `received` bytes
    /// have arrived may still take.
    fn allowed(&self, received: usize) -> Duration {
        if self.min_rate == 0 {
            return self.timeout;
        }
        let at_rate = Duration::from_secs_f64(received as f64 / self.min_rate as f64);
        self.timeout.max(at_rate)
    }
}

/// The request's whole body within the body limit and `deadline`.
async fn read_body(
    body: axum::body::Body,
    headers: &HeaderMap,
    deadline: BodyDeadline,
) -> Result<Bytes, AppError> {
    let too_large = || {
        AppError::new(
            ErrorCode::PayloadTooLarge,
            format!(
                "request body larger than {} MiB",
                MAX_BODY_BYTES / (1024 * 1024)
            ),
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > MAX_BODY_BYTES as u64) {
        return Err(too_large());
    }
    let started = tokio::time::Instant::now();
    let mut frames = body.into_data_stream();
    let mut read = bytes::BytesMut::new();
    loop {
        let until = started + deadline.allowed(read.len());
        tokio::select! {
            frame = frames.next() => match frame {
                None => return Ok(read.freeze()),
                Some(Ok(data)) => {
                    if read.len() + data.len() > MAX_BODY_BYTES {
                        return Err(too_large());
                    }
                    read.extend_from_slice(&data);
                }
                Some(Err(e)) => {
                    return Err(AppError::new(
                        ErrorCode::BadRequest,
                        format!("cannot read the request body: {e}"),
                    ));
                }
            },
            () = tokio::time::sleep_until(until) => {
                // Nothing arrived in time (the deadline only moves when data does).
                let elapsed = started.elapsed();
                tracing::info!(received = read.len(), ?elapsed, "request body too slow: 408");
                return Err(AppError::new(
                    ErrorCode::RequestTimeout,
                    format!(
                        "the request body did not arrive in time: {} bytes in {} s (the body must arrive within {} s, or at {} bytes/s or more)",
                        read.len(),
                        elapsed.as_secs(),
                        deadline.timeout.as_secs(),
                        deadline.min_rate
                    ),
                ));
            }
        }
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

/// The client a request comes from, as a throttling key: the peer address, or the
/// address a trusted gateway put in `X-Forwarded-For`. An IPv6 client is keyed by
/// its /64, since one host usually holds the whole /64.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClientAddr(pub IpAddr);

impl FromRequestParts<Arc<AppState>> for ClientAddr {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::from([0, 0, 0, 0]), |info| info.0.ip());
        let forwarded = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect::<Vec<_>>()
            .join(",");
        let ip = client_ip(peer, &forwarded, &state.throttle.limits.trusted_proxies);
        Ok(Self(key_of(ip)))
    }
}

/// The client's address. Only when the peer is a trusted proxy is `X-Forwarded-For`
/// read, and then from the right: each proxy appends the address it saw, so the
/// rightmost entry that is not itself a trusted proxy is the first one no client
/// could have forged (entries to its left are whatever the client sent).
fn client_ip(peer: IpAddr, forwarded_for: &str, trusted: &[Cidr]) -> IpAddr {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|cidr| cidr.contains(ip));
    if !is_trusted(peer) {
        return canonical(peer);
    }
    let mut client = peer;
    for hop in forwarded_for.rsplit(',') {
        match hop.trim().parse::<IpAddr>() {
            Ok(ip) => {
                client = ip;
                if !is_trusted(ip) {
                    break;
                }
            }
            Err(_) => break,
        }
    }
    canonical(client)
}

fn key_of(ip: IpAddr) -> IpAddr {
    match canonical(ip) {
        IpAddr::V6(v6) => IpAddr::V6(Ipv6Addr::from(masked(u128::from(v6), 64))),
        v4 => v4,
    }
}

/// Middleware: request headers over `FAAS_MAX_HEADER_BYTES` are answered 431
/// `headers_too_large` in the JSON error shape. (Headers beyond hyper's own read
/// buffer, about 400 KiB, or more than 100 of them, get hyper's bodiless 431 before
/// any of our code runs.)
pub async fn limit_headers(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    let size: usize = request.uri().to_string().len()
        + request
            .headers()
            .iter()
            .map(|(name, value)| name.as_str().len() + value.len() + 4)
            .sum::<usize>();
    let max = state.throttle.limits.max_header_bytes;
    if size > max {
        return AppError::new(
            ErrorCode::HeadersTooLarge,
            format!("the request's headers are {size} bytes, over the limit of {max}"),
        )
        .into_response();
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forwarded_for_is_read_only_from_trusted_proxies_and_from_the_right() {
        let gateway: IpAddr = "10.0.0.5".parse().unwrap();
        let trusted = vec!["10.0.0.0/8".parse::<Cidr>().unwrap()];
        let client: IpAddr = "203.0.113.7".parse().unwrap();
        // Direct client: its header is ignored.
        assert_eq!(client_ip(client, "1.2.3.4", &trusted), client);
        // Through the gateway: the entry it appended, not the forged one before it.
        assert_eq!(client_ip(gateway, "1.2.3.4, 203.0.113.7", &trusted), client);
        // Nothing trusted: the peer, whatever the header says.
        assert_eq!(client_ip(gateway, "203.0.113.7", &[]), gateway);
        // Garbage in the header: the last good hop.
        assert_eq!(client_ip(gateway, "nonsense", &trusted), gateway);
    }

    #[test]
    fn ipv6_clients_are_keyed_by_their_64() {
        let a: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        assert_eq!(key_of(a), key_of(b));
        let mapped: IpAddr = "::ffff:192.0.2.1".parse().unwrap();
        assert_eq!(key_of(mapped), "192.0.2.1".parse::<IpAddr>().unwrap());
    }
}
