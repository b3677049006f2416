//! Excel import pages shared by every importable list: the upload form, reading the upload,
//! and the result with its downloadable per-row error report.

use askama::Template;
use axum::extract::Multipart;
use axum::http::StatusCode;
use axum::response::Response;
use qinglian_office::RowError;

use super::{page, page_with};
use crate::App;
use crate::auth::Ctx;
use crate::error::{AppError, PageResult};
use crate::templates::Chrome;

/// What is being imported and where its pages live.
pub struct ImportTarget {
    /// What, for headings ("人员").
    pub what: &'static str,
    /// The list page.
    pub list: &'static str,
    /// The list's name in breadcrumbs ("人员名册").
    pub list_label: &'static str,
    /// Where the form posts.
    pub action: &'static str,
    /// The template download.
    pub template_href: &'static str,
    /// File name of the error report.
    pub report_name: &'static str,
}

/// The org tree import.
pub const ORGS: ImportTarget = ImportTarget {
    what: "组织机构",
    list: "/orgs",
    list_label: "组织机构",
    action: "/orgs/import",
    template_href: "/orgs/import/template.xlsx",
    report_name: "组织机构导入问题.xlsx",
};

/// The people roster import.
pub const PERSONS: ImportTarget = ImportTarget {
    what: "人员",
    list: "/persons",
    list_label: "人员名册",
    action: "/persons/import",
    template_href: "/persons/import/template.xlsx",
    report_name: "人员导入问题.xlsx",
};

/// What an import did.
pub struct ImportOutcome {
    /// Rows read.
    pub total: usize,
    /// Rows written.
    pub imported: usize,
    /// Problems (row, column, message).
    pub errors: Vec<RowError>,
    /// Token of the downloadable error report.
    pub report: Option<String>,
    /// Whether nothing was written because of errors (all-or-nothing mode).
    pub rolled_back: bool,
}

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    chrome: Chrome,
    t: &'static ImportTarget,
    result: Option<ImportOutcome>,
}

async fn chrome(app: &App, ctx: &Ctx, t: &ImportTarget) -> Chrome {
    let title = format!("导入{}", t.what);
    Chrome::new(app, ctx, &title, t.list, &[(t.list_label, t.list), ("导入", "")]).await
}

/// The upload form.
pub async fn form_page(app: &App, ctx: &Ctx, t: &'static ImportTarget) -> Response {
    page(&ImportPage {
        chrome: chrome(app, ctx, t).await,
        t,
        result: None,
    })
}

/// The result page: counts, the problems, and a download of them as .xlsx (kept 30 minutes,
/// for this user only). 422 when there were problems.
pub async fn result_page(
    app: &App,
    ctx: &Ctx,
    t: &'static ImportTarget,
    total: usize,
    imported: usize,
    mut errors: Vec<RowError>,
    rolled_back: bool,
) -> PageResult {
    errors.sort_by_key(|e| e.row);
    let report = if errors.is_empty() {
        None
    } else {
        let bytes = qinglian_office::error_report_xlsx(&errors).map_err(|e| AppError::Internal(e.into()))?;
        Some(app.put_download(ctx.principal.user.id, t.report_name, bytes))
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let result = ImportOutcome {
        total,
        imported,
        errors,
        report,
        rolled_back,
    };
    Ok(page_with(
        status,
        &ImportPage {
            chrome: chrome(app, ctx, t).await,
            t,
            result: Some(result),
        },
    ))
}

/// Read an uploaded file and the import mode from a multipart form.
pub async fn read_upload(app: &App, mut mp: Multipart) -> Result<(Vec<u8>, bool), AppError> {
    let mut bytes = None;
    let mut valid_only = false;
    let max = app.config.upload.max_mb * 1024 * 1024;
    while let Some(field) = mp
        .next_field()
        .await
        .map_err(|_| AppError::BadRequest("上传内容无法读取，请重新选择文件".into()))?
    {
        match field.name() {
            Some("file") => {
                let b = field.bytes().await.map_err(|_| {
                    AppError::BadRequest(format!("文件过大或上传中断（上限{}MB）", app.config.upload.max_mb))
                })?;
                if b.len() > max {
                    return Err(AppError::invalid(
                        "file",
                        format!("文件超过{}MB上限", app.config.upload.max_mb),
                    ));
                }
                bytes = Some(b.to_vec());
            }
            Some("mode") => valid_only = field.text().await.unwrap_or_default() == "valid_only",
            _ => {}
        }
    }
    match bytes {
        Some(b) if !b.is_empty() => Ok((b, valid_only)),
        _ => Err(AppError::invalid("file", "请选择要导入的Excel文件")),
    }
}
