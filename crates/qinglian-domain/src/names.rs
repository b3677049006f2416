//! Name normalisation and search matching (RULES.md §11).
//!
//! Normalised names are matching keys, not identity: common names collide massively, so
//! callers must block on ID number, name + birth date, or name + region (RULES.md §11).

use pinyin::{ToPinyin, ToPinyinMulti};
use unicode_normalization::UnicodeNormalization;

/// Characters used as the middle dot in minority and foreign names, all mapped to U+00B7.
const MIDDLE_DOTS: &[char] = &[
    '\u{00B7}', // · MIDDLE DOT
    '\u{0387}', // · GREEK ANO TELEIA
    '\u{2022}', // • BULLET
    '\u{2027}', // ‧ HYPHENATION POINT
    '\u{2219}', // ∙ BULLET OPERATOR
    '\u{22C5}', // ⋅ DOT OPERATOR
    '\u{30FB}', // ・ KATAKANA MIDDLE DOT
    '\u{FF65}', // ･ HALFWIDTH KATAKANA MIDDLE DOT
    '\u{318D}', // ㆍ HANGUL LETTER ARAEA
    '\u{2E31}', // ⸱ WORD SEPARATOR MIDDLE DOT
    '\u{16EB}', // ᛫ RUNIC SINGLE PUNCTUATION
    '\u{25CF}', // ● BLACK CIRCLE
    '\u{2024}', // ․ ONE DOT LEADER
];

/// Invisible characters dropped from names (zero-width spaces and joiners, BOM, soft hyphen).
const INVISIBLE: &[char] = &['\u{200B}', '\u{200C}', '\u{200D}', '\u{2060}', '\u{FEFF}', '\u{00AD}'];

/// Characters of the simplified standard (GB 2312) that the traditional → simplified table
/// would still rewrite, often changing the reading (乾 qián → 干 gàn, 矽 → 硅) or merging a
/// distinct surname (仝, 甯, 於, 麴). Names keep them as written.
const KEEP_AS_WRITTEN: &[char] = &[
    '乾', '仝', '甯', '於', '麴', '磐', '薰', '吒', '疋', '祗', '黏', '阪', '矽', '捍', '摺', '彷', '煅', '醯', '呵',
    '呱',
];

/// Traditional → simplified, one character for one character, keeping [`KEEP_AS_WRITTEN`].
fn to_simplified(s: &str) -> String {
    let converted = fast2s::convert(s);
    s.chars()
        .zip(converted.chars())
        .map(|(orig, conv)| if KEEP_AS_WRITTEN.contains(&orig) { orig } else { conv })
        .collect()
}

fn is_han(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3134F)
}

/// NFKC, whitespace and invisible characters removed, middle dots unified, and a full stop
/// between two Han characters (a common typing of the middle dot) turned into "·".
fn base_normalize(s: &str) -> String {
    let nfkc: Vec<char> = s
        .nfkc()
        .filter(|c| !c.is_whitespace() && !INVISIBLE.contains(c))
        .map(|c| if MIDDLE_DOTS.contains(&c) { '·' } else { c })
        .collect();
    let mut out = String::with_capacity(nfkc.len() * 3);
    for (i, &c) in nfkc.iter().enumerate() {
        let between_han = i > 0 && i + 1 < nfkc.len() && is_han(nfkc[i - 1]) && is_han(nfkc[i + 1]);
        if matches!(c, '.' | '。') && between_han {
            out.push('·');
        } else {
            out.push(c);
        }
    }
    to_simplified(&out)
}

/// Normalises a person's name for matching: NFKC (full-width → half-width), all whitespace
/// removed, middle dots unified to "·", traditional → simplified characters.
pub fn normalize_person_name(s: &str) -> String {
    base_normalize(s)
}

/// Normalises a company name for matching: as [`normalize_person_name`], plus full-width
/// brackets → ASCII "()", "股份有限公司" → "股份公司" and "有限责任公司" → "有限公司".
pub fn normalize_company_name(s: &str) -> String {
    let base = base_normalize(s);
    // NFKC already maps （） to (); also fold the other bracket forms people use.
    let base: String = base
        .chars()
        .map(|c| match c {
            '〔' | '［' | '[' | '【' | '〖' => '(',
            '〕' | '］' | ']' | '】' | '〗' => ')',
            other => other,
        })
        .collect();
    base.replace("股份有限公司", "股份公司")
        .replace("有限责任公司", "有限公司")
}

/// The pinyin readings of one normalised character, lowercase without tones ("ü" → "v");
/// ASCII letters and digits read as themselves; other characters have none.
fn readings(c: char) -> Vec<String> {
    if c.is_ascii_alphanumeric() {
        return vec![c.to_ascii_lowercase().to_string()];
    }
    let mut out: Vec<String> = Vec::new();
    if let Some(p) = c.to_pinyin() {
        out.push(p.plain().replace('ü', "v"));
    }
    if let Some(multi) = c.to_pinyin_multi() {
        for p in multi {
            let r = p.plain().replace('ü', "v");
            if !out.contains(&r) {
                out.push(r);
            }
        }
    }
    out
}

/// Default reading of one character, if any.
fn default_reading(c: char) -> Option<String> {
    readings(c).into_iter().next()
}

/// Pinyin initials of a name: "张三" → "zs". ASCII letters and digits are kept (lowercase);
/// other characters without a reading are dropped. The input is normalised first.
pub fn pinyin_initials(s: &str) -> String {
    normalize_person_name(s)
        .chars()
        .filter_map(default_reading)
        .filter_map(|r| r.chars().next())
        .collect()
}

/// Full pinyin of a name without tones or separators: "张三" → "zhangsan" ("ü" is written
/// "v"). ASCII letters and digits are kept (lowercase); other characters are dropped.
pub fn pinyin_full(s: &str) -> String {
    normalize_person_name(s).chars().filter_map(default_reading).collect()
}

/// Whether a search query matches a name (case-insensitive, both sides normalised):
/// the query is a substring of the name, or a prefix of its pinyin initials ("zs" → 张三),
/// or a prefix of its full pinyin ("zhangs" → 张三). Mixed forms ("zhangs", "zsan", "张s")
/// and alternative readings of polyphonic characters are also accepted. An empty query
/// matches every name.
pub fn name_matches(query: &str, name: &str) -> bool {
    let q: String = normalize_person_name(query).to_lowercase();
    if q.is_empty() {
        return true;
    }
    let n = normalize_person_name(name);
    if n.to_lowercase().contains(&q) {
        return true;
    }
    // Characters of the name that take part in pinyin matching, each with its readings.
    let units: Vec<(char, Vec<String>)> = n
        .chars()
        .filter_map(|c| {
            let r = readings(c);
            (!r.is_empty()).then_some((c.to_ascii_lowercase(), r))
        })
        .collect();
    let q: Vec<char> = q.chars().filter(|c| *c != '·').collect();
    matches_from(&q, &units)
}

/// Whether `q` matches the start of `units`: each unit is consumed by its own character, by
/// its full reading, or by its initial (one letter, or zh/ch/sh); the last unit touched may
/// be matched by any non-empty prefix of a reading.
fn matches_from(q: &[char], units: &[(char, Vec<String>)]) -> bool {
    if q.is_empty() {
        return true;
    }
    let Some(((c, readings), rest)) = units.split_first() else {
        return false;
    };
    if q[0] == *c && matches_from(&q[1..], rest) {
        return true;
    }
    for r in readings {
        let r: Vec<char> = r.chars().collect();
        // Query ends inside this reading: any non-empty prefix matches.
        if q.len() <= r.len() && r[..q.len()] == *q {
            return true;
        }
        // Whole reading consumed.
        if q.len() > r.len() && q[..r.len()] == r[..] && matches_from(&q[r.len()..], rest) {
            return true;
        }
        // Initial consumed: first letter, or a two-letter zh/ch/sh initial.
        let mut initial_lens = vec![1];
        if r.len() >= 2 && r[1] == 'h' && matches!(r[0], 'z' | 'c' | 's') {
            initial_lens.push(2);
        }
        for len in initial_lens {
            if len < r.len() && q.len() > len && q[..len] == r[..len] && matches_from(&q[len..], rest) {
                return true;
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RULES.md §11: full-width → half-width, spaces stripped, traditional → simplified.
    #[test]
    fn person_name_normalisation() {
        assert_eq!(normalize_person_name("張三"), "张三");
        assert_eq!(normalize_person_name("Ａ"), "A");
        assert_eq!(normalize_person_name(" 张\u{3000}三 "), "张三");
        assert_eq!(normalize_person_name("劉德華"), "刘德华");
        assert_eq!(normalize_person_name("歐陽\u{200B}鋒"), "欧阳锋");
        // Simplified-standard characters are kept even where the table would rewrite them.
        assert_eq!(normalize_person_name("王乾"), "王乾");
        assert_eq!(normalize_person_name("仝薰"), "仝薰");
        assert_eq!(normalize_person_name("後"), "后");
    }

    /// RULES.md §11: the middle dot of minority names is unified.
    #[test]
    fn middle_dot_unified() {
        for dot in ["·", "•", "‧", "∙", "・", "･", "⋅", ".", "．", "。"] {
            assert_eq!(
                normalize_person_name(&format!("买买提{dot}艾力")),
                "买买提·艾力",
                "dot {dot:?}"
            );
        }
        // A full stop not between Han characters is kept.
        assert_eq!(normalize_person_name("J.K."), "J.K.");
    }

    /// RULES.md §11: 有限责任公司 ≡ 有限公司, 股份有限公司 ≡ 股份公司, （）≡ ().
    #[test]
    fn company_equivalences() {
        assert_eq!(
            normalize_company_name("某某建设有限责任公司"),
            normalize_company_name("某某建设有限公司")
        );
        assert_eq!(normalize_company_name("某某建设有限责任公司"), "某某建设有限公司");
        assert_eq!(
            normalize_company_name("某某科技股份有限公司"),
            normalize_company_name("某某科技股份公司")
        );
        assert_eq!(normalize_company_name("某某科技股份有限公司"), "某某科技股份公司");
        assert_eq!(
            normalize_company_name("某某（四川）实业有限公司"),
            "某某(四川)实业有限公司"
        );
        assert_eq!(
            normalize_company_name("某某 (四川) 實業有限責任公司"),
            "某某(四川)实业有限公司"
        );
        // A branch stays its own entity.
        assert_ne!(
            normalize_company_name("某某建设有限公司成都分公司"),
            normalize_company_name("某某建设有限公司")
        );
        // 有限公司 and 股份公司 stay distinct.
        assert_ne!(
            normalize_company_name("某某有限公司"),
            normalize_company_name("某某股份公司")
        );
    }

    /// RULES.md §11: pinyin initials and full pinyin.
    #[test]
    fn pinyin_forms() {
        assert_eq!(pinyin_initials("张三"), "zs");
        assert_eq!(pinyin_full("张三"), "zhangsan");
        assert_eq!(pinyin_initials("張三"), "zs");
        assert_eq!(pinyin_initials("王2号A"), "w2ha");
        assert_eq!(pinyin_full("吕绿"), "lvlv");
        assert_eq!(pinyin_initials("买买提·艾力"), "mmtal");
        assert_eq!(pinyin_initials("!?"), "");
    }

    /// RULES.md §11: search by initials, full-pinyin prefix and substring.
    #[test]
    fn matching() {
        assert!(name_matches("zs", "张三"));
        assert!(name_matches("ZS", "张三"));
        assert!(name_matches("z", "张三"));
        assert!(name_matches("zhangs", "张三"));
        assert!(name_matches("zhangsan", "张三"));
        assert!(name_matches("zhang san", "张三"));
        assert!(name_matches("张", "张三"));
        assert!(name_matches("三", "张三"));
        assert!(name_matches("張三", "张三"));
        assert!(name_matches("张三", "張三"));
        assert!(name_matches("zsan", "张三"));
        assert!(name_matches("张s", "张三"));
        assert!(name_matches("zhs", "张三"));
        assert!(name_matches("", "张三"));
        assert!(!name_matches("ls", "张三"));
        assert!(!name_matches("zhangsi", "张三"));
        assert!(!name_matches("sz", "张三"));
        assert!(!name_matches("zsa1", "张三"));
        assert!(!name_matches("李", "张三"));
        // Polyphonic surname: 单 read shan.
        assert!(name_matches("shanx", "单雄信"));
        assert!(name_matches("sxx", "单雄信"));
        assert!(name_matches("mmt", "买买提·艾力"));
        assert!(name_matches("ABC", "abc公司"));
        assert!(name_matches("wq", "王乾"));
        assert!(name_matches("wangqian", "王乾"));
    }
}
