//! `faasctl fn rm`: delete a function, after confirmation.

use crate::context::Context;
use crate::output::print_line;
use crate::prompt;

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
        if !prompt::confirm_delete(&format!("function {}", self.name), self.yes)? {
            return Ok(());
        }
        ctx.authed_client()?.delete_function(&self.name).await?;
        print_line(format_args!("deleted {}", self.name))
    }
}
