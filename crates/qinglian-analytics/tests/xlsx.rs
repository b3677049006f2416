//! Excel import on real .xlsx files written by rust_xlsxwriter: cell rendering (text IDs,
//! dates, numbers, long numeric IDs), empty rows, header problems, sheet choice, dispatch by
//! file type and directory loading.

mod common;

use std::path::Path;

use common::pid;
use datafusion::arrow::array::{Array, AsArray, RecordBatch};
use datafusion::arrow::datatypes::{Date32Type, Float64Type};
use qinglian_analytics::datafusion;
use qinglian_analytics::dataset::{
    Datasets, HeaderMapping, LoadError, RawTable, normalize, read_source, read_xlsx, read_xlsx_sheet, spec,
    xlsx_sheet_names,
};
use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook};
use tempfile::TempDir;

/// Column `col` of a raw (text) table as optional strings, across batches.
fn texts(raw: &RawTable, col: usize) -> Vec<Option<String>> {
    raw.batches
        .iter()
        .flat_map(|b| {
            let a = b.column(col).as_string::<i32>().clone();
            (0..a.len())
                .map(move |i| (!a.is_null(i)).then(|| a.value(i).to_string()))
                .collect::<Vec<_>>()
        })
        .collect()
}

fn headers(raw: &RawTable) -> Vec<String> {
    raw.schema.fields().iter().map(|f| f.name().clone()).collect()
}

/// A payment sheet: text ID, date, numbers, an empty row, a numeric 18-digit ID, a formula.
fn write_payments(path: &Path) {
    let mut wb = Workbook::new();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let datetime = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    let ws = wb.add_worksheet();
    ws.set_name("发放表").unwrap();
    for (c, h) in ["身份证号", "姓名", "项目", "发放年月", "金额", "发放日期", "备注"]
        .iter()
        .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    // Row 2: ID stored as text, period as text, integer amount, a date.
    ws.write_string(1, 0, pid(1)).unwrap();
    ws.write_string(1, 1, "张三").unwrap();
    ws.write_string(1, 2, "城乡低保").unwrap();
    ws.write_string(1, 3, "2024-01").unwrap();
    ws.write_number(1, 4, 500.0).unwrap();
    ws.write_date_with_format(1, 5, ExcelDateTime::from_ymd(2024, 1, 20).unwrap(), &date)
        .unwrap();
    // Row 3 is empty. Row 4: an 18-digit ID typed as a number, a numeric period, a decimal
    // amount, a date with a time, a boolean.
    ws.write_number(3, 0, 110105198001011234.0).unwrap();
    ws.write_string(3, 1, "李四").unwrap();
    ws.write_string(3, 2, "城乡低保").unwrap();
    ws.write_number(3, 3, 202402.0).unwrap();
    ws.write_number(3, 4, 1234.5).unwrap();
    let t = ExcelDateTime::parse_from_str("2024-02-20 08:30:00").unwrap();
    ws.write_datetime_with_format(3, 5, &t, &datetime).unwrap();
    ws.write_boolean(3, 6, true).unwrap();
    // Row 5: a formula (its cached result is read), blank-looking text.
    ws.write_string(4, 0, pid(3)).unwrap();
    ws.write_string(4, 1, "  ").unwrap();
    ws.write_string(4, 2, "城乡低保").unwrap();
    ws.write_string(4, 3, "2024年3月").unwrap();
    ws.write_formula(4, 4, Formula::new("=250*2").set_result("500"))
        .unwrap();
    wb.save(path).unwrap();
}

#[test]
fn reads_text_ids_dates_numbers_and_empty_rows() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("一月发放.xlsx");
    write_payments(&path);
    let raw = read_xlsx(&path).unwrap();
    assert_eq!(raw.file, "一月发放.xlsx");
    assert_eq!(raw.first_row, 2);
    assert_eq!(
        headers(&raw),
        ["身份证号", "姓名", "项目", "发放年月", "金额", "发放日期", "备注"]
    );
    let rows: usize = raw.batches.iter().map(RecordBatch::num_rows).sum();
    assert_eq!(rows, 4, "rows 2–5 of the sheet, the empty row 3 included");
    let ids = texts(&raw, 0);
    assert_eq!(ids[0].as_deref(), Some(pid(1).as_str()), "text ID kept digit for digit");
    assert_eq!(ids[1], None);
    let numeric_id = ids[2].clone().unwrap();
    assert!(
        numeric_id.len() == 18 && numeric_id.bytes().all(|b| b.is_ascii_digit()),
        "no 1.1E+17: {numeric_id}"
    );
    assert_eq!(texts(&raw, 1), [Some("张三".into()), None, Some("李四".into()), None]);
    assert_eq!(
        texts(&raw, 3),
        [
            Some("2024-01".into()),
            None,
            Some("202402".into()),
            Some("2024年3月".into())
        ]
    );
    assert_eq!(
        texts(&raw, 4),
        [Some("500".into()), None, Some("1234.5".into()), Some("500".into())]
    );
    assert_eq!(
        texts(&raw, 5),
        [
            Some("2024-01-20".into()),
            None,
            Some("2024-02-20 08:30:00".into()),
            None
        ]
    );
    assert_eq!(texts(&raw, 6), [None, None, Some("TRUE".into()), None]);
    // The long numeric ID is reported by the reader, with its Excel row.
    assert_eq!(raw.issues.len(), 1, "{:?}", raw.issues);
    let issue = &raw.issues[0];
    assert_eq!(
        (issue.row, issue.column.as_str(), issue.kept),
        (Some(4), "身份证号", true)
    );
    assert!(issue.reason.contains("15位"), "{}", issue.reason);

    // Normalised: the empty row is gone, row numbers stay Excel's.
    let spec = spec("benefit_payments").unwrap();
    let mut issues = Vec::new();
    let batches = normalize(spec, &raw, &HeaderMapping::default(), &mut issues).unwrap();
    let batch = datafusion::arrow::compute::concat_batches(&spec.schema(), &batches).unwrap();
    assert_eq!(batch.num_rows(), 3);
    let ids = batch.column(0).as_string::<i32>();
    assert_eq!(ids.value(0), pid(1));
    assert_eq!(ids.value(2), pid(3));
    let periods = batch.column(3).as_string::<i32>();
    assert_eq!(
        (periods.value(0), periods.value(1), periods.value(2)),
        ("2024-01", "2024-02", "2024-03")
    );
    let amounts = batch.column(4).as_primitive::<Float64Type>();
    assert_eq!(
        (amounts.value(0), amounts.value(1), amounts.value(2)),
        (500.0, 1234.5, 500.0)
    );
    let paid_on = batch.column(7).as_primitive::<Date32Type>();
    let day = |d: i32| chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap() + chrono::Duration::days(d.into());
    assert_eq!(day(paid_on.value(0)).to_string(), "2024-01-20");
    assert_eq!(day(paid_on.value(1)).to_string(), "2024-02-20");
    assert!(batch.column(1).is_null(2), "a blank name is empty");
    let at_row_4: Vec<&str> = issues
        .iter()
        .filter(|i| i.row == Some(4))
        .map(|i| i.column.as_str())
        .collect();
    assert_eq!(
        at_row_4,
        ["身份证号", "id_number"],
        "reader issue, then the bad check digit"
    );
    assert!(issues.iter().all(|i| i.file == "一月发放.xlsx"));
    assert!(
        issues
            .iter()
            .any(|i| i.row.is_none() && i.column == "备注" && i.reason.contains("未识别"))
    );
}

#[test]
fn header_problems_are_reported() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("问题.xlsx");
    let mut wb = Workbook::new();
    // Sheet 1: no header in row 1, data from row 2.
    let ws = wb.add_worksheet();
    ws.set_name("无表头").unwrap();
    ws.write_string(1, 0, pid(1)).unwrap();
    ws.write_string(1, 2, "王五").unwrap();
    // Sheet 2: empty.
    wb.add_worksheet().set_name("空表").unwrap();
    // Sheet 3: duplicate and blank headers.
    let ws = wb.add_worksheet();
    ws.set_name("重复列").unwrap();
    ws.write_string(0, 0, "身份证号").unwrap();
    ws.write_string(0, 2, "身份证号").unwrap();
    ws.write_string(1, 0, pid(1)).unwrap();
    ws.write_string(1, 1, "无表头的值").unwrap();
    ws.write_string(1, 2, pid(2)).unwrap();
    wb.save(&path).unwrap();

    assert_eq!(xlsx_sheet_names(&path).unwrap(), ["无表头", "空表", "重复列"]);

    let raw = read_xlsx(&path).unwrap();
    assert_eq!(headers(&raw), ["第A列", "第C列"]);
    assert_eq!(texts(&raw, 1), [Some("王五".to_string())]);
    assert!(
        raw.issues
            .iter()
            .any(|i| i.row.is_none() && i.reason.contains("第1行（表头）为空")),
        "{:?}",
        raw.issues
    );

    let empty = read_xlsx_sheet(&path, "空表").unwrap();
    assert!(empty.schema.fields().is_empty() && empty.batches.is_empty());
    assert!(
        empty.issues.iter().any(|i| i.reason.contains("为空")),
        "{:?}",
        empty.issues
    );

    let dup = read_xlsx_sheet(&path, "重复列").unwrap();
    assert_eq!(headers(&dup), ["身份证号", "第B列", "身份证号（C列）"]);
    let mut issues = Vec::new();
    let batches = normalize(spec("persons").unwrap(), &dup, &HeaderMapping::default(), &mut issues).unwrap();
    assert_eq!(
        batches[0].column(0).as_string::<i32>().value(0),
        pid(1),
        "the first one wins"
    );
    assert!(
        issues
            .iter()
            .any(|i| i.column == "身份证号（C列）" && i.reason.contains("重复"))
    );

    let missing = read_xlsx_sheet(&path, "不存在").unwrap_err();
    assert!(matches!(missing, LoadError::Xlsx { .. }));
    assert!(missing.to_string().contains("没有名为“不存在”的工作表"), "{missing}");
}

#[test]
fn first_visible_sheet_is_read() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("hidden.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("参数").unwrap();
    ws.write_string(0, 0, "隐藏").unwrap();
    ws.set_hidden(true);
    let ws = wb.add_worksheet();
    ws.set_name("数据").unwrap();
    ws.write_string(0, 0, "身份证号").unwrap();
    ws.write_string(1, 0, pid(5)).unwrap();
    ws.set_active(true);
    wb.save(&path).unwrap();
    let raw = read_xlsx(&path).unwrap();
    assert_eq!(headers(&raw), ["身份证号"]);
    assert_eq!(texts(&raw, 0), [Some(pid(5))]);
}

#[test]
fn read_source_dispatches_on_the_extension() {
    let dir = TempDir::new().unwrap();
    let xlsx = dir.path().join("发放.XLSX");
    write_payments(&xlsx);
    let (raw, encoding) = read_source(&xlsx).unwrap();
    assert_eq!(
        (raw.batches.iter().map(RecordBatch::num_rows).sum::<usize>(), encoding),
        (4, None)
    );

    let csv = dir.path().join("gbk.csv");
    let (gbk, _, _) = encoding_rs::GBK.encode("身份证号,姓名\n110105198001010012,张三\n");
    std::fs::write(&csv, &gbk).unwrap();
    let (raw, encoding) = read_source(&csv).unwrap();
    assert_eq!(encoding, Some("GB18030"));
    assert_eq!(headers(&raw), ["身份证号", "姓名"]);

    let xls = dir.path().join("旧表.xls");
    std::fs::write(&xls, b"\xD0\xCF\x11\xE0").unwrap();
    let err = read_source(&xls).unwrap_err();
    let message = err.to_string();
    assert!(matches!(err, LoadError::UnsupportedType { .. }));
    assert!(message.contains("请上传.xlsx、.csv或.parquet文件"), "{message}");
    assert!(message.contains(".xls") && message.contains("另存为.xlsx"), "{message}");
    let err = read_source(&dir.path().join("说明")).unwrap_err();
    assert!(err.to_string().starts_with("不支持的文件类型"), "{err}");

    let fake = dir.path().join("假的.xlsx");
    std::fs::write(&fake, "身份证号,姓名\n").unwrap();
    let err = read_source(&fake).unwrap_err();
    assert!(matches!(err, LoadError::Xlsx { .. }), "{err}");
    assert!(err.to_string().contains("不是有效的.xlsx文件"), "{err}");
}

#[test]
fn load_dir_accepts_xlsx_after_parquet_and_csv() {
    let dir = TempDir::new().unwrap();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "身份证号").unwrap();
    ws.write_string(0, 1, "死亡日期").unwrap();
    ws.write_string(1, 0, pid(7)).unwrap();
    ws.write_date_with_format(
        1,
        1,
        ExcelDateTime::from_ymd(2024, 3, 15).unwrap(),
        &Format::new().set_num_format("yyyy-mm-dd"),
    )
    .unwrap();
    wb.save(dir.path().join("deaths.xlsx")).unwrap();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "身份证号").unwrap();
    ws.write_string(1, 0, pid(8)).unwrap();
    ws.write_string(2, 0, pid(9)).unwrap();
    wb.save(dir.path().join("persons.xlsx")).unwrap();
    std::fs::write(
        dir.path().join("persons.csv"),
        format!("id_number,name\n{},赵六\n", pid(10)),
    )
    .unwrap();

    let ds = Datasets::load_dir(dir.path(), &HeaderMapping::default()).unwrap();
    assert_eq!(ds.tables["deaths"].rows, 1);
    assert_eq!(ds.tables["persons"].rows, 1, "persons.csv wins over persons.xlsx");
    let deaths = &ds.tables["deaths"].batches[0];
    assert_eq!(deaths.column(0).as_string::<i32>().value(0), pid(7));
    assert!(!deaths.column(2).is_null(0));
}
