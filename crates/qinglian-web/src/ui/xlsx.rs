//! Helpers for Excel downloads.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

/// MIME type of .xlsx.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A file download response with a UTF-8 (RFC 5987) file name.
pub fn download(filename: &str, content_type: &str, bytes: Vec<u8>) -> Response {
    let mut r = bytes.into_response();
    let h = r.headers_mut();
    if let Ok(v) = HeaderValue::from_str(content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    let disp = format!(
        "attachment; filename=\"download.xlsx\"; filename*=UTF-8''{}",
        super::enc(filename)
    );
    if let Ok(v) = HeaderValue::from_str(&disp) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    r
}
