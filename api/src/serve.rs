//! Serving the API over HTTP, or HTTPS when TLS files are given, until a shutdown
//! future resolves; then in-flight requests drain. The connections open at once
//! are bounded here ([`Limited`]), the header read time too; the body's read time
//! is the router's (`api::extract::read_whole_body`).

use std::future::Future;
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::Duration;

use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};

use anyhow::Context;
use axum_server::Handle;
use axum_server::accept::{Accept, DefaultAcceptor};
use axum_server::tls_rustls::RustlsConfig;
use futures::future::BoxFuture;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::api;
use crate::config::{ServerConfig, TlsFiles};
use crate::state::AppState;

/// How long in-flight requests may take to finish after shutdown: a synchronous
/// invocation of the slowest function allowed, plus its worker's grace.
const DRAIN_TIMEOUT: Duration = faas_shared::budget::LONGEST_SERVER_WAIT;

/// Connects (waiting up to 30 s for NATS) and serves the API on `listener` until
/// `shutdown` resolves.
pub async fn run(
    config: ServerConfig,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let state = Arc::new(AppState::connect(&config, Duration::from_secs(30)).await?);
    if let Some(addr) = config.metrics_listen {
        crate::metrics::spawn(crate::metrics::bind(addr)?, state.clone())?;
    }
    serve(state, config.tls.as_ref(), listener, shutdown).await
}

/// Serves an already connected state; used by [`run`] and by `dev`, which connects
/// with a shorter timeout of its own.
pub async fn serve(
    state: Arc<AppState>,
    tls: Option<&TlsFiles>,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    // A connection must send each request's headers within the header read timeout
    // (slowloris): the first request's through `first_request_timeout` (which also
    // covers HTTP/2 detection; TLS handshakes have the acceptor's own 10 s), later
    // ones through hyper's `header_read_timeout`.
    let header_timeout = state.throttle.limits.header_read_timeout;
    let max_header_bytes = state.throttle.limits.max_header_bytes;
    let limited = Limited::new(state.throttle.limits.max_connections);
    // The peer address is what logins and registrations are throttled by.
    let service = api::router(state).into_make_service_with_connect_info::<SocketAddr>();
    let handle = Handle::new();
    let drain = handle.clone();
    tokio::spawn(async move {
        shutdown.await;
        drain.graceful_shutdown(Some(DRAIN_TIMEOUT));
    });
    match tls {
        Some(files) => {
            let rustls = RustlsConfig::from_pem_file(&files.cert, &files.key)
                .await
                .with_context(|| {
                    format!(
                        "loading TLS certificate {} and key {}",
                        files.cert.display(),
                        files.key.display()
                    )
                })?;
            // Counted before the TLS handshake, which holds a descriptor too.
            let server = axum_server::from_tcp_rustls(listener, rustls)?
                .map(|tls| tls.acceptor(limited))
                .handle(handle);
            bound_header_reads(server, header_timeout, max_header_bytes)
                .serve(service)
                .await?;
        }
        None => {
            let server = axum_server::from_tcp(listener)?
                .acceptor(limited)
                .handle(handle);
            bound_header_reads(server, header_timeout, max_header_bytes)
                .serve(service)
                .await?;
        }
    }
    Ok(())
}

/// A client that never finishes sending its request headers (slowloris) is cut off
/// after `timeout`: on a connection's first request and on later ones alike.
///
/// HTTP/2 refuses a header list over its `SETTINGS_MAX_HEADER_LIST_SIZE` itself,
/// with a bodiless 431, before our code runs; its default (16 KiB) is
/// `FAAS_MAX_HEADER_BYTES`' default, so oversized headers on HTTP/2 never reached
/// our JSON 431. The HTTP/2 limit is set well above ours ([`h2_header_list_size`])
/// so that our check answers, as it does on HTTP/1.1.
fn bound_header_reads<Addr: axum_server::Address, Acceptor>(
    server: axum_server::Server<Addr, Acceptor>,
    timeout: Duration,
    max_header_bytes: usize,
) -> axum_server::Server<Addr, Acceptor> {
    let mut server = server.first_request_timeout(timeout);
    server.http_builder().http1().header_read_timeout(timeout);
    server
        .http_builder()
        .http2()
        .max_header_list_size(h2_header_list_size(max_header_bytes));
    server
}

/// HTTP/2's header list limit for our own limit of `max_header_bytes`: four times
/// it, at least 64 KiB. HTTP/2 counts 32 bytes more per header than we do, so a
/// request just over our limit must still be under this one.
fn h2_header_list_size(max_header_bytes: usize) -> u32 {
    let size = max_header_bytes.saturating_mul(4).max(64 * 1024);
    u32::try_from(size).unwrap_or(u32::MAX)
}

/// An acceptor that holds one of `FAAS_MAX_CONNECTIONS` permits for each
/// connection as long as it is open, and closes a connection at once when none is
/// free: the server's descriptors stay bounded whatever clients do, with or
/// without a gateway in front.
#[derive(Clone)]
struct Limited {
    permits: Arc<Semaphore>,
    max: usize,
}

impl Limited {
    fn new(max: usize) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(max)),
            max,
        }
    }
}

impl<I, S> Accept<I, S> for Limited
where
    I: Send + 'static,
    S: Send + 'static,
{
    type Stream = Counted<I>;
    type Service = S;
    type Future = BoxFuture<'static, std::io::Result<(Counted<I>, S)>>;

    fn accept(&self, stream: I, service: S) -> Self::Future {
        let permit = self.permits.clone().try_acquire_owned();
        let max = self.max;
        Box::pin(async move {
            let Ok(permit) = permit else {
                // Dropping the stream closes it.
                tracing::warn!(max, "a connection over FAAS_MAX_CONNECTIONS was closed");
                return Err(std::io::Error::other("too many connections"));
            };
            let (stream, service) = DefaultAcceptor.accept(stream, service).await?;
            Ok((
                Counted {
                    inner: stream,
                    _permit: permit,
                },
                service,
            ))
        })
    }
}

/// A connection holding its permit of [`Limited`] until it is dropped.
struct Counted<I> {
    inner: I,
    _permit: OwnedSemaphorePermit,
}

impl<I: AsyncRead + Unpin> AsyncRead for Counted<I> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<I: AsyncWrite + Unpin> AsyncWrite for Counted<I> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}
