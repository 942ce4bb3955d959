//! Server functions for the signed-in person's own account: overview, security keys, recovery
//! codes and sessions.

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::request_context::{ctx, respond};
use crate::types::{AccountView, SessionView};
use leptos::prelude::*;

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
