//! Who may see and do what: the single place where access rules are applied.
//!
//! A case outside the actor's scope is reported as [`AppError::NotFound`] (no existence leak); a
//! forbidden action on a visible case is [`AppError::Forbidden`].

use zhixing_domain::role::{CaseScope, Permission, Role};
use zhixing_store::cases::{CaseRow, Visibility};

use crate::AppError;

/// The authenticated user acting, with their court's place in the hierarchy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: String,
    pub username: String,
    pub name: String,
    pub court_code: String,
    /// `最高法/川/川11/川1123`
    pub court_path: String,
    pub role: Role,
    pub team_id: Option<String>,
}

impl Actor {
    /// The operator at the command line (court set-up, demo data): an admin of `court`.
    pub fn system(court_code: &str, court_path: &str) -> Actor {
        Actor {
            user_id: "system".into(),
            username: "system".into(),
            name: "系统（命令行）".into(),
            court_code: court_code.into(),
            court_path: court_path.into(),
            role: Role::Admin,
            team_id: None,
        }
    }

    pub fn require(&self, p: Permission) -> Result<(), AppError> {
        if self.role.has(p) {
            Ok(())
        } else {
            Err(AppError::forbidden(
                "permission_denied",
                format!("角色「{}」无权执行此操作", self.role.name_zh()),
            ))
        }
    }

    /// The rows of `cases` this actor may read.
    pub fn visibility(&self) -> Result<Visibility, AppError> {
        match self.role.case_scope() {
            CaseScope::Team => Ok(Visibility::Team {
                court: self.court_code.clone(),
                team_id: self.team_id.clone(),
                user_id: self.user_id.clone(),
            }),
            CaseScope::Court => Ok(Visibility::Court(self.court_code.clone())),
            CaseScope::Subordinates => Ok(Visibility::Subtree {
                path: self.court_path.clone(),
            }),
            CaseScope::None => Err(AppError::forbidden(
                "permission_denied",
                format!("角色「{}」不能查看案件数据", self.role.name_zh()),
            )),
        }
    }

    /// Whether this actor may read this case; `case_court_path` is the path of the case's court.
    pub fn can_see(&self, case: &CaseRow, case_court_path: &str) -> bool {
        match self.role.case_scope() {
            CaseScope::Team => {
                case.court_code == self.court_code
                    && (case.handler_id.as_deref() == Some(self.user_id.as_str())
                        || (self.team_id.is_some() && case.team_id == self.team_id))
            }
            CaseScope::Court => case.court_code == self.court_code,
            CaseScope::Subordinates => {
                case_court_path == self.court_path
                    || case_court_path.starts_with(&format!("{}/", self.court_path))
            }
            CaseScope::None => false,
        }
    }

    /// Whether this actor may change cases of `court` (supervisors read only).
    pub fn writes_in(&self, court: &str) -> bool {
        self.court_code == court && self.role != Role::Supervisor
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn actor(role: Role, court: &str, path: &str, team: Option<&str>) -> Actor {
        Actor {
            user_id: "u1".into(),
            username: "u1".into(),
            name: "甲".into(),
            court_code: court.into(),
            court_path: path.into(),
            role,
            team_id: team.map(Into::into),
        }
    }

    fn case(court: &str, team: Option<&str>, handler: Option<&str>) -> CaseRow {
        CaseRow {
            court_code: court.into(),
            id: "c".into(),
            case_number: "（2024）川1123执1号".into(),
            year: 2024,
            specialty_code: String::new(),
            type_code: "执".into(),
            serial: 1,
            filed_on: "2024-01-02".into(),
            basis_court: court.into(),
            basis_document_number: "x".into(),
            basis_document_type: "民事判决书".into(),
            claim_fen: 1,
            track: "fast".into(),
            triage_reason: String::new(),
            team_id: team.map(Into::into),
            handler_id: handler.map(Into::into),
            assignment_reason: String::new(),
            status: "in_progress".into(),
            created_at: 0,
            created_by: "x".into(),
            updated_at: 0,
            team_name: None,
            handler_name: None,
            applicant_name: None,
            debtor_name: None,
        }
    }

    #[test]
    fn visibility_table() {
        let p = "最高法/川/川11/川1123";
        // (actor, case, case path, visible)
        let table = [
            (
                actor(Role::Judge, "川1123", p, Some("t1")),
                case("川1123", Some("t1"), None),
                p,
                true,
            ),
            (
                actor(Role::Judge, "川1123", p, Some("t1")),
                case("川1123", Some("t2"), None),
                p,
                false,
            ),
            (
                actor(Role::Judge, "川1123", p, Some("t1")),
                case("川1123", Some("t2"), Some("u1")),
                p,
                true,
            ),
            (
                actor(Role::Judge, "川1123", p, None),
                case("川1123", None, None),
                p,
                false,
            ),
            (
                actor(Role::Command, "川1123", p, None),
                case("川1123", Some("t2"), None),
                p,
                true,
            ),
            (
                actor(Role::Command, "川1123", p, None),
                case("川1102", Some("t2"), None),
                "最高法/川/川11/川1102",
                false,
            ),
            (
                actor(Role::Supervisor, "川11", "最高法/川/川11", None),
                case("川1123", None, None),
                p,
                true,
            ),
            (
                actor(Role::Supervisor, "川11", "最高法/川/川11", None),
                case("川0104", None, None),
                "最高法/川/川01/川0104",
                false,
            ),
            // prefix of the code is not a prefix of the path segment
            (
                actor(Role::Supervisor, "川1", "最高法/川/川1", None),
                case("川1123", None, None),
                p,
                false,
            ),
            (
                actor(Role::Admin, "川1123", p, None),
                case("川1123", None, None),
                p,
                false,
            ),
        ];
        for (i, (a, c, path, want)) in table.into_iter().enumerate() {
            assert_eq!(a.can_see(&c, path), want, "row {i}");
        }
    }
}
