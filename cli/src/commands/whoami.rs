//! `faasctl whoami`: who the stored token (or API key) belongs to and when it expires.
//!
//! Read from the token itself (not verified: the server does that on every request),
//! so it works offline.

use faas_shared::keys::KeySecret;

use crate::context::Context;
use crate::credentials::Claims;
use crate::output::{Output, print_json, print_line};

#[derive(Debug, clap::Args)]
pub struct WhoamiCommand {}

impl WhoamiCommand {
    pub async fn run(self, ctx: &Context) -> anyhow::Result<()> {
        let token = ctx.token()?;
        if let Some(key) = KeySecret::parse(&token) {
            return match ctx.output {
                Output::Json => print_json(&serde_json::json!({
                    "username": key.owner,
                    "api_key": key.name,
                    "api_url": ctx.settings.api_url,
                    "profile": ctx.settings.profile,
                })),
                Output::Text => {
                    print_line(key.owner)?;
                    print_line(format_args!("API key {} (see `faasctl key ls`)", key.name))
                }
            };
        }
        let claims = Claims::decode(&token)
            .ok_or_else(|| anyhow::anyhow!("the stored token is not a JWT; run `faasctl login`"))?;
        let expires_at = claims.expires_at();
        match ctx.output {
            Output::Json => print_json(&serde_json::json!({
                "username": claims.sub,
                "expires_at": expires_at,
                "api_url": ctx.settings.api_url,
                "profile": ctx.settings.profile,
            })),
            Output::Text => {
                print_line(&claims.sub)?;
                if let Some(at) = expires_at {
                    print_line(format_args!(
                        "session expires {} (at {})",
                        humanize_until(at),
                        at.format("%Y-%m-%d %H:%M:%S UTC")
                    ))?;
                }
                Ok(())
            }
        }
    }
}

/// `in 23h 59m`-style remaining time.
fn humanize_until(at: chrono::DateTime<chrono::Utc>) -> String {
    let secs = (at - chrono::Utc::now()).num_seconds().max(0);
    let (h, m) = (secs / 3600, secs % 3600 / 60);
    if h > 0 {
        format!("in {h}h {m}m")
    } else {
        format!("in {m}m")
    }
}
