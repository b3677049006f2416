//! Cases (案件, issue #13 §2) and the outcomes recorded in them. The outcome rules (kinds, the
//! four forms, effect periods) are in [`crate::outcome`]; this module holds the case module's
//! permissions and the case workflow as tables (RULES.md §3): 立案 → 审查调查 → 移送审理 → 审理
//! (accepted within its one-month limit, extended with approval, or returned once or more for
//! 补充调查) → 处分决定 → 宣布 (one month) → 执行 (the execution report within six months) → 结案;
//! and 申诉/复审/复核 as their own table, running beside the case (execution is not suspended).
//! No total investigation limit: the rules set none (RULES.md §3).

use crate::workflow::{Action, DeadlineEffect, State, Transition, Workflow};

crate::permissions! {
    PERM_READ = "case.read", "查看处理处分结果及本人所在工作组的案件", Business;
    PERM_READ_ALL = "case.read_all", "查看全部案件（案件监督管理室、委领导）", Business;
    PERM_OUTCOME = "case.outcome", "录入处理处分结果（含历史数据导入）", Business;
    PERM_STATS = "case.stats", "查看四种形态等统计", Business;
    PERM_INVESTIGATE = "case.investigate", "审查调查（本人所在专案组的案件）", Business;
    PERM_ADJUDICATE = "case.adjudicate", "案件审理", Business;
    PERM_APPROVE = "case.approve", "审批延长审理期限、处分决定", Business;
}

/// The module's part of the catalogue: case management (案管室) records outcomes and keeps the
/// figures; investigation and adjudication work their cases; leaders read, approve and see
/// the figures.
pub const MODULE_PERMISSIONS: crate::permission::ModulePermissions = crate::permission::ModulePermissions {
    module: "case",
    permissions: PERMISSIONS,
    grants: &[
        ("casemgmt", &[PERM_READ, PERM_READ_ALL, PERM_OUTCOME, PERM_STATS]),
        ("leader", &[PERM_READ, PERM_READ_ALL, PERM_STATS, PERM_APPROVE]),
        ("investigation", &[PERM_READ, PERM_INVESTIGATE]),
        ("adjudication", &[PERM_READ, PERM_OUTCOME, PERM_ADJUDICATE]),
        ("conduct", &[PERM_STATS]),
    ],
};

/// 审理 within one month of acceptance (RULES.md §3).
pub const RULE_ADJUDICATION: &str = "adjudication";
/// 宣布 within one month of the decision.
pub const RULE_ANNOUNCE: &str = "sanction_announce";
/// The execution report within six months.
pub const RULE_EXECUTION: &str = "execution_report";

/// Where a case stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseState {
    /// 审查调查中.
    Investigating,
    /// 已移送审理（待受理）.
    Transferred,
    /// 审理中.
    Adjudicating,
    /// 已作出处分决定（待宣布）.
    Decided,
    /// 已宣布，执行中.
    Executing,
    /// 已结案.
    Closed,
}

impl State for CaseState {
    const ALL: &'static [CaseState] = &[
        CaseState::Investigating,
        CaseState::Transferred,
        CaseState::Adjudicating,
        CaseState::Decided,
        CaseState::Executing,
        CaseState::Closed,
    ];
    fn code(self) -> &'static str {
        match self {
            CaseState::Investigating => "investigating",
            CaseState::Transferred => "transferred",
            CaseState::Adjudicating => "adjudicating",
            CaseState::Decided => "decided",
            CaseState::Executing => "executing",
            CaseState::Closed => "closed",
        }
    }
    fn label(self) -> &'static str {
        match self {
            CaseState::Investigating => "审查调查中",
            CaseState::Transferred => "已移送审理",
            CaseState::Adjudicating => "审理中",
            CaseState::Decided => "待宣布",
            CaseState::Executing => "执行中",
            CaseState::Closed => "已结案",
        }
    }
}

/// What can be done to a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseAction {
    /// 移送审理.
    Transfer,
    /// 受理审理 (a team of at least two; the one-month limit starts).
    Accept,
    /// 延长审理期限 (complex cases, with approval).
    Extend,
    /// 退回补充调查.
    ReturnForInvestigation,
    /// 作出处分决定 (the outcomes recorded; one month to announce).
    Decide,
    /// 宣布处分决定 (six months to report execution).
    Announce,
    /// 报告执行情况 → 结案.
    ReportExecution,
}

impl Action for CaseAction {
    const ALL: &'static [CaseAction] = &[
        CaseAction::Transfer,
        CaseAction::Accept,
        CaseAction::Extend,
        CaseAction::ReturnForInvestigation,
        CaseAction::Decide,
        CaseAction::Announce,
        CaseAction::ReportExecution,
    ];
    fn code(self) -> &'static str {
        match self {
            CaseAction::Transfer => "transfer",
            CaseAction::Accept => "accept",
            CaseAction::Extend => "extend",
            CaseAction::ReturnForInvestigation => "return",
            CaseAction::Decide => "decide",
            CaseAction::Announce => "announce",
            CaseAction::ReportExecution => "report_execution",
        }
    }
    fn label(self) -> &'static str {
        match self {
            CaseAction::Transfer => "移送审理",
            CaseAction::Accept => "受理审理",
            CaseAction::Extend => "延长审理期限",
            CaseAction::ReturnForInvestigation => "退回补充调查",
            CaseAction::Decide => "作出处分决定",
            CaseAction::Announce => "宣布处分决定",
            CaseAction::ReportExecution => "报告执行情况并结案",
        }
    }
}

const fn row(
    from: CaseState,
    action: CaseAction,
    to: CaseState,
    permission: &'static str,
    deadline: DeadlineEffect,
    next: Option<&'static str>,
) -> Transition<CaseState, CaseAction> {
    Transition {
        from,
        action,
        to,
        permission,
        deadline,
        next,
    }
}

use CaseAction as A;
use CaseState as S;

/// The case workflow (RULES.md §3). 补充调查 closes the adjudication limit; the case comes back
/// through 移送审理 and a new acceptance with a new month.
pub static CASE_WORKFLOW: Workflow<CaseState, CaseAction> = Workflow {
    name: "case",
    object_label: "案件",
    transitions: &[
        row(
            S::Investigating,
            A::Transfer,
            S::Transferred,
            PERM_INVESTIGATE,
            DeadlineEffect::None,
            Some(PERM_ADJUDICATE),
        ),
        row(
            S::Transferred,
            A::Accept,
            S::Adjudicating,
            PERM_ADJUDICATE,
            DeadlineEffect::Open(RULE_ADJUDICATION),
            None,
        ),
        row(
            S::Adjudicating,
            A::Extend,
            S::Adjudicating,
            PERM_APPROVE,
            DeadlineEffect::Replace(RULE_ADJUDICATION),
            Some(PERM_ADJUDICATE),
        ),
        row(
            S::Adjudicating,
            A::ReturnForInvestigation,
            S::Investigating,
            PERM_ADJUDICATE,
            DeadlineEffect::Close,
            Some(PERM_INVESTIGATE),
        ),
        row(
            S::Adjudicating,
            A::Decide,
            S::Decided,
            PERM_APPROVE,
            DeadlineEffect::Replace(RULE_ANNOUNCE),
            Some(PERM_INVESTIGATE),
        ),
        row(
            S::Decided,
            A::Announce,
            S::Executing,
            PERM_INVESTIGATE,
            DeadlineEffect::Replace(RULE_EXECUTION),
            None,
        ),
        row(
            S::Executing,
            A::ReportExecution,
            S::Closed,
            PERM_INVESTIGATE,
            DeadlineEffect::Close,
            None,
        ),
    ],
};

/// Where an appeal stands (申诉 / 复审 / 复核, RULES.md §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppealState {
    /// 复审中 (decided within one month).
    Reviewing,
    /// 复审已决定.
    Reviewed,
    /// 复核中 at the level above (decided within two months).
    ReReviewing,
    /// 复核已决定 (final).
    Final,
}

impl State for AppealState {
    const ALL: &'static [AppealState] = &[
        AppealState::Reviewing,
        AppealState::Reviewed,
        AppealState::ReReviewing,
        AppealState::Final,
    ];
    fn code(self) -> &'static str {
        match self {
            AppealState::Reviewing => "reviewing",
            AppealState::Reviewed => "reviewed",
            AppealState::ReReviewing => "re_reviewing",
            AppealState::Final => "final",
        }
    }
    fn label(self) -> &'static str {
        match self {
            AppealState::Reviewing => "复审中",
            AppealState::Reviewed => "复审已决定",
            AppealState::ReReviewing => "复核中",
            AppealState::Final => "复核已决定",
        }
    }
}

/// What can be done to an appeal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppealAction {
    /// 作出复审决定 (upheld or changed, never heavier).
    DecideReview,
    /// 申请复核 (to the level above, within one month of the review decision).
    ApplyReReview,
    /// 作出复核决定.
    DecideReReview,
}

impl Action for AppealAction {
    const ALL: &'static [AppealAction] = &[
        AppealAction::DecideReview,
        AppealAction::ApplyReReview,
        AppealAction::DecideReReview,
    ];
    fn code(self) -> &'static str {
        match self {
            AppealAction::DecideReview => "decide_review",
            AppealAction::ApplyReReview => "apply_re_review",
            AppealAction::DecideReReview => "decide_re_review",
        }
    }
    fn label(self) -> &'static str {
        match self {
            AppealAction::DecideReview => "作出复审决定",
            AppealAction::ApplyReReview => "申请复核",
            AppealAction::DecideReReview => "作出复核决定",
        }
    }
}

/// The appeal workflow: 复审 within a month, then 复核 at the level above within two months. The
/// appeal itself is registered with `appeal_decide` open; the case's execution goes on.
pub static APPEAL_WORKFLOW: Workflow<AppealState, AppealAction> = Workflow {
    name: "case.appeal",
    object_label: "申诉",
    transitions: &[
        Transition {
            from: AppealState::Reviewing,
            action: AppealAction::DecideReview,
            to: AppealState::Reviewed,
            permission: PERM_APPROVE,
            deadline: DeadlineEffect::Close,
            next: None,
        },
        Transition {
            from: AppealState::Reviewed,
            action: AppealAction::ApplyReReview,
            to: AppealState::ReReviewing,
            permission: PERM_ADJUDICATE,
            deadline: DeadlineEffect::Open("appeal_higher_decide"),
            next: Some(PERM_APPROVE),
        },
        Transition {
            from: AppealState::ReReviewing,
            action: AppealAction::DecideReReview,
            to: AppealState::Final,
            permission: PERM_APPROVE,
            deadline: DeadlineEffect::Close,
            next: None,
        },
    ],
};

/// Whether an appeal's new outcome is not heavier than the one appealed (RULES.md §3: never
/// heavier on appeal): a lower form, or the same form with an effect period no longer.
pub fn not_heavier(
    old: crate::outcome::OutcomeKind,
    old_term: Option<u32>,
    new: crate::outcome::OutcomeKind,
    new_term: Option<u32>,
) -> bool {
    use crate::outcome::Effect;
    let months = |k: crate::outcome::OutcomeKind, t: Option<u32>| match k.effect(t) {
        Effect::None => 0,
        Effect::Months(m) => m,
        Effect::Permanent => u32::MAX,
    };
    new.form() < old.form() || (new.form() == old.form() && months(new, new_term) <= months(old, old_term))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::OutcomeKind;
    use crate::workflow::prove_guarded;

    /// Every transition needs exactly its permission; every limit is a RULES.md §3 row; no
    /// total investigation limit is opened anywhere.
    #[test]
    fn case_tables_are_guarded_and_cite_rules_md_section_3() {
        assert_eq!(prove_guarded(&CASE_WORKFLOW), Vec::<String>::new());
        assert_eq!(prove_guarded(&APPEAL_WORKFLOW), Vec::<String>::new());
        for t in CASE_WORKFLOW.transitions {
            if let DeadlineEffect::Open(r) | DeadlineEffect::Replace(r) = t.deadline {
                assert!(
                    crate::rules::rule(r).unwrap().citation.starts_with("RULES.md §3"),
                    "{r}"
                );
            }
            if t.from == CaseState::Investigating {
                assert!(
                    !matches!(t.deadline, DeadlineEffect::Open(_)),
                    "no invented investigation limit"
                );
            }
        }
        assert_eq!(
            crate::rules::rule(RULE_ADJUDICATION).unwrap().period,
            crate::deadline::Period::Months(1)
        );
        assert_eq!(
            crate::rules::rule(RULE_ANNOUNCE).unwrap().period,
            crate::deadline::Period::Months(1)
        );
        assert_eq!(
            crate::rules::rule(RULE_EXECUTION).unwrap().period,
            crate::deadline::Period::Months(6)
        );
        assert_eq!(
            crate::rules::rule("appeal_higher_decide").unwrap().period,
            crate::deadline::Period::Months(2)
        );
        // Adjudication may return the case; it comes back through a new transfer.
        let back = CASE_WORKFLOW
            .transitions
            .iter()
            .find(|t| t.action == CaseAction::ReturnForInvestigation)
            .unwrap();
        assert_eq!(back.to, CaseState::Investigating);
        assert_eq!(CASE_WORKFLOW.actions_from(CaseState::Closed).count(), 0);
        for &s in CaseState::ALL {
            assert_eq!(CaseState::parse(s.code()), Some(s));
        }
    }

    /// RULES.md §3: the sanction cannot be made heavier on appeal.
    #[test]
    fn appeals_never_make_it_heavier() {
        use OutcomeKind::*;
        assert!(not_heavier(PartySeriousWarning, None, PartyWarning, None));
        assert!(not_heavier(PartyWarning, None, PartyWarning, None), "upheld");
        assert!(!not_heavier(PartyWarning, None, PartySeriousWarning, None));
        assert!(!not_heavier(PublicDemerit, None, PublicDismissal, None));
        assert!(not_heavier(PartyProbation, Some(24), PartyProbation, Some(12)));
        assert!(!not_heavier(PartyProbation, Some(12), PartyProbation, Some(24)));
        assert!(not_heavier(PublicExpulsion, None, PublicDismissal, None));
    }
}
