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

/// A cell's text, safe for spreadsheets: text that a spreadsheet would run as a formula
/// (starting `=`, `+`, `-`, `@`, tab or carriage return) gets a leading apostrophe. Quoting is
/// the `csv` crate's (RFC 4180).
pub fn formula_safe(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

/// Rows as CSV: UTF-8, CRLF line ends, fields quoted only where RFC 4180 needs it, every cell
/// made formula-safe.
pub fn csv_rows<I, R>(rows: I) -> Result<String, DataError>
where
    I: IntoIterator<Item = R>,
    R: IntoIterator<Item = String>,
{
    let mut writer = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::CRLF)
        .flexible(true)
        .from_writer(Vec::new());
    for row in rows {
        writer
            .write_record(row.into_iter().map(|cell| formula_safe(&cell)))
            .map_err(|e| DataError::Document(format!("writing CSV: {e}")))?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| DataError::Document(format!("writing CSV: {e}")))?;
    String::from_utf8(bytes).map_err(|e| DataError::Document(format!("writing CSV: {e}")))
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
        let mut rows: Vec<Vec<String>> = vec![CSV_HEADER.map(str::to_owned).to_vec()];
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
                rows.push(vec![
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
                ]);
            }
        }
        self.append_audit(actor.event(
            org,
            "assessment.export",
            format!("assessment:{id}"),
            serde_json::json!({ "format": "csv", "title": a.title }),
        ))
        .await?;
        csv_rows(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(cell: &str) -> String {
        csv_rows([vec![cell.to_owned(), "next".to_owned()]])
            .expect("csv")
            .trim_end_matches("\r\n")
            .trim_end_matches(",next")
            .to_owned()
    }

    #[test]
    fn cells_are_quoted_and_formulas_neutralised() {
        assert_eq!(one("plain"), "plain");
        assert_eq!(one("a,b"), "\"a,b\"");
        assert_eq!(one("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(one("two\nlines"), "\"two\nlines\"");
        assert_eq!(one("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        for risky in ["+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert!(
                one(risky).trim_start_matches('"').starts_with('\''),
                "{risky:?}"
            );
        }
        assert_eq!(one(""), "");
        assert_eq!(
            csv_rows([
                vec!["a".to_owned(), "b".to_owned()],
                vec!["c".to_owned(), String::new()]
            ])
            .expect("csv"),
            "a,b\r\nc,\r\n"
        );
    }
}
