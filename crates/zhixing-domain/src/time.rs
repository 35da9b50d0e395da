//! Time as the courts count it: instants are unix milliseconds UTC; calendar dates are China
//! Standard Time (UTC+8, no daylight saving), the date printed on every court document.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Timelike};

/// UTC+8 in milliseconds.
pub const CST_OFFSET_MS: i64 = 8 * 3600 * 1000;

/// The date in China at this instant.
pub fn china_date(unix_ms: i64) -> NaiveDate {
    DateTime::from_timestamp_millis(unix_ms.saturating_add(CST_OFFSET_MS))
        .map(|d| d.date_naive())
        .unwrap_or(NaiveDate::MIN)
}

/// The instant (unix ms) at which `d` begins in China (00:00 UTC+8).
pub fn china_midnight_ms(d: NaiveDate) -> i64 {
    d.and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc().timestamp_millis().saturating_sub(CST_OFFSET_MS))
        .unwrap_or(i64::MIN)
}

/// `YYYY-MM-DD HH:MM` in China Standard Time (for display and documents).
pub fn china_datetime_text(unix_ms: i64) -> String {
    DateTime::from_timestamp_millis(unix_ms.saturating_add(CST_OFFSET_MS))
        .map(|d| d.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

/// The wall-clock time in China at this instant.
pub fn china_datetime(unix_ms: i64) -> NaiveDateTime {
    DateTime::from_timestamp_millis(unix_ms.saturating_add(CST_OFFSET_MS))
        .map(|d| d.naive_utc())
        .unwrap_or(NaiveDateTime::MIN)
}

/// A China-time minute as people and forms write it: `YYYY-MM-DD HH:MM` or the HTML
/// `datetime-local` form `YYYY-MM-DDTHH:MM`, optionally with `:SS` (seconds are dropped).
pub fn parse_china_minute(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    [
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
    .and_then(|t| t.with_second(0))
}

/// `YYYY-MM-DD HH:MM`.
pub fn minute_text(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%d %H:%M").to_string()
}

/// `days` calendar days before `d` (saturating at the minimum date).
pub fn days_before(d: NaiveDate, days: i64) -> NaiveDate {
    d.checked_sub_signed(Duration::days(days))
        .unwrap_or(NaiveDate::MIN)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn minutes_parse_in_both_written_forms() {
        let t = parse_china_minute("2024-09-27 14:05").unwrap();
        assert_eq!(parse_china_minute("2024-09-27T14:05"), Some(t));
        assert_eq!(parse_china_minute(" 2024-09-27T14:05:59 "), Some(t));
        assert_eq!(minute_text(t), "2024-09-27 14:05");
        for bad in [
            "2024-09-27",
            "2024-02-30 10:00",
            "2024-09-27 24:00",
            "27/09/2024 10:00",
            "",
        ] {
            assert_eq!(parse_china_minute(bad), None, "{bad}");
        }
        // 2024-09-27 06:05 UTC is 14:05 in China.
        let ms = t.and_utc().timestamp_millis() - CST_OFFSET_MS;
        assert_eq!(china_datetime(ms), t);
    }

    #[test]
    fn china_date_crosses_midnight_at_16_utc() {
        // 2024-09-30T15:59:59Z is 23:59:59 in Beijing; one second later it is 10-01.
        let before = DateTime::parse_from_rfc3339("2024-09-30T15:59:59Z")
            .unwrap()
            .timestamp_millis();
        assert_eq!(
            china_date(before),
            NaiveDate::from_ymd_opt(2024, 9, 30).unwrap()
        );
        assert_eq!(
            china_date(before + 1000),
            NaiveDate::from_ymd_opt(2024, 10, 1).unwrap()
        );
        assert_eq!(china_datetime_text(before + 1000), "2024-10-01 00:00");
        let oct1 = NaiveDate::from_ymd_opt(2024, 10, 1).unwrap();
        assert_eq!(china_midnight_ms(oct1), before + 1000);
        assert_eq!(
            china_date(china_midnight_ms(oct1) - 1),
            oct1.pred_opt().unwrap()
        );
    }
}
