//! Measures (强制措施, 失信, 限制消费), their approvals, the published lists and the partner feed
//! (migration 0005). Rows map with `sqlx::FromRow`; statement builders (`*_stmt`) run in the
//! caller's transaction through [`crate::batch::run`].

use sqlx::AnyConnection;

use crate::batch::Stmt;
use crate::{StoreError, dynamic};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct MeasureRow {
    pub court_code: String,
    pub id: String,
    pub case_id: String,
    pub kind: String,
    pub subject_party_id: Option<String>,
    pub subject_kind: String,
    pub subject_name: String,
    pub subject_id_number: String,
    /// Validated inputs as JSON.
    pub params: String,
    pub amount_fen: Option<i64>,
    /// pending_approval | effective | refused | lifted | expired | deleted | ended | revoked (on 复议)
    pub status: String,
    pub needs_approval: i64,
    pub document_number: String,
    pub proposed_by: String,
    pub proposed_on: String,
    pub decided_by: Option<String>,
    pub decided_on: Option<String>,
    pub effective_on: Option<String>,
    pub publish_on: Option<String>,
    pub expires_on: Option<String>,
    pub ended_on: Option<String>,
    pub end_reason: Option<String>,
    pub executed_on: Option<String>,
    pub execution_note: Option<String>,
    /// When it was carried out, `YYYY-MM-DD HH:MM` China time, where recorded (migration 0010).
    pub executed_at: Option<String>,
    /// 拘留: when the family was notified, `YYYY-MM-DD HH:MM` (or the day only).
    pub family_notified_at: Option<String>,
    /// 搜查: the search record as JSON (migration 0013).
    pub search_record: Option<String>,
    /// 拘传: when the questioning ended, `YYYY-MM-DD HH:MM` (migration 0013).
    pub questioning_ended_at: Option<String>,
    /// 拘传: the questioning record (询问笔录) as JSON (migration 0015); `None` for a 拘传
    /// executed before it was recorded.
    pub questioning_record: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

const MEASURE_COLS: &str = "court_code, id, case_id, kind, subject_party_id, subject_kind, subject_name, \
    subject_id_number, params, amount_fen, status, needs_approval, document_number, proposed_by, proposed_on, \
    decided_by, decided_on, effective_on, publish_on, expires_on, ended_on, end_reason, executed_on, \
    execution_note, executed_at, family_notified_at, search_record, questioning_ended_at, questioning_record, \
    created_at, updated_at";

pub fn insert_measure_stmt(m: &MeasureRow) -> Stmt {
    Stmt::new(format!(
        "INSERT INTO measures ({MEASURE_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, \
         $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31)"
    ))
    .text(&m.court_code)
    .text(&m.id)
    .text(&m.case_id)
    .text(&m.kind)
    .opt(m.subject_party_id.clone())
    .text(&m.subject_kind)
    .text(&m.subject_name)
    .text(&m.subject_id_number)
    .text(&m.params)
    .opt_int(m.amount_fen)
    .text(&m.status)
    .int(m.needs_approval)
    .text(&m.document_number)
    .text(&m.proposed_by)
    .text(&m.proposed_on)
    .opt(m.decided_by.clone())
    .opt(m.decided_on.clone())
    .opt(m.effective_on.clone())
    .opt(m.publish_on.clone())
    .opt(m.expires_on.clone())
    .opt(m.ended_on.clone())
    .opt(m.end_reason.clone())
    .opt(m.executed_on.clone())
    .opt(m.execution_note.clone())
    .opt(m.executed_at.clone())
    .opt(m.family_notified_at.clone())
    .opt(m.search_record.clone())
    .opt(m.questioning_ended_at.clone())
    .opt(m.questioning_record.clone())
    .int(m.created_at)
    .int(m.updated_at)
}

/// Decide a measure awaiting approval. Guarded by the status, so a second decision changes nothing
/// (it returns a `decided_measure` row only if the measure was still pending).
#[allow(clippy::too_many_arguments)]
pub fn decide_measure_stmt(
    court: &str,
    id: &str,
    status: &str,
    by: &str,
    decided_on: &str,
    effective_on: Option<&str>,
    publish_on: Option<&str>,
    expires_on: Option<&str>,
    now_ms: i64,
) -> Stmt {
    Stmt::new(
        "UPDATE measures SET status = $1, decided_by = $2, decided_on = $3, effective_on = $4, \
         publish_on = $5, expires_on = $6, updated_at = $7 \
         WHERE court_code = $8 AND id = $9 AND status = 'pending_approval' RETURNING id AS decided_measure",
    )
    .text(status)
    .text(by)
    .text(decided_on)
    .opt(effective_on)
    .opt(publish_on)
    .opt(expires_on)
    .int(now_ms)
    .text(court)
    .text(id)
}

pub fn end_measure_stmt(
    court: &str,
    id: &str,
    status: &str,
    ended_on: &str,
    reason: &str,
    now_ms: i64,
) -> Stmt {
    Stmt::new(
        "UPDATE measures SET status = $1, ended_on = $2, end_reason = $3, updated_at = $4 \
         WHERE court_code = $5 AND id = $6 AND status = 'effective' RETURNING id AS ended_measure",
    )
    .text(status)
    .text(ended_on)
    .text(reason)
    .int(now_ms)
    .text(court)
    .text(id)
}

/// What [`execute_measure_stmt`] records.
#[derive(Debug, Clone, Copy)]
pub struct Execution<'a> {
    pub on: &'a str,
    pub note: &'a str,
    /// A detention's release date.
    pub expires_on: Option<&'a str>,
    pub executed_at: Option<&'a str>,
    pub family_notified_at: Option<&'a str>,
    /// 搜查: the checked search record as JSON.
    pub search_record: Option<&'a str>,
    /// 拘传: when the questioning ended.
    pub questioning_ended_at: Option<&'a str>,
    /// 拘传: the checked questioning record as JSON.
    pub questioning_record: Option<&'a str>,
}

pub fn execute_measure_stmt(court: &str, id: &str, e: Execution<'_>, now_ms: i64) -> Stmt {
    Stmt::new(
        "UPDATE measures SET executed_on = $1, execution_note = $2, expires_on = COALESCE($3, expires_on), \
         executed_at = $4, family_notified_at = $5, search_record = $6, questioning_ended_at = $7, \
         questioning_record = $8, updated_at = $9 WHERE court_code = $10 AND id = $11 \
         AND status = 'effective' \
         AND executed_on IS NULL RETURNING id AS executed_measure",
    )
    .text(e.on)
    .text(e.note)
    .opt(e.expires_on)
    .opt(e.executed_at)
    .opt(e.family_notified_at)
    .opt(e.search_record)
    .opt(e.questioning_ended_at)
    .opt(e.questioning_record)
    .int(now_ms)
    .text(court)
    .text(id)
}

pub async fn find_measure(
    conn: &mut AnyConnection,
    id: &str,
) -> Result<Option<MeasureRow>, StoreError> {
    let sql = format!("SELECT {MEASURE_COLS} FROM measures WHERE id = $1");
    Ok(sqlx::query_as::<_, MeasureRow>(dynamic(&sql))
        .bind(id.to_owned())
        .fetch_optional(conn)
        .await?)
}

pub async fn measures_of(
    conn: &mut AnyConnection,
    court: &str,
    case_id: &str,
) -> Result<Vec<MeasureRow>, StoreError> {
    let sql = format!(
        "SELECT {MEASURE_COLS} FROM measures WHERE court_code = $1 AND case_id = $2 ORDER BY created_at, id"
    );
    Ok(sqlx::query_as::<_, MeasureRow>(dynamic(&sql))
        .bind(court.to_owned())
        .bind(case_id.to_owned())
        .fetch_all(conn)
        .await?)
}

/// Measures of a court awaiting the 院长's approval, oldest first.
pub async fn pending_approvals(
    conn: &mut AnyConnection,
    court: &str,
    limit: i64,
) -> Result<Vec<MeasureRow>, StoreError> {
    let sql = format!(
        "SELECT {MEASURE_COLS} FROM measures WHERE court_code = $1 AND status = 'pending_approval' \
         ORDER BY created_at, id LIMIT $2"
    );
    Ok(sqlx::query_as::<_, MeasureRow>(dynamic(&sql))
        .bind(court.to_owned())
        .bind(limit)
        .fetch_all(conn)
        .await?)
}

/// Effective measures whose term ended on or before `today` (the scheduler's expiry timer,
/// index `measures_expiry`).
pub async fn expired_measures(
    conn: &mut AnyConnection,
    today: &str,
    limit: i64,
) -> Result<Vec<MeasureRow>, StoreError> {
    let sql = format!(
        "SELECT {MEASURE_COLS} FROM measures WHERE expires_on <= $1 AND status = 'effective' \
         ORDER BY expires_on, id LIMIT $2"
    );
    Ok(sqlx::query_as::<_, MeasureRow>(dynamic(&sql))
        .bind(today.to_owned())
        .bind(limit)
        .fetch_all(conn)
        .await?)
}

/// The most recent deletion of a 失信 entry on the applicant's request for this subject (SX2017
/// art 10 para 2: no new listing on application within 6 months).
pub async fn last_applicant_deletion(
    conn: &mut AnyConnection,
    court: &str,
    case_id: &str,
    subject_id_number: &str,
) -> Result<Option<String>, StoreError> {
    Ok(sqlx::query_scalar::<_, Option<String>>(
        "SELECT MAX(ended_on) FROM measures WHERE court_code = $1 AND case_id = $2 AND kind = 'dishonest' \
         AND subject_id_number = $3 AND end_reason = 'applicant_request'",
    )
    .bind(court.to_owned())
    .bind(case_id.to_owned())
    .bind(subject_id_number.to_owned())
    .fetch_one(conn)
    .await?)
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct ApprovalRow {
    pub court_code: String,
    pub id: String,
    pub measure_id: String,
    pub case_id: String,
    pub approver_role: String,
    pub requested_by: String,
    pub requested_at: i64,
    pub decision: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
    pub comment: Option<String>,
}

const APPROVAL_COLS: &str = "court_code, id, measure_id, case_id, approver_role, requested_by, requested_at, \
    decision, decided_by, decided_at, comment";

pub fn insert_approval_stmt(a: &ApprovalRow) -> Stmt {
    Stmt::new(format!(
        "INSERT INTO measure_approvals ({APPROVAL_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, NULL, NULL, NULL)"
    ))
    .text(&a.court_code)
    .text(&a.id)
    .text(&a.measure_id)
    .text(&a.case_id)
    .text(&a.approver_role)
    .text(&a.requested_by)
    .int(a.requested_at)
}

pub fn decide_approval_stmt(
    court: &str,
    measure_id: &str,
    decision: &str,
    by: &str,
    at: i64,
    comment: &str,
) -> Stmt {
    Stmt::new(
        "UPDATE measure_approvals SET decision = $1, decided_by = $2, decided_at = $3, comment = $4 \
         WHERE court_code = $5 AND measure_id = $6 AND decision IS NULL",
    )
    .text(decision)
    .text(by)
    .int(at)
    .text(comment)
    .text(court)
    .text(measure_id)
}

pub async fn approvals_of(
    conn: &mut AnyConnection,
    court: &str,
    measure_id: &str,
) -> Result<Vec<ApprovalRow>, StoreError> {
    let sql = format!(
        "SELECT {APPROVAL_COLS} FROM measure_approvals WHERE court_code = $1 AND measure_id = $2 ORDER BY requested_at, id"
    );
    Ok(sqlx::query_as::<_, ApprovalRow>(dynamic(&sql))
        .bind(court.to_owned())
        .bind(measure_id.to_owned())
        .fetch_all(conn)
        .await?)
}

/// A published list entry (SX2017 art 6 fields). `id_number` is the full number: server only.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct ListEntryRow {
    pub court_code: String,
    pub id: String,
    /// dishonest | restricted | terminated
    pub list: String,
    pub measure_id: Option<String>,
    pub case_id: String,
    pub subject_kind: String,
    pub name: String,
    pub id_number: String,
    pub sex: Option<String>,
    pub birth_date: Option<String>,
    pub legal_representative: Option<String>,
    pub case_number: String,
    pub court_name: String,
    pub basis: String,
    pub obligation: String,
    pub performance: String,
    pub conduct: String,
    pub filed_on: String,
    pub listed_on: String,
    pub publish_on: String,
    /// listed | deleted
    pub status: String,
    pub deleted_on: Option<String>,
    pub delete_reason: Option<String>,
    pub updated_at: i64,
    /// 1 once the partner feed carries the entry's 'add' (see migration 0005).
    pub feed_sent: i64,
}

const ENTRY_COLS: &str = "court_code, id, list, measure_id, case_id, subject_kind, name, id_number, sex, birth_date, \
    legal_representative, case_number, court_name, basis, obligation, performance, conduct, filed_on, listed_on, \
    publish_on, status, deleted_on, delete_reason, updated_at, feed_sent";

pub fn insert_entry_stmt(e: &ListEntryRow) -> Stmt {
    Stmt::new(format!(
        "INSERT INTO public_list_entries ({ENTRY_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, \
         $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25)"
    ))
    .text(&e.court_code)
    .text(&e.id)
    .text(&e.list)
    .opt(e.measure_id.clone())
    .text(&e.case_id)
    .text(&e.subject_kind)
    .text(&e.name)
    .text(&e.id_number)
    .opt(e.sex.clone())
    .opt(e.birth_date.clone())
    .opt(e.legal_representative.clone())
    .text(&e.case_number)
    .text(&e.court_name)
    .text(&e.basis)
    .text(&e.obligation)
    .text(&e.performance)
    .text(&e.conduct)
    .text(&e.filed_on)
    .text(&e.listed_on)
    .text(&e.publish_on)
    .text(&e.status)
    .opt(e.deleted_on.clone())
    .opt(e.delete_reason.clone())
    .int(e.updated_at)
    .int(e.feed_sent)
}

/// Mark an entry's 'add' as sent to the feed (`RETURNING id AS marked_entry` when this call
/// marked it, nothing when another scheduler had, or when the entry was deleted before its
/// publication date: such an entry is never announced, and its 'delete' is not sent either,
/// see [`feed_changes_after`]).
pub fn mark_feed_sent_stmt(court: &str, id: &str) -> Stmt {
    Stmt::new(
        "UPDATE public_list_entries SET feed_sent = 1 WHERE court_code = $1 AND id = $2 AND feed_sent = 0 \
         AND status = 'listed' RETURNING id AS marked_entry",
    )
    .text(court)
    .text(id)
}

/// Listed entries whose publication date has come but whose 'add' the feed does not carry yet
/// (a grace period ended): the scheduler's publication timer (index `public_list_unsent`).
pub async fn unsent_due(
    conn: &mut AnyConnection,
    today: &str,
    limit: i64,
) -> Result<Vec<ListEntryRow>, StoreError> {
    let sql = format!(
        "SELECT {ENTRY_COLS} FROM public_list_entries WHERE feed_sent = 0 AND publish_on <= $1 \
         AND status = 'listed' ORDER BY publish_on, id LIMIT $2"
    );
    Ok(sqlx::query_as::<_, ListEntryRow>(dynamic(&sql))
        .bind(today.to_owned())
        .bind(limit)
        .fetch_all(conn)
        .await?)
}

pub fn delete_entry_stmt(court: &str, id: &str, on: &str, reason: &str, now_ms: i64) -> Stmt {
    Stmt::new(
        "UPDATE public_list_entries SET status = 'deleted', deleted_on = $1, delete_reason = $2, updated_at = $3 \
         WHERE court_code = $4 AND id = $5 AND status = 'listed'",
    )
    .text(on)
    .text(reason)
    .int(now_ms)
    .text(court)
    .text(id)
}

pub fn update_entry_performance_stmt(
    court: &str,
    id: &str,
    performance: &str,
    now_ms: i64,
) -> Stmt {
    Stmt::new(
        "UPDATE public_list_entries SET performance = $1, updated_at = $2 WHERE court_code = $3 AND id = $4",
    )
    .text(performance)
    .int(now_ms)
    .text(court)
    .text(id)
}

pub async fn find_entry(
    conn: &mut AnyConnection,
    id: &str,
) -> Result<Option<ListEntryRow>, StoreError> {
    let sql = format!("SELECT {ENTRY_COLS} FROM public_list_entries WHERE id = $1");
    Ok(sqlx::query_as::<_, ListEntryRow>(dynamic(&sql))
        .bind(id.to_owned())
        .fetch_optional(conn)
        .await?)
}

pub async fn entries_of_case(
    conn: &mut AnyConnection,
    court: &str,
    case_id: &str,
) -> Result<Vec<ListEntryRow>, StoreError> {
    let sql = format!(
        "SELECT {ENTRY_COLS} FROM public_list_entries WHERE court_code = $1 AND case_id = $2 ORDER BY listed_on, id"
    );
    Ok(sqlx::query_as::<_, ListEntryRow>(dynamic(&sql))
        .bind(court.to_owned())
        .bind(case_id.to_owned())
        .fetch_all(conn)
        .await?)
}

/// Every listed entry, in pages by (court_code, id), for building the in-memory lookup index.
pub async fn listed_page(
    conn: &mut AnyConnection,
    after: Option<(&str, &str)>,
    limit: i64,
) -> Result<Vec<ListEntryRow>, StoreError> {
    let (c, i) = after.unwrap_or(("", ""));
    let sql = format!(
        "SELECT {ENTRY_COLS} FROM public_list_entries WHERE status = 'listed' \
         AND (court_code > $1 OR (court_code = $1 AND id > $2)) ORDER BY court_code, id LIMIT $3"
    );
    Ok(sqlx::query_as::<_, ListEntryRow>(dynamic(&sql))
        .bind(c.to_owned())
        .bind(i.to_owned())
        .bind(limit)
        .fetch_all(conn)
        .await?)
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct ListChangeRow {
    pub court_code: String,
    pub id: String,
    /// The list entry changed; for a permission event, the applicant's entry on the 限制消费 list
    /// under the order the permission relieves ("" if none).
    pub entry_id: String,
    pub list: String,
    /// add | change | delete (a list entry), or one of [`PERMISSION_OPS`] (a consumption
    /// permission under a 限制消费令: granted, or stopped early because the order was lifted).
    pub op: String,
    /// The entry, or for a permission event the permission (see `app::consumption`).
    pub payload: String,
    pub created_at: i64,
}

/// Feed ops of consumption-permission events: they share the feed (one table, one cursor, one
/// settle window) with the list changes, so a partner reads both in commit order.
pub const PERMISSION_OPS: [&str; 2] = ["permission_granted", "permission_ended"];

impl ListChangeRow {
    /// `entry` for a change of a list entry, `permission` for a consumption-permission event.
    pub fn kind(&self) -> &'static str {
        if PERMISSION_OPS.contains(&self.op.as_str()) {
            "permission"
        } else {
            "entry"
        }
    }
}

pub fn insert_change_stmt(c: &ListChangeRow) -> Stmt {
    Stmt::new(
        "INSERT INTO list_changes (court_code, id, entry_id, list, op, payload, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .text(&c.court_code)
    .text(&c.id)
    .text(&c.entry_id)
    .text(&c.list)
    .text(&c.op)
    .text(&c.payload)
    .int(c.created_at)
}

/// Changes after the cursor `after` (an id; "" = from the start) created before `settled_before`
/// (ms), in id order (the portal's own refresh: every change, announced or not).
pub async fn changes_after(
    conn: &mut AnyConnection,
    after: &str,
    settled_before: i64,
    limit: i64,
) -> Result<Vec<ListChangeRow>, StoreError> {
    Ok(feed_changes_after(conn, after, settled_before, limit)
        .await?
        .into_iter()
        .map(|r| r.change)
        .collect())
}

/// A change as the partners' feed reads it: the change, and whether its entry's 'add' has been
/// sent (`entry_sent`: the entry's `feed_sent`, 1 for a change without an entry row).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct FeedChangeRow {
    #[sqlx(flatten)]
    pub change: ListChangeRow,
    pub entry_sent: i64,
}

/// Changes after the cursor (as [`changes_after`]), each with whether its entry was ever
/// announced (`public_list_entries.feed_sent`, joined on the court and the entry id, so a
/// distributed engine keeps the join on one shard).
pub async fn feed_changes_after(
    conn: &mut AnyConnection,
    after: &str,
    settled_before: i64,
    limit: i64,
) -> Result<Vec<FeedChangeRow>, StoreError> {
    Ok(sqlx::query_as::<_, FeedChangeRow>(
        "SELECT c.court_code, c.id, c.entry_id, c.list, c.op, c.payload, c.created_at, \
         COALESCE(e.feed_sent, 1) AS entry_sent FROM list_changes c \
         LEFT JOIN public_list_entries e ON e.court_code = c.court_code AND e.id = c.entry_id \
         WHERE c.id > $1 AND c.created_at < $2 ORDER BY c.id LIMIT $3",
    )
    .bind(after.to_owned())
    .bind(settled_before)
    .bind(limit)
    .fetch_all(conn)
    .await?)
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct CorrectionRow {
    pub court_code: String,
    pub id: String,
    pub entry_id: String,
    pub case_id: String,
    pub ground: String,
    pub statement: String,
    pub received_on: String,
    pub decide_by: String,
    /// received | accepted | rejected | corrected
    pub status: String,
    pub decided_on: Option<String>,
    pub correct_by: Option<String>,
    pub decided_by: Option<String>,
    pub created_at: i64,
}

const CORRECTION_COLS: &str = "court_code, id, entry_id, case_id, ground, statement, received_on, decide_by, status, \
    decided_on, correct_by, decided_by, created_at";

pub fn insert_correction_stmt(c: &CorrectionRow) -> Stmt {
    Stmt::new(format!(
        "INSERT INTO list_corrections ({CORRECTION_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL, NULL, NULL, $10)"
    ))
    .text(&c.court_code)
    .text(&c.id)
    .text(&c.entry_id)
    .text(&c.case_id)
    .text(&c.ground)
    .text(&c.statement)
    .text(&c.received_on)
    .text(&c.decide_by)
    .text(&c.status)
    .int(c.created_at)
}

/// Decide a received correction request; returns a `decided_id` row only if it was still
/// undecided, so a racing second decision changes nothing.
pub fn decide_correction_stmt(
    court: &str,
    id: &str,
    status: &str,
    decided_on: &str,
    correct_by: Option<&str>,
    by: &str,
) -> Stmt {
    Stmt::new(
        "UPDATE list_corrections SET status = $1, decided_on = $2, correct_by = $3, decided_by = $4 \
         WHERE court_code = $5 AND id = $6 AND status = 'received' RETURNING id AS decided_id",
    )
    .text(status)
    .text(decided_on)
    .opt(correct_by)
    .text(by)
    .text(court)
    .text(id)
}

pub async fn find_correction(
    conn: &mut AnyConnection,
    id: &str,
) -> Result<Option<CorrectionRow>, StoreError> {
    let sql = format!("SELECT {CORRECTION_COLS} FROM list_corrections WHERE id = $1");
    Ok(sqlx::query_as::<_, CorrectionRow>(dynamic(&sql))
        .bind(id.to_owned())
        .fetch_optional(conn)
        .await?)
}

pub async fn corrections_of_case(
    conn: &mut AnyConnection,
    court: &str,
    case_id: &str,
) -> Result<Vec<CorrectionRow>, StoreError> {
    let sql = format!(
        "SELECT {CORRECTION_COLS} FROM list_corrections WHERE court_code = $1 AND case_id = $2 ORDER BY created_at, id"
    );
    Ok(sqlx::query_as::<_, CorrectionRow>(dynamic(&sql))
        .bind(court.to_owned())
        .bind(case_id.to_owned())
        .fetch_all(conn)
        .await?)
}

/// Take the next document serial of a case (之一, 之二 …) inside the caller's transaction. The
/// counter row is created with `ON CONFLICT DO NOTHING`, so concurrent first documents of a case
/// serialize on the row lock instead of failing on the key.
pub async fn next_document_serial(
    conn: &mut AnyConnection,
    court: &str,
    case_id: &str,
) -> Result<i64, StoreError> {
    sqlx::query(
        "INSERT INTO document_serials (court_code, case_id, next_serial) VALUES ($1, $2, 1) \
         ON CONFLICT (court_code, case_id) DO NOTHING",
    )
    .bind(court.to_owned())
    .bind(case_id.to_owned())
    .execute(&mut *conn)
    .await?;
    Ok(sqlx::query_scalar(
        "UPDATE document_serials SET next_serial = next_serial + 1 WHERE court_code = $1 AND case_id = $2 \
         RETURNING next_serial - 1",
    )
    .bind(court.to_owned())
    .bind(case_id.to_owned())
    .fetch_one(conn)
    .await?)
}

/// Store (or replace) a party's query code hash.
pub fn upsert_query_code_stmt(
    court: &str,
    case_id: &str,
    party_id: &str,
    code_hash: &str,
    at: i64,
    by: &str,
) -> Stmt {
    Stmt::new(
        "INSERT INTO party_query_codes (court_code, case_id, party_id, code_hash, issued_at, issued_by) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (court_code, case_id, party_id) \
         DO UPDATE SET code_hash = excluded.code_hash, issued_at = excluded.issued_at, issued_by = excluded.issued_by",
    )
    .text(court)
    .text(case_id)
    .text(party_id)
    .text(code_hash)
    .int(at)
    .text(by)
}

/// The query-code hash of a party, if one was issued.
pub async fn query_code_hash(
    conn: &mut AnyConnection,
    court: &str,
    case_id: &str,
    party_id: &str,
) -> Result<Option<String>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT code_hash FROM party_query_codes WHERE court_code = $1 AND case_id = $2 AND party_id = $3",
    )
    .bind(court.to_owned())
    .bind(case_id.to_owned())
    .bind(party_id.to_owned())
    .fetch_optional(conn)
    .await?)
}

/// The id of a case by its number within a court.
pub async fn case_id_by_number(
    conn: &mut AnyConnection,
    court: &str,
    case_number: &str,
) -> Result<Option<String>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT id FROM cases WHERE court_code = $1 AND case_number = $2")
            .bind(court.to_owned())
            .bind(case_number.to_owned())
            .fetch_optional(conn)
            .await?,
    )
}

/// Paid disbursements of a case: (instant the payment was approved, total 分).
pub async fn paid_disbursements(
    conn: &mut AnyConnection,
    court: &str,
    case_id: &str,
) -> Result<Vec<(Option<i64>, i64)>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT decided_at, total_fen FROM fund_disbursements WHERE court_code = $1 AND case_id = $2 \
         AND status = 'paid' ORDER BY proposed_at, id",
    )
    .bind(court.to_owned())
    .bind(case_id.to_owned())
    .fetch_all(conn)
    .await?)
}

/// The id of the last list change created before `before` (ms), or "" when there is none.
pub async fn settled_cursor(conn: &mut AnyConnection, before: i64) -> Result<String, StoreError> {
    let id: Option<String> =
        sqlx::query_scalar("SELECT MAX(id) FROM list_changes WHERE created_at < $1")
            .bind(before)
            .fetch_one(conn)
            .await?;
    Ok(id.unwrap_or_default())
}

// ---------------------------------------------------------------------------------------------
// 复议 of a fine or detention (migration 0007).

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct ReviewRow {
    /// The court that made the decision (and keeps the row).
    pub court_code: String,
    pub id: String,
    /// The id of what is reviewed: a measure, or (subject `correction`) a correction request.
    pub measure_id: String,
    pub case_id: String,
    /// The next-higher court that decides.
    pub review_court: String,
    pub applicant: String,
    pub received_on: String,
    pub applied_on: String,
    pub reason: String,
    pub decide_by: String,
    /// pending | upheld | revoked | changed
    pub status: String,
    pub decided_on: Option<String>,
    pub decided_by: Option<String>,
    pub decision_note: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    /// `measure` (罚款/拘留, CPL art 119) or `correction` (a rejected correction, SX2017 art 12).
    pub subject: String,
}

const REVIEW_COLS: &str = "court_code, id, measure_id, case_id, review_court, applicant, received_on, \
    applied_on, reason, decide_by, status, decided_on, decided_by, decision_note, created_at, updated_at, \
    subject";

pub fn insert_review_stmt(r: &ReviewRow) -> Stmt {
    Stmt::new(format!(
        "INSERT INTO measure_reviews ({REVIEW_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, \
         $11, $12, $13, $14, $15, $16, $17)"
    ))
    .text(&r.court_code)
    .text(&r.id)
    .text(&r.measure_id)
    .text(&r.case_id)
    .text(&r.review_court)
    .text(&r.applicant)
    .text(&r.received_on)
    .text(&r.applied_on)
    .text(&r.reason)
    .text(&r.decide_by)
    .text(&r.status)
    .opt(r.decided_on.clone())
    .opt(r.decided_by.clone())
    .opt(r.decision_note.clone())
    .int(r.created_at)
    .int(r.updated_at)
    .text(&r.subject)
}

/// A rejected correction request found justified on 复议: it becomes `corrected` (0 rows when it
/// was not rejected).
pub fn correct_on_review_stmt(
    court: &str,
    id: &str,
    decided_on: &str,
    correct_by: &str,
    by: &str,
) -> Stmt {
    Stmt::new(
        "UPDATE list_corrections SET status = 'corrected', decided_on = $3, correct_by = $4, \
         decided_by = $5 WHERE court_code = $1 AND id = $2 AND status = 'rejected'",
    )
    .text(court)
    .text(id)
    .text(decided_on)
    .text(correct_by)
    .text(by)
}

/// Record the higher court's decision on a pending review (0 rows when it was decided already).
pub fn decide_review_stmt(
    court: &str,
    id: &str,
    status: &str,
    on: &str,
    by: &str,
    note: &str,
    now_ms: i64,
) -> Stmt {
    Stmt::new(
        "UPDATE measure_reviews SET status = $3, decided_on = $4, decided_by = $5, decision_note = $6, \
         updated_at = $7 WHERE court_code = $1 AND id = $2 AND status = 'pending' RETURNING id AS decided_id",
    )
    .text(court)
    .text(id)
    .text(status)
    .text(on)
    .text(by)
    .text(note)
    .int(now_ms)
}

/// A fine or detention changed on 复议 (变更): the new amount and/or parameters, and for a
/// detention being served its new release day (the scheduler ends it then).
pub fn change_measure_on_review_stmt(
    court: &str,
    id: &str,
    amount_fen: Option<i64>,
    params: &str,
    expires_on: Option<&str>,
    now_ms: i64,
) -> Stmt {
    Stmt::new(
        "UPDATE measures SET amount_fen = COALESCE($3, amount_fen), params = $4, \
         expires_on = COALESCE($5, expires_on), updated_at = $6 WHERE court_code = $1 AND id = $2",
    )
    .text(court)
    .text(id)
    .opt_int(amount_fen)
    .text(params)
    .opt(expires_on)
    .int(now_ms)
}

/// A measure revoked on 复议 (a detention still running ends today).
pub fn revoke_measure_stmt(court: &str, id: &str, on: &str, now_ms: i64) -> Stmt {
    Stmt::new(
        "UPDATE measures SET status = 'revoked', ended_on = $3, end_reason = 'review_revoked', updated_at = $4 \
         WHERE court_code = $1 AND id = $2",
    )
    .text(court)
    .text(id)
    .text(on)
    .int(now_ms)
}

pub async fn find_review(
    conn: &mut AnyConnection,
    id: &str,
) -> Result<Option<ReviewRow>, StoreError> {
    let sql = format!("SELECT {REVIEW_COLS} FROM measure_reviews WHERE id = $1");
    Ok(sqlx::query_as::<_, ReviewRow>(dynamic(&sql))
        .bind(id.to_owned())
        .fetch_optional(conn)
        .await?)
}

/// The reviews a higher court still has to decide, earliest decision day first.
pub async fn pending_reviews_for_court(
    conn: &mut AnyConnection,
    review_court: &str,
    limit: i64,
) -> Result<Vec<ReviewRow>, StoreError> {
    let sql = format!(
        "SELECT {REVIEW_COLS} FROM measure_reviews WHERE review_court = $1 AND status = 'pending' \
         ORDER BY decide_by, id LIMIT $2"
    );
    Ok(sqlx::query_as::<_, ReviewRow>(dynamic(&sql))
        .bind(review_court.to_owned())
        .bind(limit)
        .fetch_all(conn)
        .await?)
}

/// A pending review with what its deciding 院长 sees beside it: the case number and, for a fine or
/// detention, the measure's kind, subject, amount and parameters as they stand.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PendingReviewRow {
    #[sqlx(flatten)]
    pub review: ReviewRow,
    pub case_number: String,
    pub kind: Option<String>,
    pub subject_name: Option<String>,
    pub amount_fen: Option<i64>,
    pub params: Option<String>,
}

/// [`pending_reviews_for_court`] joined with each review's case and measure, in one query.
pub async fn pending_reviews_detail(
    conn: &mut AnyConnection,
    review_court: &str,
    limit: i64,
) -> Result<Vec<PendingReviewRow>, StoreError> {
    let cols: Vec<String> = REVIEW_COLS
        .split(',')
        .map(|c| format!("r.{}", c.trim()))
        .collect();
    let sql = format!(
        "SELECT {}, c.case_number, m.kind, m.subject_name, m.amount_fen, m.params \
         FROM measure_reviews r \
         JOIN cases c ON c.court_code = r.court_code AND c.id = r.case_id \
         LEFT JOIN measures m ON r.subject = 'measure' AND m.court_code = r.court_code AND m.id = r.measure_id \
         WHERE r.review_court = $1 AND r.status = 'pending' ORDER BY r.decide_by, r.id LIMIT $2",
        cols.join(", ")
    );
    Ok(sqlx::query_as::<_, PendingReviewRow>(dynamic(&sql))
        .bind(review_court.to_owned())
        .bind(limit)
        .fetch_all(conn)
        .await?)
}

/// The 复议 of one case (of its measures and of its rejected correction requests), in the order
/// they were registered.
pub async fn reviews_of_case(
    conn: &mut AnyConnection,
    court_code: &str,
    case_id: &str,
) -> Result<Vec<ReviewRow>, StoreError> {
    let sql = format!(
        "SELECT {REVIEW_COLS} FROM measure_reviews WHERE court_code = $1 AND case_id = $2 \
         ORDER BY created_at, id"
    );
    Ok(sqlx::query_as::<_, ReviewRow>(dynamic(&sql))
        .bind(court_code.to_owned())
        .bind(case_id.to_owned())
        .fetch_all(conn)
        .await?)
}
