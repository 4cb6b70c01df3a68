//! `faasctl logout`: forget the token, from the keyring and the file alike.

use crate::context::Context;
use crate::output::print_line;

#[derive(Debug, clap::Args)]
pub struct LogoutCommand {}

impl LogoutCommand {
    pub async fn run(self, ctx: &Context) -> anyhow::Result<()> {
        let profile = ctx.profile();
        let store = ctx.credentials();
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
