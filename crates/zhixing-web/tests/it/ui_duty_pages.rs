//! The staff pages of 悬赏 (`/cases/{id}/rewards`, steps at `/rewards/{id}/{step}`) and of one
//! 执行110 tip-off (`/tipoffs/{id}`, steps at `/tipoffs/{id}/{step}`), driven through the forms
//! on both databases: post/redirect/get with the flash cookie, the CSRF token, the status rules,
//! another court's 404, confidential leads and reporters, English with the language cookie. State
//! is checked through the JSON API afterwards, not only on the pages.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::Value;
use zhixing_app::duty::TipoffInput;
use zhixing_testkit::{NOW_MS, PASSWORD, backends};

use crate::common::TestApp;
use crate::ui::{cookie_of, csrf_of, follow, form, page};

const DAY_MS: i64 = 86_400_000;
const PHONE: &str = "13912345678";

/// Log in through the form; the session cookie.
async fn login(t: &TestApp, user: &str) -> String {
    let (s, session, _) = crate::ui::login(t, user, PASSWORD).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "login {user}");
    session.expect("session cookie")
}

/// POST a form: (status, Location, the flash cookie set, body).
async fn post(
    t: &TestApp,
    uri: &str,
    cookie: &str,
    pairs: &[(&str, &str)],
) -> (StatusCode, String, Option<String>, String) {
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
    (
        s,
        location,
        cookie_of(&h, "zx_flash"),
        String::from_utf8(body).unwrap(),
    )
}

/// The text of the page's message (`form-notice` or `form-error`), or panic.
fn message(html: &str, id: &str) -> String {
    let key = format!("id=\"{id}\">");
    let start = html.find(&key).unwrap_or_else(|| panic!("{id} in {html}")) + key.len();
    html[start..].split("</p>").next().unwrap().to_owned()
}

/// The `<section>` whose id is `id`.
fn section(html: &str, id: &str) -> String {
    let start = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("section {id} in {html}"));
    html[start..].split("</section>").next().unwrap().to_owned()
}

/// Which of the named action forms (`class="… {prefix}-action {name}"`) a piece of page offers.
fn forms<'a>(html: &str, prefix: &str, names: &[&'a str]) -> Vec<&'a str> {
    names
        .iter()
        .copied()
        .filter(|f| html.contains(&format!("{prefix}-action {f}")))
        .collect()
}

const REWARD_FORMS: [&str; 6] = [
    "decide-form",
    "publish-form",
    "lead-form",
    "close-form",
    "verify-form",
    "pay-form",
];

async fn api(t: &TestApp, uri: &str) -> Value {
    let (s, v) = t.json("GET", uri, Some(&t.token("command")), None).await;
    assert_eq!(s, StatusCode::OK, "{uri}: {v}");
    v
}

#[tokio::test]
async fn ui_duty_pages_reward_from_application_to_payout() {
    for db in backends().await {
        let t = TestApp::new(db).await;
        let app = &t.db.app;
        let other = zhixing_testkit::seed_court(app, "川1124", "o").await;
        // A case filed on 2024-09-10, 17 days ago: an application made on 09-12 had to be decided
        // in 10 days, by Sunday 09-22 rolled over to Monday 09-23 (CPL art 85), so it is overdue
        // today (Friday 2024-09-27).
        let mut filing =
            zhixing_testkit::filing("川1123", 61, zhixing_testkit::person("钱十三", 61), 900_000);
        filing.filed_on = "2024-09-10".into();
        let case = app
            .file_case(&t.court.command, &filing, NOW_MS - 17 * DAY_MS)
            .await
            .unwrap()
            .case;
        let rewards = format!("/cases/{}/rewards", case.id);
        let list_api = format!("/api/v1/cases/{}/rewards", case.id);
        let cmd = login(&t, &t.court.command.username).await;
        let pres = login(&t, &t.court.president.username).await;

        // The case page links the page next to the referrals.
        let (_, html) = page(&t, &format!("/cases/{}", case.id), &cmd).await;
        assert!(
            html.contains(&format!(
                "<a href=\"{rewards}\" id=\"case-rewards-link\" class=\"button\">悬赏</a>"
            )),
            "{html}"
        );
        let (s, html) = page(&t, &rewards, &cmd).await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            html.contains("<h1>")
                && html.contains("执行悬赏")
                && html.contains("id=\"no-rewards\""),
            "{html}"
        );
        assert!(
            html.contains("id=\"reward-form\"")
                && html.contains("name=\"applicant_name\" value=\"张三\"")
                && !html.contains("reward-action"),
            "{html}"
        );
        let csrf = csrf_of(&html);
        let application = [
            ("applicant_name", "张三"),
            ("amount_yuan", "5,000.5"),
            ("formula", ""),
            ("promise_to_pay", "1"),
            ("publish_via", "全国法院执行悬赏公告平台、本院微信公众号"),
            ("channel", "0833-1234567"),
            ("applied_on", "2024-09-12"),
        ];

        // Without the CSRF token: 403 and nothing recorded.
        let (s, _, _, _) = post(&t, &rewards, &cmd, &application).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        assert_eq!(api(&t, &list_api).await.as_array().unwrap().len(), 0);
        // An amount in 元 that is not one: refused naming the field, nothing recorded.
        let mut bad = vec![("csrf", csrf.as_str())];
        bad.extend(application);
        bad[2].1 = "5000.505";
        let (s, loc, flash, _) = post(&t, &rewards, &cmd, &bad).await;
        assert_eq!((s, loc.as_str()), (StatusCode::SEE_OTHER, rewards.as_str()));
        let html = follow(&t, &loc, &cmd, flash).await;
        let err = message(&html, "form-error");
        assert!(
            err.contains("金额最多保留 2 位小数") && err.contains("amount_yuan：money_format"),
            "{err}"
        );
        assert_eq!(api(&t, &list_api).await.as_array().unwrap().len(), 0);
        // The application: 5,000.5 元 is 500 050 分 exactly.
        let mut ok = vec![("csrf", csrf.as_str())];
        ok.extend(application);
        let (s, loc, flash, _) = post(&t, &rewards, &cmd, &ok).await;
        assert_eq!((s, loc.as_str()), (StatusCode::SEE_OTHER, rewards.as_str()));
        let html = follow(&t, &loc, &cmd, flash).await;
        assert_eq!(message(&html, "form-notice"), "已登记悬赏申请。");
        let list = api(&t, &list_api).await;
        let r = &list[0];
        assert_eq!(
            (
                r["status"].as_str(),
                r["amount_fen"].as_i64(),
                r["applied_on"].as_str(),
                r["decide_by"].as_str(),
                r["decision_overdue"].as_bool()
            ),
            (
                Some("applied"),
                Some(500_050),
                Some("2024-09-12"),
                Some("2024-09-23"),
                Some(true)
            ),
            "{r}"
        );
        let rid = r["id"].as_str().unwrap().to_owned();
        let sid = format!("reward-{rid}");
        let sec = section(&html, &sid);
        assert!(
            sec.contains("data-status=\"applied\"")
                && sec.contains(">已申请</span>")
                && sec.contains("5,000.50 元")
                && sec.contains(
                    "2024-09-23 <span class=\"badge red decision-overdue\">超期未决定</span>"
                ),
            "{sec}"
        );
        // Only the 院长 decides: the command center has no form for an application.
        assert!(forms(&sec, "reward", &REWARD_FORMS).is_empty(), "{sec}");
        let (_, html) = page(&t, &rewards, &pres).await;
        let psec = section(&html, &sid);
        assert_eq!(
            forms(&psec, "reward", &REWARD_FORMS),
            ["decide-form"],
            "{psec}"
        );
        assert!(
            !html.contains("id=\"reward-form\""),
            "the president does not apply"
        );

        let step = |path: &str| format!("/rewards/{rid}/{path}");
        // A step the status does not allow: refused with its rule, nothing changes.
        let (s, loc, flash, _) = post(
            &t,
            &step("publish"),
            &cmd,
            &[("csrf", &csrf), ("published_on", "")],
        )
        .await;
        assert_eq!((s, loc.as_str()), (StatusCode::SEE_OTHER, rewards.as_str()));
        let html = follow(&t, &loc, &cmd, flash).await;
        assert_eq!(
            message(&html, "form-error"),
            "悬赏状态为「已申请」，不能变为「已发布」（status：reward_state）"
        );
        assert_eq!(api(&t, &list_api).await[0]["status"], "applied");
        // The command center may not decide (403, as in the API).
        let (s, _, _, body) = post(
            &t,
            &step("decide"),
            &cmd,
            &[("csrf", &csrf), ("decision", "approve")],
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
        // A refusal needs its reasons.
        let pcsrf = csrf_of(&page(&t, &rewards, &pres).await.1);
        let (_, loc, flash, _) = post(
            &t,
            &step("decide"),
            &pres,
            &[("csrf", &pcsrf), ("decision", "refuse"), ("note", "")],
        )
        .await;
        let html = follow(&t, &loc, &pres, flash).await;
        assert!(
            message(&html, "form-error").contains("（note：required）"),
            "{html}"
        );
        // Approved today, four days after the term: recorded as late.
        let (s, loc, flash, _) = post(
            &t,
            &step("decide"),
            &pres,
            &[
                ("csrf", &pcsrf),
                ("decision", "approve"),
                ("note", ""),
                ("decided_on", ""),
            ],
        )
        .await;
        assert_eq!((s, loc.as_str()), (StatusCode::SEE_OTHER, rewards.as_str()));
        let html = follow(&t, &loc, &pres, flash).await;
        assert_eq!(message(&html, "form-notice"), "已记录决定。");
        let r = &api(&t, &list_api).await[0];
        assert_eq!(
            (
                r["status"].as_str(),
                r["decided_on"].as_str(),
                r["decided_late"].as_bool(),
                r["decision_overdue"].as_bool()
            ),
            (
                Some("approved"),
                Some("2024-09-27"),
                Some(true),
                Some(false)
            ),
            "{r}"
        );
        assert!(forms(&section(&html, &sid), "reward", &REWARD_FORMS).is_empty());

        // Approved: the command center publishes (or closes).
        let (_, html) = page(&t, &rewards, &cmd).await;
        let sec = section(&html, &sid);
        assert_eq!(
            forms(&sec, "reward", &REWARD_FORMS),
            ["publish-form", "close-form"],
            "{sec}"
        );
        assert!(
            sec.contains("准许（决定日期 2024-09-27）")
                && sec.contains("decided-late\">逾期决定")
                && !sec.contains("decision-overdue"),
            "{sec}"
        );
        let (s, _, flash, _) = post(
            &t,
            &step("publish"),
            &cmd,
            &[("csrf", &csrf), ("published_on", "")],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let html = follow(&t, &rewards, &cmd, flash).await;
        assert_eq!(message(&html, "form-notice"), "悬赏公告已发布。");
        let r = &api(&t, &list_api).await[0];
        assert_eq!(r["status"], "published");
        assert_eq!(r["published_on"], "2024-09-27");
        let sec = section(&html, &sid);
        assert_eq!(
            forms(&sec, "reward", &REWARD_FORMS),
            ["lead-form", "close-form"],
            "{sec}"
        );
        assert!(
            sec.contains(r["public_text"].as_str().unwrap()) && sec.contains("no-leads"),
            "{sec}"
        );
        // Now on the public portal.
        let (s, _, body) = t
            .call(Request::get("/public/rewards").body(Body::empty()).unwrap())
            .await;
        assert_eq!(s, StatusCode::OK);
        let public = String::from_utf8(body).unwrap();
        assert!(
            public.contains(&case.case_number)
                && public.contains("钱十三")
                && public.contains("5,000.50 元"),
            "{public}"
        );

        // The clerk on the phone: a lead registered in order, its receipt on the page.
        let (s, _, flash, _) = post(
            &t,
            &step("lead"),
            &cmd,
            &[
                ("csrf", &csrf),
                ("content", "被执行人在城北有一辆未登记的货车"),
                ("tipster_name", "王举报"),
                ("tipster_phone", PHONE),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let html = follow(&t, &rewards, &cmd, flash).await;
        let leads = api(&t, &format!("/api/v1/rewards/{rid}/leads")).await;
        let lead = &leads[0];
        let lid = lead["id"].as_str().unwrap().to_owned();
        assert_eq!(
            (
                lead["seq"].as_i64(),
                lead["source"].as_str(),
                lead["status"].as_str()
            ),
            (Some(1), Some("staff"), Some("registered"))
        );
        assert_eq!(
            message(&html, "form-notice"),
            format!(
                "已登记线索，受理号 {}。",
                lead["receipt_no"].as_str().unwrap()
            )
        );
        let sec = section(&html, &sid);
        assert!(
            sec.contains(&format!("id=\"lead-{lid}\" data-status=\"registered\""))
                && sec.contains(&format!("王举报 {PHONE}"))
                && sec.contains("共 1 条，查证属实 0 条"),
            "{sec}"
        );
        assert_eq!(
            forms(&sec, "reward", &REWARD_FORMS),
            ["lead-form", "close-form", "verify-form"],
            "{sec}"
        );
        // The tipster stays confidential from whoever the use case does not give leads to: the
        // 院长 sees the counts, not the lead.
        let (_, html) = page(&t, &rewards, &pres).await;
        let psec = section(&html, &sid);
        assert!(
            !psec.contains("王举报")
                && !psec.contains(PHONE)
                && !psec.contains("未登记的货车")
                && psec.contains("leads-hidden")
                && psec.contains("共 1 条，查证属实 0 条"),
            "{psec}"
        );
        // The team's clerk takes leads on the phone too (TakeRewardLead): the form, not the
        // other leads.
        let clerk = login(&t, &t.court.clerk.username).await;
        let (_, html) = page(&t, &rewards, &clerk).await;
        let csec = section(&html, &sid);
        assert!(
            csec.contains("lead-form")
                && csec.contains("leads-hidden")
                && !csec.contains("王举报")
                && !csec.contains("未登记的货车"),
            "{csec}"
        );

        // Verification: a recovered amount in 元 that is not one names the field.
        let verify = |recovered: &'static str| {
            vec![
                ("lead", lid.clone()),
                ("result", "verified".to_owned()),
                ("note", "经查属实，已扣押该车并变价".to_owned()),
                ("led_to_recovery", "1".to_owned()),
                ("recovered_yuan", recovered.to_owned()),
                ("on", String::new()),
            ]
        };
        let with_csrf = |v: Vec<(&'static str, String)>| {
            let mut out = vec![("csrf", csrf.clone())];
            out.extend(v);
            out
        };
        let pairs = with_csrf(verify("2万"));
        let refs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (_, _, flash, _) = post(&t, &step("verify"), &cmd, &refs).await;
        let html = follow(&t, &rewards, &cmd, flash).await;
        assert!(
            message(&html, "form-error").contains("（recovered_yuan：money_format）"),
            "{html}"
        );
        assert_eq!(
            api(&t, &format!("/api/v1/rewards/{rid}/leads")).await[0]["status"],
            "registered"
        );
        let pairs = with_csrf(verify("20,000"));
        let refs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (s, _, flash, _) = post(&t, &step("verify"), &cmd, &refs).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let html = follow(&t, &rewards, &cmd, flash).await;
        assert_eq!(message(&html, "form-notice"), "已记录核查结果。");
        let lead = &api(&t, &format!("/api/v1/rewards/{rid}/leads")).await[0];
        assert_eq!(
            (
                lead["status"].as_str(),
                lead["led_to_recovery"].as_bool(),
                lead["recovered_fen"].as_i64()
            ),
            (Some("verified"), Some(true), Some(2_000_000))
        );
        let sec = section(&html, &sid);
        assert!(
            sec.contains("查证属实（2024-09-27）") && sec.contains("促成执行到位 20,000.00 元"),
            "{sec}"
        );
        assert_eq!(
            forms(&sec, "reward", &REWARD_FORMS),
            ["lead-form", "close-form", "pay-form"],
            "{sec}"
        );
        // A verified lead is not verified twice.
        let pairs = with_csrf(verify(""));
        let refs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (_, _, flash, _) = post(&t, &step("verify"), &cmd, &refs).await;
        let html = follow(&t, &rewards, &cmd, flash).await;
        assert_eq!(
            message(&html, "form-error"),
            "该线索已核查（status：lead_state）"
        );

        // Payout: never more than promised, only with the payee's declaration.
        let pay = |amount: &str, declared: bool| {
            let mut v = vec![
                ("csrf", csrf.clone()),
                ("lead", lid.clone()),
                ("payee_name", "王举报".to_owned()),
                ("amount_yuan", amount.to_owned()),
                ("paid_on", String::new()),
            ];
            if declared {
                v.push(("declaration", "1".to_owned()));
            }
            v
        };
        for (amount, declared, expect) in [
            ("5,000.51", true, "（amount_fen：payout_over_promise）"),
            ("5,000.50", false, "（declaration：payee_declaration）"),
            ("五千", true, "（amount_yuan：money_format）"),
        ] {
            let pairs = pay(amount, declared);
            let refs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let (_, _, flash, _) = post(&t, &step("pay"), &cmd, &refs).await;
            let html = follow(&t, &rewards, &cmd, flash).await;
            assert!(
                message(&html, "form-error").contains(expect),
                "{expect}: {html}"
            );
        }
        assert_eq!(api(&t, &list_api).await[0]["paid_fen"], 0);
        let pairs = pay("5,000.50", true);
        let refs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (s, _, flash, _) = post(&t, &step("pay"), &cmd, &refs).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let html = follow(&t, &rewards, &cmd, flash).await;
        assert_eq!(
            message(&html, "form-notice"),
            "已记录悬赏金发放 5,000.50 元。"
        );
        let r = &api(&t, &list_api).await[0];
        assert_eq!(
            (r["paid_fen"].as_i64(), r["successful"].as_bool()),
            (Some(500_050), Some(true))
        );
        let sec = section(&html, &sid);
        assert!(
            sec.contains("class=\"paid\">5,000.50 元")
                && sec.contains("class=\"remaining\">0.00 元"),
            "{sec}"
        );
        // The payout is listed with its payee for the staff who see the leads; the payee is the
        // tipster, so the 院长's page (leads hidden) does not name them.
        assert!(
            sec.contains("<td class=\"payee\">王举报</td><td class=\"num\">5,000.50 元</td>"),
            "{sec}"
        );
        let (_, phtml) = page(&t, &rewards, &pres).await;
        let psec = section(&phtml, &sid);
        assert!(
            !psec.contains("王举报") && !psec.contains("class=\"payout\""),
            "{psec}"
        );
        // Paid in full: no payout form left.
        assert_eq!(
            forms(&sec, "reward", &REWARD_FORMS),
            ["lead-form", "close-form"],
            "{sec}"
        );

        // A step that does not exist, and another court's user: 404 on the page and its forms.
        let (s, _, _, _) = post(&t, &step("reopen"), &cmd, &[("csrf", &csrf)]).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let stranger = login(&t, &other.command.username).await;
        let (s, html) = page(&t, &rewards, &stranger).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        assert!(!html.contains("钱十三"), "{html}");
        let scsrf = csrf_of(&page(&t, "/cases", &stranger).await.1);
        let (s, _, _, _) = post(
            &t,
            &step("close"),
            &stranger,
            &[("csrf", &scsrf), ("note", "已履行完毕"), ("closed_on", "")],
        )
        .await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, _, _, _) = post(
            &t,
            &rewards,
            &stranger,
            &[("csrf", &scsrf), ("amount_yuan", "x"), ("channel", "x")],
        )
        .await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        assert_eq!(api(&t, &list_api).await[0]["status"], "published");

        // Closed: nothing more to do with the notice, and it leaves the public list.
        let (s, _, flash, _) = post(
            &t,
            &step("close"),
            &cmd,
            &[("csrf", &csrf), ("note", "执行完毕"), ("closed_on", "")],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let html = follow(&t, &rewards, &cmd, flash).await;
        assert_eq!(message(&html, "form-notice"), "悬赏已结束。");
        let r = &api(&t, &list_api).await[0];
        assert_eq!(
            (r["status"].as_str(), r["close_note"].as_str()),
            (Some("closed"), Some("执行完毕"))
        );
        let sec = section(&html, &sid);
        assert!(forms(&sec, "reward", &REWARD_FORMS).is_empty(), "{sec}");
        assert!(!sec.contains("reward-actions"), "{sec}");
        let (_, _, body) = t
            .call(Request::get("/public/rewards").body(Body::empty()).unwrap())
            .await;
        assert!(!String::from_utf8(body).unwrap().contains(&case.case_number));

        // In English: labels translated, data as stored.
        let en = format!("{cmd}; zx_lang=en");
        let (s, html) = page(&t, &rewards, &en).await;
        assert_eq!(s, StatusCode::OK);
        let sec = section(&html, &sid);
        assert!(
            html.contains("Reward notices")
                && html.contains("Record a reward application")
                && sec.contains(">Closed</span>")
                && sec.contains("<dt>Applicant</dt><dd>张三</dd>")
                && sec.contains("Verified（2024-09-27）")
                && sec.contains("Led to recovery 20,000.00 元")
                && !sec.contains("已结束"),
            "{sec}"
        );
        let (_, html) = page(&t, &format!("/cases/{}", case.id), &en).await;
        assert!(
            html.contains("id=\"case-rewards-link\" class=\"button\">Rewards</a>"),
            "{html}"
        );
        t.db.cleanup().await;
    }
}

const TIPOFF_FORMS: [&str; 5] = [
    "dispatch-form",
    "respond-form",
    "close-form",
    "control-form",
    "control-outcome-form",
];

#[tokio::test]
async fn ui_duty_pages_tipoff_dispatch_response_and_police_control() {
    for db in backends().await {
        let t = TestApp::new(db).await;
        let app = &t.db.app;
        let other = zhixing_testkit::seed_court(app, "川1124", "o").await;
        let case = app
            .file_case(
                &t.court.command,
                &zhixing_testkit::filing(
                    "川1123",
                    62,
                    zhixing_testkit::person("孙十四", 62),
                    900_000,
                ),
                NOW_MS,
            )
            .await
            .unwrap()
            .case;
        // The police officer on the phone took it two hours ago: urgent (a vehicle), 30 minutes
        // to respond, so it is overdue now.
        let tip = app
            .intake_tipoff(
                &t.court.police,
                &TipoffInput {
                    court: String::new(),
                    case_number: Some(case.case_number.clone()),
                    debtor_name: "孙十四".into(),
                    kind: "vehicle".into(),
                    urgent: false,
                    content: "被执行人驾驶川L·A1234停在加油站".into(),
                    location: "犍为县玉津镇加油站".into(),
                    reporter_name: "赵热心".into(),
                    reporter_phone: PHONE.into(),
                },
                NOW_MS - 2 * 3_600_000,
            )
            .await
            .unwrap();
        let id = tip.tip.id.clone();
        let detail = format!("/tipoffs/{id}");
        let tip_api = format!("/api/v1/tipoffs/{id}");
        let cmd = login(&t, &t.court.command.username).await;

        // The list links each row to the tip-off's page.
        let (_, html) = page(&t, "/tipoffs", &cmd).await;
        assert!(
            html.contains(&format!(
                "<a href=\"{detail}\" class=\"tipoff-link\">{}</a>",
                tip.tip.receipt_no
            )),
            "{html}"
        );
        let (s, html) = page(&t, &detail, &cmd).await;
        assert_eq!(s, StatusCode::OK);
        let sec = section(&html, &format!("tipoff-{id}"));
        assert!(
            sec.contains("data-status=\"dispatched\"")
                && sec.contains("<dd class=\"tipoff-team\">指挥中心")
                && sec.contains(&format!("赵热心 {PHONE}"))
                && sec.contains(&format!(
                    "<a href=\"/cases/{}\" id=\"tipoff-case\">",
                    case.id
                ))
                && sec.contains("tipoff-overdue\">超时</span>")
                && sec.contains(">紧急</span>"),
            "{sec}"
        );
        assert_eq!(
            forms(&sec, "tipoff", &TIPOFF_FORMS),
            ["dispatch-form", "respond-form", "control-form"],
            "{sec}"
        );
        assert!(html.contains("id=\"no-controls\""), "{html}");
        let csrf = csrf_of(&html);
        let step = |s: &str| format!("/tipoffs/{id}/{s}");

        // Without the CSRF token: 403, not dispatched.
        let (s, _, _, _) = post(
            &t,
            &step("dispatch"),
            &cmd,
            &[("team_id", &t.court.fast_team)],
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        // An unknown team names the field.
        let (s, loc, flash, _) = post(
            &t,
            &step("dispatch"),
            &cmd,
            &[("csrf", &csrf), ("team_id", "no-such-team")],
        )
        .await;
        assert_eq!((s, loc.as_str()), (StatusCode::SEE_OTHER, detail.as_str()));
        let html = follow(&t, &loc, &cmd, flash).await;
        assert_eq!(
            message(&html, "form-error"),
            "本院无此办案团队（team_id：unknown_team）"
        );
        assert_eq!(api(&t, &tip_api).await["team_name"], "指挥中心");
        // Re-dispatched to the fast-track team.
        let (s, loc, flash, _) = post(
            &t,
            &step("dispatch"),
            &cmd,
            &[("csrf", &csrf), ("team_id", &t.court.fast_team)],
        )
        .await;
        assert_eq!((s, loc.as_str()), (StatusCode::SEE_OTHER, detail.as_str()));
        let html = follow(&t, &loc, &cmd, flash).await;
        assert_eq!(message(&html, "form-notice"), "已派单至速执一组。");
        let v = api(&t, &tip_api).await;
        assert_eq!(
            (v["status"].as_str(), v["team_name"].as_str()),
            (Some("dispatched"), Some("速执一组"))
        );
        // A judge of another team handles tip-offs too, but does not see who called.
        let judge3 = login(&t, &t.court.judges[2].username).await;
        let (s, html) = page(&t, &detail, &judge3).await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            !html.contains("赵热心") && !html.contains(PHONE) && html.contains("（保密） （保密）"),
            "{html}"
        );

        // Closing before a response is refused with the rule.
        let (_, _, flash, _) = post(
            &t,
            &step("close"),
            &cmd,
            &[("csrf", &csrf), ("note", "重复举报")],
        )
        .await;
        let html = follow(&t, &detail, &cmd, flash).await;
        assert!(
            message(&html, "form-error").contains("（status：tipoff_state）"),
            "{html}"
        );
        assert_eq!(api(&t, &tip_api).await["status"], "dispatched");

        // The response.
        let (s, _, flash, _) = post(
            &t,
            &step("respond"),
            &cmd,
            &[("csrf", &csrf), ("outcome", "已出警，车辆仍在现场")],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let html = follow(&t, &detail, &cmd, flash).await;
        assert_eq!(message(&html, "form-notice"), "已记录响应。");
        let v = api(&t, &tip_api).await;
        assert_eq!(
            (
                v["status"].as_str(),
                v["outcome"].as_str(),
                v["overdue"].as_bool()
            ),
            (Some("responded"), Some("已出警，车辆仍在现场"), Some(false))
        );
        let sec = section(&html, &format!("tipoff-{id}"));
        assert!(!sec.contains("tipoff-overdue"), "{sec}");
        assert_eq!(
            forms(&sec, "tipoff", &TIPOFF_FORMS),
            ["close-form", "control-form"],
            "{sec}"
        );

        // 临控: a malformed time names the field; then the request, then the police's answer.
        let (_, _, flash, _) = post(
            &t,
            &step("control"),
            &cmd,
            &[
                ("csrf", &csrf),
                ("agency", "犍为县公安局"),
                ("requested_at", "2024-13-01 10:00"),
            ],
        )
        .await;
        let html = follow(&t, &detail, &cmd, flash).await;
        assert_eq!(
            message(&html, "form-error"),
            "时间格式应为 YYYY-MM-DD HH:MM（requested_at：datetime）"
        );
        assert!(
            api(&t, &tip_api).await["controls"]
                .as_array()
                .unwrap()
                .is_empty()
        );
        let (s, _, flash, _) = post(
            &t,
            &step("control"),
            &cmd,
            &[
                ("csrf", &csrf),
                ("agency", "犍为县公安局"),
                ("requested_at", "2024-09-27T09:40"),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let html = follow(&t, &detail, &cmd, flash).await;
        assert_eq!(message(&html, "form-notice"), "已申请临控。");
        let v = api(&t, &tip_api).await;
        let control = &v["controls"][0];
        let cid = control["id"].as_str().unwrap().to_owned();
        assert_eq!(
            (
                control["status"].as_str(),
                control["agency"].as_str(),
                control["requested_at"].as_i64()
            ),
            (
                Some("requested"),
                Some("犍为县公安局"),
                Some(NOW_MS - 20 * 60_000)
            )
        );
        let row = section(&html, "controls");
        assert!(
            row.contains(&format!("id=\"control-{cid}\" data-status=\"requested\""))
                && row.contains("2024-09-27 09:40")
                && row.contains("已申请，待反馈"),
            "{row}"
        );
        assert_eq!(
            forms(&row, "tipoff", &TIPOFF_FORMS),
            ["control-outcome-form"]
        );
        // A 临控 request that is not this tip-off's is not found.
        let (s, _, _, _) = post(
            &t,
            &step("control-outcome"),
            &cmd,
            &[
                ("csrf", &csrf),
                ("control", "nope"),
                ("outcome", "controlled"),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, _, flash, _) = post(
            &t,
            &step("control-outcome"),
            &cmd,
            &[
                ("csrf", &csrf),
                ("control", &cid),
                ("outcome", "controlled"),
                ("note", "已在加油站控制被执行人"),
                ("at", ""),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let html = follow(&t, &detail, &cmd, flash).await;
        assert_eq!(message(&html, "form-notice"), "已记录临控结果。");
        let control = &api(&t, &tip_api).await["controls"][0];
        assert_eq!(
            (
                control["status"].as_str(),
                control["outcome_note"].as_str(),
                control["outcome_at"].as_i64()
            ),
            (
                Some("controlled"),
                Some("已在加油站控制被执行人"),
                Some(NOW_MS)
            )
        );
        let row = section(&html, "controls");
        assert!(
            row.contains(">已控制</td>") && !row.contains("control-outcome-form"),
            "{row}"
        );
        // An answer is recorded once.
        let (_, _, flash, _) = post(
            &t,
            &step("control-outcome"),
            &cmd,
            &[("csrf", &csrf), ("control", &cid), ("outcome", "not_found")],
        )
        .await;
        let html = follow(&t, &detail, &cmd, flash).await;
        assert_eq!(
            message(&html, "form-error"),
            "该临控请求已有结果（status：control_state）"
        );

        // A step that does not exist, and another court's user: 404 on the page and its forms.
        let (s, _, _, _) = post(&t, &step("reopen"), &cmd, &[("csrf", &csrf)]).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let stranger = login(&t, &other.command.username).await;
        let (s, html) = page(&t, &detail, &stranger).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        assert!(!html.contains("孙十四"), "{html}");
        let scsrf = csrf_of(&page(&t, "/tipoffs", &stranger).await.1);
        let (s, _, _, _) = post(
            &t,
            &step("close"),
            &stranger,
            &[("csrf", &scsrf), ("note", "x")],
        )
        .await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        assert_eq!(api(&t, &tip_api).await["status"], "responded");

        // Closed: no form left; a 临控 request is refused with its rule.
        let (s, _, flash, _) = post(
            &t,
            &step("close"),
            &cmd,
            &[("csrf", &csrf), ("note", "被执行人已到庭履行")],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let html = follow(&t, &detail, &cmd, flash).await;
        assert_eq!(message(&html, "form-notice"), "举报已办结。");
        let v = api(&t, &tip_api).await;
        assert_eq!(
            (v["status"].as_str(), v["close_note"].as_str()),
            (Some("closed"), Some("被执行人已到庭履行"))
        );
        assert!(forms(&html, "tipoff", &TIPOFF_FORMS).is_empty(), "{html}");
        let (_, _, flash, _) = post(
            &t,
            &step("control"),
            &cmd,
            &[("csrf", &csrf), ("agency", "犍为县公安局")],
        )
        .await;
        let html = follow(&t, &detail, &cmd, flash).await;
        assert_eq!(
            message(&html, "form-error"),
            "举报已办结，不能再申请临控（status：tipoff_state）"
        );
        assert_eq!(
            api(&t, &tip_api).await["controls"]
                .as_array()
                .unwrap()
                .len(),
            1
        );

        // The list's response form still posts to /tipoffs/{id}/respond and comes back to the list.
        let (s, second) = t
            .json(
                "POST",
                "/api/v1/tipoffs",
                Some(&t.token("police")),
                Some(
                    &serde_json::json!({"debtor_name": "孙十四", "kind": "assets",
                        "content": "被执行人在出租门面", "location": "犍为县城南",
                        "reporter_name": "李群众", "reporter_phone": PHONE})
                    .to_string(),
                ),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{second}");
        let sid = second["id"].as_str().unwrap().to_owned();
        let (_, html) = page(&t, "/tipoffs", &cmd).await;
        assert!(
            html.contains(&format!("action=\"/tipoffs/{sid}/respond\""))
                && html.contains("name=\"back\" value=\"list\""),
            "{html}"
        );
        let (s, loc, flash, _) = post(
            &t,
            &format!("/tipoffs/{sid}/respond"),
            &cmd,
            &[
                ("csrf", &csrf),
                ("back", "list"),
                ("outcome", "已核实门面地址"),
            ],
        )
        .await;
        assert_eq!((s, loc.as_str()), (StatusCode::SEE_OTHER, "/tipoffs"));
        let html = follow(&t, &loc, &cmd, flash).await;
        assert_eq!(message(&html, "form-notice"), "已记录响应。");
        assert_eq!(
            api(&t, &format!("/api/v1/tipoffs/{sid}")).await["status"],
            "responded"
        );

        // In English: labels translated, data as stored.
        let (s, html) = page(&t, &detail, &format!("{cmd}; zx_lang=en")).await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            html.contains("Enforcement 110 report")
                && html.contains("Police control (临控)")
                && html.contains(">Controlled</td>")
                && html.contains("<dt>Place</dt><dd>犍为县玉津镇加油站</dd>")
                && html.contains(">Closed</span>")
                && !html.contains("已控制"),
            "{html}"
        );
        t.db.cleanup().await;
    }
}
