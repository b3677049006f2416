//! Official Chinese working-day calendar (RULES.md §1).
//!
//! A date is a working day when it is a Monday–Friday that is not a statutory holiday, or a
//! weekend day that the State Council declared a make-up working day (调休上班). Each year's
//! holiday arrangement is data ([`YearCalendar`]): 2024–2026 are built in, later years are
//! entered or imported by an administrator. A computation that needs a day of a year the
//! calendar has no data for fails with [`CalendarError::YearNotCovered`] instead of guessing.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

/// What kind of day a date is on the official calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// An ordinary Monday–Friday working day.
    Weekday,
    /// An ordinary Saturday or Sunday rest day.
    Weekend,
    /// A statutory holiday day off (any day of the week).
    Holiday,
    /// A weekend day declared a working day in exchange for a holiday (调休上班).
    MakeupWorkday,
}

impl DayKind {
    /// Stable snake_case identifier: "weekday" | "weekend" | "holiday" | "makeup_workday".
    pub fn as_str(self) -> &'static str {
        match self {
            DayKind::Weekday => "weekday",
            DayKind::Weekend => "weekend",
            DayKind::Holiday => "holiday",
            DayKind::MakeupWorkday => "makeup_workday",
        }
    }

    /// Chinese label shown in the UI.
    pub fn label(self) -> &'static str {
        match self {
            DayKind::Weekday => "工作日",
            DayKind::Weekend => "周末",
            DayKind::Holiday => "法定节假日",
            DayKind::MakeupWorkday => "调休上班",
        }
    }

    /// Whether a day of this kind is a working day.
    pub fn is_workday(self) -> bool {
        matches!(self, DayKind::Weekday | DayKind::MakeupWorkday)
    }
}

impl fmt::Display for DayKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Everything the calendar knows about one date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DayInfo {
    /// The date described.
    pub date: NaiveDate,
    /// Whether it is a working day.
    pub workday: bool,
    /// Its kind.
    pub kind: DayKind,
    /// Holiday or make-up day name, e.g. "春节" or "春节调休上班"; `None` for ordinary days.
    pub name: Option<String>,
}

/// One declared special day of a year: a holiday day off or a make-up working day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpecialDay {
    /// The date.
    pub date: NaiveDate,
    /// [`DayKind::Holiday`] or [`DayKind::MakeupWorkday`] only.
    pub kind: DayKind,
    /// Name, e.g. "国庆节" or "国庆节调休上班".
    pub name: String,
}

/// The holiday arrangement of one year, as published by the State Council General Office.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearCalendar {
    /// The year covered.
    pub year: i32,
    /// Its holiday days off and make-up working days, one entry per date.
    pub days: Vec<SpecialDay>,
}

/// One problem in a calendar file or a year's data; `line` is 1-based (0 = the whole file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarLineError {
    /// 1-based line number in the imported text (or entry number in `days`); 0 = whole file.
    pub line: usize,
    /// What is wrong and how to fix it, in Chinese.
    pub message: String,
}

impl fmt::Display for CalendarLineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            f.write_str(&self.message)
        } else {
            write!(f, "第{}行：{}", self.line, self.message)
        }
    }
}

impl std::error::Error for CalendarLineError {}

/// Error of a calendar computation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// The computation needs a day of a year the calendar has no holiday data for.
    #[error("日历中没有{0}年的节假日安排，无法计算工作日；请系统管理员先录入或导入{0}年的日历")]
    YearNotCovered(i32),
}

/// Built-in holiday arrangements (RULES.md §1): (year, name, days off as inclusive
/// (month, day) ranges, make-up working days as (month, day)).
type BuiltinHoliday = (i32, &'static str, (u32, u32), (u32, u32), &'static [(u32, u32)]);

/// The State Council notices for 2024, 2025 and 2026, exactly as tabulated in RULES.md §1.
const BUILTIN: &[BuiltinHoliday] = &[
    // State Council General Office notice on the 2024 holidays.
    (2024, "元旦", (1, 1), (1, 1), &[]),
    (2024, "春节", (2, 10), (2, 17), &[(2, 4), (2, 18)]),
    (2024, "清明节", (4, 4), (4, 6), &[(4, 7)]),
    (2024, "劳动节", (5, 1), (5, 5), &[(4, 28), (5, 11)]),
    (2024, "端午节", (6, 10), (6, 10), &[]),
    (2024, "中秋节", (9, 15), (9, 17), &[(9, 14)]),
    (2024, "国庆节", (10, 1), (10, 7), &[(9, 29), (10, 12)]),
    // State Council General Office notice on the 2025 holidays.
    (2025, "元旦", (1, 1), (1, 1), &[]),
    (2025, "春节", (1, 28), (2, 4), &[(1, 26), (2, 8)]),
    (2025, "清明节", (4, 4), (4, 6), &[]),
    (2025, "劳动节", (5, 1), (5, 5), &[(4, 27)]),
    (2025, "端午节", (5, 31), (6, 2), &[]),
    (2025, "国庆节、中秋节", (10, 1), (10, 8), &[(9, 28), (10, 11)]),
    // State Council General Office notice on the 2026 holidays.
    (2026, "元旦", (1, 1), (1, 3), &[(1, 4)]),
    (2026, "春节", (2, 15), (2, 23), &[(2, 14), (2, 28)]),
    (2026, "清明节", (4, 4), (4, 6), &[]),
    (2026, "劳动节", (5, 1), (5, 5), &[(5, 9)]),
    (2026, "端午节", (6, 19), (6, 21), &[]),
    (2026, "中秋节", (9, 25), (9, 27), &[]),
    (2026, "国庆节", (10, 1), (10, 7), &[(9, 20), (10, 10)]),
];

/// The seven statutory festivals (RULES.md §1) a year's data must contain.
pub const FESTIVALS: [&str; 7] = ["元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"];

/// The words by which a holiday name mentions each of [`FESTIVALS`] (same order): the full
/// name contains its short form, and 劳动节 is also called 五一.
const FESTIVAL_KEYS: [&[&str]; 7] = [
    &["元旦"],
    &["春节"],
    &["清明"],
    &["劳动", "五一"],
    &["端午"],
    &["中秋"],
    &["国庆"],
];

/// Header line written by [`YearCalendar::to_csv`].
const CSV_HEADER: &str = "日期,名称,类型";

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("built-in calendar date is valid")
}

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

fn next_day(date: NaiveDate) -> Option<NaiveDate> {
    date.succ_opt()
}

/// Parses a date written as YYYY-MM-DD (also YYYY/MM/DD, YYYY.MM.DD, YYYY年M月D日).
fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    for fmt in ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"] {
        if let Ok(d) = NaiveDate::parse_from_str(s, fmt) {
            return Some(d);
        }
    }
    None
}

/// Parses a kind word of the import format.
fn parse_kind(s: &str) -> Option<DayKind> {
    let s = s.trim().to_ascii_lowercase();
    match s.as_str() {
        "holiday" | "放假" | "休息" | "休" | "假" | "节假日" | "法定节假日" => Some(DayKind::Holiday),
        "makeup_workday" | "makeup" | "workday" | "上班" | "调休上班" | "调休" | "班" => {
            Some(DayKind::MakeupWorkday)
        }
        _ => None,
    }
}

impl YearCalendar {
    /// The built-in arrangement of `year` (2024, 2025 or 2026; RULES.md §1), else `None`.
    pub fn builtin(year: i32) -> Option<YearCalendar> {
        let mut days = Vec::new();
        for &(y, name, (m1, d1), (m2, d2), makeup) in BUILTIN {
            if y != year {
                continue;
            }
            let end = ymd(y, m2, d2);
            let mut d = ymd(y, m1, d1);
            while d <= end {
                days.push(SpecialDay {
                    date: d,
                    kind: DayKind::Holiday,
                    name: name.to_string(),
                });
                d = next_day(d).expect("date in range");
            }
            for &(m, dd) in makeup {
                days.push(SpecialDay {
                    date: ymd(y, m, dd),
                    kind: DayKind::MakeupWorkday,
                    name: format!("{name}调休上班"),
                });
            }
        }
        if days.is_empty() {
            return None;
        }
        days.sort_by_key(|d| d.date);
        Some(YearCalendar { year, days })
    }

    /// Parses an administrator's calendar file, one day or date range per line:
    /// `YYYY-MM-DD,名称,holiday|makeup_workday` or `YYYY-MM-DD~YYYY-MM-DD,名称,holiday`.
    ///
    /// Chinese kind words (放假/休息, 上班/调休上班), full-width punctuation, an optional
    /// header line and blank lines are accepted. All dates must fall in one year; a make-up
    /// working day must be a Saturday or Sunday; a date may appear only once. Every problem
    /// found is reported with its line number.
    pub fn parse_csv(text: &str) -> Result<YearCalendar, Vec<CalendarLineError>> {
        let mut errors = Vec::new();
        let mut entries: Vec<(usize, SpecialDay)> = Vec::new();
        let mut seen_data_or_header = false;
        for (idx, raw) in text.lines().enumerate() {
            let line_no = idx + 1;
            let line: String = raw.trim_start_matches('\u{feff}').nfkc().collect();
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            let fields: Vec<&str> = line.split(',').map(str::trim).collect();
            let first_has_digit = fields[0].chars().any(|c| c.is_ascii_digit());
            if !seen_data_or_header && !first_has_digit {
                // Optional header line such as "日期,名称,类型" or "date,name,kind".
                seen_data_or_header = true;
                continue;
            }
            seen_data_or_header = true;
            let err = |message: String| CalendarLineError { line: line_no, message };
            if fields.len() != 3 {
                errors.push(err(format!(
                    "应有3列（日期,名称,类型），当前为{}列；请按“2026-10-01,国庆节,放假”的格式填写",
                    fields.len()
                )));
                continue;
            }
            let (date_field, name, kind_field) = (fields[0], fields[1], fields[2]);
            let (start_s, end_s) = match date_field.split_once(['~', '至']) {
                Some((a, b)) => (a, Some(b)),
                None => (date_field, None),
            };
            let Some(start) = parse_date(start_s) else {
                errors.push(err(format!(
                    "日期“{}”无法识别；请写成YYYY-MM-DD，例如2026-10-01",
                    start_s.trim()
                )));
                continue;
            };
            let end = match end_s {
                None => start,
                Some(e) => match parse_date(e) {
                    Some(d) => d,
                    None => {
                        errors.push(err(format!(
                            "结束日期“{}”无法识别；请写成YYYY-MM-DD，例如2026-10-07",
                            e.trim()
                        )));
                        continue;
                    }
                },
            };
            if end < start {
                errors.push(err(format!(
                    "日期范围{start}~{end}的结束日期早于开始日期；请交换两个日期"
                )));
                continue;
            }
            if (end - start).num_days() > 31 {
                errors.push(err(format!(
                    "日期范围{start}~{end}超过31天，不像是一次节假日安排；请检查日期"
                )));
                continue;
            }
            let Some(kind) = parse_kind(kind_field) else {
                errors.push(err(format!(
                    "类型“{kind_field}”无法识别；请填写“放假”（holiday）或“上班”（makeup_workday）"
                )));
                continue;
            };
            if name.is_empty() {
                errors.push(err("名称为空；请填写节日名称，例如“春节”或“春节调休上班”".to_string()));
                continue;
            }
            let mut d = start;
            loop {
                entries.push((
                    line_no,
                    SpecialDay {
                        date: d,
                        kind,
                        name: name.to_string(),
                    },
                ));
                if d >= end {
                    break;
                }
                d = match next_day(d) {
                    Some(n) => n,
                    None => break,
                };
            }
        }
        if entries.is_empty() && errors.is_empty() {
            errors.push(CalendarLineError {
                line: 0,
                message: "日历文件中没有任何日期；请每行填写“日期,名称,类型”，例如“2026-10-01,国庆节,放假”".to_string(),
            });
        }
        let year = entries.first().map(|(_, d)| d.date.year());
        if let Some(year) = year {
            check_entries(year, &entries, &mut errors);
        }
        if !errors.is_empty() {
            errors.sort_by_key(|e| e.line);
            return Err(errors);
        }
        let year = year.expect("entries present when no errors");
        let mut days: Vec<SpecialDay> = entries.into_iter().map(|(_, d)| d).collect();
        days.sort_by_key(|d| d.date);
        Ok(YearCalendar { year, days })
    }

    /// Writes the year in the import format (header line, consecutive days of the same
    /// holiday folded into `start~end` ranges); [`YearCalendar::parse_csv`] reads it back.
    pub fn to_csv(&self) -> String {
        let mut days = self.days.clone();
        days.sort_by_key(|d| d.date);
        let mut out = String::from(CSV_HEADER);
        out.push('\n');
        let mut i = 0;
        while i < days.len() {
            let first = &days[i];
            let mut j = i;
            while j + 1 < days.len()
                && days[j + 1].kind == first.kind
                && days[j + 1].name == first.name
                && next_day(days[j].date) == Some(days[j + 1].date)
            {
                j += 1;
            }
            let last = &days[j];
            if j == i {
                out.push_str(&first.date.to_string());
            } else {
                out.push_str(&format!("{}~{}", first.date, last.date));
            }
            out.push(',');
            out.push_str(&first.name);
            out.push(',');
            out.push_str(first.kind.as_str());
            out.push('\n');
            i = j + 1;
        }
        out
    }

    /// Checks that the year has at least one holiday day off for each of the seven statutory
    /// [`FESTIVALS`] (RULES.md §1). A holiday name counts for every festival it mentions, so
    /// 「国庆节、中秋节」 covers both; short forms (清明, 劳动/五一, 端午, 中秋, 国庆) count too.
    /// The error (line 0) lists the missing festivals.
    pub fn check_complete(&self) -> Result<(), CalendarLineError> {
        let missing: Vec<&str> = FESTIVALS
            .iter()
            .zip(FESTIVAL_KEYS)
            .filter(|(_, keys)| {
                !self
                    .days
                    .iter()
                    .any(|d| d.kind == DayKind::Holiday && keys.iter().any(|k| d.name.contains(k)))
            })
            .map(|(festival, _)| *festival)
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        Err(CalendarLineError {
            line: 0,
            message: format!(
                "{}年的节假日安排不完整：缺少{}；一年的日历必须包含七个法定节日，请粘贴完整的通知",
                self.year,
                missing.join("、")
            ),
        })
    }

    /// Checks the year's data: every date in `year`, kinds only holiday/make-up, make-up days
    /// on weekends, names present and CSV-safe, no date twice. `line` = 1-based entry number.
    pub fn validate(&self) -> Result<(), Vec<CalendarLineError>> {
        let mut errors = Vec::new();
        let entries: Vec<(usize, SpecialDay)> = self.days.iter().enumerate().map(|(i, d)| (i + 1, d.clone())).collect();
        for (line, d) in &entries {
            if !matches!(d.kind, DayKind::Holiday | DayKind::MakeupWorkday) {
                errors.push(CalendarLineError {
                    line: *line,
                    message: format!(
                        "{}的类型为“{}”；特殊日期只能是“放假”（holiday）或“调休上班”（makeup_workday）",
                        d.date,
                        d.kind.label()
                    ),
                });
            }
            if d.name.trim().is_empty() {
                errors.push(CalendarLineError {
                    line: *line,
                    message: format!("{}的名称为空；请填写节日名称，例如“春节”", d.date),
                });
            } else if d.name.contains([',', '\n', '\r']) {
                errors.push(CalendarLineError {
                    line: *line,
                    message: format!("{}的名称“{}”含有逗号或换行；请去掉这些字符", d.date, d.name),
                });
            }
        }
        check_entries(self.year, &entries, &mut errors);
        if errors.is_empty() {
            Ok(())
        } else {
            errors.sort_by_key(|e| e.line);
            Err(errors)
        }
    }
}

/// Checks year membership, make-up days on weekends and duplicate dates.
fn check_entries(year: i32, entries: &[(usize, SpecialDay)], errors: &mut Vec<CalendarLineError>) {
    let mut seen: BTreeMap<NaiveDate, usize> = BTreeMap::new();
    let mut reported_year_lines = BTreeSet::new();
    for (line, d) in entries {
        if d.date.year() != year {
            if reported_year_lines.insert(*line) {
                errors.push(CalendarLineError {
                    line: *line,
                    message: format!(
                        "日期{}不在{}年；一个日历文件只能包含同一年的日期，请把其他年份分开导入",
                        d.date, year
                    ),
                });
            }
            continue;
        }
        if d.kind == DayKind::MakeupWorkday && !is_weekend(d.date) {
            errors.push(CalendarLineError {
                line: *line,
                message: format!(
                    "调休上班日{}是{}，不是周六或周日；调休上班日必须是周末，请检查日期或类型",
                    d.date,
                    weekday_cn(d.date.weekday())
                ),
            });
        }
        if let Some(prev) = seen.insert(d.date, *line) {
            let message = if prev == *line {
                format!("日期{}在同一行中重复出现；请检查日期范围", d.date)
            } else {
                format!("日期{}与第{}行重复；每个日期只能出现一次", d.date, prev)
            };
            errors.push(CalendarLineError { line: *line, message });
        }
    }
}

fn weekday_cn(w: Weekday) -> &'static str {
    match w {
        Weekday::Mon => "周一",
        Weekday::Tue => "周二",
        Weekday::Wed => "周三",
        Weekday::Thu => "周四",
        Weekday::Fri => "周五",
        Weekday::Sat => "周六",
        Weekday::Sun => "周日",
    }
}

/// The working-day calendar: the holiday arrangements of the years it covers.
#[derive(Debug, Clone, Default)]
pub struct Calendar {
    years: BTreeMap<i32, YearCalendar>,
    index: BTreeMap<NaiveDate, (DayKind, String)>,
}

impl Calendar {
    /// A calendar with the built-in years 2024–2026 (RULES.md §1).
    pub fn builtin() -> Calendar {
        let mut cal = Calendar::default();
        for y in 2024..=2026 {
            cal.insert_year(YearCalendar::builtin(y).expect("built-in year"));
        }
        cal
    }

    /// Adds a year, replacing any data for that year; call [`YearCalendar::validate`] first.
    ///
    /// Entries dated outside `y.year` or of kind weekday/weekend are ignored.
    pub fn insert_year(&mut self, y: YearCalendar) {
        let year = y.year;
        if let (Some(first), Some(last)) = (
            NaiveDate::from_ymd_opt(year, 1, 1),
            NaiveDate::from_ymd_opt(year, 12, 31),
        ) {
            let stale: Vec<NaiveDate> = self.index.range(first..=last).map(|(d, _)| *d).collect();
            for d in stale {
                self.index.remove(&d);
            }
        }
        for d in &y.days {
            if d.date.year() == year && matches!(d.kind, DayKind::Holiday | DayKind::MakeupWorkday) {
                self.index.insert(d.date, (d.kind, d.name.clone()));
            }
        }
        self.years.insert(year, y);
    }

    /// The years covered, ascending.
    pub fn years(&self) -> Vec<i32> {
        self.years.keys().copied().collect()
    }

    /// The arrangement of one year, if covered.
    pub fn year(&self, y: i32) -> Option<&YearCalendar> {
        self.years.get(&y)
    }

    /// Whether the calendar has data for `year`.
    pub fn covers(&self, year: i32) -> bool {
        self.years.contains_key(&year)
    }

    /// Describes one date; fails if its year is not covered.
    pub fn day(&self, date: NaiveDate) -> Result<DayInfo, CalendarError> {
        let year = date.year();
        if !self.covers(year) {
            return Err(CalendarError::YearNotCovered(year));
        }
        Ok(match self.index.get(&date) {
            Some((kind, name)) => DayInfo {
                date,
                workday: kind.is_workday(),
                kind: *kind,
                name: Some(name.clone()),
            },
            None => {
                let kind = if is_weekend(date) {
                    DayKind::Weekend
                } else {
                    DayKind::Weekday
                };
                DayInfo {
                    date,
                    workday: kind.is_workday(),
                    kind,
                    name: None,
                }
            }
        })
    }

    /// Whether `date` is a working day; fails if its year is not covered.
    pub fn is_workday(&self, date: NaiveDate) -> Result<bool, CalendarError> {
        let year = date.year();
        if !self.covers(year) {
            return Err(CalendarError::YearNotCovered(year));
        }
        Ok(match self.index.get(&date) {
            Some((kind, _)) => kind.is_workday(),
            None => !is_weekend(date),
        })
    }

    /// The `n`-th working day after `start` (`start` is day 0 and is not counted; `n = 0`
    /// returns `start`). RULES.md §1 "within N working days".
    pub fn add_workdays(&self, start: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
        let mut d = start;
        let mut left = n;
        while left > 0 {
            d = self.step(d)?;
            if self.is_workday(d)? {
                left -= 1;
            }
        }
        Ok(d)
    }

    /// `start + n` calendar days, rolled forward to the next working day when that day is a
    /// rest day (民法典 第二百零三条; RULES.md §1 "within N days").
    pub fn add_days(&self, start: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
        let d = start
            .checked_add_days(Days::new(u64::from(n)))
            .ok_or_else(|| self.beyond_range_error())?;
        self.roll_forward(d)
    }

    /// `date` itself if it is a working day, else the next working day (民法典 第二百零三条).
    pub fn roll_forward(&self, date: NaiveDate) -> Result<NaiveDate, CalendarError> {
        let mut d = date;
        while !self.is_workday(d)? {
            d = self.step(d)?;
        }
        Ok(d)
    }

    /// Number of working days in `(from, to]`; if `to < from`, minus the number in `(to, from]`.
    pub fn workdays_between(&self, from: NaiveDate, to: NaiveDate) -> Result<i64, CalendarError> {
        let (lo, hi, sign) = if to >= from { (from, to, 1) } else { (to, from, -1) };
        let mut count = 0i64;
        let mut d = lo;
        while d < hi {
            d = self.step(d)?;
            if self.is_workday(d)? {
                count += 1;
            }
        }
        Ok(sign * count)
    }

    fn step(&self, d: NaiveDate) -> Result<NaiveDate, CalendarError> {
        next_day(d).ok_or_else(|| self.beyond_range_error())
    }

    fn beyond_range_error(&self) -> CalendarError {
        CalendarError::YearNotCovered(NaiveDate::MAX.year())
    }
}

pub mod notice;

#[cfg(test)]
mod tests;
