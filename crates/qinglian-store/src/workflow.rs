//! The one place a workflow transition is performed (issue #11 §2).
//!
//! A module declares its workflow as a table (`qinglian_domain::workflow::Workflow`); its store
//! functions lock and read the item inside the caller's scope ([`lock_state`] plus their own
//! scope check), do their own rows (a check, an answer…), and call [`apply`], which — in the
//! caller's transaction — checks the table (state, then permission), writes the new state and
//! a `workflow_event` row, opens or closes the deadline the table names, tells whoever acts
//! next, and appends the audit entry. No module writes its own guard, audit literal or
//! notification for a transition.

use qinglian_crypto::CryptoMode;
use qinglian_domain::workflow::{Action, DeadlineEffect, State, Workflow, WorkflowError};
use serde::Serialize;
use sqlx::{AssertSqlSafe, Row};

use crate::Tx;
use crate::audit::{self, Actor, Event, Outcome};
use crate::deadline::{DeadlineId, NewDeadline};
use crate::error::{StoreError, StoreResult};
use crate::org::OrgId;
use crate::user::UserId;

/// A set of permissions: a logged-in user's [`crate::user::Principal`], or [`System`].
pub trait Permissions: Sync {
    /// Whether the set holds `permission`.
    fn can(&self, permission: &str) -> bool;
}

impl Permissions for crate::user::Principal {
    fn can(&self, permission: &str) -> bool {
        crate::user::Principal::can(self, permission)
    }
}

/// The system itself (the demo seeding, a job): trusted with every transition.
pub struct System;

impl Permissions for System {
    fn can(&self, _: &str) -> bool {
        true
    }
}

/// Who performs a transition.
pub struct Performer<'a> {
    /// The user (none for the system itself, e.g. the demo or a job).
    pub user_id: Option<UserId>,
    /// For the audit entry.
    pub actor: Actor,
    /// Crypto mode of the audit chain.
    pub mode: CryptoMode,
    /// The actor's permissions.
    pub perms: &'a dyn Permissions,
}

impl Performer<'_> {
    fn can(&self, permission: &str) -> bool {
        self.perms.can(permission)
    }
}

/// What the module supplies for one transition besides the action.
pub struct Step<'a, A> {
    /// The action.
    pub action: A,
    /// The note recorded with the event (a reason, an instruction).
    pub note: &'a str,
    /// The audit entry's detail (no secrets).
    pub detail: String,
    /// The deadline to open when the table says so (its rule id is the table's).
    pub open: Option<NewDeadline>,
    /// The deadline to close when the table says so.
    pub close: Option<DeadlineId>,
    /// Where whoever acts next sits (the table names their permission).
    pub next_org: Option<OrgId>,
    /// Who else acts next by name (e.g. the clerk who sent the item out, wherever they sit);
    /// told if they still hold the table's `next` permission.
    pub next_users: Vec<UserId>,
    /// The notification for them: title (naming the item), body, link.
    pub notice: Option<(String, String, String)>,
}

/// What a transition did.
#[derive(Debug, Clone, Copy)]
pub struct Applied<S> {
    /// The state before.
    pub from: S,
    /// The state now.
    pub to: S,
    /// The deadline opened, if any.
    pub deadline_id: Option<DeadlineId>,
    /// How many users were told.
    pub notified: usize,
}

/// Locks an item's row for the rest of the transaction and reads its state (unscoped: the
/// caller checks its scope before acting). On PostgreSQL the no-op update takes a row lock;
/// SQLite's write transaction is exclusive anyway. Two steps on one item at once (a
/// double-clicked button) then run one after the other, and the second sees the first's state.
pub async fn lock_state<S: State>(tx: &mut Tx, table: &'static str, id: impl Into<i64>) -> StoreResult<Option<S>> {
    let id: i64 = id.into();
    sqlx::query(AssertSqlSafe(format!(
        "UPDATE {table} SET status = status WHERE id = $1"
    )))
    .bind(id)
    .execute(&mut **tx)
    .await?;
    let row = sqlx::query(AssertSqlSafe(format!("SELECT status FROM {table} WHERE id = $1")))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    match row {
        None => Ok(None),
        Some(r) => {
            let code: String = r.try_get(0)?;
            S::parse(&code)
                .map(Some)
                .ok_or_else(|| StoreError::Internal(format!("{table} {id} has an unknown status {code}")))
        }
    }
}

/// The table's verdict as a store error: a wrong state is a conflict the user can understand,
/// a missing permission a refusal.
pub fn refusal(e: WorkflowError) -> StoreError {
    match e {
        WorkflowError::NotFrom { .. } => StoreError::conflict("status", e.to_string()),
        WorkflowError::Forbidden { .. } => StoreError::Forbidden(e.to_string()),
    }
}

/// Checks `step.action` against the table from `current` without writing anything (for a
/// module that must refuse before it writes its own rows).
pub fn check<S: State, A: Action>(w: &Workflow<S, A>, current: S, action: A, by: &Performer<'_>) -> StoreResult<S> {
    w.check(current, action, &|p| by.can(p)).map(|t| t.to).map_err(refusal)
}

/// Performs a transition of item `id` (in `table`, whose row the caller locked with
/// [`lock_state`] and found in `current`) in the caller's transaction: table check, new
/// state, `workflow_event`, deadline, notification of the next actor, audit entry.
pub async fn apply<S: State, A: Action>(
    tx: &mut Tx,
    w: &Workflow<S, A>,
    table: &'static str,
    id: impl Into<i64>,
    current: S,
    step: Step<'_, A>,
    by: &Performer<'_>,
) -> StoreResult<Applied<S>> {
    let id: i64 = id.into();
    let t = w.check(current, step.action, &|p| by.can(p)).map_err(refusal)?;
    let now = crate::time::now();
    sqlx::query(AssertSqlSafe(format!(
        "UPDATE {table} SET status = $1, updated_at = $2 WHERE id = $3"
    )))
    .bind(t.to.code())
    .bind(&now)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO workflow_event (workflow, object_id, from_state, action, to_state, user_id, at, note) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(w.name)
    .bind(id)
    .bind(current.code())
    .bind(step.action.code())
    .bind(t.to.code())
    .bind(by.user_id)
    .bind(&now)
    .bind(step.note.trim())
    .execute(&mut **tx)
    .await?;
    if let (DeadlineEffect::Replace(_), Some(d)) = (t.deadline, step.close) {
        crate::deadline::complete(tx, d).await?;
    }
    let deadline_id = match t.deadline {
        DeadlineEffect::None => None,
        DeadlineEffect::Open(rule) | DeadlineEffect::Replace(rule) => {
            let mut d = step.open.ok_or_else(|| {
                StoreError::Internal(format!(
                    "{}: {:?} opens a deadline but none was given",
                    w.name, step.action
                ))
            })?;
            d.rule_id = rule.to_string();
            d.notify_permission = t.next.unwrap_or_default().to_string();
            Some(crate::deadline::create(tx, &d).await?)
        }
        DeadlineEffect::Close => {
            if let Some(d) = step.close {
                crate::deadline::complete(tx, d).await?;
            }
            None
        }
    };
    let mut notified = 0;
    if let (Some(perm), Some((title, body, link))) = (t.next, &step.notice) {
        let mut recipients: Vec<UserId> = match step.next_org {
            Some(org) => crate::user::holders(tx, perm, Some(org)).await?,
            None => Vec::new(),
        };
        for &uid in &step.next_users {
            if !recipients.contains(&uid) && crate::user::holds(tx, uid, perm).await? {
                recipients.push(uid);
            }
        }
        for uid in recipients {
            if Some(uid) == by.user_id {
                continue;
            }
            crate::notification::send(tx, uid, title, body, link).await?;
            notified += 1;
        }
    }
    let action = format!("{}.{}", w.name, step.action.code());
    audit::append(
        tx,
        by.mode,
        &by.actor,
        &Event {
            action: &action,
            object_type: table,
            object_id: id.to_string(),
            outcome: Outcome::Success,
            detail: format!(
                "{}：{} → {}{}",
                step.action.label(),
                current.label(),
                t.to.label(),
                if step.detail.is_empty() {
                    String::new()
                } else {
                    format!("；{}", step.detail)
                }
            ),
        },
    )
    .await?;
    Ok(Applied {
        from: current,
        to: t.to,
        deadline_id,
        notified,
    })
}

/// One event of an item's history.
#[derive(Debug, Clone, Serialize)]
pub struct WorkflowEvent {
    /// From-state code.
    pub from_state: String,
    /// Action code.
    pub action: String,
    /// To-state code.
    pub to_state: String,
    /// Who (display name), empty for the system.
    pub by_name: String,
    /// When (UTC timestamp).
    pub at: String,
    /// Note.
    pub note: String,
}

/// The history of one item, oldest first (the caller has checked its scope).
pub async fn history(db: &crate::Db, workflow: &str, id: impl Into<i64>) -> StoreResult<Vec<WorkflowEvent>> {
    let id: i64 = id.into();
    let rows = sqlx::query(
        "SELECT e.from_state, e.action, e.to_state, COALESCE(u.display_name, '') AS by_name, e.at, e.note \
         FROM workflow_event e LEFT JOIN app_user u ON u.id = e.user_id \
         WHERE e.workflow = $1 AND e.object_id = $2 ORDER BY e.id",
    )
    .bind(workflow)
    .bind(id)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(WorkflowEvent {
                from_state: r.try_get(0)?,
                action: r.try_get(1)?,
                to_state: r.try_get(2)?,
                by_name: r.try_get(3)?,
                at: r.try_get(4)?,
                note: r.try_get(5)?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use qinglian_domain::data_supervision::FINDING_WORKFLOW;

    /// Every permission a workflow table names is in the permission catalogue.
    #[test]
    fn workflow_permissions_are_in_the_catalogue() {
        for p in FINDING_WORKFLOW.permissions() {
            assert!(crate::permission::find(p).is_some(), "{p} is not in the catalogue");
        }
        assert!(FINDING_WORKFLOW.lint().is_empty());
    }
}
