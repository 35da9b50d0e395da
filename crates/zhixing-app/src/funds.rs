//! 执行款 (case_funds) use cases: bank receipts with idempotency, unidentified funds and claims,
//! the case account view, disbursement proposal → approval → bank confirmation, reversals, and the
//! overdue-disbursement query. Every write is one transaction that posts a balanced journal
//! transaction (zhixing_domain::funds) and appends the audit record.
//!
//! Who may do what (zhixing_domain::role): receipts and payment confirmations come from a `bank`
//! user's API token (the bank holding the court's 执行款专户); handlers (judge, assistant, command,
//! director) claim unidentified funds and propose disbursements on cases they can see; the
//! director or president approves or refuses.

use chrono::{DateTime, NaiveDate};
use serde::{Deserialize, Serialize};
use zhixing_domain::audit::sm3_hex;
use zhixing_domain::case_number::{CaseNumber, TypeCode};
use zhixing_domain::funds::{
    Account, AccountNumber, DEFAULT_CLAIM_DAYS, JournalTxn, TxnKind, claim_by, disburse_by,
};
use zhixing_domain::money::Fen;
use zhixing_domain::role::Permission;
use zhixing_domain::time::china_date;
use zhixing_store::cases::CaseRow;
use zhixing_store::funds::{
    self, DisbursementLineRow, DisbursementRow, EntryRow, Posted, ReceiptRow, TxnHeader,
};
use zhixing_store::{Conn, Tx};

use crate::admin::audit as write_audit;
use crate::{Actor, App, AppError, new_id};

/// Largest single receipt accepted: 1,000 亿元 (10^13 分). Larger amounts are surely a typo.
pub const MAX_RECEIPT_FEN: i64 = 10_000_000_000_000;
/// At most this many suggested cases per unidentified receipt.
pub const SUGGESTION_LIMIT: i64 = 10;
/// Entries shown on a case's funds view.
pub const ENTRY_LIMIT: i64 = 1000;

/// A bank receipt as the bank reports it (the API contract's fields).
#[derive(Debug, Clone, Default)]
pub struct ReceiptInput {
    pub idempotency_key: String,
    pub account_number: String,
    pub amount_fen: i64,
    pub payer_name: String,
    pub payer_account: String,
    /// RFC 3339 instant, e.g. `2024-09-27T10:00:00+08:00`.
    pub received_at: String,
    pub bank_reference: String,
}

/// A suggested case for unidentified money.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuggestionOut {
    pub case_id: String,
    pub case_number: String,
    /// `payer_is_debtor` | `amount_equals_outstanding_claim`
    pub reason: String,
}

/// The answer to a receipt, stored with it so that a replay returns it unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptAnswer {
    pub receipt_id: String,
    /// `booked` (to the case) or `unidentified` (不明款)
    pub status: String,
    pub case_id: Option<String>,
    pub case_number: Option<String>,
    pub amount_fen: i64,
    pub arrived_on: String,
    pub disburse_by: Option<String>,
    pub claim_by: Option<String>,
    pub suggestions: Vec<SuggestionOut>,
}

/// A case's funds: the account number, balances and entries.
#[derive(Debug, Clone)]
pub struct CaseFunds {
    pub case_id: String,
    pub case_number: String,
    pub account_number: String,
    pub balance_fen: i64,
    pub received_fen: i64,
    pub disbursed_fen: i64,
    /// Lines of the case account; `amount_fen` positive = money into the case.
    pub entries: Vec<EntryRow>,
}

/// One line of a proposed disbursement.
#[derive(Debug, Clone, Default)]
pub struct DisbursementLineInput {
    /// `applicant` | `fee` | `cost` | `reward` | `refund` | `fine`
    pub kind: String,
    pub payee_name: String,
    pub payee_account: String,
    pub amount_fen: i64,
    /// A `fine` line: the fine decision it pays (a measure of the case). The fine is then never
    /// paid beyond its amount, and a 复议 that revokes or lowers it refunds the excess.
    pub measure_id: Option<String>,
}

/// Line kinds of a disbursement and where each one's money goes.
pub const LINE_KINDS: [&str; 6] = ["applicant", "fee", "cost", "reward", "refund", "fine"];

fn line_account(kind: &str, case_id: &str) -> Option<Account> {
    Some(match kind {
        "applicant" => Account::ApplicantPayable(case_id.into()),
        "fee" => Account::FeeIncome,
        "cost" => Account::CostIncome,
        "reward" => Account::RewardPayable(case_id.into()),
        "refund" => Account::DebtorRefund(case_id.into()),
        "fine" => Account::FineIncome,
        _ => return None,
    })
}

/// Lines the bank pays out (the others stay in court income).
fn paid_by_bank(kind: &str) -> bool {
    matches!(kind, "applicant" | "reward" | "refund")
}

/// A disbursement with its lines.
#[derive(Debug, Clone)]
pub struct Disbursement {
    pub row: DisbursementRow,
    pub lines: Vec<DisbursementLineRow>,
}

/// A disbursement as a case's funds page shows it: with who proposed and who decided it.
#[derive(Debug, Clone)]
pub struct DisbursementView {
    pub disbursement: Disbursement,
    pub proposer_name: String,
    pub decider_name: Option<String>,
}

/// A user's display name (looked up once per id), or the id itself for an unknown one.
async fn user_name(
    conn: &mut Conn,
    seen: &mut std::collections::HashMap<String, String>,
    id: &str,
) -> Result<String, AppError> {
    if let Some(n) = seen.get(id) {
        return Ok(n.clone());
    }
    let name = zhixing_store::users::find_user(conn, id)
        .await?
        .map_or_else(|| id.to_owned(), |u| u.name);
    seen.insert(id.to_owned(), name.clone());
    Ok(name)
}

/// Money of one arrival still held by its case after its disbursement deadline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverdueArrival {
    pub case_id: String,
    pub case_number: String,
    pub receipt_id: String,
    pub arrived_on: String,
    pub disburse_by: String,
    /// The part of this arrival not yet disbursed (oldest money is disbursed first).
    pub undisbursed_fen: i64,
}

/// The account number of a case row.
pub fn account_number_of(case: &CaseRow) -> Result<AccountNumber, AppError> {
    let t = TypeCode::from_code(&case.type_code).ok_or_else(|| {
        AppError::Internal(format!("case {} has type {}", case.id, case.type_code))
    })?;
    let serial = u32::try_from(case.serial).map_err(|_| AppError::Internal("serial".into()))?;
    let year = i32::try_from(case.year).map_err(|_| AppError::Internal("year".into()))?;
    let spec = Some(case.specialty_code.as_str()).filter(|s| !s.is_empty());
    let n = CaseNumber::new(year, &case.court_code, spec, t, serial)
        .map_err(|e| AppError::Internal(e.message))?;
    AccountNumber::for_case(&n).map_err(|e| AppError::Internal(e.message))
}

/// Validated receipt fields.
pub(crate) struct Receipt {
    key: String,
    account_number: String,
    amount: i64,
    payer_name: String,
    payer_account: String,
    received_at_ms: i64,
    bank_reference: String,
}

fn text_field(v: &str, field: &str, max: usize, required: bool) -> Result<String, AppError> {
    let t = v.trim();
    if required && t.is_empty() {
        return Err(AppError::invalid(
            "required",
            field,
            format!("{field} 不能为空"),
        ));
    }
    if t.chars().count() > max {
        return Err(AppError::invalid(
            "too_long",
            field,
            format!("{field} 不能超过 {max} 个字符"),
        ));
    }
    if t.chars().any(char::is_control) {
        return Err(AppError::invalid(
            "control_character",
            field,
            format!("{field} 含有控制字符"),
        ));
    }
    Ok(t.to_owned())
}

fn validate_amount(amount: i64, field: &str) -> Result<i64, AppError> {
    if amount <= 0 {
        return Err(AppError::invalid(
            "amount_not_positive",
            field,
            "金额必须是正整数（单位：分）",
        ));
    }
    if amount > MAX_RECEIPT_FEN {
        return Err(AppError::invalid(
            "amount_too_large",
            field,
            format!("金额超过单笔上限 {}", Fen::new(MAX_RECEIPT_FEN)),
        ));
    }
    Ok(amount)
}

fn validate_receipt(i: &ReceiptInput, now_ms: i64) -> Result<Receipt, AppError> {
    let key = text_field(&i.idempotency_key, "idempotency_key", 100, true)?;
    let account_number = text_field(&i.account_number, "account_number", 64, false)?;
    let amount = validate_amount(i.amount_fen, "amount_fen")?;
    let payer_name = text_field(&i.payer_name, "payer_name", 200, true)?;
    let payer_account = text_field(&i.payer_account, "payer_account", 64, false)?;
    let bank_reference = text_field(&i.bank_reference, "bank_reference", 100, true)?;
    let received_at_ms = DateTime::parse_from_rfc3339(i.received_at.trim())
        .map_err(|_| {
            AppError::invalid(
                "datetime_format",
                "received_at",
                "到账时间应为 RFC 3339 格式，如 2024-09-27T10:00:00+08:00",
            )
        })?
        .timestamp_millis();
    if received_at_ms > now_ms.saturating_add(24 * 3600 * 1000) {
        return Err(AppError::invalid(
            "received_at_future",
            "received_at",
            "到账时间不能晚于当前时间",
        ));
    }
    Ok(Receipt {
        key,
        account_number,
        amount,
        payer_name,
        payer_account,
        received_at_ms,
        bank_reference,
    })
}

impl Receipt {
    pub(crate) fn bank_reference(&self) -> &str {
        &self.bank_reference
    }
    pub(crate) fn amount(&self) -> i64 {
        self.amount
    }

    /// SM3 of a length-prefixed encoding of every field: a replay must match it exactly.
    fn hash(&self) -> String {
        let mut s = String::new();
        for part in [
            self.key.as_str(),
            self.account_number.as_str(),
            &self.amount.to_string(),
            self.payer_name.as_str(),
            self.payer_account.as_str(),
            &self.received_at_ms.to_string(),
            self.bank_reference.as_str(),
        ] {
            s.push_str(&part.len().to_string());
            s.push(':');
            s.push_str(part);
        }
        sm3_hex(s.as_bytes())
    }
}

fn date_text(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// `days` after `d` by the legal calendar; outside the calendar's years, the plain date (which is
/// never later than the rolled one, so a deadline is never postponed by missing calendar data).
fn deadline_after(
    d: NaiveDate,
    days: u32,
    rolled: Result<NaiveDate, zhixing_domain::RuleError>,
) -> String {
    match rolled {
        Ok(x) => date_text(x),
        Err(_) => date_text(
            d.checked_add_days(chrono::Days::new(u64::from(days)))
                .unwrap_or(d),
        ),
    }
}

fn disburse_deadline(arrived: NaiveDate) -> String {
    deadline_after(
        arrived,
        zhixing_domain::funds::DISBURSE_WITHIN_DAYS,
        disburse_by(arrived),
    )
}

fn reuse_conflict() -> AppError {
    AppError::Conflict {
        code: "idempotency_key_reused",
        field: Some("idempotency_key".into()),
        message: "该 idempotency_key 已用于内容不同的到账通知；同一笔到账重发时内容必须完全相同"
            .into(),
    }
}

fn replay(existing: &ReceiptRow, hash: &str) -> Result<(ReceiptAnswer, bool), AppError> {
    if existing.request_hash != hash {
        return Err(reuse_conflict());
    }
    let answer: ReceiptAnswer = serde_json::from_str(&existing.response_json)
        .map_err(|e| AppError::Internal(format!("stored receipt answer: {e}")))?;
    Ok((answer, true))
}

async fn post_or_conflict(tx: &mut Tx, h: &TxnHeader<'_>, t: &JournalTxn) -> Result<(), AppError> {
    match funds::post(tx, h, t).await? {
        Posted::Ok => Ok(()),
        Posted::Insufficient(acc) => Err(AppError::Conflict {
            code: "insufficient_funds",
            field: None,
            message: format!("账户「{}」余额不足，操作未执行", acc.code()),
        }),
    }
}

/// Validate one statement line as a receipt (the import checks every line before booking any).
pub(crate) fn validate_statement_line(i: &ReceiptInput, now_ms: i64) -> Result<Receipt, AppError> {
    validate_receipt(i, now_ms)
}

/// Book many validated receipts inside the import's transaction with few round trips: account
/// numbers are resolved once each, the audit chain head is read once and chained in memory (the
/// transaction holds the court's write lock), each receipt's journal rows go as one batch
/// (`store::batch`: one call on SQLite), and the balances change once per account at the end, with
/// the same overdraft check as a posting. The same rows as [`book_receipt`].
pub(crate) async fn book_receipts_bulk(
    tx: &mut Tx,
    backend: zhixing_store::Backend,
    actor: &Actor,
    receipts: &[&Receipt],
    now_ms: i64,
) -> Result<Vec<ReceiptAnswer>, AppError> {
    use std::collections::HashMap;
    use zhixing_store::audit::{self, AuditEntry};
    use zhixing_store::batch;
    let court = actor.court_code.as_str();
    let rows = batch::run(tx, audit::head_stmts(backend, court)).await?;
    let mut head = audit::head_of(&rows)?;
    let days = funds::claim_days(tx, court)
        .await?
        .and_then(|d| u32::try_from(d).ok())
        .unwrap_or(DEFAULT_CLAIM_DAYS);
    let mut cases: HashMap<String, Option<(String, String, AccountNumber)>> = HashMap::new();
    let mut answers = Vec::with_capacity(receipts.len());
    let mut deltas: std::collections::BTreeMap<Account, i64> = Default::default();
    let mut received: std::collections::BTreeMap<String, (String, i64)> = Default::default();
    // Per case, the arrivals to give the deadline engine (one call per case, not per line).
    let mut arrivals: std::collections::BTreeMap<String, Vec<(NaiveDate, String)>> =
        Default::default();
    for r in receipts {
        if !cases.contains_key(&r.account_number) {
            let found = match AccountNumber::parse(&r.account_number)
                .ok()
                .and_then(|a| a.case_number().ok().map(|n| (a, n)))
            {
                Some((a, n)) if n.court_code() == court => {
                    funds::case_id_by_number(tx, court, &n.to_string())
                        .await?
                        .map(|id| (id, n.to_string(), a))
                }
                _ => None,
            };
            cases.insert(r.account_number.clone(), found);
        }
        let case = cases.get(&r.account_number).cloned().flatten();
        let arrived = china_date(r.received_at_ms);
        let id = new_id();
        let txn_id = new_id();
        let (answer, to_account) = match &case {
            Some((case_id, number, _)) => (
                ReceiptAnswer {
                    receipt_id: id.clone(),
                    status: "booked".into(),
                    case_id: Some(case_id.clone()),
                    case_number: Some(number.clone()),
                    amount_fen: r.amount,
                    arrived_on: date_text(arrived),
                    disburse_by: Some(disburse_deadline(arrived)),
                    claim_by: None,
                    suggestions: Vec::new(),
                },
                Account::Case(case_id.clone()),
            ),
            None => {
                let suggestions =
                    funds::suggestions(tx, court, &r.payer_name, r.amount, SUGGESTION_LIMIT)
                        .await?
                        .into_iter()
                        .map(|s| SuggestionOut {
                            case_id: s.case_id,
                            case_number: s.case_number,
                            reason: s.reason,
                        })
                        .collect();
                (
                    ReceiptAnswer {
                        receipt_id: id.clone(),
                        status: "unidentified".into(),
                        case_id: None,
                        case_number: None,
                        amount_fen: r.amount,
                        arrived_on: date_text(arrived),
                        disburse_by: None,
                        claim_by: Some(deadline_after(arrived, days, claim_by(arrived, days))),
                        suggestions,
                    },
                    Account::Unidentified,
                )
            }
        };
        let response_json = serde_json::to_string(&answer)
            .map_err(|e| AppError::Internal(format!("receipt answer: {e}")))?;
        let txn = JournalTxn::receipt(to_account, Fen::new(r.amount))
            .map_err(|e| AppError::Invalid(e.at("amount_fen")))?;
        let memo = format!("到账 {} {}", r.bank_reference, r.payer_name);
        for (acc, amount) in txn.lines() {
            let d = deltas.entry(acc.clone()).or_insert(0);
            *d = d.checked_add(*amount).ok_or_else(|| {
                AppError::invalid("amount_too_large", "amount_fen", "合计金额溢出")
            })?;
        }
        let mut stmts = funds::journal_stmts(
            &TxnHeader {
                court,
                id: &txn_id,
                case_id: answer.case_id.as_deref(),
                at: now_ms,
                actor_id: &actor.user_id,
                memo: &memo,
                reverses_id: None,
            },
            &txn,
        );
        if let Some((case_id, _, account)) = &case {
            let e = received
                .entry(case_id.clone())
                .or_insert_with(|| (account.as_str().to_owned(), 0));
            e.1 = e.1.saturating_add(r.amount);
        }
        let receipt_row = ReceiptRow {
            court_code: court.to_owned(),
            id: id.clone(),
            idempotency_key: r.key.clone(),
            request_hash: r.hash(),
            account_number: r.account_number.clone(),
            amount_fen: r.amount,
            payer_name: r.payer_name.clone(),
            payer_account: r.payer_account.clone(),
            received_at: r.received_at_ms,
            bank_reference: r.bank_reference.clone(),
            status: answer.status.clone(),
            case_id: answer.case_id.clone(),
            arrived_on: answer.arrived_on.clone(),
            disburse_by: answer.disburse_by.clone(),
            claim_by: answer.claim_by.clone(),
            txn_id: txn_id.clone(),
            claim_txn_id: None,
            response_json: response_json.clone(),
            created_at: now_ms,
        };
        stmts.push(funds::insert_receipt_stmt(&receipt_row));
        if let Some(fire) = claim_fire_at(&receipt_row) {
            stmts.push(funds::set_claim_fire_stmt(
                court,
                &receipt_row.id,
                Some(fire),
            ));
        }
        let stored = audit::chain(
            head.take(),
            AuditEntry {
                court_code: court.to_owned(),
                actor_id: actor.user_id.clone(),
                actor_name: actor.name.clone(),
                action: "funds.receipt".into(),
                target_kind: "receipt".into(),
                target_id: id.clone(),
                case_id: answer.case_id.clone(),
                before: None,
                after: Some(response_json),
            },
            now_ms,
        );
        stmts.push(audit::insert_stmt(&stored));
        head = Some((stored.record.seq, stored.hash.clone()));
        batch::run(tx, stmts).await?;
        if let Some((case_id, _, _)) = &case {
            arrivals
                .entry(case_id.clone())
                .or_default()
                .push((arrived, memo.clone()));
        }
        answers.push(answer);
    }
    // 案款到账 starts each arrival's 30-day disbursement deadline (deadline engine).
    for (case_id, list) in &arrivals {
        let events: Vec<(&str, NaiveDate, &str)> = list
            .iter()
            .map(|(on, memo)| ("funds_arrival", *on, memo.as_str()))
            .collect();
        crate::deadlines::record_system_events(tx, court, case_id, &events, &actor.user_id, now_ms)
            .await?;
    }
    // Every line's balance change, summed per account and applied once (checked like a posting),
    // and each case account's received total.
    let deltas: Vec<(Account, i64)> = deltas.into_iter().filter(|(_, d)| *d != 0).collect();
    let mut stmts = funds::balance_stmts(court, now_ms, &deltas);
    for (case_id, (account, amount)) in &received {
        stmts.push(funds::bump_case_account_stmt(
            court, case_id, account, *amount, 0, now_ms,
        ));
    }
    let returned = batch::run(tx, stmts).await?;
    let applied = returned
        .iter()
        .filter(|row| sqlx::Row::try_get::<i64, _>(*row, "balance_fen").is_ok())
        .count();
    if applied != deltas.len() {
        return Err(AppError::Conflict {
            code: "insufficient_funds",
            field: None,
            message: "余额不足，导入未执行".into(),
        });
    }
    Ok(answers)
}

/// When the claim warning of an unidentified receipt first fires: the start of its claim
/// deadline's last day (China time); None for a receipt booked to a case.
fn claim_fire_at(r: &ReceiptRow) -> Option<i64> {
    if r.status != "unidentified" {
        return None;
    }
    let by = zhixing_domain::case::parse_date(r.claim_by.as_deref()?).ok()?;
    Some(zhixing_domain::time::china_midnight_ms(by))
}

/// Book one validated receipt inside `tx`: find the case its account number names (in the actor's
/// court), else compute suggestions and the claim deadline; post the journal transaction, count it
/// on the case account, store the receipt with its answer, and audit.
async fn book_receipt(
    tx: &mut Tx,
    backend: zhixing_store::Backend,
    actor: &Actor,
    r: &Receipt,
    hash: &str,
    now_ms: i64,
) -> Result<ReceiptAnswer, AppError> {
    let court = actor.court_code.as_str();
    // Only a case of this court: the money is in this court's 执行款专户.
    let quoted = AccountNumber::parse(&r.account_number)
        .ok()
        .and_then(|a| a.case_number().ok().map(|n| (a, n)));
    let case = match quoted {
        Some((a, n)) if n.court_code() == court => {
            funds::case_id_by_number(tx, court, &n.to_string())
                .await?
                .map(|id| (id, n.to_string(), a))
        }
        _ => None,
    };
    let arrived = china_date(r.received_at_ms);
    let id = new_id();
    let txn_id = new_id();
    let (answer, to_account) = match &case {
        Some((case_id, number, _)) => (
            ReceiptAnswer {
                receipt_id: id.clone(),
                status: "booked".into(),
                case_id: Some(case_id.clone()),
                case_number: Some(number.clone()),
                amount_fen: r.amount,
                arrived_on: date_text(arrived),
                disburse_by: Some(disburse_deadline(arrived)),
                claim_by: None,
                suggestions: Vec::new(),
            },
            Account::Case(case_id.clone()),
        ),
        None => {
            let days = funds::claim_days(tx, court)
                .await?
                .and_then(|d| u32::try_from(d).ok())
                .unwrap_or(DEFAULT_CLAIM_DAYS);
            let suggestions =
                funds::suggestions(tx, court, &r.payer_name, r.amount, SUGGESTION_LIMIT)
                    .await?
                    .into_iter()
                    .map(|s| SuggestionOut {
                        case_id: s.case_id,
                        case_number: s.case_number,
                        reason: s.reason,
                    })
                    .collect();
            (
                ReceiptAnswer {
                    receipt_id: id.clone(),
                    status: "unidentified".into(),
                    case_id: None,
                    case_number: None,
                    amount_fen: r.amount,
                    arrived_on: date_text(arrived),
                    disburse_by: None,
                    claim_by: Some(deadline_after(arrived, days, claim_by(arrived, days))),
                    suggestions,
                },
                Account::Unidentified,
            )
        }
    };
    let response_json = serde_json::to_string(&answer)
        .map_err(|e| AppError::Internal(format!("receipt answer: {e}")))?;
    let txn = JournalTxn::receipt(to_account, Fen::new(r.amount))
        .map_err(|e| AppError::Invalid(e.at("amount_fen")))?;
    let memo = format!("到账 {} {}", r.bank_reference, r.payer_name);
    post_or_conflict(
        tx,
        &TxnHeader {
            court,
            id: &txn_id,
            case_id: answer.case_id.as_deref(),
            at: now_ms,
            actor_id: &actor.user_id,
            memo: &memo,
            reverses_id: None,
        },
        &txn,
    )
    .await?;
    if let Some((case_id, _, account)) = &case {
        funds::bump_case_account(tx, court, case_id, account.as_str(), r.amount, 0, now_ms).await?;
        // 案款到账 starts the 30-day disbursement deadline with its warnings (deadline engine).
        crate::deadlines::record_system_event(
            tx,
            court,
            case_id,
            "funds_arrival",
            arrived,
            &memo,
            &actor.user_id,
            now_ms,
        )
        .await?;
    }
    let row = ReceiptRow {
        court_code: court.to_owned(),
        id: id.clone(),
        idempotency_key: r.key.clone(),
        request_hash: hash.to_owned(),
        account_number: r.account_number.clone(),
        amount_fen: r.amount,
        payer_name: r.payer_name.clone(),
        payer_account: r.payer_account.clone(),
        received_at: r.received_at_ms,
        bank_reference: r.bank_reference.clone(),
        status: answer.status.clone(),
        case_id: answer.case_id.clone(),
        arrived_on: answer.arrived_on.clone(),
        disburse_by: answer.disburse_by.clone(),
        claim_by: answer.claim_by.clone(),
        txn_id,
        claim_txn_id: None,
        response_json: response_json.clone(),
        created_at: now_ms,
    };
    funds::insert_receipt(tx, &row).await?;
    if let Some(fire) = claim_fire_at(&row) {
        zhixing_store::batch::run(
            tx,
            vec![funds::set_claim_fire_stmt(court, &row.id, Some(fire))],
        )
        .await?;
    }
    write_audit(
        tx,
        backend,
        actor,
        "funds.receipt",
        "receipt",
        &id,
        answer.case_id.as_deref(),
        None,
        Some(response_json),
        now_ms,
    )
    .await?;
    Ok(answer)
}

/// The answer to a proposal repeated under its key: the first proposal when the case and lines
/// are the same, else a 409 (the key belongs to another form's content).
async fn replay_proposal(
    conn: &mut Conn,
    first: DisbursementRow,
    case_id: &str,
    input: &[DisbursementLineInput],
) -> Result<(Disbursement, bool), AppError> {
    let lines = funds::disbursement_lines(conn, &first.court_code, &first.id).await?;
    let opt = |m: &Option<String>| {
        m.as_deref()
            .map(str::trim)
            .filter(|m| !m.is_empty())
            .map(str::to_owned)
    };
    let same = first.case_id == case_id
        && lines.len() == input.len()
        && lines.iter().zip(input).all(|(l, i)| {
            l.kind == i.kind.trim()
                && l.payee_name == i.payee_name.trim()
                && l.payee_account == i.payee_account.trim()
                && l.amount_fen == i.amount_fen
                && l.measure_id == opt(&i.measure_id)
        });
    if !same {
        return Err(AppError::Conflict {
            code: "idempotency_key_reused",
            field: Some("idempotency_key".into()),
            message: "该表单已提交过内容不同的发放申请；请刷新页面后重新填写".into(),
        });
    }
    Ok((Disbursement { row: first, lines }, true))
}

impl App {
    /// 到账: book a bank receipt to the case whose account number it quotes, or to unidentified funds
    /// with suggested cases and a claim deadline. Idempotent by `idempotency_key`: a replay with the
    /// same content returns the first answer (and `true`), different content is a 409.
    pub async fn post_receipt(
        &self,
        actor: &Actor,
        input: &ReceiptInput,
        now_ms: i64,
    ) -> Result<(ReceiptAnswer, bool), AppError> {
        actor.require(Permission::PostBankEvents)?;
        let r = validate_receipt(input, now_ms)?;
        let hash = r.hash();
        let court = actor.court_code.clone();
        let mut conn = self.db.conn().await?;
        if let Some(existing) = funds::find_receipt_by_key(&mut conn, &court, &r.key).await? {
            return replay(&existing, &hash);
        }
        drop(conn);
        let mut tx = self.db.begin().await?;
        // Re-check under the write lock: a concurrent first delivery may have committed meanwhile.
        if let Some(existing) = funds::find_receipt_by_key(&mut tx, &court, &r.key).await? {
            tx.rollback().await?;
            return replay(&existing, &hash);
        }
        // The bank's reference identifies the money too: a receipt already booked under it (from a
        // statement import, or a callback under another key) is not booked again.
        if let Some(existing) = funds::receipts_by_reference(&mut tx, &court, &r.bank_reference)
            .await?
            .into_iter()
            .next()
        {
            tx.rollback().await?;
            if existing.amount_fen != r.amount {
                return Err(AppError::Conflict {
                    code: "bank_reference_conflict",
                    field: Some("bank_reference".into()),
                    message: format!(
                        "流水号 {} 已以 {} 分入账，与本次金额不符",
                        r.bank_reference, existing.amount_fen
                    ),
                });
            }
            let answer: ReceiptAnswer = serde_json::from_str(&existing.response_json)
                .map_err(|e| AppError::Internal(format!("stored receipt answer: {e}")))?;
            return Ok((answer, true));
        }
        match book_receipt(&mut tx, self.db.backend(), actor, &r, &hash, now_ms).await {
            Err(AppError::Store(e)) if e.is_conflict() => {
                // PostgreSQL: a concurrent delivery with the same key (or the same bank reference)
                // won the race; answer as a replay of it.
                tx.rollback().await?;
                let mut conn = self.db.conn().await?;
                if let Some(existing) =
                    funds::find_receipt_by_key(&mut conn, &court, &r.key).await?
                {
                    return replay(&existing, &hash);
                }
                let existing = funds::receipts_by_reference(&mut conn, &court, &r.bank_reference)
                    .await?
                    .into_iter()
                    .next()
                    .ok_or(AppError::Internal("receipt vanished".into()))?;
                if existing.amount_fen != r.amount {
                    return Err(AppError::Conflict {
                        code: "bank_reference_conflict",
                        field: Some("bank_reference".into()),
                        message: format!("流水号 {} 已以其他金额入账", r.bank_reference),
                    });
                }
                let answer: ReceiptAnswer = serde_json::from_str(&existing.response_json)
                    .map_err(|e| AppError::Internal(format!("stored receipt answer: {e}")))?;
                Ok((answer, true))
            }
            Err(e) => Err(e),
            Ok(answer) => {
                tx.commit().await?;
                Ok((answer, false))
            }
        }
    }

    /// A case's funds: account number, balance, totals and the entries of its account.
    pub async fn case_funds(&self, actor: &Actor, case_id: &str) -> Result<CaseFunds, AppError> {
        actor.require(Permission::ReadCases)?;
        let mut conn = self.db.conn().await?;
        let case = self.visible_case(&mut conn, actor, case_id).await?;
        let account = Account::Case(case.id.clone());
        let raw = funds::raw_balance(&mut conn, &case.court_code, &account).await?;
        let totals = funds::find_case_account(&mut conn, &case.court_code, &case.id).await?;
        let entries = funds::entries_of(&mut conn, &case.court_code, &account, ENTRY_LIMIT)
            .await?
            .into_iter()
            .map(|mut e| {
                e.amount_fen = account.normal_balance(e.amount_fen);
                e
            })
            .collect();
        Ok(CaseFunds {
            account_number: account_number_of(&case)?.as_str().to_owned(),
            case_number: case.case_number.clone(),
            case_id: case.id,
            balance_fen: account.normal_balance(raw),
            received_fen: totals.as_ref().map_or(0, |t| t.received_fen),
            disbursed_fen: totals.as_ref().map_or(0, |t| t.disbursed_fen),
            entries,
        })
    }

    /// Receipts booked or claimed to a case, oldest first (what the case page lists).
    pub async fn case_receipts(
        &self,
        actor: &Actor,
        case_id: &str,
    ) -> Result<Vec<ReceiptRow>, AppError> {
        actor.require(Permission::ReadCases)?;
        let mut conn = self.db.conn().await?;
        let case = self.visible_case(&mut conn, actor, case_id).await?;
        Ok(funds::receipts_of_case(&mut conn, &case.court_code, &case.id).await?)
    }

    /// A case's disbursements, newest first, with their lines and the names of who proposed and
    /// who decided each.
    pub async fn case_disbursements(
        &self,
        actor: &Actor,
        case_id: &str,
    ) -> Result<Vec<DisbursementView>, AppError> {
        actor.require(Permission::ReadCases)?;
        let mut conn = self.db.conn().await?;
        let case = self.visible_case(&mut conn, actor, case_id).await?;
        let mut names = std::collections::HashMap::new();
        let mut out = Vec::new();
        for row in funds::disbursements_of_case(&mut conn, &case.court_code, &case.id).await? {
            let lines = funds::disbursement_lines(&mut conn, &row.court_code, &row.id).await?;
            let proposer_name = user_name(&mut conn, &mut names, &row.proposed_by).await?;
            let decider_name = match &row.decided_by {
                Some(u) => Some(user_name(&mut conn, &mut names, u).await?),
                None => None,
            };
            out.push(DisbursementView {
                disbursement: Disbursement { row, lines },
                proposer_name,
                decider_name,
            });
        }
        Ok(out)
    }

    /// Unidentified receipts of the actor's court, oldest first.
    pub async fn unidentified_receipts(&self, actor: &Actor) -> Result<Vec<ReceiptRow>, AppError> {
        actor.require(Permission::HandleFunds)?;
        let mut conn = self.db.conn().await?;
        Ok(
            funds::receipts_with_status(&mut conn, &actor.court_code, "unidentified", 10_000)
                .await?,
        )
    }

    /// 认领: move an unidentified receipt to a case the actor can see and write.
    pub async fn claim_receipt(
        &self,
        actor: &Actor,
        receipt_id: &str,
        case_id: &str,
        now_ms: i64,
    ) -> Result<CaseFunds, AppError> {
        actor.require(Permission::HandleFunds)?;
        let mut conn = self.db.conn().await?;
        let case = self.visible_case(&mut conn, actor, case_id).await?;
        if !actor.writes_in(&case.court_code) {
            return Err(AppError::forbidden("court_scope", "只能认领到本院案件"));
        }
        let receipt = funds::find_receipt(&mut conn, &case.court_code, receipt_id)
            .await?
            .ok_or(AppError::NotFound)?;
        drop(conn);
        let account_number = account_number_of(&case)?;
        let arrived = NaiveDate::parse_from_str(&receipt.arrived_on, "%Y-%m-%d")
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let due = disburse_deadline(arrived);
        let txn = JournalTxn::transfer(
            TxnKind::Claim,
            Account::Unidentified,
            Account::Case(case.id.clone()),
            Fen::new(receipt.amount_fen),
        )
        .map_err(|e| AppError::Internal(e.message))?;
        let txn_id = new_id();
        let court = case.court_code.clone();
        let mut tx = self.db.begin().await?;
        if !funds::mark_claimed(&mut tx, &court, &receipt.id, &case.id, &due, &txn_id).await? {
            tx.rollback().await?;
            return Err(AppError::Conflict {
                code: "receipt_not_unidentified",
                field: Some("receipt_id".into()),
                message: "该笔款项不是待认领的不明款（可能已被认领）".into(),
            });
        }
        let memo = format!("认领不明款 {}", receipt.bank_reference);
        post_or_conflict(
            &mut tx,
            &TxnHeader {
                court: &court,
                id: &txn_id,
                case_id: Some(&case.id),
                at: now_ms,
                actor_id: &actor.user_id,
                memo: &memo,
                reverses_id: None,
            },
            &txn,
        )
        .await?;
        funds::bump_case_account(
            &mut tx,
            &court,
            &case.id,
            account_number.as_str(),
            receipt.amount_fen,
            0,
            now_ms,
        )
        .await?;
        // The money arrived on its arrival date: the disbursement deadline runs from then.
        let arrived_on = zhixing_domain::case::parse_date(&receipt.arrived_on)
            .map_err(|e| AppError::Internal(e.message))?;
        crate::deadlines::record_system_event(
            &mut tx,
            &court,
            &case.id,
            "funds_arrival",
            arrived_on,
            &memo,
            &actor.user_id,
            now_ms,
        )
        .await?;
        write_audit(
            &mut tx,
            self.db.backend(),
            actor,
            "funds.claim",
            "receipt",
            &receipt.id,
            Some(&case.id),
            Some(r#"{"status":"unidentified"}"#.into()),
            Some(
                serde_json::json!({"status": "claimed", "case_id": case.id, "disburse_by": due})
                    .to_string(),
            ),
            now_ms,
        )
        .await?;
        tx.commit().await?;
        self.case_funds(actor, case_id).await
    }

    /// 案款发放 step 1: the handler proposes lines (applicants, deductions) out of the case account.
    pub async fn propose_disbursement(
        &self,
        actor: &Actor,
        case_id: &str,
        lines: &[DisbursementLineInput],
        now_ms: i64,
    ) -> Result<Disbursement, AppError> {
        self.propose(actor, case_id, lines, None, now_ms)
            .await
            .map(|(d, _)| d)
    }

    /// [`Self::propose_disbursement`] under the proposer's idempotency key (a web form's
    /// per-render key): the same key with the same case and lines answers with the first proposal
    /// (and `true`) and writes nothing; the key with other content is a 409.
    pub async fn propose_disbursement_once(
        &self,
        actor: &Actor,
        case_id: &str,
        lines: &[DisbursementLineInput],
        idempotency_key: &str,
        now_ms: i64,
    ) -> Result<(Disbursement, bool), AppError> {
        let key = text_field(idempotency_key, "idempotency_key", 100, true)?;
        self.propose(actor, case_id, lines, Some(&key), now_ms)
            .await
    }

    async fn propose(
        &self,
        actor: &Actor,
        case_id: &str,
        lines: &[DisbursementLineInput],
        key: Option<&str>,
        now_ms: i64,
    ) -> Result<(Disbursement, bool), AppError> {
        actor.require(Permission::HandleFunds)?;
        let mut conn = self.db.conn().await?;
        let case = self.visible_case(&mut conn, actor, case_id).await?;
        if !actor.writes_in(&case.court_code) {
            return Err(AppError::forbidden("court_scope", "只能处理本院案款"));
        }
        // A repeated submission answers before any rule is checked again: the first proposal
        // itself counts against the balance and a fine's amount.
        if let Some(key) = key
            && let Some(first) =
                funds::find_disbursement_by_key(&mut conn, &case.court_code, &actor.user_id, key)
                    .await?
        {
            return replay_proposal(&mut conn, first, &case.id, lines).await;
        }
        if lines.is_empty() || lines.len() > 50 {
            return Err(AppError::invalid(
                "lines_count",
                "lines",
                "发放明细应有 1–50 行",
            ));
        }
        let mut rows = Vec::with_capacity(lines.len());
        let mut total: i64 = 0;
        for (i, l) in lines.iter().enumerate() {
            let f = |name: &str| format!("lines[{i}].{name}");
            let kind = l.kind.trim();
            if !LINE_KINDS.contains(&kind) {
                return Err(AppError::invalid(
                    "line_kind",
                    &f("kind"),
                    format!("类别必须是以下之一：{}", LINE_KINDS.join(", ")),
                ));
            }
            let amount = validate_amount(l.amount_fen, &f("amount_fen"))?;
            let payee_name = text_field(&l.payee_name, &f("payee_name"), 200, paid_by_bank(kind))?;
            let payee_account = text_field(
                &l.payee_account,
                &f("payee_account"),
                64,
                paid_by_bank(kind),
            )?;
            total = total.checked_add(amount).ok_or_else(|| {
                AppError::invalid("amount_too_large", &f("amount_fen"), "合计金额溢出")
            })?;
            let measure_id = l
                .measure_id
                .as_deref()
                .map(str::trim)
                .filter(|m| !m.is_empty())
                .map(str::to_owned);
            // A fine is imposed only by a 罚款决定书 (CPL art 119), so money booked as fine income
            // names the decision it pays: its amount bounds what is paid, and a 复议 that
            // revokes or lowers it refunds the excess (`refund_fine_in_tx`). The stricter reading:
            // a fine line without its decision would be income with no legal basis.
            if kind == "fine" && measure_id.is_none() {
                return Err(AppError::invalid(
                    "fine_needs_decision",
                    &f("measure_id"),
                    "罚款明细须关联本案已生效的罚款决定（民事诉讼法第一百一十九条：罚款应当用决定书）",
                ));
            }
            if let Some(mid) = &measure_id {
                if kind != "fine" {
                    return Err(AppError::invalid(
                        "measure_line",
                        &f("measure_id"),
                        "只有罚款（fine）明细可以关联罚款决定",
                    ));
                }
                self.check_fine_line(&mut conn, &case, mid, amount, &rows, &f("measure_id"))
                    .await?;
            }
            rows.push(DisbursementLineRow {
                line_no: i64::try_from(i).unwrap_or(i64::MAX),
                kind: kind.to_owned(),
                payee_name,
                payee_account,
                amount_fen: amount,
                measure_id,
            });
        }
        let held = Account::Case(case.id.clone()).normal_balance(
            funds::raw_balance(&mut conn, &case.court_code, &Account::Case(case.id.clone()))
                .await?,
        );
        drop(conn);
        if total > held {
            return Err(AppError::Conflict {
                code: "insufficient_funds",
                field: Some("lines".into()),
                message: format!(
                    "发放合计 {} 超过案款余额 {}",
                    Fen::new(total),
                    Fen::new(held)
                ),
            });
        }
        let row = DisbursementRow {
            court_code: case.court_code.clone(),
            id: new_id(),
            case_id: case.id.clone(),
            status: "proposed".into(),
            total_fen: total,
            proposed_by: actor.user_id.clone(),
            proposed_at: now_ms,
            decided_by: None,
            decided_at: None,
            decision_reason: None,
            approve_txn_id: None,
            paid_txn_id: None,
            bank_reference: None,
            idempotency_key: key.map(str::to_owned),
        };
        let mut tx = self.db.begin().await?;
        match funds::insert_disbursement(&mut tx, &row, &rows).await {
            Err(e) if e.is_conflict() && key.is_some() => {
                // A concurrent submission of the same form committed first: answer with it.
                tx.rollback().await?;
                let mut conn = self.db.conn().await?;
                let first = funds::find_disbursement_by_key(
                    &mut conn,
                    &case.court_code,
                    &actor.user_id,
                    key.unwrap_or_default(),
                )
                .await?
                .ok_or(AppError::Internal("keyed proposal vanished".into()))?;
                return replay_proposal(&mut conn, first, &case.id, lines).await;
            }
            r => r?,
        }
        write_audit(
            &mut tx,
            self.db.backend(),
            actor,
            "funds.disbursement.propose",
            "disbursement",
            &row.id,
            Some(&case.id),
            None,
            Some(serde_json::json!({"total_fen": total, "lines": rows.len()}).to_string()),
            now_ms,
        )
        .await?;
        tx.commit().await?;
        Ok((Disbursement { row, lines: rows }, false))
    }

    /// A fine line names a fine decision of this case that is in effect (or ended after being
    /// carried out, not revoked), and with what is already paid or proposed it stays within the
    /// fine's amount (CPL art 118 sets the amount; paying more is not a fine).
    async fn check_fine_line(
        &self,
        conn: &mut Conn,
        case: &zhixing_store::cases::CaseRow,
        measure_id: &str,
        amount: i64,
        earlier: &[DisbursementLineRow],
        field: &str,
    ) -> Result<(), AppError> {
        let m = zhixing_store::measures::find_measure(conn, measure_id)
            .await?
            .filter(|m| m.case_id == case.id && m.court_code == case.court_code)
            .ok_or_else(|| AppError::invalid("unknown_measure", field, "本案没有该罚款决定"))?;
        if m.kind != "fine" || !matches!(m.status.as_str(), "effective" | "ended") {
            return Err(AppError::invalid(
                "not_a_fine",
                field,
                "关联的决定应为已生效、未被撤销的罚款决定",
            ));
        }
        let fine = m.amount_fen.unwrap_or(0);
        let before = funds::fine_paid_fen(conn, &case.court_code, measure_id, true).await?;
        let in_this = earlier
            .iter()
            .filter(|l| l.measure_id.as_deref() == Some(measure_id))
            .map(|l| l.amount_fen)
            .sum::<i64>();
        let after = before.saturating_add(in_this).saturating_add(amount);
        if after > fine {
            return Err(AppError::Conflict {
                code: "fine_overpaid",
                field: Some(field.to_owned()),
                message: format!(
                    "罚款 {} 已缴或已申请 {}，本次 {} 将超过罚款金额",
                    Fen::new(fine),
                    Fen::new(before.saturating_add(in_this)),
                    Fen::new(amount)
                ),
            });
        }
        Ok(())
    }

    async fn disbursement_in_court(
        &self,
        conn: &mut Conn,
        actor: &Actor,
        id: &str,
    ) -> Result<Disbursement, AppError> {
        let row = funds::find_disbursement(conn, id)
            .await?
            .filter(|d| d.court_code == actor.court_code)
            .ok_or(AppError::NotFound)?;
        let lines = funds::disbursement_lines(conn, &row.court_code, &row.id).await?;
        Ok(Disbursement { row, lines })
    }

    /// 案款发放 step 2: the director (or president) approves — the money leaves the case account for
    /// payables and court income, refused if the balance no longer covers it — or refuses with a reason.
    pub async fn decide_disbursement(
        &self,
        actor: &Actor,
        id: &str,
        approve: bool,
        reason: &str,
        now_ms: i64,
    ) -> Result<Disbursement, AppError> {
        actor.require(Permission::ApproveDisbursement)?;
        let reason = text_field(reason, "reason", 500, !approve)?;
        let mut conn = self.db.conn().await?;
        let d = self.disbursement_in_court(&mut conn, actor, id).await?;
        drop(conn);
        // Two people: money leaves a case account only on the word of someone other than the
        // one who proposed it (a director may propose and approve, never the same payment).
        // KW2017 (执行款物管理规定) arts 10–11 have the handler propose and the 执行局长 or the
        // president approve; the rules' text does not say the two must differ for a director's
        // own proposal (rules.md §5: art 11 not seen), so this is the stricter reading of that
        // separation, as the 2006 rule's two-officer handling of cash (试行 art 6) also asks.
        if approve && d.row.proposed_by == actor.user_id {
            return Err(AppError::Forbidden {
                code: "own_disbursement",
                field: None,
                message:
                    "发放申请须由申请人以外的审批人批准（双人审批）：您不能批准自己提出的发放申请"
                        .into(),
            });
        }
        let court = d.row.court_code.clone();
        let case_id = d.row.case_id.clone();
        let mut tx = self.db.begin().await?;
        let txn_id = new_id();
        // A disbursement that the bank pays nothing of (court income only: fee, costs, fines) is
        // complete when approved.
        let to_status = match (approve, d.lines.iter().any(|l| paid_by_bank(&l.kind))) {
            (false, _) => "refused",
            (true, true) => "approved",
            (true, false) => "paid",
        };
        let reason_opt = Some(reason.as_str()).filter(|r| !r.is_empty());
        let txn_opt = approve.then_some(txn_id.as_str());
        if !funds::decide_disbursement(
            &mut tx,
            &court,
            id,
            "proposed",
            to_status,
            &actor.user_id,
            now_ms,
            reason_opt,
            txn_opt,
        )
        .await?
        {
            tx.rollback().await?;
            return Err(AppError::Conflict {
                code: "disbursement_not_proposed",
                field: None,
                message: "该发放申请已审批过，不能重复审批".into(),
            });
        }
        if approve {
            // The fines these lines pay, as they stand now (a 复议 may have revoked or lowered
            // one since the proposal; another disbursement may have paid it meanwhile).
            check_fines_at_approval(&mut tx, &court, &d.lines).await?;
            let mut to = Vec::with_capacity(d.lines.len());
            for l in &d.lines {
                let acc = line_account(&l.kind, &case_id)
                    .ok_or_else(|| AppError::Internal(format!("line kind {}", l.kind)))?;
                to.push((acc, Fen::new(l.amount_fen)));
            }
            let txn = JournalTxn::split(TxnKind::Disbursement, Account::Case(case_id.clone()), &to)
                .map_err(|e| AppError::Internal(e.message))?;
            let memo = format!("案款发放 {id}");
            post_or_conflict(
                &mut tx,
                &TxnHeader {
                    court: &court,
                    id: &txn_id,
                    case_id: Some(&case_id),
                    at: now_ms,
                    actor_id: &actor.user_id,
                    memo: &memo,
                    reverses_id: None,
                },
                &txn,
            )
            .await?;
            bump_case_totals(&mut tx, &court, &case_id, 0, d.row.total_fen, now_ms).await?;
        }
        if to_status == "paid" {
            // Nothing for the bank to pay (court income only): 案款发放 is complete now, and the
            // deadline engine's disbursement deadlines with it.
            crate::deadlines::record_system_event(
                &mut tx,
                &court,
                &case_id,
                "disbursement",
                china_date(now_ms),
                "发放完毕（仅法院收入，无需银行付款）",
                &actor.user_id,
                now_ms,
            )
            .await?;
        }
        write_audit(
            &mut tx,
            self.db.backend(),
            actor,
            if approve {
                "funds.disbursement.approve"
            } else {
                "funds.disbursement.refuse"
            },
            "disbursement",
            id,
            Some(&case_id),
            Some(r#"{"status":"proposed"}"#.into()),
            Some(serde_json::json!({"status": to_status, "reason": reason}).to_string()),
            now_ms,
        )
        .await?;
        tx.commit().await?;
        let mut conn = self.db.conn().await?;
        self.disbursement_in_court(&mut conn, actor, id).await
    }

    /// Payment instructions for the bank: approved disbursements' lines that the bank pays out.
    pub async fn payment_instructions(&self, actor: &Actor) -> Result<Vec<Disbursement>, AppError> {
        if !(actor.role.has(Permission::PostBankEvents)
            || actor.role.has(Permission::ApproveDisbursement))
        {
            return Err(AppError::forbidden("permission_denied", "无权查看付款指令"));
        }
        let mut conn = self.db.conn().await?;
        let mut out = Vec::new();
        for row in
            funds::disbursements_with_status(&mut conn, &actor.court_code, "approved").await?
        {
            let lines = funds::disbursement_lines(&mut conn, &row.court_code, &row.id)
                .await?
                .into_iter()
                .filter(|l| paid_by_bank(&l.kind))
                .collect();
            out.push(Disbursement { row, lines });
        }
        Ok(out)
    }

    /// 案款发放 step 3: the bank confirms it paid an approved disbursement. Replaying the same
    /// confirmation answers the same; another reference for a paid disbursement is a 409.
    pub async fn confirm_payment(
        &self,
        actor: &Actor,
        id: &str,
        bank_reference: &str,
        now_ms: i64,
    ) -> Result<Disbursement, AppError> {
        actor.require(Permission::PostBankEvents)?;
        let bank_reference = text_field(bank_reference, "bank_reference", 100, true)?;
        let mut conn = self.db.conn().await?;
        let d = self.disbursement_in_court(&mut conn, actor, id).await?;
        drop(conn);
        match d.row.status.as_str() {
            "approved" => {}
            "paid" if d.row.bank_reference.as_deref() == Some(bank_reference.as_str()) => {
                return Ok(d);
            }
            _ => {
                return Err(AppError::Conflict {
                    code: "disbursement_not_approved",
                    field: None,
                    message: format!("该发放状态为 {}，不能确认付款", d.row.status),
                });
            }
        }
        let court = d.row.court_code.clone();
        let case_id = d.row.case_id.clone();
        let mut by_account: std::collections::BTreeMap<Account, i64> = Default::default();
        for l in d.lines.iter().filter(|l| paid_by_bank(&l.kind)) {
            if let Some(acc) = line_account(&l.kind, &case_id) {
                let e = by_account.entry(acc).or_default();
                *e = e.saturating_add(l.amount_fen);
            }
        }
        let total: i64 = by_account.values().fold(0i64, |a, b| a.saturating_add(*b));
        let txn_id = new_id();
        let mut tx = self.db.begin().await?;
        if !funds::mark_paid(&mut tx, &court, id, &txn_id, &bank_reference).await? {
            tx.rollback().await?;
            let mut conn = self.db.conn().await?;
            let now = self.disbursement_in_court(&mut conn, actor, id).await?;
            if now.row.status == "paid"
                && now.row.bank_reference.as_deref() == Some(bank_reference.as_str())
            {
                return Ok(now);
            }
            return Err(AppError::Conflict {
                code: "disbursement_not_approved",
                field: None,
                message: "该发放已确认付款或状态已变化".into(),
            });
        }
        if total > 0 {
            let mut lines: Vec<(Account, i64)> = by_account.into_iter().collect();
            lines.push((Account::BankClearing, total.saturating_neg()));
            let txn = JournalTxn::new(TxnKind::PaymentConfirmed, lines)
                .map_err(|e| AppError::Internal(e.message))?;
            let memo = format!("银行付款确认 {bank_reference}");
            post_or_conflict(
                &mut tx,
                &TxnHeader {
                    court: &court,
                    id: &txn_id,
                    case_id: Some(&case_id),
                    at: now_ms,
                    actor_id: &actor.user_id,
                    memo: &memo,
                    reverses_id: None,
                },
                &txn,
            )
            .await?;
        }
        // 案款发放 completes the case's open disbursement deadlines (deadline engine).
        crate::deadlines::record_system_event(
            &mut tx,
            &court,
            &case_id,
            "disbursement",
            china_date(now_ms),
            &format!("银行付款确认 {bank_reference}"),
            &actor.user_id,
            now_ms,
        )
        .await?;
        write_audit(
            &mut tx,
            self.db.backend(),
            actor,
            "funds.disbursement.paid",
            "disbursement",
            id,
            Some(&case_id),
            Some(r#"{"status":"approved"}"#.into()),
            Some(
                serde_json::json!({"status": "paid", "bank_reference": bank_reference}).to_string(),
            ),
            now_ms,
        )
        .await?;
        tx.commit().await?;
        let mut conn = self.db.conn().await?;
        self.disbursement_in_court(&mut conn, actor, id).await
    }

    /// Arrivals whose disbursement deadline is before `today` and whose money is still (partly) in
    /// the case account. Money leaves a case oldest first, so a case's balance is attributed to its
    /// newest arrivals.
    pub async fn overdue_disbursements(
        &self,
        actor: &Actor,
        today: NaiveDate,
    ) -> Result<Vec<OverdueArrival>, AppError> {
        actor.require(Permission::ReadCases)?;
        actor.visibility()?;
        let court = actor.court_code.clone();
        let mut conn = self.db.conn().await?;
        let today = date_text(today);
        let mut out = Vec::new();
        for (case_id, case_number, held) in funds::cases_holding_money(&mut conn, &court).await? {
            let mut left = held;
            let arrivals = funds::receipts_of_case(&mut conn, &court, &case_id).await?;
            for a in arrivals.iter().rev() {
                if left <= 0 {
                    break;
                }
                let part = a.amount_fen.min(left);
                left -= part;
                if let Some(due) = &a.disburse_by
                    && due.as_str() < today.as_str()
                {
                    out.push(OverdueArrival {
                        case_id: case_id.clone(),
                        case_number: case_number.clone(),
                        receipt_id: a.id.clone(),
                        arrived_on: a.arrived_on.clone(),
                        disburse_by: due.clone(),
                        undisbursed_fen: part,
                    });
                }
            }
        }
        Ok(out)
    }

    /// Ask to defer a case's disbursement deadline (rules.md §5: deferral needs grounds and the
    /// approval of the 执行局长 or 主管院领导, KW2017 art 11 [U]). Takes effect only once approved.
    pub async fn request_deferral(
        &self,
        actor: &Actor,
        case_id: &str,
        reason: &str,
        new_disburse_by: &str,
        now_ms: i64,
    ) -> Result<funds::DeferralRow, AppError> {
        actor.require(Permission::HandleFunds)?;
        let reason = text_field(reason, "reason", 500, true)?;
        let new_due = zhixing_domain::case::parse_date(new_disburse_by)
            .map_err(|e| AppError::Invalid(e.at("new_disburse_by")))?;
        let today = china_date(now_ms);
        if new_due <= today || new_due > today + chrono::Days::new(366) {
            return Err(AppError::invalid(
                "new_disburse_by_range",
                "new_disburse_by",
                "延期后的发放期限应晚于今天且不超过一年",
            ));
        }
        let mut conn = self.db.conn().await?;
        let case = self.visible_case(&mut conn, actor, case_id).await?;
        drop(conn);
        if !actor.writes_in(&case.court_code) {
            return Err(AppError::forbidden("court_scope", "只能处理本院案款"));
        }
        let row = funds::DeferralRow {
            court_code: case.court_code.clone(),
            id: new_id(),
            case_id: case.id.clone(),
            reason,
            new_disburse_by: date_text(new_due),
            requested_by: actor.user_id.clone(),
            requested_at: now_ms,
            status: "requested".into(),
            decided_by: None,
            decided_at: None,
        };
        let mut tx = self.db.begin().await?;
        funds::insert_deferral(&mut tx, &row).await?;
        write_audit(
            &mut tx,
            self.db.backend(),
            actor,
            "funds.deferral.request",
            "deferral",
            &row.id,
            Some(&case.id),
            None,
            Some(
                serde_json::json!({"reason": row.reason, "new_disburse_by": row.new_disburse_by})
                    .to_string(),
            ),
            now_ms,
        )
        .await?;
        tx.commit().await?;
        Ok(row)
    }

    /// The director (or president) approves a deferral — the case's arrivals get the new deadline —
    /// or refuses it.
    pub async fn decide_deferral(
        &self,
        actor: &Actor,
        id: &str,
        approve: bool,
        now_ms: i64,
    ) -> Result<funds::DeferralRow, AppError> {
        actor.require(Permission::ApproveDisbursement)?;
        let mut conn = self.db.conn().await?;
        let d = funds::find_deferral(&mut conn, id)
            .await?
            .filter(|d| d.court_code == actor.court_code)
            .ok_or(AppError::NotFound)?;
        drop(conn);
        let status = if approve { "approved" } else { "refused" };
        let mut tx = self.db.begin().await?;
        if !funds::decide_deferral(&mut tx, &d.court_code, id, status, &actor.user_id, now_ms)
            .await?
        {
            tx.rollback().await?;
            return Err(AppError::Conflict {
                code: "deferral_decided",
                field: None,
                message: "该延期申请已审批过".into(),
            });
        }
        if approve {
            funds::extend_disburse_by(&mut tx, &d.court_code, &d.case_id, &d.new_disburse_by)
                .await?;
            // The deadline engine's disbursement deadlines move with it (and stop warning).
            let to = zhixing_domain::case::parse_date(&d.new_disburse_by)
                .map_err(|e| AppError::Internal(e.message))?;
            crate::deadlines::defer_node(
                &mut tx,
                &d.court_code,
                &d.case_id,
                "disbursement",
                to,
                now_ms,
            )
            .await?;
        }
        write_audit(
            &mut tx,
            self.db.backend(),
            actor,
            if approve {
                "funds.deferral.approve"
            } else {
                "funds.deferral.refuse"
            },
            "deferral",
            id,
            Some(&d.case_id),
            Some(r#"{"status":"requested"}"#.into()),
            Some(serde_json::json!({"status": status}).to_string()),
            now_ms,
        )
        .await?;
        tx.commit().await?;
        let mut conn = self.db.conn().await?;
        funds::find_deferral(&mut conn, id)
            .await?
            .ok_or(AppError::NotFound)
    }

    /// Correct a wrongly booked receipt or claim by a reversal (the journal is never edited): the
    /// director posts the exact negation. A receipt's money leaves its case (refused if already
    /// disbursed); a reversed claim returns the money to unidentified funds. Each transaction can be
    /// reversed once.
    pub async fn reverse(
        &self,
        actor: &Actor,
        txn_id: &str,
        reason: &str,
        now_ms: i64,
    ) -> Result<String, AppError> {
        actor.require(Permission::ApproveDisbursement)?;
        let reason = text_field(reason, "reason", 500, true)?;
        let court = actor.court_code.clone();
        let mut conn = self.db.conn().await?;
        let (kind, case_id) = funds::find_txn(&mut conn, &court, txn_id)
            .await?
            .ok_or(AppError::NotFound)?;
        if kind != "receipt" && kind != "claim" {
            return Err(AppError::invalid(
                "not_reversible",
                "txn_id",
                "只能冲正到账或认领记录；发放通过审批流程处理",
            ));
        }
        let receipt = funds::receipt_of_txn(&mut conn, &court, txn_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let lines = funds::txn_lines(&mut conn, &court, txn_id).await?;
        drop(conn);
        // A receipt that was later claimed is corrected by reversing the claim first.
        if kind == "receipt" && receipt.status == "claimed" {
            return Err(AppError::Conflict {
                code: "reverse_claim_first",
                field: None,
                message: "该笔款项已被认领，请先冲正认领".into(),
            });
        }
        let original = JournalTxn::new(
            if kind == "receipt" {
                TxnKind::Receipt
            } else {
                TxnKind::Claim
            },
            lines,
        )
        .map_err(|e| AppError::Internal(e.message))?;
        let reversal = original.reversal();
        let new_txn = new_id();
        let memo = format!("冲正 {txn_id}：{reason}");
        let mut tx = self.db.begin().await?;
        if funds::is_reversed(&mut tx, &court, txn_id).await? {
            tx.rollback().await?;
            return Err(AppError::Conflict {
                code: "already_reversed",
                field: Some("txn_id".into()),
                message: "该记录已冲正过".into(),
            });
        }
        let h = TxnHeader {
            court: &court,
            id: &new_txn,
            case_id: case_id.as_deref(),
            at: now_ms,
            actor_id: &actor.user_id,
            memo: &memo,
            reverses_id: Some(txn_id),
        };
        match funds::post(&mut tx, &h, &reversal).await {
            Ok(Posted::Ok) => {}
            Ok(Posted::Insufficient(acc)) => {
                return Err(AppError::Conflict {
                    code: "insufficient_funds",
                    field: None,
                    message: format!("账户「{}」余额不足，款项可能已发放，不能冲正", acc.code()),
                });
            }
            Err(e) if e.is_conflict() => {
                return Err(AppError::Conflict {
                    code: "already_reversed",
                    field: Some("txn_id".into()),
                    message: "该记录已冲正过".into(),
                });
            }
            Err(e) => return Err(e.into()),
        }
        if let Some(case_id) = &case_id {
            bump_case_totals(
                &mut tx,
                &court,
                case_id,
                receipt.amount_fen.saturating_neg(),
                0,
                now_ms,
            )
            .await?;
        }
        let status = if kind == "receipt" {
            "reversed"
        } else {
            "unidentified"
        };
        funds::set_receipt_status(&mut tx, &court, &receipt.id, status).await?;
        write_audit(
            &mut tx,
            self.db.backend(),
            actor,
            "funds.reverse",
            "fund_txn",
            txn_id,
            case_id.as_deref(),
            None,
            Some(serde_json::json!({"reversal": new_txn, "reason": reason}).to_string()),
            now_ms,
        )
        .await?;
        tx.commit().await?;
        Ok(new_txn)
    }

    /// 参与分配: split a case's balance (or `available`) among creditors' claims by the configured
    /// order of priority (zhixing_domain::funds::distribute). Computes only; the handler then proposes
    /// the disbursement lines.
    pub async fn distribution_plan(
        &self,
        actor: &Actor,
        case_id: &str,
        available: Option<i64>,
        claims: &[zhixing_domain::funds::DistributionClaim],
    ) -> Result<(i64, Vec<Fen>), AppError> {
        actor.require(Permission::HandleFunds)?;
        if claims.is_empty() || claims.len() > 500 {
            return Err(AppError::invalid(
                "claims_count",
                "claims",
                "债权应有 1–500 项",
            ));
        }
        let mut conn = self.db.conn().await?;
        let case = self.visible_case(&mut conn, actor, case_id).await?;
        let acc = Account::Case(case.id.clone());
        let held = acc.normal_balance(funds::raw_balance(&mut conn, &case.court_code, &acc).await?);
        drop(conn);
        let available = match available {
            Some(a) if !(0..=held).contains(&a) => {
                return Err(AppError::invalid(
                    "available_out_of_range",
                    "available_fen",
                    format!("可分配金额应在 0 到案款余额 {} 之间", Fen::new(held)),
                ));
            }
            Some(a) => a,
            None => held,
        };
        for (i, c) in claims.iter().enumerate() {
            if c.amount.get() <= 0 {
                return Err(AppError::invalid(
                    "amount_not_positive",
                    &format!("claims[{i}].amount_fen"),
                    "债权金额必须是正整数（单位：分）",
                ));
            }
        }
        let shares = zhixing_domain::funds::distribute(
            Fen::new(available),
            claims,
            zhixing_domain::funds::DistributionOrder::builtin(),
        )
        .map_err(|e| AppError::Invalid(e.at("claims")))?;
        Ok((available, shares))
    }

    /// Set a court's claim period for unidentified funds (court admin).
    pub async fn set_claim_days(
        &self,
        actor: &Actor,
        days: i64,
        now_ms: i64,
    ) -> Result<(), AppError> {
        actor.require(Permission::ManageTeams)?;
        if !(1..=30).contains(&days) {
            return Err(AppError::invalid(
                "claim_days",
                "claim_days",
                "认领期限应为 1–30 天",
            ));
        }
        let mut tx = self.db.begin().await?;
        funds::set_claim_days(&mut tx, &actor.court_code, days).await?;
        write_audit(
            &mut tx,
            self.db.backend(),
            actor,
            "funds.settings",
            "court",
            &actor.court_code,
            None,
            None,
            Some(serde_json::json!({"claim_days": days}).to_string()),
            now_ms,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Ledger consistency of the actor's court: stored balances against the journal (empty = ok).
    pub async fn verify_funds(&self, court: &str) -> Result<Vec<String>, AppError> {
        let mut conn = self.db.conn().await?;
        Ok(funds::verify(&mut conn, court).await?)
    }
}

/// A fine revoked (`new_amount_fen` 0) or lowered on 复议: what was paid of it beyond the new
/// amount leaves fine income for the case account (a `fine_refund` transaction, in the
/// caller's transaction), where the court refunds it to the payer through a `refund`
/// disbursement. Returns the amount moved (0 when nothing was paid beyond it). Only payments
/// booked as fine lines naming the decision are known here.
pub(crate) async fn refund_fine_in_tx(
    tx: &mut Tx,
    actor: &Actor,
    court: &str,
    case_id: &str,
    measure_id: &str,
    new_amount_fen: i64,
    now_ms: i64,
) -> Result<i64, AppError> {
    let paid = funds::fine_paid_fen(tx, court, measure_id, false).await?;
    let excess = paid.saturating_sub(new_amount_fen.max(0));
    if excess <= 0 {
        return Ok(0);
    }
    let txn = JournalTxn::transfer(
        TxnKind::FineRefund,
        Account::FineIncome,
        Account::Case(case_id.to_owned()),
        Fen::new(excess),
    )
    .map_err(|e| AppError::Internal(e.message))?;
    let txn_id = new_id();
    let memo = format!("复议撤销或变更罚款决定 {measure_id}：退回已缴罚款，应退还缴款人");
    post_or_conflict(
        tx,
        &TxnHeader {
            court,
            id: &txn_id,
            case_id: Some(case_id),
            at: now_ms,
            actor_id: &actor.user_id,
            memo: &memo,
            reverses_id: None,
        },
        &txn,
    )
    .await?;
    // The fine's disbursement is undone by this much: the case account holds it again.
    bump_case_totals(tx, court, case_id, 0, excess.saturating_neg(), now_ms).await?;
    Ok(excess)
}

/// Add to a case account's received / disbursed totals, keeping its account number.
async fn bump_case_totals(
    tx: &mut Tx,
    court: &str,
    case_id: &str,
    received: i64,
    disbursed: i64,
    now_ms: i64,
) -> Result<(), AppError> {
    let acct = funds::find_case_account(tx, court, case_id)
        .await?
        .map(|a| a.account_number)
        .unwrap_or_default();
    funds::bump_case_account(tx, court, case_id, &acct, received, disbursed, now_ms).await?;
    Ok(())
}

/// At approval, inside its transaction and after the disbursement's own status changed (so its
/// lines count as paid): every fine a line pays is still an effective, unrevoked fine, and what
/// is paid of it stays within its current amount. 409 `fine_overpaid` otherwise (the caller's
/// transaction rolls back).
async fn check_fines_at_approval(
    tx: &mut Tx,
    court: &str,
    lines: &[DisbursementLineRow],
) -> Result<(), AppError> {
    let mut seen: Vec<&str> = Vec::new();
    for mid in lines.iter().filter_map(|l| l.measure_id.as_deref()) {
        if seen.contains(&mid) {
            continue;
        }
        seen.push(mid);
        let here: i64 = lines
            .iter()
            .filter(|l| l.measure_id.as_deref() == Some(mid))
            .map(|l| l.amount_fen)
            .sum();
        let m = zhixing_store::measures::find_measure(tx, mid).await?;
        let (ok_status, fine) = m.map_or((false, 0), |m| {
            (
                m.kind == "fine" && matches!(m.status.as_str(), "effective" | "ended"),
                m.amount_fen.unwrap_or(0),
            )
        });
        let paid = funds::fine_paid_fen(tx, court, mid, false).await?;
        if !ok_status || paid > fine {
            return Err(AppError::Conflict {
                code: "fine_overpaid",
                field: Some("lines".into()),
                message: format!(
                    "罚款决定 {mid} 已撤销、变更或已缴足（罚款 {}，已缴 {}，本次 {}），不能批准",
                    Fen::new(fine),
                    Fen::new(paid.saturating_sub(here)),
                    Fen::new(here)
                ),
            });
        }
    }
    Ok(())
}
