//! 分案: choose the team and the handler (承办人) for a new case.
//!
//! The "1 + N" model (seed 003): one command center and N enforcement teams, each fast or standard.
//! Rule: among the teams of the case's track, the one with the fewest open cases; ties go to the team
//! with the fewest cases filed in the last 30 days, then to the team name (stable). Within the team,
//! the handler with the fewest open cases (ties: fewest filed in 30 days, then name).
//! A handler must be assigned within 7 days of filing (法发〔2006〕35号 art 2); zhixing does it at filing.

use crate::case::Track;

/// Load figures of a team or handler, as the store counts them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub id: String,
    pub name: String,
    pub open_cases: i64,
    pub filed_last_30_days: i64,
}

/// The least-loaded candidate, with the reason in words.
pub fn pick<'a>(candidates: &'a [Candidate], what: &str) -> Option<(&'a Candidate, String)> {
    let best = candidates.iter().min_by(|a, b| {
        (a.open_cases, a.filed_last_30_days, &a.name).cmp(&(
            b.open_cases,
            b.filed_last_30_days,
            &b.name,
        ))
    })?;
    let tied_open = candidates
        .iter()
        .filter(|c| c.open_cases == best.open_cases)
        .count();
    let reason = if candidates.len() == 1 {
        format!(
            "{what}仅有「{}」一个可选（在办 {} 件）",
            best.name, best.open_cases
        )
    } else if tied_open > 1 {
        let tied_30 = candidates
            .iter()
            .filter(|c| {
                c.open_cases == best.open_cases && c.filed_last_30_days == best.filed_last_30_days
            })
            .count();
        if tied_30 > 1 {
            format!(
                "{what}「{}」在办 {} 件、近 30 日新收 {} 件，与其他 {} 个并列最少，按名称顺序选定",
                best.name,
                best.open_cases,
                best.filed_last_30_days,
                tied_30.saturating_sub(1)
            )
        } else {
            format!(
                "{what}「{}」在办 {} 件并列最少，近 30 日新收 {} 件最少",
                best.name, best.open_cases, best.filed_last_30_days
            )
        }
    } else {
        format!(
            "{what}「{}」在办 {} 件，为 {} 个候选中最少",
            best.name,
            best.open_cases,
            candidates.len()
        )
    };
    Some((best, reason))
}

/// Label used in reasons.
pub fn team_label(track: Track) -> &'static str {
    match track {
        Track::Fast => "速执团队",
        Track::Standard => "精执团队",
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn c(id: &str, open: i64, recent: i64) -> Candidate {
        Candidate {
            id: id.into(),
            name: id.into(),
            open_cases: open,
            filed_last_30_days: recent,
        }
    }

    #[test]
    fn least_loaded_then_recent_then_name() {
        // (candidates, expected id, reason fragment)
        let table: Vec<(Vec<Candidate>, &str, &str)> = vec![
            (vec![c("一组", 5, 1), c("二组", 3, 9)], "二组", "最少"),
            (
                vec![c("一组", 3, 4), c("二组", 3, 2)],
                "二组",
                "近 30 日新收 2 件最少",
            ),
            (vec![c("二组", 3, 2), c("一组", 3, 2)], "一组", "按名称顺序"),
            (vec![c("一组", 7, 7)], "一组", "仅有"),
        ];
        for (cands, want, frag) in table {
            let (got, reason) = pick(&cands, "团队").unwrap();
            assert_eq!(got.id, want);
            assert!(reason.contains(frag), "{reason}");
        }
        assert!(pick(&[], "团队").is_none());
    }
}
