//! The deployment checks: the files under `apisix/`, `kumori/`, `deploy/` and the
//! compose and stack files agree with the code and with one another
//! (`deploy_config`, `k8s_config`, read from the repository by `repo`), and the
//! compose stack runs for real (`compose`); and the code's own layout holds
//! (`modules`: no `use` loop between the files of a crate). One test binary, a module per file;
//! `cargo nextest` runs each test in its own process.

mod compose;
mod deploy_config;
mod gateway_schema;
mod images;
mod k8s_config;
mod modules;
mod repo;
