//! [`Context`]: what every command's `run` receives, built once from the global options
//! and the config file.

use crate::client::ApiClient;
use crate::config::{ConfigFile, Inputs, Profile, Settings};
use crate::credentials::{Claims, CredentialStore};
use crate::error::CliError;
use crate::global::GlobalArgs;
use crate::output::Output;

/// Resolved settings, the config file, and the ways to reach the server.
pub struct Context {
    pub settings: Settings,
    pub config: ConfigFile,
    pub output: Output,
    pub insecure: bool,
}

impl Context {
    pub fn new(global: GlobalArgs) -> anyhow::Result<Self> {
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

    /// A client that sends `token`, if any.
    pub fn client_with(&self, token: Option<String>) -> anyhow::Result<ApiClient> {
        ApiClient::new(
            &self.settings.api_url,
            self.settings.ca_cert.as_deref(),
            token,
            self.settings.verbose,
            self.insecure,
        )
    }
}
