//! The gap to the target profile over the years: one column per assessment, oldest on the
//! left, stacked from the bottom as below target, meeting it and not assessed, with a line
//! joining the tops of the below-target parts.

use super::{Anchor, Figure, Fill, Shape, key};
use serde::{Deserialize, Serialize};

/// One year's counts of scope × outcome statuses against their targets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GapYear {
    /// E.g. "2026/27".
    pub label: String,
    /// Every scope × outcome the year assesses.
    pub outcomes: usize,
    /// Those with a confirmed status.
    pub assessed: usize,
    /// Those assessed below their target.
    pub below: usize,
}

impl GapYear {
    /// Assessed and at or above the target.
    pub fn meeting(&self) -> usize {
        self.assessed.saturating_sub(self.below)
    }

    /// Not assessed.
    pub fn not_assessed(&self) -> usize {
        self.outcomes.saturating_sub(self.assessed)
    }
}

/// The gap to the target profile, year by year, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GapTrend {
    /// The chart's title.
    pub title: String,
    /// One entry per assessment, oldest first.
    pub years: Vec<GapYear>,
}

impl GapTrend {
    /// A sentence per year, for the text alternative.
    pub fn description(&self) -> String {
        self.years
            .iter()
            .map(|y| {
                format!(
                    "{}: {} below target, {} meeting it, {} not assessed, of {}.",
                    y.label,
                    y.below,
                    y.meeting(),
                    y.not_assessed(),
                    y.outcomes
                )
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Lays the chart out in a box `width` points wide.
    pub fn layout(&self, width: f32) -> Figure {
        const LEGEND_H: f32 = 26.0;
        const AXIS_W: f32 = 34.0;
        const ABOVE: f32 = 14.0;
        const PLOT_H: f32 = 150.0;
        const LABEL_H: f32 = 22.0;
        let plot_top = LEGEND_H + ABOVE;
        let bottom = plot_top + PLOT_H;
        let plot_w = (width - AXIS_W - 6.0).max(40.0);
        let most = self
            .years
            .iter()
            .map(|y| y.outcomes)
            .max()
            .unwrap_or(0)
            .max(1);
        let unit = PLOT_H / most as f32;
        let mut shapes = key(
            &[
                (Fill::NotAchieved, "Below target"),
                (Fill::Achieved, "Meets target"),
                (Fill::NotAssessed, "Not assessed"),
            ],
            width,
        );
        for value in [0, most / 2, most] {
            let y = bottom - value as f32 * unit;
            shapes.push(Shape::Line {
                x1: AXIS_W,
                y1: y,
                x2: AXIS_W + plot_w,
                y2: y,
                stroke: if value == 0 { Fill::Ink } else { Fill::Grid },
            });
            shapes.push(Shape::Text {
                x: AXIS_W - 4.0,
                y: y + 3.0,
                size: 8.0,
                fill: Fill::Ink,
                anchor: Anchor::End,
                bold: false,
                text: value.to_string(),
            });
        }
        let step = plot_w / self.years.len().max(1) as f32;
        let column = (step * 0.5).min(44.0);
        let mut points = Vec::new();
        for (i, year) in self.years.iter().enumerate() {
            let centre = AXIS_W + step * (i as f32 + 0.5);
            let x = centre - column / 2.0;
            let mut top = bottom;
            for (fill, count) in [
                (Fill::NotAchieved, year.below),
                (Fill::Achieved, year.meeting()),
                (Fill::NotAssessed, year.not_assessed()),
            ] {
                if count == 0 {
                    continue;
                }
                let h = count as f32 * unit;
                top -= h;
                shapes.push(Shape::Rect {
                    x,
                    y: top,
                    w: column,
                    h,
                    fill,
                    outline: true,
                });
                if h >= 12.0 && column >= 16.0 {
                    shapes.push(Shape::Text {
                        x: centre,
                        y: top + h / 2.0 + 3.0,
                        size: 8.0,
                        fill: fill.text_on(),
                        anchor: Anchor::Middle,
                        bold: true,
                        text: count.to_string(),
                    });
                }
            }
            shapes.push(Shape::Text {
                x: centre,
                y: top - 4.0,
                size: 8.0,
                fill: Fill::Ink,
                anchor: Anchor::Middle,
                bold: true,
                text: format!("{} below", year.below),
            });
            shapes.push(Shape::Text {
                x: centre,
                y: bottom + 13.0,
                size: 8.0,
                fill: Fill::Ink,
                anchor: Anchor::Middle,
                bold: false,
                text: year.label.clone(),
            });
            points.push((centre, bottom - year.below as f32 * unit));
        }
        for pair in points.windows(2) {
            let ((x1, y1), (x2, y2)) = (pair[0], pair[1]);
            shapes.push(Shape::Line {
                x1,
                y1,
                x2,
                y2,
                stroke: Fill::Ink,
            });
        }
        Figure {
            width,
            height: bottom + LABEL_H,
            shapes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trend() -> GapTrend {
        GapTrend {
            title: "Outcomes below the target profile".into(),
            years: vec![
                GapYear {
                    label: "2025/26".into(),
                    outcomes: 117,
                    assessed: 117,
                    below: 40,
                },
                GapYear {
                    label: "2026/27".into(),
                    outcomes: 123,
                    assessed: 100,
                    below: 20,
                },
            ],
        }
    }

    fn columns(figure: &Figure) -> Vec<(f32, f32, f32, Fill)> {
        figure
            .shapes
            .iter()
            .filter_map(|s| match s {
                Shape::Rect { x, y, h, fill, .. } if *y > 20.0 => Some((*x, *y, *h, *fill)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn columns_stand_in_proportion_oldest_first() {
        let figure = trend().layout(400.0);
        let rects = columns(&figure);
        // 2025/26: below and meeting; 2026/27: below, meeting and not assessed.
        assert_eq!(rects.len(), 5);
        let first: f32 = rects[..2].iter().map(|r| r.2).sum();
        let second: f32 = rects[2..].iter().map(|r| r.2).sum();
        assert!((first / second - 117.0 / 123.0).abs() < 0.001);
        assert!(rects[0].0 < rects[2].0, "oldest on the left");
        assert_eq!(rects[0].3, Fill::NotAchieved, "below target at the bottom");
        assert!(
            (rects[0].2 - 2.0 * rects[2].2).abs() < 0.01,
            "40 below vs 20"
        );
    }

    #[test]
    fn a_line_joins_the_below_target_tops() {
        let figure = trend().layout(400.0);
        let rects = columns(&figure);
        let joined = figure.shapes.iter().any(|s| {
            matches!(s, Shape::Line { y1, y2, stroke: Fill::Ink, .. }
                if (*y1 - rects[0].1).abs() < 0.01 && (*y2 - rects[2].1).abs() < 0.01)
        });
        assert!(joined, "{:?}", figure.shapes);
    }

    #[test]
    fn nothing_leaves_the_box() {
        for width in [200.0, 480.0] {
            let figure = trend().layout(width);
            for shape in &figure.shapes {
                match shape {
                    Shape::Rect { x, y, w, h, .. } => {
                        assert!(*x >= 0.0 && x + w <= figure.width + 0.01, "{shape:?}");
                        assert!(*y >= 0.0 && y + h <= figure.height + 0.01, "{shape:?}");
                    }
                    Shape::Text { y, .. } => {
                        assert!(*y > 0.0 && *y <= figure.height, "{shape:?}")
                    }
                    Shape::Line { .. } => {}
                }
            }
        }
    }

    #[test]
    fn one_year_alone_still_draws() {
        let mut one = trend();
        one.years.truncate(1);
        let figure = one.layout(300.0);
        assert_eq!(columns(&figure).len(), 2);
        assert!(figure.shapes.iter().all(|s| !matches!(
            s,
            Shape::Line { y1, y2, .. } if (y1 - y2).abs() > 0.01
        )));
    }

    #[test]
    fn the_description_names_every_count() {
        let text = trend().description();
        assert!(text.contains("2025/26: 40 below target, 77 meeting it, 0 not assessed, of 117."));
        assert!(text.contains("2026/27: 20 below target, 80 meeting it, 23 not assessed, of 123."));
    }
}
