//! What a laid-out page holds: text runs, rectangles and lines in points from the page's
//! top-left corner. The layout produces these; `ops` turns them into PDF operations.

/// A colour as red, green, blue in 0..=255.
pub(crate) type Rgb = (u8, u8, u8);

/// Black text and rules.
pub(crate) const INK: Rgb = (0x0b, 0x0c, 0x0c);
/// Secondary text: labels, captions.
pub(crate) const MUTED: Rgb = (0x50, 0x5a, 0x5f);
/// Table rules and cell borders.
pub(crate) const RULE: Rgb = (0xb1, 0xb4, 0xb6);
/// Table header and banded backgrounds.
pub(crate) const SHADE: Rgb = (0xf0, 0xf1, 0xf2);
/// Cells that do not apply.
pub(crate) const NOT_APPLICABLE: Rgb = (0xdd, 0xdf, 0xe1);
/// The classification banner and headings' accent.
pub(crate) const BANNER: Rgb = (0x1d, 0x2f, 0x4e);
/// Overdue actions.
pub(crate) const ALERT: Rgb = (0x8e, 0x1b, 0x1b);
/// The DRAFT watermark: light enough to read the page through.
pub(crate) const WATERMARK: Rgb = (0xe6, 0xe6, 0xe6);
/// White.
pub(crate) const WHITE: Rgb = (0xff, 0xff, 0xff);

/// One thing drawn on a page.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Mark {
    /// A line of text; `y` is its baseline.
    Text {
        /// Left edge.
        x: f32,
        /// Baseline.
        y: f32,
        /// Size in points.
        size: f32,
        /// Bold face.
        bold: bool,
        /// Colour.
        color: Rgb,
        /// The text, already measured to fit.
        text: String,
    },
    /// A rectangle, filled, outlined or both.
    Rect {
        /// Left.
        x: f32,
        /// Top.
        y: f32,
        /// Width.
        w: f32,
        /// Height.
        h: f32,
        /// Fill colour.
        fill: Option<Rgb>,
        /// Outline colour and width.
        stroke: Option<(Rgb, f32)>,
    },
    /// A straight line.
    Line {
        /// Start x.
        x1: f32,
        /// Start y.
        y1: f32,
        /// End x.
        x2: f32,
        /// End y.
        y2: f32,
        /// Colour.
        color: Rgb,
        /// Width.
        width: f32,
    },
    /// Large text turned 45 degrees about the page's centre, under everything else.
    Watermark {
        /// The text.
        text: String,
        /// Size in points.
        size: f32,
        /// Colour.
        color: Rgb,
        /// Its measured width, to centre it.
        width: f32,
    },
}

/// A page's marks in drawing order.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct PageMarks {
    /// Drawn first to last.
    pub marks: Vec<Mark>,
}

/// A whole document laid out.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Layout {
    /// The pages in order.
    pub pages: Vec<PageMarks>,
    /// Outline entries: title and 1-based page number, in reading order.
    pub outline: Vec<(String, usize)>,
}

/// What the document says about itself.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DocumentInfo {
    /// Title.
    pub title: String,
    /// Author: the organisation.
    pub author: String,
    /// Subject.
    pub subject: String,
    /// Keywords.
    pub keywords: Vec<String>,
    /// Creation date as seconds since 1970 (midnight UTC of the generation date).
    pub created_unix: i64,
}
