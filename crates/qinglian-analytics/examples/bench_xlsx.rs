//! Excel import benchmark: writes an N-row × 8-column payment sheet (text ID numbers, names,
//! programs, periods, amounts, region codes, household ids, dates) with rust_xlsxwriter in
//! constant-memory mode, then times `read_xlsx` and normalisation into `benefit_payments`.
//!
//! ```sh
//! cargo run --release -p qinglian-analytics --example bench_xlsx -- [N] [--out FILE]
//! ```
//!
//! N defaults to 1,000,000. With `--out FILE` the workbook is kept (to time other tools on the
//! same file, e.g. `pandas.read_excel(FILE, engine="openpyxl", dtype=str)`); an existing FILE
//! with `--reuse` is read without being rewritten.

use std::path::PathBuf;
use std::time::Instant;

use chrono::NaiveDate;
use qinglian_analytics::dataset::{HeaderMapping, normalize, read_xlsx, spec};
use qinglian_domain::id_number;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, XlsxError};

const HEADERS: [&str; 8] = [
    "身份证号",
    "姓名",
    "项目",
    "发放年月",
    "金额",
    "行政区划代码",
    "户编号",
    "发放日期",
];
const SURNAMES: [&str; 10] = ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周"];
const GIVEN: [&str; 10] = ["伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军"];
const PROGRAMS: [&str; 4] = ["城乡低保", "特困人员救助供养", "城乡居民养老金", "高龄津贴"];

fn write_workbook(path: &PathBuf, rows: u32) -> Result<(), XlsxError> {
    let mut wb = Workbook::new();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let ws = wb.add_worksheet_with_constant_memory()?;
    for (c, h) in HEADERS.iter().enumerate() {
        ws.write_string(0, c as u16, *h)?;
    }
    let birth = NaiveDate::from_ymd_opt(1960, 1, 1).expect("date");
    for r in 1..=rows {
        let i = r - 1;
        let person = i / 12;
        let month = i % 12 + 1;
        let born = birth + chrono::Duration::days(i64::from(person / 999 % 15_000));
        let id = id_number::generate("110105", born, (person % 999) as u16);
        ws.write_string(r, 0, id.as_str())?;
        let name = format!(
            "{}{}",
            SURNAMES[(person % 10) as usize],
            GIVEN[(person / 10 % 10) as usize]
        );
        ws.write_string(r, 1, &name)?;
        ws.write_string(r, 2, PROGRAMS[(person % 4) as usize])?;
        ws.write_string(r, 3, format!("2024-{month:02}"))?;
        ws.write_number(r, 4, f64::from(300 + person % 700) + 0.5)?;
        ws.write_string(r, 5, format!("110105{:03}", person % 200))?;
        ws.write_string(r, 6, format!("H{:08}", person / 3))?;
        let paid = ExcelDateTime::from_ymd(2024, month as u8, 20)?;
        ws.write_date_with_format(r, 7, paid, &date)?;
    }
    wb.save(path)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut rows: u32 = 1_000_000;
    let mut out: Option<PathBuf> = None;
    let mut reuse = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--out" => out = args.next().map(PathBuf::from),
            "--reuse" => reuse = true,
            n => rows = n.replace('_', "").parse()?,
        }
    }
    let temp = tempfile::TempDir::new()?;
    let path = out.unwrap_or_else(|| temp.path().join("bench.xlsx"));
    if !(reuse && path.is_file()) {
        let started = Instant::now();
        write_workbook(&path, rows)?;
        eprintln!(
            "wrote {} rows × 8 columns to {} ({:.1} MB) in {:.1} s",
            rows,
            path.display(),
            std::fs::metadata(&path)?.len() as f64 / 1e6,
            started.elapsed().as_secs_f64()
        );
    }

    let started = Instant::now();
    let raw = read_xlsx(&path)?;
    let read = started.elapsed().as_secs_f64();
    let read_rows: usize = raw.batches.iter().map(|b| b.num_rows()).sum();
    let spec = spec("benefit_payments").expect("canonical dataset");
    let mut issues = Vec::new();
    let normalised = normalize(spec, &raw, &HeaderMapping::default(), &mut issues)?;
    let total = started.elapsed().as_secs_f64();
    let out_rows: usize = normalised.iter().map(|b| b.num_rows()).sum();
    println!("rows             {read_rows}");
    println!("read_xlsx        {read:.2} s   {:.0} rows/s", read_rows as f64 / read);
    println!("normalise        {:.2} s", total - read);
    println!("read + normalise {total:.2} s   {:.0} rows/s", out_rows as f64 / total);
    println!("issues           {}", issues.len());
    Ok(())
}
