//! Process nodes (流程节点), node deadlines (节点期限), excluded periods (扣除期间), extensions and
//! warning levels (红黄蓝) — the pure domain layer of the deadline engine (issue 3; rules.md §1).
//!
//! Data:
//! - `data/process_nodes.tsv`: the process_node catalogue, 37 nodes of which 13 key_nodes. The official
//!   37/13 list (seed 003) is NOT public (rules.md §1.6 "NOT FOUND"); the catalogue is a documented
//!   design choice built from the candidate chain of rules.md §1.6.
//! - `data/deadline_rules.tsv`: node_deadline rules as data, each citing regulation + article.
//!
//! Computation order of [`compute_due`] (recorded step by step in [`Derivation`]):
//! 1. raw end = start + length in the rule's unit, start day not counted (民事诉讼法 art 85), WITHOUT
//!    the rest-day roll-over (working-day terms end on a working day by construction);
//! 2. excluded periods (扣除期间, TL2000 art 9; EPI art 13) stop the clock: each day of an excluded
//!    period that begins on or before the running end (and after the start day) pushes the end by one
//!    day; days covered by several periods count once;
//! 3. approved extensions (DL2006 art 1; TL2000 art 5) are added, in order of approval, to the
//!    running (un-rolled) end;
//! 4. a last day that is a rest day rolls to the next working day (民事诉讼法 art 85).
use std::collections::HashMap;
use std::sync::OnceLock;

use chrono::{Days, Months, NaiveDate};

use crate::RuleError;
use crate::calendar::{DayUnit, LegalCalendar};

// ---------------------------------------------------------------------------------------------
// Process nodes
// ---------------------------------------------------------------------------------------------

/// One process_node (流程节点). `key` marks a key_node (关键节点) with SMS warnings (seed 003).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ProcessNode {
    pub id: String,
    pub name_zh: String,
    pub key: bool,
    /// Position in the case flow (ascending, unique).
    pub order: u32,
    /// Regulation(s) the node comes from.
    pub source: String,
}

const NODES_TSV: &str = include_str!("../data/process_nodes.tsv");
const RULES_TSV: &str = include_str!("../data/deadline_rules.tsv");

fn format_err(file: &str, line_no: usize, what: impl std::fmt::Display) -> RuleError {
    RuleError::new(
        "deadline_data_format",
        format!("{file}第 {line_no} 行：{what}"),
    )
}

/// Data lines of a TSV file: skips blank and `#` lines; yields (1-based line number, columns).
fn data_lines(text: &str) -> impl Iterator<Item = (usize, Vec<&str>)> {
    text.lines().enumerate().filter_map(|(idx, raw)| {
        let line = raw.trim_end_matches('\r');
        if line.trim().is_empty() || line.starts_with('#') {
            None
        } else {
            Some((idx.saturating_add(1), line.split('\t').collect()))
        }
    })
}

/// Parse the node catalogue format (`id name_zh key order source`). Errors name the line.
pub fn parse_nodes(text: &str) -> Result<Vec<ProcessNode>, RuleError> {
    const FILE: &str = "流程节点表";
    let mut nodes: Vec<ProcessNode> = Vec::new();
    for (line_no, cols) in data_lines(text) {
        let [id, name_zh, key, order, source] = cols.as_slice() else {
            return Err(format_err(
                FILE,
                line_no,
                "应有 5 列：id、名称、是否关键节点、顺序、依据",
            ));
        };
        if !is_identifier(id) {
            return Err(format_err(
                FILE,
                line_no,
                format!("节点 id「{id}」应为小写字母、数字、下划线"),
            ));
        }
        if name_zh.trim().is_empty() || source.trim().is_empty() {
            return Err(format_err(FILE, line_no, "名称和依据不能为空"));
        }
        let key = match *key {
            "0" => false,
            "1" => true,
            other => {
                return Err(format_err(
                    FILE,
                    line_no,
                    format!("是否关键节点「{other}」应为 0 或 1"),
                ));
            }
        };
        let order: u32 = order
            .parse()
            .map_err(|_| format_err(FILE, line_no, format!("顺序「{order}」应为非负整数")))?;
        if nodes.iter().any(|n| n.id == *id) {
            return Err(format_err(FILE, line_no, format!("节点 id「{id}」重复")));
        }
        if nodes.last().is_some_and(|n| n.order >= order) {
            return Err(format_err(FILE, line_no, "顺序应严格递增"));
        }
        nodes.push(ProcessNode {
            id: (*id).to_string(),
            name_zh: (*name_zh).to_string(),
            key,
            order,
            source: (*source).to_string(),
        });
    }
    Ok(nodes)
}

/// The built-in catalogue (`data/process_nodes.tsv`), parsed once. Should the embedded data be
/// malformed, an empty slice is returned instead of panicking; a unit test asserts that it parses.
pub fn builtin_nodes() -> &'static [ProcessNode] {
    static NODES: OnceLock<Vec<ProcessNode>> = OnceLock::new();
    NODES.get_or_init(|| parse_nodes(NODES_TSV).unwrap_or_default())
}

/// Nodes ordered from this value on are measure nodes (issue 4), outside the 37-node main chain.
pub const MEASURE_NODE_ORDER: u32 = 1000;

impl ProcessNode {
    /// One of the 37 nodes of the main chain (not a measure node).
    pub fn is_main_chain(&self) -> bool {
        self.order < MEASURE_NODE_ORDER
    }
}

/// A built-in process_node by id.
pub fn find_node(id: &str) -> Option<&'static ProcessNode> {
    builtin_nodes().iter().find(|n| n.id == id)
}

fn is_identifier(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

// ---------------------------------------------------------------------------------------------
// Deadline rules
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleKind {
    /// National rule (law, 司法解释, SPC normative document).
    Statutory,
    /// Per-court rule, normally stricter than the statutory one (issue 3 §1).
    Local,
    /// A minimum term: the node may not happen BEFORE the computed date (终本 ≥ 3 months, ZB2016
    /// art 1(4)).
    Minimum,
}

/// Which cases a rule applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseScope {
    All,
    /// Every case except 非诉执行 (the 6-month term, DL2006 art 1).
    Ordinary,
    /// 非诉执行 only (the 3-month term, DL2006 art 1; TL2000 art 5).
    NonLitigation,
}

/// One node_deadline rule: `node` must be reached within `length` `unit` after `start_event`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DeadlineRule {
    pub id: String,
    pub version: u32,
    /// process_node id the rule guards.
    pub node: String,
    /// process_node id whose completion starts the term.
    pub start_event: String,
    pub length: u32,
    pub unit: DayUnit,
    pub kind: RuleKind,
    /// Rules in the same group conflict (rules.md §1.3); one is kept by [`resolve_conflicts`].
    pub conflict_group: Option<String>,
    pub scope: CaseScope,
    /// Regulation + article (+ verification tag).
    pub source: String,
}

/// Parse the rule format (see the header of `data/deadline_rules.tsv`):
/// `id version node start_event length unit kind conflict_group scope source`, TAB-separated,
/// `#` comments, `-` for no conflict group. Errors name the line. Node ids are not checked here
/// (a court's local file may refer to its own nodes); see [`check_rules_against_nodes`].
pub fn parse_rules(text: &str) -> Result<Vec<DeadlineRule>, RuleError> {
    const FILE: &str = "期限规则表";
    let mut rules: Vec<DeadlineRule> = Vec::new();
    for (line_no, cols) in data_lines(text) {
        let [
            id,
            version,
            node,
            start_event,
            length,
            unit,
            kind,
            group,
            scope,
            source,
        ] = cols.as_slice()
        else {
            return Err(format_err(
                FILE,
                line_no,
                "应有 10 列：id、版本、节点、起算事件、长度、单位、类别、冲突组、适用范围、依据",
            ));
        };
        for (what, v) in [("规则 id", id), ("节点", node), ("起算事件", start_event)] {
            if !is_identifier(v) {
                return Err(format_err(
                    FILE,
                    line_no,
                    format!("{what}「{v}」应为小写字母、数字、下划线"),
                ));
            }
        }
        let version: u32 = version
            .parse()
            .map_err(|_| format_err(FILE, line_no, format!("版本「{version}」应为非负整数")))?;
        let length: u32 = length
            .parse()
            .map_err(|_| format_err(FILE, line_no, format!("长度「{length}」应为非负整数")))?;
        let unit = match *unit {
            "calendar_days" => DayUnit::CalendarDays,
            "working_days" => DayUnit::WorkingDays,
            "months" => DayUnit::Months,
            other => {
                return Err(format_err(
                    FILE,
                    line_no,
                    format!("单位「{other}」应为 calendar_days、working_days 或 months"),
                ));
            }
        };
        let kind = match *kind {
            "statutory" => RuleKind::Statutory,
            "local" => RuleKind::Local,
            "minimum" => RuleKind::Minimum,
            other => {
                return Err(format_err(
                    FILE,
                    line_no,
                    format!("类别「{other}」应为 statutory、local 或 minimum"),
                ));
            }
        };
        let conflict_group = match *group {
            "-" => None,
            g if is_identifier(g) => Some(g.to_string()),
            g => {
                return Err(format_err(
                    FILE,
                    line_no,
                    format!("冲突组「{g}」应为 - 或标识符"),
                ));
            }
        };
        let scope = match *scope {
            "all" => CaseScope::All,
            "ordinary" => CaseScope::Ordinary,
            "non_litigation" => CaseScope::NonLitigation,
            other => {
                return Err(format_err(
                    FILE,
                    line_no,
                    format!("适用范围「{other}」应为 all、ordinary 或 non_litigation"),
                ));
            }
        };
        if source.trim().is_empty() {
            return Err(format_err(FILE, line_no, "依据（法规及条文）不能为空"));
        }
        if rules.iter().any(|r| r.id == *id) {
            return Err(format_err(FILE, line_no, format!("规则 id「{id}」重复")));
        }
        rules.push(DeadlineRule {
            id: (*id).to_string(),
            version,
            node: (*node).to_string(),
            start_event: (*start_event).to_string(),
            length,
            unit,
            kind,
            conflict_group,
            scope,
            source: (*source).to_string(),
        });
    }
    Ok(rules)
}

/// Every rule's `node` and `start_event` must be a node of `nodes`.
pub fn check_rules_against_nodes(
    rules: &[DeadlineRule],
    nodes: &[ProcessNode],
) -> Result<(), RuleError> {
    for r in rules {
        for id in [&r.node, &r.start_event] {
            if !nodes.iter().any(|n| n.id == *id) {
                return Err(RuleError::new(
                    "deadline_rule_unknown_node",
                    format!("期限规则「{}」引用了不存在的流程节点「{id}」", r.id),
                ));
            }
        }
    }
    Ok(())
}

/// The built-in rules (`data/deadline_rules.tsv`), parsed once; empty (never a panic) should the
/// embedded data be malformed — a unit test asserts that it parses.
///
/// Rows (each also cites its source in the data file):
/// - `filing_7d`: 立案 within 7 days of the application — TL2000 art 6.
/// - `assignment_7d`: 承办人 within 7 days of filing — DL2006 art 2.
/// - `notice_3d_dl2006` / `notice_10d_cpli`: 执行通知书 3 days after the handler receives the file
///   (DL2006 art 4) vs 10 days after the application (CPLI art 480; EWR art 22) — conflict group
///   `enforcement_notice` (rules.md §1.3).
/// - `notify_leads_3d`: notify the applicant to give leads, 3 days — DL2006 art 5.
/// - `lead_verify_5d_dl2006` / `lead_verify_7d_inv`: 5 days (DL2006 art 6) vs 7 days (INV art 2) —
///   conflict group `lead_verification`.
/// - `investigation_1m`: investigation complete within 1 month — DL2006, article not seen [S].
/// - `reference_price_30d`: start 参考价 within 30 days of seizure — REF art 1.
/// - `disposal_10d`: start disposal within 10 days of the reference price — REF art 30.
/// - `second_auction_30d`: re-auction within 30 days of 流拍 — AUC art 26.
/// - `disbursement_30d`: disburse within 30 days of arrival — KW2017 art 10 [S].
/// - `terminate_min_3m` (minimum): 终本 not before 3 months from filing — ZB2016 art 1(4).
/// - `post_termination_check_6m`: online query every 6 months after 终本 — ZB2016 art 9 para 2.
/// - `closing_6m` / `closing_nonlit_3m`: close within 6 months, 非诉执行 3 months — DL2006 art 1;
///   TL2000 art 5.
pub fn builtin_rules() -> &'static [DeadlineRule] {
    static RULES: OnceLock<Vec<DeadlineRule>> = OnceLock::new();
    RULES.get_or_init(|| parse_rules(RULES_TSV).unwrap_or_default())
}

/// Rough length in days, only to compare rules of one conflict group when their units differ
/// (a month counts 31 days, a working day 7/5 of a day rounded up).
fn approx_days(r: &DeadlineRule) -> u64 {
    let n = u64::from(r.length);
    match r.unit {
        DayUnit::CalendarDays => n,
        DayUnit::WorkingDays => n.saturating_mul(7).div_ceil(5),
        DayUnit::Months => n.saturating_mul(31),
    }
}

/// Keep one rule per conflict group (rules.md §1.3): the court's choice (`conflict_group → rule id`)
/// if given, otherwise the STRICTER rule — the shorter one (the longer one for `minimum` rules);
/// on a tie the first in input order. Rules without a group are kept. Input order is preserved.
/// Errors (`conflict_choice_unknown`) when a choice names a rule not in that group.
pub fn resolve_conflicts(
    rules: &[DeadlineRule],
    court_choice: &HashMap<String, String>,
) -> Result<Vec<DeadlineRule>, RuleError> {
    let mut winner: HashMap<&str, &DeadlineRule> = HashMap::new();
    for r in rules {
        let Some(g) = r.conflict_group.as_deref() else {
            continue;
        };
        let stricter = match winner.get(g) {
            None => true,
            Some(cur) => {
                let (a, b) = (approx_days(r), approx_days(cur));
                if r.kind == RuleKind::Minimum {
                    a > b
                } else {
                    a < b
                }
            }
        };
        if stricter {
            winner.insert(g, r);
        }
    }
    for (group, chosen) in court_choice {
        let Some(r) = rules
            .iter()
            .find(|r| r.id == *chosen && r.conflict_group.as_deref() == Some(group.as_str()))
        else {
            return Err(RuleError::new(
                "conflict_choice_unknown",
                format!("冲突组「{group}」中没有期限规则「{chosen}」"),
            ));
        };
        winner.insert(group.as_str(), r);
    }
    Ok(rules
        .iter()
        .filter(|r| match r.conflict_group.as_deref() {
            None => true,
            Some(g) => winner.get(g).is_some_and(|w| w.id == r.id),
        })
        .cloned()
        .collect())
}

// ---------------------------------------------------------------------------------------------
// Excluded periods and extensions
// ---------------------------------------------------------------------------------------------

/// Kinds of excluded_period (扣除期间). [V] TL2000 art 9; EPI art 13 (rules.md §1.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExclusionKind {
    /// 公告 — TL2000 art 9; EPI art 13.
    Announcement,
    /// 鉴定 — TL2000 art 9; EPI art 13 (鉴定评估).
    Appraisal,
    /// 评估、审计 (资产清理) by professional bodies — TL2000 art 9.
    ValuationAudit,
    /// 暂缓执行 — TL2000 art 9; EPI art 13.
    Postponement,
    /// 中止执行 until resumption — TL2000 art 9; EPI art 13.
    Suspension,
    /// 拍卖、变卖 of seized property — TL2000 art 9.
    AuctionSale,
    /// 管辖权异议 / 管辖争议 — TL2000 art 9; EPI art 13.
    JurisdictionDispute,
    /// 执行争议协调 — EPI art 13.
    DisputeCoordination,
}

impl ExclusionKind {
    pub fn name_zh(self) -> &'static str {
        match self {
            ExclusionKind::Announcement => "公告",
            ExclusionKind::Appraisal => "鉴定",
            ExclusionKind::ValuationAudit => "评估审计",
            ExclusionKind::Postponement => "暂缓执行",
            ExclusionKind::Suspension => "中止执行",
            ExclusionKind::AuctionSale => "拍卖变卖",
            ExclusionKind::JurisdictionDispute => "管辖争议",
            ExclusionKind::DisputeCoordination => "执行争议协调",
        }
    }
}

/// An excluded_period, `from` and `to` inclusive.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ExcludedPeriod {
    pub kind: ExclusionKind,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Approver {
    /// 院长
    President,
    /// 副院长 (enough under DL2006 art 1, not under TL2000 art 5)
    VicePresident,
    /// Anyone else (执行局长, …)
    Other,
}

/// An approved extension (延长期限) of the case term.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Extension {
    pub requested_on: NaiveDate,
    pub approved_on: NaiveDate,
    pub length: u32,
    pub unit: DayUnit,
    pub approver: Approver,
}

/// Minimum lead time of an extension request. [V] DL2006 art 1 (期限届满 5 日前提出).
pub const EXTENSION_REQUEST_LEAD_DAYS: u64 = 5;

/// Validate an extension against the current due date:
/// - requested at least 5 days before `current_due` — DL2006 art 1 → `extension_too_late`;
/// - approved by the 院长 — TL2000 art 5 (DL2006 art 1 also allows a 副院长; the stricter reading
///   is used, rules.md §1.3) → `extension_approver`;
/// - approved on or after the request → `extension_dates`; a positive length → `extension_length`.
pub fn validate_extension(ext: &Extension, current_due: NaiveDate) -> Result<(), RuleError> {
    if ext.length == 0 {
        return Err(RuleError::new("extension_length", "延长期限的长度应大于 0"));
    }
    if ext.approved_on < ext.requested_on {
        return Err(RuleError::new(
            "extension_dates",
            format!(
                "批准日期 {} 早于申请日期 {}",
                ext.approved_on, ext.requested_on
            ),
        ));
    }
    let latest = current_due
        .checked_sub_days(Days::new(EXTENSION_REQUEST_LEAD_DAYS))
        .ok_or_else(|| RuleError::new("extension_too_late", "期限日期超出可计算范围"))?;
    if ext.requested_on > latest {
        return Err(RuleError::new(
            "extension_too_late",
            format!(
                "延长期限应在期限届满 5 日前提出（届满日 {current_due}，最迟 {latest} 申请），实际 {} 申请（《关于人民法院办理执行案件若干期限的规定》第一条）",
                ext.requested_on
            ),
        ));
    }
    if ext.approver != Approver::President {
        return Err(RuleError::new(
            "extension_approver",
            "延长执行期限须经院长批准（《关于严格执行案件审理期限制度的若干规定》第五条）",
        ));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Due date with derivation
// ---------------------------------------------------------------------------------------------

/// An excluded period as applied, with the days it added (0 when it lies outside the running term
/// or is entirely covered by an earlier period).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AppliedExclusion {
    pub kind: ExclusionKind,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub days_added: u32,
}

/// An extension as applied: the running end moved from `from` to `to`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AppliedExtension {
    pub requested_on: NaiveDate,
    pub approved_on: NaiveDate,
    pub length: u32,
    pub unit: DayUnit,
    pub approver: Approver,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// A rest-day last day moved to the next working day (民事诉讼法 art 85).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct RollOver {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// "Why this date": every step of [`compute_due`].
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Derivation {
    pub rule_id: String,
    pub rule_version: u32,
    pub rule_source: String,
    pub start_event: String,
    pub start_on: NaiveDate,
    pub length: u32,
    pub unit: DayUnit,
    /// start + length, before exclusions, extensions and roll-over.
    pub raw_end: NaiveDate,
    pub exclusions: Vec<AppliedExclusion>,
    pub extensions: Vec<AppliedExtension>,
    pub roll_over: Option<RollOver>,
    pub calendar_version: String,
    /// True when a day of the computation lies beyond the published holiday notices: the date is
    /// provisional (weekends and fixed-date holidays only) until the calendar is updated.
    pub calendar_provisional: bool,
    /// A later date approved for this node (案款延期发放, approved by the 执行局长/院长), which
    /// replaces the computed one; absent when none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deferred_to: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Due {
    /// Last day of the term (for `minimum` rules: the first day the node is allowed).
    pub due_on: NaiveDate,
    pub derivation: Derivation,
}

fn range_err() -> RuleError {
    RuleError::new("deadline_out_of_range", "期限计算超出日期表示范围")
}

/// start + n units without rest-day roll-over (working days: the n-th working day after start).
fn add_raw(
    start: NaiveDate,
    n: u32,
    unit: DayUnit,
    cal: &LegalCalendar,
) -> Result<NaiveDate, RuleError> {
    match unit {
        DayUnit::CalendarDays => start
            .checked_add_days(Days::new(u64::from(n)))
            .ok_or_else(range_err),
        DayUnit::Months => start
            .checked_add_months(Months::new(n))
            .ok_or_else(range_err),
        DayUnit::WorkingDays => cal.period_end(start, n, DayUnit::WorkingDays),
    }
}

/// Inclusive day count of `from..=to` (0 when `to < from`).
fn days_inclusive(from: NaiveDate, to: NaiveDate) -> Result<u32, RuleError> {
    let n = to.signed_duration_since(from).num_days().saturating_add(1);
    if n <= 0 {
        return Ok(0);
    }
    u32::try_from(n).map_err(|_| range_err())
}

/// Compute the due date of `rule` started by an event on `start_on`, in the order described in the
/// module documentation (raw end → excluded periods → extensions → roll-over). Errors:
/// `excluded_period_invalid` (from > to), the codes of [`validate_extension`] (each extension is
/// validated against the due date as it stands before it, rolled to a working day),
/// `calendar_out_of_range` / `deadline_out_of_range`.
pub fn compute_due(
    rule: &DeadlineRule,
    start_on: NaiveDate,
    excluded: &[ExcludedPeriod],
    extensions: &[Extension],
    cal: &LegalCalendar,
) -> Result<Due, RuleError> {
    let raw_end = add_raw(start_on, rule.length, rule.unit, cal)?;
    let first_counted = start_on.succ_opt().ok_or_else(range_err)?;

    // Excluded periods, sorted by start; `covered_to` = last day already excluded.
    let mut sorted: Vec<&ExcludedPeriod> = excluded.iter().collect();
    sorted.sort_by_key(|p| (p.from, p.to));
    let mut end = raw_end;
    let mut covered_to: Option<NaiveDate> = None;
    let mut exclusions = Vec::with_capacity(sorted.len());
    for p in sorted {
        if p.from > p.to {
            return Err(RuleError::new(
                "excluded_period_invalid",
                format!(
                    "扣除期间（{}）起日 {} 晚于止日 {}",
                    p.kind.name_zh(),
                    p.from,
                    p.to
                ),
            ));
        }
        let mut eff_from = p.from.max(first_counted);
        if let Some(c) = covered_to {
            eff_from = eff_from.max(c.succ_opt().ok_or_else(range_err)?);
        }
        let days_added = if p.from <= end && eff_from <= p.to {
            days_inclusive(eff_from, p.to)?
        } else {
            0
        };
        if days_added > 0 {
            end = end
                .checked_add_days(Days::new(u64::from(days_added)))
                .ok_or_else(range_err)?;
            covered_to = Some(covered_to.map_or(p.to, |c| c.max(p.to)));
        }
        exclusions.push(AppliedExclusion {
            kind: p.kind,
            from: p.from,
            to: p.to,
            days_added,
        });
    }

    // Extensions, in order of approval.
    let mut exts: Vec<&Extension> = extensions.iter().collect();
    exts.sort_by_key(|e| (e.approved_on, e.requested_on));
    let mut applied_ext = Vec::with_capacity(exts.len());
    for e in exts {
        let current_due = cal.period_end(end, 0, DayUnit::CalendarDays)?;
        validate_extension(e, current_due)?;
        let to = add_raw(end, e.length, e.unit, cal)?;
        applied_ext.push(AppliedExtension {
            requested_on: e.requested_on,
            approved_on: e.approved_on,
            length: e.length,
            unit: e.unit,
            approver: e.approver,
            from: end,
            to,
        });
        end = to;
    }

    // Roll-over (民事诉讼法 art 85).
    let due_on = cal.period_end(end, 0, DayUnit::CalendarDays)?;
    let roll_over = (due_on != end).then_some(RollOver {
        from: end,
        to: due_on,
    });
    Ok(Due {
        due_on,
        derivation: Derivation {
            rule_id: rule.id.clone(),
            rule_version: rule.version,
            rule_source: rule.source.clone(),
            start_event: rule.start_event.clone(),
            start_on,
            length: rule.length,
            unit: rule.unit,
            raw_end,
            exclusions,
            extensions: applied_ext,
            roll_over,
            calendar_version: cal.version().to_string(),
            calendar_provisional: cal.is_provisional(start_on)
                || cal.is_provisional(raw_end)
                || cal.is_provisional(due_on),
            deferred_to: None,
        },
    })
}

// ---------------------------------------------------------------------------------------------
// Warning levels (红黄蓝)
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Blue,
    Yellow,
    Red,
}

impl Level {
    /// The stored and wire name (`blue`, `yellow`, `red`).
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Blue => "blue",
            Level::Yellow => "yellow",
            Level::Red => "red",
        }
    }

    pub fn from_str_opt(s: &str) -> Option<Level> {
        [Level::Blue, Level::Yellow, Level::Red]
            .into_iter()
            .find(|l| l.as_str() == s)
    }
}

/// Default blue window: 3 working days (issue 3 §2; per-court configurable).
pub const DEFAULT_BLUE_WORKING_DAYS: u32 = 3;

/// Warning level of a deadline on `today` (issue 3 §2):
/// None when `done`, or when more than `blue_working_days` working days lie in `(today, due_on]`;
/// Blue when at most that many do (and today is before the due date); Yellow on `due_on`;
/// Red when `today > due_on`.
pub fn level(
    due_on: NaiveDate,
    today: NaiveDate,
    done: bool,
    blue_working_days: u32,
    cal: &LegalCalendar,
) -> Option<Level> {
    if done {
        return None;
    }
    if today > due_on {
        return Some(Level::Red);
    }
    if today == due_on {
        return Some(Level::Yellow);
    }
    let mut count = 0u32;
    let mut cur = today;
    while cur < due_on {
        cur = cur.succ_opt()?;
        if cal.is_working_day(cur) {
            count = count.saturating_add(1);
            if count > blue_working_days {
                return None;
            }
        }
    }
    Some(Level::Blue)
}

/// The dates on which a deadline's level changes: blue from `blue_from` (None when the blue window
/// is empty, e.g. `blue_working_days` = 0), yellow on `due_on`, red from the day after. The days in
/// `[blue_from, due_on)` are exactly those where [`level`] answers Blue (a property test checks it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct LevelWindows {
    pub blue_from: Option<NaiveDate>,
    pub due_on: NaiveDate,
    pub red_from: NaiveDate,
}

/// Compute the [`LevelWindows`] of a due date. Walks back from `due_on` over at most
/// `blue_working_days` working days (plus the rest days between them): bounded, at most a few
/// dozen steps for any real threshold.
pub fn level_windows(
    due_on: NaiveDate,
    blue_working_days: u32,
    cal: &LegalCalendar,
) -> Result<LevelWindows, RuleError> {
    let red_from = due_on.succ_opt().ok_or_else(range_err)?;
    // Blue on day d (< due_on) iff the working days in (d, due_on] number at most N. Going back
    // from due_on - 1, the count only grows, so blue days form one interval ending at due_on - 1.
    let mut blue_from = None;
    let mut count = if cal.is_working_day(due_on) { 1u32 } else { 0 };
    let mut d = due_on;
    // 400 steps cover any threshold up to a year of working days; past that the window is capped.
    for _ in 0..400 {
        if count > blue_working_days {
            break;
        }
        let Some(prev) = d.pred_opt() else { break };
        blue_from = Some(prev);
        if cal.is_working_day(prev) {
            count = count.saturating_add(1);
        }
        d = prev;
    }
    Ok(LevelWindows {
        blue_from,
        due_on,
        red_from,
    })
}

impl LevelWindows {
    /// The level on `today` (same answer as [`level`] for an open deadline).
    pub fn level_on(&self, today: NaiveDate) -> Option<Level> {
        if today >= self.red_from {
            Some(Level::Red)
        } else if today == self.due_on {
            Some(Level::Yellow)
        } else if self.blue_from.is_some_and(|b| today >= b) {
            Some(Level::Blue)
        } else {
            None
        }
    }

    /// The first day after `today` on which the level differs from today's (None once red: red is
    /// final until the deadline is done).
    pub fn next_change_after(&self, today: NaiveDate) -> Option<NaiveDate> {
        match self.level_on(today) {
            Some(Level::Red) => None,
            Some(Level::Yellow) => Some(self.red_from),
            Some(Level::Blue) => Some(self.due_on),
            None => match self.blue_from {
                Some(b) if b > today => Some(b),
                _ => Some(self.due_on),
            },
        }
    }
}

/// 非诉执行 (DL2006 art 1: close within 3 months): enforcement of a basis not made by a court in
/// litigation. The stricter reading is used: arbitral awards and notarial deeds of debt count as
/// non-litigation (the shorter 3-month term applies), as do 行审 cases (非诉行政行为申请执行审查).
pub fn is_non_litigation(basis_document_type: &str, type_code: &str) -> bool {
    matches!(basis_document_type, "仲裁裁决书" | "公证债权文书")
        || type_code == "行审"
        || type_code == "行审复"
}

impl DeadlineRule {
    /// Does the rule apply to a case of this kind (the `scope` column)?
    pub fn applies(&self, non_litigation: bool) -> bool {
        match self.scope {
            CaseScope::All => true,
            CaseScope::Ordinary => !non_litigation,
            CaseScope::NonLitigation => non_litigation,
        }
    }
}

/// The rules a court uses: built-in plus its local rules, after conflict resolution (rules.md §1.3).
pub fn effective_rules(
    local: &[DeadlineRule],
    court_choice: &HashMap<String, String>,
) -> Result<Vec<DeadlineRule>, RuleError> {
    let mut all: Vec<DeadlineRule> = builtin_rules().to_vec();
    for r in local {
        if all.iter().any(|b| b.id == r.id) {
            return Err(RuleError::new(
                "deadline_rule_duplicate",
                format!("本院期限规则 id「{}」与内置规则重复", r.id),
            ));
        }
        all.push(r.clone());
    }
    check_rules_against_nodes(&all, builtin_nodes())?;
    resolve_conflicts(&all, court_choice)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn cal() -> &'static LegalCalendar {
        LegalCalendar::builtin()
    }

    fn rule(id: &str) -> &'static DeadlineRule {
        builtin_rules()
            .iter()
            .find(|r| r.id == id)
            .unwrap_or_else(|| panic!("no rule {id}"))
    }

    fn excl(kind: ExclusionKind, from: &str, to: &str) -> ExcludedPeriod {
        ExcludedPeriod {
            kind,
            from: d(from),
            to: d(to),
        }
    }

    #[test]
    fn builtin_data_parses() {
        let nodes = parse_nodes(NODES_TSV).expect("process_nodes.tsv must parse");
        let rules = parse_rules(RULES_TSV).expect("deadline_rules.tsv must parse");
        let main: Vec<_> = nodes.iter().filter(|n| n.is_main_chain()).collect();
        assert_eq!(main.len(), 37);
        assert_eq!(main.iter().filter(|n| n.key).count(), 13);
        assert_eq!(
            nodes.len(),
            37 + 16,
            "37 main-chain nodes + 16 measure nodes"
        );
        assert_eq!(builtin_nodes().len(), nodes.len());
        assert_eq!(rules.len(), 25);
        assert_eq!(builtin_rules().len(), 25);
        assert_eq!(
            find_node("filing").map(|n| n.name_zh.as_str()),
            Some("立案")
        );
        assert!(find_node("nope").is_none());
        // Every data row of both files produced one item.
        let rows = |t: &str| {
            t.lines()
                .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
                .count()
        };
        assert_eq!(rows(NODES_TSV), nodes.len());
        assert_eq!(rows(RULES_TSV), rules.len());
    }

    #[test]
    fn key_nodes_are_the_chosen_thirteen() {
        let keys: Vec<&str> = builtin_nodes()
            .iter()
            .filter(|n| n.key)
            .map(|n| n.id.as_str())
            .collect();
        assert_eq!(
            keys,
            [
                "filing",
                "assignment",
                "enforcement_notice",
                "first_online_inquiry",
                "asset_investigation_complete",
                "seal_seize_freeze",
                "renew_seal",
                "reference_price_start",
                "disposal_start",
                "disbursement",
                "consumption_restriction",
                "terminate_current",
                "closing",
            ]
        );
    }

    #[test]
    fn rules_refer_to_catalogue_and_cite_sources() {
        check_rules_against_nodes(builtin_rules(), builtin_nodes()).unwrap();
        for r in builtin_rules() {
            assert!(r.source.contains("art"), "{} cites no article", r.id);
            assert!(r.version >= 1 && r.length >= 1, "{}", r.id);
            // The started node comes after the starting event in the flow.
            let (n, s) = (
                find_node(&r.node).unwrap(),
                find_node(&r.start_event).unwrap(),
            );
            // (Within the main chain; measure nodes are ordered apart, ≥ 1000.)
            if n.is_main_chain() == s.is_main_chain() {
                assert!(s.order < n.order, "{}", r.id);
            }
        }
        let bad = parse_rules(
            "x\t1\tfiling\tno_such_node\t3\tcalendar_days\tlocal\t-\tall\tlocal rule art 1\n",
        )
        .unwrap();
        assert_eq!(
            check_rules_against_nodes(&bad, builtin_nodes())
                .unwrap_err()
                .code,
            "deadline_rule_unknown_node"
        );
    }

    /// (rule id, start, expected due) — every built-in rule once.
    #[test]
    fn every_builtin_rule_computes() {
        let rows = [
            ("filing_7d", "2024-03-04", "2024-03-11"),     // Monday + 7
            ("assignment_7d", "2024-03-04", "2024-03-11"), //
            ("notice_3d_dl2006", "2024-09-27", "2024-09-30"), // Friday + 3 = Monday 9-30 (working)
            ("notice_10d_cpli", "2024-09-27", "2024-10-08"), // 10-07 国庆 → 10-08
            ("notify_leads_3d", "2024-09-26", "2024-09-29"), // 调休 working Sunday: no roll
            ("lead_verify_5d_dl2006", "2024-09-26", "2024-10-08"), // 10-01 国庆 → 10-08
            ("lead_verify_7d_inv", "2024-09-20", "2024-09-27"), // Friday
            ("investigation_1m", "2024-09-04", "2024-10-08"), // 10-04 国庆 → 10-08
            ("reference_price_30d", "2024-03-04", "2024-04-03"), // Wednesday
            ("disposal_10d", "2024-05-31", "2024-06-11"),  // 6-10 端午 → 6-11
            ("second_auction_30d", "2024-09-13", "2024-10-14"), // 10-13 Sunday → Monday
            ("disbursement_30d", "2024-09-05", "2024-10-08"), // 10-05 国庆 → 10-08
            ("terminate_min_3m", "2024-08-31", "2024-12-02"), // 11-30 Saturday → Monday
            ("post_termination_check_6m", "2024-04-12", "2024-10-12"), // 调休 working Saturday
            ("closing_6m", "2024-08-31", "2025-02-28"),    // month end, Friday
            ("closing_nonlit_3m", "2024-11-30", "2025-02-28"), // month end
            ("dishonest_decision_15d", "2024-09-27", "2024-10-12"), // 调休 working Saturday
            ("delete_dishonest_3wd", "2024-09-30", "2024-10-10"), // 10-08, 09, 10 after 国庆
            ("correction_decision_15d", "2024-03-04", "2024-03-19"),
            ("correction_done_3wd", "2024-09-27", "2024-10-08"), // 9-29 调休, 9-30, 10-08
            ("reward_decision_10d", "2024-03-04", "2024-03-14"),
            ("crime_referral_7d", "2024-03-04", "2024-03-11"),
            ("referral_concluded_30d", "2024-03-04", "2024-04-03"),
            ("sanction_review_decision_5d", "2024-09-28", "2024-10-08"), // 10-03 国庆 → 10-08
            ("correction_review_decision_15d", "2024-09-20", "2024-10-08"), // 10-05 国庆 → 10-08
        ];
        assert_eq!(rows.len(), builtin_rules().len());
        for (id, start, want) in rows {
            let due = compute_due(rule(id), d(start), &[], &[], cal()).unwrap();
            assert_eq!(due.due_on, d(want), "{id} from {start}");
            assert_eq!(due.derivation.rule_id, id);
            assert_eq!(due.derivation.calendar_version, cal().version());
        }
    }

    #[test]
    fn notice_from_friday_before_national_day() {
        // 2024-09-27 Friday; 9-28 Saturday rest, 9-29 调休 working Sunday, 9-30 Monday working.
        // Calendar days: 9-28, 9-29, 9-30 → 9-30, a working day: no roll-over.
        let due = compute_due(rule("notice_3d_dl2006"), d("2024-09-27"), &[], &[], cal()).unwrap();
        assert_eq!(due.due_on, d("2024-09-30"));
        assert_eq!(due.derivation.raw_end, d("2024-09-30"));
        assert_eq!(due.derivation.roll_over, None);
        // A local 3-WORKING-day variant counts 9-29 (worked Sunday), 9-30, then skips 国庆 to 10-08.
        let local = parse_rules(
            "notice_3wd\t1\tenforcement_notice\tassignment\t3\tworking_days\tlocal\tenforcement_notice\tall\tlocal rule (court X art 1)\n",
        )
        .unwrap();
        let due = compute_due(&local[0], d("2024-09-27"), &[], &[], cal()).unwrap();
        assert_eq!(due.due_on, d("2024-10-08"));
    }

    #[test]
    fn disbursement_across_national_day_records_roll_over() {
        let due = compute_due(rule("disbursement_30d"), d("2024-09-05"), &[], &[], cal()).unwrap();
        assert_eq!(due.due_on, d("2024-10-08"));
        assert_eq!(
            due.derivation.roll_over,
            Some(RollOver {
                from: d("2024-10-05"),
                to: d("2024-10-08")
            })
        );
        let json = serde_json::to_value(&due).unwrap();
        assert_eq!(json["due_on"], "2024-10-08");
        assert_eq!(json["derivation"]["rule_id"], "disbursement_30d");
        assert_eq!(json["derivation"]["unit"], "calendar_days");
        assert_eq!(json["derivation"]["roll_over"]["from"], "2024-10-05");
    }

    /// (periods, expected due, days added per period in date order) for closing_6m from 2024-01-10
    /// (raw end 2024-07-10, Wednesday).
    #[test]
    fn excluded_periods_table() {
        use ExclusionKind::*;
        let rows: Vec<(Vec<ExcludedPeriod>, &str, Vec<u32>)> = vec![
            (vec![], "2024-07-10", vec![]),
            // 30-day 公告 inside the term pushes the end by 30 days.
            (
                vec![excl(Announcement, "2024-04-01", "2024-04-30")],
                "2024-08-09",
                vec![30],
            ),
            // Overlapping 公告 + 鉴定: union 04-01..05-10 = 40 days, counted once.
            (
                vec![
                    excl(Appraisal, "2024-04-21", "2024-05-10"),
                    excl(Announcement, "2024-04-01", "2024-04-30"),
                ],
                "2024-08-19",
                vec![30, 10],
            ),
            // Nested period adds nothing.
            (
                vec![
                    excl(Suspension, "2024-03-01", "2024-03-31"),
                    excl(Postponement, "2024-03-10", "2024-03-20"),
                ],
                "2024-08-12", // 07-10 + 31 = 08-10 Saturday → Monday 08-12
                vec![31, 0],
            ),
            // Starts before the term: only days after the start day count (01-11..01-20 = 10).
            (
                vec![excl(JurisdictionDispute, "2024-01-01", "2024-01-20")],
                "2024-07-22",
                vec![10],
            ), // 07-20 Sat → 07-22
            // Entirely after the end: nothing.
            (
                vec![excl(AuctionSale, "2024-07-11", "2024-07-31")],
                "2024-07-10",
                vec![0],
            ),
            // Straddles the end: the whole period stops the clock (07-01..07-20 = 20 days).
            (
                vec![excl(ValuationAudit, "2024-07-01", "2024-07-20")],
                "2024-07-30",
                vec![20],
            ),
            // Reached only because the first period extended the term.
            (
                vec![
                    excl(Announcement, "2024-04-01", "2024-04-30"),
                    excl(DisputeCoordination, "2024-07-20", "2024-07-29"),
                ],
                "2024-08-19", // 07-10 + 30 = 08-09; + 10 = 08-19
                vec![30, 10],
            ),
        ];
        for (periods, want, added) in rows {
            let due =
                compute_due(rule("closing_6m"), d("2024-01-10"), &periods, &[], cal()).unwrap();
            assert_eq!(due.due_on, d(want), "{periods:?}");
            assert_eq!(due.derivation.raw_end, d("2024-07-10"));
            let got: Vec<u32> = due
                .derivation
                .exclusions
                .iter()
                .map(|e| e.days_added)
                .collect();
            assert_eq!(got, added, "{periods:?}");
        }
        let bad = [excl(Announcement, "2024-05-01", "2024-04-01")];
        assert_eq!(
            compute_due(rule("closing_6m"), d("2024-01-10"), &bad, &[], cal())
                .unwrap_err()
                .code,
            "excluded_period_invalid"
        );
    }

    /// (requested_on, approver, expected result) against closing_6m from 2024-01-10, due 2024-07-10.
    #[test]
    fn extensions_table() {
        let rows = [
            ("2024-07-06", Approver::President, Err("extension_too_late")), // 4 days before
            ("2024-07-05", Approver::President, Ok("2024-10-10")), // 5 days before; +3 months
            ("2024-06-01", Approver::President, Ok("2024-10-10")),
            (
                "2024-07-05",
                Approver::VicePresident,
                Err("extension_approver"),
            ),
            ("2024-07-05", Approver::Other, Err("extension_approver")),
        ];
        for (requested, approver, want) in rows {
            let ext = Extension {
                requested_on: d(requested),
                approved_on: d("2024-07-08"),
                length: 3,
                unit: DayUnit::Months,
                approver,
            };
            let got = compute_due(rule("closing_6m"), d("2024-01-10"), &[], &[ext], cal());
            match want {
                Ok(date) => {
                    let due = got.unwrap();
                    assert_eq!(due.due_on, d(date), "{requested} {approver:?}");
                    assert_eq!(due.derivation.extensions.len(), 1);
                    assert_eq!(due.derivation.extensions[0].from, d("2024-07-10"));
                }
                Err(code) => assert_eq!(got.unwrap_err().code, code, "{requested} {approver:?}"),
            }
        }
        let backwards = Extension {
            requested_on: d("2024-07-01"),
            approved_on: d("2024-06-30"),
            length: 1,
            unit: DayUnit::Months,
            approver: Approver::President,
        };
        assert_eq!(
            validate_extension(&backwards, d("2024-07-10"))
                .unwrap_err()
                .code,
            "extension_dates"
        );
        let zero = Extension {
            length: 0,
            approved_on: d("2024-07-01"),
            ..backwards
        };
        assert_eq!(
            validate_extension(&zero, d("2024-07-10")).unwrap_err().code,
            "extension_length"
        );
    }

    #[test]
    fn exclusion_then_extension_then_roll_over() {
        // 6 months from 2024-01-10 → 07-10; 公告 30 days → 08-09; extension 1 month → 09-09 (Monday).
        // The request on 08-04 is 5 days before the extended due date 08-09.
        let periods = [excl(
            ExclusionKind::Announcement,
            "2024-04-01",
            "2024-04-30",
        )];
        let ext = Extension {
            requested_on: d("2024-08-04"),
            approved_on: d("2024-08-06"),
            length: 1,
            unit: DayUnit::Months,
            approver: Approver::President,
        };
        let due = compute_due(
            rule("closing_6m"),
            d("2024-01-10"),
            &periods,
            std::slice::from_ref(&ext),
            cal(),
        )
        .unwrap();
        assert_eq!(due.due_on, d("2024-09-09"));
        let late = Extension {
            requested_on: d("2024-08-05"),
            ..ext
        };
        assert_eq!(
            compute_due(
                rule("closing_6m"),
                d("2024-01-10"),
                &periods,
                &[late],
                cal()
            )
            .unwrap_err()
            .code,
            "extension_too_late"
        );
    }

    #[test]
    fn conflict_resolution() {
        let none = HashMap::new();
        let kept = resolve_conflicts(builtin_rules(), &none).unwrap();
        let ids: Vec<&str> = kept.iter().map(|r| r.id.as_str()).collect();
        assert!(ids.contains(&"notice_3d_dl2006") && !ids.contains(&"notice_10d_cpli"));
        assert!(ids.contains(&"lead_verify_5d_dl2006") && !ids.contains(&"lead_verify_7d_inv"));
        assert_eq!(kept.len(), builtin_rules().len() - 2);

        let choice: HashMap<String, String> = [(
            "enforcement_notice".to_string(),
            "notice_10d_cpli".to_string(),
        )]
        .into();
        let kept = resolve_conflicts(builtin_rules(), &choice).unwrap();
        let ids: Vec<&str> = kept.iter().map(|r| r.id.as_str()).collect();
        assert!(ids.contains(&"notice_10d_cpli") && !ids.contains(&"notice_3d_dl2006"));
        assert!(ids.contains(&"lead_verify_5d_dl2006"));

        // (group → chosen id) that must be refused.
        for (group, chosen) in [
            ("enforcement_notice", "lead_verify_7d_inv"),
            ("no_group", "notice_10d_cpli"),
            ("enforcement_notice", "missing"),
        ] {
            let choice: HashMap<String, String> = [(group.to_string(), chosen.to_string())].into();
            assert_eq!(
                resolve_conflicts(builtin_rules(), &choice)
                    .unwrap_err()
                    .code,
                "conflict_choice_unknown"
            );
        }

        // A local stricter rule wins by default, also across units (1 month ≈ 31 days > 3 wd).
        let mut rules = parse_rules(
            "a\t1\tclosing\tfiling\t1\tmonths\tstatutory\tg\tall\tX art 1\n\
             b\t1\tclosing\tfiling\t3\tworking_days\tlocal\tg\tall\tY art 2\n\
             m1\t1\tterminate_current\tfiling\t3\tmonths\tminimum\th\tall\tZ art 1\n\
             m2\t1\tterminate_current\tfiling\t2\tmonths\tminimum\th\tall\tZ art 2\n",
        )
        .unwrap();
        let kept = resolve_conflicts(&rules, &none).unwrap();
        let ids: Vec<&str> = kept.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["b", "m1"]); // minimum: the longer is stricter
        rules.reverse();
        let kept = resolve_conflicts(&rules, &none).unwrap();
        let ids: Vec<&str> = kept.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["m1", "b"]);
    }

    #[test]
    fn parse_errors_name_the_line() {
        let good = "r\t1\tfiling\tassignment\t3\tcalendar_days\tstatutory\t-\tall\tX art 1";
        let cases = [
            (
                "r\t1\tfiling\tassignment\t3\tcalendar_days\tstatutory\t-\tall",
                3,
            ),
            (
                "r\tv1\tfiling\tassignment\t3\tcalendar_days\tstatutory\t-\tall\tX art 1",
                3,
            ),
            (
                "r\t1\tfiling\tassignment\t-3\tcalendar_days\tstatutory\t-\tall\tX art 1",
                3,
            ),
            (
                "r\t1\tfiling\tassignment\t3\tdays\tstatutory\t-\tall\tX art 1",
                3,
            ),
            (
                "r\t1\tfiling\tassignment\t3\tcalendar_days\tnational\t-\tall\tX art 1",
                3,
            ),
            (
                "r\t1\tfiling\tassignment\t3\tcalendar_days\tstatutory\tBad Group\tall\tX art 1",
                3,
            ),
            (
                "r\t1\tfiling\tassignment\t3\tcalendar_days\tstatutory\t-\tcivil\tX art 1",
                3,
            ),
            (
                "r\t1\tfiling\tassignment\t3\tcalendar_days\tstatutory\t-\tall\t ",
                3,
            ),
            (
                "r\t1\t立案\tassignment\t3\tcalendar_days\tstatutory\t-\tall\tX art 1",
                3,
            ),
            (&format!("{good}\n\n{good}"), 5), // duplicate id
        ];
        for (body, line) in cases {
            let e = parse_rules(&format!("# head\n\n{body}\n")).unwrap_err();
            assert_eq!(e.code, "deadline_data_format");
            assert!(
                e.message.contains(&format!("第 {line} 行")),
                "{}",
                e.message
            );
        }
        let node_cases = [
            ("a\t甲\t2\t1\tX", 2),
            ("a\t甲\t1\tone\tX", 2),
            ("a\t甲\t1\t1", 2),
            ("a\t甲\t1\t2\tX\nb\t乙\t0\t1\tX", 3), // order must increase
            ("a\t甲\t1\t1\tX\na\t乙\t0\t2\tX", 3), // duplicate id
        ];
        for (body, line) in node_cases {
            let e = parse_nodes(&format!("# head\n{body}\n")).unwrap_err();
            assert_eq!(e.code, "deadline_data_format");
            assert!(
                e.message.contains(&format!("第 {line} 行")),
                "{}",
                e.message
            );
        }
    }

    /// (today, done, expected) around a Monday due date 2024-06-17 with the default 3-working-day
    /// blue window (6-10 was 端午, 6-15/16 an ordinary weekend).
    #[test]
    fn levels_around_due_date() {
        let due = d("2024-06-17");
        let rows = [
            ("2024-06-07", false, None), // Fri: 11,12,13,14,17 = 5 working days
            ("2024-06-11", false, None), // Tue: 12,13,14,17 = 4
            ("2024-06-12", false, Some(Level::Blue)), // Wed: 13,14,17 = 3
            ("2024-06-14", false, Some(Level::Blue)), // Fri
            ("2024-06-15", false, Some(Level::Blue)), // Saturday
            ("2024-06-16", false, Some(Level::Blue)), // Sunday
            ("2024-06-17", false, Some(Level::Yellow)),
            ("2024-06-18", false, Some(Level::Red)),
            ("2024-12-31", false, Some(Level::Red)),
            ("2024-06-18", true, None),
            ("2024-06-17", true, None),
        ];
        for (today, done, want) in rows {
            assert_eq!(
                level(due, d(today), done, DEFAULT_BLUE_WORKING_DAYS, cal()),
                want,
                "{today} done={done}"
            );
        }
        // A blue window crossing National Day: due 10-08, today 09-29 (worked Sunday):
        // working days 9-30, 10-08 = 2 → blue; with a 1-day window → none.
        assert_eq!(
            level(d("2024-10-08"), d("2024-09-29"), false, 3, cal()),
            Some(Level::Blue)
        );
        assert_eq!(
            level(d("2024-10-08"), d("2024-09-29"), false, 1, cal()),
            None
        );
        assert_eq!(
            level(d("2024-10-08"), d("2024-09-30"), false, 1, cal()),
            Some(Level::Blue)
        );
    }

    #[test]
    fn level_windows_agree_with_level_over_two_years() {
        // Every due date of 2024–2025 (National Day week, Spring Festival, 调休 Saturdays) and
        // thresholds 0..=5: the windows give the same level as `level` on every day around them.
        let mut due = d("2024-01-01");
        while due <= d("2025-12-31") {
            for n in 0..=5u32 {
                let w = level_windows(due, n, cal()).unwrap();
                let mut day = due - chrono::Days::new(20);
                while day <= due + chrono::Days::new(2) {
                    assert_eq!(
                        w.level_on(day),
                        level(due, day, false, n, cal()),
                        "due {due} n {n} day {day}"
                    );
                    if let Some(next) = w.next_change_after(day) {
                        assert!(next > day);
                        assert_ne!(
                            w.level_on(next),
                            w.level_on(day),
                            "due {due} n {n} day {day}"
                        );
                        let mut between = day.succ_opt().unwrap();
                        while between < next {
                            assert_eq!(w.level_on(between), w.level_on(day));
                            between = between.succ_opt().unwrap();
                        }
                    } else {
                        assert_eq!(w.level_on(day), Some(Level::Red));
                    }
                    day = day.succ_opt().unwrap();
                }
            }
            due = due.succ_opt().unwrap();
        }
    }

    #[test]
    fn blue_window_spans_the_national_day_week() {
        // Due 2024-10-08 (Tuesday after the 10-01..10-07 holiday; 10-12 is a 调休 working Saturday).
        // 3 working days back: 10-08, then 09-30, 09-29 (调休 Sunday) → blue from 09-28?
        // Working days in (d, 10-08] ≤ 3: d = 09-28 gives 09-29, 09-30, 10-08 = 3 → blue.
        // d = 09-27 adds 09-28 (Saturday, a rest day) → still 3 → blue; d = 09-26 adds 09-27 → 4.
        let w = level_windows(d("2024-10-08"), 3, cal()).unwrap();
        assert!(
            cal().is_working_day(d("2024-09-29")),
            "09-29 is a 调休 working Sunday"
        );
        assert_eq!(w.blue_from, Some(d("2024-09-27")));
        assert_eq!(w.level_on(d("2024-09-26")), None);
        assert_eq!(w.level_on(d("2024-10-03")), Some(Level::Blue));
        assert_eq!(w.level_on(d("2024-10-08")), Some(Level::Yellow));
        assert_eq!(w.level_on(d("2024-10-09")), Some(Level::Red));
        assert_eq!(w.next_change_after(d("2024-09-20")), Some(d("2024-09-27")));
        assert_eq!(w.next_change_after(d("2024-10-09")), None);
    }

    #[test]
    fn non_litigation_and_scope() {
        assert!(is_non_litigation("仲裁裁决书", "执"));
        assert!(is_non_litigation("公证债权文书", "执"));
        assert!(!is_non_litigation("民事判决书", "执"));
        let six = rule("closing_6m");
        let three = rule("closing_nonlit_3m");
        assert!(six.applies(false) && !six.applies(true));
        assert!(three.applies(true) && !three.applies(false));
    }

    #[test]
    fn effective_rules_resolve_and_refuse_duplicates() {
        let eff = effective_rules(&[], &HashMap::new()).unwrap();
        assert!(eff.iter().any(|r| r.id == "notice_3d_dl2006"));
        assert!(!eff.iter().any(|r| r.id == "notice_10d_cpli"));
        let mut local = rule("closing_6m").clone();
        assert_eq!(
            effective_rules(&[local.clone()], &HashMap::new())
                .unwrap_err()
                .code,
            "deadline_rule_duplicate"
        );
        local.id = "first_inquiry_3d_local".into();
        local.node = "first_online_inquiry".into();
        local.start_event = "filing".into();
        local.length = 3;
        local.kind = RuleKind::Local;
        let eff = effective_rules(&[local], &HashMap::new()).unwrap();
        assert!(eff.iter().any(|r| r.id == "first_inquiry_3d_local"));
    }
}
