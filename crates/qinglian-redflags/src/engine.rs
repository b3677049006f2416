//! Streaming computation of the indicators: `add` one release at a time, then `finish`.
//!
//! The logic follows Cardinal's `fold`/`finalize` per indicator, run sequentially in input order.
//! Deliberate differences are marked `DIFFERENCE` and described in DIFFERENCES.md.

use std::borrow::Cow;
use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime};
use indexmap::IndexMap;
use rustc_hash::FxHashSet;

use crate::output::{FxIndexMap, Group, Indicator, IndicatorsResult, Values};
use crate::release::{Award, Bid, Party, Release, Tender};
use crate::settings::Settings;
use crate::stats;

#[derive(Clone, Copy, Debug, Default)]
struct Fraction {
    numerator: usize,
    denominator: usize,
}

impl Fraction {
    fn ratio(self) -> f64 {
        self.numerator as f64 / self.denominator as f64
    }
}

/// Disqualified/submitted bids of a buyer or procuring entity, and its number of contracting processes.
#[derive(Clone, Copy, Debug, Default)]
struct OrganizationBids {
    bids: Fraction,
    processes: usize,
}

/// The winner and the lowest other valid bidder of a contracting process, with the price difference.
#[derive(Clone, Debug)]
struct SecondLowest {
    ratio: f64,
    winner: String,
    lowest_non_winner: String,
}

fn pipe_set(value: Option<&str>) -> FxHashSet<String> {
    value
        .unwrap_or_default()
        .split_terminator('|')
        .map(str::to_owned)
        .collect()
}

/// Resolved settings of the enabled indicators.
#[derive(Debug)]
struct Config {
    currency: Option<String>,
    exclude_procurement_method_details: FxHashSet<String>,
    price_comparison: FxHashSet<String>,
    no_price_comparison: FxHashSet<String>,
    second_lowest: bool,
    r003: Option<(i64, FxHashSet<String>, HashMap<String, i64>)>,
    r018: Option<FxHashSet<String>>,
    r024: Option<Option<f64>>,
    r025: Option<(usize, Option<f64>)>,
    r028: bool,
    r030: bool,
    r035: Option<usize>,
    r036: bool,
    r038: Option<(Option<f64>, usize, usize)>,
    r048: Option<(usize, Option<usize>, usize)>,
    r058: Option<Option<f64>>,
}

impl Config {
    fn new(settings: &Settings) -> Self {
        Config {
            currency: settings.currency.clone(),
            exclude_procurement_method_details: pipe_set(settings.exclusions_procurement_method_details.as_deref()),
            price_comparison: pipe_set(settings.price_comparison_procurement_methods.as_deref()),
            no_price_comparison: pipe_set(settings.no_price_comparison_procurement_methods.as_deref()),
            second_lowest: settings.R024.is_some() || settings.R058.is_some(),
            r003: settings.R003.as_ref().map(|s| {
                (
                    s.threshold.unwrap_or(15),
                    pipe_set(s.procurement_methods.as_deref()),
                    s.procurement_method_details.clone().unwrap_or_default(),
                )
            }),
            r018: settings
                .R018
                .as_ref()
                .map(|s| pipe_set(Some(s.procurement_methods.as_deref().unwrap_or("open|selective")))),
            r024: settings.R024.as_ref().map(|s| s.threshold),
            r025: settings
                .R025
                .as_ref()
                .map(|s| (s.percentile.unwrap_or(75), s.threshold)),
            r028: settings.R028.is_some(),
            r030: settings.R030.is_some(),
            r035: settings.R035.as_ref().map(|s| s.threshold.map_or(1, |t| t.max(1))),
            r036: settings.R036.is_some(),
            r038: settings.R038.as_ref().map(|s| {
                (
                    s.threshold,
                    s.minimum_submitted_bids.unwrap_or(2),
                    s.minimum_contracting_processes.unwrap_or(2),
                )
            }),
            r048: settings.R048.as_ref().map(|s| {
                (
                    s.digits.unwrap_or(2),
                    s.threshold,
                    s.minimum_contracting_processes.unwrap_or(20),
                )
            }),
            r058: settings.R058.as_ref().map(|s| s.threshold),
        }
    }
}

/// Incremental indicator computation; feed releases with [`Engine::add`], get results with [`Engine::finish`].
#[derive(Debug)]
pub struct Engine {
    config: Config,
    /// The currency compared (configured, else the first observed), shared by R024/R058 and R036.
    currency: Option<String>,
    ocid: FxIndexMap<String, Values>,
    tenderer: FxIndexMap<String, Values>,
    buyer: FxIndexMap<String, Values>,
    procuring_entity: FxIndexMap<String, Values>,
    meta: IndexMap<Indicator, IndexMap<String, f64>>,
    second_lowest: FxIndexMap<String, SecondLowest>,
    r025_tenderer: FxIndexMap<String, Fraction>,
    r038_buyer: FxIndexMap<String, OrganizationBids>,
    r038_procuring_entity: FxIndexMap<String, OrganizationBids>,
    r038_tenderer: FxIndexMap<String, Fraction>,
    r048_classifications: FxIndexMap<String, (usize, FxHashSet<String>)>,
}

/// Sets a result value, creating the subject entry if needed.
fn set(group: &mut FxIndexMap<String, Values>, key: &str, indicator: Indicator, value: f64) {
    if let Some(values) = group.get_mut(key) {
        values.set(indicator, value);
    } else {
        let mut values = Values::default();
        values.set(indicator, value);
        group.insert(key.to_owned(), values);
    }
}

/// The entry for `key`, allocating the key only when it is new.
fn entry<'m, V: Default>(map: &'m mut FxIndexMap<String, V>, key: &str) -> &'m mut V {
    let index = match map.get_index_of(key) {
        Some(index) => index,
        None => map.insert_full(key.to_owned(), V::default()).0,
    };
    &mut map[index]
}

fn id<'r>(party: &'r Option<Party<'_>>) -> Option<&'r str> {
    party.as_ref()?.id.as_deref()
}

fn status<'r>(value: &'r Option<Cow<'_, str>>) -> Option<&'r str> {
    value.as_deref()
}

fn matches_procurement_method(tender: &Tender<'_>, set: &FxHashSet<String>) -> bool {
    if set.is_empty() {
        true
    } else if let Some(method) = tender.procurement_method.as_deref() {
        set.contains(method)
    } else {
        false
    }
}

fn matches_procurement_method_details(
    release: &Release<'_>,
    include: &FxHashSet<String>,
    exclude: &FxHashSet<String>,
) -> bool {
    if let Some(details) = release
        .tender
        .as_ref()
        .and_then(|tender| tender.procurement_method_details.as_deref())
    {
        if include.is_empty() {
            !exclude.contains(details)
        } else {
            include.contains(details)
        }
    } else {
        include.is_empty()
    }
}

/// Bid details and the active awards, if every award with a status is final (Cardinal's
/// `get_complete_awards_and_bids_if_all_awards_final`).
fn final_awards_and_bids<'r, 'a>(release: &'r Release<'a>) -> Option<(Vec<&'r Award<'a>>, &'r [Option<Bid<'a>>])> {
    let awards = release.awards.as_ref()?;
    let details = release.bids.as_ref()?.details.as_ref()?;
    let mut complete = Vec::new();
    for award in awards.iter().flatten() {
        match status(&award.status) {
            Some("active") => complete.push(award),
            Some("cancelled" | "unsuccessful") | None => {}
            Some(_) => return None,
        }
    }
    Some((complete, details))
}

/// Bids with a status other than invited or withdrawn (pending, valid, disqualified…).
fn submitted_bids<'r, 'a>(release: &'r Release<'a>) -> impl Iterator<Item = &'r Bid<'a>> {
    release
        .bids
        .as_ref()
        .and_then(|bids| bids.details.as_ref())
        .into_iter()
        .flatten()
        .flatten()
        .filter(|bid| matches!(status(&bid.status), Some(s) if s != "invited" && s != "withdrawn"))
}

/// The single supplier id of the single active award, if all awards are final.
fn sole_supplier<'r, 'a>(complete: &[&'r Award<'a>]) -> Option<&'r str> {
    if complete.len() != 1 {
        return None;
    }
    let suppliers = complete[0].suppliers.as_ref()?;
    if suppliers.len() != 1 {
        return None;
    }
    id(&suppliers[0])
}

/// The id of a bid's only tenderer.
fn sole_tenderer<'r>(bid: &'r Bid<'_>) -> Option<&'r str> {
    let tenderers = bid.tenderers.as_ref()?;
    if tenderers.len() != 1 {
        return None;
    }
    id(&tenderers[0])
}

/// A point in time for comparisons: an instant when the string has an offset, else a naive date-time.
#[derive(Debug, PartialEq, PartialOrd)]
enum Moment {
    Instant(DateTime<chrono::Utc>),
    Naive(NaiveDateTime),
}

fn moment(value: &str) -> Option<Moment> {
    if let Ok(instant) = DateTime::parse_from_rfc3339(value) {
        return Some(Moment::Instant(instant.to_utc()));
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(value, format) {
            return Some(Moment::Naive(naive));
        }
    }
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .ok()
        .and_then(|date| date.and_hms_opt(0, 0, 0))
        .map(Moment::Naive)
}

/// DIFFERENCE 1: whether `date` is strictly after `deadline`, comparing instants (Cardinal compares the
/// strings). Two dates without offsets compare as local times; a date with an offset is not comparable
/// with one without, nor is an unparseable date, and then the bid is not considered late.
pub(crate) fn is_after(date: &str, deadline: &str) -> bool {
    match (moment(date), moment(deadline)) {
        (Some(Moment::Instant(a)), Some(Moment::Instant(b))) => a > b,
        (Some(Moment::Naive(a)), Some(Moment::Naive(b))) => a > b,
        _ => false,
    }
}

/// Whether `value` is beyond an upper fence. DIFFERENCE 2: when the fence was computed from quartiles
/// and the interquartile range is zero, only values strictly above it are outliers (Cardinal's inclusive
/// comparison would flag every subject at the third quartile, i.e. at least half of them).
fn above(value: f64, fence: f64, zero_iqr: bool) -> bool {
    if zero_iqr { value > fence } else { value >= fence }
}

/// Lower-fence counterpart of [`above`].
fn below(value: f64, fence: f64, zero_iqr: bool) -> bool {
    if zero_iqr { value < fence } else { value <= fence }
}

impl Engine {
    /// An engine running the indicators enabled in `settings`.
    pub fn new(settings: &Settings) -> Self {
        Engine {
            config: Config::new(settings),
            currency: None,
            ocid: FxIndexMap::default(),
            tenderer: FxIndexMap::default(),
            buyer: FxIndexMap::default(),
            procuring_entity: FxIndexMap::default(),
            meta: IndexMap::new(),
            second_lowest: FxIndexMap::default(),
            r025_tenderer: FxIndexMap::default(),
            r038_buyer: FxIndexMap::default(),
            r038_procuring_entity: FxIndexMap::default(),
            r038_tenderer: FxIndexMap::default(),
            r048_classifications: FxIndexMap::default(),
        }
    }

    /// Whether `currency` is the compared currency (fixing it to the first observed one if unset).
    fn currency_matches(&mut self, currency: &str) -> bool {
        let configured = &self.config.currency;
        self.currency
            .get_or_insert_with(|| configured.clone().unwrap_or_else(|| currency.to_owned()))
            == currency
    }

    /// Adds one compiled release (skipped without a string `ocid`, if cancelled, or if excluded).
    pub fn add(&mut self, release: &Release<'_>) {
        let Some(ocid) = release.ocid.as_deref() else { return };
        if let Some(tender) = &release.tender
            && status(&tender.status) == Some("cancelled")
        {
            return;
        }
        if !matches_procurement_method_details(
            release,
            &FxHashSet::default(),
            &self.config.exclude_procurement_method_details,
        ) {
            return;
        }
        if self.config.second_lowest {
            self.fold_second_lowest(release, ocid);
        }
        if self.config.r003.is_some() {
            self.fold_r003(release, ocid);
        }
        if self.config.r018.is_some() {
            self.fold_r018(release, ocid);
        }
        if self.config.r025.is_some() {
            self.fold_r025(release);
        }
        if self.config.r028 {
            self.fold_r028(release, ocid);
        }
        if self.config.r030 {
            self.fold_r030(release, ocid);
        }
        if self.config.r035.is_some() {
            self.fold_r035(release, ocid);
        }
        if self.config.r036 {
            self.fold_r036(release, ocid);
        }
        if self.config.r038.is_some() {
            self.fold_r038(release);
        }
        if self.config.r048.is_some() {
            self.fold_r048(release);
        }
    }

    fn price_comparison(&self, release: &Release<'_>) -> bool {
        matches_procurement_method_details(release, &self.config.price_comparison, &self.config.no_price_comparison)
    }

    fn fold_second_lowest(&mut self, release: &Release<'_>, ocid: &str) {
        if !self.price_comparison(release) {
            return;
        }
        let Some((complete, details)) = final_awards_and_bids(release) else {
            return;
        };
        let Some(supplier_id) = sole_supplier(&complete) else {
            return;
        };
        let mut winner: Option<(&str, f64)> = None;
        let mut lowest_non_winner: Option<(&str, f64)> = None;
        for bid in details.iter().flatten() {
            if let Some(value) = &bid.value
                && let Some(amount) = value.amount
                && let Some(currency) = value.currency.as_deref()
                && let Some(tenderer_id) = sole_tenderer(bid)
                && status(&bid.status) == Some("valid")
            {
                if !self.currency_matches(currency) {
                    continue;
                }
                let slot = if tenderer_id == supplier_id {
                    &mut winner
                } else {
                    &mut lowest_non_winner
                };
                if slot.is_none_or(|(_, other)| amount < other) {
                    *slot = Some((tenderer_id, amount));
                }
            }
        }
        if let Some((winner, winner_amount)) = winner
            && let Some((lowest_non_winner, lowest_amount)) = lowest_non_winner
            && lowest_amount >= winner_amount
        {
            let entry = SecondLowest {
                ratio: (lowest_amount - winner_amount) / winner_amount,
                winner: winner.to_owned(),
                lowest_non_winner: lowest_non_winner.to_owned(),
            };
            self.second_lowest.insert(ocid.to_owned(), entry);
        }
    }

    fn fold_r003(&mut self, release: &Release<'_>, ocid: &str) {
        let Some((threshold, methods, details)) = &self.config.r003 else {
            return;
        };
        if let Some(tender) = &release.tender
            && matches_procurement_method(tender, methods)
            && let Some(period) = &tender.tender_period
            && let Some(start) = period.start_date.as_deref()
            && let Some(end) = period.end_date.as_deref()
            && let Ok(start) = DateTime::parse_from_rfc3339(start)
            && let Ok(end) = DateTime::parse_from_rfc3339(end)
        {
            let duration = (end - start).num_days();
            let threshold = tender
                .procurement_method_details
                .as_deref()
                .and_then(|d| details.get(d).copied())
                .unwrap_or(*threshold);
            if duration < threshold {
                set(&mut self.ocid, ocid, Indicator::R003, 1.0);
            }
        }
    }

    fn fold_r018(&mut self, release: &Release<'_>, ocid: &str) {
        let Some(methods) = &self.config.r018 else { return };
        if let Some(tender) = &release.tender
            && matches_procurement_method(tender, methods)
            && let Some(number) = tender.number_of_tenderers
            && number.unwrap_or_default() == 1
        {
            set(&mut self.ocid, ocid, Indicator::R018, 1.0);
        }
    }

    fn fold_r025(&mut self, release: &Release<'_>) {
        let Some((complete, details)) = final_awards_and_bids(release) else {
            return;
        };
        let Some(supplier_id) = sole_supplier(&complete) else {
            return;
        };
        let mut valid: Vec<&str> = Vec::new();
        for bid in details.iter().flatten() {
            if let Some(tenderer_id) = sole_tenderer(bid)
                && status(&bid.status) == Some("valid")
                && !valid.contains(&tenderer_id)
            {
                valid.push(tenderer_id);
            }
        }
        for tenderer_id in valid {
            let fraction = entry(&mut self.r025_tenderer, tenderer_id);
            fraction.numerator += usize::from(tenderer_id == supplier_id);
            fraction.denominator += 1;
        }
    }

    fn fold_r028(&mut self, release: &Release<'_>, ocid: &str) {
        if !self.price_comparison(release) {
            return;
        }
        // (amount, currency, tenderer ids) of earlier bids; a later bid with the same price replaces the entry.
        let mut prices: Vec<(f64, &str, Vec<&str>)> = Vec::new();
        for bid in submitted_bids(release) {
            if let Some(tenderers) = &bid.tenderers
                && let Some(value) = &bid.value
                && let Some(amount) = value.amount
                && let Some(currency) = value.currency.as_deref()
            {
                let mut ids: Vec<&str> = Vec::new();
                for tenderer_id in tenderers.iter().filter_map(id) {
                    if !ids.contains(&tenderer_id) {
                        ids.push(tenderer_id);
                    }
                }
                if ids.is_empty() {
                    continue;
                }
                let same_price = |(other_amount, other_currency, _): &(f64, &str, Vec<&str>)| {
                    (*other_amount == amount || (other_amount.is_nan() && amount.is_nan()))
                        && *other_currency == currency
                };
                if let Some(position) = prices.iter().position(same_price) {
                    let other = &prices[position].2;
                    let same_set = other.len() == ids.len() && ids.iter().all(|id| other.contains(id));
                    if !same_set {
                        set(&mut self.ocid, ocid, Indicator::R028, 1.0);
                        for tenderer_id in ids.iter().chain(other.iter()) {
                            set(&mut self.tenderer, tenderer_id, Indicator::R028, 1.0);
                        }
                    }
                    prices[position].2 = ids;
                } else {
                    prices.push((amount, currency, ids));
                }
            }
        }
    }

    fn fold_r030(&mut self, release: &Release<'_>, ocid: &str) {
        if let Some(tender) = &release.tender
            && let Some(period) = &tender.tender_period
            && let Some(end_date) = period.end_date.as_deref()
            && let Some(awards) = &release.awards
            && let Some(details) = release.bids.as_ref().and_then(|bids| bids.details.as_ref())
        {
            let mut suppliers: Vec<&str> = Vec::new();
            for award in awards.iter().flatten() {
                if let Some(award_suppliers) = &award.suppliers
                    && status(&award.status) == Some("active")
                {
                    suppliers.extend(award_suppliers.iter().filter_map(id));
                }
            }
            for bid in details.iter().flatten() {
                if let Some(date) = bid.date.as_deref()
                    && let Some(tenderers) = &bid.tenderers
                    && status(&bid.status) == Some("valid")
                    && is_after(date, end_date)
                {
                    for tenderer_id in tenderers.iter().filter_map(id) {
                        if suppliers.contains(&tenderer_id) {
                            set(&mut self.ocid, ocid, Indicator::R030, 1.0);
                            set(&mut self.tenderer, tenderer_id, Indicator::R030, 1.0);
                        }
                    }
                }
            }
        }
    }

    fn fold_r035(&mut self, release: &Release<'_>, ocid: &str) {
        let Some(threshold) = self.config.r035 else { return };
        let Some((complete, details)) = final_awards_and_bids(release) else {
            return;
        };
        let mut suppliers: FxHashSet<&str> = FxHashSet::default();
        for award in &complete {
            if let Some(award_suppliers) = &award.suppliers {
                suppliers.extend(award_suppliers.iter().filter_map(id));
            }
        }
        let mut valid: FxHashSet<&str> = FxHashSet::default();
        let mut disqualified: FxHashSet<&str> = FxHashSet::default();
        for bid in details.iter().flatten() {
            if let Some(tenderers) = &bid.tenderers {
                let set = match status(&bid.status) {
                    Some("valid") => &mut valid,
                    Some("disqualified") => &mut disqualified,
                    _ => continue,
                };
                set.extend(tenderers.iter().filter_map(id));
            }
        }
        if valid.len() == 1 && valid == suppliers {
            let difference = disqualified.difference(&valid).count();
            if difference >= threshold {
                set(&mut self.ocid, ocid, Indicator::R035, difference as f64);
                if let Some(winner) = valid.iter().next() {
                    set(&mut self.tenderer, winner, Indicator::R035, 0.0);
                }
            }
        }
    }

    fn fold_r036(&mut self, release: &Release<'_>, ocid: &str) {
        if !self.price_comparison(release) {
            return;
        }
        let Some(awards) = &release.awards else { return };
        if !awards
            .iter()
            .flatten()
            .any(|award| status(&award.status) == Some("active"))
        {
            return;
        }
        let mut lowest: Option<f64> = None;
        let mut lowest_is_disqualified = false;
        let mut has_valid_bid_with_amount = false;
        for bid in submitted_bids(release) {
            if let Some(bid_status) = status(&bid.status)
                && let Some(value) = &bid.value
                && let Some(amount) = value.amount
                && let Some(currency) = value.currency.as_deref()
            {
                if !self.currency_matches(currency) {
                    continue;
                }
                if lowest.is_none_or(|other| amount < other) {
                    lowest = Some(amount);
                    lowest_is_disqualified = bid_status == "disqualified";
                }
                if bid_status == "valid" {
                    has_valid_bid_with_amount = true;
                }
            }
        }
        if has_valid_bid_with_amount && lowest_is_disqualified {
            set(&mut self.ocid, ocid, Indicator::R036, 1.0);
        }
    }

    fn fold_r038(&mut self, release: &Release<'_>) {
        let mut submitted = 0;
        let mut disqualified = 0;
        for bid in submitted_bids(release) {
            submitted += 1;
            let increment = usize::from(status(&bid.status) == Some("disqualified"));
            disqualified += increment;
            if let Some(tenderers) = &bid.tenderers {
                for tenderer_id in tenderers.iter().filter_map(id) {
                    let fraction = entry(&mut self.r038_tenderer, tenderer_id);
                    fraction.numerator += increment;
                    fraction.denominator += 1;
                }
            }
        }
        if submitted == 0 {
            return;
        }
        let organizations = [
            (id(&release.buyer), &mut self.r038_buyer),
            (
                release.tender.as_ref().and_then(|tender| id(&tender.procuring_entity)),
                &mut self.r038_procuring_entity,
            ),
        ];
        for (organization, map) in organizations {
            if let Some(organization) = organization {
                let counts = entry(map, organization);
                counts.bids.numerator += disqualified;
                counts.bids.denominator += submitted;
                counts.processes += 1;
            }
        }
    }

    fn fold_r048(&mut self, release: &Release<'_>) {
        let Some((digits, _, _)) = self.config.r048 else { return };
        let Some(awards) = &release.awards else { return };
        let mut observed: Vec<&str> = Vec::new();
        for award in awards.iter().flatten() {
            if let Some(items) = &award.items
                && let Some(suppliers) = &award.suppliers
                && suppliers.len() == 1
                && let Some(supplier_id) = id(&suppliers[0])
                && status(&award.status) == Some("active")
            {
                for item in items.iter().flatten() {
                    if let Some(classification) = &item.classification
                        && let Some(code) = classification.id.as_deref()
                    {
                        let (count, codes) = entry(&mut self.r048_classifications, supplier_id);
                        if !observed.contains(&supplier_id) {
                            observed.push(supplier_id);
                            *count += 1;
                        }
                        let prefix = match code.char_indices().nth(digits) {
                            Some((end, _)) => &code[..end],
                            None => code,
                        };
                        if !codes.contains(prefix) {
                            codes.insert(prefix.to_owned());
                        }
                    }
                }
            }
        }
    }

    fn set_meta(&mut self, indicator: Indicator, key: String, value: f64) {
        self.meta.entry(indicator).or_default().insert(key, value);
    }

    fn finalize_r024(&mut self, threshold: Option<f64>) {
        let (lower_fence, q1, zero_iqr) = match threshold {
            Some(threshold) => (threshold, 1.0, false),
            None => {
                let data = stats::sorted(self.second_lowest.values().map(|s| s.ratio).collect());
                let (q1, q3) = stats::quartiles(&data);
                self.set_meta(Indicator::R024, "q1".into(), q1);
                self.set_meta(Indicator::R024, "q3".into(), q3);
                ((q3 - q1).mul_add(-1.5, q1), q1, q3 == q1)
            }
        };
        self.set_meta(Indicator::R024, "lower_fence".into(), lower_fence);
        if q1 > 0.0 && lower_fence > 0.0 {
            for (ocid, second) in &self.second_lowest {
                if below(second.ratio, lower_fence, zero_iqr) {
                    set(&mut self.ocid, ocid, Indicator::R024, second.ratio);
                    set(&mut self.tenderer, &second.winner, Indicator::R024, 0.0);
                    set(&mut self.tenderer, &second.lowest_non_winner, Indicator::R024, 0.0);
                }
            }
        }
    }

    fn finalize_r025(&mut self, percentile: usize, threshold: Option<f64>) {
        let counts = stats::sorted(self.r025_tenderer.values().map(|f| f.denominator as f64).collect());
        let upper_fence = stats::percentile(&counts, percentile);
        let (lower_fence, q1, zero_iqr) = match threshold {
            Some(threshold) => (threshold, 1.0, false),
            None => {
                let data = stats::sorted(self.r025_tenderer.values().map(|f| f.ratio()).collect());
                let (q1, q3) = stats::quartiles(&data);
                self.set_meta(Indicator::R025, "q1".into(), q1);
                self.set_meta(Indicator::R025, "q3".into(), q3);
                ((q3 - q1).mul_add(-1.5, q1), q1, q3 == q1)
            }
        };
        self.set_meta(Indicator::R025, "upper_fence".into(), upper_fence);
        self.set_meta(Indicator::R025, "lower_fence".into(), lower_fence);
        if q1 > 0.0 && lower_fence > 0.0 {
            for (id, fraction) in &self.r025_tenderer {
                let ratio = fraction.ratio();
                if fraction.denominator as f64 >= upper_fence && below(ratio, lower_fence, zero_iqr) {
                    set(&mut self.tenderer, id, Indicator::R025, ratio);
                }
            }
        }
    }

    /// Flags one R038 group given the (id, ratio) pairs that passed the minimum.
    fn flag_r038(&mut self, group: Group, ratios: Vec<(String, f64)>, threshold: Option<f64>) {
        if ratios.is_empty() {
            return;
        }
        let name = group.as_str();
        let (upper_fence, zero_iqr) = match threshold {
            Some(threshold) => (threshold, false),
            None => {
                let data = stats::sorted(ratios.iter().map(|(_, ratio)| *ratio).collect());
                let (q1, q3) = stats::quartiles(&data);
                self.set_meta(Indicator::R038, format!("{name}_q1"), q1);
                self.set_meta(Indicator::R038, format!("{name}_q3"), q3);
                ((q3 - q1).mul_add(1.5, q3), q3 == q1)
            }
        };
        self.set_meta(Indicator::R038, format!("{name}_upper_fence"), upper_fence);
        if upper_fence > 0.0 {
            let target = match group {
                Group::Buyer => &mut self.buyer,
                Group::ProcuringEntity => &mut self.procuring_entity,
                Group::Tenderer | Group::OCID => &mut self.tenderer,
            };
            for (id, ratio) in ratios {
                if above(ratio, upper_fence, zero_iqr) {
                    set(target, &id, Indicator::R038, ratio);
                }
            }
        }
    }

    fn finalize_r038(&mut self, threshold: Option<f64>, minimum_bids: usize, minimum_processes: usize) {
        // DIFFERENCE 3: `minimum_contracting_processes` is compared with the number of contracting processes
        // of the buyer or procuring entity, as documented; Cardinal compares it with the number of bids.
        let organization_ratios = |map: FxIndexMap<String, OrganizationBids>| -> Vec<(String, f64)> {
            map.into_iter()
                .filter(|(_, counts)| counts.processes >= minimum_processes)
                .map(|(id, counts)| (id, counts.bids.ratio()))
                .collect()
        };
        let buyers = organization_ratios(std::mem::take(&mut self.r038_buyer));
        self.flag_r038(Group::Buyer, buyers, threshold);
        let entities = organization_ratios(std::mem::take(&mut self.r038_procuring_entity));
        self.flag_r038(Group::ProcuringEntity, entities, threshold);
        let tenderers = std::mem::take(&mut self.r038_tenderer)
            .into_iter()
            .filter(|(_, fraction)| fraction.denominator >= minimum_bids)
            .map(|(id, fraction)| (id, fraction.ratio()))
            .collect();
        self.flag_r038(Group::Tenderer, tenderers, threshold);
    }

    fn finalize_r048(&mut self, threshold: Option<usize>, minimum_processes: usize) {
        let lengths: Vec<(String, f64)> = std::mem::take(&mut self.r048_classifications)
            .into_iter()
            .filter(|(_, (count, _))| *count >= minimum_processes)
            .map(|(id, (_, codes))| (id, codes.len() as f64))
            .collect();
        let (upper_fence, zero_iqr) = match threshold {
            Some(threshold) => (threshold as f64, false),
            None => {
                let data = stats::sorted(lengths.iter().map(|(_, length)| *length).collect());
                let (q1, q3) = stats::quartiles(&data);
                self.set_meta(Indicator::R048, "q1".into(), q1);
                self.set_meta(Indicator::R048, "q3".into(), q3);
                ((q3 - q1).mul_add(1.5, q3), q3 == q1)
            }
        };
        self.set_meta(Indicator::R048, "upper_fence".into(), upper_fence);
        for (id, length) in lengths {
            if above(length, upper_fence, zero_iqr) {
                set(&mut self.tenderer, &id, Indicator::R048, length);
            }
        }
    }

    fn finalize_r058(&mut self, threshold: Option<f64>) {
        let (upper_fence, zero_iqr) = match threshold {
            Some(threshold) => (threshold, false),
            None => {
                let data = stats::sorted(self.second_lowest.values().map(|s| s.ratio).collect());
                let (q1, q3) = stats::quartiles(&data);
                self.set_meta(Indicator::R058, "q1".into(), q1);
                self.set_meta(Indicator::R058, "q3".into(), q3);
                ((q3 - q1).mul_add(1.5, q3), q3 == q1)
            }
        };
        self.set_meta(Indicator::R058, "upper_fence".into(), upper_fence);
        if upper_fence > 0.0 {
            for (ocid, second) in &self.second_lowest {
                if above(second.ratio, upper_fence, zero_iqr) {
                    set(&mut self.ocid, ocid, Indicator::R058, second.ratio);
                    set(&mut self.tenderer, &second.winner, Indicator::R058, 0.0);
                }
            }
        }
    }

    /// Computes the outlier-based indicators and returns all results.
    pub fn finish(mut self, no_meta: bool) -> IndicatorsResult {
        if let Some(threshold) = self.config.r024 {
            self.finalize_r024(threshold);
        }
        if let Some((percentile, threshold)) = self.config.r025 {
            self.finalize_r025(percentile, threshold);
        }
        if let Some((threshold, minimum_bids, minimum_processes)) = self.config.r038 {
            self.finalize_r038(threshold, minimum_bids, minimum_processes);
        }
        if let Some((_, threshold, minimum_processes)) = self.config.r048 {
            self.finalize_r048(threshold, minimum_processes);
        }
        if let Some(threshold) = self.config.r058 {
            self.finalize_r058(threshold);
        }

        // Cardinal's group order: OCID and Tenderer are created first, Buyer and ProcuringEntity when
        // flagged; empty OCID and Tenderer groups are then removed with `swap_remove`.
        let mut groups: Vec<(Group, FxIndexMap<String, Values>)> =
            vec![(Group::OCID, self.ocid), (Group::Tenderer, self.tenderer)];
        if !self.buyer.is_empty() {
            groups.push((Group::Buyer, self.buyer));
        }
        if !self.procuring_entity.is_empty() {
            groups.push((Group::ProcuringEntity, self.procuring_entity));
        }
        for group in [Group::OCID, Group::Tenderer] {
            if let Some(position) = groups
                .iter()
                .position(|(g, subjects)| *g == group && subjects.is_empty())
            {
                groups.swap_remove(position);
            }
        }

        let mut meta = self.meta;
        meta.sort_keys();
        IndicatorsResult {
            results: groups.into_iter().collect(),
            meta: (!no_meta).then_some(meta),
            warnings: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_compare_as_instants() {
        assert!(!is_after("2024-03-01T17:00:00+08:00", "2024-03-01T10:00:00Z"));
        assert!(is_after("2024-03-01T18:00:01+08:00", "2024-03-01T10:00:00Z"));
        assert!(is_after("2024-03-02T00:00:00", "2024-03-01T23:59:59"));
        assert!(!is_after("2024-03-02T00:00:00", "2024-03-01T23:59:59Z"));
        assert!(!is_after("later", "2024-03-01T23:59:59Z"));
    }
}
