//! `faasctl register`: create an account.

use faas_shared::Credentials;
use faas_shared::names::{validate_password, validate_username};

use crate::context::Context;
use crate::error::CliError;
use crate::output::{Output, print_json, print_line};
use crate::prompt::{self, prompt_error, read_password_stdin};

#[derive(Debug, clap::Args)]
pub struct RegisterCommand {
    /// Username: 3 to 32 characters a-z, 0-9, '_' or '-', starting with a letter
    /// (prompted for when omitted on a terminal)
    #[arg(long, short = 'u')]
    pub username: Option<String>,

    /// Read the password from the first line of standard input instead of prompting
    #[arg(long)]
    pub password_stdin: bool,
}

impl RegisterCommand {
    pub async fn run(self, ctx: &Context) -> anyhow::Result<()> {
        let username = match self.username {
            Some(username) => username,
            None if prompt::interactive() => dialoguer::Input::<String>::new()
                .with_prompt("Username")
                .validate_with(|u: &String| validate_username(u).map_err(|e| e.message))
                .interact_text()
                .map_err(prompt_error)?,
            None => {
                return Err(CliError::Usage(
                    "--username is required when not running in a terminal".into(),
                )
                .into());
            }
        };
        // Checked here too so a typo is caught before the password prompt.
        validate_username(&username).map_err(|e| CliError::Usage(e.message))?;
        let password = if self.password_stdin {
            read_password_stdin()?
        } else if prompt::interactive() {
            dialoguer::Password::new()
                .with_prompt("Password")
                .with_confirmation("Repeat password", "the passwords do not match, try again")
                .validate_with(|p: &String| validate_password(p).map_err(|e| e.message))
                .interact()
                .map_err(prompt_error)?
        } else {
            return Err(CliError::Usage(
                "no terminal to prompt for a password: pipe it in with --password-stdin".into(),
            )
            .into());
        };

        let user = ctx
            .client()?
            .register(&Credentials { username, password })
            .await?;
        match ctx.output {
            Output::Json => print_json(&user),
            Output::Text => print_line(format_args!(
                "registered {}; log in with `faasctl login --username {}`",
                user.username, user.username
            )),
        }
    }
}
