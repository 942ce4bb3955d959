//! The CSV of outcome statuses: one row per scope and outcome, for spreadsheets.

use crate::assess::short_of_target;
use crate::data::assessments::{Actor, scope_outcomes};
use crate::data::{DataError, Db, OrgScope};
use caf::Status;
use sqlx::Row;
use std::collections::BTreeMap;

/// The header row, in column order.
pub const CSV_HEADER: [&str; 21] = [
    "assessment",
    "period",
    "framework",
    "scope",
    "scope kind",
    "objective",
    "principle",
    "outcome id",
    "outcome title",
    "target",
    "suggested",
    "confirmed",
    "differs from suggestion",
    "answered",
    "statements",
    "below target",
    "assignee",
    "due",
    "signed off by",
    "signed off at",
    "snapshot sha256",
];

/// One cell, safe for spreadsheets: text that a spreadsheet would run as a formula (starting
/// `=`, `+`, `-`, `@`, tab or carriage return) gets a leading apostrophe, and a cell holding a
/// comma, quote or line break is quoted as RFC 4180 says.
pub fn csv_cell(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if text.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

fn line(cells: &[String]) -> String {
    let mut out = cells
        .iter()
        .map(|c| csv_cell(c))
        .collect::<Vec<_>>()
        .join(",");
    out.push_str("\r\n");
    out
}

fn label(status: Option<Status>) -> String {
    status.map(|s| s.label().to_owned()).unwrap_or_default()
}

fn yes_no(value: bool) -> String {
    if value { "yes" } else { "no" }.to_owned()
}

impl Db {
    /// The assessment's outcome statuses as CSV (UTF-8, CRLF line ends, a header row).
    /// Audited as `assessment.export` with format `csv`.
    pub async fn assessment_csv(
        &self,
        org: &OrgScope,
        id: i64,
        actor: &Actor,
    ) -> Result<String, DataError> {
        let document = self.build_export(org, id).await?;
        let framework = self
            .framework_text(&document.assessment.framework_version)
            .await?;
        let assignees: BTreeMap<String, String> = sqlx::query(
            "SELECT DISTINCT u.email, u.display_name FROM scope_outcomes o \
             JOIN scopes s ON s.id = o.scope_id JOIN users u ON u.id = o.assignee_id \
             WHERE s.assessment_id = $1",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| Ok((r.try_get("email")?, r.try_get("display_name")?)))
        .collect::<Result<_, DataError>>()?;
        let a = &document.assessment;
        let mut out = line(&CSV_HEADER.map(str::to_owned));
        for scope in &document.scopes {
            let by_id: BTreeMap<&str, &super::ExportOutcome> =
                scope.outcomes.iter().map(|o| (o.id.as_str(), o)).collect();
            for outcome in scope_outcomes(&framework, scope.kind) {
                let Some(record) = by_id.get(outcome.id.as_str()) else {
                    continue;
                };
                let target = a.targets.get(&outcome.id).copied();
                let confirmed = record.confirmed.as_deref().and_then(Status::from_key);
                let suggested = record.suggested;
                out.push_str(&line(&[
                    a.title.clone(),
                    a.period.clone(),
                    a.framework_version.clone(),
                    scope.name.clone(),
                    scope.kind.key().to_owned(),
                    framework
                        .objective_of(&outcome.id)
                        .map(|o| o.id.clone())
                        .unwrap_or_default(),
                    framework
                        .principle_of(&outcome.id)
                        .map(|p| p.id.clone())
                        .unwrap_or_default(),
                    outcome.id.clone(),
                    outcome.title.clone(),
                    label(target),
                    label(suggested),
                    label(confirmed),
                    confirmed
                        .map(|c| yes_no(Some(c) != suggested))
                        .unwrap_or_default(),
                    record.answers.len().to_string(),
                    outcome.indicators.len().to_string(),
                    suggested
                        .and_then(|s| {
                            short_of_target(confirmed, s, !record.answers.is_empty(), target)
                        })
                        .map(yes_no)
                        .unwrap_or_default(),
                    record
                        .assignee
                        .as_ref()
                        .map(|e| assignees.get(e).cloned().unwrap_or_else(|| e.clone()))
                        .unwrap_or_default(),
                    record.due.clone().unwrap_or_default(),
                    scope
                        .sign_off
                        .as_ref()
                        .map(|s| s.approver.clone())
                        .unwrap_or_default(),
                    scope
                        .sign_off
                        .as_ref()
                        .map(|s| s.signed_at.clone())
                        .unwrap_or_default(),
                    scope
                        .sign_off
                        .as_ref()
                        .map(|s| s.sha256.clone())
                        .unwrap_or_default(),
                ]));
            }
        }
        self.append_audit(actor.event(
            org,
            "assessment.export",
            format!("assessment:{id}"),
            serde_json::json!({ "format": "csv", "title": a.title }),
        ))
        .await?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_quoted_and_formulas_neutralised() {
        assert_eq!(csv_cell("plain"), "plain");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("two\nlines"), "\"two\nlines\"");
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        for risky in ["+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert!(
                csv_cell(risky).trim_start_matches('"').starts_with('\''),
                "{risky:?}"
            );
        }
        assert_eq!(csv_cell(""), "");
    }
}
