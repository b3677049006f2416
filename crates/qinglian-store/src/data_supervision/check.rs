//! Checking (核查) of findings: dispatch to a unit, the unit's answer, review, dismissal —
//! every step a transition of `FINDING_WORKFLOW` through `workflow::apply`.

use chrono::NaiveDate;
use qinglian_domain::data_supervision::{FINDING_WORKFLOW, FindingAction, FindingState};
use qinglian_domain::deadline::Due;
use serde::Serialize;
use sqlx::{AssertSqlSafe, Row};

use crate::deadline::{DeadlineId, NewDeadline};
use crate::error::{StoreError, StoreResult};
use crate::org::OrgId;
use crate::sql::Query;
use crate::workflow::{self, Performer, Step};
use crate::{Db, Scope, Tx};

use super::*;

/// One round of checking a finding.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// Id.
    pub id: CheckId,
    /// Finding.
    pub finding_id: FindingId,
    /// Unit asked to check.
    pub org_id: OrgId,
    /// Its name.
    pub org_name: String,
    /// Round (1, 2 after a return, …).
    pub round: i64,
    /// What the commission asked.
    pub request_note: String,
    /// Who sent it.
    pub sent_by_name: String,
    /// When.
    pub sent_at: String,
    /// Due date 'YYYY-MM-DD' (empty while pending, 待定).
    pub due_date: String,
    /// Answer code, once answered.
    pub answer: Option<String>,
    /// The unit's explanation.
    pub answer_note: String,
    /// Who answered.
    pub answered_by_name: String,
    /// When.
    pub answered_at: Option<String>,
    /// Review: "accepted" or "returned".
    pub review: Option<String>,
    /// Review note.
    pub review_note: String,
    /// Reviewer.
    pub reviewed_by_name: String,
    /// When.
    pub reviewed_at: Option<String>,
}

impl Check {
    /// The due date as shown: the date or 「待定」.
    pub fn due_display(&self) -> &str {
        if self.due_date.is_empty() {
            crate::deadline::PENDING_LABEL
        } else {
            &self.due_date
        }
    }
    /// Chinese label of the answer.
    pub fn answer_label(&self) -> &'static str {
        self.answer
            .as_deref()
            .and_then(Answer::parse)
            .map_or("待反馈", Answer::label)
    }
    /// Chinese label of the review.
    pub fn review_label(&self) -> &'static str {
        match self.review.as_deref() {
            Some("accepted") => "认定",
            Some("returned") => "退回重新核查",
            _ => "",
        }
    }
}

pub(super) const CHECK_COLS: &str = concat!(
    "k.id, k.finding_id, k.org_id, ",
    org_display!("o"),
    " AS org_name, k.round, k.request_note, COALESCE(s.display_name, '') AS sent_by_name, \
    k.sent_at, COALESCE(dl.due_date, k.due_date) AS due_date, k.answer, k.answer_note, COALESCE(a.display_name, '') AS answered_by_name, k.answered_at, k.review, k.review_note, \
    COALESCE(r.display_name, '') AS reviewed_by_name, k.reviewed_at"
);

pub(super) const CHECK_FROM: &str = " FROM data_supervision_check k JOIN org o ON o.id = k.org_id LEFT JOIN deadline dl ON dl.id = k.deadline_id LEFT JOIN app_user s ON s.id = k.sent_by \
    LEFT JOIN app_user a ON a.id = k.answered_by LEFT JOIN app_user r ON r.id = k.reviewed_by";

pub(super) fn check_from_row(r: &sqlx::any::AnyRow) -> StoreResult<Check> {
    Ok(Check {
        id: r.try_get("id")?,
        finding_id: r.try_get("finding_id")?,
        org_id: r.try_get("org_id")?,
        org_name: r.try_get("org_name")?,
        round: r.try_get("round")?,
        request_note: r.try_get("request_note")?,
        sent_by_name: r.try_get("sent_by_name")?,
        sent_at: r.try_get("sent_at")?,
        due_date: r.try_get("due_date")?,
        answer: r.try_get("answer")?,
        answer_note: r.try_get("answer_note")?,
        answered_by_name: r.try_get("answered_by_name")?,
        answered_at: r.try_get("answered_at")?,
        review: r.try_get("review")?,
        review_note: r.try_get("review_note")?,
        reviewed_by_name: r.try_get("reviewed_by_name")?,
        reviewed_at: r.try_get("reviewed_at")?,
    })
}

/// The checking rounds of a finding, oldest first (the caller has checked the finding's scope).
pub async fn checks_of(db: &Db, finding_id: FindingId) -> StoreResult<Vec<Check>> {
    let sql = format!("SELECT {CHECK_COLS}{CHECK_FROM} WHERE k.finding_id = $1 ORDER BY k.round, k.id");
    let rows = sqlx::query(AssertSqlSafe(sql))
        .bind(finding_id)
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(check_from_row).collect()
}

/// The finding a check belongs to (the caller then checks the finding's scope).
pub async fn finding_of_check(db: &Db, check_id: CheckId) -> StoreResult<FindingId> {
    sqlx::query_scalar("SELECT finding_id FROM data_supervision_check WHERE id = $1")
        .bind(check_id)
        .fetch_optional(db.pool())
        .await?
        .ok_or(StoreError::NotFound("附件"))
}

/// Sending a finding to a unit for checking.
#[derive(Debug, Clone)]
pub struct Dispatch {
    /// Finding.
    pub finding_id: FindingId,
    /// Unit that must check.
    pub org_id: OrgId,
    /// What to check (shown to the unit).
    pub note: String,
    /// Day 0 of the period.
    pub start: NaiveDate,
    /// Due date (computed with the calendar and the `finding_check` rule, or chosen), or
    /// pending (待定) while the calendar lacks the year it runs into.
    pub due: Due,
}

/// The table whose rows move through [`FINDING_WORKFLOW`].
const FINDING_TABLE: &str = "data_supervision_finding";

/// A transition of a finding through [`FINDING_WORKFLOW`] (see [`workflow::apply`]).
async fn transition(
    tx: &mut Tx,
    id: FindingId,
    current: FindingState,
    step: Step<'_, FindingAction>,
    by: &Performer<'_>,
) -> StoreResult<workflow::Applied<FindingState>> {
    workflow::apply(tx, &FINDING_WORKFLOW, FINDING_TABLE, id, current, step, by).await
}

/// The finding's row locked and read inside the caller's scope (see [`workflow::lock_state`]):
/// its state and the unit it was sent to. Out of scope looks exactly like missing.
pub(super) async fn lock_finding(
    tx: &mut Tx,
    scope: &Scope,
    id: FindingId,
) -> StoreResult<(FindingState, Option<OrgId>)> {
    let state: FindingState = workflow::lock_state(tx, FINDING_TABLE, id)
        .await?
        .ok_or(StoreError::NotFound("疑点"))?;
    let mut q = Query::new(&format!("SELECT f.check_org_id{FINDING_FROM} AND f.id = "));
    q.bind_int(id);
    push_finding_scope(scope, &mut q);
    let row = q
        .build()
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound("疑点"))?;
    Ok((state, row.try_get(0)?))
}

/// The notification that tells whoever acts next which item waits: 「疑点 #440 …」.
pub(super) fn notice(finding_id: FindingId, title: &str, body: String) -> Option<(String, String, String)> {
    Some((
        format!("{title}：疑点 #{finding_id}"),
        body,
        format!("/ds/findings/{finding_id}"),
    ))
}

/// Opens a checking round (first dispatch or a return) through the workflow table.
pub(super) async fn open_check(
    tx: &mut Tx,
    d: &Dispatch,
    current: FindingState,
    action: FindingAction,
    round: i64,
    by: &Performer<'_>,
) -> StoreResult<CheckId> {
    workflow::check(&FINDING_WORKFLOW, current, action, by)?;
    if d.due.date().is_some_and(|due| due < d.start) {
        return Err(StoreError::invalid(
            "due_date",
            if round == 1 {
                "核查期限不能早于派发日期"
            } else {
                "核查期限不能早于退回日期"
            },
        ));
    }
    let title = finding_title(tx, d.finding_id).await?;
    let check_id: CheckId = sqlx::query(
        "INSERT INTO data_supervision_check (finding_id, org_id, round, request_note, sent_by, sent_at, due_date) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(d.finding_id)
    .bind(d.org_id)
    .bind(round)
    .bind(d.note.trim())
    .bind(by.user_id)
    .bind(crate::time::now())
    .bind(d.due.date().map(|x| x.format("%Y-%m-%d").to_string()).unwrap_or_default())
    .fetch_one(&mut **tx)
    .await?
    .try_get(0)?;
    let link = format!("/ds/findings/{}", d.finding_id);
    let body = match d.due {
        Due::On(due) => format!("{title}，请于{}前反馈核查结果。", due.format("%Y年%m月%d日")),
        Due::Pending { year, .. } => {
            format!("{title}。核查期限跨入{year}年，该年节假日安排录入后系统将计算期限并另行通知，请先行核查。")
        }
    };
    let applied = transition(
        tx,
        d.finding_id,
        current,
        Step {
            action,
            note: &d.note,
            detail: format!("核查#{check_id}，{}，期限{}", round_label(round), due_text(d.due)),
            open: Some(NewDeadline {
                module: DEADLINE_MODULE.into(),
                object_type: "finding_check".into(),
                object_id: check_id.to_string(),
                org_id: d.org_id,
                owner_user_id: None,
                title: title.clone(),
                rule_id: CHECK_RULE.into(),
                start_date: d.start,
                due: d.due,
                link: link.clone(),
                notify_permission: String::new(),
            }),
            close: None,
            next_org: Some(d.org_id),
            next_users: Vec::new(),
            notice: notice(
                d.finding_id,
                if round == 1 {
                    "收到疑点核查任务"
                } else {
                    "疑点被退回重新核查"
                },
                if round == 1 {
                    body
                } else {
                    format!("{body}退回说明：{}", d.note.trim())
                },
            ),
        },
        by,
    )
    .await?;
    sqlx::query("UPDATE data_supervision_check SET deadline_id = $1 WHERE id = $2")
        .bind(applied.deadline_id)
        .bind(check_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query("UPDATE data_supervision_finding SET check_org_id = $1 WHERE id = $2")
        .bind(d.org_id)
        .bind(d.finding_id)
        .execute(&mut **tx)
        .await?;
    Ok(check_id)
}

pub(super) fn round_label(round: i64) -> String {
    if round == 1 {
        "首次派发".into()
    } else {
        format!("第{round}轮核查")
    }
}

/// A due date for audit details and messages: the date, or 待定 with the missing year.
pub fn due_text(due: Due) -> String {
    match due {
        Due::On(d) => d.to_string(),
        Due::Pending { year, .. } => format!("待定（待录入{year}年日历）"),
    }
}

/// Sends a new finding to a unit for checking, with a tracked deadline; notifies the unit.
pub async fn dispatch(tx: &mut Tx, scope: &Scope, d: &Dispatch, by: &Performer<'_>) -> StoreResult<CheckId> {
    let (state, _) = lock_finding(tx, scope, d.finding_id).await?;
    workflow::check(&FINDING_WORKFLOW, state, FindingAction::Dispatch, by)?;
    let org_exists: i64 = sqlx::query("SELECT COUNT(*) FROM org WHERE id = $1 AND active = 1")
        .bind(d.org_id)
        .fetch_one(&mut **tx)
        .await?
        .try_get(0)?;
    if org_exists == 0 {
        return Err(StoreError::invalid("org_id", "核查单位不存在或已停用"));
    }
    open_check(tx, d, state, FindingAction::Dispatch, 1, by).await
}

pub(super) async fn finding_title(tx: &mut Tx, id: FindingId) -> StoreResult<String> {
    let r = sqlx::query("SELECT model_title, subject, period FROM data_supervision_finding WHERE id = $1")
        .bind(id)
        .fetch_one(&mut **tx)
        .await?;
    let (title, subject, period): (String, String, String) = (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?);
    let masked = mask_subject(&subject);
    Ok(if period.is_empty() {
        format!("疑点核查：{title}（{masked}）")
    } else {
        format!("疑点核查：{title}（{masked}，{period}）")
    })
}

/// A subject key as shown in titles and notifications: an 18-character ID number keeps its
/// first 6 and last 4 characters, anything else is shown as is.
pub fn mask_subject(subject: &str) -> String {
    let chars: Vec<char> = subject.chars().collect();
    if chars.len() == 18 && chars[..17].iter().all(char::is_ascii_digit) && !subject.starts_with('9') {
        format!(
            "{}********{}",
            chars[..6].iter().collect::<String>(),
            chars[14..].iter().collect::<String>()
        )
    } else {
        subject.to_string()
    }
}

/// The open check of a finding (not yet answered), if any.
pub(super) async fn open_check_of(
    tx: &mut Tx,
    finding_id: FindingId,
) -> StoreResult<Option<(CheckId, OrgId, i64, Option<DeadlineId>)>> {
    let row = sqlx::query(
        "SELECT id, org_id, round, deadline_id FROM data_supervision_check WHERE finding_id = $1 AND answer IS NULL ORDER BY id DESC",
    )
    .bind(finding_id)
    .fetch_optional(&mut **tx)
    .await?;
    row.map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?)))
        .transpose()
}

/// The unit's answer to the open check of a finding. The caller's scope must contain the
/// unit the finding was sent to. Closes the deadline and tells the dispatching office.
pub async fn answer(
    tx: &mut Tx,
    scope: &Scope,
    finding_id: FindingId,
    answer: Answer,
    note: &str,
    by: &Performer<'_>,
) -> StoreResult<CheckId> {
    let (state, _) = lock_finding(tx, scope, finding_id).await?;
    workflow::check(&FINDING_WORKFLOW, state, FindingAction::Answer, by)?;
    let (check_id, org_id, _, deadline_id) = open_check_of(tx, finding_id)
        .await?
        .ok_or_else(|| StoreError::conflict("status", "该疑点没有待反馈的核查"))?;
    // The clerk who sent the check is told first, wherever in the commission they sit.
    let sent_by: Option<crate::user::UserId> = sqlx::query("SELECT sent_by FROM data_supervision_check WHERE id = $1")
        .bind(check_id)
        .fetch_one(&mut **tx)
        .await?
        .try_get(0)?;
    let org_path: String = sqlx::query("SELECT path FROM org WHERE id = $1")
        .bind(org_id)
        .fetch_one(&mut **tx)
        .await?
        .try_get(0)?;
    if !scope.contains_path(&org_path) {
        return Err(StoreError::NotFound("疑点"));
    }
    if note.trim().is_empty() {
        return Err(StoreError::invalid("answer_note", "请填写核查情况说明"));
    }
    sqlx::query("UPDATE data_supervision_check SET answer = $1, answer_note = $2, answered_by = $3, answered_at = $4 WHERE id = $5")
        .bind(answer.as_str())
        .bind(note.trim())
        .bind(by.user_id)
        .bind(crate::time::now())
        .bind(check_id)
        .execute(&mut **tx)
        .await?;
    let (owner_org, unit_name): (OrgId, String) = {
        let r = sqlx::query(
            "SELECT f.org_id, o.name FROM data_supervision_finding f JOIN org o ON o.id = $2 WHERE f.id = $1",
        )
        .bind(finding_id)
        .bind(org_id)
        .fetch_one(&mut **tx)
        .await?;
        (r.try_get(0)?, r.try_get(1)?)
    };
    let title = finding_title(tx, finding_id).await?;
    transition(
        tx,
        finding_id,
        state,
        Step {
            action: FindingAction::Answer,
            note,
            detail: format!("核查#{check_id}：{}", answer.label()),
            open: None,
            close: deadline_id,
            next_org: Some(owner_org),
            next_users: sent_by.into_iter().collect(),
            notice: notice(
                finding_id,
                "疑点核查结果待复核",
                format!("{unit_name}已反馈{title}的核查结果：{}，请复核。", answer.label()),
            ),
        },
        by,
    )
    .await?;
    Ok(check_id)
}

/// The commission's review of an answered finding.
#[derive(Debug, Clone)]
pub enum Review {
    /// Accept the unit's answer: the finding becomes 属实 / 部分属实 / 不属实.
    Accept,
    /// Send it back for another round of checking with a new period.
    Return {
        /// Day 0 of the new period.
        start: NaiveDate,
        /// New due date (or pending, 待定).
        due: Due,
    },
}

/// Reviews the latest answer of a finding.
pub async fn review(
    tx: &mut Tx,
    scope: &Scope,
    finding_id: FindingId,
    review: &Review,
    note: &str,
    by: &Performer<'_>,
) -> StoreResult<()> {
    let (state, check_org) = lock_finding(tx, scope, finding_id).await?;
    // The permission and state are the same for every review action; checked before reading.
    workflow::check(&FINDING_WORKFLOW, state, FindingAction::Return, by)?;
    let r = sqlx::query(
        "SELECT id, answer, round, request_note FROM data_supervision_check WHERE finding_id = $1 AND answer IS NOT NULL AND review IS NULL ORDER BY id DESC",
    )
    .bind(finding_id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or_else(|| StoreError::conflict("status", "没有待复核的核查反馈"))?;
    let check_id: CheckId = r.try_get(0)?;
    let answer_code: String = r.try_get(1)?;
    let round: i64 = r.try_get(2)?;
    let request_note: String = r.try_get(3)?;
    let answer = Answer::parse(&answer_code).ok_or_else(|| StoreError::Internal("bad answer code".into()))?;
    let code = match review {
        Review::Accept => "accepted",
        Review::Return { .. } => "returned",
    };
    if let Review::Return { start, due } = review {
        if note.trim().is_empty() {
            return Err(StoreError::invalid(
                "review_note",
                "退回重新核查时请写明需要补充核查的内容",
            ));
        }
        // Checked before anything is written: a refused review leaves the answer unreviewed.
        if due.date().is_some_and(|due| due < *start) {
            return Err(StoreError::invalid("due_date", "核查期限不能早于退回日期"));
        }
    }
    sqlx::query("UPDATE data_supervision_check SET review = $1, review_note = $2, reviewed_by = $3, reviewed_at = $4 WHERE id = $5")
        .bind(code)
        .bind(note.trim())
        .bind(by.user_id)
        .bind(crate::time::now())
        .bind(check_id)
        .execute(&mut **tx)
        .await?;
    match review {
        Review::Accept => {
            close(
                tx,
                finding_id,
                state,
                answer.accept_action(),
                note,
                format!("核查#{check_id}"),
                by,
            )
            .await?;
        }
        Review::Return { start, due } => {
            let org_id = check_org.ok_or_else(|| StoreError::Internal("answered finding without unit".into()))?;
            let note = if note.trim().is_empty() {
                request_note
            } else {
                note.trim().to_string()
            };
            open_check(
                tx,
                &Dispatch {
                    finding_id,
                    org_id,
                    note,
                    start: *start,
                    due: *due,
                },
                state,
                FindingAction::Return,
                round + 1,
                by,
            )
            .await?;
        }
    }
    Ok(())
}

/// Excludes a finding that has not been sent (e.g. an obvious data error), with a reason.
pub async fn dismiss(
    tx: &mut Tx,
    scope: &Scope,
    finding_id: FindingId,
    note: &str,
    by: &Performer<'_>,
) -> StoreResult<()> {
    let (state, _) = lock_finding(tx, scope, finding_id).await?;
    workflow::check(&FINDING_WORKFLOW, state, FindingAction::Exclude, by)?;
    if note.trim().is_empty() {
        return Err(StoreError::invalid("close_note", "请填写排除理由"));
    }
    close(tx, finding_id, state, FindingAction::Exclude, note, String::new(), by).await
}

/// A final decision (accepting an answer, excluding): the transition and its note.
pub(super) async fn close(
    tx: &mut Tx,
    finding_id: FindingId,
    state: FindingState,
    action: FindingAction,
    note: &str,
    detail: String,
    by: &Performer<'_>,
) -> StoreResult<()> {
    transition(
        tx,
        finding_id,
        state,
        Step {
            action,
            note,
            detail,
            open: None,
            close: None,
            next_org: None,
            next_users: Vec::new(),
            notice: None,
        },
        by,
    )
    .await?;
    sqlx::query("UPDATE data_supervision_finding SET close_note = $1 WHERE id = $2")
        .bind(note.trim())
        .bind(finding_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Records that a confirmed finding became a clue (called by the clue module).
pub async fn link_clue(tx: &mut Tx, scope: &Scope, finding_id: FindingId, clue_id: i64) -> StoreResult<()> {
    let (state, _) = lock_finding(tx, scope, finding_id).await?;
    if !matches!(state, FindingState::Confirmed | FindingState::PartlyConfirmed) {
        return Err(StoreError::conflict(
            "status",
            "只有核查属实或部分属实的疑点可以转为问题线索",
        ));
    }
    let n = sqlx::query(
        "UPDATE data_supervision_finding SET clue_id = $1, updated_at = $2 WHERE id = $3 AND clue_id IS NULL",
    )
    .bind(clue_id)
    .bind(crate::time::now())
    .bind(finding_id)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(StoreError::conflict("clue_id", "该疑点已转为问题线索"));
    }
    Ok(())
}
