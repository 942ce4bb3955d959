//! Test databases: a fresh SQLite file or a fresh PostgreSQL database for every test.
//!
//! Tests get a [`TestDb`]: the application's [`Db`] plus a raw connection pool of the harness's own,
//! for what no application code may do (tampering with the audit log, inspecting stored rows).
#![allow(dead_code, reason = "each test binary uses only some of these helpers")]

pub mod mutate;
pub mod world;

use app::data::Db;
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Executor, Row};
use std::future::Future;
use std::ops::Deref;
use std::sync::atomic::{AtomicU32, Ordering};

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// The application's database handle, and a raw pool on the same database for the test itself.
#[derive(Debug, Clone)]
pub struct TestDb {
    db: Db,
    raw: AnyPool,
}

impl Deref for TestDb {
    type Target = Db;

    fn deref(&self) -> &Db {
        &self.db
    }
}

impl TestDb {
    /// A clone of the application's handle, for code that takes a `Db` by value.
    pub fn handle(&self) -> Db {
        self.db.clone()
    }

    /// Runs SQL directly, as someone with access to the database server could.
    pub async fn raw_execute(&self, sql: &str) -> Result<(), sqlx::Error> {
        self.raw.execute(sql).await.map(|_| ())
    }

    /// Reads the first column of every row of a query as text.
    pub async fn raw_strings(&self, sql: &str) -> Vec<String> {
        sqlx::query(sql)
            .fetch_all(&self.raw)
            .await
            .expect("raw query")
            .iter()
            .map(|r| r.try_get(0).expect("text column"))
            .collect()
    }
}

fn unique_name() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    format!(
        "caf_test_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst),
        nanos
    )
}

async fn raw_pool(url: &str) -> AnyPool {
    install_default_drivers();
    AnyPoolOptions::new()
        .max_connections(2)
        .connect(url)
        .await
        .unwrap_or_else(|e| panic!("connect to {url}: {e}"))
}

async fn run<F, Fut>(url: &str, test: F)
where
    F: FnOnce(TestDb) -> Fut,
    Fut: Future<Output = ()>,
{
    let db = Db::connect(url).await.expect("open test database");
    db.migrate().await.expect("migrate");
    let raw = raw_pool(url).await;
    test(TestDb {
        db: db.clone(),
        raw: raw.clone(),
    })
    .await;
    raw.close().await;
    db.close().await;
}

/// Runs `test` against a new, migrated SQLite database in a temporary file.
pub async fn on_sqlite<F, Fut>(test: F)
where
    F: FnOnce(TestDb) -> Fut,
    Fut: Future<Output = ()>,
{
    let path = std::env::temp_dir().join(format!("{}.db", unique_name()));
    run(&format!("sqlite://{}?mode=rwc", path.display()), test).await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

/// The PostgreSQL server the tests create databases on.
fn postgres_admin_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// Runs `test` against a new, migrated PostgreSQL database, dropped afterwards.
///
/// Fails (never skips) when no PostgreSQL answers at `TEST_DATABASE_URL`.
pub async fn on_postgres<F, Fut>(test: F)
where
    F: FnOnce(TestDb) -> Fut,
    Fut: Future<Output = ()>,
{
    let admin_url = postgres_admin_url();
    let name = unique_name();
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
    run(&format!("{base}/{name}"), test).await;
    admin
        .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
        .await
        .expect("drop test database");
    admin.close().await;
}

/// The newest audit records whose action starts with `prefix`.
pub async fn audit_actions(db: &Db, prefix: &str) -> Vec<app::data::AuditRecord> {
    db.audit_records(&app::data::AuditFilter {
        action_prefix: Some(prefix.to_owned()),
        limit: 100,
        ..Default::default()
    })
    .await
    .expect("read audit log")
}

/// Declares one test that runs on SQLite and on PostgreSQL.
#[macro_export]
macro_rules! on_both {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;

            #[tokio::test]
            async fn sqlite() {
                $crate::support::on_sqlite($body).await
            }

            #[tokio::test]
            async fn postgres() {
                $crate::support::on_postgres($body).await
            }
        }
    };
}
