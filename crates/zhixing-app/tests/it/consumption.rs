//! Permission to consume under a 限制消费令 (XF2015 art 3 para 2, art 8) on both databases: who may
//! apply on which ground, which measure, who decides, once, with reasons for a refusal, court
//! scope, and the audit records.

use zhixing_app::consumption::PermissionInput;
use zhixing_app::measures::MeasureInput;
use zhixing_domain::measure::{BoundPerson, PersonRole};
use zhixing_testkit::{NOW_MS, backends, debtor_id, entity, filing, person, seed_court};

use crate::common::{
    count, expect_conflict, expect_forbidden, expect_invalid, expect_not_found, rows,
};

fn apply(name: &str, id: &str, ground: &str) -> PermissionInput {
    PermissionInput {
        applicant_name: name.into(),
        applicant_id_number: id.into(),
        act: "premium_transport".into(),
        ground: ground.into(),
        reason: "赴北京为子女就医，以本人工资支付机票".into(),
        from: "2024-09-28".into(),
        to: "2024-10-10".into(),
    }
}

#[tokio::test]
async fn consumption_permission_applications_and_decisions() {
    for t in backends().await {
        let app = &t.app;
        let f = seed_court(app, "川1123", "cp").await;
        let other = seed_court(app, "川1124", "co").await;
        let co = entity("四川某某建设工程有限公司", 15);
        let credit_code = co.credit_code.clone().unwrap();
        let case = app
            .file_case(&f.command, &filing("川1123", 71, co, 1_234_567), NOW_MS)
            .await
            .unwrap()
            .case;
        let party = debtor_id(app, &case).await;
        let rep_id = person("王五", 77).id_number.unwrap();
        let restriction = MeasureInput {
            kind: "consumption_restriction".into(),
            party_id: Some(party.clone()),
            persons: vec![BoundPerson {
                role: PersonRole::LegalRepresentative,
                name: "王五".into(),
                id_number: rep_id.clone(),
            }],
            reason: "未按执行通知履行".into(),
            ..Default::default()
        };
        let m = app
            .propose_measure(&f.command, &case.id, &restriction, NOW_MS)
            .await
            .unwrap();
        // Not in effect before the 院长 signs (XF2015 art 5): nothing to relieve.
        let (code, _, _) = expect_conflict(
            app.apply_consumption_permission(
                &f.command,
                &m.id,
                &apply("王五", &rep_id, "private_own_assets"),
                NOW_MS,
            )
            .await,
            "pending restriction",
        );
        assert_eq!(code, "not_effective");
        app.decide_measure(&f.president, &m.id, true, "", NOW_MS)
            .await
            .unwrap();
        // A fine is not a 限制消费.
        let fine = app
            .propose_measure(
                &f.command,
                &case.id,
                &MeasureInput {
                    kind: "fine".into(),
                    party_id: Some(party.clone()),
                    amount_fen: Some(10_000_000),
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
        let e = expect_invalid(
            app.apply_consumption_permission(
                &f.command,
                &fine.id,
                &apply("王五", &rep_id, "private_own_assets"),
                NOW_MS,
            )
            .await,
            "fine",
        );
        assert_eq!((e.code, e.field.as_str()), ("not_a_restriction", "measure"));
        // The entity itself cannot use art 3 para 2.
        let e = expect_invalid(
            app.apply_consumption_permission(
                &f.command,
                &m.id,
                &apply(
                    "四川某某建设工程有限公司",
                    &credit_code,
                    "private_own_assets",
                ),
                NOW_MS,
            )
            .await,
            "entity on own assets",
        );
        assert_eq!((e.code, e.field.as_str()), ("ground_not_allowed", "ground"));
        // A stranger is refused, naming the applicant field.
        let stranger = person("李四", 5).id_number.unwrap();
        let e = expect_invalid(
            app.apply_consumption_permission(
                &f.command,
                &m.id,
                &apply("李四", &stranger, "necessity"),
                NOW_MS,
            )
            .await,
            "stranger",
        );
        assert_eq!(
            (e.code, e.field.as_str()),
            ("not_restricted", "applicant_id_number")
        );
        // Another court cannot see the measure.
        expect_not_found(
            app.apply_consumption_permission(
                &other.command,
                &m.id,
                &apply("王五", &rep_id, "private_own_assets"),
                NOW_MS,
            )
            .await,
            "other court",
        );
        assert_eq!(rows(&app.db, "consumption_permissions").await, 0);
        // The legal representative may, on own assets; the entity on necessity (art 8).
        let own = app
            .apply_consumption_permission(
                &f.command,
                &m.id,
                &apply("王五", &rep_id, "private_own_assets"),
                NOW_MS,
            )
            .await
            .unwrap();
        assert_eq!(
            (
                own.applicant_role.as_str(),
                own.status.as_str(),
                own.applied_on.as_str()
            ),
            ("legal_representative", "applied", "2024-09-27")
        );
        let mut need = apply("四川某某建设工程有限公司", &credit_code, "necessity");
        need.act = "luxury_office".into();
        need.reason = "原办公场所被查封，为维持经营须租用办公场所".into();
        let need = app
            .apply_consumption_permission(&f.command, &m.id, &need, NOW_MS)
            .await
            .unwrap();
        assert_eq!(need.applicant_role, "debtor");
        // No decision yet, no decision document.
        let (code, _, _) = expect_conflict(
            app.consumption_permission_document(&f.command, &need.id)
                .await,
            "document before the decision",
        );
        assert_eq!(code, "not_decided");

        // Only the 院长 decides (ApproveMeasure); the director and the handler are 403.
        for who in [&f.director, &f.judges[0], &f.command] {
            let (code, _, _) = expect_forbidden(
                app.decide_consumption_permission(who, &own.id, true, "", NOW_MS)
                    .await,
                "not the president",
            );
            assert_eq!(code, "permission_denied");
        }
        // Another court's 院长: the case does not exist for them.
        expect_not_found(
            app.decide_consumption_permission(&other.president, &own.id, true, "", NOW_MS)
                .await,
            "other court's president",
        );
        let granted = app
            .decide_consumption_permission(&f.president, &own.id, true, "", NOW_MS)
            .await
            .unwrap();
        assert_eq!(
            (granted.status.as_str(), granted.decided_on.as_deref()),
            ("granted", Some("2024-09-27"))
        );
        // A partner's bulk check (an airline, the railway) sees the permission beside the listing
        // on the days it covers, and only then; the entity's own key carries none.
        let partner = crate::common::add_user(app, "川1123", "partner", "cp-air", None).await;
        let check = |day: i64| {
            let keys = vec![rep_id.clone(), credit_code.clone()];
            let partner = partner.clone();
            async move {
                app.partner_check(
                    &partner,
                    "restricted",
                    &keys,
                    zhixing_domain::measure::DEFAULT_ID_MASK,
                    NOW_MS + day * 86_400_000,
                )
                .await
                .unwrap()
            }
        };
        let inside = check(2).await;
        assert!(inside[0].listed && inside[1].listed, "{inside:?}");
        assert_eq!(inside[0].permissions.len(), 1, "{inside:?}");
        let p = &inside[0].permissions[0];
        assert_eq!(
            (
                p.act.as_str(),
                p.from.as_str(),
                p.to.as_str(),
                p.court.as_str()
            ),
            ("premium_transport", "2024-09-28", "2024-10-10", "川1123")
        );
        assert!(p.act_text.contains("飞机"), "{}", p.act_text);
        assert!(inside[1].permissions.is_empty());
        for day in [0, 14] {
            let outside = check(day).await;
            assert!(outside[0].permissions.is_empty(), "day {day}: {outside:?}");
        }
        // The decision as a document the 院长 signs: granted, with the act, days and article.
        let doc = app
            .consumption_permission_document(&f.command, &own.id)
            .await
            .unwrap();
        assert!(doc.docx.starts_with(b"PK"));
        for want in [
            "王五",
            "系本案被执行人四川某某建设工程有限公司的法定代表人",
            "于2024年9月27日以因私消费以个人财产实施为由",
            "2024年9月28日至2024年10月10日",
            "若干规定》第三条第二款的规定",
            "飞机",
            "准许申请人",
            "四川某某建设工程有限公司",
        ] {
            assert!(doc.text.contains(want), "{want}: {}", doc.text);
        }
        // Final: a second decision is 409.
        let (code, _, _) = expect_conflict(
            app.decide_consumption_permission(&f.president, &own.id, false, "x", NOW_MS)
                .await,
            "second decision",
        );
        assert_eq!(code, "already_decided");
        // A refusal needs reasons.
        let e = expect_invalid(
            app.decide_consumption_permission(&f.president, &need.id, false, "  ", NOW_MS)
                .await,
            "refusal without reasons",
        );
        assert_eq!((e.code, e.field.as_str()), ("reasons_required", "note"));
        // Two racing decisions: exactly one wins.
        let (a, b) = tokio::join!(
            app.decide_consumption_permission(
                &f.president,
                &need.id,
                false,
                "未提供租赁必要性证明",
                NOW_MS
            ),
            app.decide_consumption_permission(&f.president, &need.id, true, "", NOW_MS),
        );
        assert!(a.is_ok() != b.is_ok(), "exactly one wins: {a:?} {b:?}");
        let loser = if a.is_ok() { b } else { a };
        expect_conflict(loser, "racing decision");

        let list = app
            .case_consumption_permissions(&f.command, &case.id)
            .await
            .unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].id, own.id);
        expect_not_found(
            app.case_consumption_permissions(&other.command, &case.id)
                .await,
            "other court's list",
        );
        // Every write audited: two applications, two decisions.
        let audited = |action: &str| {
            format!(
                "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM audit_log WHERE action = '{action}' \
                 AND target_kind = 'consumption_permission'"
            )
        };
        assert_eq!(
            count(&app.db, &audited("measure.consumption_apply")).await,
            2
        );
        assert_eq!(
            count(&app.db, &audited("measure.consumption_decide")).await,
            2
        );
        // An application still pending when the order is lifted (security given, XF2015 art 9)
        // can no longer be granted: nothing is left to permit. It can still be refused.
        let late = app
            .apply_consumption_permission(
                &f.command,
                &m.id,
                &apply("王五", &rep_id, "private_own_assets"),
                NOW_MS,
            )
            .await
            .unwrap();
        // 王五 is also restricted as the debtor of another case of the court.
        let case2 = app
            .file_case(
                &f.command,
                &filing("川1123", 72, person("王五", 77), 500_000),
                NOW_MS,
            )
            .await
            .unwrap()
            .case;
        let party2 = debtor_id(app, &case2).await;
        let m2 = app
            .propose_measure(
                &f.command,
                &case2.id,
                &MeasureInput {
                    kind: "consumption_restriction".into(),
                    party_id: Some(party2),
                    reason: "未按执行通知履行".into(),
                    ..Default::default()
                },
                NOW_MS,
            )
            .await
            .unwrap();
        app.decide_measure(&f.president, &m2.id, true, "", NOW_MS)
            .await
            .unwrap();
        app.end_measure(&f.command, &m.id, "security", "2024-09-27", NOW_MS)
            .await
            .unwrap();
        // The permission relieved the lifted order only: the partner sees 王五 listed under the
        // other order, and no permission.
        let after = check(2).await;
        assert!(after[0].listed, "{after:?}");
        assert!(after[0].permissions.is_empty(), "{after:?}");
        let (code, _, _) = expect_conflict(
            app.decide_consumption_permission(&f.president, &late.id, true, "", NOW_MS)
                .await,
            "grant after the order was lifted",
        );
        assert_eq!(code, "not_effective");
        app.decide_consumption_permission(
            &f.president,
            &late.id,
            false,
            "限制消费令已解除",
            NOW_MS,
        )
        .await
        .unwrap();
        t.cleanup().await;
    }
}

/// A 限制消费令 in effect against the debtor of `case` (proposed by `f`'s command, signed by its
/// 院长).
async fn restriction(
    app: &zhixing_app::App,
    f: &zhixing_testkit::CourtFixture,
    case: &zhixing_store::cases::CaseRow,
) -> zhixing_store::measures::MeasureRow {
    let party = debtor_id(app, case).await;
    let m = app
        .propose_measure(
            &f.command,
            &case.id,
            &MeasureInput {
                kind: "consumption_restriction".into(),
                party_id: Some(party),
                reason: "未按执行通知履行".into(),
                ..Default::default()
            },
            NOW_MS,
        )
        .await
        .unwrap();
    app.decide_measure(&f.president, &m.id, true, "", NOW_MS)
        .await
        .unwrap()
}

/// The permission events of the feed after `after` (as a partner pulls it, past the settle
/// window), and the cursor after them.
async fn permission_events(
    app: &zhixing_app::App,
    partner: &zhixing_app::Actor,
    after: &str,
) -> (Vec<zhixing_app::consumption::PermissionEvent>, String) {
    let items = app
        .list_changes(partner, after, 1000, NOW_MS + 10_000)
        .await
        .unwrap();
    // Cursor order is id order, strictly increasing.
    assert!(items.windows(2).all(|w| w[0].id < w[1].id));
    let next = items
        .last()
        .map_or_else(|| after.to_owned(), |c| c.id.clone());
    let events = items
        .iter()
        .filter(|c| c.kind() == "permission")
        .map(|c| {
            let e: zhixing_app::consumption::PermissionEvent =
                serde_json::from_str(&c.payload).unwrap();
            assert_eq!(
                (c.op.as_str(), c.entry_id.as_str()),
                (e.op.as_str(), e.entry_id.as_str())
            );
            e
        })
        .collect();
    (events, next)
}

/// Two 限制消费令 against one person in two courts (XF2015 arts 3, 8: a permission relieves its
/// own order only): the bulk check shows a permission on the entry of its order and not on the
/// other, and at key level only what every order permits; the signed feed carries the grant once
/// after the cursor and its end when the order is lifted.
#[tokio::test]
async fn permission_per_listed_entry_and_in_the_feed() {
    for t in backends().await {
        let app = &t.app;
        let a = seed_court(app, "川1123", "pa").await;
        let b = seed_court(app, "川1124", "pb").await;
        let partner = crate::common::add_user(app, "川1123", "partner", "pa-air", None).await;
        let wang = person("王五", 45);
        let key = wang.id_number.clone().unwrap();
        let case1 = app
            .file_case(
                &a.command,
                &filing("川1123", 81, wang.clone(), 500_000),
                NOW_MS,
            )
            .await
            .unwrap()
            .case;
        let case2 = app
            .file_case(
                &b.command,
                &filing("川1124", 82, wang.clone(), 700_000),
                NOW_MS,
            )
            .await
            .unwrap()
            .case;
        let m1 = restriction(app, &a, &case1).await;
        let m2 = restriction(app, &b, &case2).await;
        // 王五 is also 失信 in the first case (its 限制消费令 is m1, XF2015 art 1).
        let party1 = debtor_id(app, &case1).await;
        let d1 = app
            .propose_measure(
                &a.command,
                &case1.id,
                &MeasureInput {
                    kind: "dishonest".into(),
                    party_id: Some(party1),
                    ground: Some(4),
                    on_application: true,
                    applied_on: Some("2024-09-27".into()),
                    reason: "被执行人拒不报告财产".into(),
                    ..Default::default()
                },
                NOW_MS,
            )
            .await
            .unwrap();
        app.decide_measure(&a.president, &d1.id, true, "", NOW_MS)
            .await
            .unwrap();
        let (_, c0) = permission_events(app, &partner, "").await;

        // A permission under the first order only.
        let p1 = app
            .apply_consumption_permission(
                &a.command,
                &m1.id,
                &apply("王五", &key, "necessity"),
                NOW_MS,
            )
            .await
            .unwrap();
        app.decide_consumption_permission(&a.president, &p1.id, true, "", NOW_MS)
            .await
            .unwrap();
        // 2024-10-05: inside p1's days.
        let on = NOW_MS + 8 * 86_400_000;
        let check = |list: &'static str| {
            let keys = vec![key.clone()];
            let partner = partner.clone();
            async move {
                let mut r = app
                    .partner_check(
                        &partner,
                        list,
                        &keys,
                        zhixing_domain::measure::DEFAULT_ID_MASK,
                        on,
                    )
                    .await
                    .unwrap();
                r.remove(0)
            }
        };
        let acts = |ps: &[zhixing_app::measures::PermissionInForce]| {
            ps.iter()
                .map(|p| (p.act.clone(), p.from.clone(), p.to.clone(), p.court.clone()))
                .collect::<Vec<_>>()
        };
        let p1_seen = vec![(
            "premium_transport".to_owned(),
            "2024-09-28".to_owned(),
            "2024-10-10".to_owned(),
            "川1123".to_owned(),
        )];
        let r = check("restricted").await;
        assert_eq!(r.items.len(), 2, "{r:?}");
        let of = |r: &zhixing_app::measures::KeyCheck, case_number: &str| {
            r.items
                .iter()
                .find(|i| i.item.case_number == case_number)
                .cloned()
                .unwrap_or_else(|| panic!("{case_number} in {r:?}"))
        };
        let e1 = of(&r, &case1.case_number);
        assert_eq!(acts(&e1.permissions), p1_seen, "{r:?}");
        assert!(of(&r, &case2.case_number).permissions.is_empty(), "{r:?}");
        // The second order still forbids the act: nothing at key level.
        assert!(r.permissions.is_empty(), "{r:?}");
        // On the 失信 list the entry carries the permissions of its case's 限制消费令.
        let d = check("dishonest").await;
        assert_eq!(d.items.len(), 1, "{d:?}");
        assert_eq!(acts(&d.items[0].permissions), p1_seen, "{d:?}");
        assert!(d.permissions.is_empty(), "{d:?}");

        // The feed carries the grant once after the cursor, naming the entry of its order.
        let (events, c1) = permission_events(app, &partner, &c0).await;
        assert_eq!(events.len(), 1, "{events:?}");
        let g = &events[0];
        assert_eq!(
            (
                g.op.as_str(),
                g.permission_id.as_str(),
                g.entry_id.as_str(),
                g.measure_id.as_str(),
                g.order_number.as_str(),
                g.case_number.as_str(),
                g.court_code.as_str(),
                g.id_number.as_str(),
                g.act.as_str(),
                g.from.as_str(),
                g.to.as_str(),
            ),
            (
                "permission_granted",
                p1.id.as_str(),
                e1.entry_id.as_str(),
                m1.id.as_str(),
                m1.document_number.as_str(),
                case1.case_number.as_str(),
                "川1123",
                key.as_str(),
                "premium_transport",
                "2024-09-28",
                "2024-10-10",
            )
        );
        assert_eq!(
            (g.granted_on.as_str(), g.ended_on.as_deref()),
            ("2024-09-27", None)
        );
        assert!(!g.court.is_empty() && g.act_text.contains("飞机"), "{g:?}");
        assert!(permission_events(app, &partner, &c1).await.0.is_empty());
        let (all, _) = permission_events(app, &partner, "").await;
        assert_eq!(all.len(), 1, "once from the start too: {all:?}");

        // A permission under the second order as well: at key level the act is permitted on the
        // days both cover, the court whose grant ends first named.
        let mut second = apply("王五", &key, "necessity");
        second.from = "2024-10-01".into();
        second.to = "2024-10-20".into();
        let p2 = app
            .apply_consumption_permission(&b.command, &m2.id, &second, NOW_MS)
            .await
            .unwrap();
        app.decide_consumption_permission(&b.president, &p2.id, true, "", NOW_MS)
            .await
            .unwrap();
        let r = check("restricted").await;
        assert_eq!(acts(&of(&r, &case1.case_number).permissions), p1_seen);
        assert_eq!(
            acts(&of(&r, &case2.case_number).permissions),
            [(
                "premium_transport".to_owned(),
                "2024-10-01".to_owned(),
                "2024-10-20".to_owned(),
                "川1124".to_owned()
            )]
        );
        assert_eq!(
            acts(&r.permissions),
            [(
                "premium_transport".to_owned(),
                "2024-10-01".to_owned(),
                "2024-10-10".to_owned(),
                "川1123".to_owned()
            )],
            "{r:?}"
        );
        assert_eq!(r.permissions[0].courts, ["川1123", "川1124"]);
        let (events, c2) = permission_events(app, &partner, &c1).await;
        assert_eq!(
            events
                .iter()
                .map(|e| (e.op.as_str(), e.permission_id.as_str()))
                .collect::<Vec<_>>(),
            [("permission_granted", p2.id.as_str())]
        );

        // The first order is lifted (security given, XF2015 art 9): p1 stops applying today and
        // the feed says so once, beside the entry's deletion; p2 goes on.
        app.end_measure(&a.command, &m1.id, "security", "2024-09-27", NOW_MS)
            .await
            .unwrap();
        let items = app
            .list_changes(&partner, &c2, 1000, NOW_MS + 10_000)
            .await
            .unwrap();
        assert!(
            items
                .iter()
                .any(|c| c.op == "delete" && c.entry_id == e1.entry_id),
            "{items:?}"
        );
        let (events, c3) = permission_events(app, &partner, &c2).await;
        assert_eq!(events.len(), 1, "{events:?}");
        assert_eq!(
            (
                events[0].op.as_str(),
                events[0].permission_id.as_str(),
                events[0].entry_id.as_str(),
                events[0].ended_on.as_deref(),
                events[0].end_reason.as_deref(),
            ),
            (
                "permission_ended",
                p1.id.as_str(),
                e1.entry_id.as_str(),
                Some("2024-09-27"),
                Some("order_lifted")
            )
        );
        assert!(permission_events(app, &partner, &c3).await.0.is_empty());
        // The bulk check now: only the second order, with its own permission.
        let r = check("restricted").await;
        assert_eq!(r.items.len(), 1, "{r:?}");
        assert_eq!(acts(&r.permissions), acts(&r.items[0].permissions));
        assert_eq!(r.permissions[0].court, "川1124");
        // The 失信 entry of the first case has no 限制消费令 in effect left to relieve it: it
        // restricts (XF2015 art 1) with nothing granted, so no permission at key level either.
        let d = check("dishonest").await;
        assert!(d.items[0].permissions.is_empty(), "{d:?}");
        assert!(d.permissions.is_empty(), "{d:?}");
        t.cleanup().await;
    }
}

/// A grant racing the lifting of its order: either the grant is refused (409) and the feed has
/// nothing of it, or it wins and the lifting ends it in the feed — never a grant left standing
/// in the feed under a lifted order.
#[tokio::test]
async fn permission_grant_racing_the_lifting_of_its_order() {
    for t in backends().await {
        let app = &t.app;
        let a = seed_court(app, "川1123", "pr").await;
        let partner = crate::common::add_user(app, "川1123", "partner", "pr-air", None).await;
        for n in 0..3u32 {
            let who = person("赵六", 90 + n);
            let key = who.id_number.clone().unwrap();
            let case = app
                .file_case(&a.command, &filing("川1123", 90 + n, who, 500_000), NOW_MS)
                .await
                .unwrap()
                .case;
            let m = restriction(app, &a, &case).await;
            let p = app
                .apply_consumption_permission(
                    &a.command,
                    &m.id,
                    &apply("赵六", &key, "necessity"),
                    NOW_MS,
                )
                .await
                .unwrap();
            let (grant, lift) = tokio::join!(
                app.decide_consumption_permission(&a.president, &p.id, true, "", NOW_MS),
                app.end_measure(&a.command, &m.id, "security", "2024-09-27", NOW_MS),
            );
            lift.unwrap();
            let (events, _) = permission_events(app, &partner, "").await;
            let ops: Vec<&str> = events
                .iter()
                .filter(|e| e.permission_id == p.id)
                .map(|e| e.op.as_str())
                .collect();
            match grant {
                Ok(_) => assert_eq!(ops, ["permission_granted", "permission_ended"]),
                Err(e) => {
                    assert!(matches!(e, zhixing_app::AppError::Conflict { .. }), "{e:?}");
                    assert!(ops.is_empty(), "{ops:?}");
                }
            }
        }
        t.cleanup().await;
    }
}

/// A 限制消费令 with a grace period (宽限期) is published, and restricts, from its publication
/// date: a permission granted before then reaches the partners with the entry's 'add' on that
/// day, once, and never earlier (no partner hears of a restricted person before the court
/// publishes); one whose order is lifted before publication never reaches them at all.
#[tokio::test]
async fn permission_granted_in_a_grace_period_reaches_the_feed_on_publication() {
    let at = |d: &str| {
        zhixing_domain::time::china_midnight_ms(
            chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap(),
        ) + 10 * 3_600_000
    };
    for t in backends().await {
        let app = &t.app;
        let a = seed_court(app, "川1123", "pg").await;
        let partner = crate::common::add_user(app, "川1123", "partner", "pg-air", None).await;
        let mut granted = Vec::new();
        for n in [46, 47] {
            let who = person("孙七", n);
            let key = who.id_number.clone().unwrap();
            let case = app
                .file_case(&a.command, &filing("川1123", n, who, 500_000), NOW_MS)
                .await
                .unwrap()
                .case;
            let party = debtor_id(app, &case).await;
            let m = app
                .propose_measure(
                    &a.command,
                    &case.id,
                    &MeasureInput {
                        kind: "consumption_restriction".into(),
                        party_id: Some(party),
                        grace_months: Some(1),
                        reason: "未按执行通知履行".into(),
                        ..Default::default()
                    },
                    NOW_MS,
                )
                .await
                .unwrap();
            let m = app
                .decide_measure(&a.president, &m.id, true, "", NOW_MS)
                .await
                .unwrap();
            assert_eq!(m.publish_on.as_deref(), Some("2024-10-27"));
            let mut input = apply("孙七", &key, "necessity");
            input.to = "2024-11-10".into();
            let p = app
                .apply_consumption_permission(&a.command, &m.id, &input, NOW_MS)
                .await
                .unwrap();
            app.decide_consumption_permission(&a.president, &p.id, true, "", NOW_MS)
                .await
                .unwrap();
            granted.push((key, m, p));
        }
        let events = |now: i64| {
            let partner = partner.clone();
            async move {
                let items = app.list_changes(&partner, "", 1000, now).await.unwrap();
                let perms: Vec<(usize, String, String)> = items
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| c.kind() == "permission")
                    .map(|(i, c)| {
                        let e: zhixing_app::consumption::PermissionEvent =
                            serde_json::from_str(&c.payload).unwrap();
                        (i, e.op, e.permission_id)
                    })
                    .collect();
                (items, perms)
            }
        };
        assert!(events(NOW_MS + 10_000).await.1.is_empty());
        // Not restricting yet, so not on the partner's check either.
        let check = |now: i64| {
            let keys = vec![granted[0].0.clone()];
            let partner = partner.clone();
            async move {
                app.partner_check(
                    &partner,
                    "restricted",
                    &keys,
                    zhixing_domain::measure::DEFAULT_ID_MASK,
                    now,
                )
                .await
                .unwrap()
                .remove(0)
            }
        };
        let r = check(at("2024-10-05")).await;
        assert!(!r.listed && r.permissions.is_empty(), "{r:?}");
        // The second order is lifted inside its grace period: its grant is never announced.
        app.end_measure(
            &a.command,
            &granted[1].1.id,
            "security",
            "2024-09-27",
            NOW_MS,
        )
        .await
        .unwrap();
        assert!(events(NOW_MS + 10_000).await.1.is_empty());
        // Publication day: the entry's 'add', then the grant, once.
        assert_eq!(
            app.publish_due_feed(at("2024-10-27"), 100).await.unwrap(),
            1
        );
        assert_eq!(
            app.publish_due_feed(at("2024-10-27"), 100).await.unwrap(),
            0
        );
        let (items, perms) = events(at("2024-10-27") + 10_000).await;
        assert_eq!(
            perms
                .iter()
                .map(|(_, op, id)| (op.as_str(), id.as_str()))
                .collect::<Vec<_>>(),
            [("permission_granted", granted[0].2.id.as_str())]
        );
        let add = items
            .iter()
            .position(|c| c.op == "add" && c.list == "restricted")
            .unwrap();
        assert!(add < perms[0].0, "the add comes first: {items:?}");
        assert_eq!(items[add].entry_id, items[perms[0].0].entry_id);
        let r = check(at("2024-10-28")).await;
        assert!(r.listed, "{r:?}");
        assert_eq!(r.permissions.len(), 1, "{r:?}");
        assert_eq!(r.items[0].permissions, r.permissions);
        t.cleanup().await;
    }
}
