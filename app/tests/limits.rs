//! Input over a documented limit is refused with a message naming the limit, and nothing is
//! stored, on SQLite and PostgreSQL: an action owner's name, the number of actions on one
//! outcome, the organisation scope's description, a link's address, and an imported file's
//! evidence list and action lists.

mod support;

use support::TestDb;
use support::world::*;

use app::assess::{MAX_ACTIONS_PER_OUTCOME, MAX_OWNER, MAX_SCOPE_DESCRIPTION, MAX_URL};
use app::data::{EvidenceBody, ImportError, MAX_IMPORT_EVIDENCE};
use app::roles::Role;

const OUTCOME: &str = "A1.a";

async fn texts_and_lists_over_their_limits_are_refused(db: TestDb) {
    let w = world(&db).await;
    let started = start(&db, &w, "CAF 2026/27", &["Payroll"], false).await;
    let lead = w.lead(&db, HOME).await;
    let actor = w.actor(HOME, Role::CafLead);

    // An action's owner.
    let owner = "O".repeat(MAX_OWNER + 1);
    let message = invalid(
        db.propose_action(&lead, started.org, OUTCOME, "Patch", &owner, None, &actor)
            .await,
        "a long owner",
    );
    assert!(message.contains("at most 200 characters"), "{message}");
    assert_eq!(count(&db, "plan_actions").await, 0);

    // Actions on one outcome.
    for n in 0..MAX_ACTIONS_PER_OUTCOME {
        db.propose_action(
            &lead,
            started.org,
            OUTCOME,
            &format!("Action {n}"),
            "ICT",
            None,
            &actor,
        )
        .await
        .expect("within the limit");
    }
    let message = invalid(
        db.propose_action(&lead, started.org, OUTCOME, "One more", "ICT", None, &actor)
            .await,
        "one action too many",
    );
    assert!(
        message.contains(&MAX_ACTIONS_PER_OUTCOME.to_string()),
        "{message}"
    );
    assert_eq!(
        count(&db, "plan_actions").await,
        MAX_ACTIONS_PER_OUTCOME as i64
    );

    // The organisation scope's description.
    let mut input = new_assessment("CAF 2027/28", &["Payroll"]);
    input.organisation_description = "D".repeat(MAX_SCOPE_DESCRIPTION + 1);
    let before = count(&db, "assessments").await;
    let message = invalid(
        db.create_assessment(&lead, &input, &actor).await,
        "a long description",
    );
    assert!(message.contains("at most 1000 characters"), "{message}");
    assert_eq!(count(&db, "assessments").await, before);

    // A link's address, even a well-formed one.
    let url = format!("https://intranet.example/{}", "a".repeat(MAX_URL));
    let message = invalid(
        db.create_evidence(
            &lead,
            &fields("Policy", None),
            &EvidenceBody::Link(url),
            &actor,
        )
        .await,
        "a long address",
    );
    assert!(message.contains("at most 2000 characters"), "{message}");
    assert_eq!(count(&db, "evidence").await, 0);
}

async fn an_import_over_its_list_limits_is_refused(db: TestDb) {
    let w = world(&db).await;
    let started = start(&db, &w, "CAF 2026/27", &["Payroll"], false).await;
    let lead = w.lead(&db, HOME).await;
    let actor = w.actor(HOME, Role::CafLead);
    let export = serde_json::to_value(
        db.export_assessment(&lead, started.id, &actor)
            .await
            .expect("export"),
    )
    .expect("JSON");
    let before = count(&db, "assessments").await;

    // Too many evidence items.
    let mut doc = export.clone();
    let item = serde_json::json!({
        "id": "E", "kind": "note", "title": "Note", "owner": "ICT", "classification": "official",
        "note": "Minuted."
    });
    doc["evidence"] = serde_json::Value::Array(
        (0..=MAX_IMPORT_EVIDENCE)
            .map(|n| {
                let mut item = item.clone();
                item["id"] = format!("E{n}").into();
                item
            })
            .collect(),
    );
    match db
        .import_assessment(&lead, &doc.to_string(), Some("Too much evidence"), &actor)
        .await
    {
        Err(ImportError::Rejected(problems)) => {
            assert!(
                problems
                    .iter()
                    .any(|p| p.at == "evidence" && p.message.contains("at most 5000")),
                "{problems:?}"
            );
        }
        other => panic!("expected a refusal, got {other:?}"),
    }

    // Too many actions on one outcome.
    let mut doc = export.clone();
    let action = serde_json::json!({
        "description": "Patch", "owner": "ICT", "status": "open", "notes": "", "due": ""
    });
    doc["scopes"][0]["outcomes"][0]["actions"] =
        serde_json::Value::Array(vec![action; MAX_ACTIONS_PER_OUTCOME + 1]);
    match db
        .import_assessment(&lead, &doc.to_string(), Some("Too many actions"), &actor)
        .await
    {
        Err(ImportError::Rejected(problems)) => {
            assert!(
                problems
                    .iter()
                    .any(|p| p.at == "scopes[0].outcomes[0].actions"
                        && p.message.contains("at most 50 actions")),
                "{problems:?}"
            );
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(count(&db, "assessments").await, before);
}

on_both!(
    texts_and_lists_over_their_limits_are_refused,
    texts_and_lists_over_their_limits_are_refused
);
on_both!(
    an_import_over_its_list_limits_is_refused,
    an_import_over_its_list_limits_is_refused
);
