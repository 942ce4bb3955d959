//! Builds the board report model from the scopes' records: every figure is computed here, once,
//! with the `caf` crate's comparison rule.

use super::chart::{Bar, BarGroup, StackedBars};
use super::compare::{PreviousYear, standing};
use super::model::*;
use super::movement::{Moved, change_sentences, movement_sentence, movements};
use super::signatures::{assurance, sign_off};
use super::words::{count, long_date, plural_outcomes};
use crate::assess::{ActionStatus, ScopeKind, ScopeState};
use crate::data::{ReportSources, Snapshot, SnapshotAction, scope_year, snapshot_kind};
use caf::{Framework, Status, compare_targets};
use std::collections::BTreeMap;

/// What the report needs besides its sources.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportOptions {
    /// The protective marking for every page.
    pub classification: String,
    /// Today (YYYY-MM-DD): the generation date, and the date a draft is judged at.
    pub today: String,
}

/// How many gaps the executive summary names.
const TOP_GAPS: usize = 5;

/// One scope's record with what every section needs from it.
pub(super) struct ScopeFacts<'a> {
    pub(super) name: String,
    pub(super) kind: ScopeKind,
    pub(super) snapshot: &'a Snapshot,
    pub(super) statuses: BTreeMap<String, Status>,
    pub(super) targets: BTreeMap<String, Status>,
}

/// Builds the report. A signed-off assessment's report depends only on its records and the
/// generation date; overdue actions and stale evidence are judged at the last sign-off.
pub fn build_report(sources: &ReportSources, options: &ReportOptions) -> BoardReport {
    let framework = &sources.framework;
    let draft = !sources.signed_off();
    let as_of = if draft {
        options.today.clone()
    } else {
        sources
            .scopes
            .iter()
            .filter_map(|s| s.stored.as_ref().map(|st| date_part(&st.signed_at)))
            .max()
            .unwrap_or_else(|| options.today.clone())
    };
    let facts: Vec<ScopeFacts> = sources
        .scopes
        .iter()
        .map(|s| ScopeFacts {
            name: s.snapshot.scope.name.clone(),
            kind: snapshot_kind(&s.snapshot),
            snapshot: &s.snapshot,
            statuses: s
                .snapshot
                .outcomes
                .iter()
                .filter_map(|o| standing(o).map(|st| (o.id.clone(), st)))
                .collect(),
            targets: s
                .snapshot
                .outcomes
                .iter()
                .filter_map(|o| {
                    let t = o.target.as_deref().and_then(Status::from_key)?;
                    Some((o.id.clone(), t))
                })
                .collect(),
        })
        .collect();
    let this_year: Vec<_> = sources
        .scopes
        .iter()
        .map(|s| scope_year(&s.snapshot, s.system_id))
        .collect();
    let previous = sources
        .previous
        .as_ref()
        .map(|p| PreviousYear::new(p, framework, &this_year));

    let mut table = Vec::new();
    let mut overall = Counts::default();
    let mut gaps = Vec::new();
    for scope in &facts {
        let comparison =
            compare_targets(framework, &sources.profile, &scope.targets, &scope.statuses);
        for group in comparison
            .objectives
            .iter()
            .filter(|g| scope.kind.objectives().contains(&g.id.as_str()))
        {
            let counts = Counts {
                outcomes: group.totals.outcomes,
                assessed: group.totals.assessed,
                meeting: group.totals.meeting,
                below: group.totals.below,
            };
            overall.outcomes += counts.outcomes;
            overall.assessed += counts.assessed;
            overall.meeting += counts.meeting;
            overall.below += counts.below;
            table.push(ObjectiveCounts {
                scope: scope.name.clone(),
                objective: group.id.clone(),
                title: group.title.clone(),
                counts,
            });
        }
        for row in comparison.below_target() {
            let Some(status) = row.status else { continue };
            let outcome = scope
                .snapshot
                .outcomes
                .iter()
                .find(|o| o.id == row.outcome_id);
            let mut actions: Vec<ActionLine> = outcome
                .map(|o| o.actions.iter())
                .into_iter()
                .flatten()
                .filter(|a| !is_closed(a))
                .map(|a| action_line(&scope.name, &row.outcome_id, a, &as_of))
                .collect();
            actions.sort_by(|a, b| b.overdue.cmp(&a.overdue).then(a.due.cmp(&b.due)));
            gaps.push(Gap {
                scope: scope.name.clone(),
                outcome: row.outcome_id.clone(),
                title: row.title.clone(),
                status,
                target: row.target,
                steps_short: steps(row.target) - steps(status),
                actions,
            });
        }
    }
    let order: BTreeMap<&str, usize> = framework
        .outcomes()
        .enumerate()
        .map(|(i, o)| (o.id.as_str(), i))
        .collect();
    gaps.sort_by(|a, b| {
        b.steps_short.cmp(&a.steps_short).then(
            order
                .get(a.outcome.as_str())
                .cmp(&order.get(b.outcome.as_str())),
        )
    });

    let heat_map = heat_map(framework, &facts, previous.as_ref());
    let bars = bars(framework, &facts, &sources.period, previous.as_ref());
    let movements = previous.as_ref().map(movements).unwrap_or_default();
    let summary = ExecutiveSummary {
        paragraphs: paragraphs(
            sources,
            &facts,
            overall,
            draft,
            previous.as_ref(),
            &movements,
        ),
        table,
        overall,
        top_gaps: gaps
            .iter()
            .take(TOP_GAPS)
            .map(|g| {
                format!(
                    "{}: {} {} is {}, against a target of {}.",
                    g.scope,
                    g.outcome,
                    g.title,
                    g.status.label().to_lowercase(),
                    g.target.label().to_lowercase()
                )
            })
            .collect(),
        changes: change_sentences(&movements),
    };
    let closed_since = previous.as_ref().map(|p| date_part(&p.signed_at));
    let closed_actions = facts
        .iter()
        .flat_map(|scope| {
            scope.snapshot.outcomes.iter().flat_map(move |o| {
                o.actions
                    .iter()
                    .filter(|a| is_closed(a))
                    .map(move |a| (scope, o, a))
            })
        })
        .filter(|(_, _, a)| match (&closed_since, &a.closed_at) {
            (Some(since), Some(at)) => date_part(at) >= *since,
            _ => true,
        })
        .map(|(scope, o, a)| action_line(&scope.name, &o.id, a, &as_of))
        .collect();

    BoardReport {
        draft,
        classification: options.classification.clone(),
        organisation: sources.organisation.clone(),
        title: sources.title.clone(),
        period: sources.period.clone(),
        framework: format!("CAF {}", framework.version),
        profile: sources.profile.clone(),
        generated_on: options.today.clone(),
        board_question: board_question(sources, draft, overall),
        scopes: sources
            .scopes
            .iter()
            .zip(&facts)
            .map(|(s, f)| ScopeColumn {
                name: f.name.clone(),
                kind_label: match f.kind {
                    ScopeKind::Organisation => "Organisation (objectives A and D)".into(),
                    ScopeKind::System => "Critical system (objectives B and C)".into(),
                },
                state: s.state.label().to_owned(),
                objectives: f
                    .kind
                    .objectives()
                    .iter()
                    .map(|o| (*o).to_owned())
                    .collect(),
            })
            .collect(),
        summary,
        heat_map,
        bars,
        gaps,
        closed_actions,
        assurance: assurance(&facts, &as_of),
        sign_off: sources
            .scopes
            .iter()
            .zip(&facts)
            .map(|(s, f)| sign_off(s, &f.name))
            .collect(),
        appendix: facts
            .iter()
            .map(|f| AppendixScope {
                scope: f.name.clone(),
                outcomes: f
                    .snapshot
                    .outcomes
                    .iter()
                    .map(|o| AppendixOutcome {
                        outcome: o.id.clone(),
                        title: framework
                            .outcome(&o.id)
                            .map(|x| x.title.clone())
                            .unwrap_or_default(),
                        status: f.statuses.get(&o.id).copied(),
                        target: f.targets.get(&o.id).copied(),
                        narrative: o.narrative.trim().to_owned(),
                        evidence: o.evidence.iter().map(|e| e.title.clone()).collect(),
                    })
                    .collect(),
            })
            .collect(),
        previous: previous.as_ref().map(|p| p.describe()),
        attribution: caf::ATTRIBUTION.to_owned(),
    }
}

/// A status's rank: 0 not achieved, 1 partially, 2 achieved.
fn steps(status: Status) -> u8 {
    match status {
        Status::NotAchieved => 0,
        Status::PartiallyAchieved => 1,
        Status::Achieved => 2,
    }
}

/// The date part of an RFC 3339 time.
pub(crate) fn date_part(at: &str) -> String {
    at.chars().take(10).collect()
}

fn is_closed(action: &SnapshotAction) -> bool {
    ActionStatus::from_key(&action.status).is_some_and(ActionStatus::closed)
}

fn action_line(scope: &str, outcome: &str, action: &SnapshotAction, as_of: &str) -> ActionLine {
    let closed = is_closed(action);
    ActionLine {
        scope: scope.to_owned(),
        outcome: outcome.to_owned(),
        description: action.description.clone(),
        owner: action.owner.clone(),
        due: action.due.as_deref().map(long_date),
        status: ActionStatus::from_key(&action.status)
            .map_or_else(|| action.status.clone(), |s| s.label().to_owned()),
        overdue: !closed && action.due.as_deref().is_some_and(|d| d < as_of),
        closed_on: action
            .closed_at
            .as_deref()
            .filter(|_| closed)
            .map(|at| long_date(&date_part(at))),
    }
}

fn heat_map(
    framework: &Framework,
    facts: &[ScopeFacts],
    previous: Option<&PreviousYear>,
) -> HeatMap {
    let objectives = framework
        .objectives
        .iter()
        .map(|objective| HeatObjective {
            id: objective.id.clone(),
            title: objective.title.clone(),
            principles: objective
                .principles
                .iter()
                .map(|principle| HeatPrinciple {
                    id: principle.id.clone(),
                    title: principle.title.clone(),
                    rows: principle
                        .outcomes
                        .iter()
                        .map(|outcome| {
                            let target = facts.iter().find_map(|f| f.targets.get(&outcome.id)).copied();
                            HeatRow {
                                outcome: outcome.id.clone(),
                                title: outcome.title.clone(),
                                target: status_letter(target).to_owned(),
                                cells: facts
                                    .iter()
                                    .enumerate()
                                    .map(|(index, f)| {
                                        let applies =
                                            f.kind.objectives().contains(&objective.id.as_str());
                                        let status = f.statuses.get(&outcome.id).copied();
                                        let target = f.targets.get(&outcome.id).copied();
                                        HeatCell {
                                            applies,
                                            status,
                                            target,
                                            below: applies
                                                && matches!((status, target), (Some(s), Some(t)) if s < t),
                                            movement: previous
                                                .filter(|_| applies)
                                                .map(|p| p.movement(index, &outcome.id)),
                                        }
                                    })
                                    .collect(),
                            }
                        })
                        .collect(),
                })
                .collect(),
        })
        .collect();
    HeatMap {
        columns: facts.iter().map(|f| f.name.clone()).collect(),
        objectives,
    }
}

/// Counts of the statuses of one objective's outcomes over the scopes assessed against it.
fn objective_bar(
    label: &str,
    objective: &caf::Objective,
    scopes: impl Iterator<Item = (ScopeKind, BTreeMap<String, Status>)>,
) -> Bar {
    let mut bar = Bar {
        label: label.to_owned(),
        not_achieved: 0,
        partially: 0,
        achieved: 0,
        not_assessed: 0,
    };
    for (kind, statuses) in scopes {
        if !kind.objectives().contains(&objective.id.as_str()) {
            continue;
        }
        for outcome in objective.principles.iter().flat_map(|p| &p.outcomes) {
            match statuses.get(&outcome.id) {
                Some(Status::NotAchieved) => bar.not_achieved += 1,
                Some(Status::PartiallyAchieved) => bar.partially += 1,
                Some(Status::Achieved) => bar.achieved += 1,
                None => bar.not_assessed += 1,
            }
        }
    }
    bar
}

fn bars(
    framework: &Framework,
    facts: &[ScopeFacts],
    period: &str,
    previous: Option<&PreviousYear>,
) -> StackedBars {
    let groups = framework
        .objectives
        .iter()
        .map(|objective| {
            let mut bars = vec![objective_bar(
                period,
                objective,
                facts.iter().map(|f| (f.kind, f.statuses.clone())),
            )];
            if let Some(p) = previous
                && let Some(old) = p.framework.objective(&objective.id)
            {
                bars.push(objective_bar(&p.period, old, p.scope_statuses()));
            }
            BarGroup {
                id: objective.id.clone(),
                title: objective.title.clone(),
                bars,
            }
        })
        .collect();
    StackedBars {
        title: match previous {
            Some(p) => format!("Outcomes by objective, {period} beside {}", p.period),
            None => format!("Outcomes by objective, {period}"),
        },
        groups,
    }
}

fn paragraphs(
    sources: &ReportSources,
    facts: &[ScopeFacts],
    overall: Counts,
    draft: bool,
    previous: Option<&PreviousYear>,
    movements: &[Moved],
) -> Vec<String> {
    let systems: Vec<&str> = facts
        .iter()
        .filter(|f| f.kind == ScopeKind::System)
        .map(|f| f.name.as_str())
        .collect();
    let mut out = Vec::new();
    let mut scope_sentence = format!(
        "{} assessed itself against the NCSC Cyber Assessment Framework (CAF {}) for {}, with the {} as its target profile.",
        sources.organisation, sources.framework.version, sources.period, sources.profile
    );
    if facts.iter().any(|f| f.kind == ScopeKind::Organisation) {
        scope_sentence
            .push_str(" The organisation as a whole was assessed against objectives A and D");
        if systems.is_empty() {
            scope_sentence.push('.');
        } else {
            scope_sentence.push_str(&format!(
                ", and {} against objectives B and C: {}.",
                count(systems.len(), "critical system", "critical systems"),
                systems.join("; ")
            ));
        }
    }
    out.push(scope_sentence);
    let mut standing = format!(
        "Of {} assessed, {} meet the target profile and {} fall short of it.",
        plural_outcomes(overall.assessed),
        overall.meeting,
        overall.below
    );
    let unassessed = overall.outcomes - overall.assessed;
    if unassessed > 0 {
        standing.push_str(&format!(
            " A further {} not yet assessed.",
            count(unassessed, "outcome is", "outcomes are")
        ));
    }
    out.push(standing);
    if draft {
        let signed = sources
            .scopes
            .iter()
            .filter(|s| s.state == ScopeState::SignedOff)
            .count();
        out.push(format!(
            "This is a draft: {signed} of {} signed off. Its figures may change before sign-off.",
            count(sources.scopes.len(), "scope is", "scopes are")
        ));
    } else {
        let mut approvers: Vec<String> = sources
            .scopes
            .iter()
            .filter_map(|s| sign_off(s, "").approver)
            .collect();
        approvers.dedup();
        out.push(format!(
            "Every scope was reviewed internally, independently assured and signed off by {}.",
            approvers.join(" and ")
        ));
    }
    match previous {
        Some(p) => out.push(movement_sentence(p, movements)),
        None => out.push(format!(
            "There is no earlier signed-off assessment of {} to compare with.",
            sources.organisation
        )),
    }
    out
}

fn board_question(sources: &ReportSources, draft: bool, overall: Counts) -> String {
    if draft {
        format!(
            "The board is asked to note the progress of the CAF self-assessment for {}, which is not yet signed off.",
            sources.period
        )
    } else {
        format!(
            "The board is asked to note the signed-off CAF self-assessment for {}, including {} below the target profile, and to agree the improvement plan in section 4.",
            sources.period,
            plural_outcomes(overall.below)
        )
    }
}
