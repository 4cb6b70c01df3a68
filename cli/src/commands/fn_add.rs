//! `faasctl fn add`: register a function, or replace its definition.

use clap::builder::{PossibleValuesParser, TypedValueParser as _};
use faas_shared::{FunctionSpec, ParamMode};

use crate::client::Upsert;
use crate::context::Context;
use crate::error::CliError;
use crate::output::print_line;

/// Every mode, in the order `--help` lists them.

#[derive(Debug, clap::Args)]
pub struct FnAddCommand {
    /// Function name: 1 to 63 characters a-z, 0-9, '_' or '-'
    pub name: String,

    /// Container image to run, e.g. faas-examples/reverse:latest
    #[arg(long)]
    pub image: String,

    /// Time limit per invocation, e.g. 500ms, 30s, 2m (server default 30s, max 5m)
    #[arg(long, value_parser = parse_timeout_ms, value_name = "DURATION")]
    pub timeout: Option<u64>,

    /// Memory limit, e.g. 128Mi, 1Gi (server default 128Mi, max 2Gi)
    #[arg(long, value_parser = parse_memory_mb, value_name = "SIZE")]
    pub memory: Option<u64>,

    /// How the parameter reaches the function: as its argument, on stdin, or in $FAAS_PARAM
    /// [default: argv]
    #[arg(
        long,
        value_name = "MODE",
        value_parser = PossibleValuesParser::new(ParamMode::ALL.map(ParamMode::as_str)).map(|s| parse_param_mode(&s))
    )]
    pub param_mode: Option<ParamMode>,

    /// Give the function network access (it has none by default)
    #[arg(long)]
    pub network: bool,

    /// A secret of yours the function reads from /run/secrets/NAME (repeatable; set
    /// it with `faasctl secret set NAME`)
    #[arg(long = "secret", value_name = "NAME")]
    pub secrets: Vec<String>,

    /// Most activations of this function queued or running at once; more are refused
    /// (429) until one ends [default: no limit of its own]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=i64::from(faas_shared::MAX_FUNCTION_CONCURRENCY)))]
    pub max_concurrency: Option<u32>,
    /// Containers each worker keeps started for this function, so an invocation skips
    /// the container start: 0 to 16 (server default 0)
    #[arg(long, value_name = "N")]
    pub prewarm: Option<u32>,
}

impl FnAddCommand {
    pub async fn run(self, ctx: &Context) -> anyhow::Result<()> {
        // The server checks too; checking first saves a round trip and a login prompt.
        faas_shared::names::validate_image(&self.image).map_err(|error| CliError::Api {
            error,
            retry_after: None,
        })?;
        let spec = FunctionSpec {
            image: self.image,
            timeout_ms: self.timeout,
            memory_mb: self.memory,
            param_mode: self.param_mode,
            network: self.network.then_some(true),
            secrets: (!self.secrets.is_empty()).then_some(self.secrets),
            max_concurrency: self.max_concurrency,
            prewarm: self.prewarm,
        };
        let (info, upsert) = ctx.authed_client()?.put_function(&self.name, &spec).await?;
        ctx.output.print(&info, |info| {
            print_line(format_args!(
                "{} {} ({})",
                match upsert {
                    Upsert::Created => "created",
                    Upsert::Updated => "updated",
                },
                info.name,
                info.image
            ))
        })
    }
}

/// Only ever given one of the possible values clap has already checked.
fn parse_param_mode(s: &str) -> ParamMode {
    ParamMode::ALL
        .into_iter()
        .find(|mode| mode.as_str() == s)
        .unwrap_or_default()
}

/// `500ms`, `30s`, `1.5s`, `2m`; a bare number is seconds.
fn parse_timeout_ms(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let (number, scale) = if let Some(n) = s.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = s.strip_suffix('s') {
        (n, 1000.0)
    } else if let Some(n) = s.strip_suffix('m') {
        (n, 60_000.0)
    } else {
        (s, 1000.0)
    };
    let value: f64 = number
        .trim()
        .parse()
        .map_err(|_| format!("{s:?} is not a duration; use e.g. 500ms, 30s or 2m"))?;
    let ms = value * scale;
    if !ms.is_finite() || ms < 1.0 {
        return Err(format!("{s:?} is not a positive duration"));
    }
    Ok(ms.round() as u64)
}

/// `128Mi`, `1Gi` (also `M`, `G`, `MB`, `GB`); a bare number is MiB.
fn parse_memory_mb(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (number, unit) = s.split_at(split);
    let value: u64 = number
        .parse()
        .map_err(|_| format!("{s:?} is not a size; use e.g. 128Mi or 1Gi"))?;
    let scale = match unit.trim() {
        "" | "Mi" | "M" | "MB" | "MiB" => 1,
        "Gi" | "G" | "GB" | "GiB" => 1024,
        _ => return Err(format!("{s:?}: unknown unit {unit:?}; use Mi or Gi")),
    };
    value
        .checked_mul(scale)
        .filter(|mb| *mb > 0)
        .ok_or_else(|| format!("{s:?} is not a usable size"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(parse: fn(&str) -> Result<u64, String>, good: &[(&str, u64)], bad: &[&str]) {
        for &(input, value) in good {
            assert_eq!(parse(input), Ok(value), "{input}");
        }
        for input in bad {
            assert!(parse(input).is_err(), "{input}");
        }
    }

    #[test]
    fn durations() {
        check(
            parse_timeout_ms,
            &[
                ("30s", 30_000),
                ("500ms", 500),
                ("1.5s", 1_500),
                ("2m", 120_000),
                ("10", 10_000),
            ],
            &["", "abc", "-1s", "0s", "1h", "NaNs"],
        );
    }

    #[test]
    fn sizes() {
        check(
            parse_memory_mb,
            &[("128Mi", 128), ("1Gi", 1024), ("256", 256), ("2G", 2048)],
            &["", "Mi", "12Ki", "0", "1.5Gi", "99999999999999999999Gi"],
        );
    }

    #[test]
    fn param_modes_are_the_wire_names() {
        for mode in ParamMode::ALL {
            assert_eq!(parse_param_mode(mode.as_str()), mode);
        }
    }
}
