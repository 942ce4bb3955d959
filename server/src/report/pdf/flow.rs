//! Flowing content down A4 pages: headings, wrapped paragraphs, lists and tables that
//! continue on the next page, then the running header, footer and watermark on each page.

use super::marks::{
    BANNER, DocumentInfo, INK, Layout, MUTED, Mark, PageMarks, RULE, Rgb, SHADE, WATERMARK, WHITE,
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
fn baseline(top: f32, size: f32) -> f32 {
    top + size * 0.97
}

/// How a table column aligns its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Align {
    /// Left.
    Left,
    /// Right (numbers).
    Right,
}

/// A table column: heading, width in points, alignment.
#[derive(Debug, Clone)]
pub(crate) struct Column {
    /// The heading.
    pub title: String,
    /// Width in points.
    pub width: f32,
    /// Alignment of the cells.
    pub align: Align,
}

impl Column {
    /// A column.
    pub fn new(title: &str, width: f32, align: Align) -> Column {
        Column {
            title: title.to_owned(),
            width,
            align,
        }
    }
}

/// A table cell.
#[derive(Debug, Clone, Default)]
pub(crate) struct Cell {
    /// The text; wrapped to the column.
    pub text: String,
    /// Bold.
    pub bold: bool,
    /// Text colour (ink when unset).
    pub color: Option<Rgb>,
    /// Background.
    pub fill: Option<Rgb>,
}

impl Cell {
    /// A plain cell.
    pub fn plain(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            ..Cell::default()
        }
    }

    /// A bold cell.
    pub fn bold(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            bold: true,
            ..Cell::default()
        }
    }

    /// This cell in a colour.
    pub fn colored(mut self, color: Rgb) -> Cell {
        self.color = Some(color);
        self
    }

    /// This cell on a background.
    pub fn filled(mut self, fill: Rgb) -> Cell {
        self.fill = Some(fill);
        self
    }
}

/// Horizontal and vertical padding inside a table cell.
const PAD_X: f32 = 3.5;
const PAD_Y: f32 = 2.5;

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

    /// A table whose header repeats on each page it runs onto; a row taller than a page
    /// continues on the next.
    pub fn table(&mut self, columns: &[Column], rows: &[Vec<Cell>], size: f32) {
        let lh = leading(size);
        let header: Vec<Vec<String>> = columns
            .iter()
            .map(|c| self.fonts.wrap(&c.title, size, true, c.width - 2.0 * PAD_X))
            .collect();
        let header_h = tallest(&header) as f32 * lh + 2.0 * PAD_Y;
        self.ensure(header_h + lh + 2.0 * PAD_Y);
        self.table_header(columns, &header, size, header_h);
        for row in rows {
            let wrapped: Vec<Vec<String>> = columns
                .iter()
                .zip(row)
                .map(|(c, cell)| {
                    self.fonts
                        .wrap(&cell.text, size, cell.bold, c.width - 2.0 * PAD_X)
                })
                .collect();
            let total = tallest(&wrapped);
            let full = total as f32 * lh + 2.0 * PAD_Y;
            // A row that fits on a fresh page is never split.
            if self.y + full > BOTTOM && full <= BOTTOM - TOP - header_h {
                self.new_page();
                self.table_header(columns, &header, size, header_h);
            }
            let mut first = 0;
            while first < total {
                let fits = ((BOTTOM - self.y - 2.0 * PAD_Y) / lh).floor().max(0.0) as usize;
                if fits == 0 {
                    self.new_page();
                    self.table_header(columns, &header, size, header_h);
                    continue;
                }
                let last = (first + fits).min(total);
                self.table_row(columns, row, &wrapped, first..last, size);
                first = last;
            }
        }
        self.gap(8.0);
    }

    fn table_header(&mut self, columns: &[Column], header: &[Vec<String>], size: f32, height: f32) {
        let lh = leading(size);
        let mut x = MARGIN;
        let top = self.y;
        for (column, lines) in columns.iter().zip(header) {
            self.rect(x, top, column.width, height, Some(SHADE), Some((RULE, 0.5)));
            for (i, line) in lines.iter().enumerate() {
                let y = baseline(top + PAD_Y + i as f32 * lh, size);
                let tx = self.aligned(x, column, line, size, true);
                self.text(tx, y, size, true, INK, line, column.width - 2.0 * PAD_X);
            }
            x += column.width;
        }
        self.y = top + height;
    }

    fn table_row(
        &mut self,
        columns: &[Column],
        row: &[Cell],
        wrapped: &[Vec<String>],
        lines: std::ops::Range<usize>,
        size: f32,
    ) {
        let lh = leading(size);
        let height = lines.len() as f32 * lh + 2.0 * PAD_Y;
        let top = self.y;
        let mut x = MARGIN;
        for ((column, cell), cell_lines) in columns.iter().zip(row).zip(wrapped) {
            self.rect(x, top, column.width, height, cell.fill, Some((RULE, 0.5)));
            for (i, line) in cell_lines
                .iter()
                .enumerate()
                .filter(|(i, _)| lines.contains(i))
            {
                let y = baseline(top + PAD_Y + (i - lines.start) as f32 * lh, size);
                let tx = self.aligned(x, column, line, size, cell.bold);
                self.text(
                    tx,
                    y,
                    size,
                    cell.bold,
                    cell.color.unwrap_or(INK),
                    line,
                    column.width - 2.0 * PAD_X,
                );
            }
            x += column.width;
        }
        self.y = top + height;
    }

    fn aligned(&self, x: f32, column: &Column, line: &str, size: f32, bold: bool) -> f32 {
        let w = self.fonts.width(line, size, bold);
        match column.align {
            Align::Left => x + PAD_X,
            Align::Right => x + column.width - PAD_X - w,
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

/// The most lines any cell of a row has (at least one).
fn tallest(cells: &[Vec<String>]) -> usize {
    cells.iter().map(Vec::len).max().unwrap_or(1).max(1)
}
