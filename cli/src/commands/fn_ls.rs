//! `faasctl fn ls`: a table of your functions, or the JSON array.

use std::io::Write as _;

use super::{Context, Output, format_memory, format_param_mode, format_timeout, print_json};

#[derive(Debug, clap::Args)]
pub struct FnLsCommand {}

impl FnLsCommand {
    pub async fn run(self, ctx: &Context) -> anyhow::Result<()> {
        let mut functions = ctx.authed_client()?.list_functions().await?;
        if ctx.output == Output::Json {
            return print_json(&functions);
        }
        if functions.is_empty() {
            eprintln!("no functions yet; add one with `faasctl fn add NAME --image IMAGE`");
            return Ok(());
        }
        functions.sort_by(|a, b| a.name.cmp(&b.name));
        let rows: Vec<[String; 5]> = functions
            .iter()
            .map(|f| {
                [
                    f.name.clone(),
                    f.image.clone(),
                    format_timeout(f.timeout_ms),
                    format_memory(f.memory_mb),
                    format_param_mode(f.param_mode).to_owned(),
                ]
            })
            .collect();
        let header = ["NAME", "IMAGE", "TIMEOUT", "MEMORY", "PARAM-MODE"].map(String::from);
        let mut widths = header.clone().map(|h| h.len());
        for row in &rows {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.chars().count());
            }
        }
        let mut out = std::io::stdout().lock();
        for row in std::iter::once(&header).chain(&rows) {
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
}
