//! Permission to consume under a 限制消费令 (XF2015 art 3 para 2 and art 8): staff record a
//! restricted person's application against the court's 限制消费 in effect; the court's 院长
//! grants or refuses it once.
//!
//! - Who applies: the restricted debtor, or one of an entity debtor's bound persons stored with
//!   the measure (`persons`), matched by name and ID number (`domain::consumption::restricted_role`).
//! - Grounds: `private_own_assets` (art 3 para 2, bound persons only) and `necessity` (art 8,
//!   the debtor); the period starts no earlier than the application and lasts at most 90 days.
//! - Who decides: `Permission::ApproveMeasure` (the 院长). The regulation says only 「人民法院」
//!   (art 8: 「获批准后方可进行」; art 3 para 2: 「执行法院审查属实的，应予准许」); a permission relieves
//!   part of an order that only the 院长 may sign (XF2015 art 5), so the strict reading gives its
//!   relief to the same signer rather than to the handler or the 执行局长.
//! - A decision happens once: a status-guarded UPDATE, so a second decision is 409.
//! - The partners learn of it through the signed feed (`list_changes`): a grant writes a
//!   `permission_granted` event in the decision's transaction, and lifting the order writes a
//!   `permission_ended` event for each grant not yet over in the lifting's transaction
//!   ([`permission_change`]), so no event is lost or doubled and the cursor order is the commit
//!   order of the rest of the feed.

use serde::{Deserialize, Serialize};
use zhixing_domain::consumption::{self as rules, ApplicationInput};
use zhixing_domain::measure::MeasureKind;
use zhixing_domain::role::Permission;
use zhixing_domain::time::china_date;
use zhixing_store::batch;
use zhixing_store::consumption::{self as store, PermissionRow};
use zhixing_store::measures::{ListChangeRow, ListEntryRow, MeasureRow, PERMISSION_OPS};

use crate::admin::audit as write_audit;
use crate::deadlines::ymd;
use crate::measures::StoredParams;
use crate::{Actor, App, AppError, new_id};

/// An application as staff record it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PermissionInput {
    pub applicant_name: String,
    /// ID number, or the entity's credit code when the entity itself applies.
    pub applicant_id_number: String,
    /// One of `domain::consumption::ACTS`' codes.
    pub act: String,
    /// private_own_assets | necessity
    pub ground: String,
    pub reason: String,
    /// First and last day the permission covers (YYYY-MM-DD).
    pub from: String,
    pub to: String,
}

/// A consumption-permission event of the partners' feed: the `payload` of a `list_changes` row
/// whose op is `permission_granted` or `permission_ended`. What an airline or the railway needs to
/// let the act through on those days and no longer; no reasons, no ground.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PermissionEvent {
    pub permission_id: String,
    /// permission_granted | permission_ended
    pub op: String,
    /// The applicant's entry on the 限制消费 list under the order relieved ("" if none): the
    /// partner applies the permission to that entry only (another order binding the same person
    /// is not relieved, XF2015 arts 3, 8).
    pub entry_id: String,
    /// Applicant: name and full ID number (or credit code), as the list entries carry them.
    pub name: String,
    pub id_number: String,
    /// One of the nine acts of XF2015 art 3 para 1 (code) and its text.
    pub act: String,
    pub act_text: String,
    /// `YYYY-MM-DD`, both days counted, as granted.
    pub from: String,
    pub to: String,
    /// The 限制消费令 relieved: measure id, document number, its case number.
    pub measure_id: String,
    pub order_number: String,
    pub case_number: String,
    /// The court that issued the order and granted the permission: name and code.
    pub court: String,
    pub court_code: String,
    /// Day of the grant.
    pub granted_on: String,
    /// `permission_ended`: the first day it no longer applies (the order's lifting day) …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_on: Option<String>,
    /// … and why: `order_lifted` (the 限制消费令 it relieves was lifted or ended).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_reason: Option<String>,
}

/// The feed record of a permission event (`op`: one of [`PERMISSION_OPS`]) for the grant `p`
/// under the order `m` of the case numbered `case_number` in the court named `court_name`;
/// `entries` are the case's list entries, read after the order was held (the applicant's entry
/// under the order is named). None while that entry's 'add' is not in the feed (a grace period,
/// 宽限期, delays it): no partner hears of a restricted person before the court publishes, and
/// the grant goes out after the 'add' on the publication date ([`App::publish_due_feed`]); an
/// order lifted before then ends grants no partner heard of. The caller writes it in the
/// transaction of the decision, the publication or the lifting.
pub(crate) fn permission_change(
    p: &PermissionRow,
    m: &MeasureRow,
    case_number: &str,
    court_name: &str,
    entries: &[ListEntryRow],
    ended_on: Option<&str>,
    now_ms: i64,
) -> Result<Option<ListChangeRow>, AppError> {
    let op = if ended_on.is_some() {
        PERMISSION_OPS[1]
    } else {
        PERMISSION_OPS[0]
    };
    let entry = entries
        .iter()
        .filter(|e| {
            e.list == "restricted"
                && e.measure_id.as_deref() == Some(m.id.as_str())
                && e.id_number.eq_ignore_ascii_case(&p.applicant_id_number)
        })
        .min_by_key(|e| e.status != "listed");
    if entry.is_some_and(|e| e.feed_sent == 0) {
        return Ok(None);
    }
    let event = PermissionEvent {
        permission_id: p.id.clone(),
        op: op.to_owned(),
        entry_id: entry.map(|e| e.id.clone()).unwrap_or_default(),
        name: p.applicant_name.clone(),
        id_number: p.applicant_id_number.clone(),
        act: p.act.clone(),
        act_text: rules::act(&p.act)
            .map(|a| a.text_zh.to_owned())
            .unwrap_or_default(),
        from: p.period_from.clone(),
        to: p.period_to.clone(),
        measure_id: m.id.clone(),
        order_number: m.document_number.clone(),
        case_number: case_number.to_owned(),
        court: court_name.to_owned(),
        court_code: p.court_code.clone(),
        granted_on: p.decided_on.clone().unwrap_or_default(),
        ended_on: ended_on.map(str::to_owned),
        end_reason: ended_on.map(|_| "order_lifted".to_owned()),
    };
    Ok(Some(ListChangeRow {
        court_code: p.court_code.clone(),
        id: new_id(),
        entry_id: event.entry_id.clone(),
        list: "restricted".into(),
        op: op.to_owned(),
        payload: serde_json::to_string(&event).map_err(|e| AppError::Internal(e.to_string()))?,
        created_at: now_ms,
    }))
}

impl App {
    /// Record an application for permission to consume under the 限制消费 `measure_id`.
    pub async fn apply_consumption_permission(
        &self,
        actor: &Actor,
        measure_id: &str,
        input: &PermissionInput,
        now_ms: i64,
    ) -> Result<PermissionRow, AppError> {
        let today = china_date(now_ms);
        let (case, m) = self
            .writable_measure(actor, measure_id, Permission::ProposeMeasure)
            .await?;
        if MeasureKind::from_str_opt(&m.kind) != Some(MeasureKind::ConsumptionRestriction) {
            return Err(AppError::invalid(
                "not_a_restriction",
                "measure",
                "消费许可只能针对限制消费令申请（限制消费规定第三条第二款、第八条）",
            ));
        }
        if m.status != "effective" {
            return Err(AppError::conflict(
                "not_effective",
                "该限制消费令未生效或已解除，无须申请消费许可",
            ));
        }
        let stored: StoredParams =
            serde_json::from_str(&m.params).map_err(|e| AppError::Internal(e.to_string()))?;
        let role = rules::restricted_role(
            &m.subject_name,
            &m.subject_id_number,
            &stored.persons,
            &input.applicant_name,
            &input.applicant_id_number,
        )
        .map_err(AppError::Invalid)?;
        let app = rules::validate_application(
            ApplicationInput {
                act: &input.act,
                ground: &input.ground,
                reason: &input.reason,
                from: &input.from,
                to: &input.to,
            },
            role,
            today,
        )
        .map_err(AppError::Invalid)?;
        let row = PermissionRow {
            court_code: case.court_code.clone(),
            id: new_id(),
            case_id: case.id.clone(),
            measure_id: m.id.clone(),
            applicant_name: input.applicant_name.trim().to_owned(),
            applicant_id_number: input.applicant_id_number.trim().to_uppercase(),
            applicant_role: role.as_str().to_owned(),
            act: app.act.code.to_owned(),
            ground: app.ground.as_str().to_owned(),
            reason: app.reason,
            period_from: ymd(app.from),
            period_to: ymd(app.to),
            status: "applied".into(),
            applied_on: ymd(today),
            decided_by: None,
            decided_on: None,
            decision_note: None,
            created_at: now_ms,
            updated_at: now_ms,
        };
        let backend = self.db.backend();
        let mut tx = self.db.begin().await?;
        batch::run(&mut tx, vec![store::insert_permission_stmt(&row)]).await?;
        write_audit(
            &mut tx,
            backend,
            actor,
            "measure.consumption_apply",
            "consumption_permission",
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

    /// Grant or refuse an application (院长 of the measure's court); a refusal gives reasons.
    pub async fn decide_consumption_permission(
        &self,
        actor: &Actor,
        id: &str,
        grant: bool,
        note: &str,
        now_ms: i64,
    ) -> Result<PermissionRow, AppError> {
        let today = china_date(now_ms);
        let mut conn = self.db.conn().await?;
        let p = store::find_permission(&mut conn, id)
            .await?
            .ok_or(AppError::NotFound)?;
        self.writable_case(&mut conn, actor, &p.case_id, Permission::ApproveMeasure)
            .await?;
        // A grant relieves part of an order in force: once the 限制消费令 is lifted or ended there
        // is nothing left to permit (a refusal is still recorded).
        if grant
            && zhixing_store::measures::find_measure(&mut conn, &p.measure_id)
                .await?
                .is_none_or(|m| m.status != "effective")
        {
            return Err(AppError::conflict(
                "not_effective",
                "限制消费令已不在执行中，无需准许",
            ));
        }
        drop(conn);
        let to = zhixing_domain::case::parse_date(&p.period_to)
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let (status, note) = rules::decide(&p.status, grant, note, to, today).map_err(|e| {
            if e.code == "already_decided" {
                AppError::conflict("already_decided", e.message)
            } else {
                AppError::Invalid(e)
            }
        })?;
        let backend = self.db.backend();
        let mut tx = self.db.begin().await?;
        let after = PermissionRow {
            status: status.to_owned(),
            decided_by: Some(actor.user_id.clone()),
            decided_on: Some(ymd(today)),
            decision_note: Some(note.clone()),
            updated_at: now_ms,
            ..p.clone()
        };
        let mut stmts = Vec::new();
        if grant {
            // The order is held (and re-checked) first in this transaction, and the partners' feed
            // gets the grant in it: lifting the order either comes after and ends the grant in
            // the feed, or came first and this grant is 409 (see `store::hold_order_stmt`).
            let held = batch::run(
                &mut tx,
                vec![store::hold_order_stmt(&p.court_code, &p.measure_id)],
            )
            .await?;
            if !batch::returned(&held, "live_order") {
                // Lifted meanwhile: nothing of this grant happens (the transaction rolls back).
                return Err(AppError::conflict(
                    "not_effective",
                    "限制消费令已不在执行中，无需准许",
                ));
            }
            let m = zhixing_store::measures::find_measure(&mut tx, &p.measure_id)
                .await?
                .ok_or_else(|| AppError::Internal(format!("measure {}", p.measure_id)))?;
            let case = zhixing_store::cases::find_case(&mut tx, &p.case_id)
                .await?
                .ok_or(AppError::NotFound)?;
            let court_name = zhixing_store::courts::find(&mut tx, &p.court_code)
                .await?
                .map(|c| c.name)
                .unwrap_or_default();
            let entries =
                zhixing_store::measures::entries_of_case(&mut tx, &p.court_code, &p.case_id)
                    .await?;
            if let Some(c) = permission_change(
                &after,
                &m,
                &case.case_number,
                &court_name,
                &entries,
                None,
                now_ms,
            )? {
                stmts.push(zhixing_store::measures::insert_change_stmt(&c));
            }
        }
        stmts.push(store::decide_permission_stmt(
            &p.court_code,
            &p.id,
            status,
            &ymd(today),
            &actor.user_id,
            &note,
            now_ms,
        ));
        let rows = batch::run(&mut tx, stmts).await?;
        // Decided meanwhile (even by the same user's double submit): nothing of this one happens.
        if !batch::returned(&rows, "decided_id") {
            return Err(AppError::conflict(
                "already_decided",
                "该申请已作出决定（准许或不准许均为终局）",
            ));
        }
        write_audit(
            &mut tx,
            backend,
            actor,
            "measure.consumption_decide",
            "consumption_permission",
            &p.id,
            Some(&p.case_id),
            Some(serde_json::json!({"status": p.status}).to_string()),
            Some(
                serde_json::json!({"status": after.status, "note": after.decision_note})
                    .to_string(),
            ),
            now_ms,
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// The applications of a case the actor can see, oldest first.
    pub async fn case_consumption_permissions(
        &self,
        actor: &Actor,
        case_id: &str,
    ) -> Result<Vec<PermissionRow>, AppError> {
        let mut conn = self.db.conn().await?;
        let case = self.visible_case(&mut conn, actor, case_id).await?;
        Ok(store::permissions_of_case(&mut conn, &case.court_code, &case.id).await?)
    }

    /// The decision on an application as DOCX (准许 or 不予准许, signed by the 院长 who decided),
    /// once decided; 409 `not_decided` before.
    pub async fn consumption_permission_document(
        &self,
        actor: &Actor,
        id: &str,
    ) -> Result<crate::documents::Document, AppError> {
        let mut conn = self.db.conn().await?;
        let p = store::find_permission(&mut conn, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let case = self.visible_case(&mut conn, actor, &p.case_id).await?;
        if p.status == "applied" {
            return Err(AppError::conflict(
                "not_decided",
                "申请尚未决定，还没有决定书",
            ));
        }
        let court = zhixing_store::courts::find(&mut conn, &case.court_code)
            .await?
            .map(|c| c.name)
            .unwrap_or_default();
        let parties =
            zhixing_store::cases::parties_of(&mut conn, &case.court_code, &case.id).await?;
        let restriction = zhixing_store::measures::find_measure(&mut conn, &p.measure_id)
            .await?
            .map(|m| m.document_number)
            .unwrap_or_default();
        let president = match &p.decided_by {
            Some(u) => zhixing_store::users::find_user(&mut conn, u)
                .await?
                .map(|u| u.name),
            None => None,
        }
        .unwrap_or_else(|| "（院长）".into());
        drop(conn);
        let names = |role: &str| {
            parties
                .iter()
                .filter(|x| x.role == role)
                .map(|x| x.name.clone())
                .collect::<Vec<_>>()
                .join("、")
        };
        let ground = rules::Ground::from_str_opt(&p.ground);
        let role = rules::ApplicantRole::from_str_opt(&p.applicant_role)
            .map_or("", rules::ApplicantRole::name_zh);
        // Dates in the body as courts write them (2024年9月28日).
        let zh = |d: &str| {
            chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
                .map_or_else(|_| d.to_owned(), |d| d.format("%Y年%-m月%-d日").to_string())
        };
        let period = format!("{}至{}", zh(&p.period_from), zh(&p.period_to));
        let decision = if p.status == "granted" {
            format!(
                "经审查，申请人所述属实。依照《最高人民法院关于限制被执行人高消费及有关消费的若干规定》{}的规定，决定如下：准许申请人于{period}期间实施上述消费行为。",
                ground.map_or("", |g| g.article().trim_start_matches("限制消费规定"))
            )
        } else {
            format!(
                "经审查，决定如下：不予准许。理由：{}。",
                p.decision_note.clone().unwrap_or_default()
            )
        };
        let f = zhixing_docs::Fields::new()
            .set("court_name", court)
            .set("case_number", case.case_number.clone())
            .set("permit_applicant", p.applicant_name.clone())
            .set(
                "permit_role",
                if p.applicant_role == "debtor" {
                    "系本案被执行人".to_owned()
                } else {
                    format!("系本案被执行人{}的{role}", names("debtor"))
                },
            )
            .set("applicant_name", names("applicant"))
            .set("debtor_name", names("debtor"))
            .set("claim_amount", crate::documents::claim_text(case.claim_fen))
            .set("restriction_number", restriction)
            .set("permit_applied", zh(&p.applied_on))
            .set("permit_ground", ground.map_or("", rules::Ground::name_zh))
            .set("permit_period", period)
            .set(
                "consumption_act",
                rules::act(&p.act).map_or(p.act.as_str(), |a| a.text_zh),
            )
            .set("permit_reason", p.reason.trim_end_matches('。').to_owned())
            .set("decision_text", decision)
            .set("president_name", president)
            .set(
                "date",
                p.decided_on.clone().unwrap_or_else(|| p.applied_on.clone()),
            );
        let kind = zhixing_docs::DocKind::ConsumptionPermission;
        let docx = zhixing_docs::render(kind, &f, &self.doc_templates)
            .map_err(|e| AppError::invalid("document", "template", e.to_string()))?;
        let text = zhixing_docs::render_text(kind, &f, &self.doc_templates)
            .map_err(|e| AppError::invalid("document", "template", e.to_string()))?;
        Ok(crate::documents::Document {
            file_name: format!("{}-{}.docx", kind.name_zh(), case.case_number),
            docx,
            text,
        })
    }
}
