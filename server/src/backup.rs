//! `server backup` and `server restore`: a consistent copy of the database and the evidence files
//! it refers to, taken while the server runs, with a manifest of SHA-256 hashes that `restore`
//! checks before it writes anything.
//!
//! A backup is a folder: `caf.db` (SQLite, copied with `VACUUM INTO`), `evidence/ab/<sha256>` for
//! every file a register item uses, and `manifest.json`, written last, so a folder without a
//! manifest is an unfinished backup. On PostgreSQL the database is backed up with `pg_dump` (see
//! the README) and this command copies the evidence files and writes the manifest.

use anyhow::{Context, bail};
use app::data::{ChainReport, Db, Engine};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// The manifest's format version.
const MANIFEST_FORMAT: u32 = 1;
/// The database copy's file name in a backup.
const DATABASE_FILE: &str = "caf.db";

/// One file of a backup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackedUpFile {
    /// Its path inside the backup folder.
    pub path: String,
    /// The SHA-256 of its bytes.
    pub sha256: String,
    /// Its size in bytes.
    pub size: u64,
}

/// What a backup holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// The manifest's format version.
    pub format: u32,
    /// When the backup was taken (UTC).
    pub taken_at: String,
    /// `sqlite` or `postgres`.
    pub engine: String,
    /// The database copy (SQLite only).
    pub database: Option<BackedUpFile>,
    /// The audit log's records in the copy, checked intact when the backup was taken.
    pub audit_records: Option<i64>,
    /// Every evidence file the database refers to.
    pub evidence: Vec<BackedUpFile>,
    /// Evidence files the database refers to that were not in the evidence folder.
    pub missing: Vec<String>,
}

fn sha256_of(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn blob_path(root: &Path, sha256: &str) -> PathBuf {
    root.join(&sha256[..2]).join(sha256)
}

fn is_hash(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The SQLite file a `sqlite://` URL names.
fn sqlite_path(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite:")?.trim_start_matches("//");
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
}

/// Whether the audit log of a database is intact; its number of records.
async fn audit_records(db: &Db) -> anyhow::Result<i64> {
    match db.verify_audit_chain().await? {
        ChainReport::Intact { records } => Ok(records),
        ChainReport::Broken { seq, reason } => {
            bail!("the audit log is broken at record {seq}: {reason}")
        }
    }
}

/// Takes a backup of `db` and the evidence files under `evidence_dir` into `output`, a folder
/// that must not exist yet or be empty.
pub async fn backup(db: &Db, evidence_dir: &Path, output: &Path) -> anyhow::Result<Manifest> {
    if output.exists()
        && std::fs::read_dir(output)
            .with_context(|| format!("cannot read {}", output.display()))?
            .next()
            .is_some()
    {
        bail!(
            "{} is not empty: back up into a new folder",
            output.display()
        );
    }
    std::fs::create_dir_all(output)
        .with_context(|| format!("cannot create {}", output.display()))?;
    let taken_at =
        time::OffsetDateTime::now_utc().format(&time::format_description::well_known::Rfc3339)?;
    let (database, audit, hashes) = match db.engine() {
        Engine::Sqlite => {
            let target = output.join(DATABASE_FILE);
            db.copy_sqlite_into(&target)
                .await
                .context("cannot copy the database")?;
            // What is backed up is what the copy refers to, checked on the copy itself.
            let copy = Db::connect(&format!("sqlite://{}", target.display()))
                .await
                .context("cannot open the copy")?;
            let records = audit_records(&copy).await?;
            let hashes = copy.evidence_file_hashes().await?;
            copy.close().await;
            let bytes = std::fs::read(&target)?;
            (
                Some(BackedUpFile {
                    path: DATABASE_FILE.into(),
                    sha256: sha256_of(&bytes),
                    size: bytes.len() as u64,
                }),
                Some(records),
                hashes,
            )
        }
        Engine::Postgres => (None, None, db.evidence_file_hashes().await?),
    };
    let mut evidence = Vec::with_capacity(hashes.len());
    let mut missing = Vec::new();
    for sha256 in hashes.iter().filter(|h| is_hash(h)) {
        let bytes = match std::fs::read(blob_path(evidence_dir, sha256)) {
            Ok(bytes) if sha256_of(&bytes) == *sha256 => bytes,
            _ => {
                missing.push(sha256.clone());
                continue;
            }
        };
        let relative = format!("evidence/{}/{sha256}", &sha256[..2]);
        let target = output.join(&relative);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&target, &bytes)?;
        evidence.push(BackedUpFile {
            path: relative,
            sha256: sha256.clone(),
            size: bytes.len() as u64,
        });
    }
    let manifest = Manifest {
        format: MANIFEST_FORMAT,
        taken_at,
        engine: match db.engine() {
            Engine::Sqlite => "sqlite".into(),
            Engine::Postgres => "postgres".into(),
        },
        database,
        audit_records: audit,
        evidence,
        missing,
    };
    std::fs::write(
        output.join("manifest.json"),
        serde_json::to_vec_pretty(&manifest)?,
    )?;
    Ok(manifest)
}

/// Reads a backup's manifest and checks every file in it against its hash.
pub fn check(backup: &Path) -> anyhow::Result<Manifest> {
    let text = std::fs::read(backup.join("manifest.json")).with_context(|| {
        format!(
            "{} has no manifest.json: it is not a finished backup",
            backup.display()
        )
    })?;
    let manifest: Manifest =
        serde_json::from_slice(&text).context("manifest.json is unreadable")?;
    if manifest.format != MANIFEST_FORMAT {
        bail!(
            "manifest format {} is not one this version reads",
            manifest.format
        );
    }
    for file in manifest.database.iter().chain(&manifest.evidence) {
        if file.path.contains("..") || Path::new(&file.path).is_absolute() {
            bail!(
                "the manifest names a file outside the backup: {}",
                file.path
            );
        }
        let bytes = std::fs::read(backup.join(&file.path))
            .with_context(|| format!("{} is missing from the backup", file.path))?;
        if sha256_of(&bytes) != file.sha256 || bytes.len() as u64 != file.size {
            bail!("{} does not match its hash in the manifest", file.path);
        }
    }
    Ok(manifest)
}

/// Restores a checked SQLite backup into a new database file (never over an existing one) and
/// its evidence files into `evidence_dir`, then checks the restored audit log.
pub async fn restore(
    backup: &Path,
    database_url: &str,
    evidence_dir: &Path,
) -> anyhow::Result<Manifest> {
    let manifest = check(backup)?;
    let Some(database) = &manifest.database else {
        bail!(
            "this backup holds no database (PostgreSQL): restore it with pg_restore, then copy its evidence folder"
        );
    };
    let Some(target) = sqlite_path(database_url) else {
        bail!("restore writes a SQLite database: give --database-url sqlite://PATH");
    };
    if target.exists() {
        bail!(
            "{} already exists: restore into a new file, never over a database",
            target.display()
        );
    }
    if let Some(parent) = target.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::copy(backup.join(&database.path), &target)
        .with_context(|| format!("cannot write {}", target.display()))?;
    for file in &manifest.evidence {
        let to = blob_path(evidence_dir, &file.sha256);
        if to.exists() {
            continue;
        }
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::copy(backup.join(&file.path), &to)?;
    }
    let db = Db::connect(database_url)
        .await
        .context("cannot open the restored database")?;
    let records = audit_records(&db).await;
    db.close().await;
    let records = records?;
    if Some(records) < manifest.audit_records {
        bail!("the restored audit log has fewer records than the backup's manifest");
    }
    Ok(manifest)
}
