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
//! - [`runtime`]: one activation in one sandbox (`ContainerRuntime`): cold, or handed
//!   to a parked container of its function's prewarm pool; a backend-neutral core
//!   (`runtime::sandbox`, what a sandbox must be; `runtime::outcome`, how a run
//!   ended; `runtime::init`, `faas-init` and its frame) and one module per backend
//!   (`runtime::docker`: the Docker Engine through bollard, with the function
//!   network and the init volume; `runtime::oci`: the building blocks of a backend
//!   that drives crun or runc directly, not selectable yet);
//!
//! and what they use:
//!
//! - `config`: [`WorkerConfig`], read once from the environment;
//! - `prewarm`: the pools' bookkeeping (which parked containers each function has
//!   and wants, and the cap on them all);
//! - `retired`: the server's signed notices of replaced and removed functions,
//!   which drain their pools;
//! - `records`: activation records and claimed bodies, opened on first use;
//! - `secrets`: the secrets an activation names, fetched and opened;
//! - `liveness`: the heartbeat, and the sweep of dead workers' containers;
//! - [`labels`]: the `io.faas.*` labels on what the worker makes in the engine;
//! - [`output`]: capped capture of stdout/stderr;
//! - `metrics`: the worker's metric names and its `/metrics` listener.

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

pub use config::{WorkerConfig, default_oci_settings};
pub use consumer::run;
