//! Crosswalks between CAF versions and the changes they reveal.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::error::{CrosswalkProblem, SUPPORTED_FORMAT};
use crate::model::{ContributingOutcome, Framework};

/// How the contributing outcomes of one CAF version descend from those of an earlier one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Crosswalk {
    /// Version of our JSON format.
    pub format: u32,
    /// The earlier CAF version, e.g. "3.2".
    pub from_version: String,
    /// The later CAF version, e.g. "4.0".
    pub to_version: String,
    /// One link per outcome of the later version, in its order.
    pub outcomes: Vec<OutcomeLink>,
    /// Outcomes of the earlier version with no successor.
    pub removed: Vec<String>,
}

/// A later outcome and the earlier outcome it descends from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutcomeLink {
    /// Outcome id in the later version.
    pub to: String,
    /// Predecessor outcome id in the earlier version; `None` when the outcome is new.
    pub from: Option<String>,
}

impl Crosswalk {
    /// The earlier outcome a later outcome descends from.
    pub fn predecessor(&self, to: &str) -> Option<&str> {
        self.outcomes
            .iter()
            .find(|link| link.to == to)
            .and_then(|link| link.from.as_deref())
    }

    /// The later outcomes that descend from an earlier outcome.
    pub fn successors<'a>(&'a self, from: &'a str) -> impl Iterator<Item = &'a str> {
        self.outcomes
            .iter()
            .filter(move |link| link.from.as_deref() == Some(from))
            .map(|link| link.to.as_str())
    }
}

/// An outcome's id and title.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutcomeSummary {
    /// The outcome's id.
    pub id: String,
    /// The outcome's title.
    pub title: String,
}

/// An outcome that kept its lineage but changed id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Renumbered {
    /// Id in the earlier version.
    pub from: String,
    /// Id in the later version.
    pub to: String,
}

/// An outcome or principle whose title changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Renamed {
    /// Id in the earlier version.
    pub from: String,
    /// Id in the later version.
    pub to: String,
    /// Title in the earlier version.
    pub old_title: String,
    /// Title in the later version.
    pub new_title: String,
}

/// How the IGP statements of a linked outcome changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementChanges {
    /// Outcome id in the earlier version.
    pub from: String,
    /// Outcome id in the later version.
    pub to: String,
    /// Ids (in the later version) of statements whose wording is not in the earlier outcome.
    pub new_statements: Vec<String>,
    /// Ids (in the earlier version) of statements whose wording is not in the later outcome.
    pub dropped_statements: Vec<String>,
}

/// What changed between two CAF versions, for a person moving an assessment across.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Changes {
    /// The earlier version.
    pub from_version: String,
    /// The later version.
    pub to_version: String,
    /// Outcomes new in the later version.
    pub added: Vec<OutcomeSummary>,
    /// Outcomes of the earlier version with no successor.
    pub removed: Vec<OutcomeSummary>,
    /// Outcomes whose id changed.
    pub renumbered: Vec<Renumbered>,
    /// Linked outcomes whose title changed (beyond case, spacing or apostrophe style).
    pub renamed: Vec<Renamed>,
    /// Principles with the same id whose title changed.
    pub renamed_principles: Vec<Renamed>,
    /// Statement changes for every linked outcome, in the later version's order.
    pub statements: Vec<StatementChanges>,
}

impl Changes {
    /// Total statements new in linked outcomes (statements of added outcomes are not counted).
    pub fn new_statement_count(&self) -> usize {
        self.statements.iter().map(|s| s.new_statements.len()).sum()
    }

    /// Total statements dropped from linked outcomes (statements of removed outcomes are not counted).
    pub fn dropped_statement_count(&self) -> usize {
        self.statements
            .iter()
            .map(|s| s.dropped_statements.len())
            .sum()
    }
}

/// Normalise text for comparison: lowercase, unified apostrophes, single spaces.
pub fn normalise(text: &str) -> String {
    text.to_lowercase()
        .replace(['\u{2019}', '\u{2018}'], "'")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// List what changed from one framework to another along a crosswalk.
///
/// Ids the frameworks do not have are skipped; check the crosswalk with [`crosswalk_problems`] first.
pub fn changes(from: &Framework, to: &Framework, crosswalk: &Crosswalk) -> Changes {
    let mut result = Changes {
        from_version: from.version.clone(),
        to_version: to.version.clone(),
        added: Vec::new(),
        removed: Vec::new(),
        renumbered: Vec::new(),
        renamed: Vec::new(),
        renamed_principles: Vec::new(),
        statements: Vec::new(),
    };
    for link in &crosswalk.outcomes {
        let Some(new) = to.outcome(&link.to) else {
            continue;
        };
        let Some(old) = link.from.as_deref().and_then(|id| from.outcome(id)) else {
            result.added.push(summary(new));
            continue;
        };
        if old.id != new.id {
            result.renumbered.push(Renumbered {
                from: old.id.clone(),
                to: new.id.clone(),
            });
        }
        if normalise(&old.title) != normalise(&new.title) {
            result.renamed.push(Renamed {
                from: old.id.clone(),
                to: new.id.clone(),
                old_title: old.title.clone(),
                new_title: new.title.clone(),
            });
        }
        result.statements.push(statement_changes(old, new));
    }
    result.removed = crosswalk
        .removed
        .iter()
        .filter_map(|id| from.outcome(id))
        .map(summary)
        .collect();
    for new in to.principles() {
        if let Some(old) = from.principle(&new.id)
            && normalise(&old.title) != normalise(&new.title)
        {
            result.renamed_principles.push(Renamed {
                from: old.id.clone(),
                to: new.id.clone(),
                old_title: old.title.clone(),
                new_title: new.title.clone(),
            });
        }
    }
    result
}

fn summary(outcome: &ContributingOutcome) -> OutcomeSummary {
    OutcomeSummary {
        id: outcome.id.clone(),
        title: outcome.title.clone(),
    }
}

/// Statements present on one side only, compared by normalised display text as multisets.
fn statement_changes(old: &ContributingOutcome, new: &ContributingOutcome) -> StatementChanges {
    StatementChanges {
        from: old.id.clone(),
        to: new.id.clone(),
        new_statements: only_in(new, old),
        dropped_statements: only_in(old, new),
    }
}

fn only_in(side: &ContributingOutcome, other: &ContributingOutcome) -> Vec<String> {
    let mut available: BTreeMap<String, usize> = BTreeMap::new();
    for (_, indicator) in other.indicators.iter() {
        *available
            .entry(normalise(indicator.display_text()))
            .or_default() += 1;
    }
    let mut ids = Vec::new();
    for (_, indicator) in side.indicators.iter() {
        match available.get_mut(&normalise(indicator.display_text())) {
            Some(count) if *count > 0 => *count -= 1,
            _ => ids.push(indicator.id.clone()),
        }
    }
    ids
}

/// Check a crosswalk against the two frameworks it links, returning every problem (empty when it fits).
pub fn crosswalk_problems(
    crosswalk: &Crosswalk,
    from: &Framework,
    to: &Framework,
) -> Vec<CrosswalkProblem> {
    let mut problems = Vec::new();
    if crosswalk.format != SUPPORTED_FORMAT {
        problems.push(CrosswalkProblem::UnsupportedFormat {
            found: crosswalk.format,
        });
    }
    for (side, expected, framework) in [
        ("from", &crosswalk.from_version, from),
        ("to", &crosswalk.to_version, to),
    ] {
        if *expected != framework.version {
            problems.push(CrosswalkProblem::VersionMismatch {
                side: side.to_owned(),
                expected: expected.clone(),
                found: format!("CAF {}", framework.version),
            });
        }
    }
    let unknown = |id: &str, framework: &Framework| CrosswalkProblem::UnknownOutcome {
        id: id.to_owned(),
        version: framework.version.clone(),
    };
    let mut listed = BTreeSet::new();
    let mut linked = BTreeSet::new();
    for link in &crosswalk.outcomes {
        if to.outcome(&link.to).is_none() {
            problems.push(unknown(&link.to, to));
        }
        if !listed.insert(link.to.as_str()) {
            problems.push(CrosswalkProblem::DuplicateTo {
                id: link.to.clone(),
            });
        }
        if let Some(old) = &link.from {
            linked.insert(old.as_str());
            if from.outcome(old).is_none() {
                problems.push(unknown(old, from));
            }
        }
    }
    for outcome in to.outcomes() {
        if !listed.contains(outcome.id.as_str()) {
            problems.push(CrosswalkProblem::MissingTo {
                id: outcome.id.clone(),
                version: to.version.clone(),
            });
        }
    }
    for id in &crosswalk.removed {
        if from.outcome(id).is_none() {
            problems.push(unknown(id, from));
        }
        if linked.contains(id.as_str()) {
            problems.push(CrosswalkProblem::RemovedButLinked { id: id.clone() });
        }
    }
    for outcome in from.outcomes() {
        let id = outcome.id.as_str();
        if !linked.contains(id) && !crosswalk.removed.iter().any(|r| r == id) {
            problems.push(CrosswalkProblem::Unaccounted {
                id: id.to_owned(),
                version: from.version.clone(),
            });
        }
    }
    problems
}
