//! 繁简分流: route each new case to the fast or the standard track.
//!
//! Source: seed 003 (湖南高院《司法改革动态》2020 年第 7 期, 邵阳法院): "将简易案件的标准优化为执行金额
//! 2 万元以下或 30 天内办结案件". The amount test is the one known at filing, so the default rule is
//! "fast track when the claim is at most 20,000 元". Each court may configure its own threshold.

use crate::case::Track;
use crate::case_number::TypeCode;
use crate::money::Fen;

/// A court's triage rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TriageRule {
    /// Claims up to and including this amount go to the fast track.
    pub fast_max: Fen,
}

impl TriageRule {
    /// 20,000 元 (seed 003, 邵阳).
    pub const DEFAULT_FAST_MAX_FEN: i64 = 2_000_000;

    pub const DEFAULT: TriageRule = TriageRule {
        fast_max: Fen::new(Self::DEFAULT_FAST_MAX_FEN),
    };
}

impl Default for TriageRule {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// The track and the reason, in words a court can show and keep on file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TriageDecision {
    pub track: Track,
    pub reason: String,
}

/// Decide the track of a new case.
///
/// Non-money cases (claim 0: 行为给付, e.g. 腾退房屋) need field work and go to the standard track;
/// review-class cases (执异 执复 …) are decided by a collegial panel and are never "fast".
pub fn triage(rule: TriageRule, type_code: TypeCode, claim: Fen) -> TriageDecision {
    if !type_code.is_implementation() {
        return TriageDecision {
            track: Track::Standard,
            reason: format!(
                "{}案件属执行审查类，由合议庭审查，按繁案办理",
                type_code.code()
            ),
        };
    }
    if claim == Fen::ZERO {
        return TriageDecision {
            track: Track::Standard,
            reason: "非金钱给付（标的金额为 0）案件需现场执行，按繁案办理".to_owned(),
        };
    }
    if claim <= rule.fast_max {
        TriageDecision {
            track: Track::Fast,
            reason: format!(
                "标的金额 {} 不超过本院简案标准 {}，分入速执团队",
                claim, rule.fast_max
            ),
        }
    } else {
        TriageDecision {
            track: Track::Standard,
            reason: format!(
                "标的金额 {} 超过本院简案标准 {}，分入精执团队",
                claim, rule.fast_max
            ),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn triage_table() {
        let r = TriageRule::DEFAULT;
        // (type, claim fen, expected track)
        let cases = [
            (TypeCode::FirstEnforcement, 1, Track::Fast),
            (TypeCode::FirstEnforcement, 2_000_000, Track::Fast),
            (TypeCode::FirstEnforcement, 2_000_001, Track::Standard),
            (TypeCode::FirstEnforcement, 0, Track::Standard),
            (TypeCode::ResumedEnforcement, 100, Track::Fast),
            (TypeCode::Objection, 100, Track::Standard),
        ];
        for (t, fen, want) in cases {
            let d = triage(r, t, Fen::new(fen));
            assert_eq!(d.track, want, "{t:?} {fen}: {}", d.reason);
            assert!(!d.reason.is_empty());
        }
        let custom = TriageRule {
            fast_max: Fen::new(5_000_000),
        };
        assert_eq!(
            triage(custom, TypeCode::FirstEnforcement, Fen::new(4_000_000)).track,
            Track::Fast
        );
    }
}
