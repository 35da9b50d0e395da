//! Rule violations found by the domain.
//!
//! A [`RuleError`] says which rule was broken, with a stable snake_case `code` that API clients and
//! tests match on and a Chinese message for people. It carries no field name: the caller knows where
//! the value came from and attaches it with [`RuleError::at`], giving a [`FieldError`] such as
//! `debtors[0].id_number`.

/// A broken rule, without the location of the offending value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct RuleError {
    /// Stable machine-readable code, snake_case (`id_number_checksum`, `case_number_format`, …).
    pub code: &'static str,
    /// Human-readable explanation in Simplified Chinese naming the rule.
    pub message: String,
}

impl RuleError {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    /// Attach the input field the bad value came from.
    pub fn at(self, field: impl Into<String>) -> FieldError {
        FieldError {
            code: self.code,
            field: field.into(),
            message: self.message,
        }
    }
}

/// A broken rule located at an input field (dotted/bracketed path, e.g. `debtors[0].id_number`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct FieldError {
    pub code: &'static str,
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(code: &'static str, field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code,
            field: field.into(),
            message: message.into(),
        }
    }
}
