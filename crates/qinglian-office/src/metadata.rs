//! Removing what a file says about who made it (EXIF, document author), for files that could
//! identify a reporter: a photo's EXIF carries the camera, the time and often the place; an
//! Office document's properties carry the author's and the last editor's names, the company.
//!
//! Images through img-parts (the well-kept crate for JPEG and PNG segments and chunks); Office
//! Open XML (.docx, .xlsx) by rewriting the zip with blank document properties (docProps/core.xml,
//! app.xml, custom.xml), with the zip crate. Other types are returned unchanged and
//! [`Stripped::cleaned`] says so, so that the UI can tell the truth about them.

use std::io::{Read, Write};

use img_parts::Bytes;

/// The result of [`strip`].
#[derive(Debug, Clone)]
pub struct Stripped {
    /// The file, without identifying metadata where its type allows.
    pub bytes: Vec<u8>,
    /// Whether the type is one whose metadata is removed.
    pub cleaned: bool,
}

/// Why a file could not be read as its extension says.
#[derive(Debug, thiserror::Error)]
#[error("文件无法识别为{0}格式")]
pub struct NotReadable(pub &'static str);

const CORE: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"></cp:coreProperties>"#;

const APP: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"></Properties>"#;

const CUSTOM: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"></Properties>"#;

/// The file with its identifying metadata removed, by its (lower-case) extension.
pub fn strip(ext: &str, bytes: &[u8]) -> Result<Stripped, NotReadable> {
    match ext {
        "jpg" | "jpeg" => {
            let mut jpeg =
                img_parts::jpeg::Jpeg::from_bytes(Bytes::copy_from_slice(bytes)).map_err(|_| NotReadable("JPEG"))?;
            // APP1 (EXIF, XMP), APP2 (ICC, FlashPix), APP3–APP15 (IPTC in APP13, makers' notes),
            // comments. APP0 (JFIF) only says how to draw the pixels.
            for marker in (img_parts::jpeg::markers::APP1..=img_parts::jpeg::markers::APP15)
                .chain(std::iter::once(img_parts::jpeg::markers::COM))
            {
                jpeg.remove_segments_by_marker(marker);
            }
            Ok(Stripped {
                bytes: jpeg.encoder().bytes().to_vec(),
                cleaned: true,
            })
        }
        "png" => {
            let mut png =
                img_parts::png::Png::from_bytes(Bytes::copy_from_slice(bytes)).map_err(|_| NotReadable("PNG"))?;
            for kind in [*b"eXIf", *b"tEXt", *b"zTXt", *b"iTXt", *b"tIME"] {
                png.remove_chunks_by_type(kind);
            }
            Ok(Stripped {
                bytes: png.encoder().bytes().to_vec(),
                cleaned: true,
            })
        }
        "docx" | "xlsx" | "pptx" => Ok(Stripped {
            bytes: blank_properties(bytes).map_err(|_| NotReadable("Office文档"))?,
            cleaned: true,
        }),
        _ => Ok(Stripped {
            bytes: bytes.to_vec(),
            cleaned: false,
        }),
    }
}

fn blank_properties(bytes: &[u8]) -> zip::result::ZipResult<Vec<u8>> {
    let mut input = zip::ZipArchive::new(std::io::Cursor::new(bytes))?;
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for i in 0..input.len() {
        let mut entry = input.by_index(i)?;
        let name = entry.name().to_string();
        if entry.is_dir() {
            out.add_directory(name, options)?;
            continue;
        }
        let replacement = match name.as_str() {
            "docProps/core.xml" => Some(CORE),
            "docProps/app.xml" => Some(APP),
            "docProps/custom.xml" => Some(CUSTOM),
            _ => None,
        };
        out.start_file(name, options)?;
        match replacement {
            Some(text) => out.write_all(text.as_bytes())?,
            None => {
                let mut buf = Vec::new();
                entry.read_to_end(&mut buf)?;
                out.write_all(&buf)?;
            }
        }
    }
    Ok(out.finish()?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 1×1 JPEG with an EXIF segment naming its maker and a comment.
    fn jpeg_with_exif() -> Vec<u8> {
        let mut j = img_parts::jpeg::Jpeg::from_bytes(Bytes::from_static(TINY_JPEG)).unwrap();
        let exif = img_parts::jpeg::JpegSegment::new_with_contents(
            img_parts::jpeg::markers::APP1,
            Bytes::from_static(b"Exif\0\0Artist=Ouyang Mingyuan GPS 31.2N"),
        );
        j.segments_mut().insert(1, exif);
        j.segments_mut().insert(
            1,
            img_parts::jpeg::JpegSegment::new_with_contents(
                img_parts::jpeg::markers::COM,
                Bytes::from_static(b"taken by Ouyang"),
            ),
        );
        j.encoder().bytes().to_vec()
    }

    // The smallest valid baseline JPEG (1×1, grey).
    const TINY_JPEG: &[u8] = &[
        0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01,
        0x00, 0x00, 0xFF, 0xDB, 0x00, 0x43, 0x00, 0x08, 0x06, 0x06, 0x07, 0x06, 0x05, 0x08, 0x07, 0x07, 0x07, 0x09,
        0x09, 0x08, 0x0A, 0x0C, 0x14, 0x0D, 0x0C, 0x0B, 0x0B, 0x0C, 0x19, 0x12, 0x13, 0x0F, 0x14, 0x1D, 0x1A, 0x1F,
        0x1E, 0x1D, 0x1A, 0x1C, 0x1C, 0x20, 0x24, 0x2E, 0x27, 0x20, 0x22, 0x2C, 0x23, 0x1C, 0x1C, 0x28, 0x37, 0x29,
        0x2C, 0x30, 0x31, 0x34, 0x34, 0x34, 0x1F, 0x27, 0x39, 0x3D, 0x38, 0x32, 0x3C, 0x2E, 0x33, 0x34, 0x32, 0xFF,
        0xC0, 0x00, 0x0B, 0x08, 0x00, 0x01, 0x00, 0x01, 0x01, 0x01, 0x11, 0x00, 0xFF, 0xC4, 0x00, 0x14, 0x00, 0x01,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0xFF,
        0xC4, 0x00, 0x14, 0x10, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00, 0x37, 0xFF, 0xD9,
    ];

    fn contains(hay: &[u8], needle: &[u8]) -> bool {
        hay.windows(needle.len()).any(|w| w == needle)
    }

    #[test]
    fn a_photo_loses_its_exif_and_comments_and_stays_a_jpeg() {
        let dirty = jpeg_with_exif();
        assert!(contains(&dirty, b"Ouyang"));
        let s = strip("jpg", &dirty).unwrap();
        assert!(s.cleaned);
        assert!(!contains(&s.bytes, b"Ouyang") && !contains(&s.bytes, b"GPS"));
        assert!(
            img_parts::jpeg::Jpeg::from_bytes(Bytes::from(s.bytes)).is_ok(),
            "still a JPEG"
        );
    }

    #[test]
    fn an_office_document_loses_its_author_and_keeps_its_text() {
        let doc = crate::docx::OfficialDocument {
            issuer: "示例".into(),
            title: "反映材料".into(),
            body: vec!["正文内容".into()],
            date: chrono::NaiveDate::from_ymd_opt(2026, 12, 7).unwrap(),
            ..Default::default()
        };
        // A document whose properties name its author, as Word writes them.
        let plain = doc.to_docx().unwrap();
        let mut input = zip::ZipArchive::new(std::io::Cursor::new(plain)).unwrap();
        let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
        for i in 0..input.len() {
            let mut e = input.by_index(i).unwrap();
            let name = e.name().to_string();
            let mut buf = Vec::new();
            e.read_to_end(&mut buf).unwrap();
            out.start_file(name.clone(), options).unwrap();
            if name == "docProps/core.xml" {
                out.write_all(b"<cp:coreProperties><dc:creator>Ouyang Mingyuan</dc:creator></cp:coreProperties>")
                    .unwrap();
            } else {
                out.write_all(&buf).unwrap();
            }
        }
        let dirty = out.finish().unwrap().into_inner();
        assert!(contains(&dirty, b"Ouyang"));
        let s = strip("docx", &dirty).unwrap();
        assert!(s.cleaned);
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(s.bytes.clone())).unwrap();
        let mut core = String::new();
        zip.by_name("docProps/core.xml")
            .unwrap()
            .read_to_string(&mut core)
            .unwrap();
        assert!(!core.contains("Ouyang") && core.contains("coreProperties"), "{core}");
        let text = crate::docx::read_paragraphs(&s.bytes).unwrap().join("\n");
        assert!(text.contains("正文内容"), "{text}");
    }

    #[test]
    fn other_types_are_kept_and_said_so_and_fakes_are_refused() {
        let s = strip("pdf", b"%PDF-1.4 ...").unwrap();
        assert!(!s.cleaned);
        assert!(strip("jpg", b"not a jpeg").is_err());
        assert!(strip("docx", b"not a zip").is_err());
    }
}
