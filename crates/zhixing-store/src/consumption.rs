//! Permissions to consume under a 限制消费令 (XF2015 art 3 para 2, art 8; migration 0014). Rows
//! map with `sqlx::FromRow`; statement builders run in the caller's transaction through
//! [`crate::batch::run`]. The decision is guarded by the status it was read in.

use sqlx::AnyConnection;

use crate::batch::Stmt;
use crate::{StoreError, dynamic};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct PermissionRow {
    pub court_code: String,
    pub id: String,
    pub case_id: String,
    /// The 限制消费 measure the permission relieves.
    pub measure_id: String,
    pub applicant_name: String,
    /// ID number (or, for the entity itself, its credit code): staff data, never published.
    pub applicant_id_number: String,
    /// debtor | legal_representative | principal_in_charge | directly_responsible | actual_controller
    pub applicant_role: String,
    /// One of the nine acts of XF2015 art 3 para 1 (`domain::consumption::ACTS`).
    pub act: String,
    /// private_own_assets (art 3 para 2) | necessity (art 8)
    pub ground: String,
    pub reason: String,
    pub period_from: String,
    pub period_to: String,
    /// applied | granted | refused
    pub status: String,
    pub applied_on: String,
    pub decided_by: Option<String>,
    pub decided_on: Option<String>,
    pub decision_note: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

const COLS: &str = "court_code, id, case_id, measure_id, applicant_name, applicant_id_number, \
    applicant_role, act, ground, reason, period_from, period_to, status, applied_on, decided_by, \
    decided_on, decision_note, created_at, updated_at";

pub fn insert_permission_stmt(r: &PermissionRow) -> Stmt {
    Stmt::new(format!(
        "INSERT INTO consumption_permissions ({COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, \
         $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)"
    ))
    .text(&r.court_code)
    .text(&r.id)
    .text(&r.case_id)
    .text(&r.measure_id)
    .text(&r.applicant_name)
    .text(&r.applicant_id_number)
    .text(&r.applicant_role)
    .text(&r.act)
    .text(&r.ground)
    .text(&r.reason)
    .text(&r.period_from)
    .text(&r.period_to)
    .text(&r.status)
    .text(&r.applied_on)
    .opt(r.decided_by.clone())
    .opt(r.decided_on.clone())
    .opt(r.decision_note.clone())
    .int(r.created_at)
    .int(r.updated_at)
}

/// Record the decision on an application still `applied` (0 rows when it was decided already).
pub fn decide_permission_stmt(
    court: &str,
    id: &str,
    status: &str,
    on: &str,
    by: &str,
    note: &str,
    now_ms: i64,
) -> Stmt {
    Stmt::new(
        "UPDATE consumption_permissions SET status = $3, decided_on = $4, decided_by = $5, \
         decision_note = $6, updated_at = $7 WHERE court_code = $1 AND id = $2 AND status = 'applied' \
         RETURNING id AS decided_id",
    )
    .text(court)
    .text(id)
    .text(status)
    .text(on)
    .text(by)
    .text(note)
    .int(now_ms)
}

pub async fn find_permission(
    conn: &mut AnyConnection,
    id: &str,
) -> Result<Option<PermissionRow>, StoreError> {
    let sql = format!("SELECT {COLS} FROM consumption_permissions WHERE id = $1");
    Ok(sqlx::query_as::<_, PermissionRow>(dynamic(&sql))
        .bind(id.to_owned())
        .fetch_optional(conn)
        .await?)
}

/// The applications of one case, in the order they were recorded.
pub async fn permissions_of_case(
    conn: &mut AnyConnection,
    court_code: &str,
    case_id: &str,
) -> Result<Vec<PermissionRow>, StoreError> {
    let sql = format!(
        "SELECT {COLS} FROM consumption_permissions WHERE court_code = $1 AND case_id = $2 \
         ORDER BY created_at, id"
    );
    Ok(sqlx::query_as::<_, PermissionRow>(dynamic(&sql))
        .bind(court_code.to_owned())
        .bind(case_id.to_owned())
        .fetch_all(conn)
        .await?)
}

/// Granted permissions covering `day` (`YYYY-MM-DD`) of the holders of `keys` (upper-case ID
/// numbers / credit codes), in any court, whose 限制消费令 is still in effect (a permission
/// relieves that order only: once it is lifted, another order binding the same person is not
/// relieved by it): what a partner's bulk check reports beside a listing.
pub async fn granted_on(
    conn: &mut AnyConnection,
    keys: &[String],
    day: &str,
) -> Result<Vec<PermissionRow>, StoreError> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let marks = (0..keys.len())
        .map(|i| format!("${}", i + 2))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT {COLS} FROM consumption_permissions p WHERE status = 'granted' \
         AND period_from <= $1 AND period_to >= $1 AND applicant_id_number IN ({marks}) \
         AND EXISTS (SELECT 1 FROM measures m WHERE m.court_code = p.court_code \
         AND m.id = p.measure_id AND m.status = 'effective') \
         ORDER BY applicant_id_number, period_from, id"
    );
    let mut q = sqlx::query_as::<_, PermissionRow>(dynamic(&sql)).bind(day.to_owned());
    for k in keys {
        q = q.bind(k.clone());
    }
    Ok(q.fetch_all(conn).await?)
}

/// An effective 限制消费令 binding a key (upper-case ID number / credit code): the debtor or a
/// bound person, as its entry on the 限制消费 list names them.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OrderInEffect {
    /// The key as the entry stores it (compare ASCII-case-insensitively).
    pub id_number: String,
    pub court_code: String,
    pub measure_id: String,
    pub case_id: String,
}

/// The effective 限制消费令 binding each of `keys` on `day`, in any court: every order whose entry
/// on the 限制消费 list (debtor or bound person) is listed and published by `day` (an order in its
/// grace period, 宽限期, restricts from its publication date). A key with an `X` check character
/// is also asked in lower case (a bound person's number is stored as typed). For the partners'
/// bulk check: a permission is lawful only where every one of these permits the act (XF2015
/// arts 3, 8; `domain::consumption::permitted_under_every_order`).
pub async fn orders_in_effect(
    conn: &mut AnyConnection,
    keys: &[String],
    day: &str,
) -> Result<Vec<OrderInEffect>, StoreError> {
    let mut asked: Vec<String> = Vec::with_capacity(keys.len());
    for k in keys {
        asked.push(k.clone());
        let lower = k.to_ascii_lowercase();
        if lower != *k {
            asked.push(lower);
        }
    }
    if asked.is_empty() {
        return Ok(Vec::new());
    }
    let marks = (0..asked.len())
        .map(|i| format!("${}", i + 2))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT DISTINCT e.id_number, m.court_code, m.id AS measure_id, m.case_id \
         FROM public_list_entries e JOIN measures m ON m.court_code = e.court_code \
         AND m.id = e.measure_id WHERE e.list = 'restricted' AND e.status = 'listed' \
         AND e.publish_on <= $1 AND e.id_number IN ({marks}) \
         AND m.kind = 'consumption_restriction' AND m.status = 'effective' \
         ORDER BY e.id_number, m.court_code, m.id"
    );
    let mut q = sqlx::query_as::<_, OrderInEffect>(dynamic(&sql)).bind(day.to_owned());
    for k in asked {
        q = q.bind(k);
    }
    Ok(q.fetch_all(conn).await?)
}

/// Hold the 限制消费令 a grant relieves while the grant is written, and check it is still in
/// effect: a no-op UPDATE guarded by the status (`RETURNING id AS live_order`; no row when it was
/// lifted meanwhile). On PostgreSQL it locks the row, so a grant and the order's lifting are
/// serialised: either the lifting sees the grant (and stops it in the feed) or the grant sees the
/// order lifted (409). SQLite serialises writers anyway.
pub fn hold_order_stmt(court: &str, measure_id: &str) -> Stmt {
    Stmt::new(
        "UPDATE measures SET updated_at = updated_at WHERE court_code = $1 AND id = $2 \
         AND kind = 'consumption_restriction' AND status = 'effective' RETURNING id AS live_order",
    )
    .text(court)
    .text(measure_id)
}

/// Granted permissions under the 限制消费令 `measure_id` that still cover `day` or a later day:
/// what stops applying early when the order is lifted on `day`. Read in the lifting's
/// transaction after the order's guarded UPDATE (see [`hold_order_stmt`]). `case_id` is the
/// order's case (index `consumption_permissions_case`).
pub async fn granted_not_over(
    conn: &mut AnyConnection,
    court_code: &str,
    case_id: &str,
    measure_id: &str,
    day: &str,
) -> Result<Vec<PermissionRow>, StoreError> {
    let sql = format!(
        "SELECT {COLS} FROM consumption_permissions WHERE court_code = $1 AND case_id = $2 \
         AND measure_id = $3 AND status = 'granted' AND period_to >= $4 ORDER BY created_at, id"
    );
    Ok(sqlx::query_as::<_, PermissionRow>(dynamic(&sql))
        .bind(court_code.to_owned())
        .bind(case_id.to_owned())
        .bind(measure_id.to_owned())
        .bind(day.to_owned())
        .fetch_all(conn)
        .await?)
}
