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

/// `--username` if given; else asked with `prompt` on a terminal; else the one
/// `remembered` in the profile.
pub fn username(
    given: Option<String>,
    remembered: Option<String>,
    prompt: dialoguer::Input<String>,
) -> anyhow::Result<String> {
    match (given, remembered) {
        (Some(username), _) => Ok(username),
        (None, _) if interactive() => prompt.interact_text().map_err(prompt_error),
        (None, Some(remembered)) => Ok(remembered),
        (None, None) => Err(CliError::Usage(
            "--username is required when not running in a terminal".into(),
        )
        .into()),
    }
}

/// The password from the first line of stdin with `--password-stdin`, else from
/// `prompt` on a terminal.
pub fn password(from_stdin: bool, prompt: dialoguer::Password) -> anyhow::Result<String> {
    if from_stdin {
        return read_password_stdin();
    }
    if !interactive() {
        return Err(CliError::Usage(
            "no terminal to prompt for a password: pipe it in with --password-stdin".into(),
        )
        .into());
    }
    prompt.interact().map_err(prompt_error)
}

/// `--password-stdin`: the first line of stdin, without its line ending.
fn read_password_stdin() -> anyhow::Result<String> {
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
/// Whether the person confirms deleting `what` (`--yes` skips the question).
/// Without a terminal the answer cannot be asked: a usage error naming `--yes`.
pub fn confirm_delete(what: &str, yes: bool) -> anyhow::Result<bool> {
    if yes {
        return Ok(true);
    }
    if !interactive() {
        return Err(CliError::Usage(format!(
            "refusing to delete {what} without confirmation: pass --yes"
        ))
        .into());
    }
    let confirmed = dialoguer::Confirm::new()
        .with_prompt(format!("Delete {what}?"))
        .default(false)
        .interact()
        .map_err(prompt_error)?;
    if !confirmed {
        eprintln!("not deleted");
    }
    Ok(confirmed)
}

pub fn prompt_error(e: dialoguer::Error) -> anyhow::Error {
    anyhow::anyhow!("prompt failed: {e}")
}
