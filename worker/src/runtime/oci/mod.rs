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
//! - `engine`: the backend itself ([`OciEngine`]): set up once at start, a
//!   container made and started with `faas-init` waiting, deleted off the
//!   answer's path, the sweep at start;
//! - `handoff`: the frame handed to a started container (`engine::Ready`) and
//!   its end read off its pipes (init's trailers), the timeout's kill, the OOM
//!   kill from the cgroup.
//!
//! Selected with `FAAS_WORKER_RUNTIME=oci` (the facade,
//! [`ContainerRuntime`](super::ContainerRuntime), sends every function without
//! `network: true` here). Images, the image policy and pulls stay the Docker
//! backend's (`docker::Engine::present_image`): the Docker Engine is only the image
//! store.

pub mod cgroups;
mod engine;
mod handoff;
pub mod rootfs;
pub mod runtime_binary;
pub mod seccomp;
pub mod spec;
pub mod user;

pub use self::engine::OciSettings;
pub(crate) use self::engine::{OciEngine, Ready};
