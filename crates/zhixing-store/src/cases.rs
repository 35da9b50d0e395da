//! Enforcement cases, their parties, numbering, assignment history and search.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use zhixing_domain::assignment::Candidate;

use crate::batch::Stmt;

use crate::StoreError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseRow {
    pub court_code: String,
    pub id: String,
    pub case_number: String,
    pub year: i64,
    pub specialty_code: String,
    pub type_code: String,
    pub serial: i64,
    pub filed_on: String,
    pub basis_court: String,
    pub basis_document_number: String,
    pub basis_document_type: String,
    pub claim_fen: i64,
    pub track: String,
    pub triage_reason: String,
    pub team_id: Option<String>,
    pub handler_id: Option<String>,
    pub assignment_reason: String,
    pub status: String,
    pub created_at: i64,
    pub created_by: String,
    pub updated_at: i64,
    /// Read-only, joined for display.
    pub team_name: Option<String>,
    pub handler_name: Option<String>,
    /// Read-only: the first applicant's and first debtor's names, for lists.
    pub applicant_name: Option<String>,
    pub debtor_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartyRow {
    pub court_code: String,
    pub id: String,
    pub case_id: String,
    pub role: String,
    pub position: i64,
    pub kind: String,
    pub name: String,
    pub id_number: Option<String>,
    pub credit_code: Option<String>,
    pub legal_representative: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssignmentRow {
    pub at: i64,
    pub actor_id: String,
    pub actor_name: Option<String>,
    pub team_name: Option<String>,
    pub handler_name: Option<String>,
    pub reason: String,
}

/// A case elsewhere with the same debtor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseRef {
    pub id: String,
    pub case_number: String,
    pub court_code: String,
}

const CASE_COLS: &str = "c.court_code, c.id, c.case_number, c.year, c.specialty_code, c.type_code, c.serial, \
    c.filed_on, c.basis_court, c.basis_document_number, c.basis_document_type, c.claim_fen, c.track, \
    c.triage_reason, c.team_id, c.handler_id, c.assignment_reason, c.status, c.created_at, c.created_by, \
    c.updated_at, t.name AS team_name, u.name AS handler_name, \
    (SELECT p.name FROM parties p WHERE p.court_code = c.court_code AND p.case_id = c.id AND p.role = 'applicant' \
     ORDER BY p.position LIMIT 1) AS applicant_name, \
    (SELECT p.name FROM parties p WHERE p.court_code = c.court_code AND p.case_id = c.id AND p.role = 'debtor' \
     ORDER BY p.position LIMIT 1) AS debtor_name";
const CASE_FROM: &str = "cases c LEFT JOIN teams t ON t.court_code = c.court_code AND t.id = c.team_id \
    LEFT JOIN users u ON u.id = c.handler_id";

fn case_row(r: &sqlx::any::AnyRow) -> Result<CaseRow, StoreError> {
    Ok(CaseRow {
        court_code: r.try_get("court_code")?,
        id: r.try_get("id")?,
        case_number: r.try_get("case_number")?,
        year: r.try_get("year")?,
        specialty_code: r.try_get("specialty_code")?,
        type_code: r.try_get("type_code")?,
        serial: r.try_get("serial")?,
        filed_on: r.try_get("filed_on")?,
        basis_court: r.try_get("basis_court")?,
        basis_document_number: r.try_get("basis_document_number")?,
        basis_document_type: r.try_get("basis_document_type")?,
        claim_fen: r.try_get("claim_fen")?,
        track: r.try_get("track")?,
        triage_reason: r.try_get("triage_reason")?,
        team_id: r.try_get("team_id")?,
        handler_id: r.try_get("handler_id")?,
        assignment_reason: r.try_get("assignment_reason")?,
        status: r.try_get("status")?,
        created_at: r.try_get("created_at")?,
        created_by: r.try_get("created_by")?,
        updated_at: r.try_get("updated_at")?,
        team_name: r.try_get("team_name")?,
        handler_name: r.try_get("handler_name")?,
        applicant_name: r.try_get("applicant_name")?,
        debtor_name: r.try_get("debtor_name")?,
    })
}

fn party_row(r: &sqlx::any::AnyRow) -> Result<PartyRow, StoreError> {
    Ok(PartyRow {
        court_code: r.try_get("court_code")?,
        id: r.try_get("id")?,
        case_id: r.try_get("case_id")?,
        role: r.try_get("role")?,
        position: r.try_get("position")?,
        kind: r.try_get("kind")?,
        name: r.try_get("name")?,
        id_number: r.try_get("id_number")?,
        credit_code: r.try_get("credit_code")?,
        legal_representative: r.try_get("legal_representative")?,
        phone: r.try_get("phone")?,
        address: r.try_get("address")?,
    })
}

/// Take the next serial of (court, year, specialty, type) inside the filing transaction. The row lock
/// (PostgreSQL) or the writer lock (SQLite) orders concurrent filings; a rollback returns the number.
pub async fn next_serial(
    conn: &mut AnyConnection,
    court: &str,
    year: i64,
    specialty: &str,
    type_code: &str,
) -> Result<i64, StoreError> {
    let rows = crate::batch::run(
        conn,
        vec![reserve_serials_stmt(court, year, specialty, type_code, 1)],
    )
    .await?;
    rows.first()
        .ok_or(StoreError::NotFound)?
        .try_get("last_serial")
        .map_err(Into::into)
}

/// Take `n` consecutive serials of (court, year, specialty, type) at once (a group of filings
/// written in one transaction): the row returned holds the last of them, so the group's serials
/// are `last_serial - n + 1 ..= last_serial`. The key columns come back to tell groups apart.
pub fn reserve_serials_stmt(
    court: &str,
    year: i64,
    specialty: &str,
    type_code: &str,
    n: i64,
) -> Stmt {
    Stmt::new(
        "INSERT INTO case_serials (court_code, year, specialty_code, type_code, last_serial) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (court_code, year, specialty_code, type_code) \
         DO UPDATE SET last_serial = case_serials.last_serial + $5 \
         RETURNING last_serial, year AS serial_year, type_code AS serial_type",
    )
    .text(court)
    .int(year)
    .text(specialty)
    .text(type_code)
    .int(n)
}

/// The existing case filed on the same basis against the same debtor, if any.
pub async fn find_filing_key(
    conn: &mut AnyConnection,
    court: &str,
    type_code: &str,
    basis_number: &str,
    debtor_key: &str,
) -> Result<Option<CaseRef>, StoreError> {
    let row = sqlx::query(
        "SELECT c.id, c.case_number, c.court_code FROM case_filing_keys k \
         JOIN cases c ON c.court_code = k.court_code AND c.id = k.case_id \
         WHERE k.court_code = $1 AND k.type_code = $2 AND k.basis_document_number = $3 AND k.debtor_key = $4",
    )
    .bind(court.to_owned())
    .bind(type_code.to_owned())
    .bind(basis_number.to_owned())
    .bind(debtor_key.to_owned())
    .fetch_optional(conn)
    .await?;
    row.map(|r| {
        Ok(CaseRef {
            id: r.try_get("id")?,
            case_number: r.try_get("case_number")?,
            court_code: r.try_get("court_code")?,
        })
    })
    .transpose()
}

/// The 重复立案 guard of a group write: inserts the key unless it is taken, and returns
/// `guard_case` only when it inserted, so a taken key refuses that one filing without failing the
/// transaction for the others.
pub fn filing_key_guard_stmt(
    court: &str,
    type_code: &str,
    basis_number: &str,
    debtor_key: &str,
    case_id: &str,
) -> Stmt {
    Stmt::new(
        "INSERT INTO case_filing_keys (court_code, type_code, basis_document_number, debtor_key, case_id) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING case_id AS guard_case",
    )
    .text(court)
    .text(type_code)
    .text(basis_number)
    .text(debtor_key)
    .text(case_id)
}

/// Drop the guard keys a refused filing of a group did insert (its other debtors' keys).
pub fn drop_filing_keys_stmt(court: &str, case_id: &str) -> Stmt {
    Stmt::new("DELETE FROM case_filing_keys WHERE court_code = $1 AND case_id = $2")
        .text(court)
        .text(case_id)
}

/// Active teams of a track, each with its active judges, with open-case counts and cases filed on or
/// after `since`, in one query (from the maintained counters, see `workloads` in the schema).
pub async fn assignment_candidates(
    conn: &mut AnyConnection,
    court: &str,
    track: &str,
    since: &str,
) -> Result<Vec<(Candidate, Vec<Candidate>)>, StoreError> {
    let rows =
        crate::batch::run(conn, vec![assignment_candidates_stmt(court, track, since)]).await?;
    candidates_in(&rows, track, since)
}

/// [`assignment_candidates`] as a statement for a [`crate::batch`]; [`candidates_in`] reads its
/// rows back (several tracks' candidates can share one batch).
pub fn assignment_candidates_stmt(court: &str, track: &str, since: &str) -> Stmt {
    Stmt::new(
        "SELECT t.track AS cand_track, CAST($3 AS TEXT) AS cand_since, t.id AS team_id, t.name AS team_name, COALESCE(wt.open_cases, 0) AS team_open, \
           CAST(COALESCE((SELECT SUM(d.cases) FROM daily_assignments d WHERE d.court_code = t.court_code \
                 AND d.assignee_id = t.id AND d.day >= $3), 0) AS BIGINT) AS team_recent, \
           u.id AS user_id, u.name AS user_name, COALESCE(wu.open_cases, 0) AS user_open, \
           CAST(COALESCE((SELECT SUM(d.cases) FROM daily_assignments d WHERE d.court_code = u.court_code \
                 AND d.assignee_id = u.id AND d.day >= $3), 0) AS BIGINT) AS user_recent \
         FROM teams t \
         LEFT JOIN workloads wt ON wt.court_code = t.court_code AND wt.assignee_id = t.id \
         LEFT JOIN users u ON u.court_code = t.court_code AND u.team_id = t.id AND u.role = 'judge' AND u.active = 1 \
         LEFT JOIN workloads wu ON wu.court_code = u.court_code AND wu.assignee_id = u.id \
         WHERE t.court_code = $1 AND t.track = $2 AND t.active = 1 ORDER BY t.id, u.id",
    )
    .text(court)
    .text(track)
    .text(since)
}

/// The candidates of `track` counted since `since` among a batch's rows: teams, each with its
/// active judges.
pub fn candidates_in(
    rows: &[AnyRow],
    track: &str,
    since: &str,
) -> Result<Vec<(Candidate, Vec<Candidate>)>, StoreError> {
    let mut out: Vec<(Candidate, Vec<Candidate>)> = Vec::new();
    for r in rows.iter().filter(|r| {
        r.try_get::<String, _>("cand_track")
            .is_ok_and(|t| t == track)
            && r.try_get::<String, _>("cand_since")
                .is_ok_and(|t| t == since)
    }) {
        let team_id: String = r.try_get("team_id")?;
        if out.last().is_none_or(|(t, _)| t.id != team_id) {
            out.push((
                Candidate {
                    id: team_id,
                    name: r.try_get("team_name")?,
                    open_cases: r.try_get("team_open")?,
                    filed_last_30_days: r.try_get("team_recent")?,
                },
                Vec::new(),
            ));
        }
        if let (Some(user_id), Some((_, judges))) =
            (r.try_get::<Option<String>, _>("user_id")?, out.last_mut())
        {
            judges.push(Candidate {
                id: user_id,
                name: r
                    .try_get::<Option<String>, _>("user_name")?
                    .unwrap_or_default(),
                open_cases: r.try_get("user_open")?,
                filed_last_30_days: r.try_get("user_recent")?,
            });
        }
    }
    Ok(out)
}

/// Add `delta` open cases to each assignee (team and/or judge), inside the case's transaction.
pub async fn add_workload(
    conn: &mut AnyConnection,
    court: &str,
    assignees: &[&str],
    delta: i64,
) -> Result<(), StoreError> {
    if let Some(stmt) = workload_stmt(court, assignees, delta) {
        crate::batch::run(conn, vec![stmt]).await?;
    }
    Ok(())
}

/// The statement of [`add_workload`] (None when there is nobody to count).
pub fn workload_stmt(court: &str, assignees: &[&str], delta: i64) -> Option<Stmt> {
    if assignees.is_empty() {
        return None;
    }
    let mut st = Stmt::new(format!(
        "INSERT INTO workloads (court_code, assignee_id, open_cases) VALUES {} \
         ON CONFLICT (court_code, assignee_id) DO UPDATE SET open_cases = workloads.open_cases + excluded.open_cases",
        crate::Backend::Postgres.values_clause(assignees.len(), 3)
    ));
    for a in assignees {
        st = st.text(court).text(*a).int(delta);
    }
    Some(st)
}

/// Add `delta` cases filed on `day` to each assignee (the 30-day tie-breaker).
pub async fn add_daily_assignment(
    conn: &mut AnyConnection,
    court: &str,
    assignees: &[&str],
    day: &str,
    delta: i64,
) -> Result<(), StoreError> {
    if let Some(stmt) = daily_assignment_stmt(court, assignees, day, delta) {
        crate::batch::run(conn, vec![stmt]).await?;
    }
    Ok(())
}

/// The statement of [`add_daily_assignment`] (None when there is nobody to count).
pub fn daily_assignment_stmt(
    court: &str,
    assignees: &[&str],
    day: &str,
    delta: i64,
) -> Option<Stmt> {
    if assignees.is_empty() {
        return None;
    }
    let mut st = Stmt::new(format!(
        "INSERT INTO daily_assignments (court_code, assignee_id, day, cases) VALUES {} \
         ON CONFLICT (court_code, assignee_id, day) DO UPDATE SET cases = daily_assignments.cases + excluded.cases",
        crate::Backend::Postgres.values_clause(assignees.len(), 4)
    ));
    for a in assignees {
        st = st.text(court).text(*a).text(day).int(delta);
    }
    Some(st)
}

/// Rebuild a court's counters from the case rows (bulk loads, repair).
pub async fn recompute_workloads(conn: &mut AnyConnection, court: &str) -> Result<(), StoreError> {
    for sql in [
        "DELETE FROM workloads WHERE court_code = $1",
        "DELETE FROM daily_assignments WHERE court_code = $1",
        "INSERT INTO workloads (court_code, assignee_id, open_cases) \
         SELECT court_code, team_id, CAST(COUNT(*) AS BIGINT) FROM cases \
         WHERE court_code = $1 AND team_id IS NOT NULL AND status <> 'closed' GROUP BY court_code, team_id",
        "INSERT INTO workloads (court_code, assignee_id, open_cases) \
         SELECT court_code, handler_id, CAST(COUNT(*) AS BIGINT) FROM cases \
         WHERE court_code = $1 AND handler_id IS NOT NULL AND status <> 'closed' GROUP BY court_code, handler_id",
        "INSERT INTO daily_assignments (court_code, assignee_id, day, cases) \
         SELECT court_code, team_id, filed_on, CAST(COUNT(*) AS BIGINT) FROM cases \
         WHERE court_code = $1 AND team_id IS NOT NULL GROUP BY court_code, team_id, filed_on",
        "INSERT INTO daily_assignments (court_code, assignee_id, day, cases) \
         SELECT court_code, handler_id, filed_on, CAST(COUNT(*) AS BIGINT) FROM cases \
         WHERE court_code = $1 AND handler_id IS NOT NULL GROUP BY court_code, handler_id, filed_on",
    ] {
        sqlx::query(sql)
            .bind(court.to_owned())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Assignees whose stored open-case counter differs from the case rows: (assignee, stored, actual).
pub async fn workload_mismatches(
    conn: &mut AnyConnection,
    court: &str,
) -> Result<Vec<(String, i64, i64)>, StoreError> {
    let rows = sqlx::query(
        "SELECT a.assignee_id, COALESCE(w.open_cases, 0) AS stored, a.actual FROM ( \
           SELECT x.assignee_id, CAST(SUM(x.n) AS BIGINT) AS actual FROM ( \
             SELECT team_id AS assignee_id, CAST(COUNT(*) AS BIGINT) AS n FROM cases \
               WHERE court_code = $1 AND team_id IS NOT NULL AND status <> 'closed' GROUP BY team_id \
             UNION ALL \
             SELECT handler_id AS assignee_id, CAST(COUNT(*) AS BIGINT) AS n FROM cases \
               WHERE court_code = $1 AND handler_id IS NOT NULL AND status <> 'closed' GROUP BY handler_id \
             UNION ALL \
             SELECT assignee_id, 0 AS n FROM workloads WHERE court_code = $1 \
           ) x GROUP BY x.assignee_id \
         ) a LEFT JOIN workloads w ON w.court_code = $1 AND w.assignee_id = a.assignee_id \
         WHERE COALESCE(w.open_cases, 0) <> a.actual ORDER BY a.assignee_id",
    )
    .bind(court.to_owned())
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("assignee_id")?,
                r.try_get("stored")?,
                r.try_get("actual")?,
            ))
        })
        .collect()
}

const INSERT_CASE_COLS: &str = "(court_code, id, case_number, year, specialty_code, type_code, serial, filed_on, \
    basis_court, basis_document_number, basis_document_type, claim_fen, track, triage_reason, team_id, handler_id, \
    assignment_reason, status, created_at, created_by, updated_at)";
const CASE_PARAMS: usize = 21;
const INSERT_PARTY_COLS: &str = "(court_code, id, case_id, role, position, kind, name, id_number, credit_code, \
    legal_representative, phone, address)";
const PARTY_PARAMS: usize = 12;

/// Insert cases (one statement per chunk; many rows for the demo generator, one for a filing).
pub async fn insert_cases(conn: &mut AnyConnection, rows: &[CaseRow]) -> Result<(), StoreError> {
    let backend = crate::Backend::of(conn);
    for chunk in rows.chunks(crate::rows_per_statement(CASE_PARAMS)) {
        crate::batch::run(conn, vec![cases_stmt(backend, chunk)]).await?;
    }
    Ok(())
}

pub async fn insert_parties(conn: &mut AnyConnection, rows: &[PartyRow]) -> Result<(), StoreError> {
    let backend = crate::Backend::of(conn);
    for chunk in rows.chunks(crate::rows_per_statement(PARTY_PARAMS)) {
        crate::batch::run(conn, vec![parties_stmt(backend, chunk)]).await?;
    }
    Ok(())
}

/// One multi-row INSERT of cases, placeholders in `backend`'s bulk style (see `values_clause`).
pub fn cases_stmt(backend: crate::Backend, rows: &[CaseRow]) -> Stmt {
    let mut st = Stmt::new(format!(
        "INSERT INTO cases {INSERT_CASE_COLS} VALUES {}",
        backend.values_clause(rows.len(), CASE_PARAMS)
    ));
    for c in rows {
        st = st
            .text(&c.court_code)
            .text(&c.id)
            .text(&c.case_number)
            .int(c.year)
            .text(&c.specialty_code)
            .text(&c.type_code)
            .int(c.serial)
            .text(&c.filed_on)
            .text(&c.basis_court)
            .text(&c.basis_document_number)
            .text(&c.basis_document_type)
            .int(c.claim_fen)
            .text(&c.track)
            .text(&c.triage_reason)
            .opt(c.team_id.clone())
            .opt(c.handler_id.clone())
            .text(&c.assignment_reason)
            .text(&c.status)
            .int(c.created_at)
            .text(&c.created_by)
            .int(c.updated_at);
    }
    st
}

/// One multi-row INSERT of parties, placeholders in `backend`'s bulk style.
pub fn parties_stmt(backend: crate::Backend, rows: &[PartyRow]) -> Stmt {
    let mut st = Stmt::new(format!(
        "INSERT INTO parties {INSERT_PARTY_COLS} VALUES {}",
        backend.values_clause(rows.len(), PARTY_PARAMS)
    ));
    for r in rows {
        st = st
            .text(&r.court_code)
            .text(&r.id)
            .text(&r.case_id)
            .text(&r.role)
            .int(r.position)
            .text(&r.kind)
            .text(&r.name)
            .opt(r.id_number.clone())
            .opt(r.credit_code.clone())
            .opt(r.legal_representative.clone())
            .opt(r.phone.clone())
            .opt(r.address.clone());
    }
    st
}

/// Bulk filing keys (demo generator).
pub async fn insert_filing_keys(
    conn: &mut AnyConnection,
    rows: &[(String, String, String, String, String)],
) -> Result<(), StoreError> {
    for chunk in rows.chunks(crate::rows_per_statement(5)) {
        let sql = format!(
            "INSERT INTO case_filing_keys (court_code, type_code, basis_document_number, debtor_key, case_id) VALUES {}",
            crate::Backend::of(conn).values_clause(chunk.len(), 5)
        );
        let mut q = sqlx::query(crate::dynamic(&sql));
        for (a, b, c, d, e) in chunk {
            q = q
                .bind(a.clone())
                .bind(b.clone())
                .bind(c.clone())
                .bind(d.clone())
                .bind(e.clone());
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Set the case serial counter (demo generator writes serials itself).
pub async fn set_serial(
    conn: &mut AnyConnection,
    court: &str,
    year: i64,
    specialty: &str,
    type_code: &str,
    last: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO case_serials (court_code, year, specialty_code, type_code, last_serial) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (court_code, year, specialty_code, type_code) DO UPDATE SET last_serial = $5",
    )
    .bind(court.to_owned())
    .bind(year)
    .bind(specialty.to_owned())
    .bind(type_code.to_owned())
    .bind(last)
    .execute(conn)
    .await?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_assignment(
    conn: &mut AnyConnection,
    court: &str,
    id: &str,
    case_id: &str,
    at: i64,
    actor_id: &str,
    team_id: Option<&str>,
    handler_id: Option<&str>,
    reason: &str,
) -> Result<(), StoreError> {
    let st = assignment_stmt(
        court, id, case_id, at, actor_id, team_id, handler_id, reason,
    );
    crate::batch::run(conn, vec![st]).await?;
    Ok(())
}

/// The statement of [`insert_assignment`].
#[allow(clippy::too_many_arguments)]
pub fn assignment_stmt(
    court: &str,
    id: &str,
    case_id: &str,
    at: i64,
    actor_id: &str,
    team_id: Option<&str>,
    handler_id: Option<&str>,
    reason: &str,
) -> Stmt {
    Stmt::new(
        "INSERT INTO case_assignments (court_code, id, case_id, at, actor_id, team_id, handler_id, reason) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .text(court)
    .text(id)
    .text(case_id)
    .int(at)
    .text(actor_id)
    .opt(team_id)
    .opt(handler_id)
    .text(reason)
}

/// One case row and its parties as two statements with `$N` placeholders, for a filing's batch
/// (`batch::run` renumbers `$N` across statements; bulk loads use [`insert_cases`] / [`insert_parties`]).
pub fn case_and_parties_stmts(case: &CaseRow, parties: &[PartyRow]) -> Vec<Stmt> {
    let mut out = vec![cases_stmt(
        crate::Backend::Postgres,
        std::slice::from_ref(case),
    )];
    if !parties.is_empty() {
        out.push(parties_stmt(crate::Backend::Postgres, parties));
    }
    out
}

pub async fn assignments_of(
    conn: &mut AnyConnection,
    court: &str,
    case_id: &str,
) -> Result<Vec<AssignmentRow>, StoreError> {
    let rows = sqlx::query(
        "SELECT a.at, a.actor_id, au.name AS actor_name, t.name AS team_name, u.name AS handler_name, a.reason \
         FROM case_assignments a \
         LEFT JOIN users au ON au.id = a.actor_id \
         LEFT JOIN teams t ON t.court_code = a.court_code AND t.id = a.team_id \
         LEFT JOIN users u ON u.id = a.handler_id \
         WHERE a.court_code = $1 AND a.case_id = $2 ORDER BY a.at, a.id",
    )
    .bind(court.to_owned())
    .bind(case_id.to_owned())
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(AssignmentRow {
                at: r.try_get("at")?,
                actor_id: r.try_get("actor_id")?,
                actor_name: r.try_get("actor_name")?,
                team_name: r.try_get("team_name")?,
                handler_name: r.try_get("handler_name")?,
                reason: r.try_get("reason")?,
            })
        })
        .collect()
}

/// Record a new team/handler (分案 or 改派).
#[allow(clippy::too_many_arguments)]
pub async fn update_assignment(
    conn: &mut AnyConnection,
    court: &str,
    id: &str,
    team_id: Option<&str>,
    handler_id: Option<&str>,
    reason: &str,
    status: &str,
    now_ms: i64,
) -> Result<(), StoreError> {
    let r = sqlx::query(
        "UPDATE cases SET team_id = $1, handler_id = $2, assignment_reason = $3, status = $4, updated_at = $5 \
         WHERE court_code = $6 AND id = $7",
    )
    .bind(team_id.map(str::to_owned))
    .bind(handler_id.map(str::to_owned))
    .bind(reason.to_owned())
    .bind(status.to_owned())
    .bind(now_ms)
    .bind(court.to_owned())
    .bind(id.to_owned())
    .execute(conn)
    .await?;
    if r.rows_affected() == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}

pub async fn find_case(conn: &mut AnyConnection, id: &str) -> Result<Option<CaseRow>, StoreError> {
    let sql = format!("SELECT {CASE_COLS} FROM {CASE_FROM} WHERE c.id = $1");
    let row = sqlx::query(crate::dynamic(&sql))
        .bind(id.to_owned())
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(case_row).transpose()
}

pub async fn parties_of(
    conn: &mut AnyConnection,
    court: &str,
    case_id: &str,
) -> Result<Vec<PartyRow>, StoreError> {
    let rows = sqlx::query(
        "SELECT court_code, id, case_id, role, position, kind, name, id_number, credit_code, legal_representative, \
         phone, address FROM parties WHERE court_code = $1 AND case_id = $2 ORDER BY role, position",
    )
    .bind(court.to_owned())
    .bind(case_id.to_owned())
    .fetch_all(conn)
    .await?;
    rows.iter().map(party_row).collect()
}

/// The open cases against each of several debtors (by ID number or credit code), at most `limit`
/// per debtor, newest first: the same-debtor hints of a group of filings in one statement (for a
/// [`crate::batch`]). Rows carry `sd_key` (the debtor's key), `sd_id`, `sd_case_number`,
/// `sd_court`; [`same_debtor_rows`] reads them back.
pub fn same_debtor_stmt(id_numbers: &[&str], credit_codes: &[&str], limit: i64) -> Stmt {
    let mut stmt = Stmt::new(String::new());
    let mut n = 0usize;
    let mut list = |keys: &[&str], stmt: &mut Stmt| {
        let marks: Vec<String> = keys
            .iter()
            .map(|k| {
                n += 1;
                stmt.args.push(crate::batch::Arg::Text((*k).to_owned()));
                format!("${n}")
            })
            .collect();
        if marks.is_empty() {
            "NULL".to_owned()
        } else {
            marks.join(", ")
        }
    };
    let ids = list(id_numbers, &mut stmt);
    let codes = list(credit_codes, &mut stmt);
    n += 1;
    stmt.sql = format!(
        "SELECT sd_key, sd_id, sd_case_number, sd_court FROM ( \
           SELECT k.sd_key, c.id AS sd_id, c.case_number AS sd_case_number, c.court_code AS sd_court, \
             ROW_NUMBER() OVER (PARTITION BY k.sd_key ORDER BY c.filed_on DESC, c.case_number) AS sd_rank \
           FROM ( \
             SELECT DISTINCT p.id_number AS sd_key, p.court_code, p.case_id FROM parties p \
               WHERE p.id_number IN ({ids}) AND p.role = 'debtor' \
             UNION \
             SELECT DISTINCT p.credit_code AS sd_key, p.court_code, p.case_id FROM parties p \
               WHERE p.credit_code IN ({codes}) AND p.role = 'debtor' \
           ) k JOIN cases c ON c.court_code = k.court_code AND c.id = k.case_id \
           WHERE c.status <> 'closed' \
         ) x WHERE sd_rank <= ${n} ORDER BY sd_key, sd_rank"
    );
    stmt.args.push(crate::batch::Arg::Int(limit));
    stmt
}

/// The `(debtor key, case)` rows of a [`same_debtor_stmt`] among a batch's rows, in order.
pub fn same_debtor_rows(rows: &[AnyRow]) -> Vec<(String, CaseRef)> {
    rows.iter()
        .filter_map(|r| {
            Some((
                r.try_get::<String, _>("sd_key").ok()?,
                CaseRef {
                    id: r.try_get("sd_id").ok()?,
                    case_number: r.try_get("sd_case_number").ok()?,
                    court_code: r.try_get("sd_court").ok()?,
                },
            ))
        })
        .collect()
}

/// Open cases in any court whose debtor has this ID number or credit code.
pub async fn same_debtor_cases(
    conn: &mut AnyConnection,
    id_number: Option<&str>,
    credit_code: Option<&str>,
    exclude_case: &str,
    limit: i64,
) -> Result<Vec<CaseRef>, StoreError> {
    let (sql, key) = match (id_number, credit_code) {
        (Some(k), _) => (
            "SELECT DISTINCT c.id, c.case_number, c.court_code, c.filed_on FROM parties p \
             JOIN cases c ON c.court_code = p.court_code AND c.id = p.case_id \
             WHERE p.id_number = $1 AND p.role = 'debtor' AND c.status <> 'closed' AND c.id <> $2 \
             ORDER BY c.filed_on DESC, c.case_number LIMIT $3",
            k,
        ),
        (None, Some(k)) => (
            "SELECT DISTINCT c.id, c.case_number, c.court_code, c.filed_on FROM parties p \
             JOIN cases c ON c.court_code = p.court_code AND c.id = p.case_id \
             WHERE p.credit_code = $1 AND p.role = 'debtor' AND c.status <> 'closed' AND c.id <> $2 \
             ORDER BY c.filed_on DESC, c.case_number LIMIT $3",
            k,
        ),
        (None, None) => return Ok(Vec::new()),
    };
    let rows = sqlx::query(sql)
        .bind(key.to_owned())
        .bind(exclude_case.to_owned())
        .bind(limit)
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(CaseRef {
                id: r.try_get("id")?,
                case_number: r.try_get("case_number")?,
                court_code: r.try_get("court_code")?,
            })
        })
        .collect()
}

/// Which cases a reader may see; built by the app layer's scope module, never from request input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Visibility {
    /// Cases of one court.
    Court(String),
    /// Cases of one team in a court, plus those the user handles.
    Team {
        court: String,
        team_id: Option<String>,
        user_id: String,
    },
    /// Cases of every court whose path starts with this court's path.
    Subtree { path: String },
}

/// What the reader asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseFilter {
    pub court: Option<String>,
    pub status: Option<String>,
    /// Exact case number (normalised).
    pub case_number: Option<String>,
    /// Exact ID number or credit code of any party.
    pub identity: Option<String>,
    /// Substring of a party name or the case number.
    pub text: Option<String>,
}

/// Escape LIKE wildcards for `LIKE … ESCAPE '\'`.
pub fn like_pattern(text: &str) -> String {
    let mut s = String::with_capacity(text.len() + 2);
    s.push('%');
    for ch in text.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            s.push('\\');
        }
        s.push(ch);
    }
    s.push('%');
    s
}

/// One page of visible cases, newest filing first, and the total count.
pub async fn list_cases(
    conn: &mut AnyConnection,
    vis: &Visibility,
    filter: &CaseFilter,
    limit: i64,
    offset: i64,
) -> Result<(Vec<CaseRow>, i64), StoreError> {
    let mut conds: Vec<String> = Vec::new();
    let mut args: Vec<Option<String>> = Vec::new();
    let arg = |v: String, args: &mut Vec<Option<String>>| {
        args.push(Some(v));
        format!("${}", args.len())
    };
    match vis {
        Visibility::Court(c) => conds.push(format!("c.court_code = {}", arg(c.clone(), &mut args))),
        Visibility::Team {
            court,
            team_id,
            user_id,
        } => {
            let court_p = arg(court.clone(), &mut args);
            let user_p = arg(user_id.clone(), &mut args);
            match team_id {
                Some(t) => {
                    let team_p = arg(t.clone(), &mut args);
                    conds.push(format!("c.court_code = {court_p} AND (c.team_id = {team_p} OR c.handler_id = {user_p})"));
                }
                None => conds.push(format!(
                    "c.court_code = {court_p} AND c.handler_id = {user_p}"
                )),
            }
        }
        Visibility::Subtree { path } => {
            let p1 = arg(path.clone(), &mut args);
            let p2 = arg(format!("{}/%", crate::courts::like_escape(path)), &mut args);
            conds.push(format!(
                "c.court_code IN (SELECT code FROM courts WHERE path = {p1} OR path LIKE {p2})"
            ));
        }
    }
    if let Some(court) = &filter.court {
        conds.push(format!("c.court_code = {}", arg(court.clone(), &mut args)));
    }
    if let Some(s) = &filter.status {
        conds.push(format!("c.status = {}", arg(s.clone(), &mut args)));
    }
    if let Some(n) = &filter.case_number {
        conds.push(format!("c.case_number = {}", arg(n.clone(), &mut args)));
    }
    if let Some(k) = &filter.identity {
        let p = arg(k.clone(), &mut args);
        conds.push(format!(
            "EXISTS (SELECT 1 FROM parties p WHERE p.court_code = c.court_code AND p.case_id = c.id \
             AND (p.id_number = {p} OR p.credit_code = {p}))"
        ));
    }
    if let Some(t) = &filter.text {
        let p = arg(like_pattern(t), &mut args);
        conds.push(format!(
            "(c.case_number LIKE {p} ESCAPE '\\' OR EXISTS (SELECT 1 FROM parties p WHERE p.court_code = c.court_code \
             AND p.case_id = c.id AND p.name LIKE {p} ESCAPE '\\'))"
        ));
    }
    let where_sql = conds.join(" AND ");
    let count_sql = format!("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM cases c WHERE {where_sql}");
    let mut q = sqlx::query(crate::dynamic(&count_sql));
    for a in &args {
        q = q.bind(a.clone());
    }
    let total: i64 = q.fetch_one(&mut *conn).await?.try_get("n")?;

    let n = args.len();
    let list_sql = format!(
        "SELECT {CASE_COLS} FROM {CASE_FROM} WHERE {where_sql} \
         ORDER BY c.filed_on DESC, c.created_at DESC, c.id DESC LIMIT ${} OFFSET ${}",
        n + 1,
        n + 2
    );
    let mut q = sqlx::query(crate::dynamic(&list_sql));
    for a in &args {
        q = q.bind(a.clone());
    }
    let rows = q.bind(limit).bind(offset).fetch_all(conn).await?;
    let cases = rows.iter().map(case_row).collect::<Result<Vec<_>, _>>()?;
    Ok((cases, total))
}

/// Count of cases per status in a court (dashboards, tests).
pub async fn count_by_status(
    conn: &mut AnyConnection,
    court: &str,
) -> Result<Vec<(String, i64)>, StoreError> {
    let rows = sqlx::query(
        "SELECT status, CAST(COUNT(*) AS BIGINT) AS n FROM cases WHERE court_code = $1 GROUP BY status ORDER BY status",
    )
    .bind(court.to_owned())
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("status")?, r.try_get("n")?)))
        .collect()
}

/// Every serial counter of a court: (year, specialty, type) → last serial.
pub async fn serials_of(
    conn: &mut AnyConnection,
    court: &str,
) -> Result<Vec<(i64, String, String, i64)>, StoreError> {
    let rows = sqlx::query("SELECT year, specialty_code, type_code, last_serial FROM case_serials WHERE court_code = $1")
        .bind(court.to_owned())
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("year")?,
                r.try_get("specialty_code")?,
                r.try_get("type_code")?,
                r.try_get("last_serial")?,
            ))
        })
        .collect()
}
