//! zhixing-app: the use cases.
//!
//! Each use case takes the acting user ([`Actor`]), the current instant (`now_ms`, unix ms UTC) and
//! its input; it checks scope and permission in [`scope`], validates through the domain, and performs
//! every write in one transaction that also appends the audit record. Nothing here knows HTTP.

pub mod admin;
pub mod audit;
pub mod auth;
pub mod cases;
pub mod consumption;
pub mod deadlines;
pub mod demo;
pub mod documents;
pub mod duty;
pub mod error;
pub mod evidence;
pub mod funds;
pub mod jobs;
pub mod lists;
pub mod measures;
mod published;
pub mod reviews;
pub mod scope;
pub mod statement;

pub use error::AppError;
pub use scope::Actor;
use zhixing_store::Db;

/// The application: a database and nothing else global.
#[derive(Clone, Debug)]
pub struct App {
    pub db: Db,
    /// Where evidence files live (content-addressed by SM3); see [`evidence`].
    pub evidence_dir: std::path::PathBuf,
    /// Legal-document templates: built in, or a court's edited copies (`ZHIXING_DOC_TEMPLATES`).
    pub doc_templates: zhixing_docs::Templates,
    /// The published lists in memory for the public portal (see [`lists`]).
    pub lists: std::sync::Arc<lists::PublicLists>,
    /// Filings waiting to be group-committed, per court (see `cases`).
    pub filings: std::sync::Arc<cases::FilingQueues>,
}

/// Default evidence folder, beside the default SQLite file.
pub const DEFAULT_EVIDENCE_DIR: &str = "zhixing-data/evidence";

impl App {
    pub fn new(db: Db) -> Self {
        App {
            db,
            evidence_dir: DEFAULT_EVIDENCE_DIR.into(),
            doc_templates: zhixing_docs::Templates::builtin(),
            lists: std::sync::Arc::default(),
            filings: std::sync::Arc::default(),
        }
    }

    /// Use a court's edited document templates (`<dir>/<kind>.txt` overrides the built-in one).
    pub fn with_doc_templates(mut self, dir: impl Into<std::path::PathBuf>) -> Self {
        self.doc_templates = zhixing_docs::Templates::with_dir(dir);
        self
    }

    /// Keep evidence files under `dir`.
    pub fn with_evidence_dir(mut self, dir: impl Into<std::path::PathBuf>) -> Self {
        self.evidence_dir = dir.into();
        self
    }
}

/// A new application id (UUIDv7: time-ordered, so B-tree inserts stay local).
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Current time in unix milliseconds (binaries call this once per request and pass it down).
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
