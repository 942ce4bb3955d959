//! Kill -9 during writes: the real server binary on 127.0.0.1 takes saves and evidence uploads,
//! and is killed with SIGKILL at a random moment, again and again. After each kill the database
//! is checked: every write the server acknowledged is there, SQLite's `integrity_check` says ok,
//! and the audit chain verifies. Once on PostgreSQL too.
//!
//! The test command runs the short form (3 kills on SQLite, 1 on PostgreSQL). The long form, by
//! hand: `CRASH_KILLS=20 cargo test -p server --test crash -- --nocapture` (figures in
//! docs/performance.md). Traffic goes to 127.0.0.1 only; every run is bounded and stops by itself.

#[allow(dead_code, reason = "this test uses only some of the shared helpers")]
mod support;

mod council;

use app::data::{ChainReport, Db};
use app::roles::Permission;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A small pseudo-random sequence (the kill moments), seeded from the clock and printed.
struct Dice(u64);

impl Dice {
    fn roll(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % below.max(1)
    }
}

/// What one crash run needs: where things are and who is signed in.
struct Rig {
    url: String,
    evidence: PathBuf,
    site: PathBuf,
    cookie: String,
    cells: Vec<(i64, String)>,
    lead: i64,
}

/// A council with an assessment and a signed-in CAF lead, made through the data layer before the
/// server starts.
async fn rig(url: &str, dir: &Path) -> Rig {
    let db = Db::connect(url).await.expect("open");
    db.migrate().await.expect("migrate");
    db.register_bundled().await.expect("frameworks");
    let council::Council { lead, cells, .. } = council::council_assessment(&db, "crash", 1).await;
    let cookie = support::signed_in(&db, lead).await;
    db.close().await;
    let site = dir.join("site");
    std::fs::create_dir_all(&site).expect("site folder");
    Rig {
        url: url.to_owned(),
        evidence: dir.join("evidence"),
        site,
        cookie,
        cells,
        lead,
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("a free port")
        .local_addr()
        .expect("address")
        .port()
}

fn start(rig: &Rig, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_server"))
        .args([
            "serve",
            "--addr",
            &format!("127.0.0.1:{port}"),
            "--site-root",
            rig.site.to_str().expect("path"),
        ])
        .env("DATABASE_URL", &rig.url)
        .env("CAF_EVIDENCE_DIR", &rig.evidence)
        .env("CAF_PUBLIC_URL", format!("http://localhost:{port}"))
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the server")
}

/// One HTTP/1.1 request over a fresh connection; the status and body, or `None` when the
/// connection failed or broke (the server was killed).
async fn request(port: u16, head: &str, body: &[u8]) -> Option<(u16, Vec<u8>)> {
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .ok()?;
    let mut message = format!(
        "{head}\r\nHost: localhost:{port}\r\nOrigin: http://localhost:{port}\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    message.extend_from_slice(body);
    stream.write_all(&message).await.ok()?;
    let mut reply = Vec::new();
    stream.read_to_end(&mut reply).await.ok()?;
    let split = reply.windows(4).position(|w| w == b"\r\n\r\n")?;
    let header = String::from_utf8_lossy(&reply[..split]).to_lowercase();
    let status = header.split(' ').nth(1)?.parse().ok()?;
    let mut content = reply[split + 4..].to_vec();
    if header.contains("transfer-encoding: chunked") {
        content = dechunk(&content)?;
    }
    Some((status, content))
}

fn dechunk(mut bytes: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line = bytes.windows(2).position(|w| w == b"\r\n")?;
        let size =
            usize::from_str_radix(std::str::from_utf8(&bytes[..line]).ok()?.trim(), 16).ok()?;
        bytes = &bytes[line + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(bytes.get(..size)?);
        bytes = bytes.get(size + 2..)?;
    }
}

async fn wait_until_ready(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Some((200, _)) = request(port, "GET /readyz HTTP/1.1", b"").await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the server did not become ready within 30 s");
}

/// What the server acknowledged across all runs.
#[derive(Default)]
struct Acknowledged {
    /// Per outcome, the highest acknowledged version and its narrative.
    saves: BTreeMap<(i64, String), (i64, String)>,
    /// SHA-256 of each acknowledged upload's bytes.
    uploads: Vec<String>,
    /// Every acknowledged write, counted.
    total: u64,
    /// Versions the writer believes current.
    known: BTreeMap<(i64, String), i64>,
    sent: u64,
}

/// Sends saves (and every fifth request an upload) until the server stops answering.
async fn write_until_killed(rig: &Rig, port: u16, round: usize, acked: &mut Acknowledged) {
    let mut n = 0usize;
    loop {
        n += 1;
        acked.sent += 1;
        if n.is_multiple_of(5) {
            let content = format!("Backup restore test, round {round}, upload {n}.");
            let boundary = "crash-test-boundary";
            let mut body = String::new();
            for (name, value) in [
                ("title", "Restore test"),
                ("owner", "ICT"),
                ("classification", "official"),
            ] {
                body.push_str(&format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                ));
            }
            body.push_str(&format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"restore.txt\"\r\n\
                 Content-Type: text/plain\r\n\r\n{content}\r\n--{boundary}--\r\n"
            ));
            let head = format!(
                "POST /org/crash/evidence/upload HTTP/1.1\r\nCookie: {}\r\n\
                 Content-Type: multipart/form-data; boundary={boundary}",
                rig.cookie
            );
            let Some((status, _)) = request(port, &head, body.as_bytes()).await else {
                return;
            };
            if status == 303 {
                // The item is found again by its bytes.
                acked
                    .uploads
                    .push(hex::encode(Sha256::digest(content.as_bytes())));
                acked.total += 1;
            }
            continue;
        }
        let cell = rig.cells[n % rig.cells.len()].clone();
        let version = acked.known.get(&cell).copied().unwrap_or(0);
        let narrative = format!("Round {round}, write {n}");
        let form = format!(
            "slug=crash&scope_id={}&outcome={}&version={version}&draft%5Bnarrative%5D={}",
            cell.0,
            cell.1,
            narrative.replace(' ', "+").replace(',', "%2C")
        );
        let head = format!(
            "POST /api/assess/save HTTP/1.1\r\nCookie: {}\r\n\
             Content-Type: application/x-www-form-urlencoded",
            rig.cookie
        );
        let Some((status, body)) = request(port, &head, form.as_bytes()).await else {
            return;
        };
        assert!(status < 500, "a 5xx: {}", String::from_utf8_lossy(&body));
        let Ok(answer) = serde_json::from_slice::<serde_json::Value>(&body) else {
            return;
        };
        if let Some(saved) = answer.get("Saved") {
            let stored = saved["version"].as_i64().expect("version");
            acked.known.insert(cell.clone(), stored);
            acked.saves.insert(cell, (stored, narrative));
            acked.total += 1;
        } else if let Some(current) = answer.get("Conflict") {
            // A save whose answer was lost to a kill may have committed: learn the version.
            acked
                .known
                .insert(cell, current["version"].as_i64().expect("version"));
        }
    }
}

/// Checks the database after a kill: the latest acknowledged save of every outcome and every
/// acknowledged upload are there, and the database and its audit chain are sound.
async fn check(rig: &Rig, acked: &Acknowledged) {
    let db = Db::connect(&rig.url).await.expect("reopen");
    if db.engine() == app::data::Engine::Sqlite {
        assert_eq!(db.integrity_check().await.expect("integrity_check"), "ok");
    }
    assert!(
        matches!(
            db.verify_audit_chain().await.expect("verify"),
            ChainReport::Intact { .. }
        ),
        "the audit chain verifies after a kill"
    );
    let scope = db
        .authorize(rig.lead, "crash", Permission::LeadAssessment, None)
        .await
        .expect("scope");
    for ((scope_id, outcome), (version, narrative)) in &acked.saves {
        let record = db
            .outcome_record(&scope, *scope_id, outcome)
            .await
            .expect("record");
        // A later save may have committed without its answer reaching us: never older.
        assert!(
            record.version > *version
                || (record.version == *version && record.draft.narrative == *narrative),
            "{outcome} of scope {scope_id}: acknowledged version {version} ({narrative:?}), stored {} ({:?})",
            record.version,
            record.draft.narrative
        );
    }
    let stored: Vec<String> = db
        .list_evidence(&scope)
        .await
        .expect("register")
        .into_iter()
        .filter_map(|e| e.sha256)
        .collect();
    for sha in &acked.uploads {
        assert!(
            stored.contains(sha),
            "an acknowledged upload is in the register"
        );
        let path = rig.evidence.join(&sha[..2]).join(sha);
        let bytes = std::fs::read(&path).expect("the upload's bytes are on disk");
        assert_eq!(hex::encode(Sha256::digest(&bytes)), *sha);
    }
    db.close().await;
}

async fn kill_repeatedly(url: &str, dir: &Path, kills: u64) {
    let rig = rig(url, dir).await;
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(7);
    let mut dice = Dice(seed);
    let mut acked = Acknowledged::default();
    let started = Instant::now();
    for round in 0..kills as usize {
        let port = free_port();
        let mut server = start(&rig, port);
        wait_until_ready(port).await;
        let after = Duration::from_millis(100 + dice.roll(900));
        let writer = write_until_killed(&rig, port, round, &mut acked);
        let killer = async {
            tokio::time::sleep(after).await;
            server.kill().expect("SIGKILL");
        };
        tokio::join!(writer, killer);
        server.wait().expect("reaped");
        check(&rig, &acked).await;
    }
    println!(
        "{}: {kills} kills (seed {seed}) in {:.1} s; {} requests sent, {} writes acknowledged \
         ({} outcomes' latest saves and {} uploads checked after every kill): all present, \
         integrity and audit chain intact",
        url.split(':').next().unwrap_or_default(),
        started.elapsed().as_secs_f64(),
        acked.sent,
        acked.total,
        acked.saves.len(),
        acked.uploads.len()
    );
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("caf-crash-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch");
    dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_survive_kill_9_on_sqlite() {
    let dir = scratch("sqlite");
    let url = format!("sqlite://{}", dir.join("crash.db").display());
    kill_repeatedly(&url, &dir, setting("CRASH_KILLS", 3)).await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_survive_kill_9_on_postgres() {
    let admin = std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    let name = support::unique_name("caf_crash");
    sqlx::any::install_default_drivers();
    let pool = sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .connect(&admin)
        .await
        .expect("PostgreSQL");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&pool)
        .await
        .expect("create");
    let (base, _) = admin.rsplit_once('/').expect("database name");
    let dir = scratch("postgres");
    kill_repeatedly(&format!("{base}/{name}"), &dir, 1).await;
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&pool)
        .await
        .expect("drop");
    let _ = std::fs::remove_dir_all(&dir);
}

/// SIGTERM (what service managers send) stops the server cleanly: it exits with success rather
/// than dying of the signal, and says so in its log, here written as JSON lines.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_stops_the_server_cleanly_and_the_log_can_be_json() {
    let dir = scratch("sigterm");
    let url = format!("sqlite://{}", dir.join("term.db").display());
    let rig = rig(&url, &dir).await;
    let port = free_port();
    let server = Command::new(env!("CARGO_BIN_EXE_server"))
        .args([
            "serve",
            "--addr",
            &format!("127.0.0.1:{port}"),
            "--site-root",
            rig.site.to_str().expect("path"),
            "--log-format",
            "json",
        ])
        .env("DATABASE_URL", &rig.url)
        .env("CAF_EVIDENCE_DIR", &rig.evidence)
        .env("CAF_PUBLIC_URL", format!("http://localhost:{port}"))
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the server");
    wait_until_ready(port).await;
    let sent = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .expect("kill -TERM");
    assert!(sent.success());
    let output = server.wait_with_output().expect("the server ends");
    assert!(
        output.status.success(),
        "ended by the signal: {:?}",
        output.status
    );
    let log = String::from_utf8_lossy(&output.stderr);
    let lines: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    assert!(
        lines.iter().any(|l| l["fields"]["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("shutting down"))),
        "{log}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
