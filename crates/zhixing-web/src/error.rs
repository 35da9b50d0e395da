//! The one mapping from application errors to HTTP: status + `{"error":{"code","field","message"}}`.
//!
//! Unmapped failures (storage, internal) are 500 with an opaque message; the cause is logged here and
//! never sent to the client.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use zhixing_app::AppError;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable snake_case code (`id_number_checksum`, `duplicate_filing`, …).
    pub code: String,
    /// The input field at fault (`debtors[0].id_number`), when there is one.
    pub field: Option<String>,
    /// Explanation in Simplified Chinese.
    pub message: String,
}

/// An error on its way out of an API handler.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: String,
    pub field: Option<String>,
    pub message: String,
}

impl ApiError {
    pub fn new(
        status: StatusCode,
        code: &str,
        field: Option<String>,
        message: impl Into<String>,
    ) -> Self {
        ApiError {
            status,
            code: code.into(),
            field,
            message: message.into(),
        }
    }
}

impl ApiError {
    /// A 500 with an opaque message; the detail goes to the log only.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        tracing::error!(%detail, "internal error");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            None,
            "服务器内部错误",
        )
    }
}

/// Status, code, field and message for an application error.
pub fn classify(e: &AppError) -> (StatusCode, String, Option<String>, String) {
    match e {
        AppError::Invalid(f) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            f.code.into(),
            Some(f.field.clone()),
            f.message.clone(),
        ),
        AppError::Unauthenticated => (
            StatusCode::UNAUTHORIZED,
            "unauthenticated".into(),
            None,
            "未登录或凭证无效".into(),
        ),
        AppError::Forbidden {
            code,
            field,
            message,
        } => (
            StatusCode::FORBIDDEN,
            (*code).into(),
            field.clone(),
            message.clone(),
        ),
        AppError::NotFound => (
            StatusCode::NOT_FOUND,
            "not_found".into(),
            None,
            "未找到".into(),
        ),
        AppError::Conflict {
            code,
            field,
            message,
        } => (
            StatusCode::CONFLICT,
            (*code).into(),
            field.clone(),
            message.clone(),
        ),
        AppError::RateLimited(m) => (
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited".into(),
            None,
            m.clone(),
        ),
        AppError::Store(_) | AppError::Internal(_) => {
            tracing::error!(error = %e, "unhandled error");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal".into(),
                None,
                "服务器内部错误，请联系管理员".into(),
            )
        }
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        let (status, code, field, message) = classify(&e);
        ApiError {
            status,
            code,
            field,
            message,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code,
                field: self.field,
                message: self.message,
            },
        };
        let mut resp = (self.status, axum::Json(body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            resp.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"zhixing\""),
            );
        }
        resp
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use zhixing_domain::FieldError;
    use zhixing_store::StoreError;

    #[test]
    fn mapping_table() {
        let table: Vec<(AppError, u16, &str)> = vec![
            (
                AppError::Invalid(FieldError::new(
                    "id_number_checksum",
                    "debtors[0].id_number",
                    "x",
                )),
                422,
                "id_number_checksum",
            ),
            (AppError::Unauthenticated, 401, "unauthenticated"),
            (
                AppError::forbidden("permission_denied", "x"),
                403,
                "permission_denied",
            ),
            (AppError::NotFound, 404, "not_found"),
            (
                AppError::Conflict {
                    code: "duplicate_filing",
                    field: None,
                    message: "x".into(),
                },
                409,
                "duplicate_filing",
            ),
            (AppError::RateLimited("x".into()), 429, "rate_limited"),
            (
                AppError::Store(StoreError::Corrupt("secret detail".into())),
                500,
                "internal",
            ),
            (AppError::Internal("secret detail".into()), 500, "internal"),
        ];
        for (e, status, code) in table {
            let (s, c, _, m) = classify(&e);
            assert_eq!(s.as_u16(), status, "{e:?}");
            assert_eq!(c, code);
            assert!(!m.contains("secret"), "500s must not leak the cause");
        }
    }
}
