//! Case search: by 案号 (any bracket style), ID number, credit code, name substring, status; paging;
//! wildcards are literal.

use zhixing_app::cases::{CasePage, ListQuery};
use zhixing_app::{Actor, App};
use zhixing_testkit::{NOW_MS, backends, entity, filing, person, seed_court};

use crate::common::{exec, expect_invalid};

async fn search(app: &App, actor: &Actor, q: &str) -> CasePage {
    app.list_cases(
        actor,
        &ListQuery {
            q: Some(q.into()),
            ..Default::default()
        },
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn search_by_number_identity_name_status_and_pages() {
    for t in backends().await {
        let app = &t.app;
        let f = seed_court(app, "川1123", "q").await;
        let li_si = person("李四", 1);
        let company = entity("某某建材有限公司", 7);
        let debtors = [
            li_si.clone(),
            company.clone(),
            person("赵李四", 3),
            person("王五", 4),
        ];
        let mut ids = Vec::new();
        let mut numbers = Vec::new();
        for (i, d) in debtors.into_iter().enumerate() {
            let n = u32::try_from(i).unwrap() + 1;
            let c = app
                .file_case(&f.command, &filing("川1123", n, d, 100), NOW_MS)
                .await
                .unwrap()
                .case;
            ids.push(c.id);
            numbers.push(c.case_number);
        }
        for n in 5..=25u32 {
            let c = app
                .file_case(
                    &f.command,
                    &filing("川1123", n, person(&format!("债务人{n}"), n), 100),
                    NOW_MS,
                )
                .await
                .unwrap()
                .case;
            ids.push(c.id);
            numbers.push(c.case_number);
        }
        assert_eq!(numbers[0], "（2024）川1123执1号");
        let id_of = |k: usize| ids[k].clone();

        // (query, expected case indices)
        let table: Vec<(String, Vec<usize>)> = vec![
            (numbers[0].clone(), vec![0]),
            ("(2024)川1123执1号".into(), vec![0]),
            (" (2024)川1123执12号 ".into(), vec![11]),
            ("〔2024〕川1123执25号".into(), vec![24]),
            ("（2024）川1123执26号".into(), vec![]),
            (li_si.id_number.clone().unwrap(), vec![0]),
            (li_si.id_number.clone().unwrap().to_lowercase(), vec![0]),
            (company.credit_code.clone().unwrap(), vec![1]),
            ("李四".into(), vec![0, 2]),
            ("赵李".into(), vec![2]),
            ("某某建材".into(), vec![1]),
            ("债务人2".into(), vec![19, 20, 21, 22, 23, 24]),
            ("%".into(), vec![]),
            ("_".into(), vec![]),
            ("李%".into(), vec![]),
            ("\\".into(), vec![]),
            ("钱七".into(), vec![]),
        ];
        for (q, want) in table {
            let page = search(app, &f.command, &q).await;
            let mut got: Vec<String> = page.cases.iter().map(|c| c.id.clone()).collect();
            got.sort();
            let mut want: Vec<String> = want.into_iter().map(id_of).collect();
            want.sort();
            assert_eq!(got, want, "{:?} q={q:?}", t.backend);
            assert_eq!(page.total, i64::try_from(want.len()).unwrap(), "q={q:?}");
        }
        // The applicant (张三, on every case) is a party too.
        assert_eq!(search(app, &f.command, "张三").await.total, 25);
        // Search never widens the scope: a judge of 精执一组 finds none of these fast cases.
        assert_eq!(search(app, &f.judges[2], &numbers[0]).await.total, 0);

        // Paging: 20 a page, newest first.
        let p1 = app
            .list_cases(&f.command, &ListQuery::default())
            .await
            .unwrap();
        let p2 = app
            .list_cases(
                &f.command,
                &ListQuery {
                    page: Some(2),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let p3 = app
            .list_cases(
                &f.command,
                &ListQuery {
                    page: Some(3),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(
            (p1.total, p1.cases.len(), p2.cases.len(), p3.cases.len()),
            (25, 20, 5, 0),
            "{:?}",
            t.backend
        );
        assert_eq!(p2.page, 2);
        let mut seen: Vec<String> = p1
            .cases
            .iter()
            .chain(&p2.cases)
            .map(|c| c.id.clone())
            .collect();
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), 25, "pages overlap");
        for bad in [0, -1, 100_001] {
            let e = expect_invalid(
                app.list_cases(
                    &f.command,
                    &ListQuery {
                        page: Some(bad),
                        ..Default::default()
                    },
                )
                .await,
                "page",
            );
            assert_eq!(e.field, "page");
        }

        // Status filter, alone and with text.
        exec(
            t.db(),
            "UPDATE cases SET status = 'closed' WHERE id = $1",
            &[&ids[2]],
        )
        .await;
        let by_status = |s: &str, q: Option<&str>| ListQuery {
            status: Some(s.into()),
            q: q.map(Into::into),
            ..Default::default()
        };
        let table = [
            ("closed", None, 1),
            ("in_progress", None, 24),
            ("pending_assignment", None, 0),
            ("closed", Some("李四"), 1),
            ("in_progress", Some("李四"), 1),
        ];
        for (s, q, n) in table {
            let page = app.list_cases(&f.command, &by_status(s, q)).await.unwrap();
            assert_eq!(page.total, n, "{:?} status={s} q={q:?}", t.backend);
            assert!(page.cases.iter().all(|c| c.status == s));
        }
        assert_eq!(
            app.list_cases(&f.command, &by_status("closed", None))
                .await
                .unwrap()
                .cases[0]
                .id,
            ids[2]
        );
        for bad in ["open", "CLOSED", "closed'--"] {
            let e = expect_invalid(
                app.list_cases(&f.command, &by_status(bad, None)).await,
                "status",
            );
            assert_eq!((e.field.as_str(), e.code), ("status", "status"), "{bad}");
        }
        let e = expect_invalid(
            app.list_cases(
                &f.command,
                &ListQuery {
                    q: Some("字".repeat(61)),
                    ..Default::default()
                },
            )
            .await,
            "long q",
        );
        assert_eq!(e.field, "q");
        t.cleanup().await;
    }
}
