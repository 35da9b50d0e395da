//! The duty API contract: reward notices from application to the public list and the public tip
//! form (receipt only, tipster never shown, markup returned as JSON text), 执行110 public and phone
//! intake, 拒执 referrals, errors naming the field, the OpenAPI document.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::Value;
use zhixing_testkit::{NOW_MS, backends};

use crate::common::{TestApp, filing_body};

const PHONE: &str = "13912345678";

async fn file(t: &TestApp, n: u32) -> String {
    let (s, v) = t
        .json(
            "POST",
            "/api/v1/cases",
            Some(&t.token("command")),
            Some(&filing_body(n, 1_500_000)),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    v["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn reward_to_public_list_and_tips() {
    for db in backends().await {
        let t = TestApp::new(db).await;
        let cmd = t.token("command");
        let president =
            t.db.app
                .issue_token(&t.court.president.username, "test", NOW_MS)
                .await
                .unwrap();
        let case_id = file(&t, 801).await;
        let (s, r) = t
            .json(
                "POST",
                &format!("/api/v1/cases/{case_id}/rewards"),
                Some(&cmd),
                Some(r#"{"applicant_name":"张三","amount_fen":1000000,"promise_to_pay":true,"publish_via":"全国法院执行悬赏公告平台","channel":"0833-1234567"}"#),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{r}");
        assert_eq!(r["decide_by"], "2024-10-08");
        assert_eq!(r["status"], "applied");
        let id = r["id"].as_str().unwrap().to_owned();
        // Unknown fields and missing promise name the field.
        let (s, e) = t
            .json(
                "POST",
                &format!("/api/v1/cases/{case_id}/rewards"),
                Some(&cmd),
                Some(r#"{"applicant_name":"张三","amount_fen":1,"channel":"x","bonus":1}"#),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        let (s, e) = t
            .json(
                "POST",
                &format!("/api/v1/cases/{case_id}/rewards"),
                Some(&cmd),
                Some(r#"{"applicant_name":"张三","amount_fen":1,"channel":"x"}"#),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(e["error"]["field"], "promise_to_pay");
        // The command center may not decide; the president may.
        let (s, _) = t
            .json(
                "POST",
                &format!("/api/v1/rewards/{id}/decision"),
                Some(&cmd),
                Some(r#"{"approve":true}"#),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, d) = t
            .json(
                "POST",
                &format!("/api/v1/rewards/{id}/decision"),
                Some(&president),
                Some(r#"{"approve":true}"#),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{d}");
        let (s, p) = t
            .json(
                "POST",
                &format!("/api/v1/rewards/{id}/publish"),
                Some(&cmd),
                Some("{}"),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{p}");
        assert_eq!(p["status"], "published");

        // Public tip with markup: a receipt and nothing else.
        let evil = "<script>alert(1)</script>在北门";
        let body =
            serde_json::json!({"content": evil, "tipster_name": "王举报", "tipster_phone": PHONE})
                .to_string();
        let (s, rc) = t
            .json(
                "POST",
                &format!("/api/v1/public/rewards/{id}/tips"),
                None,
                Some(&body),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{rc}");
        let keys: Vec<&String> = rc.as_object().unwrap().keys().collect();
        assert_eq!(keys, vec!["receipt_no", "received_at"]);
        assert!(rc["receipt_no"].as_str().unwrap().ends_with("-0001"));
        // Oversized and malformed input name the field.
        let long = serde_json::json!({"content": "线".repeat(2001), "tipster_name": "王", "tipster_phone": PHONE}).to_string();
        let (s, e) = t
            .json(
                "POST",
                &format!("/api/v1/public/rewards/{id}/tips"),
                None,
                Some(&long),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            (e["error"]["field"].as_str(), e["error"]["code"].as_str()),
            (Some("content"), Some("too_long"))
        );
        let badphone =
            serde_json::json!({"content": "x", "tipster_name": "王", "tipster_phone": "110"})
                .to_string();
        let (_, e) = t
            .json(
                "POST",
                &format!("/api/v1/public/rewards/{id}/tips"),
                None,
                Some(&badphone),
            )
            .await;
        assert_eq!(e["error"]["field"], "tipster_phone");

        // The public list: published notices, no tipster, no applicant.
        let req = Request::builder()
            .uri("/api/v1/public/rewards?page=1&page_size=10")
            .body(Body::empty())
            .unwrap();
        let (s, h, bytes) = t.call(req).await;
        assert_eq!(s, StatusCode::OK);
        let text = String::from_utf8(bytes).unwrap();
        for secret in [PHONE, "王举报", "北门", "张三"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        assert!(
            h[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("application/json")
        );
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["total"], 1);
        assert_eq!(v["items"][0]["debtor_name"], "李四");
        assert!(
            v["items"][0]["debtor_id_masked"]
                .as_str()
                .unwrap()
                .contains("**********")
        );
        let (s, e) = t
            .json("GET", "/api/v1/public/rewards?page_size=51", None, None)
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(e["error"]["field"], "page_size");

        // Staff read the lead: JSON text, never rendered (application/json + nosniff).
        let req = Request::builder()
            .uri(format!("/api/v1/rewards/{id}/leads"))
            .header(header::AUTHORIZATION, format!("Bearer {cmd}"))
            .body(Body::empty())
            .unwrap();
        let (s, h, bytes) = t.call(req).await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            h[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("application/json")
        );
        assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        let leads: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(leads[0]["content"], evil);
        assert_eq!(leads[0]["tipster_phone"], PHONE);
        assert_eq!(leads[0]["seq"], 1);
        // Rate of the court: one published, none successful yet.
        let (s, st) = t
            .json("GET", "/api/v1/reward-stats", Some(&cmd), None)
            .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(
            (st["published"].as_i64(), st["successful"].as_i64()),
            (Some(1), Some(0))
        );
        t.db.cleanup().await;
    }
}

#[tokio::test]
async fn tipoffs_public_and_phone_intake() {
    for db in backends().await {
        let t = TestApp::new(db).await;
        let body = serde_json::json!({
            "court": "川1123", "debtor_name": "李四", "kind": "whereabouts",
            "content": "<b>看见</b>他在吃饭", "location": "玉津镇某饭店",
            "reporter_name": "赵热心", "reporter_phone": "0833-7654321"
        })
        .to_string();
        let (s, rc) = t
            .json("POST", "/api/v1/public/tipoffs", None, Some(&body))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{rc}");
        assert!(
            rc["receipt_no"]
                .as_str()
                .unwrap()
                .starts_with("ZX110-20240927-")
        );
        assert_eq!(rc.as_object().unwrap().len(), 2);
        // Phone intake needs a login and HandleTipoffs.
        let (s, _) = t.json("POST", "/api/v1/tipoffs", None, Some(&body)).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        let (s, v) = t
            .json(
                "POST",
                "/api/v1/tipoffs",
                Some(&t.token("police")),
                Some(&body),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        assert_eq!(v["status"], "dispatched");
        assert_eq!(v["team_name"], "指挥中心");
        assert_eq!(v["respond_by"], NOW_MS + 30 * 60_000);
        let (s, list) = t
            .json(
                "GET",
                "/api/v1/tipoffs?status=dispatched&overdue=false",
                Some(&t.token("command")),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{list}");
        assert_eq!(list.as_array().unwrap().len(), 2);
        // Paged: the answer stays an array; the total and the page travel in headers.
        let req = axum::http::Request::builder()
            .uri("/api/v1/tipoffs?open=true&page=1")
            .header(
                axum::http::header::AUTHORIZATION,
                format!("Bearer {}", t.token("command")),
            )
            .body(axum::body::Body::empty())
            .unwrap();
        let (s, headers, bytes) = t.call(req).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(headers["x-total-count"], "2");
        assert_eq!(headers["x-page"], "1");
        assert_eq!(headers["x-page-size"], "100");
        let page: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(page.as_array().unwrap().len(), 2);
        let (s, e) = t
            .json(
                "GET",
                "/api/v1/tipoffs?page=0",
                Some(&t.token("command")),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(e["error"]["field"], "page");
        let (s, e) = t
            .json(
                "GET",
                "/api/v1/tipoffs?status=lost",
                Some(&t.token("command")),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(e["error"]["field"], "status");
        let bad = body.replace("0833-7654321", "12");
        let (s, e) = t
            .json("POST", "/api/v1/public/tipoffs", None, Some(&bad))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(e["error"]["field"], "reporter_phone");
        t.db.cleanup().await;
    }
}

#[tokio::test]
async fn referral_contract_and_openapi() {
    for db in backends().await {
        let t = TestApp::new(db).await;
        let cmd = t.token("command");
        let case_id = file(&t, 802).await;
        let (s, r) = t
            .json(
                "POST",
                &format!("/api/v1/cases/{case_id}/referrals"),
                Some(&cmd),
                Some(r#"{"facts":"有能力履行而拒不履行","violations":[{"on":"2024-09-20","kind":"after_sanction","description":"拘留后仍拒不申报财产"}]}"#),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{r}");
        assert!(!r["package"]["events"].as_array().unwrap().is_empty());
        assert_eq!(r["transfer_by"], "2024-10-08");
        let id = r["id"].as_str().unwrap();
        let (s, e) = t
            .json(
                "POST",
                &format!("/api/v1/referrals/{id}/private-prosecution"),
                Some(&cmd),
                Some(r#"{"court_name":"犍为县人民法院","applicant_evidence":"转账记录"}"#),
            )
            .await;
        assert_eq!(s, StatusCode::CONFLICT);
        assert_eq!(e["error"]["code"], "private_prosecution_too_early");
        // 立案, then 不起诉: the 自诉 opens, and it may be settled (刑事诉讼法 art 212).
        for (path, body) in [
            ("refer", r#"{"agency":"犍为县公安局"}"#),
            ("police-decision", r#"{"accepted":true}"#),
        ] {
            let (s, r) = t
                .json(
                    "POST",
                    &format!("/api/v1/referrals/{id}/{path}"),
                    Some(&cmd),
                    Some(body),
                )
                .await;
            assert_eq!(s, StatusCode::OK, "{path}: {r}");
        }
        let (s, e) = t
            .json(
                "POST",
                &format!("/api/v1/referrals/{id}/dropped"),
                Some(&cmd),
                Some(r#"{"by":"prosecutor","note":"不起诉"}"#),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(e["error"]["field"], "by");
        let (s, r) = t
            .json(
                "POST",
                &format!("/api/v1/referrals/{id}/dropped"),
                Some(&cmd),
                Some(r#"{"by":"procuratorate","note":"犯罪情节轻微，不起诉"}"#),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{r}");
        assert_eq!(
            (r["status"].as_str(), r["dropped_by"].as_str()),
            (Some("dropped"), Some("procuratorate"))
        );
        let (s, r) = t
            .json(
                "POST",
                &format!("/api/v1/referrals/{id}/private-prosecution"),
                Some(&cmd),
                Some(r#"{"court_name":"犍为县人民法院","applicant_evidence":"转账记录"}"#),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{r}");
        let end = format!("/api/v1/referrals/{id}/private-prosecution/end");
        let (s, e) = t
            .json("POST", &end, Some(&cmd), Some(r#"{"outcome":"settled"}"#))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(e["error"]["field"], "note");
        let (s, r) = t
            .json(
                "POST",
                &end,
                Some(&cmd),
                Some(r#"{"outcome":"settled","note":"当庭支付 5 万元，余款分期"}"#),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{r}");
        assert_eq!(r["status"], "settled");
        assert_eq!(r["end_note"], "当庭支付 5 万元，余款分期");
        let (s, e) = t
            .json("POST", &end, Some(&cmd), Some(r#"{"outcome":"withdrawn"}"#))
            .await;
        assert_eq!(s, StatusCode::CONFLICT, "{e}");
        assert_eq!(e["error"]["code"], "not_private_prosecution");
        let (s, list) = t
            .json(
                "GET",
                &format!("/api/v1/cases/{case_id}/referrals"),
                Some(&cmd),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(list.as_array().unwrap().len(), 1);
        let (_, doc) = t.json("GET", "/api/v1/openapi.json", None, None).await;
        for p in [
            "/api/v1/public/rewards",
            "/api/v1/public/tipoffs",
            "/api/v1/tipoffs",
            "/api/v1/cases/{id}/referrals",
            "/api/v1/referrals/{id}/private-prosecution",
            "/api/v1/referrals/{id}/dropped",
            "/api/v1/referrals/{id}/private-prosecution/end",
        ] {
            assert!(doc["paths"].get(p).is_some(), "{p} missing from OpenAPI");
        }
        t.db.cleanup().await;
    }
}

#[tokio::test]
async fn public_tip_forms_share_the_portal_rate_limit() {
    for db in backends().await {
        let t = TestApp::new(db).await;
        let body = serde_json::json!({
            "court": "川1123", "debtor_name": "李四", "kind": "assets",
            "content": "有一辆车", "location": "某停车场",
            "reporter_name": "赵热心", "reporter_phone": PHONE
        })
        .to_string();
        let mut statuses = Vec::new();
        for _ in 0..31 {
            let (s, _) = t
                .json("POST", "/api/v1/public/tipoffs", None, Some(&body))
                .await;
            statuses.push(s);
        }
        assert!(statuses[..30].iter().all(|s| *s == StatusCode::CREATED));
        assert_eq!(statuses[30], StatusCode::TOO_MANY_REQUESTS);
        let (s, e) = t.json("GET", "/api/v1/public/rewards", None, None).await;
        assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(e["error"]["code"], "rate_limited");
        t.db.cleanup().await;
    }
}
