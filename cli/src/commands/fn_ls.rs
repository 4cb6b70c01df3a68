//! `faasctl fn ls`: a table of your functions, or the JSON array.

use crate::context::Context;
use crate::output::{Output, format_memory, format_timeout, print_json, print_table};

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
                    f.param_mode.as_str().to_owned(),
                ]
            })
            .collect();
        print_table(["NAME", "IMAGE", "TIMEOUT", "MEMORY", "PARAM-MODE"], &rows)?;
        Ok(())
    }
}
