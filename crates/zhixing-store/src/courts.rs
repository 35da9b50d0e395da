//! Courts (reference table): the built-in GB/T 2260-derived table plus configured special courts.

use std::collections::HashMap;

use sqlx::{AnyConnection, Row};
use zhixing_domain::court::{Court, CourtLevel, builtin_courts};

use crate::batch::Stmt;
use crate::{Db, StoreError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CourtRow {
    pub code: String,
    pub name: String,
    pub level: String,
    pub parent_code: Option<String>,
    pub path: String,
    pub triage_fast_max_fen: i64,
}

const COURT_COLS: &str = "code, name, level, parent_code, path, triage_fast_max_fen";

fn row_to_court(r: &sqlx::any::AnyRow) -> Result<CourtRow, StoreError> {
    Ok(CourtRow {
        code: r.try_get("code")?,
        name: r.try_get("name")?,
        level: r.try_get("level")?,
        parent_code: r.try_get("parent_code")?,
        path: r.try_get("path")?,
        triage_fast_max_fen: r.try_get("triage_fast_max_fen")?,
    })
}

/// Ancestor path of each court: `最高法/川/川11/川1123`.
pub fn paths(courts: &[Court]) -> HashMap<String, String> {
    let parent: HashMap<&str, Option<&str>> = courts
        .iter()
        .map(|c| (c.code.as_str(), c.parent.as_deref()))
        .collect();
    let mut out = HashMap::with_capacity(courts.len());
    for c in courts {
        let mut chain = vec![c.code.as_str()];
        let mut cur = c.parent.as_deref();
        // Bounded walk: the hierarchy has four levels; a cycle in bad data must not hang.
        while let Some(p) = cur {
            if chain.len() > 8 {
                break;
            }
            chain.push(p);
            cur = parent.get(p).copied().flatten();
        }
        chain.reverse();
        out.insert(c.code.clone(), chain.join("/"));
    }
    out
}

/// Insert the built-in courts that are not there yet (existing rows keep their settings).
pub async fn load_builtin(db: &Db) -> Result<(), StoreError> {
    let courts = builtin_courts();
    let mut conn = db.conn().await?;
    let have: i64 = sqlx::query("SELECT COUNT(*) AS n FROM courts")
        .fetch_one(&mut *conn)
        .await?
        .try_get("n")?;
    if usize::try_from(have).unwrap_or(0) >= courts.len() {
        return Ok(());
    }
    drop(conn);
    let paths = paths(courts);
    let mut tx = db.begin().await?;
    for chunk in courts.chunks(crate::rows_per_statement(7)) {
        let mut sql = format!(
            "INSERT INTO courts (code, name, level, parent_code, division_code, special, path) VALUES {}",
            db.backend().values_clause(chunk.len(), 7)
        );
        sql.push_str(" ON CONFLICT (code) DO NOTHING");
        let mut q = sqlx::query(crate::dynamic(&sql));
        for c in chunk {
            q = q
                .bind(c.code.clone())
                .bind(c.name.clone())
                .bind(c.level.as_str())
                .bind(c.parent.clone())
                .bind(c.division_code.clone())
                .bind(i64::from(c.special))
                .bind(
                    paths
                        .get(&c.code)
                        .cloned()
                        .unwrap_or_else(|| c.code.clone()),
                );
        }
        q.execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Add a special court (railway, maritime, IP …) from configuration; its parent must exist.
pub async fn add_special(conn: &mut AnyConnection, court: &Court) -> Result<(), StoreError> {
    let parent = match &court.parent {
        Some(p) => find(conn, p).await?.ok_or(StoreError::NotFound)?,
        None => return Err(StoreError::NotFound),
    };
    sqlx::query(
        "INSERT INTO courts (code, name, level, parent_code, division_code, special, path) \
         VALUES ($1, $2, $3, $4, $5, 1, $6)",
    )
    .bind(court.code.clone())
    .bind(court.name.clone())
    .bind(court.level.as_str())
    .bind(court.parent.clone())
    .bind(court.division_code.clone())
    .bind(format!("{}/{}", parent.path, court.code))
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn find(conn: &mut AnyConnection, code: &str) -> Result<Option<CourtRow>, StoreError> {
    let sql = format!("SELECT {COURT_COLS} FROM courts WHERE code = $1");
    let row = sqlx::query(crate::dynamic(&sql))
        .bind(code.to_owned())
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(row_to_court).transpose()
}

/// Several courts in one round trip (missing codes are simply absent from the answer).
pub async fn find_many(
    conn: &mut AnyConnection,
    codes: &[&str],
) -> Result<Vec<CourtRow>, StoreError> {
    if codes.is_empty() {
        return Ok(Vec::new());
    }
    let rows = crate::batch::run(conn, vec![find_many_stmt(codes)]).await?;
    courts_in(&rows)
}

/// [`find_many`] as a statement for a [`crate::batch`]; [`courts_in`] reads its rows back.
pub fn find_many_stmt(codes: &[&str]) -> Stmt {
    let list: Vec<String> = (1..=codes.len().max(1)).map(|i| format!("${i}")).collect();
    let mut stmt = Stmt::new(format!(
        "SELECT {COURT_COLS} FROM courts WHERE code IN ({})",
        list.join(", ")
    ));
    if codes.is_empty() {
        stmt = stmt.text("");
    }
    for c in codes {
        stmt = stmt.text(*c);
    }
    stmt
}

/// The court rows among a batch's rows (those of a [`find_many_stmt`]).
pub fn courts_in(rows: &[sqlx::any::AnyRow]) -> Result<Vec<CourtRow>, StoreError> {
    rows.iter()
        .filter(|r| r.try_get::<i64, _>("triage_fast_max_fen").is_ok())
        .map(row_to_court)
        .collect()
}

/// The court and every court below it.
pub async fn subtree(conn: &mut AnyConnection, path: &str) -> Result<Vec<CourtRow>, StoreError> {
    let sql =
        format!("SELECT {COURT_COLS} FROM courts WHERE path = $1 OR path LIKE $2 ORDER BY path");
    let rows = sqlx::query(crate::dynamic(&sql))
        .bind(path.to_owned())
        .bind(format!("{}/%", like_escape(path)))
        .fetch_all(conn)
        .await?;
    rows.iter().map(row_to_court).collect()
}

pub async fn set_triage_threshold(
    conn: &mut AnyConnection,
    code: &str,
    fen: i64,
) -> Result<(), StoreError> {
    let r = sqlx::query("UPDATE courts SET triage_fast_max_fen = $1 WHERE code = $2")
        .bind(fen)
        .bind(code.to_owned())
        .execute(conn)
        .await?;
    if r.rows_affected() == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}

/// Court level as the domain enum (unknown text in the DB is corruption).
pub fn level_of(row: &CourtRow) -> Result<CourtLevel, StoreError> {
    CourtLevel::from_str_opt(&row.level)
        .ok_or_else(|| StoreError::Corrupt(format!("court level {}", row.level)))
}

/// Escape LIKE wildcards; used with `ESCAPE '\'`-free patterns only for paths, which contain no
/// wildcards (codes are CJK + digits), so this just guards against bad configuration.
pub fn like_escape(s: &str) -> String {
    s.replace(['%', '_'], "")
}
