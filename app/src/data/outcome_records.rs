//! One outcome's record in one scope: reading it, saving the answers and status (with the
//! version check that catches a conflicting edit), assigning it, and its history.

use super::assessments::{
    Actor, need, not_found, outcome_object, parse_status, scope_outcomes, signed_off,
};
use super::audit::append_audit_in;
use super::{DataError, Db, OrgScope, now_utc};
use crate::assess::{
    AnswerInput, HistoryEntry, OutcomeDraft, OutcomeRecord, SaveResult, ScopeState, caf_answers,
    check_draft, valid_date,
};
use crate::roles::Permission;
use caf::Status;
use sqlx::Row;
use std::collections::BTreeMap;

impl Db {
    /// What is stored for one outcome of one scope.
    pub async fn outcome_record(
        &self,
        org: &OrgScope,
        scope_id: i64,
        outcome_id: &str,
    ) -> Result<OutcomeRecord, DataError> {
        need(org, Permission::ReadAssessments)?;
        self.scope_row(org, scope_id).await?;
        let row = sqlx::query(
            "SELECT o.confirmed_status, o.suggested_status, o.status_justification, o.narrative, \
             o.version, o.updated_at, u.display_name FROM scope_outcomes o \
             LEFT JOIN users u ON u.id = o.updated_by \
             WHERE o.scope_id = $1 AND o.outcome_id = $2",
        )
        .bind(scope_id)
        .bind(outcome_id)
        .fetch_optional(self.pool())
        .await?
        .ok_or_else(not_found)?;
        let answers = sqlx::query(
            "SELECT indicator_id, answer, justification FROM answers \
             WHERE scope_id = $1 AND outcome_id = $2 ORDER BY indicator_id",
        )
        .bind(scope_id)
        .bind(outcome_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            Ok(AnswerInput {
                indicator: r.try_get("indicator_id")?,
                answer: r.try_get("answer")?,
                justification: r.try_get("justification")?,
            })
        })
        .collect::<Result<Vec<_>, DataError>>()?;
        let confirmed: Option<String> = row.try_get("confirmed_status")?;
        Ok(OutcomeRecord {
            draft: OutcomeDraft {
                answers,
                confirmed,
                justification: row.try_get("status_justification")?,
                narrative: row.try_get("narrative")?,
            },
            suggested: parse_status(Some(row.try_get("suggested_status")?))?
                .unwrap_or(Status::NotAchieved),
            version: row.try_get("version")?,
            updated_at: row.try_get("updated_at")?,
            updated_by: row.try_get("display_name")?,
        })
    }

    /// Saves an outcome if nobody saved it since `base_version`; otherwise stores nothing and
    /// returns what is stored now, so the person can see what changed and re-apply their text.
    pub async fn save_outcome(
        &self,
        org: &OrgScope,
        scope_id: i64,
        outcome_id: &str,
        base_version: i64,
        draft: &OutcomeDraft,
        actor: &Actor,
    ) -> Result<SaveResult, DataError> {
        need(org, Permission::EditAnswers)?;
        let scope = self.scope_row(org, scope_id).await?;
        if !scope.state.editable() {
            return Err(DataError::Conflict(format!(
                "This scope is {}: answers cannot be changed now.",
                scope.state.label().to_lowercase()
            )));
        }
        let framework = self.framework_text(&scope.framework_version).await?;
        let outcome = scope_outcomes(&framework, scope.kind)
            .into_iter()
            .find(|o| o.id == outcome_id)
            .ok_or_else(not_found)?;
        let problems = check_draft(outcome, draft);
        if !problems.is_empty() {
            return Err(DataError::Invalid(problems.join(" ")));
        }
        let before = self.outcome_record(org, scope_id, outcome_id).await?;
        let suggested = caf::suggest_status(outcome, &caf_answers(&draft.answers)).status;
        let now = now_utc();
        let mut tx = self.write_tx().await?;
        // First take the scope's row (a row lock on PostgreSQL, the write lock on SQLite) while it
        // is still being answered: a Submit is then either wholly before this save (and the save
        // touches nothing) or wholly after it (and sees what was saved).
        let open = sqlx::query(
            "UPDATE scopes SET state = state WHERE id = $1 AND state IN ('draft', 'returned')",
        )
        .bind(scope_id)
        .execute(&mut *tx)
        .await?;
        // The version check and the state check happen in the statement that takes the write:
        // a concurrent save or a workflow step in between makes it touch no row.
        let done = if open.rows_affected() == 0 {
            open
        } else {
            sqlx::query(
            "UPDATE scope_outcomes SET confirmed_status = $1, suggested_status = $2, \
             status_justification = $3, narrative = $4, answered = $5, version = version + 1, \
             updated_at = $6, updated_by = $7, \
             reconfirmed_at = CASE WHEN carried_from IS NULL THEN NULL ELSE COALESCE(reconfirmed_at, $6) END, \
             reconfirmed_by = CASE WHEN carried_from IS NULL THEN NULL ELSE COALESCE(reconfirmed_by, $7) END \
             WHERE scope_id = $8 AND outcome_id = $9 AND version = $10 \
             AND (SELECT state FROM scopes WHERE id = $8) IN ('draft', 'returned')",
        )
        .bind(draft.confirmed.as_deref())
        .bind(suggested.key())
        .bind(draft.justification.trim())
        .bind(&draft.narrative)
        .bind(draft.answers.len() as i64)
        .bind(&now)
        .bind(org.user_id())
        .bind(scope_id)
        .bind(outcome_id)
        .bind(base_version)
        .execute(&mut *tx)
        .await?
        };
        if done.rows_affected() == 0 {
            tx.rollback().await?;
            let current = self.outcome_record(org, scope_id, outcome_id).await?;
            let scope = self.scope_row(org, scope_id).await?;
            if !scope.state.editable() {
                return Err(DataError::Conflict(format!(
                    "This scope is {}: answers cannot be changed now.",
                    scope.state.label().to_lowercase()
                )));
            }
            return Ok(SaveResult::Conflict(current));
        }
        sqlx::query("DELETE FROM answers WHERE scope_id = $1 AND outcome_id = $2")
            .bind(scope_id)
            .bind(outcome_id)
            .execute(&mut *tx)
            .await?;
        for answer in &draft.answers {
            sqlx::query(
                "INSERT INTO answers (scope_id, outcome_id, indicator_id, answer, justification) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(scope_id)
            .bind(outcome_id)
            .bind(&answer.indicator)
            .bind(&answer.answer)
            .bind(if answer.answer == "not_applicable" {
                answer.justification.trim()
            } else {
                ""
            })
            .execute(&mut *tx)
            .await?;
        }
        let version = base_version + 1;
        append_audit_in(
            &mut tx,
            actor.event(
                org,
                "outcome.save",
                outcome_object(scope_id, outcome_id),
                serde_json::json!({
                    "version": version,
                    "before": draft_change(&before.draft, before.suggested),
                    "after": draft_change(draft, suggested),
                }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(SaveResult::Saved {
            version,
            at: now,
            suggested,
        })
    }

    /// Assigns an outcome to a member who can answer it, with a due date (CAF lead).
    pub async fn assign_outcome(
        &self,
        org: &OrgScope,
        scope_id: i64,
        outcome_id: &str,
        assignee: Option<i64>,
        due: Option<&str>,
        actor: &Actor,
    ) -> Result<(), DataError> {
        need(org, Permission::LeadAssessment)?;
        let scope = self.scope_row(org, scope_id).await?;
        if scope.state == ScopeState::SignedOff {
            return Err(signed_off());
        }
        let due = due.map(str::trim).filter(|d| !d.is_empty());
        if let Some(d) = due
            && !valid_date(d)
        {
            return Err(DataError::Invalid(
                "Enter the due date as a date, like 2027-01-31.".into(),
            ));
        }
        if let Some(user) = assignee {
            let assignable = self.assignable_members(org).await?;
            if !assignable.iter().any(|(id, _)| *id == user) {
                return Err(DataError::Invalid(
                    "Assign the outcome to a member who can answer it (an assessor or CAF lead)."
                        .into(),
                ));
            }
        }
        let mut tx = self.write_tx().await?;
        let done = sqlx::query(
            "UPDATE scope_outcomes SET assignee_id = $1, due_date = $2 \
             WHERE scope_id = $3 AND outcome_id = $4",
        )
        .bind(assignee)
        .bind(due)
        .bind(scope_id)
        .bind(outcome_id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(not_found());
        }
        append_audit_in(
            &mut tx,
            actor.event(
                org,
                "outcome.assign",
                outcome_object(scope_id, outcome_id),
                serde_json::json!({ "assignee": assignee, "due": due }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Current members who may answer outcomes: (user id, name).
    pub async fn assignable_members(
        &self,
        org: &OrgScope,
    ) -> Result<Vec<(i64, String)>, DataError> {
        need(org, Permission::LeadAssessment)?;
        sqlx::query(
            "SELECT u.id, u.display_name FROM memberships m JOIN users u ON u.id = m.user_id \
             WHERE m.organisation_id = $1 AND m.role IN ('assessor', 'caf_lead') \
             AND u.disabled_at IS NULL AND (m.expires_at IS NULL OR m.expires_at > $2) \
             ORDER BY u.display_name",
        )
        .bind(org.organisation_id())
        .bind(now_utc())
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("display_name")?)))
        .collect()
    }

    /// An outcome's history: every audited change to it, newest first.
    pub async fn outcome_history(
        &self,
        org: &OrgScope,
        scope_id: i64,
        outcome_id: &str,
    ) -> Result<Vec<HistoryEntry>, DataError> {
        need(org, Permission::ReadAssessments)?;
        self.scope_row(org, scope_id).await?;
        let rows = sqlx::query(
            "SELECT occurred_at, actor, action, detail FROM audit_log \
             WHERE (object = $1 OR object = $2) AND organisation_id = $3 ORDER BY seq DESC LIMIT 200",
        )
        .bind(outcome_object(scope_id, outcome_id))
        .bind(format!("scope:{scope_id}"))
        .bind(org.organisation_id())
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let action: String = r.try_get("action")?;
                let detail: String = r.try_get("detail")?;
                let detail: serde_json::Value = serde_json::from_str(&detail).unwrap_or_default();
                Ok(HistoryEntry {
                    at: r.try_get("occurred_at")?,
                    actor: r.try_get("actor")?,
                    summary: super::history_words::describe_change(&action, &detail),
                    action,
                })
            })
            .collect()
    }
}

fn draft_change(draft: &OutcomeDraft, suggested: Status) -> serde_json::Value {
    serde_json::json!({
        "answers": draft.answers.iter().map(|a| (a.indicator.clone(), if a.answer == "not_applicable" { format!("not_applicable: {}", a.justification.trim()) } else { a.answer.clone() })).collect::<BTreeMap<_, _>>(),
        "suggested": suggested.key(),
        "confirmed": draft.confirmed,
        "justification": draft.justification,
        "narrative": draft.narrative,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assess::{AnswerInput, OutcomeDraft, ScopeKind, check_draft};

    #[test]
    fn drafts_are_checked_all_at_once() {
        let framework = caf::bundled_framework("4.0").unwrap();
        let outcome = framework.outcome("A1.a").unwrap();
        let first = outcome.indicators.achieved[0].id.clone();
        let draft = OutcomeDraft {
            answers: vec![
                AnswerInput {
                    indicator: "Z9.z.A1".into(),
                    answer: "true".into(),
                    justification: String::new(),
                },
                AnswerInput {
                    indicator: first.clone(),
                    answer: "not_applicable".into(),
                    justification: " ".into(),
                },
                AnswerInput {
                    indicator: first.clone(),
                    answer: "maybe".into(),
                    justification: String::new(),
                },
            ],
            confirmed: Some("achieved".into()),
            justification: String::new(),
            narrative: String::new(),
        };
        let problems = check_draft(outcome, &draft);
        assert_eq!(problems.len(), 5, "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("compensating measure")));
        assert!(problems.iter().any(|p| p.contains("explain why")));
    }

    #[test]
    fn scopes_cover_their_objectives() {
        let framework = caf::bundled_framework("4.0").unwrap();
        let org = scope_outcomes(&framework, ScopeKind::Organisation);
        let sys = scope_outcomes(&framework, ScopeKind::System);
        assert_eq!(org.len() + sys.len(), 41);
        assert!(
            org.iter()
                .all(|o| o.id.starts_with('A') || o.id.starts_with('D'))
        );
        assert!(
            sys.iter()
                .all(|o| o.id.starts_with('B') || o.id.starts_with('C'))
        );
    }
}
