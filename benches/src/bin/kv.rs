//! `kv`: NATS KV put and get throughput, the store every faas request reads and every
//! invocation writes (docs/writeup.md, "How the database scales").
//!
//! Against a nats-server it starts itself (one node, JetStream in a temporary
//! directory) or against `--url` (e.g. the 3-node cluster of
//! `docker-compose.cluster.yml`, logged in as `faas-server`). It creates a bucket
//! the way `api/src/store/setup.rs` does (the `KV_<bucket>` stream with direct gets,
//! since async-nats' `create_key_value` cannot talk to nats-server < 2.10.8), then
//! for each concurrency level puts `--ops` distinct keys and reads them back with
//! direct gets, and prints a Markdown table: operations per second and latency.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use async_nats::jetstream::{self, kv, stream};
use clap::Parser;

#[derive(Parser, Debug)]
#[command(about = "NATS KV put/get throughput (faas activation records)")]
struct Args {
    /// NATS URL(s), comma-separated; unset: start a one-node nats-server here.
    #[arg(long)]
    url: Option<String>,
    /// NATS user (e.g. faas-server on compose); unset: no credentials.
    #[arg(long)]
    user: Option<String>,
    /// File holding the user's password.
    #[arg(long)]
    password_file: Option<PathBuf>,
    /// Inbox prefix the user may subscribe to (faas-server: _INBOX_server).
    #[arg(long, default_value = "_INBOX_server")]
    inbox_prefix: String,
    /// Replicas of the bucket's stream (3 on a 3-node cluster).
    #[arg(long, default_value_t = 1)]
    replicas: usize,
    /// Value size in bytes (a small activation record is about 500 bytes).
    #[arg(long, default_value_t = 1024)]
    value_bytes: usize,
    /// Operations per concurrency level and kind.
    #[arg(long, default_value_t = 4000)]
    ops: usize,
    /// Concurrency levels: operations in flight at once.
    #[arg(long, value_delimiter = ',', default_value = "1,16,64")]
    concurrency: Vec<usize>,
    /// The bucket (its stream is KV_<bucket>); deleted at the end.
    #[arg(long, default_value = "faas_kvbench")]
    bucket: String,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    faas_process::install_crypto_provider();
    let args = Args::parse();
    let (url, _server) = match &args.url {
        Some(url) => (url.clone(), None),
        None => {
            let server = LocalNats::start()?;
            (server.url.clone(), Some(server))
        }
    };
    let client = connect(&args, &url).await?;
    let info = client.server_info();
    let js = jetstream::new(client.clone());
    let stream_name = format!("KV_{}", args.bucket);
    let _ = js.delete_stream(&stream_name).await;
    js.create_stream(stream::Config {
        name: stream_name.clone(),
        subjects: vec![format!("$KV.{}.>", args.bucket)],
        max_messages_per_subject: 1,
        storage: stream::StorageType::File,
        num_replicas: args.replicas,
        allow_rollup: true,
        deny_delete: true,
        allow_direct: true,
        discard: stream::DiscardPolicy::New,
        ..Default::default()
    })
    .await
    .map_err(|e| anyhow::anyhow!("creating stream {stream_name}: {e}"))?;
    let store = Arc::new(js.get_key_value(&args.bucket).await?);

    println!(
        "NATS KV at {url}: nats-server {} (cluster: {}), bucket R{}, {} B values, {} ops per row, {}",
        info.version,
        if info.cluster.is_some() { "yes" } else { "no" },
        args.replicas,
        args.value_bytes,
        args.ops,
        load_average(),
    );
    println!();
    println!("| operation | in flight | ops/s | p50 ms | p99 ms |");
    println!("|---|---|---|---|---|");
    let value: bytes::Bytes = vec![b'x'; args.value_bytes].into();
    for (round, &concurrency) in args.concurrency.iter().enumerate() {
        let keys: Arc<Vec<String>> = Arc::new(
            (0..args.ops)
                .map(|i| format!("u{}.k{round}x{i}", i % 50))
                .collect(),
        );
        let put = {
            let value = value.clone();
            run(&store, &keys, concurrency, move |store, key| {
                let value = value.clone();
                async move {
                    store.put(key, value).await?;
                    Ok(())
                }
            })
            .await?
        };
        print_row("put", concurrency, &put);
        let get = run(&store, &keys, concurrency, |store, key| async move {
            if store.get(key).await?.is_none() {
                bail!("a key just put is missing");
            }
            Ok(())
        })
        .await?;
        print_row("get (direct)", concurrency, &get);
    }
    js.delete_stream(&stream_name)
        .await
        .map_err(|e| anyhow::anyhow!("deleting stream {stream_name}: {e}"))?;
    Ok(())
}

async fn connect(args: &Args, url: &str) -> anyhow::Result<async_nats::Client> {
    let options = match (&args.user, &args.password_file) {
        (Some(user), Some(file)) => {
            let password = std::fs::read_to_string(file)
                .with_context(|| format!("reading {}", file.display()))?;
            async_nats::ConnectOptions::with_user_and_password(
                user.clone(),
                password.trim().to_string(),
            )
            .custom_inbox_prefix(args.inbox_prefix.clone())
        }
        (None, None) => async_nats::ConnectOptions::new(),
        _ => bail!("give both --user and --password-file, or neither"),
    };
    let urls: Vec<async_nats::ServerAddr> = url
        .split(',')
        .map(str::parse)
        .collect::<Result<_, _>>()
        .context("parsing --url")?;
    Ok(options.connect(urls).await?)
}

/// Wall time and each operation's latency of one row.
struct Row {
    elapsed: Duration,
    latencies: Vec<Duration>,
}

/// Runs `op` once per key, `concurrency` at a time.
async fn run<F, Fut>(
    store: &Arc<kv::Store>,
    keys: &Arc<Vec<String>>,
    concurrency: usize,
    op: F,
) -> anyhow::Result<Row>
where
    F: Fn(Arc<kv::Store>, String) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = anyhow::Result<()>> + Send,
{
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..concurrency {
        let (store, keys, next, op) = (store.clone(), keys.clone(), next.clone(), op.clone());
        tasks.spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(key) = keys.get(i) else { break };
                let t = Instant::now();
                op(store.clone(), key.clone()).await?;
                latencies.push(t.elapsed());
            }
            anyhow::Ok(latencies)
        });
    }
    let mut latencies = Vec::with_capacity(keys.len());
    while let Some(done) = tasks.join_next().await {
        latencies.extend(done??);
    }
    latencies.sort();
    Ok(Row {
        elapsed: started.elapsed(),
        latencies,
    })
}

fn print_row(operation: &str, concurrency: usize, row: &Row) {
    let quantile = |q: f64| {
        let i = ((row.latencies.len() as f64 * q) as usize).min(row.latencies.len() - 1);
        row.latencies[i].as_secs_f64() * 1e3
    };
    println!(
        "| {operation} | {concurrency} | {:.0} | {:.2} | {:.2} |",
        row.latencies.len() as f64 / row.elapsed.as_secs_f64(),
        quantile(0.5),
        quantile(0.99),
    );
}

fn load_average() -> String {
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let first: Vec<&str> = load.split_whitespace().take(3).collect();
    format!("load average {}", first.join(" "))
}

/// A one-node JetStream nats-server on a free loopback port, store in a temporary
/// directory; killed when dropped.
struct LocalNats {
    url: String,
    child: Child,
    _store: tempfile::TempDir,
}

impl LocalNats {
    fn start() -> anyhow::Result<Self> {
        let store = tempfile::tempdir()?;
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let child = Command::new("nats-server")
            .args(["-js", "-a", "127.0.0.1", "-p", &port.to_string(), "-sd"])
            .arg(store.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("starting nats-server (apt-get install nats-server)")?;
        let url = format!("nats://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > deadline {
                bail!("nats-server did not listen on {port} within 10 s");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(Self {
            url,
            child,
            _store: store,
        })
    }
}

impl Drop for LocalNats {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
