//! `user add|passwd|disable|enable|unlock|list`.

use std::io::BufRead;

use anyhow::Context;
use qinglian_store::audit::{self, Actor, Event, Outcome};
use qinglian_store::setting::{self, SecurityPolicy};
use qinglian_store::user;
use qinglian_web::App;
use qinglian_web::config::Config;

use crate::cli::{UserAddArgs, UserCommand};
use crate::exit::refused;

/// Run a `user` subcommand.
pub async fn run(config: Config, cmd: UserCommand) -> anyhow::Result<()> {
    let app = App::open(config).await?;
    let result = match cmd {
        UserCommand::Add(args) => add(&app, args).await,
        UserCommand::Passwd(args) => passwd(&app, &args.username, args.password_stdin).await,
        UserCommand::Disable(a) => set_disabled(&app, &a.username, true).await,
        UserCommand::Enable(a) => set_disabled(&app, &a.username, false).await,
        UserCommand::Unlock(a) => unlock(&app, &a.username).await,
        UserCommand::List => list(&app).await,
    };
    app.db.close().await;
    result
}

fn actor() -> Actor {
    Actor::system("cli")
}

/// Read one line from stdin as the password.
fn read_password_line() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("无法从标准输入读取密码")?;
    let pw = line.trim_end_matches(['\r', '\n']).to_string();
    if pw.is_empty() {
        return Err(refused("从标准输入读取的密码为空"));
    }
    Ok(pw)
}

/// The password to set: read from stdin (policy-checked) or generated. Returns it and whether
/// it was generated (and so must be shown).
async fn new_password(app: &App, username: &str, from_stdin: bool) -> anyhow::Result<(String, bool)> {
    let policy: SecurityPolicy = setting::get(&app.db, setting::SECURITY_POLICY)
        .await
        .context("读取安全策略失败")?;
    if from_stdin {
        let pw = read_password_line()?;
        policy
            .check_password(&pw, username)
            .map_err(|m| refused(format!("密码不符合安全策略：{m}")))?;
        return Ok((pw, false));
    }
    let mut pw = qinglian_web::password::generate();
    while policy.check_password(&pw, username).is_err() && pw.len() < 128 {
        pw.push_str(&qinglian_web::password::generate());
    }
    Ok((pw, true))
}

async fn find(app: &App, username: &str) -> anyhow::Result<user::UserAuth> {
    user::find_auth(app.db.pool(), username)
        .await?
        .ok_or_else(|| refused(format!("用户“{username}”不存在")))
}

async fn add(app: &App, args: UserAddArgs) -> anyhow::Result<()> {
    user::check_username(&args.username).map_err(refused)?;
    if user::find_auth(app.db.pool(), &args.username).await?.is_some() {
        return Err(refused(format!("用户名“{}”已被使用", args.username)));
    }
    let roles = user::list_roles(&app.db).await?;
    let mut role_ids = Vec::new();
    let mut role_names = Vec::new();
    let mut admin = false;
    for code in &args.roles {
        let Some(role) = roles.iter().find(|r| r.code == *code) else {
            let known: Vec<&str> = roles.iter().map(|r| r.code.as_str()).collect();
            return Err(refused(format!(
                "角色代码“{code}”不存在；可用的角色代码：{}",
                known.join("、")
            )));
        };
        admin |= role.admin_kind.is_some();
        role_ids.push(role.id);
        role_names.push(role.name.clone());
    }
    if admin && !args.scopes.is_empty() {
        return Err(refused(
            "三员（系统管理员、安全管理员、安全审计员）不能查看业务数据，不能设置数据权限（--scope）",
        ));
    }
    let (password, generated) = new_password(app, &args.username, args.password_stdin).await?;
    let hash = qinglian_web::password::hash(&password);
    let mut tx = app.db.begin().await?;
    let id = user::create(
        &mut tx,
        &user::NewUser {
            username: args.username.clone(),
            display_name: args.name.clone(),
            org_id: args.org,
            password_hash: hash,
            must_change_password: true,
        },
    )
    .await?;
    user::set_roles(&mut tx, id, &role_ids).await?;
    user::set_scope(&mut tx, id, &args.scopes).await?;
    let scope_text: Vec<String> = args.scopes.iter().map(|s| s.to_string()).collect();
    let detail = format!(
        "命令行新建用户{}（{}），角色：{}；数据权限单位：{}",
        args.username,
        args.name,
        role_names.join("、"),
        if scope_text.is_empty() {
            "无".to_string()
        } else {
            scope_text.join("、")
        }
    );
    audit::append(
        &mut tx,
        app.mode(),
        &actor(),
        &Event {
            action: "user.create",
            object_type: "user",
            object_id: id.to_string(),
            outcome: Outcome::Success,
            detail,
        },
    )
    .await?;
    tx.commit().await?;
    println!(
        "已创建用户{}（{}），角色：{}",
        args.username,
        args.name,
        role_names.join("、")
    );
    if generated {
        println!("初始密码：{password}");
    }
    println!("首次登录时须修改密码。");
    Ok(())
}

async fn passwd(app: &App, username: &str, from_stdin: bool) -> anyhow::Result<()> {
    let u = find(app, username).await?;
    let (password, generated) = new_password(app, username, from_stdin).await?;
    let hash = qinglian_web::password::hash(&password);
    let mut tx = app.db.begin().await?;
    user::set_password(&mut tx, u.user.id, &hash, true).await?;
    let event = Event {
        action: "user.password_reset",
        object_type: "user",
        object_id: u.user.id.to_string(),
        outcome: Outcome::Success,
        detail: format!("命令行重置用户{username}的密码"),
    };
    audit::append(&mut tx, app.mode(), &actor(), &event).await?;
    tx.commit().await?;
    println!("已重置用户{username}的密码，并结束其全部会话");
    if generated {
        println!("新密码：{password}");
    }
    println!("下次登录时须修改密码。");
    Ok(())
}

async fn set_disabled(app: &App, username: &str, disabled: bool) -> anyhow::Result<()> {
    let u = find(app, username).await?;
    let mut tx = app.db.begin().await?;
    user::set_disabled(&mut tx, u.user.id, disabled).await?;
    let (action, verb) = if disabled {
        ("user.disable", "停用")
    } else {
        ("user.enable", "启用")
    };
    let event = Event {
        action,
        object_type: "user",
        object_id: u.user.id.to_string(),
        outcome: Outcome::Success,
        detail: format!("命令行{verb}用户{username}"),
    };
    audit::append(&mut tx, app.mode(), &actor(), &event).await?;
    tx.commit().await?;
    if disabled {
        println!("已停用用户{username}，并结束其全部会话");
    } else {
        println!("已启用用户{username}");
    }
    Ok(())
}

async fn unlock(app: &App, username: &str) -> anyhow::Result<()> {
    let u = find(app, username).await?;
    let mut tx = app.db.begin().await?;
    user::unlock(&mut tx, u.user.id).await?;
    let event = Event {
        action: "user.unlock",
        object_type: "user",
        object_id: u.user.id.to_string(),
        outcome: Outcome::Success,
        detail: format!("命令行解除用户{username}的登录锁定"),
    };
    audit::append(&mut tx, app.mode(), &actor(), &event).await?;
    tx.commit().await?;
    println!("已解除用户{username}的登录锁定");
    Ok(())
}

/// Chinese status of an account.
fn status(u: &user::User) -> String {
    let now = qinglian_store::time::now();
    let mut s = if u.disabled {
        "已停用".to_string()
    } else if u.locked_until.as_deref().is_some_and(|t| t > now.as_str()) {
        "已锁定".to_string()
    } else {
        "正常".to_string()
    };
    if u.must_change_password {
        s.push_str("（须改密）");
    }
    s
}

async fn list(app: &App) -> anyhow::Result<()> {
    let users = user::list(&app.db).await?;
    if users.is_empty() {
        println!("还没有用户。用 qinglian user add 新建。");
        return Ok(());
    }
    let rows: Vec<Vec<String>> = users
        .iter()
        .map(|(u, roles)| vec![u.username.clone(), u.display_name.clone(), roles.join("、"), status(u)])
        .collect();
    print!("{}", crate::table::render(&["用户名", "姓名", "角色", "状态"], &rows));
    println!("共{}个用户", users.len());
    Ok(())
}
