//! Pages of rewards and 执行110: the public reward notices with their tip form, the public
//! tip-off form (no login; answers with a receipt number only), and the command center's tip-off
//! list with the response form.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::Router;
use axum::extract::{FromRequest, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use zhixing_app::duty::{TipInput, TipoffInput};
use zhixing_domain::money::Fen;
use zhixing_domain::role::Permission;
use zhixing_domain::time::china_datetime_text;

use crate::error::classify;
use crate::state::AppState;
use crate::ui::{Nav, Staff, error_page};

pub struct NoticeLine {
    pub id: String,
    pub court_name: String,
    pub case_number: String,
    pub debtor_name: String,
    pub debtor_id_masked: String,
    pub reward: String,
    pub channel: String,
    pub published_on: String,
    pub public_text: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "public_duty.html")]
pub struct PublicDutyPage {
    pub heading: &'static str,
    pub show_rewards: bool,
    pub notices: Vec<NoticeLine>,
    pub court: String,
    pub message: String,
    pub error: String,
}

fn field(form: &HashMap<String, String>, k: &str) -> String {
    form.get(k).map(|s| s.trim().to_owned()).unwrap_or_default()
}

async fn rewards_page(st: &AppState, message: String, error: String) -> Response {
    let (notices, _) = match st.app.public_rewards(1, 50).await {
        Ok(v) => v,
        Err(e) => return error_page(crate::i18n::Lang::Zh, &e),
    };
    PublicDutyPage {
        heading: "悬赏公告",
        show_rewards: true,
        notices: notices
            .into_iter()
            .map(|n| NoticeLine {
                reward: match (n.amount_fen, &n.formula) {
                    (Some(f), _) => Fen::new(f).format_yuan(),
                    (None, Some(x)) => x.clone(),
                    _ => String::new(),
                },
                id: n.id,
                court_name: n.court_name,
                case_number: n.case_number,
                debtor_name: n.debtor_name,
                debtor_id_masked: n.debtor_id_masked,
                channel: n.channel,
                published_on: n.published_on,
                public_text: n.public_text,
            })
            .collect(),
        court: String::new(),
        message,
        error,
    }
    .into_response()
}

async fn public_rewards(State(st): State<AppState>) -> Response {
    rewards_page(&st, String::new(), String::new()).await
}

/// The portal's per-client allowance, shared with the lookups.
fn limited(st: &AppState, req_ext: &axum::http::Extensions) -> bool {
    let key = crate::api_measures::client_key(req_ext);
    !st.public_limiter.allow(&key, st.now_ms())
}

async fn public_tip(
    State(st): State<AppState>,
    Path(id): Path<String>,
    req: axum::extract::Request,
) -> Response {
    if limited(&st, req.extensions()) {
        return rewards_page(&st, String::new(), "提交过于频繁，请稍后再试".into()).await;
    }
    let Ok(Form(form)) = Form::<HashMap<String, String>>::from_request(req, &st).await else {
        return rewards_page(&st, String::new(), "表单格式不正确".into()).await;
    };
    let input = TipInput {
        content: field(&form, "content"),
        tipster_name: field(&form, "tipster_name"),
        tipster_phone: field(&form, "tipster_phone"),
    };
    match st.app.submit_public_tip(&id, &input, st.now_ms()).await {
        Ok(r) => {
            rewards_page(
                &st,
                format!(
                    "线索已收到，受理号 {}。我们会对您的身份严格保密。",
                    r.receipt_no
                ),
                String::new(),
            )
            .await
        }
        Err(e) => {
            let msg = crate::ui::inline_error(&e);
            rewards_page(&st, String::new(), msg).await
        }
    }
}

async fn tipoff_form(Query(q): Query<HashMap<String, String>>) -> Response {
    PublicDutyPage {
        heading: "执行110 举报",
        show_rewards: false,
        notices: Vec::new(),
        court: q
            .get("court")
            .map(|c| c.chars().take(12).collect())
            .unwrap_or_default(),
        message: String::new(),
        error: String::new(),
    }
    .into_response()
}

async fn tipoff_submit(State(st): State<AppState>, req: axum::extract::Request) -> Response {
    let page = |message: String, error: String, court: String| {
        PublicDutyPage {
            heading: "执行110 举报",
            show_rewards: false,
            notices: Vec::new(),
            court,
            message,
            error,
        }
        .into_response()
    };
    if limited(&st, req.extensions()) {
        return page(
            String::new(),
            "提交过于频繁，请稍后再试".into(),
            String::new(),
        );
    }
    let Ok(Form(form)) = Form::<HashMap<String, String>>::from_request(req, &st).await else {
        return page(String::new(), "表单格式不正确".into(), String::new());
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
            format!("举报已受理，受理号 {}，值班人员将尽快处置。", r.receipt_no),
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
    pub lang: &'static str,
    pub nav: Nav,
    pub rows: Vec<TipLine>,
    pub error: String,
    /// Pager: this page, the number of pages, the total, and the filter to keep in the links.
    pub page: i64,
    pub pages: i64,
    pub total: i64,
    pub filter: &'static str,
}

async fn render_tipoffs(
    st: &AppState,
    staff: &Staff,
    overdue: bool,
    page: Option<i64>,
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
    TipoffsPage {
        t: staff.lang.tr(),
        lang: staff.lang.code(),
        nav: staff.nav(),
        rows: rows
            .into_iter()
            .map(|v| TipLine {
                can_respond: can && matches!(v.tip.status.as_str(), "new" | "dispatched"),
                status: match v.tip.status.as_str() {
                    "new" => "待派单",
                    "dispatched" => "已派单",
                    "responded" => "已响应",
                    _ => "已结",
                },
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
        error,
        page,
        pages,
        total,
        filter: if overdue { "overdue=1&" } else { "" },
    }
    .into_response()
}

async fn tipoffs_page(
    State(st): State<AppState>,
    staff: Staff,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let page = match q.get("page").map(|p| p.trim().parse::<i64>()) {
        None => None,
        Some(Ok(p)) => Some(p),
        Some(Err(_)) => Some(0), // refused by the use case with a field error
    };
    render_tipoffs(&st, &staff, q.contains_key("overdue"), page, String::new()).await
}

async fn respond_submit(
    State(st): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Some(r) = staff.csrf_rejection(&form) {
        return r;
    }
    match st
        .app
        .respond_tipoff(&staff.actor, &id, &field(&form, "outcome"), st.now_ms())
        .await
    {
        Ok(_) => Redirect::to("/tipoffs").into_response(),
        Err(e) => {
            let msg = classify(&e).3;
            render_tipoffs(&st, &staff, false, None, msg).await
        }
    }
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/public/rewards", get(public_rewards))
        .route("/public/rewards/{id}/tips", post(public_tip))
        .route("/public/tipoff", get(tipoff_form).post(tipoff_submit))
        .route("/tipoffs", get(tipoffs_page))
        .route("/tipoffs/{id}/respond", post(respond_submit))
}
