//! Assessments: the workflow of a scope, who may move it, and the shapes the pages and server
//! functions share. Pure code: the browser and the server decide with the same rules.

use crate::roles::{Permission, Role};
use caf::Status;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// What a scope covers: the organisation (objectives A and D) or a critical system (B and C).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScopeKind {
    /// The organisation as a whole.
    Organisation,
    /// A named critical system.
    System,
}

impl ScopeKind {
    /// The key it is stored under.
    pub fn key(self) -> &'static str {
        match self {
            Self::Organisation => "organisation",
            Self::System => "system",
        }
    }

    /// The kind stored under `key`.
    pub fn from_key(key: &str) -> Option<Self> {
        [Self::Organisation, Self::System]
            .into_iter()
            .find(|k| k.key() == key)
    }

    /// The CAF objectives this kind of scope is assessed against.
    pub fn objectives(self) -> &'static [&'static str] {
        match self {
            Self::Organisation => &["A", "D"],
            Self::System => &["B", "C"],
        }
    }
}

/// Where a scope is in review and sign-off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScopeState {
    /// Being answered.
    Draft,
    /// With the internal reviewer.
    InReview,
    /// Sent back with comments; being answered again.
    Returned,
    /// Accepted by the reviewer, with the external assurer.
    WithAssurer,
    /// Assured; waiting for the approver.
    Assured,
    /// Signed off: frozen for good.
    SignedOff,
}

impl ScopeState {
    /// Every state in workflow order.
    pub const ALL: [ScopeState; 6] = [
        Self::Draft,
        Self::InReview,
        Self::Returned,
        Self::WithAssurer,
        Self::Assured,
        Self::SignedOff,
    ];

    /// The key it is stored under.
    pub fn key(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::InReview => "in_review",
            Self::Returned => "returned",
            Self::WithAssurer => "with_assurer",
            Self::Assured => "assured",
            Self::SignedOff => "signed_off",
        }
    }

    /// The state stored under `key`.
    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.key() == key)
    }

    /// The state in words.
    pub fn label(self) -> &'static str {
        match self {
            Self::Draft => "Draft",
            Self::InReview => "In review",
            Self::Returned => "Returned with comments",
            Self::WithAssurer => "With the assurer",
            Self::Assured => "Assured",
            Self::SignedOff => "Signed off",
        }
    }

    /// Whether assessors may change answers, statuses, narratives and evidence links.
    pub fn editable(self) -> bool {
        matches!(self, Self::Draft | Self::Returned)
    }
}

/// A step of the workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkflowAction {
    /// Assessor or CAF lead: send for internal review.
    Submit,
    /// Reviewer or assurer: send back with a comment.
    Return,
    /// Reviewer: accept and pass to the external assurer.
    Accept,
    /// Assurer: assured, ready for sign-off.
    Assure,
    /// Approver: sign off and freeze.
    SignOff,
}

impl WorkflowAction {
    /// Every action.
    pub const ALL: [WorkflowAction; 5] = [
        Self::Submit,
        Self::Return,
        Self::Accept,
        Self::Assure,
        Self::SignOff,
    ];

    /// The key used in forms and the audit log.
    pub fn key(self) -> &'static str {
        match self {
            Self::Submit => "submit",
            Self::Return => "return",
            Self::Accept => "accept",
            Self::Assure => "assure",
            Self::SignOff => "sign_off",
        }
    }

    /// The action named `key`.
    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.key() == key)
    }

    /// The button's words.
    pub fn label(self) -> &'static str {
        match self {
            Self::Submit => "Submit for review",
            Self::Return => "Return with comments",
            Self::Accept => "Accept and send to the assurer",
            Self::Assure => "Mark as assured",
            Self::SignOff => "Sign off",
        }
    }

    /// The permission the action needs.
    pub fn permission(self) -> Permission {
        match self {
            Self::Submit => Permission::EditAnswers,
            Self::Return => Permission::Comment,
            Self::Accept => Permission::Review,
            Self::Assure => Permission::Assure,
            Self::SignOff => Permission::SignOff,
        }
    }

    /// Whether the action needs a comment saying why.
    pub fn needs_comment(self) -> bool {
        self == Self::Return
    }
}

/// The state a scope moves to when `role` takes `action` in `from`, or why it cannot.
pub fn transition(
    from: ScopeState,
    action: WorkflowAction,
    role: Role,
) -> Result<ScopeState, &'static str> {
    use ScopeState as S;
    use WorkflowAction as A;
    let next = match (action, from) {
        (A::Submit, S::Draft | S::Returned) => S::InReview,
        (A::Return, S::InReview) if role.can(Permission::Review) => S::Returned,
        (A::Return, S::WithAssurer) if role.can(Permission::Assure) => S::Returned,
        (A::Return, S::Assured) if role.can(Permission::SignOff) => S::Returned,
        (A::Accept, S::InReview) => S::WithAssurer,
        (A::Assure, S::WithAssurer) => S::Assured,
        (A::SignOff, S::Assured) => S::SignedOff,
        (A::Return, _) => return Err("This scope is not with you to return."),
        (_, S::SignedOff) => return Err("This scope is signed off and cannot change."),
        _ => return Err("That step does not apply to the scope in its current state."),
    };
    if !role.can(action.permission()) {
        return Err("Your role cannot take that step.");
    }
    Ok(next)
}

/// The workflow steps `role` may take on a scope in `state`.
pub fn available_actions(state: ScopeState, role: Role) -> Vec<WorkflowAction> {
    WorkflowAction::ALL
        .into_iter()
        .filter(|a| transition(state, *a, role).is_ok())
        .collect()
}

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

/// The classification of an evidence item (Government Security Classifications).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Classification {
    /// OFFICIAL.
    Official,
    /// OFFICIAL-SENSITIVE.
    OfficialSensitive,
}

impl Classification {
    /// The key it is stored under.
    pub fn key(self) -> &'static str {
        match self {
            Self::Official => "official",
            Self::OfficialSensitive => "official_sensitive",
        }
    }

    /// The marking as written on documents.
    pub fn label(self) -> &'static str {
        match self {
            Self::Official => "OFFICIAL",
            Self::OfficialSensitive => "OFFICIAL-SENSITIVE",
        }
    }

    /// The classification stored under `key`.
    pub fn from_key(key: &str) -> Option<Self> {
        [Self::Official, Self::OfficialSensitive]
            .into_iter()
            .find(|c| c.key() == key)
    }
}

/// What an evidence item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceKind {
    /// An uploaded file, stored by its SHA-256.
    File,
    /// A link to where the evidence lives (SharePoint, a ticket, a policy id).
    Link,
    /// A written note.
    Note,
}

impl EvidenceKind {
    /// The key it is stored under.
    pub fn key(self) -> &'static str {
        match self {
            Self::File => "file",
            Self::Link => "link",
            Self::Note => "note",
        }
    }

    /// The kind stored under `key`.
    pub fn from_key(key: &str) -> Option<Self> {
        [Self::File, Self::Link, Self::Note]
            .into_iter()
            .find(|k| k.key() == key)
    }
}

/// The facts every evidence item has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct EvidenceFields {
    /// A short title.
    pub title: String,
    /// Who owns the evidence (a person or team).
    pub owner: String,
    /// The date it describes (YYYY-MM-DD), if any.
    pub describes_date: Option<String>,
    /// When it must be reviewed by (YYYY-MM-DD), if ever.
    pub review_by: Option<String>,
    /// `official` or `official_sensitive`.
    pub classification: String,
}

/// An evidence item as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceItem {
    /// Its id.
    pub id: i64,
    /// File, link or note.
    pub kind: EvidenceKind,
    /// Title, owner, dates, classification.
    pub fields: EvidenceFields,
    /// The link, for a link.
    pub url: Option<String>,
    /// The text, for a note.
    pub note: Option<String>,
    /// The file's SHA-256, for a file.
    pub sha256: Option<String>,
    /// The uploaded file's name (shown only, never used as a path).
    pub file_name: Option<String>,
    /// The file's size in bytes.
    pub file_size: Option<i64>,
    /// Whether its review-by date has passed.
    pub stale: bool,
    /// How many outcomes it supports.
    pub uses: i64,
    /// When it was added (UTC).
    pub created_at: String,
}

/// One outcome an evidence item supports, for the register's "Used by" column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceUse {
    /// The item.
    pub evidence_id: i64,
    /// The assessment of the outcome.
    pub assessment_id: i64,
    /// Its title.
    pub assessment_title: String,
    /// The scope of the outcome.
    pub scope_id: i64,
    /// Its name.
    pub scope_name: String,
    /// The contributing outcome, e.g. `A1.a`.
    pub outcome_id: String,
}

/// Whether a review-by date (YYYY-MM-DD) is before `today` (YYYY-MM-DD).
pub fn is_stale(review_by: Option<&str>, today: &str) -> bool {
    review_by.is_some_and(|d| !d.is_empty() && d < today)
}

/// Checks a date typed as YYYY-MM-DD.
pub fn valid_date(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
        && (1..=12).contains(&text[5..7].parse::<u32>().unwrap_or(0))
        && (1..=31).contains(&text[8..10].parse::<u32>().unwrap_or(0))
}

/// A plan action's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionStatus {
    /// Proposed by the assurer; the CAF lead has not accepted it yet.
    Proposed,
    /// Agreed, not started.
    Open,
    /// Under way.
    InProgress,
    /// Done.
    Done,
    /// Proposed and not taken up.
    Declined,
}

impl ActionStatus {
    /// Every status.
    pub const ALL: [ActionStatus; 5] = [
        Self::Proposed,
        Self::Open,
        Self::InProgress,
        Self::Done,
        Self::Declined,
    ];

    /// The key it is stored under.
    pub fn key(self) -> &'static str {
        match self {
            Self::Proposed => "proposed",
            Self::Open => "open",
            Self::InProgress => "in_progress",
            Self::Done => "done",
            Self::Declined => "declined",
        }
    }

    /// The status in words.
    pub fn label(self) -> &'static str {
        match self {
            Self::Proposed => "Proposed",
            Self::Open => "Open",
            Self::InProgress => "In progress",
            Self::Done => "Done",
            Self::Declined => "Declined",
        }
    }

    /// The status stored under `key`.
    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.key() == key)
    }

    /// Whether the action is closed: done, or declined.
    pub fn closed(self) -> bool {
        matches!(self, Self::Done | Self::Declined)
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_happy_path_runs_through_every_role() {
        let mut state = ScopeState::Draft;
        for (action, role, next) in [
            (WorkflowAction::Submit, Role::Assessor, ScopeState::InReview),
            (WorkflowAction::Return, Role::Reviewer, ScopeState::Returned),
            (WorkflowAction::Submit, Role::CafLead, ScopeState::InReview),
            (
                WorkflowAction::Accept,
                Role::Reviewer,
                ScopeState::WithAssurer,
            ),
            (
                WorkflowAction::Assure,
                Role::ExternalAssurer,
                ScopeState::Assured,
            ),
            (
                WorkflowAction::SignOff,
                Role::Approver,
                ScopeState::SignedOff,
            ),
        ] {
            state = transition(state, action, role).unwrap();
            assert_eq!(state, next);
        }
        for action in WorkflowAction::ALL {
            for role in Role::ALL {
                assert!(
                    transition(state, action, role).is_err(),
                    "{action:?} {role:?}"
                );
            }
        }
    }

    #[test]
    fn separation_of_duties_in_the_workflow() {
        assert!(transition(ScopeState::InReview, WorkflowAction::Accept, Role::Assessor).is_err());
        assert!(transition(ScopeState::InReview, WorkflowAction::Return, Role::Assessor).is_err());
        assert!(
            transition(
                ScopeState::InReview,
                WorkflowAction::Return,
                Role::ExternalAssurer
            )
            .is_err()
        );
        assert!(transition(ScopeState::Assured, WorkflowAction::SignOff, Role::CafLead).is_err());
        assert!(
            transition(
                ScopeState::WithAssurer,
                WorkflowAction::Assure,
                Role::Reviewer
            )
            .is_err()
        );
        assert!(transition(ScopeState::Draft, WorkflowAction::Submit, Role::Reviewer).is_err());
        assert!(transition(ScopeState::Draft, WorkflowAction::SignOff, Role::Approver).is_err());
        assert_eq!(
            available_actions(ScopeState::WithAssurer, Role::ExternalAssurer),
            vec![WorkflowAction::Return, WorkflowAction::Assure]
        );
        assert!(ScopeState::Draft.editable() && ScopeState::Returned.editable());
        assert!(!ScopeState::InReview.editable() && !ScopeState::SignedOff.editable());
    }

    #[test]
    fn short_of_target_judges_the_standing_status_once_assessed() {
        use caf::Status::{Achieved, NotAchieved, PartiallyAchieved};
        // The suggestion stands until a status is confirmed; the confirmed one wins.
        assert_eq!(
            short_of_target(None, PartiallyAchieved, true, Some(Achieved)),
            Some(true)
        );
        assert_eq!(
            short_of_target(None, Achieved, true, Some(PartiallyAchieved)),
            Some(false)
        );
        assert_eq!(
            short_of_target(Some(Achieved), NotAchieved, true, Some(Achieved)),
            Some(false)
        );
        assert_eq!(
            short_of_target(Some(NotAchieved), Achieved, true, Some(Achieved)),
            Some(true)
        );
        // A confirmed status alone is enough to judge; nothing at all is not judged.
        assert_eq!(
            short_of_target(Some(NotAchieved), NotAchieved, false, Some(Achieved)),
            Some(true)
        );
        assert_eq!(
            short_of_target(None, NotAchieved, false, Some(Achieved)),
            None
        );
        // No target: never judged.
        assert_eq!(
            short_of_target(Some(NotAchieved), NotAchieved, true, None),
            None
        );
    }

    #[test]
    fn dates_and_staleness() {
        assert!(valid_date("2026-11-25"));
        assert!(!valid_date("2026-13-01") && !valid_date("25/11/2026") && !valid_date("2026-1-5"));
        assert!(is_stale(Some("2026-11-24"), "2026-11-25"));
        assert!(!is_stale(Some("2026-11-25"), "2026-11-25") && !is_stale(None, "2026-11-25"));
    }
}
