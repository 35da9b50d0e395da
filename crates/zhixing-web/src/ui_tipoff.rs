//! The page of one 执行110 tip-off (`/tipoffs/{id}`, linked from each row of `/tipoffs`): the
//! report, its response time and whether it is overdue, the team it went to, the response and the
//! close, the 临控 requests to the public security organ with their outcomes; and only the forms
//! its status allows (`zhixing_domain::duty::tipoff_transition`): dispatch, respond, close,
//! request 临控, record a 临控 outcome. All post to `/tipoffs/{id}/{step}` (post/redirect/get with
//! the flash cookie); the list's response form posts there too, with `back=list`. The use cases
//! check permission, court and status; the reporter is shown as the use case returns it (the
//! duty roles and the team it went to see who called).

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum_extra::extract::cookie::CookieJar;
use zhixing_app::AppError;
use zhixing_app::duty::TipoffView;
use zhixing_domain::duty::{CONTROL_OUTCOMES, tipoff_transition};
use zhixing_domain::role::Permission;
use zhixing_domain::time::{CST_OFFSET_MS, china_datetime_text, parse_china_minute};

use crate::i18n::{Lang, fill};
use crate::state::AppState;
use crate::ui::{Nav, Staff, error_page, field, inline_error};
use crate::ui_duty::TrU;
use crate::ui_measures::{redirect_with, take_flash};

/// Strings of the tip-off page (zh default, en on request); the words it shares with the list
/// (status, receipt, team …) are `ui_duty::TrU`'s.
pub struct TrT {
    pub title: &'static str,
    pub back: &'static str,
    pub kind: &'static str,
    pub source: &'static str,
    pub source_public: &'static str,
    pub source_phone: &'static str,
    pub case: &'static str,
    pub location: &'static str,
    pub received_at: &'static str,
    pub dispatched_at: &'static str,
    pub responded_at: &'static str,
    pub closed_at: &'static str,
    pub close_note: &'static str,
    pub controls: &'static str,
    pub no_controls: &'static str,
    pub agency: &'static str,
    pub requested_at: &'static str,
    pub control_status: &'static str,
    /// The 临控 statuses: requested, then the outcomes in the order of `CONTROL_OUTCOMES`.
    pub control_requested: &'static str,
    pub control_outcomes: [&'static str; 3],
    pub outcome_at: &'static str,
    pub outcome_note: &'static str,
    /// Beside a time input: an empty time means now.
    pub empty_is_now: &'static str,
    // The forms.
    pub dispatch_to: &'static str,
    pub do_dispatch: &'static str,
    pub do_respond: &'static str,
    pub close_hint: &'static str,
    pub do_close: &'static str,
    pub do_control: &'static str,
    pub do_control_outcome: &'static str,
    // What a form did (the notice after its redirect).
    /// "{team}": the team's name.
    pub done_dispatch: &'static str,
    pub done_respond: &'static str,
    pub done_close: &'static str,
    pub done_control: &'static str,
    pub done_control_outcome: &'static str,
}

const ZH: TrT = TrT {
    title: "执行110 举报",
    back: "返回举报列表",
    kind: "线索类别",
    source: "来源",
    source_public: "网上举报",
    source_phone: "电话登记",
    case: "案件",
    location: "地点",
    received_at: "收到时间",
    dispatched_at: "派单时间",
    responded_at: "响应时间",
    closed_at: "办结时间",
    close_note: "办结说明",
    controls: "临控",
    no_controls: "尚未申请临控",
    agency: "公安机关",
    requested_at: "申请时间",
    control_status: "结果",
    control_requested: "已申请，待反馈",
    control_outcomes: ["已控制", "未找到", "不予协助"],
    outcome_at: "反馈时间",
    outcome_note: "说明",
    empty_is_now: "时间不填即为现在。",
    dispatch_to: "派单至",
    do_dispatch: "派单",
    do_respond: "记录响应",
    close_hint: "办结说明（重复举报或无法处置的请写明）",
    do_close: "办结",
    do_control: "申请临控",
    do_control_outcome: "记录临控结果",
    done_dispatch: "已派单至{team}。",
    done_respond: "已记录响应。",
    done_close: "举报已办结。",
    done_control: "已申请临控。",
    done_control_outcome: "已记录临控结果。",
};

const EN: TrT = TrT {
    title: "Enforcement 110 report",
    back: "Back to the reports",
    kind: "Kind",
    source: "Source",
    source_public: "Online report",
    source_phone: "Phone intake",
    case: "Case",
    location: "Place",
    received_at: "Received",
    dispatched_at: "Dispatched",
    responded_at: "Responded",
    closed_at: "Closed",
    close_note: "Closing note",
    controls: "Police control (临控)",
    no_controls: "No police control requested",
    agency: "Public security organ",
    requested_at: "Requested",
    control_status: "Outcome",
    control_requested: "Requested, awaiting answer",
    control_outcomes: ["Controlled", "Not found", "Assistance refused"],
    outcome_at: "Answered",
    outcome_note: "Note",
    empty_is_now: "An empty time means now.",
    dispatch_to: "Dispatch to",
    do_dispatch: "Dispatch",
    do_respond: "Record response",
    close_hint: "Closing note (say so for a duplicate or a report nobody can act on)",
    do_close: "Close",
    do_control: "Request police control",
    do_control_outcome: "Record outcome",
    done_dispatch: "Dispatched to {team}.",
    done_respond: "Response recorded.",
    done_close: "Report closed.",
    done_control: "Police control requested.",
    done_control_outcome: "Police control outcome recorded.",
};

pub fn tr(lang: Lang) -> &'static TrT {
    match lang {
        Lang::Zh => &ZH,
        Lang::En => &EN,
    }
}

/// A tip-off status in the list's words.
pub(crate) fn status_word(u: &TrU, s: &str) -> &'static str {
    match s {
        "new" => u.st_new,
        "dispatched" => u.st_dispatched,
        "responded" => u.st_responded,
        _ => u.st_closed,
    }
}

fn kind_word(u: &TrU, k: &str) -> &'static str {
    match k {
        "whereabouts" => u.kind_whereabouts,
        "vehicle" => u.kind_vehicle,
        "assets" => u.kind_assets,
        _ => u.kind_other,
    }
}

/// One 临控 request on the page.
pub struct ControlLine {
    pub id: String,
    pub agency: String,
    pub requested_at: String,
    pub status: String,
    pub status_text: &'static str,
    pub outcome_at: String,
    pub outcome_note: String,
    pub can_outcome: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "tipoff.html")]
pub struct TipoffPage {
    pub t: &'static crate::i18n::Tr,
    pub u: &'static TrU,
    pub d: &'static TrT,
    pub lang: &'static str,
    pub nav: Nav,
    pub id: String,
    pub receipt: String,
    pub status: String,
    pub status_text: &'static str,
    pub urgent: bool,
    pub kind: &'static str,
    pub source: &'static str,
    pub debtor: String,
    pub case_number: String,
    /// The case's page, when the tip named a case of the court.
    pub case_id: String,
    pub content: String,
    pub location: String,
    pub reporter: String,
    pub team: String,
    pub received_at: String,
    pub dispatched_at: String,
    pub respond_by: String,
    pub overdue: bool,
    pub responded_at: String,
    pub outcome: String,
    pub closed_at: String,
    pub close_note: String,
    pub controls: Vec<ControlLine>,
    /// (team id, name) of the court's active teams, for the dispatch form.
    pub teams: Vec<(String, String)>,
    /// (outcome code, name) for the 临控 outcome form.
    pub control_outcomes: Vec<(&'static str, &'static str)>,
    pub can_dispatch: bool,
    pub can_respond: bool,
    pub can_close: bool,
    pub can_control: bool,
    pub notice: String,
    pub error: String,
}

impl TipoffPage {
    /// Any form for the tip-off itself.
    pub fn has_actions(&self) -> bool {
        self.can_dispatch || self.can_respond || self.can_close || self.can_control
    }
}

fn page_path(id: &str) -> String {
    format!("/tipoffs/{id}")
}

async fn render(st: &AppState, staff: &Staff, id: &str, notice: String, error: String) -> Response {
    let lang = staff.lang;
    let (u, d) = (crate::ui_duty::tr(lang), tr(lang));
    let a = &staff.actor;
    let v = match st.app.tipoff(a, id, st.now_ms()).await {
        Ok(v) => v,
        Err(e) => return error_page(lang, &e),
    };
    let teams = match st.app.teams(&v.tip.court_code).await {
        Ok(t) => t,
        Err(e) => return error_page(lang, &e),
    };
    // What the use cases allow: HandleTipoffs in the tip's own court (`tipoff` already required
    // both to show it), then the status.
    let writes = a.writes_in(&v.tip.court_code) && a.role.has(Permission::HandleTipoffs);
    let status = v.tip.status.clone();
    let s = status.as_str();
    let can = |to: &str| writes && tipoff_transition(s, to).is_ok();
    let time = |t: Option<i64>| t.map(china_datetime_text).unwrap_or_default();
    let TipoffView {
        tip,
        overdue,
        team_name,
        controls,
    } = v;
    TipoffPage {
        t: lang.tr(),
        u,
        d,
        lang: lang.code(),
        nav: staff.nav(),
        status_text: status_word(u, s),
        kind: kind_word(u, &tip.kind),
        source: if tip.source == "public" {
            d.source_public
        } else {
            d.source_phone
        },
        can_dispatch: can("dispatched"),
        can_respond: can("responded"),
        can_close: can("closed"),
        can_control: writes && s != "closed",
        controls: controls
            .iter()
            .map(|c| ControlLine {
                id: c.id.clone(),
                agency: c.agency.clone(),
                requested_at: china_datetime_text(c.requested_at),
                status: c.status.clone(),
                status_text: CONTROL_OUTCOMES
                    .iter()
                    .position(|o| *o == c.status)
                    .map_or(d.control_requested, |i| d.control_outcomes[i]),
                outcome_at: time(c.outcome_at),
                outcome_note: c.outcome_note.clone().unwrap_or_default(),
                can_outcome: writes && c.status == "requested",
            })
            .collect(),
        teams: teams
            .into_iter()
            .filter(|t| t.active)
            .map(|t| (t.id, t.name))
            .collect(),
        control_outcomes: CONTROL_OUTCOMES
            .into_iter()
            .zip(d.control_outcomes)
            .collect(),
        id: tip.id,
        receipt: tip.receipt_no,
        status: tip.status,
        urgent: tip.urgent,
        debtor: tip.debtor_name,
        case_number: tip.case_number.unwrap_or_default(),
        case_id: tip.case_id.unwrap_or_default(),
        content: tip.content,
        location: tip.location,
        reporter: format!("{} {}", tip.reporter_name, tip.reporter_phone),
        team: team_name.unwrap_or_default(),
        received_at: china_datetime_text(tip.created_at),
        dispatched_at: time(tip.dispatched_at),
        respond_by: china_datetime_text(tip.respond_by),
        overdue,
        responded_at: time(tip.responded_at),
        outcome: tip.outcome.unwrap_or_default(),
        closed_at: time(tip.closed_at),
        close_note: tip.close_note.unwrap_or_default(),
        notice,
        error,
    }
    .into_response()
}

async fn tipoff_page(
    State(st): State<AppState>,
    staff: Staff,
    jar: CookieJar,
    Path(id): Path<String>,
) -> Response {
    let (jar, notice, error) = take_flash(jar, &page_path(&id));
    (jar, render(&st, &staff, &id, notice, error).await).into_response()
}

/// An optional China-time minute from a form (`datetime-local` or `YYYY-MM-DD HH:MM`) as unix ms;
/// empty is None (the use case takes now). A malformed one is refused naming the field.
fn minute_field(form: &HashMap<String, String>, k: &str) -> Result<Option<i64>, AppError> {
    let v = field(form, k);
    if v.is_empty() {
        return Ok(None);
    }
    parse_china_minute(&v)
        .map(|t| Some(t.and_utc().timestamp_millis().saturating_sub(CST_OFFSET_MS)))
        .ok_or_else(|| AppError::invalid("datetime", k, "时间格式应为 YYYY-MM-DD HH:MM"))
}

/// The steps of a tip-off (`/tipoffs/{id}/{step}`).
const STEPS: [&str; 5] = ["dispatch", "respond", "close", "control", "control-outcome"];

/// One step of a tip-off, named by the last path segment; the use case checks it against the
/// tip-off's status. An unknown step, a tip-off of another court and a 临控 request of another
/// tip-off are 404. Back to the tip-off's page with what was done or why it was refused, or to the
/// list (`back=list`, its response form).
async fn step_submit(
    State(st): State<AppState>,
    staff: Staff,
    Path((id, step)): Path<(String, String)>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Some(r) = staff.csrf_rejection(&form) {
        return r;
    }
    let (app, a, now, lang) = (&st.app, &staff.actor, st.now_ms(), staff.lang);
    if !STEPS.contains(&step.as_str()) {
        return error_page(lang, &AppError::NotFound);
    }
    // The tip-off as the viewer may see it (404 for another court's, 403 without HandleTipoffs).
    let v = match app.tipoff(a, &id, now).await {
        Ok(v) => v,
        Err(e) => return error_page(lang, &e),
    };
    let d = tr(lang);
    let f = |k: &str| field(&form, k);
    let r: Result<String, AppError> = match step.as_str() {
        "dispatch" => app
            .dispatch_tipoff(a, &id, &f("team_id"), now)
            .await
            .map(|v| {
                fill(
                    d.done_dispatch,
                    &[("team", &v.team_name.unwrap_or_default())],
                )
            }),
        "respond" => app
            .respond_tipoff(a, &id, &f("outcome"), now)
            .await
            .map(|_| d.done_respond.to_owned()),
        "close" => app
            .close_tipoff(a, &id, &f("note"), now)
            .await
            .map(|_| d.done_close.to_owned()),
        "control" => match minute_field(&form, "requested_at") {
            Ok(at) => app
                .request_control(a, &id, &f("agency"), at, now)
                .await
                .map(|_| d.done_control.to_owned()),
            Err(e) => Err(e),
        },
        "control-outcome" => {
            let cid = f("control");
            if v.controls.iter().any(|c| c.id == cid) {
                match minute_field(&form, "at") {
                    Ok(at) => app
                        .control_outcome(a, &cid, &f("outcome"), &f("note"), at, now)
                        .await
                        .map(|_| d.done_control_outcome.to_owned()),
                    Err(e) => Err(e),
                }
            } else {
                Err(AppError::NotFound)
            }
        }
        _ => Err(AppError::NotFound),
    };
    let to = if f("back") == "list" {
        "/tipoffs".to_owned()
    } else {
        page_path(&v.tip.id)
    };
    match r {
        Ok(msg) => redirect_with(&st, &to, true, &msg),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict { .. })) => {
            redirect_with(&st, &to, false, &inline_error(&e))
        }
        Err(e) => error_page(lang, &e),
    }
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/tipoffs/{id}", get(tipoff_page))
        .route("/tipoffs/{id}/{step}", post(step_submit))
}
