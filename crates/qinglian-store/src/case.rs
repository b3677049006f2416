//! Cases (案件, issue #13 §2): a case is filed when a clue's 拟立案 is approved, numbered in the
//! document register (示纪立〔2026〕1号). Need-to-know: a case is read by its members (the
//! investigation and adjudication teams) and by holders of `case.read` (the managing office,
//! leaders) — an id of any other case reads as missing. 回避: a staff member of the subject's own
//! unit cannot be put on the case. The handling steps follow `qinglian_domain::case`'s tables.

use chrono::NaiveDate;
use qinglian_domain::case::CaseState;
use qinglian_domain::workflow::State as _;
use serde::Serialize;
use sqlx::Row;

use crate::clue::ClueId;
use crate::org::OrgId;
use crate::person::PersonId;
use crate::sql::Query;
use crate::user::UserId;
use crate::{Db, Scope, StoreError, StoreResult, Tx};

crate::id_type!(
    /// Id of a case.
    CaseId
);

/// The audit object type.
pub const OBJECT_TYPE: &str = "case_record";

/// The document kind of a filing decision (立案决定书) in the register.
pub const FILING_KIND: &str = "case.filing";

/// Who reads: the user, and whether they hold `case.read_all` (every case in scope).
#[derive(Debug, Clone, Copy)]
pub struct Viewer {
    /// The user.
    pub user: UserId,
    /// Holds `case.read_all`: the managing office and leaders.
    pub read_all: bool,
}

/// Files the case of a clue whose 拟立案 was approved, in the caller's transaction: numbered
/// `prefix`〔year〕n号 in the register; investigating from the filing day.
pub async fn file_from_clue(
    tx: &mut Tx,
    clue: ClueId,
    prefix: &str,
    today: NaiveDate,
    by: Option<UserId>,
) -> StoreResult<CaseId> {
    let c = sqlx::query("SELECT commission_id, org_id, person_id, subject_name FROM clue WHERE id = $1")
        .bind(clue)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound("问题线索"))?;
    let commission = OrgId(c.try_get(0)?);
    let n = crate::document::number(
        tx,
        commission,
        FILING_KIND,
        crate::clue::OBJECT_TYPE,
        &clue.to_string(),
        today,
        by,
    )
    .await?;
    let now = crate::time::now();
    let id: CaseId = sqlx::query(
        "INSERT INTO case_record (commission_id, org_id, clue_id, person_id, subject_name, number, filed_on, status, \
         created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id",
    )
    .bind(commission)
    .bind(c.try_get::<i64, _>(1)?)
    .bind(clue)
    .bind(c.try_get::<Option<i64>, _>(2)?)
    .bind(c.try_get::<String, _>(3)?)
    .bind(n.display(prefix))
    .bind(today.format("%Y-%m-%d").to_string())
    .bind(CaseState::Investigating.code())
    .bind(by)
    .bind(&now)
    .fetch_one(&mut **tx)
    .await?
    .try_get(0)?;
    Ok(id)
}

/// A case as its readers see it.
#[derive(Debug, Clone, Serialize)]
pub struct Case {
    /// Id.
    pub id: CaseId,
    /// Its number (立案编号).
    pub number: String,
    /// The clue it came from.
    pub clue_id: Option<ClueId>,
    /// The roster person investigated.
    pub person_id: Option<PersonId>,
    /// Their name.
    pub subject_name: String,
    /// Their unit (as shown).
    pub org_name: String,
    /// Filed on.
    pub filed_on: String,
    /// State code.
    pub status: String,
}

impl Case {
    /// The state in Chinese.
    pub fn status_label(&self) -> &'static str {
        CaseState::parse(&self.status).map_or("", |s| s.label())
    }
}

fn readable(scope: &Scope, v: Viewer, cols: &str) -> Query {
    let mut q = Query::new(&format!(
        "SELECT {cols} FROM case_record k JOIN org o ON o.id = k.org_id WHERE 1 = 1"
    ));
    scope.push_filter(&mut q, "o.path");
    if !v.read_all {
        q.push(" AND EXISTS (SELECT 1 FROM case_member m WHERE m.case_id = k.id AND m.user_id = ");
        q.bind_int(v.user);
        q.push(")");
    }
    q
}

fn cols() -> String {
    format!(
        "k.id, k.number, k.clue_id, k.person_id, k.subject_name, {} AS org_name, k.filed_on, k.status",
        org_display!("o")
    )
}

fn from_row(r: &sqlx::any::AnyRow) -> StoreResult<Case> {
    Ok(Case {
        id: CaseId(r.try_get(0)?),
        number: r.try_get(1)?,
        clue_id: r.try_get::<Option<i64>, _>(2)?.map(ClueId),
        person_id: r.try_get::<Option<i64>, _>(3)?.map(PersonId),
        subject_name: r.try_get(4)?,
        org_name: r.try_get(5)?,
        filed_on: r.try_get(6)?,
        status: r.try_get(7)?,
    })
}

/// One case the viewer may read (need-to-know); any other reads as missing.
pub async fn get(db: &Db, scope: &Scope, v: Viewer, id: CaseId) -> StoreResult<Case> {
    let mut q = readable(scope, v, &cols());
    q.push(" AND k.id = ");
    q.bind_int(id);
    let row = q
        .build()
        .fetch_optional(db.pool())
        .await?
        .ok_or(StoreError::NotFound("案件"))?;
    from_row(&row)
}

/// The cases the viewer may read, newest first.
pub async fn list(db: &Db, scope: &Scope, v: Viewer) -> StoreResult<Vec<Case>> {
    let mut q = readable(scope, v, &cols());
    q.push(" ORDER BY k.filed_on DESC, k.id DESC");
    q.build().fetch_all(db.pool()).await?.iter().map(from_row).collect()
}

/// The case a clue became, if any (its number and id), for the clue's readers.
pub async fn of_clue(db: &Db, clue: ClueId) -> StoreResult<Option<(CaseId, String)>> {
    Ok(sqlx::query("SELECT id, number FROM case_record WHERE clue_id = $1")
        .bind(clue)
        .fetch_optional(db.pool())
        .await?
        .map(|r| Ok::<_, sqlx::Error>((CaseId(r.try_get(0)?), r.try_get(1)?)))
        .transpose()?)
}

/// A team's role on a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// 审查调查组.
    Investigation,
    /// 审理组.
    Adjudication,
}

impl Role {
    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            Role::Investigation => "investigation",
            Role::Adjudication => "adjudication",
        }
    }
    /// The permission a member of this team holds.
    pub fn permission(self) -> &'static str {
        match self {
            Role::Investigation => qinglian_domain::case::PERM_INVESTIGATE,
            Role::Adjudication => qinglian_domain::case::PERM_ADJUDICATE,
        }
    }
}

/// Puts a staff member on a case's team in the caller's transaction (the case in the caller's
/// scope; the caller holds `case.read`). 回避: a member of the subject's own unit (or a unit
/// below it) is refused with the reason; the member must hold the team's permission.
pub async fn add_member(tx: &mut Tx, scope: &Scope, id: CaseId, user: UserId, role: Role) -> StoreResult<()> {
    let mut q = Query::new(
        "SELECT po.path, po.name FROM case_record k JOIN org o ON o.id = k.org_id \
         LEFT JOIN person p ON p.id = k.person_id LEFT JOIN org po ON po.id = p.org_id WHERE k.id = ",
    );
    q.bind_int(id);
    scope.push_filter(&mut q, "o.path");
    let row = q
        .build()
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound("案件"))?;
    // The subject's unit, when the subject is a roster person (a name alone gives none).
    let subject: Option<(String, String)> = match row.try_get::<Option<String>, _>(0)? {
        Some(path) => Some((path, row.try_get(1)?)),
        None => None,
    };
    let member =
        sqlx::query("SELECT o.path FROM app_user u JOIN org o ON o.id = u.org_id WHERE u.id = $1 AND u.disabled = 0")
            .bind(user)
            .fetch_optional(&mut **tx)
            .await?
            .ok_or_else(|| StoreError::invalid("user_id", "该工作人员不存在或已停用"))?;
    let path: String = member.try_get(0)?;
    if let Some((subject_path, unit)) = subject
        && path.starts_with(&subject_path)
    {
        return Err(StoreError::invalid(
            "user_id",
            format!("该工作人员与被调查人同在{unit}，应当回避，不能参加本案"),
        ));
    }
    if !crate::user::holds(tx, user, role.permission()).await? {
        return Err(StoreError::invalid("user_id", "该工作人员没有参加此类工作组的权限"));
    }
    sqlx::query("INSERT INTO case_member (case_id, user_id, role, added_at) VALUES ($1, $2, $3, $4)")
        .bind(id)
        .bind(user)
        .bind(role.code())
        .bind(crate::time::now())
        .execute(&mut **tx)
        .await
        .map_err(|e| {
            let e = StoreError::from(e);
            if e.is_unique_violation("case_member_key", "case_member.case_id") {
                StoreError::conflict("user_id", "该工作人员已在工作组中")
            } else {
                e
            }
        })?;
    Ok(())
}
