//! Assurance (sign-offs of review and assurance, status overrides, stale evidence) and the
//! sign-off block with each scope's snapshot hash.

use app::report::BoardReport;

use super::flow::{BODY, Flow, MARGIN, SMALL, WIDTH, leading};
use super::marks::{ALERT, BANNER, INK, MUTED, RULE, SHADE};
use super::table::{Align, Cell, Column};

/// The assurance section.
pub(super) fn assurance(flow: &mut Flow<'_>, report: &BoardReport) {
    let assurance = &report.assurance;
    flow.section("Assurance");

    flow.heading("Internal review and independent assurance", 13.0, 40.0);
    if assurance.signatures.is_empty() {
        flow.paragraph("No scope has been reviewed or assured yet.", BODY);
    } else {
        let columns = [
            Column::new("Scope", 120.0, Align::Left),
            Column::new("Step", 105.0, Align::Left),
            Column::new("Name", 105.0, Align::Left),
            Column::new("Role", 103.0, Align::Left),
            Column::new("Date", WIDTH - 433.0, Align::Left),
        ];
        let rows: Vec<Vec<Cell>> = assurance
            .signatures
            .iter()
            .map(|s| {
                vec![
                    Cell::plain(&s.scope),
                    Cell::plain(&s.step),
                    Cell::bold(&s.name),
                    Cell::plain(&s.role),
                    Cell::plain(&s.on),
                ]
            })
            .collect();
        flow.table(&columns, &rows, SMALL);
    }

    flow.heading(
        "Statuses confirmed differently from the answers",
        13.0,
        40.0,
    );
    if assurance.overrides.is_empty() {
        flow.paragraph(
            "Every confirmed status is the one its answers suggest.",
            BODY,
        );
    } else {
        flow.paragraph_at(
            "Where the assessor confirmed a status other than the one the indicators of good \
             practice suggest, with the reason they gave.",
            8.5,
            false,
            MUTED,
            0.0,
            WIDTH,
        );
        flow.gap(3.0);
        let columns = [
            Column::new("Scope", 95.0, Align::Left),
            Column::new("Outcome", 44.0, Align::Left),
            Column::new("Suggested", 62.0, Align::Left),
            Column::new("Confirmed", 62.0, Align::Left),
            Column::new("Justification", WIDTH - 263.0, Align::Left),
        ];
        let rows: Vec<Vec<Cell>> = assurance
            .overrides
            .iter()
            .map(|o| {
                vec![
                    Cell::plain(&o.scope),
                    Cell::bold(&o.outcome),
                    Cell::plain(o.suggested.label()),
                    Cell::bold(o.confirmed.label()),
                    Cell::plain(&o.justification),
                ]
            })
            .collect();
        flow.table(&columns, &rows, SMALL);
    }

    flow.heading("Evidence past its review-by date", 13.0, 40.0);
    if assurance.stale_evidence.is_empty() {
        flow.paragraph("No evidence is past its review-by date.", BODY);
    } else {
        let columns = [
            Column::new("Evidence", 190.0, Align::Left),
            Column::new("Review by", 62.0, Align::Left),
            Column::new("Outcomes resting on it", WIDTH - 252.0, Align::Left),
        ];
        let rows: Vec<Vec<Cell>> = assurance
            .stale_evidence
            .iter()
            .map(|e| {
                vec![
                    Cell::plain(&e.title),
                    Cell::bold(&e.review_by).colored(ALERT),
                    Cell::plain(e.outcomes.join(", ")),
                ]
            })
            .collect();
        flow.table(&columns, &rows, SMALL);
    }
}

/// The sign-off block: approver, role, date and the full snapshot SHA-256 of each scope.
pub(super) fn sign_off(flow: &mut Flow<'_>, report: &BoardReport) {
    flow.section("Sign-off");
    flow.paragraph(
        "Each scope was frozen as a snapshot when it was signed off. The SHA-256 below \
         identifies that record: the command “server audit verify” and the assessment’s page in \
         the app show the same value, so a printed copy can be matched to what was signed.",
        BODY,
    );
    let inner = WIDTH - 24.0;
    for scope in &report.sign_off {
        let label_w = 70.0;
        let value_w = inner - label_w;
        let mut facts = vec![
            (
                "Approver",
                scope
                    .approver
                    .clone()
                    .unwrap_or_else(|| "Not signed off yet".into()),
            ),
            ("Role", scope.role.clone().unwrap_or_else(|| "–".into())),
            ("Date", scope.on.clone().unwrap_or_else(|| "–".into())),
        ];
        let hash = scope.sha256.clone();
        if hash.is_none() {
            facts.push(("SHA-256", "No snapshot: the scope is not signed off".into()));
        }
        // The hash on one line: the largest size up to 10 points at which it fits.
        let hash_size = hash.as_ref().map(|h| {
            let at_one = flow.fonts.width(h, 1.0, false).max(1.0);
            (inner / at_one).min(10.0)
        });
        let lines: usize = facts
            .iter()
            .map(|(_, v)| flow.fonts.wrap(v, BODY, false, value_w).len())
            .sum();
        let height = 10.0
            + leading(12.0)
            + lines as f32 * (leading(BODY) + 3.0)
            + hash_size.map_or(0.0, |s| leading(BODY) + leading(s) + 4.0)
            + 8.0;
        flow.ensure(height + 10.0);
        let top = flow.y;
        flow.rect(MARGIN, top, WIDTH, 10.0 + leading(12.0), Some(SHADE), None);
        flow.rect(MARGIN, top, WIDTH, height, None, Some((RULE, 0.8)));
        flow.y = top + 6.0;
        flow.paragraph_at(&scope.scope, 12.0, true, BANNER, 12.0, inner);
        flow.y += 6.0;
        for (label, value) in &facts {
            flow.text(
                MARGIN + 12.0,
                flow.y + BODY * 0.97,
                BODY,
                true,
                MUTED,
                label,
                label_w,
            );
            flow.paragraph_at(value, BODY, false, INK, 12.0 + label_w, value_w);
            flow.y += 3.0;
        }
        if let (Some(hash), Some(size)) = (&hash, hash_size) {
            flow.text(
                MARGIN + 12.0,
                flow.y + BODY * 0.97,
                BODY,
                true,
                MUTED,
                "Snapshot SHA-256",
                inner,
            );
            flow.y += leading(BODY);
            flow.text(
                MARGIN + 12.0,
                flow.y + size * 0.97,
                size,
                false,
                INK,
                hash,
                inner + 1.0,
            );
        }
        flow.y = top + height + 12.0;
    }
}
