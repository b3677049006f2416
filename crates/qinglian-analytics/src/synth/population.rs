//! One chunk of the population (one block of one county): households and people with valid ID
//! numbers, payroll, monthly benefit payments, deaths, vehicles, properties, officials' declared
//! relatives and filings — plus the planted anomalies and hard negatives of the seven
//! person-based models, and what the business generator needs (people to run companies,
//! officials' relatives, planted company ties of subsistence households).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{Datelike, Duration, NaiveDate};
use rand::Rng;
use rand::distr::Distribution;
use rand::distr::weighted::WeightedIndex;
use rand::seq::IndexedRandom;
use rand_chacha::ChaCha8Rng;

use super::catalog::*;
use super::noise;
use super::sink::{Tables, Val, ds};
use super::{County, Truth, date, month_period, ymd};

/// Year of the generated payments and payroll.
pub const YEAR: i32 = 2024;

/// What one chunk is asked to generate.
pub struct ChunkSpec<'a> {
    /// County of the chunk.
    pub county: &'a County,
    /// Index of the county (in the generator's county list).
    pub county_index: usize,
    /// Block of the county (ID sequence numbers and household ids are split by block).
    pub block: usize,
    /// Number of blocks of the county.
    pub blocks: usize,
    /// Target number of persons.
    pub persons: usize,
    /// Planted positives per person-based model.
    pub positives: usize,
    /// Planted hard negatives per trap.
    pub negatives: usize,
    /// Share of eligible adults offered to the business generator.
    pub pool_rate: f64,
    /// Share of eligible (official, relative) pairs offered to the business generator.
    pub pair_rate: f64,
}

/// A person who may found, own or manage a company.
#[derive(Debug, Clone)]
pub struct PoolPerson {
    /// Canonical ID number.
    pub id: String,
    /// Name.
    pub name: String,
    /// County index.
    pub county: usize,
}

/// An official and a declared relative (outside any subsistence household), for the
/// `relative_supplier` plants.
#[derive(Debug, Clone)]
pub struct OfficialPair {
    /// The official's canonical org name.
    pub org: String,
    /// The relative.
    pub relative: PoolPerson,
    /// Canonical orgs of every official who declared this relative.
    pub orgs: Vec<String>,
}

/// The role a planted company tie gives a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TieRole {
    /// 法定代表人.
    LegalRep,
    /// 股东 with a share.
    Shareholder,
    /// 监事 without a share.
    Supervisor,
}

/// A company tie of a member of a subsistence household (planted positive or hard negative of
/// `subsistence_business`); the business generator creates the company.
#[derive(Debug, Clone)]
pub struct BusinessTie {
    /// The person.
    pub person: PoolPerson,
    /// Their role.
    pub role: TieRole,
    /// Registered capital of the company in yuan.
    pub capital: f64,
}

/// What a chunk produced.
pub struct ChunkOut {
    /// Rows of every dataset.
    pub tables: Tables,
    /// Planted truth.
    pub truth: Vec<Truth>,
    /// People for companies.
    pub pool: Vec<PoolPerson>,
    /// Officials' relatives for `relative_supplier`.
    pub pairs: Vec<OfficialPair>,
    /// Planted company ties.
    pub ties: Vec<BusinessTie>,
}

#[derive(Debug, Clone)]
struct Staff {
    org: String,
    handler: bool,
    buyer: bool,
    kind: &'static str,
    from: i32,
    to: i32,
    salary: i64,
    reports: bool,
    roster: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DeathMode {
    /// Payments stop with the death month.
    Stop,
    /// One more month is paid (the grace month).
    Grace,
    /// The last two periods before death are paid late, after death.
    BackPay,
    /// Payments go on to this month (planted).
    Continue(i32),
    /// The construct writes every payment itself.
    Custom,
}

#[derive(Debug, Clone)]
struct Death {
    date: NaiveDate,
    month: i32,
    mode: DeathMode,
    sources: u8,
}

struct Person {
    id: String,
    name: String,
    male: bool,
    birth: NaiveDate,
    age: u32,
    hh: usize,
    rel: &'static str,
    staff: Option<Staff>,
    death: Option<Death>,
    disabled: bool,
    reserved: bool,
    no_filing: bool,
    declared: bool,
    pension: Option<bool>,
}

#[derive(Debug, Clone)]
struct Sub {
    program: &'static str,
    from: i32,
    to: i32,
    recipient: usize,
    cents: i64,
    hh_on_row: bool,
    reversed: Vec<i32>,
}

struct Household {
    id: String,
    town: usize,
    village: usize,
    urban: bool,
    members: Vec<usize>,
    sub: Option<Sub>,
    reserved: bool,
    vehicles_done: bool,
    properties_done: bool,
    property_seq: u32,
}

struct Pay {
    person: usize,
    program: &'static str,
    month: i32,
    cents: i64,
    paid_on: NaiveDate,
    hh_on_row: bool,
    clean: bool,
    other_place: bool,
}

struct Vehicle {
    owner: usize,
    plate: String,
    kind: &'static str,
    registered: NaiveDate,
    exempt: Option<bool>,
    clean: bool,
}

struct Relation {
    official: usize,
    relative: usize,
    relation: &'static str,
    declared_only: bool,
    clean: bool,
}

struct Chunk<'a> {
    spec: &'a ChunkSpec<'a>,
    rng: ChaCha8Rng,
    surnames: WeightedIndex<u32>,
    persons: Vec<Person>,
    households: Vec<Household>,
    seq_used: HashMap<(NaiveDate, bool), u16>,
    pays: Vec<Pay>,
    relations: Vec<Relation>,
    filings: Vec<(usize, String, NaiveDate)>,
    vehicles: Vec<Vehicle>,
    properties: Vec<(usize, String, f64, NaiveDate, bool)>,
    truth: Vec<Truth>,
    ties: Vec<BusinessTie>,
}

/// Reference date for ages.
fn reference() -> NaiveDate {
    ymd(YEAR, 1, 1)
}

fn is_subsistence(program: &str) -> bool {
    program == DIBAO_RURAL || program == DIBAO_URBAN || program == TEKUN
}

/// Generates one chunk.
pub fn generate_chunk(spec: &ChunkSpec<'_>, rng: ChaCha8Rng) -> ChunkOut {
    let weights: Vec<u32> = SURNAMES.iter().map(|(_, w)| *w).collect();
    let mut c = Chunk {
        spec,
        rng,
        surnames: WeightedIndex::new(weights).expect("surname weights"),
        persons: Vec::with_capacity(spec.persons + 64),
        households: Vec::with_capacity(spec.persons / 2),
        seq_used: HashMap::new(),
        pays: Vec::new(),
        relations: Vec::new(),
        filings: Vec::new(),
        vehicles: Vec::new(),
        properties: Vec::new(),
        truth: Vec::new(),
        ties: Vec::new(),
    };
    c.households_and_people();
    c.background_staff();
    c.constructs();
    c.background_subsistence();
    c.background_people();
    c.background_pays();
    c.background_relatives();
    c.background_assets();
    let (pool, pairs) = c.offers();
    let tables = c.emit();
    ChunkOut {
        tables,
        truth: c.truth,
        pool,
        pairs,
        ties: c.ties,
    }
}

impl Chunk<'_> {
    // ---------------------------------------------------------------------------------------
    // People

    fn surname(&mut self) -> &'static str {
        SURNAMES[self.surnames.sample(&mut self.rng)].0
    }

    fn given_name(&mut self, male: bool, age: u32) -> String {
        let pool: &[&str] = if male { MALE_CHARS } else { FEMALE_CHARS };
        let single = self.rng.random_bool(if age > 50 { 0.3 } else { 0.12 });
        let first = if self.rng.random_bool(0.3) {
            SHARED_CHARS.choose(&mut self.rng)
        } else {
            pool.choose(&mut self.rng)
        }
        .copied()
        .unwrap_or("明");
        if single {
            return first.to_string();
        }
        let second = pool.choose(&mut self.rng).copied().unwrap_or("华");
        format!("{first}{second}")
    }

    /// A unique ID number for a birth date and sex (the date moves by a day when the block's
    /// sequence numbers of that date are used up).
    fn id_for(&mut self, mut birth: NaiveDate, male: bool) -> (NaiveDate, String) {
        let lo = (self.spec.block * 1000 / self.spec.blocks) as u16;
        let hi = ((self.spec.block + 1) * 1000 / self.spec.blocks) as u16;
        let parity = u16::from(male);
        let start = if lo % 2 == parity { lo } else { lo + 1 };
        loop {
            let n = self.seq_used.entry((birth, male)).or_insert(0);
            let seq = start + 2 * *n;
            if seq < hi {
                *n += 1;
                let id = qinglian_domain::id_number::generate(&self.spec.county.code, birth, seq);
                return (birth, id.as_str().to_string());
            }
            birth += Duration::days(1);
        }
    }

    fn add_person(&mut self, hh: usize, age: u32, male: bool, surname: &'static str, rel: &'static str) -> usize {
        let days = i64::from(age) * 365 + i64::from(age / 4) + self.rng.random_range(1..365);
        let birth = reference() - Duration::days(days);
        let (birth, id) = self.id_for(birth, male);
        let given = self.given_name(male, age);
        let i = self.persons.len();
        self.persons.push(Person {
            id,
            name: format!("{surname}{given}"),
            male,
            birth,
            age,
            hh,
            rel,
            staff: None,
            death: None,
            disabled: false,
            reserved: false,
            no_filing: false,
            declared: false,
            pension: None,
        });
        self.households[hh].members.push(i);
        i
    }

    /// An age of 60 or more, most often in the sixties (about one in eight is 80 or older).
    fn elderly_age(&mut self) -> u32 {
        60 + (self.rng.random::<f64>().powf(2.3) * 38.0) as u32
    }

    fn households_and_people(&mut self) {
        let county = self.spec.county;
        let mut n = 0usize;
        while self.persons.len() < self.spec.persons {
            let town = self.rng.random_range(0..county.towns.len());
            let village = self.rng.random_range(0..county.towns[town].villages.len());
            let urban = county.towns[town].urban;
            let hh = self.households.len();
            self.households.push(Household {
                id: format!("{}{:03}{:07}", county.code, self.spec.block, n),
                town,
                village,
                urban,
                members: Vec::new(),
                sub: None,
                reserved: false,
                vehicles_done: false,
                properties_done: false,
                property_seq: 0,
            });
            n += 1;
            let kind: f64 = self.rng.random();
            let head_male = self.rng.random_bool(0.78);
            let surname = self.surname();
            let spouse_surname = self.surname();
            if kind < 0.13 {
                let age = self.elderly_age();
                let male = self.rng.random_bool(0.4);
                self.add_person(hh, age, male, surname, "户主");
            } else if kind < 0.24 {
                let age = self.elderly_age().min(92);
                self.add_person(hh, age, true, surname, "户主");
                let a2 = (age as i32 + self.rng.random_range(-5..3)).clamp(58, 95) as u32;
                self.add_person(hh, a2, false, spouse_surname, "配偶");
            } else if kind < 0.32 {
                let age = self.rng.random_range(22..60);
                self.add_person(hh, age, head_male, surname, "户主");
            } else if kind < 0.45 {
                let age = self.rng.random_range(24..60);
                self.add_person(hh, age, head_male, surname, "户主");
                let a2 = (age as i32 + self.rng.random_range(-5..5)).clamp(22, 70) as u32;
                self.add_person(hh, a2, !head_male, spouse_surname, "配偶");
            } else {
                let three_generations = kind > 0.88;
                let age = self.rng.random_range(if three_generations { 30..56 } else { 25..62 });
                self.add_person(hh, age, head_male, surname, "户主");
                let a2 = (age as i32 + self.rng.random_range(-5..5)).clamp(21, 75) as u32;
                self.add_person(hh, a2, !head_male, spouse_surname, "配偶");
                let father_surname = if head_male { surname } else { spouse_surname };
                let kids = self.rng.random_range(1..4);
                let mother_age = if head_male { a2 } else { age };
                for _ in 0..kids {
                    let gap = self.rng.random_range(21..37);
                    if mother_age > gap {
                        let male = self.rng.random_bool(0.52);
                        self.add_person(hh, mother_age - gap, male, father_surname, "子女");
                    }
                }
                if three_generations {
                    let pa = (age + self.rng.random_range(22..33)).min(98);
                    let parent_surname = if head_male { surname } else { spouse_surname };
                    self.add_person(hh, pa, true, parent_surname, "父母");
                    if self.rng.random_bool(0.6) {
                        let other = self.surname();
                        let ma = (pa as i32 + self.rng.random_range(-4..2)).clamp(50, 99) as u32;
                        self.add_person(hh, ma, false, other, "父母");
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------
    // Organisations

    fn county_org(&mut self, handler: Option<bool>) -> (String, bool, bool) {
        let candidates: Vec<&(&str, bool)> = COUNTY_ORGS
            .iter()
            .filter(|(_, h)| handler.is_none_or(|want| *h == want))
            .collect();
        let (name, h) = **candidates.choose(&mut self.rng).expect("orgs");
        (format!("{}{name}", self.spec.county.name), h, !h)
    }

    fn town_org(&mut self, town: usize, handler: Option<bool>) -> (String, bool, bool) {
        let candidates: Vec<&(&str, bool)> = TOWN_ORGS
            .iter()
            .filter(|(_, h)| handler.is_none_or(|want| *h == want))
            .collect();
        let (name, h) = **candidates.choose(&mut self.rng).expect("orgs");
        let t = &self.spec.county.towns[town];
        (
            format!("{}{}{name}", self.spec.county.name, t.name),
            h,
            name == "人民政府",
        )
    }

    fn village_org(&self, town: usize, village: usize) -> String {
        let t = &self.spec.county.towns[town];
        let v = &t.villages[village];
        let committee = if t.urban { "居委会" } else { "村委会" };
        format!("{}{}{}{committee}", self.spec.county.name, t.name, v.name)
    }

    /// An org for an employee of this household's town: county-level or town-level.
    fn some_org(&mut self, town: usize, handler: Option<bool>) -> (String, bool, bool) {
        if self.rng.random_bool(0.6) {
            self.county_org(handler)
        } else {
            self.town_org(town, handler)
        }
    }

    fn salary(&mut self, kind: &str) -> i64 {
        let yuan = match kind {
            STAFF_ESTABLISHED => self.rng.random_range(4800..11_000),
            STAFF_VILLAGE | "社区干部" => self.rng.random_range(1800..3200),
            _ => self.rng.random_range(2200..3800),
        };
        i64::from(yuan) * 100
    }

    fn make_staff(
        &mut self,
        p: usize,
        kind: &'static str,
        org: (String, bool, bool),
        from: i32,
        to: i32,
        reports: bool,
    ) {
        let salary = self.salary(kind);
        let roster = kind == STAFF_ESTABLISHED && org.2 && self.rng.random_bool(0.1);
        self.persons[p].staff = Some(Staff {
            org: org.0,
            handler: org.1,
            buyer: org.2,
            kind,
            from,
            to,
            salary,
            reports,
            roster,
        });
    }

    fn background_staff(&mut self) {
        for p in 0..self.persons.len() {
            let age = self.persons[p].age;
            if !(22..60).contains(&age) || !self.rng.random_bool(0.045) {
                continue;
            }
            let hh = self.persons[p].hh;
            let (town, village, urban) = {
                let h = &self.households[hh];
                (h.town, h.village, h.urban)
            };
            let roll: f64 = self.rng.random();
            let (kind, org): (&'static str, (String, bool, bool)) = if roll < 0.62 {
                (STAFF_ESTABLISHED, self.some_org(town, None))
            } else if roll < 0.90 {
                let kind = *TEMP_STAFF_TYPES.choose(&mut self.rng).expect("types");
                (kind, self.some_org(town, None))
            } else {
                let kind = if urban { "社区干部" } else { STAFF_VILLAGE };
                (kind, (self.village_org(town, village), !urban, false))
            };
            let span: f64 = self.rng.random();
            let (from, to) = if span < 0.92 {
                (1, 12)
            } else if span < 0.96 {
                (self.rng.random_range(2..=12), 12)
            } else {
                (1, self.rng.random_range(1..=11))
            };
            let reports = kind == STAFF_ESTABLISHED || kind == STAFF_VILLAGE || kind == "社区干部" || org.1;
            self.make_staff(p, kind, org, from, to, reports);
        }
    }

    // ---------------------------------------------------------------------------------------
    // Choosing households for constructs

    fn free(&self, h: usize) -> bool {
        let hh = &self.households[h];
        !hh.reserved
            && hh.sub.is_none()
            && hh
                .members
                .iter()
                .all(|&m| self.persons[m].staff.is_none() && self.persons[m].death.is_none())
    }

    /// A free household satisfying `pred`, reserved for a construct.
    fn pick(&mut self, pred: impl Fn(&Self, usize) -> bool) -> Option<usize> {
        let n = self.households.len();
        for _ in 0..400 {
            let h = self.rng.random_range(0..n);
            if self.free(h) && pred(self, h) {
                self.households[h].reserved = true;
                return Some(h);
            }
        }
        let start = self.rng.random_range(0..n);
        let found = (0..n).map(|i| (start + i) % n).find(|&h| self.free(h) && pred(self, h));
        if let Some(h) = found {
            self.households[h].reserved = true;
        }
        found
    }

    fn members_aged(&self, h: usize, ages: std::ops::RangeInclusive<u32>) -> Vec<usize> {
        self.households[h]
            .members
            .iter()
            .copied()
            .filter(|&m| ages.contains(&self.persons[m].age))
            .collect()
    }

    fn has_aged(&self, h: usize, ages: std::ops::RangeInclusive<u32>) -> bool {
        !self.members_aged(h, ages).is_empty()
    }

    fn reserve_members(&mut self, h: usize) {
        for m in self.households[h].members.clone() {
            self.persons[m].reserved = true;
        }
    }

    fn dibao_program(&self, h: usize) -> &'static str {
        if self.households[h].urban {
            DIBAO_URBAN
        } else {
            DIBAO_RURAL
        }
    }

    fn set_sub(&mut self, h: usize, program: &'static str, from: i32, to: i32) {
        let size = self.households[h].members.len() as i64;
        let cents = match program {
            TEKUN => self.rng.random_range(950..1300) * 100,
            DIBAO_EDGE => self.rng.random_range(150..260) * 100 * size.min(4),
            DIBAO_URBAN => self.rng.random_range(600..720) * 100 * size.min(4),
            _ => self.rng.random_range(400..520) * 100 * size.min(4),
        };
        let hh_on_row = self.rng.random_bool(0.8);
        let recipient = self.households[h].members[0];
        self.households[h].sub = Some(Sub {
            program,
            from,
            to,
            recipient,
            cents,
            hh_on_row,
            reversed: Vec::new(),
        });
    }

    fn truth(&mut self, model: &'static str, subject: &str, period: String) {
        self.truth.push(Truth {
            model,
            subject: subject.to_string(),
            period,
        });
    }

    /// A non-handler org for a planted employee (so that no relative model is touched).
    fn plain_org(&mut self, town: usize) -> (String, bool, bool) {
        self.some_org(town, Some(false))
    }

    // ---------------------------------------------------------------------------------------
    // Constructs: planted positives and hard negatives

    fn constructs(&mut self) {
        let (pos, neg) = (self.spec.positives, self.spec.negatives);
        for _ in 0..pos {
            self.payroll_positive();
            self.vehicle_case(VehicleCase::Positive);
            self.property_case(PropertyCase::Positive);
            self.business_case(BusinessCase::Positive);
            self.death_case(DeathCase::Positive);
            self.duplicate_case(DuplicateCase::Positive);
            self.relative_case(RelativeCase::Positive);
        }
        for _ in 0..neg {
            for case in [
                PayrollCase::Temporary,
                PayrollCase::ExitSameMonth,
                PayrollCase::EnterSameMonth,
                PayrollCase::Edge,
                PayrollCase::Reversed,
                PayrollCase::Disjoint,
            ] {
                self.payroll_negative(case);
            }
            for case in [VehicleCase::Exempt, VehicleCase::Tekun, VehicleCase::Edge] {
                self.vehicle_case(case);
            }
            for case in [PropertyCase::Two, PropertyCase::NotDibao] {
                self.property_case(case);
            }
            for case in [BusinessCase::JustUnder, BusinessCase::Supervisor, BusinessCase::Tekun] {
                self.business_case(case);
            }
            for case in [
                DeathCase::Grace,
                DeathCase::Funeral,
                DeathCase::BackPay,
                DeathCase::Reversed,
            ] {
                self.death_case(case);
            }
            for case in [DuplicateCase::Reversed, DuplicateCase::Exclusive] {
                self.duplicate_case(case);
            }
            for case in [
                RelativeCase::Filed,
                RelativeCase::NotHandler,
                RelativeCase::NotSubsistence,
            ] {
                self.relative_case(case);
            }
        }
    }

    /// A household with a working-age adult for a payroll construct: (household, employee).
    fn payroll_household(&mut self) -> Option<(usize, usize)> {
        let h = self.pick(|c, h| c.households[h].members.len() >= 2 && c.has_aged(h, 22..=55))?;
        self.reserve_members(h);
        let adults = self.members_aged(h, 22..=55);
        // Prefer someone other than the recipient (the head).
        let head = self.households[h].members[0];
        let m = adults.iter().copied().find(|&m| m != head).unwrap_or(adults[0]);
        Some((h, m))
    }

    fn payroll_positive(&mut self) {
        let Some((h, m)) = self.payroll_household() else { return };
        let program = self.dibao_program(h);
        self.set_sub(h, program, 1, 12);
        let (a, b) = if self.rng.random_bool(0.2) {
            (1, 12)
        } else {
            let a = self.rng.random_range(2..=10);
            (a, (a + self.rng.random_range(0..=4)).min(11))
        };
        let town = self.households[h].town;
        let org = self.plain_org(town);
        self.make_staff(m, STAFF_ESTABLISHED, org, a, b, false);
        let id = self.households[h].id.clone();
        for month in a..=b {
            self.truth("payroll_subsistence", &id, month_period(month));
        }
    }

    fn payroll_negative(&mut self, case: PayrollCase) {
        let Some((h, m)) = self.payroll_household() else { return };
        let town = self.households[h].town;
        let program = self.dibao_program(h);
        let org = self.plain_org(town);
        let month = self.rng.random_range(3..=10);
        match case {
            PayrollCase::Temporary => {
                self.set_sub(h, program, 1, 12);
                let kind = *TEMP_STAFF_TYPES.choose(&mut self.rng).expect("types");
                self.make_staff(m, kind, org, 1, 12, false);
            }
            PayrollCase::ExitSameMonth => {
                self.set_sub(h, program, 1, month);
                self.make_staff(m, STAFF_ESTABLISHED, org, month, 12, false);
            }
            PayrollCase::EnterSameMonth => {
                self.set_sub(h, program, month, 12);
                self.make_staff(m, STAFF_ESTABLISHED, org, 1, month, false);
            }
            PayrollCase::Edge => {
                self.set_sub(h, DIBAO_EDGE, 1, 12);
                self.make_staff(m, STAFF_ESTABLISHED, org, 1, 12, false);
            }
            PayrollCase::Reversed => {
                self.set_sub(h, program, 1, 12);
                if let Some(sub) = &mut self.households[h].sub {
                    sub.reversed.push(month);
                }
                self.make_staff(m, STAFF_ESTABLISHED, org, month, month, false);
            }
            PayrollCase::Disjoint => {
                let end = self.rng.random_range(3..=6);
                self.set_sub(h, program, 1, end);
                self.make_staff(m, STAFF_ESTABLISHED, org, end + 2, 12, false);
            }
        }
    }

    fn vehicle_case(&mut self, case: VehicleCase) {
        let h = match case {
            VehicleCase::Tekun => self.pick(|c, h| c.households[h].members.len() == 1 && c.has_aged(h, 60..=85)),
            _ => self.pick(|c, h| c.has_aged(h, 20..=70)),
        };
        let Some(h) = h else { return };
        self.reserve_members(h);
        let program = match case {
            VehicleCase::Tekun => TEKUN,
            VehicleCase::Edge => DIBAO_EDGE,
            _ => self.dibao_program(h),
        };
        let (from, to) = if self.rng.random_bool(0.8) {
            (1, 12)
        } else {
            (self.rng.random_range(2..=6), 12)
        };
        self.set_sub(h, program, from, to);
        let owners = self.members_aged(h, 18..=90);
        let owner = *owners.choose(&mut self.rng).expect("owner");
        let registered = date(&mut self.rng, 2010, 2023);
        let plate = self.plate();
        let (vehicle_type, exempt): (&'static str, Option<bool>) = match case {
            VehicleCase::Exempt => {
                let types = ["残疾人专用车", "农用三轮车", "拖拉机"];
                let t = *types.choose(&mut self.rng).expect("types");
                if t == "残疾人专用车" {
                    self.persons[owner].disabled = true;
                }
                (t, Some(true))
            }
            _ => {
                let t = *["小型轿车", "小型普通客车", "轻型普通货车"]
                    .choose(&mut self.rng)
                    .expect("types");
                let exempt = if case == VehicleCase::Positive && self.rng.random_bool(0.1) {
                    None
                } else {
                    Some(false)
                };
                (t, exempt)
            }
        };
        self.vehicles.push(Vehicle {
            owner,
            plate,
            kind: vehicle_type,
            registered,
            exempt,
            clean: true,
        });
        self.households[h].vehicles_done = true;
        if case == VehicleCase::Positive {
            let id = self.households[h].id.clone();
            self.truth("subsistence_vehicle", &id, String::new());
        }
    }

    fn plate(&mut self) -> String {
        const LETTERS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
        let mut s = self.spec.county.plate.to_string();
        for i in 0..5 {
            if i < 2 && self.rng.random_bool(0.3) {
                s.push(LETTERS[self.rng.random_range(0..LETTERS.len())] as char);
            } else {
                s.push(char::from(b'0' + self.rng.random_range(0..10u8)));
            }
        }
        s
    }

    fn address(&mut self, h: usize) -> String {
        let hh = &mut self.households[h];
        hh.property_seq += 1;
        let seq = hh.property_seq;
        let county = self.spec.county;
        let town = &county.towns[hh.town];
        if hh.urban || seq > 1 {
            let street = STREETS[self.rng.random_range(0..STREETS.len())];
            let no = self.rng.random_range(1..400);
            let building = self.rng.random_range(1..30);
            let room = self.rng.random_range(1..30) * 100 + self.rng.random_range(1..5);
            format!(
                "{}{}{street}{no}号{building}栋{room}室（{seq}）",
                county.name, town.name
            )
        } else {
            let village = &town.villages[hh.village];
            let group = self.rng.random_range(1..15);
            let no = self.rng.random_range(1..80);
            format!("{}{}{}{group}组{no}号", county.name, town.name, village.name)
        }
    }

    fn add_property(&mut self, h: usize, owner: usize, clean: bool, co_owner: Option<usize>) {
        let address = self.address(h);
        let area = f64::from(self.rng.random_range(4000..18_000)) / 100.0;
        let registered = date(&mut self.rng, 1998, 2023);
        self.properties.push((owner, address.clone(), area, registered, clean));
        if let Some(co) = co_owner {
            self.properties.push((co, address, area, registered, clean));
        }
    }

    fn property_case(&mut self, case: PropertyCase) {
        let Some(h) = self.pick(|c, h| c.has_aged(h, 20..=90)) else {
            return;
        };
        self.reserve_members(h);
        let program = match case {
            PropertyCase::NotDibao => {
                if self.households[h].members.len() == 1 && self.rng.random_bool(0.5) {
                    TEKUN
                } else {
                    DIBAO_EDGE
                }
            }
            _ => self.dibao_program(h),
        };
        self.set_sub(h, program, 1, 12);
        let owners = self.members_aged(h, 20..=90);
        let count = match case {
            PropertyCase::Two => 2,
            _ => {
                if self.rng.random_bool(0.7) {
                    3
                } else {
                    4
                }
            }
        };
        let co_owned = self.rng.random_bool(0.4);
        for i in 0..count {
            let owner = *owners.choose(&mut self.rng).expect("owner");
            let co = (i == 0 && co_owned && owners.len() > 1)
                .then(|| owners.iter().copied().find(|&o| o != owner))
                .flatten();
            self.add_property(h, owner, true, co);
        }
        self.households[h].properties_done = true;
        if case == PropertyCase::Positive {
            let id = self.households[h].id.clone();
            self.truth("subsistence_property", &id, String::new());
        }
    }

    fn pool_person(&self, p: usize) -> PoolPerson {
        PoolPerson {
            id: self.persons[p].id.clone(),
            name: self.persons[p].name.clone(),
            county: self.spec.county_index,
        }
    }

    fn business_case(&mut self, case: BusinessCase) {
        let h = match case {
            BusinessCase::Tekun => self.pick(|c, h| c.households[h].members.len() == 1 && c.has_aged(h, 60..=75)),
            _ => self.pick(|c, h| c.has_aged(h, 25..=65)),
        };
        let Some(h) = h else { return };
        self.reserve_members(h);
        let program = if case == BusinessCase::Tekun {
            TEKUN
        } else {
            self.dibao_program(h)
        };
        self.set_sub(h, program, 1, 12);
        let people = self.members_aged(h, 25..=75);
        let p = *people.choose(&mut self.rng).expect("member");
        let role = match case {
            BusinessCase::Supervisor => TieRole::Supervisor,
            _ => {
                if self.rng.random_bool(0.5) {
                    TieRole::LegalRep
                } else {
                    TieRole::Shareholder
                }
            }
        };
        let capital = match case {
            BusinessCase::JustUnder => *[499_999.0, 490_000.0, 499_000.0, 300_000.0]
                .choose(&mut self.rng)
                .expect("capital"),
            _ if self.rng.random_bool(0.2) => 500_000.0,
            _ => f64::from(self.rng.random_range(50..500)) * 10_000.0,
        };
        let person = self.pool_person(p);
        self.ties.push(BusinessTie { person, role, capital });
        if case == BusinessCase::Positive {
            let id = self.households[h].id.clone();
            self.truth("subsistence_business", &id, String::new());
        }
    }

    fn death_case(&mut self, case: DeathCase) {
        let Some(h) = self.pick(|c, h| c.has_aged(h, 62..=92)) else {
            return;
        };
        self.reserve_members(h);
        let candidates = self.members_aged(h, 62..=92);
        let p = *candidates.choose(&mut self.rng).expect("elderly");
        self.persons[p].pension = Some(true);
        let (month, mode) = match case {
            DeathCase::Positive => {
                if self.rng.random_bool(0.2) {
                    (0, DeathMode::Continue(self.rng.random_range(2..=12)))
                } else {
                    let d = self.rng.random_range(1..=9);
                    (d, DeathMode::Continue(self.rng.random_range(d + 2..=12)))
                }
            }
            DeathCase::Grace => (self.rng.random_range(1..=10), DeathMode::Grace),
            DeathCase::Funeral => (self.rng.random_range(1..=8), DeathMode::Stop),
            DeathCase::BackPay => (self.rng.random_range(3..=9), DeathMode::Custom),
            DeathCase::Reversed => (self.rng.random_range(1..=8), DeathMode::Stop),
        };
        let (year, m) = if month == 0 {
            (YEAR - 1, 12)
        } else {
            (YEAR, month as u32)
        };
        let day = self.rng.random_range(1..=28);
        let sources = if self.rng.random_bool(0.2) { 2 } else { 1 };
        self.persons[p].death = Some(Death {
            date: ymd(year, m, day),
            month,
            mode,
            sources,
        });
        let cents = self.pension_cents();
        match case {
            DeathCase::Funeral => {
                if self.rng.random_bool(0.5) {
                    let at = (month + self.rng.random_range(2..=3)).min(12);
                    let paid_on = self.pay_date(at, 20);
                    self.push_pay(p, FUNERAL, at, 500_000, paid_on, false, true);
                } else {
                    for at in month + 1..=12 {
                        let paid_on = self.pay_date(at, 12);
                        self.push_pay(p, SURVIVOR, at, 30_000, paid_on, false, true);
                    }
                }
            }
            DeathCase::BackPay => {
                // On time up to two months before death; the last two periods paid late.
                for at in 1..=month - 2 {
                    let paid_on = self.pay_date(at, 15);
                    self.push_pay(p, PENSION, at, cents, paid_on, false, true);
                }
                let late = self.pay_date((month + 2).min(12), 25);
                for at in month - 1..=month {
                    self.push_pay(p, PENSION, at, cents, late, false, true);
                }
            }
            DeathCase::Reversed => {
                let at = month + 3;
                let paid_on = self.pay_date(at, 15);
                self.push_pay(p, PENSION, at, cents, paid_on, false, true);
                self.push_pay(p, PENSION, at, -cents, paid_on + Duration::days(5), false, true);
            }
            DeathCase::Positive | DeathCase::Grace => {}
        }
    }

    fn duplicate_case(&mut self, case: DuplicateCase) {
        let dibao = case == DuplicateCase::Exclusive || (case == DuplicateCase::Positive && self.rng.random_bool(0.3));
        let h = if dibao {
            self.pick(|c, h| c.has_aged(h, 25..=85))
        } else {
            self.pick(|c, h| c.has_aged(h, 62..=85))
        };
        let Some(h) = h else { return };
        self.reserve_members(h);
        let months: Vec<i32> = {
            let n = if case == DuplicateCase::Positive {
                self.rng.random_range(1..=3)
            } else {
                1
            };
            let mut ms: BTreeSet<i32> = BTreeSet::new();
            while ms.len() < n {
                ms.insert(self.rng.random_range(1..=12));
            }
            ms.into_iter().collect()
        };
        let (p, program, cents) = if dibao {
            let program = self.dibao_program(h);
            self.set_sub(h, program, 1, 12);
            let sub = self.households[h].sub.clone().expect("sub");
            (sub.recipient, program, sub.cents)
        } else {
            let elderly = self.members_aged(h, 62..=85);
            let p = *elderly.choose(&mut self.rng).expect("elderly");
            self.persons[p].pension = Some(true);
            (p, PENSION, self.pension_cents())
        };
        match case {
            DuplicateCase::Positive => {
                let id = self.persons[p].id.clone();
                for &m in &months {
                    let variant: f64 = self.rng.random();
                    let paid_on = if variant < 0.4 {
                        self.pay_date(m, if program == PENSION { 15 } else { 10 })
                    } else {
                        self.pay_date(m, 26)
                    };
                    let other_place = variant >= 0.8;
                    self.pays.push(Pay {
                        person: p,
                        program,
                        month: m,
                        cents,
                        paid_on,
                        hh_on_row: dibao,
                        clean: true,
                        other_place,
                    });
                    self.truth("duplicate_payment", &id, month_period(m));
                }
            }
            DuplicateCase::Reversed => {
                let m = months[0];
                let paid_on = self.pay_date(m, 27);
                self.push_pay(p, program, m, -cents, paid_on, dibao, true);
                self.push_pay(p, program, m, cents, paid_on + Duration::days(1), dibao, true);
            }
            DuplicateCase::Exclusive => {
                for &m in &months {
                    let paid_on = self.pay_date(m, 18);
                    self.push_pay(p, TEKUN, m, 110_000, paid_on, true, true);
                }
            }
        }
    }

    fn relative_case(&mut self, case: RelativeCase) {
        // Village cadre in the recipient's own household (rural only), or an official of
        // another household.
        let village_cadre = case != RelativeCase::NotHandler && self.rng.random_bool(0.3);
        let (official, relative, relation) = if village_cadre {
            let Some(h) = self.pick(|c, h| {
                let hh = &c.households[h];
                !hh.urban
                    && hh.members.len() >= 2
                    && c.persons[hh.members[1]].rel == "配偶"
                    && (22..=59).contains(&c.persons[hh.members[1]].age)
            }) else {
                return;
            };
            self.reserve_members(h);
            let head = self.households[h].members[0];
            let spouse = self.households[h].members[1];
            let (town, village) = (self.households[h].town, self.households[h].village);
            let org = (self.village_org(town, village), true, false);
            self.make_staff(spouse, STAFF_VILLAGE, org, 1, 12, false);
            (spouse, head, "配偶")
        } else {
            let Some(a) = self.pick(|c, h| c.has_aged(h, 25..=55)) else {
                return;
            };
            self.reserve_members(a);
            let Some(b) = self.pick(|c, h| c.has_aged(h, 45..=85)) else {
                return;
            };
            self.reserve_members(b);
            let officials = self.members_aged(a, 25..=55);
            let o = *officials.choose(&mut self.rng).expect("official");
            let town = self.households[a].town;
            let org = if case == RelativeCase::NotHandler {
                self.plain_org(town)
            } else if self.rng.random_bool(0.5) {
                self.county_org(Some(true))
            } else {
                self.town_org(town, Some(true))
            };
            self.make_staff(o, STAFF_ESTABLISHED, org, 1, 12, false);
            let r = self.households[b].members[0];
            let relation = if self.persons[r].age > self.persons[o].age + 18 {
                if self.persons[r].male { "父亲" } else { "母亲" }
            } else {
                "兄弟姐妹"
            };
            (o, r, relation)
        };
        let h = self.persons[relative].hh;
        let program = match case {
            RelativeCase::NotSubsistence => {
                if self.rng.random_bool(0.5) || self.persons[relative].age < 60 {
                    DIBAO_EDGE
                } else {
                    self.persons[relative].pension = Some(true);
                    ""
                }
            }
            _ => {
                if self.households[h].members.len() == 1
                    && self.persons[relative].age >= 60
                    && self.rng.random_bool(0.4)
                {
                    TEKUN
                } else {
                    self.dibao_program(h)
                }
            }
        };
        if !program.is_empty() {
            self.set_sub(h, program, 1, 12);
        }
        self.persons[relative].no_filing = true;
        let declared_only = self.rng.random_bool(0.2);
        self.relations.push(Relation {
            official,
            relative,
            relation,
            declared_only,
            clean: true,
        });
        let filed_on = date(&mut self.rng, 2022, 2023);
        match case {
            RelativeCase::Positive => {
                if self.rng.random_bool(0.3) {
                    // Filed, but for the other program.
                    let other = if program == TEKUN { "低保" } else { "特困供养" };
                    self.filings.push((relative, other.to_string(), filed_on));
                }
                let id = self.persons[relative].id.clone();
                self.truth("relative_benefit_unfiled", &id, String::new());
            }
            RelativeCase::Filed => {
                let filed = if self.rng.random_bool(0.5) {
                    program.to_string()
                } else if program == TEKUN {
                    "特困".to_string()
                } else {
                    "低保".to_string()
                };
                self.filings.push((relative, filed, filed_on));
            }
            RelativeCase::NotHandler | RelativeCase::NotSubsistence => {}
        }
    }

    // ---------------------------------------------------------------------------------------
    // Background

    fn background_subsistence(&mut self) {
        for h in 0..self.households.len() {
            if self.households[h].reserved || self.households[h].sub.is_some() {
                continue;
            }
            let members = &self.households[h].members;
            let established = members.iter().any(|&m| {
                self.persons[m]
                    .staff
                    .as_ref()
                    .is_some_and(|s| s.kind == STAFF_ESTABLISHED)
            });
            if established {
                continue;
            }
            let single_elderly = members.len() == 1 && self.persons[members[0]].age >= 60;
            let urban = self.households[h].urban;
            let roll: f64 = self.rng.random();
            let program = if single_elderly && roll < 0.12 {
                TEKUN
            } else if roll < if urban { 0.025 } else { 0.045 } {
                self.dibao_program(h)
            } else if roll > 0.988 {
                DIBAO_EDGE
            } else {
                continue;
            };
            let span: f64 = self.rng.random();
            let (from, to) = if span < 0.86 {
                (1, 12)
            } else if span < 0.93 {
                (self.rng.random_range(2..=12), 12)
            } else {
                (1, self.rng.random_range(1..=11))
            };
            self.set_sub(h, program, from, to);
        }
    }

    fn background_people(&mut self) {
        for p in 0..self.persons.len() {
            let age = self.persons[p].age;
            let disabled_rate = if age >= 60 { 0.04 } else { 0.015 };
            if self.rng.random_bool(disabled_rate) {
                self.persons[p].disabled = true;
            }
            if self.persons[p].reserved || self.persons[p].staff.is_some() || self.persons[p].death.is_some() {
                continue;
            }
            let mortality = match age {
                0..40 => 0.0008,
                40..60 => 0.003,
                60..70 => 0.01,
                70..80 => 0.03,
                _ => 0.09,
            };
            if !self.rng.random_bool(mortality) {
                continue;
            }
            let d = date(&mut self.rng, YEAR, YEAR);
            let roll: f64 = self.rng.random();
            let mode = if roll < 0.7 {
                DeathMode::Stop
            } else if roll < 0.95 {
                DeathMode::Grace
            } else {
                DeathMode::BackPay
            };
            let sources = if self.rng.random_bool(0.15) { 2 } else { 1 };
            self.persons[p].death = Some(Death {
                date: d,
                month: d.month() as i32,
                mode,
                sources,
            });
        }
    }

    fn pension_cents(&mut self) -> i64 {
        i64::from(self.rng.random_range(150..420)) * 100
    }

    fn pay_date(&mut self, month: i32, day: u32) -> NaiveDate {
        let (y, m) = if month <= 0 {
            (YEAR - 1, 12)
        } else {
            (YEAR, month.min(12) as u32)
        };
        ymd(y, m, (day + self.rng.random_range(0..3)).min(28))
    }

    #[allow(clippy::too_many_arguments)]
    fn push_pay(
        &mut self,
        person: usize,
        program: &'static str,
        month: i32,
        cents: i64,
        paid_on: NaiveDate,
        hh_on_row: bool,
        clean: bool,
    ) {
        self.pays.push(Pay {
            person,
            program,
            month,
            cents,
            paid_on,
            hh_on_row,
            clean,
            other_place: false,
        });
    }

    /// The last month a person's regular payments run to, given their death.
    fn paid_until(&self, p: usize) -> Option<i32> {
        match &self.persons[p].death {
            None => Some(12),
            Some(d) => match d.mode {
                DeathMode::Stop => Some(d.month),
                DeathMode::Grace => Some(d.month + 1),
                DeathMode::BackPay => Some(d.month - 2),
                DeathMode::Continue(e) => Some(e),
                DeathMode::Custom => None,
            },
        }
    }

    /// Monthly payments of one program from `from` to `to`, honouring death; late payment of
    /// the periods just before death for `BackPay`.
    #[allow(clippy::too_many_arguments)]
    fn monthly(&mut self, p: usize, program: &'static str, cents: i64, from: i32, to: i32, day: u32, hh_on_row: bool) {
        let Some(until) = self.paid_until(p) else { return };
        let clean = self.persons[p].reserved;
        let last = to.min(until).min(12);
        let missed = (!clean && last >= from.max(1) && self.rng.random_bool(0.05))
            .then(|| self.rng.random_range(from.max(1)..=last));
        for m in from.max(1)..=last {
            let paid_on = if missed == Some(m) && m < 12 {
                self.pay_date(m + 1, day + 8)
            } else {
                self.pay_date(m, day)
            };
            self.push_pay(p, program, m, cents, paid_on, hh_on_row, clean);
        }
        if let Some(d) = self.persons[p].death.clone()
            && d.mode == DeathMode::BackPay
        {
            let late = self.pay_date((d.month + 2).min(12), day + 10);
            for m in (d.month - 1).max(from.max(1))..=d.month.min(to) {
                self.push_pay(p, program, m, cents, late, hh_on_row, clean);
            }
        }
    }

    fn background_pays(&mut self) {
        // Subsistence, paid to the household's recipient.
        for h in 0..self.households.len() {
            let Some(sub) = self.households[h].sub.clone() else {
                continue;
            };
            let day = if sub.program == TEKUN { 12 } else { 8 };
            let before = self.pays.len();
            self.monthly(
                sub.recipient,
                sub.program,
                sub.cents,
                sub.from,
                sub.to,
                day,
                sub.hh_on_row,
            );
            for m in &sub.reversed {
                if let Some(i) = (before..self.pays.len()).find(|&i| self.pays[i].month == *m) {
                    let paid_on = self.pays[i].paid_on + Duration::days(3);
                    self.push_pay(sub.recipient, sub.program, *m, -sub.cents, paid_on, sub.hh_on_row, true);
                }
            }
        }
        for p in 0..self.persons.len() {
            let person = &self.persons[p];
            let (age, birth) = (person.age, person.birth);
            let pension = person
                .pension
                .unwrap_or(person.staff.is_none() && age >= 59 && !self.persons[p].reserved);
            if pension && (age >= 60 || birth.month() < 12) {
                let start = if age >= 60 { 1 } else { birth.month() as i32 + 1 };
                if self.persons[p].pension.is_some() || self.rng.random_bool(0.92) {
                    let cents = self.pension_cents();
                    let on_row = self.rng.random_bool(0.2);
                    self.monthly(p, PENSION, cents, start, 12, 15, on_row);
                }
            }
            if age >= 80 && !self.persons[p].reserved {
                let cents = match age {
                    80..90 => 5_000,
                    90..100 => 20_000,
                    _ => 50_000,
                };
                self.monthly(p, OLD_AGE, cents, 1, 12, 16, false);
            }
            if self.persons[p].disabled {
                let poor = self.households[self.persons[p].hh].sub.is_some() || self.rng.random_bool(0.3);
                if poor {
                    let cents = i64::from(self.rng.random_range(70..110)) * 100;
                    self.monthly(p, DISABLED_LIVING, cents, 1, 12, 18, false);
                }
                if self.rng.random_bool(0.4) {
                    let cents = i64::from(self.rng.random_range(70..110)) * 100;
                    self.monthly(p, DISABLED_CARE, cents, 1, 12, 18, false);
                }
            }
            if let Some(d) = self.persons[p].death.clone()
                && d.mode != DeathMode::Custom
                && !self.persons[p].reserved
                && pension
                && d.month < 12
                && self.rng.random_bool(0.4)
            {
                let paid_on = self.pay_date(d.month + 1, 20);
                self.push_pay(p, FUNERAL, d.month + 1, 500_000, paid_on, false, false);
            }
        }
        // Farmland subsidy: yearly, to rural household heads, for May.
        for h in 0..self.households.len() {
            if self.households[h].urban || !self.rng.random_bool(0.7) {
                continue;
            }
            let head = self.households[h].members[0];
            if self.paid_until(head).is_none_or(|u| u < 5) {
                continue;
            }
            let cents = i64::from(self.rng.random_range(80..1500)) * 100;
            let paid_on = self.pay_date(5, 20);
            let clean = self.persons[head].reserved;
            self.push_pay(head, FARMLAND, 5, cents, paid_on, true, clean);
        }
        // Truth of planted payments after death: every period more than one month after the
        // death month with a net payment of a program other than funeral or survivor grants.
        let mut by_person: BTreeMap<usize, BTreeMap<i32, i64>> = BTreeMap::new();
        for pay in &self.pays {
            if let Some(d) = &self.persons[pay.person].death
                && pay.program != FUNERAL
                && pay.program != SURVIVOR
                && pay.month - d.month > 1
            {
                *by_person.entry(pay.person).or_default().entry(pay.month).or_default() += pay.cents;
            }
        }
        for (p, months) in by_person {
            let planted = matches!(
                self.persons[p].death.as_ref().map(|d| d.mode),
                Some(DeathMode::Continue(_))
            );
            let id = self.persons[p].id.clone();
            for (m, cents) in months {
                if cents > 0 {
                    assert!(planted, "unplanted payment after death in the background");
                    self.truth("paid_after_death", &id, month_period(m));
                }
            }
        }
    }

    fn background_relatives(&mut self) {
        let n = self.persons.len();
        for o in 0..n {
            let Some(staff) = &self.persons[o].staff else { continue };
            if !staff.reports || self.persons[o].reserved {
                continue;
            }
            let h = self.persons[o].hh;
            let own_rel = self.persons[o].rel;
            let mut rels: Vec<(usize, &'static str)> = Vec::new();
            for &m in &self.households[h].members {
                if m == o {
                    continue;
                }
                let other = &self.persons[m];
                let relation = match (own_rel, other.rel) {
                    ("户主", "配偶") | ("配偶", "户主") => "配偶",
                    ("户主" | "配偶", "子女") => "子女",
                    ("户主", "父母") | ("子女", "户主" | "配偶") => {
                        if other.male {
                            "父亲"
                        } else {
                            "母亲"
                        }
                    }
                    ("子女", "子女") => "兄弟姐妹",
                    ("父母", "户主") => "子女",
                    _ => continue,
                };
                rels.push((m, relation));
            }
            if self.rng.random_bool(0.25) {
                // A sibling or parent living in another (unreserved) household of the chunk.
                for _ in 0..20 {
                    let other = self.rng.random_range(0..n);
                    let oh = self.persons[other].hh;
                    if oh != h && !self.households[oh].reserved && self.persons[other].age >= 18 {
                        let relation = if self.persons[other].age > self.persons[o].age + 18 {
                            if self.persons[other].male { "父亲" } else { "母亲" }
                        } else {
                            "兄弟姐妹"
                        };
                        rels.push((other, relation));
                        break;
                    }
                }
            }
            let roster = staff.roster;
            for (r, relation) in rels {
                let declared_only = roster && self.rng.random_bool(0.5);
                self.relations.push(Relation {
                    official: o,
                    relative: r,
                    relation,
                    declared_only,
                    clean: false,
                });
            }
        }
        // Filings: every relative of a benefit-handling official (民政, 村委会/居委会) who
        // receives 低保 or 特困供养 has filed it. 低保 is granted to a household: every member
        // of a household paid 低保 receives it, whoever is the payee.
        let mut received: HashMap<usize, BTreeSet<&'static str>> = HashMap::new();
        for pay in &self.pays {
            if is_subsistence(pay.program) && pay.cents > 0 {
                received.entry(pay.person).or_default().insert(pay.program);
                if pay.program != TEKUN {
                    for &m in &self.households[self.persons[pay.person].hh].members {
                        received.entry(m).or_default().insert(pay.program);
                    }
                }
            }
        }
        let mut filed: BTreeSet<(usize, &'static str)> = BTreeSet::new();
        for i in 0..self.relations.len() {
            let (o, r) = (self.relations[i].official, self.relations[i].relative);
            self.persons[r].declared = true;
            let Some(staff) = &self.persons[o].staff else { continue };
            let handler_like = staff.handler || staff.kind == "社区干部";
            if !handler_like || self.persons[r].no_filing {
                continue;
            }
            if let Some(programs) = received.get(&r) {
                for &program in programs {
                    if filed.insert((r, program)) {
                        let name = if program == TEKUN {
                            "特困供养".to_string()
                        } else if self.rng.random_bool(0.5) {
                            "低保".to_string()
                        } else {
                            program.to_string()
                        };
                        let on = date(&mut self.rng, 2021, 2023);
                        self.filings.push((r, name, on));
                    }
                }
            }
        }
    }

    fn background_assets(&mut self) {
        for h in 0..self.households.len() {
            let poor = self.households[h].sub.is_some();
            let adults = self.members_aged(h, 20..=80);
            if adults.is_empty() {
                continue;
            }
            if !self.households[h].vehicles_done {
                let roll: f64 = self.rng.random();
                let urban = self.households[h].urban;
                let mut cars = if poor {
                    0
                } else if roll < 0.05 {
                    2
                } else if roll < 0.3 {
                    1
                } else {
                    0
                };
                while cars > 0 {
                    cars -= 1;
                    let owner = *adults.choose(&mut self.rng).expect("adult");
                    let t = *[
                        "小型轿车",
                        "小型轿车",
                        "小型轿车",
                        "小型普通客车",
                        "轻型普通货车",
                        "普通二轮摩托车",
                    ]
                    .choose(&mut self.rng)
                    .expect("type");
                    let plate = self.plate();
                    let on = date(&mut self.rng, 2005, 2023);
                    self.vehicles.push(Vehicle {
                        owner,
                        plate,
                        kind: t,
                        registered: on,
                        exempt: Some(false),
                        clean: false,
                    });
                }
                let exempt_rate = if poor {
                    0.05
                } else if urban {
                    0.0
                } else {
                    0.08
                };
                if self.rng.random_bool(exempt_rate) {
                    let owner = *adults.choose(&mut self.rng).expect("adult");
                    let t = if self.persons[owner].disabled {
                        "残疾人专用车"
                    } else {
                        *["农用三轮车", "拖拉机"].choose(&mut self.rng).expect("type")
                    };
                    let plate = self.plate();
                    let on = date(&mut self.rng, 2005, 2023);
                    self.vehicles.push(Vehicle {
                        owner,
                        plate,
                        kind: t,
                        registered: on,
                        exempt: Some(true),
                        clean: false,
                    });
                }
            }
            if !self.households[h].properties_done {
                let roll: f64 = self.rng.random();
                let count = if poor {
                    if roll < 0.45 {
                        0
                    } else if roll < 0.97 {
                        1
                    } else {
                        2
                    }
                } else if roll < 0.2 {
                    0
                } else if roll < 0.75 {
                    1
                } else if roll < 0.92 {
                    2
                } else if roll < 0.98 {
                    3
                } else {
                    4
                };
                for _ in 0..count {
                    let owner = *adults.choose(&mut self.rng).expect("adult");
                    let co = (adults.len() > 1 && self.rng.random_bool(0.2))
                        .then(|| adults.iter().copied().find(|&a| a != owner))
                        .flatten();
                    self.add_property(h, owner, false, co);
                }
            }
        }
    }

    /// People offered to the business generator and officials' relatives for `relative_supplier`.
    fn offers(&mut self) -> (Vec<PoolPerson>, Vec<OfficialPair>) {
        let mut pool = Vec::new();
        for p in 0..self.persons.len() {
            let person = &self.persons[p];
            let h = &self.households[person.hh];
            if (25..=65).contains(&person.age)
                && !person.reserved
                && !h.reserved
                && h.sub.is_none()
                && person.staff.is_none()
                && person.death.is_none()
                && !person.declared
                && self.rng.random_bool(self.spec.pool_rate)
            {
                pool.push(self.pool_person(p));
            }
        }
        let mut orgs_of: BTreeMap<usize, BTreeSet<String>> = BTreeMap::new();
        for r in &self.relations {
            if let Some(s) = &self.persons[r.official].staff {
                orgs_of
                    .entry(r.relative)
                    .or_default()
                    .insert(qinglian_domain::names::normalize_company_name(&s.org));
            }
        }
        let mut pairs = Vec::new();
        let mut used = BTreeSet::new();
        for i in 0..self.relations.len() {
            let (o, r) = (self.relations[i].official, self.relations[i].relative);
            let Some(staff) = &self.persons[o].staff else { continue };
            let rel = &self.persons[r];
            let h = &self.households[rel.hh];
            if staff.kind == STAFF_ESTABLISHED
                && staff.buyer
                && (25..=68).contains(&rel.age)
                && rel.staff.is_none()
                && rel.death.is_none()
                && !rel.reserved
                && !h.reserved
                && h.sub.is_none()
                && !used.contains(&r)
                && self.rng.random_bool(self.spec.pair_rate)
            {
                used.insert(r);
                let org = qinglian_domain::names::normalize_company_name(&staff.org);
                // The pair carries planted truth: its records must match reliably.
                self.relations[i].clean = true;
                self.persons[o].reserved = true;
                self.persons[r].reserved = true;
                pairs.push(OfficialPair {
                    org,
                    relative: self.pool_person(r),
                    orgs: orgs_of.get(&r).map(|s| s.iter().cloned().collect()).unwrap_or_default(),
                });
            }
        }
        (pool, pairs)
    }

    // ---------------------------------------------------------------------------------------
    // Rows

    fn emit(&mut self) -> Tables {
        let mut t = Tables::new();
        let county = self.spec.county;
        for p in 0..self.persons.len() {
            let person = &self.persons[p];
            let clean = person.reserved;
            let h = &self.households[person.hh];
            let village = county.towns[h.town].villages[h.village].code.clone();
            let hh_id = h.id.clone();
            let (id, name, male, birth, rel) = (
                person.id.clone(),
                person.name.clone(),
                person.male,
                person.birth,
                person.rel,
            );
            let id = noise::id_number(&mut self.rng, &id, clean);
            let name = noise::person_name(&mut self.rng, &name);
            t.push(
                ds::PERSONS,
                &[
                    id.as_deref().into(),
                    Val::S(&name),
                    Val::S(if male { "男" } else { "女" }),
                    Val::D(birth),
                    Val::S(&village),
                    Val::S(&hh_id),
                    Val::S(rel),
                ],
            );
        }
        // Payroll, month by month.
        let staff: Vec<usize> = (0..self.persons.len())
            .filter(|&p| self.persons[p].staff.is_some())
            .collect();
        for m in 1..=12 {
            for &p in &staff {
                let person = &self.persons[p];
                let s = person.staff.as_ref().expect("staff");
                if !(s.from..=s.to).contains(&m) {
                    continue;
                }
                let (id, name, org, kind, salary, clean) = (
                    person.id.clone(),
                    person.name.clone(),
                    s.org.clone(),
                    s.kind,
                    s.salary,
                    person.reserved,
                );
                let id = noise::id_number(&mut self.rng, &id, clean);
                let name = noise::person_name(&mut self.rng, &name);
                let org = noise::org_name(&mut self.rng, &org);
                let period = noise::period(&mut self.rng, YEAR, m as u32);
                t.push(
                    ds::PAYROLL,
                    &[
                        id.as_deref().into(),
                        Val::S(&name),
                        Val::S(&org),
                        Val::S(&period),
                        Val::F(salary as f64 / 100.0),
                        Val::S(kind),
                    ],
                );
            }
        }
        // Roster: officials marked for the platform's own roster.
        for &p in &staff {
            let person = &self.persons[p];
            let s = person.staff.as_ref().expect("staff");
            if !s.roster {
                continue;
            }
            let (position, rank) = *[
                ("局长", "正科级"),
                ("副局长", "副科级"),
                ("股长", "一级科员"),
                ("科员", "二级科员"),
            ]
            .choose(&mut self.rng)
            .expect("position");
            t.push(
                ds::ROSTER,
                &[
                    Val::S(&person.id),
                    Val::S(&person.name),
                    Val::S(&s.org),
                    Val::S(position),
                    Val::S(rank),
                ],
            );
        }
        // Benefit payments, month by month.
        let mut order: Vec<usize> = (0..self.pays.len()).collect();
        order.sort_by_key(|&i| {
            let pay = &self.pays[i];
            (pay.month, pay.program, pay.person, pay.paid_on, i)
        });
        for i in order {
            let pay = &self.pays[i];
            let person = &self.persons[pay.person];
            let h = &self.households[person.hh];
            let (mut region, mut hh_id) = (
                county.towns[h.town].villages[h.village].code.clone(),
                h.hh_on_row_id(pay.hh_on_row),
            );
            if pay.other_place {
                // Paid a second time in another town, under another household number there.
                let t2 = (h.town + 1) % county.towns.len();
                region = county.towns[t2].villages[0].code.clone();
                hh_id = Some(format!("{}{:03}{:07}", county.code, 900 + self.spec.block % 100, i));
            }
            let (id, name, program, month, cents, paid_on, clean) = (
                person.id.clone(),
                person.name.clone(),
                pay.program,
                pay.month,
                pay.cents,
                pay.paid_on,
                pay.clean,
            );
            let id = noise::id_number(&mut self.rng, &id, clean);
            let name = noise::person_name(&mut self.rng, &name);
            let (y, m) = if month <= 0 {
                (YEAR - 1, 12)
            } else {
                (YEAR, month as u32)
            };
            let period = noise::period(&mut self.rng, y, m);
            t.push(
                ds::BENEFIT_PAYMENTS,
                &[
                    id.as_deref().into(),
                    Val::S(&name),
                    Val::S(program),
                    Val::S(&period),
                    Val::F(cents as f64 / 100.0),
                    Val::S(&region),
                    hh_id.as_deref().into(),
                    Val::D(paid_on),
                ],
            );
        }
        // Deaths.
        const SOURCES: [&str; 4] = ["公安户籍注销", "民政殡葬", "卫健死亡医学证明", "医保停保"];
        for p in 0..self.persons.len() {
            let Some(d) = self.persons[p].death.clone() else {
                continue;
            };
            let first = self.rng.random_range(0..SOURCES.len());
            for k in 0..usize::from(d.sources) {
                let person = &self.persons[p];
                let (id, name, clean) = (person.id.clone(), person.name.clone(), person.reserved);
                let id = noise::id_number(&mut self.rng, &id, clean);
                let name = noise::person_name(&mut self.rng, &name);
                t.push(
                    ds::DEATHS,
                    &[
                        id.as_deref().into(),
                        Val::S(&name),
                        Val::D(d.date),
                        Val::S(SOURCES[(first + k) % SOURCES.len()]),
                    ],
                );
            }
        }
        // Vehicles and properties.
        for k in 0..self.vehicles.len() {
            let (owner, plate, vehicle_type, registered, exempt, clean) = {
                let v = &self.vehicles[k];
                (v.owner, v.plate.clone(), v.kind, v.registered, v.exempt, v.clean)
            };
            let id = noise::id_number(&mut self.rng, &self.persons[owner].id.clone(), clean);
            t.push(
                ds::VEHICLES,
                &[
                    id.as_deref().into(),
                    Val::S(&plate),
                    Val::S(vehicle_type),
                    Val::D(registered),
                    exempt.map_or(Val::Null, Val::B),
                ],
            );
        }
        for k in 0..self.properties.len() {
            let (owner, address, area, registered, clean) = {
                let p = &self.properties[k];
                (p.0, p.1.clone(), p.2, p.3, p.4)
            };
            let id = noise::id_number(&mut self.rng, &self.persons[owner].id.clone(), clean);
            t.push(
                ds::PROPERTIES,
                &[id.as_deref().into(), Val::S(&address), Val::F(area), Val::D(registered)],
            );
        }
        // Declared relatives (个人有关事项报告, or the platform's own declarations).
        for k in 0..self.relations.len() {
            let (o, r, relation, declared_only, clean) = {
                let x = &self.relations[k];
                (x.official, x.relative, x.relation, x.declared_only, x.clean)
            };
            let (oid, rid, rname) = (
                self.persons[o].id.clone(),
                self.persons[r].id.clone(),
                self.persons[r].name.clone(),
            );
            let oid = noise::id_number(&mut self.rng, &oid, clean);
            let rid = noise::id_number(&mut self.rng, &rid, clean);
            let rname = noise::person_name(&mut self.rng, &rname);
            let row = [
                oid.as_deref().into(),
                rid.as_deref().into(),
                Val::S(&rname),
                Val::S(relation),
            ];
            t.push(
                if declared_only {
                    ds::DECLARED_RELATIVES
                } else {
                    ds::RELATIVES
                },
                &row,
            );
            if !declared_only && self.persons[o].staff.as_ref().is_some_and(|s| s.roster) {
                t.push(ds::DECLARED_RELATIVES, &row);
            }
        }
        for k in 0..self.filings.len() {
            let (r, program, on) = self.filings[k].clone();
            let id = noise::id_number(&mut self.rng, &self.persons[r].id.clone(), true);
            t.push(
                ds::BENEFIT_FILINGS,
                &[id.as_deref().into(), Val::S(&program), Val::D(on)],
            );
        }
        t
    }
}

impl Household {
    fn hh_on_row_id(&self, on_row: bool) -> Option<String> {
        on_row.then(|| self.id.clone())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PayrollCase {
    Temporary,
    ExitSameMonth,
    EnterSameMonth,
    Edge,
    Reversed,
    Disjoint,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum VehicleCase {
    Positive,
    Exempt,
    Tekun,
    Edge,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PropertyCase {
    Positive,
    Two,
    NotDibao,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BusinessCase {
    Positive,
    JustUnder,
    Supervisor,
    Tekun,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DeathCase {
    Positive,
    Grace,
    Funeral,
    BackPay,
    Reversed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DuplicateCase {
    Positive,
    Reversed,
    Exclusive,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RelativeCase {
    Positive,
    Filed,
    NotHandler,
    NotSubsistence,
}
