//! The funds part of the JSON API (`/api/v1/funds/…`, `/api/v1/cases/{id}/funds`). Wire types for
//! 执行款 live here; errors leave through [`crate::error`].
//!
//! Bank partners authenticate with an API token of a `bank` user of their court
//! (`zhixing user add --role bank …` then `zhixing token issue`): they post receipts and payment
//! confirmations and read payment instructions, and see no case data.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router, routing::get, routing::post};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use zhixing_app::AppError;
use zhixing_app::funds::{
    CaseFunds, Disbursement, DisbursementLineInput, OverdueArrival, ReceiptAnswer, ReceiptInput,
    SuggestionOut,
};
use zhixing_domain::time::china_date;
use zhixing_store::funds::ReceiptRow;

use crate::api::{ApiActor, parse_json};
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

/// Parse a body whose type denies unknown fields: an unknown or missing field is a 422 naming it.
pub fn parse_strict<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    parse_json(body).map_err(|mut e| {
        for (marker, code) in [
            ("unknown field `", "unknown_field"),
            ("missing field `", "missing_field"),
        ] {
            if let Some(name) = e
                .message
                .split(marker)
                .nth(1)
                .and_then(|rest| rest.split('`').next())
            {
                // serde_path_to_error puts an unknown field in the path already, and stops at the
                // parent for a missing one.
                let path = e
                    .field
                    .as_deref()
                    .filter(|p| !p.is_empty() && *p != ".")
                    .unwrap_or("");
                e.field = Some(if path == name || path.ends_with(&format!(".{name}")) {
                    path.to_owned()
                } else if path.is_empty() {
                    name.to_owned()
                } else {
                    format!("{path}.{name}")
                });
                e.code = code.into();
            }
        }
        e
    })
}

/// A bank receipt callback (到账通知). Every field is required; unknown fields are refused.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReceiptRequest {
    /// The bank's unique key for this notification; replays must reuse it with identical content.
    pub idempotency_key: String,
    /// The case account number the payer quoted (一案一账号, 22 digits); anything else is booked to
    /// unidentified funds (不明款).
    pub account_number: String,
    /// Integer 分, > 0.
    pub amount_fen: i64,
    pub payer_name: String,
    pub payer_account: String,
    /// RFC 3339 instant, e.g. `2024-09-27T10:00:00+08:00`.
    pub received_at: String,
    pub bank_reference: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SuggestionWire {
    pub case_id: String,
    pub case_number: String,
    /// `payer_is_debtor` | `amount_equals_outstanding_claim`
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReceiptResponse {
    pub receipt_id: String,
    /// `booked` | `unidentified`
    pub status: String,
    pub case_id: Option<String>,
    pub case_number: Option<String>,
    pub amount_fen: i64,
    /// YYYY-MM-DD (China time)
    pub arrived_on: String,
    /// 案款发放期限 (30 days, KW2017 art 10), when booked to a case.
    pub disburse_by: Option<String>,
    /// Claim deadline of unidentified funds.
    pub claim_by: Option<String>,
    pub suggestions: Vec<SuggestionWire>,
}

fn suggestion(s: &SuggestionOut) -> SuggestionWire {
    SuggestionWire {
        case_id: s.case_id.clone(),
        case_number: s.case_number.clone(),
        reason: s.reason.clone(),
    }
}

impl From<&ReceiptAnswer> for ReceiptResponse {
    fn from(a: &ReceiptAnswer) -> Self {
        ReceiptResponse {
            receipt_id: a.receipt_id.clone(),
            status: a.status.clone(),
            case_id: a.case_id.clone(),
            case_number: a.case_number.clone(),
            amount_fen: a.amount_fen,
            arrived_on: a.arrived_on.clone(),
            disburse_by: a.disburse_by.clone(),
            claim_by: a.claim_by.clone(),
            suggestions: a.suggestions.iter().map(suggestion).collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FundEntryWire {
    pub txn_id: String,
    /// `receipt` | `claim` | `disbursement` | `payment_confirmed` | `reversal`
    pub kind: String,
    /// Unix milliseconds.
    pub at: i64,
    /// Positive: money into the case account; negative: out of it.
    pub amount_fen: i64,
    pub memo: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CaseFundsResponse {
    pub account_number: String,
    pub balance_fen: i64,
    pub received_fen: i64,
    pub disbursed_fen: i64,
    pub entries: Vec<FundEntryWire>,
}

impl From<&CaseFunds> for CaseFundsResponse {
    fn from(f: &CaseFunds) -> Self {
        CaseFundsResponse {
            account_number: f.account_number.clone(),
            balance_fen: f.balance_fen,
            received_fen: f.received_fen,
            disbursed_fen: f.disbursed_fen,
            entries: f
                .entries
                .iter()
                .map(|e| FundEntryWire {
                    txn_id: e.txn_id.clone(),
                    kind: e.kind.clone(),
                    at: e.at,
                    amount_fen: e.amount_fen,
                    memo: e.memo.clone(),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClaimRequest {
    pub case_id: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnidentifiedWire {
    pub receipt_id: String,
    pub amount_fen: i64,
    pub payer_name: String,
    pub payer_account: String,
    pub account_number: String,
    pub bank_reference: String,
    pub arrived_on: String,
    pub claim_by: Option<String>,
    /// The claim deadline has passed (a warning for the handler and the command center).
    pub claim_overdue: bool,
    pub suggestions: Vec<SuggestionWire>,
}

impl UnidentifiedWire {
    fn new(r: &ReceiptRow, today: &str) -> Self {
        let suggestions = serde_json::from_str::<ReceiptAnswer>(&r.response_json)
            .map(|a| a.suggestions.iter().map(suggestion).collect())
            .unwrap_or_default();
        UnidentifiedWire {
            receipt_id: r.id.clone(),
            amount_fen: r.amount_fen,
            payer_name: r.payer_name.clone(),
            payer_account: r.payer_account.clone(),
            account_number: r.account_number.clone(),
            bank_reference: r.bank_reference.clone(),
            arrived_on: r.arrived_on.clone(),
            claim_by: r.claim_by.clone(),
            claim_overdue: r.claim_by.as_deref().is_some_and(|d| d < today),
            suggestions,
        }
    }
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisbursementLineWire {
    /// `applicant` | `fee` | `cost` | `reward` | `refund` | `fine`
    pub kind: String,
    #[serde(default)]
    pub payee_name: String,
    #[serde(default)]
    pub payee_account: String,
    pub amount_fen: i64,
    /// A `fine` line: the id of the fine decision (measure) it pays.
    #[serde(default)]
    pub measure_id: Option<String>,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProposeRequest {
    pub lines: Vec<DisbursementLineWire>,
}

#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct DecisionRequest {
    /// Required for a refusal.
    pub reason: String,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmRequest {
    pub bank_reference: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DisbursementResponse {
    pub id: String,
    pub case_id: String,
    /// `proposed` | `approved` | `refused` | `paid`
    pub status: String,
    pub total_fen: i64,
    pub decision_reason: Option<String>,
    pub bank_reference: Option<String>,
    pub lines: Vec<DisbursementLineOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DisbursementLineOut {
    pub kind: String,
    pub payee_name: String,
    pub payee_account: String,
    pub amount_fen: i64,
    pub measure_id: Option<String>,
}

impl From<&Disbursement> for DisbursementResponse {
    fn from(d: &Disbursement) -> Self {
        DisbursementResponse {
            id: d.row.id.clone(),
            case_id: d.row.case_id.clone(),
            status: d.row.status.clone(),
            total_fen: d.row.total_fen,
            decision_reason: d.row.decision_reason.clone(),
            bank_reference: d.row.bank_reference.clone(),
            lines: d
                .lines
                .iter()
                .map(|l| DisbursementLineOut {
                    kind: l.kind.clone(),
                    payee_name: l.payee_name.clone(),
                    payee_account: l.payee_account.clone(),
                    amount_fen: l.amount_fen,
                    measure_id: l.measure_id.clone(),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OverdueWire {
    pub case_id: String,
    pub case_number: String,
    pub receipt_id: String,
    pub arrived_on: String,
    pub disburse_by: String,
    pub undisbursed_fen: i64,
}

impl From<&OverdueArrival> for OverdueWire {
    fn from(o: &OverdueArrival) -> Self {
        OverdueWire {
            case_id: o.case_id.clone(),
            case_number: o.case_number.clone(),
            receipt_id: o.receipt_id.clone(),
            arrived_on: o.arrived_on.clone(),
            disburse_by: o.disburse_by.clone(),
            undisbursed_fen: o.undisbursed_fen,
        }
    }
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct OverdueParams {
    /// YYYY-MM-DD; default today (China time).
    pub today: Option<String>,
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct InstructionParams {
    /// `json` (default) or `csv`
    pub format: Option<String>,
}

/// The replay marker header: `true` when the answer is the stored answer to an earlier delivery.
pub const REPLAYED_HEADER: &str = "idempotent-replayed";

// ---- handlers -----------------------------------------------------------------------------------

/// 到账通知: a bank receipt. Replays with the same `idempotency_key` and content answer the same
/// (201, header `idempotent-replayed: true`) and book nothing; other content under the key is a 409.
#[utoipa::path(post, path = "/api/v1/funds/receipts", request_body = ReceiptRequest,
    responses((status = 201, body = ReceiptResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn post_receipt(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    body: Bytes,
) -> Result<Response, ApiError> {
    let r: ReceiptRequest = parse_strict(&body)?;
    let input = ReceiptInput {
        idempotency_key: r.idempotency_key,
        account_number: r.account_number,
        amount_fen: r.amount_fen,
        payer_name: r.payer_name,
        payer_account: r.payer_account,
        received_at: r.received_at,
        bank_reference: r.bank_reference,
    };
    let (answer, replayed) = st.app.post_receipt(&actor, &input, st.now_ms()).await?;
    let mut resp = (StatusCode::CREATED, Json(ReceiptResponse::from(&answer))).into_response();
    resp.headers_mut().insert(
        HeaderName::from_static(REPLAYED_HEADER),
        HeaderValue::from_static(if replayed { "true" } else { "false" }),
    );
    Ok(resp)
}

/// 案款: a case's account number, balances and entries.
#[utoipa::path(get, path = "/api/v1/cases/{id}/funds", params(("id" = String, Path)),
    responses((status = 200, body = CaseFundsResponse), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn case_funds(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<CaseFundsResponse>, ApiError> {
    let f = st.app.case_funds(&actor, &id).await?;
    Ok(Json(CaseFundsResponse::from(&f)))
}

/// 不明款: unidentified receipts of the caller's court with suggested cases.
#[utoipa::path(get, path = "/api/v1/funds/unidentified",
    responses((status = 200, body = [UnidentifiedWire]), (status = 403, body = ErrorBody)), security(("bearer" = [])))]
pub async fn unidentified(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<Vec<UnidentifiedWire>>, ApiError> {
    let rows = st.app.unidentified_receipts(&actor).await?;
    let today = china_date(st.now_ms()).format("%Y-%m-%d").to_string();
    Ok(Json(
        rows.iter()
            .map(|r| UnidentifiedWire::new(r, &today))
            .collect(),
    ))
}

/// 认领: claim an unidentified receipt to a case.
#[utoipa::path(post, path = "/api/v1/funds/receipts/{id}/claim", params(("id" = String, Path)), request_body = ClaimRequest,
    responses((status = 200, body = CaseFundsResponse), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody)), security(("bearer" = [])))]
pub async fn claim(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<CaseFundsResponse>, ApiError> {
    let r: ClaimRequest = parse_strict(&body)?;
    let f = st
        .app
        .claim_receipt(&actor, &id, &r.case_id, st.now_ms())
        .await?;
    Ok(Json(CaseFundsResponse::from(&f)))
}

/// 案款发放 proposal by the handler.
#[utoipa::path(post, path = "/api/v1/cases/{id}/disbursements", params(("id" = String, Path)), request_body = ProposeRequest,
    responses((status = 201, body = DisbursementResponse), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn propose(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<impl IntoResponse, ApiError> {
    let r: ProposeRequest = parse_strict(&body)?;
    let lines: Vec<DisbursementLineInput> = r
        .lines
        .into_iter()
        .map(|l| DisbursementLineInput {
            kind: l.kind,
            payee_name: l.payee_name,
            payee_account: l.payee_account,
            amount_fen: l.amount_fen,
            measure_id: l.measure_id,
        })
        .collect();
    let d = st
        .app
        .propose_disbursement(&actor, &id, &lines, st.now_ms())
        .await?;
    Ok((StatusCode::CREATED, Json(DisbursementResponse::from(&d))))
}

async fn decide(
    st: AppState,
    actor: zhixing_app::Actor,
    id: String,
    approve: bool,
    body: Bytes,
) -> Result<Json<DisbursementResponse>, ApiError> {
    let r: DecisionRequest = if body.is_empty() {
        DecisionRequest::default()
    } else {
        parse_strict(&body)?
    };
    let d = st
        .app
        .decide_disbursement(&actor, &id, approve, &r.reason, st.now_ms())
        .await?;
    Ok(Json(DisbursementResponse::from(&d)))
}

/// Approval by the director (执行局长) or president: the money leaves the case account.
#[utoipa::path(post, path = "/api/v1/funds/disbursements/{id}/approve", params(("id" = String, Path)), request_body = DecisionRequest,
    responses((status = 200, body = DisbursementResponse), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn approve(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<DisbursementResponse>, ApiError> {
    decide(st, actor, id, true, body).await
}

/// Refusal by the director or president (a reason is required).
#[utoipa::path(post, path = "/api/v1/funds/disbursements/{id}/refuse", params(("id" = String, Path)), request_body = DecisionRequest,
    responses((status = 200, body = DisbursementResponse), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn refuse(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<DisbursementResponse>, ApiError> {
    decide(st, actor, id, false, body).await
}

/// The bank confirms it paid an approved disbursement (idempotent for the same reference).
#[utoipa::path(post, path = "/api/v1/funds/disbursements/{id}/confirm", params(("id" = String, Path)), request_body = ConfirmRequest,
    responses((status = 200, body = DisbursementResponse), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn confirm(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<DisbursementResponse>, ApiError> {
    let r: ConfirmRequest = parse_strict(&body)?;
    let d = st
        .app
        .confirm_payment(&actor, &id, &r.bank_reference, st.now_ms())
        .await?;
    Ok(Json(DisbursementResponse::from(&d)))
}

/// Quote a CSV cell (RFC 4180) and defuse spreadsheet formulas.
fn csv_cell(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// 付款指令: approved disbursement lines the bank is to pay, as JSON or CSV.
#[utoipa::path(get, path = "/api/v1/funds/payment-instructions", params(InstructionParams),
    responses((status = 200, body = [DisbursementResponse]), (status = 403, body = ErrorBody)), security(("bearer" = [])))]
pub async fn payment_instructions(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(p): Query<InstructionParams>,
) -> Result<Response, ApiError> {
    let list = st.app.payment_instructions(&actor).await?;
    match p.format.as_deref().unwrap_or("json") {
        "json" => Ok(Json(
            list.iter()
                .map(DisbursementResponse::from)
                .collect::<Vec<_>>(),
        )
        .into_response()),
        "csv" => {
            let mut out = String::from(
                "disbursement_id,case_id,line_no,kind,payee_name,payee_account,amount_fen\r\n",
            );
            for d in &list {
                for l in &d.lines {
                    out.push_str(&format!(
                        "{},{},{},{},{},{},{}\r\n",
                        csv_cell(&d.row.id),
                        csv_cell(&d.row.case_id),
                        l.line_no,
                        csv_cell(&l.kind),
                        csv_cell(&l.payee_name),
                        csv_cell(&l.payee_account),
                        l.amount_fen
                    ));
                }
            }
            Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], out).into_response())
        }
        _ => Err(AppError::invalid("format", "format", "format 应为 json 或 csv").into()),
    }
}

/// 超期发放: arrivals still (partly) held after their disbursement deadline.
#[utoipa::path(get, path = "/api/v1/funds/overdue", params(OverdueParams),
    responses((status = 200, body = [OverdueWire]), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn overdue(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(p): Query<OverdueParams>,
) -> Result<Json<Vec<OverdueWire>>, ApiError> {
    let today = match p.today.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => {
            zhixing_domain::case::parse_date(t).map_err(|e| AppError::Invalid(e.at("today")))?
        }
        None => china_date(st.now_ms()),
    };
    let list = st.app.overdue_disbursements(&actor, today).await?;
    Ok(Json(list.iter().map(Into::into).collect()))
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeferralRequest {
    pub reason: String,
    /// YYYY-MM-DD
    pub new_disburse_by: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeferralResponse {
    pub id: String,
    pub case_id: String,
    pub reason: String,
    pub new_disburse_by: String,
    /// `requested` | `approved` | `refused`
    pub status: String,
}

impl From<&zhixing_store::funds::DeferralRow> for DeferralResponse {
    fn from(d: &zhixing_store::funds::DeferralRow) -> Self {
        DeferralResponse {
            id: d.id.clone(),
            case_id: d.case_id.clone(),
            reason: d.reason.clone(),
            new_disburse_by: d.new_disburse_by.clone(),
            status: d.status.clone(),
        }
    }
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReverseRequest {
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReverseResponse {
    pub reversal_txn_id: String,
}

/// Ask to defer a case's disbursement deadline (needs the director's approval).
#[utoipa::path(post, path = "/api/v1/cases/{id}/deferrals", params(("id" = String, Path)), request_body = DeferralRequest,
    responses((status = 201, body = DeferralResponse), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn request_deferral(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<impl IntoResponse, ApiError> {
    let r: DeferralRequest = parse_strict(&body)?;
    let d = st
        .app
        .request_deferral(&actor, &id, &r.reason, &r.new_disburse_by, st.now_ms())
        .await?;
    Ok((StatusCode::CREATED, Json(DeferralResponse::from(&d))))
}

async fn decide_deferral(
    st: AppState,
    actor: zhixing_app::Actor,
    id: String,
    approve: bool,
) -> Result<Json<DeferralResponse>, ApiError> {
    let d = st
        .app
        .decide_deferral(&actor, &id, approve, st.now_ms())
        .await?;
    Ok(Json(DeferralResponse::from(&d)))
}

/// The director approves a deferral.
#[utoipa::path(post, path = "/api/v1/funds/deferrals/{id}/approve", params(("id" = String, Path)),
    responses((status = 200, body = DeferralResponse), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn approve_deferral(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<DeferralResponse>, ApiError> {
    decide_deferral(st, actor, id, true).await
}

/// The director refuses a deferral.
#[utoipa::path(post, path = "/api/v1/funds/deferrals/{id}/refuse", params(("id" = String, Path)),
    responses((status = 200, body = DeferralResponse), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn refuse_deferral(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<DeferralResponse>, ApiError> {
    decide_deferral(st, actor, id, false).await
}

/// 冲正: reverse a wrongly booked receipt or claim (director; once per transaction).
#[utoipa::path(post, path = "/api/v1/funds/txns/{id}/reverse", params(("id" = String, Path)), request_body = ReverseRequest,
    responses((status = 200, body = ReverseResponse), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn reverse(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<ReverseResponse>, ApiError> {
    let r: ReverseRequest = parse_strict(&body)?;
    let reversal_txn_id = st.app.reverse(&actor, &id, &r.reason, st.now_ms()).await?;
    Ok(Json(ReverseResponse { reversal_txn_id }))
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanClaimWire {
    pub creditor: String,
    /// `enforcement_costs` | `secured` | `priority` | `ordinary` (the court's configured classes)
    pub class: String,
    pub amount_fen: i64,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanRequest {
    /// Default: the case's balance.
    #[serde(default)]
    pub available_fen: Option<i64>,
    pub claims: Vec<PlanClaimWire>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlanShare {
    pub creditor: String,
    pub class: String,
    pub claim_fen: i64,
    pub share_fen: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlanResponse {
    pub available_fen: i64,
    pub distributed_fen: i64,
    pub shares: Vec<PlanShare>,
}

/// 参与分配 plan: shares by the order of priority (costs, secured, priority, ordinary pro rata with
/// largest remainder). Computes only.
#[utoipa::path(post, path = "/api/v1/cases/{id}/distribution-plan", params(("id" = String, Path)), request_body = PlanRequest,
    responses((status = 200, body = PlanResponse), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn distribution_plan(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<PlanResponse>, ApiError> {
    let r: PlanRequest = parse_strict(&body)?;
    let claims: Vec<zhixing_domain::funds::DistributionClaim> = r
        .claims
        .iter()
        .map(|c| zhixing_domain::funds::DistributionClaim {
            creditor: c.creditor.clone(),
            class: c.class.clone(),
            amount: zhixing_domain::money::Fen::new(c.amount_fen),
        })
        .collect();
    let (available, shares) = st
        .app
        .distribution_plan(&actor, &id, r.available_fen, &claims)
        .await?;
    let shares: Vec<PlanShare> = r
        .claims
        .into_iter()
        .zip(shares)
        .map(|(c, s)| PlanShare {
            creditor: c.creditor,
            class: c.class,
            claim_fen: c.amount_fen,
            share_fen: s.get(),
        })
        .collect();
    Ok(Json(PlanResponse {
        available_fen: available,
        distributed_fen: shares.iter().map(|s| s.share_fen).sum(),
        shares,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportResponse {
    pub lines: usize,
    pub booked: usize,
    pub unidentified: usize,
    pub already_booked: usize,
    pub amount_fen: i64,
}

/// 银行对账单导入: the bank uploads a statement (`text/csv` UTF-8, or an `.xlsx` workbook with
/// content type `application/vnd.openxmlformats-officedocument.spreadsheetml.sheet`) of at most 1 MiB.
/// Every line is booked or none: a refused file answers 422 naming the first bad line and field
/// (`lines[N].field`, N = line number in the file) and books nothing.
#[utoipa::path(post, path = "/api/v1/funds/statements", request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = ImportResponse), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn import_statement(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Result<Json<ImportResponse>, ApiError> {
    let ctype = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let parsed =
        if ctype.starts_with("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet") {
            zhixing_app::statement::parse_xlsx(&body)
        } else if ctype.starts_with("text/csv") {
            let text = std::str::from_utf8(&body).map_err(|_| {
                ApiError::from(AppError::invalid(
                    "encoding",
                    "body",
                    "对账单应为 UTF-8 编码的 CSV",
                ))
            })?;
            zhixing_app::statement::parse_csv(text)
        } else {
            return Err(AppError::invalid(
                "content_type",
                "content-type",
                "对账单的 Content-Type 应为 text/csv 或 XLSX",
            )
            .into());
        };
    let rejected = |errs: &[zhixing_app::statement::LineError]| -> ApiError {
        let first = errs.first();
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            first.map_or("statement_rejected", |e| e.code.as_str()),
            first.map(|e| format!("lines[{}].{}", e.line, e.field)),
            format!(
                "对账单有 {} 处错误，未入账任何一行；第一处：{}",
                errs.len(),
                first.map(ToString::to_string).unwrap_or_default()
            ),
        )
    };
    let lines = parsed.map_err(|e| rejected(&e))?;
    match st.app.import_statement(&actor, &lines, st.now_ms()).await {
        Ok(r) => Ok(Json(ImportResponse {
            lines: r.lines,
            booked: r.booked,
            unidentified: r.unidentified,
            already_booked: r.already_booked,
            amount_fen: r.amount_fen,
        })),
        Err(zhixing_app::statement::ImportError::Lines(e)) => Err(rejected(&e)),
        Err(zhixing_app::statement::ImportError::App(e)) => Err(e.into()),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BucketWire {
    pub count: i64,
    pub fen: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AgeingWire {
    pub days_0_30: BucketWire,
    pub days_31_60: BucketWire,
    pub over_60: BucketWire,
}

fn ageing_wire(b: &[(i64, i64); 3]) -> AgeingWire {
    let w = |(count, fen): (i64, i64)| BucketWire { count, fen };
    AgeingWire {
        days_0_30: w(b[0]),
        days_31_60: w(b[1]),
        over_60: w(b[2]),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FundsReportResponse {
    pub court: String,
    pub today: String,
    pub undisbursed: AgeingWire,
    pub unidentified: AgeingWire,
    pub due_count: i64,
    pub due_fen: i64,
    pub overdue_count: i64,
    pub overdue_fen: i64,
    /// 案款超期发放率 in basis points (1/10,000), by count and by amount.
    pub overdue_rate_by_count_bp: i64,
    pub overdue_rate_by_amount_bp: i64,
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct ReportParams {
    /// YYYY-MM-DD; default today (China time).
    pub today: Option<String>,
    /// `json` (default) or `xlsx`
    pub format: Option<String>,
}

/// 案款报表: ageing of undisbursed and unidentified funds and the overdue disbursement rate of the
/// caller's court, as JSON or XLSX.
#[utoipa::path(get, path = "/api/v1/funds/report", params(ReportParams),
    responses((status = 200, body = FundsReportResponse), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn report(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(p): Query<ReportParams>,
) -> Result<Response, ApiError> {
    let today = match p.today.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => {
            zhixing_domain::case::parse_date(t).map_err(|e| AppError::Invalid(e.at("today")))?
        }
        None => china_date(st.now_ms()),
    };
    let (a, r) = st.app.funds_report(&actor, today).await?;
    match p.format.as_deref().unwrap_or("json") {
        "json" => {
            let (by_count, by_amount) = r.rates_bp();
            Ok(Json(FundsReportResponse {
                court: a.court.clone(),
                today: today.format("%Y-%m-%d").to_string(),
                undisbursed: ageing_wire(&a.undisbursed),
                unidentified: ageing_wire(&a.unidentified),
                due_count: r.due_count,
                due_fen: r.due_fen,
                overdue_count: r.overdue_count,
                overdue_fen: r.overdue_fen,
                overdue_rate_by_count_bp: by_count,
                overdue_rate_by_amount_bp: by_amount,
            })
            .into_response())
        }
        "xlsx" => {
            let bytes = zhixing_app::statement::report_xlsx(None, &[a], &[r])?;
            Ok((
                [
                    (
                        header::CONTENT_TYPE,
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    ),
                    (
                        header::CONTENT_DISPOSITION,
                        "attachment; filename=\"funds-report.xlsx\"",
                    ),
                ],
                bytes,
            )
                .into_response())
        }
        _ => Err(AppError::invalid("format", "format", "format 应为 json 或 xlsx").into()),
    }
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/funds/receipts", post(post_receipt))
        .route("/api/v1/funds/receipts/{id}/claim", post(claim))
        .route("/api/v1/funds/statements", post(import_statement))
        .route("/api/v1/funds/unidentified", get(unidentified))
        .route("/api/v1/funds/overdue", get(overdue))
        .route("/api/v1/funds/report", get(report))
        .route(
            "/api/v1/funds/payment-instructions",
            get(payment_instructions),
        )
        .route("/api/v1/funds/disbursements/{id}/approve", post(approve))
        .route("/api/v1/funds/disbursements/{id}/refuse", post(refuse))
        .route("/api/v1/funds/disbursements/{id}/confirm", post(confirm))
        .route("/api/v1/cases/{id}/funds", get(case_funds))
        .route("/api/v1/cases/{id}/disbursements", post(propose))
        .route("/api/v1/cases/{id}/deferrals", post(request_deferral))
        .route(
            "/api/v1/cases/{id}/distribution-plan",
            post(distribution_plan),
        )
        .route(
            "/api/v1/funds/deferrals/{id}/approve",
            post(approve_deferral),
        )
        .route("/api/v1/funds/deferrals/{id}/refuse", post(refuse_deferral))
        .route("/api/v1/funds/txns/{id}/reverse", post(reverse))
}
