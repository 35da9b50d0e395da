//! Bank statements (银行流水) and funds reports: CSV/XLSX import that books all lines or none,
//! daily reconciliation against the ledger, ageing of undisbursed and unidentified funds, the
//! per-court overdue disbursement rate (案款超期发放率), and an XLSX export of them.
//!
//! A statement has a header row with these columns (any order, extra columns refused):
//! `bank_reference, received_at, amount_fen, payer_name, payer_account, account_number` — the
//! receipt API's fields. Money is integer 分; `received_at` is RFC 3339 or `YYYY-MM-DD HH:MM:SS`
//! (China time).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use chrono::{NaiveDate, NaiveDateTime, TimeZone};
use zhixing_domain::funds::{Inflow, fifo_clearance};
use zhixing_domain::role::Permission;
use zhixing_domain::time::china_date;
use zhixing_store::funds;

use crate::funds::{ReceiptInput, book_receipts_bulk, validate_statement_line};
use crate::{Actor, App, AppError};

/// Columns of a statement, in the order exports use.
pub const COLUMNS: [&str; 6] = [
    "bank_reference",
    "received_at",
    "amount_fen",
    "payer_name",
    "payer_account",
    "account_number",
];

/// Most lines accepted in one statement file.
pub const MAX_LINES: usize = 2_000_000;

/// One statement line, as read (line = 1-based line/row number in the file, the header is line 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementLine {
    pub line: usize,
    pub bank_reference: String,
    pub received_at: String,
    pub amount_fen: i64,
    pub payer_name: String,
    pub payer_account: String,
    pub account_number: String,
}

/// A refused line: which line, which field, why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    pub line: usize,
    pub field: String,
    pub code: String,
    pub message: String,
}

impl std::fmt::Display for LineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "第 {} 行 {}: {} ({})",
            self.line, self.field, self.message, self.code
        )
    }
}

/// Why an import booked nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("对账单有 {} 处错误，未入账任何一行", .0.len())]
    Lines(Vec<LineError>),
    #[error(transparent)]
    App(#[from] AppError),
}

fn line_error(line: usize, field: &str, code: &str, message: impl Into<String>) -> LineError {
    LineError {
        line,
        field: field.into(),
        code: code.into(),
        message: message.into(),
    }
}

/// Split CSV text into records (RFC 4180: quoted fields, doubled quotes, CRLF or LF).
fn csv_records(text: &str) -> Result<Vec<(usize, Vec<String>)>, LineError> {
    let mut out = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut in_quotes = false;
    let mut line = 1usize;
    let mut start_line = 1usize;
    let mut chars = text.trim_start_matches('\u{feff}').chars().peekable();
    while let Some(c) = chars.next() {
        if in_quotes {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    field.push('"');
                    chars.next();
                }
                '"' => in_quotes = false,
                '\n' => {
                    line += 1;
                    field.push(c);
                }
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.is_empty() => in_quotes = true,
            ',' => record.push(std::mem::take(&mut field)),
            '\r' => {}
            '\n' => {
                record.push(std::mem::take(&mut field));
                if !(record.len() == 1 && record.first().is_some_and(String::is_empty)) {
                    out.push((start_line, std::mem::take(&mut record)));
                }
                record.clear();
                line += 1;
                start_line = line;
            }
            _ => field.push(c),
        }
    }
    if in_quotes {
        return Err(line_error(start_line, "-", "csv_quote", "引号未闭合"));
    }
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        out.push((start_line, record));
    }
    Ok(out)
}

/// Map header names to column positions; every column required, none unknown or repeated.
fn header_map(line: usize, header: &[String]) -> Result<HashMap<&'static str, usize>, LineError> {
    let mut map = HashMap::new();
    for (i, h) in header.iter().enumerate() {
        let name = h.trim();
        let Some(col) = COLUMNS.iter().find(|c| **c == name) else {
            return Err(line_error(
                line,
                name,
                "unknown_column",
                format!("未知的列「{name}」"),
            ));
        };
        if map.insert(*col, i).is_some() {
            return Err(line_error(
                line,
                name,
                "duplicate_column",
                format!("列「{name}」重复"),
            ));
        }
    }
    for c in COLUMNS {
        if !map.contains_key(c) {
            return Err(line_error(
                line,
                c,
                "missing_column",
                format!("缺少列「{c}」"),
            ));
        }
    }
    Ok(map)
}

fn parse_amount(line: usize, raw: &str) -> Result<i64, LineError> {
    let t = raw.trim();
    if t.is_empty() || !t.chars().all(|c| c.is_ascii_digit()) {
        return Err(line_error(
            line,
            "amount_fen",
            "amount_format",
            format!("金额应为正整数（单位：分），实为「{t}」"),
        ));
    }
    t.parse::<i64>().map_err(|_| {
        line_error(
            line,
            "amount_fen",
            "amount_too_large",
            format!("金额「{t}」过大"),
        )
    })
}

/// Accept RFC 3339, or `YYYY-MM-DD HH:MM:SS` in China time (normalised to RFC 3339).
fn normalise_time(line: usize, raw: &str) -> Result<String, LineError> {
    let t = raw.trim();
    if chrono::DateTime::parse_from_rfc3339(t).is_ok() {
        return Ok(t.to_owned());
    }
    NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S")
        .ok()
        .and_then(|n| chrono::FixedOffset::east_opt(8 * 3600).map(|o| (n, o)))
        .and_then(|(n, o)| o.from_local_datetime(&n).single())
        .map(|d| d.to_rfc3339())
        .ok_or_else(|| {
            line_error(
                line,
                "received_at",
                "datetime_format",
                format!("到账时间「{t}」应为 RFC 3339 或 YYYY-MM-DD HH:MM:SS"),
            )
        })
}

fn lines_from_rows(rows: Vec<(usize, Vec<String>)>) -> Result<Vec<StatementLine>, Vec<LineError>> {
    let mut it = rows.into_iter();
    let Some((hline, header)) = it.next() else {
        return Err(vec![line_error(1, "-", "empty_file", "对账单为空")]);
    };
    let map = header_map(hline, &header).map_err(|e| vec![e])?;
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (line, rec) in it {
        if out.len() + errors.len() >= MAX_LINES {
            errors.push(line_error(
                line,
                "-",
                "too_many_lines",
                format!("超过 {MAX_LINES} 行"),
            ));
            break;
        }
        if rec.len() != header.len() {
            errors.push(line_error(
                line,
                "-",
                "column_count",
                format!("应有 {} 列，实有 {} 列", header.len(), rec.len()),
            ));
            continue;
        }
        let get = |c: &str| {
            map.get(c)
                .and_then(|i| rec.get(*i))
                .map(|s| s.trim().to_owned())
                .unwrap_or_default()
        };
        let amount = parse_amount(line, &get("amount_fen"));
        let time = normalise_time(line, &get("received_at"));
        match (amount, time) {
            (Ok(amount_fen), Ok(received_at)) => out.push(StatementLine {
                line,
                bank_reference: get("bank_reference"),
                received_at,
                amount_fen,
                payer_name: get("payer_name"),
                payer_account: get("payer_account"),
                account_number: get("account_number"),
            }),
            (a, t) => {
                errors.extend(a.err());
                errors.extend(t.err());
            }
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// Parse a CSV statement (UTF-8, optional BOM).
pub fn parse_csv(text: &str) -> Result<Vec<StatementLine>, Vec<LineError>> {
    lines_from_rows(csv_records(text).map_err(|e| vec![e])?)
}

/// An Excel date serial (days since 1899-12-30, fraction = time of day) as `YYYY-MM-DD HH:MM:SS`.
fn excel_serial_text(serial: f64) -> String {
    if !(0.0..3_000_000.0).contains(&serial) {
        return String::new();
    }
    // Whole seconds since the epoch of the 1900 date system, rounded to the nearest second.
    let secs = format!("{:.0}", serial * 86_400.0)
        .parse::<i64>()
        .unwrap_or(0);
    NaiveDate::from_ymd_opt(1899, 12, 30)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .and_then(|d| d.checked_add_signed(chrono::Duration::seconds(secs)))
        .map(|n| n.format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_default()
}

/// Parse the first sheet of an XLSX statement. Numbers must be whole 分; date cells are read as
/// China time.
pub fn parse_xlsx(bytes: &[u8]) -> Result<Vec<StatementLine>, Vec<LineError>> {
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes.to_vec())).map_err(|e| {
        vec![line_error(
            1,
            "-",
            "xlsx_format",
            format!("不是有效的 XLSX 文件：{e}"),
        )]
    })?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| vec![line_error(1, "-", "empty_file", "工作簿没有工作表")])?
        .map_err(|e| {
            vec![line_error(
                1,
                "-",
                "xlsx_format",
                format!("读取工作表失败：{e}"),
            )]
        })?;
    let first_row = range.start().map_or(0, |(r, _)| r);
    let mut rows = Vec::new();
    for (i, row) in range.rows().enumerate() {
        let line = usize::try_from(first_row).unwrap_or(0) + i + 1;
        let cells: Vec<String> = row
            .iter()
            .map(|c| match c {
                Data::Empty => String::new(),
                Data::String(s) => s.clone(),
                Data::Int(n) => n.to_string(),
                Data::Float(f) => {
                    // Whole numbers only (money is integer 分): 150.0 → "150", 1.5 stays "1.5"
                    // and is refused by the amount check.
                    if f.fract() == 0.0 && f.abs() < 1e15 {
                        format!("{f:.0}")
                    } else {
                        f.to_string()
                    }
                }
                Data::Bool(b) => b.to_string(),
                Data::DateTime(d) => excel_serial_text(d.as_f64()),
                Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
                Data::Error(e) => format!("#ERR {e:?}"),
            })
            .collect();
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        rows.push((line, cells));
    }
    lines_from_rows(rows)
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub lines: usize,
    /// Booked to a case by account number.
    pub booked: usize,
    /// Booked to unidentified funds (不明款).
    pub unidentified: usize,
    /// Already in the ledger under the same bank reference and amount (e.g. by API callback).
    pub already_booked: usize,
    pub amount_fen: i64,
}

/// One difference between a bank statement and the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// `missing_in_ledger` | `missing_in_statement` | `amount_differs`
    pub kind: String,
    pub bank_reference: String,
    pub statement_fen: Option<i64>,
    pub ledger_fen: Option<i64>,
    pub line: Option<usize>,
}

/// Money held, by age bucket: 0–30, 31–60, over 60 days.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ageing {
    pub court: String,
    pub undisbursed: [(i64, i64); 3],
    pub unidentified: [(i64, i64); 3],
}

/// 案款超期发放率 of one court.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OverdueRate {
    pub court: String,
    /// Arrivals whose deadline has passed or that are fully paid out (the denominator).
    pub due_count: i64,
    pub due_fen: i64,
    /// Of those, paid out after the deadline or still held after it.
    pub overdue_count: i64,
    pub overdue_fen: i64,
}

impl OverdueRate {
    /// Rates in basis points (1/10,000), by count and by amount; 0 when nothing is due.
    pub fn rates_bp(&self) -> (i64, i64) {
        let bp = |n: i64, d: i64| {
            if d == 0 {
                0
            } else {
                i64::try_from(i128::from(n) * 10_000 / i128::from(d)).unwrap_or(0)
            }
        };
        (
            bp(self.overdue_count, self.due_count),
            bp(self.overdue_fen, self.due_fen),
        )
    }
}

fn bucket(days: i64) -> usize {
    match days {
        ..=30 => 0,
        31..=60 => 1,
        _ => 2,
    }
}

fn parse_day(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

impl App {
    /// Import a statement for the actor's court: every line is validated first, and all lines are
    /// booked in ONE transaction, so a refused file books nothing. A line whose bank reference is
    /// already in the ledger with the same amount is skipped (it arrived by API callback); with
    /// another amount the file is refused.
    pub async fn import_statement(
        &self,
        actor: &Actor,
        lines: &[StatementLine],
        now_ms: i64,
    ) -> Result<ImportReport, ImportError> {
        actor.require(Permission::PostBankEvents)?;
        let mut errors = Vec::new();
        let mut seen = HashSet::new();
        let mut valid = Vec::with_capacity(lines.len());
        for l in lines {
            if !seen.insert(l.bank_reference.as_str()) {
                errors.push(line_error(
                    l.line,
                    "bank_reference",
                    "duplicate_reference",
                    "同一流水号在文件中重复",
                ));
                continue;
            }
            let input = ReceiptInput {
                idempotency_key: format!("stmt:{}", l.bank_reference),
                account_number: l.account_number.clone(),
                amount_fen: l.amount_fen,
                payer_name: l.payer_name.clone(),
                payer_account: l.payer_account.clone(),
                received_at: l.received_at.clone(),
                bank_reference: l.bank_reference.clone(),
            };
            match validate_statement_line(&input, now_ms) {
                Ok(v) => valid.push((l.line, v)),
                Err(AppError::Invalid(f)) => {
                    errors.push(line_error(l.line, &f.field, f.code, f.message))
                }
                Err(e) => return Err(e.into()),
            }
        }
        if !errors.is_empty() {
            return Err(ImportError::Lines(errors));
        }
        let court = actor.court_code.clone();
        let mut report = ImportReport {
            lines: lines.len(),
            ..Default::default()
        };
        let mut tx = self.db.begin().await.map_err(AppError::from)?;
        let refs: Vec<&str> = valid.iter().map(|(_, v)| v.bank_reference()).collect();
        let booked = funds::amounts_by_reference(&mut tx, &court, &refs)
            .await
            .map_err(AppError::from)?;
        let mut to_book = Vec::with_capacity(valid.len());
        for (line, v) in &valid {
            match booked.get(v.bank_reference()) {
                Some(a) if *a == v.amount() => report.already_booked += 1,
                Some(a) => errors.push(line_error(
                    *line,
                    "amount_fen",
                    "amount_differs",
                    format!("流水号已入账金额为 {a} 分，对账单为 {} 分", v.amount()),
                )),
                None => to_book.push(v),
            }
        }
        if !errors.is_empty() {
            tx.rollback().await.map_err(AppError::from)?;
            return Err(ImportError::Lines(errors));
        }
        let answers =
            book_receipts_bulk(&mut tx, self.db.backend(), actor, &to_book, now_ms).await?;
        for (a, v) in answers.iter().zip(&to_book) {
            if a.status == "booked" {
                report.booked += 1;
            } else {
                report.unidentified += 1;
            }
            report.amount_fen = report.amount_fen.saturating_add(v.amount());
        }
        tx.commit().await.map_err(AppError::from)?;
        Ok(report)
    }

    /// Daily reconciliation: the statement's lines against the ledger's receipts of the same days.
    pub async fn reconcile(
        &self,
        court: &str,
        lines: &[StatementLine],
    ) -> Result<Vec<Difference>, AppError> {
        let mut conn = self.db.conn().await?;
        let mut out = Vec::new();
        let mut days = std::collections::BTreeSet::new();
        let mut on_statement = HashSet::new();
        for l in lines {
            if let Ok(t) = chrono::DateTime::parse_from_rfc3339(&l.received_at) {
                days.insert(
                    china_date(t.timestamp_millis())
                        .format("%Y-%m-%d")
                        .to_string(),
                );
            }
            on_statement.insert(l.bank_reference.clone());
            let booked = funds::receipts_by_reference(&mut conn, court, &l.bank_reference).await?;
            match booked.first() {
                None => out.push(Difference {
                    kind: "missing_in_ledger".into(),
                    bank_reference: l.bank_reference.clone(),
                    statement_fen: Some(l.amount_fen),
                    ledger_fen: None,
                    line: Some(l.line),
                }),
                Some(b) if b.amount_fen != l.amount_fen => out.push(Difference {
                    kind: "amount_differs".into(),
                    bank_reference: l.bank_reference.clone(),
                    statement_fen: Some(l.amount_fen),
                    ledger_fen: Some(b.amount_fen),
                    line: Some(l.line),
                }),
                Some(_) => {}
            }
        }
        for day in days {
            for r in funds::receipts_on(&mut conn, court, &day).await? {
                if !on_statement.contains(&r.bank_reference) {
                    out.push(Difference {
                        kind: "missing_in_statement".into(),
                        bank_reference: r.bank_reference.clone(),
                        statement_fen: None,
                        ledger_fen: Some(r.amount_fen),
                        line: None,
                    });
                }
            }
        }
        Ok(out)
    }

    /// Per-case FIFO clearance of a court's arrivals.
    async fn clearances(
        &self,
        court: &str,
    ) -> Result<Vec<zhixing_domain::funds::Clearance>, AppError> {
        let mut conn = self.db.conn().await?;
        let mut inflows: BTreeMap<String, Vec<Inflow>> = BTreeMap::new();
        for (case_id, id, on, amount, due) in funds::case_inflows(&mut conn, court).await? {
            if let (Some(on), Some(due)) = (parse_day(&on), parse_day(&due)) {
                inflows.entry(case_id).or_default().push(Inflow {
                    id,
                    on,
                    amount,
                    due,
                });
            }
        }
        let mut outflows: BTreeMap<String, Vec<(NaiveDate, i64)>> = BTreeMap::new();
        for (case_id, at, amount) in funds::case_outflows(&mut conn, court).await? {
            outflows
                .entry(case_id)
                .or_default()
                .push((china_date(at), amount));
        }
        let mut out = Vec::new();
        for (case_id, ins) in inflows {
            let outs = outflows.remove(&case_id).unwrap_or_default();
            out.extend(fifo_clearance(&ins, &outs));
        }
        Ok(out)
    }

    /// Ageing of undisbursed case money and of unidentified funds, as of `today`.
    pub async fn ageing(&self, court: &str, today: NaiveDate) -> Result<Ageing, AppError> {
        let mut a = Ageing {
            court: court.to_owned(),
            ..Default::default()
        };
        for c in self.clearances(court).await? {
            // Arrivals after the report date are not counted (a report for a past day).
            if c.remaining > 0 && c.on <= today {
                let b = bucket((today - c.on).num_days());
                if let Some(slot) = a.undisbursed.get_mut(b) {
                    slot.0 += 1;
                    slot.1 = slot.1.saturating_add(c.remaining);
                }
            }
        }
        let mut conn = self.db.conn().await?;
        for r in funds::receipts_with_status(&mut conn, court, "unidentified", i64::MAX).await? {
            if let Some(on) = parse_day(&r.arrived_on).filter(|on| *on <= today) {
                let b = bucket((today - on).num_days());
                if let Some(slot) = a.unidentified.get_mut(b) {
                    slot.0 += 1;
                    slot.1 = slot.1.saturating_add(r.amount_fen);
                }
            }
        }
        Ok(a)
    }

    /// 案款超期发放率 of a court as of `today`: among arrivals fully paid out or past their
    /// deadline, the share paid late or still held, by count and by amount.
    pub async fn overdue_rate(
        &self,
        court: &str,
        today: NaiveDate,
    ) -> Result<OverdueRate, AppError> {
        let mut r = OverdueRate {
            court: court.to_owned(),
            ..Default::default()
        };
        for c in self.clearances(court).await? {
            if c.on <= today && (c.cleared_on.is_some() || today > c.due) {
                r.due_count += 1;
                r.due_fen = r.due_fen.saturating_add(c.amount);
                if c.is_overdue(today) {
                    r.overdue_count += 1;
                    r.overdue_fen = r.overdue_fen.saturating_add(c.amount);
                }
            }
        }
        Ok(r)
    }

    /// The funds report of the actor's court (ageing and overdue rate), for roles that see the whole
    /// court (command center, director, president, police) or more (supervisor: its own court here).
    pub async fn funds_report(
        &self,
        actor: &Actor,
        today: NaiveDate,
    ) -> Result<(Ageing, OverdueRate), AppError> {
        actor.require(Permission::ReadCases)?;
        if matches!(
            actor.role.case_scope(),
            zhixing_domain::role::CaseScope::Team | zhixing_domain::role::CaseScope::None
        ) {
            return Err(AppError::forbidden(
                "permission_denied",
                "案款报表需要全院范围的查看权限",
            ));
        }
        let court = actor.court_code.clone();
        Ok((
            self.ageing(&court, today).await?,
            self.overdue_rate(&court, today).await?,
        ))
    }

    /// Courts with any funds activity (for reports over a whole database).
    pub async fn courts_with_funds(&self) -> Result<Vec<String>, AppError> {
        let mut conn = self.db.conn().await?;
        Ok(funds::courts_with_funds(&mut conn).await?)
    }
}

/// The funds report as an XLSX workbook: reconciliation differences (when given), ageing, and the
/// overdue disbursement rate per court. Amounts are integer 分 in the cells.
pub fn report_xlsx(
    differences: Option<&[Difference]>,
    ageing: &[Ageing],
    rates: &[OverdueRate],
) -> Result<Vec<u8>, AppError> {
    use rust_xlsxwriter::Workbook;
    let x = |e: rust_xlsxwriter::XlsxError| AppError::Internal(format!("xlsx: {e}"));
    let mut wb = Workbook::new();
    if let Some(diffs) = differences {
        let ws = wb.add_worksheet();
        ws.set_name("对账差异").map_err(x)?;
        for (c, h) in [
            "差异类型",
            "流水号",
            "对账单金额(分)",
            "账面金额(分)",
            "对账单行号",
        ]
        .iter()
        .enumerate()
        {
            ws.write_string(0, u16::try_from(c).unwrap_or(0), *h)
                .map_err(x)?;
        }
        for (i, d) in diffs.iter().enumerate() {
            let r = u32::try_from(i + 1).unwrap_or(u32::MAX);
            ws.write_string(r, 0, &d.kind).map_err(x)?;
            ws.write_string(r, 1, &d.bank_reference).map_err(x)?;
            if let Some(v) = d.statement_fen {
                ws.write_string(r, 2, v.to_string()).map_err(x)?;
            }
            if let Some(v) = d.ledger_fen {
                ws.write_string(r, 3, v.to_string()).map_err(x)?;
            }
            if let Some(v) = d.line {
                ws.write_string(r, 4, v.to_string()).map_err(x)?;
            }
        }
    }
    let ws = wb.add_worksheet();
    ws.set_name("账龄").map_err(x)?;
    let head = [
        "法院",
        "类别",
        "0–30天笔数",
        "0–30天金额(分)",
        "31–60天笔数",
        "31–60天金额(分)",
        "60天以上笔数",
        "60天以上金额(分)",
    ];
    for (c, h) in head.iter().enumerate() {
        ws.write_string(0, u16::try_from(c).unwrap_or(0), *h)
            .map_err(x)?;
    }
    let mut r = 1u32;
    for a in ageing {
        for (label, buckets) in [("未发放案款", &a.undisbursed), ("不明款", &a.unidentified)]
        {
            ws.write_string(r, 0, &a.court).map_err(x)?;
            ws.write_string(r, 1, label).map_err(x)?;
            for (i, (n, fen)) in buckets.iter().enumerate() {
                let col = u16::try_from(2 + i * 2).unwrap_or(0);
                ws.write_string(r, col, n.to_string()).map_err(x)?;
                ws.write_string(r, col + 1, fen.to_string()).map_err(x)?;
            }
            r += 1;
        }
    }
    let ws = wb.add_worksheet();
    ws.set_name("超期发放率").map_err(x)?;
    for (c, h) in [
        "法院",
        "应发笔数",
        "应发金额(分)",
        "超期笔数",
        "超期金额(分)",
        "笔数超期率(‱)",
        "金额超期率(‱)",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(0, u16::try_from(c).unwrap_or(0), *h)
            .map_err(x)?;
    }
    for (i, o) in rates.iter().enumerate() {
        let r = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let (by_count, by_amount) = o.rates_bp();
        ws.write_string(r, 0, &o.court).map_err(x)?;
        for (c, v) in [
            o.due_count,
            o.due_fen,
            o.overdue_count,
            o.overdue_fen,
            by_count,
            by_amount,
        ]
        .iter()
        .enumerate()
        {
            ws.write_string(r, u16::try_from(c + 1).unwrap_or(0), v.to_string())
                .map_err(x)?;
        }
    }
    wb.save_to_buffer().map_err(x)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    const HEADER: &str =
        "bank_reference,received_at,amount_fen,payer_name,payer_account,account_number\n";

    #[test]
    fn csv_parses_quotes_and_bom() {
        let text = format!(
            "\u{feff}{HEADER}R1,2024-09-27 10:00:00,150,\"某某, 公司\",622,233\r\nR2,2024-09-27T10:00:00+08:00,1,\"他说\"\"好\"\"\",,\n"
        );
        let lines = parse_csv(&text).unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].payer_name, "某某, 公司");
        assert_eq!(lines[0].received_at, "2024-09-27T10:00:00+08:00");
        assert_eq!(
            (lines[1].line, lines[1].payer_name.as_str()),
            (3, "他说\"好\"")
        );
    }

    #[test]
    fn csv_errors_name_line_and_field() {
        let text = format!(
            "{HEADER}R1,2024-09-27 10:00:00,1.50,a,b,c\nR2,yesterday,-3,a,b,c\nR3,2024-09-27 10:00:00,5,a,b\n"
        );
        let errs = parse_csv(&text).unwrap_err();
        let got: Vec<(usize, &str, &str)> = errs
            .iter()
            .map(|e| (e.line, e.field.as_str(), e.code.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                (2, "amount_fen", "amount_format"),
                (3, "amount_fen", "amount_format"),
                (3, "received_at", "datetime_format"),
                (4, "-", "column_count"),
            ]
        );
        assert_eq!(parse_csv("a,b\n").unwrap_err()[0].code, "unknown_column");
        assert_eq!(
            parse_csv("bank_reference\n").unwrap_err()[0].code,
            "missing_column"
        );
        assert_eq!(parse_csv("").unwrap_err()[0].code, "empty_file");
        assert_eq!(
            parse_csv(&format!("{HEADER}\"R1,")).unwrap_err()[0].code,
            "csv_quote"
        );
    }

    #[test]
    fn xlsx_round_trip_and_fractional_amounts() {
        use rust_xlsxwriter::Workbook;
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        for (c, h) in COLUMNS.iter().enumerate() {
            ws.write_string(0, u16::try_from(c).unwrap(), *h).unwrap();
        }
        let rows: [(&str, &str, f64); 2] = [
            ("R1", "2024-09-27 10:00:00", 150.0),
            ("R2", "2024-09-27 11:00:00", 1.5),
        ];
        for (i, (r, t, amt)) in rows.iter().enumerate() {
            let row = u32::try_from(i + 1).unwrap();
            ws.write_string(row, 0, *r).unwrap();
            ws.write_string(row, 1, *t).unwrap();
            ws.write_number(row, 2, *amt).unwrap();
            ws.write_string(row, 3, "甲").unwrap();
            ws.write_string(row, 4, "622").unwrap();
            ws.write_string(row, 5, "233").unwrap();
        }
        let bytes = wb.save_to_buffer().unwrap();
        let errs = parse_xlsx(&bytes).unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!((errs[0].line, errs[0].field.as_str()), (3, "amount_fen"));
        assert_eq!(parse_xlsx(b"not a zip").unwrap_err()[0].code, "xlsx_format");
    }

    #[test]
    fn excel_date_serials() {
        assert_eq!(
            excel_serial_text(45562.0 + 10.0 / 24.0),
            "2024-09-27 10:00:00"
        );
        assert_eq!(excel_serial_text(-1.0), "");
    }

    #[test]
    fn report_workbook_is_readable() {
        let bytes = report_xlsx(
            Some(&[Difference {
                kind: "missing_in_ledger".into(),
                bank_reference: "R9".into(),
                statement_fen: Some(5),
                ledger_fen: None,
                line: Some(2),
            }]),
            &[Ageing {
                court: "川1123".into(),
                undisbursed: [(1, 100), (0, 0), (2, 7)],
                unidentified: Default::default(),
            }],
            &[OverdueRate {
                court: "川1123".into(),
                due_count: 4,
                due_fen: 400,
                overdue_count: 1,
                overdue_fen: 300,
            }],
        )
        .unwrap();
        let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
        assert_eq!(book.sheet_names(), ["对账差异", "账龄", "超期发放率"]);
        let rates = book.worksheet_range("超期发放率").unwrap();
        let row: Vec<String> = rates
            .rows()
            .nth(1)
            .unwrap()
            .iter()
            .map(|c| c.to_string())
            .collect();
        assert_eq!(row, ["川1123", "4", "400", "1", "300", "2500", "7500"]);
    }
}
