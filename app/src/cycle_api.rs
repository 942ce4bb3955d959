//! Server functions for the annual cycle: starting next year's assessment from a signed-off
//! one, re-confirming carried outcomes, and what did not carry.

// A server function's arguments are its form's fields.
#![allow(clippy::too_many_arguments)]

use crate::assess::AssessmentSummary;
pub use crate::cycle::{NotCarriedView, ReconfirmPageData, ReconfirmScope, WaitingObjective};
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::assess_api::actor;
#[cfg(feature = "ssr")]
use crate::request_context::{ctx, respond, scope};
#[cfg(feature = "ssr")]
use crate::roles::Permission;

/// The "start next year" page: last year's assessment and what this year may pin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NextYearView {
    /// The organisation's name.
    pub organisation: String,
    /// Last year's assessment.
    pub previous: AssessmentSummary,
    /// Whether every scope of it is signed off (only then can it be carried forward).
    pub signed_off: bool,
    /// Framework versions it may move to (its own or newer), newest first: (version, title).
    pub frameworks: Vec<(String, String)>,
    /// Profiles of those versions: (id, name as people say it, framework version).
    pub profiles: Vec<(String, String, String)>,
    /// Assessments already carried forward from it: (id, title).
    pub followed_by: Vec<(i64, String)>,
}

/// What the "start next year" page needs.
#[server(prefix = "/api/cycle", endpoint = "next_form")]
pub async fn next_year_form(slug: String, id: i64) -> Result<NextYearView, AppError> {
    respond(
        async {
            let (_, org) = scope(&slug, Permission::LeadAssessment).await?;
            let db = ctx::db()?;
            let previous = db.assessment_summary(&org, id).await?;
            let organisation = db
                .organisation_by_slug(&slug)
                .await?
                .map(|o| o.name)
                .unwrap_or_default();
            let from = crate::data::version_key(&previous.framework_version);
            let mut frameworks = Vec::new();
            let mut profiles = Vec::new();
            for f in db.list_frameworks().await?.into_iter().rev() {
                if crate::data::version_key(&f.version) < from {
                    continue;
                }
                for p in db.profiles_for(&f.version).await? {
                    profiles.push((
                        p.profile.id.clone(),
                        p.profile.spoken_name(),
                        f.version.clone(),
                    ));
                }
                frameworks.push((f.version, f.title));
            }
            let followed_by = db
                .list_assessments(&org)
                .await?
                .into_iter()
                .filter(|a| a.previous_id == Some(id))
                .map(|a| (a.id, a.title))
                .collect();
            Ok(NextYearView {
                organisation,
                signed_off: previous
                    .scopes
                    .iter()
                    .all(|s| s.state == crate::assess::ScopeState::SignedOff),
                previous,
                frameworks,
                profiles,
                followed_by,
            })
        }
        .await,
    )
}

/// Starts next year's assessment from a signed-off one (CAF lead). Approaches come as parallel
/// lists of last year's scope ids and approach keys.
#[server(prefix = "/api/cycle", endpoint = "start_next")]
pub async fn start_next_year(
    slug: String,
    previous_id: i64,
    title: String,
    period: String,
    framework: String,
    profile: String,
    #[server(default)] own_profile: Option<String>,
    #[server(default)] scope_ids: Vec<i64>,
    #[server(default)] approaches: Vec<String>,
) -> Result<i64, AppError> {
    respond(
        async {
            let (user, org) = scope(&slug, Permission::LeadAssessment).await?;
            let mut chosen = Vec::new();
            for (i, scope_id) in scope_ids.iter().enumerate() {
                let key = approaches.get(i).map(String::as_str).unwrap_or_default();
                let approach = crate::cycle::CarryApproach::from_key(key).ok_or_else(|| {
                    AppError::BadRequest("Choose how every scope starts this year.".into())
                })?;
                chosen.push((*scope_id, approach));
            }
            let input = crate::cycle::NextAssessment {
                previous_id,
                title,
                period,
                framework_version: framework,
                profile,
                own_profile: own_profile.is_some_and(|v| !v.is_empty() && v != "false"),
                approaches: chosen,
            };
            Ok(ctx::db()?
                .start_next_assessment(&org, &input, &actor(&user)?)
                .await?)
        }
        .await,
    )
}

/// The carried outcomes of an assessment that wait to be re-confirmed.
#[server(prefix = "/api/cycle", endpoint = "reconfirm_list")]
pub async fn reconfirm_view(slug: String, id: i64) -> Result<ReconfirmPageData, AppError> {
    respond(
        async {
            let (_, org) = scope(&slug, Permission::ReadAssessments).await?;
            Ok(ctx::db()?.reconfirm_page(&org, id).await?)
        }
        .await,
    )
}

/// Re-confirms one carried outcome, as it stands.
#[server(prefix = "/api/cycle", endpoint = "reconfirm")]
pub async fn reconfirm_outcome(
    slug: String,
    scope_id: i64,
    outcome: String,
) -> Result<(), AppError> {
    respond(
        async {
            let (user, org) = scope(&slug, Permission::EditAnswers).await?;
            Ok(ctx::db()?
                .reconfirm_outcome(&org, scope_id, &outcome, &actor(&user)?)
                .await?)
        }
        .await,
    )
}

/// Re-confirms the unchanged carried outcomes of one objective of a scope carried for a light
/// review. Returns (re-confirmed, still waiting because their wording changed).
#[server(prefix = "/api/cycle", endpoint = "reconfirm_objective")]
pub async fn reconfirm_objective(
    slug: String,
    scope_id: i64,
    objective: String,
) -> Result<(usize, usize), AppError> {
    respond(
        async {
            let (user, org) = scope(&slug, Permission::EditAnswers).await?;
            Ok(ctx::db()?
                .reconfirm_objective(&org, scope_id, &objective, &actor(&user)?)
                .await?)
        }
        .await,
    )
}

/// Last year's statements and outcomes that did not carry.
#[server(prefix = "/api/cycle", endpoint = "not_carried")]
pub async fn not_carried(
    slug: String,
    id: i64,
) -> Result<(AssessmentSummary, Option<NotCarriedView>), AppError> {
    respond(
        async {
            let (_, org) = scope(&slug, Permission::ReadAssessments).await?;
            let db = ctx::db()?;
            Ok((
                db.assessment_summary(&org, id).await?,
                db.not_carried(&org, id).await?,
            ))
        }
        .await,
    )
}

/// An assessment compared with the previous one, and the organisation's history against its
/// targets.
#[server(prefix = "/api/cycle", endpoint = "year_on_year")]
pub async fn year_on_year(
    slug: String,
    id: i64,
) -> Result<crate::year_on_year::YearOnYear, AppError> {
    respond(
        async {
            let (_, org) = scope(&slug, Permission::ReadAssessments).await?;
            Ok(ctx::db()?.year_on_year(&org, id).await?)
        }
        .await,
    )
}
