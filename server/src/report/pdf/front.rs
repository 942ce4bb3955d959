//! The cover and the executive summary.

use app::report::{BoardReport, Counts};

use super::flow::{BODY, Flow, MARGIN, SMALL, TOP, WIDTH, leading};
use super::marks::{BANNER, INK, MUTED, SHADE, WHITE};
use super::table::{Align, Cell, Column};

/// The cover: classification, organisation, title, facts, scopes and the board's question.
pub(super) fn cover(flow: &mut Flow<'_>, report: &BoardReport) {
    flow.new_page();
    flow.outline_here("Cover");
    let banner_h = 30.0;
    flow.rect(MARGIN, TOP, WIDTH, banner_h, Some(BANNER), None);
    let size = 15.0;
    let label = flow
        .fonts
        .fit(&report.classification, size, true, WIDTH - 20.0);
    let w = flow.fonts.width(&label, size, true);
    flow.text(
        MARGIN + (WIDTH - w) / 2.0,
        TOP + 20.5,
        size,
        true,
        WHITE,
        &label,
        WIDTH,
    );
    flow.y = TOP + banner_h + 56.0;

    flow.paragraph_at(&report.organisation, 15.0, true, MUTED, 0.0, WIDTH);
    flow.gap(6.0);
    flow.paragraph_at(&report.title, 26.0, true, BANNER, 0.0, WIDTH);
    flow.gap(4.0);
    flow.paragraph_at(
        "Cyber Assessment Framework self-assessment: report to the board",
        13.0,
        false,
        INK,
        0.0,
        WIDTH,
    );
    flow.gap(26.0);

    let state = if report.draft {
        "DRAFT: not every scope is signed off; figures may change".to_owned()
    } else {
        "Signed off: every scope is approved and frozen".to_owned()
    };
    let mut facts = vec![
        ("Period", report.period.clone()),
        ("Framework", report.framework.clone()),
        ("Target profile", report.profile.clone()),
        ("State", state),
        ("Generated", report.generated_on.clone()),
    ];
    if let Some(previous) = &report.previous {
        facts.push((
            "Compared with",
            format!(
                "{} ({}, {}), signed off {}",
                previous.title, previous.period, previous.framework, previous.signed_on
            ),
        ));
    }
    flow.facts(&facts, 11.0, 110.0);
    flow.gap(10.0);

    flow.heading("Scopes assessed", 12.0, 40.0);
    let columns = [
        Column::new("Scope", 170.0, Align::Left),
        Column::new("Assessed against", 213.0, Align::Left),
        Column::new("State", WIDTH - 383.0, Align::Left),
    ];
    let rows: Vec<Vec<Cell>> = report
        .scopes
        .iter()
        .map(|s| {
            vec![
                Cell::bold(&s.name),
                Cell::plain(&s.kind_label),
                Cell::plain(&s.state),
            ]
        })
        .collect();
    flow.table(&columns, &rows, 9.5);
    flow.gap(8.0);

    // The question in a shaded box, sized to its text.
    let size = 11.5;
    let inner = WIDTH - 24.0;
    let lines = flow.fonts.wrap(&report.board_question, size, false, inner);
    let height = 12.0 + leading(12.0) + lines.len() as f32 * leading(size) + 12.0;
    flow.ensure(height);
    let top = flow.y;
    flow.rect(MARGIN, top, WIDTH, height, Some(SHADE), None);
    flow.rect(MARGIN, top, 4.0, height, Some(BANNER), None);
    flow.y = top + 12.0;
    flow.paragraph_at("The board is asked to", 12.0, true, BANNER, 12.0, inner);
    flow.paragraph_at(&report.board_question, size, false, INK, 12.0, inner);
    flow.y = top + height + 14.0;

    let lines = flow.fonts.wrap(&report.attribution, 7.5, false, WIDTH);
    let height = lines.len() as f32 * leading(7.5);
    if flow.room() >= height {
        flow.y = super::flow::BOTTOM - height;
        flow.paragraph_at(&report.attribution, 7.5, false, MUTED, 0.0, WIDTH);
    }
}

/// The executive summary: paragraphs, counts per scope and objective, top gaps, changes.
pub(super) fn summary(flow: &mut Flow<'_>, report: &BoardReport) {
    let summary = &report.summary;
    flow.section("Executive summary");
    for paragraph in &summary.paragraphs {
        flow.paragraph(paragraph, BODY);
    }

    flow.heading("Outcomes meeting the target profile", 12.0, 60.0);
    let columns = [
        Column::new("Scope", 110.0, Align::Left),
        Column::new("Objective", 195.0, Align::Left),
        Column::new("Outcomes", 47.0, Align::Right),
        Column::new("Assessed", 47.0, Align::Right),
        Column::new("Meeting target", 47.0, Align::Right),
        Column::new("Below target", 47.0, Align::Right),
    ];
    let mut rows: Vec<Vec<Cell>> = summary
        .table
        .iter()
        .map(|row| {
            let mut cells = vec![
                Cell::plain(&row.scope),
                Cell::plain(format!("{} {}", row.objective, row.title)),
            ];
            cells.extend(count_cells(&row.counts, false));
            cells
        })
        .collect();
    let mut total = vec![Cell::bold("All scopes"), Cell::bold("")];
    total.extend(count_cells(&summary.overall, true));
    rows.push(total.into_iter().map(|c| c.filled(SHADE)).collect());
    flow.table(&columns, &rows, SMALL);

    flow.heading("The most serious gaps", 12.0, 30.0);
    if summary.top_gaps.is_empty() {
        flow.paragraph("No assessed outcome is below its target.", BODY);
    } else {
        flow.bullets(&summary.top_gaps, BODY);
    }

    flow.heading("Changes since last year", 12.0, 30.0);
    match &report.previous {
        Some(previous) => {
            flow.paragraph(
                &format!(
                    "Compared with {} ({}, {}, signed off {}), outcomes matched {}.",
                    previous.title,
                    previous.period,
                    previous.framework,
                    previous.signed_on,
                    previous.matched_by
                ),
                BODY,
            );
            if summary.changes.is_empty() {
                flow.paragraph("No outcome changed status.", BODY);
            } else {
                flow.bullets(&summary.changes, BODY);
            }
        }
        None => flow.paragraph(
            "There is no earlier signed-off assessment of this organisation to compare with.",
            BODY,
        ),
    }
}

fn count_cells(counts: &Counts, bold: bool) -> Vec<Cell> {
    [
        counts.outcomes,
        counts.assessed,
        counts.meeting,
        counts.below,
    ]
    .iter()
    .map(|n| {
        if bold {
            Cell::bold(n.to_string())
        } else {
            Cell::plain(n.to_string())
        }
    })
    .collect()
}
