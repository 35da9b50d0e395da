//! The deadline engine end to end: filing starts node deadlines with their derivation; events
//! complete and start deadlines; bad events are refused with the field and rule; the scheduler
//! fires each level change exactly once (also with two schedulers racing, and after a restart);
//! the board counters stay equal to the deadlines; 督办 escalates; excluded periods, extensions
//! and rule changes move dates and tell the handler.
//!
//! Fixed clock: NOW_MS is Friday 2024-09-27 10:00 in Beijing, the day before the 调休 weekend that
//! leads into the National Day week (09-29 Sunday is a working day; 10-01..10-07 are holidays).

use std::collections::BTreeMap;

use zhixing_app::deadlines::{DeadlineView, EventInput, ExcludedInput};
use zhixing_app::{Actor, App};
use zhixing_domain::time::china_midnight_ms;
use zhixing_testkit::{NOW_MS, backends, filing, person, seed_court};

use crate::common::{exec, expect_forbidden, expect_invalid, expect_not_found, rows};

/// 10:00 Beijing time on a date.
fn at(date: &str) -> i64 {
    china_midnight_ms(chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap()) + 10 * 3_600_000
}

fn by_rule(v: &[DeadlineView]) -> BTreeMap<String, (String, &'static str, Option<&'static str>)> {
    v.iter()
        .map(|d| {
            (
                d.row.rule_id.clone(),
                (d.row.due_on.clone(), d.status, d.level),
            )
        })
        .collect()
}

fn excl(kind: &str, from: &str, to: &str, note: &str) -> ExcludedInput {
    ExcludedInput {
        kind: kind.into(),
        from: from.into(),
        to: to.into(),
        note: note.into(),
    }
}

fn ev(node: &str, on: &str) -> EventInput {
    EventInput {
        node: node.into(),
        on: on.into(),
        note: String::new(),
    }
}

async fn board_counts(app: &App, actor: &Actor) -> BTreeMap<String, i64> {
    let b = app.board(actor, None).await.unwrap();
    b.totals.into_iter().filter(|(_, n)| *n != 0).collect()
}

#[tokio::test]
async fn filing_starts_the_node_deadlines_with_their_derivation() {
    for t in backends().await {
        let app = &t.app;
        let f = seed_court(app, "川1123", "d").await;
        let case = app
            .file_case(
                &f.command,
                &filing("川1123", 1, person("李四", 1), 1_500_000),
                NOW_MS,
            )
            .await
            .unwrap()
            .case;
        assert!(case.handler_id.is_some());
        let d = app
            .case_deadlines(&f.command, &case.id, NOW_MS)
            .await
            .unwrap();
        let got = by_rule(&d);
        let s = |x: &str| x.to_owned();
        // (rule, due_on, status, level on 09-27)
        let want: BTreeMap<String, (String, &str, Option<&str>)> = [
            // 7 days from the application: 10-04 falls in the holiday → 10-08; completed by 立案.
            (s("filing_7d"), (s("2024-10-08"), "done", None)),
            (s("assignment_7d"), (s("2024-10-08"), "done", None)),
            // 3 days from 分案: 09-30 (Monday). Working days in (09-27, 09-30]: 09-29 (调休) and
            // 09-30 → within 3 → blue.
            (
                s("notice_3d_dl2006"),
                (s("2024-09-30"), "pending", Some("blue")),
            ),
            (
                s("notify_leads_3d"),
                (s("2024-09-30"), "pending", Some("blue")),
            ),
            // 1 month: 10-27 is a Sunday → 10-28.
            (s("investigation_1m"), (s("2024-10-28"), "pending", None)),
            (s("terminate_min_3m"), (s("2024-12-27"), "pending", None)),
            (s("closing_6m"), (s("2025-03-27"), "pending", None)),
        ]
        .into_iter()
        .collect();
        assert_eq!(got, want, "{:?}", t.backend);
        // The conflicting 10-day CPLI rule lost to the stricter 3-day DL2006 rule.
        assert!(!got.contains_key("notice_10d_cpli"));
        let inv = d
            .iter()
            .find(|x| x.row.rule_id == "investigation_1m")
            .unwrap();
        let der: serde_json::Value = serde_json::from_str(&inv.row.derivation).unwrap();
        assert_eq!(der["raw_end"], "2024-10-27");
        assert_eq!(der["roll_over"]["to"], "2024-10-28");
        assert_eq!(der["start_on"], "2024-09-27");
        assert!(der["calendar_version"].as_str().unwrap().len() > 3);
        assert!(inv.rule_source.contains("DL2006"));
        let events = app.case_events(&f.command, &case.id).await.unwrap();
        let nodes: Vec<&str> = events.iter().map(|e| e.node.as_str()).collect();
        assert_eq!(nodes, ["application_received", "filing", "assignment"]);
        t.cleanup().await;
    }
}

#[tokio::test]
async fn events_complete_and_start_deadlines_and_bad_events_are_refused() {
    for t in backends().await {
        let app = &t.app;
        let f = seed_court(app, "川1123", "e").await;
        let case = app
            .file_case(
                &f.command,
                &filing("川1123", 1, person("李四", 1), 1_500_000),
                NOW_MS,
            )
            .await
            .unwrap()
            .case;
        let judge = f
            .judges
            .iter()
            .find(|j| Some(&j.user_id) == case.handler_id.as_ref())
            .unwrap();
        let now = at("2024-10-09");
        let out = app
            .record_event(
                judge,
                &case.id,
                &ev("enforcement_notice", "2024-09-29"),
                now,
            )
            .await
            .unwrap();
        assert_eq!(out.completed.len(), 1);
        assert_eq!(out.completed[0].row.rule_id, "notice_3d_dl2006");
        assert_eq!(out.completed[0].status, "done");
        assert!(out.started.is_empty());
        // A lead starts its verification: 5 days (DL2006 art 6, stricter than INV art 2's 7).
        let out = app
            .record_event(judge, &case.id, &ev("lead_received", "2024-10-08"), now)
            .await
            .unwrap();
        assert_eq!(out.started.len(), 1);
        assert_eq!(out.started[0].row.rule_id, "lead_verify_5d_dl2006");
        assert_eq!(out.started[0].row.due_on, "2024-10-14");
        // 10-08 + 5 = 10-13, an ordinary Sunday (the 调休 Saturday was 10-12) → rolls to 10-14.
        let d = app.case_deadlines(judge, &case.id, now).await.unwrap();
        let lead = d.iter().find(|x| x.row.rule_id == "lead_verify_5d_dl2006");
        assert!(lead.is_some());
        // notify_leads_3d (due 09-30) is overdue on 10-09 and red.
        let got = by_rule(&d);
        assert_eq!(got["notify_leads_3d"].1, "overdue");
        assert_eq!(got["notify_leads_3d"].2, Some("red"));

        // Bad input: (event, field, code)
        let cases = [
            (ev("no_such_node", "2024-10-08"), "node", "unknown_node"),
            (ev("lead_verification", "2024-10-32"), "on", "date_format"),
            (
                ev("lead_verification", "2024-10-20"),
                "on",
                "event_in_future",
            ),
            (
                ev("seal_seize_freeze", "2024-09-01"),
                "on",
                "event_before_filing",
            ),
            // 二拍 before any 一拍: out of order.
            (
                ev("second_auction", "2024-10-08"),
                "node",
                "event_out_of_order",
            ),
            // 线索核查 dated before the lead arrived: out of order.
            (
                ev("lead_verification", "2024-10-07"),
                "node",
                "event_out_of_order",
            ),
            // 终本 within 3 months of filing (ZB2016 art 1(4)).
            (
                ev("terminate_current", "2024-10-08"),
                "on",
                "event_too_early",
            ),
        ];
        for (input, field, code) in cases {
            let before = rows(t.db(), "case_events").await;
            let e = expect_invalid(
                app.record_event(judge, &case.id, &input, now).await,
                &input.node,
            );
            assert_eq!(
                (e.field.as_str(), e.code),
                (field, code),
                "{}: {}",
                input.node,
                e.message
            );
            assert!(!e.message.is_empty());
            assert_eq!(rows(t.db(), "case_events").await, before, "nothing written");
        }
        // The date format rule names what is wrong.
        let e = expect_invalid(
            app.record_event(judge, &case.id, &ev("lead_verification", "10/08/2024"), now)
                .await,
            "format",
        );
        assert_eq!(e.field, "on");

        // Police may not record events; a judge of another team does not see the case.
        expect_forbidden(
            app.record_event(&f.police, &case.id, &ev("lead_received", "2024-10-08"), now)
                .await,
            "police",
        );
        let other = f
            .judges
            .iter()
            .find(|j| j.team_id != judge.team_id)
            .unwrap();
        expect_not_found(
            app.record_event(other, &case.id, &ev("lead_received", "2024-10-08"), now)
                .await,
            "other team",
        );
        expect_not_found(
            app.case_deadlines(other, &case.id, now).await,
            "other team read",
        );
        // Every event write is audited.
        let audited = crate::common::count(
            t.db(),
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM audit_log WHERE action = 'case.event'",
        )
        .await;
        assert_eq!(audited, 2);
        t.cleanup().await;
    }
}

#[tokio::test]
async fn the_scheduler_fires_each_level_change_exactly_once() {
    for t in backends().await {
        let app = &t.app;
        let f = seed_court(app, "川1123", "s").await;
        let case = app
            .file_case(
                &f.command,
                &filing("川1123", 1, person("李四", 1), 1_500_000),
                NOW_MS,
            )
            .await
            .unwrap()
            .case;
        let handler = case.handler_id.clone().unwrap();
        exec(
            t.db(),
            "UPDATE users SET phone = $1 WHERE id = $2",
            &["13800000000", &handler],
        )
        .await;
        let judge = f.judges.iter().find(|j| j.user_id == handler).unwrap();

        // Two schedulers tick at the same moment: the two blue warnings fire once in total.
        let (a, b) = tokio::join!(app.run_once(NOW_MS), app.run_once(NOW_MS));
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_eq!(a.fired + b.fired, 2, "{:?}: {a:?} {b:?}", t.backend);
        assert_eq!(app.run_once(NOW_MS).await.unwrap().fired, 0);
        let inbox = app.notifications(judge, 50).await.unwrap();
        assert_eq!(inbox.len(), 2);
        assert!(inbox.iter().all(|n| n.level.as_deref() == Some("blue")));
        assert!(inbox.iter().any(|n| n.title.contains("发出执行通知书")));
        // Only the key node (执行通知书) sends an SMS.
        assert_eq!(rows(t.db(), "sms_outbox").await, 1);
        assert_eq!(
            board_counts(app, &f.command).await,
            [("blue".to_owned(), 2)].into_iter().collect()
        );

        // Nothing changes over the weekend... 09-29 is still blue; 09-30 is the last day: yellow.
        assert_eq!(app.run_once(at("2024-09-29")).await.unwrap().fired, 0);
        assert_eq!(app.run_once(at("2024-09-30")).await.unwrap().fired, 2);
        assert_eq!(
            board_counts(app, &f.command).await,
            [("yellow".to_owned(), 2)].into_iter().collect()
        );

        // A restart: a second App on the same database picks up where the first stopped.
        let db2 = zhixing_store::Db::connect(&t.url).await.unwrap();
        let app2 = App::new(db2);
        let tick = app2.run_once(at("2024-10-01")).await.unwrap();
        assert_eq!(tick.fired, 2);
        assert_eq!(app.run_once(at("2024-10-01")).await.unwrap().fired, 0);
        assert_eq!(
            board_counts(app, &f.command).await,
            [("red".to_owned(), 2)].into_iter().collect()
        );
        // Red is final: no timer is left for these two.
        assert_eq!(app.run_once(at("2024-10-15")).await.unwrap().fired, 0);
        app2.db.close().await;

        // Completing a red node takes it off the board.
        app.record_event(
            judge,
            &case.id,
            &ev("enforcement_notice", "2024-10-08"),
            at("2024-10-15"),
        )
        .await
        .unwrap();
        assert_eq!(
            board_counts(app, &f.command).await,
            [("red".to_owned(), 1)].into_iter().collect()
        );
        assert!(app.board_mismatches().await.unwrap().is_empty());

        // SMS leave through the gateway exactly once.
        let dir = std::env::temp_dir().join(format!("zhixing-sms-{}", zhixing_app::new_id()));
        std::fs::create_dir_all(&dir).unwrap();
        let gw = zhixing_app::jobs::FileSms {
            path: dir.join("sms.jsonl"),
        };
        let (sent, failed) = app.deliver_sms(&gw, NOW_MS, 100).await.unwrap();
        assert_eq!((sent, failed), (3, 0), "blue, yellow, red for the key node");
        assert_eq!(app.deliver_sms(&gw, NOW_MS, 100).await.unwrap(), (0, 0));
        let text = std::fs::read_to_string(dir.join("sms.jsonl")).unwrap();
        assert_eq!(text.lines().count(), 3);
        assert!(text.contains("13800000000") && text.contains("红色预警"));
        std::fs::remove_dir_all(&dir).unwrap();

        // Reading notifications: mark one read; someone else's is "not found".
        let inbox = app.notifications(judge, 50).await.unwrap();
        app.mark_read(judge, &inbox[0].id, NOW_MS).await.unwrap();
        expect_not_found(
            app.mark_read(&f.command, &inbox[1].id, NOW_MS).await,
            "not theirs",
        );
        t.cleanup().await;
    }
}

#[tokio::test]
async fn reassignment_moves_deadlines_and_board_counters() {
    for t in backends().await {
        let app = &t.app;
        let f = seed_court(app, "川1123", "r").await;
        let case = app
            .file_case(
                &f.command,
                &filing("川1123", 1, person("李四", 1), 1_500_000),
                NOW_MS,
            )
            .await
            .unwrap()
            .case;
        app.run_once(NOW_MS).await.unwrap();
        let other = f
            .judges
            .iter()
            .find(|j| {
                j.team_id.as_ref() == Some(&f.fast_team)
                    && Some(&j.user_id) != case.handler_id.as_ref()
            })
            .unwrap();
        app.reassign(
            &f.command,
            &case.id,
            &f.fast_team,
            Some(&other.user_id),
            "回避",
            NOW_MS,
        )
        .await
        .unwrap();
        let d = app
            .case_deadlines(&f.command, &case.id, NOW_MS)
            .await
            .unwrap();
        assert!(
            d.iter()
                .filter(|x| x.status != "done")
                .all(|x| x.row.handler_id.as_ref() == Some(&other.user_id))
        );
        assert!(
            app.board_mismatches().await.unwrap().is_empty(),
            "{:?}",
            t.backend
        );
        let due = app.due_list(other, 7, NOW_MS).await.unwrap();
        assert_eq!(due.len(), 2, "the two blue items are now theirs");
        t.cleanup().await;
    }
}

#[tokio::test]
async fn supervision_reply_and_escalation() {
    for t in backends().await {
        let app = &t.app;
        let f = seed_court(app, "川1123", "v").await;
        let _higher = seed_court(app, "川11", "h").await;
        let sup_actor = crate::common::add_user(app, "川11", "supervisor", "hsup", None).await;
        let case = app
            .file_case(
                &f.command,
                &filing("川1123", 1, person("李四", 1), 1_500_000),
                NOW_MS,
            )
            .await
            .unwrap()
            .case;
        let judge = f
            .judges
            .iter()
            .find(|j| Some(&j.user_id) == case.handler_id.as_ref())
            .unwrap();
        // The higher court supervises; the handler replies in time.
        let s1 = app
            .open_supervision(
                &sup_actor,
                &case.id,
                "请说明未发执行通知书的原因",
                "2024-09-30",
                NOW_MS,
            )
            .await
            .unwrap();
        assert!(
            app.notifications(judge, 10)
                .await
                .unwrap()
                .iter()
                .any(|n| n.source_kind == "supervision.opened")
        );
        // Replied twice at once (a double submit): one reply, one notification; the other 409.
        let (x, y) = tokio::join!(
            app.reply_supervision(judge, &s1.id, "已于 9 月 29 日送达", at("2024-09-29")),
            app.reply_supervision(judge, &s1.id, "已于 9 月 29 日送达", at("2024-09-29"))
        );
        let replied = match (x, y) {
            (Ok(r), Err(e)) | (Err(e), Ok(r)) => {
                assert!(
                    matches!(&e, zhixing_app::AppError::Conflict { code, .. } if *code == "already_replied"),
                    "{e:?}"
                );
                r
            }
            other => panic!("exactly one reply must win: {other:?}"),
        };
        assert_eq!(replied.status, "replied");
        assert_eq!(
            app.notifications(&sup_actor, 10)
                .await
                .unwrap()
                .iter()
                .filter(|n| n.source_kind == "supervision.replied")
                .count(),
            1
        );
        assert!(
            app.notifications(&sup_actor, 10)
                .await
                .unwrap()
                .iter()
                .any(|n| n.source_kind == "supervision.replied")
        );
        // The command center supervises; nobody replies; the day after the reply date it escalates.
        let s2 = app
            .open_supervision(&f.command, &case.id, "查控进度", "2024-09-30", NOW_MS)
            .await
            .unwrap();
        assert_eq!(app.run_once(at("2024-09-30")).await.unwrap().escalated, 0);
        assert_eq!(app.run_once(at("2024-10-01")).await.unwrap().escalated, 1);
        assert_eq!(app.run_once(at("2024-10-02")).await.unwrap().escalated, 0);
        let list = app.case_supervisions(&f.command, &case.id).await.unwrap();
        let s2 = list.iter().find(|s| s.id == s2.id).unwrap();
        assert_eq!(s2.status, "escalated");
        assert!(
            app.notifications(&f.director, 10)
                .await
                .unwrap()
                .iter()
                .any(|n| n.source_kind == "supervision.escalated")
        );
        // Refusals: a judge cannot open 督办; a past reply date names the field.
        expect_forbidden(
            app.open_supervision(judge, &case.id, "x", "2024-10-30", NOW_MS)
                .await,
            "judge",
        );
        let e = expect_invalid(
            app.open_supervision(&f.command, &case.id, "x", "2024-09-01", NOW_MS)
                .await,
            "past",
        );
        assert_eq!(e.field, "reply_due_on");
        // The higher court's board covers the lower court.
        app.run_once(at("2024-10-02")).await.unwrap();
        let b = app.board(&sup_actor, None).await.unwrap();
        assert!(b.rows.iter().any(|r| r.court_code == "川1123"));
        expect_forbidden(app.board(judge, None).await, "judge board");
        t.cleanup().await;
    }
}

#[tokio::test]
async fn excluded_periods_and_extensions_move_the_case_term() {
    for t in backends().await {
        let app = &t.app;
        let f = seed_court(app, "川1123", "x").await;
        let case = app
            .file_case(
                &f.command,
                &filing("川1123", 1, person("李四", 1), 1_500_000),
                NOW_MS,
            )
            .await
            .unwrap()
            .case;
        let judge = f
            .judges
            .iter()
            .find(|j| Some(&j.user_id) == case.handler_id.as_ref())
            .unwrap();
        let term = |v: &[DeadlineView]| {
            v.iter()
                .find(|d| d.row.node == "closing")
                .map(|d| d.row.due_on.clone())
                .unwrap()
        };
        // 中止 for 10 days: 2025-03-27 + 10 = 04-06, a 清明 holiday (04-04..04-06) → 04-07.
        let moved = app
            .add_excluded_period(
                judge,
                &case.id,
                &excl("suspension", "2024-10-10", "2024-10-19", "中止"),
                NOW_MS,
            )
            .await
            .unwrap();
        assert_eq!(moved.len(), 1);
        assert_eq!(
            (moved[0].from.as_str(), moved[0].to.as_str()),
            ("2025-03-27", "2025-04-07")
        );
        let d = app.case_deadlines(judge, &case.id, NOW_MS).await.unwrap();
        assert_eq!(term(&d), "2025-04-07");
        assert!(
            app.notifications(judge, 10)
                .await
                .unwrap()
                .iter()
                .any(|n| n.source_kind == "deadline.moved")
        );
        let e = expect_invalid(
            app.add_excluded_period(
                judge,
                &case.id,
                &excl("holiday", "2024-10-10", "2024-10-19", ""),
                NOW_MS,
            )
            .await,
            "kind",
        );
        assert_eq!(e.field, "kind");
        let e = expect_invalid(
            app.add_excluded_period(
                judge,
                &case.id,
                &excl("appraisal", "2024-10-19", "2024-10-10", ""),
                NOW_MS,
            )
            .await,
            "order",
        );
        assert_eq!(e.field, "to");

        // Extension by one month, approved by the president: 04-06 (un-rolled) + 1 month = 05-06,
        // a working day after the Labour Day holiday (05-01..05-05).
        let ext = app
            .request_extension(judge, &case.id, 1, "months", "财产处置尚未完成", NOW_MS)
            .await
            .unwrap();
        expect_forbidden(
            app.decide_extension(&f.director, &ext.id, true, NOW_MS)
                .await,
            "director cannot approve (TL2000 art 5: 院长)",
        );
        // A double submit: exactly one approval wins (the term moves once); the other is 409.
        let (x, y) = tokio::join!(
            app.decide_extension(&f.president, &ext.id, true, NOW_MS),
            app.decide_extension(&f.president, &ext.id, true, NOW_MS)
        );
        let (decided, moved) = match (x, y) {
            (Ok(r), Err(e)) | (Err(e), Ok(r)) => {
                assert!(
                    matches!(&e, zhixing_app::AppError::Conflict { code, .. } if *code == "already_decided"),
                    "{e:?}"
                );
                r
            }
            other => panic!("exactly one decision must win: {other:?}"),
        };
        assert_eq!(decided.status, "approved");
        assert_eq!(moved.len(), 1);
        assert_eq!(moved[0].to, "2025-05-06");
        let d = app.case_deadlines(judge, &case.id, NOW_MS).await.unwrap();
        assert_eq!(term(&d), "2025-05-06");
        // A request within 5 days of expiry is refused (DL2006 art 1).
        let e = expect_invalid(
            app.request_extension(judge, &case.id, 1, "months", "再延", at("2025-05-02"))
                .await,
            "late",
        );
        assert_eq!(e.code, "extension_too_late");
        t.cleanup().await;
    }
}

#[tokio::test]
async fn a_rule_change_recomputes_open_deadlines_and_lists_what_moved() {
    for t in backends().await {
        let app = &t.app;
        let f = seed_court(app, "川1123", "l").await;
        // A local rule: first online inquiry within 5 days of filing.
        let rule_v1 = "first_inquiry_local\t1\tfirst_online_inquiry\tfiling\t5\tcalendar_days\tlocal\t-\tall\t本院执行流程管理规定 第 3 条";
        assert!(
            app.set_local_rule(&f.director, rule_v1, NOW_MS)
                .await
                .unwrap()
                .is_empty()
        );
        let case = app
            .file_case(
                &f.command,
                &filing("川1123", 1, person("李四", 1), 1_500_000),
                NOW_MS,
            )
            .await
            .unwrap()
            .case;
        let find = |v: &[DeadlineView]| {
            v.iter()
                .find(|d| d.row.rule_id == "first_inquiry_local")
                .map(|d| (d.row.due_on.clone(), d.row.rule_version))
        };
        let d = app
            .case_deadlines(&f.command, &case.id, NOW_MS)
            .await
            .unwrap();
        // 09-27 + 5 = 10-02, in the holiday → 10-08.
        assert_eq!(find(&d), Some(("2024-10-08".to_owned(), 1)));
        // Version 2: 3 working days → 09-29 (调休), 09-30, 10-08 → 10-08? No: the 3rd working day
        // after 09-27 is 10-08 as well; make it 2 working days → 09-30.
        let rule_v2 = "first_inquiry_local\t2\tfirst_online_inquiry\tfiling\t2\tworking_days\tlocal\t-\tall\t本院执行流程管理规定 第 3 条（修订）";
        let moved = app
            .set_local_rule(&f.director, rule_v2, NOW_MS)
            .await
            .unwrap();
        assert_eq!(moved.len(), 1);
        assert_eq!(
            (moved[0].from.as_str(), moved[0].to.as_str()),
            ("2024-10-08", "2024-09-30")
        );
        assert_eq!(moved[0].handler_id, case.handler_id);
        let d = app
            .case_deadlines(&f.command, &case.id, NOW_MS)
            .await
            .unwrap();
        assert_eq!(find(&d), Some(("2024-09-30".to_owned(), 2)));
        // Refusals: a statutory rule cannot be set locally; a judge cannot configure.
        let bad = rule_v2.replace("\tlocal\t", "\tstatutory\t");
        assert_eq!(
            expect_invalid(app.set_local_rule(&f.director, &bad, NOW_MS).await, "kind").code,
            "rule_kind"
        );
        let unknown = rule_v2.replace("first_online_inquiry", "no_such_node");
        assert_eq!(
            expect_invalid(
                app.set_local_rule(&f.director, &unknown, NOW_MS).await,
                "node"
            )
            .field,
            "rule"
        );
        expect_forbidden(
            app.set_local_rule(&f.judges[0], rule_v2, NOW_MS).await,
            "judge",
        );
        t.cleanup().await;
    }
}

#[tokio::test]
async fn a_new_calendar_version_recomputes_stale_deadlines_and_dates_past_the_notices_are_provisional()
 {
    for t in backends().await {
        let app = &t.app;
        let f = seed_court(app, "川1123", "k").await;
        let case = app
            .file_case(
                &f.command,
                &filing("川1123", 1, person("李四", 1), 1_500_000),
                NOW_MS,
            )
            .await
            .unwrap()
            .case;
        // Nothing is stale right after filing.
        assert!(
            app.recompute_stale_calendar(NOW_MS)
                .await
                .unwrap()
                .is_empty()
        );
        // Deadlines computed with an older calendar (as after an upgrade) are recomputed once.
        let current = zhixing_domain::calendar::LegalCalendar::builtin().version();
        exec(
            t.db(),
            "UPDATE deadlines SET derivation = REPLACE(derivation, $1, 'cn-old')",
            &[current],
        )
        .await;
        let done = app.recompute_stale_calendar(NOW_MS).await.unwrap();
        assert_eq!(done.len(), 1, "{:?}", t.backend);
        assert_eq!(done[0].0, "川1123");
        assert!(
            app.recompute_stale_calendar(NOW_MS)
                .await
                .unwrap()
                .is_empty()
        );
        let d = app
            .case_deadlines(&f.command, &case.id, NOW_MS)
            .await
            .unwrap();
        assert!(
            d.iter()
                .filter(|x| x.status != "done")
                .all(|x| x.row.derivation.contains(current))
        );
        t.cleanup().await;

        // A case filed today (2026-11): its 6-month term ends in 2027, a year without a published
        // notice yet — computed provisionally, flagged, not refused.
        let t2 = zhixing_testkit::sqlite().await;
        let f2 = seed_court(&t2.app, "川1123", "p").await;
        let now = at("2026-11-20");
        let mut input = filing("川1123", 2, person("王五", 2), 1_500_000);
        input.filed_on = "2026-11-20".into();
        let c = t2
            .app
            .file_case(&f2.command, &input, now)
            .await
            .unwrap()
            .case;
        let d = t2
            .app
            .case_deadlines(&f2.command, &c.id, now)
            .await
            .unwrap();
        let term = d.iter().find(|x| x.row.node == "closing").unwrap();
        assert_eq!(term.row.due_on, "2027-05-20");
        let der: serde_json::Value = serde_json::from_str(&term.row.derivation).unwrap();
        assert_eq!(der["calendar_provisional"], true);
        let notice = d
            .iter()
            .find(|x| x.row.node == "enforcement_notice")
            .unwrap();
        let der: serde_json::Value = serde_json::from_str(&notice.row.derivation).unwrap();
        assert_eq!(der["calendar_provisional"], false);
        t2.cleanup().await;
    }
}
