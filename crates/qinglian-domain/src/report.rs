//! Reports (信访举报): kinds, channels, the receipt code and the handling workflow as tables
//! (issue #12, RULES.md §2).
//!
//! Two regimes share one set of states and actions. Accusations (检举控告, 有奖举报) follow the
//! commission's rules: the reporter is told within 15 working days whether the report was
//! accepted, and within 15 working days of the conclusion what came of it. Petitions (批评建议,
//! 我为群众办实事) follow the 信访工作条例: registered and routed within 15 days, handled and
//! answered within 60 days of acceptance (one extension of at most 30 days), 复查 answered
//! within 30 days. Each regime is one [`Workflow`] table; the store's one transition function
//! checks it, so every guard, deadline, notification and audit entry comes from a row.

use chrono::NaiveDate;

use crate::calendar::Calendar;
use crate::deadline::Due;
use crate::workflow::{Action, DeadlineEffect, State, Transition, Workflow};

crate::permissions! {
    PERM_READ = "report.read", "查看信访举报（不含举报人身份）", Business;
    PERM_REGISTER = "report.register", "登记来信、来访、来电等渠道的信访举报", Business;
    PERM_HANDLE = "report.handle", "受理、转办、交办、办结、答复信访举报", Business;
    PERM_UNIT = "report.unit", "办理交办的信访举报并报告结果", Business;
    PERM_EXPORT = "report.export", "导出信访举报（不含举报人身份）", Business;
    PERM_DISCLOSE = "report.disclose", "审批举报人身份披露申请", Business;
    PERM_REWARD = "report.reward", "审批有奖举报的奖励", Business;
}

/// The reporter acting through the portal with a receipt code. Not in the catalogue: no role
/// can hold it; only the portal's performer does.
pub const PERM_REPORTER: &str = "report.reporter";

/// The module's part of the permission catalogue and the built-in roles' grants: the reports
/// office (信访室) registers and handles; leaders read and approve identity disclosure; case
/// management reads; a unit handles what is assigned to it.
pub const MODULE_PERMISSIONS: crate::permission::ModulePermissions = crate::permission::ModulePermissions {
    module: "report",
    permissions: PERMISSIONS,
    grants: &[
        ("reports", &[PERM_READ, PERM_REGISTER, PERM_HANDLE, PERM_EXPORT]),
        ("leader", &[PERM_READ, PERM_EXPORT, PERM_DISCLOSE, PERM_REWARD]),
        ("casemgmt", &[PERM_READ, PERM_EXPORT]),
        ("unit_admin", &[PERM_UNIT]),
    ],
};

/// What a report is (the portal's four entries).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// 检举控告: misconduct of a party member or public official.
    #[default]
    Accusation,
    /// 批评建议.
    Suggestion,
    /// 损害发展环境问题有奖举报.
    RewardedReport,
    /// 我为群众办实事: a request for a concrete service.
    ServiceRequest,
}

impl Kind {
    /// Every kind, in the portal's order.
    pub const ALL: &'static [Kind] = &[
        Kind::Accusation,
        Kind::Suggestion,
        Kind::RewardedReport,
        Kind::ServiceRequest,
    ];
    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            Kind::Accusation => "accusation",
            Kind::Suggestion => "suggestion",
            Kind::RewardedReport => "rewarded_report",
            Kind::ServiceRequest => "service_request",
        }
    }
    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Accusation => "检举控告",
            Kind::Suggestion => "批评建议",
            Kind::RewardedReport => "损害发展环境问题有奖举报",
            Kind::ServiceRequest => "我为群众办实事",
        }
    }
    /// The kind with this code.
    pub fn parse(code: &str) -> Option<Kind> {
        Kind::ALL.iter().copied().find(|k| k.code() == code)
    }
    /// Whether it follows the 信访工作条例 (petition) limits rather than the accusation rules.
    pub fn is_petition(self) -> bool {
        matches!(self, Kind::Suggestion | Kind::ServiceRequest)
    }
    /// Its workflow table.
    pub fn workflow(self) -> &'static Workflow<ReportState, ReportAction> {
        if self.is_petition() { &PETITION } else { &ACCUSATION }
    }
    /// The time limit a newly received report opens (day 0 = the day received): a petition's
    /// routing; an accusation's acceptance notice, or — sent down by a higher commission —
    /// acceptance or transfer within 5 working days, or — belonging to a higher commission —
    /// forwarding up within 5 working days (RULES.md §2).
    pub fn first_rule_for(self, channel: Channel, belongs_higher: bool) -> &'static str {
        match () {
            _ if self.is_petition() => RULE_PETITION_REGISTER,
            _ if belongs_higher => RULE_FORWARD_HIGHER,
            _ if channel == Channel::FromHigher => RULE_LOWER_ACCEPT,
            _ => RULE_ACCEPT_NOTICE,
        }
    }
    /// The time limit of a report of this kind received through an ordinary channel.
    pub fn first_rule(self) -> &'static str {
        if self.is_petition() {
            RULE_PETITION_REGISTER
        } else {
            RULE_ACCEPT_NOTICE
        }
    }
}

/// How a report arrived (渠道).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// 网络举报 (the public portal or an API).
    Online,
    /// 来信.
    Letter,
    /// 来访 (with the number of visitors).
    Visit,
    /// 电话.
    Phone,
    /// 书记信箱.
    SecretaryMailbox,
    /// 市长信箱.
    MayorMailbox,
    /// 市长热线 / 12345 (posted by the hotline's system through the API).
    Hotline,
    /// 上级转交.
    FromHigher,
    /// 下级报送.
    FromLower,
}

impl Channel {
    /// Every channel, in the register's order.
    pub const ALL: &'static [Channel] = &[
        Channel::Online,
        Channel::Letter,
        Channel::Visit,
        Channel::Phone,
        Channel::SecretaryMailbox,
        Channel::MayorMailbox,
        Channel::Hotline,
        Channel::FromHigher,
        Channel::FromLower,
    ];
    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            Channel::Online => "online",
            Channel::Letter => "letter",
            Channel::Visit => "visit",
            Channel::Phone => "phone",
            Channel::SecretaryMailbox => "secretary_mailbox",
            Channel::MayorMailbox => "mayor_mailbox",
            Channel::Hotline => "hotline",
            Channel::FromHigher => "from_higher",
            Channel::FromLower => "from_lower",
        }
    }
    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            Channel::Online => "网络举报",
            Channel::Letter => "来信",
            Channel::Visit => "来访",
            Channel::Phone => "电话",
            Channel::SecretaryMailbox => "书记信箱",
            Channel::MayorMailbox => "市长信箱",
            Channel::Hotline => "市长热线",
            Channel::FromHigher => "上级转交",
            Channel::FromLower => "下级报送",
        }
    }
    /// The channel with this code.
    pub fn parse(code: &str) -> Option<Channel> {
        Channel::ALL.iter().copied().find(|c| c.code() == code)
    }
    /// The channels staff register by hand (the portal and the hotline's system post their own).
    pub fn staff_entered(self) -> bool {
        !matches!(self, Channel::Online)
    }
}

/// The reporter's verdict on a reply.
pub const SATISFACTION: &[(&str, &str)] = &[
    ("satisfied", "满意"),
    ("basically", "基本满意"),
    ("unsatisfied", "不满意"),
];

/// Time limits (ids of [`crate::rules::RULES`]).
pub const RULE_ACCEPT_NOTICE: &str = "report_accept_notice";
/// 办结后反馈.
pub const RULE_RESULT_NOTICE: &str = "report_result_notice";
/// 信访事项登记并分别处理.
pub const RULE_PETITION_REGISTER: &str = "petition_register";
/// 信访事项办结.
pub const RULE_PETITION_HANDLE: &str = "petition_handle";
/// 延期.
pub const RULE_PETITION_EXTENSION: &str = "petition_extension";
/// 复查意见.
pub const RULE_REVIEW_ANSWER: &str = "petition_review_answer";
/// 复核意见期限.
pub const RULE_RE_REVIEW_ANSWER: &str = "petition_re_review_answer";
/// 复查申请期限 (from the reply).
pub const RULE_REVIEW_APPLY: &str = "petition_review_apply";
/// 交办件报告办理结果.
pub const RULE_ASSIGN_BACK: &str = "report_assign_back";
/// 属于上级受理的检举控告报送上级 (5 working days).
pub const RULE_FORWARD_HIGHER: &str = "report_forward_higher";
/// 上级转来的检举控告完成受理或转办 (5 working days).
pub const RULE_LOWER_ACCEPT: &str = "report_lower_accept_or_transfer";
/// 承办单位对不属于其职责的信访事项提出异议 (5 working days from the assignment).
pub const RULE_OBJECTION: &str = "petition_objection";

/// The due date under `rule` for something triggered on `start`, or pending (待定) while it
/// runs into a year without a calendar.
pub fn due(cal: &Calendar, rule: &str, start: NaiveDate) -> Due {
    crate::rules::due(cal, rule, start)
}

/// The state of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportState {
    /// 待受理: received, the acceptance decision is due.
    Registered,
    /// 办理中: accepted, handled by the office.
    Accepted,
    /// 已交办: sent to a unit that must report back.
    Assigned,
    /// 待审核: the unit reported back; the office reviews.
    ReportedBack,
    /// 已办结: concluded, the reply to the reporter is due.
    Concluded,
    /// 已答复.
    Replied,
    /// 复查中: the reporter asked for a review of the reply.
    Reviewing,
    /// 复查已答复: the review was answered; a second review (复核) may be asked.
    ReviewAnswered,
    /// 复核中.
    ReReviewing,
    /// 复核已答复: final — the same facts are not accepted again (信访工作条例).
    Closed,
    /// 不予受理.
    Declined,
    /// 已转办: sent to the competent body.
    Transferred,
    /// 已报送上级: belongs to the next level up (e.g. about the commission's own principal).
    Forwarded,
    /// 重复件.
    Duplicate,
}

impl State for ReportState {
    const ALL: &'static [ReportState] = &[
        ReportState::Registered,
        ReportState::Accepted,
        ReportState::Assigned,
        ReportState::ReportedBack,
        ReportState::Concluded,
        ReportState::Replied,
        ReportState::Reviewing,
        ReportState::ReviewAnswered,
        ReportState::ReReviewing,
        ReportState::Closed,
        ReportState::Declined,
        ReportState::Transferred,
        ReportState::Forwarded,
        ReportState::Duplicate,
    ];
    fn code(self) -> &'static str {
        match self {
            ReportState::Registered => "registered",
            ReportState::Accepted => "accepted",
            ReportState::Assigned => "assigned",
            ReportState::ReportedBack => "reported_back",
            ReportState::Concluded => "concluded",
            ReportState::Replied => "replied",
            ReportState::Reviewing => "reviewing",
            ReportState::ReviewAnswered => "review_answered",
            ReportState::ReReviewing => "re_reviewing",
            ReportState::Closed => "closed",
            ReportState::Declined => "declined",
            ReportState::Transferred => "transferred",
            ReportState::Forwarded => "forwarded",
            ReportState::Duplicate => "duplicate",
        }
    }
    fn label(self) -> &'static str {
        match self {
            ReportState::Registered => "待受理",
            ReportState::Accepted => "办理中",
            ReportState::Assigned => "已交办",
            ReportState::ReportedBack => "待审核",
            ReportState::Concluded => "已办结",
            ReportState::Replied => "已答复",
            ReportState::Reviewing => "复查中",
            ReportState::ReviewAnswered => "复查已答复",
            ReportState::ReReviewing => "复核中",
            ReportState::Closed => "复核已答复",
            ReportState::Declined => "不予受理",
            ReportState::Transferred => "已转办",
            ReportState::Forwarded => "已报送上级",
            ReportState::Duplicate => "重复件",
        }
    }
}

impl ReportState {
    /// What the reporter sees on the portal (no internal detail such as which unit handles it).
    pub fn public_label(self) -> &'static str {
        match self {
            ReportState::Registered => "已收到，正在审核",
            ReportState::Accepted | ReportState::Assigned | ReportState::ReportedBack => "已受理，正在办理",
            ReportState::Concluded => "已办结，答复正在准备",
            ReportState::Replied => "已答复",
            ReportState::Reviewing => "复查中",
            ReportState::ReviewAnswered => "复查已答复",
            ReportState::ReReviewing => "复核中",
            ReportState::Closed => "复核已答复，办理终结",
            ReportState::Declined => "不予受理",
            ReportState::Transferred => "已转有权处理的机关办理",
            ReportState::Forwarded => "已报送上级机关办理",
            ReportState::Duplicate => "已并入此前的同一事项办理",
        }
    }
}

/// What can be done to a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportAction {
    /// 受理.
    Accept,
    /// 不予受理.
    Decline,
    /// 转办 (to the competent body; no report-back).
    Transfer,
    /// 报送上级.
    Forward,
    /// 作为重复件.
    MarkDuplicate,
    /// 交办 (to a unit, with report-back).
    Assign,
    /// 报告办理结果 (the unit).
    ReportBack,
    /// 退回重办 (the office, to the unit).
    ReturnBack,
    /// 办结.
    Conclude,
    /// 延期办理 (petitions; once).
    Extend,
    /// 答复举报人.
    Reply,
    /// 申请复查 / 提出异议 (the reporter, on the portal).
    RequestReview,
    /// 答复复查.
    AnswerReview,
    /// 申请复核 (the reporter, on the portal, after the review's answer).
    RequestReReview,
    /// 答复复核.
    AnswerReReview,
    /// 提出异议: a unit finds an assigned petition outside its remit (within 5 working days).
    Object,
    /// 撤销重复件标记: a report marked as a duplicate by mistake goes back to 待受理, its first
    /// limit counted again from the day it was received.
    Unduplicate,
}

impl Action for ReportAction {
    const ALL: &'static [ReportAction] = &[
        ReportAction::Accept,
        ReportAction::Decline,
        ReportAction::Transfer,
        ReportAction::Forward,
        ReportAction::Object,
        ReportAction::Unduplicate,
        ReportAction::MarkDuplicate,
        ReportAction::Assign,
        ReportAction::ReportBack,
        ReportAction::ReturnBack,
        ReportAction::Conclude,
        ReportAction::Extend,
        ReportAction::Reply,
        ReportAction::RequestReview,
        ReportAction::AnswerReview,
        ReportAction::RequestReReview,
        ReportAction::AnswerReReview,
    ];
    fn code(self) -> &'static str {
        match self {
            ReportAction::Accept => "accept",
            ReportAction::Decline => "decline",
            ReportAction::Transfer => "transfer",
            ReportAction::Forward => "forward",
            ReportAction::Object => "object",
            ReportAction::Unduplicate => "unduplicate",
            ReportAction::MarkDuplicate => "mark_duplicate",
            ReportAction::Assign => "assign",
            ReportAction::ReportBack => "report_back",
            ReportAction::ReturnBack => "return_back",
            ReportAction::Conclude => "conclude",
            ReportAction::Extend => "extend",
            ReportAction::Reply => "reply",
            ReportAction::RequestReview => "request_review",
            ReportAction::AnswerReview => "answer_review",
            ReportAction::RequestReReview => "request_re_review",
            ReportAction::AnswerReReview => "answer_re_review",
        }
    }
    fn label(self) -> &'static str {
        match self {
            ReportAction::Accept => "受理",
            ReportAction::Decline => "不予受理",
            ReportAction::Transfer => "转办",
            ReportAction::Forward => "报送上级",
            ReportAction::Object => "提出异议（不属本单位职责）",
            ReportAction::Unduplicate => "撤销重复件标记",
            ReportAction::MarkDuplicate => "作为重复件",
            ReportAction::Assign => "交办",
            ReportAction::ReportBack => "报告办理结果",
            ReportAction::ReturnBack => "退回重办",
            ReportAction::Conclude => "办结",
            ReportAction::Extend => "延期办理",
            ReportAction::Reply => "答复举报人",
            ReportAction::RequestReview => "申请复查",
            ReportAction::AnswerReview => "答复复查",
            ReportAction::RequestReReview => "申请复核",
            ReportAction::AnswerReReview => "答复复核",
        }
    }
}

use DeadlineEffect::{Close, None as Keep, Open, Replace};
use ReportAction as A;
use ReportState as S;

const fn row(
    from: ReportState,
    action: ReportAction,
    to: ReportState,
    permission: &'static str,
    deadline: DeadlineEffect,
    next: Option<&'static str>,
) -> Transition<ReportState, ReportAction> {
    Transition {
        from,
        action,
        to,
        permission,
        deadline,
        next,
    }
}

/// 检举控告 and 有奖举报: acceptance told within 15 working days, the result within 15 working
/// days of the conclusion (RULES.md §2). No invented handling limit; a unit's report-back has
/// the configurable [`RULE_ASSIGN_BACK`].
pub static ACCUSATION: Workflow<ReportState, ReportAction> = Workflow {
    name: "report",
    object_label: "信访件",
    transitions: &[
        row(S::Registered, A::Accept, S::Accepted, PERM_HANDLE, Close, None),
        row(S::Registered, A::Decline, S::Declined, PERM_HANDLE, Close, None),
        row(S::Registered, A::Transfer, S::Transferred, PERM_HANDLE, Close, None),
        row(S::Registered, A::Forward, S::Forwarded, PERM_HANDLE, Close, None),
        row(S::Registered, A::MarkDuplicate, S::Duplicate, PERM_HANDLE, Close, None),
        row(
            S::Duplicate,
            A::Unduplicate,
            S::Registered,
            PERM_HANDLE,
            Open(RULE_ACCEPT_NOTICE),
            None,
        ),
        row(
            S::Accepted,
            A::Assign,
            S::Assigned,
            PERM_HANDLE,
            Open(RULE_ASSIGN_BACK),
            Some(PERM_UNIT),
        ),
        row(
            S::Assigned,
            A::ReportBack,
            S::ReportedBack,
            PERM_UNIT,
            Close,
            Some(PERM_HANDLE),
        ),
        row(
            S::ReportedBack,
            A::ReturnBack,
            S::Assigned,
            PERM_HANDLE,
            Open(RULE_ASSIGN_BACK),
            Some(PERM_UNIT),
        ),
        row(
            S::ReportedBack,
            A::Conclude,
            S::Concluded,
            PERM_HANDLE,
            Open(RULE_RESULT_NOTICE),
            None,
        ),
        row(
            S::Accepted,
            A::Conclude,
            S::Concluded,
            PERM_HANDLE,
            Open(RULE_RESULT_NOTICE),
            None,
        ),
        row(S::Concluded, A::Reply, S::Replied, PERM_HANDLE, Close, None),
        row(
            S::Replied,
            A::RequestReview,
            S::Reviewing,
            PERM_REPORTER,
            Open(RULE_REVIEW_ANSWER),
            Some(PERM_HANDLE),
        ),
        row(
            S::Reviewing,
            A::AnswerReview,
            S::ReviewAnswered,
            PERM_HANDLE,
            Close,
            None,
        ),
        row(
            S::ReviewAnswered,
            A::RequestReReview,
            S::ReReviewing,
            PERM_REPORTER,
            Open(RULE_RE_REVIEW_ANSWER),
            Some(PERM_HANDLE),
        ),
        row(S::ReReviewing, A::AnswerReReview, S::Closed, PERM_HANDLE, Close, None),
    ],
};

/// 批评建议 and 我为群众办实事 under the 信访工作条例: routed within 15 days, handled and
/// answered within 60 days of acceptance (extended once by at most 30), 复查 within 30 days.
/// The handling limit runs on while a unit works on it (the unit sees the report's due date).
pub static PETITION: Workflow<ReportState, ReportAction> = Workflow {
    name: "report",
    object_label: "信访件",
    transitions: &[
        row(
            S::Registered,
            A::Accept,
            S::Accepted,
            PERM_HANDLE,
            Replace(RULE_PETITION_HANDLE),
            None,
        ),
        row(S::Registered, A::Decline, S::Declined, PERM_HANDLE, Close, None),
        row(S::Registered, A::Transfer, S::Transferred, PERM_HANDLE, Close, None),
        row(S::Registered, A::Forward, S::Forwarded, PERM_HANDLE, Close, None),
        row(S::Registered, A::MarkDuplicate, S::Duplicate, PERM_HANDLE, Close, None),
        row(
            S::Duplicate,
            A::Unduplicate,
            S::Registered,
            PERM_HANDLE,
            Open(RULE_PETITION_REGISTER),
            None,
        ),
        row(
            S::Accepted,
            A::Extend,
            S::Accepted,
            PERM_HANDLE,
            Replace(RULE_PETITION_EXTENSION),
            None,
        ),
        row(S::Accepted, A::Assign, S::Assigned, PERM_HANDLE, Keep, Some(PERM_UNIT)),
        // RULES.md §2 (信访工作条例): a unit that finds the matter outside its remit objects
        // within 5 working days of the assignment (`RULE_OBJECTION`, checked by the store);
        // the report goes back to the office, its handling limit running on.
        row(S::Assigned, A::Object, S::Accepted, PERM_UNIT, Keep, Some(PERM_HANDLE)),
        row(
            S::Assigned,
            A::ReportBack,
            S::ReportedBack,
            PERM_UNIT,
            Keep,
            Some(PERM_HANDLE),
        ),
        row(
            S::ReportedBack,
            A::ReturnBack,
            S::Assigned,
            PERM_HANDLE,
            Keep,
            Some(PERM_UNIT),
        ),
        row(S::ReportedBack, A::Conclude, S::Concluded, PERM_HANDLE, Keep, None),
        row(S::Accepted, A::Conclude, S::Concluded, PERM_HANDLE, Keep, None),
        row(S::Concluded, A::Reply, S::Replied, PERM_HANDLE, Close, None),
        row(
            S::Replied,
            A::RequestReview,
            S::Reviewing,
            PERM_REPORTER,
            Open(RULE_REVIEW_ANSWER),
            Some(PERM_HANDLE),
        ),
        row(
            S::Reviewing,
            A::AnswerReview,
            S::ReviewAnswered,
            PERM_HANDLE,
            Close,
            None,
        ),
        row(
            S::ReviewAnswered,
            A::RequestReReview,
            S::ReReviewing,
            PERM_REPORTER,
            Open(RULE_RE_REVIEW_ANSWER),
            Some(PERM_HANDLE),
        ),
        row(S::ReReviewing, A::AnswerReReview, S::Closed, PERM_HANDLE, Close, None),
    ],
};

/// The state of an identity disclosure request (身份披露申请).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DisclosureState {
    /// 待审批.
    Requested,
    /// 已批准 (the requester sees the identity until the approval expires).
    Approved,
    /// 未批准.
    Rejected,
}

impl State for DisclosureState {
    const ALL: &'static [DisclosureState] = &[
        DisclosureState::Requested,
        DisclosureState::Approved,
        DisclosureState::Rejected,
    ];
    fn code(self) -> &'static str {
        match self {
            DisclosureState::Requested => "requested",
            DisclosureState::Approved => "approved",
            DisclosureState::Rejected => "rejected",
        }
    }
    fn label(self) -> &'static str {
        match self {
            DisclosureState::Requested => "待审批",
            DisclosureState::Approved => "已批准",
            DisclosureState::Rejected => "未批准",
        }
    }
}

/// A decision on a disclosure request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DisclosureAction {
    /// 批准.
    Approve,
    /// 不批准.
    Reject,
}

impl Action for DisclosureAction {
    const ALL: &'static [DisclosureAction] = &[DisclosureAction::Approve, DisclosureAction::Reject];
    fn code(self) -> &'static str {
        match self {
            DisclosureAction::Approve => "approve",
            DisclosureAction::Reject => "reject",
        }
    }
    fn label(self) -> &'static str {
        match self {
            DisclosureAction::Approve => "批准",
            DisclosureAction::Reject => "不批准",
        }
    }
}

/// Identity disclosure (身份披露): a handler asks, with a reason, to see who reported; only
/// the commission's leader (`report.disclose`) decides; the requester is told either way.
pub static DISCLOSURE: Workflow<DisclosureState, DisclosureAction> = Workflow {
    name: "report.disclosure",
    object_label: "身份披露申请",
    transitions: &[
        Transition {
            from: DisclosureState::Requested,
            action: DisclosureAction::Approve,
            to: DisclosureState::Approved,
            permission: PERM_DISCLOSE,
            deadline: DeadlineEffect::None,
            next: Some(PERM_HANDLE),
        },
        Transition {
            from: DisclosureState::Requested,
            action: DisclosureAction::Reject,
            to: DisclosureState::Rejected,
            permission: PERM_DISCLOSE,
            deadline: DeadlineEffect::None,
            next: Some(PERM_HANDLE),
        },
    ],
};

/// The default reward bands of 有奖举报 (档次, what earns it, amount in yuan); an installation
/// sets its own with `report.reward_bands`.
pub const DEFAULT_REWARD_BANDS: &[(&str, i64)] = &[("一档", 500), ("二档", 2000), ("三档", 5000)];

/// The state of a reward (有奖举报的奖励).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RewardState {
    /// 待审批: proposed after the eligibility review.
    Proposed,
    /// 已批准.
    Approved,
    /// 未批准.
    Rejected,
    /// 已发放.
    Paid,
}

impl State for RewardState {
    const ALL: &'static [RewardState] = &[
        RewardState::Proposed,
        RewardState::Approved,
        RewardState::Rejected,
        RewardState::Paid,
    ];
    fn code(self) -> &'static str {
        match self {
            RewardState::Proposed => "proposed",
            RewardState::Approved => "approved",
            RewardState::Rejected => "rejected",
            RewardState::Paid => "paid",
        }
    }
    fn label(self) -> &'static str {
        match self {
            RewardState::Proposed => "待审批",
            RewardState::Approved => "已批准，待发放",
            RewardState::Rejected => "未批准",
            RewardState::Paid => "已发放",
        }
    }
}

/// A step of a reward.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RewardAction {
    /// 批准 (the commission leader).
    Approve,
    /// 不批准.
    Reject,
    /// 记录发放.
    Pay,
}

impl Action for RewardAction {
    const ALL: &'static [RewardAction] = &[RewardAction::Approve, RewardAction::Reject, RewardAction::Pay];
    fn code(self) -> &'static str {
        match self {
            RewardAction::Approve => "approve",
            RewardAction::Reject => "reject",
            RewardAction::Pay => "pay",
        }
    }
    fn label(self) -> &'static str {
        match self {
            RewardAction::Approve => "批准奖励",
            RewardAction::Reject => "不予奖励",
            RewardAction::Pay => "记录发放",
        }
    }
}

/// 有奖举报: after the conclusion the office reviews eligibility and proposes a band and amount;
/// the commission's leader approves; the office records the payment.
pub static REWARD: Workflow<RewardState, RewardAction> = Workflow {
    name: "report.reward",
    object_label: "奖励",
    transitions: &[
        Transition {
            from: RewardState::Proposed,
            action: RewardAction::Approve,
            to: RewardState::Approved,
            permission: PERM_REWARD,
            deadline: DeadlineEffect::None,
            next: Some(PERM_HANDLE),
        },
        Transition {
            from: RewardState::Proposed,
            action: RewardAction::Reject,
            to: RewardState::Rejected,
            permission: PERM_REWARD,
            deadline: DeadlineEffect::None,
            next: Some(PERM_HANDLE),
        },
        Transition {
            from: RewardState::Approved,
            action: RewardAction::Pay,
            to: RewardState::Paid,
            permission: PERM_HANDLE,
            deadline: DeadlineEffect::None,
            next: None,
        },
    ],
};

/// A receipt code (查询码): 16 digits, the last a check digit (ISO 7064 MOD 11-10, as in the
/// unified social credit code family) so that a mistyped code is told apart from an unknown one
/// without a database lookup. `random` gives 15 random digits.
pub fn receipt_code(random: impl FnOnce() -> [u8; 15]) -> String {
    let digits: Vec<u32> = random().iter().map(|b| u32::from(*b % 10)).collect();
    let mut s: String = digits.iter().map(|d| char::from_digit(*d, 10).unwrap_or('0')).collect();
    s.push(char::from_digit(check_digit(&digits), 10).unwrap_or('0'));
    s
}

fn check_digit(digits: &[u32]) -> u32 {
    // ISO 7064 MOD 11-10.
    let mut p = 10;
    for d in digits {
        let s = (p + d) % 10;
        let s = if s == 0 { 10 } else { s };
        p = (s * 2) % 11;
    }
    (11 - p) % 10
}

/// A typed receipt code made canonical (spaces and dashes dropped, full-width digits read), or
/// why it cannot be one.
pub fn normalize_receipt_code(typed: &str) -> Result<String, &'static str> {
    let s: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            c => c,
        })
        .collect();
    if s.chars().count() != 16 || !s.chars().all(|c| c.is_ascii_digit()) {
        return Err("查询码应为16位数字");
    }
    let digits: Vec<u32> = s.chars().filter_map(|c| c.to_digit(10)).collect();
    if check_digit(&digits[..15]) != digits[15] {
        return Err("查询码有误，请核对后重新输入");
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::prove_guarded;

    #[test]
    fn both_tables_are_guarded_and_cite_known_rules() {
        assert!(
            prove_guarded(&DISCLOSURE).is_empty(),
            "{:?}",
            prove_guarded(&DISCLOSURE)
        );
        for w in [&ACCUSATION, &PETITION] {
            assert!(prove_guarded(w).is_empty(), "{:?}", prove_guarded(w));
            for r in w.rules() {
                assert!(crate::rules::rule(r).is_some(), "{r}");
            }
        }
        for k in Kind::ALL {
            assert!(crate::rules::rule(k.first_rule()).is_some());
        }
    }

    /// RULES.md §2: an accusation's acceptance closes the 15-working-day notice limit and its
    /// conclusion opens the 15-working-day result limit; a petition's acceptance replaces the
    /// 15-day routing limit with the 60-day handling limit, extended once by 30 days.
    #[test]
    fn each_regime_opens_its_own_limits() {
        let accept = ACCUSATION.find(S::Registered, A::Accept).unwrap();
        assert_eq!(accept.deadline, Close);
        let conclude = ACCUSATION.find(S::Accepted, A::Conclude).unwrap();
        assert_eq!(conclude.deadline, Open(RULE_RESULT_NOTICE));
        assert_eq!(Kind::Accusation.first_rule(), RULE_ACCEPT_NOTICE);
        assert_eq!(Kind::ServiceRequest.first_rule(), RULE_PETITION_REGISTER);
        // RULES.md §2: sent down by a higher commission, or belonging to one: 5 working days.
        assert_eq!(
            Kind::Accusation.first_rule_for(Channel::FromHigher, false),
            RULE_LOWER_ACCEPT
        );
        assert_eq!(
            Kind::Accusation.first_rule_for(Channel::Letter, true),
            RULE_FORWARD_HIGHER
        );
        assert_eq!(
            Kind::Suggestion.first_rule_for(Channel::FromHigher, true),
            RULE_PETITION_REGISTER
        );
        for r in [RULE_LOWER_ACCEPT, RULE_FORWARD_HIGHER, RULE_OBJECTION] {
            assert_eq!(
                crate::rules::rule(r).unwrap().period,
                crate::deadline::Period::Workdays(5),
                "{r}"
            );
        }
        let accept = PETITION.find(S::Registered, A::Accept).unwrap();
        assert_eq!(accept.deadline, Replace(RULE_PETITION_HANDLE));
        assert!(PETITION.find(S::Accepted, A::Extend).is_some());
        assert!(
            ACCUSATION.find(S::Accepted, A::Extend).is_none(),
            "no invented extension"
        );
        // Only the reporter (through the portal) asks for a review.
        assert_eq!(
            PETITION.find(S::Replied, A::RequestReview).unwrap().permission,
            PERM_REPORTER
        );
    }

    /// RULES.md §1–2 on the official calendar: an accusation received on Friday 2026-02-13,
    /// just before the Spring Festival (2/15–2/23 off, 2/14 and 2/28 working Saturdays): the
    /// acceptance notice is due on the 15th working day. One received on the 调休 Saturday
    /// 2026-02-14 counts from that day too.
    #[test]
    fn limits_run_on_the_official_calendar_around_the_spring_festival() {
        let cal = Calendar::builtin();
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        // Working days after 2/13: 2/14 (Sat, 调休) is the 1st, 2/24–2/27 the 2nd–5th, 2/28
        // (Sat, 调休) the 6th, 3/2–3/6 the 7th–11th, 3/9–3/12 the 12th–15th.
        assert_eq!(due(&cal, RULE_ACCEPT_NOTICE, d(2026, 2, 13)), Due::On(d(2026, 3, 12)));
        // Received on the 调休 Saturday 2/14 (day 0): 2/24 is the 1st, the 15th is 3/13.
        assert_eq!(due(&cal, RULE_ACCEPT_NOTICE, d(2026, 2, 14)), Due::On(d(2026, 3, 13)));
        // A petition received on 2/13: 15 calendar days end on 2/28, a 调休 working Saturday.
        assert_eq!(
            due(&cal, RULE_PETITION_REGISTER, d(2026, 2, 13)),
            Due::On(d(2026, 2, 28))
        );
        // Received on 2026-02-01: 15 days end on 2/16, inside the holiday: the next working day.
        assert_eq!(
            due(&cal, RULE_PETITION_REGISTER, d(2026, 2, 1)),
            Due::On(d(2026, 2, 24))
        );
    }

    #[test]
    fn receipt_codes_carry_a_check_digit() {
        let mut n = 0u8;
        let code = receipt_code(|| {
            let mut a = [0u8; 15];
            for x in &mut a {
                n = n.wrapping_mul(31).wrapping_add(17);
                *x = n;
            }
            a
        });
        assert_eq!(code.len(), 16);
        assert_eq!(normalize_receipt_code(&code), Ok(code.clone()));
        let spaced = format!("{} {} {} {}", &code[..4], &code[4..8], &code[8..12], &code[12..]);
        assert_eq!(normalize_receipt_code(&spaced), Ok(code.clone()));
        // Any one digit mistyped is caught.
        for i in 0..16 {
            let mut wrong: Vec<char> = code.chars().collect();
            wrong[i] = char::from_digit((wrong[i].to_digit(10).unwrap() + 1) % 10, 10).unwrap();
            let wrong: String = wrong.into_iter().collect();
            assert_eq!(
                normalize_receipt_code(&wrong),
                Err("查询码有误，请核对后重新输入"),
                "{wrong}"
            );
        }
        assert_eq!(normalize_receipt_code("1234"), Err("查询码应为16位数字"));
    }
}
