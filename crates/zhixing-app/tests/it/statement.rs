//! Bank-statement import (all lines or none), reconciliation, ageing and the overdue rate, on
//! SQLite and PostgreSQL.

use chrono::NaiveDate;
use zhixing_app::funds::{ReceiptInput, account_number_of};
use zhixing_app::statement::{ImportError, parse_csv};
use zhixing_testkit::{NOW_MS, backends, filing, person, seed_court};

use crate::common::{add_user, rows};

const HEADER: &str =
    "bank_reference,received_at,amount_fen,payer_name,payer_account,account_number\n";

#[tokio::test]
async fn import_books_all_or_nothing_and_reconciles() {
    for t in backends().await {
        let f = seed_court(&t.app, "川1123", "s").await;
        let bank = add_user(&t.app, "川1123", "bank", "sbank", None).await;
        let case = t
            .app
            .file_case(
                &f.command,
                &filing("川1123", 1, person("李四", 1), 500_000),
                NOW_MS,
            )
            .await
            .unwrap()
            .case;
        let acct = account_number_of(&case).unwrap().as_str().to_owned();
        // R0 already arrived by API callback.
        t.app
            .post_receipt(
                &bank,
                &ReceiptInput {
                    idempotency_key: "cb-R0".into(),
                    account_number: acct.clone(),
                    amount_fen: 700,
                    payer_name: "李四".into(),
                    payer_account: "622".into(),
                    received_at: "2024-09-27T08:00:00+08:00".into(),
                    bank_reference: "R0".into(),
                },
                NOW_MS,
            )
            .await
            .unwrap();
        // A file with one bad line books nothing, and names the line and field.
        let bad = format!(
            "{HEADER}R1,2024-09-27 09:00:00,1000,李四,622,{acct}\nR2,2024-09-27 09:05:00,0,王五,623,x\n"
        );
        let lines = parse_csv(&bad).unwrap();
        match t.app.import_statement(&bank, &lines, NOW_MS).await {
            Err(ImportError::Lines(errs)) => {
                assert_eq!(errs.len(), 1, "{errs:?}");
                assert_eq!((errs[0].line, errs[0].field.as_str()), (3, "amount_fen"));
            }
            other => panic!("{other:?}"),
        }
        // A line whose reference is booked with another amount also refuses the file.
        let conflicting = format!(
            "{HEADER}R1,2024-09-27 09:00:00,1000,李四,622,{acct}\nR0,2024-09-27 08:00:00,701,李四,622,{acct}\n"
        );
        match t
            .app
            .import_statement(&bank, &parse_csv(&conflicting).unwrap(), NOW_MS)
            .await
        {
            Err(ImportError::Lines(errs)) => {
                assert_eq!((errs[0].line, errs[0].code.as_str()), (3, "amount_differs"))
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(rows(t.db(), "fund_receipts").await, 1, "{:?}", t.backend);
        // A good file: R0 skipped, R1 booked to the case, R2 unidentified.
        let good = format!(
            "{HEADER}R0,2024-09-27 08:00:00,700,李四,622,{acct}\nR1,2024-09-27 09:00:00,1000,李四,622,{acct}\nR2,2024-09-27 09:05:00,300,王五,623,12345\n"
        );
        let report = t
            .app
            .import_statement(&bank, &parse_csv(&good).unwrap(), NOW_MS)
            .await
            .unwrap();
        assert_eq!(
            (
                report.lines,
                report.booked,
                report.unidentified,
                report.already_booked,
                report.amount_fen
            ),
            (3, 1, 1, 1, 1300)
        );
        // Importing the same file again books nothing more.
        let again = t
            .app
            .import_statement(&bank, &parse_csv(&good).unwrap(), NOW_MS)
            .await
            .unwrap();
        assert_eq!(again.already_booked, 3);
        // Every receipt booked to a case (by the API or the import, once) started one 30-day
        // disbursement deadline in the deadline engine; the refused files started none.
        let booked = crate::common::count(
            t.db(),
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM fund_receipts WHERE case_id IS NOT NULL",
        )
        .await;
        let deadlines = crate::common::count(
            t.db(),
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM deadlines WHERE rule_id = 'disbursement_30d'",
        )
        .await;
        assert_eq!((booked, deadlines), (2, 2));
        // The import chained its audit records in memory: the court's SM3 chain still verifies.
        let audit = t.app.verify_audit().await.unwrap();
        assert!(audit.broken.is_none(), "{:?}", audit.broken);
        assert_eq!(
            crate::common::count(
                t.db(),
                "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM audit_log WHERE action = 'funds.receipt'"
            )
            .await,
            3
        );
        // The callback for R1 arriving after the statement books nothing more.
        let (_, replayed) = t
            .app
            .post_receipt(
                &bank,
                &ReceiptInput {
                    idempotency_key: "cb-R1-late".into(),
                    account_number: acct.clone(),
                    amount_fen: 1000,
                    payer_name: "李四".into(),
                    payer_account: "622".into(),
                    received_at: "2024-09-27T09:00:00+08:00".into(),
                    bank_reference: "R1".into(),
                },
                NOW_MS,
            )
            .await
            .unwrap();
        assert!(replayed);
        let funds = t.app.case_funds(&f.command, &case.id).await.unwrap();
        assert_eq!(funds.balance_fen, 1700);
        assert!(t.app.verify_funds("川1123").await.unwrap().is_empty());
        // Reconciliation: the statement lacks R1 and has R3 (not booked) and R2 with another amount.
        let stmt = format!(
            "{HEADER}R0,2024-09-27 08:00:00,700,李四,622,{acct}\nR2,2024-09-27 09:05:00,301,王五,623,12345\nR3,2024-09-27 12:00:00,5,赵六,624,1\n"
        );
        let diffs = t
            .app
            .reconcile("川1123", &parse_csv(&stmt).unwrap())
            .await
            .unwrap();
        let got: Vec<(&str, &str)> = diffs
            .iter()
            .map(|d| (d.kind.as_str(), d.bank_reference.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("amount_differs", "R2"),
                ("missing_in_ledger", "R3"),
                ("missing_in_statement", "R1")
            ]
        );
        // Ageing on 2024-12-01 (65 days later): all undisbursed and unidentified money is over 60 days.
        let today = NaiveDate::from_ymd_opt(2024, 12, 1).unwrap();
        let a = t.app.ageing("川1123", today).await.unwrap();
        assert_eq!(a.undisbursed, [(0, 0), (0, 0), (2, 1700)]);
        assert_eq!(a.unidentified, [(0, 0), (0, 0), (1, 300)]);
        let a = t
            .app
            .ageing("川1123", NaiveDate::from_ymd_opt(2024, 10, 1).unwrap())
            .await
            .unwrap();
        assert_eq!(a.undisbursed, [(2, 1700), (0, 0), (0, 0)]);
        // A report for a day before the money arrived counts none of it.
        let a = t
            .app
            .ageing("川1123", NaiveDate::from_ymd_opt(2024, 9, 26).unwrap())
            .await
            .unwrap();
        assert_eq!((a.undisbursed, a.unidentified), ([(0, 0); 3], [(0, 0); 3]));
        let r = t
            .app
            .overdue_rate("川1123", NaiveDate::from_ymd_opt(2024, 9, 26).unwrap())
            .await
            .unwrap();
        assert_eq!(r.due_count, 0);
        // Overdue rate: both arrivals are past their 10-28 deadline and still held.
        let r = t.app.overdue_rate("川1123", today).await.unwrap();
        assert_eq!(
            (r.due_count, r.overdue_count, r.due_fen, r.overdue_fen),
            (2, 2, 1700, 1700)
        );
        assert_eq!(r.rates_bp(), (10_000, 10_000));
        // Disbursing 700 on time clears the older arrival (R0) within its deadline.
        let d = t
            .app
            .propose_disbursement(
                &f.command,
                &case.id,
                &[zhixing_app::funds::DisbursementLineInput {
                    kind: "applicant".into(),
                    payee_name: "张三".into(),
                    payee_account: "6".into(),
                    amount_fen: 700,
                    measure_id: None,
                }],
                NOW_MS,
            )
            .await
            .unwrap();
        t.app
            .decide_disbursement(&f.director, &d.row.id, true, "", NOW_MS)
            .await
            .unwrap();
        let r = t.app.overdue_rate("川1123", today).await.unwrap();
        assert_eq!((r.due_count, r.overdue_count, r.overdue_fen), (2, 1, 1000));
        assert_eq!(r.rates_bp(), (5_000, 5_882));
        assert_eq!(t.app.courts_with_funds().await.unwrap(), ["川1123"]);
        t.cleanup().await;
    }
}
