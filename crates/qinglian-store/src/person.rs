//! The people roster (干部 / 公职人员).

use qinglian_domain::id_number::IdNumber;
use qinglian_domain::names;
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::error::{StoreError, StoreResult};
use crate::org::OrgId;
use crate::sql::{Page, Query, fetch_all, fetch_page, like_escape};
use crate::{Db, Scope, Tx};

crate::id_type!(
    /// Id of a person of the roster.
    PersonId
);

/// A person in the roster, with the name of their org.
#[derive(Debug, Clone, Serialize)]
pub struct Person {
    /// Id.
    pub id: PersonId,
    /// Org they belong to.
    pub org_id: OrgId,
    /// Name of that org.
    pub org_name: String,
    /// Name.
    pub name: String,
    /// Resident ID number (18 chars).
    pub id_number: String,
    /// "male" | "female", derived from the ID number.
    pub sex: String,
    /// Birth date, derived from the ID number.
    pub birth_date: String,
    /// Post (职务).
    pub post: String,
    /// Rank (职级).
    pub rank: String,
    /// Party member.
    pub party_member: bool,
    /// Supervised object under the Supervision Law (监察对象).
    pub supervised: bool,
    /// Principal (主要负责人).
    pub principal: bool,
    /// Leadership team member (领导班子成员).
    pub leadership_member: bool,
    /// Phone.
    pub phone: String,
}

impl Person {
    /// Chinese label of the sex.
    pub fn sex_label(&self) -> &'static str {
        if self.sex == "male" { "男" } else { "女" }
    }
    /// The ID number with the birth date hidden, for users without the sensitive permission.
    pub fn masked_id_number(&self) -> String {
        mask_id_number(&self.id_number)
    }
    /// The birth year only: shown beside a masked ID number, a full birth date would give the
    /// hidden digits back.
    pub fn birth_year(&self) -> String {
        self.birth_date.chars().take(4).collect::<String>() + "年"
    }

    /// The one rule for showing a person's ID number and birth date, on every page, form,
    /// list, API answer and export (issue #11 §4): full only for a caller with
    /// `person.sensitive` looking at one person or exporting (both audited by the caller);
    /// masked — region and sequence only, birth year only — everywhere else, lists included,
    /// because a list is read without a per-person audit entry.
    pub fn shown(&self, sensitive: bool, view: View) -> Shown {
        let full = sensitive && matches!(view, View::One | View::Export);
        if full {
            Shown {
                id_number: self.id_number.clone(),
                birth_date: self.birth_date.clone(),
                full,
            }
        } else {
            Shown {
                id_number: self.masked_id_number(),
                birth_date: self.birth_year(),
                full,
            }
        }
    }
}

/// Where a person is shown (see [`Person::shown`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// One person: the detail page, the edit form, `GET /api/v1/persons/{id}`.
    One,
    /// Many people on a page or in an API list.
    List,
    /// An Excel export.
    Export,
}

/// A person's identifying fields as a caller may see them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    /// The ID number, full or masked.
    pub id_number: String,
    /// The birth date, or the birth year only.
    pub birth_date: String,
    /// Whether these are the full values (the caller audits that read).
    pub full: bool,
}

/// "11010519491231002X" → "110105********002X".
pub fn mask_id_number(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() < 10 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..6].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 10))
}

/// Every ID number written inside a text (「王老汉（110105194001010026）已于…」) masked as
/// [`mask_id_number`] does: a run of 17 digits and a digit or X, not part of a longer number.
/// Unified social credit codes (18 characters with letters) are left alone.
pub fn mask_ids_in_text(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let starts = i == 0 || !chars[i - 1].is_ascii_alphanumeric();
        if starts && i + 18 <= chars.len() {
            let run = &chars[i..i + 18];
            let ends = i + 18 == chars.len() || !chars[i + 18].is_ascii_alphanumeric();
            if ends
                && run[..17].iter().all(char::is_ascii_digit)
                && (run[17].is_ascii_digit() || run[17] == 'X' || run[17] == 'x')
            {
                out.push_str(&mask_id_number(&run.iter().collect::<String>()));
                i += 18;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

const COLS: &str = concat!(
    "p.id, p.org_id, ",
    org_display!("o"),
    " AS org_name, p.name, p.id_number, p.sex, p.birth_date, p.post, p.rank, \
    p.party_member, p.supervised, p.principal, p.leadership_member, p.phone"
);

fn from_row(r: &AnyRow) -> StoreResult<Person> {
    Ok(Person {
        id: r.try_get("id")?,
        org_id: r.try_get("org_id")?,
        org_name: r.try_get("org_name")?,
        name: r.try_get("name")?,
        id_number: r.try_get("id_number")?,
        sex: r.try_get("sex")?,
        birth_date: r.try_get("birth_date")?,
        post: r.try_get("post")?,
        rank: r.try_get("rank")?,
        party_member: crate::flag(r.try_get("party_member")?),
        supervised: crate::flag(r.try_get("supervised")?),
        principal: crate::flag(r.try_get("principal")?),
        leadership_member: crate::flag(r.try_get("leadership_member")?),
        phone: r.try_get("phone")?,
    })
}

/// Input for creating or updating a person (already-trimmed strings from a form or a row).
#[derive(Debug, Clone, Default)]
pub struct PersonInput {
    /// Org id.
    pub org_id: OrgId,
    /// Name.
    pub name: String,
    /// ID number as typed (15 or 18 digits).
    pub id_number: String,
    /// Post.
    pub post: String,
    /// Rank.
    pub rank: String,
    /// Party member.
    pub party_member: bool,
    /// Supervised object.
    pub supervised: bool,
    /// Principal.
    pub principal: bool,
    /// Leadership member.
    pub leadership_member: bool,
    /// Phone.
    pub phone: String,
}

/// A validated person input.
#[derive(Debug, Clone)]
pub struct ValidPerson {
    input: PersonInput,
    name: String,
    id: IdNumber,
}

impl ValidPerson {
    /// The normalised 18-char ID number.
    pub fn id_number(&self) -> &str {
        self.id.as_str()
    }
}

/// Validate a person input; every problem is returned with its field, in Chinese.
pub fn validate(input: PersonInput) -> Result<ValidPerson, Vec<(&'static str, String)>> {
    let mut errors = Vec::new();
    for (field, label, value) in [
        ("name", "姓名", &input.name),
        ("id_number", "身份证号", &input.id_number),
        ("post", "职务", &input.post),
        ("rank", "职级", &input.rank),
        ("phone", "联系电话", &input.phone),
    ] {
        if value.chars().any(char::is_control) {
            errors.push((field, format!("{label}中含有不可见的控制字符，请删除后重新输入")));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let name = names::normalize_person_name(&input.name);
    if name.is_empty() {
        errors.push(("name", "姓名不能为空".to_string()));
    } else if name.chars().count() > 30 {
        errors.push(("name", "姓名不能超过30个字".to_string()));
    }
    let id = match IdNumber::parse(&input.id_number) {
        Ok(id) => Some(id),
        Err(e) => {
            errors.push(("id_number", e.to_string()));
            None
        }
    };
    let phone = input.phone.trim();
    if !phone.is_empty() && !phone.chars().all(|c| c.is_ascii_digit() || c == '-' || c == ' ') {
        errors.push(("phone", "联系电话只能包含数字和“-”".to_string()));
    }
    use qinglian_domain::text::{Limit, check};
    for r in [
        check("post", "职务", &input.post, Limit::Post),
        check("rank", "职级", &input.rank, Limit::Rank),
        check("phone", "联系电话", &input.phone, Limit::Phone),
    ] {
        if let Err(e) = r {
            errors.push(e);
        }
    }
    match (errors.is_empty(), id) {
        (true, Some(id)) => Ok(ValidPerson { input, name, id }),
        _ => Err(errors),
    }
}

async fn check_org(tx: &mut Tx, scope: &Scope, org_id: OrgId) -> StoreResult<()> {
    let org = crate::org::get_unscoped(&mut **tx, org_id)
        .await
        .map_err(|e| e.not_found_as("org_id", "所在单位不存在"))?;
    if !scope.contains_path(&org.path) {
        return Err(StoreError::invalid("org_id", "所在单位不在您的数据权限范围内"));
    }
    Ok(())
}

async fn check_duplicate(tx: &mut Tx, id_number: &str, except: Option<PersonId>) -> StoreResult<()> {
    let mut q = Query::new("SELECT COUNT(*) FROM person WHERE id_number = ");
    q.bind_text(id_number);
    if let Some(id) = except {
        q.push(" AND id <> ");
        q.bind_int(id);
    }
    let n: i64 = q.build().fetch_one(&mut **tx).await?.try_get(0)?;
    if n > 0 {
        // Deliberately does not say where the other record is: it may be outside the scope.
        return Err(StoreError::conflict(
            "id_number",
            format!("身份证号{id_number}已在人员名册中登记，不能重复录入"),
        ));
    }
    Ok(())
}

/// Create a person inside the caller's scope.
pub async fn create(tx: &mut Tx, scope: &Scope, p: &ValidPerson) -> StoreResult<PersonId> {
    check_org(tx, scope, p.input.org_id).await?;
    check_duplicate(tx, p.id.as_str(), None).await?;
    let now = crate::time::now();
    let row = sqlx::query(
        "INSERT INTO person (org_id, name, name_initials, name_pinyin, id_number, sex, birth_date, post, rank, \
         party_member, supervised, principal, leadership_member, phone, active, created_at, updated_at, name_sort) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 1, $15, $15, $16) RETURNING id",
    );
    let row = bind_person(row, p, &now)
        .bind(names::name_sort_key(&p.name))
        .fetch_one(&mut **tx)
        .await
        .map_err(|e| map_unique(e.into()))?;
    Ok(row.try_get(0)?)
}

/// A person's columns bound as both writes list them: $1 org … $14 phone, $15 the time.
fn bind_person<'q>(
    q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    p: &ValidPerson,
    now: &str,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    q.bind(p.input.org_id)
        .bind(p.name.clone())
        .bind(names::pinyin_initials(&p.name))
        .bind(names::pinyin_full(&p.name))
        .bind(p.id.as_str().to_string())
        .bind(p.id.sex().as_str())
        .bind(p.id.birth_date().format("%Y-%m-%d").to_string())
        .bind(p.input.post.trim().to_string())
        .bind(p.input.rank.trim().to_string())
        .bind(p.input.party_member as i64)
        .bind(p.input.supervised as i64)
        .bind(p.input.principal as i64)
        .bind(p.input.leadership_member as i64)
        .bind(p.input.phone.trim().to_string())
        .bind(now.to_string())
}

fn map_unique(e: StoreError) -> StoreError {
    if e.is_unique_violation("person_id_number_key", "person.id_number") {
        StoreError::conflict("id_number", "该身份证号已在人员名册中登记，不能重复录入")
    } else {
        e
    }
}

/// Update a person inside the caller's scope (both the old and the new org must be in scope).
pub async fn update(tx: &mut Tx, scope: &Scope, id: PersonId, p: &ValidPerson) -> StoreResult<()> {
    get_in(&mut **tx, scope, id).await?;
    check_org(tx, scope, p.input.org_id).await?;
    check_duplicate(tx, p.id.as_str(), Some(id)).await?;
    let q = sqlx::query(
        "UPDATE person SET org_id = $1, name = $2, name_initials = $3, name_pinyin = $4, id_number = $5, sex = $6, \
         birth_date = $7, post = $8, rank = $9, party_member = $10, supervised = $11, principal = $12, \
         leadership_member = $13, phone = $14, updated_at = $15, name_sort = $17 WHERE id = $16",
    );
    bind_person(q, p, &crate::time::now())
        .bind(id)
        .bind(names::name_sort_key(&p.name))
        .execute(&mut **tx)
        .await
        .map_err(|e| map_unique(e.into()))?;
    Ok(())
}

/// Fills the name keys (pinyin initials, full pinyin, sort key) of rows stored before the
/// keys used surname readings (migration 5 left their sort key empty). Runs at start; cheap
/// when there is nothing to do. Returns the number of rows updated.
pub async fn refresh_name_keys(db: &Db) -> StoreResult<u64> {
    let rows = sqlx::query("SELECT id, name FROM person WHERE name_sort = ''")
        .fetch_all(db.pool())
        .await?;
    if rows.is_empty() {
        return Ok(0);
    }
    let mut tx = db.begin().await?;
    for r in &rows {
        let id: PersonId = r.try_get(0)?;
        let name: String = r.try_get(1)?;
        sqlx::query("UPDATE person SET name_initials = $1, name_pinyin = $2, name_sort = $3 WHERE id = $4")
            .bind(names::pinyin_initials(&name))
            .bind(names::pinyin_full(&name))
            .bind(names::name_sort_key(&name))
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(rows.len() as u64)
}

async fn get_in<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(
    ex: E,
    scope: &Scope,
    id: PersonId,
) -> StoreResult<Person> {
    let mut q = Query::new(&format!(
        "SELECT {COLS} FROM person p JOIN org o ON o.id = p.org_id WHERE p.id = "
    ));
    q.bind_int(id);
    scope.push_filter(&mut q, "o.path");
    let row = q
        .build()
        .fetch_optional(ex)
        .await?
        .ok_or(StoreError::NotFound("人员"))?;
    from_row(&row)
}

/// Get a person inside the caller's scope. Out-of-scope ids look exactly like missing ones.
pub async fn get(db: &Db, scope: &Scope, id: PersonId) -> StoreResult<Person> {
    get_in(db.pool(), scope, id).await
}

/// The roster person with this ID number inside the caller's scope, if any.
pub async fn by_id_number(db: &Db, scope: &Scope, id_number: &str) -> StoreResult<Option<Person>> {
    let mut q = Query::new(&format!(
        "SELECT {COLS} FROM person p JOIN org o ON o.id = p.org_id WHERE p.id_number = "
    ));
    q.bind_text(id_number.trim().to_uppercase());
    scope.push_filter(&mut q, "o.path");
    q.build()
        .fetch_optional(db.pool())
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}

/// The one roster person inside the scope with this name in a unit of this name (RULES.md §11:
/// never a name alone); `None` when nobody or more than one matches.
pub async fn find_by_name_and_org(db: &Db, scope: &Scope, name: &str, org_name: &str) -> StoreResult<Option<PersonId>> {
    let (name, org_name) = (name.trim(), org_name.trim());
    if name.is_empty() || org_name.is_empty() {
        return Ok(None);
    }
    let mut q = Query::new("SELECT p.id FROM person p JOIN org o ON o.id = p.org_id WHERE p.active = 1 AND p.name = ");
    q.bind_text(name);
    q.push(" AND o.name = ");
    q.bind_text(org_name);
    scope.push_filter(&mut q, "o.path");
    q.push(" LIMIT 2");
    let rows = q.build().fetch_all(db.pool()).await?;
    Ok(match rows.as_slice() {
        [one] => Some(PersonId(one.try_get(0)?)),
        _ => None,
    })
}

/// Filters for the roster list.
#[derive(Debug, Clone, Default)]
pub struct PersonFilter {
    /// Name (characters), pinyin initials / full pinyin prefix, or an exact ID number.
    pub q: Option<String>,
    /// Restrict to one org's subtree.
    pub org_id: Option<OrgId>,
    /// Only party members.
    pub party_member: Option<bool>,
    /// Only supervised objects.
    pub supervised: Option<bool>,
    /// Sort column: name | org | birth_date | rank.
    pub sort: Option<String>,
    /// Descending order.
    pub desc: bool,
    /// The caller may see ID numbers (`person.sensitive`): 4–6 typed digits also find the
    /// people whose ID number ends with them.
    pub id_suffix: bool,
}

fn filtered(scope: &Scope, f: &PersonFilter, select: &str) -> Query {
    let mut q = Query::new(&format!(
        "SELECT {select} FROM person p JOIN org o ON o.id = p.org_id WHERE p.active = 1"
    ));
    scope.push_filter(&mut q, "o.path");
    if let Some(text) = f.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let lower = text.to_lowercase();
        let like = format!("%{}%", like_escape(&names::normalize_person_name(text)));
        let prefix = format!("{}%", like_escape(&lower));
        q.push(" AND (p.name LIKE ");
        q.bind_text(like);
        q.push(" ESCAPE '\\' OR p.name_initials LIKE ");
        q.bind_text(prefix.clone());
        q.push(" ESCAPE '\\' OR p.name_pinyin LIKE ");
        q.bind_text(prefix);
        // A typed ID number: spaces ignored; 4–6 characters match its end (for roles that
        // may see ID numbers), a whole one matches exactly.
        let compact: String = text
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_uppercase();
        let id_like = !compact.is_empty() && compact.chars().all(|c| c.is_ascii_digit() || c == 'X');
        if f.id_suffix && id_like && (4..=6).contains(&compact.len()) {
            q.push(" ESCAPE '\\' OR p.id_number LIKE ");
            q.bind_text(format!("%{compact}"));
        }
        q.push(" ESCAPE '\\' OR p.id_number = ");
        q.bind_text(compact);
        q.push(")");
    }
    if let Some(org_id) = f.org_id {
        q.push(" AND o.path LIKE (SELECT path FROM org WHERE id = ");
        q.bind_int(org_id);
        q.push(") || '%'");
    }
    if let Some(b) = f.party_member {
        q.push(" AND p.party_member = ");
        q.bind_int(b as i64);
    }
    if let Some(b) = f.supervised {
        q.push(" AND p.supervised = ");
        q.bind_int(b as i64);
    }
    q
}

fn order_by(f: &PersonFilter) -> String {
    let dir = if f.desc { "DESC" } else { "ASC" };
    let col = match f.sort.as_deref() {
        // The org tree's order, as the tree page shows it.
        Some("org") => "o.tree_rank".to_string(),
        Some("birth_date") => "p.birth_date".to_string(),
        // Ranks in their official order (厅级正职 first), not as text.
        Some("rank") => rank_order("p.rank"),
        _ => "p.name_sort".to_string(),
    };
    // Within one unit or rank, by name.
    let then = if f.sort.is_some() { ", p.name_sort" } else { "" };
    format!(" ORDER BY {col} {dir}{then}, p.id {dir}")
}

/// A SQL expression giving a rank's place in [`qinglian_domain::rank::RANKS`] (unknown ranks
/// last); built from constants only.
fn rank_order(col: &str) -> String {
    let mut out = format!("CASE {col}");
    for (i, r) in qinglian_domain::rank::RANKS.iter().enumerate() {
        out.push_str(&format!(" WHEN '{r}' THEN {i}"));
    }
    out.push_str(&format!(" ELSE {} END", qinglian_domain::rank::RANKS.len()));
    out
}

/// One page of the roster inside the caller's scope.
pub async fn list(db: &Db, scope: &Scope, f: &PersonFilter, page: i64, per_page: i64) -> StoreResult<Page<Person>> {
    let (count, rows) = (filtered(scope, f, "COUNT(*)"), filtered(scope, f, COLS));
    fetch_page(db, count, rows, &order_by(f), page, per_page, from_row).await
}

/// Every row matching the filter (for export), capped at `limit`.
pub async fn list_all(db: &Db, scope: &Scope, f: &PersonFilter, limit: i64) -> StoreResult<Vec<Person>> {
    fetch_all(db, filtered(scope, f, COLS), &order_by(f), limit, from_row).await
}

/// Number of people (all scopes).
pub async fn count(db: &Db) -> StoreResult<i64> {
    Ok(sqlx::query("SELECT COUNT(*) FROM person")
        .fetch_one(db.pool())
        .await?
        .try_get(0)?)
}

/// True if an ID number is already registered (any scope; for imports' duplicate checks).
pub async fn id_number_exists<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(
    ex: E,
    id_number: &str,
) -> StoreResult<bool> {
    let n: i64 = sqlx::query("SELECT COUNT(*) FROM person WHERE id_number = $1")
        .bind(id_number)
        .fetch_one(ex)
        .await?
        .try_get(0)?;
    Ok(n > 0)
}
