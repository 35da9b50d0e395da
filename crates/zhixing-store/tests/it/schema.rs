//! Both backends get the same tables and columns; the built-in courts load; migrate() is idempotent.

use std::collections::{BTreeMap, BTreeSet};

use sqlx::Row;
use zhixing_store::{Backend, Db, MIGRATOR, courts};
use zhixing_testkit::{TestDb, backends};

/// Every table of the schema: foundation (0001), deadlines (0002), funds (0003), measures (0005), duty (0006), reviews (0007; 0008 adds a column), consumption permissions (0014), plus sqlx's bookkeeping table.
const TABLES: [&str; 51] = [
    "_sqlx_migrations",
    "api_tokens",
    "audit_log",
    "case_assignments",
    "case_events",
    "case_filing_keys",
    "case_serials",
    "cases",
    "consumption_permissions",
    "court_deadline_rules",
    "court_rule_choices",
    "courts",
    "daily_assignments",
    "deadline_board",
    "deadlines",
    "document_serials",
    "duty_settings",
    "evidence_files",
    "excluded_periods",
    "fund_balances",
    "fund_case_accounts",
    "fund_deferrals",
    "fund_disbursement_lines",
    "fund_disbursements",
    "fund_entries",
    "fund_receipts",
    "fund_settings",
    "fund_txns",
    "list_changes",
    "list_corrections",
    "measure_approvals",
    "measure_reviews",
    "measures",
    "notifications",
    "parties",
    "party_query_codes",
    "police_controls",
    "public_list_entries",
    "refusal_referrals",
    "reward_leads",
    "reward_notices",
    "reward_payouts",
    "sessions",
    "sms_outbox",
    "supervisions",
    "teams",
    "term_extensions",
    "tipoff_warnings",
    "tipoffs",
    "users",
    "workloads",
];

/// table → column names, as the database itself reports them.
async fn columns(db: &Db) -> BTreeMap<String, BTreeSet<String>> {
    let sql = match db.backend() {
        Backend::Sqlite => {
            "SELECT m.name AS t, p.name AS c FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'"
        }
        Backend::Postgres => {
            "SELECT CAST(table_name AS TEXT) AS t, CAST(column_name AS TEXT) AS c FROM information_schema.columns \
             WHERE table_schema = current_schema()"
        }
    };
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for r in sqlx::query(sql).fetch_all(db.pool()).await.unwrap() {
        out.entry(r.get("t")).or_default().insert(r.get("c"));
    }
    out
}

#[tokio::test]
async fn both_backends_have_the_same_tables_and_columns() {
    let dbs: Vec<TestDb> = backends().await;
    let mut schemas = Vec::new();
    for t in &dbs {
        let s = columns(t.db()).await;
        let tables: Vec<&str> = s.keys().map(String::as_str).collect();
        assert_eq!(tables, TABLES.to_vec(), "{:?}: tables", t.backend);
        assert!(
            s["cases"].contains("court_code") && s["cases"].contains("case_number"),
            "{:?}",
            t.backend
        );
        assert_eq!(
            s["audit_log"].len(),
            13,
            "{:?}: audit_log columns {:?}",
            t.backend,
            s["audit_log"]
        );
        schemas.push((t.backend, s));
    }
    if let [(a, sa), (b, sb)] = schemas.as_slice() {
        for table in TABLES {
            let (ca, cb) = (&sa[table], &sb[table]);
            assert_eq!(
                ca,
                cb,
                "{table}: only in {a:?}: {:?}; only in {b:?}: {:?}",
                ca.difference(cb).collect::<Vec<_>>(),
                cb.difference(ca).collect::<Vec<_>>()
            );
        }
    }
    for t in dbs {
        t.cleanup().await;
    }
}

#[tokio::test]
async fn builtin_courts_are_loaded() {
    for t in backends().await {
        let mut conn = t.db().conn().await.unwrap();
        let n: i64 = sqlx::query("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM courts")
            .fetch_one(&mut *conn)
            .await
            .unwrap()
            .get("n");
        assert_eq!(
            usize::try_from(n).unwrap(),
            zhixing_domain::court::builtin_courts().len(),
            "{:?}",
            t.backend
        );
        // (code, path, level, parent)
        let table = [
            ("川1123", "最高法/川/川11/川1123", "basic", Some("川11")),
            ("川11", "最高法/川/川11", "intermediate", Some("川")),
            ("川", "最高法/川", "high", Some("最高法")),
            ("最高法", "最高法", "supreme", None),
            ("鄂2823", "最高法/鄂/鄂28/鄂2823", "basic", Some("鄂28")),
        ];
        for (code, path, level, parent) in table {
            let c = courts::find(&mut conn, code)
                .await
                .unwrap()
                .unwrap_or_else(|| panic!("{code} missing"));
            assert_eq!(
                (c.path.as_str(), c.level.as_str(), c.parent_code.as_deref()),
                (path, level, parent),
                "{:?} {code}",
                t.backend
            );
            assert_eq!(c.triage_fast_max_fen, 2_000_000);
        }
        let c = courts::find(&mut conn, "川1123").await.unwrap().unwrap();
        assert_eq!(c.name, "犍为县人民法院");
        assert!(courts::find(&mut conn, "川9999").await.unwrap().is_none());
        // The subtree of 川11 holds 川1123 and not 鄂2823 or 川01xx.
        let sub: Vec<String> = courts::subtree(&mut conn, "最高法/川/川11")
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.code)
            .collect();
        assert!(
            sub.contains(&"川11".to_owned())
                && sub.contains(&"川1123".to_owned())
                && sub.contains(&"川1102".to_owned())
        );
        assert!(sub.iter().all(|c| c.starts_with("川11")), "{sub:?}");
        drop(conn);
        t.cleanup().await;
    }
}

#[tokio::test]
async fn migrate_is_idempotent_and_keeps_settings() {
    for t in backends().await {
        let db = t.db();
        let mut conn = db.conn().await.unwrap();
        courts::set_triage_threshold(&mut conn, "川1123", 5_000_000)
            .await
            .unwrap();
        drop(conn);
        let count = |sql: &'static str| async move {
            sqlx::query(sql)
                .fetch_one(db.pool())
                .await
                .unwrap()
                .get::<i64, _>("n")
        };
        let courts_before = count("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM courts").await;
        db.migrate().await.unwrap();
        db.migrate().await.unwrap();
        // a second pool on the same database (another process starting) migrates too
        let other = Db::connect(&t.url).await.unwrap();
        other.migrate().await.unwrap();
        other.close().await;
        assert_eq!(
            count("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM courts").await,
            courts_before,
            "{:?}",
            t.backend
        );
        let applied = count("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM _sqlx_migrations").await;
        assert_eq!(usize::try_from(applied).unwrap(), MIGRATOR.iter().count());
        let mut conn = db.conn().await.unwrap();
        assert_eq!(
            courts::find(&mut conn, "川1123")
                .await
                .unwrap()
                .unwrap()
                .triage_fast_max_fen,
            5_000_000,
            "{:?}",
            t.backend
        );
        // what is recorded as applied is exactly the embedded set
        let stored: Vec<(i64, Vec<u8>)> =
            sqlx::query("SELECT version, checksum FROM _sqlx_migrations ORDER BY version")
                .fetch_all(&mut *conn)
                .await
                .unwrap()
                .iter()
                .map(|r| (r.get("version"), r.get("checksum")))
                .collect();
        let embedded: Vec<(i64, Vec<u8>)> = MIGRATOR
            .iter()
            .map(|m| (m.version, m.checksum.to_vec()))
            .collect();
        assert_eq!(stored, embedded, "{:?}", t.backend);
        drop(conn);
        t.cleanup().await;
    }
}

/// Sharding by court: every key of the funds tables (primary, UNIQUE, unique index) leads with
/// court_code, so a distributed engine can enforce it within one shard.
#[test]
fn funds_keys_lead_with_court_code() {
    for (file, min_keys) in [
        ("0003_funds.sql", 12),
        ("0005_measures.sql", 7),
        ("0006_duty.sql", 9),
        ("0007_reviews.sql", 2),
    ] {
        keys_lead_with_court_code(file, min_keys);
    }
}

/// Every primary/unique key of a migration leads with court_code (shardable by court).
fn keys_lead_with_court_code(file: &str, min_keys: usize) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../migrations")
        .join(file);
    let sql = std::fs::read_to_string(path).unwrap();
    let mut keys = 0;
    for line in sql.lines().map(str::trim).filter(|l| !l.starts_with("--")) {
        let cols = if let Some(rest) = line.strip_prefix("PRIMARY KEY (") {
            rest
        } else if let Some(rest) = line.strip_prefix("UNIQUE (") {
            rest
        } else if line.starts_with("CREATE UNIQUE INDEX") {
            line.split_once('(').map(|(_, c)| c).unwrap()
        } else {
            continue;
        };
        keys += 1;
        assert!(
            cols.starts_with("court_code"),
            "key does not lead with court_code: {line}"
        );
    }
    assert!(keys >= min_keys, "{file}: found only {keys} keys");
}
