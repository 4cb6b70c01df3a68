//! `faasctl fn ls`: a table of your functions, or the JSON array.

use faas_shared::FunctionInfo;

use crate::context::Context;
use crate::output::{format_memory, format_timeout, print_table};

#[derive(Debug, clap::Args)]
pub struct FnLsCommand {}

impl FnLsCommand {
    pub async fn run(self, ctx: &Context) -> anyhow::Result<()> {
        let functions = ctx.authed_client()?.list_functions().await?;
        ctx.output.print(functions.as_slice(), print_functions)
    }
}

/// A table sorted by name; the JSON keeps the server's order.
fn print_functions(functions: &[FunctionInfo]) -> anyhow::Result<()> {
    if functions.is_empty() {
        eprintln!("no functions yet; add one with `faasctl fn add NAME --image IMAGE`");
        return Ok(());
    }
    let mut sorted: Vec<&FunctionInfo> = functions.iter().collect();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    let rows: Vec<[String; 5]> = sorted
        .into_iter()
        .map(|f| {
            [
                f.name.clone(),
                f.image.clone(),
                format_timeout(f.timeout_ms),
                format_memory(f.memory_mb),
                f.param_mode.as_str().to_owned(),
            ]
        })
        .collect();
    print_table(["NAME", "IMAGE", "TIMEOUT", "MEMORY", "PARAM-MODE"], &rows)
}
