//! The result of the `indicators` command, serialising to Cardinal's JSON structure.

use indexmap::IndexMap;
use rustc_hash::FxBuildHasher;
use serde::ser::{Serialize, SerializeMap, Serializer};

/// A map keeping insertion order with a fast hasher.
pub type FxIndexMap<K, V> = IndexMap<K, V, FxBuildHasher>;

/// The kind of subject a result is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Group {
    /// A contracting process (`ocid`).
    OCID,
    /// `buyer/id`.
    Buyer,
    /// `tender/procuringEntity/id`.
    ProcuringEntity,
    /// `bids/details[]/tenderers[]/id` or `awards[]/suppliers[]/id`.
    Tenderer,
}

impl Group {
    /// The JSON key Cardinal uses for the group.
    pub fn as_str(self) -> &'static str {
        match self {
            Group::OCID => "OCID",
            Group::Buyer => "Buyer",
            Group::ProcuringEntity => "ProcuringEntity",
            Group::Tenderer => "Tenderer",
        }
    }
}

/// A red-flag indicator code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Indicator {
    /// Short submission period.
    R003,
    /// Single bid received.
    R018,
    /// Price close to winning bid.
    R024,
    /// Excessive unsuccessful bids.
    R025,
    /// Identical bid prices.
    R028,
    /// Late bid won.
    R030,
    /// All except winning bid disqualified.
    R035,
    /// Lowest bid disqualified.
    R036,
    /// Excessive disqualified bids.
    R038,
    /// Heterogeneous supplier.
    R048,
    /// Heavily discounted bid.
    R058,
}

impl Indicator {
    /// All indicators, in code order.
    pub const ALL: [Indicator; 11] = [
        Indicator::R003,
        Indicator::R018,
        Indicator::R024,
        Indicator::R025,
        Indicator::R028,
        Indicator::R030,
        Indicator::R035,
        Indicator::R036,
        Indicator::R038,
        Indicator::R048,
        Indicator::R058,
    ];

    /// The code, e.g. `"R024"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Indicator::R003 => "R003",
            Indicator::R018 => "R018",
            Indicator::R024 => "R024",
            Indicator::R025 => "R025",
            Indicator::R028 => "R028",
            Indicator::R030 => "R030",
            Indicator::R035 => "R035",
            Indicator::R036 => "R036",
            Indicator::R038 => "R038",
            Indicator::R048 => "R048",
            Indicator::R058 => "R058",
        }
    }
}

/// The indicator values of one subject (`{"R024": 0.01, "R035": 2.0}`).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Values([Option<f64>; 11]);

impl Values {
    /// The value of one indicator, if it flagged this subject.
    pub fn get(&self, indicator: Indicator) -> Option<f64> {
        self.0[indicator as usize]
    }

    /// Sets the value of one indicator.
    pub fn set(&mut self, indicator: Indicator, value: f64) {
        self.0[indicator as usize] = Some(value);
    }

    /// The flagged indicators and their values, in code order.
    pub fn iter(&self) -> impl Iterator<Item = (Indicator, f64)> + '_ {
        Indicator::ALL
            .iter()
            .filter_map(|&indicator| self.get(indicator).map(|value| (indicator, value)))
    }
}

impl Serialize for Values {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        for (indicator, value) in self.iter() {
            map.serialize_entry(indicator.as_str(), &value)?;
        }
        map.end()
    }
}

/// Results of the indicators: groups of flagged subjects, plus Cardinal's "Meta" (quartiles and fences).
#[derive(Clone, Debug, Default)]
pub struct IndicatorsResult {
    /// Non-empty groups, in the order Cardinal prints them.
    pub results: IndexMap<Group, FxIndexMap<String, Values>>,
    /// Quartiles and fences per indicator (`None` with `--no-meta`); values are rounded to 4 decimals on output.
    pub meta: Option<IndexMap<Indicator, IndexMap<String, f64>>>,
    /// Warnings about skipped input lines (Cardinal logs these to standard error).
    pub warnings: Vec<String>,
}

impl IndicatorsResult {
    /// The result as a JSON value with the same structure as Cardinal's output.
    pub fn to_value(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }

    /// The lines `--count` prints to standard error (`OCID: 12`), one per group.
    pub fn count_lines(&self) -> Vec<String> {
        self.results
            .iter()
            .map(|(group, subjects)| format!("{}: {}", group.as_str(), subjects.len()))
            .collect()
    }
}

/// Serialises a meta value rounded to 4 decimals, as Cardinal does (NaN becomes `null`).
struct Rounded(f64);

impl Serialize for Rounded {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_f64((self.0 * 10_000.0).round() / 10_000.0)
    }
}

struct MetaEntries<'a>(&'a IndexMap<String, f64>);

impl Serialize for MetaEntries<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (key, value) in self.0 {
            map.serialize_entry(key, &Rounded(*value))?;
        }
        map.end()
    }
}

struct Subjects<'a>(&'a FxIndexMap<String, Values>);

impl Serialize for Subjects<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (id, values) in self.0 {
            map.serialize_entry(id, values)?;
        }
        map.end()
    }
}

struct Meta<'a>(&'a IndexMap<Indicator, IndexMap<String, f64>>);

impl Serialize for Meta<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (indicator, entries) in self.0 {
            map.serialize_entry(indicator.as_str(), &MetaEntries(entries))?;
        }
        map.end()
    }
}

impl Serialize for IndicatorsResult {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        for (group, subjects) in &self.results {
            map.serialize_entry(group.as_str(), &Subjects(subjects))?;
        }
        if let Some(meta) = &self.meta {
            map.serialize_entry("Meta", &Meta(meta))?;
        }
        map.end()
    }
}
