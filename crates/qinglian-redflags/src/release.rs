//! Minimal, lenient view of an OCDS compiled release: only the fields the indicators read.
//!
//! Cardinal reads releases as untyped JSON and treats a field of the wrong type exactly like a
//! missing one. These types do the same while parsing: a wrong-typed value becomes `None` instead of
//! an error, unknown fields are skipped without being built, strings borrow from the input line when
//! they have no escapes, and a repeated key keeps its last value (as `serde_json::Value` does).

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// A JSON string (borrowed when possible); `None` for any other JSON type or when absent.
pub type Str<'a> = Option<Cow<'a, str>>;

/// A JSON array whose elements are objects of type `T` (`None` for non-object elements).
pub type Array<T> = Option<Vec<Option<T>>>;

/// An organization reference (`buyer`, `procuringEntity`, `tenderers[]`, `suppliers[]`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Party<'a> {
    /// `id`, when it is a JSON string.
    pub id: Str<'a>,
}

/// `tender/tenderPeriod`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Period<'a> {
    /// `startDate`.
    pub start_date: Str<'a>,
    /// `endDate`.
    pub end_date: Str<'a>,
}

/// `tender`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Tender<'a> {
    /// `status`.
    pub status: Str<'a>,
    /// `procurementMethod`.
    pub procurement_method: Str<'a>,
    /// `procurementMethodDetails`.
    pub procurement_method_details: Str<'a>,
    /// `numberOfTenderers`, when it is a JSON number; `Some(None)` for numbers that are not a `u64`.
    pub number_of_tenderers: Option<Option<u64>>,
    /// `tenderPeriod`.
    pub tender_period: Option<Period<'a>>,
    /// `procuringEntity`.
    pub procuring_entity: Option<Party<'a>>,
}

/// A bid or award `value`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Amount<'a> {
    /// `amount`, when it is a JSON number.
    pub amount: Option<f64>,
    /// `currency`.
    pub currency: Str<'a>,
}

/// `bids/details[]`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Bid<'a> {
    /// `status`.
    pub status: Str<'a>,
    /// `date`.
    pub date: Str<'a>,
    /// `value`.
    pub value: Option<Amount<'a>>,
    /// `tenderers`.
    pub tenderers: Array<Party<'a>>,
}

/// `bids`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Bids<'a> {
    /// `details`.
    pub details: Array<Bid<'a>>,
}

/// `awards[]/items[]/classification`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Classification<'a> {
    /// `id`.
    pub id: Str<'a>,
}

/// `awards[]/items[]`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Item<'a> {
    /// `classification`.
    pub classification: Option<Classification<'a>>,
}

/// `awards[]`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Award<'a> {
    /// `status`.
    pub status: Str<'a>,
    /// `suppliers`.
    pub suppliers: Array<Party<'a>>,
    /// `items`.
    pub items: Array<Item<'a>>,
}

/// An OCDS compiled release, reduced to what the red-flag indicators read.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Release<'a> {
    /// `ocid`; releases without a string `ocid` are skipped, as in Cardinal.
    pub ocid: Str<'a>,
    /// `buyer`.
    pub buyer: Option<Party<'a>>,
    /// `tender`.
    pub tender: Option<Tender<'a>>,
    /// `bids`.
    pub bids: Option<Bids<'a>>,
    /// `awards`.
    pub awards: Array<Award<'a>>,
}

impl<'a> Release<'a> {
    /// Parses one JSON line; `Ok(None)` when it is valid JSON but not an object (Cardinal skips those).
    pub fn from_json(line: &'a str) -> Result<Option<Release<'a>>, serde_json::Error> {
        let mut deserializer = serde_json::Deserializer::from_str(line);
        let release = Lenient::<Release<'a>>::deserialize(&mut deserializer)?.0;
        deserializer.end()?;
        Ok(release)
    }
}

/// A value deserialized leniently: `None` when the JSON type does not fit.
struct Lenient<T>(Option<T>);

/// Types that can be read leniently from any JSON value.
trait FromJson<'de>: Sized {
    fn from_json<D: Deserializer<'de>>(deserializer: D) -> Result<Option<Self>, D::Error>;
}

impl<'de, T: FromJson<'de>> Deserialize<'de> for Lenient<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::from_json(deserializer).map(Lenient)
    }
}

/// Generates a visitor that returns `None` for every JSON type except the listed ones.
macro_rules! ignore_other_types {
    ($($method:ident($($ty:ty)?)),* $(,)?) => {
        $(
            fn $method<E: de::Error>(self $(, _: $ty)?) -> Result<Self::Value, E> {
                Ok(None)
            }
        )*
    };
}

struct StrVisitor;

impl<'de> Visitor<'de> for StrVisitor {
    type Value = Option<Cow<'de, str>>;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("any JSON value")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Some(Cow::Borrowed(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(Cow::Owned(v.to_owned())))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Some(Cow::Owned(v)))
    }

    ignore_other_types!(
        visit_bool(bool),
        visit_i64(i64),
        visit_u64(u64),
        visit_f64(f64),
        visit_unit(),
        visit_none()
    );

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(None)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(None)
    }
}

impl<'de> FromJson<'de> for Cow<'de, str> {
    fn from_json<D: Deserializer<'de>>(deserializer: D) -> Result<Option<Self>, D::Error> {
        deserializer.deserialize_any(StrVisitor)
    }
}

/// A JSON number as `f64` (Cardinal: `Value::Number` then `as_f64`).
struct F64Visitor;

impl<'de> Visitor<'de> for F64Visitor {
    type Value = Option<f64>;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("any JSON value")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(v as f64))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(v as f64))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Some(v))
    }

    ignore_other_types!(visit_bool(bool), visit_str(&str), visit_unit(), visit_none());

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(None)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(None)
    }
}

impl<'de> FromJson<'de> for f64 {
    fn from_json<D: Deserializer<'de>>(deserializer: D) -> Result<Option<Self>, D::Error> {
        deserializer.deserialize_any(F64Visitor)
    }
}

/// A JSON number as `Some(as_u64())`, `None` for non-numbers (Cardinal: `Value::Number` then `as_u64`).
struct U64Visitor;

impl<'de> Visitor<'de> for U64Visitor {
    type Value = Option<Option<u64>>;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("any JSON value")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(u64::try_from(v).ok()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(Some(v)))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Some(None))
    }

    ignore_other_types!(visit_bool(bool), visit_str(&str), visit_unit(), visit_none());

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(None)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(None)
    }
}

impl<'de> FromJson<'de> for Option<u64> {
    fn from_json<D: Deserializer<'de>>(deserializer: D) -> Result<Option<Self>, D::Error> {
        deserializer.deserialize_any(U64Visitor)
    }
}

/// A JSON array of lenient elements.
struct VecVisitor<T>(PhantomData<T>);

impl<'de, T: FromJson<'de>> Visitor<'de> for VecVisitor<T> {
    type Value = Option<Vec<Option<T>>>;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("any JSON value")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut elements = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(Lenient(element)) = seq.next_element::<Lenient<T>>()? {
            elements.push(element);
        }
        Ok(Some(elements))
    }

    ignore_other_types!(
        visit_bool(bool),
        visit_i64(i64),
        visit_u64(u64),
        visit_f64(f64),
        visit_str(&str),
        visit_unit(),
        visit_none()
    );

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(None)
    }
}

impl<'de, T: FromJson<'de>> FromJson<'de> for Vec<Option<T>> {
    fn from_json<D: Deserializer<'de>>(deserializer: D) -> Result<Option<Self>, D::Error> {
        deserializer.deserialize_any(VecVisitor::<T>(PhantomData))
    }
}

/// Object keys, borrowed when possible.
struct Key<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
                formatter.write_str("a string key")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

/// Reads one field value leniently into `slot` (a repeated key overwrites, like `serde_json::Value`).
fn read_field<'de, A: MapAccess<'de>, T: FromJson<'de>>(map: &mut A, slot: &mut Option<T>) -> Result<(), A::Error> {
    *slot = map.next_value_seed(LenientSeed::<T>(PhantomData))?;
    Ok(())
}

struct LenientSeed<T>(PhantomData<T>);

impl<'de, T: FromJson<'de>> DeserializeSeed<'de> for LenientSeed<T> {
    type Value = Option<T>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        T::from_json(deserializer)
    }
}

/// Implements lenient object parsing for a struct: `name: "jsonKey"` pairs.
macro_rules! lenient_object {
    ($ty:ident { $($field:ident: $key:literal),* $(,)? }) => {
        impl<'de> FromJson<'de> for $ty<'de> {
            fn from_json<D: Deserializer<'de>>(deserializer: D) -> Result<Option<Self>, D::Error> {
                struct ObjectVisitor;
                impl<'de> Visitor<'de> for ObjectVisitor {
                    type Value = Option<$ty<'de>>;

                    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
                        formatter.write_str("any JSON value")
                    }

                    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                        let mut object = $ty::default();
                        while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
                            match key.as_ref() {
                                $($key => read_field(&mut map, &mut object.$field)?,)*
                                _ => {
                                    map.next_value::<IgnoredAny>()?;
                                }
                            }
                        }
                        Ok(Some(object))
                    }

                    ignore_other_types!(
                        visit_bool(bool),
                        visit_i64(i64),
                        visit_u64(u64),
                        visit_f64(f64),
                        visit_str(&str),
                        visit_unit(),
                        visit_none()
                    );

                    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
                        deserializer.deserialize_any(self)
                    }

                    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                        while seq.next_element::<IgnoredAny>()?.is_some() {}
                        Ok(None)
                    }
                }
                deserializer.deserialize_any(ObjectVisitor)
            }
        }
    };
}

lenient_object!(Party { id: "id" });
lenient_object!(Period {
    start_date: "startDate",
    end_date: "endDate"
});
lenient_object!(Tender {
    status: "status",
    procurement_method: "procurementMethod",
    procurement_method_details: "procurementMethodDetails",
    number_of_tenderers: "numberOfTenderers",
    tender_period: "tenderPeriod",
    procuring_entity: "procuringEntity",
});
lenient_object!(Amount {
    amount: "amount",
    currency: "currency"
});
lenient_object!(Bid {
    status: "status",
    date: "date",
    value: "value",
    tenderers: "tenderers"
});
lenient_object!(Bids { details: "details" });
lenient_object!(Classification { id: "id" });
lenient_object!(Item {
    classification: "classification"
});
lenient_object!(Award {
    status: "status",
    suppliers: "suppliers",
    items: "items"
});
lenient_object!(Release {
    ocid: "ocid",
    buyer: "buyer",
    tender: "tender",
    bids: "bids",
    awards: "awards"
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_types_are_absent_and_unknown_fields_skipped() {
        let line = r#"{"ocid":"a","buyer":{"id":5},"tender":[1],"x":{"y":[1,{"z":null}]},"awards":[1,{"status":"active","suppliers":{"id":"s"}}]}"#;
        let release = Release::from_json(line).unwrap().unwrap();
        assert_eq!(release.ocid.as_deref(), Some("a"));
        assert_eq!(release.buyer, Some(Party { id: None }));
        assert_eq!(release.tender, None);
        let awards = release.awards.unwrap();
        assert_eq!(awards.len(), 2);
        assert!(awards[0].is_none());
        assert_eq!(awards[1].as_ref().unwrap().suppliers, None);
    }

    #[test]
    fn repeated_keys_keep_the_last_value_and_non_objects_are_none() {
        let release = Release::from_json(r#"{"ocid":"a","ocid":"b"}"#).unwrap().unwrap();
        assert_eq!(release.ocid.as_deref(), Some("b"));
        assert!(Release::from_json("[1,2]").unwrap().is_none());
        assert!(Release::from_json("{\"ocid\":").is_err());
        assert!(Release::from_json("{} x").is_err());
    }

    #[test]
    fn numbers() {
        let line = r#"{"tender":{"numberOfTenderers":1.0},"bids":{"details":[{"value":{"amount":"5"}},{"value":{"amount":-2}}]}}"#;
        let release = Release::from_json(line).unwrap().unwrap();
        assert_eq!(release.tender.unwrap().number_of_tenderers, Some(None));
        let details = release.bids.unwrap().details.unwrap();
        assert_eq!(details[0].as_ref().unwrap().value.as_ref().unwrap().amount, None);
        assert_eq!(details[1].as_ref().unwrap().value.as_ref().unwrap().amount, Some(-2.0));
    }
}
