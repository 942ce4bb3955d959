//! `/org/{slug}/assessments/{id}/report.html` and `.pdf`: the board report for board viewers,
//! approvers, CAF leads and assurers of the organisation; 404 for everyone else, audited.

use crate::state::AppState;
use app::auth::{RequestAuth, Stage};
use app::data::{Actor, AuditEvent, DataError, Db, OrgScope};
use app::roles::Permission;
use axum::{
    Extension, Router,
    extract::{Path, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};

/// The report routes, to merge into the app's router.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/org/{slug}/assessments/{id}/report.html", get(html))
        .route("/org/{slug}/assessments/{id}/report.pdf", get(pdf))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Html,
    Pdf,
}

impl Format {
    fn key(self) -> &'static str {
        match self {
            Format::Html => "html",
            Format::Pdf => "pdf",
        }
    }
}

async fn html(
    state: State<AppState>,
    auth: Extension<RequestAuth>,
    path: Path<(String, String)>,
) -> Response {
    report(state, auth, path, Format::Html).await
}

async fn pdf(
    state: State<AppState>,
    auth: Extension<RequestAuth>,
    path: Path<(String, String)>,
) -> Response {
    report(state, auth, path, Format::Pdf).await
}

fn plain(status: StatusCode, message: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        message.to_owned(),
    )
        .into_response()
}

fn not_found() -> Response {
    plain(StatusCode::NOT_FOUND, "Page not found.")
}

fn internal(context: &str, error: impl std::fmt::Display) -> Response {
    tracing::error!(%error, "{context}");
    plain(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong on the server. Please try again; if it keeps happening, tell your administrator.",
    )
}

/// Appends an audit record for the caller; a failure to audit is logged, not shown.
async fn audit(
    db: &Db,
    scope: &OrgScope,
    actor: &Actor,
    action: &str,
    id: i64,
    detail: serde_json::Value,
) {
    let mut event = AuditEvent::by(&actor.email, action, format!("assessment:{id}"));
    event.actor_id = Some(actor.user_id);
    event.organisation_id = Some(scope.organisation_id());
    event.address = actor.address.clone();
    if let Err(e) = db.append_audit(event.with_detail(detail)).await {
        tracing::error!(error = %e, "audit a board report");
    }
}

#[tracing::instrument(skip_all, fields(slug = %slug, id = %id, format = ?format))]
async fn report(
    State(state): State<AppState>,
    Extension(auth): Extension<RequestAuth>,
    Path((slug, id)): Path<(String, String)>,
    format: Format,
) -> Response {
    let db = &state.db;
    let Some(user) = auth.user.as_ref().filter(|u| u.stage == Stage::Full) else {
        return plain(StatusCode::UNAUTHORIZED, "You need to sign in to do that.");
    };
    let Ok(id) = id.parse::<i64>() else {
        return not_found();
    };
    let scope = match db
        .authorize(
            user.account.id,
            &slug,
            Permission::ReadReports,
            auth.meta.address.as_deref(),
        )
        .await
    {
        Ok(scope) => scope,
        Err(DataError::NotFound(_)) => return not_found(),
        Err(e) => return internal("authorise", e),
    };
    let actor = Actor {
        user_id: user.account.id,
        email: user.account.email.clone(),
        address: auth.meta.address.clone(),
    };
    let report = match super::board_report(db, &scope, id, &state.report.classification).await {
        Ok(report) => report,
        Err(DataError::NotFound(_)) => {
            audit(
                db,
                &scope,
                &actor,
                "access.denied",
                id,
                serde_json::json!({ "permission": "read_reports" }),
            )
            .await;
            return not_found();
        }
        Err(e) => return internal("build a board report", e),
    };
    let (body, media_type, disposition) = match format {
        Format::Html => {
            let links = super::html::ReportLinks {
                pdf: format!("/org/{slug}/assessments/{id}/report.pdf"),
                back: format!("/org/{slug}/reports"),
            };
            match super::html::render_html(&report, &links) {
                Ok(text) => (text.into_bytes(), "text/html; charset=utf-8", None),
                Err(e) => return internal("render a board report", e),
            }
        }
        Format::Pdf => match super::pdf::render_pdf(&report) {
            Ok(bytes) => (
                bytes,
                "application/pdf",
                Some(format!(
                    "attachment; filename=\"{}\"",
                    super::file_name(&report, "pdf")
                )),
            ),
            Err(e) => return internal("render a board report PDF", e),
        },
    };
    audit(
        db,
        &scope,
        &actor,
        "report.view",
        id,
        serde_json::json!({ "format": format.key(), "draft": report.draft }),
    )
    .await;
    let mut headers = HeaderMap::new();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
    if let Some(value) = disposition.and_then(|d| HeaderValue::from_str(&d).ok()) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    (StatusCode::OK, headers, body).into_response()
}
