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

/// Compound (two-character) surnames with the reading of each character as a surname
/// ("ü" written "v"). A name starting with one of these and having at least one more
/// character is split after the two characters (see [`split_surname`]).
///
/// Sources: the surname table of pinyin-pro (`lib/data/surname.ts`, MIT, github.com/zh-lx/
/// pinyin-pro) and the 百家姓 compound surnames, checked against 《现代汉语词典》 surname
/// readings. 榖梁 is listed in both forms because traditional → simplified turns 穀 into 谷.
/// Left out on purpose: 宗政 and 乐正, which are rare as compound surnames while 宗/乐 + a
/// given name starting 政/正 (乐正华 = Yuè Zhènghuá) is common.
const COMPOUND_SURNAMES: &[(&str, [&str; 2])] = &[
    ("欧阳", ["ou", "yang"]),
    ("司马", ["si", "ma"]),
    ("上官", ["shang", "guan"]),
    ("诸葛", ["zhu", "ge"]),
    ("东方", ["dong", "fang"]),
    ("皇甫", ["huang", "fu"]),
    ("尉迟", ["yu", "chi"]),
    ("万俟", ["mo", "qi"]),
    ("单于", ["chan", "yu"]),
    ("长孙", ["zhang", "sun"]),
    ("令狐", ["ling", "hu"]),
    ("公孙", ["gong", "sun"]),
    ("慕容", ["mu", "rong"]),
    ("夏侯", ["xia", "hou"]),
    ("宇文", ["yu", "wen"]),
    ("澹台", ["tan", "tai"]),
    ("司徒", ["si", "tu"]),
    ("司空", ["si", "kong"]),
    ("司寇", ["si", "kou"]),
    ("端木", ["duan", "mu"]),
    ("轩辕", ["xuan", "yuan"]),
    ("呼延", ["hu", "yan"]),
    ("申屠", ["shen", "tu"]),
    ("南宫", ["nan", "gong"]),
    ("第五", ["di", "wu"]),
    ("闻人", ["wen", "ren"]),
    ("赫连", ["he", "lian"]),
    ("公羊", ["gong", "yang"]),
    ("公冶", ["gong", "ye"]),
    ("公西", ["gong", "xi"]),
    ("公良", ["gong", "liang"]),
    ("濮阳", ["pu", "yang"]),
    ("淳于", ["chun", "yu"]),
    ("太叔", ["tai", "shu"]),
    ("仲孙", ["zhong", "sun"]),
    ("钟离", ["zhong", "li"]),
    ("鲜于", ["xian", "yu"]),
    ("闾丘", ["lv", "qiu"]),
    ("亓官", ["qi", "guan"]),
    ("仉督", ["zhang", "du"]),
    ("子车", ["zi", "ju"]),
    ("颛孙", ["zhuan", "sun"]),
    ("巫马", ["wu", "ma"]),
    ("漆雕", ["qi", "diao"]),
    ("壤驷", ["rang", "si"]),
    ("拓跋", ["tuo", "ba"]),
    ("夹谷", ["jia", "gu"]),
    ("宰父", ["zai", "fu"]),
    ("榖梁", ["gu", "liang"]),
    ("谷梁", ["gu", "liang"]),
    ("段干", ["duan", "gan"]),
    ("百里", ["bai", "li"]),
    ("东郭", ["dong", "guo"]),
    ("东门", ["dong", "men"]),
    ("西门", ["xi", "men"]),
    ("南门", ["nan", "men"]),
    ("羊舌", ["yang", "she"]),
    ("梁丘", ["liang", "qiu"]),
    ("左丘", ["zuo", "qiu"]),
];

/// Single-character surnames whose reading as a surname differs from the `pinyin` crate's
/// default reading of the character (checked against pinyin 0.11: 曾 defaults to ceng, 单
/// dan, 解 jie, 仇 chou, 区 qu, 朴 pu, 查 cha, 盖 gai, 覃 tan, 尉 wei, 乐 le, 缪 mou, 翟 di,
/// 召 zhao, 种 zhong, 秘 mi, 繁 fan, 员 yuan, 隗 kui, 卜 bo, …). Surnames whose surname
/// reading already is the default (华 hua, 任 ren, 纪 ji, 那 na, 过 guo, 宁 ning, 葛 ge, 万 wan,
/// …) are not listed.
///
/// Sources: the 多音字姓氏 lists of 《现代汉语词典》 (姓 entries) and the surname table of
/// pinyin-pro (`lib/data/surname.ts`, MIT). Where they disagree the dictionary wins (盖 Gě,
/// 隗 Wěi, 蔚 Yù); the other readings stay searchable through [`name_matches`].
const SURNAME_READINGS: &[(char, &str)] = &[
    ('曾', "zeng"),
    ('单', "shan"),
    ('解', "xie"),
    ('仇', "qiu"),
    ('区', "ou"),
    ('朴', "piao"),
    ('查', "zha"),
    ('盖', "ge"),
    ('覃', "qin"),
    ('尉', "yu"),
    ('乐', "yue"),
    ('缪', "miao"),
    ('翟', "zhai"),
    ('召', "shao"),
    ('种', "chong"),
    ('秘', "bi"),
    ('繁', "po"),
    ('员', "yun"),
    ('隗', "wei"),
    ('卜', "bu"),
    ('薄', "bo"),
    ('长', "chang"),
    ('祭', "zhai"),
    ('句', "gou"),
    ('阚', "kan"),
    ('洗', "xian"),
    ('能', "nai"),
    ('佴', "nai"),
    ('折', "she"),
    ('逢', "pang"),
    ('蔚', "yu"),
    ('都', "du"),
    ('粘', "nian"),
    ('乜', "nie"),
    ('重', "chong"),
    ('乘', "sheng"),
    ('角', "jue"),
    ('炅', "gui"),
    ('沓', "ta"),
];

/// The surname of a normalised name as (number of characters, reading of each character),
/// or `None` when the name has no Han surname to split (see [`split_surname`]).
fn surname_of(chars: &[char]) -> Option<(usize, Vec<Option<String>>)> {
    let first = *chars.first()?;
    if !is_han(first) || chars.contains(&'·') {
        return None;
    }
    if chars.len() >= 3 {
        let head: String = chars[..2].iter().collect();
        if let Some((_, r)) = COMPOUND_SURNAMES.iter().find(|(s, _)| *s == head) {
            return Some((2, r.iter().map(|x| Some((*x).to_string())).collect()));
        }
    }
    let reading = SURNAME_READINGS
        .iter()
        .find(|(c, _)| *c == first)
        .map(|(_, r)| (*r).to_string())
        .or_else(|| default_reading(first));
    Some((1, vec![reading]))
}

/// Splits a person's name into (surname, given name), both normalised as by
/// [`normalize_person_name`]: "欧阳修" → ("欧阳", "修"), "曾健" → ("曾", "健").
///
/// A name starting with a compound surname (欧阳, 尉迟, 万俟, …) and having at least one
/// more character takes the two characters as surname; otherwise a name starting with a Han
/// character takes that character ("欧阳" alone is 欧 + 阳, "曾" alone is 曾 + "").
/// Names with no Han surname to split — names with a middle dot (买买提·艾力, transcribed
/// minority and foreign names, whose first part is a personal name, not a family name),
/// names starting with a Latin letter or digit, and the empty name — give an empty surname
/// and the whole name as the given part.
pub fn split_surname(name: &str) -> (String, String) {
    let n: Vec<char> = normalize_person_name(name).chars().collect();
    let len = surname_of(&n).map_or(0, |(len, _)| len);
    (n[..len].iter().collect(), n[len..].iter().collect())
}

/// The characters of a normalised name that have readings, each lowercased with its
/// readings; the surname's characters (see [`split_surname`]) have their surname reading
/// first, the others their default reading first.
fn reading_units(n: &str) -> Vec<(char, Vec<String>)> {
    let chars: Vec<char> = n.chars().collect();
    let surname = surname_of(&chars).map(|(_, r)| r).unwrap_or_default();
    chars
        .iter()
        .enumerate()
        .filter_map(|(i, &c)| {
            let mut r = readings(c);
            if let Some(Some(s)) = surname.get(i) {
                r.retain(|x| x != s);
                r.insert(0, s.clone());
            }
            (!r.is_empty()).then_some((c.to_ascii_lowercase(), r))
        })
        .collect()
}

/// Pinyin initials of a name: "张三" → "zs". The surname takes its reading as a surname
/// ("曾健" → "zj", "尉迟恭" → "ycg"), other characters their default reading. ASCII letters
/// and digits are kept (lowercase); other characters without a reading are dropped. The
/// input is normalised first.
pub fn pinyin_initials(s: &str) -> String {
    reading_units(&normalize_person_name(s))
        .iter()
        .filter_map(|(_, r)| r[0].chars().next())
        .collect()
}

/// Full pinyin of a name without tones or separators: "张三" → "zhangsan" ("ü" is written
/// "v"). The surname takes its reading as a surname ("曾健" → "zengjian"), other characters
/// their default reading. ASCII letters and digits are kept (lowercase); other characters
/// are dropped.
pub fn pinyin_full(s: &str) -> String {
    reading_units(&normalize_person_name(s))
        .into_iter()
        .map(|(_, mut r)| r.swap_remove(0))
        .collect()
}

/// Appends the first reading of each unit to a sort-key field: letters as themselves, a
/// digit `d` as "1d", anything else (rare non-ASCII pinyin such as "ê") dropped.
fn push_key_field(key: &mut String, units: &[(char, Vec<String>)]) {
    for (_, r) in units {
        for c in r[0].chars() {
            if c.is_ascii_lowercase() {
                key.push(c);
            } else if c.is_ascii_digit() {
                key.push('1');
                key.push(c);
            }
        }
    }
}

/// A sort key for a person's name whose plain byte order sorts names by the surname's
/// pinyin, then the given name's pinyin, then the characters themselves, so that every 陈X
/// (chen) sorts before every 程Y (cheng) and 曾 sorts as zeng.
///
/// Layout: `{surname}0{given}0{utf8}` where `surname` and `given` are the readings (as in
/// [`pinyin_full`]) of the two parts from [`split_surname`], each digit `d` of the name
/// written "1d", and `utf8` is the lowercase hex of the normalised name's UTF-8 bytes
/// (byte order of UTF-8 is code-point order), the final tie-break. Names without a split
/// surname (middle-dot, Latin) use their whole reading as the surname field and an empty
/// given field: 买买提·艾力 → `maimaitiaili00e4b9b0…`. "陈志" → `chen0zhi0e99988e5bf97`.
///
/// Collation safety: the key is stored in a TEXT column and compared by `ORDER BY` on
/// SQLite (binary) and PostgreSQL, whose database collation may be a glibc or ICU locale
/// such as en_US.UTF-8 rather than "C". Such collations ignore spaces and punctuation at
/// the first level (glibc before 2.28, ICU with alternate=shifted), so a space or "!"
/// separator is not safe. The key therefore uses only `[0-9a-z]`: in "C", in glibc
/// en_US/zh_CN and in ICU root/en/zh these are never ignorable, each has its own primary
/// weight, digits sort before letters, and (all lowercase, no accents) the lower levels
/// never decide, so every such collation orders the keys exactly as bytes. The field
/// terminator `0` sorts below every letter and below the `1` that starts an escaped digit,
/// so a shorter field sorts first ("chen0…" < "cheng0…") and concatenation preserves the
/// order of (surname, given, tie-break). Not covered: locales with contractions or
/// reordered letters (cs "ch", da/nb "aa", lt "y", et "z") and ICU numeric ordering
/// (`kn`); order with `COLLATE "C"` there.
pub fn name_sort_key(name: &str) -> String {
    let n = normalize_person_name(name);
    let chars: Vec<char> = n.chars().collect();
    let surname_len = surname_of(&chars).map_or(chars.len(), |(len, _)| len);
    let units = reading_units(&n);
    // Units are the characters with readings, in order; count how many are the surname's.
    let in_surname = chars[..surname_len]
        .iter()
        .filter(|c| !readings(**c).is_empty())
        .count();
    let mut key = String::with_capacity(n.len() * 4);
    let (surname, given) = units.split_at(in_surname);
    push_key_field(&mut key, surname);
    key.push('0');
    push_key_field(&mut key, given);
    key.push('0');
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for b in n.bytes() {
        key.push(char::from(HEX[usize::from(b >> 4)]));
        key.push(char::from(HEX[usize::from(b & 0xf)]));
    }
    key
}

/// Whether a search query matches a name (case-insensitive, both sides normalised):
/// the query is a substring of the name, or a prefix of its pinyin initials ("zs" → 张三),
/// or a prefix of its full pinyin ("zhangs" → 张三). Mixed forms ("zhangs", "zsan", "张s")
/// and alternative readings of polyphonic characters are also accepted; the surname's
/// characters are tried with their surname reading too ("zj" and "cj" both match 曾健).
/// An empty query matches every name.
pub fn name_matches(query: &str, name: &str) -> bool {
    let q: String = normalize_person_name(query).to_lowercase();
    if q.is_empty() {
        return true;
    }
    let n = normalize_person_name(name);
    if n.to_lowercase().contains(&q) {
        return true;
    }
    let units = reading_units(&n);
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

    /// Issue §2: polyphonic surnames take their surname reading in initials and full pinyin.
    #[test]
    fn surname_readings() {
        assert_eq!(pinyin_initials("曾健"), "zj");
        assert_eq!(pinyin_full("曾健"), "zengjian");
        let cases = [
            ("单雄", "sx", "shanxiong"),
            ("解晓", "xx", "xiexiao"),
            ("仇军", "qj", "qiujun"),
            ("区伟", "ow", "ouwei"),
            ("朴正", "pz", "piaozheng"),
            ("查明", "zm", "zhaming"),
            ("盖强", "gq", "geqiang"),
            ("覃刚", "qg", "qingang"),
            ("尉青", "yq", "yuqing"),
            ("乐平", "yp", "yueping"),
            ("缪华", "mh", "miaohua"),
            ("翟勇", "zy", "zhaiyong"),
            ("召兵", "sb", "shaobing"),
            ("华伟", "hw", "huawei"),
            ("任强", "rq", "renqiang"),
            ("种师", "cs", "chongshi"),
            ("秘书", "bs", "bishu"),
            ("繁钦", "pq", "poqin"),
            ("员明", "ym", "yunming"),
            ("纪昀", "jy", "jiyun"),
            ("隗嚣", "wx", "weixiao"),
            ("那英", "ny", "naying"),
            ("卜凡", "bf", "bufan"),
            ("过勇", "gy", "guoyong"),
            ("宁静", "nj", "ningjing"),
            ("长林", "cl", "changlin"),
            ("薄一", "by", "boyi"),
        ];
        for (name, initials, full) in cases {
            assert_eq!(pinyin_initials(name), initials, "{name}");
            assert_eq!(pinyin_full(name), full, "{name}");
        }
        // Every table entry is a real override: its reading differs from the default.
        for (c, r) in SURNAME_READINGS {
            assert_ne!(default_reading(*c).as_deref(), Some(*r), "{c}");
            assert!(readings(*c).contains(&(*r).to_string()), "{c} {r}");
        }
    }

    /// Issue §2: compound surnames, split and read as surnames.
    #[test]
    fn compound_surnames() {
        assert_eq!(pinyin_initials("欧阳修"), "oyx");
        assert_eq!(pinyin_full("欧阳修"), "ouyangxiu");
        assert_eq!(pinyin_initials("尉迟恭"), "ycg");
        assert_eq!(pinyin_full("尉迟恭"), "yuchigong");
        assert_eq!(pinyin_initials("万俟卨"), "mqx");
        assert_eq!(pinyin_full("万俟卨"), "moqixie");
        assert_eq!(pinyin_full("单于飞"), "chanyufei");
        assert_eq!(pinyin_full("长孙无忌"), "zhangsunwuji");
        assert_eq!(pinyin_full("令狐冲"), "linghuchong");
        assert_eq!(pinyin_full("澹台灭明"), "tantaimieming");
        assert_eq!(split_surname("欧阳修"), ("欧阳".to_string(), "修".to_string()));
        assert_eq!(split_surname("歐陽 修"), ("欧阳".to_string(), "修".to_string()));
        assert_eq!(split_surname("司马相如"), ("司马".to_string(), "相如".to_string()));
        assert_eq!(split_surname("万俟卨"), ("万俟".to_string(), "卨".to_string()));
        assert_eq!(split_surname("穀梁赤"), ("谷梁".to_string(), "赤".to_string()));
        // A compound surname needs at least one more character.
        assert_eq!(split_surname("欧阳"), ("欧".to_string(), "阳".to_string()));
        assert_eq!(split_surname("曾健"), ("曾".to_string(), "健".to_string()));
        assert_eq!(split_surname("曾"), ("曾".to_string(), String::new()));
        assert_eq!(split_surname("张三丰"), ("张".to_string(), "三丰".to_string()));
        assert_eq!(split_surname(""), (String::new(), String::new()));
        for (s, r) in COMPOUND_SURNAMES {
            assert_eq!(s.chars().count(), 2, "{s}");
            assert_eq!(normalize_person_name(s), *s, "{s} is not normalised");
            assert!(
                r.iter()
                    .all(|x| !x.is_empty() && x.chars().all(|c| c.is_ascii_lowercase()))
            );
        }
    }

    /// Outside the surname a polyphonic character keeps its default reading.
    #[test]
    fn surname_reading_only_for_the_surname() {
        assert_eq!(pinyin_full("张曾"), "zhangceng");
        assert_eq!(pinyin_full("曾曾"), "zengceng");
        assert_eq!(pinyin_initials("李单"), "ld");
        assert_eq!(pinyin_full("张长孙"), "zhangzhangsun");
        assert!(name_matches("zz", "张曾"));
        assert!(name_matches("zc", "张曾"));
    }

    /// Names with a middle dot or Latin letters have no Han surname to split.
    #[test]
    fn names_without_han_surname() {
        assert_eq!(split_surname("买买提·艾力"), (String::new(), "买买提·艾力".to_string()));
        assert_eq!(split_surname("买买提.艾力"), (String::new(), "买买提·艾力".to_string()));
        assert_eq!(split_surname("John Smith"), (String::new(), "JohnSmith".to_string()));
        assert_eq!(split_surname("A娟"), (String::new(), "A娟".to_string()));
        assert_eq!(split_surname("李Anna"), ("李".to_string(), "Anna".to_string()));
        assert_eq!(pinyin_initials("买买提·艾力"), "mmtal");
        assert_eq!(pinyin_full("李Anna"), "lianna");
        assert_eq!(pinyin_initials("曾Tom"), "ztom");
        assert!(name_matches("mmtal", "买买提·艾力"));
        assert!(name_matches("zengt", "曾Tom"));
    }

    /// Issue §2: users type the surname reading to find a name; other readings still match.
    #[test]
    fn matching_surname_readings() {
        assert!(name_matches("zj", "曾健"));
        assert!(name_matches("zengj", "曾健"));
        assert!(name_matches("cj", "曾健"));
        assert!(name_matches("oyx", "欧阳修"));
        assert!(name_matches("ycg", "尉迟恭"));
        assert!(name_matches("yuchig", "尉迟恭"));
        assert!(name_matches("mq", "万俟卨"));
        assert!(name_matches("moqix", "万俟卨"));
        assert!(name_matches("piaoz", "朴正"));
        assert!(name_matches("xx", "解晓"));
        assert!(name_matches("chongs", "种师"));
        assert!(name_matches("pq", "繁钦"));
        assert!(name_matches("wx", "隗嚣"));
        assert!(name_matches("kx", "隗嚣"));
        assert!(!name_matches("zs", "曾健"));
    }

    /// Issue §2: names sort by surname pinyin, then given-name pinyin, then characters.
    #[test]
    fn sort_by_surname_then_given_name() {
        let names = [
            "程刚",
            "陈志",
            "曾健",
            "张三",
            "陈阿",
            "程安",
            "谌志",
            "陈志",
            "张曾",
            "曾阿",
            "欧阳修",
            "欧伟",
            "长孙无忌",
            "长林",
            "买买提·艾力",
            "麦克",
            "单雄",
            "陈zhi",
            "陈2",
            "John",
            "",
            "陈",
            "沈阳",
        ];
        let mut keyed: Vec<(String, &str)> = names.iter().map(|n| (name_sort_key(n), *n)).collect();
        keyed.sort();
        let sorted: Vec<&str> = keyed.iter().map(|(_, n)| *n).collect();
        assert_eq!(
            sorted,
            [
                "",
                "长林",
                "陈",
                "陈2",
                "陈阿",
                "谌志",
                "陈zhi",
                "陈志",
                "陈志",
                "程安",
                "程刚",
                "John",
                "麦克",
                "买买提·艾力",
                "欧伟",
                "欧阳修",
                "单雄",
                "沈阳",
                "曾阿",
                "曾健",
                "张曾",
                "张三",
                "长孙无忌",
            ]
        );
        // 谌志 and 陈zhi read exactly like 陈志 (chen zhi) and are ordered by code point; every
        // 陈 sorts before every 程, whatever the given names.
        let chen = keyed.iter().rposition(|(_, n)| n.starts_with('陈')).unwrap();
        let cheng = keyed.iter().position(|(_, n)| n.starts_with('程')).unwrap();
        assert!(chen < cheng);
        assert_eq!(name_sort_key("陈志"), "chen0zhi0e99988e5bf97");
        assert_eq!(name_sort_key("陳志"), name_sort_key("陈志"));
    }

    /// The sort key is ASCII [0-9a-z] only, so "C", glibc and ICU collations all order it
    /// as bytes (spaces and punctuation, which some collations ignore, never occur).
    #[test]
    fn sort_key_alphabet() {
        for n in [
            "曾健",
            "买买提·艾力",
            "J.K. Rowling",
            "王2号A",
            "欧阳修",
            "!?",
            "𠀀",
            "嗯欸",
        ] {
            let k = name_sort_key(n);
            assert!(
                k.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_lowercase()),
                "{n}: {k}"
            );
        }
    }
}
