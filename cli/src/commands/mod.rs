//! The command tree. One file per command, holding its arguments and its `run`; this
//! module only names the commands and dispatches to them.

use clap::Subcommand;

use crate::context::Context;

pub mod account;
pub mod activations;
pub mod completions;
pub mod fn_add;
pub mod fn_get;
pub mod fn_ls;
pub mod fn_rm;
pub mod invoke;
pub mod key;
pub mod login;
pub mod logout;
pub mod passwd;
pub mod register;
pub mod secret;
pub mod whoami;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create an account
    Register(register::RegisterCommand),
    /// Log in and store the token (in the OS keyring, else a 0600 file)
    Login(login::LoginCommand),
    /// Revoke the stored token on the server and forget it
    Logout(logout::LogoutCommand),
    /// Change your password (your other sessions are logged out)
    Passwd(passwd::PasswdCommand),
    /// Manage your account
    #[command(subcommand)]
    Account(AccountCommand),
    /// Show who is logged in and until when
    Whoami(whoami::WhoamiCommand),
    /// Manage functions
    #[command(subcommand)]
    Fn(FnCommand),
    /// Manage your secrets (functions read them as files)
    #[command(subcommand)]
    Secret(SecretCommand),
    /// Run a function and print its result
    Invoke(invoke::InvokeCommand),
    /// Inspect past activations (kept 24 h)
    #[command(subcommand)]
    Activations(ActivationsCommand),
    /// Manage API keys for CI (use one as FAAS_TOKEN)
    #[command(subcommand)]
    Key(KeyCommand),
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
pub enum SecretCommand {
    /// Set a secret (from a hidden prompt, standard input, or --from-file)
    Set(secret::SecretSetCommand),
    /// List your secrets' names (never their values)
    Ls(secret::SecretLsCommand),
    /// Delete a secret
    Rm(secret::SecretRmCommand),
}

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Create an API key and print its secret (shown only once)
    Create(key::KeyCreateCommand),
    /// List your API keys: created, expires, last used
    Ls(key::KeyLsCommand),
    /// Remove an API key: it stops working at once
    Rm(key::KeyRmCommand),
}

#[derive(Debug, Subcommand)]
pub enum AccountCommand {
    /// Delete your account with its functions and activation records
    Delete(account::AccountDeleteCommand),
}

#[derive(Debug, Subcommand)]
pub enum ActivationsCommand {
    /// List your activations, newest first
    Ls(activations::ActivationsLsCommand),
    /// Show one activation: status, result, logs, timings
    Get(activations::ActivationsGetCommand),
}

impl Command {
    pub async fn run(self, ctx: &Context) -> anyhow::Result<()> {
        match self {
            Command::Register(cmd) => cmd.run(ctx).await,
            Command::Login(cmd) => cmd.run(ctx).await,
            Command::Logout(cmd) => cmd.run(ctx).await,
            Command::Passwd(cmd) => cmd.run(ctx).await,
            Command::Account(AccountCommand::Delete(cmd)) => cmd.run(ctx).await,
            Command::Whoami(cmd) => cmd.run(ctx).await,
            Command::Fn(cmd) => cmd.run(ctx).await,
            Command::Secret(cmd) => cmd.run(ctx).await,
            Command::Invoke(cmd) => cmd.run(ctx).await,
            Command::Activations(cmd) => cmd.run(ctx).await,
            Command::Key(KeyCommand::Create(cmd)) => cmd.run(ctx).await,
            Command::Key(KeyCommand::Ls(cmd)) => cmd.run(ctx).await,
            Command::Key(KeyCommand::Rm(cmd)) => cmd.run(ctx).await,
            Command::Logs(cmd) => cmd.run(ctx).await,
            Command::Completions(cmd) => cmd.run().await,
        }
    }
}

impl FnCommand {
    pub async fn run(self, ctx: &Context) -> anyhow::Result<()> {
        match self {
            FnCommand::Add(cmd) => cmd.run(ctx).await,
            FnCommand::Rm(cmd) => cmd.run(ctx).await,
            FnCommand::Ls(cmd) => cmd.run(ctx).await,
            FnCommand::Get(cmd) => cmd.run(ctx).await,
        }
    }
}

impl SecretCommand {
    pub async fn run(self, ctx: &Context) -> anyhow::Result<()> {
        match self {
            SecretCommand::Set(cmd) => cmd.run(ctx).await,
            SecretCommand::Ls(cmd) => cmd.run(ctx).await,
            SecretCommand::Rm(cmd) => cmd.run(ctx).await,
        }
    }
}

impl ActivationsCommand {
    pub async fn run(self, ctx: &Context) -> anyhow::Result<()> {
        match self {
            ActivationsCommand::Ls(cmd) => cmd.run(ctx).await,
            ActivationsCommand::Get(cmd) => cmd.run(ctx).await,
        }
    }
}
