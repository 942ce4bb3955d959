//! The data layer: every SQL statement of the application lives below this module.
//!
//! It speaks to SQLite (the embedded default) or PostgreSQL through sqlx's `Any` driver, with
//! portable SQL (`$n` placeholders, TEXT timestamps in UTC, BIGINT ids) and one migration folder
//! per engine.

mod account_secrets;
mod accounts;
mod assessments;
mod audit;
mod audit_content;
mod audit_names;
mod backup;
mod carry;
mod comments;
mod evidence;
mod evidence_uses;
mod exchange;
mod frameworks;
mod history_words;
mod invitations;
mod one_time_links;
mod outcome_records;
mod people;
mod plan;
mod profiles;
mod reconfirm;
mod reconfirm_page;
mod recovery_codes;
mod reports;
mod security_keys;
mod sessions;
mod setup_progress;
mod sign_in_attempts;
mod sign_offs;
mod snapshots;
mod system_scopes;
mod systems;
mod workflow;
mod workspace;
mod year_on_year;

pub use crate::assess::{MAX_TEXT, check_draft};
pub use crate::cycle::{CriticalSystem, ScopeContents};
pub use accounts::{Account, Member, Membership, UserSummary};
pub use assessments::{Actor, MAX_SYSTEMS, NewAssessment};
pub use audit::{AuditEvent, AuditFilter, AuditRecord, ChainReport, GENESIS_HASH, record_hash};
pub use audit_content::{holds_content, without_content};
pub use carry::{CarryCounts, version_key};
pub use evidence::{EvidenceBody, StoredFile, check_evidence, display_file_name};
pub use exchange::{
    AssessmentExport, CSV_HEADER, EXPORT_FORMAT, ExportAction, ExportAssessment, ExportComment,
    ExportEvidence, ExportOutcome, ExportScope, ImportError, ImportProblem, ImportReport,
    MAX_IMPORT_BYTES, MAX_IMPORT_EVIDENCE, csv_rows, formula_safe,
};
pub use frameworks::{ImportOutcome, StoredFramework};
pub use invitations::Invitation;
pub use one_time_links::{LinkAcceptance, LinkPurpose, NewLink, OpenLink, random_token};
pub use people::{OrgScope, Organisation, OrganisationKind, normalise_email};
pub use profiles::StoredProfile;
pub use reconfirm::CarriedOutcome;
pub use recovery_codes::{RECOVERY_CODE_COUNT, canonical_recovery_code};
pub use reports::{PreviousScope, PreviousSources, ReportScope, ReportSources};
pub use security_keys::{SecurityKey, check_key_name};
pub use sessions::{
    ADDRESS_KEY, DbSessionStore, SessionSummary, USER_AGENT_KEY, USER_ID_KEY, session_id_hash,
};
pub use setup_progress::SetupProgress;
pub use sign_in_attempts::SignInCharge;
pub use snapshots::{
    SNAPSHOT_FORMAT, Snapshot, SnapshotAction, SnapshotAssessment, SnapshotEvidence,
    SnapshotOutcome, SnapshotScope, SnapshotSignature, StoredSnapshot, snapshot_kind,
};
pub use year_on_year::scope_year;

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Executor};
use std::time::Duration;

/// Which database engine a pool talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// The embedded default: one file under `./data/`.
    Sqlite,
    /// For shared and highly available deployments.
    Postgres,
}

impl Engine {
    /// Picks the engine from a database URL, or explains which URLs are understood.
    pub fn from_url(url: &str) -> Result<Self, DataError> {
        if url.starts_with("sqlite:") {
            Ok(Self::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Ok(Self::Postgres)
        } else {
            Err(DataError::Config(format!(
                "DATABASE_URL must start with sqlite: or postgres:, not {:?}",
                url.split(':').next().unwrap_or_default()
            )))
        }
    }
}

/// A failure of the data layer.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// The configuration names a database this program cannot use.
    #[error("{0}")]
    Config(String),
    /// The database refused or failed a statement.
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
    /// Migrating the schema failed.
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// Something stored could not be read back (a corrupt document or an unknown key). Reported
    /// to the client as a generic 500; the details go to the server log only.
    #[error("stored data is unreadable: {0}")]
    Document(String),
    /// The request clashes with what is stored (e.g. changing a version in use).
    #[error("{0}")]
    Conflict(String),
    /// The input was refused; nothing was stored.
    #[error("{0}")]
    Invalid(String),
    /// Nothing the caller may see exists here (also the answer to a denied request).
    #[error("{0}")]
    NotFound(String),
}

impl From<DataError> for crate::error::AppError {
    fn from(error: DataError) -> Self {
        match error {
            DataError::Sqlx(sqlx::Error::RowNotFound) => {
                Self::NotFound("That record was not found.".into())
            }
            DataError::Conflict(m) => Self::Conflict(m),
            DataError::NotFound(m) => Self::NotFound(m),
            DataError::Invalid(m) => Self::BadRequest(m),
            other => Self::internal("data layer error", other),
        }
    }
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

/// A connection pool and the engine behind it.
#[derive(Debug, Clone)]
pub struct Db {
    pool: AnyPool,
    engine: Engine,
}

impl Db {
    /// Connects to `url`, creating the SQLite file (and its folder) when needed.
    pub async fn connect(url: &str) -> Result<Self, DataError> {
        install_default_drivers();
        let engine = Engine::from_url(url)?;
        let url = match engine {
            Engine::Sqlite => prepare_sqlite_url(url)?,
            Engine::Postgres => url.to_owned(),
        };
        let pool = AnyPoolOptions::new()
            .max_connections(match engine {
                Engine::Sqlite => 8,
                Engine::Postgres => 16,
            })
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if engine == Engine::Sqlite {
                        conn.execute("PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;")
                            .await?;
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await?;
        if engine == Engine::Sqlite && !url.contains(":memory:") {
            pool.execute("PRAGMA journal_mode = WAL;").await?;
        }
        Ok(Self { pool, engine })
    }

    /// Brings the schema up to date with the migrations for this engine.
    pub async fn migrate(&self) -> Result<(), DataError> {
        match self.engine {
            Engine::Sqlite => SQLITE_MIGRATIONS.run(&self.pool).await?,
            Engine::Postgres => POSTGRES_MIGRATIONS.run(&self.pool).await?,
        }
        Ok(())
    }

    /// The engine behind this pool.
    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// The pool itself, for the data-layer modules.
    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Begins a transaction that will write. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`): a transaction that read first and wrote later could otherwise find
    /// that another writer committed in between and fail with "database is locked" instead of
    /// waiting its turn. On PostgreSQL it is an ordinary transaction (rows are locked as written).
    pub(crate) async fn write_tx(
        &self,
    ) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
        match self.engine {
            Engine::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Engine::Postgres => self.pool.begin().await,
        }
    }

    /// Whether the database answers a query now (for the readiness check).
    pub async fn ping(&self) -> Result<(), DataError> {
        sqlx::query("SELECT 1 AS one")
            .fetch_one(&self.pool)
            .await
            .map(drop)
            .map_err(DataError::from)
    }

    /// Closes every connection.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Adds `mode=rwc` and creates the parent folder of a file database.
fn prepare_sqlite_url(url: &str) -> Result<String, DataError> {
    let rest = url.trim_start_matches("sqlite:").trim_start_matches("//");
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let parent = std::path::Path::new(path).parent();
    if path != ":memory:"
        && let Some(parent) = parent.filter(|p| !p.as_os_str().is_empty())
    {
        std::fs::create_dir_all(parent)
            .map_err(|e| DataError::Config(format!("cannot create {}: {e}", parent.display())))?;
    }
    let mut query = query.to_owned();
    if !query.contains("mode=") {
        if !query.is_empty() {
            query.push('&');
        }
        query.push_str("mode=rwc");
    }
    Ok(format!("sqlite://{path}?{query}"))
}

/// The current time in UTC as RFC 3339 text, the form every timestamp is stored in.
pub(crate) fn now_utc() -> String {
    time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap_or_else(|_| time::OffsetDateTime::now_utc())
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Lowercase hex SHA-256 of some bytes.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}
