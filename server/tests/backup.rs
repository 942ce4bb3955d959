//! `server backup` and `server restore`, run as an operator would (the real binary), on SQLite:
//! the demo council is backed up while its database is open, restored into a new file and
//! evidence folder, and the restored copy exports the same assessment and passes
//! `audit verify`; a tampered backup and a restore over an existing database are refused.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn run(url: &str, evidence: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_server"))
        .args(args)
        .env("DATABASE_URL", url)
        .env("CAF_EVIDENCE_DIR", evidence)
        .env("CAF_PUBLIC_URL", "http://localhost:3000")
        .env("RUST_LOG", "warn")
        .output()
        .expect("run server")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn ok(output: Output, what: &str) -> String {
    assert!(
        output.status.success(),
        "{what}: {}{}",
        text(&output.stdout),
        text(&output.stderr)
    );
    text(&output.stdout)
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("caf-backup-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// The demo's CAF 4.0 assessment as exported, without the moment of export.
fn export(url: &str, evidence: &Path) -> serde_json::Value {
    let out = ok(
        run(
            url,
            evidence,
            &[
                "assessment",
                "export",
                "--org",
                "demo",
                "--as",
                "helen.okafor@borsetshire.example",
                "--id",
                "2",
            ],
        ),
        "export",
    );
    let mut value: serde_json::Value = serde_json::from_str(&out).expect("export JSON");
    value.as_object_mut().expect("object").remove("exported_at");
    value
}

#[test]
fn a_backup_restores_to_the_same_assessments_and_an_intact_audit_log() {
    let dir = scratch("round-trip");
    let url = format!("sqlite://{}", dir.join("live.db").display());
    let evidence = dir.join("evidence");
    ok(run(&url, &evidence, &["demo"]), "demo");
    let before = export(&url, &evidence);

    let backup = dir.join("backup");
    let said = ok(
        run(
            &url,
            &evidence,
            &["backup", "--output", backup.to_str().expect("path")],
        ),
        "backup",
    );
    assert!(said.contains("1 evidence file(s)"), "{said}");
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(backup.join("manifest.json")).expect("manifest"))
            .expect("manifest JSON");
    assert_eq!(manifest["engine"], "sqlite");
    assert_eq!(manifest["missing"], serde_json::json!([]));
    assert!(manifest["audit_records"].as_i64().expect("records") > 100);

    // Restored into a new file and folder: the same assessment, and the chain verifies.
    let restored_url = format!("sqlite://{}", dir.join("restored.db").display());
    let restored_evidence = dir.join("restored-evidence");
    let said = ok(
        run(
            &restored_url,
            &restored_evidence,
            &["restore", "--from", backup.to_str().expect("path")],
        ),
        "restore",
    );
    assert!(said.starts_with("Restored the backup"), "{said}");
    assert_eq!(export(&restored_url, &restored_evidence), before);
    let verified = ok(
        run(&restored_url, &restored_evidence, &["audit", "verify"]),
        "audit verify",
    );
    assert!(verified.contains("intact"), "{verified}");
    let file = manifest["evidence"][0]["sha256"].as_str().expect("hash");
    assert!(restored_evidence.join(&file[..2]).join(file).exists());

    // Never over an existing database.
    let again = run(
        &restored_url,
        &restored_evidence,
        &["restore", "--from", backup.to_str().expect("path")],
    );
    assert!(!again.status.success());
    assert!(
        text(&again.stderr).contains("already exists"),
        "{}",
        text(&again.stderr)
    );

    // A changed byte is found before anything is written.
    let stored = backup.join(manifest["evidence"][0]["path"].as_str().expect("path"));
    let mut bytes = std::fs::read(&stored).expect("evidence");
    bytes[0] ^= 1;
    std::fs::write(&stored, bytes).expect("tamper");
    let fresh_url = format!("sqlite://{}", dir.join("never.db").display());
    let tampered = run(
        &fresh_url,
        &dir.join("never-evidence"),
        &["restore", "--from", backup.to_str().expect("path")],
    );
    assert!(!tampered.status.success());
    assert!(
        text(&tampered.stderr).contains("does not match its hash"),
        "{}",
        text(&tampered.stderr)
    );
    assert!(!dir.join("never.db").exists(), "nothing written");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_backup_goes_into_a_new_folder_only() {
    let dir = scratch("not-empty");
    let url = format!("sqlite://{}", dir.join("live.db").display());
    let evidence = dir.join("evidence");
    let occupied = dir.join("occupied");
    std::fs::create_dir_all(&occupied).expect("folder");
    std::fs::write(occupied.join("something"), b"x").expect("file");
    let refused = run(
        &url,
        &evidence,
        &["backup", "--output", occupied.to_str().expect("path")],
    );
    assert!(!refused.status.success());
    assert!(
        text(&refused.stderr).contains("not empty"),
        "{}",
        text(&refused.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
}
