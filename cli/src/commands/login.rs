//! `faasctl login`: get a token, store it, and remember the server in the profile.

use anyhow::Context as _;
use faas_shared::Credentials;

use crate::context::Context;
use crate::credentials::StoredIn;
use crate::output::{Output, print_json, print_line};
use crate::prompt;

#[derive(Debug, clap::Args)]
pub struct LoginCommand {
    /// Username [default: the profile's, or prompted for on a terminal]
    #[arg(long, short = 'u')]
    pub username: Option<String>,

    /// Read the password from the first line of standard input instead of prompting
    #[arg(long)]
    pub password_stdin: bool,
}

impl LoginCommand {
    pub async fn run(self, ctx: &Context) -> anyhow::Result<()> {
        let remembered = ctx.profile().username;
        let mut input = dialoguer::Input::<String>::new().with_prompt("Username");
        if let Some(remembered) = &remembered {
            input = input.default(remembered.clone());
        }
        let username = prompt::username(self.username, remembered, input)?;
        let password = prompt::password(
            self.password_stdin,
            dialoguer::Password::new().with_prompt(format!("Password for {username}")),
        )?;
        log_in(ctx, username, password).await
    }
}

/// Logs `username` in, stores the token and remembers the server and user in the
/// profile (also offered right after `faasctl register`).
pub async fn log_in(ctx: &Context, username: String, password: String) -> anyhow::Result<()> {
    let token = ctx
        .client()?
        .login(&Credentials {
            username: username.clone(),
            password,
        })
        .await?;

    let settings = &ctx.settings;
    let stored = ctx
        .credentials()
        .store(&settings.profile, &username, &token.token)?;
    if let StoredIn::File(path) = &stored {
        eprintln!(
            "warning: no OS keyring available; token stored in {} (mode 0600)",
            path.display()
        );
    }
    // An absolute path, so the profile works from any directory later.
    let ca_cert = match &settings.ca_cert {
        Some(path) => Some(
            std::fs::canonicalize(path)
                .with_context(|| format!("locating the CA certificate {}", path.display()))?,
        ),
        None => None,
    };
    let mut config = ctx.config.clone();
    let profile = config.profiles.entry(settings.profile.clone()).or_default();
    profile.api_url = Some(settings.api_url.clone());
    profile.username = Some(username.clone());
    profile.ca_cert = ca_cert;
    config.save(&settings.config_path)?;

    match ctx.output {
        Output::Json => print_json(&serde_json::json!({
            "username": username,
            "api_url": settings.api_url,
            "profile": settings.profile,
            "expires_at": token.expires_at,
        })),
        Output::Text => print_line(format_args!(
            "logged in to {} as {username} (session expires {})",
            settings.api_url,
            token.expires_at.format("%Y-%m-%d %H:%M UTC")
        )),
    }
}
