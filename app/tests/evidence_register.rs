//! The evidence register on SQLite and PostgreSQL: items, links to outcomes, staleness, files,
//! and who may see and change it.

mod support;

use support::TestDb;
use support::world::*;

use app::assess::{EvidenceFields, EvidenceKind};
use app::data::{DataError, EvidenceBody, StoredFile};
use app::roles::{Permission, Role};

on_both!(
    stale_evidence_is_marked_and_counted_on_the_dashboard,
    |db: TestDb| async move {
        let w = world(&db).await;
        let started = start(&db, &w, "Evidence", &["Payroll"], false).await;
        let (org_scope, system) = (started.org, started.systems[0]);
        let org = w
            .grant(&db, HOME, Role::Assessor, Permission::EditAnswers)
            .await
            .expect("assessor");
        let a = w.actor(HOME, Role::Assessor);
        let stale = db
            .create_evidence(
                &org,
                &fields("Backup test report", Some("2000-01-01")),
                &EvidenceBody::Link("https://sharepoint.example/backup".into()),
                &a,
            )
            .await
            .expect("stale");
        let fresh = db
            .create_evidence(
                &org,
                &fields("Access policy", Some("2999-01-01")),
                &EvidenceBody::Note("Approved by the board in October.".into()),
                &a,
            )
            .await
            .expect("fresh");
        let undated = db
            .create_evidence(
                &org,
                &fields("Asset list", None),
                &EvidenceBody::Link("CMDB-0042".into()),
                &a,
            )
            .await
            .expect("undated");

        let register = db.list_evidence(&org).await.expect("register");
        let marks: Vec<(i64, bool)> = register.iter().map(|e| (e.id, e.stale)).collect();
        assert_eq!(
            marks,
            vec![(undated, false), (fresh, false), (stale, true)],
            "newest first"
        );

        // One item supports outcomes in two scopes; linking twice changes nothing.
        for (scope, outcome) in [(org_scope, "A1.a"), (system, "B1.a"), (org_scope, "A1.a")] {
            db.link_evidence(&org, stale, scope, outcome, true, &a)
                .await
                .expect("link");
        }
        db.link_evidence(&org, fresh, org_scope, "A1.a", true, &a)
            .await
            .expect("link");
        assert_eq!(db.evidence_item(&org, stale).await.expect("item").uses, 2);
        assert_eq!(db.evidence_item(&org, fresh).await.expect("item").uses, 1);
        assert_eq!(db.evidence_item(&org, undated).await.expect("item").uses, 0);
        let linked: Vec<i64> = db
            .outcome_evidence(&org, org_scope, "A1.a")
            .await
            .expect("linked")
            .iter()
            .map(|e| e.id)
            .collect();
        assert_eq!(linked, vec![fresh, stale], "by title");

        let lead = w.lead(&db, HOME).await;
        let dashboard = db.dashboard(&lead, started.id).await.expect("dashboard");
        let cell = |scope: i64, outcome: &str| {
            let grid = dashboard
                .grids
                .iter()
                .find(|g| g.scope.id == scope)
                .expect("grid");
            let cell = grid
                .cells
                .iter()
                .find(|c| c.outcome == outcome)
                .expect("cell");
            (cell.evidence, cell.stale_evidence)
        };
        assert_eq!(cell(org_scope, "A1.a"), (2, 1));
        assert_eq!(cell(system, "B1.a"), (1, 1));
        assert_eq!(cell(org_scope, "A1.b"), (0, 0));
        let workspace = db
            .outcome_workspace(&lead, org_scope, "A1.a")
            .await
            .expect("workspace");
        assert_eq!(workspace.evidence.len(), 2);
        assert!(workspace.evidence.iter().any(|e| e.id == stale && e.stale));
        assert_eq!(
            workspace.other_evidence,
            vec![(undated, "Asset list".to_owned())]
        );

        // Unlinking from one scope leaves the other link.
        db.link_evidence(&org, stale, system, "B1.a", false, &a)
            .await
            .expect("unlink");
        assert_eq!(db.evidence_item(&org, stale).await.expect("item").uses, 1);
        let dashboard = db.dashboard(&lead, started.id).await.expect("dashboard");
        let grid = &dashboard.grids[1];
        let b1a = grid.cells.iter().find(|c| c.outcome == "B1.a").expect("c");
        assert_eq!((b1a.evidence, b1a.stale_evidence), (0, 0));
        let history = db
            .outcome_history(&lead, system, "B1.a")
            .await
            .expect("history");
        let said: Vec<&str> = history.iter().map(|h| h.action.as_str()).collect();
        assert_eq!(said, vec!["evidence.unlink", "evidence.link"]);
        assert_eq!(
            support::audit_actions(&db, "evidence.create").await.len(),
            3
        );
    }
);

on_both!(
    only_files_have_a_file_and_bad_items_are_refused_whole,
    |db: TestDb| async move {
        let w = world(&db).await;
        let org = w
            .grant(&db, HOME, Role::CafLead, Permission::EditAnswers)
            .await
            .expect("lead");
        let a = w.actor(HOME, Role::CafLead);
        let bytes = b"%PDF-1.7 incident response plan";
        let pdf = db
            .create_evidence(
                &org,
                &fields("Incident response plan", None),
                &EvidenceBody::File(StoredFile {
                    sha256: sha256_hex(bytes),
                    name: "../../etc/IR plan.pdf".into(),
                    size: bytes.len() as i64,
                    media_type: "application/pdf".into(),
                }),
                &a,
            )
            .await
            .expect("file");
        let link = db
            .create_evidence(
                &org,
                &fields("Ticket", None),
                &EvidenceBody::Link("https://tickets.example/42".into()),
                &a,
            )
            .await
            .expect("link");
        let note = db
            .create_evidence(
                &org,
                &fields("Note", None),
                &EvidenceBody::Note("Walkthrough done".into()),
                &a,
            )
            .await
            .expect("note");

        assert_eq!(
            db.evidence_file(&org, pdf).await.expect("file"),
            (
                sha256_hex(bytes),
                "IR plan.pdf".to_owned(),
                bytes.len() as i64
            ),
            "the stored name is never a path"
        );
        not_found(db.evidence_file(&org, link).await, "a link has no file");
        not_found(db.evidence_file(&org, note).await, "a note has no file");
        let item = db.evidence_item(&org, pdf).await.expect("item");
        assert_eq!(item.kind, EvidenceKind::File);
        assert_eq!(item.sha256.as_deref(), Some(sha256_hex(bytes).as_str()));
        let item = db.evidence_item(&org, link).await.expect("item");
        assert_eq!(
            (item.kind, item.url.as_deref(), item.sha256),
            (EvidenceKind::Link, Some("https://tickets.example/42"), None)
        );

        let before = count(&db, "evidence").await;
        let audit_before = support::audit_actions(&db, "evidence.").await.len();
        let bad = EvidenceFields {
            title: " ".into(),
            owner: String::new(),
            describes_date: Some("last week".into()),
            review_by: Some("2027-02-30x".into()),
            classification: "top_secret".into(),
        };
        let message = invalid(
            db.create_evidence(
                &org,
                &bad,
                &EvidenceBody::Link("javascript:alert(1)".into()),
                &a,
            )
            .await,
            "every field wrong",
        );
        for part in [
            "title",
            "owner",
            "the date it describes",
            "review-by",
            "OFFICIAL",
            "https://",
        ] {
            assert!(message.contains(part), "{part:?} missing from {message:?}");
        }
        invalid(
            db.create_evidence(
                &org,
                &fields("Empty", None),
                &EvidenceBody::File(StoredFile {
                    sha256: sha256_hex(b""),
                    name: "empty.pdf".into(),
                    size: 0,
                    media_type: "application/pdf".into(),
                }),
                &a,
            )
            .await,
            "an empty file",
        );
        invalid(
            db.create_evidence(
                &org,
                &fields("Blank", None),
                &EvidenceBody::Note("   ".into()),
                &a,
            )
            .await,
            "a blank note",
        );
        assert_eq!(count(&db, "evidence").await, before, "nothing stored");
        assert_eq!(
            support::audit_actions(&db, "evidence.").await.len(),
            audit_before
        );
    }
);

on_both!(
    links_go_only_to_open_outcomes_of_the_councils_own_scopes,
    |db: TestDb| async move {
        let w = world(&db).await;
        let started = start(&db, &w, "Links", &["Payroll"], false).await;
        let (org_scope, system) = (started.org, started.systems[0]);
        let org = w
            .grant(&db, HOME, Role::Assessor, Permission::EditAnswers)
            .await
            .expect("assessor");
        let a = w.actor(HOME, Role::Assessor);
        let item = db
            .create_evidence(
                &org,
                &fields("Policy", None),
                &EvidenceBody::Note("Text".into()),
                &a,
            )
            .await
            .expect("item");

        not_found(
            db.link_evidence(&org, item, org_scope, "B1.a", true, &a)
                .await,
            "a system outcome in the organisation scope",
        );
        not_found(
            db.check_linkable(&org, org_scope, "B1.a").await,
            "check: wrong outcome",
        );
        not_found(
            db.link_evidence(&org, item + 1000, org_scope, "A1.a", true, &a)
                .await,
            "no such item",
        );
        db.check_linkable(&org, system, "B1.a")
            .await
            .expect("open and right");

        db.raw_execute(&format!(
            "UPDATE scopes SET state = 'in_review' WHERE id = {system}"
        ))
        .await
        .expect("in review");
        conflict(
            db.link_evidence(&org, item, system, "B1.a", true, &a).await,
            "a scope in review",
        );
        conflict(
            db.check_linkable(&org, system, "B1.a").await,
            "check: in review",
        );
        assert_eq!(count(&db, "evidence_links").await, 0);

        // Camden's people cannot see, fetch or link Hackney's items, nor link theirs to ours.
        let away = w
            .grant(&db, AWAY, Role::CafLead, Permission::EditAnswers)
            .await
            .expect("camden");
        let b = w.actor(AWAY, Role::CafLead);
        let theirs = db
            .create_evidence(
                &away,
                &fields("Camden policy", None),
                &EvidenceBody::Note("Theirs".into()),
                &b,
            )
            .await
            .expect("camden item");
        assert_eq!(
            db.list_evidence(&away)
                .await
                .expect("register")
                .iter()
                .map(|e| e.id)
                .collect::<Vec<_>>(),
            vec![theirs]
        );
        not_found(db.evidence_item(&away, item).await, "item");
        not_found(db.evidence_file(&away, item).await, "file");
        not_found(
            db.link_evidence(&away, item, org_scope, "A1.a", true, &b)
                .await,
            "link ours",
        );
        not_found(
            db.link_evidence(&away, theirs, org_scope, "A1.a", true, &b)
                .await,
            "link theirs to ours",
        );
        not_found(
            db.link_evidence(&org, theirs, org_scope, "A1.a", true, &a)
                .await,
            "our assessor linking their item",
        );
        assert_eq!(count(&db, "evidence_links").await, 0);
    }
);

on_both!(
    the_register_is_read_and_changed_only_by_the_right_roles,
    |db: TestDb| async move {
        let w = world(&db).await;
        let lead = w.lead(&db, HOME).await;
        let item = db
            .create_evidence(
                &lead,
                &fields("Policy", None),
                &EvidenceBody::Note("Text".into()),
                &w.actor(HOME, Role::CafLead),
            )
            .await
            .expect("item");
        for role in Role::ALL {
            let member = w.member(&db, HOME, role).await;
            let reads = role.can(Permission::ReadAssessments);
            let edits = role.can(Permission::EditAnswers);
            assert_eq!(
                db.list_evidence(&member).await.is_ok(),
                reads,
                "{role:?} list"
            );
            assert_eq!(
                db.evidence_item(&member, item).await.is_ok(),
                reads,
                "{role:?} item"
            );
            let created = db
                .create_evidence(
                    &member,
                    &fields(&format!("By {}", role.key()), None),
                    &EvidenceBody::Note("Text".into()),
                    &w.actor(HOME, role),
                )
                .await;
            assert_eq!(created.is_ok(), edits, "{role:?} create: {created:?}");
            if !edits {
                assert!(matches!(created, Err(DataError::NotFound(_))));
            }
        }
        assert_eq!(count(&db, "evidence").await, 3, "the lead's, and two more");
        assert!(!Role::Reviewer.can(Permission::EditAnswers));
        assert!(!Role::BoardViewer.can(Permission::ReadAssessments));
    }
);

on_both!(
    details_change_with_their_before_and_after_and_bad_changes_change_nothing,
    |db: TestDb| async move {
        let w = world(&db).await;
        let org = w
            .grant(&db, HOME, Role::Assessor, Permission::EditAnswers)
            .await
            .expect("assessor");
        let a = w.actor(HOME, Role::Assessor);
        let link = db
            .create_evidence(
                &org,
                &fields("Backup test report", Some("2000-01-01")),
                &EvidenceBody::Link("https://sharepoint.example/backup".into()),
                &a,
            )
            .await
            .expect("link");
        let note = db
            .create_evidence(
                &org,
                &fields("Walkthrough", None),
                &EvidenceBody::Note("Walked through the restore with the supplier.".into()),
                &a,
            )
            .await
            .expect("note");
        let bytes = b"%PDF-1.7 restore test";
        let pdf = db
            .create_evidence(
                &org,
                &fields("Restore test", None),
                &file(bytes, "restore.pdf"),
                &a,
            )
            .await
            .expect("file");
        assert!(db.evidence_item(&org, link).await.expect("item").stale);

        // Reviewed again: a new review-by date clears the flag; the address moved.
        let mut reviewed = fields("Backup test report 2026", Some("2999-01-01"));
        reviewed.classification = "official_sensitive".into();
        db.update_evidence(
            &org,
            link,
            &reviewed,
            " https://sharepoint.example/backup-2026 ",
            &a,
        )
        .await
        .expect("update link");
        let item = db.evidence_item(&org, link).await.expect("item");
        assert!(!item.stale);
        assert_eq!(item.fields, reviewed);
        assert_eq!(
            item.url.as_deref(),
            Some("https://sharepoint.example/backup-2026")
        );
        let records = support::audit_actions(&db, "evidence.update").await;
        assert_eq!(records.len(), 1);
        let detail = &records[0].event.detail;
        assert_eq!(detail["review_by"]["before"], "2000-01-01");
        assert_eq!(detail["review_by"]["after"], "2999-01-01");
        assert_eq!(detail["title"]["after"], "Backup test report 2026");
        assert_eq!(detail["classification"]["before"], "official");
        assert!(
            detail.get("owner").is_none(),
            "unchanged fields are not listed"
        );

        // Saving the same details again changes nothing and records nothing.
        db.update_evidence(
            &org,
            link,
            &reviewed,
            "https://sharepoint.example/backup-2026",
            &a,
        )
        .await
        .expect("same again");
        assert_eq!(
            support::audit_actions(&db, "evidence.update").await.len(),
            1
        );

        // A note's text changes; the audit log says so without copying it.
        db.update_evidence(
            &org,
            note,
            &fields("Walkthrough", None),
            "Restore rehearsed in May.",
            &a,
        )
        .await
        .expect("update note");
        let item = db.evidence_item(&org, note).await.expect("item");
        assert_eq!(item.note.as_deref(), Some("Restore rehearsed in May."));
        let newest = &support::audit_actions(&db, "evidence.update").await[0];
        assert_eq!(newest.event.detail["note"], "changed", "newest first");
        assert!(!newest.event.detail.to_string().contains("rehearsed"));

        // A file's details change, never its bytes; the text field is ignored.
        db.update_evidence(&org, pdf, &fields("Restore test, May", None), "ignored", &a)
            .await
            .expect("update file");
        let item = db.evidence_item(&org, pdf).await.expect("item");
        assert_eq!(item.fields.title, "Restore test, May");
        assert_eq!(item.sha256.as_deref(), Some(sha256_hex(bytes).as_str()));
        assert_eq!((item.url, item.note), (None, None));

        // Bad details are refused whole, every problem named, and nothing changes.
        let audit_before = support::audit_actions(&db, "evidence.").await.len();
        let bad = EvidenceFields {
            title: " ".into(),
            owner: "ICT".into(),
            describes_date: None,
            review_by: Some("soon".into()),
            classification: "official".into(),
        };
        let message = invalid(
            db.update_evidence(&org, link, &bad, "javascript:alert(1)", &a)
                .await,
            "bad details",
        );
        for part in ["title", "review-by", "https://"] {
            assert!(message.contains(part), "{part:?} missing from {message:?}");
        }
        invalid(
            db.update_evidence(&org, note, &fields("Walkthrough", None), "  ", &a)
                .await,
            "a blank note",
        );
        let item = db.evidence_item(&org, link).await.expect("item");
        assert_eq!(item.fields, reviewed);
        assert_eq!(
            db.evidence_item(&org, note)
                .await
                .expect("item")
                .note
                .as_deref(),
            Some("Restore rehearsed in May.")
        );
        assert_eq!(
            support::audit_actions(&db, "evidence.").await.len(),
            audit_before
        );

        // Roles that do not edit answers, and another council, find nothing to change.
        for role in [
            Role::Reviewer,
            Role::Approver,
            Role::BoardViewer,
            Role::ExternalAssurer,
        ] {
            let member = w.member(&db, HOME, role).await;
            not_found(
                db.update_evidence(
                    &member,
                    link,
                    &fields("Hijacked", None),
                    "https://x.example",
                    &w.actor(HOME, role),
                )
                .await,
                role.key(),
            );
        }
        let away = w
            .grant(&db, AWAY, Role::CafLead, Permission::EditAnswers)
            .await
            .expect("camden");
        not_found(
            db.update_evidence(
                &away,
                link,
                &fields("Hijacked", None),
                "https://x.example",
                &w.actor(AWAY, Role::CafLead),
            )
            .await,
            "another council",
        );
        assert_eq!(
            db.evidence_item(&org, link).await.expect("item").fields,
            reviewed
        );
        assert_eq!(
            support::audit_actions(&db, "evidence.").await.len(),
            audit_before
        );
    }
);

on_both!(
    items_are_removed_with_their_open_links_and_kept_while_a_scope_is_checked,
    |db: TestDb| async move {
        let w = world(&db).await;
        let started = start(&db, &w, "Removal", &["Payroll"], false).await;
        let (org_scope, system) = (started.org, started.systems[0]);
        let org = w
            .grant(&db, HOME, Role::Assessor, Permission::EditAnswers)
            .await
            .expect("assessor");
        let a = w.actor(HOME, Role::Assessor);
        let bytes = b"%PDF-1.7 wrong council's plan";
        let mistake = db
            .create_evidence(
                &org,
                &fields("Wrong file", None),
                &file(bytes, "plan.pdf"),
                &a,
            )
            .await
            .expect("file");
        let twin = db
            .create_evidence(
                &org,
                &fields("Same bytes", None),
                &file(bytes, "copy.pdf"),
                &a,
            )
            .await
            .expect("same bytes");
        let note = db
            .create_evidence(
                &org,
                &fields("Note", None),
                &EvidenceBody::Note("Text".into()),
                &a,
            )
            .await
            .expect("note");
        db.link_evidence(&org, mistake, org_scope, "A1.a", true, &a)
            .await
            .expect("link");
        db.link_evidence(&org, note, system, "B1.a", true, &a)
            .await
            .expect("link");

        // Roles that do not edit answers, and another council, find nothing to remove.
        for role in [
            Role::Reviewer,
            Role::Approver,
            Role::BoardViewer,
            Role::ExternalAssurer,
        ] {
            let member = w.member(&db, HOME, role).await;
            not_found(
                db.remove_evidence(&member, mistake, &w.actor(HOME, role))
                    .await,
                role.key(),
            );
        }
        let away = w
            .grant(&db, AWAY, Role::CafLead, Permission::EditAnswers)
            .await
            .expect("camden");
        not_found(
            db.remove_evidence(&away, mistake, &w.actor(AWAY, Role::CafLead))
                .await,
            "another council",
        );

        // While the system scope is with the reviewer its links cannot change: the note stays.
        db.raw_execute(&format!(
            "UPDATE scopes SET state = 'in_review' WHERE id = {system}"
        ))
        .await
        .expect("in review");
        let before = support::audit_actions(&db, "evidence.").await.len();
        conflict(
            db.remove_evidence(&org, note, &a).await,
            "a scope in review",
        );
        assert_eq!(db.evidence_item(&org, note).await.expect("kept").uses, 1);
        assert_eq!(support::audit_actions(&db, "evidence.").await.len(), before);

        // The mistaken file goes with its link in the draft organisation scope; its bytes are
        // still used by the twin, so they stay.
        assert_eq!(
            db.remove_evidence(&org, mistake, &a)
                .await
                .expect("removed"),
            None
        );
        not_found(db.evidence_item(&org, mistake).await, "removed item");
        assert!(
            db.outcome_evidence(&org, org_scope, "A1.a")
                .await
                .expect("linked")
                .is_empty()
        );
        let record = &support::audit_actions(&db, "evidence.remove").await[0];
        assert_eq!(record.event.object, format!("evidence:{mistake}"));
        assert_eq!(record.event.detail["title"], "Wrong file");
        assert_eq!(record.event.detail["links_removed"], 1);
        assert_eq!(record.event.detail["sha256"], sha256_hex(bytes));
        // The last item with those bytes: the caller is told they can go.
        assert_eq!(
            db.remove_evidence(&org, twin, &a).await.expect("removed"),
            Some(sha256_hex(bytes))
        );
        not_found(db.remove_evidence(&org, twin, &a).await, "removed twice");

        // Returned to the assessor, the note can go.
        db.raw_execute(&format!(
            "UPDATE scopes SET state = 'returned' WHERE id = {system}"
        ))
        .await
        .expect("returned");
        assert_eq!(
            db.remove_evidence(&org, note, &a).await.expect("removed"),
            None
        );
        assert_eq!(count(&db, "evidence").await, 0);
        assert_eq!(count(&db, "evidence_links").await, 0);
    }
);
