//! `/api/v1` routes of measures and credit punishment (issue 4): propose, approve (院长), carry
//! out, end; documents as DOCX; list entries and corrections; the signed partner feed; and the
//! public portal lookups (no login, rate-limited, masked).

use std::borrow::Cow;
use std::net::SocketAddr;

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router, routing::get, routing::post};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};
use zhixing_app::measures::{MeasureInput, MeasureView, PublicItem, PublicItemRef};
use zhixing_domain::audit::{hmac_sm3_hex, sm3_hex};
use zhixing_store::measures::{CorrectionRow, ListChangeRow, ListEntryRow, MeasureRow};

use crate::api::{ApiActor, parse_json};
use crate::error::{ApiError, ErrorBody};
use crate::state::{AppState, ClientKey};

// ---- wire types ---------------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct PersonIn {
    /// legal_representative | principal_in_charge | directly_responsible | actual_controller
    pub role: String,
    pub name: String,
    pub id_number: String,
}

/// A measure proposal. `kind`: enforcement_notice | asset_report_order | consumption_restriction |
/// dishonest | summons | fine | detention | search | exit_ban | media_publication.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct MeasureRequest {
    pub kind: String,
    /// The debtor party (from the case's parties) …
    pub party_id: Option<String>,
    /// … or a named natural person (an entity's legal representative for 拘传/拘留).
    pub person_name: Option<String>,
    pub person_id_number: Option<String>,
    /// 罚款 in 分.
    pub amount_fen: Option<i64>,
    /// 拘留 days (≤ 15).
    pub days: Option<u32>,
    /// 拘传 hours (≤ 8, ≤ 24 with `detention_possible`).
    pub hours: Option<u32>,
    pub detention_possible: bool,
    /// 失信 ground 1–6 (SX2017 art 1).
    pub ground: Option<i64>,
    /// 失信 term extension 1–3 years.
    pub extra_years: Option<u32>,
    /// Grace period 1–3 months.
    pub grace_months: Option<u32>,
    pub security_provided: bool,
    pub seized_assets_sufficient: bool,
    pub on_application: bool,
    /// `YYYY-MM-DD` of the applicant's application (starts the 15-day decision term).
    pub applied_on: Option<String>,
    /// 拘传: `YYYY-MM-DD` the person was lawfully summoned to appear and did not (CPLI art 482).
    pub summoned_for: Option<String>,
    pub persons: Vec<PersonIn>,
    /// 拘传/搜查 place, media outlet.
    pub place: Option<String>,
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeasureOut {
    pub id: String,
    pub case_id: String,
    pub kind: String,
    pub kind_name: String,
    pub subject_name: String,
    pub subject_kind: String,
    /// pending_approval | effective | refused | lifted | expired | deleted | ended
    pub status: String,
    pub needs_approval: bool,
    pub document_number: String,
    pub amount_fen: Option<i64>,
    #[schema(value_type = Object)]
    pub params: serde_json::Value,
    pub proposed_on: String,
    pub decided_on: Option<String>,
    pub effective_on: Option<String>,
    pub publish_on: Option<String>,
    pub expires_on: Option<String>,
    pub executed_on: Option<String>,
    pub execution_note: Option<String>,
    /// `YYYY-MM-DD HH:MM` (China time) when it was carried out, where recorded.
    pub executed_at: Option<String>,
    /// 拘留: when the family was notified (`YYYY-MM-DD HH:MM`, or the day only).
    pub family_notified_at: Option<String>,
    /// 搜查: the search record (搜查笔录) as recorded, the fields of [`SearchRecordIn`].
    #[schema(value_type = Option<Object>)]
    pub search_record: Option<serde_json::Value>,
    /// 拘传: when the questioning ended (`YYYY-MM-DD HH:MM`); `executed_at` is the arrival.
    pub questioning_ended_at: Option<String>,
    /// 拘传: the questioning record (询问笔录) as recorded, the fields of [`QuestioningRecordIn`]
    /// (times normalised to `YYYY-MM-DD HH:MM`); null for a 拘传 executed before records were kept.
    #[schema(value_type = Option<Object>)]
    pub questioning_record: Option<serde_json::Value>,
    pub ended_on: Option<String>,
    pub end_reason: Option<String>,
}

impl From<&MeasureRow> for MeasureOut {
    fn from(m: &MeasureRow) -> Self {
        MeasureOut {
            id: m.id.clone(),
            case_id: m.case_id.clone(),
            kind: m.kind.clone(),
            kind_name: zhixing_domain::measure::MeasureKind::from_str_opt(&m.kind)
                .map_or_else(String::new, |k| k.name_zh().to_owned()),
            subject_name: m.subject_name.clone(),
            subject_kind: m.subject_kind.clone(),
            status: m.status.clone(),
            needs_approval: m.needs_approval != 0,
            document_number: m.document_number.clone(),
            amount_fen: m.amount_fen,
            params: serde_json::from_str(&m.params).unwrap_or(serde_json::Value::Null),
            proposed_on: m.proposed_on.clone(),
            decided_on: m.decided_on.clone(),
            effective_on: m.effective_on.clone(),
            publish_on: m.publish_on.clone(),
            expires_on: m.expires_on.clone(),
            executed_on: m.executed_on.clone(),
            execution_note: m.execution_note.clone(),
            executed_at: m.executed_at.clone(),
            family_notified_at: m.family_notified_at.clone(),
            search_record: m
                .search_record
                .as_deref()
                .and_then(|r| serde_json::from_str(r).ok()),
            questioning_ended_at: m.questioning_ended_at.clone(),
            questioning_record: m
                .questioning_record
                .as_deref()
                .and_then(|r| serde_json::from_str(r).ok()),
            ended_on: m.ended_on.clone(),
            end_reason: m.end_reason.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeasureListOut {
    pub items: Vec<MeasureOut>,
}

#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct MeasureDecisionRequest {
    pub approve: bool,
    pub comment: String,
}

#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ExecutionRequest {
    /// `YYYY-MM-DD`
    pub on: String,
    pub note: String,
    /// 拘留: the day the family was notified (`YYYY-MM-DD`, the day of detention or the next:
    /// 24 hours at day granularity, CPLI art 180).
    pub family_notified_on: Option<String>,
    /// `YYYY-MM-DD HH:MM` (China time) when it was carried out, on the day `on`.
    pub executed_at: Option<String>,
    /// 拘留: when the family was notified, `YYYY-MM-DD HH:MM`; with `executed_at` the 24 hours
    /// of CPLI art 180 are checked to the minute.
    pub family_notified_at: Option<String>,
    /// 搜查: the search record, required for a search and refused for any other measure.
    pub search: Option<SearchRecordIn>,
    /// 拘传: when the questioning ended, `YYYY-MM-DD HH:MM`; with `executed_at` (the arrival)
    /// within the approved hours (8, or 24 where detention may follow: CPLI art 482).
    pub questioning_ended_at: Option<String>,
    /// 拘传: the questioning record (询问笔录), required for a 拘传 and refused for any other
    /// measure; `ended_at` must equal `questioning_ended_at`, `began_at` not before `executed_at`.
    pub questioning: Option<QuestioningRecordIn>,
}

/// One question and its answer, in the order put.
#[derive(Debug, Default, Clone, Deserialize, Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct QuestionAnswerIn {
    /// At most 500 characters.
    pub question: String,
    /// At most 2,000 characters; a refusal to answer or silence is written as such.
    pub answer: String,
}

/// The record of a 拘传's questioning (询问笔录) on the wire: what CPLI art 482 and CPL arts 133,
/// 150, 239 require it to state. Errors name the field (`questioning.qa[2].answer` …).
#[derive(Debug, Default, Clone, Deserialize, Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct QuestioningRecordIn {
    /// Where the questioning took place.
    pub place: String,
    /// `YYYY-MM-DD HH:MM`, not before the arrival (`executed_at`): 拘传后，应当立即调查询问.
    pub began_at: String,
    /// `YYYY-MM-DD HH:MM`, equal to the request's `questioning_ended_at`.
    pub ended_at: String,
    /// The officers who put the questions (询问人).
    pub questioners: Vec<String>,
    /// The officer who kept the record (记录人), not one of the questioners: two officers at least.
    pub recorder: String,
    /// The person questioned: name and ID number of the person the 拘传 was issued for.
    pub subject_name: String,
    pub subject_id_number: String,
    /// Work certificates were shown (CPL arts 133, 239).
    pub credentials_shown: bool,
    /// Rights and obligations were told.
    pub rights_told: bool,
    /// The duty to answer truthfully and the consequences of a false statement were told (CPL
    /// arts 114, 252).
    pub false_statement_warned: bool,
    /// The questions and answers in order, at least one (at most 200).
    pub qa: Vec<QuestionAnswerIn>,
    /// `read` (given to the person to read) | `read_aloud` (read out to them) (CPL arts 133, 150).
    pub read_over: String,
    /// The person questioned confirmed and signed …
    pub signed: bool,
    /// … or refused to sign, as the officers note it (CPL art 150).
    pub refusal_note: String,
    /// The questioners and the recorder signed (CPL art 133).
    pub officers_signed: bool,
}

impl From<QuestioningRecordIn> for zhixing_domain::measure::QuestioningRecord {
    fn from(r: QuestioningRecordIn) -> Self {
        zhixing_domain::measure::QuestioningRecord {
            place: r.place,
            began_at: r.began_at,
            ended_at: r.ended_at,
            questioners: r.questioners,
            recorder: r.recorder,
            subject_name: r.subject_name,
            subject_id_number: r.subject_id_number,
            credentials_shown: r.credentials_shown,
            rights_told: r.rights_told,
            false_statement_warned: r.false_statement_warned,
            qa: r
                .qa
                .into_iter()
                .map(|x| zhixing_domain::measure::QuestionAnswer {
                    question: x.question,
                    answer: x.answer,
                })
                .collect(),
            read_over: r.read_over,
            signed: r.signed,
            refusal_note: r.refusal_note,
            officers_signed: r.officers_signed,
        }
    }
}

/// A search record (搜查笔录) on the wire: what 民诉法解释 arts 495–498 require it to state.
#[derive(Debug, Default, Clone, Deserialize, Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct SearchRecordIn {
    /// The 搜查令 and work certificates were shown (art 495).
    pub warrant_shown: bool,
    /// Who attended for the searched, with their capacity (art 496).
    pub present: String,
    /// For a natural person: the 基层组织's staff member who attended (art 496).
    pub witness: String,
    /// Those notified refused to attend; the search goes on (art 496).
    pub refused_to_attend: bool,
    /// A woman's body was searched …
    pub woman_body_searched: bool,
    /// … by a female enforcement officer (art 496).
    pub female_officer: bool,
    /// What was found and seized or sealed, or that nothing was (art 497).
    pub findings: String,
    /// Signed by the searchers, the searched and the others present (art 498) …
    pub signed: bool,
    /// … or who refused to sign (art 498).
    pub refusal_note: String,
}

impl From<SearchRecordIn> for zhixing_domain::measure::SearchRecord {
    fn from(r: SearchRecordIn) -> Self {
        zhixing_domain::measure::SearchRecord {
            warrant_shown: r.warrant_shown,
            present: r.present,
            witness: r.witness,
            refused_to_attend: r.refused_to_attend,
            woman_body_searched: r.woman_body_searched,
            female_officer: r.female_officer,
            findings: r.findings,
            signed: r.signed,
            refusal_note: r.refusal_note,
        }
    }
}

#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct EndRequest {
    /// full_performance | settlement_performed | applicant_request | no_assets_after_termination |
    /// suspended_retrial_bankruptcy | not_enforced | terminated | corrected | security |
    /// early_release | served
    pub ground: String,
    /// `YYYY-MM-DD` the ground arose.
    pub ground_on: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ListEntryOut {
    pub id: String,
    /// dishonest | restricted | terminated
    pub list: String,
    pub name: String,
    pub id_number: String,
    pub case_number: String,
    pub conduct: String,
    pub listed_on: String,
    pub publish_on: String,
    /// listed | deleted
    pub status: String,
    pub deleted_on: Option<String>,
    pub delete_reason: Option<String>,
}

impl From<&ListEntryRow> for ListEntryOut {
    fn from(e: &ListEntryRow) -> Self {
        ListEntryOut {
            id: e.id.clone(),
            list: e.list.clone(),
            name: e.name.clone(),
            id_number: e.id_number.clone(),
            case_number: e.case_number.clone(),
            conduct: e.conduct.clone(),
            listed_on: e.listed_on.clone(),
            publish_on: e.publish_on.clone(),
            status: e.status.clone(),
            deleted_on: e.deleted_on.clone(),
            delete_reason: e.delete_reason.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CorrectionOut {
    pub id: String,
    pub entry_id: String,
    pub ground: String,
    pub statement: String,
    pub received_on: String,
    pub decide_by: String,
    pub status: String,
    pub decided_on: Option<String>,
    pub correct_by: Option<String>,
}

impl From<&CorrectionRow> for CorrectionOut {
    fn from(c: &CorrectionRow) -> Self {
        CorrectionOut {
            id: c.id.clone(),
            entry_id: c.entry_id.clone(),
            ground: c.ground.clone(),
            statement: c.statement.clone(),
            received_on: c.received_on.clone(),
            decide_by: c.decide_by.clone(),
            status: c.status.clone(),
            decided_on: c.decided_on.clone(),
            correct_by: c.correct_by.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ListEntriesOut {
    pub entries: Vec<ListEntryOut>,
    pub corrections: Vec<CorrectionOut>,
}

#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct CorrectionRequest {
    /// should_not_be_listed | inaccurate | should_be_deleted (SX2017 art 11)
    pub ground: String,
    pub statement: String,
    /// `YYYY-MM-DD`
    pub received_on: String,
}

#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct CorrectionDecisionRequest {
    pub accept: bool,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ChangeOut {
    /// The cursor of this change.
    pub id: String,
    pub court_code: String,
    /// The list entry changed; for a permission event, the applicant's entry on the 限制消费 list
    /// under the order the permission relieves ("" if none).
    pub entry_id: String,
    pub list: String,
    /// `kind` = `entry`: add | change | delete. `kind` = `permission`: permission_granted |
    /// permission_ended.
    pub op: String,
    /// The entry (`kind` = `entry`); null for a permission event.
    #[schema(value_type = Option<Object>, required = true)]
    pub entry: serde_json::Value,
    /// unix ms
    pub at: i64,
    /// `entry` (a change of a published list) or `permission` (a consumption permission under a
    /// 限制消费令, XF2015 art 3 para 2 and art 8). Clients skip kinds they do not know.
    pub kind: String,
    /// The permission event (`kind` = `permission` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permission: Option<PermissionEventOut>,
}

/// A consumption-permission event of the feed: granted (the act may be let through on the days
/// `from`..`to`, for the entry `entry_id` only — another 限制消费令 binding the same person is not
/// relieved), or ended early because the order it relieves was lifted (`ended_on`: the first day
/// it no longer applies). No reasons. A permission simply running to its `to` has no end event.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PermissionEventOut {
    pub permission_id: String,
    /// permission_granted | permission_ended
    pub op: String,
    /// The applicant's entry on the 限制消费 list under the order relieved ("" if none).
    pub entry_id: String,
    /// The applicant's name and full ID number (or credit code).
    pub name: String,
    pub id_number: String,
    /// One of the nine acts of XF2015 art 3 para 1 (code) and its text.
    pub act: String,
    pub act_text: String,
    /// `YYYY-MM-DD`, both days counted, as granted.
    pub from: String,
    pub to: String,
    /// The 限制消费令 relieved: measure id and document number; its case number.
    pub measure_id: String,
    pub order_number: String,
    pub case_number: String,
    /// The court that issued the order and granted the permission: name and code.
    pub court: String,
    pub court_code: String,
    /// `YYYY-MM-DD` of the grant.
    pub granted_on: String,
    /// permission_ended: the first day it no longer applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_on: Option<String>,
    /// permission_ended: `order_lifted`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_reason: Option<String>,
}

impl From<zhixing_app::consumption::PermissionEvent> for PermissionEventOut {
    fn from(e: zhixing_app::consumption::PermissionEvent) -> Self {
        PermissionEventOut {
            permission_id: e.permission_id,
            op: e.op,
            entry_id: e.entry_id,
            name: e.name,
            id_number: e.id_number,
            act: e.act,
            act_text: e.act_text,
            from: e.from,
            to: e.to,
            measure_id: e.measure_id,
            order_number: e.order_number,
            case_number: e.case_number,
            court: e.court,
            court_code: e.court_code,
            granted_on: e.granted_on,
            ended_on: e.ended_on,
            end_reason: e.end_reason,
        }
    }
}

impl From<&ListChangeRow> for ChangeOut {
    fn from(c: &ListChangeRow) -> Self {
        let kind = c.kind();
        let (entry, permission) = if kind == "permission" {
            (
                serde_json::Value::Null,
                serde_json::from_str::<zhixing_app::consumption::PermissionEvent>(&c.payload)
                    .ok()
                    .map(Into::into),
            )
        } else {
            (
                serde_json::from_str(&c.payload).unwrap_or(serde_json::Value::Null),
                None,
            )
        };
        ChangeOut {
            id: c.id.clone(),
            court_code: c.court_code.clone(),
            entry_id: c.entry_id.clone(),
            list: c.list.clone(),
            op: c.op.clone(),
            entry,
            at: c.created_at,
            kind: kind.to_owned(),
            permission,
        }
    }
}

/// The feed page. The body is signed: header `X-Zhixing-Signature: hmac-sm3=<hex>` over the
/// exact body bytes, keyed with the SM3 hex of the partner's own API token.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ChangesOut {
    pub items: Vec<ChangeOut>,
    /// Pass as `after` for the next page (the last item's id, or the request's cursor).
    pub next_cursor: String,
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct FeedQuery {
    pub after: String,
    pub limit: Option<i64>,
}

/// `GET /api/v1/public/{list}?name=NAME&id=ID_NUMBER_OR_CREDIT_CODE`
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct PublicQuery {
    pub name: String,
    pub id: String,
}

/// Published entries with the fields of SX2017 art 6; ID numbers masked.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PublicOut {
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<PublicItem>,
    /// With a name but no `id`: the exact number of matching entries (`items` holds the 20
    /// newest). Absent for a name + ID lookup.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub count: Option<usize>,
}

/// `POST /api/v1/partner/check`: a partner's bulk check of ID numbers / credit codes.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PartnerCheckRequest {
    /// `dishonest`, `restricted` or `terminated`.
    pub list: String,
    /// 1 to 1,000 ID numbers / credit codes.
    pub keys: Vec<String>,
}

/// One answer per key, in the order of the request.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PartnerCheckOut {
    pub results: Vec<KeyCheckOut>,
}

/// One key's answer in a partner's bulk check.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct KeyCheckOut {
    /// The key as checked (trimmed, upper case).
    pub key: String,
    /// Whether the key has a published entry on the list.
    pub listed: bool,
    /// Its published entries, newest first (at most 20), masked as on the public portal.
    pub items: Vec<CheckedItemOut>,
    /// On the 失信 and 限制消费 lists: the acts permitted today under **every** 限制消费令 in
    /// effect for the key (XF2015 art 3 para 2, art 8: a permission relieves its own order only,
    /// so with two orders an act is permitted only where both permit it, on the days both
    /// cover). Absent when none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub permissions: Vec<PermissionInForceOut>,
}

/// A published entry in a partner's bulk check: the public portal's fields (SX2017 art 6, ID
/// number masked), the entry's id and the permissions under this entry's own order.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CheckedItemOut {
    /// name, id_masked, sex, age, legal_representative, case_number, court, basis, obligation,
    /// performance, conduct, filed_on, listed_on (as `GET /api/v1/public/{list}` answers).
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub item: PublicItem,
    /// The entry's id (the feed's `entry_id`).
    pub entry_id: String,
    /// The acts permitted today under the 限制消费令 behind this entry only (on the 限制消费 list
    /// the order it publishes; on the 失信 list the 限制消费令 of the same case). Absent when none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub permissions: Vec<PermissionInForceOut>,
}

/// A consumption permission in force today, as a partner sees it: the act and the days, no
/// reasons.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PermissionInForceOut {
    /// One of the nine acts of XF2015 art 3 para 1 (code) and its text.
    pub act: String,
    pub act_text: String,
    /// `YYYY-MM-DD`, both days counted.
    pub from: String,
    pub to: String,
    /// The court that granted it (code); at key level with several orders, the court whose
    /// grant ends first.
    pub court: String,
    /// Every granting court whose grant is part of this answer (codes, sorted).
    pub courts: Vec<String>,
}

impl From<zhixing_app::measures::PermissionInForce> for PermissionInForceOut {
    fn from(p: zhixing_app::measures::PermissionInForce) -> Self {
        PermissionInForceOut {
            act: p.act,
            act_text: p.act_text,
            from: p.from,
            to: p.to,
            court: p.court,
            courts: p.courts,
        }
    }
}

impl From<zhixing_app::measures::KeyCheck> for KeyCheckOut {
    fn from(k: zhixing_app::measures::KeyCheck) -> Self {
        KeyCheckOut {
            key: k.key,
            listed: k.listed,
            items: k
                .items
                .into_iter()
                .map(|i| CheckedItemOut {
                    item: i.item,
                    entry_id: i.entry_id,
                    permissions: i.permissions.into_iter().map(Into::into).collect(),
                })
                .collect(),
            permissions: k.permissions.into_iter().map(Into::into).collect(),
        }
    }
}

// ---- handlers -----------------------------------------------------------------------------------

fn to_input(r: MeasureRequest) -> Result<MeasureInput, ApiError> {
    let mut persons = Vec::new();
    for (i, p) in r.persons.into_iter().enumerate() {
        let role = serde_json::from_value(serde_json::Value::String(p.role.clone())).map_err(|_| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "person_role",
                Some(format!("persons[{i}].role")),
                "人员身份应为 legal_representative、principal_in_charge、directly_responsible 或 actual_controller",
            )
        })?;
        persons.push(zhixing_domain::measure::BoundPerson {
            role,
            name: p.name,
            id_number: p.id_number,
        });
    }
    Ok(MeasureInput {
        kind: r.kind,
        party_id: r.party_id,
        person_name: r.person_name,
        person_id_number: r.person_id_number,
        amount_fen: r.amount_fen,
        days: r.days,
        hours: r.hours,
        detention_possible: r.detention_possible,
        ground: r.ground,
        extra_years: r.extra_years,
        grace_months: r.grace_months,
        security_provided: r.security_provided,
        seized_assets_sufficient: r.seized_assets_sufficient,
        on_application: r.on_application,
        persons,
        place: r.place,
        reason: r.reason,
        applied_on: r.applied_on,
        summoned_for: r.summoned_for,
    })
}

/// Propose a measure; those reserved to the 院长 wait for approval.
#[utoipa::path(post, path = "/api/v1/cases/{id}/measures", params(("id" = String, Path)), request_body = MeasureRequest,
    responses((status = 201, body = MeasureOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn propose(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<impl IntoResponse, ApiError> {
    let r: MeasureRequest = parse_json(&body)?;
    let m = st
        .app
        .propose_measure(&actor, &id, &to_input(r)?, st.now_ms())
        .await?;
    Ok((StatusCode::CREATED, Json(MeasureOut::from(&m))))
}

/// The case's measures.
#[utoipa::path(get, path = "/api/v1/cases/{id}/measures", params(("id" = String, Path)),
    responses((status = 200, body = MeasureListOut), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn list(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<MeasureListOut>, ApiError> {
    let v: Vec<MeasureView> = st.app.case_measures(&actor, &id).await?;
    Ok(Json(MeasureListOut {
        items: v.iter().map(|m| (&m.measure).into()).collect(),
    }))
}

/// The 院长 approves or refuses (CPL arts 119, 259; XF2015 art 5; SX2017 art 5).
#[utoipa::path(post, path = "/api/v1/measures/{id}/decision", params(("id" = String, Path)), request_body = MeasureDecisionRequest,
    responses((status = 200, body = MeasureOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody)), security(("bearer" = [])))]
pub async fn decide(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<MeasureOut>, ApiError> {
    let r: MeasureDecisionRequest = parse_json(&body)?;
    let m = st
        .app
        .decide_measure(&actor, &id, r.approve, &r.comment, st.now_ms())
        .await?;
    Ok(Json((&m).into()))
}

/// Record that an effective measure was carried out.
#[utoipa::path(post, path = "/api/v1/measures/{id}/execution", params(("id" = String, Path)), request_body = ExecutionRequest,
    responses((status = 200, body = MeasureOut), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn execute(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<MeasureOut>, ApiError> {
    let r: ExecutionRequest = parse_json(&body)?;
    let search: Option<zhixing_domain::measure::SearchRecord> = r.search.clone().map(Into::into);
    let questioning: Option<zhixing_domain::measure::QuestioningRecord> =
        r.questioning.clone().map(Into::into);
    let m = st
        .app
        .execute_measure_at(
            &actor,
            &id,
            &zhixing_app::measures::ExecutionInput {
                on: &r.on,
                note: &r.note,
                at: r.executed_at.as_deref(),
                family_notified_on: r.family_notified_on.as_deref(),
                family_notified_at: r.family_notified_at.as_deref(),
                search: search.as_ref(),
                questioning_ended_at: r.questioning_ended_at.as_deref(),
                questioning: questioning.as_ref(),
            },
            st.now_ms(),
        )
        .await?;
    Ok(Json((&m).into()))
}

/// End (delete / lift) an effective measure on a legal ground.
#[utoipa::path(post, path = "/api/v1/measures/{id}/end", params(("id" = String, Path)), request_body = EndRequest,
    responses((status = 200, body = MeasureOut), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn end(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<MeasureOut>, ApiError> {
    let r: EndRequest = parse_json(&body)?;
    let m = st
        .app
        .end_measure(&actor, &id, &r.ground, &r.ground_on, st.now_ms())
        .await?;
    Ok(Json((&m).into()))
}

/// The measure's legal document as DOCX (once effective).
#[utoipa::path(get, path = "/api/v1/measures/{id}/document", params(("id" = String, Path)),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
              (status = 409, body = ErrorBody)), security(("bearer" = [])))]
pub async fn document(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let d = st.app.measure_document(&actor, &id).await?;
    docx_response(d)
}

/// The 搜查笔录 of a search carried out, as DOCX (CPLI arts 495–498): 409 `no_record` for a
/// measure that is not a search with its record.
#[utoipa::path(get, path = "/api/v1/measures/{id}/search-record", params(("id" = String, Path)),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)), security(("bearer" = [])))]
pub async fn search_record(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let d = st.app.search_record_document(&actor, &id).await?;
    docx_response(d)
}

/// The 询问笔录 of a 拘传 carried out, as DOCX (CPLI art 482; CPL arts 133, 150): 409
/// `no_record` for a measure that is not a 拘传 with its record (also a 拘传 executed before
/// records were kept).
#[utoipa::path(get, path = "/api/v1/measures/{id}/questioning-record", params(("id" = String, Path)),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)), security(("bearer" = [])))]
pub async fn questioning_record(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let d = st.app.questioning_record_document(&actor, &id).await?;
    docx_response(d)
}

pub(crate) fn docx_response(d: zhixing_app::documents::Document) -> Result<Response, ApiError> {
    let disposition = format!(
        "attachment; filename=\"document.docx\"; filename*=UTF-8''{}",
        percent(&d.file_name)
    );
    Response::builder()
        .header(
            header::CONTENT_TYPE,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        )
        .header(
            header::CONTENT_DISPOSITION,
            HeaderValue::from_str(&disposition).unwrap_or(HeaderValue::from_static("attachment")),
        )
        .body(Body::from(d.docx))
        .map_err(|e| ApiError::internal(e.to_string()))
}

/// RFC 5987 percent-encoding of a UTF-8 file name.
fn percent(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Measures of the actor's court awaiting the 院长.
#[utoipa::path(get, path = "/api/v1/approvals",
    responses((status = 200, body = MeasureListOut), (status = 403, body = ErrorBody)), security(("bearer" = [])))]
pub async fn approvals(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<MeasureListOut>, ApiError> {
    let v = st.app.approval_queue(&actor).await?;
    Ok(Json(MeasureListOut {
        items: v.iter().map(Into::into).collect(),
    }))
}

/// The case's published list entries and correction requests (staff view: full numbers).
#[utoipa::path(get, path = "/api/v1/cases/{id}/list-entries", params(("id" = String, Path)),
    responses((status = 200, body = ListEntriesOut), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn list_entries(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<ListEntriesOut>, ApiError> {
    let (e, c) = st.app.case_list_entries(&actor, &id).await?;
    Ok(Json(ListEntriesOut {
        entries: e.iter().map(Into::into).collect(),
        corrections: c.iter().map(Into::into).collect(),
    }))
}

/// Record a correction request (SX2017 arts 11–12): decided within 15 days.
#[utoipa::path(post, path = "/api/v1/list-entries/{id}/corrections", params(("id" = String, Path)), request_body = CorrectionRequest,
    responses((status = 201, body = CorrectionOut), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn request_correction(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<impl IntoResponse, ApiError> {
    let r: CorrectionRequest = parse_json(&body)?;
    let c = st
        .app
        .request_correction(
            &actor,
            &id,
            &r.ground,
            &r.statement,
            &r.received_on,
            st.now_ms(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(CorrectionOut::from(&c))))
}

/// Decide a correction request; a justified one is corrected at once.
#[utoipa::path(post, path = "/api/v1/corrections/{id}/decision", params(("id" = String, Path)), request_body = CorrectionDecisionRequest,
    responses((status = 200, body = CorrectionOut), (status = 409, body = ErrorBody)), security(("bearer" = [])))]
pub async fn decide_correction(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<CorrectionOut>, ApiError> {
    let r: CorrectionDecisionRequest = parse_json(&body)?;
    let c = st
        .app
        .decide_correction(&actor, &id, r.accept, st.now_ms())
        .await?;
    Ok(Json((&c).into()))
}

/// An application for 复议 of a fine or detention, as the executing court received it.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ReviewRequest {
    pub applicant: String,
    /// YYYY-MM-DD: the day the applicant received the 决定书.
    pub received_on: String,
    /// YYYY-MM-DD: the day of the application (at most 3 days later, CPLI art 185).
    pub applied_on: String,
    pub reason: String,
}

/// The higher court's decision on a 复议.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ReviewDecisionRequest {
    /// upheld (维持) | revoked (撤销) | changed (变更, a fine or detention only: with `amount_fen`
    /// or `days`, lighter than decided and within the legal limits)
    pub outcome: String,
    pub note: String,
    #[serde(default)]
    pub amount_fen: Option<i64>,
    #[serde(default)]
    pub days: Option<u32>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ReviewOut {
    pub id: String,
    pub court_code: String,
    /// `measure` (罚款/拘留, CPL art 119) or `correction` (a rejected correction, SX2017 art 12).
    pub subject: String,
    /// The reviewed measure, or (subject `correction`) the correction request.
    pub measure_id: String,
    pub case_id: String,
    /// The next-higher court that decides.
    pub review_court: String,
    pub applicant: String,
    pub received_on: String,
    pub applied_on: String,
    pub reason: String,
    /// Decision due (5 days after the application for a measure, CPLI art 185; 15 for a
    /// correction, SX2017 art 12).
    pub decide_by: String,
    /// pending | upheld | revoked | changed
    pub status: String,
    pub decided_on: Option<String>,
    pub decision_note: Option<String>,
}

impl From<&zhixing_store::measures::ReviewRow> for ReviewOut {
    fn from(r: &zhixing_store::measures::ReviewRow) -> Self {
        ReviewOut {
            id: r.id.clone(),
            subject: r.subject.clone(),
            court_code: r.court_code.clone(),
            measure_id: r.measure_id.clone(),
            case_id: r.case_id.clone(),
            review_court: r.review_court.clone(),
            applicant: r.applicant.clone(),
            received_on: r.received_on.clone(),
            applied_on: r.applied_on.clone(),
            reason: r.reason.clone(),
            decide_by: r.decide_by.clone(),
            status: r.status.clone(),
            decided_on: r.decided_on.clone(),
            decision_note: r.decision_note.clone(),
        }
    }
}

fn review_input(r: ReviewRequest) -> zhixing_app::reviews::ReviewInput {
    zhixing_app::reviews::ReviewInput {
        applicant: r.applicant,
        received_on: r.received_on,
        applied_on: r.applied_on,
        reason: r.reason,
    }
}

/// Register an application for 复议 of a fine or detention (CPL art 119: once, to the next-higher
/// court, no stay).
#[utoipa::path(post, path = "/api/v1/measures/{id}/review", params(("id" = String, Path)), request_body = ReviewRequest,
    responses((status = 201, body = ReviewOut), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn apply_review(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<impl IntoResponse, ApiError> {
    let input = review_input(parse_json(&body)?);
    let v = st
        .app
        .apply_review(&actor, &id, &input, st.now_ms())
        .await?;
    Ok((StatusCode::CREATED, Json(ReviewOut::from(&v))))
}

/// Register an application for 复议 of a rejected correction request (SX2017 art 12: within 10
/// days of receiving the rejection, to the next-higher court, which decides within 15 days).
#[utoipa::path(post, path = "/api/v1/corrections/{id}/review", params(("id" = String, Path)), request_body = ReviewRequest,
    responses((status = 201, body = ReviewOut), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn apply_correction_review(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<impl IntoResponse, ApiError> {
    let input = review_input(parse_json(&body)?);
    let v = st
        .app
        .apply_correction_review(&actor, &id, &input, st.now_ms())
        .await?;
    Ok((StatusCode::CREATED, Json(ReviewOut::from(&v))))
}

/// The higher court's 院长 decides a 复议.
#[utoipa::path(post, path = "/api/v1/reviews/{id}/decision", params(("id" = String, Path)), request_body = ReviewDecisionRequest,
    responses((status = 200, body = ReviewOut), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)), security(("bearer" = [])))]
pub async fn decide_review(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<ReviewOut>, ApiError> {
    let r: ReviewDecisionRequest = parse_json(&body)?;
    let v = st
        .app
        .decide_review(
            &actor,
            &id,
            &r.outcome,
            &r.note,
            zhixing_app::reviews::ReviewTerms {
                amount_fen: r.amount_fen,
                days: r.days,
            },
            st.now_ms(),
        )
        .await?;
    Ok(Json((&v).into()))
}

/// The 复议 the caller's court has to decide, earliest decision day first.
#[utoipa::path(get, path = "/api/v1/reviews",
    responses((status = 200, body = [ReviewOut]), (status = 403, body = ErrorBody)), security(("bearer" = [])))]
pub async fn list_reviews(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<Vec<ReviewOut>>, ApiError> {
    let v = st.app.reviews_to_decide(&actor).await?;
    Ok(Json(v.iter().map(Into::into).collect()))
}

/// The joint-punishment feed (SX2017 art 8): list changes after a cursor, signed with HMAC-SM3;
/// with them, in the same cursor order, the consumption permissions granted under a 限制消费令 and
/// their early end when the order is lifted (`kind` = `permission`, XF2015 art 3 para 2, art 8).
#[utoipa::path(get, path = "/api/v1/partner/list-changes", params(FeedQuery),
    responses((status = 200, body = ChangesOut), (status = 403, body = ErrorBody)), security(("bearer" = [])))]
pub async fn feed(
    State(st): State<AppState>,
    headers: HeaderMap,
    ApiActor(actor): ApiActor,
    Query(q): Query<FeedQuery>,
) -> Result<Response, ApiError> {
    // The cursor is the last change read, which may be one not sent (a never-published
    // entry's change or deletion), so a page of only such changes still moves the cursor on.
    let (items, next_cursor) = st
        .app
        .list_changes_page(&actor, q.after.trim(), q.limit.unwrap_or(500), st.now_ms())
        .await?;
    let body = serde_json::to_vec(&ChangesOut {
        items: items.iter().map(Into::into).collect(),
        next_cursor,
    })
    .map_err(|e| ApiError::internal(e.to_string()))?;
    // The bearer token was checked by ApiActor; its SM3 is the key both sides hold.
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' ').map(|(_, t)| t.trim().to_owned()))
        .unwrap_or_default();
    let sig = hmac_sm3_hex(sm3_hex(token.as_bytes()).as_bytes(), &body);
    Response::builder()
        .header(header::CONTENT_TYPE, "application/json")
        .header("x-zhixing-signature", format!("hmac-sm3={sig}"))
        .body(Body::from(body))
        .map_err(|e| ApiError::internal(e.to_string()))
}

/// A partner's bulk check (联合惩戒): up to 1,000 ID numbers / credit codes against one
/// published list; for each, whether it is listed and its entries (SX2017 art 6 fields, masked),
/// on the 失信 and 限制消费 lists with the consumption permissions in force today: per entry under
/// its own order, and per key those permitted under every order in effect.
#[utoipa::path(post, path = "/api/v1/partner/check", request_body = PartnerCheckRequest,
    responses((status = 200, body = PartnerCheckOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn partner_check(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    body: Bytes,
) -> Result<Json<PartnerCheckOut>, ApiError> {
    let r: PartnerCheckRequest = parse_json(&body)?;
    let results = st
        .app
        .partner_check(
            &actor,
            r.list.trim(),
            &r.keys,
            &st.config.id_mask,
            st.now_ms(),
        )
        .await?;
    Ok(Json(PartnerCheckOut {
        results: results.into_iter().map(Into::into).collect(),
    }))
}

/// The client a public request is counted against: the peer address when the server was started
/// with connection info (`zhixing serve` does), else one shared bucket.
pub(crate) fn client_key(req_ext: &axum::http::Extensions) -> ClientKey {
    req_ext
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(ClientKey::LOCAL, |c| ClientKey::of(c.0.ip()))
}

/// The gate of an anonymous request: the per-client limit, checked first (429 before any other
/// work, logged); returns the client key.
fn public_gate(
    st: &AppState,
    req: &Request,
    what: &str,
    now_ms: i64,
) -> Result<ClientKey, ApiError> {
    let key = client_key(req.extensions());
    if !st.public_limiter.allow(key, now_ms) {
        tracing::warn!(client = %key, what, "public lookup rate-limited");
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            None,
            "查询过于频繁，请稍后再试",
        ));
    }
    Ok(key)
}

fn bad_query() -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "query",
        None,
        "查询参数格式不正确",
    )
}

/// The gate of an anonymous GET (see [`public_gate`]), then the query string.
fn public_request<T: serde::de::DeserializeOwned>(
    st: &AppState,
    req: &Request,
    what: &str,
) -> Result<(ClientKey, T), ApiError> {
    let key = public_gate(st, req, what, st.now_ms())?;
    let Query(q) = Query::try_from_uri(req.uri()).map_err(|_| bad_query())?;
    Ok((key, q))
}

/// `name` and `id` of a list lookup's query string, decoded as [`PublicQuery`] would be (missing
/// = empty, other parameters ignored, a repeated one refused) but borrowed where nothing was
/// percent-encoded: this runs on every lookup.
fn lookup_query(query: &str) -> Result<(Cow<'_, str>, Cow<'_, str>), ApiError> {
    let (mut name, mut id) = (None, None);
    for (k, v) in form_urlencoded::parse(query.as_bytes()) {
        let slot = match &*k {
            "name" => &mut name,
            "id" => &mut id,
            _ => continue,
        };
        if slot.replace(v).is_some() {
            return Err(bad_query());
        }
    }
    Ok((name.unwrap_or_default(), id.unwrap_or_default()))
}

/// The answer of a name + key lookup, written from the borrowed items: the same JSON as
/// [`PublicOut`] with no `count`.
#[derive(Serialize)]
struct PublicOutRef<'a, 'b> {
    items: &'b [PublicItemRef<'a>],
}

async fn public_list(st: AppState, req: Request, list: &'static str) -> Result<Response, ApiError> {
    let now = st.now_ms();
    let key = public_gate(&st, &req, list, now)?;
    let (name, id) = lookup_query(req.uri().query().unwrap_or(""))?;
    if name.len() > 200 || id.len() > 64 {
        tracing::warn!(client = %key, "oversized public query refused");
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "too_long",
            Some(if name.len() > 200 {
                "name".into()
            } else {
                "id".into()
            }),
            "查询内容过长",
        ));
    }
    let answer = if id.trim().is_empty() {
        st.app
            .public_search_name(list, &name, &st.config.id_mask, now)
            .await
            .map(|r| {
                Json(PublicOut {
                    items: r.items,
                    count: Some(r.count),
                })
                .into_response()
            })
    } else {
        // The hot path of the portal: the JSON is written straight from the in-memory list
        // (no copy of an entry), into a buffer sized for the answer.
        st.app
            .public_lookup_with(list, &name, &id, &st.config.id_mask, now, |items| {
                let mut body = Vec::with_capacity(64 + 768 * items.len());
                serde_json::to_writer(&mut body, &PublicOutRef { items }).map(|()| body)
            })
            .await
            .map(|body| match body {
                Ok(body) => (
                    [(
                        header::CONTENT_TYPE,
                        HeaderValue::from_static("application/json"),
                    )],
                    body,
                )
                    .into_response(),
                Err(e) => ApiError::internal(format_args!("public answer not serialisable: {e}"))
                    .into_response(),
            })
    };
    match answer {
        Ok(out) => Ok(out),
        Err(e) => {
            tracing::info!(client = %key, list, error = %e, "public lookup refused");
            Err(e.into())
        }
    }
}

/// 失信被执行人 lookup by name plus ID number or credit code (no login; SX2017 art 6 fields;
/// ID masked; at most 20 items; rate-limited per client). Without `id`: name substring search,
/// `count` plus the 20 newest.
#[utoipa::path(get, path = "/api/v1/public/dishonest", params(PublicQuery),
    responses((status = 200, body = PublicOut), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn public_dishonest(
    State(st): State<AppState>,
    req: Request,
) -> Result<Response, ApiError> {
    public_list(st, req, "dishonest").await
}

/// 限制消费人员 lookup, same contract as `/public/dishonest`.
#[utoipa::path(get, path = "/api/v1/public/restricted", params(PublicQuery),
    responses((status = 200, body = PublicOut), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn public_restricted(
    State(st): State<AppState>,
    req: Request,
) -> Result<Response, ApiError> {
    public_list(st, req, "restricted").await
}

/// 终本案件 lookup, same contract as `/public/dishonest`.
#[utoipa::path(get, path = "/api/v1/public/terminated", params(PublicQuery),
    responses((status = 200, body = PublicOut), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn public_terminated(
    State(st): State<AppState>,
    req: Request,
) -> Result<Response, ApiError> {
    public_list(st, req, "terminated").await
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QueryCodeOut {
    pub party: String,
    /// Shown once; give it to the party with the notice (only its SM3 is stored).
    pub code: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QueryCodesOut {
    pub codes: Vec<QueryCodeOut>,
}

/// Issue a fresh query code to every party of the case (replaces earlier codes).
#[utoipa::path(post, path = "/api/v1/cases/{id}/query-codes", params(("id" = String, Path)),
    responses((status = 201, body = QueryCodesOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn query_codes(
    State(st): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let v = st.app.issue_query_codes(&actor, &id, st.now_ms()).await?;
    Ok((
        StatusCode::CREATED,
        Json(QueryCodesOut {
            codes: v
                .into_iter()
                .map(|(party, code)| QueryCodeOut { party, code })
                .collect(),
        }),
    ))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct ProgressQuery {
    pub case_number: String,
    /// The party's own ID number or credit code.
    pub id: String,
    /// The query code the court gave the party.
    pub code: String,
}

/// A party's view of the case (执行公开): process, measures, disposals, payouts. Any mismatch of
/// case number, ID and code is the same 404.
#[utoipa::path(get, path = "/api/v1/public/case-progress", params(ProgressQuery),
    responses((status = 200, body = Object), (status = 404, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn case_progress(State(st): State<AppState>, req: Request) -> Result<Response, ApiError> {
    let (key, q): (ClientKey, ProgressQuery) = public_request(&st, &req, "case-progress")?;
    if q.case_number.len() > 100 || q.id.len() > 64 || q.code.len() > 32 {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "too_long",
            None,
            "查询内容过长",
        ));
    }
    match st
        .app
        .public_case_progress(&q.case_number, &q.id, &q.code)
        .await
    {
        Ok(p) => Ok(Json(p).into_response()),
        Err(e) => {
            tracing::info!(client = %key, "case progress refused: {e}");
            Err(e.into())
        }
    }
}

#[derive(OpenApi)]
#[openapi(
    paths(
        propose,
        list,
        decide,
        execute,
        end,
        document,
        search_record,
        questioning_record,
        approvals,
        list_entries,
        request_correction,
        decide_correction,
        feed,
        partner_check,
        public_dishonest,
        public_restricted,
        public_terminated,
        query_codes,
        case_progress,
        apply_review,
        apply_correction_review,
        decide_review,
        list_reviews
    ),
    components(schemas(
        PersonIn,
        MeasureRequest,
        MeasureOut,
        MeasureListOut,
        MeasureDecisionRequest,
        ExecutionRequest,
        SearchRecordIn,
        QuestioningRecordIn,
        QuestionAnswerIn,
        EndRequest,
        ListEntryOut,
        CorrectionOut,
        ListEntriesOut,
        CorrectionRequest,
        CorrectionDecisionRequest,
        ReviewRequest,
        ReviewDecisionRequest,
        ReviewOut,
        ChangeOut,
        ChangesOut,
        PermissionEventOut,
        PartnerCheckRequest,
        PartnerCheckOut,
        KeyCheckOut,
        CheckedItemOut,
        PermissionInForceOut,
        PublicOut,
        QueryCodeOut,
        QueryCodesOut
    ))
)]
pub struct MeasuresDoc;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/cases/{id}/measures", post(propose).get(list))
        .route("/api/v1/measures/{id}/decision", post(decide))
        .route("/api/v1/measures/{id}/execution", post(execute))
        .route("/api/v1/measures/{id}/end", post(end))
        .route("/api/v1/measures/{id}/document", get(document))
        .route("/api/v1/measures/{id}/search-record", get(search_record))
        .route(
            "/api/v1/measures/{id}/questioning-record",
            get(questioning_record),
        )
        .route("/api/v1/approvals", get(approvals))
        .route("/api/v1/cases/{id}/list-entries", get(list_entries))
        .route(
            "/api/v1/list-entries/{id}/corrections",
            post(request_correction),
        )
        .route("/api/v1/corrections/{id}/decision", post(decide_correction))
        .route("/api/v1/measures/{id}/review", post(apply_review))
        .route(
            "/api/v1/corrections/{id}/review",
            post(apply_correction_review),
        )
        .route("/api/v1/reviews", get(list_reviews))
        .route("/api/v1/reviews/{id}/decision", post(decide_review))
        .route("/api/v1/partner/list-changes", get(feed))
        .route("/api/v1/partner/check", post(partner_check))
        .route("/api/v1/public/dishonest", get(public_dishonest))
        .route("/api/v1/public/restricted", get(public_restricted))
        .route("/api/v1/public/terminated", get(public_terminated))
        .route("/api/v1/cases/{id}/query-codes", post(query_codes))
        .route("/api/v1/public/case-progress", get(case_progress))
}
