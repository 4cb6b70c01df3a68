//! Not a test: a measurement of the cold path's steps, for before/after
//! comparisons in one run (`cargo nextest run -p faas-worker -E
//! 'test(/^cold_path_timings::/)' --run-ignored only --no-capture`; `FAAS_TIMING_RUNS` sets the
//! number of activations, 20 by default). Prints each run's step times and total
//! as one line, then the medians.

use std::time::Instant;

use faas_testkit::activation::request;
use faas_testkit::names::REVERSE;
use faas_worker::runtime::ContainerRuntime;

#[tokio::test]
#[ignore = "a measurement, not a test"]
async fn cold_path_step_medians() {
    let runs: usize = std::env::var("FAAS_TIMING_RUNS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(20);
    let runtime = ContainerRuntime::new(None);
    // One warm-up run: connecting to the engine is not a per-run cost.
    runtime.run(&request(REVERSE, "warm"), "timings").await;
    let mut rows = Vec::new();
    for _ in 0..runs {
        let started = Instant::now();
        let result = runtime.run(&request(REVERSE, "hello"), "timings").await;
        let total = started.elapsed().as_millis() as u64;
        assert_eq!(result.activation.result, "olleh", "{:?}", result.failure);
        let t = result.activation.timings.expect("timings");
        let row = [
            t.create_ms,
            t.attach_ms,
            t.start_ms,
            t.run_ms,
            t.collect_ms,
            total,
        ];
        println!(
            "TIMING create={} attach={} start={} run={} collect={} total={}",
            row[0], row[1], row[2], row[3], row[4], row[5]
        );
        rows.push(row);
    }
    runtime.removals_done().await;
    let median = |i: usize| {
        let mut column: Vec<u64> = rows.iter().map(|r| r[i]).collect();
        column.sort_unstable();
        column[column.len() / 2]
    };
    println!(
        "MEDIAN create={} attach={} start={} run={} collect={} total={}",
        median(0),
        median(1),
        median(2),
        median(3),
        median(4),
        median(5)
    );
}
