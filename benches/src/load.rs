//! `faas-bench load`: clients at twice the platform's in-flight limit, spread over
//! several users, invoking for a fixed time against `faas-server dev`. Only 200
//! and 429 may come back, every 200 must carry the right result, and no container
//! may be left afterwards; anything else fails the run. Prints p50, p99 and
//! throughput as Markdown.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use reqwest::StatusCode;
use tokio::sync::Mutex;

use crate::engine::Engine;
use crate::platform::{Api, Dev};
use crate::stats::{Samples, fmt_ms};
use crate::{FUNCTION, IMAGE, PASSWORD, load_average, ms, progress};

#[derive(clap::Args, Debug)]
pub struct LoadArgs {
    /// How long the clients invoke.
    #[arg(long, default_value_t = 60)]
    seconds: u64,
    /// Users the clients are spread over.
    #[arg(long, default_value_t = 3)]
    users: usize,
    /// The platform-wide in-flight limit (`FAAS_MAX_INFLIGHT`); the run uses twice
    /// as many clients. Default: the dev worker's slots, 2 × cores.
    #[arg(long)]
    limit: Option<usize>,
    /// The faas-server binary; default: `faas-server` next to this binary.
    #[arg(long)]
    pub server: Option<PathBuf>,
}

/// What the clients saw.
#[derive(Default)]
struct Tally {
    statuses: BTreeMap<u16, usize>,
    ok: Samples,
    refused: Samples,
    wrong: usize,
    failures: Vec<String>,
}

pub async fn run(args: &LoadArgs, server: &Path) -> anyhow::Result<String> {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let limit = args.limit.unwrap_or(2 * cores);
    let clients = 2 * limit;
    let limit_text = limit.to_string();
    let env = [
        ("RUST_LOG", "warn"),
        ("FAAS_MAX_INFLIGHT", limit_text.as_str()),
    ];
    let scratch = tempfile::tempdir()?;
    progress(&format!("starting {} dev", server.display()));
    let dev = Dev::start(server, &scratch.path().join("data"), &env).await?;
    let log = dev.log.clone();
    let result = drive(args, &dev, clients).await;
    dev.stop().await;
    let (users, tally, wall) = result?;
    // The worker removes each container right after its result, in the background,
    // and its drain on stop waits for those removals: none of the users' may remain.
    let engine = Engine::connect(IMAGE, "")?;
    let mut leftovers = Vec::new();
    for user in &users {
        leftovers.extend(engine.leftovers(user).await);
    }
    let report = report(args, limit, clients, &tally, wall, leftovers.len());
    let unexpected: usize = tally
        .statuses
        .iter()
        .filter(|(s, _)| !matches!(**s, 200 | 429))
        .map(|(_, n)| n)
        .sum();
    if unexpected > 0 || tally.wrong > 0 || !tally.failures.is_empty() || !leftovers.is_empty() {
        // What the platform said about it: its warnings and errors.
        let warnings: Vec<String> = std::fs::read_to_string(&log)
            .unwrap_or_default()
            .lines()
            .filter(|l| l.contains("WARN") || l.contains("ERROR"))
            .map(str::to_owned)
            .collect();
        anyhow::bail!(
            "the load run failed:\n{report}\n{}\n{}\nfaas-server dev warned:\n{}",
            tally.failures.join("\n"),
            leftovers
                .iter()
                .map(|c| format!("left behind: {c}"))
                .collect::<Vec<_>>()
                .join("\n"),
            warnings.join("\n")
        );
    }
    anyhow::ensure!(
        tally.ok.mean().is_some(),
        "no invocation succeeded:\n{report}"
    );
    Ok(report)
}

/// Registers the users and runs the clients until the time is up.
async fn drive(
    args: &LoadArgs,
    dev: &Dev,
    clients: usize,
) -> anyhow::Result<(Vec<String>, Tally, Duration)> {
    let mut apis = Vec::new();
    let mut users = Vec::new();
    for n in 0..args.users.max(1) {
        let user = format!("load{n}-{}", std::process::id());
        let mut api = Api::new(&dev.url, &dev.ca_cert)?;
        api.register(&user, PASSWORD).await?;
        api.login(&user, PASSWORD).await?;
        api.put_function(FUNCTION, serde_json::json!({ "image": IMAGE }))
            .await?;
        apis.push(api);
        users.push(user);
    }
    progress(&format!(
        "load: {clients} clients over {} users for {} s",
        users.len(),
        args.seconds
    ));
    let tally = Arc::new(Mutex::new(Tally::default()));
    let started = Instant::now();
    let deadline = started + Duration::from_secs(args.seconds);
    let tasks: Vec<_> = (0..clients)
        .map(|client| {
            let api = apis[client % apis.len()].clone();
            let tally = tally.clone();
            tokio::spawn(async move { client_loop(api, client, deadline, tally).await })
        })
        .collect();
    for task in tasks {
        task.await.context("a load client panicked")?;
    }
    let wall = started.elapsed();
    let tally = std::mem::take(&mut *tally.lock().await);
    Ok((users, tally, wall))
}

/// One client: invoke, check, repeat; after a 429 wait 100 ms (a client honouring
/// `Retry-After` would wait longer and offer less load).
async fn client_loop(api: Api, client: usize, deadline: Instant, tally: Arc<Mutex<Tally>>) {
    let mut i = 0u64;
    while Instant::now() < deadline {
        let param = format!("c{client}n{i}");
        i += 1;
        let expect: String = param.chars().rev().collect();
        let answer = api.call_invoke(FUNCTION, &param).await;
        let mut t = tally.lock().await;
        match answer {
            Err(e) => t.failures.push(format!("request failed: {e}")),
            Ok((status, wall, body)) => {
                *t.statuses.entry(status.as_u16()).or_default() += 1;
                match status {
                    StatusCode::OK => {
                        t.ok.push(ms(wall));
                        let result = serde_json::from_slice::<serde_json::Value>(&body)
                            .ok()
                            .and_then(|a| a["result"].as_str().map(|r| r.trim().to_owned()));
                        if result.as_deref() != Some(expect.as_str()) {
                            t.wrong += 1;
                        }
                    }
                    StatusCode::TOO_MANY_REQUESTS => {
                        t.refused.push(ms(wall));
                        drop(t);
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                    other => {
                        if t.failures.len() < 5 {
                            t.failures
                                .push(format!("{other}: {}", String::from_utf8_lossy(&body)));
                        }
                    }
                }
            }
        }
    }
}

fn report(
    args: &LoadArgs,
    limit: usize,
    clients: usize,
    tally: &Tally,
    wall: Duration,
    leftovers: usize,
) -> String {
    let mut r = String::new();
    let ok = tally.statuses.get(&200).copied().unwrap_or(0);
    let statuses = tally
        .statuses
        .iter()
        .map(|(s, n)| format!("{n} × {s}"))
        .collect::<Vec<_>>()
        .join(", ");
    let _ = writeln!(r, "# faas load run\n");
    let _ = writeln!(
        r,
        "{} · `faas-server dev`, `FAAS_MAX_INFLIGHT={limit}`, per-user limit dev's default · {clients} clients (twice the limit) over {} users · {:.1} s · load average after {}\n",
        chrono::Utc::now().format("%Y-%m-%d %H:%M UTC"),
        args.users,
        wall.as_secs_f64(),
        load_average()
    );
    let _ = writeln!(r, "| measure | value |\n|---|---|");
    let _ = writeln!(r, "| answers | {statuses} |");
    let _ = writeln!(r, "| 200 with a wrong result | {} |", tally.wrong);
    let _ = writeln!(
        r,
        "| requests that failed (no answer, or not 200/429) | {} |",
        tally.failures.len()
            + tally
                .statuses
                .iter()
                .filter(|(s, _)| !matches!(**s, 200 | 429))
                .map(|(_, n)| n)
                .sum::<usize>()
    );
    let _ = writeln!(
        r,
        "| throughput (200s per second) | {:.2} |",
        ok as f64 / wall.as_secs_f64()
    );
    let _ = writeln!(
        r,
        "| 200 latency p50 / p99 ms | {} / {} |",
        fmt_ms(tally.ok.p50()),
        fmt_ms(tally.ok.percentile(99.0))
    );
    let _ = writeln!(
        r,
        "| 429 latency p50 / p99 ms | {} / {} |",
        fmt_ms(tally.refused.p50()),
        fmt_ms(tally.refused.percentile(99.0))
    );
    let _ = writeln!(r, "| containers left behind | {leftovers} |");
    r
}
