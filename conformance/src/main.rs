//! `faas-conformance`: runs the suite against a deployment, prints the report and
//! exits non-zero when a case fails.

use std::path::PathBuf;

use clap::Parser;
use faas_conformance::{Images, Options};

/// Checks that a faas deployment behaves as the API promises.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// The API's base URL, e.g. https://faas.example:9443
    #[arg(long, env = "FAAS_API_URL")]
    api_url: String,

    /// PEM CA certificate to trust for the API's TLS (besides the system roots)
    #[arg(long, env = "FAAS_CA_CERT")]
    ca_cert: Option<PathBuf>,

    /// Where the example function images are: `<prefix><name>:<tag>` for echo, cat,
    /// env, sh, logs and sleep (build them with scripts/build-function-images.sh)
    #[arg(long, default_value = "faas-examples/")]
    image_prefix: String,

    /// Tag of the example images
    #[arg(long, default_value = "latest")]
    image_tag: String,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    faas_process::install_crypto_provider();
    let args = Args::parse();
    let options = Options {
        api_url: args.api_url,
        ca_cert: args.ca_cert,
        images: Images::new(&args.image_prefix, &args.image_tag),
    };
    match faas_conformance::run(&options).await {
        Ok(report) => {
            print!("{report}");
            if report.passed() {
                std::process::ExitCode::SUCCESS
            } else {
                std::process::ExitCode::FAILURE
            }
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::from(2)
        }
    }
}
