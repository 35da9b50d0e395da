//! The JSON API under `/api/v1` (Bearer tokens). Wire types live here and nowhere else.

use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::{Json, Router, routing::get, routing::post};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};
use zhixing_app::cases::{CaseDetail, ListQuery};
use zhixing_app::{Actor, AppError};
use zhixing_domain::case::NewCaseInput;
use zhixing_domain::party::PartyInput;
use zhixing_store::cases::{CaseRow, PartyRow};

use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

/// The authenticated caller of an API route (`Authorization: Bearer <token>`).
pub struct ApiActor(pub Actor);

impl FromRequestParts<AppState> for ApiActor {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(AppError::Unauthenticated)?;
        Ok(ApiActor(state.app.authenticate_token(token).await?))
    }
}

/// Parse a JSON body: malformed JSON is 400; a well-formed body of the wrong shape is 422 naming the
/// field (path from serde_path_to_error).
pub fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    if let Err(e) = serde_json::from_slice::<serde_json::Value>(body) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed_json",
            None,
            format!("请求体不是合法的 JSON：{e}"),
        ));
    }
    let de = &mut serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_type",
            Some(path.clone()),
            format!("字段 {path} 的类型或取值不正确：{}", e.inner()),
        )
    })
}

// ---- wire types ---------------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default)]
pub struct BasisWire {
    /// 法院代字 of the issuing court, e.g. `川1123`.
    pub court: String,
    /// e.g. `（2023）川1123民初456号`
    pub document_number: String,
    /// e.g. `民事判决书`
    pub document_type: String,
}

#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default)]
pub struct PartyIn {
    /// `person` or `entity`
    pub kind: String,
    pub name: String,
    /// 居民身份证号 (persons)
    pub id_number: Option<String>,
    /// 统一社会信用代码 (entities)
    pub credit_code: Option<String>,
    /// 法定代表人 (entities)
    pub legal_representative: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
}

#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default)]
pub struct NewCaseRequest {
    pub court: String,
    /// 类型代字: 执, 执恢, 执保, 执异, …
    pub type_code: String,
    /// YYYY-MM-DD
    pub filed_on: String,
    pub basis: BasisWire,
    pub applicants: Vec<PartyIn>,
    pub debtors: Vec<PartyIn>,
    /// 申请执行标的金额, integer 分
    pub claim_fen: Option<i64>,
}

impl From<PartyIn> for PartyInput {
    fn from(p: PartyIn) -> Self {
        PartyInput {
            kind: p.kind,
            name: p.name,
            id_number: p.id_number,
            credit_code: p.credit_code,
            legal_representative: p.legal_representative,
            phone: p.phone,
            address: p.address,
        }
    }
}

impl From<NewCaseRequest> for NewCaseInput {
    fn from(r: NewCaseRequest) -> Self {
        NewCaseInput {
            court: r.court,
            type_code: r.type_code,
            filed_on: r.filed_on,
            basis_court: r.basis.court,
            basis_document_number: r.basis.document_number,
            basis_document_type: r.basis.document_type,
            applicants: r.applicants.into_iter().map(Into::into).collect(),
            debtors: r.debtors.into_iter().map(Into::into).collect(),
            claim_fen: r.claim_fen,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PartyOut {
    pub kind: String,
    pub name: String,
    pub id_number: Option<String>,
    pub credit_code: Option<String>,
    pub legal_representative: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
}

impl From<&PartyRow> for PartyOut {
    fn from(p: &PartyRow) -> Self {
        PartyOut {
            kind: p.kind.clone(),
            name: p.name.clone(),
            id_number: p.id_number.clone(),
            credit_code: p.credit_code.clone(),
            legal_representative: p.legal_representative.clone(),
            phone: p.phone.clone(),
            address: p.address.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NamedRef {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CaseRefOut {
    pub id: String,
    pub case_number: String,
    pub court: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CaseResponse {
    pub id: String,
    pub court: String,
    pub court_name: String,
    pub case_number: String,
    pub type_code: String,
    pub filed_on: String,
    pub basis: BasisWire,
    pub applicants: Vec<PartyOut>,
    pub debtors: Vec<PartyOut>,
    pub claim_fen: i64,
    /// `fast` or `standard`
    pub track: String,
    pub track_reason: String,
    pub team: Option<NamedRef>,
    pub handler: Option<NamedRef>,
    pub assignment_reason: String,
    /// `pending_assignment`, `in_progress`, `suspended`, `closed`
    pub status: String,
    pub same_debtor_cases: Vec<CaseRefOut>,
}

fn named(id: &Option<String>, name: &Option<String>) -> Option<NamedRef> {
    id.as_ref().map(|id| NamedRef {
        id: id.clone(),
        name: name.clone().unwrap_or_default(),
    })
}

impl From<&CaseDetail> for CaseResponse {
    fn from(d: &CaseDetail) -> Self {
        let c = &d.case;
        CaseResponse {
            id: c.id.clone(),
            court: c.court_code.clone(),
            court_name: d.court_name.clone(),
            case_number: c.case_number.clone(),
            type_code: c.type_code.clone(),
            filed_on: c.filed_on.clone(),
            basis: BasisWire {
                court: c.basis_court.clone(),
                document_number: c.basis_document_number.clone(),
                document_type: c.basis_document_type.clone(),
            },
            applicants: d.applicants.iter().map(Into::into).collect(),
            debtors: d.debtors.iter().map(Into::into).collect(),
            claim_fen: c.claim_fen,
            track: c.track.clone(),
            track_reason: c.triage_reason.clone(),
            team: named(&c.team_id, &c.team_name),
            handler: named(&c.handler_id, &c.handler_name),
            assignment_reason: c.assignment_reason.clone(),
            status: c.status.clone(),
            same_debtor_cases: d
                .same_debtor_cases
                .iter()
                .map(|r| CaseRefOut {
                    id: r.id.clone(),
                    case_number: r.case_number.clone(),
                    court: r.court_code.clone(),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CaseSummary {
    pub id: String,
    /// First applicant's name.
    pub applicant: Option<String>,
    /// First debtor's name.
    pub debtor: Option<String>,
    pub court: String,
    pub case_number: String,
    pub type_code: String,
    pub filed_on: String,
    pub claim_fen: i64,
    pub track: String,
    pub team: Option<NamedRef>,
    pub handler: Option<NamedRef>,
    pub status: String,
}

impl From<&CaseRow> for CaseSummary {
    fn from(c: &CaseRow) -> Self {
        CaseSummary {
            id: c.id.clone(),
            applicant: c.applicant_name.clone(),
            debtor: c.debtor_name.clone(),
            court: c.court_code.clone(),
            case_number: c.case_number.clone(),
            type_code: c.type_code.clone(),
            filed_on: c.filed_on.clone(),
            claim_fen: c.claim_fen,
            track: c.track.clone(),
            team: named(&c.team_id, &c.team_name),
            handler: named(&c.handler_id, &c.handler_name),
            status: c.status.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CaseList {
    pub items: Vec<CaseSummary>,
    pub total: i64,
    pub page: i64,
    pub page_size: i64,
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct CaseListParams {
    /// 法院代字
    pub court: Option<String>,
    pub status: Option<String>,
    /// case number, party name, ID number or credit code
    pub q: Option<String>,
    /// 1-based
    pub page: Option<String>,
}

impl CaseListParams {
    pub fn to_query(&self) -> Result<ListQuery, AppError> {
        let page = match self
            .page
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            Some(p) => Some(
                p.parse::<i64>()
                    .map_err(|_| AppError::invalid("page", "page", "页码必须是正整数"))?,
            ),
            None => None,
        };
        Ok(ListQuery {
            court: self.court.clone(),
            status: self.status.clone(),
            q: self.q.clone(),
            page,
        })
    }
}

#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default)]
pub struct ReassignRequest {
    pub team_id: String,
    pub handler_id: Option<String>,
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeResponse {
    pub username: String,
    pub name: String,
    pub court: String,
    pub role: String,
}

// ---- handlers -----------------------------------------------------------------------------------

/// 立案: file an enforcement case.
#[utoipa::path(post, path = "/api/v1/cases", request_body = NewCaseRequest,
    responses((status = 201, body = CaseResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create_case(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    body: Bytes,
) -> Result<impl IntoResponse, ApiError> {
    let req: NewCaseRequest = parse_json(&body)?;
    let d = st.app.file_case(&actor, &req.into(), st.now_ms()).await?;
    Ok((StatusCode::CREATED, Json(CaseResponse::from(&d))))
}

/// Read one case.
#[utoipa::path(get, path = "/api/v1/cases/{id}", params(("id" = String, Path)),
    responses((status = 200, body = CaseResponse), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn get_case(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<CaseResponse>, ApiError> {
    let d = st.app.case_detail(&actor, &id).await?;
    Ok(Json(CaseResponse::from(&d)))
}

/// Search and page cases visible to the caller.
#[utoipa::path(get, path = "/api/v1/cases", params(CaseListParams),
    responses((status = 200, body = CaseList), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn list_cases(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(p): Query<CaseListParams>,
) -> Result<Json<CaseList>, ApiError> {
    let page = st.app.list_cases(&actor, &p.to_query()?).await?;
    Ok(Json(CaseList {
        items: page.cases.iter().map(Into::into).collect(),
        total: page.total,
        page: page.page,
        page_size: page.page_size,
    }))
}

/// 改派: move a case to another team/handler.
#[utoipa::path(post, path = "/api/v1/cases/{id}/reassign", params(("id" = String, Path)), request_body = ReassignRequest,
    responses((status = 200, body = CaseResponse), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn reassign(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<CaseResponse>, ApiError> {
    let r: ReassignRequest = parse_json(&body)?;
    let d = st
        .app
        .reassign(
            &actor,
            &id,
            &r.team_id,
            r.handler_id.as_deref(),
            &r.reason,
            st.now_ms(),
        )
        .await?;
    Ok(Json(CaseResponse::from(&d)))
}

/// Who am I.
#[utoipa::path(get, path = "/api/v1/me", responses((status = 200, body = MeResponse), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn me(ApiActor(actor): ApiActor) -> Json<MeResponse> {
    Json(MeResponse {
        username: actor.username,
        name: actor.name,
        court: actor.court_code,
        role: actor.role.as_str().into(),
    })
}

#[derive(OpenApi)]
#[openapi(
    info(title = "zhixing 执行 API", version = "1", description = "Enforcement case management for Chinese courts. Money is integer 分; dates YYYY-MM-DD (China Standard Time)."),
    paths(create_case, get_case, list_cases, reassign, me,
        crate::funds_api::post_receipt, crate::funds_api::case_funds, crate::funds_api::unidentified, crate::funds_api::claim,
        crate::funds_api::propose, crate::funds_api::approve, crate::funds_api::refuse, crate::funds_api::confirm,
        crate::funds_api::payment_instructions, crate::funds_api::overdue, crate::funds_api::request_deferral,
        crate::funds_api::approve_deferral, crate::funds_api::refuse_deferral, crate::funds_api::reverse,
        crate::funds_api::distribution_plan, crate::funds_api::import_statement, crate::funds_api::report),
    components(schemas(NewCaseRequest, BasisWire, PartyIn, CaseResponse, PartyOut, NamedRef, CaseRefOut, CaseList, CaseSummary, ReassignRequest, MeResponse, ErrorBody, crate::error::ErrorDetail,
        crate::funds_api::ReceiptRequest, crate::funds_api::ReceiptResponse, crate::funds_api::SuggestionWire,
        crate::funds_api::CaseFundsResponse, crate::funds_api::FundEntryWire, crate::funds_api::ClaimRequest,
        crate::funds_api::UnidentifiedWire, crate::funds_api::ProposeRequest, crate::funds_api::DisbursementLineWire,
        crate::funds_api::DecisionRequest, crate::funds_api::ConfirmRequest, crate::funds_api::DisbursementResponse,
        crate::funds_api::DisbursementLineOut, crate::funds_api::OverdueWire, crate::funds_api::DeferralRequest,
        crate::funds_api::DeferralResponse, crate::funds_api::ReverseRequest, crate::funds_api::ReverseResponse,
        crate::funds_api::PlanRequest, crate::funds_api::PlanClaimWire, crate::funds_api::PlanResponse, crate::funds_api::PlanShare, crate::funds_api::ImportResponse,
        crate::funds_api::FundsReportResponse, crate::funds_api::AgeingWire, crate::funds_api::BucketWire)),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

struct BearerAuth;
impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The whole API description: the foundation's paths plus each capability's own document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.merge(crate::api_deadlines::DeadlinesDoc::openapi());
    doc.merge(crate::api_measures::MeasuresDoc::openapi());
    doc.merge(crate::api_duty::DutyDoc::openapi());
    doc.merge(crate::api_consumption::ConsumptionDoc::openapi());
    doc
}

async fn openapi_json() -> impl IntoResponse {
    Json(openapi())
}

async fn api_not_found() -> ApiError {
    ApiError::from(AppError::NotFound)
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/cases", post(create_case).get(list_cases))
        .route("/api/v1/cases/{id}", get(get_case))
        .route("/api/v1/cases/{id}/reassign", post(reassign))
        .route("/api/v1/me", get(me))
        .route("/api/v1/openapi.json", get(openapi_json))
        .route("/api/v1/{*rest}", get(api_not_found).post(api_not_found))
}
