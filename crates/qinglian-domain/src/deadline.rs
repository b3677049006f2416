//! Due dates and red/yellow/green deadline status (RULES.md §1; 限时办结, 红黄牌).

use std::fmt;

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::calendar::{Calendar, CalendarError};

/// A time limit: N working days, N calendar days, or N calendar months.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    /// "N个工作日": ends on the N-th working day after the start day.
    Workdays(u32),
    /// "N日": ends N calendar days after the start day, rolled forward off rest days.
    Days(u32),
    /// "N个月": ends on the same day N months later (month end if none), rolled forward off
    /// rest days (民法典 第二百零二条、第二百零三条).
    Months(u32),
}

impl Period {
    /// Stable text form stored with a deadline whose due date is still pending:
    /// `workdays:15`, `days:30`, `months:1`. [`Period::parse_code`] reads it back.
    pub fn code(self) -> String {
        match self {
            Period::Workdays(n) => format!("workdays:{n}"),
            Period::Days(n) => format!("days:{n}"),
            Period::Months(n) => format!("months:{n}"),
        }
    }

    /// Reads [`Period::code`]'s form; `None` for anything else.
    pub fn parse_code(s: &str) -> Option<Period> {
        let (kind, n) = s.split_once(':')?;
        let n: u32 = n.parse().ok()?;
        match kind {
            "workdays" => Some(Period::Workdays(n)),
            "days" => Some(Period::Days(n)),
            "months" => Some(Period::Months(n)),
            _ => None,
        }
    }
}

/// A due date, or the period waiting for a calendar year that has no data yet (待定).
///
/// Deadlines never guess a year (RULES.md §1): when a period runs into a year whose holiday
/// arrangement is not known, the work still goes on and its due date is computed the moment
/// the administrator saves that year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    /// The due date is known.
    On(NaiveDate),
    /// The due date waits for the calendar of `year`.
    Pending {
        /// The period to count from the start day once the year is known.
        period: Period,
        /// The first year the computation needs and the calendar lacks.
        year: i32,
    },
}

impl Due {
    /// The known date, if any.
    pub fn date(self) -> Option<NaiveDate> {
        match self {
            Due::On(d) => Some(d),
            Due::Pending { .. } => None,
        }
    }
}

/// The due date of `period` from `start`, or [`Due::Pending`] when the calendar lacks a year
/// the count runs into. Never fails and never guesses.
pub fn due_or_pending(cal: &Calendar, start: NaiveDate, period: Period) -> Due {
    match due_date(cal, start, period) {
        Ok(d) => Due::On(d),
        Err(CalendarError::YearNotCovered(year)) => Due::Pending { period, year },
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Period::Workdays(n) => write!(f, "{n}个工作日"),
            Period::Days(n) => write!(f, "{n}日"),
            Period::Months(n) => write!(f, "{n}个月"),
        }
    }
}

/// The due date of a period starting on `start` (day 0, not counted; RULES.md §1).
///
/// Working days: the N-th working day after `start`. Days: `start + N`, moved to the next
/// working day if that is a rest day (民法典 第二百零三条). Months: the corresponding day of
/// the N-th following month, or that month's last day if it has none (民法典 第二百零二条),
/// then moved off rest days the same way.
pub fn due_date(cal: &Calendar, start: NaiveDate, period: Period) -> Result<NaiveDate, CalendarError> {
    match period {
        Period::Workdays(n) => cal.add_workdays(start, n),
        Period::Days(n) => cal.add_days(start, n),
        Period::Months(n) => {
            let end = start
                .checked_add_months(Months::new(n))
                .ok_or(CalendarError::YearNotCovered(NaiveDate::MAX.year()))?;
            cal.roll_forward(end)
        }
    }
}

/// Traffic-light status of a deadline (红黄牌).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineStatus {
    /// More than the warning margin left.
    Green,
    /// The due date is not known yet: its year has no calendar (待定, shown amber). Ordered
    /// after green and before yellow: it needs the administrator, not yet the owner.
    Pending,
    /// Due within the warning margin (including due today): 黄牌.
    Yellow,
    /// Past the due date: 红牌.
    Red,
}

impl DeadlineStatus {
    /// Chinese label: "正常" / "临期" / "逾期".
    pub fn label(self) -> &'static str {
        match self {
            DeadlineStatus::Green => "正常",
            DeadlineStatus::Yellow => "临期",
            DeadlineStatus::Red => "逾期",
            DeadlineStatus::Pending => "待定",
        }
    }

    /// Stable identifier: "green" / "yellow" / "red".
    pub fn as_str(self) -> &'static str {
        match self {
            DeadlineStatus::Green => "green",
            DeadlineStatus::Yellow => "yellow",
            DeadlineStatus::Red => "red",
            DeadlineStatus::Pending => "pending",
        }
    }
}

impl fmt::Display for DeadlineStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Status on `today` of something due on `due`: red if `today > due`; yellow if at most
/// `yellow_workdays` working days are left (due today = 0 left = yellow); else green.
pub fn status(
    cal: &Calendar,
    today: NaiveDate,
    due: NaiveDate,
    yellow_workdays: u32,
) -> Result<DeadlineStatus, CalendarError> {
    if today > due {
        return Ok(DeadlineStatus::Red);
    }
    let left = cal.workdays_between(today, due)?;
    Ok(if left <= i64::from(yellow_workdays) {
        DeadlineStatus::Yellow
    } else {
        DeadlineStatus::Green
    })
}

/// Working days left from `today` to `due` (working days in `(today, due]`; negative when
/// overdue: minus the working days in `(due, today]`).
pub fn workdays_left(cal: &Calendar, today: NaiveDate, due: NaiveDate) -> Result<i64, CalendarError> {
    cal.workdays_between(today, due)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// RULES.md §1: "N个工作日" and "N日" conventions through due_date.
    #[test]
    fn due_date_conventions() {
        let cal = Calendar::builtin();
        assert_eq!(
            due_date(&cal, d("2024-03-04"), Period::Workdays(15)).unwrap(),
            d("2024-03-25")
        );
        // 2025-09-01 + 30 days = 2025-10-01 (国庆) → 2025-10-09.
        assert_eq!(
            due_date(&cal, d("2025-09-01"), Period::Days(30)).unwrap(),
            d("2025-10-09")
        );
        assert!(due_date(&cal, d("2026-12-20"), Period::Workdays(15)).is_err());
    }

    /// RULES.md §3 / 民法典 第二百零二条、第二百零三条: "N个月" ends on the corresponding day,
    /// clamped to month end, rolled forward off rest days.
    #[test]
    fn due_date_months() {
        let cal = Calendar::builtin();
        // 2024-03-15 (Fri) + 1 month = 2024-04-15 (Mon).
        assert_eq!(
            due_date(&cal, d("2024-03-15"), Period::Months(1)).unwrap(),
            d("2024-04-15")
        );
        // 2024-01-31 + 1 month → 2024-02-29 (Thu, leap year, month end).
        assert_eq!(
            due_date(&cal, d("2024-01-31"), Period::Months(1)).unwrap(),
            d("2024-02-29")
        );
        // 2025-01-31 + 1 month → 2025-02-28 (Fri).
        assert_eq!(
            due_date(&cal, d("2025-01-31"), Period::Months(1)).unwrap(),
            d("2025-02-28")
        );
        // 2024-09-01 + 1 month → 2024-10-01 (国庆) → 2024-10-08.
        assert_eq!(
            due_date(&cal, d("2024-09-01"), Period::Months(1)).unwrap(),
            d("2024-10-08")
        );
        // 2024-08-31 + 6 months → 2025-02-28.
        assert_eq!(
            due_date(&cal, d("2024-08-31"), Period::Months(6)).unwrap(),
            d("2025-02-28")
        );
        // 2 months ending on a Sunday: 2024-01-14 + 2 months = 2024-03-14 (Thu).
        assert_eq!(
            due_date(&cal, d("2024-01-14"), Period::Months(2)).unwrap(),
            d("2024-03-14")
        );
        // Ending on Saturday 2024-06-15 → Monday 2024-06-17.
        assert_eq!(
            due_date(&cal, d("2024-05-15"), Period::Months(1)).unwrap(),
            d("2024-06-17")
        );
        assert!(due_date(&cal, d("2026-12-15"), Period::Months(1)).is_err());
    }

    /// RULES.md §1: Period display in Chinese.
    #[test]
    fn period_display() {
        assert_eq!(Period::Workdays(15).to_string(), "15个工作日");
        assert_eq!(Period::Days(30).to_string(), "30日");
        assert_eq!(Period::Months(2).to_string(), "2个月");
        assert_eq!(
            serde_json::to_string(&Period::Workdays(15)).unwrap(),
            r#"{"workdays":15}"#
        );
        assert_eq!(
            serde_json::from_str::<Period>(r#"{"months":1}"#).unwrap(),
            Period::Months(1)
        );
        assert_eq!(serde_json::to_string(&DeadlineStatus::Yellow).unwrap(), r#""yellow""#);
    }

    /// 红黄牌: red after due, yellow within the margin (due today included), else green.
    #[test]
    fn status_colours() {
        let cal = Calendar::builtin();
        let due = d("2024-03-25"); // Monday
        assert_eq!(status(&cal, d("2024-03-26"), due, 3).unwrap(), DeadlineStatus::Red);
        assert_eq!(status(&cal, due, due, 3).unwrap(), DeadlineStatus::Yellow);
        assert_eq!(status(&cal, due, due, 0).unwrap(), DeadlineStatus::Yellow);
        // Wed 3/20 → 3 working days left (21, 22, 25).
        assert_eq!(status(&cal, d("2024-03-20"), due, 3).unwrap(), DeadlineStatus::Yellow);
        assert_eq!(status(&cal, d("2024-03-19"), due, 3).unwrap(), DeadlineStatus::Green);
        assert_eq!(workdays_left(&cal, d("2024-03-20"), due).unwrap(), 3);
        assert_eq!(workdays_left(&cal, d("2024-03-27"), due).unwrap(), -2);
        assert!(DeadlineStatus::Red > DeadlineStatus::Yellow);
        assert!(DeadlineStatus::Yellow > DeadlineStatus::Green);
        assert_eq!(DeadlineStatus::Yellow.label(), "临期");
        assert_eq!(DeadlineStatus::Red.as_str(), "red");
        assert_eq!(DeadlineStatus::Green.label(), "正常");
        assert!(DeadlineStatus::Yellow > DeadlineStatus::Pending && DeadlineStatus::Pending > DeadlineStatus::Green);
        assert_eq!(DeadlineStatus::Pending.label(), "待定");
    }

    /// RULES.md §1: a period that runs into a year without a calendar is not guessed; it
    /// waits (待定) and is computed once the year is known.
    #[test]
    fn due_waits_for_a_missing_year() {
        let cal = Calendar::builtin();
        let p = Period::Workdays(15);
        assert_eq!(due_or_pending(&cal, d("2026-11-02"), p), Due::On(d("2026-11-23")));
        assert_eq!(
            due_or_pending(&cal, d("2026-12-20"), p),
            Due::Pending { period: p, year: 2027 }
        );
        assert_eq!(due_or_pending(&cal, d("2026-12-20"), p).date(), None);
        for p in [Period::Workdays(15), Period::Days(30), Period::Months(6)] {
            assert_eq!(Period::parse_code(&p.code()), Some(p));
        }
        assert_eq!(Period::parse_code("weeks:2"), None);
        assert_eq!(Period::parse_code("workdays:x"), None);
    }
}
