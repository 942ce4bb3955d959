//! Download an assessment as JSON or CSV, and upload an export file to import it.
//!
//! These are plain HTTP routes (files go both ways), behind the sign-in gate like every private
//! path; the upload passes the origin check like every state-changing request. Each handler then
//! checks the caller's role in the organisation with `Db::authorize`, and anything refused or
//! missing answers the same 404.

use crate::state::AppState;
use app::auth::{RequestAuth, Stage};
use app::data::{Actor, AuditEvent, DataError, Db, ImportError, MAX_IMPORT_BYTES, OrgScope};
use app::roles::Permission;
use axum::{
    Extension, Router,
    extract::{DefaultBodyLimit, Multipart, Path, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};

/// The most an import request may carry: the file plus the form's own framing.
pub const IMPORT_REQUEST_LIMIT: usize = MAX_IMPORT_BYTES + 64 * 1024;

/// The longest list of problems carried back to the page in the redirect, in characters.
const PROBLEMS_IN_REDIRECT: usize = 3000;

/// The exchange routes, to merge into the app's router.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/org/{slug}/assessments/{id}/export.json", get(export_json))
        .route("/org/{slug}/assessments/{id}/export.csv", get(export_csv))
        .route(
            "/org/{slug}/assessments/import",
            post(import).layer(DefaultBodyLimit::max(IMPORT_REQUEST_LIMIT)),
        )
}

#[derive(Debug, Clone, Copy)]
enum Format {
    Json,
    Csv,
}

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "Page not found.",
    )
        .into_response()
}

fn plain(status: StatusCode, message: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        message.to_owned(),
    )
        .into_response()
}

fn internal(context: &str, error: impl std::fmt::Display) -> Response {
    tracing::error!(%error, "{context}");
    plain(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong on the server. Please try again; if it keeps happening, tell your administrator.",
    )
}

/// The signed-in person and their scope in `slug`, or the response that refuses them.
async fn member(
    db: &Db,
    auth: &RequestAuth,
    slug: &str,
    permission: Permission,
) -> Result<(OrgScope, Actor), Response> {
    let Some(user) = auth.user.as_ref().filter(|u| u.stage == Stage::Full) else {
        return Err(plain(
            StatusCode::UNAUTHORIZED,
            "You need to sign in to do that.",
        ));
    };
    let address = auth.meta.address.as_deref();
    match db
        .authorize(user.account.id, slug, permission, address)
        .await
    {
        Ok(scope) => Ok((
            scope,
            Actor {
                user_id: user.account.id,
                email: user.account.email.clone(),
                address: auth.meta.address.clone(),
            },
        )),
        Err(DataError::NotFound(_)) => Err(not_found()),
        Err(e) => Err(internal("authorise", e)),
    }
}

/// Records that a member asked for an assessment their organisation does not have.
async fn deny(db: &Db, scope: &OrgScope, actor: &Actor, id: i64) {
    let mut event = AuditEvent::by(&actor.email, "access.denied", format!("assessment:{id}"));
    event.actor_id = Some(actor.user_id);
    event.organisation_id = Some(scope.organisation_id());
    event.address = actor.address.clone();
    if let Err(e) = db
        .append_audit(event.with_detail(serde_json::json!({ "permission": "read_assessments" })))
        .await
    {
        tracing::error!(error = %e, "audit a refused export");
    }
}

async fn export_json(
    state: State<Db>,
    auth: Extension<RequestAuth>,
    path: Path<(String, String)>,
) -> Response {
    export(state, auth, path, Format::Json).await
}

async fn export_csv(
    state: State<Db>,
    auth: Extension<RequestAuth>,
    path: Path<(String, String)>,
) -> Response {
    export(state, auth, path, Format::Csv).await
}

#[tracing::instrument(skip_all, fields(slug = %slug, id = %id, format = ?format))]
async fn export(
    State(db): State<Db>,
    Extension(auth): Extension<RequestAuth>,
    Path((slug, id)): Path<(String, String)>,
    format: Format,
) -> Response {
    let Ok(id) = id.parse::<i64>() else {
        return not_found();
    };
    let (scope, actor) = match member(&db, &auth, &slug, Permission::ReadAssessments).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let (body, media_type, extension) = match format {
        Format::Json => match db.export_assessment(&scope, id, &actor).await {
            Ok(document) => match serde_json::to_string_pretty(&document) {
                Ok(text) => (text + "\n", "application/json; charset=utf-8", "json"),
                Err(e) => return internal("serialise export", e),
            },
            Err(e) => return export_failed(&db, &scope, &actor, id, e).await,
        },
        Format::Csv => match db.assessment_csv(&scope, id, &actor).await {
            Ok(text) => (text, "text/csv; charset=utf-8", "csv"),
            Err(e) => return export_failed(&db, &scope, &actor, id, e).await,
        },
    };
    let disposition = format!("attachment; filename=\"{slug}-assessment-{id}.{extension}\"");
    let mut headers = HeaderMap::new();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    (StatusCode::OK, headers, body).into_response()
}

async fn export_failed(
    db: &Db,
    scope: &OrgScope,
    actor: &Actor,
    id: i64,
    error: DataError,
) -> Response {
    match error {
        DataError::NotFound(_) => {
            deny(db, scope, actor, id).await;
            not_found()
        }
        other => internal("export an assessment", other),
    }
}

/// The assessments page with the problems of a refused import, for it to show.
fn refused(slug: &str, problems: &[String]) -> Response {
    let mut text = String::new();
    for (shown, problem) in problems.iter().enumerate() {
        if text.len() + problem.len() > PROBLEMS_IN_REDIRECT {
            text.push_str(&format!(
                "… and {} more problem(s).",
                problems.len() - shown
            ));
            break;
        }
        text.push_str(problem);
        text.push('\n');
    }
    let text = text.trim_end();
    Redirect::to(&format!(
        "/org/{slug}/assessments?import_error={}",
        app::browser::escape_query_value(text)
    ))
    .into_response()
}

#[tracing::instrument(skip_all, fields(slug = %slug))]
async fn import(
    State(db): State<Db>,
    Extension(auth): Extension<RequestAuth>,
    Path(slug): Path<String>,
    request_headers: HeaderMap,
    mut form: Multipart,
) -> Response {
    let declared = request_headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let too_large = || {
        plain(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!(
                "The file is too large: an export file is at most {} MiB.",
                MAX_IMPORT_BYTES / (1024 * 1024)
            ),
        )
    };
    if declared.is_some_and(|n| n > IMPORT_REQUEST_LIMIT) {
        return too_large();
    }
    let (scope, actor) = match member(&db, &auth, &slug, Permission::LeadAssessment).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let (mut file, mut title) = (None::<Vec<u8>>, None::<String>);
    loop {
        let mut field = match form.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return too_large(),
            Err(_) => return plain(StatusCode::BAD_REQUEST, "The upload could not be read."),
        };
        let name = field.name().unwrap_or_default().to_owned();
        let cap = if name == "file" {
            MAX_IMPORT_BYTES
        } else {
            1000
        };
        let mut bytes = Vec::new();
        loop {
            match field.chunk().await {
                Ok(Some(chunk)) => {
                    if bytes.len() + chunk.len() > cap {
                        return if name == "file" {
                            too_large()
                        } else {
                            plain(StatusCode::BAD_REQUEST, "A form field is too long.")
                        };
                    }
                    bytes.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return too_large(),
                Err(_) => return plain(StatusCode::BAD_REQUEST, "The upload could not be read."),
            }
        }
        match name.as_str() {
            "file" => file = Some(bytes),
            "title" => title = Some(String::from_utf8_lossy(&bytes).into_owned()),
            _ => {}
        }
    }
    let Some(file) = file.filter(|f| !f.is_empty()) else {
        return refused(
            &slug,
            &["Choose an export file (JSON) to import.".to_owned()],
        );
    };
    let Ok(text) = String::from_utf8(file) else {
        return refused(
            &slug,
            &["$: the file is not UTF-8 text; choose an assessment export (JSON).".to_owned()],
        );
    };
    let title = title.as_deref().map(str::trim).filter(|t| !t.is_empty());
    match db.import_assessment(&scope, &text, title, &actor).await {
        Ok(report) => Redirect::to(&format!("/org/{slug}/assessments/{}", report.assessment_id))
            .into_response(),
        Err(ImportError::Rejected(problems)) => refused(
            &slug,
            &problems.iter().map(ToString::to_string).collect::<Vec<_>>(),
        ),
        Err(ImportError::Data(DataError::NotFound(_))) => not_found(),
        Err(ImportError::Data(e)) => internal("import an assessment", e),
    }
}
