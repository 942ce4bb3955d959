//! An import's problems name the field that is wrong, however deep: a value of the wrong type
//! inside an answer or an evidence item is reported at that field, not at the item holding it.

mod support;

use support::TestDb;
use support::world::*;

use app::data::ImportError;
use app::roles::Role;

async fn a_wrong_field_is_named_where_it_is(db: TestDb) {
    let w = world(&db).await;
    let started = start(&db, &w, "CAF 2026/27", &["Payroll"], false).await;
    let lead = w.lead(&db, HOME).await;
    let actor = w.actor(HOME, Role::CafLead);
    let outcome = outcome_ids(app::assess::ScopeKind::Organisation)[0].clone();
    let record = db
        .outcome_record(&lead, started.org, &outcome)
        .await
        .expect("record");
    db.save_outcome(
        &lead,
        started.org,
        &outcome,
        record.version,
        &draft(achieved_answers(&outcome), None, "Answered."),
        &actor,
    )
    .await
    .expect("save");
    let mut doc = serde_json::to_value(
        db.export_assessment(&lead, started.id, &actor)
            .await
            .expect("export"),
    )
    .expect("JSON");
    doc["scopes"][0]["outcomes"][0]["answers"][0]["indicator"] = 5.into();
    doc["assessment"]["period"] = serde_json::json!(["2026/27"]);
    match db
        .import_assessment(&lead, &doc.to_string(), Some("Wrong types"), &actor)
        .await
    {
        Err(ImportError::Rejected(problems)) => {
            let places: Vec<&str> = problems.iter().map(|p| p.at.as_str()).collect();
            assert!(
                places.contains(&"scopes[0].outcomes[0].answers[0].indicator"),
                "{problems:?}"
            );
            assert!(places.contains(&"assessment.period"), "{problems:?}");
            let answer = problems
                .iter()
                .find(|p| p.at.ends_with(".indicator"))
                .expect("the answer's problem");
            assert!(answer.message.contains("invalid type"), "{answer:?}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

on_both!(
    a_wrong_field_is_named_where_it_is,
    a_wrong_field_is_named_where_it_is
);
