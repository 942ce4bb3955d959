//! The shapes the assessment pages and their server functions share: assessments and scopes
//! as listed, the dashboard grid, sign-off, comments, plan actions, history and the outcome
//! page's workspace.

use super::{
    ActionStatus, EvidenceItem, OutcomeRecord, ScopeKind, ScopeState, WorkflowAction,
    short_of_target,
};
use crate::roles::Role;
use caf::Status;
use serde::{Deserialize, Serialize};

/// An assessment as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssessmentSummary {
    /// Its id.
    pub id: i64,
    /// E.g. "CAF self-assessment 2026/27".
    pub title: String,
    /// E.g. "2026/27".
    pub period: String,
    /// The framework version it pins, e.g. "4.0".
    pub framework_version: String,
    /// The target profile's name, or "Own profile".
    pub profile_name: String,
    /// Whether the targets are the organisation's own (editable by the CAF lead).
    pub own_profile: bool,
    /// When it was created (UTC).
    pub created_at: String,
    /// Its scopes.
    pub scopes: Vec<ScopeSummary>,
    /// The assessment it was carried forward from, if any.
    #[serde(default)]
    pub previous_id: Option<i64>,
}

/// A scope as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeSummary {
    /// Its id.
    pub id: i64,
    /// The organisation or a critical system.
    pub kind: ScopeKind,
    /// Its name.
    pub name: String,
    /// A short description.
    pub description: String,
    /// Where it is in the workflow.
    pub state: ScopeState,
    /// The organisation's critical system this scope assesses (none for the organisation scope).
    #[serde(default)]
    pub system_id: Option<i64>,
}

/// One outcome of one scope on the dashboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GridCell {
    /// The outcome id, e.g. "B2.a".
    pub outcome: String,
    /// The outcome's title.
    pub title: String,
    /// The objective it belongs to ("A".."D").
    pub objective: String,
    /// How many statements are answered, of how many.
    pub answered: (i64, i64),
    /// The confirmed status, if confirmed.
    pub confirmed: Option<Status>,
    /// The suggestion from the answers.
    pub suggested: Status,
    /// The target, if the profile sets one.
    pub target: Option<Status>,
    /// Confirmed differs from suggested.
    pub flagged: bool,
    /// The assignee's name.
    pub assignee: Option<String>,
    /// Due date (YYYY-MM-DD).
    pub due: Option<String>,
    /// Due date passed and no status confirmed.
    pub overdue: bool,
    /// Open comments.
    pub open_comments: i64,
    /// Linked evidence past its review-by date.
    pub stale_evidence: i64,
    /// Linked evidence items.
    pub evidence: i64,
    /// Carried forward from last year and not yet re-confirmed.
    #[serde(default)]
    pub carried_waiting: bool,
}

impl GridCell {
    /// The status the outcome stands at: the confirmed one, else the suggestion.
    pub fn standing(&self) -> Status {
        self.confirmed.unwrap_or(self.suggested)
    }

    /// Whether it is judged short of its target ([`short_of_target`]).
    pub fn below_target(&self) -> bool {
        short_of_target(
            self.confirmed,
            self.suggested,
            self.answered.0 > 0,
            self.target,
        ) == Some(true)
    }
}

/// Who signed a scope off, when, and the SHA-256 of the snapshot that froze it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignOff {
    /// SHA-256 of the signed snapshot, lowercase hex.
    pub sha256: String,
    /// The approver's name.
    pub approver: String,
    /// When it was signed off (UTC, RFC 3339).
    pub signed_at: String,
}

/// A scope with its grid on the dashboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeGrid {
    /// The scope.
    pub scope: ScopeSummary,
    /// Its outcomes in framework order.
    pub cells: Vec<GridCell>,
    /// The snapshot's SHA-256, approver and time, once signed off.
    pub signed: Option<(String, String, String)>,
}

/// An assessment's dashboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dashboard {
    /// The assessment.
    pub assessment: AssessmentSummary,
    /// One grid per scope.
    pub grids: Vec<ScopeGrid>,
    /// What the viewer's role may do.
    pub role: Role,
    /// Members who can be assigned outcomes: (user id, name).
    pub assignable: Vec<(i64, String)>,
}

/// A comment on an outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommentView {
    /// Its id.
    pub id: i64,
    /// The author's name and role.
    pub author: String,
    /// What they wrote.
    pub body: String,
    /// When (UTC).
    pub created_at: String,
    /// Who resolved it and when, if resolved.
    pub resolved: Option<(String, String)>,
}

/// A plan action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanAction {
    /// Its id.
    pub id: i64,
    /// The scope it belongs to.
    pub scope_id: i64,
    /// The outcome it improves.
    pub outcome: String,
    /// What will be done.
    pub description: String,
    /// Who owns it.
    pub owner: String,
    /// When it is due (YYYY-MM-DD).
    pub due: Option<String>,
    /// Its status.
    pub status: ActionStatus,
    /// Progress notes.
    pub notes: String,
    /// Who proposed it.
    pub proposed_by: String,
}

/// One change in an outcome's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// When (UTC).
    pub at: String,
    /// Who.
    pub actor: String,
    /// What, e.g. `outcome.save`.
    pub action: String,
    /// What changed, in words.
    pub summary: String,
}

/// Everything the outcome page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutcomeWorkspace {
    /// The assessment.
    pub assessment: AssessmentSummary,
    /// The scope.
    pub scope: ScopeSummary,
    /// The outcome's NCSC text, with its indicators.
    pub outcome: caf::ContributingOutcome,
    /// The principle's id and title.
    pub principle: (String, String),
    /// The attribution for the NCSC text.
    pub attribution: String,
    /// What is stored.
    pub record: OutcomeRecord,
    /// The target, if any.
    pub target: Option<Status>,
    /// Assignee and due date.
    pub assignee: Option<String>,
    /// Due date.
    pub due: Option<String>,
    /// Evidence linked to this outcome in this scope.
    pub evidence: Vec<EvidenceItem>,
    /// The organisation's other evidence, to link.
    pub other_evidence: Vec<(i64, String)>,
    /// Comments, oldest first.
    pub comments: Vec<CommentView>,
    /// Plan actions for this outcome.
    pub actions: Vec<PlanAction>,
    /// Changes, newest first.
    pub history: Vec<HistoryEntry>,
    /// The viewer's role.
    pub role: Role,
    /// Workflow steps the viewer may take now.
    pub actions_available: Vec<WorkflowAction>,
    /// Previous and next outcome in this scope.
    pub neighbours: (Option<String>, Option<String>),
    /// The scope's sign-off, once signed off.
    pub sign_off: Option<SignOff>,
    /// The largest evidence upload accepted, in bytes (set by the server function).
    pub max_upload: u64,
    /// Where it was carried forward from, when it was.
    #[serde(default)]
    pub carry: Option<crate::cycle::CarryNote>,
}

/// The improvement plan page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanView {
    /// The assessment.
    pub assessment: AssessmentSummary,
    /// Every action.
    pub actions: Vec<PlanAction>,
    /// Outcomes below target: (scope id, scope name, outcome id, title, status, target).
    pub below_target: Vec<(i64, String, String, String, String, String)>,
    /// The viewer's role.
    pub role: Role,
}
