//! Coercive measures and credit punishment (issue 4): propose → (院长 approval) → effective →
//! executed → ended, the published lists (失信, 限制消费) with their partner feed, correction
//! requests, and the scheduler's term expiry. The legal conditions live in
//! `zhixing_domain::measure`; the timed duties (15-day 失信 decision, 3-working-day deletion,
//! correction) are deadlines of the engine, recorded through `deadlines::record_system_event`.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use zhixing_domain::calendar::LegalCalendar;
use zhixing_domain::id_number::IdNumber;
use zhixing_domain::measure::{
    self, BoundPerson, EndGround, MeasureKind, MeasureParams, MeasurePlan, Subject,
};
use zhixing_domain::money::Fen;
use zhixing_domain::role::Permission;
use zhixing_domain::time::china_date;
use zhixing_store::batch::{self, Stmt};
use zhixing_store::cases::{self, CaseRow, PartyRow};
use zhixing_store::deadlines::{NotificationRow, insert_notification_stmt, users_with_role};
use zhixing_store::measures::{
    self as store, ApprovalRow, CorrectionRow, ListChangeRow, ListEntryRow, MeasureRow,
};
use zhixing_store::{Conn, courts};

use crate::admin::audit as write_audit;
use crate::deadlines::{date_of, record_system_event, ymd};
use crate::{Actor, App, AppError, new_id};

/// What [`App::execute_measure_at`] records.
#[derive(Debug, Clone, Copy, Default)]
pub struct ExecutionInput<'a> {
    /// `YYYY-MM-DD`, the day it was carried out; may be empty when `at` gives the time.
    pub on: &'a str,
    pub note: &'a str,
    /// `YYYY-MM-DD HH:MM` (or `…THH:MM`): when it was carried out, on the day `on`.
    pub at: Option<&'a str>,
    /// 拘留: the day the family was notified (checked at day granularity).
    pub family_notified_on: Option<&'a str>,
    /// 拘留: when the family was notified; with `at`, the 24 hours are checked to the minute.
    pub family_notified_at: Option<&'a str>,
    /// 搜查: the search record (搜查笔录), required for a search and refused for anything else.
    pub search: Option<&'a measure::SearchRecord>,
    /// 拘传: when the questioning ended (`YYYY-MM-DD HH:MM`); `at` is the arrival. Required for a
    /// 拘传, checked against its approved hours (CPLI art 482).
    pub questioning_ended_at: Option<&'a str>,
    /// 拘传: the questioning record (询问笔录), required for a 拘传 and refused for anything else;
    /// its end is `questioning_ended_at`, its start not before the arrival.
    pub questioning: Option<&'a measure::QuestioningRecord>,
}

/// A proposal as it arrives from a form or the API.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct MeasureInput {
    pub kind: String,
    /// The debtor (a party of the case) the measure is taken against …
    pub party_id: Option<String>,
    /// … or a named person (the legal representative of an entity debtor, for 拘传/拘留).
    pub person_name: Option<String>,
    pub person_id_number: Option<String>,
    pub amount_fen: Option<i64>,
    pub days: Option<u32>,
    pub hours: Option<u32>,
    #[serde(default)]
    pub detention_possible: bool,
    pub ground: Option<i64>,
    pub extra_years: Option<u32>,
    pub grace_months: Option<u32>,
    #[serde(default)]
    pub security_provided: bool,
    #[serde(default)]
    pub seized_assets_sufficient: bool,
    #[serde(default)]
    pub on_application: bool,
    #[serde(default)]
    pub persons: Vec<BoundPerson>,
    pub place: Option<String>,
    #[serde(default)]
    pub reason: String,
    /// Date of the applicant's written application (失信 on application: starts the 15-day term).
    pub applied_on: Option<String>,
    /// 拘传: `YYYY-MM-DD` the person was lawfully summoned to appear and did not (CPLI art 482).
    pub summoned_for: Option<String>,
}

/// The stored parameters (JSON in `measures.params`).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct StoredParams {
    pub days: Option<u32>,
    pub hours: Option<u32>,
    pub detention_possible: bool,
    pub ground: Option<i64>,
    pub term_years: Option<u32>,
    pub grace_months: u32,
    pub on_application: bool,
    pub persons: Vec<BoundPerson>,
    pub place: Option<String>,
    pub reason: String,
    pub conduct: Option<String>,
    pub legal_representative: Option<String>,
    /// 拘传: the day of the unanswered lawful summons.
    #[serde(default)]
    pub summoned_for: Option<String>,
}

/// A date from a form or the API, refused with the field's name.
pub(crate) fn parse_day(s: &str, field: &str) -> Result<NaiveDate, AppError> {
    zhixing_domain::case::parse_date(s).map_err(|e| AppError::Invalid(e.at(field)))
}

/// The issuing court of the execution basis by name (the filing stores a court code when the
/// basis comes from a court zhixing knows, else the name as given).
async fn basis_court_name(conn: &mut Conn, case: &CaseRow) -> Result<String, AppError> {
    Ok(courts::find(conn, &case.basis_court)
        .await?
        .map_or_else(|| case.basis_court.clone(), |c| c.name))
}

/// The number of the n-th document of a case: the case number with 之一, 之二 … appended, as
/// courts number several rulings of one case (（2024）川1123执1188号之一).
pub fn document_number(case_number: &str, n: i64) -> String {
    format!("{case_number}之{}", serial_zh(n))
}

/// 之一, 之二 … (document serial within a case, in Chinese numerals).
pub fn serial_zh(n: i64) -> String {
    const DIGITS: [&str; 10] = ["〇", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    let digit = |d: i64| {
        usize::try_from(d)
            .ok()
            .and_then(|i| DIGITS.get(i))
            .copied()
            .unwrap_or("")
    };
    match n {
        1..=9 => digit(n).to_owned(),
        10 => "十".into(),
        11..=19 => format!("十{}", digit(n % 10)),
        20..=99 => {
            let tail = if n % 10 == 0 { "" } else { digit(n % 10) };
            format!("{}十{}", digit(n / 10), tail)
        }
        _ => n.to_string(),
    }
}

fn subject_of(
    case: &CaseRow,
    parties: &[PartyRow],
    input: &MeasureInput,
    today: NaiveDate,
) -> Result<(Subject, Option<String>), AppError> {
    if let Some(pid) = input.party_id.as_deref().filter(|s| !s.trim().is_empty()) {
        let p = parties
            .iter()
            .find(|p| p.id == pid && p.case_id == case.id)
            .ok_or_else(|| AppError::invalid("unknown_party", "party_id", "该案没有这个当事人"))?;
        if p.role != "debtor" {
            return Err(AppError::invalid(
                "not_debtor",
                "party_id",
                "强制措施和信用惩戒只能针对被执行人",
            ));
        }
        let subject = if p.kind == "person" {
            let id = p.id_number.as_deref().unwrap_or_default();
            Subject::Person {
                name: p.name.clone(),
                id_number: IdNumber::parse(id, today)
                    .map_err(|e| AppError::Invalid(e.at("party_id")))?,
            }
        } else {
            Subject::Entity {
                name: p.name.clone(),
                credit_code: p.credit_code.clone().unwrap_or_default(),
                legal_representative: p.legal_representative.clone().unwrap_or_default(),
            }
        };
        return Ok((subject, Some(p.id.clone())));
    }
    let name = input
        .person_name
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| {
            AppError::invalid(
                "required",
                "party_id",
                "须选择被执行人，或填写被采取措施的自然人姓名和身份证号",
            )
        })?;
    if name.chars().count() > 50 {
        return Err(AppError::invalid(
            "too_long",
            "person_name",
            "姓名不超过 50 字",
        ));
    }
    let id = IdNumber::parse(input.person_id_number.as_deref().unwrap_or_default(), today)
        .map_err(|e| AppError::Invalid(e.at("person_id_number")))?;
    Ok((
        Subject::Person {
            name: name.to_owned(),
            id_number: id,
        },
        None,
    ))
}

/// The SX2017 art 6 fields of a list entry for a subject of a case.
#[allow(clippy::too_many_arguments)]
fn list_entry(
    list: &str,
    m: &MeasureRow,
    case: &CaseRow,
    (court_name, basis_court_name): (&str, &str),
    conduct: &str,
    legal_rep: Option<String>,
    listed_on: &str,
    publish_on: &str,
    now_ms: i64,
) -> ListEntryRow {
    let person = (m.subject_kind == "person")
        .then(|| measure::sex_and_birth(&m.subject_id_number, china_date(now_ms)))
        .flatten();
    let (sex, birth) = (
        person.map(|(s, _)| s.to_owned()),
        person.map(|(_, b)| ymd(b)),
    );
    ListEntryRow {
        court_code: case.court_code.clone(),
        id: new_id(),
        list: list.to_owned(),
        measure_id: Some(m.id.clone()),
        case_id: case.id.clone(),
        subject_kind: m.subject_kind.clone(),
        name: m.subject_name.clone(),
        id_number: m.subject_id_number.clone(),
        sex,
        birth_date: birth,
        legal_representative: legal_rep,
        case_number: case.case_number.clone(),
        court_name: court_name.to_owned(),
        basis: format!("{} {}", basis_court_name, case.basis_document_number),
        obligation: format!(
            "依{}履行给付义务，执行标的 {}",
            case.basis_document_type,
            crate::documents::claim_text(case.claim_fen)
        ),
        performance: "全部未履行".into(),
        conduct: conduct.to_owned(),
        filed_on: case.filed_on.clone(),
        listed_on: listed_on.to_owned(),
        publish_on: publish_on.to_owned(),
        status: "listed".into(),
        deleted_on: None,
        delete_reason: None,
        updated_at: now_ms,
        // Set by the caller: sent now, or on the publication date.
        feed_sent: 0,
    }
}

/// Push an entry and, when it is published today or earlier, its feed 'add' (else the scheduler
/// sends the 'add' on the publication date: `App::publish_due_feed`).
fn push_entry(
    stmts: &mut Vec<Stmt>,
    mut e: ListEntryRow,
    today: NaiveDate,
    now_ms: i64,
) -> Result<(), AppError> {
    if e.publish_on.as_str() <= ymd(today).as_str() {
        e.feed_sent = 1;
        stmts.push(store::insert_change_stmt(&change(&e, "add", now_ms)?));
    }
    stmts.push(store::insert_entry_stmt(&e));
    Ok(())
}

/// Take a listed entry off its list on `on` for `reason`, with the partners' delete record.
fn push_delete(
    stmts: &mut Vec<Stmt>,
    mut e: ListEntryRow,
    on: &str,
    reason: &str,
    now_ms: i64,
) -> Result<(), AppError> {
    stmts.push(store::delete_entry_stmt(
        &e.court_code,
        &e.id,
        on,
        reason,
        now_ms,
    ));
    e.status = "deleted".into();
    e.deleted_on = Some(on.to_owned());
    e.delete_reason = Some(reason.to_owned());
    stmts.push(store::insert_change_stmt(&change(&e, "delete", now_ms)?));
    Ok(())
}

/// A feed record of a list change; the payload carries the full entry for partners (they need
/// the ID number to apply the punishment), never phone, address or account numbers.
fn change(e: &ListEntryRow, op: &str, now_ms: i64) -> Result<ListChangeRow, AppError> {
    let payload = serde_json::json!({
        "entry_id": e.id,
        "list": e.list,
        "op": op,
        "name": e.name,
        "id_number": e.id_number,
        "subject_kind": e.subject_kind,
        "legal_representative": e.legal_representative,
        "case_number": e.case_number,
        "court": e.court_name,
        "court_code": e.court_code,
        "listed_on": e.listed_on,
        "publish_on": e.publish_on,
        "deleted_on": e.deleted_on,
        "delete_reason": e.delete_reason,
    });
    Ok(ListChangeRow {
        court_code: e.court_code.clone(),
        id: new_id(),
        entry_id: e.id.clone(),
        list: e.list.clone(),
        op: op.to_owned(),
        payload: payload.to_string(),
        created_at: now_ms,
    })
}

#[allow(clippy::too_many_arguments)]
fn notify(
    court: &str,
    user: &str,
    case_id: &str,
    kind: &str,
    source: &str,
    title: String,
    body: String,
    now_ms: i64,
) -> Stmt {
    insert_notification_stmt(&NotificationRow {
        court_code: court.to_owned(),
        id: new_id(),
        user_id: user.to_owned(),
        case_id: Some(case_id.to_owned()),
        source_kind: kind.to_owned(),
        source_id: source.to_owned(),
        level: None,
        title,
        body,
        created_at: now_ms,
        read_at: None,
    })
}

/// A measure with its approval history, for the case page and the API.
#[derive(Debug, Clone, Serialize)]
pub struct MeasureView {
    #[serde(flatten)]
    pub measure: MeasureRow,
    pub kind_zh: String,
    pub source: String,
    pub approvals: Vec<ApprovalRow>,
}

impl App {
    pub(crate) async fn writable_case(
        &self,
        conn: &mut Conn,
        actor: &Actor,
        case_id: &str,
        p: Permission,
    ) -> Result<CaseRow, AppError> {
        let case = self.visible_case(conn, actor, case_id).await?;
        actor.require(p)?;
        if !actor.writes_in(&case.court_code) {
            return Err(AppError::forbidden("court_scope", "只能处理本院案件"));
        }
        Ok(case)
    }

    /// A measure and its case, for a write by `actor` with permission `p` in the case's court.
    pub(crate) async fn writable_measure(
        &self,
        actor: &Actor,
        measure_id: &str,
        p: Permission,
    ) -> Result<(CaseRow, MeasureRow), AppError> {
        let mut conn = self.db.conn().await?;
        let m = store::find_measure(&mut conn, measure_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let case = self.writable_case(&mut conn, actor, &m.case_id, p).await?;
        Ok((case, m))
    }

    /// Propose a measure. Measures the law reserves to the 院长 wait for approval; the others
    /// take effect at once.
    pub async fn propose_measure(
        &self,
        actor: &Actor,
        case_id: &str,
        input: &MeasureInput,
        now_ms: i64,
    ) -> Result<MeasureRow, AppError> {
        let today = china_date(now_ms);
        let mut conn = self.db.conn().await?;
        let case = self
            .writable_case(&mut conn, actor, case_id, Permission::ProposeMeasure)
            .await?;
        if matches!(case.status.as_str(), "closed" | "terminated") {
            return Err(AppError::conflict(
                "case_closed",
                "案件已结案，不能再采取措施",
            ));
        }
        let kind = MeasureKind::from_str_opt(input.kind.trim())
            .ok_or_else(|| AppError::invalid("unknown_measure", "kind", "未知的措施种类"))?;
        let parties = cases::parties_of(&mut conn, &case.court_code, &case.id).await?;
        let (subject, party_id) = subject_of(&case, &parties, input, today)?;
        let applicant_deleted_on = if kind == MeasureKind::Dishonest && input.on_application {
            store::last_applicant_deletion(&mut conn, &case.court_code, &case.id, subject.id_key())
                .await?
                .map(|s| date_of(&s))
                .transpose()?
        } else {
            None
        };
        drop(conn);
        let summoned_for = input
            .summoned_for
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| parse_day(s, "summoned_for"))
            .transpose()?;
        let params = MeasureParams {
            amount: input.amount_fen.map(Fen::new),
            days: input.days,
            hours: input.hours,
            detention_possible: input.detention_possible,
            summoned_for,
            ground: input.ground,
            extra_years: input.extra_years,
            grace_months: input.grace_months,
            security_provided: input.security_provided,
            seized_assets_sufficient: input.seized_assets_sufficient,
            on_application: input.on_application,
            applicant_deleted_on,
            persons: input.persons.clone(),
            place: input.place.clone(),
            reason: input.reason.trim().to_owned(),
        };
        let plan = measure::validate(kind, &subject, &params, today)?;
        let applied_on = match input.applied_on.as_deref().filter(|s| !s.trim().is_empty()) {
            Some(s) => {
                let d = parse_day(s, "applied_on")?;
                if d > today {
                    return Err(AppError::invalid(
                        "date_in_future",
                        "applied_on",
                        "申请日期不能晚于今天",
                    ));
                }
                Some(d)
            }
            None => None,
        };
        let legal_rep = match &subject {
            Subject::Entity {
                legal_representative,
                ..
            } => Some(legal_representative.clone()),
            Subject::Person { .. } => None,
        };
        let stored = StoredParams {
            days: input.days,
            hours: input.hours,
            detention_possible: input.detention_possible,
            ground: input.ground,
            term_years: plan.term_years,
            grace_months: plan.grace_months,
            on_application: input.on_application,
            persons: input.persons.clone(),
            place: input.place.clone().map(|s| s.trim().to_owned()),
            reason: params.reason.clone(),
            conduct: plan.conduct.map(str::to_owned),
            legal_representative: legal_rep,
            summoned_for: summoned_for.map(ymd),
        };
        let backend = self.db.backend();
        let mut tx = self.db.begin().await?;
        let serial = store::next_document_serial(&mut tx, &case.court_code, &case.id).await?;
        let mut m = MeasureRow {
            court_code: case.court_code.clone(),
            id: new_id(),
            case_id: case.id.clone(),
            kind: kind.as_str().into(),
            subject_party_id: party_id,
            subject_kind: subject.kind().into(),
            subject_name: subject.name().into(),
            subject_id_number: subject.id_key().into(),
            params: serde_json::to_string(&stored)
                .map_err(|e| AppError::Internal(e.to_string()))?,
            amount_fen: plan.amount.map(Fen::get),
            status: if plan.needs_approval {
                "pending_approval".into()
            } else {
                "effective".into()
            },
            needs_approval: i64::from(plan.needs_approval),
            document_number: document_number(&case.case_number, serial),
            proposed_by: actor.user_id.clone(),
            proposed_on: ymd(today),
            decided_by: None,
            decided_on: None,
            effective_on: None,
            publish_on: None,
            expires_on: None,
            ended_on: None,
            end_reason: None,
            executed_on: None,
            execution_note: None,
            executed_at: None,
            family_notified_at: None,
            search_record: None,
            questioning_ended_at: None,
            questioning_record: None,
            created_at: now_ms,
            updated_at: now_ms,
        };
        let mut stmts = vec![];
        if plan.needs_approval {
            stmts.push(store::insert_measure_stmt(&m));
            stmts.push(store::insert_approval_stmt(&ApprovalRow {
                court_code: case.court_code.clone(),
                id: new_id(),
                measure_id: m.id.clone(),
                case_id: case.id.clone(),
                approver_role: "president".into(),
                requested_by: actor.user_id.clone(),
                requested_at: now_ms,
                decision: None,
                decided_by: None,
                decided_at: None,
                comment: None,
            }));
            for (uid, _) in users_with_role(&mut tx, &case.court_code, "president").await? {
                stmts.push(notify(
                    &case.court_code,
                    &uid,
                    &case.id,
                    "measure.approval",
                    &m.id,
                    format!("{} {}待审批", case.case_number, kind.name_zh()),
                    format!("被采取措施人：{}；依据：{}", m.subject_name, kind.source()),
                    now_ms,
                ));
            }
            batch::run(&mut tx, stmts).await?;
        } else {
            m.decided_by = Some(actor.user_id.clone());
            m.decided_on = Some(ymd(today));
            m.effective_on = Some(ymd(today));
            batch::run(&mut tx, vec![store::insert_measure_stmt(&m)]).await?;
            self.take_effect(&mut tx, actor, &case, &m, &plan, today, now_ms)
                .await?;
        }
        // In a money case the 报告财产令 goes out with the 执行通知 (INV art 3), in the same
        // transaction, unless one is already out to this debtor.
        let companion = match measure::issued_with(kind, case.claim_fen) {
            Some(with) => {
                self.issue_companion(&mut tx, actor, &case, &subject, &m, with, today, now_ms)
                    .await?
            }
            None => None,
        };
        if kind == MeasureKind::Dishonest
            && input.on_application
            && let Some(applied) = applied_on
        {
            record_system_event(
                &mut tx,
                &case.court_code,
                &case.id,
                "dishonest_application",
                applied,
                "申请执行人申请将被执行人纳入失信名单",
                &actor.user_id,
                now_ms,
            )
            .await?;
        }
        write_audit(
            &mut tx,
            backend,
            actor,
            "measure.propose",
            "measure",
            &m.id,
            Some(&case.id),
            None,
            Some(serde_json::json!({"kind": m.kind, "subject": m.subject_name, "status": m.status, "params": stored,
                "issued_with": companion.as_ref().map(|c| serde_json::json!({"id": c.id, "kind": c.kind, "document_number": c.document_number}))}).to_string()),
            now_ms,
        )
        .await?;
        tx.commit().await?;
        Ok(m)
    }

    /// The measure that goes out together with `main` (`measure::issued_with`): effective at once
    /// with its own document number, unless the debtor already has one pending or in effect.
    #[allow(clippy::too_many_arguments)]
    async fn issue_companion(
        &self,
        tx: &mut Conn,
        actor: &Actor,
        case: &CaseRow,
        subject: &Subject,
        main: &MeasureRow,
        kind: MeasureKind,
        today: NaiveDate,
        now_ms: i64,
    ) -> Result<Option<MeasureRow>, AppError> {
        let out = store::measures_of(tx, &case.court_code, &case.id).await?;
        if out.iter().any(|x| {
            x.kind == kind.as_str()
                && x.subject_id_number == main.subject_id_number
                && matches!(x.status.as_str(), "pending_approval" | "effective")
        }) {
            return Ok(None);
        }
        let reason = format!(
            "与执行通知书（{}）一并发出（最高人民法院关于民事执行中财产调查若干问题的规定第三条）",
            main.document_number
        );
        let params = MeasureParams {
            reason: reason.clone(),
            ..MeasureParams::default()
        };
        let plan = measure::validate(kind, subject, &params, today)?;
        if plan.needs_approval {
            return Err(AppError::Internal(format!(
                "{} issued with a notice cannot wait for approval",
                kind.as_str()
            )));
        }
        let stored = StoredParams {
            reason,
            ..StoredParams::default()
        };
        let serial = store::next_document_serial(tx, &case.court_code, &case.id).await?;
        let c = MeasureRow {
            id: new_id(),
            kind: kind.as_str().into(),
            params: serde_json::to_string(&stored)
                .map_err(|e| AppError::Internal(e.to_string()))?,
            amount_fen: None,
            status: "effective".into(),
            needs_approval: 0,
            document_number: document_number(&case.case_number, serial),
            decided_by: Some(actor.user_id.clone()),
            decided_on: Some(ymd(today)),
            effective_on: Some(ymd(today)),
            ..main.clone()
        };
        batch::run(tx, vec![store::insert_measure_stmt(&c)]).await?;
        self.take_effect(tx, actor, case, &c, &plan, today, now_ms)
            .await?;
        Ok(Some(c))
    }

    /// The 院长's decision. A refusal stops the measure; an approval makes it take effect.
    pub async fn decide_measure(
        &self,
        actor: &Actor,
        measure_id: &str,
        approve: bool,
        comment: &str,
        now_ms: i64,
    ) -> Result<MeasureRow, AppError> {
        let today = china_date(now_ms);
        let (case, m) = self
            .writable_measure(actor, measure_id, Permission::ApproveMeasure)
            .await?;
        if m.status != "pending_approval" {
            return Err(AppError::conflict("already_decided", "该措施已审批"));
        }
        if comment.chars().count() > 500 {
            return Err(AppError::invalid(
                "too_long",
                "comment",
                "审批意见不超过 500 字",
            ));
        }
        let kind = MeasureKind::from_str_opt(&m.kind)
            .ok_or_else(|| AppError::Internal(format!("stored kind {}", m.kind)))?;
        let stored: StoredParams =
            serde_json::from_str(&m.params).map_err(|e| AppError::Internal(e.to_string()))?;
        let plan = MeasurePlan {
            kind,
            needs_approval: true,
            document: kind.document(),
            amount: m.amount_fen.map(Fen::new),
            term_years: stored.term_years,
            grace_months: stored.grace_months,
            conduct: None,
        };
        let term = measure::term(&plan, today);
        let backend = self.db.backend();
        let mut tx = self.db.begin().await?;
        let status = if approve { "effective" } else { "refused" };
        let (eff, publish, expires) = if approve {
            (
                Some(ymd(term.effective_on)),
                Some(ymd(term.publish_on)),
                term.expires_on.map(ymd),
            )
        } else {
            (None, None, None)
        };
        let rows = batch::run(
            &mut tx,
            vec![
                store::decide_measure_stmt(
                    &m.court_code,
                    &m.id,
                    status,
                    &actor.user_id,
                    &ymd(today),
                    eff.as_deref(),
                    publish.as_deref(),
                    expires.as_deref(),
                    now_ms,
                ),
                store::decide_approval_stmt(
                    &m.court_code,
                    &m.id,
                    if approve { "approved" } else { "refused" },
                    &actor.user_id,
                    now_ms,
                    comment.trim(),
                ),
                notify(
                    &m.court_code,
                    &m.proposed_by,
                    &m.case_id,
                    "measure.decided",
                    &m.id,
                    format!(
                        "{} {}{}",
                        case.case_number,
                        kind.name_zh(),
                        if approve { "已批准" } else { "未批准" }
                    ),
                    comment.trim().to_owned(),
                    now_ms,
                ),
            ],
        )
        .await?;
        // A concurrent decision won (even the same 院长's double submit): nothing of this one.
        if !batch::returned(&rows, "decided_measure") {
            return Err(AppError::conflict("already_decided", "该措施已审批"));
        }
        let m2 = store::find_measure(&mut tx, &m.id)
            .await?
            .ok_or(AppError::NotFound)?;
        if approve {
            self.take_effect(&mut tx, actor, &case, &m2, &plan, today, now_ms)
                .await?;
        }
        if kind == MeasureKind::Dishonest {
            // The 15-day decision duty (SX2017 art 5) ends with the decision either way.
            let has_application =
                zhixing_store::deadlines::deadlines_of(&mut tx, &case.court_code, &case.id)
                    .await?
                    .iter()
                    .any(|d| d.node == "dishonest_decision" && d.status == "pending");
            if has_application {
                record_system_event(
                    &mut tx,
                    &case.court_code,
                    &case.id,
                    "dishonest_decision",
                    today,
                    if approve {
                        "决定纳入失信名单"
                    } else {
                        "决定不予纳入失信名单"
                    },
                    &actor.user_id,
                    now_ms,
                )
                .await?;
            }
        }
        write_audit(
            &mut tx,
            backend,
            actor,
            if approve {
                "measure.approve"
            } else {
                "measure.refuse"
            },
            "measure",
            &m.id,
            Some(&case.id),
            Some(serde_json::json!({"status": m.status}).to_string()),
            Some(serde_json::json!({"status": status, "comment": comment.trim()}).to_string()),
            now_ms,
        )
        .await?;
        tx.commit().await?;
        self.lists_changed(now_ms).await;
        Ok(m2)
    }

    /// What an effective measure does beyond its own row: list entries and their feed records,
    /// process events, the 限制消费 that every 失信 debtor must get (XF2015 art 1).
    #[allow(clippy::too_many_arguments)]
    async fn take_effect(
        &self,
        tx: &mut Conn,
        actor: &Actor,
        case: &CaseRow,
        m: &MeasureRow,
        plan: &MeasurePlan,
        today: NaiveDate,
        now_ms: i64,
    ) -> Result<(), AppError> {
        let kind = plan.kind;
        let stored: StoredParams =
            serde_json::from_str(&m.params).map_err(|e| AppError::Internal(e.to_string()))?;
        let court_name = courts::find(tx, &case.court_code)
            .await?
            .map(|c| c.name)
            .unwrap_or_default();
        let basis_name = basis_court_name(tx, case).await?;
        let listed_on = m.decided_on.clone().unwrap_or_else(|| ymd(today));
        let publish_on = m.publish_on.clone().unwrap_or_else(|| listed_on.clone());
        let list = match kind {
            MeasureKind::Dishonest => {
                Some(("dishonest", stored.conduct.clone().unwrap_or_default()))
            }
            MeasureKind::ConsumptionRestriction => Some((
                "restricted",
                "未按执行通知书指定的期间履行生效法律文书确定的给付义务（限制消费规定第一条）"
                    .to_owned(),
            )),
            _ => None,
        };
        let mut stmts = Vec::new();
        if let Some((list, conduct)) = list {
            let e = list_entry(
                list,
                m,
                case,
                (&court_name, &basis_name),
                &conduct,
                stored.legal_representative.clone(),
                &listed_on,
                &publish_on,
                now_ms,
            );
            push_entry(&mut stmts, e.clone(), today, now_ms)?;
            // The persons an entity's 限制消费令 binds are on the list too (XF2015 art 3 para 2).
            if kind == MeasureKind::ConsumptionRestriction {
                for p in &stored.persons {
                    let mut pe = e.clone();
                    pe.id = new_id();
                    pe.subject_kind = "person".into();
                    pe.name = p.name.clone();
                    pe.id_number = p.id_number.clone();
                    pe.legal_representative = None;
                    pe.conduct = format!(
                        "{}的{}（限制消费规定第三条第二款）",
                        m.subject_name,
                        p.role.name_zh()
                    );
                    if let Some((sex, birth)) = measure::sex_and_birth(&p.id_number, today) {
                        pe.sex = Some(sex.to_owned());
                        pe.birth_date = Some(ymd(birth));
                    }
                    push_entry(&mut stmts, pe, today, now_ms)?;
                }
            }
        }
        batch::run(tx, stmts).await?;
        if let Some(node) = kind.process_node() {
            record_system_event(
                tx,
                &case.court_code,
                &case.id,
                node,
                today,
                &format!("{}（{}）", kind.name_zh(), m.document_number),
                &actor.user_id,
                now_ms,
            )
            .await?;
        }
        // XF2015 art 1: 被纳入失信名单的被执行人，人民法院应当对其采取限制消费措施. For a person
        // the 限制消费令 is prepared at once for the 院长 to sign; an entity's needs the named
        // persons, so the handler is told to prepare it.
        if kind == MeasureKind::Dishonest {
            let existing = store::measures_of(tx, &case.court_code, &case.id).await?;
            let restricted = existing.iter().any(|x| {
                x.kind == "consumption_restriction"
                    && x.subject_id_number == m.subject_id_number
                    && matches!(x.status.as_str(), "pending_approval" | "effective")
            });
            if !restricted {
                if m.subject_kind == "person" {
                    let serial =
                        store::next_document_serial(tx, &case.court_code, &case.id).await?;
                    let cr = MeasureRow {
                        id: new_id(),
                        kind: "consumption_restriction".into(),
                        params: serde_json::to_string(&StoredParams {
                            reason: format!(
                                "被执行人已被纳入失信名单（{}），依限制消费规定第一条应当限制消费",
                                m.document_number
                            ),
                            ..Default::default()
                        })
                        .map_err(|e| AppError::Internal(e.to_string()))?,
                        amount_fen: None,
                        status: "pending_approval".into(),
                        needs_approval: 1,
                        document_number: document_number(&case.case_number, serial),
                        proposed_by: actor.user_id.clone(),
                        proposed_on: ymd(today),
                        decided_by: None,
                        decided_on: None,
                        effective_on: None,
                        publish_on: None,
                        expires_on: None,
                        ended_on: None,
                        end_reason: None,
                        executed_on: None,
                        execution_note: None,
                        executed_at: None,
                        family_notified_at: None,
                        search_record: None,
                        questioning_ended_at: None,
                        questioning_record: None,
                        created_at: now_ms,
                        updated_at: now_ms,
                        ..m.clone()
                    };
                    batch::run(
                        tx,
                        vec![
                            store::insert_measure_stmt(&cr),
                            store::insert_approval_stmt(&ApprovalRow {
                                court_code: case.court_code.clone(),
                                id: new_id(),
                                measure_id: cr.id.clone(),
                                case_id: case.id.clone(),
                                approver_role: "president".into(),
                                requested_by: actor.user_id.clone(),
                                requested_at: now_ms,
                                decision: None,
                                decided_by: None,
                                decided_at: None,
                                comment: None,
                            }),
                        ],
                    )
                    .await?;
                } else if let Some(handler) = &case.handler_id {
                    batch::run(
                        tx,
                        vec![notify(
                            &case.court_code,
                            handler,
                            &case.id,
                            "measure.restriction_due",
                            &m.id,
                            format!("{} 须对失信单位被执行人限制消费", case.case_number),
                            "限制消费规定第一条：纳入失信名单的被执行人应当限制消费；请列明法定代表人等人员后提请院长签发限制消费令".into(),
                            now_ms,
                        )],
                    )
                    .await?;
                }
            }
        }
        Ok(())
    }

    /// Record the carrying out of an effective measure (拘传到案, 拘留送押, 搜查完毕 …) by the day;
    /// see [`App::execute_measure_at`] for the times.
    pub async fn execute_measure(
        &self,
        actor: &Actor,
        measure_id: &str,
        on: &str,
        note: &str,
        family_notified_on: Option<&str>,
        now_ms: i64,
    ) -> Result<MeasureRow, AppError> {
        self.execute_measure_at(
            actor,
            measure_id,
            &ExecutionInput {
                on,
                note,
                family_notified_on,
                ..ExecutionInput::default()
            },
            now_ms,
        )
        .await
    }

    /// Record the carrying out of an effective measure. For 拘留 the release date follows from the
    /// days (CPL art 118) and the family must be notified within 24 hours (CPLI art 180 [V]): with
    /// the time of detention (`at`) and of the notice (`family_notified_at`) the 24 hours are
    /// checked to the minute ([`measure::check_family_notice`]); with the notice's day alone
    /// (`family_notified_on`) it must be the day of detention or the next (the stricter reading of
    /// 24 hours at day granularity). One of the two is required.
    pub async fn execute_measure_at(
        &self,
        actor: &Actor,
        measure_id: &str,
        input: &ExecutionInput<'_>,
        now_ms: i64,
    ) -> Result<MeasureRow, AppError> {
        let (on, note) = (input.on, input.note);
        let today = china_date(now_ms);
        let now_minute = zhixing_domain::time::china_datetime(now_ms);
        let (case, m) = self
            .writable_measure(actor, measure_id, Permission::ProposeMeasure)
            .await?;
        if m.status != "effective" {
            return Err(AppError::conflict(
                "not_effective",
                "措施未生效（未经批准或已结束），不能执行",
            ));
        }
        if m.executed_on.is_some() {
            return Err(AppError::conflict("already_executed", "已记录执行情况"));
        }
        let minute =
            |raw: Option<&str>, field: &str| -> Result<Option<chrono::NaiveDateTime>, AppError> {
                let Some(raw) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
                    return Ok(None);
                };
                let t = zhixing_domain::time::parse_china_minute(raw).ok_or_else(|| {
                    AppError::invalid("datetime", field, "时间格式应为 YYYY-MM-DD HH:MM")
                })?;
                if t > now_minute {
                    return Err(AppError::invalid(
                        "date_in_future",
                        field,
                        "时间不能晚于现在",
                    ));
                }
                Ok(Some(t))
            };
        let executed_at = minute(input.at, "executed_at")?;
        // The day follows from the time when only the time is given (the detention form).
        let on_d = match executed_at {
            Some(t) if on.trim().is_empty() => t.date(),
            _ => parse_day(on, "on")?,
        };
        if on_d > today {
            return Err(AppError::invalid(
                "date_in_future",
                "on",
                "执行日期不能晚于今天",
            ));
        }
        if executed_at.is_some_and(|t| t.date() != on_d) {
            return Err(AppError::invalid(
                "executed_at_day",
                "executed_at",
                format!("执行时间应在执行日期 {} 当天", ymd(on_d)),
            ));
        }
        if let Some(eff) = &m.effective_on
            && ymd(on_d) < *eff
        {
            return Err(AppError::invalid(
                "before_effective",
                "on",
                format!("措施于 {eff} 生效，不能早于生效日执行"),
            ));
        }
        let note = note.trim();
        if note.is_empty() || note.chars().count() > 1000 {
            return Err(AppError::invalid(
                "required",
                "note",
                "须填写执行情况（1000 字以内）",
            ));
        }
        let stored: StoredParams =
            serde_json::from_str(&m.params).map_err(|e| AppError::Internal(e.to_string()))?;
        let mut family_notified: Option<String> = None;
        let release = if m.kind == "detention" {
            let day = input
                .family_notified_on
                .map(str::trim)
                .filter(|s| !s.is_empty());
            if let Some(notified_at) = minute(input.family_notified_at, "family_notified_at")? {
                let detained_at = executed_at.ok_or_else(|| {
                    AppError::invalid(
                        "required",
                        "executed_at",
                        "按时间记录通知家属时，须填写拘留时间",
                    )
                })?;
                measure::check_family_notice(detained_at, notified_at)
                    .map_err(|e| AppError::Invalid(e.at("family_notified_at")))?;
                if let Some(day) = day
                    && parse_day(day, "family_notified_on")? != notified_at.date()
                {
                    return Err(AppError::invalid(
                        "family_notice",
                        "family_notified_on",
                        "通知日期与通知时间不一致",
                    ));
                }
                family_notified = Some(zhixing_domain::time::minute_text(notified_at));
            } else {
                let notified = day.ok_or_else(|| {
                    AppError::invalid(
                        "family_notice",
                        "family_notified_on",
                        "拘留后应在 24 小时内通知其家属（民诉法解释第一百八十条），须填写通知日期",
                    )
                })?;
                let notified = parse_day(notified, "family_notified_on")?;
                let latest = on_d.succ_opt().unwrap_or(on_d);
                if notified < on_d || notified > latest || notified > today {
                    return Err(AppError::invalid(
                        "family_notice",
                        "family_notified_on",
                        format!(
                            "通知家属应在拘留后 24 小时内（{} 或 {}）",
                            ymd(on_d),
                            ymd(latest)
                        ),
                    ));
                }
                family_notified = Some(ymd(notified));
            }
            let days = stored.days.unwrap_or(1);
            on_d.checked_add_days(chrono::Days::new(u64::from(days)))
                .map(ymd)
        } else {
            None
        };
        // A search is recorded with what 民诉法解释 arts 495–498 require of its 搜查笔录.
        let search_record = match (m.kind == "search", input.search) {
            (true, Some(r)) => {
                measure::check_search_record(r, m.subject_kind != "person")
                    .map_err(AppError::Invalid)?;
                Some(serde_json::to_string(r).map_err(|e| AppError::Internal(e.to_string()))?)
            }
            (true, None) => {
                return Err(AppError::invalid(
                    "required",
                    "search",
                    "搜查须记录搜查笔录：出示搜查令、到场人员、搜查发现和签名（民诉法解释第四百九十五条至第四百九十八条）",
                ));
            }
            (false, Some(_)) => {
                return Err(AppError::invalid(
                    "not_a_search",
                    "search",
                    "只有搜查措施才记录搜查笔录",
                ));
            }
            (false, None) => None,
        };
        // A 拘传's questioning, from the arrival (`at`) to its end, within the approved hours.
        let questioning_ended = minute(input.questioning_ended_at, "questioning_ended_at")?;
        let questioning_ended = match (m.kind == "summons", questioning_ended) {
            (true, Some(end)) => {
                let began = executed_at.ok_or_else(|| {
                    AppError::invalid("required", "executed_at", "拘传须记录到案（询问开始）时间")
                })?;
                measure::check_questioning(
                    began,
                    end,
                    stored.hours.unwrap_or(measure::SUMMONS_MAX_HOURS),
                )
                .map_err(|e| AppError::Invalid(e.at("questioning_ended_at")))?;
                Some(zhixing_domain::time::minute_text(end))
            }
            (true, None) => {
                return Err(AppError::invalid(
                    "required",
                    "questioning_ended_at",
                    "拘传须记录询问结束时间：调查询问不得超过八小时，可能采取拘留措施的不得超过二十四小时（民诉法解释第四百八十二条）",
                ));
            }
            (false, Some(_)) => {
                return Err(AppError::invalid(
                    "not_a_summons",
                    "questioning_ended_at",
                    "只有拘传才记录询问结束时间",
                ));
            }
            (false, None) => None,
        };
        // The questioning's record (询问笔录): who asked whom, what was told, asked and answered,
        // and how it was confirmed, from the arrival to the end just checked.
        let questioning_record = match (m.kind == "summons", input.questioning) {
            (true, Some(r)) => {
                let (Some(arrived_at), Some(ended_at)) = (
                    executed_at,
                    questioning_ended
                        .as_deref()
                        .and_then(zhixing_domain::time::parse_china_minute),
                ) else {
                    return Err(AppError::Internal(
                        "a 拘传 checked without its times".into(),
                    ));
                };
                let r = measure::check_questioning_record(
                    r,
                    &measure::QuestioningFacts {
                        arrived_at,
                        ended_at,
                        subject_name: &m.subject_name,
                        subject_id_number: &m.subject_id_number,
                    },
                )
                .map_err(AppError::Invalid)?;
                Some(r)
            }
            (true, None) => {
                return Err(AppError::invalid(
                    "required",
                    "questioning",
                    "拘传后应当立即调查询问并制作询问笔录：询问人和记录人、被询问人、告知事项、问答和签名（民诉法解释第四百八十二条，民事诉讼法第一百三十三条）",
                ));
            }
            (false, Some(_)) => {
                return Err(AppError::invalid(
                    "not_a_summons",
                    "questioning",
                    "只有拘传才记录询问笔录",
                ));
            }
            (false, None) => None,
        };
        let questioning_json = questioning_record
            .as_ref()
            .map(serde_json::to_string)
            .transpose()
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let executed_at = executed_at.map(zhixing_domain::time::minute_text);
        let backend = self.db.backend();
        let mut tx = self.db.begin().await?;
        let rows = batch::run(
            &mut tx,
            vec![store::execute_measure_stmt(
                &m.court_code,
                &m.id,
                store::Execution {
                    on: &ymd(on_d),
                    note,
                    expires_on: release.as_deref(),
                    executed_at: executed_at.as_deref(),
                    family_notified_at: family_notified.as_deref(),
                    search_record: search_record.as_deref(),
                    questioning_ended_at: questioning_ended.as_deref(),
                    questioning_record: questioning_json.as_deref(),
                },
                now_ms,
            )],
        )
        .await?;
        if !batch::returned(&rows, "executed_measure") {
            return Err(AppError::conflict("already_executed", "已记录执行情况"));
        }
        write_audit(
            &mut tx,
            backend,
            actor,
            "measure.execute",
            "measure",
            &m.id,
            Some(&case.id),
            None,
            Some(
                serde_json::json!({"on": ymd(on_d), "note": note, "release_on": release,
                    "executed_at": executed_at, "family_notified_at": family_notified,
                    "search_record": input.search, "questioning_ended_at": questioning_ended,
                    "questioning_record": questioning_record})
                .to_string(),
            ),
            now_ms,
        )
        .await?;
        tx.commit().await?;
        let mut conn = self.db.conn().await?;
        store::find_measure(&mut conn, &m.id)
            .await?
            .ok_or(AppError::NotFound)
    }

    /// End an effective measure on a legal ground (delete a 失信 entry, lift a 限制消费令 …). The
    /// ground's date starts the 3-working-day duty (SX2017 art 10) and the deletion completes it;
    /// a late deletion shows as a late deadline.
    pub async fn end_measure(
        &self,
        actor: &Actor,
        measure_id: &str,
        ground: &str,
        ground_on: &str,
        now_ms: i64,
    ) -> Result<MeasureRow, AppError> {
        let today = china_date(now_ms);
        let (case, m) = self
            .writable_measure(actor, measure_id, Permission::ProposeMeasure)
            .await?;
        let ground_on = parse_day(ground_on, "ground_on")?;
        if ground_on > today {
            return Err(AppError::invalid(
                "date_in_future",
                "ground_on",
                "事由发生日期不能晚于今天",
            ));
        }
        let mut tx = self.db.begin().await?;
        self.end_in_tx(&mut tx, actor, &case, &m, ground, ground_on, today, now_ms)
            .await?;
        tx.commit().await?;
        self.lists_changed(now_ms).await;
        let mut conn = self.db.conn().await?;
        store::find_measure(&mut conn, &m.id)
            .await?
            .ok_or(AppError::NotFound)
    }

    #[allow(clippy::too_many_arguments)]
    async fn end_in_tx(
        &self,
        tx: &mut Conn,
        actor: &Actor,
        case: &CaseRow,
        m: &MeasureRow,
        ground: &str,
        ground_on: NaiveDate,
        today: NaiveDate,
        now_ms: i64,
    ) -> Result<(), AppError> {
        let kind = MeasureKind::from_str_opt(&m.kind)
            .ok_or_else(|| AppError::Internal(format!("stored kind {}", m.kind)))?;
        let g = EndGround::from_str_opt(ground.trim())
            .ok_or_else(|| AppError::invalid("unknown_ground", "ground", "未知的删除/解除事由"))?;
        let rule = measure::end_rule(kind, g).ok_or_else(|| {
            AppError::invalid(
                "ground_not_applicable",
                "ground",
                format!("「{}」不是{}的删除/解除事由", g.name_zh(), kind.name_zh()),
            )
        })?;
        if m.status != "effective" {
            return Err(AppError::conflict("not_effective", "措施不在生效状态"));
        }
        let status = match (kind, g) {
            (MeasureKind::Dishonest, EndGround::TermExpired) => "expired",
            (MeasureKind::Dishonest, _) => "deleted",
            (MeasureKind::Detention, _) => "ended",
            _ => "lifted",
        };
        let backend = self.db.backend();
        let mut stmts = vec![store::end_measure_stmt(
            &m.court_code,
            &m.id,
            status,
            &ymd(today),
            g.as_str(),
            now_ms,
        )];
        for e in store::entries_of_case(tx, &case.court_code, &case.id)
            .await?
            .into_iter()
            .filter(|e| e.measure_id.as_deref() == Some(m.id.as_str()) && e.status == "listed")
        {
            push_delete(&mut stmts, e, &ymd(today), g.name_zh(), now_ms)?;
        }
        if !batch::returned(&batch::run(tx, stmts).await?, "ended_measure") {
            // Ended meanwhile by a concurrent request: none of this one may happen.
            return Err(AppError::conflict("not_effective", "措施不在生效状态"));
        }
        // A consumption permission relieves this order only (XF2015 arts 3, 8): lifted, its
        // grants not yet over stop applying today — the partners' feed says so in this
        // transaction, read after the order's guarded UPDATE above so a grant racing the lifting
        // (or its publication after a grace period) is either seen here or refused
        // (`store::consumption::hold_order_stmt`).
        let mut stopped = Vec::new();
        if kind == MeasureKind::ConsumptionRestriction {
            let grants = zhixing_store::consumption::granted_not_over(
                tx,
                &case.court_code,
                &case.id,
                &m.id,
                &ymd(today),
            )
            .await?;
            if !grants.is_empty() {
                let court_name = courts::find(tx, &case.court_code)
                    .await?
                    .map(|c| c.name)
                    .unwrap_or_default();
                // Whether the partners had the entry (and so the grant), as of the lock.
                let entries = store::entries_of_case(tx, &case.court_code, &case.id).await?;
                let mut feed = Vec::with_capacity(grants.len());
                for p in &grants {
                    if let Some(c) = crate::consumption::permission_change(
                        p,
                        m,
                        &case.case_number,
                        &court_name,
                        &entries,
                        Some(&ymd(today)),
                        now_ms,
                    )? {
                        feed.push(store::insert_change_stmt(&c));
                    }
                    stopped.push(p.id.clone());
                }
                batch::run(tx, feed).await?;
            }
        }
        if rule.within_working_days.is_some()
            && matches!(
                kind,
                MeasureKind::Dishonest | MeasureKind::ConsumptionRestriction
            )
        {
            // Start the deletion duty on the ground's date unless one is open, then complete it.
            let open = zhixing_store::deadlines::deadlines_of(tx, &case.court_code, &case.id)
                .await?
                .iter()
                .any(|d| d.node == "delete_dishonest" && d.status == "pending");
            if !open {
                record_system_event(
                    tx,
                    &case.court_code,
                    &case.id,
                    "deletion_ground",
                    ground_on,
                    g.name_zh(),
                    &actor.user_id,
                    now_ms,
                )
                .await?;
            }
            record_system_event(
                tx,
                &case.court_code,
                &case.id,
                "delete_dishonest",
                today,
                &format!("{}：{}", kind.name_zh(), g.name_zh()),
                &actor.user_id,
                now_ms,
            )
            .await?;
        }
        write_audit(
            tx,
            backend,
            actor,
            "measure.end",
            "measure",
            &m.id,
            Some(&case.id),
            Some(serde_json::json!({"status": m.status}).to_string()),
            Some(serde_json::json!({"status": status, "ground": g.as_str(), "ground_on": ymd(ground_on), "source": rule.source, "permissions_ended": stopped}).to_string()),
            now_ms,
        )
        .await?;
        Ok(())
    }

    /// A deletion ground arose for a case (执行完毕 recorded, settlement performed …): start the
    /// 3-working-day duty for each effective 失信/限制消费 measure and tell the handler. Called
    /// after the fact is recorded; the deletion itself is the court's act ([`Self::end_measure`]).
    pub async fn note_end_ground(
        &self,
        actor: &Actor,
        case_id: &str,
        on: NaiveDate,
        now_ms: i64,
    ) -> Result<usize, AppError> {
        let mut conn = self.db.conn().await?;
        let case = self.visible_case(&mut conn, actor, case_id).await?;
        let live: Vec<MeasureRow> = store::measures_of(&mut conn, &case.court_code, &case.id)
            .await?
            .into_iter()
            .filter(|m| {
                m.status == "effective"
                    && matches!(
                        m.kind.as_str(),
                        "dishonest" | "consumption_restriction" | "exit_ban"
                    )
            })
            .collect();
        drop(conn);
        if live.is_empty() {
            return Ok(0);
        }
        let mut tx = self.db.begin().await?;
        record_system_event(
            &mut tx,
            &case.court_code,
            &case.id,
            "deletion_ground",
            on,
            "全部履行完毕：应在三个工作日内删除失信信息、解除限制消费（SX2017 第十条；限制消费规定第九条）",
            &actor.user_id,
            now_ms,
        )
        .await?;
        if let Some(h) = &case.handler_id {
            batch::run(
                &mut tx,
                vec![notify(
                    &case.court_code,
                    h,
                    &case.id,
                    "measure.delete_due",
                    &case.id,
                    format!("{} 已履行完毕，须删除失信信息、解除限制", case.case_number),
                    format!("{} 项措施须在三个工作日内删除/解除", live.len()),
                    now_ms,
                )],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(live.len())
    }

    /// The scheduler's publication timer: entries whose grace period ended get their feed 'add'
    /// now (a new change row, so partners' cursors see it in order), each once: only the call
    /// that marks an entry sends it. Returns how many it published.
    pub async fn publish_due_feed(&self, now_ms: i64, limit: i64) -> Result<usize, AppError> {
        let today = china_date(now_ms);
        let mut conn = self.db.conn().await?;
        let due = store::unsent_due(&mut conn, &ymd(today), limit).await?;
        drop(conn);
        if due.is_empty() {
            return Ok(0);
        }
        // Marked first, announced only if marked: an entry deleted since it was read (the
        // order lifted, full performance) is refused by the mark and never announced.
        let stmts: Vec<Stmt> = due
            .iter()
            .map(|e| store::mark_feed_sent_stmt(&e.court_code, &e.id))
            .collect();
        let mut tx = self.db.begin().await?;
        // Consumption permissions granted under a 限制消费令 during its grace period reach the
        // partners now, after the entry's 'add' (`consumption::permission_change`). Each order is
        // held first (before the entries are marked: orders, then entries, the lifting's lock
        // order), so a grant or a lifting racing this publication is seen or waits.
        let mut orders: Vec<(&str, &str, &str)> = due
            .iter()
            .filter(|e| e.list == "restricted")
            .filter_map(|e| {
                e.measure_id
                    .as_deref()
                    .map(|m| (e.court_code.as_str(), m, e.case_id.as_str()))
            })
            .collect();
        orders.sort_unstable();
        orders.dedup();
        let mut granted = Vec::new();
        for (court, measure_id, case_id) in orders {
            let held = batch::run(
                &mut tx,
                vec![zhixing_store::consumption::hold_order_stmt(
                    court, measure_id,
                )],
            )
            .await?;
            if !batch::returned(&held, "live_order") {
                continue;
            }
            let Some(m) = store::find_measure(&mut tx, measure_id).await? else {
                continue;
            };
            for p in zhixing_store::consumption::granted_not_over(
                &mut tx,
                court,
                case_id,
                measure_id,
                &ymd(today),
            )
            .await?
            {
                granted.push((m.clone(), p));
            }
        }
        let rows = batch::run(&mut tx, stmts).await?;
        // Only for the entries this call published: a racing scheduler may repeat an 'add'
        // (applied idempotently) but never a grant.
        let marked: Vec<String> = rows
            .iter()
            .filter_map(|r| sqlx::Row::try_get::<String, _>(r, "marked_entry").ok())
            .collect();
        let mut stmts = Vec::new();
        for e in due.iter().filter(|e| marked.contains(&e.id)) {
            let sent = ListEntryRow {
                feed_sent: 1,
                ..e.clone()
            };
            stmts.push(store::insert_change_stmt(&change(&sent, "add", now_ms)?));
        }
        for (m, p) in &granted {
            let Some(e) = due.iter().find(|e| {
                e.list == "restricted"
                    && e.measure_id.as_deref() == Some(m.id.as_str())
                    && e.id_number.eq_ignore_ascii_case(&p.applicant_id_number)
                    && marked.contains(&e.id)
            }) else {
                continue;
            };
            let sent = ListEntryRow {
                feed_sent: 1,
                ..e.clone()
            };
            if let Some(c) = crate::consumption::permission_change(
                p,
                m,
                &e.case_number,
                &e.court_name,
                std::slice::from_ref(&sent),
                None,
                now_ms,
            )? {
                stmts.push(store::insert_change_stmt(&c));
            }
        }
        batch::run(&mut tx, stmts).await?;
        tx.commit().await?;
        self.lists_changed(now_ms).await;
        Ok(marked.len())
    }

    /// The scheduler's step: effective measures whose term has run out end by themselves — a
    /// 失信 entry of grounds (2)–(6) is deleted when its term expires (SX2017 art 10 para 2; done
    /// on the expiry date, inside the 3 working days), a detention ends on its release date.
    pub async fn expire_measures(&self, now_ms: i64, limit: i64) -> Result<usize, AppError> {
        let today = china_date(now_ms);
        self.publish_due_feed(now_ms, limit).await?;
        let mut conn = self.db.conn().await?;
        let due = store::expired_measures(&mut conn, &ymd(today), limit).await?;
        drop(conn);
        let mut n = 0;
        for m in due {
            let mut conn = self.db.conn().await?;
            let Some(case) = cases::find_case(&mut conn, &m.case_id).await? else {
                continue;
            };
            let Some(court) = courts::find(&mut conn, &case.court_code).await? else {
                continue;
            };
            drop(conn);
            let actor = Actor::system(&case.court_code, &court.path);
            let ground = if m.kind == "detention" {
                "served"
            } else {
                "term_expired"
            };
            let on = m
                .expires_on
                .as_deref()
                .map(date_of)
                .transpose()?
                .unwrap_or(today);
            let mut tx = self.db.begin().await?;
            match self
                .end_in_tx(&mut tx, &actor, &case, &m, ground, on, today, now_ms)
                .await
            {
                Ok(()) => {
                    tx.commit().await?;
                    n += 1;
                }
                // Another scheduler ended it first.
                Err(AppError::Conflict { .. }) => tx.rollback().await?,
                Err(e) => return Err(e),
            }
        }
        if n > 0 {
            self.lists_changed(now_ms).await;
        }
        Ok(n)
    }

    pub async fn case_measures(
        &self,
        actor: &Actor,
        case_id: &str,
    ) -> Result<Vec<MeasureView>, AppError> {
        let mut conn = self.db.conn().await?;
        let case = self.visible_case(&mut conn, actor, case_id).await?;
        let mut out = Vec::new();
        for m in store::measures_of(&mut conn, &case.court_code, &case.id).await? {
            let approvals = store::approvals_of(&mut conn, &m.court_code, &m.id).await?;
            let kind = MeasureKind::from_str_opt(&m.kind);
            out.push(MeasureView {
                kind_zh: kind.map_or("", MeasureKind::name_zh).to_owned(),
                source: kind.map_or("", MeasureKind::source).to_owned(),
                measure: m,
                approvals,
            });
        }
        Ok(out)
    }

    pub async fn measure(
        &self,
        actor: &Actor,
        id: &str,
    ) -> Result<(CaseRow, MeasureRow), AppError> {
        let mut conn = self.db.conn().await?;
        let m = store::find_measure(&mut conn, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let case = self.visible_case(&mut conn, actor, &m.case_id).await?;
        Ok((case, m))
    }

    /// Measures of the actor's court awaiting the 院长.
    pub async fn approval_queue(&self, actor: &Actor) -> Result<Vec<MeasureRow>, AppError> {
        actor.require(Permission::ApproveMeasure)?;
        let mut conn = self.db.conn().await?;
        Ok(store::pending_approvals(&mut conn, &actor.court_code, 200).await?)
    }

    pub async fn case_list_entries(
        &self,
        actor: &Actor,
        case_id: &str,
    ) -> Result<(Vec<ListEntryRow>, Vec<CorrectionRow>), AppError> {
        let mut conn = self.db.conn().await?;
        let case = self.visible_case(&mut conn, actor, case_id).await?;
        Ok((
            store::entries_of_case(&mut conn, &case.court_code, &case.id).await?,
            store::corrections_of_case(&mut conn, &case.court_code, &case.id).await?,
        ))
    }

    /// A correction request (纠正申请, SX2017 arts 11–12) against a list entry, recorded by staff:
    /// decided within 15 days.
    pub async fn request_correction(
        &self,
        actor: &Actor,
        entry_id: &str,
        ground: &str,
        statement: &str,
        received_on: &str,
        now_ms: i64,
    ) -> Result<CorrectionRow, AppError> {
        let today = china_date(now_ms);
        let mut conn = self.db.conn().await?;
        let e = store::find_entry(&mut conn, entry_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let case = self
            .writable_case(&mut conn, actor, &e.case_id, Permission::ProposeMeasure)
            .await?;
        drop(conn);
        let ground = ground.trim();
        if !matches!(
            ground,
            "should_not_be_listed" | "inaccurate" | "should_be_deleted"
        ) {
            return Err(AppError::invalid(
                "correction_ground",
                "ground",
                "纠正事由应为 should_not_be_listed（不应纳入）、inaccurate（记载有误）或 should_be_deleted（应删除）（SX2017 第十一条）",
            ));
        }
        let statement = statement.trim();
        if statement.is_empty() || statement.chars().count() > 2000 {
            return Err(AppError::invalid(
                "required",
                "statement",
                "须填写纠正理由（2000 字以内）",
            ));
        }
        let received = parse_day(received_on, "received_on")?;
        if received > today {
            return Err(AppError::invalid(
                "date_in_future",
                "received_on",
                "收到日期不能晚于今天",
            ));
        }
        let decide_by = LegalCalendar::builtin()
            .period_end(
                received,
                15,
                zhixing_domain::calendar::DayUnit::CalendarDays,
            )
            .map_err(|e| AppError::Invalid(e.at("received_on")))?;
        let c = CorrectionRow {
            court_code: e.court_code.clone(),
            id: new_id(),
            entry_id: e.id.clone(),
            case_id: e.case_id.clone(),
            ground: ground.into(),
            statement: statement.into(),
            received_on: ymd(received),
            decide_by: ymd(decide_by),
            status: "received".into(),
            decided_on: None,
            correct_by: None,
            decided_by: None,
            created_at: now_ms,
        };
        let backend = self.db.backend();
        let mut tx = self.db.begin().await?;
        batch::run(&mut tx, vec![store::insert_correction_stmt(&c)]).await?;
        record_system_event(
            &mut tx,
            &case.court_code,
            &case.id,
            "correction_request",
            received,
            &format!("{}：{}", e.name, ground),
            &actor.user_id,
            now_ms,
        )
        .await?;
        write_audit(
            &mut tx,
            backend,
            actor,
            "list.correction_request",
            "list_correction",
            &c.id,
            Some(&case.id),
            None,
            Some(serde_json::json!({"entry": e.id, "ground": ground}).to_string()),
            now_ms,
        )
        .await?;
        tx.commit().await?;
        Ok(c)
    }

    /// Decide a correction request: a justified one is corrected at once (the entry deleted,
    /// which completes the 3-working-day duty); a rejection may go to 复议 within 10 days.
    pub async fn decide_correction(
        &self,
        actor: &Actor,
        correction_id: &str,
        accept: bool,
        now_ms: i64,
    ) -> Result<CorrectionRow, AppError> {
        let today = china_date(now_ms);
        let mut conn = self.db.conn().await?;
        let c = store::find_correction(&mut conn, correction_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let case = self
            .writable_case(&mut conn, actor, &c.case_id, Permission::ProposeMeasure)
            .await?;
        let entry = store::find_entry(&mut conn, &c.entry_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let m = match &entry.measure_id {
            Some(mid) => store::find_measure(&mut conn, mid).await?,
            None => None,
        };
        drop(conn);
        if c.status != "received" {
            return Err(AppError::conflict("already_decided", "该纠正申请已处理"));
        }
        let cal = LegalCalendar::builtin();
        let correct_by = if accept {
            Some(
                measure::correct_by(today, cal)
                    .map_err(|e| AppError::Invalid(e.at("decided_on")))?,
            )
        } else {
            None
        };
        let backend = self.db.backend();
        let mut tx = self.db.begin().await?;
        let rows = batch::run(
            &mut tx,
            vec![store::decide_correction_stmt(
                &c.court_code,
                &c.id,
                if accept { "corrected" } else { "rejected" },
                &ymd(today),
                correct_by.map(ymd).as_deref(),
                &actor.user_id,
            )],
        )
        .await?;
        // Decided meanwhile by someone else: nothing of this decision may happen.
        if !batch::returned(&rows, "decided_id") {
            return Err(AppError::conflict("already_decided", "该纠正申请已处理"));
        }
        record_system_event(
            &mut tx,
            &case.court_code,
            &case.id,
            "correction_decision",
            today,
            if accept {
                "纠正申请成立"
            } else {
                "纠正申请不成立，驳回"
            },
            &actor.user_id,
            now_ms,
        )
        .await?;
        if accept {
            self.correction_accepted_in_tx(&mut tx, actor, &case, &c, &entry, m, today, now_ms)
                .await?;
        }
        write_audit(
            &mut tx,
            backend,
            actor,
            if accept {
                "list.correction_accept"
            } else {
                "list.correction_reject"
            },
            "list_correction",
            &c.id,
            Some(&case.id),
            None,
            None,
            now_ms,
        )
        .await?;
        tx.commit().await?;
        self.lists_changed(now_ms).await;
        let mut conn = self.db.conn().await?;
        store::find_correction(&mut conn, &c.id)
            .await?
            .ok_or(AppError::NotFound)
    }

    /// What a justified correction does, in the caller's transaction (the court's own decision,
    /// or the higher court's on 复议): an inaccurate record stays listed and the feed carries the
    /// change; otherwise the measure ends with ground `corrected` and its entries leave the lists.
    /// Either way the 3-working-day duty starts and is met at once (SX2017 art 12).
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn correction_accepted_in_tx(
        &self,
        tx: &mut Conn,
        actor: &Actor,
        case: &CaseRow,
        c: &CorrectionRow,
        entry: &ListEntryRow,
        m: Option<MeasureRow>,
        today: NaiveDate,
        now_ms: i64,
    ) -> Result<(), AppError> {
        record_system_event(
            tx,
            &case.court_code,
            &case.id,
            "correction_accepted",
            today,
            "纠正申请成立",
            &actor.user_id,
            now_ms,
        )
        .await?;
        if c.ground == "inaccurate" {
            // The entry stays listed with its record corrected by staff; the feed tells partners.
            let mut e = entry.clone();
            e.updated_at = now_ms;
            batch::run(
                tx,
                vec![store::insert_change_stmt(&change(&e, "change", now_ms)?)],
            )
            .await?;
        } else if let Some(m) = m.filter(|m| m.status == "effective") {
            self.end_in_tx(tx, actor, case, &m, "corrected", today, today, now_ms)
                .await?;
        }
        record_system_event(
            tx,
            &case.court_code,
            &case.id,
            "correction_done",
            today,
            "已纠正",
            &actor.user_id,
            now_ms,
        )
        .await?;
        Ok(())
    }

    /// The joint-punishment feed for a partner: changes after `after`, at most `limit`, only those
    /// older than a 5-second settle window (so a slower concurrent commit with a smaller id is
    /// never skipped by a cursor that moved past it).
    pub async fn list_changes(
        &self,
        actor: &Actor,
        after: &str,
        limit: i64,
        now_ms: i64,
    ) -> Result<Vec<ListChangeRow>, AppError> {
        Ok(self.list_changes_page(actor, after, limit, now_ms).await?.0)
    }

    /// [`App::list_changes`] with the cursor to pass next: the last change read, which may be
    /// one the partners are not sent. A 'change' or 'delete' of an entry whose 'add' was never
    /// sent (it was still in its grace period) is not sent either: no partner hears of a listing
    /// the court never published (SX2017 art 8 publishes from the publication date on), and one
    /// deleted before that date is never announced (`mark_feed_sent_stmt` refuses a deleted
    /// entry). A 'change' skipped this way is carried by the entry's later 'add', which is
    /// built from the entry as it is then.
    pub async fn list_changes_page(
        &self,
        actor: &Actor,
        after: &str,
        limit: i64,
        now_ms: i64,
    ) -> Result<(Vec<ListChangeRow>, String), AppError> {
        actor.require(Permission::PullListFeed)?;
        if after.len() > 64 || !after.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
            return Err(AppError::invalid("cursor", "after", "游标格式不正确"));
        }
        let limit = limit.clamp(1, 1000);
        let mut conn = self.db.conn().await?;
        let rows = store::feed_changes_after(
            &mut conn,
            after,
            now_ms.saturating_sub(FEED_SETTLE_MS),
            limit,
        )
        .await?;
        let next = rows
            .last()
            .map_or_else(|| after.to_owned(), |r| r.change.id.clone());
        let items = rows
            .into_iter()
            .filter(|r| {
                !(r.entry_sent == 0
                    && r.change.kind() == "entry"
                    && matches!(r.change.op.as_str(), "change" | "delete"))
            })
            .map(|r| r.change)
            .collect();
        Ok((items, next))
    }
}

impl App {
    /// Consequences of a recorded process event for measures and the public lists:
    /// - 执行完毕 (`payment_complete`): the 3-working-day deletion duty starts (SX2017 art 10(1));
    /// - 终本 (`terminate_current`): the debtors enter the public 终本案件 list (终本案件库);
    /// - 恢复执行 / 执行完毕: they leave it.
    pub(crate) async fn after_event(
        &self,
        actor: &Actor,
        case: &CaseRow,
        node: &str,
        on: NaiveDate,
        now_ms: i64,
    ) -> Result<(), AppError> {
        match node {
            "payment_complete" => {
                self.note_end_ground(actor, &case.id, on, now_ms).await?;
                self.unpublish_terminated(actor, case, "执行完毕", now_ms)
                    .await
            }
            "terminate_current" => self.publish_terminated(actor, case, on, now_ms).await,
            "resumption" => {
                self.unpublish_terminated(actor, case, "恢复执行", now_ms)
                    .await
            }
            _ => Ok(()),
        }
    }

    async fn publish_terminated(
        &self,
        actor: &Actor,
        case: &CaseRow,
        on: NaiveDate,
        now_ms: i64,
    ) -> Result<(), AppError> {
        let mut tx = self.db.begin().await?;
        let court_name = courts::find(&mut tx, &case.court_code)
            .await?
            .map(|c| c.name)
            .unwrap_or_default();
        let basis_name = basis_court_name(&mut tx, case).await?;
        let existing = store::entries_of_case(&mut tx, &case.court_code, &case.id).await?;
        let mut stmts = Vec::new();
        for p in cases::parties_of(&mut tx, &case.court_code, &case.id)
            .await?
            .into_iter()
            .filter(|p| p.role == "debtor")
        {
            let key = p
                .id_number
                .clone()
                .or(p.credit_code.clone())
                .unwrap_or_default();
            if existing
                .iter()
                .any(|e| e.list == "terminated" && e.status == "listed" && e.id_number == key)
            {
                continue;
            }
            let m = MeasureRow {
                court_code: case.court_code.clone(),
                id: String::new(),
                case_id: case.id.clone(),
                kind: String::new(),
                subject_party_id: Some(p.id.clone()),
                subject_kind: p.kind.clone(),
                subject_name: p.name.clone(),
                subject_id_number: key,
                params: String::new(),
                amount_fen: None,
                status: String::new(),
                needs_approval: 0,
                document_number: String::new(),
                proposed_by: String::new(),
                proposed_on: String::new(),
                decided_by: None,
                decided_on: None,
                effective_on: None,
                publish_on: None,
                expires_on: None,
                ended_on: None,
                end_reason: None,
                executed_on: None,
                execution_note: None,
                executed_at: None,
                family_notified_at: None,
                search_record: None,
                questioning_ended_at: None,
                questioning_record: None,
                created_at: now_ms,
                updated_at: now_ms,
            };
            let mut e = list_entry(
                "terminated",
                &m,
                case,
                (&court_name, &basis_name),
                "终结本次执行程序：暂无财产可供执行（ZB2016 第一条）",
                p.legal_representative.clone(),
                &ymd(on),
                &ymd(on),
                now_ms,
            );
            e.measure_id = None;
            push_entry(&mut stmts, e, on, now_ms)?;
        }
        let n = stmts.len() / 2;
        batch::run(&mut tx, stmts).await?;
        write_audit(
            &mut tx,
            self.db.backend(),
            actor,
            "list.publish_terminated",
            "case",
            &case.id,
            Some(&case.id),
            None,
            Some(serde_json::json!({"entries": n}).to_string()),
            now_ms,
        )
        .await?;
        tx.commit().await?;
        self.lists_changed(now_ms).await;
        Ok(())
    }

    async fn unpublish_terminated(
        &self,
        actor: &Actor,
        case: &CaseRow,
        reason: &str,
        now_ms: i64,
    ) -> Result<(), AppError> {
        let today = ymd(china_date(now_ms));
        let mut tx = self.db.begin().await?;
        let mut stmts = Vec::new();
        for e in store::entries_of_case(&mut tx, &case.court_code, &case.id)
            .await?
            .into_iter()
            .filter(|e| e.list == "terminated" && e.status == "listed")
        {
            push_delete(&mut stmts, e, &today, reason, now_ms)?;
        }
        if stmts.is_empty() {
            return Ok(());
        }
        batch::run(&mut tx, stmts).await?;
        write_audit(
            &mut tx,
            self.db.backend(),
            actor,
            "list.unpublish_terminated",
            "case",
            &case.id,
            Some(&case.id),
            None,
            Some(serde_json::json!({"reason": reason}).to_string()),
            now_ms,
        )
        .await?;
        tx.commit().await?;
        self.lists_changed(now_ms).await;
        Ok(())
    }
}

/// Settle window of the partner feed.
pub const FEED_SETTLE_MS: i64 = 5_000;

/// Most keys one partner bulk check may carry.
pub const PARTNER_CHECK_MAX: usize = 1_000;

/// One key's answer in a partner bulk check.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct KeyCheck {
    /// The key as checked (trimmed, upper case).
    pub key: String,
    /// Whether the key has a published entry on the list.
    pub listed: bool,
    /// Its published entries, newest first (at most 20), masked as on the public portal; on the
    /// 失信 and 限制消费 lists each with the permissions granted under its own order.
    pub items: Vec<CheckedItem>,
    /// On the 失信 and 限制消费 lists: the acts the court permits today for this key under
    /// **every** 限制消费令 in effect for it (XF2015 art 3 para 2, art 8; the intersection, see
    /// [`App::partner_check`]), so an airline or the railway lets the permitted act through.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub permissions: Vec<PermissionInForce>,
}

/// One published entry in a partner's bulk check: the public item (the same JSON fields) plus
/// the entry's id (the `entry_id` of the feed) and the permissions in force today under the
/// order behind this entry only.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct CheckedItem {
    #[serde(flatten)]
    pub item: PublicItem,
    pub entry_id: String,
    /// Acts permitted today under this entry's 限制消费令 (on the 限制消费 list: the entry's own
    /// order; on the 失信 list: the 限制消费令 of the same case binding the key).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub permissions: Vec<PermissionInForce>,
}

/// A granted permission to consume, as a partner sees it: the act and the days, no reasons.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct PermissionInForce {
    /// One of the nine acts of XF2015 art 3 para 1 (code) and its text.
    pub act: String,
    pub act_text: String,
    /// `YYYY-MM-DD`, both days counted: the days on which every order considered permits it.
    pub from: String,
    pub to: String,
    /// The court that granted it (code); with several orders, the court whose grant ends first.
    pub court: String,
    /// Every court whose grant is part of the answer (codes, sorted).
    #[serde(default)]
    pub courts: Vec<String>,
}

impl From<zhixing_domain::consumption::Permitted> for PermissionInForce {
    fn from(p: zhixing_domain::consumption::Permitted) -> Self {
        PermissionInForce {
            act_text: zhixing_domain::consumption::act(&p.act)
                .map(|a| a.text_zh.to_owned())
                .unwrap_or_default(),
            act: p.act,
            from: p.from,
            to: p.to,
            court: p.court,
            courts: p.courts,
        }
    }
}

/// One published item as the public portal shows it (SX2017 art 6), masked.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct PublicItem {
    pub name: String,
    pub id_masked: String,
    pub sex: Option<String>,
    pub age: Option<u32>,
    pub legal_representative: Option<String>,
    pub case_number: String,
    pub court: String,
    pub basis: String,
    pub obligation: String,
    pub performance: String,
    pub conduct: String,
    pub filed_on: String,
    pub listed_on: String,
}

/// [`PublicItem`] borrowed from the entry it shows: the same fields, serialised to the same
/// JSON, without copying a string (the portal writes its answer straight from the in-memory
/// list under the read lock).
#[derive(Debug, Clone, Serialize)]
pub struct PublicItemRef<'a> {
    pub name: &'a str,
    pub id_masked: MaskedId<'a>,
    pub sex: Option<&'a str>,
    pub age: Option<u32>,
    pub legal_representative: Option<&'a str>,
    pub case_number: &'a str,
    pub court: &'a str,
    pub basis: &'a str,
    pub obligation: &'a str,
    pub performance: &'a str,
    pub conduct: &'a str,
    pub filed_on: &'a str,
    pub listed_on: &'a str,
}

impl PublicItemRef<'_> {
    pub fn to_item(&self) -> PublicItem {
        PublicItem {
            name: self.name.to_owned(),
            id_masked: self.id_masked.as_str().to_owned(),
            sex: self.sex.map(str::to_owned),
            age: self.age,
            legal_representative: self.legal_representative.map(str::to_owned),
            case_number: self.case_number.to_owned(),
            court: self.court.to_owned(),
            basis: self.basis.to_owned(),
            obligation: self.obligation.to_owned(),
            performance: self.performance.to_owned(),
            conduct: self.conduct.to_owned(),
            filed_on: self.filed_on.to_owned(),
            listed_on: self.listed_on.to_owned(),
        }
    }
}

/// An ID number masked by a pattern, as [`measure::mask_id`] masks it, without an allocation for
/// the common case (18 ASCII characters); anything else goes through `mask_id` itself.
#[derive(Debug, Clone)]
pub enum MaskedId<'a> {
    /// An 18-character ASCII number, masked in place.
    Inline([u8; 18]),
    /// Anything else, as `mask_id` gives it.
    Other(std::borrow::Cow<'a, str>),
}

impl<'a> MaskedId<'a> {
    pub fn new(id: &'a str, pattern: &str) -> MaskedId<'a> {
        let b = id.as_bytes();
        // `mask_id` masks only 18 characters of which the first 17 are digits, and only with an
        // 18-character pattern; everything else (a credit code) is shown as it is.
        let person = b.len() >= 18 && b.iter().take(17).all(u8::is_ascii_digit);
        if !person || pattern.chars().count() != 18 {
            return MaskedId::Other(std::borrow::Cow::Borrowed(id));
        }
        if b.len() == 18 && b[17].is_ascii() {
            let mut out = [0u8; 18];
            for ((o, &c), p) in out.iter_mut().zip(b).zip(pattern.chars()) {
                *o = if p == '*' { b'*' } else { c };
            }
            return MaskedId::Inline(out);
        }
        MaskedId::Other(std::borrow::Cow::Owned(measure::mask_id(id, pattern)))
    }

    pub fn as_str(&self) -> &str {
        match self {
            // Only ASCII bytes are ever stored.
            MaskedId::Inline(b) => std::str::from_utf8(b).unwrap_or(""),
            MaskedId::Other(s) => s,
        }
    }
}

impl Serialize for MaskedId<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A stored birth date (`YYYY-MM-DD`); `None` when absent or unreadable (no age is shown).
pub(crate) fn birth_date(b: Option<&str>) -> Option<NaiveDate> {
    b.and_then(|b| NaiveDate::parse_from_str(b, "%Y-%m-%d").ok())
}

impl<'a> PublicItemRef<'a> {
    /// The public view of a row: the ID number masked by `mask`, age on `today`; never a phone,
    /// address or account number (the row has none).
    pub fn of_row(e: &'a ListEntryRow, mask: &str, today: NaiveDate) -> PublicItemRef<'a> {
        PublicItemRef {
            name: &e.name,
            id_masked: MaskedId::new(&e.id_number, mask),
            sex: e.sex.as_deref(),
            age: birth_date(e.birth_date.as_deref())
                .map(|b| zhixing_domain::id_number::age_between(b, today)),
            legal_representative: e.legal_representative.as_deref(),
            case_number: &e.case_number,
            court: &e.court_name,
            basis: &e.basis,
            obligation: &e.obligation,
            performance: &e.performance,
            conduct: &e.conduct,
            filed_on: &e.filed_on,
            listed_on: &e.listed_on,
        }
    }
}

/// [`PublicItemRef::of_row`], owned.
pub fn public_item(e: &ListEntryRow, mask: &str, today: NaiveDate) -> PublicItem {
    PublicItemRef::of_row(e, mask, today).to_item()
}

/// The checked arguments of a public lookup: the name (2–50 characters, no wildcard) and the
/// key normalised (trimmed, upper case) and well-formed as an ID number or credit code, so the
/// list cannot be enumerated.
fn public_lookup_args(
    name: &str,
    id: &str,
    today: NaiveDate,
) -> Result<(String, String), AppError> {
    let name = measure::validate_public_name(name).map_err(|e| AppError::Invalid(e.at("name")))?;
    let key = id.trim().to_ascii_uppercase();
    let ok = IdNumber::parse(&key, today).is_ok()
        || zhixing_domain::credit_code::CreditCode::parse(&key).is_ok();
    if !ok {
        return Err(AppError::invalid(
            "id_format",
            "id",
            "请输入有效的 18 位身份证号码或统一社会信用代码",
        ));
    }
    Ok((name, key))
}

impl App {
    /// Public lookup by ID number / credit code (exact) plus the name (exact), on one list, from
    /// the in-memory index. The `id` is normalised (trimmed, upper case); anything that is not a
    /// well-formed ID number or credit code is refused, so the list cannot be enumerated.
    pub async fn public_lookup(
        &self,
        list: &str,
        name: &str,
        id: &str,
        mask: &str,
        now_ms: i64,
    ) -> Result<Vec<PublicItem>, AppError> {
        self.public_lookup_with(list, name, id, mask, now_ms, |items| {
            items.iter().map(PublicItemRef::to_item).collect()
        })
        .await
    }

    /// [`App::public_lookup`] that hands the items, borrowed, to `f` (see
    /// [`crate::lists::PublicLists::with_name_and_key`]): the portal writes its answer from
    /// them without copying an entry. Same validation, same items.
    pub async fn public_lookup_with<R>(
        &self,
        list: &str,
        name: &str,
        id: &str,
        mask: &str,
        now_ms: i64,
        f: impl FnOnce(&[PublicItemRef<'_>]) -> R,
    ) -> Result<R, AppError> {
        let today = china_date(now_ms);
        let (name, key) = public_lookup_args(name, id, today)?;
        self.load_public_lists(now_ms).await?;
        Ok(self
            .lists
            .with_name_and_key(list, &name, &key, mask, today, f))
    }

    /// A partner's bulk check (联合惩戒: a bank, an airline or the railway screening its
    /// customers): up to [`PARTNER_CHECK_MAX`] ID numbers / credit codes against one published
    /// list in one call. Partners only (the role that pulls the list feed); every key must be a
    /// well-formed ID number or credit code, else the whole call is refused naming `keys[i]`,
    /// so the list cannot be enumerated. Reads only: nothing is written or audited.
    pub async fn partner_check(
        &self,
        actor: &Actor,
        list: &str,
        keys: &[String],
        mask: &str,
        now_ms: i64,
    ) -> Result<Vec<KeyCheck>, AppError> {
        actor.require(Permission::PullListFeed)?;
        if !crate::lists::LISTS.contains(&list) {
            return Err(AppError::invalid(
                "unknown_list",
                "list",
                "名单应为 dishonest（失信）、restricted（限制消费）或 terminated（终本）",
            ));
        }
        if keys.is_empty() || keys.len() > PARTNER_CHECK_MAX {
            return Err(AppError::invalid(
                "batch_size",
                "keys",
                format!(
                    "每次核查 1 至 {PARTNER_CHECK_MAX} 个证件号码，本次为 {} 个",
                    keys.len()
                ),
            ));
        }
        let today = china_date(now_ms);
        let mut norm = Vec::with_capacity(keys.len());
        for (i, k) in keys.iter().enumerate() {
            let key = k.trim().to_ascii_uppercase();
            let ok = key.len() <= 18
                && (IdNumber::parse(&key, today).is_ok()
                    || zhixing_domain::credit_code::CreditCode::parse(&key).is_ok());
            if !ok {
                return Err(AppError::invalid(
                    "id_format",
                    &format!("keys[{i}]"),
                    "应为有效的 18 位身份证号码或统一社会信用代码",
                ));
            }
            norm.push(key);
        }
        self.load_public_lists(now_ms).await?;
        let answers = self.lists.check_keys(list, &norm);
        // Permissions matter where consumption is restricted: the 限制消费 list and the 失信 list
        // (every 失信 debtor is restricted, XF2015 art 1). Asked only for the keys that are listed.
        let listed: Vec<String> = norm
            .iter()
            .zip(&answers)
            .filter(|(_, items)| !items.is_empty())
            .map(|(k, _)| k.clone())
            .collect();
        let (orders, granted) = if matches!(list, "restricted" | "dishonest") && !listed.is_empty()
        {
            let mut conn = self.db.conn().await?;
            let orders =
                zhixing_store::consumption::orders_in_effect(&mut conn, &listed, &ymd(today))
                    .await?;
            let granted =
                zhixing_store::consumption::granted_on(&mut conn, &listed, &ymd(today)).await?;
            (orders, granted)
        } else {
            (Vec::new(), Vec::new())
        };
        Ok(norm
            .into_iter()
            .zip(answers)
            .map(|(key, rows)| check_answer(list, key, &rows, &orders, &granted, mask, today))
            .collect())
    }

    /// Public search by name alone (substring, 2–50 characters, no wildcards): the exact count
    /// and the 20 newest entries, masked.
    pub async fn public_search_name(
        &self,
        list: &str,
        name: &str,
        mask: &str,
        now_ms: i64,
    ) -> Result<crate::lists::NameResult, AppError> {
        let name =
            measure::validate_public_name(name).map_err(|e| AppError::Invalid(e.at("name")))?;
        self.load_public_lists(now_ms).await?;
        Ok(self.lists.by_name(list, &name, mask, china_date(now_ms)))
    }
}

/// One key's answer of a partner's bulk check from its published `rows` on `list`, the orders in
/// effect (`orders`) and the grants in force today (`granted`) of the keys checked.
///
/// The rule (XF2015 art 3 para 2: 「执行法院审查属实的，应予准许」; art 8: 「应当向人民法院提出申请，
/// 获批准后方可进行」): a permission is granted under one 限制消费令 and relieves that order only.
/// So each listed entry carries the permissions granted under its own order — on the 限制消费
/// list the order the entry publishes (`measure_id`), on the 失信 list the 限制消费令 of the same
/// case binding the key (XF2015 art 1) — and never one granted under another case's order. The
/// reading at key level (the stricter one): a person bound by several orders at once may do an
/// act only where every order in effect permits it, so the key's `permissions` are the
/// intersection over all of them ([`zhixing_domain::consumption::permitted_under_every_order`]);
/// a 失信 entry whose case has no 限制消费令 in effect for the key still restricts (art 1) with
/// nothing granted to relieve it, so it empties the key's answer.
fn check_answer(
    list: &str,
    key: String,
    rows: &[ListEntryRow],
    orders: &[zhixing_store::consumption::OrderInEffect],
    granted: &[zhixing_store::consumption::PermissionRow],
    mask: &str,
    today: NaiveDate,
) -> KeyCheck {
    use zhixing_domain::consumption::{Grant, permitted_under_every_order};
    let mut mine: Vec<&zhixing_store::consumption::OrderInEffect> = orders
        .iter()
        .filter(|o| o.id_number.eq_ignore_ascii_case(&key))
        .collect();
    mine.sort_by(|a, b| (&a.court_code, &a.measure_id).cmp(&(&b.court_code, &b.measure_id)));
    mine.dedup_by(|a, b| a.court_code == b.court_code && a.measure_id == b.measure_id);
    let grants = |o: &zhixing_store::consumption::OrderInEffect| -> Vec<Grant> {
        granted
            .iter()
            .filter(|p| {
                p.applicant_id_number.eq_ignore_ascii_case(&key)
                    && p.court_code == o.court_code
                    && p.measure_id == o.measure_id
            })
            .map(|p| Grant {
                act: p.act.clone(),
                from: p.period_from.clone(),
                to: p.period_to.clone(),
                court: p.court_code.clone(),
            })
            .collect()
    };
    let permits = matches!(list, "restricted" | "dishonest");
    let mut unrelieved = false;
    let items: Vec<CheckedItem> = rows
        .iter()
        .enumerate()
        .filter_map(|(i, e)| {
            let linked: Vec<Vec<Grant>> = mine
                .iter()
                .filter(|o| {
                    o.court_code == e.court_code
                        && match list {
                            "restricted" => e.measure_id.as_deref() == Some(o.measure_id.as_str()),
                            _ => o.case_id == e.case_id,
                        }
                })
                .map(|o| grants(o))
                .collect();
            if list == "dishonest" && linked.is_empty() {
                unrelieved = true;
            }
            (i < crate::lists::PUBLIC_LIMIT).then(|| CheckedItem {
                item: public_item(e, mask, today),
                entry_id: e.id.clone(),
                permissions: if permits {
                    permitted_under_every_order(&linked)
                        .into_iter()
                        .map(Into::into)
                        .collect()
                } else {
                    Vec::new()
                },
            })
        })
        .collect();
    let permissions = if permits && !unrelieved {
        let all: Vec<Vec<Grant>> = mine.iter().map(|o| grants(o)).collect();
        permitted_under_every_order(&all)
            .into_iter()
            .map(Into::into)
            .collect()
    } else {
        Vec::new()
    };
    KeyCheck {
        key,
        listed: !rows.is_empty(),
        items,
        permissions,
    }
}

/// What a party sees of their case on the public portal (执行公开): the process, the measures
/// taken, disposals and payouts — never other parties' identity numbers, phones or addresses.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct CaseProgress {
    pub case_number: String,
    pub court: String,
    pub filed_on: String,
    pub status: String,
    /// (date, node name) of the main-chain process events.
    pub events: Vec<(String, String)>,
    /// (measure, status, effective on, ended on)
    pub measures: Vec<(String, String, Option<String>, Option<String>)>,
    /// (date, node name) of 查封/评估/拍卖/变卖 steps.
    pub disposals: Vec<(String, String)>,
    /// (date, amount formatted in 元)
    pub payouts: Vec<(String, String)>,
}

/// Characters of a query code: digits and upper-case letters without 0/O, 1/I/L, 2/Z, 5/S.
const CODE_ALPHABET: &[u8] = b"346789ABCDEFGHJKMNPQRTUVWXY";

impl App {
    /// Issue a fresh query code to every party of a case (shown once: only its SM3 is kept).
    pub async fn issue_query_codes(
        &self,
        actor: &Actor,
        case_id: &str,
        now_ms: i64,
    ) -> Result<Vec<(String, String)>, AppError> {
        use rand::Rng;
        let mut conn = self.db.conn().await?;
        let case = self
            .writable_case(&mut conn, actor, case_id, Permission::RecordEvents)
            .await?;
        let parties = cases::parties_of(&mut conn, &case.court_code, &case.id).await?;
        drop(conn);
        // ThreadRng is not Send: make the codes before the next await.
        let (out, stmts) = {
            let mut rng = rand::rng();
            let mut out = Vec::new();
            let mut stmts = Vec::new();
            for p in &parties {
                let code: String = (0..8)
                    .map(|_| {
                        let i = rng.random_range(0..CODE_ALPHABET.len());
                        char::from(CODE_ALPHABET.get(i).copied().unwrap_or(b'X'))
                    })
                    .collect();
                stmts.push(store::upsert_query_code_stmt(
                    &case.court_code,
                    &case.id,
                    &p.id,
                    &zhixing_domain::audit::sm3_hex(code.as_bytes()),
                    now_ms,
                    &actor.user_id,
                ));
                out.push((p.name.clone(), code));
            }
            (out, stmts)
        };
        let mut tx = self.db.begin().await?;
        batch::run(&mut tx, stmts).await?;
        write_audit(
            &mut tx,
            self.db.backend(),
            actor,
            "case.query_codes",
            "case",
            &case.id,
            Some(&case.id),
            None,
            Some(serde_json::json!({"parties": parties.len()}).to_string()),
            now_ms,
        )
        .await?;
        tx.commit().await?;
        Ok(out)
    }

    /// A party's view of the case: case number + the party's ID number or credit code + the
    /// query code. Any mismatch is the same 404, so the answer never tells which part was wrong.
    pub async fn public_case_progress(
        &self,
        case_number: &str,
        id: &str,
        code: &str,
    ) -> Result<CaseProgress, AppError> {
        let number = zhixing_domain::case_number::CaseNumber::parse(case_number.trim())
            .map_err(|e| AppError::Invalid(e.at("case_number")))?;
        let key = id.trim().to_ascii_uppercase();
        let code = code.trim().to_ascii_uppercase();
        if code.len() != 8 || key.is_empty() || key.len() > 18 {
            return Err(AppError::NotFound);
        }
        let mut conn = self.db.conn().await?;
        let Some(case_id) =
            store::case_id_by_number(&mut conn, number.court_code(), &number.to_string()).await?
        else {
            return Err(AppError::NotFound);
        };
        let Some(case) = cases::find_case(&mut conn, &case_id).await? else {
            return Err(AppError::NotFound);
        };
        let parties = cases::parties_of(&mut conn, &case.court_code, &case.id).await?;
        let Some(party) = parties.iter().find(|p| {
            p.id_number
                .as_deref()
                .map(str::to_ascii_uppercase)
                .as_deref()
                == Some(key.as_str())
                || p.credit_code.as_deref() == Some(key.as_str())
        }) else {
            return Err(AppError::NotFound);
        };
        let stored =
            store::query_code_hash(&mut conn, &case.court_code, &case.id, &party.id).await?;
        let given = zhixing_domain::audit::sm3_hex(code.as_bytes());
        let ok = stored.is_some_and(|h| {
            h.len() == given.len()
                && h.bytes()
                    .zip(given.bytes())
                    .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                    == 0
        });
        if !ok {
            return Err(AppError::NotFound);
        }
        let court = courts::find(&mut conn, &case.court_code)
            .await?
            .map(|c| c.name)
            .unwrap_or_default();
        let events =
            zhixing_store::deadlines::events_of(&mut conn, &case.court_code, &case.id).await?;
        let disposal_nodes = [
            "seal_seize_freeze",
            "reference_price_fixed",
            "auction_notice",
            "first_auction",
            "second_auction",
            "sell_off",
            "sale_confirmation_ruling",
        ];
        let name = |n: &str| {
            zhixing_domain::deadline::find_node(n)
                .map_or_else(|| n.to_owned(), |x| x.name_zh.clone())
        };
        let measures = store::measures_of(&mut conn, &case.court_code, &case.id)
            .await?
            .into_iter()
            .filter(|m| !matches!(m.status.as_str(), "pending_approval" | "refused"))
            .map(|m| {
                (
                    MeasureKind::from_str_opt(&m.kind)
                        .map_or("", MeasureKind::name_zh)
                        .to_owned(),
                    m.status.clone(),
                    m.effective_on.clone(),
                    m.ended_on.clone(),
                )
            })
            .collect();
        let payouts = store::paid_disbursements(&mut conn, &case.court_code, &case.id)
            .await?
            .into_iter()
            .map(|(at, fen)| {
                (
                    at.map(|t| ymd(china_date(t))).unwrap_or_default(),
                    Fen::new(fen).format_yuan(),
                )
            })
            .collect();
        Ok(CaseProgress {
            case_number: case.case_number.clone(),
            court,
            filed_on: case.filed_on.clone(),
            status: case.status.clone(),
            events: events
                .iter()
                .filter(|e| {
                    zhixing_domain::deadline::find_node(&e.node).is_some_and(|n| n.is_main_chain())
                        && !disposal_nodes.contains(&e.node.as_str())
                })
                .map(|e| (e.on_date.clone(), name(&e.node)))
                .collect(),
            measures,
            disposals: events
                .iter()
                .filter(|e| disposal_nodes.contains(&e.node.as_str()))
                .map(|e| (e.on_date.clone(), name(&e.node)))
                .collect(),
            payouts,
        })
    }
}
