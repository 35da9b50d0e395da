//! The page of a case's 拒执罪 referrals (CRIM art 313; REFUSE 法释〔2024〕13号): each referral
//! with its terms, the police decision, 不予追究, the 自诉 and its end or the judgment, and only
//! the forms its status allows (`zhixing_domain::duty::referral_transition`); plus the form that
//! drafts a new referral. The use cases check permission and court scope; this module only shows.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use zhixing_app::AppError;
use zhixing_app::duty::{ReferralInput, ReferralView, ViolationInput};
use zhixing_domain::duty::{DROPPED_BY, VIOLATION_KINDS, referral_status_zh, referral_transition};
use zhixing_domain::role::Permission;

use crate::i18n::Lang;
use crate::state::AppState;
use crate::ui::{Nav, Staff, error_page, field, inline_error};

/// Strings of the referrals page (zh default, en on request).
pub struct TrR {
    pub title: &'static str,
    pub back: &'static str,
    pub none: &'static str,
    pub hint: &'static str,
    pub status: &'static str,
    pub suspect: &'static str,
    pub facts: &'static str,
    pub violations: &'static str,
    /// The violation kinds, in the order of `VIOLATION_KINDS`.
    pub violation_kinds: [&'static str; 3],
    pub drafted_on: &'static str,
    pub transfer_by: &'static str,
    pub overdue: &'static str,
    pub agency: &'static str,
    pub referred_on: &'static str,
    pub conclude_by: &'static str,
    pub police: &'static str,
    pub police_accepted: &'static str,
    pub police_declined: &'static str,
    pub police_on: &'static str,
    pub police_note: &'static str,
    pub dropped: &'static str,
    pub dropped_on: &'static str,
    pub dropped_by: &'static str,
    /// The organs that did not pursue the case, in the order of `DROPPED_BY`.
    pub dropped_by_names: [&'static str; 2],
    pub dropped_note: &'static str,
    pub private: &'static str,
    pub private_court: &'static str,
    pub private_filed_on: &'static str,
    pub applicant_evidence: &'static str,
    pub ended: &'static str,
    pub outcome: &'static str,
    pub outcome_withdrawn: &'static str,
    pub outcome_settled: &'static str,
    pub ended_on: &'static str,
    pub end_note: &'static str,
    pub judgment: &'static str,
    pub judgment_on: &'static str,
    pub sentence: &'static str,
    pub package: &'static str,
    /// Beside a date input: an empty date means today.
    pub empty_is_today: &'static str,
    // The action forms.
    pub do_refer: &'static str,
    pub do_police: &'static str,
    pub do_dropped: &'static str,
    pub do_private: &'static str,
    pub do_end: &'static str,
    pub do_judgment: &'static str,
    // The draft form.
    pub draft: &'static str,
    pub suspect_hint: &'static str,
    pub violation: &'static str,
    pub violation_on: &'static str,
    pub violation_kind: &'static str,
    pub violation_description: &'static str,
    pub do_draft: &'static str,
}

const ZH: TrR = TrR {
    title: "拒执罪移送",
    back: "返回案件",
    none: "暂无移送",
    hint: "被执行人有能力执行而拒不执行判决、裁定，情节严重的，移送公安机关立案侦查（刑法第三百一十三条）；公安机关不予立案，或者立案后撤销案件、检察机关不起诉的，申请执行人可以提起自诉（法释〔2024〕13号第十四条）；自诉在宣判前可以撤回或者和解（刑事诉讼法第二百一十二条）。移送期限和审结期限为本院设定的期限。",
    status: "状态",
    suspect: "被移送人",
    facts: "拒不执行的事实",
    violations: "违法行为",
    violation_kinds: ["罚款、拘留后仍拒不履行", "转移、隐匿财产", "其他"],
    drafted_on: "制作日期",
    transfer_by: "移送期限",
    overdue: "超期",
    agency: "移送机关",
    referred_on: "移送日期",
    conclude_by: "审结期限",
    police: "公安机关决定",
    police_accepted: "立案",
    police_declined: "不予立案",
    police_on: "决定日期",
    police_note: "说明",
    dropped: "不予追究",
    dropped_on: "不予追究日期",
    dropped_by: "决定机关",
    dropped_by_names: ["公安机关撤销案件", "检察机关不起诉"],
    dropped_note: "理由",
    private: "自诉",
    private_court: "受理法院",
    private_filed_on: "提起自诉日期",
    applicant_evidence: "申请执行人的证据",
    ended: "自诉结束",
    outcome: "结果",
    outcome_withdrawn: "撤回自诉",
    outcome_settled: "和解",
    ended_on: "结束日期",
    end_note: "说明（和解须写明条件）",
    judgment: "判决",
    judgment_on: "判决日期",
    sentence: "判决结果",
    package: "证据材料包 SM3",
    empty_is_today: "日期不填即为今天。",
    do_refer: "移送公安机关",
    do_police: "记录公安机关决定",
    do_dropped: "记录不予追究",
    do_private: "登记自诉",
    do_end: "记录撤回或和解",
    do_judgment: "记录判决",
    draft: "制作移送材料",
    suspect_hint: "被移送人（不填即为第一被执行人）",
    violation: "违法行为（可不填）",
    violation_on: "发生日期",
    violation_kind: "类型",
    violation_description: "具体情况",
    do_draft: "制作移送材料",
};

const EN: TrR = TrR {
    title: "Refusal-to-execute referrals",
    back: "Back to case",
    none: "No referrals",
    hint: "A judgment debtor able to perform who refuses to carry out a judgment or ruling, where the circumstances are serious, is referred to the public security organ for investigation (Criminal Law, art. 313). If the police do not open a case, or withdraw it after opening it, or the procuratorate decides not to prosecute, the applicant may bring a private prosecution (法释〔2024〕13号, art. 14); before judgment a private prosecution may be withdrawn or settled (Criminal Procedure Law, art. 212). The transfer and conclusion terms are this court's own.",
    status: "Status",
    suspect: "Person referred",
    facts: "Facts of the refusal",
    violations: "Violations",
    violation_kinds: [
        "Still refuses after a fine or detention",
        "Transferring or hiding property",
        "Other",
    ],
    drafted_on: "Drafted on",
    transfer_by: "Transfer by",
    overdue: "Overdue",
    agency: "Receiving agency",
    referred_on: "Referred on",
    conclude_by: "Conclude by",
    police: "Police decision",
    police_accepted: "Case opened",
    police_declined: "Case not opened",
    police_on: "Decided on",
    police_note: "Note",
    dropped: "Not pursued after opening",
    dropped_on: "Not pursued on",
    dropped_by: "Decided by",
    dropped_by_names: [
        "Police withdrew the case",
        "Procuratorate decided not to prosecute",
    ],
    dropped_note: "Reasons",
    private: "Private prosecution",
    private_court: "Court",
    private_filed_on: "Filed on",
    applicant_evidence: "Applicant's evidence",
    ended: "Private prosecution ended",
    outcome: "Outcome",
    outcome_withdrawn: "Withdrawn",
    outcome_settled: "Settled",
    ended_on: "Ended on",
    end_note: "Note (a settlement's terms are required)",
    judgment: "Judgment",
    judgment_on: "Judgment on",
    sentence: "Sentence",
    package: "Evidence package SM3",
    empty_is_today: "An empty date means today.",
    do_refer: "Refer to the police",
    do_police: "Record the police decision",
    do_dropped: "Record not pursued",
    do_private: "Record private prosecution",
    do_end: "Record withdrawal or settlement",
    do_judgment: "Record judgment",
    draft: "Draft a referral",
    suspect_hint: "Person referred (empty: the first judgment debtor)",
    violation: "Violation (optional)",
    violation_on: "Date",
    violation_kind: "Kind",
    violation_description: "Description",
    do_draft: "Draft referral",
};

pub fn tr(lang: Lang) -> &'static TrR {
    match lang {
        Lang::Zh => &ZH,
        Lang::En => &EN,
    }
}

/// A referral's status word: `referral_status_zh` in Chinese, its English equivalent otherwise.
fn status_word(lang: Lang, s: &str) -> &'static str {
    match lang {
        Lang::Zh => referral_status_zh(s),
        Lang::En => match s {
            "drafted" => "Awaiting transfer",
            "referred" => "Referred",
            "accepted" => "Case opened by the police",
            "declined" => "Case not opened",
            "private_filed" => "Private prosecution filed",
            "judged" => "Judged",
            "dropped" => "Not pursued",
            "withdrawn" => "Private prosecution withdrawn",
            "settled" => "Private prosecution settled",
            _ => "Unknown",
        },
    }
}

/// A status's badge class.
fn status_class(s: &str) -> &'static str {
    match s {
        "drafted" | "referred" | "accepted" | "private_filed" => "yellow",
        "judged" => "red",
        _ => "muted",
    }
}

/// One referral on the page; empty strings are not shown.
pub struct ReferralLine {
    pub id: String,
    pub status: String,
    pub status_text: &'static str,
    pub status_class: &'static str,
    pub suspect: String,
    pub facts: String,
    /// "2024-09-20 转移、隐匿财产：…" per listed violation.
    pub violations: Vec<String>,
    pub drafted_on: String,
    pub transfer_by: String,
    pub transfer_overdue: bool,
    pub agency: String,
    pub referred_on: String,
    pub conclude_by: String,
    pub conclude_overdue: bool,
    /// The police decision's word (立案 / 不予立案), its day and note.
    pub police: &'static str,
    pub police_decided_on: String,
    pub police_note: String,
    pub dropped_on: String,
    pub dropped_by: String,
    pub dropped_note: String,
    pub private_court: String,
    pub private_filed_on: String,
    pub applicant_evidence: String,
    pub ended_on: String,
    pub end_note: String,
    pub judgment_on: String,
    pub sentence: String,
    pub package_sm3: String,
    // The forms the status allows (and the user may use).
    pub can_refer: bool,
    pub can_police: bool,
    pub can_drop: bool,
    pub can_private: bool,
    pub can_end: bool,
    pub can_judge: bool,
}

impl ReferralLine {
    /// Any action form at all.
    pub fn has_actions(&self) -> bool {
        self.can_refer
            || self.can_police
            || self.can_drop
            || self.can_private
            || self.can_end
            || self.can_judge
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "case_referrals.html")]
pub struct CaseReferralsPage {
    pub t: &'static crate::i18n::Tr,
    pub r: &'static TrR,
    pub lang: &'static str,
    pub nav: Nav,
    pub case_id: String,
    pub case_number: String,
    pub rows: Vec<ReferralLine>,
    /// (code, name) of the violation kinds, for the draft form.
    pub violation_kinds: Vec<(&'static str, &'static str)>,
    /// (code, name) of the organs of 不予追究, for its form.
    pub dropped_by: Vec<(&'static str, &'static str)>,
    pub can_draft: bool,
    pub today: String,
    pub error: String,
}

fn line(tr: &TrR, lang: Lang, v: &ReferralView, writes: bool) -> ReferralLine {
    let r = &v.referral;
    let s = r.status.as_str();
    let can = |to: &str| writes && referral_transition(s, to).is_ok();
    let text = |o: &Option<String>| o.clone().unwrap_or_default();
    let violations = serde_json::from_str::<Vec<serde_json::Value>>(&r.violations)
        .unwrap_or_default()
        .iter()
        .map(|x| {
            let get = |k: &str| x.get(k).and_then(|v| v.as_str()).unwrap_or_default();
            let kind = VIOLATION_KINDS
                .iter()
                .position(|k| *k == get("kind"))
                .map_or(get("kind"), |i| tr.violation_kinds[i]);
            format!("{} {kind}：{}", get("on"), get("description"))
        })
        .collect();
    // The row keeps the decision's day, not its sense: a 自诉 without a drop before it followed
    // a decline (referral_transition), anything else after a decision followed 立案.
    let declined = s == "declined" || (r.dropped_on.is_none() && r.private_filed_on.is_some());
    ReferralLine {
        id: r.id.clone(),
        status: r.status.clone(),
        status_text: status_word(lang, s),
        status_class: status_class(s),
        suspect: r.suspect_name.clone(),
        facts: r.facts.clone(),
        violations,
        drafted_on: r.drafted_on.clone(),
        transfer_by: r.transfer_by.clone(),
        transfer_overdue: v.transfer_overdue,
        agency: text(&r.agency),
        referred_on: text(&r.referred_on),
        conclude_by: text(&r.conclude_by),
        conclude_overdue: v.conclude_overdue,
        police: match (&r.police_decided_on, declined) {
            (None, _) => "",
            (Some(_), true) => tr.police_declined,
            (Some(_), false) => tr.police_accepted,
        },
        police_decided_on: text(&r.police_decided_on),
        police_note: text(&r.police_note),
        dropped_on: text(&r.dropped_on),
        dropped_by: r
            .dropped_by
            .as_deref()
            .map(|b| {
                DROPPED_BY
                    .iter()
                    .position(|x| *x == b)
                    .map_or_else(|| b.to_owned(), |i| tr.dropped_by_names[i].to_owned())
            })
            .unwrap_or_default(),
        dropped_note: text(&r.dropped_note),
        private_court: text(&r.private_court),
        private_filed_on: text(&r.private_filed_on),
        applicant_evidence: text(&r.applicant_evidence),
        ended_on: text(&r.ended_on),
        end_note: text(&r.end_note),
        judgment_on: text(&r.judgment_on),
        sentence: text(&r.sentence),
        package_sm3: r.package_sm3.clone(),
        can_refer: can("referred"),
        can_police: can("accepted") || can("declined"),
        can_drop: can("dropped"),
        can_private: can("private_filed"),
        can_end: can("withdrawn") || can("settled"),
        can_judge: can("judged"),
    }
}

async fn render(st: &AppState, staff: &Staff, case_id: &str, error: String) -> Response {
    let lang = staff.lang;
    let tr = tr(lang);
    let a = &staff.actor;
    let detail = match st.app.case_detail(a, case_id).await {
        Ok(d) => d,
        Err(e) => return error_page(lang, &e),
    };
    let list = match st.app.case_referrals(a, case_id, st.now_ms()).await {
        Ok(l) => l,
        Err(e) => return error_page(lang, &e),
    };
    // What the use cases allow: drafting and every later step need ProposeMeasure in the case's
    // own court.
    let writes = a.writes_in(&detail.case.court_code) && a.role.has(Permission::ProposeMeasure);
    CaseReferralsPage {
        t: lang.tr(),
        r: tr,
        lang: lang.code(),
        nav: staff.nav(),
        case_id: detail.case.id.clone(),
        case_number: detail.case.case_number.clone(),
        rows: list.iter().map(|v| line(tr, lang, v, writes)).collect(),
        violation_kinds: VIOLATION_KINDS
            .into_iter()
            .zip(tr.violation_kinds)
            .collect(),
        dropped_by: DROPPED_BY.into_iter().zip(tr.dropped_by_names).collect(),
        can_draft: writes,
        today: zhixing_domain::time::china_date(st.now_ms())
            .format("%Y-%m-%d")
            .to_string(),
        error,
    }
    .into_response()
}

async fn case_page(State(st): State<AppState>, staff: Staff, Path(id): Path<String>) -> Response {
    render(&st, &staff, &id, String::new()).await
}

/// After a form: back to the referral's case page (post/redirect/get); a refused form (a rule or
/// the referral's status) re-renders the page of the case in the form's `back` field with the
/// reason; anything else (not found, forbidden) is the error page.
async fn after(
    st: &AppState,
    staff: &Staff,
    back: &str,
    r: Result<ReferralView, AppError>,
) -> Response {
    match r {
        Ok(v) => Redirect::to(&format!("/cases/{}/referrals", v.referral.case_id)).into_response(),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict { .. })) => {
            render(st, staff, back, inline_error(&e)).await
        }
        Err(e) => error_page(staff.lang, &e),
    }
}

/// The draft form: facts, an optional suspect, and at most one violation (listed when any of its
/// fields is filled in; the use case checks it).
fn referral_input(form: &HashMap<String, String>) -> ReferralInput {
    let v = ViolationInput {
        on: field(form, "violation_on"),
        kind: field(form, "violation_kind"),
        description: field(form, "violation_description"),
    };
    let violations = if v.on.is_empty() && v.description.is_empty() {
        Vec::new()
    } else {
        vec![v]
    };
    ReferralInput {
        suspect_name: field(form, "suspect_name"),
        facts: field(form, "facts"),
        violations,
    }
}

async fn draft_submit(
    State(st): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Some(r) = staff.csrf_rejection(&form) {
        return r;
    }
    let r = st
        .app
        .create_referral(&staff.actor, &id, &referral_input(&form), st.now_ms())
        .await;
    after(&st, &staff, &id, r).await
}

/// One step of a referral, named by the last path segment (`/referrals/{id}/{step}`); the use
/// case checks the step against the referral's status. An unknown step is 404.
async fn step_submit(
    State(st): State<AppState>,
    staff: Staff,
    Path((rid, step)): Path<(String, String)>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Some(r) = staff.csrf_rejection(&form) {
        return r;
    }
    let (app, a, now) = (&st.app, &staff.actor, st.now_ms());
    let f = |k: &str| field(&form, k);
    let r = match step.as_str() {
        "refer" => {
            app.refer_referral(a, &rid, &f("agency"), &f("referred_on"), now)
                .await
        }
        "police-decision" => match f("decision").as_str() {
            d @ ("accepted" | "declined") => {
                app.police_decision(a, &rid, d == "accepted", &f("on"), &f("note"), now)
                    .await
            }
            _ => Err(AppError::invalid(
                "decision",
                "decision",
                "公安机关决定应为 accepted（立案）或 declined（不予立案）",
            )),
        },
        "dropped" => {
            app.referral_dropped(a, &rid, &f("by"), &f("on"), &f("note"), now)
                .await
        }
        "private-prosecution" => {
            app.private_prosecution(
                a,
                &rid,
                &f("filed_on"),
                &f("court_name"),
                &f("applicant_evidence"),
                now,
            )
            .await
        }
        "private-prosecution-end" => {
            app.private_prosecution_end(a, &rid, &f("outcome"), &f("on"), &f("note"), now)
                .await
        }
        "judgment" => {
            app.referral_judgment(a, &rid, &f("judgment_on"), &f("sentence"), now)
                .await
        }
        _ => Err(AppError::NotFound),
    };
    after(&st, &staff, &f("back"), r).await
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cases/{id}/referrals", get(case_page).post(draft_submit))
        .route("/referrals/{id}/{step}", post(step_submit))
}
