//! The only place where SQLite and PostgreSQL differ. Everything else is one SQL text.

use crate::StoreError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Run on every new SQLite connection: WAL for concurrent readers, a busy timeout instead of
/// immediate "database is locked", foreign keys on, and NORMAL sync (durable at checkpoint; WAL
/// keeps the store consistent after a crash), and a larger page cache.
pub const SQLITE_PRAGMAS: &[&str] = &[
    "PRAGMA journal_mode = WAL",
    "PRAGMA busy_timeout = 10000",
    "PRAGMA foreign_keys = ON",
    "PRAGMA synchronous = NORMAL",
    // 64 MiB page cache per connection (default 2 MiB): index inserts on a court's tables are
    // random (names, ID numbers); with the default cache they hit the OS on every page.
    "PRAGMA cache_size = -65536",
    // No checkpoint inside a COMMIT: with the default (every 1,000 pages) one commit in ten of a
    // filing burst took ~6 ms instead of ~0.6 ms, copying the WAL into the file and syncing it
    // while holding the writer slot (bench/RESULTS.md §2). `Db` runs PASSIVE checkpoints from a
    // background task instead (see `Db::connect`), which neither blocks nor waits for writers.
    "PRAGMA wal_autocheckpoint = 0",
];

impl Backend {
    pub fn from_url(url: &str) -> Result<Backend, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(StoreError::BadUrl(url.chars().take(40).collect()))
        }
    }

    /// SQLite: create the file when missing (`mode=rwc`).
    pub fn normalize_url(self, url: &str) -> String {
        match self {
            Backend::Sqlite if !url.contains("mode=") => {
                let sep = if url.contains('?') { '&' } else { '?' };
                format!("{url}{sep}mode=rwc")
            }
            _ => url.to_owned(),
        }
    }

    pub fn begin_statement(self) -> &'static str {
        match self {
            Backend::Sqlite => "BEGIN IMMEDIATE",
            Backend::Postgres => "BEGIN",
        }
    }

    /// Serialise appends to one court's audit chain. SQLite's writer lock already does; PostgreSQL
    /// takes a transaction-scoped advisory lock keyed by the court. (Wrapped in a SELECT that returns
    /// an integer because the Any driver cannot decode `void`.)
    pub fn audit_lock_sql(self) -> Option<&'static str> {
        match self {
            Backend::Sqlite => None,
            Backend::Postgres => {
                Some("SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock(hashtext($1))) AS l")
            }
        }
    }

    /// Suffix of a scheduler's SELECT of due rows: on PostgreSQL the rows are locked and rows locked
    /// by another scheduler are skipped; SQLite's single writer (`BEGIN IMMEDIATE`) already
    /// serialises schedulers.
    pub fn skip_locked_clause(self) -> &'static str {
        match self {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        }
    }

    /// The backend a connection talks to.
    pub fn of(conn: &sqlx::AnyConnection) -> Backend {
        if conn.backend_name() == "PostgreSQL" {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }

    /// `(…),(…)` placeholder list of a generated multi-row INSERT.
    ///
    /// PostgreSQL gets `$1…$n`. SQLite gets anonymous `?`: it looks `$N` names up in a linear list
    /// at parse and again at every bind (`sqlite3_bind_parameter_name`), so a statement with p named
    /// parameters costs O(p²); 100,000 demo cases took 173 s with `$N` and 500-row statements.
    /// Hand-written queries keep `$N` on both (few parameters, one text); only generated bulk
    /// statements differ, and only here.
    pub fn values_clause(self, rows: usize, cols: usize) -> String {
        let mut s = String::with_capacity(rows * cols * 5);
        for r in 0..rows {
            if r > 0 {
                s.push(',');
            }
            s.push('(');
            for c in 0..cols {
                if c > 0 {
                    s.push(',');
                }
                match self {
                    Backend::Sqlite => s.push('?'),
                    Backend::Postgres => {
                        s.push('$');
                        s.push_str(&(r * cols + c + 1).to_string());
                    }
                }
            }
            s.push(')');
        }
        s
    }

    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}
