//! The organisation tree (组织机构) and attached party organisations.
//!
//! Each org stores its materialised path ("/1/4/9/"), so a subtree is one `LIKE 'path%'`
//! and data scopes are cheap to enforce in every query.

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

use crate::error::{StoreError, StoreResult};
use crate::sql::Query;
use crate::{Db, Scope, Tx};

crate::id_type!(
    /// Id of an org (单位) of the tree.
    OrgId
);
crate::id_type!(
    /// Id of a party organisation (党组织) attached to an org.
    PartyOrgId
);

/// Kinds of org node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    /// 市（县、区）党委政府 — the root of a city's tree.
    City,
    /// 纪委监委
    Commission,
    /// 派驻纪检监察组
    StationedGroup,
    /// 市直单位
    Unit,
    /// 内设机构（股室）
    Section,
    /// 乡镇（街道）
    Town,
    /// 村（社区）
    Village,
}

impl OrgKind {
    /// All kinds, in display order.
    pub const ALL: [OrgKind; 7] = [
        OrgKind::City,
        OrgKind::Commission,
        OrgKind::StationedGroup,
        OrgKind::Unit,
        OrgKind::Section,
        OrgKind::Town,
        OrgKind::Village,
    ];
    /// Stored code.
    pub fn as_str(self) -> &'static str {
        match self {
            OrgKind::City => "city",
            OrgKind::Commission => "commission",
            OrgKind::StationedGroup => "stationed_group",
            OrgKind::Unit => "unit",
            OrgKind::Section => "section",
            OrgKind::Town => "town",
            OrgKind::Village => "village",
        }
    }
    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            OrgKind::City => "市（县、区）",
            OrgKind::Commission => "纪委监委",
            OrgKind::StationedGroup => "派驻纪检监察组",
            OrgKind::Unit => "单位",
            OrgKind::Section => "内设机构（股室）",
            OrgKind::Town => "乡镇（街道）",
            OrgKind::Village => "村（社区）",
        }
    }
    /// Parse a stored code, the Chinese label or a common short form (used by imports).
    pub fn parse(s: &str) -> Option<OrgKind> {
        let s = s.trim();
        let alias = match s {
            "市" | "县" | "区" => Some(OrgKind::City),
            "纪委" | "监委" => Some(OrgKind::Commission),
            "派驻组" | "派驻纪检组" => Some(OrgKind::StationedGroup),
            "市直单位" | "部门" => Some(OrgKind::Unit),
            "股室" | "内设机构" | "科室" => Some(OrgKind::Section),
            "乡镇" | "乡" | "镇" | "街道" => Some(OrgKind::Town),
            "村" | "社区" | "村（社区）" => Some(OrgKind::Village),
            _ => None,
        };
        alias.or_else(|| OrgKind::ALL.into_iter().find(|k| k.as_str() == s || k.label() == s))
    }
}

/// An org node.
#[derive(Debug, Clone, Serialize)]
pub struct Org {
    /// Id.
    pub id: OrgId,
    /// Parent org (None for the root).
    pub parent_id: Option<OrgId>,
    /// Full name.
    pub name: String,
    /// Kind.
    pub kind: OrgKind,
    /// Unified social credit code or internal code, if any.
    pub code: Option<String>,
    /// Materialised path.
    pub path: String,
    /// Depth (root = 0).
    pub depth: i64,
    /// Sort order among siblings.
    pub sort_order: i64,
    /// The stationed group that supervises this unit, if any.
    pub supervised_by: Option<OrgId>,
    /// Whether the org is active.
    pub active: bool,
}

const COLS: &str = "id, parent_id, name, kind, code, path, depth, sort_order, supervised_by, active";

fn from_row(r: &AnyRow) -> StoreResult<Org> {
    let kind: String = r.try_get("kind")?;
    Ok(Org {
        id: r.try_get("id")?,
        parent_id: r.try_get("parent_id")?,
        name: r.try_get("name")?,
        kind: OrgKind::parse(&kind).ok_or_else(|| StoreError::Internal(format!("bad org kind {kind}")))?,
        code: r.try_get("code")?,
        path: r.try_get("path")?,
        depth: r.try_get("depth")?,
        sort_order: r.try_get("sort_order")?,
        supervised_by: r.try_get("supervised_by")?,
        active: crate::flag(r.try_get("active")?),
    })
}

/// Input for creating or updating an org.
#[derive(Debug, Clone)]
pub struct OrgInput {
    /// Parent (required except for the root).
    pub parent_id: Option<OrgId>,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: OrgKind,
    /// Optional code.
    pub code: Option<String>,
    /// Sort order.
    pub sort_order: i64,
    /// Supervising stationed group.
    pub supervised_by: Option<OrgId>,
}

/// Get an org by id without scope checks (for admin and internal use).
pub async fn get_unscoped<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(ex: E, id: OrgId) -> StoreResult<Org> {
    let row = sqlx::query(AssertSqlSafe(format!("SELECT {COLS} FROM org WHERE id = $1")))
        .bind(id)
        .fetch_optional(ex)
        .await?
        .ok_or(StoreError::NotFound("单位"))?;
    from_row(&row)
}

/// Get an org inside the caller's scope.
pub async fn get(db: &Db, scope: &Scope, id: OrgId) -> StoreResult<Org> {
    let org = get_unscoped(db.pool(), id).await?;
    if scope.contains_path(&org.path) {
        Ok(org)
    } else {
        Err(StoreError::NotFound("单位"))
    }
}

/// The commission that receives what comes in without an addressee (the public portal, the
/// hotline): the active commission highest in the tree (the city's 纪委监委), `None` before
/// one is set up.
pub async fn receiving_commission(db: &Db) -> StoreResult<Option<OrgId>> {
    let row = sqlx::query(
        "SELECT id FROM org WHERE kind = 'commission' AND active = 1 ORDER BY LENGTH(path), tree_rank, id LIMIT 1",
    )
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(|r| r.try_get(0)).transpose()?)
}

/// All orgs (admin view), ordered as a tree.
pub async fn list_all(db: &Db) -> StoreResult<Vec<Org>> {
    let rows = sqlx::query(AssertSqlSafe(format!("SELECT {COLS} FROM org ORDER BY path")))
        .fetch_all(db.pool())
        .await?;
    let mut orgs = rows.iter().map(from_row).collect::<StoreResult<Vec<_>>>()?;
    sort_tree(&mut orgs);
    Ok(orgs)
}

/// Orgs inside a scope, ordered as a tree.
pub async fn list_in_scope(db: &Db, scope: &Scope) -> StoreResult<Vec<Org>> {
    let mut q = Query::new(&format!("SELECT {COLS} FROM org WHERE 1 = 1"));
    scope.push_filter(&mut q, "path");
    let rows = q.build().fetch_all(db.pool()).await?;
    let mut orgs = rows.iter().map(from_row).collect::<StoreResult<Vec<_>>>()?;
    sort_tree(&mut orgs);
    Ok(orgs)
}

/// Store every org's position in tree order (`org.tree_rank`), which lists sorted by 单位 use.
/// Call after a change of the tree (create, update, import) in the same transaction, and at
/// start. Only rows whose position changed are written.
pub async fn refresh_tree_rank(tx: &mut Tx) -> StoreResult<u64> {
    let rows = sqlx::query(AssertSqlSafe(format!("SELECT {COLS}, tree_rank FROM org")))
        .fetch_all(&mut **tx)
        .await?;
    let mut ranked = Vec::with_capacity(rows.len());
    for r in &rows {
        let rank: i64 = r.try_get("tree_rank")?;
        ranked.push((from_row(r)?, rank));
    }
    let mut orgs: Vec<Org> = ranked.iter().map(|(o, _)| o.clone()).collect();
    sort_tree(&mut orgs);
    let old: std::collections::HashMap<OrgId, i64> = ranked.iter().map(|(o, r)| (o.id, *r)).collect();
    let mut changed = 0;
    for (i, o) in orgs.iter().enumerate() {
        let rank = i as i64 + 1;
        if old.get(&o.id) != Some(&rank) {
            sqlx::query("UPDATE org SET tree_rank = $1 WHERE id = $2")
                .bind(rank)
                .bind(o.id)
                .execute(&mut **tx)
                .await?;
            changed += 1;
        }
    }
    Ok(changed)
}

/// Order orgs depth-first with siblings by sort_order then name (text order of paths would
/// put "/1/10/" before "/1/2/").
fn sort_tree(orgs: &mut [Org]) {
    use std::collections::HashMap;
    let key_of: HashMap<OrgId, (i64, String)> = orgs.iter().map(|o| (o.id, (o.sort_order, o.name.clone()))).collect();
    let sort_key = |o: &Org| -> Vec<(i64, String, OrgId)> {
        o.path
            .split('/')
            .filter(|s| !s.is_empty())
            .filter_map(|s| s.parse::<OrgId>().ok())
            .map(|id| {
                let (so, name) = key_of.get(&id).cloned().unwrap_or((0, String::new()));
                (so, name, id)
            })
            .collect()
    };
    orgs.sort_by_cached_key(sort_key);
}

/// Find an org by exact name (for imports), inside a scope.
pub async fn find_by_name(db: &Db, scope: &Scope, name: &str) -> StoreResult<Vec<Org>> {
    // 「上级单位/名称」 (also with ／ or spaces around the slash) names a unit whose leaf name
    // is not unique: 示例市财政局/财务科. Each part must match the chain of parents upwards.
    let parts: Vec<&str> = name
        .split(['/', '／'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    let Some((leaf, ancestors)) = parts.split_last() else {
        return Ok(Vec::new());
    };
    let mut q = Query::new(&format!("SELECT {COLS} FROM org WHERE name = "));
    q.bind_text(leaf.to_string());
    scope.push_filter(&mut q, "path");
    let rows = q.build().fetch_all(db.pool()).await?;
    let found: Vec<Org> = rows.iter().map(from_row).collect::<StoreResult<_>>()?;
    if ancestors.is_empty() {
        return Ok(found);
    }
    let mut out = Vec::new();
    'candidate: for o in found {
        let mut parent = o.parent_id;
        for want in ancestors.iter().rev() {
            let Some(pid) = parent else { continue 'candidate };
            let p = get_unscoped(db.pool(), pid).await?;
            if p.name != *want {
                continue 'candidate;
            }
            parent = p.parent_id;
        }
        out.push(o);
    }
    Ok(out)
}

async fn check_input(tx: &mut Tx, input: &OrgInput, self_id: Option<OrgId>) -> StoreResult<Option<Org>> {
    let name = input.name.trim();
    if name.is_empty() {
        return Err(StoreError::invalid("name", "单位名称不能为空"));
    }
    if name.chars().count() > 100 {
        return Err(StoreError::invalid("name", "单位名称不能超过100个字"));
    }
    let parent = match input.parent_id {
        Some(pid) => Some(get_unscoped(&mut **tx, pid).await.map_err(|e| match e {
            StoreError::NotFound(_) => StoreError::invalid("parent_id", "上级单位不存在"),
            e => e,
        })?),
        None => None,
    };
    // Siblings must have distinct names; checked here because NULL parents defeat a
    // composite unique index on both databases.
    let mut q = Query::new("SELECT COUNT(*) FROM org WHERE name = ");
    q.bind_text(name);
    match input.parent_id {
        Some(pid) => {
            q.push(" AND parent_id = ");
            q.bind_int(pid);
        }
        None => {
            q.push(" AND parent_id IS NULL");
        }
    }
    if let Some(id) = self_id {
        q.push(" AND id <> ");
        q.bind_int(id);
    }
    let n: i64 = q.build().fetch_one(&mut **tx).await?.try_get(0)?;
    if n > 0 {
        return Err(StoreError::conflict(
            "name",
            format!("同一上级下已有名为“{name}”的单位"),
        ));
    }
    if let Some(g) = input.supervised_by {
        let group = get_unscoped(&mut **tx, g)
            .await
            .map_err(|e| e.not_found_as("supervised_by", "监督的派驻组不存在"))?;
        if group.kind != OrgKind::StationedGroup {
            return Err(StoreError::invalid("supervised_by", "“派驻监督”只能选择派驻纪检监察组"));
        }
    }
    Ok(parent)
}

/// Create an org. Returns its id.
pub async fn create(tx: &mut Tx, input: &OrgInput) -> StoreResult<OrgId> {
    let parent = check_input(tx, input, None).await?;
    if parent.is_none() {
        let roots: i64 = sqlx::query("SELECT COUNT(*) FROM org WHERE parent_id IS NULL")
            .fetch_one(&mut **tx)
            .await?
            .try_get(0)?;
        if roots > 0 {
            return Err(StoreError::invalid("parent_id", "请选择上级单位（只能有一个根单位）"));
        }
    }
    let now = crate::time::now();
    // Insert with a unique placeholder path, then set the real one that includes the new id.
    let tmp_path = format!("/pending/{}/", hex::encode(rand::random::<[u8; 8]>()));
    let row = sqlx::query(
        "INSERT INTO org (parent_id, name, kind, code, path, depth, sort_order, supervised_by, active, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $9) RETURNING id",
    )
    .bind(input.parent_id)
    .bind(input.name.trim())
    .bind(input.kind.as_str())
    .bind(input.code.as_deref().map(str::trim).filter(|s| !s.is_empty()))
    .bind(&tmp_path)
    .bind(parent.as_ref().map(|p| p.depth + 1).unwrap_or(0))
    .bind(input.sort_order)
    .bind(input.supervised_by)
    .bind(&now)
    .fetch_one(&mut **tx)
    .await?;
    let id: OrgId = row.try_get(0)?;
    let path = format!("{}{}/", parent.as_ref().map(|p| p.path.as_str()).unwrap_or("/"), id);
    sqlx::query("UPDATE org SET path = $1 WHERE id = $2")
        .bind(&path)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(id)
}

/// Update an org; moving it under a new parent moves its whole subtree.
pub async fn update(tx: &mut Tx, id: OrgId, input: &OrgInput) -> StoreResult<()> {
    let old = get_unscoped(&mut **tx, id).await?;
    let parent = check_input(tx, input, Some(id)).await?;
    if old.parent_id.is_none() && input.parent_id.is_some() {
        return Err(StoreError::invalid("parent_id", "根单位不能移动"));
    }
    if old.parent_id.is_some() && input.parent_id.is_none() {
        return Err(StoreError::invalid("parent_id", "请选择上级单位（只能有一个根单位）"));
    }
    let now = crate::time::now();
    if let Some(p) = &parent
        && p.path.starts_with(&old.path)
    {
        return Err(StoreError::invalid("parent_id", "不能把单位移动到它自己的下级单位之下"));
    }
    let new_path = format!("{}{}/", parent.as_ref().map(|p| p.path.as_str()).unwrap_or("/"), id);
    let new_depth = parent.as_ref().map(|p| p.depth + 1).unwrap_or(0);
    if new_path != old.path {
        // Move the subtree: rewrite the prefix of every descendant's path.
        let old_len = old.path.chars().count() as i64;
        sqlx::query(
            "UPDATE org SET path = $1 || substr(path, CAST($2 AS INTEGER)), depth = depth + $3 WHERE path LIKE $4",
        )
        .bind(&new_path)
        .bind(old_len + 1)
        .bind(new_depth - old.depth)
        .bind(format!("{}%", old.path))
        .execute(&mut **tx)
        .await?;
    }
    sqlx::query(
        "UPDATE org SET parent_id = $1, name = $2, kind = $3, code = $4, sort_order = $5, supervised_by = $6, updated_at = $7 WHERE id = $8",
    )
    .bind(input.parent_id)
    .bind(input.name.trim())
    .bind(input.kind.as_str())
    .bind(input.code.as_deref().map(str::trim).filter(|s| !s.is_empty()))
    .bind(input.sort_order)
    .bind(input.supervised_by)
    .bind(&now)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Number of orgs.
pub async fn count(db: &Db) -> StoreResult<i64> {
    Ok(sqlx::query("SELECT COUNT(*) FROM org")
        .fetch_one(db.pool())
        .await?
        .try_get(0)?)
}

/// A party organisation attached to an org.
#[derive(Debug, Clone, Serialize)]
pub struct PartyOrg {
    /// Id.
    pub id: PartyOrgId,
    /// The org it belongs to.
    pub org_id: OrgId,
    /// Parent party org.
    pub parent_id: Option<PartyOrgId>,
    /// Name, e.g. "市财政局党组".
    pub name: String,
    /// party_committee | party_group | general_branch | branch | group
    pub kind: String,
}

/// Party org kinds with Chinese labels.
pub const PARTY_ORG_KINDS: &[(&str, &str)] = &[
    ("party_committee", "党委"),
    ("party_group", "党组"),
    ("general_branch", "党总支"),
    ("branch", "党支部"),
    ("group", "党小组"),
];

/// Attach a party org to an org.
pub async fn create_party_org(
    tx: &mut Tx,
    org_id: OrgId,
    parent_id: Option<PartyOrgId>,
    name: &str,
    kind: &str,
) -> StoreResult<PartyOrgId> {
    if !PARTY_ORG_KINDS.iter().any(|(k, _)| *k == kind) {
        return Err(StoreError::invalid("kind", "党组织类型无效"));
    }
    if name.trim().is_empty() {
        return Err(StoreError::invalid("name", "党组织名称不能为空"));
    }
    let row = sqlx::query(
        "INSERT INTO party_org (org_id, parent_id, name, kind, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(org_id)
    .bind(parent_id)
    .bind(name.trim())
    .bind(kind)
    .bind(crate::time::now())
    .fetch_one(&mut **tx)
    .await?;
    Ok(row.try_get(0)?)
}

/// The org named `name` directly under `parent` (a root when `None`), if there is one.
pub async fn child_named(tx: &mut Tx, parent: Option<OrgId>, name: &str) -> StoreResult<Option<OrgId>> {
    let row = match parent {
        Some(p) => {
            sqlx::query("SELECT id FROM org WHERE parent_id = $1 AND name = $2")
                .bind(p)
                .bind(name)
                .fetch_optional(&mut **tx)
                .await?
        }
        None => {
            sqlx::query("SELECT id FROM org WHERE parent_id IS NULL AND name = $1")
                .bind(name)
                .fetch_optional(&mut **tx)
                .await?
        }
    };
    Ok(row.map(|r| r.try_get(0)).transpose()?)
}

/// The names of the root orgs.
pub async fn root_names(tx: &mut Tx) -> StoreResult<Vec<String>> {
    let rows = sqlx::query("SELECT name FROM org WHERE parent_id IS NULL")
        .fetch_all(&mut **tx)
        .await?;
    Ok(rows.iter().map(|r| r.try_get(0)).collect::<Result<_, _>>()?)
}

/// The party org named `name` attached to `org_id`, if there is one.
pub async fn party_org_named(tx: &mut Tx, org_id: OrgId, name: &str) -> StoreResult<Option<PartyOrgId>> {
    let row = sqlx::query("SELECT id FROM party_org WHERE org_id = $1 AND name = $2")
        .bind(org_id)
        .bind(name)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(row.map(|r| r.try_get(0)).transpose()?)
}

/// Every party org, for showing them beside their orgs.
pub async fn all_party_orgs(db: &Db) -> StoreResult<Vec<PartyOrg>> {
    let rows = sqlx::query("SELECT id, org_id, parent_id, name, kind FROM party_org ORDER BY id")
        .fetch_all(db.pool())
        .await?;
    rows.iter()
        .map(|r| {
            Ok(PartyOrg {
                id: r.try_get("id")?,
                org_id: r.try_get("org_id")?,
                parent_id: r.try_get("parent_id")?,
                name: r.try_get("name")?,
                kind: r.try_get("kind")?,
            })
        })
        .collect()
}
