//! Outcomes (处理处分结果) recorded against roster people (issue #13 §2–3): from cases and
//! clues, by hand, by Excel import and through the API. The form and the effect period are
//! derived here from `qinglian_domain::outcome` when the outcome is recorded, so statistics and
//! integrity opinions read stored facts.

use chrono::NaiveDate;
use qinglian_domain::outcome::{self as rules, Effect, FourForms, OutcomeKind};
use serde::Serialize;
use sqlx::Row;

use crate::org::OrgId;
use crate::person::PersonId;
use crate::sql::{Page, Query};
use crate::user::UserId;
use crate::{Db, Scope, StoreError, StoreResult, Tx};

crate::id_type!(
    /// Id of an outcome.
    OutcomeId
);

/// The audit object type.
pub const OBJECT_TYPE: &str = "outcome";

/// An outcome to record.
#[derive(Debug, Clone)]
pub struct NewOutcome {
    /// The person's resident ID number (must be in the roster, within scope).
    pub id_number: String,
    /// What was decided.
    pub kind: OutcomeKind,
    /// The day of the decision.
    pub decided_on: NaiveDate,
    /// The day it takes effect (the effect period starts here).
    pub effective_on: NaiveDate,
    /// 留党察看's term (12 or 24).
    pub term_months: Option<u32>,
    /// The case (number or reference) it was given in.
    pub case_ref: String,
    /// The clue it came from (an inquiry's outcome).
    pub clue_id: Option<i64>,
    /// entry | import | api | clue | case.
    pub source: &'static str,
    /// A note.
    pub note: String,
}

/// What recording derived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recorded {
    /// Its id.
    pub id: OutcomeId,
    /// Its form (1–4).
    pub form: u8,
    /// The last day of its effect period.
    pub effect_until: Option<NaiveDate>,
}

fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// The roster person with this ID number within the scope: id, org, and whether the org is a
/// village or residents' committee.
async fn person_in_scope(tx: &mut Tx, scope: &Scope, id_number: &str) -> StoreResult<(PersonId, OrgId, bool)> {
    let mut q =
        Query::new("SELECT p.id, p.org_id, o.kind FROM person p JOIN org o ON o.id = p.org_id WHERE p.id_number = ");
    q.bind_text(id_number.trim().to_uppercase());
    scope.push_filter(&mut q, "o.path");
    let row = q
        .build()
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(|| StoreError::invalid("id_number", "花名册中没有该身份证号的人员（或不在您的数据范围内）"))?;
    let kind: String = row.try_get(2)?;
    Ok((PersonId(row.try_get(0)?), OrgId(row.try_get(1)?), kind == "village"))
}

/// Records an outcome in the caller's transaction: the person must be in the roster within
/// `scope`; the kind's checks (留党察看's term, the village rule, the dates) apply; the form and
/// the effect period are derived — a party sanction that takes effect inside the person's
/// running party-sanction period runs for the rest of it plus its own (RULES.md §5).
pub async fn record(tx: &mut Tx, scope: &Scope, o: &NewOutcome, by: Option<UserId>) -> StoreResult<Recorded> {
    let (person, org, village) = person_in_scope(tx, scope, &o.id_number).await?;
    rules::check(o.kind, o.term_months, o.decided_on, o.effective_on, village).map_err(|e| {
        let field = match e {
            rules::OutcomeError::TermMissing
            | rules::OutcomeError::TermInvalid
            | rules::OutcomeError::TermNotApplicable => "term_months",
            rules::OutcomeError::VillageManager => "kind",
            rules::OutcomeError::EffectiveBeforeDecided => "effective_on",
        };
        StoreError::invalid(field, e.to_string())
    })?;
    let case_ref = o.case_ref.trim();
    if case_ref.is_empty() {
        return Err(StoreError::invalid("case_ref", "请填写案件编号（或处理依据文号）"));
    }
    let running: Option<String> = if o.kind.family() == rules::Family::Party {
        sqlx::query(
            "SELECT MAX(effect_until) FROM outcome WHERE person_id = $1 AND kind LIKE 'party.%' \
             AND effect_until <> '' AND effective_on <= $2 AND effect_until >= $2",
        )
        .bind(person)
        .bind(day(o.effective_on))
        .fetch_one(&mut **tx)
        .await?
        .try_get(0)?
    } else {
        None
    };
    let running = running.and_then(|s| NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok());
    let until = rules::effect_until(o.kind, o.term_months, o.effective_on, running);
    let permanent = o.kind.effect(o.term_months) == Effect::Permanent;
    let id: OutcomeId = sqlx::query(
        "INSERT INTO outcome (person_id, org_id, kind, form, decided_on, effective_on, term_months, effect_until, \
         permanent, case_ref, clue_id, source, note, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id",
    )
    .bind(person)
    .bind(org)
    .bind(o.kind.code())
    .bind(i64::from(o.kind.form()))
    .bind(day(o.decided_on))
    .bind(day(o.effective_on))
    .bind(o.term_months.map(i64::from))
    .bind(until.map(day).unwrap_or_default())
    .bind(permanent as i64)
    .bind(case_ref)
    .bind(o.clue_id)
    .bind(o.source)
    .bind(o.note.trim())
    .bind(by)
    .bind(crate::time::now())
    .fetch_one(&mut **tx)
    .await?
    .try_get(0)?;
    Ok(Recorded {
        id,
        form: o.kind.form(),
        effect_until: until,
    })
}

/// An outcome as the lists show it.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    /// Id.
    pub id: OutcomeId,
    /// The person.
    pub person_id: PersonId,
    /// Their name.
    pub person_name: String,
    /// Their ID number (callers mask it without `person.sensitive`).
    pub id_number: String,
    /// Their unit (as shown).
    pub org_name: String,
    /// Kind code.
    pub kind: String,
    /// Form 1–4.
    pub form: i64,
    /// Decision day.
    pub decided_on: String,
    /// Effective day.
    pub effective_on: String,
    /// 留党察看's term.
    pub term_months: Option<i64>,
    /// Last day of the effect period ('' when none).
    pub effect_until: String,
    /// A bar without end.
    pub permanent: bool,
    /// The case.
    pub case_ref: String,
    /// The clue it came from.
    pub clue_id: Option<i64>,
    /// entry | import | api | clue | case.
    pub source: String,
    /// Note.
    pub note: String,
}

impl Outcome {
    /// The kind.
    pub fn kind(&self) -> Option<OutcomeKind> {
        OutcomeKind::parse(&self.kind)
    }
    /// The kind's unambiguous Chinese name.
    pub fn kind_label(&self) -> &'static str {
        self.kind().map_or("", OutcomeKind::full_label)
    }
    /// 第N种形态.
    pub fn form_label(&self) -> &'static str {
        rules::form_label(self.form as u8)
    }
    /// The effect period as people read it.
    pub fn effect_label(&self) -> String {
        if self.permanent {
            "永久（不得再录用为公务员）".into()
        } else if self.effect_until.is_empty() {
            "—".into()
        } else {
            format!("{} 至 {}", self.effective_on, self.effect_until)
        }
    }
    /// The Chinese name of its source.
    pub fn source_label(&self) -> &'static str {
        match self.source.as_str() {
            "entry" => "录入",
            "import" => "历史数据导入",
            "api" => "接口",
            "clue" => "线索处置",
            "case" => "案件",
            _ => "",
        }
    }
}

/// Filters of the outcome list.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct OutcomeFilter {
    /// Name, pinyin initials, ID number or case reference.
    pub q: Option<String>,
    /// Kind code(s), comma-separated.
    pub kind: Option<String>,
    /// Form 1–4 as decided for the outcome itself.
    pub form: Option<i64>,
    /// Only outcomes counted in this form by the four-forms statistics of the same period
    /// (their person's heaviest in the case).
    pub counted_form: Option<i64>,
    /// Decided on or after.
    pub from: Option<String>,
    /// Decided on or before.
    pub to: Option<String>,
    /// Only the people of this unit (and its subunits).
    pub org_id: Option<i64>,
    /// Only outcomes whose effect period covers this day.
    pub in_effect_on: Option<String>,
}

const FROM: &str = " FROM outcome x JOIN person p ON p.id = x.person_id JOIN org o ON o.id = x.org_id WHERE 1 = 1";

fn cols() -> String {
    format!(
        "x.id, x.person_id, p.name, p.id_number, {} AS org_name, x.kind, x.form, x.decided_on, x.effective_on, \
         x.term_months, x.effect_until, x.permanent, x.case_ref, x.clue_id, x.source, x.note",
        org_display!("o")
    )
}

fn valid_day(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .and_then(|d| NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok())
        .map(day)
}

fn push_period(q: &mut Query, alias: &str, from: &Option<String>, to: &Option<String>) {
    if let Some(d) = valid_day(from) {
        q.push(&format!(" AND {alias}.decided_on >= "));
        q.bind_text(d);
    }
    if let Some(d) = valid_day(to) {
        q.push(&format!(" AND {alias}.decided_on <= "));
        q.bind_text(d);
    }
}

fn filtered(scope: &Scope, f: &OutcomeFilter, cols: &str) -> Query {
    let mut q = Query::new(&format!("SELECT {cols}{FROM}"));
    scope.push_filter(&mut q, "o.path");
    if let Some(t) = f.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let like = format!("%{}%", crate::sql::like_escape(t));
        q.push(" AND (p.name LIKE ");
        q.bind_text(like.clone());
        q.push(" ESCAPE '\\' OR p.name_initials LIKE ");
        q.bind_text(format!("{}%", crate::sql::like_escape(&t.to_lowercase())));
        q.push(" ESCAPE '\\' OR p.id_number = ");
        q.bind_text(t.to_uppercase());
        q.push(" OR x.case_ref LIKE ");
        q.bind_text(like);
        q.push(" ESCAPE '\\')");
    }
    q.push_in("x.kind", f.kind.as_deref());
    if let Some(form) = f.form {
        q.push(" AND x.form = ");
        q.bind_int(form);
    }
    push_period(&mut q, "x", &f.from, &f.to);
    if let Some(form) = f.counted_form {
        // Counted in this form: the heaviest of the person's outcomes in the same case within
        // the same period (RULES.md §4), as `four_forms` counts.
        q.push(" AND x.form = ");
        q.bind_int(form);
        q.push(" AND x.form = (SELECT MAX(y.form) FROM outcome y WHERE y.person_id = x.person_id AND y.case_ref = x.case_ref");
        push_period(&mut q, "y", &f.from, &f.to);
        q.push(")");
    }
    if let Some(org) = f.org_id {
        q.push(" AND o.path LIKE (SELECT u.path FROM org u WHERE u.id = ");
        q.bind_int(org);
        q.push(") || '%'");
    }
    if let Some(d) = valid_day(&f.in_effect_on) {
        q.push(" AND x.effective_on <= ");
        q.bind_text(d.clone());
        q.push(" AND (x.permanent = 1 OR x.effect_until >= ");
        q.bind_text(d);
        q.push(")");
    }
    q
}

fn from_row(r: &sqlx::any::AnyRow) -> StoreResult<Outcome> {
    Ok(Outcome {
        id: OutcomeId(r.try_get(0)?),
        person_id: PersonId(r.try_get(1)?),
        person_name: r.try_get(2)?,
        id_number: r.try_get(3)?,
        org_name: r.try_get(4)?,
        kind: r.try_get(5)?,
        form: r.try_get(6)?,
        decided_on: r.try_get(7)?,
        effective_on: r.try_get(8)?,
        term_months: r.try_get(9)?,
        effect_until: r.try_get(10)?,
        permanent: r.try_get::<i64, _>(11)? != 0,
        case_ref: r.try_get(12)?,
        clue_id: r.try_get(13)?,
        source: r.try_get(14)?,
        note: r.try_get(15)?,
    })
}

/// Sort keys of the list.
pub const SORTS: &[(&str, &str)] = &[
    ("decided", "x.decided_on"),
    ("name", "p.name_pinyin"),
    ("form", "x.form"),
    ("until", "x.effect_until"),
];

fn order_by(sort: &str, desc: bool) -> String {
    let col = SORTS
        .iter()
        .find(|(k, _)| *k == sort)
        .map_or("x.decided_on", |(_, c)| c);
    let dir = if desc { "DESC" } else { "ASC" };
    format!(" ORDER BY {col} {dir}, x.id {dir}")
}

/// One page of outcomes in scope.
pub async fn list(
    db: &Db,
    scope: &Scope,
    f: &OutcomeFilter,
    sort: &str,
    desc: bool,
    page: i64,
    per_page: i64,
) -> StoreResult<Page<Outcome>> {
    crate::sql::fetch_page(
        db,
        filtered(scope, f, "COUNT(*)"),
        filtered(scope, f, &cols()),
        &order_by(sort, desc),
        page,
        per_page,
        from_row,
    )
    .await
}

/// Every outcome of a filter (exports), capped at `limit`.
pub async fn list_all(
    db: &Db,
    scope: &Scope,
    f: &OutcomeFilter,
    sort: &str,
    desc: bool,
    limit: i64,
) -> StoreResult<Vec<Outcome>> {
    crate::sql::fetch_all(db, filtered(scope, f, &cols()), &order_by(sort, desc), limit, from_row).await
}

/// One outcome in scope.
pub async fn get(db: &Db, scope: &Scope, id: OutcomeId) -> StoreResult<Outcome> {
    let mut q = filtered(scope, &OutcomeFilter::default(), &cols());
    q.push(" AND x.id = ");
    q.bind_int(id);
    let row = q
        .build()
        .fetch_optional(db.pool())
        .await?
        .ok_or(StoreError::NotFound("处理处分结果"))?;
    from_row(&row)
}

/// The four-forms figures of outcomes decided in `[from, to]` in scope (RULES.md §4): one
/// person in one case counts once, in the heaviest form.
pub async fn four_forms(db: &Db, scope: &Scope, from: &str, to: &str, org: Option<OrgId>) -> StoreResult<FourForms> {
    Ok(four_forms_by_unit(db, scope, from, to, org, false)
        .await?
        .into_iter()
        .fold(FourForms::default(), |mut acc, u| {
            for i in 0..4 {
                acc.forms[i] += u.forms.forms[i];
            }
            acc
        }))
}

/// The figures of one unit.
#[derive(Debug, Clone)]
pub struct UnitForms {
    /// The unit (the person's org when recorded), or none for the total.
    pub org_id: Option<OrgId>,
    /// Its name as shown.
    pub org_name: String,
    /// Its figures.
    pub forms: FourForms,
}

/// The four-forms figures per unit (the person's org when the outcome was recorded); with
/// `by_unit = false` one row for everything.
pub async fn four_forms_by_unit(
    db: &Db,
    scope: &Scope,
    from: &str,
    to: &str,
    org: Option<OrgId>,
    by_unit: bool,
) -> StoreResult<Vec<UnitForms>> {
    let f = OutcomeFilter {
        from: Some(from.into()),
        to: Some(to.into()),
        org_id: org.map(|o| o.0),
        ..Default::default()
    };
    // (person, case) → heaviest form, then counted; the unit is the one of the heaviest row
    // (the person's org when recorded; a person in one case normally has one).
    let inner = filtered(
        &scope.clone(),
        &f,
        "x.person_id, x.case_ref, MAX(x.form) AS heaviest, MIN(x.org_id) AS unit",
    );
    let mut q = inner;
    q.push(" GROUP BY x.person_id, x.case_ref");
    let rows = q.build().fetch_all(db.pool()).await?;
    let mut units: std::collections::BTreeMap<i64, FourForms> = std::collections::BTreeMap::new();
    // A section (科室) counts with its unit: the table lists units, not their offices.
    let mut unit_of: std::collections::HashMap<i64, i64> = std::collections::HashMap::new();
    for r in &rows {
        let form: i64 = r.try_get(2)?;
        let unit: i64 = if by_unit {
            let org: i64 = r.try_get(3)?;
            match unit_of.get(&org) {
                Some(u) => *u,
                None => {
                    let u: i64 = sqlx::query(
                        "SELECT a.id FROM org a JOIN org o ON o.path LIKE a.path || '%' \
                         WHERE o.id = $1 AND a.kind <> 'section' ORDER BY LENGTH(a.path) DESC LIMIT 1",
                    )
                    .bind(org)
                    .fetch_optional(db.pool())
                    .await?
                    .map(|r| r.try_get(0))
                    .transpose()?
                    .unwrap_or(org);
                    unit_of.insert(org, u);
                    u
                }
            }
        } else {
            0
        };
        let e = units.entry(unit).or_default();
        if (1..=4).contains(&form) {
            e.forms[(form - 1) as usize] += 1;
        }
    }
    let mut out = Vec::new();
    for (unit, forms) in units {
        let (org_id, org_name) = if by_unit {
            let name: String = sqlx::query(concat!("SELECT ", org_display!("o"), " FROM org o WHERE o.id = $1"))
                .bind(unit)
                .fetch_one(db.pool())
                .await?
                .try_get(0)?;
            (Some(OrgId(unit)), name)
        } else {
            (None, "合计".to_string())
        };
        out.push(UnitForms {
            org_id,
            org_name,
            forms,
        });
    }
    out.sort_by(|a, b| {
        b.forms
            .person_times()
            .cmp(&a.forms.person_times())
            .then(a.org_name.cmp(&b.org_name))
    });
    Ok(out)
}
