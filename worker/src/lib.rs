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
//!   network when it asks for one: cold, or handed to a parked container of
//!   `prewarm` (its pools, their upkeep and their cap), whose entrypoint is the
//!   `faas-init` binary that `init_volume` installs in the engine;
//!
//! and what they use: `config` ([`WorkerConfig`]), `records` (activation records and
//! claimed bodies, opened on first use), `secrets` (the secrets an activation names,
//! fetched and opened), `liveness` (the heartbeat, and the sweep of
//! dead workers' containers) and [`output`] (capped capture of stdout/stderr).
//! claimed bodies, opened on first use), `liveness` (the heartbeat, and the sweep of
//! dead workers' containers), [`output`] (capped capture of stdout/stderr) and
//! `metrics` (the worker's `/metrics` listener).

mod config;
mod consumer;
#[cfg(test)]
mod fixtures;
mod handler;
pub mod labels;
mod liveness;
mod metrics;
pub mod output;
mod prewarm;
mod records;
mod retired;
pub mod runtime;
mod secrets;

pub use config::WorkerConfig;
pub use consumer::run;
