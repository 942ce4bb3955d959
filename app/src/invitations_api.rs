//! Server functions for the invitations waiting on the signed-in user's account page: list,
//! accept, decline. Each acts only on an invitation to the user's own email.

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::request_context::{ctx, respond};
use crate::types::InvitationView;
use leptos::prelude::*;

/// The invitations to the signed-in user's email that are still open, newest first.
#[server(prefix = "/api/account", endpoint = "invitations")]
pub async fn my_invitations() -> Result<Vec<InvitationView>, AppError> {
    respond(
        async {
            let user = ctx::user()?;
            Ok(ctx::db()?
                .invitations_for(user.account.id)
                .await?
                .into_iter()
                .map(|i| InvitationView {
                    id: i.id,
                    organisation: i.organisation,
                    role: i.role,
                    until: i.membership_expires_at,
                    platform_admin: i.platform_admin,
                    invited_by: i.invited_by,
                    expires_at: i.expires_at,
                })
                .collect())
        }
        .await,
    )
}

/// Accepts one of the signed-in user's invitations: they join the organisation with its role.
#[server(prefix = "/api/account", endpoint = "accept_invitation")]
pub async fn accept_invitation(id: i64) -> Result<(), AppError> {
    respond(
        async {
            let user = ctx::user()?;
            let address = ctx::request()?.meta.address;
            ctx::db()?
                .accept_invitation(user.account.id, id, address.as_deref())
                .await?;
            Ok(())
        }
        .await,
    )
}

/// Declines one of the signed-in user's invitations: it stops working, nothing else changes.
#[server(prefix = "/api/account", endpoint = "decline_invitation")]
pub async fn decline_invitation(id: i64) -> Result<(), AppError> {
    respond(
        async {
            let user = ctx::user()?;
            let address = ctx::request()?.meta.address;
            ctx::db()?
                .decline_invitation(user.account.id, id, address.as_deref())
                .await?;
            Ok(())
        }
        .await,
    )
}
