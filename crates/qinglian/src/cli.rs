//! The command line (clap derive).

use std::path::PathBuf;

use clap::{ArgAction, Args, CommandFactory, FromArgMatches, Parser, Subcommand};

/// Help layout with Chinese headings.
const HELP_TEMPLATE: &str = "{before-help}{about-with-newline}\n用法：{usage}\n\n{all-args}{after-help}";

/// qinglian（清廉）：纪检监察廉政监督平台
#[derive(Debug, Parser)]
#[command(name = "qinglian", version, disable_help_subcommand = true)]
pub struct Cli {
    /// 数据目录（内置数据库、密钥、配置文件qinglian.toml）
    #[arg(
        long = "data",
        value_name = "DIR",
        env = "QINGLIAN_DATA",
        default_value = "./qinglian-data",
        global = true
    )]
    pub data: PathBuf,
    /// 数据库地址，如 postgres://用户@主机/库名（默认使用数据目录中的内置SQLite数据库；也可用环境变量QINGLIAN_DATABASE_URL）
    #[arg(long = "database-url", value_name = "URL", global = true)]
    pub database_url: Option<String>,
    /// 子命令
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// 启动Web服务
    Serve(ServeArgs),
    /// 执行数据库迁移
    Migrate,
    /// 用户账号管理
    #[command(subcommand)]
    User(UserCommand),
    /// 审计日志
    #[command(subcommand)]
    Audit(AuditCommand),
    /// 字段加密密钥
    #[command(subcommand)]
    Keys(KeysCommand),
    /// 招投标红旗指标（与 OCP Cardinal 的 indicators 命令兼容）
    #[command(subcommand)]
    Redflags(RedflagsCommand),
    /// 大数据监督比对模型
    #[command(subcommand)]
    Model(ModelCommand),
    /// 生成带植入真值的合成数据集（全部规范数据集及truth.csv）
    Synth(qinglian_analytics::SynthArgs),
    /// 在线备份内置数据库（服务运行时也可执行）
    Backup(BackupArgs),
    /// 从备份文件恢复内置数据库（须先停止服务）
    Restore(RestoreArgs),
    /// 装入演示数据（示例市），不启动服务
    Demo,
}

/// `serve` options.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// 监听地址，如 127.0.0.1:8080
    #[arg(long, value_name = "ADDR")]
    pub addr: Option<String>,
    /// 演示模式：装入示例市演示数据并打印演示账号（切勿用于生产）
    #[arg(long)]
    pub demo: bool,
}

/// `user` subcommands.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// 新建用户（首次登录须修改密码）
    Add(UserAddArgs),
    /// 重置密码（首次登录须修改，并结束该用户的全部会话）
    Passwd(UserPasswdArgs),
    /// 停用账号（并结束其全部会话）
    Disable(UsernameArg),
    /// 启用账号
    Enable(UsernameArg),
    /// 解除因登录失败导致的锁定
    Unlock(UsernameArg),
    /// 列出全部用户
    List,
}

/// `user add` options.
#[derive(Debug, Args)]
pub struct UserAddArgs {
    /// 用户名（3–32位小写字母、数字、下划线、点或连字符，以字母开头）
    pub username: String,
    /// 姓名
    #[arg(long, value_name = "NAME")]
    pub name: String,
    /// 角色代码（可重复），如 sysadmin、leader、unit_admin
    #[arg(long = "role", value_name = "ROLE_CODE", required = true)]
    pub roles: Vec<String>,
    /// 所属单位编号
    #[arg(long, value_name = "ORG_ID")]
    pub org: Option<qinglian_store::org::OrgId>,
    /// 数据权限：可查看的单位编号（含下级，可重复）
    #[arg(long = "scope", value_name = "ORG_ID")]
    pub scopes: Vec<qinglian_store::org::OrgId>,
    /// 从标准输入读取密码（一行）；不指定则随机生成并显示
    #[arg(long)]
    pub password_stdin: bool,
}

/// `user passwd` options.
#[derive(Debug, Args)]
pub struct UserPasswdArgs {
    /// 用户名
    pub username: String,
    /// 从标准输入读取新密码（一行）；不指定则随机生成并显示
    #[arg(long)]
    pub password_stdin: bool,
}

/// A username argument.
#[derive(Debug, Args)]
pub struct UsernameArg {
    /// 用户名
    pub username: String,
}

/// `audit` subcommands.
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// 校验审计日志哈希链是否完整（被改动、删除或重排时返回非零）
    Verify,
    /// 删除早于指定日期且已过保存期的审计日志（保存期内的记录任何人都不能删除）
    Purge(AuditPurgeArgs),
}

/// `audit purge` options.
#[derive(Debug, Args)]
pub struct AuditPurgeArgs {
    /// 删除此日期（YYYY-MM-DD，北京时间）之前的记录
    #[arg(long, value_name = "DATE")]
    pub before: String,
}

/// `keys` subcommands.
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// 生成新版本的字段加密主密钥，并用它重新加密已有的加密字段（旧密钥保留用于解密）
    Rotate,
}

/// `backup` options.
#[derive(Debug, Args)]
pub struct BackupArgs {
    /// 备份文件（不能已存在）
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

/// `restore` options.
#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// 备份文件
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

/// Give a command and all its subcommands Chinese help headings and flag descriptions.
fn localize(cmd: clap::Command, root: bool) -> clap::Command {
    let mut cmd = cmd
        .help_template(HELP_TEMPLATE)
        .subcommand_help_heading("命令")
        .subcommand_value_name("命令")
        .disable_help_flag(true)
        .mut_args(|a| {
            if a.get_help_heading().is_some() {
                a
            } else if a.is_positional() {
                a.help_heading("参数")
            } else {
                a.help_heading("选项")
            }
        })
        .arg(
            clap::Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .help("显示帮助")
                .help_heading("选项")
                .global(root),
        );
    if root {
        cmd = cmd.disable_version_flag(true).arg(
            clap::Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help("显示版本")
                .help_heading("选项"),
        );
    }
    let subs: Vec<String> = cmd.get_subcommands().map(|s| s.get_name().to_string()).collect();
    for name in subs {
        cmd = cmd.mut_subcommand(name, |s| localize(s, false));
    }
    cmd
}

/// The full command definition, with Chinese help.
pub fn command() -> clap::Command {
    localize(Cli::command(), true)
}

/// Parse the process arguments; prints help or a usage error and exits (code 2) itself.
pub fn parse() -> Cli {
    let matches = command().get_matches();
    Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
}

#[cfg(test)]
mod tests {
    #[test]
    fn cli_definition_is_consistent() {
        super::command().debug_assert();
    }

    #[test]
    fn parses_user_add_with_repeated_roles_and_scopes() {
        use clap::FromArgMatches;
        let matches = super::command()
            .try_get_matches_from([
                "qinglian", "--data", "/tmp/x", "user", "add", "zhangsan", "--name", "张三", "--role", "leader",
                "--role", "staff", "--scope", "3", "--scope", "7",
            ])
            .unwrap();
        let cli = super::Cli::from_arg_matches(&matches).unwrap();
        match cli.command {
            super::Command::User(super::UserCommand::Add(a)) => {
                assert_eq!(a.roles, ["leader", "staff"]);
                assert_eq!(a.scopes, [qinglian_store::org::OrgId(3), qinglian_store::org::OrgId(7)]);
                assert!(!a.password_stdin);
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}

/// `redflags` subcommands.
#[derive(Debug, Subcommand)]
pub enum RedflagsCommand {
    /// 读取OCDS合并发布（每行一个JSON），按Cardinal的格式输出红旗指标
    Indicators(qinglian_redflags::IndicatorsArgs),
}

/// `model` subcommands.
#[derive(Debug, Subcommand)]
pub enum ModelCommand {
    /// 在数据集目录上运行全部内置模型，对照真值文件输出各模型的精确率与召回率
    Eval(qinglian_analytics::EvalArgs),
    /// 在数据集目录上运行内置模型（显示进度条），输出各模型疑点数或JSON疑点；Ctrl-C可取消
    Run(qinglian_analytics::RunArgs),
    /// 把数据集目录规范化后写成Parquet目录（供 model run --prepared / --cluster 使用）
    Prepare(qinglian_analytics::PrepareArgs),
    /// 列出内置模型（编号与名称）
    List,
    /// 输出内置模型代入参数后的SQL
    Sql(qinglian_analytics::SqlArgs),
}
