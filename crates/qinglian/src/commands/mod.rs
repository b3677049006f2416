//! The subcommands.

mod audit;
mod backup;
mod serve;
mod user;

use anyhow::Context;
use qinglian_store::{Db, Dialect};
use qinglian_web::config::Config;

use crate::cli::{Cli, Command};
use crate::exit::refused;

/// Run one parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let mut overrides = Vec::new();
    if let Command::Serve(args) = &cli.command
        && let Some(addr) = &args.addr
    {
        overrides.push(("addr", addr.clone()));
    }
    let config = load_config(&cli, &overrides)?;
    match cli.command {
        Command::Serve(args) => serve::serve(config, args).await,
        Command::Migrate => migrate(config).await,
        Command::User(cmd) => user::run(config, cmd).await,
        Command::Audit(crate::cli::AuditCommand::Verify) => audit::verify(config).await,
        Command::Audit(crate::cli::AuditCommand::Purge(args)) => audit::purge(config, &args.before).await,
        Command::Keys(crate::cli::KeysCommand::Rotate) => audit::rotate_keys(config).await,
        Command::Redflags(crate::cli::RedflagsCommand::Indicators(args)) => qinglian_redflags::run_indicators(&args),
        Command::Model(crate::cli::ModelCommand::Eval(args)) => qinglian_analytics::run_eval(&args).await,
        Command::Model(crate::cli::ModelCommand::Run(args)) => qinglian_analytics::run_models(&args).await,
        Command::Model(crate::cli::ModelCommand::Prepare(args)) => qinglian_analytics::run_prepare(&args).await,
        Command::Model(crate::cli::ModelCommand::Sql(args)) => qinglian_analytics::run_sql(&args),
        Command::Model(crate::cli::ModelCommand::List) => qinglian_analytics::run_list(),
        Command::Synth(args) => tokio::task::spawn_blocking(move || qinglian_analytics::run_synth(&args)).await?,
        Command::Backup(args) => backup::backup(config, &args.out).await,
        Command::Restore(args) => backup::restore(config, &args.file).await,
        Command::Demo => serve::demo(config).await,
    }
}

/// Load the layered configuration; `extra` are further flag overrides.
/// Unknown keys are warned about on stderr.
fn load_config(cli: &Cli, extra: &[(&str, String)]) -> anyhow::Result<Config> {
    let mut overrides: Vec<(&str, String)> = extra.to_vec();
    if let Some(url) = &cli.database_url {
        overrides.push(("database_url", url.clone()));
    }
    let (config, warnings) = Config::load(&cli.data, std::env::vars(), &overrides)?;
    for w in warnings {
        eprintln!("警告：{w}");
    }
    Ok(config)
}

/// The dialect the configuration points at.
fn dialect(config: &Config) -> Dialect {
    Dialect::from_url(&config.effective_database_url()).unwrap_or(Dialect::Sqlite)
}

/// Connect to an existing database without creating or migrating it (verification, backup).
pub(crate) async fn open_existing(config: &Config) -> anyhow::Result<Db> {
    if config.database_url.is_empty() {
        let file = config.data_dir.join("qinglian.db");
        if !file.exists() {
            return Err(refused(format!(
                "数据目录{}中没有数据库，请先运行 qinglian serve 或 qinglian migrate",
                config.data_dir.display()
            )));
        }
    }
    let url = config.effective_database_url();
    Db::connect(&url)
        .await
        .with_context(|| format!("无法连接数据库（{}）", qinglian_web::app::redact_url(&url)))
}

/// `migrate`: apply pending migrations and create the built-in roles.
async fn migrate(config: Config) -> anyhow::Result<()> {
    qinglian_web::app::create_private_dir(&config.data_dir)?;
    let url = config.effective_database_url();
    let db = Db::connect(&url)
        .await
        .with_context(|| format!("无法连接数据库（{}）", qinglian_web::app::redact_url(&url)))?;
    let applied = qinglian_store::migrate::run(&db).await.context("数据库迁移失败")?;
    let mut tx = db.begin().await?;
    qinglian_store::user::ensure_builtin_roles(&mut tx).await?;
    tx.commit().await?;
    let latest = qinglian_store::migrate::MIGRATIONS
        .iter()
        .map(|m| m.version)
        .max()
        .unwrap_or(0);
    if applied.is_empty() {
        println!("数据库已是最新版本（{latest}），无需迁移");
    } else {
        let list: Vec<String> = applied.iter().map(|v| v.to_string()).collect();
        println!("已应用迁移：{}（当前版本{latest}）", list.join("、"));
    }
    db.close().await;
    Ok(())
}
