//! The board report as data: everything the HTML and the PDF show, computed once.
//!
//! Both renderings read only this model; neither computes a figure of its own.

use caf::Status;
use serde::{Deserialize, Serialize};

use super::chart::StackedBars;

/// The classification printed on every page unless the organisation sets another.
pub const DEFAULT_CLASSIFICATION: &str = "OFFICIAL-SENSITIVE";

/// A board report of one assessment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BoardReport {
    /// True unless every scope is signed off: every page then says DRAFT.
    pub draft: bool,
    /// The protective marking on every page, e.g. "OFFICIAL-SENSITIVE".
    pub classification: String,
    /// The organisation's name.
    pub organisation: String,
    /// The assessment's title.
    pub title: String,
    /// The period, e.g. "2026/27".
    pub period: String,
    /// The framework, e.g. "CAF 4.0".
    pub framework: String,
    /// The target profile's name as people say it.
    pub profile: String,
    /// The date the report was generated (YYYY-MM-DD): the only part that changes between builds.
    pub generated_on: String,
    /// What the board is asked to decide or note.
    pub board_question: String,
    /// The columns of the heat map: the organisation, then each critical system.
    pub scopes: Vec<ScopeColumn>,
    /// The one-page executive summary.
    pub summary: ExecutiveSummary,
    /// Every outcome against every scope.
    pub heat_map: HeatMap,
    /// Not / partially / achieved per objective, this year beside last year.
    pub bars: StackedBars,
    /// Outcomes below target with their actions, most serious first.
    pub gaps: Vec<Gap>,
    /// Plan actions closed since the previous report (or since the plan began).
    pub closed_actions: Vec<ActionLine>,
    /// Reviewer and assurer sign-offs, status overrides, stale evidence.
    pub assurance: Assurance,
    /// Who signed off each scope and the snapshot hash that identifies the record.
    pub sign_off: Vec<ScopeSignOff>,
    /// Every outcome of every scope in full.
    pub appendix: Vec<AppendixScope>,
    /// The previous signed-off assessment compared with, if any.
    pub previous: Option<PreviousAssessment>,
    /// The NCSC attribution for the framework text quoted.
    pub attribution: String,
}

/// A scope as a column of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeColumn {
    /// The scope's name, e.g. "Organisation" or a critical system's name.
    pub name: String,
    /// "Organisation (objectives A and D)" or "Critical system (objectives B and C)".
    pub kind_label: String,
    /// Its workflow state in words, e.g. "Signed off".
    pub state: String,
    /// The objective ids it is assessed against.
    pub objectives: Vec<String>,
}

/// The previous assessment the report compares with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviousAssessment {
    /// Its title.
    pub title: String,
    /// Its period.
    pub period: String,
    /// Its framework, e.g. "CAF 3.2".
    pub framework: String,
    /// When its last scope was signed off (YYYY-MM-DD).
    pub signed_on: String,
    /// How outcomes were matched, e.g. "through the NCSC's CAF 3.2 to 4.0 outcome crosswalk".
    pub matched_by: String,
}

/// Counts of outcomes against the target profile.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Outcomes in the group.
    pub outcomes: usize,
    /// Outcomes with a status.
    pub assessed: usize,
    /// Assessed outcomes at or above their target.
    pub meeting: usize,
    /// Assessed outcomes below their target.
    pub below: usize,
}

/// One objective of one scope in the summary table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectiveCounts {
    /// The scope's name.
    pub scope: String,
    /// The objective id, e.g. "A".
    pub objective: String,
    /// The objective's title.
    pub title: String,
    /// Its counts.
    pub counts: Counts,
}

/// The executive summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExecutiveSummary {
    /// The opening paragraphs in plain English.
    pub paragraphs: Vec<String>,
    /// Outcomes meeting the target per objective and scope.
    pub table: Vec<ObjectiveCounts>,
    /// Totals over every scope.
    pub overall: Counts,
    /// The most serious gaps, one sentence each.
    pub top_gaps: Vec<String>,
    /// What changed since the previous assessment, one sentence each.
    pub changes: Vec<String>,
}

/// How an outcome's status moved since the previous assessment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Movement {
    /// Better than last year.
    Up,
    /// Worse than last year.
    Down,
    /// The same as last year.
    Same,
    /// Not assessed last year (a new outcome or scope).
    New,
}

impl Movement {
    /// An arrow that prints in any font the report uses.
    pub fn arrow(self) -> &'static str {
        match self {
            Movement::Up => "↑",
            Movement::Down => "↓",
            Movement::Same => "",
            Movement::New => "",
        }
    }

    /// The movement in words, for text alternatives.
    pub fn words(self) -> &'static str {
        match self {
            Movement::Up => "improved since last year",
            Movement::Down => "worse than last year",
            Movement::Same => "unchanged since last year",
            Movement::New => "not assessed last year",
        }
    }
}

/// One cell of the heat map: an outcome in a scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeatCell {
    /// Whether the scope is assessed against this outcome's objective at all.
    pub applies: bool,
    /// The status, if assessed.
    pub status: Option<Status>,
    /// The target, if the profile sets one.
    pub target: Option<Status>,
    /// Assessed and below its target.
    pub below: bool,
    /// The movement since last year, when there was a last year.
    pub movement: Option<Movement>,
}

impl HeatCell {
    /// The letter printed in the cell: N, P, A, a dash for not assessed, blank where it does not apply.
    pub fn letter(&self) -> &'static str {
        if !self.applies {
            return "";
        }
        status_letter(self.status)
    }
}

/// The letter for a status: N, P or A, and "–" when not assessed.
pub fn status_letter(status: Option<Status>) -> &'static str {
    match status {
        Some(Status::NotAchieved) => "N",
        Some(Status::PartiallyAchieved) => "P",
        Some(Status::Achieved) => "A",
        None => "–",
    }
}

/// One outcome as a row of the heat map.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeatRow {
    /// The outcome id, e.g. "B2.a".
    pub outcome: String,
    /// Its title.
    pub title: String,
    /// The target letter (N, P, A) or "–" when the profile sets none.
    pub target: String,
    /// One cell per scope column.
    pub cells: Vec<HeatCell>,
}

/// A principle's rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeatPrinciple {
    /// The principle id, e.g. "B2".
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its outcomes.
    pub rows: Vec<HeatRow>,
}

/// An objective's principles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeatObjective {
    /// The objective id, e.g. "B".
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its principles.
    pub principles: Vec<HeatPrinciple>,
}

/// Every contributing outcome against every scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeatMap {
    /// Column headings: scope names.
    pub columns: Vec<String>,
    /// Rows grouped by objective and principle.
    pub objectives: Vec<HeatObjective>,
}

/// A plan action as the board reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionLine {
    /// The scope's name.
    pub scope: String,
    /// The outcome it improves.
    pub outcome: String,
    /// What will be done.
    pub description: String,
    /// Who owns it.
    pub owner: String,
    /// When it is due (YYYY-MM-DD), if set.
    pub due: Option<String>,
    /// Its status in words, e.g. "In progress".
    pub status: String,
    /// Due date passed and not closed.
    pub overdue: bool,
    /// When it was closed (YYYY-MM-DD), for closed actions.
    pub closed_on: Option<String>,
}

/// An outcome below its target, with its actions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gap {
    /// The scope's name.
    pub scope: String,
    /// The outcome id.
    pub outcome: String,
    /// Its title.
    pub title: String,
    /// Its status.
    pub status: Status,
    /// Its target.
    pub target: Status,
    /// How many steps short (1 or 2).
    pub steps_short: u8,
    /// The actions that close it, overdue first.
    pub actions: Vec<ActionLine>,
}

/// A reviewer's, assurer's or approver's sign-off of one scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signature {
    /// The scope's name.
    pub scope: String,
    /// "Internal review", "Independent assurance" or "Sign-off".
    pub step: String,
    /// The person's name.
    pub name: String,
    /// Their role in words.
    pub role: String,
    /// When (YYYY-MM-DD).
    pub on: String,
}

/// An outcome whose confirmed status differs from the one its answers suggest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Override {
    /// The scope's name.
    pub scope: String,
    /// The outcome id.
    pub outcome: String,
    /// What the answers suggest.
    pub suggested: Status,
    /// What was confirmed.
    pub confirmed: Status,
    /// Why.
    pub justification: String,
}

/// Evidence past its review-by date and the outcomes resting on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaleEvidence {
    /// The item's title.
    pub title: String,
    /// Its review-by date.
    pub review_by: String,
    /// "Scope: outcome id" for every outcome that cites it.
    pub outcomes: Vec<String>,
}

/// The assurance section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assurance {
    /// Reviewer and assurer sign-offs per scope.
    pub signatures: Vec<Signature>,
    /// Confirmed statuses that differ from the suggestion.
    pub overrides: Vec<Override>,
    /// Evidence past its review-by date.
    pub stale_evidence: Vec<StaleEvidence>,
}

/// The sign-off of one scope: what a printed page is matched to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeSignOff {
    /// The scope's name.
    pub scope: String,
    /// The approver's name, once signed off.
    pub approver: Option<String>,
    /// The approver's role in words.
    pub role: Option<String>,
    /// When (YYYY-MM-DD).
    pub on: Option<String>,
    /// The snapshot's SHA-256, once signed off.
    pub sha256: Option<String>,
}

/// One outcome in the appendix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppendixOutcome {
    /// The outcome id.
    pub outcome: String,
    /// Its title.
    pub title: String,
    /// Its status, if assessed.
    pub status: Option<Status>,
    /// Its target, if set.
    pub target: Option<Status>,
    /// The narrative, as written.
    pub narrative: String,
    /// Titles of the evidence it rests on.
    pub evidence: Vec<String>,
}

/// One scope in the appendix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppendixScope {
    /// The scope's name.
    pub scope: String,
    /// Every outcome of the scope in framework order.
    pub outcomes: Vec<AppendixOutcome>,
}

/// A status in words, or "Not assessed".
pub fn status_words(status: Option<Status>) -> &'static str {
    status.map_or("Not assessed", |s| s.label())
}
