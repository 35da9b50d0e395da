//! The page of a case's reward notices (执行悬赏, INV arts 21–24): each notice with its status, the
//! promised amount or formula, the 10-day decision term and whether it is overdue, the publication,
//! the leads with their verification and the payouts; and only the forms the notice's status and
//! the viewer's role allow: apply, decide (院长), publish, register a lead taken by phone or visit,
//! verify a lead, pay a reward, close. The use cases check permission, court scope and status; this
//! module only shows, and turns amounts typed in 元 into 分 (`Fen::parse_yuan`, no floats).
//!
//! A lead's content and its tipster are confidential (INV art 23): the page lists leads only when
//! `App::reward_leads` gives them to the viewer; everyone else sees the counts of the notice.

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
use zhixing_app::duty::{PayoutInput, RewardInput, RewardView, TipInput, VerifyInput};
use zhixing_domain::duty::{payout_cap, reward_promise, reward_status_zh, reward_transition};
use zhixing_domain::money::Fen;
use zhixing_domain::role::Permission;
use zhixing_domain::time::china_datetime_text;
use zhixing_store::duty::LeadRow;

use crate::i18n::{Lang, fill};
use crate::state::AppState;
use crate::ui::{Nav, Staff, error_page, field, inline_error};
use crate::ui_measures::{redirect_with, take_flash};

/// Strings of the rewards page (zh default, en on request). `{placeholders}` are filled in with
/// `i18n::fill`.
pub struct TrW {
    pub title: &'static str,
    pub back: &'static str,
    pub public_page: &'static str,
    pub none: &'static str,
    pub hint: &'static str,
    pub status: &'static str,
    pub applicant: &'static str,
    pub debtor: &'static str,
    pub reward: &'static str,
    pub publish_via: &'static str,
    pub channel: &'static str,
    pub applied_on: &'static str,
    pub decide_by: &'static str,
    pub decision_overdue: &'static str,
    pub decided_late: &'static str,
    pub decision: &'static str,
    pub decided_on: &'static str,
    pub decision_note: &'static str,
    pub published_on: &'static str,
    pub public_text: &'static str,
    pub closed_on: &'static str,
    pub close_note: &'static str,
    pub leads: &'static str,
    /// "{total} leads, {verified} verified".
    pub lead_counts: &'static str,
    pub recovered: &'static str,
    pub paid: &'static str,
    pub remaining: &'static str,
    pub confidential: &'static str,
    pub leads_hidden: &'static str,
    pub no_leads: &'static str,
    pub payouts: &'static str,
    pub payout_lead: &'static str,
    pub seq: &'static str,
    pub receipt: &'static str,
    pub source: &'static str,
    pub source_public: &'static str,
    pub source_staff: &'static str,
    pub content: &'static str,
    pub tipster: &'static str,
    pub received_at: &'static str,
    pub lead_status: &'static str,
    pub lead_registered: &'static str,
    pub lead_verified: &'static str,
    pub lead_rejected: &'static str,
    pub led_to_recovery: &'static str,
    /// Beside a date input: an empty date means today.
    pub empty_is_today: &'static str,
    // The apply form.
    pub apply: &'static str,
    pub applicant_name: &'static str,
    pub amount_yuan: &'static str,
    pub formula: &'static str,
    pub promise: &'static str,
    pub debtor_select: &'static str,
    pub do_apply: &'static str,
    // The notice's forms.
    pub approve: &'static str,
    pub refuse: &'static str,
    pub reasons: &'static str,
    pub do_decide: &'static str,
    pub do_publish: &'static str,
    pub close_reason: &'static str,
    pub do_close: &'static str,
    pub add_lead: &'static str,
    pub tipster_name: &'static str,
    pub tipster_phone: &'static str,
    pub do_add_lead: &'static str,
    // A lead's forms.
    pub verify_result: &'static str,
    pub verify_note: &'static str,
    pub recovered_yuan: &'static str,
    pub verified_on: &'static str,
    pub do_verify: &'static str,
    pub payee: &'static str,
    pub pay_amount: &'static str,
    pub paid_on: &'static str,
    pub declaration: &'static str,
    pub do_pay: &'static str,
    // What a form did (the notice after its redirect).
    pub done_apply: &'static str,
    pub done_decide: &'static str,
    pub done_publish: &'static str,
    pub done_close: &'static str,
    /// "{no}": the lead's receipt number.
    pub done_lead: &'static str,
    pub done_verify: &'static str,
    /// "{amount}": the amount paid.
    pub done_pay: &'static str,
}

const ZH: TrW = TrW {
    title: "执行悬赏",
    back: "返回案件",
    public_page: "公开的悬赏公告",
    none: "暂无悬赏",
    hint: "申请执行人可以书面申请悬赏，写明悬赏金额或计算方式并承诺支付；人民法院应当自收到申请之日起十日内决定是否准许；准许的，在全国法院执行悬赏公告平台、法院微博或微信等发布公告。线索按提供顺序登记，提供人身份严格保密；查证属实并使申请执行人的债权全部或部分实现的，从执行到位的款项中发放悬赏金，申请执行人的代理人和有义务提供财产线索的人员不得领取（最高人民法院关于民事执行中财产调查若干问题的规定第二十一条至第二十四条）。",
    status: "状态",
    applicant: "申请人",
    debtor: "被执行人",
    reward: "悬赏金额或计算方式",
    publish_via: "发布方式",
    channel: "联系方式",
    applied_on: "申请日期",
    decide_by: "决定期限",
    decision_overdue: "超期未决定",
    decided_late: "逾期决定",
    decision: "决定",
    decided_on: "决定日期",
    decision_note: "理由",
    published_on: "发布日期",
    public_text: "公告内容",
    closed_on: "结束日期",
    close_note: "结束原因",
    leads: "线索",
    lead_counts: "共 {total} 条，查证属实 {verified} 条",
    recovered: "线索促成执行到位",
    paid: "已发放悬赏金",
    remaining: "尚可发放",
    confidential: "线索内容和提供人身份严格保密（INV 第二十三条），不得写入文书或告知他人。",
    leads_hidden: "线索内容和提供人仅本院可办理执行措施的人员可见。",
    no_leads: "尚无线索",
    payouts: "悬赏金发放记录",
    payout_lead: "所奖励线索",
    seq: "序号",
    receipt: "受理号",
    source: "来源",
    source_public: "网上提交",
    source_staff: "来电、来访登记",
    content: "线索内容",
    tipster: "提供人",
    received_at: "收到时间",
    lead_status: "核查",
    lead_registered: "待核查",
    lead_verified: "查证属实",
    lead_rejected: "不属实",
    led_to_recovery: "促成执行到位",
    empty_is_today: "日期不填即为今天。",
    apply: "登记悬赏申请",
    applicant_name: "申请人",
    amount_yuan: "悬赏金额（元）",
    formula: "或计算方式（如 执行到位金额的 10%）",
    promise: "申请人承诺支付悬赏金",
    debtor_select: "悬赏的被执行人",
    do_apply: "登记申请",
    approve: "准许",
    refuse: "不予准许",
    reasons: "理由（不予准许时必填）",
    do_decide: "记录决定",
    do_publish: "发布公告",
    close_reason: "结束原因",
    do_close: "结束悬赏",
    add_lead: "登记线索（来电、来访）",
    tipster_name: "提供人姓名",
    tipster_phone: "联系电话",
    do_add_lead: "登记线索",
    verify_result: "核查结果",
    verify_note: "核查情况",
    recovered_yuan: "促成执行到位金额（元）",
    verified_on: "核查日期",
    do_verify: "记录核查",
    payee: "领取人",
    pay_amount: "发放金额（元）",
    paid_on: "发放日期",
    declaration: "领取人不是申请执行人的代理人，也不是有义务向法院提供财产线索的人员（INV 第二十四条）",
    do_pay: "记录发放",
    done_apply: "已登记悬赏申请。",
    done_decide: "已记录决定。",
    done_publish: "悬赏公告已发布。",
    done_close: "悬赏已结束。",
    done_lead: "已登记线索，受理号 {no}。",
    done_verify: "已记录核查结果。",
    done_pay: "已记录悬赏金发放 {amount}。",
};

const EN: TrW = TrW {
    title: "Reward notices",
    back: "Back to case",
    public_page: "Published reward notices",
    none: "No reward notices",
    hint: "The applicant may apply in writing for a reward notice, stating the amount or how it is computed and promising to pay it; the court decides within ten days of receiving the application and, if it approves, publishes the notice on the national court reward platform, the court's Weibo or WeChat, or locally. Leads are registered in the order they arrive and the tipster's identity is kept strictly confidential; a lead that is verified and gets the applicant's claim realised in whole or in part is rewarded out of the money recovered, but not to the applicant's agent or to persons obliged to provide asset leads (SPC Provisions on Property Investigation in Civil Enforcement, arts. 21-24).",
    status: "Status",
    applicant: "Applicant",
    debtor: "Judgment debtor",
    reward: "Reward or formula",
    publish_via: "Publish via",
    channel: "Contact",
    applied_on: "Applied on",
    decide_by: "Decide by",
    decision_overdue: "Decision overdue",
    decided_late: "Decided late",
    decision: "Decision",
    decided_on: "Decided on",
    decision_note: "Reasons",
    published_on: "Published on",
    public_text: "Notice text",
    closed_on: "Closed on",
    close_note: "Reason for closing",
    leads: "Leads",
    lead_counts: "{total} in all, {verified} verified",
    recovered: "Recovered through leads",
    paid: "Rewards paid",
    remaining: "Still payable",
    confidential: "Leads and the tipsters' identities are strictly confidential (art. 23); never put them into documents or tell anyone.",
    leads_hidden: "Leads and tipsters are shown only to staff of this court who may take enforcement measures.",
    no_leads: "No leads yet",
    payouts: "Reward payments",
    payout_lead: "For lead",
    seq: "No.",
    receipt: "Receipt no.",
    source: "Source",
    source_public: "Online",
    source_staff: "Phone or visit",
    content: "Lead",
    tipster: "Tipster",
    received_at: "Received",
    lead_status: "Verification",
    lead_registered: "Not yet verified",
    lead_verified: "Verified",
    lead_rejected: "Not true",
    led_to_recovery: "Led to recovery",
    empty_is_today: "An empty date means today.",
    apply: "Record a reward application",
    applicant_name: "Applicant",
    amount_yuan: "Reward (yuan)",
    formula: "or formula (e.g. 执行到位金额的 10%)",
    promise: "The applicant promises to pay the reward",
    debtor_select: "Judgment debtor of the notice",
    do_apply: "Record application",
    approve: "Approve",
    refuse: "Refuse",
    reasons: "Reasons (required when refusing)",
    do_decide: "Record decision",
    do_publish: "Publish notice",
    close_reason: "Reason for closing",
    do_close: "Close notice",
    add_lead: "Register a lead (phone or visit)",
    tipster_name: "Tipster's name",
    tipster_phone: "Phone number",
    do_add_lead: "Register lead",
    verify_result: "Result",
    verify_note: "Findings",
    recovered_yuan: "Recovered through this lead (yuan)",
    verified_on: "Verified on",
    do_verify: "Record verification",
    payee: "Payee",
    pay_amount: "Amount paid (yuan)",
    paid_on: "Paid on",
    declaration: "The payee is neither the applicant's agent nor a person obliged to provide asset leads to the court (art. 24)",
    do_pay: "Record payment",
    done_apply: "Reward application recorded.",
    done_decide: "Decision recorded.",
    done_publish: "Reward notice published.",
    done_close: "Reward notice closed.",
    done_lead: "Lead registered, receipt number {no}.",
    done_verify: "Verification recorded.",
    done_pay: "Reward payment of {amount} recorded.",
};

pub fn tr(lang: Lang) -> &'static TrW {
    match lang {
        Lang::Zh => &ZH,
        Lang::En => &EN,
    }
}

/// A notice's status word: `reward_status_zh` in Chinese, its English equivalent otherwise.
fn status_word(lang: Lang, s: &str) -> &'static str {
    match lang {
        Lang::Zh => reward_status_zh(s),
        Lang::En => match s {
            "applied" => "Applied, awaiting decision",
            "approved" => "Approved",
            "refused" => "Refused",
            "published" => "Published",
            "closed" => "Closed",
            _ => "Unknown",
        },
    }
}

/// A status's badge class.
fn status_class(s: &str) -> &'static str {
    match s {
        "applied" | "approved" => "yellow",
        "published" => "red",
        _ => "muted",
    }
}

/// One lead as the page shows it (only to those `reward_leads` gives leads to).
pub struct LeadLine {
    pub id: String,
    pub seq: i64,
    pub receipt_no: String,
    pub source: &'static str,
    pub content: String,
    pub tipster: String,
    pub received_at: String,
    pub status: String,
    pub status_text: &'static str,
    pub verify_note: String,
    pub verified_on: String,
    pub led_to_recovery: bool,
    pub recovered: String,
    pub can_verify: bool,
    pub can_pay: bool,
}

/// One payout as the page shows it (only with the leads: the payee is the tipster).
pub struct PayoutLine {
    pub paid_on: String,
    pub amount: String,
    pub payee: String,
    /// The receipt number of the lead it rewards.
    pub lead: String,
}

/// One notice on the page; empty strings are not shown.
pub struct RewardLine {
    pub id: String,
    pub status: String,
    pub status_text: &'static str,
    pub status_class: &'static str,
    pub applicant: String,
    pub debtor: String,
    pub debtor_id: String,
    /// The fixed amount in 元, or the formula as written.
    pub reward: String,
    pub publish_via: String,
    pub channel: String,
    pub applied_on: String,
    pub decide_by: String,
    pub decision_overdue: bool,
    pub decided_late: bool,
    /// The decision's word (准许 / 不予准许) once decided.
    pub decision: &'static str,
    pub decided_on: String,
    pub decision_note: String,
    pub published_on: String,
    pub public_text: String,
    pub closed_on: String,
    pub close_note: String,
    pub lead_counts: String,
    pub recovered: String,
    pub paid: String,
    /// What may still be paid (`domain::duty::payout_cap`); empty before publication.
    pub remaining: String,
    /// The leads, when the viewer may read them (None: only the counts).
    pub leads: Option<Vec<LeadLine>>,
    /// The payouts, shown with the leads only.
    pub payouts: Vec<PayoutLine>,
    // The forms the status allows (and the viewer may use).
    pub can_decide: bool,
    pub can_publish: bool,
    pub can_close: bool,
    pub can_add_lead: bool,
}

impl RewardLine {
    /// Any form for the notice itself.
    pub fn has_actions(&self) -> bool {
        self.can_decide || self.can_publish || self.can_close || self.can_add_lead
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "case_rewards.html")]
pub struct CaseRewardsPage {
    pub t: &'static crate::i18n::Tr,
    pub w: &'static TrW,
    pub lang: &'static str,
    pub nav: Nav,
    pub case_id: String,
    pub case_number: String,
    pub rows: Vec<RewardLine>,
    /// (party id, name) of the case's debtors, for the apply form.
    pub debtors: Vec<(String, String)>,
    /// The first applicant's name, proposed in the apply form.
    pub applicant_default: String,
    pub can_apply: bool,
    pub today: String,
    pub notice: String,
    pub error: String,
}

/// The most that may still be paid on a notice, from what the applicant promised.
fn cap_of(v: &RewardView) -> i64 {
    reward_promise(v.notice.amount_fen, v.notice.formula.as_deref())
        .map(|p| payout_cap(&p, v.recovered_fen, v.paid_fen))
        .unwrap_or(0)
}

fn lead_line(w: &TrW, l: &LeadRow, writes: bool, cap: i64) -> LeadLine {
    LeadLine {
        id: l.id.clone(),
        seq: l.seq,
        receipt_no: l.receipt_no.clone(),
        source: if l.source == "public" {
            w.source_public
        } else {
            w.source_staff
        },
        content: l.content.clone(),
        tipster: format!("{} {}", l.tipster_name, l.tipster_phone),
        received_at: china_datetime_text(l.received_at),
        status: l.status.clone(),
        status_text: match l.status.as_str() {
            "verified" => w.lead_verified,
            "rejected" => w.lead_rejected,
            _ => w.lead_registered,
        },
        verify_note: l.verify_note.clone().unwrap_or_default(),
        verified_on: l.verified_on.clone().unwrap_or_default(),
        led_to_recovery: l.led_to_recovery,
        recovered: if l.led_to_recovery {
            Fen::new(l.recovered_fen).format_yuan()
        } else {
            String::new()
        },
        can_verify: writes && l.status == "registered",
        can_pay: writes && l.status == "verified" && l.led_to_recovery && cap > 0,
    }
}

fn line(
    w: &TrW,
    lang: Lang,
    v: &RewardView,
    leads: Option<&[LeadRow]>,
    writes: bool,
    decides: bool,
    takes_leads: bool,
) -> RewardLine {
    let n = &v.notice;
    let s = n.status.as_str();
    let text = |o: &Option<String>| o.clone().unwrap_or_default();
    let cap = cap_of(v);
    let yuan = |f: i64| Fen::new(f).format_yuan();
    RewardLine {
        id: n.id.clone(),
        status: n.status.clone(),
        status_text: status_word(lang, s),
        status_class: status_class(s),
        applicant: n.applicant_name.clone(),
        debtor: n.debtor_name.clone(),
        debtor_id: n.debtor_id_masked.clone(),
        reward: match (n.amount_fen, &n.formula) {
            (Some(f), _) => yuan(f),
            (None, Some(x)) => x.clone(),
            _ => String::new(),
        },
        publish_via: n.publish_via.clone(),
        channel: n.channel.clone(),
        applied_on: n.applied_on.clone(),
        decide_by: n.decide_by.clone(),
        decision_overdue: v.decision_overdue,
        decided_late: v.decided_late,
        decision: match (&n.decided_on, s) {
            (None, _) => "",
            (Some(_), "refused") => w.refuse,
            (Some(_), _) => w.approve,
        },
        decided_on: text(&n.decided_on),
        decision_note: text(&n.decision_note),
        published_on: text(&n.published_on),
        public_text: text(&n.public_text),
        closed_on: text(&n.closed_on),
        close_note: text(&n.close_note),
        lead_counts: fill(
            w.lead_counts,
            &[
                ("total", &v.leads.to_string()),
                ("verified", &v.verified_leads.to_string()),
            ],
        ),
        recovered: yuan(v.recovered_fen),
        paid: yuan(v.paid_fen),
        remaining: if n.published_on.is_some() {
            yuan(cap)
        } else {
            String::new()
        },
        leads: leads.map(|ls| ls.iter().map(|l| lead_line(w, l, writes, cap)).collect()),
        payouts: Vec::new(),
        can_decide: decides && reward_transition(s, "approved").is_ok(),
        can_publish: writes && reward_transition(s, "published").is_ok(),
        can_close: writes && reward_transition(s, "closed").is_ok(),
        can_add_lead: takes_leads && s == "published",
    }
}

async fn render(
    st: &AppState,
    staff: &Staff,
    case_id: &str,
    notice: String,
    error: String,
) -> Response {
    let lang = staff.lang;
    let w = tr(lang);
    let a = &staff.actor;
    let now = st.now_ms();
    let detail = match st.app.case_detail(a, case_id).await {
        Ok(d) => d,
        Err(e) => return error_page(lang, &e),
    };
    let list = match st.app.case_rewards(a, case_id, now).await {
        Ok(l) => l,
        Err(e) => return error_page(lang, &e),
    };
    // What the use cases allow: every step but the decision needs ProposeMeasure in the case's own
    // court; the decision is the 院长's (ApproveMeasure).
    let court = &detail.case.court_code;
    let writes = a.writes_in(court) && a.role.has(Permission::ProposeMeasure);
    // A lead taken on the phone is registered by anyone who may take one (the clerk too), who
    // does not thereby see the other leads.
    let takes_leads = a.writes_in(court) && a.role.has(Permission::TakeRewardLead);
    let decides = a.writes_in(court) && a.role.has(Permission::ApproveMeasure);
    let mut rows = Vec::with_capacity(list.len());
    for v in &list {
        // The leads as the use case gives them to this viewer; a refusal leaves the counts only.
        let leads = match st.app.reward_leads(a, &v.notice.id).await {
            Ok(l) => Some(l),
            Err(AppError::Forbidden { .. }) => None,
            Err(e) => return error_page(lang, &e),
        };
        let payouts = match &leads {
            Some(ls) => match st.app.reward_payouts(a, &v.notice.id).await {
                Ok(ps) => ps
                    .into_iter()
                    .map(|p| PayoutLine {
                        lead: ls
                            .iter()
                            .find(|l| l.id == p.lead_id)
                            .map(|l| l.receipt_no.clone())
                            .unwrap_or_default(),
                        paid_on: p.paid_on,
                        amount: Fen::new(p.amount_fen).format_yuan(),
                        payee: p.payee_name,
                    })
                    .collect(),
                Err(e) => return error_page(lang, &e),
            },
            None => Vec::new(),
        };
        let mut row = line(w, lang, v, leads.as_deref(), writes, decides, takes_leads);
        row.payouts = payouts;
        rows.push(row);
    }
    CaseRewardsPage {
        t: lang.tr(),
        w,
        lang: lang.code(),
        nav: staff.nav(),
        case_id: detail.case.id.clone(),
        case_number: detail.case.case_number.clone(),
        rows,
        debtors: detail
            .debtors
            .iter()
            .map(|p| (p.id.clone(), p.name.clone()))
            .collect(),
        applicant_default: detail
            .applicants
            .first()
            .map(|p| p.name.clone())
            .unwrap_or_default(),
        can_apply: writes,
        today: zhixing_domain::time::china_date(now)
            .format("%Y-%m-%d")
            .to_string(),
        notice,
        error,
    }
    .into_response()
}

fn page_path(case_id: &str) -> String {
    format!("/cases/{case_id}/rewards")
}

async fn case_page(
    State(st): State<AppState>,
    staff: Staff,
    jar: CookieJar,
    Path(id): Path<String>,
) -> Response {
    let (jar, notice, error) = take_flash(jar, &page_path(&id));
    (jar, render(&st, &staff, &id, notice, error).await).into_response()
}

/// After a form: back to the case's rewards page (post/redirect/get) with what was done, or with
/// the rule that refused it (a field's error or the notice's status); anything else (not found,
/// forbidden) is the error page.
fn after(st: &AppState, staff: &Staff, case_id: &str, r: Result<String, AppError>) -> Response {
    let to = page_path(case_id);
    match r {
        Ok(msg) => redirect_with(st, &to, true, &msg),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict { .. })) => {
            redirect_with(st, &to, false, &inline_error(&e))
        }
        Err(e) => error_page(staff.lang, &e),
    }
}

/// An amount typed in 元 (`12,345.67`, `¥500`, `500 元`) as 分; empty is None. A malformed amount
/// is refused naming the form's field.
fn yuan_field(form: &HashMap<String, String>, k: &str) -> Result<Option<i64>, AppError> {
    let v = field(form, k);
    if v.is_empty() {
        return Ok(None);
    }
    Fen::parse_yuan(&v)
        .map(|f| Some(f.get()))
        .map_err(|e| AppError::Invalid(e.at(k)))
}

fn reward_input(form: &HashMap<String, String>) -> Result<RewardInput, AppError> {
    let opt = |k: &str| Some(field(form, k)).filter(|s| !s.is_empty());
    Ok(RewardInput {
        applicant_name: field(form, "applicant_name"),
        amount_fen: yuan_field(form, "amount_yuan")?,
        formula: opt("formula"),
        promise_to_pay: form.contains_key("promise_to_pay"),
        publish_via: field(form, "publish_via"),
        channel: field(form, "channel"),
        applied_on: field(form, "applied_on"),
        debtor_party_id: opt("debtor_party_id"),
    })
}

async fn apply_submit(
    State(st): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Some(r) = staff.csrf_rejection(&form) {
        return r;
    }
    let r = match reward_input(&form) {
        Ok(input) => st
            .app
            .apply_reward(&staff.actor, &id, &input, st.now_ms())
            .await
            .map(|_| tr(staff.lang).done_apply.to_owned()),
        // A malformed amount of a case the viewer cannot see is the same 404 as the use case's.
        Err(e) => match st.app.case_detail(&staff.actor, &id).await {
            Ok(_) => Err(e),
            Err(nf) => Err(nf),
        },
    };
    after(&st, &staff, &id, r)
}

/// The lead a lead step names, if it is one of the notice's leads as the viewer may read them
/// (404 otherwise; 403 for a viewer who may not read leads at all).
async fn lead_of(
    st: &AppState,
    staff: &Staff,
    notice_id: &str,
    lead_id: &str,
) -> Result<String, AppError> {
    let leads = st.app.reward_leads(&staff.actor, notice_id).await?;
    if leads.iter().any(|l| l.id == lead_id) {
        Ok(lead_id.to_owned())
    } else {
        Err(AppError::NotFound)
    }
}

/// The steps of a notice (`/rewards/{id}/{step}`); a lead's steps name the lead in the form.
const STEPS: [&str; 6] = ["decide", "publish", "close", "lead", "verify", "pay"];

/// One step of a notice, named by the last path segment; the use case checks it against the
/// notice's (or the lead's) status. An unknown step, a notice the viewer cannot see (another
/// court's) and a lead of another notice are 404.
async fn step_submit(
    State(st): State<AppState>,
    staff: Staff,
    Path((nid, step)): Path<(String, String)>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Some(r) = staff.csrf_rejection(&form) {
        return r;
    }
    let (app, a, now, lang) = (&st.app, &staff.actor, st.now_ms(), staff.lang);
    if !STEPS.contains(&step.as_str()) {
        return error_page(lang, &AppError::NotFound);
    }
    let case_id = match app.reward(a, &nid, now).await {
        Ok(v) => v.notice.case_id,
        Err(e) => return error_page(lang, &e),
    };
    let w = tr(lang);
    let f = |k: &str| field(&form, k);
    let r: Result<String, AppError> = match step.as_str() {
        "decide" => match f("decision").as_str() {
            d @ ("approve" | "refuse") => app
                .decide_reward(a, &nid, d == "approve", &f("note"), &f("decided_on"), now)
                .await
                .map(|_| w.done_decide.to_owned()),
            _ => Err(AppError::invalid(
                "decision",
                "decision",
                "决定应为 approve（准许）或 refuse（不予准许）",
            )),
        },
        "publish" => app
            .publish_reward(a, &nid, &f("published_on"), now)
            .await
            .map(|_| w.done_publish.to_owned()),
        "close" => app
            .close_reward(a, &nid, &f("closed_on"), &f("note"), now)
            .await
            .map(|_| w.done_close.to_owned()),
        "lead" => {
            let input = TipInput {
                content: f("content"),
                tipster_name: f("tipster_name"),
                tipster_phone: f("tipster_phone"),
            };
            app.add_reward_lead(a, &nid, &input, now)
                .await
                .map(|l| fill(w.done_lead, &[("no", &l.receipt_no)]))
        }
        "verify" => match lead_of(&st, &staff, &nid, &f("lead")).await {
            Ok(lid) => {
                let verified = match f("result").as_str() {
                    "verified" => Ok(true),
                    "rejected" => Ok(false),
                    _ => Err(AppError::invalid(
                        "result",
                        "result",
                        "核查结果应为 verified（查证属实）或 rejected（不属实）",
                    )),
                };
                match (verified, yuan_field(&form, "recovered_yuan")) {
                    (Ok(verified), Ok(recovered)) => {
                        let input = VerifyInput {
                            verified,
                            note: f("note"),
                            led_to_recovery: form.contains_key("led_to_recovery"),
                            recovered_fen: recovered.unwrap_or(0),
                            on: f("on"),
                        };
                        app.verify_lead(a, &lid, &input, now)
                            .await
                            .map(|_| w.done_verify.to_owned())
                    }
                    (Err(e), _) | (_, Err(e)) => Err(e),
                }
            }
            Err(e) => Err(e),
        },
        "pay" => match (
            lead_of(&st, &staff, &nid, &f("lead")).await,
            yuan_field(&form, "amount_yuan"),
        ) {
            (Ok(lid), Ok(amount)) => {
                let input = PayoutInput {
                    amount_fen: amount.unwrap_or(0),
                    paid_on: f("paid_on"),
                    payee_name: f("payee_name"),
                    declaration: form.contains_key("declaration"),
                };
                app.pay_reward(a, &lid, &input, now).await.map(|p| {
                    fill(
                        w.done_pay,
                        &[("amount", &Fen::new(p.amount_fen).format_yuan())],
                    )
                })
            }
            (Err(e), _) | (_, Err(e)) => Err(e),
        },
        _ => Err(AppError::NotFound),
    };
    after(&st, &staff, &case_id, r)
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cases/{id}/rewards", get(case_page).post(apply_submit))
        .route("/rewards/{id}/{step}", post(step_submit))
}
