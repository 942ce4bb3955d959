//! Server functions for the platform administrator: the overview, new organisations,
//! invitations, disabling a user and resetting their sign-in factors; and the invitation rules
//! organisation administrators share.

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::request_context::{ctx, respond};
#[cfg(feature = "ssr")]
use crate::roles::Role;
use crate::types::AdminOverview;
use leptos::prelude::*;

/// Organisations and users, for the platform administrator.
#[server(prefix = "/api/admin", endpoint = "overview")]
pub async fn admin_dashboard() -> Result<AdminOverview, AppError> {
    respond(
        async {
            ctx::platform_admin()?;
            let db = ctx::db()?;
            Ok(AdminOverview {
                setup: db.setup_progress(&crate::data::now_utc()).await?,
                organisations: db
                    .list_organisations()
                    .await?
                    .into_iter()
                    .map(|(o, members)| crate::types::OrgRow {
                        slug: o.slug,
                        name: o.name,
                        kind: o.kind.key().to_owned(),
                        members,
                    })
                    .collect(),
                users: db
                    .list_users()
                    .await?
                    .into_iter()
                    .map(|u| crate::types::UserRow {
                        id: u.id,
                        name: u.display_name,
                        email: u.email,
                        platform_admin: u.is_platform_admin,
                        disabled_at: u.disabled_at,
                        keys: u.keys,
                    })
                    .collect(),
            })
        }
        .await,
    )
}

/// Creates an organisation (platform administrator).
#[server(prefix = "/api/admin", endpoint = "create_organisation")]
pub async fn create_organisation(slug: String, name: String, kind: String) -> Result<(), AppError> {
    respond(
        async {
            let user = ctx::platform_admin()?;
            let kind = crate::data::OrganisationKind::from_key(&kind)
                .ok_or_else(|| AppError::BadRequest("Choose council or partner.".into()))?;
            ctx::db()?
                .create_organisation(&slug, &name, kind, &user.account.email)
                .await?;
            Ok(())
        }
        .await,
    )
}

#[cfg(feature = "ssr")]
pub(crate) fn parse_role(role: &str) -> Result<Role, AppError> {
    Role::from_key(role).ok_or_else(|| AppError::BadRequest("Choose a role.".into()))
}

/// Checks an optional end date typed as YYYY-MM-DD and turns it into the end of that day, UTC.
#[cfg(feature = "ssr")]
pub(crate) fn parse_until(until: &str, role: Role) -> Result<Option<String>, AppError> {
    let until = until.trim();
    if until.is_empty() {
        return if role == Role::ExternalAssurer {
            Err(AppError::BadRequest(
                "An external assurer's access must end: enter the date it ends.".into(),
            ))
        } else {
            Ok(None)
        };
    }
    let date = time::Date::parse(
        until,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .map_err(|_| AppError::BadRequest("Enter the end date like 2027-03-31.".into()))?;
    if date < time::OffsetDateTime::now_utc().date() {
        return Err(AppError::BadRequest(
            "The end date must not be in the past.".into(),
        ));
    }
    Ok(Some(format!("{date}T23:59:59Z")))
}

/// Invites someone and returns the one-time link to pass on. Someone who already has an
/// account joins only when they accept (on their account page or through the link's page), and
/// the answer does not say whether they have one.
#[cfg(feature = "ssr")]
#[allow(clippy::too_many_arguments)]
pub(crate) async fn invite(
    inviter: &crate::auth::SignedIn,
    email: &str,
    name: &str,
    membership: Option<(i64, Role)>,
    until: Option<String>,
    platform_admin: bool,
) -> Result<String, AppError> {
    let db = ctx::db()?;
    let config = ctx::config()?;
    if name.trim().is_empty() {
        return Err(AppError::BadRequest("Enter the person's name.".into()));
    }
    // Whether the email already has an account stays unsaid: someone who has one accepts the
    // invitation on their account page, someone who has not uses the link. Only what the
    // inviter can already see is said: that the person is a member here, or (to a platform
    // administrator, who lists every user) that an invitation to no organisation is pointless.
    match membership {
        Some((organisation_id, _)) if db.is_member_by_email(organisation_id, email).await? => {
            return Err(AppError::Conflict(format!(
                "{} is already a member: change their role in the list of members.",
                email.trim()
            )));
        }
        None if !platform_admin && db.account_by_email(email).await?.is_some() => {
            return Err(AppError::Conflict(format!(
                "There is already an account for {}.",
                email.trim()
            )));
        }
        _ => {}
    }
    let token = db
        .create_link(
            &crate::data::NewLink {
                purpose: crate::data::LinkPurpose::Invite,
                email: Some(email.to_owned()),
                display_name: Some(name.to_owned()),
                membership,
                membership_until: until,
                platform_admin,
                created_by: Some(inviter.account.id),
                lifetime: time::Duration::days(7),
            },
            &inviter.account.email,
        )
        .await?;
    let url = config
        .public_url
        .join(&format!("invite/{token}"))
        .map_err(|e| AppError::internal("invite url", e))?;
    Ok(url.to_string())
}

/// Invites a user, optionally into an organisation with a role (platform administrator).
#[server(prefix = "/api/admin", endpoint = "invite")]
pub async fn admin_invite(
    email: String,
    name: String,
    organisation: String,
    role: String,
    until: String,
    platform_admin: Option<String>,
) -> Result<String, AppError> {
    respond(
        async {
            let user = ctx::platform_admin()?;
            let db = ctx::db()?;
            let membership = if organisation.is_empty() {
                None
            } else {
                let org = db
                    .organisation_by_slug(&organisation)
                    .await?
                    .ok_or_else(|| AppError::BadRequest("Choose an organisation.".into()))?;
                Some((org.id, parse_role(&role)?))
            };
            let until = match membership {
                Some((_, role)) => parse_until(&until, role)?,
                None => None,
            };
            invite(
                &user,
                &email,
                &name,
                membership,
                until,
                platform_admin.is_some(),
            )
            .await
        }
        .await,
    )
}

/// Disables a user and ends their sessions at once (platform administrator).
#[server(prefix = "/api/admin", endpoint = "disable")]
pub async fn disable_user(user_id: i64) -> Result<(), AppError> {
    respond(
        async {
            let user = ctx::platform_admin()?;
            if user.account.id == user_id {
                return Err(AppError::BadRequest(
                    "You cannot disable your own account.".into(),
                ));
            }
            ctx::db()?
                .disable_user(user_id, &user.account.email)
                .await?;
            Ok(())
        }
        .await,
    )
}

/// Removes a user's keys and recovery codes so they register a new key (platform administrator).
#[server(prefix = "/api/admin", endpoint = "reset_factors")]
pub async fn reset_user_factors(user_id: i64) -> Result<(), AppError> {
    respond(
        async {
            let user = ctx::platform_admin()?;
            if user.account.id == user_id {
                return Err(AppError::BadRequest(
                    "You cannot reset your own keys here; use another administrator or the command line."
                        .into(),
                ));
            }
            let event = ctx::event(&user, "user.reset_factors", format!("user:{user_id}"))?;
            ctx::db()?.reset_factors(user_id, event).await?;
            Ok(())
        }
        .await,
    )
}
