//! The appendix: every outcome of every scope with its status, target, narrative and
//! evidence. Long narratives continue on the next page.

use app::report::{AppendixOutcome, BoardReport, Fill, status_letter, status_words};

use super::flow::{Flow, MARGIN, WIDTH, leading};
use super::marks::{INK, MUTED, RULE};

const TEXT: f32 = 9.0;

/// The appendix section, one scope after another.
pub(super) fn appendix(flow: &mut Flow<'_>, report: &BoardReport) {
    // printpdf orders outline entries of one page by name: "Appendix" sorts before the
    // first scope's "Appendix: …" entry on the same page.
    flow.section_in_outline("Appendix: every outcome", "Appendix");
    flow.paragraph_at(
        "Each scope's contributing outcomes in framework order, as confirmed: status, target, \
         the assessor's narrative and the evidence it rests on.",
        8.5,
        false,
        MUTED,
        0.0,
        WIDTH,
    );
    for (i, scope) in report.appendix.iter().enumerate() {
        if i > 0 {
            flow.new_page();
        }
        flow.outline_here(&format!("Appendix: {}", scope.scope));
        flow.heading(&scope.scope, 14.0, 60.0);
        for outcome in &scope.outcomes {
            outcome_block(flow, outcome);
        }
    }
}

fn outcome_block(flow: &mut Flow<'_>, outcome: &AppendixOutcome) {
    let title = format!("{} {}", outcome.outcome, outcome.title);
    let title_lines = flow.fonts.wrap(&title, 10.5, true, WIDTH);
    flow.ensure(title_lines.len() as f32 * leading(10.5) + 16.0 + 2.0 * leading(TEXT));
    flow.gap(4.0);
    flow.paragraph_at(&title, 10.5, true, INK, 0.0, WIDTH);

    // Status swatch with its letter, then the status and target in words.
    let fill = match outcome.status {
        Some(caf::Status::NotAchieved) => Fill::NotAchieved,
        Some(caf::Status::PartiallyAchieved) => Fill::PartiallyAchieved,
        Some(caf::Status::Achieved) => Fill::Achieved,
        None => Fill::NotAssessed,
    };
    let top = flow.y + 1.0;
    flow.rect(MARGIN, top, 14.0, 11.0, Some(fill.rgb()), Some((RULE, 0.4)));
    let letter = status_letter(outcome.status);
    let lw = flow.fonts.width(letter, 8.0, true);
    flow.text(
        MARGIN + (14.0 - lw) / 2.0,
        top + 8.3,
        8.0,
        true,
        fill.text_on().rgb(),
        letter,
        14.0,
    );
    let target = outcome.target.map_or("none set", |t| t.label());
    let words = format!(
        "Status: {}   ·   Target: {}",
        status_words(outcome.status),
        target
    );
    flow.text(
        MARGIN + 20.0,
        top + 8.6,
        TEXT,
        true,
        INK,
        &words,
        WIDTH - 20.0,
    );
    flow.y = top + 15.0;

    flow.continued = Some(format!(
        "{} (continued)",
        flow.fonts.fit(&title, 8.5, true, WIDTH - 60.0)
    ));
    let narrative = outcome.narrative.trim();
    if narrative.is_empty() {
        flow.paragraph_at("No narrative was written.", TEXT, false, MUTED, 0.0, WIDTH);
    } else {
        flow.paragraph_at(narrative, TEXT, false, INK, 0.0, WIDTH);
    }
    flow.gap(2.0);
    let evidence = if outcome.evidence.is_empty() {
        "Evidence: none cited.".to_owned()
    } else {
        format!("Evidence: {}", outcome.evidence.join("; "))
    };
    flow.paragraph_at(&evidence, 8.5, false, MUTED, 0.0, WIDTH);
    flow.continued = None;
    flow.gap(3.0);
    flow.ensure(4.0);
    let y = flow.y;
    flow.line(MARGIN, y, MARGIN + WIDTH, y, RULE, 0.4);
    flow.gap(2.0);
}
