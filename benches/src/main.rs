//! `faas-bench`: one interleaved run of the faas platform on each worker backend
//! (the Docker Engine, and crun/runc driven directly with `FAAS_WORKER_RUNTIME=oci`)
//! against the Docker Engine floor, printed as a Markdown report on stdout (progress
//! on stderr), with the chart of latency by concurrency written as SVG.
//!
//! Paths: the Engine API floor (create → start → wait → remove through bollard, with
//! the worker's sandbox), `docker run --rm --network none`, and on each backend our
//! cold invoke and our prewarmed invoke (a function with `"prewarm": 4`; "n/a" when
//! the server does not take the field) through the API, and the platform overhead
//! (invoke time minus the container's own run time: the record's `timings.run_ms`,
//! else `duration_ms`). Each backend gets a platform of its own (`faas-server serve`
//! and `faas-worker` as separate processes on a private nats-server), so memory,
//! removals and leftovers are read per backend. `faas-bench load` is the load run
//! ([`load`]).

mod backlog;
mod chart;
mod engine;
mod load;
mod platform;
mod report;
mod residue;
mod stats;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Parser;

use backlog::{Backlog, Drained};
use engine::Engine;
use platform::{Api, Invoked, Memory, Parts};
use stats::Samples;

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
    /// The worker backends to measure, each on a platform of its own. One that
    /// fails to start is left out (said on stderr and in the report) while another
    /// runs.
    #[arg(long, value_delimiter = ',', default_values = ["docker", "oci"])]
    backends: Vec<Backend>,
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

/// A worker backend; each one measured runs on a platform of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum Backend {
    /// The Docker Engine (the worker's default).
    Docker,
    /// crun or runc driven by the worker itself (`FAAS_WORKER_RUNTIME=oci`).
    Oci,
}

impl Backend {
    fn name(self) -> &'static str {
        match self {
            Self::Docker => "docker",
            Self::Oci => "oci",
        }
    }

    /// The chart's colours of its cold and prewarmed series.
    fn colours(self) -> (&'static str, &'static str) {
        match self {
            Self::Docker => ("#1f77b4", "#2ca02c"),
            Self::Oci => ("#9467bd", "#ff7f0e"),
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
    /// Calls a parked container served (faas paths).
    hits: usize,
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

/// A throughput batch of `function` through `caller`, its pool hits counted; it
/// ends once the worker's removal backlog has drained, so that no path pays for
/// another's removals.
async fn invoke_batch(
    level: usize,
    jobs: usize,
    caller: &Caller,
    function: &'static str,
    backlog: &Backlog,
) -> Batch {
    let hits = Arc::new(AtomicUsize::new(0));
    let (c, h) = (caller.clone(), hits.clone());
    let mut b = batch(level, jobs, move || {
        let (caller, hits) = (c.clone(), h.clone());
        async move {
            let invoked = caller.invoke(function).await?;
            if invoked.prewarmed == Some(true) {
                hits.fetch_add(1, Ordering::Relaxed);
            }
            Ok(invoked.wall)
        }
    })
    .await;
    b.hits = hits.load(Ordering::Relaxed);
    b.backlog = backlog.drained(Duration::from_secs(60)).await;
    b
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
    let host_before = Host::read();
    let (mut platforms, mut skipped) = (Vec::new(), Vec::new());
    for (i, &backend) in args.backends.iter().enumerate() {
        if args.backends[..i].contains(&backend) {
            continue;
        }
        progress(&format!(
            "starting {} serve and {} ({} backend)",
            server.display(),
            worker.display(),
            backend.name()
        ));
        match Platform::start(backend, &server, &worker, scratch.path()).await {
            Ok(platform) => platforms.push(platform),
            Err(e) => {
                let why = format!("{e:#}");
                progress(&format!(
                    "the {} backend's platform did not start, going on without it: {why}",
                    backend.name()
                ));
                skipped.push((backend, why));
            }
        }
    }
    anyhow::ensure!(!platforms.is_empty(), "no platform started");
    let runs = run(&plan, &engine, &mut platforms).await;
    let (stops, mut backends): (Vec<_>, Vec<_>) = platforms
        .into_iter()
        .map(|p| (p.parts.stop(), p.measured))
        .unzip();
    futures::future::join_all(stops).await;
    let host = [host_before, Host::read()];
    for m in &mut backends {
        m.after_stop(scratch.path(), &host[1].cgroups);
    }
    let results = Results {
        runs: runs?,
        backends,
        skipped,
        host,
    };
    std::fs::write(&args.chart, report::chart(&results, &plan.levels))
        .with_context(|| format!("writing the chart to {}", args.chart.display()))?;
    print!(
        "{}",
        report::render(&results, &plan, &args.chart, &engine.version().await)
    );
    Ok(())
}

/// One backend's platform, the bench's user on it, and what the run measured.
struct Platform {
    backend: Backend,
    parts: Parts,
    caller: Caller,
    measured: Measured,
}

impl Platform {
    /// Starts it in `scratch/platform-<backend>` (the OCI worker keeps its state in
    /// `scratch/oci`, apart from any other worker's), reads its idle memory, and
    /// sets up the bench's user and functions. It has started once it has
    /// answered an invoke of each: a backend that cannot run containers is left
    /// out like one whose worker does not come up.
    async fn start(
        backend: Backend,
        server: &Path,
        worker: &Path,
        scratch: &Path,
    ) -> anyhow::Result<Self> {
        let dir = platform_dir(scratch, backend);
        std::fs::create_dir_all(&dir)?;
        let mut env = Vec::new();
        if backend == Backend::Oci {
            let oci_dir = oci_dir(scratch);
            std::fs::create_dir_all(&oci_dir)?;
            env.push(("FAAS_WORKER_RUNTIME", "oci".to_owned()));
            env.push(("FAAS_WORKER_OCI_DIR", oci_dir.display().to_string()));
        }
        let parts = Parts::start(server, worker, &env, &dir).await?;
        let api = Api::new(&parts.url, &parts.ca_cert)?;
        tokio::time::sleep(Duration::from_secs(1)).await;
        let mut platform = Self {
            backend,
            measured: Measured::new(backend, &parts),
            parts,
            caller: Caller {
                api,
                seen: Arc::default(),
            },
        };
        match platform.setup().await {
            Ok(()) => Ok(platform),
            Err(e) => {
                platform.parts.stop().await;
                Err(e)
            }
        }
    }

    fn user(&self) -> String {
        format!("{USER}-{}", self.backend.name())
    }

    /// Registers and logs in the bench's user, adds its functions (the prewarmed
    /// path lights up once the server takes the field) and invokes each once.
    async fn setup(&mut self) -> anyhow::Result<()> {
        let user = self.user();
        let api = &mut self.caller.api;
        api.register(&user, PASSWORD).await?;
        api.login(&user, PASSWORD).await?;
        api.put_function(FUNCTION, serde_json::json!({ "image": IMAGE }))
            .await?;
        let prewarm = api
            .put_function(
                PREWARMED,
                serde_json::json!({ "image": IMAGE, "prewarm": PREWARM }),
            )
            .await;
        if let Err(e) = &prewarm {
            progress(&format!("no prewarmed path: {e}"));
        }
        self.measured.prewarm = prewarm.is_ok();
        let first = self.caller.invoke(FUNCTION).await?;
        self.measured.has_timings = first.prewarmed.is_some();
        if self.measured.prewarm {
            self.caller.invoke(PREWARMED).await?;
        }
        Ok(())
    }
}

/// Where a backend's platform keeps its processes' files and logs.
fn platform_dir(scratch: &Path, backend: Backend) -> PathBuf {
    scratch.join(format!("platform-{}", backend.name()))
}

/// The OCI worker's `FAAS_WORKER_OCI_DIR`.
fn oci_dir(scratch: &Path) -> PathBuf {
    scratch.join("oci")
}

/// A platform's API as the bench's user, noting each answered invocation's
/// container: every call must get a fresh one.
#[derive(Clone)]
struct Caller {
    api: Api,
    seen: Arc<Mutex<Seen>>,
}

/// The invocations a platform answered and the containers that ran them.
#[derive(Default, Clone)]
struct Seen {
    calls: usize,
    ids: HashSet<String>,
    without_id: usize,
}

impl Caller {
    /// One invoke of `function` that must answer the reversed parameter.
    async fn invoke(&self, function: &str) -> anyhow::Result<Invoked> {
        let invoked = self.api.invoke(function, PARAM, EXPECT).await?;
        let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        seen.calls += 1;
        match &invoked.container_id {
            Some(id) => {
                seen.ids.insert(id.clone());
            }
            None => seen.without_id += 1,
        }
        Ok(invoked)
    }

    fn seen(&self) -> Seen {
        self.seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// Server, worker and nats-server memory at one point of the run.
struct Reading {
    point: String,
    server: Memory,
    worker: Memory,
    nats: Option<Memory>,
}

impl Reading {
    fn of(point: String, parts: &Parts) -> Self {
        Self {
            point,
            server: Memory::of(parts.server_pid).unwrap_or_default(),
            worker: Memory::of(parts.worker_pid).unwrap_or_default(),
            nats: parts.nats_pid.and_then(Memory::of),
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

/// What the run measured on one backend.
struct Measured {
    backend: Backend,
    /// Whether the server took the prewarmed function.
    prewarm: bool,
    /// Whether its records carry `timings`.
    has_timings: bool,
    cold: InvokePath,
    warm: InvokePath,
    memory: Vec<Reading>,
    /// Its worker's open fds right after start, idle with the pool parked, and at
    /// the end (the pool parked again): a leak shows as the end above the idle.
    fds: [Option<usize>; 3],
    seen: Seen,
    /// Docker containers its user left behind.
    leftovers: Vec<String>,
    /// Its worker's log (warnings and errors), read once it stopped.
    log: Vec<String>,
    /// What its stopped OCI worker left in its directory and the cgroups.
    left: Option<Left>,
}

/// What a stopped OCI worker left.
struct Left {
    state: Vec<String>,
    bundles: Vec<String>,
    /// Container cgroups named after this run's containers.
    cgroups: usize,
}

impl Measured {
    /// Takes the "idle, right after start" readings.
    fn new(backend: Backend, parts: &Parts) -> Self {
        Self {
            backend,
            prewarm: false,
            has_timings: false,
            cold: InvokePath::default(),
            warm: InvokePath::default(),
            memory: vec![Reading::of("idle, right after start".into(), parts)],
            fds: [platform::open_fds(parts.worker_pid), None, None],
            seen: Seen::default(),
            leftovers: Vec::new(),
            log: Vec::new(),
            left: None,
        }
    }

    /// Reads what its stopped platform left: the worker's log and, on the OCI
    /// backend, the runtime's state and bundles and this run's cgroups.
    fn after_stop(&mut self, scratch: &Path, cgroups: &[PathBuf]) {
        let log = platform_dir(scratch, self.backend).join("worker.log");
        self.log = std::fs::read_to_string(log)
            .unwrap_or_default()
            .lines()
            .map(plain)
            .filter(|l| !l.trim().is_empty())
            .collect();
        if self.backend == Backend::Oci {
            let runtime = oci_dir(scratch).join("runtime");
            self.left = Some(Left {
                state: residue::entries(&runtime.join("state")),
                bundles: residue::entries(&runtime.join("bundles")),
                cgroups: residue::named_after(cgroups, &self.seen.ids),
            });
        }
    }
}

/// A log line without its terminal colours.
fn plain(line: &str) -> String {
    let mut out = String::new();
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            chars.by_ref().find(|c| c.is_ascii_alphabetic());
        } else {
            out.push(c);
        }
    }
    out
}

/// The host's mounts and the OCI container cgroups, before and after the run.
#[derive(Default)]
struct Host {
    mounts: Vec<String>,
    cgroups: Vec<PathBuf>,
}

impl Host {
    fn read() -> Self {
        Self {
            mounts: residue::mounts(),
            cgroups: residue::container_cgroups(),
        }
    }
}

/// The throughput runs at one concurrency level.
struct Level {
    level: usize,
    docker: Batch,
    /// Per platform, in the order they started.
    faas: Vec<Invokes>,
}

#[derive(Default)]
struct Invokes {
    cold: Batch,
    /// `None` without a prewarmed function.
    warm: Option<Batch>,
}

/// Everything the report shows.
struct Results {
    runs: Runs,
    /// Per backend, in the order of [`Level::faas`].
    backends: Vec<Measured>,
    /// Backends whose platform did not start, and why.
    skipped: Vec<(Backend, String)>,
    /// Before any platform started and after all stopped.
    host: [Host; 2],
}

impl Results {
    /// Whether the records carry `timings` (else the run time is `duration_ms`).
    fn has_timings(&self) -> bool {
        self.backends.iter().all(|m| m.has_timings)
    }
}

/// The interleaved runs' figures that are not one backend's.
struct Runs {
    floor: Samples,
    /// Each step of the floor: create, start, wait, remove.
    steps: [Samples; 4],
    docker_run: Samples,
    throughput: Vec<Level>,
    /// The load average before and after.
    load: [String; 2],
}

/// One path of the interleaved runs.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Call {
    Floor,
    DockerRun,
    /// The cold function on platform `i`.
    Cold(usize),
    /// The prewarmed function on platform `i`.
    Warm(usize),
}

/// Every path: the floor, `docker run`, and each platform's invokes.
fn calls(platforms: &[Platform]) -> Vec<Call> {
    let mut calls = vec![Call::Floor, Call::DockerRun];
    for (i, p) in platforms.iter().enumerate() {
        calls.push(Call::Cold(i));
        if p.measured.prewarm {
            calls.push(Call::Warm(i));
        }
    }
    calls
}

async fn run(plan: &Plan, engine: &Engine, platforms: &mut [Platform]) -> anyhow::Result<Runs> {
    let load_before = load_average();
    // Warm up the Engine's paths once (image cache, connections; the platforms
    // warmed up as they started); not counted. The pools refill meanwhile.
    engine.floor().await.context("Engine API floor")?;
    engine.docker_run().await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    for p in platforms.iter_mut() {
        p.measured.fds[1] = platform::open_fds(p.parts.worker_pid);
    }

    progress(&format!("latency: {} rounds", plan.rounds));
    let mut floor = Samples::default();
    let mut docker_run = Samples::default();
    let mut steps: [Samples; 4] = Default::default();
    let paths = calls(platforms);
    for round in 0..plan.rounds {
        for k in 0..paths.len() {
            match paths[(round + k) % paths.len()] {
                Call::Floor => {
                    let s = engine.floor().await?;
                    floor.push(ms(s.total()));
                    for (i, d) in [s.create, s.start, s.wait, s.remove]
                        .into_iter()
                        .enumerate()
                    {
                        steps[i].push(ms(d));
                    }
                }
                Call::DockerRun => docker_run.push(ms(engine.docker_run().await?)),
                Call::Cold(i) => {
                    let p = &mut platforms[i];
                    p.measured.cold.push(&p.caller.invoke(FUNCTION).await?);
                }
                Call::Warm(i) => {
                    let p = &mut platforms[i];
                    p.measured.warm.push(&p.caller.invoke(PREWARMED).await?);
                }
            }
        }
    }

    let backlogs: Vec<Backlog> = platforms
        .iter()
        .map(|p| Backlog::watch(p.parts.worker_metrics.clone()))
        .collect();
    // Start from empty backlogs.
    for backlog in &backlogs {
        backlog.drained(Duration::from_secs(60)).await;
    }
    let paths: Vec<Call> = paths.into_iter().filter(|c| *c != Call::Floor).collect();
    let mut throughput = Vec::new();
    for (i, &level) in plan.levels.iter().enumerate() {
        let jobs = plan.jobs.max(level);
        progress(&format!(
            "throughput: concurrency {level}, {jobs} jobs per path"
        ));
        let mut at = Level {
            level,
            docker: Batch::default(),
            faas: platforms.iter().map(|_| Invokes::default()).collect(),
        };
        // Rotate which path goes first, so none always runs on a cooler machine.
        // A pool is refilled before its batch (the batch then drains it).
        for k in 0..paths.len() {
            match paths[(i + k) % paths.len()] {
                Call::DockerRun => {
                    at.docker = batch(level, jobs, || async {
                        Engine::connect(IMAGE, PARAM)?.docker_run().await
                    })
                    .await;
                }
                Call::Cold(p) => {
                    let caller = &platforms[p].caller;
                    at.faas[p].cold =
                        invoke_batch(level, jobs, caller, FUNCTION, &backlogs[p]).await;
                }
                Call::Warm(p) => {
                    tokio::time::sleep(Duration::from_secs(2)).await;
                    let caller = &platforms[p].caller;
                    at.faas[p].warm =
                        Some(invoke_batch(level, jobs, caller, PREWARMED, &backlogs[p]).await);
                }
                Call::Floor => unreachable!("the floor has no throughput run"),
            }
        }
        throughput.push(at);
    }

    // Each worker serves `plan.invocations` before the memory reading.
    for (p, backlog) in platforms.iter().zip(&backlogs) {
        let extra = plan.invocations.saturating_sub(p.caller.seen().calls);
        if extra > 0 {
            progress(&format!(
                "{extra} more invocations at concurrency 4 ({} backend)",
                p.backend.name()
            ));
            let b = invoke_batch(4, extra, &p.caller, FUNCTION, backlog).await;
            anyhow::ensure!(
                b.errors == 0,
                "invocations failed ({} backend): {:?}",
                p.backend.name(),
                b.first_error
            );
        }
    }
    // Their connections to the workers' metrics would count among the end's fds.
    drop(backlogs);
    tokio::time::sleep(Duration::from_secs(1)).await;
    for p in platforms.iter_mut() {
        let point = format!("after {} invocations", p.caller.seen().calls);
        p.measured.memory.push(Reading::of(point, &p.parts));
    }

    progress(&format!("{} logins on each platform", plan.logins));
    for p in platforms.iter_mut() {
        let user = p.user();
        for _ in 0..plan.logins {
            p.caller.api.login(&user, PASSWORD).await?;
        }
    }
    // Time for the last pools to refill before the end's fd count.
    tokio::time::sleep(Duration::from_secs(2)).await;
    for p in platforms.iter_mut() {
        let point = format!("after {} logins", plan.logins);
        let user = p.user();
        let m = &mut p.measured;
        m.memory.push(Reading::of(point, &p.parts));
        m.fds[2] = platform::open_fds(p.parts.worker_pid);
        m.seen = p.caller.seen();
        m.leftovers = engine.leftovers(&user).await;
    }
    Ok(Runs {
        floor,
        steps,
        docker_run,
        throughput,
        load: [load_before, load_average()],
    })
}
