//! The staff web UI: server-rendered askama pages, session cookie, CSRF token on every form.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use zhixing_app::admin::{NewUser, track_name_zh};
use zhixing_app::cases::CaseDetail;
use zhixing_app::{Actor, AppError};
use zhixing_domain::case::{BASIS_DOCUMENT_TYPES, CaseStatus, NewCaseInput};
use zhixing_domain::money::Fen;
use zhixing_domain::party::PartyInput;
use zhixing_domain::role::{Permission, Role};
use zhixing_domain::time::{china_date, china_datetime_text};
use zhixing_store::cases::CaseRow;
use zhixing_store::users::{TeamRow, UserRow};

use crate::api::CaseListParams;
use crate::error::classify;
use crate::i18n::{Lang, Tr};
use crate::state::AppState;

pub const SESSION_COOKIE: &str = "zx_session";
pub const LANG_COOKIE: &str = "zx_lang";
pub const PRELOGIN_COOKIE: &str = "zx_prelogin";

/// Constant-time equality for CSRF tokens.
fn ct_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

pub(crate) fn lang_of(jar: &CookieJar) -> Lang {
    Lang::from_cookie(jar.get(LANG_COOKIE).map(|c| c.value()))
}

/// A logged-in staff member on a UI route; anonymous requests are redirected to /login.
pub struct Staff {
    pub actor: Actor,
    pub csrf: String,
    pub lang: Lang,
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let jar = CookieJar::from_headers(&parts.headers);
        let lang = lang_of(&jar);
        let Some(secret) = jar.get(SESSION_COOKIE).map(|c| c.value().to_owned()) else {
            return Err(Redirect::to("/login").into_response());
        };
        match state.app.session(&secret, state.now_ms()).await {
            Ok((actor, csrf)) => Ok(Staff { actor, csrf, lang }),
            Err(AppError::Unauthenticated) => Err(Redirect::to("/login").into_response()),
            Err(e) => Err(error_page(lang, &e)),
        }
    }
}

impl Staff {
    /// The refusal page when the form's CSRF token is missing or wrong; None when it matches.
    pub(crate) fn csrf_rejection(&self, form: &HashMap<String, String>) -> Option<Response> {
        match form.get("csrf") {
            Some(t) if ct_eq(t, &self.csrf) => None,
            _ => Some(error_page(
                self.lang,
                &AppError::forbidden(
                    "csrf",
                    "表单已过期或来源不明（CSRF 校验失败），请刷新页面后重试",
                ),
            )),
        }
    }
    pub(crate) fn nav(&self) -> Nav {
        Nav {
            user_name: self.actor.name.clone(),
            role_name: match self.lang {
                Lang::Zh => self.actor.role.name_zh(),
                Lang::En => self.actor.role.name_en(),
            },
            court: self.actor.court_code.clone(),
            csrf: self.csrf.clone(),
            can_read: self.actor.role.has(Permission::ReadCases),
            can_file: self.actor.role.has(Permission::FileCase),
            can_admin: self.actor.role.has(Permission::ManageUsers),
            can_board: self.actor.role.has(Permission::ViewBoard),
            due_label: crate::ui_deadlines::tr(self.lang).nav_due,
            board_label: crate::ui_deadlines::tr(self.lang).nav_board,
            inbox_label: crate::ui_deadlines::tr(self.lang).nav_inbox,
            can_approve_measures: self.actor.role.has(Permission::ApproveMeasure),
            can_tipoffs: self.actor.role.has(Permission::HandleTipoffs),
            tipoffs_label: crate::ui_duty::tr(self.lang).nav,
            approvals_label: match self.lang {
                Lang::Zh => "措施审批",
                Lang::En => "Approvals",
            },
            reviews_label: crate::ui_measures::tr(self.lang).nav_reviews,
            can_funds: self.actor.role.has(Permission::HandleFunds)
                || self.actor.role.has(Permission::ApproveDisbursement),
            funds_label: crate::ui_funds::tr(self.lang).nav,
        }
    }
}

/// Header data of every logged-in page.
pub struct Nav {
    pub user_name: String,
    pub role_name: &'static str,
    pub court: String,
    pub csrf: String,
    pub can_read: bool,
    pub can_file: bool,
    pub can_admin: bool,
    pub can_board: bool,
    pub due_label: &'static str,
    pub board_label: &'static str,
    pub inbox_label: &'static str,
    pub can_approve_measures: bool,
    pub can_tipoffs: bool,
    pub tipoffs_label: &'static str,
    pub approvals_label: &'static str,
    /// The higher court's 复议 to decide (next to the approvals).
    pub reviews_label: &'static str,
    /// `/funds/unidentified`: roles that claim unidentified receipts or approve disbursements.
    pub can_funds: bool,
    pub funds_label: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub t: &'static Tr,
    pub lang: &'static str,
    pub code: String,
    pub message: String,
}

/// A posted form's field, trimmed; absent = empty.
pub(crate) fn field(form: &HashMap<String, String>, k: &str) -> String {
    form.get(k).map(|s| s.trim().to_owned()).unwrap_or_default()
}

/// The message shown beside a form that was refused: the rule, then the field and code.
pub(crate) fn inline_error(e: &AppError) -> String {
    let (_, code, field, msg) = classify(e);
    match field {
        Some(f) => format!("{msg}（{f}：{code}）"),
        None => msg,
    }
}

pub fn error_page(lang: Lang, e: &AppError) -> Response {
    let (status, code, field, message) = classify(e);
    let message = match field {
        Some(f) => format!("{message}（{f}）"),
        None => message,
    };
    (
        status,
        ErrorPage {
            t: lang.tr(),
            lang: lang.code(),
            code,
            message,
        },
    )
        .into_response()
}

// ---- login ------------------------------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
pub struct LoginPage {
    pub t: &'static Tr,
    pub lang: &'static str,
    pub csrf: String,
    pub error: String,
    pub username: String,
}

fn cookie(name: &'static str, value: String, secure: bool) -> Cookie<'static> {
    let mut c = Cookie::new(name, value);
    c.set_http_only(true);
    c.set_same_site(SameSite::Strict);
    c.set_path("/");
    c.set_secure(secure);
    c
}

async fn login_form(State(st): State<AppState>, jar: CookieJar) -> impl IntoResponse {
    let lang = lang_of(&jar);
    let token = zhixing_app::auth::random_secret();
    let jar = jar.add(cookie(
        PRELOGIN_COOKIE,
        token.clone(),
        st.config.secure_cookies,
    ));
    (
        jar,
        LoginPage {
            t: lang.tr(),
            lang: lang.code(),
            csrf: token,
            error: String::new(),
            username: String::new(),
        },
    )
}

async fn login_submit(
    State(st): State<AppState>,
    jar: CookieJar,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let lang = lang_of(&jar);
    let username = form
        .get("username")
        .map(|s| s.trim().to_owned())
        .unwrap_or_default();
    let password = form.get("password").cloned().unwrap_or_default();
    // Login CSRF: the form echoes the pre-login cookie (double submit).
    let pre_ok = match (jar.get(PRELOGIN_COOKIE), form.get("csrf")) {
        (Some(c), Some(f)) => ct_eq(c.value(), f),
        _ => false,
    };
    let now = st.now_ms();
    let again = |error: String| {
        let token = zhixing_app::auth::random_secret();
        let jar = jar.clone().add(cookie(
            PRELOGIN_COOKIE,
            token.clone(),
            st.config.secure_cookies,
        ));
        (
            StatusCode::UNAUTHORIZED,
            jar,
            LoginPage {
                t: lang.tr(),
                lang: lang.code(),
                csrf: token,
                error,
                username: username.clone(),
            },
        )
            .into_response()
    };
    if !pre_ok {
        return again("页面已过期，请重新登录 / Page expired, please log in again".into());
    }
    if st.limiter.blocked(&username, now) {
        return (StatusCode::TOO_MANY_REQUESTS, again("登录失败次数过多，请 15 分钟后再试 / Too many failed attempts, try again in 15 minutes".into()))
            .into_response();
    }
    match st.app.check_login(&username, &password).await {
        Ok(actor) => {
            st.limiter.clear(&username);
            match st.app.start_session(&actor, now).await {
                Ok((secret, _csrf)) => {
                    let jar = jar.remove(Cookie::from(PRELOGIN_COOKIE)).add(cookie(
                        SESSION_COOKIE,
                        secret,
                        st.config.secure_cookies,
                    ));
                    let home = if actor.role.has(Permission::ReadCases) {
                        "/cases"
                    } else {
                        "/admin"
                    };
                    (jar, Redirect::to(home)).into_response()
                }
                Err(e) => error_page(lang, &e),
            }
        }
        Err(AppError::Unauthenticated) => {
            st.limiter.record_failure(&username, now);
            again(lang.tr().login_failed.into())
        }
        Err(e) => error_page(lang, &e),
    }
}

async fn logout(
    State(st): State<AppState>,
    staff: Staff,
    jar: CookieJar,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Some(r) = staff.csrf_rejection(&form) {
        return r;
    }
    if let Some(c) = jar.get(SESSION_COOKIE)
        && let Err(e) = st.app.end_session(c.value()).await
    {
        return error_page(staff.lang, &e);
    }
    (
        jar.remove(Cookie::from(SESSION_COOKIE)),
        Redirect::to("/login"),
    )
        .into_response()
}

#[derive(serde::Deserialize)]
struct BackQuery {
    back: Option<String>,
}

async fn set_lang(
    Path(code): Path<String>,
    Query(q): Query<BackQuery>,
    jar: CookieJar,
) -> impl IntoResponse {
    let v = if code == "en" { "en" } else { "zh" };
    // Only same-site relative paths are followed (no open redirect).
    let back = q
        .back
        .filter(|b| b.starts_with('/') && !b.starts_with("//"))
        .unwrap_or_else(|| "/".into());
    let mut c = Cookie::new(LANG_COOKIE, v);
    c.set_path("/");
    c.set_same_site(SameSite::Lax);
    (jar.add(c), Redirect::to(&back))
}

// ---- case list --------------------------------------------------------------------------------

/// One row of the case table, formatted for display.
pub struct CaseLine {
    pub id: String,
    pub applicant: String,
    pub debtor: String,
    pub case_number: String,
    pub court: String,
    pub filed_on: String,
    pub claim: String,
    pub track: String,
    pub team: String,
    pub handler: String,
    pub status: String,
    pub status_class: String,
}

fn track_text(t: &Tr, track: &str) -> String {
    match track {
        "fast" => t.fast.into(),
        "standard" => t.standard.into(),
        "command" => t.command_team.into(),
        other => other.into(),
    }
}

fn status_text(lang: Lang, s: &str) -> String {
    match (lang, CaseStatus::from_str_opt(s)) {
        (Lang::Zh, Some(c)) => c.name_zh().into(),
        (Lang::En, Some(c)) => c.as_str().replace('_', " "),
        (_, None) => s.into(),
    }
}

fn line(lang: Lang, c: &CaseRow) -> CaseLine {
    let t = lang.tr();
    CaseLine {
        id: c.id.clone(),
        applicant: c.applicant_name.clone().unwrap_or_default(),
        debtor: c.debtor_name.clone().unwrap_or_default(),
        case_number: c.case_number.clone(),
        court: c.court_code.clone(),
        filed_on: c.filed_on.clone(),
        claim: Fen::new(c.claim_fen).format_yuan(),
        track: track_text(t, &c.track),
        team: c.team_name.clone().unwrap_or_else(|| "—".into()),
        handler: c.handler_name.clone().unwrap_or_else(|| "—".into()),
        status: status_text(lang, &c.status),
        status_class: c.status.clone(),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "cases.html")]
pub struct CasesPage {
    pub t: &'static Tr,
    pub lang: &'static str,
    pub nav: Nav,
    pub lines: Vec<CaseLine>,
    pub q: String,
    pub status: String,
    pub statuses: Vec<(String, String)>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
    pub prev_link: String,
    pub next_link: String,
    pub error: String,
}

fn qs(q: &str, status: &str, page: i64) -> String {
    fn enc(s: &str) -> String {
        let mut o = String::new();
        for b in s.bytes() {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
                o.push(char::from(b));
            } else {
                o.push_str(&format!("%{b:02X}"));
            }
        }
        o
    }
    format!("/cases?q={}&status={}&page={page}", enc(q), enc(status))
}

async fn cases_page(
    State(st): State<AppState>,
    staff: Staff,
    Query(p): Query<CaseListParams>,
) -> Response {
    let lang = staff.lang;
    let q = p.q.clone().unwrap_or_default();
    let status = p.status.clone().unwrap_or_default();
    let statuses = CaseStatus::ALL
        .iter()
        .map(|s| (s.as_str().to_owned(), status_text(lang, s.as_str())))
        .collect();
    let result = match p.to_query() {
        Ok(query) => st.app.list_cases(&staff.actor, &query).await,
        Err(e) => Err(e),
    };
    let (lines, total, page, pages, error) = match result {
        Ok(pg) => {
            let pages = ((pg.total + pg.page_size - 1) / pg.page_size).max(1);
            (
                pg.cases.iter().map(|c| line(lang, c)).collect(),
                pg.total,
                pg.page,
                pages,
                String::new(),
            )
        }
        Err(e @ AppError::Invalid(_)) => (Vec::new(), 0, 1, 1, classify(&e).3),
        Err(e) => return error_page(lang, &e),
    };
    let page_obj = CasesPage {
        t: lang.tr(),
        lang: lang.code(),
        nav: staff.nav(),
        lines,
        prev_link: if page > 1 {
            qs(&q, &status, page - 1)
        } else {
            String::new()
        },
        next_link: if page < pages {
            qs(&q, &status, page + 1)
        } else {
            String::new()
        },
        q,
        status,
        statuses,
        total,
        page,
        pages,
        error,
    };
    page_obj.into_response()
}

// ---- case detail ------------------------------------------------------------------------------

pub struct PartyLine {
    pub kind: String,
    pub name: String,
    pub ident: String,
    pub legal_rep: String,
    pub phone: String,
}

pub struct HistLine {
    pub time: String,
    pub actor: String,
    pub action: String,
    pub detail: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "case.html")]
pub struct CasePage {
    pub t: &'static Tr,
    pub lang: &'static str,
    pub nav: Nav,
    pub c: CaseLine,
    pub court_name: String,
    pub type_code: String,
    pub basis_court: String,
    pub basis_number: String,
    pub basis_type: String,
    pub triage_reason: String,
    pub assignment_reason: String,
    pub applicants: Vec<PartyLine>,
    pub debtors: Vec<PartyLine>,
    pub same: Vec<(String, String, String)>,
    pub assignments: Vec<HistLine>,
    pub history: Vec<HistLine>,
    /// The funds section: None when the reader may not see the case's funds.
    pub funds: Option<FundsView>,
    pub can_reassign: bool,
    pub teams: Vec<(String, String)>,
    pub error: String,
    pub deadlines_label: &'static str,
}

/// The case page's funds section.
pub struct FundsView {
    pub account_number: String,
    pub balance: String,
    pub received: String,
    pub disbursed: String,
    /// (time, kind, amount, memo)
    pub entries: Vec<(String, String, String, String)>,
}

fn funds_view(lang: Lang, f: &zhixing_app::funds::CaseFunds) -> FundsView {
    let yuan = |fen: i64| zhixing_domain::money::Fen::new(fen).format_yuan();
    let kind = |k: &str| -> String {
        let zh = match k {
            "receipt" => "到账",
            "claim" => "认领",
            "disbursement" => "发放",
            "payment_confirmed" => "付款确认",
            "reversal" => "冲正",
            other => other,
        };
        match lang {
            Lang::Zh => zh.into(),
            Lang::En => k.into(),
        }
    };
    FundsView {
        account_number: f.account_number.clone(),
        balance: yuan(f.balance_fen),
        received: yuan(f.received_fen),
        disbursed: yuan(f.disbursed_fen),
        entries: f
            .entries
            .iter()
            .map(|e| {
                (
                    china_datetime_text(e.at),
                    kind(&e.kind),
                    yuan(e.amount_fen),
                    e.memo.clone(),
                )
            })
            .collect(),
    }
}

fn party_lines(lang: Lang, rows: &[zhixing_store::cases::PartyRow]) -> Vec<PartyLine> {
    let t = lang.tr();
    rows.iter()
        .map(|p| PartyLine {
            kind: if p.kind == "person" {
                t.person.into()
            } else {
                t.entity.into()
            },
            name: p.name.clone(),
            ident: p
                .id_number
                .clone()
                .or_else(|| p.credit_code.clone())
                .unwrap_or_default(),
            legal_rep: p.legal_representative.clone().unwrap_or_default(),
            phone: p.phone.clone().unwrap_or_default(),
        })
        .collect()
}

fn action_text(lang: Lang, a: &str) -> String {
    let zh = match a {
        "case.file" => "立案",
        "case.reassign" => "改派",
        "case.event" => "记录流程节点",
        "case.excluded_period" => "登记扣除期间",
        "case.extension_request" => "申请延长期限",
        "case.extension_approve" => "批准延长期限",
        "case.extension_refuse" => "不批准延长期限",
        "case.supervise" => "督办",
        "case.supervision_reply" => "回复督办",
        "funds.receipt" => "案款到账",
        "funds.claim" => "认领不明款",
        "funds.disbursement.propose" => "申请发放案款",
        "funds.disbursement.approve" => "批准发放案款",
        "funds.disbursement.refuse" => "不予批准发放",
        "funds.disbursement.paid" => "银行付款确认",
        "funds.deferral.request" => "申请延期发放",
        "funds.deferral.approve" => "批准延期发放",
        "funds.deferral.refuse" => "不予批准延期",
        "funds.reverse" => "冲正",
        _ => a,
    };
    match lang {
        Lang::Zh => zh.into(),
        Lang::En => a.into(),
    }
}

async fn render_case(st: &AppState, staff: &Staff, d: CaseDetail, error: String) -> Response {
    let lang = staff.lang;
    let can_reassign =
        staff.actor.role.has(Permission::ReassignCase) && staff.actor.writes_in(&d.case.court_code);
    let funds = st
        .app
        .case_funds(&staff.actor, &d.case.id)
        .await
        .ok()
        .map(|f| funds_view(lang, &f));
    let teams: Vec<TeamRow> = if can_reassign {
        st.app.teams(&d.case.court_code).await.unwrap_or_default()
    } else {
        Vec::new()
    };
    CasePage {
        t: lang.tr(),
        lang: lang.code(),
        nav: staff.nav(),
        c: line(lang, &d.case),
        court_name: d.court_name.clone(),
        type_code: d.case.type_code.clone(),
        basis_court: d.case.basis_court.clone(),
        basis_number: d.case.basis_document_number.clone(),
        basis_type: d.case.basis_document_type.clone(),
        triage_reason: d.case.triage_reason.clone(),
        assignment_reason: d.case.assignment_reason.clone(),
        applicants: party_lines(lang, &d.applicants),
        debtors: party_lines(lang, &d.debtors),
        same: d
            .same_debtor_cases
            .iter()
            .map(|r| (r.id.clone(), r.case_number.clone(), r.court_code.clone()))
            .collect(),
        assignments: d
            .assignments
            .iter()
            .map(|a| HistLine {
                time: china_datetime_text(a.at),
                actor: a.actor_name.clone().unwrap_or_else(|| a.actor_id.clone()),
                action: format!(
                    "{} / {}",
                    a.team_name.clone().unwrap_or_else(|| "—".into()),
                    a.handler_name.clone().unwrap_or_else(|| "—".into())
                ),
                detail: a.reason.clone(),
            })
            .collect(),
        history: d
            .history
            .iter()
            .map(|h| HistLine {
                time: china_datetime_text(h.record.at_ms),
                actor: h.record.actor_name.clone(),
                action: action_text(lang, &h.record.action),
                detail: format!("#{} SM3 {}…", h.record.seq, h.hash.get(..16).unwrap_or("")),
            })
            .collect(),
        funds,
        can_reassign,
        teams: teams
            .into_iter()
            .filter(|t| t.active && t.track != "command")
            .map(|t| (t.id, t.name))
            .collect(),
        error,
        deadlines_label: crate::ui_deadlines::tr(lang).case_deadlines,
    }
    .into_response()
}

async fn case_page(State(st): State<AppState>, staff: Staff, Path(id): Path<String>) -> Response {
    match st.app.case_detail(&staff.actor, &id).await {
        Ok(d) => render_case(&st, &staff, d, String::new()).await,
        Err(e) => error_page(staff.lang, &e),
    }
}

async fn reassign_submit(
    State(st): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Some(r) = staff.csrf_rejection(&form) {
        return r;
    }
    let team = form.get("team_id").cloned().unwrap_or_default();
    let reason = form.get("reason").cloned().unwrap_or_default();
    match st
        .app
        .reassign(&staff.actor, &id, &team, None, &reason, st.now_ms())
        .await
    {
        Ok(_) => Redirect::to(&format!("/cases/{id}")).into_response(),
        Err(e @ AppError::Invalid(_)) => match st.app.case_detail(&staff.actor, &id).await {
            Ok(d) => render_case(&st, &staff, d, classify(&e).3).await,
            Err(e) => error_page(staff.lang, &e),
        },
        Err(e) => error_page(staff.lang, &e),
    }
}

// ---- filing form ------------------------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "new_case.html")]
pub struct NewCasePage {
    pub t: &'static Tr,
    pub lang: &'static str,
    pub nav: Nav,
    pub v: HashMap<String, String>,
    pub errors: HashMap<String, String>,
    pub doc_types: Vec<&'static str>,
    pub type_codes: Vec<(&'static str, &'static str)>,
}

impl NewCasePage {
    /// Submitted value of input `{prefix}{key}`.
    pub fn val(&self, prefix: &str, key: &str) -> String {
        self.v
            .get(&format!("{prefix}{key}"))
            .cloned()
            .unwrap_or_default()
    }
    /// Error message for input `{prefix}{key}`.
    pub fn err(&self, prefix: &str, key: &str) -> String {
        self.errors
            .get(&format!("{prefix}{key}"))
            .cloned()
            .unwrap_or_default()
    }
    pub fn sel(&self, prefix: &str, key: &str, v: &str) -> bool {
        self.v.get(&format!("{prefix}{key}")).map(String::as_str) == Some(v)
    }
}

const FILE_TYPES: [(&str, &str); 3] = [
    ("执", "执 首次执行"),
    ("执恢", "执恢 恢复执行"),
    ("执保", "执保 财产保全执行"),
];

fn new_case_page(
    staff: &Staff,
    v: HashMap<String, String>,
    errors: HashMap<String, String>,
) -> NewCasePage {
    NewCasePage {
        t: staff.lang.tr(),
        lang: staff.lang.code(),
        nav: staff.nav(),
        v,
        errors,
        doc_types: BASIS_DOCUMENT_TYPES.to_vec(),
        type_codes: FILE_TYPES.to_vec(),
    }
}

async fn new_case_form(State(st): State<AppState>, staff: Staff) -> Response {
    if let Err(e) = staff.actor.require(Permission::FileCase) {
        return error_page(staff.lang, &e);
    }
    let mut v = HashMap::new();
    v.insert(
        "filed_on".into(),
        china_date(st.now_ms()).format("%Y-%m-%d").to_string(),
    );
    v.insert("type_code".into(), "执".into());
    v.insert("basis_court".into(), staff.actor.court_code.clone());
    v.insert("basis_document_type".into(), "民事判决书".into());
    v.insert("a_kind".into(), "person".into());
    v.insert("d0_kind".into(), "person".into());
    v.insert("d1_kind".into(), "person".into());
    new_case_page(&staff, v, HashMap::new()).into_response()
}

fn party_from_form(f: &HashMap<String, String>, p: &str) -> PartyInput {
    let g = |k: &str| {
        f.get(&format!("{p}{k}"))
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
    };
    let kind = g("kind").unwrap_or_else(|| "person".into());
    let ident = g("ident");
    PartyInput {
        name: g("name").unwrap_or_default(),
        id_number: if kind == "person" {
            ident.clone()
        } else {
            None
        },
        credit_code: if kind == "entity" { ident } else { None },
        legal_representative: g("legal_rep"),
        phone: g("phone"),
        address: g("address"),
        kind,
    }
}

/// Map an API field path to the form input that holds it.
pub fn form_field(path: &str) -> String {
    let p = path
        .replace("applicants[0].", "a_")
        .replace("debtors[0].", "d0_")
        .replace("debtors[1].", "d1_")
        .replace("basis.", "basis_");
    let p = p
        .replace("_id_number", "_ident")
        .replace("_credit_code", "_ident")
        .replace("_legal_representative", "_legal_rep");
    match p.as_str() {
        "claim_fen" => "claim".into(),
        "debtors[0]" => "d0_name".into(),
        "debtors[1]" => "d1_name".into(),
        "applicants" => "a_name".into(),
        "debtors" => "d0_name".into(),
        _ => p,
    }
}

async fn new_case_submit(
    State(st): State<AppState>,
    staff: Staff,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Some(r) = staff.csrf_rejection(&form) {
        return r;
    }
    let mut errors = HashMap::new();
    let claim_fen = match Fen::parse_yuan(form.get("claim").map(String::as_str).unwrap_or("")) {
        Ok(f) => Some(f.get()),
        Err(e) => {
            errors.insert("claim".to_owned(), e.message);
            None
        }
    };
    let mut debtors = vec![party_from_form(&form, "d0_")];
    if form.get("d1_name").is_some_and(|n| !n.trim().is_empty()) {
        debtors.push(party_from_form(&form, "d1_"));
    }
    let g = |k: &str| form.get(k).cloned().unwrap_or_default();
    let input = NewCaseInput {
        court: staff.actor.court_code.clone(),
        type_code: g("type_code"),
        filed_on: g("filed_on"),
        basis_court: g("basis_court"),
        basis_document_number: g("basis_document_number"),
        basis_document_type: g("basis_document_type"),
        applicants: vec![party_from_form(&form, "a_")],
        debtors,
        claim_fen,
    };
    if errors.is_empty() {
        match st.app.file_case(&staff.actor, &input, st.now_ms()).await {
            Ok(d) => return Redirect::to(&format!("/cases/{}", d.case.id)).into_response(),
            Err(e) => match &e {
                AppError::Invalid(_)
                | AppError::Conflict { .. }
                | AppError::Forbidden { field: Some(_), .. } => {
                    let (_, _, field, message) = classify(&e);
                    errors.insert(
                        field
                            .map(|f| form_field(&f))
                            .unwrap_or_else(|| "form".into()),
                        message,
                    );
                }
                _ => return error_page(staff.lang, &e),
            },
        }
    }
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        new_case_page(&staff, form, errors),
    )
        .into_response()
}

// ---- court admin ------------------------------------------------------------------------------

pub struct TeamLine {
    pub name: String,
    pub track: String,
}

pub struct UserLine {
    pub username: String,
    pub name: String,
    pub role: String,
    pub team: String,
    pub active: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin.html")]
pub struct AdminPage {
    pub t: &'static Tr,
    pub lang: &'static str,
    pub nav: Nav,
    pub teams: Vec<TeamLine>,
    pub team_names: Vec<String>,
    pub users: Vec<UserLine>,
    pub roles: Vec<(&'static str, &'static str)>,
    pub threshold_yuan: String,
    pub error: String,
    pub notice: String,
}

async fn render_admin(st: &AppState, staff: &Staff, error: String, notice: String) -> Response {
    let lang = staff.lang;
    let teams = match st.app.teams(&staff.actor.court_code).await {
        Ok(t) => t,
        Err(e) => return error_page(lang, &e),
    };
    let users: Vec<UserRow> = match st.app.staff(&staff.actor).await {
        Ok(u) => u,
        Err(e) => return error_page(lang, &e),
    };
    let mut conn = match st.app.db.conn().await {
        Ok(c) => c,
        Err(e) => return error_page(lang, &AppError::Store(e)),
    };
    let threshold = zhixing_store::courts::find(&mut conn, &staff.actor.court_code)
        .await
        .ok()
        .flatten()
        .map(|c| {
            Fen::new(c.triage_fast_max_fen)
                .format_yuan()
                .replace(" 元", "")
                .replace(',', "")
        })
        .unwrap_or_default();
    drop(conn);
    let team_name = |id: &Option<String>| {
        id.as_ref()
            .and_then(|id| teams.iter().find(|t| &t.id == id))
            .map(|t| t.name.clone())
            .unwrap_or_else(|| "—".into())
    };
    AdminPage {
        t: lang.tr(),
        lang: lang.code(),
        nav: staff.nav(),
        users: users
            .iter()
            .map(|u| UserLine {
                username: u.username.clone(),
                name: u.name.clone(),
                role: Role::from_str_opt(&u.role)
                    .map(|r| {
                        if lang == Lang::Zh {
                            r.name_zh()
                        } else {
                            r.name_en()
                        }
                    })
                    .unwrap_or("?")
                    .into(),
                team: team_name(&u.team_id),
                active: u.active,
            })
            .collect(),
        team_names: teams.iter().map(|t| t.name.clone()).collect(),
        teams: teams
            .iter()
            .map(|t| TeamLine {
                name: t.name.clone(),
                track: track_name_zh(&t.track).into(),
            })
            .collect(),
        roles: Role::ALL
            .iter()
            .map(|r| {
                (
                    r.as_str(),
                    if lang == Lang::Zh {
                        r.name_zh()
                    } else {
                        r.name_en()
                    },
                )
            })
            .collect(),
        threshold_yuan: threshold,
        error,
        notice,
    }
    .into_response()
}

async fn admin_page(State(st): State<AppState>, staff: Staff) -> Response {
    render_admin(&st, &staff, String::new(), String::new()).await
}

async fn admin_result(st: &AppState, staff: &Staff, r: Result<String, AppError>) -> Response {
    match r {
        Ok(notice) => render_admin(st, staff, String::new(), notice).await,
        Err(e @ (AppError::Invalid(_) | AppError::Conflict { .. })) => {
            let (status, _, field, msg) = classify(&e);
            let mut resp = render_admin(
                st,
                staff,
                format!(
                    "{msg}{}",
                    field.map(|f| format!("（{f}）")).unwrap_or_default()
                ),
                String::new(),
            )
            .await;
            *resp.status_mut() = status;
            resp
        }
        Err(e) => error_page(staff.lang, &e),
    }
}

async fn admin_team(
    State(st): State<AppState>,
    staff: Staff,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Some(r) = staff.csrf_rejection(&form) {
        return r;
    }
    let g = |k: &str| form.get(k).cloned().unwrap_or_default();
    let r = st
        .app
        .add_team(
            &staff.actor,
            &staff.actor.court_code,
            &g("name"),
            &g("track"),
            st.now_ms(),
        )
        .await
        .map(|t| format!("已新增团队「{}」", t.name));
    admin_result(&st, &staff, r).await
}

async fn admin_user(
    State(st): State<AppState>,
    staff: Staff,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Some(r) = staff.csrf_rejection(&form) {
        return r;
    }
    let g = |k: &str| form.get(k).cloned().unwrap_or_default();
    let input = NewUser {
        court: staff.actor.court_code.clone(),
        role: g("role"),
        username: g("username"),
        name: g("name"),
        team: Some(g("team")).filter(|t| !t.is_empty()),
        password: g("password"),
    };
    let r = st
        .app
        .add_user(&staff.actor, input, st.now_ms())
        .await
        .map(|u| format!("已新增人员「{}」", u.username));
    admin_result(&st, &staff, r).await
}

async fn admin_triage(
    State(st): State<AppState>,
    staff: Staff,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Some(r) = staff.csrf_rejection(&form) {
        return r;
    }
    let r = match Fen::parse_yuan(form.get("threshold").map(String::as_str).unwrap_or("")) {
        Ok(f) => st
            .app
            .set_triage_threshold(&staff.actor, &staff.actor.court_code, f.get(), st.now_ms())
            .await
            .map(|_| format!("简案标准已设为 {f}")),
        Err(e) => Err(AppError::Invalid(e.at("threshold"))),
    };
    admin_result(&st, &staff, r).await
}

async fn home() -> Redirect {
    Redirect::to("/cases")
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/login", get(login_form).post(login_submit))
        .route("/logout", post(logout))
        .route("/lang/{code}", get(set_lang))
        .route("/cases", get(cases_page))
        .route("/cases/new", get(new_case_form).post(new_case_submit))
        .route("/cases/{id}", get(case_page))
        .route("/cases/{id}/reassign", post(reassign_submit))
        .route("/admin", get(admin_page))
        .route("/admin/teams", post(admin_team))
        .route("/admin/users", post(admin_user))
        .route("/admin/triage", post(admin_triage))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    #[test]
    fn form_field_mapping() {
        for (api, form) in [
            ("debtors[0].id_number", "d0_ident"),
            ("debtors[1].credit_code", "d1_ident"),
            ("applicants[0].name", "a_name"),
            ("debtors[0].legal_representative", "d0_legal_rep"),
            ("basis.document_number", "basis_document_number"),
            ("claim_fen", "claim"),
            ("filed_on", "filed_on"),
        ] {
            assert_eq!(super::form_field(api), form);
        }
        assert!(super::ct_eq("abc", "abc"));
        assert!(!super::ct_eq("abc", "abd"));
        assert!(!super::ct_eq("abc", "ab"));
    }
}
