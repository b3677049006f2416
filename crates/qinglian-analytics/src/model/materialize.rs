//! Planning a model query with its shared common table expressions (CTEs) computed once.
//!
//! DataFusion 55 inlines a CTE at every reference (apache/datafusion#17737 is open), so a CTE
//! used three times is computed three times — the main cost of the household models at city
//! scale. The engine follows PostgreSQL's rule instead (and DuckDB's since 1.4): a CTE
//! referenced two or more times, or written `AS MATERIALIZED`, is computed once into memory
//! (charged to the run's memory pool) before the query runs; `AS NOT MATERIALIZED` keeps it
//! inlined, which suits a plain filter of a large table that a join later reduces. Written here
//! because DataFusion has no such option yet; drop this module when it has.

use std::collections::HashSet;
use std::ops::ControlFlow;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use datafusion::datasource::MemTable;
use datafusion::execution::context::SQLOptions;
use datafusion::execution::memory_pool::{MemoryConsumer, MemoryReservation};
use datafusion::logical_expr::LogicalPlan;
use datafusion::physical_plan::collect_partitioned;
use datafusion::prelude::SessionContext;
use datafusion::sql::parser::{DFParser, Statement as DFStatement};
use datafusion::sql::sqlparser::ast::helpers::attached_token::AttachedToken;
use datafusion::sql::sqlparser::ast::{CteAsMaterialized, Ident, Query, Statement, With, visit_relations};
use datafusion::sql::sqlparser::dialect::PostgreSqlDialect;

use super::ModelError;

/// Tables registered for the materialised CTEs of one query; dropping it (when the query ends,
/// fails or is cancelled) removes them and returns their memory to the pool.
pub(crate) struct Materialized {
    ctx: SessionContext,
    tables: Vec<String>,
    _reservations: Vec<MemoryReservation>,
}

impl Materialized {
    /// How many CTEs were computed once.
    #[cfg(test)]
    pub(crate) fn count(&self) -> usize {
        self.tables.len()
    }
}

impl Drop for Materialized {
    fn drop(&mut self) {
        for table in &self.tables {
            let _ = self.ctx.deregister_table(table.as_str());
        }
    }
}

/// Parses `sql` (PostgreSQL dialect, so `AS [NOT] MATERIALIZED` is understood) into exactly one
/// statement; otherwise the Chinese reason. Custom-model validation parses with this too.
pub(crate) fn parse(sql: &str) -> Result<DFStatement, String> {
    let mut statements =
        DFParser::parse_sql_with_dialect(sql, &PostgreSqlDialect {}).map_err(|e| format!("SQL语法错误：{e}"))?;
    match statements.len() {
        1 => Ok(statements.pop_front().expect("one statement")),
        0 => Err("查询为空".into()),
        n => Err(format!("只能包含一条语句，当前有{n}条")),
    }
}

/// Plans `sql` in `ctx`, first computing the CTEs that PostgreSQL would materialise when
/// `materialize` is set (the embedded engine; a cluster plans the query as written). The
/// returned guard must live until the plan has been executed.
pub(crate) async fn plan(
    ctx: &SessionContext,
    sql: &str,
    options: &SQLOptions,
    materialize: bool,
) -> Result<(LogicalPlan, Materialized), ModelError> {
    let mut statement = parse(sql).map_err(ModelError::Query)?;
    let mut done = Materialized {
        ctx: ctx.clone(),
        tables: Vec::new(),
        _reservations: Vec::new(),
    };
    if let DFStatement::Statement(boxed) = &mut statement
        && let Statement::Query(query) = boxed.as_mut()
        && let Some(with) = query.with.clone()
        && !with.recursive
    {
        let chosen = if materialize {
            to_materialize(query)
        } else {
            HashSet::new()
        };
        let mut ctes = with.cte_tables;
        for i in 0..ctes.len() {
            if chosen.contains(&i) && ctes[i].query.with.is_none() {
                let table = compute(ctx, &ctes[..i], &ctes[i].query, options, &mut done).await?;
                *ctes[i].query = scan_of(&table)?;
            }
            ctes[i].materialized = None;
        }
        query.with = Some(With {
            cte_tables: ctes,
            ..with
        });
    }
    let plan = ctx.state().statement_to_plan(statement).await?;
    options.verify_plan(&plan)?;
    Ok((plan, done))
}

/// Computes one CTE body (with the CTEs before it in scope) into a memory table registered in
/// `ctx`; returns the table name.
async fn compute(
    ctx: &SessionContext,
    preceding: &[datafusion::sql::sqlparser::ast::Cte],
    body: &Query,
    options: &SQLOptions,
    done: &mut Materialized,
) -> Result<String, ModelError> {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let mut query = body.clone();
    query.with = Some(With {
        with_token: AttachedToken::empty(),
        recursive: false,
        cte_tables: preceding.to_vec(),
    });
    let statement = DFStatement::Statement(Box::new(Statement::Query(Box::new(query))));
    let plan = ctx.state().statement_to_plan(statement).await?;
    options.verify_plan(&plan)?;
    let physical = ctx.execute_logical_plan(plan).await?.create_physical_plan().await?;
    let schema = physical.schema();
    let partitions = collect_partitioned(physical, ctx.task_ctx()).await?;
    let bytes = partitions
        .iter()
        .flatten()
        .map(|b| b.get_array_memory_size())
        .sum::<usize>();
    let name = format!("__qinglian_cte_{}", NEXT.fetch_add(1, Ordering::Relaxed));
    let reservation = MemoryConsumer::new(format!("materialised CTE {name}")).register(&ctx.runtime_env().memory_pool);
    reservation.try_grow(bytes)?;
    done._reservations.push(reservation);
    ctx.register_table(name.as_str(), Arc::new(MemTable::try_new(schema, partitions)?))?;
    done.tables.push(name.clone());
    Ok(name)
}

/// `SELECT * FROM "table"` as a query AST.
fn scan_of(table: &str) -> Result<Query, ModelError> {
    match parse(&format!("SELECT * FROM \"{table}\"")).map_err(ModelError::Query)? {
        DFStatement::Statement(s) => match *s {
            Statement::Query(q) => Ok(*q),
            _ => Err(ModelError::Query("internal: not a query".into())),
        },
        _ => Err(ModelError::Query("internal: not a query".into())),
    }
}

/// Case-folded name of an identifier as DataFusion resolves it (unquoted names are lowercase).
fn folded(ident: &Ident) -> String {
    match ident.quote_style {
        Some(_) => ident.value.clone(),
        None => ident.value.to_lowercase(),
    }
}

/// Indexes of the CTEs of `query`'s WITH list to compute once: those the query uses (directly
/// or through other used CTEs) whose name appears two or more times in the used parts, or
/// written `AS MATERIALIZED`; never those written `AS NOT MATERIALIZED`.
fn to_materialize(query: &Query) -> HashSet<usize> {
    let Some(with) = &query.with else {
        return HashSet::new();
    };
    let names: Vec<String> = with.cte_tables.iter().map(|c| folded(&c.alias.name)).collect();
    // Every single-part table name a query refers to, with repetitions.
    let refs_of = |q: &Query| -> Vec<String> {
        let mut out = Vec::new();
        let _ = visit_relations(q, |name| {
            if let [part] = name.0.as_slice()
                && let Some(ident) = part.as_ident()
            {
                out.push(folded(ident));
            }
            ControlFlow::<()>::Continue(())
        });
        out
    };
    let n = names.len();
    let mut uses = vec![0usize; n];
    let mut used = vec![false; n];
    // A name refers to the last CTE of that name defined before the referring part.
    let count = |refs: Vec<String>, before: usize, uses: &mut Vec<usize>, used: &mut Vec<bool>| {
        for r in refs {
            if let Some(j) = (0..before).rev().find(|&j| names[j] == r) {
                uses[j] += 1;
                used[j] = true;
            }
        }
    };
    let mut body = query.clone();
    body.with = None;
    count(refs_of(&body), n, &mut uses, &mut used);
    for i in (0..n).rev() {
        if used[i] {
            count(refs_of(&with.cte_tables[i].query), i, &mut uses, &mut used);
        }
    }
    (0..n)
        .filter(|&i| used[i])
        .filter(|&i| match with.cte_tables[i].materialized {
            Some(CteAsMaterialized::Materialized) => true,
            Some(CteAsMaterialized::NotMaterialized) => false,
            None => uses[i] >= 2,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chosen(sql: &str) -> Vec<usize> {
        let DFStatement::Statement(s) = parse(sql).unwrap() else {
            panic!()
        };
        let Statement::Query(q) = *s else { panic!() };
        let mut v: Vec<usize> = to_materialize(&q).into_iter().collect();
        v.sort();
        v
    }

    #[test]
    fn ctes_used_twice_are_materialised_as_in_postgresql() {
        // a: used by b and the body (2) → materialised; b: once → inlined; c: unused.
        assert_eq!(
            chosen(
                "WITH a AS (SELECT 1 AS x), b AS (SELECT x FROM a), c AS (SELECT x FROM a, a AS a2) SELECT * FROM a JOIN b USING (x)"
            ),
            vec![0]
        );
        // Uses through an unused CTE do not count; the hints decide when written.
        assert_eq!(
            chosen(
                "WITH a AS NOT MATERIALIZED (SELECT 1 AS x), b AS MATERIALIZED (SELECT 2 AS x) SELECT * FROM a, a AS a2, b"
            ),
            vec![1]
        );
        // A reference inside a subquery counts; a quoted name is case-sensitive; a table that is
        // not a CTE does not count.
        assert_eq!(
            chosen(
                "WITH A AS (SELECT 1 AS x) SELECT * FROM a WHERE x IN (SELECT x FROM \"A\") AND x IN (SELECT x FROM A)"
            ),
            vec![0]
        );
        assert!(chosen("WITH a AS (SELECT 1 AS x) SELECT * FROM a, persons, persons AS p2").is_empty());
    }

    #[tokio::test]
    async fn materialised_ctes_give_the_inlined_result_and_are_dropped_after() {
        let ctx = SessionContext::new();
        let sql = "WITH a AS (SELECT column1 AS x FROM (VALUES (1), (2), (3))),
                        b AS (SELECT x * 10 AS y FROM a WHERE x > 1)
                   SELECT a.x, b.y FROM a JOIN b ON b.y = a.x * 10 UNION ALL SELECT x, NULL FROM a WHERE x = 1
                   ORDER BY 1";
        let options = SQLOptions::new();
        let (plan, done) = plan(&ctx, sql, &options, true).await.unwrap();
        assert_eq!(done.count(), 1);
        let got = ctx.execute_logical_plan(plan).await.unwrap().collect().await.unwrap();
        let (inlined, kept) = super::plan(&ctx, sql, &options, false).await.unwrap();
        assert_eq!(kept.count(), 0);
        let want = ctx
            .execute_logical_plan(inlined)
            .await
            .unwrap()
            .collect()
            .await
            .unwrap();
        let show = |b: &[datafusion::arrow::array::RecordBatch]| {
            datafusion::arrow::util::pretty::pretty_format_batches(b)
                .unwrap()
                .to_string()
        };
        assert_eq!(show(&got), show(&want));
        assert!(show(&got).contains("| 3 | 30 |"), "{}", show(&got));
        let schema = ctx.catalog("datafusion").unwrap().schema("public").unwrap();
        assert!(schema.table_names().iter().any(|t| t.starts_with("__qinglian_cte_")));
        drop(done);
        assert!(!schema.table_names().iter().any(|t| t.starts_with("__qinglian_cte_")));
    }

    #[tokio::test]
    async fn a_materialised_cte_is_charged_to_the_memory_pool() {
        let runtime = datafusion::execution::runtime_env::RuntimeEnvBuilder::new()
            .with_memory_limit(64 * 1024, 1.0)
            .build_arc()
            .unwrap();
        let ctx = SessionContext::new_with_config_rt(Default::default(), runtime);
        // 1,000 rows of 600 bytes each, used twice: more than the 64 KiB pool.
        let sql = "WITH t AS (SELECT column1 AS v FROM (VALUES (1), (2), (3), (4), (5), (6), (7), (8), (9), (10))),
                        a AS (SELECT repeat('低保', 100) AS s FROM t, t AS t2, t AS t3)
                   SELECT COUNT(*) FROM a, (SELECT COUNT(*) AS n FROM a) c";
        let err = plan(&ctx, sql, &SQLOptions::new(), true)
            .await
            .err()
            .expect("over the limit");
        assert!(matches!(err, ModelError::Memory(_)), "{err:?}");
    }
}
