//! Appending to and reading a court's audit chain.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::batch::Stmt;
use zhixing_domain::audit::{AuditRecord, GENESIS};

use crate::{Backend, StoreError};

/// What a write records; seq, time and hashes are filled in by [`append`].
#[derive(Debug, Clone)]
pub struct AuditEntry {
    pub court_code: String,
    pub actor_id: String,
    pub actor_name: String,
    pub action: String,
    pub target_kind: String,
    pub target_id: String,
    pub case_id: Option<String>,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// Append one record to its court's chain, inside the caller's transaction.
pub async fn append(
    conn: &mut AnyConnection,
    backend: Backend,
    e: AuditEntry,
    now_ms: i64,
) -> Result<StoredAudit, StoreError> {
    let rows = crate::batch::run(conn, head_stmts(backend, &e.court_code)).await?;
    let stored = chain(head_of(&rows)?, e, now_ms);
    crate::batch::run(conn, vec![insert_stmt(&stored)]).await?;
    Ok(stored)
}

/// Statements that lock the court's chain (PostgreSQL: advisory lock; SQLite: its writer lock
/// already serialises) and read its head. Run them first in the appending transaction.
pub fn head_stmts(backend: Backend, court: &str) -> Vec<Stmt> {
    let mut v = Vec::with_capacity(2);
    if let Some(lock) = backend.audit_lock_sql() {
        v.push(Stmt::new(lock).text(court));
    }
    v.push(
        Stmt::new("SELECT seq AS audit_seq, hash AS audit_hash FROM audit_log WHERE court_code = $1 ORDER BY seq DESC LIMIT 1")
            .text(court),
    );
    v
}

/// The chain head (last seq and hash) among a batch's rows, if the chain is not empty.
pub fn head_of(rows: &[AnyRow]) -> Result<Option<(i64, String)>, StoreError> {
    for r in rows {
        if let (Ok(seq), Ok(hash)) = (
            r.try_get::<i64, _>("audit_seq"),
            r.try_get::<String, _>("audit_hash"),
        ) {
            return Ok(Some((seq, hash)));
        }
    }
    Ok(None)
}

/// The next record of a chain whose head is `head`.
pub fn chain(head: Option<(i64, String)>, e: AuditEntry, now_ms: i64) -> StoredAudit {
    let (seq, prev_hash) = match head {
        Some((seq, hash)) => (seq.saturating_add(1), hash),
        None => (1, GENESIS.to_owned()),
    };
    let record = AuditRecord {
        court_code: e.court_code,
        seq,
        at_ms: now_ms,
        actor_id: e.actor_id,
        actor_name: e.actor_name,
        action: e.action,
        target_kind: e.target_kind,
        target_id: e.target_id,
        case_id: e.case_id,
        before: e.before,
        after: e.after,
    };
    let hash = record.chain_hash(&prev_hash);
    StoredAudit {
        record,
        prev_hash,
        hash,
    }
}

/// The INSERT of a chained record.
pub fn insert_stmt(s: &StoredAudit) -> Stmt {
    let r = &s.record;
    Stmt::new(
        "INSERT INTO audit_log (court_code, seq, at, actor_id, actor_name, action, target_kind, target_id, \
         case_id, before_json, after_json, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .text(&r.court_code)
    .int(r.seq)
    .int(r.at_ms)
    .text(&r.actor_id)
    .text(&r.actor_name)
    .text(&r.action)
    .text(&r.target_kind)
    .text(&r.target_id)
    .opt(r.case_id.clone())
    .opt(r.before.clone())
    .opt(r.after.clone())
    .text(&s.prev_hash)
    .text(&s.hash)
}

/// A stored record with its hashes.
#[derive(Debug, Clone)]
pub struct StoredAudit {
    pub record: AuditRecord,
    pub prev_hash: String,
    pub hash: String,
}

fn stored(r: &sqlx::any::AnyRow) -> Result<StoredAudit, StoreError> {
    Ok(StoredAudit {
        record: AuditRecord {
            court_code: r.try_get("court_code")?,
            seq: r.try_get("seq")?,
            at_ms: r.try_get("at")?,
            actor_id: r.try_get("actor_id")?,
            actor_name: r.try_get("actor_name")?,
            action: r.try_get("action")?,
            target_kind: r.try_get("target_kind")?,
            target_id: r.try_get("target_id")?,
            case_id: r.try_get("case_id")?,
            before: r.try_get("before_json")?,
            after: r.try_get("after_json")?,
        },
        prev_hash: r.try_get("prev_hash")?,
        hash: r.try_get("hash")?,
    })
}

const AUDIT_COLS: &str = "court_code, seq, at, actor_id, actor_name, action, target_kind, target_id, case_id, \
                          before_json, after_json, prev_hash, hash";

/// A case's history, oldest first.
pub async fn of_case(
    conn: &mut AnyConnection,
    court: &str,
    case_id: &str,
) -> Result<Vec<StoredAudit>, StoreError> {
    let sql = format!(
        "SELECT {AUDIT_COLS} FROM audit_log WHERE court_code = $1 AND case_id = $2 ORDER BY seq"
    );
    let rows = sqlx::query(crate::dynamic(&sql))
        .bind(court.to_owned())
        .bind(case_id.to_owned())
        .fetch_all(conn)
        .await?;
    rows.iter().map(stored).collect()
}

/// One page of a court's chain from `after_seq` (exclusive), for verification.
pub async fn chain_page(
    conn: &mut AnyConnection,
    court: &str,
    after_seq: i64,
    limit: i64,
) -> Result<Vec<StoredAudit>, StoreError> {
    let sql = format!(
        "SELECT {AUDIT_COLS} FROM audit_log WHERE court_code = $1 AND seq > $2 ORDER BY seq LIMIT $3"
    );
    let rows = sqlx::query(crate::dynamic(&sql))
        .bind(court.to_owned())
        .bind(after_seq)
        .bind(limit)
        .fetch_all(conn)
        .await?;
    rows.iter().map(stored).collect()
}

/// First and last sequence numbers of a court's records with `from_ms <= at < to_ms`.
pub async fn seq_range(
    conn: &mut AnyConnection,
    court: &str,
    from_ms: i64,
    to_ms: i64,
) -> Result<Option<(i64, i64)>, StoreError> {
    let row = sqlx::query(
        "SELECT MIN(seq) AS lo, MAX(seq) AS hi FROM audit_log WHERE court_code = $1 AND at >= $2 AND at < $3",
    )
    .bind(court.to_owned())
    .bind(from_ms)
    .bind(to_ms)
    .fetch_one(conn)
    .await?;
    let lo: Option<i64> = row.try_get("lo")?;
    let hi: Option<i64> = row.try_get("hi")?;
    Ok(lo.zip(hi))
}

/// Courts that have an audit chain.
pub async fn chained_courts(conn: &mut AnyConnection) -> Result<Vec<String>, StoreError> {
    let rows = sqlx::query("SELECT DISTINCT court_code FROM audit_log ORDER BY court_code")
        .fetch_all(conn)
        .await?;
    rows.iter().map(|r| Ok(r.try_get("court_code")?)).collect()
}

/// Bulk-insert already chained records (the demo generator computes the chain in memory).
pub async fn insert_chained(
    conn: &mut AnyConnection,
    rows: &[StoredAudit],
) -> Result<(), StoreError> {
    for chunk in rows.chunks(crate::rows_per_statement(13)) {
        let sql = format!(
            "INSERT INTO audit_log (court_code, seq, at, actor_id, actor_name, action, target_kind, target_id, \
             case_id, before_json, after_json, prev_hash, hash) VALUES {}",
            crate::Backend::of(conn).values_clause(chunk.len(), 13)
        );
        let mut q = sqlx::query(crate::dynamic(&sql));
        for s in chunk {
            let r = &s.record;
            q = q
                .bind(r.court_code.clone())
                .bind(r.seq)
                .bind(r.at_ms)
                .bind(r.actor_id.clone())
                .bind(r.actor_name.clone())
                .bind(r.action.clone())
                .bind(r.target_kind.clone())
                .bind(r.target_id.clone())
                .bind(r.case_id.clone())
                .bind(r.before.clone())
                .bind(r.after.clone())
                .bind(s.prev_hash.clone())
                .bind(s.hash.clone());
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// The last (seq, hash) of a court's chain.
pub async fn head(
    conn: &mut AnyConnection,
    court: &str,
) -> Result<Option<(i64, String)>, StoreError> {
    let r = sqlx::query(
        "SELECT seq, hash FROM audit_log WHERE court_code = $1 ORDER BY seq DESC LIMIT 1",
    )
    .bind(court.to_owned())
    .fetch_optional(conn)
    .await?;
    r.map(|r| Ok((r.try_get("seq")?, r.try_get("hash")?)))
        .transpose()
}
