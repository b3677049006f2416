//! Demo data of data supervision, seeded into the demo city after its people and users: the
//! small synthetic region of `qinglian synth` is published as version 1 of every dataset (into
//! a store holding no other data), every built-in model and the procurement red flags run once
//! as a job of the commission, and two findings are sent to 财政局 for checking, so `unit1` has
//! work to answer. Each step only if not done before.

use anyhow::{Context, bail};
use qinglian_analytics::dataset::{DATASETS, HeaderMapping, PublishMeta, read_source};
use qinglian_analytics::synth::{self, Format, Scale, SynthArgs};
use qinglian_store::audit::Actor;
use qinglian_store::data_supervision::{self as sv, FindingFilter};
use qinglian_store::{Scope, user};

use crate::App;
use crate::demo::DemoCity;
use crate::feature::BoxFuture;

/// Importer recorded in the versions the demo publishes (so they are recognised later).
pub const DEMO_IMPORTER: &str = "演示数据";

/// Seed of the synthetic demo datasets.
const SYNTH_SEED: u64 = 2026;

/// How many findings the demo sends to 财政局 for checking (the `unit1` login answers them).
pub const DEMO_DISPATCHED: usize = 2;

/// Data supervision for the demo, each step only if not done yet: publish the small synthetic
/// region (`qinglian synth --scale small`) as version 1 of every dataset, run every built-in
/// model and the red flags once as a job of the commission, and send two findings to 财政局.
pub fn seed<'a>(app: &'a App, city: &'a DemoCity) -> BoxFuture<'a, anyhow::Result<()>> {
    Box::pin(seed_city(app, city))
}

async fn seed_city(app: &App, city: &DemoCity) -> anyhow::Result<()> {
    let commission = city.commission;
    let finance = *city.units.get("财政局").context("演示单位财政局缺失")?;
    let sender = user::find_auth(app.db.pool(), "supervision")
        .await?
        .map(|u| u.user.id)
        .context("演示用户supervision缺失")?;

    // Real data is never mixed with the demo's: a store holding any version not published by
    // the demo gets no synthetic data, no demo run and no demo checks.
    let latest = app.datasets.latest().await?;
    for dataset in latest.keys() {
        let versions = app.datasets.versions(dataset).await?;
        if let Some(v) = versions.iter().find(|v| v.imported_by != DEMO_IMPORTER) {
            tracing::info!(dataset = %dataset, version = v.version, "dataset store holds other data: no demo data supervision");
            return Ok(());
        }
    }

    // 1. Every dataset of the synthetic region not published yet.
    let missing: Vec<&'static str> = DATASETS
        .iter()
        .map(|d| d.name)
        .filter(|d| !latest.contains_key(*d))
        .collect();
    if !missing.is_empty() {
        // Generated under the data directory (same disk as the store), removed afterwards.
        let dir = app.config.data_dir.join("demo-synth");
        let _ = std::fs::remove_dir_all(&dir);
        let args = SynthArgs {
            scale: Scale::Small,
            seed: SYNTH_SEED,
            out: dir.clone(),
            format: Format::Parquet,
        };
        let started = std::time::Instant::now();
        let generated = tokio::task::spawn_blocking(move || synth::generate(&args)).await?;
        let published = async {
            let summary = generated?;
            // Every dataset at once (each publishes its own version 1).
            let mut work = tokio::task::JoinSet::new();
            for name in missing.into_iter().filter(|n| summary.rows(n) > 0) {
                let (store, path) = (app.datasets.clone(), dir.join(format!("{name}.parquet")));
                work.spawn(async move {
                    let raw = tokio::task::spawn_blocking(move || read_source(&path))
                        .await?
                        .map_err(|e| anyhow::anyhow!("{e}"))?
                        .0;
                    let meta = PublishMeta {
                        note: format!("合成演示数据（小规模，随机种子{SYNTH_SEED}）"),
                        imported_by: DEMO_IMPORTER.to_string(),
                        source_names: vec![format!("{name}.parquet")],
                    };
                    let cancel = tokio_util::sync::CancellationToken::new();
                    store
                        .publish(name, vec![raw], &HeaderMapping::default(), meta, None, &cancel)
                        .await
                        .map_err(|e| anyhow::anyhow!("{name}：{e}"))?;
                    Ok::<_, anyhow::Error>(())
                });
            }
            while let Some(done) = work.join_next().await {
                done??;
            }
            tracing::info!(seconds = started.elapsed().as_secs_f64(), "demo datasets published");
            Ok::<_, anyhow::Error>(())
        }
        .await;
        let _ = std::fs::remove_dir_all(&dir);
        published?;
    }

    // 2. One run of every model, unless there are findings already.
    let everything = Scope::new(vec!["/".into()]);
    let findings = sv::list_findings(&app.db, &everything, &FindingFilter::default(), 1, 1).await?;
    if findings.total == 0 && !app.datasets.latest().await?.is_empty() {
        let who = super::jobs::Requester {
            org_id: commission,
            user_id: None,
            actor: Actor::system("demo"),
        };
        let params = super::jobs::RunParams {
            models: super::jobs::builtin_models().into_iter().map(|m| m.id).collect(),
            ..Default::default()
        };
        let id = super::jobs::queue_run(app, &who, params)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let started = std::time::Instant::now();
        match sv::claim_job(&app.db, id).await? {
            Some(job) => super::jobs::run_job(app, job).await,
            // A worker of another process took it: wait for it (a while).
            None => {
                while !sv::job_unscoped(&app.db, id).await?.finished() {
                    if started.elapsed() > std::time::Duration::from_secs(600) {
                        bail!("演示模型运行（任务#{id}）由其他进程执行，10分钟内未完成");
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
                }
            }
        }
        let job = sv::job_unscoped(&app.db, id).await?;
        tracing::info!(seconds = started.elapsed().as_secs_f64(), "demo model run done");
        if job.status != sv::job_status::DONE {
            bail!("演示模型运行未完成：{}", job.message);
        }
    }

    // 3. Two findings sent to 财政局, unless something was sent there already.
    let sent = FindingFilter {
        check_org_id: Some(finance),
        ..Default::default()
    };
    if sv::list_findings(&app.db, &everything, &sent, 1, 1).await?.total == 0 {
        let fresh = FindingFilter {
            status: Some(sv::finding_status::NEW.into()),
            ..Default::default()
        };
        let all = sv::list_findings_all(&app.db, &everything, &fresh, 100_000).await?;
        // A tender with red flags and a split purchase: both are the finance bureau's business.
        let mut chosen: Vec<&sv::Finding> = Vec::new();
        for model in [qinglian_analytics::redflags::ID, "split_purchase"] {
            let mut of_model: Vec<&sv::Finding> = all
                .iter()
                .filter(|f| {
                    f.model == model && (model != qinglian_analytics::redflags::ID || f.subject_kind == "tender")
                })
                .collect();
            of_model.sort_by_key(|f| f.id);
            chosen.extend(of_model.into_iter().take(1));
        }
        let mut rest: Vec<&sv::Finding> = all.iter().filter(|f| !chosen.iter().any(|c| c.id == f.id)).collect();
        rest.sort_by_key(|f| f.id);
        chosen.extend(rest);
        chosen.truncate(DEMO_DISPATCHED);
        let today = app.today();
        // The rule's working days; pending (待定) when the calendar does not reach that far.
        let due = qinglian_domain::data_supervision::check_due(&app.calendar(), today);
        let mut tx = app.db.begin().await?;
        // The demo acts as the supervision office's clerk (its sender), with the system's trust.
        let by = qinglian_store::workflow::Performer {
            user_id: Some(sender),
            actor: Actor::system("demo"),
            mode: app.mode(),
            perms: &qinglian_store::workflow::System,
        };
        for f in chosen {
            sv::dispatch(
                &mut tx,
                &everything,
                &sv::Dispatch {
                    finding_id: f.id,
                    org_id: finance,
                    note: "演示：请核实该疑点并反馈核查结果".into(),
                    start: today,
                    due,
                },
                &by,
            )
            .await?;
        }
        tx.commit().await?;
    }
    Ok(())
}
