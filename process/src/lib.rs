//! What the faas processes share at run time, so each job has one home:
//!
//! - [`install_crypto_provider`]: the one rustls provider (server, worker, faasctl);
//! - [`env`]: reading `FAAS_*` settings, with errors that name the variable;
//! - [`logging`] and [`shutdown`] (feature `service`): how the server and worker log
//!   and when they stop;
//! - [`nats`] (feature `service`): NATS addresses, the one connect policy, and how
//!   a publish refused for a full stream reads;
//! - [`claim`] (feature `service`): bodies larger than one NATS message, carried
//!   through the JetStream Object Store;
//! - [`signing`] (feature `service`): the HMAC that lets workers run only what the
//!   server queued;
//! - [`secrets`] (feature `service`): users' secrets sealed at rest (AEAD);
//! - [`slots`] (feature `service`): per-function concurrency slots: their stream,
//!   claiming one (server) and releasing one (worker and server);
//! - [`metrics`] (feature `service`): the Prometheus recorder behind `/metrics`.

#[cfg(feature = "service")]
pub mod claim;
pub mod env;
#[cfg(feature = "service")]
pub mod logging;
#[cfg(feature = "service")]
pub mod metrics;
#[cfg(feature = "service")]
pub mod nats;
#[cfg(feature = "service")]
pub mod secrets;
#[cfg(feature = "service")]
pub mod shutdown;
#[cfg(feature = "service")]
pub mod signing;
#[cfg(feature = "service")]
pub mod slots;

/// rustls needs exactly one process-wide crypto provider, and reqwest and async-nats
/// compile in more than one; we choose ring. Safe to call more than once.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
