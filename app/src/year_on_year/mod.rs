//! Year on year: an assessment compared with the previous one, scope by scope and outcome by
//! outcome, and the gap to the target profile over the organisation's history.
//!
//! One pure comparison serves the comparison page and the board report, so the two can never
//! disagree. Scopes are matched by what they assess (the organisation, or a critical system by
//! its stable id, never by name); outcomes by id within one CAF version, or through the NCSC's
//! outcome crosswalk across versions.

mod trend;
mod view;

pub use trend::{HistoryYear, trend_chart, year_gap};
pub use view::{PreviousBasis, PreviousHead, YearHead, YearOnYear};

use crate::assess::ScopeKind;
use caf::{Framework, Status};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One scope of one year, as the comparison and the trend read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeYear {
    /// The organisation or a critical system.
    pub kind: ScopeKind,
    /// Its name that year.
    pub name: String,
    /// The organisation's critical system it assesses (none for the organisation scope).
    pub system_id: Option<i64>,
    /// Confirmed statuses by outcome id (an outcome nobody has confirmed is absent).
    pub statuses: BTreeMap<String, Status>,
    /// Targets by outcome id.
    pub targets: BTreeMap<String, Status>,
}

/// How one outcome moved since last year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Change {
    /// Better than last year.
    Better,
    /// Worse than last year.
    Worse,
    /// The same as last year.
    Same,
    /// Nothing to compare with: a new outcome, a scope new this year, or versions that cannot be
    /// matched.
    NewThisYear,
    /// The outcome was there last year but had no confirmed status.
    NotAssessedLastYear,
    /// No confirmed status this year yet.
    NotYetAssessed,
}

impl Change {
    /// A small arrow beside the words (decoration: the words carry the meaning).
    pub fn arrow(self) -> &'static str {
        match self {
            Change::Better => "↑",
            Change::Worse => "↓",
            Change::Same => "→",
            Change::NewThisYear | Change::NotAssessedLastYear | Change::NotYetAssessed => "",
        }
    }

    /// The movement in words.
    pub fn words(self) -> &'static str {
        match self {
            Change::Better => "Better",
            Change::Worse => "Worse",
            Change::Same => "Same",
            Change::NewThisYear => "New this year",
            Change::NotAssessedLastYear => "Not assessed last year",
            Change::NotYetAssessed => "Not confirmed yet",
        }
    }

    /// A key for styling, e.g. "better".
    pub fn key(self) -> &'static str {
        match self {
            Change::Better => "better",
            Change::Worse => "worse",
            Change::Same => "same",
            Change::NewThisYear => "new",
            Change::NotAssessedLastYear => "not-assessed",
            Change::NotYetAssessed => "not-yet",
        }
    }
}

/// How this year's outcomes were matched with last year's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Matching {
    /// Both years use the same CAF version: outcome by outcome, by id.
    SameVersion,
    /// Across versions, through the NCSC's outcome crosswalk.
    Crosswalk,
    /// Across versions with no crosswalk between them: nothing can be matched.
    Unmatched,
}

/// How one outcome found its counterpart last year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum OutcomeMatch {
    /// The same outcome id in the same CAF version.
    SameId,
    /// Through the crosswalk (the id may differ, e.g. 4.0 A2.c from 3.2 A2.b).
    Crosswalk,
    /// No counterpart: a new outcome, or versions that cannot be matched.
    None,
}

/// One outcome of one scope, last year and this year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutcomeChange {
    /// This year's outcome id.
    pub outcome: String,
    /// Its title in this year's framework.
    pub title: String,
    /// Its objective, e.g. "A".
    pub objective: String,
    /// The outcome id it was matched with last year, if any.
    pub previous_outcome: Option<String>,
    /// How it was matched.
    pub matched: OutcomeMatch,
    /// Last year's confirmed status.
    pub before: Option<Status>,
    /// This year's confirmed status.
    pub now: Option<Status>,
    /// The movement.
    pub change: Change,
}

/// One scope of this year beside its counterpart last year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeChange {
    /// The organisation or a critical system.
    pub kind: ScopeKind,
    /// Its name this year.
    pub name: String,
    /// Its critical system, for system scopes.
    pub system_id: Option<i64>,
    /// The name its counterpart had last year; `None` when it is new this year.
    pub previous_name: Option<String>,
    /// Every outcome the scope is assessed against, in framework order.
    pub outcomes: Vec<OutcomeChange>,
}

/// Movements of one objective's outcomes over the scopes assessed against it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectiveChanges {
    /// The objective id, e.g. "A".
    pub objective: String,
    /// Its title.
    pub title: String,
    /// Better than last year.
    pub improved: usize,
    /// Worse than last year.
    pub worse: usize,
    /// The same as last year.
    pub unchanged: usize,
    /// New this year, or not assessed last year: no earlier status to compare with.
    pub new: usize,
    /// Not yet confirmed this year.
    pub not_yet_assessed: usize,
}

/// This year compared with last year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearComparison {
    /// Last year's CAF version, e.g. "3.2".
    pub previous_version: String,
    /// This year's CAF version, e.g. "4.0".
    pub current_version: String,
    /// How outcomes were matched.
    pub matching: Matching,
    /// This year's scopes in order, each beside last year's counterpart.
    pub scopes: Vec<ScopeChange>,
    /// Counts per objective of this year's framework.
    pub objectives: Vec<ObjectiveChanges>,
    /// Last year's scopes with no counterpart this year (names as they were).
    pub not_carried: Vec<String>,
    /// Last year's outcomes that have no successor in this year's framework.
    pub removed_outcomes: Vec<String>,
}

impl YearComparison {
    /// The change of an outcome of this year's scope at `index`, if the scope covers it.
    pub fn outcome(&self, index: usize, outcome: &str) -> Option<&OutcomeChange> {
        self.scopes
            .get(index)?
            .outcomes
            .iter()
            .find(|o| o.outcome == outcome)
    }

    /// Whether outcomes could be matched at all.
    pub fn comparable(&self) -> bool {
        self.matching != Matching::Unmatched
    }

    /// How outcomes were matched, in words that follow "matched".
    pub fn matched_by(&self) -> String {
        match self.matching {
            Matching::SameVersion => {
                format!("outcome by outcome (both CAF {})", self.current_version)
            }
            Matching::Crosswalk => format!(
                "through the CAF {} to {} crosswalk; outcomes new in CAF {} have no earlier status",
                self.previous_version, self.current_version, self.current_version
            ),
            Matching::Unmatched => format!(
                "not outcome by outcome: there is no crosswalk from CAF {} to CAF {}",
                self.previous_version, self.current_version
            ),
        }
    }
}

/// The change from `before` to `now`, given whether there was anything to compare with.
fn change(counterpart: bool, before: Option<Status>, now: Option<Status>) -> Change {
    match (now, before) {
        (None, _) => Change::NotYetAssessed,
        (Some(_), _) if !counterpart => Change::NewThisYear,
        (Some(_), None) => Change::NotAssessedLastYear,
        (Some(now), Some(before)) if now > before => Change::Better,
        (Some(now), Some(before)) if now < before => Change::Worse,
        _ => Change::Same,
    }
}

/// Last year's counterpart of a scope: the organisation scope, or the scope of the same
/// critical system (by its id, whatever it was called).
fn counterpart(scope: &ScopeYear, previous: &[ScopeYear]) -> Option<usize> {
    match scope.kind {
        ScopeKind::Organisation => previous
            .iter()
            .position(|p| p.kind == ScopeKind::Organisation),
        ScopeKind::System => {
            let id = scope.system_id?;
            previous
                .iter()
                .position(|p| p.kind == ScopeKind::System && p.system_id == Some(id))
        }
    }
}

/// Compares this year's scopes (answered against `current`) with last year's (against
/// `previous`). Statuses are the confirmed ones on both sides.
pub fn compare_years(
    current: &Framework,
    scopes: &[ScopeYear],
    previous: &Framework,
    previous_scopes: &[ScopeYear],
) -> YearComparison {
    let crosswalk = caf::bundled_crosswalk();
    let matching = if previous.version == current.version {
        Matching::SameVersion
    } else if crosswalk.from_version == previous.version && crosswalk.to_version == current.version
    {
        Matching::Crosswalk
    } else {
        Matching::Unmatched
    };
    let predecessor = |outcome: &str| -> (Option<String>, OutcomeMatch) {
        match matching {
            Matching::SameVersion => (Some(outcome.to_owned()), OutcomeMatch::SameId),
            Matching::Crosswalk => match crosswalk.predecessor(outcome) {
                Some(from) => (Some(from.to_owned()), OutcomeMatch::Crosswalk),
                None => (None, OutcomeMatch::None),
            },
            Matching::Unmatched => (None, OutcomeMatch::None),
        }
    };
    let mut objectives: Vec<ObjectiveChanges> = current
        .objectives
        .iter()
        .map(|o| ObjectiveChanges {
            objective: o.id.clone(),
            title: o.title.clone(),
            ..ObjectiveChanges::default()
        })
        .collect();
    let mut changes = Vec::new();
    let mut matched_previous = Vec::new();
    for scope in scopes {
        let found = counterpart(scope, previous_scopes);
        matched_previous.extend(found);
        let before_scope = found.map(|i| &previous_scopes[i]);
        let mut outcomes = Vec::new();
        for (objective, counts) in current
            .objectives
            .iter()
            .zip(objectives.iter_mut())
            .filter(|(o, _)| scope.kind.objectives().contains(&o.id.as_str()))
        {
            for outcome in objective.principles.iter().flat_map(|p| &p.outcomes) {
                let (previous_outcome, matched) = predecessor(&outcome.id);
                let matched_last_year = before_scope.is_some() && previous_outcome.is_some();
                let before = before_scope.and_then(|s| {
                    previous_outcome
                        .as_ref()
                        .and_then(|id| s.statuses.get(id).copied())
                });
                let now = scope.statuses.get(&outcome.id).copied();
                let moved = change(matched_last_year, before, now);
                match moved {
                    Change::Better => counts.improved += 1,
                    Change::Worse => counts.worse += 1,
                    Change::Same => counts.unchanged += 1,
                    Change::NewThisYear | Change::NotAssessedLastYear => counts.new += 1,
                    Change::NotYetAssessed => counts.not_yet_assessed += 1,
                }
                outcomes.push(OutcomeChange {
                    outcome: outcome.id.clone(),
                    title: outcome.title.clone(),
                    objective: objective.id.clone(),
                    previous_outcome,
                    matched,
                    before,
                    now,
                    change: moved,
                });
            }
        }
        changes.push(ScopeChange {
            kind: scope.kind,
            name: scope.name.clone(),
            system_id: scope.system_id,
            previous_name: before_scope.map(|s| s.name.clone()),
            outcomes,
        });
    }
    YearComparison {
        previous_version: previous.version.clone(),
        current_version: current.version.clone(),
        matching,
        scopes: changes,
        objectives,
        not_carried: previous_scopes
            .iter()
            .enumerate()
            .filter(|(i, _)| !matched_previous.contains(i))
            .map(|(_, p)| p.name.clone())
            .collect(),
        removed_outcomes: if matching == Matching::Crosswalk {
            crosswalk.removed.clone()
        } else {
            Vec::new()
        },
    }
}

#[cfg(test)]
mod tests;
