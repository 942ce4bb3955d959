//! Data-layer tests, each run on SQLite and on PostgreSQL.

mod support;

use support::TestDb;

use app::data::{DataError, Db, ImportOutcome};
use caf::{Framework, Status};

fn bundled(version: &str) -> Framework {
    caf::bundled_frameworks()
        .into_iter()
        .find(|f| f.version == version)
        .expect("bundled version")
}

/// A copy of CAF 4.0 under another label, as an administrator might import.
fn relabelled(version: &str) -> Framework {
    let mut framework = bundled("4.0");
    framework.version = version.to_owned();
    framework
}

async fn registered(db: &Db) {
    db.register_bundled().await.expect("register bundled");
}

on_both!(
    bundled_versions_are_registered_once,
    |db: TestDb| async move {
        let first = db.register_bundled().await.expect("first registration");
        assert!(
            first.iter().all(|(_, o)| *o == ImportOutcome::Inserted),
            "{first:?}"
        );
        assert_eq!(first.len(), 2 + caf::bundled_profiles().len());
        let second = db.register_bundled().await.expect("second registration");
        assert!(
            second.iter().all(|(_, o)| *o == ImportOutcome::Unchanged),
            "{second:?}"
        );

        let list = db.list_frameworks().await.expect("list");
        let summary: Vec<(&str, i64, i64, &str)> = list
            .iter()
            .map(|f| {
                (
                    f.version.as_str(),
                    f.outcomes,
                    f.indicators,
                    f.origin.as_str(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            vec![("3.2", 39, 449, "bundled"), ("4.0", 41, 557, "bundled")]
        );
        assert!(list.iter().all(|f| f.locked_at.is_none()));
    }
);

on_both!(
    stored_document_round_trips_word_for_word,
    |db: TestDb| async move {
        registered(&db).await;
        for version in ["3.2", "4.0"] {
            let stored = db.framework(version).await.expect("load").expect("present");
            assert_eq!(stored.framework, bundled(version));
            assert_eq!(stored.record.content_hash, bundled(version).content_hash());
        }
        assert!(db.framework("9.9").await.expect("load").is_none());
    }
);

on_both!(
    import_is_idempotent_and_replaces_only_unlocked_versions,
    |db: TestDb| async move {
        registered(&db).await;
        let json = serde_json::to_string(&relabelled("4.0-local")).expect("json");
        let (_, outcome) = db
            .import_framework_json(&json, "test")
            .await
            .expect("import");
        assert_eq!(outcome, ImportOutcome::Inserted);
        let (_, outcome) = db
            .import_framework_json(&json, "test")
            .await
            .expect("re-import");
        assert_eq!(outcome, ImportOutcome::Unchanged);

        // A corrected text under the same label replaces an unused version.
        let mut corrected = relabelled("4.0-local");
        corrected.objectives[0].principles[0].outcomes[0].title =
            "Board direction (corrected)".into();
        let corrected_json = serde_json::to_string(&corrected).expect("json");
        let (_, outcome) = db
            .import_framework_json(&corrected_json, "test")
            .await
            .expect("replace");
        assert_eq!(outcome, ImportOutcome::Replaced);
        let stored = db
            .framework("4.0-local")
            .await
            .expect("load")
            .expect("present");
        assert_eq!(stored.framework, corrected);
        assert_eq!(stored.record.origin, "imported");

        // Once an assessment uses it, its text can never change.
        db.lock_framework("4.0-local").await.expect("lock");
        let error = db
            .import_framework_json(&json, "test")
            .await
            .expect_err("locked");
        assert!(
            matches!(error, DataError::Conflict(ref m) if m.contains("new version label")),
            "{error}"
        );
        let after = db
            .framework("4.0-local")
            .await
            .expect("load")
            .expect("present");
        assert_eq!(after.framework, corrected);
        assert!(after.record.locked_at.is_some());
    }
);

on_both!(
    a_broken_file_is_refused_and_stores_nothing,
    |db: TestDb| async move {
        registered(&db).await;
        let before = db.list_frameworks().await.expect("list");

        let mut duplicate = relabelled("4.1");
        let copy = duplicate.objectives[0].principles[0].outcomes[0]
            .indicators
            .achieved[0]
            .clone();
        duplicate.objectives[0].principles[0].outcomes[0]
            .indicators
            .achieved
            .push(copy.clone());
        let json = serde_json::to_string_pretty(&duplicate).expect("json");
        let error = db
            .import_framework_json(&json, "test")
            .await
            .expect_err("duplicate id");
        assert!(matches!(error, DataError::Invalid(_)));
        assert!(error.to_string().contains(&copy.id), "{error}");

        let error = db
            .import_framework_json("{\n  \"format\": 1,\n  \"version\": \n}", "test")
            .await
            .expect_err("malformed JSON");
        assert!(error.to_string().contains("line 4"), "{error}");

        let mut no_achieved = relabelled("4.1");
        no_achieved.objectives[1].principles[0].outcomes[0]
            .indicators
            .achieved
            .clear();
        let error = db
            .import_framework_json(&serde_json::to_string(&no_achieved).expect("json"), "test")
            .await
            .expect_err("outcome without achieved statements");
        assert!(error.to_string().contains("B1.a"), "{error}");

        assert_eq!(db.list_frameworks().await.expect("list"), before);
    }
);

on_both!(
    replacing_cannot_drop_an_outcome_a_profile_targets,
    |db: TestDb| async move {
        registered(&db).await;
        let mut shrunk = bundled("4.0");
        shrunk.objectives[2].principles[1].outcomes.clear();
        shrunk.objectives[2].principles.remove(1);
        let error = db
            .store_framework(&shrunk, "imported")
            .await
            .expect_err("profiles use C2.a");
        assert!(
            matches!(error, DataError::Conflict(ref m) if m.contains("C2.a")),
            "{error}"
        );
        let stored = db.framework("4.0").await.expect("load").expect("present");
        assert_eq!(stored.framework, bundled("4.0"));
        assert_eq!(stored.record.outcomes, 41);
    }
);

on_both!(
    profiles_are_stored_with_every_target,
    |db: TestDb| async move {
        registered(&db).await;
        let profiles = db.profiles_for("3.2").await.expect("profiles");
        assert_eq!(profiles.len(), 2);
        let baseline = profiles
            .iter()
            .find(|p| p.profile.id == "govassure-baseline-caf3.2")
            .expect("baseline");
        assert_eq!(baseline.profile.targets.len(), 39);
        let count = |s: Status| {
            baseline
                .profile
                .targets
                .values()
                .filter(|t| **t == s)
                .count()
        };
        assert_eq!(
            (
                count(Status::Achieved),
                count(Status::PartiallyAchieved),
                count(Status::NotAchieved)
            ),
            (10, 27, 2)
        );
        let four = db.profiles_for("4.0").await.expect("profiles");
        assert_eq!(four.len(), 2);
        assert!(
            four.iter()
                .all(|p| p.profile.certainty == caf::Certainty::LessCertain)
        );
        assert!(four.iter().all(|p| p.profile.targets.len() == 41));
    }
);

on_both!(
    a_profile_naming_an_unknown_outcome_is_refused,
    |db: TestDb| async move {
        registered(&db).await;
        let mut profile = caf::bundled_profiles()
            .into_iter()
            .find(|p| p.framework_version == "4.0")
            .expect("a 4.0 profile");
        profile.id = "council-own-4.0".into();
        profile.targets.insert("Z9.z".into(), Status::Achieved);
        let error = db
            .store_profile(&profile, "imported")
            .await
            .expect_err("unknown outcome");
        assert!(error.to_string().contains("Z9.z"), "{error}");
        let ids: Vec<String> = db
            .profiles_for("4.0")
            .await
            .expect("profiles")
            .into_iter()
            .map(|p| p.profile.id)
            .collect();
        assert!(!ids.contains(&"council-own-4.0".to_owned()));
    }
);

on_both!(
    locking_an_unknown_version_is_not_found,
    |db: TestDb| async move {
        registered(&db).await;
        let error = db.lock_framework("9.9").await.expect_err("unknown");
        assert!(
            matches!(error, DataError::NotFound(ref m) if m.contains("9.9")),
            "{error}"
        );

        db.lock_framework("4.0").await.expect("lock");
        let first = db
            .framework("4.0")
            .await
            .expect("load")
            .expect("present")
            .record
            .locked_at;
        db.lock_framework("4.0")
            .await
            .expect("locking again is fine");
        let again = db
            .framework("4.0")
            .await
            .expect("load")
            .expect("present")
            .record
            .locked_at;
        assert!(first.is_some());
        assert_eq!(first, again, "the first lock time is kept");
    }
);

on_both!(
    a_changed_profile_replaces_its_targets,
    |db: TestDb| async move {
        registered(&db).await;
        let mut profile = caf::bundled_profile("govassure-baseline-caf3.2").expect("baseline");
        let unchanged = db.store_profile(&profile, "bundled").await.expect("store");
        assert_eq!(unchanged, ImportOutcome::Unchanged);

        profile.targets.insert("C2.b".into(), Status::Achieved);
        let replaced = db.store_profile(&profile, "imported").await.expect("store");
        assert_eq!(replaced, ImportOutcome::Replaced);
        let stored = db
            .profiles_for("3.2")
            .await
            .expect("profiles")
            .into_iter()
            .find(|p| p.profile.id == profile.id)
            .expect("stored");
        assert_eq!(stored.profile.targets, profile.targets);
        assert_eq!(stored.profile.targets.len(), 39);
        assert_eq!(stored.origin, "imported");
    }
);
