//! The stacked bar chart, drawn from the shared chart model's shapes, and its data as a table.

use app::report::{Anchor, BoardReport, Shape};

use super::flow::{Flow, MARGIN, SMALL, WIDTH};
use super::marks::{INK, MUTED};
use super::table::{Align, Cell, Column};

/// The chart section.
pub(super) fn chart(flow: &mut Flow<'_>, report: &BoardReport) {
    flow.section("Outcomes by objective");
    let bars = &report.bars;
    flow.paragraph_at(&bars.title, 11.0, true, INK, 0.0, WIDTH);
    flow.paragraph_at(
        "Each bar counts the contributing outcomes of one objective, over every scope assessed \
         against it, by status: this year above last year where there was a last year.",
        8.5,
        false,
        MUTED,
        0.0,
        WIDTH,
    );
    flow.gap(6.0);

    let figure = bars.layout(WIDTH);
    flow.ensure(figure.height);
    let (ox, oy) = (MARGIN, flow.y);
    for shape in &figure.shapes {
        match shape {
            Shape::Rect {
                x,
                y,
                w,
                h,
                fill,
                outline,
            } => {
                let stroke = outline.then_some((INK, 0.4));
                flow.rect(ox + x, oy + y, *w, *h, Some(fill.rgb()), stroke);
            }
            Shape::Line {
                x1,
                y1,
                x2,
                y2,
                stroke,
            } => flow.line(ox + x1, oy + y1, ox + x2, oy + y2, stroke.rgb(), 0.5),
            Shape::Text {
                x,
                y,
                size,
                fill,
                anchor,
                bold,
                text,
            } => {
                let w = flow.fonts.width(text, *size, *bold);
                let left = match anchor {
                    Anchor::Start => *x,
                    Anchor::Middle => x - w / 2.0,
                    Anchor::End => x - w,
                };
                // Nothing leaves the figure's box.
                let left = left.clamp(0.0, (figure.width - w).max(0.0));
                flow.text(
                    ox + left,
                    oy + y,
                    *size,
                    *bold,
                    fill.rgb(),
                    text,
                    figure.width - left,
                );
            }
        }
    }
    flow.y = oy + figure.height;
    flow.gap(10.0);

    flow.heading("The chart’s figures", 11.0, 40.0);
    let columns = [
        Column::new("Objective", 195.0, Align::Left),
        Column::new("Year", 48.0, Align::Left),
        Column::new("Not achieved", 50.0, Align::Right),
        Column::new("Partially achieved", 50.0, Align::Right),
        Column::new("Achieved", 50.0, Align::Right),
        Column::new("Not assessed", 50.0, Align::Right),
        Column::new("Total", WIDTH - 443.0, Align::Right),
    ];
    let mut rows = Vec::new();
    for group in &bars.groups {
        for (i, bar) in group.bars.iter().enumerate() {
            let objective = if i == 0 {
                format!("{} {}", group.id, group.title)
            } else {
                String::new()
            };
            rows.push(vec![
                Cell::plain(objective),
                Cell::plain(&bar.label),
                Cell::plain(bar.not_achieved.to_string()),
                Cell::plain(bar.partially.to_string()),
                Cell::plain(bar.achieved.to_string()),
                Cell::plain(bar.not_assessed.to_string()),
                Cell::bold(bar.total().to_string()),
            ]);
        }
    }
    flow.table(&columns, &rows, SMALL);
}
