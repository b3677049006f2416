//! Tracked deadlines: every module registers its time-limited items here, so one list shows
//! everything yellow and red in a user's scope and one daily job notifies the owners.

use chrono::NaiveDate;
use qinglian_domain::calendar::{Calendar, CalendarError};
use qinglian_domain::deadline::{DeadlineStatus, status};
use serde::Serialize;
use sqlx::{AssertSqlSafe, Row};

use crate::error::{StoreError, StoreResult};
use crate::org::OrgId;
use crate::sql::Query;
use crate::user::UserId;
use crate::{Db, Scope, Tx};

/// A tracked deadline.
#[derive(Debug, Clone, Serialize)]
pub struct Deadline {
    /// Id.
    pub id: i64,
    /// Module that owns it ("report", "clue", "data_supervision"…).
    pub module: String,
    /// Object type.
    pub object_type: String,
    /// Object id.
    pub object_id: String,
    /// Responsible org (scope filter).
    pub org_id: OrgId,
    /// Name of that org.
    pub org_name: String,
    /// Owner to notify.
    pub owner_user_id: Option<UserId>,
    /// Title shown in lists.
    pub title: String,
    /// The rule in `qinglian_domain::rules` that set the period.
    pub rule_id: String,
    /// Start date (day 0).
    pub start_date: String,
    /// Due date.
    pub due_date: String,
    /// Link to the object.
    pub link: String,
}

/// Input for a new deadline. The due date is computed by the caller with the calendar.
#[derive(Debug, Clone)]
pub struct NewDeadline {
    /// Module.
    pub module: String,
    /// Object type.
    pub object_type: String,
    /// Object id.
    pub object_id: String,
    /// Responsible org.
    pub org_id: OrgId,
    /// Owner.
    pub owner_user_id: Option<UserId>,
    /// Title.
    pub title: String,
    /// Rule id.
    pub rule_id: String,
    /// Start date.
    pub start_date: NaiveDate,
    /// Due date.
    pub due_date: NaiveDate,
    /// Link.
    pub link: String,
}

/// Register a deadline.
pub async fn create(tx: &mut Tx, d: &NewDeadline) -> StoreResult<i64> {
    if !crate::notification::is_internal_link(&d.link) {
        return Err(StoreError::invalid("link", "链接只能是本系统内的地址"));
    }
    if d.due_date < d.start_date {
        return Err(StoreError::invalid("due_date", "期限不能早于起始日期"));
    }
    let row = sqlx::query(
        "INSERT INTO deadline (module, object_type, object_id, org_id, owner_user_id, title, rule_id, start_date, due_date, link, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(&d.module)
    .bind(&d.object_type)
    .bind(&d.object_id)
    .bind(d.org_id)
    .bind(d.owner_user_id)
    .bind(&d.title)
    .bind(&d.rule_id)
    .bind(d.start_date.format("%Y-%m-%d").to_string())
    .bind(d.due_date.format("%Y-%m-%d").to_string())
    .bind(&d.link)
    .bind(crate::time::now())
    .fetch_one(&mut **tx)
    .await?;
    Ok(row.try_get(0)?)
}

/// Mark a deadline met (the item was done).
pub async fn complete(tx: &mut Tx, id: i64) -> StoreResult<()> {
    sqlx::query("UPDATE deadline SET done_at = $1 WHERE id = $2")
        .bind(crate::time::now())
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

const COLS: &str = "d.id, d.module, d.object_type, d.object_id, d.org_id, o.name AS org_name, d.owner_user_id, d.title, d.rule_id, d.start_date, d.due_date, d.link";

fn from_row(r: &sqlx::any::AnyRow) -> StoreResult<Deadline> {
    Ok(Deadline {
        id: r.try_get("id")?,
        module: r.try_get("module")?,
        object_type: r.try_get("object_type")?,
        object_id: r.try_get("object_id")?,
        org_id: r.try_get("org_id")?,
        org_name: r.try_get("org_name")?,
        owner_user_id: r.try_get("owner_user_id")?,
        title: r.try_get("title")?,
        rule_id: r.try_get("rule_id")?,
        start_date: r.try_get("start_date")?,
        due_date: r.try_get("due_date")?,
        link: r.try_get("link")?,
    })
}

/// A deadline with its status on a given day.
#[derive(Debug, Clone, Serialize)]
pub struct DeadlineWithStatus {
    /// The deadline.
    #[serde(flatten)]
    pub deadline: Deadline,
    /// Status.
    pub status: DeadlineStatus,
    /// Working days left (negative when overdue).
    pub workdays_left: i64,
    /// Why the status could not be computed exactly (a calendar year is missing), if so.
    pub note: Option<String>,
}

fn with_status(
    cal: &Calendar,
    today: NaiveDate,
    yellow: u32,
    d: Deadline,
) -> Result<DeadlineWithStatus, CalendarError> {
    let due = NaiveDate::parse_from_str(&d.due_date, "%Y-%m-%d").unwrap_or(today);
    let st = status(cal, today, due, yellow)?;
    let left = qinglian_domain::deadline::workdays_left(cal, today, due)?;
    Ok(DeadlineWithStatus {
        deadline: d,
        status: st,
        workdays_left: left,
        note: None,
    })
}

/// A deadline whose working days cannot be counted (its year has no calendar yet): overdue
/// is still certain from the dates; otherwise it is shown as yellow with the reason, never
/// hidden and never falsely red.
fn uncertain(d: Deadline, today: NaiveDate, e: &CalendarError) -> DeadlineWithStatus {
    let overdue = NaiveDate::parse_from_str(&d.due_date, "%Y-%m-%d").is_ok_and(|due| due < today);
    DeadlineWithStatus {
        deadline: d,
        status: if overdue {
            DeadlineStatus::Red
        } else {
            DeadlineStatus::Yellow
        },
        workdays_left: 0,
        note: Some(e.to_string()),
    }
}

/// Open deadlines in a scope that are yellow or red today, most urgent first. A deadline whose
/// status cannot be computed (calendar year missing) is shown as red: never hidden.
pub async fn warnings_in_scope(
    db: &Db,
    scope: &Scope,
    cal: &Calendar,
    today: NaiveDate,
    yellow: u32,
) -> StoreResult<Vec<DeadlineWithStatus>> {
    let mut q = Query::new(&format!(
        "SELECT {COLS} FROM deadline d JOIN org o ON o.id = d.org_id WHERE d.done_at IS NULL"
    ));
    scope.push_filter(&mut q, "o.path");
    q.push(" ORDER BY d.due_date, d.id");
    let rows = q.build().fetch_all(db.pool()).await?;
    let mut out = Vec::new();
    for r in &rows {
        let d = from_row(r)?;
        let ws = with_status(cal, today, yellow, d.clone()).unwrap_or_else(|e| uncertain(d, today, &e));
        if ws.status != DeadlineStatus::Green {
            out.push(ws);
        }
    }
    out.sort_by_key(|w| (std::cmp::Reverse(w.status), w.deadline.due_date.clone()));
    Ok(out)
}

/// The daily job: notify each owner once when an open deadline turns yellow and once when it
/// turns red. Returns the number of notifications sent.
pub async fn notify_owners(db: &Db, cal: &Calendar, today: NaiveDate, yellow: u32) -> StoreResult<usize> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT {COLS}, d.notified_status FROM deadline d JOIN org o ON o.id = d.org_id \
         JOIN app_user u ON u.id = d.owner_user_id WHERE d.done_at IS NULL AND u.disabled = 0"
    )))
    .fetch_all(db.pool())
    .await?;
    let mut sent = 0;
    let mut tx = db.begin().await?;
    for r in &rows {
        let d = from_row(r)?;
        let notified: String = r.try_get("notified_status")?;
        let ws = match with_status(cal, today, yellow, d) {
            Ok(ws) => ws,
            Err(e) => {
                tracing::warn!(deadline.id = r.try_get::<i64, _>("id")?, error = %e, "deadline status needs a calendar year");
                continue;
            }
        };
        if ws.status == DeadlineStatus::Green || notified == ws.status.as_str() {
            continue;
        }
        let d = &ws.deadline;
        // Claim the notification first: with several servers on one database only the one
        // whose update changes the row sends it.
        let claimed = sqlx::query(
            "UPDATE deadline SET notified_status = $1, notified_on = $2 WHERE id = $3 AND notified_status <> $1",
        )
        .bind(ws.status.as_str())
        .bind(today.format("%Y-%m-%d").to_string())
        .bind(d.id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if claimed != 1 {
            continue;
        }
        let (title, body) = match ws.status {
            DeadlineStatus::Red => (
                format!("【逾期】{}", d.title),
                format!("办理期限{}已过，请尽快办理。", d.due_date),
            ),
            _ => (
                format!("【临期】{}", d.title),
                format!("办理期限为{}，剩余{}个工作日。", d.due_date, ws.workdays_left),
            ),
        };
        if let Some(owner) = d.owner_user_id {
            crate::notification::send(&mut tx, owner, &title, &body, &d.link).await?;
            sent += 1;
        }
    }
    tx.commit().await?;
    Ok(sent)
}
