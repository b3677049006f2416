//! `serve` and `demo`.

use std::io::Write;

use anyhow::Context;
use qinglian_web::App;
use qinglian_web::config::Config;
use qinglian_web::demo::DemoLogin;

use crate::cli::ServeArgs;
use crate::exit::refused;

/// Environment variable with the password for every demo user.
const DEMO_PASSWORD_ENV: &str = "QINGLIAN_DEMO_PASSWORD";

/// Log to stderr with the configured filter. Never logs secrets: the config is not logged.
fn init_tracing(config: &Config) -> anyhow::Result<()> {
    let filter = tracing_subscriber::EnvFilter::try_new(&config.log)
        .map_err(|e| refused(format!("配置项log有误（{}）：{e}", config.log)))?;
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .init();
    Ok(())
}

/// `serve`: lock the data directory, open the app, optionally seed the demo, serve until
/// Ctrl-C or SIGTERM.
pub async fn serve(mut config: Config, args: ServeArgs) -> anyhow::Result<()> {
    if args.demo {
        config.demo = true;
    }
    init_tracing(&config)?;
    let _lock = crate::lock::acquire(&config.data_dir, "启动第二个服务")?;
    if config.demo {
        tracing::warn!("演示模式：不强制双因素登录和首次登录改密，切勿用于生产");
    }
    let addr = config.addr.clone();
    let app = App::open(config).await?;
    if app.config.demo {
        let logins = qinglian_web::demo::seed(&app, std::env::var(DEMO_PASSWORD_ENV).ok())
            .await
            .context("装入演示数据失败")?;
        print_logins(&logins);
    }
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .with_context(|| format!("无法监听地址{addr}"))?;
    let local = listener.local_addr().context("无法获取监听地址")?;
    println!("qinglian 已启动：http://{local}");
    let _ = std::io::stdout().flush();
    tracing::info!(addr = %local, "listening");
    let db = app.db.clone();
    qinglian_web::serve(app, listener, shutdown_signal())
        .await
        .context("服务异常退出")?;
    db.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutdown requested");
}

/// `demo`: seed the demo city without serving.
pub async fn demo(mut config: Config) -> anyhow::Result<()> {
    config.demo = true;
    let app = App::open(config).await?;
    let logins = qinglian_web::demo::seed(&app, std::env::var(DEMO_PASSWORD_ENV).ok())
        .await
        .context("装入演示数据失败")?;
    print_logins(&logins);
    app.db.close().await;
    Ok(())
}

fn print_logins(logins: &[DemoLogin]) {
    println!("演示账号（仅供演示，切勿用于生产）：");
    let rows: Vec<Vec<String>> = logins
        .iter()
        .map(|l| vec![l.username.clone(), l.role.clone(), l.password.clone()])
        .collect();
    print!("{}", crate::table::render(&["用户名", "角色", "密码"], &rows));
    let _ = std::io::stdout().flush();
}
