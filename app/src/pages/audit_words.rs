//! The audit log in words: one plain-English line per record, and its facts as small tables.

use crate::types::{AuditRow, HIDDEN_CONTENT};
use std::collections::BTreeMap;

/// What a record's object is, in words: `user:15` is the person's name, `scope:3/outcome:A1.a`
/// is "outcome A1.a of scope 3".
pub fn object_words(row: &AuditRow) -> String {
    if let Some(name) = &row.object_name {
        return name.clone();
    }
    let part = |piece: &str| match piece.split_once(':') {
        Some(("user", id)) => format!("user {id}"),
        Some(("organisation", slug)) => format!("organisation {slug}"),
        Some(("assessment", id)) => format!("assessment {id}"),
        Some(("scope", id)) => format!("scope {id}"),
        Some(("outcome", id)) => format!("outcome {id}"),
        Some(("evidence", id)) => format!("evidence item {id}"),
        Some(("framework", v)) => format!("CAF {v}"),
        Some(("profile", p)) => format!("profile {p}"),
        Some(("system", id)) => format!("critical system {id}"),
        Some((kind, id)) => format!("{kind} {id}"),
        None => piece.to_owned(),
    };
    let mut pieces: Vec<String> = row.object.split('/').map(part).collect();
    pieces.reverse();
    pieces.join(" of ")
}

/// One sentence saying what happened, e.g. "Ann Jones changed the role of Bob Smith."
pub fn sentence(row: &AuditRow) -> String {
    let who = &row.actor;
    let what = object_words(row);
    let deed = match row.action.as_str() {
        "sign_in.success" => "signed in".to_owned(),
        "sign_in.password" => "entered a correct password (security key still to come)".to_owned(),
        "sign_in.failure" => "failed to sign in".to_owned(),
        "sign_in.throttled" => "was held back after too many failed sign-ins".to_owned(),
        "sign_in.reauthenticate" => "confirmed their identity again".to_owned(),
        "sign_out.elsewhere" => "signed out everywhere else".to_owned(),
        "recovery_codes.issue" => "was given new recovery codes".to_owned(),
        "recovery_code.used" => "signed in with a recovery code".to_owned(),
        "key.add" => "registered a security key".to_owned(),
        "key.rename" => "renamed a security key".to_owned(),
        "key.remove" => "removed a security key".to_owned(),
        "link.invite" => format!("created an invitation for {what}"),
        "link.setup" => "created a set-up link".to_owned(),
        "link.invite.accept" | "link.setup.accept" => {
            "accepted their link and set up an account".to_owned()
        }
        "invitation.accept" => "accepted an invitation".to_owned(),
        "invitation.decline" => "declined an invitation".to_owned(),
        "user.create" => format!("created the account of {what}"),
        "user.disable" => format!("disabled the account of {what}"),
        "user.platform_admin" => format!("made {what} a platform administrator"),
        "user.reset_factors" => format!("reset the security keys and recovery codes of {what}"),
        "organisation.create" => format!("added {what}"),
        "membership.set" => format!("set the role of {what}"),
        "membership.remove" => format!("removed {what} from the organisation"),
        "access.denied" => format!("was refused access to {what}"),
        "framework.register" => format!("registered {what}"),
        "framework.import" => format!("imported {what}"),
        "profile.register" => format!("registered {what}"),
        "assessment.create" => format!("created {what}"),
        "assessment.carry_forward" => {
            format!("started {what} by carrying forward last year's signed-off assessment")
        }
        "outcome.reconfirm" => format!("re-confirmed {what}, carried forward from last year"),
        "system.rename" => format!("renamed {what}"),
        "assessment.import" => format!("imported {what}"),
        "assessment.export" => format!("exported {what}"),
        "assessment.target" | "assessment.profile" => format!("changed the targets of {what}"),
        "outcome.save" => format!("saved answers to {what}"),
        "outcome.assign" => format!("assigned {what}"),
        "comment.add" => format!("commented on {what}"),
        "comment.resolve" => format!("resolved a comment on {what}"),
        "evidence.create" => format!("added {what} to the evidence register"),
        "evidence.update" => format!("changed the details of {what}"),
        "evidence.remove" => format!("removed {what} from the evidence register"),
        "evidence.download" => format!("downloaded {what}"),
        "evidence.link" => format!("linked evidence to {what}"),
        "evidence.unlink" => format!("unlinked evidence from {what}"),
        "evidence.missing" => format!("asked for {what}, whose file is missing"),
        "evidence.tampered" => format!("asked for {what}, whose file no longer matches its hash"),
        "plan.propose" => format!("proposed an improvement action for {what}"),
        "plan.update" => format!("updated an improvement action of {what}"),
        "scope.submit" => format!("submitted {what} for review"),
        "scope.return" => format!("returned {what} with comments"),
        "scope.accept" => format!("accepted {what} after review"),
        "scope.assure" => format!("assured {what}"),
        "scope.sign_off" => format!("signed off {what}"),
        other => {
            let words = other.replace(['.', '_'], " ");
            format!("did \u{201c}{words}\u{201d} to {what}")
        }
    };
    format!("{who} {deed}.")
}

/// A JSON value as short text for a table cell.
fn cell(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Null => "none".to_owned(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A JSON value flattened to dotted paths and cell texts.
fn flatten(prefix: &str, value: &serde_json::Value, into: &mut BTreeMap<String, String>) {
    match value {
        // An empty object has no facts (its keys appear on the other side of a change).
        serde_json::Value::Object(map) if map.is_empty() && !prefix.is_empty() => {}
        serde_json::Value::Object(map) if !map.is_empty() => {
            for (key, v) in map {
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                flatten(&path, v, into);
            }
        }
        other => {
            into.insert(prefix.to_owned(), cell(other));
        }
    }
}

/// Rows of (field, before, after).
pub type Changes = Vec<(String, String, String)>;
/// Rows of (field, value).
pub type Facts = Vec<(String, String)>;

/// The facts of a record: its before/after changes, and its other facts. Both empty when the
/// record has no detail.
pub fn detail_tables(detail: &str) -> (Changes, Facts) {
    let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(detail)
    else {
        return (Vec::new(), Vec::new());
    };
    let mut changes = Vec::new();
    if map.contains_key("before") || map.contains_key("after") {
        let null = serde_json::Value::Null;
        let (mut before, mut after) = (BTreeMap::new(), BTreeMap::new());
        flatten("", map.get("before").unwrap_or(&null), &mut before);
        flatten("", map.get("after").unwrap_or(&null), &mut after);
        let keys: std::collections::BTreeSet<&String> = before.keys().chain(after.keys()).collect();
        for key in keys {
            let (b, a) = (before.get(key), after.get(key));
            // Hidden content is only left in a record where it changed.
            let hidden = [b, a]
                .iter()
                .any(|v| v.is_some_and(|v| v == HIDDEN_CONTENT));
            if b != a || hidden {
                let field = if key.is_empty() { "value" } else { key };
                let show = |v: Option<&String>| v.cloned().unwrap_or_else(|| "none".into());
                changes.push((field.replace('_', " "), show(b), show(a)));
            }
        }
    }
    let mut facts = BTreeMap::new();
    for (key, value) in &map {
        if key != "before" && key != "after" {
            flatten(key, value, &mut facts);
        }
    }
    let facts = facts
        .into_iter()
        .map(|(k, v)| (k.replace('_', " "), v))
        .collect();
    (changes, facts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(action: &str, object: &str, name: Option<&str>, detail: &str) -> AuditRow {
        AuditRow {
            seq: 1,
            occurred_at: "2026-11-25T08:00:00Z".into(),
            actor: "Ann Jones".into(),
            actor_id: Some(1),
            action: action.into(),
            object: object.into(),
            object_name: name.map(str::to_owned),
            address: None,
            detail: detail.into(),
        }
    }

    #[test]
    fn lines_name_people_and_objects_in_words() {
        assert_eq!(
            sentence(&row("membership.set", "user:15", Some("Bob Smith"), "")),
            "Ann Jones set the role of Bob Smith."
        );
        assert_eq!(
            sentence(&row("outcome.save", "scope:3/outcome:A1.a", None, "")),
            "Ann Jones saved answers to outcome A1.a of scope 3."
        );
        assert_eq!(
            sentence(&row("sign_in.success", "user:1", Some("Ann Jones"), "")),
            "Ann Jones signed in."
        );
        assert!(!sentence(&row("new.thing", "x:1", None, "")).contains('`'));
    }

    #[test]
    fn before_and_after_become_rows_of_what_changed() {
        let (changes, facts) = detail_tables(
            r#"{"before":{"role":"assessor","answers":{"A1.a.1":"true"}},"after":{"role":"reviewer","answers":{"A1.a.1":"true"}},"organisation":"alpha"}"#,
        );
        assert_eq!(
            changes,
            vec![("role".into(), "assessor".into(), "reviewer".into())]
        );
        assert_eq!(facts, vec![("organisation".into(), "alpha".into())]);
        let (changes, _) =
            detail_tables(r#"{"before":{"answers":{}},"after":{"answers":{"A1.a.NA1":"false"}}}"#);
        assert_eq!(
            changes,
            vec![("answers.A1.a.NA1".into(), "none".into(), "false".into())],
            "an empty list is no row of its own"
        );
        assert_eq!(detail_tables(""), (Vec::new(), Vec::new()));
        let (changes, _) = detail_tables(r#"{"before":"draft","after":"in_review"}"#);
        assert_eq!(
            changes,
            vec![("value".into(), "draft".into(), "in_review".into())]
        );
        let (changes, _) = detail_tables(
            r#"{"before":{"narrative":"hidden: assessment content"},"after":{"narrative":"hidden: assessment content"}}"#,
        );
        assert_eq!(
            changes,
            vec![(
                "narrative".into(),
                HIDDEN_CONTENT.into(),
                HIDDEN_CONTENT.into()
            )],
            "a hidden change is still a change"
        );
    }
}
