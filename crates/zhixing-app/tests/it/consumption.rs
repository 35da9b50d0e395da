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
