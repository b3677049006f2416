//! `qinglian` (清廉): the single binary — web server, migrations, users, audit verification,
//! backup and restore, demo data.

mod cli;
mod commands;
mod exit;
mod lock;
mod table;

use std::process::ExitCode;

fn main() -> ExitCode {
    // A bug must never show a Rust backtrace to an operator: one Chinese line instead.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("qinglian 内部错误：{info}");
    }));
    let cli = cli::parse();
    // Query planning recurses deeply (model SQL, and Ballista's plan serialisation with
    // `--cluster`): give worker threads more than Tokio's default 2 MiB of stack.
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .thread_stack_size(16 << 20)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("错误：无法启动运行时：{e}");
            return ExitCode::from(exit::FAILURE);
        }
    };
    let result = runtime.block_on(commands::run(cli));
    // Every task has finished its work by now; do not wait on idle worker threads.
    runtime.shutdown_timeout(std::time::Duration::from_millis(500));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("错误：{}", exit::message(&err));
            ExitCode::from(exit::code(&err))
        }
    }
}
