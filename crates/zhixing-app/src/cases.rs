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
    let candidates = cases::assignment_candidates(conn, court, track.as_str(), since).await?;
    let teams: Vec<Candidate> = candidates.iter().map(|(t, _)| t.clone()).collect();
    let Some((team, team_reason)) = pick(&teams, team_label(track)) else {
        return Ok(Assignment {
            team: None,
            handler: None,
            reason: format!("本院尚未设立{}，待指挥中心人工分案", team_label(track)),
            status: CaseStatus::PendingAssignment,
        });
    };
    let handlers: &[Candidate] = candidates
        .iter()
        .find(|(t, _)| t.id == team.id)
        .map(|(_, j)| j.as_slice())
        .unwrap_or(&[]);
    let team_ref = Some((team.id.clone(), team.name.clone()));
    Ok(match pick(handlers, "承办法官") {
        Some((h, h_reason)) => Assignment {
            team: team_ref,
            handler: Some((h.id.clone(), h.name.clone())),
            reason: format!("{team_reason}；{h_reason}"),
            status: CaseStatus::InProgress,
        },
        None => Assignment {
            team: team_ref,
            handler: None,
            reason: format!("{team_reason}；该团队暂无执行法官，待团队负责人确定承办人"),
            status: CaseStatus::InProgress,
        },
    })
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
        // Reads that need no lock: both courts in one query, and the same-debtor hint (this case is
        // not written yet, so nothing needs excluding).
        let mut conn = self.db.conn().await?;
        let found = courts::find_many(&mut conn, &[&new.court, &new.basis.court]).await?;
        let court = found
            .iter()
            .find(|c| c.code == new.court)
            .cloned()
            .ok_or_else(|| {
                AppError::invalid(
                    "unknown_court",
                    "court",
                    format!("法院代字「{}」不存在", new.court),
                )
            })?;
        if !found.iter().any(|c| c.code == new.basis.court) {
            return Err(AppError::invalid(
                "unknown_court",
                "basis.court",
                format!("执行依据作出法院「{}」不存在", new.basis.court),
            ));
        }
        let mut same_debtor_cases: Vec<CaseRef> = Vec::new();
        for d in &new.debtors {
            let (id_number, credit_code) = match &d.identity {
                PartyIdentity::Person { id_number } => (Some(id_number.as_str()), None),
                PartyIdentity::Entity { credit_code, .. } => (None, Some(credit_code.as_str())),
            };
            for r in
                cases::same_debtor_cases(&mut conn, id_number, credit_code, "", SAME_DEBTOR_LIMIT)
                    .await?
            {
                if !same_debtor_cases.iter().any(|x| x.id == r.id) {
                    same_debtor_cases.push(r);
                }
            }
        }
        let rule = TriageRule {
            fast_max: Fen::new(court.triage_fast_max_fen),
        };
        let decision = triage(rule, new.type_code, new.claim);
        let since = days_before(today, 29).format("%Y-%m-%d").to_string();
        // 分案 reads the loads outside the write transaction: SQLite has one writer, and keeping the
        // two load queries out of it raised filing throughput by a third (bench/RESULTS.md). Two
        // filings at the same instant may both see the same least-loaded team; the rule is a balance
        // heuristic, so that costs one case of imbalance, never correctness.
        let a = choose_assignment(&mut conn, &new.court, decision.track, &since).await?;
        let rules = crate::deadlines::court_rules(&mut conn, &new.court).await?;
        drop(conn);
        let type_code = new.type_code.code();
        let id = new_id();

        let backend = self.db.backend();
        let mut tx = self.db.begin().await?;
        // Batch 1: the 重复立案 guard (the same basis against the same debtor, already filed here; EPI
        // arts 2–3: a duplicate is 销案), the serial, and the audit chain's head. The guard is a
        // primary key, so it holds under concurrent filings; a refused filing stops the batch before
        // it takes a serial, and the rollback returns everything.
        let mut first: Vec<Stmt> = new
            .debtors
            .iter()
            .map(|d| {
                cases::filing_key_stmt(
                    &new.court,
                    type_code,
                    &new.basis.document_number,
                    d.identity_key(),
                    &id,
                )
            })
            .collect();
        let year = i64::from(new.filed_on.year());
        first.push(cases::next_serial_stmt(&new.court, year, "", type_code));
        first.extend(audit::head_stmts(backend, &new.court));
        let rows = match batch::run(&mut tx, first).await {
            Err(e) if e.is_conflict() => {
                tx.rollback().await?;
                return Err(self.duplicate_of(&new, type_code).await?);
            }
            r => r?,
        };
        let serial: i64 = rows
            .iter()
            .find_map(|r| r.try_get::<i64, _>("last_serial").ok())
            .ok_or_else(|| AppError::Internal("no serial returned".into()))?;
        let head = audit::head_of(&rows)?;
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
            track: decision.track.as_str().to_owned(),
            triage_reason: decision.reason.clone(),
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
            head,
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
        // Batch 2: the case, its parties, the 分案 counters, the assignment record, the audit record.
        let assignees: Vec<&str> = row
            .team_id
            .iter()
            .chain(row.handler_id.iter())
            .map(String::as_str)
            .collect();
        let mut second = cases::case_and_parties_stmts(&row, &parties);
        second.extend(cases::workload_stmt(&new.court, &assignees, 1));
        second.extend(cases::daily_assignment_stmt(
            &new.court,
            &assignees,
            &row.filed_on,
            1,
        ));
        second.push(cases::assignment_stmt(
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
        let (events, deadlines) =
            crate::deadlines::filing_plan(&rules, &row, &actor.user_id, now_ms)?;
        second.extend(dl::insert_events_stmt(&events));
        second.extend(dl::insert_deadlines_stmt(&deadlines));
        second.push(audit::insert_stmt(&audit));
        batch::run(&mut tx, second).await?;
        tx.commit().await?;
        // The answer is what was just written (no re-read). The filer gets it even when triage sends
        // the case to a team outside their scope (a judge filing a standard-track case): a 404 after
        // a committed filing would invite a retry that then fails as a duplicate.
        let (applicants, debtors): (Vec<_>, Vec<_>) =
            parties.into_iter().partition(|p| p.role == "applicant");
        Ok(CaseDetail {
            court_name: court.name,
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
        })
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
