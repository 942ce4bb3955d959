//! The server-side sign-in flow end to end, on SQLite and PostgreSQL, with a software
//! authenticator answering the WebAuthn ceremonies.

mod support;

use support::{TestDb, audit_actions};

use app::auth::flow::{self, AuthConfig, RequestMeta, Stage};
use app::data::{AuditRecord, DbSessionStore, LinkPurpose, NewLink, canonical_recovery_code};
use app::error::AppError;
use std::sync::Arc;
use tower_sessions::Session;
use tower_sessions::session::Id;
use tower_sessions::session_store::SessionStore;
use webauthn_authenticator_rs::WebauthnAuthenticator;
use webauthn_authenticator_rs::softpasskey::SoftPasskey;
use webauthn_rs::prelude::{PublicKeyCredential, RequestChallengeResponse, Url};

/// A password the policy accepts for every test person below.
const PASSWORD: &str = "correct horse battery staple 42";

/// A software passkey; in 0.6 `WebauthnAuthenticator` is a trait every backend implements.
type Authenticator = SoftPasskey;

fn config() -> AuthConfig {
    AuthConfig::new(
        "http://localhost:3000",
        time::Duration::minutes(30),
        time::Duration::hours(12),
    )
    .expect("auth config")
}

fn origin() -> Url {
    Url::parse("http://localhost:3000").expect("origin")
}

fn meta() -> RequestMeta {
    RequestMeta {
        address: Some("192.0.2.1".into()),
        user_agent: None,
    }
}

fn authenticator() -> Authenticator {
    SoftPasskey::new(true)
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// A brand-new browser session with no cookie yet.
fn new_session(db: &TestDb) -> Session {
    Session::new(None, Arc::new(DbSessionStore::new(db.handle())), None)
}

/// The session a browser presenting this id as its cookie would get.
fn session_for(db: &TestDb, id: Id) -> Session {
    Session::new(Some(id), Arc::new(DbSessionStore::new(db.handle())), None)
}

/// Saves the session (as the middleware does at the end of a request) and returns its id.
async fn saved_id(session: &Session) -> Id {
    session.save().await.expect("save session");
    session.id().expect("a saved session has an id")
}

async fn loads(db: &TestDb, id: &Id) -> bool {
    DbSessionStore::new(db.handle())
        .load(id)
        .await
        .expect("load session")
        .is_some()
}

async fn stage(db: &TestDb, session: &Session) -> Option<Stage> {
    flow::current(db, &config(), session)
        .await
        .expect("current")
        .map(|user| user.stage)
}

/// Someone who accepted an invitation and registered their first key.
struct Person {
    id: i64,
    email: String,
    codes: Vec<String>,
    key_id: i64,
    /// The session they enrolled in: fully signed in and fresh.
    session: Session,
}

/// Invites `email` and accepts the invitation with [`PASSWORD`]; the session then waits for a key.
async fn invite(db: &TestDb, email: &str, name: &str) -> Session {
    let token = db
        .create_link(
            &NewLink {
                purpose: LinkPurpose::Invite,
                email: Some(email.to_owned()),
                display_name: Some(name.to_owned()),
                membership: None,
                membership_until: None,
                platform_admin: false,
                created_by: None,
                lifetime: time::Duration::hours(1),
            },
            "test",
        )
        .await
        .expect("create link");
    let session = new_session(db);
    flow::accept_link(db, &session, &meta(), &token, "", name, PASSWORD)
        .await
        .expect("accept link");
    assert_eq!(stage(db, &session).await, Some(Stage::KeyRegistration));
    session
}

/// Invites `email` and registers `key` as their first security key.
async fn enrol(db: &TestDb, email: &str, name: &str, key: &mut Authenticator) -> Person {
    let session = invite(db, email, name).await;
    let options = flow::begin_registration(db, &config(), &session)
        .await
        .expect("begin registration");
    let credential = key
        .do_registration(origin(), options)
        .expect("authenticator registers");
    let registered =
        flow::finish_registration(db, &config(), &session, &meta(), "Blue key", &credential)
            .await
            .expect("finish registration");
    let user = flow::current(db, &config(), &session)
        .await
        .expect("current")
        .expect("signed in");
    assert_eq!(user.stage, Stage::Full);
    Person {
        id: user.account.id,
        email: user.account.email,
        codes: registered
            .recovery_codes
            .expect("first key issues recovery codes"),
        key_id: registered.key_id,
        session,
    }
}

/// A fresh session past the password step, waiting for a key.
async fn password_step(db: &TestDb, email: &str) -> Session {
    let session = new_session(db);
    let next = flow::password_step(db, &session, &meta(), email, PASSWORD)
        .await
        .expect("password step");
    assert_eq!(next, Stage::KeyAssertion);
    session
}

/// Asks for a challenge in `session` and has `key` answer it.
async fn challenge_and_answer(
    db: &TestDb,
    session: &Session,
    key: &mut Authenticator,
) -> PublicKeyCredential {
    let options = flow::begin_assertion(db, &config(), session)
        .await
        .expect("begin assertion");
    key.do_authentication(origin(), options)
        .expect("authenticator answers")
}

/// A complete sign-in: password, then `key`.
async fn sign_in(db: &TestDb, email: &str, key: &mut Authenticator) -> Session {
    let session = password_step(db, email).await;
    let answer = challenge_and_answer(db, &session, key).await;
    flow::finish_assertion(db, &config(), &session, &meta(), &answer)
        .await
        .expect("finish assertion");
    assert_eq!(stage(db, &session).await, Some(Stage::Full));
    session
}

async fn finish(
    db: &TestDb,
    session: &Session,
    answer: &PublicKeyCredential,
) -> Result<(), AppError> {
    flow::finish_assertion(db, &config(), session, &meta(), answer).await
}

async fn all_audit(db: &TestDb) -> Vec<AuditRecord> {
    audit_actions(db, "").await
}

fn actions(records: &[AuditRecord]) -> Vec<String> {
    records.iter().map(|r| r.event.action.clone()).collect()
}

fn is_unauthorized(result: &Result<(), AppError>) -> bool {
    matches!(result, Err(AppError::Unauthorized(_)))
}

on_both!(
    a_full_ceremony_signs_in_and_audits_without_secrets,
    |db: TestDb| async move {
        let mut key = authenticator();
        let person = enrol(&db, "alice@council.gov.uk", "Alice Smith", &mut key).await;
        assert_eq!(person.codes.len(), 10);
        let distinct: std::collections::HashSet<_> = person.codes.iter().collect();
        assert_eq!(distinct.len(), 10, "every recovery code differs");

        let session = new_session(&db);
        assert_eq!(
            stage(&db, &session).await,
            None,
            "a new session is anonymous"
        );
        let next = flow::password_step(&db, &session, &meta(), "  Alice@Council.gov.uk ", PASSWORD)
            .await
            .expect("password step");
        assert_eq!(next, Stage::KeyAssertion);
        assert_eq!(stage(&db, &session).await, Some(Stage::KeyAssertion));
        let options = flow::begin_assertion(&db, &config(), &session)
            .await
            .expect("begin assertion");
        let answer = key
            .do_authentication(origin(), options)
            .expect("authenticator answers");
        finish(&db, &session, &answer)
            .await
            .expect("finish assertion");
        let user = flow::current(&db, &config(), &session)
            .await
            .expect("current")
            .expect("signed in");
        assert_eq!(user.stage, Stage::Full);
        assert_eq!(user.account.id, person.id);
        assert!(user.is_fresh());
        assert!(!user.recovered);
        let keys = db.security_keys(person.id).await.expect("keys");
        assert_eq!(keys.len(), 1);
        assert!(keys[0].last_used_at.is_some(), "the key's use is recorded");

        let records = all_audit(&db).await;
        let done = actions(&records);
        for expected in [
            "link.invite",
            "link.invite.accept",
            "key.add",
            "recovery_codes.issue",
            "sign_in.password",
            "sign_in.success",
        ] {
            assert!(
                done.iter().any(|a| a == expected),
                "{expected} missing from {done:?}"
            );
        }
        assert_eq!(
            done.iter().filter(|a| *a == "sign_in.success").count(),
            2,
            "the first key and the later sign-in both succeed: {done:?}"
        );
        let password_record = records
            .iter()
            .find(|r| r.event.action == "sign_in.password")
            .expect("password record");
        assert_eq!(password_record.event.actor_id, Some(person.id));
        assert_eq!(password_record.event.address.as_deref(), Some("192.0.2.1"));
        assert_eq!(password_record.event.detail["next"], "key_assertion");
        let log = serde_json::to_string(&records).expect("audit as JSON");
        assert!(!log.contains(PASSWORD), "the password is never audited");
        for code in &person.codes {
            assert!(!log.contains(code.as_str()), "recovery code {code} audited");
            assert!(
                !log.contains(canonical_recovery_code(code).as_str()),
                "recovery code {code} audited in canonical form"
            );
        }
    }
);

on_both!(
    the_session_id_changes_at_every_step,
    |db: TestDb| async move {
        let mut key = authenticator();
        let session = invite(&db, "bob@council.gov.uk", "Bob Jones").await;
        let invited = saved_id(&session).await;
        let options = flow::begin_registration(&db, &config(), &session)
            .await
            .expect("begin registration");
        assert_eq!(
            saved_id(&session).await,
            invited,
            "asking for options keeps the id"
        );
        let credential = key.do_registration(origin(), options).expect("register");
        flow::finish_registration(&db, &config(), &session, &meta(), "Key", &credential)
            .await
            .expect("finish registration");
        let registered = saved_id(&session).await;
        assert_ne!(registered, invited);
        assert!(!loads(&db, &invited).await, "the pre-key id is gone");

        let session = new_session(&db);
        flow::password_step(&db, &session, &meta(), "bob@council.gov.uk", PASSWORD)
            .await
            .expect("password step");
        let after_password = saved_id(&session).await;
        let started: Option<i64> = session.get(flow::STARTED_KEY).await.expect("started");
        assert!(started.is_some());
        let answer = challenge_and_answer(&db, &session, &mut key).await;
        assert_eq!(saved_id(&session).await, after_password);
        finish(&db, &session, &answer)
            .await
            .expect("finish assertion");
        let after_key = saved_id(&session).await;
        assert_eq!(
            session
                .get::<i64>(flow::STARTED_KEY)
                .await
                .expect("started"),
            started,
            "the key step does not restart the absolute lifetime"
        );

        let ids = [invited, registered, after_password, after_key];
        for (i, a) in ids.iter().enumerate() {
            for b in &ids[i + 1..] {
                assert_ne!(a, b, "session ids are never reused");
            }
        }
        assert!(
            !loads(&db, &after_password).await,
            "the half-signed-in id no longer loads"
        );
        assert!(loads(&db, &after_key).await);
        assert!(
            loads(&db, &registered).await,
            "the other browser's session is untouched"
        );

        let replayed = session_for(&db, after_password);
        assert_eq!(
            stage(&db, &replayed).await,
            None,
            "the old cookie is anonymous"
        );
        let current = session_for(&db, after_key);
        assert_eq!(stage(&db, &current).await, Some(Stage::Full));
    }
);

on_both!(
    a_challenge_is_answered_once_and_only_while_fresh,
    |db: TestDb| async move {
        let mut key = authenticator();
        let person = enrol(&db, "carol@council.gov.uk", "Carol White", &mut key).await;

        // Replaying a used answer in the same session: the ceremony is gone.
        let session = password_step(&db, &person.email).await;
        let answer = challenge_and_answer(&db, &session, &mut key).await;
        finish(&db, &session, &answer).await.expect("first finish");
        let again = finish(&db, &session, &answer).await;
        assert!(matches!(again, Err(AppError::BadRequest(_))), "{again:?}");
        // ... and against a new challenge (re-authenticating): the challenge differs.
        flow::begin_assertion(&db, &config(), &session)
            .await
            .expect("begin re-authentication");
        let again = finish(&db, &session, &answer).await;
        assert!(is_unauthorized(&again), "{again:?}");

        // Replaying it in another session that is waiting for a key.
        let other = password_step(&db, &person.email).await;
        flow::begin_assertion(&db, &config(), &other)
            .await
            .expect("begin assertion");
        let replay = finish(&db, &other, &answer).await;
        assert!(is_unauthorized(&replay), "{replay:?}");
        assert_eq!(stage(&db, &other).await, Some(Stage::KeyAssertion));

        // A superseded challenge fails, and the failed attempt spends the current one too.
        let session = password_step(&db, &person.email).await;
        let first = flow::begin_assertion(&db, &config(), &session)
            .await
            .expect("first challenge");
        let second = flow::begin_assertion(&db, &config(), &session)
            .await
            .expect("second challenge");
        let old_answer = key.do_authentication(origin(), first).expect("answer");
        let stale = finish(&db, &session, &old_answer).await;
        assert!(is_unauthorized(&stale), "{stale:?}");
        let new_answer = key.do_authentication(origin(), second).expect("answer");
        let spent = finish(&db, &session, &new_answer).await;
        assert!(matches!(spent, Err(AppError::BadRequest(_))), "{spent:?}");
        assert_eq!(stage(&db, &session).await, Some(Stage::KeyAssertion));

        // An expired challenge is refused; a fresh one then works.
        let session = password_step(&db, &person.email).await;
        let options = flow::begin_assertion(&db, &config(), &session)
            .await
            .expect("begin assertion");
        db.raw_execute(&format!(
            "UPDATE webauthn_ceremonies SET created_at = {}",
            now() - 3600
        ))
        .await
        .expect("age the ceremony");
        let late = key.do_authentication(origin(), options).expect("answer");
        let expired = finish(&db, &session, &late).await;
        assert!(
            matches!(expired, Err(AppError::BadRequest(_))),
            "{expired:?}"
        );
        assert_eq!(stage(&db, &session).await, Some(Stage::KeyAssertion));
        let answer = challenge_and_answer(&db, &session, &mut key).await;
        finish(&db, &session, &answer)
            .await
            .expect("a fresh challenge works");
        assert_eq!(stage(&db, &session).await, Some(Stage::Full));
    }
);

on_both!(
    one_persons_key_does_not_sign_in_another,
    |db: TestDb| async move {
        let mut key_a = authenticator();
        let mut key_b = authenticator();
        let a = enrol(&db, "dan@council.gov.uk", "Dan Brown", &mut key_a).await;
        let b = enrol(&db, "erin@council.gov.uk", "Erin Green", &mut key_b).await;

        // A's own challenge, to learn A's credential; answered by A's key.
        let a_session = password_step(&db, &a.email).await;
        let a_options: RequestChallengeResponse = flow::begin_assertion(&db, &config(), &a_session)
            .await
            .expect("A's challenge");
        let a_answer = key_a
            .do_authentication(origin(), a_options.clone())
            .expect("A answers A's challenge");

        let b_session = password_step(&db, &b.email).await;

        // A's key asked B's challenge as B's page would ask it: it holds none of B's keys.
        let b_options = flow::begin_assertion(&db, &config(), &b_session)
            .await
            .expect("B's challenge");
        if let Ok(answer) = key_a.do_authentication(origin(), b_options.clone()) {
            let result = finish(&db, &b_session, &answer).await;
            assert!(is_unauthorized(&result), "{result:?}");
            flow::begin_assertion(&db, &config(), &b_session)
                .await
                .expect("B's next challenge");
        }

        // A's key signing B's challenge, with the allow-list swapped for A's credential.
        let b_options = flow::begin_assertion(&db, &config(), &b_session)
            .await
            .expect("B's challenge");
        let mut forged = b_options.clone();
        forged.public_key.allow_credentials = a_options.public_key.allow_credentials.clone();
        let forged_answer = key_a
            .do_authentication(origin(), forged)
            .expect("A's key signs any challenge it is given");
        let result = finish(&db, &b_session, &forged_answer).await;
        assert!(is_unauthorized(&result), "{result:?}");
        assert_eq!(stage(&db, &b_session).await, Some(Stage::KeyAssertion));

        // A's answer to A's own challenge, sent in B's session.
        flow::begin_assertion(&db, &config(), &b_session)
            .await
            .expect("B's challenge");
        let result = finish(&db, &b_session, &a_answer).await;
        assert!(is_unauthorized(&result), "{result:?}");
        let user = flow::current(&db, &config(), &b_session)
            .await
            .expect("current")
            .expect("still half signed in");
        assert_eq!(user.account.id, b.id);
        assert_eq!(
            user.stage,
            Stage::KeyAssertion,
            "B is not signed in by A's key"
        );

        // A's answer still works for A (the failures above did not touch A's ceremony), and
        // B's own key still works for B.
        finish(&db, &a_session, &a_answer)
            .await
            .expect("A signs in");
        let user = flow::current(&db, &config(), &a_session)
            .await
            .expect("current")
            .expect("signed in");
        assert_eq!((user.account.id, user.stage), (a.id, Stage::Full));
        let answer = challenge_and_answer(&db, &b_session, &mut key_b).await;
        finish(&db, &b_session, &answer).await.expect("B signs in");
        assert_eq!(stage(&db, &b_session).await, Some(Stage::Full));

        let failures: Vec<_> = audit_actions(&db, "sign_in.failure")
            .await
            .into_iter()
            .filter(|r| r.event.actor_id == Some(b.id))
            .collect();
        assert!(failures.len() >= 2, "{failures:?}");
        assert!(failures.iter().all(|r| r.event.detail["step"] == "key"));
    }
);

on_both!(
    a_signature_counter_going_backwards_is_refused,
    |db: TestDb| async move {
        let mut key = authenticator();
        let person = enrol(&db, "frank@council.gov.uk", "Frank Black", &mut key).await;
        sign_in(&db, &person.email, &mut key).await;
        let used = db.security_keys(person.id).await.expect("keys")[0].sign_count;

        db.raw_execute(&format!(
            "UPDATE security_keys SET sign_count = 1000000 WHERE id = {}",
            person.key_id
        ))
        .await
        .expect("raise the counter");
        let session = password_step(&db, &person.email).await;
        let answer = challenge_and_answer(&db, &session, &mut key).await;
        let result = finish(&db, &session, &answer).await;
        assert!(
            is_unauthorized(&result),
            "counter {used} after 1000000: {result:?}"
        );
        assert_eq!(stage(&db, &session).await, Some(Stage::KeyAssertion));
        assert_eq!(
            db.security_keys(person.id).await.expect("keys")[0].sign_count,
            1_000_000,
            "a refused use does not lower the stored counter"
        );

        let failures = audit_actions(&db, "sign_in.failure").await;
        assert_eq!(failures.len(), 1, "{failures:?}");
        let failure = &failures[0].event;
        assert_eq!(failure.actor_id, Some(person.id));
        assert_eq!(failure.detail["step"], "key");
        let reason = failure.detail["reason"].as_str().expect("reason");
        assert!(reason.contains("counter"), "{reason}");
    }
);

on_both!(
    wrong_passwords_look_alike_and_are_throttled,
    |db: TestDb| async move {
        invite(&db, "grace@council.gov.uk", "Grace Hall").await;
        invite(&db, "henry@council.gov.uk", "Henry King").await;
        let attempt = |email: &'static str, password: &'static str| {
            let db = db.clone();
            async move {
                let session = new_session(&db);
                let result = flow::password_step(&db, &session, &meta(), email, password).await;
                (result, session)
            }
        };

        let (wrong, session) = attempt("grace@council.gov.uk", "not the password at all").await;
        assert_eq!(stage(&db, &session).await, None);
        let (unknown, _) = attempt("nobody@council.gov.uk", PASSWORD).await;
        let wrong = wrong.expect_err("wrong password refused");
        let unknown = unknown.expect_err("unknown user refused");
        assert_eq!(wrong, unknown, "the two refusals are indistinguishable");
        assert_eq!(wrong.status_code(), 401);
        assert_eq!(wrong, AppError::Unauthorized(flow::WRONG_PASSWORD.into()));
        let failures = audit_actions(&db, "sign_in.failure").await;
        assert_eq!(failures.len(), 2, "{failures:?}");
        assert!(
            failures
                .iter()
                .all(|r| r.event.detail["step"] == "password")
        );
        let log = serde_json::to_string(&failures).expect("JSON");
        assert!(!log.contains("not the password at all") && !log.contains(PASSWORD));

        for n in 2..=5 {
            let (result, _) = attempt("grace@council.gov.uk", "still not the password").await;
            assert_eq!(
                result,
                Err(wrong.clone()),
                "attempt {n} is an ordinary refusal"
            );
        }
        let (throttled, session) = attempt("grace@council.gov.uk", PASSWORD).await;
        match throttled {
            Err(AppError::TooManyRequests(secs)) => {
                assert!(secs > 0 && secs <= 900, "wait {secs}s")
            }
            other => panic!("the sixth attempt should be throttled, got {other:?}"),
        }
        assert_eq!(
            stage(&db, &session).await,
            None,
            "the right password does not get through"
        );
        let throttles = audit_actions(&db, "sign_in.throttled").await;
        assert_eq!(throttles.len(), 1, "{throttles:?}");
        assert_eq!(throttles[0].event.address.as_deref(), Some("192.0.2.1"));

        // Same address, another account: 6 failures are under the address limit of 20.
        let (other, session) = attempt("henry@council.gov.uk", PASSWORD).await;
        assert_eq!(other, Ok(Stage::KeyRegistration));
        assert_eq!(stage(&db, &session).await, Some(Stage::KeyRegistration));
    }
);

fn meta_at(address: &str) -> RequestMeta {
    RequestMeta {
        address: Some(address.into()),
        user_agent: None,
    }
}

on_both!(
    guessing_from_elsewhere_does_not_hold_back_the_person,
    |db: TestDb| async move {
        invite(&db, "ivy@council.gov.uk", "Ivy Jones").await;
        let attacker = meta_at("203.0.113.66");
        for _ in 0..5 {
            let session = new_session(&db);
            let wrong =
                flow::password_step(&db, &session, &attacker, "ivy@council.gov.uk", "guess").await;
            assert!(matches!(wrong, Err(AppError::Unauthorized(_))), "{wrong:?}");
        }
        // Many more tries from the attacker's address are held back, and audited once.
        for _ in 0..30 {
            let session = new_session(&db);
            let held =
                flow::password_step(&db, &session, &attacker, "ivy@council.gov.uk", PASSWORD).await;
            assert!(
                matches!(held, Err(AppError::TooManyRequests(_))),
                "{held:?}"
            );
        }
        assert_eq!(audit_actions(&db, "sign_in.throttled").await.len(), 1);
        assert_eq!(audit_actions(&db, "sign_in.failure").await.len(), 5);
        // Ivy, at her own address, signs in.
        let session = new_session(&db);
        let own = flow::password_step(
            &db,
            &session,
            &meta_at("192.0.2.44"),
            "ivy@council.gov.uk",
            PASSWORD,
        )
        .await;
        assert_eq!(own, Ok(Stage::KeyRegistration));
    }
);

on_both!(parallel_guesses_are_all_counted, |db: TestDb| async move {
    invite(&db, "jack@council.gov.uk", "Jack Lowe").await;
    let mut tries = Vec::new();
    for n in 0..20 {
        let db = db.clone();
        tries.push(tokio::spawn(async move {
            let session = new_session(&db);
            let guess = format!("guess number {n}");
            flow::password_step(&db, &session, &meta(), "jack@council.gov.uk", &guess).await
        }));
    }
    let mut checked = 0;
    let mut held = 0;
    for t in tries {
        match t.await.expect("task") {
            Err(AppError::Unauthorized(_)) => checked += 1,
            Err(AppError::TooManyRequests(_)) => held += 1,
            other => panic!("unexpected {other:?}"),
        }
    }
    // At most five guesses reached the password check, however the twenty interleaved.
    assert!(checked <= 5, "{checked} guesses were checked");
    assert_eq!(checked + held, 20);
    assert_eq!(
        audit_actions(&db, "sign_in.failure").await.len(),
        checked as usize
    );
});

on_both!(
    a_recovery_code_works_once_and_is_stored_hashed,
    |db: TestDb| async move {
        let mut key = authenticator();
        let person = enrol(&db, "irene@council.gov.uk", "Irene Lake", &mut key).await;
        let code = person.codes[3].clone();

        let stored = db.raw_strings("SELECT code_hash FROM recovery_codes").await;
        assert_eq!(stored.len(), 10);
        for clear in &person.codes {
            let canonical = canonical_recovery_code(clear);
            assert!(
                stored
                    .iter()
                    .all(|h| !h.contains(clear.as_str()) && !h.contains(&canonical)),
                "{clear} stored in clear"
            );
        }

        let session = password_step(&db, &person.email).await;
        // Typed loosely: lower case, no hyphens.
        let typed = code.replace('-', " ").to_lowercase();
        flow::recovery_step(&db, &config(), &session, &meta(), &typed)
            .await
            .expect("recovery code accepted");
        let user = flow::current(&db, &config(), &session)
            .await
            .expect("current")
            .expect("signed in");
        assert_eq!(user.stage, Stage::Full);
        assert!(user.recovered);
        assert_eq!(db.unused_recovery_codes(person.id).await.expect("count"), 9);
        let used = audit_actions(&db, "recovery_code.used").await;
        assert_eq!(used.len(), 1);
        assert_eq!(used[0].event.detail["codes_left"], 9);
        assert!(!serde_json::to_string(&used).expect("JSON").contains(&code));

        let session = password_step(&db, &person.email).await;
        let again = flow::recovery_step(&db, &config(), &session, &meta(), &code).await;
        assert!(is_unauthorized(&again), "{again:?}");
        assert_eq!(stage(&db, &session).await, Some(Stage::KeyAssertion));
        let wrong =
            flow::recovery_step(&db, &config(), &session, &meta(), "0000-0000-0000-0000").await;
        assert!(is_unauthorized(&wrong), "{wrong:?}");
        let other = flow::recovery_step(&db, &config(), &session, &meta(), &person.codes[4]).await;
        assert_eq!(other, Ok(()), "another unused code still works");

        // A session that has not passed the password step cannot use a code.
        let anonymous = new_session(&db);
        let result =
            flow::recovery_step(&db, &config(), &anonymous, &meta(), &person.codes[5]).await;
        assert!(is_unauthorized(&result), "{result:?}");
        assert_eq!(db.unused_recovery_codes(person.id).await.expect("count"), 8);
    }
);

on_both!(
    keys_are_managed_only_in_a_fresh_session_and_the_last_stays,
    |db: TestDb| async move {
        let mut first = authenticator();
        let person = enrol(&db, "jack@council.gov.uk", "Jack Stone", &mut first).await;
        let session = &person.session;

        let only = flow::remove_key(&db, &config(), session, &meta(), person.key_id).await;
        assert!(matches!(only, Err(AppError::Conflict(_))), "{only:?}");
        assert_eq!(db.security_keys(person.id).await.expect("keys").len(), 1);

        let mut second = authenticator();
        let options = flow::begin_registration(&db, &config(), session)
            .await
            .expect("begin registration");
        let credential = second.do_registration(origin(), options).expect("register");
        let added =
            flow::finish_registration(&db, &config(), session, &meta(), " Spare key ", &credential)
                .await
                .expect("second key");
        assert_eq!(added.recovery_codes, None, "unused codes are kept");
        let keys = db.security_keys(person.id).await.expect("keys");
        assert_eq!(keys.len(), 2);
        assert_eq!(keys[1].name, "Spare key");

        flow::rename_key(&db, &config(), session, &meta(), added.key_id, "Backup key")
            .await
            .expect("rename");
        let renamed = db.security_keys(person.id).await.expect("keys");
        assert_eq!(renamed[1].name, "Backup key");
        let empty = flow::rename_key(&db, &config(), session, &meta(), added.key_id, "   ").await;
        assert!(matches!(empty, Err(AppError::BadRequest(_))), "{empty:?}");
        assert_eq!(
            db.security_keys(person.id).await.expect("keys")[1].name,
            "Backup key"
        );
        assert!(!audit_actions(&db, "key.rename").await.is_empty());

        flow::remove_key(&db, &config(), session, &meta(), person.key_id)
            .await
            .expect("remove one of two");
        let left = db.security_keys(person.id).await.expect("keys");
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].id, added.key_id);
        let removed = audit_actions(&db, "key.remove").await;
        assert_eq!(removed.len(), 1);
        assert_eq!(removed[0].event.detail["key_id"], person.key_id);
        assert_eq!(removed[0].event.actor_id, Some(person.id));

        // The removed key no longer signs in; the remaining one does.
        let attempt = password_step(&db, &person.email).await;
        let options = flow::begin_assertion(&db, &config(), &attempt)
            .await
            .expect("begin assertion");
        if let Ok(answer) = first.do_authentication(origin(), options) {
            let result = finish(&db, &attempt, &answer).await;
            assert!(is_unauthorized(&result), "{result:?}");
        }
        sign_in(&db, &person.email, &mut second).await;

        // Stale: proved a factor an hour ago.
        session
            .insert(flow::FRESH_KEY, now() - 3600)
            .await
            .expect("age the session");
        let user = flow::current(&db, &config(), session)
            .await
            .expect("current")
            .expect("still signed in");
        assert!(!user.is_fresh());
        let remove = flow::remove_key(&db, &config(), session, &meta(), added.key_id).await;
        assert_eq!(remove, Err(AppError::Forbidden));
        let rename =
            flow::rename_key(&db, &config(), session, &meta(), added.key_id, "New name").await;
        assert_eq!(rename, Err(AppError::Forbidden));
        let register = flow::begin_registration(&db, &config(), session).await;
        assert_eq!(register.err(), Some(AppError::Forbidden));
        let codes = flow::new_recovery_codes(&db, &config(), session, &meta()).await;
        assert_eq!(codes.err(), Some(AppError::Forbidden));
        assert_eq!(
            db.security_keys(person.id).await.expect("keys")[0].name,
            "Backup key"
        );

        // Proving the key again makes the session fresh.
        let answer = challenge_and_answer(&db, session, &mut second).await;
        finish(&db, session, &answer)
            .await
            .expect("re-authenticate");
        assert!(
            !audit_actions(&db, "sign_in.reauthenticate")
                .await
                .is_empty()
        );
        flow::rename_key(&db, &config(), session, &meta(), added.key_id, "New name")
            .await
            .expect("rename when fresh again");

        // A half-signed-in session may not manage keys at all.
        let pending = password_step(&db, &person.email).await;
        let result = flow::remove_key(&db, &config(), &pending, &meta(), added.key_id).await;
        assert!(is_unauthorized(&result), "{result:?}");
        let result = flow::begin_registration(&db, &config(), &pending).await;
        assert!(
            matches!(result, Err(AppError::Unauthorized(_))),
            "{result:?}"
        );
    }
);

on_both!(
    disabled_accounts_and_old_sessions_are_signed_out,
    |db: TestDb| async move {
        // These checks do not depend on the stage, so they use sessions that need no key.
        let kate = invite(&db, "kate@council.gov.uk", "Kate Moss").await;
        let kate_id = saved_id(&kate).await;
        let account = db
            .account_by_email("kate@council.gov.uk")
            .await
            .expect("account")
            .expect("kate exists");
        db.disable_user(account.id, "test").await.expect("disable");
        assert_eq!(stage(&db, &kate).await, None);
        assert!(!loads(&db, &kate_id).await);
        assert_eq!(stage(&db, &session_for(&db, kate_id)).await, None);
        let refused =
            flow::password_step(&db, &new_session(&db), &meta(), &account.email, PASSWORD).await;
        assert_eq!(
            refused,
            Err(AppError::Unauthorized(flow::WRONG_PASSWORD.into())),
            "a disabled account is refused like a wrong password"
        );

        let liam = invite(&db, "liam@council.gov.uk", "Liam Ford").await;
        liam.insert(flow::STARTED_KEY, now() - 13 * 3600)
            .await
            .expect("age the session");
        let old = saved_id(&liam).await;
        assert!(loads(&db, &old).await);
        assert_eq!(stage(&db, &liam).await, None, "past the absolute lifetime");
        assert!(liam.is_empty().await, "the session was flushed");
        assert_eq!(liam.id(), None);
        assert!(!loads(&db, &old).await, "and deleted from the store");

        // Just inside the lifetime, a session still works.
        let session = new_session(&db);
        let next = flow::password_step(&db, &session, &meta(), "liam@council.gov.uk", PASSWORD)
            .await
            .expect("password step");
        assert_eq!(next, Stage::KeyRegistration, "Liam has no key yet");
        session
            .insert(flow::STARTED_KEY, now() - 11 * 3600)
            .await
            .expect("age the session");
        assert_eq!(stage(&db, &session).await, Some(Stage::KeyRegistration));
    }
);

on_both!(
    signing_out_deletes_the_server_side_session,
    |db: TestDb| async move {
        let elsewhere = invite(&db, "mia@council.gov.uk", "Mia Wood").await;
        let elsewhere = saved_id(&elsewhere).await;
        let session = new_session(&db);
        flow::password_step(&db, &session, &meta(), "mia@council.gov.uk", PASSWORD)
            .await
            .expect("password step");
        let id = saved_id(&session).await;
        assert!(loads(&db, &id).await);
        flow::sign_out(&db, &config(), &session, &meta())
            .await
            .expect("sign out");
        assert!(!loads(&db, &id).await, "the signed-out id finds nothing");
        assert_eq!(stage(&db, &session_for(&db, id)).await, None);
        assert_eq!(stage(&db, &session).await, None);
        let records = audit_actions(&db, "sign_out").await;
        assert_eq!(records.len(), 1);
        let account = db
            .account_by_email("mia@council.gov.uk")
            .await
            .expect("account")
            .expect("mia exists");
        assert_eq!(records[0].event.actor_id, Some(account.id));
        assert!(loads(&db, &elsewhere).await, "other sessions stay");
    }
);

on_both!(an_invitation_link_works_once, |db: TestDb| async move {
    let token = db
        .create_link(
            &NewLink {
                purpose: LinkPurpose::Invite,
                email: Some("nina@council.gov.uk".into()),
                display_name: Some("Nina Ross".into()),
                membership: None,
                membership_until: None,
                platform_admin: false,
                created_by: None,
                lifetime: time::Duration::hours(1),
            },
            "test",
        )
        .await
        .expect("create link");

    // A weak password is refused and does not spend the link.
    let session = new_session(&db);
    let weak = flow::accept_link(
        &db,
        &session,
        &meta(),
        &token,
        "",
        "Nina Ross",
        "password1234",
    )
    .await;
    assert!(matches!(weak, Err(AppError::BadRequest(_))), "{weak:?}");
    assert_eq!(stage(&db, &session).await, None);

    flow::accept_link(&db, &session, &meta(), &token, "", "Nina Ross", PASSWORD)
        .await
        .expect("first use");
    assert_eq!(stage(&db, &session).await, Some(Stage::KeyRegistration));

    let again = new_session(&db);
    let second = flow::accept_link(
        &db,
        &again,
        &meta(),
        &token,
        "someone@council.gov.uk",
        "Someone Else",
        "another quite long passphrase 97",
    )
    .await;
    assert!(matches!(second, Err(AppError::NotFound(_))), "{second:?}");
    assert_eq!(stage(&db, &again).await, None);
    let users = db.raw_strings("SELECT email FROM users").await;
    assert_eq!(users, vec!["nina@council.gov.uk".to_owned()]);
    assert_eq!(audit_actions(&db, "link.invite.accept").await.len(), 1);
});

on_both!(
    old_failures_are_forgotten_and_pruned,
    |db: TestDb| async move {
        let session = new_session(&db);
        let meta = RequestMeta {
            address: Some("192.0.2.9".into()),
            user_agent: None,
        };
        // Five failures from over 15 minutes ago no longer count...
        let long_ago = time::OffsetDateTime::now_utc().unix_timestamp() - 3600;
        for _ in 0..5 {
            db.raw_execute(&format!(
                "INSERT INTO sign_in_failures (subject, at) VALUES ('account:old@council.gov.uk', {long_ago})"
            ))
            .await
            .expect("old failure");
        }
        let answer =
            flow::password_step(&db, &session, &meta, "old@council.gov.uk", "wrong one").await;
        assert!(
            matches!(answer, Err(AppError::Unauthorized(_))),
            "not throttled by old failures: {answer:?}"
        );
        // ...and recording the new failure deleted them.
        let left = db
            .raw_strings(
                "SELECT subject FROM sign_in_failures WHERE subject = 'account:old@council.gov.uk'",
            )
            .await;
        assert_eq!(left.len(), 1, "only the new failure is kept");
    }
);
