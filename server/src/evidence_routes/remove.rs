//! `POST /org/{slug}/evidence/{id}/remove`: removes a register item (and its bytes when no
//! other item uses them), under the lifecycle lock.

use super::*;
use crate::state::AppState;
use app::auth::RequestAuth;
use app::data::DataError;
use app::roles::Permission;
use axum::{
    extract::{Extension, Path, State},
    response::{IntoResponse, Redirect, Response},
};

/// Removes an item from the register (the form under "Change details"), and its file's bytes
/// once no register item uses them. Answers with the register, saying what happened.
pub(super) async fn remove(
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
