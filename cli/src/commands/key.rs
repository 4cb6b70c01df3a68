//! `faasctl key create|ls|rm`: API keys for CI. A key is sent like a session token
//! (`FAAS_TOKEN=faas_k_…`) but only reaches functions, invocations and activations;
//! managing keys needs a login session.

use chrono::{DateTime, Utc};
use faas_shared::keys::{
    DEFAULT_KEY_DAYS, KeyCreate, KeyCreated, KeyInfo, MAX_KEY_DAYS, MIN_KEY_DAYS,
};

use crate::context::Context;
use crate::output::{print_line, print_table};
use crate::prompt;

#[derive(Debug, clap::Args)]
pub struct KeyCreateCommand {
    /// Name of the key: 1 to 63 characters a-z, 0-9, '_' or '-'
    pub name: String,

    /// How long the key lives, in days: `30d` or `30` (1 to 365)
    #[arg(long, value_name = "DAYS", default_value = "30d", value_parser = parse_days)]
    pub expires: u32,
}

impl KeyCreateCommand {
    pub async fn run(self, ctx: &Context) -> anyhow::Result<()> {
        let request = KeyCreate {
            name: self.name,
            expires_in_days: Some(self.expires),
        };
        let created = ctx.authed_client()?.create_key(&request).await?;
        ctx.output.print(&created, |key: &KeyCreated| {
            print_line(&key.secret)?;
            eprintln!(
                "API key {} expires {}. This is the only time its secret is shown: store it now \
                 (e.g. as a CI secret) and use it as FAAS_TOKEN or `Authorization: Bearer`.",
                key.name,
                format_time(key.expires_at)
            );
            Ok(())
        })
    }
}

#[derive(Debug, clap::Args)]
pub struct KeyLsCommand {}

impl KeyLsCommand {
    pub async fn run(self, ctx: &Context) -> anyhow::Result<()> {
        let keys = ctx.authed_client()?.list_keys().await?;
        ctx.output.print(keys.as_slice(), print_keys)
    }
}

fn print_keys(keys: &[KeyInfo]) -> anyhow::Result<()> {
    if keys.is_empty() {
        eprintln!("no API keys yet; create one with `faasctl key create NAME`");
        return Ok(());
    }
    let now = Utc::now();
    let rows: Vec<[String; 4]> = keys
        .iter()
        .map(|k| {
            let expires = if k.expires_at <= now {
                format!("{} (expired)", format_time(k.expires_at))
            } else {
                format_time(k.expires_at)
            };
            [
                k.name.clone(),
                format_time(k.created_at),
                expires,
                k.last_used_at.map_or("never".into(), format_time),
            ]
        })
        .collect();
    print_table(["NAME", "CREATED", "EXPIRES", "LAST USED"], &rows)
}

#[derive(Debug, clap::Args)]
pub struct KeyRmCommand {
    /// Key to remove: it stops working at once
    pub name: String,

    /// Do not ask for confirmation (required when not running in a terminal)
    #[arg(long, short = 'y')]
    pub yes: bool,
}

impl KeyRmCommand {
    pub async fn run(self, ctx: &Context) -> anyhow::Result<()> {
        if !prompt::confirm_delete(&format!("API key {}", self.name), self.yes)? {
            return Ok(());
        }
        ctx.authed_client()?.delete_key(&self.name).await?;
        print_line(format_args!("removed API key {}", self.name))
    }
}

fn format_time(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// `30d` or `30`: a whole number of days within the server's bounds.
fn parse_days(text: &str) -> Result<u32, String> {
    let digits = text.strip_suffix('d').unwrap_or(text);
    let days: u32 = digits.parse().map_err(|_| {
        format!("{text:?} is not a number of days: write it like `{DEFAULT_KEY_DAYS}d`")
    })?;
    if (MIN_KEY_DAYS..=MAX_KEY_DAYS).contains(&days) {
        Ok(days)
    } else {
        Err(format!(
            "a key lives {MIN_KEY_DAYS} to {MAX_KEY_DAYS} days, not {days}"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::parse_days;

    #[test]
    fn days_are_parsed_with_or_without_the_unit_and_bounded() {
        assert_eq!(parse_days("30d"), Ok(30));
        assert_eq!(parse_days("7"), Ok(7));
        assert!(parse_days("0d").is_err());
        assert!(parse_days("366d").is_err());
        assert!(parse_days("2w").is_err());
    }
}
