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

use std::path::Path;
use std::time::Duration;

use ballista::prelude::{SessionConfigExt, SessionContextExt};
use datafusion::execution::SessionStateBuilder;
use datafusion::prelude::{SessionConfig, SessionContext};

pub use crate::dataset::register_parquet_dir;
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
/// `dir` with [`crate::dataset::register_parquet_dir`] and checks that the cluster runs a query.
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
}
