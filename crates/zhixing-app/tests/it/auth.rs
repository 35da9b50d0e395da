//! Credentials: passwords, bearer tokens (issue, use, revoke) and web sessions (idle and absolute
//! timeouts, logout).

use zhixing_app::auth::{SESSION_IDLE_MS, SESSION_MAX_MS};
use zhixing_testkit::{NOW_MS, PASSWORD, backends, seed_court};

use crate::common::{exec, expect_invalid, expect_unauthenticated};

const MIN: i64 = 60_000;

#[tokio::test]
async fn passwords_and_tokens() {
    for t in backends().await {
        let app = &t.app;
        let f = seed_court(app, "川1123", "k").await;
        let judge = &f.judges[0];

        // Passwords.
        let me = app.check_login("kjudge1", PASSWORD).await.unwrap();
        assert_eq!(me, *judge, "{:?}", t.backend);
        assert_eq!(
            app.check_login("  kjudge1 ", PASSWORD)
                .await
                .unwrap()
                .user_id,
            judge.user_id
        );
        expect_unauthenticated(
            app.check_login("kjudge1", "zhixing2025").await,
            "wrong password",
        );
        expect_unauthenticated(app.check_login("kjudge1", "").await, "empty password");
        expect_unauthenticated(app.check_login("nobody", PASSWORD).await, "unknown user");
        expect_unauthenticated(
            app.check_login("kjudge2", "zhixing2024 ").await,
            "password with a space",
        );

        // Tokens: stored hashed, usable until revoked.
        let token = app.issue_token("kjudge1", "ci", NOW_MS).await.unwrap();
        assert_eq!(token.len(), 64);
        let n: i64 = crate::common::count(
            t.db(),
            &format!(
                "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM api_tokens WHERE token_hash = '{token}'"
            ),
        )
        .await;
        assert_eq!(n, 0, "the token itself must not be stored");
        assert_eq!(app.authenticate_token(&token).await.unwrap(), *judge);
        assert_eq!(
            app.authenticate_token(&format!(" {token}\n"))
                .await
                .unwrap()
                .user_id,
            judge.user_id
        );
        let other = app.issue_token("kcommand", "cli", NOW_MS).await.unwrap();
        assert_eq!(
            app.authenticate_token(&other).await.unwrap().user_id,
            f.command.user_id
        );
        expect_unauthenticated(app.authenticate_token("").await, "empty token");
        expect_unauthenticated(
            app.authenticate_token(&token[..63]).await,
            "truncated token",
        );
        let second = app.issue_token("kjudge1", "laptop", NOW_MS).await.unwrap();
        assert_eq!(
            app.revoke_tokens("kjudge1", NOW_MS + 1).await.unwrap(),
            2,
            "{:?}",
            t.backend
        );
        expect_unauthenticated(app.authenticate_token(&token).await, "revoked");
        expect_unauthenticated(app.authenticate_token(&second).await, "revoked");
        // Revoking one user's tokens leaves the others alone; nothing left to revoke the second time.
        assert_eq!(
            app.authenticate_token(&other).await.unwrap().user_id,
            f.command.user_id
        );
        assert_eq!(app.revoke_tokens("kjudge1", NOW_MS + 2).await.unwrap(), 0);
        expect_invalid(app.issue_token("nobody", "x", NOW_MS).await, "unknown user");
        // A deactivated user's token stops working.
        exec(
            t.db(),
            "UPDATE users SET active = 0 WHERE id = $1",
            &[&f.command.user_id],
        )
        .await;
        expect_unauthenticated(app.authenticate_token(&other).await, "inactive");
        expect_unauthenticated(
            app.check_login("kcommand", PASSWORD).await,
            "inactive login",
        );
        t.cleanup().await;
    }
}

#[tokio::test]
async fn sessions_expire_when_idle_or_old_and_end_on_logout() {
    for t in backends().await {
        let app = &t.app;
        let f = seed_court(app, "川1123", "k").await;
        let judge = &f.judges[0];
        assert_eq!(SESSION_IDLE_MS, 30 * MIN);

        // Round trip, then logout.
        let (secret, csrf) = app.start_session(judge, NOW_MS).await.unwrap();
        let (who, csrf2) = app.session(&secret, NOW_MS + MIN).await.unwrap();
        assert_eq!(
            (who, csrf2),
            (judge.clone(), csrf.clone()),
            "{:?}",
            t.backend
        );
        expect_unauthenticated(app.session("not-a-session", NOW_MS).await, "unknown");
        app.end_session(&secret).await.unwrap();
        expect_unauthenticated(app.session(&secret, NOW_MS + 2 * MIN).await, "after logout");

        // Idle for 31 minutes: rejected, and gone for good.
        let (idle, _) = app.start_session(judge, NOW_MS).await.unwrap();
        app.session(&idle, NOW_MS + 29 * MIN).await.unwrap();
        let (idle2, _) = app.start_session(judge, NOW_MS).await.unwrap();
        expect_unauthenticated(app.session(&idle2, NOW_MS + 31 * MIN).await, "idle 31 min");
        expect_unauthenticated(app.session(&idle2, NOW_MS + 31 * MIN + 1).await, "deleted");
        // Use keeps a session alive: 29 min after its last use it still works, 31 min after it does not.
        app.session(&idle, NOW_MS + 50 * MIN).await.unwrap();
        expect_unauthenticated(
            app.session(&idle, NOW_MS + 81 * MIN + 1).await,
            "idle after touch",
        );

        // Absolute lifetime: kept busy, it still ends after 12 hours.
        let (busy, _) = app.start_session(judge, NOW_MS).await.unwrap();
        let mut at = NOW_MS;
        while at + 20 * MIN <= NOW_MS + SESSION_MAX_MS {
            at += 20 * MIN;
            app.session(&busy, at).await.unwrap_or_else(|e| {
                panic!("{:?} at +{} min: {e:?}", t.backend, (at - NOW_MS) / MIN)
            });
        }
        expect_unauthenticated(
            app.session(&busy, NOW_MS + SESSION_MAX_MS + 1).await,
            "absolute expiry",
        );

        // A deactivated user's session ends.
        let (s, _) = app.start_session(&f.director, NOW_MS).await.unwrap();
        exec(
            t.db(),
            "UPDATE users SET active = 0 WHERE id = $1",
            &[&f.director.user_id],
        )
        .await;
        expect_unauthenticated(app.session(&s, NOW_MS + MIN).await, "inactive");
        t.cleanup().await;
    }
}
