//! `/api/v1` routes of the duty capabilities (issue 4): reward notices (悬赏) with leads, payouts
//! and success rates; 执行110 tip-offs with dispatch, response and 临控; 拒执罪 referrals with the
//! evidence package and the 自诉 route; the court's duty settings. Two public routes need no login:
//! `GET /api/v1/public/rewards` (published notices only) and the tip forms
//! `POST /api/v1/public/rewards/{id}/tips`, `POST /api/v1/public/tipoffs` (a receipt comes back,
//! nothing else). Texts are stored and returned as plain text (JSON strings), never as markup.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::{Json, Router, routing::get, routing::post};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};
use zhixing_app::duty::{
    PayoutInput, ReferralInput, ReferralView, RewardInput, RewardView, SettingsInput, TipInput,
    TipoffInput, TipoffView, VerifyInput, ViolationInput,
};
use zhixing_store::duty::{ControlRow, DutySettings, LeadRow, PayoutRow};

use crate::api::{ApiActor, parse_json};
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

/// Anonymous routes share the public portal's per-client limit (`serve --public-per-minute`): a
/// flood of tips is refused with 429 before any validation or database work.
fn public_gate(st: &AppState, ext: &axum::http::Extensions) -> Result<(), ApiError> {
    let key = crate::api_measures::client_key(ext);
    if st.public_limiter.allow(key, st.now_ms()) {
        Ok(())
    } else {
        tracing::warn!(client = %key, "public duty route rate-limited");
        Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            None,
            "提交过于频繁，请稍后再试",
        ))
    }
}

// ---- settings -------------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct DutySettingsWire {
    /// Response time of urgent tip-offs (whereabouts, vehicles), minutes (default 30).
    pub urgent_response_minutes: Option<i64>,
    /// Response time of other tip-offs, minutes (default 120).
    pub normal_response_minutes: Option<i64>,
    /// Days from drafting to transferring a 拒执 referral (default 7, local fast track).
    pub referral_transfer_days: Option<i64>,
    /// Days from transfer to conclusion (default 30, local fast track).
    pub referral_trial_days: Option<i64>,
}

impl From<DutySettings> for DutySettingsWire {
    fn from(s: DutySettings) -> Self {
        DutySettingsWire {
            urgent_response_minutes: Some(s.urgent_response_minutes),
            normal_response_minutes: Some(s.normal_response_minutes),
            referral_transfer_days: Some(s.referral_transfer_days),
            referral_trial_days: Some(s.referral_trial_days),
        }
    }
}

/// The caller's court's duty settings.
#[utoipa::path(get, path = "/api/v1/admin/duty-settings",
    responses((status = 200, body = DutySettingsWire)), security(("bearer" = [])))]
pub async fn get_settings(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<DutySettingsWire>, ApiError> {
    Ok(Json(st.app.duty_settings(&actor).await?.into()))
}

/// Change the caller's court's duty settings (admin, bureau director); absent fields unchanged.
#[utoipa::path(post, path = "/api/v1/admin/duty-settings", request_body = DutySettingsWire,
    responses((status = 200, body = DutySettingsWire), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn set_settings(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    body: Bytes,
) -> Result<Json<DutySettingsWire>, ApiError> {
    let r: DutySettingsWire = parse_json(&body)?;
    let s = st
        .app
        .set_duty_settings(
            &actor,
            &SettingsInput {
                urgent_response_minutes: r.urgent_response_minutes,
                normal_response_minutes: r.normal_response_minutes,
                referral_transfer_days: r.referral_transfer_days,
                referral_trial_days: r.referral_trial_days,
            },
            st.now_ms(),
        )
        .await?;
    Ok(Json(s.into()))
}

// ---- rewards --------------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct RewardRequest {
    pub applicant_name: String,
    /// A fixed reward in 分 — or `formula`, not both (INV art 21).
    pub amount_fen: Option<i64>,
    /// e.g. `执行到位金额的 10%`
    pub formula: Option<String>,
    /// The applicant's promise to pay the reward; must be true.
    pub promise_to_pay: bool,
    /// 发布方式 requested (INV art 21(3)), e.g. `全国法院执行悬赏公告平台、法院微信公众号`.
    pub publish_via: String,
    /// Contact channel shown on the notice (phone / address).
    pub channel: String,
    /// `YYYY-MM-DD`; empty = today.
    pub applied_on: String,
    /// The debtor of the notice (default: the first debtor).
    pub debtor_party_id: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RewardOut {
    pub id: String,
    pub case_id: String,
    pub case_number: String,
    pub applicant_name: String,
    pub debtor_name: String,
    pub debtor_id_masked: String,
    pub amount_fen: Option<i64>,
    pub formula: Option<String>,
    pub publish_via: String,
    pub channel: String,
    pub applied_on: String,
    /// applied_on + 10 days (INV art 21 para 2).
    pub decide_by: String,
    /// applied | approved | refused | published | closed
    pub status: String,
    pub decided_on: Option<String>,
    pub decision_note: Option<String>,
    pub published_on: Option<String>,
    pub public_text: Option<String>,
    pub closed_on: Option<String>,
    pub close_note: Option<String>,
    pub leads: i64,
    pub verified_leads: i64,
    /// ≥1 verified lead that led to recovery.
    pub successful: bool,
    pub recovered_fen: i64,
    pub paid_fen: i64,
    pub decision_overdue: bool,
    pub decided_late: bool,
}

impl From<&RewardView> for RewardOut {
    fn from(v: &RewardView) -> Self {
        let n = &v.notice;
        RewardOut {
            id: n.id.clone(),
            case_id: n.case_id.clone(),
            case_number: n.case_number.clone(),
            applicant_name: n.applicant_name.clone(),
            debtor_name: n.debtor_name.clone(),
            debtor_id_masked: n.debtor_id_masked.clone(),
            amount_fen: n.amount_fen,
            formula: n.formula.clone(),
            publish_via: n.publish_via.clone(),
            channel: n.channel.clone(),
            applied_on: n.applied_on.clone(),
            decide_by: n.decide_by.clone(),
            status: n.status.clone(),
            decided_on: n.decided_on.clone(),
            decision_note: n.decision_note.clone(),
            published_on: n.published_on.clone(),
            public_text: n.public_text.clone(),
            closed_on: n.closed_on.clone(),
            close_note: n.close_note.clone(),
            leads: v.leads,
            verified_leads: v.verified_leads,
            successful: v.successful,
            recovered_fen: v.recovered_fen,
            paid_fen: v.paid_fen,
            decision_overdue: v.decision_overdue,
            decided_late: v.decided_late,
        }
    }
}

#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct RewardDecisionRequest {
    pub approve: bool,
    /// Required when refusing.
    pub note: String,
    /// `YYYY-MM-DD`; empty = today.
    pub decided_on: String,
}

#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct PublishRequest {
    /// `YYYY-MM-DD`; empty = today.
    pub published_on: String,
}

#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct CloseRewardRequest {
    pub closed_on: String,
    pub note: String,
}

/// A lead (线索) on a notice: ≤ 2000 characters of content; the tipster's name and phone (11-digit
/// mobile or landline with area code) are kept confidential.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct TipRequest {
    pub content: String,
    pub tipster_name: String,
    pub tipster_phone: String,
}

/// The receipt of a public submission: keep it to refer to the tip.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReceiptOut {
    pub receipt_no: String,
    /// unix ms
    pub received_at: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LeadOut {
    pub id: String,
    pub notice_id: String,
    /// Registration order within the notice (INV art 23).
    pub seq: i64,
    pub receipt_no: String,
    /// public | staff
    pub source: String,
    /// Plain text as submitted (markup is not interpreted).
    pub content: String,
    pub tipster_name: String,
    pub tipster_phone: String,
    /// registered | verified | rejected
    pub status: String,
    pub verify_note: Option<String>,
    pub verified_on: Option<String>,
    pub led_to_recovery: bool,
    pub recovered_fen: i64,
    pub received_at: i64,
}

impl From<&LeadRow> for LeadOut {
    fn from(l: &LeadRow) -> Self {
        LeadOut {
            id: l.id.clone(),
            notice_id: l.notice_id.clone(),
            seq: l.seq,
            receipt_no: l.receipt_no.clone(),
            source: l.source.clone(),
            content: l.content.clone(),
            tipster_name: l.tipster_name.clone(),
            tipster_phone: l.tipster_phone.clone(),
            status: l.status.clone(),
            verify_note: l.verify_note.clone(),
            verified_on: l.verified_on.clone(),
            led_to_recovery: l.led_to_recovery,
            recovered_fen: l.recovered_fen,
            received_at: l.received_at,
        }
    }
}

#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct VerifyRequest {
    pub verified: bool,
    pub note: String,
    pub led_to_recovery: bool,
    /// Money recovered through this lead, 分 (only when led_to_recovery).
    pub recovered_fen: i64,
    /// `YYYY-MM-DD`; empty = today.
    pub on: String,
}

#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct PayoutRequest {
    pub amount_fen: i64,
    pub paid_on: String,
    pub payee_name: String,
    /// The payee is neither the applicant's agent nor a person obliged to provide asset leads (INV art 24 para 3).
    pub declaration: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PayoutOut {
    pub id: String,
    pub notice_id: String,
    pub lead_id: String,
    pub amount_fen: i64,
    pub paid_on: String,
    pub payee_name: String,
}

impl From<&PayoutRow> for PayoutOut {
    fn from(p: &PayoutRow) -> Self {
        PayoutOut {
            id: p.id.clone(),
            notice_id: p.notice_id.clone(),
            lead_id: p.lead_id.clone(),
            amount_fen: p.amount_fen,
            paid_on: p.paid_on.clone(),
            payee_name: p.payee_name.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RewardStatsOut {
    /// Notices ever published by the caller's court.
    pub published: i64,
    /// Of those, with ≥1 verified lead that led to recovery.
    pub successful: i64,
    /// successful / published in ‰ (null without published notices).
    pub rate_permille: Option<i64>,
}

/// A published notice as the public sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicNoticeOut {
    pub id: String,
    pub court: String,
    pub court_name: String,
    pub case_number: String,
    pub debtor_name: String,
    pub debtor_id_masked: String,
    pub amount_fen: Option<i64>,
    pub formula: Option<String>,
    pub channel: String,
    pub published_on: String,
    pub text: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PublicNoticePage {
    pub items: Vec<PublicNoticeOut>,
    pub page: i64,
    pub page_size: i64,
    pub total: i64,
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct PageParams {
    /// From 1 (default 1).
    pub page: Option<i64>,
    /// 1–50 (default 20).
    pub page_size: Option<i64>,
}

/// Record the applicant's reward application on a case (INV art 21); the court decides within 10 days.
#[utoipa::path(post, path = "/api/v1/cases/{id}/rewards", params(("id" = String, Path)), request_body = RewardRequest,
    responses((status = 201, body = RewardOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn apply_reward(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<impl IntoResponse, ApiError> {
    let r: RewardRequest = parse_json(&body)?;
    let v = st
        .app
        .apply_reward(
            &actor,
            &id,
            &RewardInput {
                applicant_name: r.applicant_name,
                amount_fen: r.amount_fen,
                formula: r.formula,
                promise_to_pay: r.promise_to_pay,
                publish_via: r.publish_via,
                channel: r.channel,
                applied_on: r.applied_on,
                debtor_party_id: r.debtor_party_id,
            },
            st.now_ms(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(RewardOut::from(&v))))
}

/// Reward notices of a case.
#[utoipa::path(get, path = "/api/v1/cases/{id}/rewards", params(("id" = String, Path)),
    responses((status = 200, body = [RewardOut]), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn case_rewards(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<Vec<RewardOut>>, ApiError> {
    let list = st.app.case_rewards(&actor, &id, st.now_ms()).await?;
    Ok(Json(list.iter().map(Into::into).collect()))
}

/// One reward notice.
#[utoipa::path(get, path = "/api/v1/rewards/{id}", params(("id" = String, Path)),
    responses((status = 200, body = RewardOut), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn get_reward(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<RewardOut>, ApiError> {
    Ok(Json(
        (&st.app.reward(&actor, &id, st.now_ms()).await?).into(),
    ))
}

/// The court's decision on a reward application (院长).
#[utoipa::path(post, path = "/api/v1/rewards/{id}/decision", params(("id" = String, Path)), request_body = RewardDecisionRequest,
    responses((status = 200, body = RewardOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn decide_reward(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<RewardOut>, ApiError> {
    let r: RewardDecisionRequest = parse_json(&body)?;
    let v = st
        .app
        .decide_reward(&actor, &id, r.approve, &r.note, &r.decided_on, st.now_ms())
        .await?;
    Ok(Json((&v).into()))
}

/// Publish an approved notice (public text generated from the notice fields).
#[utoipa::path(post, path = "/api/v1/rewards/{id}/publish", params(("id" = String, Path)), request_body = PublishRequest,
    responses((status = 200, body = RewardOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn publish_reward(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<RewardOut>, ApiError> {
    let r: PublishRequest = parse_json(&body)?;
    let v = st
        .app
        .publish_reward(&actor, &id, &r.published_on, st.now_ms())
        .await?;
    Ok(Json((&v).into()))
}

/// Close a notice.
#[utoipa::path(post, path = "/api/v1/rewards/{id}/close", params(("id" = String, Path)), request_body = CloseRewardRequest,
    responses((status = 200, body = RewardOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn close_reward(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<RewardOut>, ApiError> {
    let r: CloseRewardRequest = parse_json(&body)?;
    let v = st
        .app
        .close_reward(&actor, &id, &r.closed_on, &r.note, st.now_ms())
        .await?;
    Ok(Json((&v).into()))
}

/// Register a lead taken by staff.
#[utoipa::path(post, path = "/api/v1/rewards/{id}/leads", params(("id" = String, Path)), request_body = TipRequest,
    responses((status = 201, body = LeadOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn add_lead(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<impl IntoResponse, ApiError> {
    let r: TipRequest = parse_json(&body)?;
    let l = st
        .app
        .add_reward_lead(
            &actor,
            &id,
            &TipInput {
                content: r.content,
                tipster_name: r.tipster_name,
                tipster_phone: r.tipster_phone,
            },
            st.now_ms(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(LeadOut::from(&l))))
}

/// Leads of a notice in registration order, with the confidential tipster data (staff who may
/// propose measures in the notice's court only).
#[utoipa::path(get, path = "/api/v1/rewards/{id}/leads", params(("id" = String, Path)),
    responses((status = 200, body = [LeadOut]), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_leads(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<Vec<LeadOut>>, ApiError> {
    let l = st.app.reward_leads(&actor, &id).await?;
    Ok(Json(l.iter().map(Into::into).collect()))
}

/// Verify or reject a lead.
#[utoipa::path(post, path = "/api/v1/reward-leads/{id}/verification", params(("id" = String, Path)), request_body = VerifyRequest,
    responses((status = 200, body = LeadOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn verify_lead(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<LeadOut>, ApiError> {
    let r: VerifyRequest = parse_json(&body)?;
    let l = st
        .app
        .verify_lead(
            &actor,
            &id,
            &VerifyInput {
                verified: r.verified,
                note: r.note,
                led_to_recovery: r.led_to_recovery,
                recovered_fen: r.recovered_fen,
                on: r.on,
            },
            st.now_ms(),
        )
        .await?;
    Ok(Json((&l).into()))
}

/// Record a reward paid for a verified lead (≤ the promise; payee declaration required).
#[utoipa::path(post, path = "/api/v1/reward-leads/{id}/payouts", params(("id" = String, Path)), request_body = PayoutRequest,
    responses((status = 201, body = PayoutOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn pay_reward(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<impl IntoResponse, ApiError> {
    let r: PayoutRequest = parse_json(&body)?;
    let p = st
        .app
        .pay_reward(
            &actor,
            &id,
            &PayoutInput {
                amount_fen: r.amount_fen,
                paid_on: r.paid_on,
                payee_name: r.payee_name,
                declaration: r.declaration,
            },
            st.now_ms(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(PayoutOut::from(&p))))
}

/// The success rate of the caller's court's reward notices.
#[utoipa::path(get, path = "/api/v1/reward-stats",
    responses((status = 200, body = RewardStatsOut), (status = 403, body = ErrorBody)), security(("bearer" = [])))]
pub async fn reward_stats(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<RewardStatsOut>, ApiError> {
    let s = st.app.reward_stats(&actor).await?;
    Ok(Json(RewardStatsOut {
        published: s.published,
        successful: s.successful,
        rate_permille: s.rate_permille,
    }))
}

/// Published reward notices (public, no login), newest first.
#[utoipa::path(get, path = "/api/v1/public/rewards", params(PageParams),
    responses((status = 200, body = PublicNoticePage), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn public_rewards(
    State(st): State<AppState>,
    ext: axum::http::Extensions,
    Query(p): Query<PageParams>,
) -> Result<Json<PublicNoticePage>, ApiError> {
    public_gate(&st, &ext)?;
    let page = p.page.unwrap_or(1);
    let page_size = p.page_size.unwrap_or(20);
    let (items, total) = st.app.public_rewards(page, page_size).await?;
    Ok(Json(PublicNoticePage {
        items: items
            .into_iter()
            .map(|n| PublicNoticeOut {
                id: n.id,
                court: n.court_code,
                court_name: n.court_name,
                case_number: n.case_number,
                debtor_name: n.debtor_name,
                debtor_id_masked: n.debtor_id_masked,
                amount_fen: n.amount_fen,
                formula: n.formula,
                channel: n.channel,
                published_on: n.published_on,
                text: n.public_text,
            })
            .collect(),
        page,
        page_size,
        total,
    }))
}

/// Submit a lead on a published notice (public, no login); only a receipt comes back.
#[utoipa::path(post, path = "/api/v1/public/rewards/{id}/tips", params(("id" = String, Path)), request_body = TipRequest,
    responses((status = 201, body = ReceiptOut), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn public_tip(
    State(st): State<AppState>,
    ext: axum::http::Extensions,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<impl IntoResponse, ApiError> {
    public_gate(&st, &ext)?;
    let r: TipRequest = parse_json(&body)?;
    let rc = st
        .app
        .submit_public_tip(
            &id,
            &TipInput {
                content: r.content,
                tipster_name: r.tipster_name,
                tipster_phone: r.tipster_phone,
            },
            st.now_ms(),
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(ReceiptOut {
            receipt_no: rc.receipt_no,
            received_at: rc.received_at,
        }),
    ))
}

// ---- tip-offs -------------------------------------------------------------------------------

/// A 执行110 tip-off. `court` is required on the public form and ignored for staff intake (the
/// operator's court). Texts ≤ 2000 characters (location ≤ 500, names ≤ 100).
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct TipoffRequest {
    pub court: String,
    pub case_number: Option<String>,
    pub debtor_name: String,
    /// whereabouts | vehicle | assets | other (whereabouts and vehicle are always urgent)
    pub kind: String,
    pub urgent: bool,
    /// What was seen.
    pub content: String,
    /// Where it was seen.
    pub location: String,
    pub reporter_name: String,
    pub reporter_phone: String,
}

impl From<TipoffRequest> for TipoffInput {
    fn from(r: TipoffRequest) -> Self {
        TipoffInput {
            court: r.court,
            case_number: r.case_number,
            debtor_name: r.debtor_name,
            kind: r.kind,
            urgent: r.urgent,
            content: r.content,
            location: r.location,
            reporter_name: r.reporter_name,
            reporter_phone: r.reporter_phone,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ControlOut {
    pub id: String,
    pub tipoff_id: String,
    pub agency: String,
    pub requested_at: i64,
    /// requested | controlled | not_found | refused
    pub status: String,
    pub outcome_at: Option<i64>,
    pub outcome_note: Option<String>,
}

impl From<&ControlRow> for ControlOut {
    fn from(c: &ControlRow) -> Self {
        ControlOut {
            id: c.id.clone(),
            tipoff_id: c.tipoff_id.clone(),
            agency: c.agency.clone(),
            requested_at: c.requested_at,
            status: c.status.clone(),
            outcome_at: c.outcome_at,
            outcome_note: c.outcome_note.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TipoffOut {
    pub id: String,
    pub receipt_no: String,
    /// public | phone
    pub source: String,
    pub case_number: Option<String>,
    pub case_id: Option<String>,
    pub debtor_name: String,
    pub kind: String,
    pub urgent: bool,
    pub content: String,
    pub location: String,
    pub reporter_name: String,
    pub reporter_phone: String,
    /// new | dispatched | responded | closed
    pub status: String,
    pub team_id: Option<String>,
    pub team_name: Option<String>,
    pub dispatched_at: Option<i64>,
    /// unix ms
    pub respond_by: i64,
    pub overdue: bool,
    pub responded_at: Option<i64>,
    pub outcome: Option<String>,
    pub closed_at: Option<i64>,
    pub close_note: Option<String>,
    pub received_at: i64,
    pub controls: Vec<ControlOut>,
}

impl From<&TipoffView> for TipoffOut {
    fn from(v: &TipoffView) -> Self {
        let t = &v.tip;
        TipoffOut {
            id: t.id.clone(),
            receipt_no: t.receipt_no.clone(),
            source: t.source.clone(),
            case_number: t.case_number.clone(),
            case_id: t.case_id.clone(),
            debtor_name: t.debtor_name.clone(),
            kind: t.kind.clone(),
            urgent: t.urgent,
            content: t.content.clone(),
            location: t.location.clone(),
            reporter_name: t.reporter_name.clone(),
            reporter_phone: t.reporter_phone.clone(),
            status: t.status.clone(),
            team_id: t.team_id.clone(),
            team_name: v.team_name.clone(),
            dispatched_at: t.dispatched_at,
            respond_by: t.respond_by,
            overdue: v.overdue,
            responded_at: t.responded_at,
            outcome: t.outcome.clone(),
            closed_at: t.closed_at,
            close_note: t.close_note.clone(),
            received_at: t.created_at,
            controls: v.controls.iter().map(Into::into).collect(),
        }
    }
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct TipoffParams {
    /// new | dispatched | responded | closed
    pub status: Option<String>,
    /// Only tip-offs not responded to by their deadline.
    pub overdue: Option<bool>,
    /// Only tip-offs not closed.
    pub open: Option<bool>,
    /// 1-based page of 100 (the total is in the `X-Total-Count` header).
    pub page: Option<i64>,
}

#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct DispatchRequest {
    pub team_id: String,
}

#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct RespondRequest {
    pub outcome: String,
}

#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct NoteRequest {
    pub note: String,
}

#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ControlRequest {
    /// The public security organ asked (e.g. 犍为县公安局).
    pub agency: String,
    /// unix ms; default now.
    pub requested_at: Option<i64>,
}

#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ControlOutcomeRequest {
    /// controlled | not_found | refused
    pub outcome: String,
    pub note: String,
    /// unix ms; default now.
    pub at: Option<i64>,
}

/// Submit a 执行110 tip-off (public, no login); only a receipt comes back.
#[utoipa::path(post, path = "/api/v1/public/tipoffs", request_body = TipoffRequest,
    responses((status = 201, body = ReceiptOut), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn public_tipoff(
    State(st): State<AppState>,
    ext: axum::http::Extensions,
    body: Bytes,
) -> Result<impl IntoResponse, ApiError> {
    public_gate(&st, &ext)?;
    let r: TipoffRequest = parse_json(&body)?;
    let rc = st.app.submit_public_tipoff(&r.into(), st.now_ms()).await?;
    Ok((
        StatusCode::CREATED,
        Json(ReceiptOut {
            receipt_no: rc.receipt_no,
            received_at: rc.received_at,
        }),
    ))
}

/// A tip-off taken by the 执行110 phone operator; dispatched at once.
#[utoipa::path(post, path = "/api/v1/tipoffs", request_body = TipoffRequest,
    responses((status = 201, body = TipoffOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn intake_tipoff(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    body: Bytes,
) -> Result<impl IntoResponse, ApiError> {
    let r: TipoffRequest = parse_json(&body)?;
    let v = st.app.intake_tipoff(&actor, &r.into(), st.now_ms()).await?;
    Ok((StatusCode::CREATED, Json(TipoffOut::from(&v))))
}

/// The caller's court's tip-offs, most urgent deadline first, 100 per page; `overdue=true` for the
/// command center, `open=true` for everything not closed. The answer stays a JSON array; the total
/// and the page are in the `X-Total-Count`, `X-Page` and `X-Page-Size` headers.
#[utoipa::path(get, path = "/api/v1/tipoffs", params(TipoffParams),
    responses((status = 200, body = [TipoffOut], headers(
        ("X-Total-Count" = i64, description = "tip-offs matching the filter, all pages"),
        ("X-Page" = i64, description = "this page, 1-based"),
        ("X-Page-Size" = i64, description = "items per page"))),
      (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_tipoffs(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(p): Query<TipoffParams>,
) -> Result<impl IntoResponse, ApiError> {
    let q = zhixing_app::duty::TipoffQuery {
        status: p.status.filter(|s| !s.is_empty()),
        open_only: p.open.unwrap_or(false),
        overdue: p.overdue.unwrap_or(false),
        page: p.page,
    };
    let page = st.app.tipoffs_page(&actor, &q, st.now_ms()).await?;
    let items: Vec<TipoffOut> = page.items.iter().map(Into::into).collect();
    Ok((
        [
            ("x-total-count", page.total.to_string()),
            ("x-page", page.page.to_string()),
            ("x-page-size", page.page_size.to_string()),
        ],
        Json(items),
    ))
}

/// One tip-off with its 临控 requests.
#[utoipa::path(get, path = "/api/v1/tipoffs/{id}", params(("id" = String, Path)),
    responses((status = 200, body = TipoffOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get_tipoff(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<TipoffOut>, ApiError> {
    Ok(Json(
        (&st.app.tipoff(&actor, &id, st.now_ms()).await?).into(),
    ))
}

/// (Re)dispatch a tip-off to a team.
#[utoipa::path(post, path = "/api/v1/tipoffs/{id}/dispatch", params(("id" = String, Path)), request_body = DispatchRequest,
    responses((status = 200, body = TipoffOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn dispatch_tipoff(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<TipoffOut>, ApiError> {
    let r: DispatchRequest = parse_json(&body)?;
    let v = st
        .app
        .dispatch_tipoff(&actor, &id, &r.team_id, st.now_ms())
        .await?;
    Ok(Json((&v).into()))
}

/// The duty team's response (outcome note).
#[utoipa::path(post, path = "/api/v1/tipoffs/{id}/respond", params(("id" = String, Path)), request_body = RespondRequest,
    responses((status = 200, body = TipoffOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn respond_tipoff(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<TipoffOut>, ApiError> {
    let r: RespondRequest = parse_json(&body)?;
    let v = st
        .app
        .respond_tipoff(&actor, &id, &r.outcome, st.now_ms())
        .await?;
    Ok(Json((&v).into()))
}

/// Close a tip-off.
#[utoipa::path(post, path = "/api/v1/tipoffs/{id}/close", params(("id" = String, Path)), request_body = NoteRequest,
    responses((status = 200, body = TipoffOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn close_tipoff(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<TipoffOut>, ApiError> {
    let r: NoteRequest = parse_json(&body)?;
    let v = st
        .app
        .close_tipoff(&actor, &id, &r.note, st.now_ms())
        .await?;
    Ok(Json((&v).into()))
}

/// Request 临控 from the public security organ for a tip-off.
#[utoipa::path(post, path = "/api/v1/tipoffs/{id}/controls", params(("id" = String, Path)), request_body = ControlRequest,
    responses((status = 201, body = ControlOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn request_control(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<impl IntoResponse, ApiError> {
    let r: ControlRequest = parse_json(&body)?;
    let c = st
        .app
        .request_control(&actor, &id, &r.agency, r.requested_at, st.now_ms())
        .await?;
    Ok((StatusCode::CREATED, Json(ControlOut::from(&c))))
}

/// Record the outcome of a 临控 request.
#[utoipa::path(post, path = "/api/v1/police-controls/{id}/outcome", params(("id" = String, Path)), request_body = ControlOutcomeRequest,
    responses((status = 200, body = ControlOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn control_outcome(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<ControlOut>, ApiError> {
    let r: ControlOutcomeRequest = parse_json(&body)?;
    let c = st
        .app
        .control_outcome(&actor, &id, &r.outcome, &r.note, r.at, st.now_ms())
        .await?;
    Ok(Json((&c).into()))
}

// ---- referrals ------------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ViolationWire {
    /// `YYYY-MM-DD`
    pub on: String,
    /// after_sanction (after a fine/detention, REFUSE art 3(4)) | asset_transfer (REFUSE art 6) | other
    pub kind: String,
    pub description: String,
}

#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ReferralRequest {
    /// Default: the case's first debtor.
    pub suspect_name: String,
    pub facts: String,
    pub violations: Vec<ViolationWire>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReferralOut {
    pub id: String,
    pub case_id: String,
    /// drafted | referred | accepted | declined | dropped | private_filed | judged | withdrawn | settled
    pub status: String,
    pub suspect_name: String,
    pub facts: String,
    #[schema(value_type = Object)]
    pub violations: serde_json::Value,
    /// The evidence package: case, process events, audit records, violations.
    #[schema(value_type = Object)]
    pub package: serde_json::Value,
    /// SM3 of the stored package text.
    pub package_sm3: String,
    pub drafted_on: String,
    /// drafted_on + transfer days (local 「7日内移送」).
    pub transfer_by: String,
    pub transfer_overdue: bool,
    pub agency: Option<String>,
    pub referred_on: Option<String>,
    /// referred_on + trial days (local 「30日内审结」).
    pub conclude_by: Option<String>,
    pub conclude_overdue: bool,
    pub police_decided_on: Option<String>,
    pub police_note: Option<String>,
    pub applicant_evidence: Option<String>,
    pub private_filed_on: Option<String>,
    pub private_court: Option<String>,
    pub judgment_on: Option<String>,
    pub sentence: Option<String>,
    /// 不予追究 after 立案: the day, `police` (撤销案件) or `procuratorate` (不起诉), the reasons.
    pub dropped_on: Option<String>,
    pub dropped_by: Option<String>,
    pub dropped_note: Option<String>,
    /// The 自诉 withdrawn or settled before judgment (刑事诉讼法 art 212).
    pub ended_on: Option<String>,
    pub end_note: Option<String>,
}

impl From<&ReferralView> for ReferralOut {
    fn from(v: &ReferralView) -> Self {
        let r = &v.referral;
        let parse = |s: &str| serde_json::from_str(s).unwrap_or(serde_json::Value::Null);
        ReferralOut {
            id: r.id.clone(),
            case_id: r.case_id.clone(),
            status: r.status.clone(),
            suspect_name: r.suspect_name.clone(),
            facts: r.facts.clone(),
            violations: parse(&r.violations),
            package: parse(&r.package),
            package_sm3: r.package_sm3.clone(),
            drafted_on: r.drafted_on.clone(),
            transfer_by: r.transfer_by.clone(),
            transfer_overdue: v.transfer_overdue,
            agency: r.agency.clone(),
            referred_on: r.referred_on.clone(),
            conclude_by: r.conclude_by.clone(),
            conclude_overdue: v.conclude_overdue,
            police_decided_on: r.police_decided_on.clone(),
            police_note: r.police_note.clone(),
            applicant_evidence: r.applicant_evidence.clone(),
            private_filed_on: r.private_filed_on.clone(),
            private_court: r.private_court.clone(),
            judgment_on: r.judgment_on.clone(),
            sentence: r.sentence.clone(),
            dropped_on: r.dropped_on.clone(),
            dropped_by: r.dropped_by.clone(),
            dropped_note: r.dropped_note.clone(),
            ended_on: r.ended_on.clone(),
            end_note: r.end_note.clone(),
        }
    }
}

#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ReferRequest {
    pub agency: String,
    pub referred_on: String,
}

#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct PoliceDecisionRequest {
    /// true: 立案; false: not pursued.
    pub accepted: bool,
    pub on: String,
    /// Required when declined.
    pub note: String,
}

#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct PrivateProsecutionRequest {
    pub filed_on: String,
    /// The court the 自诉 was filed with.
    pub court_name: String,
    /// The applicant's evidence (REFUSE art 14).
    pub applicant_evidence: String,
}

#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct DroppedRequest {
    /// `police` (公安机关撤销案件) | `procuratorate` (检察机关不起诉)
    pub by: String,
    /// `YYYY-MM-DD`; empty = today.
    pub on: String,
    /// The organ's reasons (required).
    pub note: String,
}

#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct PrivateEndRequest {
    /// `withdrawn` (撤回自诉) | `settled` (和解)
    pub outcome: String,
    /// `YYYY-MM-DD`; empty = today.
    pub on: String,
    /// Required for a settlement: its terms.
    pub note: String,
}

#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct JudgmentRequest {
    pub judgment_on: String,
    pub sentence: String,
}

/// Draft a 拒执罪 referral: the evidence package is built from the case history.
#[utoipa::path(post, path = "/api/v1/cases/{id}/referrals", params(("id" = String, Path)), request_body = ReferralRequest,
    responses((status = 201, body = ReferralOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn create_referral(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<impl IntoResponse, ApiError> {
    let r: ReferralRequest = parse_json(&body)?;
    let v = st
        .app
        .create_referral(
            &actor,
            &id,
            &ReferralInput {
                suspect_name: r.suspect_name,
                facts: r.facts,
                violations: r
                    .violations
                    .into_iter()
                    .map(|v| ViolationInput {
                        on: v.on,
                        kind: v.kind,
                        description: v.description,
                    })
                    .collect(),
            },
            st.now_ms(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(ReferralOut::from(&v))))
}

/// The 拒执 referrals of a case.
#[utoipa::path(get, path = "/api/v1/cases/{id}/referrals", params(("id" = String, Path)),
    responses((status = 200, body = [ReferralOut]), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn case_referrals(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<Vec<ReferralOut>>, ApiError> {
    let list = st.app.case_referrals(&actor, &id, st.now_ms()).await?;
    Ok(Json(list.iter().map(Into::into).collect()))
}

/// Transfer a referral to the public security organ.
#[utoipa::path(post, path = "/api/v1/referrals/{id}/refer", params(("id" = String, Path)), request_body = ReferRequest,
    responses((status = 200, body = ReferralOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn refer(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<ReferralOut>, ApiError> {
    let r: ReferRequest = parse_json(&body)?;
    let v = st
        .app
        .refer_referral(&actor, &id, &r.agency, &r.referred_on, st.now_ms())
        .await?;
    Ok(Json((&v).into()))
}

/// The police decision: 立案 or not pursued.
#[utoipa::path(post, path = "/api/v1/referrals/{id}/police-decision", params(("id" = String, Path)), request_body = PoliceDecisionRequest,
    responses((status = 200, body = ReferralOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn police_decision(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<ReferralOut>, ApiError> {
    let r: PoliceDecisionRequest = parse_json(&body)?;
    let v = st
        .app
        .police_decision(&actor, &id, r.accepted, &r.on, &r.note, st.now_ms())
        .await?;
    Ok(Json((&v).into()))
}

/// The applicant's 自诉 after the police declined or the case was dropped (REFUSE art 14); 409
/// before.
#[utoipa::path(post, path = "/api/v1/referrals/{id}/private-prosecution", params(("id" = String, Path)), request_body = PrivateProsecutionRequest,
    responses((status = 200, body = ReferralOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn private_prosecution(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<ReferralOut>, ApiError> {
    let r: PrivateProsecutionRequest = parse_json(&body)?;
    let v = st
        .app
        .private_prosecution(
            &actor,
            &id,
            &r.filed_on,
            &r.court_name,
            &r.applicant_evidence,
            st.now_ms(),
        )
        .await?;
    Ok(Json((&v).into()))
}

/// After 立案 the case was not pursued (公安撤案 / 检察院不起诉); the applicant may then bring a
/// 自诉 (REFUSE art 14). 409 unless the police had accepted the case.
#[utoipa::path(post, path = "/api/v1/referrals/{id}/dropped", params(("id" = String, Path)), request_body = DroppedRequest,
    responses((status = 200, body = ReferralOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn dropped(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<ReferralOut>, ApiError> {
    let r: DroppedRequest = parse_json(&body)?;
    let v = st
        .app
        .referral_dropped(&actor, &id, &r.by, &r.on, &r.note, st.now_ms())
        .await?;
    Ok(Json((&v).into()))
}

/// A pending 自诉 withdrawn or settled before judgment (刑事诉讼法 art 212); 409 otherwise.
#[utoipa::path(post, path = "/api/v1/referrals/{id}/private-prosecution/end", params(("id" = String, Path)), request_body = PrivateEndRequest,
    responses((status = 200, body = ReferralOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn private_prosecution_end(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<ReferralOut>, ApiError> {
    let r: PrivateEndRequest = parse_json(&body)?;
    let v = st
        .app
        .private_prosecution_end(&actor, &id, &r.outcome, &r.on, &r.note, st.now_ms())
        .await?;
    Ok(Json((&v).into()))
}

/// The criminal judgment (after 立案 or 自诉).
#[utoipa::path(post, path = "/api/v1/referrals/{id}/judgment", params(("id" = String, Path)), request_body = JudgmentRequest,
    responses((status = 200, body = ReferralOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn judgment(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<ReferralOut>, ApiError> {
    let r: JudgmentRequest = parse_json(&body)?;
    let v = st
        .app
        .referral_judgment(&actor, &id, &r.judgment_on, &r.sentence, st.now_ms())
        .await?;
    Ok(Json((&v).into()))
}

#[derive(OpenApi)]
#[openapi(
    paths(
        get_settings,
        set_settings,
        apply_reward,
        case_rewards,
        get_reward,
        decide_reward,
        publish_reward,
        close_reward,
        add_lead,
        list_leads,
        verify_lead,
        pay_reward,
        reward_stats,
        public_rewards,
        public_tip,
        public_tipoff,
        intake_tipoff,
        list_tipoffs,
        get_tipoff,
        dispatch_tipoff,
        respond_tipoff,
        close_tipoff,
        request_control,
        control_outcome,
        create_referral,
        case_referrals,
        refer,
        police_decision,
        private_prosecution,
        dropped,
        private_prosecution_end,
        judgment
    ),
    components(schemas(
        DutySettingsWire,
        RewardRequest,
        RewardOut,
        RewardDecisionRequest,
        PublishRequest,
        CloseRewardRequest,
        TipRequest,
        ReceiptOut,
        LeadOut,
        VerifyRequest,
        PayoutRequest,
        PayoutOut,
        RewardStatsOut,
        PublicNoticeOut,
        PublicNoticePage,
        TipoffRequest,
        ControlOut,
        TipoffOut,
        DispatchRequest,
        RespondRequest,
        NoteRequest,
        ControlRequest,
        ControlOutcomeRequest,
        ViolationWire,
        ReferralRequest,
        ReferralOut,
        ReferRequest,
        PoliceDecisionRequest,
        PrivateProsecutionRequest,
        DroppedRequest,
        PrivateEndRequest,
        JudgmentRequest
    ))
)]
pub struct DutyDoc;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/admin/duty-settings",
            get(get_settings).post(set_settings),
        )
        .route(
            "/api/v1/cases/{id}/rewards",
            post(apply_reward).get(case_rewards),
        )
        .route("/api/v1/rewards/{id}", get(get_reward))
        .route("/api/v1/rewards/{id}/decision", post(decide_reward))
        .route("/api/v1/rewards/{id}/publish", post(publish_reward))
        .route("/api/v1/rewards/{id}/close", post(close_reward))
        .route("/api/v1/rewards/{id}/leads", post(add_lead).get(list_leads))
        .route("/api/v1/reward-leads/{id}/verification", post(verify_lead))
        .route("/api/v1/reward-leads/{id}/payouts", post(pay_reward))
        .route("/api/v1/reward-stats", get(reward_stats))
        .route("/api/v1/public/rewards", get(public_rewards))
        .route("/api/v1/public/rewards/{id}/tips", post(public_tip))
        .route("/api/v1/public/tipoffs", post(public_tipoff))
        .route("/api/v1/tipoffs", post(intake_tipoff).get(list_tipoffs))
        .route("/api/v1/tipoffs/{id}", get(get_tipoff))
        .route("/api/v1/tipoffs/{id}/dispatch", post(dispatch_tipoff))
        .route("/api/v1/tipoffs/{id}/respond", post(respond_tipoff))
        .route("/api/v1/tipoffs/{id}/close", post(close_tipoff))
        .route("/api/v1/tipoffs/{id}/controls", post(request_control))
        .route(
            "/api/v1/police-controls/{id}/outcome",
            post(control_outcome),
        )
        .route(
            "/api/v1/cases/{id}/referrals",
            post(create_referral).get(case_referrals),
        )
        .route("/api/v1/referrals/{id}/refer", post(refer))
        .route(
            "/api/v1/referrals/{id}/police-decision",
            post(police_decision),
        )
        .route(
            "/api/v1/referrals/{id}/private-prosecution",
            post(private_prosecution),
        )
        .route("/api/v1/referrals/{id}/dropped", post(dropped))
        .route(
            "/api/v1/referrals/{id}/private-prosecution/end",
            post(private_prosecution_end),
        )
        .route("/api/v1/referrals/{id}/judgment", post(judgment))
}
