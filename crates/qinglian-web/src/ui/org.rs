//! Organisation tree pages: view (scoped), maintain (system admin), Excel import/export.

use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use qinglian_office::{Cell, Column, ColumnKind, SheetSpec};
use qinglian_store::Scope;
use qinglian_store::audit::Event;
use qinglian_store::org::{self, Org, OrgId, OrgInput, OrgKind};
use qinglian_store::permission as perm;
use serde::Deserialize;

use super::import::{self, read_upload};
use super::xlsx::{XLSX, download};
use super::{ListQuery, page, page_with, redirect};
use crate::App;
use crate::auth::Ctx;
use crate::error::{AppError, PageResult};
use crate::templates::{Chrome, FormErrors};
use qinglian_store::Db;

/// Orgs the caller may see: all for the system admin (who maintains the tree), else the scope.
async fn visible(app: &App, ctx: &Ctx) -> Result<Vec<Org>, AppError> {
    if ctx.principal.can(perm::ORG_MANAGE) {
        Ok(org::list_all(&app.db).await?)
    } else {
        ctx.require(perm::ORG_READ)?;
        Ok(org::list_in_scope(&app.db, ctx.scope()).await?)
    }
}

/// A tree row for templates.
pub struct OrgRow {
    /// The org.
    pub org: Org,
    /// Indentation level relative to the shallowest visible org.
    pub indent: i64,
    /// Name of the supervising stationed group.
    pub supervisor: String,
    /// Names of the party orgs attached to it.
    pub party_orgs: Vec<String>,
}

/// Orgs (in tree order) as indented rows with their supervising group's name.
pub fn tree_rows(orgs: Vec<Org>) -> Vec<OrgRow> {
    let min = orgs.iter().map(|o| o.depth).min().unwrap_or(0);
    let names: std::collections::HashMap<OrgId, String> = orgs.iter().map(|o| (o.id, o.name.clone())).collect();
    orgs.into_iter()
        .map(|o| OrgRow {
            indent: o.depth - min,
            supervisor: o.supervised_by.and_then(|g| names.get(&g).cloned()).unwrap_or_default(),
            party_orgs: Vec::new(),
            org: o,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "orgs.html")]
struct OrgsPage {
    chrome: Chrome,
    rows: Vec<OrgRow>,
    can_manage: bool,
    can_export: bool,
    can_read_persons: bool,
}

/// The org tree.
pub async fn list(State(app): State<App>, ctx: Ctx, Query(q): Query<ListQuery>) -> PageResult {
    let orgs = visible(&app, &ctx).await?;
    let chrome = Chrome::new(&app, &ctx, "组织机构", "/orgs", &[("组织机构", "/orgs")])
        .await
        .flash_code(q.ok.as_deref());
    let mut rows = tree_rows(orgs);
    let party = org::all_party_orgs(&app.db).await?;
    for r in &mut rows {
        r.party_orgs = party
            .iter()
            .filter(|p| p.org_id == r.org.id)
            .map(|p| p.name.clone())
            .collect();
    }
    Ok(page(&OrgsPage {
        chrome,
        rows,
        can_manage: ctx.principal.can(perm::ORG_MANAGE),
        can_export: true,
        can_read_persons: ctx.principal.can(perm::PERSON_READ),
    }))
}

#[derive(Template)]
#[template(path = "org_form.html")]
struct OrgFormPage {
    chrome: Chrome,
    id: Option<OrgId>,
    form: OrgForm,
    errors: FormErrors,
    parents: Vec<OrgRow>,
    groups: Vec<Org>,
    kinds: Vec<(&'static str, &'static str)>,
    party_orgs: Vec<org::PartyOrg>,
    party_kinds: &'static [(&'static str, &'static str)],
    party_error: Option<String>,
}

/// Org form fields.
#[derive(Deserialize, Default, Clone)]
pub struct OrgForm {
    /// Parent id.
    #[serde(default)]
    pub parent_id: String,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Kind code.
    #[serde(default)]
    pub kind: String,
    /// Code.
    #[serde(default)]
    pub code: String,
    /// Sort order.
    #[serde(default)]
    pub sort_order: String,
    /// Supervising group id.
    #[serde(default)]
    pub supervised_by: String,
}

impl OrgForm {
    fn parse(&self) -> Result<OrgInput, Vec<(&'static str, String)>> {
        let mut errors = Vec::new();
        let parent_id = match self.parent_id.trim() {
            "" => None,
            s => s.parse().map(Some).unwrap_or_else(|_| {
                errors.push(("parent_id", "上级单位无效".to_string()));
                None
            }),
        };
        let kind = OrgKind::parse(&self.kind).unwrap_or_else(|| {
            errors.push(("kind", "请选择单位类型".to_string()));
            OrgKind::Unit
        });
        let sort_order = match self.sort_order.trim() {
            "" => 0,
            s => s.parse().unwrap_or_else(|_| {
                errors.push(("sort_order", "排序号应为整数".to_string()));
                0
            }),
        };
        let supervised_by = self.supervised_by.trim().parse().ok();
        if self.name.trim().is_empty() {
            errors.push(("name", "单位名称不能为空".to_string()));
        }
        if errors.is_empty() {
            Ok(OrgInput {
                parent_id,
                name: self.name.clone(),
                kind,
                code: Some(self.code.clone()),
                sort_order,
                supervised_by,
            })
        } else {
            Err(errors)
        }
    }
}

async fn form_page(
    app: &App,
    ctx: &Ctx,
    id: Option<OrgId>,
    form: OrgForm,
    errors: FormErrors,
) -> Result<OrgFormPage, AppError> {
    let all = org::list_all(&app.db).await?;
    let groups = all
        .iter()
        .filter(|o| o.kind == OrgKind::StationedGroup)
        .cloned()
        .collect();
    let title = if id.is_some() { "编辑单位" } else { "新增单位" };
    let chrome = Chrome::new(app, ctx, title, "/orgs", &[("组织机构", "/orgs"), (title, "")]).await;
    let party_orgs = match id {
        Some(id) => org::all_party_orgs(&app.db)
            .await?
            .into_iter()
            .filter(|p| p.org_id == id)
            .collect(),
        None => Vec::new(),
    };
    Ok(OrgFormPage {
        chrome,
        id,
        form,
        errors,
        parents: tree_rows(all),
        groups,
        kinds: OrgKind::ALL.iter().map(|k| (k.as_str(), k.label())).collect(),
        party_orgs,
        party_kinds: org::PARTY_ORG_KINDS,
        party_error: None,
    })
}

/// New-org form.
pub async fn new_form(
    State(app): State<App>,
    ctx: Ctx,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> PageResult {
    ctx.require(perm::ORG_MANAGE)?;
    let form = OrgForm {
        parent_id: q.get("parent_id").cloned().unwrap_or_default(),
        kind: "unit".into(),
        ..Default::default()
    };
    Ok(page(&form_page(&app, &ctx, None, form, FormErrors::default()).await?))
}

/// Edit-org form.
pub async fn edit_form(State(app): State<App>, ctx: Ctx, Path(id): Path<OrgId>) -> PageResult {
    ctx.require(perm::ORG_MANAGE)?;
    let o = org::get_unscoped(app.db.pool(), id).await?;
    let form = OrgForm {
        parent_id: o.parent_id.map(|p| p.to_string()).unwrap_or_default(),
        name: o.name,
        kind: o.kind.as_str().into(),
        code: o.code.unwrap_or_default(),
        sort_order: o.sort_order.to_string(),
        supervised_by: o.supervised_by.map(|p| p.to_string()).unwrap_or_default(),
    };
    Ok(page(
        &form_page(&app, &ctx, Some(id), form, FormErrors::default()).await?,
    ))
}

async fn save(app: &App, ctx: &Ctx, headers: &HeaderMap, id: Option<OrgId>, form: OrgForm) -> PageResult {
    ctx.require(perm::ORG_MANAGE)?;
    let input = match form.parse() {
        Ok(i) => i,
        Err(errs) => {
            return Ok(page_with(
                StatusCode::UNPROCESSABLE_ENTITY,
                &form_page(app, ctx, id, form, FormErrors::from_pairs(errs)).await?,
            ));
        }
    };
    let mut tx = app.db.begin().await?;
    let result = match id {
        Some(id) => org::update(&mut tx, id, &input).await.map(|_| id),
        None => org::create(&mut tx, &input).await,
    };
    if result.is_ok() {
        org::refresh_tree_rank(&mut tx).await?;
    }
    match result {
        Ok(oid) => {
            crate::services::audit::write(
                app,
                ctx,
                &mut tx,
                Event::success(
                    if id.is_some() { "org.update" } else { "org.create" },
                    "org",
                    oid,
                    input.name.trim().to_string(),
                ),
            )
            .await?;
            tx.commit().await?;
            Ok(redirect(
                headers,
                &format!("/orgs?ok={}", if id.is_some() { "saved" } else { "created" }),
            ))
        }
        Err(qinglian_store::StoreError::Invalid { field, message })
        | Err(qinglian_store::StoreError::Conflict { field, message }) => {
            drop(tx);
            Ok(page_with(
                StatusCode::UNPROCESSABLE_ENTITY,
                &form_page(app, ctx, id, form, FormErrors::from_pairs(vec![(field, message)])).await?,
            ))
        }
        Err(e) => Err(e.into()),
    }
}

/// Create an org.
pub async fn create(State(app): State<App>, ctx: Ctx, headers: HeaderMap, Form(f): Form<OrgForm>) -> PageResult {
    save(&app, &ctx, &headers, None, f).await
}

/// Update an org.
pub async fn update(
    State(app): State<App>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(id): Path<OrgId>,
    Form(f): Form<OrgForm>,
) -> PageResult {
    save(&app, &ctx, &headers, Some(id), f).await
}

/// Party-org form fields.
#[derive(Deserialize)]
pub struct PartyOrgForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    parent_id: String,
}

/// Attach a party organisation (党委、党组、党支部…) to an org.
pub async fn party_org_create(
    State(app): State<App>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(id): Path<OrgId>,
    Form(f): Form<PartyOrgForm>,
) -> PageResult {
    ctx.require(perm::ORG_MANAGE)?;
    let o = org::get_unscoped(app.db.pool(), id).await?;
    let siblings: Vec<org::PartyOrg> = org::all_party_orgs(&app.db)
        .await?
        .into_iter()
        .filter(|p| p.org_id == id)
        .collect();
    let parent_id = f.parent_id.trim().parse::<org::PartyOrgId>().ok();
    let refuse = |message: String| async {
        let form = OrgForm {
            parent_id: o.parent_id.map(|p| p.to_string()).unwrap_or_default(),
            name: o.name.clone(),
            kind: o.kind.as_str().into(),
            code: o.code.clone().unwrap_or_default(),
            sort_order: o.sort_order.to_string(),
            supervised_by: o.supervised_by.map(|p| p.to_string()).unwrap_or_default(),
        };
        let mut p = form_page(&app, &ctx, Some(id), form, FormErrors::default()).await?;
        p.party_error = Some(message);
        Ok::<_, AppError>(page_with(StatusCode::UNPROCESSABLE_ENTITY, &p))
    };
    if parent_id.is_some_and(|pid| !siblings.iter().any(|p| p.id == pid)) {
        return Ok(refuse("上级党组织必须是本单位已有的党组织".into()).await?);
    }
    if siblings.iter().any(|p| p.name == f.name.trim()) {
        return Ok(refuse(format!("本单位已有名为“{}”的党组织", f.name.trim())).await?);
    }
    let mut tx = app.db.begin().await?;
    match org::create_party_org(&mut tx, id, parent_id, &f.name, &f.kind).await {
        Ok(pid) => {
            crate::services::audit::write(
                &app,
                &ctx,
                &mut tx,
                Event::success(
                    "party_org.create",
                    "party_org",
                    pid,
                    format!("{}：{}", o.name, f.name.trim()),
                ),
            )
            .await?;
            tx.commit().await?;
            Ok(redirect(&headers, &format!("/orgs/{id}/edit")))
        }
        Err(qinglian_store::StoreError::Invalid { message, .. }) => {
            drop(tx);
            Ok(refuse(message).await?)
        }
        Err(e) => Err(e.into()),
    }
}

/// Export the visible tree to Excel.
pub async fn export(State(app): State<App>, ctx: Ctx) -> PageResult {
    let orgs = visible(&app, &ctx).await?;
    let names: std::collections::HashMap<OrgId, String> = orgs.iter().map(|o| (o.id, o.name.clone())).collect();
    let rows: Vec<Vec<Cell>> = orgs
        .iter()
        .map(|o| {
            vec![
                Cell::Text(o.name.clone()),
                Cell::Text(o.parent_id.and_then(|p| names.get(&p).cloned()).unwrap_or_default()),
                Cell::Text(o.kind.label().into()),
                Cell::Code(o.code.clone().unwrap_or_default()),
                Cell::Int(o.sort_order),
                Cell::Text(o.supervised_by.and_then(|p| names.get(&p).cloned()).unwrap_or_default()),
            ]
        })
        .collect();
    let bytes = qinglian_office::export_xlsx(
        "组织机构",
        &["单位名称", "上级单位", "类型", "代码", "排序", "派驻监督组"],
        &rows,
    )
    .map_err(|e| AppError::Internal(e.into()))?;
    crate::services::audit::read(
        &app,
        &ctx,
        Event::success("org.export", "org", String::new(), format!("导出{}个单位", orgs.len())),
    )
    .await?;
    Ok(download("组织机构.xlsx", XLSX, bytes))
}

/// The org import sheet.
pub fn import_spec() -> SheetSpec {
    SheetSpec {
        sheet: "组织机构",
        columns: vec![
            Column {
                key: "name",
                header: "单位名称",
                required: true,
                kind: ColumnKind::Text,
                example: "示例市财政局",
                note: "同一上级下名称不能重复",
                aliases: &["名称", "单位"],
            },
            Column {
                key: "parent",
                header: "上级单位",
                required: true,
                kind: ColumnKind::Text,
                example: "示例市",
                note: "填写系统中已有的单位或本表中排在前面的单位的全称",
                aliases: &["上级"],
            },
            Column {
                key: "kind",
                header: "类型",
                required: true,
                kind: ColumnKind::Text,
                example: "单位",
                note: "纪委监委、派驻纪检监察组、单位、股室、乡镇、村（社区）",
                aliases: &["单位类型"],
            },
            Column {
                key: "code",
                header: "代码",
                required: false,
                kind: ColumnKind::Code,
                example: "",
                note: "统一社会信用代码或内部编码",
                aliases: &["统一社会信用代码"],
            },
            Column {
                key: "sort",
                header: "排序",
                required: false,
                kind: ColumnKind::Integer,
                example: "10",
                note: "数字小的排在前面",
                aliases: &[],
            },
        ],
    }
}

/// The import page for orgs.
pub async fn import_form(State(app): State<App>, ctx: Ctx) -> PageResult {
    ctx.require(perm::ORG_MANAGE)?;
    Ok(import::form_page(&app, &ctx, &import::ORGS).await)
}

/// The org import template.
pub async fn import_template(ctx: Ctx) -> PageResult {
    ctx.require(perm::ORG_MANAGE)?;
    let bytes = qinglian_office::template_xlsx(&import_spec()).map_err(|e| AppError::Internal(e.into()))?;
    Ok(download("组织机构导入模板.xlsx", XLSX, bytes))
}

/// Import orgs from .xlsx (parents may be existing orgs or rows above).
pub async fn import(State(app): State<App>, ctx: Ctx, mp: Multipart) -> PageResult {
    ctx.require(perm::ORG_MANAGE)?;
    let (bytes, valid_only) = read_upload(&app, mp).await?;
    let spec = import_spec();
    let read = match qinglian_office::read_xlsx(&spec, &bytes) {
        Ok(r) => r,
        Err(e) => return Err(AppError::invalid("file", e.to_string()).into()),
    };
    let mut errors = read.errors.clone();
    let mut tx = app.db.begin().await?;
    // Units by name, and each unit's parent, so that 「上级单位/名称」 names a unit whose
    // own name is not unique (示例市财政局/财务科); rows imported earlier count too.
    let mut by_name: std::collections::HashMap<String, Vec<OrgId>> = std::collections::HashMap::new();
    let mut parent_of: std::collections::HashMap<OrgId, (Option<OrgId>, String)> = std::collections::HashMap::new();
    for o in org::list_all(&app.db).await? {
        by_name.entry(o.name.clone()).or_default().push(o.id);
        parent_of.insert(o.id, (o.parent_id, o.name));
    }
    let resolve = |by_name: &std::collections::HashMap<String, Vec<OrgId>>,
                   parent_of: &std::collections::HashMap<OrgId, (Option<OrgId>, String)>,
                   path: &str|
     -> Vec<OrgId> {
        let parts: Vec<&str> = path
            .split(['/', '／'])
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect();
        let Some((leaf, ancestors)) = parts.split_last() else {
            return Vec::new();
        };
        by_name
            .get(*leaf)
            .map(|ids| {
                ids.iter()
                    .copied()
                    .filter(|id| {
                        let mut parent = parent_of.get(id).and_then(|(p, _)| *p);
                        ancestors
                            .iter()
                            .rev()
                            .all(|want| match parent.and_then(|p| parent_of.get(&p)) {
                                Some((up, name)) if name == want => {
                                    parent = *up;
                                    true
                                }
                                _ => false,
                            })
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut imported = 0;
    for row in &read.rows {
        if read.row_has_error(row.row) {
            continue;
        }
        let parent_name = row.get("parent").unwrap_or_default();
        let parent_id = match resolve(&by_name, &parent_of, parent_name).as_slice() {
            [one] => Some(*one),
            [_, _, ..] => {
                errors.push(qinglian_office::RowError {
                    row: row.row,
                    column: "上级单位".into(),
                    message: format!(
                        "名为“{parent_name}”的单位不止一个，请连同它的上级单位填写，例如“示例市财政局/{parent_name}”"
                    ),
                });
                continue;
            }
            [] => {
                errors.push(qinglian_office::RowError {
                    row: row.row,
                    column: "上级单位".into(),
                    message: format!("找不到上级单位“{parent_name}”，请先导入上级单位或检查名称"),
                });
                continue;
            }
        };
        let Some(kind) = OrgKind::parse(row.get("kind").unwrap_or_default()) else {
            errors.push(qinglian_office::RowError {
                row: row.row,
                column: "类型".into(),
                message: "类型应为：纪委监委、派驻纪检监察组、单位、股室、乡镇、村（社区）之一".into(),
            });
            continue;
        };
        let input = OrgInput {
            parent_id,
            name: row.get("name").unwrap_or_default().to_string(),
            kind,
            code: row.get("code").map(str::to_string),
            sort_order: row.get("sort").and_then(|s| s.parse().ok()).unwrap_or(0),
            supervised_by: None,
        };
        // A savepoint per row lets "import valid rows" skip a bad row without losing the rest.
        Db::savepoint(&mut tx, "org_row").await?;
        match org::create(&mut tx, &input).await {
            Ok(id) => {
                Db::release(&mut tx, "org_row").await?;
                by_name.entry(input.name.trim().to_string()).or_default().push(id);
                parent_of.insert(id, (input.parent_id, input.name.trim().to_string()));
                imported += 1;
            }
            Err(qinglian_store::StoreError::Invalid { message, .. })
            | Err(qinglian_store::StoreError::Conflict { message, .. }) => {
                Db::rollback_to(&mut tx, "org_row").await?;
                errors.push(qinglian_office::RowError {
                    row: row.row,
                    column: "单位名称".into(),
                    message,
                });
            }
            Err(e) => return Err(e.into()),
        }
    }
    errors.sort_by_key(|e| e.row);
    let rolled_back = !errors.is_empty() && !valid_only;
    if rolled_back {
        drop(tx);
        imported = 0;
    } else {
        crate::services::audit::write(
            &app,
            &ctx,
            &mut tx,
            Event::success(
                "org.import",
                "org",
                String::new(),
                format!("导入{imported}个单位，跳过{}处问题", errors.len()),
            ),
        )
        .await?;
        org::refresh_tree_rank(&mut tx).await?;
        tx.commit().await?;
    }
    import::result_page(
        &app,
        &ctx,
        &import::ORGS,
        read.rows.len(),
        imported,
        errors,
        rolled_back,
    )
    .await
}

/// Download a generated file (import error report) by token.
pub async fn download_generated(State(app): State<App>, ctx: Ctx, Path(token): Path<String>) -> PageResult {
    let d = app
        .get_download(ctx.principal.user.id, &token)
        .ok_or(AppError::NotFound("文件"))?;
    Ok(download(&d.filename, XLSX, d.bytes))
}

/// Org choices for selects: the caller's visible orgs as indented rows.
pub async fn choices(app: &App, scope: &Scope) -> Result<Vec<OrgRow>, AppError> {
    Ok(tree_rows(org::list_in_scope(&app.db, scope).await?))
}

/// Render the indentation for a tree row.
pub fn indent(n: &i64) -> String {
    "　".repeat((*n).clamp(0, 10) as usize)
}

/// The depth class of a tree row (`tree-d0` … `tree-d10`).
pub fn depth(n: &i64) -> i64 {
    (*n).clamp(0, 10)
}
