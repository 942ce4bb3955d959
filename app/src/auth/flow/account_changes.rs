//! Changes to a signed-in person's own sign-in: accepting a link, renaming or removing a key,
//! new recovery codes. Each needs a recent second factor.

use super::*;
use crate::auth::password::{check_new_password, hash_password};
use crate::data::{Db, LinkAcceptance};
use crate::error::AppError;
use tower_sessions::Session;

/// Uses a set-up or invitation link: creates the account with the chosen password, then leaves
/// the session waiting for the first key.
#[allow(clippy::too_many_arguments)]
pub async fn accept_link(
    db: &Db,
    session: &Session,
    meta: &RequestMeta,
    token: &str,
    email: &str,
    display_name: &str,
    password: &str,
) -> Result<(), AppError> {
    let link = db.open_link(token).await?.ok_or_else(|| {
        AppError::NotFound(
            "This link has expired or has already been used. Ask your administrator for a new one."
                .into(),
        )
    })?;
    let email = link
        .email
        .clone()
        .unwrap_or_else(|| email.trim().to_lowercase());
    crate::data::normalise_email(&email)?;
    let display_name = display_name.trim();
    if display_name.is_empty() {
        return Err(AppError::BadRequest("Enter your name.".into()));
    }
    check_new_password(password, &[&email, display_name])
        .map_err(|problem| AppError::BadRequest(problem.to_string()))?;
    let hash = hash_password(password).map_err(|e| AppError::internal("hash password", e))?;
    let user_id = db
        .accept_link(
            token,
            &LinkAcceptance {
                email: &email,
                display_name,
                password_hash: &hash,
            },
            meta.address.as_deref(),
        )
        .await?;
    enter_stage(session, user_id, Stage::KeyRegistration, meta).await
}

/// Removes one of the signed-in user's keys; needs a fresh sign-in, and the last key stays.
pub async fn remove_key(
    db: &Db,
    config: &AuthConfig,
    session: &Session,
    meta: &RequestMeta,
    key_id: i64,
) -> Result<(), AppError> {
    let user = fresh_user(db, config, session).await?;
    db.remove_security_key(
        user.account.id,
        key_id,
        event(&user.account, "key.remove", meta),
    )
    .await?;
    Ok(())
}

/// Renames one of the signed-in user's keys; needs a fresh sign-in.
pub async fn rename_key(
    db: &Db,
    config: &AuthConfig,
    session: &Session,
    meta: &RequestMeta,
    key_id: i64,
    name: &str,
) -> Result<(), AppError> {
    let user = fresh_user(db, config, session).await?;
    db.rename_security_key(
        user.account.id,
        key_id,
        name,
        event(&user.account, "key.rename", meta),
    )
    .await?;
    Ok(())
}

/// Issues ten new recovery codes (the old ones stop working); needs a fresh sign-in.
pub async fn new_recovery_codes(
    db: &Db,
    config: &AuthConfig,
    session: &Session,
    meta: &RequestMeta,
) -> Result<Vec<String>, AppError> {
    let user = fresh_user(db, config, session).await?;
    Ok(db
        .replace_recovery_codes(
            user.account.id,
            event(&user.account, "recovery_codes.issue", meta),
        )
        .await?)
}
