//! 复议 of a 罚款 or 拘留 decision (CPL art 119: the person may apply once to the next-higher
//! court; the review does not stop execution. CPLI art 185: within 3 days of receiving the
//! decision; the higher court decides within 5 days; if the measure was wrong it revokes it).
//!
//! The executing court registers the application it received (its clerk or judge); the higher
//! court's 院长 records the decision (the stricter reading: the review decides on a measure that
//! only a 院长 could order). "变更" (a lower fine, fewer days) is not modelled: revoke and, if the
//! lower court still finds grounds, propose a new measure.
//!
//! The application and the decision are events of the case (`sanction_review_application`,
//! `sanction_review_decision`), so the 5-day decision period is a deadline of the engine
//! (`sanction_review_decision_5d`) that the case's board and the command center watch.
//!
//! 复议 of a rejected correction request (SX2017 art 12) goes the same way, with its own periods:
//! apply within 10 days of receiving the rejection, decided within 15 days
//! (`correction_review_decision_15d`), no stay. `revoked` there revokes the rejection: the
//! correction is made as if the executing court had accepted it (the entry corrected or taken off
//! the lists, the 3-working-day duty met at once).

use serde::Deserialize;
use zhixing_domain::calendar::LegalCalendar;
use zhixing_domain::measure::{self, MeasureKind};
use zhixing_domain::role::Permission;
use zhixing_domain::time::china_date;
use zhixing_store::batch;
use zhixing_store::cases::CaseRow;
use zhixing_store::courts;
use zhixing_store::measures::{self as store, ReviewRow};

use crate::admin::audit as write_audit;
use crate::deadlines::{record_system_event, ymd};
use crate::duty::text;
use crate::measures::parse_day;
use crate::{Actor, App, AppError, new_id};

/// An application for 复议 as the executing court received it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ReviewInput {
    /// Who applies (the fined or detained person, or the entity's representative).
    pub applicant: String,
    /// The day the applicant received the 决定书 (YYYY-MM-DD).
    pub received_on: String,
    /// The day the application was made (YYYY-MM-DD).
    pub applied_on: String,
    pub reason: String,
}

/// The new terms of a 变更 (outcome `changed`): a lower fine or fewer days of detention.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
pub struct ReviewTerms {
    pub amount_fen: Option<i64>,
    pub days: Option<u32>,
}

/// What a 复议 is about.
#[derive(Clone, Copy)]
enum ReviewSubject<'a> {
    /// A 罚款 or 拘留 (CPL art 119), decided (effective) on `decided_on`.
    Measure {
        id: &'a str,
        kind: MeasureKind,
        decided_on: Option<&'a str>,
    },
    /// A rejected correction request (SX2017 art 12), rejected on `decided_on`.
    Correction {
        id: &'a str,
        decided_on: Option<&'a str>,
    },
}

impl<'a> ReviewSubject<'a> {
    fn id(self) -> &'a str {
        match self {
            ReviewSubject::Measure { id, .. } | ReviewSubject::Correction { id, .. } => id,
        }
    }
    fn decided_on(self) -> Option<&'a str> {
        match self {
            ReviewSubject::Measure { decided_on, .. }
            | ReviewSubject::Correction { decided_on, .. } => decided_on,
        }
    }
    /// The stored `subject`.
    fn name(self) -> &'static str {
        match self {
            ReviewSubject::Measure { .. } => "measure",
            ReviewSubject::Correction { .. } => "correction",
        }
    }
    fn what_zh(self) -> &'static str {
        match self {
            ReviewSubject::Measure { kind, .. } => kind.name_zh(),
            ReviewSubject::Correction { .. } => "失信信息纠正申请被驳回",
        }
    }
    /// The process node of the application (its rule starts the decision deadline).
    fn application_node(self) -> &'static str {
        match self {
            ReviewSubject::Measure { .. } => "sanction_review_application",
            ReviewSubject::Correction { .. } => "correction_review_application",
        }
    }
}

impl App {
    /// Register an application for 复议 of a fine or detention of this court.
    pub async fn apply_review(
        &self,
        actor: &Actor,
        measure_id: &str,
        input: &ReviewInput,
        now_ms: i64,
    ) -> Result<ReviewRow, AppError> {
        let (case, m) = self
            .writable_measure(actor, measure_id, Permission::ProposeMeasure)
            .await?;
        let kind = MeasureKind::from_str_opt(&m.kind)
            .ok_or_else(|| AppError::Internal(format!("stored kind {}", m.kind)))?;
        if !measure::reviewable(kind) {
            return Err(AppError::invalid(
                "not_reviewable",
                "measure",
                format!(
                    "{}不适用向上一级法院申请复议（民事诉讼法第一百一十九条只及罚款、拘留）",
                    kind.name_zh()
                ),
            ));
        }
        if !matches!(m.status.as_str(), "effective" | "ended") {
            return Err(AppError::conflict(
                "not_decided",
                "该措施尚未生效（未批准或已撤销），无复议对象",
            ));
        }
        self.register_review(
            actor,
            &case,
            ReviewSubject::Measure {
                id: &m.id,
                kind,
                decided_on: m.effective_on.as_deref(),
            },
            input,
            now_ms,
        )
        .await
    }

    /// Register an application for 复议 of this court's rejection of a correction request
    /// (SX2017 art 12).
    pub async fn apply_correction_review(
        &self,
        actor: &Actor,
        correction_id: &str,
        input: &ReviewInput,
        now_ms: i64,
    ) -> Result<ReviewRow, AppError> {
        let mut conn = self.db.conn().await?;
        let c = store::find_correction(&mut conn, correction_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let case = self
            .writable_case(&mut conn, actor, &c.case_id, Permission::ProposeMeasure)
            .await?;
        drop(conn);
        if c.status != "rejected" {
            return Err(AppError::conflict(
                "not_rejected",
                "只有被驳回的纠正申请可以向上一级法院申请复议（失信规定第十二条）",
            ));
        }
        self.register_review(
            actor,
            &case,
            ReviewSubject::Correction {
                id: &c.id,
                decided_on: c.decided_on.as_deref(),
            },
            input,
            now_ms,
        )
        .await
    }

    /// Check an application's dates against the subject's law and record it, with its case
    /// event (which starts the decision deadline) and its audit record, in one transaction.
    async fn register_review(
        &self,
        actor: &Actor,
        case: &CaseRow,
        subject: ReviewSubject<'_>,
        input: &ReviewInput,
        now_ms: i64,
    ) -> Result<ReviewRow, AppError> {
        let today = china_date(now_ms);
        let applicant = text(&input.applicant, 100, true, "applicant")?;
        let reason = text(&input.reason, 2000, true, "reason")?;
        let received = parse_day(&input.received_on, "received_on")?;
        let applied = parse_day(&input.applied_on, "applied_on")?;
        if received > today {
            return Err(AppError::invalid(
                "date_in_future",
                "received_on",
                "收到决定书的日期不能晚于今天",
            ));
        }
        if let Some(eff) = subject.decided_on()
            && ymd(received).as_str() < eff
        {
            return Err(AppError::invalid(
                "before_decision",
                "received_on",
                format!("决定于 {eff} 作出，收到日期不能早于该日"),
            ));
        }
        if applied > today || applied < received {
            return Err(AppError::invalid(
                "date_order",
                "applied_on",
                "申请日期应在收到决定书之日与今天之间",
            ));
        }
        let cal = LegalCalendar::builtin();
        let (apply_by, decide_by) = match subject {
            ReviewSubject::Measure { .. } => (
                measure::review_apply_by(received, cal),
                measure::review_decide_by(applied, cal),
            ),
            ReviewSubject::Correction { .. } => (
                measure::correction_review_apply_by(received, cal),
                measure::correction_review_decide_by(applied, cal),
            ),
        };
        let apply_by = apply_by.map_err(|e| AppError::Internal(e.to_string()))?;
        let decide_by = decide_by.map_err(|e| AppError::Internal(e.to_string()))?;
        if applied > apply_by {
            return Err(AppError::invalid(
                "review_late",
                "applied_on",
                format!(
                    "复议应自收到{}，最后一日为 {}",
                    match subject {
                        ReviewSubject::Measure { .. } =>
                            "决定书之日起三日内提出（民诉法解释第一百八十五条）",
                        ReviewSubject::Correction { .. } =>
                            "驳回决定之日起十日内提出（失信规定第十二条）",
                    },
                    ymd(apply_by)
                ),
            ));
        }
        let mut conn = self.db.conn().await?;
        let court = courts::find(&mut conn, &case.court_code)
            .await?
            .ok_or_else(|| AppError::Internal("measure court".into()))?;
        let Some(review_court) = court.parent_code.clone() else {
            return Err(AppError::conflict(
                "no_higher_court",
                "最高人民法院的决定无上一级法院可以复议",
            ));
        };
        drop(conn);
        let row = ReviewRow {
            court_code: case.court_code.clone(),
            id: new_id(),
            measure_id: subject.id().to_owned(),
            case_id: case.id.clone(),
            review_court,
            applicant,
            received_on: ymd(received),
            applied_on: ymd(applied),
            reason,
            decide_by: ymd(decide_by),
            status: "pending".into(),
            decided_on: None,
            decided_by: None,
            decision_note: None,
            created_at: now_ms,
            updated_at: now_ms,
            subject: subject.name().to_owned(),
        };
        let backend = self.db.backend();
        let mut tx = self.db.begin().await?;
        // 复议一次 (CPL art 119) is the key UNIQUE (court_code, measure_id).
        match batch::run(&mut tx, vec![store::insert_review_stmt(&row)]).await {
            Err(e) if e.is_conflict() => {
                return Err(AppError::conflict(
                    "review_exists",
                    "对该决定已申请过复议（复议一次）",
                ));
            }
            r => r?,
        };
        // The decision's 5 days run in the deadline engine (sanction_review_decision_5d), so
        // the case's board warns before the higher court is late.
        record_system_event(
            &mut tx,
            &case.court_code,
            &case.id,
            subject.application_node(),
            applied,
            &format!("{}申请复议（{}）", row.applicant, subject.what_zh()),
            &actor.user_id,
            now_ms,
        )
        .await?;
        write_audit(
            &mut tx,
            backend,
            actor,
            if row.subject == "correction" {
                "list.correction_review_apply"
            } else {
                "measure.review_apply"
            },
            "measure_review",
            &row.id,
            Some(&case.id),
            None,
            Some(serde_json::to_string(&row).map_err(|e| AppError::Internal(e.to_string()))?),
            now_ms,
        )
        .await?;
        tx.commit().await?;
        Ok(row)
    }

    /// The higher court decides: `upheld` (维持), `revoked` (撤销: the measure stops; a
    /// detention still running ends today) or, for a fine or detention, `changed` (变更, CPLI
    /// art 185: a lower amount or fewer days in `terms`; a detention already served past its new
    /// term ends today). Execution was never stayed meanwhile (CPL art 119).
    pub async fn decide_review(
        &self,
        actor: &Actor,
        review_id: &str,
        outcome: &str,
        note: &str,
        terms: ReviewTerms,
        now_ms: i64,
    ) -> Result<ReviewRow, AppError> {
        actor.require(Permission::ApproveMeasure)?;
        let today = china_date(now_ms);
        let mut conn = self.db.conn().await?;
        let r = store::find_review(&mut conn, review_id)
            .await?
            .ok_or(AppError::NotFound)?;
        drop(conn);
        if r.review_court != actor.court_code {
            return Err(AppError::forbidden(
                "court_scope",
                "复议由作出决定法院的上一级法院决定",
            ));
        }
        let status = match outcome.trim() {
            "upheld" => "upheld",
            "revoked" => "revoked",
            "changed" if r.subject == "measure" => "changed",
            _ => {
                return Err(AppError::invalid(
                    "unknown_outcome",
                    "outcome",
                    "复议结果应为 upheld（维持）、revoked（撤销；对驳回纠正申请的复议即予以纠正）或 changed（变更罚款、拘留）",
                ));
            }
        };
        let note = text(note, 2000, true, "note")?;
        let correction = r.subject == "correction";
        // A revoked rejection makes the correction: read what it corrects before the transaction.
        let revoke_rejection = if correction && status == "revoked" {
            let mut conn = self.db.conn().await?;
            let c = store::find_correction(&mut conn, &r.measure_id)
                .await?
                .ok_or_else(|| AppError::Internal("reviewed correction".into()))?;
            let case = zhixing_store::cases::find_case(&mut conn, &r.case_id)
                .await?
                .ok_or_else(|| AppError::Internal("reviewed case".into()))?;
            let entry = store::find_entry(&mut conn, &c.entry_id)
                .await?
                .ok_or_else(|| AppError::Internal("corrected entry".into()))?;
            let m = match &entry.measure_id {
                Some(mid) => store::find_measure(&mut conn, mid).await?,
                None => None,
            };
            Some((c, case, entry, m))
        } else {
            None
        };
        let change = if status == "changed" {
            Some(self.review_change(&r, terms, today).await?)
        } else {
            None
        };
        // A fine revoked or lowered: what was paid beyond the new amount is refunded (below).
        let fine_now = if !correction && status != "upheld" {
            let mut conn = self.db.conn().await?;
            let m = store::find_measure(&mut conn, &r.measure_id).await?;
            m.filter(|m| m.kind == "fine").map(|_| match &change {
                Some((amount, _, _)) => amount.unwrap_or(0),
                None => 0,
            })
        } else {
            None
        };
        let backend = self.db.backend();
        let mut tx = self.db.begin().await?;
        let mut stmts = vec![store::decide_review_stmt(
            &r.court_code,
            &r.id,
            status,
            &ymd(today),
            &actor.user_id,
            &note,
            now_ms,
        )];
        if status == "revoked" && !correction {
            stmts.push(store::revoke_measure_stmt(
                &r.court_code,
                &r.measure_id,
                &ymd(today),
                now_ms,
            ));
        }
        if let Some((amount_fen, params, expires_on)) = &change {
            stmts.push(store::change_measure_on_review_stmt(
                &r.court_code,
                &r.measure_id,
                *amount_fen,
                params,
                expires_on.as_deref(),
                now_ms,
            ));
        }
        let rows = batch::run(&mut tx, stmts).await?;
        if !batch::returned(&rows, "decided_id") {
            return Err(AppError::conflict("already_decided", "该复议已作出决定"));
        }
        let refunded = match fine_now {
            Some(new_amount) => {
                crate::funds::refund_fine_in_tx(
                    &mut tx,
                    actor,
                    &r.court_code,
                    &r.case_id,
                    &r.measure_id,
                    new_amount,
                    now_ms,
                )
                .await?
            }
            None => 0,
        };
        let mut event = match (correction, status) {
            (false, "revoked") => "上一级法院复议决定：撤销",
            (false, "changed") => "上一级法院复议决定：变更",
            (false, _) => "上一级法院复议决定：维持",
            (true, "revoked") => "上一级法院复议决定：撤销驳回，予以纠正",
            (true, _) => "上一级法院复议决定：维持驳回",
        }
        .to_owned();
        if refunded > 0 {
            event.push_str(&format!(
                "；已缴罚款中 {} 转回案款，应退还缴款人",
                zhixing_domain::money::Fen::new(refunded)
            ));
        }
        record_system_event(
            &mut tx,
            &r.court_code,
            &r.case_id,
            if correction {
                "correction_review_decision"
            } else {
                "sanction_review_decision"
            },
            today,
            &event,
            &actor.user_id,
            now_ms,
        )
        .await?;
        if let Some((c, case, entry, m)) = &revoke_rejection {
            // Corrected within 3 working days (SX2017 art 12); here at once, as on acceptance.
            let correct_by = measure::correct_by(today, LegalCalendar::builtin())
                .map_err(|e| AppError::Internal(e.to_string()))?;
            batch::run(
                &mut tx,
                vec![store::correct_on_review_stmt(
                    &c.court_code,
                    &c.id,
                    &ymd(today),
                    &ymd(correct_by),
                    &actor.user_id,
                )],
            )
            .await?;
            self.correction_accepted_in_tx(
                &mut tx,
                actor,
                case,
                c,
                entry,
                m.clone(),
                today,
                now_ms,
            )
            .await?;
        }
        write_audit(
            &mut tx,
            backend,
            actor,
            if correction {
                "list.correction_review_decide"
            } else {
                "measure.review_decide"
            },
            "measure_review",
            &r.id,
            Some(&r.case_id),
            Some(r.status.clone()),
            Some(
                serde_json::json!({"outcome": status, "note": note,
                    "amount_fen": change.as_ref().and_then(|c| c.0), "days": terms.days.filter(|_| change.is_some()),
                    "fine_refunded_fen": refunded})
                .to_string(),
            ),
            now_ms,
        )
        .await?;
        tx.commit().await?;
        if revoke_rejection.is_some() {
            self.lists_changed(now_ms).await;
        }
        let mut conn = self.db.conn().await?;
        store::find_review(&mut conn, &r.id)
            .await?
            .ok_or(AppError::NotFound)
    }

    /// The measure's new amount, parameters and release day under a 变更, checked against what
    /// was decided and the legal limits (`measure::validate_review_change`).
    async fn review_change(
        &self,
        r: &ReviewRow,
        terms: ReviewTerms,
        today: chrono::NaiveDate,
    ) -> Result<(Option<i64>, String, Option<String>), AppError> {
        let mut conn = self.db.conn().await?;
        let m = store::find_measure(&mut conn, &r.measure_id)
            .await?
            .ok_or_else(|| AppError::Internal("reviewed measure".into()))?;
        drop(conn);
        let kind = MeasureKind::from_str_opt(&m.kind)
            .ok_or_else(|| AppError::Internal(format!("stored kind {}", m.kind)))?;
        let mut params: crate::measures::StoredParams =
            serde_json::from_str(&m.params).map_err(|e| AppError::Internal(e.to_string()))?;
        let change = match (terms.amount_fen, terms.days) {
            (Some(a), _) if kind == MeasureKind::Fine => {
                measure::ReviewChange::Amount(zhixing_domain::money::Fen::new(a))
            }
            (_, Some(d)) => measure::ReviewChange::Days(d),
            (Some(a), None) => measure::ReviewChange::Amount(zhixing_domain::money::Fen::new(a)),
            (None, None) => {
                return Err(AppError::invalid(
                    "required",
                    if kind == MeasureKind::Fine {
                        "amount_fen"
                    } else {
                        "days"
                    },
                    "变更须填写变更后的罚款金额（分）或拘留天数",
                ));
            }
        };
        measure::validate_review_change(
            kind,
            m.subject_kind == "entity",
            m.amount_fen.map(zhixing_domain::money::Fen::new),
            params.days,
            change,
        )
        .map_err(AppError::Invalid)?;
        Ok(match change {
            measure::ReviewChange::Amount(a) => (Some(a.get()), m.params.clone(), None),
            measure::ReviewChange::Days(d) => {
                params.days = Some(d);
                // Served from the day of detention: a term already past ends today.
                let release = m
                    .executed_on
                    .as_deref()
                    .and_then(|on| chrono::NaiveDate::parse_from_str(on, "%Y-%m-%d").ok())
                    .and_then(|on| on.checked_add_days(chrono::Days::new(u64::from(d))))
                    .map(|rel| ymd(rel.max(today)));
                (
                    None,
                    serde_json::to_string(&params)
                        .map_err(|e| AppError::Internal(e.to_string()))?,
                    release,
                )
            }
        })
    }

    /// The reviews the caller's court still has to decide, earliest decision day first.
    pub async fn reviews_to_decide(&self, actor: &Actor) -> Result<Vec<ReviewRow>, AppError> {
        actor.require(Permission::ApproveMeasure)?;
        let mut conn = self.db.conn().await?;
        Ok(store::pending_reviews_for_court(&mut conn, &actor.court_code, 500).await?)
    }

    /// `reviews_to_decide` with what the deciding 院长 needs beside each review: the case number
    /// and, for a fine or detention, the measure's kind and its current amount or days (the
    /// ceiling of a 变更). Read-only; the higher court does not otherwise see the lower court's case.
    pub async fn reviews_to_decide_detail(
        &self,
        actor: &Actor,
    ) -> Result<Vec<PendingReview>, AppError> {
        actor.require(Permission::ApproveMeasure)?;
        let mut conn = self.db.conn().await?;
        Ok(
            store::pending_reviews_detail(&mut conn, &actor.court_code, 500)
                .await?
                .into_iter()
                .map(|r| PendingReview {
                    days: r
                        .params
                        .as_deref()
                        .and_then(|p| serde_json::from_str::<crate::measures::StoredParams>(p).ok())
                        .and_then(|p| p.days),
                    case_number: r.case_number,
                    kind: r.kind,
                    subject_name: r.subject_name,
                    amount_fen: r.amount_fen,
                    review: r.review,
                })
                .collect(),
        )
    }

    /// The 复议 registered in a case (of its fines, detentions and rejected corrections), for
    /// anyone who can see the case.
    pub async fn case_reviews(
        &self,
        actor: &Actor,
        case_id: &str,
    ) -> Result<Vec<ReviewRow>, AppError> {
        let mut conn = self.db.conn().await?;
        let case = self.visible_case(&mut conn, actor, case_id).await?;
        Ok(store::reviews_of_case(&mut conn, &case.court_code, &case.id).await?)
    }
}

/// A review waiting for the higher court, with what it is about.
#[derive(Debug, Clone)]
pub struct PendingReview {
    pub review: ReviewRow,
    pub case_number: String,
    /// The reviewed measure's kind (`fine`, `detention`); None for a correction.
    pub kind: Option<String>,
    pub subject_name: Option<String>,
    /// The fine as it stands, in 分.
    pub amount_fen: Option<i64>,
    /// The detention's days as they stand.
    pub days: Option<u32>,
}
