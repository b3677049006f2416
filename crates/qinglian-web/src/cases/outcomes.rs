//! Outcome pages: the list of every outcome in scope (filters, Excel export), the entry form,
//! and the Excel import of past records (template with Chinese headers, per-row problems, all
//! or nothing by default) so that effect periods and four-forms figures are right from day one.

use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Query, State};
use axum::http::{HeaderMap, StatusCode};
use qinglian_domain::outcome::{OutcomeKind, form_label};
use qinglian_office::{Cell, Column as XColumn, ColumnKind, RowError, SheetSpec};
use qinglian_store::audit::Event;
use qinglian_store::outcome::{self, Outcome, OutcomeFilter};
use qinglian_store::{StoreError, Tx};
use serde::Deserialize;

use super::api::OutcomeRequest;
use super::*;
use crate::App;
use crate::auth::Ctx;
use crate::error::{AppError, PageResult};
use crate::list::{self, Export, ListParams, ListSpec, ListView, html};
use crate::templates::{Chrome, FormErrors, Typed};
use crate::ui::import::{self, ImportTarget};
use crate::ui::xlsx::{XLSX, download};
use crate::ui::{page, page_with, redirect};

/// The list's filters.
#[derive(Debug, Default, Deserialize)]
pub struct OutcomeQuery {
    q: Option<String>,
    kind: Option<String>,
    form: Option<String>,
    counted_form: Option<String>,
    from: Option<String>,
    to: Option<String>,
    org_id: Option<String>,
    in_effect_on: Option<String>,
    ok: Option<String>,
}

fn form_number(v: &Option<String>) -> Option<i64> {
    v.as_deref()
        .and_then(|s| s.trim().parse().ok())
        .filter(|f| (1..=4).contains(f))
}

impl OutcomeQuery {
    fn filter(&self) -> OutcomeFilter {
        OutcomeFilter {
            q: self.q.clone(),
            kind: self.kind.clone(),
            form: form_number(&self.form),
            counted_form: form_number(&self.counted_form),
            from: self.from.clone(),
            to: self.to.clone(),
            org_id: self.org_id.as_deref().and_then(|s| s.trim().parse().ok()),
            in_effect_on: self.in_effect_on.clone(),
        }
    }
    fn pairs(&self) -> Vec<(String, String)> {
        [
            ("q", &self.q),
            ("kind", &self.kind),
            ("form", &self.form),
            ("counted_form", &self.counted_form),
            ("from", &self.from),
            ("to", &self.to),
            ("org_id", &self.org_id),
            ("in_effect_on", &self.in_effect_on),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.clone().filter(|v| !v.is_empty()).map(|v| (k.to_string(), v)))
        .collect()
    }
    /// What the list is narrowed to beyond the visible controls (a figure's records).
    fn note(&self) -> String {
        let mut parts = Vec::new();
        if let Some(f) = form_number(&self.counted_form) {
            parts.push(format!(
                "计入{}的人次（同一人同一案件按最重形态计一次）",
                form_label(f as u8)
            ));
        }
        match (self.from.as_deref(), self.to.as_deref()) {
            (Some(a), Some(b)) if !a.is_empty() && !b.is_empty() => parts.push(format!("决定日期 {a} 至 {b}")),
            _ => {}
        }
        if self.org_id.as_deref().is_some_and(|s| !s.is_empty()) {
            parts.push("指定单位及其下级".into());
        }
        if let Some(d) = self.in_effect_on.as_deref().filter(|s| !s.is_empty()) {
            parts.push(format!("{d} 处于影响期"));
        }
        parts.join("；")
    }
}

fn masked(o: &Outcome) -> String {
    qinglian_store::person::mask_id_number(&o.id_number)
}

/// The list and its export (the ID number masked; the sensitive permission does not widen an
/// export).
pub(super) static OUTCOME_LIST: ListSpec<Outcome> = ListSpec {
    id: "outcomes",
    empty_id: "outcomes-empty",
    path: "/outcomes",
    empty: "没有符合条件的处理处分记录",
    unit: "条",
    default_sort: "decided",
    per_page: 20,
    columns: &[
        list::Column {
            label: "姓名",
            sort: Some("name"),
            class: "nowrap",
            html: Some(|o| html::link(&format!("/persons/{}", o.person_id.0), &o.person_name)),
            excel: Some(|o| Cell::Text(o.person_name.clone())),
        },
        list::Column {
            label: "身份证号",
            sort: None,
            class: "mono nowrap",
            html: Some(|o| html::text(&masked(o))),
            excel: Some(|o| Cell::Code(masked(o))),
        },
        list::Column {
            label: "单位",
            sort: None,
            class: "",
            html: Some(|o| html::text(&o.org_name)),
            excel: Some(|o| Cell::Text(o.org_name.clone())),
        },
        list::Column {
            label: "处理处分",
            sort: None,
            class: "nowrap",
            html: Some(|o| {
                html::text(&match o.term_months {
                    Some(m) => format!("{}（{}个月）", o.kind_label(), m),
                    None => o.kind_label().to_string(),
                })
            }),
            excel: Some(|o| Cell::Text(o.kind_label().into())),
        },
        list::Column {
            label: "形态",
            sort: Some("form"),
            class: "nowrap",
            html: Some(|o| html::tag(o.form_label())),
            excel: Some(|o| Cell::Text(o.form_label().into())),
        },
        list::Column {
            label: "决定日期",
            sort: Some("decided"),
            class: "nowrap",
            html: Some(|o| html::text(&o.decided_on)),
            excel: Some(|o| Cell::Code(o.decided_on.clone())),
        },
        list::Column {
            label: "影响期",
            sort: Some("until"),
            class: "nowrap",
            html: Some(|o| html::text(&o.effect_label())),
            excel: Some(|o| Cell::Text(o.effect_label())),
        },
        list::Column {
            label: "案件编号",
            sort: None,
            class: "",
            html: Some(|o| html::text(&o.case_ref)),
            excel: Some(|o| Cell::Text(o.case_ref.clone())),
        },
        list::Column {
            label: "来源",
            sort: None,
            class: "nowrap",
            html: Some(|o| html::text(o.source_label())),
            excel: Some(|o| Cell::Text(o.source_label().into())),
        },
        list::Column {
            label: "备注",
            sort: None,
            class: "",
            html: None,
            excel: Some(|o| Cell::Text(o.note.clone())),
        },
    ],
    export: Some(Export {
        permission: PERM_READ,
        file: "处理处分结果.xlsx",
        sheet: "处理处分",
        audit_action: "case.outcome.export",
        object_type: outcome::OBJECT_TYPE,
        limit: 50_000,
        extra: None,
    }),
    actions: None,
    select: None,
    paged: true,
};

/// A kind as the selects offer it, grouped by family.
pub struct KindChoice {
    /// Code.
    pub code: &'static str,
    /// Label.
    pub label: &'static str,
    /// Family label (optgroup).
    pub group: &'static str,
}

fn kind_groups() -> Vec<(&'static str, Vec<KindChoice>)> {
    let mut out: Vec<(&'static str, Vec<KindChoice>)> = Vec::new();
    for k in OutcomeKind::ALL {
        let group = k.family().label();
        let c = KindChoice {
            code: k.code(),
            // 警告 is a party and a public sanction: the closed select must tell them apart.
            label: k.full_label(),
            group,
        };
        match out.iter_mut().find(|(g, _)| *g == group) {
            Some((_, v)) => v.push(c),
            None => out.push((group, vec![c])),
        }
    }
    out
}

#[derive(Template)]
#[template(path = "cases/outcomes.html")]
struct ListPage {
    chrome: Chrome,
    list: ListView,
    q: OutcomeQuery,
    groups: Vec<(&'static str, Vec<KindChoice>)>,
    note: String,
    can_record: bool,
}

/// `/outcomes`.
pub async fn list(
    State(app): State<App>,
    ctx: Ctx,
    Query(q): Query<OutcomeQuery>,
    Query(lp): Query<ListParams>,
) -> PageResult {
    ctx.require(PERM_READ)?;
    let (pg, per) = lp.paging(OUTCOME_LIST.per_page);
    let sort = lp.sort.as_deref().unwrap_or(OUTCOME_LIST.default_sort);
    let data = outcome::list(&app.db, ctx.scope(), &q.filter(), sort, lp.desc(), pg, per).await?;
    Ok(page(&ListPage {
        chrome: chrome(&app, &ctx, "处理处分结果", "/outcomes", &[("处理处分结果", "")])
            .await
            .flash_code(q.ok.as_deref()),
        list: OUTCOME_LIST.view(&data, &q.pairs(), &lp, true),
        groups: kind_groups(),
        note: q.note(),
        can_record: ctx.principal.can(PERM_OUTCOME),
        q,
    }))
}

/// The list as Excel (audited).
pub async fn export(
    State(app): State<App>,
    ctx: Ctx,
    Query(q): Query<OutcomeQuery>,
    Query(lp): Query<ListParams>,
) -> PageResult {
    ctx.require(PERM_READ)?;
    let sort = lp.sort.as_deref().unwrap_or(OUTCOME_LIST.default_sort);
    let items = outcome::list_all(&app.db, ctx.scope(), &q.filter(), sort, lp.desc(), 50_000).await?;
    Ok(OUTCOME_LIST.export(&app, &ctx, &items, q.note()).await?)
}

#[derive(Template)]
#[template(path = "cases/outcome_new.html")]
struct NewPage {
    chrome: Chrome,
    groups: Vec<(&'static str, Vec<KindChoice>)>,
    today: String,
    errors: FormErrors,
    typed: Typed,
}

async fn new_page(app: &App, ctx: &Ctx, errors: FormErrors, typed: Typed) -> NewPage {
    NewPage {
        chrome: chrome(
            app,
            ctx,
            "录入处理处分",
            "/outcomes/new",
            &[("处理处分结果", "/outcomes"), ("录入", "")],
        )
        .await,
        groups: kind_groups(),
        today: app.today().format("%Y-%m-%d").to_string(),
        errors,
        typed,
    }
}

/// The entry form.
pub async fn new_form(State(app): State<App>, ctx: Ctx) -> PageResult {
    ctx.require(PERM_OUTCOME)?;
    Ok(page(
        &new_page(&app, &ctx, FormErrors::default(), Typed::default()).await,
    ))
}

/// The entry form's fields.
#[derive(Debug, Default, Deserialize)]
pub struct OutcomeForm {
    #[serde(default)]
    id_number: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    decided_on: String,
    #[serde(default)]
    effective_on: String,
    #[serde(default)]
    term_months: String,
    #[serde(default)]
    case_ref: String,
    #[serde(default)]
    note: String,
}

/// The entry form, sent: recorded, or the form back with everything typed and the field named.
pub async fn create(State(app): State<App>, ctx: Ctx, headers: HeaderMap, Form(f): Form<OutcomeForm>) -> PageResult {
    ctx.require(PERM_OUTCOME)?;
    let typed = Typed::of(vec![
        ("id_number", f.id_number.clone()),
        ("kind", f.kind.clone()),
        ("decided_on", f.decided_on.clone()),
        ("effective_on", f.effective_on.clone()),
        ("term_months", f.term_months.clone()),
        ("case_ref", f.case_ref.clone()),
        ("note", f.note.clone()),
    ]);
    let req = OutcomeRequest {
        id_number: f.id_number.clone(),
        kind: f.kind.clone(),
        decided_on: f.decided_on.clone(),
        // The same day unless another is given.
        effective_on: if f.effective_on.trim().is_empty() {
            f.decided_on.clone()
        } else {
            f.effective_on.clone()
        },
        case_ref: f.case_ref.clone(),
        term_months: f.term_months.trim().parse().ok(),
        note: Some(f.note.clone()),
    };
    let result = match req.input("entry") {
        Ok(input) if input.case_ref.is_empty() => {
            Err(AppError::invalid("case_ref", "请填写案件编号（或处理依据文号）"))
        }
        Ok(input) => super::api::record(&app, &ctx, &input).await.map(|_| input),
        Err(e) => Err(e),
    };
    match result {
        // The person's outcomes, the new one with its derived form and effect period.
        Ok(input) => Ok(redirect(
            &headers,
            &format!("/outcomes?q={}&ok=outcome_recorded", crate::ui::enc(&input.id_number)),
        )),
        Err(AppError::Invalid(pairs)) => Ok(page_with(
            StatusCode::UNPROCESSABLE_ENTITY,
            &new_page(&app, &ctx, FormErrors::from_pairs(pairs), typed).await,
        )),
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------------------------------------
// Import of past outcomes
// ---------------------------------------------------------------------------------------------

/// The import's pages.
pub const IMPORT: ImportTarget = ImportTarget {
    what: "历史处理处分",
    list: "/outcomes",
    list_label: "处理处分结果",
    action: "/outcomes/import",
    template_href: "/outcomes/import/template.xlsx",
    report_name: "处理处分导入问题.xlsx",
};

fn import_spec() -> SheetSpec {
    let col = |key, header, required, kind, example, note, aliases| XColumn {
        key,
        header,
        required,
        kind,
        example,
        note,
        aliases,
    };
    SheetSpec {
        sheet: "处理处分",
        columns: vec![
            col(
                "id_number",
                "身份证号",
                true,
                ColumnKind::Code,
                "11010519491231002X",
                "须为人员名册中的人员",
                &["公民身份号码", "身份证号码"][..],
            ),
            col(
                "name",
                "姓名",
                false,
                ColumnKind::Text,
                "张三",
                "填写时与名册核对",
                &[][..],
            ),
            col(
                "kind",
                "处理处分种类",
                true,
                ColumnKind::Text,
                "党内警告",
                "如：谈话提醒、诫勉、党内警告、严重警告、撤销党内职务、留党察看、开除党籍、政务警告、记过、记大过、降级、撤职、开除公职、停职检查、调整职务、责令辞职、免职、降职、移送检察机关",
                &["处分种类", "处理种类", "种类"][..],
            ),
            col(
                "decided_on",
                "决定日期",
                true,
                ColumnKind::Date,
                "2024-03-01",
                "",
                &["处分日期"][..],
            ),
            col(
                "effective_on",
                "生效日期",
                false,
                ColumnKind::Date,
                "2024-03-01",
                "不填则同决定日期",
                &[][..],
            ),
            col(
                "term_months",
                "察看期限（月）",
                false,
                ColumnKind::Integer,
                "",
                "仅留党察看填写：12或24",
                &["察看期限"][..],
            ),
            col(
                "case_ref",
                "案件编号",
                true,
                ColumnKind::Text,
                "示纪案〔2024〕3号",
                "同一人同一案件在四种形态统计中计一次",
                &["案号", "处分决定文号"][..],
            ),
            col("note", "备注", false, ColumnKind::Text, "", "", &[][..]),
        ],
    }
}

/// The import page.
pub async fn import_form(State(app): State<App>, ctx: Ctx) -> PageResult {
    ctx.require(PERM_OUTCOME)?;
    Ok(import::form_page(&app, &ctx, &IMPORT).await)
}

/// The import template.
pub async fn import_template(ctx: Ctx) -> PageResult {
    ctx.require(PERM_OUTCOME)?;
    let bytes = qinglian_office::template_xlsx(&import_spec()).map_err(|e| AppError::Internal(e.into()))?;
    Ok(download("处理处分导入模板.xlsx", XLSX, bytes))
}

fn column_of(field: &str) -> &'static str {
    match field {
        "id_number" => "身份证号",
        "kind" => "处理处分种类",
        "decided_on" => "决定日期",
        "effective_on" => "生效日期",
        "term_months" => "察看期限（月）",
        "case_ref" => "案件编号",
        "note" => "备注",
        _ => "",
    }
}

/// Import past outcomes from .xlsx. Every row is recorded inside its own savepoint in one
/// transaction, in the file's order (a later sanction inside an earlier one's period stacks):
/// a row the rules refuse is undone and reported with its row and column; with problems and
/// without 「只导入无误的行」 nothing is written.
pub async fn import(State(app): State<App>, ctx: Ctx, mp: Multipart) -> PageResult {
    ctx.require(PERM_OUTCOME)?;
    let (bytes, valid_only) = import::read_upload(&app, mp).await?;
    let read =
        qinglian_office::read_xlsx(&import_spec(), &bytes).map_err(|e| AppError::invalid("file", e.to_string()))?;
    let mut errors: Vec<RowError> = read.errors.clone();
    let mut tx = app.db.begin().await?;
    let mut imported = 0usize;
    for row in &read.rows {
        if read.row_has_error(row.row) {
            continue;
        }
        let get = |k: &str| row.get(k).unwrap_or_default().to_string();
        let kind = OutcomeKind::parse_label(&get("kind"));
        let Some(kind) = kind else {
            errors.push(RowError {
                row: row.row,
                column: "处理处分种类".into(),
                message: format!(
                    "无法识别“{}”，请使用模板说明中的名称（警告须写明党内警告或政务警告）",
                    get("kind")
                ),
            });
            continue;
        };
        let req = OutcomeRequest {
            id_number: get("id_number"),
            kind: kind.code().into(),
            decided_on: get("decided_on"),
            effective_on: Some(get("effective_on"))
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| get("decided_on")),
            case_ref: get("case_ref"),
            term_months: row.get("term_months").and_then(|s| s.parse().ok()),
            note: Some(get("note")),
        };
        let name = get("name");
        let outcome = match req.input("import") {
            Ok(input) => record_row(&mut tx, &ctx, &input, &name).await?,
            Err(AppError::Invalid(pairs)) => Err(pairs),
            Err(e) => return Err(e.into()),
        };
        match outcome {
            Ok(()) => imported += 1,
            Err(pairs) => errors.extend(pairs.into_iter().map(|(f, m)| RowError {
                row: row.row,
                column: column_of(f).to_string(),
                message: m,
            })),
        }
    }
    let rolled_back = !errors.is_empty() && !valid_only;
    if rolled_back || imported == 0 {
        drop(tx);
        imported = if rolled_back { 0 } else { imported };
    } else {
        crate::services::audit::write(
            &app,
            &ctx,
            &mut tx,
            Event::success(
                "case.outcome.import",
                outcome::OBJECT_TYPE,
                String::new(),
                format!("导入历史处理处分{imported}条，{}处问题未导入", errors.len()),
            ),
        )
        .await?;
        tx.commit().await?;
    }
    import::result_page(&app, &ctx, &IMPORT, read.rows.len(), imported, errors, rolled_back).await
}

/// One import row in its savepoint: recorded, or undone with the problem (field, message).
async fn record_row(
    tx: &mut Tx,
    ctx: &Ctx,
    input: &qinglian_store::outcome::NewOutcome,
    name: &str,
) -> Result<Result<(), Vec<(&'static str, String)>>, AppError> {
    qinglian_store::Db::savepoint(tx, "outcome_row").await?;
    let r = async {
        if !name.trim().is_empty() {
            let found = qinglian_store::person::id_number_exists(&mut **tx, &input.id_number).await?;
            if found {
                let actual: Option<String> = sqlx::query_scalar("SELECT name FROM person WHERE id_number = $1")
                    .bind(&input.id_number)
                    .fetch_optional(&mut **tx)
                    .await
                    .map_err(StoreError::from)?;
                if actual.as_deref().is_some_and(|a| a != name.trim()) {
                    return Err(StoreError::invalid(
                        "id_number",
                        format!("身份证号与姓名“{}”不符", name.trim()),
                    ));
                }
            }
        }
        outcome::record(tx, ctx.scope(), input, Some(ctx.principal.user.id)).await
    }
    .await;
    match r {
        Ok(_) => {
            qinglian_store::Db::release(tx, "outcome_row").await?;
            Ok(Ok(()))
        }
        Err(StoreError::Invalid { field, message }) => {
            qinglian_store::Db::rollback_to(tx, "outcome_row").await?;
            qinglian_store::Db::release(tx, "outcome_row").await?;
            Ok(Err(vec![(field, message)]))
        }
        Err(e) => Err(e.into()),
    }
}
