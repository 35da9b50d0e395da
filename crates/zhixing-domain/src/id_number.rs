//! 居民身份证号 (citizen identity number), GB 11643-1999 《公民身份号码》.
//!
//! Structure (GB 11643-1999 §4): 6-digit address code (GB/T 2260 region) + 8-digit birth date
//! `YYYYMMDD` + 3-digit sequence code (odd = male, even = female) + 1 check character computed
//! with ISO 7064:1983 MOD 11-2.
//!
//! Error codes: `id_number_length`, `id_number_format` (non-digit where a digit is required),
//! `id_number_region`, `id_number_birth_date`, `id_number_checksum`.
use crate::RuleError;
use chrono::{Datelike, NaiveDate};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Sex {
    #[serde(rename = "M")]
    Male,
    #[serde(rename = "F")]
    Female,
}

impl Sex {
    /// 男 / 女, as the published list shows it (SX2017 art 6).
    pub fn name_zh(self) -> &'static str {
        match self {
            Sex::Male => "男",
            Sex::Female => "女",
        }
    }
}

/// Age in whole years on `on` of a person born on `birth` (0 if `on` is before it). A 29 February
/// birthday is reached on 1 March in common years.
pub fn age_between(birth: NaiveDate, on: NaiveDate) -> u32 {
    let mut years = on.year().saturating_sub(birth.year());
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        years = years.saturating_sub(1);
    }
    u32::try_from(years).unwrap_or(0)
}

/// ISO 7064 MOD 11-2 weights for positions 1–17 (GB 11643-1999 §5.2, Wi = 2^(18-i) mod 11).
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// Check character for `sum mod 11` = 0..=10 (GB 11643-1999 §5.2): "10X98765432".
const CHECK_CHARS: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// First two digits of the GB/T 2260 address code accepted in an ID number: the 31 mainland
/// provinces, 71 台湾, 81 香港, 82 澳门 and 83 (台湾居民居住证).
pub const PROVINCE_CODES: [(&str, &str); 35] = [
    ("11", "北京"),
    ("12", "天津"),
    ("13", "河北"),
    ("14", "山西"),
    ("15", "内蒙古"),
    ("21", "辽宁"),
    ("22", "吉林"),
    ("23", "黑龙江"),
    ("31", "上海"),
    ("32", "江苏"),
    ("33", "浙江"),
    ("34", "安徽"),
    ("35", "福建"),
    ("36", "江西"),
    ("37", "山东"),
    ("41", "河南"),
    ("42", "湖北"),
    ("43", "湖南"),
    ("44", "广东"),
    ("45", "广西"),
    ("46", "海南"),
    ("50", "重庆"),
    ("51", "四川"),
    ("52", "贵州"),
    ("53", "云南"),
    ("54", "西藏"),
    ("61", "陕西"),
    ("62", "甘肃"),
    ("63", "青海"),
    ("64", "宁夏"),
    ("65", "新疆"),
    ("71", "台湾"),
    ("81", "香港"),
    ("82", "澳门"),
    ("83", "台湾（居住证）"),
];

/// Earliest accepted birth date (sanity bound, not part of GB 11643).
const MIN_BIRTH: (i32, u32, u32) = (1900, 1, 1);

/// Province name for the first two digits of a region code, if known.
pub fn province_name(region: &str) -> Option<&'static str> {
    let prefix = region.get(0..2)?;
    PROVINCE_CODES
        .iter()
        .find(|(code, _)| *code == prefix)
        .map(|(_, name)| *name)
}

/// ISO 7064 MOD 11-2 check character for the first 17 digits (GB 11643-1999 §5.2).
/// `None` if `body` is not exactly 17 ASCII digits.
pub fn check_char(body: &str) -> Option<char> {
    if body.len() != 17 || !body.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut sum: u32 = 0;
    for (c, w) in body.chars().zip(WEIGHTS) {
        sum = sum.checked_add(c.to_digit(10)?.checked_mul(w)?)?;
    }
    let idx = usize::try_from(sum % 11).ok()?;
    CHECK_CHARS.get(idx).copied()
}

/// A valid 18-character 居民身份证号 (GB 11643-1999). Always stored with upper-case X.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdNumber(String);

impl IdNumber {
    /// Parse an 18-character number; `today` bounds the birth date (not in the future).
    ///
    /// Surrounding whitespace is ignored and a lower-case `x` check character is accepted
    /// (stored upper-case).
    pub fn parse(s: &str, today: NaiveDate) -> Result<IdNumber, RuleError> {
        let s = s.trim();
        let len = s.chars().count();
        if len != 18 {
            return Err(RuleError::new(
                "id_number_length",
                format!("身份证号长度错误：按 GB 11643-1999 应为 18 位，实为 {len} 位"),
            ));
        }
        for (pos, c) in s.chars().enumerate() {
            if pos < 17 && !c.is_ascii_digit() {
                return Err(RuleError::new(
                    "id_number_format",
                    format!(
                        "身份证号格式错误：按 GB 11643-1999 前 17 位应为数字，第 {} 位为“{c}”",
                        pos + 1
                    ),
                ));
            }
            if pos == 17 && !(c.is_ascii_digit() || c == 'X' || c == 'x') {
                return Err(RuleError::new(
                    "id_number_format",
                    format!("身份证号格式错误：按 GB 11643-1999 第 18 位应为数字或 X，实为“{c}”"),
                ));
            }
        }
        // All 18 characters are ASCII now, so byte offsets are character offsets.
        let upper = s.to_ascii_uppercase();
        let body = upper.get(0..17).unwrap_or("");
        let check = upper.get(17..18).unwrap_or("");
        validate_region(body.get(0..6).unwrap_or(""))?;
        validate_birth(body.get(6..14).unwrap_or(""), today)?;
        let expected = check_char(body).ok_or_else(|| {
            RuleError::new("id_number_format", "身份证号格式错误：前 17 位应为数字")
        })?;
        if !check.starts_with(expected) {
            return Err(RuleError::new(
                "id_number_checksum",
                format!("身份证号校验码错误：按 GB 11643-1999 应为 {expected}"),
            ));
        }
        Ok(IdNumber(upper))
    }

    /// Import path only: also accepts a 15-digit legacy number and converts it to 18.
    ///
    /// A 15-digit number (first-generation card) is `region(6) + YYMMDD + seq(3)` with the
    /// century implied as 19; the 18-digit form inserts "19" before the year and appends the
    /// GB 11643-1999 check character.
    pub fn parse_legacy(s: &str, today: NaiveDate) -> Result<IdNumber, RuleError> {
        let t = s.trim();
        if t.chars().count() != 15 {
            return Self::parse(t, today);
        }
        if let Some((pos, c)) = t.chars().enumerate().find(|(_, c)| !c.is_ascii_digit()) {
            return Err(RuleError::new(
                "id_number_format",
                format!("15 位旧身份证号应全部为数字，第 {} 位为“{c}”", pos + 1),
            ));
        }
        let region = t.get(0..6).unwrap_or("");
        let yymmdd = t.get(6..12).unwrap_or("");
        let seq = t.get(12..15).unwrap_or("");
        let body = format!("{region}19{yymmdd}{seq}");
        let check = check_char(&body)
            .ok_or_else(|| RuleError::new("id_number_format", "15 位旧身份证号应全部为数字"))?;
        Self::parse(&format!("{body}{check}"), today)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Build a valid number from parts (computes the check character). `seq` is the 3-digit
    /// sequence (odd = male, even = female), 0..=999. Used by demo data and tests.
    pub fn from_parts(region: &str, birth: NaiveDate, seq: u16) -> Result<IdNumber, RuleError> {
        if region.len() != 6 || !region.bytes().all(|b| b.is_ascii_digit()) {
            return Err(RuleError::new(
                "id_number_region",
                format!(
                    "身份证号地址码错误：按 GB 11643-1999 应为 6 位数字（GB/T 2260），实为“{region}”"
                ),
            ));
        }
        if seq > 999 {
            return Err(RuleError::new(
                "id_number_format",
                format!("身份证号顺序码错误：按 GB 11643-1999 应为 3 位数字（0–999），实为 {seq}"),
            ));
        }
        if !(1900..=9999).contains(&birth.year()) {
            return Err(birth_error(&format!("{birth}"), "出生年份应在 1900 年之后"));
        }
        let body = format!(
            "{region}{:04}{:02}{:02}{seq:03}",
            birth.year(),
            birth.month(),
            birth.day()
        );
        let check = check_char(&body).ok_or_else(|| {
            RuleError::new("id_number_format", "身份证号格式错误：前 17 位应为数字")
        })?;
        // `birth` itself is the upper bound: it is a real date and cannot be in its own future.
        Self::parse(&format!("{body}{check}"), birth)
    }

    /// Birth date from positions 7–14 (GB 11643-1999 §4.2).
    pub fn birth_date(&self) -> NaiveDate {
        parse_yyyymmdd(self.0.get(6..14).unwrap_or(""))
            // Unreachable for values built by `parse`, which validated the date.
            .unwrap_or_default()
    }

    /// Sex from the sequence code: 17th digit odd = male, even = female (GB 11643-1999 §4.3).
    pub fn sex(&self) -> Sex {
        let d = self
            .0
            .chars()
            .nth(16)
            .and_then(|c| c.to_digit(10))
            .unwrap_or(0);
        if d % 2 == 1 { Sex::Male } else { Sex::Female }
    }

    /// The 6-digit region (GB/T 2260) code.
    pub fn region(&self) -> &str {
        self.0.get(0..6).unwrap_or("")
    }

    /// Age in whole years on `on` (0 if `on` is before the birth date). A 29 February birthday
    /// is reached on 1 March in common years.
    pub fn age_on(&self, on: NaiveDate) -> u32 {
        age_between(self.birth_date(), on)
    }

    /// Masked for public display: keep the first 4 and last 4 characters, `*` in between
    /// (`5111**********123X`).
    pub fn masked(&self) -> String {
        let head = self.0.get(0..4).unwrap_or("");
        let tail = self.0.get(14..18).unwrap_or("");
        format!("{head}{}{tail}", "*".repeat(10))
    }
}

impl std::fmt::Display for IdNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Address code: first two digits must be a province-level code (GB 11643-1999 §4.1 → GB/T 2260).
fn validate_region(region: &str) -> Result<(), RuleError> {
    if province_name(region).is_none() {
        return Err(RuleError::new(
            "id_number_region",
            format!(
                "身份证号地址码错误：按 GB 11643-1999（GB/T 2260）前两位应为省级行政区划代码，实为“{}”",
                region.get(0..2).unwrap_or(region)
            ),
        ));
    }
    Ok(())
}

/// Birth date code: a real calendar date `YYYYMMDD` (GB 11643-1999 §4.2, GB/T 7408), not after
/// `today` and not before 1900-01-01.
fn validate_birth(yyyymmdd: &str, today: NaiveDate) -> Result<NaiveDate, RuleError> {
    let date =
        parse_yyyymmdd(yyyymmdd).ok_or_else(|| birth_error(yyyymmdd, "不是有效的公历日期"))?;
    let min = NaiveDate::from_ymd_opt(MIN_BIRTH.0, MIN_BIRTH.1, MIN_BIRTH.2);
    if min.is_some_and(|m| date < m) {
        return Err(birth_error(yyyymmdd, "早于 1900-01-01"));
    }
    if date > today {
        return Err(birth_error(yyyymmdd, &format!("晚于今天（{today}）")));
    }
    Ok(date)
}

fn birth_error(value: &str, why: &str) -> RuleError {
    RuleError::new(
        "id_number_birth_date",
        format!(
            "身份证号出生日期码错误：按 GB 11643-1999 第 7–14 位应为有效出生日期，“{value}”{why}"
        ),
    )
}

fn parse_yyyymmdd(s: &str) -> Option<NaiveDate> {
    if s.len() != 8 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let y: i32 = s.get(0..4)?.parse().ok()?;
    let m: u32 = s.get(4..6)?.parse().ok()?;
    let d: u32 = s.get(6..8)?.parse().ok()?;
    NaiveDate::from_ymd_opt(y, m, d)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn today() -> NaiveDate {
        d(2024, 6, 1)
    }

    #[test]
    fn check_char_known_values() {
        // GB 11643-1999 Appendix A example: 11010519491231002X.
        assert_eq!(check_char("11010519491231002"), Some('X'));
        assert_eq!(check_char("44052419800101001"), Some('3'));
        assert_eq!(check_char("1101051949123100"), None);
        assert_eq!(check_char("1101051949123100A"), None);
    }

    #[test]
    fn parse_table() {
        let cases: &[(&str, Result<&str, &str>)] = &[
            ("11010519491231002X", Ok("11010519491231002X")),
            ("11010519491231002x", Ok("11010519491231002X")),
            (" 11010519491231002X ", Ok("11010519491231002X")),
            ("440524198001010013", Ok("440524198001010013")),
            ("110105194912310021", Err("id_number_checksum")),
            ("11010519491231002", Err("id_number_length")),
            ("11010519491231002X1", Err("id_number_length")),
            ("", Err("id_number_length")),
            ("1101051949123100XX", Err("id_number_format")),
            ("11010519491231002Y", Err("id_number_format")),
            ("１1010519491231002X", Err("id_number_format")),
            ("99010519491231002X", Err("id_number_region")),
            ("00010519491231002X", Err("id_number_region")),
            ("16010519491231002X", Err("id_number_region")),
            ("110105194902300000", Err("id_number_birth_date")), // 30 February
            ("110105194913010000", Err("id_number_birth_date")), // month 13
            ("110105189912310000", Err("id_number_birth_date")), // before 1900
            ("110105203001010000", Err("id_number_birth_date")), // future
        ];
        for (input, expected) in cases {
            let got = IdNumber::parse(input, today());
            let got = got.as_ref().map(IdNumber::as_str).map_err(|e| e.code);
            assert_eq!(&got, expected, "input {input:?}");
        }
    }

    #[test]
    fn checksum_message_names_expected_char() {
        let e = IdNumber::parse("110105194912310021", today()).unwrap_err();
        assert_eq!(e.message, "身份证号校验码错误：按 GB 11643-1999 应为 X");
    }

    #[test]
    fn birth_date_on_today_is_accepted_tomorrow_rejected() {
        let ok = IdNumber::from_parts("510104", today(), 1).unwrap();
        assert!(IdNumber::parse(ok.as_str(), today()).is_ok());
        let tomorrow = today().succ_opt().unwrap();
        let next = IdNumber::from_parts("510104", tomorrow, 1).unwrap();
        assert_eq!(
            IdNumber::parse(next.as_str(), today()).unwrap_err().code,
            "id_number_birth_date"
        );
    }

    #[test]
    fn derived_fields() {
        let id = IdNumber::parse("11010519491231002X", today()).unwrap();
        assert_eq!(id.birth_date(), d(1949, 12, 31));
        assert_eq!(id.sex(), Sex::Female); // 17th digit 2
        assert_eq!(id.region(), "110105");
        assert_eq!(province_name(id.region()), Some("北京"));
        assert_eq!(id.masked(), "1101**********002X");
        assert_eq!(id.to_string(), "11010519491231002X");
        let male = IdNumber::parse("440524198001010013", today()).unwrap();
        assert_eq!(male.sex(), Sex::Male); // 17th digit 1
    }

    #[test]
    fn age_table() {
        let id = IdNumber::from_parts("510104", d(2000, 2, 29), 12).unwrap();
        let cases: &[(NaiveDate, u32)] = &[
            (d(2000, 2, 29), 0),
            (d(1999, 1, 1), 0), // before birth
            (d(2001, 2, 28), 0),
            (d(2001, 3, 1), 1),
            (d(2004, 2, 28), 3),
            (d(2004, 2, 29), 4),
            (d(2024, 6, 1), 24),
        ];
        for (on, age) in cases {
            assert_eq!(id.age_on(*on), *age, "on {on}");
        }
    }

    #[test]
    fn legacy_table() {
        let cases: &[(&str, Result<&str, &str>)] = &[
            // 15-digit 110105491231002 → 18-digit 11010519491231002X.
            ("110105491231002", Ok("11010519491231002X")),
            (" 110105491231002 ", Ok("11010519491231002X")),
            ("11010519491231002x", Ok("11010519491231002X")),
            ("11010549123100X", Err("id_number_format")),
            ("990105491231002", Err("id_number_region")),
            ("110105490231002", Err("id_number_birth_date")),
            ("1101054912310021", Err("id_number_length")),
        ];
        for (input, expected) in cases {
            let got = IdNumber::parse_legacy(input, today());
            let got = got.as_ref().map(IdNumber::as_str).map_err(|e| e.code);
            assert_eq!(&got, expected, "input {input:?}");
        }
        // The 15-digit form is only for the import path.
        assert_eq!(
            IdNumber::parse("110105491231002", today())
                .unwrap_err()
                .code,
            "id_number_length"
        );
    }

    #[test]
    fn from_parts_table() {
        assert_eq!(
            IdNumber::from_parts("110105", d(1949, 12, 31), 2)
                .unwrap()
                .as_str(),
            "11010519491231002X"
        );
        let cases: &[(&str, NaiveDate, u16, &str)] = &[
            ("11010", d(1980, 1, 1), 1, "id_number_region"),
            ("11010A", d(1980, 1, 1), 1, "id_number_region"),
            ("990105", d(1980, 1, 1), 1, "id_number_region"),
            ("110105", d(1980, 1, 1), 1000, "id_number_format"),
            ("110105", d(1899, 12, 31), 1, "id_number_birth_date"),
        ];
        for (region, birth, seq, code) in cases {
            assert_eq!(
                IdNumber::from_parts(region, *birth, *seq).unwrap_err().code,
                *code
            );
        }
    }

    fn arb_region() -> impl Strategy<Value = String> {
        (0..PROVINCE_CODES.len(), 0u32..10_000)
            .prop_map(|(i, rest)| format!("{}{rest:04}", PROVINCE_CODES[i].0))
    }

    fn arb_birth() -> impl Strategy<Value = NaiveDate> {
        (0i64..45_000).prop_map(|days| d(1900, 1, 1) + chrono::Duration::days(days))
    }

    proptest! {
        #[test]
        fn from_parts_parses_back(region in arb_region(), birth in arb_birth(), seq in 0u16..1000) {
            let id = IdNumber::from_parts(&region, birth, seq).unwrap();
            let today = d(2030, 1, 1);
            let back = IdNumber::parse(id.as_str(), today).unwrap();
            prop_assert_eq!(&back, &id);
            prop_assert_eq!(back.birth_date(), birth);
            prop_assert_eq!(back.region(), region.as_str());
            let expected_sex = if seq % 2 == 1 { Sex::Male } else { Sex::Female };
            prop_assert_eq!(back.sex(), expected_sex);
            prop_assert_eq!(back.masked().chars().count(), 18);
            // Lower-case x is accepted and normalised.
            let lower = IdNumber::parse(&id.as_str().to_ascii_lowercase(), today).unwrap();
            prop_assert_eq!(lower, id);
        }

        #[test]
        fn changing_the_check_char_is_rejected(region in arb_region(), birth in arb_birth(), seq in 0u16..1000, k in 0usize..11) {
            let id = IdNumber::from_parts(&region, birth, seq).unwrap();
            let s = id.as_str();
            let replacement = CHECK_CHARS[k];
            prop_assume!(!s.ends_with(replacement));
            let changed = format!("{}{replacement}", &s[..17]);
            let e = IdNumber::parse(&changed, d(2030, 1, 1)).unwrap_err();
            prop_assert_eq!(e.code, "id_number_checksum");
        }

        #[test]
        fn changing_any_one_digit_is_rejected(region in arb_region(), birth in arb_birth(), seq in 0u16..1000, pos in 0usize..17, delta in 1u32..10) {
            // MOD 11-2 detects every single-digit substitution (GB 11643-1999 §5.2).
            let id = IdNumber::from_parts(&region, birth, seq).unwrap();
            let mut chars: Vec<char> = id.as_str().chars().collect();
            let old = chars[pos].to_digit(10).unwrap();
            chars[pos] = char::from_digit((old + delta) % 10, 10).unwrap();
            let changed: String = chars.into_iter().collect();
            prop_assert!(IdNumber::parse(&changed, d(2030, 1, 1)).is_err());
        }

        #[test]
        fn legacy_15_converts_to_valid_18(region in arb_region(), days in 0i64..36_500, seq in 0u16..1000) {
            let birth = d(1900, 1, 1) + chrono::Duration::days(days);
            let yymmdd = format!("{:02}{:02}{:02}", birth.year() % 100, birth.month(), birth.day());
            let legacy = format!("{region}{yymmdd}{seq:03}");
            let id = IdNumber::parse_legacy(&legacy, d(2030, 1, 1)).unwrap();
            prop_assert_eq!(id, IdNumber::from_parts(&region, birth, seq).unwrap());
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,20}") {
            let _ = IdNumber::parse(&s, d(2030, 1, 1));
            let _ = IdNumber::parse_legacy(&s, d(2030, 1, 1));
        }
    }
}
