//! What a mapping form needs: which source header goes to which canonical column, which
//! canonical columns no header covers, and which columns an import cannot do without.

use super::{ColumnSpec, DatasetSpec, HeaderMapping};

/// The key columns of each canonical dataset: an import whose headers map to none of a key
/// column is refused (its rows could not be matched against anything). This is the one place
/// where they are defined; the store, the mapping form and the web layer all use it.
pub fn required_columns(spec: &DatasetSpec) -> &'static [&'static str] {
    match spec.name {
        "persons" | "deaths" | "payroll" | "benefit_payments" | "benefit_filings" | "roster" => &["id_number"],
        "relatives" | "declared_relatives" => &["official_id_number", "relative_id_number"],
        "vehicles" | "properties" => &["owner_id_number"],
        "enterprises" | "shareholders" => &["credit_code"],
        "tenders" => &["tender_id"],
        "bids" => &["tender_id", "bidder_credit_code"],
        "awards" => &["tender_id", "supplier_credit_code"],
        "purchases" => &["buyer", "amount"],
        "shared_ips" => &["ip_address"],
        // A dataset added to DATASETS without a rule here: its first column is the key.
        _ => match spec.columns.first() {
            Some(c) => std::slice::from_ref(&c.name),
            None => &[],
        },
    }
}

/// For every source header, the canonical column it will be imported into (`None`: ignored),
/// exactly as [`super::normalize`] decides: a remembered override, the canonical name, the
/// Chinese label or an alias; when two headers resolve to one column the first one wins.
pub fn suggest_mapping(
    spec: &DatasetSpec,
    headers: &[String],
    mapping: &HeaderMapping,
) -> Vec<(String, Option<&'static str>)> {
    let mut taken: Vec<&'static str> = Vec::new();
    headers
        .iter()
        .map(|header| {
            let column = mapping
                .resolve(spec, header)
                .map(|c| c.name)
                .filter(|name| !taken.contains(name));
            if let Some(name) = column {
                taken.push(name);
            }
            (header.clone(), column)
        })
        .collect()
}

/// The canonical columns that no source header maps to, in canonical order.
pub fn missing_columns(spec: &DatasetSpec, headers: &[String], mapping: &HeaderMapping) -> Vec<&'static ColumnSpec> {
    let mapped: Vec<&'static str> = suggest_mapping(spec, headers, mapping)
        .into_iter()
        .filter_map(|(_, c)| c)
        .collect();
    let spec_columns: &'static [ColumnSpec] = spec.columns;
    spec_columns.iter().filter(|c| !mapped.contains(&c.name)).collect()
}

/// The required columns (see [`required_columns`]) that no source header maps to.
pub(crate) fn missing_required(
    spec: &DatasetSpec,
    headers: &[String],
    mapping: &HeaderMapping,
) -> Vec<&'static ColumnSpec> {
    let required = required_columns(spec);
    missing_columns(spec, headers, mapping)
        .into_iter()
        .filter(|c| required.contains(&c.name))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::{DATASETS, spec};

    #[test]
    fn every_dataset_has_existing_required_columns() {
        for d in DATASETS {
            let required = required_columns(d);
            assert!(!required.is_empty(), "{}", d.name);
            for c in required {
                assert!(d.column(c).is_some(), "{}.{c}", d.name);
            }
        }
    }

    #[test]
    fn suggests_aliases_overrides_and_first_wins() {
        let d = spec("benefit_payments").unwrap();
        let headers: Vec<String> = ["身份证号码", "姓名", "公民身份号码", "补贴名称", "备注"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let mut mapping = HeaderMapping::default();
        mapping.insert("benefit_payments", "补贴名称", "program");
        let s = suggest_mapping(d, &headers, &mapping);
        assert_eq!(
            s.iter().map(|(_, c)| *c).collect::<Vec<_>>(),
            vec![Some("id_number"), Some("name"), None, Some("program"), None]
        );
        let missing: Vec<&str> = missing_columns(d, &headers, &mapping).iter().map(|c| c.name).collect();
        assert_eq!(missing, ["period", "amount", "region_code", "household_id", "paid_on"]);
        assert!(missing_required(d, &headers, &mapping).is_empty());
        let no_id = vec!["姓名".to_string(), "金额".to_string()];
        let missing: Vec<&str> = missing_required(d, &no_id, &mapping).iter().map(|c| c.name).collect();
        assert_eq!(missing, ["id_number"]);
    }
}
