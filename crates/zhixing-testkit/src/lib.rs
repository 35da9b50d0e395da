//! Test support: a fresh database per test on each backend, a fixed clock, and court fixtures.
//!
//! SQLite always runs (a temporary file). PostgreSQL runs when `ZHIXING_TEST_PG` holds a server URL
//! (e.g. `postgres://postgres@127.0.0.1:5432/postgres`); each test then gets its own freshly created
//! database. If the variable is set and the server cannot be reached, the test FAILS — CI must never
//! silently skip PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

use sqlx::Connection;
use zhixing_app::admin::NewUser;
use zhixing_app::{Actor, App};
use zhixing_domain::case::NewCaseInput;
use zhixing_domain::credit_code::CreditCode;
use zhixing_domain::id_number::IdNumber;
use zhixing_domain::party::PartyInput;
use zhixing_store::Db;

/// 2024-09-27 10:00 in Beijing (02:00 UTC), a Friday before National Day: the fixed "now" of tests.
pub const NOW_MS: i64 = 1_727_402_400_000;
/// The password every fixture user gets.
pub const PASSWORD: &str = "zhixing2024";

/// A fresh database, dropped (PostgreSQL) or deleted (SQLite) by [`TestDb::cleanup`].
pub struct TestDb {
    pub app: App,
    pub url: String,
    pub backend: zhixing_store::Backend,
    pg_admin_url: Option<String>,
    pg_name: Option<String>,
    dir: Option<PathBuf>,
}

impl TestDb {
    pub fn db(&self) -> &Db {
        &self.app.db
    }

    /// Close the pool and remove the database.
    pub async fn cleanup(self) {
        self.app.db.close().await;
        if let (Some(admin), Some(name)) = (&self.pg_admin_url, &self.pg_name)
            && let Ok(mut c) = sqlx::postgres::PgConnection::connect(admin).await
        {
            let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
            )))
            .execute(&mut c)
            .await;
        }
        if let Some(d) = &self.dir {
            let _ = std::fs::remove_dir_all(d);
        }
    }
}

/// A fresh, migrated SQLite database in a temporary directory.
pub async fn sqlite() -> TestDb {
    let dir = std::env::temp_dir().join(format!("zhixing-test-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("t.db").display());
    let db = Db::connect(&url).await.unwrap();
    db.migrate().await.unwrap();
    TestDb {
        app: App::new(db).with_evidence_dir(dir.join("evidence")),
        url,
        backend: zhixing_store::Backend::Sqlite,
        pg_admin_url: None,
        pg_name: None,
        dir: Some(dir),
    }
}

/// A fresh, migrated PostgreSQL database on the server named by `ZHIXING_TEST_PG`; None when unset.
/// Panics when the variable is set but the server cannot be reached.
pub async fn postgres() -> Option<TestDb> {
    let admin = std::env::var("ZHIXING_TEST_PG")
        .ok()
        .filter(|s| !s.is_empty())?;
    let name = format!("zx_test_{}", uuid::Uuid::now_v7().simple());
    let mut c = sqlx::postgres::PgConnection::connect(&admin)
        .await
        .unwrap_or_else(|e| {
            panic!("ZHIXING_TEST_PG is set but PostgreSQL is unreachable ({admin}): {e}")
        });
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
        .execute(&mut c)
        .await
        .unwrap();
    let _ = c.close().await;
    let url = replace_db_name(&admin, &name);
    let db = Db::connect(&url).await.unwrap();
    db.migrate().await.unwrap();
    let dir = std::env::temp_dir().join(format!("zhixing-test-{name}"));
    Some(TestDb {
        app: App::new(db).with_evidence_dir(dir.join("evidence")),
        url,
        backend: zhixing_store::Backend::Postgres,
        pg_admin_url: Some(admin),
        pg_name: Some(name),
        dir: Some(dir),
    })
}

fn replace_db_name(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let authority_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match base[authority_end..].find('/') {
        Some(slash) => &base[..authority_end + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

/// One fresh database per configured backend: SQLite always, PostgreSQL when configured.
pub async fn backends() -> Vec<TestDb> {
    let mut v = vec![sqlite().await];
    if let Some(pg) = postgres().await {
        v.push(pg);
    }
    v
}

/// Actors of one court set up by [`seed_court`].
pub struct CourtFixture {
    pub court: String,
    pub admin: Actor,
    pub command: Actor,
    pub director: Actor,
    pub president: Actor,
    pub police: Actor,
    /// Judges: two in 速执一组 (fast), one in 精执一组 (standard).
    pub judges: Vec<Actor>,
    pub clerk: Actor,
    pub fast_team: String,
    pub standard_team: String,
}

/// The party id of a case's (first) debtor, for tests that propose measures against it.
pub async fn debtor_id(app: &App, case: &zhixing_store::cases::CaseRow) -> String {
    let mut conn = app.db.conn().await.expect("conn");
    zhixing_store::cases::parties_of(&mut conn, &case.court_code, &case.id)
        .await
        .expect("parties")
        .into_iter()
        .find(|p| p.role == "debtor")
        .expect("the case has a debtor")
        .id
}

/// Set up a court with a command center, one fast and one standard team, and staff.
/// Usernames are prefixed with `prefix` so several courts can share a database.
pub async fn seed_court(app: &App, court: &str, prefix: &str) -> CourtFixture {
    let mut conn = app.db.conn().await.unwrap();
    let row = zhixing_store::courts::find(&mut conn, court)
        .await
        .unwrap()
        .expect("court in built-in table");
    drop(conn);
    let sys = Actor::system(court, &row.path);
    app.add_team(&sys, court, "指挥中心", "command", NOW_MS)
        .await
        .unwrap();
    let fast = app
        .add_team(&sys, court, "速执一组", "fast", NOW_MS)
        .await
        .unwrap();
    let std_team = app
        .add_team(&sys, court, "精执一组", "standard", NOW_MS)
        .await
        .unwrap();
    let user = |role: &str, n: &str, team: Option<&str>| NewUser {
        court: court.into(),
        role: role.into(),
        username: format!("{prefix}{n}"),
        name: format!("{n}{prefix}"),
        team: team.map(Into::into),
        password: PASSWORD.into(),
    };
    let mut actors = Vec::new();
    for u in [
        user("admin", "admin", None),
        user("command", "command", Some("指挥中心")),
        user("director", "director", None),
        user("president", "president", None),
        user("police", "police", None),
        user("judge", "judge1", Some("速执一组")),
        user("judge", "judge2", Some("速执一组")),
        user("judge", "judge3", Some("精执一组")),
        user("clerk", "clerk", Some("速执一组")),
    ] {
        let row = app.add_user(&sys, u, NOW_MS).await.unwrap();
        actors.push(app.actor_for(&row).await.unwrap());
    }
    let mut it = actors.into_iter();
    let mut next = || it.next().unwrap();
    CourtFixture {
        court: court.into(),
        admin: next(),
        command: next(),
        director: next(),
        president: next(),
        police: next(),
        judges: vec![next(), next(), next()],
        clerk: next(),
        fast_team: fast.id,
        standard_team: std_team.id,
    }
}

/// A person party with a valid ID number derived from `n` (distinct n → distinct people).
pub fn person(name: &str, n: u32) -> PartyInput {
    let birth = chrono::NaiveDate::from_ymd_opt(
        1970 + i32::try_from(n % 40).unwrap(),
        1 + (n % 12),
        1 + (n % 28),
    )
    .unwrap();
    let id = IdNumber::from_parts("511123", birth, u16::try_from(n % 1000).unwrap()).unwrap();
    PartyInput {
        kind: "person".into(),
        name: name.into(),
        id_number: Some(id.as_str().into()),
        ..Default::default()
    }
}

/// An entity party with a valid credit code derived from `n`.
pub fn entity(name: &str, n: u32) -> PartyInput {
    let body = format!("{:08}", n % 100_000_000);
    let cc = CreditCode::from_parts('9', '1', "511123", &body).unwrap();
    PartyInput {
        kind: "entity".into(),
        name: name.into(),
        credit_code: Some(cc.as_str().into()),
        legal_representative: Some("王五".into()),
        ..Default::default()
    }
}

/// A valid first-enforcement filing in `court` on basis number `basis_serial`.
pub fn filing(court: &str, basis_serial: u32, debtor: PartyInput, claim_fen: i64) -> NewCaseInput {
    NewCaseInput {
        court: court.into(),
        type_code: "执".into(),
        filed_on: "2024-09-27".into(),
        basis_court: court.into(),
        basis_document_number: format!("（2024）{court}民初{basis_serial}号"),
        basis_document_type: "民事判决书".into(),
        applicants: vec![person("张三", 900_001)],
        debtors: vec![debtor],
        claim_fen: Some(claim_fen),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn pg_url_db_replacement() {
        assert_eq!(
            super::replace_db_name("postgres://postgres@127.0.0.1:5432/postgres", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            super::replace_db_name("postgres://u@h/db?sslmode=disable", "x"),
            "postgres://u@h/x?sslmode=disable"
        );
        assert_eq!(
            super::replace_db_name("postgres://u@h", "x"),
            "postgres://u@h/x"
        );
    }
}
