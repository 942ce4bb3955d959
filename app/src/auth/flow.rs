//! The sign-in flow, step by step, over a tower-sessions [`Session`].
//!
//! A session moves through three stages: after a correct password it is *pending* (either a key
//! assertion or, for a user without keys, a key registration is all it may do); after the second
//! factor it is *full*. The session id is replaced at every step, and every step is audited.

use super::password::{
    check_new_password, hash_password, needs_rehash, verify_against_nobody, verify_password,
};
use crate::data::{
    ADDRESS_KEY, Account, AuditEvent, Db, LinkAcceptance, SignInCharge, USER_AGENT_KEY, USER_ID_KEY,
};
use crate::error::AppError;
pub use crate::types::Stage;
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use tower_sessions::Session;
use webauthn_rs::prelude::{
    CreationChallengeResponse, Credential, CredentialID, Passkey, PasskeyAuthentication,
    PasskeyRegistration, PublicKeyCredential, RegisterPublicKeyCredential,
    RequestChallengeResponse, Url, Uuid, Webauthn, WebauthnBuilder,
};

/// Session key: the sign-in stage.
pub const STAGE_KEY: &str = "auth.stage";
/// Session key: when the password step succeeded (unix seconds), for the absolute lifetime.
pub const STARTED_KEY: &str = "auth.started_at";
/// Session key: when the user last proved a key (or a recovery code), for "fresh sign-in".
pub const FRESH_KEY: &str = "auth.fresh_at";
/// Session key: set after a recovery code, until a new key is registered.
pub const RECOVERED_KEY: &str = "auth.recovered";
/// Session key: the id of the WebAuthn ceremony under way.
pub const CEREMONY_KEY: &str = "auth.ceremony";

/// How long a WebAuthn challenge may be answered.
pub const CHALLENGE_LIFETIME_SECS: i64 = 300;
/// How long after proving a key a user may change their keys without proving one again.
pub const FRESH_FOR_SECS: i64 = 600;
/// Failed attempts allowed per account from one network address in the throttle window: someone
/// guessing from elsewhere does not hold back the person at their own address.
pub const ACCOUNT_FAILURE_LIMIT: i64 = 5;
/// Failed attempts allowed per network address in the throttle window, whatever the accounts.
pub const ADDRESS_FAILURE_LIMIT: i64 = 20;
/// Failed attempts allowed per account from all addresses together in the throttle window: a
/// bound on guessing spread over many addresses.
pub const ACCOUNT_WIDE_FAILURE_LIMIT: i64 = 100;
/// The throttle window: failures older than this are forgotten, so there is no permanent lock-out.
pub const THROTTLE_WINDOW_SECS: i64 = 900;

/// The one answer to a wrong email or password, whichever it was.
pub const WRONG_PASSWORD: &str = "The email address or password is not right.";

/// Sign-in settings: the relying party and the session lifetimes.
#[derive(Clone)]
pub struct AuthConfig {
    /// The public URL people reach the app at; WebAuthn's relying party comes from it.
    pub public_url: Url,
    /// A session unused this long ends.
    pub idle: time::Duration,
    /// A session ends this long after its password step, however busy.
    pub absolute: time::Duration,
    /// The WebAuthn relying party.
    pub webauthn: Arc<Webauthn>,
}

impl std::fmt::Debug for AuthConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthConfig")
            .field("public_url", &self.public_url.as_str())
            .field("idle", &self.idle)
            .field("absolute", &self.absolute)
            .finish_non_exhaustive()
    }
}

impl AuthConfig {
    /// Builds the settings from the public URL (e.g. `https://caf.example.gov.uk`).
    pub fn new(
        public_url: &str,
        idle: time::Duration,
        absolute: time::Duration,
    ) -> Result<Self, String> {
        let url = Url::parse(public_url)
            .map_err(|e| format!("CAF_PUBLIC_URL {public_url:?} is not a URL: {e}"))?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(format!(
                "CAF_PUBLIC_URL must be an http or https address, not {public_url:?}"
            ));
        }
        if url.scheme() == "http" && url.host_str() != Some("localhost") {
            return Err(format!(
                "CAF_PUBLIC_URL must use https except on localhost (security keys refuse plain http elsewhere), not {public_url:?}"
            ));
        }
        if idle <= time::Duration::ZERO || absolute < idle {
            return Err("the idle timeout must be positive and no longer than the absolute session lifetime".into());
        }
        let rp_id = url.host_str().unwrap_or_default().to_owned();
        let webauthn = WebauthnBuilder::new(&rp_id, &url)
            .and_then(|b| b.rp_name("CAF self-assessment").build())
            .map_err(|e| format!("cannot set up WebAuthn for {public_url:?}: {e}"))?;
        Ok(Self {
            public_url: url,
            idle,
            absolute,
            webauthn: Arc::new(webauthn),
        })
    }

    /// Whether the app is served over TLS: then cookies are `__Host-` and Secure, and HSTS is sent.
    pub fn https(&self) -> bool {
        self.public_url.scheme() == "https"
    }

    /// The session cookie's name.
    pub fn cookie_name(&self) -> &'static str {
        if self.https() {
            "__Host-caf_session"
        } else {
            "caf_session"
        }
    }

    /// The origin browsers send with requests to the app, e.g. `http://localhost:3000`.
    pub fn origin(&self) -> String {
        self.public_url.origin().ascii_serialization()
    }
}

/// Facts about the request that go into sessions and audit records.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestMeta {
    /// The client's network address.
    pub address: Option<String>,
    /// The browser's User-Agent header.
    pub user_agent: Option<String>,
}

/// The signed-in (or half signed-in) user of a session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedIn {
    /// Their account.
    pub account: Account,
    /// How far they are.
    pub stage: Stage,
    /// When they last proved a key or recovery code (unix seconds).
    pub fresh_at: Option<i64>,
    /// Signed in with a recovery code and not yet registered a new key.
    pub recovered: bool,
}

impl SignedIn {
    /// Whether they proved a factor recently enough to change their keys.
    pub fn is_fresh(&self) -> bool {
        self.stage == Stage::Full && self.fresh_at.is_some_and(|t| now() - t <= FRESH_FOR_SECS)
    }
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

fn session_error(error: tower_sessions::session::Error) -> AppError {
    AppError::internal("session store", error)
}

fn json_error(error: serde_json::Error) -> AppError {
    AppError::internal("WebAuthn state", error)
}

fn event(actor: &Account, action: &str, meta: &RequestMeta) -> AuditEvent {
    let mut event = AuditEvent::by(&actor.email, action, format!("user:{}", actor.id));
    event.actor_id = Some(actor.id);
    event.address = meta.address.clone();
    event
}

/// Reads who the session belongs to, ending it if it outlived its absolute lifetime or the
/// account was disabled. `None` means anonymous.
pub async fn current(
    db: &Db,
    config: &AuthConfig,
    session: &Session,
) -> Result<Option<SignedIn>, AppError> {
    let Some(user_id) = session
        .get::<i64>(USER_ID_KEY)
        .await
        .map_err(session_error)?
    else {
        return Ok(None);
    };
    let started = session
        .get::<i64>(STARTED_KEY)
        .await
        .map_err(session_error)?;
    let stage = session
        .get::<Stage>(STAGE_KEY)
        .await
        .map_err(session_error)?;
    let account = db.account(user_id).await?;
    let expired = started.is_none_or(|t| now() - t > config.absolute.whole_seconds());
    match (account, stage) {
        (Some(account), Some(stage)) if !account.disabled && !expired => Ok(Some(SignedIn {
            account,
            stage,
            fresh_at: session.get(FRESH_KEY).await.map_err(session_error)?,
            recovered: session
                .get::<bool>(RECOVERED_KEY)
                .await
                .map_err(session_error)?
                .unwrap_or(false),
        })),
        _ => {
            session.flush().await.map_err(session_error)?;
            Ok(None)
        }
    }
}

/// Starts a new session id for a new stage, keeping nothing from before but what is set here
/// (and the password step's time, for the absolute lifetime). Reaching `Full` is a fresh sign-in.
async fn enter_stage(
    session: &Session,
    user_id: i64,
    stage: Stage,
    meta: &RequestMeta,
) -> Result<(), AppError> {
    let started: Option<i64> = if stage == Stage::Full {
        session.get(STARTED_KEY).await.map_err(session_error)?
    } else {
        None
    };
    session.clear().await;
    session.cycle_id().await.map_err(session_error)?;
    session
        .insert(USER_ID_KEY, user_id)
        .await
        .map_err(session_error)?;
    session
        .insert(STAGE_KEY, stage)
        .await
        .map_err(session_error)?;
    session
        .insert(STARTED_KEY, started.unwrap_or_else(now))
        .await
        .map_err(session_error)?;
    if stage == Stage::Full {
        // Both factors were just proven: that counts as a fresh sign-in.
        session
            .insert(FRESH_KEY, now())
            .await
            .map_err(session_error)?;
    }
    if let Some(address) = &meta.address {
        session
            .insert(ADDRESS_KEY, address)
            .await
            .map_err(session_error)?;
    }
    if let Some(agent) = &meta.user_agent {
        let agent: String = agent.chars().take(300).collect();
        session
            .insert(USER_AGENT_KEY, agent)
            .await
            .map_err(session_error)?;
    }
    Ok(())
}

fn account_subject(email: &str) -> String {
    format!("account:{}", email.trim().to_lowercase())
}

fn address_subject(meta: &RequestMeta) -> String {
    format!("address:{}", meta.address.as_deref().unwrap_or("unknown"))
}

fn pair_subject(email: &str, meta: &RequestMeta) -> String {
    format!("{} from {}", account_subject(email), address_subject(meta))
}

/// Charges this attempt to the account at this address, the address, and the account, before
/// anything is checked; refuses with 429 when any is over its limit. The first refusal in a
/// window is audited; later ones are not, so refusals cannot grow the log without bound.
async fn throttle(db: &Db, account: &str, meta: &RequestMeta) -> Result<SignInCharge, AppError> {
    let now = now();
    let since = now - THROTTLE_WINDOW_SECS;
    let pair = pair_subject(account, meta);
    let address = address_subject(meta);
    let whole = account_subject(account);
    let charge = db
        .charge_sign_in_attempt(
            &[
                (&pair, ACCOUNT_FAILURE_LIMIT),
                (&address, ADDRESS_FAILURE_LIMIT),
                (&whole, ACCOUNT_WIDE_FAILURE_LIMIT),
            ],
            since,
            now,
        )
        .await?;
    if charge.wait > 0 {
        if db.first_refusal_since(&pair, since, now).await? {
            let mut record = AuditEvent::by(&whole, "sign_in.throttled", whole.clone());
            record.address = meta.address.clone();
            db.append_audit(record.with_detail(serde_json::json!({
                "window_seconds": THROTTLE_WINDOW_SECS,
                "note": "later refusals in this window are not recorded one by one",
            })))
            .await?;
        }
        return Err(AppError::TooManyRequests(charge.wait.unsigned_abs()));
    }
    Ok(charge)
}

/// After a full sign-in: this attempt and the account's earlier failures are forgotten (from
/// every address: the person has proved who they are).
async fn forget_failures(
    db: &Db,
    account: &str,
    meta: &RequestMeta,
    charge: &SignInCharge,
) -> Result<(), AppError> {
    db.take_back_sign_in_attempt(charge).await?;
    db.clear_sign_in_failures(&[&pair_subject(account, meta), &account_subject(account)])
        .await?;
    Ok(())
}

/// Step one: the password. Unknown accounts, disabled accounts and wrong passwords all get the
/// same answer after the same work.
pub async fn password_step(
    db: &Db,
    session: &Session,
    meta: &RequestMeta,
    email: &str,
    password: &str,
) -> Result<Stage, AppError> {
    let typed: String = email.trim().chars().take(254).collect();
    let charge = throttle(db, &typed, meta).await?;
    let account = db.account_by_email(&typed).await?;
    let accepted = match &account {
        Some(a) if !a.disabled => match &a.password_hash {
            Some(hash) => verify_password(password, hash.expose_secret()),
            None => verify_against_nobody(password),
        },
        _ => verify_against_nobody(password),
    };
    let account = match (account, accepted) {
        (Some(account), true) => account,
        (account, _) => {
            // The charged attempt stays: it is the failure.
            let mut record = AuditEvent::by(&typed, "sign_in.failure", account_subject(&typed));
            record.actor_id = account.map(|a| a.id);
            record.address = meta.address.clone();
            db.append_audit(record.with_detail(serde_json::json!({ "step": "password" })))
                .await?;
            return Err(AppError::Unauthorized(WRONG_PASSWORD.into()));
        }
    };
    if account
        .password_hash
        .as_ref()
        .is_some_and(|hash| needs_rehash(hash.expose_secret()))
        && let Ok(phc) = hash_password(password)
    {
        db.set_password_hash(account.id, &phc).await?;
    }
    // The right password is not a failure; the key step is charged on its own.
    db.take_back_sign_in_attempt(&charge).await?;
    let stage = if db.security_keys(account.id).await?.is_empty() {
        Stage::KeyRegistration
    } else {
        Stage::KeyAssertion
    };
    enter_stage(session, account.id, stage, meta).await?;
    db.append_audit(
        event(&account, "sign_in.password", meta).with_detail(serde_json::json!({ "next": stage })),
    )
    .await?;
    Ok(stage)
}

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

/// Step two without a key: a single-use recovery code. The session is signed in and asked to
/// register a new key.
pub async fn recovery_step(
    db: &Db,
    config: &AuthConfig,
    session: &Session,
    meta: &RequestMeta,
    code: &str,
) -> Result<(), AppError> {
    let user = match current(db, config, session).await? {
        Some(user) if user.stage == Stage::KeyAssertion => user,
        _ => return Err(AppError::sign_in_needed()),
    };
    let account = &user.account;
    let charge = throttle(db, &account.email, meta).await?;
    if !db.use_recovery_code(account.id, code).await? {
        db.append_audit(
            event(account, "sign_in.failure", meta)
                .with_detail(serde_json::json!({ "step": "recovery_code" })),
        )
        .await?;
        return Err(AppError::Unauthorized(
            "That recovery code is not right, or it has been used already.".into(),
        ));
    }
    enter_stage(session, account.id, Stage::Full, meta).await?;
    session
        .insert(RECOVERED_KEY, true)
        .await
        .map_err(session_error)?;
    forget_failures(db, &account.email, meta, &charge).await?;
    let left = db.unused_recovery_codes(account.id).await?;
    db.append_audit(
        event(account, "recovery_code.used", meta)
            .with_detail(serde_json::json!({ "codes_left": left })),
    )
    .await?;
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

async fn fresh_user(db: &Db, config: &AuthConfig, session: &Session) -> Result<SignedIn, AppError> {
    match current(db, config, session).await? {
        Some(user) if user.is_fresh() => Ok(user),
        Some(user) if user.stage == Stage::Full => Err(AppError::Forbidden),
        _ => Err(AppError::sign_in_needed()),
    }
}

/// Signs out: the server-side session is deleted, so its cookie is worthless.
pub async fn sign_out(
    db: &Db,
    config: &AuthConfig,
    session: &Session,
    meta: &RequestMeta,
) -> Result<(), AppError> {
    if let Some(user) = current(db, config, session).await? {
        db.append_audit(event(&user.account, "sign_out", meta))
            .await?;
    }
    session.flush().await.map_err(session_error)
}

/// Ends every other session of the signed-in user; returns how many.
pub async fn sign_out_elsewhere(
    db: &Db,
    config: &AuthConfig,
    session: &Session,
    meta: &RequestMeta,
) -> Result<u64, AppError> {
    let user = match current(db, config, session).await? {
        Some(user) if user.stage == Stage::Full => user,
        _ => return Err(AppError::sign_in_needed()),
    };
    let ended = db
        .end_user_sessions(user.account.id, session.id().as_ref())
        .await?;
    db.append_audit(
        event(&user.account, "sign_out.elsewhere", meta)
            .with_detail(serde_json::json!({ "sessions_ended": ended })),
    )
    .await?;
    Ok(ended)
}
