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

/// The partner API for permissions (XF2015 art 3 para 2, art 8): two 限制消费令 against one
/// person, a permission granted under one: the bulk check carries it on that entry only (with the
/// entry's id) and not at key level; the signed feed carries a `kind: permission` item once after
/// the cursor, and its end when the order is lifted through the API; both documented.
#[tokio::test]
async fn permission_events_in_the_signed_feed_and_per_entry_in_the_check() {
    use tower::ServiceExt;
    use zhixing_domain::audit::{hmac_sm3_hex, sm3_hex};
    for db in backends().await {
        let t = TestApp::new(db).await;
        let app = &t.db.app;
        let sys = zhixing_app::Actor::system("川1123", "最高法/川/川11/川1123");
        app.add_user(
            &sys,
            zhixing_app::admin::NewUser {
                court: "川1123".into(),
                role: "partner".into(),
                username: "air-feed".into(),
                name: "某航空公司联合惩戒接口".into(),
                team: None,
                password: PASSWORD.into(),
            },
            NOW_MS,
        )
        .await
        .unwrap();
        let partner = app.issue_token("air-feed", "feed", NOW_MS).await.unwrap();
        let pres = app
            .issue_token(&t.court.president.username, "t", NOW_MS)
            .await
            .unwrap();
        let cmd = t.token("command");
        // 王五, debtor of two cases, each with its 限制消费令.
        let wang = person("王五", 77);
        let key = wang.id_number.clone().unwrap();
        let mut orders = Vec::new();
        for n in [63, 64] {
            let case = app
                .file_case(
                    &t.court.command,
                    &filing("川1123", n, wang.clone(), 900_000),
                    NOW_MS,
                )
                .await
                .unwrap()
                .case;
            let party = zhixing_testkit::debtor_id(app, &case).await;
            let m = app
                .propose_measure(
                    &t.court.command,
                    &case.id,
                    &MeasureInput {
                        kind: "consumption_restriction".into(),
                        party_id: Some(party),
                        reason: "未按执行通知履行".into(),
                        ..Default::default()
                    },
                    NOW_MS,
                )
                .await
                .unwrap();
            app.decide_measure(&t.court.president, &m.id, true, "", NOW_MS)
                .await
                .unwrap();
            orders.push((case, m));
        }
        // The server two days later (the feed serves changes older than its 5 s window).
        let later = zhixing_web::router(
            app.clone(),
            zhixing_web::WebConfig {
                secure_cookies: false,
                clock: zhixing_web::Clock::Fixed(NOW_MS + 2 * 86_400_000),
                ..Default::default()
            },
        );
        let call = |req: axum::http::Request<axum::body::Body>| {
            let router = later.clone();
            async move {
                use http_body_util::BodyExt;
                let resp = router.oneshot(req).await.unwrap();
                let status = resp.status();
                let headers = resp.headers().clone();
                let bytes = resp.into_body().collect().await.unwrap().to_bytes();
                (status, headers, bytes.to_vec())
            }
        };
        let feed = |after: String| {
            let partner = partner.clone();
            let call = &call;
            async move {
                let req = axum::http::Request::builder()
                    .uri(format!(
                        "/api/v1/partner/list-changes?after={after}&limit=1000"
                    ))
                    .header("authorization", format!("Bearer {partner}"))
                    .body(axum::body::Body::empty())
                    .unwrap();
                let (s, h, bytes) = call(req).await;
                assert_eq!(s, StatusCode::OK);
                // The signature still verifies over the exact body.
                assert_eq!(
                    h["x-zhixing-signature"].to_str().unwrap(),
                    format!(
                        "hmac-sm3={}",
                        hmac_sm3_hex(sm3_hex(partner.as_bytes()).as_bytes(), &bytes)
                    )
                );
                let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
                let items = v["items"].as_array().unwrap().clone();
                for i in &items {
                    match i["kind"].as_str() {
                        Some("entry") => assert!(
                            i.get("permission").is_none() && i["entry"].is_object(),
                            "{i}"
                        ),
                        Some("permission") => {
                            assert!(i["entry"].is_null() && i["permission"].is_object(), "{i}")
                        }
                        _ => panic!("kind: {i}"),
                    }
                }
                let perms: Vec<serde_json::Value> = items
                    .into_iter()
                    .filter(|i| i["kind"] == "permission")
                    .collect();
                (perms, v["next_cursor"].as_str().unwrap().to_owned())
            }
        };
        let (perms, c0) = feed(String::new()).await;
        assert!(perms.is_empty());

        // Applied and granted over the API under the first order.
        let (case1, m1) = &orders[0];
        let (s, p) = t
            .json(
                "POST",
                &format!("/api/v1/measures/{}/consumption-permissions", m1.id),
                Some(&cmd),
                Some(
                    &json!({"applicant_name": "王五", "applicant_id_number": key, "act": "premium_transport",
                            "ground": "necessity", "reason": "赴北京就医", "from": "2024-09-28", "to": "2024-10-05"})
                    .to_string(),
                ),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{p}");
        let pid = p["id"].as_str().unwrap().to_owned();
        let (s, v) = t
            .json(
                "POST",
                &format!("/api/v1/consumption-permissions/{pid}/decision"),
                Some(&pres),
                Some(&json!({"grant": true}).to_string()),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");

        // The bulk check: the permission on the first order's entry only, none at key level.
        let req = axum::http::Request::builder()
            .method("POST")
            .uri("/api/v1/partner/check")
            .header("authorization", format!("Bearer {partner}"))
            .header("content-type", "application/json")
            .body(axum::body::Body::from(
                json!({"list": "restricted", "keys": [key]}).to_string(),
            ))
            .unwrap();
        let (s, _, bytes) = call(req).await;
        assert_eq!(s, StatusCode::OK);
        let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        let r = &v["results"][0];
        assert_eq!(r["listed"], true, "{v}");
        assert!(r.get("permissions").is_none(), "not at key level: {v}");
        let items = r["items"].as_array().unwrap();
        assert_eq!(items.len(), 2, "{v}");
        let first = items
            .iter()
            .find(|i| i["case_number"] == case1.case_number.as_str())
            .unwrap();
        let other = items
            .iter()
            .find(|i| i["case_number"] != case1.case_number.as_str())
            .unwrap();
        assert_eq!(first["name"], "王五", "public fields kept: {first}");
        assert!(first["id_masked"].as_str().unwrap().contains('*'));
        assert_eq!(
            first["permissions"],
            json!([{"act": "premium_transport", "act_text": first["permissions"][0]["act_text"],
                    "from": "2024-09-28", "to": "2024-10-05", "court": "川1123", "courts": ["川1123"]}]),
            "{v}"
        );
        assert!(other.get("permissions").is_none(), "{v}");
        let entry_id = first["entry_id"].as_str().unwrap().to_owned();
        assert!(!entry_id.is_empty() && other["entry_id"] != entry_id.as_str());

        // The feed: the grant once after the cursor, naming the entry.
        let (perms, c1) = feed(c0).await;
        assert_eq!(perms.len(), 1, "{perms:?}");
        let g = &perms[0];
        assert_eq!(
            (&g["op"], &g["entry_id"], &g["list"]),
            (
                &json!("permission_granted"),
                &json!(entry_id),
                &json!("restricted")
            )
        );
        let pe = &g["permission"];
        assert_eq!(pe["permission_id"], pid.as_str());
        assert_eq!(pe["entry_id"], entry_id.as_str());
        assert_eq!(pe["id_number"], key.as_str());
        assert_eq!(pe["order_number"], m1.document_number.as_str());
        assert_eq!(pe["case_number"], case1.case_number.as_str());
        assert_eq!(
            (&pe["from"], &pe["to"]),
            (&json!("2024-09-28"), &json!("2024-10-05"))
        );
        assert!(
            pe.get("ended_on").is_none() && pe.get("reason").is_none(),
            "{pe}"
        );
        let (perms, c2) = feed(c1.clone()).await;
        assert!(perms.is_empty() && c2 == c1, "{perms:?}");

        // Lifting the order over the API ends the permission in the feed.
        let (s, v) = t
            .json(
                "POST",
                &format!("/api/v1/measures/{}/end", m1.id),
                Some(&cmd),
                Some(&json!({"ground": "security", "ground_on": "2024-09-27"}).to_string()),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let (perms, _) = feed(c1).await;
        assert_eq!(perms.len(), 1, "{perms:?}");
        assert_eq!(perms[0]["op"], "permission_ended");
        assert_eq!(perms[0]["permission"]["permission_id"], pid.as_str());
        assert_eq!(perms[0]["permission"]["ended_on"], "2024-09-27");
        assert_eq!(perms[0]["permission"]["end_reason"], "order_lifted");

        // Documented.
        let (_, doc) = t.json("GET", "/api/v1/openapi.json", None, None).await;
        let schemas = &doc["components"]["schemas"];
        for s in [
            "PermissionEventOut",
            "KeyCheckOut",
            "CheckedItemOut",
            "PermissionInForceOut",
        ] {
            assert!(schemas[s].is_object(), "{s} documented");
        }
        for p in ["kind", "permission"] {
            assert!(
                schemas["ChangeOut"]["properties"][p].is_object(),
                "ChangeOut.{p}: {}",
                schemas["ChangeOut"]
            );
        }
        t.db.cleanup().await;
    }
}
