//! Server-side sessions in the application's own database, for tower-sessions.

use super::{DataError, Db, now_utc, sha256_hex};
use sqlx::Row;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};

/// The session key under which a signed-in (or half signed-in) user's id is kept.
pub const USER_ID_KEY: &str = "auth.user_id";

/// The session key holding the address the session signed in from.
pub const ADDRESS_KEY: &str = "auth.address";

/// The session key holding the browser's User-Agent at sign-in.
pub const USER_AGENT_KEY: &str = "auth.user_agent";

/// A tower-sessions store backed by [`Db`], on SQLite or PostgreSQL.
#[derive(Debug, Clone)]
pub struct DbSessionStore {
    db: Db,
}

impl DbSessionStore {
    /// A store over this database.
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

/// The stored form of a session id: its SHA-256, never the id itself.
fn id_hash(id: &Id) -> String {
    sha256_hex(id.to_string().as_bytes())
}

/// The stored form of a session id, for marking "this session" in a list.
pub fn session_id_hash(id: &Id) -> String {
    id_hash(id)
}

/// One of a user's live sessions, as listed to them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SessionSummary {
    /// The stored hash of its id (never the id itself).
    pub id_hash: String,
    /// When it was created (UTC).
    pub created_at: String,
    /// When it was last used (UTC).
    pub last_seen_at: String,
    /// The network address it signed in from, if known.
    pub address: Option<String>,
    /// The browser it signed in from, if known.
    pub user_agent: Option<String>,
}

fn backend(error: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(error.to_string())
}

fn user_of(record: &Record) -> Option<i64> {
    record
        .data
        .get(USER_ID_KEY)
        .and_then(serde_json::Value::as_i64)
}

impl Db {
    /// Ends every session of a user, except possibly one (the caller's own); returns how many.
    pub async fn end_user_sessions(
        &self,
        user_id: i64,
        except: Option<&Id>,
    ) -> Result<u64, DataError> {
        let keep = except.map(id_hash).unwrap_or_default();
        let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2")
            .bind(user_id)
            .bind(keep)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected())
    }

    /// A user's live sessions, most recently used first.
    pub async fn user_sessions(&self, user_id: i64) -> Result<Vec<SessionSummary>, DataError> {
        let rows = sqlx::query(
            "SELECT id_hash, data, created_at, updated_at FROM sessions \
             WHERE user_id = $1 AND expires_at > $2 ORDER BY updated_at DESC",
        )
        .bind(user_id)
        .bind(time::OffsetDateTime::now_utc().unix_timestamp())
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let data: String = row.try_get("data")?;
                let data: serde_json::Value = serde_json::from_str(&data)
                    .map_err(|e| DataError::Document(format!("session data: {e}")))?;
                let text = |key: &str| data.get(key).and_then(|v| v.as_str()).map(str::to_owned);
                Ok(SessionSummary {
                    id_hash: row.try_get("id_hash")?,
                    created_at: row.try_get("created_at")?,
                    last_seen_at: row.try_get("updated_at")?,
                    address: text(ADDRESS_KEY),
                    user_agent: text(USER_AGENT_KEY),
                })
            })
            .collect()
    }

    /// How many live sessions a user has.
    pub async fn count_user_sessions(&self, user_id: i64) -> Result<i64, DataError> {
        Ok(
            sqlx::query(
                "SELECT COUNT(*) AS n FROM sessions WHERE user_id = $1 AND expires_at > $2",
            )
            .bind(user_id)
            .bind(time::OffsetDateTime::now_utc().unix_timestamp())
            .fetch_one(self.pool())
            .await?
            .try_get("n")?,
        )
    }

    /// Removes sessions past their expiry; returns how many.
    pub async fn delete_expired_sessions(&self) -> Result<u64, DataError> {
        let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(time::OffsetDateTime::now_utc().unix_timestamp())
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected())
    }
}

#[async_trait::async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        let data = serde_json::to_string(&record.data).map_err(backend)?;
        let now = now_utc();
        loop {
            let done = sqlx::query(
                "INSERT INTO sessions (id_hash, user_id, data, expires_at, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (id_hash) DO NOTHING",
            )
            .bind(id_hash(&record.id))
            .bind(user_of(record))
            .bind(&data)
            .bind(record.expiry_date.unix_timestamp())
            .bind(&now)
            .execute(self.db.pool())
            .await
            .map_err(backend)?;
            if done.rows_affected() == 1 {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let now = now_utc();
        sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, data, expires_at, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (id_hash) DO UPDATE SET \
             user_id = excluded.user_id, data = excluded.data, expires_at = excluded.expires_at, \
             updated_at = excluded.updated_at",
        )
        .bind(id_hash(&record.id))
        .bind(user_of(record))
        .bind(serde_json::to_string(&record.data).map_err(backend)?)
        .bind(record.expiry_date.unix_timestamp())
        .bind(&now)
        .execute(self.db.pool())
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let row = sqlx::query(
            "SELECT data, expires_at FROM sessions WHERE id_hash = $1 AND expires_at > $2",
        )
        .bind(id_hash(id))
        .bind(time::OffsetDateTime::now_utc().unix_timestamp())
        .fetch_optional(self.db.pool())
        .await
        .map_err(backend)?;
        let Some(row) = row else { return Ok(None) };
        let data: String = row.try_get("data").map_err(backend)?;
        let expires_at: i64 = row.try_get("expires_at").map_err(backend)?;
        Ok(Some(Record {
            id: *id,
            data: serde_json::from_str(&data).map_err(backend)?,
            expiry_date: time::OffsetDateTime::from_unix_timestamp(expires_at).map_err(backend)?,
        }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(id_hash(id))
            .execute(self.db.pool())
            .await
            .map_err(backend)?;
        Ok(())
    }
}
