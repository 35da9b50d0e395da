//! 重复立案: one basis against one debtor is filed once per court and type — also under concurrency —
//! and a refused filing leaves nothing behind.

use zhixing_testkit::{NOW_MS, backends, entity, filing, person, seed_court};

use crate::common::{expect_conflict, expect_forbidden, expect_invalid, snapshot};

#[tokio::test]
async fn duplicate_filing_names_the_existing_case() {
    for t in backends().await {
        let app = &t.app;
        let a = seed_court(app, "川1123", "a").await;
        let e = seed_court(app, "鄂2823", "e").await;
        let first = app
            .file_case(
                &a.command,
                &filing("川1123", 456, person("李四", 1), 100_000),
                NOW_MS,
            )
            .await
            .unwrap();
        let before = snapshot(t.db()).await;

        // Same basis, same debtor: refused, whoever files and however the number is bracketed.
        let mut ascii = filing("川1123", 456, person("李四", 1), 999);
        ascii.basis_document_number = "(2024)川1123民初456号".into();
        for (label, actor, input) in [
            (
                "same input",
                &a.command,
                filing("川1123", 456, person("李四", 1), 100_000),
            ),
            ("ascii brackets", &a.director, ascii),
            (
                "other name, same id",
                &a.judges[0],
                filing("川1123", 456, person("李四四", 1), 1),
            ),
        ] {
            let (code, field, message) =
                expect_conflict(app.file_case(actor, &input, NOW_MS).await, label);
            assert_eq!(code, "duplicate_filing", "{:?} {label}", t.backend);
            assert_eq!(field.as_deref(), Some("debtors[0]"), "{label}");
            assert!(
                message.contains(&first.case.case_number),
                "{label}: {message}"
            );
            assert!(
                message.contains("（2024）川1123执1号"),
                "{label}: {message}"
            );
        }
        // The repeated debtor is the second one: the field says so.
        let mut two = filing("川1123", 456, person("王五", 2), 100);
        two.debtors.push(person("李四", 1));
        let (_, field, _) = expect_conflict(
            app.file_case(&a.command, &two, NOW_MS).await,
            "second debtor",
        );
        assert_eq!(field.as_deref(), Some("debtors[1]"));
        assert_eq!(
            snapshot(t.db()).await,
            before,
            "{:?}: a refused duplicate wrote rows",
            t.backend
        );

        // Different debtor, different type, different court: allowed.
        let other_debtor = app
            .file_case(
                &a.command,
                &filing("川1123", 456, entity("某公司", 3), 100),
                NOW_MS,
            )
            .await
            .unwrap();
        assert_eq!(other_debtor.case.case_number, "（2024）川1123执2号");
        let mut preservation = filing("川1123", 456, person("李四", 1), 100);
        preservation.type_code = "执保".into();
        let p = app
            .file_case(&a.command, &preservation, NOW_MS)
            .await
            .unwrap();
        assert_eq!(p.case.case_number, "（2024）川1123执保1号");
        let mut elsewhere = filing("鄂2823", 456, person("李四", 1), 100);
        elsewhere.basis_court = "川1123".into();
        elsewhere.basis_document_number = "（2024）川1123民初456号".into();
        let x = app.file_case(&e.command, &elsewhere, NOW_MS).await.unwrap();
        assert_eq!(x.case.case_number, "（2024）鄂2823执1号");
        // …and that one is now a duplicate in its own court.
        let (code, _, message) = expect_conflict(
            app.file_case(&e.director, &elsewhere, NOW_MS).await,
            "鄂 dup",
        );
        assert_eq!(code, "duplicate_filing");
        assert!(message.contains("（2024）鄂2823执1号"), "{message}");
        t.cleanup().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn identical_filings_at_once_exactly_one_succeeds() {
    for t in backends().await {
        let f = seed_court(&t.app, "川1123", "a").await;
        for round in 0..5u32 {
            let before = snapshot(t.db()).await;
            let handles: Vec<_> = (0..4)
                .map(|_| {
                    let app = t.app.clone();
                    let actor = f.command.clone();
                    let input = filing("川1123", 700 + round, person("李四", 100 + round), 100_000);
                    tokio::spawn(async move { app.file_case(&actor, &input, NOW_MS).await })
                })
                .collect();
            let results: Vec<_> = futures::future::join_all(handles)
                .await
                .into_iter()
                .map(|h| h.unwrap())
                .collect();
            let winners: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
            assert_eq!(
                winners.len(),
                1,
                "{:?} round {round}: {results:?}",
                t.backend
            );
            let number = winners[0].case.case_number.clone();
            assert_eq!(number, format!("（2024）川1123执{}号", round + 1));
            for r in results.into_iter().filter(|r| r.is_err()) {
                let (code, field, message) = expect_conflict(r, "loser");
                assert_eq!(code, "duplicate_filing");
                assert_eq!(field.as_deref(), Some("debtors[0]"));
                assert!(message.contains(&number), "{:?}: {message}", t.backend);
            }
            let after = snapshot(t.db()).await;
            let delta: Vec<i64> = after
                .rows
                .iter()
                .zip(&before.rows)
                .map(|(a, b)| a.1 - b.1)
                .collect();
            // cases, parties (applicant + debtor), filing keys, assignments, audit: one filing's worth
            assert_eq!(delta, vec![1, 2, 1, 1, 1], "{:?} round {round}", t.backend);
            assert_eq!(after.serial_sum - before.serial_sum, 1);
        }
        t.cleanup().await;
    }
}

#[tokio::test]
async fn refused_filings_write_nothing() {
    for t in backends().await {
        let app = &t.app;
        let a = seed_court(app, "川1123", "a").await;
        app.file_case(
            &a.command,
            &filing("川1123", 1, person("李四", 1), 100),
            NOW_MS,
        )
        .await
        .unwrap();
        let before = snapshot(t.db()).await;

        let mut bad_id = filing("川1123", 2, person("李四", 2), 100);
        bad_id.debtors[0].id_number = Some(crate::common::bad_checksum(
            bad_id.debtors[0].id_number.as_deref().unwrap(),
        ));
        expect_invalid(
            app.file_case(&a.command, &bad_id, NOW_MS).await,
            "validation",
        );
        let mut unknown_basis = filing("川1123", 2, person("李四", 2), 100);
        unknown_basis.basis_court = "川9999".into();
        expect_invalid(
            app.file_case(&a.command, &unknown_basis, NOW_MS).await,
            "unknown basis court",
        );
        expect_conflict(
            app.file_case(
                &a.command,
                &filing("川1123", 1, person("李四", 1), 100),
                NOW_MS,
            )
            .await,
            "dup",
        );
        expect_forbidden(
            app.file_case(
                &a.police,
                &filing("川1123", 3, person("李四", 3), 100),
                NOW_MS,
            )
            .await,
            "police",
        );
        expect_forbidden(
            app.file_case(
                &a.president,
                &filing("川1123", 3, person("李四", 3), 100),
                NOW_MS,
            )
            .await,
            "president",
        );
        expect_forbidden(
            app.file_case(
                &a.admin,
                &filing("川1123", 3, person("李四", 3), 100),
                NOW_MS,
            )
            .await,
            "admin",
        );
        expect_forbidden(
            app.file_case(
                &a.command,
                &filing("鄂2823", 3, person("李四", 3), 100),
                NOW_MS,
            )
            .await,
            "court",
        );

        assert_eq!(snapshot(t.db()).await, before, "{:?}", t.backend);
        t.cleanup().await;
    }
}
