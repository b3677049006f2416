//! Enterprises, shareholders, tenders, bids, awards, non-tendered purchases and the trading
//! centre's shared terminals — with the planted anomalies and hard negatives of the procurement
//! models, `relative_supplier` (from officials' relatives found in the population) and the
//! companies of `subsistence_business` ties.
//!
//! Background winners are chosen so that the background never meets a model's definition by
//! accident: a company that has bid 14 times without winning either wins its next bid or does
//! not bid again; no company gets five awards with three quarters of the value from one buyer;
//! young companies with few insured staff do not win large awards; award prices stay at or
//! below 99% of the budget; purchase groups stay under the split thresholds.

use std::collections::{BTreeSet, HashMap};

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};
use rand::Rng;
use rand::seq::{IndexedRandom, SliceRandom};
use rand_chacha::ChaCha8Rng;

use super::catalog::*;
use super::noise;
use super::population::{BusinessTie, OfficialPair, PoolPerson, TieRole, YEAR};
use super::sink::{Tables, Val, ds};
use super::{County, Truth, date, ymd};

/// Sizes of the business side.
pub struct BusinessSpec<'a> {
    /// Every county of the run.
    pub counties: &'a [County],
    /// Background enterprises (most never bid).
    pub enterprises: usize,
    /// Of which bidders.
    pub bidders: usize,
    /// Background tenders.
    pub tenders: usize,
    /// Background non-tendered purchases.
    pub purchases: usize,
    /// Planted positives per procurement model.
    pub positives: usize,
    /// Planted hard negatives per trap.
    pub negatives: usize,
}

#[derive(Debug, Clone)]
struct PersonRef {
    id: String,
    name: String,
}

impl From<&PoolPerson> for PersonRef {
    fn from(p: &PoolPerson) -> Self {
        PersonRef {
            id: p.id.clone(),
            name: p.name.clone(),
        }
    }
}

struct Company {
    cc: String,
    name: String,
    county: usize,
    established: NaiveDate,
    capital: f64,
    insured: i64,
    legal_rep: PersonRef,
    holders: Vec<(PersonRef, &'static str, Option<f64>)>,
    category: Option<usize>,
    phone: String,
    account: String,
    ip: String,
    pms: Vec<String>,
    author: String,
    bids: u32,
    wins: u32,
    total: f64,
    by_buyer: HashMap<usize, f64>,
    dedicated: bool,
    clean: bool,
    address: String,
}

struct Purchase {
    buyer: usize,
    item: usize,
    category: usize,
    on: NaiveDate,
    amount: f64,
    method: &'static str,
    supplier: usize,
}

struct Buyer {
    name: String,
    county: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Link {
    ProjectManager,
    Phone,
    Account,
    Ip,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RigTrap {
    SharedIp,
    SameBidder,
    Author,
    LegalRep(usize, usize),
}

#[derive(Debug, Clone)]
enum Slot {
    Background,
    Rig(Link),
    RigNeg(RigTrap),
    Price(f64),
    Forced {
        company: usize,
        buyer: Option<usize>,
        budget: Option<f64>,
        amount: Option<f64>,
        /// Days from establishment to award (sets the establishment date).
        age_days: Option<i64>,
    },
}

struct Bid {
    company: usize,
    price: f64,
    pm: String,
    phone: String,
    account: String,
    ip: String,
    author: String,
    clean: bool,
}

struct Tender {
    id: String,
    buyer: usize,
    title: String,
    category: usize,
    method: &'static str,
    budget: f64,
    notice_on: NaiveDate,
    deadline: NaiveDateTime,
    bids: Vec<Bid>,
    award: Option<(usize, f64, NaiveDate)>,
    clean: bool,
}

struct Gen<'a> {
    spec: &'a BusinessSpec<'a>,
    rng: ChaCha8Rng,
    pool: &'a [PoolPerson],
    companies: Vec<Company>,
    buyers: Vec<Buyer>,
    buyer_index: HashMap<String, usize>,
    by_category: Vec<Vec<usize>>,
    by_category_county: HashMap<(usize, usize), Vec<usize>>,
    pm_cursor: usize,
    pm_order: Vec<usize>,
    tenders: Vec<Tender>,
    purchases: Vec<Purchase>,
    purchase_groups: HashMap<(usize, usize, usize, u32), (u32, f64)>,
    reserved_groups: BTreeSet<(usize, usize, usize, u32)>,
    truth: Vec<Truth>,
    serial: u64,
    sixteen: Vec<usize>,
}

fn mix(n: u64, modulus: u64, mul: u64, add: u64) -> u64 {
    (n.wrapping_mul(mul).wrapping_add(add)) % modulus
}

/// The GB 11714 check character of an 8-character organisation code body.
fn org_check(body: &str) -> char {
    const W: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body.chars().zip(W).map(|(c, w)| c.to_digit(36).unwrap_or(0) * w).sum();
    match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        v => char::from_digit(v, 10).unwrap_or('0'),
    }
}

/// Generates the business side; returns its rows and planted truth.
pub fn generate_business(
    spec: &BusinessSpec<'_>,
    pool: &[PoolPerson],
    pairs: &[OfficialPair],
    ties: &[BusinessTie],
    rng: ChaCha8Rng,
) -> (Tables, Vec<Truth>) {
    assert!(!pool.is_empty(), "no people for companies");
    let mut g = Gen {
        spec,
        rng,
        pool,
        companies: Vec::new(),
        buyers: Vec::new(),
        buyer_index: HashMap::new(),
        by_category: vec![Vec::new(); CATEGORIES.len()],
        by_category_county: HashMap::new(),
        pm_cursor: 0,
        pm_order: (0..pool.len()).collect(),
        tenders: Vec::new(),
        purchases: Vec::new(),
        purchase_groups: HashMap::new(),
        reserved_groups: BTreeSet::new(),
        truth: Vec::new(),
        serial: 0,
        sixteen: Vec::new(),
    };
    g.pm_order.shuffle(&mut g.rng);
    g.buyers();
    g.background_companies();
    for tie in ties {
        g.tie_company(tie);
    }
    let slots = g.plan(pairs);
    g.run_slots(slots);
    g.planted_losers();
    g.planted_purchases();
    g.background_purchases();
    let tables = g.emit();
    (tables, g.truth)
}

impl Gen<'_> {
    fn buyers(&mut self) {
        for (ci, county) in self.spec.counties.iter().enumerate() {
            for (org, handler) in COUNTY_ORGS {
                if !handler {
                    self.add_buyer(format!("{}{org}", county.name), ci);
                }
            }
            for town in &county.towns {
                self.add_buyer(format!("{}{}人民政府", county.name, town.name), ci);
            }
        }
    }

    fn add_buyer(&mut self, name: String, county: usize) {
        let key = qinglian_domain::names::normalize_company_name(&name);
        self.buyer_index.insert(key, self.buyers.len());
        self.buyers.push(Buyer { name, county });
    }

    fn person(&mut self) -> PersonRef {
        PersonRef::from(self.pool.choose(&mut self.rng).expect("pool"))
    }

    fn next_serial(&mut self) -> u64 {
        self.serial += 1;
        self.serial
    }

    /// A new company with a unique credit code, phone, account and office IP.
    fn new_company(&mut self, county: usize, category: Option<usize>, dedicated: bool) -> usize {
        let n = self.next_serial();
        let c = &self.spec.counties[county];
        let body = format!("{:08}", mix(n, 100_000_000, 48_271, 12_345));
        let first17 = format!("91{}{body}{}", c.code, org_check(&body));
        let cc = qinglian_domain::credit_code::generate(&first17)
            .expect("valid credit code symbols")
            .as_str()
            .to_string();
        let short = c.name.trim_end_matches(['市', '县', '区']);
        let short = if short.chars().count() >= 2 {
            short
        } else {
            c.name.as_str()
        };
        let trade = TRADE_NAMES[self.rng.random_range(0..TRADE_NAMES.len())];
        let line = match category {
            Some(cat) => *CATEGORIES[cat].1.choose(&mut self.rng).expect("lines"),
            None => *OTHER_LINES.choose(&mut self.rng).expect("lines"),
        };
        let suffix = if self.rng.random_bool(0.85) {
            "有限公司"
        } else if self.rng.random_bool(0.5) {
            "有限责任公司"
        } else {
            "股份有限公司"
        };
        let branch = if self.rng.random_bool(0.03) {
            "（分公司）"
        } else {
            ""
        };
        let name = format!("{short}{trade}{line}{suffix}{branch}");
        let established = if self.rng.random_bool(0.06) {
            date(&mut self.rng, YEAR, YEAR)
        } else {
            date(&mut self.rng, 1998, YEAR - 1)
        };
        let capital = f64::from(self.rng.random_range(10..3000)) * 10_000.0;
        let insured = if capital < 500_000.0 {
            self.rng.random_range(0..12)
        } else {
            self.rng.random_range(5..300)
        };
        let legal_rep = self.person();
        let mut holders = Vec::new();
        let owners = self.rng.random_range(1..=3);
        let mut left: f64 = 1.0;
        for i in 0..owners {
            let p = if i == 0 && self.rng.random_bool(0.8) {
                legal_rep.clone()
            } else {
                self.person()
            };
            let share = if i + 1 == owners {
                left
            } else {
                let s = (left * self.rng.random_range(0.3..0.8) * 100.0).round() / 100.0;
                left -= s;
                s
            };
            holders.push((p, "股东", Some((share * 100.0).round() / 100.0)));
        }
        if self.rng.random_bool(0.3) {
            let p = self.person();
            holders.push((p, "监事", None));
        }
        let phone = format!(
            "1{}{:09}",
            [3, 5, 8][(n % 3) as usize],
            mix(n, 1_000_000_000, 7_919, 104_729)
        );
        let account = format!("62170{:014}", mix(n, 100_000_000_000_000, 99_991, 7));
        let ip = format!("58.{}.{}.{}", 20 + n / 62_500, (n / 250) % 250, n % 250 + 2);
        let author = match self.rng.random_range(0..10) {
            0 | 1 => "Administrator".to_string(),
            2 => "微软用户".to_string(),
            _ => format!("{}经办", legal_rep.name),
        };
        let address = format!(
            "{}{}{}号",
            c.name,
            STREETS[self.rng.random_range(0..STREETS.len())],
            self.rng.random_range(1..500)
        );
        let i = self.companies.len();
        self.companies.push(Company {
            cc,
            name,
            county,
            established,
            capital,
            insured,
            legal_rep,
            holders,
            category,
            phone,
            account,
            ip,
            pms: Vec::new(),
            author,
            bids: 0,
            wins: 0,
            total: 0.0,
            by_buyer: HashMap::new(),
            dedicated,
            clean: dedicated,
            address,
        });
        if category.is_some() {
            let pms = self.rng.random_range(1..=2);
            for _ in 0..pms {
                if self.pm_cursor < self.pm_order.len() {
                    let p = &self.pool[self.pm_order[self.pm_cursor]];
                    self.pm_cursor += 1;
                    self.companies[i].pms.push(p.id.clone());
                }
            }
        }
        i
    }

    /// A dedicated company (planted): old, established business, several insured staff.
    fn dedicated(&mut self, category: usize) -> usize {
        let county = self.rng.random_range(0..self.spec.counties.len());
        let c = self.new_company(county, Some(category), true);
        let co = &mut self.companies[c];
        co.established = ymd(self.rng.random_range(2005..2020), 6, 1);
        co.insured = self.rng.random_range(10..80);
        co.capital = co.capital.max(1_000_000.0);
        c
    }

    fn background_companies(&mut self) {
        let counties = self.spec.counties.len();
        for i in 0..self.spec.enterprises {
            let county = self.rng.random_range(0..counties);
            let category = (i < self.spec.bidders).then(|| self.rng.random_range(0..CATEGORIES.len()));
            let c = self.new_company(county, category, false);
            if let Some(cat) = category {
                if self.companies[c].pms.is_empty() {
                    // No project manager left: not a bidder after all.
                    self.companies[c].category = None;
                    continue;
                }
                // Busier companies appear more often in the bidder pools.
                let activity = self.rng.random_range(1..=4);
                for _ in 0..activity {
                    self.by_category[cat].push(c);
                    self.by_category_county.entry((cat, county)).or_default().push(c);
                }
            }
        }
    }

    fn tie_company(&mut self, tie: &BusinessTie) {
        let c = self.new_company(tie.person.county, None, true);
        let person = PersonRef::from(&tie.person);
        let co = &mut self.companies[c];
        co.capital = tie.capital;
        co.insured = 3;
        match tie.role {
            TieRole::LegalRep => {
                co.legal_rep = person.clone();
                co.holders = vec![(person, "股东", Some(0.6))];
            }
            TieRole::Shareholder => {
                co.holders.retain(|h| h.1 != "股东");
                co.holders.push((person, "股东", Some(0.35)));
                let rep = co.legal_rep.clone();
                co.holders.push((rep, "股东", Some(0.65)));
            }
            TieRole::Supervisor => {
                co.holders.retain(|h| h.1 != "监事");
                co.holders.push((person, "监事", None));
            }
        }
    }

    fn budget(&mut self, category: usize) -> f64 {
        let (lo, hi): (f64, f64) = match category {
            0 => (300_000.0, 30_000_000.0),
            1 => (100_000.0, 6_000_000.0),
            _ => (100_000.0, 3_000_000.0),
        };
        let x = (lo.ln() + self.rng.random::<f64>() * (hi.ln() - lo.ln())).exp();
        (x / 1000.0).round() * 1000.0
    }

    // ---------------------------------------------------------------------------------------
    // Planning

    fn push_truth(&mut self, model: &'static str, subject: String, period: String) {
        self.truth.push(Truth { model, subject, period });
    }

    fn random_category(&mut self) -> usize {
        let r: f64 = self.rng.random();
        if r < 0.4 {
            0
        } else if r < 0.75 {
            1
        } else {
            2
        }
    }

    fn plan(&mut self, pairs: &[OfficialPair]) -> Vec<Slot> {
        let (pos, neg) = (self.spec.positives, self.spec.negatives);
        let mut slots: Vec<Slot> = (0..self.spec.tenders).map(|_| Slot::Background).collect();
        let links = [Link::ProjectManager, Link::Phone, Link::Account, Link::Ip];
        for i in 0..pos {
            slots.push(Slot::Rig(links[i % links.len()]));
            let r = match i % 4 {
                0 => 0.995,
                1 => 1.0,
                _ => self.rng.random_range(0.9951..0.9999),
            };
            slots.push(Slot::Price(r));
        }
        for i in 0..neg {
            slots.push(Slot::RigNeg(RigTrap::SharedIp));
            slots.push(Slot::RigNeg(RigTrap::SameBidder));
            slots.push(Slot::RigNeg(RigTrap::Author));
            // Two bidders whose companies share a legal representative (not a default link).
            let cat = self.random_category();
            let pool = self.by_category[cat].clone();
            if pool.len() > 8 {
                let a = *pool.choose(&mut self.rng).expect("bidder");
                let b = *pool.choose(&mut self.rng).expect("bidder");
                if a != b {
                    let rep = self.companies[a].legal_rep.clone();
                    self.companies[b].legal_rep = rep;
                    slots.push(Slot::RigNeg(RigTrap::LegalRep(a, b)));
                }
            }
            slots.push(Slot::Price([0.994, 0.9949, 1.002][i % 3]));
        }
        // captive_supplier
        for i in 0..pos + 2 * neg {
            let cat = self.random_category();
            let c = self.dedicated(cat);
            let x = self.rng.random_range(0..self.buyers.len());
            let mut y = self.rng.random_range(0..self.buyers.len());
            if y == x {
                y = (x + 1) % self.buyers.len();
            }
            let (xs, ys_share): (usize, Option<f64>) = if i < pos {
                let n = self.rng.random_range(5..=8);
                if self.rng.random_bool(0.5) {
                    (n, None)
                } else {
                    (n - 1, Some(0.08))
                }
            } else if i < pos + neg {
                (4, None)
            } else {
                (3, Some(0.55))
            };
            let budgets: Vec<f64> = (0..xs).map(|_| self.budget(cat)).collect();
            let total: f64 = budgets.iter().sum();
            for b in budgets {
                slots.push(Slot::Forced {
                    company: c,
                    buyer: Some(x),
                    budget: Some(b),
                    amount: None,
                    age_days: None,
                });
            }
            if let Some(share) = ys_share {
                let n = if share > 0.3 { 2 } else { 1 };
                for _ in 0..n {
                    let b = ((total * share / n as f64) / 1000.0).round().max(10.0) * 1000.0;
                    slots.push(Slot::Forced {
                        company: c,
                        buyer: Some(y),
                        budget: Some(b),
                        amount: None,
                        age_days: None,
                    });
                }
            }
            if i < pos {
                let cc = self.companies[c].cc.clone();
                self.push_truth("captive_supplier", cc, String::new());
            }
        }
        // new_small_winner
        for i in 0..pos + 3 * neg {
            let cat = self.random_category();
            let c = self.dedicated(cat);
            let (age, insured, budget, amount) = if i < pos {
                let age = if i % 5 == 0 {
                    364
                } else {
                    self.rng.random_range(30..364)
                };
                let insured = self.rng.random_range(0..=3);
                if i % 4 == 1 {
                    (age, insured, 5_050_000.0, Some(5_000_000.0))
                } else {
                    (age, insured, (self.rng.random_range(6_000..25_000) * 1000) as f64, None)
                }
            } else {
                match (i - pos) % 3 {
                    0 => ([365, 366, 400][i % 3], 2, 8_000_000.0, None),
                    1 => (100, self.rng.random_range(4..=6), 8_000_000.0, None),
                    _ => (100, 2, 5_050_000.0, Some(4_999_999.0)),
                }
            };
            let co = &mut self.companies[c];
            co.insured = insured;
            co.capital = f64::from(self.rng.random_range(100..500)) * 10_000.0;
            slots.push(Slot::Forced {
                company: c,
                buyer: None,
                budget: Some(budget),
                amount,
                age_days: Some(age),
            });
            if i < pos {
                let cc = self.companies[c].cc.clone();
                self.push_truth("new_small_winner", cc, String::new());
            }
        }
        // relative_supplier, from officials' relatives whose official's org is a buyer.
        let mut usable: Vec<&OfficialPair> = pairs.iter().filter(|p| self.buyer_index.contains_key(&p.org)).collect();
        usable.shuffle(&mut self.rng);
        let mut it = usable.into_iter();
        for i in 0..pos + 3 * neg {
            let Some(pair) = it.next() else { break };
            let x = self.buyer_index[&pair.org];
            let cat = self.random_category();
            let c = self.dedicated(cat);
            let relative = PersonRef::from(&pair.relative);
            let kind = if i < pos { 0 } else { 1 + (i - pos) % 3 };
            {
                let co = &mut self.companies[c];
                co.county = pair.relative.county;
                match kind {
                    0 | 2 | 3 if self.rng.random_bool(0.5) => {
                        co.legal_rep = relative.clone();
                        co.holders = vec![(relative, "股东", Some(0.7))];
                    }
                    0 | 2 | 3 => {
                        co.holders.retain(|h| h.1 != "股东");
                        co.holders.push((relative, "股东", Some(0.4)));
                        let rep = co.legal_rep.clone();
                        co.holders.push((rep, "股东", Some(0.6)));
                    }
                    _ => {
                        co.holders.retain(|h| h.1 != "监事");
                        co.holders.push((relative, "监事", None));
                    }
                }
            }
            match kind {
                0 | 1 => slots.push(Slot::Forced {
                    company: c,
                    buyer: Some(x),
                    budget: None,
                    amount: None,
                    age_days: None,
                }),
                2 => {
                    // Wins from a buyer none of the relative's officials works for.
                    let mut y = self.rng.random_range(0..self.buyers.len());
                    while pair
                        .orgs
                        .contains(&qinglian_domain::names::normalize_company_name(&self.buyers[y].name))
                    {
                        y = (y + 1) % self.buyers.len();
                    }
                    slots.push(Slot::Forced {
                        company: c,
                        buyer: Some(y),
                        budget: None,
                        amount: None,
                        age_days: None,
                    });
                }
                _ => {
                    // Sells to the official's org, but by a non-tendered purchase.
                    let month = self.rng.random_range(1..=12);
                    let item = self.rng.random_range(0..BUDGET_ITEMS.len());
                    let day = self.rng.random_range(1..=28);
                    let amount = f64::from(self.rng.random_range(500..3000)) * 100.0;
                    self.add_purchase(x, item, 0, ymd(YEAR, month, day), amount, "询价", c, true);
                }
            }
            if kind == 0 {
                let cc = self.companies[c].cc.clone();
                self.push_truth("relative_supplier", cc, String::new());
            }
        }
        // perpetual_loser: 16 bids with one award (the award is a forced win).
        for _ in 0..neg {
            let cat = self.random_category();
            let c = self.dedicated(cat);
            self.sixteen.push(c);
            slots.push(Slot::Forced {
                company: c,
                buyer: None,
                budget: None,
                amount: None,
                age_days: None,
            });
        }
        slots.shuffle(&mut self.rng);
        slots
    }

    // ---------------------------------------------------------------------------------------
    // Tenders

    /// Whether background company `c` may win `amount` from `buyer` on `on` without meeting a
    /// model's definition by accident (with margins).
    fn eligible(&self, c: usize, buyer: usize, amount: f64, on: NaiveDate) -> bool {
        let co = &self.companies[c];
        if co.dedicated {
            return false;
        }
        let age = (on - co.established).num_days();
        if age < 400 && co.insured <= 5 && amount >= 4_000_000.0 {
            return false;
        }
        if co.wins + 1 >= 5 {
            let total = co.total + amount;
            let here = co.by_buyer.get(&buyer).copied().unwrap_or(0.0) + amount;
            let max = co.by_buyer.values().copied().fold(here, f64::max);
            if max / total >= 0.75 {
                return false;
            }
        }
        true
    }

    fn pick_bidders(&mut self, category: usize, county: usize, k: usize, exclude: &BTreeSet<usize>) -> Vec<usize> {
        let mut out: Vec<usize> = Vec::new();
        for _ in 0..k * 6 {
            if out.len() >= k {
                break;
            }
            let local = self.by_category_county.get(&(category, county));
            let c = match local {
                Some(l) if self.rng.random_bool(0.6) => *l.choose(&mut self.rng).expect("local"),
                _ => match self.by_category[category].choose(&mut self.rng) {
                    Some(&c) => c,
                    None => break,
                },
            };
            if !out.contains(&c) && !exclude.contains(&c) {
                out.push(c);
            }
        }
        out
    }

    fn bid_for(&mut self, c: usize, price: f64, clean: bool) -> Bid {
        let co = &self.companies[c];
        let pm = co.pms.choose(&mut self.rng).cloned().unwrap_or_default();
        let ip = if self.rng.random_bool(0.15) {
            format!("{SHARED_IP_PREFIX}{}", self.rng.random_range(11..=30))
        } else {
            co.ip.clone()
        };
        Bid {
            company: c,
            price,
            pm,
            phone: co.phone.clone(),
            account: co.account.clone(),
            ip,
            author: co.author.clone(),
            clean,
        }
    }

    fn run_slots(&mut self, slots: Vec<Slot>) {
        for slot in slots {
            self.tender(slot);
        }
    }

    fn tender(&mut self, slot: Slot) {
        let (forced_company, forced_buyer, forced_budget, forced_amount, age_days) = match &slot {
            Slot::Forced {
                company,
                buyer,
                budget,
                amount,
                age_days,
            } => (Some(*company), *buyer, *budget, *amount, *age_days),
            _ => (None, None, None, None, None),
        };
        let category = match forced_company {
            Some(c) => self.companies[c].category.unwrap_or(0),
            None => self.random_category(),
        };
        let buyer = forced_buyer.unwrap_or_else(|| self.rng.random_range(0..self.buyers.len()));
        let county = self.buyers[buyer].county;
        let budget = forced_budget.unwrap_or_else(|| self.budget(category));
        let n = self.tenders.len() + 1;
        let id = format!("ZC{}{YEAR}{n:05}", self.spec.counties[county].code);
        let item = *CATEGORIES[category].2.choose(&mut self.rng).expect("items");
        let title = format!("{}{item}", self.buyers[buyer].name);
        let method = if self.rng.random_bool(0.9) {
            "公开招标"
        } else {
            "邀请招标"
        };
        let notice_on = ymd(YEAR, 1, 5) + Duration::days(self.rng.random_range(0..320));
        let deadline = (notice_on + Duration::days(self.rng.random_range(20..31)))
            .and_time(NaiveTime::from_hms_opt(9, 30, 0).expect("time"));
        let awarded_on = deadline.date() + Duration::days(self.rng.random_range(3..16));
        let planted = !matches!(slot, Slot::Background);
        let k = match slot {
            Slot::Rig(_) => self.rng.random_range(4..=8),
            _ => self.rng.random_range(3..=8),
        };
        let mut exclude = BTreeSet::new();
        if let Slot::RigNeg(RigTrap::LegalRep(a, b)) = slot {
            exclude.insert(a);
            exclude.insert(b);
        }
        let mut bidders = self.pick_bidders(category, county, k, &exclude);
        if let Slot::RigNeg(RigTrap::LegalRep(a, b)) = slot {
            bidders.push(a);
            bidders.push(b);
        }
        let ratio = |rng: &mut ChaCha8Rng| rng.random_range(0.82..0.99);
        let mut prices: Vec<f64> = bidders
            .iter()
            .map(|_| (budget * ratio(&mut self.rng) / 100.0).round() * 100.0)
            .collect();
        // The winner and its award.
        let mut winner: Option<(usize, f64)> = None;
        if let Some(c) = forced_company {
            let amount =
                forced_amount.unwrap_or_else(|| (budget * self.rng.random_range(0.85..0.99) / 100.0).round() * 100.0);
            if let Some(age) = age_days {
                self.companies[c].established = awarded_on - Duration::days(age);
            }
            bidders.push(c);
            prices.push(amount);
            winner = Some((bidders.len() - 1, amount));
        } else if self.rng.random_bool(0.97) || matches!(slot, Slot::Price(_)) {
            // A company that has bid 14 times without winning wins now if it may.
            let must = (0..bidders.len()).find(|&i| {
                let co = &self.companies[bidders[i]];
                co.bids >= 14 && co.wins == 0
            });
            let mut order: Vec<usize> = (0..bidders.len()).collect();
            order.sort_by(|&a, &b| prices[a].total_cmp(&prices[b]));
            if let Some(m) = must {
                order.retain(|&i| i != m);
                order.insert(0, m);
            }
            for i in order {
                let amount = match slot {
                    Slot::Price(r) => (budget * r * 100.0).round() / 100.0,
                    _ => prices[i],
                };
                if self.eligible(bidders[i], buyer, amount, awarded_on) {
                    prices[i] = amount;
                    winner = Some((i, amount));
                    break;
                }
            }
            if winner.is_none() && matches!(slot, Slot::Price(_)) {
                // Find any company that may win it.
                let amount = match slot {
                    Slot::Price(r) => (budget * r * 100.0).round() / 100.0,
                    _ => unreachable!(),
                };
                let candidates = self.by_category[category].clone();
                if let Some(&c) = candidates.iter().find(|&&c| {
                    !bidders.contains(&c)
                        && self.eligible(c, buyer, amount, awarded_on)
                        && !(self.companies[c].bids >= 14 && self.companies[c].wins == 0)
                }) {
                    bidders.push(c);
                    prices.push(amount);
                    winner = Some((bidders.len() - 1, amount));
                }
            }
        }
        if matches!(slot, Slot::Price(_)) && winner.is_none() {
            return;
        }
        // Drop losers that would reach 15 bids without ever winning.
        let winner_company = winner.map(|(i, _)| bidders[i]);
        let mut kept: Vec<(usize, f64)> = Vec::new();
        for (i, &c) in bidders.iter().enumerate() {
            let co = &self.companies[c];
            if Some(c) != winner_company && !co.dedicated && co.bids >= 14 && co.wins == 0 {
                continue;
            }
            kept.push((c, prices[i]));
        }
        if matches!(slot, Slot::Rig(_)) && kept.len() < 2 {
            return;
        }
        if let Slot::RigNeg(RigTrap::LegalRep(a, b)) = slot
            && !(kept.iter().any(|(c, _)| *c == a) && kept.iter().any(|(c, _)| *c == b))
        {
            return;
        }
        let mut bids: Vec<Bid> = kept.iter().map(|&(c, p)| self.bid_for(c, p, planted)).collect();
        for b in &bids {
            self.companies[b.company].bids += 1;
        }
        match slot {
            Slot::Rig(link) => {
                let a = self.rng.random_range(0..bids.len());
                let mut b = self.rng.random_range(0..bids.len());
                if a == b {
                    b = (a + 1) % bids.len();
                }
                let src = self.companies[bids[a].company].clone_links();
                match link {
                    Link::ProjectManager => {
                        bids[a].pm = src.0.clone();
                        bids[b].pm = src.0;
                    }
                    Link::Phone => bids[b].phone = src.1,
                    Link::Account => bids[b].account = src.2,
                    Link::Ip => {
                        bids[a].ip = src.3.clone();
                        bids[b].ip = src.3;
                    }
                }
                let tid = id.clone();
                self.push_truth("bid_rigging_links", tid, String::new());
            }
            Slot::RigNeg(RigTrap::SharedIp) => {
                let ip = format!("{SHARED_IP_PREFIX}{}", self.rng.random_range(11..=30));
                for b in bids.iter_mut().take(3) {
                    b.ip = ip.clone();
                }
            }
            Slot::RigNeg(RigTrap::SameBidder) => {
                if let Some(first) = bids.first() {
                    let copy = Bid {
                        company: first.company,
                        price: first.price * 0.99,
                        pm: first.pm.clone(),
                        phone: first.phone.clone(),
                        account: first.account.clone(),
                        ip: first.ip.clone(),
                        author: first.author.clone(),
                        clean: true,
                    };
                    bids.push(copy);
                }
            }
            Slot::RigNeg(RigTrap::Author) => {
                let author = format!("{}技术部", TRADE_NAMES[self.rng.random_range(0..TRADE_NAMES.len())]);
                for b in bids.iter_mut().take(2) {
                    b.author = author.clone();
                }
            }
            _ => {}
        }
        let award = winner.map(|(_, amount)| {
            let c = winner_company.expect("winner");
            let co = &mut self.companies[c];
            co.wins += 1;
            co.total += amount;
            *co.by_buyer.entry(buyer).or_default() += amount;
            (c, amount, awarded_on)
        });
        if let Slot::Price(r) = slot
            && (0.995..=1.0).contains(&r)
        {
            self.push_truth("price_near_budget", id.clone(), String::new());
        }
        self.tenders.push(Tender {
            id,
            buyer,
            title,
            category,
            method,
            budget,
            notice_on,
            deadline,
            bids,
            award,
            clean: planted,
        });
    }

    /// Planted perpetual losers (15–22 bids, never an award) and hard negatives (14 bids and no
    /// award; 15 more bids beside the one forced win of the `Forced` companies without an age).
    fn planted_losers(&mut self) {
        let (pos, neg) = (self.spec.positives, self.spec.negatives);
        let mut plans: Vec<(usize, usize, bool)> = Vec::new();
        for _ in 0..pos {
            let cat = self.random_category();
            let c = self.dedicated(cat);
            plans.push((c, self.rng.random_range(15..=22), true));
        }
        for _ in 0..neg {
            let cat = self.random_category();
            let c = self.dedicated(cat);
            plans.push((c, 14, false));
        }
        // The "16 bids, one award" negatives: 15 more bids beside their forced win.
        for c in self.sixteen.clone() {
            plans.push((c, 15, false));
        }
        for (c, n, positive) in plans {
            let cat = self.companies[c].category.unwrap_or(0);
            let mut candidates: Vec<usize> = (0..self.tenders.len())
                .filter(|&t| {
                    self.tenders[t].category == cat
                        && self.tenders[t].award.is_some_and(|a| a.0 != c)
                        && !self.tenders[t].bids.iter().any(|b| b.company == c)
                })
                .collect();
            candidates.shuffle(&mut self.rng);
            if candidates.len() < n {
                continue;
            }
            for &t in &candidates[..n] {
                let price = (self.tenders[t].budget * self.rng.random_range(0.9..0.99) / 100.0).round() * 100.0;
                let bid = self.bid_for(c, price, true);
                self.tenders[t].bids.push(bid);
                self.companies[c].bids += 1;
            }
            if positive {
                let cc = self.companies[c].cc.clone();
                self.push_truth("perpetual_loser", cc, String::new());
            }
        }
    }

    // ---------------------------------------------------------------------------------------
    // Purchases

    /// Adds a purchase unless it would complete a split-purchase group by accident (returns
    /// whether it was added); `force` adds it regardless (planted rows).
    #[allow(clippy::too_many_arguments)]
    fn add_purchase(
        &mut self,
        buyer: usize,
        item: usize,
        category: usize,
        on: NaiveDate,
        amount: f64,
        method: &'static str,
        supplier: usize,
        clean: bool,
    ) -> bool {
        let key = (buyer, item, category, chrono::Datelike::month(&on));
        let qualifies = amount < 1_000_000.0 && !method.contains("招标");
        if !clean {
            if self.reserved_groups.contains(&key) {
                return false;
            }
            let (n, sum) = self.purchase_groups.get(&key).copied().unwrap_or((0, 0.0));
            if qualifies && n + 1 >= 3 && sum + amount > 1_800_000.0 {
                return false;
            }
        }
        if qualifies {
            let e = self.purchase_groups.entry(key).or_insert((0, 0.0));
            e.0 += 1;
            e.1 += amount;
        }
        self.purchases.push(Purchase {
            buyer,
            item,
            category,
            on,
            amount,
            method,
            supplier,
        });
        true
    }

    /// A buyer and budget item without any purchase in `months` (in any item category),
    /// reserved for planted rows, so that each planted group is its own finding or none.
    fn free_group(&mut self, months: &[u32]) -> (usize, usize) {
        loop {
            let buyer = self.rng.random_range(0..self.buyers.len());
            let item = self.rng.random_range(0..BUDGET_ITEMS.len());
            let keys: Vec<_> = months
                .iter()
                .flat_map(|&m| (0..BUDGET_ITEMS[item].1.len()).map(move |c| (buyer, item, c, m)))
                .collect();
            if keys
                .iter()
                .all(|k| !self.reserved_groups.contains(k) && !self.purchase_groups.contains_key(k))
            {
                for k in keys {
                    self.reserved_groups.insert(k);
                }
                return (buyer, item);
            }
        }
    }

    fn supplier(&mut self) -> usize {
        self.rng.random_range(0..self.companies.len())
    }

    fn planted_purchases(&mut self) {
        let (pos, neg) = (self.spec.positives, self.spec.negatives);
        for i in 0..pos {
            let month = self.rng.random_range(1..=12);
            let cat = self.rng.random_range(0..3);
            let (buyer, item) = self.free_group(&[month]);
            let n = self.rng.random_range(3..=5);
            let mut amounts: Vec<f64> = (0..n)
                .map(|_| f64::from(self.rng.random_range(5_500..9_999)) * 100.0)
                .collect();
            while amounts.iter().sum::<f64>() <= 2_000_000.0 {
                amounts[0] = (amounts[0] + 100_000.0).min(999_900.0);
                if amounts[0] >= 999_900.0 {
                    amounts.push(600_000.0);
                }
            }
            for a in amounts {
                let day = self.rng.random_range(1..=28);
                let method = *PURCHASE_METHODS.choose(&mut self.rng).expect("methods");
                let s = self.supplier();
                self.add_purchase(buyer, item, cat, ymd(YEAR, month, day), a, method, s, true);
            }
            if i % 5 == 1 {
                // Also a purchase over the single limit and a tendered one: neither counts.
                let s = self.supplier();
                self.add_purchase(buyer, item, cat, ymd(YEAR, month, 15), 1_200_000.0, "单一来源", s, true);
                self.add_purchase(buyer, item, cat, ymd(YEAR, month, 16), 3_000_000.0, "公开招标", s, true);
            }
            let subject = format!("{}|{}", self.buyers[buyer].name, BUDGET_ITEMS[item].0);
            self.push_truth("split_purchase", subject, format!("{YEAR}-{month:02}"));
        }
        for i in 0..neg * 6 {
            let month = self.rng.random_range(1..=11);
            let cat = self.rng.random_range(0..2);
            let case = i % 6;
            let months: Vec<u32> = if case == 4 { vec![month, month + 1] } else { vec![month] };
            let (buyer, item) = self.free_group(&months);
            let rows: Vec<(u32, usize, u32, f64, &'static str)> = match case {
                // Exactly 2,000,000 in total.
                0 => vec![
                    (month, cat, 3, 800_000.0, "询价"),
                    (month, cat, 9, 700_000.0, "询价"),
                    (month, cat, 20, 500_000.0, "竞争性磋商"),
                ],
                // Only two purchases.
                1 => vec![(month, cat, 5, 990_000.0, "询价"), (month, cat, 25, 990_000.0, "询价")],
                // One of the three was tendered.
                2 => vec![
                    (month, cat, 2, 900_000.0, "询价"),
                    (month, cat, 12, 800_000.0, "公开招标"),
                    (month, cat, 22, 700_000.0, "询价"),
                ],
                // One is not under 1,000,000.
                3 => vec![
                    (month, cat, 2, 1_000_000.0, "单一来源"),
                    (month, cat, 12, 900_000.0, "询价"),
                    (month, cat, 22, 900_000.0, "询价"),
                ],
                // Across a month boundary.
                4 => vec![
                    (month, cat, 27, 900_000.0, "询价"),
                    (month, cat, 28, 800_000.0, "询价"),
                    (month + 1, cat, 1, 700_000.0, "询价"),
                ],
                // Different item categories.
                _ => vec![
                    (month, cat, 3, 900_000.0, "询价"),
                    (month, cat, 13, 800_000.0, "询价"),
                    (month, cat + 1, 23, 700_000.0, "询价"),
                ],
            };
            for (m, c, day, amount, method) in rows {
                let s = self.supplier();
                self.add_purchase(buyer, item, c, ymd(YEAR, m, day), amount, method, s, true);
            }
        }
    }

    fn background_purchases(&mut self) {
        for _ in 0..self.spec.purchases {
            let buyer = self.rng.random_range(0..self.buyers.len());
            let item = self.rng.random_range(0..BUDGET_ITEMS.len());
            let cat = self.rng.random_range(0..3);
            let on = date(&mut self.rng, YEAR, YEAR);
            let (amount, method) = if self.rng.random_bool(0.04) {
                (f64::from(self.rng.random_range(100..500)) * 10_000.0, "公开招标")
            } else {
                let x = (5_000f64.ln() + self.rng.random::<f64>() * (400_000f64.ln() - 5_000f64.ln())).exp();
                (
                    (x / 100.0).round() * 100.0,
                    *PURCHASE_METHODS.choose(&mut self.rng).expect("methods"),
                )
            };
            let s = self.supplier();
            self.add_purchase(buyer, item, cat, on, amount, method, s, false);
        }
        self.purchases
            .sort_by(|a, b| a.on.cmp(&b.on).then(a.buyer.cmp(&b.buyer)));
    }

    // ---------------------------------------------------------------------------------------
    // Rows

    fn emit(&mut self) -> Tables {
        let mut t = Tables::new();
        for i in 0..self.companies.len() {
            let co = &self.companies[i];
            let clean = co.clean;
            let (cc, name, est, capital, rep, address, phone, insured) = (
                co.cc.clone(),
                co.name.clone(),
                co.established,
                co.capital,
                co.legal_rep.id.clone(),
                co.address.clone(),
                co.phone.clone(),
                co.insured,
            );
            let holders = co.holders.clone();
            let cc_text = noise::credit_code(&mut self.rng, &cc, clean);
            let name = noise::company_name(&mut self.rng, &name);
            let rep = noise::id_number(&mut self.rng, &rep, clean);
            let phone = noise::phone(&mut self.rng, &phone);
            t.push(
                ds::ENTERPRISES,
                &[
                    Val::S(&cc_text),
                    Val::S(&name),
                    Val::D(est),
                    Val::F(capital),
                    rep.as_deref().into(),
                    Val::S(&address),
                    Val::S(&phone),
                    Val::I(insured),
                ],
            );
            for (p, role, share) in holders {
                let cc_text = noise::credit_code(&mut self.rng, &cc, clean);
                let id = noise::id_number(&mut self.rng, &p.id, clean);
                let pname = noise::person_name(&mut self.rng, &p.name);
                t.push(
                    ds::SHAREHOLDERS,
                    &[
                        Val::S(&cc_text),
                        id.as_deref().into(),
                        Val::S(&pname),
                        Val::S(role),
                        share.map_or(Val::Null, Val::F),
                    ],
                );
            }
        }
        let region_names: Vec<String> = self.spec.counties.iter().map(|c| c.name.clone()).collect();
        for k in 0..self.tenders.len() {
            let tender = &self.tenders[k];
            let buyer = noise::org_name(&mut self.rng, &self.buyers[tender.buyer].name);
            let region = &region_names[self.buyers[tender.buyer].county];
            t.push(
                ds::TENDERS,
                &[
                    Val::S(&tender.id),
                    Val::S(&buyer),
                    Val::S(&tender.title),
                    Val::S(CATEGORIES[tender.category].0),
                    Val::S(tender.method),
                    Val::F(tender.budget),
                    Val::D(tender.notice_on),
                    Val::T(tender.deadline),
                    Val::S(region),
                ],
            );
            let winner = tender.award.map(|a| a.0);
            for b in &tender.bids {
                let co = &self.companies[b.company];
                let clean = b.clean || co.clean || tender.clean;
                let cc = noise::credit_code(&mut self.rng, &co.cc, clean);
                let name = noise::company_name(&mut self.rng, &co.name);
                let pm = if b.pm.is_empty() {
                    None
                } else {
                    noise::id_number(&mut self.rng, &b.pm, clean)
                };
                let phone = noise::phone(&mut self.rng, &b.phone);
                let account = noise::account(&mut self.rng, &b.account);
                let submitted = tender.deadline - Duration::minutes(self.rng.random_range(30..4320));
                let status = if Some(b.company) == winner {
                    "中标"
                } else {
                    "未中标"
                };
                t.push(
                    ds::BIDS,
                    &[
                        Val::S(&tender.id),
                        Val::S(&cc),
                        Val::S(&name),
                        Val::F(b.price),
                        Val::T(submitted),
                        Val::S(status),
                        pm.as_deref().into(),
                        Val::S(&phone),
                        Val::S(&account),
                        Val::S(&b.ip),
                        Val::S(&b.author),
                    ],
                );
            }
            if let Some((c, amount, on)) = tender.award {
                let cc = noise::credit_code(&mut self.rng, &self.companies[c].cc, true);
                t.push(
                    ds::AWARDS,
                    &[Val::S(&tender.id), Val::S(&cc), Val::F(amount), Val::D(on)],
                );
            }
        }
        for k in 0..self.purchases.len() {
            let (buyer, item, cat, on, amount, method, supplier) = {
                let p = &self.purchases[k];
                (p.buyer, p.item, p.category, p.on, p.amount, p.method, p.supplier)
            };
            let buyer = noise::org_name(&mut self.rng, &self.buyers[buyer].name);
            let (item_name, cats) = BUDGET_ITEMS[item];
            let cc = noise::credit_code(&mut self.rng, &self.companies[supplier].cc, true);
            t.push(
                ds::PURCHASES,
                &[
                    Val::S(&buyer),
                    Val::S(item_name),
                    Val::S(cats[cat]),
                    Val::D(on),
                    Val::F(amount),
                    Val::S(method),
                    Val::S(&cc),
                ],
            );
        }
        for i in 11..=30 {
            t.push(ds::SHARED_IPS, &[Val::S(&format!("{SHARED_IP_PREFIX}{i}"))]);
        }
        t
    }
}

impl Company {
    fn clone_links(&self) -> (String, String, String, String) {
        (
            self.pms.first().cloned().unwrap_or_default(),
            self.phone.clone(),
            self.account.clone(),
            self.ip.clone(),
        )
    }
}
