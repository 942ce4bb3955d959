//! Tables that wrap their cells, repeat their header on each page they run onto, and
//! continue a row taller than a page on the next.

use super::flow::{BOTTOM, Flow, MARGIN, TOP, baseline, leading};
use super::marks::{INK, RULE, Rgb, SHADE};

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

impl Flow<'_> {
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
}

/// The most lines any cell of a row has (at least one).
fn tallest(cells: &[Vec<String>]) -> usize {
    cells.iter().map(Vec::len).max().unwrap_or(1).max(1)
}
