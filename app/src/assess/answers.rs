//! Answers and outcome records: what an assessor saves for an outcome, the checks on it, the
//! stored record, the answer to a save, the text limits, and whether an outcome falls short of
//! its target.

use caf::Status;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// One answer as stored and sent: `true`, `false` or `not_applicable` with a justification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerInput {
    /// The statement's id, e.g. "A1.a.A1".
    pub indicator: String,
    /// `true`, `false` or `not_applicable`.
    pub answer: String,
    /// Required for `not_applicable`: the compensating measure.
    #[serde(default)]
    pub justification: String,
}

impl AnswerInput {
    /// The `caf` crate's answer, or `None` for an unknown key.
    pub fn to_caf(&self) -> Option<caf::Answer> {
        match self.answer.as_str() {
            "true" => Some(caf::Answer::True),
            "false" => Some(caf::Answer::False),
            "not_applicable" => Some(caf::Answer::not_applicable(self.justification.clone())),
            _ => None,
        }
    }
}

/// A `caf` answer as it is stored: its key and its justification (empty unless not applicable).
/// The inverse of [`AnswerInput::to_caf`].
pub fn stored_answer(answer: &caf::Answer) -> (&'static str, &str) {
    match answer {
        caf::Answer::True => ("true", ""),
        caf::Answer::False => ("false", ""),
        caf::Answer::NotApplicable { justification } => ("not_applicable", justification.as_str()),
    }
}

/// Answers keyed by indicator id, as the `caf` rule takes them (unknown keys dropped).
pub fn caf_answers(answers: &[AnswerInput]) -> BTreeMap<String, caf::Answer> {
    answers
        .iter()
        .filter_map(|a| a.to_caf().map(|c| (a.indicator.clone(), c)))
        .collect()
}

/// The longest narrative, justification or comment accepted, in characters.
pub const MAX_TEXT: usize = 20_000;

/// The longest name of a person or team (an action's or evidence item's owner), in characters.
pub const MAX_OWNER: usize = 200;

/// The most improvement plan actions one outcome of one scope may have.
pub const MAX_ACTIONS_PER_OUTCOME: usize = 50;

/// The longest web address of a linked evidence item, in characters.
pub const MAX_URL: usize = 2000;

/// The longest description of a scope (the organisation or a critical system), in characters.
pub const MAX_SCOPE_DESCRIPTION: usize = 1000;

/// Checks an outcome draft against the outcome's statements; every problem, at once.
pub fn check_draft(outcome: &caf::ContributingOutcome, draft: &OutcomeDraft) -> Vec<String> {
    let mut problems = Vec::new();
    let mut seen = BTreeSet::new();
    for answer in &draft.answers {
        if outcome.indicator(&answer.indicator).is_none() {
            problems.push(format!(
                "{} is not a statement of {}.",
                answer.indicator, outcome.id
            ));
        }
        if !seen.insert(answer.indicator.as_str()) {
            problems.push(format!("{} is answered twice.", answer.indicator));
        }
        match answer.answer.as_str() {
            "true" | "false" => {}
            "not_applicable" if answer.justification.trim().is_empty() => problems.push(format!(
                "{}: say why it does not apply and name the compensating measure.",
                answer.indicator
            )),
            "not_applicable" => {}
            other => problems.push(format!(
                "{}: {other:?} is not an answer (true, false or not_applicable).",
                answer.indicator
            )),
        }
        if answer.justification.chars().count() > MAX_TEXT {
            problems.push(format!(
                "{}: the justification is too long.",
                answer.indicator
            ));
        }
    }
    let suggested = caf::suggest_status(outcome, &caf_answers(&draft.answers)).status;
    match draft.confirmed.as_deref().map(Status::from_key) {
        Some(None) => problems.push("The confirmed status is not one of the three.".into()),
        Some(Some(confirmed))
            if confirmed != suggested && draft.justification.trim().is_empty() =>
        {
            problems.push(format!(
                "You confirmed {} but the answers suggest {}: explain why in the justification.",
                confirmed.label(),
                suggested.label()
            ))
        }
        _ => {}
    }
    if draft.justification.chars().count() > MAX_TEXT {
        problems.push("The status justification is too long.".into());
    }
    if draft.narrative.chars().count() > MAX_TEXT {
        problems.push(format!(
            "The narrative is too long: at most {MAX_TEXT} characters."
        ));
    }
    problems
}

/// What an assessor saves for one outcome in one scope: the whole of it, every time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct OutcomeDraft {
    /// Answered statements (unanswered ones are left out).
    pub answers: Vec<AnswerInput>,
    /// The confirmed status key, if the assessor has confirmed one.
    pub confirmed: Option<String>,
    /// Why the confirmed status differs from the suggestion.
    pub justification: String,
    /// The summary narrative.
    pub narrative: String,
}

/// An outcome's record in a scope, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutcomeRecord {
    /// What was saved.
    pub draft: OutcomeDraft,
    /// The status the rule suggests from the saved answers.
    pub suggested: Status,
    /// Counts up on every save; a save names the version it started from.
    pub version: i64,
    /// When it was last saved (UTC), if ever.
    pub updated_at: Option<String>,
    /// Who last saved it.
    pub updated_by: Option<String>,
}

/// The answer to a save.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SaveResult {
    /// Stored as this version.
    Saved {
        /// The new version.
        version: i64,
        /// When (UTC).
        at: String,
        /// The suggestion from what was stored.
        suggested: Status,
    },
    /// Someone saved first: this is what is stored now. Nothing of the attempt was stored.
    Conflict(OutcomeRecord),
}

/// Whether an outcome falls short of its target, judged on its confirmed status, else on the
/// suggestion from its answers. `None` when it is not judged: there is no target, or nobody has
/// answered a statement or confirmed a status yet (an unassessed outcome is not short, it is
/// unanswered). The dashboard, the plan, the outcome page and the CSV all use this rule.
pub fn short_of_target(
    confirmed: Option<Status>,
    suggested: Status,
    answered: bool,
    target: Option<Status>,
) -> Option<bool> {
    let target = target?;
    (answered || confirmed.is_some()).then(|| confirmed.unwrap_or(suggested) < target)
}
