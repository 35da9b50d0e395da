//! Pages of rewards and 执行110: the public reward notices with their tip form, the public
//! tip-off form (no login; answers with a receipt number only), and the command center's tip-off
//! list with the response form (posted to `ui_tipoff`'s step handler; each row links the tip-off's
//! own page there).

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::Router;
use axum::extract::{FromRequest, Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum_extra::extract::cookie::CookieJar;
use zhixing_app::duty::{TipInput, TipoffInput};
use zhixing_domain::duty::tipoff_transition;
use zhixing_domain::money::Fen;
use zhixing_domain::role::Permission;
use zhixing_domain::time::china_datetime_text;

use crate::i18n::{Lang, fill};
use crate::state::AppState;
use crate::ui::{Nav, Staff, error_page, field};
use crate::ui_measures::{TrM, public_lang, take_flash};

/// Strings of the 执行110 and reward pages (zh default, en on request); the portal's header and
/// links are `ui_measures::TrM`'s. `{placeholders}` are filled in with `i18n::fill`.
pub struct TrU {
    // The public reward notices and the tip-off form.
    pub rewards: &'static str,
    pub tipoff: &'static str,
    pub portal_sub: &'static str,
    pub no_notices: &'static str,
    pub debtor_line: &'static str,
    pub reward_line: &'static str,
    pub tip_content: &'static str,
    pub your_name: &'static str,
    pub your_phone: &'static str,
    pub submit_tip: &'static str,
    pub court: &'static str,
    pub court_example: &'static str,
    pub case_number: &'static str,
    pub debtor_name: &'static str,
    pub tip_kind: &'static str,
    pub kind_whereabouts: &'static str,
    pub kind_vehicle: &'static str,
    pub kind_assets: &'static str,
    pub kind_other: &'static str,
    pub urgent_box: &'static str,
    pub seen: &'static str,
    pub location: &'static str,
    pub submit_tipoff: &'static str,
    pub confidential: &'static str,
    pub too_frequent: &'static str,
    pub bad_form: &'static str,
    pub tip_received: &'static str,
    pub tipoff_received: &'static str,
    // The command center's list.
    pub nav: &'static str,
    pub list_title: &'static str,
    pub all_open: &'static str,
    pub overdue_only: &'static str,
    pub none: &'static str,
    pub receipt: &'static str,
    pub debtor: &'static str,
    pub report: &'static str,
    pub reporter: &'static str,
    pub team: &'static str,
    pub respond_by: &'static str,
    pub status: &'static str,
    pub urgent: &'static str,
    pub overdue: &'static str,
    pub outcome: &'static str,
    pub record_response: &'static str,
    pub pager: &'static str,
    pub prev: &'static str,
    pub next: &'static str,
    pub st_new: &'static str,
    pub st_dispatched: &'static str,
    pub st_responded: &'static str,
    pub st_closed: &'static str,
}

const ZH: TrU = TrU {
    rewards: "悬赏公告",
    tipoff: "执行110 举报",
    portal_sub: "悬赏公告 · 执行110 举报",
    no_notices: "暂无悬赏公告。",
    debtor_line: "被执行人：{name}（{id}）",
    reward_line: "悬赏金额：{reward}；发布日期 {date}；联系方式：{channel}",
    tip_content: "线索内容",
    your_name: "您的姓名",
    your_phone: "联系电话",
    submit_tip: "提交线索（严格保密）",
    court: "受理法院代字",
    court_example: "如 川1123",
    case_number: "案号（可不填）",
    debtor_name: "被执行人姓名/名称",
    tip_kind: "线索类别",
    kind_whereabouts: "被执行人行踪",
    kind_vehicle: "车辆",
    kind_assets: "财产",
    kind_other: "其他",
    urgent_box: "紧急（被执行人正在现场）",
    seen: "看到的情况",
    location: "地点",
    submit_tipoff: "提交举报",
    confidential: "举报人信息严格保密，仅执行法院值班人员可见（最高人民法院关于民事执行中财产调查若干问题的规定第二十三条）。",
    too_frequent: "提交过于频繁，请稍后再试",
    bad_form: "表单格式不正确",
    tip_received: "线索已收到，受理号 {no}。我们会对您的身份严格保密。",
    tipoff_received: "举报已受理，受理号 {no}，值班人员将尽快处置。",
    nav: "执行110",
    list_title: "执行110 举报线索",
    all_open: "全部未结",
    overdue_only: "超时未响应",
    none: "暂无",
    receipt: "受理号",
    debtor: "被执行人",
    report: "情况",
    reporter: "举报人",
    team: "承办团队",
    respond_by: "响应时限",
    status: "状态",
    urgent: "紧急",
    overdue: "超时",
    outcome: "出警/处置情况",
    record_response: "记录响应",
    pager: "共 {total} 条 · 第 {page} / {pages} 页",
    prev: "上一页",
    next: "下一页",
    st_new: "待派单",
    st_dispatched: "已派单",
    st_responded: "已响应",
    st_closed: "已结",
};

const EN: TrU = TrU {
    rewards: "Reward notices",
    tipoff: "Enforcement 110 hotline report",
    portal_sub: "Reward notices · Enforcement 110 hotline",
    no_notices: "No reward notices at present.",
    debtor_line: "Judgment debtor: {name} ({id})",
    reward_line: "Reward: {reward}; published on {date}; contact: {channel}",
    tip_content: "Your information",
    your_name: "Your name",
    your_phone: "Phone number",
    submit_tip: "Submit information (kept strictly confidential)",
    court: "Court code (代字)",
    court_example: "e.g. 川1123",
    case_number: "Case number (optional)",
    debtor_name: "Name of the judgment debtor (person or entity)",
    tip_kind: "Kind of information",
    kind_whereabouts: "Whereabouts of the judgment debtor",
    kind_vehicle: "Vehicle",
    kind_assets: "Property",
    kind_other: "Other",
    urgent_box: "Urgent (the judgment debtor is there now)",
    seen: "What you saw",
    location: "Place",
    submit_tipoff: "Submit report",
    confidential: "The reporter's details are kept strictly confidential and are seen only by the enforcing court's duty officers (Provisions of the Supreme People's Court on Several Issues concerning Property Investigation in Civil Enforcement, art. 23).",
    too_frequent: "Too many submissions, please try again later",
    bad_form: "The form could not be read",
    tip_received: "Information received, receipt number {no}. Your identity will be kept strictly confidential.",
    tipoff_received: "Report received, receipt number {no}. The duty officers will act on it as soon as possible.",
    nav: "Enforcement 110",
    list_title: "Enforcement 110 hotline reports",
    all_open: "All open",
    overdue_only: "Overdue, no response",
    none: "None",
    receipt: "Receipt no.",
    debtor: "Judgment debtor",
    report: "Report",
    reporter: "Reporter",
    team: "Team in charge",
    respond_by: "Respond by",
    status: "Status",
    urgent: "Urgent",
    overdue: "Overdue",
    outcome: "Dispatch / action taken",
    record_response: "Record response",
    pager: "{total} in all · page {page} of {pages}",
    prev: "Previous",
    next: "Next",
    st_new: "Awaiting dispatch",
    st_dispatched: "Dispatched",
    st_responded: "Responded",
    st_closed: "Closed",
};

pub fn tr(lang: Lang) -> &'static TrU {
    match lang {
        Lang::Zh => &ZH,
        Lang::En => &EN,
    }
}

pub struct NoticeLine {
    pub id: String,
    pub court_name: String,
    pub case_number: String,
    /// The debtor with the masked ID number, in the page's language.
    pub debtor: String,
    /// The reward, publication date and channel, in the page's language.
    pub reward: String,
    pub public_text: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "public_duty.html")]
pub struct PublicDutyPage {
    pub t: &'static crate::i18n::Tr,
    pub m: &'static TrM,
    pub u: &'static TrU,
    pub lang: &'static str,
    /// Where the language switch comes back to.
    pub back: &'static str,
    pub heading: &'static str,
    pub show_rewards: bool,
    pub notices: Vec<NoticeLine>,
    pub court: String,
    pub message: String,
    pub error: String,
}

/// The public tip-off form (or its answer) in `lang`.
fn tipoff_page(lang: Lang, message: String, error: String, court: String) -> Response {
    let u = tr(lang);
    PublicDutyPage {
        t: lang.tr(),
        m: crate::ui_measures::tr(lang),
        u,
        lang: lang.code(),
        back: "/public/tipoff",
        heading: u.tipoff,
        show_rewards: false,
        notices: Vec::new(),
        court,
        message,
        error,
    }
    .into_response()
}

async fn rewards_page(st: &AppState, lang: Lang, message: String, error: String) -> Response {
    let (notices, _) = match st.app.public_rewards(1, 50).await {
        Ok(v) => v,
        Err(e) => return error_page(lang, &e),
    };
    let u = tr(lang);
    PublicDutyPage {
        t: lang.tr(),
        m: crate::ui_measures::tr(lang),
        u,
        lang: lang.code(),
        back: "/public/rewards",
        heading: u.rewards,
        show_rewards: true,
        notices: notices
            .into_iter()
            .map(|n| {
                let reward = match (n.amount_fen, &n.formula) {
                    (Some(f), _) => Fen::new(f).format_yuan(),
                    (None, Some(x)) => x.clone(),
                    _ => String::new(),
                };
                NoticeLine {
                    debtor: fill(
                        u.debtor_line,
                        &[("name", &n.debtor_name), ("id", &n.debtor_id_masked)],
                    ),
                    reward: fill(
                        u.reward_line,
                        &[
                            ("reward", &reward),
                            ("date", &n.published_on),
                            ("channel", &n.channel),
                        ],
                    ),
                    id: n.id,
                    court_name: n.court_name,
                    case_number: n.case_number,
                    public_text: n.public_text,
                }
            })
            .collect(),
        court: String::new(),
        message,
        error,
    }
    .into_response()
}

async fn public_rewards(State(st): State<AppState>, headers: HeaderMap) -> Response {
    rewards_page(&st, public_lang(&headers), String::new(), String::new()).await
}

/// The portal's per-client allowance, shared with the lookups.
fn limited(st: &AppState, req_ext: &axum::http::Extensions) -> bool {
    let key = crate::api_measures::client_key(req_ext);
    !st.public_limiter.allow(key, st.now_ms())
}

async fn public_tip(
    State(st): State<AppState>,
    Path(id): Path<String>,
    req: axum::extract::Request,
) -> Response {
    let lang = public_lang(req.headers());
    let u = tr(lang);
    if limited(&st, req.extensions()) {
        return rewards_page(&st, lang, String::new(), u.too_frequent.into()).await;
    }
    let Ok(Form(form)) = Form::<HashMap<String, String>>::from_request(req, &st).await else {
        return rewards_page(&st, lang, String::new(), u.bad_form.into()).await;
    };
    let input = TipInput {
        content: field(&form, "content"),
        tipster_name: field(&form, "tipster_name"),
        tipster_phone: field(&form, "tipster_phone"),
    };
    match st.app.submit_public_tip(&id, &input, st.now_ms()).await {
        Ok(r) => {
            let message = fill(u.tip_received, &[("no", &r.receipt_no)]);
            rewards_page(&st, lang, message, String::new()).await
        }
        Err(e) => {
            let msg = crate::ui::inline_error(&e);
            rewards_page(&st, lang, String::new(), msg).await
        }
    }
}

async fn tipoff_form(headers: HeaderMap, Query(q): Query<HashMap<String, String>>) -> Response {
    tipoff_page(
        public_lang(&headers),
        String::new(),
        String::new(),
        q.get("court")
            .map(|c| c.chars().take(12).collect())
            .unwrap_or_default(),
    )
}

async fn tipoff_submit(State(st): State<AppState>, req: axum::extract::Request) -> Response {
    let lang = public_lang(req.headers());
    let u = tr(lang);
    let page =
        |message: String, error: String, court: String| tipoff_page(lang, message, error, court);
    if limited(&st, req.extensions()) {
        return page(String::new(), u.too_frequent.into(), String::new());
    }
    let Ok(Form(form)) = Form::<HashMap<String, String>>::from_request(req, &st).await else {
        return page(String::new(), u.bad_form.into(), String::new());
    };
    let input = TipoffInput {
        court: field(&form, "court"),
        case_number: Some(field(&form, "case_number")).filter(|s| !s.is_empty()),
        debtor_name: field(&form, "debtor_name"),
        kind: field(&form, "kind"),
        urgent: form.contains_key("urgent"),
        content: field(&form, "content"),
        location: field(&form, "location"),
        reporter_name: field(&form, "reporter_name"),
        reporter_phone: field(&form, "reporter_phone"),
    };
    let court = input.court.clone();
    match st.app.submit_public_tipoff(&input, st.now_ms()).await {
        Ok(r) => page(
            fill(u.tipoff_received, &[("no", &r.receipt_no)]),
            String::new(),
            court,
        ),
        Err(e) => {
            let msg = crate::ui::inline_error(&e);
            page(String::new(), msg, court)
        }
    }
}

pub struct TipLine {
    pub id: String,
    pub receipt: String,
    pub urgent: bool,
    pub debtor: String,
    pub case_number: String,
    pub content: String,
    pub location: String,
    pub reporter: String,
    pub team: String,
    pub respond_by: String,
    pub overdue: bool,
    pub status: &'static str,
    pub can_respond: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "tipoffs.html")]
pub struct TipoffsPage {
    pub t: &'static crate::i18n::Tr,
    pub u: &'static TrU,
    pub lang: &'static str,
    pub nav: Nav,
    pub rows: Vec<TipLine>,
    pub notice: String,
    pub error: String,
    /// Pager: this page, the number of pages, its text, and the filter to keep in the links.
    pub page: i64,
    pub pages: i64,
    pub pager: String,
    pub filter: &'static str,
}

async fn render_tipoffs(
    st: &AppState,
    staff: &Staff,
    overdue: bool,
    page: Option<i64>,
    notice: String,
    error: String,
) -> Response {
    let now = st.now_ms();
    // The desk's working list: everything not closed, filtered in SQL so that old closed tips
    // never push open ones off the page.
    let q = zhixing_app::duty::TipoffQuery {
        open_only: true,
        overdue,
        page,
        ..Default::default()
    };
    let result = match st.app.tipoffs_page(&staff.actor, &q, now).await {
        Ok(r) => r,
        Err(e) => return error_page(staff.lang, &e),
    };
    let (page, total) = (result.page, result.total);
    let pages = ((total + result.page_size - 1) / result.page_size).max(1);
    let rows = result.items;
    let can = staff.actor.role.has(Permission::HandleTipoffs);
    let u = tr(staff.lang);
    TipoffsPage {
        t: staff.lang.tr(),
        u,
        lang: staff.lang.code(),
        nav: staff.nav(),
        rows: rows
            .into_iter()
            .map(|v| TipLine {
                can_respond: can && tipoff_transition(&v.tip.status, "responded").is_ok(),
                status: crate::ui_tipoff::status_word(u, &v.tip.status),
                id: v.tip.id,
                receipt: v.tip.receipt_no,
                urgent: v.tip.urgent,
                debtor: v.tip.debtor_name,
                case_number: v.tip.case_number.unwrap_or_default(),
                content: v.tip.content,
                location: v.tip.location,
                reporter: format!("{} {}", v.tip.reporter_name, v.tip.reporter_phone),
                team: v.team_name.unwrap_or_default(),
                respond_by: china_datetime_text(v.tip.respond_by),
                overdue: v.overdue,
            })
            .collect(),
        notice,
        error,
        page,
        pages,
        pager: fill(
            u.pager,
            &[
                ("total", &total.to_string()),
                ("page", &page.to_string()),
                ("pages", &pages.to_string()),
            ],
        ),
        filter: if overdue { "overdue=1&" } else { "" },
    }
    .into_response()
}

/// The list; a response recorded from it (`ui_tipoff`, `back=list`) comes back here with its
/// outcome in the flash cookie.
async fn tipoffs_page(
    State(st): State<AppState>,
    staff: Staff,
    jar: CookieJar,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let page = match q.get("page").map(|p| p.trim().parse::<i64>()) {
        None => None,
        Some(Ok(p)) => Some(p),
        Some(Err(_)) => Some(0), // refused by the use case with a field error
    };
    let (jar, notice, error) = take_flash(jar, "/tipoffs");
    let overdue = q.contains_key("overdue");
    (
        jar,
        render_tipoffs(&st, &staff, overdue, page, notice, error).await,
    )
        .into_response()
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/public/rewards", get(public_rewards))
        .route("/public/rewards/{id}/tips", post(public_tip))
        .route("/public/tipoff", get(tipoff_form).post(tipoff_submit))
        .route("/tipoffs", get(tipoffs_page))
}
