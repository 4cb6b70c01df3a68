//! What commands print on stdout: JSON for `--output json`, else lines and aligned
//! tables, plus the human forms of durations and sizes.
//!
//! Data goes to stdout and nothing else does; notes, warnings and errors go to stderr,
//! so `faasctl ... > file` captures only the data.

use std::io::Write as _;

use clap::ValueEnum;
use serde::Serialize;

/// `--output`: how to print data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Output {
    #[value(alias = "table")]
    Text,
    Json,
}

impl Output {
    /// `value` as JSON for `--output json`; otherwise `text` prints it.
    pub fn print<T: Serialize + ?Sized>(
        self,
        value: &T,
        text: impl FnOnce(&T) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        match self {
            Output::Json => print_json(value),
            Output::Text => text(value),
        }
    }
}

/// Pretty JSON and a newline on stdout, for `--output json`.
pub fn print_json<T: Serialize + ?Sized>(value: &T) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    out.flush()?;
    Ok(())
}

/// An aligned table with a header row on stdout.
pub fn print_table<const N: usize>(header: [&str; N], rows: &[[String; N]]) -> anyhow::Result<()> {
    let mut widths = header.map(str::len);
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let header = header.map(String::from);
    let mut out = std::io::stdout().lock();
    for row in std::iter::once(&header).chain(rows) {
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

/// One line of human output on stdout.
pub fn print_line(line: impl std::fmt::Display) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}")?;
    out.flush()?;
    Ok(())
}

/// `30000` ms → `30s`, `1500` → `1.5s`.
pub fn format_timeout(ms: u64) -> String {
    if ms.is_multiple_of(1000) {
        format!("{}s", ms / 1000)
    } else {
        format!("{}s", ms as f64 / 1000.0)
    }
}

/// `128` MiB → `128Mi`, `2048` → `2Gi`.
pub fn format_memory(mb: u64) -> String {
    if mb >= 1024 && mb.is_multiple_of(1024) {
        format!("{}Gi", mb / 1024)
    } else {
        format!("{mb}Mi")
    }
}
