//! Duty capabilities end to end on both databases: reward notices (INV arts 21–24) with the 10-day
//! decision, confidential leads, payouts and success rate; 执行110 tip-offs dispatched with their
//! response deadline and listed when overdue, 临控; 拒执 referrals with the evidence package and
//! the 自诉 route (REFUSE art 14). Public input: markup stays inert text, oversized input is
//! refused naming the field.

use zhixing_app::duty::{
    DEFAULT_SETTINGS, PayoutInput, ReferralInput, RewardInput, SettingsInput, TipInput,
    TipoffInput, VerifyInput, ViolationInput, feed_deadline,
};
use zhixing_app::{Actor, App};
use zhixing_domain::deadline::find_node;
use zhixing_store::cases::CaseRow;
use zhixing_testkit::{CourtFixture, NOW_MS, backends, filing, person, seed_court};

use crate::common::{expect_conflict, expect_forbidden, expect_invalid, expect_not_found, system};

const DAY: i64 = 86_400_000;
const MINUTE: i64 = 60_000;
const PHONE: &str = "13912345678";

async fn case(app: &App, f: &CourtFixture, n: u32) -> CaseRow {
    app.file_case(
        &f.command,
        &filing(&f.court, n, person("李四", n), 1_500_000),
        NOW_MS,
    )
    .await
    .unwrap()
    .case
}

fn reward_input() -> RewardInput {
    RewardInput {
        applicant_name: "张三".into(),
        amount_fen: Some(1_000_000),
        formula: None,
        promise_to_pay: true,
        publish_via: "全国法院执行悬赏公告平台、法院微信公众号".into(),
        channel: "0833-1234567".into(),
        applied_on: String::new(),
        debtor_party_id: None,
    }
}

fn tip(content: &str) -> TipInput {
    TipInput {
        content: content.into(),
        tipster_name: "王举报".into(),
        tipster_phone: PHONE.into(),
    }
}

/// A published notice on a new case (handled by judge1's team; command applies and publishes).
async fn published(app: &App, f: &CourtFixture, n: u32) -> (CaseRow, String) {
    let c = case(app, f, n).await;
    let r = app
        .apply_reward(&f.command, &c.id, &reward_input(), NOW_MS)
        .await
        .unwrap();
    app.decide_reward(&f.president, &r.notice.id, true, "", "", NOW_MS)
        .await
        .unwrap();
    app.publish_reward(&f.command, &r.notice.id, "", NOW_MS)
        .await
        .unwrap();
    (c, r.notice.id)
}

#[tokio::test]
async fn a_reward_undecided_after_10_days_is_overdue_and_its_late_decision_is_marked() {
    for t in backends().await {
        let app = &t.app;
        let f = seed_court(app, "川1123", "r").await;
        let c = case(app, &f, 1).await;
        let r = app
            .apply_reward(&f.judges[0], &c.id, &reward_input(), NOW_MS)
            .await
            .unwrap();
        // INV art 21 para 2: decide within 10 days of the application.
        assert_eq!(r.notice.applied_on, "2024-09-27");
        // 09-27 + 10 = 10-07, a National Day holiday → 10-08 (CPL art 85).
        assert_eq!(r.notice.decide_by, "2024-10-08");
        assert!(!r.decision_overdue);
        let due_day = NOW_MS + 11 * DAY;
        let v = app.reward(&f.command, &r.notice.id, due_day).await.unwrap();
        assert!(!v.decision_overdue, "due today, not yet overdue");
        let later = NOW_MS + 12 * DAY;
        let v = app.reward(&f.command, &r.notice.id, later).await.unwrap();
        assert!(v.decision_overdue, "{:?}", t.backend);
        // Only the president decides (ApproveMeasure).
        let (code, _, _) = expect_forbidden(
            app.decide_reward(&f.director, &r.notice.id, true, "", "", later)
                .await,
            "director",
        );
        assert_eq!(code, "permission_denied");
        let d = app
            .decide_reward(&f.president, &r.notice.id, true, "", "", later)
            .await
            .unwrap();
        assert_eq!(d.notice.status, "approved");
        assert!(d.decided_late && !d.decision_overdue);
        // A decision twice is a state conflict.
        let (code, field, _) = expect_conflict(
            app.decide_reward(&f.president, &r.notice.id, false, "x", "", later)
                .await,
            "again",
        );
        assert_eq!((code, field.as_deref()), ("reward_state", Some("status")));
        t.cleanup().await;
    }
}

/// With `reward_application` → `reward_decision` (10 calendar days, INV art 21 para 2) in the
/// process-node catalogue, the deadline engine shows the decision deadline overdue.
#[tokio::test]
async fn the_deadline_engine_shows_a_late_reward_decision_overdue() {
    assert!(find_node("reward_application").is_some() && find_node("reward_decision").is_some());
    for t in backends().await {
        let app = &t.app;
        let f = seed_court(app, "川1123", "r").await;
        let c = case(app, &f, 1).await;
        let r = app
            .apply_reward(&f.judges[0], &c.id, &reward_input(), NOW_MS)
            .await
            .unwrap();
        let later = NOW_MS + 12 * DAY;
        let d = app.case_deadlines(&f.command, &c.id, later).await.unwrap();
        let dl = d
            .iter()
            .find(|d| d.row.node == "reward_decision")
            .expect("a reward_decision deadline");
        assert_eq!(dl.status, "overdue");
        app.decide_reward(&f.president, &r.notice.id, true, "", "", later)
            .await
            .unwrap();
        let d = app.case_deadlines(&f.command, &c.id, later).await.unwrap();
        assert!(
            d.iter()
                .any(|d| d.row.node == "reward_decision" && d.row.status == "done")
        );
        t.cleanup().await;
    }
}

#[tokio::test]
async fn feeding_an_unknown_node_is_skipped_not_an_error() {
    for t in backends().await {
        let app = &t.app;
        let f = seed_court(app, "川1123", "r").await;
        let c = case(app, &f, 1).await;
        let mut tx = app.db.begin().await.unwrap();
        let fed = feed_deadline(
            &mut tx,
            &f.court,
            &c.id,
            "no_such_node_x",
            chrono::NaiveDate::from_ymd_opt(2024, 9, 27).unwrap(),
            "",
            "system",
            NOW_MS,
        )
        .await
        .unwrap();
        tx.rollback().await.unwrap();
        assert!(!fed);
        t.cleanup().await;
    }
}

#[tokio::test]
async fn reward_application_is_validated_naming_the_field() {
    for t in backends().await {
        let app = &t.app;
        let f = seed_court(app, "川1123", "r").await;
        let c = case(app, &f, 1).await;
        let bad = |m: &dyn Fn(&mut RewardInput)| {
            let mut i = reward_input();
            m(&mut i);
            i
        };
        for (input, field, code) in [
            (
                bad(&|i| i.amount_fen = None),
                "amount_fen",
                "amount_or_formula",
            ),
            (
                bad(&|i| i.amount_fen = Some(-5)),
                "amount_fen",
                "amount_positive",
            ),
            (
                bad(&|i| i.formula = Some("10%".into())),
                "formula",
                "amount_or_formula",
            ),
            (
                bad(&|i| i.promise_to_pay = false),
                "promise_to_pay",
                "promise_required",
            ),
            (bad(&|i| i.channel = String::new()), "channel", "required"),
            (
                bad(&|i| i.publish_via = " ".into()),
                "publish_via",
                "required",
            ),
            (
                bad(&|i| i.applicant_name = "张".repeat(101)),
                "applicant_name",
                "too_long",
            ),
            (
                bad(&|i| i.applied_on = "2024-13-01".into()),
                "applied_on",
                "date_format",
            ),
        ] {
            let e = expect_invalid(
                app.apply_reward(&f.command, &c.id, &input, NOW_MS).await,
                field,
            );
            assert_eq!((e.field.as_str(), e.code), (field, code));
        }
        // A clerk may not propose (ProposeMeasure).
        expect_forbidden(
            app.apply_reward(&f.clerk, &c.id, &reward_input(), NOW_MS)
                .await,
            "clerk",
        );
        // A formula is accepted as text.
        let mut i = reward_input();
        i.amount_fen = None;
        i.formula = Some("执行到位金额的 10%".into());
        let r = app
            .apply_reward(&f.command, &c.id, &i, NOW_MS)
            .await
            .unwrap();
        assert_eq!(r.notice.formula.as_deref(), Some("执行到位金额的 10%"));
        t.cleanup().await;
    }
}

#[tokio::test]
async fn public_notices_never_show_tipsters_and_leads_are_registered_in_order() {
    for t in backends().await {
        let app = &t.app;
        let f = seed_court(app, "川1123", "r").await;
        let (c, id) = published(app, &f, 1).await;
        // Not yet published notices stay off the public list.
        let c2 = case(app, &f, 2).await;
        app.apply_reward(&f.command, &c2.id, &reward_input(), NOW_MS)
            .await
            .unwrap();
        let r1 = app
            .submit_public_tip(&id, &tip("他在城东菜市场"), NOW_MS)
            .await
            .unwrap();
        let r2 = app
            .submit_public_tip(&id, &tip("车停在北门"), NOW_MS + 1)
            .await
            .unwrap();
        assert!(r1.receipt_no.ends_with("-0001") && r2.receipt_no.ends_with("-0002"));
        let (list, total) = app.public_rewards(1, 50).await.unwrap();
        assert_eq!((list.len(), total), (1, 1));
        let shown = format!("{list:?}");
        for secret in [PHONE, "王举报", "城东菜市场", "张三"] {
            assert!(!shown.contains(secret), "{secret} leaked: {shown}");
        }
        let n = &list[0];
        assert_eq!(n.debtor_name, "李四");
        assert!(n.debtor_id_masked.contains("**********"));
        assert!(n.public_text.contains(&c.case_number) && n.public_text.contains("0833-1234567"));
        // The page size is bounded.
        let e = expect_invalid(app.public_rewards(1, 51).await, "page_size");
        assert_eq!(e.field, "page_size");
        // Staff who may propose measures see the leads, in order, with the tipster.
        let leads = app.reward_leads(&f.command, &id).await.unwrap();
        assert_eq!(leads.iter().map(|l| l.seq).collect::<Vec<_>>(), vec![1, 2]);
        assert_eq!(leads[0].tipster_phone, PHONE);
        // A clerk (no ProposeMeasure) does not; a tip on an unpublished notice is 404.
        expect_forbidden(app.reward_leads(&f.clerk, &id).await, "clerk");
        // But the clerk on the team's phone registers a lead (TakeRewardLead), next in order,
        // and still cannot read the list.
        let by_clerk = app
            .add_reward_lead(&f.clerk, &id, &tip("他每周五去城南仓库"), NOW_MS + 2)
            .await
            .unwrap();
        assert_eq!(
            (
                by_clerk.seq,
                by_clerk.source.as_str(),
                by_clerk.received_by.as_deref()
            ),
            (3, "staff", Some(f.clerk.user_id.as_str()))
        );
        expect_forbidden(
            app.reward_leads(&f.clerk, &id).await,
            "clerk after registering",
        );
        assert_eq!(app.reward_leads(&f.command, &id).await.unwrap().len(), 3);
        let unpublished = app.case_rewards(&f.command, &c2.id, NOW_MS).await.unwrap();
        expect_not_found(
            app.submit_public_tip(&unpublished[0].notice.id, &tip("x"), NOW_MS)
                .await,
            "unpublished",
        );
        // The tipster's identity is in no audit record (they go into referral packages).
        let audit: Vec<String> = sqlx::query_scalar(
            "SELECT COALESCE(after_json, '') FROM audit_log WHERE action = 'reward.lead'",
        )
        .fetch_all(app.db.pool())
        .await
        .unwrap();
        assert_eq!(audit.len(), 3);
        assert!(
            audit
                .iter()
                .all(|a| !a.contains(PHONE) && !a.contains("王举报"))
        );
        t.cleanup().await;
    }
}

#[tokio::test]
async fn markup_in_a_tip_is_stored_as_inert_text_and_oversized_input_names_the_field() {
    for t in backends().await {
        let app = &t.app;
        let f = seed_court(app, "川1123", "r").await;
        let (_, id) = published(app, &f, 1).await;
        let evil = "<script>alert('x')</script><img src=x onerror=alert(1)>";
        app.submit_public_tip(&id, &tip(evil), NOW_MS)
            .await
            .unwrap();
        let leads = app.reward_leads(&f.command, &id).await.unwrap();
        // Stored exactly as text: nothing interpreted, nothing half-stripped.
        assert_eq!(leads[0].content, evil);
        for (input, field, code) in [
            (tip(&"线".repeat(2001)), "content", "too_long"),
            (tip("  "), "content", "required"),
            (
                TipInput {
                    tipster_phone: "<script>".into(),
                    ..tip("x")
                },
                "tipster_phone",
                "phone_format",
            ),
            (
                TipInput {
                    tipster_name: "名".repeat(101),
                    ..tip("x")
                },
                "tipster_name",
                "too_long",
            ),
        ] {
            let e = expect_invalid(app.submit_public_tip(&id, &input, NOW_MS).await, field);
            assert_eq!((e.field.as_str(), e.code), (field, code));
        }
        // Nothing of the refused ones was stored.
        assert_eq!(app.reward_leads(&f.command, &id).await.unwrap().len(), 1);
        t.cleanup().await;
    }
}

#[tokio::test]
async fn payouts_stay_within_the_promise_need_the_declaration_and_count_as_success() {
    for t in backends().await {
        let app = &t.app;
        let f = seed_court(app, "川1123", "r").await;
        let (c, id) = published(app, &f, 1).await;
        let (_, id2) = published(app, &f, 2).await;
        app.submit_public_tip(&id, &tip("线索一"), NOW_MS)
            .await
            .unwrap();
        let lead = app.reward_leads(&f.command, &id).await.unwrap().remove(0);
        let pay = |amount: i64, declaration: bool| PayoutInput {
            amount_fen: amount,
            paid_on: String::new(),
            payee_name: "王举报".into(),
            declaration,
        };
        // Not verified yet.
        let (code, _, _) = expect_conflict(
            app.pay_reward(&f.command, &lead.id, &pay(1, true), NOW_MS)
                .await,
            "unverified",
        );
        assert_eq!(code, "lead_not_verified");
        app.verify_lead(
            &f.judges[0],
            &lead.id,
            &VerifyInput {
                verified: true,
                note: "查实，扣押车辆一台".into(),
                led_to_recovery: true,
                recovered_fen: 800_000,
                on: String::new(),
            },
            NOW_MS,
        )
        .await
        .unwrap();
        let e = expect_invalid(
            app.pay_reward(&f.command, &lead.id, &pay(100, false), NOW_MS)
                .await,
            "decl",
        );
        assert_eq!(e.field, "declaration");
        let e = expect_invalid(
            app.pay_reward(&f.command, &lead.id, &pay(1_000_001, true), NOW_MS)
                .await,
            "over",
        );
        assert_eq!(
            (e.field.as_str(), e.code),
            ("amount_fen", "payout_over_promise")
        );
        app.pay_reward(&f.command, &lead.id, &pay(600_000, true), NOW_MS)
            .await
            .unwrap();
        let e = expect_invalid(
            app.pay_reward(&f.command, &lead.id, &pay(400_001, true), NOW_MS)
                .await,
            "remainder",
        );
        assert_eq!(e.code, "payout_over_promise");
        // A lead verified but without recovery earns nothing (INV art 24 para 1).
        app.submit_public_tip(&id, &tip("线索二"), NOW_MS)
            .await
            .unwrap();
        let second = app.reward_leads(&f.command, &id).await.unwrap().remove(1);
        app.verify_lead(
            &f.command,
            &second.id,
            &VerifyInput {
                verified: true,
                note: "属实，但法院已掌握".into(),
                led_to_recovery: false,
                recovered_fen: 0,
                on: String::new(),
            },
            NOW_MS,
        )
        .await
        .unwrap();
        let (code, _, _) = expect_conflict(
            app.pay_reward(&f.command, &second.id, &pay(1, true), NOW_MS)
                .await,
            "no recovery",
        );
        assert_eq!(code, "lead_not_verified");
        let v = app
            .case_rewards(&f.command, &c.id, NOW_MS)
            .await
            .unwrap()
            .remove(0);
        assert!(v.successful);
        assert_eq!(
            (v.paid_fen, v.recovered_fen, v.verified_leads),
            (600_000, 800_000, 2)
        );
        // Court: 2 published, 1 successful → 500 ‰.
        let s = app.reward_stats(&f.command).await.unwrap();
        assert_eq!(
            (s.published, s.successful, s.rate_permille),
            (2, 1, Some(500))
        );
        // Closing keeps it counted as published.
        app.close_reward(&f.command, &id2, "", "被执行人已履行", NOW_MS)
            .await
            .unwrap();
        let s = app.reward_stats(&f.command).await.unwrap();
        assert_eq!(s.published, 2);
        t.cleanup().await;
    }
}

fn tipoff(court: &str, kind: &str) -> TipoffInput {
    TipoffInput {
        court: court.into(),
        case_number: None,
        debtor_name: "李四".into(),
        kind: kind.into(),
        urgent: false,
        content: "看见被执行人在小区门口".into(),
        location: "犍为县玉津镇某小区".into(),
        reporter_name: "赵热心".into(),
        reporter_phone: "0833-7654321".into(),
    }
}

#[tokio::test]
async fn tipoffs_go_to_the_command_center_with_the_right_response_deadline() {
    for t in backends().await {
        let app = &t.app;
        let f = seed_court(app, "川1123", "r").await;
        let c = case(app, &f, 1).await;
        let mut whereabouts = tipoff(&f.court, "whereabouts");
        whereabouts.case_number = Some(c.case_number.clone());
        let r = app
            .submit_public_tipoff(&whereabouts, NOW_MS)
            .await
            .unwrap();
        assert!(r.receipt_no.starts_with("ZX110-20240927-"));
        app.submit_public_tipoff(&tipoff(&f.court, "assets"), NOW_MS)
            .await
            .unwrap();
        let list = app.tipoffs(&f.command, None, false, NOW_MS).await.unwrap();
        assert_eq!(list.len(), 2);
        let urgent = &list[0];
        assert!(urgent.tip.urgent);
        assert_eq!(urgent.tip.respond_by, NOW_MS + 30 * MINUTE);
        assert_eq!(urgent.tip.case_id.as_deref(), Some(c.id.as_str()));
        assert_eq!(urgent.tip.status, "dispatched");
        assert_eq!(urgent.team_name.as_deref(), Some("指挥中心"));
        assert_eq!(urgent.tip.reporter_phone, "0833-7654321");
        assert_eq!(list[1].tip.respond_by, NOW_MS + 120 * MINUTE);
        // The command center's members get it in their inbox, without the reporter.
        let inbox = app.notifications(&f.command, 10).await.unwrap();
        let n = inbox
            .iter()
            .find(|n| n.source_id == urgent.tip.id)
            .expect("inbox notice");
        assert_eq!(n.level.as_deref(), Some("red"));
        assert!(!n.body.contains("0833-7654321") && !n.title.contains("赵热心"));
        // The per-court settings change the durations.
        app.set_duty_settings(
            &f.director,
            &SettingsInput {
                urgent_response_minutes: Some(15),
                normal_response_minutes: Some(60),
                ..Default::default()
            },
            NOW_MS,
        )
        .await
        .unwrap();
        let v = app
            .intake_tipoff(&f.police, &tipoff("ignored", "other"), NOW_MS)
            .await
            .unwrap();
        assert_eq!(v.tip.respond_by, NOW_MS + 60 * MINUTE);
        assert_eq!(v.tip.court_code, f.court);
        assert_eq!(v.tip.source, "phone");
        let e = expect_invalid(
            app.set_duty_settings(
                &f.director,
                &SettingsInput {
                    urgent_response_minutes: Some(2),
                    ..Default::default()
                },
                NOW_MS,
            )
            .await,
            "range",
        );
        assert_eq!(e.field, "urgent_response_minutes");
        expect_forbidden(
            app.set_duty_settings(&f.judges[0], &SettingsInput::default(), NOW_MS)
                .await,
            "judge",
        );
        // Validation of the public form names the field.
        for (input, field) in [
            (
                TipoffInput {
                    court: "XX".into(),
                    ..tipoff(&f.court, "other")
                },
                "court",
            ),
            (
                TipoffInput {
                    reporter_phone: "12345".into(),
                    ..tipoff(&f.court, "other")
                },
                "reporter_phone",
            ),
            (
                TipoffInput {
                    location: "地".repeat(501),
                    ..tipoff(&f.court, "other")
                },
                "location",
            ),
            (
                TipoffInput {
                    content: "看".repeat(2001),
                    ..tipoff(&f.court, "other")
                },
                "content",
            ),
            (
                TipoffInput {
                    kind: "gossip".into(),
                    ..tipoff(&f.court, "other")
                },
                "kind",
            ),
        ] {
            let e = expect_invalid(app.submit_public_tipoff(&input, NOW_MS).await, field);
            assert_eq!(e.field, field);
        }
        // A judge may not take tip-offs (HandleTipoffs: command, police, director, judge) — judges may.
        assert!(app.tipoffs(&f.judges[0], None, false, NOW_MS).await.is_ok());
        expect_forbidden(app.tipoffs(&f.clerk, None, false, NOW_MS).await, "clerk");
        t.cleanup().await;
    }
}

#[tokio::test]
async fn without_a_command_center_the_team_with_fewest_open_tipoffs_takes_it() {
    for t in backends().await {
        let app = &t.app;
        let court = "川1124";
        let sys = system(app, court).await;
        let a = app
            .add_team(&sys, court, "值班A组", "fast", NOW_MS)
            .await
            .unwrap();
        let b = app
            .add_team(&sys, court, "值班B组", "standard", NOW_MS)
            .await
            .unwrap();
        let mut teams = Vec::new();
        for _ in 0..3 {
            app.submit_public_tipoff(&tipoff(court, "assets"), NOW_MS)
                .await
                .unwrap();
        }
        let op: Actor = crate::common::add_user(app, court, "command", "op24", None).await;
        for v in app.tipoffs(&op, None, false, NOW_MS).await.unwrap() {
            teams.push(v.tip.team_id.unwrap());
        }
        teams.sort();
        let mut want = vec![a.id.clone(), a.id.clone(), b.id.clone()];
        want.sort();
        assert_eq!(
            teams, want,
            "A (first by name), B, then A again (fewest open)"
        );
        t.cleanup().await;
    }
}

#[tokio::test]
async fn overdue_tipoffs_are_listed_until_answered_and_police_control_is_tracked() {
    for t in backends().await {
        let app = &t.app;
        let f = seed_court(app, "川1123", "r").await;
        app.submit_public_tipoff(&tipoff(&f.court, "whereabouts"), NOW_MS)
            .await
            .unwrap();
        app.submit_public_tipoff(&tipoff(&f.court, "assets"), NOW_MS)
            .await
            .unwrap();
        let at = NOW_MS + 31 * MINUTE;
        let overdue = app.tipoffs(&f.command, None, true, at).await.unwrap();
        assert_eq!(overdue.len(), 1);
        assert!(overdue[0].overdue && overdue[0].tip.kind == "whereabouts");
        let id = overdue[0].tip.id.clone();
        // 临控 from the tip.
        let ctl = app
            .request_control(&f.police, &id, "犍为县公安局", None, at)
            .await
            .unwrap();
        assert_eq!(ctl.status, "requested");
        let e = expect_invalid(
            app.control_outcome(&f.police, &ctl.id, "escaped", "", None, at)
                .await,
            "outcome",
        );
        assert_eq!(e.field, "outcome");
        let done = app
            .control_outcome(
                &f.police,
                &ctl.id,
                "controlled",
                "已在小区门口控制",
                None,
                at + MINUTE,
            )
            .await
            .unwrap();
        assert_eq!(
            (done.status.as_str(), done.outcome_at),
            ("controlled", Some(at + MINUTE))
        );
        expect_conflict(
            app.control_outcome(&f.police, &ctl.id, "refused", "", None, at + MINUTE)
                .await,
            "twice",
        );
        // Closing before a response is refused; respond, then close.
        let (code, _, _) =
            expect_conflict(app.close_tipoff(&f.command, &id, "结束", at).await, "close");
        assert_eq!(code, "tipoff_state");
        let v = app
            .respond_tipoff(&f.police, &id, "已出警，人已控制", at)
            .await
            .unwrap();
        assert!(!v.overdue && v.controls.len() == 1);
        assert!(
            app.tipoffs(&f.command, None, true, at)
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            app.tipoffs(&f.command, None, true, NOW_MS + 121 * MINUTE)
                .await
                .unwrap()
                .len(),
            1
        );
        app.close_tipoff(&f.command, &id, "已转承办法官", at)
            .await
            .unwrap();
        assert_eq!(
            app.tipoffs(&f.command, Some("closed"), false, at)
                .await
                .unwrap()
                .len(),
            1
        );
        // Another court's tip-off is not found.
        let other = seed_court(app, "川1124", "o").await;
        expect_not_found(app.tipoff(&other.command, &id, at).await, "other court");
        t.cleanup().await;
    }
}

#[tokio::test]
async fn a_referral_packages_the_case_history_and_private_prosecution_waits_for_a_decline() {
    for t in backends().await {
        let app = &t.app;
        let f = seed_court(app, "川1123", "r").await;
        let c = case(app, &f, 1).await;
        let events = app.case_events(&f.command, &c.id).await.unwrap();
        assert!(!events.is_empty());
        let input = ReferralInput {
            suspect_name: String::new(),
            facts: "被执行人有能力履行而拒不履行".into(),
            violations: vec![ViolationInput {
                on: "2024-09-20".into(),
                kind: "asset_transfer".into(),
                description: "将车辆过户给其亲属".into(),
            }],
        };
        let bad = ReferralInput {
            violations: vec![ViolationInput {
                on: "2024-09-20".into(),
                kind: "rumour".into(),
                description: "x".into(),
            }],
            ..input.clone()
        };
        let e = expect_invalid(
            app.create_referral(&f.command, &c.id, &bad, NOW_MS).await,
            "kind",
        );
        assert_eq!(e.field, "violations[0].kind");
        let photo = app
            .add_evidence(
                &f.command,
                &c.id,
                zhixing_app::evidence::EvidenceInput {
                    file_name: "过户登记.pdf".into(),
                    media_type: "application/pdf".into(),
                    event_id: None,
                    bytes: b"%PDF-1.4 transfer".to_vec(),
                },
                NOW_MS,
            )
            .await
            .unwrap();
        // A fine approved and paid before the referral is part of the package (REFUSE art 3(4)).
        let debtor = zhixing_testkit::debtor_id(app, &c).await;
        let fine = app
            .propose_measure(
                &f.command,
                &c.id,
                &zhixing_app::measures::MeasureInput {
                    kind: "fine".into(),
                    party_id: Some(debtor.clone()),
                    amount_fen: Some(2_000_000),
                    reason: "拒不报告财产".into(),
                    ..Default::default()
                },
                NOW_MS,
            )
            .await
            .unwrap();
        app.decide_measure(&f.president, &fine.id, true, "", NOW_MS)
            .await
            .unwrap();
        let r = app
            .create_referral(&f.judges[0], &c.id, &input, NOW_MS)
            .await
            .unwrap();
        let r = r.referral;
        assert_eq!(r.status, "drafted");
        assert_eq!(r.suspect_name, "李四");
        assert_eq!(
            (r.drafted_on.as_str(), r.transfer_by.as_str()),
            ("2024-09-27", "2024-10-08")
        );
        let pkg: serde_json::Value = serde_json::from_str(&r.package).unwrap();
        let nodes: Vec<&str> = pkg["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"].as_str().unwrap())
            .collect();
        assert_eq!(
            nodes,
            events.iter().map(|e| e.node.as_str()).collect::<Vec<_>>()
        );
        assert!(!pkg["audit"].as_array().unwrap().is_empty());
        assert_eq!(pkg["case"]["case_number"], c.case_number.as_str());
        assert_eq!(pkg["violations"][0]["kind"], "asset_transfer");
        assert_eq!(pkg["evidence_files"][0]["sm3"], photo.sm3.as_str());
        assert_eq!(pkg["measures"][0]["kind"], "fine");
        assert_eq!(pkg["measures"][0]["status"], "effective");
        assert_eq!(pkg["measures"][0]["amount_fen"], 2_000_000);
        assert_eq!(
            r.package_sm3,
            zhixing_domain::audit::sm3_hex(r.package.as_bytes())
        );
        // Overdue transfer is visible after the local 7 days.
        let v = app
            .case_referrals(&f.command, &c.id, NOW_MS + 12 * DAY)
            .await
            .unwrap();
        assert!(v[0].transfer_overdue);
        // 自诉 before the police declined: refused (REFUSE art 14).
        let (code, _, _) = expect_conflict(
            app.private_prosecution(&f.command, &r.id, "", "犍为县人民法院", "转账记录", NOW_MS)
                .await,
            "too early",
        );
        assert_eq!(code, "private_prosecution_too_early");
        let v = app
            .refer_referral(&f.command, &r.id, "犍为县公安局", "", NOW_MS)
            .await
            .unwrap();
        assert_eq!(v.referral.conclude_by.as_deref(), Some("2024-10-28"));
        let (code, _, _) = expect_conflict(
            app.private_prosecution(&f.command, &r.id, "", "犍为县人民法院", "转账记录", NOW_MS)
                .await,
            "still too early",
        );
        assert_eq!(code, "private_prosecution_too_early");
        let e = expect_invalid(
            app.police_decision(&f.command, &r.id, false, "", "", NOW_MS)
                .await,
            "note",
        );
        assert_eq!(e.field, "note");
        app.police_decision(&f.command, &r.id, false, "", "证据不足，不予立案", NOW_MS)
            .await
            .unwrap();
        let e = expect_invalid(
            app.private_prosecution(&f.command, &r.id, "", "犍为县人民法院", "", NOW_MS)
                .await,
            "evidence",
        );
        assert_eq!(e.field, "applicant_evidence");
        let v = app
            .private_prosecution(
                &f.command,
                &r.id,
                "",
                "犍为县人民法院",
                "车辆过户登记、转账记录",
                NOW_MS,
            )
            .await
            .unwrap();
        assert_eq!(v.referral.status, "private_filed");
        let v = app
            .referral_judgment(
                &f.command,
                &r.id,
                "",
                "拒不执行判决罪，判处有期徒刑一年",
                NOW_MS,
            )
            .await
            .unwrap();
        assert_eq!(v.referral.status, "judged");
        assert_eq!(
            v.referral.sentence.as_deref(),
            Some("拒不执行判决罪，判处有期徒刑一年")
        );
        let list = app.case_referrals(&f.command, &c.id, NOW_MS).await.unwrap();
        assert_eq!(list.len(), 1);
        // Settings drive the terms.
        assert_eq!(DEFAULT_SETTINGS.referral_transfer_days, 7);
        t.cleanup().await;
    }
}

/// After 立案 the procuratorate may still not prosecute (不予追究), which opens the applicant's
/// 自诉 just as a refusal to file does (REFUSE art 14); a pending 自诉 may be settled or withdrawn
/// before judgment (刑事诉讼法 art 212), and those ends are final.
#[tokio::test]
async fn a_dropped_referral_opens_private_prosecution_which_may_settle_or_be_withdrawn() {
    for t in backends().await {
        let app = &t.app;
        let f = seed_court(app, "川1123", "r").await;
        let c = case(app, &f, 1).await;
        let input = ReferralInput {
            suspect_name: String::new(),
            facts: "被执行人有能力履行而拒不履行".into(),
            violations: vec![],
        };
        let a = app
            .create_referral(&f.judges[0], &c.id, &input, NOW_MS)
            .await
            .unwrap()
            .referral;
        // The steps below happen over the next months.
        let later = NOW_MS + 90 * DAY;
        app.refer_referral(&f.command, &a.id, "犍为县公安局", "2024-09-27", NOW_MS)
            .await
            .unwrap();
        // Not before the police accepted the case.
        let (code, _, _) = expect_conflict(
            app.referral_dropped(&f.command, &a.id, "police", "", "撤销案件", later)
                .await,
            "dropped while referred",
        );
        assert_eq!(code, "referral_state");
        let v = app
            .police_decision(&f.command, &a.id, true, "2024-10-08", "", later)
            .await
            .unwrap();
        assert_eq!(v.referral.status, "accepted");
        // 自诉 is still too early: the case is being pursued.
        let (code, _, _) = expect_conflict(
            app.private_prosecution(&f.command, &a.id, "", "犍为县人民法院", "转账记录", later)
                .await,
            "自诉 while accepted",
        );
        assert_eq!(code, "private_prosecution_too_early");
        let e = expect_invalid(
            app.referral_dropped(&f.command, &a.id, "court", "", "不起诉", later)
                .await,
            "organ",
        );
        assert_eq!((e.code, e.field.as_str()), ("dropped_by", "by"));
        let e = expect_invalid(
            app.referral_dropped(&f.command, &a.id, "procuratorate", "2024-11-20", "", later)
                .await,
            "reasons",
        );
        assert_eq!(e.field, "note");
        let e = expect_invalid(
            app.referral_dropped(
                &f.command,
                &a.id,
                "procuratorate",
                "2024-10-01",
                "不起诉",
                later,
            )
            .await,
            "before 立案",
        );
        assert_eq!((e.code, e.field.as_str()), ("before_acceptance", "on"));
        let v = app
            .referral_dropped(
                &f.command,
                &a.id,
                "procuratorate",
                "2024-11-20",
                "犯罪情节轻微，决定不起诉",
                later,
            )
            .await
            .unwrap();
        assert_eq!(v.referral.status, "dropped");
        assert_eq!(v.referral.dropped_by.as_deref(), Some("procuratorate"));
        assert!(!v.conclude_overdue, "a dropped case is no longer tracked");
        let v = app
            .private_prosecution(
                &f.command,
                &a.id,
                "2024-11-25",
                "犍为县人民法院",
                "车辆过户登记、转账记录",
                later,
            )
            .await
            .unwrap();
        assert_eq!(v.referral.status, "private_filed");
        let e = expect_invalid(
            app.private_prosecution_end(&f.command, &a.id, "mediated", "", "x", later)
                .await,
            "outcome",
        );
        assert_eq!(e.field, "outcome");
        // A settlement's terms are required; the date cannot precede the filing.
        let e = expect_invalid(
            app.private_prosecution_end(&f.command, &a.id, "settled", "2024-12-01", " ", later)
                .await,
            "terms",
        );
        assert_eq!(e.field, "note");
        let e = expect_invalid(
            app.private_prosecution_end(&f.command, &a.id, "settled", "2024-11-24", "x", later)
                .await,
            "before filing",
        );
        assert_eq!((e.code, e.field.as_str()), ("before_private_filing", "on"));
        let v = app
            .private_prosecution_end(
                &f.command,
                &a.id,
                "settled",
                "2024-12-01",
                "被告人当庭支付执行款 50,000 元，余款分三期付清",
                later,
            )
            .await
            .unwrap();
        assert_eq!(v.referral.status, "settled");
        assert_eq!(v.referral.ended_on.as_deref(), Some("2024-12-01"));
        // Final: no judgment, no second end.
        let (code, _, _) = expect_conflict(
            app.referral_judgment(&f.command, &a.id, "", "有期徒刑一年", later)
                .await,
            "judgment after settlement",
        );
        assert_eq!(code, "referral_state");
        let (code, _, _) = expect_conflict(
            app.private_prosecution_end(&f.command, &a.id, "withdrawn", "", "", later)
                .await,
            "withdrawn after settlement",
        );
        assert_eq!(code, "not_private_prosecution");

        // A second referral: declined, 自诉, withdrawn (reasons optional).
        let b = app
            .create_referral(&f.judges[0], &c.id, &input, NOW_MS)
            .await
            .unwrap()
            .referral;
        let (code, _, _) = expect_conflict(
            app.private_prosecution_end(&f.command, &b.id, "withdrawn", "", "", NOW_MS)
                .await,
            "withdrawn while drafted",
        );
        assert_eq!(code, "not_private_prosecution");
        app.refer_referral(&f.command, &b.id, "犍为县公安局", "", NOW_MS)
            .await
            .unwrap();
        app.police_decision(&f.command, &b.id, false, "", "证据不足，不予立案", NOW_MS)
            .await
            .unwrap();
        app.private_prosecution(&f.command, &b.id, "", "犍为县人民法院", "转账记录", NOW_MS)
            .await
            .unwrap();
        let v = app
            .private_prosecution_end(&f.command, &b.id, "withdrawn", "", "", NOW_MS)
            .await
            .unwrap();
        assert_eq!(v.referral.status, "withdrawn");
        assert_eq!(v.referral.ended_on.as_deref(), Some("2024-09-27"));
        // Stored as shown, on both backends.
        let list = app.case_referrals(&f.command, &c.id, NOW_MS).await.unwrap();
        let stored: Vec<(&str, Option<&str>)> = list
            .iter()
            .map(|v| (v.referral.status.as_str(), v.referral.dropped_on.as_deref()))
            .collect();
        assert!(
            stored.contains(&("settled", Some("2024-11-20"))),
            "{stored:?}"
        );
        assert!(stored.contains(&("withdrawn", None)), "{stored:?}");
        // Another court's staff cannot touch it.
        let other = seed_court(app, "川1124", "o").await;
        expect_not_found(
            app.private_prosecution_end(&other.command, &b.id, "settled", "", "x", NOW_MS)
                .await,
            "other court",
        );
        let report = app.verify_audit().await.unwrap();
        assert!(report.broken.is_none(), "{report:?}");
        t.cleanup().await;
    }
}

#[tokio::test]
async fn two_concurrent_payouts_cannot_both_fit_the_remainder() {
    for t in backends().await {
        let app = &t.app;
        let f = seed_court(app, "川1123", "r").await;
        let (_, id) = published(app, &f, 1).await;
        app.submit_public_tip(&id, &tip("线索"), NOW_MS)
            .await
            .unwrap();
        let lead = app.reward_leads(&f.command, &id).await.unwrap().remove(0);
        app.verify_lead(
            &f.command,
            &lead.id,
            &VerifyInput {
                verified: true,
                note: "查实".into(),
                led_to_recovery: true,
                recovered_fen: 2_000_000,
                on: String::new(),
            },
            NOW_MS,
        )
        .await
        .unwrap();
        let pay = PayoutInput {
            amount_fen: 600_000,
            paid_on: String::new(),
            payee_name: "王举报".into(),
            declaration: true,
        };
        let (a, b) = tokio::join!(
            app.pay_reward(&f.command, &lead.id, &pay, NOW_MS),
            app.pay_reward(&f.police, &lead.id, &pay, NOW_MS)
        );
        assert_eq!(
            usize::from(a.is_ok()) + usize::from(b.is_ok()),
            1,
            "{:?}: {a:?} / {b:?}",
            t.backend
        );
        t.cleanup().await;
    }
}

#[tokio::test]
async fn an_overdue_tipoff_warns_the_command_center_once() {
    for t in backends().await {
        let app = &t.app;
        let f = seed_court(app, "川1123", "w").await;
        let urgent = TipoffInput {
            urgent: true,
            ..tipoff(&f.court, "whereabouts")
        };
        app.submit_public_tipoff(&urgent, NOW_MS).await.unwrap();
        let answered = app
            .submit_public_tipoff(&tipoff(&f.court, "vehicle"), NOW_MS)
            .await
            .unwrap();
        // The second tip gets its response in time.
        let open = app.tipoffs(&f.command, None, false, NOW_MS).await.unwrap();
        let second = open
            .iter()
            .find(|v| v.tip.receipt_no == answered.receipt_no)
            .unwrap();
        app.respond_tipoff(
            &f.command,
            &second.tip.id,
            "已出警，车辆已扣押",
            NOW_MS + 5 * MINUTE,
        )
        .await
        .unwrap();
        // Nothing before the 30 minutes of the urgent one are over.
        assert_eq!(
            app.warn_overdue_tipoffs(NOW_MS + 29 * MINUTE, 100)
                .await
                .unwrap(),
            0
        );
        assert_eq!(
            app.warn_overdue_tipoffs(NOW_MS + 31 * MINUTE, 100)
                .await
                .unwrap(),
            1
        );
        // Once.
        assert_eq!(
            app.warn_overdue_tipoffs(NOW_MS + 200 * MINUTE, 100)
                .await
                .unwrap(),
            0
        );
        for who in [&f.command, &f.director] {
            let inbox = app.notifications(who, 50).await.unwrap();
            let warn: Vec<_> = inbox
                .iter()
                .filter(|n| n.source_kind == "tipoff.overdue")
                .collect();
            assert_eq!(warn.len(), 1, "{}", who.username);
            assert_eq!(warn[0].level.as_deref(), Some("red"));
            assert!(!warn[0].body.contains("0833-7654321") && !warn[0].title.contains("赵热心"));
        }
        // A judge outside the duty team is not told.
        let inbox = app.notifications(&f.judges[2], 50).await.unwrap();
        assert!(inbox.iter().all(|n| n.source_kind != "tipoff.overdue"));
        t.cleanup().await;
    }
}

#[tokio::test]
async fn a_judge_outside_the_duty_team_does_not_see_who_called() {
    let t = zhixing_testkit::sqlite().await;
    let app = &t.app;
    let f = seed_court(app, "川1123", "v").await;
    app.submit_public_tipoff(&tipoff(&f.court, "assets"), NOW_MS)
        .await
        .unwrap();
    let cmd = app.tipoffs(&f.command, None, false, NOW_MS).await.unwrap();
    assert_eq!(cmd[0].tip.reporter_phone, "0833-7654321");
    // judges[2] is in 精执一组, not the command-center team the tip went to.
    let judge = app
        .tipoffs(&f.judges[2], None, false, NOW_MS)
        .await
        .unwrap();
    assert_eq!(judge.len(), 1);
    assert_eq!(judge[0].tip.reporter_phone, "（保密）");
    assert_eq!(judge[0].tip.reporter_name, "（保密）");
    let one = app
        .tipoff(&f.judges[2], &judge[0].tip.id, NOW_MS)
        .await
        .unwrap();
    assert_eq!(one.tip.reporter_phone, "（保密）");
    t.cleanup().await;
}

#[tokio::test]
async fn the_tipoff_desk_pages_and_old_closed_tips_never_hide_open_ones() {
    use zhixing_app::duty::{TIPOFF_PAGE_SIZE, TipoffQuery};
    for t in backends().await {
        let app = &t.app;
        let f = seed_court(app, "川1123", "p").await;
        for i in 0..130i64 {
            // Earlier tips have earlier response times, so they sort first.
            app.submit_public_tipoff(&tipoff(&f.court, "assets"), NOW_MS + i * 1000)
                .await
                .unwrap();
        }
        let mut ids = Vec::new();
        for p in 1..=2 {
            let q = TipoffQuery {
                page: Some(p),
                ..Default::default()
            };
            let got = app.tipoffs_page(&f.command, &q, NOW_MS).await.unwrap();
            ids.extend(got.items.into_iter().map(|v| (v.tip.respond_by, v.tip.id)));
        }
        assert!(
            ids.windows(2).all(|w| w[0].0 <= w[1].0),
            "most urgent first"
        );
        let ids: Vec<String> = ids.into_iter().map(|(_, id)| id).collect();
        // The 110 oldest are answered and closed.
        for id in ids.iter().take(110) {
            app.respond_tipoff(&f.command, id, "已出警核实", NOW_MS + 200_000)
                .await
                .unwrap();
            app.close_tipoff(&f.command, id, "已结", NOW_MS + 200_000)
                .await
                .unwrap();
        }
        let cmd = &f.command;
        let page = |q: TipoffQuery| async move { app.tipoffs_page(cmd, &q, NOW_MS).await };
        let open = page(TipoffQuery {
            open_only: true,
            ..Default::default()
        })
        .await
        .unwrap();
        assert_eq!((open.total, open.items.len()), (20, 20), "{:?}", t.backend);
        assert!(open.items.iter().all(|v| v.tip.status != "closed"));
        assert_eq!(
            open.items.first().map(|v| v.tip.id.clone()),
            ids.get(110).cloned(),
            "most urgent open tip first"
        );
        let all1 = page(TipoffQuery::default()).await.unwrap();
        assert_eq!(all1.total, 130);
        assert_eq!(all1.items.len(), usize::try_from(TIPOFF_PAGE_SIZE).unwrap());
        let all2 = page(TipoffQuery {
            page: Some(2),
            ..Default::default()
        })
        .await
        .unwrap();
        assert_eq!((all2.page, all2.items.len()), (2, 30));
        // Pages do not overlap and together hold every tip once.
        let mut seen: Vec<String> = all1
            .items
            .iter()
            .chain(&all2.items)
            .map(|v| v.tip.id.clone())
            .collect();
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), 130);
        let past = page(TipoffQuery {
            page: Some(3),
            ..Default::default()
        })
        .await
        .unwrap();
        assert!(past.items.is_empty());
        let e = expect_invalid(
            page(TipoffQuery {
                page: Some(0),
                ..Default::default()
            })
            .await,
            "page 0",
        );
        assert_eq!(e.field, "page");
        t.cleanup().await;
    }
}
