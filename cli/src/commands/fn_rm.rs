//! `faasctl fn rm`: delete a function, after confirmation.

use crate::context::Context;
use crate::error::CliError;
use crate::output::print_line;
use crate::prompt::{self, prompt_error};

#[derive(Debug, clap::Args)]
pub struct FnRmCommand {
    /// Function to delete
    pub name: String,

    /// Do not ask for confirmation (required when not running in a terminal)
    #[arg(long, short = 'y')]
    pub yes: bool,
}

impl FnRmCommand {
    pub async fn run(self, ctx: &Context) -> anyhow::Result<()> {
        if !self.yes {
            if !prompt::interactive() {
                return Err(CliError::Usage(format!(
                    "refusing to delete {} without confirmation: pass --yes",
                    self.name
                ))
                .into());
            }
            let confirmed = dialoguer::Confirm::new()
                .with_prompt(format!("Delete function {}?", self.name))
                .default(false)
                .interact()
                .map_err(prompt_error)?;
            if !confirmed {
                eprintln!("not deleted");
                return Ok(());
            }
        }
        ctx.authed_client()?.delete_function(&self.name).await?;
        print_line(format_args!("deleted {}", self.name))
    }
}
