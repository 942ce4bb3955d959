//! The running server's housekeeping: expired sessions are deleted without anyone asking.

#[allow(dead_code, reason = "this test uses only some of the shared helpers")]
mod support;

use app::data::{DbSessionStore, USER_ID_KEY};
use support::TestDb;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::SessionStore;

/// A session of `user` that expires `minutes` from now (in the past when negative).
fn session(user: i64, minutes: i64) -> Record {
    let mut data = std::collections::HashMap::new();
    data.insert(USER_ID_KEY.to_owned(), serde_json::json!(user));
    Record {
        id: Id::default(),
        data,
        expiry_date: time::OffsetDateTime::now_utc() + time::Duration::minutes(minutes),
    }
}

on_both!(
    one_sweep_deletes_expired_sessions_and_keeps_live_ones,
    |t: TestDb| async move {
        let user =
            t.db.create_user("ann@hackney.gov.uk", "Ann", "test")
                .await
                .expect("user");
        let store = DbSessionStore::new(t.db.clone());
        let (mut old, mut live) = (session(user, -5), session(user, 30));
        store.create(&mut old).await.expect("expired session");
        store.create(&mut live).await.expect("live session");
        assert_eq!(server::sweep::sweep_sessions(&t.db).await, 1);
        assert!(store.load(&live.id).await.expect("load").is_some());
        assert_eq!(
            server::sweep::sweep_sessions(&t.db).await,
            0,
            "nothing left to sweep"
        );
    }
);

on_both!(
    the_periodic_task_sweeps_on_its_own,
    |t: TestDb| async move {
        let user =
            t.db.create_user("bob@hackney.gov.uk", "Bob", "test")
                .await
                .expect("user");
        let store = DbSessionStore::new(t.db.clone());
        let mut live = session(user, 30);
        store.create(&mut live).await.expect("live session");
        let period = std::time::Duration::from_millis(50);
        let sweeper = server::sweep::spawn_session_sweeper(t.db.clone(), period);
        // Sessions that expire while the server runs, after its first sweep.
        for _ in 0..3 {
            tokio::time::sleep(period * 2).await;
            let mut old = session(user, -1);
            store.create(&mut old).await.expect("expired session");
        }
        // Twenty more periods: time for the task to have swept each of them.
        tokio::time::sleep(period * 20).await;
        sweeper.abort();
        assert_eq!(
            t.db.delete_expired_sessions().await.expect("sweep"),
            0,
            "the task had already deleted every expired session"
        );
        assert!(store.load(&live.id).await.expect("load").is_some());
    }
);
