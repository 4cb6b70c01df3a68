//! `faas-server invite`: the operator makes single-use invite codes for
//! `FAAS_REGISTRATION=invite`, printed one a line (shown this once: only their
//! SHA-256 is stored). Logs in to NATS as the server does: `FAAS_NATS_URL`,
//! `FAAS_NATS_USER`, `FAAS_NATS_PASSWORD_FILE`, `FAAS_NATS_REPLICAS`.

use std::time::Duration;

#[derive(clap::Args)]
pub struct InviteCommand {
    /// How many codes to make
    #[arg(long, default_value_t = 1)]
    pub count: usize,
    /// Days each code stays usable
    #[arg(long, default_value_t = 7)]
    pub days: u64,
}

impl InviteCommand {
    pub async fn run(self) -> anyhow::Result<()> {
        anyhow::ensure!(
            (1..=1000).contains(&self.count),
            "--count must be 1 to 1000"
        );
        anyhow::ensure!((1..=365).contains(&self.days), "--days must be 1 to 365");
        let valid_for = Duration::from_secs(self.days * 24 * 3600);
        for code in faas_api::store::make_invites_from_env(self.count, valid_for).await? {
            println!("{code}");
        }
        Ok(())
    }
}
