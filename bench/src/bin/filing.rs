//! Filing throughput: POST /api/v1/cases over loopback HTTP, on SQLite and on PostgreSQL, beside a
//! bare-SQL peer that runs the same writes one filing per transaction with no HTTP, validation,
//! triage or assignment. Prints cases/s and the ratios.
//!
//!     cargo run --release -p zhixing-bench --bin filing -- --cases 5000 --clients 8
#![allow(clippy::as_conversions)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use bytes::Bytes;
use clap::Parser;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use sqlx::Connection;
use zhixing_app::admin::NewUser;
use zhixing_app::{Actor, App, now_ms};
use zhixing_domain::credit_code::CreditCode;
use zhixing_domain::id_number::IdNumber;
use zhixing_store::Db;

#[derive(Parser)]
struct Args {
    /// Filings per run.
    #[arg(long, default_value_t = 5000)]
    cases: usize,
    /// Concurrent HTTP clients.
    #[arg(long, default_value_t = 8)]
    clients: usize,
    /// PostgreSQL server for the PostgreSQL run ("" to skip).
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/postgres")]
    pg: String,
    /// Upper bound on one run's wall time.
    #[arg(long, default_value_t = 300)]
    max_seconds: u64,
}

const COURT: &str = "川1123";

async fn fresh_db(kind: &str, pg: &str) -> Result<(Db, String)> {
    let tag = uuid::Uuid::now_v7().simple().to_string();
    let url = if kind == "sqlite" {
        let dir = std::env::temp_dir().join(format!("zx-bench-{tag}"));
        std::fs::create_dir_all(&dir)?;
        format!("sqlite://{}", dir.join("b.db").display())
    } else {
        let mut c = sqlx::postgres::PgConnection::connect(pg)
            .await
            .context("PostgreSQL unreachable")?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "CREATE DATABASE zx_bench_{tag}"
        )))
        .execute(&mut c)
        .await?;
        let base = pg.rsplit_once('/').map(|(b, _)| b).unwrap_or(pg);
        format!("{base}/zx_bench_{tag}")
    };
    let db = Db::connect(&url).await?;
    db.migrate().await?;
    Ok((db, url))
}

async fn seed(app: &App) -> Result<String> {
    let mut conn = app.db.conn().await?;
    let row = zhixing_store::courts::find(&mut conn, COURT)
        .await?
        .context("court")?;
    drop(conn);
    let sys = Actor::system(COURT, &row.path);
    let t = now_ms();
    app.add_team(&sys, COURT, "指挥中心", "command", t).await?;
    for (name, track) in [
        ("速执一组", "fast"),
        ("速执二组", "fast"),
        ("精执一组", "standard"),
        ("精执二组", "standard"),
    ] {
        app.add_team(&sys, COURT, name, track, t).await?;
        for j in 1..=3 {
            let team_letter = if name.contains('一') { "a" } else { "b" };
            let u = format!(
                "{}{j}{team_letter}",
                if track == "fast" { "f" } else { "s" }
            );
            app.add_user(
                &sys,
                NewUser {
                    court: COURT.into(),
                    role: "judge".into(),
                    username: u.clone(),
                    name: u,
                    team: Some(name.into()),
                    password: "bench2024x".into(),
                },
                t,
            )
            .await?;
        }
    }
    app.add_user(
        &sys,
        NewUser {
            court: COURT.into(),
            role: "command".into(),
            username: "bench_cmd".into(),
            name: "指挥".into(),
            team: None,
            password: "bench2024x".into(),
        },
        t,
    )
    .await?;
    Ok(app.issue_token("bench_cmd", "bench", t).await?)
}

fn bodies(n: usize) -> Result<Vec<String>> {
    let applicant = IdNumber::from_parts(
        "511123",
        chrono::NaiveDate::from_ymd_opt(1980, 5, 5).context("date")?,
        11,
    )?;
    (0..n)
        .map(|i| {
            let debtor = if i % 3 == 0 {
                serde_json::json!({"kind": "entity", "name": format!("犍为县第{i}号建材有限公司"),
                    "credit_code": CreditCode::from_parts('9', '1', "511123", &format!("{:08}", 10_000_000 + i))?.as_str(),
                    "legal_representative": "王五"})
            } else {
                let birth = chrono::NaiveDate::from_ymd_opt(1960 + (i % 40) as i32, 1 + (i % 12) as u32, 1 + (i % 28) as u32).context("date")?;
                serde_json::json!({"kind": "person", "name": "李四", "id_number": IdNumber::from_parts("511123", birth, (i % 1000) as u16)?.as_str()})
            };
            Ok(serde_json::json!({
                "court": COURT, "type_code": "执", "filed_on": "2024-09-27",
                "basis": {"court": COURT, "document_number": format!("（2024）川1123民初{}号", i + 1), "document_type": "民事判决书"},
                "applicants": [{"kind": "person", "name": "张三", "id_number": applicant.as_str()}],
                "debtors": [debtor], "claim_fen": 100_000 + (i as i64 * 7919) % 5_000_000
            })
            .to_string())
        })
        .collect()
}

/// Remove a PostgreSQL benchmark database (SQLite files live in the temp dir).
async fn drop_pg(kind: &str, admin: &str, url: &str) {
    if kind != "postgres" {
        return;
    }
    if let (Some((_, name)), Ok(mut c)) = (
        url.rsplit_once('/'),
        sqlx::postgres::PgConnection::connect(admin).await,
    ) {
        let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
        )))
        .execute(&mut c)
        .await;
    }
}

/// zhixing: the real router over TCP on 127.0.0.1.
async fn run_api(kind: &str, args: &Args) -> Result<f64> {
    let (db, url) = fresh_db(kind, &args.pg).await?;
    let app = App::new(db);
    let token = seed(&app).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let router = zhixing_web::router(app.clone(), zhixing_web::WebConfig::default());
    let server =
        tokio::spawn(
            async move { zhixing_web::serve(listener, router, std::future::pending()).await },
        );
    let bodies = Arc::new(bodies(args.cases)?);
    let next = Arc::new(AtomicUsize::new(0));
    let deadline = Instant::now() + Duration::from_secs(args.max_seconds);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..args.clients {
        let (bodies, next, token) = (bodies.clone(), next.clone(), token.clone());
        tasks.push(tokio::spawn(async move {
            let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
            let mut done = 0usize;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= bodies.len() || Instant::now() > deadline {
                    break;
                }
                let req = hyper::Request::post(format!("http://{addr}/api/v1/cases"))
                    .header("authorization", format!("Bearer {token}"))
                    .header("content-type", "application/json")
                    .body(Full::new(Bytes::from(bodies[i].clone())))?;
                let resp = client.request(req).await?;
                let status = resp.status();
                let body = resp.into_body().collect().await?.to_bytes();
                if status.as_u16() != 201 {
                    bail!(
                        "filing {i} answered {status}: {}",
                        String::from_utf8_lossy(&body)
                    );
                }
                done += 1;
            }
            Ok::<usize, anyhow::Error>(done)
        }));
    }
    let mut done = 0;
    for t in tasks {
        done += t.await??;
    }
    let secs = start.elapsed().as_secs_f64();
    server.abort();
    app.db.close().await;
    drop_pg(kind, &args.pg, &url).await;
    Ok(done as f64 / secs)
}

/// Peer: the same rows written with bare SQL, one filing per transaction, same concurrency.
async fn run_bare_sql(args: &Args) -> Result<f64> {
    let (db, _) = fresh_db("sqlite", &args.pg).await?;
    let db = Arc::new(db);
    let next = Arc::new(AtomicUsize::new(0));
    let n = args.cases;
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..args.clients {
        let (db, next) = (db.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut done = 0usize;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    break;
                }
                let id = uuid::Uuid::now_v7().to_string();
                let mut tx = db.begin().await?;
                let serial = zhixing_store::cases::next_serial(&mut tx, COURT, 2024, "", "执").await?;
                sqlx::query("INSERT INTO cases (court_code, id, case_number, year, specialty_code, type_code, serial, filed_on, basis_court, basis_document_number, basis_document_type, claim_fen, track, triage_reason, team_id, handler_id, assignment_reason, status, created_at, created_by, updated_at) VALUES ($1,$2,$3,2024,'','执',$4,'2024-09-27',$1,$5,'民事判决书',100000,'fast','',NULL,NULL,'','in_progress',0,'b',0)")
                    .bind(COURT).bind(id.clone()).bind(format!("（2024）川1123执{serial}号")).bind(serial).bind(format!("（2024）川1123民初{i}号"))
                    .execute(&mut *tx).await?;
                for (role, key) in [("applicant", "A".to_owned()), ("debtor", format!("D{i}"))] {
                    sqlx::query("INSERT INTO parties (court_code, id, case_id, role, position, kind, name, id_number) VALUES ($1,$2,$3,$4,0,'person','x',$5)")
                        .bind(COURT).bind(uuid::Uuid::now_v7().to_string()).bind(id.clone()).bind(role).bind(key).execute(&mut *tx).await?;
                }
                sqlx::query("INSERT INTO case_filing_keys (court_code, type_code, basis_document_number, debtor_key, case_id) VALUES ($1,'执',$2,$3,$4)")
                    .bind(COURT).bind(format!("（2024）川1123民初{i}号")).bind(format!("D{i}")).bind(id.clone()).execute(&mut *tx).await?;
                sqlx::query("INSERT INTO case_assignments (court_code, id, case_id, at, actor_id, reason) VALUES ($1,$2,$3,0,'b','')")
                    .bind(COURT).bind(uuid::Uuid::now_v7().to_string()).bind(id.clone()).execute(&mut *tx).await?;
                zhixing_store::audit::append(&mut tx, db.backend(), zhixing_store::audit::AuditEntry {
                    court_code: COURT.into(), actor_id: "b".into(), actor_name: "b".into(), action: "case.file".into(),
                    target_kind: "case".into(), target_id: id.clone(), case_id: Some(id), before: None, after: None,
                }, 0).await?;
                tx.commit().await?;
                done += 1;
            }
            Ok::<usize, anyhow::Error>(done)
        }));
    }
    let mut done = 0;
    for t in tasks {
        done += t.await??;
    }
    Ok(done as f64 / start.elapsed().as_secs_f64())
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    println!(
        "filing benchmark: {} filings, {} concurrent clients, loopback HTTP",
        args.cases, args.clients
    );
    let sqlite = run_api("sqlite", &args).await?;
    println!("zhixing API on SQLite      : {sqlite:>8.0} cases/s");
    let peer = run_bare_sql(&args).await?;
    println!(
        "peer: bare SQL on SQLite   : {peer:>8.0} cases/s (same rows, no HTTP/validation/assignment)"
    );
    println!("ratio zhixing/bare-SQL     : {:.2}", sqlite / peer);
    if !args.pg.is_empty() {
        match run_api("postgres", &args).await {
            Ok(pg) => {
                println!("zhixing API on PostgreSQL  : {pg:>8.0} cases/s");
                println!("ratio SQLite/PostgreSQL    : {:.2}", sqlite / pg);
            }
            Err(e) => println!("PostgreSQL run skipped: {e:#}"),
        }
    }
    Ok(())
}
