//! `faas-scaling`: how the compose stack scales with its workers. It brings up
//! `docker-compose.yml` (NATS, both servers, 1 worker; images `faas/*:TAG` from
//! `deploy/build-images.sh`), then for 1, 2, 3 ... workers runs the same fixed load
//! of sleep functions and of short functions against both servers and counts
//! throughput, p50, p95, 503 `no_capacity` and 429 answers. Before each step up it
//! scales the workers under a sleep load and measures how long the new worker takes
//! to start its first activation, and at the end scales back down to the first
//! count while every slot runs a function, to count what the removed workers
//! answer. Prints a Markdown report on stdout (progress on
//! stderr) and writes two SVG charts. The stack is the test kit's compose
//! [`Stack`] (the compose tests run it too), removed at the end (`down -v`).

// Shared with faas-bench, which uses the rest of them.
#[path = "../chart.rs"]
#[allow(dead_code)]
mod chart;
#[path = "../stats.rs"]
#[allow(dead_code)]
mod stats;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use chrono::{DateTime, Utc};
use clap::Parser;
use faas_shared::paths;
use faas_testkit::Api;
use faas_testkit::compose::{self, SINGLE, Stack};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use chart::Series;
use stats::{Samples, fmt_ms};

const SLEEP_IMAGE: &str = "faas-examples/sleep:latest";
const SHORT_IMAGE: &str = "faas-examples/reverse:latest";
/// `FAAS_WORKER_SLOTS` of docker-compose.yml's workers.
const SLOTS: usize = 4;

#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// Tag of the faas/server, faas/worker, faas/keygen and faas/nats images
    /// (`TAG=... deploy/build-images.sh`).
    #[arg(long, default_value = "latest")]
    tag: String,
    /// Worker counts to measure, in increasing order.
    #[arg(long, value_delimiter = ',', default_value = "1,2,3")]
    workers: Vec<usize>,
    /// Users sending the load (each has the servers' per-user in-flight limit).
    #[arg(long, default_value_t = 4)]
    users: usize,
    /// Concurrent clients per user.
    #[arg(long, default_value_t = 3)]
    clients: usize,
    /// Invocations of the sleep function per worker count.
    #[arg(long, default_value_t = 48)]
    sleep_jobs: usize,
    /// Seconds each sleep invocation sleeps.
    #[arg(long, default_value_t = 1)]
    sleep_secs: u64,
    /// Invocations of the short function (reverse) per worker count.
    #[arg(long, default_value_t = 60)]
    short_jobs: usize,
    /// Prefix of the two SVG charts (`-throughput.svg`, `-p95.svg`).
    #[arg(long, default_value = "scaling")]
    chart: PathBuf,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    faas_process::install_crypto_provider();
    let args = Args::parse();
    if args.workers.is_empty() || args.workers.windows(2).any(|w| w[0] >= w[1]) {
        bail!("--workers must be increasing, e.g. 1,2,3");
    }
    let missing = compose::missing_images(&args.tag);
    if !missing.is_empty() {
        bail!(
            "missing images {missing:?}: TAG={} deploy/build-images.sh",
            args.tag
        );
    }
    eprintln!("compose up ({} worker(s))", args.workers[0]);
    let stack = Stack::up("scale", &args.tag, SINGLE, args.workers[0]);
    let outcome = measure(&args, &stack).await;
    eprintln!("compose down -v");
    drop(stack);
    let (steps, scale_down) = outcome?;
    println!("{}", report(&args, &steps, &scale_down));
    write_charts(&args, &steps)?;
    Ok(())
}

/// One worker count's figures.
struct Step {
    workers: usize,
    /// Seconds from `--scale worker=N` to the new worker's first activation.
    new_worker_start: Option<f64>,
    sleep: Load,
    short: Load,
}

/// What one load run saw.
#[derive(Default)]
struct Load {
    jobs: usize,
    seconds: f64,
    latency: Samples,
    ok: usize,
    no_capacity: usize,
    too_many: usize,
    other: BTreeMap<String, usize>,
    /// `/proc/loadavg`'s 1-minute figure when the run started (the host is shared).
    host_load: String,
}

impl Load {
    fn throughput(&self) -> f64 {
        self.ok as f64 / self.seconds
    }
}

/// What scaling down under load saw.
struct ScaleDown {
    from: usize,
    to: usize,
    load: Load,
}

async fn measure(args: &Args, stack: &Stack) -> anyhow::Result<(Vec<Step>, ScaleDown)> {
    let api = stack.servers().await;
    let mut users = Vec::new();
    for n in 0..args.users {
        let name = format!("scale{n}x{}", std::process::id());
        users.push(user(&api[0], &name).await);
    }
    eprintln!("warming up (images, connections)");
    for token in &users {
        let _ = api[0].try_invoke(token, "short", "warm").await;
        let _ = api[0].try_invoke(token, "nap", "0").await;
    }
    let mut steps = Vec::new();
    for (i, &workers) in args.workers.iter().enumerate() {
        let new_worker_start = if i == 0 {
            None
        } else {
            Some(scale_up_under_load(args, stack, &api, &users, workers).await?)
        };
        eprintln!("{workers} worker(s): sleep load");
        let sleep_param = args.sleep_secs.to_string();
        let sleep = load(args, &api, &users, "nap", &sleep_param, args.sleep_jobs).await;
        eprintln!("{workers} worker(s): short load");
        let short = load(args, &api, &users, "short", "hello", args.short_jobs).await;
        steps.push(Step {
            workers,
            new_worker_start,
            sleep,
            short,
        });
    }
    let scale_down = scale_down_under_load(args, stack, &api, &users).await?;
    Ok((steps, scale_down))
}

/// Fills every slot of the largest worker count with 5-sleep-long functions, then
/// scales down to the smallest count (compose stops the removed workers: SIGTERM,
/// then they drain): every call should still be answered.
async fn scale_down_under_load(
    args: &Args,
    stack: &Stack,
    api: &[Api],
    users: &[String],
) -> anyhow::Result<ScaleDown> {
    let (from, to) = (*args.workers.last().unwrap(), args.workers[0]);
    let jobs = from * SLOTS;
    eprintln!("scaling down from {from} to {to} worker(s) with {jobs} functions running");
    let clients = jobs.div_ceil(users.len());
    let param = (args.sleep_secs * 5).to_string();
    let background = {
        let (api, users) = (api.to_vec(), users.to_vec());
        let never = Arc::new(AtomicBool::new(false));
        tokio::spawn(
            async move { run_load(&api, &users, clients, "nap", &param, jobs, &never).await },
        )
    };
    tokio::time::sleep(Duration::from_secs(2)).await;
    tokio::task::block_in_place(|| stack.scale_workers(to));
    Ok(ScaleDown {
        from,
        to,
        load: background.await?,
    })
}

/// Scales to `workers` while a sleep load keeps every slot busy, and returns the
/// seconds from the scale command to the first activation a new worker started
/// (from the activation records' `worker` and `started_at`).
async fn scale_up_under_load(
    args: &Args,
    stack: &Stack,
    api: &[Api],
    users: &[String],
    workers: usize,
) -> anyhow::Result<f64> {
    eprintln!("scaling to {workers} worker(s) under load");
    let before = stack.containers("worker");
    let stop = Arc::new(AtomicBool::new(false));
    let background = {
        let (api, users, stop) = (api.to_vec(), users.to_vec(), stop.clone());
        let (clients, param) = (args.clients, args.sleep_secs.to_string());
        tokio::spawn(async move {
            run_load(&api, &users, clients, "nap", &param, usize::MAX, &stop).await;
        })
    };
    tokio::time::sleep(Duration::from_secs(1)).await;
    let scaled_at = Utc::now();
    tokio::task::block_in_place(|| stack.scale_workers(workers));
    // Records name workers by the opaque id each logs at start.
    let new: Vec<String> = tokio::task::block_in_place(|| {
        stack
            .containers("worker")
            .into_iter()
            .filter(|id| !before.contains(id))
            .map(|id| stack.record_id(&id))
            .collect()
    });
    // Keep the load up until a new worker's first activation is on record.
    let deadline = Instant::now() + Duration::from_secs(120);
    let first = loop {
        if let Some(first) = first_start(&api[0], users, &new, scaled_at).await? {
            break Some(first);
        }
        if Instant::now() > deadline {
            break None;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    };
    stop.store(true, Ordering::Relaxed);
    background.await?;
    let first = first.context("no new worker ran anything within 2 minutes of scaling up")?;
    Ok((first - scaled_at).num_milliseconds() as f64 / 1000.0)
}

/// The earliest `started_at` after `since` of an activation that one of the
/// `workers` (their records' ids) ran.
async fn first_start(
    api: &Api,
    users: &[String],
    workers: &[String],
    since: DateTime<Utc>,
) -> anyhow::Result<Option<DateTime<Utc>>> {
    let mut first: Option<DateTime<Utc>> = None;
    for token in users {
        for record in records(api, token).await? {
            let worker = record["worker"].as_str().unwrap_or_default();
            let started = record["started_at"].as_str().unwrap_or_default();
            if workers.iter().any(|id| id == worker)
                && let Ok(started) = started.parse::<DateTime<Utc>>()
                && started > since
            {
                first = Some(first.map_or(started, |f| f.min(started)));
            }
        }
    }
    Ok(first)
}

/// `jobs` invocations of `function` by `args.users` x `args.clients` closed-loop
/// clients, spread over both servers.
async fn load(
    args: &Args,
    api: &[Api],
    users: &[String],
    function: &str,
    param: &str,
    jobs: usize,
) -> Load {
    let host_load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_default();
    let never = Arc::new(AtomicBool::new(false));
    let mut load = run_load(api, users, args.clients, function, param, jobs, &never).await;
    load.host_load = host_load;
    load
}

/// `jobs` invocations (or until `stop`) by `clients` closed-loop clients per user.
async fn run_load(
    api: &[Api],
    users: &[String],
    clients: usize,
    function: &str,
    param: &str,
    jobs: usize,
    stop: &Arc<AtomicBool>,
) -> Load {
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();

    for (u, token) in users.iter().enumerate() {
        for c in 0..clients {
            let server = api[(u * clients + c) % api.len()].clone();
            let (next, token, stop) = (next.clone(), token.clone(), stop.clone());
            let (function, param) = (function.to_owned(), param.to_owned());
            tasks.push(tokio::spawn(async move {
                let mut seen = Vec::new();
                while !stop.load(Ordering::Relaxed) && next.fetch_add(1, Ordering::Relaxed) < jobs {
                    let sent = Instant::now();
                    let (status, code) = invoke(&server, &token, &function, &param).await;
                    seen.push((status, code, sent.elapsed()));
                }
                seen
            }));
        }
    }
    let mut load = Load {
        jobs,
        ..Load::default()
    };
    for task in tasks {
        for (status, code, took) in task.await.unwrap_or_default() {
            match status {
                StatusCode::OK => {
                    load.ok += 1;
                    load.latency.push(took.as_secs_f64() * 1000.0);
                }
                StatusCode::SERVICE_UNAVAILABLE if code == "no_capacity" => load.no_capacity += 1,
                StatusCode::TOO_MANY_REQUESTS => load.too_many += 1,
                _ => *load.other.entry(format!("{status} {code}")).or_default() += 1,
            }
        }
    }
    load.seconds = started.elapsed().as_secs_f64();
    load
}

fn report(args: &Args, steps: &[Step], scale_down: &ScaleDown) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Load: {} users x {} clients (closed loop) over both servers; sleep = {} x `sleep {}` ({}), short = {} x reverse ({}).\n",
        args.users,
        args.clients,
        args.sleep_jobs,
        args.sleep_secs,
        SLEEP_IMAGE,
        args.short_jobs,
        SHORT_IMAGE
    );
    let _ = writeln!(
        out,
        "| workers | load | ok/s | p50 ms | p95 ms | 503 no_capacity | 429 | other | host load (1 min) |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|---|---|");
    for step in steps {
        for (name, load) in [("sleep", &step.sleep), ("short", &step.short)] {
            let other: Vec<String> = load
                .other
                .iter()
                .map(|(k, v)| format!("{v}x {k}"))
                .collect();
            let _ = writeln!(
                out,
                "| {} | {name} | {:.2} | {} | {} | {} | {} | {} | {} |",
                step.workers,
                load.throughput(),
                fmt_ms(load.latency.p50()),
                fmt_ms(load.latency.percentile(95.0)),
                load.no_capacity,
                load.too_many,
                if other.is_empty() {
                    "0".to_owned()
                } else {
                    other.join(", ")
                },
                load.host_load
            );
        }
    }
    let _ = writeln!(out);
    for step in steps {
        if let Some(seconds) = step.new_worker_start {
            let _ = writeln!(
                out,
                "- scale to {} workers under load: the new worker started its first activation {seconds:.1} s after `docker-compose up --scale`",
                step.workers
            );
        }
    }
    let down = &scale_down.load;
    let _ = writeln!(
        out,
        "- scale from {} to {} workers while {} functions of {} s run: {} answered 200, {} 503 no_capacity, {} 429, other: {:?}",
        scale_down.from,
        scale_down.to,
        down.jobs,
        args.sleep_secs * 5,
        down.ok,
        down.no_capacity,
        down.too_many,
        down.other
    );
    out
}

fn write_charts(args: &Args, steps: &[Step]) -> anyhow::Result<()> {
    let levels: Vec<usize> = steps.iter().map(|s| s.workers).collect();
    let series = |name: &str, colour, dashed, value: &dyn Fn(&Step) -> Option<f64>| Series {
        name: name.to_owned(),
        colour,
        dashed,
        values: steps.iter().map(value).collect(),
    };
    let throughput = chart::line_chart(
        "Throughput by workers (compose, one 2-core host)",
        "workers (4 slots each)",
        "answered invocations per second",
        &levels,
        &[
            series("sleep", "#1f77b4", false, &|s| Some(s.sleep.throughput())),
            // What the slots allow: every call the slots can hold runs at once.
            series("sleep: slots' bound", "#888888", true, &|s| {
                let running = (s.workers * SLOTS).min(args.users * args.clients);
                Some(running as f64 / args.sleep_secs as f64)
            }),
            series("short", "#d62728", false, &|s| Some(s.short.throughput())),
        ],
    );
    let latency = chart::line_chart(
        "Latency by workers (compose, one 2-core host)",
        "workers (4 slots each)",
        "latency, ms",
        &levels,
        &[
            series("sleep p50", "#1f77b4", false, &|s| s.sleep.latency.p50()),
            series("sleep p95", "#1f77b4", true, &|s| {
                s.sleep.latency.percentile(95.0)
            }),
            series("short p50", "#d62728", false, &|s| s.short.latency.p50()),
            series("short p95", "#d62728", true, &|s| {
                s.short.latency.percentile(95.0)
            }),
        ],
    );
    for (suffix, svg) in [("-throughput.svg", throughput), ("-latency.svg", latency)] {
        let mut path = args.chart.clone().into_os_string();
        path.push(suffix);
        std::fs::write(&path, svg).with_context(|| format!("writing {path:?}"))?;
        eprintln!("chart written to {}", Path::new(&path).display());
    }
    Ok(())
}

/// Registers `name`, logs in, adds the functions `nap` and `short`; the token.
async fn user(server: &Api, name: &str) -> String {
    let token = server.user(name).await;
    for (function, spec) in [
        ("nap", json!({ "image": SLEEP_IMAGE, "timeout_ms": 60_000 })),
        ("short", json!({ "image": SHORT_IMAGE })),
    ] {
        server.add_function(&token, function, spec).await;
    }
    token
}

/// Status and error code (empty on success) of one synchronous invocation; a
/// transport error is a 502 with the error as its code.
async fn invoke(server: &Api, token: &str, function: &str, param: &str) -> (StatusCode, String) {
    match server.try_invoke(token, function, param).await {
        Ok((status, body)) => {
            let code = body["error"]["code"].as_str().unwrap_or_default();
            (status, code.to_owned())
        }
        Err(e) => (StatusCode::BAD_GATEWAY, format!("transport: {e}")),
    }
}

/// Every activation record of the token's user (following `Link: rel="next"`).
async fn records(server: &Api, token: &str) -> anyhow::Result<Vec<Value>> {
    let mut records = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let mut path = format!("{}?limit=100", paths::ACTIVATIONS);
        if let Some(after) = &after {
            path.push_str(&format!("&after={after}"));
        }
        let page: Vec<Value> = server
            .authed(Method::GET, &path, token)
            .send()
            .await?
            .json()
            .await?;
        let Some(last) = page.last() else {
            return Ok(records);
        };
        after = last["activation_id"].as_str().map(str::to_owned);
        let full = page.len() == 100;
        records.extend(page);
        if !full || after.is_none() {
            return Ok(records);
        }
    }
}
