//! `faasctl completions`: print a shell completion script.
//!
//! The generated scripts are also checked in under `completions/`; a test regenerates
//! them and fails when they are stale.

use clap::CommandFactory as _;
use clap_complete::Shell;

use super::Cli;

#[derive(Debug, clap::Args)]
pub struct CompletionsCommand {
    /// Shell to generate the script for
    #[arg(value_enum)]
    pub shell: Shell,
}

impl CompletionsCommand {
    pub async fn run(self) -> anyhow::Result<()> {
        let mut out = std::io::stdout().lock();
        clap_complete::generate(self.shell, &mut Cli::command(), "faasctl", &mut out);
        Ok(())
    }
}
