//! Server functions for signing in, the user's own account, organisations and administration.
//!
//! Every function here is a POST. Those under `/api/auth/` are reachable before sign-in is
//! complete and check the session's stage themselves (in `auth::flow`); the rest sit behind the
//! server's sign-in gate and check the caller's role in one place: `Db::authorize`.

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::roles::Role;
use crate::types::{
    AccountView, AdminOverview, LinkView, MemberRow, OrgView, RegisteredKey, SessionView, Stage,
    ViewerInfo,
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use webauthn_rs_proto::{
    CreationChallengeResponse, PublicKeyCredential, RegisterPublicKeyCredential,
    RequestChallengeResponse,
};

#[cfg(feature = "ssr")]
pub(crate) mod ctx {
    use crate::auth::{AuthConfig, RequestAuth, SignedIn, Stage};
    use crate::data::{AuditEvent, Db};
    use crate::error::AppError;
    use leptos::prelude::*;

    pub fn db() -> Result<Db, AppError> {
        use_context::<Db>().ok_or_else(|| AppError::internal("context", "no database"))
    }

    pub fn config() -> Result<AuthConfig, AppError> {
        use_context::<AuthConfig>().ok_or_else(|| AppError::internal("context", "no auth config"))
    }

    pub fn request() -> Result<RequestAuth, AppError> {
        use_context::<http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<RequestAuth>().cloned())
            .ok_or_else(|| AppError::internal("context", "no sign-in state for this request"))
    }

    /// The fully signed-in user, or 401.
    pub fn user() -> Result<SignedIn, AppError> {
        match request()?.user {
            Some(user) if user.stage == Stage::Full => Ok(user),
            _ => Err(AppError::sign_in_needed()),
        }
    }

    /// The signed-in platform administrator, or 404 (others are not told the page exists).
    pub fn platform_admin() -> Result<SignedIn, AppError> {
        let user = user()?;
        if user.account.is_platform_admin {
            Ok(user)
        } else {
            Err(AppError::not_found("That page"))
        }
    }

    /// An audit event by the signed-in user.
    pub fn event(user: &SignedIn, action: &str, object: String) -> Result<AuditEvent, AppError> {
        let mut event = AuditEvent::by(&user.account.email, action, object);
        event.actor_id = Some(user.account.id);
        event.address = request()?.meta.address;
        Ok(event)
    }

    /// Sets the HTTP status (and Retry-After) that goes with an error, and passes it on.
    pub fn respond<T>(result: Result<T, AppError>) -> Result<T, AppError> {
        if let Err(error) = &result
            && let Some(response) = use_context::<leptos_axum::ResponseOptions>()
        {
            if let Ok(code) = http::StatusCode::from_u16(error.status_code()) {
                response.set_status(code);
            }
            if let AppError::TooManyRequests(seconds) = error
                && let Ok(value) = http::HeaderValue::from_str(&seconds.to_string())
            {
                response.insert_header(http::header::RETRY_AFTER, value);
            }
        }
        result
    }
}

#[cfg(feature = "ssr")]
pub(crate) use ctx::respond;

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

/// The signed-in user's account: keys and recovery codes.
#[server(prefix = "/api/account", endpoint = "overview")]
pub async fn my_account() -> Result<AccountView, AppError> {
    respond(
        async {
            let user = ctx::user()?;
            let db = ctx::db()?;
            let keys = db.security_keys(user.account.id).await?;
            Ok(AccountView {
                name: user.account.display_name.clone(),
                email: user.account.email.clone(),
                keys: keys
                    .into_iter()
                    .map(|k| crate::types::KeyView {
                        id: k.id,
                        name: k.name,
                        created_at: k.created_at,
                        last_used_at: k.last_used_at,
                        backup_eligible: k.backup_eligible,
                    })
                    .collect(),
                recovery_codes_left: db.unused_recovery_codes(user.account.id).await?,
                fresh: user.is_fresh(),
                recovered: user.recovered,
            })
        }
        .await,
    )
}

/// Renames one of the user's keys (needs a fresh sign-in).
#[server(prefix = "/api/account", endpoint = "rename_key")]
pub async fn rename_key(key_id: i64, name: String) -> Result<(), AppError> {
    respond(
        async {
            let request = ctx::request()?;
            crate::auth::flow::rename_key(
                &ctx::db()?,
                &ctx::config()?,
                &request.session,
                &request.meta,
                key_id,
                &name,
            )
            .await
        }
        .await,
    )
}

/// Removes one of the user's keys (needs a fresh sign-in; never the last one).
#[server(prefix = "/api/account", endpoint = "remove_key")]
pub async fn remove_key(key_id: i64) -> Result<(), AppError> {
    respond(
        async {
            let request = ctx::request()?;
            crate::auth::flow::remove_key(
                &ctx::db()?,
                &ctx::config()?,
                &request.session,
                &request.meta,
                key_id,
            )
            .await
        }
        .await,
    )
}

/// Issues ten new recovery codes (needs a fresh sign-in); the old ones stop working.
#[server(prefix = "/api/account", endpoint = "recovery_codes")]
pub async fn new_recovery_codes() -> Result<Vec<String>, AppError> {
    respond(
        async {
            let request = ctx::request()?;
            crate::auth::flow::new_recovery_codes(
                &ctx::db()?,
                &ctx::config()?,
                &request.session,
                &request.meta,
            )
            .await
        }
        .await,
    )
}

/// The user's live sessions.
#[server(prefix = "/api/account", endpoint = "sessions")]
pub async fn my_sessions() -> Result<Vec<SessionView>, AppError> {
    respond(
        async {
            let user = ctx::user()?;
            let current = ctx::request()?
                .session
                .id()
                .map(|id| crate::data::session_id_hash(&id));
            Ok(ctx::db()?
                .user_sessions(user.account.id)
                .await?
                .into_iter()
                .map(|s| SessionView {
                    current: current.as_deref() == Some(s.id_hash.as_str()),
                    created_at: s.created_at,
                    last_seen_at: s.last_seen_at,
                    address: s.address,
                    user_agent: s.user_agent,
                })
                .collect())
        }
        .await,
    )
}

/// Ends every other session of the user; returns how many.
#[server(prefix = "/api/account", endpoint = "sign_out_elsewhere")]
pub async fn sign_out_elsewhere() -> Result<u64, AppError> {
    respond(
        async {
            let request = ctx::request()?;
            crate::auth::flow::sign_out_elsewhere(
                &ctx::db()?,
                &ctx::config()?,
                &request.session,
                &request.meta,
            )
            .await
        }
        .await,
    )
}

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
fn parse_role(role: &str) -> Result<Role, AppError> {
    Role::from_key(role).ok_or_else(|| AppError::BadRequest("Choose a role.".into()))
}

/// Checks an optional end date typed as YYYY-MM-DD and turns it into the end of that day, UTC.
#[cfg(feature = "ssr")]
fn parse_until(until: &str, role: Role) -> Result<Option<String>, AppError> {
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
async fn invite(
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

/// Records on one page of the audit log.
pub const AUDIT_PAGE_SIZE: i64 = 50;

/// One page of the audit log under the filters a person chose, with names for the ids in it.
#[cfg(feature = "ssr")]
async fn audit_page(
    viewer: i64,
    organisation_id: Option<i64>,
    filter: AuditQuery,
) -> Result<crate::types::AuditPage, AppError> {
    let db = ctx::db()?;
    let day = |text: &str, what: &str| -> Result<Option<String>, AppError> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(None);
        }
        let bytes = text.as_bytes();
        let shaped = text.len() == 10
            && bytes[4] == b'-'
            && bytes[7] == b'-'
            && text
                .chars()
                .enumerate()
                .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
        if shaped {
            Ok(Some(text.to_owned()))
        } else {
            Err(AppError::BadRequest(format!(
                "The {what} date must look like 2026-11-25."
            )))
        }
    };
    let page = filter.page.max(0);
    let records = db
        .audit_records_for(
            viewer,
            &crate::data::AuditFilter {
                organisation_id,
                action_prefix: Some(filter.action.trim().to_owned()).filter(|a| !a.is_empty()),
                actor_id: filter.who,
                object_prefix: Some(filter.object.trim().to_owned()).filter(|o| !o.is_empty()),
                from_date: day(&filter.from, "from")?,
                to_date: day(&filter.to, "to")?,
                offset: page.saturating_mul(AUDIT_PAGE_SIZE),
                limit: AUDIT_PAGE_SIZE + 1,
                ..Default::default()
            },
        )
        .await?;
    let more = records.len() as i64 > AUDIT_PAGE_SIZE;
    let records: Vec<_> = records.into_iter().take(AUDIT_PAGE_SIZE as usize).collect();
    let object_user = |object: &str| {
        object
            .strip_prefix("user:")
            .and_then(|id| id.parse::<i64>().ok())
    };
    let mut ids: Vec<i64> = records
        .iter()
        .flat_map(|r| [r.event.actor_id, object_user(&r.event.object)])
        .flatten()
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let names = db.user_names(&ids).await?;
    let rows = records
        .into_iter()
        .map(|r| crate::types::AuditRow {
            seq: r.seq,
            occurred_at: r.occurred_at,
            actor: r
                .event
                .actor_id
                .and_then(|id| names.get(&id).cloned())
                .unwrap_or(r.event.actor),
            actor_id: r.event.actor_id,
            object_name: object_user(&r.event.object).and_then(|id| names.get(&id).cloned()),
            action: r.event.action,
            object: r.event.object,
            address: r.event.address,
            detail: if r.event.detail.is_null() {
                String::new()
            } else {
                r.event.detail.to_string()
            },
        })
        .collect();
    Ok(crate::types::AuditPage {
        rows,
        people: db.audit_people(organisation_id).await?,
        more,
    })
}

/// The filters and page of an audit log view, as they appear in the page's address.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditQuery {
    /// Only this person's actions (user id).
    pub who: Option<i64>,
    /// Only actions starting with this text.
    pub action: String,
    /// Only objects starting with this text, e.g. `user:15` or `scope:3`.
    pub object: String,
    /// From this day (`YYYY-MM-DD`), or empty.
    pub from: String,
    /// To this day (`YYYY-MM-DD`), or empty.
    pub to: String,
    /// Which page, from 0 (newest).
    pub page: i64,
}

impl AuditQuery {
    /// The query from the parts a request may leave out.
    pub fn from_parts(
        who: Option<i64>,
        action: Option<String>,
        object: Option<String>,
        from: Option<String>,
        to: Option<String>,
        page: Option<i64>,
    ) -> Self {
        Self {
            who,
            action: action.unwrap_or_default(),
            object: object.unwrap_or_default(),
            from: from.unwrap_or_default(),
            to: to.unwrap_or_default(),
            page: page.unwrap_or_default().max(0),
        }
    }
}

/// The whole audit log, newest first, one page under filters (platform administrator).
#[server(prefix = "/api/admin", endpoint = "audit")]
pub async fn platform_audit(
    who: Option<i64>,
    action: Option<String>,
    object: Option<String>,
    from: Option<String>,
    to: Option<String>,
    page: Option<i64>,
) -> Result<crate::types::AuditPage, AppError> {
    respond(
        async {
            let user = ctx::platform_admin()?;
            let filter = AuditQuery::from_parts(who, action, object, from, to, page);
            audit_page(user.account.id, None, filter).await
        }
        .await,
    )
}

#[cfg(feature = "ssr")]
pub(crate) async fn scope(
    slug: &str,
    permission: crate::roles::Permission,
) -> Result<(crate::auth::SignedIn, crate::data::OrgScope), AppError> {
    let user = ctx::user()?;
    let request = ctx::request()?;
    let scope = ctx::db()?
        .authorize(
            user.account.id,
            slug,
            permission,
            request.meta.address.as_deref(),
        )
        .await?;
    Ok((user, scope))
}

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

/// The organisation's audit log, newest first, one page under filters (organisation admin).
#[server(prefix = "/api/org", endpoint = "audit")]
pub async fn org_audit(
    slug: String,
    who: Option<i64>,
    action: Option<String>,
    object: Option<String>,
    from: Option<String>,
    to: Option<String>,
    page: Option<i64>,
) -> Result<crate::types::AuditPage, AppError> {
    respond(
        async {
            let (user, scope) = scope(&slug, crate::roles::Permission::ManageMembers).await?;
            let filter = AuditQuery::from_parts(who, action, object, from, to, page);
            audit_page(user.account.id, Some(scope.organisation_id()), filter).await
        }
        .await,
    )
}
