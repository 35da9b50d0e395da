//! Group commit of filings (`App::file_case` writes every filing queued for a court in one
//! transaction): each filing keeps its own outcome, a refused one holds no serial or guard, and
//! 分案 counts each case of a group before placing the next.

use sqlx::Row;
use zhixing_app::AppError;
use zhixing_app::admin::NewUser;
use zhixing_app::cases::CaseDetail;
use zhixing_testkit::{NOW_MS, backends, filing, person, seed_court};

use crate::common::{expect_conflict, expect_invalid};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn refusals_inside_a_burst_cost_the_others_nothing() {
    for t in backends().await {
        let f = seed_court(&t.app, "川1123", "g").await;
        // 24 good filings, 4 that name a basis court that does not exist, 4 that repeat filings
        // 1..=4 (same basis, same debtor), all at once, so they share groups with good ones.
        let mut inputs: Vec<(&str, _)> = (1..=24u32)
            .map(|i| ("ok", filing("川1123", 3000 + i, person("赵六", i), 80_000)))
            .collect();
        for i in 1..=4u32 {
            let mut bad = filing("川1123", 3100 + i, person("赵六", 100 + i), 80_000);
            bad.basis_court = "川9999".into();
            inputs.push(("unknown_basis", bad));
            inputs.push((
                "duplicate",
                filing("川1123", 3000 + i, person("赵六", i), 80_000),
            ));
        }
        let handles: Vec<_> = inputs
            .into_iter()
            .map(|(kind, input)| {
                let app = t.app.clone();
                let actor = f.command.clone();
                tokio::spawn(async move { (kind, app.file_case(&actor, &input, NOW_MS).await) })
            })
            .collect();
        let mut serials = Vec::new();
        let (mut unknown, mut dup) = (0, 0);
        for h in futures::future::join_all(handles).await {
            let (kind, r): (&str, Result<CaseDetail, AppError>) = h.unwrap();
            match kind {
                "unknown_basis" => {
                    let e = expect_invalid(r, "unknown basis court");
                    assert_eq!(e.field, "basis.court", "{:?}", t.backend);
                    unknown += 1;
                }
                // A repeat and its original race: whichever is queued second is the duplicate.
                _ => match r {
                    Ok(d) => serials.push(d.case.serial),
                    other => {
                        let (code, field, _) = expect_conflict(other, "repeat");
                        assert_eq!(code, "duplicate_filing");
                        assert_eq!(field.as_deref(), Some("debtors[0]"));
                        dup += 1;
                    }
                },
            }
        }
        serials.sort_unstable();
        assert_eq!((unknown, dup), (4, 4), "{:?}", t.backend);
        assert_eq!(
            serials,
            (1..=24).collect::<Vec<i64>>(),
            "{:?}: gapless serials despite refusals in the same groups",
            t.backend
        );
        let count = |sql: &'static str| {
            let pool = t.db().pool().clone();
            async move {
                sqlx::query(sql)
                    .fetch_one(&pool)
                    .await
                    .unwrap()
                    .get::<i64, _>(0)
            }
        };
        assert_eq!(count("SELECT COUNT(*) FROM case_filing_keys").await, 24);
        assert_eq!(count("SELECT COUNT(*) FROM cases").await, 24);
        assert_eq!(
            count("SELECT COUNT(*) FROM audit_log WHERE action = 'case.file'").await,
            24
        );
        // Each filing of a group has its own audit record, chained in order.
        let report = t.app.verify_audit().await.unwrap();
        assert!(report.broken.is_none(), "{:?}: {report:?}", t.backend);
        t.cleanup().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_filings_are_spread_exactly() {
    for t in backends().await {
        let f = seed_court(&t.app, "川1123", "s").await;
        // A second fast team with two judges: 速执一组 has judge1 and judge2 (seed_court).
        let sys = zhixing_app::Actor::system("川1123", &f.command.court_path);
        t.app
            .add_team(&sys, "川1123", "速执二组", "fast", NOW_MS)
            .await
            .unwrap();
        for n in ["sj4", "sj5"] {
            t.app
                .add_user(
                    &sys,
                    NewUser {
                        court: "川1123".into(),
                        role: "judge".into(),
                        username: n.into(),
                        name: n.into(),
                        team: Some("速执二组".into()),
                        password: zhixing_testkit::PASSWORD.into(),
                    },
                    NOW_MS,
                )
                .await
                .unwrap();
        }
        // 40 fast-track filings at once (claims ≤ 20,000 元).
        let handles: Vec<_> = (1..=40u32)
            .map(|i| {
                let app = t.app.clone();
                let actor = f.command.clone();
                let input = filing("川1123", 4000 + i, person("钱七", i), 500_000);
                tokio::spawn(async move { app.file_case(&actor, &input, NOW_MS).await })
            })
            .collect();
        let mut per_team = std::collections::BTreeMap::<String, i64>::new();
        let mut per_handler = std::collections::BTreeMap::<String, i64>::new();
        for h in futures::future::join_all(handles).await {
            let d = h.unwrap().unwrap();
            *per_team.entry(d.case.team_id.unwrap()).or_default() += 1;
            *per_handler.entry(d.case.handler_id.unwrap()).or_default() += 1;
        }
        assert_eq!(
            per_team.values().copied().collect::<Vec<_>>(),
            vec![20, 20],
            "{:?}: loads are counted within a group, so a burst is split evenly",
            t.backend
        );
        assert_eq!(
            per_handler.values().copied().collect::<Vec<_>>(),
            vec![10, 10, 10, 10],
            "{:?}",
            t.backend
        );
        t.cleanup().await;
    }
}
