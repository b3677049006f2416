//! The data-directory lock: a running server holds `DATA/qinglian.lock` exclusively, so a
//! second server or a restore refuses instead of corrupting the database.

use std::fs::{File, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::Path;

use anyhow::Context;

use crate::exit::refused;

/// File name of the lock inside the data directory.
pub const LOCK_FILE: &str = "qinglian.lock";

/// A held lock; released when dropped (and by the OS if the process dies).
#[derive(Debug)]
pub struct DataLock {
    _file: File,
}

/// Take the exclusive lock on `data_dir`, or refuse naming the holder. `what` says what the
/// caller wants to do, for the message.
pub fn acquire(data_dir: &Path, what: &str) -> anyhow::Result<DataLock> {
    qinglian_web::app::create_private_dir(data_dir)?;
    let path = data_dir.join(LOCK_FILE);
    let mut file = File::options()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .with_context(|| format!("无法打开锁文件{}", path.display()))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            let mut holder = String::new();
            let _ = file.read_to_string(&mut holder);
            let pid = holder.trim();
            let who = if pid.is_empty() {
                String::new()
            } else {
                format!("（进程号{pid}）")
            };
            return Err(refused(format!(
                "数据目录{}正被运行中的qinglian服务使用{who}，无法{what}；请先停止服务",
                data_dir.display()
            )));
        }
        Err(TryLockError::Error(e)) => {
            return Err(e).with_context(|| format!("无法锁定{}", path.display()));
        }
    }
    // Record who holds it, for the message above.
    file.set_len(0)?;
    file.rewind()?;
    write!(file, "{}", std::process::id())?;
    file.flush()?;
    Ok(DataLock { _file: file })
}
