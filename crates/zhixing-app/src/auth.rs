//! Passwords (argon2id), API bearer tokens and web sessions.
//!
//! Secrets are never stored: tokens and session ids are random 256-bit values; the database keeps
//! their SM3 digest. Passwords are argon2id PHC strings (OWASP default parameters).

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use rand::RngCore;
use zhixing_domain::audit::sm3_hex;
use zhixing_domain::role::Role;
use zhixing_store::users::{self, UserRow};
use zhixing_store::{StoreError, courts};

use crate::{Actor, App, AppError};

/// Idle timeout of a web session (等保 2.0 requires session timeout; 30 minutes is common practice).
pub const SESSION_IDLE_MS: i64 = 30 * 60 * 1000;
/// Absolute lifetime of a web session.
pub const SESSION_MAX_MS: i64 = 12 * 3600 * 1000;
/// Minimum password length (GB/T 22239-2019 8.1.4.1 requires complexity; we require ≥ 8 with letters and digits).
pub const MIN_PASSWORD_LEN: usize = 8;

/// A random 256-bit secret, hex.
pub fn random_secret() -> String {
    let mut b = [0u8; 32];
    rand::rng().fill_bytes(&mut b);
    hex::encode(b)
}

pub fn check_password_policy(pw: &str) -> Result<(), AppError> {
    let long = pw.chars().count() >= MIN_PASSWORD_LEN;
    let letters = pw.chars().any(|c| c.is_alphabetic());
    let digits = pw.chars().any(|c| c.is_ascii_digit());
    if long && letters && digits && pw.len() <= 128 {
        Ok(())
    } else {
        Err(AppError::invalid(
            "password_policy",
            "password",
            "密码至少 8 位，且须同时包含字母和数字",
        ))
    }
}

pub fn hash_password(pw: &str) -> Result<String, AppError> {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    Argon2::default()
        .hash_password_with_salt(pw.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(e.to_string()))
}

pub fn verify_password(pw: &str, phc: &str) -> bool {
    Argon2::default()
        .verify_password(pw.as_bytes(), phc)
        .is_ok()
}

/// A fixed hash to verify against when the user does not exist, so timing does not reveal usernames.
fn dummy_hash() -> &'static str {
    static H: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    H.get_or_init(|| hash_password("not-a-real-password-0").unwrap_or_default())
}

/// The actor for a user row whose court path is already known.
pub fn actor_with_path(u: &UserRow, court_path: String) -> Result<Actor, AppError> {
    let role = Role::from_str_opt(&u.role)
        .ok_or_else(|| StoreError::Corrupt(format!("role {}", u.role)))?;
    Ok(Actor {
        user_id: u.id.clone(),
        username: u.username.clone(),
        name: u.name.clone(),
        court_code: u.court_code.clone(),
        court_path,
        role,
        team_id: u.team_id.clone(),
    })
}

impl App {
    /// Build the actor for an active user row.
    pub async fn actor_for(&self, u: &UserRow) -> Result<Actor, AppError> {
        let role = Role::from_str_opt(&u.role)
            .ok_or_else(|| StoreError::Corrupt(format!("role {}", u.role)))?;
        let mut conn = self.db.conn().await?;
        let court = courts::find(&mut conn, &u.court_code)
            .await?
            .ok_or(StoreError::Corrupt("user court".into()))?;
        Ok(Actor {
            user_id: u.id.clone(),
            username: u.username.clone(),
            name: u.name.clone(),
            court_code: u.court_code.clone(),
            court_path: court.path,
            role,
            team_id: u.team_id.clone(),
        })
    }

    /// Check a username and password (argon2 runs off the async threads).
    pub async fn check_login(&self, username: &str, password: &str) -> Result<Actor, AppError> {
        let mut conn = self.db.conn().await?;
        let user = users::find_user_by_username(&mut conn, username.trim()).await?;
        drop(conn);
        let (phc, user) = match user {
            Some(u) if u.active => (u.password_hash.clone(), Some(u)),
            _ => (dummy_hash().to_owned(), None),
        };
        let pw = password.to_owned();
        let ok = tokio::task::spawn_blocking(move || verify_password(&pw, &phc))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?;
        match (ok, user) {
            (true, Some(u)) => self.actor_for(&u).await,
            _ => Err(AppError::Unauthenticated),
        }
    }

    /// Issue a bearer token for a user; returns the token (shown once, stored hashed).
    pub async fn issue_token(
        &self,
        username: &str,
        label: &str,
        now_ms: i64,
    ) -> Result<String, AppError> {
        let mut tx = self.db.begin().await?;
        let u = users::find_user_by_username(&mut tx, username)
            .await?
            .ok_or_else(|| {
                AppError::invalid(
                    "unknown_user",
                    "username",
                    format!("用户「{username}」不存在"),
                )
            })?;
        if !u.active {
            return Err(AppError::invalid("user_inactive", "username", "用户已停用"));
        }
        let token = random_secret();
        users::insert_token(&mut tx, &sm3_hex(token.as_bytes()), &u.id, label, now_ms).await?;
        crate::admin::audit_system(
            &mut tx,
            self.db.backend(),
            &u.court_code,
            "token.issue",
            "user",
            &u.id,
            None,
            Some(format!("{{\"label\":{}}}", serde_json::Value::from(label))),
            now_ms,
        )
        .await?;
        tx.commit().await?;
        Ok(token)
    }

    /// Revoke all tokens of a user.
    pub async fn revoke_tokens(&self, username: &str, now_ms: i64) -> Result<u64, AppError> {
        let mut tx = self.db.begin().await?;
        let u = users::find_user_by_username(&mut tx, username)
            .await?
            .ok_or_else(|| {
                AppError::invalid(
                    "unknown_user",
                    "username",
                    format!("用户「{username}」不存在"),
                )
            })?;
        let n = users::revoke_tokens(&mut tx, &u.id, now_ms).await?;
        crate::admin::audit_system(
            &mut tx,
            self.db.backend(),
            &u.court_code,
            "token.revoke",
            "user",
            &u.id,
            None,
            Some(format!("{{\"revoked\":{n}}}")),
            now_ms,
        )
        .await?;
        tx.commit().await?;
        Ok(n)
    }

    pub async fn authenticate_token(&self, token: &str) -> Result<Actor, AppError> {
        let mut conn = self.db.conn().await?;
        let u = users::user_by_token(&mut conn, &sm3_hex(token.trim().as_bytes())).await?;
        drop(conn);
        match u {
            Some((u, path)) => actor_with_path(&u, path),
            None => Err(AppError::Unauthenticated),
        }
    }

    /// Start a web session; returns (session secret for the cookie, CSRF token).
    pub async fn start_session(
        &self,
        actor: &Actor,
        now_ms: i64,
    ) -> Result<(String, String), AppError> {
        let secret = random_secret();
        let csrf = random_secret();
        let mut tx = self.db.begin().await?;
        users::insert_session(
            &mut tx,
            &sm3_hex(secret.as_bytes()),
            &actor.user_id,
            &csrf,
            now_ms,
            now_ms.saturating_add(SESSION_MAX_MS),
        )
        .await?;
        crate::admin::audit(
            &mut tx,
            self.db.backend(),
            actor,
            "session.login",
            "user",
            &actor.user_id,
            None,
            None,
            None,
            now_ms,
        )
        .await?;
        tx.commit().await?;
        Ok((secret, csrf))
    }

    /// Resolve a session cookie; expired or idle sessions are deleted. Returns (actor, csrf token).
    pub async fn session(&self, secret: &str, now_ms: i64) -> Result<(Actor, String), AppError> {
        let key = sm3_hex(secret.as_bytes());
        let mut conn = self.db.conn().await?;
        let s = users::find_session(&mut conn, &key)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        if !s.user.active
            || now_ms > s.expires_at
            || now_ms > s.last_seen_at.saturating_add(SESSION_IDLE_MS)
        {
            users::delete_session(&mut conn, &key).await?;
            return Err(AppError::Unauthenticated);
        }
        // Touch at most once a minute to keep reads cheap.
        if now_ms.saturating_sub(s.last_seen_at) > 60_000 {
            users::touch_session(&mut conn, &key, now_ms).await?;
        }
        drop(conn);
        Ok((actor_with_path(&s.user, s.court_path)?, s.csrf_token))
    }

    pub async fn end_session(&self, secret: &str) -> Result<(), AppError> {
        let mut conn = self.db.conn().await?;
        users::delete_session(&mut conn, &sm3_hex(secret.as_bytes())).await?;
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn password_policy_and_hash() {
        assert!(check_password_policy("short1").is_err());
        assert!(check_password_policy("longenough").is_err());
        assert!(check_password_policy("12345678").is_err());
        assert!(check_password_policy("zhixing2024").is_ok());
        let h = hash_password("zhixing2024").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("zhixing2024", &h));
        assert!(!verify_password("zhixing2025", &h));
        assert!(!verify_password("zhixing2024", "garbage"));
    }
}
