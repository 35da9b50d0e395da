//! 案号 serials: gapless and unique under concurrency, per (court, year, type), not consumed by refusals.

use sqlx::Row;
use zhixing_app::AppError;
use zhixing_app::cases::CaseDetail;
use zhixing_store::Db;
use zhixing_testkit::{NOW_MS, backends, filing, person, seed_court};

use crate::common::{expect_conflict, snapshot};

async fn serials(db: &Db, court: &str, year: i64, type_code: &str) -> Vec<i64> {
    sqlx::query("SELECT serial FROM cases WHERE court_code = $1 AND year = $2 AND type_code = $3 ORDER BY serial")
        .bind(court.to_owned())
        .bind(year)
        .bind(type_code.to_owned())
        .fetch_all(db.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<i64, _>("serial"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn forty_concurrent_filings_get_serials_1_to_40() {
    for t in backends().await {
        let f = seed_court(&t.app, "川1123", "n").await;
        let handles: Vec<_> = (1..=40u32)
            .map(|i| {
                let app = t.app.clone();
                let actor = f.command.clone();
                tokio::spawn(async move {
                    app.file_case(
                        &actor,
                        &filing("川1123", 1000 + i, person("李四", i), 100_000),
                        NOW_MS,
                    )
                    .await
                })
            })
            .collect();
        let results: Vec<Result<CaseDetail, AppError>> = futures::future::join_all(handles)
            .await
            .into_iter()
            .map(|h| h.unwrap())
            .collect();
        let mut got: Vec<i64> = Vec::new();
        for r in results {
            let d = r.unwrap_or_else(|e| panic!("{:?}: {e:?}", t.backend));
            assert_eq!(
                d.case.case_number,
                format!("（2024）川1123执{}号", d.case.serial),
                "{:?}",
                t.backend
            );
            got.push(d.case.serial);
        }
        got.sort_unstable();
        assert_eq!(
            got,
            (1..=40).collect::<Vec<i64>>(),
            "{:?}: answers",
            t.backend
        );
        assert_eq!(
            serials(t.db(), "川1123", 2024, "执").await,
            (1..=40).collect::<Vec<i64>>(),
            "{:?}: stored",
            t.backend
        );
        t.cleanup().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_duplicates_give_their_number_back() {
    for t in backends().await {
        let f = seed_court(&t.app, "川1123", "n").await;
        // 30 distinct filings, plus 10 more that repeat filings 1..=10 (basis and debtor), all at once.
        let inputs: Vec<_> = (1..=30u32)
            .chain(1..=10)
            .map(|i| filing("川1123", 2000 + i, person("王五", i), 50_000))
            .collect();
        let handles: Vec<_> = inputs
            .into_iter()
            .map(|input| {
                let app = t.app.clone();
                let actor = f.command.clone();
                tokio::spawn(async move { app.file_case(&actor, &input, NOW_MS).await })
            })
            .collect();
        let mut ok = Vec::new();
        let mut dup = 0;
        for r in futures::future::join_all(handles).await {
            match r.unwrap() {
                Ok(d) => ok.push(d.case.serial),
                other => {
                    let (code, _, _) = expect_conflict(other, "duplicate");
                    assert_eq!(code, "duplicate_filing");
                    dup += 1;
                }
            }
        }
        ok.sort_unstable();
        assert_eq!(dup, 10, "{:?}", t.backend);
        assert_eq!(ok, (1..=30).collect::<Vec<i64>>(), "{:?}", t.backend);
        let s = snapshot(t.db()).await;
        assert_eq!(
            s.serial_sum, 30,
            "{:?}: a refused filing kept its number",
            t.backend
        );
        let by_table: std::collections::HashMap<_, _> = s.rows.iter().copied().collect();
        assert_eq!(by_table["cases"], 30);
        assert_eq!(by_table["parties"], 60);
        assert_eq!(by_table["case_filing_keys"], 30);
        assert_eq!(by_table["case_assignments"], 30);
        t.cleanup().await;
    }
}

#[tokio::test]
async fn refused_filings_do_not_consume_a_number() {
    for t in backends().await {
        let app = &t.app;
        let f = seed_court(app, "川1123", "n").await;
        let first = filing("川1123", 1, person("李四", 1), 100);
        assert_eq!(
            app.file_case(&f.command, &first, NOW_MS)
                .await
                .unwrap()
                .case
                .serial,
            1
        );
        // duplicate, invalid, forbidden (role), forbidden (court)
        assert!(app.file_case(&f.command, &first, NOW_MS).await.is_err());
        let mut bad = filing("川1123", 2, person("李四", 2), 100);
        bad.claim_fen = Some(-1);
        assert!(app.file_case(&f.command, &bad, NOW_MS).await.is_err());
        assert!(
            app.file_case(
                &f.police,
                &filing("川1123", 3, person("李四", 3), 100),
                NOW_MS
            )
            .await
            .is_err()
        );
        assert!(
            app.file_case(
                &f.command,
                &filing("鄂2823", 3, person("李四", 3), 100),
                NOW_MS
            )
            .await
            .is_err()
        );
        let second = app
            .file_case(
                &f.command,
                &filing("川1123", 4, person("李四", 4), 100),
                NOW_MS,
            )
            .await
            .unwrap();
        assert_eq!(second.case.serial, 2, "{:?}", t.backend);
        assert_eq!(second.case.case_number, "（2024）川1123执2号");
        t.cleanup().await;
    }
}

#[tokio::test]
async fn serials_are_per_year_type_and_court() {
    for t in backends().await {
        let app = &t.app;
        let a = seed_court(app, "川1123", "a").await;
        let e = seed_court(app, "鄂2823", "e").await;
        let file = |court: &str, type_code: &str, filed_on: &str, n: u32| {
            let mut input = filing(court, n, person("李四", n), 100);
            input.type_code = type_code.into();
            input.filed_on = filed_on.into();
            input.basis_document_number = format!("（{}）{court}民初{n}号", &filed_on[..4]);
            input
        };
        // (actor court, type, filed_on, expected case number), in filing order
        let table = [
            ("川1123", "执", "2023-05-10", "（2023）川1123执1号"),
            ("川1123", "执", "2024-01-02", "（2024）川1123执1号"),
            ("川1123", "执", "2023-12-31", "（2023）川1123执2号"),
            ("川1123", "执保", "2024-03-01", "（2024）川1123执保1号"),
            ("川1123", "执", "2024-09-27", "（2024）川1123执2号"),
            ("鄂2823", "执", "2024-09-27", "（2024）鄂2823执1号"),
            ("川1123", "执保", "2024-09-27", "（2024）川1123执保2号"),
            ("鄂2823", "执保", "2023-02-01", "（2023）鄂2823执保1号"),
            ("鄂2823", "执", "2024-09-01", "（2024）鄂2823执2号"),
        ];
        for (i, (court, type_code, filed_on, want)) in table.into_iter().enumerate() {
            let actor = if court == "川1123" {
                &a.command
            } else {
                &e.command
            };
            let n = u32::try_from(i).unwrap() + 1;
            let d = app
                .file_case(actor, &file(court, type_code, filed_on, n), NOW_MS)
                .await
                .unwrap();
            assert_eq!(d.case.case_number, want, "{:?} row {i}", t.backend);
            assert_eq!(d.case.filed_on, filed_on);
        }
        assert_eq!(serials(t.db(), "川1123", 2023, "执").await, vec![1, 2]);
        assert_eq!(serials(t.db(), "川1123", 2024, "执保").await, vec![1, 2]);
        t.cleanup().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_filings_of_two_types_and_courts_number_separately() {
    for t in backends().await {
        let a = seed_court(&t.app, "川1123", "a").await;
        let e = seed_court(&t.app, "鄂2823", "e").await;
        let mut handles = Vec::new();
        for i in 1..=45u32 {
            let app = t.app.clone();
            let (court, actor) = if i % 3 == 0 {
                ("鄂2823", e.command.clone())
            } else {
                ("川1123", a.command.clone())
            };
            let mut input = filing(court, i, person("李四", i), 100);
            if i % 2 == 0 {
                input.type_code = "执保".into();
            }
            handles.push(tokio::spawn(async move {
                app.file_case(&actor, &input, NOW_MS).await
            }));
        }
        for h in futures::future::join_all(handles).await {
            h.unwrap()
                .unwrap_or_else(|e| panic!("{:?}: {e:?}", t.backend));
        }
        // 1..=45: 15 multiples of 3 go to 鄂2823 (7 even), 30 to 川1123 (15 even).
        let table = [
            ("川1123", "执", 15),
            ("川1123", "执保", 15),
            ("鄂2823", "执", 8),
            ("鄂2823", "执保", 7),
        ];
        for (court, type_code, n) in table {
            assert_eq!(
                serials(t.db(), court, 2024, type_code).await,
                (1..=n).collect::<Vec<i64>>(),
                "{:?} {court} {type_code}",
                t.backend
            );
        }
        t.cleanup().await;
    }
}
