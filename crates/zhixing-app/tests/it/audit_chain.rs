//! 全程留痕: every write appends to its court's SM3 chain; the chain recomputed from the stored rows
//! holds, and editing any stored row is detected.

use sqlx::Row;
use zhixing_domain::audit::{AuditRecord, GENESIS};
use zhixing_store::Db;
use zhixing_testkit::{NOW_MS, backends, filing, person, seed_court};

use crate::common::{exec, rows};

/// (record, stored prev_hash, stored hash) of a court, by seq.
async fn chain(db: &Db, court: &str) -> Vec<(AuditRecord, String, String)> {
    sqlx::query(
        "SELECT court_code, seq, at, actor_id, actor_name, action, target_kind, target_id, case_id, before_json, \
         after_json, prev_hash, hash FROM audit_log WHERE court_code = $1 ORDER BY seq",
    )
    .bind(court.to_owned())
    .fetch_all(db.pool())
    .await
    .unwrap()
    .iter()
    .map(|r| {
        let rec = AuditRecord {
            court_code: r.get("court_code"),
            seq: r.get("seq"),
            at_ms: r.get("at"),
            actor_id: r.get("actor_id"),
            actor_name: r.get("actor_name"),
            action: r.get("action"),
            target_kind: r.get("target_kind"),
            target_id: r.get("target_id"),
            case_id: r.get("case_id"),
            before: r.get("before_json"),
            after: r.get("after_json"),
        };
        (rec, r.get("prev_hash"), r.get("hash"))
    })
    .collect()
}

/// Recompute a court's chain: Ok(length) or Err(first broken seq and why).
async fn verify(db: &Db, court: &str) -> Result<usize, (i64, String)> {
    let rows = chain(db, court).await;
    let mut prev = GENESIS.to_owned();
    for (i, (rec, prev_hash, hash)) in rows.iter().enumerate() {
        let want_seq = i64::try_from(i).unwrap() + 1;
        if rec.seq != want_seq {
            return Err((rec.seq, format!("seq gap: expected {want_seq}")));
        }
        if *prev_hash != prev {
            return Err((rec.seq, "prev_hash is not the previous hash".into()));
        }
        if rec.chain_hash(&prev) != *hash {
            return Err((rec.seq, "hash does not match the record".into()));
        }
        prev = hash.clone();
    }
    Ok(rows.len())
}

async fn actions(db: &Db, court: &str) -> Vec<String> {
    chain(db, court)
        .await
        .into_iter()
        .map(|(r, ..)| r.action)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_write_is_chained_and_tampering_is_detected() {
    for t in backends().await {
        let app = &t.app;
        let db = t.db();
        let a = seed_court(app, "川1123", "a").await;
        let e = seed_court(app, "鄂2823", "e").await;
        let seeded: Vec<&str> = [vec!["team.add"; 3], vec!["user.add"; 9]].concat();
        assert_eq!(actions(db, "川1123").await, seeded, "{:?}", t.backend);

        let c = app
            .file_case(
                &a.command,
                &filing("川1123", 1, person("李四", 1), 100),
                NOW_MS + 1,
            )
            .await
            .unwrap()
            .case;
        app.file_case(
            &a.command,
            &filing("川1123", 2, person("李四", 2), 9_000_000),
            NOW_MS + 2,
        )
        .await
        .unwrap();
        // refused writes append nothing
        assert!(
            app.file_case(
                &a.command,
                &filing("川1123", 1, person("李四", 1), 100),
                NOW_MS + 3
            )
            .await
            .is_err()
        );
        assert!(
            app.reassign(&a.judges[0], &c.id, &a.standard_team, None, "x", NOW_MS + 3)
                .await
                .is_err()
        );
        app.reassign(
            &a.director,
            &c.id,
            &a.standard_team,
            None,
            "案情复杂",
            NOW_MS + 4,
        )
        .await
        .unwrap();
        app.set_triage_threshold(&a.admin, "川1123", 3_000_000, NOW_MS + 5)
            .await
            .unwrap();
        app.issue_token("ajudge1", "ci", NOW_MS + 6).await.unwrap();
        app.revoke_tokens("ajudge1", NOW_MS + 7).await.unwrap();
        app.start_session(&a.judges[0], NOW_MS + 8).await.unwrap();
        app.file_case(
            &e.command,
            &filing("鄂2823", 1, person("李四", 1), 100),
            NOW_MS + 9,
        )
        .await
        .unwrap();
        // Concurrent writers in one court that share no case-number counter (执, 执保, another year,
        // logins) still make one gapless chain.
        let mut handles: Vec<tokio::task::JoinHandle<Result<(), zhixing_app::AppError>>> =
            Vec::new();
        for n in 10..22u32 {
            let app = t.app.clone();
            let actor = a.command.clone();
            let mut input = filing("川1123", n, person("王五", n), 100);
            match n % 3 {
                0 => input.type_code = "执保".into(),
                1 => {
                    input.filed_on = "2023-06-01".into();
                    input.basis_document_number = format!("（2023）川1123民初{n}号");
                }
                _ => {}
            }
            handles.push(tokio::spawn(async move {
                app.file_case(&actor, &input, NOW_MS + 10).await.map(|_| ())
            }));
        }
        for i in 0..8 {
            let app = t.app.clone();
            let actor = if i % 2 == 0 {
                a.judges[1].clone()
            } else {
                a.president.clone()
            };
            handles.push(tokio::spawn(async move {
                app.start_session(&actor, NOW_MS + 10).await.map(|_| ())
            }));
        }
        for h in futures::future::join_all(handles).await {
            h.unwrap()
                .unwrap_or_else(|e| panic!("{:?}: concurrent write failed: {e:?}", t.backend));
        }

        let mut want = seeded.clone();
        want.extend([
            "case.file",
            "case.file",
            "case.reassign",
            "court.triage_threshold",
            "token.issue",
            "token.revoke",
            "session.login",
        ]);
        let got = actions(db, "川1123").await;
        assert_eq!(got[..want.len()], want, "{:?}", t.backend);
        let mut tail: Vec<&str> = got[want.len()..].iter().map(String::as_str).collect();
        tail.sort_unstable();
        assert_eq!(
            tail,
            [vec!["case.file"; 12], vec!["session.login"; 8]].concat(),
            "{:?}",
            t.backend
        );
        want.extend(tail);
        let mut want_e = seeded.clone();
        want_e.push("case.file");
        assert_eq!(actions(db, "鄂2823").await, want_e);
        assert_eq!(
            verify(db, "川1123").await,
            Ok(want.len()),
            "{:?}",
            t.backend
        );
        assert_eq!(verify(db, "鄂2823").await, Ok(want_e.len()));
        assert_eq!(
            rows(db, "audit_log").await,
            i64::try_from(want.len() + want_e.len()).unwrap()
        );
        // The reassignment row names its actor and the case.
        let (rec, ..) = chain(db, "川1123")
            .await
            .into_iter()
            .find(|(r, ..)| r.action == "case.reassign")
            .unwrap();
        assert_eq!(
            (rec.actor_id.as_str(), rec.case_id.as_deref(), rec.at_ms),
            (a.director.user_id.as_str(), Some(c.id.as_str()), NOW_MS + 4)
        );

        // Tampering with any field of one row breaks the chain at that row (and only that court's).
        let edits = [
            "UPDATE audit_log SET after_json = '{\"track\":\"fast\"}' WHERE court_code = $1 AND seq = 13",
            "UPDATE audit_log SET actor_name = '某人' WHERE court_code = $1 AND seq = 13",
            "UPDATE audit_log SET before_json = NULL WHERE court_code = $1 AND seq = 15",
            "UPDATE audit_log SET at = at + 1 WHERE court_code = $1 AND seq = 13",
            "DELETE FROM audit_log WHERE court_code = $1 AND seq = 13",
        ];
        for sql in edits {
            let copy = chain(db, "川1123").await;
            assert_eq!(exec(db, sql, &["川1123"]).await, 1, "{sql}");
            let err = verify(db, "川1123").await.expect_err(sql);
            let seq: i64 = if sql.contains("seq = 15") { 15 } else { 13 };
            // a deleted row shows as a gap at the next seq
            let want_seq = if sql.starts_with("DELETE") { 14 } else { seq };
            assert_eq!(err.0, want_seq, "{:?} {sql}: {}", t.backend, err.1);
            assert_eq!(verify(db, "鄂2823").await, Ok(want_e.len()));
            // restore the row as it was
            exec(
                db,
                "DELETE FROM audit_log WHERE court_code = $1",
                &["川1123"],
            )
            .await;
            for (r, prev, hash) in copy {
                sqlx::query(
                    "INSERT INTO audit_log (court_code, seq, at, actor_id, actor_name, action, target_kind, target_id, \
                     case_id, before_json, after_json, prev_hash, hash) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)",
                )
                .bind(r.court_code)
                .bind(r.seq)
                .bind(r.at_ms)
                .bind(r.actor_id)
                .bind(r.actor_name)
                .bind(r.action)
                .bind(r.target_kind)
                .bind(r.target_id)
                .bind(r.case_id)
                .bind(r.before)
                .bind(r.after)
                .bind(prev)
                .bind(hash)
                .execute(db.pool())
                .await
                .unwrap();
            }
            assert_eq!(verify(db, "川1123").await, Ok(want.len()), "restored");
        }
        // Recomputing the stored hash after an edit is not enough: the next row's prev_hash exposes it.
        exec(
            db,
            "UPDATE audit_log SET after_json = '{}' WHERE court_code = $1 AND seq = 13",
            &["川1123"],
        )
        .await;
        let rows13 = chain(db, "川1123").await;
        let (r13, prev13, _) = &rows13[12];
        let forged = r13.chain_hash(prev13);
        exec(
            db,
            "UPDATE audit_log SET hash = $2 WHERE court_code = $1 AND seq = 13",
            &["川1123", &forged],
        )
        .await;
        assert_eq!(
            verify(db, "川1123").await.unwrap_err().0,
            14,
            "{:?}",
            t.backend
        );
        t.cleanup().await;
    }
}
