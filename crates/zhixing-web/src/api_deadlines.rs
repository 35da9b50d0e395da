//! `/api/v1` routes of the deadline engine (issue 3): process events, node deadlines with "why this
//! date", excluded periods, extensions, 督办, the 红黄蓝 board, due lists and the inbox.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::{Json, Router, routing::get, routing::post};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};
use zhixing_app::deadlines::{DeadlineView, EventInput, ExcludedInput, Moved};
use zhixing_domain::deadline::find_node;
use zhixing_store::deadlines::{EventRow, ExtensionRow, NotificationRow, SupervisionRow};

use crate::api::{ApiActor, parse_json};
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

// ---- wire types ---------------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct EventRequest {
    /// A process-node id of the catalogue (`enforcement_notice`, `lead_received`, …).
    pub node: String,
    /// `YYYY-MM-DD`
    pub on: String,
    pub note: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventOut {
    pub id: String,
    pub node: String,
    pub node_name: String,
    pub on: String,
    pub note: String,
    pub actor_id: String,
    pub actor_name: Option<String>,
    /// unix ms
    pub recorded_at: i64,
}

impl From<&EventRow> for EventOut {
    fn from(e: &EventRow) -> Self {
        EventOut {
            id: e.id.clone(),
            node: e.node.clone(),
            node_name: find_node(&e.node).map_or_else(|| e.node.clone(), |n| n.name_zh.clone()),
            on: e.on_date.clone(),
            note: e.note.clone(),
            actor_id: e.actor_id.clone(),
            actor_name: e.actor_name.clone(),
            recorded_at: e.created_at,
        }
    }
}

/// One node deadline: `node`, `due_on`, `status` (pending / done / overdue), `level` (blue /
/// yellow / red or null), `rule` and its `derivation` ("why this date").
#[derive(Debug, Serialize, ToSchema)]
pub struct DeadlineOut {
    pub id: String,
    pub case_id: String,
    pub node: String,
    pub node_name: String,
    pub key_node: bool,
    pub due_on: String,
    /// pending | done | overdue
    pub status: String,
    /// blue | yellow | red | null
    pub level: Option<String>,
    /// The rule id, e.g. `notice_3d_dl2006`.
    pub rule: String,
    pub rule_version: i64,
    /// statutory | local | minimum (minimum: the node may not happen before due_on)
    pub kind: String,
    /// Regulation and article.
    pub rule_source: String,
    pub start_on: String,
    pub done_on: Option<String>,
    pub handler_id: Option<String>,
    /// Every step of the computation: start, length, raw end, excluded periods, extensions,
    /// holiday roll-over, calendar version.
    #[schema(value_type = Object)]
    pub derivation: serde_json::Value,
}

impl From<&DeadlineView> for DeadlineOut {
    fn from(v: &DeadlineView) -> Self {
        let d = &v.row;
        DeadlineOut {
            id: d.id.clone(),
            case_id: d.case_id.clone(),
            node: d.node.clone(),
            node_name: v.node_name.clone(),
            key_node: d.key_node,
            due_on: d.due_on.clone(),
            status: v.status.into(),
            level: v.level.map(Into::into),
            rule: d.rule_id.clone(),
            rule_version: d.rule_version,
            kind: d.kind.clone(),
            rule_source: v.rule_source.clone(),
            start_on: d.start_on.clone(),
            done_on: d.done_on.clone(),
            handler_id: d.handler_id.clone(),
            derivation: serde_json::from_str(&d.derivation).unwrap_or(serde_json::Value::Null),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventResponse {
    pub event: EventOut,
    /// Deadlines this event completed.
    pub completed: Vec<DeadlineOut>,
    /// Deadlines this event started.
    pub started: Vec<DeadlineOut>,
    /// Open deadlines cancelled (终本 / 结案 end the others).
    pub cancelled: usize,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MovedOut {
    pub deadline_id: String,
    pub case_id: String,
    pub node: String,
    pub from: String,
    pub to: String,
}

impl From<&Moved> for MovedOut {
    fn from(m: &Moved) -> Self {
        MovedOut {
            deadline_id: m.deadline_id.clone(),
            case_id: m.case_id.clone(),
            node: m.node.clone(),
            from: m.from.clone(),
            to: m.to.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MovedResponse {
    pub moved: Vec<MovedOut>,
}

#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ExcludedRequest {
    /// announcement | appraisal | valuation_audit | postponement | suspension | auction_sale |
    /// jurisdiction_dispute | dispute_coordination
    pub kind: String,
    pub from: String,
    pub to: String,
    pub note: String,
}

#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ExtensionRequest {
    pub length: i64,
    /// calendar_days | working_days | months
    pub unit: String,
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExtensionOut {
    pub id: String,
    pub case_id: String,
    pub requested_on: String,
    pub length: i64,
    pub unit: String,
    pub reason: String,
    /// requested | approved | refused
    pub status: String,
    pub decided_on: Option<String>,
}

impl From<&ExtensionRow> for ExtensionOut {
    fn from(e: &ExtensionRow) -> Self {
        ExtensionOut {
            id: e.id.clone(),
            case_id: e.case_id.clone(),
            requested_on: e.requested_on.clone(),
            length: e.length,
            unit: e.unit.clone(),
            reason: e.reason.clone(),
            status: e.status.clone(),
            decided_on: e.decided_on.clone(),
        }
    }
}

#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionRequest {
    pub approve: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DecisionResponse {
    pub extension: ExtensionOut,
    pub moved: Vec<MovedOut>,
}

#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct SupervisionRequest {
    pub reason: String,
    /// `YYYY-MM-DD`
    pub reply_due_on: String,
}

#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ReplyRequest {
    pub reply: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SupervisionOut {
    pub id: String,
    pub case_id: String,
    pub court: String,
    pub opened_by: String,
    pub opener_court: String,
    pub reason: String,
    pub reply_due_on: String,
    /// open | replied | escalated
    pub status: String,
    pub reply: Option<String>,
    pub replied_at: Option<i64>,
    pub escalated_at: Option<i64>,
}

impl From<&SupervisionRow> for SupervisionOut {
    fn from(s: &SupervisionRow) -> Self {
        SupervisionOut {
            id: s.id.clone(),
            case_id: s.case_id.clone(),
            court: s.court_code.clone(),
            opened_by: s.opened_by.clone(),
            opener_court: s.opener_court.clone(),
            reason: s.reason.clone(),
            reply_due_on: s.reply_due_on.clone(),
            status: s.status.clone(),
            reply: s.reply.clone(),
            replied_at: s.replied_at,
            escalated_at: s.escalated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BoardRowOut {
    pub court: String,
    pub court_name: String,
    pub team_id: Option<String>,
    pub team_name: Option<String>,
    pub handler_id: Option<String>,
    pub handler_name: Option<String>,
    pub level: String,
    pub items: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BoardTotals {
    pub blue: i64,
    pub yellow: i64,
    pub red: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BoardResponse {
    pub totals: BoardTotals,
    pub rows: Vec<BoardRowOut>,
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct BoardParams {
    /// A court code within the caller's reach (higher courts: any subordinate court).
    pub court: Option<String>,
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct DueParams {
    /// Horizon in calendar days (default 7); overdue items are always included.
    pub days: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DueOut {
    pub case_number: String,
    #[serde(flatten)]
    pub deadline: DeadlineOut,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationOut {
    pub id: String,
    pub case_id: Option<String>,
    /// deadline.level | deadline.moved | supervision.opened | supervision.replied |
    /// supervision.escalated | extension.requested | extension.decided
    pub kind: String,
    pub level: Option<String>,
    pub title: String,
    pub body: String,
    pub created_at: i64,
    pub read: bool,
}

impl From<&NotificationRow> for NotificationOut {
    fn from(n: &NotificationRow) -> Self {
        NotificationOut {
            id: n.id.clone(),
            case_id: n.case_id.clone(),
            kind: n.source_kind.clone(),
            level: n.level.clone(),
            title: n.title.clone(),
            body: n.body.clone(),
            created_at: n.created_at,
            read: n.read_at.is_some(),
        }
    }
}

#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct LocalRuleRequest {
    /// One line in the format of `data/deadline_rules.tsv` (TAB-separated, kind `local`).
    pub rule: String,
}

// ---- handlers -----------------------------------------------------------------------------------

/// 记录流程节点: complete the node's deadlines and start the ones that follow.
#[utoipa::path(post, path = "/api/v1/cases/{id}/events", params(("id" = String, Path)), request_body = EventRequest,
    responses((status = 201, body = EventResponse), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn record_event(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<impl IntoResponse, ApiError> {
    let r: EventRequest = parse_json(&body)?;
    let out = st
        .app
        .record_event(
            &actor,
            &id,
            &EventInput {
                node: r.node,
                on: r.on,
                note: r.note,
            },
            st.now_ms(),
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(EventResponse {
            event: (&out.event).into(),
            completed: out.completed.iter().map(Into::into).collect(),
            started: out.started.iter().map(Into::into).collect(),
            cancelled: out.cancelled,
        }),
    ))
}

/// The case's process events.
#[utoipa::path(get, path = "/api/v1/cases/{id}/events", params(("id" = String, Path)),
    responses((status = 200, body = [EventOut]), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn list_events(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<Vec<EventOut>>, ApiError> {
    let events = st.app.case_events(&actor, &id).await?;
    Ok(Json(events.iter().map(Into::into).collect()))
}

/// The case's node deadlines with live status, level and derivation.
#[utoipa::path(get, path = "/api/v1/cases/{id}/deadlines", params(("id" = String, Path)),
    responses((status = 200, body = [DeadlineOut]), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn list_deadlines(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<Vec<DeadlineOut>>, ApiError> {
    let d = st.app.case_deadlines(&actor, &id, st.now_ms()).await?;
    Ok(Json(d.iter().map(Into::into).collect()))
}

/// 扣除期间: stop the case-term clock for a period (TL2000 art 9; EPI art 13).
#[utoipa::path(post, path = "/api/v1/cases/{id}/excluded-periods", params(("id" = String, Path)), request_body = ExcludedRequest,
    responses((status = 201, body = MovedResponse), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn add_excluded(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<impl IntoResponse, ApiError> {
    let r: ExcludedRequest = parse_json(&body)?;
    let moved = st
        .app
        .add_excluded_period(
            &actor,
            &id,
            &ExcludedInput {
                kind: r.kind,
                from: r.from,
                to: r.to,
                note: r.note,
            },
            st.now_ms(),
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(MovedResponse {
            moved: moved.iter().map(Into::into).collect(),
        }),
    ))
}

/// Request an extension of the case term (DL2006 art 1: at least 5 days before expiry).
#[utoipa::path(post, path = "/api/v1/cases/{id}/extensions", params(("id" = String, Path)), request_body = ExtensionRequest,
    responses((status = 201, body = ExtensionOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn request_extension(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<impl IntoResponse, ApiError> {
    let r: ExtensionRequest = parse_json(&body)?;
    let e = st
        .app
        .request_extension(&actor, &id, r.length, &r.unit, &r.reason, st.now_ms())
        .await?;
    Ok((StatusCode::CREATED, Json(ExtensionOut::from(&e))))
}

/// The president approves or refuses an extension (TL2000 art 5).
#[utoipa::path(post, path = "/api/v1/extensions/{id}/decision", params(("id" = String, Path)), request_body = DecisionRequest,
    responses((status = 200, body = DecisionResponse), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn decide_extension(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<DecisionResponse>, ApiError> {
    let r: DecisionRequest = parse_json(&body)?;
    let (e, moved) = st
        .app
        .decide_extension(&actor, &id, r.approve, st.now_ms())
        .await?;
    Ok(Json(DecisionResponse {
        extension: (&e).into(),
        moved: moved.iter().map(Into::into).collect(),
    }))
}

/// 督办: open a supervision item on a case.
#[utoipa::path(post, path = "/api/v1/cases/{id}/supervisions", params(("id" = String, Path)), request_body = SupervisionRequest,
    responses((status = 201, body = SupervisionOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn open_supervision(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<impl IntoResponse, ApiError> {
    let r: SupervisionRequest = parse_json(&body)?;
    let s = st
        .app
        .open_supervision(&actor, &id, &r.reason, &r.reply_due_on, st.now_ms())
        .await?;
    Ok((StatusCode::CREATED, Json(SupervisionOut::from(&s))))
}

/// 督办 items of a case.
#[utoipa::path(get, path = "/api/v1/cases/{id}/supervisions", params(("id" = String, Path)),
    responses((status = 200, body = [SupervisionOut]), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn list_supervisions(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<Vec<SupervisionOut>>, ApiError> {
    let s = st.app.case_supervisions(&actor, &id).await?;
    Ok(Json(s.iter().map(Into::into).collect()))
}

/// Reply to a 督办 item.
#[utoipa::path(post, path = "/api/v1/supervisions/{id}/reply", params(("id" = String, Path)), request_body = ReplyRequest,
    responses((status = 200, body = SupervisionOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn reply_supervision(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<SupervisionOut>, ApiError> {
    let r: ReplyRequest = parse_json(&body)?;
    let s = st
        .app
        .reply_supervision(&actor, &id, &r.reply, st.now_ms())
        .await?;
    Ok(Json((&s).into()))
}

/// The 红黄蓝 board: warned deadlines by court, team, handler and level.
#[utoipa::path(get, path = "/api/v1/board", params(BoardParams),
    responses((status = 200, body = BoardResponse), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn board(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(p): Query<BoardParams>,
) -> Result<Json<BoardResponse>, ApiError> {
    let b = st.app.board(&actor, p.court.as_deref()).await?;
    let total = |l: &str| b.totals.get(l).copied().unwrap_or(0);
    let some = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    Ok(Json(BoardResponse {
        totals: BoardTotals {
            blue: total("blue"),
            yellow: total("yellow"),
            red: total("red"),
        },
        rows: b
            .rows
            .iter()
            .map(|r| BoardRowOut {
                court: r.court_code.clone(),
                court_name: r.court_name.clone(),
                team_id: some(&r.team_id),
                team_name: r.team_name.clone(),
                handler_id: some(&r.handler_id),
                handler_name: r.handler_name.clone(),
                level: r.level.clone(),
                items: r.items,
            })
            .collect(),
    }))
}

/// The caller's due list: open deadlines due within `days` (default 7) or overdue.
#[utoipa::path(get, path = "/api/v1/me/deadlines", params(DueParams),
    responses((status = 200, body = [DueOut])), security(("bearer" = [])))]
pub async fn my_deadlines(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(p): Query<DueParams>,
) -> Result<Json<Vec<DueOut>>, ApiError> {
    let items = st
        .app
        .due_list(&actor, p.days.unwrap_or(7), st.now_ms())
        .await?;
    let out = items
        .iter()
        .map(|(number, v)| DueOut {
            case_number: number.clone(),
            deadline: v.into(),
        })
        .collect();
    Ok(Json(out))
}

/// The caller's inbox, newest first.
#[utoipa::path(get, path = "/api/v1/me/notifications",
    responses((status = 200, body = [NotificationOut])), security(("bearer" = [])))]
pub async fn my_notifications(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<Vec<NotificationOut>>, ApiError> {
    let n = st.app.notifications(&actor, 200).await?;
    Ok(Json(n.iter().map(Into::into).collect()))
}

/// Mark a notification read.
#[utoipa::path(post, path = "/api/v1/me/notifications/{id}/read", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn mark_read(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    st.app.mark_read(&actor, &id, st.now_ms()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Add or replace a local (stricter) deadline rule of the caller's court; open deadlines are
/// recomputed and the moved ones listed.
#[utoipa::path(post, path = "/api/v1/admin/deadline-rules", request_body = LocalRuleRequest,
    responses((status = 200, body = MovedResponse), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn set_local_rule(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    body: Bytes,
) -> Result<Json<MovedResponse>, ApiError> {
    let r: LocalRuleRequest = parse_json(&body)?;
    let moved = st.app.set_local_rule(&actor, &r.rule, st.now_ms()).await?;
    Ok(Json(MovedResponse {
        moved: moved.iter().map(Into::into).collect(),
    }))
}

/// A court's deadline settings; absent fields are left unchanged.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct DeadlineSettingsRequest {
    /// Blue warning this many working days before the due date (0–30; default 3).
    pub blue_working_days: Option<i64>,
    /// Conflict group → chosen rule id (rules.md §1.3), or null to go back to the stricter rule.
    #[schema(value_type = Object)]
    pub conflict_choices: std::collections::BTreeMap<String, Option<String>>,
}

/// Set the caller's court's warning threshold and conflict choices (admin or bureau director).
#[utoipa::path(post, path = "/api/v1/admin/deadline-settings", request_body = DeadlineSettingsRequest,
    responses((status = 200, body = MovedResponse), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn deadline_settings(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    body: Bytes,
) -> Result<Json<MovedResponse>, ApiError> {
    let r: DeadlineSettingsRequest = parse_json(&body)?;
    let now = st.now_ms();
    if let Some(n) = r.blue_working_days {
        st.app.set_blue_threshold(&actor, n, now).await?;
    }
    let mut moved = Vec::new();
    for (group, rule) in &r.conflict_choices {
        moved.extend(
            st.app
                .set_conflict_choice(&actor, group, rule.as_deref(), now)
                .await?,
        );
    }
    Ok(Json(MovedResponse {
        moved: moved.iter().map(Into::into).collect(),
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EvidenceOut {
    pub id: String,
    pub case_id: String,
    pub event_id: Option<String>,
    /// SM3 digest (GB/T 32905) of the content, lower-case hex.
    pub sm3: String,
    pub size_bytes: i64,
    pub media_type: String,
    pub file_name: String,
    pub uploaded_by: String,
    pub created_at: i64,
}

impl From<&zhixing_app::evidence::EvidenceRow> for EvidenceOut {
    fn from(r: &zhixing_app::evidence::EvidenceRow) -> Self {
        EvidenceOut {
            id: r.id.clone(),
            case_id: r.case_id.clone(),
            event_id: r.event_id.clone(),
            sm3: r.sm3.clone(),
            size_bytes: r.size_bytes,
            media_type: r.media_type.clone(),
            file_name: r.file_name.clone(),
            uploaded_by: r.uploaded_by.clone(),
            created_at: r.created_at,
        }
    }
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct EvidenceParams {
    /// Original file name (UTF-8).
    pub file_name: String,
    /// The process event this file documents (optional).
    pub event_id: Option<String>,
}

/// Upload an evidence file (raw body, `Content-Type` = its media type, at most 50 MiB).
#[utoipa::path(post, path = "/api/v1/cases/{id}/evidence", params(("id" = String, Path), EvidenceParams),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = EvidenceOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 413), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn upload_evidence(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    Query(p): Query<EvidenceParams>,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Result<impl IntoResponse, ApiError> {
    let media_type = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .split(';')
        .next()
        .unwrap_or_default()
        .to_owned();
    let r = st
        .app
        .add_evidence(
            &actor,
            &id,
            zhixing_app::evidence::EvidenceInput {
                file_name: p.file_name,
                media_type,
                event_id: p.event_id,
                bytes: body.to_vec(),
            },
            st.now_ms(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(EvidenceOut::from(&r))))
}

/// Evidence files of a case.
#[utoipa::path(get, path = "/api/v1/cases/{id}/evidence", params(("id" = String, Path)),
    responses((status = 200, body = [EvidenceOut]), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn list_evidence(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<Vec<EvidenceOut>>, ApiError> {
    let list = st.app.case_evidence(&actor, &id).await?;
    Ok(Json(list.iter().map(Into::into).collect()))
}

/// The content of an evidence file, checked against its SM3 digest first (409 when it differs).
#[utoipa::path(get, path = "/api/v1/evidence/{id}/content", params(("id" = String, Path)),
    responses((status = 200, content_type = "application/octet-stream"), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody)), security(("bearer" = [])))]
pub async fn evidence_content(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let (r, bytes) = st.app.evidence_content(&actor, &id).await?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, r.media_type.clone()),
            (
                axum::http::header::HeaderName::from_static("x-content-sm3"),
                r.sm3.clone(),
            ),
        ],
        bytes,
    ))
}

/// Routes that accept large bodies (given their own body limit in `router`).
pub fn upload_routes() -> Router<AppState> {
    Router::new().route(
        "/api/v1/cases/{id}/evidence",
        post(upload_evidence).get(list_evidence),
    )
}

#[derive(OpenApi)]
#[openapi(
    paths(
        deadline_settings,
        upload_evidence,
        list_evidence,
        evidence_content,
        record_event,
        list_events,
        list_deadlines,
        add_excluded,
        request_extension,
        decide_extension,
        open_supervision,
        list_supervisions,
        reply_supervision,
        board,
        my_deadlines,
        my_notifications,
        mark_read,
        set_local_rule
    ),
    components(schemas(
        EventRequest,
        EventOut,
        DeadlineOut,
        EventResponse,
        MovedOut,
        MovedResponse,
        ExcludedRequest,
        ExtensionRequest,
        ExtensionOut,
        DecisionRequest,
        DecisionResponse,
        SupervisionRequest,
        ReplyRequest,
        SupervisionOut,
        BoardRowOut,
        BoardTotals,
        BoardResponse,
        DueOut,
        NotificationOut,
        LocalRuleRequest,
        DeadlineSettingsRequest,
        EvidenceOut
    ))
)]
pub struct DeadlinesDoc;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/cases/{id}/events",
            post(record_event).get(list_events),
        )
        .route("/api/v1/cases/{id}/deadlines", get(list_deadlines))
        .route("/api/v1/cases/{id}/excluded-periods", post(add_excluded))
        .route("/api/v1/cases/{id}/extensions", post(request_extension))
        .route("/api/v1/extensions/{id}/decision", post(decide_extension))
        .route(
            "/api/v1/cases/{id}/supervisions",
            post(open_supervision).get(list_supervisions),
        )
        .route("/api/v1/supervisions/{id}/reply", post(reply_supervision))
        .route("/api/v1/board", get(board))
        .route("/api/v1/me/deadlines", get(my_deadlines))
        .route("/api/v1/me/notifications", get(my_notifications))
        .route("/api/v1/me/notifications/{id}/read", post(mark_read))
        .route("/api/v1/admin/deadline-rules", post(set_local_rule))
        .route("/api/v1/evidence/{id}/content", get(evidence_content))
        .route("/api/v1/admin/deadline-settings", post(deadline_settings))
}
