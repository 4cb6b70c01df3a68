//! `faasctl logout`: revoke the stored token on the server, then forget it, from the
//! keyring and the file alike.

use crate::context::Context;
use crate::credentials::{Claims, CredentialStore};
use crate::error::CliError;
use crate::output::print_line;

#[derive(Debug, clap::Args)]
pub struct LogoutCommand {}

impl LogoutCommand {
    pub async fn run(self, ctx: &Context) -> anyhow::Result<()> {
        let profile = ctx.profile();
        let store = ctx.credentials();
        // The stored token, not FAAS_TOKEN: logout ends the session it forgets.
        let stored = CredentialStore::new(
            ctx.settings.credentials_path.clone(),
            ctx.settings.use_keyring,
            None,
        )
        .token(&ctx.settings.profile, profile.username.as_deref())?;
        if let Some(token) = stored {
            revoke(ctx, token).await;
        }
        let removed = store.remove(&ctx.settings.profile, profile.username.as_deref())?;
        if store.uses_env_token() {
            eprintln!("note: FAAS_TOKEN is set in the environment; unset it to log out fully");
        }
        print_line(if removed {
            "logged out"
        } else {
            "not logged in"
        })
    }
}

/// Asks the server to revoke `token` (`POST /v1/auth/logout`). A token the server
/// refuses already (expired, revoked) needs nothing more; any other failure is a
/// warning, and the token is forgotten here anyway.
async fn revoke(ctx: &Context, token: String) {
    let expires_at = Claims::decode(&token).and_then(|claims| claims.expires_at());
    if expires_at.is_some_and(|at| at <= chrono::Utc::now()) {
        return;
    }
    let result = match ctx.client_with(Some(token)) {
        Ok(client) => client.logout().await.map_err(anyhow::Error::from),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => {}
        Err(e) if e.downcast_ref::<CliError>().is_some_and(is_refused_token) => {}
        Err(e) => {
            let until = expires_at.map_or_else(
                || "until it expires".to_owned(),
                |at| format!("until {}", at.format("%Y-%m-%d %H:%M:%S UTC")),
            );
            eprintln!(
                "warning: the server did not revoke the token ({e}); it is forgotten here but stays valid {until}"
            );
        }
    }
}

fn is_refused_token(error: &CliError) -> bool {
    match error {
        CliError::SessionExpired => true,
        CliError::Api { error, .. } => error.code == faas_shared::ErrorCode::Unauthorized,
        _ => false,
    }
}
