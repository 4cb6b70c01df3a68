//! A conformance suite for faas deployments, modelled on openfaas/certifier and
//! OpenWhisk's `WskRestBasicTests`/`ActionLimitsTests`: it drives only the public
//! HTTP API of any deployment (a base URL and, for TLS, a CA) with the example
//! function images, and reports each case as passed or failed.
//!
//! Every run registers fresh users (`cf<role><run id>`), so it can be pointed at a
//! shared deployment; it leaves their functions and API keys removed where a case
//! got that far.

mod cases;
mod http;
mod report;

use std::path::PathBuf;

pub use report::{CaseResult, Report};

/// Where the suite runs and what it runs.
#[derive(Debug, Clone)]
pub struct Options {
    /// `https://host:port` or `http://host:port`.
    pub api_url: String,
    /// A PEM CA to trust besides the system roots.
    pub ca_cert: Option<PathBuf>,
    pub images: Images,
}

/// The example function images the cases deploy (examples/functions).
#[derive(Debug, Clone)]
pub struct Images {
    /// argv: prints its argument.
    pub echo: String,
    /// stdin: copies stdin to stdout.
    pub cat: String,
    /// env: prints `$FAAS_PARAM`.
    pub env: String,
    /// argv: runs its argument as a shell script.
    pub sh: String,
    /// argv: writes its argument to stderr, prints `ok`.
    pub logs: String,
    /// argv: sleeps its argument in seconds.
    pub sleep: String,
}

impl Images {
    /// `<prefix><name>:<tag>` for each example, as scripts/build-function-images.sh
    /// tags them with the prefix `faas-examples/` and the tag `latest`.
    pub fn new(prefix: &str, tag: &str) -> Self {
        let image = |name: &str| format!("{prefix}{name}:{tag}");
        Self {
            echo: image("echo"),
            cat: image("cat"),
            env: image("env"),
            sh: image("sh"),
            logs: image("logs"),
            sleep: image("sleep"),
        }
    }
}

/// Runs every case in order and reports them all; an error only when the API
/// client cannot be set up at all (a bad CA file, a malformed URL).
pub async fn run(options: &Options) -> anyhow::Result<Report> {
    let api = http::Api::new(&options.api_url, options.ca_cert.as_deref())?;
    Ok(cases::Suite::new(api, options.images.clone()).run().await)
}
