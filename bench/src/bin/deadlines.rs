//! The 红黄蓝 board and the scheduler tick at scale (issue 3 §5): N open cases × 13 key-node
//! deadlines on SQLite and on PostgreSQL, beside the same work written as plain SQL on an indexed
//! PostgreSQL table (the peer). Runs alternate (ours, peer, ours, peer, …); medians and ratios are
//! printed.
//!
//!     cargo run --release -p zhixing-bench --bin deadlines -- --cases 1000000
//!
//! Measured:
//! - board, one court (the command center's view) and the whole province (a higher court's view);
//! - a tick that fires the warnings due now (every deadline whose level changes), with its
//!   notifications — the peer does one set-based UPDATE … RETURNING + INSERT;
//! - a tick with nothing due (the scheduler's idle cost).
//!
//! Data are generated inside each database by SQL (generate_series / a recursive CTE), the same
//! formula on both sides: 50 courts of 四川, 5 teams and 20 handlers per court, due dates spread
//! from 20 days ago to 180 days ahead, the level each date has today, and 0.5 % of the deadlines
//! due to fire now.
#![allow(clippy::as_conversions)]

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use clap::Parser;
use sqlx::{Connection, Row};
use zhixing_app::App;
use zhixing_domain::time::{china_date, china_midnight_ms};
use zhixing_store::{Backend, Db};

#[derive(Parser)]
struct Args {
    /// Open cases (each gets 13 key-node deadlines).
    #[arg(long, default_value_t = 1_000_000)]
    cases: i64,
    /// PostgreSQL server (the peer always runs there; "" skips the PostgreSQL engine run too).
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/postgres")]
    pg: String,
    /// Which engine backends to run: sqlite, pg or both.
    #[arg(long, default_value = "both")]
    backend: String,
    /// Alternating repetitions of each board query.
    #[arg(long, default_value_t = 31)]
    reps: usize,
    /// Alternating repetitions of the firing tick (each resets the due set first, untimed).
    #[arg(long, default_value_t = 3)]
    tick_reps: usize,
}

const COURTS: i64 = 50;
const TEAMS: i64 = 5;
const HANDLERS: i64 = 20;
/// One deadline in DUE_EVERY fires now.
const DUE_EVERY: i64 = 200;
const KEY_NODES: [&str; 13] = [
    "filing",
    "assignment",
    "enforcement_notice",
    "first_online_inquiry",
    "asset_investigation_complete",
    "seal_seize_freeze",
    "renew_seal",
    "reference_price_start",
    "disposal_start",
    "disbursement",
    "consumption_restriction",
    "terminate_current",
    "closing",
];

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v.get(v.len() / 2).copied().unwrap_or_default()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

async fn pg_database(admin: &str, name: &str) -> Result<String> {
    let mut c = sqlx::postgres::PgConnection::connect(admin)
        .await
        .context("PostgreSQL unreachable")?;
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
        .execute(&mut c)
        .await?;
    let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(admin);
    Ok(format!("{base}/{name}"))
}

async fn drop_pg(admin: &str, name: &str) {
    if let Ok(mut c) = sqlx::postgres::PgConnection::connect(admin).await {
        let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
        )))
        .execute(&mut c)
        .await;
    }
}

/// The generator's row source: (i, j) for i < cases, j < 13, as SQL for each backend.
fn series(backend: Backend, cases: i64) -> String {
    match backend {
        Backend::Postgres => format!(
            "(SELECT i, j FROM generate_series(0, {}) AS i, generate_series(0, 12) AS j) AS s",
            cases - 1
        ),
        Backend::Sqlite => format!(
            "(WITH RECURSIVE ii(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM ii WHERE i < {}), \
             jj(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM jj WHERE j < 12) SELECT i, j FROM ii, jj) AS s",
            cases - 1
        ),
    }
}

/// `today + n days` as YYYY-MM-DD text, for each backend.
fn date_plus(backend: Backend, today: &str, n: &str) -> String {
    match backend {
        Backend::Postgres => format!("to_char(DATE '{today}' + ({n})::int, 'YYYY-MM-DD')"),
        Backend::Sqlite => format!("date('{today}', ({n}) || ' days')"),
    }
}

/// Fill the engine's tables (or the peer's table) with the generated deadlines.
async fn generate_engine(db: &Db, cases: i64, now: i64) -> Result<Vec<String>> {
    let backend = db.backend();
    let today = china_date(now).format("%Y-%m-%d").to_string();
    let mut conn = db.conn().await?;
    let courts: Vec<String> = sqlx::query(
        "SELECT code FROM courts WHERE level = 'basic' AND path LIKE '最高法/川/%' ORDER BY code LIMIT 50",
    )
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| r.get::<String, _>("code"))
    .collect();
    anyhow::ensure!(courts.len() as i64 == COURTS, "need 50 basic courts of 川");
    for stmt in [
        "CREATE TABLE bench_courts (idx BIGINT PRIMARY KEY, code TEXT NOT NULL)",
        "CREATE TABLE bench_nodes (nj BIGINT PRIMARY KEY, node TEXT NOT NULL)",
        "CREATE TABLE bench_due (court_code TEXT NOT NULL, id TEXT NOT NULL, level TEXT, PRIMARY KEY (court_code, id))",
    ] {
        sqlx::query(stmt).execute(&mut *conn).await?;
    }
    for (i, c) in courts.iter().enumerate() {
        sqlx::query("INSERT INTO bench_courts (idx, code) VALUES ($1, $2)")
            .bind(i as i64)
            .bind(c.clone())
            .execute(&mut *conn)
            .await?;
    }
    for (j, n) in KEY_NODES.iter().enumerate() {
        sqlx::query("INSERT INTO bench_nodes (nj, node) VALUES ($1, $2)")
            .bind(j as i64)
            .bind((*n).to_owned())
            .execute(&mut *conn)
            .await?;
    }
    let t = Instant::now();
    // Cases (what the tick joins for case numbers).
    let case_series = match backend {
        Backend::Postgres => format!("generate_series(0, {}) AS i", cases - 1),
        Backend::Sqlite => format!(
            "(WITH RECURSIVE ii(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM ii WHERE i < {}) SELECT i FROM ii) AS s",
            cases - 1
        ),
    };
    let sql = format!(
        "INSERT INTO cases (court_code, id, case_number, year, specialty_code, type_code, serial, filed_on, basis_court, \
         basis_document_number, basis_document_type, claim_fen, track, triage_reason, team_id, handler_id, \
         assignment_reason, status, created_at, created_by, updated_at) \
         SELECT bc.code, 'c' || i, '（2026）' || bc.code || '执' || (i / {COURTS} + 1) || '号', 2026, '', '执', i / {COURTS} + 1, \
         '2026-06-01', bc.code, 'b' || i, '民事判决书', 100000, 'standard', '-', 't' || ((i / {COURTS}) % {TEAMS}), \
         bc.code || 'h' || ((i / {COURTS}) % {HANDLERS}), '-', 'in_progress', 0, 'bench', 0 \
         FROM {case_series} JOIN bench_courts bc ON bc.idx = i % {COURTS}"
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .execute(&mut *conn)
        .await?;
    // Deadlines: due = today + ((i * 7 + j * 13) % 200 - 20) days; level as of today; fire_at =
    // now for one in DUE_EVERY, else the next midnight on which the level changes (approximated
    // by the due date's midnight), NULL once red.
    let offset = "((i * 7 + j * 13) % 200 - 20)";
    let due = date_plus(backend, &today, offset);
    let midnight0 = china_midnight_ms(china_date(now));
    let sql = format!(
        "INSERT INTO deadlines (court_code, id, case_id, node, key_node, rule_id, rule_version, kind, start_event_id, \
         start_on, due_on, status, done_on, level, fire_at, team_id, handler_id, derivation, created_at, updated_at) \
         SELECT bc.code, 'd' || i || '_' || j, 'c' || i, bn.node, 1, 'bench_' || bn.node, 1, 'statutory', NULL, \
         '2026-06-01', {due}, 'pending', NULL, \
         CASE WHEN {offset} < 0 THEN 'red' WHEN {offset} = 0 THEN 'yellow' WHEN {offset} <= 4 THEN 'blue' ELSE NULL END, \
         CASE WHEN (i * 13 + j) % {DUE_EVERY} = 0 THEN {now} - 60000 \
              WHEN {offset} < 0 THEN NULL ELSE {midnight0} + CAST(({offset}) AS BIGINT) * 86400000 END, \
         't' || ((i / {COURTS}) % {TEAMS}), bc.code || 'h' || ((i / {COURTS}) % {HANDLERS}), '{{}}', 0, 0 \
         FROM {series} JOIN bench_courts bc ON bc.idx = i % {COURTS} JOIN bench_nodes bn ON bn.nj = s.j",
        series = series(backend, cases)
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .execute(&mut *conn)
        .await?;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO bench_due (court_code, id, level) SELECT court_code, id, level FROM deadlines WHERE fire_at <= {now}"
    )))
    .execute(&mut *conn)
    .await?;
    for c in &courts {
        zhixing_store::deadlines::recompute_board(&mut conn, c).await?;
    }
    sqlx::query("ANALYZE").execute(&mut *conn).await?;
    eprintln!(
        "  generated {} deadlines on {} in {:.1} s",
        cases * 13,
        backend.name(),
        t.elapsed().as_secs_f64()
    );
    Ok(courts)
}

/// Put the due set back (untimed): fire_at = now - 1 min, original level; no notifications; board
/// counters rebuilt.
async fn reset_engine(db: &Db, courts: &[String], now: i64) -> Result<()> {
    let mut conn = db.conn().await?;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE deadlines SET fire_at = {now} - 60000, \
         level = (SELECT b.level FROM bench_due b WHERE b.court_code = deadlines.court_code AND b.id = deadlines.id) \
         WHERE EXISTS (SELECT 1 FROM bench_due b WHERE b.court_code = deadlines.court_code AND b.id = deadlines.id)"
    )))
    .execute(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM notifications")
        .execute(&mut *conn)
        .await?;
    for c in courts {
        zhixing_store::deadlines::recompute_board(&mut conn, c).await?;
    }
    Ok(())
}

struct Peer {
    conn: sqlx::postgres::PgConnection,
}

impl Peer {
    async fn generate(url: &str, cases: i64, now: i64, courts: &[String]) -> Result<Peer> {
        let mut conn = sqlx::postgres::PgConnection::connect(url).await?;
        let today = china_date(now).format("%Y-%m-%d").to_string();
        for stmt in [
            "CREATE TABLE bench_courts (idx BIGINT PRIMARY KEY, code TEXT NOT NULL)",
            "CREATE TABLE peer_deadlines (court_code TEXT NOT NULL, id TEXT NOT NULL, case_id TEXT NOT NULL, node TEXT NOT NULL, \
             due_on DATE NOT NULL, status TEXT NOT NULL, level TEXT, fire_at BIGINT, team_id TEXT, handler_id TEXT, \
             PRIMARY KEY (court_code, id))",
            "CREATE TABLE peer_notifications (court_code TEXT NOT NULL, deadline_id TEXT NOT NULL, user_id TEXT, level TEXT)",
            "CREATE TABLE peer_due (court_code TEXT NOT NULL, id TEXT NOT NULL, level TEXT)",
        ] {
            sqlx::query(stmt).execute(&mut conn).await?;
        }
        for (i, c) in courts.iter().enumerate() {
            sqlx::query("INSERT INTO bench_courts (idx, code) VALUES ($1, $2)")
                .bind(i as i64)
                .bind(c.clone())
                .execute(&mut conn)
                .await?;
        }
        let t = Instant::now();
        let offset = "((i * 7 + j * 13) % 200 - 20)";
        let midnight0 = china_midnight_ms(china_date(now));
        let sql = format!(
            "INSERT INTO peer_deadlines SELECT bc.code, 'd' || i || '_' || j, 'c' || i, 'n' || j, DATE '{today}' + {offset}, 'pending', \
             CASE WHEN {offset} < 0 THEN 'red' WHEN {offset} = 0 THEN 'yellow' WHEN {offset} <= 4 THEN 'blue' ELSE NULL END, \
             CASE WHEN (i * 13 + j) % {DUE_EVERY} = 0 THEN {now} - 60000 WHEN {offset} < 0 THEN NULL \
                  ELSE {midnight0}::bigint + CAST(({offset}) AS BIGINT) * 86400000 END, \
             't' || ((i / {COURTS}) % {TEAMS}), bc.code || 'h' || ((i / {COURTS}) % {HANDLERS}) \
             FROM generate_series(0, {}) AS i, generate_series(0, 12) AS j, bench_courts bc WHERE bc.idx = i % {COURTS}",
            cases - 1
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&mut conn)
            .await?;
        for stmt in [
            // The indexes a DBA would give this workload.
            "CREATE INDEX peer_board ON peer_deadlines (court_code, team_id, handler_id, level) WHERE status = 'pending' AND level IS NOT NULL",
            "CREATE INDEX peer_fire ON peer_deadlines (fire_at)",
            "ANALYZE",
        ] {
            sqlx::query(stmt).execute(&mut conn).await?;
        }
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO peer_due SELECT court_code, id, level FROM peer_deadlines WHERE fire_at <= {now}"
        )))
        .execute(&mut conn)
        .await?;
        eprintln!(
            "  generated {} peer deadlines on PostgreSQL in {:.1} s",
            cases * 13,
            t.elapsed().as_secs_f64()
        );
        Ok(Peer { conn })
    }

    async fn board(&mut self, court: Option<&str>) -> Result<usize> {
        let rows = match court {
            Some(c) => sqlx::query(
                "SELECT court_code, team_id, handler_id, level, COUNT(*) AS n FROM peer_deadlines \
                 WHERE status = 'pending' AND level IS NOT NULL AND court_code = $1 GROUP BY 1, 2, 3, 4",
            )
            .bind(c.to_owned())
            .fetch_all(&mut self.conn)
            .await?,
            None => sqlx::query(
                "SELECT court_code, team_id, handler_id, level, COUNT(*) AS n FROM peer_deadlines \
                 WHERE status = 'pending' AND level IS NOT NULL GROUP BY 1, 2, 3, 4",
            )
            .fetch_all(&mut self.conn)
            .await?,
        };
        Ok(rows.len())
    }

    async fn tick(&mut self, now: i64) -> Result<u64> {
        let today = china_date(now).format("%Y-%m-%d").to_string();
        let mut tx = self.conn.begin().await?;
        let r = sqlx::query(sqlx::AssertSqlSafe(format!(
            "WITH due AS (UPDATE peer_deadlines SET level = CASE WHEN due_on < DATE '{today}' THEN 'red' \
               WHEN due_on = DATE '{today}' THEN 'yellow' WHEN due_on <= DATE '{today}' + 4 THEN 'blue' ELSE NULL END, \
               fire_at = NULL WHERE fire_at <= $1 RETURNING court_code, id, handler_id, level) \
             INSERT INTO peer_notifications SELECT court_code, id, handler_id, level FROM due"
        )))
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(r.rows_affected())
    }

    async fn idle_probe(&mut self, now: i64) -> Result<bool> {
        Ok(
            // ORDER BY keeps the plan on the fire_at index even when PostgreSQL switches the
            // prepared statement to a generic plan (without it: a full scan, ~100 ms at 1.3 M rows).
            sqlx::query(
                "SELECT 1 AS one FROM peer_deadlines WHERE fire_at <= $1 ORDER BY fire_at LIMIT 1",
            )
            .bind(now)
            .fetch_optional(&mut self.conn)
            .await?
            .is_some(),
        )
    }

    async fn reset(&mut self, now: i64) -> Result<()> {
        sqlx::query(
            "UPDATE peer_deadlines p SET fire_at = $1 - 60000, level = d.level FROM peer_due d \
             WHERE p.court_code = d.court_code AND p.id = d.id",
        )
        .bind(now)
        .execute(&mut self.conn)
        .await?;
        sqlx::query("TRUNCATE peer_notifications")
            .execute(&mut self.conn)
            .await?;
        Ok(())
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<()> {
    let args = Args::parse();
    let now = zhixing_app::now_ms();
    let tag = uuid::Uuid::now_v7().simple().to_string();
    let peer_db = format!("zx_bench_peer_{tag}");
    let peer_url = pg_database(&args.pg, &peer_db).await?;
    let mut backends = Vec::new();
    if matches!(args.backend.as_str(), "sqlite" | "both") {
        backends.push("sqlite");
    }
    if matches!(args.backend.as_str(), "pg" | "both") {
        backends.push("pg");
    }
    eprintln!(
        "deadline benchmark: {} cases × 13 = {} deadlines, {} courts",
        args.cases,
        args.cases * 13,
        COURTS
    );
    let mut peer: Option<Peer> = None;
    let mut cleanup_pg = vec![peer_db.clone()];
    for kind in backends {
        let (url, dir) = if kind == "sqlite" {
            let dir = std::env::temp_dir().join(format!("zx-bench-dl-{tag}"));
            std::fs::create_dir_all(&dir)?;
            (
                format!("sqlite://{}", dir.join("b.db").display()),
                Some(dir),
            )
        } else {
            let name = format!("zx_bench_dl_{tag}");
            cleanup_pg.push(name.clone());
            (pg_database(&args.pg, &name).await?, None)
        };
        let db = Db::connect(&url).await?;
        db.migrate().await?;
        let courts = generate_engine(&db, args.cases, now).await?;
        if peer.is_none() {
            peer = Some(Peer::generate(&peer_url, args.cases, now, &courts).await?);
        }
        let Some(p) = peer.as_mut() else { continue };
        let app = App::new(db.clone());
        let court = courts.first().cloned().unwrap_or_default();
        let province_path = {
            let mut c = db.conn().await?;
            zhixing_store::courts::find(&mut c, "川")
                .await?
                .map(|r| r.path)
                .unwrap_or_default()
        };

        // Board: one court, then the province; alternating.
        for (label, scope) in [
            ("board, one court", Some(court.as_str())),
            ("board, province (50 courts)", None),
        ] {
            let (mut ours, mut theirs) = (Vec::new(), Vec::new());
            let (mut n_ours, mut n_peer) = (0, 0);
            for _ in 0..args.reps {
                let t = Instant::now();
                let mut c = db.conn().await?;
                let rows = match scope {
                    Some(c1) => zhixing_store::deadlines::board(&mut c, c1, None).await?,
                    None => {
                        zhixing_store::deadlines::board(&mut c, "川", Some(&province_path)).await?
                    }
                };
                drop(c);
                ours.push(t.elapsed());
                n_ours = rows.len();
                let t = Instant::now();
                n_peer = p.board(scope).await?;
                theirs.push(t.elapsed());
            }
            let (a, b) = (median(ours), median(theirs));
            println!(
                "{kind:6} {label:28} zhixing {:9.3} ms ({n_ours} rows) | peer PG SQL {:9.3} ms ({n_peer} rows) | peer/zhixing {:8.1}×",
                ms(a),
                ms(b),
                b.as_secs_f64() / a.as_secs_f64().max(1e-9)
            );
        }

        // Firing tick: every warning due now, with notifications. Reset before each run.
        let (mut ours, mut theirs) = (Vec::new(), Vec::new());
        let (mut fired, mut peer_fired) = (0, 0);
        for _ in 0..args.tick_reps {
            reset_engine(&db, &courts, now).await?;
            p.reset(now).await?;
            let t = Instant::now();
            let tick = app.run_due(now, 100_000).await?;
            ours.push(t.elapsed());
            fired = tick.examined;
            let t = Instant::now();
            peer_fired = p.tick(now).await?;
            theirs.push(t.elapsed());
        }
        let (a, b) = (median(ours), median(theirs));
        println!(
            "{kind:6} {:28} zhixing {:9.1} ms ({fired} timers) | peer PG SQL {:9.1} ms ({peer_fired} rows) | peer/zhixing {:8.2}×",
            "tick, warnings due now",
            ms(a),
            ms(b),
            b.as_secs_f64() / a.as_secs_f64().max(1e-9)
        );
        let mismatches = app.board_mismatches().await?;
        anyhow::ensure!(
            mismatches.is_empty(),
            "board counters drifted: {mismatches:?}"
        );

        // Idle tick: nothing due.
        let (mut ours, mut theirs) = (Vec::new(), Vec::new());
        for _ in 0..1000 {
            let t = Instant::now();
            let tick = app.run_once(now).await?;
            ours.push(t.elapsed());
            anyhow::ensure!(tick.examined == 0, "idle tick found work");
            let t = Instant::now();
            let any = p.idle_probe(now).await?;
            theirs.push(t.elapsed());
            anyhow::ensure!(!any, "peer idle probe found work");
        }
        let (a, b) = (median(ours), median(theirs));
        println!(
            "{kind:6} {:28} zhixing {:9.3} ms | peer PG SQL probe {:9.3} ms | in-memory timer state: 0 bytes (timers are indexed rows)",
            "tick, nothing due (idle)",
            ms(a),
            ms(b)
        );
        db.close().await;
        if let Some(d) = dir {
            let _ = std::fs::remove_dir_all(d);
        }
    }
    drop(peer);
    for name in cleanup_pg {
        drop_pg(&args.pg, &name).await;
    }
    Ok(())
}
