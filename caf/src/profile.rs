//! Target profiles and the comparison of an assessment's statuses against one.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::Framework;
use crate::status::Status;

/// How far a profile's targets can be relied on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Certainty {
    /// Published by the owner and confirmed by more than one source.
    Published,
    /// From a single or unconfirmed source; show the caveat with it.
    LessCertain,
}

impl Certainty {
    /// The label a person reads.
    pub fn label(&self) -> &'static str {
        match self {
            Certainty::Published => "Published",
            Certainty::LessCertain => "Less certain",
        }
    }
}

/// A target profile: the minimum status wanted for each contributing outcome of one CAF version.
///
/// A target of Not achieved means the profile sets no minimum for that outcome.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// Stable id, e.g. "govassure-baseline-caf3.2".
    pub id: String,
    /// Name to show.
    pub name: String,
    /// The CAF version the targets are for, e.g. "3.2".
    pub framework_version: String,
    /// How far the targets can be relied on.
    pub certainty: Certainty,
    /// Who publishes the profile and where the targets were read.
    pub source: String,
    /// Why the targets are less certain, to show beside them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caveat: Option<String>,
    /// Minimum status per contributing outcome id.
    pub targets: BTreeMap<String, Status>,
}

impl Profile {
    /// The name people say, e.g. "CAF 4.0 Baseline (Basic profile) — less certain".
    pub fn spoken_name(&self) -> String {
        spoken_profile_name(&self.name, &self.framework_version, self.certainty)
    }
}

/// A profile's name as people say it: the CAF version, the level (Baseline or Enhanced), the
/// source's own word for the column where it differs, and "less certain" when it is. A name
/// that names neither level (an imported profile) is kept as it is, with the caveat word.
pub fn spoken_profile_name(name: &str, framework_version: &str, certainty: Certainty) -> String {
    let lower = name.to_lowercase();
    let level = if lower.contains("baseline") {
        Some(("Baseline", ""))
    } else if lower.contains("basic profile") {
        Some(("Baseline", " (Basic profile)"))
    } else if lower.contains("enhanced") {
        Some(("Enhanced", ""))
    } else {
        None
    };
    let base = match level {
        Some((level, column)) => format!("CAF {framework_version} {level}{column}"),
        None => name.to_owned(),
    };
    match certainty {
        Certainty::Published => base,
        Certainty::LessCertain => format!("{base} \u{2014} less certain"),
    }
}

/// Totals for a group of outcomes compared against a profile.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    /// Outcomes in the group.
    pub outcomes: usize,
    /// Outcomes with a status.
    pub assessed: usize,
    /// Assessed outcomes at or above their target.
    pub meeting: usize,
    /// Assessed outcomes below their target.
    pub below: usize,
}

impl Totals {
    fn add(&mut self, row: &ComparisonRow) {
        self.outcomes += 1;
        if row.status.is_some() {
            self.assessed += 1;
        }
        match row.meets {
            Some(true) => self.meeting += 1,
            Some(false) => self.below += 1,
            None => {}
        }
    }
}

/// One contributing outcome's status against its target.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComparisonRow {
    /// The outcome's id.
    pub outcome_id: String,
    /// The outcome's title.
    pub title: String,
    /// The profile's minimum status (Not achieved when the profile sets none).
    pub target: Status,
    /// The assessed status, if there is one yet.
    pub status: Option<Status>,
    /// Whether the status meets the target; `None` until there is a status.
    pub meets: Option<bool>,
}

/// Totals for one principle or objective.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupTotals {
    /// The principle's or objective's id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Totals over its outcomes.
    pub totals: Totals,
}

/// An assessment's statuses compared against a profile, outcome by outcome and in total.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comparison {
    /// The framework version compared.
    pub framework_version: String,
    /// The profile compared against.
    pub profile_id: String,
    /// One row per contributing outcome, in framework order.
    pub rows: Vec<ComparisonRow>,
    /// Totals per principle, in framework order.
    pub principles: Vec<GroupTotals>,
    /// Totals per objective, in framework order.
    pub objectives: Vec<GroupTotals>,
    /// Totals over every outcome.
    pub overall: Totals,
}

impl Comparison {
    /// The rows whose status is below target.
    pub fn below_target(&self) -> impl Iterator<Item = &ComparisonRow> {
        self.rows.iter().filter(|row| row.meets == Some(false))
    }
}

/// Compare statuses (by outcome id) against a profile's targets; a status meets a target when it is at least as good.
///
/// Statuses for ids that are not outcomes of the framework are ignored.
pub fn compare(
    framework: &Framework,
    profile: &Profile,
    statuses: &BTreeMap<String, Status>,
) -> Comparison {
    compare_targets(framework, &profile.id, &profile.targets, statuses)
}

/// Compare statuses against targets given outcome by outcome (as a signed record holds them),
/// by the same rule as [`compare`]: an outcome without a target has Not achieved as its minimum.
pub fn compare_targets(
    framework: &Framework,
    profile_id: &str,
    targets: &BTreeMap<String, Status>,
    statuses: &BTreeMap<String, Status>,
) -> Comparison {
    let mut rows = Vec::new();
    let mut principles = Vec::new();
    let mut objectives = Vec::new();
    let mut overall = Totals::default();
    for objective in &framework.objectives {
        let mut objective_totals = Totals::default();
        for principle in &objective.principles {
            let mut principle_totals = Totals::default();
            for outcome in &principle.outcomes {
                let target = targets
                    .get(&outcome.id)
                    .copied()
                    .unwrap_or(Status::NotAchieved);
                let status = statuses.get(&outcome.id).copied();
                let row = ComparisonRow {
                    outcome_id: outcome.id.clone(),
                    title: outcome.title.clone(),
                    target,
                    status,
                    meets: status.map(|status| status >= target),
                };
                principle_totals.add(&row);
                objective_totals.add(&row);
                overall.add(&row);
                rows.push(row);
            }
            principles.push(GroupTotals {
                id: principle.id.clone(),
                title: principle.title.clone(),
                totals: principle_totals,
            });
        }
        objectives.push(GroupTotals {
            id: objective.id.clone(),
            title: objective.title.clone(),
            totals: objective_totals,
        });
    }
    Comparison {
        framework_version: framework.version.clone(),
        profile_id: profile_id.to_owned(),
        rows,
        principles,
        objectives,
        overall,
    }
}

#[cfg(test)]
mod naming_tests {
    use super::*;

    #[test]
    fn profiles_are_named_as_people_say_them() {
        use Certainty::{LessCertain, Published};
        assert_eq!(
            spoken_profile_name(
                "Government CAF profile - Baseline (GovAssure)",
                "3.2",
                Published
            ),
            "CAF 3.2 Baseline"
        );
        assert_eq!(
            spoken_profile_name(
                "Government CAF profile for CAF v4.0 - column 'Basic Profile'",
                "4.0",
                LessCertain
            ),
            "CAF 4.0 Baseline (Basic profile) \u{2014} less certain"
        );
        assert_eq!(
            spoken_profile_name(
                "Government CAF profile for CAF v4.0 - Enhanced",
                "4.0",
                LessCertain
            ),
            "CAF 4.0 Enhanced \u{2014} less certain"
        );
        assert_eq!(
            spoken_profile_name("Our sector profile", "4.0", Published),
            "Our sector profile"
        );
    }
}
