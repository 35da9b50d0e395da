//! Court set-up: teams (the "1 + N" model) and staff, and the audit helper every write uses.

use zhixing_domain::party::validate_name;
use zhixing_domain::role::{Permission, Role};
use zhixing_store::audit::{self, AuditEntry};
use zhixing_store::users::{self, TeamRow, UserRow};
use zhixing_store::{Backend, Conn, courts};

use crate::auth::{check_password_policy, hash_password};
use crate::{Actor, App, AppError, new_id};

/// Append an audit record for a write by `actor`.
#[allow(clippy::too_many_arguments)]
pub async fn audit(
    conn: &mut Conn,
    backend: Backend,
    actor: &Actor,
    action: &str,
    target_kind: &str,
    target_id: &str,
    case_id: Option<&str>,
    before: Option<String>,
    after: Option<String>,
    now_ms: i64,
) -> Result<audit::StoredAudit, AppError> {
    Ok(audit::append(
        conn,
        backend,
        AuditEntry {
            court_code: actor.court_code.clone(),
            actor_id: actor.user_id.clone(),
            actor_name: actor.name.clone(),
            action: action.into(),
            target_kind: target_kind.into(),
            target_id: target_id.into(),
            case_id: case_id.map(Into::into),
            before,
            after,
        },
        now_ms,
    )
    .await?)
}

/// Audit a write made by the command-line operator in `court`.
#[allow(clippy::too_many_arguments)]
pub async fn audit_system(
    conn: &mut Conn,
    backend: Backend,
    court: &str,
    action: &str,
    target_kind: &str,
    target_id: &str,
    before: Option<String>,
    after: Option<String>,
    now_ms: i64,
) -> Result<(), AppError> {
    let actor = Actor::system(court, "");
    audit(
        conn,
        backend,
        &actor,
        action,
        target_kind,
        target_id,
        None,
        before,
        after,
        now_ms,
    )
    .await?;
    Ok(())
}

/// Team track: an enforcement team of one track, or the command center.
pub const TEAM_TRACKS: [&str; 3] = ["fast", "standard", "command"];

pub fn track_name_zh(track: &str) -> &'static str {
    match track {
        "fast" => "速执（简案）",
        "standard" => "精执（繁案）",
        "command" => "指挥中心",
        _ => "未知",
    }
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub court: String,
    pub role: String,
    pub username: String,
    pub name: String,
    pub team: Option<String>,
    pub password: String,
}

fn validate_username(u: &str) -> Result<String, AppError> {
    let u = u.trim();
    let ok = (3..=32).contains(&u.len())
        && u.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
    if ok {
        Ok(u.to_owned())
    } else {
        Err(AppError::invalid(
            "username_format",
            "username",
            "用户名为 3–32 位字母、数字、下划线、点或连字符",
        ))
    }
}

impl App {
    async fn court_for_admin(
        &self,
        actor: &Actor,
        court: &str,
    ) -> Result<courts::CourtRow, AppError> {
        actor.require(Permission::ManageTeams)?;
        let mut conn = self.db.conn().await?;
        let row = courts::find(&mut conn, court.trim())
            .await?
            .ok_or_else(|| {
                AppError::invalid(
                    "unknown_court",
                    "court",
                    format!("法院代字「{}」不存在", court.trim()),
                )
            })?;
        if actor.user_id != "system" && actor.court_code != row.code {
            return Err(AppError::forbidden(
                "court_scope",
                "只能管理本院的团队和人员",
            ));
        }
        Ok(row)
    }

    /// Add a team to a court.
    pub async fn add_team(
        &self,
        actor: &Actor,
        court: &str,
        name: &str,
        track: &str,
        now_ms: i64,
    ) -> Result<TeamRow, AppError> {
        let court = self.court_for_admin(actor, court).await?;
        let name = validate_name(name).map_err(|e| AppError::Invalid(e.at("name")))?;
        let track = track.trim();
        if !TEAM_TRACKS.contains(&track) {
            return Err(AppError::invalid(
                "team_track",
                "track",
                "团队类型必须是 fast（速执）、standard（精执）或 command（指挥中心）",
            ));
        }
        let team = TeamRow {
            court_code: court.code.clone(),
            id: new_id(),
            name,
            track: track.into(),
            active: true,
        };
        let mut tx = self.db.begin().await?;
        match users::insert_team(&mut tx, &team, now_ms).await {
            Err(e) if e.is_conflict() => {
                return Err(AppError::Conflict {
                    code: "team_exists",
                    field: Some("name".into()),
                    message: format!("本院已有名为「{}」的团队", team.name),
                });
            }
            r => r?,
        }
        let after = serde_json::json!({"name": team.name, "track": team.track}).to_string();
        let a = Actor {
            court_code: court.code.clone(),
            ..actor.clone()
        };
        audit(
            &mut tx,
            self.db.backend(),
            &a,
            "team.add",
            "team",
            &team.id,
            None,
            None,
            Some(after),
            now_ms,
        )
        .await?;
        tx.commit().await?;
        Ok(team)
    }

    /// Add a staff member.
    pub async fn add_user(
        &self,
        actor: &Actor,
        input: NewUser,
        now_ms: i64,
    ) -> Result<UserRow, AppError> {
        self.add_user_hashed(actor, input, None, now_ms).await
    }

    /// Add a staff member whose password hash was already computed for `input.password` (the demo
    /// generator gives its accounts one shared demo password and hashes it once).
    pub(crate) async fn add_user_hashed(
        &self,
        actor: &Actor,
        input: NewUser,
        precomputed_hash: Option<String>,
        now_ms: i64,
    ) -> Result<UserRow, AppError> {
        let court = self.court_for_admin(actor, &input.court).await?;
        let role = Role::from_str_opt(input.role.trim()).ok_or_else(|| {
            let all: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
            AppError::invalid(
                "role",
                "role",
                format!("角色必须是以下之一：{}", all.join(", ")),
            )
        })?;
        let username = validate_username(&input.username)?;
        let name = validate_name(&input.name).map_err(|e| AppError::Invalid(e.at("name")))?;
        check_password_policy(&input.password)?;
        let mut conn = self.db.conn().await?;
        let team_id = match input
            .team
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            Some(t) => Some(
                users::find_team_by_name(&mut conn, &court.code, t)
                    .await?
                    .ok_or_else(|| {
                        AppError::invalid(
                            "unknown_team",
                            "team",
                            format!("本院没有名为「{t}」的团队"),
                        )
                    })?
                    .id,
            ),
            None => None,
        };
        drop(conn);
        let password_hash = match precomputed_hash {
            Some(h) => h,
            None => {
                let pw = input.password.clone();
                tokio::task::spawn_blocking(move || hash_password(&pw))
                    .await
                    .map_err(|e| AppError::Internal(e.to_string()))??
            }
        };
        let user = UserRow {
            id: new_id(),
            court_code: court.code.clone(),
            username,
            name,
            role: role.as_str().into(),
            team_id,
            password_hash,
            active: true,
        };
        let mut tx = self.db.begin().await?;
        match users::insert_user(&mut tx, &user, now_ms).await {
            Err(e) if e.is_conflict() => {
                return Err(AppError::Conflict {
                    code: "username_taken",
                    field: Some("username".into()),
                    message: format!("用户名「{}」已被使用", user.username),
                });
            }
            r => r?,
        }
        let after = serde_json::json!({"username": user.username, "name": user.name, "role": user.role, "team_id": user.team_id}).to_string();
        let a = Actor {
            court_code: court.code.clone(),
            ..actor.clone()
        };
        audit(
            &mut tx,
            self.db.backend(),
            &a,
            "user.add",
            "user",
            &user.id,
            None,
            None,
            Some(after),
            now_ms,
        )
        .await?;
        tx.commit().await?;
        Ok(user)
    }

    pub async fn teams(&self, court: &str) -> Result<Vec<TeamRow>, AppError> {
        let mut conn = self.db.conn().await?;
        Ok(users::teams_of_court(&mut conn, court).await?)
    }

    pub async fn staff(&self, actor: &Actor) -> Result<Vec<UserRow>, AppError> {
        actor.require(Permission::ManageUsers)?;
        let mut conn = self.db.conn().await?;
        Ok(users::users_of_court(&mut conn, &actor.court_code).await?)
    }

    /// Set a court's 繁简分流 threshold (admin of that court).
    pub async fn set_triage_threshold(
        &self,
        actor: &Actor,
        court: &str,
        fen: i64,
        now_ms: i64,
    ) -> Result<(), AppError> {
        let court = self.court_for_admin(actor, court).await?;
        if fen < 0 {
            return Err(AppError::invalid(
                "money_negative",
                "fast_max_fen",
                "简案标准金额不能为负数",
            ));
        }
        let mut tx = self.db.begin().await?;
        courts::set_triage_threshold(&mut tx, &court.code, fen).await?;
        let a = Actor {
            court_code: court.code.clone(),
            ..actor.clone()
        };
        audit(
            &mut tx,
            self.db.backend(),
            &a,
            "court.triage_threshold",
            "court",
            &court.code,
            None,
            Some(court.triage_fast_max_fen.to_string()),
            Some(fen.to_string()),
            now_ms,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
