//! Findings (疑点): upserted by runs, listed within scope, counted for the to-do cards and
//! charts.

use std::collections::HashMap;

use chrono::NaiveDate;
use qinglian_domain::data_supervision::{FINDING_WORKFLOW, FindingAction, FindingState};
use serde::Serialize;
use sqlx::Row;

use super::{FindingId, JobId};
use crate::error::{StoreError, StoreResult};
use crate::org::OrgId;
use crate::sql::{Page, Query, fetch_all, fetch_page, like_escape};
use crate::{Db, Scope, Tx};

/// Finding states.
pub mod finding_status {
    /// Found, not yet sent for checking.
    pub const NEW: &str = "new";
    /// Sent to a unit, waiting for its answer.
    pub const CHECKING: &str = "checking";
    /// The unit answered; the commission reviews.
    pub const ANSWERED: &str = "answered";
    /// Reviewed: true (属实).
    pub const CONFIRMED: &str = "confirmed";
    /// Reviewed: partly true (部分属实).
    pub const PARTLY_CONFIRMED: &str = "partly_confirmed";
    /// Reviewed or excluded: not true (不属实).
    pub const DISMISSED: &str = "dismissed";

    /// Every status in workflow order.
    pub const ALL: &[&str] = &[NEW, CHECKING, ANSWERED, CONFIRMED, PARTLY_CONFIRMED, DISMISSED];

    /// Chinese label (the workflow table's state label).
    pub fn label(s: &str) -> &'static str {
        use qinglian_domain::workflow::State;
        super::FindingState::parse(s).map_or("未知", |st| st.label())
    }
}

/// A unit's answer to a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    /// 属实.
    True,
    /// 部分属实.
    Partly,
    /// 不属实.
    False,
}

impl Answer {
    /// Stored code.
    pub fn as_str(self) -> &'static str {
        match self {
            Answer::True => "true",
            Answer::Partly => "partly",
            Answer::False => "false",
        }
    }
    /// Parse the stored code.
    pub fn parse(s: &str) -> Option<Answer> {
        match s {
            "true" => Some(Answer::True),
            "partly" => Some(Answer::Partly),
            "false" => Some(Answer::False),
            _ => None,
        }
    }
    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            Answer::True => "属实",
            Answer::Partly => "部分属实",
            Answer::False => "不属实",
        }
    }
    /// The review action that accepts this answer.
    pub fn accept_action(self) -> FindingAction {
        match self {
            Answer::True => FindingAction::AcceptTrue,
            Answer::Partly => FindingAction::AcceptPartly,
            Answer::False => FindingAction::AcceptFalse,
        }
    }
    /// The finding status once the commission accepts this answer.
    pub fn confirmed_status(self) -> &'static str {
        match self {
            Answer::True => finding_status::CONFIRMED,
            Answer::Partly => finding_status::PARTLY_CONFIRMED,
            Answer::False => finding_status::DISMISSED,
        }
    }
}

/// A finding as produced by a model run, ready to be stored.
#[derive(Debug, Clone)]
pub struct FindingInput {
    /// Model id.
    pub model: String,
    /// Model version.
    pub model_version: i64,
    /// Model title at the time.
    pub model_title: String,
    /// Subject kind code.
    pub subject_kind: String,
    /// Subject key.
    pub subject: String,
    /// Period 'YYYY-MM' or ''.
    pub period: String,
    /// Severity code.
    pub severity: String,
    /// Chinese explanation.
    pub explanation: String,
    /// Evidence rows as a JSON array.
    pub evidence_json: String,
}

/// How many findings of a run were new and how many were already known.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct UpsertOutcome {
    /// Stored for the first time.
    pub inserted: u64,
    /// Already known (not duplicated; the evidence of unsent ones is refreshed).
    pub known: u64,
}

/// Stores a run's findings in one transaction. A known (model, subject, period) is not
/// duplicated: it records the run; while it has not been sent for checking its evidence and
/// dataset versions are refreshed, afterwards the evidence the unit checked stays as it was.
pub async fn upsert_findings(
    tx: &mut Tx,
    job_id: Option<JobId>,
    org_id: OrgId,
    dataset_versions: &str,
    items: &[FindingInput],
) -> StoreResult<UpsertOutcome> {
    let mut out = UpsertOutcome::default();
    let now = crate::time::now();
    let mut models: Vec<&str> = items.iter().map(|f| f.model.as_str()).collect();
    models.sort_unstable();
    models.dedup();
    // Known findings of these models: key → (id, status).
    let mut known: HashMap<(String, String, String), (i64, String)> = HashMap::new();
    for model in &models {
        let rows = sqlx::query("SELECT id, subject, period, status FROM data_supervision_finding WHERE model = $1")
            .bind(*model)
            .fetch_all(&mut **tx)
            .await?;
        for r in rows {
            known.insert(
                (model.to_string(), r.try_get(1)?, r.try_get(2)?),
                (r.try_get(0)?, r.try_get(3)?),
            );
        }
    }
    let mut fresh: Vec<&FindingInput> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for f in items {
        let key = (f.model.clone(), f.subject.clone(), f.period.clone());
        if !seen.insert(key.clone()) {
            continue;
        }
        match known.get(&key) {
            Some((id, status)) => {
                out.known += 1;
                if status == finding_status::NEW {
                    sqlx::query(
                        "UPDATE data_supervision_finding SET last_job_id = $1, evidence_json = $2, explanation = $3, dataset_versions = $4, \
                         model_version = $5, updated_at = $6 WHERE id = $7",
                    )
                    .bind(job_id)
                    .bind(f.evidence_json.as_str())
                    .bind(f.explanation.as_str())
                    .bind(dataset_versions)
                    .bind(f.model_version)
                    .bind(&now)
                    .bind(*id)
                    .execute(&mut **tx)
                    .await?;
                } else {
                    sqlx::query("UPDATE data_supervision_finding SET last_job_id = $1 WHERE id = $2")
                        .bind(job_id)
                        .bind(*id)
                        .execute(&mut **tx)
                        .await?;
                }
            }
            None => fresh.push(f),
        }
    }
    // New findings in multi-row INSERTs (fast on both databases).
    for chunk in fresh.chunks(50) {
        let mut q = Query::new(
            "INSERT INTO data_supervision_finding (model, model_version, model_title, subject_kind, subject, period, severity, explanation, \
             evidence_json, dataset_versions, org_id, status, first_job_id, last_job_id, created_at, updated_at) VALUES ",
        );
        for (i, f) in chunk.iter().enumerate() {
            if i > 0 {
                q.push(", ");
            }
            q.push("(");
            q.bind_text(f.model.as_str());
            q.push(", ");
            q.bind_int(f.model_version);
            for v in [
                &f.model_title,
                &f.subject_kind,
                &f.subject,
                &f.period,
                &f.severity,
                &f.explanation,
                &f.evidence_json,
            ] {
                q.push(", ");
                q.bind_text(v.as_str());
            }
            q.push(", ");
            q.bind_text(dataset_versions);
            q.push(", ");
            q.bind_int(org_id);
            q.push(", ");
            q.bind_text(finding_status::NEW);
            for _ in 0..2 {
                q.push(", ");
                match job_id {
                    Some(j) => q.bind_int(j),
                    None => q.push("NULL"),
                };
            }
            q.push(", ");
            q.bind_text(now.as_str());
            q.push(", ");
            q.bind_text(now.as_str());
            q.push(")");
        }
        // Another server process may have stored the same finding meanwhile: keep theirs.
        q.push(" ON CONFLICT (model, subject, period) DO NOTHING");
        let n = q.build().execute(&mut **tx).await?.rows_affected();
        out.inserted += n;
        out.known += chunk.len() as u64 - n;
    }
    Ok(out)
}

/// A stored finding.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// Id.
    pub id: FindingId,
    /// Model id.
    pub model: String,
    /// Model version it came from.
    pub model_version: i64,
    /// Model title.
    pub model_title: String,
    /// Subject kind code.
    pub subject_kind: String,
    /// Subject key.
    pub subject: String,
    /// Period.
    pub period: String,
    /// Severity code.
    pub severity: String,
    /// Chinese explanation.
    pub explanation: String,
    /// Evidence rows (JSON array).
    pub evidence_json: String,
    /// Dataset versions it came from (JSON object dataset → version).
    pub dataset_versions: String,
    /// Owning org.
    pub org_id: OrgId,
    /// Its name.
    pub org_name: String,
    /// Unit sent to for checking.
    pub check_org_id: Option<OrgId>,
    /// Its name.
    pub check_org_name: Option<String>,
    /// Status code (see [`finding_status`]).
    pub status: String,
    /// Note of a direct exclusion or of the final review.
    pub close_note: String,
    /// Run that first found it.
    pub first_job_id: Option<JobId>,
    /// Run that last found it.
    pub last_job_id: Option<JobId>,
    /// The clue it became (clue module), if any.
    pub clue_id: Option<i64>,
    /// Due date of the open check, if any (empty while pending, 待定).
    pub due_date: Option<String>,
    /// Created.
    pub created_at: String,
    /// Updated.
    pub updated_at: String,
}

impl Finding {
    /// The finding as a caller without `person.sensitive` may see it: every ID number in its
    /// subject, explanation and evidence masked (the one rule of `Person::shown`; the names in
    /// the evidence still identify the person for the unit that checks).
    pub fn masked(mut self) -> Finding {
        use crate::person::mask_ids_in_text;
        self.subject = mask_ids_in_text(&self.subject);
        self.explanation = mask_ids_in_text(&self.explanation);
        self.evidence_json = mask_ids_in_text(&self.evidence_json);
        self
    }

    /// The finding as `sensitive` (holds `person.sensitive`) may see it.
    pub fn shown(self, sensitive: bool) -> Finding {
        if sensitive { self } else { self.masked() }
    }

    /// The open check's due date as shown: the date, 「待定」 while pending, empty when none.
    pub fn due_display(&self) -> &str {
        match self.due_date.as_deref() {
            Some("") => crate::deadline::PENDING_LABEL,
            Some(d) => d,
            None => "",
        }
    }
    /// Chinese status label.
    pub fn status_label(&self) -> &'static str {
        finding_status::label(&self.status)
    }
    /// Confirmed (fully or partly) and not yet a clue: ready to become a clue.
    pub fn clue_ready(&self) -> bool {
        self.clue_id.is_none()
            && matches!(
                self.status.as_str(),
                finding_status::CONFIRMED | finding_status::PARTLY_CONFIRMED
            )
    }
}

pub(super) const FINDING_COLS: &str = concat!(
    "f.id, f.model, f.model_version, f.model_title, f.subject_kind, f.subject, f.period, f.severity, f.explanation, \
    f.evidence_json, f.dataset_versions, f.org_id, ",
    org_display!("o"),
    " AS org_name, f.check_org_id, CASE WHEN c.id IS NULL THEN NULL ELSE ",
    org_display!("c"),
    " END AS check_org_name, f.status, f.close_note, \
    f.first_job_id, f.last_job_id, f.clue_id, f.created_at, f.updated_at, \
    (SELECT MAX(dl.due_date) FROM data_supervision_check k JOIN deadline dl ON dl.id = k.deadline_id WHERE k.finding_id = f.id AND k.answer IS NULL) AS due_date"
);

pub(super) const FINDING_FROM: &str = " FROM data_supervision_finding f JOIN org o ON o.id = f.org_id LEFT JOIN org c ON c.id = f.check_org_id WHERE 1 = 1";

pub(super) fn finding_from_row(r: &sqlx::any::AnyRow) -> StoreResult<Finding> {
    Ok(Finding {
        id: r.try_get("id")?,
        model: r.try_get("model")?,
        model_version: r.try_get("model_version")?,
        model_title: r.try_get("model_title")?,
        subject_kind: r.try_get("subject_kind")?,
        subject: r.try_get("subject")?,
        period: r.try_get("period")?,
        severity: r.try_get("severity")?,
        explanation: r.try_get("explanation")?,
        evidence_json: r.try_get("evidence_json")?,
        dataset_versions: r.try_get("dataset_versions")?,
        org_id: r.try_get("org_id")?,
        org_name: r.try_get("org_name")?,
        check_org_id: r.try_get("check_org_id")?,
        check_org_name: r.try_get("check_org_name")?,
        status: r.try_get("status")?,
        close_note: r.try_get("close_note")?,
        first_job_id: r.try_get("first_job_id")?,
        last_job_id: r.try_get("last_job_id")?,
        clue_id: r.try_get("clue_id")?,
        due_date: r.try_get("due_date")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

/// Restricts findings to those whose owning org or checking unit is in the scope.
pub(super) fn push_finding_scope(scope: &Scope, q: &mut Query) {
    if scope.is_empty() {
        q.push(" AND 1 = 0");
        return;
    }
    q.push(" AND (1 = 0");
    for p in scope.paths() {
        for col in ["o.path", "c.path"] {
            q.push(" OR ");
            q.push(col);
            q.push(" LIKE ");
            q.bind_text(format!("{p}%"));
        }
    }
    q.push(")");
}

/// One to-do card: the findings waiting in one state for an action the user may take.
#[derive(Debug, Clone, Serialize)]
pub struct Todo {
    /// State code (the card opens the list filtered by it).
    pub state: String,
    /// Card label: 待派发疑点, 待核查疑点, 待复核疑点.
    pub label: &'static str,
    /// How many.
    pub count: i64,
    /// The nearest due date among them ('YYYY-MM-DD'), if any is tracked.
    pub nearest_due: Option<String>,
    /// How many are past their due date on `today`.
    pub overdue: i64,
    /// How many wait for a calendar year (待定).
    pub pending: i64,
}

/// The user's to-do cards from the finding workflow table: for every state out of which the
/// user may act (`can`), the findings in that state in their scope — the unit's own checks
/// (through the checking unit) for answering, the commission's findings (through the owning
/// org) for everything else.
pub async fn todo(
    db: &Db,
    scope: &Scope,
    can: &(dyn Fn(&str) -> bool + Sync),
    today: NaiveDate,
) -> StoreResult<Vec<Todo>> {
    use qinglian_domain::workflow::State as _;
    let mut out = Vec::new();
    for &state in <FindingState as qinglian_domain::workflow::State>::ALL {
        let actions: Vec<FindingAction> = FINDING_WORKFLOW.allowed_from(state, can).map(|t| t.action).collect();
        if actions.is_empty() || scope.is_empty() {
            continue;
        }
        let by_unit = actions.contains(&FindingAction::Answer);
        let col = if by_unit { "c.path" } else { "o.path" };
        let mut q = crate::deadline::todo_select("dl", today);
        q.push(
            "FROM data_supervision_finding f JOIN org o ON o.id = f.org_id LEFT JOIN org c ON c.id = f.check_org_id \
             LEFT JOIN data_supervision_check k ON k.finding_id = f.id AND k.answer IS NULL LEFT JOIN deadline dl ON dl.id = k.deadline_id \
             WHERE f.status = ",
        );
        q.bind_text(state.code().to_string());
        scope.push_filter(&mut q, col);
        let n = crate::deadline::todo_count(db, q).await?;
        if n.count == 0 {
            continue;
        }
        out.push(Todo {
            state: state.code().to_string(),
            label: match state {
                FindingState::New => "待派发疑点",
                FindingState::Checking => "待核查疑点",
                FindingState::Answered => "待复核疑点",
                _ => state.label(),
            },
            count: n.count,
            nearest_due: n.nearest_due,
            overdue: n.overdue,
            pending: n.pending,
        });
    }
    Ok(out)
}

/// Filters of the findings list.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct FindingFilter {
    /// Model id.
    pub model: Option<String>,
    /// Status code, or several joined by commas (`checking,answered` = 核查中).
    pub status: Option<String>,
    /// Severity code.
    pub severity: Option<String>,
    /// Text in the subject, period or explanation.
    pub q: Option<String>,
    /// Unit sent to.
    pub check_org_id: Option<OrgId>,
    /// Only confirmed findings not yet turned into clues.
    #[serde(default)]
    pub clue_ready: Option<bool>,
}

pub(super) fn filtered_findings(scope: &Scope, f: &FindingFilter, cols: &str) -> Query {
    let mut q = Query::new(&format!("SELECT {cols}{FINDING_FROM}"));
    push_finding_scope(scope, &mut q);
    if let Some(m) = f.model.as_deref().filter(|s| !s.is_empty()) {
        q.push(" AND f.model = ");
        q.bind_text(m);
    }
    q.push_in("f.status", f.status.as_deref());
    if let Some(s) = f.severity.as_deref().filter(|s| !s.is_empty()) {
        q.push(" AND f.severity = ");
        q.bind_text(s);
    }
    if let Some(text) = f.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        // Case-insensitive for Latin letters on both databases (an ID's X, a credit code):
        // SQLite's LIKE ignores ASCII case and PostgreSQL's does not, so compare lower case.
        let pattern = format!("%{}%", like_escape(&text.to_lowercase()));
        q.push(" AND (LOWER(f.subject) LIKE ");
        q.bind_text(pattern.clone());
        q.push(" ESCAPE '\\' OR LOWER(f.explanation) LIKE ");
        q.bind_text(pattern.clone());
        q.push(" ESCAPE '\\' OR f.period LIKE ");
        q.bind_text(pattern);
        q.push(" ESCAPE '\\')");
    }
    if let Some(org) = f.check_org_id {
        q.push(" AND f.check_org_id = ");
        q.bind_int(org);
    }
    if f.clue_ready == Some(true) {
        q.push(" AND f.clue_id IS NULL AND f.status IN ('confirmed', 'partly_confirmed')");
    }
    q
}

/// One page of findings in the scope, newest first.
pub async fn list_findings(
    db: &Db,
    scope: &Scope,
    f: &FindingFilter,
    page: i64,
    per_page: i64,
) -> StoreResult<Page<Finding>> {
    let (count, rows) = (
        filtered_findings(scope, f, "COUNT(*)"),
        filtered_findings(scope, f, FINDING_COLS),
    );
    fetch_page(db, count, rows, " ORDER BY f.id DESC", page, per_page, finding_from_row).await
}

/// Every finding matching the filter (for export), capped at `limit`.
pub async fn list_findings_all(db: &Db, scope: &Scope, f: &FindingFilter, limit: i64) -> StoreResult<Vec<Finding>> {
    let rows = filtered_findings(scope, f, FINDING_COLS);
    fetch_all(db, rows, " ORDER BY f.id DESC", limit, finding_from_row).await
}

/// One finding in the scope.
pub async fn get_finding(db: &Db, scope: &Scope, id: FindingId) -> StoreResult<Finding> {
    let mut q = Query::new(&format!("SELECT {FINDING_COLS}{FINDING_FROM} AND f.id = "));
    q.bind_int(id);
    push_finding_scope(scope, &mut q);
    let row = q
        .build()
        .fetch_optional(db.pool())
        .await?
        .ok_or(StoreError::NotFound("疑点"))?;
    finding_from_row(&row)
}

/// Hit and confirmation figures of one model.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ModelStat {
    /// Model id.
    pub model: String,
    /// The model's title as its findings recorded it.
    pub title: String,
    /// Findings in all (hits).
    pub findings: i64,
    /// Not yet sent.
    pub new: i64,
    /// Being checked or reviewed.
    pub in_progress: i64,
    /// Confirmed true.
    pub confirmed: i64,
    /// Partly true.
    pub partly: i64,
    /// Not true.
    pub dismissed: i64,
}

impl ModelStat {
    /// Findings whose checking is concluded.
    pub fn concluded(&self) -> i64 {
        self.confirmed + self.partly + self.dismissed
    }
    /// (confirmed + partly) / concluded, when anything is concluded.
    pub fn confirmation_rate(&self) -> Option<f64> {
        let c = self.concluded();
        (c > 0).then(|| (self.confirmed + self.partly) as f64 / c as f64)
    }
}

/// Per-model figures over the findings in the scope.
pub async fn model_stats(db: &Db, scope: &Scope) -> StoreResult<Vec<ModelStat>> {
    let mut q = Query::new("SELECT f.model, f.status, COUNT(*), MAX(f.model_title)");
    q.push(FINDING_FROM);
    push_finding_scope(scope, &mut q);
    q.push(" GROUP BY f.model, f.status ORDER BY f.model");
    let rows = q.build().fetch_all(db.pool()).await?;
    let mut out: Vec<ModelStat> = Vec::new();
    for r in rows {
        let model: String = r.try_get(0)?;
        let status: String = r.try_get(1)?;
        let n: i64 = r.try_get(2)?;
        if out.last().is_none_or(|s| s.model != model) {
            out.push(ModelStat {
                model: model.clone(),
                title: r.try_get(3)?,
                ..Default::default()
            });
        }
        let s = out.last_mut().expect("pushed above");
        s.findings += n;
        match status.as_str() {
            finding_status::NEW => s.new += n,
            finding_status::CONFIRMED => s.confirmed += n,
            finding_status::PARTLY_CONFIRMED => s.partly += n,
            finding_status::DISMISSED => s.dismissed += n,
            _ => s.in_progress += n,
        }
    }
    Ok(out)
}

/// Findings in the scope by status: (status code, count), in workflow order.
pub async fn status_counts(db: &Db, scope: &Scope) -> StoreResult<Vec<(String, i64)>> {
    let mut q = Query::new("SELECT f.status, COUNT(*)");
    q.push(FINDING_FROM);
    push_finding_scope(scope, &mut q);
    q.push(" GROUP BY f.status");
    let rows = q.build().fetch_all(db.pool()).await?;
    let mut out: Vec<(String, i64)> = Vec::new();
    for code in finding_status::ALL {
        for r in &rows {
            let s: String = r.try_get(0)?;
            if s == *code {
                out.push((s, r.try_get(1)?));
            }
        }
    }
    Ok(out)
}

/// Findings sent for checking in the scope by checking unit, most first: (unit id, the unit's
/// display name, findings, of which concluded, of which overdue on `today`).
pub async fn unit_counts(
    db: &Db,
    scope: &Scope,
    today: NaiveDate,
    limit: i64,
) -> StoreResult<Vec<(OrgId, String, i64, i64, i64)>> {
    let mut q = Query::new(concat!(
        "SELECT f.check_org_id, ",
        org_display!("c"),
        ", COUNT(*), SUM(CASE WHEN f.status IN ('confirmed', 'partly_confirmed', 'dismissed') THEN 1 ELSE 0 END), \
         SUM(CASE WHEN EXISTS (SELECT 1 FROM data_supervision_check k JOIN deadline dl ON dl.id = k.deadline_id \
         WHERE k.finding_id = f.id AND k.answer IS NULL AND dl.due_date <> '' AND dl.due_date < "
    ));
    q.bind_text(today.format("%Y-%m-%d").to_string());
    q.push(") THEN 1 ELSE 0 END)");
    q.push(FINDING_FROM);
    q.push(" AND f.check_org_id IS NOT NULL");
    push_finding_scope(scope, &mut q);
    q.push(" GROUP BY f.check_org_id, c.id, c.name, c.parent_id ORDER BY COUNT(*) DESC, f.check_org_id LIMIT ");
    q.bind_int(limit);
    let rows = q.build().fetch_all(db.pool()).await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get(0)?,
                r.try_get(1)?,
                r.try_get(2)?,
                r.try_get(3)?,
                r.try_get(4)?,
            ))
        })
        .collect()
}
