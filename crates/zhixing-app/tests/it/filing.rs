use zhixing_testkit::{NOW_MS, backends, entity, filing, person, seed_court};

#[tokio::test]
async fn file_a_case_numbers_triages_and_assigns() {
    for t in backends().await {
        let app = &t.app;
        let f = seed_court(app, "川1123", "a").await;
        let d = app
            .file_case(
                &f.command,
                &filing("川1123", 456, person("李四", 1), 1_500_000),
                NOW_MS,
            )
            .await
            .unwrap();
        assert_eq!(d.case.case_number, "（2024）川1123执1号", "{:?}", t.backend);
        assert_eq!(d.case.track, "fast");
        assert_eq!(d.case.team_id.as_deref(), Some(f.fast_team.as_str()));
        assert!(d.case.handler_id.is_some());
        assert_eq!(d.case.status, "in_progress");
        assert_eq!(d.debtors.len(), 1);
        assert_eq!(d.history.len(), 1);
        let d2 = app
            .file_case(
                &f.command,
                &filing("川1123", 457, entity("某公司", 7), 3_000_000),
                NOW_MS,
            )
            .await
            .unwrap();
        assert_eq!(d2.case.case_number, "（2024）川1123执2号");
        assert_eq!(d2.case.track, "standard");
        t.cleanup().await;
    }
}
