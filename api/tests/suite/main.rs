//! The tests of the HTTP API (`faas-api`) on the real platform: real NATS, real
//! Docker, the server started on port 0 by the test kit. One test binary, a module
//! per file; `cargo nextest` runs each test in its own process (a few install a
//! process-wide log subscriber), e.g. one module: `cargo nextest run -p faas-api
//! -E 'test(/^openapi::/)'`.

mod abuse;
mod activations;
mod api;
mod cluster_reads;
mod contract;
mod early_answers;
mod faults;
mod fence;
mod function_concurrency;
mod keys;
mod limits;
mod openapi;
mod payloads;
mod quotas;
mod schemathesis;
mod secrets;
mod tokens;
mod topology;
mod trust;
mod withdrawal;
