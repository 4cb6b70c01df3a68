//! The tests of the `faas-server` binary itself, run as a user runs it
//! (`faas-server dev` with settings in its environment); one test binary, a module
//! per file.

mod dev_process;
mod logins;
mod metrics;
mod settings;
