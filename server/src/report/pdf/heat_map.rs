//! The heat map on one page: every outcome against every scope, coloured by status, with
//! its letter (so it reads in greyscale), the target and the movement since last year.

use app::report::{BoardReport, Fill, HeatCell, HeatRow};

use super::flow::{BOTTOM, Flow, MARGIN, WIDTH};
use super::marks::{BANNER, INK, MUTED, NOT_APPLICABLE, RULE, Rgb, SHADE};

const ID_W: f32 = 34.0;
const TARGET_W: f32 = 36.0;
const LEGEND_H: f32 = 52.0;

/// One line of the grid.
enum Line<'a> {
    Objective(String),
    Principle(String),
    Outcome(&'a HeatRow),
}

/// The heat map section.
pub(super) fn heat_map(flow: &mut Flow<'_>, report: &BoardReport) {
    flow.section("Heat map");
    let map = &report.heat_map;
    flow.paragraph_at(
        "Each contributing outcome (row) in each scope (column). The letter gives the status, \
         so the map reads in black and white; a heavy border marks an outcome below its target.",
        8.5,
        false,
        MUTED,
        0.0,
        WIDTH,
    );
    flow.gap(4.0);

    let mut lines = Vec::new();
    for objective in &map.objectives {
        lines.push(Line::Objective(format!(
            "{} {}",
            objective.id, objective.title
        )));
        for principle in &objective.principles {
            lines.push(Line::Principle(format!(
                "{} {}",
                principle.id, principle.title
            )));
            lines.extend(principle.rows.iter().map(Line::Outcome));
        }
    }

    let n = map.columns.len().max(1) as f32;
    let scope_w = ((WIDTH - ID_W - TARGET_W - 170.0) / n).clamp(34.0, 80.0);
    let title_w = WIDTH - ID_W - TARGET_W - scope_w * n;

    // Column headings: scope names wrapped to three lines at most.
    let head_size = 7.5;
    let head_lh = head_size * 1.2;
    let headings: Vec<Vec<String>> = map
        .columns
        .iter()
        .map(|c| {
            let mut l = flow.fonts.wrap(c, head_size, true, scope_w - 4.0);
            if l.len() > 3 {
                l.truncate(3);
                let last = format!("{}…", l[2]);
                l[2] = flow.fonts.fit(&last, head_size, true, scope_w - 4.0);
            }
            l
        })
        .collect();
    let head_rows = headings.iter().map(Vec::len).max().unwrap_or(1).max(1) as f32;
    let head_h = head_rows * head_lh + 6.0;

    let available = BOTTOM - flow.y - head_h - LEGEND_H;
    let row_h = (available / lines.len().max(1) as f32).min(14.0);
    let size = (row_h * 0.7).clamp(4.0, 8.0);

    // Header row.
    let top = flow.y;
    let x_target = MARGIN + ID_W + title_w;
    let x_scopes = x_target + TARGET_W;
    flow.rect(MARGIN, top, WIDTH, head_h, Some(SHADE), None);
    let bottom_line = top + head_h - 4.0;
    flow.text(
        MARGIN + 2.0,
        bottom_line,
        head_size,
        true,
        INK,
        "Outcome",
        ID_W + title_w,
    );
    flow.text(
        x_target + 2.0,
        bottom_line,
        head_size,
        true,
        INK,
        "Target",
        TARGET_W - 4.0,
    );
    for (i, heading) in headings.iter().enumerate() {
        let x = x_scopes + i as f32 * scope_w;
        let first = bottom_line - (heading.len() as f32 - 1.0) * head_lh;
        for (j, line) in heading.iter().enumerate() {
            let w = flow.fonts.width(line, head_size, true);
            flow.text(
                x + (scope_w - w) / 2.0,
                first + j as f32 * head_lh,
                head_size,
                true,
                INK,
                line,
                scope_w - 2.0,
            );
        }
    }
    flow.y = top + head_h;

    for line in &lines {
        let top = flow.y;
        let base = top + row_h / 2.0 + size * 0.35;
        match line {
            Line::Objective(text) => {
                flow.rect(MARGIN, top, WIDTH, row_h, Some(BANNER), None);
                flow.text(
                    MARGIN + 2.0,
                    base,
                    size,
                    true,
                    (0xff, 0xff, 0xff),
                    text,
                    WIDTH - 4.0,
                );
            }
            Line::Principle(text) => {
                flow.rect(MARGIN, top, WIDTH, row_h, Some(SHADE), None);
                flow.text(MARGIN + 2.0, base, size, true, BANNER, text, WIDTH - 4.0);
            }
            Line::Outcome(row) => {
                flow.line(MARGIN, top + row_h, MARGIN + WIDTH, top + row_h, RULE, 0.3);
                flow.text(
                    MARGIN + 2.0,
                    base,
                    size,
                    true,
                    INK,
                    &row.outcome,
                    ID_W - 4.0,
                );
                flow.text(
                    MARGIN + ID_W,
                    base,
                    size,
                    false,
                    INK,
                    &row.title,
                    title_w - 4.0,
                );
                let w = flow.fonts.width(&row.target, size, true);
                flow.text(
                    x_target + (TARGET_W - w) / 2.0,
                    base,
                    size,
                    true,
                    INK,
                    &row.target,
                    TARGET_W,
                );
                for (i, cell) in row.cells.iter().enumerate() {
                    let x = x_scopes + i as f32 * scope_w;
                    draw_cell(flow, cell, x, top, scope_w, row_h, size);
                }
            }
        }
        flow.y = top + row_h;
    }
    legend(flow, flow.y + 8.0);
}

fn rgb(fill: Fill) -> Rgb {
    fill.rgb()
}

fn draw_cell(flow: &mut Flow<'_>, cell: &HeatCell, x: f32, top: f32, w: f32, h: f32, size: f32) {
    let (x, top, w, h) = (x + 1.0, top + 0.8, w - 2.0, h - 1.6);
    if !cell.applies {
        flow.rect(x, top, w, h, Some(NOT_APPLICABLE), None);
        return;
    }
    let fill = status_fill(cell);
    flow.rect(x, top, w, h, Some(rgb(fill)), Some((RULE, 0.4)));
    if cell.below {
        let t = 1.4;
        flow.rect(
            x + t / 2.0,
            top + t / 2.0,
            w - t,
            h - t,
            None,
            Some((INK, t)),
        );
    }
    let arrow = cell.movement.map_or("", |m| m.arrow());
    let text = if arrow.is_empty() {
        cell.letter().to_owned()
    } else {
        format!("{} {arrow}", cell.letter())
    };
    let tw = flow.fonts.width(&text, size, true);
    let base = top + h / 2.0 + size * 0.35;
    flow.text(
        x + (w - tw) / 2.0,
        base,
        size,
        true,
        rgb(fill.text_on()),
        &text,
        w - 2.0,
    );
}

fn status_fill(cell: &HeatCell) -> Fill {
    match cell.status {
        Some(caf::Status::NotAchieved) => Fill::NotAchieved,
        Some(caf::Status::PartiallyAchieved) => Fill::PartiallyAchieved,
        Some(caf::Status::Achieved) => Fill::Achieved,
        None => Fill::NotAssessed,
    }
}

/// The key under the grid.
fn legend(flow: &mut Flow<'_>, top: f32) {
    let size = 7.5;
    let items: [(Option<Fill>, &str, &str); 6] = [
        (Some(Fill::NotAchieved), "N", "Not achieved"),
        (Some(Fill::PartiallyAchieved), "P", "Partially achieved"),
        (Some(Fill::Achieved), "A", "Achieved"),
        (Some(Fill::NotAssessed), "–", "Not assessed"),
        (None, "", "Does not apply to the scope"),
        (Some(Fill::NotAssessed), "", "Below target (heavy border)"),
    ];
    let step = WIDTH / 3.0;
    for (i, (fill, letter, label)) in items.iter().enumerate() {
        let x = MARGIN + (i % 3) as f32 * step;
        let y = top + (i / 3) as f32 * 14.0;
        match fill {
            Some(f) => {
                flow.rect(x, y, 16.0, 10.0, Some(rgb(*f)), Some((RULE, 0.4)));
                if i == 5 {
                    flow.rect(x + 0.7, y + 0.7, 14.6, 8.6, None, Some((INK, 1.4)));
                }
                let w = flow.fonts.width(letter, size, true);
                flow.text(
                    x + (16.0 - w) / 2.0,
                    y + 7.8,
                    size,
                    true,
                    rgb(f.text_on()),
                    letter,
                    16.0,
                );
            }
            None => flow.rect(x, y, 16.0, 10.0, Some(NOT_APPLICABLE), None),
        }
        flow.text(x + 21.0, y + 7.8, size, false, INK, label, step - 24.0);
    }
    flow.text(
        MARGIN,
        top + 36.0,
        size,
        false,
        MUTED,
        "↑ better than last year   ↓ worse than last year   Target: the status the profile asks for",
        WIDTH,
    );
}
