//! The period of a statistics page (a year, or one quarter of it): every module's figures are
//! counted the same way, the quarterly feedback of RULES.md §2 included.

use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

use crate::error::AppError;

/// The period chosen.
#[derive(Debug, Default, Deserialize)]
pub struct PeriodQuery {
    /// Year.
    pub year: Option<String>,
    /// Quarter 1–4 (0 or none = the whole year).
    pub quarter: Option<String>,
}

/// A period: its days and its name.
pub struct Period {
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
    /// 「2026年」 / 「2026年第四季度」.
    pub name: String,
    /// Year.
    pub year: i32,
    /// Quarter (1–4), 0 for the whole year.
    pub quarter: u32,
}

impl PeriodQuery {
    /// The period asked for (this year when none).
    pub fn period(&self, today: NaiveDate) -> Result<Period, AppError> {
        let year = match self.year.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => today.year(),
            Some(y) => y
                .parse::<i32>()
                .ok()
                .filter(|y| (2000..=2100).contains(y))
                .ok_or_else(|| AppError::invalid("year", "年份应为2000到2100之间的数字"))?,
        };
        let quarter = match self.quarter.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => 0,
            Some(q) => q
                .parse::<u32>()
                .ok()
                .filter(|q| (0..=4).contains(q))
                .ok_or_else(|| AppError::invalid("quarter", "季度应为1到4"))?,
        };
        let (from, to) = if quarter == 0 {
            (
                NaiveDate::from_ymd_opt(year, 1, 1),
                NaiveDate::from_ymd_opt(year, 12, 31),
            )
        } else {
            let first = (quarter - 1) * 3 + 1;
            let next = if quarter == 4 {
                NaiveDate::from_ymd_opt(year + 1, 1, 1)
            } else {
                NaiveDate::from_ymd_opt(year, first + 3, 1)
            };
            (NaiveDate::from_ymd_opt(year, first, 1), next.and_then(|d| d.pred_opt()))
        };
        let (Some(from), Some(to)) = (from, to) else {
            return Err(AppError::invalid("year", "无效的统计期间"));
        };
        let name = if quarter == 0 {
            format!("{year}年")
        } else {
            format!("{year}年第{}季度", ["一", "二", "三", "四"][quarter as usize - 1])
        };
        Ok(Period {
            from,
            to,
            name,
            year,
            quarter,
        })
    }
}

/// The years offered in a period picker: this one and the four before.
pub fn years(today: NaiveDate) -> Vec<i32> {
    (today.year() - 4..=today.year()).rev().collect()
}
