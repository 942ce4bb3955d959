//! The annual cycle: next year's assessment carried forward from a signed-off one, outcome
//! records that wait to be re-confirmed, and what did not carry across framework versions.
//!
//! Shared by the server and the browser: plain types and the wording people read.

use serde::{Deserialize, Serialize};

/// How a scope of last year's assessment starts this year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CarryApproach {
    /// Answers, narratives, statuses and evidence links carry forward for a light review:
    /// unchanged outcomes can be re-confirmed an objective at a time.
    Light,
    /// They carry forward for review and update: each outcome is re-confirmed on its own page.
    Update,
    /// Nothing carries: every outcome starts unanswered.
    Fresh,
}

impl CarryApproach {
    /// Every approach, in the order the form offers them.
    pub const ALL: [CarryApproach; 3] = [
        CarryApproach::Light,
        CarryApproach::Update,
        CarryApproach::Fresh,
    ];

    /// The stored key.
    pub fn key(self) -> &'static str {
        match self {
            CarryApproach::Light => "light",
            CarryApproach::Update => "update",
            CarryApproach::Fresh => "fresh",
        }
    }

    /// From a stored key.
    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.key() == key)
    }

    /// As the form says it.
    pub fn label(self) -> &'static str {
        match self {
            CarryApproach::Light => "Carry forward for a light review",
            CarryApproach::Update => "Carry forward for review and update",
            CarryApproach::Fresh => "Start fresh",
        }
    }

    /// What it means, in a sentence.
    pub fn hint(self) -> &'static str {
        match self {
            CarryApproach::Light => {
                "Last year's answers, narratives, statuses and evidence links carry forward. Unchanged outcomes can be re-confirmed an objective at a time."
            }
            CarryApproach::Update => {
                "Last year's answers, narratives, statuses and evidence links carry forward. Each outcome is re-confirmed on its own page."
            }
            CarryApproach::Fresh => "Nothing carries forward: every outcome starts unanswered.",
        }
    }

    /// Whether anything carries.
    pub fn carries(self) -> bool {
        self != CarryApproach::Fresh
    }
}

/// What the CAF lead fills in to start next year's assessment from a signed-off one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NextAssessment {
    /// The signed-off assessment it follows.
    pub previous_id: i64,
    /// E.g. "CAF self-assessment 2027/28".
    pub title: String,
    /// E.g. "2027/28".
    pub period: String,
    /// The framework version to pin: the previous one or a newer one.
    pub framework_version: String,
    /// The target profile's id.
    pub profile: String,
    /// Whether the targets become the organisation's own.
    pub own_profile: bool,
    /// An approach for every scope of the previous assessment, by its scope id.
    pub approaches: Vec<(i64, CarryApproach)>,
}

/// How one statement of a carried outcome relates to last year's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CarriedStatementView {
    /// This year's statement id.
    pub indicator: String,
    /// Same, moved to another column, wording changed, or new.
    pub change: caf::StatementChange,
    /// Last year's statements it comes from: (id, column label, text).
    pub previous: Vec<(String, String, String)>,
    /// Last year's answer key, when the sources agreed on one.
    pub previous_answer: Option<String>,
}

/// Where a carried outcome record came from, and whether a person has looked at it again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CarryNote {
    /// Last year's outcome id (differs when the framework renumbered it).
    pub from_outcome: String,
    /// Last year's assessment title.
    pub from_title: String,
    /// Last year's period.
    pub from_period: String,
    /// Last year's framework version.
    pub from_version: String,
    /// How the scope was carried.
    pub approach: CarryApproach,
    /// Who re-confirmed it and when, once someone has.
    pub reconfirmed: Option<(String, String)>,
    /// Statements that are not simply the same as last year's (moved, changed or new).
    pub statements: Vec<CarriedStatementView>,
}

impl CarryNote {
    /// Whether it still waits for a person to re-confirm it.
    pub fn waiting(&self) -> bool {
        self.reconfirmed.is_none()
    }
}

/// One of last year's statements or outcomes whose answer had nowhere to go this year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotCarriedItem {
    /// Last year's outcome id.
    pub outcome: String,
    /// Last year's outcome title.
    pub outcome_title: String,
    /// Last year's statement id; `None` when the whole outcome was removed.
    pub indicator: Option<String>,
    /// The statement's column and text, or the outcome's description.
    pub column: String,
    /// The NCSC wording.
    pub text: String,
    /// Last year's answer key (for a statement) or confirmed status key (for an outcome).
    pub answer: Option<String>,
}

/// What did not carry from one scope of last year's assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotCarriedScope {
    /// This year's scope id.
    pub scope_id: i64,
    /// Its name.
    pub scope_name: String,
    /// Removed outcomes first, then dropped statements, in last year's framework order.
    pub items: Vec<NotCarriedItem>,
}

/// The "what did not carry" page's content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotCarriedView {
    /// Last year's assessment title and period.
    pub from_title: String,
    /// Last year's period.
    pub from_period: String,
    /// Last year's framework version.
    pub from_version: String,
    /// This year's framework version.
    pub to_version: String,
    /// Per carried scope.
    pub scopes: Vec<NotCarriedScope>,
}

/// An answer key as people read it.
pub fn answer_words(key: &str) -> &'static str {
    match key {
        "true" => "True",
        "false" => "Not true",
        "not_applicable" => "Not applicable",
        "not_achieved" => "Not achieved",
        "partially_achieved" => "Partially achieved",
        "achieved" => "Achieved",
        _ => "Unknown",
    }
}

/// How a statement's change reads as a flag.
pub fn change_words(change: caf::StatementChange) -> &'static str {
    match change {
        caf::StatementChange::Same => "Same wording",
        caf::StatementChange::Moved => "Moved to another column",
        caf::StatementChange::Changed => "Wording changed",
        caf::StatementChange::New => "New statement",
    }
}

/// One of the organisation's critical systems, with the assessments that covered it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CriticalSystem {
    /// Its id.
    pub id: i64,
    /// Its name now.
    pub name: String,
    /// What it is, in a sentence.
    pub description: String,
    /// The assessments with a scope for it, oldest first: (assessment id, title, name it had then).
    pub assessments: Vec<(i64, String, String)>,
}

/// What removing a system scope takes with it, for the audit record and the confirmation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeContents {
    /// Outcomes with at least one statement answered, a narrative or a confirmed status.
    pub outcomes_worked: i64,
    /// Evidence links (the register's items stay).
    pub evidence_links: i64,
    /// Comments.
    pub comments: i64,
    /// Improvement plan actions.
    pub plan_actions: i64,
}

/// One carried scope on the re-confirmation page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReconfirmScope {
    /// The scope.
    pub scope: crate::assess::ScopeSummary,
    /// How it was carried.
    pub approach: CarryApproach,
    /// Per objective of the scope, the carried outcomes still waiting.
    pub objectives: Vec<WaitingObjective>,
    /// Carried outcomes already re-confirmed.
    pub reconfirmed: usize,
}

/// One objective of a carried scope on the re-confirmation page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WaitingObjective {
    /// The objective's id, e.g. "A".
    pub id: String,
    /// Its title.
    pub title: String,
    /// Carried outcomes waiting: (outcome id, title, whether every statement reads as last year's).
    pub outcomes: Vec<(String, String, bool)>,
}

/// The re-confirmation page of an assessment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReconfirmPageData {
    /// The assessment.
    pub assessment: crate::assess::AssessmentSummary,
    /// Whether the viewer may re-confirm.
    pub can_edit: bool,
    /// Each scope carried forward.
    pub scopes: Vec<ReconfirmScope>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn approaches_round_trip_their_keys() {
        for a in CarryApproach::ALL {
            assert_eq!(CarryApproach::from_key(a.key()), Some(a));
        }
        assert_eq!(CarryApproach::from_key("copy"), None);
        assert!(CarryApproach::Light.carries() && !CarryApproach::Fresh.carries());
    }
}
