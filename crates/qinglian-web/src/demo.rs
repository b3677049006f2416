//! Demo data: the fictional city 示例市 with its commission, stationed groups, municipal
//! units, towns and villages, ~500 people and one user per role.
//!
//! Seeding is deterministic (fixed RNG seed) and idempotent: orgs are found by parent and
//! name, people by ID number, users by username, so a second run changes nothing. The org tree,
//! people and users are written in one transaction with one `demo.seed` audit entry.
//!
//! Each feature then seeds its own demo data into this city (`Feature::demo`, e.g.
//! `data_supervision::demo`), each step only if not done before.

use std::collections::{HashMap, HashSet};

use anyhow::{Context, bail};
use chrono::NaiveDate;
use qinglian_store::audit::{self, Actor, Event, Outcome};
use qinglian_store::org::{self, OrgId, OrgInput, OrgKind, PartyOrgId};
use qinglian_store::permission::BUILTIN_ROLES;
use qinglian_store::{Scope, Tx, person, user};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::App;

/// One demo login, as printed for the person trying the demo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoLogin {
    /// Login name.
    pub username: String,
    /// Chinese role name.
    pub role: String,
    /// The password, or a note that an existing account's password was left unchanged.
    pub password: String,
}

/// Shown instead of a password for a demo user that existed already.
pub const PASSWORD_UNCHANGED: &str = "（已存在，密码未变）";

/// Name of the demo city (the root org).
pub const CITY: &str = "示例市";
/// Name of the demo commission.
pub const COMMISSION: &str = "示例市纪委监委";

const SEED: u64 = 2023_0615;

const COMMISSION_SECTIONS: &[&str] = &[
    "信访室",
    "案件监督管理室",
    "第一监督检查室",
    "第二监督检查室",
    "第一审查调查室",
    "案件审理室",
    "党风政风监督室",
];

const GROUPS: &[&str] = &[
    "派驻第一纪检监察组",
    "派驻第二纪检监察组",
    "派驻第三纪检监察组",
    "派驻第四纪检监察组",
    "派驻第五纪检监察组",
    "派驻第六纪检监察组",
];

/// Municipal units: short name, business sections, index of the supervising stationed group.
const UNITS: &[(&str, &[&str], usize)] = &[
    ("发改委", &["投资科", "经济运行科"], 0),
    ("财政局", &["预算科", "国库科"], 0),
    ("审计局", &["财政审计科", "经济责任审计科"], 0),
    ("公共资源交易中心", &["交易服务科"], 0),
    ("教育局", &["基础教育科", "人事科"], 1),
    ("卫健委", &["医政医管科", "基层卫生科"], 1),
    ("医保局", &["基金监管科"], 1),
    ("民政局", &["社会救助科", "养老服务科"], 2),
    ("人社局", &["就业促进科", "社会保险科"], 2),
    ("文旅局", &["文化产业科"], 2),
    ("自然资源局", &["国土空间规划科", "耕地保护科"], 3),
    ("住建局", &["建筑市场监管科", "房地产市场监管科"], 3),
    ("交通运输局", &["规划建设科"], 3),
    ("城投集团", &["工程管理部", "投融资部"], 3),
    ("农业农村局", &["农村经营管理科", "乡村振兴科"], 4),
    ("水利局", &["水利工程建设科"], 4),
    ("应急管理局", &["安全生产综合监管科"], 4),
    ("公安局", &["治安管理支队", "经济犯罪侦查支队"], 5),
    ("市场监管局", &["食品安全监管科"], 5),
    ("商务局", &["对外贸易科"], 5),
];

/// Towns and streets with their villages or communities.
const TOWNS: &[(&str, &[&str])] = &[
    ("东城街道", &["朝阳社区", "文化路社区", "新华社区", "滨江社区"]),
    ("西山镇", &["西山村", "石桥村", "枫林村", "下坪村", "高岭村"]),
    ("南湖镇", &["南湖村", "荷塘村", "沙洲村"]),
    ("北岭乡", &["北岭村", "杉木村", "上坑村", "龙井村"]),
    ("清河镇", &["清河社区", "柳塘村", "大坝村", "坪山村"]),
    ("柳湾镇", &["柳湾村", "桃源村", "竹溪村"]),
];

/// Surnames with their approximate share of the population (per mille).
const SURNAMES: &[(&str, u32)] = &[
    ("王", 71),
    ("李", 70),
    ("张", 67),
    ("刘", 54),
    ("陈", 45),
    ("杨", 31),
    ("黄", 26),
    ("赵", 23),
    ("吴", 20),
    ("周", 19),
    ("徐", 15),
    ("孙", 15),
    ("马", 13),
    ("朱", 13),
    ("胡", 13),
    ("郭", 12),
    ("何", 11),
    ("高", 11),
    ("林", 11),
    ("罗", 9),
    ("郑", 9),
    ("梁", 9),
    ("谢", 8),
    ("宋", 7),
    ("唐", 7),
    ("许", 7),
    ("韩", 7),
    ("冯", 7),
    ("邓", 7),
    ("曹", 6),
    ("彭", 6),
    ("曾", 6),
    ("肖", 6),
    ("田", 5),
    ("董", 5),
    ("袁", 5),
    ("潘", 5),
    ("于", 5),
    ("蒋", 5),
    ("蔡", 5),
    ("余", 5),
    ("杜", 4),
    ("叶", 4),
    ("程", 4),
    ("苏", 4),
    ("魏", 4),
    ("吕", 4),
    ("丁", 4),
    ("任", 4),
    ("沈", 3),
    ("姚", 3),
    ("卢", 3),
    ("姜", 3),
    ("崔", 3),
    ("钟", 3),
    ("谭", 3),
    ("陆", 3),
    ("汪", 3),
    ("范", 3),
    ("金", 3),
    ("石", 3),
    ("廖", 3),
    ("贾", 3),
    ("夏", 3),
    ("韦", 2),
    ("付", 2),
    ("方", 2),
    ("白", 2),
    ("邹", 2),
    ("孟", 2),
    ("熊", 2),
    ("秦", 2),
    ("邱", 2),
    ("江", 2),
    ("尹", 2),
    ("薛", 2),
    ("段", 2),
    ("雷", 2),
    ("侯", 2),
    ("龙", 2),
    ("史", 2),
    ("黎", 2),
    ("赖", 2),
    ("欧阳", 1),
    ("温", 1),
];

const MALE_OLDER: &[&str] = &[
    "建华", "建国", "国庆", "卫东", "志强", "志明", "永刚", "建军", "海涛", "文斌", "红兵", "立新", "国平", "德明",
    "春生", "金华", "伟", "强", "军", "勇", "平", "刚", "斌", "明", "辉", "华", "林", "波", "峰", "东", "杰",
];
const MALE_YOUNGER: &[&str] = &[
    "浩然", "子轩", "宇航", "博文", "晨阳", "家豪", "俊杰", "晓东", "嘉伟", "思远", "文杰", "天宇", "明轩", "磊", "鹏",
    "超", "涛", "鑫", "宇", "浩", "凯", "健", "帆", "旭", "阳", "翔", "昊", "锐", "骏", "亮",
];
const FEMALE_OLDER: &[&str] = &[
    "秀英", "桂英", "秀兰", "丽华", "海燕", "春梅", "红梅", "玉兰", "淑珍", "美玲", "晓燕", "雅琴", "芳", "敏", "静",
    "丽", "艳", "娟", "霞", "玲", "萍", "红", "英", "华", "莉",
];
const FEMALE_YOUNGER: &[&str] = &[
    "欣怡", "诗涵", "梦瑶", "思雨", "雨欣", "佳琪", "文静", "雅婷", "婉婷", "晓雪", "紫涵", "可馨", "娜", "婷", "雪",
    "慧", "颖", "琳", "洁", "倩", "晶", "佳", "丹", "悦", "璐", "蕾",
];

/// County-level region codes of the fictional prefecture (first six ID digits).
const REGIONS: &[&str] = &[
    "360702", "360702", "360702", "360703", "360704", "360721", "360722", "360723", "360724", "360725", "360726",
    "360728", "360729", "360730", "360731", "360732", "360733", "360734", "360735", "360781", "360783",
];

const PHONE_PREFIXES: &[&str] = &[
    "133", "135", "136", "137", "138", "139", "150", "151", "152", "158", "159", "177", "180", "181", "186", "187",
    "188", "189", "191", "199",
];

/// Demo accounts: username, display name, role code.
const USERS: &[(&str, &str, &str)] = &[
    ("sysadmin", "赵志刚", "sysadmin"),
    ("secadmin", "钱卫平", "secadmin"),
    ("auditor", "孙丽娟", "auditor"),
    ("leader", "李建华", "leader"),
    ("reports", "周晓燕", "reports"),
    ("casemgmt", "吴海涛", "casemgmt"),
    ("supervision", "郑文斌", "supervision"),
    ("investigation", "王志强", "investigation"),
    ("adjudication", "冯秀英", "adjudication"),
    ("conduct", "陈国庆", "conduct"),
    ("stationed", "褚红梅", "stationed"),
    ("unit1", "卫小军", "unit_admin"),
    ("unit2", "蒋丽华", "unit_admin"),
];

/// A person to create, before validation.
struct Draft {
    org_id: OrgId,
    post: &'static str,
    rank: &'static str,
    party_member: bool,
    supervised: bool,
    principal: bool,
    leadership_member: bool,
    /// Birth-year range for the post.
    years: (i32, i32),
    /// Probability of a man in this post.
    male: f64,
}

/// Deterministic generator of names, ID numbers and phones.
struct People {
    rng: StdRng,
    ids: HashSet<String>,
    phones: HashSet<String>,
}

impl People {
    fn pick<'a>(&mut self, list: &[&'a str]) -> &'a str {
        list[self.rng.random_range(0..list.len())]
    }

    fn surname(&mut self) -> &'static str {
        let total: u32 = SURNAMES.iter().map(|(_, w)| w).sum();
        let mut x = self.rng.random_range(0..total);
        for (s, w) in SURNAMES {
            if x < *w {
                return s;
            }
            x -= w;
        }
        "王"
    }

    fn person(&mut self, d: &Draft) -> person::PersonInput {
        let male = self.rng.random_bool(d.male);
        let year = self.rng.random_range(d.years.0..=d.years.1);
        let birth = NaiveDate::from_yo_opt(year, self.rng.random_range(1..=365)).unwrap_or(NaiveDate::MIN);
        let given = match (male, year < 1980) {
            (true, true) => self.pick(MALE_OLDER),
            (true, false) => self.pick(MALE_YOUNGER),
            (false, true) => self.pick(FEMALE_OLDER),
            (false, false) => self.pick(FEMALE_YOUNGER),
        };
        let name = format!("{}{given}", self.surname());
        let id_number = loop {
            let region = self.pick(REGIONS);
            // The 17th digit is odd for men and even for women.
            let seq = self.rng.random_range(0..500u16) * 2 + u16::from(male);
            let id = qinglian_domain::id_number::generate(region, birth, seq)
                .as_str()
                .to_string();
            if self.ids.insert(id.clone()) {
                break id;
            }
        };
        let phone = loop {
            let p = format!(
                "{}{:08}",
                self.pick(PHONE_PREFIXES),
                self.rng.random_range(0..100_000_000u32)
            );
            if self.phones.insert(p.clone()) {
                break p;
            }
        };
        person::PersonInput {
            org_id: d.org_id,
            name,
            id_number,
            post: d.post.into(),
            rank: d.rank.into(),
            party_member: d.party_member,
            supervised: d.supervised,
            principal: d.principal,
            leadership_member: d.leadership_member,
            phone,
        }
    }
}

/// What a run created, for the audit entry.
#[derive(Default)]
struct Created {
    orgs: usize,
    party_orgs: usize,
    people: usize,
    users: usize,
    passwords_reset: usize,
}

/// Find a child org by name or create it.
async fn org_get_or_create(tx: &mut Tx, created: &mut Created, input: OrgInput) -> anyhow::Result<OrgId> {
    if let Some(id) = org::child_named(tx, input.parent_id, &input.name).await? {
        return Ok(id);
    }
    let name = input.name.clone();
    let id = org::create(tx, &input)
        .await
        .with_context(|| format!("创建演示单位“{name}”失败"))?;
    created.orgs += 1;
    Ok(id)
}

async fn party_org_get_or_create(
    tx: &mut Tx,
    created: &mut Created,
    org_id: OrgId,
    parent: Option<PartyOrgId>,
    name: &str,
    kind: &str,
) -> anyhow::Result<PartyOrgId> {
    if let Some(id) = org::party_org_named(tx, org_id, name).await? {
        return Ok(id);
    }
    created.party_orgs += 1;
    Ok(org::create_party_org(tx, org_id, parent, name, kind).await?)
}

fn child(
    parent: OrgId,
    name: impl Into<String>,
    kind: OrgKind,
    sort_order: i64,
    supervised_by: Option<OrgId>,
) -> OrgInput {
    OrgInput {
        parent_id: Some(parent),
        name: name.into(),
        kind,
        code: None,
        sort_order,
        supervised_by,
    }
}

/// Shorthand for a person slot.
#[allow(clippy::too_many_arguments)]
fn slot(
    org_id: OrgId,
    post: &'static str,
    rank: &'static str,
    party: bool,
    principal: bool,
    leadership: bool,
    years: (i32, i32),
    male: f64,
) -> Draft {
    Draft {
        org_id,
        post,
        rank,
        party_member: party,
        supervised: true,
        principal,
        leadership_member: leadership,
        years,
        male,
    }
}

const SENIOR: (i32, i32) = (1965, 1978);
const MIDDLE: (i32, i32) = (1972, 1988);
const JUNIOR: (i32, i32) = (1985, 2000);

/// The org ids the users' scopes refer to.
/// The demo city as the features' demo seeding finds it (issue #11 §1: each feature seeds its
/// own demo data).
#[derive(Debug, Clone)]
pub struct DemoCity {
    /// 示例市.
    pub root: OrgId,
    /// 示例市纪委监委.
    pub commission: OrgId,
    /// The commission's offices by name (信访室, 第一监督检查室…).
    pub sections: HashMap<&'static str, OrgId>,
    /// The municipal units by short name (财政局, 民政局…).
    pub units: HashMap<&'static str, OrgId>,
}

struct Tree {
    root: OrgId,
    commission: OrgId,
    sections: HashMap<&'static str, OrgId>,
    groups: Vec<OrgId>,
    units: HashMap<&'static str, OrgId>,
}

/// Build (or find) the org tree and collect the people to create.
async fn build_tree(
    tx: &mut Tx,
    created: &mut Created,
    rng: &mut StdRng,
    drafts: &mut Vec<Draft>,
) -> anyhow::Result<Tree> {
    let root = org_get_or_create(
        tx,
        created,
        OrgInput {
            parent_id: None,
            name: CITY.into(),
            kind: OrgKind::City,
            code: None,
            sort_order: 0,
            supervised_by: None,
        },
    )
    .await?;
    let city_committee =
        party_org_get_or_create(tx, created, root, None, "中共示例市委员会", "party_committee").await?;

    // The commission, its leadership and its offices.
    let commission = org_get_or_create(tx, created, child(root, COMMISSION, OrgKind::Commission, 1, None)).await?;
    party_org_get_or_create(
        tx,
        created,
        commission,
        Some(city_committee),
        "中共示例市纪委监委机关支部委员会",
        "branch",
    )
    .await?;
    drafts.push(slot(
        commission,
        "市委常委、市纪委书记、市监委主任",
        "副厅级",
        true,
        true,
        true,
        (1965, 1972),
        0.85,
    ));
    for _ in 0..2 {
        drafts.push(slot(
            commission,
            "市纪委副书记、市监委副主任",
            "正处级",
            true,
            false,
            true,
            SENIOR,
            0.75,
        ));
    }
    for _ in 0..3 {
        drafts.push(slot(commission, "市纪委常委", "副处级", true, false, true, SENIOR, 0.7));
    }
    let mut sections = HashMap::new();
    for (i, name) in COMMISSION_SECTIONS.iter().enumerate() {
        let id = org_get_or_create(
            tx,
            created,
            child(commission, *name, OrgKind::Section, i as i64 + 1, None),
        )
        .await?;
        sections.insert(*name, id);
        drafts.push(slot(id, "主任", "正科级", true, false, false, MIDDLE, 0.7));
        drafts.push(slot(id, "副主任", "副科级", true, false, false, MIDDLE, 0.6));
        for _ in 0..rng.random_range(2..=3) {
            drafts.push(slot(
                id,
                "科员",
                "一级科员",
                rng.random_bool(0.85),
                false,
                false,
                JUNIOR,
                0.5,
            ));
        }
    }
    let mut groups = Vec::new();
    for (i, name) in GROUPS.iter().enumerate() {
        let id = org_get_or_create(
            tx,
            created,
            child(commission, *name, OrgKind::StationedGroup, 20 + i as i64, None),
        )
        .await?;
        groups.push(id);
        drafts.push(slot(id, "组长", "副处级", true, true, true, SENIOR, 0.75));
        drafts.push(slot(id, "副组长", "正科级", true, false, true, MIDDLE, 0.65));
        for _ in 0..rng.random_range(1..=2) {
            drafts.push(slot(id, "科员", "一级科员", true, false, false, JUNIOR, 0.5));
        }
    }

    // Municipal units with their sections, each supervised by a stationed group.
    let mut units = HashMap::new();
    for (i, (short, business, group)) in UNITS.iter().enumerate() {
        let name = format!("{CITY}{short}");
        let enterprise = *short == "城投集团";
        let id = org_get_or_create(
            tx,
            created,
            child(root, name.clone(), OrgKind::Unit, 100 + i as i64, Some(groups[*group])),
        )
        .await?;
        units.insert(*short, id);
        if enterprise {
            party_org_get_or_create(
                tx,
                created,
                id,
                Some(city_committee),
                &format!("中共{name}委员会"),
                "party_committee",
            )
            .await?;
        } else {
            party_org_get_or_create(tx, created, id, None, &format!("中共{name}党组"), "party_group").await?;
            party_org_get_or_create(tx, created, id, None, &format!("中共{name}机关支部委员会"), "branch").await?;
        }
        let (head, deputy, chief, vice, staff, chief_rank, vice_rank, staff_rank) = if enterprise {
            (
                "党委书记、董事长",
                "党委委员、副总经理",
                "部长",
                "副部长",
                "职员",
                "",
                "",
                "",
            )
        } else if *short == "公安局" {
            (
                "党委书记、局长",
                "党委委员、副局长",
                "支队长",
                "副支队长",
                "民警",
                "正科级",
                "副科级",
                "一级警长",
            )
        } else {
            (
                "党组书记、局长",
                "党组成员、副局长",
                "科长",
                "副科长",
                "科员",
                "正科级",
                "副科级",
                "一级科员",
            )
        };
        let (head_rank, deputy_rank) = if enterprise {
            ("", "")
        } else {
            ("正处级", "副处级")
        };
        drafts.push(slot(id, head, head_rank, true, true, true, SENIOR, 0.85));
        for _ in 0..rng.random_range(2..=3) {
            drafts.push(slot(id, deputy, deputy_rank, true, false, true, SENIOR, 0.7));
        }
        let office = if enterprise { "综合办公室" } else { "办公室" };
        let finance = if enterprise { "财务部" } else { "财务科" };
        let all: Vec<&str> = [office, finance].into_iter().chain(business.iter().copied()).collect();
        for (j, sec) in all.iter().enumerate() {
            let sid = org_get_or_create(tx, created, child(id, *sec, OrgKind::Section, j as i64 + 1, None)).await?;
            let sec_chief = if *sec == office && !enterprise { "主任" } else { chief };
            let sec_vice = if *sec == office && !enterprise {
                "副主任"
            } else {
                vice
            };
            drafts.push(slot(
                sid,
                sec_chief,
                chief_rank,
                rng.random_bool(0.95),
                false,
                false,
                MIDDLE,
                0.65,
            ));
            if rng.random_bool(0.6) {
                drafts.push(slot(
                    sid,
                    sec_vice,
                    vice_rank,
                    rng.random_bool(0.85),
                    false,
                    false,
                    MIDDLE,
                    0.55,
                ));
            }
            for _ in 0..rng.random_range(1..=3) {
                let mut d = slot(sid, staff, staff_rank, rng.random_bool(0.6), false, false, JUNIOR, 0.5);
                if rng.random_bool(0.06) {
                    // Contract staff in a support post are not supervised objects.
                    d.post = "工作人员（编外聘用）";
                    d.rank = "";
                    d.supervised = false;
                }
                drafts.push(d);
            }
        }
    }

    // Towns and streets with their villages and communities.
    for (i, (town, villages)) in TOWNS.iter().enumerate() {
        let street = town.ends_with("街道");
        let tid = org_get_or_create(tx, created, child(root, *town, OrgKind::Town, 200 + i as i64, None)).await?;
        let committee_name = if street {
            format!("中共示例市{town}工作委员会")
        } else {
            format!("中共示例市{town}委员会")
        };
        let town_party = party_org_get_or_create(
            tx,
            created,
            tid,
            Some(city_committee),
            &committee_name,
            "party_committee",
        )
        .await?;
        let posts: &[(&'static str, &'static str, bool)] = if street {
            &[
                ("党工委书记", "正科级", true),
                ("党工委副书记、办事处主任", "正科级", false),
                ("党工委委员、纪工委书记", "副科级", false),
                ("办事处副主任", "副科级", false),
                ("办事处副主任", "副科级", false),
            ]
        } else {
            &[
                ("镇党委书记", "正科级", true),
                ("镇党委副书记、镇长", "正科级", false),
                ("镇党委委员、纪委书记", "副科级", false),
                ("副镇长", "副科级", false),
                ("副镇长", "副科级", false),
            ]
        };
        for (post, rank, principal) in posts {
            drafts.push(slot(tid, post, rank, true, *principal, true, (1968, 1986), 0.75));
        }
        for _ in 0..2 {
            drafts.push(slot(
                tid,
                "科员",
                "一级科员",
                rng.random_bool(0.6),
                false,
                false,
                JUNIOR,
                0.5,
            ));
        }
        for (j, village) in villages.iter().enumerate() {
            let vid =
                org_get_or_create(tx, created, child(tid, *village, OrgKind::Village, j as i64 + 1, None)).await?;
            let community = village.ends_with("社区");
            party_org_get_or_create(
                tx,
                created,
                vid,
                Some(town_party),
                &format!("中共{town}{village}支部委员会"),
                "branch",
            )
            .await?;
            let (head, member) = if community {
                ("社区党支部书记、居委会主任", "社区居委会委员")
            } else {
                ("村党支部书记、村委会主任", "村委会委员")
            };
            drafts.push(slot(vid, head, "", true, true, true, (1965, 1985), 0.8));
            for _ in 0..rng.random_range(1..=2) {
                drafts.push(slot(
                    vid,
                    member,
                    "",
                    rng.random_bool(0.6),
                    false,
                    true,
                    (1970, 1995),
                    0.55,
                ));
            }
            drafts.push(slot(
                vid,
                if community {
                    "社区监督委员会主任"
                } else {
                    "村务监督委员会主任"
                },
                "",
                true,
                false,
                false,
                (1965, 1985),
                0.7,
            ));
            if !community {
                drafts.push(slot(
                    vid,
                    "村报账员",
                    "",
                    rng.random_bool(0.5),
                    false,
                    false,
                    (1975, 1995),
                    0.4,
                ));
            }
        }
    }
    Ok(Tree {
        root,
        commission,
        sections,
        groups,
        units,
    })
}

/// Seed the demo city, idempotently. `password` (from `QINGLIAN_DEMO_PASSWORD`) sets every
/// demo user's password; without it new users get a generated one and existing users keep
/// theirs. Returns the demo logins to print.
pub async fn seed(app: &App, password: Option<String>) -> anyhow::Result<Vec<DemoLogin>> {
    let db = &app.db;
    let policy: qinglian_store::setting::SecurityPolicy =
        qinglian_store::setting::get(db, qinglian_store::setting::SECURITY_POLICY)
            .await
            .context("读取安全策略失败")?;
    if let Some(p) = &password {
        policy
            .check_password(p, "")
            .map_err(|m| anyhow::anyhow!("QINGLIAN_DEMO_PASSWORD不符合密码策略：{m}"))?;
    }
    let mut tx = db.begin().await?;
    for name in org::root_names(&mut tx).await? {
        if name != CITY {
            bail!("数据库中已有根单位“{name}”，演示数据只能装入空数据库或已有的演示库");
        }
    }

    let mut created = Created::default();
    let mut rng = StdRng::seed_from_u64(SEED);
    let mut drafts = Vec::new();
    let tree = build_tree(&mut tx, &mut created, &mut rng, &mut drafts).await?;
    org::refresh_tree_rank(&mut tx).await?;

    let root_path = org::get_unscoped(&mut *tx, tree.root).await?.path;
    let scope = Scope::new(vec![root_path]);
    let mut people = People {
        rng,
        ids: HashSet::new(),
        phones: HashSet::new(),
    };
    for d in &drafts {
        let input = people.person(d);
        if person::id_number_exists(&mut *tx, &input.id_number).await? {
            continue;
        }
        let valid = person::validate(input).map_err(|errs| anyhow::anyhow!("演示人员数据无效：{errs:?}"))?;
        person::create(&mut tx, &scope, &valid)
            .await
            .context("创建演示人员失败")?;
        created.people += 1;
    }

    let stationed_units: Vec<OrgId> = UNITS
        .iter()
        .filter(|(_, _, g)| *g == 0)
        .filter_map(|(short, _, _)| tree.units.get(short).copied())
        .collect();
    let mut logins = Vec::new();
    for (username, display_name, role_code) in USERS {
        let role = BUILTIN_ROLES
            .iter()
            .find(|r| r.code == *role_code)
            .context("内置角色缺失")?;
        let (home, scope_orgs): (Option<OrgId>, Vec<OrgId>) = match *role_code {
            "sysadmin" | "secadmin" | "auditor" => (Some(tree.commission), vec![]),
            "leader" => (Some(tree.commission), vec![tree.root]),
            "reports" => (tree.sections.get("信访室").copied(), vec![tree.root]),
            "casemgmt" => (tree.sections.get("案件监督管理室").copied(), vec![tree.root]),
            "supervision" => (tree.sections.get("第一监督检查室").copied(), vec![tree.root]),
            "investigation" => (tree.sections.get("第一审查调查室").copied(), vec![tree.root]),
            "adjudication" => (tree.sections.get("案件审理室").copied(), vec![tree.root]),
            "conduct" => (tree.sections.get("党风政风监督室").copied(), vec![tree.root]),
            "stationed" => (
                Some(tree.groups[0]),
                std::iter::once(tree.groups[0])
                    .chain(stationed_units.iter().copied())
                    .collect(),
            ),
            _ => {
                let unit = if *username == "unit1" {
                    tree.units["财政局"]
                } else {
                    tree.units["民政局"]
                };
                (Some(unit), vec![unit])
            }
        };
        let shown = match user::find_auth(&mut *tx, username).await? {
            Some(existing) => match &password {
                Some(p) => {
                    if !crate::password::verify(p, &existing.password_hash) || existing.user.must_change_password {
                        user::set_password(&mut tx, existing.user.id, &crate::password::hash(p), false).await?;
                        created.passwords_reset += 1;
                    }
                    p.clone()
                }
                None => PASSWORD_UNCHANGED.to_string(),
            },
            None => {
                let pw = match &password {
                    Some(p) => p.clone(),
                    None => generated_password(&policy, username),
                };
                let id = user::create(
                    &mut tx,
                    &user::NewUser {
                        username: username.to_string(),
                        display_name: display_name.to_string(),
                        org_id: home,
                        password_hash: crate::password::hash(&pw),
                        must_change_password: false,
                    },
                )
                .await?;
                let role_id = user::role_id(&mut *tx, role.code).await?;
                user::set_roles(&mut tx, id, &[role_id]).await?;
                user::set_scope(&mut tx, id, &scope_orgs).await?;
                created.users += 1;
                pw
            }
        };
        logins.push(DemoLogin {
            username: username.to_string(),
            role: role.name.to_string(),
            password: shown,
        });
    }

    if created.orgs + created.party_orgs + created.people + created.users + created.passwords_reset > 0 {
        let detail = format!(
            "装入演示数据：新建单位{}个、党组织{}个、人员{}人、用户{}个，重置演示账号密码{}个",
            created.orgs, created.party_orgs, created.people, created.users, created.passwords_reset
        );
        let event = Event {
            action: "demo.seed",
            object_type: "org",
            object_id: tree.root.to_string(),
            outcome: Outcome::Success,
            detail,
        };
        audit::append(&mut tx, app.mode(), &Actor::system("demo"), &event).await?;
    }
    tx.commit().await?;
    let city = DemoCity {
        root: tree.root,
        commission: tree.commission,
        sections: tree.sections,
        units: tree.units,
    };
    for f in crate::feature::FEATURES {
        if let Some(seed) = f.demo {
            seed(app, &city)
                .await
                .with_context(|| format!("装入演示数据失败（{}）", f.name))?;
        }
    }
    Ok(logins)
}

/// A generated password that satisfies the policy (longer policies get longer passwords).
fn generated_password(policy: &qinglian_store::setting::SecurityPolicy, username: &str) -> String {
    let mut pw = crate::password::generate();
    while policy.check_password(&pw, username).is_err() && pw.len() < 128 {
        pw.push_str(&crate::password::generate());
    }
    pw
}
