//! The OCI backend's building blocks: a function's sandbox run by an OCI runtime
//! binary from the distribution (`crun`, or `runc`), spawned as a child process
//! for each step, with no Docker daemon, containerd or shim in the path: a whole
//! life cycle of the `echo` function costs 13–19 ms of CPU with crun here
//! (`life_cycle_figures` in `worker/tests/oci.rs`), against ~165 ms through
//! dockerd.
//!
//! - `cgroups`: the host's cgroup layout (v2, or v1 with v2 beside it), each
//!   worker's parent cgroup, OOM-kill evidence, the sweep of leftover cgroups;
//! - `seccomp`: the default seccomp profile resolved for this host and no
//!   capabilities, compiled once to BPF;
//! - `user`: the image's `User` as uid, gid and groups, read from its rootfs;
//! - `rootfs`: one read-only unpacked root file system per image id, exported
//!   once from the image the Docker Engine holds, in a capped cache;
//! - `spec`: a neutral [`Sandbox`](super::sandbox::Sandbox) as the runtime's
//!   `config.json` (pure);
//! - `runtime_binary`: finding and driving `crun`/`runc` (create, start, run,
//!   kill, delete, state, list; crun's workaround for hybrid cgroup hosts; the
//!   sweep after a crash).
//!
//! Selected by the worker's runtime setting once the facade
//! ([`ContainerRuntime`](super::ContainerRuntime)) drives it; until then only
//! the worker suite's `oci` module calls these modules, against the real runtimes. Images,
//! the image policy and pulls stay the Docker backend's
//! (`docker::images::ensure_image`): the Docker Engine is only the image store.

pub mod cgroups;
mod engine;
mod handoff;
pub mod rootfs;
pub mod runtime_binary;
pub mod seccomp;
pub mod spec;
pub mod user;

pub(crate) use self::engine::OciEngine;
pub use self::engine::OciSettings;
pub(crate) use self::handoff::Ready;
