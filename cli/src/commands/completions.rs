//! `faasctl completions`: print a shell completion script.
//!
//! The generated scripts are also checked in under `completions/`; a test regenerates
//! them and fails when they are stale.

use std::io::Write as _;

use clap::CommandFactory as _;
use clap_complete::Shell;

use crate::cli::Cli;

#[derive(Debug, clap::Args)]
pub struct CompletionsCommand {
    /// Shell to generate the script for
    #[arg(value_enum)]
    pub shell: Shell,
}

impl CompletionsCommand {
    pub async fn run(self) -> anyhow::Result<()> {
        // Into a buffer first: `generate` panics on a write error such as a closed pipe.
        let mut script = Vec::new();
        clap_complete::generate(self.shell, &mut Cli::command(), "faasctl", &mut script);
        let mut out = std::io::stdout().lock();
        out.write_all(&script)?;
        out.flush()?;
        Ok(())
    }
}
