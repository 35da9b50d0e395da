//! The enforcement case (执行案件): track, status, enforcement basis and the validated filing.

use chrono::{Datelike, NaiveDate};

use crate::case_number::{CaseNumber, TypeCode};
use crate::court::validate_court_code;
use crate::money::Fen;
use crate::party::{Party, PartyInput};
use crate::{FieldError, RuleError};

/// 繁简分流 track.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Track {
    /// 简案快执
    Fast,
    /// 繁案精执
    Standard,
}

impl Track {
    pub fn as_str(self) -> &'static str {
        match self {
            Track::Fast => "fast",
            Track::Standard => "standard",
        }
    }
    pub fn from_str_opt(s: &str) -> Option<Self> {
        match s {
            "fast" => Some(Track::Fast),
            "standard" => Some(Track::Standard),
            _ => None,
        }
    }
}

/// Case status. Closing modes (执行完毕, 终本, …) arrive with the closing capability; until then a
/// case is open from filing on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    /// Filed, no team of the right track exists yet: waits for the command center to assign.
    PendingAssignment,
    /// Assigned and being enforced (执行中).
    InProgress,
    /// 中止执行 (CPL art 267): clock paused.
    Suspended,
    /// Closed (结案) by one of the LJ2014 art 14 modes.
    Closed,
}

impl CaseStatus {
    pub const ALL: [CaseStatus; 4] = [
        CaseStatus::PendingAssignment,
        CaseStatus::InProgress,
        CaseStatus::Suspended,
        CaseStatus::Closed,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            CaseStatus::PendingAssignment => "pending_assignment",
            CaseStatus::InProgress => "in_progress",
            CaseStatus::Suspended => "suspended",
            CaseStatus::Closed => "closed",
        }
    }
    pub fn from_str_opt(s: &str) -> Option<Self> {
        CaseStatus::ALL.into_iter().find(|c| c.as_str() == s)
    }
    /// Counts toward a team's or handler's open load.
    pub fn is_open(self) -> bool {
        !matches!(self, CaseStatus::Closed)
    }
    pub fn name_zh(self) -> &'static str {
        match self {
            CaseStatus::PendingAssignment => "待分案",
            CaseStatus::InProgress => "执行中",
            CaseStatus::Suspended => "中止",
            CaseStatus::Closed => "已结案",
        }
    }
}

/// 执行依据: the effective legal document being enforced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnforcementBasis {
    /// 法院代字 of the issuing court (or of the court that reviewed an arbitral award / notarial deed).
    pub court: String,
    /// Its number, e.g. `（2023）川1123民初456号`, normalised to full-width brackets when it parses as
    /// a 案号; arbitration awards and notarial deeds keep their own numbering.
    pub document_number: String,
    pub document_type: String,
}

/// Document types that can be an enforcement basis (CPL arts 235, 248, 249; 执行工作若干问题的规定 art 2).
pub const BASIS_DOCUMENT_TYPES: [&str; 9] = [
    "民事判决书",
    "民事裁定书",
    "民事调解书",
    "刑事判决书（财产部分）",
    "刑事裁定书（财产部分）",
    "行政判决书",
    "仲裁裁决书",
    "公证债权文书",
    "支付令",
];

/// Court-issued documents carry a 案号; arbitral awards and notarial deeds do not.
fn basis_has_case_number(document_type: &str) -> bool {
    !matches!(document_type, "仲裁裁决书" | "公证债权文书")
}

/// Unvalidated filing input.
#[derive(Debug, Clone, Default)]
pub struct NewCaseInput {
    pub court: String,
    pub type_code: String,
    pub filed_on: String,
    pub basis_court: String,
    pub basis_document_number: String,
    pub basis_document_type: String,
    pub applicants: Vec<PartyInput>,
    pub debtors: Vec<PartyInput>,
    pub claim_fen: Option<i64>,
}

/// A validated filing, ready for numbering, triage and assignment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCase {
    pub court: String,
    pub type_code: TypeCode,
    pub filed_on: NaiveDate,
    pub basis: EnforcementBasis,
    pub applicants: Vec<Party>,
    pub debtors: Vec<Party>,
    pub claim: Fen,
}

/// At most this many applicants or debtors on one filing (a sanity bound on input size).
pub const MAX_PARTIES_PER_SIDE: usize = 50;
/// Earliest accepted filing date.
pub const EARLIEST_FILING: (i32, u32, u32) = (2000, 1, 1);

pub fn parse_date(raw: &str) -> Result<NaiveDate, RuleError> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .map_err(|_| RuleError::new("date_format", "日期格式应为 YYYY-MM-DD 且为真实日期"))
}

impl NewCaseInput {
    /// Validate everything a filing needs. `today` bounds dates (no future filing, no future births).
    pub fn validate(&self, today: NaiveDate) -> Result<NewCase, FieldError> {
        let court = self.court.trim().to_owned();
        validate_court_code(&court).map_err(|e| e.at("court"))?;
        let type_code = TypeCode::from_code(self.type_code.trim()).ok_or_else(|| {
            FieldError::new(
                "case_type_code",
                "type_code",
                "类型代字不是执行类案件代字（执、执恢、执保、执异 等）",
            )
        })?;
        let filed_on = parse_date(&self.filed_on).map_err(|e| e.at("filed_on"))?;
        if filed_on > today {
            return Err(FieldError::new(
                "date_in_future",
                "filed_on",
                "立案日期不能晚于今天",
            ));
        }
        let earliest =
            NaiveDate::from_ymd_opt(EARLIEST_FILING.0, EARLIEST_FILING.1, EARLIEST_FILING.2);
        if earliest.is_some_and(|e| filed_on < e) {
            return Err(FieldError::new(
                "date_too_early",
                "filed_on",
                "立案日期不能早于 2000-01-01",
            ));
        }

        let basis_court = self.basis_court.trim().to_owned();
        validate_court_code(&basis_court).map_err(|e| e.at("basis.court"))?;
        let document_type = self.basis_document_type.trim().to_owned();
        if !BASIS_DOCUMENT_TYPES.contains(&document_type.as_str()) {
            return Err(FieldError::new(
                "basis_document_type",
                "basis.document_type",
                format!(
                    "执行依据文书类型应为以下之一：{}",
                    BASIS_DOCUMENT_TYPES.join("、")
                ),
            ));
        }
        let raw_number = self.basis_document_number.trim();
        if raw_number.is_empty() {
            return Err(FieldError::new(
                "required",
                "basis.document_number",
                "执行依据文书编号不能为空",
            ));
        }
        if raw_number.chars().count() > 60 {
            return Err(FieldError::new(
                "too_long",
                "basis.document_number",
                "执行依据文书编号不能超过 60 个字符",
            ));
        }
        let document_number = if basis_has_case_number(&document_type) {
            let n = CaseNumber::parse(raw_number).map_err(|e| e.at("basis.document_number"))?;
            if n.year() > filed_on.year() {
                return Err(FieldError::new(
                    "basis_after_filing",
                    "basis.document_number",
                    "执行依据的收案年度不能晚于执行立案年度",
                ));
            }
            n.to_string()
        } else {
            raw_number.to_owned()
        };

        let claim_fen = self.claim_fen.ok_or_else(|| {
            FieldError::new(
                "required",
                "claim_fen",
                "申请执行标的金额（分）不能为空；非金钱给付填 0",
            )
        })?;
        if claim_fen < 0 {
            return Err(FieldError::new(
                "money_negative",
                "claim_fen",
                "申请执行标的金额不能为负数",
            ));
        }
        let claim = Fen::new(claim_fen);

        let applicants = validate_side(&self.applicants, "applicants", "申请执行人", today)?;
        let debtors = validate_side(&self.debtors, "debtors", "被执行人", today)?;
        for (i, d) in debtors.iter().enumerate() {
            if applicants
                .iter()
                .any(|a| a.identity_key() == d.identity_key())
            {
                return Err(FieldError::new(
                    "party_both_sides",
                    format!("debtors[{i}]"),
                    "同一主体不能既是申请执行人又是被执行人",
                ));
            }
        }
        Ok(NewCase {
            court,
            type_code,
            filed_on,
            basis: EnforcementBasis {
                court: basis_court,
                document_number,
                document_type,
            },
            applicants,
            debtors,
            claim,
        })
    }
}

fn validate_side(
    inputs: &[PartyInput],
    field: &str,
    label: &str,
    today: NaiveDate,
) -> Result<Vec<Party>, FieldError> {
    if inputs.is_empty() {
        return Err(FieldError::new(
            "required",
            field,
            format!("至少需要一名{label}"),
        ));
    }
    if inputs.len() > MAX_PARTIES_PER_SIDE {
        return Err(FieldError::new(
            "too_many",
            field,
            format!("{label}不能超过 {MAX_PARTIES_PER_SIDE} 名"),
        ));
    }
    let mut out: Vec<Party> = Vec::with_capacity(inputs.len());
    for (i, p) in inputs.iter().enumerate() {
        let party = p.validate(&format!("{field}[{i}]"), today)?;
        if out.iter().any(|q| q.identity_key() == party.identity_key()) {
            return Err(FieldError::new(
                "party_duplicate",
                format!("{field}[{i}]"),
                format!("{label}重复填写"),
            ));
        }
        out.push(party);
    }
    Ok(out)
}
