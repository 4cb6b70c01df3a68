//! The `io.faas.*` labels the worker puts on what it makes in the engine: they are
//! how sweeps, pools, the function network's check and the tests tell a function's
//! container (its activation, owner, function, worker and platform) from anything
//! else.

/// The activation a container runs (empty on a parked container until it is taken).
pub const LABEL_ACTIVATION: &str = "io.faas.activation";
pub const LABEL_OWNER: &str = "io.faas.owner";
pub const LABEL_FUNCTION: &str = "io.faas.function";
pub const LABEL_WORKER: &str = "io.faas.worker";
/// Which platform (NATS stream) a container belongs to, so that workers of one
/// platform never sweep another's containers on a shared engine.
pub const LABEL_PLATFORM: &str = "io.faas.platform";
/// Set on a prewarmed container while it waits for an activation (whose label
/// is then empty).
pub const LABEL_PARKED: &str = "io.faas.parked";
/// Marks the function networks the worker created.
pub const LABEL_NETWORK: &str = "io.faas.function-network";
