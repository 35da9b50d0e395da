//! Several statements in one round trip where the database allows it.
//!
//! Each statement is written once, with its own `$1…$n`, and runs unchanged on both databases. On
//! SQLite a batch is sent as one multi-statement query (placeholders renumbered to absolute
//! positions; sqlx-sqlite binds `$N` across statements): every call to sqlx-sqlite is a hand-off to
//! the connection's thread, and a filing's write transaction went from 11 hand-offs to 4
//! (bench/RESULTS.md). PostgreSQL's extended protocol takes one statement per message, so there the
//! statements run one after another. Either way the first failing statement stops the batch.

use sqlx::AnyConnection;
use sqlx::any::AnyRow;

use crate::{Backend, StoreError};

/// A bound value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    Text(String),
    OptText(Option<String>),
    Int(i64),
    OptInt(Option<i64>),
}

/// One SQL statement with its arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stmt {
    pub sql: String,
    pub args: Vec<Arg>,
}

impl Stmt {
    pub fn new(sql: impl Into<String>) -> Stmt {
        Stmt {
            sql: sql.into(),
            args: Vec::new(),
        }
    }
    pub fn text(mut self, v: impl Into<String>) -> Stmt {
        self.args.push(Arg::Text(v.into()));
        self
    }
    pub fn opt(mut self, v: Option<impl Into<String>>) -> Stmt {
        self.args.push(Arg::OptText(v.map(Into::into)));
        self
    }
    pub fn int(mut self, v: i64) -> Stmt {
        self.args.push(Arg::Int(v));
        self
    }
    pub fn opt_int(mut self, v: Option<i64>) -> Stmt {
        self.args.push(Arg::OptInt(v));
        self
    }
}

/// Shift every `$N` placeholder by `offset` (statements here contain no `$` in literals).
pub fn renumber(sql: &str, offset: usize) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && chars.peek().is_some_and(char::is_ascii_digit) {
            let mut n = 0usize;
            while let Some(d) = chars.peek().and_then(|d| d.to_digit(10)) {
                n = n
                    .saturating_mul(10)
                    .saturating_add(usize::try_from(d).unwrap_or(0));
                chars.next();
            }
            out.push('$');
            out.push_str(&(n + offset).to_string());
        } else {
            out.push(c);
        }
    }
    out
}

fn bind_all<'q>(
    mut q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    args: impl IntoIterator<Item = Arg>,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    for a in args {
        q = match a {
            Arg::Text(s) => q.bind(s),
            Arg::OptText(s) => q.bind(s),
            Arg::Int(i) => q.bind(i),
            Arg::OptInt(i) => q.bind(i),
        };
    }
    q
}

/// Run the statements in order; returns every row they produce, in order. Takes the statements by
/// value so their arguments move into the query (bulk loads bind millions of strings).
/// Whether a batch's rows include one with the text column `col`: how a guarded
/// `UPDATE … WHERE status = … RETURNING id AS col` tells that it changed its row (a racing
/// second writer gets none and must undo everything else it did in the transaction).
pub fn returned(rows: &[AnyRow], col: &str) -> bool {
    rows.iter()
        .any(|r| sqlx::Row::try_get::<String, _>(r, col).is_ok())
}

pub async fn run(conn: &mut AnyConnection, stmts: Vec<Stmt>) -> Result<Vec<AnyRow>, StoreError> {
    match Backend::of(conn) {
        Backend::Sqlite if stmts.len() > 1 => {
            let mut sql = String::new();
            let mut offset = 0;
            for s in &stmts {
                sql.push_str(&renumber(&s.sql, offset));
                sql.push_str(";\n");
                offset += s.args.len();
            }
            let args = stmts.into_iter().flat_map(|s| s.args);
            Ok(bind_all(sqlx::query(crate::dynamic(&sql)), args)
                .fetch_all(conn)
                .await?)
        }
        _ => {
            let mut rows = Vec::new();
            for s in stmts {
                rows.extend(
                    bind_all(sqlx::query(crate::dynamic(&s.sql)), s.args)
                        .fetch_all(&mut *conn)
                        .await?,
                );
            }
            Ok(rows)
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    #[test]
    fn renumber_table() {
        for (sql, off, want) in [
            ("SELECT $1, $2", 0, "SELECT $1, $2"),
            (
                "SELECT $1, $12 FROM t WHERE a = $3",
                10,
                "SELECT $11, $22 FROM t WHERE a = $13",
            ),
            (
                "UPDATE t SET a = $1 || 'x'",
                4,
                "UPDATE t SET a = $5 || 'x'",
            ),
            ("SELECT '$' || $1", 1, "SELECT '$' || $2"),
        ] {
            assert_eq!(super::renumber(sql, off), want);
        }
    }
}
