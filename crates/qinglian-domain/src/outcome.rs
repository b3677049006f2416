//! Outcomes (处理处分结果) recorded against a person: their kinds, the four forms (四种形态,
//! RULES.md §4) and the effect periods (影响期, RULES.md §5–6). Pure rules; the store records
//! outcomes and the case module produces them.
//!
//! Every kind has one stored code (the API's `kind`: `party.warning`, `public.demerit`…), a
//! form, and an effect: none, a number of months from the day the decision takes effect, or a
//! permanent bar (`public.expulsion`: never re-hired as a civil servant).

use chrono::{Months, NaiveDate};

/// What was decided about a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub enum OutcomeKind {
    /// 谈话提醒.
    #[serde(rename = "reminder_talk")]
    ReminderTalk,
    /// 批评教育.
    #[serde(rename = "criticism")]
    Criticism,
    /// 责令检查.
    #[serde(rename = "ordered_review")]
    OrderedReview,
    /// 诫勉.
    #[serde(rename = "admonition")]
    Admonition,
    /// 党内警告.
    #[serde(rename = "party.warning")]
    PartyWarning,
    /// 党内严重警告.
    #[serde(rename = "party.serious_warning")]
    PartySeriousWarning,
    /// 撤销党内职务.
    #[serde(rename = "party.party_post_removal")]
    PartyPostRemoval,
    /// 留党察看 (a term of 12 or 24 months).
    #[serde(rename = "party.probation")]
    PartyProbation,
    /// 开除党籍.
    #[serde(rename = "party.expulsion")]
    PartyExpulsion,
    /// 政务警告.
    #[serde(rename = "public.warning")]
    PublicWarning,
    /// 记过.
    #[serde(rename = "public.demerit")]
    PublicDemerit,
    /// 记大过.
    #[serde(rename = "public.major_demerit")]
    PublicMajorDemerit,
    /// 降级.
    #[serde(rename = "public.demotion")]
    PublicDemotion,
    /// 撤职.
    #[serde(rename = "public.dismissal")]
    PublicDismissal,
    /// 开除 (公职).
    #[serde(rename = "public.expulsion")]
    PublicExpulsion,
    /// 停职检查.
    #[serde(rename = "org.suspension")]
    OrgSuspension,
    /// 调整职务.
    #[serde(rename = "org.post_adjustment")]
    OrgPostAdjustment,
    /// 责令辞职.
    #[serde(rename = "org.ordered_resignation")]
    OrgOrderedResignation,
    /// 免职.
    #[serde(rename = "org.removal")]
    OrgRemoval,
    /// 降职.
    #[serde(rename = "org.demotion")]
    OrgDemotion,
    /// 移送检察机关依法审查起诉.
    #[serde(rename = "prosecution_referral")]
    ProsecutionReferral,
}

/// The family of an outcome (how the UI groups the kinds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// 第一种形态 measures (谈话提醒…诫勉).
    Measure,
    /// 党纪处分.
    Party,
    /// 政务处分.
    Public,
    /// 组织处理.
    Organisational,
    /// 移送检察机关.
    Referral,
}

impl Family {
    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            Family::Measure => "批评教育类措施",
            Family::Party => "党纪处分",
            Family::Public => "政务处分",
            Family::Organisational => "组织处理",
            Family::Referral => "移送司法",
        }
    }
}

/// How long an outcome bars promotion (RULES.md §5–6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// No effect period.
    None,
    /// This many months from the day the decision takes effect.
    Months(u32),
    /// A bar without end (开除公职: never re-hired as a civil servant).
    Permanent,
}

/// Why an outcome cannot be recorded as given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OutcomeError {
    /// 留党察看 needs its term.
    #[error("留党察看须填写察看期限（12或24个月）")]
    TermMissing,
    /// A term outside 12 or 24 months.
    #[error("留党察看期限只能是12或24个月")]
    TermInvalid,
    /// A term given for a kind that has none.
    #[error("只有留党察看需要填写察看期限")]
    TermNotApplicable,
    /// Village and residents' committee managers (RULES.md §6).
    #[error("村（居）民委员会等基层群众性自治组织中从事管理的人员只能给予警告、记过、记大过政务处分")]
    VillageManager,
    /// The decision takes effect before it was made.
    #[error("生效日期不能早于决定日期")]
    EffectiveBeforeDecided,
}

impl OutcomeKind {
    /// Every kind, in the order of the forms and the UI.
    pub const ALL: &'static [OutcomeKind] = &[
        OutcomeKind::ReminderTalk,
        OutcomeKind::Criticism,
        OutcomeKind::OrderedReview,
        OutcomeKind::Admonition,
        OutcomeKind::PartyWarning,
        OutcomeKind::PartySeriousWarning,
        OutcomeKind::PartyPostRemoval,
        OutcomeKind::PartyProbation,
        OutcomeKind::PartyExpulsion,
        OutcomeKind::PublicWarning,
        OutcomeKind::PublicDemerit,
        OutcomeKind::PublicMajorDemerit,
        OutcomeKind::PublicDemotion,
        OutcomeKind::PublicDismissal,
        OutcomeKind::PublicExpulsion,
        OutcomeKind::OrgSuspension,
        OutcomeKind::OrgPostAdjustment,
        OutcomeKind::OrgOrderedResignation,
        OutcomeKind::OrgRemoval,
        OutcomeKind::OrgDemotion,
        OutcomeKind::ProsecutionReferral,
    ];

    /// Stored and API code.
    pub fn code(self) -> &'static str {
        match self {
            OutcomeKind::ReminderTalk => "reminder_talk",
            OutcomeKind::Criticism => "criticism",
            OutcomeKind::OrderedReview => "ordered_review",
            OutcomeKind::Admonition => "admonition",
            OutcomeKind::PartyWarning => "party.warning",
            OutcomeKind::PartySeriousWarning => "party.serious_warning",
            OutcomeKind::PartyPostRemoval => "party.party_post_removal",
            OutcomeKind::PartyProbation => "party.probation",
            OutcomeKind::PartyExpulsion => "party.expulsion",
            OutcomeKind::PublicWarning => "public.warning",
            OutcomeKind::PublicDemerit => "public.demerit",
            OutcomeKind::PublicMajorDemerit => "public.major_demerit",
            OutcomeKind::PublicDemotion => "public.demotion",
            OutcomeKind::PublicDismissal => "public.dismissal",
            OutcomeKind::PublicExpulsion => "public.expulsion",
            OutcomeKind::OrgSuspension => "org.suspension",
            OutcomeKind::OrgPostAdjustment => "org.post_adjustment",
            OutcomeKind::OrgOrderedResignation => "org.ordered_resignation",
            OutcomeKind::OrgRemoval => "org.removal",
            OutcomeKind::OrgDemotion => "org.demotion",
            OutcomeKind::ProsecutionReferral => "prosecution_referral",
        }
    }

    /// Reads a stored code.
    pub fn parse(code: &str) -> Option<OutcomeKind> {
        Self::ALL.iter().copied().find(|k| k.code() == code)
    }

    /// Reads a code or the Chinese name (an Excel import may carry either; 警告 alone is
    /// ambiguous and needs the family: 党内警告 / 政务警告).
    pub fn parse_label(s: &str) -> Option<OutcomeKind> {
        let s = s.trim();
        if let Some(k) = Self::parse(s) {
            return Some(k);
        }
        if let Some(k) = Self::ALL
            .iter()
            .copied()
            .find(|k| k.full_label() == s || k.aliases().contains(&s))
        {
            return Some(k);
        }
        // A short name only when one kind has it (警告, 开除 and the like are not).
        let mut short = Self::ALL.iter().copied().filter(|k| k.label() == s);
        match (short.next(), short.next()) {
            (Some(k), None) => Some(k),
            _ => None,
        }
    }

    /// Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            OutcomeKind::ReminderTalk => "谈话提醒",
            OutcomeKind::Criticism => "批评教育",
            OutcomeKind::OrderedReview => "责令检查",
            OutcomeKind::Admonition => "诫勉",
            OutcomeKind::PartyWarning => "警告",
            OutcomeKind::PartySeriousWarning => "严重警告",
            OutcomeKind::PartyPostRemoval => "撤销党内职务",
            OutcomeKind::PartyProbation => "留党察看",
            OutcomeKind::PartyExpulsion => "开除党籍",
            OutcomeKind::PublicWarning => "警告",
            OutcomeKind::PublicDemerit => "记过",
            OutcomeKind::PublicMajorDemerit => "记大过",
            OutcomeKind::PublicDemotion => "降级",
            OutcomeKind::PublicDismissal => "撤职",
            OutcomeKind::PublicExpulsion => "开除",
            OutcomeKind::OrgSuspension => "停职检查",
            OutcomeKind::OrgPostAdjustment => "调整职务",
            OutcomeKind::OrgOrderedResignation => "责令辞职",
            OutcomeKind::OrgRemoval => "免职",
            OutcomeKind::OrgDemotion => "降职",
            OutcomeKind::ProsecutionReferral => "移送检察机关",
        }
    }

    /// The name that cannot be mistaken (党内警告 vs 政务警告).
    pub fn full_label(self) -> &'static str {
        match self {
            OutcomeKind::PartyWarning => "党内警告",
            OutcomeKind::PartySeriousWarning => "党内严重警告",
            OutcomeKind::PublicWarning => "政务警告",
            OutcomeKind::PublicDemerit => "政务记过",
            OutcomeKind::PublicMajorDemerit => "政务记大过",
            OutcomeKind::PublicDemotion => "政务降级",
            OutcomeKind::PublicDismissal => "政务撤职",
            OutcomeKind::PublicExpulsion => "开除公职",
            k => k.label(),
        }
    }

    fn aliases(self) -> &'static [&'static str] {
        match self {
            OutcomeKind::PublicExpulsion => &["政务开除", "开除（政务处分）"],
            OutcomeKind::ProsecutionReferral => &["移送司法机关", "移送检察机关依法审查起诉"],
            OutcomeKind::PartyWarning => &["警告（党纪）"],
            OutcomeKind::PublicWarning => &["警告（政务）"],
            _ => &[],
        }
    }

    /// Its family.
    pub fn family(self) -> Family {
        use OutcomeKind::*;
        match self {
            ReminderTalk | Criticism | OrderedReview | Admonition => Family::Measure,
            PartyWarning | PartySeriousWarning | PartyPostRemoval | PartyProbation | PartyExpulsion => Family::Party,
            PublicWarning | PublicDemerit | PublicMajorDemerit | PublicDemotion | PublicDismissal | PublicExpulsion => {
                Family::Public
            }
            OrgSuspension | OrgPostAdjustment | OrgOrderedResignation | OrgRemoval | OrgDemotion => {
                Family::Organisational
            }
            ProsecutionReferral => Family::Referral,
        }
    }

    /// The form (四种形态, RULES.md §4) the outcome falls in: 1 criticism-type measures; 2 light
    /// party sanctions, public 警告/记过/记大过 and organisational adjustment; 3 heavy party
    /// sanctions, 降职 and public 降级/撤职/开除; 4 referral for prosecution.
    pub fn form(self) -> u8 {
        use OutcomeKind::*;
        match self {
            ReminderTalk | Criticism | OrderedReview | Admonition => 1,
            PartyWarning | PartySeriousWarning => 2,
            PublicWarning | PublicDemerit | PublicMajorDemerit => 2,
            OrgSuspension | OrgPostAdjustment | OrgOrderedResignation | OrgRemoval => 2,
            PartyPostRemoval | PartyProbation | PartyExpulsion => 3,
            OrgDemotion => 3,
            PublicDemotion | PublicDismissal | PublicExpulsion => 3,
            ProsecutionReferral => 4,
        }
    }

    /// The effect period of the kind alone (RULES.md §5 for party sanctions, §6 for public
    /// ones); `term_months` is 留党察看's term, which is followed by two years without an equal
    /// or higher post.
    pub fn effect(self, term_months: Option<u32>) -> Effect {
        use OutcomeKind::*;
        match self {
            PartyWarning => Effect::Months(12),
            PartySeriousWarning => Effect::Months(18),
            PartyPostRemoval => Effect::Months(24),
            PartyProbation => Effect::Months(term_months.unwrap_or(12) + 24),
            PartyExpulsion => Effect::Months(60),
            PublicWarning => Effect::Months(6),
            PublicDemerit => Effect::Months(12),
            PublicMajorDemerit => Effect::Months(18),
            PublicDemotion | PublicDismissal => Effect::Months(24),
            PublicExpulsion => Effect::Permanent,
            _ => Effect::None,
        }
    }

    /// Whether the kind may be given to a manager of a village or residents' committee
    /// (RULES.md §6: public sanctions only 警告, 记过, 记大过).
    pub fn allowed_for_village_manager(self) -> bool {
        self.family() != Family::Public
            || matches!(
                self,
                OutcomeKind::PublicWarning | OutcomeKind::PublicDemerit | OutcomeKind::PublicMajorDemerit
            )
    }
}

/// Checks an outcome as given: 留党察看's term, the village rule, the dates.
pub fn check(
    kind: OutcomeKind,
    term_months: Option<u32>,
    decided_on: NaiveDate,
    effective_on: NaiveDate,
    village_manager: bool,
) -> Result<(), OutcomeError> {
    match (kind, term_months) {
        (OutcomeKind::PartyProbation, None) => return Err(OutcomeError::TermMissing),
        (OutcomeKind::PartyProbation, Some(12 | 24)) => {}
        (OutcomeKind::PartyProbation, Some(_)) => return Err(OutcomeError::TermInvalid),
        (_, Some(_)) => return Err(OutcomeError::TermNotApplicable),
        (_, None) => {}
    }
    if village_manager && !kind.allowed_for_village_manager() {
        return Err(OutcomeError::VillageManager);
    }
    if effective_on < decided_on {
        return Err(OutcomeError::EffectiveBeforeDecided);
    }
    Ok(())
}

/// The last day of an effect period of `months` starting on `start` (the start day counts:
/// twelve months from 1 March end on the last day of February).
pub fn last_day(start: NaiveDate, months: u32) -> NaiveDate {
    start
        .checked_add_months(Months::new(months))
        .and_then(|d| d.pred_opt())
        .unwrap_or(NaiveDate::MAX)
}

/// The last day of an outcome's effect period, or `None` when it has none (or none that ends:
/// see [`Effect::Permanent`]).
///
/// `running_until` is the end of the person's party-sanction effect period that covers
/// `effective_on`, if any: a party sanction given inside one runs for the remaining old period
/// plus its own (RULES.md §5), so its period starts the day after the old one ends.
pub fn effect_until(
    kind: OutcomeKind,
    term_months: Option<u32>,
    effective_on: NaiveDate,
    running_until: Option<NaiveDate>,
) -> Option<NaiveDate> {
    match kind.effect(term_months) {
        Effect::Months(m) => {
            let start = match running_until {
                Some(until) if kind.family() == Family::Party && until >= effective_on => until.succ_opt()?,
                _ => effective_on,
            };
            Some(last_day(start, m))
        }
        Effect::None | Effect::Permanent => None,
    }
}

/// Four-forms figures (RULES.md §4): person-times (人次) per form, one person in one case
/// counted once in the heaviest form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FourForms {
    /// 人次 of forms 1–4 (index 0 = form 1).
    pub forms: [i64; 4],
}

impl FourForms {
    /// Counts `(person, case, form)` triples: each (person, case) once, in its heaviest form.
    pub fn count<P: Ord + Clone, C: Ord + Clone>(rows: impl IntoIterator<Item = (P, C, u8)>) -> FourForms {
        let mut heaviest = std::collections::BTreeMap::new();
        for (p, c, form) in rows {
            let e = heaviest.entry((p, c)).or_insert(form);
            if form > *e {
                *e = form;
            }
        }
        let mut out = FourForms::default();
        for form in heaviest.into_values() {
            if (1..=4).contains(&form) {
                out.forms[usize::from(form - 1)] += 1;
            }
        }
        out
    }

    /// All person-times.
    pub fn person_times(&self) -> i64 {
        self.forms.iter().sum()
    }

    /// The share of form `f` (1–4) in percent, one decimal; 0 when nothing was counted.
    pub fn share(&self, f: u8) -> f64 {
        let total = self.person_times();
        if total == 0 || !(1..=4).contains(&f) {
            return 0.0;
        }
        (self.forms[usize::from(f - 1)] as f64 * 1000.0 / total as f64).round() / 10.0
    }
}

/// Chinese name of a form.
pub fn form_label(form: u8) -> &'static str {
    match form {
        1 => "第一种形态",
        2 => "第二种形态",
        3 => "第三种形态",
        4 => "第四种形态",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// Every code reads back, and the serde name is the code (the API's `kind`).
    #[test]
    fn codes_round_trip() {
        for k in OutcomeKind::ALL {
            assert_eq!(OutcomeKind::parse(k.code()), Some(*k));
            assert_eq!(serde_json::to_string(k).unwrap(), format!("\"{}\"", k.code()));
            assert_eq!(OutcomeKind::parse_label(k.full_label()), Some(*k), "{}", k.full_label());
        }
        assert_eq!(OutcomeKind::ALL.len(), 21);
        assert_eq!(OutcomeKind::parse_label("党内警告"), Some(OutcomeKind::PartyWarning));
        assert_eq!(OutcomeKind::parse_label("开除公职"), Some(OutcomeKind::PublicExpulsion));
        assert_eq!(OutcomeKind::parse("party.nothing"), None);
        assert_eq!(OutcomeKind::parse_label("警告"), None, "ambiguous");
        assert_eq!(OutcomeKind::parse_label("诫勉"), Some(OutcomeKind::Admonition));
    }

    /// RULES.md §4: the table of forms, row by row.
    #[test]
    fn forms_follow_rules_md_section_4() {
        use OutcomeKind::*;
        let expect: &[(OutcomeKind, u8)] = &[
            (ReminderTalk, 1),
            (Criticism, 1),
            (OrderedReview, 1),
            (Admonition, 1),
            (PartyWarning, 2),
            (PartySeriousWarning, 2),
            (PublicWarning, 2),
            (PublicDemerit, 2),
            (PublicMajorDemerit, 2),
            (OrgSuspension, 2),
            (OrgPostAdjustment, 2),
            (OrgOrderedResignation, 2),
            (OrgRemoval, 2),
            (PartyPostRemoval, 3),
            (PartyProbation, 3),
            (PartyExpulsion, 3),
            (OrgDemotion, 3),
            (PublicDemotion, 3),
            (PublicDismissal, 3),
            (PublicExpulsion, 3),
            (ProsecutionReferral, 4),
        ];
        assert_eq!(expect.len(), OutcomeKind::ALL.len());
        for (k, f) in expect {
            assert_eq!(k.form(), *f, "{}", k.code());
        }
    }

    /// RULES.md §5 (party) and §6 (public): the periods of each sanction.
    #[test]
    fn effect_periods_follow_rules_md_sections_5_and_6() {
        use OutcomeKind::*;
        assert_eq!(PartyWarning.effect(None), Effect::Months(12));
        assert_eq!(PartySeriousWarning.effect(None), Effect::Months(18));
        assert_eq!(PartyPostRemoval.effect(None), Effect::Months(24));
        assert_eq!(PartyProbation.effect(Some(12)), Effect::Months(36), "term + two years");
        assert_eq!(PartyProbation.effect(Some(24)), Effect::Months(48));
        assert_eq!(PartyExpulsion.effect(None), Effect::Months(60));
        assert_eq!(PublicWarning.effect(None), Effect::Months(6));
        assert_eq!(PublicDemerit.effect(None), Effect::Months(12));
        assert_eq!(PublicMajorDemerit.effect(None), Effect::Months(18));
        assert_eq!(PublicDemotion.effect(None), Effect::Months(24));
        assert_eq!(PublicDismissal.effect(None), Effect::Months(24));
        assert_eq!(PublicExpulsion.effect(None), Effect::Permanent);
        for k in [ReminderTalk, Admonition, OrgRemoval, OrgDemotion, ProsecutionReferral] {
            assert_eq!(k.effect(None), Effect::None);
        }
    }

    /// RULES.md §6: the period starts the day the decision takes effect.
    #[test]
    fn effect_until_counts_the_first_day() {
        use OutcomeKind::*;
        assert_eq!(
            effect_until(PublicWarning, None, d("2026-01-15"), None),
            Some(d("2026-07-14"))
        );
        assert_eq!(
            effect_until(PartyWarning, None, d("2024-03-01"), None),
            Some(d("2025-02-28"))
        );
        assert_eq!(
            effect_until(PartyWarning, None, d("2023-03-01"), None),
            Some(d("2024-02-29"))
        );
        assert_eq!(
            effect_until(PartySeriousWarning, None, d("2025-01-01"), None),
            Some(d("2026-06-30"))
        );
        assert_eq!(
            effect_until(PartyProbation, Some(24), d("2025-05-10"), None),
            Some(d("2029-05-09"))
        );
        assert_eq!(effect_until(PublicExpulsion, None, d("2025-05-10"), None), None);
        assert_eq!(effect_until(Criticism, None, d("2025-05-10"), None), None);
    }

    /// RULES.md §5: a party sanction given inside an existing effect period runs for the
    /// remaining old period plus the new one; a public sanction does not stack.
    #[test]
    fn party_sanction_inside_a_running_period_stacks() {
        use OutcomeKind::*;
        // Warning from 2025-01-01 runs to 2025-12-31; a serious warning on 2025-07-01 adds its
        // 18 months after that: to 2027-06-30.
        let running = effect_until(PartyWarning, None, d("2025-01-01"), None);
        assert_eq!(running, Some(d("2025-12-31")));
        assert_eq!(
            effect_until(PartySeriousWarning, None, d("2025-07-01"), running),
            Some(d("2027-06-30"))
        );
        // After the old period ended nothing stacks.
        assert_eq!(
            effect_until(PartySeriousWarning, None, d("2026-01-01"), running),
            Some(d("2027-06-30"))
        );
        assert_eq!(
            effect_until(PublicDemerit, None, d("2025-07-01"), running),
            Some(d("2026-06-30"))
        );
    }

    /// RULES.md §6: village and residents' committee managers get only 警告, 记过, 记大过.
    #[test]
    fn village_managers_get_only_three_public_sanctions() {
        let day = d("2026-03-01");
        for k in OutcomeKind::ALL {
            let r = check(*k, (*k == OutcomeKind::PartyProbation).then_some(12), day, day, true);
            let light = matches!(
                k,
                OutcomeKind::PublicWarning | OutcomeKind::PublicDemerit | OutcomeKind::PublicMajorDemerit
            );
            if k.family() == Family::Public && !light {
                assert_eq!(r, Err(OutcomeError::VillageManager), "{}", k.code());
            } else {
                assert_eq!(r, Ok(()), "{}", k.code());
            }
        }
    }

    /// 留党察看 needs a term of 12 or 24 months; no other kind takes one; no effect before the
    /// decision.
    #[test]
    fn checks_of_the_term_and_dates() {
        let day = d("2026-03-01");
        use OutcomeKind::*;
        assert_eq!(
            check(PartyProbation, None, day, day, false),
            Err(OutcomeError::TermMissing)
        );
        assert_eq!(
            check(PartyProbation, Some(18), day, day, false),
            Err(OutcomeError::TermInvalid)
        );
        assert_eq!(check(PartyProbation, Some(24), day, day, false), Ok(()));
        assert_eq!(
            check(PartyWarning, Some(12), day, day, false),
            Err(OutcomeError::TermNotApplicable)
        );
        assert_eq!(
            check(PartyWarning, None, day, d("2026-02-28"), false),
            Err(OutcomeError::EffectiveBeforeDecided)
        );
    }

    /// RULES.md §4: one person in one case counts once, in the heaviest form.
    #[test]
    fn four_forms_count_once_per_person_and_case() {
        let f = FourForms::count([
            (1, "A", 1),
            (1, "A", 3), // same person, same case: form 3 only
            (1, "B", 2), // another case: counts again
            (2, "A", 1),
            (3, "C", 4),
        ]);
        assert_eq!(f.forms, [1, 1, 1, 1]);
        assert_eq!(f.person_times(), 4);
        assert_eq!(f.share(1), 25.0);
        assert_eq!(FourForms::default().share(2), 0.0);
    }

    fn any_kind() -> impl Strategy<Value = OutcomeKind> {
        (0..OutcomeKind::ALL.len()).prop_map(|i| OutcomeKind::ALL[i])
    }

    fn any_day() -> impl Strategy<Value = NaiveDate> {
        (0i64..20_000).prop_map(|n| d("1990-01-01") + chrono::Duration::days(n))
    }

    proptest! {
        /// RULES.md §4: every kind is in exactly one form, 1–4; the family agrees with it.
        #[test]
        fn every_outcome_is_in_one_form(k in any_kind()) {
            let f = k.form();
            prop_assert!((1..=4).contains(&f));
            match k.family() {
                Family::Measure => prop_assert_eq!(f, 1),
                Family::Referral => prop_assert_eq!(f, 4),
                _ => prop_assert!(f == 2 || f == 3),
            }
        }

        /// RULES.md §5–6: an effect period covers its start day, lasts the kind's months, and a
        /// stacked party sanction ends exactly its own months after the old end.
        #[test]
        fn effect_period_properties(k in any_kind(), start in any_day(), gap in 0i64..900, term in prop::sample::select(vec![12u32, 24])) {
            let term = (k == OutcomeKind::PartyProbation).then_some(term);
            match k.effect(term) {
                Effect::Months(m) => {
                    let until = effect_until(k, term, start, None).unwrap();
                    prop_assert!(until >= start);
                    prop_assert_eq!(until.succ_opt().unwrap(), start.checked_add_months(Months::new(m)).unwrap());
                    let running = start + chrono::Duration::days(gap);
                    let stacked = effect_until(k, term, start, Some(running)).unwrap();
                    if k.family() == Family::Party {
                        prop_assert_eq!(stacked, last_day(running.succ_opt().unwrap(), m));
                        prop_assert!(stacked > running);
                    } else {
                        prop_assert_eq!(stacked, until);
                    }
                }
                Effect::None | Effect::Permanent => prop_assert_eq!(effect_until(k, term, start, None), None),
            }
        }

        /// RULES.md §4: counting never exceeds the rows, and a person's case counts in the heaviest.
        #[test]
        fn four_forms_never_count_a_case_twice(rows in prop::collection::vec((0u8..5, 0u8..3, 1u8..=4), 0..60)) {
            let f = FourForms::count(rows.iter().copied());
            let distinct: std::collections::BTreeSet<_> = rows.iter().map(|(p, c, _)| (*p, *c)).collect();
            prop_assert_eq!(f.person_times() as usize, distinct.len());
            let heaviest4 = distinct.iter().filter(|pc| rows.iter().any(|(p, c, f)| (*p, *c) == **pc && *f == 4)).count();
            prop_assert_eq!(f.forms[3] as usize, heaviest4);
        }
    }
}
