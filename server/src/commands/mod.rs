//! The command line: one file per command, each with its arguments and `run`; this
//! module only dispatches.

use clap::{Parser, Subcommand};

mod dev;
mod serve;

#[derive(Parser)]
#[command(version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (the default). Settings come from the environment:
    /// FAAS_NATS_URL, FAAS_LISTEN, FAAS_JWT_PRIVATE_KEY_FILE, FAAS_TLS_CERT_FILE,
    /// FAAS_TLS_KEY_FILE, FAAS_TOKEN_TTL_SECS, FAAS_MAX_INFLIGHT,
    /// FAAS_MAX_INFLIGHT_PER_USER, FAAS_QUEUE_TIMEOUT_MS, FAAS_NATS_REPLICAS.
    Serve(serve::ServeCommand),
    /// Run the whole platform on this machine: NATS, a worker and the API over HTTPS.
    ///
    /// Starts nats-server from PATH (or the `nats` image through Docker) with its store
    /// under the data dir, a worker using the local Docker Engine, and the API with a
    /// generated certificate authority written to <data dir>/ca.pem.
    Dev(dev::DevCommand),
}

impl Cli {
    pub async fn run(self) -> anyhow::Result<()> {
        match self
            .command
            .unwrap_or(Command::Serve(serve::ServeCommand {}))
        {
            Command::Serve(command) => command.run().await,
            Command::Dev(command) => command.run().await,
        }
    }
}
