//! What a backup needs from the database: a consistent copy of a SQLite database taken while
//! the server runs, and the evidence files the database refers to.

use super::{DataError, Db, Engine};
use sqlx::Row;
use std::path::Path;

impl Db {
    /// Writes a consistent copy of the SQLite database to `target` (which must not exist) while
    /// others keep reading and writing (`VACUUM INTO`). Refused on PostgreSQL, whose own tools
    /// (`pg_dump`) do this.
    pub async fn copy_sqlite_into(&self, target: &Path) -> Result<(), DataError> {
        if self.engine() != Engine::Sqlite {
            return Err(DataError::Invalid(
                "This database is PostgreSQL: back it up with pg_dump.".into(),
            ));
        }
        let target = target.to_str().ok_or_else(|| {
            DataError::Invalid("The backup folder's path must be valid UTF-8.".into())
        })?;
        if target.contains('\'') {
            return Err(DataError::Invalid(
                "The backup folder's path must not contain a quote.".into(),
            ));
        }
        // VACUUM INTO takes a file name, not a bound parameter.
        sqlx::query(&format!("VACUUM INTO '{target}'"))
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// SQLite's own check of the database file: `ok` when it is sound, else what is wrong.
    pub async fn integrity_check(&self) -> Result<String, DataError> {
        if self.engine() != Engine::Sqlite {
            return Err(DataError::Invalid(
                "integrity_check is SQLite's; PostgreSQL checks its own pages.".into(),
            ));
        }
        let rows = sqlx::query("PRAGMA integrity_check")
            .fetch_all(self.pool())
            .await?;
        let lines: Vec<String> = rows
            .iter()
            .map(|r| r.try_get::<String, _>(0))
            .collect::<Result<_, _>>()?;
        Ok(lines.join("\n"))
    }

    /// The SHA-256 of every evidence file any register item uses, sorted.
    pub async fn evidence_file_hashes(&self) -> Result<Vec<String>, DataError> {
        sqlx::query(
            "SELECT DISTINCT file_sha256 FROM evidence WHERE file_sha256 IS NOT NULL \
             ORDER BY file_sha256",
        )
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| Ok(r.try_get("file_sha256")?))
        .collect()
    }
}
