//! Reading an export document back in: every check first, with every problem reported at once
//! and where it is; then one transaction, so a failure part-way stores nothing.
//!
//! Three jobs, three modules: `read` parses the document piece by piece, `check` holds it
//! against this installation and organisation and makes the plan, `write` stores the plan.

mod check;
mod read;
mod write;

use crate::data::assessments::{Actor, need};
use crate::data::exchange::{ImportError, ImportProblem, ImportReport, MAX_IMPORT_BYTES};
use crate::data::{Db, OrgScope};
use crate::roles::Permission;
use read::read_document;

/// Problems found so far, in document order.
#[derive(Default)]
pub(super) struct Problems(Vec<ImportProblem>);

impl Problems {
    pub(super) fn add(&mut self, at: impl Into<String>, message: impl Into<String>) {
        self.0.push(ImportProblem {
            at: at.into(),
            message: message.into(),
        });
    }
}

impl Db {
    /// Imports an export document as a new assessment of this organisation (CAF lead).
    ///
    /// Everything is checked before anything is written, and every problem is returned at once
    /// with its place in the document; then all of it is written in one transaction. Scopes start
    /// as drafts; comments are not re-created (see `docs/assessment-export.md`). Audited as
    /// `assessment.import`.
    pub async fn import_assessment(
        &self,
        org: &OrgScope,
        text: &str,
        title_override: Option<&str>,
        actor: &Actor,
    ) -> Result<ImportReport, ImportError> {
        need(org, Permission::LeadAssessment)?;
        let mut problems = Problems::default();
        if text.len() > MAX_IMPORT_BYTES {
            problems.add(
                "$",
                format!(
                    "the file is larger than {} MiB.",
                    MAX_IMPORT_BYTES / (1024 * 1024)
                ),
            );
            return Err(ImportError::Rejected(problems.0));
        }
        let Some(read) = read_document(text, &mut problems) else {
            return Err(ImportError::Rejected(problems.0));
        };
        let plan = self
            .check_import(org, read, title_override, &mut problems)
            .await?;
        let plan = match plan {
            Some(plan) if problems.0.is_empty() => plan,
            _ => return Err(ImportError::Rejected(problems.0)),
        };
        let id = self.write_import(org, &plan, actor).await?;
        Ok(ImportReport {
            assessment_id: id,
            notes: plan.notes,
        })
    }
}
