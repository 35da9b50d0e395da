//! The public lookup over HTTP (issue 4 §4): `GET /api/v1/public/dishonest?name=&id=` served by
//! the real zhixing router (in-memory list index, masking, rate limiter on) on 127.0.0.1, beside
//! PostgreSQL answering the same point lookup through pgbench (`-M prepared`), on the same rows,
//! with the same number of clients, in one run. Our side is driven by Debian's `wrk` (a separate C
//! process, as pgbench is; `apt-get install wrk`) or, with `--load inproc`, by a raw HTTP/1.1
//! client on the server's runtime. Both load generators share the machine's two cores with their
//! server. `--target healthz` measures the HTTP stack's ceiling (a handler that returns "ok").
//!
//!     cargo run --release -p zhixing-bench --bin portal_http -- --entries 1000000 --runs 2
//!
//! The PostgreSQL side looks rows up by an integer primary key (`WHERE k = :k`, drawn by pgbench's
//! `random()`), which is the cheapest lookup PostgreSQL has — a stronger peer than the text
//! (ID number + name) lookup the portal answers. Latencies: ours from wrk's `--latency`
//! distribution (or every request, in-process); pgbench's from its per-transaction log (`-l`).
#![allow(clippy::as_conversions)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use bytes::Bytes;
use chrono::NaiveDate;
use clap::Parser;
use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use zhixing_app::App;
use zhixing_domain::id_number::IdNumber;
use zhixing_store::Db;

#[derive(Parser)]
struct Args {
    /// Published 失信 entries.
    #[arg(long, default_value_t = 1_000_000)]
    entries: usize,
    /// Concurrent clients (HTTP connections / pgbench clients).
    #[arg(long, default_value_t = 16)]
    clients: usize,
    /// Seconds of load per side.
    #[arg(long, default_value_t = 15)]
    secs: u64,
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/postgres")]
    pg: String,
    /// Load generator for our side: `wrk` (Debian's wrk, a separate C process like pgbench) or
    /// `inproc` (a raw HTTP/1.1 client on the server's own tokio runtime).
    #[arg(long, default_value = "wrk")]
    load: String,
    /// wrk threads (pgbench runs with `-j 2`).
    #[arg(long, default_value_t = 2)]
    wrk_threads: usize,
    /// Runs of our side against the one loaded server (each prints its figures); the best and
    /// worst are reported. pgbench runs as many times, alternating, when `--pg-runs` is not 0.
    #[arg(long, default_value_t = 1)]
    runs: usize,
    /// What our side answers: `lookup` (the public 失信 lookup) or `healthz` (a handler that
    /// returns "ok" through the same router, layers and load generator: the stack's ceiling).
    #[arg(long, default_value = "lookup")]
    target: String,
    /// Give each server and each load generator a core of its own (`taskset`): our process and
    /// PostgreSQL's (the postmaster and, by inheritance, the backends pgbench opens) on CPU 0, wrk
    /// and pgbench on CPU 1 — the nearest this 2-core machine gets to a load generator on another
    /// machine. PostgreSQL's affinity is restored afterwards.
    #[arg(long)]
    pin: bool,
}

/// `taskset -a -cp <cpus> <pid>`: every thread of a running process.
fn pin_pid(pid: u32, cpus: &str) -> Result<()> {
    let st = std::process::Command::new("taskset")
        .args(["-a", "-cp", cpus, &pid.to_string()])
        .stdout(std::process::Stdio::null())
        .status()
        .context("taskset (util-linux) not runnable")?;
    if !st.success() {
        bail!("taskset -a -cp {cpus} {pid} failed");
    }
    Ok(())
}

/// While alive, PostgreSQL is pinned; on drop every PostgreSQL process may run on all CPUs again.
struct PgPin;

impl Drop for PgPin {
    fn drop(&mut self) {
        // The machine's CPUs, not this (pinned) process's: `available_parallelism` would say 1.
        let all = std::fs::read_to_string("/sys/devices/system/cpu/online")
            .map_or_else(|_| "0-1".to_owned(), |s| s.trim().to_owned());
        for pid in postgres_pids() {
            if let Err(e) = pin_pid(pid, &all) {
                eprintln!("restoring PostgreSQL's affinity: {e}");
            }
        }
    }
}

/// Every running PostgreSQL process (the postmaster and its children).
fn postgres_pids() -> Vec<u32> {
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .is_ok_and(|c| c.trim() == "postgres")
        })
        .collect()
}

/// CPU time (user + system, in clock ticks of 10 ms) a process has used, with `children` the
/// time of its exited and reaped children too (the postmaster reaps pgbench's backends).
fn cpu_ticks(pid: u32, children: bool) -> u64 {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return 0;
    };
    // Fields after the command's closing parenthesis start at field 3 (state); utime is field
    // 14, stime 15, cutime 16, cstime 17.
    let f: Vec<u64> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest)
        .unwrap_or("")
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0))
        .collect();
    let at = |i: usize| f.get(i - 3).copied().unwrap_or(0);
    at(14) + at(15) + if children { at(16) + at(17) } else { 0 }
}

/// CPU ticks of all PostgreSQL processes, the exited backends included (through the postmaster,
/// the one `postgres` process whose parent is not `postgres`).
fn pg_cpu_ticks() -> u64 {
    let pids = postgres_pids();
    pids.iter()
        .map(|&pid| {
            let ppid = std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .ok()
                .and_then(|s| {
                    s.rsplit_once(')')
                        .and_then(|(_, r)| r.split_whitespace().nth(1)?.parse::<u32>().ok())
                })
                .unwrap_or(0);
            cpu_ticks(pid, !pids.contains(&ppid))
        })
        .sum()
}

/// Server CPU per request in µs from a tick delta (100 ticks a second).
fn cpu_us(ticks: u64, rate: f64, secs: u64) -> f64 {
    let n = rate * secs as f64;
    if n <= 0.0 {
        0.0
    } else {
        ticks as f64 * 10_000.0 / n
    }
}

/// The load generator's command: under `taskset -c 1` when pinning.
fn generator(args: &Args, program: &str) -> tokio::process::Command {
    if args.pin {
        let mut c = tokio::process::Command::new("taskset");
        c.args(["-c", "1", program]);
        c
    } else {
        tokio::process::Command::new(program)
    }
}

const SURNAMES: [&str; 20] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "林", "罗", "高",
];
const GIVEN: [&str; 24] = [
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀英", "霞", "平", "刚", "桂英", "建华", "志强",
];
const REGIONS: [&str; 6] = ["511123", "511102", "510104", "422828", "620104", "110105"];

struct Row {
    name: String,
    id: String,
    listed_on: String,
}

/// Deterministic rows: valid ID numbers (GB 11643 check character), names of 2–3 characters.
fn rows(n: usize) -> Result<Vec<Row>> {
    let base = NaiveDate::from_ymd_opt(1950, 1, 1).context("date")?;
    let mut out = Vec::with_capacity(n);
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for k in 0..n {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let birth = base + chrono::Days::new((k / 997) as u64 % 20_000);
        let seq = (k % 997) as u16;
        let region = REGIONS[k % REGIONS.len()];
        let id = IdNumber::from_parts(region, birth, seq)
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .as_str()
            .to_owned();
        let name = format!(
            "{}{}",
            SURNAMES[(x % 20) as usize],
            GIVEN[((x >> 8) % 24) as usize]
        );
        let listed = NaiveDate::from_ymd_opt(2017, 1, 1).context("date")?
            + chrono::Days::new((x >> 20) % 3_500);
        out.push(Row {
            name,
            id,
            listed_on: listed.format("%Y-%m-%d").to_string(),
        });
    }
    Ok(out)
}

const COLS: &str = "court_code, id, list, measure_id, case_id, subject_kind, name, id_number, sex, birth_date, \
    legal_representative, case_number, court_name, basis, obligation, performance, conduct, filed_on, listed_on, \
    publish_on, status, deleted_on, delete_reason, updated_at, feed_sent";

async fn load_sqlite(db: &Db, rows: &[Row]) -> Result<()> {
    let mut conn = db.pool().acquire().await?;
    sqlx::query("BEGIN").execute(&mut *conn).await?;
    for (c, chunk) in rows.chunks(500).enumerate() {
        let mut sql = format!("INSERT INTO public_list_entries ({COLS}) VALUES ");
        for i in 0..chunk.len() {
            if i > 0 {
                sql.push(',');
            }
            sql.push_str("(?,?,'dishonest',NULL,?,'person',?,?,NULL,NULL,NULL,?,'犍为县人民法院','犍为县人民法院 （2023）川1123民初1号','依民事判决书履行给付义务','全部未履行','违反财产报告制度','2023-01-01',?,?,'listed',NULL,NULL,0,1)");
        }
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (i, r) in chunk.iter().enumerate() {
            let k = c * 500 + i;
            q = q
                .bind("川1123")
                .bind(format!("e{k:08}"))
                .bind(format!("c{k:08}"))
                .bind(r.name.clone())
                .bind(r.id.clone())
                .bind(format!("（2024）川1123执{k}号"))
                .bind(r.listed_on.clone())
                .bind(r.listed_on.clone());
        }
        q.execute(&mut *conn).await?;
    }
    sqlx::query("COMMIT").execute(&mut *conn).await?;
    Ok(())
}

fn pct(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    f64::from(sorted[i.min(sorted.len() - 1)]) / 1000.0
}

/// Our side, loaded and listening: the SQLite file, the in-memory index and the real router.
struct Ours {
    addr: std::net::SocketAddr,
    paths: Arc<Vec<String>>,
    app: App,
    dir: std::path::PathBuf,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
}

async fn start_ours(rows: Arc<Vec<Row>>, target: &str) -> Result<Ours> {
    let dir = std::env::temp_dir().join(format!("zx-portal-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let url = format!("sqlite://{}/portal.db", dir.display());
    let db = Db::connect(&url).await?;
    db.migrate().await?;
    let t = Instant::now();
    load_sqlite(&db, &rows).await?;
    eprintln!("SQLite load: {:.1} s", t.elapsed().as_secs_f64());
    let app = App::new(db);
    let t = Instant::now();
    app.load_public_lists(zhixing_app::now_ms())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    eprintln!(
        "index load: {:.1} s, {:?}",
        t.elapsed().as_secs_f64(),
        app.lists.sizes()
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let router = zhixing_web::router(
        app.clone(),
        zhixing_web::WebConfig {
            public_per_minute: u32::MAX,
            ..Default::default()
        },
    );
    let server =
        tokio::spawn(
            async move { zhixing_web::serve(listener, router, std::future::pending()).await },
        );
    let enc = |s: &str| -> String {
        s.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect()
    };
    let paths: Arc<Vec<String>> = Arc::new(
        rows.iter()
            .map(|r| format!("/api/v1/public/dishonest?name={}&id={}", enc(&r.name), r.id))
            .collect(),
    );
    // Warm-up, and check the answer once.
    let client: Client<_, Empty<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
    let resp = client
        .request(hyper::Request::get(format!("http://{addr}{}", paths[0])).body(Empty::new())?)
        .await?;
    let body = resp.into_body().collect().await?.to_bytes();
    let v: serde_json::Value = serde_json::from_slice(&body)?;
    if v["items"].as_array().map_or(0, Vec::len) != 1 {
        bail!("lookup of row 0 answered {v}");
    }
    let paths = match target {
        "lookup" => paths,
        "healthz" => Arc::new(vec!["/healthz".to_owned()]),
        other => bail!("--target {other}: expected lookup or healthz"),
    };
    Ok(Ours {
        addr,
        paths,
        app,
        dir,
        server,
    })
}

impl Ours {
    async fn stop(self) {
        self.server.abort();
        self.app.db.close().await;
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// wrk's script: every thread loads the request paths once, pre-formats each request, and sends
/// them in a random order (one keep-alive connection per client, one request in flight).
const WRK_LUA: &str = r#"
local reqs = {}
local n = 0
local seq = 0
function setup(thread)
  seq = seq + 1
  thread:set("seed", seq)
end
function init(args)
  for line in io.lines(args[1]) do
    n = n + 1
    reqs[n] = wrk.format("GET", line)
  end
  math.randomseed(seed or 1)
end
function request()
  return reqs[math.random(n)]
end
"#;

/// A latency as wrk prints it (`812.00us`, `1.25ms`, `2.00s`), in ms.
fn wrk_ms(s: &str) -> Option<f64> {
    let s = s.trim();
    let (num, scale) = if let Some(v) = s.strip_suffix("us") {
        (v, 0.001)
    } else if let Some(v) = s.strip_suffix("ms") {
        (v, 1.0)
    } else if let Some(v) = s.strip_suffix('s') {
        (v, 1000.0)
    } else {
        return None;
    };
    num.parse::<f64>().ok().map(|v| v * scale)
}

/// One run of Debian's wrk against our server, in its own process.
async fn load_wrk(args: &Args, ours: &Ours) -> Result<(f64, f64, f64)> {
    let script = ours.dir.join("lookup.lua");
    let list = ours.dir.join("paths.txt");
    if !list.exists() {
        std::fs::write(&script, WRK_LUA)?;
        std::fs::write(&list, ours.paths.join("\n") + "\n")?;
    }
    let out = generator(args, "wrk")
        .args([
            "-t",
            &args.wrk_threads.to_string(),
            "-c",
            &args.clients.to_string(),
            "-d",
            &format!("{}s", args.secs),
            "--latency",
            "-s",
        ])
        .arg(&script)
        .arg(format!("http://{}/", ours.addr))
        .arg("--")
        .arg(&list)
        .output()
        .await
        .context("wrk (Debian package wrk) not runnable")?;
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    if !out.status.success() {
        bail!("wrk failed: {text}{}", String::from_utf8_lossy(&out.stderr));
    }
    if let Some(l) = text
        .lines()
        .find(|l| l.contains("Non-2xx") || l.contains("Socket errors"))
    {
        bail!("wrk saw failures: {}\n{text}", l.trim());
    }
    let field = |prefix: &str| -> Option<String> {
        text.lines()
            .find_map(|l| l.trim().strip_prefix(prefix).map(|v| v.trim().to_owned()))
    };
    let rps = field("Requests/sec:")
        .and_then(|v| v.parse::<f64>().ok())
        .context("no Requests/sec in wrk's output")?;
    let p50 = field("50%").and_then(|v| wrk_ms(&v)).context("no p50")?;
    let p99 = field("99%").and_then(|v| wrk_ms(&v)).context("no p99")?;
    Ok((rps, p50, p99))
}

/// One run of the in-process raw client.
async fn load_inproc(args: &Args, ours: &Ours) -> Result<(f64, f64, f64)> {
    let (addr, paths) = (ours.addr, &ours.paths);
    let min_body = if args.target == "healthz" { 2 } else { 20 };
    // The load: like wrk, one keep-alive connection per client with one request in flight,
    // written and read as raw HTTP/1.1 (a lean client, so the measurement is of the server,
    // not of a heavyweight client sharing its two cores).
    let deadline = Instant::now() + Duration::from_secs(args.secs);
    let counter = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..args.clients {
        let (paths, counter) = (paths.clone(), counter.clone());
        tasks.push(tokio::spawn(async move {
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            let mut sock = tokio::net::TcpStream::connect(addr).await?;
            sock.set_nodelay(true)?;
            let mut lat = Vec::with_capacity(1 << 20);
            let mut buf = vec![0u8; 64 * 1024];
            let mut x = 0x2545_F491_4F6C_DD1D_u64 ^ (c as u64);
            while Instant::now() < deadline && lat.len() < 50_000_000 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let p = &paths[(x % paths.len() as u64) as usize];
                let req = format!("GET {p} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
                let t = Instant::now();
                sock.write_all(req.as_bytes()).await?;
                // Read the head, then Content-Length bytes of body.
                let mut have = 0usize;
                let (head_end, body_len) = loop {
                    let n = sock.read(&mut buf[have..]).await?;
                    if n == 0 {
                        bail!("server closed the connection");
                    }
                    have += n;
                    if let Some(i) = buf[..have].windows(4).position(|w| w == b"\r\n\r\n") {
                        let head = std::str::from_utf8(&buf[..i]).unwrap_or("");
                        if !head.starts_with("HTTP/1.1 200") {
                            bail!("{p} answered {}", head.lines().next().unwrap_or(""));
                        }
                        let len = head
                            .lines()
                            .find_map(|l| {
                                let (k, v) = l.split_once(':')?;
                                k.eq_ignore_ascii_case("content-length")
                                    .then(|| v.trim().parse::<usize>().ok())?
                            })
                            .unwrap_or(0);
                        break (i + 4, len);
                    }
                    if have == buf.len() {
                        bail!("response head too large");
                    }
                };
                while have < head_end + body_len {
                    let n = sock.read(&mut buf[have..]).await?;
                    if n == 0 {
                        bail!("server closed the connection");
                    }
                    have += n;
                }
                // A hit carries one item (hundreds of bytes); `{"items":[]}` is 12.
                if body_len < min_body {
                    bail!("{p}: empty answer");
                }
                lat.push(t.elapsed().as_micros().min(u128::from(u32::MAX)) as u32);
                counter.fetch_add(1, Ordering::Relaxed);
            }
            Ok::<Vec<u32>, anyhow::Error>(lat)
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await??);
    }
    let secs = start.elapsed().as_secs_f64();
    all.sort_unstable();
    // Latencies were recorded in µs; report ms.
    Ok((all.len() as f64 / secs, pct(&all, 0.5), pct(&all, 0.99)))
}

const PG_DB: &str = "zx_bench_portal";

/// The peer's table, loaded with the same rows; returns its URL.
async fn start_pg(args: &Args, rows: &[Row]) -> Result<String> {
    use sqlx::Connection;
    let db = PG_DB;
    let mut admin = sqlx::PgConnection::connect(&args.pg).await?;
    sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {db}")))
        .execute(&mut admin)
        .await?;
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {db}")))
        .execute(&mut admin)
        .await?;
    let url = match args.pg.rsplit_once('/') {
        Some((base, _)) => format!("{base}/{db}"),
        None => bail!("--pg needs a database path"),
    };
    let mut c = sqlx::PgConnection::connect(&url).await?;
    sqlx::query(
        "CREATE TABLE bench_list (k INT PRIMARY KEY, name TEXT NOT NULL, id_number TEXT NOT NULL, \
         case_number TEXT NOT NULL, court_name TEXT NOT NULL, basis TEXT NOT NULL, obligation TEXT NOT NULL, \
         performance TEXT NOT NULL, conduct TEXT NOT NULL, filed_on TEXT NOT NULL, listed_on TEXT NOT NULL)",
    )
    .execute(&mut c)
    .await?;
    let t = Instant::now();
    let mut copy = c
        .copy_in_raw("COPY bench_list FROM STDIN WITH (FORMAT text)")
        .await?;
    let mut buf = String::with_capacity(8 << 20);
    for (k, r) in rows.iter().enumerate() {
        buf.push_str(&format!(
            "{k}\t{}\t{}\t（2024）川1123执{k}号\t犍为县人民法院\t犍为县人民法院 （2023）川1123民初1号\t依民事判决书履行给付义务\t全部未履行\t违反财产报告制度\t2023-01-01\t{}\n",
            r.name, r.id, r.listed_on
        ));
        if buf.len() > (4 << 20) {
            copy.send(buf.as_bytes()).await?;
            buf.clear();
        }
    }
    copy.send(buf.as_bytes()).await?;
    copy.finish().await?;
    sqlx::query("VACUUM ANALYZE bench_list")
        .execute(&mut c)
        .await?;
    eprintln!("PostgreSQL load: {:.1} s", t.elapsed().as_secs_f64());
    c.close().await?;
    Ok(url)
}

async fn stop_pg(args: &Args) -> Result<()> {
    use sqlx::Connection;
    let mut admin = sqlx::PgConnection::connect(&args.pg).await?;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {PG_DB}"
    )))
    .execute(&mut admin)
    .await?;
    Ok(())
}

/// One pgbench run against the loaded table.
async fn run_pgbench(args: &Args, url: &str, rows: usize) -> Result<(f64, f64, f64)> {
    let dir = std::env::temp_dir().join(format!("zx-pgbench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let script = dir.join("lookup.sql");
    std::fs::write(
        &script,
        format!(
            "\\set k random(0, {})\nSELECT name, id_number, case_number, court_name, basis, obligation, performance, conduct, filed_on, listed_on FROM bench_list WHERE k = :k;\n",
            rows - 1
        ),
    )?;
    let out = generator(args, "pgbench")
        .current_dir(&dir)
        .args([
            "-n",
            "-M",
            "prepared",
            "-c",
            &args.clients.to_string(),
            "-j",
            "2",
            "-T",
            &args.secs.to_string(),
            "-l",
            "--log-prefix",
            "pgb",
            "-f",
        ])
        .arg(&script)
        .arg(url)
        .output()
        .await
        .context("pgbench (Debian package postgresql-contrib / postgresql-15) not runnable")?;
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    if !out.status.success() {
        bail!(
            "pgbench failed: {text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let tps = text
        .lines()
        .find(|l| l.starts_with("tps = "))
        .and_then(|l| l.split_whitespace().nth(2))
        .and_then(|s| s.parse::<f64>().ok())
        .context("no tps line in pgbench output")?;
    // Per-transaction log lines: client_id transaction_no time(µs) script_no time_epoch time_us.
    let mut lat: Vec<u32> = Vec::new();
    for e in std::fs::read_dir(&dir)? {
        let p = e?.path();
        if p.file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("pgb"))
        {
            for l in std::fs::read_to_string(&p)?.lines() {
                if let Some(us) = l
                    .split_whitespace()
                    .nth(2)
                    .and_then(|s| s.parse::<u32>().ok())
                {
                    lat.push(us);
                }
            }
        }
    }
    lat.sort_unstable();
    let _ = std::fs::remove_dir_all(&dir);
    Ok((tps, pct(&lat, 0.5), pct(&lat, 0.99)))
}

fn main() -> Result<()> {
    let args = Args::parse();
    // One worker per core the server has: both cores, or the one it is pinned to (two workers
    // time-slicing one core would add a scheduler tick to some answers).
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(if args.pin { 1 } else { 2 })
        .enable_all()
        .build()?
        .block_on(run(args))
}

async fn run(args: Args) -> Result<()> {
    let t = Instant::now();
    let rows = Arc::new(rows(args.entries)?);
    eprintln!(
        "{} rows generated in {:.1} s",
        rows.len(),
        t.elapsed().as_secs_f64()
    );
    let url = start_pg(&args, &rows).await?;
    let ours = start_ours(rows.clone(), &args.target).await?;
    // PostgreSQL is the machine's shared server: its affinity comes back when this guard drops,
    // also when a run fails.
    let _pg_pin = if args.pin {
        pin_pid(std::process::id(), "0")?;
        let guard = PgPin;
        for pid in postgres_pids() {
            pin_pid(pid, "0")?;
        }
        Some(guard)
    } else {
        None
    };
    let mut results = Vec::new();
    for run in 0..args.runs.max(1) {
        let before = pg_cpu_ticks();
        let pg = run_pgbench(&args, &url, rows.len()).await?;
        // The backends exit when pgbench disconnects; let the postmaster reap them.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let pg_cpu = cpu_us(pg_cpu_ticks().saturating_sub(before), pg.0, args.secs);
        let before = cpu_ticks(std::process::id(), false);
        let zx = match args.load.as_str() {
            "wrk" => load_wrk(&args, &ours).await?,
            "inproc" => load_inproc(&args, &ours).await?,
            other => bail!("--load {other}: expected wrk or inproc"),
        };
        // With `--load inproc` the client's CPU is in this process too.
        let zx_cpu = cpu_us(
            cpu_ticks(std::process::id(), false).saturating_sub(before),
            zx.0,
            args.secs,
        );
        eprintln!(
            "run {}: zhixing {:.0}/s p50 {:.3} p99 {:.3} ms {zx_cpu:.1} µs CPU | pgbench {:.0} tps p50 {:.3} p99 {:.3} ms {pg_cpu:.1} µs CPU | {:.2}×",
            run + 1,
            zx.0,
            zx.1,
            zx.2,
            pg.0,
            pg.1,
            pg.2,
            zx.0 / pg.0
        );
        results.push((zx, pg, zx_cpu, pg_cpu));
    }
    ours.stop().await;
    stop_pg(&args).await?;
    println!(
        "public {}, {} entries, {} clients, {} s each, load generator {}{}{}",
        args.target,
        args.entries,
        args.clients,
        args.secs,
        args.load,
        if args.load == "wrk" {
            format!(" -t {}", args.wrk_threads)
        } else {
            String::new()
        },
        if args.pin {
            ", servers on CPU 0 and generators on CPU 1"
        } else {
            ""
        }
    );
    println!(
        "| run | zhixing lookups/s | p50 ms | p99 ms | CPU µs/req | pgbench tps | p50 ms | p99 ms | CPU µs/tx | ratio | CPU ratio |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    for (i, ((tps, p50, p99), (pg_tps, pg_p50, pg_p99), zx_cpu, pg_cpu)) in
        results.iter().enumerate()
    {
        println!(
            "| {} | {tps:.0} | {p50:.3} | {p99:.3} | {zx_cpu:.1} | {pg_tps:.0} | {pg_p50:.3} | {pg_p99:.3} | {pg_cpu:.1} | {:.2}× | {:.2}× |",
            i + 1,
            tps / pg_tps,
            if *zx_cpu > 0.0 { pg_cpu / zx_cpu } else { 0.0 }
        );
    }
    Ok(())
}
