//! The deadline engine (issue 3): process events complete nodes and start the deadlines that follow
//! from them, in the same transaction; excluded periods and approved extensions move the case term;
//! a rule or calendar change recomputes open deadlines and tells each handler what moved.
//!
//! Levels are stored as "the level last fired" plus `fire_at`, the instant of the next level
//! change; the scheduler ([`crate::jobs`]) reads only rows with `fire_at <= now`. Reads (the API,
//! the case page) compute the live level from the due date, so they are right even between ticks.

use std::collections::HashMap;

use chrono::NaiveDate;
use zhixing_domain::calendar::{DayUnit, LegalCalendar};
use zhixing_domain::case::parse_date;
use zhixing_domain::deadline::{
    Approver, DeadlineRule, ExcludedPeriod, ExclusionKind, Extension, Level, LevelWindows,
    RuleKind, compute_due, effective_rules, find_node, is_non_litigation, level_windows,
    parse_rules,
};
use zhixing_domain::role::{Permission, Role};
use zhixing_domain::time::{china_date, china_midnight_ms};
use zhixing_store::batch::{self, Stmt};
use zhixing_store::cases::{self, CaseRow};
use zhixing_store::deadlines::{
    self as store, DeadlineRow, EventRow, ExcludedRow, ExtensionRow, NotificationRow,
};
use zhixing_store::{Conn, courts};

use crate::admin::audit as write_audit;
use crate::{Actor, App, AppError, new_id};

/// Nodes whose completion ends active enforcement: every other open deadline is cancelled.
const ENDING_NODES: [&str; 2] = ["terminate_current", "closing"];
/// The node whose deadline is the case term (the 6-/3-month 执行期限): excluded periods and
/// extensions move it (TL2000 art 9; DL2006 art 1).
pub const TERM_NODE: &str = "closing";

/// The rules and thresholds a court runs with.
#[derive(Debug, Clone)]
pub struct CourtRules {
    pub rules: Vec<DeadlineRule>,
    pub blue_working_days: u32,
}

impl CourtRules {
    pub fn rule(&self, id: &str) -> Option<&DeadlineRule> {
        self.rules.iter().find(|r| r.id == id)
    }
}

/// Load a court's effective rules (built-in + local, conflicts resolved) and warning threshold.
pub async fn court_rules(conn: &mut Conn, court: &str) -> Result<CourtRules, AppError> {
    let rows = zhixing_store::batch::run(conn, store::court_rules_stmts(court).into()).await?;
    court_rules_in(&rows)
}

/// [`court_rules`] from a batch that ran [`store::court_rules_stmts`].
pub fn court_rules_in(rows: &[sqlx::any::AnyRow]) -> Result<CourtRules, AppError> {
    let (tsv, choices) = store::court_rules_in(rows)?;
    let local = parse_rules(&tsv).map_err(|e| AppError::Internal(e.message))?;
    let choice: HashMap<String, String> = choices.into_iter().collect();
    let rules = effective_rules(&local, &choice).map_err(|e| AppError::Internal(e.message))?;
    let blue = store::blue_working_days_in(rows);
    Ok(CourtRules {
        rules,
        blue_working_days: u32::try_from(blue).unwrap_or(3),
    })
}

pub(crate) fn ymd(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

pub(crate) fn date_of(s: &str) -> Result<NaiveDate, AppError> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| AppError::Internal(format!("stored date {s:?} is not YYYY-MM-DD")))
}

pub fn level_name_zh(l: &str) -> &'static str {
    match l {
        "blue" => "蓝色预警",
        "yellow" => "黄色预警",
        "red" => "红色预警（已超期）",
        _ => "",
    }
}

/// When the scheduler should next look at a deadline whose last fired level is `stored`: now (the
/// start of today) if today's level differs, else the next change.
pub fn next_fire(w: &LevelWindows, stored: Option<&str>, today: NaiveDate) -> Option<i64> {
    let cur = w.level_on(today).map(Level::as_str);
    if cur != stored {
        Some(china_midnight_ms(today))
    } else {
        w.next_change_after(today).map(china_midnight_ms)
    }
}

/// Facts about a case the planner needs.
#[derive(Debug, Clone)]
pub struct CaseFacts {
    pub court: String,
    pub case_id: String,
    pub team_id: Option<String>,
    pub handler_id: Option<String>,
    pub non_litigation: bool,
    pub excluded: Vec<ExcludedPeriod>,
    pub extensions: Vec<Extension>,
}

impl CaseFacts {
    pub fn of(case: &CaseRow) -> CaseFacts {
        CaseFacts {
            court: case.court_code.clone(),
            case_id: case.id.clone(),
            team_id: case.team_id.clone(),
            handler_id: case.handler_id.clone(),
            non_litigation: is_non_litigation(&case.basis_document_type, &case.type_code),
            excluded: Vec::new(),
            extensions: Vec::new(),
        }
    }
}

/// What recording one event changes.
#[derive(Debug, Clone, Default)]
pub struct Applied {
    pub completed: Vec<DeadlineRow>,
    pub cancelled: Vec<DeadlineRow>,
    pub started: Vec<DeadlineRow>,
}

impl Applied {
    /// The statements that write it (besides the event row itself).
    pub fn stmts(&self, court: &str, done_on: &str, now_ms: i64) -> Vec<Stmt> {
        let mut out = Vec::new();
        let done: Vec<&str> = self.completed.iter().map(|d| d.id.as_str()).collect();
        out.extend(store::complete_stmt(court, &done, done_on, now_ms));
        if !self.cancelled.is_empty() {
            let ids: Vec<&str> = self.cancelled.iter().map(|d| d.id.as_str()).collect();
            let list: Vec<String> = (0..ids.len()).map(|i| format!("${}", i + 3)).collect();
            let mut st = Stmt::new(format!(
                "UPDATE deadlines SET status = 'cancelled', fire_at = NULL, updated_at = $1 \
                 WHERE court_code = $2 AND status = 'pending' AND id IN ({})",
                list.join(", ")
            ))
            .int(now_ms)
            .text(court);
            for id in ids {
                st = st.text(id);
            }
            out.push(st);
        }
        // A completed or cancelled deadline leaves the board at the level it last fired.
        for d in self.completed.iter().chain(self.cancelled.iter()) {
            if let Some(l) = d.level.as_deref() {
                out.push(store::board_delta_stmt(
                    court,
                    d.team_id.as_deref(),
                    d.handler_id.as_deref(),
                    l,
                    -1,
                ));
            }
        }
        out.extend(store::insert_deadlines_stmt(&self.started));
        out
    }
}

/// Compute one deadline row of `rule` started by an event on `start_on`.
#[allow(clippy::too_many_arguments)]
pub fn start_deadline(
    rule: &DeadlineRule,
    facts: &CaseFacts,
    start_event_id: Option<&str>,
    start_on: NaiveDate,
    blue_working_days: u32,
    today: NaiveDate,
    now_ms: i64,
    cal: &LegalCalendar,
) -> Result<DeadlineRow, AppError> {
    let term = rule.node == TERM_NODE;
    let due = compute_due(
        rule,
        start_on,
        if term { &facts.excluded } else { &[] },
        if term { &facts.extensions } else { &[] },
        cal,
    )
    .map_err(|e| AppError::Invalid(e.at("on")))?;
    let minimum = rule.kind == RuleKind::Minimum;
    let fire_at = if minimum {
        None
    } else {
        let w = level_windows(due.due_on, blue_working_days, cal)
            .map_err(|e| AppError::Invalid(e.at("on")))?;
        next_fire(&w, None, today)
    };
    Ok(DeadlineRow {
        court_code: facts.court.clone(),
        id: new_id(),
        case_id: facts.case_id.clone(),
        node: rule.node.clone(),
        key_node: find_node(&rule.node).is_some_and(|n| n.key),
        rule_id: rule.id.clone(),
        rule_version: i64::from(rule.version),
        kind: match rule.kind {
            RuleKind::Statutory => "statutory",
            RuleKind::Local => "local",
            RuleKind::Minimum => "minimum",
        }
        .to_owned(),
        start_event_id: start_event_id.map(str::to_owned),
        start_on: ymd(start_on),
        due_on: ymd(due.due_on),
        status: "pending".into(),
        done_on: None,
        level: None,
        fire_at,
        team_id: facts.team_id.clone(),
        handler_id: facts.handler_id.clone(),
        derivation: serde_json::to_string(&due.derivation)
            .map_err(|e| AppError::Internal(e.to_string()))?,
        created_at: now_ms,
        updated_at: now_ms,
    })
}

/// Apply one event to a case's open deadlines (`pending`, updated in place): refuse a node whose
/// `minimum` rule forbids it yet (ZB2016 art 1(4): 终本 not before 3 months), complete the node's
/// deadlines, cancel the rest when the node ends enforcement, and start the deadlines whose start
/// event this is.
#[allow(clippy::too_many_arguments)]
pub fn apply_event(
    rules: &CourtRules,
    facts: &CaseFacts,
    pending: &mut Vec<DeadlineRow>,
    node: &str,
    on: NaiveDate,
    event_id: &str,
    today: NaiveDate,
    now_ms: i64,
    cal: &LegalCalendar,
) -> Result<Applied, AppError> {
    let on_s = ymd(on);
    for d in pending
        .iter()
        .filter(|d| d.node == node && d.kind == "minimum")
    {
        if on_s < d.due_on {
            let source = rules
                .rule(&d.rule_id)
                .map(|r| r.source.clone())
                .unwrap_or_default();
            return Err(AppError::invalid(
                "event_too_early",
                "on",
                format!(
                    "「{}」最早可在 {} 进行（{}），记录日期为 {on_s}",
                    find_node(node).map_or(node, |n| n.name_zh.as_str()),
                    d.due_on,
                    source
                ),
            ));
        }
    }
    let mut applied = Applied::default();
    let (done, rest): (Vec<DeadlineRow>, Vec<DeadlineRow>) = std::mem::take(pending)
        .into_iter()
        .partition(|d| d.node == node);
    applied.completed = done;
    *pending = rest;
    if ENDING_NODES.contains(&node) {
        // Measure duties outlive the case's active enforcement: a 失信 entry must still be deleted
        // within 3 working days (SX2017 art 10) after 结案, a correction decided, a referral
        // tracked. Only main-chain deadlines are cancelled.
        let (measure, main): (Vec<DeadlineRow>, Vec<DeadlineRow>) = std::mem::take(pending)
            .into_iter()
            .partition(|d| find_node(&d.node).is_some_and(|n| !n.is_main_chain()));
        applied.cancelled = main;
        *pending = measure;
    }
    for rule in rules
        .rules
        .iter()
        .filter(|r| r.start_event == node && r.applies(facts.non_litigation))
    {
        let row = start_deadline(
            rule,
            facts,
            Some(event_id),
            on,
            rules.blue_working_days,
            today,
            now_ms,
            cal,
        )?;
        pending.push(row.clone());
        applied.started.push(row);
    }
    Ok(applied)
}

/// The events and deadlines a new case starts with: the application (taken as received on the
/// filing date), the filing, and — when a handler was assigned — the assignment, applied in order.
pub fn filing_plan(
    rules: &CourtRules,
    case: &CaseRow,
    actor_id: &str,
    now_ms: i64,
) -> Result<(Vec<EventRow>, Vec<DeadlineRow>), AppError> {
    let cal = LegalCalendar::builtin();
    let facts = CaseFacts::of(case);
    let filed = date_of(&case.filed_on)?;
    let today = china_date(now_ms);
    let mut nodes = vec![
        ("application_received", "收到执行申请（按立案日记载）"),
        ("filing", "立案"),
    ];
    if case.handler_id.is_some() {
        nodes.push(("assignment", "分案：确定承办人"));
    }
    let mut pending = Vec::new();
    let mut all: Vec<DeadlineRow> = Vec::new();
    let mut events = Vec::new();
    for (node, note) in nodes {
        let ev = EventRow {
            court_code: case.court_code.clone(),
            id: new_id(),
            case_id: case.id.clone(),
            node: node.to_owned(),
            on_date: case.filed_on.clone(),
            note: note.to_owned(),
            actor_id: actor_id.to_owned(),
            created_at: now_ms,
            actor_name: None,
        };
        let a = apply_event(
            rules,
            &facts,
            &mut pending,
            node,
            filed,
            &ev.id,
            today,
            now_ms,
            cal,
        )?;
        // Deadlines started and completed within the filing are stored as done.
        for mut d in a.completed {
            d.status = "done".into();
            d.done_on = Some(case.filed_on.clone());
            d.fire_at = None;
            if let Some(x) = all.iter_mut().find(|x| x.id == d.id) {
                *x = d;
            }
        }
        all.extend(a.started);
        events.push(ev);
    }
    Ok((events, all))
}

/// Record a process event that another capability observed as a fact (案款到账 when money is
/// booked to a case, 案款发放 when the bank confirms a payment), inside that capability's
/// transaction: it completes the node's deadlines and starts the ones that follow (e.g. the 30-day
/// disbursement deadline, KW2017 art 10) exactly like [`App::record_event`], without the checks
/// that protect staff input (the date is the bank's, the order is the money's).
#[allow(clippy::too_many_arguments)]
pub async fn record_system_event(
    tx: &mut Conn,
    court: &str,
    case_id: &str,
    node: &str,
    on: NaiveDate,
    note: &str,
    actor_id: &str,
    now_ms: i64,
) -> Result<Vec<DeadlineRow>, AppError> {
    record_system_events(tx, court, case_id, &[(node, on, note)], actor_id, now_ms).await
}

/// Several system events of one case, applied in order with one read of the case, its rules and
/// its open deadlines (a statement import books many receipts to the same case).
pub async fn record_system_events(
    tx: &mut Conn,
    court: &str,
    case_id: &str,
    events: &[(&str, NaiveDate, &str)],
    actor_id: &str,
    now_ms: i64,
) -> Result<Vec<DeadlineRow>, AppError> {
    if events.is_empty() {
        return Ok(Vec::new());
    }
    let Some(case) = cases::find_case(tx, case_id).await? else {
        return Err(AppError::NotFound);
    };
    if case.court_code != court {
        return Err(AppError::NotFound);
    }
    let rules = court_rules(tx, court).await?;
    let facts = full_facts(tx, &case).await?;
    let mut pending: Vec<DeadlineRow> = store::deadlines_of(tx, court, case_id)
        .await?
        .into_iter()
        .filter(|d| d.status == "pending")
        .collect();
    let today = china_date(now_ms);
    let mut stmts = Vec::new();
    let mut started_all: Vec<DeadlineRow> = Vec::new();
    let mut event_rows: Vec<EventRow> = Vec::with_capacity(events.len());
    for (node, on, note) in events {
        let event = EventRow {
            court_code: court.to_owned(),
            id: new_id(),
            case_id: case_id.to_owned(),
            node: (*node).to_owned(),
            on_date: ymd(*on),
            note: (*note).to_owned(),
            actor_id: actor_id.to_owned(),
            created_at: now_ms,
            actor_name: None,
        };
        let mut applied = apply_event(
            &rules,
            &facts,
            &mut pending,
            node,
            *on,
            &event.id,
            today,
            now_ms,
            LegalCalendar::builtin(),
        )?;
        // A deadline started by an earlier event of this call and completed by a later one is
        // not in the database yet: store it as done instead of updating it.
        let (fresh, stored): (Vec<DeadlineRow>, Vec<DeadlineRow>) = applied
            .completed
            .drain(..)
            .partition(|d| started_all.iter().any(|s| s.id == d.id));
        applied.completed = stored;
        for d in fresh {
            if let Some(s) = started_all.iter_mut().find(|s| s.id == d.id) {
                s.status = "done".into();
                s.done_on = Some(event.on_date.clone());
                s.fire_at = None;
            }
        }
        let started = std::mem::take(&mut applied.started);
        stmts.extend(applied.stmts(court, &event.on_date, now_ms));
        started_all.extend(started);
        event_rows.push(event);
    }
    // Events and deadlines as multi-row statements (one message each on PostgreSQL), at most
    // ~500 parameters each: SQLite resolves `$N` names by a linear scan (O(p²) per statement).
    for chunk in event_rows.chunks(60) {
        stmts.extend(store::insert_events_stmt(chunk));
    }
    for chunk in started_all.chunks(25) {
        stmts.extend(store::insert_deadlines_stmt(chunk));
    }
    for chunk in stmts.chunks(16).map(<[Stmt]>::to_vec) {
        batch::run(tx, chunk).await?;
    }
    Ok(started_all)
}

/// One deadline as the API and the case page show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadlineView {
    pub row: DeadlineRow,
    pub node_name: String,
    /// pending | done | overdue
    pub status: &'static str,
    pub level: Option<&'static str>,
    pub rule_source: String,
}

/// Live status and level of a stored deadline on `today`.
pub fn view(
    row: DeadlineRow,
    blue_working_days: u32,
    today: NaiveDate,
    rules: &CourtRules,
) -> Result<DeadlineView, AppError> {
    let due = date_of(&row.due_on)?;
    let (status, level) = if row.status == "done" {
        ("done", None)
    } else if row.kind == "minimum" {
        ("pending", None)
    } else {
        let w = level_windows(due, blue_working_days, LegalCalendar::builtin())
            .map_err(|e| AppError::Internal(e.message))?;
        let l = w.level_on(today).map(Level::as_str);
        (if today > due { "overdue" } else { "pending" }, l)
    };
    let rule_source = rules
        .rule(&row.rule_id)
        .map(|r| r.source.clone())
        .or_else(|| {
            serde_json::from_str::<serde_json::Value>(&row.derivation)
                .ok()
                .and_then(|v| v["rule_source"].as_str().map(str::to_owned))
        })
        .unwrap_or_default();
    Ok(DeadlineView {
        node_name: find_node(&row.node).map_or_else(|| row.node.clone(), |n| n.name_zh.clone()),
        status,
        level,
        rule_source,
        row,
    })
}

/// Input of `POST /cases/{id}/events`.
#[derive(Debug, Clone, Default)]
pub struct EventInput {
    pub node: String,
    pub on: String,
    pub note: String,
}

/// Input of `POST /cases/{id}/excluded-periods` (扣除期间).
#[derive(Debug, Clone, Default)]
pub struct ExcludedInput {
    /// announcement | appraisal | valuation_audit | postponement | suspension | auction_sale |
    /// jurisdiction_dispute | dispute_coordination
    pub kind: String,
    pub from: String,
    pub to: String,
    pub note: String,
}

/// The answer to recording an event.
#[derive(Debug, Clone)]
pub struct EventOutcome {
    pub event: EventRow,
    pub completed: Vec<DeadlineView>,
    pub started: Vec<DeadlineView>,
    pub cancelled: usize,
}

/// A deadline whose date moved in a recomputation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moved {
    pub deadline_id: String,
    pub case_id: String,
    pub node: String,
    pub from: String,
    pub to: String,
    pub handler_id: Option<String>,
}

fn excluded_periods(rows: &[ExcludedRow]) -> Result<Vec<ExcludedPeriod>, AppError> {
    rows.iter()
        .map(|r| {
            let kind: ExclusionKind =
                serde_json::from_value(serde_json::Value::String(r.kind.clone()))
                    .map_err(|e| AppError::Internal(e.to_string()))?;
            Ok(ExcludedPeriod {
                kind,
                from: date_of(&r.from_on)?,
                to: date_of(&r.to_on)?,
            })
        })
        .collect()
}

fn unit_of(s: &str) -> Option<DayUnit> {
    match s {
        "calendar_days" => Some(DayUnit::CalendarDays),
        "working_days" => Some(DayUnit::WorkingDays),
        "months" => Some(DayUnit::Months),
        _ => None,
    }
}

fn approved_extensions(rows: &[ExtensionRow]) -> Result<Vec<Extension>, AppError> {
    rows.iter()
        .filter(|r| r.status == "approved")
        .map(|r| {
            Ok(Extension {
                requested_on: date_of(&r.requested_on)?,
                approved_on: date_of(r.decided_on.as_deref().unwrap_or(&r.requested_on))?,
                length: u32::try_from(r.length).map_err(|_| AppError::Internal("length".into()))?,
                unit: unit_of(&r.unit).ok_or_else(|| AppError::Internal("unit".into()))?,
                approver: if r.decided_role.as_deref() == Some("president") {
                    Approver::President
                } else {
                    Approver::Other
                },
            })
        })
        .collect()
}

/// The case's facts including its excluded periods and approved extensions.
async fn full_facts(conn: &mut Conn, case: &CaseRow) -> Result<CaseFacts, AppError> {
    let mut facts = CaseFacts::of(case);
    facts.excluded =
        excluded_periods(&store::excluded_of(conn, &case.court_code, &case.id).await?)?;
    facts.extensions =
        approved_extensions(&store::extensions_of(conn, &case.court_code, &case.id).await?)?;
    Ok(facts)
}

/// Recompute a pending deadline from its rule, start date and the case facts. Returns the new due
/// date and derivation JSON when the date or derivation changed.
fn recompute_one(
    d: &DeadlineRow,
    rule: &DeadlineRule,
    facts: &CaseFacts,
) -> Result<Option<(String, String)>, AppError> {
    let cal = LegalCalendar::builtin();
    let term = rule.node == TERM_NODE;
    let due = compute_due(
        rule,
        date_of(&d.start_on)?,
        if term { &facts.excluded } else { &[] },
        if term { &facts.extensions } else { &[] },
        cal,
    )
    .map_err(|e| AppError::Invalid(e.at("deadline")))?;
    let mut due = due;
    // An approved deferral (案款延期发放) outlives recomputation while it is the later date.
    if let Some(def) = deferred_to(&d.derivation)
        && def > due.due_on
    {
        due.due_on = def;
        due.derivation.deferred_to = Some(def);
    }
    let new_due = ymd(due.due_on);
    let derivation =
        serde_json::to_string(&due.derivation).map_err(|e| AppError::Internal(e.to_string()))?;
    if new_due != d.due_on || derivation != d.derivation {
        Ok(Some((new_due, derivation)))
    } else {
        Ok(None)
    }
}

/// The approved deferral recorded in a stored derivation, if any.
fn deferred_to(derivation: &str) -> Option<NaiveDate> {
    let v: serde_json::Value = serde_json::from_str(derivation).ok()?;
    NaiveDate::parse_from_str(v["deferred_to"].as_str()?, "%Y-%m-%d").ok()
}

/// Move the open deadlines of `node` on a case that fall before `to` to `to` (an approved
/// 延期发放 for the disbursement node), inside the caller's transaction; the handler is notified
/// and the derivation records the deferral, so a recomputation keeps it.
pub async fn defer_node(
    tx: &mut Conn,
    court: &str,
    case_id: &str,
    node: &str,
    to: NaiveDate,
    now_ms: i64,
) -> Result<Vec<Moved>, AppError> {
    let rules = court_rules(tx, court).await?;
    let number = cases::find_case(tx, case_id)
        .await?
        .map(|c| c.case_number)
        .unwrap_or_default();
    let to_s = ymd(to);
    let mut stmts = Vec::new();
    let mut moved = Vec::new();
    for d in store::deadlines_of(tx, court, case_id).await? {
        if d.status != "pending" || d.node != node || d.due_on >= to_s {
            continue;
        }
        let Some(rule) = rules.rule(&d.rule_id) else {
            continue;
        };
        let mut v: serde_json::Value = serde_json::from_str(&d.derivation)
            .map_err(|e| AppError::Internal(format!("derivation of {}: {e}", d.id)))?;
        v["deferred_to"] = serde_json::Value::String(to_s.clone());
        let derivation = v.to_string();
        stmts.extend(moved_stmts(
            &d,
            rule,
            &to_s,
            &derivation,
            rules.blue_working_days,
            &number,
            now_ms,
        )?);
        moved.push(Moved {
            deadline_id: d.id.clone(),
            case_id: d.case_id.clone(),
            node: d.node.clone(),
            from: d.due_on.clone(),
            to: to_s.clone(),
            handler_id: d.handler_id.clone(),
        });
    }
    batch::run(tx, stmts).await?;
    Ok(moved)
}

/// Statements that move a deadline to a new date and notify its handler when the date moved.
fn moved_stmts(
    d: &DeadlineRow,
    rule: &DeadlineRule,
    new_due: &str,
    derivation: &str,
    blue: u32,
    case_number: &str,
    now_ms: i64,
) -> Result<Vec<Stmt>, AppError> {
    let today = china_date(now_ms);
    let fire_at = if d.kind == "minimum" {
        None
    } else {
        let w = level_windows(date_of(new_due)?, blue, LegalCalendar::builtin())
            .map_err(|e| AppError::Internal(e.message))?;
        next_fire(&w, d.level.as_deref(), today)
    };
    let mut out = vec![store::reschedule_stmt(
        &d.court_code,
        &d.id,
        new_due,
        derivation,
        i64::from(rule.version),
        d.level.as_deref(),
        fire_at,
        now_ms,
    )];
    if new_due != d.due_on
        && let Some(h) = &d.handler_id
    {
        let node = find_node(&d.node).map_or(d.node.as_str(), |n| n.name_zh.as_str());
        out.push(store::insert_notification_stmt(&NotificationRow {
            court_code: d.court_code.clone(),
            id: new_id(),
            user_id: h.clone(),
            case_id: Some(d.case_id.clone()),
            source_kind: "deadline.moved".into(),
            source_id: d.id.clone(),
            level: None,
            title: format!("{case_number} {node} 期限变更"),
            body: format!(
                "期限由 {} 变更为 {new_due}（规则 {} 第 {} 版）",
                d.due_on, rule.id, rule.version
            ),
            created_at: now_ms,
            read_at: None,
        }));
    }
    Ok(out)
}

impl App {
    /// Load a case the actor may see (404 otherwise, also for roles that see no case data: an
    /// admin or a bank). Shared by every use case that starts from a case id.
    pub(crate) async fn visible_case(
        &self,
        conn: &mut Conn,
        actor: &Actor,
        case_id: &str,
    ) -> Result<CaseRow, AppError> {
        let case = cases::find_case(conn, case_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let court = courts::find(conn, &case.court_code)
            .await?
            .ok_or(AppError::NotFound)?;
        if !actor.can_see(&case, &court.path) {
            return Err(AppError::NotFound);
        }
        Ok(case)
    }

    /// The case's deadlines with live status and level (cancelled ones are left out).
    pub async fn case_deadlines(
        &self,
        actor: &Actor,
        case_id: &str,
        now_ms: i64,
    ) -> Result<Vec<DeadlineView>, AppError> {
        let mut conn = self.db.conn().await?;
        let case = self.visible_case(&mut conn, actor, case_id).await?;
        let rules = court_rules(&mut conn, &case.court_code).await?;
        let today = china_date(now_ms);
        let rows = store::deadlines_of(&mut conn, &case.court_code, &case.id).await?;
        rows.into_iter()
            .filter(|r| r.status != "cancelled")
            .map(|r| view(r, rules.blue_working_days, today, &rules))
            .collect()
    }

    /// The case's extension requests and decisions.
    pub async fn case_extensions(
        &self,
        actor: &Actor,
        case_id: &str,
    ) -> Result<Vec<ExtensionRow>, AppError> {
        let mut conn = self.db.conn().await?;
        let case = self.visible_case(&mut conn, actor, case_id).await?;
        Ok(store::extensions_of(&mut conn, &case.court_code, &case.id).await?)
    }

    /// The case's excluded periods.
    pub async fn case_excluded(
        &self,
        actor: &Actor,
        case_id: &str,
    ) -> Result<Vec<ExcludedRow>, AppError> {
        let mut conn = self.db.conn().await?;
        let case = self.visible_case(&mut conn, actor, case_id).await?;
        Ok(store::excluded_of(&mut conn, &case.court_code, &case.id).await?)
    }

    /// The case's process events, oldest first.
    pub async fn case_events(
        &self,
        actor: &Actor,
        case_id: &str,
    ) -> Result<Vec<EventRow>, AppError> {
        let mut conn = self.db.conn().await?;
        let case = self.visible_case(&mut conn, actor, case_id).await?;
        Ok(store::events_of(&mut conn, &case.court_code, &case.id).await?)
    }

    /// 记录流程节点: validate, complete the node's deadlines, start the following ones, audit — one
    /// transaction. Errors (422): `unknown_node`, `date` (format), `event_before_filing`,
    /// `event_in_future`, `event_out_of_order` (the node's start event is not recorded on or before
    /// the date), `event_too_early` (a minimum term), `case_closed`.
    pub async fn record_event(
        &self,
        actor: &Actor,
        case_id: &str,
        input: &EventInput,
        now_ms: i64,
    ) -> Result<EventOutcome, AppError> {
        let mut conn = self.db.conn().await?;
        let case = self.visible_case(&mut conn, actor, case_id).await?;
        drop(conn);
        actor.require(Permission::RecordEvents)?;
        if !actor.writes_in(&case.court_code) {
            return Err(AppError::forbidden(
                "court_scope",
                "只能记录本院案件的流程节点",
            ));
        }
        let node = input.node.trim();
        let Some(node_def) = find_node(node) else {
            return Err(AppError::invalid(
                "unknown_node",
                "node",
                format!("流程节点「{node}」不存在（见流程节点目录 process_nodes.tsv）"),
            ));
        };
        let on = parse_date(input.on.trim()).map_err(|e| AppError::Invalid(e.at("on")))?;
        let today = china_date(now_ms);
        if on > today {
            return Err(AppError::invalid(
                "event_in_future",
                "on",
                format!("节点日期 {on} 晚于今天 {today}"),
            ));
        }
        let filed = date_of(&case.filed_on)?;
        if on < filed && node != "application_received" {
            return Err(AppError::invalid(
                "event_before_filing",
                "on",
                format!("节点日期 {on} 早于立案日期 {filed}"),
            ));
        }
        let note = input.note.trim();
        if note.chars().count() > 500 {
            return Err(AppError::invalid("too_long", "note", "备注不能超过 500 字"));
        }
        if case.status == "closed" && node != "archiving" {
            return Err(AppError::invalid(
                "case_closed",
                "node",
                "案件已结案，只能记录归档",
            ));
        }

        let backend = self.db.backend();
        let mut tx = self.db.begin().await?;
        let rules = court_rules(&mut tx, &case.court_code).await?;
        let facts = full_facts(&mut tx, &case).await?;
        let events = store::events_of(&mut tx, &case.court_code, &case.id).await?;
        // Out of order: a node guarded by rules needs one of their start events on or before `on`.
        let starts: Vec<&str> = rules
            .rules
            .iter()
            .filter(|r| {
                r.node == node && r.applies(facts.non_litigation) && r.kind != RuleKind::Minimum
            })
            .map(|r| r.start_event.as_str())
            .collect();
        let on_s = ymd(on);
        if !starts.is_empty()
            && !events
                .iter()
                .any(|e| starts.contains(&e.node.as_str()) && e.on_date <= on_s)
        {
            let names: Vec<&str> = starts
                .iter()
                .map(|s| find_node(s).map_or(*s, |n| n.name_zh.as_str()))
                .collect();
            return Err(AppError::invalid(
                "event_out_of_order",
                "node",
                format!(
                    "「{}」须在「{}」之后记录：该前置节点尚未在 {on_s} 或之前记录",
                    node_def.name_zh,
                    names.join("」或「")
                ),
            ));
        }
        let mut pending: Vec<DeadlineRow> =
            store::deadlines_of(&mut tx, &case.court_code, &case.id)
                .await?
                .into_iter()
                .filter(|d| d.status == "pending")
                .collect();
        let event = EventRow {
            court_code: case.court_code.clone(),
            id: new_id(),
            case_id: case.id.clone(),
            node: node.to_owned(),
            on_date: on_s.clone(),
            note: note.to_owned(),
            actor_id: actor.user_id.clone(),
            created_at: now_ms,
            actor_name: Some(actor.name.clone()),
        };
        let applied = apply_event(
            &rules,
            &facts,
            &mut pending,
            node,
            on,
            &event.id,
            today,
            now_ms,
            LegalCalendar::builtin(),
        )?;
        let mut stmts = vec![store::insert_event_stmt(&event)];
        stmts.extend(applied.stmts(&case.court_code, &on_s, now_ms));
        batch::run(&mut tx, stmts).await?;
        write_audit(
            &mut tx,
            backend,
            actor,
            "case.event",
            "case_event",
            &event.id,
            Some(&case.id),
            None,
            Some(
                serde_json::json!({
                    "node": node, "on": on_s, "note": note,
                    "completed": applied.completed.iter().map(|d| &d.rule_id).collect::<Vec<_>>(),
                    "started": applied.started.iter().map(|d| serde_json::json!({"rule": d.rule_id, "due_on": d.due_on})).collect::<Vec<_>>(),
                    "cancelled": applied.cancelled.len(),
                })
                .to_string(),
            ),
            now_ms,
        )
        .await?;
        tx.commit().await?;
        // What other capabilities do with this fact (失信 deletion duty, 终本案件 publication).
        self.after_event(actor, &case, node, on, now_ms).await?;
        let blue = rules.blue_working_days;
        let done = |mut d: DeadlineRow| {
            d.status = "done".into();
            d.done_on = Some(on_s.clone());
            view(d, blue, today, &rules)
        };
        Ok(EventOutcome {
            completed: applied
                .completed
                .into_iter()
                .map(done)
                .collect::<Result<_, _>>()?,
            started: applied
                .started
                .into_iter()
                .map(|d| view(d, blue, today, &rules))
                .collect::<Result<_, _>>()?,
            cancelled: applied.cancelled.len(),
            event,
        })
    }

    /// Record an excluded period (扣除期间) and move the case term.
    pub async fn add_excluded_period(
        &self,
        actor: &Actor,
        case_id: &str,
        input: &ExcludedInput,
        now_ms: i64,
    ) -> Result<Vec<Moved>, AppError> {
        let (kind, from, to, note) = (
            input.kind.as_str(),
            input.from.as_str(),
            input.to.as_str(),
            input.note.as_str(),
        );
        let mut conn = self.db.conn().await?;
        let case = self.visible_case(&mut conn, actor, case_id).await?;
        drop(conn);
        actor.require(Permission::RecordEvents)?;
        if !actor.writes_in(&case.court_code) {
            return Err(AppError::forbidden("court_scope", "只能修改本院案件"));
        }
        let kind_v: ExclusionKind =
            serde_json::from_value(serde_json::Value::String(kind.trim().to_owned())).map_err(
                |_| {
                    AppError::invalid(
                        "unknown_kind",
                        "kind",
                        "扣除期间类型应为 announcement、appraisal、valuation_audit、postponement、suspension、auction_sale、jurisdiction_dispute 或 dispute_coordination（TL2000 第九条；EPI 第十三条）",
                    )
                },
            )?;
        let from_d = parse_date(from.trim()).map_err(|e| AppError::Invalid(e.at("from")))?;
        let to_d = parse_date(to.trim()).map_err(|e| AppError::Invalid(e.at("to")))?;
        if from_d > to_d {
            return Err(AppError::invalid(
                "excluded_period_invalid",
                "to",
                format!("止日 {to_d} 早于起日 {from_d}"),
            ));
        }
        if from_d < date_of(&case.filed_on)? {
            return Err(AppError::invalid(
                "event_before_filing",
                "from",
                format!("起日 {from_d} 早于立案日期 {}", case.filed_on),
            ));
        }
        let row = ExcludedRow {
            court_code: case.court_code.clone(),
            id: new_id(),
            case_id: case.id.clone(),
            kind: kind.trim().to_owned(),
            from_on: ymd(from_d),
            to_on: ymd(to_d),
            note: note.trim().to_owned(),
            actor_id: actor.user_id.clone(),
            created_at: now_ms,
        };
        let backend = self.db.backend();
        let mut tx = self.db.begin().await?;
        batch::run(&mut tx, vec![store::insert_excluded_stmt(&row)]).await?;
        let moved = self.recompute_case_term(&mut tx, &case, now_ms).await?;
        write_audit(
            &mut tx,
            backend,
            actor,
            "case.excluded_period",
            "excluded_period",
            &row.id,
            Some(&case.id),
            None,
            Some(
                serde_json::json!({"kind": row.kind, "name": kind_v.name_zh(), "from": row.from_on, "to": row.to_on, "note": row.note,
                    "moved": moved.iter().map(|m| serde_json::json!({"node": m.node, "from": m.from, "to": m.to})).collect::<Vec<_>>()})
                .to_string(),
            ),
            now_ms,
        )
        .await?;
        tx.commit().await?;
        Ok(moved)
    }

    /// Recompute the case-term deadline(s) of one case inside `tx` (after an excluded period or an
    /// approved extension).
    async fn recompute_case_term(
        &self,
        tx: &mut Conn,
        case: &CaseRow,
        now_ms: i64,
    ) -> Result<Vec<Moved>, AppError> {
        let rules = court_rules(tx, &case.court_code).await?;
        let facts = full_facts(tx, case).await?;
        let mut stmts = Vec::new();
        let mut moved = Vec::new();
        for d in store::deadlines_of(tx, &case.court_code, &case.id).await? {
            if d.status != "pending" || d.node != TERM_NODE {
                continue;
            }
            let Some(rule) = rules.rule(&d.rule_id) else {
                continue;
            };
            if let Some((due, der)) = recompute_one(&d, rule, &facts)? {
                stmts.extend(moved_stmts(
                    &d,
                    rule,
                    &due,
                    &der,
                    rules.blue_working_days,
                    &case.case_number,
                    now_ms,
                )?);
                if due != d.due_on {
                    moved.push(Moved {
                        deadline_id: d.id.clone(),
                        case_id: d.case_id.clone(),
                        node: d.node.clone(),
                        from: d.due_on.clone(),
                        to: due,
                        handler_id: d.handler_id.clone(),
                    });
                }
            }
        }
        batch::run(tx, stmts).await?;
        Ok(moved)
    }

    /// The handler asks to extend the case term (DL2006 art 1: at least 5 days before expiry).
    pub async fn request_extension(
        &self,
        actor: &Actor,
        case_id: &str,
        length: i64,
        unit: &str,
        reason: &str,
        now_ms: i64,
    ) -> Result<ExtensionRow, AppError> {
        let mut conn = self.db.conn().await?;
        let case = self.visible_case(&mut conn, actor, case_id).await?;
        actor.require(Permission::RecordEvents)?;
        if !actor.writes_in(&case.court_code) {
            return Err(AppError::forbidden("court_scope", "只能修改本院案件"));
        }
        let unit_v = unit_of(unit.trim()).ok_or_else(|| {
            AppError::invalid(
                "unit",
                "unit",
                "单位应为 calendar_days、working_days 或 months",
            )
        })?;
        if !(1..=24).contains(&length) {
            return Err(AppError::invalid(
                "extension_length",
                "length",
                "延长期限的长度应在 1 至 24 之间",
            ));
        }
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > 500 {
            return Err(AppError::invalid(
                "required",
                "reason",
                "须填写延长理由（500 字以内）",
            ));
        }
        let term = store::deadlines_of(&mut conn, &case.court_code, &case.id)
            .await?
            .into_iter()
            .find(|d| d.node == TERM_NODE && d.status == "pending")
            .ok_or_else(|| {
                AppError::invalid("no_open_term", "case_id", "该案没有未届满的执行期限可延长")
            })?;
        drop(conn);
        let today = china_date(now_ms);
        let probe = Extension {
            requested_on: today,
            approved_on: today,
            length: u32::try_from(length).unwrap_or(1),
            unit: unit_v,
            approver: Approver::President,
        };
        zhixing_domain::deadline::validate_extension(&probe, date_of(&term.due_on)?)
            .map_err(|e| AppError::Invalid(e.at("requested_on")))?;
        let row = ExtensionRow {
            court_code: case.court_code.clone(),
            id: new_id(),
            case_id: case.id.clone(),
            deadline_id: term.id.clone(),
            requested_on: ymd(today),
            length,
            unit: unit.trim().to_owned(),
            reason: reason.to_owned(),
            requested_by: actor.user_id.clone(),
            status: "requested".into(),
            decided_on: None,
            decided_by: None,
            decided_role: None,
            created_at: now_ms,
        };
        let backend = self.db.backend();
        let mut tx = self.db.begin().await?;
        let mut stmts = vec![store::insert_extension_stmt(&row)];
        // The president decides: each president of the court finds it in the inbox.
        for (uid, _) in store::users_with_role(&mut tx, &case.court_code, "president").await? {
            stmts.push(store::insert_notification_stmt(&NotificationRow {
                court_code: case.court_code.clone(),
                id: new_id(),
                user_id: uid,
                case_id: Some(case.id.clone()),
                source_kind: "extension.requested".into(),
                source_id: row.id.clone(),
                level: None,
                title: format!("{} 申请延长执行期限", case.case_number),
                body: format!(
                    "{} 申请延长 {length} {}，现届满日 {}：{reason}",
                    actor.name,
                    unit_zh(unit.trim()),
                    term.due_on
                ),
                created_at: now_ms,
                read_at: None,
            }));
        }
        batch::run(&mut tx, stmts).await?;
        write_audit(
            &mut tx,
            backend,
            actor,
            "case.extension_request",
            "term_extension",
            &row.id,
            Some(&case.id),
            None,
            Some(
                serde_json::json!({"length": length, "unit": row.unit, "reason": reason, "due_on": term.due_on})
                    .to_string(),
            ),
            now_ms,
        )
        .await?;
        tx.commit().await?;
        Ok(row)
    }

    /// The president approves or refuses an extension; approval moves the case term.
    pub async fn decide_extension(
        &self,
        actor: &Actor,
        extension_id: &str,
        approve: bool,
        now_ms: i64,
    ) -> Result<(ExtensionRow, Vec<Moved>), AppError> {
        let mut conn = self.db.conn().await?;
        let ext = store::find_extension(&mut conn, extension_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let case = self.visible_case(&mut conn, actor, &ext.case_id).await?;
        drop(conn);
        actor.require(Permission::ApproveExtension)?;
        if !actor.writes_in(&case.court_code) {
            return Err(AppError::forbidden("court_scope", "只能审批本院案件"));
        }
        if ext.status != "requested" {
            return Err(AppError::Conflict {
                code: "already_decided",
                field: None,
                message: "该延期申请已处理".into(),
            });
        }
        let today = ymd(china_date(now_ms));
        let status = if approve { "approved" } else { "refused" };
        let backend = self.db.backend();
        let mut tx = self.db.begin().await?;
        let rows = batch::run(
            &mut tx,
            vec![store::decide_extension_stmt(
                &case.court_code,
                &ext.id,
                status,
                &today,
                &actor.user_id,
                actor.role.as_str(),
            )],
        )
        .await?;
        // Decided meanwhile (a double submit, or approve racing refuse): nothing of this one.
        if !batch::returned(&rows, "decided_extension") {
            return Err(AppError::Conflict {
                code: "already_decided",
                field: None,
                message: "该延期申请已处理".into(),
            });
        }
        // Validation of the approved extension happens in compute_due (lead time, approver).
        let moved = if approve {
            self.recompute_case_term(&mut tx, &case, now_ms).await?
        } else {
            Vec::new()
        };
        let note = vec![store::insert_notification_stmt(&NotificationRow {
            court_code: case.court_code.clone(),
            id: new_id(),
            user_id: ext.requested_by.clone(),
            case_id: Some(case.id.clone()),
            source_kind: "extension.decided".into(),
            source_id: ext.id.clone(),
            level: None,
            title: format!(
                "{} 延长执行期限申请{}",
                case.case_number,
                if approve { "已批准" } else { "未批准" }
            ),
            body: moved
                .iter()
                .map(|m| format!("期限由 {} 延至 {}", m.from, m.to))
                .collect::<Vec<_>>()
                .join("；"),
            created_at: now_ms,
            read_at: None,
        })];
        batch::run(&mut tx, note).await?;
        write_audit(
            &mut tx,
            backend,
            actor,
            if approve {
                "case.extension_approve"
            } else {
                "case.extension_refuse"
            },
            "term_extension",
            &ext.id,
            Some(&case.id),
            Some(serde_json::json!({"status": ext.status}).to_string()),
            Some(
                serde_json::json!({"status": status, "moved": moved.iter().map(|m| serde_json::json!({"from": m.from, "to": m.to})).collect::<Vec<_>>()})
                    .to_string(),
            ),
            now_ms,
        )
        .await?;
        tx.commit().await?;
        let mut ext = ext;
        ext.status = status.into();
        ext.decided_on = Some(today);
        ext.decided_by = Some(actor.user_id.clone());
        ext.decided_role = Some(actor.role.as_str().into());
        Ok((ext, moved))
    }

    /// Recompute every open deadline of a court against the current rules and calendar (after a
    /// rule or holiday-calendar change). Each deadline whose date moved is returned and its handler
    /// notified; everything runs in one transaction with one audit record.
    pub async fn recompute_court(
        &self,
        actor: &Actor,
        court: &str,
        now_ms: i64,
    ) -> Result<Vec<Moved>, AppError> {
        actor.require(Permission::ConfigureDeadlines)?;
        if actor.court_code != court {
            return Err(AppError::forbidden("court_scope", "只能重算本院期限"));
        }
        let backend = self.db.backend();
        let mut tx = self.db.begin().await?;
        let rules = court_rules(&mut tx, court).await?;
        let pending = store::pending_of_court(&mut tx, court).await?;
        let mut facts_cache: HashMap<String, (CaseFacts, String)> = HashMap::new();
        let mut stmts = Vec::new();
        let mut moved = Vec::new();
        for d in &pending {
            let Some(rule) = rules.rule(&d.rule_id) else {
                continue;
            };
            if !facts_cache.contains_key(&d.case_id) {
                let Some(case) = cases::find_case(&mut tx, &d.case_id).await? else {
                    continue;
                };
                let facts = if d.node == TERM_NODE {
                    full_facts(&mut tx, &case).await?
                } else {
                    CaseFacts::of(&case)
                };
                facts_cache.insert(d.case_id.clone(), (facts, case.case_number.clone()));
            }
            let Some((facts, number)) = facts_cache.get(&d.case_id) else {
                continue;
            };
            if let Some((due, der)) = recompute_one(d, rule, facts)? {
                stmts.extend(moved_stmts(
                    d,
                    rule,
                    &due,
                    &der,
                    rules.blue_working_days,
                    number,
                    now_ms,
                )?);
                if due != d.due_on {
                    moved.push(Moved {
                        deadline_id: d.id.clone(),
                        case_id: d.case_id.clone(),
                        node: d.node.clone(),
                        from: d.due_on.clone(),
                        to: due,
                        handler_id: d.handler_id.clone(),
                    });
                }
            }
            if stmts.len() >= 500 {
                batch::run(&mut tx, std::mem::take(&mut stmts)).await?;
            }
        }
        batch::run(&mut tx, stmts).await?;
        write_audit(
            &mut tx,
            backend,
            actor,
            "deadlines.recompute",
            "court",
            court,
            None,
            None,
            Some(
                serde_json::json!({"open": pending.len(), "moved": moved.len(),
                    "calendar": LegalCalendar::builtin().version()})
                .to_string(),
            ),
            now_ms,
        )
        .await?;
        tx.commit().await?;
        Ok(moved)
    }

    /// After an upgrade that ships a new holiday calendar: recompute the open deadlines of every
    /// court that still has dates computed with another calendar version (run by `zhixing serve`
    /// at start). Returns (court, moved) per court recomputed.
    pub async fn recompute_stale_calendar(
        &self,
        now_ms: i64,
    ) -> Result<Vec<(String, Vec<Moved>)>, AppError> {
        let current = format!(
            "%\"calendar_version\":\"{}\"%",
            LegalCalendar::builtin().version()
        );
        let mut conn = self.db.conn().await?;
        let stale = store::courts_with_stale_calendar(&mut conn, &current).await?;
        let mut out = Vec::new();
        for court in stale {
            let Some(row) = courts::find(&mut conn, &court).await? else {
                continue;
            };
            let actor = Actor::system(&court, &row.path);
            let moved = self.recompute_court(&actor, &court, now_ms).await?;
            out.push((court, moved));
        }
        Ok(out)
    }

    /// Add or replace a local (stricter) deadline rule of the actor's court, then recompute.
    /// `tsv_line` is one line in the format of `data/deadline_rules.tsv`.
    pub async fn set_local_rule(
        &self,
        actor: &Actor,
        tsv_line: &str,
        now_ms: i64,
    ) -> Result<Vec<Moved>, AppError> {
        actor.require(Permission::ConfigureDeadlines)?;
        let parsed = parse_rules(tsv_line).map_err(|e| AppError::Invalid(e.at("rule")))?;
        let [rule] = parsed.as_slice() else {
            return Err(AppError::invalid(
                "rule_count",
                "rule",
                "一次只能设置一条本院期限规则",
            ));
        };
        if rule.kind != RuleKind::Local {
            return Err(AppError::invalid(
                "rule_kind",
                "rule",
                "本院规则的类别应为 local（法定规则随版本发布）",
            ));
        }
        let court = actor.court_code.clone();
        let mut conn = self.db.conn().await?;
        let (tsv, choices) = store::court_rules(&mut conn, &court).await?;
        drop(conn);
        let mut local = parse_rules(&tsv).map_err(|e| AppError::Internal(e.message))?;
        local.retain(|r| r.id != rule.id);
        local.push(rule.clone());
        effective_rules(&local, &choices.into_iter().collect())
            .map_err(|e| AppError::Invalid(e.at("rule")))?;
        let backend = self.db.backend();
        let mut tx = self.db.begin().await?;
        batch::run(
            &mut tx,
            vec![store::insert_court_rule_stmt(
                &court,
                &rule.id,
                i64::from(rule.version),
                &rule.node,
                &rule.start_event,
                i64::from(rule.length),
                match rule.unit {
                    DayUnit::CalendarDays => "calendar_days",
                    DayUnit::WorkingDays => "working_days",
                    DayUnit::Months => "months",
                },
                "local",
                rule.conflict_group.as_deref(),
                match rule.scope {
                    zhixing_domain::deadline::CaseScope::All => "all",
                    zhixing_domain::deadline::CaseScope::Ordinary => "ordinary",
                    zhixing_domain::deadline::CaseScope::NonLitigation => "non_litigation",
                },
                &rule.source,
                now_ms,
            )],
        )
        .await?;
        write_audit(
            &mut tx,
            backend,
            actor,
            "deadlines.local_rule",
            "deadline_rule",
            &rule.id,
            None,
            None,
            Some(serde_json::json!({"rule": tsv_line.trim()}).to_string()),
            now_ms,
        )
        .await?;
        tx.commit().await?;
        // Local rules start from the next matching event; existing deadlines of the rule (a new
        // version) are recomputed.
        self.recompute_court(actor, &court, now_ms).await
    }

    /// The court's choice in a conflict group (rules.md §1.3): `rule_id` None goes back to the
    /// default, the stricter rule. Open deadlines are recomputed; note that a choice changes which
    /// rule STARTS deadlines from now on, and the recomputation moves open deadlines of rules that
    /// stay in force (a deadline of a rule no longer chosen keeps its date and derivation).
    pub async fn set_conflict_choice(
        &self,
        actor: &Actor,
        group: &str,
        rule_id: Option<&str>,
        now_ms: i64,
    ) -> Result<Vec<Moved>, AppError> {
        actor.require(Permission::ConfigureDeadlines)?;
        let court = actor.court_code.clone();
        let mut conn = self.db.conn().await?;
        let (tsv, choices) = store::court_rules(&mut conn, &court).await?;
        drop(conn);
        let local = parse_rules(&tsv).map_err(|e| AppError::Internal(e.message))?;
        let mut choice: HashMap<String, String> = choices.into_iter().collect();
        match rule_id {
            Some(r) => {
                choice.insert(group.to_owned(), r.to_owned());
            }
            None => {
                choice.remove(group);
            }
        }
        effective_rules(&local, &choice).map_err(|e| AppError::Invalid(e.at("rule_id")))?;
        let backend = self.db.backend();
        let mut tx = self.db.begin().await?;
        let stmt = match rule_id {
            Some(r) => Stmt::new(
                "INSERT INTO court_rule_choices (court_code, conflict_group, rule_id) VALUES ($1, $2, $3) \
                 ON CONFLICT (court_code, conflict_group) DO UPDATE SET rule_id = excluded.rule_id",
            )
            .text(&court)
            .text(group)
            .text(r),
            None => Stmt::new(
                "DELETE FROM court_rule_choices WHERE court_code = $1 AND conflict_group = $2",
            )
            .text(&court)
            .text(group),
        };
        batch::run(&mut tx, vec![stmt]).await?;
        write_audit(
            &mut tx,
            backend,
            actor,
            "deadlines.conflict_choice",
            "conflict_group",
            group,
            None,
            None,
            Some(serde_json::json!({"group": group, "rule_id": rule_id}).to_string()),
            now_ms,
        )
        .await?;
        tx.commit().await?;
        self.recompute_court(actor, &court, now_ms).await
    }

    /// Set the court's blue-warning threshold (working days before the due date).
    pub async fn set_blue_threshold(
        &self,
        actor: &Actor,
        working_days: i64,
        now_ms: i64,
    ) -> Result<(), AppError> {
        actor.require(Permission::ConfigureDeadlines)?;
        if !(0..=30).contains(&working_days) {
            return Err(AppError::invalid(
                "range",
                "blue_working_days",
                "蓝色预警提前量应在 0 至 30 个工作日之间",
            ));
        }
        let backend = self.db.backend();
        let mut tx = self.db.begin().await?;
        let before = store::blue_working_days(&mut tx, &actor.court_code).await?;
        batch::run(
            &mut tx,
            vec![
                Stmt::new("UPDATE courts SET blue_working_days = $1 WHERE code = $2")
                    .int(working_days)
                    .text(&actor.court_code),
                // Every open deadline of the court is looked at again by the next tick.
                Stmt::new(
                    "UPDATE deadlines SET fire_at = $1 WHERE court_code = $2 AND status = 'pending' \
                     AND kind <> 'minimum' AND (level IS NULL OR level <> 'red')",
                )
                .int(now_ms)
                .text(&actor.court_code),
            ],
        )
        .await?;
        write_audit(
            &mut tx,
            backend,
            actor,
            "court.blue_threshold",
            "court",
            &actor.court_code,
            None,
            Some(serde_json::json!({"blue_working_days": before}).to_string()),
            Some(serde_json::json!({"blue_working_days": working_days}).to_string()),
            now_ms,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

pub fn unit_zh(unit: &str) -> &'static str {
    match unit {
        "calendar_days" => "日",
        "working_days" => "个工作日",
        "months" => "个月",
        _ => "",
    }
}

/// Roles allowed to see a court's 红黄蓝 board (re-exported for the web layer's menus).
pub fn can_view_board(role: Role) -> bool {
    role.has(Permission::ViewBoard)
}
