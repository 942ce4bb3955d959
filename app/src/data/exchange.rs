//! Moving an assessment in and out: the documented JSON export (`docs/assessment-export.md`),
//! its all-or-nothing import, and a CSV of outcome statuses for spreadsheets.

mod csv;
mod export;
mod import;
mod stored_text;

pub use csv::{CSV_HEADER, csv_rows, formula_safe};

use crate::assess::{
    ActionStatus, AnswerInput, EvidenceFields, EvidenceKind, ScopeKind, ScopeState,
};
use caf::Status;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The format number this version writes and reads. A later, incompatible layout gets a new one.
pub const EXPORT_FORMAT: u32 = 1;

/// The largest export document an import accepts, in bytes.
pub const MAX_IMPORT_BYTES: usize = 5 * 1024 * 1024;

/// The most evidence items an imported assessment may list.
pub const MAX_IMPORT_EVIDENCE: usize = 5000;

/// An assessment as exported: everything needed to carry it to another installation or
/// organisation, and to read it without the app.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssessmentExport {
    /// The layout of this document: [`EXPORT_FORMAT`].
    pub format: u32,
    /// When it was exported (UTC, RFC 3339).
    pub exported_at: String,
    /// The slug of the organisation it was exported from.
    pub source_organisation: String,
    /// Title, period, framework, profile and targets.
    pub assessment: ExportAssessment,
    /// The organisation scope and the critical systems, in order.
    #[serde(default)]
    pub scopes: Vec<ExportScope>,
    /// The evidence the outcomes refer to, each with a reference local to this document.
    #[serde(default)]
    pub evidence: Vec<ExportEvidence>,
}

/// The assessment's own facts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportAssessment {
    /// E.g. "CAF self-assessment 2026/27".
    pub title: String,
    /// E.g. "2026/27".
    pub period: String,
    /// The framework version it was answered against, e.g. "4.0".
    pub framework_version: String,
    /// SHA-256 of that framework text; an import needs the same text.
    pub framework_hash: String,
    /// The published target profile's id, or `null` for the organisation's own targets.
    #[serde(default)]
    pub profile: Option<String>,
    /// The profile's name, for people (not read on import).
    #[serde(default)]
    pub profile_name: String,
    /// Whether the targets are the organisation's own rather than a published profile's.
    #[serde(default)]
    pub own_profile: bool,
    /// The target status of each outcome that has one.
    #[serde(default)]
    pub targets: BTreeMap<String, Status>,
}

/// One scope: the organisation or a critical system.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportScope {
    /// `organisation` or `system`.
    pub kind: ScopeKind,
    /// Its name.
    pub name: String,
    /// What it covers.
    #[serde(default)]
    pub description: String,
    /// Where it was in the workflow when exported (an import always starts at draft).
    pub state: ScopeState,
    /// Its outcomes, in framework order.
    #[serde(default)]
    pub outcomes: Vec<ExportOutcome>,
    /// Who signed it off, when, and the SHA-256 of the signed snapshot; null unless signed off
    /// (not read on import: sign-off is done again).
    #[serde(default)]
    pub sign_off: Option<crate::assess::SignOff>,
}

/// One contributing outcome of one scope.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportOutcome {
    /// The outcome id, e.g. "A1.a".
    pub id: String,
    /// The NCSC title, for people (not read on import).
    #[serde(default)]
    pub title: String,
    /// Answered statements.
    #[serde(default)]
    pub answers: Vec<AnswerInput>,
    /// The status the answers suggest (not read on import: it is worked out again).
    #[serde(default)]
    pub suggested: Option<Status>,
    /// The confirmed status key, if confirmed.
    #[serde(default)]
    pub confirmed: Option<String>,
    /// Why the confirmed status differs from the suggestion.
    #[serde(default)]
    pub justification: String,
    /// The summary narrative.
    #[serde(default)]
    pub narrative: String,
    /// The assignee's email address.
    #[serde(default)]
    pub assignee: Option<String>,
    /// The due date (YYYY-MM-DD).
    #[serde(default)]
    pub due: Option<String>,
    /// References to items of the document's `evidence` list.
    #[serde(default)]
    pub evidence: Vec<String>,
    /// The comment thread, oldest first (kept in the file; an import does not re-create it).
    #[serde(default)]
    pub comments: Vec<ExportComment>,
    /// Improvement plan actions for this outcome.
    #[serde(default)]
    pub actions: Vec<ExportAction>,
}

/// A comment as it stood at export.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportComment {
    /// The author's name and role.
    pub author: String,
    /// What they wrote.
    pub body: String,
    /// When (UTC).
    pub created_at: String,
    /// Who resolved it, if resolved.
    #[serde(default)]
    pub resolved_by: Option<String>,
    /// When it was resolved (UTC), if resolved.
    #[serde(default)]
    pub resolved_at: Option<String>,
}

/// An improvement plan action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportAction {
    /// What will be done.
    pub description: String,
    /// Who owns it.
    pub owner: String,
    /// When it is due (YYYY-MM-DD).
    #[serde(default)]
    pub due: Option<String>,
    /// Its status.
    pub status: ActionStatus,
    /// Progress notes.
    #[serde(default)]
    pub notes: String,
    /// Who proposed it, for people (an import records the importer).
    #[serde(default)]
    pub proposed_by: String,
}

/// An evidence item the outcomes refer to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportEvidence {
    /// A reference local to this document, e.g. "e1"; outcomes list these.
    pub id: String,
    /// `file`, `link` or `note`.
    pub kind: EvidenceKind,
    /// Title, owner, dates and classification.
    pub fields: EvidenceFields,
    /// The link, for a link.
    #[serde(default)]
    pub url: Option<String>,
    /// The text, for a note.
    #[serde(default)]
    pub note: Option<String>,
    /// SHA-256 of the file, for a file: an import finds the file by it.
    #[serde(default)]
    pub sha256: Option<String>,
    /// The file's name, for a file.
    #[serde(default)]
    pub file_name: Option<String>,
    /// The file's size in bytes, for a file.
    #[serde(default)]
    pub file_size: Option<i64>,
}

/// One thing wrong with an import document, and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportProblem {
    /// A JSON-path-like location, e.g. `scopes[1].outcomes[3].answers[2]`.
    pub at: String,
    /// What is wrong, in words a person can act on.
    pub message: String,
}

impl std::fmt::Display for ImportProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.at, self.message)
    }
}

/// What an import stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    /// The new assessment's id.
    pub assessment_id: i64,
    /// What the import did that a person should know (unmatched assignees, comments left out…).
    pub notes: Vec<String>,
}

/// Why an import stored nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The document has problems; every one found is listed.
    #[error("the file was not imported; nothing was stored ({} problem(s))", .0.len())]
    Rejected(Vec<ImportProblem>),
    /// The database failed, or the caller may not import here.
    #[error(transparent)]
    Data(#[from] super::DataError),
}
