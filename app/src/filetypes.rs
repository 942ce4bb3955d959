//! The kinds of file the evidence register accepts, and the check that an upload's name, the
//! type the browser declared and the bytes themselves agree (SECURITY.md 17).
//!
//! Pure and shared: the server judges uploads with it, and the upload forms list the same kinds
//! in their hint and their `accept` attribute. The check reads only the first bytes of a file
//! (its signature); files are never opened or served inline, so this is about refusing a file
//! that is not what it says it is, not about proving a document well formed.

/// How a kind's contents are recognised.
#[derive(Debug, Clone, Copy)]
enum Signature {
    /// A matcher over the leading bytes: the `infer` crate's, or one of the few below it lacks.
    Matches(fn(&[u8]) -> bool),
    /// UTF-8 text (a byte order mark allowed) with no NUL bytes.
    Text,
}

/// One kind of evidence file.
#[derive(Debug, Clone, Copy)]
pub struct FileKind {
    /// What people call it, for messages and hints.
    pub label: &'static str,
    /// The media type stored with the file.
    pub media_type: &'static str,
    /// File name extensions, lower case, without the dot.
    pub extensions: &'static [&'static str],
    /// Media types browsers declare for it besides `media_type`.
    also_declared_as: &'static [&'static str],
    signature: Signature,
}

/// A compound file (older Office formats and Outlook messages) by its header: `infer` tells
/// them apart only by reading the whole compound file, which a leading sample is not.
fn is_compound_file(head: &[u8]) -> bool {
    head.starts_with(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")
}

/// Whether a ZIP's leading bytes hold a local file header for an entry under `folder`.
///
/// `infer` recognises an Office package by its first three or four entries, in the order
/// Microsoft Office writes them. Packages written by other tools (python-docx, openpyxl,
/// reporting systems) put `docProps/` first and their main part later, so `infer` does not
/// name them; this finds the main part's folder among the entries in the sample instead.
fn has_entry_under(head: &[u8], folder: &[u8]) -> bool {
    const LOCAL_HEADER: &[u8] = b"PK\x03\x04";
    const NAME_AT: usize = 30;
    infer::archive::is_zip(head)
        && head
            .windows(LOCAL_HEADER.len())
            .enumerate()
            .filter(|(_, w)| *w == LOCAL_HEADER)
            .any(|(at, _)| {
                head.get(at + NAME_AT..)
                    .is_some_and(|name| name.starts_with(folder))
            })
}

fn is_word(head: &[u8]) -> bool {
    infer::doc::is_docx(head) || has_entry_under(head, b"word/")
}

fn is_excel(head: &[u8]) -> bool {
    infer::doc::is_xlsx(head) || has_entry_under(head, b"xl/")
}

fn is_powerpoint(head: &[u8]) -> bool {
    infer::doc::is_pptx(head) || has_entry_under(head, b"ppt/")
}

/// `infer` has no Visio matcher: a Visio package's parts are under `visio/`.
fn is_visio(head: &[u8]) -> bool {
    has_entry_under(head, b"visio/")
}

/// Every kind the register accepts.
pub const ACCEPTED: &[FileKind] = &[
    FileKind {
        label: "PDF",
        media_type: "application/pdf",
        extensions: &["pdf"],
        also_declared_as: &["application/x-pdf"],
        signature: Signature::Matches(infer::archive::is_pdf),
    },
    FileKind {
        label: "Word",
        media_type: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        extensions: &["docx", "docm", "dotx"],
        also_declared_as: &[
            "application/vnd.ms-word.document.macroenabled.12",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.template",
            "application/zip",
        ],
        signature: Signature::Matches(is_word),
    },
    FileKind {
        label: "Excel",
        media_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        extensions: &["xlsx", "xlsm"],
        also_declared_as: &[
            "application/vnd.ms-excel.sheet.macroenabled.12",
            "application/zip",
        ],
        signature: Signature::Matches(is_excel),
    },
    FileKind {
        label: "PowerPoint",
        media_type: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        extensions: &["pptx"],
        also_declared_as: &["application/zip"],
        signature: Signature::Matches(is_powerpoint),
    },
    FileKind {
        label: "Visio",
        media_type: "application/vnd.ms-visio.drawing.main+xml",
        extensions: &["vsdx"],
        also_declared_as: &["application/vnd.ms-visio.drawing", "application/zip"],
        signature: Signature::Matches(is_visio),
    },
    FileKind {
        label: "OpenDocument text",
        media_type: "application/vnd.oasis.opendocument.text",
        extensions: &["odt"],
        also_declared_as: &["application/zip"],
        signature: Signature::Matches(infer::odf::is_odt),
    },
    FileKind {
        label: "OpenDocument spreadsheet",
        media_type: "application/vnd.oasis.opendocument.spreadsheet",
        extensions: &["ods"],
        also_declared_as: &["application/zip"],
        signature: Signature::Matches(infer::odf::is_ods),
    },
    FileKind {
        label: "OpenDocument presentation",
        media_type: "application/vnd.oasis.opendocument.presentation",
        extensions: &["odp"],
        also_declared_as: &["application/zip"],
        signature: Signature::Matches(infer::odf::is_odp),
    },
    FileKind {
        label: "older Office (doc, xls, ppt, vsd) or Outlook message",
        media_type: "application/x-ole-storage",
        extensions: &["doc", "xls", "ppt", "vsd", "msg"],
        also_declared_as: &[
            "application/msword",
            "application/vnd.ms-excel",
            "application/vnd.ms-powerpoint",
            "application/vnd.visio",
            "application/vnd.ms-outlook",
        ],
        signature: Signature::Matches(is_compound_file),
    },
    FileKind {
        label: "ZIP archive",
        media_type: "application/zip",
        extensions: &["zip"],
        also_declared_as: &["application/x-zip-compressed", "application/x-zip"],
        signature: Signature::Matches(infer::archive::is_zip),
    },
    FileKind {
        label: "PNG image",
        media_type: "image/png",
        extensions: &["png"],
        also_declared_as: &[],
        signature: Signature::Matches(infer::image::is_png),
    },
    FileKind {
        label: "JPEG image",
        media_type: "image/jpeg",
        extensions: &["jpg", "jpeg"],
        also_declared_as: &["image/pjpeg"],
        signature: Signature::Matches(infer::image::is_jpeg),
    },
    FileKind {
        label: "GIF image",
        media_type: "image/gif",
        extensions: &["gif"],
        also_declared_as: &[],
        signature: Signature::Matches(infer::image::is_gif),
    },
    FileKind {
        label: "WebP image",
        media_type: "image/webp",
        extensions: &["webp"],
        also_declared_as: &[],
        signature: Signature::Matches(infer::image::is_webp),
    },
    FileKind {
        label: "rich text",
        media_type: "application/rtf",
        extensions: &["rtf"],
        also_declared_as: &["text/rtf"],
        signature: Signature::Matches(infer::archive::is_rtf),
    },
    FileKind {
        label: "CSV",
        media_type: "text/csv",
        extensions: &["csv"],
        // Windows browsers declare CSV files as Excel's when Excel is installed.
        also_declared_as: &[
            "text/plain",
            "application/csv",
            "application/vnd.ms-excel",
            "text/x-csv",
        ],
        signature: Signature::Text,
    },
    FileKind {
        label: "plain text, Markdown, log, JSON, XML or email (.eml)",
        media_type: "text/plain",
        extensions: &[
            "txt", "text", "md", "log", "json", "xml", "eml", "yaml", "yml",
        ],
        also_declared_as: &[
            "text/markdown",
            "text/x-markdown",
            "text/x-log",
            "application/json",
            "application/xml",
            "text/xml",
            "message/rfc822",
            "application/yaml",
            "application/x-yaml",
            "text/yaml",
        ],
        signature: Signature::Text,
    },
];

/// Declared types that say only "some file": they neither confirm nor contradict a kind.
const UNSPECIFIC: &[&str] = &["", "application/octet-stream", "binary/octet-stream"];

/// How many leading bytes [`content_matches`] wants to see (fewer when the file is shorter):
/// enough for the first entries of an Office package, which say whether it is Word, Excel or
/// PowerPoint.
pub const SNIFF_LEN: usize = 64 * 1024;

/// The lower-case extension of a file name, if it has one.
fn extension(name: &str) -> Option<String> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let (stem, ext) = base.rsplit_once('.')?;
    (!stem.is_empty() && !ext.is_empty()).then(|| ext.to_ascii_lowercase())
}

/// A declared media type without parameters, lower case.
fn essence(declared: &str) -> String {
    declared
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

impl FileKind {
    fn declared_as(&self, essence: &str) -> bool {
        self.media_type == essence || self.also_declared_as.contains(&essence)
    }
}

/// The kind an upload claims to be, from its name and the type the browser declared: the
/// extension decides, and a specific declared type must agree with it. The error says why, in a
/// sentence for the person uploading.
pub fn claimed_kind(file_name: &str, declared: &str) -> Result<&'static FileKind, String> {
    let declared = essence(declared);
    let Some(ext) = extension(file_name) else {
        return Err(format!(
            "The file name has no extension, so its type cannot be checked. Accepted: {}.",
            accepted_summary()
        ));
    };
    let Some(kind) = ACCEPTED
        .iter()
        .find(|k| k.extensions.contains(&ext.as_str()))
    else {
        return Err(format!(
            "Files ending .{ext} are not accepted as evidence. Accepted: {}.",
            accepted_summary()
        ));
    };
    if UNSPECIFIC.contains(&declared.as_str()) || kind.declared_as(&declared) {
        Ok(kind)
    } else {
        Err(format!(
            "The file is named as {} (.{ext}) but was sent as {declared}; the two must agree.",
            kind.label
        ))
    }
}

/// Whether a file's leading bytes (at least [`SNIFF_LEN`] of them, or the whole file when it is
/// shorter: `whole` says which) are what its kind says.
pub fn content_matches(kind: &FileKind, head: &[u8], whole: bool) -> bool {
    match kind.signature {
        Signature::Matches(matches) => matches(head),
        Signature::Text => {
            let text = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
            if text.contains(&0) {
                return false;
            }
            match std::str::from_utf8(text) {
                Ok(_) => true,
                // A character cut off by the end of the sample is fine; one cut off by the end
                // of the file, or any other invalid byte, is not.
                Err(e) => !whole && e.error_len().is_none(),
            }
        }
    }
}

/// The message for a file whose contents are not what its name says.
pub fn content_mismatch(kind: &FileKind) -> String {
    format!(
        "The file's contents are not {}, although its name says they are.",
        with_article(kind.label)
    )
}

fn with_article(label: &str) -> String {
    let article = match label.as_bytes().first() {
        Some(b'A' | b'E' | b'I' | b'O' | b'U' | b'a' | b'e' | b'i' | b'o' | b'u') => "an",
        _ => "a",
    };
    if label.starts_with("plain") || label.starts_with("older") || label.starts_with("rich") {
        label.to_owned()
    } else {
        format!("{article} {label} file")
    }
}

/// The accepted kinds in a sentence fragment, for hints and messages.
pub fn accepted_summary() -> String {
    ACCEPTED
        .iter()
        .map(|k| {
            let exts: Vec<String> = k.extensions.iter().map(|e| format!(".{e}")).collect();
            format!("{} ({})", k.label, exts.join(", "))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The hint beside an upload field.
pub fn upload_hint(max_upload: u64) -> String {
    format!(
        "Up to {} MB. PDF, Word, Excel, PowerPoint, Visio, OpenDocument, older Office files, \
         Outlook messages, ZIP, PNG, JPEG, GIF, WebP, rich text, CSV or plain text; the contents \
         must be what the file's name says. Stored by its SHA-256; always downloaded as an \
         attachment.",
        max_upload >> 20
    )
}

/// The value for an `<input type="file">`'s `accept` attribute.
pub fn accept_attribute() -> String {
    ACCEPTED
        .iter()
        .flat_map(|k| k.extensions.iter().map(|e| format!(".{e}")))
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(name: &str, declared: &str) -> Result<&'static str, String> {
        claimed_kind(name, declared).map(|k| k.label)
    }

    #[test]
    fn the_extension_decides_and_a_specific_declared_type_must_agree() {
        assert_eq!(kind("Backup Policy v3.PDF", "application/pdf"), Ok("PDF"));
        assert_eq!(kind("policy.pdf", "application/octet-stream"), Ok("PDF"));
        assert_eq!(kind("policy.pdf", ""), Ok("PDF"));
        assert_eq!(
            kind("assets.csv", "application/vnd.ms-excel; charset=binary"),
            Ok("CSV")
        );
        assert_eq!(
            kind(
                "minutes.docx",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            ),
            Ok("Word")
        );
        let mismatch = kind("policy.pdf", "image/png").unwrap_err();
        assert!(mismatch.contains("sent as image/png"), "{mismatch}");
        let refused = kind("setup.exe", "application/x-msdownload").unwrap_err();
        assert!(
            refused.starts_with("Files ending .exe are not accepted"),
            "{refused}"
        );
        assert!(
            kind("page.html", "text/html").is_err(),
            "HTML is never accepted"
        );
        assert!(
            kind("drawing.svg", "image/svg+xml").is_err(),
            "SVG is never accepted"
        );
        assert!(
            kind("passwd", "text/plain")
                .unwrap_err()
                .contains("no extension")
        );
        assert!(
            kind(".pdf", "application/pdf").is_err(),
            "a bare extension is no name"
        );
        assert_eq!(kind("..\\..\\evil\\report.pdf", ""), Ok("PDF"));
    }

    #[test]
    fn signatures_are_checked_against_the_kind() {
        let pdf = claimed_kind("a.pdf", "").unwrap();
        assert!(content_matches(pdf, b"%PDF-1.7\n%\xE2\xE3", false));
        assert!(!content_matches(pdf, b"MZ\x90\x00\x03", true));
        assert!(!content_matches(pdf, b"", true));

        let fixture = |name: &str| {
            std::fs::read(
                std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("tests/fixtures/files")
                    .join(name),
            )
            .expect("fixture")
        };
        // Real packages (made by python-docx, openpyxl, python-pptx and odfpy; the Visio one
        // by Python's zipfile in Visio's layout), each checked against every ZIP-based kind:
        // only its own kind and the plain ZIP kind take it.
        let packages = [
            ("minutes.docx", "a.docx"),
            ("assets.xlsx", "a.xlsx"),
            ("briefing.pptx", "a.pptx"),
            ("policy.odt", "a.odt"),
            ("register.ods", "a.ods"),
            ("drawing.vsdx", "a.vsdx"),
        ];
        for (file, _) in packages {
            let bytes = fixture(file);
            let head = &bytes[..bytes.len().min(SNIFF_LEN)];
            let whole = bytes.len() <= SNIFF_LEN;
            for (other, named) in packages {
                let kind = claimed_kind(named, "").unwrap();
                assert_eq!(
                    content_matches(kind, head, whole),
                    file == other,
                    "{file} checked as {named}"
                );
            }
            let zip = claimed_kind("a.zip", "").unwrap();
            assert!(content_matches(zip, head, whole), "{file} is a ZIP");
        }
        let plain_zip = fixture("photos.zip");
        assert!(content_matches(
            claimed_kind("a.zip", "").unwrap(),
            &plain_zip,
            true
        ));
        for (_, named) in packages {
            assert!(
                !content_matches(claimed_kind(named, "").unwrap(), &plain_zip, true),
                "a plain ZIP is not {named}"
            );
        }
        let docx = claimed_kind("a.docx", "").unwrap();
        assert!(
            !content_matches(docx, b"PK\x03\x04\x14\x00", false),
            "a ZIP signature alone is not a Word document"
        );
        assert!(!content_matches(docx, b"%PDF-1.4", false));

        let msg = claimed_kind("a.msg", "application/vnd.ms-outlook").unwrap();
        assert!(content_matches(
            msg,
            b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00",
            false
        ));

        let webp = claimed_kind("a.webp", "image/webp").unwrap();
        assert!(content_matches(
            webp,
            b"RIFF\x10\x00\x00\x00WEBPVP8 ",
            false
        ));
        assert!(!content_matches(
            webp,
            b"RIFF\x10\x00\x00\x00WAVEfmt ",
            false
        ));
    }

    #[test]
    fn text_is_utf8_without_nul_bytes() {
        let csv = claimed_kind("a.csv", "text/csv").unwrap();
        assert!(content_matches(
            csv,
            "asset,owner\nRévenues,finance\n".as_bytes(),
            true
        ));
        assert!(
            content_matches(csv, b"\xEF\xBB\xBFasset,owner\n", true),
            "a BOM is fine"
        );
        assert!(!content_matches(csv, b"asset\x00owner", true));
        assert!(!content_matches(
            csv,
            b"PK\x03\x04\x14\x00\x08\x00\x00\x00\x93",
            true
        ));
        // "é" is two bytes; cut after the first.
        let cut = &"ab é".as_bytes()[..4];
        assert!(content_matches(csv, cut, false), "cut by the sample's end");
        assert!(!content_matches(csv, cut, true), "cut by the file's end");
    }

    #[test]
    fn hints_list_every_kind() {
        let accept = accept_attribute();
        for k in ACCEPTED {
            for e in k.extensions {
                assert!(accept.contains(&format!(".{e}")));
                assert!(accepted_summary().contains(&format!(".{e}")));
            }
        }
        assert_eq!(
            content_mismatch(claimed_kind("a.pdf", "").unwrap()),
            "The file's contents are not a PDF file, although its name says they are."
        );
        assert_eq!(
            content_mismatch(claimed_kind("a.xlsx", "").unwrap()),
            "The file's contents are not an Excel file, although its name says they are."
        );
    }
}
