//! `faas-server [serve]`: the API, configured from the environment.

use anyhow::Context;
use faas_api::ServerConfig;

#[derive(clap::Args)]
pub struct ServeCommand {}

impl ServeCommand {
    pub async fn run(self) -> anyhow::Result<()> {
        let config = ServerConfig::from_env()?;
        let listener = std::net::TcpListener::bind(config.listen)
            .with_context(|| format!("cannot listen on {}", config.listen))?;
        tracing::info!(addr = %config.listen, tls = config.tls.is_some(), "faas-server listening");
        faas_api::run(config, listener, faas_process::shutdown::signal()).await
    }
}
