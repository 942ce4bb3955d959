//! Server functions for an organisation's page and its administrator: members, invitations,
//! roles and removal. Each checks the caller's role through `Db::authorize`.

#[cfg(feature = "ssr")]
use crate::admin_api::{invite, parse_role, parse_until};
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::request_context::{ctx, respond, scope};
#[cfg(feature = "ssr")]
use crate::roles::Role;
use crate::types::{MemberRow, OrgView};
use leptos::prelude::*;

/// An organisation's page, for any current member.
#[server(prefix = "/api/org", endpoint = "overview")]
pub async fn organisation(slug: String) -> Result<OrgView, AppError> {
    respond(
        async {
            let (_, scope) = scope(&slug, crate::roles::Permission::OpenOrganisation).await?;
            let organisation = ctx::db()?
                .organisation_by_slug(&slug)
                .await?
                .ok_or_else(|| AppError::not_found("That page"))?;
            Ok(OrgView {
                slug: organisation.slug,
                name: organisation.name,
                role: scope.role(),
                can_manage: scope.role().can(crate::roles::Permission::ManageMembers),
            })
        }
        .await,
    )
}

/// An organisation's members (organisation admin).
#[server(prefix = "/api/org", endpoint = "members")]
pub async fn org_members(slug: String) -> Result<Vec<MemberRow>, AppError> {
    respond(
        async {
            let (_, scope) = scope(&slug, crate::roles::Permission::ManageMembers).await?;
            Ok(ctx::db()?
                .members(&scope)
                .await?
                .into_iter()
                .map(|m| MemberRow {
                    user_id: m.user_id,
                    name: m.display_name,
                    email: m.email,
                    role: m.role,
                    expires_at: m.expires_at,
                    disabled: m.disabled,
                })
                .collect())
        }
        .await,
    )
}

/// Invites someone into the organisation with a role (organisation admin).
#[server(prefix = "/api/org", endpoint = "invite")]
pub async fn org_invite(
    slug: String,
    email: String,
    name: String,
    role: String,
    until: String,
) -> Result<String, AppError> {
    respond(
        async {
            let (user, scope) = scope(&slug, crate::roles::Permission::ManageMembers).await?;
            let role = parse_role(&role)?;
            let until = parse_until(&until, role)?;
            invite(
                &user,
                &email,
                &name,
                Some((scope.organisation_id(), role)),
                until,
                false,
            )
            .await
        }
        .await,
    )
}

/// Changes a member's role (organisation admin).
#[server(prefix = "/api/org", endpoint = "set_role")]
pub async fn org_set_role(
    slug: String,
    user_id: i64,
    role: String,
    until: String,
) -> Result<(), AppError> {
    respond(
        async {
            let (user, scope) = scope(&slug, crate::roles::Permission::ManageMembers).await?;
            let role = parse_role(&role)?;
            let until = parse_until(&until, role)?;
            let db = ctx::db()?;
            if !db
                .members(&scope)
                .await?
                .iter()
                .any(|m| m.user_id == user_id)
            {
                return Err(AppError::NotFound("That person is not a member.".into()));
            }
            if user_id == user.account.id && role != Role::OrgAdmin {
                return Err(AppError::BadRequest(
                    "You cannot change your own role; ask another organisation admin.".into(),
                ));
            }
            db.set_membership(
                user_id,
                scope.organisation_id(),
                role,
                until.as_deref(),
                &user.account.email,
            )
            .await?;
            Ok(())
        }
        .await,
    )
}

/// Removes a member (organisation admin).
#[server(prefix = "/api/org", endpoint = "remove_member")]
pub async fn org_remove_member(slug: String, user_id: i64) -> Result<(), AppError> {
    respond(
        async {
            let (user, scope) = scope(&slug, crate::roles::Permission::ManageMembers).await?;
            if user_id == user.account.id {
                return Err(AppError::BadRequest(
                    "You cannot remove yourself; ask another organisation admin.".into(),
                ));
            }
            let event = ctx::event(&user, "membership.remove", format!("user:{user_id}"))?;
            ctx::db()?.remove_membership(&scope, user_id, event).await?;
            Ok(())
        }
        .await,
    )
}
