//! The WebAuthn ceremonies: asserting a key to finish signing in, and registering a new one.
//! The server half of a ceremony is kept in the database under an id held in the session.

use super::first_factor::{forget_failures, throttle};
use super::*;
use crate::data::Db;
use crate::error::AppError;
use serde::{Deserialize, Serialize};
use tower_sessions::Session;
use webauthn_rs::prelude::{
    CreationChallengeResponse, Credential, CredentialID, Passkey, PasskeyAuthentication,
    PasskeyRegistration, PublicKeyCredential, RegisterPublicKeyCredential,
    RequestChallengeResponse, Uuid,
};

fn passkeys(keys: &[crate::data::SecurityKey]) -> Result<Vec<Passkey>, AppError> {
    keys.iter()
        .map(|k| serde_json::from_str(&k.passkey).map_err(json_error))
        .collect()
}

fn credential_id_text(id: &CredentialID) -> Result<String, AppError> {
    use base64::Engine as _;
    let bytes: &[u8] = id.as_ref();
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

async fn start_ceremony(
    db: &Db,
    session: &Session,
    user_id: i64,
    kind: &str,
    state: &impl Serialize,
) -> Result<(), AppError> {
    let state = serde_json::to_string(state).map_err(json_error)?;
    let id = db.put_ceremony(user_id, kind, &state).await?;
    session
        .insert(CEREMONY_KEY, id)
        .await
        .map_err(session_error)?;
    Ok(())
}

/// Takes the session's ceremony of this kind: once only, and only while it is unexpired.
async fn take_ceremony<T: serde::de::DeserializeOwned>(
    db: &Db,
    session: &Session,
    user_id: i64,
    kind: &str,
) -> Result<T, AppError> {
    let stale = || {
        AppError::BadRequest(
            "That security key request has expired or was already used. Try again.".into(),
        )
    };
    let id: String = session
        .remove(CEREMONY_KEY)
        .await
        .map_err(session_error)?
        .ok_or_else(stale)?;
    let state = db
        .take_ceremony(&id, user_id, kind, now() - CHALLENGE_LIFETIME_SECS)
        .await?
        .ok_or_else(stale)?;
    serde_json::from_str(&state).map_err(json_error)
}

/// The user of a session that may prove a key: pending a key assertion, or fully signed in
/// (to confirm it is them before changing keys).
async fn asserting_user(
    db: &Db,
    config: &AuthConfig,
    session: &Session,
) -> Result<SignedIn, AppError> {
    match current(db, config, session).await? {
        Some(user) if matches!(user.stage, Stage::KeyAssertion | Stage::Full) => Ok(user),
        _ => Err(AppError::sign_in_needed()),
    }
}

/// Step two, part one: a challenge for one of the user's own keys.
pub async fn begin_assertion(
    db: &Db,
    config: &AuthConfig,
    session: &Session,
) -> Result<RequestChallengeResponse, AppError> {
    let user = asserting_user(db, config, session).await?;
    let keys = passkeys(&db.security_keys(user.account.id).await?)?;
    if keys.is_empty() {
        return Err(AppError::sign_in_needed());
    }
    let (challenge, state) = config
        .webauthn
        .start_passkey_authentication(&keys)
        .map_err(|e| AppError::internal("start authentication", e))?;
    start_ceremony(db, session, user.account.id, "authenticate", &state).await?;
    Ok(challenge)
}

/// Step two, part two: checks the key's answer. On success the session becomes fully signed in
/// under a new id (or, when already signed in, counts as a fresh sign-in).
pub async fn finish_assertion(
    db: &Db,
    config: &AuthConfig,
    session: &Session,
    meta: &RequestMeta,
    credential: &PublicKeyCredential,
) -> Result<(), AppError> {
    let user = asserting_user(db, config, session).await?;
    let account = &user.account;
    let charge = throttle(db, &account.email, meta).await?;
    // No challenge to answer (used, expired or never asked) is not a wrong key: not charged.
    let state: PasskeyAuthentication =
        match take_ceremony(db, session, account.id, "authenticate").await {
            Ok(state) => state,
            Err(error) => {
                db.take_back_sign_in_attempt(&charge).await?;
                return Err(error);
            }
        };
    let refuse = |reason: String| async move {
        db.append_audit(
            event(account, "sign_in.failure", meta)
                .with_detail(serde_json::json!({ "step": "key", "reason": reason })),
        )
        .await?;
        Err::<(), AppError>(AppError::Unauthorized(
            "That security key was not accepted. Use one registered to your account.".into(),
        ))
    };
    let result = match config
        .webauthn
        .finish_passkey_authentication(credential, &state)
    {
        Ok(result) => result,
        Err(e) => return refuse(e.to_string()).await,
    };
    let keys = db.security_keys(account.id).await?;
    let used = credential_id_text(result.cred_id())?;
    let Some(key) = keys.iter().find(|k| k.credential_id == used) else {
        return refuse("credential not registered to this user".into()).await;
    };
    let counter = i64::from(result.counter());
    if (counter != 0 || key.sign_count != 0) && counter <= key.sign_count {
        return refuse(format!(
            "signature counter went from {} to {counter}: the key may have been cloned",
            key.sign_count
        ))
        .await;
    }
    if key.backup_eligible != result.backup_eligible() {
        return refuse("the key's backup eligibility changed".into()).await;
    }
    let mut passkey: Passkey = serde_json::from_str(&key.passkey).map_err(json_error)?;
    passkey.update_credential(&result);
    db.record_key_use(
        key.id,
        &serde_json::to_string(&passkey).map_err(json_error)?,
        counter,
        result.backup_eligible(),
        result.backup_state(),
    )
    .await?;
    if user.stage == Stage::Full {
        session
            .insert(FRESH_KEY, now())
            .await
            .map_err(session_error)?;
        db.append_audit(
            event(account, "sign_in.reauthenticate", meta)
                .with_detail(serde_json::json!({ "key_id": key.id })),
        )
        .await?;
        db.take_back_sign_in_attempt(&charge).await?;
    } else {
        enter_stage(session, account.id, Stage::Full, meta).await?;
        forget_failures(db, &account.email, meta, &charge).await?;
        db.append_audit(
            event(account, "sign_in.success", meta)
                .with_detail(serde_json::json!({ "key_id": key.id })),
        )
        .await?;
    }
    Ok(())
}

/// The user of a session that may register a key: one with no key yet (straight after the
/// password), or a fully signed-in one who proved a factor in the last few minutes.
async fn registering_user(
    db: &Db,
    config: &AuthConfig,
    session: &Session,
) -> Result<SignedIn, AppError> {
    match current(db, config, session).await? {
        Some(user) if user.stage == Stage::KeyRegistration || user.is_fresh() => Ok(user),
        Some(user) if user.stage == Stage::Full => Err(AppError::Forbidden),
        _ => Err(AppError::sign_in_needed()),
    }
}

/// Registration, part one: the options for the browser to create a credential with.
pub async fn begin_registration(
    db: &Db,
    config: &AuthConfig,
    session: &Session,
) -> Result<CreationChallengeResponse, AppError> {
    let user = registering_user(db, config, session).await?;
    let account = &user.account;
    let existing: Vec<CredentialID> = passkeys(&db.security_keys(account.id).await?)?
        .iter()
        .map(|p| p.cred_id().clone())
        .collect();
    let handle = Uuid::parse_str(&account.webauthn_user_id)
        .map_err(|e| AppError::internal("webauthn user id", e))?;
    let (options, state) = config
        .webauthn
        .start_passkey_registration(
            handle,
            &account.email,
            &account.display_name,
            Some(existing),
        )
        .map_err(|e| AppError::internal("start registration", e))?;
    start_ceremony(db, session, account.id, "register", &state).await?;
    Ok(options)
}

/// What finishing a registration gives the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registered {
    /// The new key's id.
    pub key_id: i64,
    /// Fresh recovery codes, when this was the user's first key (shown once).
    pub recovery_codes: Option<Vec<String>>,
}

/// Registration, part two: checks the new credential and stores it under the name given. A first
/// key completes sign-in and issues the recovery codes.
pub async fn finish_registration(
    db: &Db,
    config: &AuthConfig,
    session: &Session,
    meta: &RequestMeta,
    name: &str,
    credential: &RegisterPublicKeyCredential,
) -> Result<Registered, AppError> {
    let user = registering_user(db, config, session).await?;
    let account = &user.account;
    let name = crate::data::check_key_name(name)?;
    let state: PasskeyRegistration = take_ceremony(db, session, account.id, "register").await?;
    let passkey = config
        .webauthn
        .finish_passkey_registration(credential, &state)
        .map_err(|e| {
            AppError::BadRequest(format!(
                "The security key could not be registered ({e}). Try again."
            ))
        })?;
    let internals: Credential = passkey.clone().into();
    let key_id = db
        .add_security_key(
            account.id,
            &name,
            &credential_id_text(passkey.cred_id())?,
            &serde_json::to_string(&passkey).map_err(json_error)?,
            internals.backup_eligible,
            internals.backup_state,
            event(account, "key.add", meta),
        )
        .await?;
    let first = user.stage == Stage::KeyRegistration;
    if first {
        enter_stage(session, account.id, Stage::Full, meta).await?;
        db.append_audit(
            event(account, "sign_in.success", meta)
                .with_detail(serde_json::json!({ "key_id": key_id, "first_key": true })),
        )
        .await?;
    } else {
        session
            .remove::<bool>(RECOVERED_KEY)
            .await
            .map_err(session_error)?;
    }
    let recovery_codes = if first || db.unused_recovery_codes(account.id).await? == 0 {
        Some(
            db.replace_recovery_codes(account.id, event(account, "recovery_codes.issue", meta))
                .await?,
        )
    } else {
        None
    };
    Ok(Registered {
        key_id,
        recovery_codes,
    })
}
