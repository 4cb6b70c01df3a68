//! Everything the server keeps in NATS, one file per thing stored: users,
//! functions, activation records, API keys, secrets, pending markers and revoked
//! tokens; deleting what an account owns; and the streams and buckets it all
//! lives in, set up at start-up (`setup.rs`). The [`Store`] handle and what the files
//! share (listing an owner's keys, JSON in and out) are in `handle.rs`, below them all.
//!
//! JetStream's own features do the hard parts: KV `create` makes registration
//! atomic, KV `update` with a revision makes function replacement and the per-user
//! quotas (`quotas.rs`) race-free, and the activation stream's limits are the
//! admission control (see `setup.rs`).

mod activations;
mod deletion;
mod functions;
mod handle;
mod invites;
mod keys;
mod pending;
mod quotas;
mod revocations;
mod secrets;
mod setup;
mod users;
mod workers;

pub use deletion::Removed;
pub use handle::Store;
pub use invites::{INVITE_PREFIX, make_invites, make_invites_from_env, open_invites};
pub use keys::StoredKey;
pub use pending::PendingMarker;
pub use quotas::{QuotaKind, Reserved};
pub use revocations::Revocations;
pub use secrets::StoredSecret;
pub use setup::{connect, open_revocations};
pub use users::StoredUser;
