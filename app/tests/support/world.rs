//! A world for assessment tests: two councils with a member in every role, the bundled
//! frameworks and profiles, and helpers to start and answer assessments.

use super::TestDb;
use app::assess::{
    AnswerInput, EvidenceFields, OutcomeDraft, SaveResult, ScopeKind, ScopeState, WorkflowAction,
};
use app::data::{
    Actor, DataError, Db, EvidenceBody, NewAssessment, OrgScope, OrganisationKind, StoredFile,
};
use app::roles::{Permission, Role};
use sha2::Digest;
use std::collections::BTreeMap;

/// The council whose assessment the tests work on.
pub const HOME: &str = "hackney";
/// Another council, whose members must never see the first one's records.
pub const AWAY: &str = "camden";
/// The profile new assessments use.
pub const BASELINE: &str = "govassure-baseline-caf4.0";

/// Both councils, with one member per role in each.
#[derive(Debug, Clone)]
pub struct World {
    /// Organisation ids by slug.
    pub organisations: BTreeMap<&'static str, i64>,
    members: BTreeMap<(&'static str, Role), i64>,
}

/// The email address of the member of `slug` with `role`.
pub fn email(slug: &str, role: Role) -> String {
    format!("{}@{slug}.gov.uk", role.key().replace('_', "."))
}

/// The display name of the member of `slug` with `role`.
pub fn name(slug: &str, role: Role) -> String {
    format!("{} of {slug}", role.label())
}

/// Registers the bundled frameworks and creates both councils and their members.
pub async fn world(db: &Db) -> World {
    db.register_bundled().await.expect("register bundled");
    let mut organisations = BTreeMap::new();
    let mut members = BTreeMap::new();
    for (slug, title) in [
        (HOME, "London Borough of Hackney"),
        (AWAY, "London Borough of Camden"),
    ] {
        let org = db
            .create_organisation(slug, title, OrganisationKind::Council, "test")
            .await
            .expect("organisation");
        organisations.insert(slug, org.id);
        for role in Role::ALL {
            let user = db
                .create_user(&email(slug, role), &name(slug, role), "test")
                .await
                .expect("user");
            db.set_membership(user, org.id, role, None, "test")
                .await
                .expect("membership");
            members.insert((slug, role), user);
        }
    }
    World {
        organisations,
        members,
    }
}

impl World {
    /// The user id of the member of `slug` with `role`.
    pub fn user(&self, slug: &'static str, role: Role) -> i64 {
        self.members[&(slug, role)]
    }

    /// Who is acting, for the audit log.
    pub fn actor(&self, slug: &'static str, role: Role) -> Actor {
        Actor {
            user_id: self.user(slug, role),
            email: email(slug, role),
            address: Some("192.0.2.10".into()),
        }
    }

    /// The scope a server function gets for `role` asking for `permission`, if granted.
    pub async fn grant(
        &self,
        db: &Db,
        slug: &'static str,
        role: Role,
        permission: Permission,
    ) -> Result<OrgScope, DataError> {
        db.authorize(self.user(slug, role), slug, permission, None)
            .await
    }

    /// A scope every member gets (opening the organisation's page): the weakest one, used to
    /// call data functions directly and prove they check the role themselves.
    pub async fn member(&self, db: &Db, slug: &'static str, role: Role) -> OrgScope {
        self.grant(db, slug, role, Permission::OpenOrganisation)
            .await
            .expect("every member may open their organisation")
    }

    /// The CAF lead's scope in `slug`.
    pub async fn lead(&self, db: &Db, slug: &'static str) -> OrgScope {
        self.grant(db, slug, Role::CafLead, Permission::LeadAssessment)
            .await
            .expect("lead")
    }
}

/// A valid request for a CAF 4.0 assessment on the baseline profile.
pub fn new_assessment(title: &str, systems: &[&str]) -> NewAssessment {
    NewAssessment {
        title: title.to_owned(),
        period: "2026/27".into(),
        framework_version: "4.0".into(),
        profile: BASELINE.into(),
        own_profile: false,
        organisation_description: "Corporate IT and governance".into(),
        systems: systems
            .iter()
            .map(|s| ((*s).to_owned(), format!("The {s} system")))
            .collect(),
    }
}

/// CAF 4.0 as bundled.
pub fn caf4() -> caf::Framework {
    caf::bundled_framework("4.0").expect("CAF 4.0 is bundled")
}

/// The outcome ids a scope of `kind` covers in CAF 4.0, in framework order.
pub fn outcome_ids(kind: ScopeKind) -> Vec<String> {
    caf4()
        .objectives
        .iter()
        .filter(|o| kind.objectives().contains(&o.id.as_str()))
        .flat_map(|o| o.principles.iter().flat_map(|p| p.outcomes.iter()))
        .map(|o| o.id.clone())
        .collect()
}

/// One answer.
pub fn answer(indicator: &str, value: &str) -> AnswerInput {
    AnswerInput {
        indicator: indicator.to_owned(),
        answer: value.to_owned(),
        justification: String::new(),
    }
}

/// Every achieved statement of `outcome` true, every not-achieved one false: suggests Achieved.
pub fn achieved_answers(outcome: &str) -> Vec<AnswerInput> {
    let framework = caf4();
    let outcome = framework.outcome(outcome).expect("outcome");
    outcome
        .indicators
        .not_achieved
        .iter()
        .map(|i| answer(&i.id, "false"))
        .chain(
            outcome
                .indicators
                .achieved
                .iter()
                .map(|i| answer(&i.id, "true")),
        )
        .collect()
}

/// A draft with these answers, confirming `confirmed`.
pub fn draft(answers: Vec<AnswerInput>, confirmed: Option<&str>, narrative: &str) -> OutcomeDraft {
    OutcomeDraft {
        answers,
        confirmed: confirmed.map(str::to_owned),
        justification: String::new(),
        narrative: narrative.to_owned(),
    }
}

/// An assessment as created: its id, the organisation scope and the critical systems' scopes.
pub struct Started {
    /// The assessment.
    pub id: i64,
    /// The organisation scope.
    pub org: i64,
    /// The critical systems' scopes.
    pub systems: Vec<i64>,
}

/// Creates an assessment as the home CAF lead.
pub async fn start(
    db: &Db,
    w: &World,
    title: &str,
    systems: &[&str],
    own_profile: bool,
) -> Started {
    let lead = w.lead(db, HOME).await;
    let mut input = new_assessment(title, systems);
    input.own_profile = own_profile;
    let id = db
        .create_assessment(&lead, &input, &w.actor(HOME, Role::CafLead))
        .await
        .expect("create assessment");
    let summary = db.assessment_summary(&lead, id).await.expect("summary");
    Started {
        id,
        org: summary.scopes[0].id,
        systems: summary.scopes[1..].iter().map(|s| s.id).collect(),
    }
}

/// Counts rows: `from_where` is a table and an optional WHERE clause.
pub async fn count(db: &TestDb, from_where: &str) -> i64 {
    db.raw_strings(&format!("SELECT CAST(COUNT(*) AS TEXT) FROM {from_where}"))
        .await[0]
        .parse()
        .expect("a count")
}

/// A scope's stored workflow state.
pub async fn state_of(db: &TestDb, scope: i64) -> String {
    db.raw_strings(&format!("SELECT state FROM scopes WHERE id = {scope}"))
        .await
        .remove(0)
}

/// An outcome's stored version.
pub async fn version_of(db: &TestDb, scope: i64, outcome: &str) -> i64 {
    db.raw_strings(&format!(
        "SELECT CAST(version AS TEXT) FROM scope_outcomes \
         WHERE scope_id = {scope} AND outcome_id = '{outcome}'"
    ))
    .await[0]
        .parse()
        .expect("a version")
}

/// Lowercase hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(sha2::Sha256::digest(bytes))
}

/// Asserts a refusal that looks like a missing record.
pub fn not_found<T: std::fmt::Debug>(result: Result<T, DataError>, what: &str) {
    assert!(
        matches!(result, Err(DataError::NotFound(_))),
        "{what}: expected not found, got {result:?}"
    );
}

/// Asserts a refusal because of the record's state.
pub fn conflict<T: std::fmt::Debug>(result: Result<T, DataError>, what: &str) {
    assert!(
        matches!(result, Err(DataError::Conflict(_))),
        "{what}: expected a conflict, got {result:?}"
    );
}

/// Asserts refused input, and returns the message.
pub fn invalid<T: std::fmt::Debug>(result: Result<T, DataError>, what: &str) -> String {
    match result {
        Err(DataError::Invalid(message)) => message,
        other => panic!("{what}: expected invalid input, got {other:?}"),
    }
}

/// Evidence fields with a title and review-by date.
pub fn fields(title: &str, review_by: Option<&str>) -> EvidenceFields {
    EvidenceFields {
        title: title.to_owned(),
        owner: "ICT security team".into(),
        describes_date: Some("2026-10-01".into()),
        review_by: review_by.map(str::to_owned),
        classification: "official".into(),
    }
}

/// An uploaded file's facts, as the upload endpoint records them.
pub fn file(bytes: &[u8], name: &str) -> EvidenceBody {
    EvidenceBody::File(StoredFile {
        sha256: sha256_hex(bytes),
        name: name.to_owned(),
        size: bytes.len() as i64,
        media_type: "application/pdf".into(),
    })
}

/// Confirms the suggested status of every unconfirmed outcome of a scope, through the data layer.
pub async fn confirm_all(db: &Db, w: &World, scope: i64, kind: ScopeKind) {
    let lead = w.lead(db, HOME).await;
    let actor = w.actor(HOME, Role::CafLead);
    for outcome in outcome_ids(kind) {
        let record = db
            .outcome_record(&lead, scope, &outcome)
            .await
            .expect("record");
        if record.draft.confirmed.is_none() {
            let mut draft = record.draft.clone();
            draft.confirmed = Some(record.suggested.key().to_owned());
            let saved = db
                .save_outcome(&lead, scope, &outcome, record.version, &draft, &actor)
                .await
                .expect("confirm");
            assert!(matches!(saved, SaveResult::Saved { .. }), "{saved:?}");
        }
    }
}

/// Takes one workflow step as `role`, with the permission the server function asks for.
pub async fn step(
    db: &Db,
    w: &World,
    role: Role,
    scope: i64,
    action: WorkflowAction,
    comment: Option<(&str, &str)>,
) -> Result<ScopeState, DataError> {
    let org = w.grant(db, HOME, role, action.permission()).await?;
    db.workflow_step(&org, scope, action, comment, &w.actor(HOME, role))
        .await
}

/// Confirms every outcome and walks the scope through review and assurance to sign-off.
pub async fn sign_off(db: &Db, w: &World, scope: i64, kind: ScopeKind) {
    confirm_all(db, w, scope, kind).await;
    for (action, role) in [
        (WorkflowAction::Submit, Role::Assessor),
        (WorkflowAction::Accept, Role::Reviewer),
        (WorkflowAction::Assure, Role::ExternalAssurer),
        (WorkflowAction::SignOff, Role::Approver),
    ] {
        step(db, w, role, scope, action, None)
            .await
            .unwrap_or_else(|e| panic!("{action:?} by {role:?}: {e:?}"));
    }
}
