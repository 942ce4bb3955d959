//! Concurrent editors: many signed-in assessors saving outcomes at once through the whole router
//! (gate, session, server function, data layer), on SQLite and PostgreSQL. Bounded in time and
//! count, in-process (no traffic leaves the machine), and it stops by itself.
//!
//! It asserts what must hold under load: no 5xx, no acknowledged write lost (each outcome ends as
//! its last acknowledged save left it), and a clash answered as a conflict with what is stored.
//! It prints the figures: saves, conflicts, throughput and latency percentiles.
//!
//! The README's test command runs the short form (200 editors for 4 s). The long form, by hand:
//! `LOAD_EDITORS=200 LOAD_SECONDS=180 cargo test --release -p server --test load_editors -- --nocapture`
//! (figures in docs/performance.md).

#[allow(dead_code, reason = "this test uses only some of the shared helpers")]
mod support;

mod council;

use app::roles::{Permission, Role};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::{LOCAL, TestDb, router, send, signed_in};
use tokio::sync::Mutex;

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// One outcome of one scope: (scope id, outcome id).
type Cell = (i64, String);

/// What the editors saw, shared.
#[derive(Default)]
struct Seen {
    /// Per cell, the highest acknowledged version and the narrative saved with it.
    acknowledged: BTreeMap<Cell, (i64, String)>,
    /// Every acknowledged (cell, version): a version acknowledged twice means a lost write.
    versions: std::collections::BTreeSet<(Cell, i64)>,
    saves: u64,
    conflicts: u64,
    server_errors: u64,
    other: BTreeMap<u16, u64>,
    latencies: Vec<Duration>,
}

/// A council with an assessment of six scopes, and `editors` signed-in assessors.
async fn council(t: &TestDb, editors: usize) -> (i64, Vec<Cell>, Vec<String>) {
    let db = &t.db;
    let council = council::council_assessment(db, "load", 5).await;
    let mut cookies = Vec::with_capacity(editors);
    for n in 0..editors {
        let user = db
            .create_user(
                &format!("editor{n}@load.gov.uk"),
                &format!("Editor {n}"),
                "test",
            )
            .await
            .expect("editor");
        db.set_membership(user, council.organisation, Role::Assessor, None, "test")
            .await
            .expect("membership");
        cookies.push(signed_in(db, user).await);
    }
    (council.lead, council.cells, cookies)
}

fn form_value(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            b' ' => "+".to_owned(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// One editor: saves a narrative to cells in turn until the deadline, keeping the last version
/// it knows for each; a conflict teaches it the stored version.
async fn editor(
    app: axum::Router,
    cookie: String,
    n: usize,
    cells: Arc<Vec<Cell>>,
    deadline: Instant,
    seen: Arc<Mutex<Seen>>,
) {
    let mut known: BTreeMap<usize, i64> = BTreeMap::new();
    let mut turn = 0usize;
    while Instant::now() < deadline {
        // Mostly the editor's own outcome, every fifth save a neighbour's: clashes happen, as in
        // a team (and editors beyond the number of outcomes share one).
        let index = (n + usize::from(turn % 5 == 4)) % cells.len();
        turn += 1;
        let (scope, outcome) = &cells[index];
        let version = known.get(&index).copied().unwrap_or(0);
        let narrative = format!("Editor {n}, save {turn}");
        let form = format!(
            "slug=load&scope_id={scope}&outcome={outcome}&version={version}&draft%5Bnarrative%5D={}",
            form_value(&narrative)
        );
        let request = Request::post("/api/assess/save")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, &cookie)
            .header(header::ORIGIN, LOCAL)
            .body(Body::from(form))
            .expect("request");
        let started = Instant::now();
        let reply = send(&app, request).await;
        let took = started.elapsed();
        let mut seen = seen.lock().await;
        seen.latencies.push(took);
        if reply.status.is_server_error() {
            seen.server_errors += 1;
            continue;
        }
        if reply.status != StatusCode::OK {
            *seen.other.entry(reply.status.as_u16()).or_default() += 1;
            continue;
        }
        let answer: serde_json::Value = serde_json::from_slice(&reply.body).expect("JSON");
        if let Some(saved) = answer.get("Saved") {
            let stored = saved["version"].as_i64().expect("version");
            known.insert(index, stored);
            seen.saves += 1;
            let cell = (*scope, outcome.clone());
            assert!(
                seen.versions.insert((cell.clone(), stored)),
                "two saves acknowledged as version {stored}: one was lost"
            );
            let entry = seen.acknowledged.entry(cell).or_insert((0, String::new()));
            if stored > entry.0 {
                *entry = (stored, narrative);
            }
        } else if let Some(current) = answer.get("Conflict") {
            known.insert(index, current["version"].as_i64().expect("version"));
            seen.conflicts += 1;
        } else {
            panic!("unexpected answer {answer}");
        }
    }
}

on_both!(
    many_editors_save_at_once_and_nothing_is_lost,
    |t: TestDb| async move {
        let editors = setting("LOAD_EDITORS", 200) as usize;
        let seconds = setting("LOAD_SECONDS", 4);
        let (lead_id, cells, cookies) = council(&t, editors).await;
        let app = router(&t, 5);
        let cells = Arc::new(cells);
        let seen = Arc::new(Mutex::new(Seen::default()));
        let started = Instant::now();
        let deadline = started + Duration::from_secs(seconds);
        let tasks: Vec<_> = cookies
            .into_iter()
            .enumerate()
            .map(|(n, cookie)| {
                tokio::spawn(editor(
                    app.clone(),
                    cookie,
                    n,
                    cells.clone(),
                    deadline,
                    seen.clone(),
                ))
            })
            .collect();
        for task in tasks {
            task.await.expect("editor");
        }
        let elapsed = started.elapsed();
        let mut seen = seen.lock().await;

        // Every acknowledged write is what is stored.
        let lead =
            t.db.authorize(lead_id, "load", Permission::ReadAssessments, None)
                .await
                .expect("scope");
        let mut lost = 0;
        for ((scope, outcome), (version, narrative)) in &seen.acknowledged {
            let record =
                t.db.outcome_record(&lead, *scope, outcome)
                    .await
                    .expect("record");
            if record.version != *version || record.draft.narrative != *narrative {
                lost += 1;
            }
        }
        seen.latencies.sort();
        let at = |q: usize| {
            seen.latencies
                .get((seen.latencies.len() * q / 100).min(seen.latencies.len().saturating_sub(1)))
                .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
        };
        println!(
            "{:?}: {editors} editors for {:.1} s on {} cells: {} saves, {} conflicts, {} 5xx, {:?} other, \
         {:.0} requests/s; latency p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms; {} acknowledged writes lost",
            t.db.engine(),
            elapsed.as_secs_f64(),
            cells.len(),
            seen.saves,
            seen.conflicts,
            seen.server_errors,
            seen.other,
            seen.latencies.len() as f64 / elapsed.as_secs_f64(),
            at(50),
            at(95),
            at(99),
            lost
        );
        assert_eq!(seen.server_errors, 0, "no 5xx under load");
        assert!(
            seen.other.is_empty(),
            "only saves and conflicts: {:?}",
            seen.other
        );
        assert_eq!(lost, 0, "no acknowledged write lost");
        assert!(
            seen.saves > 0 && seen.conflicts > 0,
            "both saves and clashes happened"
        );
    }
);
