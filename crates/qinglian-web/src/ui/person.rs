//! The people roster: scoped list with search (characters or pinyin initials), filters,
//! sorting and paging; detail (full ID number only with permission, audited); create and
//! edit with field-level messages; Excel import and export.

use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use qinglian_office::{Cell, Column, ColumnKind, RowError, SheetSpec};
use qinglian_store::audit::Event;
use qinglian_store::org::OrgId;
use qinglian_store::permission as perm;
use qinglian_store::person::{self, Person, PersonFilter, PersonInput, View};
use serde::Deserialize;

use super::import::{self, read_upload};
use super::org::{OrgRow, choices};
use super::xlsx::{XLSX, download};
use super::{checked, page, page_with, redirect};
use crate::App;
use crate::auth::Ctx;
use crate::error::{AppError, PageResult};
use crate::list::{self, Export, ListParams, ListSpec, ListView, html};
use crate::templates::{Chrome, FormErrors};

/// Roster list query.
#[derive(Debug, Default, Deserialize)]
pub struct PersonQuery {
    q: Option<String>,
    org_id: Option<String>,
    party_member: Option<String>,
    supervised: Option<String>,
    ok: Option<String>,
}

impl PersonQuery {
    fn filter(&self, ctx: &Ctx, lp: &ListParams) -> PersonFilter {
        let tri = |v: &Option<String>| match v.as_deref() {
            Some("1") => Some(true),
            Some("0") => Some(false),
            _ => None,
        };
        PersonFilter {
            q: self.q.clone(),
            org_id: self.org_id.as_deref().and_then(|s| s.parse().ok()),
            party_member: tri(&self.party_member),
            supervised: tri(&self.supervised),
            sort: Some(PERSON_LIST.sort_key(lp).to_string()),
            desc: lp.desc(),
            id_suffix: ctx.principal.can(perm::PERSON_SENSITIVE),
        }
    }
    /// The list's own filters, kept by every link.
    fn pairs(&self) -> Vec<(String, String)> {
        list::filters(&[
            ("q", self.q.as_deref()),
            ("org_id", self.org_id.as_deref()),
            ("party_member", self.party_member.as_deref()),
            ("supervised", self.supervised.as_deref()),
        ])
    }
}

/// A person as one row of the roster: the masking rule already applied for the caller.
pub struct PersonRow {
    p: Person,
    shown: person::Shown,
}

fn yes(b: bool) -> Cell {
    Cell::Text(if b { "是" } else { "否" }.into())
}

/// The roster list and its export (full ID numbers in the export only with person.sensitive).
static PERSON_LIST: ListSpec<PersonRow> = ListSpec {
    id: "person-list",
    empty_id: "person-empty",
    path: "/persons",
    empty: "没有符合条件的人员",
    unit: "人",
    default_sort: "name",
    per_page: 20,
    columns: &[
        list::Column {
            label: "姓名",
            sort: Some("name"),
            class: "nowrap",
            html: Some(|r| html::link(&format!("/persons/{}", r.p.id), &r.p.name)),
            excel: Some(|r| Cell::Text(r.p.name.clone())),
        },
        list::Column {
            label: "性别",
            sort: None,
            class: "nowrap",
            html: Some(|r| html::text(r.p.sex_label())),
            excel: None,
        },
        list::Column {
            label: "身份证号",
            sort: None,
            class: "mono nowrap",
            html: Some(|r| html::text(&r.shown.id_number)),
            excel: Some(|r| Cell::Code(r.shown.id_number.clone())),
        },
        list::Column {
            label: "性别",
            sort: None,
            class: "",
            html: None,
            excel: Some(|r| Cell::Text(r.p.sex_label().into())),
        },
        list::Column {
            label: "单位",
            sort: Some("org"),
            class: "",
            html: Some(|r| html::text(&r.p.org_name)),
            excel: Some(|r| Cell::Text(r.p.org_name.clone())),
        },
        list::Column {
            label: "出生日期",
            sort: Some("birth_date"),
            class: "nowrap",
            html: Some(|r| html::text(&r.shown.birth_date)),
            excel: Some(|r| Cell::Text(r.shown.birth_date.clone())),
        },
        list::Column {
            label: "职级",
            sort: Some("rank"),
            class: "nowrap",
            html: Some(|r| html::text(&r.p.rank)),
            excel: Some(|r| Cell::Text(r.p.rank.clone())),
        },
        list::Column {
            label: "职务",
            sort: None,
            class: "",
            html: Some(|r| html::text(&r.p.post)),
            excel: Some(|r| Cell::Text(r.p.post.clone())),
        },
        list::Column {
            label: "标识",
            sort: None,
            class: "",
            html: Some(|r| {
                let p = &r.p;
                html::tags(
                    [
                        (p.party_member, "党员"),
                        (p.supervised, "监察对象"),
                        (p.principal, "主要负责人"),
                        (p.leadership_member, "班子成员"),
                    ]
                    .into_iter()
                    .filter(|(on, _)| *on)
                    .map(|(_, l)| l),
                )
            }),
            excel: None,
        },
        list::Column {
            label: "是否党员",
            sort: None,
            class: "",
            html: None,
            excel: Some(|r| yes(r.p.party_member)),
        },
        list::Column {
            label: "是否监察对象",
            sort: None,
            class: "",
            html: None,
            excel: Some(|r| yes(r.p.supervised)),
        },
        list::Column {
            label: "是否主要负责人",
            sort: None,
            class: "",
            html: None,
            excel: Some(|r| yes(r.p.principal)),
        },
        list::Column {
            label: "是否班子成员",
            sort: None,
            class: "",
            html: None,
            excel: Some(|r| yes(r.p.leadership_member)),
        },
        list::Column {
            label: "联系电话",
            sort: None,
            class: "",
            html: None,
            excel: Some(|r| Cell::Code(r.p.phone.clone())),
        },
    ],
    export: Some(Export {
        permission: perm::PERSON_EXPORT,
        file: "人员名册.xlsx",
        sheet: "人员名册",
        audit_action: "person.export",
        object_type: "person",
        limit: 50_000,
        extra: None,
    }),
    actions: None,
    select: None,
    paged: true,
};

#[derive(Template)]
#[template(path = "persons.html")]
struct PersonsPage {
    chrome: Chrome,
    list: ListView,
    orgs: Vec<OrgRow>,
    q: String,
    org_id: String,
    party_member: String,
    supervised: String,
    can_manage: bool,
}

/// The roster.
pub async fn list(
    State(app): State<App>,
    ctx: Ctx,
    Query(q): Query<PersonQuery>,
    Query(lp): Query<ListParams>,
) -> PageResult {
    ctx.require(perm::PERSON_READ)?;
    let f = q.filter(&ctx, &lp);
    let (pg, per) = lp.paging(PERSON_LIST.per_page);
    let sensitive = ctx.principal.can(perm::PERSON_SENSITIVE);
    let page_data = person::list(&app.db, ctx.scope(), &f, pg, per)
        .await?
        .map(|p| PersonRow {
            shown: p.shown(sensitive, View::List),
            p,
        });
    let chrome = Chrome::new(&app, &ctx, "人员名册", "/persons", &[("人员名册", "/persons")])
        .await
        .flash_code(q.ok.as_deref());
    Ok(page(&PersonsPage {
        chrome,
        list: PERSON_LIST.view(&page_data, &q.pairs(), &lp, ctx.principal.can(perm::PERSON_EXPORT)),
        orgs: choices(&app, ctx.scope()).await?,
        q: q.q.clone().unwrap_or_default(),
        org_id: q.org_id.clone().unwrap_or_default(),
        party_member: q.party_member.clone().unwrap_or_default(),
        supervised: q.supervised.clone().unwrap_or_default(),
        can_manage: ctx.principal.can(perm::PERSON_MANAGE),
    }))
}

#[derive(Template)]
#[template(path = "person_detail.html")]
struct PersonDetailPage {
    chrome: Chrome,
    p: Person,
    id_number: String,
    birth: String,
    can_manage: bool,
}

/// One person. The full ID number is shown only with the sensitive permission, and that read
/// is audited.
pub async fn detail(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<person::PersonId>,
    Query(q): Query<super::ListQuery>,
) -> PageResult {
    ctx.require(perm::PERSON_READ)?;
    let p = person::get(&app.db, ctx.scope(), id).await?;
    let shown = crate::services::person::show(&app, &ctx, &p, View::One, "详情").await?;
    let (id_number, birth) = (shown.id_number, shown.birth_date);
    let chrome = Chrome::new(
        &app,
        &ctx,
        &p.name,
        "/persons",
        &[("人员名册", "/persons"), (&p.name, "")],
    )
    .await
    .flash_code(q.ok.as_deref());
    Ok(page(&PersonDetailPage {
        chrome,
        id_number,
        birth,
        can_manage: ctx.principal.can(perm::PERSON_MANAGE),
        p,
    }))
}

/// Person form fields (as typed).
#[derive(Debug, Default, Deserialize, Clone)]
pub struct PersonForm {
    /// Org id.
    #[serde(default)]
    pub org_id: String,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// ID number.
    #[serde(default)]
    pub id_number: String,
    /// The stored number as the editor may see it (masked), when the field starts empty.
    #[serde(default)]
    pub masked_id: String,
    /// Post.
    #[serde(default)]
    pub post: String,
    /// Rank.
    #[serde(default)]
    pub rank: String,
    /// Checkbox.
    pub party_member: Option<String>,
    /// Checkbox.
    pub supervised: Option<String>,
    /// Checkbox.
    pub principal: Option<String>,
    /// Checkbox.
    pub leadership_member: Option<String>,
    /// Phone.
    #[serde(default)]
    pub phone: String,
}

impl PersonForm {
    /// The input, and whether the org choice was valid.
    fn input(&self) -> (PersonInput, bool) {
        let org = self.org_id.trim().parse::<OrgId>().ok();
        let input = PersonInput {
            org_id: org.unwrap_or_default(),
            name: self.name.clone(),
            id_number: self.id_number.clone(),
            post: self.post.clone(),
            rank: self.rank.clone(),
            party_member: checked(&self.party_member),
            supervised: checked(&self.supervised),
            principal: checked(&self.principal),
            leadership_member: checked(&self.leadership_member),
            phone: self.phone.clone(),
        };
        (input, org.is_some())
    }
}

/// Common ranks offered in the form (free text is allowed too).
pub use qinglian_domain::rank::RANKS;

#[derive(Template)]
#[template(path = "person_form.html")]
struct PersonFormPage {
    chrome: Chrome,
    id: Option<person::PersonId>,
    form: PersonForm,
    errors: FormErrors,
    orgs: Vec<OrgRow>,
    ranks: &'static [&'static str],
}

async fn form_page(
    app: &App,
    ctx: &Ctx,
    id: Option<person::PersonId>,
    form: PersonForm,
    errors: FormErrors,
) -> Result<PersonFormPage, AppError> {
    let title = if id.is_some() { "编辑人员" } else { "新增人员" };
    let chrome = Chrome::new(app, ctx, title, "/persons", &[("人员名册", "/persons"), (title, "")]).await;
    Ok(PersonFormPage {
        chrome,
        id,
        form,
        errors,
        orgs: choices(app, ctx.scope()).await?,
        ranks: RANKS,
    })
}

/// New-person form.
pub async fn new_form(State(app): State<App>, ctx: Ctx) -> PageResult {
    ctx.require(perm::PERSON_MANAGE)?;
    let form = PersonForm {
        party_member: Some("true".into()),
        supervised: Some("true".into()),
        ..Default::default()
    };
    Ok(page(&form_page(&app, &ctx, None, form, FormErrors::default()).await?))
}

/// Edit-person form.
pub async fn edit_form(State(app): State<App>, ctx: Ctx, Path(id): Path<person::PersonId>) -> PageResult {
    ctx.require(perm::PERSON_MANAGE)?;
    let p = person::get(&app.db, ctx.scope(), id).await?;
    // Without person.sensitive the field starts empty (the masked number is its placeholder)
    // and an empty field keeps the stored number.
    let shown = crate::services::person::show(&app, &ctx, &p, View::One, "编辑").await?;
    let b = |v: bool| v.then(|| "true".to_string());
    let form = PersonForm {
        org_id: p.org_id.to_string(),
        name: p.name,
        id_number: if shown.full {
            shown.id_number.clone()
        } else {
            String::new()
        },
        masked_id: if shown.full { String::new() } else { shown.id_number },
        post: p.post,
        rank: p.rank,
        party_member: b(p.party_member),
        supervised: b(p.supervised),
        principal: b(p.principal),
        leadership_member: b(p.leadership_member),
        phone: p.phone,
    };
    Ok(page(
        &form_page(&app, &ctx, Some(id), form, FormErrors::default()).await?,
    ))
}

async fn save(app: &App, ctx: &Ctx, headers: &HeaderMap, id: Option<person::PersonId>, form: PersonForm) -> PageResult {
    ctx.require(perm::PERSON_MANAGE)?;
    let mut form = form;
    if let Some(id) = id
        && form.id_number.trim().is_empty()
    {
        // An editor who may not see the number leaves the field empty: the stored one stays.
        form.id_number = person::get(&app.db, ctx.scope(), id).await?.id_number;
    }
    let form = form;
    let invalid = |errs: Vec<(&'static str, String)>| async {
        Ok::<_, AppError>(page_with(
            StatusCode::UNPROCESSABLE_ENTITY,
            &form_page(app, ctx, id, form.clone(), FormErrors::from_pairs(errs)).await?,
        ))
    };
    let (input, org_ok) = form.input();
    let org_error = ("org_id", "请选择所在单位".to_string());
    let valid = match person::validate(input) {
        Ok(v) if org_ok => v,
        Ok(_) => return Ok(invalid(vec![org_error]).await?),
        Err(mut errs) => {
            if !org_ok {
                errs.insert(0, org_error);
            }
            return Ok(invalid(errs).await?);
        }
    };
    let mut tx = app.db.begin().await?;
    let result = match id {
        Some(id) => person::update(&mut tx, ctx.scope(), id, &valid).await.map(|_| id),
        None => person::create(&mut tx, ctx.scope(), &valid).await,
    };
    match result {
        Ok(pid) => {
            crate::services::audit::write(
                app,
                ctx,
                &mut tx,
                Event::success(
                    if id.is_some() { "person.update" } else { "person.create" },
                    "person",
                    pid,
                    String::new(),
                ),
            )
            .await?;
            tx.commit().await?;
            Ok(redirect(
                headers,
                &format!("/persons/{pid}?ok={}", if id.is_some() { "saved" } else { "created" }),
            ))
        }
        Err(qinglian_store::StoreError::Invalid { field, message })
        | Err(qinglian_store::StoreError::Conflict { field, message }) => {
            drop(tx);
            Ok(invalid(vec![(field, message)]).await?)
        }
        Err(e) => Err(e.into()),
    }
}

/// Create a person.
pub async fn create(State(app): State<App>, ctx: Ctx, headers: HeaderMap, Form(f): Form<PersonForm>) -> PageResult {
    save(&app, &ctx, &headers, None, f).await
}

/// Update a person.
pub async fn update(
    State(app): State<App>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(id): Path<person::PersonId>,
    Form(f): Form<PersonForm>,
) -> PageResult {
    save(&app, &ctx, &headers, Some(id), f).await
}

/// Export the filtered roster, in the list's order (full ID numbers only with the sensitive
/// permission; the export is audited as a whole).
pub async fn export(
    State(app): State<App>,
    ctx: Ctx,
    Query(q): Query<PersonQuery>,
    Query(lp): Query<ListParams>,
) -> PageResult {
    ctx.require(perm::PERSON_EXPORT)?;
    let limit = PERSON_LIST.export.as_ref().map_or(50_000, |e| e.limit);
    let sensitive = ctx.principal.can(perm::PERSON_SENSITIVE);
    let rows: Vec<PersonRow> = person::list_all(&app.db, ctx.scope(), &q.filter(&ctx, &lp), limit)
        .await?
        .into_iter()
        .map(|p| PersonRow {
            shown: p.shown(sensitive, View::Export),
            p,
        })
        .collect();
    let detail = if sensitive { "含完整身份证号" } else { "" };
    Ok(PERSON_LIST.export(&app, &ctx, &rows, detail.into()).await?)
}

/// The person import sheet.
pub fn import_spec() -> SheetSpec {
    SheetSpec {
        sheet: "人员",
        columns: vec![
            Column {
                key: "name",
                header: "姓名",
                required: true,
                kind: ColumnKind::Text,
                example: "张三",
                note: "",
                aliases: &[],
            },
            Column {
                key: "id_number",
                header: "身份证号",
                required: true,
                kind: ColumnKind::Code,
                example: "11010519491231002X",
                note: "18位，末位可为X；15位旧号码会自动升位",
                aliases: &["公民身份号码", "身份证号码"],
            },
            Column {
                key: "org",
                header: "单位",
                required: true,
                kind: ColumnKind::Text,
                example: "示例市财政局",
                note: "系统中已有单位的全称",
                aliases: &["所在单位", "工作单位"],
            },
            Column {
                key: "post",
                header: "职务",
                required: false,
                kind: ColumnKind::Text,
                example: "科长",
                note: "",
                aliases: &[],
            },
            Column {
                key: "rank",
                header: "职级",
                required: false,
                kind: ColumnKind::Text,
                example: "科级正职",
                note: "",
                aliases: &[],
            },
            Column {
                key: "party_member",
                header: "是否党员",
                required: false,
                kind: ColumnKind::Bool,
                example: "是",
                note: "是/否",
                aliases: &["党员"],
            },
            Column {
                key: "supervised",
                header: "是否监察对象",
                required: false,
                kind: ColumnKind::Bool,
                example: "是",
                note: "是/否",
                aliases: &["监察对象"],
            },
            Column {
                key: "principal",
                header: "是否主要负责人",
                required: false,
                kind: ColumnKind::Bool,
                example: "否",
                note: "是/否",
                aliases: &["主要负责人"],
            },
            Column {
                key: "leadership_member",
                header: "是否班子成员",
                required: false,
                kind: ColumnKind::Bool,
                example: "否",
                note: "是/否",
                aliases: &["班子成员", "领导班子成员"],
            },
            Column {
                key: "phone",
                header: "联系电话",
                required: false,
                kind: ColumnKind::Code,
                example: "13800000000",
                note: "",
                aliases: &["电话", "手机"],
            },
        ],
    }
}

fn header_of(field: &str) -> &'static str {
    match field {
        "name" => "姓名",
        "id_number" => "身份证号",
        "org_id" | "org" => "单位",
        "post" => "职务",
        "rank" => "职级",
        "phone" => "联系电话",
        _ => "",
    }
}

/// The person import page.
pub async fn import_form(State(app): State<App>, ctx: Ctx) -> PageResult {
    ctx.require(perm::PERSON_MANAGE)?;
    Ok(import::form_page(&app, &ctx, &import::PERSONS).await)
}

/// The person import template.
pub async fn import_template(ctx: Ctx) -> PageResult {
    ctx.require(perm::PERSON_MANAGE)?;
    let bytes = qinglian_office::template_xlsx(&import_spec()).map_err(|e| AppError::Internal(e.into()))?;
    Ok(download("人员导入模板.xlsx", XLSX, bytes))
}

/// Import people from .xlsx: every row is validated first (ID check digit, unit in scope,
/// duplicates in the file and in the roster); then all-or-nothing or valid rows only.
pub async fn import(State(app): State<App>, ctx: Ctx, mp: Multipart) -> PageResult {
    ctx.require(perm::PERSON_MANAGE)?;
    let (bytes, valid_only) = read_upload(&app, mp).await?;
    let read =
        qinglian_office::read_xlsx(&import_spec(), &bytes).map_err(|e| AppError::invalid("file", e.to_string()))?;
    let mut errors: Vec<RowError> = read.errors.clone();
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut valid = Vec::new();
    for row in &read.rows {
        let mut row_errors = Vec::new();
        let org_name = row.get("org").unwrap_or_default();
        let org_id = match qinglian_store::org::find_by_name(&app.db, ctx.scope(), org_name)
            .await?
            .as_slice()
        {
            [one] => Some(one.id),
            [] => {
                if !org_name.is_empty() {
                    row_errors.push(("单位", format!("单位“{org_name}”不存在或不在您的数据权限范围内")));
                }
                None
            }
            _ => {
                row_errors.push((
                    "单位",
                    format!("名为“{org_name}”的单位不止一个，请连同上级单位填写，例如“上级单位/{org_name}”"),
                ));
                None
            }
        };
        let b = |k: &str| row.get(k) == Some("true");
        let input = PersonInput {
            org_id: org_id.unwrap_or_default(),
            name: row.get("name").unwrap_or_default().into(),
            id_number: row.get("id_number").unwrap_or_default().into(),
            post: row.get("post").unwrap_or_default().into(),
            rank: row.get("rank").unwrap_or_default().into(),
            party_member: b("party_member"),
            supervised: b("supervised"),
            principal: b("principal"),
            leadership_member: b("leadership_member"),
            phone: row.get("phone").unwrap_or_default().into(),
        };
        match person::validate(input) {
            Ok(v) => {
                if let Some(first) = seen.get(v.id_number()) {
                    row_errors.push(("身份证号", format!("与第{first}行的身份证号重复")));
                } else if person::id_number_exists(app.db.pool(), v.id_number()).await? {
                    row_errors.push(("身份证号", format!("身份证号{}已在人员名册中登记", v.id_number())));
                } else {
                    seen.insert(v.id_number().to_string(), row.row);
                }
                if row_errors.is_empty() && !read.row_has_error(row.row) {
                    valid.push(v);
                }
            }
            Err(errs) => {
                // Empty required cells were already reported by the reader; skip repeats.
                for (f, m) in errs {
                    let col = header_of(f);
                    if !read.errors.iter().any(|e| e.row == row.row && e.column == col) {
                        row_errors.push((col, m));
                    }
                }
            }
        }
        errors.extend(row_errors.into_iter().map(|(c, m)| RowError {
            row: row.row,
            column: c.to_string(),
            message: m,
        }));
    }
    errors.sort_by_key(|e| e.row);
    let rolled_back = !errors.is_empty() && !valid_only;
    let mut imported = 0;
    if !rolled_back && !valid.is_empty() {
        let mut tx = app.db.begin().await?;
        for v in &valid {
            person::create(&mut tx, ctx.scope(), v).await?;
            imported += 1;
        }
        crate::services::audit::write(
            &app,
            &ctx,
            &mut tx,
            Event::success(
                "person.import",
                "person",
                String::new(),
                format!("导入{imported}人，{}处问题未导入", errors.len()),
            ),
        )
        .await?;
        tx.commit().await?;
    }
    import::result_page(
        &app,
        &ctx,
        &import::PERSONS,
        read.rows.len(),
        imported,
        errors,
        rolled_back,
    )
    .await
}
