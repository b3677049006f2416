//! Data-supervision pages: the model library, one model, runs, and custom models.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use qinglian_analytics::dataset::{self as dsets, DATASETS};
use qinglian_analytics::model::{self, Model};
use qinglian_store::audit::Event;
use qinglian_store::data_supervision::{self as sv, ModelStat, finding_status};
use serde::Deserialize;

use super::datasets::{ModelRow, VersionChoice, model_rows, subjects_of, version_choices};
use super::jobs::{Requester, RunParams};
use super::*;
use crate::App;
use crate::auth::Ctx;
use crate::error::{AppError, PageResult};
use crate::list::{self, Html, ListParams, ListSpec, ListView, html};
use crate::templates::{Chrome, FormErrors};
use crate::ui::{enc, page, page_with, redirect};
use qinglian_analytics::redflags;
use qinglian_store::sql::Page;

// ---------------------------------------------------------------------------------------------
// Models and runs
// ---------------------------------------------------------------------------------------------

/// The model's title, linked to its page; its code only in the tooltip (people read titles).
fn model_link(m: &ModelRow) -> Html {
    let custom = if m.builtin {
        ""
    } else {
        " <span class=\"tag\">自定义</span>"
    };
    Html(format!(
        "<a href=\"/ds/models/{}\" title=\"模型编号：{}\">{}</a>{custom}",
        html::escape(&m.id),
        html::escape(&m.id),
        html::escape(&m.title)
    ))
}

/// A figure (thousands separated).
fn count(n: i64) -> Html {
    html::text(&super::datasets::thousands(n))
}

const fn stat_column(label: &'static str, cell: fn(&ModelRow) -> Html) -> list::Column<ModelRow> {
    list::Column {
        label,
        sort: None,
        class: "num",
        html: Some(cell),
        excel: None,
    }
}

/// The model library: every model with its figures; each row's checkbox (checked) chooses it
/// for a run.
pub(super) static MODEL_LIST: ListSpec<ModelRow> = ListSpec {
    id: "ds-models",
    empty_id: "ds-models-empty",
    path: "/ds/models",
    empty: "没有模型",
    unit: "个",
    default_sort: "",
    per_page: 100,
    columns: &[
        list::Column {
            label: "模型",
            sort: None,
            class: "",
            html: Some(model_link),
            excel: None,
        },
        list::Column {
            label: "版本",
            sort: None,
            class: "nowrap",
            html: Some(|m| html::text(&format!("第{}版", m.version))),
            excel: None,
        },
        list::Column {
            label: "对象",
            sort: None,
            class: "nowrap",
            html: Some(|m| html::text(m.subject)),
            excel: None,
        },
        list::Column {
            label: "严重程度",
            sort: None,
            class: "nowrap",
            html: Some(|m| html::text(m.severity)),
            excel: None,
        },
        stat_column("疑点", |m| {
            html::link(
                &format!("/ds/findings?model={}", enc(&m.id)),
                &super::datasets::thousands(m.stat.findings),
            )
        }),
        stat_column("已核实", |m| count(m.stat.concluded())),
        stat_column("核实率", |m| html::text(&m.rate())),
    ],
    export: None,
    actions: None,
    select: Some(list::Select {
        form: "ds-run-form",
        name: "model",
        checked: true,
        value: |m| Some(m.id.clone()),
    }),
    paged: false,
};

/// The overview's table of hits and checking progress per model; every figure opens the
/// findings behind it.
pub(super) static MODEL_STATS: ListSpec<ModelRow> = ListSpec {
    id: "ds-model-stats",
    empty_id: "ds-model-stats-empty",
    path: "/ds",
    empty: "没有模型",
    unit: "个",
    default_sort: "",
    per_page: 100,
    columns: &[
        list::Column {
            label: "模型",
            sort: None,
            class: "",
            html: Some(model_link),
            excel: None,
        },
        stat_column("疑点", |m| findings_link(m, "", m.stat.findings)),
        stat_column("待派发", |m| findings_link(m, finding_status::NEW, m.stat.new)),
        stat_column("核查中", |m| {
            findings_link(m, super::findings::IN_PROGRESS, m.stat.in_progress)
        }),
        stat_column("属实", |m| {
            findings_link(m, finding_status::CONFIRMED, m.stat.confirmed)
        }),
        stat_column("部分属实", |m| {
            findings_link(m, finding_status::PARTLY_CONFIRMED, m.stat.partly)
        }),
        stat_column("不属实", |m| {
            findings_link(m, finding_status::DISMISSED, m.stat.dismissed)
        }),
        stat_column("核实率", |m| html::text(&m.rate())),
    ],
    export: None,
    actions: None,
    select: None,
    paged: false,
};

/// A figure linked to the model's findings (in one state, when given); zero is plain.
fn findings_link(m: &ModelRow, status: &str, n: i64) -> Html {
    if n == 0 {
        return count(0);
    }
    let mut href = format!("/ds/findings?model={}", enc(&m.id));
    if !status.is_empty() {
        href.push_str(&format!("&status={}", enc(status)));
    }
    html::link(&href, &super::datasets::thousands(n))
}

/// The model rows as a list view (all on one page).
pub(super) fn model_list(spec: &ListSpec<ModelRow>, rows: Vec<ModelRow>, csrf: &str) -> ListView {
    let n = rows.len() as i64;
    spec.view_with_actions(
        &Page::of_all(rows, 1, n.max(1)),
        &[],
        &ListParams::default(),
        false,
        csrf,
    )
}

#[derive(Template)]
#[template(path = "data_supervision/models.html")]
pub(super) struct ModelsPage {
    chrome: Chrome,
    list: ListView,
    versions: Vec<VersionChoice>,
    can_run: bool,
    can_model: bool,
}

/// The model library with hit and confirmation rates and the run form.
pub async fn models(State(app): State<App>, ctx: Ctx) -> PageResult {
    ctx.require(PERM_RULES)?;
    let chrome = chrome(&app, &ctx, "比对模型", "/ds/models", &[("比对模型", "")]).await;
    let can_run = ctx.principal.can(PERM_RUN);
    // Checkboxes only for those who may run (the CSRF token turns them on).
    let csrf = if can_run { chrome.csrf.clone() } else { String::new() };
    Ok(page(&ModelsPage {
        list: model_list(&MODEL_LIST, model_rows(&app, &ctx).await?, &csrf),
        chrome,
        versions: version_choices(&app).await?,
        can_run,
        can_model: ctx.principal.can(PERM_MODEL),
    }))
}

/// A parameter in the model page's form.
pub struct ParamRow {
    /// Name.
    pub name: String,
    /// Label.
    pub label: String,
    /// Value as text (lists joined with "、").
    pub value: String,
}

pub(super) fn param_text(v: &model::ParamValue) -> String {
    match v {
        model::ParamValue::Bool(b) => if *b { "是" } else { "否" }.to_string(),
        model::ParamValue::Int(i) => i.to_string(),
        model::ParamValue::Number(f) => f.to_string(),
        model::ParamValue::Text(s) => s.clone(),
        model::ParamValue::List(l) => l.join("、"),
    }
}

/// Parses a parameter typed in a form as the type of its default.
pub(super) fn parse_param(like: &model::ParamValue, label: &str, text: &str) -> Result<model::ParamValue, String> {
    let t = text.trim();
    Ok(match like {
        model::ParamValue::Bool(_) => model::ParamValue::Bool(matches!(t, "是" | "true" | "1" | "on")),
        model::ParamValue::Int(_) => {
            model::ParamValue::Int(t.parse().map_err(|_| format!("参数“{label}”应为整数，收到“{t}”"))?)
        }
        model::ParamValue::Number(_) => {
            model::ParamValue::Number(t.parse().map_err(|_| format!("参数“{label}”应为数值，收到“{t}”"))?)
        }
        model::ParamValue::Text(_) => model::ParamValue::Text(t.to_string()),
        model::ParamValue::List(_) => model::ParamValue::List(
            t.split(['、', ',', '，', '\n'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
        ),
    })
}

#[derive(Template)]
#[template(path = "data_supervision/model.html")]
pub(super) struct ModelPage {
    chrome: Chrome,
    m: Model,
    subjects: &'static str,
    params: Vec<ParamRow>,
    /// Heading and text of the definition panel: the SQL, or the red flags' INI settings.
    code_title: &'static str,
    code: String,
    versions: Vec<VersionChoice>,
    stat: ModelStat,
    can_run: bool,
    can_edit: bool,
    errors: FormErrors,
}

pub(super) async fn load_model(app: &App, id: &str) -> Result<Model, AppError> {
    if let Some(code) = id.strip_prefix("custom:") {
        let stored = sv::custom_model(&app.db, code, None).await?;
        crate::data_supervision::jobs::custom_from_store(&stored).map_err(|e| AppError::BadRequest(e.to_string()))
    } else {
        crate::data_supervision::jobs::builtin_model(id).ok_or(AppError::NotFound("模型"))
    }
}

/// One model: SQL, parameters (editable for a run), figures.
pub async fn model_detail(State(app): State<App>, ctx: Ctx, Path(id): Path<String>) -> PageResult {
    ctx.require(PERM_RULES)?;
    let m = load_model(&app, &id).await?;
    let stat = sv::model_stats(&app.db, ctx.scope())
        .await?
        .into_iter()
        .find(|s| s.model == m.id)
        .unwrap_or_default();
    let params = m
        .params
        .iter()
        .map(|p| ParamRow {
            name: p.name.clone(),
            label: p.label.clone(),
            value: param_text(&p.value),
        })
        .collect();
    Ok(page(&ModelPage {
        chrome: chrome(
            &app,
            &ctx,
            &m.title.clone(),
            "/ds/models",
            &[("比对模型", "/ds/models"), ("模型详情", "")],
        )
        .await,
        params,
        subjects: subjects_of(&m),
        code_title: if m.id == redflags::ID {
            "等效的Cardinal设置文件（INI，随上列参数生成）"
        } else {
            "查询语句"
        },
        code: if m.id == redflags::ID {
            redflags::settings_ini(&m).unwrap_or_else(|e| e)
        } else {
            m.sql.clone()
        },
        versions: version_choices(&app).await?,
        stat,
        can_run: ctx.principal.can(PERM_RUN),
        can_edit: !m.builtin && ctx.principal.can(PERM_MODEL),
        m,
        errors: FormErrors::default(),
    }))
}

/// Starts a run: the selected models (`model` fields) with default parameters, or one model
/// with the parameters typed on its page (`p.NAME` fields); `v.DATASET` fields choose dataset
/// versions (others: the newest).
pub async fn run(
    State(app): State<App>,
    ctx: Ctx,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> PageResult {
    ctx.require(PERM_RUN)?;
    let ids: Vec<String> = form
        .iter()
        .filter(|(k, _)| k == "model")
        .map(|(_, v)| v.clone())
        .collect();
    let mut params = RunParams {
        models: ids.clone(),
        ..Default::default()
    };
    for (k, v) in &form {
        if let Some(dataset) = k.strip_prefix("v.") {
            let v = v.trim();
            if v.is_empty() {
                continue;
            }
            let version = v
                .parse()
                .map_err(|_| AppError::invalid("versions", format!("数据集{dataset}的版本号有误：{v}")))?;
            params.versions.insert(dataset.to_string(), version);
        }
    }
    if ids.len() == 1 {
        let m = match load_model(&app, &ids[0]).await {
            Err(AppError::NotFound(_)) => {
                return Err(AppError::invalid("models", format!("模型{}不存在", ids[0])).into());
            }
            other => other?,
        };
        let mut overrides = model::ParamOverrides::new();
        for (k, v) in &form {
            if let Some(name) = k.strip_prefix("p.") {
                let p = m
                    .params
                    .iter()
                    .find(|p| p.name == name)
                    .ok_or_else(|| AppError::invalid("params", format!("模型没有参数“{name}”")))?;
                let value = parse_param(&p.value, &p.label, v).map_err(|e| AppError::invalid("params", e))?;
                if value != p.value {
                    overrides.insert(name.to_string(), value);
                }
            }
        }
        if !overrides.is_empty() {
            params.params.insert(ids[0].clone(), overrides);
        }
    }
    // Everything is checked before queueing: unknown models and bad parameters are 4xx now.
    let id = crate::data_supervision::jobs::queue_run(&app, &Requester::of(&ctx)?, params).await?;
    Ok(redirect(&headers, &format!("/ds/jobs/{id}")))
}

// ---------------------------------------------------------------------------------------------
// Custom models
// ---------------------------------------------------------------------------------------------

/// The custom model form.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct CustomForm {
    code: String,
    title: String,
    subject_kind: String,
    severity: String,
    sql_text: String,
    explanation: String,
    params_text: String,
}

#[derive(Template)]
#[template(path = "data_supervision/custom.html")]
pub(super) struct CustomPage {
    chrome: Chrome,
    form: CustomForm,
    editing: bool,
    errors: FormErrors,
    tables: Vec<(&'static str, String)>,
}

pub(super) fn table_help() -> Vec<(&'static str, String)> {
    DATASETS
        .iter()
        .map(|d| {
            (
                d.name,
                d.columns
                    .iter()
                    .map(|c| format!("{}（{}）", c.name, c.label))
                    .collect::<Vec<_>>()
                    .join("、"),
            )
        })
        .collect()
}

/// New custom model form.
pub async fn custom_new(State(app): State<App>, ctx: Ctx) -> PageResult {
    ctx.require(PERM_MODEL)?;
    Ok(page(&CustomPage {
        chrome: chrome(
            &app,
            &ctx,
            "新建自定义模型",
            "/ds/models",
            &[("比对模型", "/ds/models"), ("新建", "")],
        )
        .await,
        form: CustomForm {
            subject_kind: "person".into(),
            severity: "medium".into(),
            explanation: "{subject}在{period}存在疑点（{count}条记录）".into(),
            ..Default::default()
        },
        editing: false,
        errors: FormErrors::default(),
        tables: table_help(),
    }))
}

/// Edit form of a custom model (saving makes a new version).
pub async fn custom_edit(State(app): State<App>, ctx: Ctx, Path(code): Path<String>) -> PageResult {
    ctx.require(PERM_MODEL)?;
    let m = sv::custom_model(&app.db, &code, None).await?;
    let params: Vec<model::Param> = serde_json::from_str(&m.params_json).unwrap_or_default();
    Ok(page(&CustomPage {
        chrome: chrome(
            &app,
            &ctx,
            "修改自定义模型",
            "/ds/models",
            &[("比对模型", "/ds/models"), ("修改", "")],
        )
        .await,
        form: CustomForm {
            code: m.code,
            title: m.title,
            subject_kind: m.subject_kind,
            severity: m.severity,
            sql_text: m.sql_text,
            explanation: m.explanation,
            params_text: params
                .iter()
                .map(|p| format!("{}|{}|{}", p.name, p.label, param_text(&p.value)))
                .collect::<Vec<_>>()
                .join("\n"),
        },
        editing: true,
        errors: FormErrors::default(),
        tables: table_help(),
    }))
}

/// Parameters typed one per line as `name|label|default`; numbers become numbers.
pub(super) fn parse_params_text(text: &str) -> Result<Vec<model::Param>, String> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let parts: Vec<&str> = line.splitn(3, '|').map(str::trim).collect();
        if parts.len() != 3 || parts[0].is_empty() {
            return Err(format!("第{}行参数格式应为“名称|说明|默认值”", i + 1));
        }
        if !parts[0].bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return Err(format!("第{}行参数名称只能含字母、数字和下划线", i + 1));
        }
        let value = if let Ok(n) = parts[2].parse::<i64>() {
            model::ParamValue::Int(n)
        } else if let Ok(f) = parts[2].parse::<f64>() {
            model::ParamValue::Number(f)
        } else {
            model::ParamValue::Text(parts[2].to_string())
        };
        out.push(model::Param {
            name: parts[0].to_string(),
            label: parts[1].to_string(),
            value,
        });
    }
    Ok(out)
}

/// Saves a custom model (a new version when it exists).
pub async fn custom_save(
    State(app): State<App>,
    ctx: Ctx,
    headers: HeaderMap,
    Form(form): Form<CustomForm>,
) -> PageResult {
    ctx.require(PERM_MODEL)?;
    let code = form.code.trim().to_string();
    let mut errors: Vec<(&'static str, String)> = Vec::new();
    if crate::data_supervision::jobs::builtin_model(&code).is_some() {
        errors.push(("code", "该编号是内置模型的编号，请换一个".into()));
    }
    let params = match parse_params_text(&form.params_text) {
        Ok(p) => p,
        Err(e) => {
            errors.push(("params_text", e));
            Vec::new()
        }
    };
    let kind = serde_json::from_value::<model::SubjectKind>(serde_json::Value::String(form.subject_kind.clone()));
    let severity = serde_json::from_value::<model::Severity>(serde_json::Value::String(form.severity.clone()));
    if kind.is_err() {
        errors.push(("subject_kind", "请选择对象类型".into()));
    }
    if severity.is_err() {
        errors.push(("severity", "请选择严重程度".into()));
    }
    if form.sql_text.trim().is_empty() {
        errors.push(("sql_text", "请填写查询语句（SELECT）".into()));
    }
    if let (Ok(kind), Ok(severity), true) = (kind, severity, errors.is_empty()) {
        match Model::custom(
            &format!("custom:{code}"),
            form.title.trim(),
            kind,
            severity,
            &form.sql_text,
            &form.explanation,
            params.clone(),
        ) {
            Ok(m) => {
                // Plan the query over empty tables: unknown tables and columns are found now.
                let engine = model::Engine::new(&dsets::Datasets::empty(), Default::default())
                    .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
                if let Err(e) = engine.run(&m).await {
                    errors.push(("sql_text", e.to_string()));
                }
            }
            Err(e) => errors.push(("sql_text", e.to_string())),
        }
    }
    if errors.is_empty() {
        let mut tx = app.db.begin().await?;
        let saved = sv::save_custom_model(
            &mut tx,
            &sv::NewCustomModel {
                code: code.clone(),
                title: form.title.trim().to_string(),
                subject_kind: form.subject_kind.clone(),
                severity: form.severity.clone(),
                sql_text: form.sql_text.clone(),
                explanation: form.explanation.clone(),
                params_json: serde_json::to_string(&params).map_err(|e| AppError::Internal(e.into()))?,
                created_by: ctx.principal.user.id,
            },
        )
        .await;
        match saved {
            Ok(version) => {
                crate::services::audit::write(
                    &app,
                    &ctx,
                    &mut tx,
                    Event::success(
                        "data_supervision.model_save",
                        "ds_model",
                        format!("{code}@{version}"),
                        form.title.trim().to_string(),
                    ),
                )
                .await?;
                tx.commit().await?;
                return Ok(redirect(&headers, &format!("/ds/models/custom:{code}?ok=saved")));
            }
            Err(qinglian_store::StoreError::Invalid { field, message }) => errors.push((field, message)),
            Err(e) => return Err(AppError::from(e).into()),
        }
    }
    let editing = sv::custom_model(&app.db, &code, None).await.is_ok();
    Ok(page_with(
        StatusCode::UNPROCESSABLE_ENTITY,
        &CustomPage {
            chrome: chrome(
                &app,
                &ctx,
                "自定义模型",
                "/ds/models",
                &[("比对模型", "/ds/models"), ("编辑", "")],
            )
            .await,
            form,
            editing,
            errors: FormErrors::from_pairs(errors),
            tables: table_help(),
        },
    ))
}
