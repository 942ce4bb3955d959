//! Year on year in words: which outcomes moved since the previous signed-off assessment.

use super::compare::PreviousYear;
use super::words::count;
use crate::year_on_year::Change;
use caf::Status;

/// An outcome of a scope whose status was compared with last year's.
pub(super) struct Moved {
    scope: String,
    outcome: String,
    title: String,
    before: Status,
    now: Status,
}

/// Every outcome confirmed both this year and last, in scope and framework order.
pub(super) fn movements(previous: &PreviousYear) -> Vec<Moved> {
    previous
        .comparison()
        .scopes
        .iter()
        .flat_map(|scope| {
            scope
                .outcomes
                .iter()
                .filter_map(move |o| match (o.change, o.before, o.now) {
                    (Change::Better | Change::Worse | Change::Same, Some(before), Some(now)) => {
                        Some(Moved {
                            scope: scope.name.clone(),
                            outcome: o.outcome.clone(),
                            title: o.title.clone(),
                            before,
                            now,
                        })
                    }
                    _ => None,
                })
        })
        .collect()
}

pub(super) fn movement_sentence(previous: &PreviousYear, movements: &[Moved]) -> String {
    if !previous.comparable() {
        return format!(
            "The previous signed-off assessment ({}, {}) used a framework version that cannot be matched outcome by outcome, so no change is shown.",
            previous.period,
            format_args!("CAF {}", previous.framework.version)
        );
    }
    let up = movements.iter().filter(|m| m.now > m.before).count();
    let down = movements.iter().filter(|m| m.now < m.before).count();
    let same = movements.len() - up - down;
    format!(
        "Compared with {} (CAF {}, matched {}), {} improved, {} got worse and {} stayed the same.",
        previous.period,
        previous.framework.version,
        previous.matched_by(),
        count(up, "outcome", "outcomes"),
        down,
        same
    )
}

/// How many changes the executive summary lists one by one; the heat map shows them all.
const LISTED_CHANGES: usize = 8;

/// The worsened outcomes first, then the improved ones, one sentence each, the most listed
/// one by one and the rest counted.
pub(super) fn change_sentences(movements: &[Moved]) -> Vec<String> {
    let worse = movements.iter().filter(|m| m.now < m.before);
    let better = movements.iter().filter(|m| m.now > m.before);
    let changed = movements.iter().filter(|m| m.now != m.before).count();
    let mut lines: Vec<String> = worse
        .map(|m| (m, "fell"))
        .chain(better.map(|m| (m, "rose")))
        .map(|(m, verb)| {
            format!(
                "{}: {} {} {verb} from {} to {}.",
                m.scope,
                m.outcome,
                m.title,
                m.before.label().to_lowercase(),
                m.now.label().to_lowercase()
            )
        })
        .take(LISTED_CHANGES)
        .collect();
    if changed > LISTED_CHANGES {
        lines.push(format!(
            "And {} more: the heat map marks every change with an arrow.",
            count(changed - LISTED_CHANGES, "change", "changes")
        ));
    }
    lines
}
