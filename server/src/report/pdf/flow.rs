//! Flowing content down A4 pages: headings, wrapped paragraphs, lists and tables that
//! continue on the next page, then the running header, footer and watermark on each page.

use super::marks::{
    BANNER, DocumentInfo, INK, Layout, MUTED, Mark, PageMarks, RULE, Rgb, WATERMARK, WHITE,
};
use super::text::Fonts;

/// A4 width in points.
pub(crate) const PAGE_W: f32 = 595.28;
/// A4 height in points.
pub(crate) const PAGE_H: f32 = 841.89;
/// Left and right margin.
pub(crate) const MARGIN: f32 = 51.0;
/// The top of the content area, below the running header.
pub(crate) const TOP: f32 = 58.0;
/// The bottom of the content area, above the footer.
pub(crate) const BOTTOM: f32 = 792.0;
/// The content area's width.
pub(crate) const WIDTH: f32 = PAGE_W - 2.0 * MARGIN;
/// Body text size.
pub(crate) const BODY: f32 = 10.0;
/// Table text size.
pub(crate) const SMALL: f32 = 8.5;

/// Line height for a text size.
pub(crate) fn leading(size: f32) -> f32 {
    size * 1.32
}

/// The baseline of a line whose box starts at `top`.
pub(crate) fn baseline(top: f32, size: f32) -> f32 {
    top + size * 0.97
}

/// The document being laid out, page by page.
pub(crate) struct Flow<'a> {
    /// The faces text is measured with.
    pub fonts: &'a Fonts,
    pages: Vec<PageMarks>,
    /// The top of the free space on the current page.
    pub y: f32,
    outline: Vec<(String, usize)>,
    /// Printed at the top of a page that continues this, e.g. "A2.a … (continued)".
    pub continued: Option<String>,
}

impl<'a> Flow<'a> {
    /// An empty document.
    pub fn new(fonts: &'a Fonts) -> Flow<'a> {
        Flow {
            fonts,
            pages: Vec::new(),
            y: TOP,
            outline: Vec::new(),
            continued: None,
        }
    }

    /// Starts a new page.
    pub fn new_page(&mut self) {
        self.pages.push(PageMarks::default());
        self.y = TOP;
        if let Some(label) = self.continued.clone() {
            let size = 8.5;
            self.text(
                MARGIN,
                baseline(self.y, size),
                size,
                true,
                MUTED,
                &label,
                WIDTH,
            );
            self.y += leading(size) + 3.0;
        }
    }

    /// The current page's number, counting from 1.
    pub fn page_number(&self) -> usize {
        self.pages.len()
    }

    /// Adds a mark to the current page.
    pub fn push(&mut self, mark: Mark) {
        if self.pages.is_empty() {
            self.new_page();
        }
        if let Some(page) = self.pages.last_mut() {
            page.marks.push(mark);
        }
    }

    /// The space left on the current page.
    pub fn room(&self) -> f32 {
        BOTTOM - self.y
    }

    /// Moves to a new page unless `height` fits on this one.
    pub fn ensure(&mut self, height: f32) {
        if self.pages.is_empty() || self.y + height > BOTTOM + 0.01 {
            self.new_page();
        }
    }

    /// Vertical space.
    pub fn gap(&mut self, height: f32) {
        self.y = (self.y + height).min(BOTTOM);
    }

    /// A line of text at a place, cut to `max_width` if it would not fit.
    #[expect(clippy::too_many_arguments, reason = "a text run is all of these")]
    pub fn text(
        &mut self,
        x: f32,
        y: f32,
        size: f32,
        bold: bool,
        color: Rgb,
        text: &str,
        max_width: f32,
    ) {
        let text = self.fonts.fit(text, size, bold, max_width);
        if text.is_empty() {
            return;
        }
        self.push(Mark::Text {
            x,
            y,
            size,
            bold,
            color,
            text,
        });
    }

    /// A filled and/or outlined rectangle.
    pub fn rect(
        &mut self,
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        fill: Option<Rgb>,
        stroke: Option<(Rgb, f32)>,
    ) {
        self.push(Mark::Rect {
            x,
            y,
            w,
            h,
            fill,
            stroke,
        });
    }

    /// A line.
    pub fn line(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, color: Rgb, width: f32) {
        self.push(Mark::Line {
            x1,
            y1,
            x2,
            y2,
            color,
            width,
        });
    }

    /// Adds an outline entry for the current page.
    pub fn outline_here(&mut self, title: &str) {
        self.outline.push((title.to_owned(), self.page_number()));
    }

    /// Starts a section on a new page with its heading and an outline entry.
    pub fn section(&mut self, title: &str) {
        self.section_in_outline(title, title);
    }

    /// Starts a section whose outline entry reads differently from its heading.
    pub fn section_in_outline(&mut self, title: &str, outline: &str) {
        self.new_page();
        self.outline_here(outline);
        let size = 18.0;
        self.text(
            MARGIN,
            baseline(self.y, size),
            size,
            true,
            BANNER,
            title,
            WIDTH,
        );
        self.y += leading(size);
        self.line(
            MARGIN,
            self.y + 2.0,
            MARGIN + WIDTH,
            self.y + 2.0,
            BANNER,
            1.2,
        );
        self.y += 12.0;
    }

    /// A sub-heading, kept with at least `keep` points of what follows.
    pub fn heading(&mut self, text: &str, size: f32, keep: f32) {
        let lines = self.fonts.wrap(text, size, true, WIDTH);
        let height = lines.len() as f32 * leading(size);
        if self.y > TOP {
            self.gap(size * 0.6);
        }
        self.ensure(height + keep);
        for line in lines {
            self.text(
                MARGIN,
                baseline(self.y, size),
                size,
                true,
                BANNER,
                &line,
                WIDTH,
            );
            self.y += leading(size);
        }
        self.y += size * 0.25;
    }

    /// A wrapped paragraph from `x` (relative to the margin) across `width`, continuing on
    /// the next page when it runs out of room.
    pub fn paragraph_at(
        &mut self,
        text: &str,
        size: f32,
        bold: bool,
        color: Rgb,
        indent: f32,
        width: f32,
    ) {
        let lh = leading(size);
        for line in self.fonts.wrap(text, size, bold, width) {
            self.ensure(lh);
            self.text(
                MARGIN + indent,
                baseline(self.y, size),
                size,
                bold,
                color,
                &line,
                width,
            );
            self.y += lh;
        }
    }

    /// A wrapped paragraph across the content width, followed by a little space.
    pub fn paragraph(&mut self, text: &str, size: f32) {
        self.paragraph_at(text, size, false, INK, 0.0, WIDTH);
        self.gap(size * 0.5);
    }

    /// A bulleted list.
    pub fn bullets(&mut self, items: &[String], size: f32) {
        let lh = leading(size);
        for item in items {
            self.ensure(lh);
            let y = baseline(self.y, size);
            self.text(MARGIN + 4.0, y, size, false, INK, "•", 10.0);
            self.paragraph_at(item, size, false, INK, 14.0, WIDTH - 14.0);
            self.gap(size * 0.25);
        }
    }

    /// Label and value pairs in two columns.
    pub fn facts(&mut self, pairs: &[(&str, String)], size: f32, label_width: f32) {
        let lh = leading(size);
        for (label, value) in pairs {
            let lines = self.fonts.wrap(value, size, false, WIDTH - label_width);
            self.ensure(lh * lines.len().max(1) as f32);
            self.text(
                MARGIN,
                baseline(self.y, size),
                size,
                true,
                MUTED,
                label,
                label_width - 6.0,
            );
            for line in lines {
                self.ensure(lh);
                self.text(
                    MARGIN + label_width,
                    baseline(self.y, size),
                    size,
                    false,
                    INK,
                    &line,
                    WIDTH - label_width,
                );
                self.y += lh;
            }
            self.gap(size * 0.3);
        }
    }

    /// Adds the running header, the footer and (for a draft) the watermark to every page.
    pub fn finish(mut self, classification: &str, draft: bool, info: &DocumentInfo) -> Layout {
        let total = self.pages.len();
        let fonts = self.fonts;
        for (i, page) in self.pages.iter_mut().enumerate() {
            let mut marks = Vec::new();
            if draft {
                let size = 130.0;
                marks.push(Mark::Watermark {
                    text: "DRAFT".into(),
                    size,
                    color: WATERMARK,
                    width: fonts.width("DRAFT", size, true),
                });
            }
            let mut frame = Vec::new();
            let label = fonts.fit(classification, 9.0, true, WIDTH / 2.0);
            let label_w = fonts.width(&label, 9.0, true);
            let side = (PAGE_W - label_w) / 2.0 - MARGIN - 16.0;
            for y in [20.0, PAGE_H - 24.0] {
                frame.push(Mark::Rect {
                    x: (PAGE_W - label_w) / 2.0 - 8.0,
                    y,
                    w: label_w + 16.0,
                    h: 14.0,
                    fill: Some(BANNER),
                    stroke: None,
                });
                frame.push(Mark::Text {
                    x: (PAGE_W - label_w) / 2.0,
                    y: y + 10.2,
                    size: 9.0,
                    bold: true,
                    color: WHITE,
                    text: label.clone(),
                });
            }
            if draft {
                frame.push(Mark::Text {
                    x: MARGIN + WIDTH - fonts.width("DRAFT", 9.0, true),
                    y: 30.2,
                    size: 9.0,
                    bold: true,
                    color: super::marks::ALERT,
                    text: "DRAFT".into(),
                });
            }
            frame.push(Mark::Line {
                x1: MARGIN,
                y1: 40.0,
                x2: MARGIN + WIDTH,
                y2: 40.0,
                color: RULE,
                width: 0.5,
            });
            frame.push(Mark::Line {
                x1: MARGIN,
                y1: BOTTOM + 8.0,
                x2: MARGIN + WIDTH,
                y2: BOTTOM + 8.0,
                color: RULE,
                width: 0.5,
            });
            let number = format!("Page {} of {}", i + 1, total);
            let number_w = fonts.width(&number, 8.0, false);
            frame.push(Mark::Text {
                x: MARGIN + WIDTH - number_w,
                y: BOTTOM + 21.0,
                size: 8.0,
                bold: false,
                color: MUTED,
                text: number,
            });
            frame.push(Mark::Text {
                x: MARGIN,
                y: BOTTOM + 21.0,
                size: 8.0,
                bold: false,
                color: MUTED,
                text: fonts.fit(&info.author, 8.0, false, side),
            });
            frame.push(Mark::Text {
                x: MARGIN,
                y: 30.2,
                size: 8.0,
                bold: false,
                color: MUTED,
                text: fonts.fit(&info.title, 8.0, false, side),
            });
            marks.append(&mut page.marks);
            marks.extend(frame);
            page.marks = marks;
        }
        Layout {
            pages: self.pages,
            outline: self.outline,
        }
    }
}
