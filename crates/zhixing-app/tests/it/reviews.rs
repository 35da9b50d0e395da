//! 复议 of a fine or detention (CPL art 119; CPLI art 185) on both databases: once, within 3 days
//! of receiving the decision, decided by the next-higher court's 院长 within 5 days; a revoked
//! measure stops.

use zhixing_app::measures::MeasureInput;
use zhixing_app::reviews::{ReviewInput, ReviewTerms};
use zhixing_domain::time::china_midnight_ms;
use zhixing_testkit::{NOW_MS, backends, filing, person, seed_court};

use crate::common::{expect_conflict, expect_forbidden, expect_invalid};

/// A case filed in 川1123 against a natural person, and the debtor's party id.
async fn case_and_debtor(
    app: &zhixing_app::App,
    command: &zhixing_app::Actor,
    n: u32,
    debtor: &str,
    claim_fen: i64,
) -> (zhixing_store::cases::CaseRow, String) {
    let case = app
        .file_case(
            command,
            &filing("川1123", n, person(debtor, n), claim_fen),
            NOW_MS,
        )
        .await
        .unwrap()
        .case;
    let party = zhixing_testkit::debtor_id(app, &case).await;
    (case, party)
}

fn at(date: &str) -> i64 {
    china_midnight_ms(chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap()) + 10 * 3_600_000
}

#[tokio::test]
async fn a_fine_goes_once_to_the_higher_court_which_can_revoke_it() {
    for t in backends().await {
        let app = &t.app;
        let f = seed_court(app, "川1123", "v").await;
        let higher = seed_court(app, "川11", "h").await;
        let (case, party) = case_and_debtor(app, &f.command, 31, "孙八", 900_000).await;
        let fine = MeasureInput {
            kind: "fine".into(),
            party_id: Some(party),
            amount_fen: Some(2_000_000),
            reason: "拒不报告财产（民事诉讼法第二百五十二条）".into(),
            ..Default::default()
        };
        let m = app
            .propose_measure(&f.command, &case.id, &fine, NOW_MS)
            .await
            .unwrap();
        let m = app
            .decide_measure(&f.president, &m.id, true, "", NOW_MS)
            .await
            .unwrap();
        assert_eq!(m.status, "effective");
        let apply = |received: &str, applied: &str| ReviewInput {
            applicant: "孙八".into(),
            received_on: received.into(),
            applied_on: applied.into(),
            reason: "已于次日补报财产，罚款过重".into(),
        };
        // Received on Friday 2024-09-27: the three days end Monday 09-30; 10-09 is late.
        let e = expect_invalid(
            app.apply_review(
                &f.command,
                &m.id,
                &apply("2024-09-27", "2024-10-09"),
                at("2024-10-09"),
            )
            .await,
            "late review",
        );
        assert_eq!((e.code, e.field.as_str()), ("review_late", "applied_on"));
        assert!(e.message.contains("2024-09-30"), "{}", e.message);
        let e = expect_invalid(
            app.apply_review(&f.command, &m.id, &apply("2024-09-27", ""), NOW_MS)
                .await,
            "no date",
        );
        assert_eq!(e.field, "applied_on");
        // In time: pending before 川11, due 5 days later — 10-02 falls in 国庆, so 10-08.
        let r = app
            .apply_review(
                &f.command,
                &m.id,
                &apply("2024-09-27", "2024-09-27"),
                NOW_MS,
            )
            .await
            .unwrap();
        assert_eq!(
            (
                r.status.as_str(),
                r.review_court.as_str(),
                r.decide_by.as_str()
            ),
            ("pending", "川11", "2024-10-08"),
            "{:?}",
            t.backend
        );
        // The 5-day decision runs in the deadline engine, due the same day as the review's own.
        let review_deadline = |ds: Vec<zhixing_app::deadlines::DeadlineView>| {
            ds.into_iter()
                .find(|d| d.row.node == "sanction_review_decision")
                .map(|d| (d.row.due_on.clone(), d.status, d.row.rule_id.clone()))
        };
        assert_eq!(
            review_deadline(
                app.case_deadlines(&f.command, &case.id, NOW_MS)
                    .await
                    .unwrap()
            ),
            Some((
                "2024-10-08".to_owned(),
                "pending",
                "sanction_review_decision_5d".to_owned()
            ))
        );
        // Once only.
        let (code, _, _) = expect_conflict(
            app.apply_review(
                &f.command,
                &m.id,
                &apply("2024-09-27", "2024-09-27"),
                NOW_MS,
            )
            .await,
            "second review",
        );
        assert_eq!(code, "review_exists");
        // The higher court's list shows it; the deciding court's own 院长 cannot decide it, nor
        // can a judge of the higher court.
        let pending = app.reviews_to_decide(&higher.president).await.unwrap();
        assert_eq!(pending.len(), 1);
        let (code, _, _) = expect_forbidden(
            app.decide_review(
                &f.president,
                &r.id,
                "revoked",
                "不当",
                ReviewTerms::default(),
                NOW_MS,
            )
            .await,
            "lower court decides",
        );
        assert_eq!(code, "court_scope");
        expect_forbidden(
            app.decide_review(
                &higher.judges[0],
                &r.id,
                "revoked",
                "不当",
                ReviewTerms::default(),
                NOW_MS,
            )
            .await,
            "judge decides",
        );
        let e = expect_invalid(
            app.decide_review(
                &higher.president,
                &r.id,
                "altered",
                "减为一万元",
                ReviewTerms::default(),
                NOW_MS,
            )
            .await,
            "outcome",
        );
        assert_eq!(e.field, "outcome");
        // 变更 needs the new amount, and only a lighter one.
        for (terms, field, code) in [
            (ReviewTerms::default(), "amount_fen", "required"),
            (
                ReviewTerms {
                    amount_fen: Some(2_000_000),
                    days: None,
                },
                "amount_fen",
                "not_lighter",
            ),
        ] {
            let e = expect_invalid(
                app.decide_review(&higher.president, &r.id, "changed", "变更", terms, NOW_MS)
                    .await,
                field,
            );
            assert_eq!((e.field.as_str(), e.code), (field, code));
        }
        let d = app
            .decide_review(
                &higher.president,
                &r.id,
                "revoked",
                "被执行人已补报财产，罚款不当",
                ReviewTerms::default(),
                NOW_MS,
            )
            .await
            .unwrap();
        assert_eq!(d.status, "revoked");
        assert_eq!(
            review_deadline(
                app.case_deadlines(&f.command, &case.id, NOW_MS)
                    .await
                    .unwrap()
            )
            .map(|x| x.1),
            Some("done")
        );
        let mut conn = app.db.conn().await.unwrap();
        let after = zhixing_store::measures::find_measure(&mut conn, &m.id)
            .await
            .unwrap()
            .unwrap();
        drop(conn);
        assert_eq!(
            (after.status.as_str(), after.end_reason.as_deref()),
            ("revoked", Some("review_revoked"))
        );
        let (code, _, _) = expect_conflict(
            app.decide_review(
                &higher.president,
                &r.id,
                "upheld",
                "维持",
                ReviewTerms::default(),
                NOW_MS,
            )
            .await,
            "decided twice",
        );
        assert_eq!(code, "already_decided");
        assert!(
            app.reviews_to_decide(&higher.president)
                .await
                .unwrap()
                .is_empty()
        );
        let report = app.verify_audit().await.unwrap();
        assert!(report.broken.is_none(), "{report:?}");
        t.cleanup().await;
    }
}

/// 复议 of a rejected correction (SX2017 art 12): only a rejection can go, within 10 days of
/// receiving it (国庆 rolls the last day), once; the higher court decides within 15 days (a
/// deadline of the case), and revoking the rejection makes the correction: the entry leaves the
/// list as if the executing court had accepted the request.
#[tokio::test]
async fn a_rejected_correction_goes_to_the_higher_court_which_can_order_it_made() {
    for t in backends().await {
        let app = &t.app;
        let f = seed_court(app, "川1123", "w").await;
        let higher = seed_court(app, "川11", "x").await;
        let (case, party) = case_and_debtor(app, &f.command, 41, "钱九", 700_000).await;
        let listing = MeasureInput {
            kind: "dishonest".into(),
            party_id: Some(party),
            ground: Some(5),
            ..Default::default()
        };
        let m = app
            .propose_measure(&f.command, &case.id, &listing, NOW_MS)
            .await
            .unwrap();
        let m = app
            .decide_measure(&f.president, &m.id, true, "", NOW_MS)
            .await
            .unwrap();
        assert_eq!(m.status, "effective");
        let (entries, _) = app.case_list_entries(&f.command, &case.id).await.unwrap();
        let entry = entries.iter().find(|e| e.list == "dishonest").unwrap();
        let c = app
            .request_correction(
                &f.command,
                &entry.id,
                "should_not_be_listed",
                "已提供担保",
                "2024-09-27",
                NOW_MS,
            )
            .await
            .unwrap();
        let apply = |received: &str, applied: &str| ReviewInput {
            applicant: "钱九".into(),
            received_on: received.into(),
            applied_on: applied.into(),
            reason: "已提供足额担保，不应纳入".into(),
        };
        // Not rejected (yet): nothing to review.
        let (code, _, _) = expect_conflict(
            app.apply_correction_review(
                &f.command,
                &c.id,
                &apply("2024-09-27", "2024-09-27"),
                NOW_MS,
            )
            .await,
            "undecided correction",
        );
        assert_eq!(code, "not_rejected");
        let c = app
            .decide_correction(&f.command, &c.id, false, NOW_MS)
            .await
            .unwrap();
        assert_eq!(c.status, "rejected");
        // Received 09-27: 10 days end on 10-07, a 国庆 holiday, so 10-08 is the last day.
        let e = expect_invalid(
            app.apply_correction_review(
                &f.command,
                &c.id,
                &apply("2024-09-27", "2024-10-09"),
                at("2024-10-09"),
            )
            .await,
            "late",
        );
        assert_eq!((e.code, e.field.as_str()), ("review_late", "applied_on"));
        assert!(
            e.message.contains("2024-10-08") && e.message.contains("十日"),
            "{}",
            e.message
        );
        let r = app
            .apply_correction_review(
                &f.command,
                &c.id,
                &apply("2024-09-27", "2024-10-08"),
                at("2024-10-08"),
            )
            .await
            .unwrap();
        assert_eq!(
            (
                r.subject.as_str(),
                r.review_court.as_str(),
                r.decide_by.as_str()
            ),
            ("correction", "川11", "2024-10-23")
        );
        let (code, _, _) = expect_conflict(
            app.apply_correction_review(
                &f.command,
                &c.id,
                &apply("2024-09-27", "2024-10-08"),
                at("2024-10-08"),
            )
            .await,
            "second review",
        );
        assert_eq!(code, "review_exists");
        let decision = |ds: Vec<zhixing_app::deadlines::DeadlineView>| {
            ds.into_iter()
                .find(|d| d.row.node == "correction_review_decision")
                .map(|d| (d.row.due_on.clone(), d.status))
        };
        assert_eq!(
            decision(
                app.case_deadlines(&f.command, &case.id, at("2024-10-08"))
                    .await
                    .unwrap()
            ),
            Some(("2024-10-23".to_owned(), "pending"))
        );
        // The higher court's 院长 revokes the rejection: the correction is made.
        let pending = app.reviews_to_decide(&higher.president).await.unwrap();
        assert_eq!(pending.len(), 1);
        let d = app
            .decide_review(
                &higher.president,
                &r.id,
                "revoked",
                "担保足额，不应纳入失信名单",
                ReviewTerms::default(),
                at("2024-10-10"),
            )
            .await
            .unwrap();
        assert_eq!(d.status, "revoked");
        let mut conn = app.db.conn().await.unwrap();
        let after = zhixing_store::measures::find_correction(&mut conn, &c.id)
            .await
            .unwrap()
            .unwrap();
        let listed = zhixing_store::measures::find_measure(&mut conn, &m.id)
            .await
            .unwrap()
            .unwrap();
        drop(conn);
        assert_eq!(
            (after.status.as_str(), after.decided_on.as_deref()),
            ("corrected", Some("2024-10-10"))
        );
        assert_eq!(
            (listed.status.as_str(), listed.end_reason.as_deref()),
            ("deleted", Some("corrected"))
        );
        let (entries, _) = app.case_list_entries(&f.command, &case.id).await.unwrap();
        let dishonest: Vec<&str> = entries
            .iter()
            .filter(|e| e.list == "dishonest")
            .map(|e| e.status.as_str())
            .collect();
        assert_eq!(dishonest, vec!["deleted"], "{entries:?}");
        assert_eq!(
            decision(
                app.case_deadlines(&f.command, &case.id, at("2024-10-10"))
                    .await
                    .unwrap()
            )
            .map(|x| x.1),
            Some("done")
        );
        let report = app.verify_audit().await.unwrap();
        assert!(report.broken.is_none(), "{report:?}");
        t.cleanup().await;
    }
}

/// 变更 on 复议 (CPLI art 185): a fine lowered, a detention shortened; a detention already
/// served past its new term is released by the scheduler today.
#[tokio::test]
async fn the_higher_court_can_lower_a_fine_or_shorten_a_detention() {
    for t in backends().await {
        let app = &t.app;
        let f = seed_court(app, "川1123", "y").await;
        let higher = seed_court(app, "川11", "z").await;
        let (case, party) = case_and_debtor(app, &f.command, 43, "冯十", 800_000).await;
        let effective = |input: MeasureInput| {
            let (f, case) = (&f, &case);
            async move {
                let m = app
                    .propose_measure(&f.command, &case.id, &input, NOW_MS)
                    .await
                    .unwrap();
                app.decide_measure(&f.president, &m.id, true, "", NOW_MS)
                    .await
                    .unwrap()
            }
        };
        let fine = effective(MeasureInput {
            kind: "fine".into(),
            party_id: Some(party.clone()),
            amount_fen: Some(5_000_000),
            reason: "隐匿财产".into(),
            ..Default::default()
        })
        .await;
        let detention = effective(MeasureInput {
            kind: "detention".into(),
            party_id: Some(party),
            days: Some(15),
            reason: "隐匿财产".into(),
            ..Default::default()
        })
        .await;
        let d = app
            .execute_measure(
                &f.command,
                &detention.id,
                "2024-09-27",
                "送拘留所",
                Some("2024-09-27"),
                NOW_MS,
            )
            .await
            .unwrap();
        assert_eq!(d.expires_on.as_deref(), Some("2024-10-12"));
        let apply = ReviewInput {
            applicant: "冯十".into(),
            received_on: "2024-09-27".into(),
            applied_on: "2024-09-27".into(),
            reason: "过重".into(),
        };
        let rf = app
            .apply_review(&f.command, &fine.id, &apply, NOW_MS)
            .await
            .unwrap();
        let rd = app
            .apply_review(&f.command, &detention.id, &apply, NOW_MS)
            .await
            .unwrap();
        let lower = |amount_fen, days| ReviewTerms { amount_fen, days };
        let e = expect_invalid(
            app.decide_review(
                &higher.president,
                &rd.id,
                "changed",
                "减",
                lower(None, Some(0)),
                NOW_MS,
            )
            .await,
            "days",
        );
        assert_eq!(e.code, "detention_limit");
        let r = app
            .decide_review(
                &higher.president,
                &rf.id,
                "changed",
                "罚款过重，变更为二万元",
                lower(Some(2_000_000), None),
                NOW_MS,
            )
            .await
            .unwrap();
        assert_eq!(r.status, "changed");
        // Decided on 10-03 (6 days served): 5 days would have ended on 10-02, so release today.
        let r = app
            .decide_review(
                &higher.president,
                &rd.id,
                "changed",
                "变更为五日",
                lower(None, Some(5)),
                at("2024-10-03"),
            )
            .await
            .unwrap();
        assert_eq!(r.status, "changed");
        let mut conn = app.db.conn().await.unwrap();
        let fine = zhixing_store::measures::find_measure(&mut conn, &fine.id)
            .await
            .unwrap()
            .unwrap();
        let det = zhixing_store::measures::find_measure(&mut conn, &detention.id)
            .await
            .unwrap()
            .unwrap();
        drop(conn);
        assert_eq!(
            (fine.status.as_str(), fine.amount_fen),
            ("effective", Some(2_000_000))
        );
        assert_eq!(det.expires_on.as_deref(), Some("2024-10-03"));
        assert!(det.params.contains("\"days\":5"), "{}", det.params);
        assert_eq!(app.expire_measures(at("2024-10-03"), 100).await.unwrap(), 1);
        let (_, det) = app.measure(&f.command, &detention.id).await.unwrap();
        assert_eq!(det.status, "ended");
        let report = app.verify_audit().await.unwrap();
        assert!(report.broken.is_none(), "{report:?}");
        t.cleanup().await;
    }
}
