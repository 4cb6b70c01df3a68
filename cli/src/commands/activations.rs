//! `faasctl activations ls|get` and `faasctl logs`: what your functions did
//! (the platform keeps each activation's record for 24 h).

use std::io::Write as _;

use faas_shared::{ActivationPending, ActivationRecord, MAX_ACTIVATION_WAIT_SECS, PendingState};

use crate::client::{ActivationState, ApiClient};
use crate::context::Context;
use crate::error::CliError;
use crate::output::{format_timeout, print_line, print_table};

#[derive(Debug, clap::Args)]
pub struct ActivationsLsCommand {
    /// Only activations of this function
    #[arg(long, short = 'f', value_name = "NAME")]
    pub function: Option<String>,

    /// How many to show (1 to 1000)
    #[arg(long, short = 'n', default_value_t = 20, value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub limit: u16,
}

impl ActivationsLsCommand {
    pub async fn run(self, ctx: &Context) -> anyhow::Result<()> {
        let records = ctx
            .authed_client()?
            .list_activations(self.function.as_deref(), usize::from(self.limit))
            .await?;
        ctx.output.print(records.as_slice(), print_records)
    }
}

#[derive(Debug, clap::Args)]
pub struct ActivationsGetCommand {
    /// Activation id (from `faasctl activations ls` or `faasctl invoke --async`)
    pub id: String,

    /// Wait until the activation has finished (the server answers as soon as it has)
    #[arg(long)]
    pub wait: bool,
}

impl ActivationsGetCommand {
    pub async fn run(self, ctx: &Context) -> anyhow::Result<()> {
        let client = ctx.authed_client()?;
        let state = if self.wait {
            ActivationState::Finished(Box::new(finished(&client, &self.id).await?))
        } else {
            client.get_activation(&self.id, None).await?
        };
        match state {
            ActivationState::Finished(record) => ctx.output.print(&*record, print_record),
            ActivationState::Pending(pending) => ctx.output.print(&pending, print_pending),
        }
    }
}

/// The activation's record, long-polling the server until it has finished.
async fn finished(client: &ApiClient, id: &str) -> anyhow::Result<ActivationRecord> {
    loop {
        if let ActivationState::Finished(record) = client
            .get_activation(id, Some(MAX_ACTIVATION_WAIT_SECS))
            .await?
        {
            return Ok(*record);
        }
    }
}

fn print_pending(pending: &ActivationPending) -> anyhow::Result<()> {
    let state = match pending.state {
        PendingState::Queued => "queued",
        PendingState::Running => "running",
    };
    print_line(format_args!(
        "activation {} of {} is {state} (queued {}); wait for it with `faasctl activations get {} --wait`",
        pending.activation_id,
        pending.function,
        pending.queued_at.format("%Y-%m-%d %H:%M:%S UTC"),
        pending.activation_id
    ))
}

#[derive(Debug, clap::Args)]
pub struct LogsCommand {
    /// Activation id (from `faasctl activations ls` or `faasctl invoke --async`)
    pub id: String,
}

impl LogsCommand {
    pub async fn run(self, ctx: &Context) -> anyhow::Result<()> {
        let state = ctx.authed_client()?.get_activation(&self.id, None).await?;
        let ActivationState::Finished(record) = state else {
            return Err(CliError::Usage(format!(
                "activation {} has not finished yet: wait for it with `faasctl activations get {} --wait`",
                self.id, self.id
            ))
            .into());
        };
        let mut out = std::io::stdout().lock();
        out.write_all(record.activation.logs.as_bytes())?;
        out.flush()?;
        if record.activation.logs_truncated {
            eprintln!("note: the logs were cut at the platform's size limit");
        }
        Ok(())
    }
}

fn print_records(records: &[ActivationRecord]) -> anyhow::Result<()> {
    if records.is_empty() {
        eprintln!("no activations in the last 24 h");
        return Ok(());
    }
    let rows: Vec<[String; 6]> = records
        .iter()
        .map(|r| {
            [
                r.activation.activation_id.clone(),
                r.activation.function.clone(),
                if r.activation.oom_killed {
                    format!("{} (oom killed)", r.activation.status.as_str())
                } else {
                    r.activation.status.as_str().to_owned()
                },
                r.activation
                    .exit_code
                    .map_or_else(|| "-".to_owned(), |c| c.to_string()),
                format_timeout(r.activation.duration_ms),
                r.finished_at.format("%Y-%m-%d %H:%M:%S").to_string(),
            ]
        })
        .collect();
    print_table(
        [
            "ID",
            "FUNCTION",
            "STATUS",
            "EXIT",
            "DURATION",
            "FINISHED (UTC)",
        ],
        &rows,
    )
}

fn print_record(r: &ActivationRecord) -> anyhow::Result<()> {
    let a = &r.activation;
    let mut out = std::io::stdout().lock();
    writeln!(out, "id:        {}", a.activation_id)?;
    writeln!(out, "function:  {}", a.function)?;
    writeln!(out, "status:    {}", a.status.as_str())?;
    if let Some(code) = a.exit_code {
        writeln!(out, "exit code: {code}")?;
    }
    if a.oom_killed {
        writeln!(
            out,
            "note:      oom killed (the function used more than its memory_mb)"
        )?;
    }
    if let Some(failure) = &r.failure {
        writeln!(out, "failure:   {}", failure.message)?;
    }
    writeln!(out, "duration:  {}", format_timeout(a.duration_ms))?;
    writeln!(
        out,
        "queued:    {}",
        r.queued_at.format("%Y-%m-%d %H:%M:%S%.3f UTC")
    )?;
    writeln!(
        out,
        "finished:  {}",
        r.finished_at.format("%Y-%m-%d %H:%M:%S%.3f UTC")
    )?;
    writeln!(out, "worker:    {}", r.worker)?;
    writeln!(
        out,
        "--- result{}",
        if a.result_truncated {
            " (truncated)"
        } else {
            ""
        }
    )?;
    writeln!(out, "{}", a.result)?;
    writeln!(
        out,
        "--- logs{}",
        if a.logs_truncated { " (truncated)" } else { "" }
    )?;
    write!(out, "{}", a.logs)?;
    out.flush()?;
    Ok(())
}
