//! One year's assessment, made as the council's people would make it: the CAF lead starts it
//! and assigns outcomes, assessors answer every statement and link evidence, the reviewer
//! questions and accepts, the assurer proposes plan actions and assures, the CAF lead agrees the
//! plan and the SIRO signs every scope off.

use super::answers::{
    Year, answers_for, confirmed_status, differing_suggestion, override_justification,
};
use super::evidence::Register;
use super::narratives::{Subject, narrative};
use super::people::{Member, Team, scope};
use super::plan::{PlannedAction, REVIEW_THREADS, actions_for, progress_note};
use anyhow::{Context, bail};
use app::assess::{ActionStatus, OutcomeDraft, SaveResult, ScopeKind, WorkflowAction};
use app::data::{Db, NewAssessment};
use caf::Status;
use std::collections::BTreeMap;

/// The organisation scope's description.
const ORGANISATION_SCOPE: &str = "The council's governance, risk management, supply chain, incident response and lessons learned (objectives A and D), across all directorates and the shared ICT service.";

/// The two critical systems, with what they do.
pub const SYSTEMS: [(&str, &str); 2] = [
    (
        "Revenues and benefits (Civica OpenRevenues)",
        "Council tax, business rates and housing benefit for 210,000 households; hosted by the supplier, with interfaces to the DWP and the council's finance system.",
    ),
    (
        "Adult social care case management (Liquidlogic)",
        "Case records, assessments and care packages for 14,000 adults; hosted in the council's data centre, used by social workers and commissioned providers.",
    ),
];

/// What to make for one year.
pub struct YearSpec {
    /// Which year.
    pub year: Year,
    /// The assessment's title.
    pub title: &'static str,
    /// The period it covers.
    pub period: &'static str,
    /// The CAF version.
    pub version: &'static str,
    /// The target profile's id.
    pub profile: &'static str,
}

/// One scope's figures, for the summary the command prints.
#[derive(Debug, Clone)]
pub struct ScopeFigures {
    /// The scope's name.
    pub name: String,
    /// Outcomes answered, by confirmed status: not, partially, achieved.
    pub counts: [usize; 3],
    /// Outcomes below target.
    pub below_target: usize,
    /// Plan actions.
    pub actions: usize,
}

/// What a year made.
pub struct YearResult {
    /// The assessment's id.
    pub id: i64,
    /// Each outcome's confirmed status, by scope key and lineage (the CAF 3.2 id).
    pub statuses: BTreeMap<String, Status>,
    /// Plan actions with the status they reach after sign-off.
    pub later: Vec<(i64, ActionStatus)>,
    /// Per scope figures.
    pub figures: Vec<ScopeFigures>,
}

const SCOPE_KEYS: [&str; 3] = ["org", "sys1", "sys2"];

/// Makes one year's assessment and takes every scope to sign-off.
pub async fn build_year(
    db: &Db,
    slug: &str,
    team: &Team,
    register: &Register,
    spec: &YearSpec,
    previous: Option<&BTreeMap<String, Status>>,
) -> anyhow::Result<YearResult> {
    let lead = scope(db, slug, team.lead()).await?;
    let id = db
        .create_assessment(
            &lead,
            &NewAssessment {
                title: spec.title.to_owned(),
                period: spec.period.to_owned(),
                framework_version: spec.version.to_owned(),
                profile: spec.profile.to_owned(),
                own_profile: false,
                organisation_description: ORGANISATION_SCOPE.to_owned(),
                systems: SYSTEMS
                    .iter()
                    .map(|(n, d)| ((*n).to_owned(), (*d).to_owned()))
                    .collect(),
            },
            &team.lead().actor,
        )
        .await
        .with_context(|| format!("cannot create {}", spec.title))?;
    let summary = db.assessment_summary(&lead, id).await?;
    let targets = db.assessment_targets(&lead, id).await?;
    let framework = db
        .framework(spec.version)
        .await?
        .with_context(|| format!("CAF {} is not stored", spec.version))?
        .framework;
    let crosswalk = caf::bundled_crosswalk();
    let mut result = YearResult {
        id,
        statuses: BTreeMap::new(),
        later: Vec::new(),
        figures: Vec::new(),
    };
    for (position, scope_summary) in summary.scopes.iter().enumerate() {
        let scope_key = SCOPE_KEYS[position.min(2)];
        let scope_id = scope_summary.id;
        let scope_name = match scope_summary.kind {
            ScopeKind::Organisation => "the council".to_owned(),
            ScopeKind::System => scope_summary.name.clone(),
        };
        let mut figures = ScopeFigures {
            name: scope_summary.name.clone(),
            counts: [0; 3],
            below_target: 0,
            actions: 0,
        };
        let mut gaps: Vec<(i32, String)> = Vec::new();
        let outcomes = framework
            .objectives
            .iter()
            .filter(|o| scope_summary.kind.objectives().contains(&o.id.as_str()))
            .flat_map(|o| o.principles.iter().flat_map(|p| p.outcomes.iter()));
        for (n, outcome) in outcomes.enumerate() {
            let lineage = if spec.year == Year::This {
                crosswalk.predecessor(&outcome.id).unwrap_or(&outcome.id)
            } else {
                &outcome.id
            };
            let key = format!("{scope_key}/{lineage}");
            let target = targets
                .get(&outcome.id)
                .copied()
                .unwrap_or(Status::PartiallyAchieved);
            let confirmed = confirmed_status(outcome, target, &key, spec.year);
            let suggested =
                differing_suggestion(outcome, confirmed, &key, spec.year).unwrap_or(confirmed);
            let assessor = team.assessor(n + position);
            let due = match spec.year {
                Year::Last => "2026-01-30",
                Year::This => "2026-10-30",
            };
            db.assign_outcome(
                &lead,
                scope_id,
                &outcome.id,
                Some(assessor.actor.user_id),
                Some(due),
                &team.lead().actor,
            )
            .await?;
            let as_assessor = scope(db, slug, assessor).await?;
            let draft = OutcomeDraft {
                answers: answers_for(outcome, suggested, &format!("{key}/{}", spec.year.key())),
                confirmed: Some(confirmed.key().to_owned()),
                justification: if suggested == confirmed {
                    String::new()
                } else {
                    override_justification(confirmed, suggested, &scope_name)
                },
                narrative: narrative(&Subject {
                    id: &outcome.id,
                    title: &outcome.title,
                    scope: &scope_name,
                    system: scope_summary.kind == ScopeKind::System,
                    status: confirmed,
                    previous: previous.and_then(|p| p.get(&key).copied()),
                    year: spec.year,
                    key: &format!("{key}/{}", spec.year.key()),
                }),
            };
            let base = db
                .outcome_record(&as_assessor, scope_id, &outcome.id)
                .await?
                .version;
            match db
                .save_outcome(
                    &as_assessor,
                    scope_id,
                    &outcome.id,
                    base,
                    &draft,
                    &assessor.actor,
                )
                .await?
            {
                SaveResult::Saved { suggested: s, .. } if s == suggested => {}
                other => bail!(
                    "{} {}: unexpected save result {other:?}",
                    scope_key,
                    outcome.id
                ),
            }
            for evidence in register.for_outcome(&outcome.id, spec.year, &key) {
                db.link_evidence(
                    &as_assessor,
                    evidence,
                    scope_id,
                    &outcome.id,
                    true,
                    &assessor.actor,
                )
                .await?;
            }
            figures.counts[confirmed as usize] += 1;
            if confirmed < target {
                figures.below_target += 1;
                gaps.push((target as i32 - confirmed as i32, outcome.id.clone()));
            }
            result.statuses.insert(key, confirmed);
        }
        // Worst gaps first; framework order within the same distance.
        gaps.sort_by_key(|gap| std::cmp::Reverse(gap.0));
        let gaps: Vec<String> = gaps.into_iter().map(|(_, id)| id).collect();
        let actions = actions_for(&gaps, scope_key, spec.year);
        figures.actions = actions.len();
        let later = review_and_sign_off(
            db,
            slug,
            team,
            scope_id,
            &gaps,
            &actions,
            spec.year == Year::Last && position == 1,
        )
        .await
        .with_context(|| format!("workflow of {}", scope_summary.name))?;
        result.later.extend(later);
        result.figures.push(figures);
    }
    Ok(result)
}

/// Takes a scope from draft to signed off: submit, (return once and resubmit, if `return_once`),
/// review comments, accept, plan actions proposed and agreed, assure, sign off. Returns the
/// actions that move on after sign-off.
async fn review_and_sign_off(
    db: &Db,
    slug: &str,
    team: &Team,
    scope_id: i64,
    gaps: &[String],
    actions: &[PlannedAction],
    return_once: bool,
) -> anyhow::Result<Vec<(i64, ActionStatus)>> {
    let assessor = team.assessor(0);
    let reviewer = team.reviewer();
    let as_assessor = scope(db, slug, assessor).await?;
    let as_reviewer = scope(db, slug, reviewer).await?;
    let mut first_outcome = gaps.first().cloned();
    if first_outcome.is_none() {
        first_outcome = Some(db.first_outcome(&as_assessor, scope_id).await?);
    }
    let first_outcome = first_outcome.unwrap_or_default();
    workflow(db, slug, assessor, scope_id, WorkflowAction::Submit, None).await?;
    if return_once {
        workflow(
            db,
            slug,
            reviewer,
            scope_id,
            WorkflowAction::Return,
            Some((&first_outcome, "Please check the evidence dates on this outcome and say which year's supplier report the narrative relies on, then resubmit.")),
        )
        .await?;
        workflow(db, slug, assessor, scope_id, WorkflowAction::Submit, None).await?;
    }
    // The review conversation: on up to three gaps, a question, an answer, resolved.
    for (outcome_id, (question, answer)) in gaps.iter().zip(REVIEW_THREADS) {
        let comment = db
            .add_comment(
                &as_reviewer,
                scope_id,
                outcome_id,
                question,
                &reviewer.actor,
            )
            .await?;
        db.add_comment(&as_assessor, scope_id, outcome_id, answer, &assessor.actor)
            .await?;
        if outcome_id != &first_outcome {
            db.resolve_comment(&as_reviewer, comment, &reviewer.actor)
                .await?;
        }
    }
    workflow(db, slug, reviewer, scope_id, WorkflowAction::Accept, None).await?;
    let assurer = team.assurer();
    let lead = team.lead();
    let as_assurer = scope(db, slug, assurer).await?;
    let as_lead = scope(db, slug, lead).await?;
    let mut later = Vec::new();
    for action in actions {
        let (who, as_who) = if action.by_lead {
            (lead, &as_lead)
        } else {
            (assurer, &as_assurer)
        };
        let id = db
            .propose_action(
                as_who,
                scope_id,
                &action.outcome_id,
                &action.description,
                action.owner,
                Some(action.due),
                &who.actor,
            )
            .await?;
        if !action.by_lead {
            db.update_action(
                &as_lead,
                id,
                ActionStatus::Open,
                progress_note(ActionStatus::Open),
                &lead.actor,
            )
            .await?;
        }
        if action.at_sign_off != ActionStatus::Open {
            db.update_action(
                &as_lead,
                id,
                action.at_sign_off,
                progress_note(action.at_sign_off),
                &lead.actor,
            )
            .await?;
        }
        if let Some(status) = action.later.filter(|s| *s != action.at_sign_off) {
            later.push((id, status));
        }
    }
    workflow(db, slug, assurer, scope_id, WorkflowAction::Assure, None).await?;
    workflow(
        db,
        slug,
        team.approver(),
        scope_id,
        WorkflowAction::SignOff,
        None,
    )
    .await?;
    Ok(later)
}

async fn workflow(
    db: &Db,
    slug: &str,
    member: &Member,
    scope_id: i64,
    action: WorkflowAction,
    comment: Option<(&str, &str)>,
) -> anyhow::Result<()> {
    let as_member = scope(db, slug, member).await?;
    db.workflow_step(&as_member, scope_id, action, comment, &member.actor)
        .await
        .with_context(|| format!("{} by {}", action.key(), member.person.email))?;
    Ok(())
}

/// Moves last year's actions on after its sign-off, as happens during the year.
pub async fn close_actions(
    db: &Db,
    slug: &str,
    team: &Team,
    later: &[(i64, ActionStatus)],
) -> anyhow::Result<()> {
    let as_lead = scope(db, slug, team.lead()).await?;
    for (id, status) in later {
        db.update_action(
            &as_lead,
            *id,
            *status,
            progress_note(*status),
            &team.lead().actor,
        )
        .await?;
    }
    Ok(())
}
