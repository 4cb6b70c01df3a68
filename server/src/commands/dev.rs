//! `faas-server dev`: the whole platform on this machine, until Ctrl-C.

use std::net::SocketAddr;
use std::path::PathBuf;

use faas_server::Limits;
use faas_server::dev::{DevOptions, DevStack};
use faas_server::throttle::AbuseLimits;

#[derive(clap::Args)]
pub struct DevCommand {
    /// Address of the HTTPS API (port 0 picks a free one).
    #[arg(long, default_value = "127.0.0.1:8443")]
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
        let options = DevOptions {
            listen: self.listen,
            data_dir: self.data_dir,
            nats_url: self.nats_url,
            // The in-process worker's slots, as `faas-worker` reads them.
            worker_slots: faas_process::env::positive("FAAS_WORKER_SLOTS")?,
            limits: Limits::from_env()?,
            abuse: AbuseLimits::from_env()?,
            image_policy: faas_server::config::image_policy_from_env()?,
            metrics_listen: faas_server::config::metrics_listen_from_env()?,
            // As `faas-worker` reads it.
            worker_init: faas_process::env::var("FAAS_WORKER_INIT").map(Into::into),
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
