//! The measures API and the public portal over HTTP: the stable public contract
//! (`/api/v1/public/dishonest?name=&id=` → `{"items":[…SX2017 art 6 fields…]}`), masking, no
//! personal contact data, refusal of wildcards and oversized queries, the per-client rate limit,
//! the 院长 gate, the DOCX document and the signed partner feed.

use axum::http::StatusCode;
use serde_json::Value;
use zhixing_app::admin::NewUser;
use zhixing_domain::audit::{hmac_sm3_hex, sm3_hex};
use zhixing_testkit::{NOW_MS, PASSWORD, backends, filing, person};

use crate::common::TestApp;

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[tokio::test]
async fn listing_through_the_api_publishes_a_masked_entry_and_a_signed_feed_record() {
    for db in backends().await {
        let t = TestApp::new(db).await;
        let app = &t.db.app;
        let mut debtor = person("钱七", 12);
        debtor.phone = Some("13912345678".into());
        debtor.address = Some("四川省犍为县玉津镇某街 8 号".into());
        let id_number = debtor.id_number.clone().unwrap();
        let case = app
            .file_case(
                &t.court.command,
                &filing("川1123", 31, debtor, 1_234_567),
                NOW_MS,
            )
            .await
            .unwrap()
            .case;
        let party = zhixing_testkit::debtor_id(app, &case).await;
        let president = app
            .issue_token(&t.court.president.username, "t", NOW_MS)
            .await
            .unwrap();
        let sys = zhixing_app::Actor::system("川1123", "最高法/川/川11/川1123");
        app.add_user(
            &sys,
            NewUser {
                court: "川1123".into(),
                role: "partner".into(),
                username: "bank-feed".into(),
                name: "某银行联合惩戒接口".into(),
                team: None,
                password: PASSWORD.into(),
            },
            NOW_MS,
        )
        .await
        .unwrap();
        let partner = app.issue_token("bank-feed", "feed", NOW_MS).await.unwrap();
        let cmd = t.token("command");

        // An unknown field is refused naming it; a fine over the limit names `amount_fen`'s rule.
        let uri = format!("/api/v1/cases/{}/measures", case.id);
        let (s, v) = t
            .json("POST", &uri, Some(&cmd), Some(&serde_json::json!({"kind": "fine", "party_id": party, "amount_fen": 10_000_001, "reason": "x"}).to_string()))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert_eq!(v["error"]["code"], "fine_limit");
        assert_eq!(v["error"]["field"], "amount");

        // 复议 of an approved fine goes to the next-higher court (CPL art 119; CPLI art 185).
        let (s, fine) = t
            .json("POST", &uri, Some(&cmd), Some(&serde_json::json!({"kind": "fine", "party_id": party, "amount_fen": 2_000_000, "reason": "拒不报告财产"}).to_string()))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{fine}");
        let fid = fine["id"].as_str().unwrap().to_owned();
        let (s, _) = t
            .json(
                "POST",
                &format!("/api/v1/measures/{fid}/decision"),
                Some(&president),
                Some(r#"{"approve": true}"#),
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        let review_uri = format!("/api/v1/measures/{fid}/review");
        let (s, e) = t
            .json(
                "POST",
                &review_uri,
                Some(&cmd),
                Some(r#"{"applicant": "钱七", "when": "x"}"#),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        let (s, r) = t
            .json("POST", &review_uri, Some(&cmd), Some(r#"{"applicant": "钱七", "received_on": "2024-09-27", "applied_on": "2024-09-27", "reason": "罚款过重"}"#))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{r}");
        assert_eq!(
            (
                r["status"].as_str(),
                r["review_court"].as_str(),
                r["decide_by"].as_str()
            ),
            (Some("pending"), Some("川11"), Some("2024-10-08"))
        );
        let (s, _) = t.json("GET", "/api/v1/reviews", Some(&cmd), None).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "only a 院长 decides 复议");

        // A detention carried out with its times: the family notice is checked to the minute
        // (CPLI art 180: within 24 hours), and both times come back on the measure.
        let (s, det) = t
            .json("POST", &uri, Some(&cmd), Some(&serde_json::json!({"kind": "detention", "party_id": party, "days": 5, "reason": "拒不履行"}).to_string()))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{det}");
        let did = det["id"].as_str().unwrap().to_owned();
        let (s, _) = t
            .json(
                "POST",
                &format!("/api/v1/measures/{did}/decision"),
                Some(&president),
                Some(r#"{"approve": true}"#),
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        let exec = format!("/api/v1/measures/{did}/execution");
        let (s, e) = t
            .json("POST", &exec, Some(&cmd), Some(r#"{"note": "已送拘留所", "executed_at": "2024-09-27 08:00", "family_notified_at": "2024-09-27 07:59"}"#))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(
            (e["error"]["code"].as_str(), e["error"]["field"].as_str()),
            (Some("family_notice"), Some("family_notified_at"))
        );
        let (s, e) = t
            .json("POST", &exec, Some(&cmd), Some(r#"{"note": "已送拘留所", "executed_at": "2024-09-27 08:00", "family_notified_at": "2024-09-27 10:30"}"#))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(e["error"]["code"], "date_in_future");
        let (s, m) = t
            .json("POST", &exec, Some(&cmd), Some(r#"{"note": "已送拘留所", "executed_at": "2024-09-27T08:00", "family_notified_at": "2024-09-27 09:15"}"#))
            .await;
        assert_eq!(s, StatusCode::OK, "{m}");
        assert_eq!(
            (
                m["executed_on"].as_str(),
                m["executed_at"].as_str(),
                m["family_notified_at"].as_str(),
                m["expires_on"].as_str()
            ),
            (
                Some("2024-09-27"),
                Some("2024-09-27 08:00"),
                Some("2024-09-27 09:15"),
                Some("2024-10-02")
            )
        );

        // A search carried out needs its record (CPLI arts 495–498); an unknown field is a 422
        // naming it; the record comes back on the measure.
        let (s, se) = t
            .json("POST", &uri, Some(&cmd), Some(&serde_json::json!({"kind": "search", "party_id": party, "place": "某小区 3 栋 501 室", "reason": "隐匿财产"}).to_string()))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{se}");
        let sid = se["id"].as_str().unwrap().to_owned();
        let (s, _) = t
            .json(
                "POST",
                &format!("/api/v1/measures/{sid}/decision"),
                Some(&president),
                Some(r#"{"approve": true}"#),
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        let sexec = format!("/api/v1/measures/{sid}/execution");
        let (s, e) = t
            .json(
                "POST",
                &sexec,
                Some(&cmd),
                Some(r#"{"on": "2024-09-27", "note": "搜查"}"#),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(
            (e["error"]["code"].as_str(), e["error"]["field"].as_str()),
            (Some("required"), Some("search"))
        );
        let record = serde_json::json!({"warrant_shown": true, "present": "", "refused_to_attend": true,
            "findings": "未发现可供执行的财产", "signed": false, "refusal_note": "被执行人拒不到场，无人签名"});
        let (s, e) = t
            .json("POST", &sexec, Some(&cmd), Some(&serde_json::json!({"on": "2024-09-27", "note": "搜查", "search": {"warrant": true}}).to_string()))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        let (s, m) = t
            .json(
                "POST",
                &sexec,
                Some(&cmd),
                Some(
                    &serde_json::json!({"on": "2024-09-27", "note": "搜查", "search": record})
                        .to_string(),
                ),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{m}");
        assert_eq!(
            (
                m["search_record"]["refused_to_attend"].as_bool(),
                m["search_record"]["findings"].as_str()
            ),
            (Some(true), Some("未发现可供执行的财产"))
        );
        let (s, h, body) = t
            .call(
                axum::http::Request::get(format!("/api/v1/measures/{sid}/search-record"))
                    .header("authorization", format!("Bearer {cmd}"))
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(
            h.get("content-type").unwrap(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        );
        assert!(body.starts_with(b"PK"));
        let (s, e) = t
            .json(
                "GET",
                &format!("/api/v1/measures/{did}/search-record"),
                Some(&cmd),
                None,
            )
            .await;
        assert_eq!(
            (s, e["error"]["code"].as_str()),
            (StatusCode::CONFLICT, Some("no_record"))
        );

        let body = serde_json::json!({"kind": "dishonest", "party_id": party, "ground": 4, "reason": "拒不报告财产"}).to_string();
        let (s, m) = t.json("POST", &uri, Some(&cmd), Some(&body)).await;
        assert_eq!(s, StatusCode::CREATED, "{m}");
        assert_eq!(m["status"], "pending_approval");
        let mid = m["id"].as_str().unwrap().to_owned();
        // The approver queue shows it to the 院长 only.
        let (s, q) = t
            .json("GET", "/api/v1/approvals", Some(&president), None)
            .await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            q["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|x| x["id"] == mid.as_str())
        );
        let (s, _) = t.json("GET", "/api/v1/approvals", Some(&cmd), None).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        // No document before the decision; the handler cannot approve.
        let (s, _) = t
            .json(
                "GET",
                &format!("/api/v1/measures/{mid}/document"),
                Some(&cmd),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::CONFLICT);
        let dec = format!("/api/v1/measures/{mid}/decision");
        let (s, _) = t
            .json("POST", &dec, Some(&cmd), Some(r#"{"approve": true}"#))
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, m) = t
            .json(
                "POST",
                &dec,
                Some(&president),
                Some(r#"{"approve": true, "comment": "同意"}"#),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{m}");
        assert_eq!(m["status"], "effective");

        // The DOCX opens as a zip and names the debtor.
        let req = axum::http::Request::builder()
            .uri(format!("/api/v1/measures/{mid}/document"))
            .header("authorization", format!("Bearer {cmd}"))
            .body(axum::body::Body::empty())
            .unwrap();
        let (s, h, bytes) = t.call(req).await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            h["content-type"]
                .to_str()
                .unwrap()
                .contains("wordprocessingml")
        );
        assert!(bytes.starts_with(b"PK"));

        // The public lookup: no login, the SX2017 art 6 fields, masked, no contact data.
        let q = format!(
            "/api/v1/public/dishonest?name={}&id={}",
            enc("钱七"),
            id_number
        );
        let req = axum::http::Request::builder()
            .uri(&q)
            .body(axum::body::Body::empty())
            .unwrap();
        let (s, h, bytes) = t.call(req).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(h["content-type"], "application/json");
        // The answer is written from the in-memory list without copying the entry: byte for byte
        // what the owned items serialise to.
        let owned = app
            .public_lookup(
                "dishonest",
                "钱七",
                &id_number,
                zhixing_domain::measure::DEFAULT_ID_MASK,
                NOW_MS,
            )
            .await
            .unwrap();
        assert_eq!(owned.len(), 1);
        assert_eq!(
            bytes,
            serde_json::to_vec(&zhixing_web::api_measures::PublicOut {
                items: owned,
                count: None
            })
            .unwrap()
        );
        let raw = String::from_utf8(bytes).unwrap();
        assert!(!raw.contains(&id_number), "full ID number leaked: {raw}");
        assert!(
            !raw.contains("13912345678") && !raw.contains("玉津镇"),
            "contact data leaked: {raw}"
        );
        let v: Value = serde_json::from_str(&raw).unwrap();
        let item = &v["items"][0];
        for k in [
            "name",
            "id_masked",
            "sex",
            "age",
            "case_number",
            "court",
            "basis",
            "obligation",
            "performance",
            "conduct",
            "filed_on",
            "listed_on",
        ] {
            assert!(item.get(k).is_some(), "field {k} missing in {item}");
        }
        assert_eq!(item["name"], "钱七");
        assert_eq!(item["case_number"], case.case_number.as_str());
        let masked = item["id_masked"].as_str().unwrap();
        assert_eq!(&masked[..10], &id_number[..10]);
        assert_eq!(&masked[10..14], "****");
        assert_eq!(&masked[14..], &id_number[14..]);
        // Not on the other lists' terms: 限制消费 is pending the 院长's signature, 终本 not reached.
        let (s, v) = t
            .json("GET", &q.replace("dishonest", "terminated"), None, None)
            .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(v["items"].as_array().unwrap().len(), 0);
        // Wildcards and bad numbers are refused, naming the field.
        let (s, v) = t
            .json(
                "GET",
                &format!("/api/v1/public/dishonest?name={}&id=5111%25", enc("钱七")),
                None,
                None,
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(v["error"]["field"], "id");
        let (s, v) = t
            .json(
                "GET",
                &format!(
                    "/api/v1/public/dishonest?name={}&id={id_number}",
                    enc("钱%")
                ),
                None,
                None,
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(v["error"]["field"], "name");
        let (s, v) = t
            .json(
                "GET",
                &format!(
                    "/api/v1/public/dishonest?name={}&id={id_number}",
                    "a".repeat(300)
                ),
                None,
                None,
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(v["error"]["code"], "too_long");
        // A parameter given twice is refused, not silently resolved; unknown ones are ignored;
        // the key is normalised (blank-trimmed, upper case).
        let (s, v) = t
            .json(
                "GET",
                &format!(
                    "/api/v1/public/dishonest?name={0}&id={id_number}&name={0}",
                    enc("钱七")
                ),
                None,
                None,
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(v["error"]["code"], "query");
        let (s, v) = t
            .json(
                "GET",
                &format!(
                    "/api/v1/public/dishonest?page=2&id=+{}+&name={}",
                    id_number.to_ascii_lowercase(),
                    enc("钱七")
                ),
                None,
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["items"].as_array().unwrap().len(), 1);

        // The partner feed: signed with HMAC-SM3 keyed by the SM3 of the partner's token.
        // (Changes are served after a 5 s settle window; the test clock is fixed, so the add made
        // "now" is not served yet — move past it through the app.)
        let (s, _) = t
            .json("GET", "/api/v1/partner/list-changes", Some(&cmd), None)
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let req = axum::http::Request::builder()
            .uri("/api/v1/partner/list-changes?after=&limit=10")
            .header("authorization", format!("Bearer {partner}"))
            .body(axum::body::Body::empty())
            .unwrap();
        let (s, h, bytes) = t.call(req).await;
        assert_eq!(s, StatusCode::OK);
        let sig = h["x-zhixing-signature"].to_str().unwrap().to_owned();
        assert_eq!(
            sig,
            format!(
                "hmac-sm3={}",
                hmac_sm3_hex(sm3_hex(partner.as_bytes()).as_bytes(), &bytes)
            )
        );
        let later = app
            .list_changes(
                &app.authenticate_token(&partner).await.unwrap(),
                "",
                10,
                NOW_MS + 10_000,
            )
            .await
            .unwrap();
        assert_eq!(later.len(), 1);
        assert_eq!(later[0].op, "add");

        // The partner bulk check: one call, one answer per key in order, keys normalised,
        // entries masked; a malformed key refuses the whole call naming it; partners only.
        let other = person("某某", 3).id_number.unwrap();
        let body = serde_json::json!({
            "list": "dishonest",
            "keys": [format!(" {} ", id_number.to_lowercase()), other],
        })
        .to_string();
        let (s, v) = t
            .json("POST", "/api/v1/partner/check", Some(&partner), Some(&body))
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let results = v["results"].as_array().unwrap();
        assert_eq!(results.len(), 2);
        assert_eq!(results[0]["key"], id_number.to_uppercase().as_str());
        assert_eq!(results[0]["listed"], true);
        assert_eq!(results[0]["items"][0]["name"], "钱七");
        assert_eq!(
            results[0]["items"][0]["case_number"],
            case.case_number.as_str()
        );
        assert_eq!(
            results[0]["items"][0]["id_masked"],
            item["id_masked"].as_str().unwrap()
        );
        assert_eq!(results[1]["key"], other.as_str());
        assert_eq!(results[1]["listed"], false);
        assert_eq!(results[1]["items"].as_array().unwrap().len(), 0);
        let (s, _) = t
            .json("POST", "/api/v1/partner/check", Some(&cmd), Some(&body))
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        for (bad, field) in [
            (
                serde_json::json!({"list": "dishonest", "keys": [id_number, "5111%"]}),
                "keys[1]",
            ),
            (
                serde_json::json!({"list": "everyone", "keys": [id_number]}),
                "list",
            ),
            (serde_json::json!({"list": "dishonest", "keys": []}), "keys"),
            (
                serde_json::json!({"list": "dishonest", "keys": vec![other.clone(); 1001]}),
                "keys",
            ),
        ] {
            let (s, v) = t
                .json(
                    "POST",
                    "/api/v1/partner/check",
                    Some(&partner),
                    Some(&bad.to_string()),
                )
                .await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {v}");
            assert_eq!(v["error"]["field"], field, "{v}");
        }
        t.db.cleanup().await;
    }
}

/// A 拘传 is carried out through the API with its 询问笔录 (`ExecutionRequest.questioning`, CPLI
/// art 482; CPL arts 133, 150): missing, an unknown field or an unanswered question is a 422
/// naming the field; the stored record comes back on the measure (`questioning_record`) and
/// prints as DOCX at `/api/v1/measures/{id}/questioning-record` (bearer only); another measure
/// there is 409 `no_record`.
#[tokio::test]
async fn a_summons_is_executed_with_its_questioning_record_through_the_api() {
    for db in backends().await {
        let t = TestApp::new(db).await;
        let app = &t.db.app;
        let debtor = person("冯十三", 23);
        let id_number = debtor.id_number.clone().unwrap();
        let case = app
            .file_case(
                &t.court.command,
                &filing("川1123", 33, debtor, 800_000),
                NOW_MS,
            )
            .await
            .unwrap()
            .case;
        let party = zhixing_testkit::debtor_id(app, &case).await;
        let president = app
            .issue_token(&t.court.president.username, "t", NOW_MS)
            .await
            .unwrap();
        let cmd = t.token("command");
        let uri = format!("/api/v1/cases/{}/measures", case.id);
        let approve = async |id: &str| {
            let (s, v) = t
                .json(
                    "POST",
                    &format!("/api/v1/measures/{id}/decision"),
                    Some(&president),
                    Some(r#"{"approve": true}"#),
                )
                .await;
            assert_eq!(s, StatusCode::OK, "{v}");
        };
        let (s, m) = t
            .json("POST", &uri, Some(&cmd), Some(&serde_json::json!({"kind": "summons", "party_id": party, "hours": 8,
                "summoned_for": "2024-09-25", "place": "2024-09-27 08:00 本院执行局", "reason": "经依法传唤无正当理由拒不到场"}).to_string()))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{m}");
        let sid = m["id"].as_str().unwrap().to_owned();
        approve(&sid).await;
        let (s, f) = t
            .json("POST", &uri, Some(&cmd), Some(&serde_json::json!({"kind": "fine", "party_id": party, "amount_fen": 500_000, "reason": "拒不到场"}).to_string()))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{f}");
        let fid = f["id"].as_str().unwrap().to_owned();
        approve(&fid).await;

        let exec = format!("/api/v1/measures/{sid}/execution");
        let record = serde_json::json!({
            "place": "本院执行局询问室",
            "began_at": "2024-09-27T08:10",
            "ended_at": "2024-09-27 09:40",
            "questioners": ["李四", "钱七"],
            "recorder": "孙八",
            "subject_name": "冯十三",
            "subject_id_number": id_number,
            "credentials_shown": true,
            "rights_told": true,
            "false_statement_warned": true,
            "qa": [
                {"question": "你现在有哪些财产？", "answer": "名下有一辆货车，已抵押给银行。"},
                {"question": "为何不到庭？", "answer": "在外地送货。"}
            ],
            "read_over": "read_aloud",
            "signed": false,
            "refusal_note": "被询问人拒绝签名"
        });
        let body = |q: Option<&Value>| {
            let mut b = serde_json::json!({"on": "2024-09-27", "note": "拘传到院接受调查询问",
                "executed_at": "2024-09-27 08:00", "questioning_ended_at": "2024-09-27 09:40"});
            if let Some(q) = q {
                b["questioning"] = q.clone();
            }
            b.to_string()
        };
        let mut unknown = record.clone();
        unknown["qa"][0]["note"] = Value::from("x");
        let mut unanswered = record.clone();
        unanswered["qa"][1]["answer"] = Value::from("");
        let unsigned_officers = record.clone();
        for (q, code, field) in [
            (None, "required", "questioning"),
            (Some(&unknown), "invalid_type", "questioning.qa[0]"),
            (Some(&unanswered), "required", "questioning.qa[1].answer"),
            (
                Some(&unsigned_officers),
                "questioning_signature",
                "questioning.officers_signed",
            ),
        ] {
            let (s, e) = t.json("POST", &exec, Some(&cmd), Some(&body(q))).await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
            assert_eq!(e["error"]["code"].as_str(), Some(code), "{e}");
            assert!(
                e["error"]["field"]
                    .as_str()
                    .is_some_and(|f| f.starts_with(field)),
                "{field}: {e}"
            );
        }
        let mut ok = record.clone();
        ok["officers_signed"] = Value::from(true);
        let (s, m) = t
            .json("POST", &exec, Some(&cmd), Some(&body(Some(&ok))))
            .await;
        assert_eq!(s, StatusCode::OK, "{m}");
        let r = &m["questioning_record"];
        assert_eq!(
            (
                r["began_at"].as_str(),
                r["recorder"].as_str(),
                r["qa"][1]["answer"].as_str(),
                r["refusal_note"].as_str(),
            ),
            (
                Some("2024-09-27 08:10"),
                Some("孙八"),
                Some("在外地送货。"),
                Some("被询问人拒绝签名")
            )
        );
        // The 询问笔录 as DOCX with a bearer token; another measure has none (409).
        let get = |id: &str, token: Option<&str>| {
            let mut req =
                axum::http::Request::get(format!("/api/v1/measures/{id}/questioning-record"));
            if let Some(tok) = token {
                req = req.header("authorization", format!("Bearer {tok}"));
            }
            req.body(axum::body::Body::empty()).unwrap()
        };
        let (s, h, docx) = t.call(get(&sid, Some(&cmd))).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(
            h.get("content-type").unwrap(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        );
        assert!(docx.starts_with(b"PK"));
        let (s, _, _) = t.call(get(&sid, None)).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        let (s, e) = t
            .json(
                "GET",
                &format!("/api/v1/measures/{fid}/questioning-record"),
                Some(&cmd),
                None,
            )
            .await;
        assert_eq!(
            (s, e["error"]["code"].as_str()),
            (StatusCode::CONFLICT, Some("no_record"))
        );
        // A record is refused on anything but a 拘传.
        let (s, e) = t
            .json(
                "POST",
                &format!("/api/v1/measures/{fid}/execution"),
                Some(&cmd),
                Some(
                    &serde_json::json!({"on": "2024-09-27", "note": "罚款", "questioning": ok})
                        .to_string(),
                ),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(
            (e["error"]["code"].as_str(), e["error"]["field"].as_str()),
            (Some("not_a_summons"), Some("questioning"))
        );
        t.db.cleanup().await;
    }
}

#[tokio::test]
async fn the_public_portal_is_rate_limited_per_client() {
    let t = TestApp::new(zhixing_testkit::sqlite().await).await;
    let id = person("某某", 3).id_number.unwrap();
    let q = format!("/api/v1/public/restricted?name={}&id={id}", enc("某某"));
    let mut statuses = Vec::new();
    for _ in 0..32 {
        let (s, _) = t.json("GET", &q, None, None).await;
        statuses.push(s);
    }
    assert!(
        statuses[..30].iter().all(|s| *s == StatusCode::OK),
        "{statuses:?}"
    );
    assert_eq!(statuses[30], StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(statuses[31], StatusCode::TOO_MANY_REQUESTS);
    t.db.cleanup().await;
}

#[tokio::test]
async fn a_party_follows_the_case_with_its_query_code() {
    for db in backends().await {
        let t = TestApp::new(db).await;
        let app = &t.db.app;
        let debtor = person("郑一", 16);
        let debtor_id = debtor.id_number.clone().unwrap();
        let case = app
            .file_case(
                &t.court.command,
                &filing("川1123", 32, debtor, 500_000),
                NOW_MS,
            )
            .await
            .unwrap()
            .case;
        let cmd = t.token("command");
        let (s, v) = t
            .json(
                "POST",
                &format!("/api/v1/cases/{}/query-codes", case.id),
                Some(&cmd),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        let codes = v["codes"].as_array().unwrap();
        assert_eq!(codes.len(), 2, "applicant and debtor");
        let code = codes.iter().find(|c| c["party"] == "郑一").unwrap()["code"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(code.len(), 8);
        let q = |id: &str, code: &str| {
            format!(
                "/api/v1/public/case-progress?case_number={}&id={id}&code={code}",
                enc(&case.case_number)
            )
        };
        // The right triple shows the process; any wrong part is the same 404.
        let (s, p) = t.json("GET", &q(&debtor_id, &code), None, None).await;
        assert_eq!(s, StatusCode::OK, "{p}");
        assert_eq!(p["case_number"], case.case_number.as_str());
        let events: Vec<String> = p["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e[1].as_str().unwrap().to_owned())
            .collect();
        assert!(events.contains(&"立案".to_owned()), "{events:?}");
        let raw = p.to_string();
        let applicant_id = person("张三", 900_001).id_number.unwrap();
        assert!(
            !raw.contains(&applicant_id) && !raw.contains(&debtor_id),
            "no ID numbers in {raw}"
        );
        let (s1, _) = t.json("GET", &q(&debtor_id, "AAAAAAAA"), None, None).await;
        let (s2, _) = t
            .json(
                "GET",
                &q(
                    &applicant_id[..17].to_owned().replace(|_: char| false, ""),
                    &code,
                ),
                None,
                None,
            )
            .await;
        let (s3, _) = t
            .json(
                "GET",
                &q(&person("别人", 99).id_number.unwrap(), &code),
                None,
                None,
            )
            .await;
        assert_eq!(
            (s1, s2, s3),
            (
                StatusCode::NOT_FOUND,
                StatusCode::NOT_FOUND,
                StatusCode::NOT_FOUND
            )
        );
        // A new issue replaces the old code.
        t.json(
            "POST",
            &format!("/api/v1/cases/{}/query-codes", case.id),
            Some(&cmd),
            None,
        )
        .await;
        let (s, _) = t.json("GET", &q(&debtor_id, &code), None, None).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        // The page works too (no login).
        let (s, _, body) = t
            .call(
                axum::http::Request::builder()
                    .uri(format!(
                        "/public/progress?case_number={}&id={debtor_id}&code=WRONG123",
                        enc(&case.case_number)
                    ))
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        assert!(String::from_utf8(body).unwrap().contains("查询码不正确"));
        t.db.cleanup().await;
    }
}
