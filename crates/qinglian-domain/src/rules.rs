//! The one table of every statutory or configured time limit (RULES.md §2, §3).
//!
//! Handlers must look limits up here by id instead of writing literals. Entries with
//! `verified: false` are marked (unverified) in RULES.md: they are configurable defaults, and
//! the UI must say so.

use chrono::NaiveDate;

use crate::calendar::{Calendar, CalendarError};
use crate::deadline::{Period, due_date};

/// One time limit with its source.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// Stable snake_case identifier.
    pub id: &'static str,
    /// What must be done within the period, in Chinese.
    pub title: &'static str,
    /// The period, counted from the triggering day (day 0).
    pub period: Period,
    /// Where the rule comes from.
    pub citation: &'static str,
    /// `false` = marked (unverified) in RULES.md: a configurable default, not a law.
    pub verified: bool,
}

impl Rule {
    /// The due date of this rule for something triggered on `start` (RULES.md §1).
    pub fn due_date(&self, cal: &Calendar, start: NaiveDate) -> Result<NaiveDate, CalendarError> {
        due_date(cal, start, self.period)
    }
}

/// Default warning margin of the yellow card (临期): 3 working days before the due date.
/// No regulation fixes it (RULES.md and GLOSSARY 红黄牌 only define the notion), so it is a
/// configurable default.
pub const DEFAULT_YELLOW_WORKDAYS: u32 = 3;

/// Every time limit of RULES.md §2 (reports, petitions) and §3 (clues, cases, appeals).
pub const RULES: &[Rule] = &[
    // ---- RULES.md §2: reports (检举控告) ----
    Rule {
        id: "report_accept_notice",
        title: "告知实名举报人是否受理（重复举报不告知）",
        period: Period::Workdays(15),
        citation: "RULES.md §2; 纪检监察机关处理检举控告工作规则",
        verified: true,
    },
    Rule {
        id: "report_result_notice",
        title: "办理结束后向实名举报人反馈处理结果",
        period: Period::Workdays(15),
        citation: "RULES.md §2; 纪检监察机关处理检举控告工作规则",
        verified: true,
    },
    Rule {
        id: "report_forward_higher",
        title: "属于上级纪检监察机关受理的检举控告报送上级",
        period: Period::Workdays(5),
        citation: "RULES.md §2; 纪检监察机关处理检举控告工作规则",
        verified: true,
    },
    Rule {
        id: "report_lower_accept_or_transfer",
        title: "下级收到上级转来的检举控告后完成受理或转办",
        period: Period::Workdays(5),
        citation: "RULES.md §2; 纪检监察机关处理检举控告工作规则",
        verified: true,
    },
    // ---- RULES.md §2: petitions (信访工作条例 2022) ----
    Rule {
        id: "petition_register",
        title: "信访事项登记并分别处理（转送、交办等）",
        period: Period::Days(15),
        citation: "RULES.md §2; 信访工作条例（2022）",
        verified: true,
    },
    Rule {
        id: "petition_objection",
        title: "收到不属于本机关职责范围的信访事项提出异议",
        period: Period::Workdays(5),
        citation: "RULES.md §2; 信访工作条例（2022）",
        verified: true,
    },
    Rule {
        id: "petition_handle",
        title: "信访事项自受理之日起办结",
        period: Period::Days(60),
        citation: "RULES.md §2; 信访工作条例（2022）",
        verified: true,
    },
    Rule {
        id: "petition_extension",
        title: "信访事项延期办理（仅一次，并告知信访人理由）",
        period: Period::Days(30),
        citation: "RULES.md §2; 信访工作条例（2022）",
        verified: true,
    },
    Rule {
        id: "petition_review_apply",
        title: "信访人收到书面答复后请求复查",
        period: Period::Days(30),
        citation: "RULES.md §2; 信访工作条例（2022）",
        verified: true,
    },
    Rule {
        id: "petition_review_answer",
        title: "收到复查请求后提出复查意见",
        period: Period::Days(30),
        citation: "RULES.md §2; 信访工作条例（2022）",
        verified: true,
    },
    Rule {
        id: "petition_re_review_apply",
        title: "信访人收到复查意见后请求复核",
        period: Period::Days(30),
        citation: "RULES.md §2; 信访工作条例（2022）",
        verified: true,
    },
    Rule {
        id: "petition_re_review_answer",
        title: "收到复核请求后提出复核意见",
        period: Period::Days(30),
        citation: "RULES.md §2; 信访工作条例（2022）",
        verified: true,
    },
    // ---- RULES.md §3: clues (问题线索) ----
    Rule {
        id: "clue_disposition_proposal",
        title: "收到问题线索后提出处置意见",
        period: Period::Months(1),
        citation: "RULES.md §3 (unverified; configurable); 中国共产党纪律检查机关监督执纪工作规则",
        verified: false,
    },
    Rule {
        id: "inquiry_letter_reply",
        title: "被函询人收到函询后书面说明情况",
        period: Period::Workdays(15),
        citation: "RULES.md §3; 中国共产党纪律检查机关监督执纪工作规则",
        verified: true,
    },
    Rule {
        id: "inquiry_close_report",
        title: "谈话或函询回复后承办部门提出处理意见",
        period: Period::Days(30),
        citation: "RULES.md §3 (unverified; configurable); 中国共产党纪律检查机关监督执纪工作规则",
        verified: false,
    },
    Rule {
        id: "verification_plan",
        title: "按初核方案确定的期限完成初步核实",
        period: Period::Months(3),
        citation: "RULES.md §3 (unverified; configurable): preliminary verification has no fixed statutory \
                   limit, the plan sets one; three months is only the date the plan form suggests",
        verified: false,
    },
    // ---- RULES.md §3: adjudication, decision, execution ----
    Rule {
        id: "adjudication",
        title: "案件审理自受理之日起完成（复杂案件经批准可延长）",
        period: Period::Months(1),
        citation: "RULES.md §3; 中国共产党纪律检查机关监督执纪工作规则",
        verified: true,
    },
    Rule {
        id: "sanction_announce",
        title: "处分决定作出后宣布",
        period: Period::Months(1),
        citation: "RULES.md §3; 中国共产党纪律处分条例（2023）",
        verified: true,
    },
    Rule {
        id: "post_pay_change",
        title: "撤销党内职务以上处分后办理职务、工资等相应变更",
        period: Period::Months(1),
        citation: "RULES.md §3; 中国共产党纪律处分条例（2023）",
        verified: true,
    },
    Rule {
        id: "post_pay_change_special",
        title: "特殊情况下办理职务、工资等相应变更的最长期限",
        period: Period::Months(6),
        citation: "RULES.md §3; 中国共产党纪律处分条例（2023）",
        verified: true,
    },
    Rule {
        id: "execution_report",
        title: "报告处分决定执行情况",
        period: Period::Months(6),
        citation: "RULES.md §3; 中国共产党纪律处分条例（2023）",
        verified: true,
    },
    // ---- RULES.md §3: review and appeal (监察法 复审、复核) ----
    Rule {
        id: "appeal_apply",
        title: "收到处理决定后申请复审",
        period: Period::Months(1),
        citation: "RULES.md §3; 中华人民共和国监察法（复审、复核）",
        verified: true,
    },
    Rule {
        id: "appeal_decide",
        title: "复审机关作出复审决定",
        period: Period::Months(1),
        citation: "RULES.md §3; 中华人民共和国监察法（复审、复核）",
        verified: true,
    },
    Rule {
        id: "appeal_higher_apply",
        title: "收到复审决定后向上一级机关申请复核",
        period: Period::Months(1),
        citation: "RULES.md §3; 中华人民共和国监察法（复审、复核）",
        verified: true,
    },
    Rule {
        id: "appeal_higher_decide",
        title: "复核机关作出复核决定",
        period: Period::Months(2),
        citation: "RULES.md §3; 中华人民共和国监察法（复审、复核）",
        verified: true,
    },
    // ---- Reports (信访举报): a unit's report-back on an assigned report ----
    Rule {
        id: "report_assign_back",
        title: "承办单位办理交办的检举控告并报告结果",
        period: Period::Workdays(15),
        citation: "RULES.md §2 (unverified; configurable): 交办 requires a report-back but no \
                   regulation fixes its period; 15 working days follows the accept/result notices",
        verified: false,
    },
    // ---- Data supervision (大数据监督): checking a finding ----
    Rule {
        id: "finding_check",
        title: "被派发单位核查大数据监督疑点并反馈结果",
        period: Period::Workdays(15),
        citation: "RULES.md §1 (unverified; configurable): working days on the official calendar; no \
                   regulation fixes the period, 15 working days follows inquiry_letter_reply",
        verified: false,
    },
];

/// The due date under rule `id` for something triggered on `start`, or pending (待定) while
/// it runs into a year without a calendar (RULES.md §1). Every module's limits go through it.
///
/// # Panics
/// On an id that is not in [`RULES`]: ids come from workflow tables and constants, and a test
/// of each table checks them.
pub fn due(cal: &Calendar, id: &str, start: NaiveDate) -> crate::deadline::Due {
    let r = rule(id).unwrap_or_else(|| panic!("unknown rule {id}"));
    crate::deadline::due_or_pending(cal, start, r.period)
}

/// Looks a rule up by id.
pub fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn period(id: &str) -> Period {
        rule(id).unwrap_or_else(|| panic!("missing rule {id}")).period
    }

    /// Every id is unique, snake_case, cited and titled.
    #[test]
    fn ids_unique_and_well_formed() {
        let mut seen = HashSet::new();
        for r in RULES {
            assert!(seen.insert(r.id), "duplicate id {}", r.id);
            assert!(
                r.id.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{} is not snake_case",
                r.id
            );
            assert!(r.citation.starts_with("RULES.md §"), "{}", r.id);
            assert!(!r.title.is_empty());
            assert_eq!(r.verified, !r.citation.contains("unverified"), "{}", r.id);
        }
        assert!(rule("no_such_rule").is_none());
    }

    /// RULES.md §2: report notices and forwarding.
    #[test]
    fn report_rules() {
        assert_eq!(period("report_accept_notice"), Period::Workdays(15));
        assert_eq!(period("report_result_notice"), Period::Workdays(15));
        assert_eq!(period("report_forward_higher"), Period::Workdays(5));
        assert_eq!(period("report_lower_accept_or_transfer"), Period::Workdays(5));
    }

    /// RULES.md §2: 信访工作条例 (2022) time limits.
    #[test]
    fn petition_rules() {
        assert_eq!(period("petition_register"), Period::Days(15));
        assert_eq!(period("petition_objection"), Period::Workdays(5));
        assert_eq!(period("petition_handle"), Period::Days(60));
        assert_eq!(period("petition_extension"), Period::Days(30));
        assert_eq!(period("petition_review_apply"), Period::Days(30));
        assert_eq!(period("petition_review_answer"), Period::Days(30));
        assert_eq!(period("petition_re_review_apply"), Period::Days(30));
        assert_eq!(period("petition_re_review_answer"), Period::Days(30));
    }

    /// RULES.md §3: clue and inquiry limits; the unverified ones are flagged.
    #[test]
    fn clue_rules() {
        assert_eq!(period("inquiry_letter_reply"), Period::Workdays(15));
        assert_eq!(period("inquiry_close_report"), Period::Days(30));
        assert_eq!(period("clue_disposition_proposal"), Period::Months(1));
        assert!(rule("inquiry_letter_reply").unwrap().verified);
        assert!(!rule("inquiry_close_report").unwrap().verified);
        assert!(!rule("clue_disposition_proposal").unwrap().verified);
    }

    /// RULES.md §2: a unit's report-back on an assigned accusation has a configurable default.
    #[test]
    fn report_assign_back_rule() {
        assert_eq!(period("report_assign_back"), Period::Workdays(15));
        assert!(!rule("report_assign_back").unwrap().verified);
    }

    /// RULES.md §1: the configurable default period for checking a data-supervision finding.
    #[test]
    fn finding_check_rule() {
        assert_eq!(period("finding_check"), Period::Workdays(15));
        assert!(
            !rule("finding_check").unwrap().verified,
            "no regulation fixes it: configurable"
        );
    }

    /// RULES.md §3: adjudication, announcement, post/pay change, execution report.
    #[test]
    fn case_rules() {
        assert_eq!(period("adjudication"), Period::Months(1));
        assert_eq!(period("sanction_announce"), Period::Months(1));
        assert_eq!(period("post_pay_change"), Period::Months(1));
        assert_eq!(period("post_pay_change_special"), Period::Months(6));
        assert_eq!(period("execution_report"), Period::Months(6));
    }

    /// RULES.md §3: 监察法 review and appeal limits.
    #[test]
    fn appeal_rules() {
        assert_eq!(period("appeal_apply"), Period::Months(1));
        assert_eq!(period("appeal_decide"), Period::Months(1));
        assert_eq!(period("appeal_higher_apply"), Period::Months(1));
        assert_eq!(period("appeal_higher_decide"), Period::Months(2));
    }

    /// RULES.md §1 applied through a rule: due date of a 15-working-day notice.
    #[test]
    fn rule_due_date() {
        let cal = Calendar::builtin();
        let start = NaiveDate::from_ymd_opt(2024, 3, 4).unwrap();
        assert_eq!(
            rule("report_accept_notice").unwrap().due_date(&cal, start).unwrap(),
            NaiveDate::from_ymd_opt(2024, 3, 25).unwrap()
        );
        assert_eq!(DEFAULT_YELLOW_WORKDAYS, 3);
    }
}
