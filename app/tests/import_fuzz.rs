//! The assessment importer under hostile input, on SQLite and PostgreSQL: a real export,
//! mutated at random (values replaced, removed, padded with spaces, duplicated, cross-wired,
//! cut short) and plain noise. No input may panic; every refusal is an [`ImportError`] with a
//! message a person can act on (never a server fault), and a refused import writes nothing.
//!
//! `IMPORT_FUZZ_CASES` sets the number of cases per engine (default 256 on SQLite, 96 on
//! PostgreSQL); the test prints how many it ran and how many of them imported.

mod support;

use support::TestDb;
use support::world::{self, HOME, World, achieved_answers, draft, fields, file, start};

use app::data::{Actor, DataError, EvidenceBody, ImportError, OrgScope};
use app::roles::Role;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::Value;
use std::collections::BTreeMap;
use support::mutate::{Mutation, apply, mutation};

/// Every table an import writes to, and the audit log.
const TABLES: [&str; 10] = [
    "assessments",
    "assessment_targets",
    "scopes",
    "scope_outcomes",
    "answers",
    "evidence",
    "evidence_links",
    "comments",
    "plan_actions",
    "audit_log",
];

async fn counts(db: &TestDb) -> BTreeMap<&'static str, String> {
    let mut out = BTreeMap::new();
    for table in TABLES {
        let n = db
            .raw_strings(&format!("SELECT CAST(COUNT(*) AS TEXT) FROM {table}"))
            .await;
        out.insert(table, n[0].clone());
    }
    out
}

/// The home council's CAF lead, and an export of a filled-in assessment of theirs: answers and
/// a narrative, a link, a note and a register file, a comment and a plan action.
async fn seed(db: &TestDb) -> (OrgScope, Actor, Value) {
    let w: World = world::world(db).await;
    let started = start(db, &w, "Fuzz seed", &["Payroll"], false).await;
    let lead = w.lead(db, HOME).await;
    let actor = w.actor(HOME, Role::CafLead);
    let saved = db
        .save_outcome(
            &lead,
            started.org,
            "A1.a",
            0,
            &draft(
                achieved_answers("A1.a"),
                Some("achieved"),
                "The board owns risk.",
            ),
            &actor,
        )
        .await
        .expect("save");
    assert!(matches!(saved, app::assess::SaveResult::Saved { .. }));
    let bodies = [
        EvidenceBody::Link("https://sharepoint.example/risk".into()),
        EvidenceBody::Note("We walked the data centre.".into()),
        file(b"minutes", "minutes.pdf"),
    ];
    for (n, body) in bodies.iter().enumerate() {
        let id = db
            .create_evidence(&lead, &fields(&format!("Item {n}"), None), body, &actor)
            .await
            .expect("evidence");
        db.link_evidence(&lead, id, started.org, "A1.a", true, &actor)
            .await
            .expect("link");
    }
    db.add_comment(&lead, started.org, "A1.a", "Check the minutes.", &actor)
        .await
        .expect("comment");
    db.propose_action(
        &lead,
        started.systems[0],
        "B1.a",
        "Write the supplier clause",
        "Procurement",
        Some("2027-03-31"),
        &actor,
    )
    .await
    .expect("action");
    let export = db
        .export_assessment(&lead, started.id, &actor)
        .await
        .expect("export");
    assert_eq!(export.evidence.len(), 3);
    (lead, actor, serde_json::to_value(&export).expect("JSON"))
}

/// What one import did: stored (`true`), or refused in words (`false`). Fails the case on a
/// refusal that is a server fault or has no message, and on a refusal that changed a table.
async fn import_once(
    db: &TestDb,
    lead: &OrgScope,
    actor: &Actor,
    text: &str,
    title: Option<&str>,
) -> Result<bool, String> {
    let before = counts(db).await;
    let result = db.import_assessment(lead, text, title, actor).await;
    let problem = match &result {
        Ok(report) => return Ok(report.assessment_id > 0),
        Err(ImportError::Rejected(problems)) if problems.is_empty() => {
            Some("a rejection with no problem listed".to_owned())
        }
        Err(ImportError::Rejected(problems)) => problems
            .iter()
            .find(|p| p.message.trim().is_empty() || p.at.trim().is_empty())
            .map(|p| format!("a problem without place or message: {p:?}")),
        Err(ImportError::Data(
            DataError::Invalid(m) | DataError::NotFound(m) | DataError::Conflict(m),
        )) if !m.trim().is_empty() => None,
        Err(other) => Some(format!("not a refusal a person can act on: {other:?}")),
    };
    if let Some(problem) = problem {
        return Err(problem);
    }
    let after = counts(db).await;
    if after != before {
        return Err(format!("a refused import wrote: {before:?} -> {after:?}"));
    }
    Ok(false)
}

/// One case: the document's text, and whether to import it under a fresh title (otherwise its
/// own title, which is taken, so the title check is exercised too).
#[derive(Debug, Clone)]
enum Case {
    Mutated(Vec<Mutation>, bool),
    CutShort(prop::sample::Index),
    Noise(String),
}

fn case() -> impl Strategy<Value = Case> {
    prop_oneof![
        8 => (prop::collection::vec(mutation(), 1..5), prop::bool::weighted(0.8))
            .prop_map(|(m, fresh)| Case::Mutated(m, fresh)),
        1 => any::<prop::sample::Index>().prop_map(Case::CutShort),
        1 => any::<String>().prop_map(Case::Noise),
    ]
}

fn cases(default: u32) -> u32 {
    std::env::var("IMPORT_FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(default)
}

/// Runs the property on a seeded database; returns (cases run, imported).
fn fuzz(db: &TestDb, lead: &OrgScope, actor: &Actor, seed: &Value, cases: u32) -> (u32, u32) {
    let handle = tokio::runtime::Handle::current();
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let run = std::cell::Cell::new(0u32);
    let imported = std::cell::Cell::new(0u32);
    let outcome = runner.run(&case(), |case| {
        run.set(run.get() + 1);
        let n = run.get();
        let seed_text = serde_json::to_string(seed).expect("JSON");
        let (text, title) = match &case {
            Case::Mutated(mutations, fresh) => {
                let mut doc = seed.clone();
                for m in mutations {
                    apply(&mut doc, m);
                }
                let text = serde_json::to_string(&doc).expect("JSON");
                (text, fresh.then(|| format!("Fuzz case {n}")))
            }
            Case::CutShort(i) => {
                let mut end = i.index(seed_text.len());
                while !seed_text.is_char_boundary(end) {
                    end -= 1;
                }
                (seed_text[..end].to_owned(), Some(format!("Fuzz case {n}")))
            }
            Case::Noise(text) => (text.clone(), None),
        };
        let result = handle.block_on(import_once(db, lead, actor, &text, title.as_deref()));
        match result {
            Ok(true) => {
                imported.set(imported.get() + 1);
                Ok(())
            }
            Ok(false) => Ok(()),
            Err(problem) => Err(TestCaseError::fail(problem)),
        }
    });
    if let Err(failure) = outcome {
        panic!("{failure}");
    }
    (cases, imported.get())
}

async fn property(db: TestDb, engine: &str, default: u32) {
    let (lead, actor, seed) = seed(&db).await;
    let cases = cases(default);
    let (run, imported) = tokio::task::block_in_place(|| fuzz(&db, &lead, &actor, &seed, cases));
    println!("import fuzz on {engine}: {run} cases passed, {imported} of them imported");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_document_panics_or_half_writes_an_import_sqlite() {
    support::on_sqlite(|db| property(db, "SQLite", 256)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_document_panics_or_half_writes_an_import_postgres() {
    support::on_postgres(|db| property(db, "PostgreSQL", 96)).await;
}

/// The seed's first evidence id, and the seed with `id` and `reference` in place of that id in
/// the evidence list and in A1.a's references.
fn respaced(seed: &Value, id: &str, reference: &str) -> (String, Value) {
    let mut doc = seed.clone();
    let first = doc["evidence"][0]["id"].as_str().expect("an id").to_owned();
    doc["evidence"][0]["id"] = Value::from(id.replace("ID", &first));
    let outcome = doc["scopes"][0]["outcomes"]
        .as_array_mut()
        .expect("outcomes")
        .iter_mut()
        .find(|o| o["id"] == "A1.a")
        .expect("A1.a");
    let refs = outcome["evidence"].as_array_mut().expect("references");
    let k = refs.iter().position(|r| *r == first).expect("referenced");
    refs[k] = Value::from(reference.replace("ID", &first));
    (first, doc)
}

on_both!(
    evidence_references_with_surrounding_spaces_import,
    |db: TestDb| async move {
        let (lead, actor, seed) = seed(&db).await;
        for (n, (id, reference)) in [("ID ", "ID "), ("ID", "  ID\t"), (" ID", "ID")]
            .into_iter()
            .enumerate()
        {
            let (_, doc) = respaced(&seed, id, reference);
            let text = serde_json::to_string(&doc).expect("JSON");
            let report = db
                .import_assessment(&lead, &text, Some(&format!("Spaced {n}")), &actor)
                .await
                .unwrap_or_else(|e| panic!("{id:?} / {reference:?}: {e:?}"));
            let copy = db
                .export_assessment(&lead, report.assessment_id, &actor)
                .await
                .expect("export the copy");
            let linked = copy.scopes[0]
                .outcomes
                .iter()
                .find(|o| o.id == "A1.a")
                .expect("A1.a")
                .evidence
                .len();
            assert_eq!(
                linked, 3,
                "{id:?} / {reference:?}: every reference is linked"
            );
        }
    }
);

on_both!(
    text_with_a_nul_character_is_refused_in_words,
    |db: TestDb| async move {
        let (lead, actor, seed) = seed(&db).await;
        let mut doc = seed.clone();
        doc["scopes"][0]["outcomes"][0]["narrative"] = Value::from("before \u{0} after");
        let text = serde_json::to_string(&doc).expect("JSON");
        let result = db
            .import_assessment(&lead, &text, Some("With a NUL"), &actor)
            .await;
        match result {
            Err(ImportError::Rejected(problems)) => {
                assert_eq!(problems.len(), 1, "{problems:?}");
                assert_eq!(problems[0].at, "scopes[0].outcomes[0].narrative");
                assert!(problems[0].message.contains("NUL"), "{problems:?}");
            }
            other => panic!("expected a refusal in words, got {other:?}"),
        }
        assert_eq!(
            import_once(&db, &lead, &actor, &text, Some("With a NUL")).await,
            Ok(false),
            "nothing written"
        );
    }
);

// ---- The framework importer --------------------------------------------------------------

/// The bundled CAF 4.0 file under the label `fuzz`, so an accepted import adds (or replaces)
/// that version and never the real ones.
fn framework_seed() -> Value {
    let mut doc: Value = serde_json::from_str(caf::CAF_4_0_JSON).expect("bundled JSON");
    doc["version"] = Value::from("fuzz");
    doc
}

/// Imports hostile framework files through `Db::import_framework_json`: no panic, a refusal is
/// `DataError::Invalid` with a message, and a refused file changes neither the stored
/// frameworks nor the audit log. Returns (cases run, imported).
fn framework_fuzz(db: &TestDb, cases: u32) -> (u32, u32) {
    let handle = tokio::runtime::Handle::current();
    let seed = framework_seed();
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let imported = std::cell::Cell::new(0u32);
    let stored = |db: &TestDb| {
        handle.block_on(async {
            let mut rows = db
                .raw_strings("SELECT version || ' ' || content_hash FROM frameworks")
                .await;
            rows.sort();
            let audit = db
                .raw_strings("SELECT CAST(COUNT(*) AS TEXT) FROM audit_log")
                .await;
            (rows, audit)
        })
    };
    let outcome = runner.run(&case(), |case| {
        let text = match &case {
            Case::Mutated(mutations, _) => {
                let mut doc = seed.clone();
                for m in mutations {
                    apply(&mut doc, m);
                }
                serde_json::to_string(&doc).expect("JSON")
            }
            Case::CutShort(i) => {
                let whole = serde_json::to_string(&seed).expect("JSON");
                let mut end = i.index(whole.len());
                while !whole.is_char_boundary(end) {
                    end -= 1;
                }
                whole[..end].to_owned()
            }
            Case::Noise(text) => text.clone(),
        };
        let before = stored(db);
        match handle.block_on(db.import_framework_json(&text, "fuzz")) {
            Ok(_) => {
                imported.set(imported.get() + 1);
                Ok(())
            }
            Err(DataError::Invalid(message)) if !message.trim().is_empty() => {
                let after = stored(db);
                if after == before {
                    Ok(())
                } else {
                    Err(TestCaseError::fail(format!(
                        "a refused framework wrote: {before:?} -> {after:?}"
                    )))
                }
            }
            Err(other) => Err(TestCaseError::fail(format!(
                "not a refusal a person can act on: {other:?}"
            ))),
        }
    });
    if let Err(failure) = outcome {
        panic!("{failure}");
    }
    (cases, imported.get())
}

async fn framework_property(db: TestDb, engine: &str, default: u32) {
    let cases = std::env::var("FRAMEWORK_FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(default);
    let (run, imported) = tokio::task::block_in_place(|| framework_fuzz(&db, cases));
    println!("framework import fuzz on {engine}: {run} cases passed, {imported} of them imported");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_framework_file_panics_or_half_writes_sqlite() {
    support::on_sqlite(|db| framework_property(db, "SQLite", 96)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_framework_file_panics_or_half_writes_postgres() {
    support::on_postgres(|db| framework_property(db, "PostgreSQL", 48)).await;
}
