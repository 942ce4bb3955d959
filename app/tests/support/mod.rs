//! Test databases: a fresh SQLite file or a fresh PostgreSQL database for every test.

use app::data::Db;
use std::future::Future;
use std::sync::atomic::{AtomicU32, Ordering};

static COUNTER: AtomicU32 = AtomicU32::new(0);

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

/// Runs `test` against a new, migrated SQLite database in a temporary file.
pub async fn on_sqlite<F, Fut>(test: F)
where
    F: FnOnce(Db) -> Fut,
    Fut: Future<Output = ()>,
{
    let path = std::env::temp_dir().join(format!("{}.db", unique_name()));
    let db = Db::connect(&format!("sqlite://{}", path.display()))
        .await
        .expect("open SQLite");
    db.migrate().await.expect("migrate SQLite");
    test(db.clone()).await;
    db.close().await;
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
    F: FnOnce(Db) -> Fut,
    Fut: Future<Output = ()>,
{
    let admin_url = postgres_admin_url();
    let name = unique_name();
    let admin = Db::connect(&admin_url).await.unwrap_or_else(|e| {
        panic!("PostgreSQL tests need a server at TEST_DATABASE_URL={admin_url}: {e}")
    });
    admin
        .execute_admin(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create test database");
    let (base, _) = admin_url
        .rsplit_once('/')
        .expect("URL with a database name");
    let db = Db::connect(&format!("{base}/{name}"))
        .await
        .expect("open PostgreSQL test database");
    db.migrate().await.expect("migrate PostgreSQL");
    test(db.clone()).await;
    db.close().await;
    admin
        .execute_admin(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await
        .expect("drop test database");
    admin.close().await;
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
