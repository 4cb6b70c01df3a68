//! The command line: global options, the command tree, and the [`Context`] each
//! command's `run` receives. One file per command; this module only dispatches.

use std::io::{IsTerminal as _, Write as _};
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};
use serde::Serialize;

use crate::client::ApiClient;
use crate::config::{ConfigFile, Inputs, Profile, Settings};
use crate::credentials::{Claims, CredentialStore};
use crate::error::{CliError, EXIT_CODES_HELP};

pub mod activations;
pub mod completions;
pub mod fn_add;
pub mod fn_get;
pub mod fn_ls;
pub mod fn_rm;
pub mod invoke;
pub mod login;
pub mod logout;
pub mod register;
pub mod whoami;

/// faasctl: the command-line client of faas, a Functions-as-a-Service platform.
#[derive(Debug, Parser)]
#[command(name = "faasctl", version, after_help = EXIT_CODES_HELP)]
pub struct Cli {
    #[command(flatten, next_help_heading = "Global options")]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, clap::Args)]
pub struct GlobalArgs {
    /// Base URL of the faas API [default: https://127.0.0.1:8443, where `faas-server dev` listens]
    #[arg(long, env = "FAAS_API_URL", value_name = "URL", global = true)]
    pub api_url: Option<String>,

    /// PEM CA certificate to trust in addition to the system roots (`faas-server dev`
    /// writes its CA to .faas-dev/ca.pem, which is used automatically for a loopback URL)
    #[arg(long, env = "FAAS_CA_CERT", value_name = "FILE", global = true)]
    pub ca_cert: Option<PathBuf>,

    /// Profile in the config file to read settings from and log in to [default: default]
    #[arg(long, env = "FAASCTL_PROFILE", value_name = "NAME", global = true)]
    pub profile: Option<String>,

    /// Config file [default: ~/.config/faasctl/config.toml]; the token file sits beside it
    #[arg(long, env = "FAASCTL_CONFIG", value_name = "FILE", global = true)]
    pub config: Option<PathBuf>,

    /// Never use the OS keyring; keep the token in the 0600 file instead
    #[arg(
        long,
        env = "FAASCTL_NO_KEYRING",
        global = true,
        action = clap::ArgAction::SetTrue,
        value_parser = clap::builder::FalseyValueParser::new()
    )]
    pub no_keyring: bool,

    /// Do not verify the server's TLS certificate (warns; prefer --ca-cert)
    #[arg(long, global = true)]
    pub insecure: bool,

    /// How to print data: human-readable text (tables) or JSON
    #[arg(long, short = 'o', value_enum, default_value_t = Output::Text, global = true)]
    pub output: Output,

    /// Show each HTTP request and the full error chain
    #[arg(long, short = 'v', global = true)]
    pub verbose: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Output {
    #[value(alias = "table")]
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create an account
    Register(register::RegisterCommand),
    /// Log in and store the token (in the OS keyring, else a 0600 file)
    Login(login::LoginCommand),
    /// Forget the stored token
    Logout(logout::LogoutCommand),
    /// Show who is logged in and until when
    Whoami(whoami::WhoamiCommand),
    /// Manage functions
    #[command(subcommand)]
    Fn(FnCommand),
    /// Run a function and print its result
    Invoke(invoke::InvokeCommand),
    /// Inspect past activations (kept 24 h)
    #[command(subcommand)]
    Activations(ActivationsCommand),
    /// Print the logs (stderr) of one activation
    Logs(activations::LogsCommand),
    /// Print a shell completion script
    Completions(completions::CompletionsCommand),
}

#[derive(Debug, Subcommand)]
pub enum FnCommand {
    /// Register a function, or update it if it exists
    Add(fn_add::FnAddCommand),
    /// Delete a function
    Rm(fn_rm::FnRmCommand),
    /// List your functions
    Ls(fn_ls::FnLsCommand),
    /// Show one function
    Get(fn_get::FnGetCommand),
}

#[derive(Debug, Subcommand)]
pub enum ActivationsCommand {
    /// List your activations, newest first
    Ls(activations::ActivationsLsCommand),
    /// Show one activation: status, result, logs, timings
    Get(activations::ActivationsGetCommand),
}

impl Cli {
    pub async fn run(self) -> anyhow::Result<()> {
        let global = self.global;
        match self.command {
            // Needs no config, so a broken config file cannot break shell start-up.
            Command::Completions(cmd) => cmd.run().await,
            Command::Register(cmd) => cmd.run(&Context::new(global)?).await,
            Command::Login(cmd) => cmd.run(&Context::new(global)?).await,
            Command::Logout(cmd) => cmd.run(&Context::new(global)?).await,
            Command::Whoami(cmd) => cmd.run(&Context::new(global)?).await,
            Command::Fn(FnCommand::Add(cmd)) => cmd.run(&Context::new(global)?).await,
            Command::Fn(FnCommand::Rm(cmd)) => cmd.run(&Context::new(global)?).await,
            Command::Fn(FnCommand::Ls(cmd)) => cmd.run(&Context::new(global)?).await,
            Command::Fn(FnCommand::Get(cmd)) => cmd.run(&Context::new(global)?).await,
            Command::Invoke(cmd) => cmd.run(&Context::new(global)?).await,
            Command::Activations(ActivationsCommand::Ls(cmd)) => {
                cmd.run(&Context::new(global)?).await
            }
            Command::Activations(ActivationsCommand::Get(cmd)) => {
                cmd.run(&Context::new(global)?).await
            }
            Command::Logs(cmd) => cmd.run(&Context::new(global)?).await,
        }
    }
}

/// What every command gets: resolved settings, the config file, and helpers to reach
/// the server and the terminal.
pub struct Context {
    pub settings: Settings,
    pub config: ConfigFile,
    pub output: Output,
    pub insecure: bool,
}

impl Context {
    fn new(global: GlobalArgs) -> anyhow::Result<Self> {
        let config_path = match global.config {
            Some(path) => path,
            None => crate::config::default_config_path()?,
        };
        let config = ConfigFile::load(&config_path)?;
        let settings = Settings::resolve(
            Inputs {
                api_url: global.api_url,
                ca_cert: global.ca_cert,
                profile: global.profile,
                config_path,
                // Env only: a token on the command line would show up in `ps`.
                env_token: std::env::var("FAAS_TOKEN").ok(),
                no_keyring: global.no_keyring,
                verbose: global.verbose,
            },
            &config,
        );
        if settings.verbose {
            eprintln!(
                "api: {}  profile: {}  ca-cert: {}  config: {}",
                settings.api_url,
                settings.profile,
                settings
                    .ca_cert
                    .as_ref()
                    .map_or("(system roots only)".into(), |p| p.display().to_string()),
                settings.config_path.display()
            );
        }
        Ok(Self {
            settings,
            config,
            output: global.output,
            insecure: global.insecure,
        })
    }

    pub fn profile(&self) -> Profile {
        self.config
            .profiles
            .get(&self.settings.profile)
            .cloned()
            .unwrap_or_default()
    }

    pub fn credentials(&self) -> CredentialStore {
        CredentialStore::new(
            self.settings.credentials_path.clone(),
            self.settings.use_keyring,
            self.settings.env_token.clone(),
        )
    }

    /// The stored (or `FAAS_TOKEN`) token, refused early if it has already expired.
    pub fn token(&self) -> anyhow::Result<String> {
        let profile = self.profile();
        let token = self
            .credentials()
            .token(&self.settings.profile, profile.username.as_deref())?
            .ok_or(CliError::NotLoggedIn)?;
        if Claims::decode(&token).is_some_and(|c| c.is_expired()) {
            return Err(CliError::SessionExpired.into());
        }
        Ok(token)
    }

    /// A client for the public endpoints (register, login).
    pub fn client(&self) -> anyhow::Result<ApiClient> {
        self.client_with(None)
    }

    /// A client that sends the stored token.
    pub fn authed_client(&self) -> anyhow::Result<ApiClient> {
        self.client_with(Some(self.token()?))
    }

    fn client_with(&self, token: Option<String>) -> anyhow::Result<ApiClient> {
        ApiClient::new(
            &self.settings.api_url,
            self.settings.ca_cert.as_deref(),
            token,
            self.settings.verbose,
            self.insecure,
        )
    }

    /// Prompts need a person on both ends: input from a terminal, prompts to one.
    pub fn interactive(&self) -> bool {
        std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
    }
}

/// Pretty JSON and a newline on stdout, for `--output json`.
pub fn print_json<T: Serialize>(value: &T) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    out.flush()?;
    Ok(())
}

/// An aligned table with a header row on stdout.
pub fn print_table<const N: usize>(header: [&str; N], rows: &[[String; N]]) -> anyhow::Result<()> {
    let mut widths = header.map(str::len);
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let header = header.map(String::from);
    let mut out = std::io::stdout().lock();
    for row in std::iter::once(&header).chain(rows) {
        let line: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        writeln!(out, "{}", line.join("  ").trim_end())?;
    }
    out.flush()?;
    Ok(())
}

/// One line of human output on stdout.
pub fn print_line(line: impl std::fmt::Display) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}")?;
    out.flush()?;
    Ok(())
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

/// `30000` ms → `30s`, `1500` → `1.5s`.
pub fn format_timeout(ms: u64) -> String {
    if ms.is_multiple_of(1000) {
        format!("{}s", ms / 1000)
    } else {
        format!("{}s", ms as f64 / 1000.0)
    }
}

/// `128` MiB → `128Mi`, `2048` → `2Gi`.
pub fn format_memory(mb: u64) -> String {
    if mb >= 1024 && mb.is_multiple_of(1024) {
        format!("{}Gi", mb / 1024)
    } else {
        format!("{mb}Mi")
    }
}
