//! `faas-server`: the faas API server, or with `dev` the whole platform in one process.

use clap::Parser as _;

mod commands;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    faas_api::throttle::return_large_allocations();
    faas_process::install_crypto_provider();
    faas_process::logging::init();
    commands::Cli::parse().run().await
}
