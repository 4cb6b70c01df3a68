//! The top of the command line: the global options (`crate::global`) and the
//! command, and what happens before any command runs (the [`Context`] is built,
//! once).

use clap::Parser;

use crate::commands::Command;
use crate::context::Context;
use crate::error::EXIT_CODES_HELP;
use crate::global::GlobalArgs;

/// faasctl: the command-line client of faas, a Functions-as-a-Service platform.
#[derive(Debug, Parser)]
#[command(name = "faasctl", version, after_help = EXIT_CODES_HELP)]
pub struct Cli {
    #[command(flatten, next_help_heading = "Global options")]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    pub async fn run(self) -> anyhow::Result<()> {
        match self.command {
            // Needs no config, so a broken config file cannot break shell start-up.
            Command::Completions(cmd) => cmd.run().await,
            command => command.run(&Context::new(self.global)?).await,
        }
    }
}
