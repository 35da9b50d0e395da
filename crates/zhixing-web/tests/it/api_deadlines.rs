//! The deadline API contract: `POST /cases/{id}/events`, `GET /cases/{id}/deadlines` with the
//! documented item fields, 422s that name the field, scope (404), the board and the inbox.

use axum::http::StatusCode;
use serde_json::Value;
use zhixing_testkit::{NOW_MS, backends};

use crate::common::{TestApp, filing_body};

#[tokio::test]
async fn events_and_deadlines_contract() {
    for db in backends().await {
        let t = TestApp::new(db).await;
        let cmd = t.token("command");
        let (s, v) = t
            .json(
                "POST",
                "/api/v1/cases",
                Some(&cmd),
                Some(&filing_body(456, 1_500_000)),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        let id = v["id"].as_str().unwrap().to_owned();

        // GET deadlines: an array of items with node, due_on, status, level, rule, derivation.
        let (s, d) = t
            .json(
                "GET",
                &format!("/api/v1/cases/{id}/deadlines"),
                Some(&cmd),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{d}");
        let items = d.as_array().unwrap();
        assert_eq!(items.len(), 7, "{d}");
        let notice = items
            .iter()
            .find(|x| x["node"] == "enforcement_notice")
            .unwrap();
        assert_eq!(notice["due_on"], "2024-09-30");
        assert_eq!(notice["status"], "pending");
        assert_eq!(notice["level"], "blue");
        assert_eq!(notice["rule"], "notice_3d_dl2006");
        assert_eq!(notice["derivation"]["start_on"], "2024-09-27");
        assert_eq!(notice["derivation"]["length"], 3);
        assert!(notice["rule_source"].as_str().unwrap().contains("DL2006"));
        let filing = items.iter().find(|x| x["rule"] == "filing_7d").unwrap();
        assert_eq!(filing["status"], "done");
        assert_eq!(filing["level"], Value::Null);

        // POST an event (the handler's team may; the command center may too).
        let (s, e) = t
            .json(
                "POST",
                &format!("/api/v1/cases/{id}/events"),
                Some(&cmd),
                Some(r#"{"node":"enforcement_notice","on":"2024-09-27","note":"直接送达"}"#),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{e}");
        assert_eq!(e["event"]["node_name"], "发出执行通知书");
        assert_eq!(e["completed"][0]["rule"], "notice_3d_dl2006");
        assert_eq!(e["completed"][0]["status"], "done");

        // Bad input → 422 naming the field; unknown fields are refused too.
        let table: [(&str, &str, &str); 6] = [
            (
                r#"{"node":"nope","on":"2024-09-27"}"#,
                "unknown_node",
                "node",
            ),
            (
                r#"{"node":"lead_received","on":"2024-13-01"}"#,
                "date_format",
                "on",
            ),
            (
                r#"{"node":"lead_received","on":"2024-09-28"}"#,
                "event_in_future",
                "on",
            ),
            (
                r#"{"node":"lead_received","on":"2024-09-01"}"#,
                "event_before_filing",
                "on",
            ),
            (
                r#"{"node":"lead_verification","on":"2024-09-27"}"#,
                "event_out_of_order",
                "node",
            ),
            (
                r#"{"node":"lead_received","on":"2024-09-27","colour":"red"}"#,
                "invalid_type",
                "",
            ),
        ];
        for (body, code, field) in table {
            let (s, v) = t
                .json(
                    "POST",
                    &format!("/api/v1/cases/{id}/events"),
                    Some(&cmd),
                    Some(body),
                )
                .await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {v}");
            assert_eq!(v["error"]["code"], code, "{body}: {v}");
            if !field.is_empty() {
                assert_eq!(v["error"]["field"], field, "{body}: {v}");
            }
            assert!(v["error"]["message"].as_str().unwrap().len() > 3);
        }
        // Police may not record; a judge of another team does not see the case; no token → 401.
        let (s, _) = t
            .json(
                "POST",
                &format!("/api/v1/cases/{id}/events"),
                Some(&t.token("police")),
                Some(r#"{"node":"lead_received","on":"2024-09-27"}"#),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, _) = t
            .json(
                "GET",
                &format!("/api/v1/cases/{id}/deadlines"),
                Some(&t.token("judge3")),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, _) = t
            .json("GET", &format!("/api/v1/cases/{id}/deadlines"), None, None)
            .await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);

        // The scheduler fires; the board and the handler's inbox show it.
        let tick = t.db.app.run_once(NOW_MS).await.unwrap();
        assert_eq!(
            tick.fired, 1,
            "only 通知提供财产线索 is still open and blue"
        );
        let (s, b) = t.json("GET", "/api/v1/board", Some(&cmd), None).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        assert_eq!(b["totals"]["blue"], 1);
        assert_eq!(b["rows"][0]["court"], "川1123");
        let (s, _) = t
            .json("GET", "/api/v1/board", Some(&t.token("judge")), None)
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let handler = v["handler"]["id"].as_str().unwrap();
        let judge_token = if t.court.judges[0].user_id == handler {
            t.token("judge")
        } else {
            t.db.app
                .issue_token(
                    &t.court
                        .judges
                        .iter()
                        .find(|j| j.user_id == handler)
                        .unwrap()
                        .username,
                    "t",
                    NOW_MS,
                )
                .await
                .unwrap()
        };
        let (s, inbox) = t
            .json("GET", "/api/v1/me/notifications", Some(&judge_token), None)
            .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(inbox.as_array().unwrap().len(), 1, "{inbox}");
        assert_eq!(inbox[0]["level"], "blue");
        let (s, due) = t
            .json(
                "GET",
                "/api/v1/me/deadlines?days=7",
                Some(&judge_token),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(due[0]["case_number"], "（2024）川1123执1号");
        assert_eq!(due[0]["node"], "notify_applicant_leads");
        let nid = inbox[0]["id"].as_str().unwrap();
        let (s, _) = t
            .json(
                "POST",
                &format!("/api/v1/me/notifications/{nid}/read"),
                Some(&judge_token),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::NO_CONTENT);

        // 督办 over the API.
        let (s, sup) = t
            .json(
                "POST",
                &format!("/api/v1/cases/{id}/supervisions"),
                Some(&t.token("director")),
                Some(r#"{"reason":"说明查控进度","reply_due_on":"2024-10-08"}"#),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{sup}");
        let sid = sup["id"].as_str().unwrap();
        let (s, r) = t
            .json(
                "POST",
                &format!("/api/v1/supervisions/{sid}/reply"),
                Some(&judge_token),
                Some(r#"{"reply":"已完成首次网络查控"}"#),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{r}");
        assert_eq!(r["status"], "replied");
        t.db.cleanup().await;
    }
}

#[tokio::test]
async fn evidence_files_are_content_addressed_and_tampering_is_detected() {
    use axum::body::Body;
    use axum::http::{Request, header};
    for db in backends().await {
        let t = TestApp::new(db).await;
        let cmd = t.token("command");
        let (_, v) = t
            .json(
                "POST",
                "/api/v1/cases",
                Some(&cmd),
                Some(&filing_body(456, 1_500_000)),
            )
            .await;
        let id = v["id"].as_str().unwrap().to_owned();
        let photo: Vec<u8> = (0..20_000u32)
            .map(|i| u8::try_from(i % 251).unwrap())
            .collect();
        let upload = |bytes: Vec<u8>, media: &str, name: &str| {
            Request::post(format!(
                "/api/v1/cases/{id}/evidence?file_name={}",
                crate::api::urlencode(name)
            ))
            .header(header::AUTHORIZATION, format!("Bearer {cmd}"))
            .header(header::CONTENT_TYPE, media)
            .body(Body::from(bytes))
            .unwrap()
        };
        let (s, _, body) = t
            .call(upload(photo.clone(), "image/jpeg", "现场照片1.jpg"))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{}", String::from_utf8_lossy(&body));
        let e: Value = serde_json::from_slice(&body).unwrap();
        let digest = zhixing_domain::audit::sm3_hex(&photo);
        assert_eq!(e["sm3"], digest);
        assert_eq!(e["size_bytes"], 20_000);
        // Bad uploads name the field.
        for (bytes, media, name, field) in [
            (
                photo.clone(),
                "application/x-msdownload",
                "a.exe",
                "media_type",
            ),
            (photo.clone(), "image/jpeg", "../../etc/passwd", "file_name"),
            (Vec::new(), "image/jpeg", "empty.jpg", "body"),
        ] {
            let (s, _, body) = t.call(upload(bytes, media, name)).await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
            let v: Value = serde_json::from_slice(&body).unwrap();
            assert_eq!(v["error"]["field"], field, "{v}");
        }
        // The upload is audited with its digest; the file reads back with its digest checked.
        let audited = crate::common::count_sql(
            &t,
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM audit_log WHERE action = 'case.evidence'",
        )
        .await;
        assert_eq!(audited, 1);
        let (s, list) = t
            .json(
                "GET",
                &format!("/api/v1/cases/{id}/evidence"),
                Some(&cmd),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        let eid = list[0]["id"].as_str().unwrap().to_owned();
        let get = || {
            Request::get(format!("/api/v1/evidence/{eid}/content"))
                .header(header::AUTHORIZATION, format!("Bearer {cmd}"))
                .body(Body::empty())
                .unwrap()
        };
        let (s, h, body) = t.call(get()).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(body, photo);
        assert_eq!(h["x-content-sm3"], digest.as_str());
        assert_eq!(t.db.app.verify_evidence().await.unwrap(), (1, vec![]));
        // Swap the file on disk: reading refuses it and verification names it.
        let path = t.db.app.evidence_dir.join(&digest[..2]).join(&digest);
        std::fs::write(&path, b"not the photo").unwrap();
        let (s, _, body) = t.call(get()).await;
        assert_eq!(s, StatusCode::CONFLICT);
        let v: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["error"]["code"], "evidence_tampered");
        let (n, bad) = t.db.app.verify_evidence().await.unwrap();
        assert_eq!((n, bad.len()), (1, 1));
        assert_eq!(bad[0].0, eid);
        // Another court's judge (out of scope) cannot read it.
        let (s, _) = t
            .json(
                "GET",
                &format!("/api/v1/cases/{id}/evidence"),
                Some(&t.token("judge3")),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        t.db.cleanup().await;
    }
}

#[tokio::test]
async fn a_court_sets_its_warning_threshold_and_conflict_choice() {
    for db in backends().await {
        let t = TestApp::new(db).await;
        let director = t.token("director");
        let cmd = t.token("command");
        // The court chooses the 10-day CPLI rule for the enforcement notice instead of the
        // stricter default, and a 1-working-day blue window.
        let (s, v) = t
            .json(
                "POST",
                "/api/v1/admin/deadline-settings",
                Some(&director),
                Some(r#"{"blue_working_days":1,"conflict_choices":{"enforcement_notice":"notice_10d_cpli"}}"#),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let (_, c) = t
            .json(
                "POST",
                "/api/v1/cases",
                Some(&cmd),
                Some(&filing_body(456, 1_500_000)),
            )
            .await;
        let id = c["id"].as_str().unwrap();
        let (_, d) = t
            .json(
                "GET",
                &format!("/api/v1/cases/{id}/deadlines"),
                Some(&cmd),
                None,
            )
            .await;
        let notice = d
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["node"] == "enforcement_notice")
            .unwrap();
        // 09-27 + 10 = 10-07, in the National Day holiday → 10-08; more than 1 working day away.
        assert_eq!(notice["rule"], "notice_10d_cpli");
        assert_eq!(notice["due_on"], "2024-10-08");
        assert_eq!(notice["level"], Value::Null);
        // Refusals: a rule outside the group; a threshold out of range; a judge.
        for (body, field) in [
            (
                r#"{"conflict_choices":{"enforcement_notice":"closing_6m"}}"#,
                "rule_id",
            ),
            (r#"{"blue_working_days":99}"#, "blue_working_days"),
        ] {
            let (s, v) = t
                .json(
                    "POST",
                    "/api/v1/admin/deadline-settings",
                    Some(&director),
                    Some(body),
                )
                .await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
            assert_eq!(v["error"]["field"], field, "{v}");
        }
        let (s, _) = t
            .json(
                "POST",
                "/api/v1/admin/deadline-settings",
                Some(&t.token("judge")),
                Some(r#"{"blue_working_days":2}"#),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        t.db.cleanup().await;
    }
}
