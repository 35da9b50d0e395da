//! 执行款: receipts (idempotent), unidentified funds and claims, disbursement approval and payment,
//! racing disbursements, the overdue query, and the ledger invariants after every step — on SQLite
//! and PostgreSQL.

use std::collections::HashSet;

use chrono::NaiveDate;
use zhixing_app::funds::{DisbursementLineInput, ReceiptInput, account_number_of};
use zhixing_app::{Actor, App, AppError};
use zhixing_testkit::{CourtFixture, NOW_MS, backends, entity, filing, person, seed_court};

use crate::common::{
    add_user, expect_conflict, expect_forbidden, expect_invalid, expect_not_found, rows,
};

const COURT: &str = "川1123";

struct Fx {
    f: CourtFixture,
    bank: Actor,
    case_id: String,
    account: String,
}

/// A court with staff, a bank user and one filed case (debtor 某某建材有限公司, claim 100,000 元).
async fn setup(app: &App) -> Fx {
    let f = seed_court(app, COURT, "f").await;
    let bank = add_user(app, COURT, "bank", "fbank", None).await;
    let d = app
        .file_case(
            &f.command,
            &filing(COURT, 1, entity("某某建材有限公司", 7), 10_000_000),
            NOW_MS,
        )
        .await
        .unwrap();
    let account = account_number_of(&d.case).unwrap().as_str().to_owned();
    Fx {
        f,
        bank,
        case_id: d.case.id,
        account,
    }
}

fn receipt(key: &str, account: &str, amount: i64) -> ReceiptInput {
    ReceiptInput {
        idempotency_key: key.into(),
        account_number: account.into(),
        amount_fen: amount,
        payer_name: "某某建材有限公司".into(),
        payer_account: "6222020000000000001".into(),
        received_at: "2024-09-27T09:30:00+08:00".into(),
        bank_reference: format!("BR-{key}"),
    }
}

async fn assert_ledger_ok(app: &App, ctx: &str) {
    let problems = app.verify_funds(COURT).await.unwrap();
    assert!(problems.is_empty(), "{ctx}: {problems:?}");
}

/// The handler of the case: the command center sees every case of the court.
fn handler(fx: &Fx) -> &Actor {
    &fx.f.command
}

#[tokio::test]
async fn receipt_quoting_the_account_books_to_the_case() {
    for t in backends().await {
        let fx = setup(&t.app).await;
        let (a, replayed) = t
            .app
            .post_receipt(&fx.bank, &receipt("k1", &fx.account, 123_456), NOW_MS)
            .await
            .unwrap();
        assert!(!replayed);
        assert_eq!(a.status, "booked", "{:?}", t.backend);
        assert_eq!(a.case_id.as_deref(), Some(fx.case_id.as_str()));
        assert_eq!(a.arrived_on, "2024-09-27");
        // 30 days after 09-27 is 10-27, a Sunday → Monday 10-28 (CPL art 85 roll-over).
        assert_eq!(a.disburse_by.as_deref(), Some("2024-10-28"));
        // The account number typed with spaces still matches.
        let spaced = format!("{} {}", &fx.account[..10], &fx.account[10..]);
        let (b, _) = t
            .app
            .post_receipt(&fx.bank, &receipt("k2", &spaced, 1), NOW_MS)
            .await
            .unwrap();
        assert_eq!(b.status, "booked");
        let funds = t.app.case_funds(handler(&fx), &fx.case_id).await.unwrap();
        assert_eq!(funds.account_number, fx.account);
        assert_eq!(
            (funds.balance_fen, funds.received_fen, funds.disbursed_fen),
            (123_457, 123_457, 0)
        );
        let amounts: Vec<i64> = funds.entries.iter().map(|e| e.amount_fen).collect();
        assert_eq!(amounts, vec![123_456, 1]);
        assert!(funds.entries.iter().all(|e| e.kind == "receipt"));
        assert_ledger_ok(&t.app, "after receipts").await;
        // Each arrival started the deadline engine's 30-day disbursement deadline, on the same
        // date the funds ledger computed.
        let dl = t
            .app
            .case_deadlines(handler(&fx), &fx.case_id, NOW_MS)
            .await
            .unwrap();
        let due: Vec<(&str, &str)> = dl
            .iter()
            .filter(|x| x.row.rule_id == "disbursement_30d")
            .map(|x| (x.row.due_on.as_str(), x.status))
            .collect();
        assert_eq!(due, [("2024-10-28", "pending"), ("2024-10-28", "pending")]);
        // Each receipt wrote one audit record.
        let n = crate::common::count(
            t.db(),
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM audit_log WHERE action = 'funds.receipt'",
        )
        .await;
        assert_eq!(n, 2);
        t.cleanup().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn replays_book_once_and_changed_content_is_refused() {
    for t in backends().await {
        let fx = setup(&t.app).await;
        let first = t
            .app
            .post_receipt(&fx.bank, &receipt("same", &fx.account, 5000), NOW_MS)
            .await
            .unwrap()
            .0;
        // 12 concurrent replays: all answer the first answer, nothing more is booked.
        let handles: Vec<_> = (0..12)
            .map(|_| {
                let app = t.app.clone();
                let bank = fx.bank.clone();
                let r = receipt("same", &fx.account, 5000);
                tokio::spawn(async move { app.post_receipt(&bank, &r, NOW_MS + 1000).await })
            })
            .collect();
        for h in handles {
            let (a, replayed) = h.await.unwrap().unwrap();
            assert!(replayed);
            assert_eq!(a, first);
        }
        // A different amount under the same key is refused and books nothing.
        let (code, field, _) = expect_conflict(
            t.app
                .post_receipt(&fx.bank, &receipt("same", &fx.account, 5001), NOW_MS)
                .await,
            "changed content",
        );
        assert_eq!(
            (code, field.as_deref()),
            ("idempotency_key_reused", Some("idempotency_key"))
        );
        assert_eq!(rows(t.db(), "fund_receipts").await, 1);
        assert_eq!(rows(t.db(), "fund_txns").await, 1);
        let funds = t.app.case_funds(handler(&fx), &fx.case_id).await.unwrap();
        assert_eq!(funds.balance_fen, 5000);
        assert_ledger_ok(&t.app, "after replays").await;
        t.cleanup().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_first_deliveries_of_one_key_book_once() {
    for t in backends().await {
        let fx = setup(&t.app).await;
        let handles: Vec<_> = (0..10)
            .map(|_| {
                let app = t.app.clone();
                let bank = fx.bank.clone();
                let r = receipt("race", &fx.account, 700);
                tokio::spawn(async move { app.post_receipt(&bank, &r, NOW_MS).await })
            })
            .collect();
        let mut fresh = 0;
        let mut ids = HashSet::new();
        for h in handles {
            let (a, replayed) = h.await.unwrap().unwrap();
            if !replayed {
                fresh += 1;
            }
            ids.insert(a.receipt_id);
        }
        assert_eq!((fresh, ids.len()), (1, 1), "{:?}", t.backend);
        // Ten callbacks under different keys for one bank reference: booked once too.
        let handles: Vec<_> = (0..10)
            .map(|i| {
                let app = t.app.clone();
                let bank = fx.bank.clone();
                let mut r = receipt(&format!("ref-{i}"), &fx.account, 300);
                r.bank_reference = "ONE-REF".into();
                tokio::spawn(async move { app.post_receipt(&bank, &r, NOW_MS).await })
            })
            .collect();
        let mut fresh = 0;
        for h in handles {
            if !h.await.unwrap().unwrap().1 {
                fresh += 1;
            }
        }
        assert_eq!(fresh, 1, "{:?}", t.backend);
        let funds = t.app.case_funds(handler(&fx), &fx.case_id).await.unwrap();
        assert_eq!(funds.balance_fen, 1000);
        assert_ledger_ok(&t.app, "race").await;
        t.cleanup().await;
    }
}

#[tokio::test]
async fn unmatched_receipt_goes_to_unidentified_with_suggestions_and_can_be_claimed() {
    for t in backends().await {
        let fx = setup(&t.app).await;
        // A second case whose outstanding claim is exactly 2,500 元.
        let other = t
            .app
            .file_case(
                &fx.f.command,
                &filing(COURT, 2, person("王五", 3), 250_000),
                NOW_MS,
            )
            .await
            .unwrap();
        // Payer is the first case's debtor; amount equals the second case's claim; the account
        // number has a typo (check digits fail).
        let mut typo: Vec<char> = fx.account.chars().collect();
        typo[5] = if typo[5] == '9' { '8' } else { '9' };
        let typo: String = typo.into_iter().collect();
        let (a, _) = t
            .app
            .post_receipt(&fx.bank, &receipt("u1", &typo, 250_000), NOW_MS)
            .await
            .unwrap();
        assert_eq!(a.status, "unidentified", "{:?}", t.backend);
        assert_eq!(a.case_id, None);
        // Default claim period: 3 days from Friday 09-27 → Monday 09-30.
        assert_eq!(a.claim_by.as_deref(), Some("2024-09-30"));
        let reasons: Vec<(&str, &str)> = a
            .suggestions
            .iter()
            .map(|s| (s.case_id.as_str(), s.reason.as_str()))
            .collect();
        assert!(
            reasons.contains(&(fx.case_id.as_str(), "payer_is_debtor")),
            "{reasons:?}"
        );
        assert!(
            reasons.contains(&(other.case.id.as_str(), "amount_equals_outstanding_claim")),
            "{reasons:?}"
        );
        assert_ledger_ok(&t.app, "unidentified").await;
        let pending = t.app.unidentified_receipts(&fx.f.command).await.unwrap();
        assert_eq!(pending.len(), 1);
        // A bank user cannot claim; a clerk neither.
        expect_forbidden(
            t.app
                .claim_receipt(&fx.bank, &a.receipt_id, &fx.case_id, NOW_MS)
                .await,
            "bank claims",
        );
        expect_forbidden(
            t.app
                .claim_receipt(&fx.f.clerk, &a.receipt_id, &fx.case_id, NOW_MS)
                .await,
            "clerk claims",
        );
        let funds = t
            .app
            .claim_receipt(&fx.f.command, &a.receipt_id, &fx.case_id, NOW_MS)
            .await
            .unwrap();
        assert_eq!((funds.balance_fen, funds.received_fen), (250_000, 250_000));
        assert_eq!(funds.entries.last().map(|e| e.kind.as_str()), Some("claim"));
        let (code, ..) = expect_conflict(
            t.app
                .claim_receipt(&fx.f.command, &a.receipt_id, &other.case.id, NOW_MS)
                .await,
            "second claim",
        );
        assert_eq!(code, "receipt_not_unidentified");
        assert!(
            t.app
                .unidentified_receipts(&fx.f.command)
                .await
                .unwrap()
                .is_empty()
        );
        assert_ledger_ok(&t.app, "claimed").await;
        t.cleanup().await;
    }
}

#[tokio::test]
async fn bad_receipts_are_refused_naming_the_field_and_book_nothing() {
    for t in backends().await {
        let fx = setup(&t.app).await;
        let ok = receipt("b", &fx.account, 100);
        let cases: Vec<(ReceiptInput, &str, &str)> = vec![
            (
                ReceiptInput {
                    amount_fen: -5,
                    ..ok.clone()
                },
                "amount_fen",
                "amount_not_positive",
            ),
            (
                ReceiptInput {
                    amount_fen: 0,
                    ..ok.clone()
                },
                "amount_fen",
                "amount_not_positive",
            ),
            (
                ReceiptInput {
                    amount_fen: i64::MAX,
                    ..ok.clone()
                },
                "amount_fen",
                "amount_too_large",
            ),
            (
                ReceiptInput {
                    received_at: "2024-09-27".into(),
                    ..ok.clone()
                },
                "received_at",
                "datetime_format",
            ),
            (
                ReceiptInput {
                    received_at: "2024-13-01T00:00:00Z".into(),
                    ..ok.clone()
                },
                "received_at",
                "datetime_format",
            ),
            (
                ReceiptInput {
                    received_at: "2030-01-01T00:00:00Z".into(),
                    ..ok.clone()
                },
                "received_at",
                "received_at_future",
            ),
            (
                ReceiptInput {
                    idempotency_key: " ".into(),
                    ..ok.clone()
                },
                "idempotency_key",
                "required",
            ),
            (
                ReceiptInput {
                    payer_name: String::new(),
                    ..ok.clone()
                },
                "payer_name",
                "required",
            ),
            (
                ReceiptInput {
                    bank_reference: "x".repeat(101),
                    ..ok.clone()
                },
                "bank_reference",
                "too_long",
            ),
        ];
        for (input, field, code) in cases {
            let e = expect_invalid(t.app.post_receipt(&fx.bank, &input, NOW_MS).await, field);
            assert_eq!((e.field.as_str(), e.code), (field, code));
        }
        assert_eq!(rows(t.db(), "fund_receipts").await, 0);
        assert_eq!(rows(t.db(), "fund_entries").await, 0);
        // Only the bank posts receipts.
        for who in [&fx.f.command, &fx.f.director, &fx.f.judges[0], &fx.f.admin] {
            expect_forbidden(t.app.post_receipt(who, &ok, NOW_MS).await, "staff posts");
        }
        // The bank sees no case data.
        expect_forbidden(t.app.case_funds(&fx.bank, &fx.case_id).await, "bank reads");
        t.cleanup().await;
    }
}

#[tokio::test]
async fn case_funds_follow_case_scope() {
    for t in backends().await {
        let fx = setup(&t.app).await;
        // Another court's command center cannot see the case: 404, not 403.
        let g = seed_court(&t.app, "川1102", "g").await;
        expect_not_found(
            t.app.case_funds(&g.command, &fx.case_id).await,
            "other court",
        );
        expect_not_found(t.app.case_funds(&fx.f.command, "nope").await, "missing");
        // A judge of the other team cannot see it either; the handler's team can.
        let case = t
            .app
            .case_detail(&fx.f.command, &fx.case_id)
            .await
            .unwrap()
            .case;
        let outsider = if case.team_id.as_deref() == Some(fx.f.fast_team.as_str()) {
            &fx.f.judges[2]
        } else {
            &fx.f.judges[0]
        };
        expect_not_found(t.app.case_funds(outsider, &fx.case_id).await, "other team");
        t.cleanup().await;
    }
}

fn line(kind: &str, amount: i64) -> DisbursementLineInput {
    DisbursementLineInput {
        kind: kind.into(),
        payee_name: "张三".into(),
        payee_account: "6222020000000000002".into(),
        amount_fen: amount,
        measure_id: None,
    }
}

fn fine_line(measure: &str, amount: i64) -> DisbursementLineInput {
    DisbursementLineInput {
        measure_id: Some(measure.into()),
        ..line("fine", amount)
    }
}

/// An effective fine of `amount_fen` on the case's debtor (proposed, approved by the president).
async fn effective_fine(app: &App, fx: &Fx, amount_fen: i64) -> String {
    let party = zhixing_testkit::debtor_id(
        app,
        &app.case_detail(handler(fx), &fx.case_id)
            .await
            .unwrap()
            .case,
    )
    .await;
    let m = app
        .propose_measure(
            handler(fx),
            &fx.case_id,
            &zhixing_app::measures::MeasureInput {
                kind: "fine".into(),
                party_id: Some(party),
                amount_fen: Some(amount_fen),
                reason: "拒不报告财产".into(),
                ..Default::default()
            },
            NOW_MS,
        )
        .await
        .unwrap();
    app.decide_measure(&fx.f.president, &m.id, true, "", NOW_MS)
        .await
        .unwrap();
    m.id
}

async fn balance(app: &App, acc: &zhixing_domain::funds::Account) -> i64 {
    let mut conn = app.db.conn().await.unwrap();
    acc.normal_balance(
        zhixing_store::funds::raw_balance(&mut conn, COURT, acc)
            .await
            .unwrap(),
    )
}

/// A fine line names its fine decision: never paid beyond the fine, never for another kind of
/// measure. When the higher court revokes the fine, or lowers it, on 复议 (CPLI art 185) after it
/// was paid, the excess leaves fine income for the case account — in the same transaction as the
/// decision — to be refunded to the payer, and the ledger still balances.
#[tokio::test]
async fn a_paid_fine_revoked_or_lowered_on_review_goes_back_to_the_case_account() {
    use zhixing_app::measures::MeasureInput;
    use zhixing_app::reviews::{ReviewInput, ReviewTerms};
    use zhixing_domain::funds::Account;
    for t in backends().await {
        let app = &t.app;
        let fx = setup(app).await;
        let higher = seed_court(app, "川11", "h").await;
        app.post_receipt(&fx.bank, &receipt("fine1", &fx.account, 15_000_000), NOW_MS)
            .await
            .unwrap();
        let party = zhixing_testkit::debtor_id(
            app,
            &app.case_detail(handler(&fx), &fx.case_id)
                .await
                .unwrap()
                .case,
        )
        .await;
        let mut fines = Vec::new();
        for (kind, amount) in [("fine", 6_000_000), ("fine", 8_000_000), ("summons", 0)] {
            let m = app
                .propose_measure(
                    handler(&fx),
                    &fx.case_id,
                    &MeasureInput {
                        kind: kind.into(),
                        // 拘传 of an entity is of a natural person, its legal representative.
                        party_id: (kind == "fine").then(|| party.clone()),
                        person_name: (kind == "summons").then(|| "王五".into()),
                        person_id_number: (kind == "summons").then(|| {
                            zhixing_testkit::person("王五", 9)
                                .id_number
                                .unwrap_or_default()
                        }),
                        amount_fen: (amount > 0).then_some(amount),
                        hours: (kind == "summons").then_some(8),
                        place: (kind == "summons").then(|| "2024-09-30 09:00 本院执行局".into()),
                        summoned_for: (kind == "summons").then(|| "2024-09-26".into()),
                        reason: "拒不报告财产".into(),
                        ..Default::default()
                    },
                    NOW_MS,
                )
                .await
                .unwrap();
            app.decide_measure(&fx.f.president, &m.id, true, "", NOW_MS)
                .await
                .unwrap();
            fines.push(m.id);
        }
        let (a, b, summons) = (&fines[0], &fines[1], &fines[2]);
        // The wrong links are refused, naming the line's field.
        let e = expect_invalid(
            app.propose_disbursement(
                handler(&fx),
                &fx.case_id,
                &[fine_line(summons, 100)],
                NOW_MS,
            )
            .await,
            "not a fine",
        );
        assert_eq!(
            (e.code, e.field.as_str()),
            ("not_a_fine", "lines[0].measure_id")
        );
        let e = expect_invalid(
            app.propose_disbursement(handler(&fx), &fx.case_id, &[line("fine", 100)], NOW_MS)
                .await,
            "fine line without a decision",
        );
        assert_eq!(
            (e.code, e.field.as_str()),
            ("fine_needs_decision", "lines[0].measure_id")
        );
        let e = expect_invalid(
            app.propose_disbursement(
                handler(&fx),
                &fx.case_id,
                &[DisbursementLineInput {
                    measure_id: Some(a.clone()),
                    ..line("applicant", 100)
                }],
                NOW_MS,
            )
            .await,
            "applicant line",
        );
        assert_eq!(e.code, "measure_line");
        let e = expect_invalid(
            app.propose_disbursement(handler(&fx), &fx.case_id, &[fine_line("nope", 100)], NOW_MS)
                .await,
            "unknown",
        );
        assert_eq!(e.code, "unknown_measure");
        // 60,000 元 paid in two lines of one disbursement plus one more fen is over the fine.
        let (code, field, _) = expect_conflict(
            app.propose_disbursement(
                handler(&fx),
                &fx.case_id,
                &[fine_line(a, 4_000_000), fine_line(a, 2_000_001)],
                NOW_MS,
            )
            .await,
            "overpaid",
        );
        assert_eq!(
            (code, field.as_deref()),
            ("fine_overpaid", Some("lines[1].measure_id"))
        );
        // Fine A paid in full (60,000 元), fine B in part (70,000 of 80,000 元); fine-only, so paid
        // at once.
        for lines in [vec![fine_line(a, 6_000_000)], vec![fine_line(b, 7_000_000)]] {
            let d = app
                .propose_disbursement(handler(&fx), &fx.case_id, &lines, NOW_MS)
                .await
                .unwrap();
            let d = app
                .decide_disbursement(&fx.f.director, &d.row.id, true, "", NOW_MS)
                .await
                .unwrap();
            assert_eq!(d.row.status, "paid");
            assert_eq!(
                d.lines[0].measure_id.as_deref(),
                Some(lines[0].measure_id.as_deref().unwrap())
            );
        }
        // A proposal beyond what remains of fine A is refused.
        let (code, _, _) = expect_conflict(
            app.propose_disbursement(handler(&fx), &fx.case_id, &[fine_line(a, 1)], NOW_MS)
                .await,
            "A is paid",
        );
        assert_eq!(code, "fine_overpaid");
        let case_acc = Account::Case(fx.case_id.clone());
        assert_eq!(balance(app, &case_acc).await, 2_000_000);
        assert_eq!(balance(app, &Account::FineIncome).await, 13_000_000);
        let fx = &fx;
        let review = |m: String| async move {
            app.apply_review(
                handler(fx),
                &m,
                &ReviewInput {
                    applicant: "某某建材有限公司".into(),
                    received_on: "2024-09-27".into(),
                    applied_on: "2024-09-27".into(),
                    reason: "罚款过重".into(),
                },
                NOW_MS,
            )
            .await
            .unwrap()
        };
        // A revoked: all 60,000 元 come back to the case account.
        let r = review(a.clone()).await;
        app.decide_review(
            &higher.president,
            &r.id,
            "revoked",
            "撤销",
            ReviewTerms::default(),
            NOW_MS,
        )
        .await
        .unwrap();
        assert_eq!(balance(app, &case_acc).await, 8_000_000);
        assert_eq!(balance(app, &Account::FineIncome).await, 7_000_000);
        // B lowered to 50,000 元 (an entity's least fine, CPL art 118) with 70,000 paid: 20,000
        // come back.
        // A payment of B proposed before its 复议 is decided …
        let pending = app
            .propose_disbursement(handler(fx), &fx.case_id, &[fine_line(b, 1_000_000)], NOW_MS)
            .await
            .unwrap();
        let r = review(b.clone()).await;
        app.decide_review(
            &higher.president,
            &r.id,
            "changed",
            "变更为五万元",
            ReviewTerms {
                amount_fen: Some(5_000_000),
                days: None,
            },
            NOW_MS,
        )
        .await
        .unwrap();
        assert_eq!(balance(app, &case_acc).await, 10_000_000);
        assert_eq!(balance(app, &Account::FineIncome).await, 5_000_000);
        // … cannot be approved after it: B is paid in full at its new amount. Nothing moves.
        let (code, _, msg) = expect_conflict(
            app.decide_disbursement(&fx.f.director, &pending.row.id, true, "", NOW_MS)
                .await,
            "approving a payment of a lowered fine",
        );
        assert_eq!(code, "fine_overpaid", "{msg}");
        assert_eq!(balance(app, &case_acc).await, 10_000_000);
        assert_eq!(balance(app, &Account::FineIncome).await, 5_000_000);
        // The case's history says so, the ledger balances, and B (paid 50,000 net) takes no more.
        let events = app.case_events(handler(fx), &fx.case_id).await.unwrap();
        assert!(
            events.iter().any(|e| e.note.contains("转回案款")),
            "{:?}",
            events.iter().map(|e| &e.note).collect::<Vec<_>>()
        );
        assert_ledger_ok(app, "after refunds").await;
        let (code, _, _) = expect_conflict(
            app.propose_disbursement(handler(fx), &fx.case_id, &[fine_line(b, 1)], NOW_MS)
                .await,
            "B is paid",
        );
        assert_eq!(code, "fine_overpaid");
        // The refund (60,000 + 20,000 元) goes out through the normal approval, as a refund line.
        let d = app
            .propose_disbursement(
                handler(fx),
                &fx.case_id,
                &[line("refund", 8_000_000)],
                NOW_MS,
            )
            .await
            .unwrap();
        app.decide_disbursement(&fx.f.director, &d.row.id, true, "", NOW_MS)
            .await
            .unwrap();
        assert_ledger_ok(app, "after the refund's approval").await;
        t.cleanup().await;
    }
}

#[tokio::test]
async fn disbursement_is_proposed_approved_and_paid() {
    for t in backends().await {
        let fx = setup(&t.app).await;
        t.app
            .post_receipt(&fx.bank, &receipt("d1", &fx.account, 1_000_000), NOW_MS)
            .await
            .unwrap();
        // Fee on a 100,000 元 claim: 50 + 90,000 × 1.5 % = 1,400 元.
        let fee =
            zhixing_domain::funds::enforcement_fee(zhixing_domain::money::Fen::new(10_000_000))
                .unwrap()
                .get();
        assert_eq!(fee, 140_000);
        let lines = vec![
            line("applicant", 1_000_000 - fee - 100),
            line("fee", fee),
            line("refund", 100),
        ];
        // More than the balance is refused at proposal.
        let (code, ..) = expect_conflict(
            t.app
                .propose_disbursement(
                    handler(&fx),
                    &fx.case_id,
                    &[line("applicant", 1_000_001)],
                    NOW_MS,
                )
                .await,
            "too much",
        );
        assert_eq!(code, "insufficient_funds");
        let bad = expect_invalid(
            t.app
                .propose_disbursement(handler(&fx), &fx.case_id, &[line("gift", 1)], NOW_MS)
                .await,
            "kind",
        );
        assert_eq!(bad.field, "lines[0].kind");
        let d = t
            .app
            .propose_disbursement(handler(&fx), &fx.case_id, &lines, NOW_MS)
            .await
            .unwrap();
        assert_eq!(
            (d.row.status.as_str(), d.row.total_fen),
            ("proposed", 1_000_000)
        );
        // Proposal moves no money.
        assert_eq!(
            t.app
                .case_funds(handler(&fx), &fx.case_id)
                .await
                .unwrap()
                .balance_fen,
            1_000_000
        );
        // Only the director/president approves; the bank cannot confirm before approval.
        expect_forbidden(
            t.app
                .decide_disbursement(&fx.f.judges[0], &d.row.id, true, "", NOW_MS)
                .await,
            "judge approves",
        );
        let (code, ..) = expect_conflict(
            t.app
                .confirm_payment(&fx.bank, &d.row.id, "PAY1", NOW_MS)
                .await,
            "confirm before approval",
        );
        assert_eq!(code, "disbursement_not_approved");
        let d = t
            .app
            .decide_disbursement(&fx.f.director, &d.row.id, true, "", NOW_MS)
            .await
            .unwrap();
        assert_eq!(d.row.status, "approved");
        let funds = t.app.case_funds(handler(&fx), &fx.case_id).await.unwrap();
        assert_eq!((funds.balance_fen, funds.disbursed_fen), (0, 1_000_000));
        // A second decision is refused.
        let (code, ..) = expect_conflict(
            t.app
                .decide_disbursement(&fx.f.president, &d.row.id, true, "", NOW_MS)
                .await,
            "twice",
        );
        assert_eq!(code, "disbursement_not_proposed");
        // Payment instructions list what the bank pays (applicant and refund, not the fee).
        let instr = t.app.payment_instructions(&fx.bank).await.unwrap();
        assert_eq!(instr.len(), 1);
        let kinds: Vec<&str> = instr[0].lines.iter().map(|l| l.kind.as_str()).collect();
        assert_eq!(kinds, ["applicant", "refund"]);
        let paid = t
            .app
            .confirm_payment(&fx.bank, &d.row.id, "PAY1", NOW_MS)
            .await
            .unwrap();
        assert_eq!(paid.row.status, "paid");
        // Replaying the confirmation answers the same and books nothing more.
        let txns = rows(t.db(), "fund_txns").await;
        let again = t
            .app
            .confirm_payment(&fx.bank, &d.row.id, "PAY1", NOW_MS)
            .await
            .unwrap();
        assert_eq!(again.row.paid_txn_id, paid.row.paid_txn_id);
        assert_eq!(rows(t.db(), "fund_txns").await, txns);
        // The deadline engine saw the arrival (30-day disbursement deadline, KW2017 art 10) and
        // the payment (it completed that deadline), once each despite the replay.
        let dl = t
            .app
            .case_deadlines(handler(&fx), &fx.case_id, NOW_MS)
            .await
            .unwrap();
        let disb: Vec<&str> = dl
            .iter()
            .filter(|x| x.row.rule_id == "disbursement_30d")
            .map(|x| x.status)
            .collect();
        assert!(
            !disb.is_empty() && disb.iter().all(|s| *s == "done"),
            "{disb:?}"
        );
        let paid_events = crate::common::count(
            t.db(),
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM case_events WHERE node = 'disbursement'",
        )
        .await;
        assert_eq!(paid_events, 1);
        let (code, ..) = expect_conflict(
            t.app
                .confirm_payment(&fx.bank, &d.row.id, "PAY2", NOW_MS)
                .await,
            "other reference",
        );
        assert_eq!(code, "disbursement_not_approved");
        assert!(
            t.app
                .payment_instructions(&fx.bank)
                .await
                .unwrap()
                .is_empty()
        );
        // The bank now holds only the fee (court income): 1,000,000 in, 999,…- paid out.
        let mut conn = t.db().conn().await.unwrap();
        let bank = zhixing_store::funds::raw_balance(
            &mut conn,
            COURT,
            &zhixing_domain::funds::Account::BankClearing,
        )
        .await
        .unwrap();
        let income = zhixing_store::funds::raw_balance(
            &mut conn,
            COURT,
            &zhixing_domain::funds::Account::FeeIncome,
        )
        .await
        .unwrap();
        drop(conn);
        assert_eq!((bank, income), (fee, -fee));
        assert_ledger_ok(&t.app, "paid").await;
        t.cleanup().await;
    }
}

#[tokio::test]
async fn income_only_disbursement_is_complete_when_approved() {
    for t in backends().await {
        let fx = setup(&t.app).await;
        t.app
            .post_receipt(&fx.bank, &receipt("inc", &fx.account, 9000), NOW_MS)
            .await
            .unwrap();
        // A fine line names its decision (CPL art 119); without one it is refused.
        let e = expect_invalid(
            t.app
                .propose_disbursement(
                    handler(&fx),
                    &fx.case_id,
                    &[line("fee", 5000), line("fine", 4000)],
                    NOW_MS,
                )
                .await,
            "fine line without its decision",
        );
        assert_eq!(
            (e.code, e.field.as_str()),
            ("fine_needs_decision", "lines[1].measure_id")
        );
        let fine = effective_fine(&t.app, &fx, 5_000_000).await;
        let d = t
            .app
            .propose_disbursement(
                handler(&fx),
                &fx.case_id,
                &[line("fee", 5000), fine_line(&fine, 4000)],
                NOW_MS,
            )
            .await
            .unwrap();
        let d = t
            .app
            .decide_disbursement(&fx.f.director, &d.row.id, true, "", NOW_MS)
            .await
            .unwrap();
        assert_eq!(d.row.status, "paid");
        assert!(
            t.app
                .payment_instructions(&fx.bank)
                .await
                .unwrap()
                .is_empty()
        );
        let mut conn = t.db().conn().await.unwrap();
        let fee = zhixing_store::funds::raw_balance(
            &mut conn,
            COURT,
            &zhixing_domain::funds::Account::FeeIncome,
        )
        .await
        .unwrap();
        let fine = zhixing_store::funds::raw_balance(
            &mut conn,
            COURT,
            &zhixing_domain::funds::Account::FineIncome,
        )
        .await
        .unwrap();
        drop(conn);
        assert_eq!((fee, fine), (-5000, -4000));
        assert_eq!(
            t.app
                .case_funds(handler(&fx), &fx.case_id)
                .await
                .unwrap()
                .balance_fen,
            0
        );
        assert_ledger_ok(&t.app, "income only").await;
        // Complete at approval: the deadline engine's disbursement deadline is done too.
        let dl = t
            .app
            .case_deadlines(handler(&fx), &fx.case_id, NOW_MS)
            .await
            .unwrap();
        let disb: Vec<&str> = dl
            .iter()
            .filter(|x| x.row.rule_id == "disbursement_30d")
            .map(|x| x.status)
            .collect();
        assert_eq!(disb, ["done"], "{:?}", t.backend);
        t.cleanup().await;
    }
}

#[tokio::test]
async fn refusal_stops_a_disbursement() {
    for t in backends().await {
        let fx = setup(&t.app).await;
        t.app
            .post_receipt(&fx.bank, &receipt("r1", &fx.account, 500), NOW_MS)
            .await
            .unwrap();
        let d = t
            .app
            .propose_disbursement(handler(&fx), &fx.case_id, &[line("applicant", 500)], NOW_MS)
            .await
            .unwrap();
        let e = expect_invalid(
            t.app
                .decide_disbursement(&fx.f.director, &d.row.id, false, " ", NOW_MS)
                .await,
            "refusal needs a reason",
        );
        assert_eq!(e.field, "reason");
        let d = t
            .app
            .decide_disbursement(
                &fx.f.director,
                &d.row.id,
                false,
                "申请人账户信息有误",
                NOW_MS,
            )
            .await
            .unwrap();
        assert_eq!(d.row.status, "refused");
        expect_conflict(
            t.app
                .decide_disbursement(&fx.f.director, &d.row.id, true, "", NOW_MS)
                .await,
            "approve after refusal",
        );
        expect_conflict(
            t.app
                .confirm_payment(&fx.bank, &d.row.id, "X", NOW_MS)
                .await,
            "pay refused",
        );
        let funds = t.app.case_funds(handler(&fx), &fx.case_id).await.unwrap();
        assert_eq!((funds.balance_fen, funds.disbursed_fen), (500, 0));
        assert_ledger_ok(&t.app, "refused").await;
        t.cleanup().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_disbursements_cannot_both_take_the_balance() {
    for t in backends().await {
        let fx = setup(&t.app).await;
        t.app
            .post_receipt(&fx.bank, &receipt("race", &fx.account, 10_000), NOW_MS)
            .await
            .unwrap();
        // Six proposals, each for 4,000 of the 10,000: at most two can be approved.
        let mut ids = Vec::new();
        for _ in 0..6 {
            ids.push(
                t.app
                    .propose_disbursement(
                        handler(&fx),
                        &fx.case_id,
                        &[line("applicant", 4000)],
                        NOW_MS,
                    )
                    .await
                    .unwrap()
                    .row
                    .id,
            );
        }
        let handles: Vec<_> = ids
            .into_iter()
            .map(|id| {
                let app = t.app.clone();
                let director = fx.f.director.clone();
                tokio::spawn(async move {
                    app.decide_disbursement(&director, &id, true, "", NOW_MS)
                        .await
                })
            })
            .collect();
        let (mut ok, mut insufficient) = (0, 0);
        for h in handles {
            match h.await.unwrap() {
                Ok(d) => {
                    assert_eq!(d.row.status, "approved");
                    ok += 1;
                }
                Err(AppError::Conflict {
                    code: "insufficient_funds",
                    ..
                }) => insufficient += 1,
                Err(e) => panic!("{:?}: {e:?}", t.backend),
            }
        }
        assert_eq!((ok, insufficient), (2, 4), "{:?}", t.backend);
        let funds = t.app.case_funds(handler(&fx), &fx.case_id).await.unwrap();
        assert_eq!((funds.balance_fen, funds.disbursed_fen), (2000, 8000));
        assert_ledger_ok(&t.app, "race").await;
        t.cleanup().await;
    }
}

#[tokio::test]
async fn overdue_query_finds_money_held_past_its_deadline() {
    for t in backends().await {
        let fx = setup(&t.app).await;
        // Arrived 2024-08-01 (due 08-31 → Sat → Mon 09-02) and 2024-09-20 (due 10-20 → Sun → Mon 10-21).
        let mut early = receipt("o1", &fx.account, 3000);
        early.received_at = "2024-08-01T10:00:00+08:00".into();
        let mut late = receipt("o2", &fx.account, 2000);
        late.received_at = "2024-09-20T10:00:00+08:00".into();
        t.app.post_receipt(&fx.bank, &early, NOW_MS).await.unwrap();
        t.app.post_receipt(&fx.bank, &late, NOW_MS).await.unwrap();
        let today = NaiveDate::from_ymd_opt(2024, 9, 27).unwrap();
        let over = t
            .app
            .overdue_disbursements(&fx.f.command, today)
            .await
            .unwrap();
        assert_eq!(over.len(), 1, "{over:?}");
        assert_eq!(
            (
                over[0].arrived_on.as_str(),
                over[0].disburse_by.as_str(),
                over[0].undisbursed_fen
            ),
            ("2024-08-01", "2024-09-02", 3000)
        );
        // Disbursing 3,500 pays the oldest money first: nothing of the early arrival is left.
        let d = t
            .app
            .propose_disbursement(
                handler(&fx),
                &fx.case_id,
                &[line("applicant", 3500)],
                NOW_MS,
            )
            .await
            .unwrap();
        t.app
            .decide_disbursement(&fx.f.director, &d.row.id, true, "", NOW_MS)
            .await
            .unwrap();
        assert!(
            t.app
                .overdue_disbursements(&fx.f.command, today)
                .await
                .unwrap()
                .is_empty()
        );
        // After 10-21 the rest of the later arrival is overdue.
        let later = NaiveDate::from_ymd_opt(2024, 10, 22).unwrap();
        let over = t
            .app
            .overdue_disbursements(&fx.f.command, later)
            .await
            .unwrap();
        assert_eq!(
            over.iter().map(|o| o.undisbursed_fen).collect::<Vec<_>>(),
            vec![1500]
        );
        t.cleanup().await;
    }
}

/// The journal is append-only: no code in the store or app updates or deletes its rows.
#[test]
fn journal_tables_are_never_updated_or_deleted() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut hits = Vec::new();
    for f in ["zhixing-store/src/funds.rs", "zhixing-app/src/funds.rs"] {
        let text = std::fs::read_to_string(root.join(f)).unwrap();
        assert!(
            text.contains("INSERT INTO fund_entries") || f.contains("app"),
            "{f}"
        );
        let flat = text.replace(char::is_whitespace, " ");
        for bad in [
            "UPDATE fund_entries",
            "DELETE FROM fund_entries",
            "UPDATE fund_txns",
            "DELETE FROM fund_txns",
        ] {
            if flat.contains(bad) {
                hits.push(format!("{f}: {bad}"));
            }
        }
    }
    assert!(hits.is_empty(), "{hits:?}");
}

#[tokio::test]
async fn deferral_needs_a_reason_and_the_directors_approval() {
    for t in backends().await {
        let fx = setup(&t.app).await;
        let mut early = receipt("df", &fx.account, 3000);
        early.received_at = "2024-08-01T10:00:00+08:00".into();
        t.app.post_receipt(&fx.bank, &early, NOW_MS).await.unwrap();
        let today = NaiveDate::from_ymd_opt(2024, 9, 27).unwrap();
        assert_eq!(
            t.app
                .overdue_disbursements(&fx.f.command, today)
                .await
                .unwrap()
                .len(),
            1
        );
        let e = expect_invalid(
            t.app
                .request_deferral(handler(&fx), &fx.case_id, "", "2024-10-31", NOW_MS)
                .await,
            "no reason",
        );
        assert_eq!(e.field, "reason");
        let e = expect_invalid(
            t.app
                .request_deferral(handler(&fx), &fx.case_id, "参与分配", "2024-09-01", NOW_MS)
                .await,
            "past date",
        );
        assert_eq!(e.field, "new_disburse_by");
        let d = t
            .app
            .request_deferral(
                handler(&fx),
                &fx.case_id,
                "需要参与分配，分配方案未确定",
                "2024-10-31",
                NOW_MS,
            )
            .await
            .unwrap();
        // A request changes nothing; a judge cannot approve it.
        assert_eq!(
            t.app
                .overdue_disbursements(&fx.f.command, today)
                .await
                .unwrap()
                .len(),
            1
        );
        expect_forbidden(
            t.app
                .decide_deferral(&fx.f.judges[0], &d.id, true, NOW_MS)
                .await,
            "judge",
        );
        let d = t
            .app
            .decide_deferral(&fx.f.director, &d.id, true, NOW_MS)
            .await
            .unwrap();
        assert_eq!(d.status, "approved");
        assert!(
            t.app
                .overdue_disbursements(&fx.f.command, today)
                .await
                .unwrap()
                .is_empty()
        );
        // The deadline engine's disbursement deadline moved with it, records why, and keeps the
        // date through a recomputation.
        let term = |v: &[zhixing_app::deadlines::DeadlineView]| {
            v.iter()
                .filter(|x| x.row.node == "disbursement" && x.status != "done")
                .map(|x| x.row.due_on.clone())
                .collect::<Vec<_>>()
        };
        let dl = t
            .app
            .case_deadlines(&fx.f.command, &fx.case_id, NOW_MS)
            .await
            .unwrap();
        assert_eq!(term(&dl), ["2024-10-31"], "{:?}", t.backend);
        assert!(
            dl.iter()
                .any(|x| x.row.derivation.contains("\"deferred_to\":\"2024-10-31\""))
        );
        let sys = crate::common::system(&t.app, COURT).await;
        t.app.recompute_court(&sys, COURT, NOW_MS).await.unwrap();
        let dl = t
            .app
            .case_deadlines(&fx.f.command, &fx.case_id, NOW_MS)
            .await
            .unwrap();
        assert_eq!(term(&dl), ["2024-10-31"]);
        expect_conflict(
            t.app
                .decide_deferral(&fx.f.director, &d.id, false, NOW_MS)
                .await,
            "twice",
        );
        // A refused request leaves the deadline alone.
        let d2 = t
            .app
            .request_deferral(handler(&fx), &fx.case_id, "再延", "2024-12-31", NOW_MS)
            .await
            .unwrap();
        t.app
            .decide_deferral(&fx.f.director, &d2.id, false, NOW_MS)
            .await
            .unwrap();
        let nov = NaiveDate::from_ymd_opt(2024, 11, 1).unwrap();
        assert_eq!(
            t.app
                .overdue_disbursements(&fx.f.command, nov)
                .await
                .unwrap()
                .len(),
            1
        );
        t.cleanup().await;
    }
}

#[tokio::test]
async fn corrections_are_reversals_never_edits() {
    for t in backends().await {
        let fx = setup(&t.app).await;
        t.app
            .post_receipt(&fx.bank, &receipt("rv1", &fx.account, 900), NOW_MS)
            .await
            .unwrap();
        let (unknown, _) = t
            .app
            .post_receipt(&fx.bank, &receipt("rv2", "?", 400), NOW_MS)
            .await
            .unwrap();
        t.app
            .claim_receipt(&fx.f.command, &unknown.receipt_id, &fx.case_id, NOW_MS)
            .await
            .unwrap();
        let f = t.app.case_funds(&fx.f.command, &fx.case_id).await.unwrap();
        let txn_of = |kind: &str| {
            f.entries
                .iter()
                .find(|e| e.kind == kind)
                .unwrap()
                .txn_id
                .clone()
        };
        let receipt_txn = txn_of("receipt");
        let claim_txn = txn_of("claim");
        let entries_before = rows(t.db(), "fund_entries").await;
        // Only the director corrects; a reason is required.
        expect_forbidden(
            t.app
                .reverse(&fx.f.command, &receipt_txn, "错账", NOW_MS)
                .await,
            "command",
        );
        expect_invalid(
            t.app
                .reverse(&fx.f.director, &receipt_txn, "", NOW_MS)
                .await,
            "no reason",
        );
        // Reversing the claim sends the 400 back to unidentified funds.
        t.app
            .reverse(&fx.f.director, &claim_txn, "认领错案", NOW_MS)
            .await
            .unwrap();
        let f = t.app.case_funds(&fx.f.command, &fx.case_id).await.unwrap();
        assert_eq!((f.balance_fen, f.received_fen), (900, 900));
        assert_eq!(
            t.app
                .unidentified_receipts(&fx.f.command)
                .await
                .unwrap()
                .len(),
            1
        );
        // Reversing the receipt takes the 900 out; a second reversal is refused.
        t.app
            .reverse(&fx.f.director, &receipt_txn, "银行退回错账", NOW_MS)
            .await
            .unwrap();
        let (code, ..) = expect_conflict(
            t.app
                .reverse(&fx.f.director, &receipt_txn, "again", NOW_MS)
                .await,
            "twice",
        );
        assert_eq!(code, "already_reversed");
        let f = t.app.case_funds(&fx.f.command, &fx.case_id).await.unwrap();
        assert_eq!((f.balance_fen, f.received_fen), (0, 0));
        // Nothing was edited: the old lines are all still there, plus the reversals' lines.
        assert_eq!(rows(t.db(), "fund_entries").await, entries_before + 4);
        assert_ledger_ok(&t.app, "reversals").await;
        t.cleanup().await;
    }
}

#[tokio::test]
async fn a_disbursed_receipt_cannot_be_reversed() {
    for t in backends().await {
        let fx = setup(&t.app).await;
        t.app
            .post_receipt(&fx.bank, &receipt("x1", &fx.account, 500), NOW_MS)
            .await
            .unwrap();
        let d = t
            .app
            .propose_disbursement(handler(&fx), &fx.case_id, &[line("applicant", 500)], NOW_MS)
            .await
            .unwrap();
        t.app
            .decide_disbursement(&fx.f.director, &d.row.id, true, "", NOW_MS)
            .await
            .unwrap();
        let f = t.app.case_funds(&fx.f.command, &fx.case_id).await.unwrap();
        let receipt_txn = f
            .entries
            .iter()
            .find(|e| e.kind == "receipt")
            .unwrap()
            .txn_id
            .clone();
        let disb_txn = f
            .entries
            .iter()
            .find(|e| e.kind == "disbursement")
            .unwrap()
            .txn_id
            .clone();
        let (code, ..) = expect_conflict(
            t.app
                .reverse(&fx.f.director, &receipt_txn, "错账", NOW_MS)
                .await,
            "disbursed",
        );
        assert_eq!(code, "insufficient_funds");
        let e = expect_invalid(
            t.app.reverse(&fx.f.director, &disb_txn, "x", NOW_MS).await,
            "disb",
        );
        assert_eq!(e.code, "not_reversible");
        assert_ledger_ok(&t.app, "refused reversal").await;
        t.cleanup().await;
    }
}

#[tokio::test]
async fn claim_period_is_configurable_per_court() {
    for t in backends().await {
        let fx = setup(&t.app).await;
        // Only the court admin sets it, within 1–30 days.
        expect_forbidden(
            t.app.set_claim_days(&fx.f.command, 5, NOW_MS).await,
            "command",
        );
        let e = expect_invalid(t.app.set_claim_days(&fx.f.admin, 0, NOW_MS).await, "zero");
        assert_eq!(e.field, "claim_days");
        t.app.set_claim_days(&fx.f.admin, 10, NOW_MS).await.unwrap();
        let (a, _) = t
            .app
            .post_receipt(&fx.bank, &receipt("cd", "nothing", 1), NOW_MS)
            .await
            .unwrap();
        // 09-27 + 10 = 10-07, inside the National Day holiday → 10-08.
        assert_eq!(a.claim_by.as_deref(), Some("2024-10-08"));
        t.cleanup().await;
    }
}

/// xorshift64*: a deterministic schedule for the randomised ledger test.
struct Rng(u64);
impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n.max(1)
    }
}

/// Random sequences of receipts, replays, claims, disbursements (approved, refused, paid), reversals
/// and refunds through the use cases keep every invariant after every step, on both databases: the
/// stored balances equal the journal and sum to zero, nothing held is negative, every receipt key is
/// booked once, and the case balance equals what the model expects.
#[tokio::test]
async fn random_sequences_keep_the_ledger_consistent() {
    for t in backends().await {
        let fx = setup(&t.app).await;
        for seed in [7u64, 1234, 987_654_321] {
            let mut rng = Rng(seed);
            let mut keys: Vec<ReceiptInput> = Vec::new();
            let mut held: i64 = t
                .app
                .case_funds(handler(&fx), &fx.case_id)
                .await
                .unwrap()
                .balance_fen;
            let mut unclaimed: Vec<(String, i64)> = Vec::new();
            let mut proposed: Vec<(String, i64)> = Vec::new();
            let mut approved: Vec<String> = Vec::new();
            let mut receipt_txns: Vec<(String, i64)> = Vec::new();
            for step in 0..60 {
                match rng.below(7) {
                    0 | 1 => {
                        let to_case = rng.below(3) != 0;
                        let amount = 1 + i64::try_from(rng.below(100_000)).unwrap();
                        let r = receipt(
                            &format!("s{seed}-{step}"),
                            if to_case { &fx.account } else { "none" },
                            amount,
                        );
                        let (a, replayed) = t.app.post_receipt(&fx.bank, &r, NOW_MS).await.unwrap();
                        assert!(!replayed);
                        if to_case {
                            held += amount;
                        } else {
                            unclaimed.push((a.receipt_id, amount));
                        }
                        keys.push(r);
                    }
                    2 => {
                        // Replay an earlier receipt: same answer, nothing booked.
                        if let Some(r) = keys.get(
                            usize::try_from(rng.below(u64::try_from(keys.len()).unwrap()))
                                .unwrap_or(0),
                        ) {
                            assert!(t.app.post_receipt(&fx.bank, r, NOW_MS).await.unwrap().1);
                        }
                    }
                    3 => {
                        if let Some((id, amount)) = unclaimed.pop() {
                            t.app
                                .claim_receipt(&fx.f.command, &id, &fx.case_id, NOW_MS)
                                .await
                                .unwrap();
                            held += amount;
                        }
                    }
                    4 => {
                        let amount = 1 + i64::try_from(rng.below(60_000)).unwrap();
                        let kind = if rng.below(4) == 0 {
                            "refund"
                        } else {
                            "applicant"
                        };
                        match t
                            .app
                            .propose_disbursement(
                                handler(&fx),
                                &fx.case_id,
                                &[line(kind, amount)],
                                NOW_MS,
                            )
                            .await
                        {
                            Ok(d) => proposed.push((d.row.id, amount)),
                            Err(AppError::Conflict {
                                code: "insufficient_funds",
                                ..
                            }) => assert!(amount > held),
                            Err(e) => panic!("{e:?}"),
                        }
                    }
                    5 => {
                        if let Some((id, amount)) = proposed.pop() {
                            let approve = rng.below(4) != 0;
                            match t
                                .app
                                .decide_disbursement(
                                    &fx.f.director,
                                    &id,
                                    approve,
                                    "不符合发放条件",
                                    NOW_MS,
                                )
                                .await
                            {
                                Ok(d) if approve => {
                                    assert_eq!(d.row.status, "approved");
                                    held -= amount;
                                    approved.push(id);
                                }
                                Ok(d) => assert_eq!(d.row.status, "refused"),
                                Err(AppError::Conflict {
                                    code: "insufficient_funds",
                                    ..
                                }) => assert!(amount > held),
                                Err(e) => panic!("{e:?}"),
                            }
                        }
                    }
                    _ => {
                        if rng.below(2) == 0 {
                            if let Some(id) = approved.pop() {
                                t.app
                                    .confirm_payment(&fx.bank, &id, &format!("PAY-{id}"), NOW_MS)
                                    .await
                                    .unwrap();
                            }
                        } else {
                            // Reverse the newest receipt to the case, if its money is still there.
                            let f = t.app.case_funds(handler(&fx), &fx.case_id).await.unwrap();
                            for e in f
                                .entries
                                .iter()
                                .filter(|e| e.kind == "receipt" && e.amount_fen > 0)
                            {
                                if !receipt_txns.iter().any(|(id, _)| *id == e.txn_id) {
                                    receipt_txns.push((e.txn_id.clone(), e.amount_fen));
                                }
                            }
                            if let Some((txn, amount)) = receipt_txns.pop() {
                                match t
                                    .app
                                    .reverse(&fx.f.director, &txn, "银行退回", NOW_MS)
                                    .await
                                {
                                    Ok(_) => held -= amount,
                                    Err(AppError::Conflict { code, .. }) => {
                                        assert!(
                                            code == "already_reversed"
                                                || (code == "insufficient_funds" && amount > held),
                                            "{code}"
                                        );
                                    }
                                    Err(e) => panic!("{e:?}"),
                                }
                            }
                        }
                    }
                }
                let f = t.app.case_funds(handler(&fx), &fx.case_id).await.unwrap();
                assert_eq!(
                    f.balance_fen, held,
                    "{:?} seed {seed} step {step}",
                    t.backend
                );
                assert!(f.balance_fen >= 0);
                assert_ledger_ok(&t.app, &format!("seed {seed} step {step}")).await;
            }
            let n = crate::common::count(
                t.db(),
                &format!("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM fund_receipts WHERE idempotency_key LIKE 's{seed}-%'"),
            )
            .await;
            assert_eq!(n, i64::try_from(keys.len()).unwrap());
        }
        t.cleanup().await;
    }
}

/// 10:00 Beijing time on a date.
fn at_day(date: &str) -> i64 {
    zhixing_domain::time::china_midnight_ms(NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap())
        + 10 * 3_600_000
}

#[tokio::test]
async fn unclaimed_money_warns_the_command_center_on_the_last_day_and_after() {
    for t in backends().await {
        let fx = setup(&t.app).await;
        // Two unidentified receipts (claim period ends Monday 09-30); one is claimed in time.
        let (a, _) = t
            .app
            .post_receipt(&fx.bank, &receipt("w1", "12345", 70_000), NOW_MS)
            .await
            .unwrap();
        let (b, _) = t
            .app
            .post_receipt(&fx.bank, &receipt("w2", "12346", 80_000), NOW_MS)
            .await
            .unwrap();
        assert_eq!(a.claim_by.as_deref(), Some("2024-09-30"));
        t.app
            .claim_receipt(&fx.f.command, &b.receipt_id, &fx.case_id, NOW_MS)
            .await
            .unwrap();
        let warnings = |app: App| async move {
            app.notifications(&fx_command(&app).await, 50)
                .await
                .unwrap()
                .into_iter()
                .filter(|n| n.source_kind == "funds.unidentified")
                .map(|n| (n.source_id, n.level.unwrap_or_default()))
                .collect::<Vec<_>>()
        };
        // Nothing before the last day; yellow on it; red the day after; then nothing more.
        t.app.run_due(at_day("2024-09-29"), 10).await.unwrap();
        assert!(warnings(t.app.clone()).await.is_empty(), "{:?}", t.backend);
        t.app.run_due(at_day("2024-09-30"), 10).await.unwrap();
        assert_eq!(
            warnings(t.app.clone()).await,
            [(a.receipt_id.clone(), "yellow".to_owned())]
        );
        t.app.run_due(at_day("2024-10-01"), 10).await.unwrap();
        t.app.run_due(at_day("2024-10-02"), 10).await.unwrap();
        let mut got = warnings(t.app.clone()).await;
        got.sort_by(|x, y| x.1.cmp(&y.1));
        assert_eq!(
            got,
            [
                (a.receipt_id.clone(), "red".to_owned()),
                (a.receipt_id.clone(), "yellow".to_owned())
            ]
        );
        t.cleanup().await;
    }
}

/// The command-center user seeded by `setup` (username prefix "f").
async fn fx_command(app: &App) -> Actor {
    let mut conn = app.db.conn().await.unwrap();
    let u = zhixing_store::users::find_user_by_username(&mut conn, "fcommand")
        .await
        .unwrap()
        .unwrap();
    drop(conn);
    app.actor_for(&u).await.unwrap()
}
