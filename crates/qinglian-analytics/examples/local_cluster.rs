//! A Ballista scheduler and executor in one process, for trying `qinglian model run --cluster`
//! on one machine (feature `ballista`; see docs/SCALE-OUT.md):
//!
//! ```sh
//! cargo run -p qinglian-analytics --features ballista --example local_cluster -- 4
//! qinglian model run --datasets /path/to/prepared --cluster df://localhost:PORT
//! ```
//!
//! The argument is the executor's number of task slots (default 2). Stop it with Ctrl-C.

fn main() -> anyhow::Result<()> {
    let cores: usize = std::env::args().nth(1).map(|a| a.parse()).transpose()?.unwrap_or(2);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .thread_stack_size(16 << 20)
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let url = qinglian_analytics::cluster::start_local(cores).await?;
        println!("{url}");
        tokio::signal::ctrl_c().await?;
        Ok(())
    })
}
