//! Data supervision (大数据监督): the checking workflow of a finding (疑点), as a table.
//!
//! A finding is sent to a unit for checking (派发核查, a deadline under `finding_check`), the
//! unit answers (反馈), the commission reviews (复核): it accepts the answer — the finding
//! becomes 属实 / 部分属实 / 不属实 — or returns it for another round. A finding that is plainly
//! a data error is excluded before it is sent (直接排除).

use chrono::NaiveDate;

use crate::calendar::Calendar;
use crate::deadline::{Due, Period, due_or_pending};
use crate::workflow::{Action, DeadlineEffect, State, Transition, Workflow};

crate::permissions! {
    PERM_READ = "data_supervision.read", "查看大数据监督疑点（含证据明细）", Business;
    PERM_RULES = "data_supervision.rules", "查看比对模型、参数阈值、数据集和运行任务（被监督单位不应具有）", Business;
    PERM_EXPORT = "data_supervision.export", "导出大数据监督疑点", Business;
    PERM_DATASET = "data_supervision.dataset", "导入和管理监督数据集", Business;
    PERM_RUN = "data_supervision.run", "运行比对模型", Business;
    PERM_MODEL = "data_supervision.model", "编写和修改自定义比对模型", Business;
    PERM_DISPATCH = "data_supervision.dispatch", "派发疑点核查、复核核查结果", Business;
    PERM_ANSWER = "data_supervision.answer", "反馈疑点核查结果", Business;
}

/// The module's part of the permission catalogue, with the built-in roles' grants: the
/// supervision office runs the engine and checks findings; leaders, case management and
/// stationed groups read them; a unit under supervision answers what is sent to it and sees
/// nothing of the detection rules.
pub const MODULE_PERMISSIONS: crate::permission::ModulePermissions = crate::permission::ModulePermissions {
    module: "data_supervision",
    permissions: PERMISSIONS,
    grants: &[
        ("leader", &[PERM_READ, PERM_RULES, PERM_EXPORT]),
        ("casemgmt", &[PERM_READ, PERM_RULES, PERM_EXPORT]),
        (
            "supervision",
            &[
                PERM_READ,
                PERM_RULES,
                PERM_EXPORT,
                PERM_DATASET,
                PERM_RUN,
                PERM_MODEL,
                PERM_DISPATCH,
            ],
        ),
        ("stationed", &[PERM_READ, PERM_RULES]),
        ("unit_admin", &[PERM_READ, PERM_ANSWER]),
    ],
};

/// The time limit a check opens.
pub const CHECK_RULE: &str = "finding_check";

/// The due date of a check sent on `start`: the [`CHECK_RULE`] period on the official
/// calendar, or pending (待定) while it runs into a year without one.
pub fn check_due(cal: &Calendar, start: NaiveDate) -> Due {
    let period = crate::rules::rule(CHECK_RULE).map_or(Period::Workdays(15), |r| r.period);
    due_or_pending(cal, start, period)
}

/// The state of a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FindingState {
    /// 待派发: found, not yet sent.
    New,
    /// 核查中: sent to a unit, waiting for its answer.
    Checking,
    /// 待复核: the unit answered; the commission reviews.
    Answered,
    /// 属实.
    Confirmed,
    /// 部分属实.
    PartlyConfirmed,
    /// 不属实 (reviewed, or excluded before sending).
    Dismissed,
}

impl State for FindingState {
    const ALL: &'static [FindingState] = &[
        FindingState::New,
        FindingState::Checking,
        FindingState::Answered,
        FindingState::Confirmed,
        FindingState::PartlyConfirmed,
        FindingState::Dismissed,
    ];
    fn code(self) -> &'static str {
        match self {
            FindingState::New => "new",
            FindingState::Checking => "checking",
            FindingState::Answered => "answered",
            FindingState::Confirmed => "confirmed",
            FindingState::PartlyConfirmed => "partly_confirmed",
            FindingState::Dismissed => "dismissed",
        }
    }
    fn label(self) -> &'static str {
        match self {
            FindingState::New => "待派发",
            FindingState::Checking => "核查中",
            FindingState::Answered => "待复核",
            FindingState::Confirmed => "属实",
            FindingState::PartlyConfirmed => "部分属实",
            FindingState::Dismissed => "不属实",
        }
    }
}

/// What can be done to a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FindingAction {
    /// 派发核查.
    Dispatch,
    /// 直接排除 (before sending).
    Exclude,
    /// 反馈核查结果.
    Answer,
    /// 复核认定属实.
    AcceptTrue,
    /// 复核认定部分属实.
    AcceptPartly,
    /// 复核认定不属实.
    AcceptFalse,
    /// 退回重新核查.
    Return,
}

impl Action for FindingAction {
    const ALL: &'static [FindingAction] = &[
        FindingAction::Dispatch,
        FindingAction::Exclude,
        FindingAction::Answer,
        FindingAction::AcceptTrue,
        FindingAction::AcceptPartly,
        FindingAction::AcceptFalse,
        FindingAction::Return,
    ];
    fn code(self) -> &'static str {
        match self {
            FindingAction::Dispatch => "dispatch",
            FindingAction::Exclude => "exclude",
            FindingAction::Answer => "answer",
            FindingAction::AcceptTrue => "accept_true",
            FindingAction::AcceptPartly => "accept_partly",
            FindingAction::AcceptFalse => "accept_false",
            FindingAction::Return => "return",
        }
    }
    fn label(self) -> &'static str {
        match self {
            FindingAction::Dispatch => "派发核查",
            FindingAction::Exclude => "直接排除",
            FindingAction::Answer => "反馈核查结果",
            FindingAction::AcceptTrue => "复核认定属实",
            FindingAction::AcceptPartly => "复核认定部分属实",
            FindingAction::AcceptFalse => "复核认定不属实",
            FindingAction::Return => "退回重新核查",
        }
    }
}

const fn row(
    from: FindingState,
    action: FindingAction,
    to: FindingState,
    permission: &'static str,
    deadline: DeadlineEffect,
    next: Option<&'static str>,
) -> Transition<FindingState, FindingAction> {
    Transition {
        from,
        action,
        to,
        permission,
        deadline,
        next,
    }
}

use FindingAction as A;
use FindingState as S;

/// The checking workflow of a finding.
pub static FINDING_WORKFLOW: Workflow<FindingState, FindingAction> = Workflow {
    name: "data_supervision.finding",
    object_label: "疑点",
    transitions: &[
        row(
            S::New,
            A::Dispatch,
            S::Checking,
            PERM_DISPATCH,
            DeadlineEffect::Open(CHECK_RULE),
            Some(PERM_ANSWER),
        ),
        row(
            S::New,
            A::Exclude,
            S::Dismissed,
            PERM_DISPATCH,
            DeadlineEffect::None,
            None,
        ),
        row(
            S::Checking,
            A::Answer,
            S::Answered,
            PERM_ANSWER,
            DeadlineEffect::Close,
            Some(PERM_DISPATCH),
        ),
        row(
            S::Answered,
            A::AcceptTrue,
            S::Confirmed,
            PERM_DISPATCH,
            DeadlineEffect::None,
            None,
        ),
        row(
            S::Answered,
            A::AcceptPartly,
            S::PartlyConfirmed,
            PERM_DISPATCH,
            DeadlineEffect::None,
            None,
        ),
        row(
            S::Answered,
            A::AcceptFalse,
            S::Dismissed,
            PERM_DISPATCH,
            DeadlineEffect::None,
            None,
        ),
        row(
            S::Answered,
            A::Return,
            S::Checking,
            PERM_DISPATCH,
            DeadlineEffect::Open(CHECK_RULE),
            Some(PERM_ANSWER),
        ),
    ],
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::prove_guarded;

    /// Issue #11 §2: no transition of the finding workflow is reachable without its permission.
    #[test]
    fn every_finding_transition_needs_its_permission() {
        assert_eq!(prove_guarded(&FINDING_WORKFLOW), Vec::<String>::new());
        // A unit (answer only) can do nothing but answer a finding in checking.
        let unit = |p: &str| p == PERM_ANSWER;
        for &s in FindingState::ALL {
            let allowed: Vec<FindingAction> = FINDING_WORKFLOW.allowed_from(s, &unit).map(|t| t.action).collect();
            let expected = if s == FindingState::Checking {
                vec![FindingAction::Answer]
            } else {
                vec![]
            };
            assert_eq!(allowed, expected, "{s:?}");
        }
        // Final states lead nowhere.
        for s in [
            FindingState::Confirmed,
            FindingState::PartlyConfirmed,
            FindingState::Dismissed,
        ] {
            assert_eq!(FINDING_WORKFLOW.actions_from(s).count(), 0);
        }
        for &s in FindingState::ALL {
            assert_eq!(FindingState::parse(s.code()), Some(s));
        }
    }
}
