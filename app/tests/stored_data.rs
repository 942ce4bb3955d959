//! What is stored stays where it belongs: a password hash never reaches `Debug` output, and a
//! corrupt stored value is a generic server error (500) that echoes nothing, on SQLite and
//! PostgreSQL.

mod support;

use support::TestDb;

use app::data::DataError;
use app::error::AppError;

/// A user with a password hash set, as the sign-in code stores one.
async fn user_with_password(db: &TestDb) -> i64 {
    let id = db
        .create_user("ann@hackney.gov.uk", "Ann Jones", "test")
        .await
        .expect("user");
    db.set_password_hash(
        id,
        "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$SECRETHASHTEXT",
    )
    .await
    .expect("password");
    id
}

on_both!(
    an_accounts_debug_output_hides_the_password_hash,
    |db: TestDb| async move {
        let id = user_with_password(&db).await;
        let account = db.account(id).await.expect("read").expect("exists");
        let printed = format!("{account:?} {account:#?}");
        assert!(!printed.contains("SECRETHASHTEXT"), "{printed}");
        assert!(!printed.contains("argon2id"), "{printed}");
        assert!(printed.contains("ann@hackney.gov.uk"), "{printed}");
        let again = db.account(id).await.expect("read").expect("exists");
        assert_eq!(account, again, "accounts still compare, hash included");
    }
);

on_both!(
    a_corrupt_stored_session_is_a_500_that_echoes_nothing,
    |db: TestDb| async move {
        let id = user_with_password(&db).await;
        let expires = time::OffsetDateTime::now_utc().unix_timestamp() + 3600;
        db.raw_execute(&format!(
            "INSERT INTO sessions (id_hash, user_id, data, expires_at, created_at, updated_at) \
             VALUES ('corrupt', {id}, '{{\"auth.address\": <script>alert(1)</script>', {expires}, \
             '2026-11-25T08:00:00Z', '2026-11-25T08:00:00Z')"
        ))
        .await
        .expect("store a corrupt session");
        let error = db
            .user_sessions(id)
            .await
            .expect_err("a corrupt session cannot be listed");
        assert!(
            matches!(error, DataError::Document(_)),
            "stored data, not the request, is at fault: {error:?}"
        );
        let answer = AppError::from(error);
        assert_eq!(answer, AppError::Internal);
        assert_eq!(answer.status_code(), 500);
        let text = answer.to_string();
        assert!(!text.contains("script"), "{text}");
        assert!(!text.to_lowercase().contains("session"), "{text}");
    }
);
