//! zhixing-store: the one storage layer for SQLite (embedded default) and PostgreSQL (a province).
//!
//! One SQL text per query, written in the portable subset both databases accept (see
//! ARCHITECTURE.md "Storage"); the few differences live in [`dialect`]. One embedded, append-only
//! migration set runs at start. Query functions take `&mut AnyConnection`, so they run the same
//! inside a transaction (`&mut *tx`) or on a pooled connection.

pub mod audit;
pub mod batch;
pub mod cases;
pub mod consumption;
pub mod courts;
pub mod deadlines;
pub mod dialect;
pub mod duty;
pub mod error;
pub mod funds;
pub mod measures;
pub mod users;

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions};

pub use dialect::Backend;
pub use error::StoreError;

/// A write transaction on either database. Dereferences to the connection, so query functions take
/// `&mut tx`. On SQLite it also holds the in-process writer lock until commit or drop.
pub struct Tx {
    inner: sqlx::Transaction<'static, sqlx::Any>,
    _writer: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl Tx {
    pub async fn commit(self) -> Result<(), StoreError> {
        self.inner.commit().await?;
        Ok(())
    }

    pub async fn rollback(self) -> Result<(), StoreError> {
        self.inner.rollback().await?;
        Ok(())
    }
}

impl std::ops::Deref for Tx {
    type Target = sqlx::AnyConnection;
    fn deref(&self) -> &Self::Target {
        &self.inner
    }
}

impl std::ops::DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.inner
    }
}
pub use sqlx::AnyConnection as Conn;

/// The embedded migration set (`migrations/` at the workspace root).
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations");

/// The default database: a SQLite file in the working directory.
pub const DEFAULT_DB_URL: &str = "sqlite://zhixing.db";

/// A pool on one of the two databases.
#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
    /// SQLite has one writer at a time. Writers of this process queue here instead of racing for
    /// the file lock: a loser of that race sleeps in SQLite's busy handler (1, 2, 5, 10 … ms), which
    /// cut filing throughput to a third (bench/RESULTS.md). Other processes still meet busy_timeout.
    writer: std::sync::Arc<tokio::sync::Mutex<()>>,
}

impl Db {
    /// Connect by URL: `sqlite://path` (the file is created when missing) or `postgres://…`.
    pub async fn connect(url: &str) -> Result<Db, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url)?;
        let url = backend.normalize_url(url);
        let opts =
            AnyConnectOptions::from_str(&url)?.log_statements(tracing::log::LevelFilter::Trace);
        let max = match backend {
            // One writer at a time (see `writer`); readers run beside it in WAL mode.
            Backend::Sqlite => 8,
            Backend::Postgres => 16,
        };
        let pool = AnyPoolOptions::new()
            .max_connections(max)
            // A pooled SQLite connection is a file handle in this process: there is no peer that
            // could have gone away, and the ping is one more hand-off to the connection's thread
            // per acquire (bench/RESULTS.md §2). PostgreSQL connections are still checked.
            .test_before_acquire(backend == Backend::Postgres)
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        for pragma in dialect::SQLITE_PRAGMAS {
                            sqlx::query(*pragma).execute(&mut *conn).await?;
                        }
                    }
                    Ok(())
                })
            })
            .connect_with(opts)
            .await?;
        if backend == Backend::Sqlite {
            tokio::spawn(checkpoints(pool.clone()));
        }
        Ok(Db {
            pool,
            backend,
            writer: std::sync::Arc::new(tokio::sync::Mutex::new(())),
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Apply pending migrations and load the built-in court table. Idempotent.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        MIGRATOR.run(&self.pool).await?;
        courts::load_builtin(self).await?;
        Ok(())
    }

    /// Begin a write transaction (`BEGIN IMMEDIATE` on SQLite so the write lock is taken up front and
    /// two writers cannot deadlock on lock upgrade).
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        let writer = match self.backend {
            Backend::Sqlite => Some(self.writer.clone().lock_owned().await),
            Backend::Postgres => None,
        };
        let inner = self.pool.begin_with(self.backend.begin_statement()).await?;
        Ok(Tx {
            inner,
            _writer: writer,
        })
    }

    /// A pooled connection for reads.
    pub async fn conn(&self) -> Result<sqlx::pool::PoolConnection<sqlx::Any>, StoreError> {
        Ok(self.pool.acquire().await?)
    }

    pub async fn close(&self) {
        if self.backend == Backend::Sqlite {
            // Leave the WAL folded into the file and truncated: the next opener starts clean.
            if let Ok(mut c) = self.pool.acquire().await {
                let _ = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                    .execute(&mut *c)
                    .await;
            }
        }
        self.pool.close().await;
    }
}

/// How often the background task folds the SQLite WAL back into the database file.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(1000);

/// The SQLite checkpointer of one pool (connections run with `wal_autocheckpoint = 0`, see
/// [`dialect::SQLITE_PRAGMAS`]): a PASSIVE checkpoint every [`CHECKPOINT_EVERY`] copies what no
/// reader still needs and syncs the file, on a pooled connection and off the writer's path. It
/// ends when the pool is closed; a process that exits without closing leaves a WAL that the next
/// opener reads and checkpoints (SQLite's own recovery), so nothing is lost either way.
async fn checkpoints(pool: AnyPool) {
    while !pool.is_closed() {
        tokio::time::sleep(CHECKPOINT_EVERY).await;
        if pool.is_closed() {
            break;
        }
        let Ok(mut conn) = pool.acquire().await else {
            break;
        };
        if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .execute(&mut *conn)
            .await
        {
            tracing::warn!(error = %e, "SQLite checkpoint failed; retrying");
        }
    }
}

/// Most bound parameters in one generated multi-row INSERT (SQLite allows 32,766; PostgreSQL 65,535).
/// With anonymous placeholders on SQLite (see [`Backend::values_clause`]) larger statements are
/// cheaper per row; this bound keeps one statement's memory modest.
pub const MAX_PARAMS_PER_STATEMENT: usize = 4000;

/// Rows per multi-row INSERT for a table of `columns` columns.
pub fn rows_per_statement(columns: usize) -> usize {
    (MAX_PARAMS_PER_STATEMENT / columns.max(1)).max(1)
}

/// Helper for dynamic SQL built from fixed fragments (never from user text: values are bound).
pub(crate) fn dynamic(sql: &str) -> sqlx::AssertSqlSafe<String> {
    sqlx::AssertSqlSafe(sql.to_owned())
}
