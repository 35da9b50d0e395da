//! The case-funds (案款) pages: a case's account, receipts and disbursements with the form that
//! proposes a disbursement and the buttons that approve or refuse one (`/cases/{id}/funds`), and
//! the court's unidentified receipts (不明款) to claim plus the payment instructions awaiting the
//! bank (`/funds/unidentified`). The use cases in `zhixing_app::funds` check permission, court
//! scope, balances and the two-person rule; this module only shows, parses and forwards.
//!
//! Amounts are typed in 元 and parsed to integer 分 by `Fen::parse_yuan` (no floats).

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum_extra::extract::cookie::CookieJar;
use zhixing_app::AppError;
use zhixing_app::funds::{DisbursementLineInput, DisbursementView, LINE_KINDS, ReceiptAnswer};
use zhixing_domain::money::Fen;
use zhixing_domain::role::Permission;
use zhixing_domain::time::{china_date, china_datetime_text};
use zhixing_store::funds::{DisbursementLineRow, ReceiptRow};

use crate::error::classify;
use crate::i18n::{Lang, fill};
use crate::state::AppState;
use crate::ui::{Nav, Staff, error_page, field, inline_error};
use crate::ui_measures::{redirect_with, take_flash};

/// Line rows of the proposal form (no JavaScript: blank rows are not submitted).
pub const FORM_LINES: usize = 3;

/// The court-wide funds page.
pub const UNIDENTIFIED_PATH: &str = "/funds/unidentified";

/// Strings of the funds pages (zh default, en on request).
pub struct TrF {
    pub nav: &'static str,
    pub title: &'static str,
    pub back: &'static str,
    pub hint: &'static str,
    pub receipts: &'static str,
    pub no_receipts: &'static str,
    pub arrived_on: &'static str,
    pub payer: &'static str,
    pub payer_account: &'static str,
    pub bank_reference: &'static str,
    pub amount: &'static str,
    pub status: &'static str,
    pub disburse_by: &'static str,
    /// Receipt statuses: booked, claimed, reversed.
    pub receipt_statuses: [&'static str; 3],
    pub disbursements: &'static str,
    pub no_disbursements: &'static str,
    pub total: &'static str,
    pub proposer: &'static str,
    pub proposed_at: &'static str,
    pub decider: &'static str,
    pub decided_at: &'static str,
    pub decision_reason: &'static str,
    pub kind: &'static str,
    pub payee_name: &'static str,
    pub payee_account: &'static str,
    pub fine: &'static str,
    /// The line kinds, in the order of `LINE_KINDS`.
    pub kinds: [&'static str; 6],
    /// Disbursement statuses: proposed, approved, refused, paid.
    pub statuses: [&'static str; 4],
    pub approve: &'static str,
    pub approve_comment: &'static str,
    pub refuse: &'static str,
    pub refuse_reason: &'static str,
    pub propose: &'static str,
    pub propose_hint: &'static str,
    /// "第 {n} 行"
    pub line_n: &'static str,
    pub no_fine: &'static str,
    pub do_propose: &'static str,
    // Outcomes (flash messages), with {total} / {case} / {balance}.
    pub proposed: &'static str,
    pub replayed: &'static str,
    pub approved: &'static str,
    pub approved_paid: &'static str,
    pub refused: &'static str,
    pub claimed: &'static str,
    // The court-wide page.
    pub court_title: &'static str,
    pub unidentified: &'static str,
    pub unidentified_hint: &'static str,
    pub no_unidentified: &'static str,
    pub account_quoted: &'static str,
    pub claim_by: &'static str,
    pub overdue: &'static str,
    pub suggestions: &'static str,
    pub payer_is_debtor: &'static str,
    pub amount_equals_claim: &'static str,
    pub suggested_case: &'static str,
    pub choose_case: &'static str,
    pub case_number: &'static str,
    pub do_claim: &'static str,
    pub instructions: &'static str,
    pub instructions_hint: &'static str,
    pub no_instructions: &'static str,
    pub case: &'static str,
}

const ZH: TrF = TrF {
    nav: "案款",
    title: "案款收付",
    back: "返回案件",
    hint: "执行款到账后 30 日内应当完成发放（执行款物管理规定第十条）。发放须由承办人提出申请，由执行局长或院长审批；申请人不能批准自己提出的申请（双人审批）。金额以元为单位，精确到分。",
    receipts: "到账记录",
    no_receipts: "暂无到账记录",
    arrived_on: "到账日期",
    payer: "付款人",
    payer_account: "付款账号",
    bank_reference: "银行流水号",
    amount: "金额",
    status: "状态",
    disburse_by: "发放期限",
    receipt_statuses: ["直接到账", "认领入账", "已冲正"],
    disbursements: "发放申请",
    no_disbursements: "暂无发放申请",
    total: "合计",
    proposer: "申请人",
    proposed_at: "申请时间",
    decider: "审批人",
    decided_at: "审批时间",
    decision_reason: "审批意见",
    kind: "类别",
    payee_name: "收款人",
    payee_account: "收款账号",
    fine: "罚款决定",
    kinds: [
        "发放申请执行人",
        "申请执行费",
        "执行费用",
        "悬赏金",
        "退还被执行人",
        "罚款",
    ],
    statuses: ["待审批", "已批准（待银行付款）", "不予批准", "已发放"],
    approve: "批准发放",
    approve_comment: "审批意见（可不填）",
    refuse: "不予批准",
    refuse_reason: "不予批准的理由",
    propose: "申请发放案款",
    propose_hint: "每行一笔：金额以元为单位，最多两位小数（如 1,234.56）；空行不提交。发放申请执行人、悬赏金和退还被执行人须填写收款人和收款账号；罚款须选择所缴的本案罚款决定（民事诉讼法第一百一十九条）。",
    line_n: "第 {n} 行",
    no_fine: "（请选择）",
    do_propose: "提交发放申请",
    proposed: "已提交发放申请，合计 {total}，等待审批。",
    replayed: "该表单已经提交过，未重复申请（合计 {total}）。",
    approved: "已批准发放 {total}，等待银行付款。",
    approved_paid: "已批准发放 {total}（均为法院收入，发放完毕）。",
    refused: "已不予批准该发放申请（合计 {total}）。",
    claimed: "已认领到 {case}，该案案款余额 {balance}。",
    court_title: "不明款与付款指令",
    unidentified: "不明款（待认领）",
    unidentified_hint: "未写明或写错案款账号的到账款项。请在认领期限内认领到案件；逾期未认领的，执行指挥中心会收到提醒。",
    no_unidentified: "暂无待认领的不明款",
    account_quoted: "付款人填写的账号",
    claim_by: "认领期限",
    overdue: "已逾期",
    suggestions: "可能的案件",
    payer_is_debtor: "付款人是该案被执行人",
    amount_equals_claim: "金额等于该案申请执行标的",
    suggested_case: "建议的案件",
    choose_case: "（请选择）",
    case_number: "或填写案号",
    do_claim: "认领",
    instructions: "待银行付款的指令",
    instructions_hint: "已批准、由银行付出的发放明细；银行付款后通过付款确认接口回报（银行专用接口）。",
    no_instructions: "暂无待付款的指令",
    case: "案件",
};

const EN: TrF = TrF {
    nav: "Funds",
    title: "Case funds",
    back: "Back to case",
    hint: "Money received for a case is to be disbursed within 30 days of its arrival (KW2017 art. 10). The handler proposes a disbursement and the enforcement director or the president approves it; no one may approve a disbursement they proposed themselves (two-person rule). Amounts are in yuan, exact to the fen.",
    receipts: "Receipts",
    no_receipts: "No receipts",
    arrived_on: "Arrived on",
    payer: "Payer",
    payer_account: "Payer account",
    bank_reference: "Bank reference",
    amount: "Amount",
    status: "Status",
    disburse_by: "Disburse by",
    receipt_statuses: ["Booked", "Claimed", "Reversed"],
    disbursements: "Disbursements",
    no_disbursements: "No disbursements",
    total: "Total",
    proposer: "Proposed by",
    proposed_at: "Proposed at",
    decider: "Decided by",
    decided_at: "Decided at",
    decision_reason: "Decision note",
    kind: "Kind",
    payee_name: "Payee",
    payee_account: "Payee account",
    fine: "Fine decision",
    kinds: [
        "To the applicant",
        "Enforcement fee",
        "Enforcement costs",
        "Reward",
        "Refund to the debtor",
        "Fine",
    ],
    statuses: [
        "Awaiting approval",
        "Approved (awaiting bank payment)",
        "Refused",
        "Paid",
    ],
    approve: "Approve",
    approve_comment: "Note (optional)",
    refuse: "Refuse",
    refuse_reason: "Reason for refusal",
    propose: "Propose a disbursement",
    propose_hint: "One payment per row: the amount in yuan with at most two decimals (e.g. 1,234.56); blank rows are not submitted. Payments to the applicant, rewards and refunds need the payee and the payee account; a fine must name the fine decision of the case it pays (CPL art 119).",
    line_n: "Row {n}",
    no_fine: "(choose)",
    do_propose: "Submit the proposal",
    proposed: "Disbursement proposed, total {total}, awaiting approval.",
    replayed: "This form was already submitted; nothing was proposed again (total {total}).",
    approved: "Disbursement of {total} approved, awaiting the bank's payment.",
    approved_paid: "Disbursement of {total} approved (court income only, completed).",
    refused: "Disbursement refused (total {total}).",
    claimed: "Claimed to {case}; the case account now holds {balance}.",
    court_title: "Unidentified funds and payment instructions",
    unidentified: "Unidentified receipts (to claim)",
    unidentified_hint: "Money that arrived without a valid case account number. Claim it to its case before the claim deadline; the command center is warned about overdue ones.",
    no_unidentified: "No unidentified receipts",
    account_quoted: "Account quoted by the payer",
    claim_by: "Claim by",
    overdue: "Overdue",
    suggestions: "Possible cases",
    payer_is_debtor: "the payer is this case's debtor",
    amount_equals_claim: "the amount equals this case's claim",
    suggested_case: "Suggested case",
    choose_case: "(choose)",
    case_number: "or case number",
    do_claim: "Claim",
    instructions: "Payment instructions awaiting the bank",
    instructions_hint: "Approved disbursement lines the bank pays out; the bank reports each payment through its confirmation API.",
    no_instructions: "No payment instructions",
    case: "Case",
};

pub fn tr(lang: Lang) -> &'static TrF {
    match lang {
        Lang::Zh => &ZH,
        Lang::En => &EN,
    }
}

/// A line kind's word.
fn kind_word(tr: &TrF, kind: &str) -> String {
    LINE_KINDS
        .iter()
        .position(|k| *k == kind)
        .map_or_else(|| kind.to_owned(), |i| tr.kinds[i].to_owned())
}

/// A disbursement status's word and badge class.
fn status_word(tr: &TrF, s: &str) -> (String, &'static str) {
    match s {
        "proposed" => (tr.statuses[0].into(), "lv-yellow"),
        "approved" => (tr.statuses[1].into(), "lv-blue"),
        "refused" => (tr.statuses[2].into(), "muted"),
        "paid" => (tr.statuses[3].into(), "st-done"),
        other => (other.into(), "muted"),
    }
}

fn receipt_status_word(tr: &TrF, s: &str) -> String {
    match s {
        "booked" => tr.receipt_statuses[0].into(),
        "claimed" => tr.receipt_statuses[1].into(),
        "reversed" => tr.receipt_statuses[2].into(),
        other => other.into(),
    }
}

fn yuan(fen: i64) -> String {
    Fen::new(fen).format_yuan()
}

/// 元 typed in a form → integer 分: "1,234.56", "1234.5", "1234" (also "1,234.56 元", "¥1234";
/// `Fen::parse_yuan`, decimal digits only, no floats). Empty, junk, more than 2 decimals, zero
/// and negative amounts are refused naming `field`.
pub fn parse_amount(text: &str, field: &str) -> Result<i64, AppError> {
    let fen = Fen::parse_yuan(text).map_err(|e| AppError::Invalid(e.at(field)))?;
    if fen.get() <= 0 {
        return Err(AppError::invalid(
            "amount_not_positive",
            field,
            format!("金额必须大于 0 元（输入：“{}”）", text.trim()),
        ));
    }
    Ok(fen.get())
}

/// One row of the proposal form as submitted (kept when the proposal is refused).
#[derive(Default)]
pub struct FormLine {
    pub n: usize,
    pub label: String,
    pub kind: String,
    pub payee_name: String,
    pub payee_account: String,
    pub amount: String,
    pub measure_id: String,
}

fn form_lines(tr: &TrF, form: Option<&HashMap<String, String>>) -> Vec<FormLine> {
    (0..FORM_LINES)
        .map(|i| {
            let g = |k: &str| {
                form.map(|f| field(f, &format!("lines[{i}].{k}")))
                    .unwrap_or_default()
            };
            let kind = g("kind");
            FormLine {
                n: i,
                label: fill(tr.line_n, &[("n", &(i + 1).to_string())]),
                kind: if kind.is_empty() {
                    "applicant".into()
                } else {
                    kind
                },
                payee_name: g("payee_name"),
                payee_account: g("payee_account"),
                amount: g("amount"),
                measure_id: g("measure_id"),
            }
        })
        .collect()
}

/// The submitted lines, skipping blank rows (a row counts once anything but its kind is filled),
/// with the form row of each (the use case numbers the lines it gets from 0).
fn lines_from(
    form: &HashMap<String, String>,
) -> Result<(Vec<DisbursementLineInput>, Vec<usize>), AppError> {
    let mut lines = Vec::new();
    let mut rows = Vec::new();
    for i in 0..FORM_LINES {
        let g = |k: &str| field(form, &format!("lines[{i}].{k}"));
        let (name, account, amount, measure) = (
            g("payee_name"),
            g("payee_account"),
            g("amount"),
            g("measure_id"),
        );
        if name.is_empty() && account.is_empty() && amount.is_empty() && measure.is_empty() {
            continue;
        }
        lines.push(DisbursementLineInput {
            kind: g("kind"),
            payee_name: name,
            payee_account: account,
            amount_fen: parse_amount(&amount, &format!("lines[{i}].amount"))?,
            measure_id: Some(measure).filter(|m| !m.is_empty()),
        });
        rows.push(i);
    }
    if lines.is_empty() {
        return Err(AppError::invalid(
            "lines_count",
            "lines[0].amount",
            "请至少填写一行发放明细",
        ));
    }
    Ok((lines, rows))
}

/// A use case's field path in the form's terms: `lines[k]` becomes the form row of the k-th
/// submitted line, `amount_fen` the `amount` typed in 元.
fn form_path(s: &str, rows: &[usize]) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find("lines[") {
        let (before, after) = rest.split_at(at + "lines[".len());
        out.push_str(before);
        let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
        let row = digits
            .parse::<usize>()
            .ok()
            .and_then(|k| rows.get(k))
            .map_or_else(|| digits.clone(), ToString::to_string);
        out.push_str(&row);
        rest = &after[digits.len()..];
    }
    out.push_str(rest);
    out.replace(".amount_fen", ".amount")
}

fn in_form_terms(e: AppError, rows: &[usize]) -> AppError {
    match e {
        AppError::Invalid(mut f) => {
            f.field = form_path(&f.field, rows);
            f.message = form_path(&f.message, rows);
            AppError::Invalid(f)
        }
        AppError::Conflict {
            code,
            field,
            message,
        } => AppError::Conflict {
            code,
            field: field.map(|f| form_path(&f, rows)),
            message: form_path(&message, rows),
        },
        other => other,
    }
}

/// The funds page of a case id fit for a path (a form's `back` field); None for anything else.
fn funds_path(case_id: &str) -> Option<String> {
    (!case_id.is_empty()
        && case_id.len() <= 64
        && case_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-'))
    .then(|| format!("/cases/{case_id}/funds"))
}

// ---- the case's funds page --------------------------------------------------------------------

pub struct ReceiptLine {
    pub arrived_on: String,
    pub payer_name: String,
    pub payer_account: String,
    pub bank_reference: String,
    pub amount: String,
    pub status: String,
    pub disburse_by: String,
}

pub struct LineView {
    pub kind: String,
    pub payee_name: String,
    pub payee_account: String,
    pub amount: String,
    /// The fine decision a `fine` line pays (its document number), if any.
    pub fine: String,
}

pub struct DisbursementLine {
    pub id: String,
    pub status: String,
    pub status_text: String,
    pub status_class: &'static str,
    pub total: String,
    pub proposer: String,
    pub proposed_at: String,
    pub decider: String,
    pub decided_at: String,
    pub reason: String,
    pub bank_reference: String,
    pub lines: Vec<LineView>,
    /// Approve / refuse buttons (a pending one, for a user who may decide).
    pub can_decide: bool,
}

fn line_views(
    tr: &TrF,
    lines: &[DisbursementLineRow],
    fines: &[(String, String)],
) -> Vec<LineView> {
    lines
        .iter()
        .map(|l| LineView {
            kind: kind_word(tr, &l.kind),
            payee_name: l.payee_name.clone(),
            payee_account: l.payee_account.clone(),
            amount: yuan(l.amount_fen),
            fine: l
                .measure_id
                .as_deref()
                .map(|m| {
                    fines
                        .iter()
                        .find(|(id, _)| id == m)
                        .map_or_else(|| m.to_owned(), |(_, text)| text.clone())
                })
                .unwrap_or_default(),
        })
        .collect()
}

fn disbursement_line(
    tr: &TrF,
    v: &DisbursementView,
    fines: &[(String, String)],
    decides: bool,
) -> DisbursementLine {
    let r = &v.disbursement.row;
    let (status_text, status_class) = status_word(tr, &r.status);
    DisbursementLine {
        id: r.id.clone(),
        status: r.status.clone(),
        status_text,
        status_class,
        total: yuan(r.total_fen),
        proposer: v.proposer_name.clone(),
        proposed_at: china_datetime_text(r.proposed_at),
        decider: v.decider_name.clone().unwrap_or_default(),
        decided_at: r.decided_at.map(china_datetime_text).unwrap_or_default(),
        reason: r.decision_reason.clone().unwrap_or_default(),
        bank_reference: r.bank_reference.clone().unwrap_or_default(),
        lines: line_views(tr, &v.disbursement.lines, fines),
        can_decide: decides && r.status == "proposed",
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "case_funds.html")]
pub struct CaseFundsPage {
    pub t: &'static crate::i18n::Tr,
    pub f: &'static TrF,
    pub lang: &'static str,
    pub nav: Nav,
    pub case_id: String,
    pub case_number: String,
    pub account_number: String,
    pub balance: String,
    pub received: String,
    pub disbursed: String,
    pub receipts: Vec<ReceiptLine>,
    pub disbursements: Vec<DisbursementLine>,
    /// (code, word) of the line kinds, for the form.
    pub kinds: Vec<(&'static str, &'static str)>,
    /// (measure id, text) of the case's fine decisions a `fine` line may pay.
    pub fines: Vec<(String, String)>,
    pub can_propose: bool,
    pub form: Vec<FormLine>,
    /// This render's idempotency key: a second submission of the same form proposes nothing.
    pub form_key: String,
    pub notice: String,
    pub error: String,
}

/// What a refused proposal brings back to the page: the submitted form and its key.
struct Refused<'a> {
    form: &'a HashMap<String, String>,
    error: String,
}

async fn render(
    st: &AppState,
    staff: &Staff,
    case_id: &str,
    notice: String,
    error: String,
    refused: Option<Refused<'_>>,
) -> Response {
    let lang = staff.lang;
    let tr = tr(lang);
    let a = &staff.actor;
    let detail = match st.app.case_detail(a, case_id).await {
        Ok(d) => d,
        Err(e) => return error_page(lang, &e),
    };
    let (funds, receipts, disbursements) = match (
        st.app.case_funds(a, case_id).await,
        st.app.case_receipts(a, case_id).await,
        st.app.case_disbursements(a, case_id).await,
    ) {
        (Ok(f), Ok(r), Ok(d)) => (f, r, d),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return error_page(lang, &e),
    };
    let court = &detail.case.court_code;
    let can_propose = a.writes_in(court) && a.role.has(Permission::HandleFunds);
    let decides = a.writes_in(court) && a.role.has(Permission::ApproveDisbursement);
    // The fine decisions a fine line may pay: in effect, or ended after being carried out (the
    // use case checks the rest: the case, the status, the fine's amount).
    let fines: Vec<(String, String)> = st
        .app
        .case_measures(a, case_id)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|v| {
            v.measure.kind == "fine" && matches!(v.measure.status.as_str(), "effective" | "ended")
        })
        .map(|v| {
            let m = v.measure;
            let text = format!(
                "{} {} {}（{}）",
                m.document_number,
                tr.kinds[5],
                yuan(m.amount_fen.unwrap_or(0)),
                m.subject_name
            );
            (m.id, text)
        })
        .collect();
    let (form, form_key, error) = match refused {
        Some(r) => (
            form_lines(tr, Some(r.form)),
            Some(field(r.form, "idempotency_key")).filter(|k| !k.is_empty()),
            r.error,
        ),
        None => (form_lines(tr, None), None, error),
    };
    CaseFundsPage {
        t: lang.tr(),
        f: tr,
        lang: lang.code(),
        nav: staff.nav(),
        case_id: detail.case.id.clone(),
        case_number: detail.case.case_number.clone(),
        account_number: funds.account_number.clone(),
        balance: yuan(funds.balance_fen),
        received: yuan(funds.received_fen),
        disbursed: yuan(funds.disbursed_fen),
        receipts: receipts
            .iter()
            .map(|r| ReceiptLine {
                arrived_on: r.arrived_on.clone(),
                payer_name: r.payer_name.clone(),
                payer_account: r.payer_account.clone(),
                bank_reference: r.bank_reference.clone(),
                amount: yuan(r.amount_fen),
                status: receipt_status_word(tr, &r.status),
                disburse_by: r.disburse_by.clone().unwrap_or_default(),
            })
            .collect(),
        disbursements: disbursements
            .iter()
            .map(|v| disbursement_line(tr, v, &fines, decides))
            .collect(),
        kinds: LINE_KINDS.into_iter().zip(tr.kinds).collect(),
        fines,
        can_propose,
        form,
        form_key: form_key.unwrap_or_else(zhixing_app::auth::random_secret),
        notice,
        error,
    }
    .into_response()
}

async fn case_page(
    State(st): State<AppState>,
    staff: Staff,
    jar: CookieJar,
    Path(id): Path<String>,
) -> Response {
    let path = format!("/cases/{id}/funds");
    let (jar, notice, error) = take_flash(jar, &path);
    (jar, render(&st, &staff, &id, notice, error, None).await).into_response()
}

/// The proposal form: back to the page with the outcome (post/redirect/get); a refused proposal
/// re-renders the page with the reason, the typed values and the same key, with the refusal's
/// status (422, 409).
async fn propose_submit(
    State(st): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Some(r) = staff.csrf_rejection(&form) {
        return r;
    }
    let tr = tr(staff.lang);
    let r = match lines_from(&form) {
        Ok((lines, rows)) => st
            .app
            .propose_disbursement_once(
                &staff.actor,
                &id,
                &lines,
                &field(&form, "idempotency_key"),
                st.now_ms(),
            )
            .await
            .map_err(|e| in_form_terms(e, &rows)),
        Err(e) => Err(e),
    };
    match r {
        Ok((d, replayed)) => {
            let total = yuan(d.row.total_fen);
            let msg = fill(
                if replayed { tr.replayed } else { tr.proposed },
                &[("total", &total)],
            );
            redirect_with(&st, &format!("/cases/{}/funds", d.row.case_id), true, &msg)
        }
        Err(e @ (AppError::Invalid(_) | AppError::Conflict { .. })) => {
            let status = classify(&e).0;
            let refused = Refused {
                form: &form,
                error: inline_error(&e),
            };
            let mut resp = render(
                &st,
                &staff,
                &id,
                String::new(),
                String::new(),
                Some(refused),
            )
            .await;
            if resp.status() == StatusCode::OK {
                *resp.status_mut() = status;
            }
            resp
        }
        Err(e) => error_page(staff.lang, &e),
    }
}

/// A decision on a disbursement, named by the last path segment
/// (`/funds/disbursements/{id}/{step}`: `approve` or `refuse`; anything else is 404). Back to the
/// case's funds page with the outcome, or with the rule that refused it (the two-person rule,
/// a refusal without a reason, a decision already taken, an insufficient balance).
async fn step_submit(
    State(st): State<AppState>,
    staff: Staff,
    Path((did, step)): Path<(String, String)>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Some(r) = staff.csrf_rejection(&form) {
        return r;
    }
    let approve = match step.as_str() {
        "approve" => true,
        "refuse" => false,
        _ => return error_page(staff.lang, &AppError::NotFound),
    };
    let tr = tr(staff.lang);
    let r = st
        .app
        .decide_disbursement(
            &staff.actor,
            &did,
            approve,
            &field(&form, "reason"),
            st.now_ms(),
        )
        .await;
    match r {
        Ok(d) => {
            let text = match d.row.status.as_str() {
                "refused" => tr.refused,
                "paid" => tr.approved_paid,
                _ => tr.approved,
            };
            let msg = fill(text, &[("total", &yuan(d.row.total_fen))]);
            redirect_with(&st, &format!("/cases/{}/funds", d.row.case_id), true, &msg)
        }
        Err(
            e @ (AppError::Invalid(_) | AppError::Conflict { .. } | AppError::Forbidden { .. }),
        ) => match funds_path(&field(&form, "back")) {
            Some(to) => redirect_with(&st, &to, false, &inline_error(&e)),
            None => error_page(staff.lang, &e),
        },
        Err(e) => error_page(staff.lang, &e),
    }
}

// ---- the court's unidentified receipts and payment instructions ------------------------------

pub struct UnidentifiedLine {
    pub id: String,
    pub arrived_on: String,
    pub amount: String,
    pub payer_name: String,
    pub payer_account: String,
    pub account_number: String,
    pub bank_reference: String,
    pub claim_by: String,
    pub claim_overdue: bool,
    /// (case id, case number, why suggested)
    pub suggestions: Vec<(String, String, &'static str)>,
}

pub struct InstructionLine {
    pub id: String,
    pub case_id: String,
    pub case_number: String,
    pub decided_at: String,
    pub lines: Vec<LineView>,
}

#[derive(Template, WebTemplate)]
#[template(path = "funds_unidentified.html")]
pub struct UnidentifiedPage {
    pub t: &'static crate::i18n::Tr,
    pub f: &'static TrF,
    pub lang: &'static str,
    pub nav: Nav,
    /// The unidentified receipts' section (roles that claim).
    pub can_claim: bool,
    pub receipts: Vec<UnidentifiedLine>,
    /// The payment instructions' section (roles that approve).
    pub can_instructions: bool,
    pub instructions: Vec<InstructionLine>,
    pub notice: String,
    pub error: String,
}

fn unidentified_line(tr: &TrF, r: &ReceiptRow, today: &str) -> UnidentifiedLine {
    let suggestions = serde_json::from_str::<ReceiptAnswer>(&r.response_json)
        .map(|a| {
            a.suggestions
                .into_iter()
                .map(|s| {
                    let why = match s.reason.as_str() {
                        "payer_is_debtor" => tr.payer_is_debtor,
                        _ => tr.amount_equals_claim,
                    };
                    (s.case_id, s.case_number, why)
                })
                .collect()
        })
        .unwrap_or_default();
    UnidentifiedLine {
        id: r.id.clone(),
        arrived_on: r.arrived_on.clone(),
        amount: yuan(r.amount_fen),
        payer_name: r.payer_name.clone(),
        payer_account: r.payer_account.clone(),
        account_number: r.account_number.clone(),
        bank_reference: r.bank_reference.clone(),
        claim_by: r.claim_by.clone().unwrap_or_default(),
        claim_overdue: r.claim_by.as_deref().is_some_and(|d| d < today),
        suggestions,
    }
}

async fn unidentified_page(State(st): State<AppState>, staff: Staff, jar: CookieJar) -> Response {
    let lang = staff.lang;
    let tr = tr(lang);
    let a = &staff.actor;
    let can_claim = a.role.has(Permission::HandleFunds);
    let can_instructions = a.role.has(Permission::ApproveDisbursement);
    if !can_claim && !can_instructions {
        return error_page(
            lang,
            &AppError::forbidden("permission_denied", "无权查看不明款和付款指令"),
        );
    }
    let (jar, notice, error) = take_flash(jar, UNIDENTIFIED_PATH);
    let today = china_date(st.now_ms()).format("%Y-%m-%d").to_string();
    let receipts = if can_claim {
        match st.app.unidentified_receipts(a).await {
            Ok(r) => r.iter().map(|r| unidentified_line(tr, r, &today)).collect(),
            Err(e) => return error_page(lang, &e),
        }
    } else {
        Vec::new()
    };
    let mut instructions = Vec::new();
    if can_instructions {
        let list = match st.app.payment_instructions(a).await {
            Ok(l) => l,
            Err(e) => return error_page(lang, &e),
        };
        // The case numbers (the instructions are of the actor's own court).
        let mut conn = match st.app.db.conn().await {
            Ok(c) => c,
            Err(e) => return error_page(lang, &AppError::Store(e)),
        };
        for d in list {
            let case_number = zhixing_store::cases::find_case(&mut conn, &d.row.case_id)
                .await
                .ok()
                .flatten()
                .map(|c| c.case_number)
                .unwrap_or_default();
            instructions.push(InstructionLine {
                id: d.row.id.clone(),
                case_id: d.row.case_id.clone(),
                case_number,
                decided_at: d
                    .row
                    .decided_at
                    .map(china_datetime_text)
                    .unwrap_or_default(),
                lines: line_views(tr, &d.lines, &[]),
            });
        }
    }
    let page = UnidentifiedPage {
        t: lang.tr(),
        f: tr,
        lang: lang.code(),
        nav: staff.nav(),
        can_claim,
        receipts,
        can_instructions,
        instructions,
        notice,
        error,
    };
    (jar, page).into_response()
}

/// 认领: the case is a suggested one (`case_id`) or the case number typed (`case_number`, of the
/// actor's court; it wins when both are given).
async fn claim_submit(
    State(st): State<AppState>,
    staff: Staff,
    Path(rid): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Some(r) = staff.csrf_rejection(&form) {
        return r;
    }
    let tr = tr(staff.lang);
    let a = &staff.actor;
    let number = field(&form, "case_number");
    let case_id = if number.is_empty() {
        Ok(field(&form, "case_id"))
    } else {
        match st.app.db.conn().await {
            Ok(mut conn) => {
                zhixing_store::funds::case_id_by_number(&mut conn, &a.court_code, &number)
                    .await
                    .map_err(AppError::Store)
                    .and_then(|id| {
                        id.ok_or_else(|| {
                            AppError::invalid(
                                "unknown_case_number",
                                "case_number",
                                format!("本院没有案号为「{number}」的案件"),
                            )
                        })
                    })
            }
            Err(e) => Err(AppError::Store(e)),
        }
    };
    let r = match case_id {
        Ok(id) if id.is_empty() => Err(AppError::invalid(
            "required",
            "case_number",
            "请选择建议的案件或填写案号",
        )),
        Ok(id) => st.app.claim_receipt(a, &rid, &id, st.now_ms()).await,
        Err(e) => Err(e),
    };
    match r {
        Ok(f) => {
            let msg = fill(
                tr.claimed,
                &[("case", &f.case_number), ("balance", &yuan(f.balance_fen))],
            );
            redirect_with(&st, UNIDENTIFIED_PATH, true, &msg)
        }
        Err(e @ (AppError::Invalid(_) | AppError::Conflict { .. })) => {
            redirect_with(&st, UNIDENTIFIED_PATH, false, &inline_error(&e))
        }
        Err(e) => error_page(staff.lang, &e),
    }
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cases/{id}/funds", get(case_page))
        .route("/cases/{id}/funds/disbursements", post(propose_submit))
        .route("/funds/disbursements/{id}/{step}", post(step_submit))
        .route(UNIDENTIFIED_PATH, get(unidentified_page))
        .route("/funds/receipts/{id}/claim", post(claim_submit))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn refused(text: &str) -> (String, String, String) {
        match parse_amount(text, "lines[0].amount") {
            Err(AppError::Invalid(f)) => (f.code.to_owned(), f.field, f.message),
            other => panic!("{text:?} → {other:?}"),
        }
    }

    #[test]
    fn amounts_in_yuan_become_exact_fen() {
        for (text, fen) in [
            ("1,234.56", 123_456),
            ("1234.5", 123_450),
            ("1234", 123_400),
            ("0.01", 1),
            ("0.1", 10),
            (" 1,500.00 元 ", 150_000),
            ("¥986,000.07", 98_600_007),
            // Float trouble would show here: 0.29 * 100 is 28.999… in binary floating point.
            ("0.29", 29),
            ("1,000,000,000.99", 100_000_000_099),
        ] {
            assert_eq!(parse_amount(text, "x").unwrap(), fen, "{text}");
        }
    }

    #[test]
    fn bad_amounts_are_refused_naming_the_field() {
        for (text, code) in [
            ("", "money_format"),
            ("abc", "money_format"),
            ("12a", "money_format"),
            ("1.234", "money_format"),
            ("1e5", "money_format"),
            ("1,2345", "money_format"),
            ("1.", "money_format"),
            ("0", "amount_not_positive"),
            ("0.00", "amount_not_positive"),
            ("-5", "amount_not_positive"),
            ("-0.01", "amount_not_positive"),
            ("99999999999999999999", "money_overflow"),
        ] {
            let (c, field, message) = refused(text);
            assert_eq!(
                (c.as_str(), field.as_str()),
                (code, "lines[0].amount"),
                "{text}"
            );
            assert!(!message.is_empty());
        }
        assert!(refused("1.234").2.contains("2 位小数"));
        assert!(refused("-5").2.contains("大于 0"));
    }

    #[test]
    fn blank_rows_are_skipped_and_errors_name_the_form_row() {
        let form: HashMap<String, String> = [
            ("lines[0].kind", "applicant"),
            ("lines[0].amount", ""),
            ("lines[1].kind", "fee"),
            ("lines[1].amount", "140.00"),
            ("lines[2].kind", "applicant"),
            ("lines[2].payee_name", "张三"),
            ("lines[2].amount", "9,860"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let (lines, rows) = lines_from(&form).unwrap();
        assert_eq!(rows, [1, 2]);
        assert_eq!(
            lines.iter().map(|l| l.amount_fen).collect::<Vec<_>>(),
            [14_000, 986_000]
        );
        assert_eq!(lines[0].measure_id, None);
        // The use case's second line is the form's third row, in 元.
        assert_eq!(form_path("lines[1].amount_fen", &rows), "lines[2].amount");
        assert_eq!(
            form_path("lines[0].payee_name 不能为空；lines[1].kind", &rows),
            "lines[1].payee_name 不能为空；lines[2].kind"
        );
        assert_eq!(form_path("lines", &rows), "lines");
        // A bad amount names its own row; an empty form names the first.
        let mut bad = form.clone();
        bad.insert("lines[2].amount".into(), "1.005".into());
        match lines_from(&bad) {
            Err(AppError::Invalid(f)) => assert_eq!(f.field, "lines[2].amount"),
            other => panic!("{other:?}"),
        }
        match lines_from(&HashMap::new()) {
            Err(AppError::Invalid(f)) => assert_eq!(f.field, "lines[0].amount"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn back_fields_are_only_case_ids() {
        assert_eq!(
            funds_path("0190a0b4-7c3e-7000-8000-000000000001").as_deref(),
            Some("/cases/0190a0b4-7c3e-7000-8000-000000000001/funds")
        );
        for bad in ["", "../admin", "a/b", "x?y", "//evil"] {
            assert_eq!(funds_path(bad), None, "{bad}");
        }
    }
}
