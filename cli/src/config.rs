//! Settings: the config file with its profiles, and how flags, environment and profile
//! combine into the one [`Settings`] value every command receives.
//!
//! Precedence is flag > environment > profile > default. Clap already merges a flag
//! with its environment variable, so here only the profile and the defaults are added.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use serde::{Deserialize, Serialize};

/// Where `faas-server dev` listens.
pub const DEFAULT_API_URL: &str = "https://127.0.0.1:8443";
/// Where `faas-server dev` writes its CA, relative to the directory it was started in.
pub const DEV_CA_CERT: &str = ".faas-dev/ca.pem";
pub const DEFAULT_PROFILE: &str = "default";

/// `config.toml`: one table per profile.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ConfigFile {
    #[serde(default)]
    pub profiles: BTreeMap<String, Profile>,
}

/// What `faasctl login` remembers so later commands need no flags.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_cert: Option<PathBuf>,
}

impl ConfigFile {
    /// A missing file is an empty config: nobody has logged in yet.
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        match std::fs::read_to_string(path) {
            Ok(text) => toml::from_str(&text)
                .with_context(|| format!("reading the config file {}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(e) => Err(e).with_context(|| format!("reading the config file {}", path.display())),
        }
    }

    pub fn save(&self, path: &Path) -> anyhow::Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("creating the config directory {}", dir.display()))?;
        }
        let text = toml::to_string_pretty(self).context("encoding the config file")?;
        std::fs::write(path, text)
            .with_context(|| format!("writing the config file {}", path.display()))
    }
}

/// `~/.config/faasctl/config.toml` (honours `XDG_CONFIG_HOME`).
pub fn default_config_path() -> anyhow::Result<PathBuf> {
    let dir = dirs::config_dir()
        .context("cannot find a config directory (is HOME set?); use --config FILE")?;
    Ok(dir.join("faasctl").join("config.toml"))
}

/// Everything a command needs to know about where and how to talk to the server.
#[derive(Debug, Clone)]
pub struct Settings {
    pub api_url: String,
    pub ca_cert: Option<PathBuf>,
    pub profile: String,
    pub config_path: PathBuf,
    /// The token file used when no OS keyring is available; next to the config file.
    pub credentials_path: PathBuf,
    /// `FAAS_TOKEN`: when set, stored credentials are never read.
    pub env_token: Option<String>,
    /// `FAASCTL_NO_KEYRING` turns the OS keyring off (tests, shared machines).
    pub use_keyring: bool,
    pub verbose: bool,
}

/// The raw inputs to [`Settings::resolve`], already merged flag-over-environment by clap;
/// the config file is the one already read.
pub struct Inputs {
    pub api_url: Option<String>,
    pub ca_cert: Option<PathBuf>,
    pub profile: Option<String>,
    pub config_path: PathBuf,
    pub env_token: Option<String>,
    pub no_keyring: bool,
    pub verbose: bool,
}

impl Settings {
    pub fn resolve(inputs: Inputs, config: &ConfigFile) -> Self {
        let profile_name = inputs.profile.unwrap_or_else(|| DEFAULT_PROFILE.to_owned());
        let profile = config
            .profiles
            .get(&profile_name)
            .cloned()
            .unwrap_or_default();
        let api_url = inputs
            .api_url
            .or(profile.api_url)
            .unwrap_or_else(|| DEFAULT_API_URL.to_owned())
            .trim_end_matches('/')
            .to_owned();
        let ca_cert = inputs
            .ca_cert
            .or(profile.ca_cert)
            .or_else(|| dev_ca_cert(&api_url));
        let credentials_path = inputs
            .config_path
            .parent()
            .unwrap_or_else(|| Path::new("."))
            .join("credentials.json");
        Self {
            api_url,
            ca_cert,
            profile: profile_name,
            config_path: inputs.config_path,
            credentials_path,
            env_token: inputs.env_token.filter(|t| !t.trim().is_empty()),
            use_keyring: !inputs.no_keyring,
            verbose: inputs.verbose,
        }
    }
}

/// `./.faas-dev/ca.pem`, but only for a loopback URL: a CA file that happens to lie in
/// the current directory must never become trusted for a remote server.
fn dev_ca_cert(api_url: &str) -> Option<PathBuf> {
    let path = Path::new(DEV_CA_CERT);
    (is_loopback_url(api_url) && path.is_file()).then(|| path.to_path_buf())
}

pub fn is_loopback_url(url: &str) -> bool {
    let Ok(url) = reqwest::Url::parse(url) else {
        return false;
    };
    match url.host_str() {
        Some("localhost") => true,
        Some(host) => host
            .trim_matches(['[', ']'])
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback()),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs() -> Inputs {
        Inputs {
            api_url: None,
            ca_cert: None,
            profile: None,
            config_path: PathBuf::from("/tmp/faasctl-test/config.toml"),
            env_token: None,
            no_keyring: true,
            verbose: false,
        }
    }

    #[test]
    fn flag_beats_profile_beats_default() {
        let mut config = ConfigFile::default();
        let settings = Settings::resolve(inputs(), &config);
        assert_eq!(settings.api_url, DEFAULT_API_URL);
        assert_eq!(settings.profile, DEFAULT_PROFILE);

        config.profiles.insert(
            "default".into(),
            Profile {
                api_url: Some("https://faas.example.com/".into()),
                ..Profile::default()
            },
        );
        let settings = Settings::resolve(inputs(), &config);
        assert_eq!(settings.api_url, "https://faas.example.com");

        let mut flagged = inputs();
        flagged.api_url = Some("https://other.example.com".into());
        let settings = Settings::resolve(flagged, &config);
        assert_eq!(settings.api_url, "https://other.example.com");
    }

    #[test]
    fn credentials_live_next_to_the_config_file() {
        let settings = Settings::resolve(inputs(), &ConfigFile::default());
        assert_eq!(
            settings.credentials_path,
            PathBuf::from("/tmp/faasctl-test/credentials.json")
        );
    }

    #[test]
    fn dev_ca_is_only_trusted_for_loopback_urls() {
        assert!(is_loopback_url("https://127.0.0.1:8443"));
        assert!(is_loopback_url("https://localhost:8443"));
        assert!(is_loopback_url("https://[::1]:8443"));
        assert!(!is_loopback_url("https://faas.example.com"));
        assert!(!is_loopback_url("not a url"));
        assert_eq!(dev_ca_cert("https://faas.example.com"), None);
    }

    #[test]
    fn config_round_trips_through_toml() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("config.toml");
        let mut config = ConfigFile::default();
        config.profiles.insert(
            "work".into(),
            Profile {
                api_url: Some("https://faas.example.com".into()),
                username: Some("alice".into()),
                ca_cert: Some(PathBuf::from("/etc/faas/ca.pem")),
            },
        );
        config.save(&path).unwrap();
        let loaded = ConfigFile::load(&path).unwrap();
        assert_eq!(loaded.profiles, config.profiles);
        assert!(
            ConfigFile::load(&dir.path().join("missing.toml"))
                .unwrap()
                .profiles
                .is_empty()
        );
    }
}
