//! The Docker Engine backend, through bollard: how a sandbox is made, run and
//! removed there.
//!
//! - `engine`: `Engine`, the connection (made on first use) and its settings; the
//!   steps every path takes (the image policy check, the function network's id, a
//!   create's answer, attach, start);
//! - `create`: the create body and `HostConfig` of a function's sandbox;
//! - `cold`: the cold path, the calls `docker run --rm` makes;
//! - `images`: the image present or pulled within the function's timeout, pull
//!   failures in our words, the image commands init containers need;
//! - `handoff`: init containers (`Ready`), parked or for secret files, and the
//!   frame written to their stdin;
//! - `wait`: output capture, the exit within the timeout, OOM kills;
//! - `cleanup`: removals in the background, the sweeps of leftovers;
//! - `network`: the function network (`faas-functions`), created and checked;
//! - `init_volume`: the `faas-init` binary in a named volume the engine mounts;
//! - `failure`: the engine's errors in our words.

mod cleanup;
mod cold;
mod create;
mod engine;
mod failure;
mod handoff;
mod images;
mod init_volume;
pub(crate) mod network;
mod wait;

pub use self::create::host_config;
pub(crate) use self::engine::Engine;
pub(crate) use self::handoff::Ready;
