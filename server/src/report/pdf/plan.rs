//! Gaps with their improvement actions, and the actions closed since the last report.

use app::report::{ActionLine, BoardReport};

use super::flow::{BODY, Flow, SMALL, WIDTH, leading};
use super::marks::{ALERT, INK, MUTED, SHADE};
use super::table::{Align, Cell, Column};

/// The gaps and improvement plan section, then the closed actions.
pub(super) fn gaps(flow: &mut Flow<'_>, report: &BoardReport) {
    flow.section("Gaps and the improvement plan");
    if report.gaps.is_empty() {
        flow.paragraph("No assessed outcome is below its target profile.", BODY);
    } else {
        flow.paragraph_at(
            "Every outcome below its target, most serious first, with the actions that close \
             it. Overdue actions come first and are marked OVERDUE.",
            8.5,
            false,
            MUTED,
            0.0,
            WIDTH,
        );
        flow.gap(4.0);
    }
    for gap in &report.gaps {
        let steps = if gap.steps_short == 1 {
            "step"
        } else {
            "steps"
        };
        let title = format!("{} · {} {}", gap.scope, gap.outcome, gap.title);
        // Keep the gap's heading with its first action.
        flow.heading(&title, 10.5, leading(SMALL) * 3.0 + 20.0);
        flow.paragraph_at(
            &format!(
                "{} against a target of {}: {} {} short.",
                gap.status.label(),
                gap.target.label(),
                gap.steps_short,
                steps
            ),
            9.0,
            false,
            INK,
            0.0,
            WIDTH,
        );
        flow.gap(3.0);
        if gap.actions.is_empty() {
            flow.paragraph_at("No action is planned yet.", 9.0, true, ALERT, 0.0, WIDTH);
            flow.gap(4.0);
            continue;
        }
        let mut actions: Vec<&ActionLine> = gap.actions.iter().collect();
        actions.sort_by_key(|a| !a.overdue);
        let columns = [
            Column::new("Action", 226.0, Align::Left),
            Column::new("Owner", 104.0, Align::Left),
            Column::new("Due", 56.0, Align::Left),
            Column::new("Status", WIDTH - 386.0, Align::Left),
        ];
        let rows: Vec<Vec<Cell>> = actions.iter().map(|a| action_row(a)).collect();
        flow.table(&columns, &rows, SMALL);
    }

    flow.heading("Actions closed since the last report", 13.0, 40.0);
    if report.closed_actions.is_empty() {
        flow.paragraph("No action has been closed since the last report.", BODY);
        return;
    }
    let columns = [
        Column::new("Scope", 95.0, Align::Left),
        Column::new("Outcome", 44.0, Align::Left),
        Column::new("Action", 187.0, Align::Left),
        Column::new("Owner", 100.0, Align::Left),
        Column::new("Closed on", WIDTH - 426.0, Align::Left),
    ];
    let rows: Vec<Vec<Cell>> = report
        .closed_actions
        .iter()
        .map(|a| {
            vec![
                Cell::plain(&a.scope),
                Cell::bold(&a.outcome),
                Cell::plain(&a.description),
                Cell::plain(&a.owner),
                Cell::plain(a.closed_on.as_deref().unwrap_or("–")),
            ]
        })
        .collect();
    flow.table(&columns, &rows, SMALL);
}

fn action_row(action: &ActionLine) -> Vec<Cell> {
    if action.overdue {
        vec![
            Cell::plain(&action.description),
            Cell::plain(&action.owner),
            Cell::bold(action.due.as_deref().unwrap_or("No date")).colored(ALERT),
            Cell::bold(format!("OVERDUE · {}", action.status))
                .colored(ALERT)
                .filled(SHADE),
        ]
    } else {
        vec![
            Cell::plain(&action.description),
            Cell::plain(&action.owner),
            Cell::plain(action.due.as_deref().unwrap_or("No date")),
            Cell::plain(&action.status),
        ]
    }
}
