//! The one test kit of the faas tests: the suites of the API, the worker, the CLI
//! and the deployment checks, and the scaling benchmark, start the same real parts
//! and drive them with the same helpers.
//!
//! Layout:
//!
//! - [`platform`]: a running platform, either the whole dev stack in one
//!   ([`Platform::dev`], HTTPS with its dev CA) or the parts one by one as in a
//!   deployment ([`Platform::parts`]: the API server alone over plain HTTP, workers
//!   the test starts, stops or crashes, a NATS it can kill and restart);
//! - [`api`]: [`Api`], the HTTP client a test talks to the API with;
//! - [`compose`]: [`Stack`](compose::Stack), the compose deployment run for real
//!   (the compose tests and the scaling benchmark);
//! - [`nats`]: [`Nats`], a private nats-server, with the stream and buckets set up
//!   by the server's own code;
//! - [`cluster`]: [`NatsCluster`](cluster::NatsCluster), three local nats-servers as
//!   one JetStream cluster (R3 streams), whose nodes a test can pause and resume;
//! - [`activation`]: activation requests as the server queues them, for driving a
//!   worker or its runtime without a server;
//! - [`docker`]: what a test asks the Docker Engine (leftover containers, images);
//! - [`init`]: the static `faas-init` that prewarmed containers start with, built
//!   once per test process as the deployment builds it;
//! - [`names`]: unique names, the example images and the one password;
//! - [`listener`]: a loopback TCP listener that counts connections, standing in for
//!   a registry that hangs or a service that is not a registry.
//!
//! Every entry point installs the process's crypto provider, so tests never do.

pub mod activation;
pub mod api;
pub mod cluster;
pub mod compose;
pub mod docker;
pub mod init;
pub mod listener;
pub mod names;
pub mod nats;
pub mod oci;
pub mod platform;

pub use api::{Api, error_code, expect_error};
pub use nats::Nats;
pub use platform::{Platform, Replica, Worker};
