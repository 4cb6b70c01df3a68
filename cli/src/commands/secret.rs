//! `faasctl secret set|ls|rm`: your secrets, which functions read as files under
//! `/run/secrets/NAME`. Values go to the server and never come back: `ls` shows
//! names and times only.

use std::io::Read as _;
use std::path::PathBuf;

use anyhow::Context as _;
use faas_shared::SecretInfo;
use faas_shared::names::validate_secret_name;

use crate::client::Upsert;
use crate::context::Context;
use crate::error::CliError;
use crate::output::{print_line, print_table};
use crate::prompt;

#[derive(Debug, clap::Args)]
pub struct SecretSetCommand {
    /// Secret name: 1 to 63 characters a-z, 0-9, '_' or '-' (its file name in
    /// /run/secrets/)
    pub name: String,

    /// Read the value from this file, bytes exact [default: a hidden prompt on a
    /// terminal, else all of standard input, bytes exact]
    #[arg(long, value_name = "FILE")]
    pub from_file: Option<PathBuf>,
}

impl SecretSetCommand {
    pub async fn run(self, ctx: &Context) -> anyhow::Result<()> {
        validate_secret_name(&self.name).map_err(|e| CliError::Usage(e.message))?;
        let value = self.read_value()?;
        let (info, upsert) = ctx.authed_client()?.put_secret(&self.name, value).await?;
        ctx.output.print(&info, |info| {
            print_line(format_args!(
                "{} secret {}",
                match upsert {
                    Upsert::Created => "created",
                    Upsert::Updated => "updated",
                },
                info.name
            ))
        })
    }

    fn read_value(&self) -> anyhow::Result<Vec<u8>> {
        if let Some(path) = &self.from_file {
            return std::fs::read(path)
                .with_context(|| format!("reading the secret from {}", path.display()));
        }
        if prompt::interactive() {
            let value = dialoguer::Password::new()
                .with_prompt(format!("Value of {}", self.name))
                .interact()
                .map_err(prompt::prompt_error)?;
            return Ok(value.into_bytes());
        }
        let mut value = Vec::new();
        std::io::stdin()
            .read_to_end(&mut value)
            .context("reading the secret from standard input")?;
        Ok(value)
    }
}

#[derive(Debug, clap::Args)]
pub struct SecretLsCommand {}

impl SecretLsCommand {
    pub async fn run(self, ctx: &Context) -> anyhow::Result<()> {
        let secrets = ctx.authed_client()?.list_secrets().await?;
        ctx.output.print(secrets.as_slice(), print_secrets)
    }
}

fn print_secrets(secrets: &[SecretInfo]) -> anyhow::Result<()> {
    if secrets.is_empty() {
        eprintln!("no secrets yet; set one with `faasctl secret set NAME`");
        return Ok(());
    }
    let rows: Vec<[String; 2]> = secrets
        .iter()
        .map(|s| {
            [
                s.name.clone(),
                s.updated_at.format("%Y-%m-%d %H:%M:%S").to_string(),
            ]
        })
        .collect();
    print_table(["NAME", "UPDATED (UTC)"], &rows)
}

#[derive(Debug, clap::Args)]
pub struct SecretRmCommand {
    /// Secret to delete
    pub name: String,

    /// Do not ask for confirmation (required when not running in a terminal)
    #[arg(long, short = 'y')]
    pub yes: bool,
}

impl SecretRmCommand {
    pub async fn run(self, ctx: &Context) -> anyhow::Result<()> {
        if !prompt::confirm_delete(&format!("secret {}", self.name), self.yes)? {
            return Ok(());
        }
        ctx.authed_client()?.delete_secret(&self.name).await?;
        print_line(format_args!("deleted secret {}", self.name))
    }
}
