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
    /// The profile's name as people say it, e.g. "CAF 4.0 Enhanced — less certain".
    pub name: String,
    /// The name its source gives it.
    pub source_name: String,
    /// Who publishes it and where the targets were read.
    pub source: String,
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

/// Where a session stands in signing in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Password accepted; the user must now prove one of their keys.
    KeyAssertion,
    /// Password accepted; the user has no key yet and must register one.
    KeyRegistration,
    /// Both factors proven.
    Full,
}

/// An organisation the viewer belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgLink {
    /// Short name used in addresses.
    pub slug: String,
    /// Full name.
    pub name: String,
    /// The viewer's role there.
    pub role: crate::roles::Role,
}

/// The person using the app, as the header and pages need them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ViewerInfo {
    /// Their name.
    pub name: String,
    /// Their email.
    pub email: String,
    /// How far through signing in they are.
    pub stage: Stage,
    /// Whether they manage the platform.
    pub platform_admin: bool,
    /// Their organisations.
    pub organisations: Vec<OrgLink>,
    /// Signed in with a recovery code and not yet registered a new key.
    pub recovered: bool,
}

/// One of the viewer's security keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyView {
    /// Database id.
    pub id: i64,
    /// The name given to it.
    pub name: String,
    /// When it was registered (UTC).
    pub created_at: String,
    /// When it was last used (UTC).
    pub last_used_at: Option<String>,
    /// Whether it is a synced passkey rather than a device-bound key.
    pub backup_eligible: bool,
}

/// The viewer's own account page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountView {
    /// Their name.
    pub name: String,
    /// Their email.
    pub email: String,
    /// Their keys.
    pub keys: Vec<KeyView>,
    /// Unused recovery codes left.
    pub recovery_codes_left: i64,
    /// Proved a factor in the last few minutes, so may change keys now.
    pub fresh: bool,
    /// Signed in with a recovery code and should register a new key.
    pub recovered: bool,
}

/// An invitation waiting for the viewer's answer, on their account page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationView {
    /// Its id, to accept or decline it by.
    pub id: i64,
    /// The organisation it is to, if any.
    pub organisation: Option<String>,
    /// The role offered there.
    pub role: Option<crate::roles::Role>,
    /// When that access would end (UTC), if it is time-limited.
    pub until: Option<String>,
    /// Whether it makes the viewer a platform administrator.
    pub platform_admin: bool,
    /// Who sent it.
    pub invited_by: Option<String>,
    /// When it stops working (UTC).
    pub expires_at: String,
}

/// One of the viewer's sessions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionView {
    /// This is the session making the request.
    pub current: bool,
    /// When it began (UTC).
    pub created_at: String,
    /// When it was last used (UTC).
    pub last_seen_at: String,
    /// Where it signed in from.
    pub address: Option<String>,
    /// The browser.
    pub user_agent: Option<String>,
}

/// A set-up or invitation link, as its recipient sees it before using it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkView {
    /// True for the first-run set-up link.
    pub setup: bool,
    /// The email fixed by the invitation.
    pub email: Option<String>,
    /// The name the administrator typed.
    pub display_name: Option<String>,
    /// The organisation joined.
    pub organisation: Option<String>,
    /// The role there.
    pub role: Option<crate::roles::Role>,
    /// Whether the account will administer the platform.
    pub platform_admin: bool,
    /// When the link stops working (UTC).
    pub expires_at: String,
}

/// What registering a key gives back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisteredKey {
    /// New recovery codes, when these were issued now (shown once).
    pub recovery_codes: Option<Vec<String>>,
}

/// An organisation as the platform administrator lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgRow {
    /// Short name.
    pub slug: String,
    /// Full name.
    pub name: String,
    /// "council" or "partner".
    pub kind: String,
    /// How many members.
    pub members: i64,
}

/// A user as the platform administrator lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRow {
    /// Database id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Email.
    pub email: String,
    /// Platform administrator.
    pub platform_admin: bool,
    /// Disabled since, if disabled.
    pub disabled_at: Option<String>,
    /// Number of security keys.
    pub keys: i64,
}

/// The platform administration page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminOverview {
    /// Every organisation.
    pub organisations: Vec<OrgRow>,
    /// Every user.
    pub users: Vec<UserRow>,
    /// How far the installation has come with its first steps.
    pub setup: SetupProgress,
}

/// The three first steps of a new installation, each done or not.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetupProgress {
    /// At least one council has been added.
    pub council_added: bool,
    /// A CAF lead is a member of some organisation, or has an invitation still open.
    pub lead_invited: bool,
    /// Some organisation has created an assessment.
    pub assessment_created: bool,
}

impl SetupProgress {
    /// Whether every step is done (the checklist is then no longer shown).
    pub fn done(self) -> bool {
        self.council_added && self.lead_invited && self.assessment_created
    }
}

/// A member of an organisation, as its administrators see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberRow {
    /// User id.
    pub user_id: i64,
    /// Name.
    pub name: String,
    /// Email.
    pub email: String,
    /// Role.
    pub role: crate::roles::Role,
    /// End of a time-limited membership.
    pub expires_at: Option<String>,
    /// Whether the account is disabled.
    pub disabled: bool,
}

/// An organisation's page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgView {
    /// Short name.
    pub slug: String,
    /// Full name.
    pub name: String,
    /// The viewer's role.
    pub role: crate::roles::Role,
    /// Whether the viewer manages its members.
    pub can_manage: bool,
}

/// What an audit page shows in place of assessment content to someone who may not read it.
pub const HIDDEN_CONTENT: &str = "hidden: assessment content";

/// One audit record as shown on the audit pages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRow {
    /// Position in the chain.
    pub seq: i64,
    /// When (UTC).
    pub occurred_at: String,
    /// Who, by name when a user acted; otherwise as recorded (`system`, `cli:…`, a typed email).
    pub actor: String,
    /// The acting user's id, when a user acted (for the "person" filter).
    pub actor_id: Option<i64>,
    /// What, e.g. `sign_in.success`.
    pub action: String,
    /// To what, as recorded, e.g. `user:15` or `scope:3/outcome:A1.a`.
    pub object: String,
    /// The person's name when the object is a user.
    pub object_name: Option<String>,
    /// From where.
    pub address: Option<String>,
    /// Further facts, as compact JSON (empty when there are none).
    pub detail: String,
}

/// An assessment as listed on the board reports page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportListing {
    /// The assessment's id.
    pub id: i64,
    /// Its title.
    pub title: String,
    /// Its period.
    pub period: String,
    /// Its framework version.
    pub framework_version: String,
    /// How many scopes it has.
    pub scopes: i64,
    /// How many are signed off.
    pub signed_off: i64,
    /// When the last was signed off (UTC), once all are.
    pub signed_at: Option<String>,
}

/// One page of the audit log with the choices of its filters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    /// The records, newest first.
    pub rows: Vec<AuditRow>,
    /// Everyone who acted in this log, as id and name: the "person" filter's choices.
    pub people: Vec<(i64, String)>,
    /// Whether older records follow this page.
    pub more: bool,
}
