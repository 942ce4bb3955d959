//! The SQLite and PostgreSQL migrations make the same schema: every table has the same columns on
//! both engines, so a query written once runs on either.

mod support;

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

/// Every `table.column` of the application's tables (not the migration bookkeeping).
const SQLITE_COLUMNS: &str = "SELECT m.name || '.' || p.name FROM sqlite_master m \
     JOIN pragma_table_info(m.name) p WHERE m.type = 'table' \
     AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%'";
const POSTGRES_COLUMNS: &str = "SELECT CAST(table_name || '.' || column_name AS TEXT) \
     FROM information_schema.columns WHERE table_schema = 'public' \
     AND table_name NOT LIKE '_sqlx%'";

#[tokio::test]
async fn sqlite_and_postgres_have_the_same_tables_and_columns() {
    let lite = Arc::new(Mutex::new(BTreeSet::new()));
    let pg = Arc::new(Mutex::new(BTreeSet::new()));
    {
        let lite = lite.clone();
        support::on_sqlite(|db| async move {
            let columns = db.raw_strings(SQLITE_COLUMNS).await;
            lite.lock().expect("lock").extend(columns);
        })
        .await;
    }
    {
        let pg = pg.clone();
        support::on_postgres(|db| async move {
            let columns = db.raw_strings(POSTGRES_COLUMNS).await;
            pg.lock().expect("lock").extend(columns);
        })
        .await;
    }
    let lite = lite.lock().expect("lock").clone();
    let pg = pg.lock().expect("lock").clone();
    assert!(lite.len() > 50, "too few columns read: {lite:?}");
    let only_lite: Vec<_> = lite.difference(&pg).collect();
    let only_pg: Vec<_> = pg.difference(&lite).collect();
    assert!(
        only_lite.is_empty() && only_pg.is_empty(),
        "only on SQLite: {only_lite:?}; only on PostgreSQL: {only_pg:?}"
    );
}
