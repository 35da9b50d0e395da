//! 立案 (filing), 分案 (assignment), 改派 (reassignment), case reading and search.

use chrono::Datelike;
use sqlx::Row;
use zhixing_domain::assignment::{Candidate, pick, team_label};
use zhixing_domain::case::{CaseStatus, NewCase, NewCaseInput, Track};
use zhixing_domain::case_number::CaseNumber;
use zhixing_domain::court::validate_court_code;
use zhixing_domain::credit_code::CreditCode;
use zhixing_domain::id_number::IdNumber;
use zhixing_domain::money::Fen;
use zhixing_domain::party::{Party, PartyIdentity, PartyRole};
use zhixing_domain::role::Permission;
use zhixing_domain::time::{china_date, days_before};
use zhixing_domain::triage::{TriageRule, triage};
use zhixing_store::audit::{self, AuditEntry, StoredAudit};
use zhixing_store::batch::{self, Stmt};
use zhixing_store::cases::{self, AssignmentRow, CaseFilter, CaseRef, CaseRow, PartyRow};
use zhixing_store::deadlines as dl;
use zhixing_store::{Conn, courts, users};

use crate::admin::audit as write_audit;
use crate::{Actor, App, AppError, new_id};

/// Page size of case lists.
pub const PAGE_SIZE: i64 = 20;
/// At most this many same-debtor cases are listed.
pub const SAME_DEBTOR_LIMIT: i64 = 50;

/// Everything a case page or API answer shows.
#[derive(Debug, Clone)]
pub struct CaseDetail {
    pub case: CaseRow,
    pub court_name: String,
    pub applicants: Vec<PartyRow>,
    pub debtors: Vec<PartyRow>,
    pub same_debtor_cases: Vec<CaseRef>,
    pub assignments: Vec<AssignmentRow>,
    pub history: Vec<StoredAudit>,
}

#[derive(Debug, Clone)]
pub struct CasePage {
    pub cases: Vec<CaseRow>,
    pub total: i64,
    pub page: i64,
    pub page_size: i64,
}

/// What the reader typed in the search box, classified.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub court: Option<String>,
    pub status: Option<String>,
    pub q: Option<String>,
    pub page: Option<i64>,
}

fn party_rows(court: &str, case_id: &str, role: PartyRole, parties: &[Party]) -> Vec<PartyRow> {
    parties
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let (id_number, credit_code, legal_representative) = match &p.identity {
                PartyIdentity::Person { id_number } => {
                    (Some(id_number.as_str().to_owned()), None, None)
                }
                PartyIdentity::Entity {
                    credit_code,
                    legal_representative,
                } => (
                    None,
                    Some(credit_code.as_str().to_owned()),
                    Some(legal_representative.clone()),
                ),
            };
            PartyRow {
                court_code: court.to_owned(),
                id: new_id(),
                case_id: case_id.to_owned(),
                role: role.as_str().to_owned(),
                position: i64::try_from(i).unwrap_or(i64::MAX),
                kind: p.kind().to_owned(),
                name: p.name.clone(),
                id_number,
                credit_code,
                legal_representative,
                phone: p.phone.clone(),
                address: p.address.clone(),
            }
        })
        .collect()
}

/// The outcome of 分案: team and handler as (id, name), the reason, and the resulting status.
#[derive(Debug, Clone)]
pub struct Assignment {
    pub team: Option<(String, String)>,
    pub handler: Option<(String, String)>,
    pub reason: String,
    pub status: CaseStatus,
}

/// Team and handler for a new case of `track`, with the reason (pure choice over store counts).
pub async fn choose_assignment(
    conn: &mut Conn,
    court: &str,
    track: Track,
    since: &str,
) -> Result<Assignment, AppError> {
    let mut candidates = cases::assignment_candidates(conn, court, track.as_str(), since).await?;
    Ok(assign_from(&mut candidates, track))
}

/// Choose from loaded candidates (teams, each with its judges) and count the new case on the
/// chosen team and handler, so the next case of the same group sees the loads it would have seen
/// had this one been committed first.
fn assign_from(candidates: &mut [(Candidate, Vec<Candidate>)], track: Track) -> Assignment {
    let teams: Vec<Candidate> = candidates.iter().map(|(t, _)| t.clone()).collect();
    let Some((team, team_reason)) = pick(&teams, team_label(track)) else {
        return Assignment {
            team: None,
            handler: None,
            reason: format!("本院尚未设立{}，待指挥中心人工分案", team_label(track)),
            status: CaseStatus::PendingAssignment,
        };
    };
    let Some((t, handlers)) = candidates.iter_mut().find(|(t, _)| t.id == team.id) else {
        return Assignment {
            team: None,
            handler: None,
            reason: format!("本院尚未设立{}，待指挥中心人工分案", team_label(track)),
            status: CaseStatus::PendingAssignment,
        };
    };
    t.open_cases += 1;
    t.filed_last_30_days += 1;
    let team_ref = Some((team.id.clone(), team.name.clone()));
    let picked = pick(handlers, "承办法官").map(|(h, r)| (h.id.clone(), h.name.clone(), r));
    match picked {
        Some((id, name, h_reason)) => {
            if let Some(h) = handlers.iter_mut().find(|h| h.id == id) {
                h.open_cases += 1;
                h.filed_last_30_days += 1;
            }
            Assignment {
                team: team_ref,
                handler: Some((id, name)),
                reason: format!("{team_reason}；{h_reason}"),
                status: CaseStatus::InProgress,
            }
        }
        None => Assignment {
            team: team_ref,
            handler: None,
            reason: format!("{team_reason}；该团队暂无执行法官，待团队负责人确定承办人"),
            status: CaseStatus::InProgress,
        },
    }
}

/// 分案 candidates: teams, each with its judges.
type Teams = Vec<(Candidate, Vec<Candidate>)>;

/// Most filings written in one group transaction.
const MAX_FILINGS_PER_GROUP: usize = 64;

/// A filing with everything decided but its serial and its audit link.
#[derive(Debug)]
struct PreparedFiling {
    actor: Actor,
    id: String,
    new: NewCase,
    /// First day of the 30-day window 分案 counts recent cases in.
    since: String,
    now_ms: i64,
}

/// A filing of a group that passed the court checks, triaged, with its same-debtor hint.
#[derive(Debug)]
struct Decided {
    filing: PreparedFiling,
    court_name: String,
    same_debtor_cases: Vec<CaseRef>,
    track: Track,
    triage_reason: String,
}

/// What a group write did with one filing.
#[derive(Debug)]
enum Written {
    Filed(Box<CaseDetail>),
    /// Its guard key was taken: the same basis against the same debtor is already filed.
    Duplicate(Box<NewCase>),
    /// Refused before anything was written (an unknown court).
    Refused(AppError),
}

type FilingReply = tokio::sync::oneshot::Sender<Result<Written, AppError>>;

/// One court's filings waiting for the court's writer slot (see `App::write_in_group`).
#[derive(Debug, Default)]
pub(crate) struct CourtFilings {
    pending: std::sync::Mutex<Vec<(PreparedFiling, FilingReply)>>,
    slot: std::sync::Arc<tokio::sync::Mutex<()>>,
}

impl CourtFilings {
    fn lock_pending(&self) -> std::sync::MutexGuard<'_, Vec<(PreparedFiling, FilingReply)>> {
        // Nothing panics while holding it; a poisoned lock still holds a consistent Vec.
        self.pending
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The filing queues, one per court (filings of different courts are written independently).
#[derive(Debug, Default)]
pub struct FilingQueues {
    courts: std::sync::Mutex<std::collections::HashMap<String, std::sync::Arc<CourtFilings>>>,
}

impl FilingQueues {
    fn queue(&self, court: &str) -> std::sync::Arc<CourtFilings> {
        let mut map = self
            .courts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        map.entry(court.to_owned()).or_default().clone()
    }
}

/// The rows of one accepted filing with serial `serial`, its audit record chained after `head`
/// (which moves on to it), and the answer the filer gets: what was written, not a re-read.
fn filing_rows(
    f: Decided,
    serial: i64,
    a: Assignment,
    rules: &crate::deadlines::CourtRules,
    head: &mut Option<(i64, String)>,
) -> Result<(CaseDetail, Vec<Stmt>), AppError> {
    let Decided {
        filing:
            PreparedFiling {
                actor,
                id,
                new,
                since: _,
                now_ms,
            },
        court_name,
        same_debtor_cases,
        track,
        triage_reason,
    } = f;
    let year = i64::from(new.filed_on.year());
    let type_code = new.type_code.code();
    let number = CaseNumber::new(
        new.filed_on.year(),
        &new.court,
        None,
        new.type_code,
        u32::try_from(serial).map_err(|_| AppError::Internal("serial overflow".into()))?,
    )
    .map_err(|e| AppError::Invalid(e.at("court")))?;
    let mut parties = party_rows(&new.court, &id, PartyRole::Applicant, &new.applicants);
    parties.extend(party_rows(&new.court, &id, PartyRole::Debtor, &new.debtors));
    let row = CaseRow {
        court_code: new.court.clone(),
        id: id.clone(),
        case_number: number.to_string(),
        year,
        specialty_code: String::new(),
        type_code: type_code.to_owned(),
        serial,
        filed_on: new.filed_on.format("%Y-%m-%d").to_string(),
        basis_court: new.basis.court.clone(),
        basis_document_number: new.basis.document_number.clone(),
        basis_document_type: new.basis.document_type.clone(),
        claim_fen: new.claim.get(),
        track: track.as_str().to_owned(),
        triage_reason,
        team_id: a.team.as_ref().map(|t| t.0.clone()),
        handler_id: a.handler.as_ref().map(|h| h.0.clone()),
        assignment_reason: a.reason.clone(),
        status: a.status.as_str().to_owned(),
        created_at: now_ms,
        created_by: actor.user_id.clone(),
        updated_at: now_ms,
        team_name: a.team.as_ref().map(|t| t.1.clone()),
        handler_name: a.handler.as_ref().map(|h| h.1.clone()),
        applicant_name: new.applicants.first().map(|p| p.name.clone()),
        debtor_name: new.debtors.first().map(|p| p.name.clone()),
    };
    let audit = audit::chain(
        head.take(),
        AuditEntry {
            court_code: actor.court_code.clone(),
            actor_id: actor.user_id.clone(),
            actor_name: actor.name.clone(),
            action: "case.file".into(),
            target_kind: "case".into(),
            target_id: id.clone(),
            case_id: Some(id.clone()),
            before: None,
            after: Some(case_json(&row)),
        },
        now_ms,
    );
    *head = Some((audit.record.seq, audit.hash.clone()));
    let assignees: Vec<&str> = row
        .team_id
        .iter()
        .chain(row.handler_id.iter())
        .map(String::as_str)
        .collect();
    let mut stmts = cases::case_and_parties_stmts(&row, &parties);
    stmts.extend(cases::workload_stmt(&new.court, &assignees, 1));
    stmts.extend(cases::daily_assignment_stmt(
        &new.court,
        &assignees,
        &row.filed_on,
        1,
    ));
    stmts.push(cases::assignment_stmt(
        &new.court,
        &new_id(),
        &id,
        now_ms,
        &actor.user_id,
        row.team_id.as_deref(),
        row.handler_id.as_deref(),
        &a.reason,
    ));
    // The process events of filing (application, 立案, 分案) and the deadlines they start.
    let (events, deadlines) = crate::deadlines::filing_plan(rules, &row, &actor.user_id, now_ms)?;
    stmts.extend(dl::insert_events_stmt(&events));
    stmts.extend(dl::insert_deadlines_stmt(&deadlines));
    stmts.push(audit::insert_stmt(&audit));
    // The filer gets the answer even when triage sends the case to a team outside their scope (a
    // judge filing a standard-track case): a 404 after a committed filing would invite a retry
    // that then fails as a duplicate.
    let (applicants, debtors): (Vec<_>, Vec<_>) =
        parties.into_iter().partition(|p| p.role == "applicant");
    let detail = CaseDetail {
        court_name,
        applicants,
        debtors,
        same_debtor_cases,
        assignments: vec![AssignmentRow {
            at: now_ms,
            actor_id: actor.user_id.clone(),
            actor_name: Some(actor.name.clone()),
            team_name: row.team_name.clone(),
            handler_name: row.handler_name.clone(),
            reason: a.reason,
        }],
        history: vec![audit],
        case: row,
    };
    Ok((detail, stmts))
}

fn case_json(c: &CaseRow) -> String {
    serde_json::json!({
        "case_number": c.case_number, "filed_on": c.filed_on, "claim_fen": c.claim_fen, "track": c.track,
        "team_id": c.team_id, "handler_id": c.handler_id, "status": c.status,
        "basis": {"court": c.basis_court, "document_number": c.basis_document_number, "document_type": c.basis_document_type},
    })
    .to_string()
}

impl App {
    /// 立案: validate, number, triage, assign, and write it all in one transaction.
    pub async fn file_case(
        &self,
        actor: &Actor,
        input: &NewCaseInput,
        now_ms: i64,
    ) -> Result<CaseDetail, AppError> {
        actor.require(Permission::FileCase)?;
        let today = china_date(now_ms);
        let new: NewCase = input.validate(today)?;
        if !actor.writes_in(&new.court) {
            return Err(AppError::Forbidden {
                code: "court_scope",
                field: Some("court".into()),
                message: format!("只能在本院（{}）立案", actor.court_code),
            });
        }
        // Everything that reads the database (the courts, the same-debtor hint, 分案 loads, the
        // deadline rules) happens once per group inside the group's transaction (`write_filings`).
        let prepared = PreparedFiling {
            actor: actor.clone(),
            id: new_id(),
            new,
            since: days_before(today, 29).format("%Y-%m-%d").to_string(),
            now_ms,
        };
        match self.write_in_group(prepared).await? {
            Written::Filed(detail) => Ok(*detail),
            Written::Duplicate(new) => Err(self.duplicate_of(&new, new.type_code.code()).await?),
            Written::Refused(e) => Err(e),
        }
    }

    /// Group commit of filings (bench/RESULTS.md §2). A filing joins its court's queue and waits
    /// for the court's writer slot; whoever holds the slot writes every filing queued by then in
    /// ONE transaction, so the serialized part of filing (BEGIN, the guard, the serial, the audit
    /// head, the inserts, COMMIT) is paid once per group instead of once per case. Each filing in
    /// the group keeps its own outcome: a duplicate is refused alone; a database error fails the
    /// group and nothing of it is written. The write runs in its own task, so a client that hangs
    /// up cannot cut a transaction in half.
    async fn write_in_group(&self, p: PreparedFiling) -> Result<Written, AppError> {
        let queue = self.filings.queue(&p.new.court);
        let (reply, mut answer) = tokio::sync::oneshot::channel();
        queue.lock_pending().push((p, reply));
        let slot = queue.slot.clone().lock_owned().await;
        if let Ok(done) = answer.try_recv() {
            // An earlier writer took this filing into its group.
            drop(slot);
            return done;
        }
        let group: Vec<_> = {
            let mut pending = queue.lock_pending();
            let n = pending.len().min(MAX_FILINGS_PER_GROUP);
            pending.drain(..n).collect()
        };
        if group.is_empty() {
            drop(slot);
        } else {
            let app = self.clone();
            tokio::spawn(async move {
                let _slot = slot;
                app.write_group(group).await;
            });
        }
        answer
            .await
            .map_err(|_| AppError::Internal("立案写入任务中断，请重试".into()))?
    }

    /// Write one group of prepared filings of one court in one transaction and answer each.
    async fn write_group(&self, group: Vec<(PreparedFiling, FilingReply)>) {
        let (filings, replies): (Vec<_>, Vec<_>) = group.into_iter().unzip();
        match self.write_filings(filings).await {
            Ok(outcomes) => {
                for (reply, outcome) in replies.into_iter().zip(outcomes) {
                    let _ = reply.send(Ok(outcome));
                }
            }
            Err(e) => {
                tracing::error!(error = %e, filings = replies.len(), "立案组写入失败，全组回滚");
                let message = e.to_string();
                for reply in replies {
                    let _ = reply.send(Err(AppError::Internal(message.clone())));
                }
            }
        }
    }

    async fn write_filings(&self, filings: Vec<PreparedFiling>) -> Result<Vec<Written>, AppError> {
        let mut outcomes: Vec<Option<Written>> = filings.iter().map(|_| None).collect();
        let mut live: Vec<(usize, PreparedFiling)> = filings.into_iter().enumerate().collect();
        // Each retry leaves out at least one refused filing, so this ends within n + 1 tries; a
        // refusal is rare (an unknown basis court, a duplicate), so one try is the rule.
        for _ in 0..=outcomes.len() {
            if live.is_empty() {
                break;
            }
            let (done, rest) = self.try_write_filings(live).await?;
            for (i, w) in done {
                if let Some(o) = outcomes.get_mut(i) {
                    *o = Some(w);
                }
            }
            live = rest;
        }
        outcomes
            .into_iter()
            .map(|o| o.ok_or_else(|| AppError::Internal("filing without outcome".into())))
            .collect()
    }

    /// One transaction for a group of one court's filings, in two batches (on SQLite each is one
    /// hand-off to the connection's thread). Batch 1 takes the 重复立案 guards and the serials and
    /// reads all the group needs; if any filing is refused there (an unknown basis court, a
    /// duplicate), the transaction is rolled back and the others come back to be tried again
    /// without it, so a refused filing never holds a serial or a guard. Batch 2 writes every row.
    /// Returns the outcomes decided and the filings to try again.
    async fn try_write_filings(
        &self,
        live: Vec<(usize, PreparedFiling)>,
    ) -> Result<(Vec<(usize, Written)>, Vec<(usize, PreparedFiling)>), AppError> {
        let Some(court_code) = live.first().map(|(_, f)| f.new.court.clone()) else {
            return Ok((Vec::new(), Vec::new()));
        };
        let backend = self.db.backend();
        let mut tx = self.db.begin().await?;
        // Batch 1:
        // - the court and every basis court;
        // - the 重复立案 guards (the same basis against the same debtor, already filed here; EPI
        //   arts 2–3: a duplicate is 销案): a primary key, so it holds under concurrent filings
        //   and between two filings of the same group;
        // - the serials (one reservation per year and type) and the audit chain's head;
        // - the same-debtor hints (open cases against the same debtors in any court; the group's
        //   own cases are not written yet);
        // - the court's deadline rules and the 分案 loads of both tracks. Read once per group
        //   inside the transaction, the loads are exact: each case counts on the team it went to
        //   before the next is placed, so no two filings pick the same team blindly.
        let mut codes: Vec<&str> = vec![&court_code];
        let mut wanted: Vec<(i64, &'static str, i64)> = Vec::new();
        let mut windows: Vec<String> = Vec::new();
        let mut ids: Vec<&str> = Vec::new();
        let mut keys: Vec<&str> = Vec::new();
        for (_, f) in &live {
            if !codes.contains(&f.new.basis.court.as_str()) {
                codes.push(&f.new.basis.court);
            }
            let key = (i64::from(f.new.filed_on.year()), f.new.type_code.code());
            match wanted.iter_mut().find(|w| (w.0, w.1) == key) {
                Some(w) => w.2 += 1,
                None => wanted.push((key.0, key.1, 1)),
            }
            if !windows.contains(&f.since) {
                windows.push(f.since.clone());
            }
            for p in &f.new.debtors {
                let (list, k) = match &p.identity {
                    PartyIdentity::Person { id_number } => (&mut ids, id_number.as_str()),
                    PartyIdentity::Entity { credit_code, .. } => (&mut keys, credit_code.as_str()),
                };
                if !list.contains(&k) {
                    list.push(k);
                }
            }
        }
        let mut first = vec![courts::find_many_stmt(&codes)];
        first.extend(live.iter().flat_map(|(_, f)| {
            f.new.debtors.iter().map(|d| {
                cases::filing_key_guard_stmt(
                    &court_code,
                    f.new.type_code.code(),
                    &f.new.basis.document_number,
                    d.identity_key(),
                    &f.id,
                )
            })
        }));
        first.extend(
            wanted
                .iter()
                .map(|(year, t, n)| cases::reserve_serials_stmt(&court_code, *year, "", t, *n)),
        );
        first.extend(audit::head_stmts(backend, &court_code));
        if !ids.is_empty() || !keys.is_empty() {
            first.push(cases::same_debtor_stmt(&ids, &keys, SAME_DEBTOR_LIMIT));
        }
        first.extend(dl::court_rules_stmts(&court_code));
        for since in &windows {
            for t in [Track::Fast, Track::Standard] {
                first.push(cases::assignment_candidates_stmt(
                    &court_code,
                    t.as_str(),
                    since,
                ));
            }
        }
        let rows = batch::run(&mut tx, first).await?;
        let found = courts::courts_in(&rows)?;
        let Some(court) = found.iter().find(|c| c.code == court_code).cloned() else {
            tx.rollback().await?;
            let refused = live
                .into_iter()
                .map(|(i, _)| {
                    let e = AppError::invalid(
                        "unknown_court",
                        "court",
                        format!("法院代字「{court_code}」不存在"),
                    );
                    (i, Written::Refused(e))
                })
                .collect();
            return Ok((refused, Vec::new()));
        };
        if live
            .iter()
            .any(|(_, f)| !found.iter().any(|c| c.code == f.new.basis.court))
        {
            // Its guards could have refused a later filing of the group as a duplicate, so only
            // these are refused now; the rest go again.
            tx.rollback().await?;
            let (rest, bad): (Vec<_>, Vec<_>) = live
                .into_iter()
                .partition(|(_, f)| found.iter().any(|c| c.code == f.new.basis.court));
            let refused = bad
                .into_iter()
                .map(|(i, f)| {
                    let e = AppError::invalid(
                        "unknown_court",
                        "basis.court",
                        format!("执行依据作出法院「{}」不存在", f.new.basis.court),
                    );
                    (i, Written::Refused(e))
                })
                .collect();
            return Ok((refused, rest));
        }
        let guarded = |f: &PreparedFiling| {
            rows.iter()
                .filter(|r| {
                    r.try_get::<String, _>("guard_case")
                        .is_ok_and(|c| c == f.id)
                })
                .count()
        };
        if live.iter().any(|(_, f)| guarded(f) < f.new.debtors.len()) {
            tx.rollback().await?;
            let (rest, dup): (Vec<_>, Vec<_>) = live
                .into_iter()
                .partition(|(_, f)| guarded(f) == f.new.debtors.len());
            let refused = dup
                .into_iter()
                .map(|(i, f)| (i, Written::Duplicate(Box::new(f.new))))
                .collect();
            return Ok((refused, rest));
        }
        // The first serial of each (year, type) reservation; handed out in queue order.
        let mut next: Vec<(i64, String, i64)> = Vec::new();
        for r in &rows {
            if let (Ok(last), Ok(year), Ok(t)) = (
                r.try_get::<i64, _>("last_serial"),
                r.try_get::<i64, _>("serial_year"),
                r.try_get::<String, _>("serial_type"),
            ) {
                let n = wanted
                    .iter()
                    .find(|w| w.0 == year && w.1 == t)
                    .map_or(1, |w| w.2);
                next.push((year, t, last - n + 1));
            }
        }
        let mut head = audit::head_of(&rows)?;
        let hints = cases::same_debtor_rows(&rows);
        let rules = crate::deadlines::court_rules_in(&rows)?;
        let mut loads: Vec<(Track, &String, Teams)> = Vec::new();
        for since in &windows {
            for t in [Track::Fast, Track::Standard] {
                loads.push((t, since, cases::candidates_in(&rows, t.as_str(), since)?));
            }
        }
        let rule = TriageRule {
            fast_max: Fen::new(court.triage_fast_max_fen),
        };
        let mut second: Vec<Stmt> = Vec::new();
        let mut done = Vec::with_capacity(live.len());
        for (i, f) in live {
            let decision = triage(rule, f.new.type_code, f.new.claim);
            let a = match loads
                .iter_mut()
                .find(|l| l.0 == decision.track && *l.1 == f.since)
            {
                Some(l) => assign_from(&mut l.2, decision.track),
                None => return Err(AppError::Internal("no 分案 loads read".into())),
            };
            let year = i64::from(f.new.filed_on.year());
            let type_code = f.new.type_code.code();
            let serial = next
                .iter_mut()
                .find(|n| n.0 == year && n.1 == type_code)
                .map(|n| {
                    n.2 += 1;
                    n.2 - 1
                })
                .ok_or_else(|| AppError::Internal("no serial returned".into()))?;
            let mut same_debtor_cases: Vec<CaseRef> = Vec::new();
            for p in &f.new.debtors {
                for (_, r) in hints.iter().filter(|(k, _)| k == p.identity_key()) {
                    if !same_debtor_cases.iter().any(|x| x.id == r.id) {
                        same_debtor_cases.push(r.clone());
                    }
                }
            }
            let decided = Decided {
                filing: f,
                court_name: court.name.clone(),
                same_debtor_cases,
                track: decision.track,
                triage_reason: decision.reason,
            };
            let (detail, stmts) = filing_rows(decided, serial, a, &rules, &mut head)?;
            second.extend(stmts);
            done.push((i, Written::Filed(Box::new(detail))));
        }
        // Batch 2: each case, its parties, the 分案 counters, the assignment record, the process
        // events and deadlines of filing, and the audit records (chained in queue order).
        batch::run(&mut tx, second).await?;
        tx.commit().await?;
        Ok((done, Vec::new()))
    }

    /// Read a case the actor may see (404 otherwise).
    pub async fn case_detail(&self, actor: &Actor, id: &str) -> Result<CaseDetail, AppError> {
        actor.require(Permission::ReadCases)?;
        let mut conn = self.db.conn().await?;
        let case = cases::find_case(&mut conn, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let court = courts::find(&mut conn, &case.court_code)
            .await?
            .ok_or(AppError::NotFound)?;
        if !actor.can_see(&case, &court.path) {
            return Err(AppError::NotFound);
        }
        let parties = cases::parties_of(&mut conn, &case.court_code, &case.id).await?;
        let (applicants, debtors): (Vec<_>, Vec<_>) =
            parties.into_iter().partition(|p| p.role == "applicant");
        let mut same = Vec::new();
        for d in &debtors {
            for r in cases::same_debtor_cases(
                &mut conn,
                d.id_number.as_deref(),
                d.credit_code.as_deref(),
                &case.id,
                SAME_DEBTOR_LIMIT,
            )
            .await?
            {
                if !same.iter().any(|x: &CaseRef| x.id == r.id) {
                    same.push(r);
                }
            }
        }
        let assignments = cases::assignments_of(&mut conn, &case.court_code, &case.id).await?;
        let history = audit::of_case(&mut conn, &case.court_code, &case.id).await?;
        Ok(CaseDetail {
            court_name: court.name,
            case,
            applicants,
            debtors,
            same_debtor_cases: same,
            assignments,
            history,
        })
    }

    /// Search and page the cases visible to the actor.
    pub async fn list_cases(&self, actor: &Actor, q: &ListQuery) -> Result<CasePage, AppError> {
        actor.require(Permission::ReadCases)?;
        let vis = actor.visibility()?;
        let mut filter = CaseFilter::default();
        if let Some(c) = q.court.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
            validate_court_code(c).map_err(|e| AppError::Invalid(e.at("court")))?;
            filter.court = Some(c.to_owned());
        }
        if let Some(s) = q.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            if CaseStatus::from_str_opt(s).is_none() {
                let all: Vec<&str> = CaseStatus::ALL.iter().map(|c| c.as_str()).collect();
                return Err(AppError::invalid(
                    "status",
                    "status",
                    format!("状态必须是以下之一：{}", all.join(", ")),
                ));
            }
            filter.status = Some(s.to_owned());
        }
        if let Some(text) = q.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            if text.chars().count() > 60 {
                return Err(AppError::invalid(
                    "too_long",
                    "q",
                    "检索词不能超过 60 个字符",
                ));
            }
            classify_query(text, &mut filter, chrono::NaiveDate::MAX);
        }
        let page = q.page.unwrap_or(1);
        if !(1..=100_000).contains(&page) {
            return Err(AppError::invalid(
                "page",
                "page",
                "页码必须是 1 到 100000 之间的整数",
            ));
        }
        let mut conn = self.db.conn().await?;
        let (rows, total) =
            cases::list_cases(&mut conn, &vis, &filter, PAGE_SIZE, (page - 1) * PAGE_SIZE).await?;
        Ok(CasePage {
            cases: rows,
            total,
            page,
            page_size: PAGE_SIZE,
        })
    }

    /// 改派: move a case to another team (and optionally a named judge of it), with a reason.
    pub async fn reassign(
        &self,
        actor: &Actor,
        case_id: &str,
        team_id: &str,
        handler_id: Option<&str>,
        reason: &str,
        now_ms: i64,
    ) -> Result<CaseDetail, AppError> {
        let before = self.case_detail(actor, case_id).await?.case;
        actor.require(Permission::ReassignCase)?;
        if !actor.writes_in(&before.court_code) {
            return Err(AppError::forbidden("court_scope", "只能改派本院案件"));
        }
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > 200 {
            return Err(AppError::invalid(
                "required",
                "reason",
                "改派须填写理由（200 字以内）",
            ));
        }
        let mut tx = self.db.begin().await?;
        let team = users::find_team(&mut tx, &before.court_code, team_id)
            .await?
            .filter(|t| t.active && t.track != "command")
            .ok_or_else(|| {
                AppError::invalid(
                    "unknown_team",
                    "team_id",
                    "目标团队不存在、已停用或不是执行团队",
                )
            })?;
        let handler = match handler_id.map(str::trim).filter(|h| !h.is_empty()) {
            Some(h) => {
                let u = users::find_user(&mut tx, h).await?.filter(|u| {
                    u.active
                        && u.role == "judge"
                        && u.court_code == before.court_code
                        && u.team_id.as_deref() == Some(team.id.as_str())
                });
                Some(u.ok_or_else(|| {
                    AppError::invalid(
                        "unknown_handler",
                        "handler_id",
                        "承办人须为目标团队中在岗的执行法官",
                    )
                })?)
            }
            None => None,
        };
        let status = if before.status == CaseStatus::PendingAssignment.as_str() {
            CaseStatus::InProgress.as_str().to_owned()
        } else {
            before.status.clone()
        };
        let full_reason = format!(
            "{} 改派至「{}」{}：{reason}",
            actor.name,
            team.name,
            handler
                .as_ref()
                .map(|h| format!("，承办人 {}", h.name))
                .unwrap_or_default()
        );
        let handler_id = handler.as_ref().map(|h| h.id.as_str());
        // Move the case's weight in the 分案 counters from the old assignees to the new ones.
        let old: Vec<&str> = before
            .team_id
            .iter()
            .chain(before.handler_id.iter())
            .map(String::as_str)
            .collect();
        let new: Vec<&str> = std::iter::once(team.id.as_str())
            .chain(handler.as_ref().map(|h| h.id.as_str()))
            .collect();
        if CaseStatus::from_str_opt(&before.status).is_some_and(CaseStatus::is_open) {
            cases::add_workload(&mut tx, &before.court_code, &old, -1).await?;
            cases::add_workload(&mut tx, &before.court_code, &new, 1).await?;
        }
        cases::add_daily_assignment(&mut tx, &before.court_code, &old, &before.filed_on, -1)
            .await?;
        cases::add_daily_assignment(&mut tx, &before.court_code, &new, &before.filed_on, 1).await?;
        cases::update_assignment(
            &mut tx,
            &before.court_code,
            &before.id,
            Some(&team.id),
            handler_id,
            &full_reason,
            &status,
            now_ms,
        )
        .await?;
        cases::insert_assignment(
            &mut tx,
            &before.court_code,
            &new_id(),
            &before.id,
            now_ms,
            &actor.user_id,
            Some(&team.id),
            handler_id,
            &full_reason,
        )
        .await?;
        let after = CaseRow {
            team_id: Some(team.id.clone()),
            handler_id: handler_id.map(str::to_owned),
            status: status.clone(),
            ..before.clone()
        };
        self.move_deadlines(&mut tx, &before, &after, now_ms)
            .await?;
        write_audit(
            &mut tx,
            self.db.backend(),
            actor,
            "case.reassign",
            "case",
            &before.id,
            Some(&before.id),
            Some(case_json(&before)),
            Some(case_json(&after)),
            now_ms,
        )
        .await?;
        tx.commit().await?;
        self.case_detail(actor, case_id).await
    }
}

impl App {
    /// 改派 moves the case's open deadlines (and their board counters) to the new team and handler;
    /// a case that gets its first handler records the 分案 node, which starts the deadlines that
    /// follow it (执行通知书, 通知提供财产线索).
    async fn move_deadlines(
        &self,
        tx: &mut zhixing_store::Conn,
        before: &CaseRow,
        after: &CaseRow,
        now_ms: i64,
    ) -> Result<(), AppError> {
        let court = &before.court_code;
        let mut pending: Vec<dl::DeadlineRow> = dl::deadlines_of(tx, court, &before.id)
            .await?
            .into_iter()
            .filter(|d| d.status == "pending")
            .collect();
        let mut stmts = vec![dl::reassign_stmt(
            court,
            &before.id,
            after.team_id.as_deref(),
            after.handler_id.as_deref(),
            now_ms,
        )];
        for d in &mut pending {
            if let Some(l) = d.level.as_deref() {
                stmts.push(dl::board_delta_stmt(
                    court,
                    d.team_id.as_deref(),
                    d.handler_id.as_deref(),
                    l,
                    -1,
                ));
                stmts.push(dl::board_delta_stmt(
                    court,
                    after.team_id.as_deref(),
                    after.handler_id.as_deref(),
                    l,
                    1,
                ));
            }
            d.team_id.clone_from(&after.team_id);
            d.handler_id.clone_from(&after.handler_id);
        }
        if before.handler_id.is_none() && after.handler_id.is_some() {
            let today = china_date(now_ms);
            let rules = crate::deadlines::court_rules(tx, court).await?;
            let facts = crate::deadlines::CaseFacts::of(after);
            let event = dl::EventRow {
                court_code: court.clone(),
                id: new_id(),
                case_id: before.id.clone(),
                node: "assignment".into(),
                on_date: today.format("%Y-%m-%d").to_string(),
                note: "改派：确定承办人".into(),
                actor_id: "system".into(),
                created_at: now_ms,
                actor_name: None,
            };
            let applied = crate::deadlines::apply_event(
                &rules,
                &facts,
                &mut pending,
                "assignment",
                today,
                &event.id,
                today,
                now_ms,
                zhixing_domain::calendar::LegalCalendar::builtin(),
            )?;
            stmts.push(dl::insert_event_stmt(&event));
            stmts.extend(applied.stmts(court, &event.on_date, now_ms));
        }
        batch::run(tx, stmts).await?;
        Ok(())
    }

    /// After the duplicate guard refused a filing: name the case it duplicates.
    async fn duplicate_of(&self, new: &NewCase, type_code: &str) -> Result<AppError, AppError> {
        let mut conn = self.db.conn().await?;
        for (i, d) in new.debtors.iter().enumerate() {
            if let Some(x) = cases::find_filing_key(
                &mut conn,
                &new.court,
                type_code,
                &new.basis.document_number,
                d.identity_key(),
            )
            .await?
            {
                return Ok(duplicate(i, &x));
            }
        }
        // The conflicting filing rolled back meanwhile: still a refusal, without a case to name.
        Ok(AppError::Conflict {
            code: "duplicate_filing",
            field: Some("debtors[0]".into()),
            message: "该执行依据针对该被执行人已立案".into(),
        })
    }
}

fn duplicate(i: usize, existing: &CaseRef) -> AppError {
    AppError::Conflict {
        code: "duplicate_filing",
        field: Some(format!("debtors[{i}]")),
        message: format!(
            "该执行依据针对该被执行人已在本院立案：{}（案件 ID {}）",
            existing.case_number, existing.id
        ),
    }
}

/// Route a search text: a 案号 matches exactly; an 18-character ID number or credit code matches a
/// party exactly; anything else is a substring of a party name or the case number.
pub fn classify_query(text: &str, filter: &mut CaseFilter, today: chrono::NaiveDate) {
    if let Ok(n) = CaseNumber::parse(text) {
        filter.case_number = Some(n.to_string());
    } else if let Ok(id) = IdNumber::parse(text, today) {
        filter.identity = Some(id.as_str().to_owned());
    } else if let Ok(cc) = CreditCode::parse(text) {
        filter.identity = Some(cc.as_str().to_owned());
    } else {
        filter.text = Some(text.to_owned());
    }
}
