//! Problem clues (问题线索, issue #13 §1, RULES.md §3): where a clue comes from, and the
//! disposition workflow as a table — a clue is registered, a disposition is proposed at the
//! collective triage (集体排查), approved, and the clue goes to 谈话函询, 初步核实, 暂存待查 or
//! 予以了结. Each proposed disposition is its own state, so approving and returning are rows of
//! the table, not guards in code.

use crate::workflow::{Action, DeadlineEffect, State, Transition, Workflow};

crate::permissions! {
    PERM_READ = "clue.read", "查看问题线索（在办）", Business;
    PERM_REGISTER = "clue.register", "登记问题线索（含由信访件、疑点转入）", Business;
    PERM_HANDLE = "clue.handle", "提出线索处置意见，办理谈话函询、初步核实", Business;
    PERM_APPROVE = "clue.approve", "审批问题线索处置意见", Business;
    PERM_RESTRICTED = "clue.restricted", "查看暂存待查和已了结的问题线索", Business;
    PERM_APPROVE_PRINCIPAL = "clue.approve_principal", "批准对下级党组织主要负责人谈话函询、初步核实（纪委监委主要负责人）", Business;
}

/// The module's part of the catalogue and the built-in roles' grants: case management (案管室)
/// registers clues and prepares the triage; supervision offices handle them; the leader
/// approves and sees shelved and closed ones.
pub const MODULE_PERMISSIONS: crate::permission::ModulePermissions = crate::permission::ModulePermissions {
    module: "clue",
    permissions: PERMISSIONS,
    grants: &[
        ("casemgmt", &[PERM_READ, PERM_REGISTER, PERM_HANDLE, PERM_RESTRICTED]),
        (
            "leader",
            &[PERM_READ, PERM_APPROVE, PERM_RESTRICTED, PERM_APPROVE_PRINCIPAL],
        ),
        ("supervision", &[PERM_READ, PERM_REGISTER, PERM_HANDLE]),
        ("reports", &[PERM_REGISTER]),
    ],
};

/// The first limit of a clue: proposing its disposition (RULES.md §3, configurable).
pub const RULE_PROPOSE: &str = "clue_disposition_proposal";
/// The subject's written reply to an inquiry letter (RULES.md §3: 15 working days).
pub const RULE_LETTER_REPLY: &str = "inquiry_letter_reply";
/// The plan's own limit of a preliminary verification (RULES.md §3: none fixed by law).
pub const RULE_VERIFICATION: &str = "verification_plan";
/// The department's proposal after the talk or the reply (RULES.md §3: 30 days, configurable).
pub const RULE_CLOSE_REPORT: &str = "inquiry_close_report";

/// How an inquiry ends (谈话函询处理意见): 了结澄清, or a first-form measure recorded against the
/// person as an outcome. 转初核 is the proposal of a verification instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conclusion {
    /// 了结澄清: the matter is clarified, no measure.
    Clear,
    /// A first-form measure (谈话提醒, 批评教育, 责令检查, 诫勉).
    Measure(crate::outcome::OutcomeKind),
}

impl Conclusion {
    /// Every conclusion, in the form's order.
    pub const ALL: &'static [Conclusion] = &[
        Conclusion::Clear,
        Conclusion::Measure(crate::outcome::OutcomeKind::ReminderTalk),
        Conclusion::Measure(crate::outcome::OutcomeKind::Criticism),
        Conclusion::Measure(crate::outcome::OutcomeKind::OrderedReview),
        Conclusion::Measure(crate::outcome::OutcomeKind::Admonition),
    ];
    /// Stored code (the outcome kind's code for a measure).
    pub fn code(self) -> &'static str {
        match self {
            Conclusion::Clear => "clear",
            Conclusion::Measure(k) => k.code(),
        }
    }
    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            Conclusion::Clear => "了结澄清",
            Conclusion::Measure(k) => k.label(),
        }
    }
    /// Reads a code.
    pub fn parse(code: &str) -> Option<Conclusion> {
        Self::ALL.iter().copied().find(|c| c.code() == code)
    }
}

/// Where a clue came from (线索来源).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// 信访举报.
    Report,
    /// 巡视巡察.
    Inspection,
    /// 审计.
    Audit,
    /// 大数据监督.
    DataSupervision,
    /// 上级交办.
    HigherAssigned,
    /// 日常监督.
    RoutineSupervision,
    /// 其他机关移送.
    Referral,
    /// 其他.
    Other,
}

impl Source {
    /// Every source, in the form's order.
    pub const ALL: &'static [Source] = &[
        Source::Report,
        Source::Inspection,
        Source::Audit,
        Source::DataSupervision,
        Source::HigherAssigned,
        Source::RoutineSupervision,
        Source::Referral,
        Source::Other,
    ];
    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            Source::Report => "report",
            Source::Inspection => "inspection",
            Source::Audit => "audit",
            Source::DataSupervision => "data_supervision",
            Source::HigherAssigned => "higher_assigned",
            Source::RoutineSupervision => "routine_supervision",
            Source::Referral => "referral",
            Source::Other => "other",
        }
    }
    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            Source::Report => "信访举报",
            Source::Inspection => "巡视巡察",
            Source::Audit => "审计",
            Source::DataSupervision => "大数据监督",
            Source::HigherAssigned => "上级交办",
            Source::RoutineSupervision => "日常监督",
            Source::Referral => "其他机关移送",
            Source::Other => "其他",
        }
    }
    /// Reads a code.
    pub fn parse(code: &str) -> Option<Source> {
        Self::ALL.iter().copied().find(|s| s.code() == code)
    }
    /// Entered by hand (reports and findings come over in one step from their own pages).
    pub fn by_hand(self) -> bool {
        !matches!(self, Source::Report | Source::DataSupervision)
    }
}

/// The four dispositions (处置方式).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Disposition {
    /// 谈话函询.
    Inquiry,
    /// 初步核实.
    Verification,
    /// 暂存待查.
    Shelve,
    /// 予以了结.
    Close,
}

impl Disposition {
    /// Every disposition.
    pub const ALL: &'static [Disposition] = &[
        Disposition::Inquiry,
        Disposition::Verification,
        Disposition::Shelve,
        Disposition::Close,
    ];
    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            Disposition::Inquiry => "inquiry",
            Disposition::Verification => "verification",
            Disposition::Shelve => "shelve",
            Disposition::Close => "close",
        }
    }
    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            Disposition::Inquiry => "谈话函询",
            Disposition::Verification => "初步核实",
            Disposition::Shelve => "暂存待查",
            Disposition::Close => "予以了结",
        }
    }
    /// Reads a code.
    pub fn parse(code: &str) -> Option<Disposition> {
        Self::ALL.iter().copied().find(|s| s.code() == code)
    }
    /// The action proposing it.
    pub fn propose(self) -> ClueAction {
        match self {
            Disposition::Inquiry => ClueAction::ProposeInquiry,
            Disposition::Verification => ClueAction::ProposeVerification,
            Disposition::Shelve => ClueAction::ProposeShelve,
            Disposition::Close => ClueAction::ProposeClose,
        }
    }
}

/// Where a clue stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClueState {
    /// 待处置: registered, waiting for the triage.
    Registered,
    /// 拟谈话函询 (待审批).
    ProposedInquiry,
    /// 拟初步核实 (待审批).
    ProposedVerification,
    /// 拟暂存待查 (待审批).
    ProposedShelve,
    /// 拟予以了结 (待审批).
    ProposedClose,
    /// 谈话函询中: approved, the letter not yet sent nor the talk held.
    Inquiry,
    /// 待书面说明: the inquiry letter is out; the subject replies within 15 working days.
    LetterSent,
    /// 待提出处理意见: the explanation or the talk is recorded; the proposal is due in 30 days.
    Explained,
    /// 处理意见待审批.
    ConclusionProposed,
    /// 谈话函询办结 (了结澄清 or a first-form measure recorded as an outcome).
    Concluded,
    /// 初步核实 approved, the plan not yet made.
    Verification,
    /// 初核中: the plan is made, its own deadline running.
    Verifying,
    /// 拟立案（待审批）: the verification report proposes filing a case.
    ProposedFiling,
    /// 已立案: the clue became a case.
    Filed,
    /// 暂存待查.
    Shelved,
    /// 予以了结.
    Closed,
}

impl State for ClueState {
    const ALL: &'static [ClueState] = &[
        ClueState::Registered,
        ClueState::ProposedInquiry,
        ClueState::ProposedVerification,
        ClueState::ProposedShelve,
        ClueState::ProposedClose,
        ClueState::Inquiry,
        ClueState::LetterSent,
        ClueState::Explained,
        ClueState::ConclusionProposed,
        ClueState::Concluded,
        ClueState::Verification,
        ClueState::Verifying,
        ClueState::ProposedFiling,
        ClueState::Filed,
        ClueState::Shelved,
        ClueState::Closed,
    ];
    fn code(self) -> &'static str {
        match self {
            ClueState::Registered => "registered",
            ClueState::ProposedInquiry => "proposed_inquiry",
            ClueState::ProposedVerification => "proposed_verification",
            ClueState::ProposedShelve => "proposed_shelve",
            ClueState::ProposedClose => "proposed_close",
            ClueState::Inquiry => "inquiry",
            ClueState::LetterSent => "letter_sent",
            ClueState::Explained => "explained",
            ClueState::ConclusionProposed => "conclusion_proposed",
            ClueState::Concluded => "concluded",
            ClueState::Verification => "verification",
            ClueState::Verifying => "verifying",
            ClueState::ProposedFiling => "proposed_filing",
            ClueState::Filed => "filed",
            ClueState::Shelved => "shelved",
            ClueState::Closed => "closed",
        }
    }
    fn label(self) -> &'static str {
        match self {
            ClueState::Registered => "待处置",
            ClueState::ProposedInquiry => "拟谈话函询（待审批）",
            ClueState::ProposedVerification => "拟初步核实（待审批）",
            ClueState::ProposedShelve => "拟暂存待查（待审批）",
            ClueState::ProposedClose => "拟予以了结（待审批）",
            ClueState::Inquiry => "谈话函询",
            ClueState::LetterSent => "待书面说明",
            ClueState::Explained => "待提出处理意见",
            ClueState::ConclusionProposed => "处理意见待审批",
            ClueState::Concluded => "谈话函询办结",
            ClueState::Verification => "初步核实（待制定方案）",
            ClueState::Verifying => "初核中",
            ClueState::ProposedFiling => "拟立案（待审批）",
            ClueState::Filed => "已立案",
            ClueState::Shelved => "暂存待查",
            ClueState::Closed => "予以了结",
        }
    }
}

impl ClueState {
    /// Shelved and closed clues: visible only with `clue.restricted` (issue #13 §1).
    pub fn restricted(self) -> bool {
        matches!(self, ClueState::Shelved | ClueState::Closed)
    }
    /// The disposition waiting for approval, if any.
    pub fn proposed(self) -> Option<Disposition> {
        match self {
            ClueState::ProposedInquiry => Some(Disposition::Inquiry),
            ClueState::ProposedVerification => Some(Disposition::Verification),
            ClueState::ProposedShelve => Some(Disposition::Shelve),
            ClueState::ProposedClose => Some(Disposition::Close),
            _ => None,
        }
    }
}

/// What can be done to a clue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClueAction {
    /// 提出处置意见：谈话函询.
    ProposeInquiry,
    /// 提出处置意见：初步核实.
    ProposeVerification,
    /// 提出处置意见：暂存待查.
    ProposeShelve,
    /// 提出处置意见：予以了结.
    ProposeClose,
    /// 批准处置意见.
    Approve,
    /// 退回重新研究.
    Return,
    /// 重新启用 (a shelved clue taken up again at a periodic re-review).
    Reopen,
    /// 发函询通知书 (opens the 15-working-day reply limit).
    SendLetter,
    /// 记录函询谈话 (an inquiry by talk).
    RecordTalk,
    /// 收到书面说明 (with the sign-off of the subject's party organisation's principal).
    RecordExplanation,
    /// 提出处理意见 (了结澄清 or a first-form measure).
    ProposeConclusion,
    /// 制定初核方案 (the plan, the team and its own deadline).
    PlanVerification,
    /// 提出立案建议 (the verification report proposes a case).
    ProposeFiling,
}

impl Action for ClueAction {
    const ALL: &'static [ClueAction] = &[
        ClueAction::ProposeInquiry,
        ClueAction::ProposeVerification,
        ClueAction::ProposeShelve,
        ClueAction::ProposeClose,
        ClueAction::Approve,
        ClueAction::Return,
        ClueAction::Reopen,
        ClueAction::SendLetter,
        ClueAction::RecordTalk,
        ClueAction::RecordExplanation,
        ClueAction::ProposeConclusion,
        ClueAction::PlanVerification,
        ClueAction::ProposeFiling,
    ];
    fn code(self) -> &'static str {
        match self {
            ClueAction::ProposeInquiry => "propose_inquiry",
            ClueAction::ProposeVerification => "propose_verification",
            ClueAction::ProposeShelve => "propose_shelve",
            ClueAction::ProposeClose => "propose_close",
            ClueAction::Approve => "approve",
            ClueAction::Return => "return",
            ClueAction::Reopen => "reopen",
            ClueAction::SendLetter => "send_letter",
            ClueAction::RecordTalk => "record_talk",
            ClueAction::RecordExplanation => "record_explanation",
            ClueAction::ProposeConclusion => "propose_conclusion",
            ClueAction::PlanVerification => "plan_verification",
            ClueAction::ProposeFiling => "propose_filing",
        }
    }
    fn label(self) -> &'static str {
        match self {
            ClueAction::ProposeInquiry => "拟谈话函询",
            ClueAction::ProposeVerification => "拟初步核实",
            ClueAction::ProposeShelve => "拟暂存待查",
            ClueAction::ProposeClose => "拟予以了结",
            ClueAction::Approve => "批准处置意见",
            ClueAction::Return => "退回重新研究",
            ClueAction::Reopen => "重新启用",
            ClueAction::SendLetter => "发函询通知书",
            ClueAction::RecordTalk => "记录谈话函询",
            ClueAction::RecordExplanation => "登记书面说明",
            ClueAction::ProposeConclusion => "提出处理意见",
            ClueAction::PlanVerification => "制定初核方案",
            ClueAction::ProposeFiling => "提出立案建议",
        }
    }
}

const fn row(
    from: ClueState,
    action: ClueAction,
    to: ClueState,
    permission: &'static str,
    deadline: DeadlineEffect,
    next: Option<&'static str>,
) -> Transition<ClueState, ClueAction> {
    Transition {
        from,
        action,
        to,
        permission,
        deadline,
        next,
    }
}

use ClueAction as A;
use ClueState as S;

/// The disposition workflow of a clue (RULES.md §3): the proposal closes the one-month limit
/// opened at registration; the approval sends the clue on; a return puts it back before the
/// triage with a new limit; a shelved clue can be taken up again.
pub static CLUE_WORKFLOW: Workflow<ClueState, ClueAction> = Workflow {
    name: "clue",
    object_label: "问题线索",
    transitions: &[
        row(
            S::Registered,
            A::ProposeInquiry,
            S::ProposedInquiry,
            PERM_HANDLE,
            DeadlineEffect::Close,
            Some(PERM_APPROVE),
        ),
        row(
            S::Registered,
            A::ProposeVerification,
            S::ProposedVerification,
            PERM_HANDLE,
            DeadlineEffect::Close,
            Some(PERM_APPROVE),
        ),
        row(
            S::Registered,
            A::ProposeShelve,
            S::ProposedShelve,
            PERM_HANDLE,
            DeadlineEffect::Close,
            Some(PERM_APPROVE),
        ),
        row(
            S::Registered,
            A::ProposeClose,
            S::ProposedClose,
            PERM_HANDLE,
            DeadlineEffect::Close,
            Some(PERM_APPROVE),
        ),
        row(
            S::ProposedInquiry,
            A::Approve,
            S::Inquiry,
            PERM_APPROVE,
            DeadlineEffect::None,
            Some(PERM_HANDLE),
        ),
        row(
            S::ProposedVerification,
            A::Approve,
            S::Verification,
            PERM_APPROVE,
            DeadlineEffect::None,
            Some(PERM_HANDLE),
        ),
        row(
            S::ProposedShelve,
            A::Approve,
            S::Shelved,
            PERM_APPROVE,
            DeadlineEffect::None,
            None,
        ),
        row(
            S::ProposedClose,
            A::Approve,
            S::Closed,
            PERM_APPROVE,
            DeadlineEffect::None,
            None,
        ),
        row(
            S::ProposedInquiry,
            A::Return,
            S::Registered,
            PERM_APPROVE,
            DeadlineEffect::Open(RULE_PROPOSE),
            Some(PERM_HANDLE),
        ),
        row(
            S::ProposedVerification,
            A::Return,
            S::Registered,
            PERM_APPROVE,
            DeadlineEffect::Open(RULE_PROPOSE),
            Some(PERM_HANDLE),
        ),
        row(
            S::ProposedShelve,
            A::Return,
            S::Registered,
            PERM_APPROVE,
            DeadlineEffect::Open(RULE_PROPOSE),
            Some(PERM_HANDLE),
        ),
        row(
            S::ProposedClose,
            A::Return,
            S::Registered,
            PERM_APPROVE,
            DeadlineEffect::Open(RULE_PROPOSE),
            Some(PERM_HANDLE),
        ),
        row(
            S::Shelved,
            A::Reopen,
            S::Registered,
            PERM_HANDLE,
            DeadlineEffect::Open(RULE_PROPOSE),
            None,
        ),
        // 谈话函询 (RULES.md §3): a letter with its reply limit, or a talk; then the proposal
        // within 30 days, approved like the disposition. 转初核 goes back to the approver as a
        // proposed verification.
        row(
            S::Inquiry,
            A::SendLetter,
            S::LetterSent,
            PERM_HANDLE,
            DeadlineEffect::Open(RULE_LETTER_REPLY),
            None,
        ),
        row(
            S::Inquiry,
            A::RecordTalk,
            S::Explained,
            PERM_HANDLE,
            DeadlineEffect::Open(RULE_CLOSE_REPORT),
            None,
        ),
        row(
            S::LetterSent,
            A::RecordExplanation,
            S::Explained,
            PERM_HANDLE,
            DeadlineEffect::Replace(RULE_CLOSE_REPORT),
            None,
        ),
        row(
            S::Explained,
            A::ProposeConclusion,
            S::ConclusionProposed,
            PERM_HANDLE,
            DeadlineEffect::Close,
            Some(PERM_APPROVE),
        ),
        row(
            S::Explained,
            A::ProposeVerification,
            S::ProposedVerification,
            PERM_HANDLE,
            DeadlineEffect::Close,
            Some(PERM_APPROVE),
        ),
        row(
            S::ConclusionProposed,
            A::Approve,
            S::Concluded,
            PERM_APPROVE,
            DeadlineEffect::None,
            Some(PERM_HANDLE),
        ),
        row(
            S::ConclusionProposed,
            A::Return,
            S::Explained,
            PERM_APPROVE,
            DeadlineEffect::Open(RULE_CLOSE_REPORT),
            Some(PERM_HANDLE),
        ),
        // 初步核实 (RULES.md §3): the plan sets its own deadline; the report proposes a case,
        // closing the clue, or a first-form measure — each approved like the disposition.
        row(
            S::Verification,
            A::PlanVerification,
            S::Verifying,
            PERM_HANDLE,
            DeadlineEffect::Open(RULE_VERIFICATION),
            None,
        ),
        row(
            S::Verifying,
            A::ProposeFiling,
            S::ProposedFiling,
            PERM_HANDLE,
            DeadlineEffect::Close,
            Some(PERM_APPROVE),
        ),
        row(
            S::Verifying,
            A::ProposeClose,
            S::ProposedClose,
            PERM_HANDLE,
            DeadlineEffect::Close,
            Some(PERM_APPROVE),
        ),
        row(
            S::Verifying,
            A::ProposeConclusion,
            S::ConclusionProposed,
            PERM_HANDLE,
            DeadlineEffect::Close,
            Some(PERM_APPROVE),
        ),
        row(
            S::ProposedFiling,
            A::Approve,
            S::Filed,
            PERM_APPROVE,
            DeadlineEffect::None,
            Some(PERM_HANDLE),
        ),
        row(
            S::ProposedFiling,
            A::Return,
            S::Verifying,
            PERM_APPROVE,
            DeadlineEffect::None,
            Some(PERM_HANDLE),
        ),
    ],
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::prove_guarded;

    /// Every transition needs exactly its permission; the limits cite RULES.md §3.
    #[test]
    fn clue_workflow_is_guarded_and_complete() {
        assert_eq!(prove_guarded(&CLUE_WORKFLOW), Vec::<String>::new());
        assert!(
            crate::rules::rule(RULE_PROPOSE)
                .unwrap()
                .citation
                .starts_with("RULES.md §3")
        );
        // Each disposition: proposed from 待处置, approved into its own state.
        for d in Disposition::ALL {
            let t = CLUE_WORKFLOW
                .transitions
                .iter()
                .find(|t| t.from == ClueState::Registered && t.action == d.propose())
                .unwrap();
            assert_eq!(t.to.proposed(), Some(*d));
            assert_eq!(CLUE_WORKFLOW.actions_from(t.to).count(), 2, "approve or return");
        }
        // The approver alone decides; the handler alone proposes.
        let approver = |p: &str| p == PERM_APPROVE;
        assert_eq!(CLUE_WORKFLOW.allowed_from(ClueState::Registered, &approver).count(), 0);
        assert_eq!(
            CLUE_WORKFLOW.allowed_from(ClueState::ProposedClose, &approver).count(),
            2
        );
        assert_eq!(CLUE_WORKFLOW.actions_from(ClueState::Closed).count(), 0);
        for &s in ClueState::ALL {
            assert_eq!(ClueState::parse(s.code()), Some(s));
        }
        assert!(ClueState::Shelved.restricted() && ClueState::Closed.restricted());
        assert!(!ClueState::Inquiry.restricted());
        // RULES.md §3: the letter opens 15 working days; the reply replaces it with 30 days.
        let letter = CLUE_WORKFLOW
            .transitions
            .iter()
            .find(|t| t.action == ClueAction::SendLetter)
            .unwrap();
        assert_eq!(letter.deadline, DeadlineEffect::Open(RULE_LETTER_REPLY));
        assert_eq!(
            crate::rules::rule(RULE_LETTER_REPLY).unwrap().period,
            crate::deadline::Period::Workdays(15)
        );
        let reply = CLUE_WORKFLOW
            .transitions
            .iter()
            .find(|t| t.action == ClueAction::RecordExplanation)
            .unwrap();
        assert_eq!(reply.deadline, DeadlineEffect::Replace(RULE_CLOSE_REPORT));
        for c in Conclusion::ALL {
            assert_eq!(Conclusion::parse(c.code()), Some(*c));
            if let Conclusion::Measure(k) = c {
                assert_eq!(k.form(), 1, "RULES.md §4: inquiry measures are the first form");
            }
        }
    }

    /// Sources: reports and findings come over from their own pages; the rest by hand.
    #[test]
    fn sources() {
        for s in Source::ALL {
            assert_eq!(Source::parse(s.code()), Some(*s));
        }
        assert!(!Source::Report.by_hand() && !Source::DataSupervision.by_hand());
        assert!(Source::Inspection.by_hand() && Source::Audit.by_hand());
    }
}
