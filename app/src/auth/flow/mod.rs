//! The sign-in flow, step by step, over a tower-sessions [`Session`].
//!
//! A session moves through three stages: after a correct password it is *pending* (either a key
//! assertion or, for a user without keys, a key registration is all it may do); after the second
//! factor it is *full*. The session id is replaced at every step, and every step is audited.

mod account_changes;
mod first_factor;
mod keys;

pub use account_changes::*;
pub use first_factor::*;
pub use keys::*;

use crate::data::{ADDRESS_KEY, Account, AuditEvent, Db, USER_AGENT_KEY, USER_ID_KEY};
use crate::error::AppError;
pub use crate::types::Stage;
use std::sync::Arc;
use tower_sessions::Session;
use webauthn_rs::prelude::{Url, Webauthn, WebauthnBuilder};

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
