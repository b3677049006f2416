#!/usr/bin/env python3
"""Independent synthetic data generator for the qinglian comparison models.

Writes canonical dataset CSVs (UTF-8, English canonical headers) + truth.csv.

Design: build a *clean* world (persons, households, payments, payroll, assets,
enterprises, procurement), plant labelled positive and hard-negative cases for
every model, compute the truth with an independent reference evaluator that
encodes the issue's default model meanings (my interpretation, see INTERP
below), assert that every planted case came out as intended, and only then
render the CSVs with realistic noise (15-digit IDs, lower-case x, full-width
digits, stray spaces, traditional characters, missing/bad IDs on unrelated
rows).

Usage: gen.py [--seed N] --out DIR [--no-noise] [--plan FILE]

Written for qinglian as an outside check of its model library (issue #3 §5: the targets hold
"on data from generators that are not yours"): by a separate author who did not read qinglian's
own generator (`qinglian synth`) or the model SQL before writing it, from the issue's definitions
alone. Its cases that the models first missed became model fixes and unit tests
(crates/qinglian-analytics/tests/analytics.rs, "independent generator"). Run by
tests/synth.rs::an_independent_generator_meets_the_targets. Standard library only.
"""
import argparse
import csv
import datetime as dt
import os
import random
import sys
from collections import defaultdict

# ---------------------------------------------------------------- identifiers
ID_W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
ID_C = "10X98765432"


def id_check(body17):
    return ID_C[sum(int(c) * w for c, w in zip(body17, ID_W)) % 11]


def make_id(region6, birth, seq):
    body = f"{region6}{birth:%Y%m%d}{seq:03d}"
    return body + id_check(body)


def id15(id18):
    """Legacy 15-digit form (only for 19xx births)."""
    assert id18[6:8] == "19"
    return id18[:6] + id18[8:17]


assert id_check("11010519491231002") == "X"
assert id_check("44052418800101001") == "4"

CC_ALPHA = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CC_W = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def cc_check(body17):
    s = sum(CC_ALPHA.index(c) * w for c, w in zip(body17, CC_W))
    return CC_ALPHA[(31 - s % 31) % 31]


assert cc_check("91512081MA62K0260") == "E"


def org_check(body8):
    """GB 11714 organisation code check character."""
    w = [3, 7, 9, 10, 5, 8, 4, 2]
    v = lambda c: int(c) if c.isdigit() else ord(c) - 55
    r = 11 - sum(v(c) * wi for c, wi in zip(body8, w)) % 11
    return "X" if r == 10 else ("0" if r == 11 else str(r))


class Codes:
    def __init__(self, rng):
        self.rng = rng
        self.used = set()

    def credit_code(self, dept_type="91", region6="431321"):
        while True:
            org = "MA" + "".join(self.rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(6))
            ck = org_check(org)
            body = dept_type + region6 + org + ck
            if body in self.used:
                continue
            self.used.add(body)
            return body + cc_check(body)


# ---------------------------------------------------------------- names
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏"
            "魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万"
            "钱严覃武戴莫孔向汤")
# rough frequency weights: the first ones are much more common
SURNAME_W = [max(1.0, 8.0 - i * 0.12) for i in range(len(SURNAMES))]
GIVEN_M = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林建国志红文斌德福贵生春清"
GIVEN_F = "芳娜敏静丽艳娟霞秀英华玲桂兰萍红燕梅琴云莲珍雪琳丹洁倩婷慧颖佳欣"
TRAD = {"刘": "劉", "陈": "陳", "张": "張", "杨": "楊", "黄": "黃", "赵": "趙", "吴": "吳", "孙": "孫",
        "华": "華", "伟": "偉", "军": "軍", "红": "紅", "兰": "蘭", "丽": "麗", "国": "國", "贵": "貴"}


def person_name(rng, sex):
    s = rng.choices(SURNAMES, SURNAME_W)[0]
    pool = GIVEN_M if sex == "男" else GIVEN_F
    g = rng.choice(pool) + (rng.choice(pool) if rng.random() < 0.75 else "")
    return s + g


# ---------------------------------------------------------------- geography
COUNTY = "青溪县"
COUNTY_CODE = "431321"
TOWNS = [  # town, code, rural?, 低保 program naming used by that town's office
    ("城关镇", "101", False, "城市居民最低生活保障金"),
    ("桃花镇", "102", True, "农村最低生活保障金"),
    ("石门乡", "203", True, "农村低保"),
    ("白沙镇", "104", True, "城乡最低生活保障金"),
    ("龙潭乡", "205", True, "农村低保金"),
]
TK_NAMES = {"城关镇": "特困人员救助供养金", "桃花镇": "农村特困人员救助供养金", "石门乡": "特困供养金",
            "白沙镇": "特困人员救助供养金", "龙潭乡": "特困人员基本生活费"}
VILLAGES = ["桃花", "石门", "白沙", "龙潭", "枫树", "柳塘", "杉木", "茶园", "新屋", "大塘", "高桥", "水口",
            "长冲", "竹山", "双江", "黄泥", "响水", "金鸡", "马鞍", "荷叶"]
OTHER_REGIONS = ["430102", "430524", "432524", "440304", "360121", "520102", "431102", "430981"]

# ---------------------------------------------------------------- programs
LOW_PROGRAMS = {t[3] for t in TOWNS} | {"城市低保", "农村最低生活保障"}
TK_PROGRAMS = set(TK_NAMES.values())
EDGE_PROGRAM = "低保边缘家庭生活补助"  # NOT 低保
PENSION = "城乡居民基本养老保险待遇"
OLD_AGE = "高龄津贴"
DISAB1 = "困难残疾人生活补贴"
DISAB2 = "重度残疾人护理补贴"
FARM = "耕地地力保护补贴"
FUNERAL = "丧葬补助金"
PENSION_LUMP = "一次性抚恤金"
PERIODIC_PENSION = "定期抚恤金"
SURVIVOR = "遗属生活困难补助"
TEMP_RELIEF = "临时救助金"
# paid_after_death: every payment counts except one-off death grants (丧葬/一次性抚恤) and
# survivor payments that exist *because of* the death (遗属/定期抚恤 first paid after it).
# A survivor payment the dead person was receiving herself before she died does count.
ONE_OFF_DEATH = {FUNERAL, PENSION_LUMP}
SURVIVOR_PROGRAMS = {SURVIVOR, PERIODIC_PENSION}
ESTABLISHED = {"编制内", "在编", "行政编制", "事业编制"}  # count as 编制内
NOT_ESTABLISHED = ["合同工", "临时工", "公益性岗位", "劳务派遣", "编外聘用"]

TENDERED = {"公开招标", "邀请招标"}
PLACEHOLDERS = {"无", "/", "-", "投标保函", "保函", "免缴"}
NON_TENDERED = ["询价", "竞争性谈判", "竞争性磋商", "单一来源", "直接采购"]

PERIODS = [f"2024-{m:02d}" for m in range(1, 13)]


def pidx(period):
    y, m = period.split("-")
    return int(y) * 12 + int(m) - 1


def idxp(i):
    return f"{i // 12:04d}-{i % 12 + 1:02d}"


def d(s):
    return dt.date.fromisoformat(s)


# ================================================================ the world
class World:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.codes = Codes(self.rng)
        self.persons = {}        # id -> dict
        self.households = {}     # hh -> dict(members=[ids], village, town, code)
        self.used_ids = set()
        self.deaths = []
        self.payroll = []
        self.payments = []
        self.filings = []
        self.relatives = []
        self.vehicles = []
        self.properties = []
        self.enterprises = {}    # cc -> dict
        self.shareholders = []
        self.tenders = {}
        self.bids = []
        self.awards = []
        self.purchases = []
        self.shared_ips = [f"10.43.8.{i}" for i in range(11, 31)]
        self.plan = []           # (kind 'pos'|'neg', model, subject, period|None(any), label)
        self.reserved_hh = set()  # households not to be used by background benefit/payroll logic
        self.hh_seq = 0
        self.plate_seq = 0
        self.tender_seq = 0
        # orgs
        self.orgs_county = ["青溪县民政局", "青溪县教育局", "青溪县财政局", "青溪县人民医院", "青溪县交通运输局",
                            "青溪县水利局", "青溪县自然资源局", "青溪县卫生健康局", "青溪县住房和城乡建设局",
                            "青溪县农业农村局", "青溪县第一中学"]
        self.orgs_town = [f"青溪县{t[0]}人民政府" for t in TOWNS] + [f"青溪县{t[0]}民政办" for t in TOWNS]
        self.org_village = {}    # village -> 村委会 name

    # ------------------------------------------------------------ persons
    def new_id(self, region6, birth, sex):
        while True:
            seq = self.rng.randrange(0, 1000)
            if (seq % 2 == 1) != (sex == "男"):
                seq = (seq + 1) % 1000
            i = make_id(region6, birth, seq)
            if i not in self.used_ids:
                self.used_ids.add(i)
                return i

    def rand_birth(self, y0, y1):
        y = self.rng.randint(y0, y1)
        return dt.date(y, 1, 1) + dt.timedelta(days=self.rng.randrange(0, 365))

    def new_household(self, size=None, town=None, head_birth=(1945, 1990), village=None):
        rng = self.rng
        if town is None:
            town = rng.choices(TOWNS, [3, 2, 2, 2, 1])[0]
        if village is None:
            village = rng.choice(VILLAGES)
        vcode = f"{COUNTY_CODE}{town[1]}{VILLAGES.index(village) + 200:03d}"
        self.hh_seq += 1
        hh = f"{COUNTY_CODE}{town[1]}{self.hh_seq:06d}"
        if size is None:
            size = rng.choices([1, 2, 3, 4, 5, 6], [10, 20, 25, 25, 12, 8])[0]
        members = []
        hsex = "男" if rng.random() < 0.8 else "女"
        hb = self.rand_birth(*head_birth)
        members.append(self._add_person(hsex, hb, vcode, hh, "户主"))
        if size >= 2:
            ssex = "女" if hsex == "男" else "男"
            sb = hb + dt.timedelta(days=rng.randint(-1500, 1500))
            members.append(self._add_person(ssex, sb, vcode, hh, "配偶"))
        for _ in range(max(0, size - 2)):
            sex = rng.choice("男女")
            cb = hb + dt.timedelta(days=rng.randint(20 * 365, 32 * 365))
            if cb.year > 2023:
                cb = dt.date(2023, rng.randint(1, 12), rng.randint(1, 28))
            members.append(self._add_person(sex, cb, vcode, hh, "子" if sex == "男" else "女"))
        self.households[hh] = dict(members=members, town=town, village=village, vcode=vcode)
        return hh

    def _add_person(self, sex, birth, vcode, hh, relation):
        i = self.new_id(COUNTY_CODE, birth, sex)
        self.persons[i] = dict(id=i, name=person_name(self.rng, sex), sex=sex, birth=birth,
                               region=vcode, hh=hh, relation=relation)
        return i

    def add_member(self, hh, relation, birth, sex=None):
        sex = sex or ("男" if relation in ("子", "父亲", "孙子") else "女" if relation in ("女", "母亲", "孙女", "儿媳") else self.rng.choice("男女"))
        i = self._add_person(sex, birth, self.households[hh]["vcode"], hh, relation)
        self.households[hh]["members"].append(i)
        return i

    def outsider(self, y0=1960, y1=1995, sex=None):
        sex = sex or self.rng.choice("男女")
        b = self.rand_birth(y0, y1)
        return self.new_id(self.rng.choice(OTHER_REGIONS), b, sex), person_name(self.rng, sex)

    def head(self, hh):
        return self.households[hh]["members"][0]

    def name(self, pid):
        return self.persons[pid]["name"] if pid in self.persons else self.outside_names.get(pid, "")

    def age(self, pid, on=dt.date(2024, 1, 1)):
        b = self.persons[pid]["birth"]
        return on.year - b.year - ((on.month, on.day) < (b.month, b.day))

    # ------------------------------------------------------------ payments
    def pay(self, pid, program, period, amount, hh=None, paid_on=None, lag=0, name=None):
        p = self.persons.get(pid)
        if paid_on is None:
            i = pidx(period) + lag
            y, m = divmod(i, 12)
            paid_on = dt.date(y, m + 1, self.rng.randint(8, 20)).isoformat()
        self.payments.append(dict(id=pid, name=name or (p["name"] if p else ""), program=program, period=period,
                                  amount=amount, region=p["region"] if p else "",
                                  hh=hh if hh is not None else (p["hh"] if p else ""), paid_on=paid_on))

    def pay_range(self, pid, program, p0, p1, amount, hh=None, lag=0):
        for i in range(pidx(p0), pidx(p1) + 1):
            self.pay(pid, program, idxp(i), amount, hh=hh, lag=lag)

    def low_program(self, hh):
        return self.households[hh]["town"][3]

    def tk_program(self, hh):
        return TK_NAMES[self.households[hh]["town"][0]]

    def give_low(self, hh, p0="2024-01", p1="2024-12", lag=0):
        n = len(self.households[hh]["members"])
        amt = round(min(n, 4) * self.rng.choice([310, 330, 350, 380]), 2)
        self.pay_range(self.head(hh), self.low_program(hh), p0, p1, amt, hh=hh, lag=lag)

    def give_tk(self, pid, p0="2024-01", p1="2024-12", lag=0):
        self.pay_range(pid, self.tk_program(self.persons[pid]["hh"]), p0, p1, self.rng.choice([620, 650, 700]), lag=lag)

    def employ(self, pid, org, staff_type, p0="2024-01", p1="2024-12", amount=None):
        amount = amount or self.rng.choice([3860, 4210, 4780, 5320, 6150, 7030]) if staff_type in ESTABLISHED \
            else amount or self.rng.choice([1900, 2200, 2500, 2800])
        nm = self.persons[pid]["name"] if pid in self.persons else self.outside_names[pid]
        for i in range(pidx(p0), pidx(p1) + 1):
            self.payroll.append(dict(id=pid, name=nm, org=org, period=idxp(i), amount=amount, staff_type=staff_type))

    def vehicle(self, pid, vtype="小型普通客车", exempt=False, reg="2021-06-18"):
        self.plate_seq += 1
        plate = "湘E" + "".join(self.rng.choice("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(4)) + str(self.plate_seq % 10)
        self.vehicles.append(dict(owner=pid, plate=plate, vtype=vtype, reg=reg, exempt=exempt))

    def prop(self, pid, address, area, reg="2015-03-02"):
        self.properties.append(dict(owner=pid, address=address, area=area, reg=reg))

    def enterprise(self, name, established, capital, legal_rep, staff, dept_type="91", phone=None, address=None):
        cc = self.codes.credit_code(dept_type, COUNTY_CODE)
        self.enterprises[cc] = dict(cc=cc, name=name, est=established, capital=capital, rep=legal_rep,
                                    address=address or f"{COUNTY}{self.rng.choice(TOWNS)[0]}{self.rng.choice(VILLAGES)}路{self.rng.randint(1, 300)}号",
                                    phone=phone or f"0739-{self.rng.randint(5000000, 8999999)}", staff=staff)
        return cc

    def holder(self, cc, pid, role="股东", ratio=None):
        self.shareholders.append(dict(cc=cc, id=pid, name=self.name(pid), role=role, ratio=ratio))

    def pos(self, model, subject, period=None, label=""):
        self.plan.append(("pos", model, subject, period, label))

    def neg(self, model, subject, period=None, label=""):
        self.plan.append(("neg", model, subject, period, label))


# ================================================================ build
def build(seed):
    w = World(seed)
    w.outside_names = {}
    rng = w.rng

    def outsider(*a, **k):
        i, n = w.outsider(*a, **k)
        w.outside_names[i] = n
        return i

    # village committees
    for v in VILLAGES:
        w.org_village[v] = f"青溪县{rng.choice(TOWNS)[0]}{v}村村民委员会"

    # ------------------------------------------------------------ background population
    bg = [w.new_household() for _ in range(900)]
    # some grandparents / daughters-in-law in larger households
    for hh in bg:
        if len(w.households[hh]["members"]) >= 4 and rng.random() < 0.3:
            w.add_member(hh, rng.choice(["父亲", "母亲"]), w.rand_birth(1930, 1950))
    rng.shuffle(bg)
    low_hh = bg[:95]
    tk_persons = []
    for hh in bg[95:120]:  # single elderly 特困 (use head)
        tk_persons.append(w.head(hh))
    edge_hh = bg[120:130]
    clean_hh = bg[130:]
    benefit_hh = set(low_hh) | {w.persons[p]["hh"] for p in tk_persons} | set(edge_hh)

    for hh in low_hh:
        r = rng.random()
        if r < 0.75:
            w.give_low(hh, lag=rng.choice([0, 0, 1]))
        elif r < 0.88:
            w.give_low(hh, p0=rng.choice(PERIODS[2:9]))  # admitted mid-year
        else:
            w.give_low(hh, p1=rng.choice(PERIODS[3:10]))  # exited mid-year
    for p in tk_persons:
        w.give_tk(p)
    for hh in edge_hh:
        w.pay_range(w.head(hh), EDGE_PROGRAM, "2024-01", "2024-12", 200, hh=hh)

    # background deaths: payments stop properly (at death month, or next month = grace)
    alive_old = [p for p in w.persons if w.persons[p]["birth"].year <= 1950 and w.persons[p]["hh"] not in benefit_hh]
    rng.shuffle(alive_old)
    dead = set()
    for p in alive_old[:45]:
        dday = dt.date(2024, rng.randint(1, 11), rng.randint(1, 28))
        w.deaths.append(dict(id=p, date=dday, source=rng.choice(["公安户籍注销", "殡葬火化", "卫健死亡医学证明"])))
        dead.add(p)
    for p in alive_old[45:60]:  # died in 2023
        dday = dt.date(2023, rng.randint(1, 12), rng.randint(1, 28))
        w.deaths.append(dict(id=p, date=dday, source="公安户籍注销"))
        dead.add(p)
    death_of = {x["id"]: x["date"] for x in w.deaths}

    def last_period_bg(p):
        if p not in death_of:
            return "2024-12"
        dd = death_of[p]
        i = dd.year * 12 + dd.month - 1 + rng.choice([0, 0, 1])  # stop at death month or grace month
        return idxp(min(i, pidx("2024-12"))) if i >= pidx("2024-01") else None

    # background pensions, 高龄津贴, disability, farmland subsidy
    staff_candidates = []
    for p, pr in w.persons.items():
        if pr["hh"] in w.reserved_hh:
            continue
        a = w.age(p)
        last = last_period_bg(p)
        if a >= 60 and last:
            w.pay_range(p, PENSION, "2024-01", last, rng.choice([153.0, 168.0, 183.0]))
        if a >= 80 and last:
            w.pay_range(p, OLD_AGE, "2024-01", last, 100.0 if a < 90 else 200.0)
        if last and rng.random() < 0.02:
            w.pay_range(p, DISAB1 if rng.random() < 0.5 else DISAB2, "2024-01", last, 90.0)
        if 22 <= a <= 58 and pr["hh"] in clean_hh and p not in dead:
            staff_candidates.append(p)
    for hh in bg:
        if w.households[hh]["town"][2] and rng.random() < 0.5 and w.head(hh) not in dead:
            w.pay(w.head(hh), FARM, "2024-05", round(rng.uniform(80, 900), 2), paid_on="2024-06-12")
    # funeral grants for background deaths (not hits)
    for x in w.deaths:
        if x["date"].year == 2024 and rng.random() < 0.5:
            i = x["date"].year * 12 + x["date"].month  # next month
            w.pay(x["id"], FUNERAL, idxp(min(i, pidx("2024-12"))), 3000.0)
    # a few temporary-relief payments
    for hh in rng.sample([h for h in bg if w.head(h) not in dead], 15):
        w.pay(w.head(hh), TEMP_RELIEF, rng.choice(PERIODS), rng.choice([500.0, 800.0, 1000.0]))

    # background payroll (only from households without benefits)
    rng.shuffle(staff_candidates)
    staff = []
    orgs_all = w.orgs_county + w.orgs_town
    for p in staff_candidates[:170]:
        org = rng.choice(orgs_all)
        st = rng.choices(["编制内", "在编", "事业编制", "合同工", "临时工", "公益性岗位", "劳务派遣"], [40, 8, 12, 10, 8, 6, 4])[0]
        r = rng.random()
        if r < 0.85:
            w.employ(p, org, st)
        elif r < 0.93:
            w.employ(p, org, st, p0=rng.choice(PERIODS[1:8]))
        else:
            w.employ(p, org, st, p1=rng.choice(PERIODS[3:11]))
        staff.append((p, org))
    # village cadres from clean households
    cadres = {}
    for v in VILLAGES:
        cands = [p for p in staff_candidates[170:] if w.persons[p]["region"][-3:] == f"{VILLAGES.index(v) + 200:03d}"]
        for p in cands[:2]:
            w.employ(p, w.org_village[v], "村干部", amount=2100)
            cadres.setdefault(v, []).append(p)
    # unemployed members of 低保 households working as 公益性岗位/临时工 (legit)
    for hh in low_hh[:15]:
        m = [p for p in w.households[hh]["members"] if 20 <= w.age(p) <= 55]
        if m:
            w.employ(m[0], rng.choice(w.orgs_town), rng.choice(["公益性岗位", "临时工"]), amount=1800)

    # background vehicles / properties
    for hh in clean_hh:
        for p in w.households[hh]["members"]:
            if 22 <= w.age(p) <= 65 and rng.random() < 0.18:
                w.vehicle(p, rng.choice(["小型普通客车", "小型轿车", "小型越野客车", "轻型普通货车"]),
                          reg=f"20{rng.randint(10, 23)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}")
        n = rng.choices([0, 1, 2, 3, 4], [10, 60, 20, 7, 3])[0]
        for k in range(n):
            owner = rng.choice(w.households[hh]["members"][:2])
            w.prop(owner, f"{COUNTY}{w.households[hh]['town'][0]}{rng.choice(VILLAGES)}{'组' if k == 0 else '小区'}{rng.randint(1, 99)}号",
                   round(rng.uniform(60, 220), 1))
    for hh in low_hh:  # a home each, exempt farm vehicles
        w.prop(w.head(hh), f"{COUNTY}{w.households[hh]['town'][0]}{w.households[hh]['village']}村{rng.randint(1, 12)}组{rng.randint(1, 60)}号", round(rng.uniform(60, 140), 1))
        if rng.random() < 0.15:
            w.vehicle(w.head(hh), rng.choice(["三轮汽车", "正三轮摩托车", "残疾人专用机动轮椅车"]), exempt=True)

    # background enterprises: people from clean households and outsiders
    business_people = [p for hh in clean_hh for p in w.households[hh]["members"] if 25 <= w.age(p) <= 65]
    rng.shuffle(business_people)
    bp_iter = iter(business_people)
    ind = ["建设工程", "建筑劳务", "商贸", "医疗器械", "信息技术", "农业开发", "物业管理", "交通设施", "园林绿化", "办公设备",
           "食品", "环保科技", "水利水电工程", "装饰工程"]
    prefixes = ["鑫盛", "恒通", "宏达", "金源", "华泰", "顺发", "永兴", "天成", "瑞丰", "嘉禾", "中联", "湘通", "佳诚", "远航",
                "博远", "德润", "汇丰", "新宇", "万豪", "隆昌", "盛世", "长青", "明泰", "广源", "富民", "宏远", "兴业", "正和"]
    used_names = set()

    def ent_name(kind=None):
        while True:
            n = f"{COUNTY}{rng.choice(prefixes)}{kind or rng.choice(ind)}{rng.choice(['有限公司', '有限责任公司', '有限公司'])}"
            if n not in used_names:
                used_names.add(n)
                return n

    bidders = []
    for k in range(110):
        rep = next(bp_iter) if rng.random() < 0.5 else outsider()
        est = dt.date(rng.randint(2003, 2021), rng.randint(1, 12), rng.randint(1, 28))
        cap = rng.choice([1000000, 2000000, 3000000, 5000000, 8000000, 10000000, 20000000])
        cc = w.enterprise(ent_name(), est.isoformat(), cap, rep, rng.randint(8, 120))
        w.holder(cc, rep, "股东", rng.choice([51, 60, 70, 100]))
        if rng.random() < 0.6:
            w.holder(cc, next(bp_iter) if rng.random() < 0.5 else outsider(), "股东", rng.choice([20, 30, 40]))
        if rng.random() < 0.4:
            w.holder(cc, outsider(), "监事", 0)
        bidders.append(cc)
    # small shops (个体工商户) owned by 低保 family members are fine (capital < 500k)
    for hh in low_hh[20:26]:
        p = w.households[hh]["members"][-1]
        w.enterprise(f"{COUNTY}{w.persons[p]['name']}小卖部", "2019-04-12", 30000, p, 1, dept_type="92")
    # company-level bidding attributes
    comp = {}
    for cc in bidders:
        comp[cc] = dict(pms=[outsider(1970, 1992) for _ in range(rng.randint(2, 3))],
                        phone=f"1{rng.choice('3589')}{rng.randint(100000000, 999999999)}",
                        account=f"6228{rng.randint(10**14, 10**15 - 1)}",
                        ip=f"{rng.choice([113, 175, 222, 58])}.{rng.randint(1, 254)}.{rng.randint(1, 254)}.{rng.randint(1, 254)}",
                        author=person_name(rng, rng.choice("男女")))
    w.comp = comp

    buyers = w.orgs_county + [f"青溪县{t[0]}人民政府" for t in TOWNS]
    cats = {"工程": ["道路硬化工程", "农村安全饮水工程", "校舍维修改造工程", "河道治理工程", "办公楼装修工程"],
            "货物": ["医疗设备采购", "办公设备采购", "教学设备采购", "车辆采购"],
            "服务": ["物业管理服务", "信息系统运维服务", "工程监理服务", "审计服务"]}

    def new_tender(buyer, category=None, budget=None, notice=None, method="公开招标", title=None):
        w.tender_seq += 1
        tid = f"QXZB-2024-{w.tender_seq:04d}"
        category = category or rng.choice(list(cats))
        title = title or f"{buyer}{rng.choice(cats[category])}"
        budget = budget or float(rng.choice([50, 80, 120, 150, 200, 260, 300, 450, 600, 800, 1200]) * 10000)
        notice = notice or dt.date(2024, rng.randint(1, 11), rng.randint(1, 28))
        w.tenders[tid] = dict(id=tid, buyer=buyer, title=title, category=category, method=method, budget=budget,
                              notice=notice, deadline=notice + dt.timedelta(days=21), region=COUNTY_CODE)
        return tid

    ipseq = [0]

    def bid(tid, cc, price, status="未中标", pm=None, phone=None, account=None, ip=None, author=None, at=None):
        t = w.tenders[tid]
        c = comp.get(cc)
        if c is None:
            c = comp[cc] = dict(pms=[outsider(1970, 1992)], phone=f"13{rng.randint(100000000, 999999999)}",
                                account=f"6217{rng.randint(10**14, 10**15 - 1)}",
                                ip=f"117.{rng.randint(1, 254)}.{rng.randint(1, 254)}.{rng.randint(1, 254)}",
                                author=person_name(rng, "男"))
        if ip is None:
            r = rng.random()
            ip = rng.choice(w.shared_ips) if r < 0.3 else c["ip"]
        at = at or dt.datetime.combine(t["deadline"] - dt.timedelta(days=rng.randint(0, 5)), dt.time(rng.randint(8, 17), rng.randint(0, 59), rng.randint(0, 59)))
        w.bids.append(dict(tid=tid, cc=cc, name=w.enterprises[cc]["name"], price=price, at=at, status=status,
                           pm=pm if pm is not None else rng.choice(c["pms"]),
                           phone=phone if phone is not None else c["phone"],
                           account=account if account is not None else c["account"], ip=ip,
                           author=author if author is not None else c["author"]))

    def award(tid, cc, amount, on=None):
        t = w.tenders[tid]
        on = on or t["deadline"] + dt.timedelta(days=rng.randint(3, 12))
        w.awards.append(dict(tid=tid, cc=cc, amount=amount, on=on))

    def run_tender(tid, bidder_list, winner=None, ratio=None, award_on=None):
        t = w.tenders[tid]
        winner = winner or rng.choice(bidder_list)
        ratio = ratio if ratio is not None else rng.uniform(0.86, 0.985)
        win_price = round(t["budget"] * ratio, 2)
        for cc in bidder_list:
            if cc == winner:
                bid(tid, cc, win_price, "中标")
            else:
                bid(tid, cc, round(t["budget"] * rng.uniform(max(ratio + 0.002, 0.9), 0.999), 2))
        award(tid, winner, win_price, on=award_on)

    # background tenders; the bidder pool is split so that no background bidder
    # is a perpetual loser by accident (reference evaluator still decides the truth)
    for k in range(260):
        buyer = rng.choice(buyers)
        tid = new_tender(buyer)
        bl = rng.sample(bidders, rng.randint(3, 5))
        run_tender(tid, bl)

    # background purchases (small, spread over months)
    items = {"青溪县教育局": [("教学设备购置", "货物"), ("校舍维修", "工程")],
             "青溪县卫生健康局": [("医疗设备购置", "货物"), ("信息化建设", "服务")],
             "青溪县人民医院": [("药品耗材", "货物"), ("医疗设备购置", "货物")],
             "青溪县交通运输局": [("农村公路养护", "工程"), ("办公设备", "货物")],
             "青溪县水利局": [("山塘整治", "工程"), ("防汛物资", "货物")],
             "青溪县民政局": [("敬老院维修", "工程"), ("办公设备", "货物")],
             "青溪县农业农村局": [("高标准农田建设", "工程"), ("农机购置", "货物")]}
    for buyer, its in items.items():
        for item, cat in its:
            for m in range(1, 13):
                for _ in range(rng.choice([0, 1, 1, 2])):
                    amt = round(rng.uniform(20000, 600000), 2)
                    w.purchases.append(dict(buyer=buyer, item=item, cat=cat, on=dt.date(2024, m, rng.randint(1, 28)),
                                            amount=amt, method=rng.choice(NON_TENDERED), cc=rng.choice(bidders)))
            # a tendered big one
            w.purchases.append(dict(buyer=buyer, item=item, cat=cat, on=dt.date(2024, rng.randint(1, 12), rng.randint(1, 28)),
                                    amount=float(rng.randint(12, 40) * 100000), method="公开招标", cc=rng.choice(bidders)))

    # relatives of leading cadres (background; all relatives are clean or filed)
    officials = [p for p, org in staff if org in w.orgs_county[:6]][:25]
    for o in officials:
        ohh = w.persons[o]["hh"]
        fam = [m for m in w.households[ohh]["members"] if m != o]
        for m in fam[:2]:
            w.relatives.append(dict(off=o, rel=m, name=w.name(m), relation="配偶" if w.persons[m]["relation"] in ("配偶", "户主") else "子女"))

    # ================================================================ planted cases
    def fresh_hh(size=4, town=None, head_birth=(1955, 1975)):
        hh = w.new_household(size=size, town=town, head_birth=head_birth)
        w.reserved_hh.add(hh)
        return hh

    def adult_child(hh, sex=None):
        return w.add_member(hh, "子" if (sex or "男") == "男" else "女", w.rand_birth(1985, 1998), sex=sex)

    # ---------------- payroll_subsistence
    M = "payroll_subsistence"
    hh = fresh_hh(town=TOWNS[1]); w.give_low(hh, lag=1)
    s = adult_child(hh); w.employ(s, "青溪县教育局", "编制内")
    for p in PERIODS:
        w.pos(M, hh, p, "低保 all year, son 编制内 all year (paid the following month)")
    # 特困 elder in son's household; son 在编 at town government Jan-Jun
    hh = fresh_hh(size=1, town=TOWNS[2], head_birth=(1938, 1944)); w.give_tk(w.head(hh))
    s = w.add_member(hh, "子", w.rand_birth(1968, 1975), "男"); w.employ(s, "青溪县石门乡人民政府", "在编", p1="2024-06")
    for p in PERIODS[:6]:
        w.pos(M, hh, p, "特困 elder, son 在编 Jan-Jun")
    # daughter 事业编制 at hospital from Sept
    hh = fresh_hh(town=TOWNS[3]); w.give_low(hh)
    s = adult_child(hh, "女"); w.employ(s, "青溪县人民医院", "事业编制", p0="2024-09")
    for p in PERIODS[8:]:
        w.pos(M, hh, p, "daughter 事业编制 from Sep")
    # the payee himself is a teacher
    hh = fresh_hh(town=TOWNS[4], head_birth=(1966, 1972)); w.give_low(hh)
    w.employ(w.head(hh), "青溪县第一中学", "编制内")
    for p in PERIODS:
        w.pos(M, hh, p, "payee himself 编制内")
    w.noisy_ids = {w.head(hh)}  # render this payee's ID in legacy 15-digit form in benefit rows
    # one-month overlap: 低保 ends 2024-07, payroll begins 2024-07
    hh = fresh_hh(town=TOWNS[0]); w.give_low(hh, p1="2024-07", lag=1)
    s = adult_child(hh); w.employ(s, "青溪县财政局", "编制内", p0="2024-07")
    w.neg(M, hh, None, "same-month exit: last 低保 month = first payroll month")
    # reverse: member leaves 编制 in April, household admitted to 低保 in April
    hh = fresh_hh(town=TOWNS[2]); w.give_low(hh, p0="2024-04")
    s = adult_child(hh); w.employ(s, "青溪县石门乡人民政府", "编制内", p1="2024-04")
    w.neg(M, hh, None, "same-month exit of the member: last payroll month = first 低保 month")
    # exit one month late: both overlapping months are hits
    hh = fresh_hh(town=TOWNS[3]); w.give_low(hh, p1="2024-08")
    s = adult_child(hh); w.employ(s, "青溪县农业农村局", "编制内", p0="2024-07")
    w.pos(M, hh, "2024-07", "exit one month late"); w.pos(M, hh, "2024-08", "exit one month late")
    # re-admission: 低保 Jan-Mar (exit in March when son joins 编制), re-admitted Nov-Dec while son still employed
    hh = fresh_hh(town=TOWNS[1]); w.give_low(hh, p1="2024-03"); w.give_low(hh, p0="2024-11")
    s = adult_child(hh); w.employ(s, "青溪县教育局", "编制内", p0="2024-03")
    w.neg(M, hh, "2024-03", "exit month of the first spell")
    w.pos(M, hh, "2024-11", "re-admitted while son 编制内"); w.pos(M, hh, "2024-12", "re-admitted while son 编制内")
    # hard negatives
    hh = fresh_hh(town=TOWNS[1]); w.give_low(hh)
    s = adult_child(hh); w.employ(s, "青溪县民政局", "临时工")
    w.neg(M, hh, None, "临时工 excluded")
    hh = fresh_hh(town=TOWNS[2]); w.give_low(hh)
    s = adult_child(hh); w.employ(s, "青溪县交通运输局", "合同工")
    s2 = adult_child(hh, "女"); w.employ(s2, "青溪县桃花镇人民政府", "公益性岗位")
    w.neg(M, hh, None, "合同工 / 公益性岗位 excluded")
    hh = fresh_hh(town=TOWNS[3]); w.give_low(hh)
    s = adult_child(hh); w.employ(s, "青溪县水利局", "劳务派遣")
    w.neg(M, hh, None, "劳务派遣 excluded")
    # same-month exit: 低保 Jan-May (paid the following month, so May is paid in June), 编制内 from June
    hh = fresh_hh(town=TOWNS[1]); w.give_low(hh, p1="2024-05", lag=1)
    s = adult_child(hh); w.employ(s, "青溪县自然资源局", "编制内", p0="2024-06")
    w.neg(M, hh, None, "same-month exit: 低保 to May (paid in June), payroll from June")
    # payroll ended March (resigned), 低保 admitted April
    hh = fresh_hh(town=TOWNS[4]); w.give_low(hh, p0="2024-04")
    s = adult_child(hh); w.employ(s, "青溪县卫生健康局", "编制内", p1="2024-03")
    w.neg(M, hh, None, "payroll Jan-Mar, 低保 from Apr")
    # 低保边缘 and 高龄津贴 households with 编制内 member
    hh = fresh_hh(town=TOWNS[0]); w.pay_range(w.head(hh), EDGE_PROGRAM, "2024-01", "2024-12", 200, hh=hh)
    s = adult_child(hh); w.employ(s, "青溪县教育局", "编制内")
    w.neg(M, hh, None, "低保边缘 is not 低保")
    hh = fresh_hh(town=TOWNS[2], head_birth=(1936, 1942))
    w.pay_range(w.head(hh), OLD_AGE, "2024-01", "2024-12", 100.0)
    s = adult_child(hh); w.employ(s, "青溪县财政局", "编制内")
    w.neg(M, hh, None, "高龄津贴 is not 低保")
    hh = fresh_hh(town=TOWNS[3]); w.give_low(hh)
    s = adult_child(hh); w.employ(s, w.org_village["柳塘"], "村干部", amount=2100)
    w.neg(M, hh, None, "village cadre is not 编制内")

    # ---------------- subsistence_vehicle (subject household, no period)
    M = "subsistence_vehicle"
    hh = fresh_hh(town=TOWNS[1]); w.give_low(hh); s = adult_child(hh); w.vehicle(s, "小型轿车", reg="2022-08-09")
    w.pos(M, hh, "", "son owns a car")
    hh = fresh_hh(town=TOWNS[2]); w.give_low(hh); w.vehicle(w.households[hh]["members"][1], "小型普通客车")
    w.pos(M, hh, "", "spouse owns a car")
    hh = fresh_hh(town=TOWNS[3], head_birth=(1960, 1968)); w.give_low(hh, p0="2024-03"); w.vehicle(w.head(hh), "轻型普通货车", reg="2019-11-20")
    w.pos(M, hh, "", "head owns a light truck")
    w.noisy_ids.add(w.head(hh))
    hh = fresh_hh(town=TOWNS[4]); w.give_low(hh, p1="2024-04"); s = adult_child(hh, "女"); w.vehicle(s, "小型越野客车")
    w.pos(M, hh, "", "daughter owns SUV; 低保 only Jan-Apr")
    # negatives
    hh = fresh_hh(town=TOWNS[1]); w.give_low(hh); w.vehicle(w.head(hh), "残疾人专用机动轮椅车", exempt=True)
    w.neg(M, hh, "", "exempt: disabled vehicle")
    hh = fresh_hh(town=TOWNS[2]); w.give_low(hh); w.vehicle(w.head(hh), "三轮汽车", exempt=True); w.vehicle(w.head(hh), "正三轮摩托车", exempt=True)
    w.neg(M, hh, "", "exempt: farm tricycles")
    hh = fresh_hh(size=1, town=TOWNS[0], head_birth=(1950, 1955)); w.give_tk(w.head(hh)); w.vehicle(w.head(hh), "小型轿车")
    w.neg(M, hh, "", "特困 (not 低保) household car")
    hh = fresh_hh(town=TOWNS[3]); w.pay_range(w.head(hh), EDGE_PROGRAM, "2024-01", "2024-12", 200, hh=hh); w.vehicle(w.head(hh), "小型轿车")
    w.neg(M, hh, "", "低保边缘 household car")

    # ---------------- subsistence_property (subject household)
    M = "subsistence_property"

    def addr(hh, k):
        t = w.households[hh]["town"][0]
        return [f"{COUNTY}{t}{w.households[hh]['village']}村3组{k + 7}号", f"{COUNTY}城关镇滨江花园{k + 2}栋{k + 1}0{k + 1}室",
                f"长沙市雨花区香樟路{k + 18}号{k + 3}栋", f"{COUNTY}城关镇建设路{k + 40}号门面", f"邵阳市大祥区红旗路{k + 9}号"][k]
    hh = fresh_hh(town=TOWNS[1]); w.give_low(hh)
    m = w.households[hh]["members"]
    w.prop(m[0], addr(hh, 0), 120.0); w.prop(m[0], addr(hh, 1), 89.5); w.prop(m[1], addr(hh, 2), 96.3)
    w.pos(M, hh, "", "3 properties over 2 members")
    hh = fresh_hh(town=TOWNS[2]); w.give_low(hh, p0="2024-06")
    s = adult_child(hh)
    for k in range(4):
        w.prop(s, addr(hh, k), 70.0 + k * 11)
    w.pos(M, hh, "", "son owns 4")
    hh = fresh_hh(town=TOWNS[4]); w.give_low(hh)
    m = w.households[hh]["members"]
    w.prop(m[0], addr(hh, 0), 150.0); w.prop(m[1], addr(hh, 1), 110.0); w.prop(m[1], addr(hh, 3), 45.0)
    w.pos(M, hh, "", "3 incl. a shop")
    # negatives
    hh = fresh_hh(town=TOWNS[1]); w.give_low(hh); m = w.households[hh]["members"]
    w.prop(m[0], addr(hh, 0), 130.0); w.prop(m[0], addr(hh, 1), 88.0)
    w.neg(M, hh, "", "only 2")
    hh = fresh_hh(town=TOWNS[3]); w.give_low(hh); m = w.households[hh]["members"]
    w.prop(m[0], addr(hh, 0), 130.0); w.prop(m[0], addr(hh, 1), 88.0); w.prop(m[1], addr(hh, 1), 88.0)
    w.neg(M, hh, "", "2 distinct properties, one co-owned by spouses (3 rows)")  # own case
    hh = fresh_hh(size=1, town=TOWNS[2], head_birth=(1948, 1955)); w.give_tk(w.head(hh))
    for k in range(3):
        w.prop(w.head(hh), addr(hh, k), 60.0 + k)
    w.neg(M, hh, "", "特困 household with 3")
    hh = fresh_hh(town=TOWNS[0]); w.pay_range(w.head(hh), EDGE_PROGRAM, "2024-01", "2024-12", 200, hh=hh)
    for k in range(3):
        w.prop(w.head(hh), addr(hh, k), 60.0 + k)
    w.neg(M, hh, "", "低保边缘 household with 3")

    # ---------------- subsistence_business (subject household)
    M = "subsistence_business"
    hh = fresh_hh(town=TOWNS[1]); w.give_low(hh); s = adult_child(hh)
    cc = w.enterprise(ent_name("建筑劳务"), "2020-05-06", 500000, s, 6); w.holder(cc, s, "股东", 100)
    w.pos(M, hh, "", "son legal rep, capital exactly 500,000")
    hh = fresh_hh(town=TOWNS[2]); w.give_low(hh)
    cc = w.enterprise(ent_name("农业开发"), "2018-09-12", 2000000, outsider(), 15); w.holder(cc, w.households[hh]["members"][1], "股东", 30)
    w.pos(M, hh, "", "spouse 股东 30% of 2M company")
    hh = fresh_hh(town=TOWNS[4], head_birth=(1962, 1970)); w.give_low(hh, p1="2024-09")
    cc = w.enterprise(ent_name("商贸"), "2016-02-29", 1000000, outsider(), 4); w.holder(cc, w.head(hh), "股东", 10)
    w.noisy_ids.add(w.head(hh))
    w.pos(M, hh, "", "head 股东 10% of 1M company")
    # negatives
    hh = fresh_hh(town=TOWNS[3]); w.give_low(hh); s = adult_child(hh)
    cc = w.enterprise(ent_name("装饰工程"), "2021-03-03", 300000, s, 2); w.holder(cc, s, "股东", 100)
    w.neg(M, hh, "", "capital 300,000 < 500,000")
    hh = fresh_hh(town=TOWNS[1]); w.give_low(hh); s = adult_child(hh)
    cc = w.enterprise(ent_name("交通设施"), "2015-07-01", 5000000, outsider(), 30); w.holder(cc, s, "监事", 0)
    w.neg(M, hh, "", "only 监事 (not 股东/法定代表人)")
    hh = fresh_hh(size=1, town=TOWNS[0], head_birth=(1950, 1956)); w.give_tk(w.head(hh))
    cc = w.enterprise(ent_name("物业管理"), "2012-10-10", 1000000, w.head(hh), 5); w.holder(cc, w.head(hh), "股东", 100)
    w.neg(M, hh, "", "特困 (not 低保) legal rep")

    # ---------------- paid_after_death (subject person, period)
    M = "paid_after_death"

    def elder(town=None, by=(1935, 1950)):
        hh = fresh_hh(size=2, town=town, head_birth=by)
        return w.head(hh), hh

    p, _ = elder(TOWNS[1])
    w.deaths.append(dict(id=p, date=dt.date(2024, 3, 10), source="公安户籍注销"))
    w.deaths.append(dict(id=p, date=dt.date(2024, 3, 10), source="殡葬火化"))  # two sources, same person
    w.pay_range(p, PENSION, "2024-01", "2024-12", 168.0)
    for per in PERIODS[4:]:
        w.pos(M, p, per, "pension after 2024-03 death")
    w.neg(M, p, "2024-04", "grace month"); w.neg(M, p, "2024-03", "death month")
    p, _ = elder(TOWNS[2], by=(1930, 1938))
    w.deaths.append(dict(id=p, date=dt.date(2023, 12, 20), source="卫健死亡医学证明"))
    w.pay_range(p, OLD_AGE, "2024-01", "2024-06", 200.0)
    w.neg(M, p, "2024-01", "grace month across the year boundary")
    for per in PERIODS[1:6]:
        w.pos(M, p, per, "高龄津贴 after 2023-12 death")
    hh = fresh_hh(town=TOWNS[3], head_birth=(1950, 1958)); p = w.head(hh); w.give_low(hh)
    w.deaths.append(dict(id=p, date=dt.date(2024, 6, 30), source="公安户籍注销"))
    for per in PERIODS[7:]:
        w.pos(M, p, per, "低保 still paid to dead head")
    w.neg(M, p, "2024-07", "grace")
    p, _ = elder(TOWNS[4], by=(1955, 1962))
    w.deaths.append(dict(id=p, date=dt.date(2024, 1, 31), source="殡葬火化"))
    w.pay_range(p, DISAB1, "2024-01", "2024-04", 90.0)
    w.pos(M, p, "2024-03", "disability subsidy"); w.pos(M, p, "2024-04", "disability subsidy")
    w.noisy_ids.add(p)
    # 特困 person dead, payments continue
    hh = fresh_hh(size=1, town=TOWNS[2], head_birth=(1940, 1950)); p = w.head(hh); w.give_tk(p)
    w.deaths.append(dict(id=p, date=dt.date(2024, 8, 3), source="殡葬火化"))
    for per in PERIODS[9:]:
        w.pos(M, p, per, "特困供养 after death")
    # temporary relief paid four months after death (interpretation: every non-death-related payment counts)
    p, _ = elder(TOWNS[3])
    w.deaths.append(dict(id=p, date=dt.date(2024, 2, 10), source="公安户籍注销"))
    w.pay(p, TEMP_RELIEF, "2024-06", 1000.0)
    w.pos(M, p, "2024-06", "临时救助 after death")
    # survivor recipients who themselves died: a martyr's mother (定期抚恤金) and an official's widow (遗属补助)
    p, _ = elder(TOWNS[1], by=(1936, 1944))
    w.pay_range(p, PERIODIC_PENSION, "2024-01", "2024-08", 2150.0)
    w.deaths.append(dict(id=p, date=dt.date(2024, 4, 12), source="公安户籍注销"))
    for per in ["2024-06", "2024-07", "2024-08"]:
        w.pos(M, p, per, "定期抚恤金 recipient herself dead (paid since before her death)")
    p, _ = elder(TOWNS[4], by=(1938, 1946))
    w.pay_range(p, SURVIVOR, "2024-01", "2024-05", 480.0)
    w.deaths.append(dict(id=p, date=dt.date(2024, 2, 20), source="殡葬火化"))
    for per in ["2024-04", "2024-05"]:
        w.pos(M, p, per, "遗属补助 recipient herself dead")
    # negatives
    p, _ = elder(TOWNS[0])
    w.deaths.append(dict(id=p, date=dt.date(2024, 5, 15), source="公安户籍注销"))
    w.pay_range(p, PENSION, "2024-01", "2024-06", 153.0)
    w.neg(M, p, None, "stops at grace month")
    w.pay(p, FUNERAL, "2024-08", 3000.0)
    w.pay(p, PENSION_LUMP, "2024-08", 4590.0)
    w.neg(M, p, None, "funeral grant and lump-sum 抚恤金 later")
    p, _ = elder(TOWNS[1])
    w.deaths.append(dict(id=p, date=dt.date(2024, 2, 3), source="殡葬火化"))
    w.pay_range(p, PENSION, "2024-01", "2024-02", 183.0)
    w.pay_range(p, SURVIVOR, "2024-03", "2024-12", 300.0)
    w.neg(M, p, None, "survivor allowance recorded under the deceased's ID")
    p, _ = elder(TOWNS[2], by=(1930, 1936))
    w.deaths.append(dict(id=p, date=dt.date(2024, 7, 5), source="公安户籍注销"))
    w.pay_range(p, OLD_AGE, "2024-01", "2024-03", 200.0)
    for per in ["2024-04", "2024-05", "2024-06", "2024-07"]:
        w.pay(p, OLD_AGE, per, 200.0, paid_on="2024-09-10")  # 补发 after death for periods up to the death month
    w.neg(M, p, None, "back-payment for periods before death")
    p, _ = elder(TOWNS[3])
    w.deaths.append(dict(id=p, date=dt.date(2024, 10, 2), source="公安户籍注销"))
    w.pay_range(p, PENSION, "2024-01", "2024-11", 153.0)
    w.neg(M, p, None, "paid through grace month")
    # namesake alive
    p_alive, _ = elder(TOWNS[1])
    w.persons[p_alive]["name"] = w.persons[p]["name"]
    w.pay_range(p_alive, PENSION, "2024-01", "2024-12", 153.0)
    w.neg(M, p_alive, None, "alive namesake of a dead person")

    # ---------------- duplicate_payment (subject person, period)
    M = "duplicate_payment"
    p, _ = elder(TOWNS[1], by=(1955, 1962))
    w.pay_range(p, PENSION, "2024-01", "2024-12", 168.0)
    w.pay(p, PENSION, "2024-03", 168.0, paid_on="2024-03-28")
    w.pos(M, p, "2024-03", "pension paid twice in March")
    hh = fresh_hh(town=TOWNS[2]); w.give_low(hh)
    w.pay(w.head(hh), w.low_program(hh), "2024-07", 1040.0, hh=hh, paid_on="2024-08-02")
    w.pos(M, w.head(hh), "2024-07", "低保 paid twice for July")
    p, _ = elder(TOWNS[3], by=(1936, 1943))
    w.pay_range(p, OLD_AGE, "2024-01", "2024-12", 100.0)
    w.pay(p, OLD_AGE, "2024-10", 100.0, paid_on="2024-10-30")
    w.pay(p, OLD_AGE, "2024-11", 100.0, paid_on="2024-11-29")
    w.noisy_ids.add(p)
    w.pos(M, p, "2024-10", "高龄津贴 double Oct"); w.pos(M, p, "2024-11", "高龄津贴 double Nov")
    # negatives
    p, _ = elder(TOWNS[4], by=(1936, 1943))
    w.pay_range(p, PENSION, "2024-01", "2024-12", 153.0)
    w.pay_range(p, OLD_AGE, "2024-01", "2024-12", 100.0)
    w.neg(M, p, None, "two programs same period")
    p, _ = elder(TOWNS[0], by=(1955, 1962))
    w.pay(p, PENSION, "2024-01", 153.0, paid_on="2024-01-15")
    for per in ["2024-02", "2024-03"]:
        w.pay(p, PENSION, per, 153.0, paid_on="2024-03-12")  # Feb paid late together with March
    w.pay_range(p, PENSION, "2024-04", "2024-12", 153.0)
    w.neg(M, p, None, "two periods paid on the same day")
    hh = fresh_hh(size=2, town=TOWNS[1], head_birth=(1936, 1941))
    for m in w.households[hh]["members"]:
        w.pay_range(m, OLD_AGE, "2024-01", "2024-12", 100.0)
    w.neg(M, w.head(hh), None, "husband and wife each paid")
    # moved from 石门乡 to 桃花镇 in June; 石门乡 kept paying its 农村低保 until August
    hh = fresh_hh(size=1, town=TOWNS[1], head_birth=(1950, 1960)); p = w.head(hh)
    w.pay_range(p, "农村低保", "2024-01", "2024-08", 420.0, hh=f"{COUNTY_CODE}203900001")
    w.pay_range(p, "农村最低生活保障金", "2024-06", "2024-12", 430.0, hh=hh)
    for per in ["2024-06", "2024-07", "2024-08"]:
        w.pos(M, p, per, "低保 paid by two towns (programme named differently) after a move")
    p, _ = elder(TOWNS[2], by=(1955, 1962))
    w.pay_range(p, PENSION, "2024-01", "2024-12", 153.0)
    w.pay(p, PENSION, "2024-05", -153.0, paid_on="2024-05-21")  # bank returned (退回)
    w.pay(p, PENSION, "2024-05", 153.0, paid_on="2024-06-04")   # re-sent
    w.neg(M, p, None, "returned and re-sent (+, -, +)")

    # ---------------- relative_benefit_unfiled (subject relative)
    M = "relative_benefit_unfiled"

    def official(org, st="编制内"):
        hh = fresh_hh(size=3, town=TOWNS[0], head_birth=(1968, 1985))
        o = w.head(hh)
        w.employ(o, org, st)
        return o

    def relative_with(o, relation, benefit, filed=None, town=None):
        hh = fresh_hh(size=1, town=town or TOWNS[1], head_birth=(1940, 1958))
        r = w.head(hh)
        w.relatives.append(dict(off=o, rel=r, name=w.name(r), relation=relation))
        if benefit == "low":
            w.give_low(hh); prog = w.low_program(hh)
        elif benefit == "tk":
            w.give_tk(r); prog = w.tk_program(hh)
        elif benefit == "edge":
            w.pay_range(r, EDGE_PROGRAM, "2024-01", "2024-12", 200, hh=hh); prog = EDGE_PROGRAM
        else:
            w.pay_range(r, benefit, "2024-01", "2024-12", 100.0); prog = benefit
        if filed:
            w.filings.append(dict(id=r, program=prog if filed is True else filed, on="2023-11-20"))
        return r

    o = official("青溪县民政局")
    r = relative_with(o, "母亲", "low", town=TOWNS[1]); w.pos(M, r, "", "mother of 民政局 official on 低保, unfiled")
    o = official(w.org_village["枫树"], "村干部")
    r = relative_with(o, "兄弟姐妹", "tk", town=TOWNS[2]); w.pos(M, r, "", "brother of 村委会 cadre on 特困, unfiled")
    o = official("青溪县白沙镇民政办", "在编")
    r = relative_with(o, "父亲", "low", filed="特困人员救助供养金", town=TOWNS[4]); w.pos(M, r, "", "filed for another program")
    o = official("青溪县民政局", "临时工")
    r = relative_with(o, "配偶父母", "low", town=TOWNS[3]); w.pos(M, r, "", "relative of 民政局 临时经办人员")
    # negatives
    o = official("青溪县民政局")
    r = relative_with(o, "母亲", "low", filed=True, town=TOWNS[2]); w.neg(M, r, "", "filed")
    o = official(w.org_village["竹山"], "村干部")
    r = relative_with(o, "父亲", "tk", filed=True, town=TOWNS[1]); w.neg(M, r, "", "filed 特困")
    o = official("青溪县教育局")
    r = relative_with(o, "母亲", "low", town=TOWNS[3]); w.neg(M, r, "", "official not in a benefits-handling org")
    o = official("青溪县民政局")
    r = relative_with(o, "父亲", OLD_AGE, town=TOWNS[4]); w.neg(M, r, "", "高龄津贴 is not 低保/特困")
    o = official("青溪县桃花镇民政办")
    r = relative_with(o, "母亲", "edge", town=TOWNS[1]); w.neg(M, r, "", "低保边缘 is not 低保")
    o = official("中国人民政治协商会议青溪县委员会办公室")
    r = relative_with(o, "母亲", "low", town=TOWNS[2]); w.neg(M, r, "", "official works at 政协 (not a benefits office)")
    # declared sister is a member (spouse) of a 低保 household; her husband is the payee
    o = official("青溪县民政局")
    hh = fresh_hh(size=3, town=TOWNS[3], head_birth=(1965, 1975)); w.give_low(hh)
    sis = w.households[hh]["members"][1]
    w.relatives.append(dict(off=o, rel=sis, name=w.name(sis), relation="兄弟姐妹"))
    w.pos(M, sis, "", "declared sister is a member of a 低保 household (payee is her husband)")
    o = official("青溪县桃花镇杉木村委会", "村干部")
    r = relative_with(o, "母亲", "low", town=TOWNS[1]); w.pos(M, r, "", "cadre of 村委会 (short form)")

    # ---------------- relative_supplier (subject credit code)
    M = "relative_supplier"
    o = official("青溪县交通运输局")
    hh = fresh_hh(size=1, town=TOWNS[0], head_birth=(1970, 1980)); r = w.head(hh)
    w.relatives.append(dict(off=o, rel=r, name=w.name(r), relation="配偶"))
    cc = w.enterprise(ent_name("交通设施"), "2017-04-18", 5000000, outsider(), 40); w.holder(cc, r, "股东", 35)
    t = new_tender("青溪县交通运输局", "工程", 2600000.0); run_tender(t, [cc] + rng.sample(bidders, 3), winner=cc, ratio=0.93)
    w.pos(M, cc, "", "spouse 股东 of company winning from the official's bureau")
    o = official("青溪县人民医院")
    hh = fresh_hh(size=1, town=TOWNS[0], head_birth=(1988, 1995)); r = w.head(hh)
    w.relatives.append(dict(off=o, rel=r, name=w.name(r), relation="子女"))
    cc = w.enterprise(ent_name("医疗器械"), "2019-08-08", 3000000, r, 12); w.holder(cc, outsider(), "股东", 100)
    for _ in range(2):
        t = new_tender("青溪县人民医院", "货物", 800000.0); run_tender(t, [cc] + rng.sample(bidders, 2), winner=cc, ratio=0.95)
    w.pos(M, cc, "", "son legal rep (not shareholder), two awards")
    o = official("青溪县水利局")
    r = outsider(1960, 1970)  # brother living outside the county
    w.relatives.append(dict(off=o, rel=r, name=w.name(r), relation="兄弟姐妹"))
    cc = w.enterprise(ent_name("水利水电工程"), "2010-01-05", 10000000, outsider(), 60); w.holder(cc, r, "股东", 60)
    t = new_tender("青溪县水利局", "工程", 4500000.0); run_tender(t, [cc] + rng.sample(bidders, 4), winner=cc, ratio=0.9)
    w.pos(M, cc, "", "brother (outside county) majority shareholder")
    o = official("青溪县疾病预防控制中心(青溪县卫生监督所)")
    hh = fresh_hh(size=1, town=TOWNS[0], head_birth=(1975, 1985)); r = w.head(hh)
    w.relatives.append(dict(off=o, rel=r, name=w.name(r), relation="配偶"))
    cc = w.enterprise(ent_name("医疗器械"), "2018-03-08", 2000000, r, 7); w.holder(cc, r, "股东", 80)
    t = new_tender("青溪县疾病预防控制中心（青溪县卫生监督所）", "货物", 900000.0); run_tender(t, [cc] + rng.sample(bidders, 2), winner=cc, ratio=0.94)
    w.pos(M, cc, "", "payroll org uses (), tender buyer uses （）")
    # negatives
    o = official("青溪县教育局")
    hh = fresh_hh(size=1, town=TOWNS[0], head_birth=(1970, 1980)); r = w.head(hh)
    w.relatives.append(dict(off=o, rel=r, name=w.name(r), relation="配偶"))
    cc = w.enterprise(ent_name("办公设备"), "2016-06-06", 2000000, r, 9); w.holder(cc, r, "股东", 100)
    t = new_tender("青溪县财政局", "货物", 600000.0); run_tender(t, [cc] + rng.sample(bidders, 2), winner=cc, ratio=0.92)
    t = new_tender("青溪县教育局", "货物", 700000.0); bl = [cc] + rng.sample(bidders, 2); run_tender(t, bl, winner=bl[1], ratio=0.92)
    w.neg(M, cc, "", "wins only from another buyer; loses at the official's bureau")
    o = official("青溪县卫生健康局")
    hh = fresh_hh(size=1, town=TOWNS[0], head_birth=(1970, 1980)); r = w.head(hh)
    w.relatives.append(dict(off=o, rel=r, name=w.name(r), relation="配偶"))
    cc = w.enterprise(ent_name("信息技术"), "2016-06-06", 2000000, outsider(), 9); w.holder(cc, r, "股东", 20)
    w.neg(M, cc, "", "no award at all")

    # ---------------- split_purchase (subject buyer|item, period)
    M = "split_purchase"

    def purch(buyer, item, cat, day, amount, method):
        w.purchases.append(dict(buyer=buyer, item=item, cat=cat, on=d(day), amount=amount, method=method, cc=rng.choice(bidders)))

    B = "青溪县卫生健康局"; I = "急救设备购置"
    for day, a, m in [("2024-03-04", 800000.0, "询价"), ("2024-03-12", 790000.0, "竞争性谈判"), ("2024-03-27", 760000.0, "询价")]:
        purch(B, I, "货物", day, a, m)
    w.pos(M, f"{B}|{I}", "2024-03", "3 x ~0.8M in March")
    B = "青溪县教育局"; I = "学校食堂改造"
    for day, a in [("2024-06-03", 600000.0), ("2024-06-10", 580000.0), ("2024-06-17", 610000.0), ("2024-06-28", 590000.0)]:
        purch(B, I, "工程", day, a, rng.choice(["单一来源", "直接采购"]))
    w.pos(M, f"{B}|{I}", "2024-06", "4 x 0.6M")
    B = "青溪县农业农村局"; I = "农机购置补贴设备"
    for day, a, m in [("2024-09-02", 900000.0, "竞争性磋商"), ("2024-09-09", 700000.0, "询价"), ("2024-09-30", 650000.0, "询价"), ("2024-09-15", 950000.0, "公开招标")]:
        purch(B, I, "货物", day, a, m)
    w.pos(M, f"{B}|{I}", "2024-09", "3 non-tendered suffice beside a tendered one")
    # negatives
    B = "青溪县住房和城乡建设局"; I = "老旧小区改造"
    for day in ["2024-04-02", "2024-04-11", "2024-04-25"]:
        purch(B, I, "工程", day, 900000.0, "公开招标")
    w.neg(M, f"{B}|{I}", None, "all tendered")
    B = "青溪县水利局"; I = "堤防加固"
    for day, m in [("2024-05-06", "询价"), ("2024-05-13", "邀请招标"), ("2024-05-20", "竞争性谈判")]:
        purch(B, I, "工程", day, 900000.0, m)
    w.neg(M, f"{B}|{I}", None, "one of three tendered (邀请招标)")
    B = "青溪县交通运输局"; I = "安防监控设备"
    for day in ["2024-01-29", "2024-01-31", "2024-02-01", "2024-02-05"]:
        purch(B, I, "货物", day, 700000.0, "询价")
    w.neg(M, f"{B}|{I}", None, "spread over two calendar months (2 + 2)")
    B = "青溪县民政局"; I = "养老机构设施"
    purch(B, I, "货物", "2024-08-05", 800000.0, "询价"); purch(B, I, "工程", "2024-08-12", 800000.0, "询价"); purch(B, I, "服务", "2024-08-19", 800000.0, "询价")
    w.neg(M, f"{B}|{I}", None, "three different categories")
    B = "青溪县自然资源局"; I = "测绘服务"
    for day in ["2024-10-08", "2024-10-15", "2024-10-22", "2024-10-29"]:
        purch(B, I, "服务", day, 500000.0, "竞争性磋商")
    w.neg(M, f"{B}|{I}", None, "total exactly 2,000,000 (not over)")

    # ---------------- bid_rigging_links (subject tender)
    M = "bid_rigging_links"
    pool = bidders[50:110]

    def rig_tender(field, n_bidders=4, shared_value=None, label=""):
        t = new_tender(rng.choice(buyers))
        bl = rng.sample(pool, n_bidders)
        run_tender(t, bl)
        rows = [b for b in w.bids if b["tid"] == t]
        if field:
            for b in rows[1:3]:
                b[field] = shared_value if shared_value is not None else rows[0][field]
        return t, rows

    t, rows = rig_tender("pm"); w.pos(M, t, "", "shared project manager")
    t, rows = rig_tender("account"); w.pos(M, t, "", "shared deposit account")
    t, rows = rig_tender("phone"); w.pos(M, t, "", "shared contact phone")
    t, rows = rig_tender("ip", shared_value="183.214.77.19"); w.pos(M, t, "", "shared private IP")
    t, rows = rig_tender(None)
    rows[0]["pm"] = rows[1]["pm"]; rows[0]["pm15"] = True
    w.pos(M, t, "", "shared PM, one written as 15-digit ID")
    # negatives
    t, rows = rig_tender("ip", shared_value=w.shared_ips[3]); w.neg(M, t, "", "shared trading-centre terminal IP")
    t, rows = rig_tender(None)
    bid(t, rows[0]["cc"], rows[0]["price"] * 0.99)  # same company re-submits (same phone/PM/account)
    w.neg(M, t, "", "one company bidding twice")
    t, rows = rig_tender(None)
    for b in rows:
        b["phone"] = ""; b["account"] = ""
    w.neg(M, t, "", "blank phone/account on all bids")
    t, rows = rig_tender(None)
    for b in rows[:3]:
        b["account"] = "投标保函"
    w.neg(M, t, "", "three bidders used a bank guarantee: deposit_account '投标保函'")
    t = new_tender(rng.choice(buyers), "货物")
    run_tender(t, rng.sample(pool, 4))
    for b in w.bids:
        if b["tid"] == t:
            b["pm"] = "无"
    w.neg(M, t, "", "goods tender: no project manager, PM written '无'")
    t1, rows1 = rig_tender(None); t2, rows2 = rig_tender(None)
    rows2[0]["phone"] = rows1[0]["phone"] if rows1[0]["cc"] != rows2[0]["cc"] else rows2[0]["phone"]
    w.neg(M, t1, "", "phone shared across different tenders"); w.neg(M, t2, "", "phone shared across different tenders")

    # ---------------- perpetual_loser (subject credit code)
    M = "perpetual_loser"
    losers = []
    for k, n in enumerate([15, 18, 23, 14, 20]):
        cc = w.enterprise(ent_name(), f"20{10 + k}-03-15", 2000000, outsider(), 20)
        w.holder(cc, w.enterprises[cc]["rep"], "股东", 100)
        losers.append((cc, n))
    for cc, n in losers:
        ts = rng.sample([t for t in w.tenders if w.tenders[t]["method"] == "公开招标" and t not in ()], n)
        for t in ts:
            bid(t, cc, round(w.tenders[t]["budget"] * rng.uniform(0.99, 0.999), 2))
    w.pos(M, losers[0][0], "", "exactly 15 bids, no award")
    w.pos(M, losers[1][0], "", "18 bids")
    w.pos(M, losers[2][0], "", "23 bids")
    w.neg(M, losers[3][0], "", "14 bids")
    # 20 bids with one award
    t = new_tender("青溪县住房和城乡建设局", "工程", 1500000.0)
    run_tender(t, [losers[4][0]] + rng.sample(bidders, 3), winner=losers[4][0], ratio=0.93)
    w.neg(M, losers[4][0], "", "21 bids, one award")
    cc = w.enterprise(ent_name(), "2016-03-15", 2000000, outsider(), 20)
    ts = rng.sample([t for t in w.tenders if w.tenders[t]["method"] == "公开招标"], 14)
    for t in ts:
        bid(t, cc, round(w.tenders[t]["budget"] * 0.995, 2))
    for t in ts[:2]:
        bid(t, cc, round(w.tenders[t]["budget"] * 0.993, 2))  # revised bid
    w.neg(M, cc, "", "16 bid rows but 14 tenders (two revised bids)")

    # ---------------- captive_supplier (subject credit code)
    M = "captive_supplier"

    def supplier(kind):
        cc = w.enterprise(ent_name(kind), "2012-05-05", 5000000, outsider(), 25)
        w.holder(cc, w.enterprises[cc]["rep"], "股东", 100)
        return cc

    def wins(cc, buyer, budgets):
        for b in budgets:
            t = new_tender(buyer, budget=b)
            run_tender(t, [cc] + rng.sample(bidders, 3), winner=cc, ratio=0.9)

    cc = supplier("水利水电工程"); wins(cc, "青溪县水利局", [1000000.0] * 6)
    w.pos(M, cc, "", "6 awards all one buyer")
    cc = supplier("信息技术"); wins(cc, "青溪县教育局", [2000000.0] * 4); wins(cc, "青溪县财政局", [500000.0, 500000.0])
    w.pos(M, cc, "", "6 awards, exactly 80% from one buyer")
    cc = supplier("物业管理"); wins(cc, "青溪县人民医院", [3000000.0] * 6); wins(cc, "青溪县民政局", [900000.0])
    w.pos(M, cc, "", "7 awards, 95% one buyer")
    cc = supplier("园林绿化"); wins(cc, "青溪县自然资源局", [1000000.0] * 4)
    w.neg(M, cc, "", "only 4 awards")
    cc = supplier("环保科技"); wins(cc, "青溪县住房和城乡建设局", [1500000.0] * 3); wins(cc, "青溪县水利局", [750000.0]); wins(cc, "青溪县教育局", [750000.0])
    w.neg(M, cc, "", "5 awards, 75% one buyer")

    # ---------------- new_small_winner (subject credit code)
    M = "new_small_winner"

    def new_co(est, staff):
        cc = w.enterprise(ent_name(), est, 10000000, outsider(), staff)
        w.holder(cc, w.enterprises[cc]["rep"], "股东", 100)
        return cc

    def big_win(cc, amount_ratio_budget, on):
        t = new_tender(rng.choice(buyers), budget=amount_ratio_budget[1], notice=d(on) - dt.timedelta(days=35))
        run_tender(t, [cc] + rng.sample(bidders, 3), winner=cc, ratio=amount_ratio_budget[0], award_on=d(on))
        return t

    cc = new_co("2024-01-10", 2); big_win(cc, (0.95, 6400000.0), "2024-06-01"); w.pos(M, cc, "", "5 months old, 2 staff, 6.08M")
    cc = new_co("2023-03-02", 3); big_win(cc, (0.9, 5555555.56), "2024-02-29"); w.pos(M, cc, "", "364 days (leap year), 3 staff, 5.0M")
    cc = new_co("2023-11-20", 0); big_win(cc, (0.92, 12000000.0), "2024-08-15"); w.pos(M, cc, "", "0 insured staff, 11M")
    cc = new_co("2023-03-01", 2); big_win(cc, (0.9, 6000000.0), "2024-02-29"); w.neg(M, cc, "", "exactly 365 days")
    cc = new_co("2024-02-01", 4); big_win(cc, (0.9, 8000000.0), "2024-07-01"); w.neg(M, cc, "", "4 insured staff")
    cc = new_co("2024-02-01", 1); big_win(cc, (0.9, 5500000.0), "2024-07-01"); w.neg(M, cc, "", "award 4.95M < 5M")
    cc = new_co("2021-02-01", 1); big_win(cc, (0.9, 9000000.0), "2024-07-01"); w.neg(M, cc, "", "3 years old")

    # ---------------- price_near_budget (subject tender)
    M = "price_near_budget"
    for ratio, kind, label in [(0.996, "pos", "99.6%"), (0.999, "pos", "99.9%"), (1.0, "pos", "exactly the budget"),
                               (0.995, "pos", "exactly 99.5%"), (0.994, "neg", "99.4%"), (1.003, "neg", "above budget"),
                               (0.98, "neg", "98%")]:
        t = new_tender(rng.choice(buyers), budget=float(rng.choice([1000000, 2000000, 3600000])))
        run_tender(t, rng.sample(pool, 4), ratio=ratio)
        (w.pos if kind == "pos" else w.neg)(M, t, "", label)

    return w


# ================================================================ reference evaluator (my interpretation)
def evaluate(w):
    truth = set()
    pers = w.persons
    hh_of = {p: v["hh"] for p, v in pers.items()}
    members = defaultdict(set)
    for p, v in pers.items():
        members[v["hh"]].add(p)

    def pay_hh(row):
        return row["hh"] or hh_of.get(row["id"], "")

    low_hh_periods = defaultdict(set)   # 低保 or 特困
    low_only_hh = set()
    for r in w.payments:
        h = pay_hh(r)
        if r["program"] in LOW_PROGRAMS | TK_PROGRAMS and h:
            low_hh_periods[h].add(r["period"])
        if r["program"] in LOW_PROGRAMS and h:
            low_only_hh.add(h)
    # payroll_subsistence
    est = defaultdict(set)
    for r in w.payroll:
        if r["staff_type"] in ESTABLISHED:
            est[r["id"]].add(pidx(r["period"]))
    last_benefit = max(pidx(r["period"]) for r in w.payments)
    last_payroll = max(pidx(r["period"]) for r in w.payroll)
    for pid, months in est.items():
        h = hh_of.get(pid)
        if not h:
            continue
        ben = {pidx(x) for x in low_hh_periods.get(h, ())}
        for m in months & ben:
            # same-month exit: the household leaves 低保 in the month the member joins 编制,
            # or the household is admitted in the month the member leaves
            exit_in = (m - 1 not in months) and (m + 1 not in ben) and last_benefit > m
            exit_out = (m + 1 not in months) and (m - 1 not in ben) and last_payroll > m
            if not (exit_in or exit_out):
                truth.add(("payroll_subsistence", h, idxp(m)))
    # vehicle
    for v in w.vehicles:
        h = hh_of.get(v["owner"])
        if h in low_only_hh and not v["exempt"]:
            truth.add(("subsistence_vehicle", h, ""))
    # property
    addrs = defaultdict(set)
    for pr in w.properties:
        h = hh_of.get(pr["owner"])
        if h:
            addrs[h].add(pr["address"])
    for h, s in addrs.items():
        if h in low_only_hh and len(s) >= 3:
            truth.add(("subsistence_property", h, ""))
    # business
    for e in w.enterprises.values():
        if e["capital"] < 500000:
            continue
        people = {e["rep"]} | {s["id"] for s in w.shareholders if s["cc"] == e["cc"] and s["role"] == "股东"}
        for p in people:
            h = hh_of.get(p)
            if h in low_only_hh:
                truth.add(("subsistence_business", h, ""))
    # paid_after_death
    death = {}
    for x in w.deaths:
        m = x["date"].year * 12 + x["date"].month - 1
        death[x["id"]] = min(death.get(x["id"], m), m)
    received_before = {(r["id"], r["program"]) for r in w.payments if r["id"] in death and pidx(r["period"]) <= death[r["id"]]}
    net = defaultdict(float)
    for r in w.payments:
        if r["id"] in death and pidx(r["period"]) > death[r["id"]] + 1:
            if r["program"] in ONE_OFF_DEATH:
                continue
            if r["program"] in SURVIVOR_PROGRAMS and (r["id"], r["program"]) not in received_before:
                continue
            net[(r["id"], r["period"])] += r["amount"]
    for (p, per), a in net.items():
        if a > 0:
            truth.add(("paid_after_death", p, per))
    # duplicate_payment
    def family(p):  # the same benefit under the names different offices give it
        if p in LOW_PROGRAMS:
            return "低保"
        if p in TK_PROGRAMS:
            return "特困"
        return p
    cnt = defaultdict(int)
    for r in w.payments:
        if r["id"]:
            cnt[(r["id"], family(r["program"]), r["period"])] += 1 if r["amount"] > 0 else -1
    for (p, prog, per), n in cnt.items():
        if n > 1:
            truth.add(("duplicate_payment", p, per))
    # relative_benefit_unfiled
    handler_orgs = defaultdict(set)
    for r in w.payroll:
        handler_orgs[r["id"]].add(r["org"])
    is_handler = lambda o: any("民政" in org.replace("人民政府", "").replace("人民政治", "") or "村民委员会" in org or "村委会" in org
                               for org in handler_orgs.get(o, ()))
    filed = {(f["id"], f["program"]) for f in w.filings}
    declared = defaultdict(set)
    for rel in w.relatives:
        declared[rel["off"]].add(rel["rel"])
    for rel in w.relatives:
        if not is_handler(rel["off"]):
            continue
        rh = hh_of.get(rel["rel"])
        for r in w.payments:
            payee = r["id"] == rel["rel"]
            # a member of a 低保 household receives it too, unless the payee is the official
            # or another of his declared relatives (then that payee is the finding)
            member = (r["program"] in LOW_PROGRAMS and rh and pay_hh(r) == rh
                      and r["id"] != rel["off"] and r["id"] not in declared[rel["off"]])
            if (payee or member) and r["program"] in LOW_PROGRAMS | TK_PROGRAMS and (rel["rel"], r["program"]) not in filed:
                truth.add(("relative_benefit_unfiled", rel["rel"], ""))
    # relative_supplier
    ent_people = defaultdict(set)
    for e in w.enterprises.values():
        ent_people[e["cc"]].add(e["rep"])
    for s in w.shareholders:
        if s["role"] == "股东":
            ent_people[s["cc"]].add(s["id"])
    rel_orgs = defaultdict(set)  # relative -> orgs of officials
    for rel in w.relatives:
        rel_orgs[rel["rel"]] |= handler_orgs.get(rel["off"], set())
    norm = lambda x: x.replace("（", "(").replace("）", ")").replace(" ", "")
    for a in w.awards:
        buyer = norm(w.tenders[a["tid"]]["buyer"])
        for p in ent_people.get(a["cc"], ()):
            if buyer in {norm(o) for o in rel_orgs.get(p, ())}:
                truth.add(("relative_supplier", a["cc"], ""))
    # split_purchase
    grp = defaultdict(list)
    for pu in w.purchases:
        if pu["method"] not in TENDERED and pu["amount"] < 1000000:
            grp[(pu["buyer"], pu["item"], pu["cat"], pu["on"].strftime("%Y-%m"))].append(pu["amount"])
    for (b, i, c, m), a in grp.items():
        if len(a) >= 3 and sum(a) > 2000000:
            truth.add(("split_purchase", f"{b}|{i}", m))
    # bid_rigging_links
    shared = set(w.shared_ips)
    by_t = defaultdict(list)
    for b in w.bids:
        by_t[b["tid"]].append(b)
    for t, rows in by_t.items():
        for f in ("pm", "account", "phone", "ip"):
            seen = defaultdict(set)
            for b in rows:
                v = b[f]
                if not v or v in PLACEHOLDERS or (f == "ip" and v in shared):
                    continue
                seen[v].add(b["cc"])
            if any(len(s) >= 2 for s in seen.values()):
                truth.add(("bid_rigging_links", t, ""))
    # perpetual_loser
    nb = defaultdict(set)
    for b in w.bids:
        nb[b["cc"]].add(b["tid"])
    nb = {k: len(v) for k, v in nb.items()}
    winners = {a["cc"] for a in w.awards}
    for cc, n in nb.items():
        if n >= 15 and cc not in winners:
            truth.add(("perpetual_loser", cc, ""))
    # captive_supplier
    tot = defaultdict(float); per_b = defaultdict(lambda: defaultdict(float)); na = defaultdict(int)
    for a in w.awards:
        tot[a["cc"]] += a["amount"]; na[a["cc"]] += 1
        per_b[a["cc"]][w.tenders[a["tid"]]["buyer"]] += a["amount"]
    for cc in tot:
        if na[cc] >= 5 and max(per_b[cc].values()) >= 0.8 * tot[cc] - 1e-6:
            truth.add(("captive_supplier", cc, ""))
    # new_small_winner
    for a in w.awards:
        e = w.enterprises[a["cc"]]
        days = (a["on"] - d(e["est"])).days
        if 0 <= days < 365 and e["staff"] <= 3 and a["amount"] >= 5000000:
            truth.add(("new_small_winner", a["cc"], ""))
    # price_near_budget
    for a in w.awards:
        bud = w.tenders[a["tid"]]["budget"]
        if bud and 0.995 * bud - 1e-6 <= a["amount"] <= bud + 1e-6:
            truth.add(("price_near_budget", a["tid"], ""))
    return truth


def check_plan(w, truth):
    bad = []
    for kind, model, subj, per, label in w.plan:
        hits = {t for t in truth if t[0] == model and t[1] == subj and (per is None or t[2] == per)}
        if kind == "pos" and not hits:
            bad.append(("missing planted positive", model, subj, per, label))
        if kind == "neg" and hits:
            bad.append(("planted negative is a hit", model, subj, per, label, sorted(hits)))
    return bad


# ================================================================ rendering with noise
FW = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def render(w, out, noise=True):
    rng = random.Random(12345)
    os.makedirs(out, exist_ok=True)
    noisy = getattr(w, "noisy_ids", set())

    def nid(i, rate=0.03, force=False):
        if not i or not noise:
            return i
        if force and i in w.persons and i[6:8] == "19":
            return id15(i)
        if rng.random() >= rate:
            return i
        k = rng.random()
        if k < 0.3 and i[6:8] == "19" and int(i[8:10]) < 90:
            return id15(i)
        if k < 0.5 and i.endswith("X"):
            return i[:-1] + "x"
        if k < 0.75:
            return " " + i + " "
        return i.translate(FW)

    def nname(n, rate=0.02):
        if not noise or rng.random() >= rate:
            return n
        return "".join(TRAD.get(c, c) for c in n)

    def write(name, header, rows):
        with open(os.path.join(out, name + ".csv"), "w", encoding="utf-8", newline="") as f:
            wr = csv.writer(f)
            wr.writerow(header)
            wr.writerows(rows)

    write("persons", ["id_number", "name", "sex", "birth_date", "region_code", "household_id", "relation"],
          [[p["id"], nname(p["name"]), p["sex"], p["birth"].isoformat(), p["region"], p["hh"], p["relation"]]
           for p in w.persons.values()])
    write("deaths", ["id_number", "name", "death_date", "source"],
          [[nid(x["id"]), w.name(x["id"]), x["date"].isoformat(), x["source"]] for x in w.deaths])
    write("payroll", ["id_number", "name", "org", "period", "amount", "staff_type"],
          [[nid(r["id"]), r["name"], r["org"], r["period"], f"{r['amount']:.2f}", r["staff_type"]] for r in w.payroll])
    rows = [[nid(r["id"], force=r["id"] in noisy and rng.random() < 0.5), nname(r["name"]), r["program"], r["period"],
             f"{r['amount']:.2f}", r["region"], r["hh"], r["paid_on"]] for r in w.payments]
    if noise:  # unrelated dirty rows: missing ID, bad check digit
        for k in range(6):
            rows.append(["", person_name(rng, "男"), TEMP_RELIEF, "2024-02", "500.00", f"{COUNTY_CODE}101200", "", "2024-02-20"])
            good = make_id(COUNTY_CODE, dt.date(1970 + k, 3, 3), 101 + 2 * k)
            badck = good[:-1] + ("0" if good[-1] != "0" else "1")
            rows.append([badck, person_name(rng, "女"), PENSION, "2024-03", "153.00", f"{COUNTY_CODE}102200", "", "2024-03-15"])
    rng.shuffle(rows)
    write("benefit_payments", ["id_number", "name", "program", "period", "amount", "region_code", "household_id", "paid_on"], rows)
    write("benefit_filings", ["id_number", "program", "filed_on"], [[nid(f["id"]), f["program"], f["on"]] for f in w.filings])
    write("relatives", ["official_id_number", "relative_id_number", "relative_name", "relation"],
          [[nid(r["off"]), nid(r["rel"]), r["name"], r["relation"]] for r in w.relatives])
    write("vehicles", ["owner_id_number", "plate", "vehicle_type", "registered_on", "exempt"],
          [[nid(v["owner"], force=v["owner"] in noisy), v["plate"], v["vtype"], v["reg"], "是" if v["exempt"] else "否"] for v in w.vehicles])
    write("properties", ["owner_id_number", "address", "area", "registered_on"],
          [[nid(p["owner"]), p["address"], f"{p['area']:.1f}", p["reg"]] for p in w.properties])
    write("enterprises", ["credit_code", "name", "established_on", "registered_capital", "legal_rep_id_number", "address", "phone", "insured_staff"],
          [[e["cc"], e["name"], e["est"], f"{e['capital']:.2f}", nid(e["rep"]), e["address"], e["phone"], e["staff"]] for e in w.enterprises.values()])
    write("shareholders", ["credit_code", "person_id_number", "person_name", "role", "share_ratio"],
          [[s["cc"], nid(s["id"], force=s["id"] in noisy), s["name"], s["role"], "" if s["ratio"] is None else s["ratio"]] for s in w.shareholders])
    write("tenders", ["tender_id", "buyer", "title", "category", "method", "budget", "notice_on", "deadline", "region"],
          [[t["id"], t["buyer"], t["title"], t["category"], t["method"], f"{t['budget']:.2f}", t["notice"].isoformat(),
            t["deadline"].isoformat(), t["region"]] for t in w.tenders.values()])
    brow = []
    for b in w.bids:
        pm = b["pm"]
        if b.get("pm15") and noise:
            pm = id15(pm)
        brow.append([b["tid"], b["cc"], b["name"], f"{b['price']:.2f}", b["at"].strftime("%Y-%m-%d %H:%M:%S"), b["status"],
                     pm, b["phone"], b["account"], b["ip"], b["author"]])
    write("bids", ["tender_id", "bidder_credit_code", "bidder_name", "price", "submitted_at", "status", "project_manager_id_number",
                   "contact_phone", "deposit_account", "ip_address", "file_author"], brow)
    write("awards", ["tender_id", "supplier_credit_code", "amount", "awarded_on"],
          [[a["tid"], a["cc"], f"{a['amount']:.2f}", a["on"].isoformat()] for a in w.awards])
    write("purchases", ["buyer", "budget_item", "item_category", "purchased_on", "amount", "method", "supplier_credit_code"],
          [[p["buyer"], p["item"], p["cat"], p["on"].isoformat(), f"{p['amount']:.2f}", p["method"], p["cc"]] for p in w.purchases])
    write("shared_ips", ["ip_address"], [[ip] for ip in w.shared_ips])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", required=True)
    ap.add_argument("--no-noise", action="store_true")
    ap.add_argument("--plan", help="also write every planted case with its label here")
    a = ap.parse_args()
    w = build(a.seed)
    truth = evaluate(w)
    bad = check_plan(w, truth)
    for b in bad:
        print("PLAN VIOLATION:", b, file=sys.stderr)
    render(w, a.out, noise=not a.no_noise)
    with open(os.path.join(a.out, "truth.csv"), "w", encoding="utf-8", newline="") as f:
        wr = csv.writer(f)
        wr.writerow(["model", "subject", "period"])
        for t in sorted(truth):
            wr.writerow(t)
    if a.plan:
        with open(a.plan, "w", encoding="utf-8", newline="") as f:
            wr = csv.writer(f)
            wr.writerow(["kind", "model", "subject", "period", "label"])
            for p in w.plan:
                wr.writerow([p[0], p[1], p[2], "*" if p[3] is None else p[3], p[4]])
    by = defaultdict(int)
    for t in truth:
        by[t[0]] += 1
    print(f"persons={len(w.persons)} payments={len(w.payments)} payroll={len(w.payroll)} bids={len(w.bids)} "
          f"awards={len(w.awards)} purchases={len(w.purchases)}")
    for m in ["payroll_subsistence", "subsistence_vehicle", "subsistence_property", "subsistence_business", "paid_after_death",
              "duplicate_payment", "relative_benefit_unfiled", "relative_supplier", "split_purchase", "bid_rigging_links",
              "perpetual_loser", "captive_supplier", "new_small_winner", "price_near_budget"]:
        print(f"  {m:26s} truth={by[m]}")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
