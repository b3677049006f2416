//! Validation of custom (user-written) model SQL: a single read-only SELECT.

use datafusion::sql::parser::Statement as DFStatement;
use datafusion::sql::sqlparser::ast::{Query, SetExpr, Statement};

use super::ModelError;

fn reject(msg: impl Into<String>) -> ModelError {
    ModelError::NotReadOnly(msg.into())
}

/// Checks that `sql` is exactly one read-only query (SELECT, WITH … SELECT, UNION, VALUES),
/// parsed in the PostgreSQL dialect like the engine does (see `materialize`); anything else
/// (INSERT, UPDATE, DELETE, DROP, CREATE, COPY, SET, EXPLAIN, several statements, SELECT INTO,
/// FOR UPDATE) is rejected with a Chinese message.
pub fn validate_select(sql: &str) -> Result<(), ModelError> {
    match &super::materialize::parse(sql).map_err(reject)? {
        DFStatement::Statement(statement) => match statement.as_ref() {
            Statement::Query(query) => check_query(query),
            other => Err(reject(format!("不允许执行该语句：{}", statement_kind(other)))),
        },
        DFStatement::CopyTo(_) => Err(reject("不允许COPY导出数据")),
        DFStatement::CreateExternalTable(_) => Err(reject("不允许创建表")),
        DFStatement::Explain(_) => Err(reject("不允许EXPLAIN，请直接写SELECT查询")),
        _ => Err(reject("不允许执行该语句")),
    }
}

/// First keyword(s) of a statement for the error message.
fn statement_kind(statement: &Statement) -> String {
    let text = statement.to_string();
    text.split_whitespace().take(2).collect::<Vec<_>>().join(" ")
}

fn check_query(query: &Query) -> Result<(), ModelError> {
    if let Some(with) = &query.with {
        for cte in &with.cte_tables {
            check_query(&cte.query)?;
        }
    }
    if !query.locks.is_empty() {
        return Err(reject("不允许加锁查询（FOR UPDATE/FOR SHARE）"));
    }
    check_set_expr(&query.body)
}

fn check_set_expr(body: &SetExpr) -> Result<(), ModelError> {
    match body {
        SetExpr::Select(select) => {
            if select.into.is_some() {
                return Err(reject("不允许SELECT INTO"));
            }
            Ok(())
        }
        SetExpr::Query(query) => check_query(query),
        SetExpr::SetOperation { left, right, .. } => {
            check_set_expr(left)?;
            check_set_expr(right)
        }
        SetExpr::Values(_) | SetExpr::Table(_) => Ok(()),
        SetExpr::Insert(_) => Err(reject("不允许INSERT")),
        SetExpr::Update(_) => Err(reject("不允许UPDATE")),
        SetExpr::Delete(_) => Err(reject("不允许DELETE")),
        SetExpr::Merge(_) => Err(reject("不允许MERGE")),
    }
}
