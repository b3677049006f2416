//! Import of the State Council General Office's yearly holiday notice (RULES.md §1).
//!
//! Each November the General Office publishes 「国务院办公厅关于YYYY年部分节假日安排的通知」.
//! An administrator pastes its text and [`parse_notice`] turns it into a [`YearCalendar`]:
//!
//! * the year comes from the title phrase `YYYY年部分节假日安排`;
//! * every festival item `一、春节：…` gives holiday days off (`…放假…`) named after the item
//!   and make-up working days (`…上班`) named `{item}调休上班`;
//! * every other line (addressee, preamble, closing paragraph, signature, date) is ignored.
//!
//! The parser never guesses: a sentence of an item that contains a date and is neither a
//! holiday nor a make-up sentence, a weekday annotation that does not match its date, a day
//! count that does not match its range, a date outside the notice year, a make-up day that is
//! not a weekend day — each is an error naming the pasted line. The result must also pass
//! [`YearCalendar::validate`] and [`YearCalendar::check_complete`].

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, Weekday};
use unicode_normalization::UnicodeNormalization;

use super::{CalendarLineError, DayKind, SpecialDay, YearCalendar, is_weekend, next_day, weekday_cn};

/// Chinese numerals that make up an item ordinal such as `三、` or `十、`.
const ORDINAL_DIGITS: &[char] = &['一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];

/// The phrase of the notice title that follows the year.
const TITLE_PHRASE: &str = "年部分节假日安排";

/// Separators between the first and the last day of a holiday range.
const RANGE_SEPARATORS: &[&str] = &["至", "到", "-", "~", "—", "–", "－"];

/// Separators between the dates of a list of make-up working days (commas split clauses and
/// are handled separately).
const LIST_SEPARATORS: &[&str] = &["、", "和", "及", "与"];

/// Clauses that may follow a holiday clause without changing its dates.
const HOLIDAY_REMARKS: &[&str] = &["与周末连休", "与周六连休", "与周日连休", "连休", "不调休", "调休"];

/// The longest holiday range accepted; anything longer is a typo, not a festival.
const MAX_RANGE_DAYS: i64 = 31;

/// Parses the text of 「国务院办公厅关于YYYY年部分节假日安排的通知」 as an admin pastes it.
///
/// The text is normalised with NFKC (full-width digits, colons and parentheses), a byte-order
/// mark is stripped and blank lines are ignored. Items pasted several to a line (each new
/// `X、` after a `。`) are accepted. [`CalendarLineError::line`] is the 1-based line of the
/// pasted text (0 = the whole text); the first error found is returned. Days are sorted by
/// date. RULES.md §1.
pub fn parse_notice(text: &str) -> Result<YearCalendar, CalendarLineError> {
    let lines: Vec<(usize, String)> = text
        .lines()
        .enumerate()
        .map(|(idx, raw)| (idx + 1, raw.trim_start_matches('\u{feff}').nfkc().collect::<String>()))
        .filter(|(_, line)| !line.trim().is_empty())
        .collect();
    let year = notice_year(&lines)?;
    let mut notice = Notice {
        year,
        entries: Vec::new(),
        seen: BTreeMap::new(),
    };
    let mut items = 0usize;
    for (line_no, line) in &lines {
        for segment in split_items(line) {
            if let Some(rest) = strip_ordinal(segment)
                && notice.item(*line_no, rest)?
            {
                items += 1;
            }
        }
    }
    if items == 0 {
        return Err(whole_text(
            "通知中没有找到任何节日条目；节日条目应以“一、”“二、”等开头，例如“一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。”，请粘贴完整的通知"
                .to_string(),
        ));
    }
    let mut entries = notice.entries;
    entries.sort_by_key(|(_, d)| d.date);
    let calendar = YearCalendar {
        year,
        days: entries.iter().map(|(_, d)| d.clone()).collect(),
    };
    if let Err(errors) = calendar.validate()
        && let Some(first) = errors.into_iter().next()
    {
        // `validate` numbers the entries of `days`; report the pasted line instead.
        let line = first
            .line
            .checked_sub(1)
            .and_then(|i| entries.get(i))
            .map_or(0, |(line, _)| *line);
        return Err(CalendarLineError {
            line,
            message: first.message,
        });
    }
    calendar.check_complete()?;
    Ok(calendar)
}

/// An error about the whole text (line 0).
fn whole_text(message: String) -> CalendarLineError {
    CalendarLineError { line: 0, message }
}

/// The year of the title phrase `YYYY年部分节假日安排`, looked for in the whole text with all
/// whitespace removed (the title is often printed on two lines, split before 「部分」).
fn notice_year(lines: &[(usize, String)]) -> Result<i32, CalendarLineError> {
    let joined: String = lines
        .iter()
        .flat_map(|(_, line)| line.chars())
        .filter(|c| !c.is_whitespace())
        .collect();
    let mut years: Vec<i32> = Vec::new();
    for (pos, _) in joined.match_indices(TITLE_PHRASE) {
        let digits: Vec<char> = joined[..pos].chars().rev().take_while(char::is_ascii_digit).collect();
        if digits.len() != 4 {
            continue;
        }
        let year: String = digits.iter().rev().collect();
        if let Ok(year) = year.parse::<i32>()
            && !years.contains(&year)
        {
            years.push(year);
        }
    }
    match years.as_slice() {
        [] => Err(whole_text(
            "没有找到通知标题中的年份（“YYYY年部分节假日安排”）；请粘贴完整的通知，包括标题，例如「国务院办公厅关于2027年部分节假日安排的通知」"
                .to_string(),
        )),
        [year] => Ok(*year),
        [first, second, ..] => Err(whole_text(format!(
            "通知中出现了两个年份的标题（{first}年和{second}年）；请一次只粘贴一份通知"
        ))),
    }
}

/// Splits a line into segments that each start where a new item begins: an ordinal `X、`
/// right after a `。` (whitespace between them allowed) starts a new segment.
fn split_items(line: &str) -> Vec<&str> {
    let mut starts = vec![0];
    let chars: Vec<(usize, char)> = line.char_indices().collect();
    for (i, &(_, c)) in chars.iter().enumerate() {
        if c != '。' {
            continue;
        }
        let mut j = i + 1;
        while j < chars.len() && chars[j].1.is_whitespace() {
            j += 1;
        }
        if j < chars.len() && ordinal_len(&chars[j..]).is_some() {
            starts.push(chars[j].0);
        }
    }
    starts.push(line.len());
    starts.windows(2).map(|w| &line[w[0]..w[1]]).collect()
}

/// Number of chars of an ordinal `X、` (X = one or more Chinese numerals) at the start of
/// `chars`, including the 、.
fn ordinal_len(chars: &[(usize, char)]) -> Option<usize> {
    let digits = chars.iter().take_while(|(_, c)| ORDINAL_DIGITS.contains(c)).count();
    (digits > 0 && chars.get(digits).map(|&(_, c)| c) == Some('、')).then_some(digits + 1)
}

/// The text after the ordinal when `segment` is an item (`三、清明节：…`), else `None`.
fn strip_ordinal(segment: &str) -> Option<&str> {
    let segment = segment.trim();
    let chars: Vec<(usize, char)> = segment.char_indices().collect();
    let len = ordinal_len(&chars)?;
    let start = chars.get(len).map_or(segment.len(), |&(i, _)| i);
    Some(&segment[start..])
}

/// `M月D日`, the way the notice writes a date.
fn md(date: NaiveDate) -> String {
    format!("{}月{}日", date.month(), date.day())
}

/// Restores the full-width punctuation NFKC replaced, to quote text as the admin pasted it.
fn quote(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '(' => '（',
            ')' => '）',
            ',' => '，',
            ':' => '：',
            ';' => '；',
            c => c,
        })
        .collect()
}

/// Parses a day count `N天` or `共N天` (N in Arabic digits or a Chinese numeral up to 99).
fn parse_count(s: &str) -> Option<i64> {
    let s = s.strip_prefix('共').unwrap_or(s);
    let n = s.strip_suffix('天')?;
    if !n.is_empty() && n.len() <= 3 && n.chars().all(|c| c.is_ascii_digit()) {
        return n.parse().ok();
    }
    chinese_number(n)
}

/// A Chinese numeral from 一 to 九十九.
fn chinese_number(s: &str) -> Option<i64> {
    fn digit(c: char) -> Option<i64> {
        "一二三四五六七八九".chars().position(|d| d == c).map(|p| p as i64 + 1)
    }
    let chars: Vec<char> = s.chars().collect();
    match chars.as_slice() {
        ['十'] => Some(10),
        [c] => digit(*c),
        ['十', u] => Some(10 + digit(*u)?),
        [t, '十'] => Some(10 * digit(*t)?),
        [t, '十', u] => Some(10 * digit(*t)? + digit(*u)?),
        _ => None,
    }
}

/// A weekday as the notice writes it after 周/星期/礼拜.
fn weekday_from_cn(c: char) -> Option<Weekday> {
    Some(match c {
        '一' => Weekday::Mon,
        '二' => Weekday::Tue,
        '三' => Weekday::Wed,
        '四' => Weekday::Thu,
        '五' => Weekday::Fri,
        '六' => Weekday::Sat,
        '日' | '天' => Weekday::Sun,
        _ => return None,
    })
}

/// The weekdays named in an annotation such as `农历除夕、周二` or `星期日`: each as written
/// (e.g. "星期日") with its value.
fn annotated_weekdays(annotation: &str) -> Vec<(String, Weekday)> {
    let chars: Vec<char> = annotation.chars().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let prefix_len = ["星期", "礼拜", "周"]
            .iter()
            .find(|p| chars[i..].starts_with(&p.chars().collect::<Vec<_>>()))
            .map(|p| p.chars().count());
        if let Some(len) = prefix_len
            && let Some(w) = chars.get(i + len).and_then(|&c| weekday_from_cn(c))
        {
            found.push((chars[i..=i + len].iter().collect(), w));
            i += len + 1;
            continue;
        }
        i += 1;
    }
    found
}

/// A date as written in a sentence: `[YYYY年][M月]D日`, with the parenthesised annotation
/// that follows it, if any.
#[derive(Debug, Clone)]
struct DateTok {
    year: Option<i32>,
    month: Option<u32>,
    day: u32,
    /// The date as written, without the annotation.
    text: String,
    /// What the parentheses after the date contain, e.g. `农历除夕、周二`.
    annotation: Option<String>,
}

/// A piece of a sentence: a date or the text between dates.
#[derive(Debug, Clone)]
enum Tok {
    Date(DateTok),
    Text(String),
}

/// Reads up to four ASCII digits at `chars[i..]`: (value, number of digits).
fn read_number(chars: &[char], i: usize) -> Option<(u32, usize)> {
    let len = chars[i..].iter().take_while(|c| c.is_ascii_digit()).count();
    if len == 0 || len > 4 {
        return None;
    }
    let s: String = chars[i..i + len].iter().collect();
    s.parse().ok().map(|n| (n, len))
}

/// Reads a date `[YYYY年][M月]D日` starting at `chars[i]`; returns it and the index after it.
fn read_date(chars: &[char], i: usize) -> Option<(DateTok, usize)> {
    let mut pos = i;
    let (mut n, mut len) = read_number(chars, pos)?;
    let mut year = None;
    let mut month = None;
    if len == 4 && chars.get(pos + len) == Some(&'年') {
        year = Some(i32::try_from(n).ok()?);
        pos += len + 1;
        (n, len) = read_number(chars, pos)?;
    }
    if chars.get(pos + len) == Some(&'月') {
        month = Some(n);
        pos += len + 1;
        (n, len) = read_number(chars, pos)?;
    }
    if chars.get(pos + len) != Some(&'日') {
        return None;
    }
    pos += len + 1;
    let tok = DateTok {
        year,
        month,
        day: n,
        text: chars[i..pos].iter().collect(),
        annotation: None,
    };
    Some((tok, pos))
}

/// Splits a sentence (whitespace removed) into dates and text; a parenthesised group right
/// after a date becomes that date's annotation.
fn tokenize(sentence: &str) -> Vec<Tok> {
    let chars: Vec<char> = sentence.chars().collect();
    let mut toks = Vec::new();
    let mut text = String::new();
    let mut i = 0;
    while i < chars.len() {
        // A date starts with a digit that does not continue a longer number.
        let starts_number = chars[i].is_ascii_digit() && (i == 0 || !chars[i - 1].is_ascii_digit());
        if starts_number && let Some((mut date, mut next)) = read_date(&chars, i) {
            if chars.get(next) == Some(&'(')
                && let Some(close) = chars[next..].iter().position(|&c| c == ')')
            {
                date.annotation = Some(chars[next + 1..next + close].iter().collect());
                next += close + 1;
            }
            if !text.is_empty() {
                toks.push(Tok::Text(std::mem::take(&mut text)));
            }
            toks.push(Tok::Date(date));
            i = next;
            continue;
        }
        text.push(chars[i]);
        i += 1;
    }
    if !text.is_empty() {
        toks.push(Tok::Text(text));
    }
    toks
}

/// Splits the tokens of a sentence into clauses at the commas of its text (commas inside a
/// date's annotation do not split).
fn clauses(toks: Vec<Tok>) -> Vec<Vec<Tok>> {
    let mut out = vec![Vec::new()];
    for tok in toks {
        match tok {
            Tok::Date(d) => out.last_mut().expect("non-empty").push(Tok::Date(d)),
            Tok::Text(t) => {
                for (k, piece) in t.split(',').enumerate() {
                    if k > 0 {
                        out.push(Vec::new());
                    }
                    if !piece.is_empty() {
                        out.last_mut().expect("non-empty").push(Tok::Text(piece.to_string()));
                    }
                }
            }
        }
    }
    out.retain(|c| !c.is_empty());
    out
}

/// The dates of a clause of the form `D1、D2和D3` (at least one date), else `None`.
fn date_list(toks: &[Tok]) -> Option<Vec<&DateTok>> {
    let mut dates = Vec::new();
    for (k, tok) in toks.iter().enumerate() {
        match (k % 2, tok) {
            (0, Tok::Date(d)) => dates.push(d),
            (1, Tok::Text(t)) if LIST_SEPARATORS.contains(&t.as_str()) => {}
            _ => return None,
        }
    }
    (toks.len() % 2 == 1).then_some(dates)
}

/// The state of the parse: the notice year and the days found so far with their lines.
struct Notice {
    year: i32,
    entries: Vec<(usize, SpecialDay)>,
    /// First pasted line of each date found, to report duplicates.
    seen: BTreeMap<NaiveDate, usize>,
}

impl Notice {
    /// Parses one item (the text after its ordinal) found on line `line`. Returns whether it
    /// was a festival item (`name：body`); an ordinal line without a colon and without a date
    /// is not one and is ignored.
    fn item(&mut self, line: usize, rest: &str) -> Result<bool, CalendarLineError> {
        let err = |message: String| CalendarLineError { line, message };
        let Some((name, body)) = rest.split_once(':') else {
            if tokenize(&strip_spaces(rest)).iter().any(|t| matches!(t, Tok::Date(_))) {
                return Err(err(format!(
                    "无法识别“{}”；节日条目应写成“节日名称：放假安排”，例如“一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。”",
                    quote(rest.trim())
                )));
            }
            return Ok(false);
        };
        let name = strip_spaces(name);
        if name.is_empty() || name.chars().any(|c| c.is_ascii_digit()) {
            return Err(err(format!(
                "无法识别节日名称“{}”；节日条目应写成“节日名称：放假安排”，例如“二、春节：…”",
                quote(&name)
            )));
        }
        let sentences: Vec<String> = body
            .split(['。', ';'])
            .map(strip_spaces)
            .filter(|s| !s.is_empty())
            .collect();
        let mut has_holiday = false;
        for (k, sentence) in sentences.iter().enumerate() {
            let last = k + 1 == sentences.len();
            has_holiday |= self.sentence(line, &name, sentence, last)?;
        }
        if !has_holiday {
            return Err(err(format!(
                "“{name}”一项中没有找到放假日期；放假安排应写成“10月1日（周四）至7日（周三）放假调休，共7天”，请核对"
            )));
        }
        Ok(true)
    }

    /// Parses one sentence of the item `name` on line `line`; returns whether it declared days
    /// off. `last` = it ends the segment, where the signature (「国务院办公厅」 and its date) may
    /// follow in a notice pasted on one line.
    fn sentence(&mut self, line: usize, name: &str, sentence: &str, last: bool) -> Result<bool, CalendarLineError> {
        let unknown = || CalendarLineError {
            line,
            message: format!(
                "无法识别“{}”；含日期的句子应是放假安排（如“10月1日（周四）至7日（周三）放假调休，共7天”）或调休上班安排（如“9月20日（周日）、10月10日（周六）上班”）",
                quote(sentence)
            ),
        };
        // Encouragements such as 「鼓励各单位…安排职工在除夕（2月9日）休息」 declare no day off.
        if sentence.contains("鼓励") && !sentence.contains("放假") && !sentence.contains("上班") {
            return Ok(false);
        }
        let toks = tokenize(sentence);
        if !toks.iter().any(|t| matches!(t, Tok::Date(_))) {
            return Ok(false);
        }
        if last && is_signature(sentence, self.year) {
            return Ok(false);
        }
        let mut holiday = false;
        // The holiday range of this sentence, for a following 「共N天」.
        let mut range: Option<(NaiveDate, NaiveDate)> = None;
        // Dates of a make-up list split by commas, waiting for the clause ending in 上班.
        let mut pending: Vec<DateTok> = Vec::new();
        for clause in clauses(toks) {
            let (head, tail) = match clause.split_last() {
                Some((Tok::Text(t), head)) => (head, Some(t.as_str())),
                _ => (clause.as_slice(), None),
            };
            match tail {
                // Holiday: `D放假…` or `D1至D2放假…`.
                Some(t) if t.starts_with("放假") => {
                    if !pending.is_empty() {
                        return Err(unknown());
                    }
                    let rest = t.strip_prefix("放假").unwrap_or(t);
                    let rest = rest.strip_prefix("调休").unwrap_or(rest);
                    let count = if rest.is_empty() {
                        None
                    } else {
                        Some(parse_count(rest).ok_or_else(unknown)?)
                    };
                    let (start, end) = match head {
                        [Tok::Date(a)] => {
                            let a = self.resolve(line, a, None)?;
                            (a, a)
                        }
                        [Tok::Date(a), Tok::Text(sep), Tok::Date(b)] if RANGE_SEPARATORS.contains(&sep.as_str()) => {
                            let start = self.resolve(line, a, None)?;
                            let end = self.resolve(line, b, Some(start.month()))?;
                            (start, end)
                        }
                        _ => return Err(unknown()),
                    };
                    self.check_range(line, sentence, start, end)?;
                    if let Some(n) = count {
                        check_count(line, sentence, n, start, end)?;
                    }
                    let mut d = start;
                    loop {
                        self.add(line, d, DayKind::Holiday, name.to_string())?;
                        if d >= end {
                            break;
                        }
                        d = next_day(d).ok_or_else(unknown)?;
                    }
                    range = Some((start, end));
                    holiday = true;
                }
                // Make-up working days: `D1、D2上班`, possibly after `D0，` clauses.
                Some("上班" | "调休上班") => {
                    let mut dates: Vec<DateTok> = std::mem::take(&mut pending);
                    if !head.is_empty() {
                        dates.extend(date_list(head).ok_or_else(unknown)?.into_iter().cloned());
                    }
                    if dates.is_empty() {
                        return Err(unknown());
                    }
                    let mut month = None;
                    for tok in &dates {
                        let date = self.resolve(line, tok, month)?;
                        month = Some(date.month());
                        self.add(line, date, DayKind::MakeupWorkday, format!("{name}调休上班"))?;
                    }
                }
                // 「共N天」 after a holiday clause.
                Some(t) if head.is_empty() && t.starts_with('共') => {
                    let n = parse_count(t).ok_or_else(unknown)?;
                    let (start, end) = range.ok_or_else(unknown)?;
                    check_count(line, sentence, n, start, end)?;
                }
                // 「与周末连休」「不调休」 after a holiday clause.
                Some(t) if head.is_empty() && HOLIDAY_REMARKS.contains(&t) => {
                    if range.is_none() {
                        return Err(unknown());
                    }
                }
                // A bare list of dates: the first part of a comma-separated make-up list.
                None => pending.extend(date_list(head).ok_or_else(unknown)?.into_iter().cloned()),
                Some(_) => return Err(unknown()),
            }
        }
        if !pending.is_empty() {
            return Err(unknown());
        }
        Ok(holiday)
    }

    /// The date a token denotes: its month defaults to `month` (a range end such as 「至17日」
    /// inherits its start's month), its year to the notice year. Checks that the date exists,
    /// lies in the notice year and matches its weekday annotation.
    fn resolve(&self, line: usize, tok: &DateTok, month: Option<u32>) -> Result<NaiveDate, CalendarLineError> {
        let err = |message: String| CalendarLineError { line, message };
        let Some(m) = tok.month.or(month) else {
            return Err(err(format!("日期“{}”缺少月份；请写成“10月1日”的形式", tok.text)));
        };
        let year = tok.year.unwrap_or(self.year);
        let Some(date) = NaiveDate::from_ymd_opt(year, m, tok.day) else {
            return Err(err(format!(
                "日期“{}”不存在（{}年{}月没有{}日），请核对",
                tok.text, year, m, tok.day
            )));
        };
        if year != self.year {
            return Err(err(format!(
                "{}年{}不在{}年内；跨年安排暂不支持由通知导入，请逐行录入",
                year,
                md(date),
                self.year
            )));
        }
        if let Some(annotation) = &tok.annotation {
            if annotation.chars().any(|c| c.is_ascii_digit()) {
                return Err(err(format!(
                    "无法识别日期“{}”后括号中的“{}”；括号中只应注明星期和农历，例如“（农历除夕、周二）”",
                    tok.text,
                    quote(annotation)
                )));
            }
            for (written, weekday) in annotated_weekdays(annotation) {
                if weekday != date.weekday() {
                    return Err(err(format!(
                        "{}年{}是{}，通知写作{}，请核对日期和标题中的年份",
                        date.year(),
                        md(date),
                        weekday_cn(date.weekday()),
                        written
                    )));
                }
            }
        }
        Ok(date)
    }

    /// Checks that a holiday range runs forward and is not implausibly long.
    fn check_range(
        &self,
        line: usize,
        sentence: &str,
        start: NaiveDate,
        end: NaiveDate,
    ) -> Result<(), CalendarLineError> {
        let err = |message: String| CalendarLineError { line, message };
        if end < start {
            return Err(err(format!(
                "“{}”的结束日期{}早于开始日期{}；如果结束日期在{}年，跨年安排暂不支持由通知导入，请逐行录入",
                quote(sentence),
                md(end),
                md(start),
                self.year + 1
            )));
        }
        if (end - start).num_days() >= MAX_RANGE_DAYS {
            return Err(err(format!(
                "“{}”的放假时间{}至{}超过{}天，不像是一次节假日安排，请核对",
                quote(sentence),
                md(start),
                md(end),
                MAX_RANGE_DAYS
            )));
        }
        Ok(())
    }

    /// Records one special day; a make-up working day must be a weekend day and a date may
    /// be declared only once.
    fn add(&mut self, line: usize, date: NaiveDate, kind: DayKind, name: String) -> Result<(), CalendarLineError> {
        let err = |message: String| CalendarLineError { line, message };
        if kind == DayKind::MakeupWorkday && !is_weekend(date) {
            return Err(err(format!(
                "调休上班日{}是{}，不是周六或周日；调休上班日必须是周末，请核对",
                md(date),
                weekday_cn(date.weekday())
            )));
        }
        if let Some(prev) = self.seen.insert(date, line) {
            let message = if prev == line {
                format!("{}在这一行中出现了两次；同一天只能安排一次，请核对", md(date))
            } else {
                format!("{}已在第{}行安排过；同一天只能安排一次，请核对", md(date), prev)
            };
            return Err(err(message));
        }
        self.entries.push((line, SpecialDay { date, kind, name }));
        Ok(())
    }
}

/// Checks a day count (「共N天」 or 「放假N天」) against the range it describes.
fn check_count(line: usize, sentence: &str, n: i64, start: NaiveDate, end: NaiveDate) -> Result<(), CalendarLineError> {
    let actual = (end - start).num_days() + 1;
    if n == actual {
        return Ok(());
    }
    let range = if start == end {
        md(start)
    } else {
        format!("{}至{}", md(start), md(end))
    };
    Err(CalendarLineError {
        line,
        message: format!(
            "“{}”写的是{}天，但{}实际是{}天，请核对",
            quote(sentence),
            n,
            range,
            actual
        ),
    })
}

/// Whether a sentence is the notice's signature, as it ends a notice pasted on one line:
/// 「国务院办公厅」 (optional) and a full date `YYYY年M月D日` of the year before the notice
/// year (notices are published in the autumn before).
fn is_signature(sentence: &str, notice_year: i32) -> bool {
    let rest = sentence.strip_prefix("国务院办公厅").unwrap_or(sentence);
    matches!(
        tokenize(rest).as_slice(),
        [Tok::Date(DateTok { year: Some(y), month: Some(_), annotation: None, .. })] if *y == notice_year - 1
    )
}

/// The text with all whitespace removed.
fn strip_spaces(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const NOTICE_2024: &str = include_str!("notices/2024.txt");
    const NOTICE_2025: &str = include_str!("notices/2025.txt");
    const NOTICE_2026: &str = include_str!("notices/2026.txt");
    const FIXTURE_2027: &str = include_str!("notices/fixture-2027.txt");

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// The 1-based line of `text` containing `needle` (first occurrence).
    fn line_of(text: &str, needle: &str) -> usize {
        text.lines().position(|l| l.contains(needle)).expect("needle present") + 1
    }

    /// `text` with `from` replaced (exactly once) by `to`.
    fn edit(text: &str, from: &str, to: &str) -> String {
        assert_eq!(text.matches(from).count(), 1, "{from} must occur once");
        text.replacen(from, to, 1)
    }

    fn day<'a>(cal: &'a YearCalendar, date: &str) -> Option<&'a SpecialDay> {
        cal.days.iter().find(|x| x.date == d(date))
    }

    /// A minimal complete 2026 notice whose 春节 item is `spring` (for variant tests).
    fn notice_with_spring(spring: &str) -> String {
        edit(
            NOTICE_2026,
            "二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。2月14日（周六）、2月28日（周六）上班。",
            spring,
        )
    }

    /// RULES.md §1: each real State Council notice (2024: 国办发明电〔2023〕7号, 2025:
    /// 〔2024〕12号, 2026: 〔2025〕7号) parses to exactly the built-in table of its year —
    /// same dates, kinds and names.
    #[test]
    fn rules_1_real_notices_parse_to_builtin_years() {
        for (year, text) in [(2024, NOTICE_2024), (2025, NOTICE_2025), (2026, NOTICE_2026)] {
            assert_eq!(parse_notice(text), Ok(YearCalendar::builtin(year).unwrap()), "{year}");
        }
    }

    /// RULES.md §1: the fictional 2027 fixture (used by other crates' tests as "next year")
    /// parses, with every annotation consistent and every make-up day a weekend day.
    #[test]
    fn rules_1_fixture_2027_parses() {
        let cal = parse_notice(FIXTURE_2027).unwrap();
        assert_eq!(cal.year, 2027);
        let holidays = cal.days.iter().filter(|x| x.kind == DayKind::Holiday).count();
        let makeup: Vec<NaiveDate> = cal
            .days
            .iter()
            .filter(|x| x.kind == DayKind::MakeupWorkday)
            .map(|x| x.date)
            .collect();
        assert_eq!(holidays, 3 + 9 + 3 + 5 + 1 + 1 + 7);
        assert_eq!(
            makeup,
            ["2027-01-31", "2027-02-20", "2027-05-08", "2027-09-26", "2027-10-09"]
                .map(d)
                .to_vec()
        );
        assert!(makeup.iter().all(|&m| is_weekend(m)));
        assert_eq!(day(&cal, "2027-02-05").unwrap().name, "春节");
        assert_eq!(day(&cal, "2027-02-13").unwrap().name, "春节");
        assert_eq!(day(&cal, "2027-02-20").unwrap().name, "春节调休上班");
        assert_eq!(day(&cal, "2027-06-09").unwrap().name, "端午节");
        assert!(day(&cal, "2027-06-10").is_none());
        assert!(cal.days.windows(2).all(|w| w[0].date < w[1].date), "sorted by date");
        assert!(
            FIXTURE_2027
                .lines()
                .next()
                .unwrap()
                .starts_with("国务院办公厅关于2027年部分节假日安排的通知")
        );
        assert!(!FIXTURE_2027.contains("测试"));
    }

    /// RULES.md §1: every built-in year contains all seven statutory festivals.
    #[test]
    fn rules_1_builtin_years_are_complete() {
        for year in 2024..=2026 {
            assert_eq!(YearCalendar::builtin(year).unwrap().check_complete(), Ok(()), "{year}");
        }
    }

    /// RULES.md §1: a year with only 元旦 is incomplete; the error names the six missing.
    #[test]
    fn rules_1_year_with_only_new_year_is_incomplete() {
        let mut cal = YearCalendar::builtin(2026).unwrap();
        cal.days.retain(|x| x.name == "元旦");
        let e = cal.check_complete().unwrap_err();
        assert_eq!(e.line, 0);
        assert_eq!(
            e.message,
            "2026年的节假日安排不完整：缺少春节、清明节、劳动节、端午节、中秋节、国庆节；一年的日历必须包含七个法定节日，请粘贴完整的通知"
        );
    }

    /// RULES.md §1: short forms and compound names count; make-up days do not.
    #[test]
    fn rules_1_complete_accepts_short_and_compound_names() {
        let mk = |name: &str, date: &str, kind| SpecialDay {
            date: d(date),
            kind,
            name: name.to_string(),
        };
        let mut cal = YearCalendar {
            year: 2026,
            days: vec![
                mk("元旦", "2026-01-01", DayKind::Holiday),
                mk("春节", "2026-02-16", DayKind::Holiday),
                mk("清明", "2026-04-05", DayKind::Holiday),
                mk("五一", "2026-05-01", DayKind::Holiday),
                mk("端午", "2026-06-19", DayKind::Holiday),
                mk("国庆节、中秋节", "2026-10-01", DayKind::Holiday),
            ],
        };
        assert_eq!(cal.check_complete(), Ok(()));
        cal.days[5].name = "国庆".to_string();
        cal.days
            .push(mk("中秋节调休上班", "2026-09-20", DayKind::MakeupWorkday));
        let e = cal.check_complete().unwrap_err();
        assert!(e.message.contains("缺少中秋节；"), "{}", e.message);
    }

    /// RULES.md §1: 星期X (2024), 周X (2025–2026) and 礼拜X annotations are all understood.
    #[test]
    fn rules_1_weekday_forms() {
        let expected = YearCalendar::builtin(2026).unwrap();
        for form in ["星期", "礼拜"] {
            let text = NOTICE_2026.replace("周", form);
            assert_eq!(parse_notice(&text), Ok(expected.clone()), "{form}");
        }
        // 「星期天」 is Sunday too.
        let text = notice_with_spring(
            "二、春节：2月15日（星期天）至23日放假调休，共9天。2月14日（周六）、2月28日（周六）上班。",
        );
        assert_eq!(parse_notice(&text), Ok(expected));
    }

    /// RULES.md §1: a weekday annotation that does not match its date is an error on its line.
    #[test]
    fn rules_1_wrong_weekday_is_an_error() {
        let text = edit(NOTICE_2026, "2月14日（周六）", "2月14日（周五）");
        let e = parse_notice(&text).unwrap_err();
        assert_eq!(e.line, line_of(NOTICE_2026, "二、春节"));
        assert_eq!(e.message, "2026年2月14日是周六，通知写作周五，请核对日期和标题中的年份");
        assert_eq!(
            e.to_string(),
            format!(
                "第{}行：2026年2月14日是周六，通知写作周五，请核对日期和标题中的年份",
                e.line
            )
        );

        // In a lunar annotation and in the 星期 form.
        let text = edit(NOTICE_2025, "农历除夕、周二", "农历除夕、星期三");
        let e = parse_notice(&text).unwrap_err();
        assert_eq!(e.line, line_of(NOTICE_2025, "二、春节"));
        assert_eq!(
            e.message,
            "2025年1月28日是周二，通知写作星期三，请核对日期和标题中的年份"
        );
    }

    /// RULES.md §1: 「共N天」 and 「放假N天」 must equal the number of days of the range.
    #[test]
    fn rules_1_day_count_mismatch_is_an_error() {
        let text = edit(NOTICE_2026, "共9天", "共8天");
        let e = parse_notice(&text).unwrap_err();
        assert_eq!(e.line, line_of(NOTICE_2026, "二、春节"));
        assert!(
            e.message.contains("写的是8天，但2月15日至2月23日实际是9天"),
            "{}",
            e.message
        );

        let text = edit(NOTICE_2025, "放假1天", "放假2天");
        let e = parse_notice(&text).unwrap_err();
        assert_eq!(e.line, line_of(NOTICE_2025, "一、元旦"));
        assert!(e.message.contains("写的是2天，但1月1日实际是1天"), "{}", e.message);

        // A Chinese numeral count is checked too.
        let text = edit(NOTICE_2026, "共9天", "共九天");
        assert_eq!(parse_notice(&text), Ok(YearCalendar::builtin(2026).unwrap()));
    }

    /// RULES.md §1: ranges across months (「1月28日…至2月4日…」) and ends that inherit
    /// the month (「2月10日至17日」).
    #[test]
    fn rules_1_ranges_across_months() {
        let cal = parse_notice(NOTICE_2025).unwrap();
        for date in [
            "2025-01-28",
            "2025-01-31",
            "2025-02-01",
            "2025-02-04",
            "2025-05-31",
            "2025-06-02",
        ] {
            assert_eq!(day(&cal, date).unwrap().kind, DayKind::Holiday, "{date}");
        }
        assert_eq!(day(&cal, "2025-02-01").unwrap().name, "春节");
        assert!(day(&cal, "2025-02-05").is_none());
        let cal = parse_notice(NOTICE_2024).unwrap();
        assert_eq!(
            cal.days
                .iter()
                .filter(|x| x.name == "春节")
                .map(|x| x.date)
                .collect::<Vec<_>>(),
            (10..=17)
                .map(|n| NaiveDate::from_ymd_opt(2024, 2, n).unwrap())
                .collect::<Vec<_>>()
        );
    }

    /// RULES.md §1: 「1月1日（周三）放假1天，不调休」 (2025) and 「1月1日放假，与周末连休」
    /// (2024) are one day off, with no make-up day; a compound name is kept whole.
    #[test]
    fn rules_1_single_days() {
        let cal = parse_notice(NOTICE_2025).unwrap();
        let new_year: Vec<&SpecialDay> = cal.days.iter().filter(|x| x.name.contains("元旦")).collect();
        assert_eq!(new_year.len(), 1);
        assert_eq!(
            (new_year[0].date, new_year[0].kind),
            (d("2025-01-01"), DayKind::Holiday)
        );
        assert_eq!(day(&cal, "2025-10-08").unwrap().name, "国庆节、中秋节");
        assert_eq!(day(&cal, "2025-10-11").unwrap().name, "国庆节、中秋节调休上班");

        let cal = parse_notice(NOTICE_2024).unwrap();
        for name in ["元旦", "端午节"] {
            let days: Vec<&SpecialDay> = cal.days.iter().filter(|x| x.name.contains(name)).collect();
            assert_eq!(days.len(), 1, "{name}");
        }
        assert_eq!(day(&cal, "2024-06-10").unwrap().name, "端午节");
    }

    /// RULES.md §1: several make-up days in one sentence, separated by 、，和.
    #[test]
    fn rules_1_several_makeup_days_in_one_sentence() {
        let expected = YearCalendar::builtin(2026).unwrap();
        for sep in ["、", "，", "和", ","] {
            let text = edit(
                NOTICE_2026,
                "2月14日（周六）、2月28日（周六）上班",
                &format!("2月14日（周六）{sep}2月28日（周六）上班"),
            );
            assert_eq!(parse_notice(&text), Ok(expected.clone()), "{sep}");
        }
        // A list item without month inherits the previous one's.
        let text = edit(
            NOTICE_2026,
            "2月14日（周六）、2月28日（周六）上班",
            "2月14日（周六）、28日（周六）上班",
        );
        assert_eq!(parse_notice(&text), Ok(expected));
    }

    /// RULES.md §1: a make-up day that is not a Saturday or Sunday is an error on its line.
    #[test]
    fn rules_1_makeup_day_must_be_weekend() {
        let text = edit(NOTICE_2026, "5月9日（周六）上班", "5月8日上班");
        let e = parse_notice(&text).unwrap_err();
        assert_eq!(e.line, line_of(NOTICE_2026, "四、劳动节"));
        assert!(e.message.contains("5月8日是周五，不是周六或周日"), "{}", e.message);
    }

    /// RULES.md §1 (2024 notice): 「鼓励…安排职工在除夕（2月9日）休息」 is no holiday — the
    /// date stays a working day.
    #[test]
    fn rules_1_encouraged_rest_is_not_a_holiday() {
        let cal = parse_notice(NOTICE_2024).unwrap();
        assert!(day(&cal, "2024-02-09").is_none());
        let mut calendar = super::super::Calendar::default();
        calendar.insert_year(cal);
        assert!(calendar.is_workday(d("2024-02-09")).unwrap());
    }

    /// RULES.md §1: a notice pasted with its items (or the whole text) on one line parses the
    /// same; errors then name that line.
    #[test]
    fn rules_1_items_pasted_on_one_line() {
        for (year, text) in [(2024, NOTICE_2024), (2025, NOTICE_2025), (2026, NOTICE_2026)] {
            let expected = YearCalendar::builtin(year).unwrap();
            let whole: String = text.lines().collect();
            assert_eq!(parse_notice(&whole), Ok(expected.clone()), "{year} on one line");
            let spaced = text.lines().collect::<Vec<_>>().join(" ");
            assert_eq!(parse_notice(&spaced), Ok(expected.clone()), "{year} joined with spaces");
            // Title on line 1, everything else on line 2.
            let (title, rest) = text.split_once('\n').unwrap();
            let two = format!("{title}\n{}", rest.lines().collect::<String>());
            assert_eq!(parse_notice(&two), Ok(expected), "{year} on two lines");
        }
        let (title, rest) = NOTICE_2026.split_once('\n').unwrap();
        let two = format!("{title}\n{}", rest.lines().collect::<String>()).replace("共7天", "共6天");
        assert_eq!(parse_notice(&two).unwrap_err().line, 2);
    }

    /// RULES.md §1: the title may be printed on two lines (「…关于2026年」「部分节假日安排的通知」).
    #[test]
    fn rules_1_title_split_over_two_lines() {
        let text = edit(NOTICE_2026, "关于2026年部分", "关于2026年\n部分");
        assert_eq!(parse_notice(&text), Ok(YearCalendar::builtin(2026).unwrap()));
    }

    /// RULES.md §1: without the title the year is unknown — a line-0 error asking for the
    /// whole notice.
    #[test]
    fn rules_1_missing_title_is_a_whole_text_error() {
        let text: String = NOTICE_2026.lines().skip(1).collect::<Vec<_>>().join("\n");
        let e = parse_notice(&text).unwrap_err();
        assert_eq!(e.line, 0);
        assert!(
            e.message.contains("「国务院办公厅关于2027年部分节假日安排的通知」"),
            "{}",
            e.message
        );
        assert_eq!(parse_notice("").unwrap_err().line, 0);

        let two = format!("{NOTICE_2026}\n{FIXTURE_2027}");
        let e = parse_notice(&two).unwrap_err();
        assert_eq!(e.line, 0);
        assert!(e.message.contains("2026年和2027年"), "{}", e.message);
    }

    /// RULES.md §1: a sentence with a date that is neither a holiday nor a make-up sentence
    /// is an error naming its line, quoting it; nothing is guessed.
    #[test]
    fn rules_1_unknown_sentence_with_date_is_an_error() {
        let text = edit(
            NOTICE_2026,
            "三、清明节：4月4日（周六）至6日（周一）放假，共3天。",
            "三、清明节：4月4日起休息。",
        );
        let e = parse_notice(&text).unwrap_err();
        assert_eq!(e.line, line_of(NOTICE_2026, "三、清明节"));
        assert!(e.message.starts_with("无法识别“4月4日起休息”；"), "{}", e.message);

        let cases = [
            // An extra clause with a date after the holiday.
            "二、春节：2月15日至23日放假调休，共9天，其中2月16日值班。2月14日（周六）、2月28日（周六）上班。",
            // A range end without a range separator.
            "二、春节：2月15日23日放假调休，共9天。2月14日（周六）、2月28日（周六）上班。",
            // A make-up list that never says 上班.
            "二、春节：2月15日至23日放假调休，共9天。2月14日（周六）、2月28日（周六）。",
            // A 鼓励 sentence that does declare days off is not skipped.
            "二、春节：2月15日至23日放假调休，共9天。鼓励2月24日放假，2月14日（周六）、2月28日（周六）上班。",
        ];
        for spring in cases {
            let e = parse_notice(&notice_with_spring(spring)).unwrap_err();
            assert_eq!(e.line, line_of(NOTICE_2026, "二、春节"), "{spring}");
            assert!(e.message.starts_with("无法识别“"), "{spring}: {}", e.message);
        }
    }

    /// RULES.md §1: other date problems each name their line.
    #[test]
    fn rules_1_date_errors_name_their_line() {
        let line = line_of(NOTICE_2026, "二、春节");
        let cases = [
            ("二、春节：15日至23日放假调休，共9天。", "缺少月份"),
            ("二、春节：2月30日至23日放假调休，共9天。", "不存在"),
            (
                "二、春节：2027年2月15日至23日放假调休，共9天。",
                "2027年2月15日不在2026年内；跨年安排暂不支持由通知导入，请逐行录入",
            ),
            ("二、春节：2月23日至15日放假调休。", "早于开始日期"),
            ("二、春节：2月1日至3月15日放假调休。", "超过31天"),
            ("二、春节：2月15日（2月16日）至23日放假调休。", "括号中只应注明"),
            (
                "二、春节：2月15日至23日放假调休，共9天。2月14日（周六）、2月15日（周日）上班。",
                "出现了两次",
            ),
            ("二、春节：1月3日放假。", "已在第"),
            (
                "二、春节2月15日至23日放假调休，共9天。",
                "无法识别“春节2月15日至23日放假调休，共9天。”",
            ),
            ("二、春节：2月14日（周六）上班。", "没有找到放假日期"),
        ];
        for (spring, needle) in cases {
            let e = parse_notice(&notice_with_spring(spring)).unwrap_err();
            assert_eq!(e.line, line, "{spring}: {e}");
            assert!(e.message.contains(needle), "{spring}: {}", e.message);
        }
        // An explicit year equal to the notice year is fine.
        let text =
            notice_with_spring("二、春节：2026年2月15日至23日放假调休，共9天。2月14日（周六）、2月28日（周六）上班。");
        assert_eq!(parse_notice(&text), Ok(YearCalendar::builtin(2026).unwrap()));
    }

    /// RULES.md §1: a notice missing a festival is incomplete (line 0).
    #[test]
    fn rules_1_missing_festival_is_incomplete() {
        let text = edit(
            NOTICE_2026,
            "六、中秋节：9月25日（周五）至27日（周日）放假，共3天。",
            "",
        );
        let e = parse_notice(&text).unwrap_err();
        assert_eq!(e.line, 0);
        assert!(
            e.message.starts_with("2026年的节假日安排不完整：缺少中秋节；"),
            "{}",
            e.message
        );

        let only_title =
            "国务院办公厅关于2027年部分节假日安排的通知\n一、元旦：1月1日（周五）至3日（周日）放假，共3天。";
        let e = parse_notice(only_title).unwrap_err();
        assert!(
            e.message.contains("缺少春节、清明节、劳动节、端午节、中秋节、国庆节"),
            "{}",
            e.message
        );

        let e = parse_notice("国务院办公厅关于2027年部分节假日安排的通知\n国务院办公厅\n2026年11月1日").unwrap_err();
        assert_eq!(e.line, 0);
        assert!(e.message.contains("没有找到任何节日条目"), "{}", e.message);
    }

    /// RULES.md §1: full-width digits, colons and parentheses, a byte-order mark and CRLF
    /// line ends are normalised; a full-width space before an item is fine.
    #[test]
    fn rules_1_full_width_and_bom() {
        let full: String = NOTICE_2026
            .chars()
            .map(|c| match c {
                '0'..='9' => char::from_u32(c as u32 - '0' as u32 + 0xFF10).unwrap(),
                c => c,
            })
            .collect();
        assert!(full.contains("１０月１日"));
        let text = format!(
            "\u{feff}{}",
            full.replace('\n', "\r\n").replace("七、", "\u{3000}\u{3000}七、")
        );
        assert_eq!(parse_notice(&text), Ok(YearCalendar::builtin(2026).unwrap()));
        // Half-width punctuation (as typed) works too.
        let half = NOTICE_2026
            .replace('（', "(")
            .replace('）', ")")
            .replace('：', ":")
            .replace('，', ",");
        assert_eq!(parse_notice(&half), Ok(YearCalendar::builtin(2026).unwrap()));
    }

    /// RULES.md §1: the signature and its date are not items, also when pasted on the same
    /// line as the last item; a stray full date elsewhere is still an error.
    #[test]
    fn rules_1_signature_is_not_an_item() {
        let text = edit(
            NOTICE_2026,
            "10月10日（周六）上班。",
            "10月10日（周六）上班。国务院办公厅 2025年11月4日",
        );
        assert_eq!(parse_notice(&text), Ok(YearCalendar::builtin(2026).unwrap()));
        let text = edit(
            NOTICE_2026,
            "10月10日（周六）上班。",
            "2025年11月4日。10月10日（周六）上班。",
        );
        assert_eq!(
            parse_notice(&text).unwrap_err().line,
            line_of(NOTICE_2026, "七、国庆节")
        );
    }

    /// The day-count and number helpers.
    #[test]
    fn counts() {
        assert_eq!(parse_count("共8天"), Some(8));
        assert_eq!(parse_count("3天"), Some(3));
        assert_eq!(parse_count("共十天"), Some(10));
        assert_eq!(parse_count("共十二天"), Some(12));
        assert_eq!(parse_count("共二十天"), Some(20));
        assert_eq!(parse_count("共天"), None);
        assert_eq!(parse_count("共8日"), None);
        assert_eq!(parse_count("共99999天"), None);
    }

    proptest! {
        /// Random text never panics the parser.
        #[test]
        fn prop_noise_never_panics(s in "[一二三、：:，,。;（()）0-9０-９年月日至放假上班调休共天周星期六鼓励部分节假日安排 \n]{0,200}") {
            let _ = parse_notice(&s);
            let _ = parse_notice(&format!("国务院办公厅关于2026年部分节假日安排的通知\n{s}"));
        }

        /// Noise lines that are not items (no ordinal at their start) do not change the result.
        #[test]
        fn prop_non_item_lines_are_ignored(
            noise in proptest::collection::vec("[a-z 年月日周放假上班，。（）0-9]{0,30}", 1..5),
            at in 1usize..25,
        ) {
            let mut lines: Vec<String> = NOTICE_2026.lines().map(str::to_string).collect();
            let at = at.min(lines.len());
            for (k, n) in noise.into_iter().enumerate() {
                lines.insert(at + k, n);
            }
            prop_assert_eq!(parse_notice(&lines.join("\n")), Ok(YearCalendar::builtin(2026).unwrap()));
        }
    }
}
