//! `faas-bench`: one interleaved run of the faas platform against the Docker Engine
//! floor, printed as a Markdown report on stdout (progress on stderr), with the chart
//! of latency by concurrency written as SVG.
//!
//! Paths: the Engine API floor (create → start → wait → remove through bollard, with
//! the worker's sandbox), `docker run --rm --network none`, our cold invoke and our
//! prewarmed invoke (a function with `"prewarm": 4`; "n/a" when the server does not
//! take the field) through the API, and the platform overhead (invoke time minus the
//! container's own run time: the record's `timings.run_ms`, else `duration_ms`).
//! The platform is `faas-server serve` and `faas-worker` as separate processes, so
//! their memory is read apart. `faas-bench load` is the load run ([`load`]).

mod backlog;
mod chart;
mod engine;
mod load;
mod platform;
mod stats;

use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Parser;

use backlog::{Backlog, Drained};
use engine::Engine;
use platform::{Api, Invoked, Memory, Parts, mib};
use stats::{Samples, fmt_ms};

const IMAGE: &str = "faas-examples/reverse:latest";
const FUNCTION: &str = "reverse";
/// The same image with a pool of prewarmed containers.
const PREWARMED: &str = "reverse-prewarmed";
const PREWARM: u32 = 4;
const PARAM: &str = "hello";
const EXPECT: &str = "olleh";
const USER: &str = "bench";
const PASSWORD: &str = "benchmark password";

#[derive(Parser, Debug)]
#[command(version, about, args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    args: Args,
}

#[derive(clap::Subcommand, Debug)]
enum Command {
    /// The load run: clients at twice the in-flight limit, from several users,
    /// against `faas-server dev`; fails on any answer but 200 and 429, a wrong
    /// result, or a container left behind.
    Load(load::LoadArgs),
}

#[derive(clap::Args, Debug)]
struct Args {
    /// Where the chart of latency by concurrency is written (SVG).
    #[arg(long, default_value = "latency-by-concurrency.svg")]
    chart: PathBuf,
    /// The faas-server binary; default: `faas-server` next to this binary.
    #[arg(long)]
    server: Option<PathBuf>,
    /// The faas-worker binary; default: `faas-worker` next to this binary.
    #[arg(long)]
    worker: Option<PathBuf>,
    /// Latency rounds; each round runs every path once, in rotating order.
    #[arg(long)]
    rounds: Option<usize>,
    /// Concurrency levels of the throughput runs.
    #[arg(long, value_delimiter = ',')]
    levels: Option<Vec<usize>>,
    /// Invocations per path and concurrency level (at least the level itself).
    #[arg(long)]
    jobs: Option<usize>,
    /// Invocations before the "after N invocations" memory reading, counting the
    /// latency and throughput runs; the rest run at concurrency 4.
    #[arg(long)]
    invocations: Option<usize>,
    /// Logins before the "after logins" memory reading.
    #[arg(long)]
    logins: Option<usize>,
    /// A small run for a smoke test: 3 rounds, levels 1,2,4, one wave per level,
    /// 10 logins. Explicit options still win.
    #[arg(long)]
    quick: bool,
}

struct Plan {
    rounds: usize,
    levels: Vec<usize>,
    jobs: usize,
    invocations: usize,
    logins: usize,
}

impl Args {
    fn plan(&self) -> Plan {
        let (rounds, levels, jobs, invocations, logins) = if self.quick {
            (3, vec![1, 2, 4], 1, 0, 10)
        } else {
            (30, vec![1, 2, 4, 8, 16], 32, 1000, 100)
        };
        Plan {
            rounds: self.rounds.unwrap_or(rounds),
            levels: self.levels.clone().unwrap_or(levels),
            jobs: self.jobs.unwrap_or(jobs),
            invocations: self.invocations.unwrap_or(invocations),
            logins: self.logins.unwrap_or(logins),
        }
    }
}

/// One throughput run of one path at one level.
#[derive(Default)]
struct Batch {
    jobs: usize,
    wall: Duration,
    latency: Samples,
    errors: usize,
    first_error: Option<String>,
    /// The worker's removal backlog during the batch (faas paths).
    backlog: Option<Drained>,
}

impl Batch {
    fn per_second(&self) -> f64 {
        (self.jobs - self.errors) as f64 / self.wall.as_secs_f64()
    }
}

/// Runs `jobs` calls of `call` with `level` in flight at once.
async fn batch<F, Fut>(level: usize, jobs: usize, call: F) -> Batch
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = anyhow::Result<Duration>> + Send,
{
    let next = Arc::new(AtomicUsize::new(0));
    let call = Arc::new(call);
    let t = Instant::now();
    let tasks: Vec<_> = (0..level)
        .map(|_| {
            let (next, call) = (next.clone(), call.clone());
            tokio::spawn(async move {
                let mut results = Vec::new();
                while next.fetch_add(1, Ordering::Relaxed) < jobs {
                    results.push(call().await);
                }
                results
            })
        })
        .collect();
    let mut out = Batch {
        jobs,
        ..Default::default()
    };
    for task in tasks {
        for result in task.await.unwrap_or_default() {
            match result {
                Ok(d) => out.latency.push(ms(d)),
                Err(e) => {
                    out.errors += 1;
                    out.first_error.get_or_insert(e.to_string());
                }
            }
        }
    }
    out.wall = t.elapsed();
    out
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn progress(message: &str) {
    eprintln!("faas-bench: {message}");
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

/// `name` given on the command line, or next to this binary.
fn binary(given: &Option<PathBuf>, name: &str) -> anyhow::Result<PathBuf> {
    if let Some(path) = given {
        return Ok(path.clone());
    }
    let exe = std::env::current_exe()?;
    let sibling = exe.with_file_name(name);
    anyhow::ensure!(
        sibling.exists(),
        "no {name} next to {}: build it (cargo build --release -p {name}) or pass its path",
        exe.display()
    );
    Ok(sibling)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    if let Some(Command::Load(load)) = cli.command {
        let server = binary(&load.server, "faas-server")?;
        print!("{}", load::run(&load, &server).await?);
        return Ok(());
    }
    let args = cli.args;
    let plan = args.plan();
    let server = binary(&args.server, "faas-server")?;
    let worker = binary(&args.worker, "faas-worker")?;
    let engine = Engine::connect(IMAGE, PARAM)?;
    let scratch = tempfile::tempdir()?;
    progress(&format!(
        "starting {} serve and {}",
        server.display(),
        worker.display()
    ));
    let parts = Parts::start(&server, &worker, scratch.path()).await?;
    let result = run(&args, &plan, &engine, &parts).await;
    parts.stop().await;
    let report = result?;
    print!("{report}");
    Ok(())
}

/// Server and worker memory at one point of the run.
struct Reading {
    point: String,
    server: Memory,
    worker: Memory,
}

impl Reading {
    fn of(point: String, parts: &Parts) -> Self {
        Self {
            point,
            server: Memory::of(parts.server_pid).unwrap_or_default(),
            worker: Memory::of(parts.worker_pid).unwrap_or_default(),
        }
    }
}

/// Latency samples of one invoke path.
#[derive(Default)]
struct InvokePath {
    wall: Samples,
    overhead: Samples,
    run: Samples,
    prewarmed: usize,
}

impl InvokePath {
    fn push(&mut self, i: &Invoked) {
        self.wall.push(ms(i.wall));
        self.run.push(i.run_ms);
        self.overhead.push(ms(i.wall) - i.run_ms);
        self.prewarmed += usize::from(i.prewarmed == Some(true));
    }
}

async fn run(args: &Args, plan: &Plan, engine: &Engine, parts: &Parts) -> anyhow::Result<String> {
    let load_before = load_average();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let mut memory = vec![Reading::of("idle, right after start".into(), parts)];
    let nats_pid = platform::child_named(std::process::id(), "nats-server");
    let nats_idle = nats_pid.and_then(Memory::of);

    let mut api = Api::new(&parts.url, &parts.ca_cert)?;
    api.register(USER, PASSWORD).await?;
    api.login(USER, PASSWORD).await?;
    api.put_function(FUNCTION, serde_json::json!({ "image": IMAGE }))
        .await?;
    // The prewarmed path lights up once the server takes the field.
    let prewarm = api
        .put_function(
            PREWARMED,
            serde_json::json!({ "image": IMAGE, "prewarm": PREWARM }),
        )
        .await;
    if let Err(e) = &prewarm {
        progress(&format!("no prewarmed path: {e}"));
    }
    let prewarm = prewarm.is_ok();
    let mut invocations = 0usize;

    // Warm up each path once (image cache, connections, the pool); not counted.
    engine.floor().await.context("Engine API floor")?;
    engine.docker_run().await?;
    let first = api.invoke(FUNCTION, PARAM, EXPECT).await?;
    let has_timings = first.prewarmed.is_some();
    invocations += 1;
    if prewarm {
        api.invoke(PREWARMED, PARAM, EXPECT).await?;
        invocations += 1;
        tokio::time::sleep(Duration::from_secs(2)).await;
    }

    progress(&format!("latency: {} rounds", plan.rounds));
    let mut floor = Samples::default();
    let mut run = Samples::default();
    let mut cold = InvokePath::default();
    let mut warm = InvokePath::default();
    let mut steps: [Samples; 4] = Default::default();
    let paths = if prewarm { 4 } else { 3 };
    for round in 0..plan.rounds {
        for k in 0..paths {
            match (round + k) % paths {
                0 => {
                    let s = engine.floor().await?;
                    floor.push(ms(s.total()));
                    for (i, d) in [s.create, s.start, s.wait, s.remove]
                        .into_iter()
                        .enumerate()
                    {
                        steps[i].push(ms(d));
                    }
                }
                1 => run.push(ms(engine.docker_run().await?)),
                2 => {
                    cold.push(&api.invoke(FUNCTION, PARAM, EXPECT).await?);
                    invocations += 1;
                }
                _ => {
                    warm.push(&api.invoke(PREWARMED, PARAM, EXPECT).await?);
                    invocations += 1;
                }
            }
        }
    }

    let backlog = Backlog::watch(parts.worker_metrics.clone());
    // Start from an empty backlog.
    backlog.drained(Duration::from_secs(60)).await;
    let mut throughput = Vec::new();
    for (i, &level) in plan.levels.iter().enumerate() {
        let jobs = plan.jobs.max(level);
        progress(&format!(
            "throughput: concurrency {level}, {jobs} jobs per path"
        ));
        let hits = Arc::new(AtomicUsize::new(0));
        let faas = |function: &'static str| {
            let (api, hits) = (api.clone(), hits.clone());
            let backlog = &backlog;
            async move {
                let mut b = batch(level, jobs, move || {
                    let (api, hits) = (api.clone(), hits.clone());
                    async move {
                        let invoked = api.invoke(function, PARAM, EXPECT).await?;
                        if invoked.prewarmed == Some(true) {
                            hits.fetch_add(1, Ordering::Relaxed);
                        }
                        Ok(invoked.wall)
                    }
                })
                .await;
                b.backlog = backlog.drained(Duration::from_secs(60)).await;
                b
            }
        };
        let docker = || {
            batch(level, jobs, || async {
                Engine::connect(IMAGE, PARAM)?.docker_run().await
            })
        };
        // Rotate which path goes first, so none always runs on a cooler machine.
        // The pool is refilled before its batch (the batch then drains it).
        let (mut cold, mut warm, mut d) = (None, None, None);
        for k in 0..3 {
            match (i + k) % 3 {
                0 => cold = Some(faas(FUNCTION).await),
                1 if prewarm => {
                    tokio::time::sleep(Duration::from_secs(2)).await;
                    warm = Some(faas(PREWARMED).await);
                }
                1 => {}
                _ => d = Some(docker().await),
            }
        }
        invocations += jobs * if prewarm { 2 } else { 1 };
        throughput.push(Level {
            level,
            cold: cold.unwrap_or_default(),
            warm: warm.map(|b| (b, hits.load(Ordering::Relaxed))),
            docker: d.unwrap_or_default(),
        });
    }

    if plan.invocations > invocations {
        let extra = plan.invocations - invocations;
        progress(&format!("{extra} more invocations at concurrency 4"));
        let api = api.clone();
        let b = batch(4, extra, move || {
            let api = api.clone();
            async move { Ok(api.invoke(FUNCTION, PARAM, EXPECT).await?.wall) }
        })
        .await;
        anyhow::ensure!(b.errors == 0, "invocations failed: {:?}", b.first_error);
        invocations += extra;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    memory.push(Reading::of(
        format!("after {invocations} invocations"),
        parts,
    ));

    progress(&format!("{} logins", plan.logins));
    for _ in 0..plan.logins {
        api.login(USER, PASSWORD).await?;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    memory.push(Reading::of(format!("after {} logins", plan.logins), parts));
    let nats_after = nats_pid.and_then(Memory::of);
    let leftovers = engine.leftovers(USER).await;
    let load_after = load_average();

    let mut lines = vec![
        series(
            "faas cold p50",
            "#1f77b4",
            false,
            &throughput,
            |t| Some(&t.cold),
            50.0,
        ),
        series(
            "faas cold p95",
            "#1f77b4",
            true,
            &throughput,
            |t| Some(&t.cold),
            95.0,
        ),
    ];
    if prewarm {
        fn warm(t: &Level) -> Option<&Batch> {
            t.warm.as_ref().map(|(b, _)| b)
        }
        lines.push(series(
            "faas prewarmed p50",
            "#2ca02c",
            false,
            &throughput,
            warm,
            50.0,
        ));
        lines.push(series(
            "faas prewarmed p95",
            "#2ca02c",
            true,
            &throughput,
            warm,
            95.0,
        ));
    }
    lines.push(series(
        "docker run p50",
        "#d62728",
        false,
        &throughput,
        |t| Some(&t.docker),
        50.0,
    ));
    lines.push(series(
        "docker run p95",
        "#d62728",
        true,
        &throughput,
        |t| Some(&t.docker),
        95.0,
    ));
    let chart = chart::latency_by_concurrency(
        "Latency by concurrency: faas invoke vs docker run --rm",
        &plan.levels,
        &lines,
    );
    std::fs::write(&args.chart, chart)
        .with_context(|| format!("writing the chart to {}", args.chart.display()))?;

    // The report.
    let mut r = String::new();
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let _ = writeln!(r, "# faas benchmark report\n");
    let _ = writeln!(
        r,
        "{} · {cores} cores · {} · image `{IMAGE}` · load average {load_before} before, {load_after} after",
        chrono::Utc::now().format("%Y-%m-%d %H:%M UTC"),
        engine.version().await,
    );
    let _ = writeln!(
        r,
        "\nPlatform: `faas-server serve` (HTTPS, dev certificates) and `faas-worker` as separate processes on a private nats-server, worker slots 2 × cores = {}, settings {}.",
        2 * cores,
        platform::DEV_ENV
            .iter()
            .map(|(k, v)| format!("`{k}={v}`"))
            .collect::<Vec<_>>()
            .join(", ")
    );

    let _ = writeln!(
        r,
        "\n## Latency ({} rounds, interleaved), ms\n",
        plan.rounds
    );
    let _ = writeln!(
        r,
        "| path | p50 | p95 | p99 | mean |\n|---|---|---|---|---|"
    );
    let row = |r: &mut String, name: &str, s: &Samples| {
        let _ = writeln!(
            r,
            "| {name} | {} | {} | {} | {} |",
            fmt_ms(s.p50()),
            fmt_ms(s.percentile(95.0)),
            fmt_ms(s.percentile(99.0)),
            fmt_ms(s.mean())
        );
    };
    row(
        &mut r,
        "Engine API floor: create → start → wait → remove (bollard, worker sandbox)",
        &floor,
    );
    row(&mut r, "`docker run --rm --network none`", &run);
    let run_time = if has_timings {
        "`timings.run_ms`"
    } else {
        "`duration_ms`"
    };
    row(&mut r, "faas cold invoke (HTTPS API, sync)", &cold.wall);
    if prewarm {
        row(
            &mut r,
            &format!("faas prewarmed invoke (`\"prewarm\": {PREWARM}`)"),
            &warm.wall,
        );
    } else {
        let _ = writeln!(r, "| faas prewarmed invoke | {NO_PREWARM} | | | |");
    }
    row(
        &mut r,
        &format!("platform overhead, cold: invoke − {run_time}"),
        &cold.overhead,
    );
    if prewarm {
        row(
            &mut r,
            &format!("platform overhead, prewarmed: invoke − {run_time}"),
            &warm.overhead,
        );
    }
    row(
        &mut r,
        &format!("container run time, cold: {run_time}"),
        &cold.run,
    );
    if prewarm {
        row(
            &mut r,
            &format!("container run time, prewarmed: {run_time}"),
            &warm.run,
        );
        if has_timings {
            let _ = writeln!(
                r,
                "\nPrewarmed path: {} of {} invocations were served by a parked container (`timings.prewarmed`).",
                warm.prewarmed, plan.rounds
            );
        }
    }
    let _ = writeln!(
        r,
        "\nEngine API floor by step, p50: create {} · start {} · wait {} · remove {} ms.",
        fmt_ms(steps[0].p50()),
        fmt_ms(steps[1].p50()),
        fmt_ms(steps[2].p50()),
        fmt_ms(steps[3].p50())
    );

    let _ = writeln!(r, "\n## Throughput by concurrency\n");
    let _ = writeln!(
        r,
        "Each path runs the same jobs at each level; the ratio is its calls per second over parallel `docker run --rm`'s at that level. The worker answers before it removes a run's container: \"removals\" is the peak of its removal backlog (`faas_worker_container_removals`) during the batch, and how long the backlog took to drain after it (the next batch waits for that; n/a: a worker without the gauge).\n"
    );
    let _ = writeln!(
        r,
        "| concurrency | path | jobs | calls/s | ratio | p50 / p95 ms | errors | pool hits | removals: peak, drained after |\n|---|---|---|---|---|---|---|---|---|"
    );
    for t in &throughput {
        let mut paths = vec![("faas cold invoke", &t.cold, None)];
        if let Some((warm, hits)) = &t.warm {
            paths.push(("faas prewarmed invoke", warm, Some(*hits)));
        }
        paths.push(("`docker run --rm`", &t.docker, None));
        for (path, b, hits) in paths {
            let _ = writeln!(
                r,
                "| {} | {path} | {} | {:.1} | {:.2} | {} / {} | {} | {} | {} |",
                t.level,
                b.jobs,
                b.per_second(),
                b.per_second() / t.docker.per_second(),
                fmt_ms(b.latency.p50()),
                fmt_ms(b.latency.percentile(95.0)),
                b.errors,
                hits.map_or("-".into(), |h| format!("{h} of {}", b.jobs)),
                removals(path, b)
            );
            if let Some(e) = &b.first_error {
                let _ = writeln!(r, "\nFirst {path} error at concurrency {}: {e}\n", t.level);
            }
        }
    }

    let _ = writeln!(r, "\n## Memory\n");
    let _ = writeln!(
        r,
        "| point | server VmRSS | server RssAnon | server VmHWM | worker VmRSS | worker RssAnon | worker VmHWM |\n|---|---|---|---|---|---|---|"
    );
    for m in &memory {
        let _ = writeln!(
            r,
            "| {} | {} | {} | {} | {} | {} | {} |",
            m.point,
            mib(m.server.rss_kib),
            mib(m.server.anon_kib),
            mib(m.server.hwm_kib),
            mib(m.worker.rss_kib),
            mib(m.worker.anon_kib),
            mib(m.worker.hwm_kib)
        );
    }
    let _ = writeln!(
        r,
        "\nRssAnon is the heap and stacks; the rest of VmRSS is the binary's code and other mapped files."
    );
    let nats = |m: Option<Memory>| m.map_or("-".into(), |m| mib(m.rss_kib));
    let _ = writeln!(
        r,
        "\nnats-server VmRSS: {} idle, {} at the end. Containers left behind: {}.",
        nats(nats_idle),
        nats(nats_after),
        leftovers.len()
    );
    for container in &leftovers {
        let _ = writeln!(r, "- left behind: {container}");
    }

    let _ = writeln!(r, "\n## Against the targets (issues 13 and 23)\n");
    let _ = writeln!(r, "| measure | target | this run |\n|---|---|---|");
    let ratio = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => format!("{:.2}×", a / b),
        _ => "-".into(),
    };
    let _ = writeln!(
        r,
        "| prewarmed invoke p50 | ≤ 0.10× `docker run --rm` (issue 13: 0.2×) | {} |",
        if prewarm {
            ratio(warm.wall.p50(), run.p50())
        } else {
            NO_PREWARM.into()
        }
    );
    let _ = writeln!(
        r,
        "| cold invoke p50 | ≤ 0.45× (issue 13: 0.6×) | {} |",
        ratio(cold.wall.p50(), run.p50())
    );
    let _ = writeln!(
        r,
        "| platform overhead p50 | ≤ 5 ms | cold {} ms{} |",
        fmt_ms(cold.overhead.p50()),
        if prewarm {
            format!(", prewarmed {} ms", fmt_ms(warm.overhead.p50()))
        } else {
            String::new()
        }
    );
    let ratio_at = |t: &Level, b: &Batch| format!("{:.2}×", b.per_second() / t.docker.per_second());
    let at8 = throughput
        .iter()
        .find(|t| t.level == 8)
        .map_or("- (level 8 not run)".into(), |t| {
            let warm = t.warm.as_ref().map_or(String::new(), |(b, _)| {
                format!(", prewarmed {}", ratio_at(t, b))
            });
            format!("cold {}{warm}", ratio_at(t, &t.cold))
        });
    let _ = writeln!(
        r,
        "| throughput at concurrency 8 | ≥ 2.5× parallel `docker run --rm` | {at8} |"
    );
    let peak = throughput
        .iter()
        .flat_map(|t| [Some(&t.cold), t.warm.as_ref().map(|(b, _)| b)])
        .flatten()
        .filter_map(|b| b.backlog)
        .max_by_key(|d| d.peak);
    let _ = writeln!(
        r,
        "| removal backlog during the throughput runs | reported | {} |",
        peak.map_or("n/a (a worker without the gauge)".into(), |d| format!(
            "peak {} containers, drained within {:.1} s",
            d.peak.max(0),
            d.after.as_secs_f64()
        ))
    );
    let end = memory.last().expect("three readings");
    let _ = writeln!(
        r,
        "| server and worker RSS after the run | < 20 MiB | server {}, worker {} |",
        mib(end.server.rss_kib),
        mib(end.worker.rss_kib)
    );

    let _ = writeln!(r, "\n## Chart\n");
    let _ = writeln!(
        r,
        "Latency by concurrency (p50 and p95 of the throughput runs) written to `{}`.\n",
        args.chart.display()
    );
    Ok(r)
}

/// A batch's removal backlog as the throughput table gives it.
fn removals(path: &str, b: &Batch) -> String {
    match &b.backlog {
        Some(d) => format!("{}, {:.1} s", d.peak.max(0), d.after.as_secs_f64()),
        None if path.starts_with("faas") => "n/a".into(),
        None => "-".into(),
    }
}

/// What the prewarmed rows say when the server refuses `"prewarm"`.
const NO_PREWARM: &str = "n/a (server has no prewarm)";

/// The throughput runs at one concurrency level.
struct Level {
    level: usize,
    cold: Batch,
    /// The prewarmed function's batch and how many of its calls hit the pool.
    warm: Option<(Batch, usize)>,
    docker: Batch,
}

fn series(
    name: &str,
    colour: &'static str,
    dashed: bool,
    throughput: &[Level],
    pick: fn(&Level) -> Option<&Batch>,
    p: f64,
) -> chart::Series {
    chart::Series {
        name: name.to_owned(),
        colour,
        dashed,
        values: throughput
            .iter()
            .map(|t| pick(t).and_then(|b| b.latency.percentile(p)))
            .collect(),
    }
}
