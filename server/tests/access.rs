//! Who can reach what, over HTTP, on SQLite and PostgreSQL.
//!
//! The access matrix sends every page and every data-reading server function (and a few
//! state-changing ones) as every kind of caller, classifies what comes back, and compares the
//! whole table with the one written below. The observed table is also written out as
//! `docs/access.md`, and the test fails when that file is out of date (set `UPDATE_ACCESS_DOC=1`
//! to rewrite it).
//!
//! The other tests check, as a browser would see them: the session cookie's attributes, the new
//! session id after the password, sign-out, the idle and absolute timeouts, the origin check,
//! the single answer to a wrong password or unknown user, throttling, and that a database error
//! is not shown to the caller.

use app::auth::flow::{FRESH_KEY, STAGE_KEY, STARTED_KEY, WRONG_PASSWORD};
use app::auth::password::hash_password;
use app::data::{
    Actor as DataActor, AuditEvent, AuditFilter, AuditRecord, Db, DbSessionStore, LinkAcceptance,
    LinkPurpose, NewAssessment, NewLink, OrgScope, OrganisationKind, USER_ID_KEY,
};
use app::error::AppError;
use app::roles::{Permission, Role};
use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use server::config::ServeArgs;
use sqlx::Executor;
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use std::collections::HashMap;
use std::future::Future;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use time::{Duration, OffsetDateTime};
use tower::ServiceExt;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::SessionStore;

/// The public URL of the plain-http configuration; also the origin the app's pages send.
const LOCAL: &str = "http://localhost:3000";
/// The public URL of the TLS configuration.
const TLS: &str = "https://caf.example.gov.uk";
/// A password the policy accepts.
const PASSWORD: &str = "correct horse battery staple 42";

// ---- Test databases ----------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Engine {
    Sqlite,
    Postgres,
}

/// The application's database, the URL it is at (for the harness's own raw connection) and
/// which engine it is.
#[derive(Debug, Clone)]
struct TestDb {
    db: Db,
    url: String,
    engine: Engine,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

fn unique_name() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    format!(
        "caf_access_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst),
        nanos
    )
}

async fn open(url: &str, engine: Engine) -> TestDb {
    let db = Db::connect(url).await.expect("open test database");
    db.migrate().await.expect("migrate");
    db.register_bundled()
        .await
        .expect("register the bundled frameworks");
    TestDb {
        db,
        url: url.to_owned(),
        engine,
    }
}

/// Runs `test` on a fresh, migrated database of the engine: a temporary SQLite file, or a new
/// PostgreSQL database (at `TEST_DATABASE_URL`, default the local trust-auth server) dropped
/// afterwards.
async fn with_db<F, Fut>(engine: Engine, test: F)
where
    F: FnOnce(TestDb) -> Fut,
    Fut: Future<Output = ()>,
{
    let name = unique_name();
    match engine {
        Engine::Sqlite => {
            let path = std::env::temp_dir().join(format!("{name}.db"));
            let t = open(&format!("sqlite://{}?mode=rwc", path.display()), engine).await;
            let db = t.db.clone();
            test(t).await;
            db.close().await;
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
            }
        }
        Engine::Postgres => {
            let admin_url = std::env::var("TEST_DATABASE_URL")
                .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
            install_default_drivers();
            let admin = AnyPoolOptions::new()
                .max_connections(1)
                .connect(&admin_url)
                .await
                .unwrap_or_else(|e| {
                    panic!("PostgreSQL tests need a server at TEST_DATABASE_URL={admin_url}: {e}")
                });
            admin
                .execute(format!("CREATE DATABASE {name}").as_str())
                .await
                .expect("create test database");
            let (base, _) = admin_url
                .rsplit_once('/')
                .expect("URL with a database name");
            let t = open(&format!("{base}/{name}"), engine).await;
            let db = t.db.clone();
            test(t).await;
            db.close().await;
            admin
                .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
                .await
                .expect("drop test database");
            admin.close().await;
        }
    }
}

/// Declares one test that runs on SQLite and on PostgreSQL.
macro_rules! on_both {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;

            #[tokio::test]
            async fn sqlite() {
                with_db(Engine::Sqlite, $body).await
            }

            #[tokio::test]
            async fn postgres() {
                with_db(Engine::Postgres, $body).await
            }
        }
    };
}

// ---- The app over HTTP -------------------------------------------------------------------

fn router(db: &Db, public_url: &str) -> Router {
    let auth = app::auth::AuthConfig::new(public_url, Duration::minutes(30), Duration::hours(12))
        .expect("auth config");
    let args = ServeArgs {
        trusted_proxies: Default::default(),
        addr: "127.0.0.1:0".parse().expect("addr"),
        site_root: std::env::temp_dir(),
        evidence_dir: evidence_dir(),
        max_upload_mib: 25,
        report_classification: app::report::DEFAULT_CLASSIFICATION.to_owned(),
    };
    server::web::router(db.clone(), &args, auth)
}

/// Where the matrix's routers keep evidence files. Blobs are named by their hash, so runs and
/// tests can share the folder.
fn evidence_dir() -> PathBuf {
    std::env::temp_dir().join("caf-access-evidence")
}

/// What came back.
#[derive(Debug)]
struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Reply {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    /// The `Set-Cookie` header for the named cookie, if one was sent.
    fn set_cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with(&format!("{name}=")))
            .map(str::to_owned)
    }

    /// `name=value` of the named cookie this reply set, ready to send back.
    fn cookie(&self, name: &str) -> String {
        let set = self
            .set_cookie(name)
            .unwrap_or_else(|| panic!("no {name} cookie in {:?}", self.headers));
        set.split(';').next().unwrap_or_default().to_owned()
    }
}

/// No request in these tests should take this long; one that does fails, naming itself, rather
/// than hanging the run.
const REQUEST_LIMIT: std::time::Duration = std::time::Duration::from_secs(20);

async fn send(router: &Router, request: Request<Body>) -> Reply {
    let what = format!("{} {}", request.method(), request.uri());
    let response = match tokio::time::timeout(REQUEST_LIMIT, router.clone().oneshot(request)).await
    {
        Ok(r) => r.expect("response"),
        Err(_) => panic!("no answer within {REQUEST_LIMIT:?}: {what}"),
    };
    let status = response.status();
    let headers = response.headers().clone();
    let body = tokio::time::timeout(REQUEST_LIMIT, response.into_body().collect())
        .await
        .unwrap_or_else(|_| panic!("body not finished within {REQUEST_LIMIT:?}: {what}"))
        .expect("body")
        .to_bytes()
        .to_vec();
    Reply {
        status,
        headers,
        body,
    }
}

/// A GET, as a browser navigating to a page sends it.
fn get(uri: &str, cookie: Option<&str>) -> Request<Body> {
    let mut request = Request::get(uri);
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    request.body(Body::empty()).expect("request")
}

/// A form-encoded POST with extra headers (and no `Origin` unless given).
fn post_with(uri: &str, form: &str, cookie: Option<&str>, extra: &[(&str, &str)]) -> Request<Body> {
    let mut request =
        Request::post(uri).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    for (name, value) in extra {
        request = request.header(*name, *value);
    }
    request.body(Body::from(form.to_owned())).expect("request")
}

/// A multipart upload of an assessment export with a title, as the import form sends it.
fn multipart(
    uri: &str,
    file: &str,
    title: &str,
    cookie: Option<&str>,
    extra: &[(&str, &str)],
) -> Request<Body> {
    let boundary = "caf-test-boundary-7d3f";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\n{title}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"export.json\"\r\n\
         Content-Type: application/json\r\n\r\n{file}\r\n--{boundary}--\r\n"
    );
    let mut request = Request::post(uri).header(
        header::CONTENT_TYPE,
        format!("multipart/form-data; boundary={boundary}"),
    );
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    for (name, value) in extra {
        request = request.header(*name, *value);
    }
    request.body(Body::from(body)).expect("request")
}

/// A server-function call from the app's own pages at `http://localhost:3000`.
fn post(uri: &str, form: &str, cookie: Option<&str>) -> Request<Body> {
    post_with(uri, form, cookie, &[("origin", LOCAL)])
}

/// Form-encodes one value.
fn enc(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            b' ' => "+".to_owned(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

fn credentials(email: &str, password: &str) -> String {
    format!("email={}&password={}", enc(email), enc(password))
}

// ---- Accounts and sessions ---------------------------------------------------------------

fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

/// Creates a session record for a user at a stage, as if they had signed in that far; returns
/// the session id (the cookie's value).
async fn session_at(
    db: &Db,
    user_id: i64,
    stage: &str,
    started_at: i64,
    expiry_date: OffsetDateTime,
) -> String {
    let mut record = Record {
        id: Id::default(),
        data: HashMap::from([
            (USER_ID_KEY.to_owned(), serde_json::json!(user_id)),
            (STAGE_KEY.to_owned(), serde_json::json!(stage)),
            (STARTED_KEY.to_owned(), serde_json::json!(started_at)),
            (FRESH_KEY.to_owned(), serde_json::json!(now())),
        ]),
        expiry_date,
    };
    DbSessionStore::new(db.clone())
        .create(&mut record)
        .await
        .expect("create session");
    record.id.to_string()
}

/// A live session at a stage, started just now; returns the `Cookie` header value for the
/// plain-http configuration.
async fn signed_in(db: &Db, user_id: i64, stage: &str) -> String {
    let id = session_at(
        db,
        user_id,
        stage,
        now(),
        OffsetDateTime::now_utc() + Duration::minutes(30),
    )
    .await;
    format!("caf_session={id}")
}

/// An account with a password, made the way an invited person makes one.
async fn account_with_password(db: &Db, email: &str) -> i64 {
    let token = db
        .create_link(
            &NewLink {
                purpose: LinkPurpose::Invite,
                email: Some(email.to_owned()),
                display_name: Some("Pat Example".into()),
                membership: None,
                membership_until: None,
                platform_admin: false,
                created_by: None,
                lifetime: Duration::days(1),
            },
            "test",
        )
        .await
        .expect("invitation");
    let hash = hash_password(PASSWORD).expect("hash");
    db.accept_link(
        &token,
        &LinkAcceptance {
            email,
            display_name: "Pat Example",
            password_hash: &hash,
        },
        None,
    )
    .await
    .expect("accept invitation")
}

/// Gives a user a (fake) registered key; returns its id. Nothing here parses the passkey.
async fn fake_key(db: &Db, user_id: i64, n: u32) -> i64 {
    db.add_security_key(
        user_id,
        &format!("Key {n}"),
        &format!("credential-{user_id}-{n}"),
        "{}",
        false,
        false,
        AuditEvent::by("test", "key.add", format!("user:{user_id}")),
    )
    .await
    .expect("key")
}

/// The stored key with this id, whoever owns it.
async fn find_key(db: &Db, key_id: i64) -> Option<app::data::SecurityKey> {
    for user in db.list_users().await.expect("users") {
        if let Some(key) = db
            .security_keys(user.id)
            .await
            .expect("keys")
            .into_iter()
            .find(|k| k.id == key_id)
        {
            return Some(key);
        }
    }
    None
}

async fn newest_seq(db: &Db) -> i64 {
    db.audit_records(&AuditFilter {
        limit: 1,
        ..Default::default()
    })
    .await
    .expect("audit")
    .first()
    .map_or(0, |r| r.seq)
}

/// Audit records written after `seq`, oldest first.
async fn audit_since(db: &Db, seq: i64) -> Vec<AuditRecord> {
    let mut records: Vec<AuditRecord> = db
        .audit_records(&AuditFilter {
            limit: 500,
            ..Default::default()
        })
        .await
        .expect("audit")
        .into_iter()
        .filter(|r| r.seq > seq)
        .collect();
    records.reverse();
    records
}

async fn audit_with_prefix(db: &Db, prefix: &str) -> Vec<AuditRecord> {
    db.audit_records(&AuditFilter {
        action_prefix: Some(prefix.to_owned()),
        limit: 500,
        ..Default::default()
    })
    .await
    .expect("audit")
}

/// Everything a refused request must leave alone: organisations, users, memberships, keys and
/// recovery codes (sessions and the audit log are checked separately).
async fn snapshot(db: &Db) -> String {
    let mut out = format!(
        "{:?}\n",
        db.list_organisations().await.expect("organisations")
    );
    for user in db.list_users().await.expect("users") {
        let memberships = db.memberships_of(user.id).await.expect("memberships");
        let keys: Vec<(i64, String)> = db
            .security_keys(user.id)
            .await
            .expect("keys")
            .into_iter()
            .map(|k| (k.id, k.name))
            .collect();
        let codes = db.unused_recovery_codes(user.id).await.expect("codes");
        out.push_str(&format!("{user:?} {memberships:?} {keys:?} {codes}\n"));
    }
    out
}

// ---- The access matrix -------------------------------------------------------------------

/// The bytes of the file in alpha's register: only a granted download contains them.
const EVIDENCE_TEXT: &str = "Alpha's backup restore test, March 2026";

/// A new assessor of alpha who files evidence: their scope and audit identity.
async fn alpha_assessor(db: &Db, alpha: i64, email: &str) -> (OrgScope, app::data::Actor) {
    let user_id = db.create_user(email, "Filer", "test").await.expect("user");
    db.set_membership(user_id, alpha, Role::Assessor, None, "test")
        .await
        .expect("member");
    let org = db
        .authorize(user_id, "alpha", app::roles::Permission::EditAnswers, None)
        .await
        .expect("scope");
    let actor = app::data::Actor {
        user_id,
        email: email.to_owned(),
        address: None,
    };
    (org, actor)
}

/// Stores a file in alpha's evidence register, as an assessor of alpha; returns its id.
async fn evidence_file(db: &Db, alpha: i64) -> i64 {
    use server::storage::BlobStore;
    let (org, actor) = alpha_assessor(db, alpha, "filer@alpha.example.gov.uk").await;
    let stored = server::storage::LocalDiskStore::new(evidence_dir())
        .put(
            Box::pin(futures_util::stream::once(async {
                Ok(bytes::Bytes::from_static(EVIDENCE_TEXT.as_bytes()))
            })),
            1 << 20,
        )
        .await
        .expect("store the file");
    db.create_evidence(
        &org,
        &app::assess::EvidenceFields {
            title: "Backup restore test".into(),
            owner: "ICT".into(),
            describes_date: None,
            review_by: None,
            classification: "official".into(),
        },
        &app::data::EvidenceBody::File(app::data::StoredFile {
            sha256: stored.sha256,
            name: "restore-test.txt".into(),
            size: i64::try_from(stored.size).expect("size"),
            media_type: "text/plain".into(),
        }),
        &actor,
    )
    .await
    .expect("evidence")
}

/// One note in alpha's register per caller, for the removal row; returns their ids.
async fn removable_notes(db: &Db, alpha: i64) -> Vec<i64> {
    let (org, actor) = alpha_assessor(db, alpha, "keeper@alpha.example.gov.uk").await;
    let mut ids = Vec::new();
    for column in 0..ACTORS.len() {
        let fields = app::assess::EvidenceFields {
            title: format!("Note for caller {column}"),
            owner: "ICT".into(),
            describes_date: None,
            review_by: None,
            classification: "official".into(),
        };
        let body = app::data::EvidenceBody::Note("Walkthrough notes".into());
        ids.push(
            db.create_evidence(&org, &fields, &body, &actor)
                .await
                .expect("note"),
        );
    }
    ids
}

/// The evidence upload form as the register page sends it, from the app's own origin.
fn evidence_upload(cookie: Option<&str>) -> Request<Body> {
    const BOUNDARY: &str = "access-matrix-boundary";
    let mut body = String::new();
    for (name, value) in [
        ("title", "Uploaded by the access matrix"),
        ("owner", "ICT"),
        ("classification", "official"),
    ] {
        body.push_str(&format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    }
    body.push_str(&format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"matrix.txt\"\r\n\
         Content-Type: text/plain\r\n\r\nmatrix upload\r\n--{BOUNDARY}--\r\n"
    ));
    let mut request = Request::post("/org/alpha/evidence/upload")
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .header(header::CONTENT_LENGTH, body.len())
        .header("origin", LOCAL);
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    request.body(Body::from(body)).expect("request")
}

/// The callers, in column order: heading and description.
const ACTORS: [(&str, &str); 12] = [
    ("anonymous", "no session at all"),
    (
        "key pending",
        "password accepted, security key not yet proven (stage `key_assertion`); the account is an \
         org admin of alpha *and* a platform admin, so every refusal in this column comes from the \
         sign-in stage alone",
    ),
    (
        "key registration pending",
        "password accepted, no key registered yet (stage `key_registration`); also an org admin of \
         alpha and a platform admin",
    ),
    ("org_admin", "fully signed in, organisation admin of alpha"),
    ("caf_lead", "fully signed in, CAF lead of alpha"),
    ("assessor", "fully signed in, assessor in alpha"),
    ("reviewer", "fully signed in, reviewer in alpha"),
    (
        "approver",
        "fully signed in, approver (senior risk owner) in alpha",
    ),
    ("board_viewer", "fully signed in, board viewer in alpha"),
    (
        "external_assurer",
        "fully signed in, external assurer in alpha (access ending in 2999)",
    ),
    (
        "beta org_admin",
        "fully signed in, organisation admin of another organisation, beta, asking for alpha's pages",
    ),
    (
        "platform admin",
        "fully signed in platform administrator, not a member of alpha",
    ),
];

/// One caller: who they are and the cookie they send.
#[derive(Debug, Clone)]
struct Actor {
    user_id: Option<i64>,
    stage: Option<&'static str>,
    cookie: Option<String>,
    /// Their own two keys, if they have keys: the first is renamed, the second removed.
    keys: Option<[i64; 2]>,
}

impl Actor {
    fn full(&self) -> bool {
        self.stage == Some("full")
    }
}

/// The people and things the matrix asks about.
struct World {
    alpha: i64,
    /// An assessor of alpha whose role `set_role` changes to reviewer.
    target: i64,
    /// Two keys of the target: one is "someone else's key", the other stands in as the "own key"
    /// of callers with no key of their own.
    target_keys: [i64; 2],
    /// A member of alpha that `remove_member` removes.
    leaver: i64,
    /// A user that `disable` disables.
    to_disable: i64,
    /// A user with keys that `reset_factors` resets.
    to_reset: i64,
    invite_token: String,
    /// The id of that invitation, which is nobody's among the callers.
    invitation: i64,
    /// A file in alpha's evidence register.
    evidence: i64,
    /// Notes in alpha's register, one for each caller to try to remove.
    removable: Vec<i64>,
    setup_token: String,
    actors: Vec<Actor>,
    /// Alpha's assessment, made by its CAF lead.
    assessment: i64,
    /// The CAF lead's scope in alpha, for reading back what an import stored.
    lead: OrgScope,
    /// The assessment as exported: what the import row uploads.
    export_text: String,
    /// The organisation scope of alpha's assessment.
    scope: i64,
    /// The payroll scope of alpha's assessment, which the CAF lead removes.
    system_scope: i64,
    /// Alpha's payroll critical system, which the CAF lead renames.
    system: i64,
}

/// The organisation-scope outcomes of CAF 4.0 (objectives A and D), one per caller for saves.
fn org_outcomes() -> Vec<String> {
    let framework = caf::bundled_framework("4.0").expect("CAF 4.0");
    framework
        .objectives
        .iter()
        .filter(|o| o.id == "A" || o.id == "D")
        .flat_map(|o| {
            o.principles
                .iter()
                .flat_map(|p| p.outcomes.iter().map(|c| c.id.clone()))
        })
        .collect()
}

/// The title an import by the caller in `column` gives the new assessment.
fn imported_title(column: usize) -> String {
    format!("Imported by caller {column}")
}

/// Alpha's CAF lead starts an assessment; returns its id, the lead's scope and its export.
async fn alpha_assessment(db: &Db, lead_id: i64) -> (i64, OrgScope, String) {
    let lead = db
        .authorize(lead_id, "alpha", Permission::LeadAssessment, None)
        .await
        .expect("lead");
    let actor = DataActor {
        user_id: lead_id,
        email: "caf-lead@alpha.example.gov.uk".into(),
        address: None,
    };
    let profile = db.profiles_for("4.0").await.expect("profiles")[0]
        .profile
        .id
        .clone();
    let id = db
        .create_assessment(
            &lead,
            &NewAssessment {
                title: "Alpha CAF 2026/27".into(),
                period: "2026/27".into(),
                framework_version: "4.0".into(),
                profile,
                own_profile: false,
                organisation_description: "The council".into(),
                systems: vec![("Payroll".into(), "Pays people".into())],
            },
            &actor,
        )
        .await
        .expect("assessment");
    let export = db
        .export_assessment(&lead, id, &actor)
        .await
        .expect("export");
    (id, lead, serde_json::to_string(&export).expect("JSON"))
}

async fn world(db: &Db) -> World {
    let alpha = db
        .create_organisation(
            "alpha",
            "Alpha Borough Council",
            OrganisationKind::Council,
            "test",
        )
        .await
        .expect("alpha");
    let beta = db
        .create_organisation(
            "beta",
            "Beta District Council",
            OrganisationKind::Council,
            "test",
        )
        .await
        .expect("beta");
    let user = |email: &'static str| async move {
        db.create_user(email, email.split('@').next().unwrap_or(email), "test")
            .await
            .expect("user")
    };
    let target = user("target@alpha.example.gov.uk").await;
    db.set_membership(target, alpha.id, Role::Assessor, None, "test")
        .await
        .expect("member");
    let target_keys = [fake_key(db, target, 1).await, fake_key(db, target, 2).await];

    let mut actors = vec![Actor {
        user_id: None,
        stage: None,
        cookie: None,
        keys: None,
    }];
    for (email, stage, keys) in [
        ("pending-key@alpha.example.gov.uk", "key_assertion", true),
        (
            "pending-registration@alpha.example.gov.uk",
            "key_registration",
            false,
        ),
    ] {
        let id = user(email).await;
        db.set_membership(id, alpha.id, Role::OrgAdmin, None, "test")
            .await
            .expect("member");
        db.set_platform_admin(id, true, "test")
            .await
            .expect("admin");
        let keys = if keys {
            Some([fake_key(db, id, 1).await, fake_key(db, id, 2).await])
        } else {
            None
        };
        actors.push(Actor {
            user_id: Some(id),
            stage: Some(stage),
            cookie: Some(signed_in(db, id, stage).await),
            keys,
        });
    }
    let full = |id: i64| async move {
        let keys = [fake_key(db, id, 1).await, fake_key(db, id, 2).await];
        Actor {
            user_id: Some(id),
            stage: Some("full"),
            cookie: Some(signed_in(db, id, "full").await),
            keys: Some(keys),
        }
    };
    let mut lead_id = 0;
    for role in Role::ALL {
        let id = db
            .create_user(
                &format!("{}@alpha.example.gov.uk", role.key().replace('_', "-")),
                role.label(),
                "test",
            )
            .await
            .expect("user");
        let until = (role == Role::ExternalAssurer).then_some("2999-12-31T23:59:59Z");
        db.set_membership(id, alpha.id, role, until, "test")
            .await
            .expect("member");
        if role == Role::CafLead {
            lead_id = id;
        }
        actors.push(full(id).await);
    }
    let (assessment, lead, export_text) = alpha_assessment(db, lead_id).await;
    let other = user("admin@beta.example.gov.uk").await;
    db.set_membership(other, beta.id, Role::OrgAdmin, None, "test")
        .await
        .expect("member");
    actors.push(full(other).await);
    let admin = user("platform@example.gov.uk").await;
    db.set_platform_admin(admin, true, "test")
        .await
        .expect("admin");
    actors.push(full(admin).await);
    assert_eq!(actors.len(), ACTORS.len());
    let leaver = user("leaver@alpha.example.gov.uk").await;
    db.set_membership(leaver, alpha.id, Role::Reviewer, None, "test")
        .await
        .expect("member");
    let to_disable = user("disable-me@alpha.example.gov.uk").await;
    db.set_membership(to_disable, alpha.id, Role::Assessor, None, "test")
        .await
        .expect("member");
    let to_reset = user("reset-me@alpha.example.gov.uk").await;
    fake_key(db, to_reset, 1).await;

    let link = |purpose: LinkPurpose, email: Option<&str>| NewLink {
        purpose,
        email: email.map(str::to_owned),
        display_name: Some("New Person".into()),
        membership: email.map(|_| (alpha.id, Role::Assessor)),
        membership_until: None,
        platform_admin: false,
        created_by: None,
        lifetime: Duration::days(7),
    };
    let invite_token = db
        .create_link(
            &link(LinkPurpose::Invite, Some("invited@alpha.example.gov.uk")),
            "test",
        )
        .await
        .expect("invitation");
    let invitation = db
        .open_link(&invite_token)
        .await
        .expect("read the invitation")
        .expect("a live invitation")
        .id;
    let setup_token = db
        .create_link(&link(LinkPurpose::Setup, None), "test")
        .await
        .expect("set-up link");
    let evidence = evidence_file(db, alpha.id).await;
    let removable = removable_notes(db, alpha.id).await;
    let summary = db
        .assessment_summary(&lead, assessment)
        .await
        .expect("summary");
    World {
        evidence,
        removable,
        alpha: alpha.id,
        target,
        target_keys,
        leaver,
        to_disable,
        to_reset,
        invite_token,
        invitation,
        setup_token,
        actors,
        scope: summary.scopes[0].id,
        system_scope: summary.scopes[1].id,
        system: summary.scopes[1].system_id.expect("payroll's system"),
        assessment,
        lead,
        export_text,
    }
}

/// What a row asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    /// GET a page.
    Page(&'static str),
    /// GET the invitation page of a live invitation.
    InvitePage,
    /// GET the set-up page of a live set-up link.
    SetupPage,
    /// POST a server function with these form arguments.
    Api(&'static str, &'static str),
    /// POST `/api/auth/link` with a live invitation's token.
    LinkDetails,
    /// Change the target's role in alpha to reviewer.
    SetRole,
    /// Create a new organisation (a different one per caller).
    CreateOrganisation,
    /// Rename one of the caller's own two keys.
    RenameOwnKey,
    /// Remove one of the caller's own two keys.
    RemoveOwnKey,
    /// Remove one of the target's keys.
    RemoveOthersKey,
    /// Accept (`true`) or decline the invitation of someone who is none of the callers.
    AnswerOthersInvitation(bool),
    /// Invite a new person into alpha (a different one per caller).
    OrgInvite,
    /// Remove the leaver from alpha.
    OrgRemoveMember,
    /// Invite a new person to the platform (a different one per caller).
    AdminInvite,
    /// Disable a user.
    AdminDisable,
    /// Reset a user's keys.
    AdminResetFactors,
    /// Upload a file to alpha's evidence register (a multipart form).
    EvidenceUpload,
    /// Download the file in alpha's register.
    EvidenceDownload,
    /// Remove a note from alpha's register (a different one per caller).
    EvidenceRemove,
    /// GET alpha's assessment's board report: `html` or `pdf` (a draft: nothing is signed off).
    Report(&'static str),
    /// GET a page of alpha's assessment: `""` (dashboard), `/plan`, or `/outcome` (A1.a of the
    /// organisation scope).
    AssessPage(&'static str),
    /// Read through an assessment server function (`list`, `dashboard`, `outcome`, `plan`,
    /// `evidence`).
    AssessRead(&'static str),
    /// Read through an annual-cycle server function (`next_form`, `reconfirm_list`,
    /// `not_carried`, `year_on_year`) about alpha's assessment.
    CycleRead(&'static str),
    /// Through a critical-systems server function (`list`, `rename`, `add_to_assessment`,
    /// `remove_from_assessment`), each caller with its own name.
    Systems(&'static str),
    /// Change through an assessment server function (`create`, `save`, `comment`,
    /// `add_evidence`), each caller with its own record.
    AssessChange(&'static str),
    /// Download alpha's assessment in this format (`json` or `csv`).
    Export(&'static str),
    /// Upload alpha's export to import it under a new title.
    Import,
}

/// The method, path and form a caller sends for a row.
fn request_for(target: Target, world: &World, column: usize) -> (Method, String, String) {
    let actor = &world.actors[column];
    let api = |path: &str, form: String| (Method::POST, path.to_owned(), form);
    match target {
        Target::Page(path) => (Method::GET, path.to_owned(), String::new()),
        Target::InvitePage => (
            Method::GET,
            format!("/invite/{}", world.invite_token),
            String::new(),
        ),
        Target::SetupPage => (
            Method::GET,
            format!("/setup/{}", world.setup_token),
            String::new(),
        ),
        Target::Api(path, form) => api(path, form.to_owned()),
        Target::LinkDetails => api(
            "/api/auth/link",
            format!("token={}", enc(&world.invite_token)),
        ),
        Target::SetRole => api(
            "/api/org/set_role",
            format!("slug=alpha&user_id={}&role=reviewer&until=", world.target),
        ),
        Target::CreateOrganisation => api(
            "/api/admin/create_organisation",
            format!("slug={}&name=New+Council&kind=council", new_slug(column)),
        ),
        Target::RenameOwnKey => api(
            "/api/account/rename_key",
            format!(
                "key_id={}&name=Renamed+key",
                actor.keys.map_or(world.target_keys[1], |k| k[0])
            ),
        ),
        Target::RemoveOwnKey => api(
            "/api/account/remove_key",
            format!(
                "key_id={}",
                actor.keys.map_or(world.target_keys[1], |k| k[1])
            ),
        ),
        Target::OrgInvite => api(
            "/api/org/invite",
            format!(
                "slug=alpha&email=invitee-{column}%40alpha.example.gov.uk&name=New+Person&role=assessor&until="
            ),
        ),
        Target::OrgRemoveMember => api(
            "/api/org/remove_member",
            format!("slug=alpha&user_id={}", world.leaver),
        ),
        Target::AdminInvite => api(
            "/api/admin/invite",
            format!(
                "email=invitee-{column}%40example.gov.uk&name=New+Person&organisation=&role=&until="
            ),
        ),
        Target::AdminDisable => api(
            "/api/admin/disable",
            format!("user_id={}", world.to_disable),
        ),
        Target::AdminResetFactors => api(
            "/api/admin/reset_factors",
            format!("user_id={}", world.to_reset),
        ),
        Target::EvidenceUpload => (
            Method::POST,
            "/org/alpha/evidence/upload".to_owned(),
            String::new(),
        ),
        Target::EvidenceDownload => (
            Method::GET,
            format!("/org/alpha/evidence/{}/download", world.evidence),
            String::new(),
        ),
        Target::EvidenceRemove => (
            Method::POST,
            format!("/org/alpha/evidence/{}/remove", world.removable[column]),
            String::new(),
        ),
        Target::RemoveOthersKey => api(
            "/api/account/remove_key",
            format!("key_id={}", world.target_keys[0]),
        ),
        Target::AnswerOthersInvitation(accept) => api(
            if accept {
                "/api/account/accept_invitation"
            } else {
                "/api/account/decline_invitation"
            },
            format!("id={}", world.invitation),
        ),
        Target::AssessPage(tail) => {
            let base = format!("/org/alpha/assessments/{}", world.assessment);
            let path = match tail {
                "/outcome" => format!("{base}/scopes/{}/outcomes/A1.a", world.scope),
                other => format!("{base}{other}"),
            };
            (Method::GET, path, String::new())
        }
        Target::AssessRead(endpoint) => {
            let form = match endpoint {
                "dashboard" | "plan" => format!("slug=alpha&id={}", world.assessment),
                "outcome" => format!("slug=alpha&scope_id={}&outcome=A1.a", world.scope),
                _ => "slug=alpha".to_owned(),
            };
            api(&format!("/api/assess/{endpoint}"), form)
        }
        Target::CycleRead(endpoint) => api(
            &format!("/api/cycle/{endpoint}"),
            format!("slug=alpha&id={}", world.assessment),
        ),
        Target::Systems(endpoint) => {
            let form = match endpoint {
                "rename" => format!(
                    "slug=alpha&system_id={}&name=Renamed+by+caller+{column}",
                    world.system
                ),
                "add_to_assessment" => format!(
                    "slug=alpha&id={}&name=System+of+caller+{column}",
                    world.assessment
                ),
                "remove_from_assessment" => format!(
                    "slug=alpha&scope_id={}&typed_name=Payroll",
                    world.system_scope
                ),
                _ => "slug=alpha".to_owned(),
            };
            api(&format!("/api/systems/{endpoint}"), form)
        }
        Target::AssessChange(endpoint) => {
            let form = match endpoint {
                "create" => format!(
                    "slug=alpha&title=Made+by+caller+{column}&period=2027%2F28&framework=4.0\
                     &profile=govassure-baseline-caf4.0&organisation_description=&system_names%5B0%5D=Payroll"
                ),
                "save" => format!(
                    "slug=alpha&scope_id={}&outcome={}&version=0&draft%5Bnarrative%5D=Written+by+caller+{column}",
                    world.scope,
                    org_outcomes()[column]
                ),
                "comment" => format!(
                    "slug=alpha&scope_id={}&outcome=A1.b&body=Comment+by+caller+{column}",
                    world.scope
                ),
                "update_evidence" => format!(
                    "slug=alpha&id={}&title=Retitled+by+caller+{column}&owner=ICT&classification=official",
                    world.evidence
                ),
                _ => format!(
                    "slug=alpha&kind=note&title=Note+{column}&owner=ICT&classification=official&note=Backups+tested+monthly"
                ),
            };
            api(&format!("/api/assess/{endpoint}"), form)
        }
        Target::Report(format) => (
            Method::GET,
            format!(
                "/org/alpha/assessments/{}/report.{format}",
                world.assessment
            ),
            String::new(),
        ),
        Target::Export(format) => (
            Method::GET,
            format!(
                "/org/alpha/assessments/{}/export.{format}",
                world.assessment
            ),
            String::new(),
        ),
        Target::Import => (
            Method::POST,
            "/org/alpha/assessments/import".to_owned(),
            imported_title(column),
        ),
    }
}

fn new_slug(column: usize) -> String {
    format!("made-by-caller-{column}")
}

const OK: &str = "ok";
const SIGN_IN: &str = "sign-in";
const STEP: &str = "key step";
const E401: &str = "401";
const E404: &str = "404";
/// 303 See Other to the page of what was just made.
const SEE: &str = "303 to it";

/// One row of the matrix: what it shows, what it sends, the audit action an allowed change
/// writes (for rows that change data), and the expected outcome per caller.
struct Row {
    label: &'static str,
    target: Target,
    change: Option<&'static str>,
    expected: [&'static str; 12],
}

/// A row that only reads.
const fn row(label: &'static str, target: Target, expected: [&'static str; 12]) -> Row {
    Row {
        label,
        target,
        change: None,
        expected,
    }
}

/// A row that changes data when allowed, writing an audit record with this action.
const fn change(
    label: &'static str,
    target: Target,
    action: &'static str,
    expected: [&'static str; 12],
) -> Row {
    Row {
        label,
        target,
        change: Some(action),
        expected,
    }
}

use Target::{Api, Export, Page};

/// The expected table. Columns as in [`ACTORS`]: anonymous, key pending, key registration
/// pending, org_admin, caf_lead, assessor, reviewer, approver, board_viewer, external_assurer,
/// beta org_admin, platform admin.
#[rustfmt::skip]
const ROWS: &[Row] = &[
    // Open area: anyone, at any stage.
    row("/signin", Page("/signin"), [OK; 12]),
    row("/signin/key", Page("/signin/key"), [OK; 12]),
    row("/signin/register-key", Page("/signin/register-key"), [OK; 12]),
    row("/invite/{token}", Target::InvitePage, [OK; 12]),
    row("/setup/{token}", Target::SetupPage, [OK; 12]),
    row("POST /api/auth/me", Api("/api/auth/me", ""), [OK; 12]),
    row("POST /api/auth/link", Target::LinkDetails, [OK; 12]),
    // Reference area: anonymous or fully signed in.
    row("/", Page("/"), [OK, STEP, STEP, OK, OK, OK, OK, OK, OK, OK, OK, OK]),
    row("/frameworks", Page("/frameworks"), [OK, STEP, STEP, OK, OK, OK, OK, OK, OK, OK, OK, OK]),
    row("/frameworks/4.0", Page("/frameworks/4.0"), [OK, STEP, STEP, OK, OK, OK, OK, OK, OK, OK, OK, OK]),
    row("/frameworks/4.0/outcomes/A1.a", Page("/frameworks/4.0/outcomes/A1.a"), [OK, STEP, STEP, OK, OK, OK, OK, OK, OK, OK, OK, OK]),
    row("/changes/3.2/4.0", Page("/changes/3.2/4.0"), [OK, STEP, STEP, OK, OK, OK, OK, OK, OK, OK, OK, OK]),
    row("POST /api/frameworks", Api("/api/frameworks", ""), [OK, E401, E401, OK, OK, OK, OK, OK, OK, OK, OK, OK]),
    row("POST /api/framework", Api("/api/framework", "version=4.0"), [OK, E401, E401, OK, OK, OK, OK, OK, OK, OK, OK, OK]),
    row("POST /api/outcome", Api("/api/outcome", "version=4.0&outcome=A1.a"), [OK, E401, E401, OK, OK, OK, OK, OK, OK, OK, OK, OK]),
    row("POST /api/changes", Api("/api/changes", "from=3.2&to=4.0"), [OK, E401, E401, OK, OK, OK, OK, OK, OK, OK, OK, OK]),
    // Private area, the caller's own account: anyone fully signed in.
    row("/account", Page("/account"), [SIGN_IN, STEP, STEP, OK, OK, OK, OK, OK, OK, OK, OK, OK]),
    row("/account/sessions", Page("/account/sessions"), [SIGN_IN, STEP, STEP, OK, OK, OK, OK, OK, OK, OK, OK, OK]),
    row("POST /api/account/overview", Api("/api/account/overview", ""), [E401, E401, E401, OK, OK, OK, OK, OK, OK, OK, OK, OK]),
    row("POST /api/account/sessions", Api("/api/account/sessions", ""), [E401, E401, E401, OK, OK, OK, OK, OK, OK, OK, OK, OK]),
    change("POST /api/account/rename_key (own key)", Target::RenameOwnKey, "key.rename", [E401, E401, E401, OK, OK, OK, OK, OK, OK, OK, OK, OK]),
    change("POST /api/account/remove_key (own key)", Target::RemoveOwnKey, "key.remove", [E401, E401, E401, OK, OK, OK, OK, OK, OK, OK, OK, OK]),
    change("POST /api/account/remove_key (someone else's key)", Target::RemoveOthersKey, "key.remove", [E401, E401, E401, E404, E404, E404, E404, E404, E404, E404, E404, E404]),
    row("POST /api/account/invitations", Api("/api/account/invitations", ""), [E401, E401, E401, OK, OK, OK, OK, OK, OK, OK, OK, OK]),
    change("POST /api/account/accept_invitation (someone else's)", Target::AnswerOthersInvitation(true), "invitation.accept", [E401, E401, E401, E404, E404, E404, E404, E404, E404, E404, E404, E404]),
    change("POST /api/account/decline_invitation (someone else's)", Target::AnswerOthersInvitation(false), "invitation.decline", [E401, E401, E401, E404, E404, E404, E404, E404, E404, E404, E404, E404]),
    change("POST /api/account/recovery_codes", Api("/api/account/recovery_codes", ""), "recovery_codes.issue", [E401, E401, E401, OK, OK, OK, OK, OK, OK, OK, OK, OK]),
    change("POST /api/account/sign_out_elsewhere", Api("/api/account/sign_out_elsewhere", ""), "sign_out.elsewhere", [E401, E401, E401, OK, OK, OK, OK, OK, OK, OK, OK, OK]),
    // Private area, an organisation: any member for its page, org admins for the rest.
    row("/org/alpha", Page("/org/alpha"), [SIGN_IN, STEP, STEP, OK, OK, OK, OK, OK, OK, OK, E404, E404]),
    row("/org/alpha/members", Page("/org/alpha/members"), [SIGN_IN, STEP, STEP, OK, E404, E404, E404, E404, E404, E404, E404, E404]),
    row("/org/alpha/audit", Page("/org/alpha/audit"), [SIGN_IN, STEP, STEP, OK, E404, E404, E404, E404, E404, E404, E404, E404]),
    row("POST /api/org/overview", Api("/api/org/overview", "slug=alpha"), [E401, E401, E401, OK, OK, OK, OK, OK, OK, OK, E404, E404]),
    row("POST /api/org/members", Api("/api/org/members", "slug=alpha"), [E401, E401, E401, OK, E404, E404, E404, E404, E404, E404, E404, E404]),
    row("POST /api/org/audit", Api("/api/org/audit", "slug=alpha&action="), [E401, E401, E401, OK, E404, E404, E404, E404, E404, E404, E404, E404]),
    change("POST /api/org/set_role", Target::SetRole, "membership.set", [E401, E401, E401, OK, E404, E404, E404, E404, E404, E404, E404, E404]),
    change("POST /api/org/invite", Target::OrgInvite, "link.invite", [E401, E401, E401, OK, E404, E404, E404, E404, E404, E404, E404, E404]),
    change("POST /api/org/remove_member", Target::OrgRemoveMember, "membership.remove", [E401, E401, E401, OK, E404, E404, E404, E404, E404, E404, E404, E404]),
    // Evidence files: those who read assessments download, those who edit answers upload.
    row("/org/alpha/evidence/{id}/download", Target::EvidenceDownload, [SIGN_IN, STEP, STEP, E404, OK, OK, OK, OK, E404, OK, E404, E404]),
    change("POST /org/alpha/evidence/upload", Target::EvidenceUpload, "evidence.create", [SIGN_IN, STEP, STEP, E404, OK, OK, E404, E404, E404, E404, E404, E404]),
    change("POST /org/alpha/evidence/{id}/remove", Target::EvidenceRemove, "evidence.remove", [SIGN_IN, STEP, STEP, E404, OK, OK, E404, E404, E404, E404, E404, E404]),
    // Private area, an organisation's assessments: pages and server functions.
    row("/org/alpha/assessments", Page("/org/alpha/assessments"), [SIGN_IN, STEP, STEP, E404, OK, OK, OK, OK, E404, OK, E404, E404]),
    row("/org/alpha/assessments/{id}", Target::AssessPage(""), [SIGN_IN, STEP, STEP, E404, OK, OK, OK, OK, E404, OK, E404, E404]),
    row("/org/alpha/assessments/{id}/plan", Target::AssessPage("/plan"), [SIGN_IN, STEP, STEP, E404, OK, OK, OK, OK, E404, OK, E404, E404]),
    row("/org/alpha/assessments/{id}/scopes/{scope}/outcomes/A1.a", Target::AssessPage("/outcome"), [SIGN_IN, STEP, STEP, E404, OK, OK, OK, OK, E404, OK, E404, E404]),
    row("/org/alpha/evidence", Page("/org/alpha/evidence"), [SIGN_IN, STEP, STEP, E404, OK, OK, OK, OK, E404, OK, E404, E404]),
    row("POST /api/assess/list", Target::AssessRead("list"), [E401, E401, E401, E404, OK, OK, OK, OK, E404, OK, E404, E404]),
    row("POST /api/assess/dashboard", Target::AssessRead("dashboard"), [E401, E401, E401, E404, OK, OK, OK, OK, E404, OK, E404, E404]),
    row("POST /api/assess/outcome", Target::AssessRead("outcome"), [E401, E401, E401, E404, OK, OK, OK, OK, E404, OK, E404, E404]),
    row("POST /api/assess/plan", Target::AssessRead("plan"), [E401, E401, E401, E404, OK, OK, OK, OK, E404, OK, E404, E404]),
    row("POST /api/assess/evidence", Target::AssessRead("evidence"), [E401, E401, E401, E404, OK, OK, OK, OK, E404, OK, E404, E404]),
    change("POST /api/assess/create", Target::AssessChange("create"), "assessment.create", [E401, E401, E401, E404, OK, E404, E404, E404, E404, E404, E404, E404]),
    change("POST /api/assess/save", Target::AssessChange("save"), "outcome.save", [E401, E401, E401, E404, OK, OK, E404, E404, E404, E404, E404, E404]),
    change("POST /api/assess/comment", Target::AssessChange("comment"), "comment.add", [E401, E401, E401, E404, OK, OK, OK, OK, E404, OK, E404, E404]),
    change("POST /api/assess/add_evidence", Target::AssessChange("add_evidence"), "evidence.create", [E401, E401, E401, E404, OK, OK, E404, E404, E404, E404, E404, E404]),
    change("POST /api/assess/update_evidence", Target::AssessChange("update_evidence"), "evidence.update", [E401, E401, E401, E404, OK, OK, E404, E404, E404, E404, E404, E404]),
    // The annual cycle: the CAF lead starts next year; those who read assessments see what carried.
    row("/org/alpha/assessments/{id}/next", Target::AssessPage("/next"), [SIGN_IN, STEP, STEP, E404, OK, E404, E404, E404, E404, E404, E404, E404]),
    row("/org/alpha/assessments/{id}/reconfirm", Target::AssessPage("/reconfirm"), [SIGN_IN, STEP, STEP, E404, OK, OK, OK, OK, E404, OK, E404, E404]),
    row("/org/alpha/assessments/{id}/not-carried", Target::AssessPage("/not-carried"), [SIGN_IN, STEP, STEP, E404, OK, OK, OK, OK, E404, OK, E404, E404]),
    row("/org/alpha/assessments/{id}/compare", Target::AssessPage("/compare"), [SIGN_IN, STEP, STEP, E404, OK, OK, OK, OK, E404, OK, E404, E404]),
    row("POST /api/cycle/next_form", Target::CycleRead("next_form"), [E401, E401, E401, E404, OK, E404, E404, E404, E404, E404, E404, E404]),
    row("POST /api/cycle/reconfirm_list", Target::CycleRead("reconfirm_list"), [E401, E401, E401, E404, OK, OK, OK, OK, E404, OK, E404, E404]),
    row("POST /api/cycle/not_carried", Target::CycleRead("not_carried"), [E401, E401, E401, E404, OK, OK, OK, OK, E404, OK, E404, E404]),
    row("POST /api/cycle/year_on_year", Target::CycleRead("year_on_year"), [E401, E401, E401, E404, OK, OK, OK, OK, E404, OK, E404, E404]),
    // Critical systems: those who read assessments see them; the CAF lead adds, removes and renames.
    row("/org/alpha/systems", Page("/org/alpha/systems"), [SIGN_IN, STEP, STEP, E404, OK, OK, OK, OK, E404, OK, E404, E404]),
    row("POST /api/systems/list", Target::Systems("list"), [E401, E401, E401, E404, OK, OK, OK, OK, E404, OK, E404, E404]),
    change("POST /api/systems/add_to_assessment", Target::Systems("add_to_assessment"), "scope.add", [E401, E401, E401, E404, OK, E404, E404, E404, E404, E404, E404, E404]),
    change("POST /api/systems/remove_from_assessment", Target::Systems("remove_from_assessment"), "scope.remove", [E401, E401, E401, E404, OK, E404, E404, E404, E404, E404, E404, E404]),
    change("POST /api/systems/rename", Target::Systems("rename"), "system.rename", [E401, E401, E401, E404, OK, E404, E404, E404, E404, E404, E404, E404]),
    // Private area, an organisation's assessments: reading roles download, the CAF lead imports.
    row("/org/alpha/assessments/{id}/export.json", Export("json"), [SIGN_IN, STEP, STEP, E404, OK, OK, OK, OK, E404, OK, E404, E404]),
    row("/org/alpha/assessments/{id}/export.csv", Export("csv"), [SIGN_IN, STEP, STEP, E404, OK, OK, OK, OK, E404, OK, E404, E404]),
    // Board reports: board viewers, approvers, CAF leads and assurers; a draft's report not for board viewers.
    row("/org/alpha/reports", Page("/org/alpha/reports"), [SIGN_IN, STEP, STEP, E404, OK, E404, E404, OK, OK, OK, E404, E404]),
    row("POST /api/reports/list", Api("/api/reports/list", "slug=alpha"), [E401, E401, E401, E404, OK, E404, E404, OK, OK, OK, E404, E404]),
    row("/org/alpha/assessments/{id}/report.html (draft)", Target::Report("html"), [SIGN_IN, STEP, STEP, E404, OK, E404, E404, OK, E404, OK, E404, E404]),
    row("/org/alpha/assessments/{id}/report.pdf (draft)", Target::Report("pdf"), [SIGN_IN, STEP, STEP, E404, OK, E404, E404, OK, E404, OK, E404, E404]),
    change("POST /org/alpha/assessments/import", Target::Import, "assessment.import", [SIGN_IN, STEP, STEP, E404, SEE, E404, E404, E404, E404, E404, E404, E404]),
    // Private area, the platform: platform administrators only.
    row("/admin", Page("/admin"), [SIGN_IN, STEP, STEP, E404, E404, E404, E404, E404, E404, E404, E404, OK]),
    row("/admin/audit", Page("/admin/audit"), [SIGN_IN, STEP, STEP, E404, E404, E404, E404, E404, E404, E404, E404, OK]),
    row("POST /api/admin/overview", Api("/api/admin/overview", ""), [E401, E401, E401, E404, E404, E404, E404, E404, E404, E404, E404, OK]),
    row("POST /api/admin/audit", Api("/api/admin/audit", "action="), [E401, E401, E401, E404, E404, E404, E404, E404, E404, E404, E404, OK]),
    change("POST /api/admin/create_organisation", Target::CreateOrganisation, "organisation.create", [E401, E401, E401, E404, E404, E404, E404, E404, E404, E404, E404, OK]),
    change("POST /api/admin/invite", Target::AdminInvite, "link.invite", [E401, E401, E401, E404, E404, E404, E404, E404, E404, E404, E404, OK]),
    change("POST /api/admin/disable", Target::AdminDisable, "user.disable", [E401, E401, E401, E404, E404, E404, E404, E404, E404, E404, E404, OK]),
    change("POST /api/admin/reset_factors", Target::AdminResetFactors, "user.reset_factors", [E401, E401, E401, E404, E404, E404, E404, E404, E404, E404, E404, OK]),
];

/// The outcome class of a reply.
fn classify(reply: &Reply) -> String {
    let status = reply.status;
    if status.is_success() {
        OK.to_owned()
    } else if status.is_redirection() {
        let location = reply.location();
        if location.starts_with("/org/alpha/evidence?added=")
            || location.starts_with("/org/alpha/evidence?removed=")
        {
            OK.to_owned()
        } else if location.starts_with("/signin/key")
            || location.starts_with("/signin/register-key")
        {
            STEP.to_owned()
        } else if location.starts_with("/signin") {
            SIGN_IN.to_owned()
        } else if status == StatusCode::SEE_OTHER
            && location
                .strip_prefix("/org/alpha/assessments/")
                .is_some_and(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))
        {
            SEE.to_owned()
        } else {
            format!("{} to {location}", status.as_u16())
        }
    } else {
        status.as_u16().to_string()
    }
}

/// Text that only a reply granting the row's data contains: it must be in every allowed reply
/// and in no refused one (refusals must not leak what they refuse).
fn marker(label: &str) -> Option<&'static str> {
    match label {
        "/org/alpha" | "POST /api/org/overview" => Some("Alpha Borough Council"),
        "/org/alpha/members" | "POST /api/org/members" => Some("target@alpha.example.gov.uk"),
        "/org/alpha/audit" | "POST /api/org/audit" => Some("membership.set"),
        "/admin" | "POST /api/admin/overview" => Some("pending-registration@alpha.example.gov.uk"),
        "/admin/audit" | "POST /api/admin/audit" => Some("organisation:alpha"),
        "/org/alpha/evidence/{id}/download" => Some(EVIDENCE_TEXT),
        "/org/alpha/assessments/{id}"
        | "POST /api/assess/dashboard"
        | "POST /api/assess/list"
        | "/org/alpha/assessments"
        | "/org/alpha/assessments/{id}/plan"
        | "POST /api/assess/plan"
        | "/org/alpha/assessments/{id}/next"
        | "/org/alpha/assessments/{id}/reconfirm"
        | "/org/alpha/assessments/{id}/not-carried"
        | "/org/alpha/assessments/{id}/compare"
        | "POST /api/cycle/year_on_year"
        | "/org/alpha/systems"
        | "POST /api/systems/list"
        | "POST /api/cycle/next_form"
        | "POST /api/cycle/reconfirm_list"
        | "POST /api/cycle/not_carried" => Some("Alpha CAF 2026/27"),
        "/org/alpha/assessments/{id}/export.json" | "/org/alpha/assessments/{id}/export.csv" => {
            Some("Alpha CAF 2026/27")
        }
        "/org/alpha/assessments/{id}/report.html (draft)" => Some("Alpha CAF 2026/27"),
        _ => None,
    }
}

/// Whether a row asks for alpha's organisation data (refusals there are audited).
fn is_org_row(row: &Row) -> bool {
    row.label.starts_with("/org/")
        || row.label.starts_with("POST /org/")
        || row.label.starts_with("POST /api/org/")
        || row.label.starts_with("POST /api/assess/")
        || row.label.starts_with("POST /api/reports/")
        || row.label.starts_with("POST /api/cycle/")
        || row.label.starts_with("POST /api/systems/")
}

/// Sends every row as every caller; returns the observed table and every problem seen beyond
/// the outcome itself (wrong redirect target, missing audit record, a refused change that
/// changed something).
async fn observe(db: &Db) -> (Vec<Vec<String>>, Vec<String>) {
    let world = world(db).await;
    let app = router(db, LOCAL);
    let mut table = Vec::new();
    let mut problems = Vec::new();
    for row in ROWS {
        let mut observed = Vec::new();
        for (column, actor) in world.actors.iter().enumerate() {
            let who = ACTORS[column].0;
            let (method, uri, form) = request_for(row.target, &world, column);
            let before = if row.change.is_some() {
                Some(snapshot(db).await)
            } else {
                None
            };
            let seq = newest_seq(db).await;
            let request = if row.target == Target::EvidenceUpload {
                evidence_upload(actor.cookie.as_deref())
            } else if method == Method::GET {
                get(&uri, actor.cookie.as_deref())
            } else if row.target == Target::Import {
                multipart(
                    &uri,
                    &world.export_text,
                    &form,
                    actor.cookie.as_deref(),
                    &[("origin", LOCAL)],
                )
            } else {
                post(&uri, &form, actor.cookie.as_deref())
            };
            let reply = send(&app, request).await;
            let outcome = classify(&reply);
            let allowed = outcome == OK || outcome == SEE;
            let cell = format!("{} as {who}", row.label);

            // Redirects go to the right place.
            match (outcome.as_str(), actor.stage) {
                (STEP, Some("key_assertion")) if reply.location() != "/signin/key" => {
                    problems.push(format!("{cell}: redirected to {}", reply.location()));
                }
                (STEP, Some("key_registration")) if reply.location() != "/signin/register-key" => {
                    problems.push(format!("{cell}: redirected to {}", reply.location()));
                }
                (SIGN_IN, _) if !reply.location().starts_with("/signin?next=/") => {
                    problems.push(format!("{cell}: redirected to {}", reply.location()));
                }
                _ => {}
            }

            // Allowed replies carry the data; refused ones do not, and refused pages say so.
            if let Some(marker) = marker(row.label)
                && reply.text().contains(marker) != allowed
            {
                problems.push(format!(
                    "{cell}: {outcome} and the reply {} {marker:?}",
                    if allowed { "lacks" } else { "contains" }
                ));
            }
            if method == Method::GET && outcome == E404 && !reply.text().contains("Page not found")
            {
                problems.push(format!("{cell}: a 404 page without \"Page not found\""));
            }

            // Refusals of alpha's data are audited, once; nothing else is.
            let written = audit_since(db, seq).await;
            let denials: Vec<&AuditRecord> = written
                .iter()
                .filter(|r| r.event.action == "access.denied")
                .collect();
            let should_deny = is_org_row(row) && actor.full() && outcome == E404;
            if denials.len() != usize::from(should_deny) {
                problems.push(format!(
                    "{cell}: {} access.denied record(s) written, expected {}",
                    denials.len(),
                    usize::from(should_deny)
                ));
            }
            for denial in &denials {
                // A member refused one assessment's report is refused that assessment.
                let object_ok = denial.event.object == "organisation:alpha"
                    || (row.target == Target::Report("html")
                        || row.target == Target::Report("pdf"))
                        && denial.event.object == format!("assessment:{}", world.assessment);
                if denial.event.actor_id != actor.user_id
                    || !object_ok
                    || denial.event.organisation_id != Some(world.alpha)
                {
                    problems.push(format!(
                        "{cell}: access.denied record is {:?}",
                        denial.event
                    ));
                }
            }

            // A refused request changes nothing; an allowed change happened.
            if !allowed {
                if let Some(other) = written.iter().find(|r| r.event.action != "access.denied") {
                    problems.push(format!(
                        "{cell}: refused ({outcome}) but audited {}",
                        other.event.action
                    ));
                }
                if let Some(before) = &before
                    && *before != snapshot(db).await
                {
                    problems.push(format!("{cell}: refused ({outcome}) but the data changed"));
                }
            } else if let Some(action) = row.change {
                let key = || -> i64 {
                    form.trim_start_matches("key_id=")
                        .split('&')
                        .next()
                        .and_then(|k| k.parse().ok())
                        .expect("key id")
                };
                let done = match row.target {
                    Target::SetRole => db
                        .memberships_of(world.target)
                        .await
                        .expect("memberships")
                        .iter()
                        .any(|m| m.organisation.id == world.alpha && m.role == Role::Reviewer),
                    Target::CreateOrganisation => db
                        .organisation_by_slug(&new_slug(column))
                        .await
                        .expect("organisation")
                        .is_some(),
                    Target::RemoveOwnKey | Target::RemoveOthersKey => {
                        find_key(db, key()).await.is_none()
                    }
                    Target::RenameOwnKey => find_key(db, key())
                        .await
                        .is_some_and(|k| k.name == "Renamed key"),
                    Target::OrgRemoveMember => !db
                        .memberships_of(world.leaver)
                        .await
                        .expect("memberships")
                        .iter()
                        .any(|m| m.organisation.id == world.alpha),
                    Target::AdminDisable => db
                        .list_users()
                        .await
                        .expect("users")
                        .iter()
                        .any(|u| u.id == world.to_disable && u.disabled_at.is_some()),
                    Target::AdminResetFactors => db
                        .security_keys(world.to_reset)
                        .await
                        .expect("keys")
                        .is_empty(),
                    Target::EvidenceRemove => db
                        .evidence_item(&world.lead, world.removable[column])
                        .await
                        .is_err(),
                    Target::AssessChange("update_evidence") => {
                        db.evidence_item(&world.lead, world.evidence)
                            .await
                            .expect("item")
                            .fields
                            .title
                            == format!("Retitled by caller {column}")
                    }
                    Target::Systems("add_to_assessment") => db
                        .assessment_summary(&world.lead, world.assessment)
                        .await
                        .expect("summary")
                        .scopes
                        .iter()
                        .any(|s| s.name == format!("System of caller {column}")),
                    Target::Systems("remove_from_assessment") => db
                        .assessment_summary(&world.lead, world.assessment)
                        .await
                        .expect("summary")
                        .scopes
                        .iter()
                        .all(|s| s.id != world.system_scope),
                    Target::Systems("rename") => db
                        .critical_systems(&world.lead)
                        .await
                        .expect("systems")
                        .iter()
                        .any(|s| {
                            s.id == world.system && s.name == format!("Renamed by caller {column}")
                        }),
                    Target::Import => db
                        .list_assessments(&world.lead)
                        .await
                        .expect("assessments")
                        .iter()
                        .any(|a| a.title == imported_title(column)),
                    _ => true,
                };
                if !done {
                    problems.push(format!("{cell}: answered 2xx but the change is not there"));
                }
                if !written.iter().any(|r| r.event.action == action) {
                    problems.push(format!("{cell}: allowed, but no {action} audit record"));
                }
            }
            observed.push(outcome);
        }
        table.push(observed);
    }
    (table, problems)
}

/// The differences between the observed and the expected table.
fn mismatches(observed: &[Vec<String>]) -> Vec<String> {
    let mut out = Vec::new();
    for (row, seen) in ROWS.iter().zip(observed) {
        for (column, (expected, got)) in row.expected.iter().zip(seen).enumerate() {
            if expected != got {
                out.push(format!(
                    "{} as {}: expected {expected}, observed {got}",
                    row.label, ACTORS[column].0
                ));
            }
        }
    }
    out
}

/// The Markdown page for the observed table.
fn markdown(observed: &[Vec<String>]) -> String {
    let mut out = String::new();
    out.push_str("# Who can reach what\n\n");
    out.push_str(
        "<!-- Generated by server/tests/access.rs from what the running app answered. Do not edit: \
         run `UPDATE_ACCESS_DOC=1 cargo test -p server --test access` to regenerate. -->\n\n",
    );
    out.push_str(
        "Every page and every data-reading server function, with some that change data, was \
         requested over HTTP by each kind of caller below; each cell is what came back. The test \
         that writes this page fails if the app's answers change, so the table is always the \
         app's real behaviour.\n\n",
    );
    out.push_str("## Areas\n\n");
    out.push_str(
        "The sign-in gate (`server/src/gate.rs`) puts every path in one of three areas:\n\n\
         - **Open**: the sign-in steps (`/signin…`), set-up and invitation links, `/api/auth/…`, \
         assets and the health check. Anyone, at any stage of signing in.\n\
         - **Reference**: the NCSC framework text (`/`, `/frameworks…`, `/changes…` and their \
         server functions). Anonymous visitors and fully signed-in users; not someone half-way \
         through signing in, who is sent to finish first.\n\
         - **Private**: everything else. Fully signed-in users only (password *and* security key). \
         Behind the gate, each server function checks the caller's rights: an organisation's pages \
         need a current membership of that organisation (its members and audit pages need the \
         organisation admin role), and the administration pages need a platform administrator. \
         Anything refused there looks exactly like a page that does not exist (404), and each \
         time a signed-in user is refused an organisation's data an `access.denied` audit record \
         is written.\n\n",
    );
    out.push_str("## Callers\n\n");
    for (name, description) in ACTORS {
        out.push_str(&format!("- **{name}**: {description}.\n"));
    }
    out.push_str(
        "\nThe organisation asked about is always alpha. In the \"own key\" rows a caller with no \
         key of their own (anonymous, key registration pending) names another user's key \
         instead; every caller with keys has two, so removing one is allowed. Creating an \
         organisation and inviting someone use a new name for each caller.\n\n",
    );
    out.push_str("## Outcomes\n\n");
    out.push_str(
        "- **ok**: 2xx, the page or data was served (and any change made); for the evidence \
         upload, the 303 back to the register with the new item.\n\
         - **sign-in**: a redirect to `/signin?next=…`.\n\
         - **key step**: a redirect to the sign-in step still to do: `/signin/key` (key pending) \
         or `/signin/register-key` (key registration pending).\n\
         - **401**: a server function refused for want of a complete sign-in.\n\
         - **404**: refused as if it did not exist.\n\n\
         Pages are `GET` requests; `POST` rows are server functions called as the app's own pages \
         call them (form-encoded, with the app's `Origin`), except the evidence upload, a \
         multipart form with a small file. Refused changes were checked to change \
         nothing and to audit nothing but `access.denied`; allowed ones to make the change and \
         audit it.\n\n\
         Not in the table: the sign-in steps themselves (`/api/auth/password`, `key_begin`, \
         `key_finish`, `recovery`, `register_begin`, `register_finish`, `accept`, `sign_out`), \
         which are open to everyone and check the session's stage themselves. The password step, \
         sign-out, session cookies, timeouts, the origin check and throttling are tested over \
         HTTP in `server/tests/access.rs`; the whole flow with a software security key in \
         `app/tests/sign_in.rs`.\n\n",
    );
    out.push_str("## The table\n\n| Route |");
    for (name, _) in ACTORS {
        out.push_str(&format!(" {name} |"));
    }
    out.push_str("\n|---|");
    for _ in ACTORS {
        out.push_str("---|");
    }
    out.push('\n');
    for (row, seen) in ROWS.iter().zip(observed) {
        out.push_str(&format!("| `{}` |", row.label));
        for cell in seen {
            out.push_str(&format!(" {cell} |"));
        }
        out.push('\n');
    }
    out
}

fn doc_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/access.md")
}

/// Checks `docs/access.md` against the generated text, or rewrites it when asked to.
fn check_doc(text: &str) -> Option<String> {
    let path = doc_path();
    if std::env::var("UPDATE_ACCESS_DOC").as_deref() == Ok("1") {
        std::fs::write(&path, text).expect("write docs/access.md");
        return None;
    }
    match std::fs::read_to_string(&path) {
        Ok(on_disk) if on_disk == text => None,
        Ok(_) => Some(
            "docs/access.md differs from the observed table; run \
             `UPDATE_ACCESS_DOC=1 cargo test -p server --test access` and review the change"
                .into(),
        ),
        Err(e) => Some(format!(
            "cannot read {}: {e}; run `UPDATE_ACCESS_DOC=1 cargo test -p server --test access`",
            path.display()
        )),
    }
}

on_both!(access_matrix, |t: TestDb| async move {
    let (observed, mut problems) = observe(&t.db).await;
    problems.extend(mismatches(&observed));
    if t.engine == Engine::Sqlite
        && let Some(problem) = check_doc(&markdown(&observed))
    {
        problems.push(problem);
    }
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
});

// ---- Sessions, cookies and sign-in over HTTP ---------------------------------------------

/// The attributes of a `Set-Cookie` header, lower-cased, without the name=value.
fn attributes(set_cookie: &str) -> Vec<String> {
    set_cookie
        .split(';')
        .skip(1)
        .map(|a| a.trim().to_lowercase())
        .collect()
}

on_both!(
    the_session_cookie_is_http_only_strict_and_host_only,
    |t: TestDb| async move {
        let email = "pat@example.gov.uk";
        account_with_password(&t.db, email).await;
        for (public_url, name, tls) in [
            (LOCAL, "caf_session", false),
            (TLS, "__Host-caf_session", true),
        ] {
            let app = router(&t.db, public_url);
            let reply = send(
                &app,
                post_with(
                    "/api/auth/password",
                    &credentials(email, PASSWORD),
                    None,
                    &[("origin", public_url)],
                ),
            )
            .await;
            assert_eq!(
                reply.status,
                StatusCode::OK,
                "{public_url}: {}",
                reply.text()
            );
            assert_eq!(reply.text(), "\"key_registration\"");
            let set = reply
                .set_cookie(name)
                .unwrap_or_else(|| panic!("{public_url}: no {name} cookie in {:?}", reply.headers));
            let attributes = attributes(&set);
            assert!(attributes.contains(&"httponly".to_owned()), "{set}");
            assert!(attributes.contains(&"samesite=strict".to_owned()), "{set}");
            assert!(attributes.contains(&"path=/".to_owned()), "{set}");
            assert!(
                !attributes.iter().any(|a| a.starts_with("domain")),
                "host-only: {set}"
            );
            assert_eq!(attributes.contains(&"secure".to_owned()), tls, "{set}");
            let other = if tls {
                "caf_session"
            } else {
                "__Host-caf_session"
            };
            assert!(reply.set_cookie(other).is_none(), "only one cookie name");
            assert_eq!(
                reply
                    .headers
                    .contains_key(header::STRICT_TRANSPORT_SECURITY),
                tls,
                "{public_url}: HSTS on the sign-in answer"
            );
            let health = send(&app, get("/healthz", None)).await;
            assert_eq!(
                health
                    .headers
                    .contains_key(header::STRICT_TRANSPORT_SECURITY),
                tls,
                "{public_url}: HSTS on every answer"
            );
            if tls {
                let hsts = health.headers[header::STRICT_TRANSPORT_SECURITY]
                    .to_str()
                    .expect("ascii");
                assert!(hsts.contains("max-age=31536000"), "{hsts}");
            }
        }
    }
);

on_both!(
    the_password_step_replaces_the_session_id,
    |t: TestDb| async move {
        let email = "pat@example.gov.uk";
        account_with_password(&t.db, email).await;
        let app = router(&t.db, LOCAL);
        let first = send(
            &app,
            post("/api/auth/password", &credentials(email, PASSWORD), None),
        )
        .await;
        assert_eq!(first.status, StatusCode::OK, "{}", first.text());
        let first_cookie = first.cookie("caf_session");
        let second = send(
            &app,
            post(
                "/api/auth/password",
                &credentials(email, PASSWORD),
                Some(&first_cookie),
            ),
        )
        .await;
        assert_eq!(second.status, StatusCode::OK, "{}", second.text());
        let second_cookie = second.cookie("caf_session");
        assert_ne!(first_cookie, second_cookie, "a new id at the password step");

        let old = send(&app, post("/api/auth/me", "", Some(&first_cookie))).await;
        assert_eq!(old.status, StatusCode::OK);
        assert_eq!(old.text(), "null", "the cookie from before is dead");
        let new = send(&app, post("/api/auth/me", "", Some(&second_cookie))).await;
        assert_eq!(new.status, StatusCode::OK);
        assert!(
            new.text().contains("\"key_registration\""),
            "{}",
            new.text()
        );
        let (_, id) = first_cookie.split_once('=').expect("name=value");
        let id: Id = id.parse().expect("session id");
        assert!(
            DbSessionStore::new(t.db.clone())
                .load(&id)
                .await
                .expect("load")
                .is_none(),
            "the old session record is gone"
        );
    }
);

on_both!(a_signed_out_cookie_opens_nothing, |t: TestDb| async move {
    let user =
        t.db.create_user("pat@example.gov.uk", "Pat", "test")
            .await
            .expect("user");
    let cookie = signed_in(&t.db, user, "full").await;
    let app = router(&t.db, LOCAL);
    let before = send(&app, post("/api/account/overview", "", Some(&cookie))).await;
    assert_eq!(before.status, StatusCode::OK, "{}", before.text());

    let out = send(&app, post("/api/auth/sign_out", "", Some(&cookie))).await;
    assert_eq!(out.status, StatusCode::OK, "{}", out.text());
    let removal = out
        .set_cookie("caf_session")
        .expect("the cookie is cleared");
    assert!(
        attributes(&removal).contains(&"max-age=0".to_owned()),
        "{removal}"
    );
    assert_eq!(audit_with_prefix(&t.db, "sign_out").await.len(), 1);

    let api = send(&app, post("/api/account/overview", "", Some(&cookie))).await;
    assert_eq!(api.status, StatusCode::UNAUTHORIZED, "{}", api.text());
    let page = send(&app, get("/account", Some(&cookie))).await;
    assert!(page.status.is_redirection(), "{:?}", page.status);
    assert_eq!(page.location(), "/signin?next=/account");
});

on_both!(
    idle_and_absolute_timeouts_end_sessions,
    |t: TestDb| async move {
        let user =
            t.db.create_user("pat@example.gov.uk", "Pat", "test")
                .await
                .expect("user");
        let app = router(&t.db, LOCAL);
        let live = signed_in(&t.db, user, "full").await;
        let reply = send(&app, post("/api/account/overview", "", Some(&live))).await;
        assert_eq!(reply.status, StatusCode::OK, "a live session works");

        let idle = session_at(
            &t.db,
            user,
            "full",
            now() - 3600,
            OffsetDateTime::now_utc() - Duration::minutes(1),
        )
        .await;
        let reply = send(
            &app,
            post(
                "/api/account/overview",
                "",
                Some(&format!("caf_session={idle}")),
            ),
        )
        .await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "idle too long");

        let old = session_at(
            &t.db,
            user,
            "full",
            now() - 13 * 3600,
            OffsetDateTime::now_utc() + Duration::minutes(30),
        )
        .await;
        let cookie = format!("caf_session={old}");
        let reply = send(&app, post("/api/account/overview", "", Some(&cookie))).await;
        assert_eq!(
            reply.status,
            StatusCode::UNAUTHORIZED,
            "older than 12 hours"
        );
        let id: Id = old.parse().expect("id");
        assert!(
            DbSessionStore::new(t.db.clone())
                .load(&id)
                .await
                .expect("load")
                .is_none(),
            "the outlived session is deleted"
        );
        let page = send(&app, get("/account", Some(&cookie))).await;
        assert!(page.location().starts_with("/signin"), "{:?}", page.headers);
    }
);

on_both!(
    requests_from_other_sites_change_nothing,
    |t: TestDb| async move {
        let email = "pat@example.gov.uk";
        account_with_password(&t.db, email).await;
        let app = router(&t.db, LOCAL);
        let form = credentials(email, PASSWORD);
        for extra in [
            vec![("origin", "https://evil.example")],
            vec![("sec-fetch-site", "cross-site")],
            vec![("sec-fetch-site", "cross-site"), ("origin", LOCAL)],
            vec![("sec-fetch-site", "same-site"), ("origin", LOCAL)],
            vec![],
        ] {
            let reply = send(&app, post_with("/api/auth/password", &form, None, &extra)).await;
            assert_eq!(reply.status, StatusCode::FORBIDDEN, "{extra:?}");
            assert!(reply.set_cookie("caf_session").is_none(), "{extra:?}");
        }
        // A GET never runs a state-changing server function.
        let reply = send(&app, get(&format!("/api/auth/password?{form}"), None)).await;
        assert!(
            !reply.status.is_success(),
            "GET password: {:?}",
            reply.status
        );
        assert!(
            audit_with_prefix(&t.db, "sign_in.").await.is_empty(),
            "no sign-in was even attempted"
        );

        let user =
            t.db.create_user("sam@example.gov.uk", "Sam", "test")
                .await
                .expect("user");
        let cookie = signed_in(&t.db, user, "full").await;
        let reply = send(&app, get("/api/auth/sign_out", Some(&cookie))).await;
        assert!(
            !reply.status.is_success(),
            "GET sign_out: {:?}",
            reply.status
        );
        let reply = send(
            &app,
            post_with(
                "/api/auth/sign_out",
                "",
                Some(&cookie),
                &[("origin", "https://evil.example")],
            ),
        )
        .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN);
        let reply = send(&app, post("/api/account/overview", "", Some(&cookie))).await;
        assert_eq!(reply.status, StatusCode::OK, "still signed in");
        assert!(audit_with_prefix(&t.db, "sign_out").await.is_empty());
    }
);

on_both!(
    a_wrong_password_and_an_unknown_user_get_the_same_answer,
    |t: TestDb| async move {
        let email = "pat@example.gov.uk";
        account_with_password(&t.db, email).await;
        let app = router(&t.db, LOCAL);
        let wrong = send(
            &app,
            post(
                "/api/auth/password",
                &credentials(email, "not the password at all"),
                None,
            ),
        )
        .await;
        let unknown = send(
            &app,
            post(
                "/api/auth/password",
                &credentials("nobody@example.gov.uk", "not the password at all"),
                None,
            ),
        )
        .await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
        assert_eq!(wrong.body, unknown.body, "byte-identical answers");
        assert_eq!(
            wrong.headers.get(header::CONTENT_TYPE),
            unknown.headers.get(header::CONTENT_TYPE)
        );
        assert!(wrong.text().contains(WRONG_PASSWORD), "{}", wrong.text());
        assert!(wrong.set_cookie("caf_session").is_none());
    }
);

on_both!(
    the_sixth_failure_is_throttled_with_retry_after,
    |t: TestDb| async move {
        let email = "pat@example.gov.uk";
        account_with_password(&t.db, email).await;
        let app = router(&t.db, LOCAL);
        let wrong = credentials(email, "not the password at all");
        for attempt in 1..=5 {
            let reply = send(&app, post("/api/auth/password", &wrong, None)).await;
            assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "attempt {attempt}");
        }
        let reply = send(&app, post("/api/auth/password", &wrong, None)).await;
        assert_eq!(
            reply.status,
            StatusCode::TOO_MANY_REQUESTS,
            "{}",
            reply.text()
        );
        let wait: u64 = reply
            .headers
            .get(header::RETRY_AFTER)
            .expect("Retry-After")
            .to_str()
            .expect("ascii")
            .parse()
            .expect("a number of seconds");
        assert!(wait > 0);
        let right = send(
            &app,
            post("/api/auth/password", &credentials(email, PASSWORD), None),
        )
        .await;
        assert_eq!(
            right.status,
            StatusCode::TOO_MANY_REQUESTS,
            "even the right password waits"
        );
        assert!(right.set_cookie("caf_session").is_none());
    }
);

on_both!(a_database_error_is_not_shown, |t: TestDb| async move {
    let user =
        t.db.create_user("pat@example.gov.uk", "Pat", "test")
            .await
            .expect("user");
    let cookie = signed_in(&t.db, user, "full").await;
    let app = router(&t.db, LOCAL);
    install_default_drivers();
    let raw = AnyPoolOptions::new()
        .max_connections(1)
        .connect(&t.url)
        .await
        .expect("raw connection");
    raw.execute("DROP TABLE security_keys")
        .await
        .expect("drop a table");
    raw.close().await;
    let internal = serde_json::to_string(&AppError::Internal).expect("json");
    let api = send(&app, post("/api/account/overview", "", Some(&cookie))).await;
    assert_eq!(
        api.status,
        StatusCode::INTERNAL_SERVER_ERROR,
        "{}",
        api.text()
    );
    assert_eq!(api.text(), internal);
    let page = send(&app, get("/account", Some(&cookie))).await;
    assert_eq!(page.status, StatusCode::INTERNAL_SERVER_ERROR);
    for reply in [&api, &page] {
        let text = reply.text().to_lowercase();
        for leak in [
            "security_keys",
            "no such table",
            "relation",
            "sqlx",
            "sqlite",
            "postgres",
        ] {
            assert!(!text.contains(leak), "{leak:?} shown in {text}");
        }
    }
});

/// The page text with its per-response CSP nonces blanked (Leptos also puts the nonce in
/// `crossorigin`), for comparing two pages.
fn without_nonces(text: &str) -> String {
    let mut text = text.to_owned();
    for attribute in ["nonce=\"", "crossorigin=\""] {
        let mut out = String::new();
        let mut rest = text.as_str();
        while let Some(at) = rest.find(attribute) {
            let (head, tail) = rest.split_at(at + attribute.len());
            out.push_str(head);
            rest = tail.find('"').map_or("", |end| &tail[end..]);
        }
        out.push_str(rest);
        text = out;
    }
    text
}

on_both!(
    a_refused_organisation_looks_like_a_missing_one,
    |t: TestDb| async move {
        let db = &t.db;
        let alpha = db
            .create_organisation(
                "alpha",
                "Alpha Borough Council",
                OrganisationKind::Council,
                "test",
            )
            .await
            .expect("alpha");
        let beta = db
            .create_organisation(
                "beta",
                "Beta District Council",
                OrganisationKind::Council,
                "test",
            )
            .await
            .expect("beta");
        let outsider = db
            .create_user("admin@beta.example.gov.uk", "Beta Admin", "test")
            .await
            .expect("user");
        db.set_membership(outsider, beta.id, Role::OrgAdmin, None, "test")
            .await
            .expect("member");
        let assessor = db
            .create_user("assessor@alpha.example.gov.uk", "Ann Assessor", "test")
            .await
            .expect("user");
        db.set_membership(assessor, alpha.id, Role::Assessor, None, "test")
            .await
            .expect("member");
        let app = router(db, LOCAL);
        for (who, user, paths) in [
            (
                "beta org_admin",
                outsider,
                &["/api/org/overview", "/api/org/members", "/api/org/audit"][..],
            ),
            (
                "alpha assessor",
                assessor,
                &["/api/org/members", "/api/org/audit"][..],
            ),
        ] {
            let cookie = signed_in(db, user, "full").await;
            for path in paths {
                let refused = send(&app, post(path, "slug=alpha&action=", Some(&cookie))).await;
                let missing =
                    send(&app, post(path, "slug=no-such-org&action=", Some(&cookie))).await;
                assert_eq!(refused.status, StatusCode::NOT_FOUND, "{who} {path}");
                assert_eq!(missing.status, StatusCode::NOT_FOUND, "{who} {path}");
                assert_eq!(refused.body, missing.body, "{who} {path}");
            }
            let page = |slug: &'static str, tail: &'static str| {
                let cookie = cookie.clone();
                let app = app.clone();
                async move { send(&app, get(&format!("/org/{slug}{tail}"), Some(&cookie))).await }
            };
            for tail in ["", "/members", "/audit"] {
                if user == assessor && tail.is_empty() {
                    continue;
                }
                let refused = page("alpha", tail).await;
                let missing = page("no-such-org", tail).await;
                assert_eq!(
                    refused.status,
                    StatusCode::NOT_FOUND,
                    "{who} /org/alpha{tail}"
                );
                assert_eq!(
                    missing.status,
                    StatusCode::NOT_FOUND,
                    "{who} /org/no-such-org{tail}"
                );
                assert_eq!(
                    without_nonces(&refused.text()),
                    without_nonces(&missing.text()).replace("no-such-org", "alpha"),
                    "{who} /org/…{tail}"
                );
            }
        }
        let denials = audit_with_prefix(db, "access.denied").await;
        assert!(
            denials
                .iter()
                .any(|r| r.event.object == "organisation:no-such-org"
                    && r.event.organisation_id.is_none()),
            "asking for a missing organisation is audited too"
        );
    }
);

/// With an https public URL, signing out sends a removal cookie for `__Host-caf_session` that
/// carries `Secure` (browsers ignore any `__Host-` cookie without it), so the cookie is dropped.
#[tokio::test]
async fn signing_out_over_https_clears_the_host_cookie() {
    with_db(Engine::Sqlite, |t: TestDb| async move {
        let user =
            t.db.create_user("pat@example.gov.uk", "Pat", "test")
                .await
                .expect("user");
        let id = session_at(
            &t.db,
            user,
            "full",
            now(),
            OffsetDateTime::now_utc() + Duration::minutes(30),
        )
        .await;
        let app = router(&t.db, TLS);
        let cookie = format!("__Host-caf_session={id}");
        let reply = send(
            &app,
            post_with("/api/auth/sign_out", "", Some(&cookie), &[("origin", TLS)]),
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
        let removal = reply
            .headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter(|v| v.starts_with("__Host-caf_session="))
            .find(|v| attributes(v).contains(&"secure".to_owned()))
            .map(str::to_owned)
            .expect("a removal cookie browsers accept");
        let attributes = attributes(&removal);
        assert!(attributes.contains(&"max-age=0".to_owned()), "{removal}");
        assert!(
            attributes.contains(&"secure".to_owned()),
            "a __Host- cookie without Secure is ignored by browsers: {removal}"
        );
        assert!(attributes.contains(&"path=/".to_owned()), "{removal}");
    })
    .await;
}

// ---- Assessment export and import over HTTP ----------------------------------------------

/// The full-stage cookie of alpha's CAF lead in the matrix world.
fn lead_cookie(world: &World) -> String {
    world.actors[4].cookie.clone().expect("caf_lead cookie")
}

on_both!(
    exports_are_attachments_and_other_councils_get_404,
    |t: TestDb| async move {
        let db = &t.db;
        let world = world(db).await;
        let app = router(db, LOCAL);
        let id = world.assessment;
        let lead = lead_cookie(&world);
        for (format, media_type) in [("json", "application/json"), ("csv", "text/csv")] {
            let reply = send(
                &app,
                get(
                    &format!("/org/alpha/assessments/{id}/export.{format}"),
                    Some(&lead),
                ),
            )
            .await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
            let header = |name| {
                reply
                    .headers
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_owned()
            };
            assert!(header(header::CONTENT_TYPE).starts_with(media_type));
            assert_eq!(
                header(header::CONTENT_DISPOSITION),
                format!("attachment; filename=\"alpha-assessment-{id}.{format}\"")
            );
            assert_eq!(header(header::X_CONTENT_TYPE_OPTIONS), "nosniff");
            assert_eq!(header(header::CACHE_CONTROL), "no-store");
        }
        let json = send(
            &app,
            get(
                &format!("/org/alpha/assessments/{id}/export.json"),
                Some(&lead),
            ),
        )
        .await;
        let document: serde_json::Value = serde_json::from_slice(&json.body).expect("JSON");
        assert_eq!(document["format"], 1);
        assert_eq!(document["source_organisation"], "alpha");

        // A CAF lead of beta, asking for alpha's assessment through beta's address or alpha's.
        let beta = db
            .organisation_by_slug("beta")
            .await
            .expect("read")
            .expect("beta");
        let outsider = db
            .create_user("lead@beta.example.gov.uk", "Beta Lead", "test")
            .await
            .expect("user");
        db.set_membership(outsider, beta.id, Role::CafLead, None, "test")
            .await
            .expect("member");
        let cookie = signed_in(db, outsider, "full").await;
        let missing = send(
            &app,
            get("/org/beta/assessments/999999/export.json", Some(&cookie)),
        )
        .await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
        for path in [
            format!("/org/beta/assessments/{id}/export.json"),
            format!("/org/beta/assessments/{id}/export.csv"),
            format!("/org/alpha/assessments/{id}/export.json"),
        ] {
            let reply = send(&app, get(&path, Some(&cookie))).await;
            assert_eq!(reply.status, StatusCode::NOT_FOUND, "{path}");
            assert_eq!(reply.body, missing.body, "{path}: looks like a missing one");
        }
        let denials = audit_with_prefix(db, "access.denied").await;
        assert!(
            denials
                .iter()
                .any(|r| r.event.object == format!("assessment:{id}")
                    && r.event.actor_id == Some(outsider)
                    && r.event.organisation_id == Some(beta.id)),
            "asking beta for alpha's assessment is audited"
        );
        assert!(
            denials
                .iter()
                .any(|r| r.event.object == "organisation:alpha"
                    && r.event.actor_id == Some(outsider))
        );
    }
);

on_both!(
    an_import_over_http_is_all_or_nothing,
    |t: TestDb| async move {
        let db = &t.db;
        let world = world(db).await;
        let app = router(db, LOCAL);
        let lead = lead_cookie(&world);
        let titles = || async {
            db.list_assessments(&world.lead)
                .await
                .expect("list")
                .into_iter()
                .map(|a| a.title)
                .collect::<Vec<_>>()
        };
        let before = titles().await;
        let uri = "/org/alpha/assessments/import";

        let mut bad: serde_json::Value = serde_json::from_str(&world.export_text).expect("JSON");
        bad["assessment"]["framework_version"] = "9.9".into();
        bad["scopes"][1]["outcomes"][0]["due"] = "tomorrow".into();
        let reply = send(
            &app,
            multipart(
                uri,
                &bad.to_string(),
                "Bad one",
                Some(&lead),
                &[("origin", LOCAL)],
            ),
        )
        .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
        let location = reply.location().to_owned();
        assert!(
            location.starts_with("/org/alpha/assessments?import_error="),
            "{location}"
        );
        assert!(
            location.contains("assessment.framework_version"),
            "{location}"
        );
        assert!(
            location.contains("scopes%5B1%5D.outcomes%5B0%5D.due"),
            "{location}"
        );
        assert!(
            location.contains("%0A"),
            "problems on separate lines: {location}"
        );
        assert_eq!(titles().await, before, "a refused import stores nothing");

        let foreign = send(
            &app,
            multipart(
                uri,
                &world.export_text,
                "From elsewhere",
                Some(&lead),
                &[("origin", "https://evil.example")],
            ),
        )
        .await;
        assert_eq!(foreign.status, StatusCode::FORBIDDEN);
        assert_eq!(titles().await, before, "a cross-site upload stores nothing");

        let huge = "x".repeat(app::data::MAX_IMPORT_BYTES + 1);
        let mut declared = multipart(uri, &huge, "Huge", Some(&lead), &[("origin", LOCAL)]);
        let length = (huge.len() + 400).to_string();
        declared.headers_mut().insert(
            header::CONTENT_LENGTH,
            length.parse().expect("header value"),
        );
        assert_eq!(
            send(&app, declared).await.status,
            StatusCode::PAYLOAD_TOO_LARGE
        );
        let streamed = multipart(uri, &huge, "Huge", Some(&lead), &[("origin", LOCAL)]);
        assert_eq!(
            send(&app, streamed).await.status,
            StatusCode::PAYLOAD_TOO_LARGE
        );
        assert_eq!(titles().await, before);

        let reply = send(
            &app,
            multipart(
                uri,
                &world.export_text,
                "Copied",
                Some(&lead),
                &[("origin", LOCAL)],
            ),
        )
        .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());
        let id: i64 = reply
            .location()
            .strip_prefix("/org/alpha/assessments/")
            .and_then(|id| id.parse().ok())
            .expect("the new assessment's page");
        let summary = db
            .assessment_summary(&world.lead, id)
            .await
            .expect("stored");
        assert_eq!(summary.title, "Copied");
        let imports = audit_with_prefix(db, "assessment.import").await;
        assert_eq!(imports.len(), 1);
        assert_eq!(imports[0].event.actor, "caf-lead@alpha.example.gov.uk");
    }
);
