//! Money in integer 分 (fen).
//!
//! Amounts of 申请执行标的 (`claim_fen`), 执行到位 (`recovered_fen`), fees and 案款 are always
//! whole fen in an `i64`. No floating point is used anywhere in this module: parsing and
//! formatting work on decimal digits with checked integer arithmetic, so "0.1 + 0.2" style
//! rounding errors cannot occur and overflow is reported, never wrapped.
//!
//! Error codes: `money_format` (empty, garbage, more than 2 decimals, bad thousands grouping),
//! `money_overflow` (does not fit in `i64` fen).
use crate::RuleError;
use serde::{Deserialize, Serialize};

/// Money in integer 分 (fen). Never a float.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Fen(i64);

/// Fen per yuan (1 元 = 100 分).
const FEN_PER_YUAN: i64 = 100;

impl Fen {
    pub const ZERO: Fen = Fen(0);
    pub const fn new(fen: i64) -> Self {
        Fen(fen)
    }
    pub const fn get(self) -> i64 {
        self.0
    }
    /// Whole yuan → fen, checked.
    pub fn from_yuan(yuan: i64) -> Option<Fen> {
        yuan.checked_mul(FEN_PER_YUAN).map(Fen)
    }
    pub fn checked_add(self, o: Fen) -> Option<Fen> {
        self.0.checked_add(o.0).map(Fen)
    }
    pub fn checked_sub(self, o: Fen) -> Option<Fen> {
        self.0.checked_sub(o.0).map(Fen)
    }
    /// True when the amount is below zero.
    pub const fn is_negative(self) -> bool {
        self.0 < 0
    }

    /// Parse "12345.67", "12,345.67", "12,345.67 元", "¥12345", "-3.5" → fen. At most 2 decimals.
    ///
    /// Accepted shape (after trimming surrounding whitespace):
    /// `[-|+][¥|￥][-|+] integer [. 1–2 digits] [元]`, where the integer part is either plain
    /// digits or digits grouped by thousands with `,` (first group 1–3 digits, then groups of
    /// exactly 3). Exactly one sign may appear. Whitespace is tolerated between the currency
    /// symbol / sign and the number and before `元`.
    pub fn parse_yuan(s: &str) -> Result<Fen, RuleError> {
        let original = s;
        let mut rest = s.trim();
        if rest.is_empty() {
            return Err(format_error(original, "金额不能为空"));
        }

        // Optional trailing 元.
        if let Some(stripped) = rest.strip_suffix('元') {
            rest = stripped.trim_end();
        }

        // Sign before the currency symbol ("-¥3.5"), then the symbol — half-width ¥ (U+00A5) or
        // full-width ￥ (U+FFE5) — then a sign after it ("¥-3.5"). At most one sign in total.
        let (sign1, after) = strip_sign(rest);
        let after = after.trim_start();
        let after = after
            .strip_prefix(['¥', '￥'])
            .unwrap_or(after)
            .trim_start();
        let (sign2, body) = strip_sign(after);
        let body = body.trim_start();
        let negative = match (sign1, sign2) {
            (Some(_), Some(_)) => return Err(format_error(original, "金额只能有一个正负号")),
            (Some(n), None) | (None, Some(n)) => n,
            (None, None) => false,
        };

        let (int_part, frac_part) = match body.split_once('.') {
            Some((i, f)) => (i, Some(f)),
            None => (body, None),
        };

        let int_digits = parse_integer_part(int_part).ok_or_else(|| {
            format_error(
                original,
                "整数部分应为数字，可用逗号按千位分组（如 12,345.67）",
            )
        })?;

        let frac_fen: u64 = match frac_part {
            None => 0,
            Some(f) => {
                if f.is_empty() || !f.chars().all(|c| c.is_ascii_digit()) {
                    return Err(format_error(original, "小数点后应为 1 到 2 位数字"));
                }
                if f.chars().count() > 2 {
                    return Err(format_error(original, "金额最多保留 2 位小数（精确到分）"));
                }
                let mut v: u64 = 0;
                for (i, c) in f.chars().enumerate() {
                    let d = u64::from(c.to_digit(10).unwrap_or(0));
                    // First decimal is 角 (×10 fen), second is 分.
                    let place = if i == 0 { 10 } else { 1 };
                    v += d * place;
                }
                v
            }
        };

        // Accumulate the magnitude in fen as u64 (checked), so that i64::MIN is reachable.
        let mut yuan: u64 = 0;
        for c in int_digits.chars() {
            let d = u64::from(c.to_digit(10).unwrap_or(0));
            yuan = yuan
                .checked_mul(10)
                .and_then(|y| y.checked_add(d))
                .ok_or_else(|| overflow_error(original))?;
        }
        let magnitude = yuan
            .checked_mul(100)
            .and_then(|f| f.checked_add(frac_fen))
            .ok_or_else(|| overflow_error(original))?;
        let fen = if negative {
            0i64.checked_sub_unsigned(magnitude)
        } else {
            i64::try_from(magnitude).ok()
        }
        .ok_or_else(|| overflow_error(original))?;
        Ok(Fen(fen))
    }

    /// Format as "12,345.67 元" (negative: "-12,345.67 元"). Always two decimals.
    pub fn format_yuan(self) -> String {
        let abs = self.0.unsigned_abs();
        let yuan = abs / 100;
        let fen = abs % 100;
        let digits = yuan.to_string();
        let mut grouped = String::with_capacity(digits.len() + digits.len() / 3 + 8);
        let len = digits.len();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (len - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(c);
        }
        let sign = if self.0 < 0 { "-" } else { "" };
        format!("{sign}{grouped}.{fen:02} 元")
    }
}

/// Validate the integer part of an amount and return it without grouping commas.
///
/// Accepts plain digits ("12345") or correct thousands grouping ("12,345"). Returns `None` for
/// an empty part, non-digits or a malformed grouping ("1,2345", ",123", "12,34").
/// Strip one leading `-` or `+`; `Some(true)` means negative.
fn strip_sign(s: &str) -> (Option<bool>, &str) {
    if let Some(r) = s.strip_prefix('-') {
        (Some(true), r)
    } else if let Some(r) = s.strip_prefix('+') {
        (Some(false), r)
    } else {
        (None, s)
    }
}

fn parse_integer_part(s: &str) -> Option<String> {
    if s.is_empty() {
        return None;
    }
    if !s.contains(',') {
        return s.chars().all(|c| c.is_ascii_digit()).then(|| s.to_owned());
    }
    let mut out = String::with_capacity(s.len());
    for (i, group) in s.split(',').enumerate() {
        let n = group.chars().count();
        let ok_len = if i == 0 { (1..=3).contains(&n) } else { n == 3 };
        if !ok_len || !group.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        out.push_str(group);
    }
    Some(out)
}

fn format_error(input: &str, why: &str) -> RuleError {
    RuleError::new(
        "money_format",
        format!("金额格式错误：{why}（输入：“{}”）", input.trim()),
    )
}

fn overflow_error(input: &str) -> RuleError {
    RuleError::new(
        "money_overflow",
        format!(
            "金额超出可表示范围（最大约 92,233,720,368,547,758.07 元）（输入：“{}”）",
            input.trim()
        ),
    )
}

impl std::fmt::Display for Fen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.format_yuan())
    }
}

impl std::str::FromStr for Fen {
    type Err = RuleError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Fen::parse_yuan(s)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parse_table() {
        // input → Ok(fen) or Err(code)
        let cases: &[(&str, Result<i64, &str>)] = &[
            ("12345.67", Ok(1_234_567)),
            ("12,345.67", Ok(1_234_567)),
            ("12,345.67 元", Ok(1_234_567)),
            ("12,345.67元", Ok(1_234_567)),
            ("¥12345", Ok(1_234_500)),
            ("￥1.5", Ok(150)),
            ("¥ 1,000", Ok(100_000)),
            ("-3.5", Ok(-350)),
            ("-¥3.5", Ok(-350)),
            ("¥-3.5", Ok(-350)),
            ("+7", Ok(700)),
            ("0", Ok(0)),
            ("0.01", Ok(1)),
            ("0.1", Ok(10)),
            ("-0", Ok(0)),
            ("  88.80 元 ", Ok(8_880)),
            ("1,234,567,890.12", Ok(123_456_789_012)),
            ("007", Ok(700)),
            ("92233720368547758.07", Ok(i64::MAX)),
            ("-92233720368547758.08", Ok(i64::MIN)),
            ("92233720368547758.08", Err("money_overflow")),
            ("99999999999999999999", Err("money_overflow")),
            ("-92233720368547758.09", Err("money_overflow")),
            ("", Err("money_format")),
            ("   ", Err("money_format")),
            ("元", Err("money_format")),
            ("¥", Err("money_format")),
            ("1.234", Err("money_format")),
            ("1.", Err("money_format")),
            (".5", Err("money_format")),
            ("abc", Err("money_format")),
            ("12a", Err("money_format")),
            ("1,2345", Err("money_format")),
            ("12,34", Err("money_format")),
            (",123", Err("money_format")),
            ("1234,567", Err("money_format")),
            ("1,,234", Err("money_format")),
            ("--3", Err("money_format")),
            ("-¥-3", Err("money_format")),
            ("1.2.3", Err("money_format")),
            ("1.-2", Err("money_format")),
            ("1e5", Err("money_format")),
            ("NaN", Err("money_format")),
            ("12 345", Err("money_format")),
            ("3元元", Err("money_format")),
        ];
        for (input, expected) in cases {
            let got = Fen::parse_yuan(input).map(Fen::get).map_err(|e| e.code);
            assert_eq!(&got, expected, "input {input:?}");
        }
    }

    #[test]
    fn format_table() {
        let cases: &[(i64, &str)] = &[
            (0, "0.00 元"),
            (1, "0.01 元"),
            (10, "0.10 元"),
            (100, "1.00 元"),
            (-350, "-3.50 元"),
            (-1, "-0.01 元"),
            (99_999, "999.99 元"),
            (100_000, "1,000.00 元"),
            (1_234_567, "12,345.67 元"),
            (-1_234_567, "-12,345.67 元"),
            (123_456_789_012, "1,234,567,890.12 元"),
            (i64::MAX, "92,233,720,368,547,758.07 元"),
            (i64::MIN, "-92,233,720,368,547,758.08 元"),
        ];
        for (fen, expected) in cases {
            assert_eq!(Fen::new(*fen).format_yuan(), *expected, "fen {fen}");
            assert_eq!(Fen::new(*fen).to_string(), *expected);
        }
    }

    #[test]
    fn arithmetic_is_checked() {
        assert_eq!(Fen::from_yuan(3), Some(Fen::new(300)));
        assert_eq!(Fen::from_yuan(i64::MAX), None);
        assert_eq!(Fen::new(i64::MAX).checked_add(Fen::new(1)), None);
        assert_eq!(Fen::new(i64::MIN).checked_sub(Fen::new(1)), None);
        assert_eq!(Fen::new(5).checked_sub(Fen::new(7)), Some(Fen::new(-2)));
        assert_eq!("1.5".parse::<Fen>().map(Fen::get), Ok(150));
    }

    #[test]
    fn error_messages_are_chinese_and_name_the_rule() {
        let e = Fen::parse_yuan("1.234").unwrap_err();
        assert!(e.message.contains("2 位小数"), "{}", e.message);
        let e = Fen::parse_yuan("99999999999999999999").unwrap_err();
        assert!(e.message.contains("超出"), "{}", e.message);
    }

    #[test]
    fn serde_is_transparent() {
        assert_eq!(serde_json::to_string(&Fen::new(150)).unwrap(), "150");
        assert_eq!(serde_json::from_str::<Fen>("-7").unwrap(), Fen::new(-7));
    }

    proptest! {
        #[test]
        fn format_then_parse_round_trips(fen in any::<i64>()) {
            let f = Fen::new(fen);
            prop_assert_eq!(Fen::parse_yuan(&f.format_yuan()), Ok(f));
        }

        #[test]
        fn plain_decimal_round_trips(yuan in -1_000_000_000_000i64..1_000_000_000_000, cents in 0i64..100) {
            let sign = if yuan < 0 { "-" } else { "" };
            let s = format!("{sign}{}.{cents:02}", yuan.unsigned_abs());
            let expected = yuan.unsigned_abs() * 100 + cents.unsigned_abs();
            let expected = i64::try_from(expected).unwrap();
            let expected = if yuan < 0 { -expected } else { expected };
            prop_assert_eq!(Fen::parse_yuan(&s).map(Fen::get), Ok(expected));
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,24}") {
            let _ = Fen::parse_yuan(&s);
        }
    }
}
