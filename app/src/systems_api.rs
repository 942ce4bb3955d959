//! Server functions for the organisation's critical systems: the list with each system's history,
//! renaming one, and adding one to (or removing one from) an assessment still running.

use crate::cycle::{CriticalSystem, ScopeContents};
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::assess_api::actor;
#[cfg(feature = "ssr")]
use crate::request_context::{ctx, respond, scope};
#[cfg(feature = "ssr")]
use crate::roles::Permission;

/// The organisation's critical systems, by name, each with the assessments that covered it, and
/// whether the viewer may change them.
#[server(prefix = "/api/systems", endpoint = "list")]
pub async fn critical_systems(slug: String) -> Result<(Vec<CriticalSystem>, bool), AppError> {
    respond(
        async {
            let (_, org) = scope(&slug, Permission::ReadAssessments).await?;
            let may_change = org.role().can(Permission::LeadAssessment);
            Ok((ctx::db()?.critical_systems(&org).await?, may_change))
        }
        .await,
    )
}

/// Renames a critical system; its running scopes take the new name.
#[server(prefix = "/api/systems", endpoint = "rename")]
pub async fn rename_system(
    slug: String,
    system_id: i64,
    name: String,
    #[server(default)] description: String,
) -> Result<(), AppError> {
    respond(
        async {
            let (user, org) = scope(&slug, Permission::LeadAssessment).await?;
            Ok(ctx::db()?
                .rename_system(&org, system_id, &name, &description, &actor(&user)?)
                .await?)
        }
        .await,
    )
}

/// Adds a critical system to a running assessment. Returns the new scope's id.
#[server(prefix = "/api/systems", endpoint = "add_to_assessment")]
pub async fn add_system_scope(
    slug: String,
    id: i64,
    name: String,
    #[server(default)] description: String,
) -> Result<i64, AppError> {
    respond(
        async {
            let (user, org) = scope(&slug, Permission::LeadAssessment).await?;
            Ok(ctx::db()?
                .add_system_scope(&org, id, (&name, &description), &actor(&user)?)
                .await?)
        }
        .await,
    )
}

/// Removes a critical system's scope from a running assessment; the person types its name.
#[server(prefix = "/api/systems", endpoint = "remove_from_assessment")]
pub async fn remove_system_scope(
    slug: String,
    scope_id: i64,
    #[server(default)] typed_name: String,
) -> Result<ScopeContents, AppError> {
    respond(
        async {
            let (user, org) = scope(&slug, Permission::LeadAssessment).await?;
            Ok(ctx::db()?
                .remove_system_scope(&org, scope_id, &typed_name, &actor(&user)?)
                .await?)
        }
        .await,
    )
}
