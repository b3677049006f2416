//! The `--settings FILE.ini` format of Cardinal's `indicators` command.
//!
//! Cardinal reads the file with the `config` crate (INI flavour of `rust-ini`): keys before the first
//! section are global settings, `[R024]`-style sections enable and configure one indicator each (an
//! empty section enables an indicator with its defaults), `[R003.procurement_method_details]` is a
//! nested table, and unknown sections or keys are errors. Comments are whole lines starting with `;`
//! or `#`; there are no inline comments. Sections of Cardinal's `prepare` command are accepted and
//! ignored, so one settings file serves both commands.

use std::collections::HashMap;

use crate::Error;

/// Settings of one indicator that takes only an optional decimal `threshold` (R024, R058).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FloatThreshold {
    /// Fixed fence overriding the one computed from quartiles.
    pub threshold: Option<f64>,
}

/// Settings of R003 (short submission period).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct R003Settings {
    /// Minimum submission period in days (default 15).
    pub threshold: Option<i64>,
    /// Pipe-separated `tender/procurementMethod` values to consider (default: all).
    pub procurement_methods: Option<String>,
    /// Per `tender/procurementMethodDetails` thresholds in days.
    pub procurement_method_details: Option<HashMap<String, i64>>,
}

/// Settings of R018 (single bid received).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct R018Settings {
    /// Pipe-separated `tender/procurementMethod` values to consider (default `open|selective`).
    pub procurement_methods: Option<String>,
}

/// Settings of R025 (excessive unsuccessful bids).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct R025Settings {
    /// Percentile of the number of processes a tenderer must reach (default 75).
    pub percentile: Option<usize>,
    /// Fixed lower fence for the win ratio.
    pub threshold: Option<f64>,
}

/// Settings of R035 (all except winning bid disqualified).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct R035Settings {
    /// Minimum number of tenderers with disqualified bids (default 1).
    pub threshold: Option<usize>,
}

/// Settings of R038 (excessive disqualified bids).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct R038Settings {
    /// Fixed upper fence for the disqualification ratio.
    pub threshold: Option<f64>,
    /// Tenderers with fewer submitted bids are excluded (default 2).
    pub minimum_submitted_bids: Option<usize>,
    /// Buyers and procuring entities with fewer contracting processes are excluded (default 2).
    pub minimum_contracting_processes: Option<usize>,
}

/// Settings of R048 (heterogeneous supplier).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct R048Settings {
    /// Number of leading characters of the item classification to compare (default 2).
    pub digits: Option<usize>,
    /// Fixed upper fence for the number of distinct classifications.
    pub threshold: Option<usize>,
    /// Suppliers awarded in fewer contracting processes are excluded (default 20).
    pub minimum_contracting_processes: Option<usize>,
}

/// Parsed settings file; an indicator runs only if its section is present.
#[allow(non_snake_case)]
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Settings {
    /// Currency of the amounts to compare; default: the first currency observed.
    pub currency: Option<String>,
    /// Pipe-separated `procurementMethodDetails` for which prices are not compared (deny list).
    pub no_price_comparison_procurement_methods: Option<String>,
    /// Pipe-separated `procurementMethodDetails` for which prices are compared (allow list).
    pub price_comparison_procurement_methods: Option<String>,
    /// `[exclusions] procurement_method_details`: pipe-separated values whose processes are skipped.
    pub exclusions_procurement_method_details: Option<String>,
    /// `[R003]`.
    pub R003: Option<R003Settings>,
    /// `[R018]`.
    pub R018: Option<R018Settings>,
    /// `[R024]`.
    pub R024: Option<FloatThreshold>,
    /// `[R025]`.
    pub R025: Option<R025Settings>,
    /// `[R028]`.
    pub R028: Option<()>,
    /// `[R030]`.
    pub R030: Option<()>,
    /// `[R035]`.
    pub R035: Option<R035Settings>,
    /// `[R036]`.
    pub R036: Option<()>,
    /// `[R038]`.
    pub R038: Option<R038Settings>,
    /// `[R048]`.
    pub R048: Option<R048Settings>,
    /// `[R058]`.
    pub R058: Option<FloatThreshold>,
}

/// Keys accepted (and ignored) in sections that belong to Cardinal's `prepare` command.
const PREPARE_SECTIONS: &[(&str, &[&str])] = &[
    (
        "defaults",
        &[
            "currency",
            "item_classification_scheme",
            "bid_status",
            "award_status",
            "party_roles",
        ],
    ),
    ("redactions", &["amount", "organization_id"]),
    ("corrections", &["award_status_by_contract_status"]),
    (
        "modifications",
        &[
            "move_auctions",
            "prefix_buyer_or_procuring_entity_id",
            "prefix_tenderer_or_supplier_id",
            "split_procurement_method_details",
        ],
    ),
];

fn invalid(section: &str, key: &str, value: &str, expected: &str) -> Error {
    let place = if section.is_empty() {
        key.to_owned()
    } else {
        format!("[{section}] {key}")
    };
    Error::Settings(format!("设置项 {place} 的值“{value}”无效：应为{expected}"))
}

fn float(section: &str, key: &str, value: &str) -> Result<f64, Error> {
    value.parse::<f64>().map_err(|_| invalid(section, key, value, "数值"))
}

fn unsigned(section: &str, key: &str, value: &str) -> Result<usize, Error> {
    value
        .parse::<usize>()
        .map_err(|_| invalid(section, key, value, "非负整数"))
}

fn integer(section: &str, key: &str, value: &str) -> Result<i64, Error> {
    value.parse::<i64>().map_err(|_| invalid(section, key, value, "整数"))
}

fn unknown_key(section: &str, key: &str) -> Error {
    if section.is_empty() {
        Error::Settings(format!("未知的全局设置项 {key}"))
    } else {
        Error::Settings(format!("设置节 [{section}] 中有未知的设置项 {key}"))
    }
}

/// Strips one pair of matching surrounding quotes, as `rust-ini` does.
fn unquote(value: &str) -> &str {
    let bytes = value.as_bytes();
    if bytes.len() >= 2 && (bytes[0] == b'"' || bytes[0] == b'\'') && bytes[bytes.len() - 1] == bytes[0] {
        &value[1..value.len() - 1]
    } else {
        value
    }
}

impl Settings {
    /// Parses the INI text of a Cardinal settings file; errors name the offending section and key.
    pub fn from_ini(text: &str) -> Result<Settings, Error> {
        let mut settings = Settings::default();
        let mut section: Option<String> = None;
        for (index, raw) in text.lines().enumerate() {
            let line_number = index + 1;
            let line = raw.trim();
            if line.is_empty() || line.starts_with(';') || line.starts_with('#') {
                continue;
            }
            if let Some(rest) = line.strip_prefix('[') {
                let Some(name) = rest.strip_suffix(']') else {
                    return Err(Error::Settings(format!(
                        "第 {line_number} 行的设置节标题缺少“]”：{line}"
                    )));
                };
                let name = name.trim().to_owned();
                settings.open_section(&name)?;
                section = Some(name);
                continue;
            }
            let Some(position) = line.find(['=', ':']) else {
                return Err(Error::Settings(format!(
                    "第 {line_number} 行不是“键 = 值”的格式：{line}"
                )));
            };
            let key = line[..position].trim();
            let value = unquote(line[position + 1..].trim());
            if key.is_empty() {
                return Err(Error::Settings(format!("第 {line_number} 行缺少设置项名称：{line}")));
            }
            settings.set(section.as_deref().unwrap_or(""), key, value)?;
        }
        Ok(settings)
    }

    /// Records that a section is present (which enables an indicator), validating its name.
    fn open_section(&mut self, name: &str) -> Result<(), Error> {
        match name {
            "R003" => _ = self.R003.get_or_insert_default(),
            "R003.procurement_method_details" => {
                _ = self
                    .R003
                    .get_or_insert_default()
                    .procurement_method_details
                    .get_or_insert_default()
            }
            "R018" => _ = self.R018.get_or_insert_default(),
            "R024" => _ = self.R024.get_or_insert_default(),
            "R025" => _ = self.R025.get_or_insert_default(),
            "R028" => self.R028 = Some(()),
            "R030" => self.R030 = Some(()),
            "R035" => _ = self.R035.get_or_insert_default(),
            "R036" => self.R036 = Some(()),
            "R038" => _ = self.R038.get_or_insert_default(),
            "R048" => _ = self.R048.get_or_insert_default(),
            "R058" => _ = self.R058.get_or_insert_default(),
            "exclusions" | "codelists.bid_status" | "codelists.award_status" => {}
            _ if PREPARE_SECTIONS.iter().any(|(section, _)| *section == name) => {}
            _ => return Err(Error::Settings(format!("未知的设置节 [{name}]"))),
        }
        Ok(())
    }

    /// Applies one `key = value` line of `section` ("" for global keys).
    fn set(&mut self, section: &str, key: &str, value: &str) -> Result<(), Error> {
        let s = section;
        match (section, key) {
            ("", "currency") => self.currency = Some(value.to_owned()),
            ("", "no_price_comparison_procurement_methods") => {
                self.no_price_comparison_procurement_methods = Some(value.to_owned())
            }
            ("", "price_comparison_procurement_methods") => {
                self.price_comparison_procurement_methods = Some(value.to_owned())
            }
            ("exclusions", "procurement_method_details") => {
                self.exclusions_procurement_method_details = Some(value.to_owned())
            }
            ("R003", "threshold") => self.r003().threshold = Some(integer(s, key, value)?),
            ("R003", "procurement_methods") => self.r003().procurement_methods = Some(value.to_owned()),
            ("R003.procurement_method_details", _) => {
                let days = integer(s, key, value)?;
                self.r003()
                    .procurement_method_details
                    .get_or_insert_default()
                    .insert(key.to_owned(), days);
            }
            ("R018", "procurement_methods") => {
                self.R018.get_or_insert_default().procurement_methods = Some(value.to_owned())
            }
            ("R024", "threshold") => self.R024.get_or_insert_default().threshold = Some(float(s, key, value)?),
            ("R025", "percentile") => self.R025.get_or_insert_default().percentile = Some(unsigned(s, key, value)?),
            ("R025", "threshold") => self.R025.get_or_insert_default().threshold = Some(float(s, key, value)?),
            ("R035", "threshold") => self.R035.get_or_insert_default().threshold = Some(unsigned(s, key, value)?),
            ("R038", "threshold") => self.R038.get_or_insert_default().threshold = Some(float(s, key, value)?),
            ("R038", "minimum_submitted_bids") => {
                self.R038.get_or_insert_default().minimum_submitted_bids = Some(unsigned(s, key, value)?)
            }
            ("R038", "minimum_contracting_processes") => {
                self.R038.get_or_insert_default().minimum_contracting_processes = Some(unsigned(s, key, value)?)
            }
            ("R048", "digits") => self.R048.get_or_insert_default().digits = Some(unsigned(s, key, value)?),
            ("R048", "threshold") => self.R048.get_or_insert_default().threshold = Some(unsigned(s, key, value)?),
            ("R048", "minimum_contracting_processes") => {
                self.R048.get_or_insert_default().minimum_contracting_processes = Some(unsigned(s, key, value)?)
            }
            ("R058", "threshold") => self.R058.get_or_insert_default().threshold = Some(float(s, key, value)?),
            ("codelists.bid_status" | "codelists.award_status", _) => {}
            _ if PREPARE_SECTIONS
                .iter()
                .any(|(name, keys)| *name == section && keys.contains(&key)) => {}
            _ => return Err(unknown_key(section, key)),
        }
        Ok(())
    }

    fn r003(&mut self) -> &mut R003Settings {
        self.R003.get_or_insert_default()
    }

    /// Settings with every indicator enabled at its defaults (like an uncommented `ocdscardinal init` file).
    pub fn all_indicators() -> Settings {
        Settings {
            R003: Some(R003Settings::default()),
            R018: Some(R018Settings::default()),
            R024: Some(FloatThreshold::default()),
            R025: Some(R025Settings::default()),
            R028: Some(()),
            R030: Some(()),
            R035: Some(R035Settings::default()),
            R036: Some(()),
            R038: Some(R038Settings::default()),
            R048: Some(R048Settings::default()),
            R058: Some(FloatThreshold::default()),
            ..Settings::default()
        }
    }
}
