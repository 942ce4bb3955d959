//! The re-confirmation page's data: per carried scope, its objectives with the carried outcomes
//! still waiting, grouped by the assessment's own framework.

use super::assessments::need;
use super::{DataError, Db, OrgScope};
use crate::cycle::{ReconfirmPageData, ReconfirmScope, WaitingObjective};
use crate::roles::Permission;

impl Db {
    /// The carried outcomes of an assessment that wait to be re-confirmed, per scope and
    /// objective (members who read assessments; not found outside the organisation).
    pub async fn reconfirm_page(
        &self,
        org: &OrgScope,
        assessment_id: i64,
    ) -> Result<ReconfirmPageData, DataError> {
        need(org, Permission::ReadAssessments)?;
        let assessment = self.assessment_summary(org, assessment_id).await?;
        let framework = self.framework_text(&assessment.framework_version).await?;
        let mut scopes = Vec::new();
        for s in &assessment.scopes {
            let Some(approach) = self.carry_approach(org, s.id).await? else {
                continue;
            };
            let carried = self.carried_outcomes(org, s.id).await?;
            let objectives = framework
                .objectives
                .iter()
                .filter(|o| s.kind.objectives().contains(&o.id.as_str()))
                .map(|o| WaitingObjective {
                    id: o.id.clone(),
                    title: o.title.clone(),
                    outcomes: carried
                        .iter()
                        .filter(|c| {
                            c.waiting
                                && framework
                                    .objective_of(&c.outcome)
                                    .is_some_and(|x| x.id == o.id)
                        })
                        .map(|c| {
                            let title = framework
                                .outcome(&c.outcome)
                                .map(|x| x.title.clone())
                                .unwrap_or_default();
                            (c.outcome.clone(), title, c.unchanged)
                        })
                        .collect(),
                })
                .collect();
            scopes.push(ReconfirmScope {
                scope: s.clone(),
                approach,
                objectives,
                reconfirmed: carried.iter().filter(|c| !c.waiting).count(),
            });
        }
        Ok(ReconfirmPageData {
            can_edit: org.role().can(Permission::EditAnswers),
            assessment,
            scopes,
        })
    }
}
