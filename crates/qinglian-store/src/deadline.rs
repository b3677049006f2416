//! Tracked deadlines: every module registers its time-limited items here, so one list shows
//! everything yellow and red in a user's scope and one daily job notifies the owners.

use chrono::NaiveDate;
use qinglian_domain::calendar::{Calendar, CalendarError};
use qinglian_domain::deadline::{DeadlineStatus, Due, Period, due_date, status};
use serde::Serialize;
use sqlx::{AssertSqlSafe, Row};

use crate::error::{StoreError, StoreResult};
use crate::org::OrgId;
use crate::sql::Query;
use crate::user::UserId;
use crate::{Db, Scope, Tx};

crate::id_type!(
    /// Id of a tracked deadline.
    DeadlineId
);

/// A tracked deadline.
#[derive(Debug, Clone, Serialize)]
pub struct Deadline {
    /// Id.
    pub id: DeadlineId,
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
    /// Due date 'YYYY-MM-DD'; empty while the due date is pending (see `pending_period`).
    pub due_date: String,
    /// The period (`workdays:15`…) of a due date that waits for a calendar year (待定), else empty.
    pub pending_period: String,
    /// Link to the object.
    pub link: String,
}

impl Deadline {
    /// Whether the due date waits for a calendar year (待定).
    pub fn is_pending(&self) -> bool {
        !self.pending_period.is_empty()
    }

    /// The due date as shown: the date, or 「待定」.
    pub fn due_display(&self) -> &str {
        if self.is_pending() {
            PENDING_LABEL
        } else {
            &self.due_date
        }
    }
}

/// The Chinese name of a module owning deadlines (lists show it, not the code).
pub fn module_label(module: &str) -> &str {
    match module {
        "data_supervision" => "大数据监督",
        "report" => "信访举报",
        "clue" => "问题线索",
        "case" => "案件",
        _ => module,
    }
}

/// How a pending due date is shown everywhere (lists, home page, exports).
pub const PENDING_LABEL: &str = "待定";

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
    /// Due date, or the period waiting for a calendar year ([`Due::Pending`]).
    pub due: Due,
    /// Link.
    pub link: String,
    /// Besides the owner, the users of the org holding this permission are told about the
    /// deadline (a workflow's next actor); empty = the owner only.
    pub notify_permission: String,
}

/// Register a deadline.
pub async fn create(tx: &mut Tx, d: &NewDeadline) -> StoreResult<DeadlineId> {
    if !crate::notification::is_internal_link(&d.link) {
        return Err(StoreError::invalid("link", "链接只能是本系统内的地址"));
    }
    let (due_text, pending) = match d.due {
        Due::On(due) if due < d.start_date => {
            return Err(StoreError::invalid("due_date", "期限不能早于起始日期"));
        }
        Due::On(due) => (due.format("%Y-%m-%d").to_string(), String::new()),
        Due::Pending { period, .. } => (String::new(), period.code()),
    };
    let row = sqlx::query(
        "INSERT INTO deadline (module, object_type, object_id, org_id, owner_user_id, title, rule_id, start_date, due_date, pending_period, link, notify_permission, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
    )
    .bind(&d.module)
    .bind(&d.object_type)
    .bind(&d.object_id)
    .bind(d.org_id)
    .bind(d.owner_user_id)
    .bind(&d.title)
    .bind(&d.rule_id)
    .bind(d.start_date.format("%Y-%m-%d").to_string())
    .bind(due_text)
    .bind(pending)
    .bind(&d.link)
    .bind(&d.notify_permission)
    .bind(crate::time::now())
    .fetch_one(&mut **tx)
    .await?;
    let id: DeadlineId = row.try_get(0)?;
    if let Due::Pending { year, .. } = d.due {
        tell_calendar_admins(tx, year).await?;
    }
    Ok(id)
}

/// Title of the notification that asks the calendar administrators for a missing year.
pub fn missing_year_title(year: i32) -> String {
    format!("【请录入{year}年日历】有办理期限因缺少{year}年节假日安排而待定")
}

/// Tells every user who maintains the calendar (`config.manage`) that a year is missing and
/// deadlines wait for it — once: not again while an earlier such notice is still unread.
pub async fn tell_calendar_admins(tx: &mut Tx, year: i32) -> StoreResult<usize> {
    let title = missing_year_title(year);
    let users = sqlx::query(
        "SELECT DISTINCT u.id FROM app_user u JOIN user_role ur ON ur.user_id = u.id JOIN role_permission rp ON rp.role_id = ur.role_id \
         WHERE u.disabled = 0 AND rp.permission = $1 \
         AND NOT EXISTS (SELECT 1 FROM notification n WHERE n.user_id = u.id AND n.title = $2 AND n.read_at IS NULL)",
    )
    .bind(crate::permission::CONFIG_MANAGE)
    .bind(&title)
    .fetch_all(&mut **tx)
    .await?;
    let body = format!(
        "系统中还没有{year}年的节假日安排（国务院办公厅《关于{year}年部分节假日安排的通知》），\
         跨入{year}年的工作日期限暂记为“待定”，相关工作照常进行。请在“工作日历维护”中粘贴该通知并保存，\
         保存后所有待定期限会立即计算并通知经办人。"
    );
    for r in &users {
        let uid: UserId = r.try_get(0)?;
        crate::notification::send(tx, uid, &title, &body, "/admin/calendar").await?;
    }
    Ok(users.len())
}

/// Marks the requests to enter `year` read once the year is saved (they are done).
pub async fn close_missing_year_requests(tx: &mut Tx, year: i32) -> StoreResult<()> {
    sqlx::query("UPDATE notification SET read_at = $1 WHERE title = $2 AND read_at IS NULL")
        .bind(crate::time::now())
        .bind(missing_year_title(year))
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Number of open deadlines whose due date is pending (待定).
pub async fn pending_count(db: &Db) -> StoreResult<i64> {
    Ok(
        sqlx::query("SELECT COUNT(*) FROM deadline WHERE done_at IS NULL AND pending_period <> ''")
            .fetch_one(db.pool())
            .await?
            .try_get(0)?,
    )
}

/// A pending deadline that a newly saved calendar year made computable.
#[derive(Debug, Clone, Serialize)]
pub struct Resolved {
    /// Deadline id.
    pub id: DeadlineId,
    /// Its title.
    pub title: String,
    /// The due date now computed.
    pub due_date: NaiveDate,
}

/// Computes every pending due date that `cal` can now compute (after an administrator saved
/// a year), stores it and tells whoever the deadline concerns: its owner, and the users of its
/// org who hold its `notify_permission` (the workflow's next actor). Returns what was resolved;
/// the caller audits it in the same transaction.
pub async fn resolve_pending(tx: &mut Tx, cal: &Calendar) -> StoreResult<Vec<Resolved>> {
    let rows = sqlx::query(
        "SELECT id, title, start_date, pending_period, owner_user_id, link, org_id, notify_permission FROM deadline \
         WHERE done_at IS NULL AND pending_period <> '' ORDER BY id",
    )
    .fetch_all(&mut **tx)
    .await?;
    let mut out = Vec::new();
    for r in &rows {
        let id: DeadlineId = r.try_get(0)?;
        let title: String = r.try_get(1)?;
        let start: String = r.try_get(2)?;
        let code: String = r.try_get(3)?;
        let owner: Option<UserId> = r.try_get(4)?;
        let link: String = r.try_get(5)?;
        let org_id: OrgId = r.try_get(6)?;
        let notify_permission: String = r.try_get(7)?;
        let start = NaiveDate::parse_from_str(&start, "%Y-%m-%d")
            .map_err(|_| StoreError::Internal(format!("deadline {id} has a bad start date")))?;
        let period = Period::parse_code(&code)
            .ok_or_else(|| StoreError::Internal(format!("deadline {id} has a bad pending period")))?;
        let Ok(due) = due_date(cal, start, period) else {
            continue; // still runs into a year without data
        };
        sqlx::query("UPDATE deadline SET due_date = $1, pending_period = '' WHERE id = $2")
            .bind(due.format("%Y-%m-%d").to_string())
            .bind(id)
            .execute(&mut **tx)
            .await?;
        let mut recipients: Vec<UserId> = owner.into_iter().collect();
        if !notify_permission.is_empty() {
            for uid in crate::user::holders(tx, &notify_permission, Some(org_id)).await? {
                if !recipients.contains(&uid) {
                    recipients.push(uid);
                }
            }
        }
        for uid in recipients {
            crate::notification::send(
                tx,
                uid,
                &format!("【期限已确定】{title}"),
                &format!("工作日历已录入，办理期限确定为{}。", due.format("%Y年%-m月%-d日")),
                &link,
            )
            .await?;
        }
        out.push(Resolved {
            id,
            title,
            due_date: due,
        });
    }
    Ok(out)
}

/// Mark a deadline met (the item was done).
pub async fn complete(tx: &mut Tx, id: DeadlineId) -> StoreResult<()> {
    sqlx::query("UPDATE deadline SET done_at = $1 WHERE id = $2")
        .bind(crate::time::now())
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

const COLS: &str = concat!(
    "d.id, d.module, d.object_type, d.object_id, d.org_id, ",
    org_display!("o"),
    " AS org_name, d.owner_user_id, d.title, d.rule_id, d.start_date, d.due_date, d.pending_period, d.link"
);

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
        pending_period: r.try_get("pending_period")?,
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
    if d.is_pending() {
        return Ok(DeadlineWithStatus {
            deadline: d,
            status: DeadlineStatus::Pending,
            workdays_left: 0,
            note: Some("所需年份的节假日安排尚未录入，期限待定；系统管理员保存该年日历后自动计算".into()),
        });
    }
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

/// Open deadlines in a scope that are yellow, red or pending (待定) today, most urgent first. A
/// deadline whose status cannot be computed (calendar year missing) is never hidden.
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

/// The open deadlines of one record (a module's page and API show them), earliest first, each
/// with its status on `today`. The caller has checked that the record is in its scope.
pub async fn open_of(
    db: &Db,
    object_type: &str,
    object_id: &str,
    cal: &Calendar,
    today: NaiveDate,
    yellow: u32,
) -> StoreResult<Vec<DeadlineWithStatus>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM deadline d JOIN org o ON o.id = d.org_id \
         WHERE d.done_at IS NULL AND d.object_type = $1 AND d.object_id = $2 ORDER BY d.id"
    )))
    .bind(object_type)
    .bind(object_id)
    .fetch_all(db.pool())
    .await?;
    let mut out = Vec::new();
    for r in &rows {
        let d = from_row(r)?;
        out.push(with_status(cal, today, yellow, d.clone()).unwrap_or_else(|e| uncertain(d, today, &e)));
    }
    Ok(out)
}

/// The item's open deadline (the newest, if a step left more than one), for a workflow step to
/// close or replace.
pub async fn open_of_item(tx: &mut Tx, object_type: &str, object_id: &str) -> StoreResult<Option<DeadlineId>> {
    Ok(sqlx::query(
        "SELECT id FROM deadline WHERE object_type = $1 AND object_id = $2 AND done_at IS NULL ORDER BY id DESC",
    )
    .bind(object_type)
    .bind(object_id)
    .fetch_optional(&mut **tx)
    .await?
    .map(|r| r.try_get(0))
    .transpose()?)
}

/// The due date of the latest deadline of `rule_id` on an item (open or done), if it has one
/// that is not pending (a notice states the date its limit ends).
pub async fn due_of_rule(db: &Db, object_type: &str, object_id: &str, rule_id: &str) -> StoreResult<Option<NaiveDate>> {
    let due: Option<String> = sqlx::query(
        "SELECT due_date FROM deadline WHERE object_type = $1 AND object_id = $2 AND rule_id = $3 ORDER BY id DESC",
    )
    .bind(object_type)
    .bind(object_id)
    .bind(rule_id)
    .fetch_optional(db.pool())
    .await?
    .map(|r| r.try_get(0))
    .transpose()?;
    Ok(due.and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()))
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
        if matches!(ws.status, DeadlineStatus::Green | DeadlineStatus::Pending) || notified == ws.status.as_str() {
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

/// The figures of one to-do card: how many items, the nearest due date among their open
/// limits, how many are past due and how many wait for a calendar year (待定).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TodoCount {
    /// How many.
    pub count: i64,
    /// The nearest due date ('YYYY-MM-DD'), if any is known.
    pub nearest_due: Option<String>,
    /// How many are past due on the day given.
    pub overdue: i64,
    /// How many wait for a calendar year.
    pub pending: i64,
}

/// The start of a to-do count over the open deadline joined as `alias` (each module adds its
/// `FROM … WHERE …`, then [`todo_count`] runs it): every module's cards count the same way.
pub fn todo_select(alias: &str, today: NaiveDate) -> Query {
    let mut q = Query::new(&format!(
        "SELECT COUNT(*), MIN(NULLIF({alias}.due_date, '')), COALESCE(SUM(CASE WHEN {alias}.due_date <> '' AND {alias}.due_date < "
    ));
    q.bind_text(today.format("%Y-%m-%d").to_string());
    q.push(&format!(
        " THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN {alias}.pending_period <> '' THEN 1 ELSE 0 END), 0) "
    ));
    q
}

/// Runs a query begun with [`todo_select`].
pub async fn todo_count(db: &Db, q: Query) -> StoreResult<TodoCount> {
    let r = q.build().fetch_one(db.pool()).await?;
    Ok(TodoCount {
        count: r.try_get(0)?,
        nearest_due: r.try_get(1)?,
        overdue: r.try_get(2)?,
        pending: r.try_get(3)?,
    })
}
