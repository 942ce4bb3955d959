//! `GET /org/{slug}/evidence/{id}/download`: always an attachment with a safe file name, the
//! bytes checked against their SHA-256 first.

use super::*;
use crate::state::AppState;
use crate::storage::StoreError;
use app::auth::RequestAuth;
use app::roles::Permission;
use axum::{
    extract::{Extension, Path, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};

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
pub(super) async fn download(
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
