//! Server functions for signing in: who is signed in, the password and security-key steps, a
//! recovery code, registering a key, invitation and set-up links, and signing out.
//!
//! Reachable before sign-in is complete: each checks the session's stage itself (in
//! `auth::flow`).

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::request_context::{ctx, respond};
use crate::types::{LinkView, RegisteredKey, Stage, ViewerInfo};
use leptos::prelude::*;
use webauthn_rs_proto::{
    CreationChallengeResponse, PublicKeyCredential, RegisterPublicKeyCredential,
    RequestChallengeResponse,
};
#[cfg(feature = "ssr")]
fn viewer_of(
    user: &crate::auth::SignedIn,
    memberships: Vec<crate::data::Membership>,
) -> ViewerInfo {
    ViewerInfo {
        name: user.account.display_name.clone(),
        email: user.account.email.clone(),
        stage: user.stage,
        platform_admin: user.account.is_platform_admin,
        organisations: memberships
            .into_iter()
            .map(|m| crate::types::OrgLink {
                slug: m.organisation.slug,
                name: m.organisation.name,
                role: m.role,
            })
            .collect(),
        recovered: user.recovered,
    }
}

/// Who is signed in (and how far), or nobody.
#[server(prefix = "/api/auth", endpoint = "me")]
pub async fn current_viewer() -> Result<Option<ViewerInfo>, AppError> {
    respond(
        async {
            let Some(user) = ctx::request()?.user else {
                return Ok(None);
            };
            let memberships = if user.stage == Stage::Full {
                ctx::db()?.memberships_of(user.account.id).await?
            } else {
                Vec::new()
            };
            Ok(Some(viewer_of(&user, memberships)))
        }
        .await,
    )
}

/// Sign-in step one: email and password. Says which second step comes next.
#[server(prefix = "/api/auth", endpoint = "password")]
pub async fn sign_in_password(email: String, password: String) -> Result<Stage, AppError> {
    respond(
        async {
            let request = ctx::request()?;
            crate::auth::flow::password_step(
                &ctx::db()?,
                &request.session,
                &request.meta,
                &email,
                &password,
            )
            .await
        }
        .await,
    )
}

/// Sign-in step two: a challenge for one of the user's keys.
#[server(prefix = "/api/auth", endpoint = "key_begin")]
pub async fn key_challenge() -> Result<RequestChallengeResponse, AppError> {
    respond(
        async {
            let request = ctx::request()?;
            crate::auth::flow::begin_assertion(&ctx::db()?, &ctx::config()?, &request.session).await
        }
        .await,
    )
}

/// Sign-in step two: the key's answer.
#[server(prefix = "/api/auth", endpoint = "key_finish")]
pub async fn key_answer(credential: PublicKeyCredential) -> Result<(), AppError> {
    respond(
        async {
            let request = ctx::request()?;
            crate::auth::flow::finish_assertion(
                &ctx::db()?,
                &ctx::config()?,
                &request.session,
                &request.meta,
                &credential,
            )
            .await
        }
        .await,
    )
}

/// Sign-in step two without a key: a recovery code.
#[server(prefix = "/api/auth", endpoint = "recovery")]
pub async fn recovery_code_sign_in(code: String) -> Result<(), AppError> {
    respond(
        async {
            let request = ctx::request()?;
            crate::auth::flow::recovery_step(
                &ctx::db()?,
                &ctx::config()?,
                &request.session,
                &request.meta,
                &code,
            )
            .await
        }
        .await,
    )
}

/// Key registration: the options to create a credential with.
#[server(prefix = "/api/auth", endpoint = "register_begin")]
pub async fn registration_options() -> Result<CreationChallengeResponse, AppError> {
    respond(
        async {
            let request = ctx::request()?;
            crate::auth::flow::begin_registration(&ctx::db()?, &ctx::config()?, &request.session)
                .await
        }
        .await,
    )
}

/// Key registration: the new credential and the name the user gave it.
#[server(prefix = "/api/auth", endpoint = "register_finish")]
pub async fn register_key(
    name: String,
    credential: RegisterPublicKeyCredential,
) -> Result<RegisteredKey, AppError> {
    respond(
        async {
            let request = ctx::request()?;
            let done = crate::auth::flow::finish_registration(
                &ctx::db()?,
                &ctx::config()?,
                &request.session,
                &request.meta,
                &name,
                &credential,
            )
            .await?;
            Ok(RegisteredKey {
                recovery_codes: done.recovery_codes,
            })
        }
        .await,
    )
}

/// What a set-up or invitation link offers, if it still works.
#[server(prefix = "/api/auth", endpoint = "link")]
pub async fn link_details(token: String) -> Result<LinkView, AppError> {
    respond(
        async {
            let link = ctx::db()?.open_link(&token).await?.ok_or_else(|| {
                AppError::NotFound(
                    "This link has expired or has already been used. Ask your administrator for a new one."
                        .into(),
                )
            })?;
            Ok(LinkView {
                setup: link.purpose == crate::data::LinkPurpose::Setup,
                email: link.email,
                display_name: link.display_name,
                organisation: link.organisation,
                role: link.role,
                platform_admin: link.platform_admin,
                expires_at: link.expires_at,
            })
        }
        .await,
    )
}

/// Uses a set-up or invitation link: creates the account; the next step registers a key.
#[server(prefix = "/api/auth", endpoint = "accept")]
pub async fn accept_link(
    token: String,
    email: String,
    name: String,
    password: String,
) -> Result<(), AppError> {
    respond(
        async {
            let request = ctx::request()?;
            crate::auth::flow::accept_link(
                &ctx::db()?,
                &request.session,
                &request.meta,
                &token,
                &email,
                &name,
                &password,
            )
            .await
        }
        .await,
    )
}

/// Signs out of this browser.
#[server(prefix = "/api/auth", endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    respond(
        async {
            let request = ctx::request()?;
            let config = ctx::config()?;
            crate::auth::flow::sign_out(&ctx::db()?, &config, &request.session, &request.meta)
                .await?;
            // The session layer's own removal cookie lacks `Secure`, which browsers require of a
            // `__Host-` cookie; this one carries every attribute, so the browser drops the cookie.
            if config.https()
                && let Some(response) = use_context::<leptos_axum::ResponseOptions>()
            {
                response.append_header(
                    http::header::SET_COOKIE,
                    http::HeaderValue::from_static(
                        "__Host-caf_session=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Secure; HttpOnly; SameSite=Strict",
                    ),
                );
            }
            Ok(())
        }
        .await,
    )
}
