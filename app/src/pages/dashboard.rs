//! An assessment's dashboard: progress by scope and objective, the grid of outcomes against the
//! profile, overdue assignments, stale evidence and open comments.

use crate::assess::{Dashboard, GridCell, ScopeGrid, ScopeState};
use crate::assess_api::{AssignOutcome, SetTarget, assessment_dashboard};
use crate::components::{ErrorPanel, FormError, Loading, StatusTag, when};
use crate::roles::Permission;
use caf::Status;
use leptos::prelude::*;
use leptos_meta::Title;

/// The dashboard page.
#[component]
pub fn AssessmentPage() -> impl IntoView {
    let key = super::assessment_address();
    let data = Resource::new(key, |(slug, id)| assessment_dashboard(slug, id));
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    Ok(dashboard) => view! { <DashboardView dashboard slug=key().0 /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn tile_class(cell: &GridCell) -> &'static str {
    match cell.confirmed {
        Some(Status::Achieved) => "tile tile--green",
        Some(Status::PartiallyAchieved) => "tile tile--amber",
        Some(Status::NotAchieved) => "tile tile--red",
        None => "tile tile--grey",
    }
}

#[component]
fn DashboardView(dashboard: Dashboard, slug: String) -> impl IntoView {
    let a = dashboard.assessment.clone();
    let base = format!("/org/{slug}/assessments/{}", a.id);
    let lead = dashboard.role.can(Permission::LeadAssessment);
    let cells: Vec<(&ScopeGrid, &GridCell)> = dashboard
        .grids
        .iter()
        .flat_map(|g| g.cells.iter().map(move |c| (g, c)))
        .collect();
    let overdue: Vec<String> = cells
        .iter()
        .filter(|(_, c)| c.overdue)
        .map(|(g, c)| {
            format!(
                "{} {} ({}): due {}, assigned to {}",
                c.outcome,
                c.title,
                g.scope.name,
                c.due.clone().unwrap_or_default(),
                c.assignee.clone().unwrap_or_else(|| "nobody".into())
            )
        })
        .collect();
    let stale: Vec<String> = cells
        .iter()
        .filter(|(_, c)| c.stale_evidence > 0)
        .map(|(g, c)| {
            format!(
                "{} ({}): {} past review-by",
                c.outcome,
                g.scope.name,
                crate::components::count(c.stale_evidence, "item", "items")
            )
        })
        .collect();
    let comments: Vec<(String, String)> = cells
        .iter()
        .filter(|(_, c)| c.open_comments > 0)
        .map(|(g, c)| {
            (
                format!("{base}/scopes/{}/outcomes/{}", g.scope.id, c.outcome),
                format!("{} ({}): {} open", c.outcome, g.scope.name, c.open_comments),
            )
        })
        .collect();
    let waiting = cells.iter().filter(|(_, c)| c.carried_waiting).count();
    let carry_class = if waiting > 0 {
        "inset inset--warning"
    } else {
        "inset"
    };
    let all_signed = dashboard
        .grids
        .iter()
        .all(|g| g.scope.state == ScopeState::SignedOff);
    let outcome_options: Vec<(String, String)> = cells
        .iter()
        .map(|(g, c)| {
            (
                format!("{}|{}", g.scope.id, c.outcome),
                format!("{} – {} {}", g.scope.name, c.outcome, c.title),
            )
        })
        .collect();
    view! {
        <Title text=a.title.clone() />
        <nav class="breadcrumbs" aria-label="Breadcrumb">
            <ol><li><a href=format!("/org/{slug}/assessments")>"Assessments"</a></li></ol>
        </nav>
        <span class="caption">{format!("{} · CAF {} · {}", a.period, a.framework_version, a.profile_name)}</span>
        <h1 class="heading-xl">{a.title.clone()}</h1>
        <ul class="list actions-row">
            <li><a href=format!("{base}/plan")>"Improvement plan"</a></li>
            <li><a href=format!("{base}/compare") id="compare-link">"Year on year"</a></li>
            <li><a href=format!("/org/{slug}/evidence")>"Evidence register"</a></li>
            {dashboard.role.can(crate::roles::Permission::ReadReports).then(|| view! {
                <li><a href=format!("{base}/report.html") rel="external" id="board-report-link">"Board report"</a></li>
            })}
            <li><a href=format!("{base}/export.json") download="" rel="external">"Export (JSON)"</a></li>
            <li><a href=format!("{base}/export.csv") download="" rel="external">"Outcome statuses (CSV)"</a></li>
        </ul>
        {(waiting > 0 || a.previous_id.is_some()).then(|| view! {
            <div class=carry_class id="carry-summary">
                <p class="body">{match waiting {
                    0 => "Carried forward from last year's assessment; every carried outcome has been re-confirmed.".to_owned(),
                    1 => "Carried forward from last year's assessment: 1 outcome waits to be re-confirmed before its scope can be submitted.".to_owned(),
                    n => format!("Carried forward from last year's assessment: {n} outcomes wait to be re-confirmed before their scopes can be submitted."),
                }}</p>
                <p class="body">
                    <a href=format!("{base}/reconfirm") id="reconfirm-link">"Re-confirm carried outcomes"</a>
                    " · "
                    <a href=format!("{base}/not-carried")>"What did not carry"</a>
                </p>
            </div>
        })}
        {(lead && all_signed).then(|| view! {
            <p class="body"><a href=format!("{base}/next") id="start-next-link">"Start next year's assessment from this one"</a></p>
        })}
        <h2 class="heading-l">"Progress"</h2>
        <div class="table-scroll" role="region" aria-label="Progress by scope and objective" tabindex="0"><table class="table" id="progress">
            <thead><tr><th scope="col">"Scope"</th><th scope="col">"State"</th><th scope="col">"Objective"</th><th scope="col">"Answered"</th><th scope="col">"Confirmed"</th><th scope="col">"Reviewed"</th><th scope="col">"Below target"</th></tr></thead>
            <tbody>
                {dashboard.grids.iter().flat_map(|g| {
                    let mut objectives: Vec<String> = g.cells.iter().map(|c| c.objective.clone()).collect();
                    objectives.dedup();
                    let reviewed_state = matches!(g.scope.state, ScopeState::WithAssurer | ScopeState::Assured | ScopeState::SignedOff);
                    objectives.into_iter().map(|o| {
                        let of: Vec<&GridCell> = g.cells.iter().filter(|c| c.objective == o).collect();
                        let total = of.len();
                        let answered = of.iter().filter(|c| c.answered.0 > 0).count();
                        let confirmed = of.iter().filter(|c| c.confirmed.is_some()).count();
                        let below = of.iter().filter(|c| c.below_target()).count();
                        view! {
                            <tr>
                                <td>{g.scope.name.clone()}</td>
                                <td>{g.scope.state.label()}</td>
                                <td>{o}</td>
                                <td>{format!("{answered} of {total}")}</td>
                                <td>{format!("{confirmed} of {total}")}</td>
                                <td>{format!("{} of {total}", if reviewed_state { total } else { 0 })}</td>
                                <td>{below}</td>
                            </tr>
                        }
                    }).collect::<Vec<_>>()
                }).collect_view()}
            </tbody>
        </table></div>
        {dashboard.grids.iter().map(|g| {
            let scope_base = format!("{base}/scopes/{}", g.scope.id);
            view! {
                <section class="scope" aria-labelledby=format!("scope-{}", g.scope.id)>
                    <h2 class="heading-l" id=format!("scope-{}", g.scope.id)>{g.scope.name.clone()}</h2>
                    <p class="body">{scope_summary(&g.scope)}</p>
                    {g.signed.clone().map(|(hash, who, at)| view! {
                        <div class="inset" id=format!("signed-{}", g.scope.id)>
                            <p class="body">{format!("Signed off by {who} on {}.", when(&at))}</p>
                            <p class="hint">"Snapshot SHA-256: " <code class="hash">{hash}</code></p>
                        </div>
                    })}
                    <ul class="grid" aria-label=format!("Outcomes of {}", g.scope.name)>
                        {g.cells.iter().map(|c| {
                            let status = c.confirmed.map(|s| s.label()).unwrap_or("Not confirmed");
                            view! {
                                <li class=tile_class(c)>
                                    <a class="tile__link" href=format!("{scope_base}/outcomes/{}", c.outcome)>
                                        <span class="tile__id">{c.outcome.clone()}</span>
                                        <span class="tile__title">{c.title.clone()}</span>
                                        <span class="tile__status">{status}</span>
                                        <span class="tile__meta">{format!("Target: {}", c.target.map(|t| t.label()).unwrap_or("none"))}</span>
                                        <span class="tile__meta">{format!("{} of {} answered", c.answered.0, c.answered.1)}</span>
                                        {c.flagged.then(|| view! { <span class="tile__flag">{format!("Differs from suggestion ({})", c.suggested.label())}</span> })}
                                        {c.overdue.then(|| view! { <span class="tile__flag">"Overdue"</span> })}
                                        {c.carried_waiting.then(|| view! { <span class="tile__flag">"Carried, not re-confirmed"</span> })}
                                        {(c.stale_evidence > 0).then(|| view! { <span class="tile__flag">"Stale evidence"</span> })}
                                        {(c.open_comments > 0).then(|| view! { <span class="tile__meta">{crate::components::count(c.open_comments, "open comment", "open comments")}</span> })}
                                    </a>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                </section>
            }
        }).collect_view()}
        <h2 class="heading-l">"Needs attention"</h2>
        <h3 class="heading-s">"Overdue assignments"</h3>
        {if overdue.is_empty() { view! { <p class="body secondary">"None."</p> }.into_any() } else {
            view! { <ul class="list list--bullet" id="overdue">{overdue.into_iter().map(|o| view! { <li>{o}</li> }).collect_view()}</ul> }.into_any()
        }}
        <h3 class="heading-s">"Stale evidence in use"</h3>
        {if stale.is_empty() { view! { <p class="body secondary">"None."</p> }.into_any() } else {
            view! { <ul class="list list--bullet" id="stale">{stale.into_iter().map(|o| view! { <li>{o}</li> }).collect_view()}</ul> }.into_any()
        }}
        <h3 class="heading-s">"Open comments"</h3>
        {if comments.is_empty() { view! { <p class="body secondary">"None."</p> }.into_any() } else {
            view! { <ul class="list list--bullet" id="open-comments">{comments.into_iter().map(|(href, text)| view! { <li><a href=href>{text}</a></li> }).collect_view()}</ul> }.into_any()
        }}
        {lead.then(|| view! { <LeadTools slug=slug.clone() dashboard=dashboard.clone() outcome_options=outcome_options.clone() /> })}
        {lead.then(|| view! { <super::AssessmentSystems slug=slug.clone() assessment_id=a.id grids=dashboard.grids.clone() /> })}
    }
}

#[component]
fn LeadTools(
    slug: String,
    dashboard: Dashboard,
    outcome_options: Vec<(String, String)>,
) -> impl IntoView {
    let assign = ServerAction::<AssignOutcome>::new();
    let target = ServerAction::<SetTarget>::new();
    Effect::new(move |_| {
        if matches!(assign.value().get(), Some(Ok(())))
            || matches!(target.value().get(), Some(Ok(())))
        {
            crate::browser::go_to(&crate::browser::current_path());
        }
    });
    let chosen = RwSignal::new(
        outcome_options
            .first()
            .map(|o| o.0.clone())
            .unwrap_or_default(),
    );
    let scope_part = move || {
        chosen
            .get()
            .split('|')
            .next()
            .unwrap_or_default()
            .to_owned()
    };
    let outcome_part = move || {
        chosen
            .get()
            .split('|')
            .nth(1)
            .unwrap_or_default()
            .to_owned()
    };
    let own = dashboard.assessment.own_profile;
    let slug_t = slug.clone();
    let mut target_outcomes: Vec<(String, String, Option<Status>)> = dashboard
        .grids
        .iter()
        .flat_map(|g| {
            g.cells
                .iter()
                .map(|c| (c.outcome.clone(), c.title.clone(), c.target))
        })
        .collect();
    target_outcomes.sort_by(|a, b| a.0.cmp(&b.0));
    target_outcomes.dedup_by(|a, b| a.0 == b.0);
    view! {
        <h2 class="heading-l">"Assign outcomes"</h2>
        <FormError value=assign.value() />
        <ActionForm action=assign attr:class="form" attr:id="assign-form">
            <input type="hidden" name="slug" value=slug.clone() />
            <input type="hidden" name="scope_id" prop:value=scope_part />
            <input type="hidden" name="outcome" prop:value=outcome_part />
            <div class="form-group">
                <label class="label" for="assign-outcome">"Outcome"</label>
                <select class="select" id="assign-outcome" on:change=move |ev| chosen.set(event_target_value(&ev))>
                    {outcome_options.iter().map(|(v, l)| view! { <option value=v.clone()>{l.clone()}</option> }).collect_view()}
                </select>
            </div>
            <div class="form--inline">
                <div class="form-group">
                    <label class="label" for="assign-to">"Assessor"</label>
                    <select class="select" id="assign-to" name="assignee">
                        <option value="">"Nobody"</option>
                        {dashboard.assignable.iter().map(|(id, name)| view! { <option value=*id>{name.clone()}</option> }).collect_view()}
                    </select>
                </div>
                <div class="form-group">
                    <label class="label" for="assign-due">"Due"</label>
                    <input class="input input--short" id="assign-due" name="due" type="date" />
                </div>
            </div>
            <button type="submit" class="button button--secondary">"Assign"</button>
        </ActionForm>
        {own.then(|| view! {
            <h2 class="heading-l">"Our own profile"</h2>
            <p class="body">"This assessment uses the organisation's own targets. Change a target while no scope is signed off."</p>
            <FormError value=target.value() />
            <ActionForm action=target attr:class="form form--inline">
                <input type="hidden" name="slug" value=slug_t.clone() />
                <input type="hidden" name="id" value=dashboard.assessment.id />
                <div class="form-group">
                    <label class="label" for="target-outcome">"Outcome"</label>
                    <select class="select" id="target-outcome" name="outcome">
                        {target_outcomes.iter().map(|(id, title, t)| view! { <option value=id.clone()>{format!("{id} {title} (now {})", t.map(|t| t.label()).unwrap_or("none"))}</option> }).collect_view()}
                    </select>
                </div>
                <div class="form-group">
                    <label class="label" for="target-status">"Target"</label>
                    <select class="select" id="target-status" name="target">
                        {Status::ALL.into_iter().map(|s| view! { <option value=s.key()>{s.label()}</option> }).collect_view()}
                    </select>
                </div>
                <button type="submit" class="button button--secondary">"Set target"</button>
            </ActionForm>
        })}
        <p class="hint">{"Tiles are coloured by the confirmed status; grey means not yet confirmed. "}<StatusTag status=Status::Achieved />" "<StatusTag status=Status::PartiallyAchieved />" "<StatusTag status=Status::NotAchieved /></p>
    }
}

/// "Kind · state · description" under a scope's heading, without a dangling separator when the
/// scope has no description.
fn scope_summary(scope: &crate::assess::ScopeSummary) -> String {
    let kind = match scope.kind {
        crate::assess::ScopeKind::Organisation => "Organisation (objectives A and D)",
        crate::assess::ScopeKind::System => "Critical system (objectives B and C)",
    };
    let mut parts = vec![kind, scope.state.label()];
    let description = scope.description.trim();
    if !description.is_empty() {
        parts.push(description);
    }
    parts.join(" · ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assess::{ScopeKind, ScopeState, ScopeSummary};

    #[test]
    fn a_scope_summary_has_no_dangling_separator() {
        let mut scope = ScopeSummary {
            id: 1,
            kind: ScopeKind::System,
            name: "Payroll".into(),
            description: "  ".into(),
            state: ScopeState::Draft,
            system_id: Some(1),
        };
        assert_eq!(
            scope_summary(&scope),
            "Critical system (objectives B and C) · Draft"
        );
        scope.description = "Pays 6,000 staff.".into();
        assert_eq!(
            scope_summary(&scope),
            "Critical system (objectives B and C) · Draft · Pays 6,000 staff."
        );
    }
}
