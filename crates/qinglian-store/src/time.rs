//! Timestamps as fixed-width UTC text, so they sort and compare as strings on every database.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};

/// Now, as stored.
pub fn now() -> String {
    format(Utc::now())
}

/// Format a UTC instant as stored ("2026-11-23T08:49:49.123456Z").
pub fn format(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Parse a stored timestamp.
pub fn parse(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s).ok().map(|t| t.with_timezone(&Utc))
}

/// Today's date in China Standard Time (UTC+8): working-day rules follow the local calendar.
pub fn today_cst() -> NaiveDate {
    (Utc::now() + chrono::Duration::hours(8)).date_naive()
}

/// Show a stored UTC timestamp in China Standard Time for people ("2026-11-23 16:49:49").
pub fn display_cst(s: &str) -> String {
    match parse(s) {
        Some(t) => (t + chrono::Duration::hours(8)).format("%Y-%m-%d %H:%M:%S").to_string(),
        None => s.to_string(),
    }
}
