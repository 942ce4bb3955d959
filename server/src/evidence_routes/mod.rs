//! Evidence files over HTTP: the upload form's endpoint, the download link and removal.
//!
//! All three sit behind the sign-in gate and the origin check. Each authorises the caller against
//! the organisation in the path; a refusal, an unknown id and another organisation's item all
//! answer the same 404. Uploads are streamed into the [`BlobStore`] with the size limit enforced
//! as the bytes arrive; downloads are always attachments, checked against their SHA-256 first.

mod download;
mod remove;
mod upload;

use crate::state::AppState;
use app::auth::{RequestAuth, SignedIn, Stage};
use app::browser::escape_query_value;
use app::data::{Actor, DataError, OrgScope};
use app::error::AppError;
use app::roles::Permission;
use axum::{
    Router,
    extract::DefaultBodyLimit,
    http::{StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};
pub use download::attachment_disposition;
use download::download;
use remove::remove;
use upload::upload;

/// Room for the form's text fields and multipart framing on top of the file size limit.
pub const FORM_ALLOWANCE: u64 = 64 * 1024;
/// The longest text field accepted, in bytes.
const MAX_FIELD: usize = 8 * 1024;
/// The most parts a form may have before its file.
const MAX_PARTS: usize = 32;

/// The upload and download routes, for merging into the app's router.
pub fn routes(limit: u64) -> Router<AppState> {
    let body_limit = usize::try_from(limit.saturating_add(FORM_ALLOWANCE)).unwrap_or(usize::MAX);
    Router::new()
        .route(
            "/org/{slug}/evidence/upload",
            post(upload).layer(DefaultBodyLimit::max(body_limit)),
        )
        .route("/org/{slug}/evidence/{id}/download", get(download))
        .route("/org/{slug}/evidence/{id}/remove", post(remove))
}

fn plain(status: StatusCode, text: impl Into<String>) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        text.into(),
    )
        .into_response()
}

/// The one answer to a refusal and to anything that is not there.
fn not_found() -> Response {
    plain(
        StatusCode::NOT_FOUND,
        "Page not found: there is nothing at this address, or you do not have access to it.",
    )
}

fn too_large(limit: u64) -> Response {
    plain(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!(
            "The file is larger than the {} MiB upload limit, so nothing was stored.",
            limit >> 20
        ),
    )
}

fn internal(context: &str, error: impl std::fmt::Display) -> Response {
    let error = AppError::internal(context, error);
    plain(StatusCode::INTERNAL_SERVER_ERROR, error.to_string())
}

/// A data-layer failure as the client sees it: 404 for anything not found or refused.
fn data_error(error: DataError) -> Response {
    match AppError::from(error) {
        AppError::NotFound(_) => not_found(),
        AppError::Internal => plain(
            StatusCode::INTERNAL_SERVER_ERROR,
            AppError::Internal.to_string(),
        ),
        other => plain(
            StatusCode::from_u16(other.status_code()).unwrap_or(StatusCode::BAD_REQUEST),
            other.to_string(),
        ),
    }
}

/// The fully signed-in caller (the gate lets no one else this far) and their audit identity.
fn caller(auth: &RequestAuth) -> Option<(&SignedIn, Actor)> {
    let user = auth.user.as_ref().filter(|u| u.stage == Stage::Full)?;
    let actor = Actor {
        user_id: user.account.id,
        email: user.account.email.clone(),
        address: auth.meta.address.clone(),
    };
    Some((user, actor))
}

/// The caller's scope in the organisation `slug` with `permission`, and their audit identity;
/// anything else is the one 404 (a refusal by a signed-in user is audited by `authorize`).
async fn authorised(
    state: &AppState,
    auth: &RequestAuth,
    slug: &str,
    permission: Permission,
) -> Result<(OrgScope, Actor), Response> {
    let Some((user, actor)) = caller(auth) else {
        return Err(not_found());
    };
    match state
        .db
        .authorize(user.account.id, slug, permission, actor.address.as_deref())
        .await
    {
        Ok(org) => Ok((org, actor)),
        Err(error) => Err(data_error(error)),
    }
}

/// Where to send the browser after an upload: `next` when it is a plain path inside this
/// organisation, else the evidence register.
fn back_to(slug: &str, next: Option<&str>) -> String {
    let inside = format!("/org/{slug}/");
    match next {
        Some(n)
            if n.starts_with(&inside)
                && n.len() <= 2000
                && n.bytes().all(|b| b.is_ascii_graphic())
                && !n.contains("//")
                && !n.contains('\\')
                && !n.contains("..")
                && !n.contains('#') =>
        {
            n.to_owned()
        }
        _ => format!("/org/{slug}/evidence"),
    }
}

fn with_query(path: &str, key: &str, value: &str) -> String {
    let joint = if path.contains('?') { '&' } else { '?' };
    format!("{path}{joint}{key}={}", escape_query_value(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_stays_inside_the_organisation() {
        let default = "/org/alpha/evidence";
        assert_eq!(back_to("alpha", None), default);
        assert_eq!(
            back_to(
                "alpha",
                Some("/org/alpha/assessments/1/scopes/2/outcomes/A1.a")
            ),
            "/org/alpha/assessments/1/scopes/2/outcomes/A1.a"
        );
        for bad in [
            "https://evil.example/org/alpha/",
            "//evil.example/org/alpha/",
            "/org/beta/evidence",
            "/org/alpha/../beta/evidence",
            "/org/alpha//evil",
            "/org/alpha/x y",
            "/org/alpha\\evil",
            "/org/alphabet/evidence",
        ] {
            assert_eq!(back_to("alpha", Some(bad)), default, "{bad}");
        }
        assert_eq!(
            with_query("/org/alpha/evidence?x=1", "added", "7"),
            "/org/alpha/evidence?x=1&added=7"
        );
        assert_eq!(
            with_query(default, "upload_error", "Enter a title."),
            "/org/alpha/evidence?upload_error=Enter%20a%20title."
        );
    }

    #[test]
    fn dispositions_are_attachments_with_safe_names() {
        assert_eq!(
            attachment_disposition("policy v2.pdf"),
            "attachment; filename=\"policy v2.pdf\"; filename*=UTF-8''policy%20v2.pdf"
        );
        assert_eq!(
            attachment_disposition("résumé;.pdf"),
            "attachment; filename=\"r_sum_;.pdf\"; filename*=UTF-8''r%C3%A9sum%C3%A9%3B.pdf"
        );
    }
}
