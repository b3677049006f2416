use super::*;
use proptest::prelude::*;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// The RULES.md §1 table, transcribed independently of the built-in data:
/// (first day off, last day off, make-up working days).
const TABLE: &[(&str, &str, &[&str])] = &[
    ("2024-01-01", "2024-01-01", &[]),
    ("2024-02-10", "2024-02-17", &["2024-02-04", "2024-02-18"]),
    ("2024-04-04", "2024-04-06", &["2024-04-07"]),
    ("2024-05-01", "2024-05-05", &["2024-04-28", "2024-05-11"]),
    ("2024-06-10", "2024-06-10", &[]),
    ("2024-09-15", "2024-09-17", &["2024-09-14"]),
    ("2024-10-01", "2024-10-07", &["2024-09-29", "2024-10-12"]),
    ("2025-01-01", "2025-01-01", &[]),
    ("2025-01-28", "2025-02-04", &["2025-01-26", "2025-02-08"]),
    ("2025-04-04", "2025-04-06", &[]),
    ("2025-05-01", "2025-05-05", &["2025-04-27"]),
    ("2025-05-31", "2025-06-02", &[]),
    ("2025-10-01", "2025-10-08", &["2025-09-28", "2025-10-11"]),
    ("2026-01-01", "2026-01-03", &["2026-01-04"]),
    ("2026-02-15", "2026-02-23", &["2026-02-14", "2026-02-28"]),
    ("2026-04-04", "2026-04-06", &[]),
    ("2026-05-01", "2026-05-05", &["2026-05-09"]),
    ("2026-06-19", "2026-06-21", &[]),
    ("2026-09-25", "2026-09-27", &[]),
    ("2026-10-01", "2026-10-07", &["2026-09-20", "2026-10-10"]),
];

/// RULES.md §1: every day off of every row of the table is a holiday, and every
/// listed make-up day (调休上班) is a working day.
#[test]
fn builtin_matches_rules_table_row_by_row() {
    let cal = Calendar::builtin();
    for (first, last, makeup) in TABLE {
        let (first, last) = (d(first), d(last));
        let mut day = first;
        while day <= last {
            let info = cal.day(day).unwrap();
            assert_eq!(info.kind, DayKind::Holiday, "{day} should be a holiday");
            assert!(!info.workday, "{day} should be a day off");
            assert!(info.name.is_some());
            day = day.succ_opt().unwrap();
        }
        for m in *makeup {
            let m = d(m);
            let info = cal.day(m).unwrap();
            assert_eq!(info.kind, DayKind::MakeupWorkday, "{m} should be 调休上班");
            assert!(info.workday, "{m} should be a working day");
            assert!(is_weekend(m), "{m} make-up day must be a weekend day");
            assert!(info.name.unwrap().ends_with("调休上班"));
        }
    }
}

/// RULES.md §1: the built-in years contain exactly the table's special days, nothing else;
/// since 2025 there are 13 statutory holiday days (春节 4, 劳动节 2), so 2025's holiday
/// blocks including bridged weekends are as published.
#[test]
fn builtin_contains_nothing_beyond_table() {
    let mut expected: BTreeSet<(NaiveDate, &'static str)> = BTreeSet::new();
    for (first, last, makeup) in TABLE {
        let mut day = d(first);
        while day <= d(last) {
            expected.insert((day, DayKind::Holiday.as_str()));
            day = day.succ_opt().unwrap();
        }
        for m in *makeup {
            expected.insert((d(m), DayKind::MakeupWorkday.as_str()));
        }
    }
    let mut actual = BTreeSet::new();
    for y in 2024..=2026 {
        let yc = YearCalendar::builtin(y).unwrap();
        assert_eq!(yc.year, y);
        yc.validate().unwrap();
        for sd in &yc.days {
            assert!(actual.insert((sd.date, sd.kind.as_str())), "duplicate {}", sd.date);
        }
    }
    assert_eq!(actual, expected);
    assert!(YearCalendar::builtin(2023).is_none());
    assert!(YearCalendar::builtin(2027).is_none());
    assert_eq!(Calendar::builtin().years(), vec![2024, 2025, 2026]);
}

/// RULES.md §1: holiday names are the festival names; make-up days are named "…调休上班".
#[test]
fn builtin_names() {
    let cal = Calendar::builtin();
    assert_eq!(cal.day(d("2026-02-17")).unwrap().name.as_deref(), Some("春节"));
    assert_eq!(cal.day(d("2026-02-14")).unwrap().name.as_deref(), Some("春节调休上班"));
    assert_eq!(cal.day(d("2024-10-03")).unwrap().name.as_deref(), Some("国庆节"));
    let plain = cal.day(d("2024-03-05")).unwrap();
    assert_eq!(plain.kind, DayKind::Weekday);
    assert_eq!(plain.name, None);
    assert_eq!(cal.day(d("2024-03-09")).unwrap().kind, DayKind::Weekend);
}

/// RULES.md §1: the day of receipt is day 0; "within N working days" ends on the N-th
/// working day after it.
#[test]
fn workday_convention() {
    let cal = Calendar::builtin();
    // Monday 2024-03-04 + 15 working days = Monday 2024-03-25.
    assert_eq!(cal.add_workdays(d("2024-03-04"), 15).unwrap(), d("2024-03-25"));
    assert_eq!(cal.add_workdays(d("2024-03-04"), 0).unwrap(), d("2024-03-04"));
    // Friday + 1 working day = Monday.
    assert_eq!(cal.add_workdays(d("2024-03-08"), 1).unwrap(), d("2024-03-11"));
    // Received on a Saturday: day 1 is Monday.
    assert_eq!(cal.add_workdays(d("2024-03-09"), 1).unwrap(), d("2024-03-11"));
    // A make-up Sunday counts: Fri 2024-02-02 + 1 = Sun 2024-02-04 (春节调休上班).
    assert_eq!(cal.add_workdays(d("2024-02-02"), 1).unwrap(), d("2024-02-04"));
}

/// RULES.md §1: "within N days" ends N calendar days after receipt, rolled forward to the
/// next working day when that is a rest day (民法典 第二百零三条).
#[test]
fn calendar_day_convention() {
    let cal = Calendar::builtin();
    // Monday 2024-03-04 + 15 days = Tuesday 2024-03-19, a working day.
    assert_eq!(cal.add_days(d("2024-03-04"), 15).unwrap(), d("2024-03-19"));
    // Ends on Saturday 2024-03-16 → Monday 2024-03-18.
    assert_eq!(cal.add_days(d("2024-03-01"), 15).unwrap(), d("2024-03-18"));
    // Ends on a make-up Saturday: stays (调休上班 is a working day). 2024-10-12 is Saturday.
    assert_eq!(cal.add_days(d("2024-10-02"), 10).unwrap(), d("2024-10-12"));
}

/// RULES.md §1 / 民法典 第二百零三条: a period ending inside 春节 ends on the first
/// working day after the holiday.
#[test]
fn rolls_forward_across_spring_festival() {
    let cal = Calendar::builtin();
    // 2026-02-15..23 off; 2026-02-24 (Tue) is the first working day.
    assert_eq!(cal.add_days(d("2026-02-01"), 15).unwrap(), d("2026-02-24"));
    assert_eq!(cal.add_days(d("2026-02-14"), 1).unwrap(), d("2026-02-24"));
    // 2025: 1/28–2/4 off; 2/5 (Wed) first working day.
    assert_eq!(cal.add_days(d("2025-01-20"), 10).unwrap(), d("2025-02-05"));
    // Working days skip the whole holiday: Fri 2024-02-09 + 1 → Sun 2024-02-18 (make-up).
    assert_eq!(cal.add_workdays(d("2024-02-09"), 1).unwrap(), d("2024-02-18"));
}

/// RULES.md §1 / 民法典 第二百零三条: a period ending inside 国庆 ends on the first working
/// day after the holiday.
#[test]
fn rolls_forward_across_national_day() {
    let cal = Calendar::builtin();
    // 2025-10-01..08 off; 2025-10-09 (Thu) first working day.
    assert_eq!(cal.add_days(d("2025-09-01"), 30).unwrap(), d("2025-10-09"));
    // 2024-10-01..07 off; 2024-10-08 (Tue).
    assert_eq!(cal.add_days(d("2024-09-20"), 15).unwrap(), d("2024-10-08"));
    // Working days: Sun 2024-09-29 is a make-up day, then 9/30, then 10/8.
    assert_eq!(cal.add_workdays(d("2024-09-27"), 1).unwrap(), d("2024-09-29"));
    assert_eq!(cal.add_workdays(d("2024-09-27"), 3).unwrap(), d("2024-10-08"));
}

/// RULES.md §1: the calendar refuses to compute into a year it has no data for (2027).
#[test]
fn refuses_uncovered_year() {
    let cal = Calendar::builtin();
    let err = cal.add_workdays(d("2026-12-25"), 10).unwrap_err();
    assert_eq!(err, CalendarError::YearNotCovered(2027));
    assert!(err.to_string().contains("2027年"));
    assert!(err.to_string().contains("导入"));
    assert_eq!(
        cal.day(d("2027-01-04")).unwrap_err(),
        CalendarError::YearNotCovered(2027)
    );
    assert!(cal.is_workday(d("2023-12-29")).is_err());
    assert!(cal.add_days(d("2026-12-20"), 30).is_err());
    assert!(cal.workdays_between(d("2026-12-01"), d("2027-01-10")).is_err());
    // Up to the last day of 2026 works.
    assert_eq!(cal.add_workdays(d("2026-12-30"), 1).unwrap(), d("2026-12-31"));
}

/// RULES.md §1: an administrator can add a year without a release; it then covers dates.
#[test]
fn insert_year_enables_and_replaces() {
    let mut cal = Calendar::builtin();
    let y = YearCalendar::parse_csv("2027-01-01,元旦,放假\n").unwrap();
    cal.insert_year(y);
    assert_eq!(cal.years(), vec![2024, 2025, 2026, 2027]);
    assert!(!cal.is_workday(d("2027-01-01")).unwrap());
    // Replace 2027 with an empty arrangement → 1/1 (Friday) becomes an ordinary workday.
    cal.insert_year(YearCalendar {
        year: 2027,
        days: vec![],
    });
    assert!(cal.is_workday(d("2027-01-01")).unwrap());
    assert!(cal.year(2027).unwrap().days.is_empty());
}

/// RULES.md §1: working days between two dates, both directions.
#[test]
fn workdays_between_examples() {
    let cal = Calendar::builtin();
    assert_eq!(cal.workdays_between(d("2024-03-04"), d("2024-03-25")).unwrap(), 15);
    assert_eq!(cal.workdays_between(d("2024-03-25"), d("2024-03-04")).unwrap(), -15);
    assert_eq!(cal.workdays_between(d("2024-03-04"), d("2024-03-04")).unwrap(), 0);
    // (Fri 2024-02-09, Sun 2024-02-18] contains only the make-up Sunday.
    assert_eq!(cal.workdays_between(d("2024-02-09"), d("2024-02-18")).unwrap(), 1);
}

/// RULES.md §1: import format with header, ranges, Chinese kind words, full-width commas.
#[test]
fn parse_csv_accepts_import_format() {
    let text = "\u{feff}日期,名称,类型\n\n2027-01-01,元旦,放假\n2027-02-06～2027-02-12，春节，休息\n2027-02-14,春节调休上班,调休上班\n2027-02-20,春节调休上班,makeup_workday\n";
    let y = YearCalendar::parse_csv(text).unwrap();
    assert_eq!(y.year, 2027);
    assert_eq!(y.days.len(), 1 + 7 + 2);
    assert_eq!(y.days[0].name, "元旦");
    assert!(y.days.iter().filter(|d| d.kind == DayKind::Holiday).count() == 8);
    y.validate().unwrap();
}

/// RULES.md §1: every problem of an import is reported with its line number.
#[test]
fn parse_csv_reports_errors() {
    let text = "2027-01-01,元旦,放假\n2027-01-01,元旦,放假\n2027-02-03,调休,上班\n2028-01-01,元旦,放假\n2027-13-01,x,放假\n2027-03-01,x,maybe\nfoo\n";
    let errs = YearCalendar::parse_csv(text).unwrap_err();
    let lines: Vec<usize> = errs.iter().map(|e| e.line).collect();
    assert_eq!(lines, vec![2, 3, 4, 5, 6, 7]);
    assert!(errs[0].to_string().starts_with("第2行："));
    assert!(errs[0].message.contains("重复"));
    assert!(errs[1].message.contains("周末"));
    assert!(errs[2].message.contains("2027年"));
    // A mistyped first data line is an error, not a silently skipped header.
    let typo = YearCalendar::parse_csv("x2027-01-01,元旦,放假\n2027-01-02,元旦,放假\n").unwrap_err();
    assert_eq!(typo[0].line, 1);
    let empty = YearCalendar::parse_csv("日期,名称,类型\n\n").unwrap_err();
    assert_eq!(empty.len(), 1);
    assert!(!empty[0].to_string().starts_with("第"));
}

/// RULES.md §1: to_csv and parse_csv round-trip every built-in year.
#[test]
fn csv_round_trip() {
    for y in 2024..=2026 {
        let yc = YearCalendar::builtin(y).unwrap();
        let text = yc.to_csv();
        assert!(text.starts_with("日期,名称,类型\n"));
        assert_eq!(YearCalendar::parse_csv(&text).unwrap(), yc);
    }
    assert!(
        YearCalendar::builtin(2024)
            .unwrap()
            .to_csv()
            .contains("2024-10-01~2024-10-07,国庆节,holiday")
    );
}

/// RULES.md §1: validate rejects make-up days on weekdays, foreign years, wrong kinds.
#[test]
fn validate_rejects_bad_data() {
    let y = YearCalendar {
        year: 2027,
        days: vec![
            SpecialDay {
                date: d("2027-01-05"),
                kind: DayKind::MakeupWorkday,
                name: "x".into(),
            },
            SpecialDay {
                date: d("2026-01-05"),
                kind: DayKind::Holiday,
                name: "x".into(),
            },
            SpecialDay {
                date: d("2027-01-06"),
                kind: DayKind::Weekend,
                name: "".into(),
            },
        ],
    };
    let errs = y.validate().unwrap_err();
    assert_eq!(errs.len(), 4);
}

/// RULES.md §1: DayKind identifiers agree with serde and the import format.
#[test]
fn day_kind_strings() {
    for k in [
        DayKind::Weekday,
        DayKind::Weekend,
        DayKind::Holiday,
        DayKind::MakeupWorkday,
    ] {
        assert_eq!(serde_json::to_string(&k).unwrap(), format!("\"{}\"", k.as_str()));
    }
    assert_eq!(DayKind::MakeupWorkday.as_str(), "makeup_workday");
    assert_eq!(parse_kind("makeup_workday"), Some(DayKind::MakeupWorkday));
    assert_eq!(parse_kind("holiday"), Some(DayKind::Holiday));
    assert_eq!(parse_kind("调休上班"), Some(DayKind::MakeupWorkday));
    assert_eq!(parse_kind("放假"), Some(DayKind::Holiday));
    let yc = YearCalendar::builtin(2026).unwrap();
    let json = serde_json::to_string(&yc).unwrap();
    assert_eq!(serde_json::from_str::<YearCalendar>(&json).unwrap(), yc);
}

fn covered_date() -> impl Strategy<Value = NaiveDate> {
    (0i64..1096).prop_map(|o| d("2024-01-01") + chrono::Duration::days(o))
}

proptest! {
    /// RULES.md §1: add_workdays lands on a working day exactly n working days later.
    #[test]
    fn prop_add_workdays(start in covered_date(), n in 1u32..60) {
        let cal = Calendar::builtin();
        match cal.add_workdays(start, n) {
            Ok(r) => {
                prop_assert!(cal.is_workday(r).unwrap());
                prop_assert!(r > start);
                prop_assert_eq!(cal.workdays_between(start, r).unwrap(), i64::from(n));
                prop_assert_eq!(cal.workdays_between(r, start).unwrap(), -i64::from(n));
            }
            Err(e) => prop_assert_eq!(e, CalendarError::YearNotCovered(2027)),
        }
    }

    /// RULES.md §1 / 民法典 第二百零三条: add_days result is ≥ start+n, a working day, and
    /// every day strictly between start+n and the result is a rest day.
    #[test]
    fn prop_add_days(start in covered_date(), n in 0u32..90) {
        let cal = Calendar::builtin();
        let plain = start + chrono::Duration::days(i64::from(n));
        match cal.add_days(start, n) {
            Ok(r) => {
                prop_assert!(r >= plain);
                prop_assert!(cal.is_workday(r).unwrap());
                let mut x = plain;
                while x < r {
                    prop_assert!(!cal.is_workday(x).unwrap());
                    x = x.succ_opt().unwrap();
                }
                prop_assert!((r - plain).num_days() <= 10);
            }
            Err(e) => prop_assert_eq!(e, CalendarError::YearNotCovered(2027)),
        }
    }

    /// RULES.md §1: workdays_between is additive and antisymmetric.
    #[test]
    fn prop_workdays_between_additive(a in covered_date(), b in covered_date(), c in covered_date()) {
        let cal = Calendar::builtin();
        let ab = cal.workdays_between(a, b).unwrap();
        let bc = cal.workdays_between(b, c).unwrap();
        let ac = cal.workdays_between(a, c).unwrap();
        prop_assert_eq!(ab + bc, ac);
        prop_assert_eq!(cal.workdays_between(b, a).unwrap(), -ab);
    }

    /// RULES.md §1: add_workdays is monotonic in n and composes.
    #[test]
    fn prop_add_workdays_composes(start in covered_date(), a in 0u32..30, b in 0u32..30) {
        let cal = Calendar::builtin();
        if let (Ok(ab), Ok(mid)) = (cal.add_workdays(start, a + b), cal.add_workdays(start, a)) {
            prop_assert_eq!(cal.add_workdays(mid, b).unwrap(), ab);
        }
    }
}
