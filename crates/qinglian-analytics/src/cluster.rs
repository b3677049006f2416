//! Scale-out on Apache Arrow Ballista (cargo feature `ballista`; see docs/SCALE-OUT.md).
//!
//! [`connect`] opens a session on a remote Ballista scheduler (`df://HOST:PORT`), registers the
//! canonical datasets as Parquet tables from one directory of `NAME.parquet` files and returns
//! an [`Engine`] over that session: a model's rendered SQL is planned by the client, executed by
//! the cluster's executors, and the result batches become findings through the same
//! [`crate::model::findings_from_batches`] as in the embedded engine.
//!
//! The executors read the files themselves, so the directory must be visible under the same
//! absolute path on the machine running `qinglian` (which checks which datasets exist) and on
//! every scheduler and executor host: a shared filesystem (NFS, CephFS…) or an object store
//! mounted as one (s3fs, JuiceFS…). The files must hold normalised canonical data (as
//! `qinglian model prepare`, i.e. [`crate::run_cli::write_parquet_dir`], writes them): unlike the
//! embedded engine, the cluster does not normalise ID numbers, credit codes or names while
//! reading.

use std::path::{Path, PathBuf};
use std::time::Duration;

use ballista::prelude::{SessionConfigExt, SessionContextExt};
use datafusion::execution::SessionStateBuilder;
use datafusion::prelude::{ParquetReadOptions, SessionConfig, SessionContext};

use crate::dataset::{DATASETS, DatasetSpec, LoadError};
use crate::model::{Engine, ModelError, RunOptions};

/// How long [`connect`] waits for the cluster to answer a trivial query.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(60);

/// Checks a `df://HOST:PORT` scheduler address (the port defaults to 50050).
pub fn check_url(url: &str) -> Result<(), ModelError> {
    let rest = url
        .strip_prefix("df://")
        .ok_or_else(|| ModelError::Query(format!("集群地址“{url}”无效，应为 df://主机:端口")))?;
    let host = rest.split([':', '/']).next().unwrap_or_default();
    if host.is_empty() {
        return Err(ModelError::Query(format!(
            "集群地址“{url}”缺少主机名，应为 df://主机:端口"
        )));
    }
    Ok(())
}

/// Connects to the Ballista scheduler at `url` (`df://HOST:PORT`), registers the datasets of
/// `dir` with [`register_parquet_dir`] and checks that the cluster runs a query.
pub async fn connect(url: &str, dir: &Path, options: RunOptions) -> Result<Engine, ModelError> {
    check_url(url)?;
    // Ballista 55's adaptive query planner never finishes a LEFT JOIN whose right side is empty
    // (e.g. `relative_benefit_unfiled` without any filings): use the static distributed planner.
    let config = SessionConfig::new_with_ballista().with_ballista_adaptive_query_planner(false);
    let state = SessionStateBuilder::new()
        .with_default_features()
        .with_config(config)
        .build();
    let ctx = SessionContext::remote_with_state(url, state)
        .await
        .map_err(|e| ModelError::Query(format!("无法连接Ballista调度器{url}：{e}")))?;
    register_parquet_dir(&ctx, dir).await?;
    let ping = async {
        ctx.sql("SELECT 1 AS ok").await?.collect().await?;
        Ok::<_, datafusion::error::DataFusionError>(())
    };
    tokio::select! {
        biased;
        _ = options.cancel.cancelled() => return Err(ModelError::Cancelled),
        r = tokio::time::timeout(CONNECT_TIMEOUT, ping) => match r {
            Err(_) => {
                return Err(ModelError::Query(format!(
                    "Ballista集群{url}在{}秒内没有响应（调度器或执行节点未启动？）",
                    CONNECT_TIMEOUT.as_secs()
                )));
            }
            Ok(Err(e)) => return Err(ModelError::Query(format!("Ballista集群{url}无法执行查询：{e}"))),
            Ok(Ok(())) => {}
        },
    }
    Ok(Engine::from_context(ctx, options))
}

/// Starts a Ballista scheduler and one executor with `executor_cores` task slots inside this
/// process, on free local ports, and returns the scheduler address (`df://localhost:PORT`) for
/// [`connect`]. They run on the current Tokio runtime until it shuts down. For tests and for
/// trying the cluster path on one machine; a real cluster runs them as separate services.
pub async fn start_local(executor_cores: usize) -> Result<String, ModelError> {
    use ballista_core::serde::BallistaCodec;
    use ballista_core::serde::protobuf::scheduler_grpc_client::SchedulerGrpcClient;

    let failed = |e: &dyn std::fmt::Display| ModelError::Query(format!("无法启动本地Ballista集群：{e}"));
    let addr = ballista_scheduler::standalone::new_standalone_scheduler()
        .await
        .map_err(|e| failed(&e))?;
    let grpc = format!("http://localhost:{}", addr.port());
    let mut attempts = 0;
    let scheduler = loop {
        match SchedulerGrpcClient::connect(grpc.clone()).await {
            Ok(client) => break client,
            Err(e) if attempts >= 100 => return Err(failed(&e)),
            Err(_) => {
                attempts += 1;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    };
    ballista_executor::new_standalone_executor(scheduler, executor_cores.max(1), BallistaCodec::default())
        .await
        .map_err(|e| failed(&e))?;
    Ok(format!("df://localhost:{}", addr.port()))
}

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
    fn urls() {
        assert!(check_url("df://10.0.0.5:50050").is_ok());
        assert!(check_url("df://scheduler").is_ok());
        assert!(check_url("http://x:1").is_err());
        assert!(check_url("df://:50050").is_err());
    }

    #[test]
    fn empty_views_have_the_canonical_columns() {
        let sql = empty_select(crate::dataset::spec("awards").unwrap());
        assert_eq!(
            sql,
            "SELECT CAST(NULL AS VARCHAR) AS tender_id, CAST(NULL AS VARCHAR) AS supplier_credit_code, \
             CAST(NULL AS DOUBLE) AS amount, CAST(NULL AS DATE) AS awarded_on WHERE 1 = 0"
        );
    }
}
