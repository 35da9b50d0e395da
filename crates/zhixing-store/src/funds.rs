//! 执行款 storage: running balances, the append-only journal, receipts and disbursements.
//!
//! The journal tables (`fund_txns`, `fund_entries`) are only ever INSERTed into by this module; a
//! test in `tests/it/funds.rs` greps the sources for UPDATE/DELETE on them. A posting updates each
//! touched balance with a conditional UPDATE that refuses to take a credit-normal account below zero,
//! so two disbursements racing for one balance cannot both succeed (PostgreSQL re-checks the WHERE
//! on the row it waited for; SQLite has one writer).

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use zhixing_domain::funds::{Account, JournalTxn};

use crate::StoreError;
use crate::batch::Stmt;

fn case_of(a: &Account) -> Option<&str> {
    match a {
        Account::Case(id)
        | Account::ApplicantPayable(id)
        | Account::DebtorRefund(id)
        | Account::RewardPayable(id) => Some(id),
        _ => None,
    }
}

/// Header of a journal transaction.
#[derive(Debug, Clone)]
pub struct TxnHeader<'a> {
    pub court: &'a str,
    pub id: &'a str,
    pub case_id: Option<&'a str>,
    pub at: i64,
    pub actor_id: &'a str,
    pub memo: &'a str,
    pub reverses_id: Option<&'a str>,
}

/// Outcome of [`post`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Posted {
    Ok,
    /// The account would go below zero; nothing usable was written (the caller rolls back).
    Insufficient(Account),
}

/// Post a balanced transaction inside the caller's transaction: update every running balance
/// (refusing overdrafts), then append the transaction and its lines. On `Insufficient` the caller
/// must roll back (other balances of the batch may have changed).
pub async fn post(
    conn: &mut AnyConnection,
    h: &TxnHeader<'_>,
    t: &JournalTxn,
) -> Result<Posted, StoreError> {
    let rows = crate::batch::run(conn, balance_stmts(h.court, h.at, t.lines())).await?;
    let applied: Vec<String> = rows
        .iter()
        .filter_map(|r| r.try_get::<String, _>("applied_account").ok())
        .collect();
    if let Some((acc, _)) = t.lines().iter().find(|(a, _)| !applied.contains(&a.code())) {
        return Ok(Posted::Insufficient(acc.clone()));
    }
    crate::batch::run(conn, journal_stmts(h, t)).await?;
    Ok(Posted::Ok)
}

/// The lines of a stored transaction, to build its reversal.
pub async fn txn_lines(
    conn: &mut AnyConnection,
    court: &str,
    txn_id: &str,
) -> Result<Vec<(Account, i64)>, StoreError> {
    let rows = sqlx::query(
        "SELECT account, amount_fen FROM fund_entries WHERE court_code = $1 AND txn_id = $2 ORDER BY line_no",
    )
    .bind(court)
    .bind(txn_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            let code: String = r.try_get("account")?;
            let acc = Account::parse(&code).map_err(|e| StoreError::Corrupt(e.message))?;
            Ok((acc, r.try_get::<i64, _>("amount_fen")?))
        })
        .collect()
}

/// Raw running balance of one account (0 when it has never been used).
pub async fn raw_balance(
    conn: &mut AnyConnection,
    court: &str,
    account: &Account,
) -> Result<i64, StoreError> {
    let row =
        sqlx::query("SELECT balance_fen FROM fund_balances WHERE court_code = $1 AND account = $2")
            .bind(court)
            .bind(account.code())
            .fetch_optional(&mut *conn)
            .await?;
    Ok(match row {
        Some(r) => r.try_get("balance_fen")?,
        None => 0,
    })
}

/// Every disagreement between the stored running balances and the journal of a court, and a
/// nonzero total: empty when the ledger is consistent.
pub async fn verify(conn: &mut AnyConnection, court: &str) -> Result<Vec<String>, StoreError> {
    let mut problems = Vec::new();
    let stored = sqlx::query(
        "SELECT account, balance_fen FROM fund_balances WHERE court_code = $1 ORDER BY account",
    )
    .bind(court)
    .fetch_all(&mut *conn)
    .await?;
    let journal = sqlx::query(
        "SELECT account, CAST(SUM(amount_fen) AS BIGINT) AS total FROM fund_entries \
         WHERE court_code = $1 GROUP BY account ORDER BY account",
    )
    .bind(court)
    .fetch_all(&mut *conn)
    .await?;
    let mut from_journal = std::collections::BTreeMap::new();
    for r in &journal {
        from_journal.insert(
            r.try_get::<String, _>("account")?,
            r.try_get::<i64, _>("total")?,
        );
    }
    let mut total: i128 = 0;
    for r in &stored {
        let acc: String = r.try_get("account")?;
        let bal: i64 = r.try_get("balance_fen")?;
        total += i128::from(bal);
        let j = from_journal.remove(&acc).unwrap_or(0);
        if j != bal {
            problems.push(format!(
                "{acc}: stored balance {bal} but journal sums to {j}"
            ));
        }
        if acc != "bank" && bal > 0 {
            problems.push(format!("{acc}: negative holding {bal}"));
        }
    }
    for (acc, j) in from_journal {
        problems.push(format!("{acc}: journal sums to {j} but no balance row"));
    }
    if total != 0 {
        problems.push(format!("balances sum to {total}, not 0"));
    }
    let unbalanced = sqlx::query(
        "SELECT txn_id, CAST(SUM(amount_fen) AS BIGINT) AS total FROM fund_entries WHERE court_code = $1 \
         GROUP BY txn_id HAVING SUM(amount_fen) <> 0",
    )
    .bind(court)
    .fetch_all(&mut *conn)
    .await?;
    for r in unbalanced {
        problems.push(format!(
            "transaction {} is unbalanced by {}",
            r.try_get::<String, _>("txn_id")?,
            r.try_get::<i64, _>("total")?
        ));
    }
    Ok(problems)
}

// ---- settings ------------------------------------------------------------------------------------

/// Claim period of unidentified funds for a court (None = the default).
pub async fn claim_days(conn: &mut AnyConnection, court: &str) -> Result<Option<i64>, StoreError> {
    let row = sqlx::query("SELECT claim_days FROM fund_settings WHERE court_code = $1")
        .bind(court)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(match row {
        Some(r) => Some(r.try_get("claim_days")?),
        None => None,
    })
}

pub async fn set_claim_days(
    conn: &mut AnyConnection,
    court: &str,
    days: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO fund_settings (court_code, claim_days) VALUES ($1, $2) \
         ON CONFLICT (court_code) DO UPDATE SET claim_days = $2",
    )
    .bind(court)
    .bind(days)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

// ---- case accounts -------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseAccountRow {
    pub court_code: String,
    pub case_id: String,
    pub account_number: String,
    pub received_fen: i64,
    pub disbursed_fen: i64,
}

fn case_account(r: &AnyRow) -> Result<CaseAccountRow, StoreError> {
    Ok(CaseAccountRow {
        court_code: r.try_get("court_code")?,
        case_id: r.try_get("case_id")?,
        account_number: r.try_get("account_number")?,
        received_fen: r.try_get("received_fen")?,
        disbursed_fen: r.try_get("disbursed_fen")?,
    })
}

pub async fn find_case_account(
    conn: &mut AnyConnection,
    court: &str,
    case_id: &str,
) -> Result<Option<CaseAccountRow>, StoreError> {
    sqlx::query(
        "SELECT court_code, case_id, account_number, received_fen, disbursed_fen FROM fund_case_accounts \
         WHERE court_code = $1 AND case_id = $2",
    )
    .bind(court)
    .bind(case_id)
    .fetch_optional(&mut *conn)
    .await?
    .as_ref()
    .map(case_account)
    .transpose()
}

/// Open the case's account if needed and add to its counters.
pub async fn bump_case_account(
    conn: &mut AnyConnection,
    court: &str,
    case_id: &str,
    account_number: &str,
    received: i64,
    disbursed: i64,
    now_ms: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO fund_case_accounts (court_code, case_id, account_number, received_fen, disbursed_fen, opened_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (court_code, case_id) DO UPDATE SET \
         received_fen = fund_case_accounts.received_fen + $4, disbursed_fen = fund_case_accounts.disbursed_fen + $5",
    )
    .bind(court)
    .bind(case_id)
    .bind(account_number)
    .bind(received)
    .bind(disbursed)
    .bind(now_ms)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A journal line of one account, with its transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryRow {
    pub txn_id: String,
    pub kind: String,
    pub at: i64,
    pub amount_fen: i64,
    pub memo: String,
    pub reverses_id: Option<String>,
}

/// Lines of `account`, oldest first (at most `limit`).
pub async fn entries_of(
    conn: &mut AnyConnection,
    court: &str,
    account: &Account,
    limit: i64,
) -> Result<Vec<EntryRow>, StoreError> {
    let rows = sqlx::query(
        "SELECT e.txn_id, t.kind, e.at, e.amount_fen, t.memo, t.reverses_id FROM fund_entries e \
         JOIN fund_txns t ON t.court_code = e.court_code AND t.id = e.txn_id \
         WHERE e.court_code = $1 AND e.account = $2 ORDER BY e.at, e.txn_id, e.line_no LIMIT $3",
    )
    .bind(court)
    .bind(account.code())
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(EntryRow {
                txn_id: r.try_get("txn_id")?,
                kind: r.try_get("kind")?,
                at: r.try_get("at")?,
                amount_fen: r.try_get("amount_fen")?,
                memo: r.try_get("memo")?,
                reverses_id: r.try_get("reverses_id")?,
            })
        })
        .collect()
}

// ---- receipts ------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptRow {
    pub court_code: String,
    pub id: String,
    pub idempotency_key: String,
    pub request_hash: String,
    pub account_number: String,
    pub amount_fen: i64,
    pub payer_name: String,
    pub payer_account: String,
    pub received_at: i64,
    pub bank_reference: String,
    pub status: String,
    pub case_id: Option<String>,
    pub arrived_on: String,
    pub disburse_by: Option<String>,
    pub claim_by: Option<String>,
    pub txn_id: String,
    pub claim_txn_id: Option<String>,
    pub response_json: String,
    pub created_at: i64,
}

const RECEIPT_COLUMNS: &str = "court_code, id, idempotency_key, request_hash, account_number, amount_fen, payer_name, \
     payer_account, received_at, bank_reference, status, case_id, arrived_on, disburse_by, claim_by, txn_id, \
     claim_txn_id, response_json, created_at";

fn receipt(r: &AnyRow) -> Result<ReceiptRow, StoreError> {
    Ok(ReceiptRow {
        court_code: r.try_get("court_code")?,
        id: r.try_get("id")?,
        idempotency_key: r.try_get("idempotency_key")?,
        request_hash: r.try_get("request_hash")?,
        account_number: r.try_get("account_number")?,
        amount_fen: r.try_get("amount_fen")?,
        payer_name: r.try_get("payer_name")?,
        payer_account: r.try_get("payer_account")?,
        received_at: r.try_get("received_at")?,
        bank_reference: r.try_get("bank_reference")?,
        status: r.try_get("status")?,
        case_id: r.try_get("case_id")?,
        arrived_on: r.try_get("arrived_on")?,
        disburse_by: r.try_get("disburse_by")?,
        claim_by: r.try_get("claim_by")?,
        txn_id: r.try_get("txn_id")?,
        claim_txn_id: r.try_get("claim_txn_id")?,
        response_json: r.try_get("response_json")?,
        created_at: r.try_get("created_at")?,
    })
}

pub async fn insert_receipt(conn: &mut AnyConnection, r: &ReceiptRow) -> Result<(), StoreError> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO fund_receipts ({RECEIPT_COLUMNS}) VALUES \
         ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)"
    )))
    .bind(&r.court_code)
    .bind(&r.id)
    .bind(&r.idempotency_key)
    .bind(&r.request_hash)
    .bind(&r.account_number)
    .bind(r.amount_fen)
    .bind(&r.payer_name)
    .bind(&r.payer_account)
    .bind(r.received_at)
    .bind(&r.bank_reference)
    .bind(&r.status)
    .bind(&r.case_id)
    .bind(&r.arrived_on)
    .bind(&r.disburse_by)
    .bind(&r.claim_by)
    .bind(&r.txn_id)
    .bind(&r.claim_txn_id)
    .bind(&r.response_json)
    .bind(r.created_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn find_receipt_by_key(
    conn: &mut AnyConnection,
    court: &str,
    key: &str,
) -> Result<Option<ReceiptRow>, StoreError> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {RECEIPT_COLUMNS} FROM fund_receipts WHERE court_code = $1 AND idempotency_key = $2"
    )))
    .bind(court)
    .bind(key)
    .fetch_optional(&mut *conn)
    .await?
    .as_ref()
    .map(receipt)
    .transpose()
}

pub async fn find_receipt(
    conn: &mut AnyConnection,
    court: &str,
    id: &str,
) -> Result<Option<ReceiptRow>, StoreError> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {RECEIPT_COLUMNS} FROM fund_receipts WHERE court_code = $1 AND id = $2"
    )))
    .bind(court)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .as_ref()
    .map(receipt)
    .transpose()
}

/// Receipts of a court with `status`, oldest first.
pub async fn receipts_with_status(
    conn: &mut AnyConnection,
    court: &str,
    status: &str,
    limit: i64,
) -> Result<Vec<ReceiptRow>, StoreError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {RECEIPT_COLUMNS} FROM fund_receipts WHERE court_code = $1 AND status = $2 \
         ORDER BY received_at, id LIMIT $3"
    )))
    .bind(court)
    .bind(status)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(receipt).collect()
}

/// Receipts that reached a case (booked or claimed), oldest first.
pub async fn receipts_of_case(
    conn: &mut AnyConnection,
    court: &str,
    case_id: &str,
) -> Result<Vec<ReceiptRow>, StoreError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {RECEIPT_COLUMNS} FROM fund_receipts WHERE court_code = $1 AND case_id = $2 \
         ORDER BY received_at, id"
    )))
    .bind(court)
    .bind(case_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(receipt).collect()
}

/// Arm the claim-deadline warning of an unidentified receipt (migration 0004).
pub fn set_claim_fire_stmt(court: &str, id: &str, fire_at: Option<i64>) -> Stmt {
    Stmt::new("UPDATE fund_receipts SET claim_fire_at = $1 WHERE court_code = $2 AND id = $3")
        .opt_int(fire_at)
        .text(court)
        .text(id)
}

/// An unidentified receipt whose claim warning is due: (court, id, claim_by, amount, payer,
/// bank reference, status).
pub type DueClaim = (String, String, Option<String>, i64, String, String, String);

/// Unidentified receipts whose claim warning is due at `now` (the scheduler; locked like
/// the deadlines on PostgreSQL).
pub async fn due_claims(
    conn: &mut AnyConnection,
    now_ms: i64,
    limit: i64,
) -> Result<Vec<DueClaim>, StoreError> {
    let lock = crate::Backend::of(conn).skip_locked_clause();
    let sql = format!(
        "SELECT court_code, id, claim_by, amount_fen, payer_name, bank_reference, status FROM fund_receipts \
         WHERE claim_fire_at <= $1 ORDER BY claim_fire_at LIMIT $2{lock}"
    );
    sqlx::query(crate::dynamic(&sql))
        .bind(now_ms)
        .bind(limit)
        .fetch_all(conn)
        .await?
        .iter()
        .map(|r| {
            Ok((
                r.try_get("court_code")?,
                r.try_get("id")?,
                r.try_get("claim_by")?,
                r.try_get("amount_fen")?,
                r.try_get("payer_name")?,
                r.try_get("bank_reference")?,
                r.try_get("status")?,
            ))
        })
        .collect()
}

/// Mark an unidentified receipt claimed to a case. Only an unidentified receipt changes (the WHERE
/// makes a second, concurrent claim a no-op that the caller sees as `false`).
pub async fn mark_claimed(
    conn: &mut AnyConnection,
    court: &str,
    id: &str,
    case_id: &str,
    disburse_by: &str,
    claim_txn_id: &str,
) -> Result<bool, StoreError> {
    let r = sqlx::query(
        "UPDATE fund_receipts SET status = 'claimed', case_id = $1, disburse_by = $2, claim_txn_id = $3, \
         claim_fire_at = NULL WHERE court_code = $4 AND id = $5 AND status = 'unidentified'",
    )
    .bind(case_id)
    .bind(disburse_by)
    .bind(claim_txn_id)
    .bind(court)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// A suggested case for unidentified money, with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    pub case_id: String,
    pub case_number: String,
    pub reason: String,
}

/// Open cases of `court` whose debtor is named `payer`, and those whose outstanding claim
/// (claim − received) equals `amount`.
pub async fn suggestions(
    conn: &mut AnyConnection,
    court: &str,
    payer: &str,
    amount: i64,
    limit: i64,
) -> Result<Vec<Suggestion>, StoreError> {
    let mut out: Vec<Suggestion> = Vec::new();
    let by_debtor = sqlx::query(
        "SELECT DISTINCT c.id, c.case_number FROM parties p JOIN cases c ON c.court_code = p.court_code AND c.id = p.case_id \
         WHERE p.court_code = $1 AND p.role = 'debtor' AND p.name = $2 AND c.status <> 'closed' ORDER BY c.case_number LIMIT $3",
    )
    .bind(court)
    .bind(payer)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    for r in by_debtor {
        out.push(Suggestion {
            case_id: r.try_get("id")?,
            case_number: r.try_get("case_number")?,
            reason: "payer_is_debtor".into(),
        });
    }
    let by_amount = sqlx::query(
        "SELECT c.id, c.case_number FROM cases c LEFT JOIN fund_case_accounts a ON a.court_code = c.court_code AND a.case_id = c.id \
         WHERE c.court_code = $1 AND c.status <> 'closed' AND c.claim_fen - COALESCE(a.received_fen, 0) = $2 \
         ORDER BY c.case_number LIMIT $3",
    )
    .bind(court)
    .bind(amount)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    for r in by_amount {
        out.push(Suggestion {
            case_id: r.try_get("id")?,
            case_number: r.try_get("case_number")?,
            reason: "amount_equals_outstanding_claim".into(),
        });
    }
    Ok(out)
}

/// The id of the case of `court` with this case number.
pub async fn case_id_by_number(
    conn: &mut AnyConnection,
    court: &str,
    case_number: &str,
) -> Result<Option<String>, StoreError> {
    let row = sqlx::query("SELECT id FROM cases WHERE court_code = $1 AND case_number = $2")
        .bind(court)
        .bind(case_number)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(match row {
        Some(r) => Some(r.try_get("id")?),
        None => None,
    })
}

// ---- disbursements -------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisbursementRow {
    pub court_code: String,
    pub id: String,
    pub case_id: String,
    pub status: String,
    pub total_fen: i64,
    pub proposed_by: String,
    pub proposed_at: i64,
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
    pub decision_reason: Option<String>,
    pub approve_txn_id: Option<String>,
    pub paid_txn_id: Option<String>,
    pub bank_reference: Option<String>,
    /// The proposer's idempotency key (a web form's per-render key; migration 0012): unique per
    /// court and proposer, so a resubmitted form finds its first proposal.
    pub idempotency_key: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisbursementLineRow {
    pub line_no: i64,
    pub kind: String,
    pub payee_name: String,
    pub payee_account: String,
    pub amount_fen: i64,
    /// A `fine` line: the fine decision it pays (migration 0011).
    pub measure_id: Option<String>,
}

const DISB_COLUMNS: &str = "court_code, id, case_id, status, total_fen, proposed_by, proposed_at, decided_by, \
     decided_at, decision_reason, approve_txn_id, paid_txn_id, bank_reference, idempotency_key";

fn disbursement(r: &AnyRow) -> Result<DisbursementRow, StoreError> {
    Ok(DisbursementRow {
        court_code: r.try_get("court_code")?,
        id: r.try_get("id")?,
        case_id: r.try_get("case_id")?,
        status: r.try_get("status")?,
        total_fen: r.try_get("total_fen")?,
        proposed_by: r.try_get("proposed_by")?,
        proposed_at: r.try_get("proposed_at")?,
        decided_by: r.try_get("decided_by")?,
        decided_at: r.try_get("decided_at")?,
        decision_reason: r.try_get("decision_reason")?,
        approve_txn_id: r.try_get("approve_txn_id")?,
        paid_txn_id: r.try_get("paid_txn_id")?,
        bank_reference: r.try_get("bank_reference")?,
        idempotency_key: r.try_get("idempotency_key")?,
    })
}

pub async fn insert_disbursement(
    conn: &mut AnyConnection,
    d: &DisbursementRow,
    lines: &[DisbursementLineRow],
) -> Result<(), StoreError> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO fund_disbursements ({DISB_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
    )))
    .bind(&d.court_code)
    .bind(&d.id)
    .bind(&d.case_id)
    .bind(&d.status)
    .bind(d.total_fen)
    .bind(&d.proposed_by)
    .bind(d.proposed_at)
    .bind(&d.decided_by)
    .bind(d.decided_at)
    .bind(&d.decision_reason)
    .bind(&d.approve_txn_id)
    .bind(&d.paid_txn_id)
    .bind(&d.bank_reference)
    .bind(&d.idempotency_key)
    .execute(&mut *conn)
    .await?;
    for l in lines {
        sqlx::query(
            "INSERT INTO fund_disbursement_lines (court_code, disbursement_id, line_no, kind, payee_name, payee_account, \
             amount_fen, measure_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&d.court_code)
        .bind(&d.id)
        .bind(l.line_no)
        .bind(&l.kind)
        .bind(&l.payee_name)
        .bind(&l.payee_account)
        .bind(l.amount_fen)
        .bind(&l.measure_id)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// What the fine decision `measure_id` has been paid through disbursement lines: approved and
/// paid disbursements (their money is in fine income), plus proposed ones when `with_proposed`.
pub async fn fine_paid_fen(
    conn: &mut AnyConnection,
    court: &str,
    measure_id: &str,
    with_proposed: bool,
) -> Result<i64, StoreError> {
    let statuses = if with_proposed {
        "('proposed', 'approved', 'paid')"
    } else {
        "('approved', 'paid')"
    };
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT CAST(COALESCE(SUM(l.amount_fen), 0) AS BIGINT) AS total FROM fund_disbursement_lines l \
         JOIN fund_disbursements d ON d.court_code = l.court_code AND d.id = l.disbursement_id \
         WHERE l.court_code = $1 AND l.measure_id = $2 AND l.kind = 'fine' AND d.status IN {statuses}"
    )))
    .bind(court)
    .bind(measure_id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(row.try_get("total")?)
}

/// A disbursement by id (ids are UUIDv7, unique across courts).
pub async fn find_disbursement(
    conn: &mut AnyConnection,
    id: &str,
) -> Result<Option<DisbursementRow>, StoreError> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {DISB_COLUMNS} FROM fund_disbursements WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .as_ref()
    .map(disbursement)
    .transpose()
}

/// The proposal `proposed_by` made under `key` in `court`, if any.
pub async fn find_disbursement_by_key(
    conn: &mut AnyConnection,
    court: &str,
    proposed_by: &str,
    key: &str,
) -> Result<Option<DisbursementRow>, StoreError> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {DISB_COLUMNS} FROM fund_disbursements \
         WHERE court_code = $1 AND proposed_by = $2 AND idempotency_key = $3"
    )))
    .bind(court)
    .bind(proposed_by)
    .bind(key)
    .fetch_optional(&mut *conn)
    .await?
    .as_ref()
    .map(disbursement)
    .transpose()
}

/// A case's disbursements, newest first (index `fund_disbursements_case`).
pub async fn disbursements_of_case(
    conn: &mut AnyConnection,
    court: &str,
    case_id: &str,
) -> Result<Vec<DisbursementRow>, StoreError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {DISB_COLUMNS} FROM fund_disbursements WHERE court_code = $1 AND case_id = $2 \
         ORDER BY proposed_at DESC, id DESC"
    )))
    .bind(court)
    .bind(case_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(disbursement).collect()
}

pub async fn disbursements_with_status(
    conn: &mut AnyConnection,
    court: &str,
    status: &str,
) -> Result<Vec<DisbursementRow>, StoreError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {DISB_COLUMNS} FROM fund_disbursements WHERE court_code = $1 AND status = $2 ORDER BY proposed_at, id"
    )))
    .bind(court)
    .bind(status)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(disbursement).collect()
}

pub async fn disbursement_lines(
    conn: &mut AnyConnection,
    court: &str,
    id: &str,
) -> Result<Vec<DisbursementLineRow>, StoreError> {
    let rows = sqlx::query(
        "SELECT line_no, kind, payee_name, payee_account, amount_fen, measure_id FROM fund_disbursement_lines \
         WHERE court_code = $1 AND disbursement_id = $2 ORDER BY line_no",
    )
    .bind(court)
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(DisbursementLineRow {
                line_no: r.try_get("line_no")?,
                kind: r.try_get("kind")?,
                payee_name: r.try_get("payee_name")?,
                payee_account: r.try_get("payee_account")?,
                amount_fen: r.try_get("amount_fen")?,
                measure_id: r.try_get("measure_id")?,
            })
        })
        .collect()
}

/// Move a disbursement from `from_status` to its decision. Returns false when it was no longer in
/// `from_status` (decided concurrently), so a decision is taken once.
#[allow(clippy::too_many_arguments)]
pub async fn decide_disbursement(
    conn: &mut AnyConnection,
    court: &str,
    id: &str,
    from_status: &str,
    to_status: &str,
    actor_id: &str,
    at: i64,
    reason: Option<&str>,
    txn_id: Option<&str>,
) -> Result<bool, StoreError> {
    let r = sqlx::query(
        "UPDATE fund_disbursements SET status = $1, decided_by = $2, decided_at = $3, decision_reason = $4, \
         approve_txn_id = $5 WHERE court_code = $6 AND id = $7 AND status = $8",
    )
    .bind(to_status)
    .bind(actor_id)
    .bind(at)
    .bind(reason)
    .bind(txn_id)
    .bind(court)
    .bind(id)
    .bind(from_status)
    .execute(&mut *conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Mark an approved disbursement paid (the bank's confirmation).
pub async fn mark_paid(
    conn: &mut AnyConnection,
    court: &str,
    id: &str,
    txn_id: &str,
    bank_reference: &str,
) -> Result<bool, StoreError> {
    let r = sqlx::query(
        "UPDATE fund_disbursements SET status = 'paid', paid_txn_id = $1, bank_reference = $2 \
         WHERE court_code = $3 AND id = $4 AND status = 'approved'",
    )
    .bind(txn_id)
    .bind(bank_reference)
    .bind(court)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Case accounts of a court that hold money: (case_id, case_number, balance held).
pub async fn cases_holding_money(
    conn: &mut AnyConnection,
    court: &str,
) -> Result<Vec<(String, String, i64)>, StoreError> {
    let rows = sqlx::query(
        "SELECT b.case_id, c.case_number, b.balance_fen FROM fund_balances b \
         JOIN cases c ON c.court_code = b.court_code AND c.id = b.case_id \
         WHERE b.court_code = $1 AND b.kind = 'case' AND b.balance_fen < 0 ORDER BY c.case_number",
    )
    .bind(court)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("case_id")?,
                r.try_get("case_number")?,
                r.try_get::<i64, _>("balance_fen")?.saturating_neg(),
            ))
        })
        .collect()
}

/// Receipts of a court with this bank reference.
pub async fn receipts_by_reference(
    conn: &mut AnyConnection,
    court: &str,
    bank_reference: &str,
) -> Result<Vec<ReceiptRow>, StoreError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {RECEIPT_COLUMNS} FROM fund_receipts WHERE court_code = $1 AND bank_reference = $2 ORDER BY id"
    )))
    .bind(court)
    .bind(bank_reference)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(receipt).collect()
}

/// Receipts of a court that arrived on `day` (YYYY-MM-DD).
pub async fn receipts_on(
    conn: &mut AnyConnection,
    court: &str,
    day: &str,
) -> Result<Vec<ReceiptRow>, StoreError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {RECEIPT_COLUMNS} FROM fund_receipts WHERE court_code = $1 AND arrived_on = $2 ORDER BY received_at, id"
    )))
    .bind(court)
    .bind(day)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(receipt).collect()
}

/// Every receipt of a court that reached a case: (case_id, receipt_id, arrived_on, amount, disburse_by).
pub async fn case_inflows(
    conn: &mut AnyConnection,
    court: &str,
) -> Result<Vec<(String, String, String, i64, String)>, StoreError> {
    let rows = sqlx::query(
        "SELECT case_id, id, arrived_on, amount_fen, disburse_by FROM fund_receipts \
         WHERE court_code = $1 AND case_id IS NOT NULL AND disburse_by IS NOT NULL ORDER BY case_id, received_at, id",
    )
    .bind(court)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("case_id")?,
                r.try_get("id")?,
                r.try_get("arrived_on")?,
                r.try_get("amount_fen")?,
                r.try_get("disburse_by")?,
            ))
        })
        .collect()
}

/// Money out of every case account of a court: (case_id, at, amount > 0).
pub async fn case_outflows(
    conn: &mut AnyConnection,
    court: &str,
) -> Result<Vec<(String, i64, i64)>, StoreError> {
    let rows = sqlx::query(
        "SELECT case_id, at, amount_fen FROM fund_entries \
         WHERE court_code = $1 AND account LIKE 'case:%' AND amount_fen > 0 ORDER BY case_id, at",
    )
    .bind(court)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("case_id")?,
                r.try_get("at")?,
                r.try_get("amount_fen")?,
            ))
        })
        .collect()
}

/// Courts that have any funds activity.
pub async fn courts_with_funds(conn: &mut AnyConnection) -> Result<Vec<String>, StoreError> {
    let rows = sqlx::query("SELECT DISTINCT court_code FROM fund_balances ORDER BY court_code")
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(|r| Ok(r.try_get("court_code")?)).collect()
}

// ---- deferrals and reversals ---------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeferralRow {
    pub court_code: String,
    pub id: String,
    pub case_id: String,
    pub reason: String,
    pub new_disburse_by: String,
    pub requested_by: String,
    pub requested_at: i64,
    pub status: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
}

pub async fn insert_deferral(conn: &mut AnyConnection, d: &DeferralRow) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO fund_deferrals (court_code, id, case_id, reason, new_disburse_by, requested_by, requested_at, status, \
         decided_by, decided_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(&d.court_code)
    .bind(&d.id)
    .bind(&d.case_id)
    .bind(&d.reason)
    .bind(&d.new_disburse_by)
    .bind(&d.requested_by)
    .bind(d.requested_at)
    .bind(&d.status)
    .bind(&d.decided_by)
    .bind(d.decided_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn find_deferral(
    conn: &mut AnyConnection,
    id: &str,
) -> Result<Option<DeferralRow>, StoreError> {
    let row = sqlx::query(
        "SELECT court_code, id, case_id, reason, new_disburse_by, requested_by, requested_at, status, decided_by, \
         decided_at FROM fund_deferrals WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| {
        Ok(DeferralRow {
            court_code: r.try_get("court_code")?,
            id: r.try_get("id")?,
            case_id: r.try_get("case_id")?,
            reason: r.try_get("reason")?,
            new_disburse_by: r.try_get("new_disburse_by")?,
            requested_by: r.try_get("requested_by")?,
            requested_at: r.try_get("requested_at")?,
            status: r.try_get("status")?,
            decided_by: r.try_get("decided_by")?,
            decided_at: r.try_get("decided_at")?,
        })
    })
    .transpose()
}

/// Decide a requested deferral once (false when it was already decided).
pub async fn decide_deferral(
    conn: &mut AnyConnection,
    court: &str,
    id: &str,
    status: &str,
    actor_id: &str,
    at: i64,
) -> Result<bool, StoreError> {
    let r = sqlx::query(
        "UPDATE fund_deferrals SET status = $1, decided_by = $2, decided_at = $3 \
         WHERE court_code = $4 AND id = $5 AND status = 'requested'",
    )
    .bind(status)
    .bind(actor_id)
    .bind(at)
    .bind(court)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Move the disbursement deadline of a case's arrivals to `new_due` (only ever later).
pub async fn extend_disburse_by(
    conn: &mut AnyConnection,
    court: &str,
    case_id: &str,
    new_due: &str,
) -> Result<u64, StoreError> {
    let r = sqlx::query(
        "UPDATE fund_receipts SET disburse_by = $1 WHERE court_code = $2 AND case_id = $3 \
         AND disburse_by IS NOT NULL AND disburse_by < $1",
    )
    .bind(new_due)
    .bind(court)
    .bind(case_id)
    .execute(&mut *conn)
    .await?;
    Ok(r.rows_affected())
}

/// A journal transaction's header.
pub async fn find_txn(
    conn: &mut AnyConnection,
    court: &str,
    id: &str,
) -> Result<Option<(String, Option<String>)>, StoreError> {
    let row = sqlx::query("SELECT kind, case_id FROM fund_txns WHERE court_code = $1 AND id = $2")
        .bind(court)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|r| Ok((r.try_get("kind")?, r.try_get("case_id")?)))
        .transpose()
}

/// The receipt a receipt or claim transaction belongs to.
pub async fn receipt_of_txn(
    conn: &mut AnyConnection,
    court: &str,
    txn_id: &str,
) -> Result<Option<ReceiptRow>, StoreError> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {RECEIPT_COLUMNS} FROM fund_receipts WHERE court_code = $1 AND (txn_id = $2 OR claim_txn_id = $2)"
    )))
    .bind(court)
    .bind(txn_id)
    .fetch_optional(&mut *conn)
    .await?
    .as_ref()
    .map(receipt)
    .transpose()
}

/// Set a receipt's status after a reversal: 'reversed' (the receipt itself was wrong) or back to
/// 'unidentified' (a wrong claim), clearing its case.
pub async fn set_receipt_status(
    conn: &mut AnyConnection,
    court: &str,
    id: &str,
    status: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE fund_receipts SET status = $1, case_id = CASE WHEN $1 = 'reversed' THEN case_id ELSE NULL END, \
         disburse_by = NULL, claim_txn_id = NULL WHERE court_code = $2 AND id = $3",
    )
    .bind(status)
    .bind(court)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Whether a transaction already has a reversal.
pub async fn is_reversed(
    conn: &mut AnyConnection,
    court: &str,
    txn_id: &str,
) -> Result<bool, StoreError> {
    Ok(
        sqlx::query("SELECT id FROM fund_txns WHERE court_code = $1 AND reverses_id = $2")
            .bind(court)
            .bind(txn_id)
            .fetch_optional(&mut *conn)
            .await?
            .is_some(),
    )
}

// ---- batched statements (bulk import) ------------------------------------------------------------

/// Balance changes as statements (the SQL of [`post`]; account order, so concurrent writers lock
/// rows in one order): each conditional
/// UPDATE returns `balance_fen` only when it applied, so the caller checks that one row per account
/// came back. A bulk import sums its deltas per account and applies them once at the end of its
/// transaction (PostgreSQL keeps every version of a row updated many times in one transaction).
pub fn balance_stmts(court: &str, at: i64, deltas: &[(Account, i64)]) -> Vec<Stmt> {
    let mut sorted: Vec<&(Account, i64)> = deltas.iter().collect();
    sorted.sort_by_key(|(a, _)| a.code());
    let mut v = Vec::with_capacity(sorted.len() * 2);
    for (acc, amount) in sorted {
        v.push(
            Stmt::new(
                "INSERT INTO fund_balances (court_code, account, kind, case_id, balance_fen, updated_at) \
                 VALUES ($1, $2, $3, $4, 0, $5) ON CONFLICT (court_code, account) DO NOTHING",
            )
            .text(court)
            .text(acc.code())
            .text(acc.kind())
            .opt(case_of(acc))
            .int(at),
        );
        v.push(
            Stmt::new(
                "UPDATE fund_balances SET balance_fen = balance_fen + $1, updated_at = $2 \
                 WHERE court_code = $3 AND account = $4 AND (kind = 'bank' OR balance_fen + $1 <= 0) \
                 RETURNING balance_fen, account AS applied_account",
            )
            .int(*amount)
            .int(at)
            .text(court)
            .text(acc.code()),
        );
    }
    v
}

/// The journal rows of `t` (transaction header and lines): INSERTs only.
pub fn journal_stmts(h: &TxnHeader<'_>, t: &JournalTxn) -> Vec<Stmt> {
    let mut v = Vec::with_capacity(t.lines().len() + 1);
    v.push(
        Stmt::new(
            "INSERT INTO fund_txns (court_code, id, kind, case_id, at, actor_id, memo, reverses_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .text(h.court)
        .text(h.id)
        .text(t.kind().as_str())
        .opt(h.case_id)
        .int(h.at)
        .text(h.actor_id)
        .text(h.memo)
        .opt(h.reverses_id),
    );
    for (i, (acc, amount)) in t.lines().iter().enumerate() {
        v.push(
            Stmt::new(
                "INSERT INTO fund_entries (court_code, txn_id, line_no, account, case_id, amount_fen, at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .text(h.court)
            .text(h.id)
            .int(i64::try_from(i).unwrap_or(i64::MAX))
            .text(acc.code())
            .opt(case_of(acc))
            .int(*amount)
            .int(h.at),
        );
    }
    v
}

/// [`bump_case_account`] as a statement.
pub fn bump_case_account_stmt(
    court: &str,
    case_id: &str,
    account_number: &str,
    received: i64,
    disbursed: i64,
    now_ms: i64,
) -> Stmt {
    Stmt::new(
        "INSERT INTO fund_case_accounts (court_code, case_id, account_number, received_fen, disbursed_fen, opened_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (court_code, case_id) DO UPDATE SET \
         received_fen = fund_case_accounts.received_fen + $4, disbursed_fen = fund_case_accounts.disbursed_fen + $5",
    )
    .text(court)
    .text(case_id)
    .text(account_number)
    .int(received)
    .int(disbursed)
    .int(now_ms)
}

/// [`insert_receipt`] as a statement.
pub fn insert_receipt_stmt(r: &ReceiptRow) -> Stmt {
    Stmt::new(format!(
        "INSERT INTO fund_receipts ({RECEIPT_COLUMNS}) VALUES \
         ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)"
    ))
    .text(&r.court_code)
    .text(&r.id)
    .text(&r.idempotency_key)
    .text(&r.request_hash)
    .text(&r.account_number)
    .int(r.amount_fen)
    .text(&r.payer_name)
    .text(&r.payer_account)
    .int(r.received_at)
    .text(&r.bank_reference)
    .text(&r.status)
    .opt(r.case_id.clone())
    .text(&r.arrived_on)
    .opt(r.disburse_by.clone())
    .opt(r.claim_by.clone())
    .text(&r.txn_id)
    .opt(r.claim_txn_id.clone())
    .text(&r.response_json)
    .int(r.created_at)
}

/// Amounts already booked under these bank references: reference → amount (of the first receipt).
pub async fn amounts_by_reference(
    conn: &mut AnyConnection,
    court: &str,
    references: &[&str],
) -> Result<std::collections::HashMap<String, i64>, StoreError> {
    let mut out = std::collections::HashMap::new();
    for chunk in references.chunks(500) {
        let placeholders: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
        let sql = format!(
            "SELECT bank_reference, amount_fen FROM fund_receipts WHERE court_code = $1 AND bank_reference IN ({})",
            placeholders.join(", ")
        );
        let mut q = sqlx::query(crate::dynamic(&sql)).bind(court.to_owned());
        for r in chunk {
            q = q.bind((*r).to_owned());
        }
        for row in q.fetch_all(&mut *conn).await? {
            out.entry(row.try_get::<String, _>("bank_reference")?)
                .or_insert(row.try_get::<i64, _>("amount_fen")?);
        }
    }
    Ok(out)
}
