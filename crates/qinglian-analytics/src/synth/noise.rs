//! Noise of real source data: legacy 15-digit ID numbers, wrong check characters, missing IDs,
//! full-width characters, traditional characters in names, company-suffix and bracket variants,
//! stray spaces. Everything except wrong check characters and missing values is undone by the
//! import normalisation; rows that carry planted truth or a hard negative never get those two
//! (`clean`), because such a record cannot be matched reliably.

use rand::Rng;

use super::catalog::TRADITIONAL;

/// Share of ID numbers left empty (only where `clean` is false).
const MISSING: f64 = 0.002;
/// Share of ID numbers or credit codes with a wrong check character (only where `clean` is false).
const BAD_CHECK: f64 = 0.003;
/// Share of ID numbers of people born in 19xx written in the legacy 15-digit form.
const FIFTEEN: f64 = 0.015;
/// Share of identifiers written with full-width characters.
const FULL_WIDTH: f64 = 0.004;
/// Share of identifiers with surrounding spaces.
const SPACES: f64 = 0.003;
/// Share of person names written with traditional characters.
const TRADITIONAL_NAME: f64 = 0.015;
/// Share of names with a stray (full-width or ASCII) space.
const NAME_SPACE: f64 = 0.008;

const ID_CHECK_CHARS: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];
const CREDIT_ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Full-width form of ASCII digits and letters.
pub fn full_width(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                char::from_u32(c as u32 - 0x21 + 0xFF01).unwrap_or(c)
            } else {
                c
            }
        })
        .collect()
}

/// An ID number as a source system would have it; `None` when left empty.
pub fn id_number<R: Rng>(rng: &mut R, id: &str, clean: bool) -> Option<String> {
    let roll: f64 = rng.random();
    if !clean && roll < MISSING {
        return None;
    }
    if !clean && roll < MISSING + BAD_CHECK {
        let correct = id.as_bytes()[17] as char;
        let at = ID_CHECK_CHARS.iter().position(|&c| c == correct).unwrap_or(0);
        let wrong = ID_CHECK_CHARS[(at + rng.random_range(1..11)) % 11];
        return Some(format!("{}{wrong}", &id[..17]));
    }
    let roll = roll - MISSING - BAD_CHECK;
    if (0.0..FIFTEEN).contains(&roll) && &id[6..8] == "19" {
        return Some(format!("{}{}", &id[..6], &id[8..17]));
    }
    if (FIFTEEN..FIFTEEN + FULL_WIDTH).contains(&roll) {
        return Some(full_width(id));
    }
    if (FIFTEEN + FULL_WIDTH..FIFTEEN + FULL_WIDTH + SPACES).contains(&roll) {
        return Some(format!(" {id} "));
    }
    if id.ends_with('X') && rng.random_bool(0.3) {
        return Some(format!("{}x", &id[..17]));
    }
    Some(id.to_string())
}

/// A credit code as a source system would have it.
pub fn credit_code<R: Rng>(rng: &mut R, code: &str, clean: bool) -> String {
    let roll: f64 = rng.random();
    if !clean && roll < BAD_CHECK {
        let correct = code.as_bytes()[17];
        let at = CREDIT_ALPHABET.iter().position(|&c| c == correct).unwrap_or(0);
        let wrong = CREDIT_ALPHABET[(at + rng.random_range(1..31)) % 31] as char;
        return format!("{}{wrong}", &code[..17]);
    }
    let roll = roll - BAD_CHECK;
    if (0.0..FULL_WIDTH).contains(&roll) {
        return full_width(code);
    }
    if (FULL_WIDTH..2.0 * FULL_WIDTH).contains(&roll) {
        return code.to_lowercase();
    }
    if (2.0 * FULL_WIDTH..2.0 * FULL_WIDTH + SPACES).contains(&roll) {
        return format!("{code} ");
    }
    code.to_string()
}

/// A person's name as a source system would have it (traditional characters, stray spaces).
pub fn person_name<R: Rng>(rng: &mut R, name: &str) -> String {
    let roll: f64 = rng.random();
    if roll < TRADITIONAL_NAME {
        return name
            .chars()
            .map(|c| TRADITIONAL.iter().find(|(s, _)| *s == c).map_or(c, |(_, t)| *t))
            .collect();
    }
    if roll < TRADITIONAL_NAME + NAME_SPACE {
        let mut chars = name.chars();
        let first: String = chars.next().into_iter().collect();
        let rest: String = chars.collect();
        let space = if rng.random_bool(0.5) { '\u{3000}' } else { ' ' };
        return format!("{first}{space}{rest}");
    }
    name.to_string()
}

/// A company name as a source system would have it: 有限公司 ↔ 有限责任公司, full-width or
/// ASCII brackets, stray spaces.
pub fn company_name<R: Rng>(rng: &mut R, name: &str) -> String {
    let mut s = name.to_string();
    if rng.random_bool(0.08) {
        s = if s.contains("有限责任公司") {
            s.replace("有限责任公司", "有限公司")
        } else if s.contains("股份有限公司") {
            s
        } else {
            s.replace("有限公司", "有限责任公司")
        };
    }
    org_name(rng, &s)
}

/// An organisation name as a source system would have it: bracket forms and stray spaces.
pub fn org_name<R: Rng>(rng: &mut R, name: &str) -> String {
    let mut s = name.to_string();
    if s.contains('（') && rng.random_bool(0.3) {
        s = s.replace('（', "(").replace('）', ")");
    }
    if rng.random_bool(0.01) {
        s = format!(" {s}");
    }
    s
}

/// A 'YYYY-MM' period as a source system would write it (mostly canonical).
pub fn period<R: Rng>(rng: &mut R, year: i32, month: u32) -> String {
    let roll: f64 = rng.random();
    if roll < 0.003 {
        format!("{year}年{month}月")
    } else if roll < 0.006 {
        format!("{year}{month:02}")
    } else {
        format!("{year}-{month:02}")
    }
}

/// A mobile or landline number as written: hyphens, spaces, "+86".
pub fn phone<R: Rng>(rng: &mut R, digits: &str) -> String {
    let roll: f64 = rng.random();
    if digits.len() == 11 && digits.starts_with('1') {
        if roll < 0.1 {
            return format!("{}-{}-{}", &digits[..3], &digits[3..7], &digits[7..]);
        }
        if roll < 0.15 {
            return format!("+86 {digits}");
        }
    } else if digits.len() > 4 && roll < 0.5 {
        return format!("{}-{}", &digits[..4], &digits[4..]);
    }
    digits.to_string()
}

/// A bank account as written: groups of four digits in 10% of rows.
pub fn account<R: Rng>(rng: &mut R, digits: &str) -> String {
    if rng.random_bool(0.1) {
        let chars: Vec<char> = digits.chars().collect();
        chars
            .chunks(4)
            .map(|c| c.iter().collect::<String>())
            .collect::<Vec<_>>()
            .join(" ")
    } else {
        digits.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::parse;
    use qinglian_domain::names::{normalize_company_name, normalize_person_name};
    use rand::SeedableRng;

    #[test]
    fn noise_is_undone_by_normalisation_except_for_bad_check_and_missing() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let birth = chrono::NaiveDate::from_ymd_opt(1975, 1, 1).unwrap();
        let id = (0..999)
            .map(|seq| qinglian_domain::id_number::generate("430582", birth, seq))
            .find(|id| id.as_str().ends_with('X'))
            .unwrap();
        let id = id.as_str();
        assert_eq!(parse::id_number(&full_width(id)).unwrap(), id);
        let (mut fifteen, mut bad, mut missing) = (0, 0, 0);
        for _ in 0..20_000 {
            match id_number(&mut rng, id, false) {
                None => missing += 1,
                Some(s) => match parse::id_number(s.trim()) {
                    Ok(n) => {
                        assert_eq!(n, id, "{s}");
                        if s.len() == 15 {
                            fifteen += 1;
                        }
                    }
                    Err(_) => bad += 1,
                },
            }
            let c = id_number(&mut rng, id, true).unwrap();
            assert_eq!(parse::id_number(c.trim()).unwrap(), id, "{c}");
        }
        assert!(fifteen > 100 && bad > 20 && missing > 10, "{fifteen} {bad} {missing}");
        let code = qinglian_domain::credit_code::generate("91430582MA4L12345").unwrap();
        for _ in 0..5_000 {
            let c = credit_code(&mut rng, code.as_str(), true);
            assert_eq!(parse::credit_code(c.trim()).unwrap(), code.as_str(), "{c}");
        }
        for _ in 0..2_000 {
            let n = person_name(&mut rng, "陈国华");
            assert_eq!(normalize_person_name(&n), "陈国华", "{n}");
            let c = company_name(&mut rng, "邵东市鑫达建筑工程有限公司（分公司）");
            assert_eq!(normalize_company_name(&c), "邵东市鑫达建筑工程有限公司(分公司)", "{c}");
            let p = period(&mut rng, 2024, 3);
            assert_eq!(parse::period(&p).as_deref(), Some("2024-03"), "{p}");
            assert_eq!(parse::phone(&phone(&mut rng, "13812345678")), "13812345678");
            assert_eq!(
                parse::compact(&account(&mut rng, "6217001234567890123")),
                "6217001234567890123"
            );
        }
    }
}
