//! Resident identity card numbers (公民身份号码, GB 11643-1999; RULES.md §10).
//!
//! Layout: 6-digit region code + 8-digit birth date (YYYYMMDD) + 3-digit sequence (odd =
//! male) + check character (ISO 7064 MOD 11-2). The region code is deliberately not checked
//! against a code list: codes are historical and an old code stays valid on an old card.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

/// Weights of the first 17 digits (GB 11643-1999).
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// Check character for `S mod 11` = 0..=10.
const CHECK_CHARS: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// Earliest accepted birth date (the standard's own test vector 440524188001010014 is born in 1880).
const MIN_BIRTH: (i32, u32, u32) = (1800, 1, 1);
/// Latest accepted birth date.
const MAX_BIRTH: (i32, u32, u32) = (2100, 12, 31);

/// A validated resident ID number, always in the 18-character form with an uppercase `X`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IdNumber(String);

/// Sex encoded by the 17th digit (odd = male).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    /// 男.
    Male,
    /// 女.
    Female,
}

impl Sex {
    /// Chinese label: "男" / "女".
    pub fn label(self) -> &'static str {
        match self {
            Sex::Male => "男",
            Sex::Female => "女",
        }
    }

    /// Stable identifier: "male" / "female".
    pub fn as_str(self) -> &'static str {
        match self {
            Sex::Male => "male",
            Sex::Female => "female",
        }
    }
}

/// Why a string is not a valid resident ID number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdNumberError {
    /// Nothing was entered.
    #[error("身份证号不能为空")]
    Empty,
    /// Neither 18 nor 15 characters.
    #[error("身份证号应为18位（或旧版15位），当前为{0}位")]
    Length(usize),
    /// A character that must be a digit is not (position is 1-based).
    #[error("身份证号第{position}位“{found}”不是数字")]
    NotDigit {
        /// 1-based position of the offending character.
        position: usize,
        /// The character found.
        found: char,
    },
    /// Characters 7–14 are not a real date in the accepted range.
    #[error("身份证号中的出生日期{0}不是有效日期")]
    BirthDate(String),
    /// The 18th character does not match the check computed from the first 17.
    #[error("身份证号第18位校验码应为{expected}，当前为{found}")]
    CheckChar {
        /// The correct check character.
        expected: char,
        /// The character found.
        found: char,
    },
}

/// The check character for the first 17 digits; `None` unless exactly 17 ASCII digits.
pub fn check_char(first17: &str) -> Option<char> {
    let bytes = first17.as_bytes();
    if bytes.len() != 17 || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sum: u32 = bytes.iter().zip(WEIGHTS).map(|(b, w)| u32::from(b - b'0') * w).sum();
    Some(CHECK_CHARS[(sum % 11) as usize])
}

/// Converts a legacy 15-digit ID to 18 characters (insert "19" after the region code, append
/// the check character); `None` unless exactly 15 ASCII digits. The date is not checked.
pub fn upgrade_15(id15: &str) -> Option<String> {
    if id15.len() != 15 || !id15.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let first17 = format!("{}19{}", &id15[..6], &id15[6..]);
    let check = check_char(&first17)?;
    Some(format!("{first17}{check}"))
}

/// Parses YYYYMMDD and checks the accepted birth-date range.
fn birth_from_digits(s: &str) -> Option<NaiveDate> {
    let y: i32 = s.get(0..4)?.parse().ok()?;
    let m: u32 = s.get(4..6)?.parse().ok()?;
    let d: u32 = s.get(6..8)?.parse().ok()?;
    let date = NaiveDate::from_ymd_opt(y, m, d)?;
    let min = NaiveDate::from_ymd_opt(MIN_BIRTH.0, MIN_BIRTH.1, MIN_BIRTH.2)?;
    let max = NaiveDate::from_ymd_opt(MAX_BIRTH.0, MAX_BIRTH.1, MAX_BIRTH.2)?;
    (min..=max).contains(&date).then_some(date)
}

impl IdNumber {
    /// Parses and validates an ID number typed or imported by a user.
    ///
    /// Surrounding whitespace is trimmed; full-width digits and a lowercase `x` are accepted
    /// (NFKC); a legacy 15-digit number is upgraded to 18 characters. The birth date must be
    /// a real date between 1800-01-01 and 2100-12-31 and the check character must match.
    pub fn parse(input: &str) -> Result<IdNumber, IdNumberError> {
        let normalized: String = input.nfkc().collect();
        let s = normalized.trim();
        if s.is_empty() {
            return Err(IdNumberError::Empty);
        }
        let chars: Vec<char> = s.chars().collect();
        match chars.len() {
            15 => {
                if let Some((i, &c)) = chars.iter().enumerate().find(|(_, c)| !c.is_ascii_digit()) {
                    return Err(IdNumberError::NotDigit {
                        position: i + 1,
                        found: c,
                    });
                }
                let birth = format!("19{}", &s[6..12]);
                if birth_from_digits(&birth).is_none() {
                    return Err(IdNumberError::BirthDate(birth));
                }
                let full = upgrade_15(s).expect("15 ASCII digits");
                Ok(IdNumber(full))
            }
            18 => {
                if let Some((i, &c)) = chars[..17].iter().enumerate().find(|(_, c)| !c.is_ascii_digit()) {
                    return Err(IdNumberError::NotDigit {
                        position: i + 1,
                        found: c,
                    });
                }
                let first17 = &s[..17];
                let birth = &s[6..14];
                if birth_from_digits(birth).is_none() {
                    return Err(IdNumberError::BirthDate(birth.to_string()));
                }
                let expected = check_char(first17).expect("17 ASCII digits");
                let found = chars[17].to_ascii_uppercase();
                if found != expected {
                    return Err(IdNumberError::CheckChar {
                        expected,
                        found: chars[17],
                    });
                }
                Ok(IdNumber(format!("{first17}{expected}")))
            }
            n => Err(IdNumberError::Length(n)),
        }
    }

    /// The normalised 18-character form.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The birth date encoded in characters 7–14.
    pub fn birth_date(&self) -> NaiveDate {
        birth_from_digits(&self.0[6..14]).expect("validated on construction")
    }

    /// The sex encoded by the 17th digit (odd = male).
    pub fn sex(&self) -> Sex {
        if (self.0.as_bytes()[16] - b'0') % 2 == 1 {
            Sex::Male
        } else {
            Sex::Female
        }
    }

    /// The 6-digit administrative region code (characters 1–6), as issued.
    pub fn region_code(&self) -> &str {
        &self.0[..6]
    }

    /// The 3-digit sequence code (characters 15–17).
    pub fn sequence(&self) -> &str {
        &self.0[14..17]
    }

    /// Masked form for display to users without full access: "110105********002X".
    pub fn masked(&self) -> String {
        format!("{}********{}", &self.0[..6], &self.0[14..])
    }
}

/// Builds a valid ID number for demo and test data.
///
/// # Panics
/// If `region` is not 6 ASCII digits, `seq` > 999, or `birth` is outside 1800–2100.
pub fn generate(region: &str, birth: NaiveDate, seq: u16) -> IdNumber {
    assert!(
        region.len() == 6 && region.bytes().all(|b| b.is_ascii_digit()),
        "region code must be 6 ASCII digits"
    );
    assert!(seq <= 999, "sequence must be 0..=999");
    let first17 = format!("{region}{}{seq:03}", birth.format("%Y%m%d"));
    let check = check_char(&first17).expect("17 ASCII digits");
    IdNumber::parse(&format!("{first17}{check}")).expect("generated ID is valid")
}

impl fmt::Display for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for IdNumber {
    type Err = IdNumberError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        IdNumber::parse(s)
    }
}

impl TryFrom<String> for IdNumber {
    type Error = IdNumberError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        IdNumber::parse(&s)
    }
}

impl From<IdNumber> for String {
    fn from(id: IdNumber) -> String {
        id.0
    }
}

impl AsRef<str> for IdNumber {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// RULES.md §10: the two published test vectors are valid.
    #[test]
    fn rules_vectors_valid() {
        let a = IdNumber::parse("11010519491231002X").unwrap();
        assert_eq!(a.as_str(), "11010519491231002X");
        assert_eq!(a.birth_date(), NaiveDate::from_ymd_opt(1949, 12, 31).unwrap());
        assert_eq!(a.sex(), Sex::Female);
        assert_eq!(a.region_code(), "110105");
        assert_eq!(a.sequence(), "002");
        assert_eq!(a.masked(), "110105********002X");
        let b = IdNumber::parse("440524188001010014").unwrap();
        assert_eq!(b.birth_date(), NaiveDate::from_ymd_opt(1880, 1, 1).unwrap());
        assert_eq!(b.sex(), Sex::Male);
        assert_eq!(check_char("11010519491231002"), Some('X'));
        assert_eq!(check_char("44052418800101001"), Some('4'));
    }

    /// RULES.md §10: whitespace, full-width digits and lowercase x are accepted.
    #[test]
    fn lenient_input() {
        let a = IdNumber::parse("  １１０１０５１９４９１２３１００２ｘ \u{3000}").unwrap();
        assert_eq!(a.as_str(), "11010519491231002X");
        assert_eq!(IdNumber::parse("11010519491231002x").unwrap(), a);
    }

    /// RULES.md §10: a wrong check character names the right one.
    #[test]
    fn wrong_check_char() {
        let err = IdNumber::parse("110105194912310021").unwrap_err();
        assert_eq!(
            err,
            IdNumberError::CheckChar {
                expected: 'X',
                found: '1'
            }
        );
        assert_eq!(err.to_string(), "身份证号第18位校验码应为X，当前为1");
        let err = IdNumber::parse("44052418800101001X").unwrap_err();
        assert_eq!(
            err,
            IdNumberError::CheckChar {
                expected: '4',
                found: 'X'
            }
        );
    }

    /// RULES.md §10: other malformed inputs get specific Chinese errors.
    #[test]
    fn malformed_inputs() {
        assert_eq!(IdNumber::parse("   ").unwrap_err(), IdNumberError::Empty);
        assert_eq!(IdNumber::parse("12345").unwrap_err(), IdNumberError::Length(5));
        assert_eq!(
            IdNumber::parse("1101051949123100AX").unwrap_err(),
            IdNumberError::NotDigit {
                position: 17,
                found: 'A'
            }
        );
        assert_eq!(
            IdNumber::parse("110105194902300021").unwrap_err(),
            IdNumberError::BirthDate("19490230".into())
        );
        assert_eq!(
            IdNumber::parse("110105179912310021").unwrap_err(),
            IdNumberError::BirthDate("17991231".into())
        );
        assert_eq!(
            IdNumberError::Length(16).to_string(),
            "身份证号应为18位（或旧版15位），当前为16位"
        );
        assert!(IdNumber::parse("1101051949123100?").is_err());
    }

    /// RULES.md §10: a legacy 15-digit ID gets "19" inserted and a computed check character.
    #[test]
    fn legacy_15_digit() {
        assert_eq!(upgrade_15("110105491231002").as_deref(), Some("11010519491231002X"));
        let id = IdNumber::parse("110105491231002").unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
        assert_eq!(upgrade_15("11010549123100"), None);
        assert_eq!(upgrade_15("11010549123100a"), None);
        assert_eq!(
            IdNumber::parse("110105491331002").unwrap_err(),
            IdNumberError::BirthDate("19491331".into())
        );
    }

    /// RULES.md §10: serde goes through validation.
    #[test]
    fn serde_validates() {
        let id: IdNumber = "11010519491231002x".parse().unwrap();
        let s: String = id.clone().into();
        assert_eq!(s, "11010519491231002X");
        assert_eq!(IdNumber::try_from(s).unwrap(), id);
        assert!(IdNumber::try_from("110105194912310021".to_string()).is_err());
        assert_eq!(serde_json::to_string(&id).unwrap(), r#""11010519491231002X""#);
        assert_eq!(serde_json::from_str::<IdNumber>(r#""11010519491231002x""#).unwrap(), id);
        assert!(serde_json::from_str::<IdNumber>(r#""110105194912310021""#).is_err());
        assert_eq!(serde_json::to_string(&Sex::Female).unwrap(), r#""female""#);
    }

    /// RULES.md §10: the demo-data generator makes valid numbers with the given parts.
    #[test]
    fn generate_valid() {
        let birth = NaiveDate::from_ymd_opt(1985, 6, 15).unwrap();
        let id = generate("510104", birth, 7);
        assert_eq!(id.birth_date(), birth);
        assert_eq!(id.region_code(), "510104");
        assert_eq!(id.sex(), Sex::Male);
        assert_eq!(generate("510104", birth, 0).sex(), Sex::Female);
    }

    fn valid_first17() -> impl Strategy<Value = String> {
        (0u32..1_000_000, (1800i32..=2100, 1u32..=12, 1u32..=31), 0u32..1000).prop_filter_map(
            "valid date",
            |(region, (y, m, d), seq)| {
                NaiveDate::from_ymd_opt(y, m, d).map(|date| format!("{region:06}{}{seq:03}", date.format("%Y%m%d")))
            },
        )
    }

    proptest! {
        /// RULES.md §10: any 17 digits with a valid date plus check_char parse and round-trip.
        #[test]
        fn prop_round_trip(first17 in valid_first17()) {
            let c = check_char(&first17).unwrap();
            let full = format!("{first17}{c}");
            let id = IdNumber::parse(&full).unwrap();
            prop_assert_eq!(id.as_str(), full.as_str());
            prop_assert_eq!(IdNumber::parse(&full.to_lowercase()).unwrap(), id.clone());
            prop_assert_eq!(IdNumber::parse(id.as_str()).unwrap(), id);
        }

        /// RULES.md §10: changing any one digit is always detected.
        #[test]
        fn prop_single_digit_change_detected(first17 in valid_first17(), pos in 0usize..18, delta in 1u8..10) {
            let c = check_char(&first17).unwrap();
            let mut bytes = format!("{first17}{c}").into_bytes();
            let old = bytes[pos];
            let new = if old == b'X' {
                b'0' + (delta % 10)
            } else {
                let v = (old - b'0' + delta) % 10;
                b'0' + v
            };
            prop_assume!(new != old);
            bytes[pos] = new;
            let changed = String::from_utf8(bytes).unwrap();
            prop_assert!(IdNumber::parse(&changed).is_err());
        }

        /// RULES.md §10: an upgraded 15-digit ID keeps region, date and sequence.
        #[test]
        fn prop_upgrade_15(region in 0u32..1_000_000, (m, d) in (1u32..=12, 1u32..=28), yy in 0u32..100, seq in 0u32..1000) {
            let id15 = format!("{region:06}{yy:02}{m:02}{d:02}{seq:03}");
            let id = IdNumber::parse(&id15).unwrap();
            prop_assert_eq!(&id.as_str()[..6], &id15[..6]);
            prop_assert_eq!(&id.as_str()[6..8], "19");
            prop_assert_eq!(&id.as_str()[8..17], &id15[6..15]);
        }
    }
}
