//! Permissions to consume under a 限制消费令 over HTTP (XF2015 art 3 para 2, art 8): the API
//! contract (201/422 naming the field/403/404/409, unknown fields refused, OpenAPI) and the case
//! measures page's form and 院长 buttons (CSRF, post/redirect/get with the flash cookie).

use axum::http::StatusCode;
use serde_json::json;
use zhixing_app::measures::MeasureInput;
use zhixing_domain::measure::{BoundPerson, PersonRole};
use zhixing_store::cases::CaseRow;
use zhixing_store::measures::MeasureRow;
use zhixing_testkit::{NOW_MS, PASSWORD, backends, entity, filing, person};

use crate::common::{TestApp, count_sql};
use crate::ui::{csrf_of, follow, login, page, post_flash, row_with};

/// An entity debtor's case with an effective 限制消费 binding its legal representative 王五;
/// (case, measure, the representative's ID number, the entity's credit code).
async fn restricted(t: &TestApp, n: u32) -> (CaseRow, MeasureRow, String, String) {
    let app = &t.db.app;
    let co = entity("四川某某商贸有限公司", n);
    let cc = co.credit_code.clone().unwrap();
    let case = app
        .file_case(&t.court.command, &filing("川1123", n, co, 900_000), NOW_MS)
        .await
        .unwrap()
        .case;
    let party = zhixing_testkit::debtor_id(app, &case).await;
    let rep = person("王五", 77).id_number.unwrap();
    let m = app
        .propose_measure(
            &t.court.command,
            &case.id,
            &MeasureInput {
                kind: "consumption_restriction".into(),
                party_id: Some(party),
                persons: vec![BoundPerson {
                    role: PersonRole::LegalRepresentative,
                    name: "王五".into(),
                    id_number: rep.clone(),
                }],
                reason: "未按执行通知履行".into(),
                ..Default::default()
            },
            NOW_MS,
        )
        .await
        .unwrap();
    let m = app
        .decide_measure(&t.court.president, &m.id, true, "", NOW_MS)
        .await
        .unwrap();
    (case, m, rep, cc)
}

#[tokio::test]
async fn consumption_permissions_api_contract() {
    for db in backends().await {
        let t = TestApp::new(db).await;
        let (case, m, rep, cc) = restricted(&t, 61).await;
        let cmd = t.token("command");
        let pres =
            t.db.app
                .issue_token(&t.court.president.username, "t", NOW_MS)
                .await
                .unwrap();
        let uri = format!("/api/v1/measures/{}/consumption-permissions", m.id);
        let body = |name: &str, id: &str, ground: &str| {
            json!({"applicant_name": name, "applicant_id_number": id, "act": "premium_transport",
                   "ground": ground, "reason": "以个人工资出差乘机", "from": "2024-09-28", "to": "2024-10-05"})
        };
        // Unknown field: 422 naming it.
        let mut extra = body("王五", &rep, "private_own_assets");
        extra["approved"] = json!(true);
        let (s, v) = t
            .json("POST", &uri, Some(&cmd), Some(&extra.to_string()))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert_eq!(v["error"]["field"], "approved");
        // The entity on art 3 para 2: 422 on `ground`; a stranger: 422 on the applicant.
        let (s, v) = t
            .json(
                "POST",
                &uri,
                Some(&cmd),
                Some(&body("四川某某商贸有限公司", &cc, "private_own_assets").to_string()),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert_eq!(
            (v["error"]["code"].as_str(), v["error"]["field"].as_str()),
            (Some("ground_not_allowed"), Some("ground"))
        );
        let stranger = person("李四", 3).id_number.unwrap();
        let (s, v) = t
            .json(
                "POST",
                &uri,
                Some(&cmd),
                Some(&body("李四", &stranger, "necessity").to_string()),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert_eq!(v["error"]["field"], "applicant_id_number");
        // A period over 90 days: 422 on `to`.
        let mut long = body("王五", &rep, "private_own_assets");
        long["to"] = json!("2025-01-10");
        let (s, v) = t
            .json("POST", &uri, Some(&cmd), Some(&long.to_string()))
            .await;
        assert_eq!(
            (s, v["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("to"))
        );
        // Unknown measure: 404. No token: 401.
        let (s, _) = t
            .json(
                "POST",
                "/api/v1/measures/nope/consumption-permissions",
                Some(&cmd),
                Some(&body("王五", &rep, "private_own_assets").to_string()),
            )
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, _) = t
            .json(
                "POST",
                &uri,
                None,
                Some(&body("王五", &rep, "private_own_assets").to_string()),
            )
            .await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        // Recorded: 201 with the role found from the measure.
        let (s, p) = t
            .json(
                "POST",
                &uri,
                Some(&cmd),
                Some(&body("王五", &rep, "private_own_assets").to_string()),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{p}");
        assert_eq!(p["applicant_role"], "legal_representative");
        assert_eq!(p["status"], "applied");
        assert!(p["act_text"].as_str().unwrap().contains("飞机"));
        let id = p["id"].as_str().unwrap().to_owned();
        // Decision: the director is 403; an unknown field 422; a refusal without reasons 422.
        let dec = format!("/api/v1/consumption-permissions/{id}/decision");
        let (s, v) = t
            .json(
                "POST",
                &dec,
                Some(&t.token("director")),
                Some(&json!({"grant": true}).to_string()),
            )
            .await;
        assert_eq!(
            (s, v["error"]["code"].as_str()),
            (StatusCode::FORBIDDEN, Some("permission_denied"))
        );
        let (s, v) = t
            .json(
                "POST",
                &dec,
                Some(&pres),
                Some(&json!({"grant": true, "by": "x"}).to_string()),
            )
            .await;
        assert_eq!(
            (s, v["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("by"))
        );
        let (s, v) = t
            .json(
                "POST",
                &dec,
                Some(&pres),
                Some(&json!({"grant": false, "note": ""}).to_string()),
            )
            .await;
        assert_eq!(
            (s, v["error"]["code"].as_str(), v["error"]["field"].as_str()),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("reasons_required"),
                Some("note")
            )
        );
        let (s, v) = t
            .json(
                "POST",
                &dec,
                Some(&pres),
                Some(&json!({"grant": true, "note": "审查属实"}).to_string()),
            )
            .await;
        assert_eq!(
            (s, v["status"].as_str()),
            (StatusCode::OK, Some("granted")),
            "{v}"
        );
        let (s, v) = t
            .json(
                "POST",
                &dec,
                Some(&pres),
                Some(&json!({"grant": false, "note": "x"}).to_string()),
            )
            .await;
        assert_eq!(
            (s, v["error"]["code"].as_str()),
            (StatusCode::CONFLICT, Some("already_decided"))
        );
        // The case's list.
        let (s, v) = t
            .json(
                "GET",
                &format!("/api/v1/cases/{}/consumption-permissions", case.id),
                Some(&cmd),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(v.as_array().unwrap().len(), 1);
        assert_eq!(v[0]["decision_note"], "审查属实");
        // Documented.
        let (_, doc) = t.json("GET", "/api/v1/openapi.json", None, None).await;
        for path in [
            "/api/v1/measures/{id}/consumption-permissions",
            "/api/v1/consumption-permissions/{id}/decision",
            "/api/v1/cases/{id}/consumption-permissions",
        ] {
            assert!(doc["paths"][path].is_object(), "{path} documented");
        }
        t.db.cleanup().await;
    }
}

#[tokio::test]
async fn consumption_permission_through_the_case_page() {
    for db in backends().await {
        let t = TestApp::new(db).await;
        let (case, m, rep, _) = restricted(&t, 62).await;
        let measures = format!("/cases/{}/measures", case.id);
        let (_, cmd, _) = login(&t, &t.court.command.username, PASSWORD).await;
        let cmd = cmd.unwrap();
        let (s, html) = page(&t, &measures, &cmd).await;
        assert_eq!(s, StatusCode::OK);
        let action = format!("/measures/{}/consumption-permissions", m.id);
        assert_eq!(
            html.matches("class=\"stack consumption-form\"").count(),
            1,
            "{html}"
        );
        assert!(html.contains(&format!("action=\"{action}\"")));
        assert!(html.contains("<h2>消费许可申请</h2>"), "{html}");
        let csrf = csrf_of(&html);
        let apply = |ground: &str, with_csrf: bool| {
            let mut v = vec![
                ("back", case.id.clone()),
                ("applicant_name", "王五".to_owned()),
                ("applicant_id_number", rep.clone()),
                ("act", "travel".to_owned()),
                ("ground", ground.to_owned()),
                ("reason", "以个人积蓄携家人探亲".to_owned()),
                ("from", "2024-10-01".to_owned()),
                ("to", "2024-10-07".to_owned()),
            ];
            if with_csrf {
                v.push(("csrf", csrf.clone()));
            }
            v
        };
        let post = |uri: String, cookie: String, body: Vec<(&'static str, String)>| {
            let t = &t;
            async move {
                let pairs: Vec<(&str, &str)> = body.iter().map(|(k, v)| (*k, v.as_str())).collect();
                post_flash(t, &uri, &cookie, &pairs).await
            }
        };
        // Without CSRF: refused.
        let (s, _, _) = post(
            action.clone(),
            cmd.clone(),
            apply("private_own_assets", false),
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        // The wrong ground for a bound person: back to the page with the rule.
        let (s, loc, flash) = post(action.clone(), cmd.clone(), apply("necessity", true)).await;
        assert_eq!(
            (s, loc.as_str()),
            (StatusCode::SEE_OTHER, measures.as_str())
        );
        let html = follow(&t, &loc, &cmd, flash).await;
        let err = &html[html.find("id=\"form-error\"").expect("error shown")..];
        assert!(err.contains("ground_not_allowed"), "{err}");
        assert_eq!(
            count_sql(
                &t,
                "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM consumption_permissions"
            )
            .await,
            0
        );
        // Recorded; the handler sees it awaiting decision, without buttons.
        let (s, loc, flash) = post(
            action.clone(),
            cmd.clone(),
            apply("private_own_assets", true),
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let html = follow(&t, &loc, &cmd, flash).await;
        assert!(
            html.contains("id=\"form-notice\">已登记消费许可申请，待院长决定。"),
            "{html}"
        );
        let row = row_with(&html, "王五（法定代表人）");
        assert!(
            row.contains("待决定")
                && row.contains("旅游、度假")
                && row.contains("2024-10-01 – 2024-10-07"),
            "{row}"
        );
        assert!(!html.contains("consumption-decision"), "{html}");
        // The 院长 refuses without reasons (refused, rule shown), then grants.
        let (_, pres, _) = login(&t, &t.court.president.username, PASSWORD).await;
        let pres = pres.unwrap();
        let (_, html) = page(&t, &measures, &pres).await;
        assert_eq!(html.matches("consumption-decision").count(), 2, "{html}");
        let pcsrf = csrf_of(&html);
        let row = row_with(&html, "王五（法定代表人）");
        let start = row.find("action=\"/consumption-permissions/").unwrap() + "action=\"".len();
        let decide_uri = row[start..].split('"').next().unwrap().to_owned();
        let decide = |decision: &str, note: &str| {
            vec![
                ("back", case.id.clone()),
                ("decision", decision.to_owned()),
                ("note", note.to_owned()),
                ("csrf", pcsrf.clone()),
            ]
        };
        let (s, loc, flash) = post(decide_uri.clone(), pres.clone(), decide("refuse", "")).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let html = follow(&t, &loc, &pres, flash).await;
        assert!(
            html.contains("id=\"form-error\"") && html.contains("reasons_required"),
            "{html}"
        );
        let (s, loc, flash) = post(decide_uri.clone(), pres.clone(), decide("grant", "")).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let html = follow(&t, &loc, &pres, flash).await;
        assert!(html.contains("id=\"form-notice\">已准许该消费。"), "{html}");
        let row = row_with(&html, "王五（法定代表人）");
        assert!(
            row.contains("已准许") && row.contains("决定 2024-09-27"),
            "{row}"
        );
        assert!(!html.contains("consumption-decision"), "{html}");
        // The decided application links its decision document, which downloads with the session.
        let href = row
            .split("href=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .unwrap_or_default()
            .to_owned();
        assert!(
            href.starts_with("/consumption-permissions/") && href.ends_with("/document"),
            "{row}"
        );
        let (s, h, body) = t
            .call(
                axum::http::Request::get(&href)
                    .header(axum::http::header::COOKIE, &cmd)
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            h.get(axum::http::header::CONTENT_TYPE)
                .is_some_and(|v| v.as_bytes().ends_with(b"wordprocessingml.document"))
                && body.starts_with(b"PK")
        );
        // A second submit of the same form: 409 shown on the page, nothing changes.
        let (_, loc, flash) = post(decide_uri, pres.clone(), decide("refuse", "重复")).await;
        let html = follow(&t, &loc, &pres, flash).await;
        assert!(html.contains("该申请已作出决定"), "{html}");
        // English labels.
        let (_, html) = page(&t, &measures, &format!("{cmd}; zx_lang=en")).await;
        assert!(html.contains("<h2>Permissions to consume</h2>"), "{html}");
        t.db.cleanup().await;
    }
}
