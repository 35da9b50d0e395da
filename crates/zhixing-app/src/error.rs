//! The one error type of the use cases. The web crate maps it to HTTP in exactly one place.

use zhixing_domain::FieldError;
use zhixing_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Input broke a rule (HTTP 422).
    #[error("{0}")]
    Invalid(FieldError),
    /// No valid credentials (HTTP 401).
    #[error("未登录或凭证无效")]
    Unauthenticated,
    /// Authenticated, the target is visible, but the action is not allowed (HTTP 403).
    #[error("{message}")]
    Forbidden {
        code: &'static str,
        field: Option<String>,
        message: String,
    },
    /// Absent, or outside the actor's scope — the two are indistinguishable on purpose (HTTP 404).
    #[error("未找到")]
    NotFound,
    /// The write conflicts with existing data (HTTP 409).
    #[error("{message}")]
    Conflict {
        code: &'static str,
        field: Option<String>,
        message: String,
    },
    /// Too many attempts (HTTP 429).
    #[error("{0}")]
    RateLimited(String),
    /// Anything else (HTTP 500, opaque to the client, logged).
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<FieldError> for AppError {
    #[track_caller]
    fn from(e: FieldError) -> Self {
        AppError::Invalid(e)
    }
}

impl From<sqlx::Error> for AppError {
    #[track_caller]
    fn from(e: sqlx::Error) -> Self {
        AppError::Store(StoreError::from(e))
    }
}

impl AppError {
    pub fn forbidden(code: &'static str, message: impl Into<String>) -> Self {
        AppError::Forbidden {
            code,
            field: None,
            message: message.into(),
        }
    }
    /// A 409 without a field.
    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        AppError::Conflict {
            code,
            field: None,
            message: message.into(),
        }
    }

    pub fn invalid(code: &'static str, field: &str, message: impl Into<String>) -> Self {
        AppError::Invalid(FieldError::new(code, field, message))
    }
}
