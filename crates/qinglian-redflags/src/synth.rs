//! Deterministic synthetic OCDS compiled releases for tests, comparisons and benchmarks.
//!
//! The data exercise every indicator: skewed buyers and tenderers, valid/disqualified/pending/invited/
//! withdrawn bids, consortia, identical and heavily discounted prices, late bids, pending and
//! multiple awards, item classifications, cancelled tenders and a little type noise. Dates all use
//! the `Z` offset, so Cardinal's string comparison of dates agrees with ours on these data.

use serde_json::{Value, json};

/// Parameters of the generator.
#[derive(Clone, Copy, Debug)]
pub struct SynthConfig {
    /// Number of releases (lines).
    pub releases: usize,
    /// Seed of the pseudo-random generator.
    pub seed: u64,
    /// Number of distinct buyers.
    pub buyers: usize,
    /// Number of distinct tenderers.
    pub tenderers: usize,
}

impl SynthConfig {
    /// A configuration with pools scaled to the number of releases.
    pub fn new(releases: usize, seed: u64) -> Self {
        SynthConfig {
            releases,
            seed,
            buyers: (releases / 40).max(6),
            tenderers: (releases / 8).max(12),
        }
    }
}

/// SplitMix64: small, fast and good enough for test data.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Rng(seed ^ 0x5DEE_CE66_D1CE_4E5B)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }

    /// A number in `0..n`, skewed towards small values.
    pub fn skewed(&mut self, n: usize) -> usize {
        let a = self.below(n);
        let b = self.below(n);
        a.min(b)
    }
}

const METHODS: [&str; 4] = ["open", "selective", "limited", "direct"];
const DETAILS: [&str; 4] = ["公开招标", "邀请招标", "竞争性谈判", "Random Selection"];
const CODES: [&str; 12] = [
    "45233100", "45262000", "30213100", "33141000", "09134200", "72500000", "79710000", "90911200", "34144900",
    "15800000", "44111000", "71300000",
];

/// A timestamp `days` (and `hours`) after 2023-01-01T00:00:00Z, in RFC 3339 with `Z`.
fn timestamp(days: u64, hours: u64) -> String {
    let base = chrono::NaiveDate::from_ymd_opt(2023, 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .unwrap_or_default();
    let at = base + chrono::Duration::days(days as i64) + chrono::Duration::hours(hours as i64);
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// One synthetic compiled release as a JSON value.
pub fn release(rng: &mut Rng, config: &SynthConfig, index: usize) -> Value {
    let ocid = format!("ocds-qltest-{index:07}");
    let buyer = format!("B{}", rng.skewed(config.buyers));
    let entity = format!("P{}", rng.skewed(config.buyers + 3));
    let method = METHODS[rng.below(METHODS.len())];
    let details = DETAILS[rng.skewed(DETAILS.len())];
    let start = rng.below(700) as u64;
    let duration = 3 + rng.below(40) as u64;
    let status = if rng.chance(0.02) { "cancelled" } else { "complete" };
    let budget = (10_000 + rng.below(2_000_000)) as f64;

    let bid_count = rng.skewed(7);
    let mut bids = Vec::new();
    let mut amounts: Vec<f64> = Vec::new();
    for b in 0..bid_count {
        let bid_status = match rng.below(100) {
            0..=69 => "valid",
            70..=84 => "disqualified",
            85..=88 => "pending",
            89..=93 => "invited",
            94..=97 => "withdrawn",
            _ => "valid",
        };
        let tenderer = format!("T{}", rng.skewed(config.tenderers));
        let mut tenderers = vec![json!({"id": tenderer, "name": format!("企业{tenderer}")})];
        if rng.chance(0.05) {
            tenderers.push(json!({"id": format!("T{}", rng.below(config.tenderers))}));
        }
        let amount = if !amounts.is_empty() && rng.chance(0.06) {
            amounts[rng.below(amounts.len())]
        } else if rng.chance(0.03) {
            (budget * 0.3).round()
        } else {
            (budget * (0.85 + rng.below(300) as f64 / 1000.0)).round()
        };
        amounts.push(amount);
        let currency = if rng.chance(0.02) { "USD" } else { "CNY" };
        let late = rng.chance(0.05);
        let date = timestamp(
            start + duration - u64::from(!late),
            if late { 3 } else { rng.below(20) as u64 },
        );
        let mut bid = json!({
            "id": format!("{ocid}-bid-{b}"),
            "status": bid_status,
            "date": date,
            "tenderers": tenderers,
            "value": {"amount": amount, "currency": currency},
        });
        if rng.chance(0.01) {
            bid["value"]["amount"] = json!(amount.to_string());
        }
        bids.push(bid);
    }

    let mut awards = Vec::new();
    let valid: Vec<&Value> = bids.iter().filter(|bid| bid["status"] == "valid").collect();
    if !valid.is_empty() && rng.chance(0.9) {
        let winner_bid = if rng.chance(0.8) {
            valid
                .iter()
                .min_by(|a, b| {
                    let x = a["value"]["amount"].as_f64().unwrap_or(f64::MAX);
                    let y = b["value"]["amount"].as_f64().unwrap_or(f64::MAX);
                    x.total_cmp(&y)
                })
                .copied()
                .unwrap_or(valid[0])
        } else {
            valid[rng.below(valid.len())]
        };
        let winner = winner_bid["tenderers"][0]["id"].clone();
        let award_status = match rng.below(100) {
            0..=4 => "pending",
            _ => "active",
        };
        let favourite = winner.as_str().map_or(0, |w| w.len()) % CODES.len();
        let items: Vec<Value> = (0..1 + rng.below(3))
            .map(|i| {
                let code = if rng.chance(0.7) {
                    CODES[(favourite + i) % CODES.len()]
                } else {
                    CODES[rng.below(CODES.len())]
                };
                json!({"id": i.to_string(), "classification": {"scheme": "CPV", "id": code}})
            })
            .collect();
        awards.push(json!({
            "id": "1",
            "status": award_status,
            "suppliers": [{"id": winner}],
            "items": items,
            "value": winner_bid["value"].clone(),
        }));
        if rng.chance(0.05) {
            awards.push(json!({"id": "0", "status": "cancelled", "suppliers": [{"id": "T0"}]}));
        }
        if rng.chance(0.03)
            && let Some(other) = valid.get(1)
        {
            awards.push(
                json!({"id": "2", "status": "active", "suppliers": [{"id": other["tenderers"][0]["id"].clone()}]}),
            );
        }
    }

    let number_of_tenderers = if rng.chance(0.08) { 1 } else { bid_count };
    let mut release = json!({
        "ocid": ocid,
        "id": format!("{ocid}-1"),
        "date": timestamp(start + duration + 10, 0),
        "tag": ["compiled"],
        "buyer": {"id": buyer, "name": "采购人"},
        "tender": {
            "id": "1",
            "status": status,
            "procurementMethod": method,
            "procurementMethodDetails": details,
            "numberOfTenderers": number_of_tenderers,
            "procuringEntity": {"id": entity},
            "tenderPeriod": {"startDate": timestamp(start, 0), "endDate": timestamp(start + duration, 0)},
            "value": {"amount": budget, "currency": "CNY"},
        },
        "bids": {"details": bids},
        "awards": awards,
    });
    if rng.chance(0.01) {
        release["buyer"]["id"] = json!(7);
    }
    release
}

/// Generates `config.releases` releases as JSON lines (each ending with `\n`).
pub fn json_lines(config: &SynthConfig) -> String {
    let mut rng = Rng::new(config.seed);
    let mut out = String::new();
    for index in 0..config.releases {
        out.push_str(&release(&mut rng, config, index).to_string());
        out.push('\n');
    }
    out
}
