//! Data shapes shared by the server functions and the pages that show them.

use caf::{Certainty, ContributingOutcome, Status};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One stored framework version as listed to people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrameworkRecord {
    /// The version label, e.g. "4.0".
    pub version: String,
    /// The framework's title.
    pub title: String,
    /// Publication date as the source gives it.
    pub published: String,
    /// "bundled" (ships with the app) or "imported" (by an administrator).
    pub origin: String,
    /// SHA-256 of the canonical document.
    pub content_hash: String,
    /// When it was first stored (UTC).
    pub registered_at: String,
    /// When its content last changed (UTC).
    pub updated_at: String,
    /// When the first assessment pinned it; from then on it never changes.
    pub locked_at: Option<String>,
    /// How many contributing outcomes it has.
    pub outcomes: i64,
    /// How many indicators of good practice it has.
    pub indicators: i64,
}

/// A framework version's structure without its indicator texts: what the version page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrameworkOverview {
    /// The stored version's listing.
    pub record: FrameworkRecord,
    /// The attribution that must accompany the NCSC text.
    pub attribution: String,
    /// Objectives, each with principles and outcome summaries.
    pub objectives: Vec<ObjectiveSummary>,
    /// The target profiles stored for this version.
    pub profiles: Vec<ProfileSummary>,
}

/// An objective and its principles.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObjectiveSummary {
    /// E.g. "A".
    pub id: String,
    /// E.g. "Managing security risk".
    pub title: String,
    /// The NCSC's description.
    pub description: String,
    /// Its principles in order.
    pub principles: Vec<PrincipleSummary>,
}

/// A principle and its contributing outcomes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrincipleSummary {
    /// E.g. "A1".
    pub id: String,
    /// E.g. "Governance".
    pub title: String,
    /// The NCSC's description.
    pub description: String,
    /// Its contributing outcomes in order.
    pub outcomes: Vec<OutcomeSummary>,
}

/// A contributing outcome with its indicator counts per column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutcomeSummary {
    /// E.g. "A1.a".
    pub id: String,
    /// E.g. "Board Direction".
    pub title: String,
    /// The NCSC's description, where the source has one.
    pub description: Option<String>,
    /// Not achieved, partially achieved and achieved indicator counts.
    pub counts: [usize; 3],
}

/// A target profile with its targets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProfileSummary {
    /// Stable id, e.g. "govassure-baseline-caf4.0".
    pub id: String,
    /// The profile's name.
    pub name: String,
    /// Whether the targets come from a published table or a less certain source.
    pub certainty: Certainty,
    /// Why the targets are less certain, where they are.
    pub caveat: Option<String>,
    /// Minimum status per contributing outcome.
    pub targets: BTreeMap<String, Status>,
}

/// One contributing outcome in full, with where it sits and its neighbours.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutcomeDetail {
    /// The framework version label.
    pub version: String,
    /// The objective's id and title.
    pub objective: (String, String),
    /// The principle's id, title and description.
    pub principle: (String, String, String),
    /// The outcome with its indicators.
    pub outcome: ContributingOutcome,
    /// The outcome before this one in the framework, if any.
    pub previous: Option<(String, String)>,
    /// The outcome after this one in the framework, if any.
    pub next: Option<(String, String)>,
    /// The target each stored profile sets for this outcome.
    pub targets: Vec<ProfileTarget>,
    /// The NCSC's wording of how indicators are used.
    pub guidance: caf::Guidance,
    /// The attribution that must accompany the NCSC text.
    pub attribution: String,
}

/// What changed between two versions, with the later version's outcome titles for display.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangesView {
    /// The changes themselves.
    pub changes: caf::Changes,
    /// Outcome id -> title in the later version.
    pub titles: BTreeMap<String, String>,
    /// How many outcomes each version has: (earlier, later).
    pub outcome_counts: (usize, usize),
}

/// The target one profile sets for one outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProfileTarget {
    /// The profile's name.
    pub profile: String,
    /// The minimum status it asks for.
    pub target: Status,
    /// Whether its source is less certain (the CAF 4.0 tables).
    pub certainty: Certainty,
}
