//! The tests of the CLI (`faasctl`): parsing and usage errors, client behaviour
//! against a fake HTTPS server, the prompts through a pseudo-terminal, the checked-in
//! completion scripts, and a session against the real platform; `common` holds what
//! they share. One test binary, a module per file; `cargo nextest` runs each test in
//! its own process, e.g. one module: `cargo nextest run -p faasctl
//! -E 'test(/^completions::/)'`.

mod cli;
mod common;
mod completions;
mod e2e;
mod fake_server;
mod prompts;
