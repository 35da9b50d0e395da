//! The funds API contract: receipts (exact field names, idempotency, 409, 422 naming the field),
//! the case funds view, claims, and the disbursement flow over HTTP — on both databases.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};
use zhixing_app::admin::NewUser;
use zhixing_app::funds::account_number_of;
use zhixing_testkit::{NOW_MS, PASSWORD, backends};

use crate::common::{TestApp, filing_body};

/// A bank user's token, and a filed case (id, account number).
pub async fn setup(app: &TestApp) -> (String, String, String) {
    let sys = zhixing_app::Actor::system("川1123", "最高法/川/川11/川1123");
    app.db
        .app
        .add_user(
            &sys,
            NewUser {
                court: "川1123".into(),
                role: "bank".into(),
                username: "wbank".into(),
                name: "某银行".into(),
                team: None,
                password: PASSWORD.into(),
            },
            NOW_MS,
        )
        .await
        .unwrap();
    let bank = app
        .db
        .app
        .issue_token("wbank", "bank", NOW_MS)
        .await
        .unwrap();
    let (s, v) = app
        .json(
            "POST",
            "/api/v1/cases",
            Some(&app.token("command")),
            Some(&filing_body(77, 1_000_000)),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let id = v["id"].as_str().unwrap().to_owned();
    let case = app
        .db
        .app
        .case_detail(&app.court.command, &id)
        .await
        .unwrap()
        .case;
    let account = account_number_of(&case).unwrap().as_str().to_owned();
    (bank, id, account)
}

pub(crate) fn receipt_body(key: &str, account: &str, amount: Value) -> Value {
    json!({
        "idempotency_key": key,
        "account_number": account,
        "amount_fen": amount,
        "payer_name": "李四",
        "payer_account": "6222020000000000001",
        "received_at": "2024-09-27T09:30:00+08:00",
        "bank_reference": format!("BR-{key}"),
    })
}

pub(crate) async fn post_receipt(
    app: &TestApp,
    token: &str,
    body: &str,
) -> (StatusCode, Option<String>, Value) {
    let req = Request::builder()
        .method("POST")
        .uri("/api/v1/funds/receipts")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_owned()))
        .unwrap();
    let (s, h, b) = app.call(req).await;
    let replayed = h
        .get("idempotent-replayed")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (
        s,
        replayed,
        serde_json::from_slice(&b).unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn receipt_contract_replay_and_case_funds() {
    for db in backends().await {
        let app = TestApp::new(db).await;
        let (bank, case_id, account) = setup(&app).await;
        let body = receipt_body("k-1", &account, json!(150_000)).to_string();
        let (s, replayed, first) = post_receipt(&app, &bank, &body).await;
        assert_eq!(s, StatusCode::CREATED, "{first}");
        assert_eq!(replayed.as_deref(), Some("false"));
        assert_eq!(first["status"], "booked");
        assert_eq!(first["case_id"], case_id.as_str());
        assert_eq!(first["disburse_by"], "2024-10-28");
        // Replay: same status and body, marked as a replay.
        let (s, replayed, again) = post_receipt(&app, &bank, &body).await;
        assert_eq!(
            (s, replayed.as_deref()),
            (StatusCode::CREATED, Some("true"))
        );
        assert_eq!(again, first);
        // Same key, other content: 409 naming the key.
        let other = receipt_body("k-1", &account, json!(150_001)).to_string();
        let (s, _, e) = post_receipt(&app, &bank, &other).await;
        assert_eq!(s, StatusCode::CONFLICT, "{e}");
        assert_eq!(e["error"]["code"], "idempotency_key_reused");
        assert_eq!(e["error"]["field"], "idempotency_key");
        // The case's funds, with the exact field names of the contract.
        let (s, f) = app
            .json(
                "GET",
                &format!("/api/v1/cases/{case_id}/funds"),
                Some(&app.token("command")),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{f}");
        let keys: Vec<&str> = f.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "account_number",
                "balance_fen",
                "disbursed_fen",
                "entries",
                "received_fen"
            ]
        );
        assert_eq!(f["account_number"], account.as_str());
        assert_eq!(
            (f["balance_fen"].as_i64(), f["received_fen"].as_i64()),
            (Some(150_000), Some(150_000))
        );
        assert_eq!(f["entries"].as_array().unwrap().len(), 1);
        assert_eq!(f["entries"][0]["amount_fen"], 150_000);
        // Scope: the bank sees no case data; an unknown case is 404.
        let (s, _) = app
            .json(
                "GET",
                &format!("/api/v1/cases/{case_id}/funds"),
                Some(&bank),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, _) = app
            .json(
                "GET",
                "/api/v1/cases/nope/funds",
                Some(&app.token("command")),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        // Staff cannot post receipts; no token is 401.
        let (s, _, _) = post_receipt(&app, &app.token("command"), &body).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, _) = app
            .json("POST", "/api/v1/funds/receipts", None, Some(&body))
            .await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        // The OpenAPI document lists the funds routes.
        let (_, doc) = app.json("GET", "/api/v1/openapi.json", None, None).await;
        for path in [
            "/api/v1/funds/receipts",
            "/api/v1/cases/{id}/funds",
            "/api/v1/funds/statements",
        ] {
            assert!(
                doc["paths"].get(path).is_some(),
                "{path} missing from OpenAPI"
            );
        }
        app.db.cleanup().await;
    }
}

async fn post_statement(
    app: &TestApp,
    token: &str,
    ctype: &str,
    body: &str,
) -> (StatusCode, Value) {
    let req = Request::builder()
        .method("POST")
        .uri("/api/v1/funds/statements")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, ctype)
        .body(Body::from(body.to_owned()))
        .unwrap();
    let (s, _, b) = app.call(req).await;
    (s, serde_json::from_slice(&b).unwrap_or(Value::Null))
}

#[tokio::test]
async fn statement_upload_books_all_or_nothing() {
    for db in backends().await {
        let app = TestApp::new(db).await;
        let (bank, case_id, account) = setup(&app).await;
        let header =
            "bank_reference,received_at,amount_fen,payer_name,payer_account,account_number\n";
        let bad = format!(
            "{header}S1,2024-09-27 10:00:00,100,李四,6,{account}\nS2,2024-09-27 10:00:00,1.5,李四,6,{account}\n"
        );
        let (s, e) = post_statement(&app, &bank, "text/csv", &bad).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(
            (e["error"]["field"].as_str(), e["error"]["code"].as_str()),
            (Some("lines[3].amount_fen"), Some("amount_format"))
        );
        let good = format!(
            "{header}S1,2024-09-27 10:00:00,100,李四,6,{account}\nS2,2024-09-27 10:00:00,250,王五,6,x\n"
        );
        let (s, r) = post_statement(&app, &bank, "text/csv; charset=utf-8", &good).await;
        assert_eq!(s, StatusCode::OK, "{r}");
        assert_eq!(
            (
                r["booked"].as_u64(),
                r["unidentified"].as_u64(),
                r["amount_fen"].as_i64()
            ),
            (Some(1), Some(1), Some(350))
        );
        let (s, _) = post_statement(&app, &bank, "application/json", "{}").await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        let (s, _) = post_statement(&app, &app.token("command"), "text/csv", &good).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        // The court's funds report: both arrivals are 0–30 days old on 10-01.
        let (s, rep) = app
            .json(
                "GET",
                "/api/v1/funds/report?today=2024-10-01",
                Some(&app.token("command")),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{rep}");
        assert_eq!(rep["undisbursed"]["days_0_30"]["fen"], 100);
        assert_eq!(rep["unidentified"]["days_0_30"]["fen"], 250);
        assert_eq!(rep["overdue_rate_by_count_bp"], 0);
        let (s, _) = app
            .json(
                "GET",
                "/api/v1/funds/report",
                Some(&app.token("judge")),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let req = Request::builder()
            .uri("/api/v1/funds/report?format=xlsx")
            .header(
                header::AUTHORIZATION,
                format!("Bearer {}", app.token("director")),
            )
            .body(Body::empty())
            .unwrap();
        let (s, _, bytes) = app.call(req).await;
        assert_eq!(s, StatusCode::OK);
        assert!(bytes.starts_with(b"PK"));
        let (_, f) = app
            .json(
                "GET",
                &format!("/api/v1/cases/{case_id}/funds"),
                Some(&app.token("command")),
                None,
            )
            .await;
        assert_eq!(f["balance_fen"], 100);
        app.db.cleanup().await;
    }
}

#[tokio::test]
async fn bad_receipts_are_422_naming_the_field() {
    for db in backends().await {
        let app = TestApp::new(db).await;
        let (bank, _, account) = setup(&app).await;
        let base = receipt_body("bad", &account, json!(100));
        let with = |k: &str, v: Value| {
            let mut b = base.clone();
            b[k] = v;
            b.to_string()
        };
        let mut unknown = base.clone();
        unknown["note"] = json!("x");
        let mut missing = base.clone();
        missing.as_object_mut().unwrap().remove("bank_reference");
        let cases: Vec<(String, &str, &str)> = vec![
            (
                with("amount_fen", json!(-1)),
                "amount_fen",
                "amount_not_positive",
            ),
            (with("amount_fen", json!(1.5)), "amount_fen", "invalid_type"),
            (
                with("amount_fen", json!("100")),
                "amount_fen",
                "invalid_type",
            ),
            (
                with("amount_fen", json!(1e30)),
                "amount_fen",
                "invalid_type",
            ),
            (
                with("amount_fen", json!(99_999_999_999_999_999u64)),
                "amount_fen",
                "amount_too_large",
            ),
            (
                with("received_at", json!("27/09/2024")),
                "received_at",
                "datetime_format",
            ),
            (unknown.to_string(), "note", "unknown_field"),
            (missing.to_string(), "bank_reference", "missing_field"),
        ];
        for (body, field, code) in cases {
            let (s, _, e) = post_receipt(&app, &bank, &body).await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {e}");
            assert_eq!(
                (e["error"]["field"].as_str(), e["error"]["code"].as_str()),
                (Some(field), Some(code)),
                "{body}"
            );
        }
        let (s, _, _) = post_receipt(&app, &bank, "{not json").await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        // Nothing was booked: the bank clearing account was never touched.
        let mut conn = app.db.db().conn().await.unwrap();
        let bank_balance = zhixing_store::funds::raw_balance(
            &mut conn,
            "川1123",
            &zhixing_domain::funds::Account::BankClearing,
        )
        .await
        .unwrap();
        drop(conn);
        assert_eq!(bank_balance, 0);
        app.db.cleanup().await;
    }
}

#[tokio::test]
async fn unidentified_claim_and_disbursement_over_http() {
    for db in backends().await {
        let app = TestApp::new(db).await;
        let (bank, case_id, _) = setup(&app).await;
        let (s, _, r) = post_receipt(
            &app,
            &bank,
            &receipt_body("u-1", "no such account", json!(1_000_000)).to_string(),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{r}");
        assert_eq!(r["status"], "unidentified");
        assert_eq!(r["claim_by"], "2024-09-30");
        // Payer 李四 is the case's debtor and 1,000,000 is its outstanding claim: both suggestions.
        let reasons: Vec<&str> = r["suggestions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["reason"].as_str().unwrap())
            .collect();
        assert_eq!(
            reasons,
            ["payer_is_debtor", "amount_equals_outstanding_claim"]
        );
        let cmd = app.token("command");
        let (s, list) = app
            .json("GET", "/api/v1/funds/unidentified", Some(&cmd), None)
            .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(list.as_array().unwrap().len(), 1);
        // Today (the fixed clock, 09-27) is before the 09-30 claim deadline.
        assert_eq!(list[0]["claim_overdue"], false);
        let rid = r["receipt_id"].as_str().unwrap();
        let claim = json!({"case_id": case_id}).to_string();
        let (s, f) = app
            .json(
                "POST",
                &format!("/api/v1/funds/receipts/{rid}/claim"),
                Some(&cmd),
                Some(&claim),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{f}");
        assert_eq!(f["balance_fen"], 1_000_000);
        let (s, e) = app
            .json(
                "POST",
                &format!("/api/v1/funds/receipts/{rid}/claim"),
                Some(&cmd),
                Some(&claim),
            )
            .await;
        assert_eq!(
            (s, e["error"]["code"].as_str()),
            (StatusCode::CONFLICT, Some("receipt_not_unidentified"))
        );
        // 参与分配 plan over the 1,000,000 balance: costs 100,000 first, then ordinary claims 1:2 share
        // 900,000 → 300,000 / 600,000.
        let plan = json!({"claims": [
            {"creditor": "甲", "class": "ordinary", "amount_fen": 1_000_000},
            {"creditor": "乙", "class": "ordinary", "amount_fen": 2_000_000},
            {"creditor": "法院", "class": "enforcement_costs", "amount_fen": 100_000}
        ]})
        .to_string();
        let (s, p) = app
            .json(
                "POST",
                &format!("/api/v1/cases/{case_id}/distribution-plan"),
                Some(&cmd),
                Some(&plan),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{p}");
        let shares: Vec<i64> = p["shares"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["share_fen"].as_i64().unwrap())
            .collect();
        assert_eq!(shares, [300_000, 600_000, 100_000]);
        assert_eq!(p["distributed_fen"], 1_000_000);
        let bad =
            json!({"claims": [{"creditor": "甲", "class": "tax", "amount_fen": 1}]}).to_string();
        let (s, e) = app
            .json(
                "POST",
                &format!("/api/v1/cases/{case_id}/distribution-plan"),
                Some(&cmd),
                Some(&bad),
            )
            .await;
        assert_eq!(
            (s, e["error"]["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("distribution_class"))
        );
        // Propose, approve, export, confirm.
        let propose = json!({"lines": [
            {"kind": "applicant", "payee_name": "张三", "payee_account": "6222", "amount_fen": 986_000},
            {"kind": "fee", "amount_fen": 14_000}
        ]})
        .to_string();
        let (s, d) = app
            .json(
                "POST",
                &format!("/api/v1/cases/{case_id}/disbursements"),
                Some(&cmd),
                Some(&propose),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{d}");
        let did = d["id"].as_str().unwrap().to_owned();
        let (s, _) = app
            .json(
                "POST",
                &format!("/api/v1/funds/disbursements/{did}/approve"),
                Some(&app.token("judge")),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, d) = app
            .json(
                "POST",
                &format!("/api/v1/funds/disbursements/{did}/approve"),
                Some(&app.token("director")),
                None,
            )
            .await;
        assert_eq!(
            (s, d["status"].as_str()),
            (StatusCode::OK, Some("approved")),
            "{d}"
        );
        let req = Request::builder()
            .uri("/api/v1/funds/payment-instructions?format=csv")
            .header(header::AUTHORIZATION, format!("Bearer {bank}"))
            .body(Body::empty())
            .unwrap();
        let (s, _, csv) = app.call(req).await;
        assert_eq!(s, StatusCode::OK);
        let csv = String::from_utf8(csv).unwrap();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 2, "{csv}");
        assert!(
            lines[1].ends_with(",986000") && lines[1].contains("\"applicant\""),
            "{csv}"
        );
        let body = json!({"bank_reference": "PAY-1"}).to_string();
        let (s, d) = app
            .json(
                "POST",
                &format!("/api/v1/funds/disbursements/{did}/confirm"),
                Some(&bank),
                Some(&body),
            )
            .await;
        assert_eq!(
            (s, d["status"].as_str()),
            (StatusCode::OK, Some("paid")),
            "{d}"
        );
        let (_, f) = app
            .json(
                "GET",
                &format!("/api/v1/cases/{case_id}/funds"),
                Some(&cmd),
                None,
            )
            .await;
        assert_eq!(
            (f["balance_fen"].as_i64(), f["disbursed_fen"].as_i64()),
            (Some(0), Some(1_000_000))
        );
        let (s, o) = app
            .json(
                "GET",
                "/api/v1/funds/overdue?today=2024-12-31",
                Some(&cmd),
                None,
            )
            .await;
        assert_eq!((s, o), (StatusCode::OK, json!([])));
        let (s, e) = app
            .json(
                "GET",
                "/api/v1/funds/overdue?today=2024-13-01",
                Some(&cmd),
                None,
            )
            .await;
        assert_eq!(
            (s, e["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("today"))
        );
        assert!(app.db.app.verify_funds("川1123").await.unwrap().is_empty());
        app.db.cleanup().await;
    }
}
