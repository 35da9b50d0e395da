use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use zhixing_testkit::{PASSWORD, backends};

use crate::common::TestApp;

pub(crate) fn csrf_of(html: &str) -> String {
    let key = "name=\"csrf\" value=\"";
    let start = html.find(key).expect("csrf field") + key.len();
    html[start..].split('"').next().unwrap().to_owned()
}

pub(crate) fn cookie_of(h: &axum::http::HeaderMap, name: &str) -> Option<String> {
    h.get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with(&format!("{name}=")))
        .map(|c| c.split(';').next().unwrap().to_owned())
}

pub(crate) fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", crate::api::urlencode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

pub(crate) async fn login(
    t: &TestApp,
    user: &str,
    pw: &str,
) -> (StatusCode, Option<String>, String) {
    let (_, h, body) = t
        .call(Request::get("/login").body(Body::empty()).unwrap())
        .await;
    let pre = cookie_of(&h, "zx_prelogin").unwrap();
    let csrf = csrf_of(&String::from_utf8(body).unwrap());
    let req = Request::post("/login")
        .header(header::COOKIE, pre)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form(&[
            ("csrf", &csrf),
            ("username", user),
            ("password", pw),
        ])))
        .unwrap();
    let (s, h, body) = t.call(req).await;
    (
        s,
        cookie_of(&h, "zx_session"),
        String::from_utf8(body).unwrap(),
    )
}

pub(crate) async fn page(t: &TestApp, uri: &str, cookie: &str) -> (StatusCode, String) {
    let (s, _, body) = t
        .call(
            Request::get(uri)
                .header(header::COOKIE, cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    (s, String::from_utf8(body).unwrap())
}

#[tokio::test]
async fn login_file_find_and_guards() {
    for db in backends().await {
        let t = TestApp::new(db).await;
        // Anonymous pages redirect to the login form.
        let (s, h, _) = t
            .call(Request::get("/cases").body(Body::empty()).unwrap())
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        assert_eq!(h["location"], "/login");

        let (s, sess, body) = login(&t, "wcommand", "wrong-password1").await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        assert!(sess.is_none());
        assert!(body.contains("用户名或密码错误"));

        let (s, sess, _) = login(&t, "wcommand", PASSWORD).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let sess = sess.expect("session cookie");

        // The filing form, in Chinese by default.
        let (s, html) = page(&t, "/cases/new", &sess).await;
        assert_eq!(s, StatusCode::OK);
        assert!(html.contains("执行立案"));
        let csrf = csrf_of(&html);
        let applicant = zhixing_testkit::person("张三", 900_001).id_number.unwrap();
        let debtor = zhixing_testkit::person("赵六", 77).id_number.unwrap();
        let mut fields: Vec<(&str, String)> = vec![
            ("csrf", csrf.clone()),
            ("type_code", "执".into()),
            ("filed_on", "2024-09-27".into()),
            ("claim", "12,345.67".into()),
            ("basis_court", "川1123".into()),
            ("basis_document_number", "(2024)川1123民初88号".into()),
            ("basis_document_type", "民事判决书".into()),
            ("a_kind", "person".into()),
            ("a_name", "张三".into()),
            ("a_ident", applicant),
            ("d0_kind", "person".into()),
            ("d0_name", "赵六".into()),
            ("d0_ident", "511123199001010011".into()),
        ];
        let post = |fields: &Vec<(&str, String)>, cookie: &str| {
            let body = form(
                &fields
                    .iter()
                    .map(|(k, v)| (*k, v.as_str()))
                    .collect::<Vec<_>>(),
            );
            Request::post("/cases/new")
                .header(header::COOKIE, cookie.to_owned())
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .unwrap()
        };
        // Bad ID: the form comes back with the error next to the field and the values kept.
        let (s, _, body) = t.call(post(&fields, &sess)).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        let html = String::from_utf8(body).unwrap();
        assert!(
            html.contains("id=\"err-d0_ident\">身份证号校验码错误"),
            "inline error missing"
        );
        assert!(html.contains("value=\"赵六\""));
        // Without the CSRF token: refused, nothing written.
        let mut no_csrf = fields.clone();
        no_csrf[0].1 = "forged".into();
        fields[12].1 = debtor.clone();
        no_csrf[12].1 = debtor.clone();
        let (s, _, _) = t.call(post(&no_csrf, &sess)).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        // Valid: redirected to the new case.
        let (s, h, _) = t.call(post(&fields, &sess)).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let loc = h["location"].to_str().unwrap().to_owned();
        let (s, html) = page(&t, &loc, &sess).await;
        assert_eq!(s, StatusCode::OK);
        assert!(html.contains("（2024）川1123执1号"));
        assert!(html.contains("12,345.67 元"));
        assert!(html.contains("赵六"));
        // Found again through the search box.
        let (_, html) = page(&t, "/cases?q=%E8%B5%B5%E5%85%AD", &sess).await;
        assert!(html.contains("（2024）川1123执1号"));
        let (_, html) = page(&t, "/cases?q=nobody", &sess).await;
        assert!(!html.contains("（2024）川1123执1号"));

        // English on request.
        let (_, html) = page(&t, "/cases", &format!("{sess}; zx_lang=en")).await;
        assert!(html.contains("Case number"));

        // Logout needs the CSRF token, then the session is gone.
        let out = Request::post("/logout")
            .header(header::COOKIE, sess.clone())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!("csrf={csrf}")))
            .unwrap();
        let (s, _, _) = t.call(out).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (s, _) = page(&t, "/cases", &sess).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        t.db.cleanup().await;
    }
}

#[tokio::test]
async fn login_rate_limit_and_cookie_flags() {
    let t = TestApp::new(zhixing_testkit::sqlite().await).await;
    for _ in 0..5 {
        let (s, _, _) = login(&t, "wjudge1", "wrong-password1").await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
    }
    // Sixth attempt, even with the right password, is refused for the window.
    let (s, sess, _) = login(&t, "wjudge1", PASSWORD).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    assert!(sess.is_none());
    // Another user is not affected; the session cookie is HttpOnly and SameSite=Strict.
    let (_, h, body) = t
        .call(Request::get("/login").body(Body::empty()).unwrap())
        .await;
    let pre = cookie_of(&h, "zx_prelogin").unwrap();
    let csrf = csrf_of(&String::from_utf8(body).unwrap());
    let req = Request::post("/login")
        .header(header::COOKIE, pre)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form(&[
            ("csrf", &csrf),
            ("username", "wdirector"),
            ("password", PASSWORD),
        ])))
        .unwrap();
    let (s, h, _) = t.call(req).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let set = h
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("zx_session="))
        .unwrap();
    assert!(set.contains("HttpOnly"), "{set}");
    assert!(set.contains("SameSite=Strict"), "{set}");
    t.db.cleanup().await;
}

pub(crate) async fn post_form(
    t: &TestApp,
    uri: &str,
    cookie: &str,
    pairs: &[(&str, &str)],
) -> (StatusCode, String, String) {
    let req = Request::post(uri)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form(pairs)))
        .unwrap();
    let (s, h, body) = t.call(req).await;
    let location = h
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (s, location, String::from_utf8(body).unwrap())
}

#[tokio::test]
async fn deadline_pages_board_and_inbox() {
    for db in backends().await {
        let t = TestApp::new(db).await;
        let (s, v) = t
            .json(
                "POST",
                "/api/v1/cases",
                Some(&t.token("command")),
                Some(&crate::common::filing_body(456, 1_500_000)),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED);
        let id = v["id"].as_str().unwrap().to_owned();
        t.db.app.run_once(zhixing_testkit::NOW_MS).await.unwrap();
        let (_, cookie, _) = login(&t, "wcommand", PASSWORD).await;
        let cookie = cookie.unwrap();

        // The case's deadline page explains each date.
        let (s, html) = page(&t, &format!("/cases/{id}/deadlines"), &cookie).await;
        assert_eq!(s, StatusCode::OK);
        for needle in [
            "发出执行通知书",
            "为何是这一天",
            "2024-09-30",
            "蓝色预警",
            "民事诉讼法第八十五条",
            "2024-10-27 为节假日，顺延至 2024-10-28",
        ] {
            assert!(html.contains(needle), "{needle} missing");
        }
        // Record a node through the form: redirect back; the deadline shows done.
        let csrf = csrf_of(&html);
        let (s, loc, _) = post_form(
            &t,
            &format!("/cases/{id}/events"),
            &cookie,
            &[
                ("csrf", &csrf),
                ("node", "enforcement_notice"),
                ("on", "2024-09-27"),
                ("note", ""),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{loc}");
        assert_eq!(loc, format!("/cases/{id}/deadlines"));
        let (_, html) = page(&t, &format!("/cases/{id}/deadlines"), &cookie).await;
        assert!(html.contains("已完成"));
        // A bad date re-renders the page with the error and the field.
        let (s, _, html) = post_form(
            &t,
            &format!("/cases/{id}/events"),
            &cookie,
            &[
                ("csrf", &csrf),
                ("node", "lead_received"),
                ("on", "2024-10-20"),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            html.contains("id=\"form-error\"") && html.contains("event_in_future"),
            "{html}"
        );
        // Without the CSRF token nothing is written.
        let (s, _, _) = post_form(
            &t,
            &format!("/cases/{id}/events"),
            &cookie,
            &[("node", "lead_received"), ("on", "2024-09-27")],
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN);

        // The board: KPI figures and a server-made SVG chart.
        let (s, html) = page(&t, "/board", &cookie).await;
        assert_eq!(s, StatusCode::OK);
        assert!(html.contains("<svg"), "chart missing");
        assert!(html.contains("id=\"kpi-blue\""));
        assert!(html.contains("速执一组"));

        // A judge has no board but a due list and an inbox.
        let handler = v["handler"]["id"].as_str().unwrap();
        let judge = t
            .court
            .judges
            .iter()
            .find(|j| j.user_id == handler)
            .unwrap();
        let (_, jc, _) = login(&t, &judge.username, PASSWORD).await;
        let jc = jc.unwrap();
        let (s, _) = page(&t, "/board", &jc).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, html) = page(&t, "/deadlines", &jc).await;
        assert_eq!(s, StatusCode::OK);
        assert!(html.contains("通知申请执行人提供财产线索"));
        let (s, html) = page(&t, "/inbox", &jc).await;
        assert_eq!(s, StatusCode::OK);
        assert!(html.contains("蓝色预警"));
        t.db.cleanup().await;
    }
}

#[tokio::test]
async fn case_page_shows_the_funds_section() {
    for db in backends().await {
        let t = TestApp::new(db).await;
        let (bank, case_id, account) = crate::funds::setup(&t).await;
        let body = serde_json::json!({
            "idempotency_key": "ui-1", "account_number": account, "amount_fen": 150_000,
            "payer_name": "李四", "payer_account": "6", "received_at": "2024-09-27T09:30:00+08:00",
            "bank_reference": "UI-1",
        })
        .to_string();
        let (s, v) = t
            .json("POST", "/api/v1/funds/receipts", Some(&bank), Some(&body))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        let (_, sess, _) = login(&t, "wcommand", PASSWORD).await;
        let (s, html) = page(&t, &format!("/cases/{case_id}"), &sess.unwrap()).await;
        assert_eq!(s, StatusCode::OK);
        assert!(html.contains("id=\"funds\""), "{html}");
        assert!(html.contains(&format!(
            "<dd class=\"mono\" id=\"funds-account\">{account}</dd>"
        )));
        assert!(
            html.contains("<dd id=\"funds-balance\">1,500.00 元</dd>"),
            "{html}"
        );
        assert!(html.contains("到账"));
        t.db.cleanup().await;
    }
}

#[tokio::test]
async fn measures_pages_propose_approve_and_the_public_portal() {
    let t = TestApp::new(zhixing_testkit::sqlite().await).await;
    let app = &t.db.app;
    let case = app
        .file_case(
            &t.court.command,
            &zhixing_testkit::filing("川1123", 41, zhixing_testkit::person("孙八", 21), 900_000),
            zhixing_testkit::NOW_MS,
        )
        .await
        .unwrap()
        .case;
    let id_number = zhixing_testkit::person("孙八", 21).id_number.unwrap();
    let (_, cmd, _) = login(&t, &t.court.command.username, PASSWORD).await;
    let cmd = cmd.unwrap();
    let uri = format!("/cases/{}/measures", case.id);
    let (s, html) = page(&t, &uri, &cmd).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("提请采取措施") && html.contains("须院长批准"));
    let party = {
        let key = "name=\"party_id\" id=\"measure-party\"><option value=\"";
        let start = html.find(key).expect("debtor option") + key.len();
        html[start..].split('"').next().unwrap().to_owned()
    };
    let post = |cookie: String, csrf: String, uri: String, body: Vec<(&'static str, String)>| {
        let pairs: Vec<(&str, &str)> = body.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let mut pairs = pairs;
        pairs.push(("csrf", &csrf));
        Request::post(uri)
            .header(header::COOKIE, cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(form(&pairs)))
            .unwrap()
    };
    // A fine above the limit shows the rule beside the form.
    let req = post(
        cmd.clone(),
        csrf_of(&html),
        uri.clone(),
        vec![
            ("kind", "fine".into()),
            ("party_id", party.clone()),
            ("amount_yuan", "100,000.01".into()),
            ("reason", "转移财产".into()),
        ],
    );
    let (s, _, body) = t.call(req).await;
    assert_eq!(s, StatusCode::OK);
    let body = String::from_utf8(body).unwrap();
    assert!(
        body.contains("id=\"form-error\"") && body.contains("fine_limit"),
        "{body}"
    );
    // A 失信 listing goes to the 院长.
    let req = post(
        cmd.clone(),
        csrf_of(&html),
        uri.clone(),
        vec![
            ("kind", "dishonest".into()),
            ("party_id", party.clone()),
            ("ground", "4".into()),
            ("reason", "拒不报告财产".into()),
        ],
    );
    let (s, _, _) = t.call(req).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, html) = page(&t, &uri, &cmd).await;
    assert!(html.contains("待院长审批"));
    assert!(
        !html.contains("/decision"),
        "the handler has no approve button"
    );
    let (_, pres, _) = login(&t, &t.court.president.username, PASSWORD).await;
    let pres = pres.unwrap();
    let (s, q) = page(&t, "/approvals", &pres).await;
    assert_eq!(s, StatusCode::OK);
    assert!(q.contains("纳入失信被执行人名单") && q.contains("孙八"));
    let (_, html) = page(&t, &uri, &pres).await;
    let action = {
        let key = "action=\"/measures/";
        let start = html.find(key).expect("decision form") + key.len();
        format!("/measures/{}", html[start..].split('"').next().unwrap())
    };
    let req = post(
        pres.clone(),
        csrf_of(&html),
        action,
        vec![("decision", "approve".into()), ("back", case.id.clone())],
    );
    let (s, _, _) = t.call(req).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, html) = page(&t, &uri, &cmd).await;
    assert!(html.contains("已生效") && html.contains("下载文书"));
    // The public portal without login: masked, found by name + full number.
    let (s, _, body) = t
        .call(
            Request::get(format!(
                "/public?list=dishonest&name={}&id={id_number}",
                crate::api::urlencode("孙八")
            ))
            .body(Body::empty())
            .unwrap(),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let body = String::from_utf8(body).unwrap();
    assert!(body.contains("id=\"public-results\""), "{body}");
    assert!(body.contains(&format!("{}****{}", &id_number[..10], &id_number[14..])));
    assert!(!body.contains(&format!(">{id_number}<")));
    // Script in the query is shown inert.
    let (_, _, body) = t
        .call(
            Request::get(format!(
                "/public?name={}&id=1",
                crate::api::urlencode("<script>alert(1)</script>")
            ))
            .body(Body::empty())
            .unwrap(),
        )
        .await;
    let body = String::from_utf8(body).unwrap();
    assert!(!body.contains("<script>alert"), "{body}");
    t.db.cleanup().await;
}

#[tokio::test]
async fn a_public_tipoff_reaches_the_command_center_with_script_inert() {
    let t = TestApp::new(zhixing_testkit::sqlite().await).await;
    let (s, _, body) = t
        .call(
            Request::get("/public/tipoff?court=川1123")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(String::from_utf8(body).unwrap().contains("tipoff-form"));
    let req = Request::post("/public/tipoff")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form(&[
            ("court", "川1123"),
            ("debtor_name", "李四"),
            ("kind", "whereabouts"),
            ("urgent", "1"),
            ("content", "<script>alert(1)</script>在饭店吃饭"),
            ("location", "犍为县玉津镇"),
            ("reporter_name", "王先生"),
            ("reporter_phone", "13800138000"),
        ])))
        .unwrap();
    let (s, _, body) = t.call(req).await;
    assert_eq!(s, StatusCode::OK);
    let body = String::from_utf8(body).unwrap();
    assert!(body.contains("举报已受理"), "{body}");
    // A bad phone is refused naming the field.
    let req = Request::post("/public/tipoff")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form(&[
            ("court", "川1123"),
            ("debtor_name", "李四"),
            ("kind", "other"),
            ("content", "x"),
            ("location", "y"),
            ("reporter_name", "王"),
            ("reporter_phone", "12"),
        ])))
        .unwrap();
    let (_, _, body) = t.call(req).await;
    assert!(String::from_utf8(body).unwrap().contains("reporter_phone"));
    let (_, cmd, _) = login(&t, &t.court.command.username, PASSWORD).await;
    let (s, html) = page(&t, "/tipoffs", &cmd.unwrap()).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("在饭店吃饭") && html.contains("紧急"),
        "{html}"
    );
    assert!(!html.contains("<script>alert"), "script must be escaped");
    assert!(
        html.contains("共 1 条 · 第 1 / 1 页") && !html.contains("下一页"),
        "the pager counts the open tips: {html}"
    );
    assert!(
        html.contains("&lt;script&gt;") || html.contains("&#60;script"),
        "{html}"
    );
    // The public reward page renders (no notices yet).
    let (s, _, _) = t
        .call(Request::get("/public/rewards").body(Body::empty()).unwrap())
        .await;
    assert_eq!(s, StatusCode::OK);
    t.db.cleanup().await;
}

/// GET `uri` with the given cookies (none for an anonymous visitor of the public portal).
async fn get_with(t: &TestApp, uri: &str, cookie: Option<&str>) -> (StatusCode, String) {
    let mut b = Request::get(uri);
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    let (s, _, body) = t.call(b.body(Body::empty()).unwrap()).await;
    (s, String::from_utf8(body).unwrap())
}

#[tokio::test]
async fn measures_duty_and_public_pages_switch_to_english_with_the_cookie() {
    let t = TestApp::new(zhixing_testkit::sqlite().await).await;
    let case = t
        .db
        .app
        .file_case(
            &t.court.command,
            &zhixing_testkit::filing("川1123", 42, zhixing_testkit::person("周九", 22), 900_000),
            zhixing_testkit::NOW_MS,
        )
        .await
        .unwrap()
        .case;
    let (_, cmd, _) = login(&t, &t.court.command.username, PASSWORD).await;
    let cmd = cmd.unwrap();
    let (_, pres, _) = login(&t, &t.court.president.username, PASSWORD).await;
    let pres = pres.unwrap();
    let measures = format!("/cases/{}/measures", case.id);
    let progress = format!(
        "/public/progress?case_number={}&id={}&code=WRONG123",
        crate::api::urlencode(&case.case_number),
        zhixing_testkit::person("周九", 22).id_number.unwrap()
    );

    // Something on each list: a 失信 listing waiting for the 院长 and an urgent tip-off.
    let (_, html) = page(&t, &measures, &cmd).await;
    let party = {
        let key = "name=\"party_id\" id=\"measure-party\"><option value=\"";
        let start = html.find(key).expect("debtor option") + key.len();
        html[start..].split('"').next().unwrap().to_owned()
    };
    let (s, _, _) = post_form(
        &t,
        &measures,
        &cmd,
        &[
            ("csrf", &csrf_of(&html)),
            ("kind", "dishonest"),
            ("party_id", &party),
            ("ground", "4"),
            ("reason", "拒不报告财产"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, _, html) = post_form(
        &t,
        "/public/tipoff",
        "zx_lang=en",
        &[
            ("court", "川1123"),
            ("debtor_name", "周九"),
            ("kind", "vehicle"),
            ("urgent", "1"),
            ("content", "车停在小区门口"),
            ("location", "犍为县玉津镇"),
            ("reporter_name", "王先生"),
            ("reporter_phone", "13800138000"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Report received, receipt number"), "{html}");

    // (page, staff cookie or none for the public portal, Chinese and English texts expected).
    let with_en = |c: &str| format!("{c}; zx_lang=en");
    type Expect<'a> = (&'a str, Option<&'a str>, &'a [&'a str], &'a [&'a str]);
    let pages: [Expect; 7] = [
        (
            &measures,
            Some(&cmd),
            &["强制措施与信用惩戒", "<h2>提请采取措施</h2>", "待院长审批"],
            &[
                "<h2>Propose a measure</h2>",
                "Measures taken and awaiting approval",
                "Awaiting the court president",
                "(4) Violates the property reporting rules",
            ],
        ),
        (
            "/approvals",
            Some(&pres),
            &["<h1>待院长审批的措施</h1>", ">审批</a>"],
            &["<h1>Measures awaiting the court president", ">Review</a>"],
        ),
        (
            "/tipoffs",
            Some(&cmd),
            &[
                "<h1>执行110 举报线索</h1>",
                "共 1 条 · 第 1 / 1 页",
                ">已派单<",
            ],
            &[
                "<h1>Enforcement 110 hotline reports</h1>",
                "1 in all · page 1 of 1",
                ">Dispatched<",
                ">Urgent</span>",
            ],
        ),
        (
            "/public",
            None,
            &["<h1>名单查询</h1>", "<title>执行信息公开</title>"],
            &[
                "<h1>List lookup</h1>",
                "<title>Enforcement information disclosure</title>",
                "List of dishonest judgment debtors",
            ],
        ),
        (
            "/public/rewards",
            None,
            &["<h1>悬赏公告</h1>", "暂无悬赏公告。"],
            &["<h1>Reward notices</h1>", "No reward notices at present."],
        ),
        (
            "/public/tipoff",
            None,
            &["<h1>执行110 举报</h1>", "提交举报"],
            &["<h1>Enforcement 110 hotline report</h1>", "Submit report"],
        ),
        (
            &progress,
            None,
            &["<h1>案件进度查询</h1>", "案号、证件号码或查询码不正确"],
            &[
                "<h1>Case progress lookup</h1>",
                "The case number, ID number or query code is incorrect",
            ],
        ),
    ];
    for (uri, staff, zh, en) in pages {
        let (s, html) = get_with(&t, uri, staff).await;
        assert_eq!(s, StatusCode::OK, "{uri}");
        assert!(html.contains("lang=\"zh-CN\""), "{uri}");
        for needle in zh {
            assert!(html.contains(needle), "{uri}: {needle} missing in {html}");
        }
        let cookie = staff.map_or_else(|| "zx_lang=en".to_owned(), with_en);
        let (s, html) = get_with(&t, uri, Some(&cookie)).await;
        assert_eq!(s, StatusCode::OK, "{uri}");
        assert!(html.contains("<html lang=\"en\">"), "{uri}");
        for needle in en {
            assert!(html.contains(needle), "{uri}: {needle} missing in {html}");
        }
        for needle in zh {
            assert!(
                !html.contains(needle),
                "{uri}: {needle} left in English: {html}"
            );
        }
    }
    t.db.cleanup().await;
}

/// POST a form; (status, Location, the `zx_flash` cookie it set for the page it redirects to).
pub(crate) async fn post_flash(
    t: &TestApp,
    uri: &str,
    cookie: &str,
    pairs: &[(&str, &str)],
) -> (StatusCode, String, Option<String>) {
    let req = Request::post(uri)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form(pairs)))
        .unwrap();
    let (s, h, _) = t.call(req).await;
    let location = h
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (s, location, cookie_of(&h, "zx_flash"))
}

/// Follow a post/redirect/get: GET `location` with the session and the flash cookie; the page
/// must clear the flash.
pub(crate) async fn follow(
    t: &TestApp,
    location: &str,
    session: &str,
    flash: Option<String>,
) -> String {
    let flash = flash.expect("a message for the next page");
    let (s, h, body) = t
        .call(
            Request::get(location)
                .header(header::COOKIE, format!("{session}; {flash}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{location}");
    let cleared = cookie_of(&h, "zx_flash").expect("flash cleared");
    assert_eq!(cleared, "zx_flash=", "{cleared}");
    String::from_utf8(body).unwrap()
}

/// The `<tr>` of a table whose text contains `needle` (the tables put one record per row).
pub(crate) fn row_with<'a>(html: &'a str, needle: &str) -> &'a str {
    html.split("<tr")
        .find(|r| r.contains(needle))
        .unwrap_or_else(|| panic!("no row with {needle} in {html}"))
}

fn attr<'a>(html: &'a str, key: &str) -> &'a str {
    let key = format!("{key}=\"");
    let start = html.find(&key).unwrap_or_else(|| panic!("{key} in {html}")) + key.len();
    html[start..].split('"').next().unwrap()
}

#[tokio::test]
async fn reconsideration_of_a_fine_through_the_pages() {
    use zhixing_app::measures::MeasureInput;
    for db in backends().await {
        let t = TestApp::new(db).await;
        let app = &t.db.app;
        let higher = zhixing_testkit::seed_court(app, "川11", "h").await;
        // Two fines decided a week ago, on Friday 2024-09-20 (today is Friday 09-27).
        let week_ago = zhixing_testkit::NOW_MS - 7 * 86_400_000;
        let mut filing =
            zhixing_testkit::filing("川1123", 51, zhixing_testkit::person("郑十", 51), 900_000);
        filing.filed_on = "2024-09-20".into();
        let case = app
            .file_case(&t.court.command, &filing, week_ago)
            .await
            .unwrap()
            .case;
        let party = zhixing_testkit::debtor_id(app, &case).await;
        for yuan in [20_000, 10_000] {
            let m = app
                .propose_measure(
                    &t.court.command,
                    &case.id,
                    &MeasureInput {
                        kind: "fine".into(),
                        party_id: Some(party.clone()),
                        amount_fen: Some(yuan * 100),
                        reason: "拒不报告财产（民事诉讼法第二百五十二条）".into(),
                        ..Default::default()
                    },
                    week_ago,
                )
                .await
                .unwrap();
            app.decide_measure(&t.court.president, &m.id, true, "", week_ago)
                .await
                .unwrap();
        }
        let measures = format!("/cases/{}/measures", case.id);
        let (_, cmd, _) = login(&t, &t.court.command.username, PASSWORD).await;
        let cmd = cmd.unwrap();
        let (s, html) = page(&t, &measures, &cmd).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(
            html.matches("class=\"stack review-form\"").count(),
            2,
            "{html}"
        );
        let csrf = csrf_of(&html);
        let review_action = |html: &str, amount: &str| {
            let row = row_with(html, amount);
            let end = row.find("/review\"").expect("review form");
            let start = row[..end].rfind("action=\"").unwrap() + "action=\"".len();
            format!("{}/review", &row[start..end])
        };
        let fine_a = review_action(&html, "20,000.00 元");
        let fine_b = review_action(&html, "10,000.00 元");
        let apply = |received: &str, with_csrf: bool| {
            let mut v = vec![
                ("back", case.id.clone()),
                ("applicant", "郑十".to_owned()),
                ("received_on", received.to_owned()),
                ("applied_on", "2024-09-27".to_owned()),
                ("reason", "已补报财产，罚款过重".to_owned()),
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
        // Without the CSRF token: refused.
        let (s, _, _) = post(fine_a.clone(), cmd.clone(), apply("2024-09-26", false)).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        // Received on Friday 09-20: the three days ended Monday 09-23, so 09-27 is late; the
        // page says which day was the last, and nothing is registered.
        let (s, loc, flash) = post(fine_a.clone(), cmd.clone(), apply("2024-09-20", true)).await;
        assert_eq!(
            (s, loc.as_str()),
            (StatusCode::SEE_OTHER, measures.as_str())
        );
        let html = follow(&t, &loc, &cmd, flash).await;
        let err = &html[html.find("id=\"form-error\"").expect("error shown")..];
        let err = &err[..err.find("</p>").unwrap()];
        assert!(
            err.contains("最后一日为 2024-09-23") && err.contains("review_late"),
            "{err}"
        );
        assert_eq!(html.matches("class=\"stack review-form\"").count(), 2);
        assert!(!html.contains("review-status"), "{html}");
        // In time: both fines go to 川11, due 5 days after the application (国庆 → 10-08).
        for (action, received) in [(&fine_a, "2024-09-26"), (&fine_b, "2024-09-25")] {
            let (s, loc, flash) = post(action.clone(), cmd.clone(), apply(received, true)).await;
            assert_eq!(
                (s, loc.as_str()),
                (StatusCode::SEE_OTHER, measures.as_str())
            );
            let html = follow(&t, &loc, &cmd, flash).await;
            assert!(
                html.contains("id=\"form-notice\">已登记复议申请，由 川11 于 2024-10-08 前决定。"),
                "{html}"
            );
        }
        let (_, html) = page(&t, &measures, &cmd).await;
        assert!(!html.contains("review-form"), "one 复议 per fine: {html}");
        assert_eq!(
            html.matches("复议：待 川11 决定（2024-10-08 前）").count(),
            2,
            "{html}"
        );
        // The lower court's president has nothing to decide; a handler cannot decide at all.
        let (_, own_pres, _) = login(&t, &t.court.president.username, PASSWORD).await;
        let (s, html) = page(&t, "/reviews", &own_pres.unwrap()).await;
        assert_eq!(s, StatusCode::OK);
        assert!(!html.contains("review-decision"), "{html}");
        let (s, _) = page(&t, "/reviews", &cmd).await;
        assert_eq!(s, StatusCode::FORBIDDEN);

        // The higher court's 院长: the menu links the page next to the approvals.
        let (_, pres, _) = login(&t, &higher.president.username, PASSWORD).await;
        let pres = pres.unwrap();
        let (s, html) = page(&t, "/reviews", &pres).await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            html.contains("id=\"nav-approvals\">措施审批</a>")
                && html.contains("<a href=\"/reviews\" id=\"nav-reviews\">复议审查</a>"),
            "{html}"
        );
        assert!(
            html.contains("<h1>待本院决定的复议</h1>") && html.contains(&case.case_number),
            "{html}"
        );
        let row_a = row_with(&html, "现为 20,000.00 元");
        assert!(
            row_a.contains("option value=\"changed\"") && row_a.contains("name=\"amount_yuan\"")
        );
        let decide_a = attr(row_a, "action").to_owned();
        let decide_b = attr(row_with(&html, "现为 10,000.00 元"), "action").to_owned();
        let pcsrf = csrf_of(&html);
        let decide = |outcome: &str, yuan: &str, csrf: bool| {
            let mut v = vec![
                ("outcome", outcome.to_owned()),
                ("amount_yuan", yuan.to_owned()),
                ("note", "已补报财产，酌情减轻".to_owned()),
            ];
            if csrf {
                v.push(("csrf", pcsrf.clone()));
            }
            v
        };
        let (s, _, _) = post(decide_a.clone(), pres.clone(), decide("revoked", "", false)).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        // A heavier fine is refused with the rule beside the form.
        let (s, loc, flash) = post(
            decide_a.clone(),
            pres.clone(),
            decide("changed", "25,000.00", true),
        )
        .await;
        assert_eq!((s, loc.as_str()), (StatusCode::SEE_OTHER, "/reviews"));
        let html = follow(&t, &loc, &pres, flash).await;
        assert!(html.contains("id=\"form-error\""), "{html}");
        assert_eq!(html.matches("review-decision").count(), 2);
        // 变更 to 5,000.00 元 (exactly 500,000 分) and 撤销 of the other.
        let (s, loc, flash) = post(
            decide_a.clone(),
            pres.clone(),
            decide("changed", "5,000.00", true),
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let html = follow(&t, &loc, &pres, flash).await;
        assert!(
            html.contains("id=\"form-notice\">复议决定已作出：变更（2024-09-27）。"),
            "{html}"
        );
        let (s, loc, flash) =
            post(decide_b.clone(), pres.clone(), decide("revoked", "", true)).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let html = follow(&t, &loc, &pres, flash).await;
        assert!(
            html.contains("id=\"form-notice\">复议决定已作出：撤销（2024-09-27）。"),
            "{html}"
        );
        assert!(
            !html.contains("review-decision") && html.contains("暂无"),
            "{html}"
        );
        // Deciding again: already decided.
        let (s, loc, flash) =
            post(decide_b.clone(), pres.clone(), decide("upheld", "", true)).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let html = follow(&t, &loc, &pres, flash).await;
        assert!(
            html.contains("id=\"form-error\">该复议已作出决定</p>"),
            "{html}"
        );
        // In English.
        let (s, html) = page(&t, "/reviews", &format!("{pres}; zx_lang=en")).await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            html.contains("<h1>Reconsiderations awaiting this court&#39;s decision</h1>")
                || html.contains("<h1>Reconsiderations awaiting this court&#x27;s decision</h1>"),
            "{html}"
        );
        assert!(
            html.contains("id=\"nav-reviews\">Reconsiderations</a>"),
            "{html}"
        );

        // The case page shows what the higher court decided.
        let (_, html) = page(&t, &measures, &cmd).await;
        let row_a = row_with(&html, "复议：变更（2024-09-27）");
        assert!(
            row_a.contains("5,000.00 元") && row_a.contains("data-status=\"effective\""),
            "{row_a}"
        );
        let row_b = row_with(&html, "复议：撤销（2024-09-27）");
        assert!(
            row_b.contains("10,000.00 元")
                && row_b.contains("data-status=\"revoked\"")
                && row_b.contains("复议撤销"),
            "{row_b}"
        );
        let (_, html) = page(&t, &measures, &format!("{cmd}; zx_lang=en")).await;
        assert!(
            html.contains("Reconsideration: changed (2024-09-27)")
                && html.contains("Revoked on reconsideration"),
            "{html}"
        );
        t.db.cleanup().await;
    }
}

#[tokio::test]
async fn correction_of_a_dishonest_entry_through_the_pages() {
    use zhixing_app::measures::MeasureInput;
    const DAY: i64 = 86_400_000;
    for db in backends().await {
        let t = TestApp::new(db).await;
        let app = &t.db.app;
        zhixing_testkit::seed_court(app, "川11", "h").await;
        // A 失信 listing approved by the 院长 three weeks ago, on Friday 2024-09-06.
        let listed_at = zhixing_testkit::NOW_MS - 21 * DAY;
        let mut filing =
            zhixing_testkit::filing("川1123", 61, zhixing_testkit::person("冯十一", 61), 900_000);
        filing.filed_on = "2024-09-06".into();
        let case = app
            .file_case(&t.court.command, &filing, listed_at)
            .await
            .unwrap()
            .case;
        let party = zhixing_testkit::debtor_id(app, &case).await;
        let m = app
            .propose_measure(
                &t.court.command,
                &case.id,
                &MeasureInput {
                    kind: "dishonest".into(),
                    party_id: Some(party),
                    ground: Some(4),
                    reason: "拒不报告财产".into(),
                    ..Default::default()
                },
                listed_at,
            )
            .await
            .unwrap();
        app.decide_measure(&t.court.president, &m.id, true, "", listed_at)
            .await
            .unwrap();
        let entry = app
            .case_list_entries(&t.court.command, &case.id)
            .await
            .unwrap()
            .0
            .into_iter()
            .find(|e| e.list == "dishonest" && e.status == "listed")
            .expect("a 失信 entry")
            .id;
        // An earlier request, rejected on Monday 09-09: its ten days for 复议 ended 09-19.
        let earlier = zhixing_testkit::NOW_MS - 18 * DAY;
        let old = app
            .request_correction(
                &t.court.command,
                &entry,
                "should_be_deleted",
                "已履行完毕，应予删除",
                "2024-09-09",
                earlier,
            )
            .await
            .unwrap();
        app.decide_correction(&t.court.command, &old.id, false, earlier)
            .await
            .unwrap();

        let measures = format!("/cases/{}/measures", case.id);
        let (_, cmd, _) = login(&t, &t.court.command.username, PASSWORD).await;
        let cmd = cmd.unwrap();
        let (s, html) = page(&t, &measures, &cmd).await;
        assert_eq!(s, StatusCode::OK);
        let csrf = csrf_of(&html);
        assert!(html.contains("<h2>纠正申请</h2>"), "{html}");
        let row_old = row_with(&html, "已履行完毕，应予删除");
        assert!(
            row_old.contains("data-status=\"rejected\"")
                && row_old.contains("冯十一")
                && row_old.contains("失信被执行人")
                && row_old.contains("应删除")
                && row_old.contains("已驳回")
                && row_old.contains("决定 2024-09-09")
                && row_old.contains("class=\"stack correction-review\""),
            "{row_old}"
        );
        // One request form, on the listed 失信 entry.
        let request_action = format!("/list-entries/{entry}/corrections");
        assert_eq!(
            html.matches("class=\"stack correction-form\"").count(),
            1,
            "{html}"
        );
        assert!(
            html.contains(&format!("action=\"{request_action}\"")),
            "{html}"
        );
        let post = |uri: String, body: Vec<(&'static str, String)>, with_csrf: bool| {
            let (t, cmd, csrf) = (&t, cmd.clone(), csrf.clone());
            async move {
                let mut pairs: Vec<(&str, &str)> =
                    body.iter().map(|(k, v)| (*k, v.as_str())).collect();
                if with_csrf {
                    pairs.push(("csrf", &csrf));
                }
                post_flash(t, &uri, &cmd, &pairs).await
            }
        };
        let request = vec![
            ("back", case.id.clone()),
            ("ground", "inaccurate".to_owned()),
            ("statement", "身份证号码记载有误".to_owned()),
            ("received_on", "2024-09-26".to_owned()),
        ];
        // Without the CSRF token: refused, nothing registered.
        let (s, _, _) = post(request_action.clone(), request.clone(), false).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, loc, flash) = post(request_action.clone(), request.clone(), true).await;
        assert_eq!(
            (s, loc.as_str()),
            (StatusCode::SEE_OTHER, measures.as_str())
        );
        let html = follow(&t, &loc, &cmd, flash).await;
        assert!(
            html.contains("id=\"form-notice\">已登记纠正申请，应于 2024-10-11 前审查决定。"),
            "{html}"
        );
        assert_eq!(html.matches("身份证号码记载有误").count(), 1, "{html}");
        let row_new = row_with(&html, "身份证号码记载有误");
        assert!(
            row_new.contains("data-status=\"received\"")
                && row_new.contains("记载有误")
                && row_new.contains("2024-09-26")
                && row_new.contains("2024-10-11")
                && row_new.contains("待审查")
                && row_new.contains("成立（予以纠正）")
                && row_new.contains(">驳回<")
                && !row_new.contains("correction-review"),
            "{row_new}"
        );
        // Every form on the page posts the session's CSRF token.
        for f in html.split("<form method=\"post\"").skip(1) {
            let f = &f[..f.find("</form>").unwrap()];
            assert!(
                f.contains(&format!("name=\"csrf\" value=\"{csrf}\"")),
                "{f}"
            );
        }
        let decide_action = attr(row_new, "action").to_owned();
        assert!(
            decide_action.starts_with("/corrections/") && decide_action.ends_with("/decision"),
            "{decide_action}"
        );
        // Rejected through the form.
        let decide = vec![("back", case.id.clone()), ("decision", "reject".to_owned())];
        let (s, _, _) = post(decide_action.clone(), decide.clone(), false).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, loc, flash) = post(decide_action.clone(), decide.clone(), true).await;
        assert_eq!(
            (s, loc.as_str()),
            (StatusCode::SEE_OTHER, measures.as_str())
        );
        let html = follow(&t, &loc, &cmd, flash).await;
        assert!(
            html.contains("id=\"form-notice\">已驳回纠正申请；"),
            "{html}"
        );
        let row_new = row_with(&html, "身份证号码记载有误");
        assert!(
            row_new.contains("data-status=\"rejected\"")
                && row_new.contains("已驳回")
                && row_new.contains("决定 2024-09-27")
                && !row_new.contains("correction-decision")
                && row_new.contains("class=\"stack correction-review\""),
            "{row_new}"
        );
        assert_eq!(
            html.matches("class=\"stack correction-review\"").count(),
            2,
            "{html}"
        );
        // Deciding again: already decided, said beside the forms.
        let (s, loc, flash) = post(decide_action.clone(), decide, true).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let html = follow(&t, &loc, &cmd, flash).await;
        assert!(
            html.contains("id=\"form-error\">该纠正申请已处理"),
            "{html}"
        );
        let review_action = |html: &str, needle: &str| {
            let row = row_with(html, needle);
            let end = row.find("/review\"").expect("review form");
            let start = row[..end].rfind("action=\"").unwrap() + "action=\"".len();
            format!("{}/review", &row[start..end])
        };
        let review_old = review_action(&html, "已履行完毕，应予删除");
        let review_new = review_action(&html, "身份证号码记载有误");
        assert_eq!(review_new, decide_action.replace("/decision", "/review"));
        let apply = |received: &str| {
            vec![
                ("back", case.id.clone()),
                ("applicant", "冯十一".to_owned()),
                ("received_on", received.to_owned()),
                ("applied_on", "2024-09-27".to_owned()),
                ("reason", "证件号码确有错误".to_owned()),
            ]
        };
        let (s, _, _) = post(review_new.clone(), apply("2024-09-27"), false).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        // The earlier rejection, received on 09-09: ten days ended 09-19, so 09-27 is late.
        let (s, loc, flash) = post(review_old.clone(), apply("2024-09-09"), true).await;
        assert_eq!(
            (s, loc.as_str()),
            (StatusCode::SEE_OTHER, measures.as_str())
        );
        let html = follow(&t, &loc, &cmd, flash).await;
        let err = &html[html.find("id=\"form-error\"").expect("error shown")..];
        let err = &err[..err.find("</p>").unwrap()];
        assert!(
            err.contains("最后一日为 2024-09-19") && err.contains("review_late"),
            "{err}"
        );
        assert_eq!(html.matches("class=\"stack correction-review\"").count(), 2);
        assert!(!html.contains("review-status"), "{html}");
        // Today's rejection, in time: to 川11, decided within fifteen days.
        let (s, loc, flash) = post(review_new.clone(), apply("2024-09-27"), true).await;
        assert_eq!(
            (s, loc.as_str()),
            (StatusCode::SEE_OTHER, measures.as_str())
        );
        let html = follow(&t, &loc, &cmd, flash).await;
        assert!(
            html.contains("id=\"form-notice\">已登记复议申请，由 川11 于 2024-10-12 前决定。"),
            "{html}"
        );
        let row_new = row_with(&html, "身份证号码记载有误");
        assert!(
            row_new.contains("class=\"review-status\">复议：待 川11 决定（2024-10-12 前）")
                && !row_new.contains("correction-review"),
            "{row_new}"
        );
        assert!(
            row_with(&html, "已履行完毕，应予删除").contains("correction-review"),
            "{html}"
        );
        assert_eq!(html.matches("class=\"stack correction-review\"").count(), 1);
        // Once only.
        let (s, loc, flash) = post(review_new.clone(), apply("2024-09-27"), true).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let html = follow(&t, &loc, &cmd, flash).await;
        assert!(
            html.contains("id=\"form-error\">对该决定已申请过复议"),
            "{html}"
        );

        // In English.
        let (s, html) = page(&t, &measures, &format!("{cmd}; zx_lang=en")).await;
        assert_eq!(s, StatusCode::OK);
        for needle in [
            "<h2>Correction requests</h2>",
            "Register a correction request",
            "<td>Record is inaccurate</td>",
            "<td>Should be deleted</td>",
            ">Rejected</span>",
            "decided 2024-09-27",
            "Reconsideration: awaiting 川11, due by 2024-10-12",
            "Rejection received on",
        ] {
            assert!(html.contains(needle), "{needle} missing in {html}");
        }
        // (The statement stays as stored; the ground is in English.)
        for needle in [
            "<h2>纠正申请</h2>",
            "<td>记载有误</td>",
            "已驳回",
            "登记纠正申请",
            "复议：",
        ] {
            assert!(!html.contains(needle), "{needle} left in English: {html}");
        }
        t.db.cleanup().await;
    }
}

/// A detention is carried out from the case's measures page with its two times (datetime-local
/// inputs); the family notice is checked to the minute (CPLI art 180) and both times are shown.
#[tokio::test]
async fn a_detention_is_carried_out_with_its_times_through_the_page() {
    use zhixing_app::measures::MeasureInput;
    for db in backends().await {
        let t = TestApp::new(db).await;
        let app = &t.db.app;
        let case = app
            .file_case(
                &t.court.command,
                &zhixing_testkit::filing(
                    "川1123",
                    52,
                    zhixing_testkit::person("冯十一", 52),
                    500_000,
                ),
                zhixing_testkit::NOW_MS,
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
                    kind: "detention".into(),
                    party_id: Some(party),
                    days: Some(3),
                    reason: "拒不履行".into(),
                    ..Default::default()
                },
                zhixing_testkit::NOW_MS,
            )
            .await
            .unwrap();
        app.decide_measure(&t.court.president, &m.id, true, "", zhixing_testkit::NOW_MS)
            .await
            .unwrap();
        let measures = format!("/cases/{}/measures", case.id);
        let (_, cmd, _) = login(&t, &t.court.command.username, PASSWORD).await;
        let cmd = cmd.unwrap();
        let (s, html) = page(&t, &measures, &cmd).await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            html.contains(r#"type="datetime-local" name="executed_at""#)
                && html.contains(r#"type="datetime-local" name="family_notified_at""#),
            "{html}"
        );
        let csrf = csrf_of(&html);
        let uri = format!("/measures/{}/execution", m.id);
        let post = |notified: &'static str| {
            let (t, cmd, csrf, case, uri) =
                (&t, cmd.clone(), csrf.clone(), case.id.clone(), uri.clone());
            async move {
                let pairs = [
                    ("csrf", csrf.as_str()),
                    ("back", case.as_str()),
                    ("executed_at", "2024-09-26T08:00"),
                    ("family_notified_at", notified),
                    ("note", "已送拘留所"),
                ];
                post_flash(t, &uri, &cmd, &pairs).await
            }
        };
        // Refused (before the effective day, 09-27): the page says so and nothing is recorded.
        let (s, _, _) = post("2024-09-26T09:00").await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            app.measure(&t.court.command, &m.id)
                .await
                .unwrap()
                .1
                .executed_on
                .is_none()
        );
        // 2024-09-27 08:00 → 09:00 is fine; the page shows both times and the release day.
        let pairs_ok = [
            ("csrf", csrf.as_str()),
            ("back", case.id.as_str()),
            ("executed_at", "2024-09-27T08:00"),
            ("family_notified_at", "2024-09-27T09:00"),
            ("note", "已送拘留所"),
        ];
        let (s, html) = {
            let (s, _, _) = post_flash(&t, &uri, &cmd, &pairs_ok).await;
            (s, page(&t, &measures, &cmd).await.1)
        };
        assert_eq!(s, StatusCode::SEE_OTHER);
        assert!(html.contains("执行 2024-09-27 08:00"), "{html}");
        assert!(html.contains("通知家属 2024-09-27 09:00"), "{html}");
        assert!(html.contains("2024-09-30"), "release day: {html}");
        t.db.cleanup().await;
    }
}

/// A search is carried out through the measures page with its 搜查笔录 (CPLI arts 495–498): a
/// woman's body searched without a female officer is refused with the rule on the page and nothing
/// recorded; the full record is stored and shown on the list.
#[tokio::test]
async fn a_search_is_carried_out_with_its_record_through_the_page() {
    use zhixing_app::measures::MeasureInput;
    for db in backends().await {
        let t = TestApp::new(db).await;
        let app = &t.db.app;
        let case = app
            .file_case(
                &t.court.command,
                &zhixing_testkit::filing(
                    "川1123",
                    53,
                    zhixing_testkit::person("褚十二", 53),
                    500_000,
                ),
                zhixing_testkit::NOW_MS,
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
                    kind: "search".into(),
                    party_id: Some(party),
                    place: Some("犍为县玉津镇某小区 3 栋 501 室".into()),
                    reason: "隐匿财产，拒不交出".into(),
                    ..Default::default()
                },
                zhixing_testkit::NOW_MS,
            )
            .await
            .unwrap();
        app.decide_measure(&t.court.president, &m.id, true, "", zhixing_testkit::NOW_MS)
            .await
            .unwrap();
        let measures = format!("/cases/{}/measures", case.id);
        let (_, cmd, _) = login(&t, &t.court.command.username, PASSWORD).await;
        let cmd = cmd.unwrap();
        let (s, html) = page(&t, &measures, &cmd).await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            html.contains(r#"name="search_form""#)
                && html.contains(r#"name="search_female_officer""#)
                && html.contains(r#"name="search_findings""#),
            "{html}"
        );
        let csrf = csrf_of(&html);
        let uri = format!("/measures/{}/execution", m.id);
        let base = [
            ("csrf", csrf.as_str()),
            ("back", case.id.as_str()),
            ("search_form", "1"),
            ("on", "2024-09-27"),
            ("note", "依搜查令搜查被执行人住所"),
            ("search_warrant_shown", "1"),
            ("search_present", "被执行人之妻"),
            ("search_witness", "社区居委会 王某"),
            ("search_woman", "1"),
            ("search_findings", "现金 52,000 元，已扣押"),
            ("search_signed", "1"),
        ];
        // A woman's body without a female officer: refused on the page, nothing recorded.
        let (s, _, html) = post_form(&t, &uri, &cmd, &base).await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            html.contains("搜查妇女身体，应当由女执行人员进行"),
            "{html}"
        );
        assert!(
            app.measure(&t.court.command, &m.id)
                .await
                .unwrap()
                .1
                .executed_on
                .is_none()
        );
        let mut ok = base.to_vec();
        ok.push(("search_female_officer", "1"));
        let (s, _, _) = post_flash(&t, &uri, &cmd, &ok).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let done = app.measure(&t.court.command, &m.id).await.unwrap().1;
        let rec: serde_json::Value =
            serde_json::from_str(done.search_record.as_deref().unwrap()).unwrap();
        assert_eq!(
            (
                rec["female_officer"].as_bool(),
                rec["witness"].as_str(),
                rec["findings"].as_str()
            ),
            (
                Some(true),
                Some("社区居委会 王某"),
                Some("现金 52,000 元，已扣押")
            )
        );
        let html = page(&t, &measures, &cmd).await.1;
        assert!(
            html.contains("搜查笔录：被执行人之妻；社区居委会 王某；搜查了妇女身体，由女执行人员进行；现金 52,000 元，已扣押")
                && html.contains(&format!(
                    r#"<a href="/measures/{}/search-record" class="record-link">"#,
                    m.id
                )),
            "{html}"
        );
        // The link works with the page's session: the 搜查笔录 as DOCX (the /api/v1 route wants a
        // bearer token: 401 with the cookie alone).
        let (s, _, _) = t
            .call(
                Request::get(format!("/api/v1/measures/{}/search-record", m.id))
                    .header(header::COOKIE, &cmd)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        let (s, h, body) = t
            .call(
                Request::get(format!("/measures/{}/search-record", m.id))
                    .header(header::COOKIE, &cmd)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            h.get(header::CONTENT_TYPE)
                .is_some_and(|v| v.as_bytes().ends_with(b"wordprocessingml.document"))
                && body.starts_with(b"PK")
        );
        // The 搜查令's link too (it pointed at the bearer-only /api/v1 route before), and an
        // unknown document is 404.
        for (which, want) in [
            ("document", StatusCode::OK),
            ("minutes", StatusCode::NOT_FOUND),
        ] {
            let (s, _, body) = t
                .call(
                    Request::get(format!("/measures/{}/{which}", m.id))
                        .header(header::COOKIE, &cmd)
                        .body(Body::empty())
                        .unwrap(),
                )
                .await;
            assert_eq!(s, want, "{which}");
            assert_eq!(body.starts_with(b"PK"), want == StatusCode::OK, "{which}");
        }
        // A 拘传 through the same page: arrival and end of the questioning (CPLI art 482).
        let party = zhixing_testkit::debtor_id(app, &case).await;
        let s_m = app
            .propose_measure(
                &t.court.command,
                &case.id,
                &MeasureInput {
                    kind: "summons".into(),
                    party_id: Some(party),
                    hours: Some(8),
                    summoned_for: Some("2024-09-26".into()),
                    place: Some("2024-09-27 09:00 本院执行局".into()),
                    reason: "经依法传唤无正当理由拒不到场".into(),
                    ..Default::default()
                },
                zhixing_testkit::NOW_MS,
            )
            .await
            .unwrap();
        app.decide_measure(
            &t.court.president,
            &s_m.id,
            true,
            "",
            zhixing_testkit::NOW_MS,
        )
        .await
        .unwrap();
        let html = page(&t, &measures, &cmd).await.1;
        assert!(
            html.contains(r#"type="datetime-local" name="questioning_ended_at""#),
            "{html}"
        );
        let uri = format!("/measures/{}/execution", s_m.id);
        let pairs = [
            ("csrf", csrf.as_str()),
            ("back", case.id.as_str()),
            ("executed_at", "2024-09-27T00:30"),
            ("questioning_ended_at", "2024-09-27T08:31"),
            ("note", "拘传到院接受调查询问"),
            // The 询问笔录 (tested on its own in a_summons_is_carried_out_with_its_questioning_record_through_the_page).
            ("questioning_form", "1"),
            ("questioning_began_at", "2024-09-27T00:40"),
            ("questioning_place", "本院执行局询问室"),
            ("questioning_questioners", "李四、钱七"),
            ("questioning_recorder", "孙八"),
            ("questioning_subject_name", "褚十二"),
            ("questioning_subject_id", s_m.subject_id_number.as_str()),
            ("questioning_credentials", "1"),
            ("questioning_rights", "1"),
            ("questioning_warned", "1"),
            ("questioning_qa", "问：你有哪些财产？\n答：没有。"),
            ("questioning_read_over", "read"),
            ("questioning_signed", "1"),
            ("questioning_officers_signed", "1"),
        ];
        let (s, _, html) = post_form(&t, &uri, &cmd, &pairs).await;
        assert_eq!(s, StatusCode::OK);
        assert!(html.contains("最迟 2024-09-27 08:30 结束"), "{html}");
        let mut ok = pairs.to_vec();
        ok.retain(|(k, _)| *k != "questioning_ended_at");
        ok.push(("questioning_ended_at", "2024-09-27T08:15"));
        let (s, _, _) = post_flash(&t, &uri, &cmd, &ok).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let html = page(&t, &measures, &cmd).await.1;
        assert!(html.contains("询问结束 2024-09-27 08:15"), "{html}");
        t.db.cleanup().await;
    }
}

/// A 拘传 is carried out through the measures page with its 询问笔录 (CPLI art 482; CPL arts
/// 133, 150): the form has the record's fields (in English with the cookie), questions and
/// answers typed as `问：…` / `答：…` lines; a line that is neither, a person other than the one
/// summoned or a recorder who also questioned is refused on the page naming the field, with
/// nothing recorded; the full record is stored, summarised on the list and printed through the
/// page's link with the session.
#[tokio::test]
async fn a_summons_is_carried_out_with_its_questioning_record_through_the_page() {
    use zhixing_app::measures::MeasureInput;
    for db in backends().await {
        let t = TestApp::new(db).await;
        let app = &t.db.app;
        let case = app
            .file_case(
                &t.court.command,
                &zhixing_testkit::filing(
                    "川1123",
                    57,
                    zhixing_testkit::person("卫十四", 57),
                    600_000,
                ),
                zhixing_testkit::NOW_MS,
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
                    kind: "summons".into(),
                    party_id: Some(party),
                    hours: Some(8),
                    summoned_for: Some("2024-09-26".into()),
                    place: Some("2024-09-27 08:00 本院执行局".into()),
                    reason: "经依法传唤无正当理由拒不到场".into(),
                    ..Default::default()
                },
                zhixing_testkit::NOW_MS,
            )
            .await
            .unwrap();
        app.decide_measure(&t.court.president, &m.id, true, "", zhixing_testkit::NOW_MS)
            .await
            .unwrap();
        let measures = format!("/cases/{}/measures", case.id);
        let (_, cmd, _) = login(&t, &t.court.command.username, PASSWORD).await;
        let cmd = cmd.unwrap();
        let (s, html) = page(&t, &measures, &cmd).await;
        assert_eq!(s, StatusCode::OK);
        for field in [
            r#"name="questioning_form""#,
            r#"type="datetime-local" name="questioning_began_at""#,
            r#"name="questioning_recorder""#,
            r#"name="questioning_subject_name" value="卫十四""#,
            r#"<textarea name="questioning_qa""#,
            r#"<option value="read_aloud">向被询问人宣读</option>"#,
            r#"name="questioning_officers_signed""#,
        ] {
            assert!(html.contains(field), "{field}: {html}");
        }
        let en = page(&t, &measures, &format!("{cmd}; zx_lang=en")).await.1;
        assert!(
            en.contains("Recorded by (an officer other than the questioners)")
                && en.contains("reading it out to the person"),
            "{en}"
        );
        let csrf = csrf_of(&html);
        let uri = format!("/measures/{}/execution", m.id);
        let qa = "问：你现在有哪些财产？\n答：名下有一辆货车，\n已抵押给银行。\n问：为何不到庭？\n答：在外地送货。";
        let base = [
            ("csrf", csrf.as_str()),
            ("back", case.id.as_str()),
            ("executed_at", "2024-09-27T08:00"),
            ("questioning_ended_at", "2024-09-27T09:40"),
            ("note", "拘传到院接受调查询问"),
            ("questioning_form", "1"),
            ("questioning_began_at", "2024-09-27T08:10"),
            ("questioning_place", "本院执行局询问室"),
            ("questioning_questioners", "李四、钱七"),
            ("questioning_recorder", "孙八"),
            ("questioning_subject_name", "卫十四"),
            ("questioning_subject_id", m.subject_id_number.as_str()),
            ("questioning_credentials", "1"),
            ("questioning_rights", "1"),
            ("questioning_warned", "1"),
            ("questioning_qa", qa),
            ("questioning_read_over", "read"),
            ("questioning_signed", "1"),
            ("questioning_officers_signed", "1"),
        ];
        let with = |k: &'static str, v: &'static str| {
            let mut p = base.to_vec();
            p.retain(|(f, _)| *f != k);
            p.push((k, v));
            p
        };
        for (pairs, needle) in [
            (
                with("questioning_qa", "你有财产吗？\n答：没有。"),
                "（questioning.qa：qa_format）",
            ),
            (
                with(
                    "questioning_qa",
                    "问：你有财产吗？\n答：\n问：为何不到庭？\n答：在外地。",
                ),
                "（questioning.qa[0].answer：required）",
            ),
            (
                with("questioning_subject_id", "11010519491231002X"),
                "（questioning.subject_id_number：questioning_subject）",
            ),
            (
                with("questioning_recorder", "钱七"),
                "（questioning.recorder：questioning_officers）",
            ),
        ] {
            let (s, _, html) = post_form(&t, &uri, &cmd, &pairs).await;
            assert_eq!(s, StatusCode::OK);
            assert!(html.contains(needle), "{needle}: {html}");
        }
        let (_, still) = app.measure(&t.court.command, &m.id).await.unwrap();
        assert_eq!((still.executed_on, still.questioning_record), (None, None));
        let (s, _, _) = post_flash(&t, &uri, &cmd, &base).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let done = app.measure(&t.court.command, &m.id).await.unwrap().1;
        let rec: serde_json::Value =
            serde_json::from_str(done.questioning_record.as_deref().unwrap()).unwrap();
        assert_eq!(
            (
                rec["questioners"].clone(),
                rec["began_at"].as_str(),
                rec["ended_at"].as_str(),
                rec["qa"][0]["answer"].as_str(),
                rec["qa"][1]["question"].as_str(),
            ),
            (
                serde_json::json!(["李四", "钱七"]),
                Some("2024-09-27 08:10"),
                Some("2024-09-27 09:40"),
                Some("名下有一辆货车，\n已抵押给银行。"),
                Some("为何不到庭？"),
            )
        );
        let html = page(&t, &measures, &cmd).await.1;
        assert!(
            html.contains("询问笔录：被询问人卫十四；询问人李四、钱七，记录人孙八；2问"),
            "{html}"
        );
        let link = format!("/measures/{}/questioning-record", m.id);
        assert!(html.contains(&format!(r#"href="{link}""#)), "{html}");
        let (s, h, body) = t
            .call(
                Request::get(&link)
                    .header(header::COOKIE, &cmd)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(
            h.get(header::CONTENT_TYPE).unwrap(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        );
        assert!(body.starts_with(b"PK"));
        t.db.cleanup().await;
    }
}

/// A 拒执罪 referral is worked from the case's referrals page: drafted through the form, referred,
/// accepted by the police, dropped by the procuratorate, taken up as a 自诉 and settled; each step
/// shows only the forms its status allows, a wrong step is refused on the page, and the page
/// switches to English with the cookie.
#[tokio::test]
async fn refusal_referral_through_the_pages() {
    for db in backends().await {
        let t = TestApp::new(db).await;
        let app = &t.db.app;
        let other = zhixing_testkit::seed_court(app, "川1124", "o").await;
        let case = app
            .file_case(
                &t.court.command,
                &zhixing_testkit::filing(
                    "川1123",
                    53,
                    zhixing_testkit::person("卫十二", 53),
                    800_000,
                ),
                zhixing_testkit::NOW_MS,
            )
            .await
            .unwrap()
            .case;
        let referrals = format!("/cases/{}/referrals", case.id);
        let (_, cmd, _) = login(&t, &t.court.command.username, PASSWORD).await;
        let cmd = cmd.unwrap();
        // The case page links the referrals page next to the measures.
        let (_, html) = page(&t, &format!("/cases/{}", case.id), &cmd).await;
        assert!(
            html.contains(&format!(
                "<a href=\"{referrals}\" id=\"case-referrals-link\" class=\"button\">拒执移送</a>"
            )),
            "{html}"
        );
        let (s, html) = page(&t, &referrals, &cmd).await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            html.contains("拒执罪移送") && html.contains("id=\"no-referrals\">暂无移送"),
            "{html}"
        );
        assert!(
            html.contains("id=\"referral-form\"") && !html.contains("referral-action"),
            "{html}"
        );
        let csrf = csrf_of(&html);
        let draft = [
            (
                "facts",
                "被执行人在罚款后仍将名下车辆转让他人，拒不履行生效判决",
            ),
            ("violation_on", "2024-09-20"),
            ("violation_kind", "asset_transfer"),
            (
                "violation_description",
                "将川Q12345号车辆以明显低价转让给其亲属",
            ),
        ];
        // Without the CSRF token: refused, and nothing is drafted.
        let (s, _, _) = post_flash(&t, &referrals, &cmd, &draft).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let mut with_csrf = vec![("csrf", csrf.as_str())];
        with_csrf.extend(draft);
        let (s, loc, _) = post_flash(&t, &referrals, &cmd, &with_csrf).await;
        assert_eq!(
            (s, loc.as_str()),
            (StatusCode::SEE_OTHER, referrals.as_str())
        );
        let (_, html) = page(&t, &referrals, &cmd).await;
        assert!(!html.contains("no-referrals"), "{html}");
        assert_eq!(html.matches("class=\"card referral\"").count(), 1, "{html}");
        let rid = {
            let key = "id=\"referral-";
            let start = html.find(key).expect("a referral") + key.len();
            html[start..].split('"').next().unwrap().to_owned()
        };
        let list = app
            .case_referrals(&t.court.command, &case.id, zhixing_testkit::NOW_MS)
            .await
            .unwrap();
        assert_eq!(list.len(), 1);
        let stored = &list[0].referral;
        assert_eq!(stored.id, rid);
        // The section of the referral on a page, and the forms it offers.
        let section = |html: &str| -> String {
            let start = html
                .find(&format!("id=\"referral-{rid}\""))
                .unwrap_or_else(|| panic!("referral section in {html}"));
            html[start..].split("</section>").next().unwrap().to_owned()
        };
        let forms = |sec: &str| -> Vec<&'static str> {
            [
                "refer-form",
                "police-form",
                "dropped-form",
                "private-form",
                "end-form",
                "judgment-form",
            ]
            .into_iter()
            .filter(|f| sec.contains(&format!("referral-action {f}")))
            .collect()
        };
        let sec = section(&html);
        assert!(sec.contains("data-status=\"drafted\""), "{sec}");
        assert!(
            sec.contains(">待移送</span>")
                && sec.contains("<dd>卫十二</dd>")
                && sec.contains("被执行人在罚款后仍将名下车辆转让他人")
                && sec.contains(
                    "<li>2024-09-20 转移、隐匿财产：将川Q12345号车辆以明显低价转让给其亲属</li>"
                )
                && sec.contains("<dd>2024-09-27</dd>")
                && sec.contains(&format!("<dd>{}</dd>", stored.transfer_by))
                && sec.contains(&stored.package_sm3)
                && !sec.contains("transfer-overdue"),
            "{sec}"
        );
        assert_eq!(stored.package_sm3.len(), 64);
        assert_eq!(forms(&sec), ["refer-form"], "{sec}");
        assert!(
            sec.contains(&format!(
                "<input type=\"hidden\" name=\"csrf\" value=\"{csrf}\"><input type=\"hidden\" name=\"back\" value=\"{}\">",
                case.id
            )) && sec.contains("name=\"agency\" required"),
            "{sec}"
        );

        let act = |path: &str| format!("/referrals/{rid}/{path}");
        let step = |path: String, pairs: Vec<(&'static str, &'static str)>| {
            let (t, cmd, csrf, case) = (&t, cmd.clone(), csrf.clone(), case.id.clone());
            async move {
                let mut body = vec![("csrf", csrf.as_str()), ("back", case.as_str())];
                body.extend(pairs);
                post_form(t, &path, &cmd, &body).await
            }
        };
        // Referred to the police (date left empty: today); the conclusion term starts.
        let (s, loc, _) = step(
            act("refer"),
            vec![("agency", "巴东县公安局"), ("referred_on", "")],
        )
        .await;
        assert_eq!(
            (s, loc.as_str()),
            (StatusCode::SEE_OTHER, referrals.as_str())
        );
        let (_, html) = page(&t, &referrals, &cmd).await;
        let sec = section(&html);
        let conclude_by = app
            .case_referrals(&t.court.command, &case.id, zhixing_testkit::NOW_MS)
            .await
            .unwrap()[0]
            .referral
            .conclude_by
            .clone()
            .unwrap();
        assert!(
            sec.contains(">已移送</span>")
                && sec.contains("<dd>巴东县公安局</dd>")
                && sec.contains(&format!("<dd>{conclude_by}</dd>"))
                && !sec.contains("conclude-overdue"),
            "{sec}"
        );
        assert_eq!(forms(&sec), ["police-form"], "{sec}");
        // The police open a case: the procuratorate's drop and a judgment become possible.
        let (s, _, _) = step(
            act("police-decision"),
            vec![("decision", "accepted"), ("on", ""), ("note", "已立案侦查")],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (_, html) = page(&t, &referrals, &cmd).await;
        let sec = section(&html);
        assert!(
            sec.contains(">公安已立案</span>")
                && sec.contains("立案（决定日期 2024-09-27）")
                && sec.contains("说明：已立案侦查"),
            "{sec}"
        );
        assert_eq!(forms(&sec), ["dropped-form", "judgment-form"], "{sec}");
        // The procuratorate decides not to prosecute: only the 自诉 remains.
        let (s, _, _) = step(
            act("dropped"),
            vec![
                ("by", "procuratorate"),
                ("on", ""),
                ("note", "证据不足，不起诉"),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (_, html) = page(&t, &referrals, &cmd).await;
        let sec = section(&html);
        assert!(
            sec.contains(">不予追究</span>")
                && sec.contains("检察机关不起诉（不予追究日期 2024-09-27）")
                && sec.contains("理由：证据不足，不起诉")
                && sec.contains("立案（决定日期 2024-09-27）"),
            "{sec}"
        );
        assert_eq!(forms(&sec), ["private-form"], "{sec}");
        // The applicant's 自诉 (REFUSE art 14).
        let (s, _, _) = step(
            act("private-prosecution"),
            vec![
                ("filed_on", ""),
                ("court_name", "巴东县人民法院"),
                ("applicant_evidence", "车辆转让合同、罚款决定书及送达回证"),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (_, html) = page(&t, &referrals, &cmd).await;
        let sec = section(&html);
        assert!(
            sec.contains(">已提起自诉</span>")
                && sec.contains("巴东县人民法院（提起自诉日期 2024-09-27）")
                && sec.contains("申请执行人的证据：车辆转让合同、罚款决定书及送达回证"),
            "{sec}"
        );
        assert_eq!(forms(&sec), ["end-form", "judgment-form"], "{sec}");
        // A step the status does not allow: refused with the rule on the page, nothing changes.
        let (s, _, html) = step(
            act("dropped"),
            vec![("by", "police"), ("on", ""), ("note", "再次撤案")],
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        let err = &html[html.find("id=\"form-error\"").expect("error shown")..];
        let err = &err[..err.find("</p>").unwrap()];
        assert!(
            err.contains("移送状态为「已提起自诉」，不能变为「不予追究」")
                && err.contains("referral_state"),
            "{err}"
        );
        assert!(
            section(&html).contains("data-status=\"private_filed\""),
            "{html}"
        );
        // A user of another court cannot see the case: the same 404 page as its other pages,
        // and its forms do nothing.
        let (_, stranger, _) = login(&t, &other.command.username, PASSWORD).await;
        let stranger = stranger.unwrap();
        let (s, html) = page(&t, &referrals, &stranger).await;
        let (s_measures, _) = page(&t, &format!("/cases/{}/measures", case.id), &stranger).await;
        assert_eq!(
            (s, s_measures),
            (StatusCode::NOT_FOUND, StatusCode::NOT_FOUND)
        );
        assert!(!html.contains("卫十二"), "{html}");
        let (_, html) = page(&t, "/cases", &stranger).await;
        let scsrf = csrf_of(&html);
        let (s, _, _) = post_form(
            &t,
            &act("private-prosecution-end"),
            &stranger,
            &[
                ("csrf", &scsrf),
                ("back", &case.id),
                ("outcome", "withdrawn"),
                ("on", ""),
                ("note", ""),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        // A step that does not exist is not found either, and changes nothing.
        let (s, _, _) = step(act("reopen"), vec![("on", "")]).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        // Settled before judgment (刑事诉讼法 art 212): final, no form left for the referral.
        let (s, loc, _) = step(
            act("private-prosecution-end"),
            vec![
                ("outcome", "settled"),
                ("on", ""),
                ("note", "被执行人当庭付清全部执行款"),
            ],
        )
        .await;
        assert_eq!(
            (s, loc.as_str()),
            (StatusCode::SEE_OTHER, referrals.as_str())
        );
        let (_, html) = page(&t, &referrals, &cmd).await;
        let sec = section(&html);
        assert!(
            sec.contains("data-status=\"settled\"")
                && sec.contains(">自诉已和解</span>")
                && sec.contains("自诉已和解（结束日期 2024-09-27）")
                && sec.contains("被执行人当庭付清全部执行款"),
            "{sec}"
        );
        assert!(forms(&sec).is_empty(), "{sec}");
        assert!(
            !sec.contains("referral-action")
                && !sec.contains(&format!("action=\"/referrals/{rid}/")),
            "{sec}"
        );
        // A new referral can still be drafted for the case.
        assert!(html.contains("id=\"referral-form\""), "{html}");
        // In English: labels translated, data as stored.
        let (s, html) = page(&t, &referrals, &format!("{cmd}; zx_lang=en")).await;
        assert_eq!(s, StatusCode::OK);
        let sec = section(&html);
        assert!(
            html.contains("Refusal-to-execute referrals")
                && html.contains("Draft a referral")
                && sec.contains(">Private prosecution settled</span>")
                && sec.contains("<dt>Receiving agency</dt><dd>巴东县公安局</dd>")
                && sec.contains("Procuratorate decided not to prosecute")
                && !sec.contains("自诉已和解"),
            "{sec}"
        );
        let (_, html) = page(
            &t,
            &format!("/cases/{}", case.id),
            &format!("{cmd}; zx_lang=en"),
        )
        .await;
        assert!(
            html.contains("id=\"case-referrals-link\" class=\"button\">Refusal referrals</a>"),
            "{html}"
        );
        t.db.cleanup().await;
    }
}
