//! Helpers shared by the app contract tests: row counts, error matchers, extra fixtures.

use std::fmt::Debug;

use sqlx::Row;
use zhixing_app::admin::NewUser;
use zhixing_app::{Actor, App, AppError};
use zhixing_domain::FieldError;
use zhixing_store::Db;
use zhixing_testkit::{NOW_MS, PASSWORD};

/// Tables a filing writes to.
pub const FILING_TABLES: [&str; 5] = [
    "cases",
    "parties",
    "case_filing_keys",
    "case_assignments",
    "audit_log",
];

/// Row counts of [`FILING_TABLES`] plus the sum of all serial counters (a consumed number shows there).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    pub rows: Vec<(&'static str, i64)>,
    pub serial_sum: i64,
}

pub async fn count(db: &Db, sql: &str) -> i64 {
    sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
        .fetch_one(db.pool())
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .get::<i64, _>("n")
}

pub async fn snapshot(db: &Db) -> Snapshot {
    let mut rows = Vec::new();
    for t in FILING_TABLES {
        rows.push((
            t,
            count(
                db,
                &format!("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM {t}"),
            )
            .await,
        ));
    }
    let serial_sum = count(
        db,
        "SELECT CAST(COALESCE(SUM(last_serial), 0) AS BIGINT) AS n FROM case_serials",
    )
    .await;
    Snapshot { rows, serial_sum }
}

/// Row count of one table.
pub async fn rows(db: &Db, table: &str) -> i64 {
    count(
        db,
        &format!("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM {table}"),
    )
    .await
}

pub fn expect_invalid<T: Debug>(r: Result<T, AppError>, ctx: &str) -> FieldError {
    match r {
        Err(AppError::Invalid(fe)) => fe,
        other => panic!("{ctx}: expected Invalid, got {other:?}"),
    }
}

/// (code, field, message) of a Forbidden error.
pub fn expect_forbidden<T: Debug>(
    r: Result<T, AppError>,
    ctx: &str,
) -> (&'static str, Option<String>, String) {
    match r {
        Err(AppError::Forbidden {
            code,
            field,
            message,
        }) => (code, field, message),
        other => panic!("{ctx}: expected Forbidden, got {other:?}"),
    }
}

/// (code, field, message) of a Conflict error.
pub fn expect_conflict<T: Debug>(
    r: Result<T, AppError>,
    ctx: &str,
) -> (&'static str, Option<String>, String) {
    match r {
        Err(AppError::Conflict {
            code,
            field,
            message,
        }) => (code, field, message),
        other => panic!("{ctx}: expected Conflict, got {other:?}"),
    }
}

pub fn expect_not_found<T: Debug>(r: Result<T, AppError>, ctx: &str) {
    match r {
        Err(AppError::NotFound) => {}
        other => panic!("{ctx}: expected NotFound, got {other:?}"),
    }
}

pub fn expect_unauthenticated<T: Debug>(r: Result<T, AppError>, ctx: &str) {
    match r {
        Err(AppError::Unauthenticated) => {}
        other => panic!("{ctx}: expected Unauthenticated, got {other:?}"),
    }
}

/// The command-line operator of `court` (an admin that may set the court up).
pub async fn system(app: &App, court: &str) -> Actor {
    let mut conn = app.db.conn().await.unwrap();
    let row = zhixing_store::courts::find(&mut conn, court)
        .await
        .unwrap()
        .unwrap();
    Actor::system(court, &row.path)
}

/// Add a staff member and return them as an actor.
pub async fn add_user(
    app: &App,
    court: &str,
    role: &str,
    username: &str,
    team: Option<&str>,
) -> Actor {
    let sys = system(app, court).await;
    let u = NewUser {
        court: court.into(),
        role: role.into(),
        username: username.into(),
        name: format!("{username}名"),
        team: team.map(Into::into),
        password: PASSWORD.into(),
    };
    let row = app.add_user(&sys, u, NOW_MS).await.unwrap();
    app.actor_for(&row).await.unwrap()
}

/// Run a statement (test set-up through SQL, e.g. closing a case).
/// Run raw SQL that edits case rows (standing in for use cases not built yet, such as closing),
/// then rebuild the 分案 counters the way such a use case must keep them.
pub async fn exec(db: &Db, sql: &str, args: &[&str]) -> u64 {
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()));
    for a in args {
        q = q.bind((*a).to_owned());
    }
    let n = q
        .execute(db.pool())
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .rows_affected();
    let mut conn = db.conn().await.unwrap();
    let courts: Vec<String> = sqlx::query_scalar("SELECT DISTINCT court_code FROM cases")
        .fetch_all(&mut *conn)
        .await
        .unwrap();
    for c in courts {
        zhixing_store::cases::recompute_workloads(&mut conn, &c)
            .await
            .unwrap();
    }
    n
}

/// The same ID number with a wrong check character.
pub fn bad_checksum(id: &str) -> String {
    let (body, check) = id.split_at(17);
    let wrong = if check == "1" { "2" } else { "1" };
    format!("{body}{wrong}")
}
