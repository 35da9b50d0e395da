use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::Value;
use zhixing_testkit::backends;

use crate::common::{TestApp, filing_body};

#[tokio::test]
async fn filing_contract_and_errors() {
    for db in backends().await {
        let t = TestApp::new(db).await;
        let cmd = t.token("command");

        // 201 with the documented shape.
        let (s, v) = t
            .json(
                "POST",
                "/api/v1/cases",
                Some(&cmd),
                Some(&filing_body(456, 1_500_000)),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        assert_eq!(v["case_number"], "（2024）川1123执1号");
        assert_eq!(v["track"], "fast");
        assert_eq!(v["status"], "in_progress");
        assert_eq!(v["team"]["name"], "速执一组");
        assert!(v["handler"]["id"].is_string());
        assert!(v["same_debtor_cases"].as_array().unwrap().is_empty());
        let id = v["id"].as_str().unwrap().to_owned();

        // GET answers the same shape.
        let (s, g) = t
            .json("GET", &format!("/api/v1/cases/{id}"), Some(&cmd), None)
            .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(g["case_number"], v["case_number"]);
        assert_eq!(g["debtors"][0]["name"], "李四");

        // Error table: (body, status, code, field)
        let mut bad_id = serde_json::from_str::<Value>(&filing_body(457, 100)).unwrap();
        let good = bad_id["debtors"][0]["id_number"]
            .as_str()
            .unwrap()
            .to_owned();
        let last = good.chars().last().unwrap();
        let wrong = if last == '0' { '1' } else { '0' };
        bad_id["debtors"][0]["id_number"] = Value::from(format!("{}{wrong}", &good[..17]));
        let mut wrong_type = serde_json::from_str::<Value>(&filing_body(458, 100)).unwrap();
        wrong_type["claim_fen"] = Value::from("很多");
        let cases: Vec<(String, StatusCode, &str, Value)> = vec![
            (
                bad_id.to_string(),
                StatusCode::UNPROCESSABLE_ENTITY,
                "id_number_checksum",
                Value::from("debtors[0].id_number"),
            ),
            (
                wrong_type.to_string(),
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_type",
                Value::from("claim_fen"),
            ),
            (
                "{not json".into(),
                StatusCode::BAD_REQUEST,
                "malformed_json",
                Value::Null,
            ),
            (
                "{}".into(),
                StatusCode::UNPROCESSABLE_ENTITY,
                "court_code_format",
                Value::from("court"),
            ),
            (
                filing_body(456, 1_500_000),
                StatusCode::CONFLICT,
                "duplicate_filing",
                Value::from("debtors[0]"),
            ),
        ];
        for (body, status, code, field) in cases {
            let (s, e) = t
                .json("POST", "/api/v1/cases", Some(&cmd), Some(&body))
                .await;
            assert_eq!(s, status, "{e}");
            assert_eq!(e["error"]["code"], code, "{e}");
            assert_eq!(e["error"]["field"], field, "{e}");
            assert!(
                e["error"]["message"]
                    .as_str()
                    .is_some_and(|m| !m.is_empty())
            );
        }

        // 401 without or with a bad token; 403 for a role that may not file.
        let (s, e) = t
            .json("POST", "/api/v1/cases", None, Some(&filing_body(1, 1)))
            .await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        assert_eq!(e["error"]["code"], "unauthenticated");
        let (s, _) = t.json("GET", "/api/v1/cases", Some("deadbeef"), None).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        let (s, e) = t
            .json(
                "POST",
                "/api/v1/cases",
                Some(&t.token("police")),
                Some(&filing_body(2, 1)),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{e}");

        // Scope: the 精执 judge cannot see a 速执 case (404, no existence leak); list is empty for them.
        let (s, _) = t
            .json(
                "GET",
                &format!("/api/v1/cases/{id}"),
                Some(&t.token("judge3")),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, l) = t
            .json("GET", "/api/v1/cases", Some(&t.token("judge3")), None)
            .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(l["total"], 0);
        // Admin: no case data at all.
        let (s, _) = t
            .json("GET", "/api/v1/cases", Some(&t.token("admin")), None)
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        // A forbidden action on a visible case: the judge sees it but may not reassign.
        let judge = t.token("judge");
        let (s, _) = t
            .json("GET", &format!("/api/v1/cases/{id}"), Some(&judge), None)
            .await;
        assert_eq!(s, StatusCode::OK);
        let body = format!(
            "{{\"team_id\":\"{}\",\"reason\":\"调整\"}}",
            t.court.standard_team
        );
        let (s, _) = t
            .json(
                "POST",
                &format!("/api/v1/cases/{id}/reassign"),
                Some(&judge),
                Some(&body),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, r) = t
            .json(
                "POST",
                &format!("/api/v1/cases/{id}/reassign"),
                Some(&t.token("director")),
                Some(&body),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{r}");
        assert_eq!(r["team"]["name"], "精执一组");

        // Search: by case number (ASCII brackets), by name, by ID number; bad status → 422.
        let filed_debtor = zhixing_testkit::person("李四", 456).id_number.unwrap();
        for q in ["(2024)川1123执1号", "李四", filed_debtor.as_str()] {
            let uri = format!("/api/v1/cases?q={}", urlencode(q));
            let (s, l) = t.json("GET", &uri, Some(&cmd), None).await;
            assert_eq!(s, StatusCode::OK);
            assert_eq!(l["total"], 1, "q={q}: {l}");
        }
        let (s, e) = t
            .json("GET", "/api/v1/cases?status=open", Some(&cmd), None)
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(e["error"]["field"], "status");
        let (s, e) = t
            .json("GET", "/api/v1/cases?page=x", Some(&cmd), None)
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(e["error"]["field"], "page");

        // Unknown id → 404 JSON; me → who I am.
        let (s, e) = t.json("GET", "/api/v1/cases/nope", Some(&cmd), None).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        assert_eq!(e["error"]["code"], "not_found");
        let (_, me) = t.json("GET", "/api/v1/me", Some(&cmd), None).await;
        assert_eq!(me["role"], "command");
        assert_eq!(me["court"], "川1123");
        t.db.cleanup().await;
    }
}

#[tokio::test]
async fn openapi_and_security_headers() {
    let t = TestApp::new(zhixing_testkit::sqlite().await).await;
    let (s, h, body) = t
        .call(
            Request::get("/api/v1/openapi.json")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let doc: Value = serde_json::from_slice(&body).unwrap();
    for path in [
        "/api/v1/cases",
        "/api/v1/cases/{id}",
        "/api/v1/cases/{id}/reassign",
        "/api/v1/me",
        "/api/v1/cases/{id}/events",
        "/api/v1/cases/{id}/deadlines",
        "/api/v1/board",
    ] {
        assert!(
            doc["paths"][path].is_object(),
            "{path} missing from OpenAPI"
        );
    }
    assert!(doc["components"]["schemas"]["NewCaseRequest"].is_object());
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["x-frame-options"], "DENY");
    assert!(
        h["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("default-src 'self'")
    );
    // The embedded stylesheet is served from the binary.
    let (s, h, body) = t
        .call(Request::get("/assets/app.css").body(Body::empty()).unwrap())
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(h["content-type"].to_str().unwrap().starts_with("text/css"));
    assert!(String::from_utf8(body).unwrap().contains("--red"));
    t.db.cleanup().await;
}

pub fn urlencode(s: &str) -> String {
    let mut o = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() {
            o.push(char::from(b));
        } else {
            o.push_str(&format!("%{b:02X}"));
        }
    }
    o
}
