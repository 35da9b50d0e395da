//! Teams, staff, API tokens and web sessions.

use sqlx::{AnyConnection, Row};

use crate::StoreError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamRow {
    pub court_code: String,
    pub id: String,
    pub name: String,
    pub track: String,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    pub id: String,
    pub court_code: String,
    pub username: String,
    pub name: String,
    pub role: String,
    pub team_id: Option<String>,
    pub password_hash: String,
    pub active: bool,
}

fn team(r: &sqlx::any::AnyRow) -> Result<TeamRow, StoreError> {
    Ok(TeamRow {
        court_code: r.try_get("court_code")?,
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        track: r.try_get("track")?,
        active: r.try_get::<i64, _>("active")? != 0,
    })
}

fn user(r: &sqlx::any::AnyRow) -> Result<UserRow, StoreError> {
    Ok(UserRow {
        id: r.try_get("id")?,
        court_code: r.try_get("court_code")?,
        username: r.try_get("username")?,
        name: r.try_get("name")?,
        role: r.try_get("role")?,
        team_id: r.try_get("team_id")?,
        password_hash: r.try_get("password_hash")?,
        active: r.try_get::<i64, _>("active")? != 0,
    })
}

const USER_COLS: &str = "id, court_code, username, name, role, team_id, password_hash, active";

pub async fn insert_team(
    conn: &mut AnyConnection,
    t: &TeamRow,
    now_ms: i64,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO teams (court_code, id, name, track, active, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(t.court_code.clone())
        .bind(t.id.clone())
        .bind(t.name.clone())
        .bind(t.track.clone())
        .bind(i64::from(t.active))
        .bind(now_ms)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn teams_of_court(
    conn: &mut AnyConnection,
    court: &str,
) -> Result<Vec<TeamRow>, StoreError> {
    let rows = sqlx::query(
        "SELECT court_code, id, name, track, active FROM teams WHERE court_code = $1 ORDER BY name",
    )
    .bind(court.to_owned())
    .fetch_all(conn)
    .await?;
    rows.iter().map(team).collect()
}

pub async fn find_team(
    conn: &mut AnyConnection,
    court: &str,
    id: &str,
) -> Result<Option<TeamRow>, StoreError> {
    let row = sqlx::query(
        "SELECT court_code, id, name, track, active FROM teams WHERE court_code = $1 AND id = $2",
    )
    .bind(court.to_owned())
    .bind(id.to_owned())
    .fetch_optional(conn)
    .await?;
    row.as_ref().map(team).transpose()
}

pub async fn find_team_by_name(
    conn: &mut AnyConnection,
    court: &str,
    name: &str,
) -> Result<Option<TeamRow>, StoreError> {
    let row = sqlx::query(
        "SELECT court_code, id, name, track, active FROM teams WHERE court_code = $1 AND name = $2",
    )
    .bind(court.to_owned())
    .bind(name.to_owned())
    .fetch_optional(conn)
    .await?;
    row.as_ref().map(team).transpose()
}

pub async fn insert_user(
    conn: &mut AnyConnection,
    u: &UserRow,
    now_ms: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO users (id, court_code, username, name, role, team_id, password_hash, active, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(u.id.clone())
    .bind(u.court_code.clone())
    .bind(u.username.clone())
    .bind(u.name.clone())
    .bind(u.role.clone())
    .bind(u.team_id.clone())
    .bind(u.password_hash.clone())
    .bind(i64::from(u.active))
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn find_user_by_username(
    conn: &mut AnyConnection,
    username: &str,
) -> Result<Option<UserRow>, StoreError> {
    let sql = format!("SELECT {USER_COLS} FROM users WHERE username = $1");
    let row = sqlx::query(crate::dynamic(&sql))
        .bind(username.to_owned())
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(user).transpose()
}

pub async fn find_user(conn: &mut AnyConnection, id: &str) -> Result<Option<UserRow>, StoreError> {
    let sql = format!("SELECT {USER_COLS} FROM users WHERE id = $1");
    let row = sqlx::query(crate::dynamic(&sql))
        .bind(id.to_owned())
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(user).transpose()
}

pub async fn users_of_court(
    conn: &mut AnyConnection,
    court: &str,
) -> Result<Vec<UserRow>, StoreError> {
    let sql =
        format!("SELECT {USER_COLS} FROM users WHERE court_code = $1 ORDER BY role, username");
    let rows = sqlx::query(crate::dynamic(&sql))
        .bind(court.to_owned())
        .fetch_all(conn)
        .await?;
    rows.iter().map(user).collect()
}

pub async fn set_user_active(
    conn: &mut AnyConnection,
    id: &str,
    active: bool,
) -> Result<(), StoreError> {
    let r = sqlx::query("UPDATE users SET active = $1 WHERE id = $2")
        .bind(i64::from(active))
        .bind(id.to_owned())
        .execute(conn)
        .await?;
    if r.rows_affected() == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}

// ---- API tokens -------------------------------------------------------------------------------

pub async fn insert_token(
    conn: &mut AnyConnection,
    token_hash: &str,
    user_id: &str,
    label: &str,
    now_ms: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO api_tokens (token_hash, user_id, label, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(token_hash.to_owned())
    .bind(user_id.to_owned())
    .bind(label.to_owned())
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(())
}

/// The active user owning a non-revoked token.
/// The active user owning a non-revoked token, with their court's path (one round trip per request).
pub async fn user_by_token(
    conn: &mut AnyConnection,
    token_hash: &str,
) -> Result<Option<(UserRow, String)>, StoreError> {
    let row = sqlx::query(
        "SELECT u.id, u.court_code, u.username, u.name, u.role, u.team_id, u.password_hash, u.active, \
                c.path AS court_path \
         FROM api_tokens t JOIN users u ON u.id = t.user_id JOIN courts c ON c.code = u.court_code \
         WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.active = 1",
    )
    .bind(token_hash.to_owned())
    .fetch_optional(conn)
    .await?;
    row.as_ref()
        .map(|r| Ok((user(r)?, r.try_get("court_path")?)))
        .transpose()
}

/// Revoke every token of a user; returns how many were revoked.
pub async fn revoke_tokens(
    conn: &mut AnyConnection,
    user_id: &str,
    now_ms: i64,
) -> Result<u64, StoreError> {
    let r = sqlx::query(
        "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
    )
    .bind(now_ms)
    .bind(user_id.to_owned())
    .execute(conn)
    .await?;
    Ok(r.rows_affected())
}

// ---- Sessions ---------------------------------------------------------------------------------

#[derive(Debug, Clone)]
pub struct SessionRow {
    pub user: UserRow,
    pub court_path: String,
    pub csrf_token: String,
    pub last_seen_at: i64,
    pub expires_at: i64,
}

pub async fn insert_session(
    conn: &mut AnyConnection,
    token_hash: &str,
    user_id: &str,
    csrf: &str,
    now_ms: i64,
    expires_at: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at) \
         VALUES ($1, $2, $3, $4, $4, $5)",
    )
    .bind(token_hash.to_owned())
    .bind(user_id.to_owned())
    .bind(csrf.to_owned())
    .bind(now_ms)
    .bind(expires_at)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn find_session(
    conn: &mut AnyConnection,
    token_hash: &str,
) -> Result<Option<SessionRow>, StoreError> {
    let row = sqlx::query(
        "SELECT u.id, u.court_code, u.username, u.name, u.role, u.team_id, u.password_hash, u.active, \
                s.csrf_token, s.last_seen_at, s.expires_at, c.path AS court_path \
         FROM sessions s JOIN users u ON u.id = s.user_id JOIN courts c ON c.code = u.court_code \
         WHERE s.token_hash = $1",
    )
    .bind(token_hash.to_owned())
    .fetch_optional(conn)
    .await?;
    match row {
        None => Ok(None),
        Some(r) => Ok(Some(SessionRow {
            user: user(&r)?,
            court_path: r.try_get("court_path")?,
            csrf_token: r.try_get("csrf_token")?,
            last_seen_at: r.try_get("last_seen_at")?,
            expires_at: r.try_get("expires_at")?,
        })),
    }
}

pub async fn touch_session(
    conn: &mut AnyConnection,
    token_hash: &str,
    now_ms: i64,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
        .bind(now_ms)
        .bind(token_hash.to_owned())
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn delete_session(conn: &mut AnyConnection, token_hash: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash.to_owned())
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn delete_sessions_of_user(
    conn: &mut AnyConnection,
    user_id: &str,
) -> Result<u64, StoreError> {
    let r = sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id.to_owned())
        .execute(conn)
        .await?;
    Ok(r.rows_affected())
}
