//! `faas-worker`: takes activation requests off the `FAAS_ACTIVATIONS` work queue
//! and runs each in a fresh, sandboxed container through the Docker Engine API.
//!
//! [`run`] is the whole worker: `faas-worker` calls it from `main`, `faas-server dev`
//! runs it in-process, and tests run it against a real nats-server and the real
//! Docker Engine.
//!
//! # Layout
//!
//! Three levels, each a loop over the next (as in mini-redis):
//!
//! - `consumer`: [`run`] sets up (NATS, the durable consumer), runs the pull loop
//!   (`Consumer::run`: free slots → one pull → one task per request) until shutdown,
//!   then drains;
//! - `handler`: one request (`ActivationHandler::run`): run it, record it, publish
//!   the result, ack;
//! - [`runtime`]: one activation in one sandboxed container, on the function
//!   [`network`] when it asks for one;
//!
//! and what they use: `config` ([`WorkerConfig`]), `records` (activation records and
//! claimed bodies, opened on first use), `liveness` (the heartbeat, and the sweep of
//! dead workers' containers) and [`output`] (capped capture of stdout/stderr).

mod config;
mod consumer;
mod handler;
mod liveness;
pub mod network;
pub mod output;
mod records;
pub mod runtime;

pub use config::WorkerConfig;
pub use consumer::run;
