//! Official documents (公文) as .docx in the layout of GB/T 9704-2012 《党政机关公文格式》, for
//! every module's notices: 受理告知书, 转办函, 答复意见书 today; 函询通知书, 处分决定书 later. A module
//! fills one [`OfficialDocument`] from its data (one function per document kind); this file is
//! the only place that knows the layout.
//!
//! The layout (GB/T 9704-2012 §5, §7): A4; margins top 37 mm, bottom 35 mm, left 28 mm, right
//! 26 mm (a 156 × 225 mm text area); 发文机关标志 in red 小标宋, centred; 发文字号 centred under it in
//! 3号仿宋; the red separator line (版头分隔线) under the 发文字号; the 标题 in 2号小标宋, centred;
//! 主送机关 flush left; 正文 in 3号仿宋_GB2312 with a two-character first-line indent and a fixed
//! line pitch of 28.95 pt (22 lines a page); 署名 and 成文日期 (Arabic numerals, 「2026年12月7日」)
//! at the right, the date four characters from the right margin; page numbers in 4号 宋体 as
//! 「— 1 —」 in the footer. Fonts are named, not embedded: the users' offices have them (仿宋_GB2312,
//! 方正小标宋简体 are the standard's fonts); Word substitutes where they are missing.
//!
//! Built with docx-rs (the well-kept Rust .docx writer and reader); [`read_paragraphs`] reads a
//! document back, so tests check what the file really says.

use chrono::{Datelike, NaiveDate};
use docx_rs::{
    AlignmentType, BorderType, Docx, Footer, LineSpacing, LineSpacingType, PageMargin, PageNum, Paragraph,
    ParagraphBorder, ParagraphBorderPosition, Run, RunFonts, SpecialIndentType,
};

/// Body font (仿宋_GB2312).
pub const FONT_BODY: &str = "仿宋_GB2312";
/// Title and issuer font (方正小标宋简体).
pub const FONT_TITLE: &str = "方正小标宋简体";
/// Page number font.
pub const FONT_PAGE: &str = "宋体";
/// The red of the 版头 (GB/T 9704: 红色).
pub const RED: &str = "FF0000";

// Sizes in half-points: 2号 22 pt, 3号 16 pt, 4号 14 pt.
const SIZE_2: usize = 44;
const SIZE_3: usize = 32;
const SIZE_4: usize = 28;
const SIZE_ISSUER: usize = 52;
// Twips (1 mm = 56.69 twips).
const A4_W: u32 = 11906;
const A4_H: u32 = 16838;
const LINE_PITCH: i32 = 579; // 28.95 pt in twentieths of a point.
const CHAR: i32 = 320; // one 3号 character, 16 pt.

/// One official document.
#[derive(Debug, Clone, Default)]
pub struct OfficialDocument {
    /// 发文机关标志 (e.g. 示例市纪委监委信访室), printed in red.
    pub issuer: String,
    /// 发文字号 (e.g. 示纪信告〔2026〕15号), if any.
    pub number: Option<String>,
    /// 标题.
    pub title: String,
    /// 主送机关 or addressee, with its colon (e.g. 「欧阳明远同志：」).
    pub addressee: Option<String>,
    /// 正文, one entry per paragraph.
    pub body: Vec<String>,
    /// 发文机关署名.
    pub signature: String,
    /// 成文日期.
    pub date: NaiveDate,
    /// 附注 (e.g. 「（联系电话：12388）」), if any.
    pub note: Option<String>,
}

/// Why a document could not be written.
#[derive(Debug, thiserror::Error)]
#[error("生成Word文档失败：{0}")]
pub struct DocxError(String);

/// 「2026年12月7日」 (GB/T 9704-2012 §7.3.5.1: Arabic numerals, no leading zeros).
pub fn chinese_date(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

fn fonts(east_asia: &str) -> RunFonts {
    RunFonts::new()
        .east_asia(east_asia)
        .ascii(if east_asia == FONT_BODY {
            "Times New Roman"
        } else {
            east_asia
        })
        .hi_ansi(if east_asia == FONT_BODY {
            "Times New Roman"
        } else {
            east_asia
        })
}

fn run(text: &str, font: &str, size: usize) -> Run {
    Run::new().add_text(text).fonts(fonts(font)).size(size)
}

fn pitch() -> LineSpacing {
    LineSpacing::new().line_rule(LineSpacingType::Exact).line(LINE_PITCH)
}

fn body_paragraph(text: &str) -> Paragraph {
    Paragraph::new()
        .add_run(run(text, FONT_BODY, SIZE_3))
        .indent(None, Some(SpecialIndentType::FirstLine(2 * CHAR)), None, None)
        .line_spacing(pitch())
        .align(AlignmentType::Both)
}

fn blank() -> Paragraph {
    Paragraph::new()
        .add_run(run("", FONT_BODY, SIZE_3))
        .line_spacing(pitch())
}

impl OfficialDocument {
    /// The document as .docx bytes.
    pub fn to_docx(&self) -> Result<Vec<u8>, DocxError> {
        let mut doc = Docx::new()
            .page_size(A4_W, A4_H)
            .page_margin(
                PageMargin::new()
                    .top(2098)
                    .bottom(1984)
                    .left(1588)
                    .right(1474)
                    .header(851)
                    .footer(1587),
            )
            .default_fonts(fonts(FONT_BODY))
            .default_size(SIZE_3);
        // 版头: the issuer in red, the number, the red line.
        doc = doc.add_paragraph(
            Paragraph::new()
                .add_run(run(&self.issuer, FONT_TITLE, SIZE_ISSUER).color(RED))
                .align(AlignmentType::Center)
                .line_spacing(LineSpacing::new().before(0).after(0)),
        );
        doc = doc.add_paragraph(blank());
        let mut number = Paragraph::new()
            .add_run(run(self.number.as_deref().unwrap_or(""), FONT_BODY, SIZE_3))
            .align(AlignmentType::Center)
            .line_spacing(pitch());
        // The separator line: a red bottom border under the 发文字号's paragraph, 4 mm below it.
        number.property = number.property.set_border(
            ParagraphBorder::new(ParagraphBorderPosition::Bottom)
                .val(BorderType::Single)
                .size(12)
                .space(8)
                .color(RED),
        );
        doc = doc.add_paragraph(number);
        doc = doc.add_paragraph(blank());
        // 标题.
        doc = doc.add_paragraph(
            Paragraph::new()
                .add_run(run(&self.title, FONT_TITLE, SIZE_2))
                .align(AlignmentType::Center)
                .line_spacing(LineSpacing::new().line_rule(LineSpacingType::Exact).line(700)),
        );
        doc = doc.add_paragraph(blank());
        if let Some(a) = &self.addressee {
            doc = doc.add_paragraph(
                Paragraph::new()
                    .add_run(run(a, FONT_BODY, SIZE_3))
                    .line_spacing(pitch()),
            );
        }
        for p in &self.body {
            doc = doc.add_paragraph(body_paragraph(p));
        }
        doc = doc.add_paragraph(blank());
        doc = doc.add_paragraph(blank());
        // 署名 and 成文日期: the date four characters from the right, the signature centred
        // over it.
        let date = chinese_date(self.date);
        let date_chars = date.chars().count() as i32;
        let sig_chars = self.signature.chars().count() as i32;
        let sig_right = (4 * CHAR + (date_chars - sig_chars) * CHAR / 2).max(0);
        doc = doc.add_paragraph(
            Paragraph::new()
                .add_run(run(&self.signature, FONT_BODY, SIZE_3))
                .align(AlignmentType::Right)
                .indent(None, None, Some(sig_right), None)
                .line_spacing(pitch()),
        );
        doc = doc.add_paragraph(
            Paragraph::new()
                .add_run(run(&date, FONT_BODY, SIZE_3))
                .align(AlignmentType::Right)
                .indent(None, None, Some(4 * CHAR), None)
                .line_spacing(pitch()),
        );
        if let Some(n) = &self.note {
            doc = doc.add_paragraph(blank());
            doc = doc.add_paragraph(
                Paragraph::new()
                    .add_run(run(n, FONT_BODY, SIZE_3))
                    .indent(None, Some(SpecialIndentType::FirstLine(2 * CHAR)), None, None)
                    .line_spacing(pitch()),
            );
        }
        // Page numbers: 「— n —」, odd pages one character from the right, even from the left.
        let page_number = |align: AlignmentType, right: Option<i32>, left: Option<i32>| {
            Footer::new().add_paragraph(
                Paragraph::new()
                    .add_run(run("— ", FONT_PAGE, SIZE_4))
                    .add_page_num(PageNum::new())
                    .add_run(run(" —", FONT_PAGE, SIZE_4))
                    .align(align)
                    .indent(left, None, right, None),
            )
        };
        doc = doc
            .footer(page_number(AlignmentType::Right, Some(CHAR), None))
            .even_footer(page_number(AlignmentType::Left, None, Some(CHAR)));
        let mut out = std::io::Cursor::new(Vec::new());
        doc.build().pack(&mut out).map_err(|e| DocxError(e.to_string()))?;
        Ok(out.into_inner())
    }
}

/// The paragraphs of a .docx as text, in order (tests and checks read documents back).
pub fn read_paragraphs(bytes: &[u8]) -> Result<Vec<String>, DocxError> {
    let doc = docx_rs::read_docx(bytes).map_err(|e| DocxError(e.to_string()))?;
    Ok(doc
        .document
        .children
        .iter()
        .filter_map(|c| match c {
            docx_rs::DocumentChild::Paragraph(p) => Some(p.raw_text()),
            _ => None,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> OfficialDocument {
        OfficialDocument {
            issuer: "示例市纪委监委信访室".into(),
            number: Some("示纪信告〔2026〕15号".into()),
            title: "受理告知书".into(),
            addressee: Some("欧阳明远同志：".into()),
            body: vec![
                "您于2026年12月1日反映的问题已收悉。".into(),
                "经审查，该问题属于本机关受理范围，我们已依规受理。".into(),
            ],
            signature: "示例市纪委监委信访室".into(),
            date: NaiveDate::from_ymd_opt(2026, 12, 7).unwrap(),
            note: Some("（联系电话：12388）".into()),
        }
    }

    #[test]
    fn dates_are_written_as_the_standard_says() {
        assert_eq!(
            chinese_date(NaiveDate::from_ymd_opt(2026, 1, 5).unwrap()),
            "2026年1月5日"
        );
        assert_eq!(
            chinese_date(NaiveDate::from_ymd_opt(2026, 12, 17).unwrap()),
            "2026年12月17日"
        );
    }

    #[test]
    fn a_document_reads_back_in_order() {
        let bytes = sample().to_docx().unwrap();
        let paras: Vec<String> = read_paragraphs(&bytes)
            .unwrap()
            .into_iter()
            .filter(|p| !p.trim().is_empty())
            .collect();
        assert_eq!(
            paras,
            vec![
                "示例市纪委监委信访室",
                "示纪信告〔2026〕15号",
                "受理告知书",
                "欧阳明远同志：",
                "您于2026年12月1日反映的问题已收悉。",
                "经审查，该问题属于本机关受理范围，我们已依规受理。",
                "示例市纪委监委信访室",
                "2026年12月7日",
                "（联系电话：12388）",
            ]
        );
    }

    #[test]
    fn the_layout_is_the_standards() {
        let bytes = sample().to_docx().unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut xml = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("word/document.xml").unwrap(), &mut xml).unwrap();
        // A4 and the margins of GB/T 9704 (37/35/28/26 mm).
        assert!(xml.contains(r#"w:w="11906""#) && xml.contains(r#"w:h="16838""#), "A4");
        for m in [
            r#"w:top="2098""#,
            r#"w:bottom="1984""#,
            r#"w:left="1588""#,
            r#"w:right="1474""#,
        ] {
            assert!(xml.contains(m), "{m}");
        }
        // The red issuer and separator line, the body font and size, the fixed pitch.
        assert!(xml.contains(r#"w:color w:val="FF0000""#), "red issuer");
        assert!(xml.contains(r#"w:color="FF0000""#), "red line");
        assert!(xml.contains(r#"w:eastAsia="仿宋_GB2312""#));
        assert!(xml.contains(r#"w:eastAsia="方正小标宋简体""#));
        assert!(xml.contains(r#"w:sz w:val="32""#), "3号 body");
        assert!(xml.contains(r#"w:sz w:val="44""#), "2号 title");
        assert!(
            xml.contains(r#"w:line="579""#) && xml.contains(r#"w:lineRule="exact""#),
            "28.95 pt pitch"
        );
    }
}
