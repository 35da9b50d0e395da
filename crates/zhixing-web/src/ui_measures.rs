//! Pages of measures and credit punishment: a case's measures with the 院长's approval buttons,
//! execution and ending forms and document links; the 院长's approval queue; and the public
//! portal's lookup page (no login, masked).

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::Router;
use axum::extract::{Path, Query, Request, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use zhixing_app::AppError;
use zhixing_app::measures::{MeasureInput, PublicItem};
use zhixing_domain::measure::{EndGround, MeasureKind, end_rule};
use zhixing_domain::money::Fen;
use zhixing_domain::role::Permission;

use crate::error::classify;
use crate::i18n::Lang;
use crate::state::AppState;
use crate::ui::{Nav, Staff, error_page};

/// Strings of the measures pages (zh default, en on request).
pub struct TrM {
    pub title: &'static str,
    pub back: &'static str,
    pub measures: &'static str,
    pub none: &'static str,
    pub kind: &'static str,
    pub subject: &'static str,
    pub doc_no: &'static str,
    pub status: &'static str,
    pub dates: &'static str,
    pub actions: &'static str,
    pub approve: &'static str,
    pub refuse: &'static str,
    pub document: &'static str,
    pub exec_note: &'static str,
    pub execute: &'static str,
    pub end: &'static str,
    pub propose: &'static str,
    pub needs_president: &'static str,
    pub amount: &'static str,
    pub days: &'static str,
    pub hours: &'static str,
    pub ground: &'static str,
    pub grace: &'static str,
    pub on_application: &'static str,
    pub place: &'static str,
    pub reason: &'static str,
    pub submit: &'static str,
    pub hint: &'static str,
    pub lists: &'static str,
    pub list: &'static str,
    pub conduct: &'static str,
}

const ZH: TrM = TrM {
    title: "强制措施与信用惩戒",
    back: "返回案件",
    measures: "已采取和待审批的措施",
    none: "暂无",
    kind: "措施",
    subject: "被采取措施人",
    doc_no: "文书编号",
    status: "状态",
    dates: "日期",
    actions: "操作",
    approve: "批准",
    refuse: "不批准",
    document: "下载文书（DOCX）",
    exec_note: "执行情况",
    execute: "记录执行",
    end: "删除/解除",
    propose: "提请采取措施",
    needs_president: "须院长批准",
    amount: "罚款金额（元）",
    days: "拘留天数",
    hours: "拘传询问小时",
    ground: "失信情形",
    grace: "宽限期（月）",
    on_application: "依申请执行人申请",
    place: "地点/媒体",
    reason: "事实与理由",
    submit: "提交",
    hint: "拘传、罚款、拘留须经院长批准（民事诉讼法第一百一十九条）；搜查令、限制消费令、失信决定书由院长签发。",
    lists: "公布名单",
    list: "名单",
    conduct: "情形",
};

const EN: TrM = TrM {
    title: "Measures & credit punishment",
    back: "Back to case",
    measures: "Measures taken and awaiting approval",
    none: "None",
    kind: "Measure",
    subject: "Subject",
    doc_no: "Document no.",
    status: "Status",
    dates: "Dates",
    actions: "Actions",
    approve: "Approve",
    refuse: "Refuse",
    document: "Download document (DOCX)",
    exec_note: "What was done",
    execute: "Record execution",
    end: "Delete / lift",
    propose: "Propose a measure",
    needs_president: "president's approval",
    amount: "Fine (yuan)",
    days: "Detention days",
    hours: "Summons hours",
    ground: "Dishonesty ground",
    grace: "Grace (months)",
    on_application: "On the applicant's application",
    place: "Place / outlet",
    reason: "Facts and reasons",
    submit: "Submit",
    hint: "Summons, fines and detention need the court president's approval (CPL art 119); search warrants, consumption restrictions and dishonesty decisions are signed by the president.",
    lists: "Published lists",
    list: "List",
    conduct: "Conduct",
};

pub fn tr(lang: Lang) -> &'static TrM {
    match lang {
        Lang::Zh => &ZH,
        Lang::En => &EN,
    }
}

pub struct Row {
    pub id: String,
    pub kind: String,
    pub kind_zh: String,
    pub source: String,
    pub subject: String,
    pub detail: String,
    pub doc_no: String,
    pub status: String,
    pub status_zh: &'static str,
    pub status_class: &'static str,
    pub dates: String,
    pub can_decide: bool,
    pub can_execute: bool,
    pub can_end: bool,
    pub has_document: bool,
    pub grounds: Vec<(&'static str, &'static str)>,
}

fn status_zh(s: &str) -> (&'static str, &'static str) {
    match s {
        "pending_approval" => ("待院长审批", "yellow"),
        "effective" => ("已生效", "red"),
        "refused" => ("未批准", "muted"),
        "lifted" => ("已解除", "done"),
        "expired" => ("期满删除", "done"),
        "deleted" => ("已删除", "done"),
        "ended" => ("已结束", "done"),
        "revoked" => ("复议撤销", "done"),
        _ => ("", ""),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "case_measures.html")]
pub struct CaseMeasuresPage {
    pub t: &'static crate::i18n::Tr,
    pub m: &'static TrM,
    pub lang: &'static str,
    pub nav: Nav,
    pub case_id: String,
    pub case_number: String,
    pub rows: Vec<Row>,
    pub kinds: Vec<(&'static str, &'static str, bool)>,
    pub debtors: Vec<(String, String)>,
    /// (list, subject, conduct, dates, status)
    pub entries: Vec<(String, String, String, String, String)>,
    pub can_propose: bool,
    pub today: String,
    pub error: String,
}

async fn render_case(st: &AppState, staff: &Staff, id: &str, error: String) -> Response {
    let lang = staff.lang;
    let a = &staff.actor;
    let detail = match st.app.case_detail(a, id).await {
        Ok(d) => d,
        Err(e) => return error_page(lang, &e),
    };
    let (measures, (entries, _corrections)) = match (
        st.app.case_measures(a, id).await,
        st.app.case_list_entries(a, id).await,
    ) {
        (Ok(m), Ok(e)) => (m, e),
        (Err(e), _) | (_, Err(e)) => return error_page(lang, &e),
    };
    let writes = a.writes_in(&detail.case.court_code);
    let can_propose = writes && a.role.has(Permission::ProposeMeasure);
    let can_approve = writes && a.role.has(Permission::ApproveMeasure);
    let rows = measures
        .iter()
        .map(|v| {
            let m = &v.measure;
            let kind = MeasureKind::from_str_opt(&m.kind);
            let (sz, sc) = status_zh(&m.status);
            let mut detail = String::new();
            if let Some(a) = m.amount_fen {
                detail.push_str(&Fen::new(a).format_yuan());
            }
            let dates = [
                ("提请", Some(m.proposed_on.clone())),
                ("生效", m.effective_on.clone()),
                ("公布", m.publish_on.clone()),
                ("届满", m.expires_on.clone()),
                ("执行", m.executed_on.clone()),
                ("结束", m.ended_on.clone()),
            ]
            .into_iter()
            .filter_map(|(k, v)| v.map(|v| format!("{k} {v}")))
            .collect::<Vec<_>>()
            .join("；");
            let grounds = kind
                .map(|k| {
                    EndGround::ALL
                        .into_iter()
                        .filter(|g| *g != EndGround::TermExpired && end_rule(k, *g).is_some())
                        .map(|g| (g.as_str(), g.name_zh()))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default();
            Row {
                id: m.id.clone(),
                kind: m.kind.clone(),
                kind_zh: v.kind_zh.clone(),
                source: v.source.clone(),
                subject: m.subject_name.clone(),
                detail,
                doc_no: m.document_number.clone(),
                status: m.status.clone(),
                status_zh: sz,
                status_class: sc,
                dates,
                can_decide: can_approve && m.status == "pending_approval",
                can_execute: can_propose
                    && m.status == "effective"
                    && m.executed_on.is_none()
                    && matches!(m.kind.as_str(), "summons" | "fine" | "detention" | "search"),
                can_end: can_propose && m.status == "effective" && !grounds.is_empty(),
                has_document: kind.and_then(MeasureKind::document).is_some()
                    && !matches!(m.status.as_str(), "pending_approval" | "refused"),
                grounds,
            }
        })
        .collect();
    CaseMeasuresPage {
        t: lang.tr(),
        m: tr(lang),
        lang: lang.code(),
        nav: staff.nav(),
        case_id: detail.case.id.clone(),
        case_number: detail.case.case_number.clone(),
        rows,
        kinds: MeasureKind::ALL
            .into_iter()
            .map(|k| (k.as_str(), k.name_zh(), k.needs_president_approval()))
            .collect(),
        debtors: detail
            .debtors
            .iter()
            .map(|p| (p.id.clone(), p.name.clone()))
            .collect(),
        entries: entries
            .iter()
            .map(|e| {
                (
                    match e.list.as_str() {
                        "dishonest" => "失信被执行人",
                        "restricted" => "限制消费",
                        _ => "终本案件",
                    }
                    .to_owned(),
                    e.name.clone(),
                    e.conduct.clone(),
                    format!("{} 起公布", e.publish_on),
                    if e.status == "listed" {
                        "公布中".to_owned()
                    } else {
                        format!(
                            "{} 删除：{}",
                            e.deleted_on.clone().unwrap_or_default(),
                            e.delete_reason.clone().unwrap_or_default()
                        )
                    },
                )
            })
            .collect(),
        can_propose,
        today: zhixing_domain::time::china_date(st.now_ms())
            .format("%Y-%m-%d")
            .to_string(),
        error,
    }
    .into_response()
}

async fn case_page(State(st): State<AppState>, staff: Staff, Path(id): Path<String>) -> Response {
    render_case(&st, &staff, &id, String::new()).await
}

async fn after(st: &AppState, staff: &Staff, case_id: &str, r: Result<(), AppError>) -> Response {
    match r {
        Ok(()) => Redirect::to(&format!("/cases/{case_id}/measures")).into_response(),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict { .. })) => {
            let msg = crate::ui::inline_error(&e);
            render_case(st, staff, case_id, msg).await
        }
        Err(e) => error_page(staff.lang, &e),
    }
}

fn field(form: &HashMap<String, String>, k: &str) -> String {
    form.get(k).map(|s| s.trim().to_owned()).unwrap_or_default()
}

fn num<T: std::str::FromStr>(
    form: &HashMap<String, String>,
    k: &str,
) -> Result<Option<T>, AppError> {
    let v = field(form, k);
    if v.is_empty() {
        return Ok(None);
    }
    v.parse()
        .map(Some)
        .map_err(|_| AppError::invalid("number", k, "应为整数"))
}

/// The proposal form; a ticked "on application" box records the application as made `today`.
fn measure_input(form: &HashMap<String, String>, today: &str) -> Result<MeasureInput, AppError> {
    let amount = field(form, "amount_yuan");
    let amount_fen = if amount.is_empty() {
        None
    } else {
        Some(
            Fen::parse_yuan(&amount)
                .map_err(|e| AppError::Invalid(e.at("amount_yuan")))?
                .get(),
        )
    };
    let opt = |k: &str| Some(field(form, k)).filter(|s| !s.is_empty());
    Ok(MeasureInput {
        kind: field(form, "kind"),
        party_id: opt("party_id"),
        amount_fen,
        days: num(form, "days")?,
        hours: num(form, "hours")?,
        ground: num(form, "ground")?,
        grace_months: num(form, "grace_months")?,
        on_application: form.contains_key("on_application"),
        applied_on: form
            .contains_key("on_application")
            .then(|| today.to_owned()),
        place: opt("place"),
        reason: field(form, "reason"),
        ..Default::default()
    })
}

async fn propose_submit(
    State(st): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Some(r) = staff.csrf_rejection(&form) {
        return r;
    }
    let today = zhixing_domain::time::china_date(st.now_ms())
        .format("%Y-%m-%d")
        .to_string();
    let r = match measure_input(&form, &today) {
        Ok(input) => st
            .app
            .propose_measure(&staff.actor, &id, &input, st.now_ms())
            .await
            .map(|_| ()),
        Err(e) => Err(e),
    };
    after(&st, &staff, &id, r).await
}

async fn decision_submit(
    State(st): State<AppState>,
    staff: Staff,
    Path(mid): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Some(r) = staff.csrf_rejection(&form) {
        return r;
    }
    let back = field(&form, "back");
    let r = st
        .app
        .decide_measure(
            &staff.actor,
            &mid,
            field(&form, "decision") == "approve",
            &field(&form, "comment"),
            st.now_ms(),
        )
        .await
        .map(|_| ());
    after(&st, &staff, &back, r).await
}

async fn execution_submit(
    State(st): State<AppState>,
    staff: Staff,
    Path(mid): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Some(r) = staff.csrf_rejection(&form) {
        return r;
    }
    let back = field(&form, "back");
    let r = st
        .app
        .execute_measure(
            &staff.actor,
            &mid,
            &field(&form, "on"),
            &field(&form, "note"),
            Some(field(&form, "family_notified_on")).as_deref(),
            st.now_ms(),
        )
        .await
        .map(|_| ());
    after(&st, &staff, &back, r).await
}

async fn end_submit(
    State(st): State<AppState>,
    staff: Staff,
    Path(mid): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Some(r) = staff.csrf_rejection(&form) {
        return r;
    }
    let back = field(&form, "back");
    let r = st
        .app
        .end_measure(
            &staff.actor,
            &mid,
            &field(&form, "ground"),
            &field(&form, "ground_on"),
            st.now_ms(),
        )
        .await
        .map(|_| ());
    after(&st, &staff, &back, r).await
}

#[derive(Template, WebTemplate)]
#[template(path = "approvals.html")]
pub struct ApprovalsPage {
    pub t: &'static crate::i18n::Tr,
    pub lang: &'static str,
    pub nav: Nav,
    pub title: &'static str,
    pub none: &'static str,
    pub h_kind: &'static str,
    pub h_subject: &'static str,
    pub h_doc: &'static str,
    pub h_proposed: &'static str,
    pub h_open: &'static str,
    /// (case id, kind, subject, document number, proposed on)
    pub rows: Vec<(String, String, String, String, String)>,
}

async fn approvals_page(State(st): State<AppState>, staff: Staff) -> Response {
    let lang = staff.lang;
    let rows = match st.app.approval_queue(&staff.actor).await {
        Ok(r) => r,
        Err(e) => return error_page(lang, &e),
    };
    let m = tr(lang);
    ApprovalsPage {
        t: lang.tr(),
        lang: lang.code(),
        nav: staff.nav(),
        title: match lang {
            Lang::Zh => "待院长审批的措施",
            Lang::En => "Measures awaiting the president",
        },
        none: m.none,
        h_kind: m.kind,
        h_subject: m.subject,
        h_doc: m.doc_no,
        h_proposed: m.dates,
        h_open: match lang {
            Lang::Zh => "审批",
            Lang::En => "Review",
        },
        rows: rows
            .iter()
            .map(|r| {
                (
                    r.case_id.clone(),
                    MeasureKind::from_str_opt(&r.kind)
                        .map_or("", MeasureKind::name_zh)
                        .to_owned(),
                    r.subject_name.clone(),
                    r.document_number.clone(),
                    r.proposed_on.clone(),
                )
            })
            .collect(),
    }
    .into_response()
}

#[derive(Template, WebTemplate)]
#[template(path = "public.html")]
pub struct PublicPage {
    pub lang: &'static str,
    pub title: &'static str,
    pub subtitle: &'static str,
    pub heading: &'static str,
    pub list: String,
    pub name: String,
    pub id: String,
    pub searched: bool,
    pub items: Vec<PublicItem>,
    pub count: Option<usize>,
    pub error: String,
}

/// The public portal (no login): look up the three published lists.
async fn public_page(State(st): State<AppState>, req: Request) -> Response {
    let q: HashMap<String, String> = Query::try_from_uri(req.uri())
        .map(|Query(q)| q)
        .unwrap_or_default();
    let list = match q.get("list").map(String::as_str) {
        Some("restricted") => "restricted",
        Some("terminated") => "terminated",
        _ => "dishonest",
    };
    let name = q.get("name").cloned().unwrap_or_default();
    let id = q.get("id").cloned().unwrap_or_default();
    let searched = !name.is_empty() || !id.is_empty();
    let mut error = String::new();
    let mut items = Vec::new();
    let mut count = None;
    if searched {
        let key = crate::api_measures::client_key(req.extensions());
        let now = st.now_ms();
        if !st.public_limiter.allow(&key, now) {
            error = "查询过于频繁，请稍后再试".into();
        } else if name.len() > 200 || id.len() > 64 {
            error = "查询内容过长".into();
        } else {
            let r = if id.trim().is_empty() {
                match st
                    .app
                    .public_search_name(list, &name, &st.config.id_mask, now)
                    .await
                {
                    Ok(r) => {
                        count = Some(r.count);
                        Ok(r.items)
                    }
                    Err(e) => Err(e),
                }
            } else {
                st.app
                    .public_lookup(list, &name, &id, &st.config.id_mask, now)
                    .await
            };
            match r {
                Ok(v) => items = v,
                Err(e) => error = classify(&e).3,
            }
        }
    }
    PublicPage {
        lang: "zh-CN",
        title: "执行信息公开",
        subtitle: "失信被执行人 · 限制消费 · 终本案件查询",
        heading: "名单查询",
        list: list.into(),
        name: name.chars().take(50).collect(),
        id: id.chars().take(18).collect(),
        searched,
        items,
        count,
        error,
    }
    .into_response()
}

#[derive(Template, WebTemplate)]
#[template(path = "progress.html")]
pub struct ProgressPage {
    pub case_number: String,
    pub id: String,
    pub progress: Option<zhixing_app::measures::CaseProgress>,
    pub error: String,
}

/// A party's case progress (执行公开), by case number + own ID + query code.
async fn progress_page(State(st): State<AppState>, req: Request) -> Response {
    let q: HashMap<String, String> = Query::try_from_uri(req.uri())
        .map(|Query(q)| q)
        .unwrap_or_default();
    let get = |k: &str| q.get(k).cloned().unwrap_or_default();
    let (case_number, id, code) = (get("case_number"), get("id"), get("code"));
    let mut error = String::new();
    let mut progress = None;
    if !case_number.is_empty() {
        let key = crate::api_measures::client_key(req.extensions());
        if !st.public_limiter.allow(&key, st.now_ms()) {
            error = "查询过于频繁，请稍后再试".into();
        } else if case_number.len() > 100 || id.len() > 64 || code.len() > 32 {
            error = "查询内容过长".into();
        } else {
            match st.app.public_case_progress(&case_number, &id, &code).await {
                Ok(p) => progress = Some(p),
                Err(AppError::NotFound) => error = "案号、证件号码或查询码不正确".into(),
                Err(e) => error = classify(&e).3,
            }
        }
    }
    ProgressPage {
        case_number: case_number.chars().take(40).collect(),
        id: id.chars().take(18).collect(),
        progress,
        error,
    }
    .into_response()
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cases/{id}/measures", get(case_page).post(propose_submit))
        .route("/measures/{id}/decision", post(decision_submit))
        .route("/measures/{id}/execution", post(execution_submit))
        .route("/measures/{id}/end", post(end_submit))
        .route("/approvals", get(approvals_page))
        .route("/public", get(public_page))
        .route("/public/progress", get(progress_page))
}
