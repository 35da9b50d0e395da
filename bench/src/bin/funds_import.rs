//! Bank-statement import: parse a CSV statement and book every line through zhixing's importer (match
//! on the case account number, double-entry posting, receipt row, audit record — one transaction), on
//! SQLite and PostgreSQL, beside the limit: PostgreSQL `COPY` of the same file into a table plus a
//! join on account number. Prints lines/s and the ratio.
//!
//!     cargo run --release -p zhixing-bench --bin funds_import -- --lines 100000 --cases 1000
#![allow(clippy::as_conversions)]

use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::Parser;
use sqlx::Connection;
use zhixing_app::funds::account_number_of;
use zhixing_app::statement::{ImportError, parse_csv};
use zhixing_app::{Actor, App, now_ms};
use zhixing_store::Db;
use zhixing_store::cases::CaseRow;

#[derive(Parser)]
struct Args {
    /// Statement lines.
    #[arg(long, default_value_t = 100_000)]
    lines: usize,
    /// Cases whose accounts the lines quote (one line in ten quotes no account: 不明款).
    #[arg(long, default_value_t = 1000)]
    cases: usize,
    /// PostgreSQL server (the peer always needs it; "" skips zhixing's PostgreSQL run only).
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/postgres")]
    pg: String,
    /// Skip zhixing on PostgreSQL.
    #[arg(long)]
    sqlite_only: bool,
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

async fn drop_pg(admin: &str, url: &str) {
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

/// Minimal case rows (the importer needs only court, number and status) and their account numbers.
fn case_rows(n: usize) -> Result<(Vec<CaseRow>, Vec<String>)> {
    let mut rows = Vec::with_capacity(n);
    let mut accounts = Vec::with_capacity(n);
    for i in 1..=n {
        let row = CaseRow {
            court_code: COURT.into(),
            id: uuid::Uuid::now_v7().to_string(),
            case_number: format!("（2024）{COURT}执{i}号"),
            year: 2024,
            specialty_code: String::new(),
            type_code: "执".into(),
            serial: i as i64,
            filed_on: "2024-01-02".into(),
            basis_court: COURT.into(),
            basis_document_number: format!("（2023）{COURT}民初{i}号"),
            basis_document_type: "民事判决书".into(),
            claim_fen: 10_000_000,
            track: "standard".into(),
            triage_reason: String::new(),
            team_id: None,
            handler_id: None,
            assignment_reason: String::new(),
            status: "in_progress".into(),
            created_at: 0,
            created_by: "bench".into(),
            updated_at: 0,
            team_name: None,
            handler_name: None,
            applicant_name: None,
            debtor_name: None,
        };
        accounts.push(
            account_number_of(&row)
                .map_err(|e| anyhow::anyhow!("{e}"))?
                .as_str()
                .to_owned(),
        );
        rows.push(row);
    }
    Ok((rows, accounts))
}

/// A statement of `n` lines; every tenth quotes no account.
fn statement(n: usize, accounts: &[String]) -> String {
    let mut s = String::with_capacity(n * 110);
    s.push_str("bank_reference,received_at,amount_fen,payer_name,payer_account,account_number\n");
    for i in 0..n {
        let account = if i % 10 == 9 {
            "0".to_owned()
        } else {
            accounts[i % accounts.len()].clone()
        };
        s.push_str(&format!(
            "BR{i:09},2024-09-27 10:{:02}:{:02},{},付款人{},62220200{i:011},{account}\n",
            (i / 60) % 60,
            i % 60,
            1 + (i * 7919) % 1_000_000,
            i % 5000
        ));
    }
    s
}

/// zhixing: parse + import (match, post, store, audit) in one transaction. Returns seconds.
async fn zhixing_run(kind: &str, pg: &str, cases: &[CaseRow], text: &str) -> Result<f64> {
    let (db, url) = fresh_db(kind, pg).await?;
    let mut conn = db.conn().await?;
    zhixing_store::cases::insert_cases(&mut conn, cases).await?;
    let row = zhixing_store::courts::find(&mut conn, COURT)
        .await?
        .context("court")?;
    drop(conn);
    let app = App::new(db);
    let mut actor = Actor::system(COURT, &row.path);
    actor.role = zhixing_domain::role::Role::Bank;
    let started = Instant::now();
    let lines = parse_csv(text).map_err(|e| anyhow::anyhow!("parse: {:?}", e.first()))?;
    let report = match app.import_statement(&actor, &lines, now_ms()).await {
        Ok(r) => r,
        Err(ImportError::Lines(e)) => bail!("refused: {:?}", e.first()),
        Err(ImportError::App(e)) => bail!("{e}"),
    };
    let secs = started.elapsed().as_secs_f64();
    if report.booked + report.unidentified != lines.len() {
        bail!("booked {report:?} of {}", lines.len());
    }
    let problems = app
        .verify_funds(COURT)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    if !problems.is_empty() {
        bail!("ledger inconsistent: {problems:?}");
    }
    app.db.close().await;
    if kind == "postgres" {
        drop_pg(pg, &url).await;
    } else if let Some(dir) = url
        .strip_prefix("sqlite://")
        .and_then(|f| std::path::Path::new(f).parent())
    {
        let _ = std::fs::remove_dir_all(dir);
    }
    Ok(secs)
}

/// The limit: COPY the same CSV into a table and join it to the accounts on account number.
async fn peer_run(pg: &str, accounts: &[String], text: &str) -> Result<(f64, i64)> {
    let (db, url) = fresh_db("postgres", pg).await?;
    db.close().await;
    let mut c = sqlx::postgres::PgConnection::connect(&url).await?;
    sqlx::query("CREATE TABLE accounts (account_number TEXT PRIMARY KEY, case_no BIGINT NOT NULL)")
        .execute(&mut c)
        .await?;
    let mut acc_csv = String::new();
    for (i, a) in accounts.iter().enumerate() {
        acc_csv.push_str(&format!("{a},{i}\n"));
    }
    let mut copy = c
        .copy_in_raw("COPY accounts FROM STDIN WITH (FORMAT csv)")
        .await?;
    copy.send(acc_csv.as_bytes()).await?;
    copy.finish().await?;
    sqlx::query(
        "CREATE TABLE stmt (bank_reference TEXT, received_at TEXT, amount_fen BIGINT, payer_name TEXT, \
         payer_account TEXT, account_number TEXT)",
    )
    .execute(&mut c)
    .await?;
    let started = Instant::now();
    let mut copy = c
        .copy_in_raw("COPY stmt FROM STDIN WITH (FORMAT csv, HEADER true)")
        .await?;
    copy.send(text.as_bytes()).await?;
    copy.finish().await?;
    let (matched,): (i64,) = sqlx::query_as(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM stmt s JOIN accounts a ON a.account_number = s.account_number",
    )
    .fetch_one(&mut c)
    .await?;
    let secs = started.elapsed().as_secs_f64();
    let _ = c.close().await;
    drop_pg(pg, &url).await;
    Ok((secs, matched))
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    if args.cases == 0 || args.lines == 0 {
        bail!("--cases and --lines must be positive");
    }
    let (cases, accounts) = case_rows(args.cases)?;
    let text = statement(args.lines, &accounts);
    println!(
        "statement: {} lines ({:.1} MB), {} case accounts",
        args.lines,
        text.len() as f64 / 1e6,
        args.cases
    );
    let (peer, matched) = peer_run(&args.pg, &accounts, &text).await?;
    let expected = args.lines - args.lines / 10;
    if usize::try_from(matched).unwrap_or(0) != expected {
        bail!("peer matched {matched}, expected {expected}");
    }
    println!(
        "peer  PostgreSQL COPY + join: {peer:.3} s ({:.0} lines/s), {matched} matched",
        args.lines as f64 / peer
    );
    let mut kinds = vec!["sqlite"];
    if !args.sqlite_only {
        kinds.push("postgres");
    }
    for kind in kinds {
        let secs = zhixing_run(kind, &args.pg, &cases, &text).await?;
        println!(
            "zhixing import on {kind:<8}: {secs:.3} s ({:.0} lines/s), ratio zhixing/peer time = {:.1}",
            args.lines as f64 / secs,
            secs / peer
        );
    }
    Ok(())
}
