//! Carrying last year's answers forward along a statement map.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{StatementChange, StatementMap};
use crate::model::ContributingOutcome;
use crate::rating::Answer;

/// One statement of an outcome in the later version, with what carrying forward gives it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CarriedStatement {
    /// Statement id in the later version.
    pub to: String,
    /// The earlier statements it comes from; empty when it is new.
    pub from: Vec<String>,
    /// How it relates to them.
    pub change: StatementChange,
    /// The answer carried forward, or `None` when it starts unanswered.
    pub answer: Option<Answer>,
}

/// What carrying one outcome's answers forward gives, statement by statement.
///
/// `previous_answers` are last year's answers keyed by earlier statement id; pass all of them,
/// because a statement may come from another outcome. A `new` statement starts unanswered. Any
/// other carries its sources' answer when every source that was answered gave the same answer;
/// it starts unanswered when no source was answered or they disagree. A statement the map does
/// not list counts as new. Statements come back in the outcome's table order.
pub fn carry_outcome(
    map: &StatementMap,
    previous_answers: &BTreeMap<String, Answer>,
    to_outcome: &ContributingOutcome,
) -> Vec<CarriedStatement> {
    to_outcome
        .indicators
        .iter()
        .map(|(_, indicator)| {
            let Some(link) = map.link(&indicator.id) else {
                return CarriedStatement {
                    to: indicator.id.clone(),
                    from: Vec::new(),
                    change: StatementChange::New,
                    answer: None,
                };
            };
            let answer = match link.change {
                StatementChange::New => None,
                _ => agreed(link.from.iter().filter_map(|id| previous_answers.get(id))),
            };
            CarriedStatement {
                to: link.to.clone(),
                from: link.from.clone(),
                change: link.change,
                answer,
            }
        })
        .collect()
}

/// The one answer all the given answers share; `None` when there are none or they differ.
fn agreed<'a>(mut answers: impl Iterator<Item = &'a Answer>) -> Option<Answer> {
    let first = answers.next()?;
    answers.all(|answer| answer == first).then(|| first.clone())
}
