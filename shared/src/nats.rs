//! Names of the NATS subjects, streams, KV buckets and consumers faas uses.
//!
//! The server creates the stream and buckets; the worker only binds to them. Both
//! take the names from here so that they cannot drift apart.

/// Work-queue stream holding activation requests until a worker acks them.
pub const ACTIVATIONS_STREAM: &str = "FAAS_ACTIVATIONS";
/// Subjects of [`ACTIVATIONS_STREAM`]: one per user, so per-user limits apply.
pub const ACTIVATIONS_SUBJECTS: &str = "faas.activations.*";
/// Durable pull consumer shared by all workers.
pub const WORKERS_CONSUMER: &str = "workers";
/// KV bucket: username → stored user (password hash).
pub const USERS_BUCKET: &str = "faas_users";
/// KV bucket: revoked token id (`jti`) → its expiry. Keys outlive the tokens they
/// revoke: the bucket's `max_age` is the token lifetime (nats-server 2.9 has no
/// per-key TTL).
pub const REVOKED_BUCKET: &str = "faas_revoked";
/// KV bucket: `<user>.<function>` → stored function.
pub const FUNCTIONS_BUCKET: &str = "faas_functions";
/// KV bucket: `<user>.<key name>` → stored API key (a hash of its secret).
pub const KEYS_BUCKET: &str = "faas_keys";
/// KV bucket: `<owner>.<activation id>` → activation record (kept 24 h).
pub const ACTIVATIONS_BUCKET: &str = "faas_activations";

/// KV bucket: worker id → heartbeat. Keys expire after [`WORKER_HEARTBEAT_TTL`], so
/// a worker that was killed disappears from it and live workers remove the
/// containers it left.
pub const WORKERS_BUCKET: &str = "faas_workers";
/// How often a worker renews its heartbeat.
pub const WORKER_HEARTBEAT_EVERY: std::time::Duration = std::time::Duration::from_secs(5);
/// How long a heartbeat lives: a worker silent this long is taken for dead.
pub const WORKER_HEARTBEAT_TTL: std::time::Duration = std::time::Duration::from_secs(20);

/// A worker's heartbeat in [`WORKERS_BUCKET`]: when it beat, its slots (the
/// platform's capacity is their sum) and what it can serve, so that the servers
/// refuse a function spec no live worker can honour instead of accepting it and
/// ignoring part of it.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Heartbeat {
    pub at: String,
    pub slots: usize,
    /// Absent in the beats of workers older than this field: nothing is known.
    #[serde(default)]
    pub serves: Option<Serves>,
}

/// What a worker can serve of a function spec.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Serves {
    /// `prewarm` (it has `faas-init` and may park containers).
    pub prewarm: bool,
    /// `secrets` as files (it has `faas-init`).
    pub secret_files: bool,
    /// `network: true` (it has a function network).
    pub network: bool,
}

impl Serves {
    /// What at least one of `workers` serves.
    pub fn any<'a>(workers: impl IntoIterator<Item = &'a Serves>) -> Serves {
        workers
            .into_iter()
            .fold(Serves::default(), |all, one| Serves {
                prewarm: all.prewarm || one.prewarm,
                secret_files: all.secret_files || one.secret_files,
                network: all.network || one.network,
            })
    }
}

/// Object Store bucket: bodies too large for one NATS message (a 6 MiB parameter, a
/// 1 MiB result escaped into JSON), kept as long as the activation records.
pub const PAYLOADS_BUCKET: &str = "faas_payloads";

/// KV bucket: `<user>.<secret>` → the secret's value, encrypted
/// (`faas_process::secrets`). The worker reads it; only the server writes it.
pub const SECRETS_BUCKET: &str = "faas_secrets";
/// KV bucket: `<owner>.<activation id>` → a pending marker of an asynchronous
/// activation (its function, queue time and stream sequence), so that
/// `GET /v1/activations/{id}` can tell "unfinished" from "unknown".
pub const PENDING_BUCKET: &str = "faas_pending";
/// KV bucket: hex SHA-256 of an invite code → the invite (made by the operator's
/// `faas-server invite`, used once by a registration).
pub const INVITES_BUCKET: &str = "faas_invites";
/// KV bucket: `<owner>.<kind>` (`keys`, `secrets`, `functions`) → the names that
/// count against the owner's quota of that kind, changed only by compare-and-set
/// on the revision read, so concurrent creations cannot overshoot a quota.
pub const QUOTAS_BUCKET: &str = "faas_quotas";

/// Stream of per-function concurrency slots: one subject per slot
/// ([`function_slot_subject`]) holding at most one message; a message is a taken
/// slot (see `docs/architecture.md`, "Per-function concurrency").
pub const FUNCTION_SLOTS_STREAM: &str = "FAAS_FN_SLOTS";
/// Subjects of [`FUNCTION_SLOTS_STREAM`].
pub const FUNCTION_SLOTS_SUBJECTS: &str = "faas.fnslots.>";

/// Slot `k` of `user`'s function `function`.
pub fn function_slot_subject(user: &str, function: &str, k: u32) -> String {
    format!("{}{k}", function_slots_prefix(user, function))
}

/// Slot `k` of the pool that every new (unproven) account's activations share
/// (`FAAS_MAX_INFLIGHT_NEW_ACCOUNTS`). `_new` is no username (they start with a
/// letter), so it never meets a function's slots.
pub fn new_accounts_slot_subject(k: u32) -> String {
    format!("{NEW_ACCOUNTS_SLOTS_PREFIX}{k}")
}

/// What every slot subject of the new accounts' pool starts with.
pub const NEW_ACCOUNTS_SLOTS_PREFIX: &str = "faas.fnslots._new.all.";

/// What every slot subject of one function starts with.
pub fn function_slots_prefix(user: &str, function: &str) -> String {
    format!("faas.fnslots.{user}.{function}.")
}

/// KV key of a secret. Both parts are validated names.
pub fn secret_key(user: &str, name: &str) -> String {
    format!("{user}.{name}")
}

/// Where a user's activation requests are published.
pub fn activation_subject(user: &str) -> String {
    format!("faas.activations.{user}")
}

/// Object name of a request's body in [`PAYLOADS_BUCKET`], when it is too large for
/// one message. (A record's body is stored under its [`activation_key`].)
pub fn request_payload_name(activation_id: &str) -> String {
    format!("request.{activation_id}")
}

/// Where the worker publishes the result (the activation record) of one activation.
pub fn result_subject(activation_id: &str) -> String {
    format!("faas.results.{activation_id}")
}

/// Where the server announces that functions were replaced or removed, so that
/// workers drain their prewarm pools at once (a core NATS subject: a worker that
/// misses one drains the pool when it has been idle long enough).
pub const RETIRED_FUNCTIONS_SUBJECT: &str = "faas.functions.retired";

/// KV key of a function. Both parts are validated names, so neither contains a dot.
pub fn function_key(user: &str, function: &str) -> String {
    format!("{user}.{function}")
}

/// KV key of an API key in [`KEYS_BUCKET`]: owner first, like functions.
pub fn api_key_key(owner: &str, name: &str) -> String {
    format!("{owner}.{name}")
}

/// Prefix of all of one user's keys in the functions and activations buckets, for
/// listing.
pub fn owner_key_prefix(user: &str) -> String {
    format!("{user}.")
}

/// KV key of an activation record. Keyed by owner first, like functions, so a user
/// can only ever read their own records and listing reads only theirs.
pub fn activation_key(owner: &str, activation_id: &str) -> String {
    format!("{owner}.{activation_id}")
}

/// The NATS users of the server and the worker (`deploy/nats/auth.conf`).
pub const SERVER_USER: &str = "faas-server";
pub const WORKER_USER: &str = "faas-worker";
/// Their reply subjects' prefixes: NATS lets each user receive only its own replies.
pub const SERVER_INBOX_PREFIX: &str = "_INBOX_server";
pub const WORKER_INBOX_PREFIX: &str = "_INBOX_worker";
