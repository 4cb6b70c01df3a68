//! Invite codes (KV `faas_invites`): made by the operator (`faas-server invite`),
//! each used by one registration when `FAAS_REGISTRATION=invite`. Stored by the
//! SHA-256 of the code, so the bucket holds no code anyone could use; a code is
//! taken by a compare-and-set on the revision read, so two registrations with one
//! code give one account.

use std::time::Duration;

use async_nats::jetstream::{self, kv};
use chrono::{DateTime, Utc};
use faas_shared::ErrorCode;
use faas_shared::nats::INVITES_BUCKET;
use serde::{Deserialize, Serialize};

use super::handle::{Store, current_entry, encode};
use crate::error::AppError;

/// What an invite code starts with.
pub const INVITE_PREFIX: &str = "faas_i_";

/// An invite as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredInvite {
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    /// Set once a registration took it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    used_by: Option<String>,
}

/// The KV key of `code`: its hex SHA-256.
fn invite_key(code: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(code.trim().as_bytes()))
}

/// The invites bucket, created if missing (the operator's command may run before
/// any server).
pub async fn open_invites(js: &jetstream::Context, replicas: usize) -> anyhow::Result<kv::Store> {
    super::setup::open_bucket(js, INVITES_BUCKET, Duration::ZERO, replicas).await
}

/// Makes `count` invite codes valid for `valid_for`; returns them (shown once).
pub async fn make_invites(
    invites: &kv::Store,
    count: usize,
    valid_for: Duration,
) -> anyhow::Result<Vec<String>> {
    let now = Utc::now();
    let invite = StoredInvite {
        created_at: now,
        expires_at: now + chrono::Duration::from_std(valid_for)?,
        used_by: None,
    };
    let mut codes = Vec::new();
    for _ in 0..count {
        let code = format!("{INVITE_PREFIX}{}", faas_process::signing::random_secret());
        invites
            .create(invite_key(&code), serde_json::to_vec(&invite)?.into())
            .await?;
        codes.push(code);
    }
    Ok(codes)
}

/// `faas-server invite`'s work: logs in to NATS as the server does
/// (`FAAS_NATS_URL`, `FAAS_NATS_USER`, `FAAS_NATS_PASSWORD_FILE`,
/// `FAAS_NATS_REPLICAS`) and makes `count` codes valid for `valid_for`.
pub async fn make_invites_from_env(
    count: usize,
    valid_for: Duration,
) -> anyhow::Result<Vec<String>> {
    use faas_process::env;
    use faas_process::nats::{Credentials, Identity};
    let url = env::var("FAAS_NATS_URL").unwrap_or_else(|| faas_process::nats::DEFAULT_URL.into());
    let credentials = Credentials::required_from_env("faas-server")?;
    let replicas = env::parse::<usize>("FAAS_NATS_REPLICAS")?.unwrap_or(1);
    let who = Identity {
        name: "faas-server invite",
        credentials: Some(&credentials),
        inbox_prefix: faas_shared::nats::SERVER_INBOX_PREFIX,
    };
    let nats = faas_process::nats::connect(&url, who, Duration::from_secs(30)).await?;
    let js = jetstream::new(nats.client);
    let invites = open_invites(&js, replicas).await?;
    make_invites(&invites, count, valid_for).await
}

impl Store {
    /// Takes invite `code` for `username`: 403 `invite_required` when it is
    /// unknown, used or expired. Atomic: of two registrations with one code, one
    /// takes it. Returns the revision to give it back at ([`Store::give_back`]).
    pub async fn take_invite(&self, code: &str, username: &str) -> Result<u64, AppError> {
        let refused = |why: &str| {
            AppError::new(
                ErrorCode::InviteRequired,
                format!(
                    "registration is by invitation: {why}; ask the platform's operator for a code"
                ),
            )
        };
        let key = invite_key(code);
        let Some((value, revision)) =
            current_entry(&self.invites, &key, "reading the invite").await?
        else {
            return Err(refused("the invite code is unknown"));
        };
        let mut invite: StoredInvite = serde_json::from_slice(&value)
            .map_err(|e| AppError::internal("reading the invite", e))?;
        if invite.used_by.is_some() {
            return Err(refused("the invite code was used already"));
        }
        if Utc::now() >= invite.expires_at {
            return Err(refused("the invite code has expired"));
        }
        invite.used_by = Some(username.to_owned());
        match self.invites.update(&key, encode(&invite)?, revision).await {
            Ok(taken) => Ok(taken),
            Err(e) if e.kind() == kv::UpdateErrorKind::WrongLastRevision => {
                Err(refused("the invite code was used already"))
            }
            Err(e) => Err(AppError::backend("taking the invite", e)),
        }
    }

    /// Makes a code taken at `revision` usable again (the registration failed:
    /// the name was taken). Best effort.
    pub async fn give_back(&self, code: &str, revision: u64) {
        let key = invite_key(code);
        let Ok(Some((value, _))) = current_entry(&self.invites, &key, "reading the invite").await
        else {
            return;
        };
        let Ok(mut invite) = serde_json::from_slice::<StoredInvite>(&value) else {
            return;
        };
        invite.used_by = None;
        if let Ok(value) = encode(&invite) {
            let _ = self.invites.update(&key, value, revision).await;
        }
    }
}
