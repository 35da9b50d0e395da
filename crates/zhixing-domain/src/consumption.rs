//! Permission to consume under a 限制消费令 (XF2015 限制消费规定, rules.md §4.3): the nine
//! restricted acts of art 3 as data, the two grounds on which a restricted person may apply to the
//! court, the validation of an application and the states it goes through.
//!
//! - XF2015 art 3 para 2: an entity debtor's bound persons (法定代表人、主要负责人、影响债务履行的
//!   直接责任人员、实际控制人) who consume privately with their own assets (「因私消费以个人财产实施
//!   前述规定行为的」) may apply; 「执行法院审查属实的，应予准许」. Ground `private_own_assets`.
//! - XF2015 art 8: 「被限制消费的被执行人因生活或者经营必需而进行本规定禁止的消费活动的，应当向人民
//!   法院提出申请，获批准后方可进行」. Ground `necessity`.
//!
//! Pure: the app stores what these functions decide.

use chrono::NaiveDate;

use crate::case::parse_date;
use crate::error::{FieldError, RuleError};
use crate::measure::{BoundPerson, PersonRole};

/// One of the acts a 限制消费令 forbids (XF2015 art 3 para 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Act {
    /// Stable code stored with an application.
    pub code: &'static str,
    /// The act as the regulation words it.
    pub text_zh: &'static str,
    /// Where the regulation says it.
    pub article: &'static str,
}

/// The nine acts of XF2015 art 3 para 1, items (一)–(九), in the regulation's order (the text is
/// the one of `zhixing-docs/templates/consumption_restriction.txt`).
pub const ACTS: [Act; 9] = [
    Act {
        code: "premium_transport",
        text_zh: "乘坐交通工具时，选择飞机、列车软卧、轮船二等以上舱位",
        article: "限制消费规定第三条第一款第（一）项",
    },
    Act {
        code: "luxury_venues",
        text_zh: "在星级以上宾馆、酒店、夜总会、高尔夫球场等场所进行高消费",
        article: "限制消费规定第三条第一款第（二）项",
    },
    Act {
        code: "real_estate",
        text_zh: "购买不动产或者新建、扩建、高档装修房屋",
        article: "限制消费规定第三条第一款第（三）项",
    },
    Act {
        code: "luxury_office",
        text_zh: "租赁高档写字楼、宾馆、公寓等场所办公",
        article: "限制消费规定第三条第一款第（四）项",
    },
    Act {
        code: "vehicle",
        text_zh: "购买非经营必需车辆",
        article: "限制消费规定第三条第一款第（五）项",
    },
    Act {
        code: "travel",
        text_zh: "旅游、度假",
        article: "限制消费规定第三条第一款第（六）项",
    },
    Act {
        code: "private_school",
        text_zh: "子女就读高收费私立学校",
        article: "限制消费规定第三条第一款第（七）项",
    },
    Act {
        code: "insurance_products",
        text_zh: "支付高额保费购买保险理财产品",
        article: "限制消费规定第三条第一款第（八）项",
    },
    Act {
        code: "high_speed_rail",
        text_zh: "乘坐G字头动车组列车全部座位、其他动车组列车一等以上座位等其他非生活和工作必需的消费行为",
        article: "限制消费规定第三条第一款第（九）项",
    },
];

/// The act with `code`.
pub fn act(code: &str) -> Option<&'static Act> {
    ACTS.iter().find(|a| a.code == code)
}

/// Why a restricted person asks to do a restricted act.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ground {
    /// XF2015 art 3 para 2: an entity's bound person consuming privately with their own assets.
    PrivateOwnAssets,
    /// XF2015 art 8: 生活或者经营必需.
    Necessity,
}

impl Ground {
    pub const ALL: [Ground; 2] = [Ground::PrivateOwnAssets, Ground::Necessity];

    pub fn as_str(self) -> &'static str {
        match self {
            Ground::PrivateOwnAssets => "private_own_assets",
            Ground::Necessity => "necessity",
        }
    }

    pub fn from_str_opt(s: &str) -> Option<Ground> {
        Ground::ALL.into_iter().find(|g| g.as_str() == s)
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Ground::PrivateOwnAssets => "因私消费以个人财产实施",
            Ground::Necessity => "因生活或者经营必需",
        }
    }

    pub fn article(self) -> &'static str {
        match self {
            Ground::PrivateOwnAssets => "限制消费规定第三条第二款",
            Ground::Necessity => "限制消费规定第八条",
        }
    }
}

/// Who applies: the restricted debtor itself, or one of an entity debtor's bound persons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApplicantRole {
    Debtor,
    Bound(PersonRole),
}

impl ApplicantRole {
    pub const ALL: [ApplicantRole; 5] = [
        ApplicantRole::Debtor,
        ApplicantRole::Bound(PersonRole::LegalRepresentative),
        ApplicantRole::Bound(PersonRole::PrincipalInCharge),
        ApplicantRole::Bound(PersonRole::DirectlyResponsible),
        ApplicantRole::Bound(PersonRole::ActualController),
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ApplicantRole::Debtor => "debtor",
            ApplicantRole::Bound(PersonRole::LegalRepresentative) => "legal_representative",
            ApplicantRole::Bound(PersonRole::PrincipalInCharge) => "principal_in_charge",
            ApplicantRole::Bound(PersonRole::DirectlyResponsible) => "directly_responsible",
            ApplicantRole::Bound(PersonRole::ActualController) => "actual_controller",
        }
    }

    pub fn from_str_opt(s: &str) -> Option<ApplicantRole> {
        ApplicantRole::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            ApplicantRole::Debtor => "被执行人",
            ApplicantRole::Bound(r) => r.name_zh(),
        }
    }
}

/// Whether `ground` is open to `role` — the strict reading of the two articles:
/// - `private_own_assets` (art 3 para 2) speaks only of the entity's bound persons spending their
///   own money; the entity itself (and a natural-person debtor, whose own assets are exactly what
///   art 3 para 1 restricts) can never use it;
/// - `necessity` (art 8) speaks of 「被限制消费的被执行人」: the debtor itself. A bound person who
///   must consume with the entity's assets for the business is the entity consuming, so the entity
///   applies; with their own assets they apply under art 3 para 2.
pub fn ground_allowed(ground: Ground, role: ApplicantRole) -> Result<(), RuleError> {
    match (ground, role) {
        (Ground::PrivateOwnAssets, ApplicantRole::Bound(_))
        | (Ground::Necessity, ApplicantRole::Debtor) => Ok(()),
        (Ground::PrivateOwnAssets, ApplicantRole::Debtor) => Err(RuleError::new(
            "ground_not_allowed",
            "以个人财产因私消费的申请仅适用于单位被执行人的法定代表人、主要负责人、影响债务履行的直接责任人员、实际控制人，被执行人本身不适用（限制消费规定第三条第二款）",
        )),
        (Ground::Necessity, ApplicantRole::Bound(_)) => Err(RuleError::new(
            "ground_not_allowed",
            "因生活或者经营必需的申请由被限制消费的被执行人提出（限制消费规定第八条）；单位的有关人员以个人财产因私消费的，按第三条第二款申请",
        )),
    }
}

/// The role in which `name` / `id_number` is restricted by a measure against `subject_name` /
/// `subject_id` (ID number or credit code) that binds `persons`: the debtor itself, or one of its
/// bound persons. Name and number must both match (ID numbers and credit codes compared
/// ASCII-case-insensitively, so a lower-case check character `x` matches).
pub fn restricted_role(
    subject_name: &str,
    subject_id: &str,
    persons: &[BoundPerson],
    name: &str,
    id_number: &str,
) -> Result<ApplicantRole, FieldError> {
    let name = name.trim();
    let id = id_number.trim();
    if name.is_empty() {
        return Err(FieldError::new(
            "required",
            "applicant_name",
            "申请人姓名（名称）必填",
        ));
    }
    if id.is_empty() {
        return Err(FieldError::new(
            "required",
            "applicant_id_number",
            "申请人身份证号码（统一社会信用代码）必填",
        ));
    }
    if subject_name == name && subject_id.eq_ignore_ascii_case(id) {
        return Ok(ApplicantRole::Debtor);
    }
    if let Some(p) = persons
        .iter()
        .find(|p| p.name == name && p.id_number.eq_ignore_ascii_case(id))
    {
        return Ok(ApplicantRole::Bound(p.role));
    }
    Err(FieldError::new(
        "not_restricted",
        "applicant_id_number",
        "申请人不是该限制消费令限制的被执行人或单位被执行人的有关人员（姓名与证件号码均须一致；限制消费规定第三条、第八条）",
    ))
}

/// Reason of an application and note of a refusal: required, at most this many characters.
pub const TEXT_MAX: usize = 1000;

/// The longest period one permission may cover, in days, both ends counted. The regulation sets
/// no period; the strict reading is that art 8 permits a particular necessary consumption, not a
/// standing exemption: a permission without a short end would in effect lift the order in part,
/// which art 9 allows only on security, the applicant's consent or full performance. 90 days
/// (a quarter) covers a course of medical treatment, a school term's travel or a season's business
/// trips; a longer need is applied for again and examined again.
pub const MAX_PERIOD_DAYS: i64 = 90;

/// A validated application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Application {
    pub act: &'static Act,
    pub ground: Ground,
    pub reason: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// The raw fields of an application.
#[derive(Debug, Clone, Copy)]
pub struct ApplicationInput<'a> {
    pub act: &'a str,
    pub ground: &'a str,
    pub reason: &'a str,
    pub from: &'a str,
    pub to: &'a str,
}

/// Check an application by `role` made on `applied_on`: a known act, a ground open to the
/// applicant, a reason, and a period of real dates `from..=to` that starts no earlier than the
/// application (art 8: 「获批准后方可进行」 — a permission never covers what was already done) and
/// lasts at most [`MAX_PERIOD_DAYS`].
pub fn validate_application(
    input: ApplicationInput<'_>,
    role: ApplicantRole,
    applied_on: NaiveDate,
) -> Result<Application, FieldError> {
    let act = act(input.act.trim()).ok_or_else(|| {
        FieldError::new(
            "unknown_act",
            "act",
            "消费行为应为限制消费规定第三条第一款所列九项之一",
        )
    })?;
    let ground = Ground::from_str_opt(input.ground.trim()).ok_or_else(|| {
        FieldError::new(
            "unknown_ground",
            "ground",
            "申请事由应为 private_own_assets（第三条第二款）或 necessity（第八条）",
        )
    })?;
    ground_allowed(ground, role).map_err(|e| e.at("ground"))?;
    let reason =
        crate::duty::clean_text(input.reason, TEXT_MAX, true).map_err(|e| e.at("reason"))?;
    let from = parse_date(input.from).map_err(|e| e.at("from"))?;
    let to = parse_date(input.to).map_err(|e| e.at("to"))?;
    if from < applied_on {
        return Err(FieldError::new(
            "period_before_application",
            "from",
            format!(
                "许可期间不能早于申请日 {applied_on}：限制消费的行为须获批准后方可进行（限制消费规定第八条）"
            ),
        ));
    }
    if to < from {
        return Err(FieldError::new(
            "period_order",
            "to",
            "许可期间的结束日不能早于开始日",
        ));
    }
    let days = (to - from).num_days() + 1;
    if days > MAX_PERIOD_DAYS {
        return Err(FieldError::new(
            "period_too_long",
            "to",
            format!("一次许可的期间最长 {MAX_PERIOD_DAYS} 日（含首尾），本次为 {days} 日"),
        ));
    }
    Ok(Application {
        act,
        ground,
        reason,
        from,
        to,
    })
}

/// The court's decision: `applied` → `granted` | `refused`; both final. A grant needs a period
/// that has not ended yet on the day of the decision (a permission for the past permits nothing);
/// a refusal needs its reasons (`note`).
pub fn decide(
    status: &str,
    grant: bool,
    note: &str,
    to: NaiveDate,
    today: NaiveDate,
) -> Result<(&'static str, String), FieldError> {
    if status != "applied" {
        return Err(FieldError::new(
            "already_decided",
            "grant",
            "该申请已作出决定（准许或不准许均为终局）",
        ));
    }
    let note = crate::duty::clean_text(note, TEXT_MAX, !grant).map_err(|e| {
        if e.code == "required" {
            RuleError::new(
                "reasons_required",
                "不予准许的，应当写明理由（限制消费规定第三条第二款：审查属实的应予准许）",
            )
            .at("note")
        } else {
            e.at("note")
        }
    })?;
    if grant && to < today {
        return Err(FieldError::new(
            "period_over",
            "grant",
            format!("申请的期间已于 {to} 届满，不能再予准许"),
        ));
    }
    Ok((if grant { "granted" } else { "refused" }, note))
}

/// A granted permission in force on the day asked, under one 限制消费令: the act, its days
/// (`YYYY-MM-DD`, both counted, so they compare as text) and the court that granted it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub act: String,
    pub from: String,
    pub to: String,
    pub court: String,
}

/// An act permitted under every order considered, and the days on which it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Permitted {
    /// One of [`ACTS`]' codes.
    pub act: String,
    /// The days the act is permitted under every order: the latest first day and the earliest
    /// last day of the grants (one per order) that permit it.
    pub from: String,
    pub to: String,
    /// The court whose grant ends first (it bounds `to`).
    pub court: String,
    /// Every court whose grant is part of the answer, sorted, once each.
    pub courts: Vec<String>,
}

/// The acts a person may do on a day when `orders` bind them at once: `orders[i]` holds the
/// grants in force that day under the i-th 限制消费令 in effect for the person.
///
/// The rule. Each 限制消费令 forbids the acts of XF2015 art 3 para 1 on its own; a permission
/// (art 3 para 2: 「执行法院审查属实的，应予准许」; art 8: 「应当向人民法院提出申请，获批准后方可进行」)
/// is granted in one case, by the court that issued that order, and relieves that order only.
/// The reading (the stricter one): a person bound by two orders at once (two cases, perhaps two
/// courts) may do an act only where **every** order in effect permits it — a grant under order A
/// does not lift order B, whose court has examined nothing. So an act is returned only if each
/// order has a grant for it, and only for the days every one of them covers. With no order in
/// effect there is nothing to permit (nothing is returned: the person is not restricted by an
/// order, and a permission needs one). Output in the regulation's order of the acts.
pub fn permitted_under_every_order(orders: &[Vec<Grant>]) -> Vec<Permitted> {
    if orders.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for act in &ACTS {
        // Under each order, the grant for the act that lasts longest (ties: the first).
        let mut chosen: Vec<&Grant> = Vec::with_capacity(orders.len());
        for grants in orders {
            let best =
                grants
                    .iter()
                    .filter(|g| g.act == act.code)
                    .fold(None::<&Grant>, |best, g| match best {
                        Some(b) if b.to >= g.to => Some(b),
                        _ => Some(g),
                    });
            match best {
                Some(g) => chosen.push(g),
                None => break,
            }
        }
        if chosen.len() < orders.len() {
            continue;
        }
        let from = chosen.iter().map(|g| g.from.as_str()).max().unwrap_or("");
        let Some(first_end) = chosen
            .iter()
            .copied()
            .reduce(|a, b| if b.to < a.to { b } else { a })
        else {
            continue;
        };
        if from > first_end.to.as_str() {
            continue;
        }
        let mut courts: Vec<String> = chosen.iter().map(|g| g.court.clone()).collect();
        courts.sort();
        courts.dedup();
        out.push(Permitted {
            act: act.code.to_owned(),
            from: from.to_owned(),
            to: first_end.to.clone(),
            court: first_end.court.clone(),
            courts,
        });
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn input<'a>(ground: &'a str, from: &'a str, to: &'a str) -> ApplicationInput<'a> {
        ApplicationInput {
            act: "premium_transport",
            ground,
            reason: "赴北京就医，需乘坐飞机",
            from,
            to,
        }
    }

    const REP: ApplicantRole = ApplicantRole::Bound(PersonRole::LegalRepresentative);

    #[test]
    fn nine_acts_with_unique_codes_and_their_article() {
        assert_eq!(ACTS.len(), 9);
        for (i, a) in ACTS.iter().enumerate() {
            assert_eq!(act(a.code), Some(a));
            assert!(a.article.starts_with("限制消费规定第三条第一款"));
            assert!(ACTS[i + 1..].iter().all(|b| b.code != a.code));
        }
        assert!(ACTS[8].text_zh.contains("G字头"));
        assert!(act("yacht").is_none());
    }

    #[test]
    fn grounds_by_applicant() {
        // Art 3 para 2: only a bound person, never the entity (or a person debtor) itself.
        assert_eq!(
            ground_allowed(Ground::PrivateOwnAssets, ApplicantRole::Debtor)
                .unwrap_err()
                .code,
            "ground_not_allowed"
        );
        for r in ApplicantRole::ALL.into_iter().skip(1) {
            ground_allowed(Ground::PrivateOwnAssets, r).unwrap();
            assert!(ground_allowed(Ground::Necessity, r).is_err());
            assert_eq!(ApplicantRole::from_str_opt(r.as_str()), Some(r));
        }
        // Art 8: the debtor.
        ground_allowed(Ground::Necessity, ApplicantRole::Debtor).unwrap();
        assert!(
            ground_allowed(Ground::PrivateOwnAssets, ApplicantRole::Debtor)
                .unwrap_err()
                .message
                .contains("第三条第二款")
        );
    }

    #[test]
    fn applicant_must_be_restricted_by_name_and_number() {
        let persons = vec![BoundPerson {
            role: PersonRole::ActualController,
            name: "王五".into(),
            id_number: "51112319700101123X".into(),
        }];
        let cc = "91511123000000057A";
        assert_eq!(
            restricted_role("某公司", cc, &persons, "某公司", cc).unwrap(),
            ApplicantRole::Debtor
        );
        assert_eq!(
            restricted_role("某公司", cc, &persons, " 王五 ", "51112319700101123x").unwrap(),
            ApplicantRole::Bound(PersonRole::ActualController)
        );
        // Right number, wrong name; a stranger; missing fields.
        let e = restricted_role("某公司", cc, &persons, "王六", "51112319700101123X").unwrap_err();
        assert_eq!(
            (e.code, e.field.as_str()),
            ("not_restricted", "applicant_id_number")
        );
        let e = restricted_role("某公司", cc, &persons, "李四", "110101199003071234").unwrap_err();
        assert_eq!(e.code, "not_restricted");
        let e = restricted_role("某公司", cc, &persons, "", cc).unwrap_err();
        assert_eq!(e.field, "applicant_name");
        let e = restricted_role("某公司", cc, &persons, "王五", " ").unwrap_err();
        assert_eq!(e.field, "applicant_id_number");
    }

    #[test]
    fn an_application_is_validated_field_by_field() {
        let today = d("2024-09-27");
        let ok = validate_application(
            input("private_own_assets", "2024-09-27", "2024-12-25"),
            REP,
            today,
        )
        .unwrap();
        assert_eq!(
            (ok.ground, ok.act.code),
            (Ground::PrivateOwnAssets, "premium_transport")
        );
        let field = |i: ApplicationInput<'_>, r: ApplicantRole| {
            let e = validate_application(i, r, today).unwrap_err();
            (e.code, e.field)
        };
        let mut bad = input("necessity", "2024-09-28", "2024-09-30");
        bad.act = "yacht";
        assert_eq!(
            field(bad, ApplicantRole::Debtor),
            ("unknown_act", "act".into())
        );
        assert_eq!(
            field(
                input("whim", "2024-09-28", "2024-09-30"),
                ApplicantRole::Debtor
            ),
            ("unknown_ground", "ground".into())
        );
        assert_eq!(
            field(
                input("private_own_assets", "2024-09-28", "2024-09-30"),
                ApplicantRole::Debtor
            ),
            ("ground_not_allowed", "ground".into())
        );
        let mut no_reason = input("necessity", "2024-09-28", "2024-09-30");
        no_reason.reason = "  ";
        assert_eq!(
            field(no_reason, ApplicantRole::Debtor),
            ("required", "reason".into())
        );
        let long = "因".repeat(TEXT_MAX + 1);
        let mut too_long = input("necessity", "2024-09-28", "2024-09-30");
        too_long.reason = &long;
        assert_eq!(
            field(too_long, ApplicantRole::Debtor),
            ("too_long", "reason".into())
        );
        assert_eq!(
            field(
                input("necessity", "2024-02-30", "2024-09-30"),
                ApplicantRole::Debtor
            ),
            ("date_format", "from".into())
        );
        assert_eq!(
            field(
                input("necessity", "2024-09-28", "2024-9-3x"),
                ApplicantRole::Debtor
            ),
            ("date_format", "to".into())
        );
        assert_eq!(
            field(
                input("necessity", "2024-09-26", "2024-09-30"),
                ApplicantRole::Debtor
            ),
            ("period_before_application", "from".into())
        );
        assert_eq!(
            field(
                input("necessity", "2024-09-30", "2024-09-29"),
                ApplicantRole::Debtor
            ),
            ("period_order", "to".into())
        );
        // 90 days both ends counted: 09-27 … 12-25 is 90, 12-26 is 91.
        assert_eq!(
            field(
                input("necessity", "2024-09-27", "2024-12-26"),
                ApplicantRole::Debtor
            ),
            ("period_too_long", "to".into())
        );
        validate_application(
            input("necessity", "2024-09-27", "2024-09-27"),
            ApplicantRole::Debtor,
            today,
        )
        .unwrap();
    }

    #[test]
    fn decisions_are_final_and_a_refusal_gives_reasons() {
        let today = d("2024-09-27");
        let to = d("2024-10-10");
        assert_eq!(decide("applied", true, "", to, today).unwrap().0, "granted");
        assert_eq!(
            decide("applied", false, "未提供就医证明", to, today).unwrap(),
            ("refused", "未提供就医证明".to_owned())
        );
        let e = decide("applied", false, " ", to, today).unwrap_err();
        assert_eq!((e.code, e.field.as_str()), ("reasons_required", "note"));
        for s in ["granted", "refused"] {
            assert_eq!(
                decide(s, true, "", to, today).unwrap_err().code,
                "already_decided"
            );
            assert_eq!(
                decide(s, false, "x", to, today).unwrap_err().code,
                "already_decided"
            );
        }
        // A period already over cannot be granted (but can still be refused).
        assert_eq!(
            decide("applied", true, "", d("2024-09-26"), today)
                .unwrap_err()
                .code,
            "period_over"
        );
        decide("applied", false, "期间已过", d("2024-09-26"), today).unwrap();
    }

    fn g(act: &str, from: &str, to: &str, court: &str) -> Grant {
        Grant {
            act: act.into(),
            from: from.into(),
            to: to.into(),
            court: court.into(),
        }
    }

    #[test]
    fn permission_under_every_order_is_the_intersection() {
        // One order: its grants as they are (regulation order of the acts).
        let one = vec![vec![
            g("travel", "2024-10-01", "2024-10-07", "川1123"),
            g("premium_transport", "2024-09-28", "2024-10-10", "川1123"),
        ]];
        let p = permitted_under_every_order(&one);
        assert_eq!(
            p.iter().map(|x| x.act.as_str()).collect::<Vec<_>>(),
            ["premium_transport", "travel"]
        );
        assert_eq!(
            (p[0].from.as_str(), p[0].to.as_str(), p[0].courts.len()),
            ("2024-09-28", "2024-10-10", 1)
        );
        // Two orders, a grant under one only: nothing is permitted (XF2015 arts 3, 8: the grant
        // relieves its own order, the other still forbids the act).
        let two = vec![one[0].clone(), vec![]];
        assert!(permitted_under_every_order(&two).is_empty());
        let two = vec![
            one[0].clone(),
            vec![g("travel", "2024-09-30", "2024-10-20", "川1124")],
        ];
        assert!(!permitted_under_every_order(&two).is_empty());
        // Both permit travel: only on the days both cover; the court whose grant ends first.
        let p = permitted_under_every_order(&two);
        assert_eq!(p.len(), 1);
        assert_eq!(
            (
                p[0].act.as_str(),
                p[0].from.as_str(),
                p[0].to.as_str(),
                p[0].court.as_str()
            ),
            ("travel", "2024-10-01", "2024-10-07", "川1123")
        );
        assert_eq!(p[0].courts, ["川1123", "川1124"]);
        // Two grants for one act under one order: the one lasting longer counts.
        let dup = vec![vec![
            g("travel", "2024-09-28", "2024-10-02", "川1123"),
            g("travel", "2024-10-01", "2024-10-09", "川1123"),
        ]];
        assert_eq!(permitted_under_every_order(&dup)[0].to, "2024-10-09");
        // No order in effect: nothing to permit.
        assert!(permitted_under_every_order(&[]).is_empty());
    }
}
