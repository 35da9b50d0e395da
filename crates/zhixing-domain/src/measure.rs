//! Coercive measures (强制措施) and credit punishment (失信, 限制消费): their legal conditions,
//! approval, terms and ends — rules.md §4 and §7. Pure: the app layer stores what these functions
//! decide, and the deadline engine times what they date.
//!
//! Sources (short names as in rules.md): CPL 民事诉讼法 (2023), CPLI 民诉法解释, EPI 执行程序解释,
//! INV 财产调查规定, SX2017 失信名单规定, XF2015 限制消费规定, REFUSE 法释〔2024〕13号.

use chrono::{Months, NaiveDate};

use crate::calendar::{DayUnit, LegalCalendar};
use crate::error::{FieldError, RuleError};
use crate::id_number::IdNumber;
use crate::money::Fen;

/// A measure a court takes against a debtor (or a person the law names with it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeasureKind {
    /// 执行通知书 — CPLI art 480; EWR art 22; carries the 失信 risk warning (SX2017 art 5).
    EnforcementNotice,
    /// 报告财产令 — CPL art 252; INV arts 3–10 (issued with the notice in money cases).
    AssetReportOrder,
    /// 限制消费令 — XF2015 arts 1, 3–5, 9.
    ConsumptionRestriction,
    /// 纳入失信被执行人名单 — SX2017 arts 1–5.
    Dishonest,
    /// 拘传 — CPL art 112; CPLI art 482; INV art 15.
    Summons,
    /// 罚款 — CPL arts 114–118; CPLI art 193.
    Fine,
    /// 拘留 — CPL arts 114–118; CPLI art 180.
    Detention,
    /// 搜查 — CPL art 259; CPLI arts 494–498.
    Search,
    /// 限制出境 — CPL art 266; EPI arts 23–25 (carried out by a 协助执行通知书 to the exit-entry
    /// administration).
    ExitBan,
    /// 媒体公布不履行义务信息 — EPI art 26.
    MediaPublication,
}

impl MeasureKind {
    pub const ALL: [MeasureKind; 10] = [
        MeasureKind::EnforcementNotice,
        MeasureKind::AssetReportOrder,
        MeasureKind::ConsumptionRestriction,
        MeasureKind::Dishonest,
        MeasureKind::Summons,
        MeasureKind::Fine,
        MeasureKind::Detention,
        MeasureKind::Search,
        MeasureKind::ExitBan,
        MeasureKind::MediaPublication,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MeasureKind::EnforcementNotice => "enforcement_notice",
            MeasureKind::AssetReportOrder => "asset_report_order",
            MeasureKind::ConsumptionRestriction => "consumption_restriction",
            MeasureKind::Dishonest => "dishonest",
            MeasureKind::Summons => "summons",
            MeasureKind::Fine => "fine",
            MeasureKind::Detention => "detention",
            MeasureKind::Search => "search",
            MeasureKind::ExitBan => "exit_ban",
            MeasureKind::MediaPublication => "media_publication",
        }
    }

    pub fn from_str_opt(s: &str) -> Option<MeasureKind> {
        MeasureKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            MeasureKind::EnforcementNotice => "执行通知",
            MeasureKind::AssetReportOrder => "报告财产令",
            MeasureKind::ConsumptionRestriction => "限制消费",
            MeasureKind::Dishonest => "纳入失信被执行人名单",
            MeasureKind::Summons => "拘传",
            MeasureKind::Fine => "罚款",
            MeasureKind::Detention => "司法拘留",
            MeasureKind::Search => "搜查",
            MeasureKind::ExitBan => "限制出境",
            MeasureKind::MediaPublication => "媒体公布",
        }
    }

    /// The legal basis, cited in the UI and the audit record.
    pub fn source(self) -> &'static str {
        match self {
            MeasureKind::EnforcementNotice => "CPLI art 480; EWR art 22; SX2017 art 5",
            MeasureKind::AssetReportOrder => "CPL art 252; INV arts 3–10",
            MeasureKind::ConsumptionRestriction => "XF2015 arts 1, 3, 4, 5, 9",
            MeasureKind::Dishonest => "SX2017 arts 1–6",
            MeasureKind::Summons => "CPL art 112; CPLI art 482; INV art 15",
            MeasureKind::Fine => "CPL arts 114–119; CPLI art 193",
            MeasureKind::Detention => "CPL arts 114–119; CPLI art 180",
            MeasureKind::Search => "CPL art 259; CPLI arts 494–498",
            MeasureKind::ExitBan => "CPL art 266; EPI arts 23–25",
            MeasureKind::MediaPublication => "EPI art 26",
        }
    }

    /// Whether the 院长 must approve before the measure takes effect. CPL art 119 (拘传、罚款、
    /// 拘留 须经院长批准); CPL art 259 (搜查令由院长签发); XF2015 art 5 (限制消费令由院长签发);
    /// SX2017 art 5 (失信决定书由院长签发). 限制出境: the law names no approver; the stricter reading
    /// (院长, as for the other personal-liberty measures) is used and noted.
    pub fn needs_president_approval(self) -> bool {
        matches!(
            self,
            MeasureKind::ConsumptionRestriction
                | MeasureKind::Dishonest
                | MeasureKind::Summons
                | MeasureKind::Fine
                | MeasureKind::Detention
                | MeasureKind::Search
                | MeasureKind::ExitBan
        )
    }

    /// The legal document the measure produces (template id in `zhixing-docs`).
    pub fn document(self) -> Option<&'static str> {
        match self {
            MeasureKind::EnforcementNotice => Some("enforcement_notice"),
            MeasureKind::AssetReportOrder => Some("asset_report_order"),
            MeasureKind::ConsumptionRestriction => Some("consumption_restriction"),
            MeasureKind::Dishonest => Some("dishonest_decision"),
            MeasureKind::Summons => Some("summons"),
            MeasureKind::Fine => Some("fine_decision"),
            MeasureKind::Detention => Some("detention_decision"),
            MeasureKind::Search => Some("search_warrant"),
            MeasureKind::ExitBan => Some("assist_notice"),
            MeasureKind::MediaPublication => None,
        }
    }

    /// The process node the measure's effect records in the deadline engine, if any.
    pub fn process_node(self) -> Option<&'static str> {
        match self {
            MeasureKind::EnforcementNotice => Some("enforcement_notice"),
            MeasureKind::AssetReportOrder => Some("asset_report_order"),
            MeasureKind::ConsumptionRestriction => Some("consumption_restriction"),
            MeasureKind::Dishonest => Some("list_dishonest"),
            _ => None,
        }
    }

    /// Whether the measure binds the named persons of an entity debtor too (XF2015 art 3 para 2;
    /// EPI art 24).
    pub fn binds_entity_persons(self) -> bool {
        matches!(
            self,
            MeasureKind::ConsumptionRestriction | MeasureKind::ExitBan
        )
    }
}

/// The person or entity a measure is taken against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    Person {
        name: String,
        id_number: IdNumber,
    },
    Entity {
        name: String,
        credit_code: String,
        legal_representative: String,
    },
}

impl Subject {
    pub fn name(&self) -> &str {
        match self {
            Subject::Person { name, .. } | Subject::Entity { name, .. } => name,
        }
    }
    pub fn id_key(&self) -> &str {
        match self {
            Subject::Person { id_number, .. } => id_number.as_str(),
            Subject::Entity { credit_code, .. } => credit_code,
        }
    }
    pub fn kind(&self) -> &'static str {
        match self {
            Subject::Person { .. } => "person",
            Subject::Entity { .. } => "entity",
        }
    }
}

/// The role of a person bound with an entity debtor (XF2015 art 3 para 2: 法定代表人、主要负责人、
/// 影响债务履行的直接责任人员、实际控制人; EPI art 24 for 限制出境).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PersonRole {
    LegalRepresentative,
    PrincipalInCharge,
    DirectlyResponsible,
    ActualController,
}

impl PersonRole {
    pub fn name_zh(self) -> &'static str {
        match self {
            PersonRole::LegalRepresentative => "法定代表人",
            PersonRole::PrincipalInCharge => "主要负责人",
            PersonRole::DirectlyResponsible => "影响债务履行的直接责任人员",
            PersonRole::ActualController => "实际控制人",
        }
    }
}

/// A named person bound by a 限制消费令 or 限制出境 of an entity.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BoundPerson {
    pub role: PersonRole,
    pub name: String,
    pub id_number: String,
}

/// The six grounds of SX2017 art 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum DishonestGround {
    /// (1) 有履行能力而拒不履行生效法律文书确定义务
    AbleButRefuses = 1,
    /// (2) 以伪造证据、暴力、威胁等方法妨碍、抗拒执行
    Obstructs = 2,
    /// (3) 以虚假诉讼、虚假仲裁或者以隐匿、转移财产等方法规避执行
    Evades = 3,
    /// (4) 违反财产报告制度
    ViolatesAssetReport = 4,
    /// (5) 违反限制消费令
    ViolatesRestriction = 5,
    /// (6) 无正当理由拒不履行执行和解协议
    BreaksSettlement = 6,
}

impl DishonestGround {
    pub fn from_number(n: i64) -> Option<DishonestGround> {
        Some(match n {
            1 => DishonestGround::AbleButRefuses,
            2 => DishonestGround::Obstructs,
            3 => DishonestGround::Evades,
            4 => DishonestGround::ViolatesAssetReport,
            5 => DishonestGround::ViolatesRestriction,
            6 => DishonestGround::BreaksSettlement,
            _ => return None,
        })
    }
    pub fn number(self) -> i64 {
        match self {
            DishonestGround::AbleButRefuses => 1,
            DishonestGround::Obstructs => 2,
            DishonestGround::Evades => 3,
            DishonestGround::ViolatesAssetReport => 4,
            DishonestGround::ViolatesRestriction => 5,
            DishonestGround::BreaksSettlement => 6,
        }
    }
    /// The published 失信行为具体情形 (SX2017 art 6).
    pub fn conduct_zh(self) -> &'static str {
        match self {
            DishonestGround::AbleButRefuses => "有履行能力而拒不履行生效法律文书确定义务",
            DishonestGround::Obstructs => "以伪造证据、暴力、威胁等方法妨碍、抗拒执行",
            DishonestGround::Evades => "以虚假诉讼、虚假仲裁或者以隐匿、转移财产等方法规避执行",
            DishonestGround::ViolatesAssetReport => "违反财产报告制度",
            DishonestGround::ViolatesRestriction => "违反限制消费令",
            DishonestGround::BreaksSettlement => "无正当理由拒不履行执行和解协议",
        }
    }
}

/// What the proposer states for each kind; validated by [`validate`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MeasureParams {
    /// 罚款 amount.
    pub amount: Option<Fen>,
    /// 拘留 days.
    pub days: Option<u32>,
    /// 拘传 hours of questioning.
    pub hours: Option<u32>,
    /// 拘传: detention may follow (CPLI art 482: then up to 24 h).
    pub detention_possible: bool,
    /// 拘传: the day the person was lawfully summoned (传唤) to appear and did not come; 拘传
    /// follows only 「经依法传唤无正当理由拒不到场」 (CPLI art 482).
    pub summoned_for: Option<NaiveDate>,
    /// 失信 ground (SX2017 art 1).
    pub ground: Option<i64>,
    /// 失信: extension of the 2-year term by 1–3 years for serious violence/threats or several
    /// grounds (SX2017 art 2).
    pub extra_years: Option<u32>,
    /// 失信/限制消费 grace period (宽限期) in months, 1–3 (善意文明执行意见 2019).
    pub grace_months: Option<u32>,
    /// 失信 ground (1) exceptions (SX2017 art 3): adequate security / seized assets suffice.
    pub security_provided: bool,
    pub seized_assets_sufficient: bool,
    /// Measure on the applicant's written application (else ex officio).
    pub on_application: bool,
    /// Date of an earlier deletion on the applicant's own request (SX2017 art 10 para 2).
    pub applicant_deleted_on: Option<NaiveDate>,
    /// Persons bound with an entity (限制消费, 限制出境).
    pub persons: Vec<BoundPerson>,
    /// 拘传 time/place, 搜查 place, media outlet, the facts.
    pub place: Option<String>,
    pub reason: String,
}

/// The validated plan: what the app stores and the engine times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeasurePlan {
    pub kind: MeasureKind,
    pub needs_approval: bool,
    pub document: Option<&'static str>,
    pub amount: Option<Fen>,
    /// Term of a 失信 entry: `None` = until performance (ground 1) or no term (other kinds).
    pub term_years: Option<u32>,
    pub grace_months: u32,
    pub conduct: Option<&'static str>,
}

/// Upper bound of a fine on an individual: 10 万元 (CPL art 118).
pub const FINE_PERSON_MAX: Fen = Fen::new(100_000 * 100);
/// Bounds of a fine on an entity: 5 万 – 100 万元 (CPL art 118).
pub const FINE_ENTITY_MIN: Fen = Fen::new(50_000 * 100);
pub const FINE_ENTITY_MAX: Fen = Fen::new(1_000_000 * 100);
/// 拘留 at most 15 days (CPL art 118).
pub const DETENTION_MAX_DAYS: u32 = 15;
/// 拘传 questioning: 8 h, 24 h when detention may follow (CPLI art 482).
pub const SUMMONS_MAX_HOURS: u32 = 8;
pub const SUMMONS_MAX_HOURS_DETENTION: u32 = 24;
/// 失信 term for grounds (2)–(6): 2 years, extendable by 1–3 years (SX2017 art 2).
pub const DISHONEST_TERM_YEARS: u32 = 2;
/// A listing request within 6 months of an applicant-requested deletion is not supported
/// (SX2017 art 10 para 2).
pub const RELIST_BAR_MONTHS: u32 = 6;
/// Deletion, correction: within 3 working days (SX2017 arts 10, 12).
pub const DELETE_WORKING_DAYS: u32 = 3;

fn bad(code: &'static str, field: &str, msg: impl Into<String>) -> FieldError {
    FieldError::new(code, field, msg)
}

/// Check a proposed measure against its legal conditions, on `today`.
pub fn validate(
    kind: MeasureKind,
    subject: &Subject,
    p: &MeasureParams,
    today: NaiveDate,
) -> Result<MeasurePlan, FieldError> {
    let mut plan = MeasurePlan {
        kind,
        needs_approval: kind.needs_president_approval(),
        document: kind.document(),
        amount: None,
        term_years: None,
        grace_months: 0,
        conduct: None,
    };
    if p.reason.chars().count() > 2000 {
        return Err(bad("too_long", "reason", "事实与理由不超过 2000 字"));
    }
    match kind {
        MeasureKind::Fine => {
            let amount = p
                .amount
                .ok_or_else(|| bad("required", "amount", "须填写罚款金额"))?;
            match subject {
                Subject::Person { .. } => {
                    if amount.get() <= 0 || amount > FINE_PERSON_MAX {
                        return Err(bad(
                            "fine_limit",
                            "amount",
                            format!(
                                "对个人的罚款金额应在 0 元以上、{} 以下（民事诉讼法第一百一十八条）",
                                FINE_PERSON_MAX.format_yuan()
                            ),
                        ));
                    }
                }
                Subject::Entity { .. } => {
                    if amount < FINE_ENTITY_MIN || amount > FINE_ENTITY_MAX {
                        return Err(bad(
                            "fine_limit",
                            "amount",
                            format!(
                                "对单位的罚款金额应为 {} 至 {}（民事诉讼法第一百一十八条）",
                                FINE_ENTITY_MIN.format_yuan(),
                                FINE_ENTITY_MAX.format_yuan()
                            ),
                        ));
                    }
                }
            }
            require_reason(p)?;
            plan.amount = Some(amount);
        }
        MeasureKind::Detention => {
            person_only(subject, kind)?;
            let days = p
                .days
                .ok_or_else(|| bad("required", "days", "须填写拘留天数"))?;
            if days == 0 || days > DETENTION_MAX_DAYS {
                return Err(bad(
                    "detention_limit",
                    "days",
                    "拘留期限为 1 至 15 日（民事诉讼法第一百一十八条）",
                ));
            }
            require_reason(p)?;
        }
        MeasureKind::Summons => {
            person_only(subject, kind)?;
            let hours = p
                .hours
                .ok_or_else(|| bad("required", "hours", "须填写拘传询问时间（小时）"))?;
            let max = if p.detention_possible {
                SUMMONS_MAX_HOURS_DETENTION
            } else {
                SUMMONS_MAX_HOURS
            };
            if hours == 0 || hours > max {
                return Err(bad(
                    "summons_limit",
                    "hours",
                    format!(
                        "拘传询问不得超过 {max} 小时（民诉法解释第四百八十二条：一般 8 小时，可能采取拘留措施的 24 小时）"
                    ),
                ));
            }
            require_place(p, "place", "须填写拘传到达的时间和地点")?;
            // CPLI art 482: only one who was lawfully summoned and stayed away without good
            // reason; the missed day has come (the stricter reading: it must be stated).
            let summoned = p.summoned_for.ok_or_else(|| {
                bad(
                    "summons_first",
                    "summoned_for",
                    "拘传以经依法传唤无正当理由拒不到场为前提（民诉法解释第四百八十二条），须填写传唤应到日期",
                )
            })?;
            if summoned > today {
                return Err(bad(
                    "summons_first",
                    "summoned_for",
                    format!("传唤应到日期 {summoned} 尚未到来，不能以拒不到场为由拘传"),
                ));
            }
            require_reason(p)?;
        }
        MeasureKind::Search => {
            require_place(p, "place", "须填写搜查地点（民事诉讼法第二百五十九条）")?;
            require_reason(p)?;
        }
        MeasureKind::MediaPublication => {
            require_place(p, "place", "须填写公布的媒体")?;
        }
        MeasureKind::Dishonest => {
            not_minor(subject, today)?;
            let ground_no = p
                .ground
                .ok_or_else(|| bad("required", "ground", "须选择失信情形（第一至六项）"))?;
            let ground = DishonestGround::from_number(ground_no).ok_or_else(|| {
                bad(
                    "dishonest_ground",
                    "ground",
                    "失信情形应为《关于公布失信被执行人名单信息的若干规定》第一条第一至六项之一",
                )
            })?;
            if ground == DishonestGround::AbleButRefuses
                && (p.security_provided || p.seized_assets_sufficient)
            {
                return Err(bad(
                    "dishonest_exception",
                    "ground",
                    "已提供充分有效担保或已查封、扣押、冻结的财产足以清偿的，不得依第一条第一项纳入失信名单（SX2017 第三条）",
                ));
            }
            if p.on_application
                && let Some(deleted) = p.applicant_deleted_on
                && deleted
                    .checked_add_months(Months::new(RELIST_BAR_MONTHS))
                    .is_some_and(|bar| today < bar)
            {
                return Err(bad(
                    "relist_barred",
                    "on_application",
                    format!(
                        "申请执行人申请删除失信信息（{deleted}）后六个月内再次申请纳入的，不予支持（SX2017 第十条第二款）"
                    ),
                ));
            }
            plan.term_years = match (ground, p.extra_years) {
                (DishonestGround::AbleButRefuses, Some(_)) => {
                    return Err(bad(
                        "dishonest_term",
                        "extra_years",
                        "依第一项纳入的不设期限（至履行完毕），不能延长",
                    ));
                }
                (DishonestGround::AbleButRefuses, None) => None,
                (_, None) => Some(DISHONEST_TERM_YEARS),
                (_, Some(extra @ 1..=3)) => Some(DISHONEST_TERM_YEARS + extra),
                (_, Some(_)) => {
                    return Err(bad(
                        "dishonest_term",
                        "extra_years",
                        "失信期限可延长一至三年（SX2017 第二条）",
                    ));
                }
            };
            plan.grace_months = grace(p)?;
            plan.conduct = Some(ground.conduct_zh());
        }
        MeasureKind::ConsumptionRestriction | MeasureKind::ExitBan => {
            if let Subject::Entity { .. } = subject {
                if p.persons.is_empty() {
                    return Err(bad(
                        "persons_required",
                        "persons",
                        "单位被执行人须列明法定代表人、主要负责人、影响债务履行的直接责任人员或实际控制人（限制消费规定第三条第二款；执行程序解释第二十四条）",
                    ));
                }
                for (i, person) in p.persons.iter().enumerate() {
                    if person.name.trim().is_empty() || person.name.chars().count() > 50 {
                        return Err(bad(
                            "required",
                            &format!("persons[{i}].name"),
                            "须填写姓名（50 字以内）",
                        ));
                    }
                    IdNumber::parse(&person.id_number, today)
                        .map_err(|e| e.at(format!("persons[{i}].id_number")))?;
                }
            } else if !p.persons.is_empty() {
                return Err(bad(
                    "persons_entity_only",
                    "persons",
                    "只有单位被执行人才列明其相关人员",
                ));
            }
            if kind == MeasureKind::ConsumptionRestriction {
                plan.grace_months = grace(p)?;
            }
        }
        MeasureKind::EnforcementNotice | MeasureKind::AssetReportOrder => {}
    }
    Ok(plan)
}

fn require_reason(p: &MeasureParams) -> Result<(), FieldError> {
    if p.reason.trim().is_empty() {
        return Err(bad("required", "reason", "须写明事实与理由"));
    }
    Ok(())
}

fn require_place(p: &MeasureParams, field: &str, msg: &str) -> Result<(), FieldError> {
    match &p.place {
        Some(s) if !s.trim().is_empty() && s.chars().count() <= 200 => Ok(()),
        _ => Err(bad("required", field, format!("{msg}（200 字以内）"))),
    }
}

fn person_only(subject: &Subject, kind: MeasureKind) -> Result<(), FieldError> {
    match subject {
        Subject::Person { .. } => Ok(()),
        Subject::Entity { .. } => Err(bad(
            "person_only",
            "subject",
            format!(
                "{}只能对自然人采取；对单位，应对其主要负责人或者直接责任人员采取（民事诉讼法第一百一十八条）",
                kind.name_zh()
            ),
        )),
    }
}

/// SX2017 art 4: 被执行人为未成年人的，不得纳入失信名单.
fn not_minor(subject: &Subject, today: NaiveDate) -> Result<(), FieldError> {
    if let Subject::Person { id_number, .. } = subject
        && id_number.age_on(today) < 18
    {
        return Err(bad(
            "dishonest_minor",
            "subject",
            "被执行人为未成年人的，不得纳入失信被执行人名单（SX2017 第四条）",
        ));
    }
    Ok(())
}

fn grace(p: &MeasureParams) -> Result<u32, FieldError> {
    match p.grace_months {
        None | Some(0) => Ok(0),
        Some(m @ 1..=3) => Ok(m),
        Some(_) => Err(bad(
            "grace_period",
            "grace_months",
            "宽限期为一至三个月（最高人民法院关于在执行工作中进一步强化善意文明执行理念的意见，2019）",
        )),
    }
}

/// The dates of a decided 失信/限制消费 measure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// The decision takes effect when made (SX2017 art 5).
    pub effective_on: NaiveDate,
    /// Publication (and the restriction's start) after the grace period, if any.
    pub publish_on: NaiveDate,
    /// Term end (失信 grounds 2–6), counted from the publication date.
    pub expires_on: Option<NaiveDate>,
}

/// Dates of a plan decided on `decided_on`.
pub fn term(plan: &MeasurePlan, decided_on: NaiveDate) -> Term {
    let publish_on = decided_on
        .checked_add_months(Months::new(plan.grace_months))
        .unwrap_or(decided_on);
    let expires_on = plan
        .term_years
        .and_then(|y| publish_on.checked_add_months(Months::new(y.saturating_mul(12))));
    Term {
        effective_on: decided_on,
        publish_on,
        expires_on,
    }
}

/// Why a measure ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndGround {
    /// 履行完毕 / 执行完毕: SX2017 art 10(1) (must delete); XF2015 art 9 (must lift); EPI art 25.
    FullPerformance,
    /// 执行和解协议履行完毕: SX2017 art 10(2).
    SettlementPerformed,
    /// 申请执行人书面申请删除/同意解除: SX2017 art 10(3); XF2015 art 9 (may lift).
    ApplicantRequest,
    /// 终本后两次查控无财产且无线索: SX2017 art 10(4).
    NoAssetsAfterTermination,
    /// 因审判监督或破产程序中止执行: SX2017 art 10(5).
    SuspendedRetrialBankruptcy,
    /// 不予执行: SX2017 art 10(6).
    NotEnforced,
    /// 终结执行: SX2017 art 10(7).
    Terminated,
    /// 期限届满: SX2017 art 10 para 2 (delete within 3 working days of expiry).
    TermExpired,
    /// 纠正: should not have been listed (SX2017 arts 11–12).
    Corrected,
    /// 提供有效担保: XF2015 art 9; EPI art 25 (may lift).
    Security,
    /// 拘留: 提前解除 (admits and corrects, rules.md §7: CPL art 118; CPLI art 180 [V]) or served.
    EarlyRelease,
    Served,
}

impl EndGround {
    pub const ALL: [EndGround; 12] = [
        EndGround::FullPerformance,
        EndGround::SettlementPerformed,
        EndGround::ApplicantRequest,
        EndGround::NoAssetsAfterTermination,
        EndGround::SuspendedRetrialBankruptcy,
        EndGround::NotEnforced,
        EndGround::Terminated,
        EndGround::TermExpired,
        EndGround::Corrected,
        EndGround::Security,
        EndGround::EarlyRelease,
        EndGround::Served,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            EndGround::FullPerformance => "full_performance",
            EndGround::SettlementPerformed => "settlement_performed",
            EndGround::ApplicantRequest => "applicant_request",
            EndGround::NoAssetsAfterTermination => "no_assets_after_termination",
            EndGround::SuspendedRetrialBankruptcy => "suspended_retrial_bankruptcy",
            EndGround::NotEnforced => "not_enforced",
            EndGround::Terminated => "terminated",
            EndGround::TermExpired => "term_expired",
            EndGround::Corrected => "corrected",
            EndGround::Security => "security",
            EndGround::EarlyRelease => "early_release",
            EndGround::Served => "served",
        }
    }
    pub fn from_str_opt(s: &str) -> Option<EndGround> {
        EndGround::ALL.into_iter().find(|g| g.as_str() == s)
    }
    pub fn name_zh(self) -> &'static str {
        match self {
            EndGround::FullPerformance => "全部履行完毕",
            EndGround::SettlementPerformed => "执行和解协议履行完毕",
            EndGround::ApplicantRequest => "申请执行人书面申请（同意）",
            EndGround::NoAssetsAfterTermination => "终本后两次网络查控无财产且无线索",
            EndGround::SuspendedRetrialBankruptcy => "因审判监督或破产程序中止执行",
            EndGround::NotEnforced => "人民法院裁定不予执行",
            EndGround::Terminated => "人民法院裁定终结执行",
            EndGround::TermExpired => "失信期限届满",
            EndGround::Corrected => "经纠正不应纳入",
            EndGround::Security => "提供有效担保",
            EndGround::EarlyRelease => "提前解除拘留",
            EndGround::Served => "拘留期满",
        }
    }
}

/// Which end grounds apply to a kind, and whether the court MUST end the measure on that ground.
/// Returns `None` when the ground does not apply.
pub fn end_rule(kind: MeasureKind, ground: EndGround) -> Option<EndRule> {
    use EndGround::*;
    match kind {
        // SX2017 art 10: the seven deletion grounds, term expiry; arts 11–12 correction. All
        // deletions are due within 3 working days.
        MeasureKind::Dishonest => match ground {
            FullPerformance
            | SettlementPerformed
            | ApplicantRequest
            | NoAssetsAfterTermination
            | SuspendedRetrialBankruptcy
            | NotEnforced
            | Terminated
            | TermExpired
            | Corrected => Some(EndRule {
                mandatory: true,
                within_working_days: Some(DELETE_WORKING_DAYS),
                source: "SX2017 art 10; arts 11–12",
            }),
            _ => None,
        },
        // XF2015 art 9 / EPI art 25: must lift on full performance; may lift on security or the
        // applicant's consent. 3 working days is not in the text: the stricter reading applies the
        // 失信 deletion period to the must-lift case and is noted.
        MeasureKind::ConsumptionRestriction | MeasureKind::ExitBan => match ground {
            FullPerformance => Some(EndRule {
                mandatory: true,
                within_working_days: Some(DELETE_WORKING_DAYS),
                source: "XF2015 art 9; EPI art 25 (3 working days: stricter reading of SX2017 art 10)",
            }),
            Security | ApplicantRequest => Some(EndRule {
                mandatory: false,
                within_working_days: None,
                source: "XF2015 art 9; EPI art 25",
            }),
            Terminated | NotEnforced | SettlementPerformed => Some(EndRule {
                mandatory: true,
                within_working_days: Some(DELETE_WORKING_DAYS),
                source: "XF2015 art 9 (obligation ended); stricter reading",
            }),
            _ => None,
        },
        MeasureKind::Detention => match ground {
            EarlyRelease | Served => Some(EndRule {
                mandatory: false,
                within_working_days: None,
                source: "CPL art 118; CPLI art 180 (early release, rules.md §7) [V]",
            }),
            _ => None,
        },
        _ => None,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EndRule {
    pub mandatory: bool,
    pub within_working_days: Option<u32>,
    pub source: &'static str,
}

/// The last day on which the court must end (delete/lift) the measure after the ground arose on
/// `ground_on`: 3 working days (SX2017 art 10), skipping holidays and counting 调休 days.
pub fn end_due(
    rule: &EndRule,
    ground_on: NaiveDate,
    cal: &LegalCalendar,
) -> Result<Option<NaiveDate>, RuleError> {
    match rule.within_working_days {
        Some(n) => cal.period_end(ground_on, n, DayUnit::WorkingDays).map(Some),
        None => Ok(None),
    }
}

/// Default ID-number mask of the public portal: birth month and day hidden, as the national
/// portal shows them (`5111231985****0270`). `#` keeps a character, `*` masks it.
pub const DEFAULT_ID_MASK: &str = "##########****####";

/// Check a mask pattern: 18 characters of `#` and `*`, masking at least 4.
pub fn parse_mask(pattern: &str) -> Result<String, RuleError> {
    let ok = pattern.chars().count() == 18
        && pattern.chars().all(|c| c == '#' || c == '*')
        && pattern.chars().filter(|&c| c == '*').count() >= 4;
    if ok {
        Ok(pattern.to_owned())
    } else {
        Err(RuleError::new(
            "id_mask_pattern",
            "身份证号遮蔽规则应为 18 个字符，# 表示保留、* 表示遮蔽，至少遮蔽 4 位",
        ))
    }
}

/// Mask a resident ID number for anonymous readers. Anything that is not an 18-character ID
/// (a credit code of an entity, which is public information under SX2017 art 6) is returned as is.
pub fn mask_id(id: &str, pattern: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    let pat: Vec<char> = pattern.chars().collect();
    let is_person = chars.len() == 18
        && chars
            .get(..17)
            .is_some_and(|b| b.iter().all(|c| c.is_ascii_digit()));
    if !is_person || pat.len() != 18 {
        return id.to_owned();
    }
    chars
        .iter()
        .zip(pat.iter())
        .map(|(c, p)| if *p == '*' { '*' } else { *c })
        .collect()
}

/// Sex and birth date of a person for the published entry (SX2017 art 6: 性别、年龄); `None` for
/// an entity's code or an unreadable number.
pub fn sex_and_birth(id: &str, on: NaiveDate) -> Option<(&'static str, NaiveDate)> {
    let id = IdNumber::parse(id, on).ok()?;
    Some((id.sex().name_zh(), id.birth_date()))
}

/// A name query of the public portal: 2–50 characters, no wildcard enumeration (issue 4 §3).
pub fn validate_public_name(q: &str) -> Result<String, RuleError> {
    let q = q.trim();
    let n = q.chars().count();
    if !(2..=50).contains(&n) {
        return Err(RuleError::new("name_length", "姓名或名称应为 2 至 50 个字"));
    }
    if q.chars()
        .any(|c| matches!(c, '%' | '*' | '_' | '?' | '<' | '>' | '\\') || c.is_control())
    {
        return Err(RuleError::new(
            "name_wildcard",
            "姓名或名称不能含通配符或特殊字符",
        ));
    }
    Ok(q.to_owned())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn person(birth: &str) -> Subject {
        let b = d(birth);
        Subject::Person {
            name: "张三".into(),
            id_number: IdNumber::from_parts("511123", b, 27).unwrap(),
        }
    }

    fn entity() -> Subject {
        Subject::Entity {
            name: "四川某某建设工程有限公司".into(),
            credit_code: "91511123MA62A1B2C3".into(),
            legal_representative: "李四".into(),
        }
    }

    #[test]
    fn a_minor_cannot_be_listed() {
        let today = d("2026-11-22");
        let p = MeasureParams {
            ground: Some(4),
            ..Default::default()
        };
        let err = validate(MeasureKind::Dishonest, &person("2009-01-01"), &p, today).unwrap_err();
        assert_eq!(err.code, "dishonest_minor");
        // The day of the 18th birthday the person is an adult.
        let ok = validate(MeasureKind::Dishonest, &person("2008-11-22"), &p, today).unwrap();
        assert_eq!(ok.term_years, Some(2));
        let err = validate(MeasureKind::Dishonest, &person("2008-11-23"), &p, today).unwrap_err();
        assert_eq!(err.code, "dishonest_minor");
    }

    #[test]
    fn dishonest_terms_and_exceptions() {
        let today = d("2026-11-22");
        let s = person("1985-03-02");
        let mut p = MeasureParams {
            ground: Some(1),
            ..Default::default()
        };
        let plan = validate(MeasureKind::Dishonest, &s, &p, today).unwrap();
        assert_eq!(plan.term_years, None, "ground (1) lasts until performance");
        assert!(plan.needs_approval);
        p.extra_years = Some(1);
        assert_eq!(
            validate(MeasureKind::Dishonest, &s, &p, today)
                .unwrap_err()
                .code,
            "dishonest_term"
        );
        p.extra_years = None;
        p.security_provided = true;
        assert_eq!(
            validate(MeasureKind::Dishonest, &s, &p, today)
                .unwrap_err()
                .code,
            "dishonest_exception"
        );
        p.ground = Some(2);
        p.extra_years = Some(3);
        assert_eq!(
            validate(MeasureKind::Dishonest, &s, &p, today)
                .unwrap()
                .term_years,
            Some(5)
        );
        p.extra_years = Some(4);
        assert_eq!(
            validate(MeasureKind::Dishonest, &s, &p, today)
                .unwrap_err()
                .code,
            "dishonest_term"
        );
        p.extra_years = None;
        p.ground = Some(7);
        assert_eq!(
            validate(MeasureKind::Dishonest, &s, &p, today)
                .unwrap_err()
                .code,
            "dishonest_ground"
        );
        // Grace period 1–3 months moves publication and the term.
        p.ground = Some(4);
        p.grace_months = Some(2);
        let plan = validate(MeasureKind::Dishonest, &s, &p, today).unwrap();
        let t = term(&plan, d("2026-01-31"));
        assert_eq!(t.effective_on, d("2026-01-31"));
        assert_eq!(t.publish_on, d("2026-03-31"));
        assert_eq!(t.expires_on, Some(d("2028-03-31")));
        p.grace_months = Some(4);
        assert_eq!(
            validate(MeasureKind::Dishonest, &s, &p, today)
                .unwrap_err()
                .code,
            "grace_period"
        );
    }

    #[test]
    fn relisting_within_six_months_of_applicant_deletion_is_refused() {
        let s = person("1985-03-02");
        let p = MeasureParams {
            ground: Some(4),
            on_application: true,
            applicant_deleted_on: Some(d("2026-06-01")),
            ..Default::default()
        };
        assert_eq!(
            validate(MeasureKind::Dishonest, &s, &p, d("2026-11-30"))
                .unwrap_err()
                .code,
            "relist_barred"
        );
        assert!(validate(MeasureKind::Dishonest, &s, &p, d("2026-12-01")).is_ok());
        // Ex officio listing is not barred.
        let ex = MeasureParams {
            on_application: false,
            ..p
        };
        assert!(validate(MeasureKind::Dishonest, &s, &ex, d("2026-07-01")).is_ok());
    }

    #[test]
    fn fine_limits() {
        let today = d("2026-11-22");
        let mut p = MeasureParams {
            amount: Some(Fen::from_yuan(100_000).unwrap()),
            reason: "隐藏已被查封的车辆".into(),
            ..Default::default()
        };
        assert!(validate(MeasureKind::Fine, &person("1985-03-02"), &p, today).is_ok());
        p.amount = Some(Fen::new(10_000_001));
        let e = validate(MeasureKind::Fine, &person("1985-03-02"), &p, today).unwrap_err();
        assert_eq!((e.code, e.field.as_str()), ("fine_limit", "amount"));
        // Entity: 5万–100万.
        p.amount = Some(Fen::from_yuan(49_999).unwrap());
        assert_eq!(
            validate(MeasureKind::Fine, &entity(), &p, today)
                .unwrap_err()
                .code,
            "fine_limit"
        );
        p.amount = Some(Fen::from_yuan(1_000_000).unwrap());
        assert!(validate(MeasureKind::Fine, &entity(), &p, today).is_ok());
        p.amount = Some(Fen::new(100_000_001));
        assert!(validate(MeasureKind::Fine, &entity(), &p, today).is_err());
        p.amount = Some(Fen::ZERO);
        assert!(validate(MeasureKind::Fine, &person("1985-03-02"), &p, today).is_err());
    }

    #[test]
    fn detention_and_summons_limits() {
        let today = d("2026-11-22");
        let s = person("1985-03-02");
        let mut p = MeasureParams {
            days: Some(15),
            reason: "暴力抗拒执行".into(),
            ..Default::default()
        };
        assert!(validate(MeasureKind::Detention, &s, &p, today).is_ok());
        p.days = Some(16);
        assert_eq!(
            validate(MeasureKind::Detention, &s, &p, today)
                .unwrap_err()
                .code,
            "detention_limit"
        );
        p.days = Some(5);
        assert_eq!(
            validate(MeasureKind::Detention, &entity(), &p, today)
                .unwrap_err()
                .code,
            "person_only"
        );
        let mut q = MeasureParams {
            hours: Some(9),
            place: Some("犍为县人民法院执行局".into()),
            reason: "经传唤无正当理由拒不到场".into(),
            summoned_for: Some(d("2026-11-20")),
            ..Default::default()
        };
        assert_eq!(
            validate(MeasureKind::Summons, &s, &q, today)
                .unwrap_err()
                .code,
            "summons_limit"
        );
        q.detention_possible = true;
        assert!(validate(MeasureKind::Summons, &s, &q, today).is_ok());
        // CPLI art 482: only after a lawful summons that was not answered.
        let not_summoned = MeasureParams {
            summoned_for: None,
            ..q.clone()
        };
        let e = validate(MeasureKind::Summons, &s, &not_summoned, today).unwrap_err();
        assert_eq!(
            (e.code, e.field.as_str()),
            ("summons_first", "summoned_for")
        );
        let ahead = MeasureParams {
            summoned_for: Some(d("2026-11-23")),
            ..q.clone()
        };
        let e = validate(MeasureKind::Summons, &s, &ahead, today).unwrap_err();
        assert_eq!(
            (e.code, e.field.as_str()),
            ("summons_first", "summoned_for")
        );
        q.hours = Some(25);
        assert!(validate(MeasureKind::Summons, &s, &q, today).is_err());
    }

    #[test]
    fn entity_restriction_names_its_persons() {
        let today = d("2026-11-22");
        let mut p = MeasureParams::default();
        assert_eq!(
            validate(MeasureKind::ConsumptionRestriction, &entity(), &p, today)
                .unwrap_err()
                .code,
            "persons_required"
        );
        let id = IdNumber::from_parts("511123", d("1970-05-06"), 11).unwrap();
        p.persons = vec![BoundPerson {
            role: PersonRole::LegalRepresentative,
            name: "李四".into(),
            id_number: id.as_str().into(),
        }];
        let plan = validate(MeasureKind::ConsumptionRestriction, &entity(), &p, today).unwrap();
        assert!(plan.needs_approval);
        p.persons[0].id_number = "511123197005061234".into();
        let e = validate(MeasureKind::ConsumptionRestriction, &entity(), &p, today).unwrap_err();
        assert_eq!(e.field, "persons[0].id_number");
    }

    #[test]
    fn approval_where_the_law_says() {
        use MeasureKind::*;
        for k in MeasureKind::ALL {
            let expect = matches!(
                k,
                Summons | Fine | Detention | Search | ConsumptionRestriction | Dishonest | ExitBan
            );
            assert_eq!(k.needs_president_approval(), expect, "{k:?}");
            assert_eq!(MeasureKind::from_str_opt(k.as_str()), Some(k));
        }
    }

    #[test]
    fn deletion_is_due_three_working_days_after_full_performance_skipping_holidays() {
        let cal = LegalCalendar::builtin();
        let rule = end_rule(MeasureKind::Dishonest, EndGround::FullPerformance).unwrap();
        assert!(rule.mandatory);
        // Performed on Tuesday 2025-09-30: 1–8 Oct 2025 are 国庆/中秋 holidays; 28 Sep and 11 Oct
        // are 调休 working days. 3 working days after 30 Sep: 9, 10, 11 Oct.
        assert_eq!(
            end_due(&rule, d("2025-09-30"), cal).unwrap(),
            Some(d("2025-10-11"))
        );
        // An ordinary week: Monday → Thursday.
        assert_eq!(
            end_due(&rule, d("2025-11-17"), cal).unwrap(),
            Some(d("2025-11-20"))
        );
        // Friday → Wednesday.
        assert_eq!(
            end_due(&rule, d("2025-11-21"), cal).unwrap(),
            Some(d("2025-11-26"))
        );
        // A 限制消费令 may (not must) be lifted on security.
        let may = end_rule(MeasureKind::ConsumptionRestriction, EndGround::Security).unwrap();
        assert!(!may.mandatory);
        assert!(end_rule(MeasureKind::Fine, EndGround::FullPerformance).is_none());
    }

    #[test]
    fn masking() {
        assert_eq!(
            mask_id("511123198503020270", DEFAULT_ID_MASK),
            "5111231985****0270"
        );
        assert_eq!(
            mask_id("91511123MA62A1B2C3", DEFAULT_ID_MASK),
            "91511123MA62A1B2C3"
        );
        let p = parse_mask("######********####").unwrap();
        assert_eq!(mask_id("511123198503020270", &p), "511123********0270");
        assert!(parse_mask("##########*****###X").is_err());
        assert!(parse_mask("################**").is_err());
    }

    #[test]
    fn published_sex_and_birth() {
        let id = IdNumber::from_parts("511123", d("1985-03-02"), 27).unwrap();
        let (sex, birth) = sex_and_birth(id.as_str(), d("2026-11-22")).unwrap();
        assert_eq!(birth, d("1985-03-02"));
        assert_eq!(sex, id.sex().name_zh());
        assert!(sex_and_birth("91511123MA62A1B2C3", d("2026-11-22")).is_none());
    }

    #[test]
    fn public_name_queries() {
        assert_eq!(validate_public_name(" 张伟 ").unwrap(), "张伟");
        assert_eq!(validate_public_name("张").unwrap_err().code, "name_length");
        assert_eq!(
            validate_public_name("张%").unwrap_err().code,
            "name_wildcard"
        );
        assert_eq!(
            validate_public_name(&"张".repeat(51)).unwrap_err().code,
            "name_length"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// 复议 of a fine or a detention (CPL art 119; CPLI arts 185–186).

/// Days after receiving the 罚款/拘留决定书 within which the person may apply for 复议 to the
/// next-higher court — CPLI art 185 (「应当自收到决定书之日起三日内提出」). Source: the text as
/// quoted by legal reference sites (e.g. m.64365.com/zs/1068861.aspx), not checked against the
/// official gazette; rules.md §7 has only CPL art 119 (one 复议, no stay).
pub const REVIEW_APPLY_DAYS: u32 = 3;

/// Days the higher court has to decide after receiving the application — CPLI art 185
/// (「上级人民法院应当在收到复议申请后五日内作出决定」), same source.
pub const REVIEW_DECIDE_DAYS: u32 = 5;

/// Whether a measure's decision can go to 复议 under CPL art 119 (罚款 and 拘留 by 决定书).
pub fn reviewable(kind: MeasureKind) -> bool {
    matches!(kind, MeasureKind::Fine | MeasureKind::Detention)
}

/// Last day to apply for 复议 after receiving the decision on `received_on` (the day of receipt
/// is not counted; a last day on a holiday moves to the next working day — CPL art 85).
pub fn review_apply_by(
    received_on: NaiveDate,
    cal: &LegalCalendar,
) -> Result<NaiveDate, RuleError> {
    cal.period_end(received_on, REVIEW_APPLY_DAYS, DayUnit::CalendarDays)
}

/// Day by which the higher court must decide an application received on `applied_on`.
pub fn review_decide_by(
    applied_on: NaiveDate,
    cal: &LegalCalendar,
) -> Result<NaiveDate, RuleError> {
    cal.period_end(applied_on, REVIEW_DECIDE_DAYS, DayUnit::CalendarDays)
}

/// Day by which a justified correction must be made, counted from the decision that found it
/// justified (the court's own, or the higher court's on 复议): 3 working days (SX2017 art 12).
pub fn correct_by(decided_on: NaiveDate, cal: &LegalCalendar) -> Result<NaiveDate, RuleError> {
    cal.period_end(decided_on, DELETE_WORKING_DAYS, DayUnit::WorkingDays)
}

/// What a higher court may put in place of a fine or detention it finds improper on 复议 (CPLI
/// art 185: 撤销或者变更): a lower amount or fewer days, still within the legal limits of the
/// kind and subject (CPL art 118). A 复议 is the person's remedy, so a change never makes the
/// measure heavier (the stricter reading; the text does not say it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewChange {
    Amount(Fen),
    Days(u32),
}

/// Check a 变更 on 复议 of `kind` against what was decided (`amount` / `days`) and the limits.
pub fn validate_review_change(
    kind: MeasureKind,
    entity: bool,
    decided_amount: Option<Fen>,
    decided_days: Option<u32>,
    change: ReviewChange,
) -> Result<(), FieldError> {
    match (kind, change) {
        (MeasureKind::Fine, ReviewChange::Amount(a)) => {
            let (min, max) = if entity {
                (FINE_ENTITY_MIN, FINE_ENTITY_MAX)
            } else {
                (Fen::new(1), FINE_PERSON_MAX)
            };
            if a < min || a > max {
                return Err(bad(
                    "fine_limit",
                    "amount_fen",
                    format!(
                        "变更后的罚款应为 {} 至 {}（民事诉讼法第一百一十八条）",
                        min.format_yuan(),
                        max.format_yuan()
                    ),
                ));
            }
            if decided_amount.is_some_and(|d| a >= d) {
                return Err(bad("not_lighter", "amount_fen", "复议变更只能减少罚款金额"));
            }
            Ok(())
        }
        (MeasureKind::Detention, ReviewChange::Days(d)) => {
            if d == 0 || d > DETENTION_MAX_DAYS {
                return Err(bad(
                    "detention_limit",
                    "days",
                    "拘留期限为 1 至 15 日（民事诉讼法第一百一十八条）",
                ));
            }
            if decided_days.is_some_and(|x| d >= x) {
                return Err(bad("not_lighter", "days", "复议变更只能缩短拘留期限"));
            }
            Ok(())
        }
        (MeasureKind::Fine, ReviewChange::Days(_)) => Err(bad(
            "required",
            "amount_fen",
            "变更罚款须填写变更后的金额（分）",
        )),
        _ => Err(bad("required", "days", "变更拘留须填写变更后的天数")),
    }
}

/// Days within which the applicant may apply for 复议 of a rejected correction request to the
/// next-higher court — SX2017 art 12 (rules.md §4.2, [V]: "复议 … within 10 days"). Counted from
/// the day the applicant received the rejection, the day of receipt not counted (CPL art 85).
pub const CORRECTION_REVIEW_APPLY_DAYS: u32 = 10;

/// Days the higher court has to decide such a 复议 — SX2017 art 12 (rules.md §4.2: "decided within
/// 15 days"), counted from the application.
pub const CORRECTION_REVIEW_DECIDE_DAYS: u32 = 15;

/// Last day to apply for 复议 of a rejected correction received on `received_on`.
pub fn correction_review_apply_by(
    received_on: NaiveDate,
    cal: &LegalCalendar,
) -> Result<NaiveDate, RuleError> {
    cal.period_end(
        received_on,
        CORRECTION_REVIEW_APPLY_DAYS,
        DayUnit::CalendarDays,
    )
}

/// Day by which the higher court must decide a correction 复议 applied for on `applied_on`.
pub fn correction_review_decide_by(
    applied_on: NaiveDate,
    cal: &LegalCalendar,
) -> Result<NaiveDate, RuleError> {
    cal.period_end(
        applied_on,
        CORRECTION_REVIEW_DECIDE_DAYS,
        DayUnit::CalendarDays,
    )
}

/// 民诉法解释 art 180 [V]: the family of a detained person is notified within 24 hours of the
/// detention.
pub const FAMILY_NOTICE_HOURS: i64 = 24;

/// A detention's family notice against the time of detention: not before it, and at most
/// [`FAMILY_NOTICE_HOURS`] after it (the 24th hour itself still counts).
pub fn check_family_notice(
    detained_at: chrono::NaiveDateTime,
    notified_at: chrono::NaiveDateTime,
) -> Result<(), RuleError> {
    let latest = detained_at + chrono::Duration::hours(FAMILY_NOTICE_HOURS);
    if notified_at < detained_at {
        Err(RuleError::new(
            "family_notice",
            "通知家属的时间早于拘留时间",
        ))
    } else if notified_at > latest {
        Err(RuleError::new(
            "family_notice",
            format!(
                "拘留后应在 24 小时内通知家属（民诉法解释第一百八十条），最迟 {}",
                latest.format("%Y-%m-%d %H:%M")
            ),
        ))
    } else {
        Ok(())
    }
}

/// The measure that must go out together with `kind`: in a case with a money claim the 执行通知
/// carries the 报告财产令 with it (INV art 3 [V]; rules.md §1.1: 「报告财产令 must be issued together
/// with the 执行通知 in money-claim cases」). `claim_fen` is the case's claim.
pub fn issued_with(kind: MeasureKind, claim_fen: i64) -> Option<MeasureKind> {
    (kind == MeasureKind::EnforcementNotice && claim_fen > 0)
        .then_some(MeasureKind::AssetReportOrder)
}

/// A 拘传's questioning against the hours approved for it (at most 8, or 24 where detention may
/// follow: 民诉法解释 art 482 [V] 「调查询问的时间不得超过八小时；情况复杂，依法可能采取拘留措施的，
/// 调查询问的时间不得超过二十四小时」): it ends after it began and within the hours.
pub fn check_questioning(
    began_at: chrono::NaiveDateTime,
    ended_at: chrono::NaiveDateTime,
    hours: u32,
) -> Result<(), RuleError> {
    let latest = began_at + chrono::Duration::hours(i64::from(hours));
    if ended_at <= began_at {
        Err(RuleError::new(
            "questioning_time",
            "询问结束时间应晚于到案（询问开始）时间",
        ))
    } else if ended_at > latest {
        Err(RuleError::new(
            "summons_limit",
            format!(
                "拘传询问不得超过 {hours} 小时（民诉法解释第四百八十二条），最迟 {} 结束",
                latest.format("%Y-%m-%d %H:%M")
            ),
        ))
    } else {
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod family_notice_tests {
    use super::*;
    use crate::time::parse_china_minute;

    #[test]
    fn a_money_case_s_enforcement_notice_carries_the_asset_report_order_inv_3() {
        assert_eq!(
            issued_with(MeasureKind::EnforcementNotice, 1),
            Some(MeasureKind::AssetReportOrder)
        );
        assert_eq!(issued_with(MeasureKind::EnforcementNotice, 0), None);
        assert_eq!(issued_with(MeasureKind::Fine, 1_000_000), None);
        assert_eq!(issued_with(MeasureKind::AssetReportOrder, 1_000_000), None);
    }

    #[test]
    fn questioning_stays_within_the_approved_hours_cpli_482() {
        let at = |s| parse_china_minute(s).unwrap();
        let began = at("2024-09-27 22:30");
        assert!(check_questioning(began, at("2024-09-28 06:30"), 8).is_ok());
        let e = check_questioning(began, at("2024-09-28 06:31"), 8).unwrap_err();
        assert_eq!(e.code, "summons_limit");
        assert!(e.message.contains("最迟 2024-09-28 06:30"), "{}", e.message);
        assert!(check_questioning(began, at("2024-09-28 22:30"), 24).is_ok());
        assert_eq!(
            check_questioning(began, began, 8).unwrap_err().code,
            "questioning_time"
        );
    }

    #[test]
    fn the_family_is_notified_within_24_hours_cpli_180() {
        let at = |s| parse_china_minute(s).unwrap();
        let detained = at("2024-09-27 22:30");
        // The next day's evening is within 24 h; a day-granular check would have said the same
        // of 2024-09-28 23:00, which is 24.5 h.
        assert!(check_family_notice(detained, at("2024-09-27 22:30")).is_ok());
        assert!(check_family_notice(detained, at("2024-09-28 22:30")).is_ok());
        let late = check_family_notice(detained, at("2024-09-28 22:31")).unwrap_err();
        assert_eq!(late.code, "family_notice");
        assert!(
            late.message.contains("2024-09-28 22:30"),
            "{}",
            late.message
        );
        assert!(check_family_notice(detained, at("2024-09-28 23:00")).is_err());
        assert!(check_family_notice(detained, at("2024-09-27 22:29")).is_err());
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod review_tests {
    use super::*;

    #[test]
    fn a_change_on_review_is_lighter_and_within_the_limits() {
        let fine = |entity, decided, new| {
            validate_review_change(
                MeasureKind::Fine,
                entity,
                Some(Fen::new(decided)),
                None,
                ReviewChange::Amount(Fen::new(new)),
            )
            .map_err(|e| e.code)
        };
        assert_eq!(fine(false, 2_000_000, 1_000_000), Ok(()));
        assert_eq!(fine(false, 2_000_000, 2_000_000), Err("not_lighter"));
        assert_eq!(fine(false, 2_000_000, 0), Err("fine_limit"));
        // An entity's fine stays at least 50,000 元 after a change.
        assert_eq!(fine(true, 10_000_000, 5_000_000), Ok(()));
        assert_eq!(fine(true, 10_000_000, 4_999_999), Err("fine_limit"));
        let det = |decided, new| {
            validate_review_change(
                MeasureKind::Detention,
                false,
                None,
                Some(decided),
                ReviewChange::Days(new),
            )
            .map_err(|e| e.code)
        };
        assert_eq!(det(15, 5), Ok(()));
        assert_eq!(det(5, 5), Err("not_lighter"));
        assert_eq!(det(5, 0), Err("detention_limit"));
        assert_eq!(
            validate_review_change(
                MeasureKind::Fine,
                false,
                Some(Fen::new(100)),
                None,
                ReviewChange::Days(3)
            )
            .map_err(|e| e.field),
            Err("amount_fen".to_owned())
        );
    }

    #[test]
    fn only_fines_and_detentions_go_to_review() {
        assert!(reviewable(MeasureKind::Fine));
        assert!(reviewable(MeasureKind::Detention));
        assert!(!reviewable(MeasureKind::Dishonest));
        assert!(!reviewable(MeasureKind::ConsumptionRestriction));
        assert!(!reviewable(MeasureKind::Summons));
    }

    #[test]
    fn review_periods_skip_the_day_of_receipt_and_roll_past_holidays() {
        let cal = LegalCalendar::builtin();
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        // Wednesday 2024-09-25 + 3 → Saturday 28th, a rest day → Sunday 29th, a working day
        // that year (国庆 调休).
        assert_eq!(
            review_apply_by(d("2024-09-25"), cal).unwrap(),
            d("2024-09-29")
        );
        // A justified correction on Friday 09-27: 3 working days are 9-29 (调休), 9-30, 10-08.
        assert_eq!(correct_by(d("2024-09-27"), cal).unwrap(), d("2024-10-08"));
        // Received 09-27, a correction 复议 ends on 10-07 (国庆) → 10-08; decided 15 days later.
        assert_eq!(
            correction_review_apply_by(d("2024-09-27"), cal).unwrap(),
            d("2024-10-08")
        );
        assert_eq!(
            correction_review_decide_by(d("2024-10-08"), cal).unwrap(),
            d("2024-10-23")
        );
        // 2024-09-28 + 3 → 10-01 (国庆): the period ends on 10-08, the first working day after.
        assert_eq!(
            review_apply_by(d("2024-09-28"), cal).unwrap(),
            d("2024-10-08")
        );
        assert_eq!(
            review_decide_by(d("2024-09-27"), cal).unwrap(),
            d("2024-10-08")
        );
        assert_eq!(
            review_decide_by(d("2024-09-02"), cal).unwrap(),
            d("2024-09-09")
        );
    }
}

// ---------------------------------------------------------------------------------------------
// 搜查笔录: what the record of a search must state (民诉法解释 arts 495–498)
// ---------------------------------------------------------------------------------------------

/// The record of a carried-out search (搜查笔录), as the officers state it.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SearchRecord {
    /// The 搜查令 and work certificates were shown (art 495: 出示搜查令和工作证件).
    pub warrant_shown: bool,
    /// Who attended for the searched: the debtor or an adult family member, or for an entity its
    /// legal representative or main person in charge (art 496), with their capacity.
    pub present: String,
    /// For a natural person: the staff member sent by the 基层组织 (residents' or villagers'
    /// committee, art 496).
    pub witness: String,
    /// Those notified refused to attend (art 496: 拒不到场的，不影响搜查); then `present` and
    /// `witness` may stay empty, and the refusal is what the record states.
    pub refused_to_attend: bool,
    /// A woman's body was searched …
    pub woman_body_searched: bool,
    /// … by a female enforcement officer (art 496: 搜查妇女身体，应当由女执行人员进行).
    pub female_officer: bool,
    /// What was found and seized or sealed (art 497), or that nothing was found.
    pub findings: String,
    /// The searchers, the searched and the others present signed, thumb-printed or sealed the
    /// record (art 498) …
    pub signed: bool,
    /// … or who refused to sign, as the record must say (art 498: 拒绝签名 … 的，在搜查笔录中写明).
    pub refusal_note: String,
}

/// Longest free text in a search record.
const SEARCH_TEXT_MAX: usize = 500;

/// Check a search record against 民诉法解释 arts 495–498 for a subject that is an entity or a
/// natural person. Errors name the record's field (`search.present` …). The stricter reading
/// where the text is silent: the 基层组织's attendance is required for a natural person unless
/// those notified refused, and an unsigned record must say who refused to sign.
pub fn check_search_record(r: &SearchRecord, subject_is_entity: bool) -> Result<(), FieldError> {
    let f = |name: &str| format!("search.{name}");
    for (name, text) in [
        ("present", &r.present),
        ("witness", &r.witness),
        ("findings", &r.findings),
        ("refusal_note", &r.refusal_note),
    ] {
        if text.chars().count() > SEARCH_TEXT_MAX {
            return Err(bad(
                "too_long",
                &f(name),
                format!("不能超过 {SEARCH_TEXT_MAX} 字"),
            ));
        }
    }
    if !r.warrant_shown {
        return Err(bad(
            "warrant_not_shown",
            &f("warrant_shown"),
            "搜查人员应当出示搜查令和工作证件（民诉法解释第四百九十五条）",
        ));
    }
    if !r.refused_to_attend {
        if r.present.trim().is_empty() {
            let who = if subject_is_entity {
                "法定代表人或者主要负责人"
            } else {
                "被执行人或者其成年家属"
            };
            return Err(bad(
                "search_attendance",
                &f("present"),
                format!(
                    "须写明到场的{who}；拒不到场的，勾选“拒不到场”（民诉法解释第四百九十六条）"
                ),
            ));
        }
        if !subject_is_entity && r.witness.trim().is_empty() {
            return Err(bad(
                "search_attendance",
                &f("witness"),
                "搜查公民的，应当通知基层组织派员到场，须写明到场人员；拒不到场的，勾选“拒不到场”（民诉法解释第四百九十六条）",
            ));
        }
    }
    if r.woman_body_searched && !r.female_officer {
        return Err(bad(
            "female_officer",
            &f("female_officer"),
            "搜查妇女身体，应当由女执行人员进行（民诉法解释第四百九十六条）",
        ));
    }
    if r.findings.trim().is_empty() {
        return Err(bad(
            "required",
            &f("findings"),
            "须写明搜查发现并查封、扣押的财产，或未发现财产（民诉法解释第四百九十七条）",
        ));
    }
    if !r.signed && r.refusal_note.trim().is_empty() {
        return Err(bad(
            "search_signature",
            &f("refusal_note"),
            "搜查笔录应由搜查人员、被搜查人及其他在场人签名、捺印或者盖章；拒绝的，须在笔录中写明（民诉法解释第四百九十八条）",
        ));
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod search_record_tests {
    use super::*;

    fn full() -> SearchRecord {
        SearchRecord {
            warrant_shown: true,
            present: "被执行人赵超".into(),
            witness: "城东社区居委会 王某".into(),
            refused_to_attend: false,
            woman_body_searched: false,
            female_officer: false,
            findings: "卧室衣柜内现金 5 万元，已扣押".into(),
            signed: true,
            refusal_note: String::new(),
        }
    }

    fn field_of(r: &SearchRecord, entity: bool) -> Option<(&'static str, String)> {
        check_search_record(r, entity)
            .err()
            .map(|e| (e.code, e.field))
    }

    #[test]
    fn a_search_record_states_what_cpli_495_to_498_require() {
        assert_eq!(field_of(&full(), false), None);
        let no_warrant = SearchRecord {
            warrant_shown: false,
            ..full()
        };
        assert_eq!(
            field_of(&no_warrant, false),
            Some(("warrant_not_shown", "search.warrant_shown".into()))
        );
        // Nobody attended and no refusal recorded.
        let nobody = SearchRecord {
            present: " ".into(),
            ..full()
        };
        assert_eq!(
            field_of(&nobody, false),
            Some(("search_attendance", "search.present".into()))
        );
        // A citizen's search needs the 基层组织; an entity's does not.
        let no_witness = SearchRecord {
            witness: String::new(),
            ..full()
        };
        assert_eq!(
            field_of(&no_witness, false),
            Some(("search_attendance", "search.witness".into()))
        );
        assert_eq!(field_of(&no_witness, true), None);
        // A refusal to attend does not stop the search.
        let refused = SearchRecord {
            present: String::new(),
            witness: String::new(),
            refused_to_attend: true,
            ..full()
        };
        assert_eq!(field_of(&refused, false), None);
        // A woman's body only by a female officer.
        let woman = SearchRecord {
            woman_body_searched: true,
            ..full()
        };
        assert_eq!(
            field_of(&woman, false),
            Some(("female_officer", "search.female_officer".into()))
        );
        let woman_ok = SearchRecord {
            female_officer: true,
            ..woman
        };
        assert_eq!(field_of(&woman_ok, false), None);
        // What was found (or that nothing was) is stated.
        let no_findings = SearchRecord {
            findings: String::new(),
            ..full()
        };
        assert_eq!(
            field_of(&no_findings, false),
            Some(("required", "search.findings".into()))
        );
        // Unsigned: the record says who refused.
        let unsigned = SearchRecord {
            signed: false,
            ..full()
        };
        assert_eq!(
            field_of(&unsigned, false),
            Some(("search_signature", "search.refusal_note".into()))
        );
        let noted = SearchRecord {
            refusal_note: "被执行人拒绝签名".into(),
            ..unsigned
        };
        assert_eq!(field_of(&noted, false), None);
        let long = SearchRecord {
            findings: "财".repeat(501),
            ..full()
        };
        assert_eq!(
            field_of(&long, false),
            Some(("too_long", "search.findings".into()))
        );
    }
}

// ---------------------------------------------------------------------------------------------
// 询问笔录: the record of a 拘传's questioning (民诉法解释 art 482; 民事诉讼法 arts 133, 150, 239)
// ---------------------------------------------------------------------------------------------

/// One question put to the person questioned and their answer, as written in the record.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct QuestionAnswer {
    pub question: String,
    pub answer: String,
}

/// How the record was confirmed to the person questioned before signing: given to them to read
/// (交其阅读) …
pub const READ_BY_SUBJECT: &str = "read";
/// … or read out to them (向其宣读): 民事诉讼法 art 150 para 2 (法庭笔录应当当庭宣读，也可以告知 …
/// 阅读), the civil rule nearest to a questioning record.
pub const READ_ALOUD: &str = "read_aloud";

/// The record of the questioning that follows a 拘传 (询问笔录), as the officers state it.
/// Times are China-time minutes, `YYYY-MM-DD HH:MM` (the `datetime-local` form is accepted and
/// stored normalised).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct QuestioningRecord {
    /// Where the questioning took place (询问地点), e.g. the court's enforcement bureau or, outside
    /// the district, the local court the person was brought to (民诉法解释 art 482 para 2).
    pub place: String,
    /// When the questioning began: not before the recorded arrival (拘传后，应当立即调查询问).
    pub began_at: String,
    /// When it ended: the execution's `questioning_ended_at`, so the 8/24-hour check of
    /// [`check_questioning`] stays the one rule on the hours.
    pub ended_at: String,
    /// The officers who put the questions (询问人), in the order they sign.
    pub questioners: Vec<String>,
    /// The officer who kept the record (记录人), named apart from the questioners.
    pub recorder: String,
    /// The person questioned: the one the 拘传 was issued for (name and ID number as on the 拘传票).
    pub subject_name: String,
    pub subject_id_number: String,
    /// Work certificates were shown (民事诉讼法 art 239 para 2: 采取强制执行措施时，执行员应当出示
    /// 证件; art 133: 调查时应当向被调查人出示证件).
    pub credentials_shown: bool,
    /// The person was told their rights and obligations in the questioning (权利义务告知) …
    pub rights_told: bool,
    /// … and that they must answer truthfully, and the consequences of a false or refused answer:
    /// a fine or detention (民事诉讼法 art 114 on obstructing proceedings, art 252 and 财产调查规定
    /// art 9 on a refused or false report of assets), criminal liability where it is a crime.
    pub false_statement_warned: bool,
    /// The questions and answers in the order they were put (at least one).
    pub qa: Vec<QuestionAnswer>,
    /// How the record was confirmed before signing: [`READ_BY_SUBJECT`] or [`READ_ALOUD`].
    pub read_over: String,
    /// The person questioned confirmed it (核对无误) and signed or thumb-printed it …
    pub signed: bool,
    /// … or refused to sign, as the officers note it (民事诉讼法 art 150 para 3: 拒绝签名盖章的，记明
    /// 情况附卷).
    pub refusal_note: String,
    /// The questioners and the recorder signed the record (民事诉讼法 art 133: 由被调查人、调查人
    /// 签名或者盖章).
    pub officers_signed: bool,
}

/// What a questioning record is checked against: the 拘传 and its execution.
#[derive(Debug, Clone, Copy)]
pub struct QuestioningFacts<'a> {
    /// The recorded arrival (到案), the execution's `executed_at`.
    pub arrived_at: chrono::NaiveDateTime,
    /// The execution's `questioning_ended_at`, already checked by [`check_questioning`].
    pub ended_at: chrono::NaiveDateTime,
    /// The person the 拘传 was issued for.
    pub subject_name: &'a str,
    pub subject_id_number: &'a str,
}

/// Longest question in a record, in characters.
pub const QA_QUESTION_MAX: usize = 500;
/// Longest answer in a record, in characters.
pub const QA_ANSWER_MAX: usize = 2000;
/// Most questions in one record.
pub const QA_MAX: usize = 200;
/// Longest place, officer's name or refusal note.
const QUESTIONING_PLACE_MAX: usize = 100;
const OFFICER_NAME_MAX: usize = 30;
const QUESTIONING_NOTE_MAX: usize = 500;
/// Most questioners named in one record.
const QUESTIONERS_MAX: usize = 10;

/// Check a 拘传's questioning record and return it normalised (texts trimmed, empty questioners
/// dropped, times as `YYYY-MM-DD HH:MM`). Errors name the record's field (`questioning.place`,
/// `questioning.qa[2].answer` …).
///
/// Sources and readings:
/// - 民诉法解释 art 482 [V]: 「拘传后，应当立即调查询问，询问时间不得超过八小时；情况复杂，依法可能
///   采取拘留措施的，调查询问的时间不得超过二十四小时」: the questioning begins at or after the
///   arrival and ends at the execution's `questioning_ended_at` (the hours themselves are
///   [`check_questioning`]'s; counting them from the arrival, not from the start of the questioning,
///   is the stricter reading of 「拘传后」). 「立即」 has no number in the text, so no bound is put on
///   the wait beyond the hours.
/// - The person questioned is the one the 拘传 was issued for (CPL art 119: 拘传应当发拘传票;
///   财产调查规定 art 15 names who may be brought): name and ID number must match the measure's.
/// - At least two officers, the recorder named apart from the questioners: no civil or enforcement
///   article seen says so ([U]); it is the stricter reading, after 刑事诉讼法 art 118 (讯问的时候，
///   侦查人员不得少于二人, [S]), the two-officer rule for cash in the 2006 执行款物 rules (rules.md
///   §5) and the practice of enforcement officers acting in pairs. The recorder may not also be a
///   questioner, so two persons are always named.
/// - Certificates shown (CPL arts 133, 239 para 2 [V]); rights and obligations told, and the
///   consequences of a false statement (CPL arts 114, 252; 财产调查规定 art 9 [V]): the record must say
///   so. Told orally without it being recorded is, for the record, not told (stricter reading).
/// - The record read over by, or read out to, the person questioned, then signed by them, or their
///   refusal noted by the officers; the officers sign (CPL art 133 [V]: 调查笔录经被调查人校阅后，由
///   被调查人、调查人签名或者盖章; art 150 [V]: 宣读 or 阅读, 拒绝签名盖章的，记明情况附卷). A record
///   marked signed that also carries a refusal note is refused as contradictory (stricter reading).
pub fn check_questioning_record(
    r: &QuestioningRecord,
    facts: &QuestioningFacts<'_>,
) -> Result<QuestioningRecord, FieldError> {
    use crate::time::{minute_text, parse_china_minute};
    let f = |name: &str| format!("questioning.{name}");
    let long = |name: &str, max: usize| bad("too_long", &f(name), format!("不能超过 {max} 字"));
    let mut out = QuestioningRecord {
        place: r.place.trim().to_owned(),
        began_at: String::new(),
        ended_at: String::new(),
        questioners: r
            .questioners
            .iter()
            .map(|q| q.trim().to_owned())
            .filter(|q| !q.is_empty())
            .collect(),
        recorder: r.recorder.trim().to_owned(),
        subject_name: r.subject_name.trim().to_owned(),
        subject_id_number: r.subject_id_number.trim().to_uppercase(),
        credentials_shown: r.credentials_shown,
        rights_told: r.rights_told,
        false_statement_warned: r.false_statement_warned,
        qa: r
            .qa
            .iter()
            .map(|x| QuestionAnswer {
                question: x.question.trim().to_owned(),
                answer: x.answer.trim().to_owned(),
            })
            .collect(),
        read_over: r.read_over.trim().to_owned(),
        signed: r.signed,
        refusal_note: r.refusal_note.trim().to_owned(),
        officers_signed: r.officers_signed,
    };
    // Where and when.
    if out.place.is_empty() {
        return Err(bad("required", &f("place"), "须写明询问地点"));
    }
    if out.place.chars().count() > QUESTIONING_PLACE_MAX {
        return Err(long("place", QUESTIONING_PLACE_MAX));
    }
    let minute = |name: &str, raw: &str| {
        if raw.trim().is_empty() {
            return Err(bad("required", &f(name), "须填写时间（YYYY-MM-DD HH:MM）"));
        }
        parse_china_minute(raw)
            .ok_or_else(|| bad("datetime", &f(name), "时间格式应为 YYYY-MM-DD HH:MM"))
    };
    let began = minute("began_at", &r.began_at)?;
    let ended = minute("ended_at", &r.ended_at)?;
    if began < facts.arrived_at {
        return Err(bad(
            "questioning_time",
            &f("began_at"),
            format!(
                "询问开始时间不能早于到案时间 {}（民诉法解释第四百八十二条：拘传后，应当立即调查询问）",
                minute_text(facts.arrived_at)
            ),
        ));
    }
    if ended != facts.ended_at {
        return Err(bad(
            "questioning_time",
            &f("ended_at"),
            format!(
                "笔录的询问结束时间应与记录的询问结束时间 {} 一致",
                minute_text(facts.ended_at)
            ),
        ));
    }
    if ended <= began {
        return Err(bad(
            "questioning_time",
            &f("began_at"),
            "询问开始时间应早于结束时间",
        ));
    }
    out.began_at = minute_text(began);
    out.ended_at = minute_text(ended);
    // Who asked and who wrote.
    if out.questioners.is_empty() {
        return Err(bad("required", &f("questioners"), "须写明询问人"));
    }
    if out.questioners.len() > QUESTIONERS_MAX {
        return Err(bad(
            "too_long",
            &f("questioners"),
            format!("询问人不超过 {QUESTIONERS_MAX} 人"),
        ));
    }
    for (i, q) in out.questioners.iter().enumerate() {
        if q.chars().count() > OFFICER_NAME_MAX {
            return Err(long(&format!("questioners[{i}]"), OFFICER_NAME_MAX));
        }
        if out.questioners.iter().take(i).any(|p| p == q) {
            return Err(bad(
                "questioning_officers",
                &f(&format!("questioners[{i}]")),
                format!("询问人“{q}”重复"),
            ));
        }
    }
    if out.recorder.is_empty() {
        return Err(bad("required", &f("recorder"), "须写明记录人"));
    }
    if out.recorder.chars().count() > OFFICER_NAME_MAX {
        return Err(long("recorder", OFFICER_NAME_MAX));
    }
    if out.questioners.contains(&out.recorder) {
        return Err(bad(
            "questioning_officers",
            &f("recorder"),
            "记录人应为询问人以外的执行人员：询问须有两名以上执行人员在场，分别询问和记录",
        ));
    }
    // Whom.
    if out.subject_name != facts.subject_name.trim() {
        return Err(bad(
            "questioning_subject",
            &f("subject_name"),
            format!(
                "被询问人应为被拘传人{}（民诉法解释第四百八十二条）",
                facts.subject_name.trim()
            ),
        ));
    }
    if out.subject_id_number != facts.subject_id_number.trim().to_uppercase() {
        return Err(bad(
            "questioning_subject",
            &f("subject_id_number"),
            "被询问人的身份证号码与拘传票所载被拘传人不符",
        ));
    }
    // What they were told.
    if !out.credentials_shown {
        return Err(bad(
            "credentials_not_shown",
            &f("credentials_shown"),
            "询问前应当向被询问人出示工作证件（民事诉讼法第一百三十三条、第二百三十九条）",
        ));
    }
    if !out.rights_told {
        return Err(bad(
            "rights_not_told",
            &f("rights_told"),
            "笔录须载明已告知被询问人的权利义务",
        ));
    }
    if !out.false_statement_warned {
        return Err(bad(
            "rights_not_told",
            &f("false_statement_warned"),
            "笔录须载明已告知如实陈述的义务及虚假陈述、拒绝报告的法律后果（民事诉讼法第一百一十四条、第二百五十二条）",
        ));
    }
    // What was asked and answered.
    if out.qa.is_empty() {
        return Err(bad(
            "required",
            &f("qa"),
            "须记录询问的问题和回答，至少一问一答",
        ));
    }
    if out.qa.len() > QA_MAX {
        return Err(bad(
            "too_long",
            &f("qa"),
            format!("一份笔录不超过 {QA_MAX} 问"),
        ));
    }
    for (i, x) in out.qa.iter().enumerate() {
        if x.question.is_empty() {
            return Err(bad(
                "required",
                &f(&format!("qa[{i}].question")),
                format!("第 {} 问没有问题", i + 1),
            ));
        }
        if x.question.chars().count() > QA_QUESTION_MAX {
            return Err(long(&format!("qa[{i}].question"), QA_QUESTION_MAX));
        }
        if x.answer.is_empty() {
            return Err(bad(
                "required",
                &f(&format!("qa[{i}].answer")),
                format!("第 {} 问没有回答；拒绝回答或沉默的，如实记明", i + 1),
            ));
        }
        if x.answer.chars().count() > QA_ANSWER_MAX {
            return Err(long(&format!("qa[{i}].answer"), QA_ANSWER_MAX));
        }
    }
    // How it was confirmed and signed.
    if out.read_over != READ_BY_SUBJECT && out.read_over != READ_ALOUD {
        return Err(bad(
            "not_read_over",
            &f("read_over"),
            "笔录应交被询问人阅读（read）或者向其宣读（read_aloud）（民事诉讼法第一百三十三条、第一百五十条）",
        ));
    }
    if out.refusal_note.chars().count() > QUESTIONING_NOTE_MAX {
        return Err(long("refusal_note", QUESTIONING_NOTE_MAX));
    }
    if out.signed && !out.refusal_note.is_empty() {
        return Err(bad(
            "questioning_signature",
            &f("refusal_note"),
            "被询问人已签名的，不应再记拒绝签名的情况",
        ));
    }
    if !out.signed && out.refusal_note.is_empty() {
        return Err(bad(
            "questioning_signature",
            &f("refusal_note"),
            "被询问人核对无误后应当签名或者捺印；拒绝签名的，须记明情况（民事诉讼法第一百五十条）",
        ));
    }
    if !out.officers_signed {
        return Err(bad(
            "questioning_signature",
            &f("officers_signed"),
            "询问人、记录人应当在笔录上签名（民事诉讼法第一百三十三条）",
        ));
    }
    Ok(out)
}

/// The questions and answers as a record writes them, one line each: `问：…` then `答：…`.
pub fn qa_text(qa: &[QuestionAnswer]) -> String {
    qa.iter()
        .map(|x| format!("问：{}\n答：{}", x.question, x.answer))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Read questions and answers typed as a record writes them: a line starting `问：` (or `问:`)
/// opens a question, the next `答：` line its answer; other non-empty lines continue the question
/// or answer above them; empty lines are skipped. A question left without an answer comes back
/// with an empty answer, which [`check_questioning_record`] refuses naming it. Errors name
/// `field` (the text's field) and the line.
pub fn parse_qa(text: &str, field: &str) -> Result<Vec<QuestionAnswer>, FieldError> {
    let mut out: Vec<QuestionAnswer> = Vec::new();
    // Whether the last line written went into an answer (else into a question).
    let mut in_answer = false;
    fn strip(line: &str, mark: char) -> Option<&str> {
        line.strip_prefix(mark)
            .and_then(|rest| rest.strip_prefix(['：', ':']))
            .map(str::trim)
    }
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let at = n + 1;
        if let Some(q) = strip(line, '问') {
            out.push(QuestionAnswer {
                question: q.to_owned(),
                answer: String::new(),
            });
            in_answer = false;
        } else if let Some(a) = strip(line, '答') {
            let i = out.len().saturating_sub(1);
            match out.last_mut() {
                None => {
                    return Err(bad(
                        "qa_format",
                        field,
                        format!("第 {at} 行：“答：”之前应有“问：”"),
                    ));
                }
                Some(x) if in_answer || !x.answer.is_empty() => {
                    return Err(bad(
                        "qa_format",
                        &format!("{field}[{i}].answer"),
                        format!("第 {at} 行：同一问题有两个“答：”，一问一答"),
                    ));
                }
                Some(x) => x.answer = a.to_owned(),
            }
            in_answer = true;
        } else {
            match out.last_mut() {
                None => {
                    return Err(bad("qa_format", field, format!("第 {at} 行应以“问：”开始")));
                }
                Some(x) => {
                    let target = if in_answer {
                        &mut x.answer
                    } else {
                        &mut x.question
                    };
                    if !target.is_empty() {
                        target.push('\n');
                    }
                    target.push_str(line);
                }
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod questioning_record_tests {
    use super::*;
    use crate::time::parse_china_minute;

    const ID: &str = "51112319800101002X";

    fn facts() -> QuestioningFacts<'static> {
        QuestioningFacts {
            arrived_at: parse_china_minute("2024-09-28 09:20").unwrap(),
            ended_at: parse_china_minute("2024-09-28 11:10").unwrap(),
            subject_name: "吴九",
            subject_id_number: ID,
        }
    }

    fn full() -> QuestioningRecord {
        QuestioningRecord {
            place: "本院执行局第二询问室".into(),
            began_at: "2024-09-28T09:30".into(),
            ended_at: "2024-09-28 11:10".into(),
            questioners: vec!["李四".into(), " ".into()],
            recorder: "王五".into(),
            subject_name: "吴九".into(),
            subject_id_number: "51112319800101002x".into(),
            credentials_shown: true,
            rights_told: true,
            false_statement_warned: true,
            qa: vec![
                QuestionAnswer {
                    question: "你现在有哪些财产？".into(),
                    answer: "名下有一辆车，已抵押。".into(),
                },
                QuestionAnswer {
                    question: "为何不履行判决？".into(),
                    answer: "没有钱。".into(),
                },
            ],
            read_over: READ_BY_SUBJECT.into(),
            signed: true,
            refusal_note: String::new(),
            officers_signed: true,
        }
    }

    fn err(r: &QuestioningRecord) -> Option<(&'static str, String)> {
        check_questioning_record(r, &facts())
            .err()
            .map(|e| (e.code, e.field))
    }

    fn is(code: &'static str, field: &str) -> Option<(&'static str, String)> {
        Some((code, field.to_owned()))
    }

    #[test]
    fn a_full_record_passes_and_comes_back_normalised() {
        let out = check_questioning_record(&full(), &facts()).unwrap();
        assert_eq!(out.began_at, "2024-09-28 09:30");
        assert_eq!(out.questioners, vec!["李四".to_owned()]);
        assert_eq!(out.subject_id_number, ID);
        // Refused to sign, with the officers' note, read out to them: also a record.
        let refused = QuestioningRecord {
            signed: false,
            read_over: READ_ALOUD.into(),
            refusal_note: "被询问人拒绝签名，询问人记明附卷".into(),
            ..full()
        };
        assert_eq!(err(&refused), None);
    }

    #[test]
    fn the_questioning_runs_from_arrival_to_the_recorded_end_cpli_482() {
        let early = QuestioningRecord {
            began_at: "2024-09-28 09:19".into(),
            ..full()
        };
        assert_eq!(err(&early), is("questioning_time", "questioning.began_at"));
        // Beginning at the arrival itself is immediate, not early.
        let at_arrival = QuestioningRecord {
            began_at: "2024-09-28 09:20".into(),
            ..full()
        };
        assert_eq!(err(&at_arrival), None);
        let other_end = QuestioningRecord {
            ended_at: "2024-09-28 11:11".into(),
            ..full()
        };
        assert_eq!(
            err(&other_end),
            is("questioning_time", "questioning.ended_at")
        );
        let after_end = QuestioningRecord {
            began_at: "2024-09-28 11:10".into(),
            ..full()
        };
        assert_eq!(
            err(&after_end),
            is("questioning_time", "questioning.began_at")
        );
        let garbled = QuestioningRecord {
            began_at: "28/09/2024 9:30".into(),
            ..full()
        };
        assert_eq!(err(&garbled), is("datetime", "questioning.began_at"));
        let missing = QuestioningRecord {
            ended_at: " ".into(),
            ..full()
        };
        assert_eq!(err(&missing), is("required", "questioning.ended_at"));
        let nowhere = QuestioningRecord {
            place: " ".into(),
            ..full()
        };
        assert_eq!(err(&nowhere), is("required", "questioning.place"));
        let far = QuestioningRecord {
            place: "某".repeat(101),
            ..full()
        };
        assert_eq!(err(&far), is("too_long", "questioning.place"));
    }

    #[test]
    fn two_officers_at_least_the_recorder_apart_from_the_questioners() {
        let nobody = QuestioningRecord {
            questioners: vec![" ".into()],
            ..full()
        };
        assert_eq!(err(&nobody), is("required", "questioning.questioners"));
        let alone = QuestioningRecord {
            recorder: "李四".into(),
            ..full()
        };
        assert_eq!(
            err(&alone),
            is("questioning_officers", "questioning.recorder")
        );
        let no_recorder = QuestioningRecord {
            recorder: String::new(),
            ..full()
        };
        assert_eq!(err(&no_recorder), is("required", "questioning.recorder"));
        let twice = QuestioningRecord {
            questioners: vec!["李四".into(), "李四".into()],
            ..full()
        };
        assert_eq!(
            err(&twice),
            is("questioning_officers", "questioning.questioners[1]")
        );
        let two_asking = QuestioningRecord {
            questioners: vec!["李四".into(), "赵六".into()],
            ..full()
        };
        assert_eq!(err(&two_asking), None);
    }

    #[test]
    fn the_person_questioned_is_the_one_summoned() {
        let other = QuestioningRecord {
            subject_name: "吴十".into(),
            ..full()
        };
        assert_eq!(
            err(&other),
            is("questioning_subject", "questioning.subject_name")
        );
        let other_id = QuestioningRecord {
            subject_id_number: "511123198001010038".into(),
            ..full()
        };
        assert_eq!(
            err(&other_id),
            is("questioning_subject", "questioning.subject_id_number")
        );
    }

    #[test]
    fn certificates_rights_and_the_consequences_of_lying_are_recorded_as_told() {
        for (r, code, field) in [
            (
                QuestioningRecord {
                    credentials_shown: false,
                    ..full()
                },
                "credentials_not_shown",
                "questioning.credentials_shown",
            ),
            (
                QuestioningRecord {
                    rights_told: false,
                    ..full()
                },
                "rights_not_told",
                "questioning.rights_told",
            ),
            (
                QuestioningRecord {
                    false_statement_warned: false,
                    ..full()
                },
                "rights_not_told",
                "questioning.false_statement_warned",
            ),
        ] {
            assert_eq!(err(&r), is(code, field));
        }
    }

    #[test]
    fn questions_and_answers_at_least_one_each_filled_and_bounded() {
        let none = QuestioningRecord {
            qa: vec![],
            ..full()
        };
        assert_eq!(err(&none), is("required", "questioning.qa"));
        let mut r = full();
        r.qa[1].answer = " ".into();
        assert_eq!(err(&r), is("required", "questioning.qa[1].answer"));
        let mut r = full();
        r.qa[0].question = String::new();
        assert_eq!(err(&r), is("required", "questioning.qa[0].question"));
        let mut r = full();
        r.qa[1].answer = "答".repeat(QA_ANSWER_MAX + 1);
        assert_eq!(err(&r), is("too_long", "questioning.qa[1].answer"));
        let mut r = full();
        r.qa[0].question = "问".repeat(QA_QUESTION_MAX + 1);
        assert_eq!(err(&r), is("too_long", "questioning.qa[0].question"));
        let mut r = full();
        r.qa = vec![r.qa[0].clone(); QA_MAX + 1];
        assert_eq!(err(&r), is("too_long", "questioning.qa"));
    }

    #[test]
    fn read_over_then_signed_or_the_refusal_noted_and_the_officers_sign_cpl_133_150() {
        let unread = QuestioningRecord {
            read_over: String::new(),
            ..full()
        };
        assert_eq!(err(&unread), is("not_read_over", "questioning.read_over"));
        let unsigned = QuestioningRecord {
            signed: false,
            ..full()
        };
        assert_eq!(
            err(&unsigned),
            is("questioning_signature", "questioning.refusal_note")
        );
        let both = QuestioningRecord {
            refusal_note: "拒绝签名".into(),
            ..full()
        };
        assert_eq!(
            err(&both),
            is("questioning_signature", "questioning.refusal_note")
        );
        let officers = QuestioningRecord {
            officers_signed: false,
            ..full()
        };
        assert_eq!(
            err(&officers),
            is("questioning_signature", "questioning.officers_signed")
        );
    }

    #[test]
    fn questions_and_answers_are_read_from_the_way_a_record_writes_them() {
        let text = "问：你现在有哪些财产？\r\n答：名下有一辆车，\n已抵押。\n\n问:为何不履行？\n答:没有钱。";
        let qa = parse_qa(text, "questioning.qa").unwrap();
        assert_eq!(
            qa,
            vec![
                QuestionAnswer {
                    question: "你现在有哪些财产？".into(),
                    answer: "名下有一辆车，\n已抵押。".into()
                },
                QuestionAnswer {
                    question: "为何不履行？".into(),
                    answer: "没有钱。".into()
                },
            ]
        );
        // Written back the same way.
        assert_eq!(parse_qa(&qa_text(&qa), "questioning.qa").unwrap(), qa);
        // A question without its answer comes back empty, for the check to name it.
        let open = parse_qa("问：甲？\n答：乙。\n问：丙？", "questioning.qa").unwrap();
        let r = QuestioningRecord { qa: open, ..full() };
        assert_eq!(err(&r), is("required", "questioning.qa[1].answer"));
        let e = parse_qa("你有财产吗？", "questioning.qa").unwrap_err();
        assert_eq!((e.code, e.field.as_str()), ("qa_format", "questioning.qa"));
        assert!(e.message.contains("第 1 行"), "{}", e.message);
        let e = parse_qa("答：有。", "questioning.qa").unwrap_err();
        assert_eq!((e.code, e.field.as_str()), ("qa_format", "questioning.qa"));
        let e = parse_qa("问：甲？\n答：乙。\n答：丙。", "questioning.qa").unwrap_err();
        assert_eq!(
            (e.code, e.field.as_str()),
            ("qa_format", "questioning.qa[0].answer")
        );
        assert!(e.message.contains("第 3 行"), "{}", e.message);
        assert_eq!(parse_qa(" \n", "questioning.qa").unwrap(), vec![]);
    }
}
