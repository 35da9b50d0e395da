//! Storage errors: not found, a named constraint conflict, or anything else (a 500 upstream).

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A UNIQUE/PRIMARY KEY constraint refused the write; `constraint` is the table or index name
    /// as the database reports it (callers map it to a field).
    #[error("conflict on {constraint}")]
    Conflict { constraint: String },
    #[error("unsupported database URL (expected sqlite:// or postgres://): {0}")]
    BadUrl(String),
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error(transparent)]
    Sqlx(sqlx::Error),
}

impl From<sqlx::Error> for StoreError {
    #[track_caller]
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict {
                constraint: db
                    .constraint()
                    .map(str::to_owned)
                    .unwrap_or_else(|| db.message().to_owned()),
            },
            _ => StoreError::Sqlx(e),
        }
    }
}

impl StoreError {
    pub fn is_conflict(&self) -> bool {
        matches!(self, StoreError::Conflict { .. })
    }
}
