//! Duty capabilities (issue 4): reward notices and their leads and payouts (悬赏), 执行110 tip-offs
//! and 临控 requests, 拒执罪 referrals, and the per-court duty settings.
//!
//! Writes are statement builders ([`Stmt`]) so a use case runs them in its own transaction. State
//! changes write the whole mutable part of a row back guarded by the status it was read with
//! (`… AND status = $n RETURNING id`): a concurrent change of the same row returns no row and the
//! caller answers 409 instead of overwriting it.
//!
//! Confidentiality: the public queries ([`published_notices`]) never select tipster or reporter
//! columns.

use sqlx::{AnyConnection, Row};

use crate::StoreError;
use crate::batch::Stmt;

fn flag(r: &sqlx::any::AnyRow, col: &str) -> Result<bool, StoreError> {
    Ok(r.try_get::<i64, _>(col)? != 0)
}

fn int(b: bool) -> i64 {
    i64::from(b)
}

// ---------------------------------------------------------------------------------------------
// Settings
// ---------------------------------------------------------------------------------------------

/// A court's duty settings (defaults when the court has no row).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DutySettings {
    pub urgent_response_minutes: i64,
    pub normal_response_minutes: i64,
    pub referral_transfer_days: i64,
    pub referral_trial_days: i64,
}

pub async fn settings(
    conn: &mut AnyConnection,
    court: &str,
    defaults: DutySettings,
) -> Result<DutySettings, StoreError> {
    let row = sqlx::query(
        "SELECT urgent_response_minutes, normal_response_minutes, referral_transfer_days, referral_trial_days \
         FROM duty_settings WHERE court_code = $1",
    )
    .bind(court.to_owned())
    .fetch_optional(conn)
    .await?;
    match row {
        None => Ok(defaults),
        Some(r) => Ok(DutySettings {
            urgent_response_minutes: r.try_get("urgent_response_minutes")?,
            normal_response_minutes: r.try_get("normal_response_minutes")?,
            referral_transfer_days: r.try_get("referral_transfer_days")?,
            referral_trial_days: r.try_get("referral_trial_days")?,
        }),
    }
}

pub fn upsert_settings_stmt(court: &str, s: &DutySettings, now_ms: i64) -> Stmt {
    Stmt::new(
        "INSERT INTO duty_settings (court_code, urgent_response_minutes, normal_response_minutes, \
         referral_transfer_days, referral_trial_days, updated_at) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (court_code) DO UPDATE SET urgent_response_minutes = $2, normal_response_minutes = $3, \
         referral_transfer_days = $4, referral_trial_days = $5, updated_at = $6",
    )
    .text(court)
    .int(s.urgent_response_minutes)
    .int(s.normal_response_minutes)
    .int(s.referral_transfer_days)
    .int(s.referral_trial_days)
    .int(now_ms)
}

// ---------------------------------------------------------------------------------------------
// Reward notices
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RewardRow {
    pub court_code: String,
    pub id: String,
    pub case_id: String,
    pub case_number: String,
    pub applicant_name: String,
    pub debtor_name: String,
    pub debtor_id_masked: String,
    pub amount_fen: Option<i64>,
    pub formula: Option<String>,
    pub promise_to_pay: bool,
    /// 发布方式 the applicant asked for (INV art 21(3)).
    pub publish_via: String,
    /// The contact printed on the notice.
    pub channel: String,
    pub applied_on: String,
    pub decide_by: String,
    pub status: String,
    pub decided_on: Option<String>,
    pub decided_by: Option<String>,
    pub decision_note: Option<String>,
    pub published_on: Option<String>,
    pub public_text: Option<String>,
    pub closed_on: Option<String>,
    pub close_note: Option<String>,
    pub last_lead_seq: i64,
    pub created_by: String,
    pub created_at: i64,
    pub updated_at: i64,
}

const REWARD_COLS: &str = "court_code, id, case_id, case_number, applicant_name, debtor_name, debtor_id_masked, \
    amount_fen, formula, promise_to_pay, publish_via, channel, applied_on, decide_by, status, decided_on, decided_by, \
    decision_note, published_on, public_text, closed_on, close_note, last_lead_seq, created_by, created_at, updated_at";

fn reward_row(r: &sqlx::any::AnyRow) -> Result<RewardRow, StoreError> {
    Ok(RewardRow {
        court_code: r.try_get("court_code")?,
        id: r.try_get("id")?,
        case_id: r.try_get("case_id")?,
        case_number: r.try_get("case_number")?,
        applicant_name: r.try_get("applicant_name")?,
        debtor_name: r.try_get("debtor_name")?,
        debtor_id_masked: r.try_get("debtor_id_masked")?,
        amount_fen: r.try_get("amount_fen")?,
        formula: r.try_get("formula")?,
        promise_to_pay: flag(r, "promise_to_pay")?,
        publish_via: r.try_get("publish_via")?,
        channel: r.try_get("channel")?,
        applied_on: r.try_get("applied_on")?,
        decide_by: r.try_get("decide_by")?,
        status: r.try_get("status")?,
        decided_on: r.try_get("decided_on")?,
        decided_by: r.try_get("decided_by")?,
        decision_note: r.try_get("decision_note")?,
        published_on: r.try_get("published_on")?,
        public_text: r.try_get("public_text")?,
        closed_on: r.try_get("closed_on")?,
        close_note: r.try_get("close_note")?,
        last_lead_seq: r.try_get("last_lead_seq")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

pub fn insert_reward_stmt(n: &RewardRow) -> Stmt {
    Stmt::new(format!(
        "INSERT INTO reward_notices ({REWARD_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, \
         $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26)"
    ))
    .text(&n.court_code)
    .text(&n.id)
    .text(&n.case_id)
    .text(&n.case_number)
    .text(&n.applicant_name)
    .text(&n.debtor_name)
    .text(&n.debtor_id_masked)
    .opt_int(n.amount_fen)
    .opt(n.formula.clone())
    .int(int(n.promise_to_pay))
    .text(&n.publish_via)
    .text(&n.channel)
    .text(&n.applied_on)
    .text(&n.decide_by)
    .text(&n.status)
    .opt(n.decided_on.clone())
    .opt(n.decided_by.clone())
    .opt(n.decision_note.clone())
    .opt(n.published_on.clone())
    .opt(n.public_text.clone())
    .opt(n.closed_on.clone())
    .opt(n.close_note.clone())
    .int(n.last_lead_seq)
    .text(&n.created_by)
    .int(n.created_at)
    .int(n.updated_at)
}

/// Write back the decision/publication/closing fields, if the row still has `prev_status`
/// (returns a row `id` when it did).
pub fn update_reward_stmt(n: &RewardRow, prev_status: &str) -> Stmt {
    Stmt::new(
        "UPDATE reward_notices SET status = $1, decided_on = $2, decided_by = $3, decision_note = $4, \
         published_on = $5, public_text = $6, closed_on = $7, close_note = $8, updated_at = $9 \
         WHERE court_code = $10 AND id = $11 AND status = $12 RETURNING id",
    )
    .text(&n.status)
    .opt(n.decided_on.clone())
    .opt(n.decided_by.clone())
    .opt(n.decision_note.clone())
    .opt(n.published_on.clone())
    .opt(n.public_text.clone())
    .opt(n.closed_on.clone())
    .opt(n.close_note.clone())
    .int(n.updated_at)
    .text(&n.court_code)
    .text(&n.id)
    .text(prev_status)
}

/// Lock a notice's row for the rest of the transaction (PostgreSQL row lock; SQLite holds the
/// database write lock anyway), so payouts against one notice are checked one after the other.
pub fn lock_reward_stmt(court: &str, id: &str, now_ms: i64) -> Stmt {
    Stmt::new(
        "UPDATE reward_notices SET updated_at = $1 WHERE court_code = $2 AND id = $3 RETURNING id",
    )
    .int(now_ms)
    .text(court)
    .text(id)
}

/// Take the next lead number of a published notice (INV art 23: registered in order); the row
/// returned has `last_lead_seq`. No row: the notice is not published (any more).
pub fn next_lead_seq_stmt(court: &str, notice_id: &str) -> Stmt {
    Stmt::new(
        "UPDATE reward_notices SET last_lead_seq = last_lead_seq + 1 \
         WHERE court_code = $1 AND id = $2 AND status = 'published' RETURNING last_lead_seq",
    )
    .text(court)
    .text(notice_id)
}

pub async fn find_reward(
    conn: &mut AnyConnection,
    id: &str,
) -> Result<Option<RewardRow>, StoreError> {
    let sql = format!("SELECT {REWARD_COLS} FROM reward_notices WHERE id = $1");
    let row = sqlx::query(crate::dynamic(&sql))
        .bind(id.to_owned())
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(reward_row).transpose()
}

pub async fn rewards_of_case(
    conn: &mut AnyConnection,
    court: &str,
    case_id: &str,
) -> Result<Vec<RewardRow>, StoreError> {
    let sql = format!(
        "SELECT {REWARD_COLS} FROM reward_notices WHERE court_code = $1 AND case_id = $2 ORDER BY created_at, id"
    );
    let rows = sqlx::query(crate::dynamic(&sql))
        .bind(court.to_owned())
        .bind(case_id.to_owned())
        .fetch_all(conn)
        .await?;
    rows.iter().map(reward_row).collect()
}

/// What the public portal shows of a notice: no applicant, no tipster, no decision internals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicNotice {
    pub id: String,
    pub court_code: String,
    pub court_name: String,
    pub case_number: String,
    pub debtor_name: String,
    pub debtor_id_masked: String,
    pub amount_fen: Option<i64>,
    pub formula: Option<String>,
    pub channel: String,
    pub published_on: String,
    pub public_text: String,
}

/// Published notices, newest first, one page (`limit` rows after `offset`), and the total.
pub async fn published_notices(
    conn: &mut AnyConnection,
    limit: i64,
    offset: i64,
) -> Result<(Vec<PublicNotice>, i64), StoreError> {
    let total: i64 = sqlx::query(
        "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM reward_notices WHERE status = 'published'",
    )
    .fetch_one(&mut *conn)
    .await?
    .try_get("n")?;
    let rows = sqlx::query(
        "SELECT n.id, n.court_code, c.name AS court_name, n.case_number, n.debtor_name, n.debtor_id_masked, \
         n.amount_fen, n.formula, n.channel, n.published_on, n.public_text \
         FROM reward_notices n JOIN courts c ON c.code = n.court_code \
         WHERE n.status = 'published' ORDER BY n.published_on DESC, n.id DESC LIMIT $1 OFFSET $2",
    )
    .bind(limit)
    .bind(offset)
    .fetch_all(conn)
    .await?;
    let list = rows
        .iter()
        .map(|r| {
            Ok(PublicNotice {
                id: r.try_get("id")?,
                court_code: r.try_get("court_code")?,
                court_name: r.try_get("court_name")?,
                case_number: r.try_get("case_number")?,
                debtor_name: r.try_get("debtor_name")?,
                debtor_id_masked: r.try_get("debtor_id_masked")?,
                amount_fen: r.try_get("amount_fen")?,
                formula: r.try_get("formula")?,
                channel: r.try_get("channel")?,
                published_on: r
                    .try_get::<Option<String>, _>("published_on")?
                    .unwrap_or_default(),
                public_text: r
                    .try_get::<Option<String>, _>("public_text")?
                    .unwrap_or_default(),
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok((list, total))
}

/// Success counts of a court's notices: (published ever, with ≥1 verified lead that led to
/// recovery). "Published ever" = published or closed after publication.
pub async fn court_success(
    conn: &mut AnyConnection,
    court: &str,
) -> Result<(i64, i64), StoreError> {
    let r = sqlx::query(
        "SELECT CAST(COUNT(*) AS BIGINT) AS total, \
         CAST(COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM reward_leads l WHERE l.court_code = n.court_code \
           AND l.notice_id = n.id AND l.status = 'verified' AND l.led_to_recovery = 1) THEN 1 ELSE 0 END), 0) AS BIGINT) AS success \
         FROM reward_notices n WHERE n.court_code = $1 AND n.published_on IS NOT NULL",
    )
    .bind(court.to_owned())
    .fetch_one(conn)
    .await?;
    Ok((r.try_get("total")?, r.try_get("success")?))
}

// ---- leads ----------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeadRow {
    pub court_code: String,
    pub id: String,
    pub notice_id: String,
    pub case_id: String,
    pub seq: i64,
    pub receipt_no: String,
    /// public | staff
    pub source: String,
    pub content: String,
    pub tipster_name: String,
    pub tipster_phone: String,
    /// registered | verified | rejected
    pub status: String,
    pub verify_note: Option<String>,
    pub verified_on: Option<String>,
    pub verified_by: Option<String>,
    pub led_to_recovery: bool,
    pub recovered_fen: i64,
    pub received_by: Option<String>,
    pub received_at: i64,
}

const LEAD_COLS: &str = "court_code, id, notice_id, case_id, seq, receipt_no, source, content, tipster_name, \
    tipster_phone, status, verify_note, verified_on, verified_by, led_to_recovery, recovered_fen, received_by, received_at";

fn lead_row(r: &sqlx::any::AnyRow) -> Result<LeadRow, StoreError> {
    Ok(LeadRow {
        court_code: r.try_get("court_code")?,
        id: r.try_get("id")?,
        notice_id: r.try_get("notice_id")?,
        case_id: r.try_get("case_id")?,
        seq: r.try_get("seq")?,
        receipt_no: r.try_get("receipt_no")?,
        source: r.try_get("source")?,
        content: r.try_get("content")?,
        tipster_name: r.try_get("tipster_name")?,
        tipster_phone: r.try_get("tipster_phone")?,
        status: r.try_get("status")?,
        verify_note: r.try_get("verify_note")?,
        verified_on: r.try_get("verified_on")?,
        verified_by: r.try_get("verified_by")?,
        led_to_recovery: flag(r, "led_to_recovery")?,
        recovered_fen: r.try_get("recovered_fen")?,
        received_by: r.try_get("received_by")?,
        received_at: r.try_get("received_at")?,
    })
}

pub fn insert_lead_stmt(l: &LeadRow) -> Stmt {
    Stmt::new(format!(
        "INSERT INTO reward_leads ({LEAD_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, \
         $15, $16, $17, $18)"
    ))
    .text(&l.court_code)
    .text(&l.id)
    .text(&l.notice_id)
    .text(&l.case_id)
    .int(l.seq)
    .text(&l.receipt_no)
    .text(&l.source)
    .text(&l.content)
    .text(&l.tipster_name)
    .text(&l.tipster_phone)
    .text(&l.status)
    .opt(l.verify_note.clone())
    .opt(l.verified_on.clone())
    .opt(l.verified_by.clone())
    .int(int(l.led_to_recovery))
    .int(l.recovered_fen)
    .opt(l.received_by.clone())
    .int(l.received_at)
}

pub fn update_lead_stmt(l: &LeadRow, prev_status: &str) -> Stmt {
    Stmt::new(
        "UPDATE reward_leads SET status = $1, verify_note = $2, verified_on = $3, verified_by = $4, \
         led_to_recovery = $5, recovered_fen = $6 WHERE court_code = $7 AND id = $8 AND status = $9 RETURNING id",
    )
    .text(&l.status)
    .opt(l.verify_note.clone())
    .opt(l.verified_on.clone())
    .opt(l.verified_by.clone())
    .int(int(l.led_to_recovery))
    .int(l.recovered_fen)
    .text(&l.court_code)
    .text(&l.id)
    .text(prev_status)
}

pub async fn find_lead(conn: &mut AnyConnection, id: &str) -> Result<Option<LeadRow>, StoreError> {
    let sql = format!("SELECT {LEAD_COLS} FROM reward_leads WHERE id = $1");
    let row = sqlx::query(crate::dynamic(&sql))
        .bind(id.to_owned())
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(lead_row).transpose()
}

/// A notice's leads in registration order.
pub async fn leads_of(
    conn: &mut AnyConnection,
    court: &str,
    notice_id: &str,
) -> Result<Vec<LeadRow>, StoreError> {
    let sql = format!(
        "SELECT {LEAD_COLS} FROM reward_leads WHERE court_code = $1 AND notice_id = $2 ORDER BY seq"
    );
    let rows = sqlx::query(crate::dynamic(&sql))
        .bind(court.to_owned())
        .bind(notice_id.to_owned())
        .fetch_all(conn)
        .await?;
    rows.iter().map(lead_row).collect()
}

// ---- payouts --------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayoutRow {
    pub court_code: String,
    pub id: String,
    pub notice_id: String,
    pub lead_id: String,
    pub case_id: String,
    pub amount_fen: i64,
    pub paid_on: String,
    pub payee_name: String,
    pub declared_not_agent: bool,
    pub recorded_by: String,
    pub created_at: i64,
}

const PAYOUT_COLS: &str = "court_code, id, notice_id, lead_id, case_id, amount_fen, paid_on, payee_name, \
    declared_not_agent, recorded_by, created_at";

pub fn insert_payout_stmt(p: &PayoutRow) -> Stmt {
    Stmt::new(format!(
        "INSERT INTO reward_payouts ({PAYOUT_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
    ))
    .text(&p.court_code)
    .text(&p.id)
    .text(&p.notice_id)
    .text(&p.lead_id)
    .text(&p.case_id)
    .int(p.amount_fen)
    .text(&p.paid_on)
    .text(&p.payee_name)
    .int(int(p.declared_not_agent))
    .text(&p.recorded_by)
    .int(p.created_at)
}

pub async fn payouts_of(
    conn: &mut AnyConnection,
    court: &str,
    notice_id: &str,
) -> Result<Vec<PayoutRow>, StoreError> {
    let sql = format!(
        "SELECT {PAYOUT_COLS} FROM reward_payouts WHERE court_code = $1 AND notice_id = $2 ORDER BY created_at, id"
    );
    let rows = sqlx::query(crate::dynamic(&sql))
        .bind(court.to_owned())
        .bind(notice_id.to_owned())
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(PayoutRow {
                court_code: r.try_get("court_code")?,
                id: r.try_get("id")?,
                notice_id: r.try_get("notice_id")?,
                lead_id: r.try_get("lead_id")?,
                case_id: r.try_get("case_id")?,
                amount_fen: r.try_get("amount_fen")?,
                paid_on: r.try_get("paid_on")?,
                payee_name: r.try_get("payee_name")?,
                declared_not_agent: flag(r, "declared_not_agent")?,
                recorded_by: r.try_get("recorded_by")?,
                created_at: r.try_get("created_at")?,
            })
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// 执行110 tip-offs
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TipoffRow {
    pub court_code: String,
    pub id: String,
    pub receipt_no: String,
    /// public | phone
    pub source: String,
    pub case_number: Option<String>,
    pub case_id: Option<String>,
    pub debtor_name: String,
    pub kind: String,
    pub urgent: bool,
    pub content: String,
    pub location: String,
    pub reporter_name: String,
    pub reporter_phone: String,
    /// new | dispatched | responded | closed
    pub status: String,
    pub team_id: Option<String>,
    pub dispatched_at: Option<i64>,
    pub respond_by: i64,
    pub responded_at: Option<i64>,
    pub responded_by: Option<String>,
    pub outcome: Option<String>,
    pub closed_at: Option<i64>,
    pub closed_by: Option<String>,
    pub close_note: Option<String>,
    pub received_by: Option<String>,
    pub created_at: i64,
}

const TIP_COLS: &str = "court_code, id, receipt_no, source, case_number, case_id, debtor_name, kind, urgent, content, \
    location, reporter_name, reporter_phone, status, team_id, dispatched_at, respond_by, responded_at, responded_by, \
    outcome, closed_at, closed_by, close_note, received_by, created_at";

fn tip_row(r: &sqlx::any::AnyRow) -> Result<TipoffRow, StoreError> {
    Ok(TipoffRow {
        court_code: r.try_get("court_code")?,
        id: r.try_get("id")?,
        receipt_no: r.try_get("receipt_no")?,
        source: r.try_get("source")?,
        case_number: r.try_get("case_number")?,
        case_id: r.try_get("case_id")?,
        debtor_name: r.try_get("debtor_name")?,
        kind: r.try_get("kind")?,
        urgent: flag(r, "urgent")?,
        content: r.try_get("content")?,
        location: r.try_get("location")?,
        reporter_name: r.try_get("reporter_name")?,
        reporter_phone: r.try_get("reporter_phone")?,
        status: r.try_get("status")?,
        team_id: r.try_get("team_id")?,
        dispatched_at: r.try_get("dispatched_at")?,
        respond_by: r.try_get("respond_by")?,
        responded_at: r.try_get("responded_at")?,
        responded_by: r.try_get("responded_by")?,
        outcome: r.try_get("outcome")?,
        closed_at: r.try_get("closed_at")?,
        closed_by: r.try_get("closed_by")?,
        close_note: r.try_get("close_note")?,
        received_by: r.try_get("received_by")?,
        created_at: r.try_get("created_at")?,
    })
}

pub fn insert_tipoff_stmt(t: &TipoffRow) -> Stmt {
    Stmt::new(format!(
        "INSERT INTO tipoffs ({TIP_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, \
         $16, $17, $18, $19, $20, $21, $22, $23, $24, $25)"
    ))
    .text(&t.court_code)
    .text(&t.id)
    .text(&t.receipt_no)
    .text(&t.source)
    .opt(t.case_number.clone())
    .opt(t.case_id.clone())
    .text(&t.debtor_name)
    .text(&t.kind)
    .int(int(t.urgent))
    .text(&t.content)
    .text(&t.location)
    .text(&t.reporter_name)
    .text(&t.reporter_phone)
    .text(&t.status)
    .opt(t.team_id.clone())
    .opt_int(t.dispatched_at)
    .int(t.respond_by)
    .opt_int(t.responded_at)
    .opt(t.responded_by.clone())
    .opt(t.outcome.clone())
    .opt_int(t.closed_at)
    .opt(t.closed_by.clone())
    .opt(t.close_note.clone())
    .opt(t.received_by.clone())
    .int(t.created_at)
}

pub fn update_tipoff_stmt(t: &TipoffRow, prev_status: &str) -> Stmt {
    Stmt::new(
        "UPDATE tipoffs SET status = $1, team_id = $2, dispatched_at = $3, responded_at = $4, responded_by = $5, \
         outcome = $6, closed_at = $7, closed_by = $8, close_note = $9 \
         WHERE court_code = $10 AND id = $11 AND status = $12 RETURNING id",
    )
    .text(&t.status)
    .opt(t.team_id.clone())
    .opt_int(t.dispatched_at)
    .opt_int(t.responded_at)
    .opt(t.responded_by.clone())
    .opt(t.outcome.clone())
    .opt_int(t.closed_at)
    .opt(t.closed_by.clone())
    .opt(t.close_note.clone())
    .text(&t.court_code)
    .text(&t.id)
    .text(prev_status)
}

pub async fn find_tipoff(
    conn: &mut AnyConnection,
    id: &str,
) -> Result<Option<TipoffRow>, StoreError> {
    let sql = format!("SELECT {TIP_COLS} FROM tipoffs WHERE id = $1");
    let row = sqlx::query(crate::dynamic(&sql))
        .bind(id.to_owned())
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(tip_row).transpose()
}

/// A court's tip-offs, optionally of one status, optionally only the overdue ones (not yet
/// responded and `respond_by` passed at `now_ms`); most urgent deadline first, at most `limit`.
/// Which of a court's tip-offs a list shows.
#[derive(Debug, Clone, Copy, Default)]
pub struct TipFilter<'a> {
    /// One status only.
    pub status: Option<&'a str>,
    /// Everything not closed (the duty desk's working list).
    pub open_only: bool,
    /// Only those not answered by this instant's deadline.
    pub overdue_at: Option<i64>,
}

/// The WHERE clause of a [`TipFilter`] (after `court_code = $1`) and its arguments.
fn tip_where(f: &TipFilter<'_>) -> (String, Vec<crate::batch::Arg>) {
    use crate::batch::Arg;
    let mut sql = String::from(" WHERE court_code = $1");
    let mut args = Vec::new();
    if let Some(s) = f.status {
        args.push(Arg::Text(s.to_owned()));
        sql.push_str(&format!(" AND status = ${}", args.len() + 1));
    }
    if f.open_only {
        sql.push_str(" AND status <> 'closed'");
    }
    if let Some(t) = f.overdue_at {
        args.push(Arg::Int(t));
        sql.push_str(&format!(
            " AND status IN ('new', 'dispatched') AND respond_by < ${}",
            args.len() + 1
        ));
    }
    (sql, args)
}

/// One page of a court's tip-offs, most urgent deadline first.
pub async fn tipoffs_page(
    conn: &mut AnyConnection,
    court: &str,
    f: &TipFilter<'_>,
    limit: i64,
    offset: i64,
) -> Result<Vec<TipoffRow>, StoreError> {
    let (cond, args) = tip_where(f);
    let n = args.len() + 1;
    let sql = format!(
        "SELECT {TIP_COLS} FROM tipoffs{cond} ORDER BY respond_by, id LIMIT ${} OFFSET ${}",
        n + 1,
        n + 2
    );
    let mut stmt = crate::batch::Stmt::new(sql).text(court);
    stmt.args.extend(args);
    let stmt = stmt.int(limit).int(offset);
    let rows = crate::batch::run(conn, vec![stmt]).await?;
    rows.iter().map(tip_row).collect()
}

/// How many of a court's tip-offs a [`TipFilter`] selects.
pub async fn count_tipoffs(
    conn: &mut AnyConnection,
    court: &str,
    f: &TipFilter<'_>,
) -> Result<i64, StoreError> {
    let (cond, args) = tip_where(f);
    let mut stmt = crate::batch::Stmt::new(format!(
        "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM tipoffs{cond}"
    ))
    .text(court);
    stmt.args.extend(args);
    let rows = crate::batch::run(conn, vec![stmt]).await?;
    Ok(rows
        .first()
        .map(|r| r.try_get::<i64, _>("n"))
        .transpose()?
        .unwrap_or(0))
}

/// Open (new or dispatched) tip-offs per team of a court: (team_id, count).
pub async fn open_tipoffs_per_team(
    conn: &mut AnyConnection,
    court: &str,
) -> Result<Vec<(String, i64)>, StoreError> {
    let rows = sqlx::query(
        "SELECT team_id, CAST(COUNT(*) AS BIGINT) AS n FROM tipoffs \
         WHERE court_code = $1 AND status IN ('new', 'dispatched') AND team_id IS NOT NULL GROUP BY team_id",
    )
    .bind(court.to_owned())
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("team_id")?, r.try_get("n")?)))
        .collect()
}

// ---- 临控 -------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControlRow {
    pub court_code: String,
    pub id: String,
    pub tipoff_id: String,
    pub case_id: Option<String>,
    pub agency: String,
    pub requested_at: i64,
    pub requested_by: String,
    /// requested | controlled | not_found | refused
    pub status: String,
    pub outcome_at: Option<i64>,
    pub outcome_note: Option<String>,
    pub outcome_by: Option<String>,
    pub created_at: i64,
}

const CONTROL_COLS: &str = "court_code, id, tipoff_id, case_id, agency, requested_at, requested_by, status, \
    outcome_at, outcome_note, outcome_by, created_at";

fn control_row(r: &sqlx::any::AnyRow) -> Result<ControlRow, StoreError> {
    Ok(ControlRow {
        court_code: r.try_get("court_code")?,
        id: r.try_get("id")?,
        tipoff_id: r.try_get("tipoff_id")?,
        case_id: r.try_get("case_id")?,
        agency: r.try_get("agency")?,
        requested_at: r.try_get("requested_at")?,
        requested_by: r.try_get("requested_by")?,
        status: r.try_get("status")?,
        outcome_at: r.try_get("outcome_at")?,
        outcome_note: r.try_get("outcome_note")?,
        outcome_by: r.try_get("outcome_by")?,
        created_at: r.try_get("created_at")?,
    })
}

pub fn insert_control_stmt(c: &ControlRow) -> Stmt {
    Stmt::new(format!(
        "INSERT INTO police_controls ({CONTROL_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
    ))
    .text(&c.court_code)
    .text(&c.id)
    .text(&c.tipoff_id)
    .opt(c.case_id.clone())
    .text(&c.agency)
    .int(c.requested_at)
    .text(&c.requested_by)
    .text(&c.status)
    .opt_int(c.outcome_at)
    .opt(c.outcome_note.clone())
    .opt(c.outcome_by.clone())
    .int(c.created_at)
}

pub fn control_outcome_stmt(c: &ControlRow) -> Stmt {
    Stmt::new(
        "UPDATE police_controls SET status = $1, outcome_at = $2, outcome_note = $3, outcome_by = $4 \
         WHERE court_code = $5 AND id = $6 AND status = 'requested' RETURNING id",
    )
    .text(&c.status)
    .opt_int(c.outcome_at)
    .opt(c.outcome_note.clone())
    .opt(c.outcome_by.clone())
    .text(&c.court_code)
    .text(&c.id)
}

pub async fn find_control(
    conn: &mut AnyConnection,
    id: &str,
) -> Result<Option<ControlRow>, StoreError> {
    let sql = format!("SELECT {CONTROL_COLS} FROM police_controls WHERE id = $1");
    let row = sqlx::query(crate::dynamic(&sql))
        .bind(id.to_owned())
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(control_row).transpose()
}

pub async fn controls_of(
    conn: &mut AnyConnection,
    court: &str,
    tipoff_id: &str,
) -> Result<Vec<ControlRow>, StoreError> {
    let sql = format!(
        "SELECT {CONTROL_COLS} FROM police_controls WHERE court_code = $1 AND tipoff_id = $2 ORDER BY requested_at, id"
    );
    let rows = sqlx::query(crate::dynamic(&sql))
        .bind(court.to_owned())
        .bind(tipoff_id.to_owned())
        .fetch_all(conn)
        .await?;
    rows.iter().map(control_row).collect()
}

// ---------------------------------------------------------------------------------------------
// 拒执罪 referrals
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralRow {
    pub court_code: String,
    pub id: String,
    pub case_id: String,
    pub status: String,
    pub suspect_name: String,
    pub facts: String,
    /// JSON list of {on, kind, description}
    pub violations: String,
    /// JSON evidence package
    pub package: String,
    pub package_sm3: String,
    pub drafted_on: String,
    pub transfer_by: String,
    pub agency: Option<String>,
    pub referred_on: Option<String>,
    pub conclude_by: Option<String>,
    pub police_decided_on: Option<String>,
    pub police_note: Option<String>,
    pub applicant_evidence: Option<String>,
    pub private_filed_on: Option<String>,
    pub private_court: Option<String>,
    pub judgment_on: Option<String>,
    pub sentence: Option<String>,
    /// 不予追究 after 立案: the day, the organ (`police` | `procuratorate`) and its reasons.
    pub dropped_on: Option<String>,
    pub dropped_by: Option<String>,
    pub dropped_note: Option<String>,
    /// A 自诉 withdrawn or settled before judgment: the day and the note.
    pub ended_on: Option<String>,
    pub end_note: Option<String>,
    pub created_by: String,
    pub created_at: i64,
    pub updated_at: i64,
}

const REFERRAL_COLS: &str = "court_code, id, case_id, status, suspect_name, facts, violations, package, package_sm3, \
    drafted_on, transfer_by, agency, referred_on, conclude_by, police_decided_on, police_note, applicant_evidence, \
    private_filed_on, private_court, judgment_on, sentence, dropped_on, dropped_by, dropped_note, ended_on, end_note, \
    created_by, created_at, updated_at";

fn referral_row(r: &sqlx::any::AnyRow) -> Result<ReferralRow, StoreError> {
    Ok(ReferralRow {
        court_code: r.try_get("court_code")?,
        id: r.try_get("id")?,
        case_id: r.try_get("case_id")?,
        status: r.try_get("status")?,
        suspect_name: r.try_get("suspect_name")?,
        facts: r.try_get("facts")?,
        violations: r.try_get("violations")?,
        package: r.try_get("package")?,
        package_sm3: r.try_get("package_sm3")?,
        drafted_on: r.try_get("drafted_on")?,
        transfer_by: r.try_get("transfer_by")?,
        agency: r.try_get("agency")?,
        referred_on: r.try_get("referred_on")?,
        conclude_by: r.try_get("conclude_by")?,
        police_decided_on: r.try_get("police_decided_on")?,
        police_note: r.try_get("police_note")?,
        applicant_evidence: r.try_get("applicant_evidence")?,
        private_filed_on: r.try_get("private_filed_on")?,
        private_court: r.try_get("private_court")?,
        judgment_on: r.try_get("judgment_on")?,
        sentence: r.try_get("sentence")?,
        dropped_on: r.try_get("dropped_on")?,
        dropped_by: r.try_get("dropped_by")?,
        dropped_note: r.try_get("dropped_note")?,
        ended_on: r.try_get("ended_on")?,
        end_note: r.try_get("end_note")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

pub fn insert_referral_stmt(f: &ReferralRow) -> Stmt {
    Stmt::new(format!(
        "INSERT INTO refusal_referrals ({REFERRAL_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, \
         $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29)"
    ))
    .text(&f.court_code)
    .text(&f.id)
    .text(&f.case_id)
    .text(&f.status)
    .text(&f.suspect_name)
    .text(&f.facts)
    .text(&f.violations)
    .text(&f.package)
    .text(&f.package_sm3)
    .text(&f.drafted_on)
    .text(&f.transfer_by)
    .opt(f.agency.clone())
    .opt(f.referred_on.clone())
    .opt(f.conclude_by.clone())
    .opt(f.police_decided_on.clone())
    .opt(f.police_note.clone())
    .opt(f.applicant_evidence.clone())
    .opt(f.private_filed_on.clone())
    .opt(f.private_court.clone())
    .opt(f.judgment_on.clone())
    .opt(f.sentence.clone())
    .opt(f.dropped_on.clone())
    .opt(f.dropped_by.clone())
    .opt(f.dropped_note.clone())
    .opt(f.ended_on.clone())
    .opt(f.end_note.clone())
    .text(&f.created_by)
    .int(f.created_at)
    .int(f.updated_at)
}

pub fn update_referral_stmt(f: &ReferralRow, prev_status: &str) -> Stmt {
    Stmt::new(
        "UPDATE refusal_referrals SET status = $1, agency = $2, referred_on = $3, conclude_by = $4, \
         police_decided_on = $5, police_note = $6, applicant_evidence = $7, private_filed_on = $8, \
         private_court = $9, judgment_on = $10, sentence = $11, dropped_on = $12, dropped_by = $13, \
         dropped_note = $14, ended_on = $15, end_note = $16, updated_at = $17 \
         WHERE court_code = $18 AND id = $19 AND status = $20 RETURNING id",
    )
    .text(&f.status)
    .opt(f.agency.clone())
    .opt(f.referred_on.clone())
    .opt(f.conclude_by.clone())
    .opt(f.police_decided_on.clone())
    .opt(f.police_note.clone())
    .opt(f.applicant_evidence.clone())
    .opt(f.private_filed_on.clone())
    .opt(f.private_court.clone())
    .opt(f.judgment_on.clone())
    .opt(f.sentence.clone())
    .opt(f.dropped_on.clone())
    .opt(f.dropped_by.clone())
    .opt(f.dropped_note.clone())
    .opt(f.ended_on.clone())
    .opt(f.end_note.clone())
    .int(f.updated_at)
    .text(&f.court_code)
    .text(&f.id)
    .text(prev_status)
}

pub async fn find_referral(
    conn: &mut AnyConnection,
    id: &str,
) -> Result<Option<ReferralRow>, StoreError> {
    let sql = format!("SELECT {REFERRAL_COLS} FROM refusal_referrals WHERE id = $1");
    let row = sqlx::query(crate::dynamic(&sql))
        .bind(id.to_owned())
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(referral_row).transpose()
}

pub async fn referrals_of_case(
    conn: &mut AnyConnection,
    court: &str,
    case_id: &str,
) -> Result<Vec<ReferralRow>, StoreError> {
    let sql = format!(
        "SELECT {REFERRAL_COLS} FROM refusal_referrals WHERE court_code = $1 AND case_id = $2 ORDER BY created_at, id"
    );
    let rows = sqlx::query(crate::dynamic(&sql))
        .bind(court.to_owned())
        .bind(case_id.to_owned())
        .fetch_all(conn)
        .await?;
    rows.iter().map(referral_row).collect()
}

/// Open tip-offs of every court past their response time and not warned yet (the scheduler's
/// timer), oldest first.
pub async fn overdue_unwarned_tipoffs(
    conn: &mut AnyConnection,
    now_ms: i64,
    limit: i64,
) -> Result<Vec<TipoffRow>, StoreError> {
    let cols = TIP_COLS
        .split(", ")
        .map(|c| format!("t.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT {cols} FROM tipoffs t WHERE t.status IN ('new', 'dispatched') AND t.respond_by < $1 \
         AND NOT EXISTS (SELECT 1 FROM tipoff_warnings w WHERE w.court_code = t.court_code AND w.tipoff_id = t.id) \
         ORDER BY t.respond_by, t.id LIMIT $2"
    );
    let rows = sqlx::query(crate::dynamic(&sql))
        .bind(now_ms)
        .bind(limit)
        .fetch_all(conn)
        .await?;
    rows.iter().map(tip_row).collect()
}

/// Mark a tip-off warned; `true` only for the caller that marked it first.
pub async fn mark_tipoff_warned(
    conn: &mut AnyConnection,
    court: &str,
    tipoff_id: &str,
    now_ms: i64,
) -> Result<bool, StoreError> {
    let won: Option<String> = sqlx::query_scalar(
        "INSERT INTO tipoff_warnings (court_code, tipoff_id, warned_at) VALUES ($1, $2, $3) \
         ON CONFLICT (court_code, tipoff_id) DO NOTHING RETURNING tipoff_id",
    )
    .bind(court.to_owned())
    .bind(tipoff_id.to_owned())
    .bind(now_ms)
    .fetch_optional(conn)
    .await?;
    Ok(won.is_some())
}
