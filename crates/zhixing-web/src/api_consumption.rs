//! `/api/v1` routes of permissions to consume under a 限制消费令 (XF2015 art 3 para 2: an entity's
//! bound person consuming privately with their own assets; art 8: the debtor's 生活或者经营必需):
//! record an application against a 限制消费 in effect, the 院长's decision, a case's list.
//! Bodies deny unknown fields (422 naming the field).

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::{Json, Router, routing::get, routing::post};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};
use zhixing_app::consumption::PermissionInput;
use zhixing_store::consumption::PermissionRow;

use crate::api::{ApiActor, parse_json};
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

/// An application. `act`: premium_transport | luxury_venues | real_estate | luxury_office |
/// vehicle | travel | private_school | insurance_products | high_speed_rail (XF2015 art 3 para 1
/// items 1–9). `ground`: private_own_assets (art 3 para 2, an entity's bound person) | necessity
/// (art 8, the debtor).
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct PermissionRequest {
    pub applicant_name: String,
    /// ID number; the entity's credit code when the entity itself applies.
    pub applicant_id_number: String,
    pub act: String,
    pub ground: String,
    /// Required, at most 1000 characters.
    pub reason: String,
    /// First day covered (YYYY-MM-DD), not before today.
    pub from: String,
    /// Last day covered (YYYY-MM-DD); at most 90 days from `from`, both counted.
    pub to: String,
}

/// The decision: grant, or refuse with reasons in `note`.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct PermissionDecisionRequest {
    pub grant: bool,
    pub note: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PermissionOut {
    pub id: String,
    pub court_code: String,
    pub case_id: String,
    pub measure_id: String,
    pub applicant_name: String,
    pub applicant_id_number: String,
    /// debtor | legal_representative | principal_in_charge | directly_responsible | actual_controller
    pub applicant_role: String,
    pub act: String,
    /// The act as XF2015 art 3 words it.
    pub act_text: String,
    pub ground: String,
    pub reason: String,
    pub from: String,
    pub to: String,
    /// applied | granted | refused
    pub status: String,
    pub applied_on: String,
    pub decided_on: Option<String>,
    pub decision_note: Option<String>,
}

impl From<&PermissionRow> for PermissionOut {
    fn from(r: &PermissionRow) -> Self {
        PermissionOut {
            id: r.id.clone(),
            court_code: r.court_code.clone(),
            case_id: r.case_id.clone(),
            measure_id: r.measure_id.clone(),
            applicant_name: r.applicant_name.clone(),
            applicant_id_number: r.applicant_id_number.clone(),
            applicant_role: r.applicant_role.clone(),
            act: r.act.clone(),
            act_text: zhixing_domain::consumption::act(&r.act)
                .map_or_else(String::new, |a| a.text_zh.to_owned()),
            ground: r.ground.clone(),
            reason: r.reason.clone(),
            from: r.period_from.clone(),
            to: r.period_to.clone(),
            status: r.status.clone(),
            applied_on: r.applied_on.clone(),
            decided_on: r.decided_on.clone(),
            decision_note: r.decision_note.clone(),
        }
    }
}

/// Record an application for permission to do a restricted act (the measure must be this court's
/// 限制消费 in effect; the applicant its debtor or one of its bound persons).
#[utoipa::path(post, path = "/api/v1/measures/{id}/consumption-permissions", params(("id" = String, Path)), request_body = PermissionRequest,
    responses((status = 201, body = PermissionOut), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn apply_permission(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<impl IntoResponse, ApiError> {
    let r: PermissionRequest = parse_json(&body)?;
    let input = PermissionInput {
        applicant_name: r.applicant_name,
        applicant_id_number: r.applicant_id_number,
        act: r.act,
        ground: r.ground,
        reason: r.reason,
        from: r.from,
        to: r.to,
    };
    let v = st
        .app
        .apply_consumption_permission(&actor, &id, &input, st.now_ms())
        .await?;
    Ok((StatusCode::CREATED, Json(PermissionOut::from(&v))))
}

/// The 院长 grants or refuses (with reasons) an application; once (a second decision is 409).
#[utoipa::path(post, path = "/api/v1/consumption-permissions/{id}/decision", params(("id" = String, Path)), request_body = PermissionDecisionRequest,
    responses((status = 200, body = PermissionOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn decide_permission(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<PermissionOut>, ApiError> {
    let r: PermissionDecisionRequest = parse_json(&body)?;
    let v = st
        .app
        .decide_consumption_permission(&actor, &id, r.grant, &r.note, st.now_ms())
        .await?;
    Ok(Json(PermissionOut::from(&v)))
}

/// A case's applications, oldest first.
#[utoipa::path(get, path = "/api/v1/cases/{id}/consumption-permissions", params(("id" = String, Path)),
    responses((status = 200, body = [PermissionOut]), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn case_permissions(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<Vec<PermissionOut>>, ApiError> {
    let v = st.app.case_consumption_permissions(&actor, &id).await?;
    Ok(Json(v.iter().map(PermissionOut::from).collect()))
}

/// The decision (准许 / 不予准许) as DOCX, once decided; 409 `not_decided` before.
#[utoipa::path(get, path = "/api/v1/consumption-permissions/{id}/document", params(("id" = String, Path)),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)), security(("bearer" = [])))]
pub async fn permission_document(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<axum::response::Response, ApiError> {
    let d = st.app.consumption_permission_document(&actor, &id).await?;
    crate::api_measures::docx_response(d)
}

#[derive(OpenApi)]
#[openapi(
    paths(
        apply_permission,
        decide_permission,
        case_permissions,
        permission_document
    ),
    components(schemas(PermissionRequest, PermissionDecisionRequest, PermissionOut))
)]
pub struct ConsumptionDoc;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/measures/{id}/consumption-permissions",
            post(apply_permission),
        )
        .route(
            "/api/v1/consumption-permissions/{id}/decision",
            post(decide_permission),
        )
        .route(
            "/api/v1/cases/{id}/consumption-permissions",
            get(case_permissions),
        )
        .route(
            "/api/v1/consumption-permissions/{id}/document",
            get(permission_document),
        )
}
