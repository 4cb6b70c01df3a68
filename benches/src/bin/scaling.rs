//! `faas-scaling`: how the compose stack scales with its workers. It brings up
//! `docker-compose.yml` (NATS, both servers, 1 worker; images `faas/*:TAG` from
//! `deploy/build-images.sh`), then for 1, 2, 3 ... workers runs the same fixed load
//! of sleep functions and of short functions against both servers and counts
//! throughput, p50, p95, 503 `no_capacity` and 429 answers. Before each step up it
//! scales the workers under a sleep load and measures how long the new worker takes
//! to start its first activation, and at the end scales back down to the first
//! count while every slot runs a function, to count what the removed workers
//! answer. Prints a Markdown report on stdout (progress on
//! stderr) and writes two SVG charts. The stack is removed at the end (`down -v`).

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
use std::process::Output;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use chrono::{DateTime, Utc};
use clap::Parser;
use faas_shared::paths;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use tokio::process::Command;

use chart::Series;
use stats::{Samples, fmt_ms};

const SLEEP_IMAGE: &str = "faas-examples/sleep:latest";
const SHORT_IMAGE: &str = "faas-examples/reverse:latest";
const PASSWORD: &str = "scaling benchmark password";
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
    for image in ["server", "worker", "keygen", "nats"] {
        let image = format!("faas/{image}:{}", args.tag);
        if !run("docker", &["image", "inspect", &image])
            .await?
            .status
            .success()
        {
            bail!(
                "{image} is missing: TAG={} deploy/build-images.sh",
                args.tag
            );
        }
    }
    let stack = Stack::up(&args.tag, args.workers[0]).await?;
    let outcome = measure(&args, &stack).await;
    stack.down().await;
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
    let api = stack.api().await?;
    let mut users = Vec::new();
    for n in 0..args.users {
        let name = format!("scale{n}x{}", std::process::id());
        users.push(api.user(&name).await?);
    }
    eprintln!("warming up (images, connections)");
    for token in &users {
        api.invoke(token, "short", "warm").await;
        api.invoke(token, "nap", "0").await;
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
    api: &Api,
    users: &[String],
) -> anyhow::Result<ScaleDown> {
    let (from, to) = (*args.workers.last().unwrap(), args.workers[0]);
    let jobs = from * SLOTS;
    eprintln!("scaling down from {from} to {to} worker(s) with {jobs} functions running");
    let clients = jobs.div_ceil(users.len());
    let param = (args.sleep_secs * 5).to_string();
    let background = {
        let (api, users) = (api.clone(), users.to_vec());
        let never = Arc::new(AtomicBool::new(false));
        tokio::spawn(
            async move { run_load(&api, &users, clients, "nap", &param, jobs, &never).await },
        )
    };
    tokio::time::sleep(Duration::from_secs(2)).await;
    stack.scale_workers(to).await?;
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
    api: &Api,
    users: &[String],
    workers: usize,
) -> anyhow::Result<f64> {
    eprintln!("scaling to {workers} worker(s) under load");
    let before = stack.containers("worker").await?;
    let stop = Arc::new(AtomicBool::new(false));
    let background = {
        let (api, users, stop) = (api.clone(), users.to_vec(), stop.clone());
        let (clients, param) = (args.clients, args.sleep_secs.to_string());
        tokio::spawn(async move {
            run_load(&api, &users, clients, "nap", &param, usize::MAX, &stop).await;
        })
    };
    tokio::time::sleep(Duration::from_secs(1)).await;
    let scaled_at = Utc::now();
    stack.scale_workers(workers).await?;
    let new: Vec<String> = stack
        .containers("worker")
        .await?
        .into_iter()
        .filter(|id| !before.contains(id))
        .collect();
    // Keep the load up until a new worker's first activation is on record.
    let deadline = Instant::now() + Duration::from_secs(120);
    let first = loop {
        if let Some(first) = first_start(api, users, &new, scaled_at).await? {
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
/// `workers` containers ran.
async fn first_start(
    api: &Api,
    users: &[String],
    workers: &[String],
    since: DateTime<Utc>,
) -> anyhow::Result<Option<DateTime<Utc>>> {
    let mut first: Option<DateTime<Utc>> = None;
    for token in users {
        for record in api.records(token).await? {
            let worker = record["worker"].as_str().unwrap_or_default();
            let started = record["started_at"].as_str().unwrap_or_default();
            if workers.iter().any(|id| worker.starts_with(&id[..12]))
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
    api: &Api,
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
    api: &Api,
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
            let (api, next, token, stop) = (api.clone(), next.clone(), token.clone(), stop.clone());
            let (function, param) = (function.to_owned(), param.to_owned());
            let server = (u * clients + c) % api.servers.len();
            tasks.push(tokio::spawn(async move {
                let mut seen = Vec::new();
                while !stop.load(Ordering::Relaxed) && next.fetch_add(1, Ordering::Relaxed) < jobs {
                    let sent = Instant::now();
                    let (status, code) = api.invoke_on(server, &token, &function, &param).await;
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

/// The compose project under test.
struct Stack {
    project: String,
    files: Vec<String>,
    _override: tempfile::NamedTempFile,
}

impl Stack {
    async fn up(tag: &str, workers: usize) -> anyhow::Result<Self> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let override_file = tempfile::Builder::new().suffix(".yml").tempfile()?;
        let images = ["keygen", "nats", "server-1", "server-2", "worker"]
            .map(|s| {
                let image = s.trim_end_matches(['-', '1', '2']);
                format!("  {s}: {{image: \"faas/{image}:{tag}\"}}\n")
            })
            .concat();
        std::fs::write(
            override_file.path(),
            format!("version: \"2.4\"\nservices:\n{images}"),
        )?;
        let stack = Self {
            project: format!("faasscale{}", std::process::id()),
            files: vec![
                root.join("docker-compose.yml").display().to_string(),
                override_file.path().display().to_string(),
            ],
            _override: override_file,
        };
        eprintln!("compose up ({}, {workers} worker(s))", stack.project);
        let scale = format!("worker={workers}");
        let up = stack
            .compose(&[
                "up",
                "-d",
                "--no-build",
                "--scale",
                &scale,
                "keygen",
                "nats",
                "server-1",
                "server-2",
                "worker",
            ])
            .await?;
        if !up.status.success() {
            stack.down().await;
            bail!("compose up: {}", String::from_utf8_lossy(&up.stderr));
        }
        Ok(stack)
    }

    /// Scales the worker service to `workers`, leaving the running ones as they are.
    async fn scale_workers(&self, workers: usize) -> anyhow::Result<()> {
        let scale = format!("worker={workers}");
        let out = self
            .compose(&[
                "up",
                "-d",
                "--no-build",
                "--no-recreate",
                "--scale",
                &scale,
                "worker",
            ])
            .await?;
        if !out.status.success() {
            bail!("compose scale: {}", String::from_utf8_lossy(&out.stderr));
        }
        Ok(())
    }

    /// `docker-compose` with this project's name and files.
    async fn compose(&self, args: &[&str]) -> std::io::Result<Output> {
        let socket_group = std::fs::metadata("/var/run/docker.sock")
            .map(|m| std::os::unix::fs::MetadataExt::gid(&m))
            .unwrap_or(999);
        let mut command = Command::new("docker-compose");
        command.args(["-p", &self.project]);
        for file in &self.files {
            command.args(["-f", file]);
        }
        command
            .args(args)
            .env("DOCKER_GID", socket_group.to_string())
            .output()
            .await
    }

    async fn containers(&self, service: &str) -> anyhow::Result<Vec<String>> {
        let out = self.compose(&["ps", "-q", service]).await?;
        Ok(String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_owned)
            .collect())
    }

    /// Both servers, once they answer `/readyz`.
    async fn api(&self) -> anyhow::Result<Api> {
        let client = Client::builder()
            .timeout(Duration::from_secs(120))
            .build()?;
        let mut servers = Vec::new();
        for service in ["server-1", "server-2"] {
            let id = self
                .containers(service)
                .await?
                .into_iter()
                .next()
                .context("no server")?;
            let inspect = run(
                "docker",
                &[
                    "inspect",
                    "-f",
                    "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}",
                    &id,
                ],
            )
            .await?;
            let ip = String::from_utf8_lossy(&inspect.stdout).trim().to_owned();
            let url = format!("http://{ip}:8080");
            let deadline = Instant::now() + Duration::from_secs(120);
            loop {
                let ready = client.get(format!("{url}/readyz")).send().await;
                if ready.is_ok_and(|r| r.status() == StatusCode::OK) {
                    break;
                }
                if Instant::now() > deadline {
                    bail!("{service} never became ready");
                }
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            servers.push(url);
        }
        Ok(Api {
            client,
            servers: Arc::new(servers),
        })
    }

    async fn down(&self) {
        eprintln!("compose down -v");
        let _ = self
            .compose(&["down", "-v", "--remove-orphans", "-t", "5"])
            .await;
    }
}

/// Both server replicas over plain HTTP (TLS ends at APISIX, which is not run).
#[derive(Clone)]
struct Api {
    client: Client,
    servers: Arc<Vec<String>>,
}

impl Api {
    /// Registers `name`, logs in, adds the functions `nap` and `short`; the token.
    async fn user(&self, name: &str) -> anyhow::Result<String> {
        let server = &self.servers[0];
        let credentials = json!({ "username": name, "password": PASSWORD });
        let created = self
            .client
            .post(format!("{server}{}", paths::USERS))
            .json(&credentials)
            .send()
            .await?;
        if created.status() != StatusCode::CREATED {
            bail!("register {name}: {}", created.status());
        }
        let login: Value = self
            .client
            .post(format!("{server}{}", paths::LOGIN))
            .json(&credentials)
            .send()
            .await?
            .json()
            .await?;
        let token = login["token"].as_str().context("no token")?.to_owned();
        for (function, spec) in [
            ("nap", json!({ "image": SLEEP_IMAGE, "timeout_ms": 60_000 })),
            ("short", json!({ "image": SHORT_IMAGE })),
        ] {
            let put = self
                .client
                .put(format!(
                    "{server}{}",
                    paths::fill(paths::FUNCTION, function)
                ))
                .bearer_auth(&token)
                .json(&spec)
                .send()
                .await?;
            if !put.status().is_success() {
                bail!("PUT {function}: {}", put.status());
            }
        }
        Ok(token)
    }

    async fn invoke(&self, token: &str, function: &str, param: &str) -> (StatusCode, String) {
        self.invoke_on(0, token, function, param).await
    }

    /// Status and error code (empty on success) of one synchronous invocation.
    async fn invoke_on(
        &self,
        server: usize,
        token: &str,
        function: &str,
        param: &str,
    ) -> (StatusCode, String) {
        let sent = self
            .client
            .post(format!(
                "{}{}",
                self.servers[server],
                paths::fill(paths::INVOKE, function)
            ))
            .bearer_auth(token)
            .json(&json!({ "param": param }))
            .send()
            .await;
        match sent {
            Ok(response) => {
                let status = response.status();
                let body: Value = response.json().await.unwrap_or(Value::Null);
                let code = body["error"]["code"].as_str().unwrap_or_default();
                (status, code.to_owned())
            }
            Err(e) => (StatusCode::BAD_GATEWAY, format!("transport: {e}")),
        }
    }

    /// Every activation record of the token's user (following `Link: rel="next"`).
    async fn records(&self, token: &str) -> anyhow::Result<Vec<Value>> {
        let mut records = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let mut url = format!("{}{}?limit=100", self.servers[0], paths::ACTIVATIONS);
            if let Some(after) = &after {
                url.push_str(&format!("&after={after}"));
            }
            let page: Vec<Value> = self
                .client
                .get(url)
                .bearer_auth(token)
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
}

async fn run(program: &str, args: &[&str]) -> anyhow::Result<Output> {
    Command::new(program)
        .args(args)
        .output()
        .await
        .with_context(|| format!("running {program}"))
}
