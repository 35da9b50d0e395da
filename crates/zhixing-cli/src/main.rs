//! `zhixing`: the one binary. Serves the web app, migrates, seeds demo data, sets up courts, and
//! checks identifiers. `anyhow` lives only here.

use std::io::{IsTerminal, Read};
use std::net::SocketAddr;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::json;
use zhixing_app::admin::NewUser;
use zhixing_app::{Actor, App, AppError, now_ms};
use zhixing_domain::case_number::CaseNumber;
use zhixing_domain::credit_code::CreditCode;
use zhixing_domain::id_number::IdNumber;
use zhixing_domain::time::china_date;
use zhixing_store::{DEFAULT_DB_URL, Db};

#[derive(Parser)]
#[command(
    name = "zhixing",
    version,
    about = "zhixing 执行 — enforcement case management for Chinese courts"
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(clap::Args, Clone)]
struct DbArg {
    /// Database URL: sqlite://FILE (created when missing) or postgres://…
    #[arg(long, env = "ZHIXING_DB", default_value = DEFAULT_DB_URL)]
    db: String,
}

#[derive(Subcommand)]
enum Cmd {
    /// Run the web server (staff UI and /api/v1).
    Serve {
        #[command(flatten)]
        db: DbArg,
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// Seed the demo data first (if the database has no demo courts yet) and print logins.
        #[arg(long)]
        demo: bool,
        /// Demo cases to generate with --demo.
        #[arg(long, default_value_t = 3000)]
        cases: u64,
        /// Mark cookies Secure (when behind HTTPS).
        #[arg(long)]
        secure_cookies: bool,
        /// Seconds between scheduler ticks (deadline warnings, 督办 escalation, SMS delivery).
        #[arg(long, default_value_t = 60)]
        tick_secs: u64,
        #[command(flatten)]
        sms: SmsArg,
        /// Public-portal ID masking pattern: 18 characters, `#` keeps, `*` masks (default hides the
        /// birth month and day, as the national portal does).
        #[arg(long, env = "ZHIXING_ID_MASK", default_value = zhixing_domain::measure::DEFAULT_ID_MASK)]
        id_mask: String,
        /// Anonymous public-portal lookups allowed per client address per minute.
        #[arg(long, default_value_t = 30)]
        public_per_minute: u32,
    },
    /// Apply database migrations (creates a missing SQLite file).
    Migrate {
        #[command(flatten)]
        db: DbArg,
    },
    /// Seed realistic demo data: real courts, teams, staff and N cases; prints logins.
    Demo {
        #[command(flatten)]
        db: DbArg,
        #[arg(long, default_value_t = 3000)]
        cases: u64,
        #[arg(long, default_value_t = 2024)]
        seed: u64,
    },
    /// Teams of a court.
    Team {
        #[command(subcommand)]
        cmd: TeamCmd,
    },
    /// Staff accounts.
    User {
        #[command(subcommand)]
        cmd: UserCmd,
    },
    /// API bearer tokens.
    Token {
        #[command(subcommand)]
        cmd: TokenCmd,
    },
    /// Courts (special courts by configuration).
    Court {
        #[command(subcommand)]
        cmd: CourtCmd,
    },
    /// Validate an identifier: prints one JSON object; exit 0 when valid, 1 when not.
    Check {
        #[command(subcommand)]
        cmd: CheckCmd,
    },
    /// The audit trail.
    Audit {
        #[command(subcommand)]
        cmd: AuditCmd,
    },
    /// Deadline engine: scheduler tick, recomputation, local rules, board check.
    Deadlines {
        #[command(subcommand)]
        cmd: DeadlinesCmd,
    },
    /// 申请执行费 (诉讼费用交纳办法 art 14(1)) for a claim: prints {"claim_fen":N,"fee_fen":F}.
    Fee {
        /// 执行金额, integer 分 (0 = no amount: the 50 元 minimum).
        #[arg(long, allow_hyphen_values = true)]
        claim_fen: i64,
    },
    /// 执行款: bank statements, reconciliation, reports, ledger check.
    Funds {
        #[command(subcommand)]
        cmd: FundsCmd,
    },
}

#[derive(clap::Args, Clone)]
struct SmsArg {
    /// SMS sink: a file that receives one JSON line per message (the default gateway).
    #[arg(
        long,
        env = "ZHIXING_SMS_FILE",
        default_value = "zhixing-data/sms-outbox.jsonl"
    )]
    sms_file: std::path::PathBuf,
    /// SMS gateway URL (http://…): each message is POSTed as {"phone","body"}; replaces the file.
    #[arg(long, env = "ZHIXING_SMS_URL")]
    sms_url: Option<String>,
}

#[derive(Subcommand)]
enum DeadlinesCmd {
    /// Run the scheduler once: fire due warnings and escalations, deliver SMS; prints what it did.
    Tick {
        #[command(flatten)]
        db: DbArg,
        /// The instant to tick at, RFC 3339 (default: now). For drills and tests.
        #[arg(long)]
        at: Option<String>,
        #[command(flatten)]
        sms: SmsArg,
    },
    /// Recompute a court's open deadlines against the current rules and holiday calendar and list
    /// every deadline whose date moved (each handler is notified).
    Recompute {
        #[command(flatten)]
        db: DbArg,
        #[arg(long)]
        court: String,
    },
    /// Add or replace a local deadline rule of a court from a TSV file (data/deadline_rules.tsv
    /// format, kind `local`), then recompute.
    AddRule {
        #[command(flatten)]
        db: DbArg,
        #[arg(long)]
        court: String,
        #[arg(long)]
        file: std::path::PathBuf,
    },
    /// Check the 红黄蓝 board counters against the deadlines (exit 2 on a mismatch).
    Check {
        #[command(flatten)]
        db: DbArg,
    },
}

#[derive(Subcommand)]
enum FundsCmd {
    /// Import a bank statement (.csv or .xlsx) into a court's ledger: every line or none.
    Import {
        #[command(flatten)]
        db: DbArg,
        #[arg(long)]
        court: String,
        #[arg(long)]
        file: std::path::PathBuf,
    },
    /// Compare a bank statement with the ledger; prints the differences as JSON lines.
    Reconcile {
        #[command(flatten)]
        db: DbArg,
        #[arg(long)]
        court: String,
        #[arg(long)]
        file: std::path::PathBuf,
        /// Also write the differences and the reports to this XLSX file.
        #[arg(long)]
        xlsx: Option<std::path::PathBuf>,
    },
    /// Ageing (0–30, 31–60, >60 days) and overdue disbursement rate per court, as JSON; optional XLSX.
    Report {
        #[command(flatten)]
        db: DbArg,
        /// YYYY-MM-DD (default: today, China time)
        #[arg(long)]
        today: Option<String>,
        #[arg(long)]
        xlsx: Option<std::path::PathBuf>,
    },
    /// A court's funds settings: the claim period of unidentified funds (default 3 days).
    Settings {
        #[command(flatten)]
        db: DbArg,
        #[arg(long)]
        court: String,
        /// Days (1–30) to claim unidentified funds (不明款) before the claim deadline.
        #[arg(long)]
        claim_days: i64,
    },
    /// Check every court's stored balances against the journal; exit 1 on any difference.
    Verify {
        #[command(flatten)]
        db: DbArg,
    },
}

#[derive(Subcommand)]
enum TeamCmd {
    Add {
        #[command(flatten)]
        db: DbArg,
        #[arg(long)]
        court: String,
        #[arg(long)]
        name: String,
        /// fast | standard | command
        #[arg(long)]
        track: String,
    },
}

#[derive(Subcommand)]
enum UserCmd {
    Add {
        #[command(flatten)]
        db: DbArg,
        #[arg(long)]
        court: String,
        /// judge, assistant, clerk, police, command, director, president, supervisor, admin, bank
        #[arg(long)]
        role: String,
        #[arg(long)]
        username: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        team: Option<String>,
        /// Read the password from standard input (first line).
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Subcommand)]
enum TokenCmd {
    /// Print a new bearer token for a user (only the token, on one line).
    Issue {
        #[command(flatten)]
        db: DbArg,
        #[arg(long)]
        username: String,
        #[arg(long, default_value = "cli")]
        label: String,
    },
    /// Revoke every token of a user.
    Revoke {
        #[command(flatten)]
        db: DbArg,
        #[arg(long)]
        username: String,
    },
}

#[derive(Subcommand)]
enum CourtCmd {
    /// Add special courts from a TSV file: code<TAB>name<TAB>level<TAB>parent per line.
    AddSpecial {
        #[command(flatten)]
        db: DbArg,
        #[arg(long)]
        file: std::path::PathBuf,
    },
    /// Show a court from the table.
    Show {
        #[command(flatten)]
        db: DbArg,
        code: String,
    },
}

#[derive(Subcommand)]
enum CheckCmd {
    /// 居民身份证号 (GB 11643-1999)
    Id { value: String },
    /// 统一社会信用代码 (GB 32100-2015)
    Uscc { value: String },
    /// 案号 (法〔2015〕137号, 法〔2018〕335号)
    CaseNumber { value: String },
}

#[derive(Subcommand)]
enum AuditCmd {
    /// Recompute every court's SM3 chain; exit non-zero naming the first broken record.
    Verify {
        #[command(flatten)]
        db: DbArg,
    },
    /// Export a court's chain segment (records dated FROM..=TO) as JSON lines with its head hash,
    /// for an inspector to verify offline with `zhixing audit verify-export`.
    Export {
        #[command(flatten)]
        db: DbArg,
        #[arg(long)]
        court: String,
        /// YYYY-MM-DD (China date)
        #[arg(long)]
        from: String,
        /// YYYY-MM-DD (China date), inclusive
        #[arg(long)]
        to: String,
        /// Output file (default: standard output).
        #[arg(long)]
        out: Option<std::path::PathBuf>,
    },
    /// Verify an exported segment offline (no database): exit 2 naming the first broken record.
    VerifyExport {
        file: std::path::PathBuf,
        /// The head hash published separately by the court (default: the one in the file header).
        #[arg(long)]
        head: Option<String>,
    },
}

async fn open(db: &DbArg) -> Result<App> {
    let d = Db::connect(&db.db)
        .await
        .with_context(|| format!("cannot open database {}", db.db))?;
    d.migrate().await.context("migration failed")?;
    if let Ok(mut v) = OPENED.lock() {
        v.push(d.clone());
    }
    // Evidence files live beside the database by default; ZHIXING_EVIDENCE_DIR moves them (a
    // province's PostgreSQL deployment points it at shared storage).
    let evidence = std::env::var("ZHIXING_EVIDENCE_DIR")
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| zhixing_app::DEFAULT_EVIDENCE_DIR.to_owned());
    let mut app = App::new(d).with_evidence_dir(evidence);
    // A court's edited legal-document templates (<dir>/<kind>.txt); checked now so a broken edit
    // shows at start, not at the first document.
    if let Some(dir) = std::env::var("ZHIXING_DOC_TEMPLATES")
        .ok()
        .filter(|s| !s.is_empty())
    {
        app = app.with_doc_templates(&dir);
        app.doc_templates
            .check()
            .map_err(|e| anyhow::anyhow!("ZHIXING_DOC_TEMPLATES={dir}: {e}"))?;
    }
    Ok(app)
}

/// Print an application error the way API clients see it, and fail.
fn app_err(e: AppError) -> anyhow::Error {
    let (code, field, message) = match &e {
        AppError::Invalid(f) => (f.code.to_owned(), Some(f.field.clone()), f.message.clone()),
        AppError::Conflict {
            code,
            field,
            message,
        }
        | AppError::Forbidden {
            code,
            field,
            message,
        } => ((*code).to_owned(), field.clone(), message.clone()),
        other => ("error".to_owned(), None, other.to_string()),
    };
    anyhow::anyhow!(
        "{}",
        json!({"error": {"code": code, "field": field, "message": message}})
    )
}

async fn system_actor(app: &App, court: &str) -> Result<Actor> {
    let mut conn = app.db.conn().await?;
    let row = zhixing_store::courts::find(&mut conn, court.trim())
        .await?
        .with_context(|| {
            format!("法院代字「{court}」不存在（court code not in the court table）")
        })?;
    Ok(Actor::system(&row.code, &row.path))
}

fn progress_bar(total: u64) -> ProgressBar {
    let pb = ProgressBar::new(total);
    if std::env::var_os("CI").is_some() || !std::io::stderr().is_terminal() {
        pb.set_draw_target(ProgressDrawTarget::hidden());
    }
    if let Ok(style) = ProgressStyle::with_template(
        "{spinner} 生成演示案件 {bar:40.red/white} {pos}/{len} ({per_sec}, 剩余 {eta})",
    ) {
        pb.set_style(style);
    }
    pb
}

async fn run_demo(app: &App, cases: u64, seed: u64) -> Result<()> {
    let pb = progress_bar(cases);
    let started = Instant::now();
    let pbc = pb.clone();
    let accounts = app
        .demo(cases, seed, now_ms(), &move |n| pbc.set_position(n))
        .await
        .map_err(app_err)?;
    pb.finish_and_clear();
    eprintln!(
        "演示数据已生成：{cases} 件案件，用时 {:.1} 秒 / demo data: {cases} cases in {:.1} s",
        started.elapsed().as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    println!(
        "登录账号 / logins (password: {}):",
        zhixing_app::demo::DEMO_PASSWORD
    );
    let mut last_court = String::new();
    for a in accounts.iter().filter(|a| {
        matches!(
            a.role.as_str(),
            "command" | "director" | "judge" | "admin" | "supervisor"
        )
    }) {
        if a.court != last_court {
            println!("  {}", a.court);
            last_court = a.court.clone();
        }
        println!("    {:<18} {}", a.username, a.role);
    }
    Ok(())
}

fn print_check(v: serde_json::Value) -> Result<()> {
    println!("{v}");
    if v.get("valid").and_then(serde_json::Value::as_bool) == Some(true) {
        Ok(())
    } else {
        std::process::exit(1)
    }
}

fn invalid(code: &str, message: &str) -> serde_json::Value {
    json!({"valid": false, "error": {"code": code, "message": message}})
}

/// The SMS gateway chosen on the command line.
enum Sms {
    File(zhixing_app::jobs::FileSms),
    Http(HttpSms),
}

impl zhixing_app::jobs::SmsGateway for Sms {
    async fn send(&self, phone: &str, body: &str) -> Result<(), String> {
        match self {
            Sms::File(f) => f.send(phone, body).await,
            Sms::Http(h) => h.send(phone, body).await,
        }
    }
}

/// An HTTP SMS gateway: POST {"phone","body"} as JSON; any 2xx is delivered.
struct HttpSms {
    url: hyper::Uri,
    client: hyper_util::client::legacy::Client<
        hyper_util::client::legacy::connect::HttpConnector,
        http_body_util::Full<bytes::Bytes>,
    >,
}

impl HttpSms {
    async fn send(&self, phone: &str, body: &str) -> Result<(), String> {
        let payload = json!({"phone": phone, "body": body}).to_string();
        let req = hyper::Request::post(self.url.clone())
            .header(hyper::header::CONTENT_TYPE, "application/json")
            .body(http_body_util::Full::new(bytes::Bytes::from(payload)))
            .map_err(|e| e.to_string())?;
        let resp =
            tokio::time::timeout(std::time::Duration::from_secs(10), self.client.request(req))
                .await
                .map_err(|_| "SMS gateway timed out after 10 s".to_owned())?
                .map_err(|e| e.to_string())?;
        if resp.status().is_success() {
            Ok(())
        } else {
            Err(format!("SMS gateway answered {}", resp.status()))
        }
    }
}

fn sms_gateway(arg: &SmsArg) -> Result<Sms> {
    match &arg.sms_url {
        Some(u) => {
            let url: hyper::Uri = u.parse().with_context(|| format!("bad --sms-url {u}"))?;
            if url.scheme_str() != Some("http") {
                bail!("--sms-url must be http:// (court intranet gateway); got {u}");
            }
            Ok(Sms::Http(HttpSms {
                url,
                client: hyper_util::client::legacy::Client::builder(
                    hyper_util::rt::TokioExecutor::new(),
                )
                .build_http(),
            }))
        }
        None => {
            if let Some(dir) = arg.sms_file.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("cannot create {}", dir.display()))?;
            }
            Ok(Sms::File(zhixing_app::jobs::FileSms {
                path: arg.sms_file.clone(),
            }))
        }
    }
}

/// The server's scheduler: every `every`, fire what is due (bounded per tick) and deliver SMS.
async fn scheduler_loop(app: App, every: std::time::Duration, sms: SmsArg) {
    let gateway = match sms_gateway(&sms) {
        Ok(g) => g,
        Err(e) => {
            tracing::error!("scheduler not started: {e:#}");
            return;
        }
    };
    let mut interval = tokio::time::interval(every);
    loop {
        interval.tick().await;
        let now = now_ms();
        match app.run_due(now, 20).await {
            Ok(t) if t.examined > 0 => tracing::info!(
                fired = t.fired,
                escalated = t.escalated,
                examined = t.examined,
                "scheduler tick"
            ),
            Ok(_) => {}
            Err(e) => tracing::error!("scheduler tick failed: {e}"),
        }
        if let Err(e) = app.deliver_sms(&gateway, now, 200).await {
            tracing::error!("SMS delivery failed: {e}");
        }
        // Other servers' list changes, and publications whose grace period ended.
        if let Err(e) = app.refresh_public_lists(now).await {
            tracing::error!("public list refresh failed: {e}");
        }
        // 执行110 tip-offs past their response time warn the command center once.
        match app.warn_overdue_tipoffs(now, 500).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(warned = n, "overdue tip-offs"),
            Err(e) => tracing::error!("tip-off warning failed: {e}"),
        }
        // 失信 terms and detentions that ran out end by themselves (SX2017 art 10 para 2).
        match app.expire_measures(now, 500).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(ended = n, "measures expired"),
            Err(e) => tracing::error!("measure expiry failed: {e}"),
        }
    }
}

async fn deadlines_cmd(cmd: DeadlinesCmd) -> Result<()> {
    match cmd {
        DeadlinesCmd::Tick { db, at, sms } => {
            let app = open(&db).await?;
            let now = match at {
                Some(s) => chrono::DateTime::parse_from_rfc3339(&s)
                    .with_context(|| {
                        format!("--at {s}: expected RFC 3339, e.g. 2024-10-08T09:00:00+08:00")
                    })?
                    .timestamp_millis(),
                None => now_ms(),
            };
            let t = app.run_due(now, 1000).await.map_err(app_err)?;
            let expired = app.expire_measures(now, 10_000).await.map_err(app_err)?;
            let tipoffs_warned = app
                .warn_overdue_tipoffs(now, 10_000)
                .await
                .map_err(app_err)?;
            let (sent, failed) = app
                .deliver_sms(&sms_gateway(&sms)?, now, 10_000)
                .await
                .map_err(app_err)?;
            println!(
                "{}",
                json!({"fired": t.fired, "escalated": t.escalated, "examined": t.examined, "more": t.more,
                       "sms_sent": sent, "sms_failed": failed, "measures_expired": expired,
                       "tipoffs_warned": tipoffs_warned})
            );
        }
        DeadlinesCmd::Recompute { db, court } => {
            let app = open(&db).await?;
            let actor = system_actor(&app, &court).await?;
            let moved = app
                .recompute_court(&actor, &actor.court_code, now_ms())
                .await
                .map_err(app_err)?;
            println!(
                "{}",
                json!({"moved": moved.iter().map(|m| json!({"deadline_id": m.deadline_id, "case_id": m.case_id,
                    "node": m.node, "from": m.from, "to": m.to})).collect::<Vec<_>>()})
            );
        }
        DeadlinesCmd::AddRule { db, court, file } => {
            let app = open(&db).await?;
            let actor = system_actor(&app, &court).await?;
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            let mut moved = Vec::new();
            for line in text
                .lines()
                .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            {
                moved.extend(
                    app.set_local_rule(&actor, line, now_ms())
                        .await
                        .map_err(app_err)?,
                );
            }
            println!(
                "{}",
                json!({"moved": moved.iter().map(|m| json!({"case_id": m.case_id, "node": m.node,
                    "from": m.from, "to": m.to})).collect::<Vec<_>>()})
            );
        }
        DeadlinesCmd::Check { db } => {
            let app = open(&db).await?;
            let bad = app.board_mismatches().await.map_err(app_err)?;
            println!(
                "{}",
                json!({"mismatches": bad.iter().map(|(c, t, h, l, counter, actual)| json!({"court": c,
                    "team": t, "handler": h, "level": l, "counter": counter, "actual": actual})).collect::<Vec<_>>()})
            );
            if !bad.is_empty() {
                std::process::exit(2);
            }
        }
    }
    Ok(())
}

/// Read a statement file by extension: .xlsx through calamine, anything else as UTF-8 CSV.
fn read_statement(path: &std::path::Path) -> Result<Vec<zhixing_app::statement::StatementLine>> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let is_xlsx = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    let parsed = if is_xlsx {
        zhixing_app::statement::parse_xlsx(&bytes)
    } else {
        let text = String::from_utf8(bytes).context("the CSV file is not UTF-8")?;
        zhixing_app::statement::parse_csv(&text)
    };
    parsed.map_err(|errs| line_errors(&errs))
}

fn line_errors(errs: &[zhixing_app::statement::LineError]) -> anyhow::Error {
    for e in errs.iter().take(100) {
        println!(
            "{}",
            json!({"error": {"line": e.line, "field": e.field, "code": e.code, "message": e.message}})
        );
    }
    anyhow::anyhow!("{} error(s); nothing was booked", errs.len())
}

/// The statement importer acting for a court: the bank role (it books money that arrived).
async fn bank_actor(app: &App, court: &str) -> Result<Actor> {
    let mut a = system_actor(app, court).await?;
    a.role = zhixing_domain::role::Role::Bank;
    a.name = "银行对账单导入（命令行）".into();
    Ok(a)
}

fn parse_today(today: Option<&str>) -> Result<chrono::NaiveDate> {
    match today {
        Some(t) => zhixing_domain::case::parse_date(t)
            .map_err(|e| anyhow::anyhow!("--today: {}", e.message)),
        None => Ok(china_date(now_ms())),
    }
}

async fn reports(
    app: &App,
    today: chrono::NaiveDate,
) -> Result<(
    Vec<zhixing_app::statement::Ageing>,
    Vec<zhixing_app::statement::OverdueRate>,
)> {
    let mut ageing = Vec::new();
    let mut rates = Vec::new();
    for court in app.courts_with_funds().await.map_err(app_err)? {
        ageing.push(app.ageing(&court, today).await.map_err(app_err)?);
        rates.push(app.overdue_rate(&court, today).await.map_err(app_err)?);
    }
    Ok((ageing, rates))
}

fn buckets_json(b: &[(i64, i64); 3]) -> serde_json::Value {
    json!({
        "0_30": {"count": b[0].0, "fen": b[0].1},
        "31_60": {"count": b[1].0, "fen": b[1].1},
        "over_60": {"count": b[2].0, "fen": b[2].1},
    })
}

async fn shutdown_signal() {
    let _ = tokio::signal::ctrl_c().await;
}

#[tokio::main]
async fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("ZHIXING_LOG")
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let result = run(cli).await;
    close_all().await;
    result
}

/// Every database this run opened: closed before the process ends, so SQLite folds its WAL back
/// into the file (connections run without automatic checkpoints, see `zhixing_store::dialect`).
static OPENED: std::sync::Mutex<Vec<Db>> = std::sync::Mutex::new(Vec::new());

async fn close_all() {
    let dbs = match OPENED.lock() {
        Ok(mut v) => std::mem::take(&mut *v),
        Err(p) => std::mem::take(&mut *p.into_inner()),
    };
    for db in dbs {
        db.close().await;
    }
}

async fn run(cli: Cli) -> Result<()> {
    match cli.cmd {
        Cmd::Serve {
            db,
            addr,
            demo,
            cases,
            secure_cookies,
            tick_secs,
            sms,
            id_mask,
            public_per_minute,
        } => {
            let id_mask = zhixing_domain::measure::parse_mask(&id_mask)
                .map_err(|e| anyhow::anyhow!("--id-mask: {}", e.message))?;
            let app = open(&db).await?;
            if demo {
                let mut conn = app.db.conn().await?;
                let seeded = zhixing_store::users::find_user_by_username(&mut conn, "jw_command")
                    .await?
                    .is_some();
                drop(conn);
                if seeded {
                    eprintln!("演示数据已存在，跳过生成 / demo data already present");
                    println!(
                        "登录 / log in: jw_command / {} (and jw_judge11, ls_supervisor, jw_admin …)",
                        zhixing_app::demo::DEMO_PASSWORD
                    );
                } else {
                    run_demo(&app, cases, 2024).await?;
                }
            }
            // A new binary may ship a new holiday calendar: move the dates it changes, and tell
            // the handlers, before serving.
            for (court, moved) in app
                .recompute_stale_calendar(now_ms())
                .await
                .map_err(app_err)?
            {
                eprintln!(
                    "{court}: 节假日表更新，{} 个期限已重算 / deadlines recomputed",
                    moved.len()
                );
            }
            // The public lists in memory before the first anonymous lookup.
            app.load_public_lists(now_ms()).await.map_err(app_err)?;
            let listener = tokio::net::TcpListener::bind(addr)
                .await
                .with_context(|| format!("cannot listen on {addr}"))?;
            eprintln!("zhixing 已启动 / listening on http://{addr}");
            let scheduler = tokio::spawn(scheduler_loop(
                app.clone(),
                std::time::Duration::from_secs(tick_secs.max(1)),
                sms,
            ));
            let router = zhixing_web::router(
                app,
                zhixing_web::WebConfig {
                    secure_cookies,
                    id_mask,
                    public_per_minute,
                    ..Default::default()
                },
            );
            zhixing_web::serve(listener, router, shutdown_signal()).await?;
            scheduler.abort();
        }
        Cmd::Fee { claim_fen } => {
            let fee = zhixing_domain::funds::enforcement_fee(zhixing_domain::money::Fen::new(
                claim_fen,
            ))
            .map_err(|e| {
                anyhow::anyhow!(
                    "{}",
                    json!({"error": {"code": e.code, "field": "claim_fen", "message": e.message}})
                )
            })?;
            println!("{}", json!({"claim_fen": claim_fen, "fee_fen": fee.get()}));
        }
        Cmd::Funds {
            cmd: FundsCmd::Import { db, court, file },
        } => {
            let lines = read_statement(&file)?;
            let app = open(&db).await?;
            let actor = bank_actor(&app, &court).await?;
            match app.import_statement(&actor, &lines, now_ms()).await {
                Ok(r) => println!(
                    "{}",
                    json!({"lines": r.lines, "booked": r.booked, "unidentified": r.unidentified,
                           "already_booked": r.already_booked, "amount_fen": r.amount_fen})
                ),
                Err(zhixing_app::statement::ImportError::Lines(errs)) => {
                    return Err(line_errors(&errs));
                }
                Err(zhixing_app::statement::ImportError::App(e)) => return Err(app_err(e)),
            }
        }
        Cmd::Funds {
            cmd:
                FundsCmd::Reconcile {
                    db,
                    court,
                    file,
                    xlsx,
                },
        } => {
            let lines = read_statement(&file)?;
            let app = open(&db).await?;
            let court = system_actor(&app, &court).await?.court_code;
            let diffs = app.reconcile(&court, &lines).await.map_err(app_err)?;
            for d in &diffs {
                println!(
                    "{}",
                    json!({"kind": d.kind, "bank_reference": d.bank_reference, "statement_fen": d.statement_fen,
                           "ledger_fen": d.ledger_fen, "line": d.line})
                );
            }
            if let Some(out) = xlsx {
                let (ageing, rates) = reports(&app, china_date(now_ms())).await?;
                let bytes = zhixing_app::statement::report_xlsx(Some(&diffs), &ageing, &rates)
                    .map_err(app_err)?;
                std::fs::write(&out, bytes)
                    .with_context(|| format!("cannot write {}", out.display()))?;
            }
            eprintln!("{} difference(s)", diffs.len());
        }
        Cmd::Funds {
            cmd: FundsCmd::Report { db, today, xlsx },
        } => {
            let today = parse_today(today.as_deref())?;
            let app = open(&db).await?;
            let (ageing, rates) = reports(&app, today).await?;
            for (a, r) in ageing.iter().zip(&rates) {
                let (by_count, by_amount) = r.rates_bp();
                println!(
                    "{}",
                    json!({"court": a.court, "today": today.format("%Y-%m-%d").to_string(),
                           "undisbursed": buckets_json(&a.undisbursed), "unidentified": buckets_json(&a.unidentified),
                           "overdue": {"due_count": r.due_count, "due_fen": r.due_fen, "overdue_count": r.overdue_count,
                                       "overdue_fen": r.overdue_fen, "rate_by_count_bp": by_count, "rate_by_amount_bp": by_amount}})
                );
            }
            if let Some(out) = xlsx {
                let bytes =
                    zhixing_app::statement::report_xlsx(None, &ageing, &rates).map_err(app_err)?;
                std::fs::write(&out, bytes)
                    .with_context(|| format!("cannot write {}", out.display()))?;
            }
        }
        Cmd::Funds {
            cmd:
                FundsCmd::Settings {
                    db,
                    court,
                    claim_days,
                },
        } => {
            let app = open(&db).await?;
            let sys = system_actor(&app, &court).await?;
            app.set_claim_days(&sys, claim_days, now_ms())
                .await
                .map_err(app_err)?;
            println!(
                "{}",
                json!({"court": sys.court_code, "claim_days": claim_days})
            );
        }
        Cmd::Funds {
            cmd: FundsCmd::Verify { db },
        } => {
            let app = open(&db).await?;
            let mut bad = 0usize;
            for court in app.courts_with_funds().await.map_err(app_err)? {
                let problems = app.verify_funds(&court).await.map_err(app_err)?;
                bad += problems.len();
                println!(
                    "{}",
                    json!({"court": court, "ok": problems.is_empty(), "problems": problems})
                );
            }
            if bad > 0 {
                std::process::exit(1);
            }
        }
        Cmd::Migrate { db } => {
            open(&db).await?;
            eprintln!("migrations applied: {}", db.db);
        }
        Cmd::Demo { db, cases, seed } => {
            let app = open(&db).await?;
            run_demo(&app, cases, seed).await?;
        }
        Cmd::Team {
            cmd:
                TeamCmd::Add {
                    db,
                    court,
                    name,
                    track,
                },
        } => {
            let app = open(&db).await?;
            let sys = system_actor(&app, &court).await?;
            let t = app
                .add_team(&sys, &court, &name, &track, now_ms())
                .await
                .map_err(app_err)?;
            println!(
                "{}",
                json!({"id": t.id, "court": t.court_code, "name": t.name, "track": t.track})
            );
        }
        Cmd::User {
            cmd:
                UserCmd::Add {
                    db,
                    court,
                    role,
                    username,
                    name,
                    team,
                    password_stdin,
                },
        } => {
            if !password_stdin {
                bail!(
                    "--password-stdin is required: the password is read from standard input, never from the command line"
                );
            }
            let mut pw = String::new();
            std::io::stdin().read_to_string(&mut pw)?;
            let pw = pw.lines().next().unwrap_or("").to_owned();
            let app = open(&db).await?;
            let sys = system_actor(&app, &court).await?;
            let u = app
                .add_user(
                    &sys,
                    NewUser {
                        court,
                        role,
                        username,
                        name,
                        team,
                        password: pw,
                    },
                    now_ms(),
                )
                .await
                .map_err(app_err)?;
            println!(
                "{}",
                json!({"id": u.id, "username": u.username, "court": u.court_code, "role": u.role})
            );
        }
        Cmd::Token {
            cmd:
                TokenCmd::Issue {
                    db,
                    username,
                    label,
                },
        } => {
            let app = open(&db).await?;
            let token = app
                .issue_token(&username, &label, now_ms())
                .await
                .map_err(app_err)?;
            println!("{token}");
        }
        Cmd::Token {
            cmd: TokenCmd::Revoke { db, username },
        } => {
            let app = open(&db).await?;
            let n = app
                .revoke_tokens(&username, now_ms())
                .await
                .map_err(app_err)?;
            println!("{}", json!({"revoked": n}));
        }
        Cmd::Court {
            cmd: CourtCmd::AddSpecial { db, file },
        } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            let list = zhixing_domain::court::parse_special_courts(&text)
                .map_err(|e| anyhow::anyhow!("{}: {}", e.code, e.message))?;
            let app = open(&db).await?;
            let mut tx = app.db.begin().await?;
            for c in &list {
                if zhixing_store::courts::find(&mut tx, &c.code)
                    .await?
                    .is_some()
                {
                    continue;
                }
                zhixing_store::courts::add_special(&mut tx, c)
                    .await
                    .with_context(|| {
                        format!("cannot add {} (does parent {:?} exist?)", c.code, c.parent)
                    })?;
            }
            tx.commit().await?;
            println!("{}", json!({"courts": list.len()}));
        }
        Cmd::Court {
            cmd: CourtCmd::Show { db, code },
        } => {
            let app = open(&db).await?;
            let mut conn = app.db.conn().await?;
            let c = zhixing_store::courts::find(&mut conn, &code)
                .await?
                .with_context(|| format!("no court {code}"))?;
            println!(
                "{}",
                json!({"code": c.code, "name": c.name, "level": c.level, "parent": c.parent_code, "path": c.path})
            );
        }
        Cmd::Check { cmd } => {
            let today = china_date(now_ms());
            let v = match cmd {
                // 18-character numbers only: 15-digit legacy numbers are accepted on import only.
                CheckCmd::Id { value } => match IdNumber::parse(&value, today) {
                    Ok(id) => {
                        json!({"valid": true, "normalized": id.as_str(), "birth_date": id.birth_date().format("%Y-%m-%d").to_string(),
                        "sex": match id.sex() { zhixing_domain::id_number::Sex::Male => "M", zhixing_domain::id_number::Sex::Female => "F" },
                        "region": id.region()})
                    }
                    Err(e) => invalid(e.code, &e.message),
                },
                CheckCmd::Uscc { value } => match CreditCode::parse(&value) {
                    Ok(c) => {
                        json!({"valid": true, "normalized": c.as_str(), "authority": c.authority().to_string(),
                        "org_type": c.org_type().to_string(), "region": c.region(), "organization_code": c.organization_code()})
                    }
                    Err(e) => invalid(e.code, &e.message),
                },
                CheckCmd::CaseNumber { value } => match CaseNumber::parse(&value) {
                    Ok(n) => {
                        json!({"valid": true, "year": n.year(), "court_code": n.court_code(), "specialty_code": n.specialty_code(),
                        "type_code": n.type_code(), "serial": n.serial(), "normalized": n.to_string()})
                    }
                    Err(e) => invalid(e.code, &e.message),
                },
            };
            print_check(v)?;
        }
        Cmd::Deadlines { cmd } => deadlines_cmd(cmd).await?,
        Cmd::Audit {
            cmd:
                AuditCmd::Export {
                    db,
                    court,
                    from,
                    to,
                    out,
                },
        } => {
            let app = open(&db).await?;
            let parse = |s: &str, f: &str| {
                zhixing_domain::case::parse_date(s).map_err(|e| app_err(AppError::Invalid(e.at(f))))
            };
            let seg = app
                .export_audit(court.trim(), parse(&from, "from")?, parse(&to, "to")?)
                .await
                .map_err(app_err)?;
            let mut text = json!({
                "format": "zhixing-audit-segment-v1", "court": seg.court, "from": from, "to": to,
                "records": seg.records.len(), "first_prev_hash": seg.first_prev, "head_hash": seg.head_hash,
                "hash": "SM3 (GB/T 32905-2016)",
            })
            .to_string();
            text.push('\n');
            for r in &seg.records {
                text.push_str(&serde_json::to_string(r)?);
                text.push('\n');
            }
            match out {
                Some(p) => {
                    std::fs::write(&p, text)
                        .with_context(|| format!("cannot write {}", p.display()))?;
                    eprintln!("{} records; head hash {}", seg.records.len(), seg.head_hash);
                }
                None => print!("{text}"),
            }
        }
        Cmd::Audit {
            cmd: AuditCmd::VerifyExport { file, head },
        } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            let mut lines = text.lines();
            let header: serde_json::Value = serde_json::from_str(lines.next().unwrap_or_default())
                .context("line 1: not a segment header")?;
            let mut records = Vec::new();
            for (i, line) in lines.enumerate() {
                let r: zhixing_domain::audit::ChainedRecord = serde_json::from_str(line)
                    .with_context(|| format!("line {}: not an audit record", i + 2))?;
                records.push(r);
            }
            let first_prev = header["first_prev_hash"].as_str().unwrap_or_default();
            let head =
                head.unwrap_or_else(|| header["head_hash"].as_str().unwrap_or_default().to_owned());
            match zhixing_domain::audit::verify_segment(&records, first_prev, &head) {
                Ok(()) => println!(
                    "{}",
                    json!({"records": records.len(), "head_hash": head, "broken": null})
                ),
                Err(b) => {
                    println!(
                        "{}",
                        json!({"records": records.len(), "broken": {"seq": b.seq, "reason": b.reason}})
                    );
                    std::process::exit(2);
                }
            }
        }
        Cmd::Audit {
            cmd: AuditCmd::Verify { db },
        } => {
            let app = open(&db).await?;
            let report = app.verify_audit().await.map_err(app_err)?;
            let (files, bad_files) = app.verify_evidence().await.map_err(app_err)?;
            println!(
                "{}",
                json!({"courts": report.courts, "records": report.records, "broken": report.broken,
                       "evidence": {"files": files, "broken": bad_files.iter().map(|(id, why)| json!({"id": id, "reason": why})).collect::<Vec<_>>()}})
            );
            if report.broken.is_some() || !bad_files.is_empty() {
                std::process::exit(2);
            }
        }
    }
    Ok(())
}
