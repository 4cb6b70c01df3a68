//! `faasctl`: parse, dispatch, and turn errors into a message and an exit code.
//!
//! Layout:
//! - `cli`: the top of the command line; builds the [`context::Context`] once and runs the command;
//! - `global`: the global options every command takes;
//! - `commands`: the command tree, one file per command with its arguments and `run`;
//! - `context`: what every command gets: settings, the config file, the token, clients;
//! - `client`: the HTTP client of the API, one method per endpoint;
//! - `config` and `credentials`: settings and profiles; where the token is kept;
//! - `output` and `prompt`: what goes to stdout; asking the person at the terminal;
//! - `error`: the errors faasctl explains, and their exit codes.

use std::process::ExitCode;

use clap::Parser as _;

mod cli;
mod client;
mod commands;
mod config;
mod context;
mod credentials;
mod error;
mod global;
mod output;
mod prompt;

use error::{CliError, exit};

fn main() -> ExitCode {
    faas_process::install_crypto_provider();
    let cli = cli::Cli::parse();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(exit::OTHER);
        }
    };
    match runtime.block_on(cli.run()) {
        Ok(()) => ExitCode::from(exit::OK),
        Err(error) => ExitCode::from(report(&error)),
    }
}

/// Prints `error: ...` (plus a hint) and picks the exit code.
fn report(error: &anyhow::Error) -> u8 {
    // Output piped into `head` and closed early is not a failure worth a message.
    if error.chain().any(|e| {
        let kind = match e.downcast_ref::<serde_json::Error>() {
            Some(json) => json.io_error_kind(),
            None => e.downcast_ref::<std::io::Error>().map(|io| io.kind()),
        };
        kind == Some(std::io::ErrorKind::BrokenPipe)
    }) {
        return exit::OK;
    }
    let cli_error = error.chain().find_map(|e| e.downcast_ref::<CliError>());
    eprintln!("error: {error}");
    // `.context()` says what we were doing; the causes say why it failed.
    for cause in error.chain().skip(1) {
        eprintln!("  caused by: {cause}");
    }
    match cli_error {
        Some(e) => {
            if let Some(hint) = e.hint() {
                eprintln!("hint: {hint}");
            }
            e.exit_code()
        }
        None => exit::OTHER,
    }
}
