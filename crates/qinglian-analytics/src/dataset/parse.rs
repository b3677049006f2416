//! Parsing and normalising single text values of each column kind.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime};
use qinglian_domain::credit_code::CreditCode;
use qinglian_domain::id_number::IdNumber;
use unicode_normalization::UnicodeNormalization;

/// NFKC (full-width → half-width) and trimmed; ASCII input is only trimmed.
pub fn clean(s: &str) -> String {
    if s.is_ascii() {
        s.trim().to_string()
    } else {
        let n: String = s.nfkc().collect();
        n.trim().to_string()
    }
}

/// Whether `s` is already a canonical ID number: 17 ASCII digits with a birth date from
/// 1800-01-01 to 2100-12-31, then the correct check character (an uppercase `X` for 10). Such a
/// value is its own normal form; checking this needs no NFKC pass and no allocation, and almost
/// every value of a real dataset passes.
pub fn is_canonical_id_number(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 18 || !b[..17].iter().all(u8::is_ascii_digit) {
        return false;
    }
    if qinglian_domain::id_number::check_char(&s[..17]) != Some(char::from(b[17])) {
        return false;
    }
    let digits = |r: std::ops::Range<usize>| b[r].iter().fold(0u32, |n, d| n * 10 + u32::from(d - b'0'));
    let year = digits(6..10) as i32;
    (1800..=2100).contains(&year) && NaiveDate::from_ymd_opt(year, digits(10..12), digits(12..14)).is_some()
}

/// Whether `s` is already a canonical credit code: 17 symbols of the uppercase GB 32100
/// alphabet and the correct check character.
pub fn is_canonical_credit_code(s: &str) -> bool {
    s.len() == 18
        && s.bytes().all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
        && qinglian_domain::credit_code::check_char(&s[..17]) == Some(char::from(s.as_bytes()[17]))
}

/// Normalised ID number, or the cleaned value and the reason it is invalid.
pub fn id_number(s: &str) -> Result<String, (String, String)> {
    if is_canonical_id_number(s) {
        return Ok(s.to_string());
    }
    id_number_parsed(s)
}

fn id_number_parsed(s: &str) -> Result<String, (String, String)> {
    match IdNumber::parse(s) {
        Ok(id) => Ok(id.as_str().to_string()),
        Err(e) => Err((compact(s), e.to_string())),
    }
}

/// Normalised credit code, or the cleaned value and the reason it is invalid.
pub fn credit_code(s: &str) -> Result<String, (String, String)> {
    if is_canonical_credit_code(s) {
        return Ok(s.to_string());
    }
    credit_code_parsed(s)
}

fn credit_code_parsed(s: &str) -> Result<String, (String, String)> {
    match CreditCode::parse(s) {
        Ok(c) => Ok(c.as_str().to_string()),
        Err(e) => Err((compact(s), e.to_string())),
    }
}

/// NFKC, uppercase, whitespace and hyphens removed.
pub fn compact(s: &str) -> String {
    let n: String = if s.is_ascii() {
        s.to_string()
    } else {
        s.nfkc().collect()
    };
    n.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_uppercase)
        .collect()
}

/// Phone-like compact form: as [`compact`], and a leading "+86" dropped.
pub fn phone(s: &str) -> String {
    let c = compact(s);
    match c.strip_prefix("+86") {
        Some(rest) if !rest.is_empty() => rest.to_string(),
        _ => c,
    }
}

fn ymd(y: &str, m: &str, d: &str) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y.trim().parse().ok()?, m.trim().parse().ok()?, d.trim().parse().ok()?)
}

/// Parses a date: 2024-01-05, 2024/1/5, 2024.1.5, 20240105, 2024年1月5日, optionally followed by
/// a time (which is ignored), or an RFC 3339 instant (taken in China time).
pub fn date(s: &str) -> Option<NaiveDate> {
    let s = clean(s);
    if s.is_empty() {
        return None;
    }
    if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
        return ymd(&s[..4], &s[4..6], &s[6..]);
    }
    if let Some(ts) = timestamp_with_offset(&s) {
        return Some(ts.date());
    }
    let date_part = s.split([' ', 'T']).next().unwrap_or("");
    let date_part = date_part.trim_end_matches('日');
    let parts: Vec<&str> = date_part.split(['-', '/', '.', '年', '月']).collect();
    if parts.len() == 3 && parts[0].len() == 4 {
        return ymd(parts[0], parts[1], parts[2]);
    }
    None
}

/// An RFC 3339 / ISO 8601 instant with an offset, converted to China time (UTC+8).
fn timestamp_with_offset(s: &str) -> Option<NaiveDateTime> {
    let dt = DateTime::parse_from_rfc3339(s)
        .or_else(|_| DateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%:z"))
        .or_else(|_| DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f%z"))
        .ok()?;
    let china = chrono::FixedOffset::east_opt(8 * 3600)?;
    Some(dt.with_timezone(&china).naive_local())
}

/// Parses a local date-time (China time); a bare date is midnight; offsets are converted.
pub fn timestamp(s: &str) -> Option<NaiveDateTime> {
    let s = clean(s);
    if s.is_empty() {
        return None;
    }
    if let Some(ts) = timestamp_with_offset(&s) {
        return Some(ts);
    }
    for fmt in [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y/%m/%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
        "%Y/%m/%d %H:%M",
        "%Y年%m月%d日 %H:%M:%S",
        "%Y年%m月%d日 %H:%M",
        "%Y%m%d%H%M%S",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(&s, fmt) {
            return Some(t);
        }
    }
    date(&s).map(|d| d.and_time(NaiveTime::MIN))
}

/// Parses a month into 'YYYY-MM': 2024-01, 2024/1, 202401, 2024年1月, 2024.01, or a full date.
pub fn period(s: &str) -> Option<String> {
    let s = clean(s);
    if s.is_empty() {
        return None;
    }
    let fmt = |y: i32, m: u32| ((1..=12).contains(&m) && (1000..=9999).contains(&y)).then(|| format!("{y:04}-{m:02}"));
    if s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit()) {
        return fmt(s[..4].parse().ok()?, s[4..].parse().ok()?);
    }
    let trimmed = s.trim_end_matches('月');
    let parts: Vec<&str> = trimmed.split(['-', '/', '.', '年']).collect();
    if parts.len() == 2 && parts[0].len() == 4 {
        return fmt(parts[0].trim().parse().ok()?, parts[1].trim().parse().ok()?);
    }
    let d = date(&s)?;
    fmt(d.year(), d.month())
}

/// Parses a number: thousands separators, currency signs, "元" and "人民币" ignored; a "万"/"亿"
/// suffix multiplies. Returns the value in the unit written (after the suffix).
pub fn number(s: &str) -> Option<f64> {
    let s = clean(s);
    let mut t: String = s
        .chars()
        .filter(|c| !matches!(c, ',' | '，' | '¥' | '￥' | '$' | ' ') && !c.is_whitespace())
        .collect();
    for suffix in ["人民币", "元", "人", "个", "平方米", "㎡", "m2"] {
        if let Some(stripped) = t.strip_suffix(suffix) {
            t = stripped.to_string();
        }
    }
    let mut factor = 1.0;
    if let Some(stripped) = t.strip_suffix('万') {
        t = stripped.to_string();
        factor = 1e4;
    } else if let Some(stripped) = t.strip_suffix('亿') {
        t = stripped.to_string();
        factor = 1e8;
    }
    if t.is_empty() {
        return None;
    }
    let v: f64 = t.parse().ok()?;
    v.is_finite().then_some(v * factor)
}

/// Parses a ratio: "35%" → 0.35; a plain number is taken as is.
pub fn ratio(s: &str) -> Option<f64> {
    let c = clean(s);
    match c.strip_suffix('%') {
        Some(p) => number(p).map(|v| v / 100.0),
        None => number(&c),
    }
}

/// Parses a whole count ("3", "3.0", "3人").
pub fn count(s: &str) -> Option<i64> {
    let v = number(s)?;
    (v.fract() == 0.0 && v.abs() < 9.0e15).then_some(v as i64)
}

/// Parses a yes/no flag.
pub fn flag(s: &str) -> Option<bool> {
    match clean(s).to_lowercase().as_str() {
        "是" | "true" | "t" | "1" | "y" | "yes" | "豁免" | "√" => Some(true),
        "否" | "false" | "f" | "0" | "n" | "no" | "不豁免" | "×" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_dates_periods_and_numbers() {
        let d = NaiveDate::from_ymd_opt(2024, 1, 5).unwrap();
        for s in [
            "2024-01-05",
            "2024/1/5",
            "20240105",
            "2024年1月5日",
            "2024.01.05",
            "2024-01-05 10:00:00",
        ] {
            assert_eq!(date(s), Some(d), "{s}");
        }
        assert_eq!(date("2024-01-04T20:00:00Z"), Some(d));
        for s in [
            "2024-03",
            "2024/3",
            "202403",
            "2024年3月",
            "2024-03-15",
            "２０２４－０３",
        ] {
            assert_eq!(period(s).as_deref(), Some("2024-03"), "{s}");
        }
        assert_eq!(period("2024-13"), None);
        assert_eq!(number("1,234.5元"), Some(1234.5));
        assert_eq!(number("500万"), Some(5_000_000.0));
        assert_eq!(number("￥ 12"), Some(12.0));
        assert_eq!(ratio("35%"), Some(0.35));
        assert_eq!(count("3人"), Some(3));
        assert_eq!(flag("是"), Some(true));
        assert_eq!(flag("否"), Some(false));
        assert_eq!(phone("+86 138-0000-0000"), "13800000000");
    }

    /// The fast paths accept exactly the values the full parsers return unchanged, and give the
    /// same result as the full parsers on every input.
    #[test]
    fn canonical_fast_paths_agree_with_the_full_parsers() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let mut inputs: Vec<String> = vec![
            "11010519491231002X".into(),
            "11010519491231002x".into(),
            " 11010519491231002X".into(),
            "110105491231002".into(),
            "110105194912310029".into(),
            "１１０１０５１９４９１２３１００２Ｘ".into(),
            "110105179912310020".into(),
            "110105210112310020".into(),
            "11010518000101002X".into(),
            "11010521001231002X".into(),
            "110105199902300020".into(),
            "A10105194912310029".into(),
            "".into(),
        ];
        for _ in 0..20_000 {
            let year = rng.random_range(1790..2110);
            let body = format!(
                "{:06}{year}{:02}{:02}{:03}",
                rng.random_range(110_000..660_000),
                rng.random_range(0..14),
                rng.random_range(0..33),
                rng.random_range(0..1000)
            );
            let check = qinglian_domain::id_number::check_char(&body).unwrap();
            let wrong = ['0', '1', 'X', 'x', '5'][rng.random_range(0..5)];
            inputs.push(format!("{body}{check}"));
            inputs.push(format!("{body}{wrong}"));
            inputs.push(format!("{body}{}", check.to_ascii_lowercase()));
        }
        let mut canonical = 0;
        for s in &inputs {
            assert_eq!(id_number(s), id_number_parsed(s), "{s}");
            let unchanged = id_number_parsed(s).is_ok_and(|n| &n == s);
            assert_eq!(is_canonical_id_number(s), unchanged, "{s}");
            canonical += usize::from(unchanged);
        }
        assert!(canonical > 5_000, "{canonical}");
        let mut codes: Vec<String> = vec!["91110105MA0000011".into(), "".into(), "９１".into()];
        const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXYIOSVZ";
        for _ in 0..20_000 {
            let body: String = (0..17)
                .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
                .collect();
            let last = char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]);
            if let Some(check) = qinglian_domain::credit_code::check_char(&body) {
                codes.push(format!("{body}{check}"));
                codes.push(format!("{}{check}", body.to_lowercase()));
            }
            codes.push(format!("{body}{last}"));
        }
        for s in &codes {
            assert_eq!(credit_code(s), credit_code_parsed(s), "{s}");
            let unchanged = credit_code_parsed(s).is_ok_and(|n| &n == s);
            assert_eq!(is_canonical_credit_code(s), unchanged, "{s}");
        }
    }

    #[test]
    fn id_numbers_upgrade_and_report() {
        assert_eq!(id_number("11010519491231002X").unwrap(), "11010519491231002X");
        assert_eq!(id_number("11010519491231002x").unwrap(), "11010519491231002X");
        // 15-digit legacy number: "19" inserted after the region, check character appended.
        assert_eq!(id_number("110105491231002").unwrap(), "11010519491231002X");
        let (kept, reason) = id_number("110105194912310029").unwrap_err();
        assert_eq!(kept, "110105194912310029");
        assert!(reason.contains("校验码"), "{reason}");
    }
}
