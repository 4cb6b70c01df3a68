//! `faasctl passwd`: change the password; every other session of the account ends,
//! every API key of the account is revoked (the server says which), and this
//! session goes on with the fresh token the server answers with.

use faas_shared::PasswordChange;

use crate::context::Context;
use crate::credentials::Claims;
use crate::output::print_line;
use crate::prompt;

#[derive(Debug, clap::Args)]
pub struct PasswdCommand {
    /// Read the current password, then the new one, from the first two lines of
    /// standard input instead of prompting
    #[arg(long)]
    pub password_stdin: bool,
}

impl PasswdCommand {
    pub async fn run(self, ctx: &Context) -> anyhow::Result<()> {
        let token = ctx.token()?;
        let current_password = prompt::password(
            self.password_stdin,
            dialoguer::Password::new().with_prompt("Current password"),
        )?;
        let new_password = prompt::password(
            self.password_stdin,
            dialoguer::Password::new()
                .with_prompt("New password")
                .with_confirmation("Repeat the new password", "the passwords differ"),
        )?;
        let fresh = ctx
            .client_with(Some(token))?
            .change_password(&PasswordChange {
                current_password,
                new_password,
            })
            .await?;
        let username = Claims::decode(&fresh.token)
            .map(|claims| claims.sub)
            .or(ctx.profile().username)
            .ok_or_else(|| anyhow::anyhow!("the server's token names no user"))?;
        ctx.credentials()
            .store(&ctx.settings.profile, &username, &fresh.token)?;
        print_line("password changed; your other sessions are logged out")?;
        if !fresh.revoked_keys.is_empty() {
            print_line(format!(
                "revoked API keys: {} (create new ones with `faasctl key create`)",
                fresh.revoked_keys.join(", ")
            ))?;
        }
        Ok(())
    }
}
