//! `faas-api`: the faas HTTP API, as a library (the `faas-server` binary serves it).
//!
//! The server is stateless: users, functions and activation records live in NATS
//! JetStream KV, and invocations travel to workers through the `FAAS_ACTIVATIONS`
//! work-queue stream. Any number of replicas can run behind the gateway.
//!
//! # Layout
//!
//! - [`config`]: the settings (the abuse limits' too), read once from the
//!   environment; it imports nothing of the crate;
//! - [`serve`]: [`run`] connects and serves the API on a listener until a shutdown
//!   future resolves (the mini-redis pattern), so tests start the real server on
//!   port 0;
//! - [`state`]: [`AppState`](state::AppState), what every request handler can reach,
//!   and how it is connected at start-up;
//! - [`api`]: the HTTP routes, and the extractors they share (the body, the caller,
//!   the client's address);
//! - [`auth`]: password hashing and the tokens the API hands out and checks;
//! - [`dispatch`]: running one activation over the work queue;
//! - [`store`]: the stream and buckets in NATS, and typed access to them;
//! - [`error`]: failures as the API's JSON error shape;
//! - [`metrics`]: what is recorded per request, and the `/metrics` listener;
//! - [`throttle`]: abuse limits on the password paths (login and registration
//!   rates, concurrent hashes);
//!
//! The binary is the `faas-server` package; the dev stack (`faas-server dev`) is
//! `faas-dev`, which composes this crate with a worker.

pub mod api;
pub mod auth;
pub mod config;
pub mod dispatch;
pub mod error;
pub mod metrics;
pub mod serve;
pub mod state;
pub mod store;
pub mod throttle;

pub use config::{Limits, ServerConfig, TlsFiles};
pub use serve::run;
