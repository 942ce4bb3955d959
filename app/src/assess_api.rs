//! Server functions for assessments, outcomes, evidence, comments and the improvement plan.
//!
//! Each one opens the organisation through `Db::authorize` with the permission it needs, then
//! calls a data function that takes the returned scope; a record of another organisation is
//! simply not found (404).

// A server function's arguments are its form's fields; some forms have many.
#![allow(clippy::too_many_arguments)]

use crate::assess::{
    AssessmentSummary, Dashboard, EvidenceItem, OutcomeDraft, OutcomeWorkspace, PlanView,
    SaveResult,
};
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::request_context::{ctx, respond, scope};
#[cfg(feature = "ssr")]
use crate::roles::Permission;

/// The assessments page: the list and what the create form offers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssessmentsView {
    /// The organisation's name.
    pub organisation: String,
    /// Assessments, newest first.
    pub assessments: Vec<AssessmentSummary>,
    /// Whether the viewer may create assessments.
    pub can_lead: bool,
    /// Stored framework versions: (version, title).
    pub frameworks: Vec<(String, String)>,
    /// Profiles: (id, name as people say it, framework version, the source's name, the source).
    pub profiles: Vec<(String, String, String, String, String)>,
}

/// The configured upload limit (25 MiB when none was provided).
#[cfg(feature = "ssr")]
fn upload_limit() -> u64 {
    use_context::<UploadLimit>().map_or(25 << 20, |l| l.0)
}

/// The evidence register page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegisterView {
    /// Items, newest first.
    pub items: Vec<EvidenceItem>,
    /// Whether the viewer may add items.
    pub can_edit: bool,
    /// The largest upload accepted, in bytes.
    pub max_upload: u64,
    /// The outcomes each item supports.
    pub uses: Vec<crate::assess::EvidenceUse>,
}

/// The largest evidence upload, in bytes, as configured for this server.
#[derive(Debug, Clone, Copy)]
pub struct UploadLimit(pub u64);

#[cfg(feature = "ssr")]
pub(crate) fn actor(user: &crate::auth::SignedIn) -> Result<crate::data::Actor, AppError> {
    Ok(crate::data::Actor {
        user_id: user.account.id,
        email: user.account.email.clone(),
        address: ctx::request()?.meta.address,
    })
}

#[cfg(feature = "ssr")]
fn optional(text: String) -> Option<String> {
    let text = text.trim().to_owned();
    (!text.is_empty()).then_some(text)
}

/// An evidence item's shared fields as the forms send them (blank dates are none).
#[cfg(feature = "ssr")]
fn evidence_fields(
    title: String,
    owner: String,
    describes_date: String,
    review_by: String,
    classification: String,
) -> crate::assess::EvidenceFields {
    crate::assess::EvidenceFields {
        title,
        owner,
        describes_date: optional(describes_date),
        review_by: optional(review_by),
        classification,
    }
}

/// The organisation's assessments.
#[server(prefix = "/api/assess", endpoint = "list")]
pub async fn assessments(slug: String) -> Result<AssessmentsView, AppError> {
    respond(
        async {
            let (_, org) = scope(&slug, Permission::ReadAssessments).await?;
            let db = ctx::db()?;
            let organisation = db
                .organisation_by_slug(&slug)
                .await?
                .map(|o| o.name)
                .unwrap_or_default();
            let frameworks = db.list_frameworks().await?;
            let mut profiles = Vec::new();
            for f in &frameworks {
                for p in db.profiles_for(&f.version).await? {
                    profiles.push((
                        p.profile.id.clone(),
                        p.profile.spoken_name(),
                        f.version.clone(),
                        p.profile.name,
                        p.profile.source,
                    ));
                }
            }
            Ok(AssessmentsView {
                organisation,
                assessments: db.list_assessments(&org).await?,
                can_lead: org.role().can(Permission::LeadAssessment),
                frameworks: frameworks
                    .into_iter()
                    .rev()
                    .map(|f| (f.version, f.title))
                    .collect(),
                profiles,
            })
        }
        .await,
    )
}

/// Starts an assessment (CAF lead). Critical systems come as parallel lists of names and
/// descriptions; blank rows are ignored.
#[server(prefix = "/api/assess", endpoint = "create")]
pub async fn create_assessment(
    slug: String,
    title: String,
    period: String,
    framework: String,
    profile: String,
    #[server(default)] own_profile: Option<String>,
    organisation_description: String,
    #[server(default)] system_names: Vec<String>,
    #[server(default)] system_descriptions: Vec<String>,
) -> Result<i64, AppError> {
    respond(
        async {
            let (user, org) = scope(&slug, Permission::LeadAssessment).await?;
            let systems = system_names
                .iter()
                .enumerate()
                .filter(|(_, n)| !n.trim().is_empty())
                .map(|(i, n)| {
                    (
                        n.clone(),
                        system_descriptions.get(i).cloned().unwrap_or_default(),
                    )
                })
                .collect();
            let input = crate::data::NewAssessment {
                title,
                period,
                framework_version: framework,
                profile,
                own_profile: own_profile.is_some_and(|v| !v.is_empty() && v != "false"),
                organisation_description,
                systems,
            };
            Ok(ctx::db()?
                .create_assessment(&org, &input, &actor(&user)?)
                .await?)
        }
        .await,
    )
}

/// An assessment's dashboard.
#[server(prefix = "/api/assess", endpoint = "dashboard")]
pub async fn assessment_dashboard(slug: String, id: i64) -> Result<Dashboard, AppError> {
    respond(
        async {
            let (_, org) = scope(&slug, Permission::ReadAssessments).await?;
            Ok(ctx::db()?.dashboard(&org, id).await?)
        }
        .await,
    )
}

/// Everything the outcome page needs.
#[server(prefix = "/api/assess", endpoint = "outcome")]
pub async fn outcome_page_data(
    slug: String,
    scope_id: i64,
    outcome: String,
) -> Result<OutcomeWorkspace, AppError> {
    respond(
        async {
            let (_, org) = scope(&slug, Permission::ReadAssessments).await?;
            let mut page = ctx::db()?
                .outcome_workspace(&org, scope_id, &outcome)
                .await?;
            page.max_upload = upload_limit();
            Ok(page)
        }
        .await,
    )
}

/// Saves an outcome (autosave): refused as a conflict if someone saved since `version`.
#[server(prefix = "/api/assess", endpoint = "save")]
pub async fn save_outcome(
    slug: String,
    scope_id: i64,
    outcome: String,
    version: i64,
    draft: OutcomeDraft,
) -> Result<SaveResult, AppError> {
    respond(
        async {
            let (user, org) = scope(&slug, Permission::EditAnswers).await?;
            Ok(ctx::db()?
                .save_outcome(&org, scope_id, &outcome, version, &draft, &actor(&user)?)
                .await?)
        }
        .await,
    )
}

/// Assigns an outcome and sets its due date (CAF lead).
#[server(prefix = "/api/assess", endpoint = "assign")]
pub async fn assign_outcome(
    slug: String,
    scope_id: i64,
    outcome: String,
    assignee: String,
    due: String,
) -> Result<(), AppError> {
    respond(
        async {
            let (user, org) = scope(&slug, Permission::LeadAssessment).await?;
            let assignee =
                match assignee.trim() {
                    "" => None,
                    id => Some(id.parse::<i64>().map_err(|_| {
                        AppError::BadRequest("Choose a member from the list.".into())
                    })?),
                };
            let due = optional(due);
            Ok(ctx::db()?
                .assign_outcome(
                    &org,
                    scope_id,
                    &outcome,
                    assignee,
                    due.as_deref(),
                    &actor(&user)?,
                )
                .await?)
        }
        .await,
    )
}

/// Moves a scope along the workflow. A return needs a comment, stored on `outcome`.
#[server(prefix = "/api/assess", endpoint = "workflow")]
pub async fn workflow_step(
    slug: String,
    scope_id: i64,
    action: String,
    #[server(default)] outcome: String,
    #[server(default)] comment: String,
) -> Result<String, AppError> {
    respond(
        async {
            let step = crate::assess::WorkflowAction::from_key(&action)
                .ok_or_else(|| AppError::BadRequest("Unknown workflow step.".into()))?;
            let (user, org) = scope(&slug, step.permission()).await?;
            let db = ctx::db()?;
            let outcome = if outcome.trim().is_empty() {
                db.first_outcome(&org, scope_id).await?
            } else {
                outcome
            };
            let comment =
                (!comment.trim().is_empty()).then_some((outcome.as_str(), comment.as_str()));
            let state = db
                .workflow_step(&org, scope_id, step, comment, &actor(&user)?)
                .await?;
            Ok(state.label().to_owned())
        }
        .await,
    )
}

/// Adds a comment to an outcome.
#[server(prefix = "/api/assess", endpoint = "comment")]
pub async fn add_comment(
    slug: String,
    scope_id: i64,
    outcome: String,
    body: String,
) -> Result<i64, AppError> {
    respond(
        async {
            let (user, org) = scope(&slug, Permission::Comment).await?;
            Ok(ctx::db()?
                .add_comment(&org, scope_id, &outcome, &body, &actor(&user)?)
                .await?)
        }
        .await,
    )
}

/// Resolves a comment.
#[server(prefix = "/api/assess", endpoint = "resolve")]
pub async fn resolve_comment(slug: String, comment: i64) -> Result<(), AppError> {
    respond(
        async {
            let (user, org) = scope(&slug, Permission::Comment).await?;
            Ok(ctx::db()?
                .resolve_comment(&org, comment, &actor(&user)?)
                .await?)
        }
        .await,
    )
}

/// The organisation's evidence register.
#[server(prefix = "/api/assess", endpoint = "evidence")]
pub async fn evidence_register(slug: String) -> Result<RegisterView, AppError> {
    respond(
        async {
            let (_, org) = scope(&slug, Permission::ReadAssessments).await?;
            Ok(RegisterView {
                items: ctx::db()?.list_evidence(&org).await?,
                uses: ctx::db()?.evidence_uses(&org).await?,
                can_edit: org.role().can(Permission::EditAnswers),
                max_upload: upload_limit(),
            })
        }
        .await,
    )
}

/// Adds a link or a note to the register, and links it to an outcome when one is given.
#[server(prefix = "/api/assess", endpoint = "add_evidence")]
pub async fn add_evidence(
    slug: String,
    kind: String,
    title: String,
    owner: String,
    #[server(default)] describes_date: String,
    #[server(default)] review_by: String,
    classification: String,
    #[server(default)] url: String,
    #[server(default)] note: String,
    #[server(default)] scope_id: Option<i64>,
    #[server(default)] outcome: String,
) -> Result<i64, AppError> {
    respond(
        async {
            let (user, org) = scope(&slug, Permission::EditAnswers).await?;
            let body = match kind.as_str() {
                "link" => crate::data::EvidenceBody::Link(url),
                "note" => crate::data::EvidenceBody::Note(note),
                _ => {
                    return Err(AppError::BadRequest(
                        "Upload files with the file form; here choose a link or a note.".into(),
                    ));
                }
            };
            let fields = evidence_fields(title, owner, describes_date, review_by, classification);
            let db = ctx::db()?;
            let actor = actor(&user)?;
            // Check the outcome first, so a bad link target stores nothing.
            if let Some(scope_id) = scope_id
                && !outcome.is_empty()
            {
                db.check_linkable(&org, scope_id, &outcome).await?;
            }
            let id = db.create_evidence(&org, &fields, &body, &actor).await?;
            if let Some(scope_id) = scope_id
                && !outcome.is_empty()
            {
                db.link_evidence(&org, id, scope_id, &outcome, true, &actor)
                    .await?;
            }
            Ok(id)
        }
        .await,
    )
}

/// Changes a register item's details (title, owner, dates, classification; a link's address or a
/// note's text). `text` is ignored for files.
#[server(prefix = "/api/assess", endpoint = "update_evidence")]
pub async fn update_evidence(
    slug: String,
    id: i64,
    title: String,
    owner: String,
    #[server(default)] describes_date: String,
    #[server(default)] review_by: String,
    classification: String,
    #[server(default)] text: String,
) -> Result<(), AppError> {
    respond(
        async {
            let (user, org) = scope(&slug, Permission::EditAnswers).await?;
            let fields = evidence_fields(title, owner, describes_date, review_by, classification);
            ctx::db()?
                .update_evidence(&org, id, &fields, &text, &actor(&user)?)
                .await?;
            Ok(())
        }
        .await,
    )
}

/// Links (or unlinks) a register item to an outcome.
#[server(prefix = "/api/assess", endpoint = "link")]
pub async fn link_evidence(
    slug: String,
    evidence: i64,
    scope_id: i64,
    outcome: String,
    link: bool,
) -> Result<(), AppError> {
    respond(
        async {
            let (user, org) = scope(&slug, Permission::EditAnswers).await?;
            Ok(ctx::db()?
                .link_evidence(&org, evidence, scope_id, &outcome, link, &actor(&user)?)
                .await?)
        }
        .await,
    )
}

/// The improvement plan of an assessment.
#[server(prefix = "/api/assess", endpoint = "plan")]
pub async fn plan(slug: String, id: i64) -> Result<PlanView, AppError> {
    respond(
        async {
            let (_, org) = scope(&slug, Permission::ReadAssessments).await?;
            Ok(ctx::db()?.plan_view(&org, id).await?)
        }
        .await,
    )
}

/// Proposes an action (assurer) or adds an agreed one (CAF lead).
#[server(prefix = "/api/assess", endpoint = "propose")]
pub async fn propose_action(
    slug: String,
    scope_id: i64,
    outcome: String,
    description: String,
    owner: String,
    #[server(default)] due: String,
) -> Result<i64, AppError> {
    respond(
        async {
            let (user, org) = scope(&slug, Permission::Comment).await?;
            let due = optional(due);
            Ok(ctx::db()?
                .propose_action(
                    &org,
                    scope_id,
                    &outcome,
                    &description,
                    &owner,
                    due.as_deref(),
                    &actor(&user)?,
                )
                .await?)
        }
        .await,
    )
}

/// Accepts, progresses or declines a plan action (CAF lead).
#[server(prefix = "/api/assess", endpoint = "update_action")]
pub async fn update_action(
    slug: String,
    action: i64,
    status: String,
    #[server(default)] notes: String,
) -> Result<(), AppError> {
    respond(
        async {
            let (user, org) = scope(&slug, Permission::LeadAssessment).await?;
            let status = crate::assess::ActionStatus::from_key(&status)
                .ok_or_else(|| AppError::BadRequest("Choose a status from the list.".into()))?;
            Ok(ctx::db()?
                .update_action(&org, action, status, &notes, &actor(&user)?)
                .await?)
        }
        .await,
    )
}

/// Changes one target of an assessment that uses the organisation's own profile (CAF lead).
#[server(prefix = "/api/assess", endpoint = "target")]
pub async fn set_target(
    slug: String,
    id: i64,
    outcome: String,
    target: String,
) -> Result<(), AppError> {
    respond(
        async {
            let (user, org) = scope(&slug, Permission::LeadAssessment).await?;
            let target = caf::Status::from_key(&target)
                .ok_or_else(|| AppError::BadRequest("Choose a target status.".into()))?;
            Ok(ctx::db()?
                .set_target(&org, id, &outcome, target, &actor(&user)?)
                .await?)
        }
        .await,
    )
}
