//! 统一社会信用代码 (unified social credit code), GB 32100-2015
//! 《法人和其他组织统一社会信用代码编码规则》.
//!
//! Structure (GB 32100-2015 §4): 18 characters from a 31-character set —
//! 1 登记管理部门代码 (registration authority) + 1 机构类别代码 (organisation type) +
//! 6 登记管理机关行政区划码 (GB/T 2260 region, digits) + 9 主体标识码 (the GB 11714-1997 组织机构代码,
//! 8 body characters + 1 check character) + 1 校验码 (GB/T 17710 / ISO 7064 hybrid, MOD 31).
//!
//! Error codes: `credit_code_length`, `credit_code_charset`, `credit_code_authority`,
//! `credit_code_org_type`, `credit_code_region`, `organization_code_checksum`,
//! `credit_code_checksum`.
use crate::RuleError;

/// GB 32100-2015 §4.1 code character set: 0-9 and upper-case Latin letters except I, O, Z, S, V.
/// A character's value for the check digit is its index here (0..=30).
pub const CHARSET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/// GB 32100-2015 §5.2 weights Wi = 3^(i-1) mod 31 for positions 1–17.
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// GB 11714-1997 §5 weights for the 8 body characters of the 组织机构代码.
const ORG_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];

/// A registration authority (登记管理部门, GB 32100-2015 §4.2 table 1) and the organisation
/// types (机构类别, §4.3 table 2) it may assign.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Authority {
    pub code: char,
    pub name: &'static str,
    pub org_types: &'static [(char, &'static str)],
}

/// Registration authorities and their organisation types.
///
/// Source: GB 32100-2015 tables 1–2 with later assignments (A 中央军委改革和编制办公室,
/// N 农业), as reproduced consistently by several public sources (the standard text itself was
/// not seen). `Y 其他` has no sub-division and always uses type `1`.
pub const AUTHORITIES: [Authority; 12] = [
    Authority {
        code: '1',
        name: "机构编制",
        org_types: &[
            ('1', "机关"),
            ('2', "事业单位"),
            ('3', "中央编办直接管理机构编制的群众团体"),
            ('9', "其他"),
        ],
    },
    Authority {
        code: '2',
        name: "外交",
        org_types: &[('1', "外国常驻新闻机构"), ('9', "其他")],
    },
    Authority {
        code: '3',
        name: "司法行政",
        org_types: &[
            ('1', "律师执业机构"),
            ('2', "公证处"),
            ('3', "基层法律服务所"),
            ('4', "司法鉴定机构"),
            ('5', "仲裁委员会"),
            ('9', "其他"),
        ],
    },
    Authority {
        code: '4',
        name: "文化",
        org_types: &[('1', "外国在华文化中心"), ('9', "其他")],
    },
    Authority {
        code: '5',
        name: "民政",
        org_types: &[
            ('1', "社会团体"),
            ('2', "民办非企业单位"),
            ('3', "基金会"),
            ('9', "其他"),
        ],
    },
    Authority {
        code: '6',
        name: "旅游",
        org_types: &[
            ('1', "外国旅游部门常驻代表机构"),
            ('2', "港澳台地区旅游部门常驻内地（大陆）代表机构"),
            ('9', "其他"),
        ],
    },
    Authority {
        code: '7',
        name: "宗教",
        org_types: &[('1', "宗教活动场所"), ('2', "宗教院校"), ('9', "其他")],
    },
    Authority {
        code: '8',
        name: "工会",
        org_types: &[('1', "基层工会"), ('9', "其他")],
    },
    Authority {
        code: '9',
        name: "工商（市场监管）",
        org_types: &[('1', "企业"), ('2', "个体工商户"), ('3', "农民专业合作社")],
    },
    Authority {
        code: 'A',
        name: "中央军委改革和编制办公室",
        org_types: &[('1', "军队事业单位"), ('9', "其他")],
    },
    Authority {
        code: 'N',
        name: "农业",
        org_types: &[
            ('1', "组级集体经济组织"),
            ('2', "村级集体经济组织"),
            ('3', "乡镇级集体经济组织"),
            ('9', "其他"),
        ],
    },
    Authority {
        code: 'Y',
        name: "其他",
        org_types: &[('1', "其他")],
    },
];

/// The registration authority with this code, if any.
pub fn authority(code: char) -> Option<&'static Authority> {
    AUTHORITIES.iter().find(|a| a.code == code)
}

/// Name of an organisation type under an authority, e.g. ('9', '1') → "企业".
pub fn org_type_name(authority_code: char, org_type: char) -> Option<&'static str> {
    authority(authority_code)?
        .org_types
        .iter()
        .find(|(c, _)| *c == org_type)
        .map(|(_, n)| *n)
}

/// Value of a character in the GB 32100 set (0..=30), `None` if not in the set.
fn charset_value(c: char) -> Option<u32> {
    let idx = CHARSET.chars().position(|x| x == c)?;
    u32::try_from(idx).ok()
}

/// GB 32100-2015 §5.2 check character for the first 17 characters:
/// C18 = 31 − (Σ Ci·Wi mod 31), with 31 mapped to 0, expressed in [`CHARSET`].
/// `None` if `body` is not 17 characters from the set.
pub fn check_char(body: &str) -> Option<char> {
    if body.chars().count() != 17 {
        return None;
    }
    let mut sum: u32 = 0;
    for (c, w) in body.chars().zip(WEIGHTS) {
        sum = sum.checked_add(charset_value(c)?.checked_mul(w)?)?;
    }
    let check = (31 - sum % 31) % 31;
    CHARSET.chars().nth(usize::try_from(check).ok()?)
}

/// GB 11714-1997 §5 check character of a 组织机构代码 body (8 characters, digits or upper-case
/// letters with A=10 … Z=35): C9 = 11 − (Σ Ci·Wi mod 11), 10 → 'X', 11 → '0'.
/// `None` if `body` is not 8 such characters.
pub fn organization_code_check(body: &str) -> Option<char> {
    if body.chars().count() != 8 {
        return None;
    }
    let mut sum: u32 = 0;
    for (c, w) in body.chars().zip(ORG_WEIGHTS) {
        if !(c.is_ascii_digit() || c.is_ascii_uppercase()) {
            return None;
        }
        sum = sum.checked_add(c.to_digit(36)?.checked_mul(w)?)?;
    }
    match 11 - sum % 11 {
        10 => Some('X'),
        11 => Some('0'),
        n => char::from_digit(n, 10),
    }
}

/// A valid 18-character 统一社会信用代码 (GB 32100-2015).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CreditCode(String);

impl CreditCode {
    /// Parse a code. Input is trimmed and upper-cased first.
    pub fn parse(s: &str) -> Result<CreditCode, RuleError> {
        let code = s.trim().to_uppercase();
        let len = code.chars().count();
        if len != 18 {
            return Err(RuleError::new(
                "credit_code_length",
                format!("统一社会信用代码长度错误：按 GB 32100-2015 应为 18 位，实为 {len} 位"),
            ));
        }
        // GB 32100-2015 §4.1: only 0-9 and A-Z without I, O, Z, S, V.
        if let Some((pos, c)) = code
            .chars()
            .enumerate()
            .find(|(_, c)| charset_value(*c).is_none())
        {
            return Err(RuleError::new(
                "credit_code_charset",
                format!(
                    "统一社会信用代码含非法字符：按 GB 32100-2015 只能使用数字和除 I、O、Z、S、V 以外的大写字母，第 {} 位为“{c}”",
                    pos + 1
                ),
            ));
        }
        // All characters are ASCII from here on, so byte ranges are character ranges.
        let chars: Vec<char> = code.chars().collect();
        let auth_code = chars.first().copied().unwrap_or(' ');
        let type_code = chars.get(1).copied().unwrap_or(' ');

        // GB 32100-2015 §4.2: 登记管理部门代码.
        let auth = authority(auth_code).ok_or_else(|| {
            RuleError::new(
                "credit_code_authority",
                format!("统一社会信用代码登记管理部门代码错误：按 GB 32100-2015 第 1 位“{auth_code}”不是已知的登记管理部门"),
            )
        })?;
        // GB 32100-2015 §4.3: 机构类别代码 must be one the authority assigns.
        if !auth.org_types.iter().any(|(c, _)| *c == type_code) {
            let allowed: String = auth.org_types.iter().map(|(c, _)| *c).collect();
            return Err(RuleError::new(
                "credit_code_org_type",
                format!(
                    "统一社会信用代码机构类别代码错误：按 GB 32100-2015 登记管理部门“{}”下第 2 位应为 {allowed} 之一，实为“{type_code}”",
                    auth.name
                ),
            ));
        }
        // GB 32100-2015 §4.4: 登记管理机关行政区划码, 6 digits (GB/T 2260).
        let region = code.get(2..8).unwrap_or("");
        if !region.bytes().all(|b| b.is_ascii_digit()) {
            return Err(RuleError::new(
                "credit_code_region",
                format!(
                    "统一社会信用代码行政区划码错误：按 GB 32100-2015 第 3–8 位应为数字，实为“{region}”"
                ),
            ));
        }
        // GB 32100-2015 §4.5 → GB 11714-1997: 主体标识码 with its own check character.
        let org_body = code.get(8..16).unwrap_or("");
        let org_check = code.get(16..17).unwrap_or("");
        let expected_org = organization_code_check(org_body).unwrap_or('?');
        if !org_check.starts_with(expected_org) {
            return Err(RuleError::new(
                "organization_code_checksum",
                format!(
                    "组织机构代码校验码错误：按 GB 11714-1997 第 17 位应为 {expected_org}，实为“{org_check}”"
                ),
            ));
        }
        // GB 32100-2015 §5.2: MOD 31 check character.
        let body = code.get(0..17).unwrap_or("");
        let expected = check_char(body).unwrap_or('?');
        if !code.ends_with(expected) {
            return Err(RuleError::new(
                "credit_code_checksum",
                format!("统一社会信用代码校验码错误：按 GB 32100-2015 应为 {expected}"),
            ));
        }
        Ok(CreditCode(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Build a valid code from authority, type, 6-digit region and the 8-character organisation-code
    /// body (GB 11714 check char and GB 32100 check char computed). Used by demo data and tests.
    pub fn from_parts(
        authority: char,
        org_type: char,
        region: &str,
        org_body: &str,
    ) -> Result<CreditCode, RuleError> {
        let org_body = org_body.to_uppercase();
        if org_body.chars().count() != 8 {
            return Err(RuleError::new(
                "credit_code_length",
                format!("组织机构代码本体长度错误：按 GB 11714-1997 应为 8 位，实为“{org_body}”"),
            ));
        }
        if let Some(c) = org_body.chars().find(|c| charset_value(*c).is_none()) {
            return Err(RuleError::new(
                "credit_code_charset",
                format!("组织机构代码本体含非法字符：按 GB 32100-2015 不得使用“{c}”"),
            ));
        }
        if region.len() != 6 || !region.bytes().all(|b| b.is_ascii_digit()) {
            return Err(RuleError::new(
                "credit_code_region",
                format!(
                    "统一社会信用代码行政区划码错误：按 GB 32100-2015 应为 6 位数字，实为“{region}”"
                ),
            ));
        }
        let org_check = organization_code_check(&org_body).ok_or_else(|| {
            RuleError::new("credit_code_charset", "组织机构代码本体应为数字或大写字母")
        })?;
        let body = format!("{authority}{org_type}{region}{org_body}{org_check}");
        let check = check_char(&body).ok_or_else(|| {
            RuleError::new(
                "credit_code_charset",
                format!("统一社会信用代码含非法字符：按 GB 32100-2015 登记管理部门“{authority}”或机构类别“{org_type}”不在字符集内"),
            )
        })?;
        Self::parse(&format!("{body}{check}"))
    }

    /// Registration authority code (1st char), e.g. '9' 工商.
    pub fn authority(&self) -> char {
        self.0.chars().next().unwrap_or(' ')
    }

    /// Organisation type code (2nd char).
    pub fn org_type(&self) -> char {
        self.0.chars().nth(1).unwrap_or(' ')
    }

    /// Name of the registration authority, e.g. "工商（市场监管）".
    pub fn authority_name(&self) -> &'static str {
        authority(self.authority()).map_or("", |a| a.name)
    }

    /// Name of the organisation type, e.g. "企业".
    pub fn org_type_name(&self) -> &'static str {
        org_type_name(self.authority(), self.org_type()).unwrap_or("")
    }

    /// 6-digit region code (chars 3–8).
    pub fn region(&self) -> &str {
        self.0.get(2..8).unwrap_or("")
    }

    /// 9-character organisation code (chars 9–17), GB 11714 checked.
    pub fn organization_code(&self) -> &str {
        self.0.get(8..17).unwrap_or("")
    }
}

impl std::fmt::Display for CreditCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn well_known_samples_are_valid() {
        for s in ["91350100M000100Y43", "91110000600037341L"] {
            let c = CreditCode::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"));
            assert_eq!(c.as_str(), s);
        }
        let c = CreditCode::parse("91350100M000100Y43").unwrap();
        assert_eq!(c.authority(), '9');
        assert_eq!(c.org_type(), '1');
        assert_eq!(c.authority_name(), "工商（市场监管）");
        assert_eq!(c.org_type_name(), "企业");
        assert_eq!(c.region(), "350100");
        assert_eq!(c.organization_code(), "M000100Y4");
        assert_eq!(c.to_string(), "91350100M000100Y43");
    }

    #[test]
    fn check_functions() {
        assert_eq!(check_char("91350100M000100Y4"), Some('3'));
        assert_eq!(check_char("91110000600037341"), Some('L'));
        assert_eq!(check_char("9111000060003734"), None);
        assert_eq!(check_char("9111000060003734I"), None);
        assert_eq!(organization_code_check("M000100Y"), Some('4'));
        assert_eq!(organization_code_check("60003734"), Some('1'));
        assert_eq!(organization_code_check("6000373"), None);
        assert_eq!(organization_code_check("6000373a"), None);
    }

    #[test]
    fn parse_table() {
        let cases: &[(&str, Result<&str, &str>)] = &[
            ("91350100M000100Y43", Ok("91350100M000100Y43")),
            (" 91350100m000100y43 ", Ok("91350100M000100Y43")),
            ("91110000600037341L", Ok("91110000600037341L")),
            ("91110000600037341l", Ok("91110000600037341L")),
            ("91350100M000100Y44", Err("credit_code_checksum")),
            ("91110000600037341M", Err("credit_code_checksum")),
            ("91350100M000100Y53", Err("organization_code_checksum")),
            ("91110000600037351L", Err("organization_code_checksum")),
            ("91350100M000100Y4", Err("credit_code_length")),
            ("91350100M000100Y433", Err("credit_code_length")),
            ("", Err("credit_code_length")),
            ("91350100M000100I43", Err("credit_code_charset")),
            ("91350100M000100O43", Err("credit_code_charset")),
            ("91350100M000100Z43", Err("credit_code_charset")),
            ("91350100M000100S43", Err("credit_code_charset")),
            ("91350100M000100V43", Err("credit_code_charset")),
            ("91350100M000100-43", Err("credit_code_charset")),
            ("９1350100M000100Y43", Err("credit_code_charset")),
            ("B1350100M000100Y43", Err("credit_code_authority")),
            ("01350100M000100Y43", Err("credit_code_authority")),
            ("94350100M000100Y43", Err("credit_code_org_type")),
            ("Y2350100M000100Y43", Err("credit_code_org_type")),
            ("913501A0M000100Y43", Err("credit_code_region")),
        ];
        for (input, expected) in cases {
            let got = CreditCode::parse(input);
            let got = got.as_ref().map(CreditCode::as_str).map_err(|e| e.code);
            assert_eq!(&got, expected, "input {input:?}");
        }
    }

    #[test]
    fn checksum_messages_name_the_standard() {
        let e = CreditCode::parse("91350100M000100Y44").unwrap_err();
        assert_eq!(
            e.message,
            "统一社会信用代码校验码错误：按 GB 32100-2015 应为 3"
        );
        let e = CreditCode::parse("91350100M000100Y53").unwrap_err();
        assert!(e.message.contains("GB 11714-1997"), "{}", e.message);
    }

    #[test]
    fn from_parts_table() {
        assert_eq!(
            CreditCode::from_parts('9', '1', "350100", "M000100Y")
                .unwrap()
                .as_str(),
            "91350100M000100Y43"
        );
        assert_eq!(
            CreditCode::from_parts('9', '1', "110000", "60003734")
                .unwrap()
                .as_str(),
            "91110000600037341L"
        );
        let cases: &[(char, char, &str, &str, &str)] = &[
            ('B', '1', "110000", "60003734", "credit_code_authority"),
            ('9', '9', "110000", "60003734", "credit_code_org_type"),
            ('9', '1', "11000", "60003734", "credit_code_region"),
            ('9', '1', "11000A", "60003734", "credit_code_region"),
            ('9', '1', "110000", "6000373", "credit_code_length"),
            ('9', '1', "110000", "6000373I", "credit_code_charset"),
            ('I', '1', "110000", "60003734", "credit_code_charset"),
        ];
        for (a, t, r, b, code) in cases {
            assert_eq!(
                CreditCode::from_parts(*a, *t, r, b).unwrap_err().code,
                *code,
                "{a}{t}{r}{b}"
            );
        }
    }

    #[test]
    fn every_authority_type_pair_builds() {
        for a in AUTHORITIES {
            for (t, name) in a.org_types {
                let c = CreditCode::from_parts(a.code, *t, "110105", "12345678").unwrap();
                assert_eq!(c.org_type_name(), *name);
                assert_eq!(c.authority_name(), a.name);
            }
        }
    }

    fn arb_parts() -> impl Strategy<Value = (char, char, String, String)> {
        let charset: Vec<char> = CHARSET.chars().collect();
        (
            0..AUTHORITIES.len(),
            any::<prop::sample::Index>(),
            "[0-9]{6}",
            prop::collection::vec(prop::sample::select(charset), 8),
        )
            .prop_map(|(ai, ti, region, body)| {
                let a = &AUTHORITIES[ai];
                let t = a.org_types[ti.index(a.org_types.len())].0;
                (a.code, t, region, body.into_iter().collect())
            })
    }

    proptest! {
        #[test]
        fn from_parts_parses_back((a, t, region, body) in arb_parts()) {
            let c = CreditCode::from_parts(a, t, &region, &body).unwrap();
            let back = CreditCode::parse(c.as_str()).unwrap();
            prop_assert_eq!(&back, &c);
            prop_assert_eq!(back.authority(), a);
            prop_assert_eq!(back.org_type(), t);
            prop_assert_eq!(back.region(), region.as_str());
            prop_assert_eq!(&back.organization_code()[..8], body.as_str());
            let lower = CreditCode::parse(&c.as_str().to_lowercase()).unwrap();
            prop_assert_eq!(lower, c);
        }

        #[test]
        fn changing_the_check_char_is_rejected((a, t, region, body) in arb_parts(), k in 0usize..31) {
            let c = CreditCode::from_parts(a, t, &region, &body).unwrap();
            let replacement = CHARSET.chars().nth(k).unwrap();
            prop_assume!(!c.as_str().ends_with(replacement));
            let changed = format!("{}{replacement}", &c.as_str()[..17]);
            prop_assert_eq!(CreditCode::parse(&changed).unwrap_err().code, "credit_code_checksum");
        }

        #[test]
        fn changing_any_one_char_is_rejected((a, t, region, body) in arb_parts(), pos in 0usize..18, k in 1usize..31) {
            // MOD 31 over a prime modulus with non-zero weights catches every single substitution.
            let c = CreditCode::from_parts(a, t, &region, &body).unwrap();
            let set: Vec<char> = CHARSET.chars().collect();
            let mut chars: Vec<char> = c.as_str().chars().collect();
            let old = set.iter().position(|x| *x == chars[pos]).unwrap();
            chars[pos] = set[(old + k) % 31];
            let changed: String = chars.into_iter().collect();
            prop_assert!(CreditCode::parse(&changed).is_err());
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,20}") {
            let _ = CreditCode::parse(&s);
        }
    }
}
