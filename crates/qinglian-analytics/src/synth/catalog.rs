//! Static tables of the generator: surnames with frequencies, given-name characters, traditional
//! forms for noise, region names, organisations, benefit programs and company-name parts.

/// Surnames with relative frequencies (per 10,000 people, rounded; the top 100 and a few
/// compound surnames), after the 2020 census surname ranking.
pub const SURNAMES: &[(&str, u32)] = &[
    ("王", 710),
    ("李", 700),
    ("张", 690),
    ("刘", 540),
    ("陈", 450),
    ("杨", 310),
    ("黄", 230),
    ("赵", 200),
    ("吴", 190),
    ("周", 180),
    ("徐", 150),
    ("孙", 140),
    ("马", 130),
    ("朱", 120),
    ("胡", 110),
    ("郭", 110),
    ("何", 100),
    ("林", 95),
    ("高", 95),
    ("罗", 90),
    ("郑", 85),
    ("梁", 80),
    ("谢", 75),
    ("宋", 70),
    ("唐", 70),
    ("许", 65),
    ("韩", 65),
    ("冯", 60),
    ("邓", 60),
    ("曹", 55),
    ("彭", 55),
    ("曾", 55),
    ("肖", 50),
    ("田", 50),
    ("董", 50),
    ("袁", 45),
    ("潘", 45),
    ("蒋", 45),
    ("蔡", 45),
    ("余", 40),
    ("杜", 40),
    ("叶", 40),
    ("程", 40),
    ("苏", 35),
    ("魏", 35),
    ("吕", 35),
    ("丁", 35),
    ("任", 35),
    ("沈", 30),
    ("姚", 30),
    ("卢", 30),
    ("姜", 30),
    ("崔", 30),
    ("钟", 30),
    ("谭", 30),
    ("陆", 25),
    ("汪", 25),
    ("范", 25),
    ("金", 25),
    ("石", 25),
    ("廖", 25),
    ("贾", 25),
    ("夏", 25),
    ("韦", 20),
    ("付", 20),
    ("方", 20),
    ("白", 20),
    ("邹", 20),
    ("孟", 20),
    ("熊", 20),
    ("秦", 20),
    ("邱", 20),
    ("江", 20),
    ("尹", 20),
    ("薛", 20),
    ("闫", 15),
    ("段", 15),
    ("雷", 15),
    ("侯", 15),
    ("龙", 15),
    ("史", 15),
    ("陶", 15),
    ("黎", 15),
    ("贺", 15),
    ("顾", 12),
    ("毛", 12),
    ("郝", 12),
    ("龚", 12),
    ("邵", 12),
    ("万", 12),
    ("钱", 12),
    ("严", 10),
    ("覃", 10),
    ("武", 10),
    ("戴", 10),
    ("莫", 10),
    ("孔", 10),
    ("向", 10),
    ("汤", 10),
    ("欧阳", 3),
    ("司马", 1),
    ("诸葛", 1),
];

/// Given-name characters mostly used for men.
pub const MALE_CHARS: &[&str] = &[
    "伟", "强", "磊", "军", "勇", "杰", "涛", "明", "超", "刚", "平", "辉", "鹏", "华", "飞", "鑫", "波", "斌", "宇",
    "浩", "凯", "健", "俊", "帆", "帅", "旭", "宁", "龙", "林", "阳", "建", "国", "峰", "亮", "成", "志", "文", "武",
    "东", "海", "春", "庆", "德", "福", "生", "荣", "贵", "兵", "新", "正",
];

/// Given-name characters mostly used for women.
pub const FEMALE_CHARS: &[&str] = &[
    "芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "燕", "玲", "桂", "英", "秀", "兰", "梅", "琳", "婷", "雪", "慧",
    "红", "洁", "莉", "萍", "倩", "颖", "琴", "云", "凤", "玉", "晶", "丹", "欣", "怡", "佳", "莲", "珍", "华", "春",
    "菊", "香",
];

/// Given-name characters used for both.
pub const SHARED_CHARS: &[&str] = &[
    "子", "晓", "思", "雨", "嘉", "一", "梓", "文", "明", "小", "永", "海", "金", "晨", "博", "安", "清", "志", "家",
    "天",
];

/// Simplified → traditional forms of name characters, for the "traditional characters" noise.
/// Every pair maps back by the name normalisation (tested).
pub const TRADITIONAL: &[(char, char)] = &[
    ('陈', '陳'),
    ('刘', '劉'),
    ('张', '張'),
    ('杨', '楊'),
    ('黄', '黃'),
    ('赵', '趙'),
    ('吴', '吳'),
    ('孙', '孫'),
    ('马', '馬'),
    ('罗', '羅'),
    ('郑', '鄭'),
    ('谢', '謝'),
    ('许', '許'),
    ('韩', '韓'),
    ('冯', '馮'),
    ('邓', '鄧'),
    ('蒋', '蔣'),
    ('叶', '葉'),
    ('苏', '蘇'),
    ('卢', '盧'),
    ('谭', '譚'),
    ('陆', '陸'),
    ('贾', '賈'),
    ('韦', '韋'),
    ('邹', '鄒'),
    ('龙', '龍'),
    ('贺', '賀'),
    ('顾', '顧'),
    ('龚', '龔'),
    ('钱', '錢'),
    ('严', '嚴'),
    ('汤', '湯'),
    ('伟', '偉'),
    ('华', '華'),
    ('军', '軍'),
    ('丽', '麗'),
    ('强', '強'),
    ('兰', '蘭'),
    ('红', '紅'),
    ('国', '國'),
    ('东', '東'),
    ('杰', '傑'),
    ('涛', '濤'),
    ('鹏', '鵬'),
    ('辉', '輝'),
    ('凤', '鳳'),
    ('静', '靜'),
    ('庆', '慶'),
    ('贵', '貴'),
    ('荣', '榮'),
    ('晓', '曉'),
];

/// A county-level division: 6-digit code and name.
#[derive(Debug, Clone, Copy)]
pub struct CountyDef {
    /// Administrative division code.
    pub code: &'static str,
    /// Name.
    pub name: &'static str,
}

/// The 12 county-level divisions of 邵阳市, the city of the `small` and `city` scales.
pub const COUNTIES: &[CountyDef] = &[
    CountyDef {
        code: "430582",
        name: "邵东市",
    },
    CountyDef {
        code: "430524",
        name: "隆回县",
    },
    CountyDef {
        code: "430522",
        name: "新邵县",
    },
    CountyDef {
        code: "430502",
        name: "双清区",
    },
    CountyDef {
        code: "430503",
        name: "大祥区",
    },
    CountyDef {
        code: "430511",
        name: "北塔区",
    },
    CountyDef {
        code: "430523",
        name: "邵阳县",
    },
    CountyDef {
        code: "430525",
        name: "洞口县",
    },
    CountyDef {
        code: "430527",
        name: "绥宁县",
    },
    CountyDef {
        code: "430528",
        name: "新宁县",
    },
    CountyDef {
        code: "430529",
        name: "城步苗族自治县",
    },
    CountyDef {
        code: "430581",
        name: "武冈市",
    },
];

/// Cities of the province scale: 4-digit prefix, name and licence-plate prefix.
pub const PROVINCE_CITIES: &[(&str, &str, &str)] = &[
    ("4305", "邵阳市", "湘E"),
    ("4301", "长沙市", "湘A"),
    ("4302", "株洲市", "湘B"),
    ("4303", "湘潭市", "湘C"),
    ("4304", "衡阳市", "湘D"),
    ("4306", "岳阳市", "湘F"),
    ("4307", "常德市", "湘J"),
    ("4309", "益阳市", "湘H"),
    ("4310", "郴州市", "湘L"),
    ("4311", "永州市", "湘M"),
];

/// County suffixes and names used for the cities of the province scale other than 邵阳市.
pub const OTHER_COUNTIES: &[(&str, &str)] = &[
    ("02", "东城区"),
    ("03", "西城区"),
    ("11", "北湖区"),
    ("21", "东安县"),
    ("22", "南岭县"),
    ("23", "西溪县"),
    ("24", "北山县"),
    ("25", "清水县"),
    ("26", "石门县"),
    ("27", "桃源县"),
    ("81", "云台市"),
    ("82", "松林市"),
];

/// Syllables from which town and village names are made.
pub const PLACE_SYLLABLES: &[&str] = &[
    "桃", "花", "石", "桥", "新", "田", "铺", "黄", "金", "竹", "塘", "山", "河", "湾", "龙", "溪", "水", "东", "西",
    "南", "北", "岭", "坪", "江", "口", "沙", "坝", "枫", "林", "杨", "柳", "马", "安", "平", "和", "丰", "兴", "大",
    "白", "云",
];

/// Street names of urban addresses.
pub const STREETS: &[&str] = &[
    "宝庆路",
    "敏州路",
    "红旗路",
    "建设路",
    "人民路",
    "解放路",
    "五一路",
    "中山路",
    "文化路",
    "新华路",
    "滨江路",
    "城南路",
    "学院路",
    "桃花路",
    "龙山路",
    "迎宾路",
];

/// County-level organisations (after the county name); `true` marks a benefit-handling office.
pub const COUNTY_ORGS: &[(&str, bool)] = &[
    ("教育局", false),
    ("卫生健康局", false),
    ("交通运输局", false),
    ("水利局", false),
    ("财政局", false),
    ("民政局", true),
    ("自然资源局", false),
    ("住房和城乡建设局", false),
    ("农业农村局", false),
    ("人力资源和社会保障局", false),
    ("公安局", false),
    ("市场监督管理局", false),
    ("城市管理和综合执法局", false),
    ("人民医院", false),
    ("中医医院（中西医结合医院）", false),
    ("第一中学", false),
    ("第二中学", false),
    ("机关事务服务中心", false),
];

/// Town-level organisations (after the county and town names); `true` marks the 民政办.
pub const TOWN_ORGS: &[(&str, bool)] = &[
    ("人民政府", false),
    ("民政办", true),
    ("卫生院", false),
    ("中心学校", false),
];

/// Subsistence program of rural households.
pub const DIBAO_RURAL: &str = "农村低保";
/// Subsistence program of urban households.
pub const DIBAO_URBAN: &str = "城市低保";
/// Support of destitute persons.
pub const TEKUN: &str = "特困人员救助供养";
/// Allowance of households just above the subsistence line (not 低保).
pub const DIBAO_EDGE: &str = "低保边缘家庭生活补贴";
/// Rural and urban residents' basic pension.
pub const PENSION: &str = "城乡居民基本养老保险";
/// Allowance of the very old.
pub const OLD_AGE: &str = "高龄津贴";
/// Living allowance of poor disabled persons.
pub const DISABLED_LIVING: &str = "困难残疾人生活补贴";
/// Care allowance of severely disabled persons.
pub const DISABLED_CARE: &str = "重度残疾人护理补贴";
/// Farmland fertility subsidy (yearly).
pub const FARMLAND: &str = "耕地地力保护补贴";
/// Funeral grant (paid after death by design).
pub const FUNERAL: &str = "丧葬补助金";
/// Survivors' allowance (paid after death by design).
pub const SURVIVOR: &str = "遗属生活困难补助";

/// Staff types that are not 编制内.
pub const TEMP_STAFF_TYPES: &[&str] = &["临时工", "劳务派遣", "编外聘用", "公益性岗位"];
/// Staff type of established posts.
pub const STAFF_ESTABLISHED: &str = "编制内";
/// Staff type of village cadres.
pub const STAFF_VILLAGE: &str = "村干部";

/// Trade names (字号) of companies.
pub const TRADE_NAMES: &[&str] = &[
    "鑫达", "华宇", "恒通", "宏远", "金鹏", "正泰", "盛世", "天成", "荣昌", "博远", "海纳", "中兴", "鼎盛", "瑞丰",
    "永安", "佳合", "泰和", "锦程", "汇丰", "新阳", "联创", "众诚", "开元", "国信", "弘毅", "精工", "宝庆", "湘中",
    "资江", "云山",
];

/// Procurement categories with company business lines and tender items.
pub const CATEGORIES: &[(&str, &[&str], &[&str])] = &[
    (
        "工程",
        &["建筑工程", "建设工程", "市政工程", "水利水电工程", "路桥建设"],
        &[
            "道路改造工程",
            "校舍维修工程",
            "农村饮水安全工程",
            "河道治理工程",
            "办公楼装修工程",
        ],
    ),
    (
        "货物",
        &["医疗器械", "信息技术", "教育装备", "办公家具", "商贸"],
        &[
            "医疗设备采购",
            "计算机采购",
            "课桌椅采购",
            "多媒体教学设备采购",
            "办公家具采购",
        ],
    ),
    (
        "服务",
        &["物业管理", "餐饮管理", "工程监理", "规划设计", "保安服务"],
        &[
            "物业管理服务",
            "食堂餐饮服务",
            "工程监理服务",
            "规划编制服务",
            "保安服务",
        ],
    ),
];

/// Company business lines of enterprises that do not bid.
pub const OTHER_LINES: &[&str] = &[
    "农业开发",
    "养殖",
    "食品",
    "百货",
    "五金",
    "汽车维修",
    "电子商务",
    "文化传媒",
    "旅游开发",
    "服装",
    "建材",
    "茶业",
];

/// Budget items of non-tendered purchases, each with its item categories.
pub const BUDGET_ITEMS: &[(&str, &[&str])] = &[
    ("办公设备购置", &["计算机", "打印设备", "复印机"]),
    ("信息化建设", &["软件开发", "网络设备", "服务器"]),
    ("业务运行维护", &["物业管理", "保洁服务", "维修服务"]),
    ("专用设备购置", &["医疗设备", "检测设备", "教学设备"]),
    ("公务用车运行维护", &["车辆维修", "车辆保险", "燃油"]),
    ("办公家具购置", &["办公桌椅", "文件柜", "会议桌"]),
];

/// Non-tendered procurement methods.
pub const PURCHASE_METHODS: &[&str] = &[
    "询价",
    "竞争性磋商",
    "竞争性谈判",
    "单一来源",
    "网上商城直购",
    "定点采购",
];

/// Public terminals of the trading centre (shared by every bidder using them).
pub const SHARED_IP_PREFIX: &str = "10.43.5.";

#[cfg(test)]
mod tests {
    use super::*;
    use qinglian_domain::names::normalize_person_name;

    #[test]
    fn name_characters_are_fixed_points_and_traditional_forms_map_back() {
        for (s, _) in SURNAMES {
            assert_eq!(normalize_person_name(s), *s, "{s}");
        }
        for c in MALE_CHARS.iter().chain(FEMALE_CHARS).chain(SHARED_CHARS) {
            assert_eq!(normalize_person_name(c), *c, "{c}");
        }
        for (simplified, traditional) in TRADITIONAL {
            assert_eq!(
                normalize_person_name(&traditional.to_string()),
                simplified.to_string(),
                "{traditional}"
            );
        }
    }
}
