//! 繁简分流 and 分案: track by claim and court threshold, least-loaded team then handler with the
//! 30-day tie-break, recorded reasons, pending assignment, and 改派 with its permissions and records.

use sqlx::Row;
use zhixing_testkit::{NOW_MS, backends, filing, person, seed_court};

use crate::common::{
    add_user, exec, expect_forbidden, expect_invalid, expect_not_found, rows, snapshot, system,
};

#[tokio::test]
async fn triage_by_claim_and_court_threshold() {
    for t in backends().await {
        let app = &t.app;
        let f = seed_court(app, "川1123", "t").await;
        // (claim fen, track)
        let table = [
            (1, "fast"),
            (2_000_000, "fast"),
            (2_000_001, "standard"),
            (0, "standard"),
            (150_000_000, "standard"),
        ];
        for (i, (claim, track)) in table.into_iter().enumerate() {
            let n = u32::try_from(i).unwrap() + 1;
            let d = app
                .file_case(
                    &f.command,
                    &filing("川1123", n, person("李四", n), claim),
                    NOW_MS,
                )
                .await
                .unwrap();
            assert_eq!(
                d.case.track, track,
                "{:?} claim {claim}: {}",
                t.backend, d.case.triage_reason
            );
            let team = if track == "fast" {
                &f.fast_team
            } else {
                &f.standard_team
            };
            assert_eq!(d.case.team_id.as_ref(), Some(team), "claim {claim}");
            assert_eq!(d.case.claim_fen, claim);
            assert!(!d.case.triage_reason.is_empty());
        }
        // A court raises its threshold to 50,000 元: a 30,000 元 claim becomes fast; the other court is unaffected.
        let sys = system(app, "川1123").await;
        let input = |n: u32| filing("川1123", 100 + n, person("王五", n), 3_000_000);
        assert_eq!(
            app.file_case(&f.command, &input(1), NOW_MS)
                .await
                .unwrap()
                .case
                .track,
            "standard"
        );
        app.set_triage_threshold(&sys, "川1123", 5_000_000, NOW_MS)
            .await
            .unwrap();
        let d = app.file_case(&f.command, &input(2), NOW_MS).await.unwrap();
        assert_eq!(
            d.case.track, "fast",
            "{:?}: {}",
            t.backend, d.case.triage_reason
        );
        assert!(
            d.case.triage_reason.contains("不超过"),
            "{}",
            d.case.triage_reason
        );
        let d = app
            .file_case(
                &f.command,
                &filing("川1123", 300, person("赵六", 1), 5_000_001),
                NOW_MS,
            )
            .await
            .unwrap();
        assert_eq!(d.case.track, "standard");
        let e = seed_court(app, "鄂2823", "te").await;
        assert_eq!(
            app.file_case(
                &e.command,
                &filing("鄂2823", 1, person("李四", 9), 3_000_000),
                NOW_MS
            )
            .await
            .unwrap()
            .case
            .track,
            "standard"
        );
        // Only an admin of that court may change it, and not below zero.
        expect_forbidden(
            app.set_triage_threshold(&f.command, "川1123", 1, NOW_MS)
                .await,
            "command",
        );
        expect_forbidden(
            app.set_triage_threshold(&e.admin, "川1123", 1, NOW_MS)
                .await,
            "other court admin",
        );
        let fe = expect_invalid(
            app.set_triage_threshold(&f.admin, "川1123", -1, NOW_MS)
                .await,
            "negative",
        );
        assert_eq!(fe.field, "fast_max_fen");
        t.cleanup().await;
    }
}

#[tokio::test]
async fn least_loaded_team_then_handler_with_30_day_tie_break() {
    for t in backends().await {
        let app = &t.app;
        let db = t.db();
        let f = seed_court(app, "川1123", "s").await;
        let sys = system(app, "川1123").await;
        let team2 = app
            .add_team(&sys, "川1123", "速执二组", "fast", NOW_MS)
            .await
            .unwrap();
        let judge4 = add_user(app, "川1123", "judge", "sjudge4", Some("速执二组")).await;
        let (j1, j2) = (&f.judges[0], &f.judges[1]);
        let file = |n: u32| filing("川1123", n, person("李四", n), 10_000);
        let close = |id: String| async move {
            exec(
                db,
                "UPDATE cases SET status = 'closed' WHERE id = $1",
                &[&id],
            )
            .await
        };

        // 1: all empty → 速执一组 by name order, then its first judge by name order.
        let c1 = app
            .file_case(&f.command, &file(1), NOW_MS)
            .await
            .unwrap()
            .case;
        assert_eq!(c1.team_id.as_ref(), Some(&f.fast_team), "{:?}", t.backend);
        assert_eq!(c1.handler_id.as_ref(), Some(&j1.user_id));
        assert!(
            c1.assignment_reason.contains("速执一组")
                && c1.assignment_reason.contains("按名称顺序"),
            "{}",
            c1.assignment_reason
        );
        // 2: 一组 has one open case → 二组, whose only judge takes it.
        let c2 = app
            .file_case(&f.command, &file(2), NOW_MS)
            .await
            .unwrap()
            .case;
        assert_eq!(c2.team_id.as_ref(), Some(&team2.id));
        assert_eq!(c2.handler_id.as_ref(), Some(&judge4.user_id));
        assert!(
            c2.assignment_reason.contains("速执二组")
                && c2.assignment_reason.contains("为 2 个候选中最少"),
            "{}",
            c2.assignment_reason
        );
        assert!(
            c2.assignment_reason.contains("仅有"),
            "{}",
            c2.assignment_reason
        );
        // 3: c1 closed → 一组 open 0 < 1; in 一组 both judges have 0 open, judge2 has fewer filed in 30 days.
        close(c1.id.clone()).await;
        let c3 = app
            .file_case(&f.command, &file(3), NOW_MS)
            .await
            .unwrap()
            .case;
        assert_eq!(c3.team_id.as_ref(), Some(&f.fast_team));
        assert_eq!(
            c3.handler_id.as_ref(),
            Some(&j2.user_id),
            "{}",
            c3.assignment_reason
        );
        assert!(
            c3.assignment_reason.contains("近 30 日新收 0 件最少"),
            "{}",
            c3.assignment_reason
        );
        // 4: open 1 vs 1, filed in 30 days 2 vs 1 → 二组 although 一组 sorts first.
        let c4 = app
            .file_case(&f.command, &file(4), NOW_MS)
            .await
            .unwrap()
            .case;
        assert_eq!(
            c4.team_id.as_ref(),
            Some(&team2.id),
            "{:?}: {}",
            t.backend,
            c4.assignment_reason
        );
        assert!(
            c4.assignment_reason
                .contains("速执二组」在办 1 件并列最少，近 30 日新收 1 件最少"),
            "{}",
            c4.assignment_reason
        );
        // 5: close c2 → open 1 vs 1, recent 2 vs 2. Moving c2's filing date to 30 days ago (outside the
        // window that ends today) makes 二组 the lighter one; 29 days ago would still count.
        close(c2.id.clone()).await;
        exec(
            db,
            "UPDATE cases SET filed_on = '2024-08-29' WHERE id = $1",
            &[&c2.id],
        )
        .await;
        let mut conn = db.conn().await.unwrap();
        let since = "2024-08-29";
        let team = zhixing_app::cases::choose_assignment(
            &mut conn,
            "川1123",
            zhixing_domain::case::Track::Fast,
            since,
        )
        .await
        .unwrap()
        .team
        .map(|t| t.0);
        assert_eq!(
            team.as_ref(),
            Some(&f.fast_team),
            "tie on both counts → name order"
        );
        drop(conn);
        exec(
            db,
            "UPDATE cases SET filed_on = '2024-08-28' WHERE id = $1",
            &[&c2.id],
        )
        .await;
        let c5 = app
            .file_case(&f.command, &file(5), NOW_MS)
            .await
            .unwrap()
            .case;
        assert_eq!(
            c5.team_id.as_ref(),
            Some(&team2.id),
            "{:?}: {}",
            t.backend,
            c5.assignment_reason
        );

        // The reason is kept on the case, in the assignment history and in the audit record.
        for c in [&c1, &c2, &c3, &c4, &c5] {
            let d = app.case_detail(&f.command, &c.id).await.unwrap();
            assert_eq!(d.assignments.len(), 1);
            assert_eq!(d.assignments[0].reason, c.assignment_reason);
            assert_eq!(d.assignments[0].actor_id, f.command.user_id);
            assert!(
                c.triage_reason.contains("分入速执团队"),
                "{}",
                c.triage_reason
            );
            assert_eq!(d.history.len(), 1);
            assert_eq!(d.history[0].record.action, "case.file");
            let after: serde_json::Value =
                serde_json::from_str(d.history[0].record.after.as_deref().unwrap()).unwrap();
            assert_eq!(after["team_id"].as_str(), c.team_id.as_deref());
            assert_eq!(after["track"], "fast");
        }
        t.cleanup().await;
    }
}

#[tokio::test]
async fn no_team_of_the_track_waits_for_the_command_center() {
    for t in backends().await {
        let app = &t.app;
        let sys = system(app, "川1102").await;
        app.add_team(&sys, "川1102", "指挥中心", "command", NOW_MS)
            .await
            .unwrap();
        app.add_team(&sys, "川1102", "速执一组", "fast", NOW_MS)
            .await
            .unwrap();
        let command = add_user(app, "川1102", "command", "qcommand", Some("指挥中心")).await;
        let director = add_user(app, "川1102", "director", "qdirector", None).await;
        let judge = add_user(app, "川1102", "judge", "qjudge", Some("速执一组")).await;

        let d = app
            .file_case(
                &command,
                &filing("川1102", 1, person("李四", 1), 9_000_000),
                NOW_MS,
            )
            .await
            .unwrap();
        assert_eq!(d.case.track, "standard");
        assert_eq!(d.case.status, "pending_assignment", "{:?}", t.backend);
        assert_eq!(
            (d.case.team_id.as_ref(), d.case.handler_id.as_ref()),
            (None, None)
        );
        assert!(
            d.case.assignment_reason.contains("精执团队"),
            "{}",
            d.case.assignment_reason
        );
        assert_eq!(d.assignments.len(), 1);
        // A fast case still goes to its team.
        let fast = app
            .file_case(
                &command,
                &filing("川1102", 2, person("李四", 2), 100),
                NOW_MS,
            )
            .await
            .unwrap();
        assert_eq!(
            (fast.case.status.as_str(), fast.case.handler_id.as_ref()),
            ("in_progress", Some(&judge.user_id))
        );
        // A standard team without judges: the team is chosen, the handler waits.
        let std_team = app
            .add_team(&sys, "川1102", "精执一组", "standard", NOW_MS)
            .await
            .unwrap();
        let d2 = app
            .file_case(
                &command,
                &filing("川1102", 3, person("李四", 3), 9_000_000),
                NOW_MS,
            )
            .await
            .unwrap();
        assert_eq!(d2.case.team_id.as_ref(), Some(&std_team.id));
        assert_eq!(d2.case.handler_id, None);
        assert_eq!(d2.case.status, "in_progress");

        // 改派 of the pending case by the director: in progress, recorded.
        let r = app
            .reassign(
                &director,
                &d.case.id,
                &std_team.id,
                None,
                "精执团队已设立",
                NOW_MS + 1000,
            )
            .await
            .unwrap();
        assert_eq!(r.case.status, "in_progress", "{:?}", t.backend);
        assert_eq!(r.case.team_id.as_ref(), Some(&std_team.id));
        assert_eq!(r.assignments.len(), 2);
        let last = r.history.last().unwrap();
        assert_eq!(last.record.action, "case.reassign");
        assert!(
            last.record
                .before
                .as_deref()
                .unwrap()
                .contains("pending_assignment")
        );
        assert!(
            last.record
                .after
                .as_deref()
                .unwrap()
                .contains("in_progress")
        );
        t.cleanup().await;
    }
}

#[tokio::test]
async fn reassignment_rules_and_records() {
    for t in backends().await {
        let app = &t.app;
        let db = t.db();
        let f = seed_court(app, "川1123", "r").await;
        let (j1, j3) = (&f.judges[0], &f.judges[2]);
        let c = app
            .file_case(
                &f.command,
                &filing("川1123", 1, person("李四", 1), 100),
                NOW_MS,
            )
            .await
            .unwrap()
            .case;
        assert_eq!(c.handler_id.as_ref(), Some(&j1.user_id));
        let before = snapshot(db).await;

        // Refusals: a judge (who sees the case), a president, a clerk; a judge of another team does not
        // even see it; bad team, handler or reason.
        let (code, _, _) = expect_forbidden(
            app.reassign(j1, &c.id, &f.standard_team, None, "试图改派", NOW_MS)
                .await,
            "judge",
        );
        assert_eq!(code, "permission_denied");
        expect_forbidden(
            app.reassign(
                &f.president,
                &c.id,
                &f.standard_team,
                None,
                "试图改派",
                NOW_MS,
            )
            .await,
            "president",
        );
        expect_forbidden(
            app.reassign(&f.clerk, &c.id, &f.standard_team, None, "试图改派", NOW_MS)
                .await,
            "clerk",
        );
        expect_not_found(
            app.reassign(j3, &c.id, &f.standard_team, None, "试图改派", NOW_MS)
                .await,
            "other-team judge",
        );
        let table: [(&str, &str, Option<&str>, &str, &str); 5] = [
            (
                "handler of another team",
                f.standard_team.as_str(),
                Some(j1.user_id.as_str()),
                "案情复杂",
                "handler_id",
            ),
            (
                "handler not a judge",
                f.fast_team.as_str(),
                Some(f.clerk.user_id.as_str()),
                "案情复杂",
                "handler_id",
            ),
            ("unknown team", "no-such-team", None, "案情复杂", "team_id"),
            (
                "command center is no enforcement team",
                "",
                None,
                "案情复杂",
                "team_id",
            ),
            (
                "empty reason",
                f.standard_team.as_str(),
                None,
                "  ",
                "reason",
            ),
        ];
        let command_team = app
            .teams("川1123")
            .await
            .unwrap()
            .into_iter()
            .find(|t| t.track == "command")
            .unwrap()
            .id;
        for (what, team, handler, reason, field) in table {
            let team = if team.is_empty() {
                command_team.as_str()
            } else {
                team
            };
            let e = expect_invalid(
                app.reassign(&f.command, &c.id, team, handler, reason, NOW_MS)
                    .await,
                what,
            );
            assert_eq!(e.field, field, "{:?} {what}", t.backend);
        }
        assert_eq!(
            snapshot(db).await,
            before,
            "{:?}: refused reassignments wrote rows",
            t.backend
        );

        // The command center moves it to 精执一组 and its judge.
        let r = app
            .reassign(
                &f.command,
                &c.id,
                &f.standard_team,
                Some(&j3.user_id),
                "案情复杂，转精执",
                NOW_MS + 60_000,
            )
            .await
            .unwrap();
        assert_eq!(
            r.case.team_id.as_ref(),
            Some(&f.standard_team),
            "{:?}",
            t.backend
        );
        assert_eq!(r.case.handler_id.as_ref(), Some(&j3.user_id));
        assert_eq!(r.case.status, "in_progress");
        assert!(r.case.assignment_reason.contains("案情复杂，转精执"));
        assert_eq!(r.assignments.len(), 2);
        assert!(
            r.assignments[1].reason.contains("精执一组")
                && r.assignments[1].reason.contains("案情复杂，转精执")
        );
        assert_eq!(r.assignments[1].at, NOW_MS + 60_000);
        let audit = r.history.last().unwrap();
        assert_eq!(
            (audit.record.action.as_str(), audit.record.actor_id.as_str()),
            ("case.reassign", f.command.user_id.as_str())
        );
        let b: serde_json::Value =
            serde_json::from_str(audit.record.before.as_deref().unwrap()).unwrap();
        let a: serde_json::Value =
            serde_json::from_str(audit.record.after.as_deref().unwrap()).unwrap();
        assert_eq!(b["team_id"].as_str(), Some(f.fast_team.as_str()));
        assert_eq!(b["handler_id"].as_str(), Some(j1.user_id.as_str()));
        assert_eq!(a["team_id"].as_str(), Some(f.standard_team.as_str()));
        assert_eq!(a["handler_id"].as_str(), Some(j3.user_id.as_str()));
        let after = snapshot(db).await;
        let delta: Vec<i64> = after
            .rows
            .iter()
            .zip(&before.rows)
            .map(|(x, y)| x.1 - y.1)
            .collect();
        assert_eq!(
            delta,
            vec![0, 0, 0, 1, 1],
            "{:?}: one assignment row and one audit row",
            t.backend
        );
        // Visibility follows the case: judge1 lost it, judge3 has it.
        expect_not_found(app.case_detail(j1, &c.id).await, "old handler");
        app.case_detail(j3, &c.id).await.unwrap();

        // The director may reassign too (team only: handler cleared).
        let r2 = app
            .reassign(
                &f.director,
                &c.id,
                &f.fast_team,
                None,
                "退回速执",
                NOW_MS + 120_000,
            )
            .await
            .unwrap();
        assert_eq!(r2.case.team_id.as_ref(), Some(&f.fast_team));
        assert_eq!(r2.case.handler_id, None);
        assert_eq!(r2.assignments.len(), 3);
        let stored: i64 = sqlx::query(
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM case_assignments WHERE case_id = $1",
        )
        .bind(c.id.clone())
        .fetch_one(db.pool())
        .await
        .unwrap()
        .get("n");
        assert_eq!(stored, 3);
        assert_eq!(rows(db, "audit_log").await, before.rows[4].1 + 2);
        t.cleanup().await;
    }
}
