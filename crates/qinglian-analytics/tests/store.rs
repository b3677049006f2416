//! The versioned Parquet dataset store: publishing and listing versions, registering them for
//! SQL, refusals that leave nothing behind, concurrent imports, garbage collection, memory and
//! relative stores, and models over the store giving the same findings as in memory.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use common::{pid, pid15, write};
use datafusion::arrow::array::AsArray;
use datafusion::arrow::datatypes::Int64Type;
use datafusion::prelude::SessionContext;
use qinglian_analytics::datafusion;
use qinglian_analytics::dataset::{
    DATASETS, DatasetStore, Datasets, HeaderMapping, PublishMeta, RawTable, StoreError, read_csv, read_xlsx,
};
use qinglian_analytics::model::{Engine, RunOptions, builtin_models};
use tempfile::TempDir;
use tokio_util::sync::CancellationToken;

const BENEFIT_HEADER: &str = "身份证号,姓名,项目,发放年月,金额,户编号\n";

/// A benefit-payments CSV (Chinese headers) with `n` rows, the first ID in 15-digit form and
/// one invalid ID, read back as a raw table named `name`.
fn payments(dir: &Path, name: &str, month: &str, n: u16) -> RawTable {
    let mut csv = BENEFIT_HEADER.to_string();
    for i in 0..n {
        let id = match i {
            0 => pid15(100),
            1 => "110105198001011230".to_string(),
            _ => pid(100 + i),
        };
        csv.push_str(&format!("{id},某人{i},城乡低保,{month},500,H{i}\n"));
    }
    write(dir, name, &csv);
    read_csv(&dir.join(name)).unwrap().0
}

fn meta(note: &str) -> PublishMeta {
    PublishMeta {
        note: note.to_string(),
        imported_by: "张三".to_string(),
        source_names: vec![format!("{note}.csv")],
    }
}

async fn count(ctx: &SessionContext, sql: &str) -> i64 {
    let batches = ctx.sql(sql).await.unwrap().collect().await.unwrap();
    batches[0].column(0).as_primitive::<Int64Type>().value(0)
}

/// Every file under `dir`, relative, sorted.
fn files(dir: &Path) -> Vec<String> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                out.push(p.strip_prefix(base).unwrap().to_string_lossy().into_owned());
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

fn local_store(dir: &TempDir) -> (DatasetStore, PathBuf) {
    let root = dir.path().join("store");
    let store = DatasetStore::open(&format!("file://{}", root.display()), dir.path()).unwrap();
    (store, root)
}

#[tokio::test]
async fn publishes_lists_and_registers_versions() {
    let dir = TempDir::new().unwrap();
    let (store, root) = local_store(&dir);
    assert_eq!(
        store.url(),
        format!("file://{}", root.canonicalize().unwrap().display())
    );
    let none = CancellationToken::new();
    let mapping = HeaderMapping::default();

    let v1 = store
        .publish(
            "benefit_payments",
            vec![payments(dir.path(), "jan.csv", "2024-01", 10)],
            &mapping,
            meta("一月"),
            None,
            &none,
        )
        .await
        .unwrap();
    assert_eq!((v1.version, v1.rows), (1, 10));
    assert!(v1.bytes > 0);
    // The invalid ID is kept and reported with its row.
    let bad: Vec<_> = v1.issues.iter().filter(|i| i.column == "id_number").collect();
    assert_eq!(bad.len(), 1, "{:?}", v1.issues);
    assert_eq!(
        (bad[0].row, bad[0].kept, bad[0].file.as_str()),
        (Some(3), true, "jan.csv")
    );

    // Version 2 appends two monthly files into one version.
    let seen = AtomicU64::new(0);
    let report = |rows: u64| seen.store(rows, Ordering::SeqCst);
    let v2 = store
        .publish(
            "benefit_payments",
            vec![
                payments(dir.path(), "feb.csv", "2024-02", 20),
                payments(dir.path(), "mar.csv", "2024-03", 30),
            ],
            &mapping,
            meta("二三月"),
            Some(&report),
            &none,
        )
        .await
        .unwrap();
    assert_eq!((v2.version, v2.rows), (2, 50));
    assert_eq!(seen.load(Ordering::SeqCst), 50);

    let versions = store.versions("benefit_payments").await.unwrap();
    assert_eq!(versions.iter().map(|v| v.version).collect::<Vec<_>>(), [2, 1]);
    let newest = &versions[0];
    assert_eq!(
        (newest.rows, newest.note.as_str(), newest.imported_by.as_str()),
        (50, "二三月", "张三")
    );
    assert_eq!(newest.source_names, ["二三月.csv"]);
    assert_eq!(newest.issue_count, v2.issues.len() as u64);
    assert!(
        newest.created_at.ends_with('Z') && newest.created_at.len() == 27,
        "{}",
        newest.created_at
    );
    assert!(store.versions("persons").await.unwrap().is_empty());
    assert!(matches!(
        store.versions("nope").await,
        Err(StoreError::UnknownDataset(_))
    ));
    assert_eq!(
        store.latest().await.unwrap(),
        BTreeMap::from([("benefit_payments".to_string(), 2)])
    );

    // Layout: parts and a manifest under <dataset>/v<NNNNNN>/.
    let listed = files(&root);
    assert!(
        listed.contains(&"benefit_payments/v000001/_manifest.json".to_string()),
        "{listed:?}"
    );
    assert!(
        listed
            .iter()
            .any(|f| f.starts_with("benefit_payments/v000002/part-") && f.ends_with(".parquet"))
    );
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(root.join("benefit_payments/v000002/_manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["rows"], 50);
    assert_eq!(manifest["mapping"][0]["columns"][0]["header"], "身份证号");
    assert_eq!(manifest["mapping"][0]["columns"][0]["column"], "id_number");
    let sha = manifest["files"][0]["sha256"].as_str().unwrap();
    assert_eq!(sha.len(), 64);

    // Register v1, then v2; other datasets are empty with their canonical schema.
    let ctx = SessionContext::new();
    store
        .register(&ctx, &BTreeMap::from([("benefit_payments".to_string(), 1)]))
        .await
        .unwrap();
    assert_eq!(count(&ctx, "SELECT count(*) FROM benefit_payments").await, 10);
    assert_eq!(
        count(
            &ctx,
            &format!("SELECT count(*) FROM benefit_payments WHERE id_number = '{}'", pid(100))
        )
        .await,
        1,
        "15-digit ID normalised to 18 digits"
    );
    assert_eq!(count(&ctx, "SELECT count(*) FROM persons").await, 0);
    store
        .register(&ctx, &BTreeMap::from([("benefit_payments".to_string(), 2)]))
        .await
        .unwrap();
    assert_eq!(count(&ctx, "SELECT count(*) FROM benefit_payments").await, 50);
    assert_eq!(
        count(&ctx, "SELECT count(DISTINCT period) FROM benefit_payments").await,
        2
    );
    // Types are exactly the canonical schema, for every dataset.
    for spec in DATASETS {
        let schema = ctx.table(spec.name).await.unwrap().schema().as_arrow().clone();
        let types: Vec<_> = schema
            .fields()
            .iter()
            .map(|f| (f.name().clone(), f.data_type().clone()))
            .collect();
        let canonical: Vec<_> = spec
            .schema()
            .fields()
            .iter()
            .map(|f| (f.name().clone(), f.data_type().clone()))
            .collect();
        assert_eq!(types, canonical, "{}", spec.name);
    }
    let missing = store
        .register(&ctx, &BTreeMap::from([("benefit_payments".to_string(), 9)]))
        .await
        .unwrap_err();
    assert!(
        matches!(missing, StoreError::VersionNotFound { version: 9, .. }),
        "{missing}"
    );
    assert_eq!(missing.to_string(), "数据集“benefit_payments”没有第9版");
}

#[tokio::test]
async fn refused_and_cancelled_imports_leave_nothing() {
    let dir = TempDir::new().unwrap();
    let (store, root) = local_store(&dir);
    let none = CancellationToken::new();
    let mapping = HeaderMapping::default();

    // No column maps to 身份证号.
    write(dir.path(), "no_id.csv", "姓名,项目,金额\n张三,城乡低保,500\n");
    let raw = read_csv(&dir.path().join("no_id.csv")).unwrap().0;
    let err = store
        .publish("benefit_payments", vec![raw.clone()], &mapping, meta("x"), None, &none)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::MissingKeyColumns { .. }), "{err}");
    let message = err.to_string();
    assert!(
        message.contains("no_id.csv") && message.contains("“身份证号”"),
        "{message}"
    );
    assert!(
        !message.contains(&dir.path().display().to_string()),
        "no internal path: {message}"
    );
    // A remembered mapping makes the same file acceptable.
    let mut with_override = HeaderMapping::default();
    with_override.insert("benefit_payments", "姓名", "id_number");
    assert!(
        store
            .publish(
                "benefit_payments",
                vec![raw.clone()],
                &with_override,
                meta("x"),
                None,
                &none
            )
            .await
            .is_ok()
    );
    store.delete_version("benefit_payments", 1).await.unwrap();

    // Unknown dataset; no sources.
    let err = store
        .publish("salaries", vec![raw], &mapping, meta("x"), None, &none)
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "未知的数据集“salaries”");
    assert!(matches!(
        store
            .publish("benefit_payments", Vec::new(), &mapping, meta("x"), None, &none)
            .await,
        Err(StoreError::NoSources)
    ));

    // Cancelled mid-way: after the first source's rows are written.
    let cancel = CancellationToken::new();
    let on_progress = |_rows: u64| cancel.cancel();
    let err = store
        .publish(
            "benefit_payments",
            vec![
                payments(dir.path(), "a.csv", "2024-01", 5),
                payments(dir.path(), "b.csv", "2024-02", 5),
            ],
            &mapping,
            meta("x"),
            Some(&on_progress),
            &cancel,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Cancelled), "{err}");
    assert!(store.versions("benefit_payments").await.unwrap().is_empty());
    assert!(store.latest().await.unwrap().is_empty());
    let left = files(&root);
    assert!(left.iter().all(|f| !f.ends_with("_manifest.json")), "{left:?}");
    assert!(left.is_empty(), "a cancelled import removes its parts: {left:?}");

    // Cancelled before it starts.
    let err = store
        .publish(
            "benefit_payments",
            vec![payments(dir.path(), "c.csv", "2024-01", 5)],
            &mapping,
            meta("x"),
            None,
            &cancel,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Cancelled));
    assert!(files(&root).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_publishes_get_distinct_versions() {
    let dir = TempDir::new().unwrap();
    let root = dir.path().join("store");
    // Two handles on one directory, as two server processes would have.
    let a = DatasetStore::open(root.to_str().unwrap(), dir.path()).unwrap();
    let b = DatasetStore::open(root.to_str().unwrap(), dir.path()).unwrap();
    let mut tasks = Vec::new();
    for i in 0..6u16 {
        let store = if i % 2 == 0 { a.clone() } else { b.clone() };
        let raw = payments(dir.path(), &format!("m{i}.csv"), "2024-01", 3 + i);
        tasks.push(tokio::spawn(async move {
            let published = store
                .publish(
                    "benefit_payments",
                    vec![raw],
                    &HeaderMapping::default(),
                    meta(&format!("m{i}")),
                    None,
                    &CancellationToken::new(),
                )
                .await
                .unwrap();
            (published.version, published.rows, i)
        }));
    }
    let mut results = Vec::new();
    for t in tasks {
        results.push(t.await.unwrap());
    }
    let mut versions: Vec<u32> = results.iter().map(|r| r.0).collect();
    versions.sort_unstable();
    assert_eq!(versions, [1, 2, 3, 4, 5, 6]);
    // Each version holds exactly its own import's rows.
    let listed = a.versions("benefit_payments").await.unwrap();
    for (version, rows, i) in &results {
        let info = listed.iter().find(|v| v.version == *version).unwrap();
        assert_eq!((info.rows, info.note.clone()), (*rows, format!("m{i}")));
        let ctx = SessionContext::new();
        a.register(&ctx, &BTreeMap::from([("benefit_payments".to_string(), *version)]))
            .await
            .unwrap();
        assert_eq!(count(&ctx, "SELECT count(*) FROM benefit_payments").await, *rows as i64);
    }
    // Nothing unlisted remains beside the published parts.
    assert_eq!(a.gc_older_than(Duration::ZERO).await.unwrap(), 0);
}

#[tokio::test]
async fn gc_removes_old_unpublished_files_only() {
    let dir = TempDir::new().unwrap();
    let (store, root) = local_store(&dir);
    store
        .publish(
            "benefit_payments",
            vec![payments(dir.path(), "jan.csv", "2024-01", 4)],
            &HeaderMapping::default(),
            meta("一月"),
            None,
            &CancellationToken::new(),
        )
        .await
        .unwrap();
    let published = files(&root);
    let old = SystemTime::now() - Duration::from_secs(2 * 3600);
    let orphan = |rel: &str, modified: Option<SystemTime>| {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, b"PAR1").unwrap();
        if let Some(t) = modified {
            std::fs::File::options()
                .write(true)
                .open(&path)
                .unwrap()
                .set_modified(t)
                .unwrap();
        }
    };
    orphan("benefit_payments/v000002/part-dead-00000.parquet", Some(old)); // crashed import
    orphan("benefit_payments/v000001/part-stray-00000.parquet", Some(old)); // not in v1's manifest
    orphan("benefit_payments/v000003/part-running-00000.parquet", None); // an import still running
    orphan("notes/readme.txt", Some(old)); // not a dataset: never touched
    assert_eq!(store.gc().await.unwrap(), 2);
    let mut expected = published.clone();
    expected.push("benefit_payments/v000003/part-running-00000.parquet".to_string());
    expected.push("notes/readme.txt".to_string());
    expected.sort();
    assert_eq!(files(&root), expected);
    let ctx = SessionContext::new();
    store.register(&ctx, &store.latest().await.unwrap()).await.unwrap();
    assert_eq!(count(&ctx, "SELECT count(*) FROM benefit_payments").await, 4);
}

#[tokio::test]
async fn memory_and_relative_stores() {
    let dir = TempDir::new().unwrap();
    let none = CancellationToken::new();
    let memory = DatasetStore::open("memory://", dir.path()).unwrap();
    assert_eq!(memory.url(), "memory://");
    let p = memory
        .publish(
            "benefit_payments",
            vec![payments(dir.path(), "jan.csv", "2024-01", 7)],
            &HeaderMapping::default(),
            meta("一月"),
            None,
            &none,
        )
        .await
        .unwrap();
    assert_eq!((p.version, p.rows), (1, 7));
    assert_eq!(memory.versions("benefit_payments").await.unwrap().len(), 1);
    let ctx = SessionContext::new();
    memory.register(&ctx, &memory.latest().await.unwrap()).await.unwrap();
    assert_eq!(count(&ctx, "SELECT count(*) FROM benefit_payments").await, 7);
    assert!(
        files(dir.path()).iter().all(|f| f.ends_with(".csv")),
        "memory:// writes no file"
    );
    // Two memory stores registered in one session do not see each other.
    let other = DatasetStore::open("memory://", dir.path()).unwrap();
    assert!(other.latest().await.unwrap().is_empty());

    let relative = DatasetStore::open("data/datasets", dir.path()).unwrap();
    let resolved = dir.path().join("data/datasets").canonicalize().unwrap();
    assert_eq!(relative.url(), format!("file://{}", resolved.display()));
    relative
        .publish(
            "benefit_payments",
            vec![payments(dir.path(), "feb.csv", "2024-02", 3)],
            &HeaderMapping::default(),
            meta("二月"),
            None,
            &none,
        )
        .await
        .unwrap();
    assert!(resolved.join("benefit_payments/v000001/_manifest.json").is_file());

    for bad in ["ftp://host/x", "s3://bucket/prefix"] {
        let err = DatasetStore::open(bad, dir.path()).unwrap_err();
        assert!(
            matches!(err, StoreError::UnsupportedScheme(_) | StoreError::S3NotEnabled),
            "{bad}: {err}"
        );
    }
}

#[tokio::test]
async fn xlsx_import_reads_back_exactly() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("一月.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["身份证号", "姓名", "项目", "发放年月", "金额"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for r in 1..=3u32 {
        ws.write_string(r, 0, pid(200 + r as u16)).unwrap();
        ws.write_string(r, 1, "王五").unwrap();
        ws.write_string(r, 2, "城乡低保").unwrap();
        ws.write_string(r, 3, "2024-01").unwrap();
        ws.write_number(r, 4, 612.5).unwrap();
    }
    wb.save(&path).unwrap();
    let store = DatasetStore::open("memory://", dir.path()).unwrap();
    store
        .publish(
            "benefit_payments",
            vec![read_xlsx(&path).unwrap()],
            &HeaderMapping::default(),
            meta("一月"),
            None,
            &CancellationToken::new(),
        )
        .await
        .unwrap();
    let ctx = SessionContext::new();
    store.register(&ctx, &store.latest().await.unwrap()).await.unwrap();
    let batches = ctx
        .sql("SELECT id_number, amount FROM benefit_payments ORDER BY id_number")
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    let ids = batches[0].column(0).as_string::<i32>();
    assert_eq!(ids.value(0), pid(201));
    assert_eq!(ids.value(2), pid(203));
    let amounts = batches[0]
        .column(1)
        .as_primitive::<datafusion::arrow::datatypes::Float64Type>();
    assert_eq!(amounts.value(1), 612.5);
}

/// Data with hits for several models (and their traps), as canonical CSV files.
fn model_fixture(dir: &Path) {
    let (p1, p2, p3, p4) = (pid(21), pid(22), pid(23), pid(24));
    write(
        dir,
        "deaths.csv",
        &format!("id_number,name,death_date,source\n{p1},张三,2024-03-15,民政\n{p2},李四,2024-01-10,公安\n"),
    );
    let mut persons = "id_number,name,sex,birth_date,region_code,household_id,relation\n".to_string();
    for (id, hh) in [(&p1, "H1"), (&p2, "H2"), (&p3, "H3"), (&p4, "H3")] {
        persons.push_str(&format!("{id},某人,男,1980-01-01,110105,{hh},成员\n"));
    }
    write(dir, "persons.csv", &persons);
    let mut b = "id_number,name,program,period,amount,region_code,household_id,paid_on\n".to_string();
    for (id, program, period) in [
        (&p1, "城乡居民养老金", "2024-02"),
        (&p1, "城乡居民养老金", "2024-05"),
        (&p1, "高龄津贴", "2024-06"),
        (&p2, "丧葬补助费", "2024-04"),
        (&p3, "城乡低保", "2024-01"),
        (&p3, "城乡低保", "2024-01"),
        (&p3, "城乡低保", "2024-02"),
        (&p3, "城乡低保", "2024-03"),
    ] {
        b.push_str(&format!("{id},某人,{program},{period},500,110105,,{period}-20\n"));
    }
    write(dir, "benefit_payments.csv", &b);
    let mut p = "id_number,name,org,period,amount,staff_type\n".to_string();
    for m in ["2024-02", "2024-03"] {
        p.push_str(&format!("{p4},某人,某县财政局,{m},6000,编制内\n"));
    }
    write(dir, "payroll.csv", &p);
}

#[tokio::test]
async fn models_over_the_store_find_what_they_find_in_memory() {
    let dir = TempDir::new().unwrap();
    model_fixture(dir.path());
    let mapping = HeaderMapping::default();
    let in_memory = Engine::new(
        &Datasets::load_dir(dir.path(), &mapping).unwrap(),
        RunOptions::default(),
    )
    .unwrap();

    let store = DatasetStore::open("store", dir.path()).unwrap();
    for name in ["deaths", "persons", "benefit_payments", "payroll"] {
        let raw = read_csv(&dir.path().join(format!("{name}.csv"))).unwrap().0;
        store
            .publish(name, vec![raw], &mapping, meta(name), None, &CancellationToken::new())
            .await
            .unwrap();
    }
    let versions = store.latest().await.unwrap();
    assert_eq!(versions.len(), 4);
    let options = RunOptions {
        memory_limit: Some(256 * 1024 * 1024),
        ..RunOptions::default()
    };
    let over_store = Engine::from_store(&store, &versions, options).await.unwrap();
    let models = builtin_models();
    let mut hits = BTreeMap::new();
    for model in &models {
        let expected = in_memory.run(model).await.unwrap();
        let actual = over_store
            .run(model)
            .await
            .unwrap_or_else(|e| panic!("{} over the store: {e}", model.id));
        assert_eq!(actual, expected, "{}", model.id);
        hits.insert(model.id.clone(), actual.len());
    }
    assert_eq!(hits["paid_after_death"], 2, "{hits:?}");
    assert_eq!(hits["duplicate_payment"], 1, "{hits:?}");
    assert!(hits["payroll_subsistence"] >= 1, "{hits:?}");
}
