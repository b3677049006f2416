//! The built-in model library (issue #3 §2), with the default meanings and parameters.
//!
//! Month arithmetic on 'YYYY-MM' periods uses `year * 12 + month`; periods compare as text.

use super::{Model, Param, ParamValue, Severity, SubjectKind};

/// Stable ids of the built-in models, in the order of issue #3.
pub const BUILTIN_IDS: [&str; 14] = [
    "payroll_subsistence",
    "subsistence_vehicle",
    "subsistence_property",
    "subsistence_business",
    "paid_after_death",
    "duplicate_payment",
    "relative_benefit_unfiled",
    "relative_supplier",
    "split_purchase",
    "bid_rigging_links",
    "perpetual_loser",
    "captive_supplier",
    "new_small_winner",
    "price_near_budget",
];

/// Default of a parameter in the static library.
enum D {
    Bool(bool),
    Int(i64),
    Num(f64),
    List(&'static [&'static str]),
}

struct Def {
    id: &'static str,
    /// Bumped whenever the meaning of the SQL changes (findings record the version they came from).
    version: u32,
    title: &'static str,
    subject_kind: SubjectKind,
    severity: Severity,
    params: &'static [(&'static str, &'static str, D)],
    sql: &'static str,
    explanation: &'static str,
}

/// Keywords of 低保/特困供养 programs (五保 is the former name of 特困供养).
const SUBSISTENCE: &[&str] = &["低保", "最低生活保障", "特困", "五保"];
/// Keywords of 特困供养 programs.
const TEKUN: &[&str] = &["特困", "五保"];
/// Keywords of 低保 programs only.
const DIBAO: &[&str] = &["低保", "最低生活保障"];
/// Programs that contain a subsistence keyword but are not subsistence (低保边缘家庭).
const SUBSISTENCE_EXCLUDED: &[&str] = &["边缘"];

/// Shared CTEs of the household-based subsistence models:
/// `sub` (subsistence payment rows with their household `hh`; a recipient without a household
/// is a household of one keyed by their ID number), `sub_month` (household-months actually
/// paid: reversals netted), `households` (households paid at least once) and `hh_members`
/// (their members: from `persons` and the recipients themselves).
///
/// Written for speed at city scale: the CTEs used more than once (`sub0`, `sub`, `sub_month`)
/// are computed once by the embedded engine (`materialize`); `persons` is aggregated only for
/// the recipients whose payment rows lack a household id (`pers`), and members are joined to
/// the paid households before deduplication rather than deduplicating all of `persons`.
macro_rules! subsistence_ctes {
    () => {
        "WITH sub0 AS (
  SELECT b.id_number, b.household_id, b.name, b.program, b.period, b.amount, b.paid_on
  FROM benefit_payments b
  WHERE (b.id_number IS NOT NULL OR b.household_id IS NOT NULL)
    AND {{subsistence_programs ~ b.program}} AND NOT {{excluded_programs ~ b.program}}
),
pers AS (
  SELECT p.id_number, MIN(p.household_id) AS household_id FROM persons p
  WHERE p.id_number IN (SELECT id_number FROM sub0 WHERE household_id IS NULL AND id_number IS NOT NULL)
  GROUP BY p.id_number
),
sub AS (
  SELECT COALESCE(s.household_id, pers.household_id, s.id_number) AS hh,
         s.id_number, s.name, s.program, s.period, s.amount, s.paid_on
  FROM sub0 s LEFT JOIN pers ON pers.id_number = s.id_number AND s.household_id IS NULL
),
sub_month AS (
  SELECT hh, period FROM sub WHERE period IS NOT NULL
  GROUP BY hh, period HAVING SUM(COALESCE(amount, 1)) > 0
),
members AS (
  SELECT household_id AS hh, id_number FROM persons WHERE household_id IS NOT NULL AND id_number IS NOT NULL
  UNION ALL
  SELECT hh, id_number FROM sub WHERE id_number IS NOT NULL
),
households AS (SELECT DISTINCT hh FROM sub_month),
hh_members AS (SELECT DISTINCT m.hh, m.id_number FROM households h JOIN members m ON m.hh = h.hh)
"
    };
}

/// Shared CTEs of the relative models: `staff` (officials with their org from `payroll` and the
/// platform's `roster`) and `rels` (relatives from 个人有关事项报告 and the platform's declared
/// relatives). Ends with a comma: the model continues the WITH list.
macro_rules! officials_and_relatives {
    () => {
        "WITH staff AS (
  SELECT id_number, org FROM payroll WHERE id_number IS NOT NULL AND org IS NOT NULL
  UNION
  SELECT id_number, org FROM roster WHERE id_number IS NOT NULL AND org IS NOT NULL
),
rels AS (
  SELECT official_id_number, relative_id_number, relative_name, relation FROM relatives
  WHERE official_id_number IS NOT NULL AND relative_id_number IS NOT NULL
  UNION
  SELECT official_id_number, relative_id_number, relative_name, relation FROM declared_relatives
  WHERE official_id_number IS NOT NULL AND relative_id_number IS NOT NULL
),
"
    };
}

const DEFS: &[Def] = &[
    Def {
        id: "payroll_subsistence",
        version: 2,
        title: "财政供养人员家庭享受低保/特困供养",
        subject_kind: SubjectKind::Household,
        severity: Severity::High,
        params: &[
            ("subsistence_programs", "低保/特困项目关键词", D::List(SUBSISTENCE)),
            ("excluded_programs", "排除的项目关键词", D::List(SUBSISTENCE_EXCLUDED)),
            (
                "staff_types",
                "计入的人员类别关键词（编制内人员）",
                D::List(&["编制内", "在编", "行政编制", "事业编制", "公务员", "参公", "参照公务员"]),
            ),
            (
                "excluded_staff_types",
                "不计的人员类别关键词（临时、编外人员）",
                D::List(&[
                    "非在编",
                    "不在编",
                    "非编制",
                    "编制外",
                    "编外",
                    "临时",
                    "劳务派遣",
                    "公益性岗位",
                ]),
            ),
            ("unlabelled_counted", "工资数据全无人员类别时视为编制内", D::Bool(true)),
            ("same_month_exit", "仅交接当月重叠（同月退出）不计", D::Bool(true)),
        ],
        sql: concat!(
            subsistence_ctes!(),
            ",
labelled AS (SELECT COUNT(staff_type) AS n FROM payroll),
staff AS (
  SELECT p.id_number, p.name, p.org, p.period, p.amount, p.staff_type FROM payroll p CROSS JOIN labelled
  WHERE p.id_number IS NOT NULL AND p.period IS NOT NULL
    AND (({{staff_types ~ p.staff_type}} AND NOT {{excluded_staff_types ~ p.staff_type}})
         OR ({{unlabelled_counted}} AND p.staff_type IS NULL AND labelled.n = 0))
),
staff_month AS (SELECT DISTINCT id_number, period FROM staff),
overlap AS (
  SELECT DISTINCT sm.hh, sm.period, m.id_number AS member,
         CAST(substr(sm.period, 1, 4) AS BIGINT) * 12 + CAST(substr(sm.period, 6, 2) AS BIGINT) AS mi
  FROM sub_month sm
  JOIN members m ON m.hh = sm.hh
  JOIN staff_month s ON s.id_number = m.id_number AND s.period = sm.period
),
staff_mi AS (
  SELECT id_number, CAST(substr(period, 1, 4) AS BIGINT) * 12 + CAST(substr(period, 6, 2) AS BIGINT) AS mi
  FROM staff_month WHERE id_number IN (SELECT member FROM overlap)
),
sub_mi AS (
  SELECT hh, CAST(substr(period, 1, 4) AS BIGINT) * 12 + CAST(substr(period, 6, 2) AS BIGINT) AS mi
  FROM sub_month WHERE hh IN (SELECT hh FROM overlap)
),
bounds AS (
  SELECT (SELECT MAX(period) FROM benefit_payments) AS last_benefit,
         (SELECT MAX(period) FROM payroll) AS last_payroll
),
hits AS (
  SELECT o.hh, o.period, o.member
  FROM overlap o CROSS JOIN bounds
  LEFT JOIN staff_mi sp ON sp.id_number = o.member AND sp.mi = o.mi - 1
  LEFT JOIN staff_mi sn ON sn.id_number = o.member AND sn.mi = o.mi + 1
  LEFT JOIN sub_mi bp ON bp.hh = o.hh AND bp.mi = o.mi - 1
  LEFT JOIN sub_mi bn ON bn.hh = o.hh AND bn.mi = o.mi + 1
  WHERE NOT ({{same_month_exit}} AND (
        (sp.id_number IS NULL AND bn.hh IS NULL AND bounds.last_benefit > o.period)
     OR (sn.id_number IS NULL AND bp.hh IS NULL AND bounds.last_payroll > o.period)))
)
SELECT hits.hh AS subject, hits.period AS period,
       sub.id_number AS recipient_id_number, sub.name AS recipient_name, sub.program, sub.amount AS benefit_amount,
       staff.id_number AS staff_id_number, staff.name AS staff_name, staff.org, staff.staff_type,
       staff.amount AS salary
FROM hits
JOIN sub ON sub.hh = hits.hh AND sub.period = hits.period
JOIN staff ON staff.id_number = hits.member AND staff.period = hits.period"
        ),
        explanation: "{period}，家庭（户编号{subject}）领取{program}，同月家庭成员{staff_name}（{staff_id_number}）在{org}作为{staff_type}人员领取工资。",
    },
    Def {
        id: "subsistence_vehicle",
        version: 1,
        title: "低保家庭成员名下有车辆",
        subject_kind: SubjectKind::Household,
        severity: Severity::Medium,
        params: &[
            ("subsistence_programs", "低保项目关键词", D::List(DIBAO)),
            ("excluded_programs", "排除的项目关键词", D::List(SUBSISTENCE_EXCLUDED)),
            (
                "exempt_vehicle_types",
                "未标明是否豁免时视为豁免的车辆类型关键词",
                D::List(&["残疾人", "代步", "农用", "拖拉机"]),
            ),
        ],
        sql: concat!(
            subsistence_ctes!(),
            "SELECT m.hh AS subject, CAST(NULL AS VARCHAR) AS period,
       v.owner_id_number, v.plate, v.vehicle_type, v.registered_on
FROM hh_members m
JOIN vehicles v ON v.owner_id_number = m.id_number
WHERE NOT COALESCE(v.exempt, {{exempt_vehicle_types ~ v.vehicle_type}})"
        ),
        explanation: "低保家庭（户编号{subject}）成员{owner_id_number}名下登记有非豁免车辆{plate}（{vehicle_type}）。",
    },
    Def {
        id: "subsistence_property",
        version: 1,
        title: "低保家庭名下有多套房产",
        subject_kind: SubjectKind::Household,
        severity: Severity::Medium,
        params: &[
            ("subsistence_programs", "低保项目关键词", D::List(DIBAO)),
            ("excluded_programs", "排除的项目关键词", D::List(SUBSISTENCE_EXCLUDED)),
            ("min_properties", "房产套数下限", D::Int(3)),
        ],
        sql: concat!(
            subsistence_ctes!(),
            ",
props AS (
  SELECT DISTINCT m.hh, p.owner_id_number, p.address, p.area, p.registered_on
  FROM hh_members m JOIN properties p ON p.owner_id_number = m.id_number
),
counted AS (
  SELECT hh, COUNT(DISTINCT COALESCE(address,
           concat(owner_id_number, '|', CAST(registered_on AS VARCHAR), '|', CAST(area AS VARCHAR)))) AS property_count
  FROM props GROUP BY hh
)
SELECT c.hh AS subject, CAST(NULL AS VARCHAR) AS period, c.property_count,
       p.owner_id_number, p.address, p.area, p.registered_on
FROM counted c JOIN props p ON p.hh = c.hh
WHERE c.property_count >= {{min_properties}}"
        ),
        explanation: "低保家庭（户编号{subject}）成员名下共有{property_count}套房产，达到{min_properties}套。",
    },
    Def {
        id: "subsistence_business",
        version: 1,
        title: "低保家庭成员开办或持股企业",
        subject_kind: SubjectKind::Household,
        severity: Severity::Medium,
        params: &[
            ("subsistence_programs", "低保项目关键词", D::List(DIBAO)),
            ("excluded_programs", "排除的项目关键词", D::List(SUBSISTENCE_EXCLUDED)),
            ("min_registered_capital", "注册资本下限（元）", D::Num(500_000.0)),
            (
                "shareholder_roles",
                "计入的人员身份关键词",
                D::List(&["股东", "法定代表人", "投资人", "出资人", "合伙人"]),
            ),
        ],
        sql: concat!(
            subsistence_ctes!(),
            ",
roles AS (
  SELECT legal_rep_id_number AS person_id, credit_code, '法定代表人' AS role FROM enterprises
  WHERE legal_rep_id_number IS NOT NULL AND credit_code IS NOT NULL
  UNION ALL
  SELECT person_id_number, credit_code, COALESCE(role, '股东') FROM shareholders
  WHERE person_id_number IS NOT NULL AND credit_code IS NOT NULL
    AND (role IS NULL OR {{shareholder_roles ~ role}} OR share_ratio > 0)
)
SELECT m.hh AS subject, CAST(NULL AS VARCHAR) AS period,
       r.person_id, r.role, e.credit_code, e.name AS enterprise_name, e.registered_capital, e.established_on
FROM hh_members m
JOIN roles r ON r.person_id = m.id_number
JOIN enterprises e ON e.credit_code = r.credit_code
WHERE e.registered_capital >= {{min_registered_capital}}"
        ),
        explanation: "低保家庭（户编号{subject}）成员{person_id}为{enterprise_name}（注册资本{registered_capital}元）的{role}。",
    },
    Def {
        id: "paid_after_death",
        version: 2,
        title: "死亡后仍领取补贴/养老金",
        subject_kind: SubjectKind::Person,
        severity: Severity::High,
        params: &[
            ("grace_months", "死亡当月之后的宽限月数", D::Int(1)),
            (
                "excluded_programs",
                "排除的项目关键词（丧葬费、一次性抚恤金等因死亡发放的款项）",
                D::List(&["丧葬", "一次性"]),
            ),
            (
                "survivor_programs",
                "遗属、抚恤类项目关键词（死者生前未领取的视为发给遗属，不计；生前本人领取的死后照计）",
                D::List(&["抚恤", "遗属"]),
            ),
        ],
        // `dp` (the payments of the dead, one read of benefit_payments) is used twice and so is
        // computed once.
        sql: "WITH d AS (
  SELECT id_number, MIN(death_date) AS death_date FROM deaths
  WHERE id_number IS NOT NULL AND death_date IS NOT NULL GROUP BY id_number
),
dp AS (
  SELECT b.id_number, b.name, b.program, b.period, b.amount, b.paid_on, d.death_date,
         (CAST(substr(b.period, 1, 4) AS BIGINT) * 12 + CAST(substr(b.period, 6, 2) AS BIGINT))
       - (CAST(date_part('year', d.death_date) AS BIGINT) * 12 + CAST(date_part('month', d.death_date) AS BIGINT))
         AS months_after
  FROM d JOIN benefit_payments b ON b.id_number = d.id_number
  WHERE b.period IS NOT NULL
),
before_death AS (
  SELECT DISTINCT id_number, program FROM dp
  WHERE months_after <= 0 AND program IS NOT NULL AND (amount IS NULL OR amount > 0)
    AND {{survivor_programs ~ program}}
),
pay AS (
  SELECT b.id_number, b.name, b.program, b.period, b.amount, b.paid_on, b.death_date
  FROM dp b
  LEFT JOIN before_death bd ON bd.id_number = b.id_number AND bd.program = b.program
  WHERE NOT {{excluded_programs ~ b.program}}
    AND NOT ({{survivor_programs ~ b.program}} AND bd.id_number IS NULL)
    AND b.months_after > {{grace_months}}
),
net AS (SELECT id_number, period FROM pay GROUP BY id_number, period HAVING SUM(COALESCE(amount, 1)) > 0)
SELECT pay.id_number AS subject, pay.period AS period,
       pay.name, pay.program, pay.amount, pay.paid_on, pay.death_date
FROM net JOIN pay ON pay.id_number = net.id_number AND pay.period = net.period",
        explanation: "{name}（{subject}）已于{death_date}死亡，{period}仍发放{program}。",
    },
    Def {
        id: "duplicate_payment",
        version: 2,
        title: "同期重复领取/互斥项目",
        subject_kind: SubjectKind::Person,
        severity: Severity::High,
        params: &[
            ("min_payments", "同一项目同一期发放次数下限", D::Int(2)),
            (
                "exclusive_groups",
                "互斥项目组（每组用“|”分隔项目关键词，如“低保|特困”；同一人同期领取同组两个项目即为疑点）",
                D::List(&[]),
            ),
            ("dibao_programs", "视为同一低保项目的关键词（各地名称不同）", D::List(DIBAO)),
            ("tekun_programs", "视为同一特困供养项目的关键词", D::List(TEKUN)),
            ("excluded_programs", "不并入低保、特困的项目关键词", D::List(SUBSISTENCE_EXCLUDED)),
        ],
        // `fam` is a plain filter of the largest table: re-read rather than held in memory.
        // `tagged` reads `fam`, not `paid`, so that `paid` (one row per person, program and
        // month) is not materialised. The small `hits` is the build side of the last join.
        sql: "WITH fam AS NOT MATERIALIZED (
  SELECT b.*,
         CASE WHEN {{dibao_programs ~ b.program}} AND NOT {{excluded_programs ~ b.program}} THEN '低保'
              WHEN {{tekun_programs ~ b.program}} AND NOT {{excluded_programs ~ b.program}} THEN '特困供养'
              ELSE b.program END AS family
  FROM benefit_payments b
  WHERE b.id_number IS NOT NULL AND b.program IS NOT NULL AND b.period IS NOT NULL
),
paid AS (
  SELECT id_number, family AS program, period,
         SUM(CASE WHEN amount IS NULL OR amount > 0 THEN 1 ELSE 0 END)
       - SUM(CASE WHEN amount < 0 THEN 1 ELSE 0 END) AS times
  FROM fam
  GROUP BY id_number, family, period
),
grp AS (SELECT column1 AS grp FROM {{exclusive_groups | values}} g WHERE column1 IS NOT NULL),
keys AS (
  SELECT grp.grp, trim(split_part(grp.grp, '|', k.n)) AS keyword
  FROM grp CROSS JOIN (VALUES (1), (2), (3), (4), (5), (6), (7), (8)) AS k(n)
  WHERE trim(split_part(grp.grp, '|', k.n)) <> ''
),
tagged AS (
  SELECT f.id_number, f.family AS program, f.period, keys.grp
  FROM keys JOIN fam f ON strpos(f.family, keys.keyword) > 0
  GROUP BY f.id_number, f.family, f.period, keys.grp
  HAVING SUM(CASE WHEN f.amount IS NULL OR f.amount > 0 THEN 1 ELSE 0 END)
       - SUM(CASE WHEN f.amount < 0 THEN 1 ELSE 0 END) > 0
),
exclusive AS (
  SELECT id_number, period, grp FROM tagged GROUP BY id_number, period, grp
  HAVING COUNT(DISTINCT program) >= 2
),
hits AS (
  SELECT id_number, program, period FROM paid WHERE times >= {{min_payments}}
  UNION
  SELECT t.id_number, t.program, t.period
  FROM tagged t JOIN exclusive e ON e.id_number = t.id_number AND e.period = t.period AND e.grp = t.grp
)
SELECT b.id_number AS subject, b.period AS period,
       b.name, b.program, b.amount, b.paid_on, b.region_code, b.household_id
FROM hits h
JOIN fam b ON b.id_number = h.id_number AND b.family = h.program AND b.period = h.period",
        explanation: "{name}（{subject}）在{period}领取{program}等{count}笔，同期重复领取或领取互斥项目。",
    },
    Def {
        id: "relative_benefit_unfiled",
        version: 2,
        title: "经办人员及村干部近亲属享受惠民资金未备案",
        subject_kind: SubjectKind::Person,
        severity: Severity::High,
        params: &[
            (
                "handler_orgs",
                "经办单位关键词（“人民政府”“人民政治协商会议”中的“民政”不算）",
                D::List(&["民政", "村委", "村民委员会"]),
            ),
            ("benefit_programs", "项目关键词", D::List(SUBSISTENCE)),
            ("excluded_programs", "排除的项目关键词", D::List(SUBSISTENCE_EXCLUDED)),
            ("dibao_programs", "备案与发放视为同一低保项目的关键词", D::List(DIBAO)),
            (
                "tekun_programs",
                "备案与发放视为同一特困供养项目的关键词",
                D::List(TEKUN),
            ),
        ],
        // `pay` holds only the relatives' own payments and those to their households (a
        // household id on the payment row, or else the payee's household in `persons`), so the
        // filing checks never see the rest of the city's payments.
        sql: concat!(
            officials_and_relatives!(),
            "officials AS (
  SELECT DISTINCT id_number, org FROM staff
  WHERE {{handler_orgs ~ replace(replace(org, '人民政府', ''), '人民政治协商会议', '')}}
),
rel AS (
  SELECT DISTINCT r.official_id_number, o.org, r.relative_id_number, r.relative_name, r.relation
  FROM rels r JOIN officials o ON o.id_number = r.official_id_number
  WHERE r.relative_id_number IS NOT NULL
),
pay_all AS (
  SELECT id_number, name, program, period, amount, household_id FROM benefit_payments
  WHERE id_number IS NOT NULL AND program IS NOT NULL
    AND {{benefit_programs ~ program}} AND NOT {{excluded_programs ~ program}}
    AND (amount IS NULL OR amount > 0)
),
rel_hh AS (
  SELECT DISTINCT r.relative_id_number, p.household_id FROM rel r JOIN persons p ON p.id_number = r.relative_id_number
  WHERE p.household_id IS NOT NULL
),
hh_of AS (
  SELECT id_number, MIN(household_id) AS household_id FROM persons
  WHERE household_id IN (SELECT household_id FROM rel_hh) GROUP BY id_number
),
circle AS (
  SELECT relative_id_number AS rel_id, official_id_number AS other FROM rel
  UNION
  SELECT r.relative_id_number, r2.relative_id_number FROM rel r JOIN rel r2 ON r2.official_id_number = r.official_id_number
),
rel_ids AS (SELECT DISTINCT relative_id_number AS id_number FROM rel),
pay AS (
  SELECT b.id_number, b.id_number AS payee, b.name, b.program, b.period, b.amount
  FROM rel_ids r JOIN pay_all b ON b.id_number = r.id_number
  UNION ALL
  SELECT b.relative_id_number, b.id_number, b.name, b.program, b.period, b.amount
  FROM (
    SELECT h.relative_id_number, b.id_number, b.name, b.program, b.period, b.amount
    FROM rel_hh h JOIN pay_all b ON b.household_id = h.household_id
    UNION ALL
    SELECT h.relative_id_number, b.id_number, b.name, b.program, b.period, b.amount
    FROM rel_hh h JOIN hh_of ON hh_of.household_id = h.household_id
    JOIN pay_all b ON b.id_number = hh_of.id_number AND b.household_id IS NULL
  ) b
  LEFT JOIN circle c ON c.rel_id = b.relative_id_number AND c.other = b.id_number
  WHERE {{dibao_programs ~ b.program}} AND b.relative_id_number <> b.id_number AND c.rel_id IS NULL
),
filed AS (
  SELECT DISTINCT f.id_number, p.program
  FROM (SELECT id_number AS who, program FROM pay UNION SELECT payee, program FROM pay) p
  JOIN benefit_filings f ON f.id_number = p.who
  WHERE f.program IS NULL OR f.program = p.program
     OR strpos(p.program, f.program) > 0 OR strpos(f.program, p.program) > 0
     OR ({{dibao_programs ~ p.program}} AND {{dibao_programs ~ f.program}})
     OR ({{tekun_programs ~ p.program}} AND {{tekun_programs ~ f.program}})
),
unfiled AS (
  SELECT p.id_number, p.payee, p.name, p.program, p.period, p.amount
  FROM pay p
  LEFT JOIN filed f1 ON f1.id_number = p.id_number AND f1.program = p.program
  LEFT JOIN filed f2 ON f2.id_number = p.payee AND f2.program = p.program
  WHERE f1.id_number IS NULL AND f2.id_number IS NULL
)
SELECT rel.relative_id_number AS subject, CAST(NULL AS VARCHAR) AS period,
       rel.relative_name, rel.relation, rel.official_id_number, rel.org,
       u.program, u.period AS benefit_period, u.amount, u.payee AS payee_id_number, u.name AS payee_name
FROM rel JOIN unfiled u ON u.id_number = rel.relative_id_number"
        ),
        explanation: "{org}人员{official_id_number}的{relation}{relative_name}（{subject}）享受{program}，未备案。",
    },
    Def {
        id: "relative_supplier",
        version: 1,
        title: "领导干部亲属持股或任职企业与其单位发生交易",
        subject_kind: SubjectKind::Enterprise,
        severity: Severity::High,
        params: &[
            (
                "tie_roles",
                "计入的任职/持股身份关键词",
                D::List(&["股东", "法定代表人", "投资人", "出资人", "合伙人"]),
            ),
            ("include_purchases", "同时比对非招标采购", D::Bool(false)),
        ],
        sql: concat!(
            officials_and_relatives!(),
            "officials AS (SELECT DISTINCT id_number, org FROM staff),
ties AS (
  SELECT credit_code, legal_rep_id_number AS person_id, '法定代表人' AS tie FROM enterprises
  WHERE credit_code IS NOT NULL AND legal_rep_id_number IS NOT NULL
  UNION ALL
  SELECT credit_code, person_id_number, COALESCE(role, '股东') FROM shareholders
  WHERE credit_code IS NOT NULL AND person_id_number IS NOT NULL
    AND (role IS NULL OR {{tie_roles ~ role}} OR share_ratio > 0)
),
deals AS (
  SELECT a.supplier_credit_code AS supplier, t.buyer, a.tender_id, t.title, a.amount, a.awarded_on AS deal_on
  FROM awards a JOIN tenders t ON t.tender_id = a.tender_id
  WHERE a.supplier_credit_code IS NOT NULL AND t.buyer IS NOT NULL
  UNION ALL
  SELECT supplier_credit_code, buyer, CAST(NULL AS VARCHAR), budget_item, amount, purchased_on
  FROM purchases
  WHERE {{include_purchases}} AND supplier_credit_code IS NOT NULL AND buyer IS NOT NULL
)
SELECT d.supplier AS subject, CAST(NULL AS VARCHAR) AS period,
       r.official_id_number, o.org, r.relative_id_number, r.relative_name, r.relation, t.tie,
       d.tender_id, d.title, d.amount, d.deal_on
FROM rels r
JOIN officials o ON o.id_number = r.official_id_number
JOIN ties t ON t.person_id = r.relative_id_number
JOIN deals d ON d.supplier = t.credit_code AND d.buyer = o.org"
        ),
        explanation: "企业{subject}的{tie}{relative_name}是{org}人员{official_id_number}的{relation}，该企业中标{org}的项目{title}。",
    },
    Def {
        id: "split_purchase",
        version: 1,
        title: "拆分采购规避招标",
        subject_kind: SubjectKind::BudgetItem,
        severity: Severity::Medium,
        params: &[
            ("single_limit", "单笔金额上限（元，不含）", D::Num(1_000_000.0)),
            ("total_threshold", "合计金额下限（元，不含）", D::Num(2_000_000.0)),
            ("min_purchases", "同月笔数下限", D::Int(3)),
            (
                "tendered_methods",
                "视为已招标的采购方式关键词（“非招标”不算）",
                D::List(&["招标"]),
            ),
        ],
        sql: "WITH p AS (
  SELECT buyer, budget_item, COALESCE(item_category, '') AS category,
         to_char(purchased_on, '%Y-%m') AS month, purchased_on, amount, method, supplier_credit_code
  FROM purchases
  WHERE buyer IS NOT NULL AND budget_item IS NOT NULL AND purchased_on IS NOT NULL AND amount IS NOT NULL
    AND amount < {{single_limit}} AND NOT {{tendered_methods ~ replace(method, '非招标', '')}}
),
g AS (
  SELECT buyer, budget_item, category, month, COUNT(*) AS purchase_count, SUM(amount) AS total_amount
  FROM p GROUP BY buyer, budget_item, category, month
  HAVING COUNT(*) >= {{min_purchases}} AND SUM(amount) > {{total_threshold}}
)
SELECT concat(p.buyer, '|', p.budget_item) AS subject, p.month AS period,
       g.purchase_count, g.total_amount, p.buyer, p.budget_item, p.category AS item_category,
       p.purchased_on, p.amount, p.method, p.supplier_credit_code
FROM p JOIN g ON g.buyer = p.buyer AND g.budget_item = p.budget_item AND g.category = p.category
             AND g.month = p.month",
        explanation: "{buyer}的预算项目{budget_item}在{period}未经招标采购{item_category}{purchase_count}笔，每笔低于{single_limit}元，合计{total_amount}元。",
    },
    Def {
        id: "bid_rigging_links",
        version: 2,
        title: "围标串标关联",
        subject_kind: SubjectKind::Tender,
        severity: Severity::High,
        params: &[
            ("min_bidders", "共用同一信息的投标人数下限", D::Int(2)),
            ("link_project_manager", "比对项目经理", D::Bool(true)),
            ("link_phone", "比对联系电话", D::Bool(true)),
            ("link_deposit_account", "比对保证金账户", D::Bool(true)),
            ("link_ip", "比对IP地址（公共终端IP除外）", D::Bool(true)),
            ("link_file_author", "比对文件作者", D::Bool(false)),
            ("link_legal_rep", "比对法定代表人", D::Bool(false)),
            ("link_shareholder", "比对自然人股东", D::Bool(false)),
            (
                "min_digits",
                "项目经理身份证号、联系电话、保证金账户至少含几位数字才比对（“无”“投标保函”等占位内容不算共用）",
                D::Int(7),
            ),
        ],
        sql: "WITH named AS (
  SELECT name, MIN(code) AS code FROM (
    SELECT bidder_name AS name, bidder_credit_code AS code FROM bids
    WHERE bidder_name IS NOT NULL AND bidder_credit_code IS NOT NULL
    UNION ALL
    SELECT name, credit_code FROM enterprises WHERE name IS NOT NULL AND credit_code IS NOT NULL
  ) x GROUP BY name HAVING COUNT(DISTINCT code) = 1
),
b AS (
  SELECT x.tender_id, COALESCE(x.bidder_credit_code, n.code, x.bidder_name) AS bidder,
         x.bidder_credit_code, x.bidder_name,
         x.project_manager_id_number, x.contact_phone, x.deposit_account, x.ip_address, x.file_author
  FROM bids x LEFT JOIN named n ON x.bidder_credit_code IS NULL AND n.name = x.bidder_name
  WHERE x.tender_id IS NOT NULL AND COALESCE(x.bidder_credit_code, x.bidder_name) IS NOT NULL
),
keys AS (
  SELECT tender_id, bidder, bidder_credit_code, bidder_name, '项目经理' AS link, project_manager_id_number AS value
  FROM b WHERE {{link_project_manager}} AND project_manager_id_number IS NOT NULL
    AND length(regexp_replace(project_manager_id_number, '[^0-9]', '', 'g')) >= {{min_digits}}
  UNION ALL
  SELECT tender_id, bidder, bidder_credit_code, bidder_name, '联系电话', contact_phone
  FROM b WHERE {{link_phone}} AND contact_phone IS NOT NULL
    AND length(regexp_replace(contact_phone, '[^0-9]', '', 'g')) >= {{min_digits}}
  UNION ALL
  SELECT tender_id, bidder, bidder_credit_code, bidder_name, '保证金账户', deposit_account
  FROM b WHERE {{link_deposit_account}} AND deposit_account IS NOT NULL
    AND length(regexp_replace(deposit_account, '[^0-9]', '', 'g')) >= {{min_digits}}
  UNION ALL
  SELECT tender_id, bidder, bidder_credit_code, bidder_name, 'IP地址', ip_address
  FROM b WHERE {{link_ip}} AND ip_address IS NOT NULL
    AND ip_address NOT IN (SELECT ip_address FROM shared_ips WHERE ip_address IS NOT NULL)
  UNION ALL
  SELECT tender_id, bidder, bidder_credit_code, bidder_name, '文件作者', file_author
  FROM b WHERE {{link_file_author}} AND file_author IS NOT NULL
  UNION ALL
  SELECT b.tender_id, b.bidder, b.bidder_credit_code, b.bidder_name, '法定代表人', e.legal_rep_id_number
  FROM b JOIN enterprises e ON e.credit_code = b.bidder_credit_code
  WHERE {{link_legal_rep}} AND e.legal_rep_id_number IS NOT NULL
  UNION ALL
  SELECT b.tender_id, b.bidder, b.bidder_credit_code, b.bidder_name, '股东', s.person_id_number
  FROM b JOIN shareholders s ON s.credit_code = b.bidder_credit_code
  WHERE {{link_shareholder}} AND s.person_id_number IS NOT NULL
),
shared AS (
  SELECT tender_id, link, value FROM keys GROUP BY tender_id, link, value
  HAVING COUNT(DISTINCT bidder) >= {{min_bidders}}
)
SELECT k.tender_id AS subject, CAST(NULL AS VARCHAR) AS period,
       s.link, s.value AS shared_value, k.bidder_credit_code, k.bidder_name
FROM shared s JOIN keys k ON k.tender_id = s.tender_id AND k.link = s.link AND k.value = s.value",
        explanation: "招标项目{subject}中{count}条投标记录共用{link}（{shared_value}）。",
    },
    Def {
        id: "perpetual_loser",
        version: 1,
        title: "陪标专业户",
        subject_kind: SubjectKind::Enterprise,
        severity: Severity::Low,
        params: &[("min_bids", "投标次数下限", D::Int(15))],
        sql: "WITH b AS (
  SELECT DISTINCT bidder_credit_code, tender_id FROM bids
  WHERE bidder_credit_code IS NOT NULL AND tender_id IS NOT NULL
),
winners AS (SELECT DISTINCT supplier_credit_code FROM awards WHERE supplier_credit_code IS NOT NULL),
losers AS (
  SELECT b.bidder_credit_code, COUNT(*) AS bid_count
  FROM b LEFT JOIN winners w ON w.supplier_credit_code = b.bidder_credit_code
  WHERE w.supplier_credit_code IS NULL
  GROUP BY b.bidder_credit_code HAVING COUNT(*) >= {{min_bids}}
)
SELECT l.bidder_credit_code AS subject, CAST(NULL AS VARCHAR) AS period, l.bid_count,
       x.tender_id, x.bidder_name, x.price, x.submitted_at, x.status
FROM losers l JOIN bids x ON x.bidder_credit_code = l.bidder_credit_code",
        explanation: "{bidder_name}（{subject}）投标{bid_count}次，从未中标。",
    },
    Def {
        id: "captive_supplier",
        version: 1,
        title: "萝卜招标（供应商依附单一采购人）",
        subject_kind: SubjectKind::Enterprise,
        severity: Severity::Medium,
        params: &[
            ("min_awards", "中标次数下限", D::Int(5)),
            ("min_share", "来自同一采购人的中标金额占比下限", D::Num(0.8)),
        ],
        sql: "WITH a AS (
  SELECT a.supplier_credit_code AS supplier, t.buyer, a.tender_id, a.amount, a.awarded_on
  FROM awards a LEFT JOIN tenders t ON t.tender_id = a.tender_id
  WHERE a.supplier_credit_code IS NOT NULL
),
tot AS (
  SELECT supplier, COUNT(*) AS award_count, SUM(COALESCE(amount, 0)) AS total FROM a
  GROUP BY supplier HAVING COUNT(*) >= {{min_awards}}
),
per_buyer AS (
  SELECT supplier, buyer, SUM(COALESCE(amount, 0)) AS buyer_total FROM a
  WHERE buyer IS NOT NULL GROUP BY supplier, buyer
),
captive AS (
  SELECT tot.supplier, p.buyer, tot.award_count, tot.total, p.buyer_total
  FROM tot JOIN per_buyer p ON p.supplier = tot.supplier
  WHERE tot.total > 0 AND p.buyer_total >= {{min_share}} * tot.total - 1e-6
)
SELECT c.supplier AS subject, CAST(NULL AS VARCHAR) AS period,
       c.buyer AS main_buyer, c.award_count, round(c.buyer_total / c.total * 100, 1) AS share_pct,
       a.buyer, a.tender_id, a.amount, a.awarded_on
FROM captive c JOIN a ON a.supplier = c.supplier",
        explanation: "企业{subject}中标{award_count}次，{share_pct}%的中标金额来自{main_buyer}。",
    },
    Def {
        id: "new_small_winner",
        version: 1,
        title: "新成立小微企业中标大额项目",
        subject_kind: SubjectKind::Enterprise,
        severity: Severity::Medium,
        params: &[
            ("max_age_days", "成立不满天数", D::Int(365)),
            ("max_insured_staff", "参保人数上限", D::Int(3)),
            ("min_award", "中标金额下限（元）", D::Num(5_000_000.0)),
        ],
        sql: "SELECT a.supplier_credit_code AS subject, CAST(NULL AS VARCHAR) AS period,
       e.name AS enterprise_name, e.established_on, e.insured_staff,
       a.tender_id, a.amount, a.awarded_on,
       CAST(a.awarded_on AS BIGINT) - CAST(e.established_on AS BIGINT) AS age_days
FROM awards a JOIN enterprises e ON e.credit_code = a.supplier_credit_code
WHERE a.amount >= {{min_award}}
  AND e.insured_staff IS NOT NULL AND e.insured_staff <= {{max_insured_staff}}
  AND e.established_on IS NOT NULL AND a.awarded_on IS NOT NULL
  AND CAST(a.awarded_on AS BIGINT) - CAST(e.established_on AS BIGINT) >= 0
  AND CAST(a.awarded_on AS BIGINT) - CAST(e.established_on AS BIGINT) < {{max_age_days}}",
        explanation: "{enterprise_name}（{subject}）成立{age_days}天、参保{insured_staff}人，中标{amount}元。",
    },
    Def {
        id: "price_near_budget",
        version: 1,
        title: "中标价异常接近控制价",
        subject_kind: SubjectKind::Tender,
        severity: Severity::Low,
        params: &[
            ("min_ratio", "中标价/控制价下限", D::Num(0.995)),
            ("max_ratio", "中标价/控制价上限", D::Num(1.0)),
        ],
        sql: "SELECT a.tender_id AS subject, CAST(NULL AS VARCHAR) AS period,
       t.buyer, t.title, t.budget, a.supplier_credit_code, a.amount,
       round(a.amount / t.budget * 100, 2) AS ratio_pct
FROM awards a JOIN tenders t ON t.tender_id = a.tender_id
WHERE t.budget > 0 AND a.amount IS NOT NULL
  AND a.amount >= t.budget * {{min_ratio}} - 1e-6 AND a.amount <= t.budget * {{max_ratio}} + 1e-6",
        explanation: "招标项目{subject}（{title}）中标价{amount}元，为控制价{budget}元的{ratio_pct}%。",
    },
];

fn to_model(def: &Def) -> Model {
    let params = def
        .params
        .iter()
        .map(|(name, label, default)| Param {
            name: name.to_string(),
            label: label.to_string(),
            value: match default {
                D::Bool(b) => ParamValue::Bool(*b),
                D::Int(i) => ParamValue::Int(*i),
                D::Num(f) => ParamValue::Number(*f),
                D::List(l) => ParamValue::List(l.iter().map(|s| s.to_string()).collect()),
            },
        })
        .collect();
    Model {
        id: def.id.to_string(),
        version: def.version,
        title: def.title.to_string(),
        subject_kind: def.subject_kind,
        severity: def.severity,
        sql: def.sql.to_string(),
        explanation: def.explanation.to_string(),
        params,
        builtin: true,
    }
}

/// Every built-in model with its default parameters, in the order of [`BUILTIN_IDS`].
pub fn builtin_models() -> Vec<Model> {
    DEFS.iter().map(to_model).collect()
}

/// The built-in model with this id.
pub fn builtin(id: &str) -> Option<Model> {
    DEFS.iter().find(|d| d.id == id).map(to_model)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn library_ids_are_in_issue_order_and_render() {
        let ids: Vec<String> = builtin_models().into_iter().map(|m| m.id).collect();
        assert_eq!(ids, BUILTIN_IDS);
        for m in builtin_models() {
            let sql = m.render_sql().unwrap_or_else(|e| panic!("{}: {e}", m.id));
            assert!(!sql.contains("{{"), "{}", m.id);
        }
    }
}
