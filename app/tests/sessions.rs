//! The session store on SQLite and PostgreSQL.

mod support;

use support::TestDb;

use app::data::{Db, DbSessionStore, USER_ID_KEY};
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::SessionStore;

fn record(user: Option<i64>, minutes: i64) -> Record {
    let mut data = std::collections::HashMap::new();
    if let Some(user) = user {
        data.insert(USER_ID_KEY.to_owned(), serde_json::json!(user));
    }
    data.insert("auth.stage".to_owned(), serde_json::json!("complete"));
    Record {
        id: Id::default(),
        data,
        expiry_date: time::OffsetDateTime::now_utc() + time::Duration::minutes(minutes),
    }
}

async fn user(db: &Db, email: &str) -> i64 {
    db.create_user(email, "Someone", "test")
        .await
        .expect("user")
}

on_both!(
    a_session_round_trips_and_only_its_hash_is_stored,
    |db: TestDb| async move {
        let store = DbSessionStore::new(db.handle());
        let id = user(&db, "a@council.gov.uk").await;
        let mut saved = record(Some(id), 30);
        store.create(&mut saved).await.expect("create");
        let loaded = store.load(&saved.id).await.expect("load").expect("present");
        assert_eq!(loaded.data, saved.data);
        assert_eq!(
            loaded.expiry_date.unix_timestamp(),
            saved.expiry_date.unix_timestamp()
        );
        let stored = db.raw_strings("SELECT id_hash FROM sessions").await;
        assert_eq!(stored.len(), 1);
        assert_ne!(
            stored[0],
            saved.id.to_string(),
            "the session id itself is never stored"
        );
        assert_eq!(stored[0].len(), 64);
    }
);

on_both!(
    logout_deletes_the_session_for_good,
    |db: TestDb| async move {
        let store = DbSessionStore::new(db.handle());
        let mut saved = record(None, 30);
        store.create(&mut saved).await.expect("create");
        store.delete(&saved.id).await.expect("delete");
        assert!(
            store.load(&saved.id).await.expect("load").is_none(),
            "a replayed id finds nothing"
        );
    }
);

on_both!(
    expired_sessions_do_not_load_and_are_swept,
    |db: TestDb| async move {
        let store = DbSessionStore::new(db.handle());
        let mut old = record(None, -1);
        store.create(&mut old).await.expect("create");
        assert!(store.load(&old.id).await.expect("load").is_none());
        assert_eq!(db.delete_expired_sessions().await.expect("sweep"), 1);
    }
);

on_both!(
    sign_out_everywhere_else_and_disabling_end_sessions,
    |db: TestDb| async move {
        let store = DbSessionStore::new(db.handle());
        let id = user(&db, "b@council.gov.uk").await;
        let other = user(&db, "c@council.gov.uk").await;
        let mut here = record(Some(id), 30);
        let mut laptop = record(Some(id), 30);
        let mut theirs = record(Some(other), 30);
        for r in [&mut here, &mut laptop, &mut theirs] {
            store.create(r).await.expect("create");
        }
        assert_eq!(db.count_user_sessions(id).await.expect("count"), 2);
        assert_eq!(
            db.end_user_sessions(id, Some(&here.id)).await.expect("end"),
            1
        );
        assert!(store.load(&here.id).await.expect("load").is_some());
        assert!(store.load(&laptop.id).await.expect("load").is_none());

        db.disable_user(id, "admin").await.expect("disable");
        assert!(
            store.load(&here.id).await.expect("load").is_none(),
            "disabling ends every session"
        );
        assert!(
            store.load(&theirs.id).await.expect("load").is_some(),
            "other users are untouched"
        );
    }
);

on_both!(a_colliding_id_gets_a_new_one, |db: TestDb| async move {
    let store = DbSessionStore::new(db.handle());
    let mut first = record(None, 30);
    store.create(&mut first).await.expect("create");
    let mut second = record(None, 30);
    second.id = first.id;
    store.create(&mut second).await.expect("create");
    assert_ne!(second.id, first.id);
    assert!(store.load(&first.id).await.expect("load").is_some());
    assert!(store.load(&second.id).await.expect("load").is_some());
});
