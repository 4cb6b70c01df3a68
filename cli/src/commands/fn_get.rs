//! `faasctl fn get`: one function's definition.

use std::io::Write as _;

use faas_shared::FunctionInfo;

use crate::context::Context;
use crate::output::{format_memory, format_timeout};

#[derive(Debug, clap::Args)]
pub struct FnGetCommand {
    /// Function to show
    pub name: String,
}

impl FnGetCommand {
    pub async fn run(self, ctx: &Context) -> anyhow::Result<()> {
        let function = ctx.authed_client()?.get_function(&self.name).await?;
        ctx.output.print(&function, print_function)
    }
}

fn print_function(f: &FunctionInfo) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "name:       {}", f.name)?;
    writeln!(out, "image:      {}", f.image)?;
    writeln!(out, "timeout:    {}", format_timeout(f.timeout_ms))?;
    writeln!(out, "memory:     {}", format_memory(f.memory_mb))?;
    writeln!(out, "param-mode: {}", f.param_mode.as_str())?;
    writeln!(out, "network:    {}", if f.network { "yes" } else { "no" })?;
    if !f.secrets.is_empty() {
        writeln!(out, "secrets:    {}", f.secrets.join(", "))?;
    }
    if let Some(n) = f.max_concurrency {
        writeln!(out, "max-concurrency: {n}")?;
    }
    match f.effective_prewarm {
        Some(effective) if effective != f.prewarm => writeln!(
            out,
            "prewarm:    {} (the live workers keep none: every call starts cold)",
            f.prewarm
        )?,
        _ => writeln!(out, "prewarm:    {}", f.prewarm)?,
    }
    writeln!(
        out,
        "created:    {}",
        f.created_at.format("%Y-%m-%d %H:%M:%S UTC")
    )?;
    writeln!(
        out,
        "updated:    {}",
        f.updated_at.format("%Y-%m-%d %H:%M:%S UTC")
    )?;
    out.flush()?;
    Ok(())
}
