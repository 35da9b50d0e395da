//! Time as the courts count it: instants are unix milliseconds UTC; calendar dates are China
//! Standard Time (UTC+8, no daylight saving), the date printed on every court document.

use chrono::{DateTime, Duration, NaiveDate};

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
