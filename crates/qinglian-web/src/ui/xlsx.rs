//! File downloads (Excel exports, templates, attachments).

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

/// MIME type of .xlsx.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A file download response carrying the real file name: `filename*` in UTF-8 (RFC 6266 /
/// RFC 5987) for every current browser, and an ASCII `filename` fallback with the right
/// extension for old clients.
pub fn download(filename: &str, content_type: &str, bytes: Vec<u8>) -> Response {
    let mut r = bytes.into_response();
    let h = r.headers_mut();
    if let Ok(v) = HeaderValue::from_str(content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&content_disposition(filename)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

/// `attachment; filename="<ascii>"; filename*=UTF-8''<percent-encoded>`.
pub fn content_disposition(filename: &str) -> String {
    format!(
        "attachment; filename=\"{}\"; filename*=UTF-8''{}",
        ascii_fallback(filename),
        super::enc(filename)
    )
}

/// The ASCII part of a file name for clients that ignore `filename*`: its ASCII letters,
/// digits, `-`, `_` and `.` (so no quote, slash or control character can get through), the
/// stem `download` when nothing of it is ASCII, and always the real extension.
pub fn ascii_fallback(filename: &str) -> String {
    let (stem, ext) = match filename.rsplit_once('.') {
        Some((s, e)) if !e.is_empty() && e.chars().all(|c| c.is_ascii_alphanumeric()) => (s, Some(e)),
        _ => (filename, None),
    };
    let safe: String = stem
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .collect();
    let stem = if safe.chars().any(|c| c.is_ascii_alphanumeric()) {
        safe.trim_matches('.').to_string()
    } else {
        "download".to_string()
    };
    match ext {
        Some(e) => format!("{stem}.{}", e.to_ascii_lowercase()),
        None => stem,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue #16 §1: a PDF is never offered as download.xlsx.
    #[test]
    fn the_fallback_keeps_the_extension_and_nothing_unsafe() {
        assert_eq!(ascii_fallback("人员名册.xlsx"), "download.xlsx");
        assert_eq!(ascii_fallback("扫描件.PDF"), "download.pdf");
        assert_eq!(ascii_fallback("数据集导入问题-任务12.xlsx"), "-12.xlsx");
        assert_eq!(ascii_fallback("report 2026\".pdf"), "report2026.pdf");
        assert_eq!(ascii_fallback("../../etc/passwd"), "etcpasswd");
        assert_eq!(ascii_fallback("说明"), "download");
        let d = content_disposition("核查说明.pdf");
        assert!(
            d.starts_with("attachment; filename=\"download.pdf\"; filename*=UTF-8''"),
            "{d}"
        );
        assert!(d.contains("%E6%A0%B8"), "{d}");
    }
}
