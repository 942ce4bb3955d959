//! Charts as a small model of shapes, drawn as SVG in the HTML report and as vector
//! operations in the PDF, so the two can never differ.
//!
//! Coordinates are in points (1/72 inch) from the top-left corner of the chart's box.

use serde::{Deserialize, Serialize};

mod svg;
mod trend;

pub use svg::svg;
pub use trend::{GapTrend, GapYear};

/// What a filled area stands for; each rendering picks the colour (and they agree).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Fill {
    /// Not achieved (darkest in greyscale).
    NotAchieved,
    /// Partially achieved (lightest).
    PartiallyAchieved,
    /// Achieved (mid grey).
    Achieved,
    /// Not assessed (white with an outline).
    NotAssessed,
    /// Axis and grid lines, and text.
    Ink,
    /// Faint grid lines.
    Grid,
}

impl Fill {
    /// The colour as red, green, blue in 0..=255: chosen so the three statuses differ in
    /// lightness as well as hue, and read in greyscale print.
    pub fn rgb(self) -> (u8, u8, u8) {
        match self {
            Fill::NotAchieved => (0x8e, 0x1b, 0x1b),
            Fill::PartiallyAchieved => (0xf2, 0xc1, 0x4e),
            Fill::Achieved => (0x2e, 0x7d, 0x3f),
            Fill::NotAssessed => (0xff, 0xff, 0xff),
            Fill::Ink => (0x0b, 0x0c, 0x0c),
            Fill::Grid => (0xb1, 0xb4, 0xb6),
        }
    }

    /// The colour as `#rrggbb`.
    pub fn hex(self) -> String {
        let (r, g, b) = self.rgb();
        format!("#{r:02x}{g:02x}{b:02x}")
    }

    /// The colour of text drawn on top of this fill.
    pub fn text_on(self) -> Fill {
        match self {
            Fill::NotAchieved | Fill::Achieved | Fill::Ink => Fill::NotAssessed,
            _ => Fill::Ink,
        }
    }
}

/// How a text is placed against its x coordinate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Anchor {
    /// x is the left edge.
    Start,
    /// x is the centre.
    Middle,
    /// x is the right edge.
    End,
}

/// One shape of a chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Shape {
    /// A filled rectangle with a thin outline when `outline` is set.
    Rect {
        /// Left.
        x: f32,
        /// Top.
        y: f32,
        /// Width.
        w: f32,
        /// Height.
        h: f32,
        /// Fill.
        fill: Fill,
        /// Draw a thin ink outline.
        outline: bool,
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
        stroke: Fill,
    },
    /// A line of text; `y` is the baseline.
    Text {
        /// x, placed by `anchor`.
        x: f32,
        /// Baseline.
        y: f32,
        /// Font size in points.
        size: f32,
        /// Colour.
        fill: Fill,
        /// Placement.
        anchor: Anchor,
        /// Bold.
        bold: bool,
        /// The text.
        text: String,
    },
}

/// A chart laid out: its size and shapes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    /// Width in points.
    pub width: f32,
    /// Height in points.
    pub height: f32,
    /// Shapes in drawing order.
    pub shapes: Vec<Shape>,
}

/// One bar: counts of outcomes by status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bar {
    /// E.g. "2026/27".
    pub label: String,
    /// Not achieved.
    pub not_achieved: usize,
    /// Partially achieved.
    pub partially: usize,
    /// Achieved.
    pub achieved: usize,
    /// Not assessed.
    pub not_assessed: usize,
}

impl Bar {
    /// Every outcome counted in the bar.
    pub fn total(&self) -> usize {
        self.not_achieved + self.partially + self.achieved + self.not_assessed
    }

    /// Segments from the left: (fill, count).
    pub fn segments(&self) -> [(Fill, usize); 4] {
        [
            (Fill::NotAchieved, self.not_achieved),
            (Fill::PartiallyAchieved, self.partially),
            (Fill::Achieved, self.achieved),
            (Fill::NotAssessed, self.not_assessed),
        ]
    }
}

/// A group of bars: one objective, this year and last year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BarGroup {
    /// E.g. "A".
    pub id: String,
    /// E.g. "Managing security risk".
    pub title: String,
    /// This year first, then last year when there was one.
    pub bars: Vec<Bar>,
}

/// Stacked horizontal bars per objective: not / partially / achieved / not assessed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StackedBars {
    /// The chart's title.
    pub title: String,
    /// One group per objective.
    pub groups: Vec<BarGroup>,
}

impl StackedBars {
    /// A sentence per bar, for the text alternative.
    pub fn description(&self) -> String {
        let mut parts = Vec::new();
        for group in &self.groups {
            for bar in &group.bars {
                parts.push(format!(
                    "Objective {} {}: {} not achieved, {} partially achieved, {} achieved, {} not assessed.",
                    group.id,
                    bar.label,
                    bar.not_achieved,
                    bar.partially,
                    bar.achieved,
                    bar.not_assessed
                ));
            }
        }
        parts.join(" ")
    }

    /// Lays the chart out in a box `width` points wide.
    pub fn layout(&self, width: f32) -> Figure {
        const LABEL_W: f32 = 150.0;
        const BAR_H: f32 = 14.0;
        const BAR_GAP: f32 = 3.0;
        const GROUP_GAP: f32 = 12.0;
        // The objective's title has a line of its own above its bars, so a long title
        // never runs into the year labels.
        const TITLE_H: f32 = 15.0;
        const LEGEND_H: f32 = 26.0;
        let plot_x = LABEL_W;
        let plot_w = (width - LABEL_W - 10.0).max(50.0);
        let most = self
            .groups
            .iter()
            .flat_map(|g| g.bars.iter().map(Bar::total))
            .max()
            .unwrap_or(0)
            .max(1);
        let unit = plot_w / most as f32;
        let mut shapes = Vec::new();
        let mut y = LEGEND_H;
        for group in &self.groups {
            let group_h = TITLE_H + group.bars.len() as f32 * (BAR_H + BAR_GAP) - BAR_GAP;
            shapes.push(Shape::Text {
                x: 0.0,
                y: y + 10.0,
                size: 9.0,
                fill: Fill::Ink,
                anchor: Anchor::Start,
                bold: true,
                text: format!("{} {}", group.id, group.title),
            });
            for (i, bar) in group.bars.iter().enumerate() {
                let top = y + TITLE_H + i as f32 * (BAR_H + BAR_GAP);
                shapes.push(Shape::Text {
                    x: plot_x - 4.0,
                    y: top + BAR_H - 4.0,
                    size: 8.0,
                    fill: Fill::Ink,
                    anchor: Anchor::End,
                    bold: false,
                    text: bar.label.clone(),
                });
                let mut x = plot_x;
                for (fill, count) in bar.segments() {
                    if count == 0 {
                        continue;
                    }
                    let w = count as f32 * unit;
                    shapes.push(Shape::Rect {
                        x,
                        y: top,
                        w,
                        h: BAR_H,
                        fill,
                        outline: true,
                    });
                    if w >= 12.0 {
                        shapes.push(Shape::Text {
                            x: x + w / 2.0,
                            y: top + BAR_H - 4.0,
                            size: 8.0,
                            fill: fill.text_on(),
                            anchor: Anchor::Middle,
                            bold: true,
                            text: count.to_string(),
                        });
                    }
                    x += w;
                }
            }
            y += group_h + GROUP_GAP;
        }
        shapes.extend(legend(width));
        Figure {
            width,
            height: y,
            shapes,
        }
    }
}

/// The key to the status fills, along the top of a chart.
fn legend(width: f32) -> Vec<Shape> {
    key(
        &[
            (Fill::NotAchieved, "Not achieved"),
            (Fill::PartiallyAchieved, "Partially achieved"),
            (Fill::Achieved, "Achieved"),
            (Fill::NotAssessed, "Not assessed"),
        ],
        width,
    )
}

/// A key to some fills, along the top of a chart.
fn key(items: &[(Fill, &str)], width: f32) -> Vec<Shape> {
    let step = (width / items.len() as f32).min(120.0);
    let mut shapes = Vec::new();
    for (i, &(fill, label)) in items.iter().enumerate() {
        let x = i as f32 * step;
        shapes.push(Shape::Rect {
            x,
            y: 4.0,
            w: 10.0,
            h: 10.0,
            fill,
            outline: true,
        });
        shapes.push(Shape::Text {
            x: x + 14.0,
            y: 12.5,
            size: 8.0,
            fill: Fill::Ink,
            anchor: Anchor::Start,
            bold: false,
            text: label.to_owned(),
        });
    }
    shapes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart() -> StackedBars {
        StackedBars {
            title: "Outcomes by objective".into(),
            groups: vec![BarGroup {
                id: "A".into(),
                title: "Managing security risk".into(),
                bars: vec![
                    Bar {
                        label: "2026/27".into(),
                        not_achieved: 1,
                        partially: 3,
                        achieved: 6,
                        not_assessed: 0,
                    },
                    Bar {
                        label: "2025/26".into(),
                        not_achieved: 4,
                        partially: 4,
                        achieved: 2,
                        not_assessed: 0,
                    },
                ],
            }],
        }
    }

    #[test]
    fn segments_fill_the_bar_in_proportion() {
        let figure = chart().layout(400.0);
        let rects: Vec<_> = figure
            .shapes
            .iter()
            .filter_map(|s| match s {
                Shape::Rect { w, h, .. } if *h > 10.0 => Some(*w),
                _ => None,
            })
            .collect();
        // Three segments per bar, two bars; every bar spans the same width for 10 outcomes.
        assert_eq!(rects.len(), 6);
        let first: f32 = rects[..3].iter().sum();
        let second: f32 = rects[3..].iter().sum();
        assert!((first - second).abs() < 0.01);
        assert!((rects[0] * 6.0 - rects[2]).abs() < 0.01, "1 vs 6 outcomes");
    }

    #[test]
    fn nothing_leaves_the_box() {
        let figure = chart().layout(300.0);
        for shape in &figure.shapes {
            if let Shape::Rect { x, y, w, h, .. } = shape {
                assert!(*x >= 0.0 && x + w <= figure.width + 0.01, "{shape:?}");
                assert!(*y >= 0.0 && y + h <= figure.height + 0.01, "{shape:?}");
            }
        }
    }

    #[test]
    fn an_objective_title_sits_above_its_bars() {
        let figure = chart().layout(300.0);
        let title_baseline = figure
            .shapes
            .iter()
            .find_map(|s| match s {
                Shape::Text {
                    y,
                    bold: true,
                    text,
                    ..
                } if text.starts_with("A ") => Some(*y),
                _ => None,
            })
            .expect("the objective's title");
        let first_bar = figure
            .shapes
            .iter()
            .filter_map(|s| match s {
                Shape::Rect { y, h, .. } if *h > 10.0 => Some(*y),
                _ => None,
            })
            .fold(f32::MAX, f32::min);
        assert!(
            title_baseline + 2.0 <= first_bar,
            "{title_baseline} vs {first_bar}"
        );
    }

    #[test]
    fn the_description_names_every_count() {
        let text = chart().description();
        assert!(
            text.contains("Objective A 2026/27: 1 not achieved, 3 partially achieved, 6 achieved")
        );
        assert!(text.contains("2025/26: 4 not achieved"));
    }
}
