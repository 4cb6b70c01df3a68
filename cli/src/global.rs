//! The global options every command takes (URL, CA, profile, config, keyring,
//! output, verbosity): read by the [`Context`](crate::context::Context).

use std::path::PathBuf;

use crate::output::Output;

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
