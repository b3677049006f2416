//! Unified social credit codes (统一社会信用代码, GB 32100-2015; RULES.md §10).
//!
//! 18 characters from a 31-symbol alphabet (0-9 and A-Y without I, O, S, V, Z): registration
//! authority (1), organisation type (2), region code (3–8), organisation code (9–17) and a
//! check character (18).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

/// The 31 symbols in value order (value = index).
const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
/// Weights of characters 1–17.
const WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/// A validated unified social credit code, uppercase.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CreditCode(String);

/// Why a string is not a valid unified social credit code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CreditCodeError {
    /// Nothing was entered.
    #[error("统一社会信用代码不能为空")]
    Empty,
    /// Not 18 characters.
    #[error("统一社会信用代码应为18位，当前为{0}位")]
    Length(usize),
    /// A character outside the 31-symbol alphabet (position is 1-based).
    #[error("统一社会信用代码第{position}位“{found}”不是有效字符；只能是数字和除I、O、S、V、Z以外的大写字母")]
    InvalidChar {
        /// 1-based position of the offending character.
        position: usize,
        /// The character found.
        found: char,
    },
    /// The 18th character does not match the check computed from the first 17.
    #[error("统一社会信用代码第18位校验码应为{expected}，当前为{found}")]
    CheckChar {
        /// The correct check character.
        expected: char,
        /// The character found.
        found: char,
    },
}

fn value_of(c: char) -> Option<u32> {
    if !c.is_ascii() {
        return None;
    }
    ALPHABET.iter().position(|&b| b == c as u8).map(|p| p as u32)
}

/// The check character for the first 17 characters; `None` unless 17 alphabet symbols
/// (uppercase).
pub fn check_char(first17: &str) -> Option<char> {
    let chars: Vec<char> = first17.chars().collect();
    if chars.len() != 17 {
        return None;
    }
    let mut sum = 0u32;
    for (c, w) in chars.into_iter().zip(WEIGHTS) {
        sum += value_of(c)? * w;
    }
    let check = (31 - sum % 31) % 31;
    Some(char::from(ALPHABET[check as usize]))
}

/// Builds a valid code from 17 symbols by appending the check character; `None` if invalid.
pub fn generate(first17: &str) -> Option<CreditCode> {
    let upper = first17.to_ascii_uppercase();
    let check = check_char(&upper)?;
    Some(CreditCode(format!("{upper}{check}")))
}

impl CreditCode {
    /// Parses and validates a code typed or imported by a user (trimmed, NFKC, uppercased).
    pub fn parse(input: &str) -> Result<CreditCode, CreditCodeError> {
        let normalized: String = input.nfkc().collect();
        let s = normalized.trim().to_uppercase();
        if s.is_empty() {
            return Err(CreditCodeError::Empty);
        }
        let chars: Vec<char> = s.chars().collect();
        if chars.len() != 18 {
            return Err(CreditCodeError::Length(chars.len()));
        }
        if let Some((i, &c)) = chars[..17].iter().enumerate().find(|(_, c)| value_of(**c).is_none()) {
            return Err(CreditCodeError::InvalidChar {
                position: i + 1,
                found: c,
            });
        }
        let expected = check_char(&s[..17]).expect("17 valid symbols");
        if chars[17] != expected {
            return Err(CreditCodeError::CheckChar {
                expected,
                found: chars[17],
            });
        }
        Ok(CreditCode(s))
    }

    /// The normalised 18-character form.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Characters 3–8: the administrative region code of the registration authority.
    pub fn region_code(&self) -> &str {
        &self.0[2..8]
    }

    /// Characters 9–17: the old organisation code (组织机构代码) body.
    pub fn organization_code(&self) -> &str {
        &self.0[8..17]
    }
}

impl fmt::Display for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for CreditCode {
    type Err = CreditCodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CreditCode::parse(s)
    }
}

impl TryFrom<String> for CreditCode {
    type Error = CreditCodeError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        CreditCode::parse(&s)
    }
}

impl From<CreditCode> for String {
    fn from(c: CreditCode) -> String {
        c.0
    }
}

impl AsRef<str> for CreditCode {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// RULES.md §10: the published example is valid.
    #[test]
    fn rules_vector_valid() {
        let c = CreditCode::parse("91512081MA62K0260E").unwrap();
        assert_eq!(c.as_str(), "91512081MA62K0260E");
        assert_eq!(c.region_code(), "512081");
        assert_eq!(c.organization_code(), "MA62K0260");
        assert_eq!(check_char("91512081MA62K0260"), Some('E'));
        assert_eq!(CreditCode::parse(" ９１５１２０８１ma62k0260e ").unwrap(), c);
        assert_eq!(generate("91512081ma62k0260"), Some(c));
    }

    /// RULES.md §10: a wrong check character names the right one, in Chinese.
    #[test]
    fn wrong_check_char() {
        let err = CreditCode::parse("91512081MA62K0260F").unwrap_err();
        assert_eq!(
            err,
            CreditCodeError::CheckChar {
                expected: 'E',
                found: 'F'
            }
        );
        assert_eq!(err.to_string(), "统一社会信用代码第18位校验码应为E，当前为F");
    }

    /// RULES.md §10: letters I, O, S, V, Z and wrong lengths are rejected.
    #[test]
    fn malformed() {
        assert_eq!(CreditCode::parse("").unwrap_err(), CreditCodeError::Empty);
        assert_eq!(
            CreditCode::parse("91512081MA62K026").unwrap_err(),
            CreditCodeError::Length(16)
        );
        for bad in ['I', 'O', 'S', 'V', 'Z'] {
            let s = format!("91512081M{bad}62K0260E");
            assert_eq!(
                CreditCode::parse(&s).unwrap_err(),
                CreditCodeError::InvalidChar {
                    position: 10,
                    found: bad
                }
            );
        }
        assert!(CreditCode::parse("91512081MA62K0260I").is_err());
        assert_eq!(check_char("91512081MA62K026"), None);
        assert_eq!(check_char("91512081MA62K026O"), None);
    }

    /// RULES.md §10: serde goes through validation.
    #[test]
    fn serde_validates() {
        assert!(CreditCode::try_from("91512081MA62K0260F".to_string()).is_err());
        let c = CreditCode::try_from("91512081MA62K0260E".to_string()).unwrap();
        assert_eq!(String::from(c), "91512081MA62K0260E");
    }

    fn symbols17() -> impl Strategy<Value = String> {
        proptest::collection::vec(0usize..31, 17).prop_map(|v| v.into_iter().map(|i| char::from(ALPHABET[i])).collect())
    }

    proptest! {
        /// RULES.md §10: generated codes parse and round-trip.
        #[test]
        fn prop_round_trip(first17 in symbols17()) {
            let c = generate(&first17).unwrap();
            prop_assert_eq!(CreditCode::parse(c.as_str()).unwrap(), c);
        }

        /// RULES.md §10: changing one symbol is always detected.
        #[test]
        fn prop_single_change_detected(first17 in symbols17(), pos in 0usize..18, delta in 1usize..31) {
            let c = generate(&first17).unwrap();
            let mut chars: Vec<char> = c.as_str().chars().collect();
            let old = value_of(chars[pos]).unwrap() as usize;
            chars[pos] = char::from(ALPHABET[(old + delta) % 31]);
            let changed: String = chars.into_iter().collect();
            prop_assert!(CreditCode::parse(&changed).is_err());
        }
    }
}
