//! The case-funds pages on both databases: a receipt arrives through the bank API, a disbursement
//! is proposed through the form (CSRF, 元 parsed to exact 分, a double submit proposing once), the
//! proposer cannot approve it (two-person rule shown on the page), another approver does, the
//! balances shown are exact and agree with the API, an unidentified receipt is claimed through the
//! court-wide page, another court sees nothing, and the pages switch to English.

use axum::http::StatusCode;
use serde_json::{Value, json};
use zhixing_testkit::{PASSWORD, backends};

use crate::common::{TestApp, count_sql};
use crate::funds::{post_receipt, receipt_body};
use crate::ui::{csrf_of, follow, login, page, post_flash, post_form};

/// The value of the hidden input `name` on a page.
fn hidden(html: &str, name: &str) -> String {
    let key = format!("name=\"{name}\" value=\"");
    let start = html.find(&key).unwrap_or_else(|| panic!("{key} in {html}")) + key.len();
    html[start..].split('"').next().unwrap().to_owned()
}

/// The section of the disbursement `id` on the case's funds page.
fn disbursement<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!("id=\"disbursement-{id}\""))
        .unwrap_or_else(|| panic!("disbursement {id} in {html}"));
    html[start..].split("</table>").next().unwrap()
}

async fn session(t: &TestApp, user: &str) -> String {
    let (s, sess, body) = login(t, user, PASSWORD).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{user}: {body}");
    sess.unwrap()
}

async fn api_funds(t: &TestApp, case_id: &str) -> Value {
    let (s, f) = t
        .json(
            "GET",
            &format!("/api/v1/cases/{case_id}/funds"),
            Some(&t.token("command")),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{f}");
    f
}

#[tokio::test]
async fn ui_funds_propose_approve_and_claim_through_the_pages() {
    for db in backends().await {
        let t = TestApp::new(db).await;
        let app = &t.db.app;
        let other = zhixing_testkit::seed_court(app, "川1124", "o").await;
        let (bank, case_id, account) = crate::funds::setup(&t).await;
        let case_number = app
            .case_detail(&t.court.command, &case_id)
            .await
            .unwrap()
            .case
            .case_number;
        // 1,500.00 元 arrives on the case account through the bank's API.
        let (s, _, r) = post_receipt(
            &t,
            &bank,
            &receipt_body("ui-f1", &account, json!(150_000)).to_string(),
        )
        .await;
        assert_eq!(
            (s, r["status"].as_str()),
            (StatusCode::CREATED, Some("booked"))
        );
        let funds = format!("/cases/{case_id}/funds");
        let director = session(&t, "wdirector").await;

        // The case page links the funds page from its funds section.
        let (_, html) = page(&t, &format!("/cases/{case_id}"), &director).await;
        assert!(
            html.contains(&format!(
                "<a href=\"{funds}\" id=\"case-funds-link\" class=\"button\">案款收付</a>"
            )),
            "{html}"
        );
        let (s, html) = page(&t, &funds, &director).await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            html.contains(&format!("<dd class=\"mono\" id=\"funds-account\">{account}</dd>"))
                && html.contains("<dd id=\"funds-balance\">1,500.00 元</dd>")
                && html.contains("<dd id=\"funds-received\">1,500.00 元</dd>")
                && html.contains("<dd id=\"funds-disbursed\">0.00 元</dd>")
                && html.contains("<td class=\"mono\">BR-ui-f1</td><td class=\"num\">1,500.00 元</td><td>直接到账</td><td>2024-10-28</td>")
                && html.contains("id=\"no-disbursements\"")
                && html.contains("id=\"disbursement-form\"")
                && html.contains("id=\"nav-funds\""),
            "{html}"
        );
        let csrf = csrf_of(&html);
        let key = hidden(&html, "idempotency_key");
        assert_eq!(key.len(), 64, "{key}");
        let lines = [
            ("lines[0].kind", "applicant"),
            ("lines[0].payee_name", "张三"),
            ("lines[0].payee_account", "6222020000000000002"),
            ("lines[0].amount", "1,234.56"),
            ("lines[1].kind", "fee"),
            ("lines[1].payee_name", ""),
            ("lines[1].payee_account", ""),
            ("lines[1].amount", "100"),
            ("lines[2].kind", "applicant"),
            ("lines[2].amount", ""),
        ];
        let propose = format!("{funds}/disbursements");
        let with = |extra: &[(&'static str, &'static str)]| {
            let mut v: Vec<(&str, String)> =
                vec![("csrf", csrf.clone()), ("idempotency_key", key.clone())];
            for (k, x) in lines.iter().chain(extra) {
                v.retain(|(n, _)| n != k);
                v.push((*k, (*x).to_owned()));
            }
            v
        };
        let post = |v: Vec<(&'static str, String)>| {
            let (t, director, propose) = (&t, director.clone(), propose.clone());
            async move {
                let body: Vec<(&str, &str)> = v.iter().map(|(k, x)| (*k, x.as_str())).collect();
                post_flash(t, &propose, &director, &body).await
            }
        };
        let stored = || {
            count_sql(
                &t,
                "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM fund_disbursements",
            )
        };

        // Without the CSRF token: 403, nothing proposed.
        let mut no_csrf = with(&[]);
        no_csrf.retain(|(k, _)| *k != "csrf");
        let (s, _, _) = post(no_csrf).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        assert_eq!(stored().await, 0);
        // Three decimals: 422, the page names the field and keeps what was typed.
        let v = with(&[("lines[0].amount", "1.234")]);
        let body: Vec<(&str, &str)> = v.iter().map(|(k, x)| (*k, x.as_str())).collect();
        let (s, _, html) = post_form(&t, &propose, &director, &body).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
        assert!(
            html.contains("id=\"form-error\">金额格式错误：金额最多保留 2 位小数（精确到分）（输入：“1.234”）（lines[0].amount：money_format）")
                && html.contains("name=\"lines[0].amount\" value=\"1.234\"")
                && html.contains(&format!("name=\"idempotency_key\" value=\"{key}\"")),
            "{html}"
        );
        // A payment to the applicant without the payee's account: the use case's rule, named
        // by the form's row.
        let v = with(&[("lines[0].payee_account", "")]);
        let body: Vec<(&str, &str)> = v.iter().map(|(k, x)| (*k, x.as_str())).collect();
        let (s, _, html) = post_form(&t, &propose, &director, &body).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
        assert!(html.contains("lines[0].payee_account：required"), "{html}");
        // A fine row that does not pick the decision it pays (CPL art 119): refused, naming it.
        let v = with(&[("lines[1].kind", "fine")]);
        let body: Vec<(&str, &str)> = v.iter().map(|(k, x)| (*k, x.as_str())).collect();
        let (s, _, html) = post_form(&t, &propose, &director, &body).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
        assert!(
            html.contains("lines[1].measure_id：fine_needs_decision"),
            "{html}"
        );
        // More than the balance: 409 with the balance in 元.
        let v = with(&[("lines[0].amount", "1,400.01")]);
        let body: Vec<(&str, &str)> = v.iter().map(|(k, x)| (*k, x.as_str())).collect();
        let (s, _, html) = post_form(&t, &propose, &director, &body).await;
        assert_eq!(s, StatusCode::CONFLICT, "{html}");
        assert!(
            html.contains("发放合计 1,500.01 元 超过案款余额 1,500.00 元"),
            "{html}"
        );
        assert_eq!(stored().await, 0);

        // Proposed: 1,234.56 元 to the applicant and 100 元 fee = 133,456 分.
        let (s, loc, flash) = post(with(&[])).await;
        assert_eq!((s, loc.as_str()), (StatusCode::SEE_OTHER, funds.as_str()));
        let html = follow(&t, &loc, &director, flash).await;
        assert!(
            html.contains("id=\"form-notice\">已提交发放申请，合计 1,334.56 元，等待审批。"),
            "{html}"
        );
        // The same form again (a double submit): nothing more is proposed.
        let (s, loc, flash) = post(with(&[])).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let html = follow(&t, &loc, &director, flash).await;
        assert!(
            html.contains("该表单已经提交过，未重复申请（合计 1,334.56 元）"),
            "{html}"
        );
        assert_eq!(stored().await, 1);
        // The same key with other lines is refused rather than taken for a replay.
        let (s, _, _) = post(with(&[("lines[1].amount", "99")])).await;
        assert_eq!(s, StatusCode::CONFLICT);
        assert_eq!(stored().await, 1);
        let did = {
            let key = "id=\"disbursement-";
            let start = html.find(key).expect("a disbursement") + key.len();
            html[start..].split('"').next().unwrap().to_owned()
        };
        let sec = disbursement(&html, &did);
        assert!(
            sec.contains("data-status=\"proposed\"")
                && sec.contains("<span class=\"disbursement-total\">1,334.56 元</span>")
                && sec.contains(">待审批</span>")
                && sec.contains("<dd class=\"proposer\">directorw（")
                && sec.contains("<td>发放申请执行人</td><td>张三</td><td class=\"mono\">6222020000000000002</td><td class=\"num\">1,234.56 元</td>")
                && sec.contains("<td>申请执行费</td><td></td><td class=\"mono\"></td><td class=\"num\">100.00 元</td>"),
            "{sec}"
        );
        // The director may decide disbursements, so the buttons are there ...
        assert!(html.contains(&format!("action=\"/funds/disbursements/{did}/approve\"")));
        // ... but not for their own proposal: the page says why, and nothing moved.
        let step = |who: String, step: &'static str, reason: &'static str| {
            let (t, csrf, did, case_id) = (&t, csrf.clone(), did.clone(), case_id.clone());
            async move {
                let uri = format!("/funds/disbursements/{did}/{step}");
                let body = [
                    ("csrf", csrf.as_str()),
                    ("back", case_id.as_str()),
                    ("reason", reason),
                ];
                post_flash(t, &uri, &who, &body).await
            }
        };
        let (s, loc, flash) = step(director.clone(), "approve", "").await;
        assert_eq!((s, loc.as_str()), (StatusCode::SEE_OTHER, funds.as_str()));
        let html = follow(&t, &loc, &director, flash).await;
        assert!(
            html.contains("id=\"form-error\">发放申请须由申请人以外的审批人批准（双人审批）：您不能批准自己提出的发放申请"),
            "{html}"
        );
        assert!(disbursement(&html, &did).contains("data-status=\"proposed\""));
        assert_eq!(api_funds(&t, &case_id).await["balance_fen"], 150_000);
        // An unknown step is 404; a handler who may not decide sees no buttons.
        let (s, _, _) = step(director.clone(), "cancel", "").await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let command = session(&t, "wcommand").await;
        let (_, html) = page(&t, &funds, &command).await;
        assert!(
            html.contains(&format!("id=\"disbursement-{did}\""))
                && !html.contains("approve-form")
                && html.contains("id=\"disbursement-form\""),
            "{html}"
        );
        // Another court's users: the case, its page and its disbursement do not exist for them.
        let ocommand = session(&t, &other.command.username).await;
        let odirector = session(&t, &other.director.username).await;
        let (s, _) = page(&t, &funds, &ocommand).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (_, ohtml) = page(&t, "/cases", &ocommand).await;
        let ocsrf = csrf_of(&ohtml);
        let (s, _, _) = post_flash(
            &t,
            &propose,
            &ocommand,
            &[
                ("csrf", ocsrf.as_str()),
                ("idempotency_key", "k"),
                ("lines[0].kind", "fee"),
                ("lines[0].amount", "1"),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (_, ohtml) = page(&t, "/cases", &odirector).await;
        let ocsrf = csrf_of(&ohtml);
        let (s, _, _) = post_flash(
            &t,
            &format!("/funds/disbursements/{did}/approve"),
            &odirector,
            &[("csrf", ocsrf.as_str()), ("back", case_id.as_str())],
        )
        .await;
        assert_eq!(s, StatusCode::NOT_FOUND);

        // The president (another approver) approves: the money leaves the case account.
        let president = session(&t, "wpresident").await;
        let (_, html) = page(&t, &funds, &president).await;
        assert!(html.contains("approve-form") && !html.contains("id=\"disbursement-form\""));
        let csrf_p = csrf_of(&html);
        let (s, loc, flash) = post_flash(
            &t,
            &format!("/funds/disbursements/{did}/approve"),
            &president,
            &[
                ("csrf", csrf_p.as_str()),
                ("back", case_id.as_str()),
                ("reason", "同意"),
            ],
        )
        .await;
        assert_eq!((s, loc.as_str()), (StatusCode::SEE_OTHER, funds.as_str()));
        let html = follow(&t, &loc, &president, flash).await;
        assert!(
            html.contains("id=\"form-notice\">已批准发放 1,334.56 元，等待银行付款。")
                && html.contains("<dd id=\"funds-balance\">165.44 元</dd>")
                && html.contains("<dd id=\"funds-received\">1,500.00 元</dd>")
                && html.contains("<dd id=\"funds-disbursed\">1,334.56 元</dd>"),
            "{html}"
        );
        let sec = disbursement(&html, &did);
        assert!(
            sec.contains("data-status=\"approved\"")
                && sec.contains(">已批准（待银行付款）</span>")
                && sec.contains("<dd class=\"decider\">presidentw（")
                && sec.contains("<dd class=\"decision-reason\">同意</dd>")
                && !html.contains("approve-form"),
            "{sec}"
        );
        let f = api_funds(&t, &case_id).await;
        assert_eq!(
            (f["balance_fen"].as_i64(), f["disbursed_fen"].as_i64()),
            (Some(16_544), Some(133_456))
        );
        // Decided once: a second approval is refused with the reason on the page.
        let (s, loc, flash) = post_flash(
            &t,
            &format!("/funds/disbursements/{did}/approve"),
            &president,
            &[("csrf", csrf_p.as_str()), ("back", case_id.as_str())],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let html = follow(&t, &loc, &president, flash).await;
        assert!(html.contains("该发放申请已审批过，不能重复审批"), "{html}");
        // The president's court-wide page lists the instruction for the bank (the applicant's
        // line; the fee stays in court income), and no unidentified receipts (not theirs to claim).
        let (s, html) = page(&t, "/funds/unidentified", &president).await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            html.contains(&format!("<tr class=\"instruction\" data-disbursement=\"{did}\"><td><a href=\"{funds}\">{case_number}</a></td>"))
                && html.contains("<td>张三</td><td class=\"mono\">6222020000000000002</td><td class=\"num\">1,234.56 元</td>")
                && html.matches("class=\"instruction\"").count() == 1
                && !html.contains("id=\"unidentified\""),
            "{html}"
        );
        // The bank pays: the page shows it paid with the bank's reference.
        let (s, d) = t
            .json(
                "POST",
                &format!("/api/v1/funds/disbursements/{did}/confirm"),
                Some(&bank),
                Some(&json!({"bank_reference": "PAY-UI-1"}).to_string()),
            )
            .await;
        assert_eq!(
            (s, d["status"].as_str()),
            (StatusCode::OK, Some("paid")),
            "{d}"
        );
        let (_, html) = page(&t, &funds, &command).await;
        let sec = disbursement(&html, &did);
        assert!(
            sec.contains(">已发放</span>") && sec.contains("<dd class=\"mono\">PAY-UI-1</dd>"),
            "{sec}"
        );
        let (_, html) = page(&t, "/funds/unidentified", &president).await;
        assert!(html.contains("id=\"no-instructions\""), "{html}");

        // Two submissions of one form at the same moment (a double click): one proposal.
        let (_, html) = page(&t, &funds, &command).await;
        let (csrf_c, key_c) = (csrf_of(&html), hidden(&html, "idempotency_key"));
        assert_ne!(key_c, key, "a new key per render");
        let fee = [
            ("csrf", csrf_c.as_str()),
            ("idempotency_key", key_c.as_str()),
            ("lines[0].kind", "fee"),
            ("lines[0].amount", "1.00"),
        ];
        let (a, b) = tokio::join!(
            post_flash(&t, &propose, &command, &fee),
            post_flash(&t, &propose, &command, &fee)
        );
        assert_eq!((a.0, b.0), (StatusCode::SEE_OTHER, StatusCode::SEE_OTHER));
        assert_eq!(stored().await, 2);
        let (_, html) = page(&t, &funds, &president).await;
        let fee_id = {
            let key = "data-status=\"proposed\"";
            let end = html.find(key).expect("the fee proposal");
            let start =
                html[..end].rfind("id=\"disbursement-").unwrap() + "id=\"disbursement-".len();
            html[start..].split('"').next().unwrap().to_owned()
        };
        // A refusal needs its reason (the field is named), then refuses; no money moves.
        let refuse = format!("/funds/disbursements/{fee_id}/refuse");
        let csrf_p = csrf_of(&html);
        let (s, loc, flash) = post_flash(
            &t,
            &refuse,
            &president,
            &[
                ("csrf", csrf_p.as_str()),
                ("back", case_id.as_str()),
                ("reason", " "),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let html = follow(&t, &loc, &president, flash).await;
        assert!(
            html.contains("reason 不能为空（reason：required）"),
            "{html}"
        );
        let (s, loc, flash) = post_flash(
            &t,
            &refuse,
            &president,
            &[
                ("csrf", csrf_p.as_str()),
                ("back", case_id.as_str()),
                ("reason", "申请执行费尚未核定"),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let html = follow(&t, &loc, &president, flash).await;
        assert!(
            html.contains("id=\"form-notice\">已不予批准该发放申请（合计 1.00 元）。")
                && disbursement(&html, &fee_id).contains(">不予批准</span>")
                && disbursement(&html, &fee_id)
                    .contains("<dd class=\"decision-reason\">申请执行费尚未核定</dd>")
                && html.contains("<dd id=\"funds-balance\">165.44 元</dd>"),
            "{html}"
        );
        assert_eq!(api_funds(&t, &case_id).await["balance_fen"], 16_544);

        // 2,500.50 元 arrives without a usable account number: unidentified, with suggestions.
        let (s, _, r) = post_receipt(
            &t,
            &bank,
            &receipt_body("ui-f2", "no such account", json!(250_050)).to_string(),
        )
        .await;
        assert_eq!(
            (s, r["status"].as_str()),
            (StatusCode::CREATED, Some("unidentified"))
        );
        let rid = r["receipt_id"].as_str().unwrap().to_owned();
        let (s, html) = page(&t, "/funds/unidentified", &command).await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            html.contains(&format!("id=\"receipt-{rid}\""))
                && html.contains("<td class=\"num\">2,500.50 元</td>")
                && html.contains(&format!(
                    "<a href=\"{funds}\">{case_number}</a>（付款人是该案被执行人）"
                ))
                && html.contains("<td class=\"mono\">BR-ui-f2</td>")
                && html.contains("<td>2024-09-30</td>")
                && !html.contains("id=\"instructions\""),
            "{html}"
        );
        let csrf_c = csrf_of(&html);
        let claim = format!("/funds/receipts/{rid}/claim");
        // Without the CSRF token: 403; an unknown case number: the field is named.
        let (s, _, _) = post_flash(&t, &claim, &command, &[("case_number", &case_number)]).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, loc, flash) = post_flash(
            &t,
            &claim,
            &command,
            &[
                ("csrf", csrf_c.as_str()),
                ("case_number", "（2024）川1123执99999号"),
            ],
        )
        .await;
        assert_eq!(
            (s, loc.as_str()),
            (StatusCode::SEE_OTHER, "/funds/unidentified")
        );
        let html = follow(&t, &loc, &command, flash).await;
        assert!(
            html.contains("本院没有案号为「（2024）川1123执99999号」的案件（case_number：unknown_case_number）"),
            "{html}"
        );
        // Another court cannot claim it (the receipt is not theirs).
        let (_, ohtml) = page(&t, "/cases", &ocommand).await;
        let (s, _, _) = post_flash(
            &t,
            &claim,
            &ocommand,
            &[
                ("csrf", csrf_of(&ohtml).as_str()),
                ("case_id", case_id.as_str()),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        // Claimed to the case by its number.
        let (s, loc, flash) = post_flash(
            &t,
            &claim,
            &command,
            &[
                ("csrf", csrf_c.as_str()),
                ("case_id", ""),
                ("case_number", &case_number),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let html = follow(&t, &loc, &command, flash).await;
        assert!(
            html.contains(&format!(
                "id=\"form-notice\">已认领到 {case_number}，该案案款余额 2,665.94 元。"
            )) && html.contains("id=\"no-unidentified\""),
            "{html}"
        );
        let f = api_funds(&t, &case_id).await;
        assert_eq!(
            (f["balance_fen"].as_i64(), f["received_fen"].as_i64()),
            (Some(266_594), Some(400_050))
        );
        let (_, html) = page(&t, &funds, &command).await;
        assert!(
            html.contains("<dd id=\"funds-balance\">2,665.94 元</dd>")
                && html.contains("<td class=\"mono\">BR-ui-f2</td><td class=\"num\">2,500.50 元</td><td>认领入账</td>"),
            "{html}"
        );
        // Claimed once.
        let (s, loc, flash) = post_flash(
            &t,
            &claim,
            &command,
            &[("csrf", csrf_c.as_str()), ("case_id", case_id.as_str())],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let html = follow(&t, &loc, &command, flash).await;
        assert!(html.contains("receipt_not_unidentified"), "{html}");
        // Roles with no funds work: no link, and the page is refused.
        let police = session(&t, "wpolice").await;
        let (_, html) = page(&t, "/cases", &police).await;
        assert!(!html.contains("nav-funds"), "{html}");
        let (s, _) = page(&t, "/funds/unidentified", &police).await;
        assert_eq!(s, StatusCode::FORBIDDEN);

        // English with the language cookie.
        let (s, html) = page(&t, &funds, &format!("{command}; zx_lang=en")).await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            html.contains("<html lang=\"en\">")
                && html.contains("· Case funds</h1>")
                && html.contains("<h2>Disbursements</h2>")
                && html.contains(">Paid</span>")
                && html.contains("<td>To the applicant</td>")
                && html.contains("<td>Enforcement fee</td>")
                && html.contains("<td>Claimed</td>")
                && html.contains("<dd id=\"funds-balance\">2,665.94 元</dd>")
                && html.contains("Propose a disbursement")
                && !html.contains("申请发放案款"),
            "{html}"
        );
        let (_, html) = page(
            &t,
            &format!("/cases/{case_id}"),
            &format!("{command}; zx_lang=en"),
        )
        .await;
        assert!(
            html.contains(
                "id=\"case-funds-link\" class=\"button\">Receipts &amp; disbursements</a>"
            ),
            "{html}"
        );
        let (_, html) = page(&t, "/funds/unidentified", &format!("{command}; zx_lang=en")).await;
        assert!(
            html.contains("Unidentified receipts (to claim)")
                && html.contains("id=\"nav-funds\">Funds</a>")
                && html.contains("No unidentified receipts"),
            "{html}"
        );
        assert!(app.verify_funds("川1123").await.unwrap().is_empty());
        t.db.cleanup().await;
    }
}
