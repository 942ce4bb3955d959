//! The audit log on SQLite and PostgreSQL: append-only, chained, and tamper-evident.

mod support;

use support::TestDb;

use app::data::{AuditEvent, AuditFilter, ChainReport, GENESIS_HASH, record_hash};

fn event(action: &str, object: &str) -> AuditEvent {
    AuditEvent::by("tester@example.gov.uk", action, object)
        .with_detail(serde_json::json!({ "before": "draft", "after": "in review" }))
}

on_both!(
    records_chain_from_genesis_and_verify,
    |db: TestDb| async move {
        let first = db
            .append_audit(event("assessment.submit", "scope:1"))
            .await
            .expect("append");
        let second = db
            .append_audit(event("assessment.return", "scope:1"))
            .await
            .expect("append");
        assert_eq!((first.seq, second.seq), (1, 2));
        assert_eq!(first.prev_hash, GENESIS_HASH);
        assert_eq!(second.prev_hash, first.hash);
        assert_eq!(
            second.hash,
            record_hash(
                second.seq,
                &second.occurred_at,
                &second.event,
                &second.prev_hash
            )
        );
        assert!(
            first.occurred_at.ends_with('Z'),
            "UTC: {}",
            first.occurred_at
        );
        assert_eq!(
            db.verify_audit_chain().await.expect("verify"),
            ChainReport::Intact { records: 2 }
        );
    }
);

on_both!(
    records_cannot_be_updated_or_deleted,
    |db: TestDb| async move {
        db.append_audit(event("signin.success", "user:1"))
            .await
            .expect("append");
        let update = db
            .raw_execute("UPDATE audit_log SET actor = 'someone else'")
            .await;
        assert!(update.is_err(), "an update must be refused");
        let delete = db.raw_execute("DELETE FROM audit_log").await;
        assert!(delete.is_err(), "a delete must be refused");
        if db.engine() == app::data::Engine::Postgres {
            let truncate = db.raw_execute("TRUNCATE audit_log").await;
            assert!(truncate.is_err(), "a truncate must be refused");
        }
        let stored = support::audit_actions(&db, "").await;
        assert_eq!(stored.len(), 1);
        assert_eq!(stored[0].event.actor, "tester@example.gov.uk");
        assert_eq!(
            db.verify_audit_chain().await.expect("verify"),
            ChainReport::Intact { records: 1 }
        );
    }
);

/// Turns the append-only guard off, as someone with direct database access could.
async fn disable_guard(db: &TestDb) {
    match db.engine() {
        app::data::Engine::Sqlite => {
            db.raw_execute("DROP TRIGGER audit_log_no_update")
                .await
                .expect("drop");
            db.raw_execute("DROP TRIGGER audit_log_no_delete")
                .await
                .expect("drop");
        }
        app::data::Engine::Postgres => {
            db.raw_execute("ALTER TABLE audit_log DISABLE TRIGGER USER")
                .await
                .expect("disable");
        }
    }
}

on_both!(an_edited_record_is_detected, |db: TestDb| async move {
    for n in 0..3 {
        db.append_audit(event("evidence.add", &format!("evidence:{n}")))
            .await
            .expect("append");
    }
    disable_guard(&db).await;
    db.raw_execute("UPDATE audit_log SET object = 'evidence:99' WHERE seq = 2")
        .await
        .expect("tamper");
    match db.verify_audit_chain().await.expect("verify") {
        ChainReport::Broken { seq, reason } => {
            assert_eq!(seq, 2);
            assert!(reason.contains("edited"), "{reason}");
        }
        other => panic!("tampering not detected: {other:?}"),
    }
});

on_both!(a_deleted_record_is_detected, |db: TestDb| async move {
    for n in 0..3 {
        db.append_audit(event("evidence.add", &format!("evidence:{n}")))
            .await
            .expect("append");
    }
    disable_guard(&db).await;
    db.raw_execute("DELETE FROM audit_log WHERE seq = 2")
        .await
        .expect("tamper");
    assert!(matches!(
        db.verify_audit_chain().await.expect("verify"),
        ChainReport::Broken { seq: 2, .. }
    ));
});

on_both!(
    records_cut_from_the_end_are_detected,
    |db: TestDb| async move {
        for n in 0..3 {
            db.append_audit(event("evidence.add", &format!("evidence:{n}")))
                .await
                .expect("append");
        }
        disable_guard(&db).await;
        db.raw_execute("DELETE FROM audit_log WHERE seq = 3")
            .await
            .expect("tamper");
        match db.verify_audit_chain().await.expect("verify") {
            ChainReport::Broken { seq, reason } => {
                assert_eq!(seq, 3);
                assert!(reason.contains("removed"), "{reason}");
            }
            other => panic!("truncation not detected: {other:?}"),
        }
    }
);

on_both!(concurrent_appends_keep_one_chain, |db: TestDb| async move {
    let mut tasks = Vec::new();
    for n in 0..24 {
        let db = db.clone();
        tasks.push(tokio::spawn(async move {
            db.append_audit(event("comment.add", &format!("comment:{n}")))
                .await
                .expect("append")
        }));
    }
    for task in tasks {
        task.await.expect("task");
    }
    assert_eq!(
        db.verify_audit_chain().await.expect("verify"),
        ChainReport::Intact { records: 24 }
    );
});

on_both!(
    records_filter_by_organisation_and_action,
    |db: TestDb| async move {
        let mut a = event("signin.failure", "user:1");
        a.organisation_id = Some(7);
        db.append_audit(a).await.expect("append");
        db.append_audit(event("signin.success", "user:2"))
            .await
            .expect("append");
        db.append_audit(event("framework.import", "framework:4.1"))
            .await
            .expect("append");
        db.append_audit(event("signin_x.other", "user:3"))
            .await
            .expect("append");

        let signins = support::audit_actions(&db, "signin.").await;
        let actions: Vec<&str> = signins.iter().map(|r| r.event.action.as_str()).collect();
        assert_eq!(
            actions,
            vec!["signin.success", "signin.failure"],
            "newest first; '_' is not a wildcard"
        );

        let org = db
            .audit_records(&AuditFilter {
                organisation_id: Some(7),
                limit: 50,
                ..Default::default()
            })
            .await
            .expect("list");
        assert_eq!(org.len(), 1);
        assert_eq!(org[0].event.detail["after"], "in review");
    }
);

on_both!(
    framework_import_and_registration_are_audited,
    |db: TestDb| async move {
        db.register_bundled().await.expect("register");
        let mut framework = caf::bundled_framework("4.0").expect("4.0");
        framework.version = "4.0-local".into();
        let json = serde_json::to_string(&framework).expect("json");
        db.import_framework_json(&json, "cli:admin")
            .await
            .expect("import");
        db.import_framework_json(&json, "cli:admin")
            .await
            .expect("unchanged import");
        db.register_bundled().await.expect("register again");
        let records = support::audit_actions(&db, "").await;
        let imports: Vec<_> = records
            .iter()
            .filter(|r| r.event.action == "framework.import")
            .collect();
        assert_eq!(
            imports.len(),
            1,
            "an unchanged import changes nothing and records nothing"
        );
        assert_eq!(imports[0].event.actor, "cli:admin");
        assert_eq!(imports[0].event.object, "framework:4.0-local");
        let registrations = records
            .iter()
            .filter(|r| r.event.action == "framework.register")
            .count();
        assert_eq!(registrations, 2, "3.2 and 4.0, once each");
        assert!(matches!(
            db.verify_audit_chain().await.expect("verify"),
            ChainReport::Intact { .. }
        ));
    }
);

on_both!(
    the_audit_page_filters_by_person_object_and_day_and_pages,
    |db: TestDb| async move {
        let ann = db
            .create_user("ann@example.gov.uk", "Ann Jones", "test")
            .await
            .expect("user");
        let bob = db
            .create_user("bob@example.gov.uk", "Bob Smith", "test")
            .await
            .expect("user");
        for n in 0..5 {
            let mut by_ann = AuditEvent::by(
                "ann@example.gov.uk",
                "membership.set",
                format!("user:{bob}"),
            );
            by_ann.actor_id = Some(ann);
            by_ann.organisation_id = Some(3);
            db.append_audit(by_ann).await.expect("append");
            let mut by_bob = AuditEvent::by(
                "bob@example.gov.uk",
                "outcome.save",
                format!("scope:{n}/outcome:A1.a"),
            );
            by_bob.actor_id = Some(bob);
            db.append_audit(by_bob).await.expect("append");
        }
        let list = |filter: AuditFilter| {
            let db = db.handle();
            async move { db.audit_records(&filter).await.expect("list") }
        };
        let anns = list(AuditFilter {
            actor_id: Some(ann),
            limit: 50,
            ..Default::default()
        })
        .await;
        assert_eq!(anns.len(), 5);
        assert!(anns.iter().all(|r| r.event.actor_id == Some(ann)));

        let scope_2 = list(AuditFilter {
            object_prefix: Some("scope:2/".into()),
            limit: 50,
            ..Default::default()
        })
        .await;
        assert_eq!(scope_2.len(), 1);
        assert_eq!(scope_2[0].event.object, "scope:2/outcome:A1.a");
        let literal = list(AuditFilter {
            object_prefix: Some("scope:%".into()),
            limit: 50,
            ..Default::default()
        })
        .await;
        assert!(literal.is_empty(), "% is not a wildcard");

        let today = anns[0].occurred_at.get(..10).expect("date").to_owned();
        let on_the_day = list(AuditFilter {
            actor_id: Some(bob),
            from_date: Some(today.clone()),
            to_date: Some(today.clone()),
            limit: 50,
            ..Default::default()
        })
        .await;
        assert_eq!(on_the_day.len(), 5, "the 'to' day is included in full");
        let before = list(AuditFilter {
            to_date: Some("2000-01-01".into()),
            limit: 50,
            ..Default::default()
        })
        .await;
        assert!(before.is_empty());
        let after = list(AuditFilter {
            from_date: Some("2999-01-01".into()),
            limit: 50,
            ..Default::default()
        })
        .await;
        assert!(after.is_empty());

        let page = |offset: i64| {
            list(AuditFilter {
                actor_id: Some(ann),
                limit: 2,
                offset,
                ..Default::default()
            })
        };
        let (first, second, third) = (page(0).await, page(2).await, page(4).await);
        assert_eq!((first.len(), second.len(), third.len()), (2, 2, 1));
        let seqs: Vec<i64> = first
            .iter()
            .chain(&second)
            .chain(&third)
            .map(|r| r.seq)
            .collect();
        let all: Vec<i64> = anns.iter().map(|r| r.seq).collect();
        assert_eq!(seqs, all, "pages follow on, newest first");

        let names = db.user_names(&[ann, bob, 999]).await.expect("names");
        assert_eq!(names.get(&ann).map(String::as_str), Some("Ann Jones"));
        assert_eq!(names.get(&bob).map(String::as_str), Some("Bob Smith"));
        assert!(!names.contains_key(&999));
        assert_eq!(
            db.audit_people(None).await.expect("people"),
            vec![(ann, "Ann Jones".to_owned()), (bob, "Bob Smith".to_owned())]
        );
        assert_eq!(
            db.audit_people(Some(3)).await.expect("people"),
            vec![(ann, "Ann Jones".to_owned())],
            "only those who acted in that organisation's log"
        );
    }
);
