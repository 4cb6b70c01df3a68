//! `faasctl invoke`: run a function and print its result exactly as it printed it.
//!
//! stdout gets the function's stdout byte for byte, so `faasctl invoke f x > out`
//! captures exactly the result; only when stdout is a terminal is a newline added
//! after a result that lacks one, so the shell's prompt starts on its own line.
//! Everything else (spinner, logs, errors) goes to stderr.

use std::io::{IsTerminal as _, Read as _, Write as _};
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context as _;
use faas_shared::{Activation, ActivationStatus, ApiError};

use crate::context::Context;
use crate::error::CliError;
use crate::output::{Output, format_timeout, print_json, print_line};

#[derive(Debug, clap::Args)]
pub struct InvokeCommand {
    /// Function to run
    pub name: String,

    /// The parameter passed to the function; `-` reads it from standard input
    #[arg(conflicts_with = "file")]
    pub param: Option<String>,

    /// Read the parameter from this file
    #[arg(long, short = 'f', value_name = "FILE")]
    pub file: Option<PathBuf>,

    /// Also print the function's stderr (its logs) to stderr; always done when it fails
    #[arg(long)]
    pub logs: bool,

    /// Do not wait: print the activation id at once and fetch the outcome later with
    /// `faasctl activations get ID` or `faasctl logs ID`
    #[arg(long = "async", conflicts_with = "logs")]
    pub asynchronous: bool,
}

impl InvokeCommand {
    pub async fn run(self, ctx: &Context) -> anyhow::Result<()> {
        let param = self.read_param()?;
        let client = ctx.authed_client()?;
        if self.asynchronous {
            let accepted = client.invoke_async(&self.name, param).await?;
            return ctx.output.print(&accepted, |accepted| {
                print_line(&accepted.activation_id)?;
                eprintln!(
                    "queued; see the outcome with `faasctl activations get {}`",
                    accepted.activation_id
                );
                Ok(())
            });
        }

        let spinner = std::io::stderr().is_terminal().then(|| {
            let bar = indicatif::ProgressBar::new_spinner();
            bar.set_message(format!("running {}", self.name));
            bar.enable_steady_tick(Duration::from_millis(100));
            bar
        });
        let outcome = client.invoke(&self.name, param).await;
        if let Some(bar) = spinner {
            bar.finish_and_clear();
        }

        match outcome {
            Ok(activation) => {
                let failure = failure(&self.name, &activation);
                self.emit(ctx.output, &activation, self.logs || failure.is_some())?;
                match failure {
                    Some(error) => Err(CliError::Api {
                        error,
                        retry_after: None,
                    }
                    .into()),
                    None => Ok(()),
                }
            }
            Err(CliError::Api {
                mut error,
                retry_after,
            }) => {
                // A function that ran and failed still has output worth showing.
                if let Some(activation) = error.activation.take() {
                    self.emit(ctx.output, &activation, true)?;
                    // The platform's reason (a missing image or secret) is the
                    // server's message; faasctl words only what the function did.
                    let ran = activation.exit_code.is_some()
                        || activation.status == ActivationStatus::Timeout;
                    if let Some(described) = failure(&self.name, &activation).filter(|_| ran) {
                        error.message = described.message;
                    }
                }
                Err(CliError::Api { error, retry_after }.into())
            }
            Err(other) => Err(other.into()),
        }
    }

    fn read_param(&self) -> anyhow::Result<String> {
        if let Some(path) = &self.file {
            return std::fs::read_to_string(path)
                .with_context(|| format!("reading the parameter from {}", path.display()));
        }
        match self.param.as_deref() {
            Some("-") => {
                let mut param = String::new();
                std::io::stdin()
                    .read_to_string(&mut param)
                    .context("reading the parameter from standard input (it must be UTF-8)")?;
                Ok(param)
            }
            Some(param) => Ok(param.to_owned()),
            None => Ok(String::new()),
        }
    }

    fn emit(&self, output: Output, activation: &Activation, logs: bool) -> anyhow::Result<()> {
        if output == Output::Json {
            print_json(activation)?;
        } else {
            let mut out = std::io::stdout().lock();
            out.write_all(activation.result.as_bytes())?;
            if needs_newline(&activation.result, out.is_terminal()) {
                out.write_all(b"\n")?;
            }
            out.flush()?;
        }
        if logs {
            let mut err = std::io::stderr().lock();
            err.write_all(activation.logs.as_bytes())?;
            err.flush()?;
        }
        if activation.result_truncated {
            eprintln!("note: the result was cut at the platform's size limit");
        }
        if logs && activation.logs_truncated {
            eprintln!("note: the logs were cut at the platform's size limit");
        }
        Ok(())
    }
}

/// Whether to end a result with a newline: only on a terminal, and only when it
/// has text that does not end in one.
fn needs_newline(result: &str, terminal: bool) -> bool {
    terminal && !result.is_empty() && !result.ends_with('\n')
}

/// The error for an activation that did not succeed: the code is the platform's rule,
/// the message faasctl's own wording.
fn failure(name: &str, activation: &Activation) -> Option<ApiError> {
    let error = ApiError::from_outcome(activation, None)?;
    let message = match (activation.status, activation.exit_code) {
        (ActivationStatus::Timeout, _) => format!(
            "function {name} timed out after {}",
            format_timeout(activation.duration_ms)
        ),
        (_, Some(code)) => format!("function {name} failed with exit code {code}"),
        (_, None) => format!("function {name} could not be run"),
    };
    Some(ApiError { message, ..error })
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_newline_only_on_a_terminal_and_only_when_missing() {
        assert!(super::needs_newline("olleh", true));
        assert!(!super::needs_newline("olleh", false));
        assert!(!super::needs_newline("olleh\n", true));
        assert!(!super::needs_newline("", true));
    }
}
