//! The suggested status of a contributing outcome from answered IGP statements.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::ContributingOutcome;
use crate::status::{Column, Status};
use crate::validate::is_blank;

/// An assessor's answer to one IGP statement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "answer", rename_all = "snake_case")]
pub enum Answer {
    /// The statement is true of the organisation or system.
    True,
    /// The statement is not true.
    False,
    /// The statement does not apply, for example because a compensating measure meets the outcome.
    NotApplicable {
        /// Why it does not apply; a blank justification does not count.
        justification: String,
    },
}

impl Answer {
    /// A not-applicable answer with this justification.
    pub fn not_applicable(justification: impl Into<String>) -> Answer {
        Answer::NotApplicable {
            justification: justification.into(),
        }
    }

    /// Whether this answer meets an achieved or partially achieved statement.
    pub fn meets(&self) -> bool {
        match self {
            Answer::True => true,
            Answer::False => false,
            Answer::NotApplicable { justification } => !is_blank(justification),
        }
    }
}

/// A suggested status with the reasons for it; the assessor confirms the final status.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suggestion {
    /// The suggested status.
    pub status: Status,
    /// Why, in plain English, naming statement ids.
    pub reason: String,
    /// Not achieved statements answered true.
    pub true_not_achieved: Vec<String>,
    /// Achieved statements not met (false, unanswered, or not applicable without justification).
    pub unmet_achieved: Vec<String>,
    /// Partially achieved statements not met.
    pub unmet_partially_achieved: Vec<String>,
    /// Statements with no answer, in table order.
    pub unanswered: Vec<String>,
    /// Statements answered not applicable with a blank justification, in table order.
    pub unjustified_not_applicable: Vec<String>,
}

/// Suggest a status in the order the government's CAF tool uses.
///
/// Any not-achieved statement true gives Not achieved; else all achieved statements met gives
/// Achieved; else, if the outcome has a partially achieved column and all of it is met, Partially
/// achieved; else Not achieved. Answers keyed by ids the outcome does not have are ignored.
pub fn suggest_status(
    outcome: &ContributingOutcome,
    answers: &BTreeMap<String, Answer>,
) -> Suggestion {
    let mut suggestion = Suggestion {
        status: Status::NotAchieved,
        reason: String::new(),
        true_not_achieved: Vec::new(),
        unmet_achieved: Vec::new(),
        unmet_partially_achieved: Vec::new(),
        unanswered: Vec::new(),
        unjustified_not_applicable: Vec::new(),
    };
    let mut unjustified_that_matter = Vec::new();
    for (column, indicator) in outcome.indicators.iter() {
        let answer = answers.get(&indicator.id);
        let id = indicator.id.clone();
        match answer {
            None => suggestion.unanswered.push(id.clone()),
            Some(Answer::NotApplicable { justification }) if is_blank(justification) => {
                suggestion.unjustified_not_applicable.push(id.clone());
                if column != Column::NotAchieved {
                    unjustified_that_matter.push(id.clone());
                }
            }
            Some(_) => {}
        }
        let met = answer.is_some_and(Answer::meets);
        match column {
            Column::NotAchieved if answer == Some(&Answer::True) => {
                suggestion.true_not_achieved.push(id);
            }
            Column::NotAchieved => {}
            Column::PartiallyAchieved if !met => suggestion.unmet_partially_achieved.push(id),
            Column::Achieved if !met => suggestion.unmet_achieved.push(id),
            Column::PartiallyAchieved | Column::Achieved => {}
        }
    }
    let (status, mut reason) = if !suggestion.true_not_achieved.is_empty() {
        (
            Status::NotAchieved,
            format!(
                "One or more not-achieved statements are true: {}.",
                suggestion.true_not_achieved.join(", ")
            ),
        )
    } else if suggestion.unmet_achieved.is_empty() {
        (
            Status::Achieved,
            "All achieved statements are met and no not-achieved statement is true.".to_owned(),
        )
    } else if outcome.has_partially_achieved() && suggestion.unmet_partially_achieved.is_empty() {
        (
            Status::PartiallyAchieved,
            format!(
                "No not-achieved statement is true and all partially-achieved statements are met; \
                 achieved statements not met: {}.",
                suggestion.unmet_achieved.join(", ")
            ),
        )
    } else {
        let unmet: Vec<&str> = suggestion
            .unmet_partially_achieved
            .iter()
            .chain(&suggestion.unmet_achieved)
            .map(String::as_str)
            .collect();
        let mut reason = format!(
            "Not all of the achieved or partially-achieved statements are met: {}.",
            unmet.join(", ")
        );
        if !outcome.has_partially_achieved() {
            reason.push_str(" This outcome has no partially-achieved column.");
        }
        (Status::NotAchieved, reason)
    };
    if status != Status::Achieved
        && suggestion.true_not_achieved.is_empty()
        && !unjustified_that_matter.is_empty()
    {
        reason.push_str(&format!(
            " Not applicable counts as met only with a justification; none was given for: {}.",
            unjustified_that_matter.join(", ")
        ));
    }
    suggestion.status = status;
    suggestion.reason = reason;
    suggestion
}
