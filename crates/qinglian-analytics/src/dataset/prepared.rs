//! A directory of prepared canonical Parquet files (`NAME.parquet`, as `qinglian model prepare`
//! writes them) registered as tables that queries scan in place: used by `model run --prepared`
//! and by the Ballista cluster, whose executors read the same files.

use std::path::{Path, PathBuf};

use datafusion::prelude::{ParquetReadOptions, SessionContext};

use super::{DATASETS, DatasetSpec, LoadError};
use crate::model::ModelError;

/// `dir/NAME.parquet`, with the extension matched case-insensitively.
fn parquet_file(dir: &Path, stem: &str) -> Option<PathBuf> {
    let exact = dir.join(format!("{stem}.parquet"));
    if exact.is_file() {
        return Some(exact);
    }
    std::fs::read_dir(dir).ok()?.flatten().map(|e| e.path()).find(|p| {
        p.is_file()
            && p.file_stem().and_then(|s| s.to_str()) == Some(stem)
            && p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| e.eq_ignore_ascii_case("parquet"))
    })
}

/// A SELECT returning no rows with the dataset's canonical columns (for an absent dataset).
fn empty_select(spec: &DatasetSpec) -> String {
    let columns: Vec<String> = spec
        .columns
        .iter()
        .map(|c| {
            let ty = match c.kind.data_type() {
                datafusion::arrow::datatypes::DataType::Date32 => "DATE",
                datafusion::arrow::datatypes::DataType::Timestamp(..) => "TIMESTAMP",
                datafusion::arrow::datatypes::DataType::Float64 => "DOUBLE",
                datafusion::arrow::datatypes::DataType::Int64 => "BIGINT",
                datafusion::arrow::datatypes::DataType::Boolean => "BOOLEAN",
                _ => "VARCHAR",
            };
            format!("CAST(NULL AS {ty}) AS {}", c.name)
        })
        .collect();
    format!("SELECT {} WHERE 1 = 0", columns.join(", "))
}

/// Registers every canonical dataset of `dir` as a Parquet table with the canonical schema
/// (`NAME.parquet`, read by the executors under the same absolute path); an absent dataset
/// becomes an empty view. Returns the names of the datasets found.
pub async fn register_parquet_dir(ctx: &SessionContext, dir: &Path) -> Result<Vec<&'static str>, ModelError> {
    let io = |source: std::io::Error| {
        ModelError::Load(LoadError::Io {
            path: dir.display().to_string(),
            source,
        })
    };
    if !dir.is_dir() {
        return Err(io(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "目录不存在（集群数据集目录须在本机及各执行节点以同一路径可见）",
        )));
    }
    // Executors resolve the path on their own hosts: always send an absolute one.
    let dir = std::fs::canonicalize(dir).map_err(io)?;
    let mut found = Vec::new();
    for spec in DATASETS {
        ctx.deregister_table(spec.name)?;
        match parquet_file(&dir, spec.name) {
            Some(path) => {
                let schema = spec.schema();
                let options = ParquetReadOptions::default().schema(&schema);
                let path = path
                    .to_str()
                    .ok_or_else(|| ModelError::Query(format!("路径{}含有无法识别的字符", path.display())))?;
                ctx.register_parquet(spec.name, path, options).await?;
                found.push(spec.name);
            }
            None => {
                let view = ctx.sql(&empty_select(spec)).await?.into_view();
                ctx.register_table(spec.name, view)?;
            }
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_views_have_the_canonical_columns() {
        let sql = empty_select(super::super::spec("awards").unwrap());
        assert_eq!(
            sql,
            "SELECT CAST(NULL AS VARCHAR) AS tender_id, CAST(NULL AS VARCHAR) AS supplier_credit_code, \
             CAST(NULL AS DOUBLE) AS amount, CAST(NULL AS DATE) AS awarded_on WHERE 1 = 0"
        );
    }
}
