//! `faasctl register`: create an account.

use faas_shared::Registration;
use faas_shared::names::{validate_password, validate_username};

use crate::context::Context;
use crate::error::CliError;
use crate::output::{Output, print_line};
use crate::prompt;

#[derive(Debug, clap::Args)]
pub struct RegisterCommand {
    /// Username: 3 to 32 characters a-z, 0-9, '_' or '-', starting with a letter
    /// (prompted for when omitted on a terminal)
    #[arg(long, short = 'u')]
    pub username: Option<String>,

    /// Read the password from the first line of standard input instead of prompting
    #[arg(long)]
    pub password_stdin: bool,
    /// The operator's single-use invite code, where registration is by invitation
    #[arg(long)]
    pub invite: Option<String>,
}

impl RegisterCommand {
    pub async fn run(self, ctx: &Context) -> anyhow::Result<()> {
        let username = prompt::username(
            self.username,
            None,
            dialoguer::Input::<String>::new()
                .with_prompt("Username")
                .validate_with(|u: &String| validate_username(u).map_err(|e| e.message)),
        )?;
        // Checked here too so a typo is caught before the password prompt.
        validate_username(&username).map_err(|e| CliError::Usage(e.message))?;
        let password = prompt::password(
            self.password_stdin,
            dialoguer::Password::new()
                .with_prompt("Password")
                .with_confirmation("Repeat password", "the passwords do not match, try again")
                .validate_with(|p: &String| validate_password(p).map_err(|e| e.message)),
        )?;

        let user = ctx
            .client()?
            .register(&Registration {
                username: username.clone(),
                password: password.clone(),
                invite: self.invite,
            })
            .await?;
        // On a terminal, offer to log in at once with the password just typed, as
        // `gh auth` does; scripts and JSON output get the hint instead.
        let offer = ctx.output == Output::Text && prompt::interactive();
        ctx.output.print(&user, |user| {
            if offer {
                print_line(format_args!("registered {}", user.username))
            } else {
                print_line(format_args!(
                    "registered {}; log in with `faasctl login --username {}`",
                    user.username, user.username
                ))
            }
        })?;
        if offer
            && dialoguer::Confirm::new()
                .with_prompt(format!("Log in as {username} now?"))
                .default(true)
                .interact()
                .map_err(prompt::prompt_error)?
        {
            return super::login::log_in(ctx, username, password).await;
        }
        Ok(())
    }
}
