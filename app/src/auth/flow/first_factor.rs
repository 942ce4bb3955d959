//! The throttled steps that start a sign-in: the password, and a recovery code in place of a
//! key. Attempts are charged before the check, per account from one address, per address and
//! per account; refusals are audited once per window.

use super::*;
use crate::auth::password::{hash_password, needs_rehash, verify_against_nobody, verify_password};
use crate::data::{AuditEvent, Db, SignInCharge};
use crate::error::AppError;
use secrecy::ExposeSecret;
use tower_sessions::Session;

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
pub(super) async fn throttle(
    db: &Db,
    account: &str,
    meta: &RequestMeta,
) -> Result<SignInCharge, AppError> {
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
pub(super) async fn forget_failures(
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
