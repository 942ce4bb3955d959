//! `POST /org/{slug}/evidence/upload`: the register's and the outcome page's upload form. The
//! text fields are read and checked first; the file is streamed into the store with the size
//! limit enforced as it arrives and its signature checked before anything is kept.

use super::*;
use crate::state::AppState;
use crate::storage::{BlobStore, ByteStream, StoreError};
use app::assess::EvidenceFields;
use app::auth::RequestAuth;
use app::data::{DataError, EvidenceBody, OrgScope, StoredFile, check_evidence};
use app::filetypes::{self, FileKind};
use app::roles::Permission;
use axum::{
    extract::{
        Extension, FromRequest, Path, Request, State,
        multipart::{Field, Multipart, MultipartError},
    },
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use bytes::Bytes;
use futures_util::StreamExt;
use std::collections::HashMap;

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
pub(super) async fn upload(
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
