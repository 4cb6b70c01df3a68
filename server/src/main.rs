//! `faas-server`: the faas API server, or with `dev` the whole platform in one process.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use faas_server::dev::{DevOptions, DevStack};
use faas_server::{Limits, ServerConfig};

#[derive(Parser)]
#[command(version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (the default). Settings come from the environment:
    /// FAAS_NATS_URL, FAAS_LISTEN, FAAS_JWT_PRIVATE_KEY_FILE, FAAS_TLS_CERT_FILE,
    /// FAAS_TLS_KEY_FILE, FAAS_TOKEN_TTL_SECS, FAAS_MAX_INFLIGHT,
    /// FAAS_MAX_INFLIGHT_PER_USER, FAAS_QUEUE_TIMEOUT_MS, FAAS_NATS_REPLICAS.
    Serve,
    /// Run the whole platform on this machine: NATS, a worker and the API over HTTPS.
    ///
    /// Starts nats-server from PATH (or the `nats` image through Docker) with its store
    /// under the data dir, a worker using the local Docker Engine, and the API with a
    /// generated certificate authority written to <data dir>/ca.pem.
    Dev {
        /// Address of the HTTPS API (port 0 picks a free one).
        #[arg(long, default_value = "127.0.0.1:8443")]
        listen: SocketAddr,
        /// Where NATS data, certificates and the token signing key are kept.
        #[arg(long, default_value = ".faas-dev")]
        data_dir: PathBuf,
        /// Use this NATS server instead of starting one.
        #[arg(long, env = "FAAS_NATS_URL")]
        nats_url: Option<String>,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    faas_process::install_crypto_provider();
    faas_process::logging::init();
    match Cli::parse().command.unwrap_or(Command::Serve) {
        Command::Serve => serve().await,
        Command::Dev {
            listen,
            data_dir,
            nats_url,
        } => dev(listen, data_dir, nats_url).await,
    }
}

async fn serve() -> anyhow::Result<()> {
    let config = ServerConfig::from_env()?;
    let listener = std::net::TcpListener::bind(config.listen)
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    tracing::info!(addr = %config.listen, tls = config.tls.is_some(), "faas-server listening");
    faas_server::run(config, listener, faas_process::shutdown::signal()).await
}

async fn dev(
    listen: SocketAddr,
    data_dir: PathBuf,
    nats_url: Option<String>,
) -> anyhow::Result<()> {
    let options = DevOptions {
        listen,
        data_dir,
        nats_url,
        worker_slots: None,
        limits: Limits::from_env()?,
    };
    let mut stack = DevStack::start(options).await?;
    println!("faas dev platform running");
    println!("  API:     {}", stack.url);
    println!("  CA cert: {}", stack.ca_cert.display());
    println!("  NATS:    {}", stack.nats_url);
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
