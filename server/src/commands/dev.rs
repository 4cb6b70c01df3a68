//! `faas-server dev`: the whole platform on this machine, until Ctrl-C.

use std::net::SocketAddr;
use std::path::PathBuf;

use faas_dev::{DevOptions, DevStack};

#[derive(clap::Args)]
pub struct DevCommand {
    /// Address of the HTTPS API (port 0 picks a free one).
    #[arg(long, env = "FAAS_LISTEN", default_value = "127.0.0.1:8443")]
    listen: SocketAddr,
    /// Where NATS data, certificates and the token signing key are kept.
    #[arg(long, default_value = ".faas-dev")]
    data_dir: PathBuf,
    /// Use this NATS server instead of starting one.
    #[arg(long, env = "FAAS_NATS_URL")]
    nats_url: Option<String>,
}

impl DevCommand {
    pub async fn run(self) -> anyhow::Result<()> {
        // Every setting `faas-server serve` and `faas-worker` read, read as they do.
        let options = DevOptions {
            listen: self.listen,
            data_dir: self.data_dir,
            nats_url: self.nats_url,
            // The walkthrough's images, when run from the source tree.
            examples: faas_dev::examples::source_dir(),
            ..DevOptions::from_env()?
        };
        let mut stack = DevStack::start(options).await?;
        println!("faas dev platform running");
        println!("  API:     {}", stack.url);
        println!("  CA cert: {}", stack.ca_cert.display());
        println!("  NATS:    {}", stack.nats_url);
        if let Some(url) = &stack.metrics_url {
            println!("  Metrics: {url}");
        }
        println!(
            "try: faasctl --api-url {} --ca-cert {} register --username alice",
            stack.url,
            stack.ca_cert.display()
        );
        println!("press Ctrl-C to stop");
        tokio::select! {
            _ = faas_process::shutdown::signal() => {
                tracing::info!("shutting down");
                stack.stop().await
            }
            error = stack.failed() => Err(error),
        }
    }
}
