//! The tests of the worker (`faas-worker`): its binary, the consumer loop, the
//! container runtime and prewarm pools against a real nats-server and the real
//! Docker Engine, and the OCI backend's parts against the real crun and runc. One test binary, a module per file; `cargo nextest` runs each
//! test in its own process, e.g. one module: `cargo nextest run -p faas-worker
//! -E 'test(/^runtime::/)'`.

#[macro_use]
mod backends;
mod binary;
mod cold_path_timings;
mod completion;
mod consumer;
mod oci;
mod oci_platform;
mod prewarm;
mod prewarm_platform;
mod runtime;
