//! Reports (信访举报, issue #12): the one register of every channel, the handling workflow
//! (`qinglian_domain::report`'s tables through `workflow::apply`), and what the reporter sees
//! with a receipt code.
//!
//! Protection: the reporter's identity and every text of a report (title, content, replies,
//! supplements) are stored only as key-ring ciphertext bound to the row (`report:<id>:<field>`
//! as associated data, so a ciphertext copied to another row does not open). The receipt code
//! is stored only as the hash the caller computed (Argon2id in the web layer). Nothing here
//! logs a report's text or identity.

use chrono::NaiveDate;
use qinglian_crypto::KeyRing;
use qinglian_domain::deadline::Due;
use qinglian_domain::report::{Channel, Kind, ReportAction, ReportState};
use qinglian_domain::workflow::State;
use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::deadline::{DeadlineId, NewDeadline};
use crate::error::{StoreError, StoreResult};
use crate::org::OrgId;
use crate::sql::{Page, Query};
use crate::user::UserId;
use crate::workflow::{self, Performer, Step};
use crate::{Db, Scope, Tx};

crate::id_type!(
    /// Id of a report.
    ReportId
);

/// The object type of reports in deadlines, attachments and the audit log.
pub const OBJECT_TYPE: &str = "report";

/// Who reported (实名 only). Encrypted as one JSON document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reporter {
    /// 姓名.
    pub name: String,
    /// 身份证号 (checked by GB 11643 before it gets here).
    pub id_number: String,
    /// 联系电话.
    pub phone: String,
    /// 通讯地址.
    pub address: String,
}

/// Who or what the report is about (clear: staff search and duplicate detection use it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    /// 被反映人姓名 (or an organisation's name).
    pub name: String,
    /// 单位.
    pub org: String,
    /// 职务.
    pub post: String,
    /// 级别.
    pub level: String,
}

/// A report as received.
#[derive(Debug, Clone)]
pub struct NewReport {
    /// The commission that handles it.
    pub org_id: OrgId,
    /// Kind.
    pub kind: Kind,
    /// Channel.
    pub channel: Channel,
    /// The sending system's id (hotline), for idempotent posting.
    pub external_id: Option<String>,
    /// The reporter, for a named report.
    pub reporter: Option<Reporter>,
    /// The receipt code's hash, when a code was issued.
    pub receipt_hash: Option<String>,
    /// The subject.
    pub subject: Subject,
    /// Category (问题类别).
    pub category: String,
    /// Title.
    pub title: String,
    /// The matter.
    pub content: String,
    /// When it happened (as the reporter says it).
    pub happened_on: String,
    /// Where.
    pub place: String,
    /// Visitors of a group visit (来访).
    pub visitors: i64,
    /// Day received (day 0 of every limit).
    pub received_on: NaiveDate,
    /// About the commission's own principal: recorded as forwarded to the next level up.
    pub about_principal: bool,
    /// Belongs to a higher commission: its first limit is forwarding it up (RULES.md §2).
    pub belongs_higher: bool,
    /// The earlier report this one repeats, when the handler said so at entry.
    pub duplicate_of: Option<ReportId>,
}

impl NewReport {
    /// Its first time limit (RULES.md §2): by kind, channel and whether it belongs higher.
    pub fn first_rule(&self) -> &'static str {
        self.kind.first_rule_for(self.channel, self.belongs_higher)
    }
}

/// What [`create`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Created {
    /// The report.
    pub id: ReportId,
    /// `true` when the channel's external id was already registered (nothing new written).
    pub existing: bool,
    /// Its state.
    pub state: ReportState,
}

fn aad(id: ReportId, field: &str) -> Vec<u8> {
    format!("report:{}:{field}", id.0).into_bytes()
}

fn seal(keys: &KeyRing, id: ReportId, field: &str, text: &str) -> String {
    keys.encrypt(text.as_bytes(), &aad(id, field))
}

fn open(keys: &KeyRing, id: ReportId, field: &str, token: &str) -> StoreResult<String> {
    if token.is_empty() {
        return Ok(String::new());
    }
    let bytes = keys
        .decrypt(token, &aad(id, field))
        .map_err(|e| StoreError::Internal(format!("report {} {field} cannot be decrypted: {e}", id.0)))?;
    String::from_utf8(bytes).map_err(|_| StoreError::Internal(format!("report {} {field} is not UTF-8", id.0)))
}

/// The title of a report's deadlines and notifications: no text of the report (the deadline
/// list is wider than the report's readers).
pub fn item_title(id: ReportId) -> String {
    format!("信访件 #{}", id.0)
}

/// The link to a report's page.
pub fn link(id: ReportId) -> String {
    format!("/reports/{}", id.0)
}

/// Registers a report in the caller's transaction and opens its first time limit (`due`,
/// computed by the caller from `kind.first_rule()` and the day received). A channel's external
/// id registered before returns that report (`existing`), changing nothing. A report about
/// the commission's own principal is recorded as forwarded at once (RULES.md §2).
pub async fn create(tx: &mut Tx, keys: &KeyRing, r: &NewReport, due: Due, by: Option<UserId>) -> StoreResult<Created> {
    if let Some(ext) = r.external_id.as_deref() {
        let found = sqlx::query("SELECT id, status FROM report WHERE channel = $1 AND external_id = $2")
            .bind(r.channel.code())
            .bind(ext)
            .fetch_optional(&mut **tx)
            .await?;
        if let Some(row) = found {
            let status: String = row.try_get(1)?;
            return Ok(Created {
                id: row.try_get(0)?,
                existing: true,
                state: ReportState::parse(&status).unwrap_or(ReportState::Registered),
            });
        }
    }
    if let Some(dup) = r.duplicate_of {
        let n: i64 = sqlx::query("SELECT COUNT(*) FROM report WHERE id = $1")
            .bind(dup)
            .fetch_one(&mut **tx)
            .await?
            .try_get(0)?;
        if n == 0 {
            return Err(StoreError::invalid("duplicate_of", "所选的原件不存在"));
        }
    }
    let state = if r.about_principal {
        ReportState::Forwarded
    } else if r.duplicate_of.is_some() {
        ReportState::Duplicate
    } else {
        ReportState::Registered
    };
    let now = crate::time::now();
    let id: ReportId = sqlx::query(
        "INSERT INTO report (org_id, kind, channel, external_id, named, receipt_hash, subject_name, subject_org, \
         subject_post, subject_level, category, title_enc, content_enc, happened_on, place, visitors, received_on, \
         status, duplicate_of, about_principal, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, '', '', $12, $13, $14, $15, $16, $17, $18, $19, $20, $20) \
         RETURNING id",
    )
    .bind(r.org_id)
    .bind(r.kind.code())
    .bind(r.channel.code())
    .bind(r.external_id.as_deref())
    .bind(r.reporter.is_some() as i64)
    .bind(r.receipt_hash.as_deref())
    .bind(r.subject.name.trim())
    .bind(r.subject.org.trim())
    .bind(r.subject.post.trim())
    .bind(r.subject.level.trim())
    .bind(r.category.trim())
    .bind(r.happened_on.trim())
    .bind(r.place.trim())
    .bind(r.visitors)
    .bind(r.received_on.format("%Y-%m-%d").to_string())
    .bind(state.code())
    .bind(r.duplicate_of)
    .bind(r.about_principal as i64)
    .bind(by)
    .bind(&now)
    .fetch_one(&mut **tx)
    .await?
    .try_get(0)?;
    // Entered as a duplicate or as forwarded up: the history says so from the start.
    if state != ReportState::Registered {
        let action = if state == ReportState::Duplicate {
            ReportAction::MarkDuplicate
        } else {
            ReportAction::Forward
        };
        sqlx::query(
            "INSERT INTO workflow_event (workflow, object_id, from_state, action, to_state, user_id, at, note) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, '')",
        )
        .bind(r.kind.workflow().name)
        .bind(id)
        .bind(ReportState::Registered.code())
        .bind(qinglian_domain::workflow::Action::code(action))
        .bind(state.code())
        .bind(by)
        .bind(&now)
        .execute(&mut **tx)
        .await?;
    }
    let reporter = match &r.reporter {
        Some(p) => seal(
            keys,
            id,
            "reporter",
            &serde_json::to_string(p).map_err(|e| StoreError::Internal(e.to_string()))?,
        ),
        None => String::new(),
    };
    sqlx::query("UPDATE report SET reporter_enc = $1, title_enc = $2, content_enc = $3 WHERE id = $4")
        .bind(reporter)
        .bind(seal(keys, id, "title", r.title.trim()))
        .bind(seal(keys, id, "content", r.content.trim()))
        .bind(id)
        .execute(&mut **tx)
        .await?;
    if state == ReportState::Registered {
        crate::deadline::create(
            tx,
            &NewDeadline {
                module: "report".into(),
                object_type: OBJECT_TYPE.into(),
                object_id: id.to_string(),
                org_id: r.org_id,
                owner_user_id: by,
                title: {
                    let rule = r.first_rule();
                    let what = if r.reporter.is_none() && rule == qinglian_domain::report::RULE_ACCEPT_NOTICE {
                        // Nobody to tell: the limit is the office's own decision.
                        "作出是否受理的决定（匿名举报）"
                    } else {
                        qinglian_domain::rules::rule(rule).map_or("受理", |x| x.title)
                    };
                    format!("{}：{what}", item_title(id))
                },
                rule_id: r.first_rule().into(),
                start_date: r.received_on,
                due,
                link: link(id),
                notify_permission: qinglian_domain::report::PERM_HANDLE.into(),
            },
        )
        .await?;
    }
    Ok(Created {
        id,
        existing: false,
        state,
    })
}

/// A report as staff see it: everything but who reported.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Id.
    pub id: ReportId,
    /// The handling commission.
    pub org_id: OrgId,
    /// Its name.
    pub org_name: String,
    /// The unit it is assigned to.
    pub handler_org_id: Option<OrgId>,
    /// That unit's name (its path where the name is ambiguous).
    pub handler_org_name: Option<String>,
    /// Kind code.
    pub kind: String,
    /// Channel code.
    pub channel: String,
    /// The sending system's id.
    pub external_id: Option<String>,
    /// 实名.
    pub named: bool,
    /// Subject.
    pub subject: Subject,
    /// Category.
    pub category: String,
    /// Title (decrypted).
    pub title: String,
    /// Content (decrypted; empty in lists).
    pub content: String,
    /// When it happened.
    pub happened_on: String,
    /// Where.
    pub place: String,
    /// Visitors.
    pub visitors: i64,
    /// Received.
    pub received_on: String,
    /// State code.
    pub status: String,
    /// The earlier report it repeats.
    pub duplicate_of: Option<ReportId>,
    /// Extended once (petitions).
    pub extended: bool,
    /// The reporter's verdict on the reply (code of `SATISFACTION`), empty if none.
    pub satisfaction: String,
    /// 我为群众办实事: the day the unit promised ('' if none).
    pub promised_on: String,
    /// The day it was concluded ('' before).
    pub concluded_on: String,
    /// The summary published on the portal ('' = not published).
    pub public_summary: String,
    /// The open time limit: its rule, due date ('' while pending) and the period waiting for a
    /// calendar year.
    pub due: Option<OpenLimit>,
}

/// A report's open time limit.
#[derive(Debug, Clone, Serialize)]
pub struct OpenLimit {
    /// The deadline's id.
    pub deadline_id: DeadlineId,
    /// Rule id.
    pub rule: String,
    /// Due date, `None` while pending (待定).
    pub due_date: Option<String>,
}

impl Report {
    /// The state.
    pub fn state(&self) -> ReportState {
        ReportState::parse(&self.status).unwrap_or(ReportState::Registered)
    }
    /// The kind.
    pub fn kind(&self) -> Kind {
        Kind::parse(&self.kind).unwrap_or(Kind::Accusation)
    }
    /// Kind label.
    pub fn kind_label(&self) -> &'static str {
        self.kind().label()
    }
    /// Channel label.
    pub fn channel_label(&self) -> &'static str {
        Channel::parse(&self.channel).map_or("其他", Channel::label)
    }
    /// State label.
    pub fn status_label(&self) -> &'static str {
        self.state().label()
    }
}

const FROM: &str = " FROM report r JOIN org o ON o.id = r.org_id LEFT JOIN org h ON h.id = r.handler_org_id \
                     LEFT JOIN deadline d ON d.id = (SELECT MAX(dd.id) FROM deadline dd WHERE dd.object_type = 'report' \
                     AND dd.object_id = CAST(r.id AS TEXT) AND dd.done_at IS NULL) \
                     WHERE r.about_principal = 0";

fn cols() -> String {
    format!(
        "r.id, r.org_id, {} AS org_name, r.handler_org_id, {} AS handler_org_name, r.kind, r.channel, r.external_id, \
         r.named, r.subject_name, r.subject_org, r.subject_post, r.subject_level, r.category, r.title_enc, r.happened_on, \
         r.place, r.visitors, r.received_on, r.status, r.duplicate_of, r.extended, r.satisfaction, r.promised_on, r.concluded_on, \
         r.public_summary, d.id AS deadline_id, \
         d.rule_id, d.due_date",
        org_display!("o"),
        org_display!("h")
    )
}

fn from_row(keys: &KeyRing, r: &sqlx::any::AnyRow) -> StoreResult<Report> {
    let id: ReportId = r.try_get("id")?;
    let deadline_id: Option<DeadlineId> = r.try_get("deadline_id")?;
    let due = match deadline_id {
        Some(deadline_id) => {
            let due_date: String = r.try_get("due_date")?;
            Some(OpenLimit {
                deadline_id,
                rule: r.try_get("rule_id")?,
                due_date: (!due_date.is_empty()).then_some(due_date),
            })
        }
        None => None,
    };
    Ok(Report {
        id,
        org_id: r.try_get("org_id")?,
        org_name: r.try_get("org_name")?,
        handler_org_id: r.try_get("handler_org_id")?,
        handler_org_name: r.try_get("handler_org_name")?,
        kind: r.try_get("kind")?,
        channel: r.try_get("channel")?,
        external_id: r.try_get("external_id")?,
        named: r.try_get::<i64, _>("named")? != 0,
        subject: Subject {
            name: r.try_get("subject_name")?,
            org: r.try_get("subject_org")?,
            post: r.try_get("subject_post")?,
            level: r.try_get("subject_level")?,
        },
        category: r.try_get("category")?,
        title: open(keys, id, "title", &r.try_get::<String, _>("title_enc")?)?,
        content: String::new(),
        happened_on: r.try_get("happened_on")?,
        place: r.try_get("place")?,
        visitors: r.try_get("visitors")?,
        received_on: r.try_get("received_on")?,
        status: r.try_get("status")?,
        duplicate_of: r.try_get("duplicate_of")?,
        extended: r.try_get::<i64, _>("extended")? != 0,
        satisfaction: r.try_get("satisfaction")?,
        promised_on: r.try_get("promised_on")?,
        concluded_on: r.try_get("concluded_on")?,
        public_summary: r.try_get("public_summary")?,
        due,
    })
}

/// The scope of reports: the handling commission's org, or the unit it is assigned to.
fn push_scope(scope: &Scope, q: &mut Query) {
    if scope.is_empty() {
        q.push(" AND 1 = 0");
        return;
    }
    q.push(" AND (1 = 0");
    for p in scope.paths() {
        for col in ["o.path", "h.path"] {
            q.push(" OR ");
            q.push(col);
            q.push(" LIKE ");
            q.bind_text(format!("{p}%"));
        }
    }
    q.push(")");
}

/// Filters of the report list.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ReportFilter {
    /// State code(s), comma-separated.
    pub status: Option<String>,
    /// Kind code.
    pub kind: Option<String>,
    /// Channel code.
    pub channel: Option<String>,
    /// Subject name (or part of it), or the report's number.
    pub q: Option<String>,
    /// Only those assigned to this unit.
    pub handler_org_id: Option<OrgId>,
    /// Only those whose open limit is overdue on this day.
    #[serde(skip)]
    pub overdue_on: Option<String>,
    /// 问题类别 (exact; "-" = not given).
    pub category: Option<String>,
    /// The subject's level (exact; "-" = not given).
    pub level: Option<String>,
    /// Received on or after ('YYYY-MM-DD').
    pub from: Option<String>,
    /// Received on or before ('YYYY-MM-DD').
    pub to: Option<String>,
    /// Leave out 重复件 (as the statistics count).
    #[serde(default)]
    pub no_duplicates: bool,
    /// Reports whose decrypted title or content contains `q` (filled by [`list`] and
    /// [`list_all`] from [`text_matches`]).
    #[serde(skip)]
    pub text_ids: Vec<i64>,
}

/// The most reports one full-text search decrypts (a city receives a few thousand a year;
/// beyond this the search says so rather than slowing every list).
pub const TEXT_SEARCH_LIMIT: i64 = 20_000;

/// Reports in scope whose title or content contains `needle`, found by decrypting them (the
/// text is stored only encrypted, so no index can see it: issue #12 §4 — full text is searched
/// within the user's scope after decryption, the newest `TEXT_SEARCH_LIMIT` reports; a keyed
/// blind index would leak word frequencies and still miss substrings of Chinese text, which has
/// no spaces to split on).
pub async fn text_matches(db: &Db, keys: &KeyRing, scope: &Scope, needle: &str) -> StoreResult<Vec<i64>> {
    let needle = needle.trim();
    if needle.chars().count() < 2 {
        return Ok(Vec::new());
    }
    let mut q = Query::new(&format!("SELECT r.id, r.title_enc, r.content_enc{FROM}"));
    push_scope(scope, &mut q);
    q.push(" ORDER BY r.id DESC LIMIT ");
    q.bind_int(TEXT_SEARCH_LIMIT);
    let rows = q.build().fetch_all(db.pool()).await?;
    let mut out = Vec::new();
    for r in &rows {
        let id = ReportId(r.try_get(0)?);
        let title = open(keys, id, "title", &r.try_get::<String, _>(1)?)?;
        let content = open(keys, id, "content", &r.try_get::<String, _>(2)?)?;
        if title.contains(needle) || content.contains(needle) {
            out.push(id.0);
        }
    }
    Ok(out)
}

async fn with_text(db: &Db, keys: &KeyRing, scope: &Scope, f: &ReportFilter) -> StoreResult<ReportFilter> {
    let mut f = f.clone();
    if let Some(q) = f.q.as_deref() {
        f.text_ids = text_matches(db, keys, scope, q).await?;
    }
    Ok(f)
}

fn filtered(scope: &Scope, f: &ReportFilter, cols: &str) -> Query {
    let mut q = Query::new(&format!("SELECT {cols}{FROM}"));
    push_scope(scope, &mut q);
    q.push_in("r.status", f.status.as_deref());
    q.push_in("r.kind", f.kind.as_deref());
    q.push_in("r.channel", f.channel.as_deref());
    if let Some(t) = f.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let number = t.trim_start_matches('#').parse::<i64>().ok();
        q.push(" AND (r.subject_name LIKE ");
        q.bind_text(format!("%{}%", crate::sql::like_escape(t)));
        q.push(" ESCAPE '\\' OR r.subject_org LIKE ");
        q.bind_text(format!("%{}%", crate::sql::like_escape(t)));
        q.push(" ESCAPE '\\'");
        if let Some(n) = number {
            q.push(" OR r.id = ");
            q.bind_int(n);
        }
        if !f.text_ids.is_empty() {
            q.push(" OR r.id IN (");
            for (i, id) in f.text_ids.iter().enumerate() {
                if i > 0 {
                    q.push(", ");
                }
                q.bind_int(*id);
            }
            q.push(")");
        }
        q.push(")");
    }
    if let Some(org) = f.handler_org_id {
        q.push(" AND r.handler_org_id = ");
        q.bind_int(org);
    }
    for (col, v) in [("r.category", &f.category), ("r.subject_level", &f.level)] {
        if let Some(v) = v.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            q.push(&format!(" AND {col} = "));
            q.bind_text(if v == "-" { "" } else { v });
        }
    }
    let day = |v: &Option<String>| {
        v.as_deref()
            .and_then(|d| NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok())
            .map(|d| d.format("%Y-%m-%d").to_string())
    };
    if let Some(d) = day(&f.from) {
        q.push(" AND r.received_on >= ");
        q.bind_text(d);
    }
    if let Some(d) = day(&f.to) {
        q.push(" AND r.received_on <= ");
        q.bind_text(d);
    }
    if f.no_duplicates {
        q.push(" AND r.status <> 'duplicate'");
    }
    if let Some(day) = f.overdue_on.as_deref() {
        q.push(" AND d.due_date <> '' AND d.due_date < ");
        q.bind_text(day);
    }
    q
}

/// Sort keys of the list.
pub const SORTS: &[(&str, &str)] = &[
    ("received", "r.received_on"),
    (
        "due",
        "CASE WHEN d.due_date IS NULL OR d.due_date = '' THEN '9999' ELSE d.due_date END",
    ),
    ("subject", "r.subject_name"),
    ("status", "r.status"),
];

/// One page of reports in the caller's scope.
#[allow(clippy::too_many_arguments)]
pub async fn list(
    db: &Db,
    keys: &KeyRing,
    scope: &Scope,
    f: &ReportFilter,
    sort: &str,
    desc: bool,
    page: i64,
    per_page: i64,
) -> StoreResult<Page<Report>> {
    let order = order_by(sort, desc);
    let f = &with_text(db, keys, scope, f).await?;
    crate::sql::fetch_page(
        db,
        filtered(scope, f, "COUNT(*)"),
        filtered(scope, f, &cols()),
        &order,
        page,
        per_page,
        |r| from_row(keys, r),
    )
    .await
}

fn order_by(sort: &str, desc: bool) -> String {
    let order_col = SORTS
        .iter()
        .find(|(k, _)| *k == sort)
        .map_or("r.received_on", |(_, c)| c);
    let dir = if desc { "DESC" } else { "ASC" };
    format!(" ORDER BY {order_col} {dir}, r.id {dir}")
}

/// Every report of a filter (exports) in the list's order, capped at `limit`.
#[allow(clippy::too_many_arguments)]
pub async fn list_all(
    db: &Db,
    keys: &KeyRing,
    scope: &Scope,
    f: &ReportFilter,
    sort: &str,
    desc: bool,
    limit: i64,
) -> StoreResult<Vec<Report>> {
    let f = &with_text(db, keys, scope, f).await?;
    crate::sql::fetch_all(db, filtered(scope, f, &cols()), &order_by(sort, desc), limit, |r| {
        from_row(keys, r)
    })
    .await
}

/// One report in the caller's scope, with its content.
pub async fn get(db: &Db, keys: &KeyRing, scope: &Scope, id: ReportId) -> StoreResult<Report> {
    let mut q = filtered(scope, &ReportFilter::default(), &format!("{}, r.content_enc", cols()));
    q.push(" AND r.id = ");
    q.bind_int(id);
    let row = q
        .build()
        .fetch_optional(db.pool())
        .await?
        .ok_or(StoreError::NotFound("信访件"))?;
    let mut r = from_row(keys, &row)?;
    r.content = open(keys, id, "content", &row.try_get::<String, _>("content_enc")?)?;
    Ok(r)
}

/// The reporter of a named report (the caller has checked an approved disclosure and audits
/// the read).
pub async fn reporter(db: &Db, keys: &KeyRing, id: ReportId) -> StoreResult<Option<Reporter>> {
    let token: String = sqlx::query("SELECT reporter_enc FROM report WHERE id = $1")
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .ok_or(StoreError::NotFound("信访件"))?
        .try_get(0)?;
    if token.is_empty() {
        return Ok(None);
    }
    let json = open(keys, id, "reporter", &token)?;
    serde_json::from_str(&json)
        .map(Some)
        .map_err(|e| StoreError::Internal(format!("report {} reporter: {e}", id.0)))
}

/// One message of a report: a reply to the reporter, the reporter's supplement or review
/// request, a unit's report-back, an internal note.
#[derive(Debug, Clone, Serialize)]
pub struct Message {
    /// Kind: `reply`, `supplement`, `review`, `back`, `note`.
    pub kind: String,
    /// Text (decrypted).
    pub text: String,
    /// Shown to the reporter.
    pub public: bool,
    /// Who wrote it (staff), empty for the reporter.
    pub by_name: String,
    /// The unit that wrote it (a report-back).
    pub org_name: String,
    /// When (UTC timestamp).
    pub at: String,
}

/// Message kinds.
pub mod message {
    /// A reply to the reporter (public).
    pub const REPLY: &str = "reply";
    /// What the reporter added (from the portal).
    pub const SUPPLEMENT: &str = "supplement";
    /// The reporter's request for a review, with its reasons.
    pub const REVIEW: &str = "review";
    /// A unit's report-back.
    pub const BACK: &str = "back";
    /// An internal note (a decision's reason).
    pub const NOTE: &str = "note";
    /// A unit's objection to an assignment (internal).
    pub const OBJECTION: &str = "objection";
}

#[allow(clippy::too_many_arguments)]
async fn add_message(
    tx: &mut Tx,
    keys: &KeyRing,
    id: ReportId,
    kind: &str,
    text: &str,
    public: bool,
    user: Option<UserId>,
    org: Option<OrgId>,
) -> StoreResult<()> {
    let msg_id: i64 = sqlx::query(
        "INSERT INTO report_message (report_id, kind, text_enc, public, user_id, org_id, created_at) \
         VALUES ($1, $2, '', $3, $4, $5, $6) RETURNING id",
    )
    .bind(id)
    .bind(kind)
    .bind(public as i64)
    .bind(user)
    .bind(org)
    .bind(crate::time::now())
    .fetch_one(&mut **tx)
    .await?
    .try_get(0)?;
    sqlx::query("UPDATE report_message SET text_enc = $1 WHERE id = $2")
        .bind(seal(keys, id, &format!("message:{msg_id}"), text.trim()))
        .bind(msg_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The messages of a report, oldest first (`public_only` for the portal).
pub async fn messages(db: &Db, keys: &KeyRing, id: ReportId, public_only: bool) -> StoreResult<Vec<Message>> {
    let rows = sqlx::query(
        "SELECT m.id, m.kind, m.text_enc, m.public, COALESCE(u.display_name, ''), COALESCE(o.name, ''), m.created_at \
         FROM report_message m LEFT JOIN app_user u ON u.id = m.user_id LEFT JOIN org o ON o.id = m.org_id \
         WHERE m.report_id = $1 ORDER BY m.id",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await?;
    let mut out = Vec::new();
    for r in rows {
        let public = r.try_get::<i64, _>(3)? != 0;
        if public_only && !public {
            continue;
        }
        let msg_id: i64 = r.try_get(0)?;
        out.push(Message {
            kind: r.try_get(1)?,
            text: open(keys, id, &format!("message:{msg_id}"), &r.try_get::<String, _>(2)?)?,
            public,
            by_name: if public_only { String::new() } else { r.try_get(4)? },
            org_name: if public_only { String::new() } else { r.try_get(5)? },
            at: r.try_get(6)?,
        });
    }
    Ok(out)
}

/// What a handling step carries besides its action.
#[derive(Debug, Clone, Default)]
pub struct StepInput {
    /// The text: a reason, an instruction, a reply, a report-back.
    pub text: String,
    /// The unit, for 交办.
    pub org_id: Option<OrgId>,
    /// The earlier report, for 作为重复件.
    pub duplicate_of: Option<ReportId>,
    /// 我为群众办实事, at 交办: the day the unit promises to have it done.
    pub promised_on: Option<NaiveDate>,
    /// 我为群众办实事, at 答复: what the portal may publish (no personal information).
    pub public_summary: String,
}

/// Locks a report in the caller's scope and reads its state and kind.
async fn lock(tx: &mut Tx, scope: &Scope, id: ReportId) -> StoreResult<(ReportState, Kind, OrgId, Option<OrgId>)> {
    let state: ReportState = workflow::lock_state(tx, "report", id)
        .await?
        .ok_or(StoreError::NotFound("信访件"))?;
    let mut q = Query::new(
        "SELECT r.kind, r.org_id, r.handler_org_id FROM report r JOIN org o ON o.id = r.org_id \
         LEFT JOIN org h ON h.id = r.handler_org_id WHERE r.about_principal = 0 AND r.id = ",
    );
    q.bind_int(id);
    push_scope(scope, &mut q);
    let row = q
        .build()
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound("信访件"))?;
    let kind: String = row.try_get(0)?;
    Ok((
        state,
        Kind::parse(&kind).unwrap_or(Kind::Accusation),
        row.try_get(1)?,
        row.try_get(2)?,
    ))
}

/// Takes one handling step on a report in the caller's scope, in the caller's transaction:
/// the kind's workflow table decides whether it may be taken and what it does to the time
/// limit (`due` computes a due date from a rule id for the step's start day `today`). Replies,
/// report-backs and reasons are kept as messages.
#[allow(clippy::too_many_arguments)]
pub async fn act(
    tx: &mut Tx,
    keys: &KeyRing,
    scope: &Scope,
    id: ReportId,
    action: ReportAction,
    input: &StepInput,
    today: NaiveDate,
    due: &(dyn Fn(&str, NaiveDate) -> Due + Sync),
    by: &Performer<'_>,
) -> StoreResult<ReportState> {
    let (state, kind, org_id, handler) = lock(tx, scope, id).await?;
    let w = kind.workflow();
    let t = w
        .check(state, action, &|p| by.perms.can(p))
        .map_err(workflow::refusal)?;
    let text = input.text.trim();
    let needs_text = matches!(
        action,
        ReportAction::Decline
            | ReportAction::Transfer
            | ReportAction::Reply
            | ReportAction::ReportBack
            | ReportAction::ReturnBack
            | ReportAction::Extend
            | ReportAction::RequestReview
            | ReportAction::AnswerReview
            | ReportAction::RequestReReview
            | ReportAction::AnswerReReview
            | ReportAction::Object
            | ReportAction::Unduplicate
    );
    if needs_text && text.is_empty() {
        let field_label = match action {
            ReportAction::Reply | ReportAction::AnswerReview | ReportAction::AnswerReReview => "答复内容",
            ReportAction::RequestReReview => "复核理由",
            ReportAction::ReportBack => "办理结果",
            ReportAction::Object => "异议理由",
            ReportAction::RequestReview => "复查理由",
            _ => "理由",
        };
        return Err(StoreError::invalid("text", format!("请填写{field_label}")));
    }
    if action == ReportAction::Object {
        // RULES.md §2: within 5 working days of the assignment.
        let assigned: String = sqlx::query("SELECT assigned_on FROM report WHERE id = $1")
            .bind(id)
            .fetch_one(&mut **tx)
            .await?
            .try_get(0)?;
        let on = NaiveDate::parse_from_str(&assigned, "%Y-%m-%d").unwrap_or(today);
        if let Some(last) = due(qinglian_domain::report::RULE_OBJECTION, on).date()
            && today > last
        {
            return Err(StoreError::conflict(
                "text",
                format!("异议期已过：应在交办之日起5个工作日内（{last}前）提出，请按期办理并报告结果"),
            ));
        }
    }
    if action == ReportAction::Extend {
        let extended: i64 = sqlx::query("SELECT extended FROM report WHERE id = $1")
            .bind(id)
            .fetch_one(&mut **tx)
            .await?
            .try_get(0)?;
        if extended != 0 {
            return Err(StoreError::conflict("status", "该信访件已延期一次，不能再次延期"));
        }
        sqlx::query("UPDATE report SET extended = 1 WHERE id = $1")
            .bind(id)
            .execute(&mut **tx)
            .await?;
    }
    let mut next_org = None;
    match action {
        ReportAction::Assign => {
            let unit = input
                .org_id
                .ok_or_else(|| StoreError::invalid("org_id", "请选择承办单位"))?;
            let active: i64 = sqlx::query("SELECT COUNT(*) FROM org WHERE id = $1 AND active = 1")
                .bind(unit)
                .fetch_one(&mut **tx)
                .await?
                .try_get(0)?;
            if active == 0 {
                return Err(StoreError::invalid("org_id", "承办单位不存在或已停用"));
            }
            let promised = match (kind, input.promised_on) {
                (Kind::ServiceRequest, None) => {
                    return Err(StoreError::invalid("promised_on", "请填写承办单位承诺的办结日期"));
                }
                (_, Some(d)) if d < today => {
                    return Err(StoreError::invalid("promised_on", "承诺办结日期不能早于今天"));
                }
                (_, d) => d.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default(),
            };
            sqlx::query("UPDATE report SET handler_org_id = $1, promised_on = $2, assigned_on = $3 WHERE id = $4")
                .bind(unit)
                .bind(promised)
                .bind(today.format("%Y-%m-%d").to_string())
                .bind(id)
                .execute(&mut **tx)
                .await?;
            next_org = Some(unit);
        }
        ReportAction::ReturnBack => next_org = handler,
        ReportAction::Conclude => {
            sqlx::query("UPDATE report SET concluded_on = $1 WHERE id = $2")
                .bind(today.format("%Y-%m-%d").to_string())
                .bind(id)
                .execute(&mut **tx)
                .await?;
        }
        ReportAction::Reply if kind == Kind::ServiceRequest => {
            let summary = input.public_summary.trim();
            if summary.chars().count() > 500 {
                return Err(StoreError::invalid("public_summary", "公开摘要不能超过500个字"));
            }
            sqlx::query("UPDATE report SET public_summary = $1 WHERE id = $2")
                .bind(summary)
                .bind(id)
                .execute(&mut **tx)
                .await?;
        }
        ReportAction::ReportBack | ReportAction::RequestReview | ReportAction::RequestReReview => {
            next_org = Some(org_id)
        }
        ReportAction::Object => {
            // Back with the office: the unit's queue no longer holds it.
            sqlx::query("UPDATE report SET handler_org_id = NULL WHERE id = $1")
                .bind(id)
                .execute(&mut **tx)
                .await?;
            next_org = Some(org_id);
        }
        ReportAction::Unduplicate => {
            sqlx::query("UPDATE report SET duplicate_of = NULL WHERE id = $1")
                .bind(id)
                .execute(&mut **tx)
                .await?;
        }
        ReportAction::MarkDuplicate => {
            let dup = input
                .duplicate_of
                .filter(|d| *d != id)
                .ok_or_else(|| StoreError::invalid("duplicate_of", "请填写原件编号"))?;
            let n: i64 = sqlx::query("SELECT COUNT(*) FROM report WHERE id = $1")
                .bind(dup)
                .fetch_one(&mut **tx)
                .await?
                .try_get(0)?;
            if n == 0 {
                return Err(StoreError::invalid("duplicate_of", "原件编号不存在"));
            }
            sqlx::query("UPDATE report SET duplicate_of = $1 WHERE id = $2")
                .bind(dup)
                .bind(id)
                .execute(&mut **tx)
                .await?;
        }
        _ => {}
    }
    if !text.is_empty() {
        let (kind, public) = match action {
            ReportAction::Reply
            | ReportAction::AnswerReview
            | ReportAction::AnswerReReview
            | ReportAction::Decline
            | ReportAction::Extend => (message::REPLY, true),
            ReportAction::ReportBack => (message::BACK, false),
            ReportAction::Object => (message::OBJECTION, false),
            ReportAction::RequestReview | ReportAction::RequestReReview => (message::REVIEW, true),
            _ => (message::NOTE, false),
        };
        let org = if matches!(action, ReportAction::ReportBack | ReportAction::Object) {
            handler
        } else {
            None
        };
        add_message(tx, keys, id, kind, text, public, by.user_id, org).await?;
    }
    let rule = match t.deadline {
        qinglian_domain::workflow::DeadlineEffect::Open(r) | qinglian_domain::workflow::DeadlineEffect::Replace(r) => {
            Some(r)
        }
        _ => None,
    };
    let named: bool = sqlx::query("SELECT named FROM report WHERE id = $1")
        .bind(id)
        .fetch_one(&mut **tx)
        .await?
        .try_get::<i64, _>(0)?
        != 0;
    let start = if action == ReportAction::Unduplicate {
        let received: String = sqlx::query("SELECT received_on FROM report WHERE id = $1")
            .bind(id)
            .fetch_one(&mut **tx)
            .await?
            .try_get(0)?;
        NaiveDate::parse_from_str(&received, "%Y-%m-%d").unwrap_or(today)
    } else {
        today
    };
    let open = rule.map(|r| NewDeadline {
        module: "report".into(),
        object_type: OBJECT_TYPE.into(),
        object_id: id.to_string(),
        org_id: if action == ReportAction::Assign || action == ReportAction::ReturnBack {
            next_org.unwrap_or(org_id)
        } else {
            org_id
        },
        owner_user_id: by.user_id,
        title: if action == ReportAction::Unduplicate && !named && r == qinglian_domain::report::RULE_ACCEPT_NOTICE {
            // Nobody to tell: the limit is the office's own decision (as at registration).
            format!("{}：作出是否受理的决定（匿名举报）", item_title(id))
        } else {
            format!(
                "{}：{}",
                item_title(id),
                qinglian_domain::rules::rule(r).map_or("办理", |x| x.title)
            )
        },
        rule_id: r.into(),
        // Counted again from receipt when a duplicate mark is undone (RULES.md §2).
        start_date: start,
        due: due(r, start),
        link: link(id),
        notify_permission: String::new(),
    });
    // Who acts next: a unit's holders in that unit; the commission's (the reports office sits
    // in a section of it) anywhere in the commission.
    let (next_org, next_users) = match t.next {
        Some(p) if p == qinglian_domain::report::PERM_HANDLE => (
            None,
            crate::user::holders_within(tx, p, next_org.unwrap_or(org_id)).await?,
        ),
        _ => (next_org, Vec::new()),
    };
    let step = Step {
        action,
        // The text is kept encrypted as a message; the workflow history (clear text) never
        // holds it.
        note: "",
        detail: String::new(),
        open,
        close: crate::deadline::open_of_item(tx, OBJECT_TYPE, &id.to_string()).await?,
        next_org,
        next_users,
        notice: t.next.map(|_| {
            (
                format!("【{}】{}", action_notice(action), item_title(id)),
                format!("{}：{}", item_title(id), t.to.label()),
                link(id),
            )
        }),
    };
    let applied = workflow::apply(tx, w, "report", id, state, step, by).await?;
    // The step's notice (受理告知书, 交办函, 办理结果告知书…) gets its number of the year in the
    // register, once; a repeated step (a second 交办) keeps it.
    if matches!(
        action,
        ReportAction::Accept
            | ReportAction::Decline
            | ReportAction::Transfer
            | ReportAction::Assign
            | ReportAction::Extend
            | ReportAction::Reply
    ) {
        crate::document::number(
            tx,
            org_id,
            &format!("report.{}", qinglian_domain::workflow::Action::code(action)),
            OBJECT_TYPE,
            &id.to_string(),
            today,
            by.user_id,
        )
        .await?;
    }
    Ok(applied.to)
}

fn action_notice(a: ReportAction) -> &'static str {
    match a {
        ReportAction::Assign => "交办",
        ReportAction::ReturnBack => "退回重办",
        ReportAction::ReportBack => "交办件已报告",
        ReportAction::RequestReview => "申请复查",
        ReportAction::RequestReReview => "申请复核",
        ReportAction::Object => "承办单位提出异议",
        _ => "信访件",
    }
}

/// What the reporter sees with the receipt code.
#[derive(Debug, Clone, Serialize)]
pub struct PublicView {
    /// The report (internal use: the portal never shows the id).
    #[serde(skip)]
    pub id: ReportId,
    /// Kind.
    pub kind: Kind,
    /// State.
    #[serde(skip)]
    pub state: ReportState,
    /// Received.
    pub received_on: String,
    /// Satisfaction given (code), empty if none.
    pub satisfaction: String,
    /// Replies and the reporter's own additions, oldest first.
    pub messages: Vec<Message>,
    /// The day of the last reply (the review window counts from it).
    pub replied_on: Option<String>,
    /// The steps so far in the reporter's words, with their days (China time): 已受理, 已办结…
    /// (nothing of who handled it or which unit).
    pub progress: Vec<(&'static str, String)>,
}

/// A step as the reporter is told of it, or `None` for an internal step (交办, 退回, 报告结果).
fn public_step(action: ReportAction) -> Option<&'static str> {
    Some(match action {
        ReportAction::Accept => "已受理",
        ReportAction::Decline => "不予受理",
        ReportAction::Transfer => "已转有权处理的机关办理",
        ReportAction::Forward => "已报送上级机关办理",
        ReportAction::MarkDuplicate => "已并入此前的同一事项办理",
        ReportAction::Extend => "延期办理",
        ReportAction::Conclude => "已办结",
        ReportAction::Reply => "已答复",
        ReportAction::RequestReview => "申请复查",
        ReportAction::AnswerReview => "复查已答复",
        ReportAction::RequestReReview => "申请复核",
        ReportAction::AnswerReReview => "复核已答复",
        ReportAction::Assign
        | ReportAction::ReportBack
        | ReportAction::ReturnBack
        | ReportAction::Object
        | ReportAction::Unduplicate => return None,
    })
}

/// The report behind a receipt code's hash, as its reporter may see it.
pub async fn by_receipt(db: &Db, keys: &KeyRing, receipt_hash: &str) -> StoreResult<Option<PublicView>> {
    let row = sqlx::query("SELECT id, kind, status, received_on, satisfaction FROM report WHERE receipt_hash = $1")
        .bind(receipt_hash)
        .fetch_optional(db.pool())
        .await?;
    let Some(row) = row else { return Ok(None) };
    let id: ReportId = row.try_get(0)?;
    let kind: String = row.try_get(1)?;
    let status: String = row.try_get(2)?;
    let messages = messages(db, keys, id, true).await?;
    let replied_on = messages
        .iter()
        .rev()
        .find(|m| m.kind == message::REPLY)
        .map(|m| crate::time::display_cst(&m.at).chars().take(10).collect());
    let kind = Kind::parse(&kind).unwrap_or(Kind::Accusation);
    let progress = workflow::history(db, kind.workflow().name, id)
        .await?
        .iter()
        .filter_map(|e| {
            let action = <ReportAction as qinglian_domain::workflow::Action>::parse(&e.action)?;
            Some((
                public_step(action)?,
                crate::time::display_cst(&e.at).chars().take(10).collect(),
            ))
        })
        .collect();
    Ok(Some(PublicView {
        progress,
        id,
        kind,
        state: ReportState::parse(&status).unwrap_or(ReportState::Registered),
        received_on: row.try_get(3)?,
        satisfaction: row.try_get(4)?,
        messages,
        replied_on,
    }))
}

/// The reporter adds information (text) to a report that is not closed.
pub async fn supplement(tx: &mut Tx, keys: &KeyRing, id: ReportId, text: &str) -> StoreResult<()> {
    if text.trim().is_empty() {
        return Err(StoreError::invalid("text", "请填写补充的内容"));
    }
    add_message(tx, keys, id, message::SUPPLEMENT, text, true, None, None).await
}

/// The reporter's verdict on the reply: once, and only after a reply.
pub async fn rate(tx: &mut Tx, id: ReportId, satisfaction: &str) -> StoreResult<()> {
    if !qinglian_domain::report::SATISFACTION
        .iter()
        .any(|(c, _)| *c == satisfaction)
    {
        return Err(StoreError::invalid("satisfaction", "请选择满意、基本满意或不满意"));
    }
    let state: ReportState = workflow::lock_state(tx, "report", id)
        .await?
        .ok_or(StoreError::NotFound("信访件"))?;
    if state != ReportState::Replied {
        return Err(StoreError::conflict("satisfaction", "答复之后才能评价"));
    }
    let done = sqlx::query("UPDATE report SET satisfaction = $1 WHERE id = $2 AND satisfaction = ''")
        .bind(satisfaction)
        .bind(id)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    if done == 0 {
        return Err(StoreError::conflict("satisfaction", "已经评价过了"));
    }
    Ok(())
}

/// Earlier reports about the same subject received within `days` before `on` (duplicate
/// candidates at entry), in the caller's scope, newest first.
pub async fn same_subject(
    db: &Db,
    keys: &KeyRing,
    scope: &Scope,
    subject_name: &str,
    on: NaiveDate,
    days: i64,
) -> StoreResult<Vec<Report>> {
    let name = subject_name.trim();
    if name.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = filtered(scope, &ReportFilter::default(), &cols());
    q.push(" AND r.subject_name = ");
    q.bind_text(name);
    q.push(" AND r.received_on >= ");
    q.bind_text((on - chrono::Duration::days(days)).format("%Y-%m-%d").to_string());
    crate::sql::fetch_all(db, q, " ORDER BY r.received_on DESC, r.id DESC", 20, |r| {
        from_row(keys, r)
    })
    .await
}

/// One to-do card of reports: the reports in a state out of which the user may act.
#[derive(Debug, Clone)]
pub struct Todo {
    /// The state.
    pub state: ReportState,
    /// Its figures.
    pub counts: crate::deadline::TodoCount,
}

/// The user's to-do cards from both workflow tables: for every state out of which the user may
/// act (`can`), the reports in that state in their scope — through the assigned unit for a
/// unit's report-back, through the handling commission for everything else.
pub async fn todo(
    db: &Db,
    scope: &Scope,
    can: &(dyn Fn(&str) -> bool + Sync),
    today: NaiveDate,
) -> StoreResult<Vec<Todo>> {
    use qinglian_domain::workflow::State as _;
    let mut out = Vec::new();
    if scope.is_empty() {
        return Ok(out);
    }
    for &state in ReportState::ALL {
        let kinds: Vec<Kind> = Kind::ALL
            .iter()
            .copied()
            .filter(|k| {
                k.workflow()
                    .allowed_from(state, can)
                    .any(|t| !matches!(t.action, ReportAction::RequestReview | ReportAction::RequestReReview))
            })
            .collect();
        if kinds.is_empty() {
            continue;
        }
        // A unit's own steps (report back, object) are counted through the assigned unit.
        let by_unit = kinds.iter().all(|k| {
            k.workflow()
                .allowed_from(state, can)
                .all(|t| matches!(t.action, ReportAction::ReportBack | ReportAction::Object))
        });
        let col = if by_unit { "h.path" } else { "o.path" };
        let mut q = crate::deadline::todo_select("d", today);
        q.push(
            "FROM report r JOIN org o ON o.id = r.org_id LEFT JOIN org h ON h.id = r.handler_org_id \
             LEFT JOIN deadline d ON d.id = (SELECT MAX(dd.id) FROM deadline dd WHERE dd.object_type = 'report' \
             AND dd.object_id = CAST(r.id AS TEXT) AND dd.done_at IS NULL) \
             WHERE r.about_principal = 0 AND r.status = ",
        );
        q.bind_text(state.code());
        q.push(" AND r.kind IN (");
        for (i, k) in kinds.iter().enumerate() {
            if i > 0 {
                q.push(", ");
            }
            q.bind_text(k.code());
        }
        q.push(")");
        scope.push_filter(&mut q, col);
        let n = crate::deadline::todo_count(db, q).await?;
        if n.count > 0 {
            out.push(Todo { state, counts: n });
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Identity disclosure (身份披露)
// ---------------------------------------------------------------------------------------------

crate::id_type!(
    /// Id of an identity disclosure request.
    DisclosureId
);

/// A disclosure request as the leader and the requester see it.
#[derive(Debug, Clone, Serialize)]
pub struct Disclosure {
    /// Id.
    pub id: DisclosureId,
    /// The report.
    pub report_id: ReportId,
    /// Its subject (被反映人), for the leader's list.
    pub subject_name: String,
    /// Who asked.
    pub requested_by: UserId,
    /// Their name.
    pub requested_by_name: String,
    /// Why.
    pub reason: String,
    /// State code.
    pub status: String,
    /// Who decided.
    pub decided_by_name: String,
    /// The decision's note.
    pub decision_note: String,
    /// Until when an approval lets the requester see the reporter (UTC timestamp).
    pub expires_at: Option<String>,
    /// When asked (UTC timestamp).
    pub created_at: String,
}

impl Disclosure {
    /// State label.
    pub fn status_label(&self) -> &'static str {
        use qinglian_domain::workflow::State as _;
        qinglian_domain::report::DisclosureState::parse(&self.status).map_or("未知", |s| s.label())
    }
}

const DISCLOSURE_COLS: &str = "x.id, x.report_id, r.subject_name, x.requested_by, COALESCE(u.display_name, '') AS requested_by_name, x.reason, \
     x.status, COALESCE(d.display_name, '') AS decided_by_name, x.decision_note, x.expires_at, x.created_at";

const DISCLOSURE_FROM: &str = " FROM report_disclosure x JOIN report r ON r.id = x.report_id JOIN org o ON o.id = r.org_id \
     LEFT JOIN org h ON h.id = r.handler_org_id LEFT JOIN app_user u ON u.id = x.requested_by \
     LEFT JOIN app_user d ON d.id = x.decided_by WHERE r.about_principal = 0";

fn disclosure_row(r: &sqlx::any::AnyRow) -> StoreResult<Disclosure> {
    Ok(Disclosure {
        id: r.try_get("id")?,
        report_id: r.try_get("report_id")?,
        subject_name: r.try_get("subject_name")?,
        requested_by: r.try_get("requested_by")?,
        requested_by_name: r.try_get("requested_by_name")?,
        reason: r.try_get("reason")?,
        status: r.try_get("status")?,
        decided_by_name: r.try_get("decided_by_name")?,
        decision_note: r.try_get("decision_note")?,
        expires_at: r.try_get("expires_at")?,
        created_at: r.try_get("created_at")?,
    })
}

/// A handler asks to see who reported a named report in their scope, with a reason. One open
/// request per user and report; the leaders of the handling commission are told.
pub async fn request_disclosure(
    tx: &mut Tx,
    scope: &Scope,
    id: ReportId,
    reason: &str,
    by: &Performer<'_>,
) -> StoreResult<DisclosureId> {
    let user = by
        .user_id
        .ok_or_else(|| StoreError::Internal("a disclosure request needs a user".into()))?;
    if !by.perms.can(qinglian_domain::report::PERM_HANDLE) {
        return Err(StoreError::Forbidden("您没有权限申请查看举报人身份".into()));
    }
    let (_, _, org_id, _) = lock(tx, scope, id).await?;
    let named: i64 = sqlx::query("SELECT named FROM report WHERE id = $1")
        .bind(id)
        .fetch_one(&mut **tx)
        .await?
        .try_get(0)?;
    if named == 0 {
        return Err(StoreError::conflict("reason", "匿名举报没有可披露的举报人身份"));
    }
    let reason = reason.trim();
    if reason.chars().count() < 4 {
        return Err(StoreError::invalid("reason", "请写明查看举报人身份的理由（至少4个字）"));
    }
    let open: i64 = sqlx::query(
        "SELECT COUNT(*) FROM report_disclosure WHERE report_id = $1 AND requested_by = $2 AND status = 'requested'",
    )
    .bind(id)
    .bind(user)
    .fetch_one(&mut **tx)
    .await?
    .try_get(0)?;
    if open > 0 {
        return Err(StoreError::conflict("reason", "已提交过申请，正在等待审批"));
    }
    let now = crate::time::now();
    let did: DisclosureId = sqlx::query(
        "INSERT INTO report_disclosure (report_id, requested_by, reason, status, created_at, updated_at) \
         VALUES ($1, $2, $3, 'requested', $4, $4) RETURNING id",
    )
    .bind(id)
    .bind(user)
    .bind(reason)
    .bind(&now)
    .fetch_one(&mut **tx)
    .await?
    .try_get(0)?;
    tell(
        tx,
        qinglian_domain::report::PERM_DISCLOSE,
        org_id,
        &format!("【身份披露审批】{}", item_title(id)),
        &format!("{}申请查看{}的举报人身份，请审批", by.actor.username, item_title(id)),
        "/reports/disclosures",
    )
    .await?;
    crate::audit::append(
        tx,
        by.mode,
        &by.actor,
        &crate::audit::Event {
            action: "report.disclosure.request",
            object_type: OBJECT_TYPE,
            object_id: id.to_string(),
            outcome: crate::audit::Outcome::Success,
            detail: format!("申请查看举报人身份（申请 #{}）：{reason}", did.0),
        },
    )
    .await?;
    Ok(did)
}

/// The leader decides a request in their scope; an approval lets the requester see the
/// reporter for `hours`. The requester is told.
pub async fn decide_disclosure(
    tx: &mut Tx,
    scope: &Scope,
    did: DisclosureId,
    action: qinglian_domain::report::DisclosureAction,
    note: &str,
    hours: i64,
    by: &Performer<'_>,
) -> StoreResult<()> {
    use qinglian_domain::report::{DISCLOSURE, DisclosureAction, DisclosureState};
    let state: DisclosureState = workflow::lock_state(tx, "report_disclosure", did)
        .await?
        .ok_or(StoreError::NotFound("身份披露申请"))?;
    let row = sqlx::query("SELECT report_id, requested_by FROM report_disclosure WHERE id = $1")
        .bind(did)
        .fetch_one(&mut **tx)
        .await?;
    let report_id: ReportId = row.try_get(0)?;
    let requester: UserId = row.try_get(1)?;
    lock(tx, scope, report_id).await?;
    let expires = (action == DisclosureAction::Approve)
        .then(|| crate::time::format(chrono::Utc::now() + chrono::Duration::hours(hours.clamp(1, 24 * 30))));
    sqlx::query(
        "UPDATE report_disclosure SET decided_by = $1, decided_at = $2, decision_note = $3, expires_at = $4 WHERE id = $5",
    )
    .bind(by.user_id)
    .bind(crate::time::now())
    .bind(note.trim())
    .bind(expires.as_deref())
    .bind(did)
    .execute(&mut **tx)
    .await?;
    let verdict = if action == DisclosureAction::Approve {
        format!("已批准，可在{}小时内查看", hours)
    } else {
        "未批准".to_string()
    };
    let step = Step {
        action,
        note: note.trim(),
        detail: format!("{}（申请 #{}）", item_title(report_id), did.0),
        open: None,
        close: None,
        next_org: None,
        next_users: vec![requester],
        notice: Some((
            format!("【身份披露】{}：{verdict}", item_title(report_id)),
            format!("您对{}举报人身份的查看申请{verdict}", item_title(report_id)),
            link(report_id),
        )),
    };
    workflow::apply(tx, &DISCLOSURE, "report_disclosure", did, state, step, by).await?;
    Ok(())
}

/// Disclosure requests of reports in the caller's scope, newest first (`status` filters).
pub async fn disclosures(
    db: &Db,
    scope: &Scope,
    status: Option<&str>,
    report: Option<ReportId>,
) -> StoreResult<Vec<Disclosure>> {
    let mut q = Query::new(&format!("SELECT {DISCLOSURE_COLS}{DISCLOSURE_FROM}"));
    push_scope(scope, &mut q);
    if let Some(s) = status {
        q.push(" AND x.status = ");
        q.bind_text(s);
    }
    if let Some(r) = report {
        q.push(" AND x.report_id = ");
        q.bind_int(r);
    }
    q.push(" ORDER BY x.id DESC");
    let rows = q.build().fetch_all(db.pool()).await?;
    rows.iter().map(disclosure_row).collect()
}

/// The requester's approval of a report that is still in force, if any.
pub async fn active_disclosure(db: &Db, id: ReportId, user: UserId) -> StoreResult<Option<Disclosure>> {
    let mut q = Query::new(&format!("SELECT {DISCLOSURE_COLS}{DISCLOSURE_FROM}"));
    q.push(" AND x.report_id = ");
    q.bind_int(id);
    q.push(" AND x.requested_by = ");
    q.bind_int(user);
    q.push(" AND x.status = 'approved' AND x.expires_at > ");
    q.bind_text(crate::time::now());
    q.push(" ORDER BY x.id DESC");
    let row = q.build().fetch_optional(db.pool()).await?;
    row.as_ref().map(disclosure_row).transpose()
}

// ---------------------------------------------------------------------------------------------
// Statistics
// ---------------------------------------------------------------------------------------------

/// One figure of the statistics: the value of the grouping column and how many reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Count {
    /// The column's value (a code, a category, an org id as text).
    pub key: String,
    /// A label for it (the org's name for units; the key otherwise).
    pub label: String,
    /// How many.
    pub count: i64,
}

/// The statistics of reports received in a period, in a scope (重复件 and reports about the
/// principal excluded, as the 信访 statistics count them).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Stats {
    /// Reports received.
    pub total: i64,
    /// By kind code.
    pub by_kind: Vec<Count>,
    /// By channel code.
    pub by_channel: Vec<Count>,
    /// By category (问题类别), '' = not given.
    pub by_category: Vec<Count>,
    /// By the subject's level, '' = not given.
    pub by_level: Vec<Count>,
    /// By state code.
    pub by_status: Vec<Count>,
    /// By the unit assigned (交办), org id → name.
    pub by_unit: Vec<Count>,
    /// With an open time limit past due on the day given.
    pub overdue: i64,
    /// Rated replies by satisfaction code.
    pub satisfaction: Vec<Count>,
}

impl Stats {
    /// Share of 满意 and 基本满意 among rated replies, in percent (None before any rating).
    pub fn satisfaction_rate(&self) -> Option<f64> {
        let rated: i64 = self.satisfaction.iter().map(|c| c.count).sum();
        let good: i64 = self
            .satisfaction
            .iter()
            .filter(|c| c.key == "satisfied" || c.key == "basically")
            .map(|c| c.count)
            .sum();
        (rated > 0).then(|| good as f64 * 100.0 / rated as f64)
    }
}

fn stats_base(scope: &Scope, from: &str, to: &str, select: &str) -> Query {
    let mut q = Query::new(&format!(
        "SELECT {select} FROM report r JOIN org o ON o.id = r.org_id LEFT JOIN org h ON h.id = r.handler_org_id \
         WHERE r.about_principal = 0 AND r.status <> 'duplicate' AND r.received_on >= "
    ));
    q.bind_text(from);
    q.push(" AND r.received_on <= ");
    q.bind_text(to);
    push_scope(scope, &mut q);
    q
}

async fn group(db: &Db, scope: &Scope, from: &str, to: &str, col: &str) -> StoreResult<Vec<Count>> {
    let mut q = stats_base(scope, from, to, &format!("{col}, {col}, COUNT(*)"));
    q.push(&format!(" GROUP BY {col} ORDER BY COUNT(*) DESC, {col}"));
    q.build()
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| {
            Ok(Count {
                key: r.try_get::<Option<String>, _>(0)?.unwrap_or_default(),
                label: r.try_get::<Option<String>, _>(1)?.unwrap_or_default(),
                count: r.try_get(2)?,
            })
        })
        .collect()
}

/// The statistics of reports received from `from` to `to` (inclusive, 'YYYY-MM-DD') in scope;
/// overdue counted on `today`.
pub async fn stats(db: &Db, scope: &Scope, from: &str, to: &str, today: NaiveDate) -> StoreResult<Stats> {
    let total: i64 = stats_base(scope, from, to, "COUNT(*)")
        .build()
        .fetch_one(db.pool())
        .await?
        .try_get(0)?;
    let mut overdue_q = stats_base(scope, from, to, "COUNT(*)");
    overdue_q.push(
        " AND EXISTS (SELECT 1 FROM deadline d WHERE d.object_type = 'report' AND d.object_id = CAST(r.id AS TEXT) \
         AND d.done_at IS NULL AND d.due_date <> '' AND d.due_date < ",
    );
    overdue_q.bind_text(today.format("%Y-%m-%d").to_string());
    overdue_q.push(")");
    let overdue: i64 = overdue_q.build().fetch_one(db.pool()).await?.try_get(0)?;
    let mut rated = stats_base(scope, from, to, "r.satisfaction, r.satisfaction, COUNT(*)");
    rated.push(" AND r.satisfaction <> '' GROUP BY r.satisfaction ORDER BY r.satisfaction");
    let satisfaction = rated
        .build()
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| {
            Ok(Count {
                key: r.try_get(0)?,
                label: r.try_get(1)?,
                count: r.try_get(2)?,
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
    let mut units_q = stats_base(scope, from, to, "r.handler_org_id, COUNT(*)");
    units_q
        .push(" AND r.handler_org_id IS NOT NULL GROUP BY r.handler_org_id ORDER BY COUNT(*) DESC, r.handler_org_id");
    let mut by_unit = Vec::new();
    for row in units_q.build().fetch_all(db.pool()).await? {
        let org: OrgId = row.try_get(0)?;
        let label: String = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {} FROM org h WHERE h.id = $1",
            org_display!("h")
        )))
        .bind(org)
        .fetch_one(db.pool())
        .await?
        .try_get(0)?;
        by_unit.push(Count {
            key: org.to_string(),
            label,
            count: row.try_get(1)?,
        });
    }
    Ok(Stats {
        total,
        by_kind: group(db, scope, from, to, "r.kind").await?,
        by_channel: group(db, scope, from, to, "r.channel").await?,
        by_category: group(db, scope, from, to, "r.category").await?,
        by_level: group(db, scope, from, to, "r.subject_level").await?,
        by_status: group(db, scope, from, to, "r.status").await?,
        by_unit,
        overdue,
        satisfaction,
    })
}

// ---------------------------------------------------------------------------------------------
// Rewards (有奖举报)
// ---------------------------------------------------------------------------------------------

crate::id_type!(
    /// Id of a reward.
    RewardId
);

/// A reward of a rewarded report.
#[derive(Debug, Clone, Serialize)]
pub struct Reward {
    /// Id.
    pub id: RewardId,
    /// The report.
    pub report_id: ReportId,
    /// State code.
    pub status: String,
    /// 档次.
    pub band: String,
    /// Amount in yuan.
    pub amount: i64,
    /// The eligibility review's finding.
    pub reason: String,
    /// Who proposed.
    pub proposed_by_name: String,
    /// Who decided.
    pub decided_by_name: String,
    /// The decision's note.
    pub decision_note: String,
    /// Day paid ('YYYY-MM-DD'), '' before.
    pub paid_on: String,
    /// How it was paid (voucher number etc.).
    pub payment_note: String,
    /// The report's subject (lists).
    pub subject_name: String,
    /// When proposed (UTC timestamp).
    pub created_at: String,
}

impl Reward {
    /// The state.
    pub fn state(&self) -> qinglian_domain::report::RewardState {
        qinglian_domain::workflow::State::parse(&self.status).unwrap_or(qinglian_domain::report::RewardState::Proposed)
    }
    /// State label.
    pub fn status_label(&self) -> &'static str {
        qinglian_domain::workflow::State::label(self.state())
    }
}

const REWARD_COLS: &str = "w.id, w.report_id, w.status, w.band, w.amount, w.reason, COALESCE(pu.display_name, '') AS proposed_by_name, \
     COALESCE(du.display_name, '') AS decided_by_name, w.decision_note, w.paid_on, w.payment_note, r.subject_name, w.created_at";

const REWARD_FROM: &str = " FROM report_reward w JOIN report r ON r.id = w.report_id JOIN org o ON o.id = r.org_id \
     LEFT JOIN org h ON h.id = r.handler_org_id LEFT JOIN app_user pu ON pu.id = w.proposed_by \
     LEFT JOIN app_user du ON du.id = w.decided_by WHERE r.about_principal = 0";

fn reward_row(r: &sqlx::any::AnyRow) -> StoreResult<Reward> {
    Ok(Reward {
        id: r.try_get("id")?,
        report_id: r.try_get("report_id")?,
        status: r.try_get("status")?,
        band: r.try_get("band")?,
        amount: r.try_get("amount")?,
        reason: r.try_get("reason")?,
        proposed_by_name: r.try_get("proposed_by_name")?,
        decided_by_name: r.try_get("decided_by_name")?,
        decision_note: r.try_get("decision_note")?,
        paid_on: r.try_get("paid_on")?,
        payment_note: r.try_get("payment_note")?,
        subject_name: r.try_get("subject_name")?,
        created_at: r.try_get("created_at")?,
    })
}

/// The office proposes a reward for a concluded rewarded report in its scope, after the
/// eligibility review: a band of `bands` and its amount. One per report; the leaders are told.
pub async fn propose_reward(
    tx: &mut Tx,
    scope: &Scope,
    id: ReportId,
    band: &str,
    bands: &[(String, i64)],
    reason: &str,
    by: &Performer<'_>,
) -> StoreResult<RewardId> {
    if !by.perms.can(qinglian_domain::report::PERM_HANDLE) {
        return Err(StoreError::Forbidden("您没有权限提出奖励".into()));
    }
    let (state, kind, org_id, _) = lock(tx, scope, id).await?;
    if kind != Kind::RewardedReport {
        return Err(StoreError::conflict("band", "只有损害发展环境问题有奖举报可以给予奖励"));
    }
    if !matches!(state, ReportState::Concluded | ReportState::Replied) {
        return Err(StoreError::conflict("band", "办结之后才能进行奖励资格审查"));
    }
    let amount = bands
        .iter()
        .find(|(b, _)| b == band.trim())
        .map(|(_, a)| *a)
        .ok_or_else(|| StoreError::invalid("band", "请选择奖励档次"))?;
    let reason = reason.trim();
    if reason.chars().count() < 4 {
        return Err(StoreError::invalid("reason", "请写明奖励资格审查意见（至少4个字）"));
    }
    let exists: i64 = sqlx::query("SELECT COUNT(*) FROM report_reward WHERE report_id = $1")
        .bind(id)
        .fetch_one(&mut **tx)
        .await?
        .try_get(0)?;
    if exists > 0 {
        return Err(StoreError::conflict("band", "该件已提出过奖励"));
    }
    let now = crate::time::now();
    let rid: RewardId = sqlx::query(
        "INSERT INTO report_reward (report_id, status, band, amount, reason, proposed_by, created_at, updated_at) \
         VALUES ($1, 'proposed', $2, $3, $4, $5, $6, $6) RETURNING id",
    )
    .bind(id)
    .bind(band.trim())
    .bind(amount)
    .bind(reason)
    .bind(by.user_id)
    .bind(&now)
    .fetch_one(&mut **tx)
    .await?
    .try_get(0)?;
    tell(
        tx,
        qinglian_domain::report::PERM_REWARD,
        org_id,
        &format!("【奖励审批】{}", item_title(id)),
        &format!("{}拟给予{}奖励{}元，请审批", item_title(id), band.trim(), amount),
        &link(id),
    )
    .await?;
    crate::audit::append(
        tx,
        by.mode,
        &by.actor,
        &crate::audit::Event {
            action: "report.reward.propose",
            object_type: OBJECT_TYPE,
            object_id: id.to_string(),
            outcome: crate::audit::Outcome::Success,
            detail: format!("提出奖励：{}，{}元", band.trim(), amount),
        },
    )
    .await?;
    Ok(rid)
}

/// A step on a report's reward: the leader approves or rejects; the office records the
/// payment (`note`: how it was paid; `paid_on` the day).
pub async fn reward_step(
    tx: &mut Tx,
    scope: &Scope,
    id: ReportId,
    action: qinglian_domain::report::RewardAction,
    note: &str,
    paid_on: NaiveDate,
    by: &Performer<'_>,
) -> StoreResult<()> {
    use qinglian_domain::report::{REWARD, RewardAction, RewardState};
    let (_, _, org_id, _) = lock(tx, scope, id).await?;
    let rid: RewardId = sqlx::query("SELECT id FROM report_reward WHERE report_id = $1")
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound("奖励"))?
        .try_get(0)?;
    let state: RewardState = workflow::lock_state(tx, "report_reward", rid)
        .await?
        .ok_or(StoreError::NotFound("奖励"))?;
    let note = note.trim();
    match action {
        RewardAction::Pay => {
            if note.is_empty() {
                return Err(StoreError::invalid("note", "请填写发放情况（方式、凭证号等）"));
            }
            sqlx::query("UPDATE report_reward SET paid_on = $1, payment_note = $2 WHERE id = $3")
                .bind(paid_on.format("%Y-%m-%d").to_string())
                .bind(note)
                .bind(rid)
                .execute(&mut **tx)
                .await?;
        }
        RewardAction::Approve | RewardAction::Reject => {
            if action == RewardAction::Reject && note.is_empty() {
                return Err(StoreError::invalid("note", "不予奖励时请写明理由"));
            }
            sqlx::query("UPDATE report_reward SET decided_by = $1, decision_note = $2 WHERE id = $3")
                .bind(by.user_id)
                .bind(note)
                .bind(rid)
                .execute(&mut **tx)
                .await?;
        }
    }
    let next_users = crate::user::holders_within(tx, qinglian_domain::report::PERM_HANDLE, org_id).await?;
    let step = Step {
        action,
        note,
        detail: item_title(id),
        open: None,
        close: None,
        next_org: None,
        next_users,
        notice: Some((
            format!(
                "【奖励{}】{}",
                qinglian_domain::workflow::Action::label(action),
                item_title(id)
            ),
            format!(
                "{}的奖励：{}",
                item_title(id),
                qinglian_domain::workflow::Action::label(action)
            ),
            link(id),
        )),
    };
    workflow::apply(tx, &REWARD, "report_reward", rid, state, step, by).await?;
    Ok(())
}

/// The reward of a report, if any (the caller has checked the report is in scope).
pub async fn reward_of(db: &Db, id: ReportId) -> StoreResult<Option<Reward>> {
    let mut q = Query::new(&format!("SELECT {REWARD_COLS}{REWARD_FROM}"));
    q.push(" AND w.report_id = ");
    q.bind_int(id);
    let row = q.build().fetch_optional(db.pool()).await?;
    row.as_ref().map(reward_row).transpose()
}

/// Every reward in the caller's scope, newest first (`status` filters).
pub async fn rewards(db: &Db, scope: &Scope, status: Option<&str>) -> StoreResult<Vec<Reward>> {
    let mut q = Query::new(&format!("SELECT {REWARD_COLS}{REWARD_FROM}"));
    push_scope(scope, &mut q);
    if let Some(s) = status.filter(|s| !s.is_empty()) {
        q.push(" AND w.status = ");
        q.bind_text(s);
    }
    q.push(" ORDER BY w.id DESC");
    let rows = q.build().fetch_all(db.pool()).await?;
    rows.iter().map(reward_row).collect()
}

/// A concluded 我为群众办实事 request as the portal shows it: what was done, by which unit,
/// when — only the summary the office chose to publish, nothing of the request's own text.
#[derive(Debug, Clone, Serialize)]
pub struct PublicDone {
    /// The published summary.
    pub summary: String,
    /// The unit that did it ('' when the office itself did).
    pub unit: String,
    /// Received.
    pub received_on: String,
    /// Concluded.
    pub concluded_on: String,
}

/// The newest published 我为群众办实事 results (the portal's list), at most `limit`.
pub async fn public_done(db: &Db, limit: i64) -> StoreResult<Vec<PublicDone>> {
    let rows = sqlx::query(
        "SELECT r.public_summary, COALESCE(h.name, ''), r.received_on, r.concluded_on FROM report r \
         LEFT JOIN org h ON h.id = r.handler_org_id \
         WHERE r.kind = 'service_request' AND r.about_principal = 0 AND r.public_summary <> '' \
         AND r.status IN ('replied', 'reviewing') ORDER BY r.concluded_on DESC, r.id DESC LIMIT $1",
    )
    .bind(limit.clamp(1, 200))
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(PublicDone {
                summary: r.try_get(0)?,
                unit: r.try_get(1)?,
                received_on: r.try_get(2)?,
                concluded_on: r.try_get(3)?,
            })
        })
        .collect()
}

/// Tells the reports office (the holders of `report.handle` in the handling commission and its
/// sections) about something from outside: a report filed on the portal, a reporter's
/// supplement. The title names the report only, never its text.
pub async fn tell_office(tx: &mut Tx, id: ReportId, what: &str) -> StoreResult<usize> {
    let org: OrgId = sqlx::query("SELECT org_id FROM report WHERE id = $1")
        .bind(id)
        .fetch_one(&mut **tx)
        .await?
        .try_get(0)?;
    let title = format!("【{what}】{}", item_title(id));
    tell(
        tx,
        qinglian_domain::report::PERM_HANDLE,
        org,
        &title,
        &format!("{}：{what}", item_title(id)),
        &link(id),
    )
    .await
}

/// Notifies the holders of `permission` in the commission `org` and its offices; returns how
/// many were told.
async fn tell(tx: &mut Tx, permission: &str, org: OrgId, title: &str, body: &str, link: &str) -> StoreResult<usize> {
    let users = crate::user::holders_within(tx, permission, org).await?;
    for u in &users {
        crate::notification::send(tx, *u, title, body, link).await?;
    }
    Ok(users.len())
}
