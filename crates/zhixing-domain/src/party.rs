//! Parties to an enforcement case: 申请执行人 (applicant) and 被执行人 (debtor).
//!
//! A natural person is identified by a 居民身份证号, an entity by its 统一社会信用代码.
//! Validation happens here, once, when wire input becomes a [`Party`] ("parse, don't validate").

use chrono::NaiveDate;

use crate::credit_code::CreditCode;
use crate::id_number::IdNumber;
use crate::{FieldError, RuleError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartyRole {
    Applicant,
    Debtor,
}

impl PartyRole {
    pub fn as_str(self) -> &'static str {
        match self {
            PartyRole::Applicant => "applicant",
            PartyRole::Debtor => "debtor",
        }
    }
    pub fn from_str_opt(s: &str) -> Option<Self> {
        match s {
            "applicant" => Some(PartyRole::Applicant),
            "debtor" => Some(PartyRole::Debtor),
            _ => None,
        }
    }
}

/// Who a party is, with the identifier that makes them findable across courts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PartyIdentity {
    Person {
        id_number: IdNumber,
    },
    Entity {
        credit_code: CreditCode,
        legal_representative: String,
    },
}

/// A validated party.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Party {
    pub name: String,
    pub identity: PartyIdentity,
    pub phone: Option<String>,
    pub address: Option<String>,
}

impl Party {
    /// "person" or "entity".
    pub fn kind(&self) -> &'static str {
        match self.identity {
            PartyIdentity::Person { .. } => "person",
            PartyIdentity::Entity { .. } => "entity",
        }
    }

    /// The cross-court identity key: the ID number or the credit code.
    pub fn identity_key(&self) -> &str {
        match &self.identity {
            PartyIdentity::Person { id_number } => id_number.as_str(),
            PartyIdentity::Entity { credit_code, .. } => credit_code.as_str(),
        }
    }
}

/// Unvalidated party fields as they arrive from a form, the API or an import.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PartyInput {
    pub kind: String,
    pub name: String,
    pub id_number: Option<String>,
    pub credit_code: Option<String>,
    pub legal_representative: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
}

fn blank_to_none(s: &Option<String>) -> Option<String> {
    s.as_ref()
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// A name of a person or entity: 1–100 characters after trimming, no control characters.
pub fn validate_name(raw: &str) -> Result<String, RuleError> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(RuleError::new("required", "名称不能为空"));
    }
    if name.chars().count() > 100 {
        return Err(RuleError::new("too_long", "名称不能超过 100 个字符"));
    }
    if name.chars().any(char::is_control) {
        return Err(RuleError::new("invalid_characters", "名称不能包含控制字符"));
    }
    Ok(name.to_owned())
}

/// Mainland mobile (11 digits starting with 1) or landline (area code + number, digits and one '-').
pub fn validate_phone(raw: &str) -> Result<String, RuleError> {
    let p: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    let digits = p.chars().filter(char::is_ascii_digit).count();
    let ok_chars = p.chars().all(|c| c.is_ascii_digit() || c == '-') && p.matches('-').count() <= 1;
    let mobile = digits == 11 && p.starts_with('1') && !p.contains('-');
    let landline = p.starts_with('0') && (10..=12).contains(&digits);
    if ok_chars && (mobile || landline) {
        Ok(p)
    } else {
        Err(RuleError::new(
            "phone_format",
            "电话号码格式不正确：应为 11 位手机号或带区号的固定电话",
        ))
    }
}

impl PartyInput {
    /// Validate into a [`Party`]; errors carry the field path under `prefix` (e.g. `debtors[0]`).
    pub fn validate(&self, prefix: &str, today: NaiveDate) -> Result<Party, FieldError> {
        let at = |f: &str| format!("{prefix}.{f}");
        let name = validate_name(&self.name).map_err(|e| e.at(at("name")))?;
        let phone = match blank_to_none(&self.phone) {
            Some(p) => Some(validate_phone(&p).map_err(|e| e.at(at("phone")))?),
            None => None,
        };
        let address = blank_to_none(&self.address);
        if address.as_ref().is_some_and(|a| a.chars().count() > 200) {
            return Err(FieldError::new(
                "too_long",
                at("address"),
                "地址不能超过 200 个字符",
            ));
        }
        let identity = match self.kind.trim() {
            "person" => {
                let raw = blank_to_none(&self.id_number).ok_or_else(|| {
                    FieldError::new(
                        "required",
                        at("id_number"),
                        "自然人当事人必须填写居民身份证号",
                    )
                })?;
                let id_number = IdNumber::parse(&raw, today).map_err(|e| e.at(at("id_number")))?;
                PartyIdentity::Person { id_number }
            }
            "entity" => {
                let raw = blank_to_none(&self.credit_code).ok_or_else(|| {
                    FieldError::new(
                        "required",
                        at("credit_code"),
                        "单位当事人必须填写统一社会信用代码",
                    )
                })?;
                let credit_code = CreditCode::parse(&raw).map_err(|e| e.at(at("credit_code")))?;
                let legal_representative = blank_to_none(&self.legal_representative)
                    .ok_or_else(|| {
                        FieldError::new(
                            "required",
                            at("legal_representative"),
                            "单位当事人必须填写法定代表人或负责人",
                        )
                    })
                    .and_then(|n| {
                        validate_name(&n).map_err(|e| e.at(at("legal_representative")))
                    })?;
                PartyIdentity::Entity {
                    credit_code,
                    legal_representative,
                }
            }
            _ => {
                return Err(FieldError::new(
                    "party_kind",
                    at("kind"),
                    "当事人类型必须是 person（自然人）或 entity（单位）",
                ));
            }
        };
        Ok(Party {
            name,
            identity,
            phone,
            address,
        })
    }
}
