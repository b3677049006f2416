//! Round-trip tests with real .xlsx files written by rust_xlsxwriter and read by calamine.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use chrono::NaiveDate;
use qinglian_office::{
    Cell, Column, ColumnKind, OfficeError, RowError, SheetSpec, error_report_xlsx, export_xlsx, read_xlsx,
    template_xlsx,
};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet};

fn spec() -> SheetSpec {
    SheetSpec {
        sheet: "人员",
        columns: vec![
            Column {
                key: "name",
                header: "姓名",
                required: true,
                kind: ColumnKind::Text,
                example: "张三",
                note: "填写身份证上的姓名",
                aliases: &["人员姓名"],
            },
            Column {
                key: "id_number",
                header: "身份证号",
                required: true,
                kind: ColumnKind::Code,
                example: "110101199001011234",
                note: "18位，末位可为X",
                aliases: &["证件号码"],
            },
            Column {
                key: "birth",
                header: "出生日期",
                required: false,
                kind: ColumnKind::Date,
                example: "1990-01-01",
                note: "",
                aliases: &[],
            },
            Column {
                key: "party",
                header: "是否党员",
                required: false,
                kind: ColumnKind::Bool,
                example: "是",
                note: "",
                aliases: &[],
            },
            Column {
                key: "count",
                header: "处分次数",
                required: false,
                kind: ColumnKind::Integer,
                example: "0",
                note: "",
                aliases: &[],
            },
            Column {
                key: "phone",
                header: "联系电话",
                required: false,
                kind: ColumnKind::Code,
                example: "01088886666",
                note: "",
                aliases: &["电话"],
            },
        ],
    }
}

fn open(bytes: &[u8]) -> Xlsx<Cursor<&[u8]>> {
    calamine::open_workbook_from_rs(Cursor::new(bytes)).expect("valid xlsx")
}

fn range(bytes: &[u8], sheet: &str) -> calamine::Range<Data> {
    open(bytes).worksheet_range(sheet).expect("sheet exists")
}

fn cell(range: &calamine::Range<Data>, row: u32, col: u32) -> Data {
    range.get_value((row, col)).cloned().unwrap_or(Data::Empty)
}

fn text(s: &str) -> Data {
    Data::String(s.to_owned())
}

fn number_format(bytes: &[u8], sheet: &str, row: u32, col: u32) -> Option<String> {
    let styles = open(bytes).worksheet_style(sheet).expect("styles");
    styles
        .get((row, col))
        .and_then(|s| s.number_format.as_ref())
        .map(|n| n.format_code.clone())
}

fn build(write: impl FnOnce(&mut Worksheet)) -> Vec<u8> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    write(sheet);
    workbook.save_to_buffer().expect("save")
}

#[test]
fn template_has_headers_formats_and_help_sheet() {
    let spec = spec();
    let bytes = template_xlsx(&spec).expect("template");
    let workbook = open(&bytes);
    assert_eq!(workbook.sheet_names(), vec!["人员", "填写说明"]);

    let data = range(&bytes, "人员");
    for (i, column) in spec.columns.iter().enumerate() {
        assert_eq!(cell(&data, 0, i as u32), text(column.header));
        assert_eq!(cell(&data, 1, i as u32), text(column.example));
    }

    // Code columns (身份证号 = B, 联系电话 = F) are text formatted on data rows.
    for col in [1, 5] {
        for row in [2, 500, 2001] {
            assert_eq!(number_format(&bytes, "人员", row, col).as_deref(), Some("@"));
        }
    }
    assert_eq!(number_format(&bytes, "人员", 1, 1).as_deref(), Some("@"));
    assert_eq!(number_format(&bytes, "人员", 2, 2).as_deref(), Some("yyyy-mm-dd"));
    let styles = open(&bytes).worksheet_style("人员").expect("styles");
    let header = styles.get((0, 0)).expect("header style");
    assert!(header.font.as_ref().is_some_and(|f| f.is_bold()));
    let example = styles.get((1, 0)).expect("example style");
    assert!(example.font.as_ref().is_some_and(|f| f.is_italic()));

    let help = range(&bytes, "填写说明");
    assert_eq!(cell(&help, 0, 0), text("列名"));
    for (i, column) in spec.columns.iter().enumerate() {
        let row = i as u32 + 1;
        assert_eq!(cell(&help, row, 0), text(column.header));
        let flag = if column.required { "必填" } else { "选填" };
        assert_eq!(cell(&help, row, 1), text(flag));
    }
    assert_eq!(cell(&help, 2, 3), text("18位，末位可为X；表头也可写作：证件号码"));

    // A template with only the example row has no data.
    assert!(matches!(read_xlsx(&spec, &bytes), Err(OfficeError::Empty)));
}

#[test]
fn reads_import_file_with_errors_and_excel_row_numbers() {
    let spec = spec();
    let date_format = Format::new().set_num_format("yyyy-mm-dd");
    let bytes = build(|s| {
        s.set_name("人员").unwrap();
        let headers = [
            "*人员姓名",
            " 身份证号 ",
            "出生日期",
            "是否党员",
            "处分次数",
            "＊联系电话",
            "备注",
        ];
        for (c, h) in headers.iter().enumerate() {
            s.write_string(0, c as u16, *h).unwrap();
        }
        // Row 2: the untouched template example, skipped.
        let examples = spec.columns.iter().map(|c| c.example);
        for (c, v) in examples.enumerate() {
            s.write_string(1, c as u16, v).unwrap();
        }
        // Row 3: a good row, date as a real Excel date.
        s.write_string(2, 0, " 李四 ").unwrap();
        s.write_string(2, 1, "11010119900101123X").unwrap();
        let date = ExcelDateTime::from_ymd(1990, 1, 5).unwrap();
        s.write_datetime_with_format(2, 2, &date, &date_format).unwrap();
        s.write_string(2, 3, "是").unwrap();
        s.write_number(2, 4, 2).unwrap();
        s.write_string(2, 5, "01088886666").unwrap();
        s.write_string(2, 6, "无关列").unwrap();
        // Row 4: 18-digit ID stored as a number; date as text with slashes.
        s.write_string(3, 0, "王五").unwrap();
        s.write_number(3, 1, 110101199001011234.0).unwrap();
        s.write_string(3, 2, "2024/01/05").unwrap();
        s.write_string(3, 3, "否").unwrap();
        // Row 5: entirely empty (only whitespace), skipped.
        s.write_string(4, 0, "   ").unwrap();
        // Row 6: required name empty; Chinese date; Y.
        s.write_string(5, 1, "110101199001011234").unwrap();
        s.write_string(5, 2, "2024年1月5日").unwrap();
        s.write_string(5, 3, "Y").unwrap();
        // Row 7: compact date; bad bool; bad integer.
        s.write_string(6, 0, "赵六").unwrap();
        s.write_string(6, 1, "110101199001011234").unwrap();
        s.write_string(6, 2, "20240105").unwrap();
        s.write_string(6, 3, "也许").unwrap();
        s.write_string(6, 4, "三次").unwrap();
        // Row 8: short code stored as a number; compact date as a number; 1 as bool; bad date.
        s.write_string(7, 0, "钱七").unwrap();
        s.write_number(7, 1, 110101.0).unwrap();
        s.write_number(7, 2, 20240105.0).unwrap();
        s.write_number(7, 3, 1).unwrap();
        s.write_number(7, 4, 4.0).unwrap();
        // Row 9: bad date text.
        s.write_string(8, 0, "孙八").unwrap();
        s.write_string(8, 1, "110101199001011234").unwrap();
        s.write_string(8, 2, "2024-13-01").unwrap();
    });

    let result = read_xlsx(&spec, &bytes).expect("read");
    let rows: Vec<usize> = result.rows.iter().map(|r| r.row).collect();
    assert_eq!(rows, vec![3, 4, 6, 7, 8, 9]);

    let good = &result.rows[0];
    assert_eq!(good.get("name"), Some("李四"));
    assert_eq!(good.get("id_number"), Some("11010119900101123X"));
    assert_eq!(good.get("birth"), Some("1990-01-05"));
    assert_eq!(good.get("party"), Some("true"));
    assert_eq!(good.get("count"), Some("2"));
    assert_eq!(good.get("phone"), Some("01088886666"));
    assert_eq!(good.values.len(), 6);

    let r4 = &result.rows[1];
    assert_eq!(r4.get("id_number"), None);
    assert_eq!(r4.get("birth"), Some("2024-01-05"));
    assert_eq!(r4.get("party"), Some("false"));
    assert_eq!(r4.get("phone"), None);

    let r6 = &result.rows[2];
    assert_eq!(r6.get("name"), None);
    assert_eq!(r6.get("birth"), Some("2024-01-05"));
    assert_eq!(r6.get("party"), Some("true"));

    assert_eq!(result.rows[3].get("birth"), Some("2024-01-05"));
    let r8 = &result.rows[4];
    assert_eq!(r8.get("id_number"), Some("110101"));
    assert_eq!(r8.get("birth"), Some("2024-01-05"));
    assert_eq!(r8.get("party"), Some("true"));
    assert_eq!(r8.get("count"), Some("4"));

    let errors: Vec<(usize, &str)> = result.errors.iter().map(|e| (e.row, e.column.as_str())).collect();
    assert_eq!(
        errors,
        vec![
            (4, "身份证号"),
            (6, "姓名"),
            (7, "是否党员"),
            (7, "处分次数"),
            (9, "出生日期"),
        ]
    );
    assert_eq!(
        result.errors[0].message,
        "身份证号列被Excel存为数字，末几位已丢失；请把该列设为文本格式后重新填写"
    );
    assert_eq!(result.errors[1].message, "必填项“姓名”为空");
    assert!(result.errors[2].message.contains("也许"));
    assert!(result.errors[4].message.contains("2024-13-01"));
    assert!(result.row_has_error(4));
    assert!(!result.row_has_error(3));
    assert_eq!(result.errors[1].to_string(), "第6行“姓名”列：必填项“姓名”为空");
}

#[test]
fn header_below_title_and_blank_rows_and_keys_as_headers() {
    let spec = spec();
    let bytes = build(|s| {
        s.set_name("其他").unwrap();
        s.write_string(0, 0, "某某单位人员名单").unwrap();
        s.write_string(2, 1, "name").unwrap();
        s.write_string(2, 2, "证件号码").unwrap();
        s.write_string(3, 1, "周九").unwrap();
        s.write_string(3, 2, "１１０１０１１９９００１０１１２３４").unwrap();
        s.write_string(5, 1, "吴十").unwrap();
        s.write_string(5, 2, "110101199001011234").unwrap();
    });
    let result = read_xlsx(&spec, &bytes).expect("read");
    let rows: Vec<usize> = result.rows.iter().map(|r| r.row).collect();
    assert_eq!(rows, vec![4, 6]);
    assert_eq!(result.rows[0].get("id_number"), Some("110101199001011234"));
    assert!(result.errors.is_empty());
}

#[test]
fn prefers_named_sheet_and_reports_duplicate_headers() {
    let spec = spec();
    let mut workbook = Workbook::new();
    let first = workbook.add_worksheet();
    first.set_name("说明").unwrap();
    first.write_string(0, 0, "这里不是数据").unwrap();
    let data = workbook.add_worksheet();
    data.set_name("人员").unwrap();
    for (c, h) in ["姓名", "身份证号", "姓名"].iter().enumerate() {
        data.write_string(0, c as u16, *h).unwrap();
    }
    data.write_string(1, 0, "郑一").unwrap();
    data.write_string(1, 1, "110101199001011234").unwrap();
    data.write_string(1, 2, "别的名字").unwrap();
    let bytes = workbook.save_to_buffer().unwrap();

    let result = read_xlsx(&spec, &bytes).expect("read");
    assert_eq!(result.rows.len(), 1);
    assert_eq!(result.rows[0].get("name"), Some("郑一"));
    assert_eq!(result.errors.len(), 1);
    assert_eq!(result.errors[0].row, 1);
    assert!(result.errors[0].message.contains("第A列和第C列"));
}

#[test]
fn missing_required_columns_and_empty_sheets() {
    let spec = spec();
    let bytes = build(|s| {
        s.write_string(0, 0, "出生日期").unwrap();
        s.write_string(1, 0, "2024-01-01").unwrap();
    });
    match read_xlsx(&spec, &bytes) {
        Err(e @ OfficeError::MissingColumn(_)) => {
            assert_eq!(e.to_string(), "缺少必填列“姓名”、“身份证号”，请使用系统提供的导入模板")
        }
        other => panic!("unexpected {other:?}"),
    }

    let headers_only = build(|s| {
        s.write_string(0, 0, "姓名").unwrap();
        s.write_string(0, 1, "身份证号").unwrap();
    });
    assert!(matches!(read_xlsx(&spec, &headers_only), Err(OfficeError::Empty)));
    let blank = build(|_| {});
    assert!(matches!(read_xlsx(&spec, &blank), Err(OfficeError::Empty)));
}

#[test]
fn rejects_non_xlsx_and_oversized_input() {
    let spec = spec();
    match read_xlsx(&spec, b"this is not a spreadsheet at all") {
        Err(e @ OfficeError::NotXlsx(_)) => {
            assert!(e.to_string().starts_with("文件不是有效的Excel"))
        }
        other => panic!("unexpected {other:?}"),
    }
    let mut xls = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    xls.resize(4096, 0);
    match read_xlsx(&spec, &xls) {
        Err(OfficeError::NotXlsx(detail)) => assert!(detail.contains(".xls")),
        other => panic!("unexpected {other:?}"),
    }
    let huge = vec![0u8; 20 * 1024 * 1024 + 1];
    assert!(matches!(read_xlsx(&spec, &huge), Err(OfficeError::TooLarge)));
}

#[test]
fn rejects_too_many_rows() {
    let spec = SheetSpec {
        sheet: "人员",
        columns: vec![Column {
            key: "n",
            header: "序号",
            required: true,
            kind: ColumnKind::Integer,
            example: "",
            note: "",
            aliases: &[],
        }],
    };
    for total in [50_001u32, 50_020] {
        let bytes = build(|s| {
            s.write_string(0, 0, "单位人员名单").unwrap();
            s.write_string(1, 0, "序号").unwrap();
            for r in 2..total + 2 {
                s.write_number(r, 0, r).unwrap();
            }
        });
        match read_xlsx(&spec, &bytes) {
            Err(OfficeError::TooManyRows(n)) => assert_eq!(n, total as usize),
            other => panic!("unexpected {other:?}"),
        }
    }
}

#[test]
fn error_report_lists_rows_sorted() {
    let errors = vec![
        RowError {
            row: 7,
            column: "是否党员".into(),
            message: "只能填写是或否".into(),
        },
        RowError {
            row: 3,
            column: "".into(),
            message: "整行重复".into(),
        },
        RowError {
            row: 5,
            column: "身份证号".into(),
            message: "必填项“身份证号”为空".into(),
        },
    ];
    let bytes = error_report_xlsx(&errors).expect("report");
    let names = open(&bytes).sheet_names();
    let data = range(&bytes, &names[0]);
    assert_eq!(cell(&data, 0, 0), text("行号"));
    assert_eq!(cell(&data, 0, 1), text("列"));
    assert_eq!(cell(&data, 0, 2), text("问题"));
    let rows: Vec<f64> = (1..=3)
        .map(|r| match cell(&data, r, 0) {
            Data::Float(f) => f,
            Data::Int(i) => i as f64,
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(rows, vec![3.0, 5.0, 7.0]);
    assert_eq!(cell(&data, 2, 1), text("身份证号"));
    assert_eq!(cell(&data, 2, 2), text("必填项“身份证号”为空"));
    assert_eq!(cell(&data, 1, 1), text("（整行）"));

    let styles = open(&bytes).worksheet_style(&names[0]).expect("styles");
    assert!(
        styles
            .get((0, 0))
            .and_then(|s| s.font.as_ref())
            .is_some_and(|f| f.is_bold())
    );
}

#[test]
fn export_keeps_codes_as_text_and_dates() {
    let date = NaiveDate::from_ymd_opt(2024, 1, 5).unwrap();
    let rows = vec![
        vec![
            Cell::Text("张三".into()),
            Cell::Code("00123".into()),
            Cell::Code("110101199001011234".into()),
            Cell::Date(date),
            Cell::Int(3),
            Cell::Number(1.5),
        ],
        vec![
            Cell::from("李四"),
            Cell::Code("0456".into()),
            Cell::Empty,
            Cell::from(None::<NaiveDate>),
            Cell::from(12i64),
            Cell::Empty,
        ],
    ];
    let headers = ["姓名", "编号", "身份证号", "立案日期", "次数", "金额"];
    let bytes = export_xlsx("线索/列表", &headers, &rows).expect("export");
    let names = open(&bytes).sheet_names();
    assert_eq!(names, vec!["线索_列表"]);
    let data = range(&bytes, &names[0]);
    for (i, h) in headers.iter().enumerate() {
        assert_eq!(cell(&data, 0, i as u32), text(h));
    }
    assert_eq!(cell(&data, 1, 0), text("张三"));
    assert_eq!(cell(&data, 1, 1), text("00123"));
    assert_eq!(cell(&data, 1, 2), text("110101199001011234"));
    assert_eq!(cell(&data, 2, 1), text("0456"));
    match cell(&data, 1, 3) {
        Data::DateTime(dt) => {
            let (y, m, d, ..) = dt.to_ymd_hms_milli();
            assert_eq!((y, m, d), (2024, 1, 5));
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(cell(&data, 1, 5), Data::Float(1.5));
    assert_eq!(cell(&data, 2, 3), Data::Empty);
    assert_eq!(number_format(&bytes, &names[0], 1, 1).as_deref(), Some("@"));
    assert_eq!(number_format(&bytes, &names[0], 1, 3).as_deref(), Some("yyyy-mm-dd"));
    let styles = open(&bytes).worksheet_style(&names[0]).expect("styles");
    assert!(
        styles
            .get((0, 0))
            .and_then(|s| s.font.as_ref())
            .is_some_and(|f| f.is_bold())
    );

    // An export of a spec-shaped list reads back through the importer.
    let spec = spec();
    let people = export_xlsx(
        "人员",
        &["姓名", "身份证号", "出生日期"],
        &[vec![
            Cell::from("陈二"),
            Cell::Code("110101199001011234".into()),
            Cell::Date(date),
        ]],
    )
    .expect("export");
    let result = read_xlsx(&spec, &people).expect("read");
    assert!(result.errors.is_empty());
    assert_eq!(result.rows[0].row, 2);
    assert_eq!(result.rows[0].get("birth"), Some("2024-01-05"));
}

#[test]
fn stray_far_cell_does_not_blow_up() {
    let spec = spec();
    let bytes = build(|s| {
        s.write_string(0, 0, "姓名").unwrap();
        s.write_string(0, 1, "身份证号").unwrap();
        s.write_string(1, 0, "冯三").unwrap();
        s.write_string(1, 1, "110101199001011234").unwrap();
        s.write_string(1_048_575, 16_383, "角落里的字").unwrap();
    });
    let result = read_xlsx(&spec, &bytes).expect("read");
    assert_eq!(result.rows.len(), 1);
    assert_eq!(result.rows[0].row, 2);
}

#[test]
fn multi_sheet_export_writes_every_sheet_in_order() {
    let findings = vec![vec![Cell::Int(1), Cell::Text("死亡后仍领取补贴".into())]];
    let evidence = vec![
        vec![Cell::Int(1), Cell::Code("11010519491231002X".into())],
        vec![Cell::Int(1), Cell::Code("440524188001010014".into())],
    ];
    let bytes = qinglian_office::export_xlsx_sheets(&[
        ("疑点", &["编号", "模型"], &findings),
        ("证据明细", &["疑点编号", "身份证号"], &evidence),
    ])
    .expect("export");
    assert_eq!(open(&bytes).sheet_names(), vec!["疑点", "证据明细"]);
    let data = range(&bytes, "证据明细");
    assert_eq!(cell(&data, 0, 1), text("身份证号"));
    assert_eq!(cell(&data, 2, 1), text("440524188001010014"));
    assert_eq!(range(&bytes, "疑点").height(), 2);
}
