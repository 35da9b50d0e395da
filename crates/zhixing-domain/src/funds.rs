//! 执行款 (case_funds): the enforcement fee, the per-case account number (一案一账号), the ledger's
//! accounts and balanced journal transactions, and 参与分配 (distribution) arithmetic.
//!
//! Everything is integer 分 ([`Fen`]); ratios are computed in `i128` and rounded by a stated rule, so
//! no 分 is ever created or lost. rules.md §5 is the source of the rules encoded here.
//!
//! Error codes: `fee_claim_negative`, `fee_schedule_format`, `account_number_format`,
//! `account_number_check`, `account_number_unsupported`, `account_code`, `journal_unbalanced`,
//! `journal_empty`, `journal_zero_line`, `journal_overflow`, `ledger_negative`,
//! `distribution_order_format`, `distribution_class`, `distribution_amount`.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use chrono::NaiveDate;

use crate::RuleError;
use crate::calendar::{DayUnit, LegalCalendar};
use crate::case_number::{CaseNumber, TypeCode};
use crate::court::HIGH_COURT_ABBREVIATIONS;
use crate::money::Fen;

// ---- 申请执行费 (enforcement_fee) -----------------------------------------------------------------

const FEE_TSV: &str = include_str!("../data/enforcement_fee.tsv");

/// Denominator of bracket rates: `rate_per_100000 / 100000` (1.5 % = 1500).
pub const RATE_DENOMINATOR: i128 = 100_000;

/// One marginal bracket: the part of the claim above `from` and up to `to` pays `rate_per_100000`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeeBracket {
    pub from: Fen,
    pub to: Option<Fen>,
    pub rate_per_100000: i64,
    pub source: String,
}

/// The fee schedule of 诉讼费用交纳办法 art 14(1), loaded from `data/enforcement_fee.tsv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeeSchedule {
    /// Flat fee of a claim up to the first bracket (50 元).
    pub base: Fen,
    /// Range for a case with no amount (50–500 元; the court chooses within it).
    pub no_amount_min: Fen,
    pub no_amount_max: Fen,
    pub brackets: Vec<FeeBracket>,
}

fn fee_format(line: usize, why: &str) -> RuleError {
    RuleError::new(
        "fee_schedule_format",
        format!("申请执行费表第 {line} 行格式错误：{why}"),
    )
}

fn parse_fen_cell(cell: &str, line: usize) -> Result<Fen, RuleError> {
    cell.trim()
        .parse::<i64>()
        .map(Fen::new)
        .map_err(|_| fee_format(line, &format!("「{cell}」不是整数分")))
}

impl FeeSchedule {
    /// The built-in schedule (FEE art 14(1)).
    pub fn builtin() -> &'static FeeSchedule {
        static S: OnceLock<FeeSchedule> = OnceLock::new();
        S.get_or_init(|| {
            // The built-in file is checked by a unit test; an unparsable file yields an empty
            // schedule that charges only the base fee, never a panic.
            FeeSchedule::parse(FEE_TSV).unwrap_or(FeeSchedule {
                base: Fen::new(5000),
                no_amount_min: Fen::new(5000),
                no_amount_max: Fen::new(50000),
                brackets: Vec::new(),
            })
        })
    }

    /// Parse the TSV format described at the top of `data/enforcement_fee.tsv`. Brackets must be
    /// contiguous and increasing, only the last may be open-ended, and rates are 0..=100 %.
    pub fn parse(text: &str) -> Result<FeeSchedule, RuleError> {
        let mut base = None;
        let mut brackets: Vec<FeeBracket> = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = i + 1;
            if raw.trim().is_empty() || raw.starts_with('#') {
                continue;
            }
            let cells: Vec<&str> = raw.split('\t').collect();
            match cells.as_slice() {
                ["base", fee, min, max, _source] => {
                    base = Some((
                        parse_fen_cell(fee, line)?,
                        parse_fen_cell(min, line)?,
                        parse_fen_cell(max, line)?,
                    ));
                }
                ["bracket", from, to, rate, source] => {
                    let from = parse_fen_cell(from, line)?;
                    let to = match to.trim() {
                        "-" => None,
                        t => Some(parse_fen_cell(t, line)?),
                    };
                    let rate: i64 = rate
                        .trim()
                        .parse()
                        .map_err(|_| fee_format(line, "费率应为整数（十万分之几）"))?;
                    if !(0..=100_000).contains(&rate) {
                        return Err(fee_format(line, "费率应在 0–100000（十万分之）之间"));
                    }
                    if let Some(prev) = brackets.last()
                        && prev.to != Some(from)
                    {
                        return Err(fee_format(line, "分段必须首尾相接"));
                    }
                    if to.is_some_and(|t| t <= from) {
                        return Err(fee_format(line, "分段上限必须大于下限"));
                    }
                    brackets.push(FeeBracket {
                        from,
                        to,
                        rate_per_100000: rate,
                        source: source.trim().to_owned(),
                    });
                }
                _ => return Err(fee_format(line, "应为 base 或 bracket 行，5 列")),
            }
        }
        let (base, no_amount_min, no_amount_max) =
            base.ok_or_else(|| fee_format(0, "缺少 base 行"))?;
        if brackets
            .iter()
            .take(brackets.len().saturating_sub(1))
            .any(|b| b.to.is_none())
        {
            return Err(fee_format(0, "只有最后一段可以没有上限"));
        }
        Ok(FeeSchedule {
            base,
            no_amount_min,
            no_amount_max,
            brackets,
        })
    }

    /// 申请执行费 for a claim of `claim` (执行金额或者价额), FEE art 14(1).
    ///
    /// Rounding rule: the exact fee is `base + Σ part_i × rate_i / 100000`; the sum is computed
    /// exactly in 1/100000 分 (`i128`) and rounded ONCE, half up, to the 分 (四舍五入). The article
    /// states no rounding; rounding per bracket could differ from this by at most 1 分 per bracket,
    /// and rounding once is the choice that keeps the result closest to the statutory amount [U].
    pub fn fee(&self, claim: Fen) -> Result<Fen, RuleError> {
        if claim.is_negative() {
            return Err(RuleError::new(
                "fee_claim_negative",
                format!("执行金额不能为负数（{claim}）"),
            ));
        }
        let claim = i128::from(claim.get());
        let mut scaled: i128 = i128::from(self.base.get()) * RATE_DENOMINATOR;
        for b in &self.brackets {
            let from = i128::from(b.from.get());
            let to = b.to.map_or(claim, |t| i128::from(t.get()).min(claim));
            if to > from {
                scaled += (to - from) * i128::from(b.rate_per_100000);
            }
        }
        let rounded = (scaled + RATE_DENOMINATOR / 2) / RATE_DENOMINATOR;
        i64::try_from(rounded)
            .map(Fen::new)
            .map_err(|_| RuleError::new("money_overflow", "申请执行费超出可表示范围".to_owned()))
    }
}

/// 申请执行费 under the built-in schedule (FEE art 14(1)); see [`FeeSchedule::fee`] for rounding.
pub fn enforcement_fee(claim: Fen) -> Result<Fen, RuleError> {
    FeeSchedule::builtin().fee(claim)
}

// ---- 一案一账号 (per_case_account) -----------------------------------------------------------------

/// Length of a case account number: 2 province + 1 level + 4 court digits + 4 year + 2 type +
/// 7 serial + 2 check digits.
pub const ACCOUNT_NUMBER_LEN: usize = 22;

/// The case virtual sub-account number (一案一账号, rules.md §5 [S]) that payers quote.
///
/// Digits only, so any bank's transfer form takes it. Layout (22 digits):
/// `PP L DDDD YYYY TT SSSSSSS CC` where
/// - `PP`: 01–33 = position of the high-court character in [`HIGH_COURT_ABBREVIATIONS`] (`川` = 23),
///   00 = the Supreme People's Court;
/// - `L`: 0 supreme, 1 high, 2 intermediate, 3 basic court;
/// - `DDDD`: the court code's digits, left-aligned and padded with 0 (`川1123` → 1123, `川11` → 1100);
/// - `YYYY`: 收案年度; `TT`: 01–17 = position of the 类型代字 in [`TypeCode::ALL`] (`执` = 01);
/// - `SSSSSSS`: the case serial; `CC`: ISO/IEC 7064 MOD 97-10 check digits (as in IBAN, ISO 13616),
///   which catch every single-digit error and every transposition of adjacent digits.
///
/// It is a pure function of the case number, so it needs no storage and [`Self::case_number`] parses
/// it back. Case numbers with a 专门审判代字 or a 之N suffix get no account (`account_number_unsupported`):
/// enforcement cases filed by zhixing carry neither.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AccountNumber(String);

fn account_error(code: &'static str, msg: impl Into<String>) -> RuleError {
    RuleError::new(code, msg)
}

/// ISO/IEC 7064 MOD 97-10 check digits of a digit string: `98 − (n × 100 mod 97)`.
fn mod97_check(digits: &str) -> u32 {
    let mut r: u32 = 0;
    for d in digits.chars().chain("00".chars()) {
        r = (r * 10 + d.to_digit(10).unwrap_or(0)) % 97;
    }
    98 - r
}

impl AccountNumber {
    /// The account number of a case.
    pub fn for_case(case: &CaseNumber) -> Result<AccountNumber, RuleError> {
        if case.specialty_code().is_some() || case.suffix().is_some() {
            return Err(account_error(
                "account_number_unsupported",
                format!("案号「{case}」含专门审判代字或“之N”后缀，不能生成案款账号"),
            ));
        }
        let court = case.court_code();
        let (pp, level, digits) = if court == crate::court::SUPREME_COURT_CODE {
            (0usize, 0u8, String::new())
        } else {
            let mut chars = court.chars();
            let first = chars.next().unwrap_or(' ');
            let pos = HIGH_COURT_ABBREVIATIONS
                .iter()
                .position(|c| *c == first)
                .ok_or_else(|| {
                    account_error(
                        "account_number_unsupported",
                        format!("未知的法院代字「{court}」"),
                    )
                })?;
            let digits: String = chars.collect();
            let level = match digits.len() {
                0 => 1,
                2 => 2,
                4 => 3,
                _ => {
                    return Err(account_error(
                        "account_number_unsupported",
                        format!("法院代字「{court}」格式不正确"),
                    ));
                }
            };
            (pos + 1, level, digits)
        };
        let type_index = TypeCode::ALL
            .iter()
            .position(|t| t.code() == case.type_code())
            .ok_or_else(|| {
                account_error(
                    "account_number_unsupported",
                    format!("类型代字「{}」不是执行类案件", case.type_code()),
                )
            })?;
        if case.serial() > 9_999_999 {
            return Err(account_error(
                "account_number_unsupported",
                "案件编号超过 7 位，不能生成案款账号",
            ));
        }
        let body = format!(
            "{pp:02}{level}{digits:0<4}{:04}{:02}{:07}",
            case.year(),
            type_index + 1,
            case.serial()
        );
        let check = mod97_check(&body);
        Ok(AccountNumber(format!("{body}{check:02}")))
    }

    /// Parse a quoted account number: spaces and hyphens are ignored; the check digits must match.
    pub fn parse(s: &str) -> Result<AccountNumber, RuleError> {
        let digits: String = s.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        if digits.chars().count() != ACCOUNT_NUMBER_LEN
            || !digits.chars().all(|c| c.is_ascii_digit())
        {
            return Err(account_error(
                "account_number_format",
                format!(
                    "案款账号应为 {ACCOUNT_NUMBER_LEN} 位数字（输入：“{}”）",
                    s.trim()
                ),
            ));
        }
        let (body, check) = digits.split_at(ACCOUNT_NUMBER_LEN - 2);
        if check.parse::<u32>().ok() != Some(mod97_check(body)) {
            return Err(account_error(
                "account_number_check",
                format!("案款账号校验位不符，可能抄错了数字（输入：“{}”）", s.trim()),
            ));
        }
        let n = AccountNumber(digits);
        n.case_number()?;
        Ok(n)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The case number this account belongs to.
    pub fn case_number(&self) -> Result<CaseNumber, RuleError> {
        let bad = || {
            account_error(
                "account_number_format",
                format!("案款账号「{}」无法解析", self.0),
            )
        };
        let num = |a: usize, b: usize| -> Result<u32, RuleError> {
            self.0
                .get(a..b)
                .and_then(|s| s.parse().ok())
                .ok_or_else(bad)
        };
        let pp = num(0, 2)?;
        let level = num(2, 3)?;
        let digits = self.0.get(3..7).ok_or_else(bad)?;
        let year = i32::try_from(num(7, 11)?).map_err(|_| bad())?;
        let tt = num(11, 13)?;
        let serial = num(13, 20)?;
        let court = match (pp, level) {
            (0, 0) if digits == "0000" => crate::court::SUPREME_COURT_CODE.to_owned(),
            (1.., 1..=3) => {
                let c = usize::try_from(pp - 1)
                    .ok()
                    .and_then(|i| HIGH_COURT_ABBREVIATIONS.get(i))
                    .ok_or_else(bad)?;
                let keep = match level {
                    1 => 0,
                    2 => 2,
                    _ => 4,
                };
                let (kept, rest) = digits.split_at(keep);
                if rest.chars().any(|d| d != '0') {
                    return Err(bad());
                }
                format!("{c}{kept}")
            }
            _ => return Err(bad()),
        };
        let type_code = usize::try_from(tt)
            .ok()
            .and_then(|t| t.checked_sub(1))
            .and_then(|t| TypeCode::ALL.get(t).copied())
            .ok_or_else(bad)?;
        CaseNumber::new(year, &court, None, type_code, serial)
            .map_err(|e| account_error("account_number_format", e.message))
    }
}

impl std::fmt::Display for AccountNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

// ---- deadlines -----------------------------------------------------------------------------------

/// 案款发放期限: 30 days from the arrival notice. [S] KW2017 art 10 (rules.md §5).
pub const DISBURSE_WITHIN_DAYS: u32 = 30;
/// Default claim period of unidentified funds (不明款): 3 days, local practice (嘉鱼) [S] rules.md §5;
/// configurable per court.
pub const DEFAULT_CLAIM_DAYS: u32 = 3;

/// `disburse_by` of funds that arrived on `arrived_on`: 30 calendar days, rolled past rest days
/// (CPL art 85 via [`LegalCalendar::period_end`]).
pub fn disburse_by(arrived_on: NaiveDate) -> Result<NaiveDate, RuleError> {
    LegalCalendar::builtin().period_end(arrived_on, DISBURSE_WITHIN_DAYS, DayUnit::CalendarDays)
}

/// Claim deadline of unidentified funds that arrived on `arrived_on`, `days` calendar days later.
pub fn claim_by(arrived_on: NaiveDate, days: u32) -> Result<NaiveDate, RuleError> {
    LegalCalendar::builtin().period_end(arrived_on, days, DayUnit::CalendarDays)
}

// ---- ledger --------------------------------------------------------------------------------------

/// A ledger account of one court. Case-owned accounts carry the case id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Account {
    /// 银行存款 (执行款专户) clearing: money physically in the court's bank account. Debit-normal.
    BankClearing,
    /// 案款: funds held for one case (一案一账号). Credit-normal, never below zero.
    Case(String),
    /// 不明款/待认领款 suspense. Credit-normal, never below zero.
    Unidentified,
    /// 应付申请执行人: approved for payment to applicants, awaiting the bank's confirmation.
    ApplicantPayable(String),
    /// 应退被执行人: overpayment to return to the debtor, awaiting the bank.
    DebtorRefund(String),
    /// 应付悬赏金: reward payout to a tipster (INV art 24), awaiting the bank.
    RewardPayable(String),
    /// 申请执行费 income (FEE art 14).
    FeeIncome,
    /// 罚款 income (CPL art 118).
    FineIncome,
    /// 执行费用 (costs of enforcement advanced by the court) recovered.
    CostIncome,
}

impl Account {
    /// Stable code stored in the database: `bank`, `case:<id>`, `unidentified`, `payable:<id>`, …
    pub fn code(&self) -> String {
        match self {
            Account::BankClearing => "bank".into(),
            Account::Case(id) => format!("case:{id}"),
            Account::Unidentified => "unidentified".into(),
            Account::ApplicantPayable(id) => format!("payable:{id}"),
            Account::DebtorRefund(id) => format!("refund:{id}"),
            Account::RewardPayable(id) => format!("reward:{id}"),
            Account::FeeIncome => "fee_income".into(),
            Account::FineIncome => "fine_income".into(),
            Account::CostIncome => "cost_income".into(),
        }
    }

    pub fn parse(code: &str) -> Result<Account, RuleError> {
        let bad = || RuleError::new("account_code", format!("未知的账户代码「{code}」"));
        Ok(match code.split_once(':') {
            None => match code {
                "bank" => Account::BankClearing,
                "unidentified" => Account::Unidentified,
                "fee_income" => Account::FeeIncome,
                "fine_income" => Account::FineIncome,
                "cost_income" => Account::CostIncome,
                _ => return Err(bad()),
            },
            Some((_, "")) => return Err(bad()),
            Some((kind, id)) => match kind {
                "case" => Account::Case(id.into()),
                "payable" => Account::ApplicantPayable(id.into()),
                "refund" => Account::DebtorRefund(id.into()),
                "reward" => Account::RewardPayable(id.into()),
                _ => return Err(bad()),
            },
        })
    }

    /// Kind without the case id (`case`, `bank`, …): the value of the `kind` column.
    pub fn kind(&self) -> &'static str {
        match self {
            Account::BankClearing => "bank",
            Account::Case(_) => "case",
            Account::Unidentified => "unidentified",
            Account::ApplicantPayable(_) => "payable",
            Account::DebtorRefund(_) => "refund",
            Account::RewardPayable(_) => "reward",
            Account::FeeIncome => "fee_income",
            Account::FineIncome => "fine_income",
            Account::CostIncome => "cost_income",
        }
    }

    /// True for the debit-normal asset account; every other account is credit-normal.
    pub fn is_debit_normal(&self) -> bool {
        matches!(self, Account::BankClearing)
    }

    /// Accounts whose (normal-side) balance may never go below zero: money held for someone.
    pub fn must_not_go_negative(&self) -> bool {
        !matches!(self, Account::BankClearing)
    }

    /// The balance as people read it (positive = money held / owed) from the raw signed balance
    /// (debits positive, credits negative).
    pub fn normal_balance(&self, raw: i64) -> i64 {
        if self.is_debit_normal() {
            raw
        } else {
            raw.saturating_neg()
        }
    }
}

/// What a journal transaction records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TxnKind {
    /// Money arrived at the bank (到账).
    Receipt,
    /// Unidentified funds claimed to a case (认领).
    Claim,
    /// Disbursement approved: case funds moved to payables and income.
    Disbursement,
    /// The bank confirmed a payment out.
    PaymentConfirmed,
    /// A correction: the exact negation of an earlier transaction.
    Reversal,
    /// A fine revoked or lowered on 复议 after it was paid: the excess leaves fine income for
    /// the case account, to be refunded to the payer (CPLI art 185: 撤销或者变更).
    FineRefund,
}

impl TxnKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TxnKind::Receipt => "receipt",
            TxnKind::Claim => "claim",
            TxnKind::Disbursement => "disbursement",
            TxnKind::PaymentConfirmed => "payment_confirmed",
            TxnKind::Reversal => "reversal",
            TxnKind::FineRefund => "fine_refund",
        }
    }
    pub fn from_str_opt(s: &str) -> Option<TxnKind> {
        [
            TxnKind::Receipt,
            TxnKind::Claim,
            TxnKind::Disbursement,
            TxnKind::PaymentConfirmed,
            TxnKind::Reversal,
            TxnKind::FineRefund,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// A double-entry journal transaction: ≥ 2 lines, no zero line, debits equal credits.
/// It cannot be constructed unbalanced; fields are private and there are no setters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalTxn {
    kind: TxnKind,
    /// (account, signed amount: debit positive, credit negative)
    lines: Vec<(Account, i64)>,
}

impl JournalTxn {
    pub fn new(kind: TxnKind, lines: Vec<(Account, i64)>) -> Result<JournalTxn, RuleError> {
        if lines.len() < 2 {
            return Err(RuleError::new(
                "journal_empty",
                "记账凭证至少需要一借一贷两行",
            ));
        }
        if lines.iter().any(|(_, a)| *a == 0) {
            return Err(RuleError::new(
                "journal_zero_line",
                "记账凭证不能有金额为零的行",
            ));
        }
        let sum: i128 = lines.iter().map(|(_, a)| i128::from(*a)).sum();
        if sum != 0 {
            return Err(RuleError::new(
                "journal_unbalanced",
                format!("借贷不平衡：差额 {sum} 分"),
            ));
        }
        Ok(JournalTxn { kind, lines })
    }

    /// Move `amount` (positive) of held money from one credit-normal account to another (a claim
    /// from unidentified funds to a case, case funds to a payable).
    pub fn transfer(
        kind: TxnKind,
        from: Account,
        to: Account,
        amount: Fen,
    ) -> Result<JournalTxn, RuleError> {
        Self::split(kind, from, &[(to, amount)])
    }

    /// Money arrived at the bank for `to` (a case, or unidentified funds): debit the bank, credit `to`.
    pub fn receipt(to: Account, amount: Fen) -> Result<JournalTxn, RuleError> {
        Self::new(
            TxnKind::Receipt,
            vec![
                (Account::BankClearing, amount.get()),
                (to, amount.get().saturating_neg()),
            ],
        )
    }

    /// The bank paid `amount` out of a payable (applicant, refund, reward): debit it, credit the bank.
    pub fn paid_out(from: Account, amount: Fen) -> Result<JournalTxn, RuleError> {
        Self::new(
            TxnKind::PaymentConfirmed,
            vec![
                (from, amount.get()),
                (Account::BankClearing, amount.get().saturating_neg()),
            ],
        )
    }

    /// Move money out of `from` into several accounts (a disbursement with deductions).
    pub fn split(
        kind: TxnKind,
        from: Account,
        to: &[(Account, Fen)],
    ) -> Result<JournalTxn, RuleError> {
        let mut total: i64 = 0;
        let mut lines = Vec::with_capacity(to.len() + 1);
        for (acc, amt) in to {
            if amt.get() <= 0 {
                return Err(RuleError::new("journal_zero_line", "转账金额必须为正数"));
            }
            total = total
                .checked_add(amt.get())
                .ok_or_else(|| RuleError::new("journal_overflow", "金额超出可表示范围"))?;
            lines.push((acc.clone(), signed_in(acc, amt.get())));
        }
        lines.insert(0, (from.clone(), signed_in(&from, total).saturating_neg()));
        Self::new(kind, lines)
    }

    /// The reversal of this transaction (every line negated).
    pub fn reversal(&self) -> JournalTxn {
        JournalTxn {
            kind: TxnKind::Reversal,
            lines: self
                .lines
                .iter()
                .map(|(a, v)| (a.clone(), v.saturating_neg()))
                .collect(),
        }
    }

    pub fn kind(&self) -> TxnKind {
        self.kind
    }
    pub fn lines(&self) -> &[(Account, i64)] {
        &self.lines
    }
}

/// The raw signed amount that INCREASES the normal-side balance of `acc` by `amount`.
fn signed_in(acc: &Account, amount: i64) -> i64 {
    if acc.is_debit_normal() {
        amount
    } else {
        amount.saturating_neg()
    }
}

/// An in-memory ledger: raw balances and the journal, with every invariant checked on post.
/// The store keeps the same invariants in SQL; this model is what property tests exercise.
#[derive(Debug, Clone, Default)]
pub struct Ledger {
    balances: BTreeMap<Account, i64>,
    journal: Vec<JournalTxn>,
}

impl Ledger {
    /// Post a transaction, or refuse it (leaving the ledger unchanged) when an account that must not
    /// go negative would, or a balance would overflow.
    pub fn post(&mut self, t: JournalTxn) -> Result<(), RuleError> {
        let mut next = BTreeMap::new();
        for (acc, amt) in t.lines() {
            let cur = next
                .get(acc)
                .or_else(|| self.balances.get(acc))
                .copied()
                .unwrap_or(0);
            let new = cur
                .checked_add(*amt)
                .ok_or_else(|| RuleError::new("journal_overflow", "余额超出可表示范围"))?;
            next.insert(acc.clone(), new);
        }
        for (acc, raw) in &next {
            if acc.must_not_go_negative() && acc.normal_balance(*raw) < 0 {
                return Err(RuleError::new(
                    "ledger_negative",
                    format!("账户「{}」余额不足", acc.code()),
                ));
            }
        }
        self.balances.extend(next);
        self.journal.push(t);
        Ok(())
    }

    /// Raw balance (debit positive).
    pub fn raw(&self, acc: &Account) -> i64 {
        self.balances.get(acc).copied().unwrap_or(0)
    }

    /// Normal-side balance (money held).
    pub fn balance(&self, acc: &Account) -> i64 {
        acc.normal_balance(self.raw(acc))
    }

    pub fn journal(&self) -> &[JournalTxn] {
        &self.journal
    }

    /// Every invariant: raw balances sum to zero; each equals the fold of the journal; no account
    /// that must not go negative is negative. Returns the first violation.
    pub fn check(&self) -> Result<(), String> {
        let sum: i128 = self.balances.values().map(|v| i128::from(*v)).sum();
        if sum != 0 {
            return Err(format!("balances sum to {sum}, not 0"));
        }
        let mut folded: BTreeMap<&Account, i128> = BTreeMap::new();
        for t in &self.journal {
            for (a, v) in t.lines() {
                *folded.entry(a).or_default() += i128::from(*v);
            }
        }
        for (a, v) in &self.balances {
            if folded.get(a).copied().unwrap_or(0) != i128::from(*v) {
                return Err(format!(
                    "{} stored {v} but journal says {:?}",
                    a.code(),
                    folded.get(a)
                ));
            }
            if a.must_not_go_negative() && a.normal_balance(*v) < 0 {
                return Err(format!("{} is negative: {v}", a.code()));
            }
        }
        Ok(())
    }
}

// ---- 参与分配 (distribution) ----------------------------------------------------------------------

const DISTRIBUTION_TSV: &str = include_str!("../data/distribution_order.tsv");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClassMethod {
    /// Paid in full one claim after another, in plan order.
    InOrder,
    /// Shared in proportion to the claims.
    ProRata,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriorityClass {
    pub rank: u32,
    pub class: String,
    pub method: ClassMethod,
    pub source: String,
}

/// The order of priority of a distribution plan (参与分配), as data (`data/distribution_order.tsv`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DistributionOrder {
    classes: Vec<PriorityClass>,
}

impl DistributionOrder {
    pub fn builtin() -> &'static DistributionOrder {
        static O: OnceLock<DistributionOrder> = OnceLock::new();
        O.get_or_init(|| {
            DistributionOrder::parse(DISTRIBUTION_TSV).unwrap_or(DistributionOrder {
                classes: Vec::new(),
            })
        })
    }

    pub fn parse(text: &str) -> Result<DistributionOrder, RuleError> {
        let bad = |line: usize, why: &str| {
            RuleError::new(
                "distribution_order_format",
                format!("分配顺序表第 {line} 行格式错误：{why}"),
            )
        };
        let mut classes: Vec<PriorityClass> = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            if raw.trim().is_empty() || raw.starts_with('#') {
                continue;
            }
            let cells: Vec<&str> = raw.split('\t').collect();
            let [rank, class, method, source] = cells.as_slice() else {
                return Err(bad(i + 1, "应为 4 列"));
            };
            let rank: u32 = rank
                .trim()
                .parse()
                .map_err(|_| bad(i + 1, "顺位应为正整数"))?;
            let method = match method.trim() {
                "in_order" => ClassMethod::InOrder,
                "pro_rata" => ClassMethod::ProRata,
                _ => return Err(bad(i + 1, "方法应为 in_order 或 pro_rata")),
            };
            if classes
                .iter()
                .any(|c| c.class == class.trim() || c.rank == rank)
            {
                return Err(bad(i + 1, "类别或顺位重复"));
            }
            classes.push(PriorityClass {
                rank,
                class: class.trim().to_owned(),
                method,
                source: source.trim().to_owned(),
            });
        }
        if classes.is_empty() {
            return Err(bad(0, "没有任何类别"));
        }
        classes.sort_by_key(|c| c.rank);
        Ok(DistributionOrder { classes })
    }

    pub fn classes(&self) -> &[PriorityClass] {
        &self.classes
    }
}

/// One creditor's claim in a distribution plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DistributionClaim {
    pub creditor: String,
    pub class: String,
    pub amount: Fen,
}

/// Split `available` among `claims` by `order`: classes in rank order; `in_order` classes pay each
/// claim in full in plan order; a `pro_rata` class that cannot be paid in full shares what is left by
/// the largest-remainder method (each gets ⌊avail × claim / total⌋, then the 分 left over go one by
/// one to the largest fractional remainders, ties to the earlier claim). The shares (one per claim, in
/// input order) sum to `min(available, Σ claims)` exactly and no share exceeds its claim.
pub fn distribute(
    available: Fen,
    claims: &[DistributionClaim],
    order: &DistributionOrder,
) -> Result<Vec<Fen>, RuleError> {
    if available.is_negative() {
        return Err(RuleError::new(
            "distribution_amount",
            "可分配金额不能为负数",
        ));
    }
    for c in claims {
        if c.amount.is_negative() {
            return Err(RuleError::new(
                "distribution_amount",
                format!("{} 的债权金额不能为负数", c.creditor),
            ));
        }
        if !order.classes.iter().any(|k| k.class == c.class) {
            return Err(RuleError::new(
                "distribution_class",
                format!("未知的受偿类别「{}」", c.class),
            ));
        }
    }
    let mut left = i128::from(available.get());
    let mut shares = vec![0i128; claims.len()];
    for class in &order.classes {
        let members: Vec<usize> = (0..claims.len())
            .filter(|i| claims.get(*i).is_some_and(|c| c.class == class.class))
            .collect();
        let amount = |i: usize| claims.get(i).map_or(0, |c| i128::from(c.amount.get()));
        let total: i128 = members.iter().map(|i| amount(*i)).sum();
        if total <= left || class.method == ClassMethod::InOrder {
            for i in &members {
                let pay = amount(*i).min(left);
                if let Some(s) = shares.get_mut(*i) {
                    *s = pay;
                }
                left -= pay;
            }
            continue;
        }
        // Pro rata with largest remainder; total > left ≥ 0 here, so total > 0.
        let mut paid: i128 = 0;
        let mut remainders: Vec<(i128, usize)> = Vec::with_capacity(members.len());
        for i in &members {
            let num = left * amount(*i);
            let q = num / total;
            if let Some(s) = shares.get_mut(*i) {
                *s = q;
            }
            paid += q;
            remainders.push((num % total, *i));
        }
        // Largest remainder first; ties go to the earlier claim (smaller index).
        remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        let mut extra = left - paid;
        for (_, i) in remainders {
            if extra == 0 {
                break;
            }
            if let Some(s) = shares.get_mut(i) {
                *s += 1;
            }
            extra -= 1;
        }
        left = 0;
    }
    shares
        .into_iter()
        .map(|s| i64::try_from(s).map(Fen::new))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| RuleError::new("money_overflow", "分配金额超出可表示范围"))
}

// ---- FIFO clearance (超期发放) ----------------------------------------------------------------------

/// Money into a case account (an arrival) with its disbursement deadline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inflow {
    pub id: String,
    pub on: NaiveDate,
    pub amount: i64,
    pub due: NaiveDate,
}

/// What became of one arrival: when it was fully paid out, or how much is still held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clearance {
    pub id: String,
    pub on: NaiveDate,
    pub amount: i64,
    pub due: NaiveDate,
    /// The day the last of it left the case account.
    pub cleared_on: Option<NaiveDate>,
    pub remaining: i64,
}

impl Clearance {
    /// 超期发放: paid out after the deadline, or still held after it (as of `today`).
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        match self.cleared_on {
            Some(d) => d > self.due,
            None => self.remaining > 0 && today > self.due,
        }
    }
}

/// Match outflows (date, amount) of a case account against its inflows, oldest money first
/// (first in, first out): a case's disbursement pays its earliest arrival first. Inputs need not be
/// sorted; outflows beyond the inflows are ignored.
pub fn fifo_clearance(inflows: &[Inflow], outflows: &[(NaiveDate, i64)]) -> Vec<Clearance> {
    let mut ins: Vec<Clearance> = inflows
        .iter()
        .map(|i| Clearance {
            id: i.id.clone(),
            on: i.on,
            amount: i.amount,
            due: i.due,
            cleared_on: None,
            remaining: i.amount.max(0),
        })
        .collect();
    ins.sort_by(|a, b| a.on.cmp(&b.on).then(a.id.cmp(&b.id)));
    let mut outs: Vec<(NaiveDate, i64)> = outflows.to_vec();
    outs.sort();
    let mut idx = 0usize;
    for (day, amount) in outs {
        let mut left = amount.max(0);
        while left > 0 {
            let Some(cur) = ins.get_mut(idx) else { break };
            let take = cur.remaining.min(left);
            cur.remaining -= take;
            left -= take;
            if cur.remaining == 0 {
                cur.cleared_on = Some(day.max(cur.on));
                idx += 1;
            }
        }
    }
    ins
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn builtin_tables_parse() {
        let s = FeeSchedule::parse(FEE_TSV).unwrap();
        assert_eq!(s.brackets.len(), 4);
        assert_eq!(s.base, Fen::new(5000));
        assert_eq!(
            (s.no_amount_min, s.no_amount_max),
            (Fen::new(5000), Fen::new(50000))
        );
        assert_eq!(&s, FeeSchedule::builtin());
        let o = DistributionOrder::parse(DISTRIBUTION_TSV).unwrap();
        let names: Vec<&str> = o.classes().iter().map(|c| c.class.as_str()).collect();
        assert_eq!(
            names,
            ["enforcement_costs", "secured", "priority", "ordinary"]
        );
        assert_eq!(o.classes().last().unwrap().method, ClassMethod::ProRata);
    }

    /// claim (分) → fee (分), worked by hand from FEE art 14(1).
    #[test]
    fn fee_table() {
        let table: &[(i64, i64)] = &[
            (0, 5000),
            (1, 5000),
            (1_000_000, 5000),
            (1_000_001, 5000),
            (1_000_033, 5000),
            (1_000_034, 5001),
            (10_000_000, 140_000),
            (50_000_000, 740_000),
            // 500 万元: 7,400 + 4,500,000 × 1 % = 52,400 元
            (500_000_000, 5_240_000),
            // 1000 万元: 52,400 + 5,000,000 × 0.5 % = 77,400 元
            (1_000_000_000, 7_740_000),
            // 2000 万元: 77,400 + 10,000,000 × 0.1 % = 87,400 元
            (2_000_000_000, 8_740_000),
            // 123,456.78 元: 50 + 113,456.78 × 1.5 % = 50 + 1,701.8517 = 1,751.8517 → 1,751.85
            (12_345_678, 175_185),
        ];
        for (claim, fee) in table {
            assert_eq!(
                enforcement_fee(Fen::new(*claim)).unwrap(),
                Fen::new(*fee),
                "claim {claim}"
            );
        }
        assert_eq!(
            enforcement_fee(Fen::new(-1)).unwrap_err().code,
            "fee_claim_negative"
        );
        // No overflow at the top of the range.
        assert!(enforcement_fee(Fen::new(i64::MAX)).is_ok());
    }

    #[test]
    fn fee_schedule_rejects_bad_tables() {
        for (text, why) in [
            ("bracket\t0\t-\t100\tx\n", "no base"),
            (
                "base\t5000\t5000\t50000\tx\nbracket\t10\t5\t100\tx\n",
                "to <= from",
            ),
            (
                "base\t5000\t5000\t50000\tx\nbracket\t0\t10\t100\tx\nbracket\t20\t-\t100\tx\n",
                "gap",
            ),
            (
                "base\t5000\t5000\t50000\tx\nbracket\t0\t-\t100\tx\nbracket\t10\t-\t100\tx\n",
                "open middle",
            ),
            (
                "base\t5000\t5000\t50000\tx\nbracket\t0\t-\t100001\tx\n",
                "rate > 100 %",
            ),
            ("base\tx\t5000\t50000\tx\n", "not a number"),
        ] {
            assert_eq!(
                FeeSchedule::parse(text).unwrap_err().code,
                "fee_schedule_format",
                "{why}"
            );
        }
    }

    fn case_no(court: &str, year: i32, t: TypeCode, serial: u32) -> CaseNumber {
        CaseNumber::new(year, court, None, t, serial).unwrap()
    }

    #[test]
    fn account_number_layout_and_round_trip() {
        let c = case_no("川1123", 2024, TypeCode::FirstEnforcement, 1188);
        let a = AccountNumber::for_case(&c).unwrap();
        // 川 is the 23rd abbreviation; basic court; 1123; 2024; 执 = 01; serial 1188.
        assert!(a.as_str().starts_with("2331123202401000118"), "{a}");
        assert_eq!(a.as_str().len(), ACCOUNT_NUMBER_LEN);
        assert_eq!(a.case_number().unwrap(), c);
        assert_eq!(AccountNumber::parse(a.as_str()).unwrap(), a);
        // Grouped input is accepted.
        let grouped = format!(
            "{} {}-{}",
            &a.as_str()[..4],
            &a.as_str()[4..10],
            &a.as_str()[10..]
        );
        assert_eq!(AccountNumber::parse(&grouped).unwrap(), a);
        for court in ["最高法", "川", "川11", "鄂2823", "甘0104", "兵0101"] {
            for t in [
                TypeCode::FirstEnforcement,
                TypeCode::ResumedEnforcement,
                TypeCode::CompulsoryLiquidation,
            ] {
                let c = case_no(court, 2019, t, 9_999_999);
                let a = AccountNumber::for_case(&c).unwrap();
                assert_eq!(
                    AccountNumber::parse(a.as_str())
                        .unwrap()
                        .case_number()
                        .unwrap(),
                    c,
                    "{court}"
                );
            }
        }
        assert_eq!(
            AccountNumber::for_case(&case_no(
                "川1123",
                2024,
                TypeCode::FirstEnforcement,
                10_000_000
            ))
            .unwrap_err()
            .code,
            "account_number_unsupported"
        );
    }

    #[test]
    fn account_number_rejects_typos() {
        let a = AccountNumber::for_case(&case_no("川1123", 2024, TypeCode::FirstEnforcement, 1188))
            .unwrap();
        let s = a.as_str();
        let digits: Vec<char> = s.chars().collect();
        // Every single-digit substitution is caught.
        for i in 0..digits.len() {
            for d in '0'..='9' {
                if d == digits[i] {
                    continue;
                }
                let mut t = digits.clone();
                t[i] = d;
                let t: String = t.into_iter().collect();
                let e = AccountNumber::parse(&t).unwrap_err();
                assert!(
                    e.code == "account_number_check" || e.code == "account_number_format",
                    "{t}: {e:?}"
                );
            }
        }
        // Every adjacent transposition of different digits is caught.
        for i in 0..digits.len() - 1 {
            if digits[i] == digits[i + 1] {
                continue;
            }
            let mut t = digits.clone();
            t.swap(i, i + 1);
            let t: String = t.into_iter().collect();
            assert!(AccountNumber::parse(&t).is_err(), "{t}");
        }
        for bad in ["", "123", "23311232024010001188x", &format!("{s}0")] {
            assert_eq!(
                AccountNumber::parse(bad).unwrap_err().code,
                "account_number_format",
                "{bad}"
            );
        }
    }

    #[test]
    fn disbursement_deadline_rolls_past_holidays() {
        // Arrived 2024-09-01: +30 = 2024-10-01, National Day holiday (10-01..10-07) → 2024-10-08.
        let d = NaiveDate::from_ymd_opt(2024, 9, 1).unwrap();
        assert_eq!(
            disburse_by(d).unwrap(),
            NaiveDate::from_ymd_opt(2024, 10, 8).unwrap()
        );
        // Arrived 2024-09-27 (Fri): +3 = 09-30 (Mon, a working day).
        let d = NaiveDate::from_ymd_opt(2024, 9, 27).unwrap();
        assert_eq!(
            claim_by(d, 3).unwrap(),
            NaiveDate::from_ymd_opt(2024, 9, 30).unwrap()
        );
    }

    #[test]
    fn account_codes_round_trip() {
        for a in [
            Account::BankClearing,
            Account::Case("c1".into()),
            Account::Unidentified,
            Account::ApplicantPayable("c1".into()),
            Account::DebtorRefund("c1".into()),
            Account::RewardPayable("c1".into()),
            Account::FeeIncome,
            Account::FineIncome,
            Account::CostIncome,
        ] {
            assert_eq!(Account::parse(&a.code()).unwrap(), a);
            assert!(a.code().starts_with(a.kind()));
        }
        for bad in ["", "case:", "x:1", "banks"] {
            assert_eq!(
                Account::parse(bad).unwrap_err().code,
                "account_code",
                "{bad}"
            );
        }
    }

    #[test]
    fn journal_refuses_to_exist_unbalanced() {
        let c = Account::Case("c".into());
        assert_eq!(
            JournalTxn::new(
                TxnKind::Receipt,
                vec![(Account::BankClearing, 100), (c.clone(), -99)]
            )
            .unwrap_err()
            .code,
            "journal_unbalanced"
        );
        assert_eq!(
            JournalTxn::new(
                TxnKind::Receipt,
                vec![(Account::BankClearing, 0), (c.clone(), 0)]
            )
            .unwrap_err()
            .code,
            "journal_zero_line"
        );
        assert_eq!(
            JournalTxn::new(TxnKind::Receipt, vec![(Account::BankClearing, 1)])
                .unwrap_err()
                .code,
            "journal_empty"
        );
        // i64 extremes cannot wrap into a false balance.
        assert_eq!(
            JournalTxn::new(
                TxnKind::Receipt,
                vec![
                    (Account::BankClearing, i64::MAX),
                    (c.clone(), i64::MAX),
                    (Account::FeeIncome, 2)
                ]
            )
            .unwrap_err()
            .code,
            "journal_unbalanced"
        );
        let t = JournalTxn::receipt(c.clone(), Fen::new(100)).unwrap();
        // Receipt: the bank holds 100 more (debit) and the case holds 100 more (credit).
        assert_eq!(
            t.lines(),
            &[(Account::BankClearing, 100), (c.clone(), -100)]
        );
        let p = JournalTxn::paid_out(Account::ApplicantPayable("c".into()), Fen::new(40)).unwrap();
        assert_eq!(
            p.lines(),
            &[
                (Account::ApplicantPayable("c".into()), 40),
                (Account::BankClearing, -40)
            ]
        );
        assert_eq!(
            JournalTxn::receipt(c, Fen::new(0)).unwrap_err().code,
            "journal_zero_line"
        );
    }

    #[test]
    fn ledger_refuses_overdraft_and_leaves_no_trace() {
        let mut l = Ledger::default();
        let c = Account::Case("c".into());
        // A receipt: debit bank, credit case.
        l.post(
            JournalTxn::new(
                TxnKind::Receipt,
                vec![(Account::BankClearing, 1000), (c.clone(), -1000)],
            )
            .unwrap(),
        )
        .unwrap();
        assert_eq!(l.balance(&c), 1000);
        assert_eq!(l.balance(&Account::BankClearing), 1000);
        let pay = Account::ApplicantPayable("c".into());
        let too_much = JournalTxn::transfer(
            TxnKind::Disbursement,
            c.clone(),
            pay.clone(),
            Fen::new(1001),
        )
        .unwrap();
        assert_eq!(l.post(too_much).unwrap_err().code, "ledger_negative");
        assert_eq!(l.balance(&c), 1000);
        assert_eq!(l.journal().len(), 1);
        let ok = JournalTxn::transfer(
            TxnKind::Disbursement,
            c.clone(),
            pay.clone(),
            Fen::new(1000),
        )
        .unwrap();
        l.post(ok.clone()).unwrap();
        assert_eq!((l.balance(&c), l.balance(&pay)), (0, 1000));
        l.post(ok.reversal()).unwrap();
        assert_eq!((l.balance(&c), l.balance(&pay)), (1000, 0));
        l.check().unwrap();
    }

    fn claim(creditor: &str, class: &str, amount: i64) -> DistributionClaim {
        DistributionClaim {
            creditor: creditor.into(),
            class: class.into(),
            amount: Fen::new(amount),
        }
    }

    #[test]
    fn distribution_table() {
        let o = DistributionOrder::builtin();
        // (available, claims, expected shares)
        let rows: Vec<(i64, Vec<DistributionClaim>, Vec<i64>)> = vec![
            // costs first, then secured, then ordinary share 100 between claims 1:2 → 33.33 / 66.67
            (
                1200,
                vec![
                    claim("a", "ordinary", 100),
                    claim("b", "ordinary", 200),
                    claim("court", "enforcement_costs", 500),
                    claim("bank", "secured", 600),
                ],
                vec![33, 67, 500, 600],
            ),
            // Three equal ordinary claims share 100: 34/33/33, the extra 分 to the first (tie).
            (
                100,
                vec![
                    claim("a", "ordinary", 50),
                    claim("b", "ordinary", 50),
                    claim("c", "ordinary", 50),
                ],
                vec![34, 33, 33],
            ),
            // Enough for everyone: each gets the claim, the rest stays.
            (
                1000,
                vec![claim("a", "ordinary", 50), claim("b", "priority", 70)],
                vec![50, 70],
            ),
            // Secured in plan order: the first is paid in full, the second partly.
            (
                100,
                vec![
                    claim("a", "secured", 80),
                    claim("b", "secured", 80),
                    claim("c", "ordinary", 10),
                ],
                vec![80, 20, 0],
            ),
            (0, vec![claim("a", "ordinary", 5)], vec![0]),
        ];
        for (avail, claims, want) in rows {
            let got: Vec<i64> = distribute(Fen::new(avail), &claims, o)
                .unwrap()
                .into_iter()
                .map(Fen::get)
                .collect();
            assert_eq!(got, want, "{avail} {claims:?}");
        }
        assert_eq!(
            distribute(Fen::new(1), &[claim("a", "tax", 1)], o)
                .unwrap_err()
                .code,
            "distribution_class"
        );
        assert_eq!(
            distribute(Fen::new(-1), &[], o).unwrap_err().code,
            "distribution_amount"
        );
    }

    #[test]
    fn distribution_order_is_configurable() {
        let o = DistributionOrder::parse("1\tordinary\tpro_rata\tx\n2\tsecured\tin_order\tx\n")
            .unwrap();
        let got = distribute(
            Fen::new(10),
            &[claim("a", "secured", 10), claim("b", "ordinary", 10)],
            &o,
        )
        .unwrap();
        assert_eq!(got, vec![Fen::new(0), Fen::new(10)]);
        for bad in [
            "",
            "1\tx\tsometimes\ty\n",
            "1\tx\tin_order\ty\n1\tz\tin_order\ty\n",
            "a\tx\tin_order\ty\n",
        ] {
            assert_eq!(
                DistributionOrder::parse(bad).unwrap_err().code,
                "distribution_order_format",
                "{bad:?}"
            );
        }
    }

    /// One step of a random ledger history.
    #[derive(Debug, Clone)]
    enum Op {
        /// Money arrives for case i (or unidentified when None).
        Receive(Option<usize>, i64),
        /// Claim from unidentified to case i.
        Claim(usize, i64),
        /// Disburse from case i: to applicant, with a fee deduction.
        Disburse(usize, i64, i64),
        /// Bank confirms payable of case i.
        Confirm(usize, i64),
        /// Refund overpayment of case i to the debtor, then the bank pays it.
        Refund(usize, i64),
        /// Reverse the k-th posted transaction.
        Reverse(usize),
    }

    fn op() -> impl Strategy<Value = Op> {
        let amt = 1i64..1_000_000;
        prop_oneof![
            (proptest::option::of(0usize..3), amt.clone()).prop_map(|(c, a)| Op::Receive(c, a)),
            (0usize..3, amt.clone()).prop_map(|(c, a)| Op::Claim(c, a)),
            (0usize..3, amt.clone(), 0i64..10_000).prop_map(|(c, a, f)| Op::Disburse(c, a, f)),
            (0usize..3, amt.clone()).prop_map(|(c, a)| Op::Confirm(c, a)),
            (0usize..3, amt).prop_map(|(c, a)| Op::Refund(c, a)),
            (0usize..40).prop_map(Op::Reverse),
        ]
    }

    #[test]
    fn fifo_pays_oldest_money_first() {
        let d = |m: u32, day: u32| NaiveDate::from_ymd_opt(2024, m, day).unwrap();
        let ins = vec![
            Inflow {
                id: "b".into(),
                on: d(9, 20),
                amount: 2000,
                due: d(10, 21),
            },
            Inflow {
                id: "a".into(),
                on: d(8, 1),
                amount: 3000,
                due: d(9, 2),
            },
        ];
        // 3,500 out on 09-27: "a" (3,000) cleared late, "b" has 1,500 left.
        let c = fifo_clearance(&ins, &[(d(9, 27), 3500)]);
        assert_eq!(c[0].id, "a");
        assert_eq!((c[0].cleared_on, c[0].remaining), (Some(d(9, 27)), 0));
        assert!(c[0].is_overdue(d(9, 27)));
        assert_eq!((c[1].cleared_on, c[1].remaining), (None, 1500));
        assert!(!c[1].is_overdue(d(10, 21)));
        assert!(c[1].is_overdue(d(10, 22)));
        // Paid in time: not overdue, ever.
        let c = fifo_clearance(&ins, &[(d(8, 5), 3000), (d(9, 30), 2000), (d(10, 1), 99)]);
        assert!(
            c.iter()
                .all(|x| x.remaining == 0 && !x.is_overdue(d(12, 31)))
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Random sequences of receipts, claims, disbursements, confirmations, reversals and refunds keep every
        /// invariant: balances sum to zero, equal the journal, and no held-money account is negative;
        /// money in minus money out equals what the bank holds.
        #[test]
        fn random_histories_keep_invariants(ops in proptest::collection::vec(op(), 1..60)) {
            let mut l = Ledger::default();
            let case = |i: usize| Account::Case(format!("c{i}"));
            let payable = |i: usize| Account::ApplicantPayable(format!("c{i}"));
            let mut posted: Vec<JournalTxn> = Vec::new();
            let (mut bank_in, mut bank_out) = (0i128, 0i128);
            for op in ops {
                let before = l.clone();
                let t = match op {
                    Op::Receive(c, a) => {
                        let to = c.map_or(Account::Unidentified, case);
                        JournalTxn::receipt(to, Fen::new(a)).ok()
                    }
                    Op::Claim(c, a) => JournalTxn::transfer(TxnKind::Claim, Account::Unidentified, case(c), Fen::new(a)).ok(),
                    Op::Disburse(c, a, f) => {
                        let mut to = vec![(payable(c), Fen::new(a))];
                        if f > 0 { to.push((Account::FeeIncome, Fen::new(f))); }
                        JournalTxn::split(TxnKind::Disbursement, case(c), &to).ok()
                    }
                    Op::Confirm(c, a) => JournalTxn::paid_out(payable(c), Fen::new(a)).ok(),
                    Op::Refund(c, a) => {
                        let r = Account::DebtorRefund(format!("c{c}"));
                        JournalTxn::transfer(TxnKind::Disbursement, case(c), r, Fen::new(a)).ok()
                    }
                    Op::Reverse(k) => posted.get(k).map(JournalTxn::reversal),
                };
                let Some(t) = t else { continue };
                let bank_delta: i128 = t.lines().iter().filter(|(a, _)| *a == Account::BankClearing).map(|(_, v)| i128::from(*v)).sum();
                match l.post(t.clone()) {
                    Ok(()) => {
                        posted.push(t);
                        if bank_delta > 0 { bank_in += bank_delta } else { bank_out -= bank_delta }
                    }
                    Err(e) => {
                        prop_assert_eq!(e.code, "ledger_negative");
                        prop_assert_eq!(l.journal().len(), before.journal().len());
                        prop_assert_eq!(l.raw(&Account::BankClearing), before.raw(&Account::BankClearing));
                    }
                }
                prop_assert_eq!(l.check(), Ok(()));
                prop_assert_eq!(i128::from(l.raw(&Account::BankClearing)), bank_in - bank_out);
            }
        }

        /// Distribution never loses or creates a 分 and never pays more than a claim.
        #[test]
        fn distribution_is_exact(
            avail in 0i64..10_000_000_000,
            claims in proptest::collection::vec((0usize..4, 0i64..5_000_000_000), 0..12),
        ) {
            let classes = ["enforcement_costs", "secured", "priority", "ordinary"];
            let claims: Vec<DistributionClaim> = claims.into_iter().enumerate()
                .map(|(i, (k, a))| claim(&format!("c{i}"), classes[k], a)).collect();
            let shares = distribute(Fen::new(avail), &claims, DistributionOrder::builtin()).unwrap();
            let total_claims: i128 = claims.iter().map(|c| i128::from(c.amount.get())).sum();
            let paid: i128 = shares.iter().map(|s| i128::from(s.get())).sum();
            prop_assert_eq!(paid, total_claims.min(i128::from(avail)));
            for (s, c) in shares.iter().zip(&claims) {
                prop_assert!(*s >= Fen::ZERO && *s <= c.amount);
            }
            // Ordinary claims are paid only after every higher class is paid in full.
            let ordinary_paid: i128 = shares.iter().zip(&claims).filter(|(_, c)| c.class == "ordinary").map(|(s, _)| i128::from(s.get())).sum();
            if ordinary_paid > 0 {
                for (s, c) in shares.iter().zip(&claims) {
                    if c.class != "ordinary" { prop_assert_eq!(*s, c.amount); }
                }
            }
        }

        /// FIFO clearance conserves money: what is paid out of the inflows equals min(outflows, inflows),
        /// an arrival is cleared exactly when nothing of it remains, and arrivals clear in date order.
        #[test]
        fn fifo_conserves_money(
            ins in proptest::collection::vec((0u32..200, 1i64..100_000), 0..20),
            outs in proptest::collection::vec((0u32..200, 1i64..150_000), 0..20),
        ) {
            let base = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
            let day = |d: u32| base + chrono::Days::new(u64::from(d));
            let inflows: Vec<Inflow> = ins.iter().enumerate()
                .map(|(i, (d, a))| Inflow { id: format!("{i:03}"), on: day(*d), amount: *a, due: day(d + 30) })
                .collect();
            let outflows: Vec<(NaiveDate, i64)> = outs.iter().map(|(d, a)| (day(*d), *a)).collect();
            let c = fifo_clearance(&inflows, &outflows);
            let total_in: i64 = inflows.iter().map(|i| i.amount).sum();
            let total_out: i64 = outflows.iter().map(|o| o.1).sum();
            let remaining: i64 = c.iter().map(|x| x.remaining).sum();
            prop_assert_eq!(total_in - remaining, total_out.min(total_in));
            for x in &c {
                prop_assert!(x.remaining >= 0 && x.remaining <= x.amount);
                prop_assert_eq!(x.cleared_on.is_some(), x.remaining == 0);
                if let Some(d) = x.cleared_on { prop_assert!(d >= x.on); }
            }
            // Only the first not-fully-cleared arrival may be partly paid; later ones are untouched.
            let partial: Vec<&Clearance> = c.iter().filter(|x| x.remaining > 0).collect();
            for x in partial.iter().skip(1) { prop_assert_eq!(x.remaining, x.amount); }
        }

        #[test]
        fn account_numbers_round_trip(pp in 0usize..33, digits in 0u32..10000, level in 0u8..3, year in 2000i32..2100, t in 0usize..17, serial in 1u32..10_000_000) {
            let court = match level {
                0 => HIGH_COURT_ABBREVIATIONS[pp].to_string(),
                1 => format!("{}{:02}", HIGH_COURT_ABBREVIATIONS[pp], digits % 100),
                _ => format!("{}{:04}", HIGH_COURT_ABBREVIATIONS[pp], digits),
            };
            let c = CaseNumber::new(year, &court, None, TypeCode::ALL[t], serial).unwrap();
            let a = AccountNumber::for_case(&c).unwrap();
            prop_assert_eq!(AccountNumber::parse(a.as_str()).unwrap().case_number().unwrap(), c);
        }

        #[test]
        fn fee_is_monotonic_and_bounded(a in 0i64..100_000_000_000, b in 0i64..100_000_000_000) {
            let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
            let (fl, fh) = (enforcement_fee(Fen::new(lo)).unwrap(), enforcement_fee(Fen::new(hi)).unwrap());
            prop_assert!(fl <= fh);
            prop_assert!(fl.get() >= 5000);
            // Never more than 50 元 + 1.5 % of the claim (the highest marginal rate), rounded.
            prop_assert!(i128::from(fh.get()) <= 5000 + (i128::from(hi) * 15 + 999) / 1000 + 1);
        }
    }
}
