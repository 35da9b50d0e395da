//! Process events, node deadlines, the 红黄蓝 board counters, notifications, the SMS outbox and
//! supervision items (督办). Statement builders return [`Stmt`] so a use case can put them in the
//! same batch as the rest of its transaction.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::batch::Stmt;
use crate::{Backend, StoreError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRow {
    pub court_code: String,
    pub id: String,
    pub case_id: String,
    pub node: String,
    pub on_date: String,
    pub note: String,
    pub actor_id: String,
    pub created_at: i64,
    /// Read-only, joined for display.
    pub actor_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadlineRow {
    pub court_code: String,
    pub id: String,
    pub case_id: String,
    pub node: String,
    pub key_node: bool,
    pub rule_id: String,
    pub rule_version: i64,
    pub kind: String,
    pub start_event_id: Option<String>,
    pub start_on: String,
    pub due_on: String,
    pub status: String,
    pub done_on: Option<String>,
    pub level: Option<String>,
    pub fire_at: Option<i64>,
    pub team_id: Option<String>,
    pub handler_id: Option<String>,
    /// JSON of `zhixing_domain::deadline::Derivation`.
    pub derivation: String,
    pub created_at: i64,
    pub updated_at: i64,
}

const DEADLINE_COLS: &str = "court_code, id, case_id, node, key_node, rule_id, rule_version, kind, start_event_id, \
    start_on, due_on, status, done_on, level, fire_at, team_id, handler_id, derivation, created_at, updated_at";

fn deadline_row(r: &sqlx::any::AnyRow) -> Result<DeadlineRow, StoreError> {
    Ok(DeadlineRow {
        court_code: r.try_get("court_code")?,
        id: r.try_get("id")?,
        case_id: r.try_get("case_id")?,
        node: r.try_get("node")?,
        key_node: r.try_get::<i64, _>("key_node")? != 0,
        rule_id: r.try_get("rule_id")?,
        rule_version: r.try_get("rule_version")?,
        kind: r.try_get("kind")?,
        start_event_id: r.try_get("start_event_id")?,
        start_on: r.try_get("start_on")?,
        due_on: r.try_get("due_on")?,
        status: r.try_get("status")?,
        done_on: r.try_get("done_on")?,
        level: r.try_get("level")?,
        fire_at: r.try_get("fire_at")?,
        team_id: r.try_get("team_id")?,
        handler_id: r.try_get("handler_id")?,
        derivation: r.try_get("derivation")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

/// Insert deadlines (one multi-row statement with `$N` placeholders, for a batch; None when empty).
pub fn insert_deadlines_stmt(rows: &[DeadlineRow]) -> Option<Stmt> {
    insert_deadlines_with(Backend::Postgres, rows)
}

/// The same statement with the placeholders of `backend` (`?` on SQLite for bulk loads: SQLite
/// resolves `$N` names by a linear scan, O(p²) per statement — bench/RESULTS.md §1).
fn insert_deadlines_with(backend: Backend, rows: &[DeadlineRow]) -> Option<Stmt> {
    if rows.is_empty() {
        return None;
    }
    let mut st = Stmt::new(format!(
        "INSERT INTO deadlines ({DEADLINE_COLS}) VALUES {}",
        backend.values_clause(rows.len(), 20)
    ));
    for d in rows {
        st = st
            .text(&d.court_code)
            .text(&d.id)
            .text(&d.case_id)
            .text(&d.node)
            .int(i64::from(d.key_node))
            .text(&d.rule_id)
            .int(d.rule_version)
            .text(&d.kind)
            .opt(d.start_event_id.clone())
            .text(&d.start_on)
            .text(&d.due_on)
            .text(&d.status)
            .opt(d.done_on.clone())
            .opt(d.level.clone())
            .opt_int(d.fire_at)
            .opt(d.team_id.clone())
            .opt(d.handler_id.clone())
            .text(&d.derivation)
            .int(d.created_at)
            .int(d.updated_at);
    }
    Some(st)
}

/// Insert many deadlines (bulk loads), chunked under the parameter limit.
pub async fn insert_deadlines(
    conn: &mut AnyConnection,
    rows: &[DeadlineRow],
) -> Result<(), StoreError> {
    let backend = Backend::of(conn);
    for chunk in rows.chunks(crate::rows_per_statement(20)) {
        crate::batch::run(
            conn,
            insert_deadlines_with(backend, chunk).into_iter().collect(),
        )
        .await?;
    }
    Ok(())
}

/// Insert many events (bulk loads), chunked under the parameter limit.
pub async fn insert_events(conn: &mut AnyConnection, rows: &[EventRow]) -> Result<(), StoreError> {
    let backend = Backend::of(conn);
    for chunk in rows.chunks(crate::rows_per_statement(8)) {
        crate::batch::run(
            conn,
            insert_events_with(backend, chunk).into_iter().collect(),
        )
        .await?;
    }
    Ok(())
}

/// Rebuild a court's board counters from its deadlines (bulk loads, repair).
pub async fn recompute_board(conn: &mut AnyConnection, court: &str) -> Result<(), StoreError> {
    for sql in [
        "DELETE FROM deadline_board WHERE court_code = $1",
        "INSERT INTO deadline_board (court_code, team_id, handler_id, level, items) \
         SELECT court_code, COALESCE(team_id, ''), COALESCE(handler_id, ''), level, CAST(COUNT(*) AS BIGINT) \
         FROM deadlines WHERE court_code = $1 AND status = 'pending' AND level IS NOT NULL \
         GROUP BY court_code, COALESCE(team_id, ''), COALESCE(handler_id, ''), level",
    ] {
        sqlx::query(sql)
            .bind(court.to_owned())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Insert one process event.
pub fn insert_event_stmt(e: &EventRow) -> Stmt {
    Stmt::new(
        "INSERT INTO case_events (court_code, id, case_id, node, on_date, note, actor_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .text(&e.court_code)
    .text(&e.id)
    .text(&e.case_id)
    .text(&e.node)
    .text(&e.on_date)
    .text(&e.note)
    .text(&e.actor_id)
    .int(e.created_at)
}

/// Insert several events in one statement (`$N` placeholders, for a batch; None when empty).
pub fn insert_events_stmt(rows: &[EventRow]) -> Option<Stmt> {
    insert_events_with(Backend::Postgres, rows)
}

fn insert_events_with(backend: Backend, rows: &[EventRow]) -> Option<Stmt> {
    if rows.is_empty() {
        return None;
    }
    let mut st = Stmt::new(format!(
        "INSERT INTO case_events (court_code, id, case_id, node, on_date, note, actor_id, created_at) VALUES {}",
        backend.values_clause(rows.len(), 8)
    ));
    for e in rows {
        st = st
            .text(&e.court_code)
            .text(&e.id)
            .text(&e.case_id)
            .text(&e.node)
            .text(&e.on_date)
            .text(&e.note)
            .text(&e.actor_id)
            .int(e.created_at);
    }
    Some(st)
}

pub async fn events_of(
    conn: &mut AnyConnection,
    court: &str,
    case_id: &str,
) -> Result<Vec<EventRow>, StoreError> {
    let rows = sqlx::query(
        "SELECT e.court_code, e.id, e.case_id, e.node, e.on_date, e.note, e.actor_id, e.created_at, u.name AS actor_name \
         FROM case_events e LEFT JOIN users u ON u.id = e.actor_id \
         WHERE e.court_code = $1 AND e.case_id = $2 ORDER BY e.on_date, e.created_at, e.id",
    )
    .bind(court.to_owned())
    .bind(case_id.to_owned())
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(EventRow {
                court_code: r.try_get("court_code")?,
                id: r.try_get("id")?,
                case_id: r.try_get("case_id")?,
                node: r.try_get("node")?,
                on_date: r.try_get("on_date")?,
                note: r.try_get("note")?,
                actor_id: r.try_get("actor_id")?,
                created_at: r.try_get("created_at")?,
                actor_name: r.try_get("actor_name")?,
            })
        })
        .collect()
}

/// Every deadline of a case, by due date.
pub async fn deadlines_of(
    conn: &mut AnyConnection,
    court: &str,
    case_id: &str,
) -> Result<Vec<DeadlineRow>, StoreError> {
    let sql = format!(
        "SELECT {DEADLINE_COLS} FROM deadlines WHERE court_code = $1 AND case_id = $2 ORDER BY due_on, node, id"
    );
    let rows = sqlx::query(crate::dynamic(&sql))
        .bind(court.to_owned())
        .bind(case_id.to_owned())
        .fetch_all(conn)
        .await?;
    rows.iter().map(deadline_row).collect()
}

/// Mark deadlines done (None when empty). Only pending rows change.
pub fn complete_stmt(court: &str, ids: &[&str], done_on: &str, now_ms: i64) -> Option<Stmt> {
    if ids.is_empty() {
        return None;
    }
    let list: Vec<String> = (0..ids.len()).map(|i| format!("${}", i + 4)).collect();
    let mut st = Stmt::new(format!(
        "UPDATE deadlines SET status = 'done', done_on = $1, fire_at = NULL, updated_at = $2 \
         WHERE court_code = $3 AND status = 'pending' AND id IN ({})",
        list.join(", ")
    ))
    .text(done_on)
    .int(now_ms)
    .text(court);
    for id in ids {
        st = st.text(*id);
    }
    Some(st)
}

/// Replace a pending deadline's due date, derivation, level and next fire instant (recompute).
#[allow(clippy::too_many_arguments)]
pub fn reschedule_stmt(
    court: &str,
    id: &str,
    due_on: &str,
    derivation: &str,
    rule_version: i64,
    level: Option<&str>,
    fire_at: Option<i64>,
    now_ms: i64,
) -> Stmt {
    Stmt::new(
        "UPDATE deadlines SET due_on = $1, derivation = $2, rule_version = $3, level = $4, fire_at = $5, \
         updated_at = $6 WHERE court_code = $7 AND id = $8",
    )
    .text(due_on)
    .text(derivation)
    .int(rule_version)
    .opt(level.map(str::to_owned))
    .opt_int(fire_at)
    .int(now_ms)
    .text(court)
    .text(id)
}

/// Set a deadline's fired level and next fire instant (the scheduler).
pub fn set_level_stmt(
    court: &str,
    id: &str,
    level: Option<&str>,
    fire_at: Option<i64>,
    now_ms: i64,
) -> Stmt {
    Stmt::new(
        "UPDATE deadlines SET level = $1, fire_at = $2, updated_at = $3 WHERE court_code = $4 AND id = $5",
    )
    .opt(level.map(str::to_owned))
    .opt_int(fire_at)
    .int(now_ms)
    .text(court)
    .text(id)
}

/// `(court, id, level, fire_at)` of one deadline after a tick.
pub type LevelSet<'a> = (&'a str, &'a str, Option<&'a str>, Option<i64>);

/// `($o+1, …, $o+cols), (…)` for `rows` rows.
fn numbered_values(rows: usize, cols: usize, offset: usize) -> String {
    let mut s = String::with_capacity(rows * cols * 5);
    for r in 0..rows {
        if r > 0 {
            s.push(',');
        }
        s.push('(');
        for c in 0..cols {
            if c > 0 {
                s.push(',');
            }
            s.push('$');
            s.push_str(&(offset + r * cols + c + 1).to_string());
        }
        s.push(')');
    }
    s
}

/// Set the fired level and next fire instant of many deadlines in one statement (the scheduler).
/// `UPDATE … FROM (VALUES …)` runs on both databases (SQLite ≥ 3.33); VALUES columns are
/// `column1…` on both.
pub fn set_levels_stmt(rows: &[LevelSet<'_>], now_ms: i64) -> Option<Stmt> {
    if rows.is_empty() {
        return None;
    }
    let mut st = Stmt::new(format!(
        "UPDATE deadlines SET level = v.column3, fire_at = v.column4, updated_at = $1 \
         FROM (VALUES {}) AS v WHERE deadlines.court_code = v.column1 AND deadlines.id = v.column2",
        numbered_values(rows.len(), 4, 1)
    ))
    .int(now_ms);
    for (court, id, level, fire_at) in rows {
        st = st
            .text(*court)
            .text(*id)
            .opt(level.map(str::to_owned))
            .opt_int(*fire_at);
    }
    Some(st)
}

/// Add deltas to many board counters in one statement; keys must be distinct (callers sum first).
pub fn board_deltas_stmt(rows: &[(String, String, String, String, i64)]) -> Option<Stmt> {
    if rows.is_empty() {
        return None;
    }
    let mut st = Stmt::new(format!(
        "INSERT INTO deadline_board (court_code, team_id, handler_id, level, items) VALUES {} \
         ON CONFLICT (court_code, team_id, handler_id, level) DO UPDATE SET items = deadline_board.items + excluded.items",
        numbered_values(rows.len(), 5, 0)
    ));
    for (court, team, handler, level, delta) in rows {
        st = st
            .text(court)
            .text(team)
            .text(handler)
            .text(level)
            .int(*delta);
    }
    Some(st)
}

/// Insert many notifications in one statement.
pub fn insert_notifications_stmt(rows: &[NotificationRow]) -> Option<Stmt> {
    if rows.is_empty() {
        return None;
    }
    let mut st = Stmt::new(format!(
        "INSERT INTO notifications (court_code, id, user_id, case_id, source_kind, source_id, level, title, body, created_at) \
         VALUES {}",
        numbered_values(rows.len(), 10, 0)
    ));
    for n in rows {
        st = st
            .text(&n.court_code)
            .text(&n.id)
            .text(&n.user_id)
            .opt(n.case_id.clone())
            .text(&n.source_kind)
            .text(&n.source_id)
            .opt(n.level.clone())
            .text(&n.title)
            .text(&n.body)
            .int(n.created_at);
    }
    Some(st)
}

/// Move a case's pending deadlines to a new team and handler (改派).
pub fn reassign_stmt(
    court: &str,
    case_id: &str,
    team_id: Option<&str>,
    handler_id: Option<&str>,
    now_ms: i64,
) -> Stmt {
    Stmt::new(
        "UPDATE deadlines SET team_id = $1, handler_id = $2, updated_at = $3 \
         WHERE court_code = $4 AND case_id = $5 AND status = 'pending'",
    )
    .opt(team_id.map(str::to_owned))
    .opt(handler_id.map(str::to_owned))
    .int(now_ms)
    .text(court)
    .text(case_id)
}

/// Add `delta` to the board counter of (court, team, handler, level).
pub fn board_delta_stmt(
    court: &str,
    team_id: Option<&str>,
    handler_id: Option<&str>,
    level: &str,
    delta: i64,
) -> Stmt {
    Stmt::new(
        "INSERT INTO deadline_board (court_code, team_id, handler_id, level, items) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (court_code, team_id, handler_id, level) DO UPDATE SET items = deadline_board.items + excluded.items",
    )
    .text(court)
    .text(team_id.unwrap_or_default())
    .text(handler_id.unwrap_or_default())
    .text(level)
    .int(delta)
}

/// Is anything due at `now`? (The idle tick.) `MIN(fire_at)` is answered from the end of the
/// `fire_at` index on both databases whatever the plan; a parameterised `fire_at <= $1 LIMIT 1`
/// got a generic plan on PostgreSQL after five executions and scanned the whole table when nothing
/// was due (167 ms at 1.3 M deadlines, bench/RESULTS.md).
pub async fn any_due(conn: &mut AnyConnection, now_ms: i64) -> Result<bool, StoreError> {
    let row = sqlx::query(
        "SELECT (SELECT MIN(fire_at) FROM deadlines) AS d, (SELECT MIN(fire_at) FROM supervisions) AS s, \
         (SELECT MIN(claim_fire_at) FROM fund_receipts) AS c",
    )
    .fetch_one(conn)
    .await?;
    let d: Option<i64> = row.try_get("d")?;
    let s: Option<i64> = row.try_get("s")?;
    let c: Option<i64> = row.try_get("c")?;
    Ok([d, s, c].into_iter().flatten().any(|t| t <= now_ms))
}

/// Deadlines whose next level change is due, oldest first, at most `limit`. Inside the scheduler's
/// write transaction; on PostgreSQL the rows are locked (`FOR UPDATE SKIP LOCKED`) so two scheduler
/// processes never fire the same change.
pub async fn due_deadlines(
    conn: &mut AnyConnection,
    now_ms: i64,
    limit: i64,
) -> Result<Vec<DeadlineRow>, StoreError> {
    let lock = Backend::of(conn).skip_locked_clause();
    let sql = format!(
        "SELECT {DEADLINE_COLS} FROM deadlines WHERE fire_at <= $1 ORDER BY fire_at LIMIT $2{lock}"
    );
    let rows = sqlx::query(crate::dynamic(&sql))
        .bind(now_ms)
        .bind(limit)
        .fetch_all(conn)
        .await?;
    rows.iter().map(deadline_row).collect()
}

/// Courts with open deadlines whose derivation does not match `like_current` (a LIKE pattern of
/// the current calendar version).
pub async fn courts_with_stale_calendar(
    conn: &mut AnyConnection,
    like_current: &str,
) -> Result<Vec<String>, StoreError> {
    let rows = sqlx::query(
        "SELECT DISTINCT court_code FROM deadlines WHERE status = 'pending' AND derivation NOT LIKE $1 ORDER BY court_code",
    )
    .bind(like_current.to_owned())
    .fetch_all(conn)
    .await?;
    rows.iter().map(|r| Ok(r.try_get("court_code")?)).collect()
}

/// Open deadlines of the given courts (for recomputation after a rule or calendar change).
pub async fn pending_of_court(
    conn: &mut AnyConnection,
    court: &str,
) -> Result<Vec<DeadlineRow>, StoreError> {
    let sql = format!(
        "SELECT {DEADLINE_COLS} FROM deadlines WHERE court_code = $1 AND status = 'pending' ORDER BY case_id, id"
    );
    let rows = sqlx::query(crate::dynamic(&sql))
        .bind(court.to_owned())
        .fetch_all(conn)
        .await?;
    rows.iter().map(deadline_row).collect()
}

/// One row of the 红黄蓝 board.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoardRow {
    pub court_code: String,
    pub court_name: String,
    pub team_id: String,
    pub team_name: Option<String>,
    pub handler_id: String,
    pub handler_name: Option<String>,
    pub level: String,
    pub items: i64,
}

/// Board counters of every court whose path starts with `path_prefix` (a court and its
/// subordinates), or of one court when `exact`.
pub async fn board(
    conn: &mut AnyConnection,
    court: &str,
    path_prefix: Option<&str>,
) -> Result<Vec<BoardRow>, StoreError> {
    let (filter, arg) = match path_prefix {
        Some(p) => (
            "c.path LIKE $1 ESCAPE '\\'",
            format!("{}%", crate::courts::like_escape(p)),
        ),
        None => ("b.court_code = $1", court.to_owned()),
    };
    let sql = format!(
        "SELECT b.court_code, c.name AS court_name, b.team_id, t.name AS team_name, b.handler_id, \
         u.name AS handler_name, b.level, b.items \
         FROM deadline_board b JOIN courts c ON c.code = b.court_code \
         LEFT JOIN teams t ON t.court_code = b.court_code AND t.id = b.team_id \
         LEFT JOIN users u ON u.id = b.handler_id \
         WHERE {filter} AND b.items <> 0 ORDER BY b.court_code, b.team_id, b.handler_id, b.level"
    );
    let rows = sqlx::query(crate::dynamic(&sql))
        .bind(arg)
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(BoardRow {
                court_code: r.try_get("court_code")?,
                court_name: r.try_get("court_name")?,
                team_id: r.try_get("team_id")?,
                team_name: r.try_get("team_name")?,
                handler_id: r.try_get("handler_id")?,
                handler_name: r.try_get("handler_name")?,
                level: r.try_get("level")?,
                items: r.try_get("items")?,
            })
        })
        .collect()
}

/// Board counters that disagree with the deadlines they count: (court, team, handler, level,
/// counter, actual). Empty when the invariant holds.
pub async fn board_mismatches(
    conn: &mut AnyConnection,
) -> Result<Vec<(String, String, String, String, i64, i64)>, StoreError> {
    let rows = sqlx::query(
        "SELECT k.court_code, k.team_id, k.handler_id, k.level, \
           COALESCE((SELECT b.items FROM deadline_board b WHERE b.court_code = k.court_code AND b.team_id = k.team_id \
                     AND b.handler_id = k.handler_id AND b.level = k.level), 0) AS counter, \
           COALESCE((SELECT CAST(COUNT(*) AS BIGINT) FROM deadlines d WHERE d.court_code = k.court_code \
                     AND COALESCE(d.team_id, '') = k.team_id AND COALESCE(d.handler_id, '') = k.handler_id \
                     AND d.level = k.level AND d.status = 'pending'), 0) AS actual \
         FROM (SELECT court_code, team_id, handler_id, level FROM deadline_board \
               UNION SELECT court_code, COALESCE(team_id, ''), COALESCE(handler_id, ''), level FROM deadlines \
               WHERE status = 'pending' AND level IS NOT NULL) k",
    )
    .fetch_all(conn)
    .await?;
    let mut out = Vec::new();
    for r in &rows {
        let counter: i64 = r.try_get("counter")?;
        let actual: i64 = r.try_get("actual")?;
        if counter != actual {
            out.push((
                r.try_get("court_code")?,
                r.try_get("team_id")?,
                r.try_get("handler_id")?,
                r.try_get("level")?,
                counter,
                actual,
            ));
        }
    }
    Ok(out)
}

/// A deadline with its case number, for due lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueItem {
    pub deadline: DeadlineRow,
    pub case_number: String,
}

/// Whose due list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DueWho<'a> {
    Handler(&'a str),
    Team(&'a str),
    Court,
}

/// Pending deadlines (not `minimum` ones) of a handler, a team or a whole court due on or before
/// `until`, soonest first, at most `limit`.
pub async fn due_list(
    conn: &mut AnyConnection,
    court: &str,
    who: DueWho<'_>,
    until: &str,
    limit: i64,
) -> Result<Vec<DueItem>, StoreError> {
    let cols: Vec<String> = DEADLINE_COLS
        .split(", ")
        .map(|c| format!("d.{c}"))
        .collect();
    let filter = match who {
        DueWho::Handler(_) => "AND d.handler_id = $4",
        DueWho::Team(_) => "AND d.team_id = $4",
        DueWho::Court => "",
    };
    let sql = format!(
        "SELECT {}, c.case_number FROM deadlines d JOIN cases c ON c.court_code = d.court_code AND c.id = d.case_id \
         WHERE d.court_code = $1 AND d.status = 'pending' AND d.kind <> 'minimum' AND d.due_on <= $2 {filter} \
         ORDER BY d.due_on, c.case_number LIMIT $3",
        cols.join(", ")
    );
    let mut q = sqlx::query(crate::dynamic(&sql))
        .bind(court.to_owned())
        .bind(until.to_owned())
        .bind(limit);
    match who {
        DueWho::Handler(id) | DueWho::Team(id) => q = q.bind(id.to_owned()),
        DueWho::Court => {}
    }
    let rows = q.fetch_all(conn).await?;
    rows.iter()
        .map(|r| {
            Ok(DueItem {
                deadline: deadline_row(r)?,
                case_number: r.try_get("case_number")?,
            })
        })
        .collect()
}

/// Case numbers by case id (the scheduler's messages).
pub async fn case_numbers(
    conn: &mut AnyConnection,
    ids: &[&str],
) -> Result<std::collections::HashMap<String, String>, StoreError> {
    let mut out = std::collections::HashMap::new();
    for chunk in ids.chunks(500) {
        let list: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT id, case_number FROM cases WHERE id IN ({})",
            list.join(", ")
        );
        let mut q = sqlx::query(crate::dynamic(&sql));
        for id in chunk {
            q = q.bind((*id).to_owned());
        }
        for r in q.fetch_all(&mut *conn).await? {
            out.insert(r.try_get("id")?, r.try_get("case_number")?);
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Notifications and SMS
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationRow {
    pub court_code: String,
    pub id: String,
    pub user_id: String,
    pub case_id: Option<String>,
    pub source_kind: String,
    pub source_id: String,
    pub level: Option<String>,
    pub title: String,
    pub body: String,
    pub created_at: i64,
    pub read_at: Option<i64>,
}

pub fn insert_notification_stmt(n: &NotificationRow) -> Stmt {
    Stmt::new(
        "INSERT INTO notifications (court_code, id, user_id, case_id, source_kind, source_id, level, title, body, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .text(&n.court_code)
    .text(&n.id)
    .text(&n.user_id)
    .opt(n.case_id.clone())
    .text(&n.source_kind)
    .text(&n.source_id)
    .opt(n.level.clone())
    .text(&n.title)
    .text(&n.body)
    .int(n.created_at)
}

pub async fn notifications_of(
    conn: &mut AnyConnection,
    user_id: &str,
    limit: i64,
) -> Result<Vec<NotificationRow>, StoreError> {
    let rows = sqlx::query(
        "SELECT court_code, id, user_id, case_id, source_kind, source_id, level, title, body, created_at, read_at \
         FROM notifications WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2",
    )
    .bind(user_id.to_owned())
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(NotificationRow {
                court_code: r.try_get("court_code")?,
                id: r.try_get("id")?,
                user_id: r.try_get("user_id")?,
                case_id: r.try_get("case_id")?,
                source_kind: r.try_get("source_kind")?,
                source_id: r.try_get("source_id")?,
                level: r.try_get("level")?,
                title: r.try_get("title")?,
                body: r.try_get("body")?,
                created_at: r.try_get("created_at")?,
                read_at: r.try_get("read_at")?,
            })
        })
        .collect()
}

/// Mark one of the user's notifications read; false when it is not theirs or already read.
pub async fn mark_read(
    conn: &mut AnyConnection,
    user_id: &str,
    id: &str,
    now_ms: i64,
) -> Result<bool, StoreError> {
    let r = sqlx::query(
        "UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND id = $3 AND read_at IS NULL",
    )
    .bind(now_ms)
    .bind(user_id.to_owned())
    .bind(id.to_owned())
    .execute(conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsRow {
    pub court_code: String,
    pub id: String,
    pub user_id: String,
    pub phone: String,
    pub body: String,
    pub created_at: i64,
    pub attempts: i64,
}

pub fn insert_sms_stmt(s: &SmsRow) -> Stmt {
    Stmt::new(
        "INSERT INTO sms_outbox (court_code, id, user_id, phone, body, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .text(&s.court_code)
    .text(&s.id)
    .text(&s.user_id)
    .text(&s.phone)
    .text(&s.body)
    .int(s.created_at)
}

/// Undelivered SMS, oldest first (at most `limit`, fewer than `max_attempts` tries).
pub async fn pending_sms(
    conn: &mut AnyConnection,
    limit: i64,
    max_attempts: i64,
) -> Result<Vec<SmsRow>, StoreError> {
    let rows = sqlx::query(
        "SELECT court_code, id, user_id, phone, body, created_at, attempts FROM sms_outbox \
         WHERE sent_at IS NULL AND attempts < $1 ORDER BY created_at, id LIMIT $2",
    )
    .bind(max_attempts)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(SmsRow {
                court_code: r.try_get("court_code")?,
                id: r.try_get("id")?,
                user_id: r.try_get("user_id")?,
                phone: r.try_get("phone")?,
                body: r.try_get("body")?,
                created_at: r.try_get("created_at")?,
                attempts: r.try_get("attempts")?,
            })
        })
        .collect()
}

/// Record a delivery attempt: sent (`error` None) or failed.
pub async fn sms_attempt(
    conn: &mut AnyConnection,
    court: &str,
    id: &str,
    now_ms: i64,
    error: Option<&str>,
) -> Result<(), StoreError> {
    match error {
        None => sqlx::query(
            "UPDATE sms_outbox SET sent_at = $1, attempts = attempts + 1, last_error = NULL \
             WHERE court_code = $2 AND id = $3",
        )
        .bind(now_ms)
        .bind(court.to_owned())
        .bind(id.to_owned())
        .execute(conn)
        .await?,
        Some(e) => sqlx::query(
            "UPDATE sms_outbox SET attempts = attempts + 1, last_error = $1 WHERE court_code = $2 AND id = $3",
        )
        .bind(e.to_owned())
        .bind(court.to_owned())
        .bind(id.to_owned())
        .execute(conn)
        .await?,
    };
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Supervision (督办)
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupervisionRow {
    pub court_code: String,
    pub id: String,
    pub case_id: String,
    pub opened_by: String,
    pub opener_court: String,
    pub reason: String,
    pub reply_due_on: String,
    pub status: String,
    pub reply: Option<String>,
    pub replied_by: Option<String>,
    pub replied_at: Option<i64>,
    pub escalated_at: Option<i64>,
    pub fire_at: Option<i64>,
    pub created_at: i64,
}

const SUP_COLS: &str = "court_code, id, case_id, opened_by, opener_court, reason, reply_due_on, status, reply, \
    replied_by, replied_at, escalated_at, fire_at, created_at";

fn supervision_row(r: &sqlx::any::AnyRow) -> Result<SupervisionRow, StoreError> {
    Ok(SupervisionRow {
        court_code: r.try_get("court_code")?,
        id: r.try_get("id")?,
        case_id: r.try_get("case_id")?,
        opened_by: r.try_get("opened_by")?,
        opener_court: r.try_get("opener_court")?,
        reason: r.try_get("reason")?,
        reply_due_on: r.try_get("reply_due_on")?,
        status: r.try_get("status")?,
        reply: r.try_get("reply")?,
        replied_by: r.try_get("replied_by")?,
        replied_at: r.try_get("replied_at")?,
        escalated_at: r.try_get("escalated_at")?,
        fire_at: r.try_get("fire_at")?,
        created_at: r.try_get("created_at")?,
    })
}

pub fn insert_supervision_stmt(s: &SupervisionRow, fire_at: i64) -> Stmt {
    Stmt::new(format!(
        "INSERT INTO supervisions ({SUP_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, NULL, NULL, NULL, $9, $10)"
    ))
    .text(&s.court_code)
    .text(&s.id)
    .text(&s.case_id)
    .text(&s.opened_by)
    .text(&s.opener_court)
    .text(&s.reason)
    .text(&s.reply_due_on)
    .text(&s.status)
    .int(fire_at)
    .int(s.created_at)
}

pub async fn supervisions_of_case(
    conn: &mut AnyConnection,
    court: &str,
    case_id: &str,
) -> Result<Vec<SupervisionRow>, StoreError> {
    let sql = format!(
        "SELECT {SUP_COLS} FROM supervisions WHERE court_code = $1 AND case_id = $2 ORDER BY created_at, id"
    );
    let rows = sqlx::query(crate::dynamic(&sql))
        .bind(court.to_owned())
        .bind(case_id.to_owned())
        .fetch_all(conn)
        .await?;
    rows.iter().map(supervision_row).collect()
}

pub async fn find_supervision(
    conn: &mut AnyConnection,
    id: &str,
) -> Result<Option<SupervisionRow>, StoreError> {
    let sql = format!("SELECT {SUP_COLS} FROM supervisions WHERE id = $1");
    let row = sqlx::query(crate::dynamic(&sql))
        .bind(id.to_owned())
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(supervision_row).transpose()
}

pub fn reply_supervision_stmt(court: &str, id: &str, reply: &str, by: &str, now_ms: i64) -> Stmt {
    Stmt::new(
        "UPDATE supervisions SET status = 'replied', reply = $1, replied_by = $2, replied_at = $3, fire_at = NULL \
         WHERE court_code = $4 AND id = $5 AND status <> 'replied' RETURNING id AS replied_supervision",
    )
    .text(reply)
    .text(by)
    .int(now_ms)
    .text(court)
    .text(id)
}

pub fn escalate_supervision_stmt(court: &str, id: &str, now_ms: i64) -> Stmt {
    Stmt::new(
        "UPDATE supervisions SET status = 'escalated', escalated_at = $1, fire_at = NULL \
         WHERE court_code = $2 AND id = $3",
    )
    .int(now_ms)
    .text(court)
    .text(id)
}

/// Supervision items whose reply deadline has passed (scheduler), locked like [`due_deadlines`].
pub async fn due_supervisions(
    conn: &mut AnyConnection,
    now_ms: i64,
    limit: i64,
) -> Result<Vec<SupervisionRow>, StoreError> {
    let lock = Backend::of(conn).skip_locked_clause();
    let sql = format!(
        "SELECT {SUP_COLS} FROM supervisions WHERE fire_at <= $1 ORDER BY fire_at LIMIT $2{lock}"
    );
    let rows = sqlx::query(crate::dynamic(&sql))
        .bind(now_ms)
        .bind(limit)
        .fetch_all(conn)
        .await?;
    rows.iter().map(supervision_row).collect()
}

// ---------------------------------------------------------------------------------------------
// Excluded periods, extensions, local rules
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExcludedRow {
    pub court_code: String,
    pub id: String,
    pub case_id: String,
    pub kind: String,
    pub from_on: String,
    pub to_on: String,
    pub note: String,
    pub actor_id: String,
    pub created_at: i64,
}

pub fn insert_excluded_stmt(e: &ExcludedRow) -> Stmt {
    Stmt::new(
        "INSERT INTO excluded_periods (court_code, id, case_id, kind, from_on, to_on, note, actor_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .text(&e.court_code)
    .text(&e.id)
    .text(&e.case_id)
    .text(&e.kind)
    .text(&e.from_on)
    .text(&e.to_on)
    .text(&e.note)
    .text(&e.actor_id)
    .int(e.created_at)
}

pub async fn excluded_of(
    conn: &mut AnyConnection,
    court: &str,
    case_id: &str,
) -> Result<Vec<ExcludedRow>, StoreError> {
    let rows = sqlx::query(
        "SELECT court_code, id, case_id, kind, from_on, to_on, note, actor_id, created_at FROM excluded_periods \
         WHERE court_code = $1 AND case_id = $2 ORDER BY from_on, id",
    )
    .bind(court.to_owned())
    .bind(case_id.to_owned())
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(ExcludedRow {
                court_code: r.try_get("court_code")?,
                id: r.try_get("id")?,
                case_id: r.try_get("case_id")?,
                kind: r.try_get("kind")?,
                from_on: r.try_get("from_on")?,
                to_on: r.try_get("to_on")?,
                note: r.try_get("note")?,
                actor_id: r.try_get("actor_id")?,
                created_at: r.try_get("created_at")?,
            })
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtensionRow {
    pub court_code: String,
    pub id: String,
    pub case_id: String,
    pub deadline_id: String,
    pub requested_on: String,
    pub length: i64,
    pub unit: String,
    pub reason: String,
    pub requested_by: String,
    pub status: String,
    pub decided_on: Option<String>,
    pub decided_by: Option<String>,
    pub decided_role: Option<String>,
    pub created_at: i64,
}

const EXT_COLS: &str = "court_code, id, case_id, deadline_id, requested_on, length, unit, reason, requested_by, \
    status, decided_on, decided_by, decided_role, created_at";

fn extension_row(r: &sqlx::any::AnyRow) -> Result<ExtensionRow, StoreError> {
    Ok(ExtensionRow {
        court_code: r.try_get("court_code")?,
        id: r.try_get("id")?,
        case_id: r.try_get("case_id")?,
        deadline_id: r.try_get("deadline_id")?,
        requested_on: r.try_get("requested_on")?,
        length: r.try_get("length")?,
        unit: r.try_get("unit")?,
        reason: r.try_get("reason")?,
        requested_by: r.try_get("requested_by")?,
        status: r.try_get("status")?,
        decided_on: r.try_get("decided_on")?,
        decided_by: r.try_get("decided_by")?,
        decided_role: r.try_get("decided_role")?,
        created_at: r.try_get("created_at")?,
    })
}

pub fn insert_extension_stmt(e: &ExtensionRow) -> Stmt {
    Stmt::new(format!(
        "INSERT INTO term_extensions ({EXT_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, NULL, NULL, NULL, $11)"
    ))
    .text(&e.court_code)
    .text(&e.id)
    .text(&e.case_id)
    .text(&e.deadline_id)
    .text(&e.requested_on)
    .int(e.length)
    .text(&e.unit)
    .text(&e.reason)
    .text(&e.requested_by)
    .text(&e.status)
    .int(e.created_at)
}

pub fn decide_extension_stmt(
    court: &str,
    id: &str,
    status: &str,
    decided_on: &str,
    by: &str,
    role: &str,
) -> Stmt {
    Stmt::new(
        "UPDATE term_extensions SET status = $1, decided_on = $2, decided_by = $3, decided_role = $4 \
         WHERE court_code = $5 AND id = $6 AND status = 'requested' RETURNING id AS decided_extension",
    )
    .text(status)
    .text(decided_on)
    .text(by)
    .text(role)
    .text(court)
    .text(id)
}

pub async fn extensions_of(
    conn: &mut AnyConnection,
    court: &str,
    case_id: &str,
) -> Result<Vec<ExtensionRow>, StoreError> {
    let sql = format!(
        "SELECT {EXT_COLS} FROM term_extensions WHERE court_code = $1 AND case_id = $2 ORDER BY created_at, id"
    );
    let rows = sqlx::query(crate::dynamic(&sql))
        .bind(court.to_owned())
        .bind(case_id.to_owned())
        .fetch_all(conn)
        .await?;
    rows.iter().map(extension_row).collect()
}

pub async fn find_extension(
    conn: &mut AnyConnection,
    id: &str,
) -> Result<Option<ExtensionRow>, StoreError> {
    let sql = format!("SELECT {EXT_COLS} FROM term_extensions WHERE id = $1");
    let row = sqlx::query(crate::dynamic(&sql))
        .bind(id.to_owned())
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(extension_row).transpose()
}

/// A court's local rules as TSV lines in the data-file format (parsed by the domain), and its
/// conflict choices.
pub async fn court_rules(
    conn: &mut AnyConnection,
    court: &str,
) -> Result<(String, Vec<(String, String)>), StoreError> {
    let rows = crate::batch::run(conn, court_rules_stmts(court).into()).await?;
    court_rules_in(&rows)
}

/// [`court_rules`] as statements for a [`crate::batch`]; [`court_rules_in`] reads them back.
pub fn court_rules_stmts(court: &str) -> [Stmt; 3] {
    [
        Stmt::new(
            "SELECT id, version, node, start_event, length, unit, kind, conflict_group, scope, source \
             FROM court_deadline_rules WHERE court_code = $1 ORDER BY id",
        )
        .text(court),
        Stmt::new(
            "SELECT conflict_group AS choice_group, rule_id AS choice_rule FROM court_rule_choices \
             WHERE court_code = $1 ORDER BY conflict_group",
        )
        .text(court),
        Stmt::new("SELECT blue_working_days AS rules_blue FROM courts WHERE code = $1").text(court),
    ]
}

/// The court's blue-warning lead (working days) among a batch's rows; 3 when the court is missing.
pub fn blue_working_days_in(rows: &[AnyRow]) -> i64 {
    rows.iter()
        .find_map(|r| r.try_get::<i64, _>("rules_blue").ok())
        .unwrap_or(3)
}

/// A court's rules as TSV and its conflict-group choices, from a batch's rows.
pub fn court_rules_in(rows: &[AnyRow]) -> Result<(String, Vec<(String, String)>), StoreError> {
    let mut tsv = String::new();
    for r in rows
        .iter()
        .filter(|r| r.try_get::<String, _>("start_event").is_ok())
    {
        let group: Option<String> = r.try_get("conflict_group")?;
        let cols: [String; 10] = [
            r.try_get("id")?,
            r.try_get::<i64, _>("version")?.to_string(),
            r.try_get("node")?,
            r.try_get("start_event")?,
            r.try_get::<i64, _>("length")?.to_string(),
            r.try_get("unit")?,
            r.try_get("kind")?,
            group.unwrap_or_else(|| "-".into()),
            r.try_get("scope")?,
            r.try_get("source")?,
        ];
        tsv.push_str(&cols.join("\t"));
        tsv.push('\n');
    }
    let choices = rows
        .iter()
        .filter_map(|r| {
            Some((
                r.try_get::<String, _>("choice_group").ok()?,
                r.try_get::<String, _>("choice_rule").ok()?,
            ))
        })
        .collect();
    Ok((tsv, choices))
}

#[allow(clippy::too_many_arguments)]
pub fn insert_court_rule_stmt(
    court: &str,
    id: &str,
    version: i64,
    node: &str,
    start_event: &str,
    length: i64,
    unit: &str,
    kind: &str,
    conflict_group: Option<&str>,
    scope: &str,
    source: &str,
    now_ms: i64,
) -> Stmt {
    Stmt::new(
        "INSERT INTO court_deadline_rules (court_code, id, version, node, start_event, length, unit, kind, \
         conflict_group, scope, source, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
         ON CONFLICT (court_code, id) DO UPDATE SET version = excluded.version, node = excluded.node, \
         start_event = excluded.start_event, length = excluded.length, unit = excluded.unit, kind = excluded.kind, \
         conflict_group = excluded.conflict_group, scope = excluded.scope, source = excluded.source",
    )
    .text(court)
    .text(id)
    .int(version)
    .text(node)
    .text(start_event)
    .int(length)
    .text(unit)
    .text(kind)
    .opt(conflict_group.map(str::to_owned))
    .text(scope)
    .text(source)
    .int(now_ms)
}

/// The court's blue threshold (working days).
pub async fn blue_working_days(conn: &mut AnyConnection, court: &str) -> Result<i64, StoreError> {
    let row = sqlx::query("SELECT blue_working_days FROM courts WHERE code = $1")
        .bind(court.to_owned())
        .fetch_optional(conn)
        .await?;
    match row {
        Some(r) => Ok(r.try_get("blue_working_days")?),
        None => Ok(3),
    }
}

/// Users of a court with a role (the director to escalate to).
pub async fn users_with_role(
    conn: &mut AnyConnection,
    court: &str,
    role: &str,
) -> Result<Vec<(String, Option<String>)>, StoreError> {
    sqlx::query(
        "SELECT id, phone FROM users WHERE court_code = $1 AND role = $2 AND active = 1 ORDER BY username",
    )
    .bind(court.to_owned())
    .bind(role.to_owned())
    .fetch_all(conn)
    .await?
    .iter()
    .map(|r| Ok((r.try_get("id")?, r.try_get("phone")?)))
    .collect()
}

/// Phone numbers of users (for SMS), by id.
pub async fn phones_of(
    conn: &mut AnyConnection,
    ids: &[String],
) -> Result<Vec<(String, Option<String>)>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT id, phone FROM users WHERE id IN ({})",
        list.join(", ")
    );
    let mut q = sqlx::query(crate::dynamic(&sql));
    for id in ids {
        q = q.bind(id.clone());
    }
    q.fetch_all(conn)
        .await?
        .iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("phone")?)))
        .collect()
}
