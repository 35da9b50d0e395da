//! 案号 (case numbers) per 《关于人民法院案件案号的若干规定》法〔2015〕137号 (in force
//! 2016-01-01) as amended by 法〔2018〕335号, and its companion standard
//! 《人民法院案件类型及其代字标准》. See rules.md §2.
//!
//! Format (art 3 as amended 2018):
//! `（` 收案年度 `）` 法院代字 [专门审判代字] 类型代字 案件编号 `号` [`之一` | `之二` …].
//!
//! Error codes: `case_number_format` (overall shape, brackets, 号, suffix),
//! `case_number_year`, `case_number_court_code`, `case_number_specialty_code`,
//! `case_number_type_code`, `case_number_serial`.
use crate::RuleError;

/// 类型代字 of enforcement and related cases (rules.md §2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TypeCode {
    FirstEnforcement,
    ResumedEnforcement,
    PreservationEnforcement, // 执 执恢 执保
    Objection,
    Reconsideration,
    Supervision,
    Coordination,
    OtherEnforcement,       // 执异 执复 执监 执协 执他
    JudicialAidEnforcement, // 司救执
    Sanction,
    SanctionReconsideration,   // 司惩 司惩复
    PrelitigationPreservation, // 财保
    AdminReview,
    AdminReviewReconsideration, // 行审 行审复
    Bankruptcy,
    BankruptcyApplication,
    CompulsoryLiquidation, // 破 破申 强清
}

impl TypeCode {
    pub const ALL: [TypeCode; 17] = [
        TypeCode::FirstEnforcement,
        TypeCode::ResumedEnforcement,
        TypeCode::PreservationEnforcement,
        TypeCode::Objection,
        TypeCode::Reconsideration,
        TypeCode::Supervision,
        TypeCode::Coordination,
        TypeCode::OtherEnforcement,
        TypeCode::JudicialAidEnforcement,
        TypeCode::Sanction,
        TypeCode::SanctionReconsideration,
        TypeCode::PrelitigationPreservation,
        TypeCode::AdminReview,
        TypeCode::AdminReviewReconsideration,
        TypeCode::Bankruptcy,
        TypeCode::BankruptcyApplication,
        TypeCode::CompulsoryLiquidation,
    ];

    /// The Chinese code: "执", "执恢", … (人民法院案件类型及其代字标准, classes 08–11).
    pub fn code(self) -> &'static str {
        match self {
            TypeCode::FirstEnforcement => "执",
            TypeCode::ResumedEnforcement => "执恢",
            TypeCode::PreservationEnforcement => "执保",
            TypeCode::Objection => "执异",
            TypeCode::Reconsideration => "执复",
            TypeCode::Supervision => "执监",
            TypeCode::Coordination => "执协",
            TypeCode::OtherEnforcement => "执他",
            TypeCode::JudicialAidEnforcement => "司救执",
            TypeCode::Sanction => "司惩",
            TypeCode::SanctionReconsideration => "司惩复",
            TypeCode::PrelitigationPreservation => "财保",
            TypeCode::AdminReview => "行审",
            TypeCode::AdminReviewReconsideration => "行审复",
            TypeCode::Bankruptcy => "破",
            TypeCode::BankruptcyApplication => "破申",
            TypeCode::CompulsoryLiquidation => "强清",
        }
    }

    pub fn from_code(s: &str) -> Option<TypeCode> {
        TypeCode::ALL.into_iter().find(|t| t.code() == s)
    }

    /// Chinese name: 首次执行 …
    pub fn name_zh(self) -> &'static str {
        match self {
            TypeCode::FirstEnforcement => "首次执行",
            TypeCode::ResumedEnforcement => "恢复执行",
            TypeCode::PreservationEnforcement => "财产保全执行",
            TypeCode::Objection => "执行异议",
            TypeCode::Reconsideration => "执行复议",
            TypeCode::Supervision => "执行监督",
            TypeCode::Coordination => "执行协调",
            TypeCode::OtherEnforcement => "其他执行",
            TypeCode::JudicialAidEnforcement => "执行司法救助",
            TypeCode::Sanction => "司法制裁审查",
            TypeCode::SanctionReconsideration => "司法制裁复议",
            TypeCode::PrelitigationPreservation => "非诉财产保全审查",
            TypeCode::AdminReview => "非诉行政行为申请执行审查",
            TypeCode::AdminReviewReconsideration => "非诉行政行为申请执行审查复议",
            TypeCode::Bankruptcy => "破产",
            TypeCode::BankruptcyApplication => "破产申请审查",
            TypeCode::CompulsoryLiquidation => "强制清算",
        }
    }

    /// 执行实施类 (执, 执恢, 执保) — LJ2014 art 1.
    pub fn is_implementation(self) -> bool {
        matches!(
            self,
            TypeCode::FirstEnforcement
                | TypeCode::ResumedEnforcement
                | TypeCode::PreservationEnforcement
        )
    }

    /// 执行审查类 (执异, 执复, 执监, 执协, 执他) — LJ2014 art 1.
    pub fn is_review(self) -> bool {
        matches!(
            self,
            TypeCode::Objection
                | TypeCode::Reconsideration
                | TypeCode::Supervision
                | TypeCode::Coordination
                | TypeCode::OtherEnforcement
        )
    }
}

impl std::fmt::Display for TypeCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// Every known 类型代字 with the name of its case type.
///
/// Source: 《人民法院案件类型及其代字标准》, the companion standard of 法〔2015〕137号 (art 7:
/// at most 3 characters, unique per type; art 14: the types are set by that standard), as
/// reproduced in public court-software source (a case-type table 0100–1114 incl. later SPC
/// additions such as 刑教/民保令) and cross-checked against rules.md §2.3. The official SPC text of
/// the standard was not seen. Codes shared by several sub-types (e.g. 民特, 刑核, 破) appear once.
/// `执请` (执行请示) is not in any list seen and is therefore not accepted.
pub const TYPE_CODES: &[(&str, &str)] = &[
    // 01 管辖案件
    ("刑辖", "刑事管辖"),
    ("民辖", "民事管辖"),
    ("民辖终", "民事管辖上诉"),
    ("民辖监", "民事管辖监督"),
    ("行辖", "行政管辖"),
    ("行辖终", "行政管辖上诉"),
    ("赔辖", "行政赔偿管辖"),
    ("赔辖终", "行政赔偿管辖上诉"),
    // 02 刑事案件
    ("刑初", "刑事一审"),
    ("刑终", "刑事二审"),
    ("刑监", "刑事依职权再审审查"),
    ("刑申", "刑事申诉再审审查"),
    ("刑抗", "刑事抗诉再审审查"),
    ("刑再", "刑事再审"),
    ("刑没", "申请没收违法所得"),
    ("刑核", "刑事复核"),
    ("刑医", "申请强制医疗审查"),
    ("刑医解", "解除强制医疗审查"),
    ("刑医复", "强制医疗复议"),
    ("刑医监", "强制医疗监督"),
    ("刑止", "停止执行死刑"),
    ("刑止调", "停止执行死刑调查"),
    ("刑止核", "停止执行死刑调查审核"),
    ("刑更", "刑罚与执行变更审查"),
    ("刑更监", "刑罚与执行变更监督"),
    ("刑更备", "刑罚与执行变更备案"),
    ("刑他", "其他刑事"),
    ("刑教", "申请安置教育审查"),
    ("刑教解", "解除安置教育审查"),
    ("刑教复", "安置教育复议"),
    ("刑教监", "安置教育监督"),
    // 03 民事案件
    ("民初", "民事一审"),
    ("民终", "民事二审"),
    ("民监", "民事依职权再审审查"),
    ("民申", "民事申请再审审查"),
    ("民抗", "民事抗诉再审审查"),
    ("民再", "民事再审"),
    ("民撤", "第三人撤销之诉"),
    ("民特", "民事特别程序"),
    ("民特监", "民事特别程序监督"),
    ("民催", "催告"),
    ("民督", "申请支付令审查"),
    ("民督监", "支付令监督"),
    ("民他", "其他民事"),
    ("民保令", "人身安全保护令申请审查"),
    ("民保更", "人身安全保护令变更"),
    // 04 行政案件
    ("行初", "行政一审"),
    ("行终", "行政二审"),
    ("行监", "行政依职权再审审查"),
    ("行申", "行政申请再审审查"),
    ("行抗", "行政抗诉再审审查"),
    ("行再", "行政再审"),
    ("行审", "非诉行政行为申请执行审查"),
    ("行审复", "非诉行政行为申请执行审查复议"),
    ("行他", "其他行政"),
    // 05 国家赔偿与司法救助案件
    ("行赔初", "行政赔偿一审"),
    ("行赔终", "行政赔偿二审"),
    ("行赔监", "行政赔偿依职权再审审查"),
    ("行赔申", "行政赔偿申请再审审查"),
    ("行赔抗", "行政赔偿抗诉再审审查"),
    ("行赔再", "行政赔偿再审"),
    ("行赔他", "其他行政赔偿"),
    ("法赔", "法院作为赔偿义务机关自赔"),
    ("委赔", "赔偿委员会审理赔偿"),
    ("委赔监", "司法赔偿监督审查"),
    ("赔确监", "赔偿确认申诉审查"),
    ("委赔提", "司法赔偿监督上级法院赔偿委员会重审"),
    ("委赔再", "司法赔偿监督本院赔偿委员会重审"),
    ("赔他", "其他赔偿"),
    ("司救刑", "刑事司法救助"),
    ("司救民", "民事司法救助"),
    ("司救行", "行政司法救助"),
    ("司救赔", "国家赔偿司法救助"),
    ("司救执", "执行司法救助"),
    ("司救访", "涉诉信访司法救助"),
    ("司救他", "其他司法救助"),
    // 06 区际司法协助案件
    ("认台", "认可与执行台湾地区裁判/仲裁裁决审查"),
    ("认港", "认可与执行香港特别行政区裁判/仲裁裁决审查"),
    ("认澳", "认可与执行澳门特别行政区裁判/仲裁裁决审查"),
    ("认复", "认可与执行审查复议"),
    ("认他", "认可与执行审查其他"),
    ("请台送", "请求台湾地区送达文书审查"),
    ("请港送", "请求香港特别行政区法院送达文书审查"),
    ("请澳送", "请求澳门特别行政区法院送达文书审查"),
    ("台请送", "台湾地区请求送达文书"),
    ("港请送", "香港特别行政区法院请求送达文书"),
    ("澳请送", "澳门特别行政区法院请求送达文书"),
    ("请台调", "请求台湾地区调查取证审查"),
    ("请港调", "请求香港特别行政区调查取证审查"),
    ("请澳调", "请求澳门特别行政区法院调查取证审查"),
    ("台请调", "台湾地区请求调查取证"),
    ("港请调", "香港特别行政区请求调查取证"),
    ("澳请调", "澳门特别行政区法院请求调查取证"),
    ("请移管", "接收在台湾地区被判刑人"),
    ("助移管", "向台湾地区移管被判刑人"),
    ("请移赃", "接收台湾地区移交罪赃"),
    ("助移赃", "向台湾地区移交罪赃"),
    // 07 国际司法协助案件
    ("协外认", "承认与执行外国法院裁判/仲裁裁决审查"),
    ("协他", "承认与执行审查其他"),
    ("协外送", "外国法院请求送达文书"),
    ("请外送", "请求外国法院送达文书审查"),
    ("协外调", "外国法院请求调查取证"),
    ("请外调", "请求外国法院调查取证审查"),
    ("请外移", "接收在外国被判刑人"),
    ("协外移", "向外国移管被判刑人"),
    ("请外引", "请求外国引渡"),
    ("协外引", "协助外国引渡"),
    // 08 司法制裁案件
    ("司惩", "司法制裁审查"),
    ("司惩复", "司法制裁复议"),
    // 09 非诉保全审查案件
    ("财保", "非诉财产保全审查"),
    ("行保", "非诉行为保全审查"),
    ("行保复", "非诉行为保全复议"),
    ("证保", "非诉证据保全审查"),
    // 10 执行类案件 (执行实施类 / 执行审查类, LJ2014 art 1)
    ("执", "首次执行"),
    ("执恢", "恢复执行"),
    ("执保", "财产保全执行"),
    ("执异", "执行异议"),
    ("执复", "执行复议"),
    ("执监", "执行监督"),
    ("执协", "执行协调"),
    ("执他", "其他执行"),
    // 11 强制清算与破产案件
    ("清申", "强制清算申请审查"),
    ("破申", "破产申请审查"),
    ("清终", "强制清算上诉"),
    ("破终", "破产上诉"),
    ("清监", "强制清算监督"),
    ("破监", "破产监督"),
    ("强清", "强制清算"),
    ("破", "破产"),
];

/// 专门审判代字 (one character set by the SPC; 法〔2018〕335号 amending arts 2–3).
///
/// Only 知 (专利等知识产权案件, used e.g. in `（2019）最高法知民终1号`) is confirmed by the
/// amendment text seen. 金 (金融) and 海 (海事) were NOT found as specialty codes — financial and
/// maritime courts are distinguished by their court code (e.g. 沪74, 沪72) instead — so they are
/// not accepted. Add entries here when the SPC publishes more.
pub const SPECIALTY_CODES: &[(&str, &str)] = &[("知", "知识产权")];

/// High-court codes (法院代字) other than 最高法 — kept private and local so case-number parsing
/// does not depend on the court table; the same list is `crate::court::HIGH_COURT_ABBREVIATIONS`.
/// Codes: province abbreviations plus 内 (内蒙古),
/// 军 (解放军军事法院) and 兵 (新疆高院生产建设兵团分院) — 法〔2015〕137号 art 4–5.
const HIGH_COURT_CODES: [(&str, &str); 33] = [
    ("京", "北京"),
    ("津", "天津"),
    ("沪", "上海"),
    ("渝", "重庆"),
    ("冀", "河北"),
    ("晋", "山西"),
    ("内", "内蒙古"),
    ("辽", "辽宁"),
    ("吉", "吉林"),
    ("黑", "黑龙江"),
    ("苏", "江苏"),
    ("浙", "浙江"),
    ("皖", "安徽"),
    ("闽", "福建"),
    ("赣", "江西"),
    ("鲁", "山东"),
    ("豫", "河南"),
    ("鄂", "湖北"),
    ("湘", "湖南"),
    ("粤", "广东"),
    ("桂", "广西"),
    ("琼", "海南"),
    ("川", "四川"),
    ("黔", "贵州"),
    ("云", "云南"),
    ("藏", "西藏"),
    ("陕", "陕西"),
    ("甘", "甘肃"),
    ("青", "青海"),
    ("宁", "宁夏"),
    ("新", "新疆"),
    ("军", "解放军军事法院"),
    ("兵", "新疆生产建设兵团分院"),
];

/// 法院代字 of the Supreme People's Court (法〔2015〕137号 art 4).
const SUPREME_COURT_CODE: &str = "最高法";

/// Sane range for 收案年度 (art 2: calendar year of filing, 4 Arabic digits).
pub const YEAR_RANGE: std::ops::RangeInclusive<i32> = 1949..=2100;

/// Largest 之N suffix accepted (之一 … 之九十九).
pub const MAX_SUFFIX: u32 = 99;

/// Name of a 类型代字, if known.
pub fn type_code_name(code: &str) -> Option<&'static str> {
    TYPE_CODES.iter().find(|(c, _)| *c == code).map(|(_, n)| *n)
}

/// Name of a 专门审判代字, if known.
pub fn specialty_code_name(code: &str) -> Option<&'static str> {
    SPECIALTY_CODES
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, n)| *n)
}

/// Check the shape of a 法院代字 (法〔2015〕137号 arts 4–5): `最高法`; or a high-court
/// character ([`HIGH_COURT_CODES`]) alone (高级法院), followed by exactly 2 digits (中级法院) or
/// exactly 4 digits (基层法院).
fn validate_court_code(code: &str) -> Result<(), RuleError> {
    if code == SUPREME_COURT_CODE {
        return Ok(());
    }
    let mut chars = code.chars();
    let first = chars.next().map(String::from).unwrap_or_default();
    let digits: String = chars.collect();
    let known_high = HIGH_COURT_CODES.iter().any(|(c, _)| *c == first);
    let digits_ok = matches!(digits.len(), 0 | 2 | 4) && digits.bytes().all(|b| b.is_ascii_digit());
    if known_high && digits_ok {
        Ok(())
    } else {
        Err(RuleError::new(
            "case_number_court_code",
            format!(
                "法院代字错误：按法〔2015〕137号第四、五条应为“最高法”或高院代字（如“川”），其后可接 2 位（中院）或 4 位（基层法院）数字，实为“{code}”"
            ),
        ))
    }
}

fn validate_year(year: i32) -> Result<(), RuleError> {
    if YEAR_RANGE.contains(&year) {
        Ok(())
    } else {
        Err(RuleError::new(
            "case_number_year",
            format!(
                "收案年度错误：按法〔2015〕137号第二条应为 4 位公历年份（{}–{}），实为 {year}",
                YEAR_RANGE.start(),
                YEAR_RANGE.end()
            ),
        ))
    }
}

fn validate_specialty(code: Option<&str>) -> Result<(), RuleError> {
    match code {
        Some(c) if specialty_code_name(c).is_none() => Err(RuleError::new(
            "case_number_specialty_code",
            format!(
                "专门审判代字错误：按法〔2018〕335号应为最高人民法院确定的专门审判代字（如“知”），实为“{c}”"
            ),
        )),
        _ => Ok(()),
    }
}

fn type_code_error(found: &str) -> RuleError {
    RuleError::new(
        "case_number_type_code",
        format!(
            "类型代字错误：“{found}”不是《人民法院案件类型及其代字标准》（法〔2015〕137号配套标准）中的类型代字"
        ),
    )
}

/// Serial rules: a natural number ≥ 1 (art 10 para 1); 刑核 numbers are exactly 8 digits
/// (art 10 para 2).
fn validate_serial(type_code: &str, serial: u32) -> Result<(), RuleError> {
    if serial == 0 {
        return Err(RuleError::new(
            "case_number_serial",
            "案件编号错误：按法〔2015〕137号第十条应为从 1 开始的自然数",
        ));
    }
    if type_code == "刑核" && !(10_000_000..=99_999_999).contains(&serial) {
        return Err(RuleError::new(
            "case_number_serial",
            format!(
                "案件编号错误：按法〔2015〕137号第十条第二款刑事复核案件编号应为 8 位数字，实为 {serial}"
            ),
        ));
    }
    Ok(())
}

fn format_error(input: &str, why: &str) -> RuleError {
    RuleError::new(
        "case_number_format",
        format!(
            "案号格式错误：{why}；应为“（年度）法院代字[专门审判代字]类型代字编号号”，如“（2024）川1123执1188号”（输入：“{input}”）"
        ),
    )
}

const CN_DIGITS: [&str; 10] = ["〇", "一", "二", "三", "四", "五", "六", "七", "八", "九"];

/// Chinese numeral for 1..=99 as used in 之N suffixes: 一 … 十, 十一 … 十九, 二十, 二十一 ….
fn chinese_numeral(n: u32) -> Option<String> {
    let digit = |d: u32| {
        usize::try_from(d)
            .ok()
            .and_then(|i| CN_DIGITS.get(i))
            .copied()
    };
    match n {
        1..=9 => digit(n).map(String::from),
        10 => Some("十".to_owned()),
        11..=19 => Some(format!("十{}", digit(n % 10)?)),
        20..=99 => {
            let tens = digit(n / 10)?;
            let ones = if n.is_multiple_of(10) {
                ""
            } else {
                digit(n % 10)?
            };
            Some(format!("{tens}十{ones}"))
        }
        _ => None,
    }
}

/// Parse a canonical Chinese numeral 一 … 九十九.
fn parse_chinese_numeral(s: &str) -> Option<u32> {
    (1..=MAX_SUFFIX).find(|n| chinese_numeral(*n).is_some_and(|t| t == s))
}

/// A parsed 案号 such as `（2024）川1123执1188号` or a trial number `（2023）川1123民初456号`
/// (法〔2015〕137号 + 法〔2018〕335号). `type_code` is any known 类型代字 (enforcement or trial).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CaseNumber {
    year: i32,
    court_code: String,
    specialty_code: Option<String>,
    type_code: String,
    serial: u32,
    suffix: Option<String>,
}

impl CaseNumber {
    /// Build an enforcement case number (what filing produces).
    pub fn new(
        year: i32,
        court_code: &str,
        specialty_code: Option<&str>,
        type_code: TypeCode,
        serial: u32,
    ) -> Result<CaseNumber, RuleError> {
        Self::from_parts(year, court_code, specialty_code, type_code.code(), serial)
    }

    /// Build a case number of any known type code (e.g. "民初" for an enforcement basis).
    pub fn from_parts(
        year: i32,
        court_code: &str,
        specialty_code: Option<&str>,
        type_code: &str,
        serial: u32,
    ) -> Result<CaseNumber, RuleError> {
        validate_year(year)?;
        validate_court_code(court_code)?;
        validate_specialty(specialty_code)?;
        if type_code_name(type_code).is_none() {
            return Err(type_code_error(type_code));
        }
        validate_serial(type_code, serial)?;
        Ok(CaseNumber {
            year,
            court_code: court_code.to_owned(),
            specialty_code: specialty_code.map(str::to_owned),
            type_code: type_code.to_owned(),
            serial,
            suffix: None,
        })
    }

    /// The same case number with a `之N` suffix (1..=99), for later documents in the same case.
    pub fn with_suffix(mut self, n: u32) -> Result<CaseNumber, RuleError> {
        let numeral = chinese_numeral(n).ok_or_else(|| {
            RuleError::new(
                "case_number_format",
                format!("案号后缀错误：“之N”序号应在 1–{MAX_SUFFIX} 之间，实为 {n}"),
            )
        })?;
        self.suffix = Some(format!("之{numeral}"));
        Ok(self)
    }

    /// Accepts (), （）, 〔〕; tolerates surrounding whitespace; optional 之一/之二… suffix.
    pub fn parse(s: &str) -> Result<CaseNumber, RuleError> {
        let input = s.trim();
        let mut rest = input;

        // ( 收案年度 ) — brackets may be ASCII, full-width or 〔〕, and may be mixed.
        rest = rest
            .strip_prefix(['(', '（', '〔'])
            .ok_or_else(|| format_error(input, "应以括号“（”开头"))?;
        let year_str: String = rest.chars().take_while(char::is_ascii_digit).collect();
        rest = rest.get(year_str.len()..).unwrap_or("");
        if year_str.len() != 4 {
            return Err(format_error(input, "收案年度应为 4 位数字"));
        }
        let year: i32 = year_str
            .parse()
            .map_err(|_| format_error(input, "收案年度应为 4 位数字"))?;
        rest = rest
            .strip_prefix([')', '）', '〕'])
            .ok_or_else(|| format_error(input, "收案年度后应为括号“）”"))?;
        validate_year(year)?;

        if rest.contains("字第") {
            return Err(format_error(
                input,
                "2016 年前的旧式案号（…字第…号）不在法〔2015〕137号格式内",
            ));
        }

        // 法院代字.
        let court_code: String = if let Some(r) = rest.strip_prefix(SUPREME_COURT_CODE) {
            rest = r;
            if rest.starts_with(|c: char| c.is_ascii_digit()) {
                let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
                return Err(
                    validate_court_code(&format!("{SUPREME_COURT_CODE}{digits}"))
                        .err()
                        .unwrap_or_else(|| format_error(input, "法院代字错误")),
                );
            }
            SUPREME_COURT_CODE.to_owned()
        } else {
            let first = rest
                .chars()
                .next()
                .ok_or_else(|| format_error(input, "缺少法院代字"))?;
            rest = rest.get(first.len_utf8()..).unwrap_or("");
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            rest = rest.get(digits.len()..).unwrap_or("");
            format!("{first}{digits}")
        };
        validate_court_code(&court_code)?;

        // [专门审判代字] 类型代字: the run of characters up to the serial (or a stray 号).
        let letters: String = rest
            .chars()
            .take_while(|c| !c.is_ascii_digit() && *c != '号')
            .collect();
        rest = rest.get(letters.len()..).unwrap_or("");
        if letters.is_empty() {
            return Err(format_error(input, "缺少类型代字"));
        }
        let (specialty_code, type_code) = split_type_letters(&letters)?;

        // 案件编号: natural number, no leading zeros.
        let serial_str: String = rest.chars().take_while(char::is_ascii_digit).collect();
        rest = rest.get(serial_str.len()..).unwrap_or("");
        if serial_str.is_empty() {
            return Err(format_error(input, "缺少案件编号"));
        }
        if serial_str.starts_with('0') {
            return Err(RuleError::new(
                "case_number_serial",
                format!(
                    "案件编号错误：按法〔2015〕137号第十条应为不带前导零的自然数，实为“{serial_str}”"
                ),
            ));
        }
        let serial: u32 = serial_str.parse().map_err(|_| {
            RuleError::new(
                "case_number_serial",
                format!("案件编号错误：“{serial_str}”超出范围"),
            )
        })?;
        validate_serial(&type_code, serial)?;

        rest = rest
            .strip_prefix('号')
            .ok_or_else(|| format_error(input, "案件编号后应为“号”"))?;

        // Optional 之N suffix.
        let suffix = if rest.is_empty() {
            None
        } else {
            let n = rest
                .strip_prefix('之')
                .and_then(parse_chinese_numeral)
                .ok_or_else(|| format_error(input, "“号”后只能接“之一”“之二”……"))?;
            chinese_numeral(n).map(|t| format!("之{t}"))
        };

        Ok(CaseNumber {
            year,
            court_code,
            specialty_code: specialty_code.map(str::to_owned),
            type_code,
            serial,
            suffix,
        })
    }

    pub fn year(&self) -> i32 {
        self.year
    }
    pub fn court_code(&self) -> &str {
        &self.court_code
    }
    pub fn specialty_code(&self) -> Option<&str> {
        self.specialty_code.as_deref()
    }
    pub fn type_code(&self) -> &str {
        &self.type_code
    }
    /// Some when the type code is one of the enforcement-family codes in [`TypeCode`].
    pub fn enforcement_type(&self) -> Option<TypeCode> {
        TypeCode::from_code(&self.type_code)
    }
    pub fn serial(&self) -> u32 {
        self.serial
    }
    /// The full suffix text, e.g. `之三`, when present.
    pub fn suffix(&self) -> Option<&str> {
        self.suffix.as_deref()
    }
    /// The suffix as a number (`之三` → 3).
    pub fn suffix_number(&self) -> Option<u32> {
        self.suffix
            .as_deref()
            .and_then(|s| s.strip_prefix('之'))
            .and_then(parse_chinese_numeral)
    }
}

/// Split the letters between court code and serial into [专门审判代字] + 类型代字.
fn split_type_letters(letters: &str) -> Result<(Option<&'static str>, String), RuleError> {
    if type_code_name(letters).is_some() {
        return Ok((None, letters.to_owned()));
    }
    for (spec, _) in SPECIALTY_CODES {
        if let Some(rest) = letters.strip_prefix(spec)
            && type_code_name(rest).is_some()
        {
            return Ok((Some(*spec), rest.to_owned()));
        }
    }
    Err(type_code_error(letters))
}

impl std::fmt::Display for CaseNumber {
    /// Full-width: （2024）川1123执1188号
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "（{}）{}{}{}{}号{}",
            self.year,
            self.court_code,
            self.specialty_code.as_deref().unwrap_or(""),
            self.type_code,
            self.serial,
            self.suffix.as_deref().unwrap_or("")
        )
    }
}

impl std::str::FromStr for CaseNumber {
    type Err = RuleError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CaseNumber::parse(s)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parse_table() {
        // input → Ok(canonical display) or Err(code)
        let cases: &[(&str, Result<&str, &str>)] = &[
            ("（2024）川1123执1188号", Ok("（2024）川1123执1188号")),
            ("(2024)川1123执1188号", Ok("（2024）川1123执1188号")),
            ("〔2024〕川1123执1188号", Ok("（2024）川1123执1188号")),
            ("(2024）川1123执1188号", Ok("（2024）川1123执1188号")),
            ("〔2024)川1123执1188号", Ok("（2024）川1123执1188号")),
            ("  （2024）川1123执1188号 \n", Ok("（2024）川1123执1188号")),
            ("(2018)沪01执异6号", Ok("（2018）沪01执异6号")),
            ("(2018)沪02执复23号", Ok("（2018）沪02执复23号")),
            ("(2018)沪72财保116号", Ok("（2018）沪72财保116号")),
            ("（2018）沪01民初937号之三", Ok("（2018）沪01民初937号之三")),
            ("（2018）沪01民初937号之十", Ok("（2018）沪01民初937号之十")),
            (
                "（2018）沪01民初937号之二十一",
                Ok("（2018）沪01民初937号之二十一"),
            ),
            ("(2019)最高法民终1524号", Ok("（2019）最高法民终1524号")),
            ("(2019)最高法知民终1号", Ok("（2019）最高法知民终1号")),
            ("（2020）京73知民初12号", Ok("（2020）京73知民初12号")),
            ("（2016）粤0703执恢5号", Ok("（2016）粤0703执恢5号")),
            ("（2021）内01执保3号", Ok("（2021）内01执保3号")),
            ("（2021）兵08司救执1号", Ok("（2021）兵08司救执1号")),
            ("（2022）京行赔初7号", Ok("（2022）京行赔初7号")),
            ("（2022）川01破申2号", Ok("（2022）川01破申2号")),
            ("（2022）川01强清2号", Ok("（2022）川01强清2号")),
            ("（2022）川01破2号", Ok("（2022）川01破2号")),
            ("（2023）军刑核12345678号", Ok("（2023）军刑核12345678号")),
            ("（1949）京民初1号", Ok("（1949）京民初1号")),
            (
                "（2100）京民初4294967295号",
                Ok("（2100）京民初4294967295号"),
            ),
            // errors
            ("", Err("case_number_format")),
            ("2024川1123执1188号", Err("case_number_format")),
            ("【2024】川1123执1188号", Err("case_number_format")),
            ("（24）川1123执1188号", Err("case_number_format")),
            ("（20244）川1123执1188号", Err("case_number_format")),
            ("（2024川1123执1188号", Err("case_number_format")),
            ("（2024）川1123执1188", Err("case_number_format")),
            ("（2024）川1123执号", Err("case_number_format")),
            ("（2024）", Err("case_number_format")),
            ("（2024）川1123执1188号之", Err("case_number_format")),
            ("（2024）川1123执1188号之零", Err("case_number_format")),
            ("（2024）川1123执1188号之一百", Err("case_number_format")),
            ("（2024）川1123执1188号之1", Err("case_number_format")),
            ("（2024）川1123执1188号 ", Ok("（2024）川1123执1188号")),
            ("（2024）川1123执1188号x", Err("case_number_format")),
            ("（2024） 川1123执1188号", Err("case_number_court_code")),
            ("（2015）川乐执字第123号", Err("case_number_format")),
            ("（1948）京民初1号", Err("case_number_year")),
            ("（2101）京民初1号", Err("case_number_year")),
            ("（2024）蜀1123执1188号", Err("case_number_court_code")),
            ("（2024）川1执1188号", Err("case_number_court_code")),
            ("（2024）川112执1188号", Err("case_number_court_code")),
            ("（2024）川11234执1188号", Err("case_number_court_code")),
            ("（2024）最高法01民终1号", Err("case_number_court_code")),
            ("（2024）最高民终1号", Err("case_number_court_code")),
            ("（2024）1123执1188号", Err("case_number_court_code")),
            ("（2024）川1123执请1号", Err("case_number_type_code")),
            ("（2024）川1123知执1号", Ok("（2024）川1123知执1号")),
            ("（2024）川1123金民初1号", Err("case_number_type_code")),
            ("（2024）川1123知1号", Err("case_number_type_code")),
            ("（2024）川1123民1号", Err("case_number_type_code")),
            ("（2024）川1123执0号", Err("case_number_serial")),
            ("（2024）川1123执01号", Err("case_number_serial")),
            ("（2024）川1123执4294967296号", Err("case_number_serial")),
            ("（2023）军刑核1234567号", Err("case_number_serial")),
        ];
        for (input, expected) in cases {
            let got = CaseNumber::parse(input);
            let got = got.as_ref().map(ToString::to_string).map_err(|e| e.code);
            let expected = expected.map(str::to_owned);
            assert_eq!(got, expected, "input {input:?}");
        }
    }

    #[test]
    fn parsed_fields() {
        let c = CaseNumber::parse("(2019)最高法知民终1524号之二").unwrap();
        assert_eq!(c.year(), 2019);
        assert_eq!(c.court_code(), "最高法");
        assert_eq!(c.specialty_code(), Some("知"));
        assert_eq!(c.type_code(), "民终");
        assert_eq!(c.serial(), 1524);
        assert_eq!(c.suffix(), Some("之二"));
        assert_eq!(c.suffix_number(), Some(2));
        assert_eq!(c.enforcement_type(), None);

        let e = CaseNumber::parse("（2024）川1123执1188号").unwrap();
        assert_eq!(e.enforcement_type(), Some(TypeCode::FirstEnforcement));
        assert_eq!(e.court_code(), "川1123");
        assert_eq!(e.specialty_code(), None);
        assert_eq!(e.suffix(), None);
    }

    #[test]
    fn new_table() {
        let ok = CaseNumber::new(2024, "川1123", None, TypeCode::FirstEnforcement, 1188).unwrap();
        assert_eq!(ok.to_string(), "（2024）川1123执1188号");
        assert_eq!(
            CaseNumber::new(2024, "最高法", Some("知"), TypeCode::Objection, 3)
                .unwrap()
                .to_string(),
            "（2024）最高法知执异3号"
        );
        let cases: &[(i32, &str, Option<&str>, u32, &str)] = &[
            (2024, "川1123", None, 0, "case_number_serial"),
            (2024, "川123", None, 1, "case_number_court_code"),
            (2024, "", None, 1, "case_number_court_code"),
            (2024, "四川", None, 1, "case_number_court_code"),
            (2024, "川1123执", None, 1, "case_number_court_code"),
            (2024, "川1123", Some("金"), 1, "case_number_specialty_code"),
            (1900, "川1123", None, 1, "case_number_year"),
        ];
        for (year, court, spec, serial, code) in cases {
            let got = CaseNumber::new(*year, court, *spec, TypeCode::FirstEnforcement, *serial);
            assert_eq!(
                got.unwrap_err().code,
                *code,
                "{year} {court} {spec:?} {serial}"
            );
        }
        assert_eq!(
            CaseNumber::from_parts(2024, "川", None, "执请", 1)
                .unwrap_err()
                .code,
            "case_number_type_code"
        );
        assert_eq!(
            ok.clone().with_suffix(0).unwrap_err().code,
            "case_number_format"
        );
        assert_eq!(
            ok.with_suffix(3).unwrap().to_string(),
            "（2024）川1123执1188号之三"
        );
    }

    #[test]
    fn type_code_table() {
        // (code, variant, implementation?, review?)
        let cases: &[(&str, TypeCode, bool, bool)] = &[
            ("执", TypeCode::FirstEnforcement, true, false),
            ("执恢", TypeCode::ResumedEnforcement, true, false),
            ("执保", TypeCode::PreservationEnforcement, true, false),
            ("执异", TypeCode::Objection, false, true),
            ("执复", TypeCode::Reconsideration, false, true),
            ("执监", TypeCode::Supervision, false, true),
            ("执协", TypeCode::Coordination, false, true),
            ("执他", TypeCode::OtherEnforcement, false, true),
            ("司救执", TypeCode::JudicialAidEnforcement, false, false),
            ("司惩", TypeCode::Sanction, false, false),
            ("司惩复", TypeCode::SanctionReconsideration, false, false),
            ("财保", TypeCode::PrelitigationPreservation, false, false),
            ("行审", TypeCode::AdminReview, false, false),
            ("行审复", TypeCode::AdminReviewReconsideration, false, false),
            ("破", TypeCode::Bankruptcy, false, false),
            ("破申", TypeCode::BankruptcyApplication, false, false),
            ("强清", TypeCode::CompulsoryLiquidation, false, false),
        ];
        assert_eq!(cases.len(), TypeCode::ALL.len());
        for (code, t, imp, rev) in cases {
            assert_eq!(t.code(), *code);
            assert_eq!(TypeCode::from_code(code), Some(*t));
            assert_eq!(t.is_implementation(), *imp, "{code}");
            assert_eq!(t.is_review(), *rev, "{code}");
            assert!(!t.name_zh().is_empty());
            // Every enum code is in the data table (so parse accepts it).
            assert!(
                type_code_name(code).is_some(),
                "{code} missing from TYPE_CODES"
            );
        }
        assert_eq!(TypeCode::from_code("民初"), None);
        assert_eq!(TypeCode::from_code(""), None);
    }

    #[test]
    fn tables_are_well_formed() {
        let mut seen = std::collections::HashSet::new();
        for (code, name) in TYPE_CODES {
            // art 7: at most 3 Chinese characters, unique.
            let n = code.chars().count();
            assert!((1..=3).contains(&n), "{code}");
            assert!(code.chars().all(|c| !c.is_ascii()), "{code}");
            assert!(seen.insert(*code), "duplicate {code}");
            assert!(!name.is_empty());
            // No type code may start with a specialty code (keeps the split unambiguous).
            for (spec, _) in SPECIALTY_CODES {
                assert!(
                    !code.starts_with(spec),
                    "{code} starts with specialty {spec}"
                );
            }
        }
        for n in 1..=MAX_SUFFIX {
            let t = chinese_numeral(n).unwrap();
            assert_eq!(parse_chinese_numeral(&t), Some(n));
        }
        assert_eq!(chinese_numeral(0), None);
        assert_eq!(chinese_numeral(100), None);
    }

    fn arb_court_code() -> impl Strategy<Value = String> {
        prop_oneof![
            Just(SUPREME_COURT_CODE.to_owned()),
            (0..HIGH_COURT_CODES.len()).prop_map(|i| HIGH_COURT_CODES[i].0.to_owned()),
            (0..HIGH_COURT_CODES.len(), 0u32..100)
                .prop_map(|(i, n)| format!("{}{n:02}", HIGH_COURT_CODES[i].0)),
            (0..HIGH_COURT_CODES.len(), 0u32..10_000)
                .prop_map(|(i, n)| format!("{}{n:04}", HIGH_COURT_CODES[i].0)),
        ]
    }

    fn arb_case_number() -> impl Strategy<Value = CaseNumber> {
        (
            YEAR_RANGE,
            arb_court_code(),
            prop::option::of(0..SPECIALTY_CODES.len()),
            0..TYPE_CODES.len(),
            1u32..=u32::MAX,
            prop::option::of(1..=MAX_SUFFIX),
        )
            .prop_map(|(year, court, spec, ti, serial, suffix)| {
                let type_code = TYPE_CODES[ti].0;
                let serial = if type_code == "刑核" {
                    10_000_000 + serial % 90_000_000
                } else {
                    serial
                };
                let c = CaseNumber::from_parts(
                    year,
                    &court,
                    spec.map(|i| SPECIALTY_CODES[i].0),
                    type_code,
                    serial,
                )
                .unwrap();
                match suffix {
                    Some(n) => c.with_suffix(n).unwrap(),
                    None => c,
                }
            })
    }

    proptest! {
        #[test]
        fn parse_display_round_trips(c in arb_case_number()) {
            let shown = c.to_string();
            prop_assert_eq!(CaseNumber::parse(&shown), Ok(c.clone()));
            // ASCII and 〔〕 brackets parse to the same value.
            let ascii = shown.replace('（', "(").replace('）', ")");
            prop_assert_eq!(CaseNumber::parse(&ascii), Ok(c.clone()));
            let legacy = shown.replace('（', "〔").replace('）', "〕");
            prop_assert_eq!(CaseNumber::parse(&legacy), Ok(c));
        }

        #[test]
        fn new_parses_back(year in YEAR_RANGE, court in arb_court_code(), ti in 0..TypeCode::ALL.len(), serial in 1u32..=u32::MAX, spec in any::<bool>()) {
            let t = TypeCode::ALL[ti];
            let c = CaseNumber::new(year, &court, spec.then_some("知"), t, serial).unwrap();
            let back = CaseNumber::parse(&c.to_string()).unwrap();
            prop_assert_eq!(back.enforcement_type(), Some(t));
            prop_assert_eq!(back, c);
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,30}") {
            let _ = CaseNumber::parse(&s);
        }

        #[test]
        fn parse_never_panics_near_valid(c in arb_case_number(), cut in 0usize..40) {
            let s: String = c.to_string().chars().take(cut).collect();
            let _ = CaseNumber::parse(&s);
        }
    }
}
