//! Turns stored frameworks and profiles into the shapes the pages show.

use crate::data::{StoredFramework, StoredProfile};
use crate::types::{
    FrameworkOverview, ObjectiveSummary, OutcomeDetail, OutcomeSummary, PrincipleSummary,
    ProfileSummary, ProfileTarget,
};

/// The version page's data: structure, counts and profiles, without the indicator texts.
pub fn overview(stored: StoredFramework, profiles: Vec<StoredProfile>) -> FrameworkOverview {
    let framework = stored.framework;
    FrameworkOverview {
        record: stored.record,
        attribution: framework.attribution.clone(),
        objectives: framework
            .objectives
            .into_iter()
            .map(|objective| ObjectiveSummary {
                id: objective.id,
                title: objective.title,
                description: objective.description,
                principles: objective
                    .principles
                    .into_iter()
                    .map(|principle| PrincipleSummary {
                        id: principle.id,
                        title: principle.title,
                        description: principle.description,
                        outcomes: principle
                            .outcomes
                            .into_iter()
                            .map(|outcome| OutcomeSummary {
                                counts: [
                                    outcome.indicators.not_achieved.len(),
                                    outcome.indicators.partially_achieved.len(),
                                    outcome.indicators.achieved.len(),
                                ],
                                id: outcome.id,
                                title: outcome.title,
                                description: outcome.description,
                            })
                            .collect(),
                    })
                    .collect(),
            })
            .collect(),
        profiles: profiles
            .into_iter()
            .map(|p| ProfileSummary {
                name: p.profile.spoken_name(),
                id: p.profile.id,
                source_name: p.profile.name,
                source: p.profile.source,
                certainty: p.profile.certainty,
                caveat: p.profile.caveat,
                targets: p.profile.targets,
            })
            .collect(),
    }
}

/// The outcome page's data, or `None` when the framework has no such outcome.
pub fn outcome_detail(
    framework: &caf::Framework,
    outcome_id: &str,
    profiles: &[StoredProfile],
) -> Option<OutcomeDetail> {
    let all: Vec<&caf::ContributingOutcome> = framework.outcomes().collect();
    let index = all.iter().position(|o| o.id == outcome_id)?;
    let neighbour = |i: Option<usize>| {
        i.and_then(|i| all.get(i))
            .map(|o| (o.id.clone(), o.title.clone()))
    };
    for objective in &framework.objectives {
        for principle in &objective.principles {
            if let Some(outcome) = principle.outcomes.iter().find(|o| o.id == outcome_id) {
                return Some(OutcomeDetail {
                    version: framework.version.clone(),
                    objective: (objective.id.clone(), objective.title.clone()),
                    principle: (
                        principle.id.clone(),
                        principle.title.clone(),
                        principle.description.clone(),
                    ),
                    outcome: outcome.clone(),
                    previous: neighbour(index.checked_sub(1)),
                    next: neighbour(Some(index + 1)),
                    targets: profiles
                        .iter()
                        .filter_map(|p| {
                            p.profile.targets.get(outcome_id).map(|t| ProfileTarget {
                                profile: p.profile.name.clone(),
                                target: *t,
                                certainty: p.profile.certainty,
                            })
                        })
                        .collect(),
                    guidance: framework.guidance.clone(),
                    attribution: framework.attribution.clone(),
                });
            }
        }
    }
    None
}
