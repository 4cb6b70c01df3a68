//! The deployment checks: the files under `apisix/`, `kumori/`, `deploy/` and the
//! compose and stack files agree with the code and with one another
//! (`deploy_config`, `k8s_config`, read from the repository by `repo`), the
//! gateway's files pass APISIX's own schemas (`gateway_schema`); the deployments
//! run for real: the compose stack (`compose`), Kumori's NATS cluster
//! (`kumori_nats`), the Dockerfile's build context and build (`images`); and the
//! code's own layout holds (`modules`: no `use` loop between the files of a crate).
//! One test binary, a module per file; `cargo nextest` runs each test in its own
//! process.

mod compose;
mod deploy_config;
mod gateway_schema;
mod images;
mod k8s_config;
mod kumori_nats;
mod modules;
mod package;
mod repo;
mod swarm;
