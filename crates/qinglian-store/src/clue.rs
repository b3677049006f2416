//! Problem clues (问题线索, issue #13 §1): the registry fed by hand, from a report and from a
//! confirmed data-supervision finding in one step (every field carried over, the link kept),
//! and the disposition workflow of `qinglian_domain::clue::CLUE_WORKFLOW`.
//!
//! Scope: a clue belongs to its subject's unit when the subject is in the roster, else to the
//! commission that registered it. Shelved and closed clues are read only with
//! `clue.restricted` (the caller says whether the user holds it). Title and matter are key-ring
//! ciphertext bound to the row; the reporter of a report is never copied.

use chrono::NaiveDate;
use qinglian_crypto::KeyRing;
use qinglian_domain::clue::{CLUE_WORKFLOW, ClueAction, ClueState, Conclusion, RULE_PROPOSE, Source};
use qinglian_domain::deadline::Due;
use qinglian_domain::workflow::{DeadlineEffect, State as _};
use serde::Serialize;
use sqlx::Row;

use crate::data_supervision::FindingId;
use crate::deadline::NewDeadline;
use crate::org::OrgId;
use crate::person::PersonId;
use crate::report::ReportId;
use crate::sql::{Page, Query};
use crate::user::UserId;
use crate::workflow::{self, Performer, Step};
use crate::{Db, Scope, StoreError, StoreResult, Tx};

crate::id_type!(
    /// Id of a problem clue.
    ClueId
);

/// The audit object type and the workflow's table.
pub const OBJECT_TYPE: &str = "clue";

/// The title of a clue's deadlines and notifications (no text of the clue).
pub fn item_title(id: ClueId) -> String {
    format!("问题线索 #{}", id.0)
}

/// The clue's page.
pub fn link(id: ClueId) -> String {
    format!("/clues/{}", id.0)
}

/// The associated data binding a ciphertext to its row: `<table>:<clue id>:<field>` (`clue`,
/// `clue_inquiry`, `clue_verification`).
fn aad(table: &str, id: ClueId, field: &str) -> Vec<u8> {
    format!("{table}:{}:{field}", id.0).into_bytes()
}

fn seal(keys: &KeyRing, table: &str, id: ClueId, field: &str, text: &str) -> String {
    keys.encrypt(text.as_bytes(), &aad(table, id, field))
}

fn open_text(keys: &KeyRing, table: &str, id: ClueId, field: &str, token: &str) -> StoreResult<String> {
    if token.is_empty() {
        return Ok(String::new());
    }
    let bytes = keys
        .decrypt(token, &aad(table, id, field))
        .map_err(|e| StoreError::Internal(format!("{table} {} {field} cannot be decrypted: {e}", id.0)))?;
    String::from_utf8(bytes).map_err(|_| StoreError::Internal(format!("{table} {} {field} is not UTF-8", id.0)))
}

/// The subject of a clue.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
pub struct Subject {
    /// Name.
    pub name: String,
    /// Unit.
    pub org: String,
    /// Post.
    pub post: String,
    /// Level (科级、处级…).
    pub level: String,
}

/// A clue to register.
#[derive(Debug, Clone)]
pub struct NewClue {
    /// The commission registering it (the clue's org when the subject is not in the roster).
    pub commission_id: OrgId,
    /// The office managing it.
    pub manager_org_id: Option<OrgId>,
    /// Source.
    pub source: Source,
    /// The source's reference.
    pub source_ref: String,
    /// The report it came from.
    pub report_id: Option<ReportId>,
    /// The finding it came from.
    pub finding_id: Option<FindingId>,
    /// The roster person, when one matches.
    pub person_id: Option<PersonId>,
    /// The subject as given.
    pub subject: Subject,
    /// 问题类别.
    pub category: String,
    /// Title.
    pub title: String,
    /// The matter.
    pub matter: String,
    /// Received on.
    pub received_on: NaiveDate,
}

/// Registers a clue in the caller's transaction (a roster person must be within `scope`) and
/// opens its first limit, proposing a disposition (RULES.md §3, `due` computed by the caller).
pub async fn create(
    tx: &mut Tx,
    keys: &KeyRing,
    scope: &Scope,
    c: &NewClue,
    due: Due,
    by: Option<UserId>,
) -> StoreResult<ClueId> {
    let subject_name = c.subject.name.trim();
    if subject_name.is_empty() {
        return Err(StoreError::invalid("subject_name", "请填写被反映人姓名"));
    }
    if c.title.trim().is_empty() {
        return Err(StoreError::invalid("title", "请填写线索标题"));
    }
    if c.matter.trim().is_empty() {
        return Err(StoreError::invalid("matter", "请填写反映的主要问题"));
    }
    let org = match c.person_id {
        Some(p) => {
            let mut q = Query::new("SELECT p.org_id FROM person p JOIN org o ON o.id = p.org_id WHERE p.id = ");
            q.bind_int(p);
            scope.push_filter(&mut q, "o.path");
            let row = q
                .build()
                .fetch_optional(&mut **tx)
                .await?
                .ok_or_else(|| StoreError::invalid("person_id", "所选人员不存在或不在您的数据范围内"))?;
            OrgId(row.try_get(0)?)
        }
        None => c.commission_id,
    };
    let now = crate::time::now();
    let id: ClueId = sqlx::query(
        "INSERT INTO clue (commission_id, org_id, manager_org_id, source, source_ref, report_id, finding_id, person_id, subject_name, \
         subject_org, subject_post, subject_level, category, title_enc, matter_enc, received_on, status, created_by, \
         created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, '', '', $14, $15, $16, $17, $17) RETURNING id",
    )
    .bind(c.commission_id)
    .bind(org)
    .bind(c.manager_org_id)
    .bind(c.source.code())
    .bind(c.source_ref.trim())
    .bind(c.report_id)
    .bind(c.finding_id)
    .bind(c.person_id)
    .bind(subject_name)
    .bind(c.subject.org.trim())
    .bind(c.subject.post.trim())
    .bind(c.subject.level.trim())
    .bind(c.category.trim())
    .bind(c.received_on.format("%Y-%m-%d").to_string())
    .bind(ClueState::Registered.code())
    .bind(by)
    .bind(&now)
    .fetch_one(&mut **tx)
    .await
    .map_err(|e| {
        let e = StoreError::from(e);
        if e.is_unique_violation("clue_report_key", "clue.report_id") {
            StoreError::conflict("report_id", "该信访件已转为问题线索")
        } else if e.is_unique_violation("clue_finding_key", "clue.finding_id") {
            StoreError::conflict("finding_id", "该疑点已转为问题线索")
        } else {
            e
        }
    })?
    .try_get(0)?;
    sqlx::query("UPDATE clue SET title_enc = $1, matter_enc = $2 WHERE id = $3")
        .bind(seal(keys, "clue", id, "title", c.title.trim()))
        .bind(seal(keys, "clue", id, "matter", c.matter.trim()))
        .bind(id)
        .execute(&mut **tx)
        .await?;
    if let Some(f) = c.finding_id {
        crate::data_supervision::link_clue(tx, scope, f, id.0).await?;
    }
    crate::deadline::create(
        tx,
        &NewDeadline {
            module: "clue".into(),
            object_type: OBJECT_TYPE.into(),
            object_id: id.to_string(),
            org_id: c.commission_id,
            owner_user_id: by,
            title: format!(
                "{}：{}",
                item_title(id),
                qinglian_domain::rules::rule(RULE_PROPOSE).map_or("提出处置意见", |r| r.title)
            ),
            rule_id: RULE_PROPOSE.into(),
            start_date: c.received_on,
            due,
            link: link(id),
            notify_permission: qinglian_domain::clue::PERM_HANDLE.into(),
        },
    )
    .await?;
    Ok(id)
}

/// What a report carries into a clue: everything but who reported (the reporter stays with
/// the report, behind its disclosure rules). A duplicate or forwarded report cannot become one.
pub async fn from_report(db: &Db, keys: &KeyRing, scope: &Scope, report: ReportId) -> StoreResult<NewClue> {
    let r = crate::report::get(db, keys, scope, report).await?;
    if matches!(r.status.as_str(), "duplicate" | "forwarded") {
        return Err(StoreError::conflict(
            "report_id",
            "重复件或已报送上级的信访件不能转为问题线索",
        ));
    }
    let person = crate::person::find_by_name_and_org(db, scope, &r.subject.name, &r.subject.org).await?;
    Ok(NewClue {
        commission_id: r.org_id,
        manager_org_id: None,
        source: Source::Report,
        source_ref: format!("信访件 #{}", r.id.0),
        report_id: Some(r.id),
        finding_id: None,
        person_id: person,
        subject: Subject {
            name: r.subject.name.clone(),
            org: r.subject.org.clone(),
            post: r.subject.post.clone(),
            level: r.subject.level.clone(),
        },
        category: r.category.clone(),
        title: r.title.clone(),
        matter: {
            let mut m = r.content.clone();
            for (label, v) in [("问题发生时间", &r.happened_on), ("问题发生地点", &r.place)] {
                if !v.is_empty() {
                    m.push_str(&format!("\n{label}：{v}"));
                }
            }
            m
        },
        received_on: NaiveDate::parse_from_str(&r.received_on, "%Y-%m-%d").unwrap_or_default(),
    })
}

/// What a confirmed finding carries into a clue: the model, the subject, the explanation and
/// the checking unit's conclusion.
pub async fn from_finding(
    db: &Db,
    scope: &Scope,
    commission_id: OrgId,
    finding: FindingId,
    today: NaiveDate,
) -> StoreResult<NewClue> {
    let f = crate::data_supervision::get_finding(db, scope, finding).await?;
    if !f.clue_ready() {
        return Err(StoreError::conflict(
            "finding_id",
            if f.clue_id.is_some() {
                "该疑点已转为问题线索"
            } else {
                "只有核查属实或部分属实的疑点可以转为问题线索"
            },
        ));
    }
    // A person subject is keyed by the ID number; the roster gives the name and unit.
    let person = crate::person::by_id_number(db, scope, &f.subject).await?;
    let (person_id, subject) = match person {
        Some(p) => (
            Some(p.id),
            Subject {
                name: p.name.clone(),
                org: p.org_name.clone(),
                post: p.post.clone(),
                level: p.rank.clone(),
            },
        ),
        None => (
            None,
            Subject {
                name: f.subject.clone(),
                org: f.org_name.clone(),
                ..Default::default()
            },
        ),
    };
    let mut matter = f.explanation.clone();
    if !f.close_note.is_empty() {
        matter.push_str(&format!("\n核查结论（{}）：{}", f.status_label(), f.close_note));
    }
    Ok(NewClue {
        commission_id,
        manager_org_id: None,
        source: Source::DataSupervision,
        source_ref: format!("疑点 #{}（{}，{}）", f.id.0, f.model_title, f.period),
        report_id: None,
        finding_id: Some(f.id),
        person_id,
        subject,
        category: f.model_title.clone(),
        title: format!("{}：{}", f.model_title, f.period),
        matter,
        received_on: today,
    })
}

/// A clue as its readers see it.
#[derive(Debug, Clone, Serialize)]
pub struct Clue {
    /// Id.
    pub id: ClueId,
    /// Its org (subject's unit or the commission).
    pub org_id: OrgId,
    /// Its name.
    pub org_name: String,
    /// Managing office.
    pub manager_org_id: Option<OrgId>,
    /// Source code.
    pub source: String,
    /// Source reference.
    pub source_ref: String,
    /// Report it came from.
    pub report_id: Option<ReportId>,
    /// Finding it came from.
    pub finding_id: Option<FindingId>,
    /// Roster person.
    pub person_id: Option<PersonId>,
    /// Subject.
    pub subject: Subject,
    /// 问题类别.
    pub category: String,
    /// Title.
    pub title: String,
    /// The matter (only on [`get`]).
    pub matter: String,
    /// Received.
    pub received_on: String,
    /// Status code.
    pub status: String,
    /// Due date of the open limit ('' = 待定), if any.
    pub due_date: Option<String>,
    /// Registered at.
    pub created_at: String,
}

impl Clue {
    /// The state.
    pub fn state(&self) -> ClueState {
        ClueState::parse(&self.status).unwrap_or(ClueState::Registered)
    }
    /// Chinese status.
    pub fn status_label(&self) -> &'static str {
        self.state().label()
    }
    /// Chinese source.
    pub fn source_label(&self) -> &'static str {
        Source::parse(&self.source).map_or("", Source::label)
    }
    /// The case reference its outcomes are recorded under (「问题线索 #7」).
    pub fn case_ref(&self) -> String {
        item_title(self.id)
    }
    /// The due date as shown.
    pub fn due_display(&self) -> &str {
        match self.due_date.as_deref() {
            Some("") => crate::deadline::PENDING_LABEL,
            Some(d) => d,
            None => "",
        }
    }
}

/// Filters of the clue list.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ClueFilter {
    /// State code(s), comma-separated.
    pub status: Option<String>,
    /// Source code(s).
    pub source: Option<String>,
    /// Subject name or unit, or the clue's number.
    pub q: Option<String>,
    /// Received on or after.
    pub from: Option<String>,
    /// Received on or before.
    pub to: Option<String>,
    /// Only those whose open limit is overdue on this day.
    #[serde(skip)]
    pub overdue_on: Option<String>,
}

const FROM: &str = " FROM clue c JOIN org o ON o.id = c.org_id \
    LEFT JOIN deadline d ON d.object_type = 'clue' AND d.object_id = CAST(c.id AS TEXT) AND d.done_at IS NULL \
    WHERE 1 = 1";

fn cols() -> String {
    format!(
        "c.id, c.org_id, {} AS org_name, c.manager_org_id, c.source, c.source_ref, c.report_id, c.finding_id, \
         c.person_id, c.subject_name, c.subject_org, c.subject_post, c.subject_level, c.category, c.title_enc, \
         c.received_on, c.status, d.due_date, c.created_at",
        org_display!("o")
    )
}

fn filtered(scope: &Scope, f: &ClueFilter, restricted: bool, cols: &str) -> Query {
    let mut q = Query::new(&format!("SELECT {cols}{FROM}"));
    scope.push_filter(&mut q, "o.path");
    if !restricted {
        q.push(" AND c.status NOT IN ('shelved', 'closed')");
    }
    q.push_in("c.status", f.status.as_deref());
    q.push_in("c.source", f.source.as_deref());
    if let Some(t) = f.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let like = format!("%{}%", crate::sql::like_escape(t));
        q.push(" AND (c.subject_name LIKE ");
        q.bind_text(like.clone());
        q.push(" ESCAPE '\\' OR c.subject_org LIKE ");
        q.bind_text(like);
        q.push(" ESCAPE '\\'");
        if let Ok(n) = t.trim_start_matches('#').parse::<i64>() {
            q.push(" OR c.id = ");
            q.bind_int(n);
        }
        q.push(")");
    }
    for (op, v) in [(">=", &f.from), ("<=", &f.to)] {
        if let Some(d) = v
            .as_deref()
            .and_then(|d| NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok())
        {
            q.push(&format!(" AND c.received_on {op} "));
            q.bind_text(d.format("%Y-%m-%d").to_string());
        }
    }
    if let Some(day) = f.overdue_on.as_deref() {
        q.push(" AND d.due_date <> '' AND d.due_date < ");
        q.bind_text(day);
    }
    q
}

fn from_row(keys: &KeyRing, r: &sqlx::any::AnyRow) -> StoreResult<Clue> {
    let id = ClueId(r.try_get(0)?);
    let title: String = r.try_get(14)?;
    Ok(Clue {
        id,
        org_id: OrgId(r.try_get(1)?),
        org_name: r.try_get(2)?,
        manager_org_id: r.try_get::<Option<i64>, _>(3)?.map(OrgId),
        source: r.try_get(4)?,
        source_ref: r.try_get(5)?,
        report_id: r.try_get::<Option<i64>, _>(6)?.map(ReportId),
        finding_id: r.try_get::<Option<i64>, _>(7)?.map(FindingId),
        person_id: r.try_get::<Option<i64>, _>(8)?.map(PersonId),
        subject: Subject {
            name: r.try_get(9)?,
            org: r.try_get(10)?,
            post: r.try_get(11)?,
            level: r.try_get(12)?,
        },
        category: r.try_get(13)?,
        title: open_text(keys, "clue", id, "title", &title)?,
        matter: String::new(),
        received_on: r.try_get(15)?,
        status: r.try_get(16)?,
        due_date: r.try_get(17)?,
        created_at: r.try_get(18)?,
    })
}

/// Sort keys.
pub const SORTS: &[(&str, &str)] = &[
    ("received", "c.received_on"),
    (
        "due",
        "CASE WHEN d.due_date IS NULL OR d.due_date = '' THEN '9999' ELSE d.due_date END",
    ),
    ("subject", "c.subject_name"),
    ("status", "c.status"),
];

fn order_by(sort: &str, desc: bool) -> String {
    let col = SORTS
        .iter()
        .find(|(k, _)| *k == sort)
        .map_or("c.received_on", |(_, c)| c);
    let dir = if desc { "DESC" } else { "ASC" };
    format!(" ORDER BY {col} {dir}, c.id {dir}")
}

/// One page of clues in scope; shelved and closed ones only with `restricted`.
#[allow(clippy::too_many_arguments)]
pub async fn list(
    db: &Db,
    keys: &KeyRing,
    scope: &Scope,
    restricted: bool,
    f: &ClueFilter,
    sort: &str,
    desc: bool,
    page: i64,
    per_page: i64,
) -> StoreResult<Page<Clue>> {
    crate::sql::fetch_page(
        db,
        filtered(scope, f, restricted, "COUNT(*)"),
        filtered(scope, f, restricted, &cols()),
        &order_by(sort, desc),
        page,
        per_page,
        |r| from_row(keys, r),
    )
    .await
}

/// Every clue of a filter (exports), capped.
#[allow(clippy::too_many_arguments)]
pub async fn list_all(
    db: &Db,
    keys: &KeyRing,
    scope: &Scope,
    restricted: bool,
    f: &ClueFilter,
    sort: &str,
    desc: bool,
    limit: i64,
) -> StoreResult<Vec<Clue>> {
    crate::sql::fetch_all(
        db,
        filtered(scope, f, restricted, &cols()),
        &order_by(sort, desc),
        limit,
        |r| from_row(keys, r),
    )
    .await
}

/// One clue with its matter.
pub async fn get(db: &Db, keys: &KeyRing, scope: &Scope, restricted: bool, id: ClueId) -> StoreResult<Clue> {
    let mut q = filtered(
        scope,
        &ClueFilter::default(),
        restricted,
        &format!("{}, c.matter_enc", cols()),
    );
    q.push(" AND c.id = ");
    q.bind_int(id);
    let row = q
        .build()
        .fetch_optional(db.pool())
        .await?
        .ok_or(StoreError::NotFound("问题线索"))?;
    let mut c = from_row(keys, &row)?;
    let matter: String = row.try_get(19)?;
    c.matter = open_text(keys, "clue", id, "matter", &matter)?;
    Ok(c)
}

/// The clue a report became, if any (within scope and visibility).
pub async fn of_report(db: &Db, report: ReportId) -> StoreResult<Option<ClueId>> {
    Ok(sqlx::query("SELECT id FROM clue WHERE report_id = $1")
        .bind(report)
        .fetch_optional(db.pool())
        .await?
        .map(|r| r.try_get(0).map(ClueId))
        .transpose()?)
}

/// What a step carries besides its action.
#[derive(Debug, Clone, Default)]
pub struct StepInput {
    /// The reasoning (the triage's opinion, a reason for a return, an approval's remark).
    pub note: String,
    /// The subject's written explanation, or the record of an inquiry talk.
    pub text: String,
    /// The sign-off of the subject's party organisation's principal on the explanation.
    pub sign_off: String,
    /// The day the step happened (the letter's reply received, the talk held), if not today.
    pub day: Option<NaiveDate>,
    /// The proposed conclusion of an inquiry.
    pub conclusion: Option<Conclusion>,
    /// The verification team (初核组成员).
    pub team: String,
    /// The verification plan's own due date.
    pub due_on: Option<NaiveDate>,
}

/// The inquiry (谈话函询) of a clue as recorded so far.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Inquiry {
    /// letter | talk.
    pub mode: String,
    /// The letter's number (示纪函〔2026〕3号).
    pub letter_number: String,
    /// The day it was sent.
    pub letter_sent_on: String,
    /// The written explanation, or the talk record.
    pub explanation: String,
    /// The day it was received / the talk was held.
    pub explained_on: String,
    /// The principal's sign-off.
    pub sign_off: String,
    /// Sent straight to the commission (the subject is the principal).
    pub direct: bool,
    /// The conclusion code (`clear` or an outcome kind).
    pub conclusion: String,
    /// The outcome it recorded.
    pub outcome_id: Option<i64>,
}

impl Inquiry {
    /// The conclusion in Chinese.
    pub fn conclusion_label(&self) -> &'static str {
        Conclusion::parse(&self.conclusion).map_or("", Conclusion::label)
    }
}

/// The preliminary verification of a clue as recorded so far.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Verification {
    /// The plan.
    pub plan: String,
    /// The team.
    pub team: String,
    /// The plan's due date.
    pub due_on: String,
    /// The verification report.
    pub report: String,
    /// The day it was reported.
    pub reported_on: String,
}

/// The verification of a clue (the caller has read the clue in scope).
pub async fn verification(db: &Db, keys: &KeyRing, id: ClueId) -> StoreResult<Option<Verification>> {
    let Some(r) =
        sqlx::query("SELECT plan_enc, team, due_on, report_enc, reported_on FROM clue_verification WHERE clue_id = $1")
            .bind(id)
            .fetch_optional(db.pool())
            .await?
    else {
        return Ok(None);
    };
    let open = |field: &str, token: String| open_text(keys, "clue_verification", id, field, &token);
    Ok(Some(Verification {
        plan: open("plan", r.try_get(0)?)?,
        team: r.try_get(1)?,
        due_on: r.try_get(2)?,
        report: open("report", r.try_get(3)?)?,
        reported_on: r.try_get(4)?,
    }))
}

/// The inquiry of a clue (the caller has read the clue in scope).
pub async fn inquiry(db: &Db, keys: &KeyRing, id: ClueId) -> StoreResult<Option<Inquiry>> {
    let Some(r) = sqlx::query(
        "SELECT mode, letter_number, letter_sent_on, explanation_enc, explained_on, sign_off, direct, talk_enc, \
         conclusion, outcome_id FROM clue_inquiry WHERE clue_id = $1",
    )
    .bind(id)
    .fetch_optional(db.pool())
    .await?
    else {
        return Ok(None);
    };
    let open = |field: &str, token: String| open_text(keys, "clue_inquiry", id, field, &token);
    let mode: String = r.try_get(0)?;
    let explanation = if mode == "talk" {
        open("talk", r.try_get(7)?)?
    } else {
        open("explanation", r.try_get(3)?)?
    };
    Ok(Some(Inquiry {
        mode,
        letter_number: r.try_get(1)?,
        letter_sent_on: r.try_get(2)?,
        explanation,
        explained_on: r.try_get(4)?,
        sign_off: r.try_get(5)?,
        direct: r.try_get::<i64, _>(6)? != 0,
        conclusion: r.try_get(8)?,
        outcome_id: r.try_get(9)?,
    }))
}

/// The document kind of inquiry letters in the register.
pub const LETTER_KIND: &str = "clue.inquiry_letter";

/// The installation's policy a step follows.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    /// The prefix of inquiry letter numbers (the commission's short name + 函: 示纪函).
    pub letter_prefix: String,
    /// The prefix of case numbers (the commission's short name + 立: 示纪立).
    pub filing_prefix: String,
    /// The approval rule of RULES.md §3 (configurable, `clue.principal_approval`): an inquiry
    /// or a verification about a lower-level party organisation's principal needs the
    /// commission principal's approval (`clue.approve_principal`); a verification also the
    /// same-level party committee principal's, recorded with the approval.
    pub principal_approval: bool,
}

async fn upsert_inquiry(tx: &mut Tx, id: ClueId) -> StoreResult<()> {
    let n: i64 = sqlx::query("SELECT COUNT(*) FROM clue_inquiry WHERE clue_id = $1")
        .bind(id)
        .fetch_one(&mut **tx)
        .await?
        .try_get(0)?;
    if n == 0 {
        sqlx::query("INSERT INTO clue_inquiry (clue_id, updated_at) VALUES ($1, $2)")
            .bind(id)
            .bind(crate::time::now())
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Takes one step in the caller's transaction through the workflow table, with what the step
/// records: a proposal needs the triage's reasoning, a return its reason; an inquiry letter
/// gets its number from the document register (`letter_prefix` + 〔year〕n号); the explanation
/// needs the principal's sign-off unless the subject is a principal (then it went straight to
/// the commission); a proposed measure needs the subject linked to the roster; the approval of
/// a measure records it as an outcome (first form) against the person.
#[allow(clippy::too_many_arguments)]
pub async fn act(
    tx: &mut Tx,
    keys: &KeyRing,
    scope: &Scope,
    restricted: bool,
    id: ClueId,
    action: ClueAction,
    input: &StepInput,
    policy: &Policy,
    today: NaiveDate,
    due: &(dyn Fn(&str, NaiveDate) -> Due + Sync),
    by: &Performer<'_>,
) -> StoreResult<ClueState> {
    let state: ClueState = workflow::lock_state(tx, "clue", id)
        .await?
        .ok_or(StoreError::NotFound("问题线索"))?;
    let mut q = Query::new(
        "SELECT c.commission_id, c.person_id, COALESCE(p.principal, 0), COALESCE(p.id_number, '') \
         FROM clue c JOIN org o ON o.id = c.org_id LEFT JOIN person p ON p.id = c.person_id WHERE c.id = ",
    );
    q.bind_int(id);
    scope.push_filter(&mut q, "o.path");
    let row = q
        .build()
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound("问题线索"))?;
    let commission = OrgId(row.try_get(0)?);
    let person: Option<i64> = row.try_get(1)?;
    let principal = row.try_get::<i64, _>(2)? != 0;
    let id_number: String = row.try_get(3)?;
    if state.restricted() && !restricted {
        return Err(StoreError::NotFound("问题线索"));
    }
    let t = CLUE_WORKFLOW
        .check(state, action, &|p| by.perms.can(p))
        .map_err(workflow::refusal)?;
    let mut note = input.note.trim().to_string();
    let text = input.text.trim();
    // RULES.md §3: who approves an inquiry or a verification about a principal.
    if action == ClueAction::Approve
        && principal
        && policy.principal_approval
        && matches!(state, ClueState::ProposedInquiry | ClueState::ProposedVerification)
    {
        if !by.perms.can(qinglian_domain::clue::PERM_APPROVE_PRINCIPAL) {
            return Err(StoreError::Forbidden(
                "被反映人系下级党组织主要负责人，谈话函询、初步核实须经纪委监委主要负责人批准".into(),
            ));
        }
        if state == ClueState::ProposedVerification {
            let party = input.sign_off.trim();
            if party.is_empty() {
                return Err(StoreError::invalid(
                    "sign_off",
                    "初步核实下级党组织主要负责人的，还须同级党委主要负责人批准：请填写其批准意见",
                ));
            }
            note = format!("{note}（同级党委主要负责人批准意见：{party}）")
                .trim_start()
                .to_string();
        }
    }
    let note = note.as_str();
    let day = input.day.unwrap_or(today);
    if day > today {
        return Err(StoreError::invalid("day", "日期不能晚于今天"));
    }
    // A verification's proposals carry its report instead of a triage note.
    let needs_note = state != ClueState::Verifying
        && matches!(
            action,
            ClueAction::ProposeInquiry
                | ClueAction::ProposeVerification
                | ClueAction::ProposeShelve
                | ClueAction::ProposeClose
                | ClueAction::Return
                | ClueAction::Reopen
        );
    if needs_note && note.is_empty() {
        return Err(StoreError::invalid(
            "note",
            match action {
                ClueAction::Return => "请填写退回理由",
                ClueAction::Reopen => "请填写重新启用的理由",
                ClueAction::ProposeVerification if state == ClueState::Explained => "请填写转初核的理由",
                _ => "请填写集体排查意见（理由）",
            },
        ));
    }
    let now = crate::time::now();
    let mut detail = String::new();
    match action {
        ClueAction::SendLetter => {
            upsert_inquiry(tx, id).await?;
            let n = crate::document::number(
                tx,
                commission,
                LETTER_KIND,
                OBJECT_TYPE,
                &id.to_string(),
                today,
                by.user_id,
            )
            .await?;
            let number = n.display(&policy.letter_prefix);
            sqlx::query("UPDATE clue_inquiry SET mode = 'letter', letter_number = $1, letter_sent_on = $2, updated_at = $3 WHERE clue_id = $4")
                .bind(&number)
                .bind(today.format("%Y-%m-%d").to_string())
                .bind(&now)
                .bind(id)
                .execute(&mut **tx)
                .await?;
            detail = number;
        }
        ClueAction::RecordTalk | ClueAction::RecordExplanation => {
            let talk = action == ClueAction::RecordTalk;
            if text.is_empty() {
                return Err(StoreError::invalid(
                    "text",
                    if talk {
                        "请填写谈话情况"
                    } else {
                        "请填写书面说明的主要内容"
                    },
                ));
            }
            let sign_off = input.sign_off.trim();
            // RULES.md §3: the principal of the subject's party organisation signs the reply off,
            // unless the subject is that principal (then it goes straight to the commission).
            if !talk && !principal && sign_off.is_empty() {
                return Err(StoreError::invalid("sign_off", "请填写所在党组织主要负责人的签署意见"));
            }
            upsert_inquiry(tx, id).await?;
            let (col, field) = if talk {
                ("talk_enc", "talk")
            } else {
                ("explanation_enc", "explanation")
            };
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "UPDATE clue_inquiry SET mode = CASE WHEN mode = '' THEN $1 ELSE mode END, {col} = $2, explained_on = $3, \
                 sign_off = $4, direct = $5, updated_at = $6 WHERE clue_id = $7"
            )))
            .bind(if talk { "talk" } else { "letter" })
            .bind(seal(keys, "clue_inquiry", id, field, text))
            .bind(day.format("%Y-%m-%d").to_string())
            .bind(if talk { "" } else { sign_off })
            .bind((!talk && principal) as i64)
            .bind(&now)
            .bind(id)
            .execute(&mut **tx)
            .await?;
        }
        ClueAction::PlanVerification => {
            if text.is_empty() {
                return Err(StoreError::invalid("text", "请填写初核方案的主要内容"));
            }
            if input.team.trim().is_empty() {
                return Err(StoreError::invalid("team", "请填写初核组成员"));
            }
            let due_on = input
                .due_on
                .ok_or_else(|| StoreError::invalid("due_on", "请填写初核方案确定的完成期限"))?;
            if due_on <= today {
                return Err(StoreError::invalid("due_on", "完成期限应晚于今天"));
            }
            sqlx::query(
                "INSERT INTO clue_verification (clue_id, plan_enc, team, due_on, updated_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(id)
            .bind(seal(keys, "clue_verification", id, "plan", text))
            .bind(input.team.trim())
            .bind(due_on.format("%Y-%m-%d").to_string())
            .bind(&now)
            .execute(&mut **tx)
            .await?;
            detail = format!("期限{due_on}");
        }
        ClueAction::ProposeFiling | ClueAction::ProposeClose | ClueAction::ProposeConclusion
            if state == ClueState::Verifying =>
        {
            // The verification report: what was found, and the proposal it supports.
            if text.is_empty() {
                return Err(StoreError::invalid("text", "请填写初核情况报告的主要内容"));
            }
            if action == ClueAction::ProposeConclusion {
                let c = input
                    .conclusion
                    .ok_or_else(|| StoreError::invalid("conclusion", "请选择处理意见"))?;
                if matches!(c, Conclusion::Measure(_)) && person.is_none() {
                    return Err(StoreError::invalid(
                        "conclusion",
                        "被反映人未关联人员名册，无法记录处理结果；请先在人员名册中登记该人员并关联",
                    ));
                }
                upsert_inquiry(tx, id).await?;
                sqlx::query("UPDATE clue_inquiry SET conclusion = $1, updated_at = $2 WHERE clue_id = $3")
                    .bind(c.code())
                    .bind(&now)
                    .bind(id)
                    .execute(&mut **tx)
                    .await?;
                detail = c.label().to_string();
            }
            sqlx::query(
                "UPDATE clue_verification SET report_enc = $1, reported_on = $2, updated_at = $3 WHERE clue_id = $4",
            )
            .bind(seal(keys, "clue_verification", id, "report", text))
            .bind(today.format("%Y-%m-%d").to_string())
            .bind(&now)
            .bind(id)
            .execute(&mut **tx)
            .await?;
        }
        ClueAction::ProposeConclusion => {
            let c = input
                .conclusion
                .ok_or_else(|| StoreError::invalid("conclusion", "请选择处理意见"))?;
            if matches!(c, Conclusion::Measure(_)) && person.is_none() {
                return Err(StoreError::invalid(
                    "conclusion",
                    "被反映人未关联人员名册，无法记录处理结果；请先在人员名册中登记该人员并关联",
                ));
            }
            sqlx::query("UPDATE clue_inquiry SET conclusion = $1, updated_at = $2 WHERE clue_id = $3")
                .bind(c.code())
                .bind(&now)
                .bind(id)
                .execute(&mut **tx)
                .await?;
            detail = c.label().to_string();
        }
        ClueAction::Approve if state == ClueState::ProposedFiling => {
            let case = crate::case::file_from_clue(tx, id, &policy.filing_prefix, today, by.user_id).await?;
            let number: String = sqlx::query("SELECT number FROM case_record WHERE id = $1")
                .bind(case)
                .fetch_one(&mut **tx)
                .await?
                .try_get(0)?;
            detail = format!("立案{number}");
        }
        ClueAction::Approve if state == ClueState::ConclusionProposed => {
            let code: String = sqlx::query("SELECT conclusion FROM clue_inquiry WHERE clue_id = $1")
                .bind(id)
                .fetch_one(&mut **tx)
                .await?
                .try_get(0)?;
            if let Some(Conclusion::Measure(kind)) = Conclusion::parse(&code) {
                let rec = crate::outcome::record(
                    tx,
                    &Scope::new(vec!["/".into()]),
                    &crate::outcome::NewOutcome {
                        id_number,
                        kind,
                        decided_on: today,
                        effective_on: today,
                        term_months: None,
                        case_ref: item_title(id),
                        clue_id: Some(id.0),
                        source: "clue",
                        note: String::new(),
                    },
                    by.user_id,
                )
                .await?;
                sqlx::query("UPDATE clue_inquiry SET outcome_id = $1 WHERE clue_id = $2")
                    .bind(rec.id)
                    .bind(id)
                    .execute(&mut **tx)
                    .await?;
                detail = format!("记录{}", kind.label());
            }
        }
        _ => {}
    }
    let rule = match t.deadline {
        DeadlineEffect::Open(r) | DeadlineEffect::Replace(r) => Some(r),
        _ => None,
    };
    let plan_due = (action == ClueAction::PlanVerification)
        .then_some(input.due_on)
        .flatten();
    let open = rule.map(|r| NewDeadline {
        module: "clue".into(),
        object_type: OBJECT_TYPE.into(),
        object_id: id.to_string(),
        org_id: commission,
        owner_user_id: by.user_id,
        title: format!(
            "{}：{}",
            item_title(id),
            qinglian_domain::rules::rule(r).map_or("办理", |x| x.title)
        ),
        rule_id: r.into(),
        start_date: if action == ClueAction::RecordTalk || action == ClueAction::RecordExplanation {
            day
        } else {
            today
        },
        // The plan sets a verification's own limit (RULES.md §3: none fixed by law).
        due: match plan_due {
            Some(d) => Due::On(d),
            None => due(
                r,
                if action == ClueAction::RecordTalk || action == ClueAction::RecordExplanation {
                    day
                } else {
                    today
                },
            ),
        },
        link: link(id),
        notify_permission: String::new(),
    });
    let next_users = match t.next {
        Some(p) => crate::user::holders_within(tx, p, commission).await?,
        None => Vec::new(),
    };
    // The explanation and the talk are kept encrypted; the clear history holds only the note.
    let step = Step {
        action,
        note,
        detail,
        open,
        close: crate::deadline::open_of_item(tx, OBJECT_TYPE, &id.to_string()).await?,
        next_org: None,
        next_users,
        notice: t.next.map(|_| {
            (
                format!("【{}】{}", t.to.label(), item_title(id)),
                format!("{}：{}", item_title(id), t.to.label()),
                link(id),
            )
        }),
    };
    Ok(workflow::apply(tx, &CLUE_WORKFLOW, "clue", id, state, step, by)
        .await?
        .to)
}

/// One to-do card's figures: clues in a state out of which the user may act.
#[derive(Debug, Clone)]
pub struct Todo {
    /// The state.
    pub state: ClueState,
    /// Its figures.
    pub counts: crate::deadline::TodoCount,
}

/// The user's to-do cards from the workflow table, in scope.
pub async fn todo(
    db: &Db,
    scope: &Scope,
    can: &(dyn Fn(&str) -> bool + Sync),
    today: NaiveDate,
) -> StoreResult<Vec<Todo>> {
    let mut out = Vec::new();
    if scope.is_empty() {
        return Ok(out);
    }
    for &state in ClueState::ALL {
        // A shelved clue waits for the periodic re-review, not for anyone today.
        if state == ClueState::Shelved || CLUE_WORKFLOW.allowed_from(state, can).next().is_none() {
            continue;
        }
        let mut q = crate::deadline::todo_select("d", today);
        q.push(
            "FROM clue c JOIN org o ON o.id = c.org_id \
             LEFT JOIN deadline d ON d.object_type = 'clue' AND d.object_id = CAST(c.id AS TEXT) AND d.done_at IS NULL \
             WHERE c.status = ",
        );
        q.bind_text(state.code());
        scope.push_filter(&mut q, "o.path");
        let n = crate::deadline::todo_count(db, q).await?;
        if n.count > 0 {
            out.push(Todo { state, counts: n });
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// 集体排查 (triage meetings)
// ---------------------------------------------------------------------------------------------

crate::id_type!(
    /// Id of a triage meeting.
    MeetingId
);

/// A triage meeting to record.
#[derive(Debug, Clone)]
pub struct NewMeeting {
    /// The commission holding it.
    pub commission_id: OrgId,
    /// The day.
    pub held_on: NaiveDate,
    /// Where.
    pub place: String,
    /// Who chaired.
    pub host: String,
    /// Who attended.
    pub attendees: String,
}

/// One clue on the agenda with the disposition the meeting proposes.
#[derive(Debug, Clone)]
pub struct AgendaItem {
    /// The clue.
    pub clue_id: ClueId,
    /// The proposed disposition.
    pub disposition: qinglian_domain::clue::Disposition,
    /// The meeting's opinion (reasons).
    pub opinion: String,
}

/// Records a triage meeting in the caller's transaction and proposes each clue's disposition
/// through the workflow table (the proposal's note names the meeting). A clue that cannot be
/// proposed (moved on meanwhile, out of scope) fails the whole meeting with its number named.
#[allow(clippy::too_many_arguments)]
pub async fn triage(
    tx: &mut Tx,
    keys: &KeyRing,
    scope: &Scope,
    m: &NewMeeting,
    items: &[AgendaItem],
    today: NaiveDate,
    due: &(dyn Fn(&str, NaiveDate) -> Due + Sync),
    by: &Performer<'_>,
) -> StoreResult<MeetingId> {
    if items.is_empty() {
        return Err(StoreError::invalid("items", "请至少为一件线索选择处置方式"));
    }
    if m.host.trim().is_empty() {
        return Err(StoreError::invalid("host", "请填写主持人"));
    }
    if m.attendees.trim().is_empty() {
        return Err(StoreError::invalid("attendees", "请填写参会人员"));
    }
    if m.held_on > today {
        return Err(StoreError::invalid("held_on", "会议日期不能晚于今天"));
    }
    let id: MeetingId = sqlx::query(
        "INSERT INTO clue_triage_meeting (commission_id, held_on, place, host, attendees, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(m.commission_id)
    .bind(m.held_on.format("%Y-%m-%d").to_string())
    .bind(m.place.trim())
    .bind(m.host.trim())
    .bind(m.attendees.trim())
    .bind(by.user_id)
    .bind(crate::time::now())
    .fetch_one(&mut **tx)
    .await?
    .try_get(0)?;
    for it in items {
        let opinion = it.opinion.trim();
        if opinion.is_empty() {
            return Err(StoreError::invalid(
                "items",
                format!("线索 #{}：请填写排查意见", it.clue_id.0),
            ));
        }
        let input = StepInput {
            note: format!("集体排查（{}）：{opinion}", m.held_on.format("%Y-%m-%d")),
            ..Default::default()
        };
        act(
            tx,
            keys,
            scope,
            false,
            it.clue_id,
            it.disposition.propose(),
            &input,
            &Policy::default(),
            today,
            due,
            by,
        )
        .await
        .map_err(|e| match e {
            StoreError::NotFound(_) => StoreError::invalid("items", format!("线索 #{}不存在或无权访问", it.clue_id.0)),
            StoreError::Conflict { message, .. }
            | StoreError::Invalid { message, .. }
            | StoreError::Forbidden(message) => {
                StoreError::invalid("items", format!("线索 #{}：{message}", it.clue_id.0))
            }
            e => e,
        })?;
        sqlx::query("INSERT INTO clue_triage_item (meeting_id, clue_id, disposition, opinion) VALUES ($1, $2, $3, $4)")
            .bind(id)
            .bind(it.clue_id)
            .bind(it.disposition.code())
            .bind(opinion)
            .execute(&mut **tx)
            .await?;
    }
    Ok(id)
}

/// A recorded triage meeting with its agenda.
#[derive(Debug, Clone, Serialize)]
pub struct Meeting {
    /// Id.
    pub id: MeetingId,
    /// The commission.
    pub commission_id: OrgId,
    /// The day.
    pub held_on: String,
    /// Where.
    pub place: String,
    /// Chair.
    pub host: String,
    /// Attendees.
    pub attendees: String,
    /// The clues and what was proposed: (clue, subject, title, disposition code, opinion, its
    /// state now).
    pub items: Vec<MeetingItem>,
}

/// One clue of a meeting.
#[derive(Debug, Clone, Serialize)]
pub struct MeetingItem {
    /// The clue.
    pub clue_id: ClueId,
    /// Its subject's name.
    pub subject: String,
    /// Its title.
    pub title: String,
    /// The proposed disposition (code).
    pub disposition: String,
    /// The opinion.
    pub opinion: String,
    /// The clue's state now.
    pub status: String,
}

impl MeetingItem {
    /// The disposition in Chinese.
    pub fn disposition_label(&self) -> &'static str {
        qinglian_domain::clue::Disposition::parse(&self.disposition).map_or("", |d| d.label())
    }
    /// The clue's state in Chinese.
    pub fn status_label(&self) -> &'static str {
        ClueState::parse(&self.status).map_or("", |s| s.label())
    }
}

/// The triage meetings of the commissions in scope, newest first (without agendas).
pub async fn meetings(db: &Db, scope: &Scope) -> StoreResult<Vec<Meeting>> {
    let mut q = Query::new(
        "SELECT m.id, m.commission_id, m.held_on, m.place, m.host, m.attendees FROM clue_triage_meeting m \
         JOIN org o ON o.id = m.commission_id WHERE 1 = 1",
    );
    scope.push_filter(&mut q, "o.path");
    q.push(" ORDER BY m.held_on DESC, m.id DESC");
    let rows = q.build().fetch_all(db.pool()).await?;
    rows.iter()
        .map(|r| {
            Ok(Meeting {
                id: MeetingId(r.try_get(0)?),
                commission_id: OrgId(r.try_get(1)?),
                held_on: r.try_get(2)?,
                place: r.try_get(3)?,
                host: r.try_get(4)?,
                attendees: r.try_get(5)?,
                items: Vec::new(),
            })
        })
        .collect()
}

/// One meeting with its agenda (the clues the caller may see; shelved and closed ones only
/// with `restricted`, else shown by number only).
pub async fn meeting(db: &Db, keys: &KeyRing, scope: &Scope, restricted: bool, id: MeetingId) -> StoreResult<Meeting> {
    let mut m = meetings(db, scope)
        .await?
        .into_iter()
        .find(|m| m.id == id)
        .ok_or(StoreError::NotFound("集体排查会议"))?;
    let rows = sqlx::query(
        "SELECT i.clue_id, c.subject_name, c.title_enc, i.disposition, i.opinion, c.status FROM clue_triage_item i \
         JOIN clue c ON c.id = i.clue_id WHERE i.meeting_id = $1 ORDER BY i.id",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await?;
    for r in &rows {
        let cid = ClueId(r.try_get(0)?);
        let status: String = r.try_get(5)?;
        let hidden = !restricted && ClueState::parse(&status).is_some_and(ClueState::restricted);
        let title: String = r.try_get(2)?;
        m.items.push(MeetingItem {
            clue_id: cid,
            subject: if hidden { "—".into() } else { r.try_get(1)? },
            title: if hidden {
                "（已暂存或了结，仅限授权人员查看）".into()
            } else {
                open_text(keys, "clue", cid, "title", &title)?
            },
            disposition: r.try_get(3)?,
            opinion: if hidden { String::new() } else { r.try_get(4)? },
            status,
        });
    }
    Ok(m)
}

/// Links a clue's subject to the roster person with this ID number (a clue carried over from a
/// report names the subject without one): the clue moves to the person's unit; the names must
/// agree. Audited by the caller; in the caller's transaction.
pub async fn link_person(
    tx: &mut Tx,
    scope: &Scope,
    restricted: bool,
    id: ClueId,
    id_number: &str,
) -> StoreResult<PersonId> {
    let state: ClueState = workflow::lock_state(tx, "clue", id)
        .await?
        .ok_or(StoreError::NotFound("问题线索"))?;
    let mut q = Query::new(
        "SELECT c.subject_name, c.person_id, c.subject_org FROM clue c JOIN org o ON o.id = c.org_id WHERE c.id = ",
    );
    q.bind_int(id);
    scope.push_filter(&mut q, "o.path");
    let row = q
        .build()
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound("问题线索"))?;
    if state.restricted() && !restricted {
        return Err(StoreError::NotFound("问题线索"));
    }
    if row.try_get::<Option<i64>, _>(1)?.is_some() {
        return Err(StoreError::conflict("id_number", "该线索已关联人员名册"));
    }
    let subject: String = row.try_get(0)?;
    let subject_org: String = row.try_get(2)?;
    let mut q = Query::new(
        "SELECT p.id, p.org_id, p.name, o.name FROM person p JOIN org o ON o.id = p.org_id WHERE p.id_number = ",
    );
    q.bind_text(id_number.trim().to_uppercase());
    scope.push_filter(&mut q, "o.path");
    let p =
        q.build().fetch_optional(&mut **tx).await?.ok_or_else(|| {
            StoreError::invalid("id_number", "人员名册中没有该身份证号的人员（或不在您的数据范围内）")
        })?;
    let name: String = p.try_get(2)?;
    if name != subject.trim() {
        return Err(StoreError::invalid(
            "id_number",
            format!("身份证号对应的人员是“{name}”，与被反映人“{subject}”不符"),
        ));
    }
    // Common names collide (RULES.md §11): the unit the clue names must agree too.
    let unit: String = p.try_get(3)?;
    let named_unit = subject_org.trim();
    if !named_unit.is_empty() && !named_unit.contains(unit.as_str()) && !unit.contains(named_unit) {
        return Err(StoreError::invalid(
            "id_number",
            format!("身份证号对应的“{name}”在{unit}，与线索所反映的单位“{named_unit}”不符"),
        ));
    }
    let person = PersonId(p.try_get(0)?);
    sqlx::query("UPDATE clue SET person_id = $1, org_id = $2, updated_at = $3 WHERE id = $4")
        .bind(person)
        .bind(p.try_get::<i64, _>(1)?)
        .bind(crate::time::now())
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(person)
}
