//! One list component (issue #11 §3).
//!
//! A list page is declared, not hand-built: a [`ListSpec`] names its columns (label, sort key,
//! HTML cell, Excel cell), its empty message and its export. [`ListSpec::view`] turns one page
//! of store rows into a [`ListView`] that the one template include (`_list.html`: table, sort
//! links, pager with total, page size, page numbers and a jump box) renders, and
//! [`ListSpec::export`] writes the same columns to Excel, with its permission check and audit
//! entry — so a page and its Excel never disagree, and no module writes a pager or an export
//! handler again. Typed filters stay with each list (they differ), as a list of
//! `(key, value)` pairs the view carries through every link.

use axum::response::Response;
use qinglian_office::Cell;
use qinglian_store::audit::Event;
use qinglian_store::sql::Page;
use serde::Deserialize;

use crate::App;
use crate::auth::Ctx;
use crate::error::AppError;
use crate::ui::enc;
use crate::ui::xlsx::{XLSX, download};

/// HTML of one cell, escaped where it came from data (build it with the functions of [`html`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Html(pub String);

/// Cell builders: every piece of data goes through [`html::text`]'s escaping.
pub mod html {
    pub use super::Html;

    /// Escapes text for HTML.
    pub fn escape(s: &str) -> String {
        let mut out = String::with_capacity(s.len());
        for c in s.chars() {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '"' => out.push_str("&quot;"),
                '\'' => out.push_str("&#x27;"),
                c => out.push(c),
            }
        }
        out
    }
    /// Plain text.
    pub fn text(s: &str) -> Html {
        Html(escape(s))
    }
    /// A link inside the site (`href` must be a path this code built).
    pub fn link(href: &str, label: &str) -> Html {
        Html(format!("<a href=\"{}\">{}</a>", escape(href), escape(label)))
    }
    /// A button in its own POST form (`/path` built by the code, the CSRF token of the
    /// session), with the app's confirmation naming what it acts on when `confirm` is given.
    pub fn post_button(action: &str, csrf: &str, label: &str, danger: bool, confirm: Option<&str>) -> Html {
        Html(format!(
            "<form method=\"post\" action=\"{}\" class=\"inline\"{}><input type=\"hidden\" name=\"_csrf\" value=\"{}\"><button class=\"btn btn-small{}\" type=\"submit\">{}</button></form>",
            escape(action),
            confirm
                .map(|c| format!(" data-confirm=\"{}\"", escape(c)))
                .unwrap_or_default(),
            escape(csrf),
            if danger { " btn-danger" } else { "" },
            escape(label)
        ))
    }
    /// Pieces of HTML side by side.
    pub fn join(parts: impl IntoIterator<Item = Html>) -> Html {
        Html(parts.into_iter().map(|h| h.0).collect())
    }
    /// A tag (badge).
    pub fn tag(label: &str) -> Html {
        Html(format!("<span class=\"tag\">{}</span>", escape(label)))
    }
    /// Several tags.
    pub fn tags<'a>(labels: impl IntoIterator<Item = &'a str>) -> Html {
        Html(labels.into_iter().map(|l| tag(l).0).collect())
    }
    /// Text with a tooltip (e.g. a code behind a Chinese label).
    pub fn titled(label: &str, title: &str) -> Html {
        Html(format!("<span title=\"{}\">{}</span>", escape(title), escape(label)))
    }
    /// A traffic-light status badge (`red`, `yellow`, `pending`, `green`).
    pub fn status(code: &str, label: &str) -> Html {
        Html(format!(
            "<span class=\"{}\">{}</span>",
            crate::ui::home::status_class(code),
            escape(label)
        ))
    }
}

/// One column of a list.
pub struct Column<T> {
    /// Header label.
    pub label: &'static str,
    /// The store's sort key, if the column sorts.
    pub sort: Option<&'static str>,
    /// CSS class of the cells (`mono`, `nowrap`, `num`, or empty).
    pub class: &'static str,
    /// The cell on the page; `None` = an Excel-only column.
    pub html: Option<fn(&T) -> Html>,
    /// The cell in the Excel export; `None` = not exported.
    pub excel: Option<fn(&T) -> Cell>,
}

/// How a list exports.
pub struct Export<T: 'static> {
    /// The permission an export needs.
    pub permission: &'static str,
    /// File name (Chinese, with extension).
    pub file: &'static str,
    /// Sheet name.
    pub sheet: &'static str,
    /// Audit action of the export.
    pub audit_action: &'static str,
    /// Audit object type.
    pub object_type: &'static str,
    /// Most rows one export may hold.
    pub limit: i64,
    /// A second sheet derived from the exported rows (e.g. every evidence row of the findings).
    pub extra: Option<ExtraSheet<T>>,
}

/// A second sheet of an export: its name, headers and rows built from the exported items.
pub struct ExtraSheet<T: 'static> {
    /// Sheet name.
    pub name: &'static str,
    /// Headers.
    pub headers: &'static [&'static str],
    /// The rows, from the exported items.
    pub rows: fn(&[T]) -> Vec<Vec<Cell>>,
}

/// Row checkboxes of a list: which form they belong to, the field they post, whether they start
/// checked, and each row's value (`None` = this row cannot be selected, e.g. a finding already
/// sent).
pub struct Select<T: 'static> {
    /// The HTML id of the form the checkboxes belong to (`form=` attribute, so the form may sit
    /// outside the table).
    pub form: &'static str,
    /// The field name posted (`ids` for batch actions).
    pub name: &'static str,
    /// Whether every selectable row starts checked (e.g. "run all models" by default).
    pub checked: bool,
    /// The row's value.
    pub value: fn(&T) -> Option<String>,
}

/// The selection as the include renders it.
pub struct SelectView {
    /// Form id.
    pub form: &'static str,
    /// Field name.
    pub name: &'static str,
    /// Checked at first.
    pub checked: bool,
}

/// A list: its columns, its words and its export.
pub struct ListSpec<T: 'static> {
    /// The table's HTML id (the empty message's id is `{id}-empty` unless `empty_id` says).
    pub id: &'static str,
    /// The HTML id of the empty message.
    pub empty_id: &'static str,
    /// The list's URL (links keep the filters).
    pub path: &'static str,
    /// The message when nothing matches.
    pub empty: &'static str,
    /// The counting word: 条, 人, 个.
    pub unit: &'static str,
    /// The sort key used when none is asked for.
    pub default_sort: &'static str,
    /// Default page size.
    pub per_page: i64,
    /// The columns.
    pub columns: &'static [Column<T>],
    /// The export, if the list has one.
    pub export: Option<Export<T>>,
    /// A last column 「操作」 of row actions (forms posting with the session's CSRF token,
    /// given as the second argument).
    pub actions: Option<fn(&T, &str) -> Html>,
    /// Row checkboxes (batch actions, or choosing rows for a form).
    pub select: Option<Select<T>>,
    /// Whether the list pages (a short fixed list, such as the model library, shows all rows and
    /// only its total).
    pub paged: bool,
}

/// Paging and sorting asked for in the query string (`page`, `per_page`, `sort`, `dir`). A
/// page that is not a number is a 400 (请求参数有误) like any malformed parameter; numbers out
/// of range and unknown sort keys fall back to the defaults.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct ListParams {
    /// 1-based page.
    pub page: Option<i64>,
    /// Rows per page: 10, 20, 50 or 100.
    pub per_page: Option<i64>,
    /// Sort key.
    pub sort: Option<String>,
    /// `desc` for descending.
    pub dir: Option<String>,
}

/// The page sizes offered.
pub const PAGE_SIZES: [i64; 4] = [10, 20, 50, 100];

impl ListParams {
    /// (page, per_page) clamped: page ≥ 1, per_page one of [`PAGE_SIZES`] (else `default`).
    pub fn paging(&self, default: i64) -> (i64, i64) {
        let page = self.page.unwrap_or(1).clamp(1, 1_000_000);
        let per = self.per_page.filter(|p| PAGE_SIZES.contains(p)).unwrap_or(default);
        (page, per)
    }
    /// Whether descending order was asked for.
    pub fn desc(&self) -> bool {
        self.dir.as_deref() == Some("desc")
    }
}

/// A header cell.
pub struct Header {
    /// Label.
    pub label: &'static str,
    /// Sort link, for sortable columns.
    pub href: Option<String>,
    /// `asc`, `desc` or empty.
    pub state: &'static str,
}

/// A page-number link of the pager; `None` number = an ellipsis.
pub struct PageLink {
    /// The page number, or `None` for “…”.
    pub number: Option<i64>,
    /// Its link.
    pub href: String,
    /// Whether it is the current page.
    pub current: bool,
}

/// The pager.
pub struct Pager {
    /// Rows in all.
    pub total: i64,
    /// Current page.
    pub page: i64,
    /// Pages in all.
    pub pages: i64,
    /// Rows per page.
    pub per_page: i64,
    /// The counting word.
    pub unit: &'static str,
    /// Previous and next page links.
    pub prev: Option<String>,
    /// Next page link.
    pub next: Option<String>,
    /// Page numbers around the current one, first and last always.
    pub links: Vec<PageLink>,
    /// Page-size choices: (size, link, current).
    pub sizes: Vec<(i64, String, bool)>,
    /// The list's URL (the jump form's action).
    pub path: &'static str,
    /// Filters and sort to carry in the jump form.
    pub hidden: Vec<(String, String)>,
}

/// What the `_list.html` include renders.
pub struct ListView {
    /// Table id.
    pub id: &'static str,
    /// Empty message id.
    pub empty_id: &'static str,
    /// Empty message.
    pub empty: &'static str,
    /// Headers.
    pub headers: Vec<Header>,
    /// The rows.
    pub rows: Vec<ListRow>,
    /// The pager.
    pub pager: Pager,
    /// The export link (filters and sort kept), when the caller may export.
    pub export_href: Option<String>,
    /// The row checkboxes, when rows can be selected.
    pub select: Option<SelectView>,
    /// Whether the pager shows page sizes and numbers (else only the total).
    pub paged: bool,
}

/// The include as a value, for a page that shows more than one list: `{{ other_list|safe }}`.
#[derive(askama::Template)]
#[template(path = "_list.html")]
struct ListHtml<'a> {
    list: &'a ListView,
}

impl std::fmt::Display for ListView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        askama::Template::render_into(&ListHtml { list: self }, f).map_err(|_| std::fmt::Error)
    }
}

/// One row of a [`ListView`].
pub struct ListRow {
    /// Its checkbox value, when the row can be selected for a batch.
    pub select: Option<String>,
    /// Cells: (class, cell HTML).
    pub cells: Vec<(&'static str, String)>,
}

fn query(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

impl<T> ListSpec<T> {
    /// The sort key to use: the asked one if a column offers it, else the default.
    pub fn sort_key(&self, params: &ListParams) -> &'static str {
        params
            .sort
            .as_deref()
            .and_then(|s| self.columns.iter().filter_map(|c| c.sort).find(|k| *k == s))
            .unwrap_or(self.default_sort)
    }

    /// One page of rows as the include renders it. `filters` are the list's own query pairs
    /// (kept by every link); `can_export` shows the export link.
    pub fn view(
        &self,
        page: &Page<T>,
        filters: &[(String, String)],
        params: &ListParams,
        can_export: bool,
    ) -> ListView {
        self.view_with_actions(page, filters, params, can_export, "")
    }

    /// [`ListSpec::view`] with the row actions, which need the session's CSRF token.
    pub fn view_with_actions(
        &self,
        page: &Page<T>,
        filters: &[(String, String)],
        params: &ListParams,
        can_export: bool,
        csrf: &str,
    ) -> ListView {
        let sort = self.sort_key(params);
        let desc = params.desc();
        let with = |extra: &[(&str, String)]| -> String {
            let mut pairs: Vec<(String, String)> = filters.to_vec();
            for (k, v) in extra {
                pairs.push(((*k).to_string(), v.clone()));
            }
            format!("{}?{}", self.path, query(&pairs))
        };
        let sort_pairs = |p: i64, per: i64| -> Vec<(&str, String)> {
            vec![
                ("sort", sort.to_string()),
                ("dir", if desc { "desc" } else { "asc" }.to_string()),
                ("per_page", per.to_string()),
                ("page", p.to_string()),
            ]
        };
        let mut headers: Vec<Header> = self
            .columns
            .iter()
            .filter(|c| c.html.is_some())
            .map(|c| match c.sort {
                Some(key) => {
                    let current = key == sort;
                    let next_dir = if current && !desc { "desc" } else { "asc" };
                    Header {
                        label: c.label,
                        href: Some(with(&[
                            ("sort", key.to_string()),
                            ("dir", next_dir.to_string()),
                            ("per_page", page.per_page.to_string()),
                        ])),
                        state: match (current, desc) {
                            (false, _) => "",
                            (true, true) => "desc",
                            (true, false) => "asc",
                        },
                    }
                }
                None => Header {
                    label: c.label,
                    href: None,
                    state: "",
                },
            })
            .collect();
        let actions = self.actions.filter(|_| !csrf.is_empty());
        let select = self.select.as_ref().filter(|_| !csrf.is_empty());
        if actions.is_some() {
            headers.push(Header {
                label: "操作",
                href: None,
                state: "",
            });
        }
        let rows = page
            .items
            .iter()
            .map(|item| {
                let mut cells: Vec<(&'static str, String)> = self
                    .columns
                    .iter()
                    .filter_map(|c| c.html.map(|f| (c.class, f(item).0)))
                    .collect();
                if let Some(a) = actions {
                    cells.push(("nowrap", format!("<div class=\"btn-group\">{}</div>", a(item, csrf).0)));
                }
                ListRow {
                    select: select.and_then(|s| (s.value)(item)),
                    cells,
                }
            })
            .collect();
        let pages = page.pages();
        let current = page.page.min(pages);
        let mut numbers: Vec<i64> = vec![1, pages];
        numbers.extend((current - 2).max(1)..=(current + 2).min(pages));
        numbers.sort_unstable();
        numbers.dedup();
        let mut links = Vec::new();
        let mut last = 0;
        for n in numbers {
            if n > last + 1 {
                links.push(PageLink {
                    number: None,
                    href: String::new(),
                    current: false,
                });
            }
            links.push(PageLink {
                number: Some(n),
                href: with(&sort_pairs(n, page.per_page)),
                current: n == current,
            });
            last = n;
        }
        let mut hidden: Vec<(String, String)> = filters.to_vec();
        hidden.push(("sort".into(), sort.into()));
        hidden.push(("dir".into(), if desc { "desc" } else { "asc" }.into()));
        hidden.push(("per_page".into(), page.per_page.to_string()));
        let pager = Pager {
            total: page.total,
            page: current,
            pages,
            per_page: page.per_page,
            unit: self.unit,
            prev: (current > 1).then(|| with(&sort_pairs(current - 1, page.per_page))),
            next: (current < pages).then(|| with(&sort_pairs(current + 1, page.per_page))),
            links,
            sizes: PAGE_SIZES
                .iter()
                .map(|&s| (s, with(&sort_pairs(1, s)), s == page.per_page))
                .collect(),
            path: self.path,
            hidden,
        };
        let export_href = match &self.export {
            Some(_) if can_export => {
                let mut pairs: Vec<(String, String)> = filters.to_vec();
                pairs.push(("sort".into(), sort.into()));
                pairs.push(("dir".into(), if desc { "desc" } else { "asc" }.into()));
                Some(format!("{}/export.xlsx?{}", self.path, query(&pairs)))
            }
            _ => None,
        };
        ListView {
            id: self.id,
            empty_id: self.empty_id,
            empty: self.empty,
            headers,
            rows,
            pager,
            export_href,
            select: select.map(|s| SelectView {
                form: s.form,
                name: s.name,
                checked: s.checked,
            }),
            paged: self.paged,
        }
    }

    /// The Excel workbook of `items`: the exported columns, in order (and the export's extra
    /// sheet, if it declares one).
    pub fn xlsx(&self, sheet: &str, items: &[T]) -> Result<Vec<u8>, AppError> {
        let cols: Vec<&Column<T>> = self.columns.iter().filter(|c| c.excel.is_some()).collect();
        let headers: Vec<&str> = cols.iter().map(|c| c.label).collect();
        let rows: Vec<Vec<Cell>> = items
            .iter()
            .map(|item| cols.iter().filter_map(|c| c.excel.map(|f| f(item))).collect())
            .collect();
        let extra = self.export.as_ref().and_then(|e| e.extra.as_ref());
        let extra_rows = extra.map(|x| (x.rows)(items));
        let mut sheets: Vec<qinglian_office::ExportSheet<'_>> = vec![(sheet, &headers, &rows)];
        if let (Some(x), Some(r)) = (extra, &extra_rows) {
            sheets.push((x.name, x.headers, r));
        }
        qinglian_office::export_xlsx_sheets(&sheets).map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))
    }

    /// The export: permission, workbook, audit entry (`detail` says what was asked for), file.
    pub async fn export(&self, app: &App, ctx: &Ctx, items: &[T], detail: String) -> Result<Response, AppError> {
        let ex = self.export.as_ref().ok_or(AppError::NotFound("导出"))?;
        ctx.require(ex.permission)?;
        let bytes = self.xlsx(ex.sheet, items)?;
        let what = if detail.is_empty() {
            format!("导出{}{}", items.len(), self.unit)
        } else {
            format!("导出{}{}（{detail}）", items.len(), self.unit)
        };
        let ev = Event::success(ex.audit_action, ex.object_type, "", what);
        crate::services::audit::read(app, ctx, ev).await?;
        Ok(download(ex.file, XLSX, bytes))
    }
}

/// Filter pairs from optional values (empty ones left out), for [`ListSpec::view`].
pub fn filters(pairs: &[(&str, Option<&str>)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .filter_map(|(k, v)| {
            v.map(str::trim)
                .filter(|v| !v.is_empty())
                .map(|v| ((*k).to_string(), v.to_string()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Row {
        name: String,
        n: i64,
    }

    static SPEC: ListSpec<Row> = ListSpec {
        id: "rows",
        empty_id: "rows-empty",
        path: "/rows",
        empty: "没有记录",
        unit: "条",
        default_sort: "name",
        per_page: 20,
        columns: &[
            Column {
                label: "名称",
                sort: Some("name"),
                class: "",
                html: Some(|r| html::link("/rows/1", &r.name)),
                excel: Some(|r| Cell::Text(r.name.clone())),
            },
            Column {
                label: "数量",
                sort: None,
                class: "num",
                html: Some(|r| html::text(&r.n.to_string())),
                excel: Some(|r| Cell::Int(r.n)),
            },
            Column {
                label: "操作",
                sort: None,
                class: "",
                html: Some(|_| html::text("查看")),
                excel: None,
            },
        ],
        export: None,
        actions: None,
        select: None,
        paged: true,
    };

    fn page(total: i64, page: i64, per: i64) -> Page<Row> {
        Page {
            items: vec![Row {
                name: "<b>甲</b>".into(),
                n: 3,
            }],
            total,
            page,
            per_page: per,
        }
    }

    #[test]
    fn cells_are_escaped_and_links_keep_the_filters() {
        let params = ListParams {
            sort: Some("name".into()),
            dir: Some("desc".into()),
            ..Default::default()
        };
        let f = filters(&[("q", Some("张 三")), ("org_id", Some("")), ("x", None)]);
        let v = SPEC.view(&page(95, 3, 10), &f, &params, true);
        assert_eq!(v.rows[0].cells[0].1, "<a href=\"/rows/1\">&lt;b&gt;甲&lt;/b&gt;</a>");
        assert_eq!(v.headers[0].state, "desc");
        assert_eq!(
            v.headers[0].href.as_deref(),
            Some("/rows?q=%E5%BC%A0%20%E4%B8%89&sort=name&dir=asc&per_page=10")
        );
        assert!(v.headers[1].href.is_none());
        let p = &v.pager;
        assert_eq!((p.total, p.page, p.pages), (95, 3, 10));
        let numbers: Vec<Option<i64>> = p.links.iter().map(|l| l.number).collect();
        assert_eq!(
            numbers,
            vec![Some(1), Some(2), Some(3), Some(4), Some(5), None, Some(10)]
        );
        assert!(p.prev.as_deref().unwrap().ends_with("page=2"));
        assert!(p.sizes.iter().any(|(s, _, cur)| *s == 10 && *cur));
        assert!(v.export_href.is_none(), "no export declared");
        // The Excel file has the exported columns only.
        let bytes = SPEC.xlsx("表", &page(1, 1, 10).items).unwrap();
        assert!(bytes.starts_with(b"PK"));
    }

    #[test]
    fn paging_is_bounded_and_sorting_is_whitelisted() {
        let p = |page: i64, per: i64| {
            ListParams {
                page: Some(page),
                per_page: Some(per),
                ..Default::default()
            }
            .paging(20)
        };
        assert_eq!(p(2, 50), (2, 50));
        assert_eq!(p(1, 7), (1, 20));
        assert_eq!(p(-5, 100), (1, 100));
        assert_eq!(p(99_999_999_999, 10), (1_000_000, 10));
        let unknown = ListParams {
            sort: Some("password".into()),
            ..Default::default()
        };
        assert_eq!(SPEC.sort_key(&unknown), "name");
    }
}
