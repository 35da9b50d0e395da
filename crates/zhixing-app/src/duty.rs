//! Duty use cases of issue 4: reward notices (执行悬赏, INV arts 21–24), 执行110 tip-offs with 临控,
//! and 拒执罪 referrals (CRIM art 313; REFUSE 法释〔2024〕13号), plus the per-court duty settings.
//!
//! Each use case takes the actor (or, for the public portal, nobody: the audit record names
//! 「公众」), `now_ms` and its input, validates through `zhixing_domain::duty`, and writes in one
//! transaction with its audit record. Tipster and reporter identities never go into audit
//! records (a referral's evidence package copies the case's audit records) nor to the public.

use chrono::NaiveDate;
use zhixing_domain::audit::sm3_hex;
use zhixing_domain::case::parse_date;
use zhixing_domain::deadline::find_node;
use zhixing_domain::duty::{self as rules, RewardPromise};
use zhixing_domain::role::{Permission, Role};
use zhixing_domain::time::{china_date, china_datetime_text};
use zhixing_domain::{FieldError, RuleError};
use zhixing_store::batch::{self, Stmt};
use zhixing_store::cases::{self, CaseRow};
use zhixing_store::deadlines::NotificationRow;
use zhixing_store::duty::{
    self as store, ControlRow, DutySettings, LeadRow, PayoutRow, PublicNotice, ReferralRow,
    RewardRow, TipoffRow,
};
use zhixing_store::{Conn, courts, users};

use crate::admin::audit as write_audit;
use crate::deadlines::{record_system_event, ymd};
use crate::{Actor, App, AppError, new_id};

/// Process nodes the reward feeds into the deadline engine (INV art 21 para 2: decision within 10 days).
/// [`feed_deadline`] skips a node the catalogue does not have (a court's data older than the nodes).
pub const REWARD_APPLICATION_NODE: &str = "reward_application";
pub const REWARD_DECISION_NODE: &str = "reward_decision";

/// Largest page of the public notice list.
pub const MAX_PAGE_SIZE: i64 = 50;

/// The court defaults when a court has not set its own.
pub const DEFAULT_SETTINGS: DutySettings = DutySettings {
    urgent_response_minutes: rules::DEFAULT_URGENT_MINUTES,
    normal_response_minutes: rules::DEFAULT_NORMAL_MINUTES,
    referral_transfer_days: rules::DEFAULT_TRANSFER_DAYS,
    referral_trial_days: rules::DEFAULT_TRIAL_DAYS,
};

/// Record `node` as a system event of the case (completing and starting its deadlines) when the
/// process-node catalogue has it; returns whether it did. Inside the caller's transaction.
#[allow(clippy::too_many_arguments)]
pub async fn feed_deadline(
    tx: &mut Conn,
    court: &str,
    case_id: &str,
    node: &str,
    on: NaiveDate,
    note: &str,
    actor_id: &str,
    now_ms: i64,
) -> Result<bool, AppError> {
    if find_node(node).is_none() {
        return Ok(false);
    }
    record_system_event(tx, court, case_id, node, on, note, actor_id, now_ms).await?;
    Ok(true)
}

/// The author of a write that comes from the public portal (no login).
fn public_actor(court: &str) -> Actor {
    Actor {
        user_id: "public".into(),
        username: "public".into(),
        name: "公众（网上提交）".into(),
        court_code: court.into(),
        court_path: String::new(),
        role: Role::Partner,
        team_id: None,
    }
}

pub(crate) fn text(raw: &str, max: usize, required: bool, field: &str) -> Result<String, AppError> {
    rules::clean_text(raw, max, required).map_err(|e| AppError::Invalid(e.at(field)))
}

fn opt_text(raw: Option<&str>, max: usize, field: &str) -> Result<Option<String>, AppError> {
    match raw {
        None => Ok(None),
        Some(r) => {
            let s = text(r, max, false, field)?;
            Ok((!s.is_empty()).then_some(s))
        }
    }
}

fn phone(raw: &str, field: &str) -> Result<String, AppError> {
    rules::parse_phone(raw).map_err(|e| AppError::Invalid(e.at(field)))
}

/// A date input: empty means today; not in the future.
fn date_or_today(raw: &str, field: &str, now_ms: i64) -> Result<NaiveDate, AppError> {
    let today = china_date(now_ms);
    if raw.trim().is_empty() {
        return Ok(today);
    }
    let d = parse_date(raw).map_err(|e| AppError::Invalid(e.at(field)))?;
    if d > today {
        return Err(AppError::invalid(
            "date_in_future",
            field,
            format!("日期 {d} 晚于今天 {today}"),
        ));
    }
    Ok(d)
}

fn rule(field: &str) -> impl Fn(RuleError) -> AppError + '_ {
    move |e| AppError::Invalid(e.at(field))
}

fn stale() -> AppError {
    AppError::Conflict {
        code: "changed_concurrently",
        field: None,
        message: "记录已被他人修改，请刷新后重试".into(),
    }
}

fn state_conflict(e: RuleError) -> AppError {
    AppError::Conflict {
        code: e.code,
        field: Some("status".into()),
        message: e.message,
    }
}

/// Run a guarded update (`… RETURNING id`): no row back means someone changed the row first.
async fn guarded(tx: &mut Conn, stmt: Stmt) -> Result<(), AppError> {
    if batch::run(tx, vec![stmt]).await?.is_empty() {
        return Err(stale());
    }
    Ok(())
}

fn court_write(actor: &Actor, court: &str) -> Result<(), AppError> {
    if actor.writes_in(court) {
        Ok(())
    } else {
        Err(AppError::forbidden("court_scope", "只能办理本院的事项"))
    }
}

fn json(v: serde_json::Value) -> Option<String> {
    Some(v.to_string())
}

// ---------------------------------------------------------------------------------------------
// Settings
// ---------------------------------------------------------------------------------------------

/// Changes to a court's duty settings; None leaves a value as it is.
#[derive(Debug, Clone, Default)]
pub struct SettingsInput {
    pub urgent_response_minutes: Option<i64>,
    pub normal_response_minutes: Option<i64>,
    pub referral_transfer_days: Option<i64>,
    pub referral_trial_days: Option<i64>,
}

// ---------------------------------------------------------------------------------------------
// Rewards
// ---------------------------------------------------------------------------------------------

/// The applicant's written reward application as staff record it (INV art 21).
#[derive(Debug, Clone, Default)]
pub struct RewardInput {
    pub applicant_name: String,
    pub amount_fen: Option<i64>,
    pub formula: Option<String>,
    /// The applicant promises to pay the reward (out of the money recovered).
    pub promise_to_pay: bool,
    /// Where the notice is to be published (INV art 21(3)/22: 全国法院执行悬赏公告平台, court Weibo or
    /// WeChat, posted at the court or the debtor's residence).
    pub publish_via: String,
    /// How the public reaches the court about this notice (phone, address), shown on the notice.
    pub channel: String,
    /// `YYYY-MM-DD`; empty = today.
    pub applied_on: String,
    /// The debtor the notice is about; None = the case's first debtor.
    pub debtor_party_id: Option<String>,
}

/// A notice with its live figures.
#[derive(Debug, Clone)]
pub struct RewardView {
    pub notice: RewardRow,
    pub leads: i64,
    pub verified_leads: i64,
    /// ≥1 verified lead that led to recovery.
    pub successful: bool,
    pub recovered_fen: i64,
    pub paid_fen: i64,
    /// Still undecided after `decide_by` (INV art 21 para 2: 10 days).
    pub decision_overdue: bool,
    /// Decided after `decide_by`.
    pub decided_late: bool,
}

/// Success of a court's notices: published ones, those with a verified lead that led to recovery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RewardStats {
    pub published: i64,
    pub successful: i64,
    /// successful / published in ‰, None without published notices.
    pub rate_permille: Option<i64>,
}

/// A lead from the public form or staff intake.
#[derive(Debug, Clone, Default)]
pub struct TipInput {
    pub content: String,
    pub tipster_name: String,
    pub tipster_phone: String,
}

/// What the public gets back for a tip: a receipt, nothing else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TipReceipt {
    pub receipt_no: String,
    pub received_at: i64,
}

#[derive(Debug, Clone, Default)]
pub struct VerifyInput {
    pub verified: bool,
    pub note: String,
    pub led_to_recovery: bool,
    pub recovered_fen: i64,
    pub on: String,
}

#[derive(Debug, Clone, Default)]
pub struct PayoutInput {
    pub amount_fen: i64,
    pub paid_on: String,
    pub payee_name: String,
    /// The payee is neither the applicant's agent nor a person obliged to provide asset leads (INV art 24 para 3).
    pub declaration: bool,
}

fn promise_of(n: &RewardRow) -> RewardPromise {
    match (&n.formula, n.amount_fen) {
        (Some(f), _) => RewardPromise::Formula {
            percent: rules::formula_percent(f),
            text: f.clone(),
        },
        (None, a) => RewardPromise::Fixed(a.unwrap_or(0)),
    }
}

// ---------------------------------------------------------------------------------------------
// Tip-offs
// ---------------------------------------------------------------------------------------------

/// A 执行110 tip-off from the public form or the phone operator.
#[derive(Debug, Clone, Default)]
pub struct TipoffInput {
    /// The court the tip is for (public form; staff intake uses the operator's court).
    pub court: String,
    pub case_number: Option<String>,
    pub debtor_name: String,
    /// whereabouts | vehicle | assets | other
    pub kind: String,
    pub urgent: bool,
    /// What was seen.
    pub content: String,
    /// Where it was seen.
    pub location: String,
    pub reporter_name: String,
    pub reporter_phone: String,
}

#[derive(Debug, Clone)]
pub struct TipoffView {
    pub tip: TipoffRow,
    /// Not responded and past `respond_by`.
    pub overdue: bool,
    pub team_name: Option<String>,
    pub controls: Vec<ControlRow>,
}

/// Tip-offs per page of the duty desk's list.
pub const TIPOFF_PAGE_SIZE: i64 = 100;

/// Which tip-offs a staff list asks for.
#[derive(Debug, Clone, Default)]
pub struct TipoffQuery {
    /// new | dispatched | responded | closed
    pub status: Option<String>,
    /// Everything not closed (the duty desk's working list).
    pub open_only: bool,
    /// Only those past their response time unanswered.
    pub overdue: bool,
    /// 1-based; `None` is the first page.
    pub page: Option<i64>,
}

/// One page of tip-offs and how many there are in all.
#[derive(Debug, Clone)]
pub struct TipoffPage {
    pub items: Vec<TipoffView>,
    pub total: i64,
    pub page: i64,
    pub page_size: i64,
}

/// The public receipt of a tip-off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TipoffReceipt {
    pub receipt_no: String,
    pub received_at: i64,
}

// ---------------------------------------------------------------------------------------------
// Referrals
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Default)]
pub struct ViolationInput {
    pub on: String,
    /// after_sanction | asset_transfer | other
    pub kind: String,
    pub description: String,
}

#[derive(Debug, Clone, Default)]
pub struct ReferralInput {
    /// The person referred; empty = the case's first debtor.
    pub suspect_name: String,
    pub facts: String,
    pub violations: Vec<ViolationInput>,
}

#[derive(Debug, Clone)]
pub struct ReferralView {
    pub referral: ReferralRow,
    /// Still drafted after `transfer_by` (local 7-day transfer).
    pub transfer_overdue: bool,
    /// Referred/accepted and not judged after `conclude_by` (local 30-day conclusion).
    pub conclude_overdue: bool,
}

fn referral_view(r: ReferralRow, today: NaiveDate) -> ReferralView {
    let t = ymd(today);
    ReferralView {
        transfer_overdue: r.status == "drafted" && t > r.transfer_by,
        conclude_overdue: matches!(r.status.as_str(), "referred" | "accepted")
            && r.conclude_by.as_deref().is_some_and(|c| t.as_str() > c),
        referral: r,
    }
}

const MAX_VIOLATIONS: usize = 100;

impl App {
    // ---- settings -------------------------------------------------------------------------

    /// The actor's court's duty settings (defaults when never set).
    pub async fn duty_settings(&self, actor: &Actor) -> Result<DutySettings, AppError> {
        let mut conn = self.db.conn().await?;
        Ok(store::settings(&mut conn, &actor.court_code, DEFAULT_SETTINGS).await?)
    }

    /// Change the actor's court's response times and referral terms (admin or bureau director).
    pub async fn set_duty_settings(
        &self,
        actor: &Actor,
        input: &SettingsInput,
        now_ms: i64,
    ) -> Result<DutySettings, AppError> {
        actor.require(Permission::ConfigureDeadlines)?;
        let backend = self.db.backend();
        let mut tx = self.db.begin().await?;
        let before = store::settings(&mut tx, &actor.court_code, DEFAULT_SETTINGS).await?;
        let mut s = before;
        if let Some(m) = input.urgent_response_minutes {
            rules::check_response_minutes(m).map_err(rule("urgent_response_minutes"))?;
            s.urgent_response_minutes = m;
        }
        if let Some(m) = input.normal_response_minutes {
            rules::check_response_minutes(m).map_err(rule("normal_response_minutes"))?;
            s.normal_response_minutes = m;
        }
        if let Some(d) = input.referral_transfer_days {
            rules::check_days_setting(d).map_err(rule("referral_transfer_days"))?;
            s.referral_transfer_days = d;
        }
        if let Some(d) = input.referral_trial_days {
            rules::check_days_setting(d).map_err(rule("referral_trial_days"))?;
            s.referral_trial_days = d;
        }
        if s.urgent_response_minutes > s.normal_response_minutes {
            return Err(AppError::invalid(
                "urgent_slower",
                "urgent_response_minutes",
                "紧急线索的响应时限不应长于普通线索",
            ));
        }
        batch::run(
            &mut tx,
            vec![store::upsert_settings_stmt(&actor.court_code, &s, now_ms)],
        )
        .await?;
        let as_json = |s: &DutySettings| {
            serde_json::json!({
                "urgent_response_minutes": s.urgent_response_minutes,
                "normal_response_minutes": s.normal_response_minutes,
                "referral_transfer_days": s.referral_transfer_days,
                "referral_trial_days": s.referral_trial_days,
            })
        };
        write_audit(
            &mut tx,
            backend,
            actor,
            "duty.settings",
            "court",
            &actor.court_code,
            None,
            json(as_json(&before)),
            json(as_json(&s)),
            now_ms,
        )
        .await?;
        tx.commit().await?;
        Ok(s)
    }

    // ---- rewards --------------------------------------------------------------------------

    /// Record the applicant's reward application for a case (INV art 21) and start the 10-day
    /// decision deadline (INV art 21 para 2). Errors (422): `applicant_name`, `amount_fen`/`formula`
    /// (`amount_or_formula`, `amount_positive`), `promise_to_pay` (`promise_required`),
    /// `publish_via`, `channel`, `applied_on`, `debtor_party_id`.
    pub async fn apply_reward(
        &self,
        actor: &Actor,
        case_id: &str,
        input: &RewardInput,
        now_ms: i64,
    ) -> Result<RewardView, AppError> {
        let mut conn = self.db.conn().await?;
        let case = self.visible_case(&mut conn, actor, case_id).await?;
        let parties = cases::parties_of(&mut conn, &case.court_code, &case.id).await?;
        drop(conn);
        actor.require(Permission::ProposeMeasure)?;
        court_write(actor, &case.court_code)?;
        let applicant_name = text(
            &input.applicant_name,
            rules::MAX_NAME_CHARS,
            true,
            "applicant_name",
        )?;
        let promise = rules::reward_promise(input.amount_fen, input.formula.as_deref())
            .map_err(|(f, e)| AppError::Invalid(e.at(f)))?;
        if !input.promise_to_pay {
            return Err(AppError::invalid(
                "promise_required",
                "promise_to_pay",
                "申请书应载明申请人承诺支付悬赏金（INV 第 21 条）",
            ));
        }
        let publish_via = text(&input.publish_via, 200, true, "publish_via")?;
        let channel = text(&input.channel, 200, true, "channel")?;
        let applied = date_or_today(&input.applied_on, "applied_on", now_ms)?;
        if ymd(applied) < case.filed_on {
            return Err(AppError::invalid(
                "before_filing",
                "applied_on",
                format!("申请日期早于立案日期 {}", case.filed_on),
            ));
        }
        let debtor = match &input.debtor_party_id {
            Some(pid) => parties
                .iter()
                .find(|p| &p.id == pid && p.role != "applicant"),
            None => parties.iter().find(|p| p.role != "applicant"),
        }
        .ok_or_else(|| {
            AppError::invalid("unknown_party", "debtor_party_id", "该案件无此被执行人")
        })?;
        let ident = debtor
            .id_number
            .as_deref()
            .or(debtor.credit_code.as_deref())
            .unwrap_or("");
        let (amount_fen, formula) = match &promise {
            RewardPromise::Fixed(a) => (Some(*a), None),
            RewardPromise::Formula { text, .. } => (None, Some(text.clone())),
        };
        let row = RewardRow {
            court_code: case.court_code.clone(),
            id: new_id(),
            case_id: case.id.clone(),
            case_number: case.case_number.clone(),
            applicant_name,
            debtor_name: debtor.name.clone(),
            debtor_id_masked: if ident.is_empty() {
                String::new()
            } else {
                rules::mask_identifier(ident)
            },
            amount_fen,
            formula,
            promise_to_pay: true,
            publish_via,
            channel,
            applied_on: ymd(applied),
            decide_by: ymd(rules::period_end_days(applied, rules::REWARD_DECISION_DAYS)),
            status: "applied".into(),
            decided_on: None,
            decided_by: None,
            decision_note: None,
            published_on: None,
            public_text: None,
            closed_on: None,
            close_note: None,
            last_lead_seq: 0,
            created_by: actor.user_id.clone(),
            created_at: now_ms,
            updated_at: now_ms,
        };
        let backend = self.db.backend();
        let mut tx = self.db.begin().await?;
        batch::run(&mut tx, vec![store::insert_reward_stmt(&row)]).await?;
        feed_deadline(
            &mut tx,
            &case.court_code,
            &case.id,
            REWARD_APPLICATION_NODE,
            applied,
            "悬赏申请",
            &actor.user_id,
            now_ms,
        )
        .await?;
        write_audit(
            &mut tx,
            backend,
            actor,
            "reward.apply",
            "reward_notice",
            &row.id,
            Some(&case.id),
            None,
            json(serde_json::json!({
                "applicant": row.applicant_name, "amount_fen": row.amount_fen, "formula": row.formula,
                "publish_via": row.publish_via, "channel": row.channel, "applied_on": row.applied_on, "decide_by": row.decide_by,
                "debtor": row.debtor_name,
            })),
            now_ms,
        )
        .await?;
        tx.commit().await?;
        self.reward_view_of(row, now_ms).await
    }

    async fn reward_view_of(&self, n: RewardRow, now_ms: i64) -> Result<RewardView, AppError> {
        let mut conn = self.db.conn().await?;
        let leads = store::leads_of(&mut conn, &n.court_code, &n.id).await?;
        let payouts = store::payouts_of(&mut conn, &n.court_code, &n.id).await?;
        Ok(reward_view(n, &leads, &payouts, now_ms))
    }

    /// Load a notice and its case as the actor may see them (404 otherwise).
    async fn visible_reward(
        &self,
        actor: &Actor,
        id: &str,
    ) -> Result<(RewardRow, CaseRow), AppError> {
        let mut conn = self.db.conn().await?;
        let n = store::find_reward(&mut conn, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let case = self.visible_case(&mut conn, actor, &n.case_id).await?;
        Ok((n, case))
    }

    /// The court's decision on an application (president; ApproveMeasure, stricter than the
    /// collegial decision it signs), completing the decision deadline. 409 `reward_state`.
    pub async fn decide_reward(
        &self,
        actor: &Actor,
        id: &str,
        approve: bool,
        note: &str,
        decided_on: &str,
        now_ms: i64,
    ) -> Result<RewardView, AppError> {
        let (n, case) = self.visible_reward(actor, id).await?;
        actor.require(Permission::ApproveMeasure)?;
        court_write(actor, &n.court_code)?;
        let to = if approve { "approved" } else { "refused" };
        rules::reward_transition(&n.status, to).map_err(state_conflict)?;
        let note = text(note, rules::MAX_TEXT_CHARS, !approve, "note")?;
        let on = date_or_today(decided_on, "decided_on", now_ms)?;
        if ymd(on) < n.applied_on {
            return Err(AppError::invalid(
                "before_application",
                "decided_on",
                format!("决定日期早于申请日期 {}", n.applied_on),
            ));
        }
        let prev = n.status.clone();
        let mut m = n;
        m.status = to.into();
        m.decided_on = Some(ymd(on));
        m.decided_by = Some(actor.user_id.clone());
        m.decision_note = Some(note.clone());
        m.updated_at = now_ms;
        let backend = self.db.backend();
        let mut tx = self.db.begin().await?;
        guarded(&mut tx, store::update_reward_stmt(&m, &prev)).await?;
        feed_deadline(
            &mut tx,
            &m.court_code,
            &case.id,
            REWARD_DECISION_NODE,
            on,
            if approve {
                "准许悬赏"
            } else {
                "不予准许悬赏"
            },
            &actor.user_id,
            now_ms,
        )
        .await?;
        write_audit(
            &mut tx,
            backend,
            actor,
            "reward.decide",
            "reward_notice",
            &m.id,
            Some(&case.id),
            json(serde_json::json!({"status": prev})),
            json(
                serde_json::json!({"status": m.status, "decided_on": m.decided_on, "note": note,
                "late": m.decided_on.as_deref().is_some_and(|d| d > m.decide_by.as_str())}),
            ),
            now_ms,
        )
        .await?;
        tx.commit().await?;
        self.reward_view_of(m, now_ms).await
    }

    /// Publish an approved notice: the public text is generated from the notice fields only.
    pub async fn publish_reward(
        &self,
        actor: &Actor,
        id: &str,
        published_on: &str,
        now_ms: i64,
    ) -> Result<RewardView, AppError> {
        let (n, case) = self.visible_reward(actor, id).await?;
        actor.require(Permission::ProposeMeasure)?;
        court_write(actor, &n.court_code)?;
        rules::reward_transition(&n.status, "published").map_err(state_conflict)?;
        let on = date_or_today(published_on, "published_on", now_ms)?;
        let mut conn = self.db.conn().await?;
        let court_name = courts::find(&mut conn, &n.court_code)
            .await?
            .map_or_else(|| n.court_code.clone(), |c| c.name);
        drop(conn);
        let prev = n.status.clone();
        let mut m = n;
        m.public_text = Some(rules::notice_text(
            &court_name,
            &m.case_number,
            &m.debtor_name,
            &m.debtor_id_masked,
            &promise_of(&m),
            &m.channel,
        ));
        m.status = "published".into();
        m.published_on = Some(ymd(on));
        m.updated_at = now_ms;
        let backend = self.db.backend();
        let mut tx = self.db.begin().await?;
        guarded(&mut tx, store::update_reward_stmt(&m, &prev)).await?;
        write_audit(
            &mut tx,
            backend,
            actor,
            "reward.publish",
            "reward_notice",
            &m.id,
            Some(&case.id),
            None,
            json(serde_json::json!({"published_on": m.published_on, "public_text": m.public_text})),
            now_ms,
        )
        .await?;
        tx.commit().await?;
        self.reward_view_of(m, now_ms).await
    }

    /// End a notice (performed, withdrawn, expired).
    pub async fn close_reward(
        &self,
        actor: &Actor,
        id: &str,
        closed_on: &str,
        note: &str,
        now_ms: i64,
    ) -> Result<RewardView, AppError> {
        let (n, case) = self.visible_reward(actor, id).await?;
        actor.require(Permission::ProposeMeasure)?;
        court_write(actor, &n.court_code)?;
        rules::reward_transition(&n.status, "closed").map_err(state_conflict)?;
        let on = date_or_today(closed_on, "closed_on", now_ms)?;
        let note = text(note, rules::MAX_TEXT_CHARS, true, "note")?;
        let prev = n.status.clone();
        let mut m = n;
        m.status = "closed".into();
        m.closed_on = Some(ymd(on));
        m.close_note = Some(note);
        m.updated_at = now_ms;
        let backend = self.db.backend();
        let mut tx = self.db.begin().await?;
        guarded(&mut tx, store::update_reward_stmt(&m, &prev)).await?;
        write_audit(
            &mut tx,
            backend,
            actor,
            "reward.close",
            "reward_notice",
            &m.id,
            Some(&case.id),
            json(serde_json::json!({"status": prev})),
            json(serde_json::json!({"status": "closed", "closed_on": m.closed_on, "note": m.close_note})),
            now_ms,
        )
        .await?;
        tx.commit().await?;
        self.reward_view_of(m, now_ms).await
    }

    /// The reward notices of a case with their figures.
    pub async fn case_rewards(
        &self,
        actor: &Actor,
        case_id: &str,
        now_ms: i64,
    ) -> Result<Vec<RewardView>, AppError> {
        let mut conn = self.db.conn().await?;
        let case = self.visible_case(&mut conn, actor, case_id).await?;
        let list = store::rewards_of_case(&mut conn, &case.court_code, &case.id).await?;
        let mut out = Vec::with_capacity(list.len());
        for n in list {
            let leads = store::leads_of(&mut conn, &n.court_code, &n.id).await?;
            let payouts = store::payouts_of(&mut conn, &n.court_code, &n.id).await?;
            out.push(reward_view(n, &leads, &payouts, now_ms));
        }
        Ok(out)
    }

    /// One notice with its figures.
    pub async fn reward(
        &self,
        actor: &Actor,
        id: &str,
        now_ms: i64,
    ) -> Result<RewardView, AppError> {
        let (n, _) = self.visible_reward(actor, id).await?;
        self.reward_view_of(n, now_ms).await
    }

    /// Success rate of the actor's court: notices with a verified lead that led to recovery out of
    /// published notices.
    pub async fn reward_stats(&self, actor: &Actor) -> Result<RewardStats, AppError> {
        actor.require(Permission::ReadCases)?;
        let mut conn = self.db.conn().await?;
        let (published, successful) = store::court_success(&mut conn, &actor.court_code).await?;
        Ok(RewardStats {
            published,
            successful,
            rate_permille: rules::rate_permille(successful, published),
        })
    }

    /// Published notices for the public portal, newest first; `page` from 1, `page_size` 1–50.
    pub async fn public_rewards(
        &self,
        page: i64,
        page_size: i64,
    ) -> Result<(Vec<PublicNotice>, i64), AppError> {
        if page < 1 {
            return Err(AppError::invalid("out_of_range", "page", "页码从 1 开始"));
        }
        if !(1..=MAX_PAGE_SIZE).contains(&page_size) {
            return Err(AppError::invalid(
                "out_of_range",
                "page_size",
                format!("每页条数应在 1 至 {MAX_PAGE_SIZE} 之间"),
            ));
        }
        let offset = (page - 1).saturating_mul(page_size);
        let mut conn = self.db.conn().await?;
        Ok(store::published_notices(&mut conn, page_size, offset).await?)
    }

    /// A tip on a published notice from the public (no login). Only the receipt comes back;
    /// a notice that is not published is 404.
    pub async fn submit_public_tip(
        &self,
        notice_id: &str,
        input: &TipInput,
        now_ms: i64,
    ) -> Result<TipReceipt, AppError> {
        let mut conn = self.db.conn().await?;
        let n = store::find_reward(&mut conn, notice_id)
            .await?
            .filter(|n| n.status == "published")
            .ok_or(AppError::NotFound)?;
        drop(conn);
        let actor = public_actor(&n.court_code);
        let lead = self
            .register_lead(&actor, &n, input, "public", None, now_ms)
            .await?;
        Ok(TipReceipt {
            receipt_no: lead.receipt_no,
            received_at: lead.received_at,
        })
    }

    /// A lead taken by staff (phone, visit) on a published notice of a visible case.
    pub async fn add_reward_lead(
        &self,
        actor: &Actor,
        notice_id: &str,
        input: &TipInput,
        now_ms: i64,
    ) -> Result<LeadRow, AppError> {
        let (n, _) = self.visible_reward(actor, notice_id).await?;
        actor.require(Permission::TakeRewardLead)?;
        court_write(actor, &n.court_code)?;
        if n.status != "published" {
            return Err(state_conflict(RuleError::new(
                "reward_state",
                "悬赏公告未发布或已结束，不能登记线索",
            )));
        }
        self.register_lead(actor, &n, input, "staff", Some(&actor.user_id), now_ms)
            .await
    }

    async fn register_lead(
        &self,
        actor: &Actor,
        n: &RewardRow,
        input: &TipInput,
        source: &str,
        received_by: Option<&str>,
        now_ms: i64,
    ) -> Result<LeadRow, AppError> {
        let content = text(&input.content, rules::MAX_TEXT_CHARS, true, "content")?;
        let tipster_name = text(
            &input.tipster_name,
            rules::MAX_NAME_CHARS,
            true,
            "tipster_name",
        )?;
        let tipster_phone = phone(&input.tipster_phone, "tipster_phone")?;
        let backend = self.db.backend();
        let mut tx = self.db.begin().await?;
        let rows = batch::run(
            &mut tx,
            vec![store::next_lead_seq_stmt(&n.court_code, &n.id)],
        )
        .await?;
        let seq: i64 = match rows.first() {
            Some(r) => sqlx::Row::try_get(r, "last_lead_seq")?,
            None => {
                return Err(state_conflict(RuleError::new(
                    "reward_state",
                    "悬赏公告未发布或已结束，不能登记线索",
                )));
            }
        };
        let lead = LeadRow {
            court_code: n.court_code.clone(),
            id: new_id(),
            notice_id: n.id.clone(),
            case_id: n.case_id.clone(),
            seq,
            receipt_no: rules::lead_receipt(&n.id, seq),
            source: source.into(),
            content,
            tipster_name,
            tipster_phone,
            status: "registered".into(),
            verify_note: None,
            verified_on: None,
            verified_by: None,
            led_to_recovery: false,
            recovered_fen: 0,
            received_by: received_by.map(Into::into),
            received_at: now_ms,
        };
        batch::run(&mut tx, vec![store::insert_lead_stmt(&lead)]).await?;
        // No tipster identity and no content in the audit record: the case's audit records go into
        // a 拒执 referral's evidence package, and leads are confidential (INV art 23).
        write_audit(
            &mut tx,
            backend,
            actor,
            "reward.lead",
            "reward_lead",
            &lead.id,
            Some(&n.case_id),
            None,
            json(serde_json::json!({"notice": n.id, "seq": seq, "receipt_no": lead.receipt_no, "source": source})),
            now_ms,
        )
        .await?;
        tx.commit().await?;
        Ok(lead)
    }

    /// A notice's leads with the tipsters' identities: only staff who may propose measures, of the
    /// notice's court, on a case they can see.
    pub async fn reward_leads(
        &self,
        actor: &Actor,
        notice_id: &str,
    ) -> Result<Vec<LeadRow>, AppError> {
        let (n, _) = self.visible_reward(actor, notice_id).await?;
        actor.require(Permission::ProposeMeasure)?;
        court_write(actor, &n.court_code)?;
        let mut conn = self.db.conn().await?;
        Ok(store::leads_of(&mut conn, &n.court_code, &n.id).await?)
    }

    /// A notice's payouts with the payees: the payees are the tipsters, so the same staff as
    /// [`App::reward_leads`] only (INV art 23: leads and tipsters kept confidential).
    pub async fn reward_payouts(
        &self,
        actor: &Actor,
        notice_id: &str,
    ) -> Result<Vec<store::PayoutRow>, AppError> {
        let (n, _) = self.visible_reward(actor, notice_id).await?;
        actor.require(Permission::ProposeMeasure)?;
        court_write(actor, &n.court_code)?;
        let mut conn = self.db.conn().await?;
        Ok(store::payouts_of(&mut conn, &n.court_code, &n.id).await?)
    }

    async fn visible_lead(
        &self,
        actor: &Actor,
        id: &str,
    ) -> Result<(LeadRow, RewardRow), AppError> {
        let mut conn = self.db.conn().await?;
        let l = store::find_lead(&mut conn, id)
            .await?
            .ok_or(AppError::NotFound)?;
        drop(conn);
        let (n, _) = self.visible_reward(actor, &l.notice_id).await?;
        actor.require(Permission::ProposeMeasure)?;
        court_write(actor, &n.court_code)?;
        Ok((l, n))
    }

    /// Verify a lead: verified (with whether it led to recovery and how much) or rejected.
    pub async fn verify_lead(
        &self,
        actor: &Actor,
        lead_id: &str,
        input: &VerifyInput,
        now_ms: i64,
    ) -> Result<LeadRow, AppError> {
        let (l, n) = self.visible_lead(actor, lead_id).await?;
        if l.status != "registered" {
            return Err(state_conflict(RuleError::new("lead_state", "该线索已核查")));
        }
        let note = text(&input.note, rules::MAX_TEXT_CHARS, true, "note")?;
        let on = date_or_today(&input.on, "on", now_ms)?;
        if input.recovered_fen < 0 || (!input.led_to_recovery && input.recovered_fen != 0) {
            return Err(AppError::invalid(
                "out_of_range",
                "recovered_fen",
                "执行到位金额应为非负数，且仅在线索促成执行到位时填写",
            ));
        }
        if !input.verified && input.led_to_recovery {
            return Err(AppError::invalid(
                "rejected_recovery",
                "led_to_recovery",
                "未查证属实的线索不能记为促成执行到位",
            ));
        }
        let mut m = l.clone();
        m.status = if input.verified {
            "verified"
        } else {
            "rejected"
        }
        .into();
        m.verify_note = Some(note);
        m.verified_on = Some(ymd(on));
        m.verified_by = Some(actor.user_id.clone());
        m.led_to_recovery = input.led_to_recovery;
        m.recovered_fen = input.recovered_fen;
        let backend = self.db.backend();
        let mut tx = self.db.begin().await?;
        guarded(&mut tx, store::update_lead_stmt(&m, &l.status)).await?;
        write_audit(
            &mut tx,
            backend,
            actor,
            "reward.lead_verify",
            "reward_lead",
            &m.id,
            Some(&n.case_id),
            None,
            json(
                serde_json::json!({"notice": n.id, "seq": m.seq, "status": m.status,
                "led_to_recovery": m.led_to_recovery, "recovered_fen": m.recovered_fen}),
            ),
            now_ms,
        )
        .await?;
        tx.commit().await?;
        Ok(m)
    }

    /// Record a reward paid for a verified lead that led to recovery (INV art 24 para 1): within
    /// what the applicant promised, and only with the payee declaration of INV art 24 para 3.
    pub async fn pay_reward(
        &self,
        actor: &Actor,
        lead_id: &str,
        input: &PayoutInput,
        now_ms: i64,
    ) -> Result<PayoutRow, AppError> {
        let (l, n) = self.visible_lead(actor, lead_id).await?;
        // INV art 24 para 1: the reward is paid when the lead got the applicant's claim realised in
        // whole or in part.
        if l.status != "verified" || !l.led_to_recovery {
            return Err(state_conflict(RuleError::new(
                "lead_not_verified",
                "只有查证属实并使申请执行人的债权全部或部分实现的线索才能发放悬赏金（INV 第 24 条）",
            )));
        }
        let payee_name = text(&input.payee_name, rules::MAX_NAME_CHARS, true, "payee_name")?;
        let on = date_or_today(&input.paid_on, "paid_on", now_ms)?;
        let backend = self.db.backend();
        let mut tx = self.db.begin().await?;
        // Lock the notice, then read the sums inside the write transaction: two payouts cannot
        // both fit the same remainder (READ COMMITTED on PostgreSQL would let them otherwise).
        guarded(
            &mut tx,
            store::lock_reward_stmt(&n.court_code, &n.id, now_ms),
        )
        .await?;
        let leads = store::leads_of(&mut tx, &n.court_code, &n.id).await?;
        let paid: i64 = store::payouts_of(&mut tx, &n.court_code, &n.id)
            .await?
            .iter()
            .map(|p| p.amount_fen)
            .fold(0i64, i64::saturating_add);
        let recovered: i64 = leads
            .iter()
            .filter(|x| x.status == "verified")
            .map(|x| x.recovered_fen)
            .fold(0i64, i64::saturating_add);
        let cap = rules::payout_cap(&promise_of(&n), recovered, paid);
        rules::check_payout(input.amount_fen, cap, input.declaration)
            .map_err(|(f, e)| AppError::Invalid(e.at(f)))?;
        let p = PayoutRow {
            court_code: n.court_code.clone(),
            id: new_id(),
            notice_id: n.id.clone(),
            lead_id: l.id.clone(),
            case_id: n.case_id.clone(),
            amount_fen: input.amount_fen,
            paid_on: ymd(on),
            payee_name,
            declared_not_agent: true,
            recorded_by: actor.user_id.clone(),
            created_at: now_ms,
        };
        batch::run(&mut tx, vec![store::insert_payout_stmt(&p)]).await?;
        write_audit(
            &mut tx,
            backend,
            actor,
            "reward.payout",
            "reward_payout",
            &p.id,
            Some(&n.case_id),
            None,
            json(
                serde_json::json!({"notice": n.id, "lead_seq": l.seq, "amount_fen": p.amount_fen,
                "paid_on": p.paid_on, "declared_not_agent": true}),
            ),
            now_ms,
        )
        .await?;
        tx.commit().await?;
        Ok(p)
    }

    // ---- 执行110 tip-offs ----------------------------------------------------------------

    /// A tip-off from the public form (no login): validated, dispatched, receipt returned.
    pub async fn submit_public_tipoff(
        &self,
        input: &TipoffInput,
        now_ms: i64,
    ) -> Result<TipoffReceipt, AppError> {
        let court = input.court.trim().to_owned();
        let mut conn = self.db.conn().await?;
        if court.is_empty() || courts::find(&mut conn, &court).await?.is_none() {
            return Err(AppError::invalid(
                "unknown_court",
                "court",
                "请选择受理举报的法院",
            ));
        }
        drop(conn);
        let actor = public_actor(&court);
        let t = self
            .create_tipoff(&actor, &court, "public", input, None, now_ms)
            .await?;
        Ok(TipoffReceipt {
            receipt_no: t.receipt_no,
            received_at: t.created_at,
        })
    }

    /// A tip-off taken by the 执行110 phone operator of the actor's court.
    pub async fn intake_tipoff(
        &self,
        actor: &Actor,
        input: &TipoffInput,
        now_ms: i64,
    ) -> Result<TipoffView, AppError> {
        actor.require(Permission::HandleTipoffs)?;
        let court = actor.court_code.clone();
        let t = self
            .create_tipoff(actor, &court, "phone", input, Some(&actor.user_id), now_ms)
            .await?;
        self.tipoff_view_of(t, now_ms, false).await
    }

    async fn create_tipoff(
        &self,
        actor: &Actor,
        court: &str,
        source: &str,
        input: &TipoffInput,
        received_by: Option<&str>,
        now_ms: i64,
    ) -> Result<TipoffRow, AppError> {
        let case_number = opt_text(input.case_number.as_deref(), 100, "case_number")?;
        let debtor_name = text(
            &input.debtor_name,
            rules::MAX_NAME_CHARS,
            true,
            "debtor_name",
        )?;
        let kind = input.kind.trim();
        let kind = if kind.is_empty() { "other" } else { kind };
        rules::check_tip_kind(kind).map_err(rule("kind"))?;
        let content = text(&input.content, rules::MAX_TEXT_CHARS, true, "content")?;
        let location = text(&input.location, 500, true, "location")?;
        let reporter_name = text(
            &input.reporter_name,
            rules::MAX_NAME_CHARS,
            true,
            "reporter_name",
        )?;
        let reporter_phone = phone(&input.reporter_phone, "reporter_phone")?;
        let urgent = rules::tip_is_urgent(kind, input.urgent);
        let backend = self.db.backend();
        let mut tx = self.db.begin().await?;
        let settings = store::settings(&mut tx, court, DEFAULT_SETTINGS).await?;
        let case_id = match &case_number {
            Some(no) => zhixing_store::funds::case_id_by_number(&mut tx, court, no).await?,
            None => None,
        };
        let team = duty_team(&mut tx, court).await?;
        let id = new_id();
        let t = TipoffRow {
            court_code: court.into(),
            receipt_no: tipoff_receipt(&id, now_ms),
            id,
            source: source.into(),
            case_number,
            case_id,
            debtor_name,
            kind: kind.into(),
            urgent,
            content,
            location,
            reporter_name,
            reporter_phone,
            status: if team.is_some() { "dispatched" } else { "new" }.into(),
            dispatched_at: team.as_ref().map(|_| now_ms),
            team_id: team.map(|t| t.id),
            respond_by: rules::respond_by(
                now_ms,
                urgent,
                settings.urgent_response_minutes,
                settings.normal_response_minutes,
            ),
            responded_at: None,
            responded_by: None,
            outcome: None,
            closed_at: None,
            closed_by: None,
            close_note: None,
            received_by: received_by.map(Into::into),
            created_at: now_ms,
        };
        let mut stmts = vec![store::insert_tipoff_stmt(&t)];
        stmts.extend(dispatch_notices(&mut tx, &t, now_ms).await?);
        batch::run(&mut tx, stmts).await?;
        write_audit(
            &mut tx,
            backend,
            actor,
            "tipoff.receive",
            "tipoff",
            &t.id,
            t.case_id.as_deref(),
            None,
            json(
                serde_json::json!({"receipt_no": t.receipt_no, "source": source, "kind": t.kind,
                "urgent": urgent, "team": t.team_id, "respond_by": t.respond_by}),
            ),
            now_ms,
        )
        .await?;
        tx.commit().await?;
        Ok(t)
    }

    async fn tipoff_view_of(
        &self,
        t: TipoffRow,
        now_ms: i64,
        with_controls: bool,
    ) -> Result<TipoffView, AppError> {
        let mut conn = self.db.conn().await?;
        let team_name = match &t.team_id {
            Some(id) => users::find_team(&mut conn, &t.court_code, id)
                .await?
                .map(|t| t.name),
            None => None,
        };
        let controls = if with_controls {
            store::controls_of(&mut conn, &t.court_code, &t.id).await?
        } else {
            Vec::new()
        };
        Ok(TipoffView {
            overdue: tipoff_overdue(&t, now_ms),
            team_name,
            controls,
            tip: t,
        })
    }

    /// The actor's court's tip-offs (HandleTipoffs): by status, or only the overdue ones.
    pub async fn tipoffs(
        &self,
        actor: &Actor,
        status: Option<&str>,
        overdue: bool,
        now_ms: i64,
    ) -> Result<Vec<TipoffView>, AppError> {
        let q = TipoffQuery {
            status: status.map(str::to_owned),
            overdue,
            ..TipoffQuery::default()
        };
        Ok(self.tipoffs_page(actor, &q, now_ms).await?.items)
    }

    /// One page of the caller's court's tip-offs, most urgent deadline first, with the total.
    pub async fn tipoffs_page(
        &self,
        actor: &Actor,
        q: &TipoffQuery,
        now_ms: i64,
    ) -> Result<TipoffPage, AppError> {
        actor.require(Permission::HandleTipoffs)?;
        let status = q.status.as_deref().filter(|s| !s.is_empty());
        if let Some(s) = status
            && !["new", "dispatched", "responded", "closed"].contains(&s)
        {
            return Err(AppError::invalid(
                "unknown_status",
                "status",
                "状态应为 new、dispatched、responded 或 closed",
            ));
        }
        let page = q.page.unwrap_or(1);
        if !(1..=100_000).contains(&page) {
            return Err(AppError::invalid(
                "page_range",
                "page",
                "页码应为 1 至 100000 的整数",
            ));
        }
        let filter = store::TipFilter {
            status,
            open_only: q.open_only,
            overdue_at: q.overdue.then_some(now_ms),
        };
        let mut conn = self.db.conn().await?;
        let total = store::count_tipoffs(&mut conn, &actor.court_code, &filter).await?;
        let rows = store::tipoffs_page(
            &mut conn,
            &actor.court_code,
            &filter,
            TIPOFF_PAGE_SIZE,
            (page - 1) * TIPOFF_PAGE_SIZE,
        )
        .await?;
        let teams = users::teams_of_court(&mut conn, &actor.court_code).await?;
        let items = rows
            .into_iter()
            .map(|t| redact_reporter(actor, t))
            .map(|t| TipoffView {
                overdue: tipoff_overdue(&t, now_ms),
                team_name: t
                    .team_id
                    .as_ref()
                    .and_then(|id| teams.iter().find(|x| &x.id == id))
                    .map(|x| x.name.clone()),
                controls: Vec::new(),
                tip: t,
            })
            .collect();
        Ok(TipoffPage {
            items,
            total,
            page,
            page_size: TIPOFF_PAGE_SIZE,
        })
    }

    async fn own_tipoff(&self, actor: &Actor, id: &str) -> Result<TipoffRow, AppError> {
        actor.require(Permission::HandleTipoffs)?;
        let mut conn = self.db.conn().await?;
        let t = store::find_tipoff(&mut conn, id)
            .await?
            .filter(|t| t.court_code == actor.court_code)
            .ok_or(AppError::NotFound)?;
        Ok(t)
    }

    /// One tip-off with its 临控 requests.
    pub async fn tipoff(
        &self,
        actor: &Actor,
        id: &str,
        now_ms: i64,
    ) -> Result<TipoffView, AppError> {
        let t = redact_reporter(actor, self.own_tipoff(actor, id).await?);
        self.tipoff_view_of(t, now_ms, true).await
    }

    async fn update_tipoff(
        &self,
        actor: &Actor,
        prev: &TipoffRow,
        next: TipoffRow,
        action: &str,
        now_ms: i64,
    ) -> Result<TipoffView, AppError> {
        rules::tipoff_transition(&prev.status, &next.status).map_err(state_conflict)?;
        court_write(actor, &prev.court_code)?;
        let backend = self.db.backend();
        let mut tx = self.db.begin().await?;
        guarded(&mut tx, store::update_tipoff_stmt(&next, &prev.status)).await?;
        if next.status == "dispatched" {
            let notices = dispatch_notices(&mut tx, &next, now_ms).await?;
            if !notices.is_empty() {
                batch::run(&mut tx, notices).await?;
            }
        }
        write_audit(
            &mut tx,
            backend,
            actor,
            action,
            "tipoff",
            &next.id,
            next.case_id.as_deref(),
            json(serde_json::json!({"status": prev.status, "team": prev.team_id})),
            json(
                serde_json::json!({"status": next.status, "team": next.team_id,
                "outcome": next.outcome, "close_note": next.close_note}),
            ),
            now_ms,
        )
        .await?;
        tx.commit().await?;
        self.tipoff_view_of(next, now_ms, true).await
    }

    /// (Re)dispatch a tip-off to a team of the court.
    pub async fn dispatch_tipoff(
        &self,
        actor: &Actor,
        id: &str,
        team_id: &str,
        now_ms: i64,
    ) -> Result<TipoffView, AppError> {
        let t = self.own_tipoff(actor, id).await?;
        let mut conn = self.db.conn().await?;
        let team = users::find_team(&mut conn, &t.court_code, team_id.trim())
            .await?
            .filter(|t| t.active)
            .ok_or_else(|| AppError::invalid("unknown_team", "team_id", "本院无此办案团队"))?;
        drop(conn);
        let mut n = t.clone();
        n.status = "dispatched".into();
        n.team_id = Some(team.id);
        n.dispatched_at = Some(now_ms);
        self.update_tipoff(actor, &t, n, "tipoff.dispatch", now_ms)
            .await
    }

    /// The duty team responded (出警/核查) with an outcome note.
    pub async fn respond_tipoff(
        &self,
        actor: &Actor,
        id: &str,
        outcome: &str,
        now_ms: i64,
    ) -> Result<TipoffView, AppError> {
        let t = self.own_tipoff(actor, id).await?;
        let outcome = text(outcome, rules::MAX_TEXT_CHARS, true, "outcome")?;
        let mut n = t.clone();
        n.status = "responded".into();
        n.responded_at = Some(now_ms);
        n.responded_by = Some(actor.user_id.clone());
        n.outcome = Some(outcome);
        self.update_tipoff(actor, &t, n, "tipoff.respond", now_ms)
            .await
    }

    /// Close a responded tip-off (or a new one as a duplicate / not actionable).
    pub async fn close_tipoff(
        &self,
        actor: &Actor,
        id: &str,
        note: &str,
        now_ms: i64,
    ) -> Result<TipoffView, AppError> {
        let t = self.own_tipoff(actor, id).await?;
        let note = text(note, rules::MAX_TEXT_CHARS, true, "note")?;
        let mut n = t.clone();
        n.status = "closed".into();
        n.closed_at = Some(now_ms);
        n.closed_by = Some(actor.user_id.clone());
        n.close_note = Some(note);
        self.update_tipoff(actor, &t, n, "tipoff.close", now_ms)
            .await
    }

    /// Ask the public security organ to control (临控) the debtor a tip-off located.
    pub async fn request_control(
        &self,
        actor: &Actor,
        tipoff_id: &str,
        agency: &str,
        requested_at: Option<i64>,
        now_ms: i64,
    ) -> Result<ControlRow, AppError> {
        let t = self.own_tipoff(actor, tipoff_id).await?;
        court_write(actor, &t.court_code)?;
        if t.status == "closed" {
            return Err(state_conflict(RuleError::new(
                "tipoff_state",
                "举报已办结，不能再申请临控",
            )));
        }
        let agency = text(agency, rules::MAX_NAME_CHARS, true, "agency")?;
        let at = requested_at.unwrap_or(now_ms);
        if at > now_ms || at < t.created_at {
            return Err(AppError::invalid(
                "out_of_range",
                "requested_at",
                "申请时间应在收到举报之后、当前时间之前",
            ));
        }
        let c = ControlRow {
            court_code: t.court_code.clone(),
            id: new_id(),
            tipoff_id: t.id.clone(),
            case_id: t.case_id.clone(),
            agency,
            requested_at: at,
            requested_by: actor.user_id.clone(),
            status: "requested".into(),
            outcome_at: None,
            outcome_note: None,
            outcome_by: None,
            created_at: now_ms,
        };
        let backend = self.db.backend();
        let mut tx = self.db.begin().await?;
        batch::run(&mut tx, vec![store::insert_control_stmt(&c)]).await?;
        write_audit(
            &mut tx,
            backend,
            actor,
            "tipoff.control_request",
            "police_control",
            &c.id,
            c.case_id.as_deref(),
            None,
            json(serde_json::json!({"tipoff": t.id, "agency": c.agency,
                "requested_at": china_datetime_text(c.requested_at)})),
            now_ms,
        )
        .await?;
        tx.commit().await?;
        Ok(c)
    }

    /// The public security organ's answer to a 临控 request.
    pub async fn control_outcome(
        &self,
        actor: &Actor,
        control_id: &str,
        outcome: &str,
        note: &str,
        at: Option<i64>,
        now_ms: i64,
    ) -> Result<ControlRow, AppError> {
        actor.require(Permission::HandleTipoffs)?;
        let mut conn = self.db.conn().await?;
        let c = store::find_control(&mut conn, control_id)
            .await?
            .filter(|c| c.court_code == actor.court_code)
            .ok_or(AppError::NotFound)?;
        drop(conn);
        court_write(actor, &c.court_code)?;
        rules::check_control_outcome(outcome.trim()).map_err(rule("outcome"))?;
        if c.status != "requested" {
            return Err(state_conflict(RuleError::new(
                "control_state",
                "该临控请求已有结果",
            )));
        }
        let note = text(note, rules::MAX_TEXT_CHARS, false, "note")?;
        let at = at.unwrap_or(now_ms);
        if at > now_ms || at < c.requested_at {
            return Err(AppError::invalid(
                "out_of_range",
                "at",
                "结果时间应在申请之后、当前时间之前",
            ));
        }
        let mut m = c.clone();
        m.status = outcome.trim().into();
        m.outcome_at = Some(at);
        m.outcome_note = Some(note);
        m.outcome_by = Some(actor.user_id.clone());
        let backend = self.db.backend();
        let mut tx = self.db.begin().await?;
        guarded(&mut tx, store::control_outcome_stmt(&m)).await?;
        write_audit(
            &mut tx,
            backend,
            actor,
            "tipoff.control_outcome",
            "police_control",
            &m.id,
            m.case_id.as_deref(),
            json(serde_json::json!({"status": "requested"})),
            json(serde_json::json!({"status": m.status, "at": china_datetime_text(at), "note": m.outcome_note})),
            now_ms,
        )
        .await?;
        tx.commit().await?;
        Ok(m)
    }

    // ---- 拒执罪 referrals ----------------------------------------------------------------

    /// Draft a referral: the evidence package is built from the case's process events, audit
    /// records and evidence files (SM3 digests) plus the violations staff list; the local transfer
    /// term starts.
    pub async fn create_referral(
        &self,
        actor: &Actor,
        case_id: &str,
        input: &ReferralInput,
        now_ms: i64,
    ) -> Result<ReferralView, AppError> {
        let mut conn = self.db.conn().await?;
        let case = self.visible_case(&mut conn, actor, case_id).await?;
        let parties = cases::parties_of(&mut conn, &case.court_code, &case.id).await?;
        drop(conn);
        actor.require(Permission::ProposeMeasure)?;
        court_write(actor, &case.court_code)?;
        let today = china_date(now_ms);
        let suspect = text(
            &input.suspect_name,
            rules::MAX_NAME_CHARS,
            false,
            "suspect_name",
        )?;
        let suspect = if suspect.is_empty() {
            parties
                .iter()
                .find(|p| p.role != "applicant")
                .map(|p| p.name.clone())
                .ok_or_else(|| AppError::invalid("required", "suspect_name", "须写明被移送人"))?
        } else {
            suspect
        };
        let facts = text(&input.facts, rules::MAX_TEXT_CHARS, true, "facts")?;
        if input.violations.len() > MAX_VIOLATIONS {
            return Err(AppError::invalid(
                "too_many",
                "violations",
                format!("违法行为最多 {MAX_VIOLATIONS} 条"),
            ));
        }
        let mut violations = Vec::with_capacity(input.violations.len());
        for (i, v) in input.violations.iter().enumerate() {
            let on = parse_date(&v.on)
                .map_err(|e| AppError::Invalid(e.at(format!("violations[{i}].on"))))?;
            if on > today {
                return Err(AppError::Invalid(FieldError::new(
                    "date_in_future",
                    format!("violations[{i}].on"),
                    "日期晚于今天",
                )));
            }
            let kind = v.kind.trim();
            if !rules::VIOLATION_KINDS.contains(&kind) {
                return Err(AppError::Invalid(FieldError::new(
                    "unknown_kind",
                    format!("violations[{i}].kind"),
                    "类型应为 after_sanction（罚款、拘留后仍拒不履行）、asset_transfer（转移、隐匿财产）或 other",
                )));
            }
            let description = rules::clean_text(&v.description, rules::MAX_TEXT_CHARS, true)
                .map_err(|e| AppError::Invalid(e.at(format!("violations[{i}].description"))))?;
            violations
                .push(serde_json::json!({"on": ymd(on), "kind": kind, "description": description}));
        }
        // Evidence files are content-addressed: the package lists their SM3 digests, so the receiving
        // agency can check the files it is given.
        let evidence = self.case_evidence(actor, &case.id).await?;
        let backend = self.db.backend();
        let mut tx = self.db.begin().await?;
        let settings = store::settings(&mut tx, &case.court_code, DEFAULT_SETTINGS).await?;
        let events =
            zhixing_store::deadlines::events_of(&mut tx, &case.court_code, &case.id).await?;
        let audits = zhixing_store::audit::of_case(&mut tx, &case.court_code, &case.id).await?;
        // The coercive measures taken so far (REFUSE art 3(4): violations after a fine or
        // detention weigh as "serious"): kind, status, dates, amount, execution.
        let measures =
            zhixing_store::measures::measures_of(&mut tx, &case.court_code, &case.id).await?;
        let package = serde_json::json!({
            "case": {
                "id": case.id, "case_number": case.case_number, "court": case.court_code,
                "filed_on": case.filed_on, "basis": case.basis_document_number,
                "basis_type": case.basis_document_type, "claim_fen": case.claim_fen, "status": case.status,
            },
            "suspect": suspect,
            "debtors": parties.iter().filter(|p| p.role != "applicant").map(|p| p.name.clone()).collect::<Vec<_>>(),
            "facts": facts,
            "events": events.iter().map(|e| serde_json::json!({
                "node": e.node, "node_name": find_node(&e.node).map(|n| n.name_zh.clone()),
                "on": e.on_date, "note": e.note, "actor": e.actor_name,
            })).collect::<Vec<_>>(),
            "audit": audits.iter().map(|a| serde_json::json!({
                "seq": a.record.seq, "at": china_datetime_text(a.record.at_ms), "action": a.record.action,
                "actor": a.record.actor_name, "target_kind": a.record.target_kind, "target_id": a.record.target_id,
                "after": a.record.after.as_deref().and_then(|s| serde_json::from_str::<serde_json::Value>(s).ok()),
                "hash": a.hash,
            })).collect::<Vec<_>>(),
            "violations": violations,
            "measures": measures.iter().map(|m| serde_json::json!({
                "kind": m.kind,
                "kind_name": zhixing_domain::measure::MeasureKind::from_str_opt(&m.kind).map(|k| k.name_zh()),
                "subject": m.subject_name, "status": m.status, "document_number": m.document_number,
                "amount_fen": m.amount_fen, "effective_on": m.effective_on, "executed_on": m.executed_on,
                "execution_note": m.execution_note, "ended_on": m.ended_on, "end_reason": m.end_reason,
            })).collect::<Vec<_>>(),
            "evidence_files": evidence.iter().map(|f| serde_json::json!({
                "id": f.id, "file_name": f.file_name, "media_type": f.media_type, "size_bytes": f.size_bytes,
                "sm3": f.sm3, "event_id": f.event_id, "uploaded_at": china_datetime_text(f.created_at),
            })).collect::<Vec<_>>(),
            "built_at": china_datetime_text(now_ms),
            "legal_basis": "刑法第三百一十三条；法释〔2024〕13号",
        });
        let package_text = package.to_string();
        let r = ReferralRow {
            court_code: case.court_code.clone(),
            id: new_id(),
            case_id: case.id.clone(),
            status: "drafted".into(),
            suspect_name: suspect,
            facts,
            violations: serde_json::Value::Array(violations).to_string(),
            package_sm3: sm3_hex(package_text.as_bytes()),
            package: package_text,
            drafted_on: ymd(today),
            transfer_by: ymd(rules::period_end_days(
                today,
                settings.referral_transfer_days,
            )),
            agency: None,
            referred_on: None,
            conclude_by: None,
            police_decided_on: None,
            police_note: None,
            applicant_evidence: None,
            private_filed_on: None,
            private_court: None,
            judgment_on: None,
            sentence: None,
            dropped_on: None,
            dropped_by: None,
            dropped_note: None,
            ended_on: None,
            end_note: None,
            created_by: actor.user_id.clone(),
            created_at: now_ms,
            updated_at: now_ms,
        };
        batch::run(&mut tx, vec![store::insert_referral_stmt(&r)]).await?;
        write_audit(
            &mut tx,
            backend,
            actor,
            "referral.draft",
            "refusal_referral",
            &r.id,
            Some(&case.id),
            None,
            json(serde_json::json!({"suspect": r.suspect_name, "package_sm3": r.package_sm3,
                "events": events.len(), "audit_records": audits.len(), "transfer_by": r.transfer_by})),
            now_ms,
        )
        .await?;
        tx.commit().await?;
        Ok(referral_view(r, today))
    }

    /// The referrals of a case.
    pub async fn case_referrals(
        &self,
        actor: &Actor,
        case_id: &str,
        now_ms: i64,
    ) -> Result<Vec<ReferralView>, AppError> {
        let mut conn = self.db.conn().await?;
        let case = self.visible_case(&mut conn, actor, case_id).await?;
        let today = china_date(now_ms);
        Ok(
            store::referrals_of_case(&mut conn, &case.court_code, &case.id)
                .await?
                .into_iter()
                .map(|r| referral_view(r, today))
                .collect(),
        )
    }

    async fn visible_referral(&self, actor: &Actor, id: &str) -> Result<ReferralRow, AppError> {
        let mut conn = self.db.conn().await?;
        let r = store::find_referral(&mut conn, id)
            .await?
            .ok_or(AppError::NotFound)?;
        self.visible_case(&mut conn, actor, &r.case_id).await?;
        drop(conn);
        actor.require(Permission::ProposeMeasure)?;
        court_write(actor, &r.court_code)?;
        Ok(r)
    }

    async fn update_referral(
        &self,
        actor: &Actor,
        prev: &ReferralRow,
        mut next: ReferralRow,
        action: &str,
        now_ms: i64,
    ) -> Result<ReferralView, AppError> {
        rules::referral_transition(&prev.status, &next.status).map_err(state_conflict)?;
        next.updated_at = now_ms;
        let backend = self.db.backend();
        let mut tx = self.db.begin().await?;
        guarded(&mut tx, store::update_referral_stmt(&next, &prev.status)).await?;
        write_audit(
            &mut tx,
            backend,
            actor,
            action,
            "refusal_referral",
            &next.id,
            Some(&next.case_id),
            json(serde_json::json!({"status": prev.status})),
            json(serde_json::json!({"status": next.status, "agency": next.agency, "referred_on": next.referred_on,
                "conclude_by": next.conclude_by, "police_decided_on": next.police_decided_on,
                "police_note": next.police_note, "private_filed_on": next.private_filed_on,
                "private_court": next.private_court, "judgment_on": next.judgment_on, "sentence": next.sentence,
                "dropped_on": next.dropped_on, "dropped_by": next.dropped_by, "dropped_note": next.dropped_note,
                "ended_on": next.ended_on, "end_note": next.end_note})),
            now_ms,
        )
        .await?;
        tx.commit().await?;
        Ok(referral_view(next, china_date(now_ms)))
    }

    /// Transfer the package to a public security organ; the local conclusion term starts.
    pub async fn refer_referral(
        &self,
        actor: &Actor,
        id: &str,
        agency: &str,
        referred_on: &str,
        now_ms: i64,
    ) -> Result<ReferralView, AppError> {
        let r = self.visible_referral(actor, id).await?;
        rules::referral_transition(&r.status, "referred").map_err(state_conflict)?;
        let agency = text(agency, rules::MAX_NAME_CHARS, true, "agency")?;
        let on = date_or_today(referred_on, "referred_on", now_ms)?;
        if ymd(on) < r.drafted_on {
            return Err(AppError::invalid(
                "before_draft",
                "referred_on",
                "移送日期早于制作日期",
            ));
        }
        let mut conn = self.db.conn().await?;
        let settings = store::settings(&mut conn, &r.court_code, DEFAULT_SETTINGS).await?;
        drop(conn);
        let mut n = r.clone();
        n.status = "referred".into();
        n.agency = Some(agency);
        n.referred_on = Some(ymd(on));
        n.conclude_by = Some(ymd(rules::period_end_days(
            on,
            settings.referral_trial_days,
        )));
        self.update_referral(actor, &r, n, "referral.refer", now_ms)
            .await
    }

    /// The public security organ's answer: 立案 (accepted) or not (declined).
    pub async fn police_decision(
        &self,
        actor: &Actor,
        id: &str,
        accepted: bool,
        on: &str,
        note: &str,
        now_ms: i64,
    ) -> Result<ReferralView, AppError> {
        let r = self.visible_referral(actor, id).await?;
        let to = if accepted { "accepted" } else { "declined" };
        rules::referral_transition(&r.status, to).map_err(state_conflict)?;
        let on = date_or_today(on, "on", now_ms)?;
        if r.referred_on
            .as_deref()
            .is_some_and(|x| ymd(on).as_str() < x)
        {
            return Err(AppError::invalid(
                "before_referral",
                "on",
                "决定日期早于移送日期",
            ));
        }
        let note = text(note, rules::MAX_TEXT_CHARS, !accepted, "note")?;
        let mut n = r.clone();
        n.status = to.into();
        n.police_decided_on = Some(ymd(on));
        n.police_note = Some(note);
        self.update_referral(actor, &r, n, "referral.police_decision", now_ms)
            .await
    }

    /// The applicant's private prosecution (自诉) after the police declined: REFUSE art 14 requires
    /// the applicant's evidence. 409 `private_prosecution_too_early` before a decline.
    pub async fn private_prosecution(
        &self,
        actor: &Actor,
        id: &str,
        filed_on: &str,
        court_name: &str,
        applicant_evidence: &str,
        now_ms: i64,
    ) -> Result<ReferralView, AppError> {
        let r = self.visible_referral(actor, id).await?;
        rules::referral_transition(&r.status, "private_filed").map_err(state_conflict)?;
        let on = date_or_today(filed_on, "filed_on", now_ms)?;
        let court_name = text(court_name, rules::MAX_NAME_CHARS, true, "court_name")?;
        let evidence = text(
            applicant_evidence,
            rules::MAX_TEXT_CHARS,
            true,
            "applicant_evidence",
        )?;
        let mut n = r.clone();
        n.status = "private_filed".into();
        n.private_filed_on = Some(ymd(on));
        n.private_court = Some(court_name);
        n.applicant_evidence = Some(evidence);
        self.update_referral(actor, &r, n, "referral.private_prosecution", now_ms)
            .await
    }

    /// After 立案 the case was not pursued: the public security organ withdrew it (撤销案件) or the
    /// procuratorate decided not to prosecute (不起诉). The applicant may then bring a 自诉
    /// (REFUSE art 14: "公安机关或者人民检察院不予追究"). The organ's reasons are required.
    pub async fn referral_dropped(
        &self,
        actor: &Actor,
        id: &str,
        by: &str,
        on: &str,
        note: &str,
        now_ms: i64,
    ) -> Result<ReferralView, AppError> {
        let r = self.visible_referral(actor, id).await?;
        rules::referral_transition(&r.status, "dropped").map_err(state_conflict)?;
        rules::check_dropped_by(by).map_err(|e| AppError::Invalid(e.at("by")))?;
        let on = date_or_today(on, "on", now_ms)?;
        if r.police_decided_on
            .as_deref()
            .is_some_and(|x| ymd(on).as_str() < x)
        {
            return Err(AppError::invalid(
                "before_acceptance",
                "on",
                "不予追究的日期早于公安机关立案日期",
            ));
        }
        let note = text(note, rules::MAX_TEXT_CHARS, true, "note")?;
        let mut n = r.clone();
        n.status = "dropped".into();
        n.dropped_on = Some(ymd(on));
        n.dropped_by = Some(by.to_owned());
        n.dropped_note = Some(note);
        self.update_referral(actor, &r, n, "referral.dropped", now_ms)
            .await
    }

    /// A pending 自诉 ends before judgment: withdrawn (撤回自诉) or settled with the defendant
    /// (和解), 刑事诉讼法 art 212. Final: no judgment follows, and the referral's tracking ends.
    pub async fn private_prosecution_end(
        &self,
        actor: &Actor,
        id: &str,
        outcome: &str,
        on: &str,
        note: &str,
        now_ms: i64,
    ) -> Result<ReferralView, AppError> {
        let r = self.visible_referral(actor, id).await?;
        if !rules::PRIVATE_ENDINGS.contains(&outcome) {
            return Err(AppError::invalid(
                "outcome",
                "outcome",
                "自诉结果应为 withdrawn（撤回自诉）或 settled（和解）",
            ));
        }
        rules::referral_transition(&r.status, outcome).map_err(state_conflict)?;
        let on = date_or_today(on, "on", now_ms)?;
        if r.private_filed_on
            .as_deref()
            .is_some_and(|x| ymd(on).as_str() < x)
        {
            return Err(AppError::invalid(
                "before_private_filing",
                "on",
                "撤回或和解的日期早于提起自诉的日期",
            ));
        }
        // A settlement's terms (what the debtor pays, by when) belong on record; a withdrawal may
        // be recorded without reasons.
        let note = text(note, rules::MAX_TEXT_CHARS, outcome == "settled", "note")?;
        let mut n = r.clone();
        n.status = outcome.into();
        n.ended_on = Some(ymd(on));
        n.end_note = Some(note);
        self.update_referral(actor, &r, n, "referral.private_prosecution_end", now_ms)
            .await
    }

    /// The criminal judgment (public prosecution after 立案, or the 自诉 case).
    pub async fn referral_judgment(
        &self,
        actor: &Actor,
        id: &str,
        judgment_on: &str,
        sentence: &str,
        now_ms: i64,
    ) -> Result<ReferralView, AppError> {
        let r = self.visible_referral(actor, id).await?;
        rules::referral_transition(&r.status, "judged").map_err(state_conflict)?;
        let on = date_or_today(judgment_on, "judgment_on", now_ms)?;
        let sentence = text(sentence, rules::MAX_TEXT_CHARS, true, "sentence")?;
        let mut n = r.clone();
        n.status = "judged".into();
        n.judgment_on = Some(ymd(on));
        n.sentence = Some(sentence);
        self.update_referral(actor, &r, n, "referral.judgment", now_ms)
            .await
    }
}

fn reward_view(n: RewardRow, leads: &[LeadRow], payouts: &[PayoutRow], now_ms: i64) -> RewardView {
    let today = ymd(china_date(now_ms));
    let verified: Vec<&LeadRow> = leads.iter().filter(|l| l.status == "verified").collect();
    RewardView {
        leads: i64::try_from(leads.len()).unwrap_or(i64::MAX),
        verified_leads: i64::try_from(verified.len()).unwrap_or(i64::MAX),
        successful: verified.iter().any(|l| l.led_to_recovery),
        recovered_fen: verified
            .iter()
            .map(|l| l.recovered_fen)
            .fold(0i64, i64::saturating_add),
        paid_fen: payouts
            .iter()
            .map(|p| p.amount_fen)
            .fold(0i64, i64::saturating_add),
        decision_overdue: n.status == "applied" && today > n.decide_by,
        decided_late: n
            .decided_on
            .as_deref()
            .is_some_and(|d| d > n.decide_by.as_str()),
        notice: n,
    }
}

fn tipoff_overdue(t: &TipoffRow, now_ms: i64) -> bool {
    matches!(t.status.as_str(), "new" | "dispatched") && now_ms > t.respond_by
}

/// `ZX110-YYYYMMDD-XXXXXX`: the receipt date and the tail of the id (UUIDv7: its random part).
fn tipoff_receipt(id: &str, now_ms: i64) -> String {
    let tail: String = id
        .chars()
        .filter(char::is_ascii_hexdigit)
        .rev()
        .take(6)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!(
        "ZX110-{}-{}",
        china_date(now_ms).format("%Y%m%d"),
        tail.to_uppercase()
    )
}

/// The team that takes a court's tip-offs: its command center (指挥中心, track `command`), else the
/// active team with the fewest open tip-offs (ties: by name). None when the court has no team.
async fn duty_team(
    conn: &mut Conn,
    court: &str,
) -> Result<Option<zhixing_store::users::TeamRow>, AppError> {
    let teams: Vec<_> = users::teams_of_court(conn, court)
        .await?
        .into_iter()
        .filter(|t| t.active)
        .collect();
    let open = store::open_tipoffs_per_team(conn, court).await?;
    let load = |id: &str| open.iter().find(|(t, _)| t == id).map_or(0, |(_, n)| *n);
    let pool: Vec<_> = if teams.iter().any(|t| t.track == "command") {
        teams.into_iter().filter(|t| t.track == "command").collect()
    } else {
        teams
    };
    Ok(pool.into_iter().min_by(|a, b| {
        load(&a.id)
            .cmp(&load(&b.id))
            .then_with(|| a.name.cmp(&b.name))
    }))
}

impl App {
    /// The scheduler's 执行110 timer: every open tip-off past its response time warns, once, the
    /// members of its team, the court's command center and the bureau director (red, in the inbox;
    /// never the reporter's identity). Returns how many tip-offs warned.
    pub async fn warn_overdue_tipoffs(&self, now_ms: i64, limit: i64) -> Result<usize, AppError> {
        let mut conn = self.db.conn().await?;
        let due = store::overdue_unwarned_tipoffs(&mut conn, now_ms, limit).await?;
        drop(conn);
        let mut n = 0;
        for t in due {
            let mut tx = self.db.begin().await?;
            if !store::mark_tipoff_warned(&mut tx, &t.court_code, &t.id, now_ms).await? {
                tx.rollback().await?;
                continue;
            }
            let members = users::users_of_court(&mut tx, &t.court_code).await?;
            let stmts: Vec<Stmt> = members
                .iter()
                .filter(|u| {
                    u.active
                        && (u.role == "command"
                            || u.role == "director"
                            || (t.team_id.is_some() && u.team_id == t.team_id))
                })
                .map(|u| {
                    zhixing_store::deadlines::insert_notification_stmt(&NotificationRow {
                        court_code: t.court_code.clone(),
                        id: new_id(),
                        user_id: u.id.clone(),
                        case_id: t.case_id.clone(),
                        source_kind: "tipoff.overdue".into(),
                        source_id: t.id.clone(),
                        level: Some("red".into()),
                        title: format!(
                            "执行110线索 {} 超时未响应：{}",
                            t.receipt_no, t.debtor_name
                        ),
                        body: format!(
                            "应于 {} 前响应；地点：{}",
                            china_datetime_text(t.respond_by),
                            t.location
                        ),
                        created_at: now_ms,
                        read_at: None,
                    })
                })
                .collect();
            zhixing_store::batch::run(&mut tx, stmts).await?;
            tx.commit().await?;
            n += 1;
        }
        Ok(n)
    }
}

/// The reporter of a tip-off is confidential (INV art 23 by analogy): the duty roles (command
/// center, judicial police, bureau director) and the members of the team it was dispatched to see
/// who called; any other judge handling tip-offs sees the tip without the reporter.
fn redact_reporter(actor: &Actor, mut t: TipoffRow) -> TipoffRow {
    let duty = matches!(actor.role, Role::Command | Role::Police | Role::Director)
        || (t.team_id.is_some() && actor.team_id == t.team_id);
    if !duty {
        t.reporter_name = "（保密）".into();
        t.reporter_phone = "（保密）".into();
    }
    t
}

/// Inbox notices for the active members of the team a tip-off was dispatched to (what, where, by
/// when; never the reporter).
async fn dispatch_notices(
    conn: &mut Conn,
    t: &TipoffRow,
    now_ms: i64,
) -> Result<Vec<Stmt>, AppError> {
    let Some(team) = &t.team_id else {
        return Ok(Vec::new());
    };
    let members = users::users_of_court(conn, &t.court_code).await?;
    Ok(members
        .iter()
        .filter(|u| u.active && u.team_id.as_deref() == Some(team.as_str()))
        .map(|u| {
            zhixing_store::deadlines::insert_notification_stmt(&NotificationRow {
                court_code: t.court_code.clone(),
                id: new_id(),
                user_id: u.id.clone(),
                case_id: t.case_id.clone(),
                source_kind: "tipoff.dispatched".into(),
                source_id: t.id.clone(),
                level: t.urgent.then(|| "red".to_owned()),
                title: format!(
                    "执行110{}线索 {}：{}",
                    if t.urgent { "紧急" } else { "" },
                    t.receipt_no,
                    t.debtor_name
                ),
                body: format!(
                    "地点：{}；请于 {} 前响应",
                    t.location,
                    china_datetime_text(t.respond_by)
                ),
                created_at: now_ms,
                read_at: None,
            })
        })
        .collect())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn receipts_carry_the_day_and_the_id_tail() {
        // 2024-09-27 10:00 Beijing
        let r = tipoff_receipt("0192318b-1a2b-7c3d-9e4f-a1b2c3d4e5f6", 1_727_402_400_000);
        assert_eq!(r, "ZX110-20240927-D4E5F6");
    }
}
