//! Every call into `printpdf` (and the two crates under it that we reach: `lopdf` for the
//! file's trailer and compression, `allsorts` for font subsetting) lives here. Their APIs
//! change between minor releases; the versions are pinned in `server/Cargo.toml`, and the
//! rest of the report speaks only in [`Mark`]s.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::LazyLock;

use printpdf::{
    Color, FontId, Line, LinePoint, Op, PageAnnotId, PageAnnotation, PaintMode, ParsedFont,
    PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions, Point, Pt, Rect, Rgb as PdfRgb, TextItem,
    TextMatrix,
};
use sha2::{Digest, Sha256};

use super::flow::{PAGE_H, PAGE_W};
use super::marks::{DocumentInfo, Layout, Mark, Rgb};
use super::text::{FaceMetrics, Fonts};

/// Source Sans 3 Regular (SIL Open Font License 1.1; see public/fonts/).
const REGULAR_TTF: &[u8] = include_bytes!("../../../../public/fonts/SourceSans3-Regular.ttf");
/// Source Sans 3 Bold.
const BOLD_TTF: &[u8] = include_bytes!("../../../../public/fonts/SourceSans3-Bold.ttf");

/// The two faces parsed once per process.
struct Faces {
    regular: ParsedFont,
    bold: ParsedFont,
    metrics: Fonts,
}

static FACES: LazyLock<Result<Faces, String>> = LazyLock::new(|| {
    let regular = parse(REGULAR_TTF, "Source Sans 3 Regular")?;
    let bold = parse(BOLD_TTF, "Source Sans 3 Bold")?;
    let metrics = Fonts {
        regular: metrics_of(&regular),
        bold: metrics_of(&bold),
    };
    Ok(Faces {
        regular,
        bold,
        metrics,
    })
});

fn parse(bytes: &[u8], name: &str) -> Result<ParsedFont, String> {
    let mut warnings = Vec::new();
    ParsedFont::from_bytes(bytes, 0, &mut warnings)
        .ok_or_else(|| format!("the embedded font {name} could not be read"))
}

fn metrics_of(font: &ParsedFont) -> FaceMetrics {
    let advances: HashMap<char, u16> = font
        .codepoint_to_glyph
        .iter()
        .filter_map(|(cp, gid)| Some((char::from_u32(*cp)?, font.get_glyph_width(*gid)?)))
        .collect();
    FaceMetrics {
        advances,
        units_per_em: f32::from(font.units_per_em),
    }
}

/// The measurements of the embedded faces.
pub(crate) fn fonts() -> Result<&'static Fonts, String> {
    FACES.as_ref().map(|f| &f.metrics).map_err(Clone::clone)
}

/// Writes a laid-out document as PDF bytes. The same layout and info give the same bytes.
pub(crate) fn write(layout: &Layout, info: &DocumentInfo) -> Result<Vec<u8>, String> {
    let faces = FACES.as_ref().map_err(Clone::clone)?;
    let mut doc = PdfDocument::new(&info.title);
    // Ids are ours, not printpdf's random ones: the file must not change between runs.
    // A font id's first six letters become the subset tag of its name.
    let regular_id = FontId("CAFREG".into());
    let bold_id = FontId("CAFBLD".into());
    let (regular_used, bold_used) = characters_used(layout);
    let regular = subset(&faces.regular, &regular_used);
    let bold = subset(&faces.bold, &bold_used);
    doc.resources
        .fonts
        .map
        .insert(regular_id.clone(), printpdf::PdfFont::new(regular));
    doc.resources
        .fonts
        .map
        .insert(bold_id.clone(), printpdf::PdfFont::new(bold));

    let pages = layout
        .pages
        .iter()
        .map(|page| {
            let mut ops = Vec::new();
            for mark in &page.marks {
                mark_ops(mark, &regular_id, &bold_id, &mut ops);
            }
            PdfPage::new(Pt(PAGE_W).into(), Pt(PAGE_H).into(), ops)
        })
        .collect();
    doc.with_pages(pages);

    for (i, (title, page)) in layout.outline.iter().enumerate() {
        doc.bookmarks.map.insert(
            PageAnnotId(format!("B{i:04}")),
            PageAnnotation {
                name: title.clone(),
                page: *page,
            },
        );
    }

    let when = printpdf::OffsetDateTime::from_unix_timestamp(info.created_unix)
        .map_err(|e| format!("the generation date cannot be written: {e}"))?;
    let meta = &mut doc.metadata.info;
    meta.document_title = info.title.clone();
    meta.author = info.author.clone();
    meta.subject = info.subject.clone();
    meta.keywords = info.keywords.clone();
    meta.creator = "CAF self-assessment".into();
    meta.producer = "CAF self-assessment (printpdf)".into();
    meta.creation_date = when;
    meta.modification_date = when;
    meta.metadata_date = when;

    let options = PdfSaveOptions {
        subset_fonts: false,
        ..PdfSaveOptions::default()
    };
    let mut warnings = Vec::new();
    let mut lo = doc.to_lopdf_document(&options, &mut warnings);
    for stream in lo
        .objects
        .values_mut()
        .filter_map(|o| o.as_stream_mut().ok())
    {
        stream.allows_compression = true;
    }
    lo.compress();
    // The file identifier printpdf writes is random; ours is the hash of the content.
    let mut hasher = Sha256::new();
    let mut probe = Vec::new();
    lo.trailer.remove(b"ID");
    lo.save_to(&mut probe)
        .map_err(|e| format!("the PDF could not be written: {e}"))?;
    hasher.update(&probe);
    let id = hex::encode(&hasher.finalize()[..16]);
    lo.trailer.set(
        "ID",
        lopdf::Object::Array(vec![
            lopdf::Object::String(id.clone().into_bytes(), lopdf::StringFormat::Literal),
            lopdf::Object::String(id.into_bytes(), lopdf::StringFormat::Literal),
        ]),
    );
    let mut bytes = Vec::new();
    lo.save_to(&mut bytes)
        .map_err(|e| format!("the PDF could not be written: {e}"))?;
    Ok(bytes)
}

/// The characters drawn in each face.
fn characters_used(layout: &Layout) -> (BTreeSet<char>, BTreeSet<char>) {
    let mut regular = BTreeSet::new();
    let mut bold = BTreeSet::new();
    for mark in layout.pages.iter().flat_map(|p| &p.marks) {
        match mark {
            Mark::Text {
                bold: true, text, ..
            }
            | Mark::Watermark { text, .. } => bold.extend(text.chars()),
            Mark::Text { text, .. } => regular.extend(text.chars()),
            _ => {}
        }
    }
    (regular, bold)
}

/// The face cut down to the glyphs of `used`, renumbered, with its character map rebuilt;
/// the whole face when subsetting fails (a larger file, the same page).
fn subset(font: &ParsedFont, used: &BTreeSet<char>) -> ParsedFont {
    let mut gids: Vec<u16> = vec![0];
    let mut by_char = BTreeMap::new();
    for c in used {
        if let Some(gid) = font.lookup_glyph_index(u32::from(*c)) {
            if !gids.contains(&gid) {
                gids.push(gid);
            }
            by_char.insert(u32::from(*c), gid);
        }
    }
    let Ok(bytes) = subset_bytes(&font.original_bytes, &gids) else {
        return font.clone();
    };
    let mut warnings = Vec::new();
    let Some(mut cut) = ParsedFont::from_bytes(&bytes, 0, &mut warnings) else {
        return font.clone();
    };
    let position: HashMap<u16, u16> = gids
        .iter()
        .enumerate()
        .filter_map(|(i, g)| Some((*g, u16::try_from(i).ok()?)))
        .collect();
    cut.codepoint_to_glyph = by_char
        .into_iter()
        .filter_map(|(cp, gid)| Some((cp, *position.get(&gid)?)))
        .collect();
    cut
}

/// allsorts' subsetter: glyph `gids[i]` becomes glyph `i` of the result.
fn subset_bytes(font: &[u8], gids: &[u16]) -> Result<Vec<u8>, String> {
    use allsorts::binary::read::ReadScope;
    use allsorts::font_data::FontData;
    use allsorts::subset::{CmapTarget, SubsetProfile, subset};
    let data = ReadScope::new(font)
        .read::<FontData<'_>>()
        .map_err(|e| e.to_string())?;
    let provider = data.table_provider(0).map_err(|e| e.to_string())?;
    subset(&provider, gids, &SubsetProfile::Pdf, CmapTarget::Unicode).map_err(|e| e.to_string())
}

fn color(rgb: Rgb) -> Color {
    Color::Rgb(PdfRgb {
        r: f32::from(rgb.0) / 255.0,
        g: f32::from(rgb.1) / 255.0,
        b: f32::from(rgb.2) / 255.0,
        icc_profile: None,
    })
}

/// A point from the top-left of the page in PDF's bottom-left coordinates.
fn point(x: f32, y: f32) -> Point {
    Point {
        x: Pt(x),
        y: Pt(PAGE_H - y),
    }
}

fn mark_ops(mark: &Mark, regular: &FontId, bold: &FontId, ops: &mut Vec<Op>) {
    match mark {
        Mark::Text {
            x,
            y,
            size,
            bold: is_bold,
            color: c,
            text,
        } => {
            let font = if *is_bold { bold } else { regular };
            ops.extend([
                Op::StartTextSection,
                Op::SetFillColor { col: color(*c) },
                Op::SetFont {
                    font: PdfFontHandle::External(font.clone()),
                    size: Pt(*size),
                },
                Op::SetTextMatrix {
                    matrix: TextMatrix::Translate(Pt(*x), Pt(PAGE_H - y)),
                },
                Op::ShowText {
                    items: vec![TextItem::Text(text.clone())],
                },
                Op::EndTextSection,
            ]);
        }
        Mark::Rect {
            x,
            y,
            w,
            h,
            fill,
            stroke,
        } => {
            let mode = match (fill, stroke) {
                (Some(_), Some(_)) => PaintMode::FillStroke,
                (Some(_), None) => PaintMode::Fill,
                (None, Some(_)) => PaintMode::Stroke,
                (None, None) => return,
            };
            ops.push(Op::SaveGraphicsState);
            if let Some(f) = fill {
                ops.push(Op::SetFillColor { col: color(*f) });
            }
            if let Some((s, width)) = stroke {
                ops.push(Op::SetOutlineColor { col: color(*s) });
                ops.push(Op::SetOutlineThickness { pt: Pt(*width) });
            }
            ops.push(Op::DrawRectangle {
                rectangle: Rect {
                    x: Pt(*x),
                    y: Pt(PAGE_H - y - h),
                    width: Pt(*w),
                    height: Pt(*h),
                    mode: Some(mode),
                    winding_order: None,
                },
            });
            ops.push(Op::RestoreGraphicsState);
        }
        Mark::Line {
            x1,
            y1,
            x2,
            y2,
            color: c,
            width,
        } => {
            ops.extend([
                Op::SaveGraphicsState,
                Op::SetOutlineColor { col: color(*c) },
                Op::SetOutlineThickness { pt: Pt(*width) },
                Op::DrawLine {
                    line: Line {
                        points: vec![
                            LinePoint {
                                p: point(*x1, *y1),
                                bezier: false,
                            },
                            LinePoint {
                                p: point(*x2, *y2),
                                bezier: false,
                            },
                        ],
                        is_closed: false,
                    },
                },
                Op::RestoreGraphicsState,
            ]);
        }
        Mark::Watermark {
            text,
            size,
            color: c,
            width,
        } => {
            // Turned 45 degrees about the page's centre: start half the text's length
            // back along the diagonal, and half the cap height down across it.
            let half = width / 2.0;
            let drop = size * 0.33;
            let r = std::f32::consts::FRAC_1_SQRT_2;
            let cx = PAGE_W / 2.0 - half * r + drop * r;
            let cy = PAGE_H / 2.0 - half * r - drop * r;
            ops.extend([
                Op::SaveGraphicsState,
                Op::StartTextSection,
                Op::SetFillColor { col: color(*c) },
                Op::SetFont {
                    font: PdfFontHandle::External(bold.clone()),
                    size: Pt(*size),
                },
                Op::SetTextMatrix {
                    matrix: TextMatrix::Raw([r, r, -r, r, cx, cy]),
                },
                Op::ShowText {
                    items: vec![TextItem::Text(text.clone())],
                },
                Op::EndTextSection,
                Op::RestoreGraphicsState,
            ]);
        }
    }
}
