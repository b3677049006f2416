//! A tiny query builder for dynamic filters: tracks `$N` placeholders and their values.
//!
//! sqlx's `QueryBuilder` writes `?` placeholders under the `Any` driver, which PostgreSQL
//! rejects; this writes `$N`, which both databases accept.

use sqlx::Arguments;
use sqlx::any::AnyArguments;

/// One bound value.
#[derive(Debug, Clone)]
pub enum Arg {
    /// An integer.
    Int(i64),
    /// A text value.
    Text(String),
}

/// SQL text plus its bound values.
#[derive(Debug, Default, Clone)]
pub struct Query {
    sql: String,
    args: Vec<Arg>,
}

impl Query {
    /// Start with some SQL.
    pub fn new(sql: &str) -> Query {
        Query {
            sql: sql.to_string(),
            args: Vec::new(),
        }
    }
    /// Append raw SQL (never user input).
    pub fn push(&mut self, sql: &str) -> &mut Self {
        self.sql.push_str(sql);
        self
    }
    /// Append a placeholder bound to an integer.
    pub fn bind_int(&mut self, v: impl Into<i64>) -> &mut Self {
        self.args.push(Arg::Int(v.into()));
        self.sql.push_str(&format!("${}", self.args.len()));
        self
    }
    /// Append a placeholder bound to a text value.
    pub fn bind_text(&mut self, v: impl Into<String>) -> &mut Self {
        self.args.push(Arg::Text(v.into()));
        self.sql.push_str(&format!("${}", self.args.len()));
        self
    }
    /// Append ` AND <column> IN (…)` for the comma-separated values of a filter (`a,b`),
    /// nothing when there are none.
    pub fn push_in(&mut self, column: &str, csv: Option<&str>) -> &mut Self {
        let values: Vec<&str> = csv
            .unwrap_or("")
            .split(',')
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .collect();
        if values.is_empty() {
            return self;
        }
        self.push(" AND ");
        self.push(column);
        self.push(" IN (");
        for (i, v) in values.into_iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.bind_text(v);
        }
        self.push(")")
    }
    /// The SQL text.
    pub fn sql(&self) -> &str {
        &self.sql
    }
    /// The bound values as sqlx arguments.
    pub fn arguments(&self) -> AnyArguments {
        let mut a = AnyArguments::default();
        for arg in &self.args {
            // Adding a plain i64/String to AnyArguments cannot fail.
            let _ = match arg {
                Arg::Int(i) => a.add(*i),
                Arg::Text(s) => a.add(s.clone()),
            };
        }
        a
    }
    /// Build a sqlx query over this SQL and its arguments.
    pub fn build(&self) -> sqlx::query::Query<'static, sqlx::Any, AnyArguments> {
        // Safe: the SQL text is only ever assembled from literals by `push`; every user value
        // goes through a bound placeholder.
        sqlx::query_with(sqlx::AssertSqlSafe(self.sql.clone()), self.arguments())
    }
}

/// Escape a user string for `LIKE … ESCAPE '\'`.
pub fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// One page of a list, the same way for every list (issue #11 §3): `count` is the filtered
/// query selecting `COUNT(*)`, `rows` the same filter selecting the columns; `order` (an
/// `ORDER BY …` clause, with a unique last key so pages never overlap) is appended to the rows.
pub async fn fetch_page<T>(
    db: &crate::Db,
    count: Query,
    mut rows: Query,
    order: &str,
    page: i64,
    per_page: i64,
    from_row: impl Fn(&sqlx::any::AnyRow) -> crate::StoreResult<T>,
) -> crate::StoreResult<Page<T>> {
    use sqlx::Row;
    let total: i64 = count.build().fetch_one(db.pool()).await?.try_get(0)?;
    rows.push(order);
    rows.push(" LIMIT ");
    rows.bind_int(per_page);
    rows.push(" OFFSET ");
    rows.bind_int((page.max(1) - 1) * per_page);
    let found = rows.build().fetch_all(db.pool()).await?;
    Ok(Page {
        items: found.iter().map(from_row).collect::<crate::StoreResult<_>>()?,
        total,
        page,
        per_page,
    })
}

/// Every row of a filtered query in `order`, capped at `limit` (exports).
pub async fn fetch_all<T>(
    db: &crate::Db,
    mut rows: Query,
    order: &str,
    limit: i64,
    from_row: impl Fn(&sqlx::any::AnyRow) -> crate::StoreResult<T>,
) -> crate::StoreResult<Vec<T>> {
    rows.push(order);
    rows.push(" LIMIT ");
    rows.bind_int(limit);
    let found = rows.build().fetch_all(db.pool()).await?;
    found.iter().map(from_row).collect()
}

/// One page of a list.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Page<T> {
    /// The rows of this page.
    pub items: Vec<T>,
    /// Total rows matching the filter.
    pub total: i64,
    /// 1-based page number.
    pub page: i64,
    /// Rows per page.
    pub per_page: i64,
}

impl<T> Page<T> {
    /// The same page with every row turned into something else (a view row).
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            total: self.total,
            page: self.page,
            per_page: self.per_page,
        }
    }
    /// One page of rows held in memory (a list computed in full, e.g. deadline warnings).
    pub fn of_all(all: Vec<T>, page: i64, per_page: i64) -> Page<T> {
        let total = all.len() as i64;
        let per_page = per_page.max(1);
        let pages = ((total + per_page - 1) / per_page).max(1);
        let page = page.clamp(1, pages);
        let items = all
            .into_iter()
            .skip(((page - 1) * per_page) as usize)
            .take(per_page as usize)
            .collect();
        Page {
            items,
            total,
            page,
            per_page,
        }
    }
    /// Number of pages (at least 1).
    pub fn pages(&self) -> i64 {
        ((self.total + self.per_page - 1) / self.per_page.max(1)).max(1)
    }
}
