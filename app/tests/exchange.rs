//! Export and import of assessments, and the CSV of statuses, on SQLite and PostgreSQL.

mod support;

use support::TestDb;

use app::assess::{AnswerInput, EvidenceFields, OutcomeDraft, SaveResult, ScopeState};
use app::data::{
    Actor, AssessmentExport, CSV_HEADER, DataError, Db, Engine, EvidenceBody, ImportError,
    NewAssessment, OrgScope, OrganisationKind, StoredFile,
};
use app::roles::{Permission, Role};
use serde_json::Value;
use std::collections::BTreeMap;

struct World {
    lead: OrgScope,
    lead_actor: Actor,
    other_lead: OrgScope,
    other_actor: Actor,
    assessment: i64,
}

fn actor(user_id: i64, email: &str) -> Actor {
    Actor {
        user_id,
        email: email.to_owned(),
        address: None,
    }
}

const FILE_SHA: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

/// Hackney with a filled-in assessment (answers, statuses, narrative, assignee, evidence of
/// every kind, a comment and plan actions); Amey with a CAF lead of its own.
async fn world(db: &Db) -> World {
    db.register_bundled().await.expect("frameworks");
    let hackney = db
        .create_organisation(
            "hackney",
            "London Borough of Hackney",
            OrganisationKind::Council,
            "test",
        )
        .await
        .expect("org");
    let amey = db
        .create_organisation("amey", "Amey (partner)", OrganisationKind::Partner, "test")
        .await
        .expect("org");
    let lead_id = db
        .create_user("lead@hackney.gov.uk", "Lee Lead", "test")
        .await
        .expect("user");
    let assessor = db
        .create_user("ann@hackney.gov.uk", "Ann Assessor", "test")
        .await
        .expect("user");
    let other = db
        .create_user("lead@amey.example", "Amy Lead", "test")
        .await
        .expect("user");
    db.set_membership(lead_id, hackney.id, Role::CafLead, None, "test")
        .await
        .expect("member");
    db.set_membership(assessor, hackney.id, Role::Assessor, None, "test")
        .await
        .expect("member");
    db.set_membership(other, amey.id, Role::CafLead, None, "test")
        .await
        .expect("member");
    let lead = db
        .authorize(lead_id, "hackney", Permission::LeadAssessment, None)
        .await
        .expect("lead");
    let other_lead = db
        .authorize(other, "amey", Permission::LeadAssessment, None)
        .await
        .expect("lead");
    let lead_actor = actor(lead_id, "lead@hackney.gov.uk");
    let profile = db.profiles_for("4.0").await.expect("profiles")[0]
        .profile
        .id
        .clone();
    let assessment = db
        .create_assessment(
            &lead,
            &NewAssessment {
                title: "CAF 2026/27".into(),
                period: "2026/27".into(),
                framework_version: "4.0".into(),
                profile,
                own_profile: false,
                organisation_description: "The council as a whole".into(),
                systems: vec![
                    ("Payroll, \"HR\"".into(), "Pays people".into()),
                    ("=SUM(A1)".into(), "A formula-looking name".into()),
                ],
            },
            &lead_actor,
        )
        .await
        .expect("assessment");
    let summary = db
        .assessment_summary(&lead, assessment)
        .await
        .expect("read");
    let org_scope = summary.scopes[0].id;
    let system = summary.scopes[1].id;
    let framework = caf::bundled_framework("4.0").expect("4.0");

    // A1.a: every achieved statement true, confirmed as suggested, with a narrative.
    let a1a = framework.outcome("A1.a").expect("A1.a");
    let answers: Vec<AnswerInput> = a1a
        .indicators
        .achieved
        .iter()
        .map(|i| AnswerInput {
            indicator: i.id.clone(),
            answer: "true".into(),
            justification: String::new(),
        })
        .collect();
    let suggested = caf::suggest_status(a1a, &app::assess::caf_answers(&answers)).status;
    save(
        db,
        &lead,
        org_scope,
        "A1.a",
        OutcomeDraft {
            answers,
            confirmed: Some(suggested.key().into()),
            justification: String::new(),
            narrative: "Board owns =risk, see minutes.".into(),
        },
        &lead_actor,
    )
    .await;
    // B1.a on a system: one statement not applicable, confirmed differently with a reason.
    let b1a = framework.outcome("B1.a").expect("B1.a");
    let first = b1a
        .indicators
        .iter()
        .next()
        .expect("statement")
        .1
        .id
        .clone();
    let answers = vec![AnswerInput {
        indicator: first,
        answer: "not_applicable".into(),
        justification: "Handled by the supplier's contract".into(),
    }];
    let suggested = caf::suggest_status(b1a, &app::assess::caf_answers(&answers)).status;
    let confirmed = caf::Status::ALL
        .into_iter()
        .find(|s| *s != suggested)
        .expect("another status");
    save(
        db,
        &lead,
        system,
        "B1.a",
        OutcomeDraft {
            answers,
            confirmed: Some(confirmed.key().into()),
            justification: "The supplier's audit shows more.".into(),
            narrative: "Supplier managed.".into(),
        },
        &lead_actor,
    )
    .await;
    db.assign_outcome(
        &lead,
        org_scope,
        "A1.a",
        Some(assessor),
        Some("2027-01-31"),
        &lead_actor,
    )
    .await
    .expect("assign");
    let fields = |title: &str| EvidenceFields {
        title: title.into(),
        owner: "ICT".into(),
        describes_date: Some("2026-10-01".into()),
        review_by: Some("2027-10-01".into()),
        classification: "official".into(),
    };
    let link = db
        .create_evidence(
            &lead,
            &fields("Risk policy"),
            &EvidenceBody::Link("https://sharepoint.example/risk".into()),
            &lead_actor,
        )
        .await
        .expect("link");
    let note = db
        .create_evidence(
            &lead,
            &fields("Walkthrough"),
            &EvidenceBody::Note("We walked the data centre.".into()),
            &lead_actor,
        )
        .await
        .expect("note");
    let file = db
        .create_evidence(
            &lead,
            &fields("Board minutes"),
            &EvidenceBody::File(StoredFile {
                sha256: FILE_SHA.into(),
                name: "minutes.pdf".into(),
                size: 1234,
                media_type: "application/pdf".into(),
            }),
            &lead_actor,
        )
        .await
        .expect("file");
    for (evidence, scope, outcome) in [
        (link, org_scope, "A1.a"),
        (file, org_scope, "A1.a"),
        (note, system, "B1.a"),
        (link, system, "B1.a"),
    ] {
        db.link_evidence(&lead, evidence, scope, outcome, true, &lead_actor)
            .await
            .expect("link evidence");
    }
    db.add_comment(&lead, org_scope, "A1.a", "Check the minutes.", &lead_actor)
        .await
        .expect("comment");
    let action = db
        .propose_action(
            &lead,
            system,
            "B1.a",
            "Write the supplier clause",
            "Procurement",
            Some("2027-03-31"),
            &lead_actor,
        )
        .await
        .expect("action");
    db.update_action(
        &lead,
        action,
        app::assess::ActionStatus::InProgress,
        "Drafted",
        &lead_actor,
    )
    .await
    .expect("update");
    World {
        lead,
        lead_actor,
        other_lead,
        other_actor: actor(other, "lead@amey.example"),
        assessment,
    }
}

async fn save(
    db: &Db,
    org: &OrgScope,
    scope: i64,
    outcome: &str,
    draft: OutcomeDraft,
    actor: &Actor,
) {
    let saved = db
        .save_outcome(org, scope, outcome, 0, &draft, actor)
        .await
        .expect("save");
    assert!(matches!(saved, SaveResult::Saved { .. }), "{saved:?}");
}

async fn export_value(db: &Db, w: &World) -> Value {
    let document = db
        .export_assessment(&w.lead, w.assessment, &w.lead_actor)
        .await
        .expect("export");
    serde_json::to_value(&document).expect("JSON")
}

/// Row counts of every table an import writes to.
async fn counts(db: &TestDb) -> BTreeMap<&'static str, String> {
    let mut out = BTreeMap::new();
    for table in [
        "assessments",
        "assessment_targets",
        "scopes",
        "scope_outcomes",
        "answers",
        "evidence",
        "evidence_links",
        "comments",
        "plan_actions",
    ] {
        let n = db
            .raw_strings(&format!("SELECT CAST(COUNT(*) AS TEXT) FROM {table}"))
            .await;
        out.insert(table, n[0].clone());
    }
    out
}

/// An outcome's content with evidence resolved to what it is, for comparing two exports.
fn comparable(document: &AssessmentExport) -> Value {
    let evidence: BTreeMap<&str, Value> = document
        .evidence
        .iter()
        .map(|e| {
            (
                e.id.as_str(),
                serde_json::json!([e.kind, e.fields, e.url, e.note, e.sha256]),
            )
        })
        .collect();
    let scopes: Vec<Value> = document
        .scopes
        .iter()
        .map(|s| {
            let outcomes: Vec<Value> = s
                .outcomes
                .iter()
                .map(|o| {
                    let mut refs: Vec<String> = o
                        .evidence
                        .iter()
                        .map(|r| evidence[r.as_str()].to_string())
                        .collect();
                    refs.sort();
                    let actions: Vec<Value> = o
                        .actions
                        .iter()
                        .map(|a| serde_json::json!([a.description, a.owner, a.due, a.status, a.notes]))
                        .collect();
                    serde_json::json!({
                        "id": o.id, "answers": o.answers, "suggested": o.suggested,
                        "confirmed": o.confirmed, "justification": o.justification,
                        "narrative": o.narrative, "assignee": o.assignee, "due": o.due,
                        "evidence": refs, "actions": actions,
                    })
                })
                .collect();
            serde_json::json!({ "kind": s.kind, "name": s.name, "description": s.description, "outcomes": outcomes })
        })
        .collect();
    serde_json::json!({
        "period": document.assessment.period,
        "framework": document.assessment.framework_version,
        "hash": document.assessment.framework_hash,
        "profile": document.assessment.profile,
        "own_profile": document.assessment.own_profile,
        "targets": document.assessment.targets,
        "scopes": scopes,
    })
}

fn rejected(result: Result<app::data::ImportReport, ImportError>) -> Vec<String> {
    match result {
        Err(ImportError::Rejected(problems)) => problems.iter().map(|p| p.to_string()).collect(),
        other => panic!("expected the import to be rejected, got {other:?}"),
    }
}

on_both!(
    an_export_imports_back_as_the_same_assessment,
    |db: TestDb| async move {
        let w = world(&db).await;
        let original = db
            .export_assessment(&w.lead, w.assessment, &w.lead_actor)
            .await
            .expect("export");
        assert_eq!(original.evidence.len(), 3);
        assert_eq!(original.scopes.len(), 3);
        let text = serde_json::to_string_pretty(&original).expect("JSON");
        let report = db
            .import_assessment(&w.lead, &text, Some("CAF 2026/27 (copy)"), &w.lead_actor)
            .await
            .expect("import");
        assert!(
            report.notes.iter().any(|n| n.contains("1 comment(s)")),
            "{:?}",
            report.notes
        );
        let copy = db
            .export_assessment(&w.lead, report.assessment_id, &w.lead_actor)
            .await
            .expect("export the copy");
        assert_eq!(copy.assessment.title, "CAF 2026/27 (copy)");
        assert_eq!(comparable(&copy), comparable(&original));
        assert!(copy.scopes.iter().all(|s| s.state == ScopeState::Draft));
        assert!(
            copy.scopes
                .iter()
                .flat_map(|s| &s.outcomes)
                .all(|o| o.comments.is_empty()),
            "comments are not re-created"
        );
        // The file, the link and the note are the register's own items: nothing was copied.
        let file_refs = db
            .raw_strings(&format!(
                "SELECT CAST(COUNT(*) AS TEXT) FROM evidence WHERE file_sha256 = '{FILE_SHA}'"
            ))
            .await;
        assert_eq!(file_refs, ["1"]);
        assert_eq!(
            db.raw_strings("SELECT CAST(COUNT(*) AS TEXT) FROM evidence")
                .await,
            ["3"],
            "identical links and notes are re-used, not copied"
        );
        // A link whose title differs is a different item: changing one in the document adds one.
        let mut changed = original.clone();
        let link = changed
            .evidence
            .iter_mut()
            .find(|e| e.kind == app::assess::EvidenceKind::Link)
            .expect("a link");
        link.fields.title = format!("{} (2027 version)", link.fields.title);
        let text = serde_json::to_string(&changed).expect("JSON");
        db.import_assessment(
            &w.lead,
            &text,
            Some("CAF 2026/27 (second copy)"),
            &w.lead_actor,
        )
        .await
        .expect("import again");
        assert_eq!(
            db.raw_strings("SELECT CAST(COUNT(*) AS TEXT) FROM evidence")
                .await,
            ["4"]
        );
        let summary = db
            .assessment_summary(&w.lead, report.assessment_id)
            .await
            .expect("summary");
        let record = db
            .outcome_record(&w.lead, summary.scopes[0].id, "A1.a")
            .await
            .expect("record");
        assert_eq!(record.version, 1);
        assert_eq!(record.draft.narrative, "Board owns =risk, see minutes.");
        let imports = support::audit_actions(&db, "assessment.import").await;
        assert_eq!(imports.len(), 2, "the copy, then the second copy");
        assert_eq!(
            imports[1].event.object,
            format!("assessment:{}", report.assessment_id)
        );
        assert_eq!(
            support::audit_actions(&db, "assessment.export").await.len(),
            2
        );
    }
);

on_both!(
    an_import_with_many_errors_reports_them_all_and_stores_nothing,
    |db: TestDb| async move {
        let w = world(&db).await;
        let mut doc = export_value(&db, &w).await;
        // Scope 0 is the organisation, whose outcome 0 is A1.a with its answers.
        doc["scopes"][0]["outcomes"][0]["answers"][0]["indicator"] = "A1.a.ZZ9".into();
        doc["scopes"][0]["outcomes"][0]["answers"][1]["answer"] = "maybe".into();
        doc["scopes"][0]["outcomes"][0]["due"] = "31/01/2027".into();
        doc["scopes"][0]["outcomes"][1]["id"] = "B1.a".into();
        doc["scopes"][1]["outcomes"][0]["evidence"] = serde_json::json!(["e99"]);
        doc["scopes"][1]["outcomes"][0]["actions"] = serde_json::json!([{ "description": "", "owner": "x", "due": "soon", "status": "open", "notes": "", "proposed_by": "" }]);
        doc["evidence"][0]["fields"]["classification"] = "secret".into();
        doc["scopes"][2]["state"] = "finished".into();
        let before = counts(&db).await;
        let problems = rejected(
            db.import_assessment(&w.lead, &doc.to_string(), None, &w.lead_actor)
                .await,
        );
        let text = problems.join("\n");
        for expected in [
            "assessment.title: there is already an assessment called",
            "scopes[0].outcomes[0].answers[0]: A1.a.ZZ9 is not a statement of A1.a",
            "scopes[0].outcomes[0].answers[1]:",
            "scopes[0].outcomes[0].due:",
            "scopes[0].outcomes[1].id: B1.a is not an outcome of the organisation scope",
            "scopes[2].state: unknown variant `finished`",
            "scopes[1].outcomes[0].evidence[0]: refers to evidence \"e99\"",
            "scopes[1].outcomes[0].actions[0].description:",
            "scopes[1].outcomes[0].actions[0].due:",
            "evidence[0]: Choose OFFICIAL or OFFICIAL-SENSITIVE",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
        }
        assert!(problems.len() >= 9, "{text}");
        assert_eq!(counts(&db).await, before, "nothing stored");
        assert!(
            support::audit_actions(&db, "assessment.import")
                .await
                .is_empty()
        );
    }
);

on_both!(
    duplicate_names_and_unknown_references_are_reported,
    |db: TestDb| async move {
        let w = world(&db).await;
        let mut doc = export_value(&db, &w).await;
        doc["scopes"][2]["name"] = doc["scopes"][1]["name"].clone();
        doc["scopes"][1]["outcomes"][0]["evidence"] = serde_json::json!(["e99"]);
        let problems = rejected(
            db.import_assessment(&w.lead, &doc.to_string(), Some("Another"), &w.lead_actor)
                .await,
        )
        .join("\n");
        assert!(problems.contains("scopes[2].name: the scope"), "{problems}");
        assert!(
            problems.contains("scopes[1].outcomes[0].evidence[0]: refers to evidence \"e99\""),
            "{problems}"
        );
    }
);

on_both!(
    an_unknown_framework_version_is_refused,
    |db: TestDb| async move {
        let w = world(&db).await;
        let mut doc = export_value(&db, &w).await;
        doc["assessment"]["framework_version"] = "9.9".into();
        let before = counts(&db).await;
        let problems = rejected(
            db.import_assessment(
                &w.lead,
                &doc.to_string(),
                Some("From the future"),
                &w.lead_actor,
            )
            .await,
        );
        assert!(
            problems
                .iter()
                .any(|p| p.starts_with("assessment.framework_version: CAF \"9.9\" is not stored")),
            "{problems:?}"
        );
        assert_eq!(counts(&db).await, before);
        let mut doc = export_value(&db, &w).await;
        doc["assessment"]["framework_hash"] = "0".repeat(64).into();
        let problems = rejected(
            db.import_assessment(&w.lead, &doc.to_string(), Some("Other text"), &w.lead_actor)
                .await,
        );
        assert!(
            problems[0].starts_with("assessment.framework_hash:"),
            "{problems:?}"
        );
        for (text, at) in [
            ("not json", "$: this is not a JSON document"),
            (
                "{\"format\": 2}",
                "format: this app reads assessment exports of format 1",
            ),
        ] {
            let problems = rejected(
                db.import_assessment(&w.lead, text, None, &w.lead_actor)
                    .await,
            );
            assert!(problems[0].starts_with(at), "{problems:?}");
        }
    }
);

on_both!(
    another_organisation_needs_the_file_and_gets_no_assignee,
    |db: TestDb| async move {
        let w = world(&db).await;
        let text = export_value(&db, &w).await.to_string();
        let before = counts(&db).await;
        let problems = rejected(
            db.import_assessment(&w.other_lead, &text, None, &w.other_actor)
                .await,
        );
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].contains("sha256: this organisation's evidence register has no file")
                && problems[0].contains("minutes.pdf"),
            "{problems:?}"
        );
        assert_eq!(counts(&db).await, before);
        // Once Amey holds the same file, the import goes through; the assignee is not Amey's.
        db.create_evidence(
            &w.other_lead,
            &EvidenceFields {
                title: "Minutes".into(),
                owner: "Amey".into(),
                describes_date: None,
                review_by: None,
                classification: "official".into(),
            },
            &EvidenceBody::File(StoredFile {
                sha256: FILE_SHA.into(),
                name: "m.pdf".into(),
                size: 1234,
                media_type: "application/pdf".into(),
            }),
            &w.other_actor,
        )
        .await
        .expect("upload");
        let report = db
            .import_assessment(&w.other_lead, &text, None, &w.other_actor)
            .await
            .expect("import");
        let notes = report.notes.join("\n");
        assert!(
            notes.contains("ann@hackney.gov.uk is not a member here"),
            "{notes}"
        );
        assert!(
            notes.contains("is named \"Amey (partner)\" here"),
            "{notes}"
        );
        let copy = db
            .export_assessment(&w.other_lead, report.assessment_id, &w.other_actor)
            .await
            .expect("export");
        assert_eq!(copy.source_organisation, "amey");
        assert!(
            copy.scopes
                .iter()
                .flat_map(|s| &s.outcomes)
                .all(|o| o.assignee.is_none())
        );
        // Hackney cannot read Amey's copy.
        assert!(matches!(
            db.export_assessment(&w.lead, report.assessment_id, &w.lead_actor)
                .await,
            Err(DataError::NotFound(_))
        ));
    }
);

on_both!(
    a_failure_part_way_through_stores_nothing,
    |db: TestDb| async move {
        let w = world(&db).await;
        let text = export_value(&db, &w).await.to_string();
        match db.engine() {
            Engine::Sqlite => db
                .raw_execute(
                    "CREATE TRIGGER fail_actions BEFORE INSERT ON plan_actions \
                     BEGIN SELECT RAISE(ABORT, 'injected failure'); END",
                )
                .await
                .expect("trigger"),
            Engine::Postgres => {
                db.raw_execute(
                    "CREATE FUNCTION fail_actions() RETURNS trigger AS $$ \
                     BEGIN RAISE EXCEPTION 'injected failure'; END $$ LANGUAGE plpgsql",
                )
                .await
                .expect("function");
                db.raw_execute(
                    "CREATE TRIGGER fail_actions BEFORE INSERT ON plan_actions \
                     FOR EACH ROW EXECUTE FUNCTION fail_actions()",
                )
                .await
                .expect("trigger");
            }
        }
        let before = counts(&db).await;
        let result = db
            .import_assessment(&w.lead, &text, Some("Half way"), &w.lead_actor)
            .await;
        assert!(matches!(result, Err(ImportError::Data(_))), "{result:?}");
        assert_eq!(counts(&db).await, before, "the transaction rolled back");
    }
);

on_both!(
    only_a_caf_lead_imports_and_readers_export,
    |db: TestDb| async move {
        let w = world(&db).await;
        let reader = db
            .authorize(
                w.lead_actor.user_id,
                "hackney",
                Permission::ReadAssessments,
                None,
            )
            .await
            .expect("scope");
        let assessor_id = db
            .raw_strings("SELECT CAST(id AS TEXT) FROM users WHERE email = 'ann@hackney.gov.uk'")
            .await[0]
            .parse::<i64>()
            .expect("id");
        let assessor = db
            .authorize(assessor_id, "hackney", Permission::ReadAssessments, None)
            .await
            .expect("assessor");
        let text = serde_json::to_string(
            &db.export_assessment(
                &assessor,
                w.assessment,
                &actor(assessor_id, "ann@hackney.gov.uk"),
            )
            .await
            .expect("an assessor may export"),
        )
        .expect("JSON");
        let refused = db
            .import_assessment(
                &assessor,
                &text,
                Some("Mine"),
                &actor(assessor_id, "ann@hackney.gov.uk"),
            )
            .await;
        assert!(matches!(
            refused,
            Err(ImportError::Data(DataError::NotFound(_)))
        ));
        assert_eq!(reader.role(), Role::CafLead);
    }
);

/// Splits RFC 4180 text into rows of cells.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let (mut rows, mut row, mut cell) = (Vec::new(), Vec::new(), String::new());
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => cell.push(c),
            (false, '"') if cell.is_empty() => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut cell)),
            (false, '\r') => {
                assert_eq!(chars.next(), Some('\n'), "CRLF line ends");
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => cell.push(c),
        }
    }
    assert!(
        row.is_empty() && cell.is_empty(),
        "the last line ends with CRLF"
    );
    rows
}

on_both!(
    the_csv_has_one_row_per_scope_and_outcome,
    |db: TestDb| async move {
        let w = world(&db).await;
        let csv = db
            .assessment_csv(&w.lead, w.assessment, &w.lead_actor)
            .await
            .expect("csv");
        let rows = parse_csv(&csv);
        assert_eq!(rows[0], CSV_HEADER.map(str::to_owned));
        let framework = caf::bundled_framework("4.0").expect("4.0");
        let org = app::assess::ScopeKind::Organisation.objectives();
        let org_outcomes = framework
            .objectives
            .iter()
            .filter(|o| org.contains(&o.id.as_str()))
            .flat_map(|o| o.principles.iter().flat_map(|p| &p.outcomes))
            .count();
        let all = framework.counts().outcomes;
        assert_eq!(rows.len(), 1 + org_outcomes + 2 * (all - org_outcomes));
        assert!(rows.iter().all(|r| r.len() == CSV_HEADER.len()));
        let a1a = rows.iter().find(|r| r[7] == "A1.a").expect("A1.a");
        assert_eq!(a1a[3], "London Borough of Hackney");
        assert_eq!((a1a[5].as_str(), a1a[6].as_str()), ("A", "A1"));
        assert_eq!(a1a[12], "no");
        assert_eq!(a1a[16], "Ann Assessor");
        assert_eq!(a1a[17], "2027-01-31");
        let b1a: Vec<&Vec<String>> = rows.iter().filter(|r| r[7] == "B1.a").collect();
        assert_eq!(b1a[0][3], "Payroll, \"HR\"", "quoted cells read back whole");
        assert_eq!(b1a[0][12], "yes");
        assert_eq!(b1a[0][13], "1");
        assert_eq!(b1a[1][3], "'=SUM(A1)", "a formula is neutralised");
        let untouched = rows
            .iter()
            .skip(1)
            .find(|r| r[13] == "0" && r[11].is_empty() && !r[9].is_empty())
            .map(|r| r[15].clone());
        assert_eq!(
            untouched.as_deref(),
            Some(""),
            "an unassessed outcome is not judged"
        );
        assert!(csv.contains("\"Payroll, \"\"HR\"\"\""));
        assert!(
            rows.iter()
                .skip(1)
                .flatten()
                .all(|c| !c.starts_with(['=', '+', '-', '@', '\t', '\r']))
        );
        let exports = support::audit_actions(&db, "assessment.export").await;
        assert_eq!(exports[0].event.detail["format"], "csv");
    }
);

// ---- The documented schema ---------------------------------------------------------------

fn schema() -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../docs/assessment-export.schema.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("schema file")).expect("schema JSON")
}

/// What the `jsonschema` crate (draft 2020-12, formats and patterns included) finds wrong with
/// `value` against the documented export schema: one line per problem, empty when it conforms.
fn schema_problems(value: &Value) -> Vec<String> {
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema())
        .expect("the export schema is a valid JSON Schema");
    validator
        .iter_errors(value)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

on_both!(
    the_export_matches_the_documented_schema,
    |db: TestDb| async move {
        let w = world(&db).await;
        let export = export_value(&db, &w).await;
        let schema = schema();
        assert_eq!(
            schema["$schema"],
            "https://json-schema.org/draft/2020-12/schema"
        );
        let required: Vec<&str> = schema["required"]
            .as_array()
            .expect("required")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        let mut emitted: Vec<&str> = export
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        emitted.sort_unstable();
        let mut expected = required.clone();
        expected.sort_unstable();
        assert_eq!(emitted, expected, "top-level keys");
        let problems = schema_problems(&export);
        assert!(problems.is_empty(), "{problems:#?}");
        // And the validator does catch a wrong document: a state outside the enum, a property
        // the schema does not have, and a hash that is not 64 hex digits (a `pattern`, which
        // the hand-written checker this replaced ignored).
        let mut wrong = export.clone();
        wrong["scopes"][0]["state"] = "finished".into();
        wrong["evidence"][0]["extra"] = true.into();
        wrong["assessment"]["framework_hash"] = "ABC123".into();
        let problems = schema_problems(&wrong);
        assert_eq!(problems.len(), 3, "{problems:#?}");
        assert!(
            problems.iter().any(|p| p.contains("framework_hash")),
            "{problems:#?}"
        );
    }
);

// ---- Sign-off in the exports ----------------------------------------------------------------

/// Confirms every outcome of the organisation scope and walks it to sign-off by an approver
/// named "Sam Approver"; returns the scope id.
async fn sign_off_organisation_scope(db: &Db, w: &World) -> i64 {
    let summary = db
        .assessment_summary(&w.lead, w.assessment)
        .await
        .expect("read");
    let scope = summary.scopes[0].id;
    let framework = caf::bundled_framework("4.0").expect("4.0");
    let objectives = app::assess::ScopeKind::Organisation.objectives();
    for outcome in framework
        .objectives
        .iter()
        .filter(|o| objectives.contains(&o.id.as_str()))
        .flat_map(|o| o.principles.iter().flat_map(|p| &p.outcomes))
    {
        let record = db
            .outcome_record(&w.lead, scope, &outcome.id)
            .await
            .expect("record");
        if record.draft.confirmed.is_none() {
            let mut draft = record.draft.clone();
            draft.confirmed = Some(record.suggested.key().to_owned());
            let saved = db
                .save_outcome(
                    &w.lead,
                    scope,
                    &outcome.id,
                    record.version,
                    &draft,
                    &w.lead_actor,
                )
                .await
                .expect("confirm");
            assert!(matches!(saved, SaveResult::Saved { .. }), "{saved:?}");
        }
    }
    let organisation = db
        .organisation_by_slug("hackney")
        .await
        .expect("read")
        .expect("hackney");
    for (action, role, name) in [
        (
            app::assess::WorkflowAction::Submit,
            Role::Assessor,
            "Ada Submitter",
        ),
        (
            app::assess::WorkflowAction::Accept,
            Role::Reviewer,
            "Rita Reviewer",
        ),
        (
            app::assess::WorkflowAction::Assure,
            Role::ExternalAssurer,
            "Asa Assurer",
        ),
        (
            app::assess::WorkflowAction::SignOff,
            Role::Approver,
            "Sam Approver",
        ),
    ] {
        let email = format!("{}@hackney.gov.uk", role.key());
        let user = db.create_user(&email, name, "test").await.expect("user");
        let until = (role == Role::ExternalAssurer).then_some("2099-12-31");
        db.set_membership(user, organisation.id, role, until, "test")
            .await
            .expect("member");
        let org = db
            .authorize(user, "hackney", action.permission(), None)
            .await
            .expect("granted");
        db.workflow_step(&org, scope, action, None, &actor(user, &email))
            .await
            .unwrap_or_else(|e| panic!("{action:?}: {e:?}"));
    }
    scope
}

on_both!(
    a_signed_off_scope_carries_approver_time_and_hash_in_both_exports,
    |db: TestDb| async move {
        let w = world(&db).await;
        let before = export_value(&db, &w).await;
        assert!(before["scopes"][0]["sign_off"].is_null(), "no sign-off yet");
        let scope = sign_off_organisation_scope(&db, &w).await;
        let found = db
            .raw_strings(&format!(
                "SELECT sha256 || ' ' || signed_at FROM snapshots WHERE scope_id = {scope}"
            ))
            .await;
        let (sha256, signed_at) = found[0].split_once(' ').expect("hash and time");
        let (sha256, signed_at) = (sha256.to_owned(), signed_at.to_owned());
        assert_eq!(sha256.len(), 64);

        let export = export_value(&db, &w).await;
        assert_eq!(export["scopes"][0]["state"], "signed_off");
        assert_eq!(
            export["scopes"][0]["sign_off"],
            serde_json::json!({ "sha256": sha256, "approver": "Sam Approver", "signed_at": signed_at })
        );
        assert!(
            export["scopes"][1]["sign_off"].is_null(),
            "systems are not signed off"
        );
        let problems = schema_problems(&export);
        assert!(problems.is_empty(), "{problems:#?}");

        let csv = db
            .assessment_csv(&w.lead, w.assessment, &w.lead_actor)
            .await
            .expect("csv");
        let rows = parse_csv(&csv);
        let column = |name: &str| {
            CSV_HEADER
                .iter()
                .position(|h| *h == name)
                .unwrap_or_else(|| panic!("no column {name}"))
        };
        let (by, at, hash) = (
            column("signed off by"),
            column("signed off at"),
            column("snapshot sha256"),
        );
        let org_rows: Vec<_> = rows
            .iter()
            .skip(1)
            .filter(|r| r[3] == "London Borough of Hackney")
            .collect();
        assert!(!org_rows.is_empty());
        for row in org_rows {
            assert_eq!(
                (row[by].as_str(), row[at].as_str(), row[hash].as_str()),
                ("Sam Approver", signed_at.as_str(), sha256.as_str())
            );
        }
        assert!(
            rows.iter()
                .skip(1)
                .filter(|r| r[3] != "London Borough of Hackney")
                .all(|r| r[by].is_empty() && r[at].is_empty() && r[hash].is_empty())
        );

        // The file still imports: the sign-off is not read, and the copy starts as a draft.
        let document: AssessmentExport =
            serde_json::from_value(export).expect("the export reads back");
        assert!(document.scopes[0].sign_off.is_some());
    }
);
