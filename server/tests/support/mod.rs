//! Helpers for server tests that need a real database on both engines and signed-in callers.

use app::auth::flow::{FRESH_KEY, STAGE_KEY, STARTED_KEY};
use app::data::{AuditFilter, AuditRecord, Db, DbSessionStore, USER_ID_KEY};
use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
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

/// The public URL of the test configuration; also the origin the app's pages send.
pub const LOCAL: &str = "http://localhost:3000";

/// Which engine a test database runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// A fresh, migrated database, and a fresh folder for evidence files.
#[derive(Debug, Clone)]
pub struct TestDb {
    pub db: Db,
    pub evidence_dir: PathBuf,
    /// The database's URL, for tests that look at tables directly.
    #[allow(dead_code)]
    pub url: String,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A name no other test (in this or a parallel run) uses.
pub fn unique_name(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    format!(
        "{prefix}_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst),
        nanos
    )
}

async fn open(url: &str, evidence_dir: PathBuf) -> TestDb {
    let db = Db::connect(url).await.expect("open test database");
    db.migrate().await.expect("migrate");
    db.register_bundled()
        .await
        .expect("register the bundled frameworks");
    TestDb {
        db,
        evidence_dir,
        url: url.to_owned(),
    }
}

/// Runs `test` on a fresh database of the engine (a temporary SQLite file, or a new PostgreSQL
/// database at `TEST_DATABASE_URL` dropped afterwards) with an empty evidence folder.
pub async fn with_db<F, Fut>(engine: Engine, test: F)
where
    F: FnOnce(TestDb) -> Fut,
    Fut: Future<Output = ()>,
{
    let name = unique_name("caf_srv");
    let evidence_dir = std::env::temp_dir().join(format!("{name}_evidence"));
    match engine {
        Engine::Sqlite => {
            let path = std::env::temp_dir().join(format!("{name}.db"));
            let t = open(
                &format!("sqlite://{}?mode=rwc", path.display()),
                evidence_dir.clone(),
            )
            .await;
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
            let t = open(&format!("{base}/{name}"), evidence_dir.clone()).await;
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
    let _ = std::fs::remove_dir_all(&evidence_dir);
}

/// Declares one test that runs on SQLite and on PostgreSQL.
#[macro_export]
macro_rules! on_both {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;

            #[tokio::test]
            async fn sqlite() {
                $crate::support::with_db($crate::support::Engine::Sqlite, $body).await
            }

            #[tokio::test]
            async fn postgres() {
                $crate::support::with_db($crate::support::Engine::Postgres, $body).await
            }
        }
    };
}

/// The whole app's router over a test database, storing evidence in the test's folder with an
/// upload limit of `max_upload_mib`.
pub fn router(t: &TestDb, max_upload_mib: u64) -> Router {
    let auth = app::auth::AuthConfig::new(LOCAL, Duration::minutes(30), Duration::hours(12))
        .expect("auth config");
    let args = ServeArgs {
        trusted_proxies: Default::default(),
        addr: "127.0.0.1:0".parse().expect("addr"),
        site_root: std::env::temp_dir(),
        evidence_dir: t.evidence_dir.clone(),
        max_upload_mib,
        report_classification: app::report::DEFAULT_CLASSIFICATION.to_owned(),
    };
    server::web::router(t.db.clone(), &args, auth)
}

/// What came back.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: impl header::AsHeaderName) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    pub fn location(&self) -> &str {
        self.header(header::LOCATION)
    }
}

/// No request in these tests should take this long.
pub const REQUEST_LIMIT: std::time::Duration = std::time::Duration::from_secs(20);

/// Sends a request through the router and collects the whole reply.
pub async fn send(router: &Router, request: Request<Body>) -> Reply {
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

/// A GET with the caller's cookie.
#[allow(dead_code)]
pub fn get(uri: &str, cookie: Option<&str>) -> Request<Body> {
    let mut request = Request::get(uri);
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    request.body(Body::empty()).expect("request")
}

/// A fully signed-in session for the user; returns the `Cookie` header value.
pub async fn signed_in(db: &Db, user_id: i64) -> String {
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let mut record = Record {
        id: Id::default(),
        data: HashMap::from([
            (USER_ID_KEY.to_owned(), serde_json::json!(user_id)),
            (STAGE_KEY.to_owned(), serde_json::json!("full")),
            (STARTED_KEY.to_owned(), serde_json::json!(now)),
            (FRESH_KEY.to_owned(), serde_json::json!(now)),
        ]),
        expiry_date: OffsetDateTime::now_utc() + Duration::minutes(30),
    };
    DbSessionStore::new(db.clone())
        .create(&mut record)
        .await
        .expect("create session");
    format!("caf_session={}", record.id)
}

/// Audit records with actions starting with `prefix`, newest first.
#[allow(dead_code)]
pub async fn audit_with_prefix(db: &Db, prefix: &str) -> Vec<AuditRecord> {
    db.audit_records(&AuditFilter {
        action_prefix: Some(prefix.to_owned()),
        limit: 500,
        ..Default::default()
    })
    .await
    .expect("audit")
}
