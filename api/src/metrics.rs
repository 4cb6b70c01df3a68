//! The server's Prometheus metrics: what is recorded per request, and the
//! `/metrics` listener that serves them.
//!
//! `/metrics` has a listener of its own (`FAAS_METRICS_LISTEN`), never the API's: the
//! gateway proxies only the API port, so the scrape cannot be reached from outside,
//! needs no token, and a route added to the API can never expose it by accident. It
//! holds no tenant data: labels are route templates (`/v1/functions/{name}`, never
//! the raw path), methods, statuses, error codes and outcomes, not user or function
//! names.
//!
//! Everything per request is recorded by one middleware ([`track`]) from what the
//! response says (its status and, for errors, the [`ErrorCode`] that
//! [`AppError`](crate::error::AppError) leaves in its extensions), so no handler
//! carries metrics code. The queue gauges are read from JetStream when scraped.

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use async_nats::jetstream;
use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::get;
use faas_shared::ErrorCode;
use faas_shared::nats::{ACTIVATIONS_STREAM, WORKERS_CONSUMER};
use faas_shared::paths;
use metrics::{counter, gauge, histogram};

use crate::state::AppState;

/// Requests answered, by method, route template and status.
pub const REQUESTS: &str = "faas_http_requests_total";
/// Time to answer, by method and route template.
pub const REQUEST_SECONDS: &str = "faas_http_request_duration_seconds";
/// Error answers by route, status and stable error code: among them the 429s
/// (`concurrency_limit`, `rate_limited`) and 503s (`no_capacity`,
/// `backend_unavailable`).
pub const ERRORS: &str = "faas_http_errors_total";
/// Invocations, their time to answer by outcome: `ok`, `accepted` (async), or the
/// error code (`function_failed`, `function_timeout`, `concurrency_limit`, …).
pub const INVOCATION_SECONDS: &str = "faas_invocation_duration_seconds";
/// Failed logins by error code (`invalid_credentials`, `rate_limited`, …).
pub const LOGIN_FAILURES: &str = "faas_login_failures_total";
/// Activations queued and not yet taken by a worker (the `workers` consumer's
/// pending count).
pub const QUEUE_PENDING: &str = "faas_queue_pending";
/// Activations a worker has taken and not yet acked: running, or reporting.
pub const IN_FLIGHT: &str = "faas_activations_in_flight";
/// Messages in `FAAS_ACTIVATIONS`: queued plus in flight, what the admission limit
/// (`FAAS_MAX_INFLIGHT`) counts.
pub const STREAM_MESSAGES: &str = "faas_stream_messages";

/// Records one request's route, status, error code and duration; on the invoke
/// and login routes also the invocation latency and login failures.
pub async fn track(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", |m| m.as_str())
        .to_owned();
    let method = request.method().as_str().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    let seconds = started.elapsed().as_secs_f64();
    let status = response.status();
    let code = response.extensions().get::<ErrorCode>().copied();

    counter!(REQUESTS, "method" => method.clone(), "route" => route.clone(), "status" => status.as_str().to_owned()).increment(1);
    histogram!(REQUEST_SECONDS, "method" => method, "route" => route.clone()).record(seconds);
    if let Some(code) = code {
        counter!(ERRORS, "route" => route.clone(), "status" => status.as_str().to_owned(), "code" => code.as_str()).increment(1);
    }
    if route == paths::INVOKE {
        let outcome = match code {
            Some(code) => code.as_str(),
            None if status == axum::http::StatusCode::ACCEPTED => "accepted".into(),
            None => "ok".into(),
        };
        histogram!(INVOCATION_SECONDS, "outcome" => outcome).record(seconds);
    } else if route == paths::LOGIN && (status.is_client_error() || status.is_server_error()) {
        let reason = code.map_or_else(|| status.as_str().to_owned(), ErrorCode::as_str);
        counter!(LOGIN_FAILURES, "reason" => reason).increment(1);
    }
    response
}

/// Serves `GET /metrics` on `listener` (plain HTTP) until the process ends.
pub fn spawn(listener: TcpListener, state: Arc<AppState>) -> anyhow::Result<()> {
    faas_process::metrics::install();
    listener.set_nonblocking(true)?;
    let listener = tokio::net::TcpListener::from_std(listener)?;
    let app = axum::Router::new()
        .route("/metrics", get(scrape))
        .with_state(state);
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(%e, "the metrics listener failed");
        }
    });
    Ok(())
}

/// Binds `FAAS_METRICS_LISTEN`'s address, naming the setting when it cannot.
pub fn bind(addr: SocketAddr) -> anyhow::Result<TcpListener> {
    TcpListener::bind(addr).with_context(|| format!("FAAS_METRICS_LISTEN: cannot listen on {addr}"))
}

async fn scrape(State(state): State<Arc<AppState>>) -> String {
    record_queue(&state.jetstream).await;
    faas_process::metrics::render()
}

/// Reads the queue's gauges from the stream and the workers' consumer. When NATS
/// does not answer, the gauges keep their last values (and the server's own
/// `/readyz` says why).
async fn record_queue(js: &jetstream::Context) {
    let Ok(mut stream) = js.get_stream(ACTIVATIONS_STREAM).await else {
        return;
    };
    if let Ok(info) = stream.info().await {
        gauge!(STREAM_MESSAGES).set(info.state.messages as f64);
    }
    // The workers create the consumer; before the first one starts there is none.
    if let Ok(mut consumer) = stream
        .get_consumer::<jetstream::consumer::pull::Config>(WORKERS_CONSUMER)
        .await
        && let Ok(info) = consumer.info().await
    {
        gauge!(QUEUE_PENDING).set(info.num_pending as f64);
        gauge!(IN_FLIGHT).set(info.num_ack_pending as f64);
    }
}
