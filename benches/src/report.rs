//! The Markdown report and the chart of one run: latency, throughput and memory
//! with a row (or series) per backend, and each backend against its targets.

use std::fmt::Write as _;
use std::path::Path;

use crate::platform::{self, Memory, mib};
use crate::stats::{Samples, fmt_ms};
use crate::{Backend, Batch, IMAGE, InvokePath, Level, Measured, PREWARM, Plan, Results, chart};

/// What the prewarmed rows say when the server refuses `"prewarm"`.
const NO_PREWARM: &str = "n/a (server has no prewarm)";

/// The chart of latency by concurrency: p50 and p95 of each throughput path.
pub fn chart(r: &Results, levels: &[usize]) -> String {
    let mut lines = Vec::new();
    // A p50 and a p95 series of one path: "cold p50 (oci)", "docker run p95".
    let mut add =
        |path: &str, backend: Option<Backend>, colour, pick: &dyn Fn(&Level) -> Option<&Batch>| {
            for (p, dashed) in [(50.0, false), (95.0, true)] {
                let of = backend.map_or(String::new(), |b| format!(" ({})", b.name()));
                lines.push(chart::Series {
                    name: format!("{path} p{p}{of}"),
                    colour,
                    dashed,
                    values: r
                        .runs
                        .throughput
                        .iter()
                        .map(|t| pick(t).and_then(|b| b.latency.percentile(p)))
                        .collect(),
                });
            }
        };
    for (j, m) in r.backends.iter().enumerate() {
        let (cold, warm) = m.backend.colours();
        add("cold", Some(m.backend), cold, &|t| Some(&t.faas[j].cold));
        if m.prewarm {
            add("prewarmed", Some(m.backend), warm, &|t| {
                t.faas[j].warm.as_ref()
            });
        }
    }
    add("docker run", None, "#d62728", &|t| Some(&t.docker));
    chart::latency_by_concurrency(
        "Latency by concurrency: faas invoke by backend vs docker run --rm",
        levels,
        &lines,
    )
}

pub fn render(r: &Results, plan: &Plan, chart: &Path, engine: &str) -> String {
    let mut out = String::new();
    header(&mut out, r, engine);
    latency(&mut out, r, plan);
    throughput(&mut out, r);
    memory(&mut out, r);
    targets(&mut out, r);
    let _ = writeln!(out, "\n## Chart\n");
    let _ = writeln!(
        out,
        "Latency by concurrency (p50 and p95 of the throughput runs) written to `{}`.\n",
        chart.display()
    );
    out
}

fn header(out: &mut String, r: &Results, engine: &str) {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let _ = writeln!(out, "# faas benchmark report\n");
    let _ = writeln!(
        out,
        "{} · {cores} cores · {engine} · image `{IMAGE}` · load average {} before, {} after",
        chrono::Utc::now().format("%Y-%m-%d %H:%M UTC"),
        r.runs.load[0],
        r.runs.load[1],
    );
    let backends: Vec<&str> = r.backends.iter().map(|m| m.backend.about()).collect();
    let _ = writeln!(
        out,
        "\nPlatforms, one per backend ({}), each `faas-server serve` (HTTPS, dev certificates) and `faas-worker` as separate processes on a private nats-server, worker slots 2 × cores = {}, settings {}. The paths of all run interleaved, in rotating order.",
        backends.join("; "),
        2 * cores,
        platform::DEV_ENV
            .iter()
            .map(|(k, v)| format!("`{k}={v}`"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    for (backend, why) in &r.skipped {
        let _ = writeln!(
            out,
            "\n**Not run: the {} backend.** Its platform did not start: {why}",
            backend.name()
        );
    }
}

fn row(out: &mut String, name: &str, s: &Samples) {
    let _ = writeln!(
        out,
        "| {name} | {} | {} | {} | {} |",
        fmt_ms(s.p50()),
        fmt_ms(s.percentile(95.0)),
        fmt_ms(s.percentile(99.0)),
        fmt_ms(s.mean())
    );
}

fn latency(out: &mut String, r: &Results, plan: &Plan) {
    let _ = writeln!(
        out,
        "\n## Latency ({} rounds, interleaved), ms\n",
        plan.rounds
    );
    let _ = writeln!(
        out,
        "| path | p50 | p95 | p99 | mean |\n|---|---|---|---|---|"
    );
    row(
        out,
        "Engine API floor: create → start → wait → remove (bollard, worker sandbox)",
        &r.runs.floor,
    );
    row(out, "`docker run --rm --network none`", &r.runs.docker_run);
    let run_time = if r.has_timings() {
        "`timings.run_ms`"
    } else {
        "`duration_ms`"
    };
    // Each kind of row for every backend in turn, so the backends sit side by side.
    for m in &r.backends {
        row(
            out,
            &format!("faas cold invoke ({})", m.backend.name()),
            &m.cold.wall,
        );
        if m.prewarm {
            let name = format!(
                "faas prewarmed invoke ({}, `\"prewarm\": {PREWARM}`)",
                m.backend.name()
            );
            row(out, &name, &m.warm.wall);
        } else {
            let _ = writeln!(
                out,
                "| faas prewarmed invoke ({}) | {NO_PREWARM} | | | |",
                m.backend.name()
            );
        }
    }
    for (what, pick) in [
        (
            "platform overhead",
            (|p: &InvokePath| &p.overhead) as fn(&InvokePath) -> &Samples,
        ),
        ("container run time", |p| &p.run),
    ] {
        let formula = if what == "platform overhead" {
            format!("invoke − {run_time}")
        } else {
            run_time.to_owned()
        };
        for m in &r.backends {
            let name = m.backend.name();
            row(
                out,
                &format!("{what}, cold ({name}): {formula}"),
                pick(&m.cold),
            );
            if m.prewarm {
                row(
                    out,
                    &format!("{what}, prewarmed ({name}): {formula}"),
                    pick(&m.warm),
                );
            }
        }
    }
    let served: Vec<String> = r
        .backends
        .iter()
        .filter(|m| m.prewarm)
        .map(|m| {
            format!(
                "{} {} of {}",
                m.backend.name(),
                m.warm.prewarmed,
                plan.rounds
            )
        })
        .collect();
    if r.has_timings() && !served.is_empty() {
        let _ = writeln!(
            out,
            "\nPrewarmed path: {} invocations were served by a parked container (`timings.prewarmed`).",
            served.join(", ")
        );
    }
    let _ = writeln!(
        out,
        "\nEngine API floor by step, p50: create {} · start {} · wait {} · remove {} ms.",
        fmt_ms(r.runs.steps[0].p50()),
        fmt_ms(r.runs.steps[1].p50()),
        fmt_ms(r.runs.steps[2].p50()),
        fmt_ms(r.runs.steps[3].p50())
    );
}

fn throughput(out: &mut String, r: &Results) {
    let _ = writeln!(out, "\n## Throughput by concurrency\n");
    let _ = writeln!(
        out,
        "Each path runs the same jobs at each level; the ratio is its calls per second over parallel `docker run --rm`'s at that level. The worker answers before it removes a run's container: \"removals\" is the peak of its removal backlog (`faas_worker_container_removals`) during the batch, and how long the backlog took to drain after it (the next batch waits for that; n/a: a worker without the gauge).\n"
    );
    let _ = writeln!(
        out,
        "| concurrency | path | jobs | calls/s | ratio | p50 / p95 ms | errors | pool hits | removals: peak, drained after |\n|---|---|---|---|---|---|---|---|---|"
    );
    for t in &r.runs.throughput {
        let mut paths = Vec::new();
        for (m, invokes) in r.backends.iter().zip(&t.faas) {
            let name = m.backend.name();
            paths.push((format!("faas cold invoke ({name})"), &invokes.cold, false));
            if let Some(warm) = &invokes.warm {
                paths.push((format!("faas prewarmed invoke ({name})"), warm, true));
            }
        }
        paths.push(("`docker run --rm`".to_owned(), &t.docker, false));
        for (path, b, pooled) in paths {
            let _ = writeln!(
                out,
                "| {} | {path} | {} | {:.1} | {:.2} | {} / {} | {} | {} | {} |",
                t.level,
                b.jobs,
                b.per_second(),
                b.per_second() / t.docker.per_second(),
                fmt_ms(b.latency.p50()),
                fmt_ms(b.latency.percentile(95.0)),
                b.errors,
                if pooled {
                    format!("{} of {}", b.hits, b.jobs)
                } else {
                    "-".into()
                },
                removals(&path, b)
            );
            if let Some(e) = &b.first_error {
                let _ = writeln!(
                    out,
                    "\nFirst {path} error at concurrency {}: {e}\n",
                    t.level
                );
            }
        }
    }
}

/// A batch's removal backlog as the throughput table gives it.
fn removals(path: &str, b: &Batch) -> String {
    match &b.backlog {
        Some(d) => format!("{}, {:.1} s", d.peak.max(0), d.after.as_secs_f64()),
        None if path.starts_with("faas") => "n/a".into(),
        None => "-".into(),
    }
}

fn memory(out: &mut String, r: &Results) {
    let _ = writeln!(out, "\n## Memory\n");
    let _ = writeln!(
        out,
        "| point | backend | server VmRSS | server RssAnon | server VmHWM | worker VmRSS | worker RssAnon | worker VmHWM |\n|---|---|---|---|---|---|---|---|"
    );
    // Point by point, the backends next to each other.
    let points = r.backends.iter().map(|m| m.memory.len()).max().unwrap_or(0);
    for k in 0..points {
        for m in &r.backends {
            let Some(reading) = m.memory.get(k) else {
                continue;
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {} |",
                reading.point,
                m.backend.name(),
                mib(reading.server.rss_kib),
                mib(reading.server.anon_kib),
                mib(reading.server.hwm_kib),
                mib(reading.worker.rss_kib),
                mib(reading.worker.anon_kib),
                mib(reading.worker.hwm_kib)
            );
        }
    }
    let _ = writeln!(
        out,
        "\nRssAnon is the heap and stacks; the rest of VmRSS is the binary's code and other mapped files."
    );
    let nats = |m: Option<&Memory>| m.map_or("-".into(), |m| mib(m.rss_kib));
    let nats: Vec<String> = r
        .backends
        .iter()
        .map(|m| {
            format!(
                "{} {} idle, {} at the end",
                m.backend.name(),
                nats(m.memory.first().and_then(|x| x.nats.as_ref())),
                nats(m.memory.last().and_then(|x| x.nats.as_ref()))
            )
        })
        .collect();
    let left: usize = r.backends.iter().map(|m| m.leftovers.len()).sum();
    let _ = writeln!(
        out,
        "\nnats-server VmRSS: {}. Containers left behind: {left}.",
        nats.join("; ")
    );
    for m in &r.backends {
        for container in &m.leftovers {
            let _ = writeln!(out, "- left behind ({}): {container}", m.backend.name());
        }
    }
    for m in &r.backends {
        let _ = match m.log.as_slice() {
            [] => writeln!(out, "\nWorker log ({}): empty.", m.backend.name()),
            lines => writeln!(
                out,
                "\nWorker log ({}, `RUST_LOG=warn`): {} lines; the first: `{}`",
                m.backend.name(),
                lines.len(),
                lines[0]
                    .chars()
                    .take(300)
                    .collect::<String>()
                    .replace('`', "'")
            ),
        };
    }
}

/// `a / b` as a factor.
fn ratio(a: Option<f64>, b: Option<f64>) -> String {
    match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => format!("{:.2}×", a / b),
        _ => "-".into(),
    }
}

/// The targets one backend is held to.
struct Targets {
    heading: &'static str,
    prewarmed: &'static str,
    cold: &'static str,
    throughput: &'static str,
}

impl Backend {
    /// What the header says of it.
    fn about(self) -> &'static str {
        match self {
            Self::Docker => "docker: the Docker Engine, the worker's default",
            Self::Oci => {
                "oci: `FAAS_WORKER_RUNTIME=oci`, crun or runc driven by the worker, its `FAAS_WORKER_OCI_DIR` in the run's scratch directory"
            }
        }
    }

    fn targets(self) -> Targets {
        match self {
            Self::Docker => Targets {
                heading: "Docker backend (issues 13 and 23)",
                prewarmed: "≤ 0.10× `docker run --rm` (issue 13: 0.2×)",
                cold: "≤ 0.45× (issue 13: 0.6×)",
                throughput: "≥ 2.5× parallel `docker run --rm`",
            },
            Self::Oci => Targets {
                heading: "OCI backend (issue 24)",
                prewarmed: "≤ 0.05× `docker run --rm`",
                cold: "≤ 0.15×",
                throughput: "≥ 5× parallel `docker run --rm`, every call a fresh container",
            },
        }
    }
}

fn targets(out: &mut String, r: &Results) {
    let _ = writeln!(out, "\n## Against the targets");
    for backend in [Backend::Docker, Backend::Oci] {
        let t = backend.targets();
        let _ = writeln!(out, "\n### {}\n", t.heading);
        let Some(j) = r.backends.iter().position(|m| m.backend == backend) else {
            let why = if r.skipped.iter().any(|(b, _)| *b == backend) {
                "its platform did not start (see above)"
            } else {
                "not in `--backends`"
            };
            let _ = writeln!(out, "Not run: {why}.");
            continue;
        };
        let m = &r.backends[j];
        let _ = writeln!(out, "| measure | target | this run |\n|---|---|---|");
        let _ = writeln!(
            out,
            "| prewarmed invoke p50 | {} | {} |",
            t.prewarmed,
            if m.prewarm {
                ratio(m.warm.wall.p50(), r.runs.docker_run.p50())
            } else {
                NO_PREWARM.into()
            }
        );
        let _ = writeln!(
            out,
            "| cold invoke p50 | {} | {} |",
            t.cold,
            ratio(m.cold.wall.p50(), r.runs.docker_run.p50())
        );
        if backend == Backend::Docker {
            let _ = writeln!(
                out,
                "| platform overhead p50 | ≤ 5 ms | cold {} ms{} |",
                fmt_ms(m.cold.overhead.p50()),
                if m.prewarm {
                    format!(", prewarmed {} ms", fmt_ms(m.warm.overhead.p50()))
                } else {
                    String::new()
                }
            );
        }
        let mut at8 = at_level_8(r, j);
        if backend == Backend::Oci {
            let s = &m.seen;
            let foreign = s.ids.iter().filter(|id| !id.starts_with("faas-")).count();
            let _ = write!(
                at8,
                "; {} calls ran in {} distinct containers ({foreign} ids not `faas-…`, {} calls without an id)",
                s.calls,
                s.ids.len(),
                s.without_id
            );
        }
        let _ = writeln!(
            out,
            "| throughput at concurrency 8 | {} | {at8} |",
            t.throughput
        );
        let peak = r
            .runs
            .throughput
            .iter()
            .flat_map(|t| [Some(&t.faas[j].cold), t.faas[j].warm.as_ref()])
            .flatten()
            .filter_map(|b| b.backlog)
            .max_by_key(|d| d.peak);
        let _ = writeln!(
            out,
            "| removal backlog during the throughput runs | reported | {} |",
            peak.map_or("n/a (a worker without the gauge)".into(), |d| format!(
                "peak {} containers, drained within {:.1} s",
                d.peak.max(0),
                d.after.as_secs_f64()
            ))
        );
        match backend {
            Backend::Docker => {
                let end = m.memory.last().expect("three readings");
                let _ = writeln!(
                    out,
                    "| server and worker RSS after the run | < 20 MiB | server {}, worker {} |",
                    mib(end.server.rss_kib),
                    mib(end.worker.rss_kib)
                );
            }
            Backend::Oci => oci_targets(out, r, m),
        }
    }
}

/// Cold and prewarmed throughput at concurrency 8 over `docker run --rm`'s.
fn at_level_8(r: &Results, j: usize) -> String {
    let Some(t) = r.runs.throughput.iter().find(|t| t.level == 8) else {
        return "- (level 8 not run)".into();
    };
    let over = |b: &Batch| format!("{:.2}×", b.per_second() / t.docker.per_second());
    let warm = t.faas[j]
        .warm
        .as_ref()
        .map_or(String::new(), |b| format!(", prewarmed {}", over(b)));
    format!("cold {}{warm}", over(&t.faas[j].cold))
}

/// The OCI backend's memory and what it must not leave behind.
fn oci_targets(out: &mut String, r: &Results, m: &Measured) {
    let after = &m.memory[1];
    let _ = writeln!(
        out,
        "| worker RSS after 1,000 invocations | < 20 MiB | {} {} |",
        mib(after.worker.rss_kib),
        after.point
    );
    let fds = |n: Option<usize>| n.map_or("-".into(), |n| n.to_string());
    let _ = writeln!(
        out,
        "| worker open fds (`/proc/<pid>/fd`) | as many at the end as idle | {} right after start, {} idle with the pool parked, {} at the end |",
        fds(m.fds[0]),
        fds(m.fds[1]),
        fds(m.fds[2])
    );
    let [before, after] = &r.host;
    let _ = writeln!(
        out,
        "| host mounts (`/proc/self/mountinfo`) | as many after the run as before | {} before, {} after |",
        before.mounts.len(),
        after.mounts.len()
    );
    let left = m.left.as_ref();
    let _ = writeln!(
        out,
        "| container cgroups (`/sys/fs/cgroup/*/faas-oci/*/`) | none left | {} named after this run's {} containers ({} on the host before, {} after) |",
        left.map_or("-".into(), |l| l.cgroups.to_string()),
        m.seen.ids.len(),
        before.cgroups.len(),
        after.cgroups.len()
    );
    let _ = writeln!(
        out,
        "| runtime state and bundles (`<FAAS_WORKER_OCI_DIR>/runtime/{{state,bundles}}`) | none left | {} |",
        left.map_or("-".into(), |l| format!(
            "{} in state, {} in bundles",
            l.state.len(),
            l.bundles.len()
        ))
    );
    let mut new_mounts = after.mounts.clone();
    for m in &before.mounts {
        if let Some(i) = new_mounts.iter().position(|n| n == m) {
            new_mounts.swap_remove(i);
        }
    }
    for mount in new_mounts.iter().take(5) {
        let _ = writeln!(out, "\n- mount not there before the run: `{mount}`");
    }
    if let Some(l) = left {
        for entry in l.state.iter().chain(&l.bundles).take(5) {
            let _ = writeln!(out, "\n- left in the runtime directory: `{entry}`");
        }
    }
}
