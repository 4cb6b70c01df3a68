//! `faasctl account delete`: delete the account with its functions and activation
//! records, after confirmation and the password, then forget the token.

use faas_shared::AccountDeletion;

use crate::context::Context;
use crate::output::print_line;
use crate::prompt;

#[derive(Debug, clap::Args)]
pub struct AccountDeleteCommand {
    /// Do not ask for confirmation (required when not running in a terminal)
    #[arg(long, short = 'y')]
    pub yes: bool,

    /// Read the password from the first line of standard input instead of prompting
    #[arg(long)]
    pub password_stdin: bool,
}

impl AccountDeleteCommand {
    pub async fn run(self, ctx: &Context) -> anyhow::Result<()> {
        let token = ctx.token()?;
        if !prompt::confirm_delete(
            "your account, all its functions and activation records",
            self.yes,
        )? {
            return Ok(());
        }
        let password = prompt::password(
            self.password_stdin,
            dialoguer::Password::new().with_prompt("Password"),
        )?;
        ctx.client_with(Some(token))?
            .delete_account(&AccountDeletion { password })
            .await?;
        let profile = ctx.profile();
        ctx.credentials()
            .remove(&ctx.settings.profile, profile.username.as_deref())?;
        print_line("account deleted")
    }
}
