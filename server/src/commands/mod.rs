//! The command line: one file per command, each with its arguments and `run`; this
//! module only dispatches.

use clap::{Parser, Subcommand};

#[cfg(feature = "dev")]
mod dev;
mod invite;
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
    /// FAAS_MAX_INFLIGHT_PER_USER, FAAS_QUEUE_TIMEOUT_MS, FAAS_NATS_REPLICAS, and the
    /// abuse limits of the README (FAAS_MAX_CONNECTIONS, FAAS_REQUEST_READ_TIMEOUT_SECS, …).
    Serve(serve::ServeCommand),
    /// Make single-use invite codes for `FAAS_REGISTRATION=invite` (printed one a
    /// line, shown this once). Logs in to NATS as the server: FAAS_NATS_URL,
    /// FAAS_NATS_USER, FAAS_NATS_PASSWORD_FILE, FAAS_NATS_REPLICAS.
    Invite(invite::InviteCommand),
    /// Run the whole platform on this machine: NATS, a worker and the API over HTTPS.
    ///
    /// Starts nats-server from PATH (or the `nats` image through Docker) with its store
    /// under the data dir, a worker using the local Docker Engine, and the API with a
    /// generated certificate authority written to <data dir>/ca.pem.
    #[cfg(feature = "dev")]
    Dev(dev::DevCommand),
    /// Not in this build: the production image's server has no worker inside.
    #[cfg(not(feature = "dev"))]
    #[command(hide = true)]
    Dev {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        _args: Vec<String>,
    },
}

impl Cli {
    pub async fn run(self) -> anyhow::Result<()> {
        match self
            .command
            .unwrap_or(Command::Serve(serve::ServeCommand {}))
        {
            Command::Serve(command) => command.run().await,
            Command::Invite(command) => command.run().await,
            #[cfg(feature = "dev")]
            Command::Dev(command) => command.run().await,
            #[cfg(not(feature = "dev"))]
            Command::Dev { .. } => anyhow::bail!(
                "this faas-server was built without its `dev` feature (as the production image is), \
                 so it cannot run the whole platform; from the source tree run \
                 `cargo run --release -p faas-server -- dev`"
            ),
        }
    }
}
