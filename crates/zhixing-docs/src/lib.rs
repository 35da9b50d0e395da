//! Legal documents of enforcement (执行法律文书) as DOCX, from templates a court can edit.
//!
//! Each [`DocKind`] has a default template compiled into the binary
//! (`templates/<kind>.txt`). A court may keep edited copies in a directory of its own
//! ([`Templates::with_dir`]): `<dir>/<kind>.txt` replaces the default when it exists. The same
//! template gives the DOCX ([`render`]) and a plain-text preview ([`render_text`]).
//!
//! # Template format
//!
//! Plain UTF-8 text (a byte-order mark and CRLF line ends are accepted), **one paragraph per line**,
//! so a clerk can edit it in any text editor:
//!
//! | Line | Paragraph |
//! |---|---|
//! | `# …` | comment, not printed (each default template cites its legal basis here) |
//! | `@court {{court_name}}` | court name: centered, bold, 方正小标宋简体 二号 |
//! | `@title 执行通知书` | document name: centered, 方正小标宋简体 二号 |
//! | `@number {{case_number}}` | case or document number: right aligned |
//! | ordinary text (or `@body …`) | body: 仿宋_GB2312 三号 (32 half-points), justified, two-character first-line indent, 28 pt fixed line height; leading spaces are dropped |
//! | `@left …` | body font without indent (addressee, party lines, attachments) |
//! | `@center …` | body font, centered |
//! | `@right …` | body font, right aligned, four characters from the margin (signature, court name, date) |
//! | `@seal` or `@seal 文字` | the seal's place, right aligned; text defaults to 「（院印）」 |
//! | `@blank` or an empty line | empty paragraph |
//! | `@footer …` | a line of the page footer, repeated at the foot of **every page** (not in the body): 仿宋_GB2312 四号 (28 half-points), left aligned; e.g. the per-page signature of a 笔录 with 第{{page}}页　共{{pages}}页 |
//!
//! `{{name}}` is a placeholder (`name`: lowercase ASCII letters, digits, `_`). `{{page}}` and
//! `{{pages}}` are reserved: the current page number and the total page count (Word fields `PAGE`
//! and `NUMPAGES`, filled in by the word processor), allowed only in `@footer` lines and not
//! fields a caller gives. An unknown directive, an unclosed `{{`, a stray `}}`, a bad name or
//! `{{page}}` / `{{pages}}` outside `@footer` is a [`DocError::Template`] naming the line. All
//! `@footer` lines form one footer, in their order; a template without them gives a document
//! without a footer. The page is A4 with margins top 37 mm, bottom 35 mm, left 28 mm, right
//! 26 mm; the footer sits 17.5 mm above the page's bottom edge.
//!
//! # Field values
//!
//! Every placeholder must have a non-blank value, else [`DocError::MissingField`]. Values are
//! inserted as they are (docx-rs escapes `<`, `&` and the like; characters XML cannot carry are
//! dropped; `\n` becomes a line break). **Dates**: a field named `date` or ending in `_date` is given
//! as `YYYY-MM-DD` and printed in court style by [`date_zh`] (`2026-11-22` → 二〇二六年十一月二十二日);
//! anything else there is a [`DocError::InvalidField`]. Amounts are given already formatted
//! (`12,345.67 元`); numbers of days in words (`五`, `十五`), as courts write them.
//!
//! Common fields:
//!
//! | Field | Meaning | Example |
//! |---|---|---|
//! | `court_name` | enforcing court | 四川省成都市武侯区人民法院 |
//! | `case_number` | 执行案号 | （2026）川0107执1234号 |
//! | `document_number` | number of this document when it has its own | （2026）川0107执1234号之一 |
//! | `date` | date of the document, `YYYY-MM-DD` | 2026-11-22 |
//! | `applicant_name` | 申请执行人 | 张三 |
//! | `debtor_name` | 被执行人 | 四川某某建设工程有限公司 |
//! | `debtor_id_number` | 被执行人 身份证号码 or 统一社会信用代码 | 91510107MA61234567 |
//! | `basis_court` | court (or arbitration body) that made the 执行依据 | 四川省成都市武侯区人民法院 |
//! | `basis_number` | 执行依据文号, with the document's name | （2026）川0107民初5678号民事判决书 |
//! | `obligation` | the obligation it fixes | 被告……向原告张三支付工程款…… |
//! | `claim_amount` | 申请执行标的额 | 12,345.67 元 |
//! | `president_name` | 院长 who signs (documents the 院长 must sign) | 赵六 |
//! | `review_court` | court that hears a 复议 (the next-higher court) | 四川省成都市中级人民法院 |
//! | `contact` | handler and phone | 执行员李四，电话028-85551234 |
//!
//! Kind-specific fields: `filing_date` (立案/申请日期), `performance_days` (履行期限，日),
//! `report_days` (报告期限，日), `restricted_persons` (被限制消费的人，单位的写明法定代表人等),
//! `dishonest_facts` (失信行为), `dishonest_ground` (SX2017 第一条的项，如「第（四）项」),
//! `dishonest_term` (期限，如「二年」), `summoned_name` / `summoned_id_number` / `summoned_role`
//! (被拘传人与被执行人的关系，如「系被执行人的法定代表人」), `summons_time`, `summons_place`,
//! `sanctioned_name` / `sanctioned_id_number` (被罚款人/被拘留人), `violation_facts`,
//! `violation_basis` (所违反的民事诉讼法条款，如「第二百五十二条」「第一百一十四条第一款第（六）项」),
//! `fine_amount`, `payment_days`, `detention_days`, `detention_place` (看管的拘留所),
//! `search_officers`, `search_place`, `search_time`, `warrant_number` (搜查令的文号),
//! `search_present` (到场人员), `search_witness` (基层组织到场人员, or why none),
//! `search_female` (搜查妇女身体的情况), `search_findings`, `search_signatures` (签名或拒签情况),
//! `questioning_began` / `questioning_ended` (询问起止时间, as courts write them: 2024年9月28日9时30分
//! and, on the same day, 11时10分), `arrived_at` (到案时间), `questioning_place`, `questioners`
//! (询问人, joined by 、), `recorder` (记录人), `questioned_name` / `questioned_id_number`
//! (被询问人), `questioning_qa` (每问每答一行：问：…／答：…), `questioning_confirmation`
//! (阅读或宣读、签名或拒签的记载),
//! `permit_applicant` / `permit_role` (申请人 and their capacity), `restriction_number` (限制消费令的文号),
//! `permit_applied` (申请日期, as written), `permit_ground`, `permit_period`, `consumption_act`,
//! `permit_reason`, `decision_text` (the decision with its legal basis),
//! `reward_amount` (数额或计算方法), `reward_contact`
//! (线索提供方式), `assist_unit`, `assist_basis`, `assist_items`, `ruling_number` (执行裁定文号),
//! `referral_agency` (公安机关), `referral_facts`, `referral_ground` (法释〔2024〕13号的条项),
//! `suspect_name`.
//!
//! # Fields of each kind (default templates)
//!
//! Derived from the templates by [`required_fields`]; a test keeps this table true.
//!
//! | 文书 | Kind | Fields |
//! |---|---|---|
//! | 执行通知书 | `enforcement_notice` | `court_name`, `case_number`, `debtor_name`, `applicant_name`, `basis_court`, `basis_number`, `filing_date`, `performance_days`, `obligation`, `claim_amount`, `contact`, `date` |
//! | 报告财产令 | `asset_report_order` | `court_name`, `case_number`, `debtor_name`, `applicant_name`, `basis_court`, `basis_number`, `claim_amount`, `report_days`, `contact`, `date` |
//! | 限制消费令 | `consumption_restriction` | `court_name`, `case_number`, `debtor_name`, `debtor_id_number`, `applicant_name`, `basis_court`, `basis_number`, `claim_amount`, `restricted_persons`, `president_name`, `date` |
//! | 失信决定书 | `dishonest_decision` | `court_name`, `document_number`, `applicant_name`, `debtor_name`, `debtor_id_number`, `case_number`, `basis_court`, `basis_number`, `obligation`, `claim_amount`, `dishonest_facts`, `dishonest_ground`, `dishonest_term`, `review_court`, `president_name`, `date` |
//! | 拘传票 | `summons` | `court_name`, `case_number`, `summoned_name`, `summoned_id_number`, `summoned_role`, `applicant_name`, `debtor_name`, `basis_court`, `basis_number`, `claim_amount`, `summons_time`, `summons_place`, `president_name`, `date` |
//! | 询问笔录 | `questioning_record` | `court_name`, `case_number`, `questioning_began`, `questioning_ended`, `questioning_place`, `questioners`, `recorder`, `questioned_name`, `questioned_id_number`, `summoned_role`, `applicant_name`, `debtor_name`, `claim_amount`, `document_number`, `arrived_at`, `questioning_qa`, `questioning_confirmation`, `date` |
//! | 罚款决定书 | `fine_decision` | `court_name`, `document_number`, `sanctioned_name`, `sanctioned_id_number`, `case_number`, `applicant_name`, `debtor_name`, `claim_amount`, `violation_facts`, `violation_basis`, `fine_amount`, `payment_days`, `review_court`, `president_name`, `date` |
//! | 拘留决定书 | `detention_decision` | `court_name`, `document_number`, `sanctioned_name`, `sanctioned_id_number`, `case_number`, `applicant_name`, `debtor_name`, `claim_amount`, `violation_facts`, `violation_basis`, `detention_days`, `detention_place`, `review_court`, `president_name`, `date` |
//! | 搜查令 | `search_warrant` | `court_name`, `case_number`, `applicant_name`, `debtor_name`, `basis_court`, `basis_number`, `claim_amount`, `search_officers`, `search_place`, `president_name`, `date` |
//! | 搜查笔录 | `search_record` | `court_name`, `case_number`, `search_time`, `search_place`, `warrant_number`, `president_name`, `debtor_name`, `applicant_name`, `claim_amount`, `search_officers`, `search_present`, `search_witness`, `search_female`, `search_findings`, `search_signatures`, `date` |
//! | 消费许可决定书 | `consumption_permission` | `court_name`, `case_number`, `permit_applicant`, `permit_role`, `applicant_name`, `debtor_name`, `claim_amount`, `restriction_number`, `permit_applied`, `permit_ground`, `permit_period`, `consumption_act`, `permit_reason`, `decision_text`, `president_name`, `date` |
//! | 悬赏公告 | `reward_notice` | `court_name`, `case_number`, `applicant_name`, `debtor_name`, `debtor_id_number`, `basis_court`, `basis_number`, `claim_amount`, `reward_amount`, `reward_contact`, `date` |
//! | 协助执行通知书 | `assist_notice` | `court_name`, `case_number`, `assist_unit`, `applicant_name`, `debtor_name`, `basis_court`, `basis_number`, `claim_amount`, `ruling_number`, `assist_basis`, `debtor_id_number`, `assist_items`, `contact`, `date` |
//! | 移送函 | `referral_letter` | `court_name`, `document_number`, `referral_agency`, `case_number`, `applicant_name`, `debtor_name`, `basis_court`, `basis_number`, `obligation`, `claim_amount`, `referral_facts`, `suspect_name`, `referral_ground`, `date` |
//!
//! The 拘留决定书 names the number of days only: the period runs from actual custody, so its
//! dates are not known when the decision is made.

mod docx;
mod template;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate};

pub use docx::{FONT_BODY, FONT_TITLE, SIZE_BODY, SIZE_FOOTER, SIZE_TITLE};
use docx::{Filled, FilledDoc, FooterPart};
use template::{Part, Style};

/// The kinds of legal document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DocKind {
    /// 执行通知书
    EnforcementNotice,
    /// 报告财产令
    AssetReportOrder,
    /// 限制消费令
    ConsumptionRestriction,
    /// 失信决定书 (纳入失信被执行人名单决定书)
    DishonestDecision,
    /// 拘传票
    Summons,
    /// 询问笔录 (the record of the questioning that follows a 拘传, CPLI art 482; CPL arts 133, 150)
    QuestioningRecord,
    /// 罚款决定书
    FineDecision,
    /// 拘留决定书
    DetentionDecision,
    /// 搜查令
    SearchWarrant,
    /// 搜查笔录 (the record of a search carried out, CPLI arts 495–498)
    SearchRecord,
    /// 决定书 on an application to consume under a 限制消费令 (XF2015 art 3 para 2, art 8)
    ConsumptionPermission,
    /// 悬赏公告
    RewardNotice,
    /// 协助执行通知书
    AssistNotice,
    /// 移送函 (涉嫌拒不执行判决、裁定罪，移送公安机关)
    ReferralLetter,
}

impl DocKind {
    /// Every kind, in the order of the enforcement process.
    pub const ALL: [DocKind; 14] = [
        DocKind::EnforcementNotice,
        DocKind::AssetReportOrder,
        DocKind::ConsumptionRestriction,
        DocKind::DishonestDecision,
        DocKind::Summons,
        DocKind::QuestioningRecord,
        DocKind::FineDecision,
        DocKind::DetentionDecision,
        DocKind::SearchWarrant,
        DocKind::SearchRecord,
        DocKind::ConsumptionPermission,
        DocKind::RewardNotice,
        DocKind::AssistNotice,
        DocKind::ReferralLetter,
    ];

    /// The snake_case id (also the template's file name without `.txt`).
    pub fn as_str(self) -> &'static str {
        match self {
            DocKind::EnforcementNotice => "enforcement_notice",
            DocKind::AssetReportOrder => "asset_report_order",
            DocKind::ConsumptionRestriction => "consumption_restriction",
            DocKind::DishonestDecision => "dishonest_decision",
            DocKind::Summons => "summons",
            DocKind::QuestioningRecord => "questioning_record",
            DocKind::FineDecision => "fine_decision",
            DocKind::DetentionDecision => "detention_decision",
            DocKind::SearchWarrant => "search_warrant",
            DocKind::SearchRecord => "search_record",
            DocKind::ConsumptionPermission => "consumption_permission",
            DocKind::RewardNotice => "reward_notice",
            DocKind::AssistNotice => "assist_notice",
            DocKind::ReferralLetter => "referral_letter",
        }
    }

    /// The Chinese name.
    pub fn name_zh(self) -> &'static str {
        match self {
            DocKind::EnforcementNotice => "执行通知书",
            DocKind::AssetReportOrder => "报告财产令",
            DocKind::ConsumptionRestriction => "限制消费令",
            DocKind::DishonestDecision => "失信决定书",
            DocKind::Summons => "拘传票",
            DocKind::QuestioningRecord => "询问笔录",
            DocKind::FineDecision => "罚款决定书",
            DocKind::DetentionDecision => "拘留决定书",
            DocKind::SearchWarrant => "搜查令",
            DocKind::SearchRecord => "搜查笔录",
            DocKind::ConsumptionPermission => "消费许可决定书",
            DocKind::RewardNotice => "悬赏公告",
            DocKind::AssistNotice => "协助执行通知书",
            DocKind::ReferralLetter => "移送函",
        }
    }

    /// The kind with this snake_case id.
    pub fn from_str_opt(id: &str) -> Option<DocKind> {
        DocKind::ALL.into_iter().find(|k| k.as_str() == id)
    }

    /// The default template compiled into the binary.
    pub fn builtin_source(self) -> &'static str {
        match self {
            DocKind::EnforcementNotice => include_str!("../templates/enforcement_notice.txt"),
            DocKind::AssetReportOrder => include_str!("../templates/asset_report_order.txt"),
            DocKind::ConsumptionRestriction => {
                include_str!("../templates/consumption_restriction.txt")
            }
            DocKind::DishonestDecision => include_str!("../templates/dishonest_decision.txt"),
            DocKind::Summons => include_str!("../templates/summons.txt"),
            DocKind::QuestioningRecord => include_str!("../templates/questioning_record.txt"),
            DocKind::FineDecision => include_str!("../templates/fine_decision.txt"),
            DocKind::DetentionDecision => include_str!("../templates/detention_decision.txt"),
            DocKind::SearchWarrant => include_str!("../templates/search_warrant.txt"),
            DocKind::SearchRecord => include_str!("../templates/search_record.txt"),
            DocKind::ConsumptionPermission => {
                include_str!("../templates/consumption_permission.txt")
            }
            DocKind::RewardNotice => include_str!("../templates/reward_notice.txt"),
            DocKind::AssistNotice => include_str!("../templates/assist_notice.txt"),
            DocKind::ReferralLetter => include_str!("../templates/referral_letter.txt"),
        }
    }
}

impl std::fmt::Display for DocKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Errors of this crate. Messages are in Chinese: they are shown to court staff.
#[derive(Debug, thiserror::Error)]
pub enum DocError {
    /// A placeholder of the template has no (or a blank) value.
    #[error("生成{}缺少字段“{field}”", kind_name_zh(kind))]
    MissingField { kind: &'static str, field: String },
    /// A field has a value of the wrong form (e.g. a date that is not `YYYY-MM-DD`).
    #[error("生成{}时字段“{field}”的值无效：{message}", kind_name_zh(kind))]
    InvalidField {
        kind: &'static str,
        field: String,
        message: String,
    },
    /// Bad markup in a template.
    #[error("{}模板第{line}行有误：{message}", kind_name_zh(kind))]
    Template {
        kind: &'static str,
        line: usize,
        message: String,
    },
    /// A court's template file exists but cannot be read.
    #[error("无法读取模板文件 {path}：{err}", path = .0.display(), err = .1)]
    Io(PathBuf, #[source] std::io::Error),
    /// docx-rs failed to write the document.
    #[error("生成 DOCX 文件失败：{0}")]
    Docx(String),
}

fn kind_name_zh(id: &str) -> &'static str {
    DocKind::from_str_opt(id).map_or("文书", DocKind::name_zh)
}

/// The values that fill a template's placeholders.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fields(pub BTreeMap<String, String>);

impl Fields {
    /// No fields.
    pub fn new() -> Self {
        Fields(BTreeMap::new())
    }

    /// Sets a field (builder style).
    #[must_use]
    pub fn set(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.0.insert(name.into(), value.into());
        self
    }

    /// Sets a field in place.
    pub fn insert(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.0.insert(name.into(), value.into());
    }

    /// A field's value.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for Fields {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        Fields(
            iter.into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }
}

/// Where templates come from: the defaults compiled in, optionally overridden by a court's directory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Templates {
    dir: Option<PathBuf>,
}

impl Templates {
    /// The default templates compiled into the binary.
    pub fn builtin() -> Self {
        Templates { dir: None }
    }

    /// A court's edited copies: `<dir>/<kind>.txt` replaces the default when present; kinds without
    /// a file there use the default. The directory is read at each render, so edits apply at once.
    pub fn with_dir(dir: impl Into<PathBuf>) -> Self {
        Templates {
            dir: Some(dir.into()),
        }
    }

    /// The override directory, if any.
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// The template text used for `kind`.
    pub fn source(&self, kind: DocKind) -> Result<String, DocError> {
        if let Some(dir) = &self.dir {
            let path = dir.join(format!("{}.txt", kind.as_str()));
            match std::fs::read_to_string(&path) {
                Ok(text) => return Ok(text),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(DocError::Io(path, e)),
            }
        }
        Ok(kind.builtin_source().to_owned())
    }

    /// Parses every kind's template, e.g. at start-up or after a clerk saved an edited copy: the
    /// first broken one is reported with its line.
    pub fn check(&self) -> Result<(), DocError> {
        for kind in DocKind::ALL {
            template::parse(kind, &self.source(kind)?)?;
        }
        Ok(())
    }

    /// The fields `kind` needs with these templates (an edited template may add or drop some).
    pub fn required_fields(&self, kind: DocKind) -> Result<Vec<String>, DocError> {
        let paras = template::parse(kind, &self.source(kind)?)?;
        Ok(template::fields_of(&paras))
    }
}

/// The fields the default template of `kind` needs, in order of first appearance.
pub fn required_fields(kind: DocKind) -> Vec<String> {
    // The default templates are tested to parse, so the fallback is never taken.
    template::parse(kind, kind.builtin_source())
        .map(|paras| template::fields_of(&paras))
        .unwrap_or_default()
}

/// Renders `kind` as a DOCX file.
pub fn render(kind: DocKind, fields: &Fields, templates: &Templates) -> Result<Vec<u8>, DocError> {
    docx::build(&fill(kind, fields, templates)?)
}

/// Renders `kind` as plain text with the same content as the DOCX: one paragraph per line, body
/// paragraphs indented by two full-width spaces. Plain text has no pages: the `@footer` lines are
/// printed **once, after the body**, with a full-width space (「　」) where the page number and the
/// page count go (`第{{page}}页　共{{pages}}页` → 「第　页　共　页」).
pub fn render_text(
    kind: DocKind,
    fields: &Fields,
    templates: &Templates,
) -> Result<String, DocError> {
    let doc = fill(kind, fields, templates)?;
    let mut out = String::new();
    for para in &doc.body {
        if para.style == Style::Body {
            out.push_str("\u{3000}\u{3000}");
        }
        out.push_str(&para.text);
        out.push('\n');
    }
    for line in &doc.footer {
        for part in line {
            match part {
                FooterPart::Text(text) => out.push_str(text),
                FooterPart::PageNumber | FooterPart::PageCount => out.push('\u{3000}'),
            }
        }
        out.push('\n');
    }
    Ok(out)
}

/// A date in court style: 〇 for zero, month and day in words (二〇二六年十一月二十二日).
pub fn date_zh(d: NaiveDate) -> String {
    const DIGITS: [char; 10] = ['〇', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
    let digit = |n: u32| {
        usize::try_from(n)
            .ok()
            .and_then(|i| DIGITS.get(i))
            .copied()
            .unwrap_or('〇')
    };
    let small = |n: u32| -> String {
        let (tens, ones) = (n / 10, n % 10);
        let mut s = String::new();
        if tens > 1 {
            s.push(digit(tens));
        }
        if tens > 0 {
            s.push('十');
        }
        if ones > 0 || tens == 0 {
            s.push(digit(ones));
        }
        s
    };
    let year: String = d
        .year()
        .to_string()
        .chars()
        .map(|c| c.to_digit(10).map_or(c, digit))
        .collect();
    format!("{year}年{}月{}日", small(d.month()), small(d.day()))
}

fn is_date_field(name: &str) -> bool {
    name == "date" || name.ends_with("_date")
}

/// Drops characters XML 1.0 cannot carry (control characters other than tab and line feed).
fn clean(value: &str) -> String {
    value
        .replace("\r\n", "\n")
        .chars()
        .filter(|&c| !c.is_control() || c == '\n' || c == '\t')
        .collect()
}

fn value_of(kind: DocKind, fields: &Fields, name: &str) -> Result<String, DocError> {
    let value = fields.get(name).map(str::trim).unwrap_or_default();
    if value.is_empty() {
        return Err(DocError::MissingField {
            kind: kind.as_str(),
            field: name.to_owned(),
        });
    }
    if is_date_field(name) {
        let date =
            NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| DocError::InvalidField {
                kind: kind.as_str(),
                field: name.to_owned(),
                message: format!("“{value}”不是 YYYY-MM-DD 格式的日期"),
            })?;
        return Ok(date_zh(date));
    }
    Ok(clean(value))
}

/// Appends text to a filled line, joining it to text just before (one run, not one per field).
fn push_footer_text(line: &mut Vec<FooterPart>, text: &str) {
    if let Some(FooterPart::Text(last)) = line.last_mut() {
        last.push_str(text);
    } else {
        line.push(FooterPart::Text(text.to_owned()));
    }
}

/// Fills the template's placeholders: body paragraphs in order, `@footer` lines apart.
fn fill(kind: DocKind, fields: &Fields, templates: &Templates) -> Result<FilledDoc, DocError> {
    let paras = template::parse(kind, &templates.source(kind)?)?;
    let mut doc = FilledDoc::default();
    for para in paras {
        let mut line: Vec<FooterPart> = Vec::new();
        for part in &para.parts {
            match part {
                Part::Text(t) => push_footer_text(&mut line, t),
                Part::Field(name) => push_footer_text(&mut line, &value_of(kind, fields, name)?),
                Part::PageNumber => line.push(FooterPart::PageNumber),
                Part::PageCount => line.push(FooterPart::PageCount),
            }
        }
        if para.style == Style::Footer {
            doc.footer.push(line);
        } else {
            // `template::parse` allows page parts only in `@footer` lines, so this is all text.
            let text = line
                .into_iter()
                .filter_map(|p| match p {
                    FooterPart::Text(t) => Some(t),
                    FooterPart::PageNumber | FooterPart::PageCount => None,
                })
                .collect();
            doc.body.push(Filled {
                style: para.style,
                text,
            });
        }
    }
    Ok(doc)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_are_unique() {
        for kind in DocKind::ALL {
            assert_eq!(DocKind::from_str_opt(kind.as_str()), Some(kind));
        }
        let mut ids: Vec<&str> = DocKind::ALL.iter().map(|k| k.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), DocKind::ALL.len());
        assert_eq!(DocKind::from_str_opt("nope"), None);
    }

    #[test]
    fn every_default_template_parses_and_cites_its_basis() {
        for kind in DocKind::ALL {
            let src = kind.builtin_source();
            template::parse(kind, src).unwrap();
            assert!(
                src.starts_with("# "),
                "{kind}: the first line is the comment with the basis"
            );
            assert!(
                src.contains("依据："),
                "{kind}: no legal basis in the header comment"
            );
            let fields = required_fields(kind);
            for common in ["court_name", "date"] {
                assert!(fields.iter().any(|f| f == common), "{kind} lacks {common}");
            }
        }
    }

    #[test]
    fn rustdoc_field_table_matches_the_templates() {
        let docs = include_str!("lib.rs");
        for kind in DocKind::ALL {
            let row = format!(
                "//! | {} | `{}` | {} |",
                kind.name_zh(),
                kind.as_str(),
                required_fields(kind)
                    .iter()
                    .map(|f| format!("`{f}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            assert!(
                docs.contains(&row),
                "update the field table in lib.rs:\n{row}"
            );
        }
    }

    #[test]
    fn dates_in_court_style() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(date_zh(d(2026, 11, 22)), "二〇二六年十一月二十二日");
        assert_eq!(date_zh(d(2020, 10, 1)), "二〇二〇年十月一日");
        assert_eq!(date_zh(d(2019, 12, 31)), "二〇一九年十二月三十一日");
        assert_eq!(date_zh(d(2000, 1, 10)), "二〇〇〇年一月十日");
        assert_eq!(date_zh(d(2026, 2, 20)), "二〇二六年二月二十日");
        assert_eq!(date_zh(d(2026, 5, 15)), "二〇二六年五月十五日");
    }
}
