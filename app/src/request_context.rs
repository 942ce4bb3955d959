//! What every server function needs from the request it serves: the database, the sign-in
//! settings, the caller (fully signed in, or a platform administrator), an audit event in their
//! name, the organisation scope they hold for a permission, and an error's HTTP status.

use crate::error::AppError;

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

pub(crate) use ctx::respond;

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
