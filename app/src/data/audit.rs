//! The audit log: every security-relevant event, append-only and chained by SHA-256.

use super::{DataError, Db, now_utc, sha256_hex};
use serde::{Deserialize, Serialize};
use sqlx::Row;

/// The hash that stands before the first record.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Something that happened, before it is recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEvent {
    /// The acting user's id, when a signed-in user acted.
    pub actor_id: Option<i64>,
    /// Who acted, in words: a user's email, `cli:<os user>` or `system`.
    pub actor: String,
    /// The organisation whose data was touched, if any.
    pub organisation_id: Option<i64>,
    /// What was done, as `noun.verb`, e.g. `framework.import`.
    pub action: String,
    /// What it was done to, e.g. `framework:4.0`.
    pub object: String,
    /// The client's network address, when it came over HTTP.
    pub address: Option<String>,
    /// Further facts as JSON, e.g. before and after values. Never secrets.
    pub detail: serde_json::Value,
}

impl AuditEvent {
    /// An event done by the system itself (start-up, migrations) or the command line.
    pub fn by(actor: impl Into<String>, action: &str, object: impl Into<String>) -> Self {
        Self {
            actor_id: None,
            actor: actor.into(),
            organisation_id: None,
            action: action.to_owned(),
            object: object.into(),
            address: None,
            detail: serde_json::Value::Null,
        }
    }

    /// The same event with facts attached.
    pub fn with_detail(mut self, detail: serde_json::Value) -> Self {
        self.detail = detail;
        self
    }
}

/// A stored audit record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    /// Position in the chain, from 1.
    pub seq: i64,
    /// When it happened, UTC, RFC 3339.
    pub occurred_at: String,
    /// The event.
    pub event: AuditEvent,
    /// The hash of the record before it.
    pub prev_hash: String,
    /// This record's hash, over `prev_hash` and every field.
    pub hash: String,
}

/// What a check of the whole chain found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChainReport {
    /// Every record links to the one before and hashes to what it says; the head agrees.
    Intact {
        /// How many records were checked.
        records: i64,
    },
    /// The chain is broken at this record (or, with `seq` past the end, records were cut off).
    Broken {
        /// The first record that does not fit.
        seq: i64,
        /// What is wrong with it, in words.
        reason: String,
    },
}

/// The hash of one record: SHA-256 over an unambiguous JSON array of the previous hash and fields.
pub fn record_hash(seq: i64, occurred_at: &str, event: &AuditEvent, prev_hash: &str) -> String {
    let canonical = serde_json::json!([
        prev_hash,
        seq,
        occurred_at,
        event.actor_id,
        event.actor,
        event.organisation_id,
        event.action,
        event.object,
        event.address,
        event.detail.to_string(),
    ]);
    sha256_hex(canonical.to_string().as_bytes())
}

fn record_from_row(row: &sqlx::any::AnyRow) -> Result<AuditRecord, DataError> {
    let detail: String = row.try_get("detail")?;
    Ok(AuditRecord {
        seq: row.try_get("seq")?,
        occurred_at: row.try_get("occurred_at")?,
        event: AuditEvent {
            actor_id: row.try_get("actor_id")?,
            actor: row.try_get("actor")?,
            organisation_id: row.try_get("organisation_id")?,
            action: row.try_get("action")?,
            object: row.try_get("object")?,
            address: row.try_get("address")?,
            detail: serde_json::from_str(&detail)
                .map_err(|e| DataError::Document(format!("audit detail: {e}")))?,
        },
        prev_hash: row.try_get("prev_hash")?,
        hash: row.try_get("hash")?,
    })
}

/// Which records to list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditFilter {
    /// Only this organisation's records.
    pub organisation_id: Option<i64>,
    /// Only actions starting with this text, e.g. `signin.`.
    pub action_prefix: Option<String>,
    /// Only records before this sequence number (for paging back).
    pub before_seq: Option<i64>,
    /// At most this many, newest first (capped at 500).
    pub limit: i64,
    /// Only records of this acting user.
    pub actor_id: Option<i64>,
    /// Only records whose object starts with this text, e.g. `scope:3`.
    pub object_prefix: Option<String>,
    /// Only records on or after this day (`YYYY-MM-DD`, UTC).
    pub from_date: Option<String>,
    /// Only records on or before this day (`YYYY-MM-DD`, UTC).
    pub to_date: Option<String>,
    /// Skip this many of the newest matching records (for pages).
    pub offset: i64,
}

impl Db {
    /// Appends one record to the chain and returns it.
    ///
    /// The head row is updated first, which takes the write lock (SQLite) or the row lock
    /// (PostgreSQL), so concurrent appends queue up instead of forking the chain.
    pub async fn append_audit(&self, event: AuditEvent) -> Result<AuditRecord, DataError> {
        let mut tx = self.write_tx().await?;
        let record = append_audit_in(&mut tx, event).await?;
        tx.commit().await?;
        Ok(record)
    }

    /// Records matching a filter, newest first.
    pub async fn audit_records(&self, filter: &AuditFilter) -> Result<Vec<AuditRecord>, DataError> {
        let rows = sqlx::query(
            "SELECT seq, occurred_at, actor_id, actor, organisation_id, action, object, address, \
             detail, prev_hash, hash FROM audit_log \
             WHERE ($1 IS NULL OR organisation_id = $1) \
               AND ($2 IS NULL OR action LIKE $2 ESCAPE '\\') \
               AND ($3 IS NULL OR seq < $3) \
               AND ($5 IS NULL OR actor_id = $5) \
               AND ($6 IS NULL OR object LIKE $6 ESCAPE '\\') \
               AND ($7 IS NULL OR occurred_at >= $7) \
               AND ($8 IS NULL OR occurred_at <= $8) \
             ORDER BY seq DESC LIMIT $4 OFFSET $9",
        )
        .bind(filter.organisation_id)
        .bind(
            filter
                .action_prefix
                .as_ref()
                .map(|p| format!("{}%", escape_like(p))),
        )
        .bind(filter.before_seq)
        .bind(filter.limit.clamp(1, 500))
        .bind(filter.actor_id)
        .bind(
            filter
                .object_prefix
                .as_ref()
                .map(|p| format!("{}%", escape_like(p))),
        )
        .bind(filter.from_date.clone())
        // Timestamps are RFC 3339 text: every moment of the day sorts before `<day>T99`.
        .bind(filter.to_date.as_ref().map(|d| format!("{d}T99")))
        .bind(filter.offset.max(0))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(record_from_row).collect()
    }

    /// Checks every record's hash and link, in order, and that the head matches the last record.
    pub async fn verify_audit_chain(&self) -> Result<ChainReport, DataError> {
        let head = sqlx::query("SELECT seq, last_hash FROM audit_head WHERE id = 1")
            .fetch_one(self.pool())
            .await?;
        let head_seq: i64 = head.try_get("seq")?;
        let head_hash: String = head.try_get("last_hash")?;
        let mut expected_prev = GENESIS_HASH.to_owned();
        let mut expected_seq = 1_i64;
        let mut after = 0_i64;
        loop {
            let rows = sqlx::query(
                "SELECT seq, occurred_at, actor_id, actor, organisation_id, action, object, \
                 address, detail, prev_hash, hash FROM audit_log WHERE seq > $1 \
                 ORDER BY seq LIMIT 1000",
            )
            .bind(after)
            .fetch_all(self.pool())
            .await?;
            if rows.is_empty() {
                break;
            }
            for row in &rows {
                let record = record_from_row(row)?;
                let broken = |reason: &str| {
                    Ok(ChainReport::Broken {
                        seq: record.seq,
                        reason: reason.to_owned(),
                    })
                };
                if record.seq != expected_seq {
                    return Ok(ChainReport::Broken {
                        seq: expected_seq,
                        reason: format!("record {expected_seq} is missing"),
                    });
                }
                if record.prev_hash != expected_prev {
                    return broken("it does not link to the record before it");
                }
                if record_hash(
                    record.seq,
                    &record.occurred_at,
                    &record.event,
                    &record.prev_hash,
                ) != record.hash
                {
                    return broken("its content does not match its hash: it was edited");
                }
                expected_prev = record.hash;
                expected_seq += 1;
                after = record.seq;
            }
        }
        if head_seq != after || head_hash != expected_prev {
            return Ok(ChainReport::Broken {
                seq: after + 1,
                reason: format!(
                    "the log ends at record {after} but {head_seq} were written: records were removed"
                ),
            });
        }
        Ok(ChainReport::Intact { records: after })
    }
}

/// Escapes LIKE wildcards in a user-supplied prefix.
fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// Appends one record to the chain inside the caller's transaction, so a change and its record
/// are committed together or not at all. The head row's lock is held until that commit.
pub(crate) async fn append_audit_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    event: AuditEvent,
) -> Result<AuditRecord, DataError> {
    let head =
        sqlx::query("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, last_hash")
            .fetch_one(&mut **tx)
            .await?;
    let seq: i64 = head.try_get("seq")?;
    let prev_hash: String = head.try_get("last_hash")?;
    let occurred_at = now_utc();
    let hash = record_hash(seq, &occurred_at, &event, &prev_hash);
    sqlx::query(
        "INSERT INTO audit_log (seq, occurred_at, actor_id, actor, organisation_id, action, \
             object, address, detail, prev_hash, hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(seq)
    .bind(&occurred_at)
    .bind(event.actor_id)
    .bind(&event.actor)
    .bind(event.organisation_id)
    .bind(&event.action)
    .bind(&event.object)
    .bind(&event.address)
    .bind(event.detail.to_string())
    .bind(&prev_hash)
    .bind(&hash)
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE audit_head SET last_hash = $1 WHERE id = 1")
        .bind(&hash)
        .execute(&mut **tx)
        .await?;
    Ok(AuditRecord {
        seq,
        occurred_at,
        event,
        prev_hash,
        hash,
    })
}
