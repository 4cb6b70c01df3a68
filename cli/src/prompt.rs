//! Asking the person at the terminal, and what to do when there is none.
//!
//! Prompts write to stderr, so stdout stays data. Without a terminal nothing prompts:
//! the command fails with a usage error (exit 2) that names the flag to use instead.

use std::io::IsTerminal as _;

use crate::error::CliError;

/// Prompts need a person on both ends: input from a terminal, prompts to one.
pub fn interactive() -> bool {
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// `--password-stdin`: the first line of stdin, without its line ending.
pub fn read_password_stdin() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    let password = line.trim_end_matches(['\n', '\r']).to_owned();
    if password.is_empty() {
        return Err(
            CliError::Usage("--password-stdin: no password on standard input".into()).into(),
        );
    }
    Ok(password)
}

/// Turns a prompt's I/O failure (e.g. the terminal went away) into an error.
pub fn prompt_error(e: dialoguer::Error) -> anyhow::Error {
    anyhow::anyhow!("prompt failed: {e}")
}
