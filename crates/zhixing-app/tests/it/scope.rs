//! Who sees what: team, court and subtree scopes; another court's cases are absent (404), forbidden
//! actions on visible cases are 403; admins see no case data.

use std::collections::BTreeSet;

use zhixing_app::cases::ListQuery;
use zhixing_app::{Actor, App};
use zhixing_testkit::{NOW_MS, backends, filing, person, seed_court};

use crate::common::{add_user, expect_forbidden, expect_not_found};

async fn visible(app: &App, actor: &Actor) -> BTreeSet<String> {
    let page = app.list_cases(actor, &ListQuery::default()).await.unwrap();
    assert_eq!(
        usize::try_from(page.total).unwrap(),
        page.cases.len(),
        "{}",
        actor.username
    );
    page.cases.into_iter().map(|c| c.id).collect()
}

#[tokio::test]
async fn access_scope_by_role_team_and_court() {
    for t in backends().await {
        let app = &t.app;
        let a = seed_court(app, "川1123", "a").await;
        let b = seed_court(app, "川1102", "b").await;
        let e = seed_court(app, "鄂2823", "e").await;
        let sup11 = add_user(app, "川11", "supervisor", "sup11", None).await;
        let sup_chuan = add_user(app, "川", "supervisor", "supchuan", None).await;
        let sup_e = add_user(app, "鄂28", "supervisor", "supe28", None).await;

        let fast = app
            .file_case(
                &a.command,
                &filing("川1123", 1, person("李四", 1), 100),
                NOW_MS,
            )
            .await
            .unwrap()
            .case;
        let std = app
            .file_case(
                &a.command,
                &filing("川1123", 2, person("李四", 2), 9_000_000),
                NOW_MS,
            )
            .await
            .unwrap()
            .case;
        let other = app
            .file_case(
                &b.command,
                &filing("川1102", 3, person("李四", 3), 100),
                NOW_MS,
            )
            .await
            .unwrap()
            .case;
        let hubei = app
            .file_case(
                &e.command,
                &filing("鄂2823", 4, person("李四", 4), 100),
                NOW_MS,
            )
            .await
            .unwrap()
            .case;
        assert_eq!(fast.team_id.as_ref(), Some(&a.fast_team));
        assert_eq!(std.team_id.as_ref(), Some(&a.standard_team));
        let all = [&fast, &std, &other, &hubei];

        // (who, the cases they see)
        let table: Vec<(&str, &Actor, Vec<&String>)> = vec![
            ("judge 速执一组", &a.judges[0], vec![&fast.id]),
            ("second judge 速执一组", &a.judges[1], vec![&fast.id]),
            ("judge 精执一组", &a.judges[2], vec![&std.id]),
            ("clerk 速执一组", &a.clerk, vec![&fast.id]),
            ("command", &a.command, vec![&fast.id, &std.id]),
            ("director", &a.director, vec![&fast.id, &std.id]),
            ("president", &a.president, vec![&fast.id, &std.id]),
            ("police", &a.police, vec![&fast.id, &std.id]),
            ("command of 川1102", &b.command, vec![&other.id]),
            ("command of 鄂2823", &e.command, vec![&hubei.id]),
            ("judge of 鄂2823", &e.judges[0], vec![&hubei.id]),
            (
                "supervisor 川11",
                &sup11,
                vec![&fast.id, &std.id, &other.id],
            ),
            (
                "supervisor 川",
                &sup_chuan,
                vec![&fast.id, &std.id, &other.id],
            ),
            ("supervisor 鄂28", &sup_e, vec![&hubei.id]),
        ];
        for (who, actor, want) in table {
            let want: BTreeSet<String> = want.into_iter().cloned().collect();
            assert_eq!(
                visible(app, actor).await,
                want,
                "{:?} {who}: list",
                t.backend
            );
            for c in all {
                let r = app.case_detail(actor, &c.id).await;
                if want.contains(&c.id) {
                    assert_eq!(r.unwrap().case.id, c.id, "{who}");
                } else {
                    expect_not_found(
                        r,
                        &format!("{:?} {who} reading {}", t.backend, c.case_number),
                    );
                }
            }
        }

        // Admins see no case data at all.
        expect_forbidden(
            app.list_cases(&a.admin, &ListQuery::default()).await,
            "admin list",
        );
        expect_forbidden(app.case_detail(&a.admin, &fast.id).await, "admin detail");
        // A court filter does not widen the scope.
        let q = ListQuery {
            court: Some("鄂2823".into()),
            ..Default::default()
        };
        assert_eq!(app.list_cases(&a.command, &q).await.unwrap().total, 0);
        let q = ListQuery {
            court: Some("川1123".into()),
            ..Default::default()
        };
        assert_eq!(app.list_cases(&sup11, &q).await.unwrap().total, 2);

        // Supervisors read but never write.
        let (code, _, _) = expect_forbidden(
            app.reassign(&sup11, &fast.id, &a.standard_team, None, "监督改派", NOW_MS)
                .await,
            "supervisor reassign",
        );
        assert_eq!(code, "permission_denied");
        expect_forbidden(
            app.file_case(&sup11, &filing("川1123", 9, person("李四", 9), 100), NOW_MS)
                .await,
            "supervisor file",
        );
        expect_not_found(
            app.reassign(&sup_e, &fast.id, &a.standard_team, None, "跨省改派", NOW_MS)
                .await,
            "鄂 supervisor",
        );
        // Another court's command center can neither see nor reassign.
        expect_not_found(
            app.reassign(
                &b.command,
                &fast.id,
                &a.standard_team,
                None,
                "跨院改派",
                NOW_MS,
            )
            .await,
            "other court",
        );
        // Police read but do not file; nobody files into another court.
        expect_forbidden(
            app.file_case(
                &a.police,
                &filing("川1123", 10, person("李四", 10), 100),
                NOW_MS,
            )
            .await,
            "police",
        );
        let (code, field, _) = expect_forbidden(
            app.file_case(
                &a.command,
                &filing("鄂2823", 11, person("李四", 11), 100),
                NOW_MS,
            )
            .await,
            "court",
        );
        assert_eq!((code, field.as_deref()), ("court_scope", Some("court")));
        let (_, field, _) = expect_forbidden(
            app.file_case(
                &a.judges[0],
                &filing("川1102", 12, person("李四", 12), 100),
                NOW_MS,
            )
            .await,
            "judge court",
        );
        assert_eq!(field.as_deref(), Some("court"));
        t.cleanup().await;
    }
}

#[tokio::test]
async fn same_debtor_in_other_courts_is_listed_until_closed() {
    for t in backends().await {
        let app = &t.app;
        let a = seed_court(app, "川1123", "a").await;
        let e = seed_court(app, "鄂2823", "e").await;
        let debtor = person("李四", 42);
        let x = app
            .file_case(
                &a.command,
                &filing("川1123", 1, debtor.clone(), 100),
                NOW_MS,
            )
            .await
            .unwrap()
            .case;
        let y = app
            .file_case(
                &e.command,
                &filing("鄂2823", 1, debtor.clone(), 100),
                NOW_MS,
            )
            .await
            .unwrap()
            .case;
        let unrelated = app
            .file_case(
                &a.command,
                &filing("川1123", 2, person("王五", 43), 100),
                NOW_MS,
            )
            .await
            .unwrap()
            .case;
        // an entity debtor is matched by credit code
        let company = zhixing_testkit::entity("某建材公司", 5);
        let p = app
            .file_case(
                &a.command,
                &filing("川1123", 3, company.clone(), 100),
                NOW_MS,
            )
            .await
            .unwrap()
            .case;
        let q = app
            .file_case(&e.command, &filing("鄂2823", 3, company, 100), NOW_MS)
            .await
            .unwrap()
            .case;

        let refs = |d: zhixing_app::cases::CaseDetail| {
            d.same_debtor_cases
                .into_iter()
                .map(|r| (r.id, r.case_number, r.court_code))
                .collect::<Vec<_>>()
        };
        let dx = app.case_detail(&a.command, &x.id).await.unwrap();
        assert_eq!(
            refs(dx),
            vec![(y.id.clone(), y.case_number.clone(), "鄂2823".to_owned())],
            "{:?}",
            t.backend
        );
        let dy = app.case_detail(&e.command, &y.id).await.unwrap();
        assert_eq!(
            refs(dy),
            vec![(x.id.clone(), x.case_number.clone(), "川1123".to_owned())]
        );
        assert!(
            app.case_detail(&a.command, &unrelated.id)
                .await
                .unwrap()
                .same_debtor_cases
                .is_empty()
        );
        let dp = app.case_detail(&a.command, &p.id).await.unwrap();
        assert_eq!(
            refs(dp),
            vec![(q.id.clone(), q.case_number.clone(), "鄂2823".to_owned())]
        );
        // The applicant of every case is the same person, but only debtors count.
        assert!(
            !app.case_detail(&a.command, &unrelated.id)
                .await
                .unwrap()
                .same_debtor_cases
                .iter()
                .any(|r| r.id == x.id)
        );

        // Closed cases are not listed.
        crate::common::exec(
            t.db(),
            "UPDATE cases SET status = 'closed' WHERE id = $1",
            &[&y.id],
        )
        .await;
        assert!(
            app.case_detail(&a.command, &x.id)
                .await
                .unwrap()
                .same_debtor_cases
                .is_empty(),
            "{:?}",
            t.backend
        );
        // A third, open case elsewhere in 川1123 is.
        let mut again = filing("川1123", 77, debtor, 100);
        again.type_code = "执保".into();
        let z = app
            .file_case(&a.command, &again, NOW_MS)
            .await
            .unwrap()
            .case;
        let dx = app.case_detail(&a.command, &x.id).await.unwrap();
        assert_eq!(
            refs(dx),
            vec![(z.id.clone(), z.case_number.clone(), "川1123".to_owned())]
        );
        t.cleanup().await;
    }
}

#[tokio::test]
async fn a_filer_gets_the_case_even_when_it_goes_to_another_team() {
    for t in backends().await {
        let app = &t.app;
        let a = seed_court(app, "川1123", "a").await;
        let before = crate::common::snapshot(t.db()).await;
        // A judge of 速执一组 and its clerk file cases that triage to 精执一组.
        for (who, actor, n) in [("judge", &a.judges[0], 1), ("clerk", &a.clerk, 2)] {
            let d = app
                .file_case(
                    actor,
                    &filing("川1123", n, person("李四", n), 9_000_000),
                    NOW_MS,
                )
                .await
                .unwrap_or_else(|e| {
                    panic!(
                        "{:?} {who}: the filing is stored, the answer must say so: {e:?}",
                        t.backend
                    )
                });
            assert_eq!(d.case.team_id.as_ref(), Some(&a.standard_team), "{who}");
            assert_eq!(d.case.created_by, actor.user_id);
            assert_eq!(d.debtors.len(), 1);
            // …but afterwards it is out of their scope like any other case of that team.
            expect_not_found(app.case_detail(actor, &d.case.id).await, who);
            assert!(visible(app, actor).await.is_empty(), "{who}");
        }
        let after = crate::common::snapshot(t.db()).await;
        assert_eq!(after.rows[0].1 - before.rows[0].1, 2);
        t.cleanup().await;
    }
}
