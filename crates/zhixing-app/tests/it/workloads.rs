//! The 分案 counters (`workloads`, `daily_assignments`) always equal what the case rows say.

use zhixing_store::cases;
use zhixing_testkit::{NOW_MS, backends, filing, person, seed_court};

#[tokio::test]
async fn counters_match_the_case_rows_after_filing_reassignment_and_demo() {
    for t in backends().await {
        let app = &t.app;
        let f = seed_court(app, "川1123", "k").await;
        let mut ids = Vec::new();
        for i in 0..12u32 {
            let claim = if i % 3 == 0 { 9_000_000 } else { 500_000 };
            let d = app
                .file_case(
                    &f.command,
                    &filing("川1123", 100 + i, person("某", 300 + i), claim),
                    NOW_MS,
                )
                .await
                .unwrap();
            ids.push(d.case.id);
        }
        app.reassign(
            &f.director,
            &ids[1],
            &f.standard_team,
            None,
            "案情复杂，转精执",
            NOW_MS,
        )
        .await
        .unwrap();
        app.reassign(
            &f.director,
            &ids[2],
            &f.standard_team,
            Some(&f.judges[2].user_id),
            "转精执并指定承办人",
            NOW_MS,
        )
        .await
        .unwrap();
        let mut conn = t.db().conn().await.unwrap();
        assert_eq!(
            cases::workload_mismatches(&mut conn, "川1123")
                .await
                .unwrap(),
            vec![],
            "{:?}",
            t.backend
        );
        // The stored counter for the fast team equals its open cases.
        let fast = cases::assignment_candidates(&mut conn, "川1123", "fast", "2024-08-29")
            .await
            .unwrap();
        assert_eq!(fast.iter().map(|(t, _)| t.open_cases).sum::<i64>(), 6);
        assert_eq!(
            fast.iter().map(|(t, _)| t.filed_last_30_days).sum::<i64>(),
            6
        );
        // …and so do its judges' counters (the fixture's fast team has two judges).
        let judges: Vec<_> = fast.iter().flat_map(|(_, j)| j.iter()).collect();
        assert_eq!(judges.len(), 2);
        assert_eq!(judges.iter().map(|c| c.open_cases).sum::<i64>(), 6);
        // A corrupted counter is detected, and recompute repairs it.
        sqlx::query("UPDATE workloads SET open_cases = open_cases + 5 WHERE court_code = '川1123' AND assignee_id = $1")
            .bind(f.fast_team.clone())
            .execute(&mut *conn)
            .await
            .unwrap();
        let bad = cases::workload_mismatches(&mut conn, "川1123")
            .await
            .unwrap();
        assert_eq!(bad.len(), 1);
        assert_eq!(bad[0].0, f.fast_team);
        cases::recompute_workloads(&mut conn, "川1123")
            .await
            .unwrap();
        assert_eq!(
            cases::workload_mismatches(&mut conn, "川1123")
                .await
                .unwrap(),
            vec![]
        );
        drop(conn);
        // The demo's bulk path leaves consistent counters too. (First fire the warnings of the
        // cases filed above, so the last check below sees only the demo's deadlines.)
        app.run_due(NOW_MS, 10).await.unwrap();
        app.demo(200, 3, NOW_MS, &|_| {}).await.unwrap();
        let mut conn = t.db().conn().await.unwrap();
        for court in ["川1123", "川1102", "川11", "鄂2823", "甘0104"] {
            assert_eq!(
                cases::workload_mismatches(&mut conn, court).await.unwrap(),
                vec![],
                "{court}"
            );
        }
        drop(conn);
        // ... and deadlines with consistent board counters, some of them warned; a tick right
        // after the demo finds nothing that the demo did not already account for.
        assert!(app.board_mismatches().await.unwrap().is_empty());
        let warned = crate::common::count(
            t.db(),
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM deadlines WHERE status = 'pending' AND level IS NOT NULL",
        )
        .await;
        assert!(warned > 0, "the demo should show warnings on the board");
        let open = crate::common::count(
            t.db(),
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM cases WHERE status <> 'closed'",
        )
        .await;
        assert!(open > 0);
        // Every open case has at least its application and filing events.
        assert!(crate::common::rows(t.db(), "case_events").await >= 2 * open);
        assert_eq!(app.run_once(NOW_MS).await.unwrap().fired, 0);
        t.cleanup().await;
    }
}
