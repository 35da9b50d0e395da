//! The duty capabilities of issue 4 as pure rules: reward notices (执行悬赏, INV arts 21–24), 执行110
//! tip-offs with police control (临控), and referrals for the crime of refusing to perform a judgment
//! (拒不执行判决、裁定罪, CRIM art 313; REFUSE 法释〔2024〕13号).
//!
//! Everything here is a function of its arguments: texts from the public are checked for length and
//! control characters (they are stored and returned as plain text, never as markup), phone numbers
//! are checked against the mainland numbering plan, state transitions are tables.

use chrono::{Duration, NaiveDate};

use crate::RuleError;
use crate::calendar::{DayUnit, LegalCalendar};

// ---------------------------------------------------------------------------------------------
// Free text from staff and from the public
// ---------------------------------------------------------------------------------------------

/// Longest free text accepted from the public or staff (the tip form's limit).
pub const MAX_TEXT_CHARS: usize = 2000;
/// Longest person or agency name.
pub const MAX_NAME_CHARS: usize = 100;

/// Normalise a free text: trim, turn CR LF into LF, drop other control characters (NUL, ESC, bidi
/// overrides are formatting, not content). The text is stored as text: markup such as `<script>`
/// stays literal characters and every renderer escapes it (askama, JSON). Refuses an empty text
/// when `required` and a text longer than `max` characters.
pub fn clean_text(raw: &str, max: usize, required: bool) -> Result<String, RuleError> {
    let s: String = raw
        .replace("\r\n", "\n")
        .chars()
        .filter(|c| {
            (*c == '\n' || *c == '\t' || !c.is_control())
                && !matches!(*c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
        })
        .collect();
    let s = s.trim().to_owned();
    if required && s.is_empty() {
        return Err(RuleError::new("required", "此项必填"));
    }
    let n = s.chars().count();
    if n > max {
        return Err(RuleError::new(
            "too_long",
            format!("最多 {max} 个字符，实际 {n} 个"),
        ));
    }
    Ok(s)
}

/// A contact phone: an 11-digit mainland mobile number (1[3-9]XXXXXXXXX, MIIT numbering plan) or a
/// landline with its area code (0 + 2–3 digits, 7–8 digit number, optional extension), spaces
/// and hyphens allowed between groups. Returns the number as digits with one hyphen after the area
/// code for landlines.
pub fn parse_phone(raw: &str) -> Result<String, RuleError> {
    let bad = || {
        RuleError::new(
            "phone_format",
            "电话应为 11 位手机号码，或带区号的固定电话（如 0833-1234567）",
        )
    };
    let raw = raw.trim();
    let raw = raw.strip_prefix("+86").unwrap_or(raw).trim();
    if raw.is_empty() || raw.chars().count() > 24 {
        return Err(bad());
    }
    if !raw
        .chars()
        .all(|c| c.is_ascii_digit() || c == '-' || c == ' ')
    {
        return Err(bad());
    }
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    let b = digits.as_bytes();
    // Mobile: 11 digits, 1 then 3–9.
    if b.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1]) {
        return Ok(digits);
    }
    // Landline: area code starts with 0; groups as written.
    let groups: Vec<&str> = raw.split(['-', ' ']).filter(|g| !g.is_empty()).collect();
    let (area, number, ext) = match groups.as_slice() {
        [a, n] => (*a, *n, None),
        [a, n, e] => (*a, *n, Some(*e)),
        [one] if one.starts_with('0') => {
            // Written without separator: 3-digit area for 01x/02x, else 4.
            let alen = if one.starts_with("01") || one.starts_with("02") {
                3
            } else {
                4
            };
            let (a, n) = one.split_at(alen.min(one.len()));
            (a, n, None)
        }
        _ => return Err(bad()),
    };
    let area_ok = area.starts_with('0') && (3..=4).contains(&area.len());
    let number_ok = (7..=8).contains(&number.len()) && !number.starts_with('0');
    let ext_ok = ext.is_none_or(|e| (1..=6).contains(&e.len()));
    if !(area_ok && number_ok && ext_ok) {
        return Err(bad());
    }
    Ok(match ext {
        Some(e) => format!("{area}-{number}-{e}"),
        None => format!("{area}-{number}"),
    })
}

/// Mask an identifier for public display: first 4 and last 4 characters kept (as the 失信 list
/// shows an ID number, SX2017 art 6); short values are masked whole.
pub fn mask_identifier(s: &str) -> String {
    let chars: Vec<char> = s.trim().chars().collect();
    if chars.len() <= 8 {
        return "*".repeat(chars.len());
    }
    let head: String = chars.iter().take(4).collect();
    let tail: String = chars.iter().skip(chars.len() - 4).collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 8))
}

// ---------------------------------------------------------------------------------------------
// Reward notices (执行悬赏, INV arts 21–24)
// ---------------------------------------------------------------------------------------------

/// The court decides on a reward application within 10 days of receiving it (INV art 21 para 2 [V]:
/// 「人民法院应当自收到书面申请之日起十日内决定是否准许」).
pub const REWARD_DECISION_DAYS: i64 = 10;

/// Reward statuses: applied → approved | refused; approved → published | closed;
/// published → closed.
pub fn reward_transition(from: &str, to: &str) -> Result<(), RuleError> {
    let ok = matches!(
        (from, to),
        ("applied", "approved" | "refused")
            | ("approved", "published" | "closed")
            | ("published", "closed")
    );
    if ok {
        Ok(())
    } else {
        Err(RuleError::new(
            "reward_state",
            format!(
                "悬赏状态为「{}」，不能变为「{}」",
                reward_status_zh(from),
                reward_status_zh(to)
            ),
        ))
    }
}

pub fn reward_status_zh(s: &str) -> &'static str {
    match s {
        "applied" => "已申请",
        "approved" => "已准许",
        "refused" => "不予准许",
        "published" => "已发布",
        "closed" => "已结束",
        _ => "未知",
    }
}

/// What the applicant promises (INV art 21: the application states the amount or the way it is
/// computed): a fixed amount in 分, or a formula such as 「执行到位金额的 10%」.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RewardPromise {
    Fixed(i64),
    Formula { text: String, percent: Option<u32> },
}

/// Validate the promised reward: exactly one of amount (positive 分) and formula text.
pub fn reward_promise(
    amount_fen: Option<i64>,
    formula: Option<&str>,
) -> Result<RewardPromise, (&'static str, RuleError)> {
    let formula = formula.map(str::trim).filter(|f| !f.is_empty());
    match (amount_fen, formula) {
        (Some(a), None) if a > 0 => Ok(RewardPromise::Fixed(a)),
        (Some(_), None) => Err((
            "amount_fen",
            RuleError::new("amount_positive", "悬赏金额应为正数（单位：分）"),
        )),
        (None, Some(f)) => {
            let text = clean_text(f, 200, true).map_err(|e| ("formula", e))?;
            Ok(RewardPromise::Formula {
                percent: formula_percent(&text),
                text,
            })
        }
        (Some(_), Some(_)) => Err((
            "formula",
            RuleError::new("amount_or_formula", "悬赏金额与计算方式只能填写一项"),
        )),
        (None, None) => Err((
            "amount_fen",
            RuleError::new(
                "amount_or_formula",
                "须写明悬赏金额或计算方式（INV 第 21 条）",
            ),
        )),
    }
}

/// The percentage in a formula text ("执行到位金额的 10%", "到位款 5 %", "百分之十" is not read):
/// the last number directly before a `%`/`％`, 1–100.
pub fn formula_percent(text: &str) -> Option<u32> {
    let pos = text.rfind(['%', '％'])?;
    let before = text.get(..pos)?.trim_end();
    let digits: String = before
        .chars()
        .rev()
        .take_while(char::is_ascii_digit)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let p: u32 = digits.parse().ok()?;
    (1..=100).contains(&p).then_some(p)
}

/// The most that may still be paid on a notice: the promised fixed amount, or the formula's
/// percentage of the money recovered through the verified leads (rounded down to the 分); minus
/// what was already paid. A formula without a readable percentage has no computable cap: None
/// (the payout is then limited by the recovered amount). Rewards come out of the applicant's
/// recovered money (INV art 24 para 2 [V]: deducted from the applicant's enforcement money).
pub fn payout_cap(promise: &RewardPromise, recovered_fen: i64, paid_fen: i64) -> i64 {
    let cap = match promise {
        RewardPromise::Fixed(a) => *a,
        RewardPromise::Formula {
            percent: Some(p), ..
        } => recovered_fen.max(0).saturating_mul(i64::from(*p)) / 100,
        RewardPromise::Formula { percent: None, .. } => recovered_fen.max(0),
    };
    cap.saturating_sub(paid_fen).max(0)
}

/// A payout: positive, within the cap, and the payee declared not to be the applicant's agent nor a
/// person obliged to provide asset leads to the court (INV art 24 para 3 [V]: no reward to them).
pub fn check_payout(
    amount_fen: i64,
    cap_fen: i64,
    declared: bool,
) -> Result<(), (&'static str, RuleError)> {
    if !declared {
        return Err((
            "declaration",
            RuleError::new(
                "payee_declaration",
                "须声明领取人不是申请执行人的代理人，也不是有义务向法院提供财产线索的人员（INV 第 24 条）",
            ),
        ));
    }
    if amount_fen <= 0 {
        return Err((
            "amount_fen",
            RuleError::new("amount_positive", "发放金额应为正数（单位：分）"),
        ));
    }
    if amount_fen > cap_fen {
        return Err((
            "amount_fen",
            RuleError::new(
                "payout_over_promise",
                format!("发放金额超过承诺的悬赏金额（尚可发放 {cap_fen} 分）"),
            ),
        ));
    }
    Ok(())
}

/// The public text of a notice: only what the notice shows (debtor name, masked ID, case number,
/// reward, contact channel). Generated, so staff cannot paste personal data into it.
pub fn notice_text(
    court_name: &str,
    case_number: &str,
    debtor_name: &str,
    debtor_id_masked: &str,
    promise: &RewardPromise,
    channel: &str,
) -> String {
    let reward = match promise {
        RewardPromise::Fixed(f) => crate::money::Fen::new(*f).format_yuan(),
        RewardPromise::Formula { text, .. } => text.clone(),
    };
    let id = if debtor_id_masked.is_empty() {
        String::new()
    } else {
        format!("（证件号码 {debtor_id_masked}）")
    };
    format!(
        "{court_name}执行悬赏公告：{case_number}案件被执行人{debtor_name}{id}未履行生效法律文书确定的义务。\
         凡提供被执行人下落或可供执行财产线索，经查证属实并执行到位的，按悬赏金额（{reward}）给予奖励。\
         举报人信息严格保密。联系方式：{channel}。"
    )
}

/// The public receipt number of a lead: notice reference and the lead's registration order
/// (INV art 23 para 1 [V]: leads are registered in the order they were provided).
pub fn lead_receipt(notice_id: &str, seq: i64) -> String {
    let tail: String = notice_id
        .chars()
        .filter(char::is_ascii_hexdigit)
        .rev()
        .take(6)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("XS-{}-{seq:04}", tail.to_uppercase())
}

/// Success rate in per mille (‰) of `success` out of `total`, rounded half up; None when there is
/// nothing to divide by.
pub fn rate_permille(success: i64, total: i64) -> Option<i64> {
    if total <= 0 {
        return None;
    }
    Some((success.saturating_mul(2000) / total).saturating_add(1) / 2)
}

// ---------------------------------------------------------------------------------------------
// 执行110 tip-offs and 临控
// ---------------------------------------------------------------------------------------------

/// Default response time for an urgent tip (the debtor seen somewhere, a vehicle on the move):
/// 30 minutes; others 2 hours. Local practice (seed 001: 24-hour duty, 「24小时快速响应」), not a
/// statute [U]; each court sets its own in `duty_settings`.
pub const DEFAULT_URGENT_MINUTES: i64 = 30;
pub const DEFAULT_NORMAL_MINUTES: i64 = 120;

/// Tip kinds: whereabouts (被执行人行踪), vehicle (车辆), assets (财产线索), other.
pub const TIP_KINDS: [&str; 4] = ["whereabouts", "vehicle", "assets", "other"];

/// Whereabouts and vehicles move: they are urgent whatever the form says; others when flagged.
pub fn tip_is_urgent(kind: &str, flagged: bool) -> bool {
    flagged || matches!(kind, "whereabouts" | "vehicle")
}

pub fn check_tip_kind(kind: &str) -> Result<(), RuleError> {
    if TIP_KINDS.contains(&kind) {
        Ok(())
    } else {
        Err(RuleError::new(
            "unknown_kind",
            "线索类型应为 whereabouts（行踪）、vehicle（车辆）、assets（财产）或 other",
        ))
    }
}

/// The instant by which the duty team must respond, counted from receipt.
pub fn respond_by(
    received_at_ms: i64,
    urgent: bool,
    urgent_minutes: i64,
    normal_minutes: i64,
) -> i64 {
    let minutes = if urgent {
        urgent_minutes
    } else {
        normal_minutes
    };
    received_at_ms.saturating_add(minutes.saturating_mul(60_000))
}

/// Response minutes a court may set: 5 minutes to 24 hours.
pub fn check_response_minutes(m: i64) -> Result<(), RuleError> {
    if (5..=1440).contains(&m) {
        Ok(())
    } else {
        Err(RuleError::new(
            "out_of_range",
            "响应时限应在 5 至 1440 分钟之间",
        ))
    }
}

/// Tip-off statuses: new → dispatched → responded → closed (new may be closed as a duplicate).
pub fn tipoff_transition(from: &str, to: &str) -> Result<(), RuleError> {
    let ok = matches!(
        (from, to),
        ("new", "dispatched" | "closed")
            | ("dispatched", "dispatched" | "responded")
            | ("responded", "closed")
    );
    if ok {
        Ok(())
    } else {
        Err(RuleError::new(
            "tipoff_state",
            format!(
                "举报状态为「{}」，不能变为「{}」",
                tipoff_status_zh(from),
                tipoff_status_zh(to)
            ),
        ))
    }
}

/// The Chinese name of a tip-off status, for messages and pages.
pub fn tipoff_status_zh(s: &str) -> &'static str {
    match s {
        "new" => "新登记",
        "dispatched" => "已派单",
        "responded" => "已响应",
        "closed" => "已办结",
        _ => "未知",
    }
}

/// 临控 outcomes reported back by the public security organ.
pub const CONTROL_OUTCOMES: [&str; 3] = ["controlled", "not_found", "refused"];

pub fn check_control_outcome(outcome: &str) -> Result<(), RuleError> {
    if CONTROL_OUTCOMES.contains(&outcome) {
        Ok(())
    } else {
        Err(RuleError::new(
            "unknown_outcome",
            "临控结果应为 controlled（已控制）、not_found（未找到）或 refused（不予协助）",
        ))
    }
}

// ---------------------------------------------------------------------------------------------
// 拒执罪 referrals (CRIM art 313; REFUSE 2024)
// ---------------------------------------------------------------------------------------------

/// Local fast track of seed 000 (巴东): 「7日内移送、30日内审结」 — defaults of the per-court settings;
/// local practice, not statute. The statutory term for the public security organ's decision on a
/// referral is not in rules.md [U]: not encoded, only recorded when it comes.
pub const DEFAULT_TRANSFER_DAYS: i64 = 7;
pub const DEFAULT_TRIAL_DAYS: i64 = 30;

pub fn check_days_setting(d: i64) -> Result<(), RuleError> {
    if (1..=365).contains(&d) {
        Ok(())
    } else {
        Err(RuleError::new("out_of_range", "天数应在 1 至 365 之间"))
    }
}

/// Referral statuses: drafted → referred → accepted (公安立案) | declined (不予立案);
/// accepted → dropped (不予追究 after 立案: 公安撤销案件 or 检察院不起诉) | judged;
/// declined | dropped → private_filed (自诉, REFUSE art 14: the public security organ **or the
/// procuratorate** did not pursue); private_filed → judged | withdrawn | settled (刑事诉讼法
/// art 212: before the judgment is pronounced the private prosecutor may settle with the defendant
/// or withdraw). judged, withdrawn and settled are final.
pub fn referral_transition(from: &str, to: &str) -> Result<(), RuleError> {
    let ok = matches!(
        (from, to),
        ("drafted", "referred")
            | ("referred", "accepted" | "declined")
            | ("accepted", "dropped")
            | ("declined" | "dropped", "private_filed")
            | ("accepted" | "private_filed", "judged")
            | ("private_filed", "withdrawn" | "settled")
    );
    if ok {
        Ok(())
    } else if to == "private_filed" {
        // REFUSE art 14 [V]: 自诉 is accepted (刑事诉讼法 art 210(3)) when the applicant has evidence
        // that the debtor's refusal infringed their rights AND that they had complained and the public
        // security organ or the procuratorate did not pursue it — not before.
        Err(RuleError::new(
            "private_prosecution_too_early",
            "只有公安机关或检察机关不予追究后，申请执行人才可提起自诉（法释〔2024〕13号第 14 条）",
        ))
    } else if matches!(to, "withdrawn" | "settled") {
        Err(RuleError::new(
            "not_private_prosecution",
            "只有尚未判决的自诉案件才能撤回或和解（刑事诉讼法第 212 条）",
        ))
    } else {
        Err(RuleError::new(
            "referral_state",
            format!(
                "移送状态为「{}」，不能变为「{}」",
                referral_status_zh(from),
                referral_status_zh(to)
            ),
        ))
    }
}

/// Who did not pursue a case after 立案: the public security organ withdrew it (撤销案件,
/// 刑事诉讼法 art 163) or the procuratorate decided not to prosecute (不起诉, art 177).
pub const DROPPED_BY: [&str; 2] = ["police", "procuratorate"];

pub fn check_dropped_by(by: &str) -> Result<(), RuleError> {
    if DROPPED_BY.contains(&by) {
        Ok(())
    } else {
        Err(RuleError::new(
            "dropped_by",
            "不予追究的机关应为 police（公安机关撤销案件）或 procuratorate（检察机关不起诉）",
        ))
    }
}

/// How a 自诉 ends before judgment (刑事诉讼法 art 212).
pub const PRIVATE_ENDINGS: [&str; 2] = ["withdrawn", "settled"];

pub fn referral_status_zh(s: &str) -> &'static str {
    match s {
        "drafted" => "待移送",
        "referred" => "已移送",
        "accepted" => "公安已立案",
        "declined" => "不予立案",
        "private_filed" => "已提起自诉",
        "judged" => "已判决",
        "dropped" => "不予追究",
        "withdrawn" => "已撤回自诉",
        "settled" => "自诉已和解",
        _ => "未知",
    }
}

/// Violation kinds staff list in a referral: conduct after a fine or detention (REFUSE art 3(4)),
/// asset transfers / hiding (REFUSE art 6), other.
pub const VIOLATION_KINDS: [&str; 3] = ["after_sanction", "asset_transfer", "other"];

/// `date + days` (calendar days, no roll-over).
pub fn add_days(date: NaiveDate, days: i64) -> NaiveDate {
    date.checked_add_signed(Duration::days(days))
        .unwrap_or(NaiveDate::MAX)
}

/// The last day of a period of `days` calendar days from `start`, counted like every procedural
/// period: the start day does not count, a last day on a rest day moves to the next working day
/// (CPL art 85 [V]; the legal calendar with 调休). The reward decision term (INV art 21) and the
/// local referral terms use it, so they agree with the deadline engine's dates.
pub fn period_end_days(start: NaiveDate, days: i64) -> NaiveDate {
    let n = u32::try_from(days.max(0)).unwrap_or(u32::MAX);
    LegalCalendar::builtin()
        .period_end(start, n, DayUnit::CalendarDays)
        .unwrap_or_else(|_| add_days(start, days))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn text_is_kept_as_text_and_bounded() {
        // Markup stays literal characters: it is stored as text and escaped by every renderer.
        let s = clean_text(
            "  <script>alert(1)</script>\r\n下一行\u{0}\u{202E}  ",
            2000,
            true,
        )
        .unwrap();
        assert_eq!(s, "<script>alert(1)</script>\n下一行");
        assert_eq!(clean_text("   ", 10, true).unwrap_err().code, "required");
        assert_eq!(clean_text("", 10, false).unwrap(), "");
        assert_eq!(
            clean_text(&"字".repeat(2001), 2000, true).unwrap_err().code,
            "too_long"
        );
        assert!(clean_text(&"字".repeat(2000), 2000, true).is_ok());
    }

    #[test]
    fn phones_follow_the_mainland_numbering_plan() {
        for (raw, want) in [
            ("13812345678", Some("13812345678")),
            ("+86 138 1234 5678", Some("13812345678")),
            ("19912345678", Some("19912345678")),
            ("12812345678", None),
            ("1381234567", None),
            ("0833-1234567", Some("0833-1234567")),
            ("010-12345678", Some("010-12345678")),
            ("01012345678", Some("010-12345678")),
            ("0833 1234567-123", Some("0833-1234567-123")),
            ("0833-0234567", None),
            ("833-1234567", None),
            ("<script>", None),
            ("", None),
        ] {
            assert_eq!(parse_phone(raw).ok().as_deref(), want, "{raw}");
        }
    }

    #[test]
    fn masking() {
        assert_eq!(mask_identifier("511123199001011234"), "5111**********1234");
        assert_eq!(mask_identifier("91511123MA000000X1"), "9151**********00X1");
        assert_eq!(mask_identifier("1234"), "****");
    }

    #[test]
    fn reward_promise_is_amount_or_formula_inv_art_21() {
        assert_eq!(
            reward_promise(Some(100), None).unwrap(),
            RewardPromise::Fixed(100)
        );
        assert_eq!(reward_promise(Some(0), None).unwrap_err().0, "amount_fen");
        assert_eq!(
            reward_promise(None, None).unwrap_err().1.code,
            "amount_or_formula"
        );
        assert_eq!(
            reward_promise(Some(1), Some("10%")).unwrap_err().0,
            "formula"
        );
        let f = reward_promise(None, Some("执行到位金额的 10%")).unwrap();
        assert_eq!(
            f,
            RewardPromise::Formula {
                text: "执行到位金额的 10%".into(),
                percent: Some(10)
            }
        );
        assert_eq!(formula_percent("到位款 5 ％"), Some(5));
        assert_eq!(formula_percent("百分之十"), None);
        assert_eq!(formula_percent("150%"), None);
    }

    #[test]
    fn payouts_stay_within_the_promise_and_need_the_declaration_inv_art_24() {
        let fixed = RewardPromise::Fixed(1_000_000);
        assert_eq!(payout_cap(&fixed, 0, 0), 1_000_000);
        assert_eq!(payout_cap(&fixed, 0, 400_000), 600_000);
        let pct = reward_promise(None, Some("执行到位金额的 10%")).unwrap();
        assert_eq!(payout_cap(&pct, 12_345_678, 0), 1_234_567);
        assert!(check_payout(600_000, 600_000, true).is_ok());
        assert_eq!(
            check_payout(600_001, 600_000, true).unwrap_err().1.code,
            "payout_over_promise"
        );
        assert_eq!(
            check_payout(1, 600_000, false).unwrap_err().0,
            "declaration"
        );
        assert_eq!(check_payout(0, 600_000, true).unwrap_err().0, "amount_fen");
    }

    #[test]
    fn reward_states() {
        assert!(reward_transition("applied", "approved").is_ok());
        assert!(reward_transition("approved", "published").is_ok());
        assert!(reward_transition("published", "closed").is_ok());
        assert_eq!(
            reward_transition("applied", "published").unwrap_err().code,
            "reward_state"
        );
        assert!(reward_transition("refused", "published").is_err());
    }

    #[test]
    fn notice_text_shows_only_the_notice_fields() {
        let t = notice_text(
            "犍为县人民法院",
            "（2024）川1123执1号",
            "李四",
            "5111**********1234",
            &RewardPromise::Fixed(1_000_000),
            "0833-1234567",
        );
        assert!(t.contains("李四") && t.contains("5111**********1234") && t.contains("10,000.00"));
        assert!(t.contains("0833-1234567"));
    }

    #[test]
    fn receipts_and_rates() {
        assert_eq!(
            lead_receipt("0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", 7),
            "XS-3F4A5B-0007"
        );
        assert_eq!(rate_permille(1, 3), Some(333));
        assert_eq!(rate_permille(2, 3), Some(667));
        assert_eq!(rate_permille(0, 0), None);
    }

    #[test]
    fn tips_urgency_and_response_deadline() {
        assert!(tip_is_urgent("whereabouts", false));
        assert!(tip_is_urgent("vehicle", false));
        assert!(!tip_is_urgent("assets", false));
        assert!(tip_is_urgent("assets", true));
        assert_eq!(respond_by(1_000, true, 30, 120), 1_000 + 30 * 60_000);
        assert_eq!(respond_by(1_000, false, 30, 120), 1_000 + 120 * 60_000);
        assert!(check_tip_kind("vehicle").is_ok());
        assert!(check_tip_kind("x").is_err());
        assert!(check_response_minutes(4).is_err() && check_response_minutes(30).is_ok());
        assert!(tipoff_transition("new", "dispatched").is_ok());
        assert!(tipoff_transition("dispatched", "responded").is_ok());
        assert!(tipoff_transition("responded", "closed").is_ok());
        assert!(tipoff_transition("new", "responded").is_err());
        // The refusal speaks Chinese, not status codes.
        let e = tipoff_transition("dispatched", "closed").unwrap_err();
        assert_eq!(e.message, "举报状态为「已派单」，不能变为「已办结」");
        assert!(check_control_outcome("controlled").is_ok() && check_control_outcome("x").is_err());
    }

    #[test]
    fn private_prosecution_only_after_police_declined_refuse_art_14() {
        assert!(referral_transition("drafted", "referred").is_ok());
        assert!(referral_transition("referred", "declined").is_ok());
        assert!(referral_transition("declined", "private_filed").is_ok());
        assert!(referral_transition("private_filed", "judged").is_ok());
        // After 立案 the case may still not be pursued (撤案 / 不起诉), which opens 自诉 too.
        assert!(referral_transition("accepted", "dropped").is_ok());
        assert!(referral_transition("dropped", "private_filed").is_ok());
        assert!(referral_transition("dropped", "judged").is_err());
        assert!(referral_transition("referred", "dropped").is_err());
        // 刑事诉讼法 art 212: only a pending 自诉 is withdrawn or settled; all three ends are final.
        for end in PRIVATE_ENDINGS {
            assert!(referral_transition("private_filed", end).is_ok());
            for from in ["accepted", "declined", "dropped", "judged"] {
                assert_eq!(
                    referral_transition(from, end).unwrap_err().code,
                    "not_private_prosecution"
                );
            }
            for to in ["judged", "private_filed", "withdrawn", "settled"] {
                assert!(referral_transition(end, to).is_err());
            }
        }
        assert!(check_dropped_by("police").is_ok() && check_dropped_by("court").is_err());
        for from in ["drafted", "referred", "accepted"] {
            assert_eq!(
                referral_transition(from, "private_filed").unwrap_err().code,
                "private_prosecution_too_early"
            );
        }
        assert_eq!(
            referral_transition("drafted", "accepted").unwrap_err().code,
            "referral_state"
        );
        let d = |m, day| NaiveDate::from_ymd_opt(2024, m, day).unwrap();
        assert_eq!(add_days(d(9, 27), 7), d(10, 4));
        // CPL art 85: 10-04 and 10-07 fall in the National Day holidays → 10-08.
        assert_eq!(period_end_days(d(9, 27), 7), d(10, 8));
        assert_eq!(period_end_days(d(9, 27), 10), d(10, 8));
        // 10-27 is a Sunday → Monday 10-28; 11-12 is a Tuesday and stays.
        assert_eq!(period_end_days(d(9, 27), 30), d(10, 28));
        assert_eq!(period_end_days(d(10, 2), 41), d(11, 12));
    }
}
