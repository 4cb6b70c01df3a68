//! `faas-api`: the faas HTTP API, as a library (the `faas-server` binary serves it).
//!
//! The server is stateless: users, functions and activation records live in NATS
//! JetStream KV, and invocations travel to workers through the `FAAS_ACTIVATIONS`
//! work-queue stream. Any number of replicas can run behind the gateway.
//!
//! # Layout
//!
//! Every module, from the bottom up; each imports only modules above it in this
//! list, never one below:
//!
//! - [`config`]: the settings (the abuse limits' too), read once from the
//!   environment;
//! - [`error`]: failures as the API's JSON error shape;
//! - [`store`]: the streams and buckets in NATS, set up at start-up, and typed
//!   access to what they hold, one file per thing stored;
//! - [`auth`]: passwords, the session tokens the API hands out, API keys, and the
//!   checks that accept a token or a key as a request's bearer;
//! - [`throttle`]: abuse limits on the password paths (login and registration
//!   rates, concurrent hashes);
//! - [`state`]: [`AppState`](state::AppState), what every request handler can reach,
//!   and how it is connected at start-up;
//! - [`dispatch`]: running one activation over the work queue (its concurrency
//!   slot is `faas_process::slots`');
//! - [`metrics`]: what is recorded per request, and the `/metrics` listener;
//! - [`api`]: the HTTP layer: the route table, the router built from it, the
//!   handlers, the extractors they share (the caller, the client's address, the
//!   body) and the OpenAPI document;
//! - [`serve`]: [`run`] connects and serves the API on a listener until a shutdown
//!   future resolves (the mini-redis pattern), so tests start the real server on
//!   port 0.
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
