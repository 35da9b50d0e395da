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

use serde::Deserialize;
use zhixing_domain::calendar::LegalCalendar;
use zhixing_domain::measure::{self, MeasureKind};
use zhixing_domain::role::Permission;
use zhixing_domain::time::china_date;
use zhixing_store::batch;
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

impl App {
    /// Register an application for 复议 of a fine or detention of this court.
    pub async fn apply_review(
        &self,
        actor: &Actor,
        measure_id: &str,
        input: &ReviewInput,
        now_ms: i64,
    ) -> Result<ReviewRow, AppError> {
        let today = china_date(now_ms);
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
        if let Some(eff) = &m.effective_on
            && ymd(received) < *eff
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
        let apply_by = measure::review_apply_by(received, cal)
            .map_err(|e| AppError::Internal(e.to_string()))?;
        if applied > apply_by {
            return Err(AppError::invalid(
                "review_late",
                "applied_on",
                format!(
                    "复议应自收到决定书之日起三日内提出（民诉法解释第一百八十五条），最后一日为 {}",
                    ymd(apply_by)
                ),
            ));
        }
        let decide_by = measure::review_decide_by(applied, cal)
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let mut conn = self.db.conn().await?;
        let court = courts::find(&mut conn, &m.court_code)
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
            court_code: m.court_code.clone(),
            id: new_id(),
            measure_id: m.id.clone(),
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
        };
        let backend = self.db.backend();
        let mut tx = self.db.begin().await?;
        // 复议一次 (CPL art 119) is the key UNIQUE (court_code, measure_id).
        match batch::run(&mut tx, vec![store::insert_review_stmt(&row)]).await {
            Err(e) if e.is_conflict() => {
                return Err(AppError::conflict(
                    "review_exists",
                    "对该决定已申请过复议（民事诉讼法第一百一十九条：复议一次）",
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
            "sanction_review_application",
            applied,
            &format!("{}申请复议（{}）", row.applicant, kind.name_zh()),
            &actor.user_id,
            now_ms,
        )
        .await?;
        write_audit(
            &mut tx,
            backend,
            actor,
            "measure.review_apply",
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

    /// The higher court decides: `upheld` (维持) or `revoked` (撤销: the measure stops; a
    /// detention still running ends today). Execution was never stayed meanwhile (CPL art 119).
    pub async fn decide_review(
        &self,
        actor: &Actor,
        review_id: &str,
        outcome: &str,
        note: &str,
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
            _ => {
                return Err(AppError::invalid(
                    "unknown_outcome",
                    "outcome",
                    "复议结果应为 upheld（维持）或 revoked（撤销）",
                ));
            }
        };
        let note = text(note, 2000, true, "note")?;
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
        if status == "revoked" {
            stmts.push(store::revoke_measure_stmt(
                &r.court_code,
                &r.measure_id,
                &ymd(today),
                now_ms,
            ));
        }
        let rows = batch::run(&mut tx, stmts).await?;
        if !rows
            .iter()
            .any(|x| sqlx::Row::try_get::<String, _>(x, "decided_id").is_ok())
        {
            return Err(AppError::conflict("already_decided", "该复议已作出决定"));
        }
        record_system_event(
            &mut tx,
            &r.court_code,
            &r.case_id,
            "sanction_review_decision",
            today,
            if status == "revoked" {
                "上一级法院复议决定：撤销"
            } else {
                "上一级法院复议决定：维持"
            },
            &actor.user_id,
            now_ms,
        )
        .await?;
        write_audit(
            &mut tx,
            backend,
            actor,
            "measure.review_decide",
            "measure_review",
            &r.id,
            Some(&r.case_id),
            Some(r.status.clone()),
            Some(serde_json::json!({"outcome": status, "note": note}).to_string()),
            now_ms,
        )
        .await?;
        tx.commit().await?;
        let mut conn = self.db.conn().await?;
        store::find_review(&mut conn, &r.id)
            .await?
            .ok_or(AppError::NotFound)
    }

    /// The reviews the caller's court still has to decide, earliest decision day first.
    pub async fn reviews_to_decide(&self, actor: &Actor) -> Result<Vec<ReviewRow>, AppError> {
        actor.require(Permission::ApproveMeasure)?;
        let mut conn = self.db.conn().await?;
        Ok(store::pending_reviews_for_court(&mut conn, &actor.court_code, 500).await?)
    }
}
