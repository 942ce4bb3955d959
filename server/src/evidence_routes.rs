//! Evidence files over HTTP: the upload form's endpoint, the download link and removal.
//!
//! All three sit behind the sign-in gate and the origin check. Each authorises the caller against
//! the organisation in the path; a refusal, an unknown id and another organisation's item all
//! answer the same 404. Uploads are streamed into the [`BlobStore`] with the size limit enforced
//! as the bytes arrive; downloads are always attachments, checked against their SHA-256 first.

use crate::state::AppState;
use crate::storage::{BlobStore, ByteStream, StoreError};
use app::auth::{RequestAuth, SignedIn, Stage};
use app::data::{Actor, DataError, EvidenceBody, OrgScope, StoredFile, check_evidence};
use app::error::AppError;
use app::filetypes::{self, FileKind};
use app::roles::Permission;
use app::{assess::EvidenceFields, browser::escape_query_value};
use axum::{
    Router,
    extract::{
        DefaultBodyLimit, Extension, FromRequest, Path, Request, State,
        multipart::{Field, Multipart, MultipartError},
    },
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use bytes::Bytes;
use futures_util::StreamExt;
use std::collections::HashMap;

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

fn upload_error(back: &str, message: &str) -> Response {
    Redirect::to(&with_query(back, "upload_error", message)).into_response()
}

fn multipart_error(error: &MultipartError, limit: u64) -> Response {
    if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
        too_large(limit)
    } else {
        plain(
            StatusCode::BAD_REQUEST,
            "The upload could not be read as a form; nothing was stored.",
        )
    }
}

/// A text field's value, or `None` when it is too long or not UTF-8.
async fn read_text(field: &mut Field<'_>) -> Result<Option<String>, MultipartError> {
    let mut buf = Vec::new();
    while let Some(chunk) = field.chunk().await? {
        if buf.len() + chunk.len() > MAX_FIELD {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(String::from_utf8(buf).ok())
}

/// The fields before the file, checked together with the outcome to link to: every problem in
/// one message, or the scope and outcome (if any) to link the new item to.
async fn check_form(
    state: &AppState,
    org: &OrgScope,
    form: &HashMap<String, String>,
    fields: &EvidenceFields,
    file_name: &str,
    kind: Result<&FileKind, String>,
) -> Result<Result<Option<(i64, String)>, String>, Response> {
    let mut problems = check_evidence(
        fields,
        &EvidenceBody::File(StoredFile {
            sha256: String::new(),
            name: file_name.to_owned(),
            size: 1,
            media_type: kind
                .as_ref()
                .map_or_else(|_| String::new(), |k| k.media_type.to_owned()),
        }),
    );
    if file_name.trim().is_empty() {
        problems.push("Choose a file to upload.".to_owned());
    } else if let Err(problem) = kind {
        problems.push(problem);
    }
    let text = |key: &str| form.get(key).map(|v| v.trim()).unwrap_or_default();
    let (scope_id, outcome) = (text("scope_id"), text("outcome"));
    let mut link = None;
    if !scope_id.is_empty() || !outcome.is_empty() {
        match scope_id.parse::<i64>() {
            Ok(scope_id) if !outcome.is_empty() => {
                match state.db.check_linkable(org, scope_id, outcome).await {
                    Ok(()) => link = Some((scope_id, outcome.to_owned())),
                    Err(DataError::NotFound(_)) => {
                        problems.push("The outcome to link the file to was not found.".to_owned())
                    }
                    Err(DataError::Conflict(message) | DataError::Invalid(message)) => {
                        problems.push(message)
                    }
                    Err(other) => return Err(data_error(other)),
                }
            }
            _ => problems.push("The outcome to link the file to was not found.".to_owned()),
        }
    }
    Ok(if problems.is_empty() {
        Ok(link)
    } else {
        Err(problems.join(" "))
    })
}

/// `POST /org/{slug}/evidence/upload`: a multipart form whose last part is `file`.
async fn upload(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Extension(auth): Extension<RequestAuth>,
    request: Request,
) -> Response {
    let (org, actor) = match authorised(&state, &auth, &slug, Permission::EditAnswers).await {
        Ok(found) => found,
        Err(refused) => return refused,
    };
    let limit = state.evidence.limit;
    if declared_length(request.headers()).is_some_and(|n| n > limit.saturating_add(FORM_ALLOWANCE))
    {
        return too_large(limit);
    }
    let mut multipart = match Multipart::from_request(request, &state).await {
        Ok(m) => m,
        Err(_) => {
            return plain(
                StatusCode::BAD_REQUEST,
                "Send the upload as a multipart/form-data form; nothing was stored.",
            );
        }
    };
    let mut form: HashMap<String, String> = HashMap::new();
    let mut parts = 0;
    loop {
        let mut field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(error) => return multipart_error(&error, limit),
        };
        let back = back_to(&slug, form.get("next").map(String::as_str));
        parts += 1;
        if parts > MAX_PARTS {
            return upload_error(&back, "The form has too many fields; nothing was stored.");
        }
        let name = field.name().unwrap_or_default().to_owned();
        if name != "file" {
            match read_text(&mut field).await {
                Ok(Some(value)) => {
                    form.entry(name).or_insert(value);
                }
                Ok(None) => {
                    return upload_error(
                        &back,
                        "A form field was too long or not text; nothing was stored.",
                    );
                }
                Err(error) => return multipart_error(&error, limit),
            }
            continue;
        }
        let file_name = field.file_name().unwrap_or_default().to_owned();
        let kind = filetypes::claimed_kind(&file_name, field.content_type().unwrap_or_default());
        let optional = |key: &str| form.get(key).cloned().filter(|v| !v.trim().is_empty());
        let fields = EvidenceFields {
            title: form.get("title").cloned().unwrap_or_default(),
            owner: form.get("owner").cloned().unwrap_or_default(),
            describes_date: optional("describes_date"),
            review_by: optional("review_by"),
            classification: form.get("classification").cloned().unwrap_or_default(),
        };
        let link = match check_form(&state, &org, &form, &fields, &file_name, kind.clone()).await {
            Ok(Ok(link)) => link,
            Ok(Err(problems)) => return upload_error(&back, &problems),
            Err(response) => return response,
        };
        let Ok(kind) = kind else {
            return upload_error(&back, "Choose a file to upload.");
        };
        let lifecycle = state.evidence.lifecycle.read().await;
        let stored = match store_file(state.evidence.blobs.as_ref(), field, kind, limit).await {
            Ok(Upload::Stored(stored)) => stored,
            Ok(Upload::Empty) => {
                return upload_error(&back, "The file is empty; nothing was stored.");
            }
            Ok(Upload::NotItsKind) => {
                return upload_error(
                    &back,
                    &format!("{} Nothing was stored.", filetypes::content_mismatch(kind)),
                );
            }
            Err(StoreError::TooLarge { .. }) => return too_large(limit),
            Err(StoreError::Body(message)) => {
                tracing::info!(%message, "evidence upload abandoned");
                return plain(
                    StatusCode::BAD_REQUEST,
                    "The upload did not arrive whole; nothing was stored.",
                );
            }
            Err(error) => return internal("storing an evidence file", error),
        };
        let body = EvidenceBody::File(StoredFile {
            sha256: stored.sha256,
            name: file_name,
            size: i64::try_from(stored.size).unwrap_or(i64::MAX),
            media_type: kind.media_type.to_owned(),
        });
        let id = match state.db.create_evidence(&org, &fields, &body, &actor).await {
            Ok(id) => id,
            Err(DataError::Invalid(message)) => return upload_error(&back, &message),
            Err(error) => return data_error(error),
        };
        drop(lifecycle);
        if let Some((scope_id, outcome)) = link
            && let Err(error) = state
                .db
                .link_evidence(&org, id, scope_id, &outcome, true, &actor)
                .await
        {
            let message = match error {
                DataError::Conflict(m) | DataError::Invalid(m) => m,
                DataError::NotFound(_) => "The outcome to link the file to was not found.".into(),
                other => return data_error(other),
            };
            let back = with_query(&back, "added", &id.to_string());
            return upload_error(
                &back,
                &format!("The file was added to the register but not linked: {message}"),
            );
        }
        return Redirect::to(&with_query(&back, "added", &id.to_string())).into_response();
    }
    upload_error(
        &back_to(&slug, form.get("next").map(String::as_str)),
        "Choose a file to upload.",
    )
}

/// The request's declared body length, if it has one.
fn declared_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .parse()
        .ok()
}

/// What became of an upload's file part.
enum Upload {
    /// It is in the store.
    Stored(crate::storage::PutBlob),
    /// It had no bytes at all; nothing was stored.
    Empty,
    /// Its first bytes are not what its name and declared type say; nothing was stored.
    NotItsKind,
}

/// Streams the file part into the store once its first bytes show it is the kind it claims to be.
async fn store_file(
    blobs: &dyn BlobStore,
    field: Field<'_>,
    kind: &FileKind,
    limit: u64,
) -> Result<Upload, StoreError> {
    let mut chunks = futures_util::stream::try_unfold(field, |mut field| async move {
        match field.chunk().await {
            Ok(Some(chunk)) => Ok(Some((chunk, field))),
            Ok(None) => Ok(None),
            Err(error) if error.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Err(StoreError::TooLarge { limit })
            }
            Err(error) => Err(StoreError::Body(error.body_text())),
        }
    })
    .boxed();
    // Read up to the sniffing length (or the whole file, if shorter) before storing anything.
    let mut head = Vec::new();
    let mut whole = false;
    while head.len() < filetypes::SNIFF_LEN {
        match chunks.next().await {
            Some(Ok(chunk)) => {
                head.extend_from_slice(&chunk);
                if head.len() as u64 > limit {
                    return Err(StoreError::TooLarge { limit });
                }
            }
            Some(Err(error)) => return Err(error),
            None => {
                whole = true;
                break;
            }
        }
    }
    if head.is_empty() {
        return Ok(Upload::Empty);
    }
    let sample = &head[..head.len().min(filetypes::SNIFF_LEN)];
    if !filetypes::content_matches(kind, sample, whole && sample.len() == head.len()) {
        return Ok(Upload::NotItsKind);
    }
    let first = Bytes::from(head);
    let body: ByteStream<'_> =
        Box::pin(futures_util::stream::once(async { Ok(first) }).chain(chunks));
    blobs.put(body, limit).await.map(Upload::Stored)
}

/// A file name for the `filename` parameter: printable ASCII, anything else as `_`.
fn ascii_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if (c.is_ascii_graphic() || c == ' ') && c != '"' && c != '\\' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// What RFC 8187 lets stand in a `filename*` value here: letters, digits and `-._~`.
const ATTR_CHAR: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The UTF-8 name for the `filename*` parameter, percent-encoded (RFC 8187).
fn encoded_name(name: &str) -> String {
    percent_encoding::utf8_percent_encode(name, ATTR_CHAR).to_string()
}

/// `Content-Disposition` for a download of a file shown as `name` (already a bare file name).
pub fn attachment_disposition(name: &str) -> String {
    format!(
        "attachment; filename=\"{}\"; filename*=UTF-8''{}",
        ascii_name(name),
        encoded_name(name)
    )
}

/// `GET /org/{slug}/evidence/{id}/download`: the file, as an attachment, if its bytes still
/// match their recorded SHA-256.
async fn download(
    State(state): State<AppState>,
    Path((slug, id)): Path<(String, String)>,
    Extension(auth): Extension<RequestAuth>,
) -> Response {
    let (org, actor) = match authorised(&state, &auth, &slug, Permission::ReadAssessments).await {
        Ok(found) => found,
        Err(refused) => return refused,
    };
    let Ok(id) = id.parse::<i64>() else {
        return not_found();
    };
    let (sha256, name, _size) = match state.db.evidence_file(&org, id).await {
        Ok(file) => file,
        Err(error) => return data_error(error),
    };
    let object = format!("evidence:{id}");
    let bytes = match state.evidence.blobs.get(&sha256).await {
        Ok(bytes) => bytes,
        Err(StoreError::Tampered { expected, actual }) => {
            tracing::error!(%object, %expected, %actual, "stored evidence file does not match its SHA-256");
            let event = actor.event(
                &org,
                "evidence.tampered",
                object,
                serde_json::json!({ "sha256": expected, "found": actual }),
            );
            if let Err(error) = state.db.append_audit(event).await {
                return data_error(error);
            }
            return plain(
                StatusCode::INTERNAL_SERVER_ERROR,
                "The stored file does not match its recorded SHA-256, so it was not sent: it has \
                 been changed or damaged on the server since it was uploaded. This has been \
                 recorded in the audit log; tell your administrator.",
            );
        }
        Err(StoreError::Missing(_)) => {
            tracing::error!(%object, %sha256, "stored evidence file is missing");
            let event = actor.event(
                &org,
                "evidence.missing",
                object,
                serde_json::json!({ "sha256": sha256 }),
            );
            if let Err(error) = state.db.append_audit(event).await {
                return data_error(error);
            }
            return plain(
                StatusCode::INTERNAL_SERVER_ERROR,
                "The stored file is missing from the server, so it cannot be sent. This has been \
                 recorded in the audit log; tell your administrator.",
            );
        }
        Err(error) => return internal("reading an evidence file", error),
    };
    let event = actor.event(
        &org,
        "evidence.download",
        object,
        serde_json::json!({ "sha256": sha256 }),
    );
    if let Err(error) = state.db.append_audit(event).await {
        return data_error(error);
    }
    let disposition = HeaderValue::from_str(&attachment_disposition(&name))
        .unwrap_or(HeaderValue::from_static("attachment"));
    let sha = HeaderValue::from_str(&sha256).unwrap_or(HeaderValue::from_static(""));
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/octet-stream"),
            ),
            (header::CONTENT_DISPOSITION, disposition),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        [("x-evidence-sha256", sha)],
        bytes,
    )
        .into_response()
}

/// Removes an item from the register (the form under "Change details"), and its file's bytes
/// once no register item uses them. Answers with the register, saying what happened.
async fn remove(
    State(state): State<AppState>,
    Path((slug, id)): Path<(String, String)>,
    Extension(auth): Extension<RequestAuth>,
) -> Response {
    let (org, actor) = match authorised(&state, &auth, &slug, Permission::EditAnswers).await {
        Ok(found) => found,
        Err(refused) => return refused,
    };
    let Ok(id) = id.parse::<i64>() else {
        return not_found();
    };
    let register = format!("/org/{slug}/evidence");
    let unused = match state.db.remove_evidence(&org, id, &actor).await {
        Ok(unused) => unused,
        Err(DataError::Conflict(message)) => {
            let back = with_query(&register, "edit", &id.to_string());
            return Redirect::to(&with_query(&back, "remove_error", &message)).into_response();
        }
        Err(error) => return data_error(error),
    };
    if let Some(sha256) = unused {
        // Decided again under the exclusive lock: an upload of the same bytes may have stored
        // them (and be about to add its item) since the removal was committed.
        let _lifecycle = state.evidence.lifecycle.write().await;
        let in_use = match state.db.evidence_file_in_use(&sha256).await {
            Ok(in_use) => in_use,
            Err(error) => return data_error(error),
        };
        if !in_use && let Err(error) = state.evidence.blobs.remove(&sha256).await {
            // The item is gone from the register either way; the bytes wait for an administrator.
            tracing::error!(%sha256, %error, "could not delete a removed evidence file's bytes");
        }
    }
    Redirect::to(&with_query(&register, "removed", &id.to_string())).into_response()
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
