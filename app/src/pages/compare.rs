//! Year on year: an assessment beside the previous one, scope by scope and outcome by outcome,
//! with the counts per objective and the organisation's gap to its targets over the years.

use crate::components::{ErrorPanel, Loading, StatusTag};
use crate::cycle_api::year_on_year;
use crate::report::chart::svg;
use crate::year_on_year::{
    Change, ObjectiveChanges, OutcomeChange, OutcomeMatch, PreviousBasis, ScopeChange,
    YearComparison, YearOnYear,
};
use caf::Status;
use leptos::prelude::*;
use leptos_meta::Title;

/// The width the trend chart is laid out in; the SVG scales to its container.
const CHART_WIDTH: f32 = 440.0;

/// The comparison page.
#[component]
pub fn ComparePage() -> impl IntoView {
    let key = super::assessment_address();
    let data = Resource::new(key, |(slug, id)| year_on_year(slug, id));
    view! {
        <Title text="Year on year" />
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    Ok(page) => {
                        let (slug, id) = key();
                        compare_view(&slug, id, page).into_any()
                    }
                }
            })}
        </Suspense>
    }
}

fn compare_view(slug: &str, id: i64, page: YearOnYear) -> impl IntoView {
    let base = format!("/org/{slug}/assessments/{id}");
    let a = &page.assessment;
    let intro = match &page.previous {
        None => "There is no earlier assessment of this organisation to compare with: the \
                 comparison starts once one has been signed off in full."
            .to_owned(),
        Some(p) => format!(
            "Compared with {} ({}, CAF {}), signed off on {}: {}.",
            p.year.title,
            p.year.period,
            p.year.framework_version,
            crate::report::long_date(&p.signed_at),
            match p.basis {
                PreviousBasis::StartedFrom => "this assessment was started from it",
                PreviousBasis::LatestSignedOff =>
                    "it is the latest earlier assessment signed off in full",
            }
        ),
    };
    let trend = page.trend();
    let chart = (trend.years.len() > 1).then(|| {
        svg(
            &trend.layout(CHART_WIDTH),
            "trend",
            &trend.title,
            &trend.description(),
        )
    });
    view! {
        <nav class="breadcrumbs" aria-label="Breadcrumb">
            <ol>
                <li><a href=format!("/org/{slug}/assessments")>"Assessments"</a></li>
                <li><a href=base.clone()>{a.title.clone()}</a></li>
            </ol>
        </nav>
        <span class="caption">{format!("{} · {} · CAF {}", page.organisation, a.period, a.framework_version)}</span>
        <h1 class="heading-xl">"Year on year"</h1>
        <p class="lead" id="compare-intro">{intro}</p>
        {page.comparison.map(comparison_view)}
        <h2 class="heading-l" id="trend-heading">"The gap to the target profile, year by year"</h2>
        <p class="body">"Each year counts every scope's outcomes against the targets of its profile: how many were confirmed below target, how many meet it, and how many were not assessed. A year not yet signed off in full may still change."</p>
        {chart.map(|markup| view! { <figure class="trend-chart" inner_html=markup></figure> })}
        <div class="table-scroll" role="region" aria-label="The gap to the target profile, year by year" tabindex="0">
            <table class="table" id="trend-table">
                <caption class="visually-hidden">"The organisation's assessments, oldest first, against their targets"</caption>
                <thead><tr>
                    <th scope="col">"Period"</th>
                    <th scope="col">"Assessment"</th>
                    <th scope="col">"CAF"</th>
                    <th scope="col" class="numeric">"Below target"</th>
                    <th scope="col" class="numeric">"Meeting target"</th>
                    <th scope="col" class="numeric">"Not assessed"</th>
                    <th scope="col">"Signed off"</th>
                </tr></thead>
                <tbody>
                    {page.history.iter().map(|h| {
                        let this = h.assessment_id == id;
                        view! {
                            <tr class:current=this>
                                <th scope="row">{h.gap.label.clone()}</th>
                                <td>{if this {
                                    view! { <span>{h.title.clone()}" (this one)"</span> }.into_any()
                                } else {
                                    view! { <a href=format!("/org/{slug}/assessments/{}", h.assessment_id)>{h.title.clone()}</a> }.into_any()
                                }}</td>
                                <td>{h.framework_version.clone()}</td>
                                <td class="numeric">{h.gap.below}</td>
                                <td class="numeric">{h.gap.meeting()}</td>
                                <td class="numeric">{h.gap.not_assessed()}</td>
                                <td>{if h.signed_off { "Yes" } else { "Not yet" }}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <p class="hint attribution">{caf::ATTRIBUTION}</p>
    }
}

fn comparison_view(comparison: YearComparison) -> impl IntoView {
    let across = comparison.previous_version != comparison.current_version;
    view! {
        <p class="body" id="compare-matching">{format!("Outcomes are matched {}. Statuses are the confirmed ones; last year's are as signed off.", comparison.matched_by())}</p>
        <h2 class="heading-l">"Changes per objective"</h2>
        <div class="table-scroll" role="region" aria-label="Changes per objective" tabindex="0">
            <table class="table" id="objective-changes">
                <caption class="visually-hidden">"How many outcomes moved, per objective, over the scopes assessed against it"</caption>
                <thead><tr>
                    <th scope="col">"Objective"</th>
                    <th scope="col" class="numeric">"Better"</th>
                    <th scope="col" class="numeric">"Worse"</th>
                    <th scope="col" class="numeric">"Same"</th>
                    <th scope="col" class="numeric">"No earlier status"</th>
                    <th scope="col" class="numeric">"Not confirmed yet"</th>
                </tr></thead>
                <tbody>
                    {comparison.objectives.into_iter().map(objective_row).collect_view()}
                </tbody>
            </table>
        </div>
        {comparison.scopes.into_iter().enumerate().map(|(i, s)| scope_view(i, s, across)).collect_view()}
        {(!comparison.not_carried.is_empty()).then(|| view! {
            <h2 class="heading-l">"Last year's scopes not assessed this year"</h2>
            <ul class="list list--bullet" id="scopes-not-carried">
                {comparison.not_carried.iter().map(|n| view! { <li>{n.clone()}</li> }).collect_view()}
            </ul>
        })}
        {(!comparison.removed_outcomes.is_empty()).then(|| view! {
            <h2 class="heading-l">"Outcomes no longer in the framework"</h2>
            <p class="body">{format!("These CAF {} outcomes have no successor in CAF {}: {}.", comparison.previous_version, comparison.current_version, comparison.removed_outcomes.join(", "))}</p>
        })}
    }
}

fn objective_row(o: ObjectiveChanges) -> impl IntoView {
    view! {
        <tr>
            <th scope="row">{format!("{} {}", o.objective, o.title)}</th>
            <td class="numeric">{o.improved}</td>
            <td class="numeric">{o.worse}</td>
            <td class="numeric">{o.unchanged}</td>
            <td class="numeric">{o.new}</td>
            <td class="numeric">{o.not_yet_assessed}</td>
        </tr>
    }
}

fn scope_view(index: usize, scope: ScopeChange, across: bool) -> impl IntoView {
    let subtitle = match &scope.previous_name {
        None => "New this year: nothing to compare with.".to_owned(),
        Some(previous) if *previous != scope.name => format!("Called {previous} last year."),
        Some(_) => String::new(),
    };
    let moved = scope
        .outcomes
        .iter()
        .filter(|o| !matches!(o.change, Change::NewThisYear | Change::NotYetAssessed))
        .count();
    view! {
        <h2 class="heading-l" id=format!("scope-{index}")>{scope.name.clone()}</h2>
        {(!subtitle.is_empty()).then(|| view! { <p class="body">{subtitle}</p> })}
        <div class="table-scroll" role="region" aria-label=format!("Year on year: {}", scope.name) tabindex="0">
            <table class="table year-on-year" data-scope=scope.name.clone()>
                <caption class="visually-hidden">{format!("{}: each outcome last year and this year ({moved} with both)", scope.name)}</caption>
                <thead><tr>
                    <th scope="col">"Outcome"</th>
                    {across.then(|| view! { <th scope="col">"Last year's outcome"</th> })}
                    <th scope="col">"Last year"</th>
                    <th scope="col">"This year"</th>
                    <th scope="col">"Change"</th>
                </tr></thead>
                <tbody>
                    {scope.outcomes.into_iter().map(|o| outcome_row(o, across)).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

fn status_cell(status: Option<Status>) -> impl IntoView {
    match status {
        Some(status) => view! { <StatusTag status /> }.into_any(),
        None => view! { <span class="hint">"None"</span> }.into_any(),
    }
}

fn outcome_row(o: OutcomeChange, across: bool) -> impl IntoView {
    let previous = match (o.matched, &o.previous_outcome) {
        (OutcomeMatch::None, _) | (_, None) => "None".to_owned(),
        (_, Some(previous)) => previous.clone(),
    };
    view! {
        <tr data-outcome=o.outcome.clone() data-change=o.change.key()>
            <th scope="row">{format!("{} {}", o.outcome, o.title)}</th>
            {across.then(|| view! { <td>{previous}</td> })}
            <td>{status_cell(o.before)}</td>
            <td>{status_cell(o.now)}</td>
            <td class=format!("change change--{}", o.change.key())>
                {(!o.change.arrow().is_empty()).then(|| view! { <span class="arrow" aria-hidden="true">{o.change.arrow()}" "</span> })}
                {o.change.words()}
            </td>
        </tr>
    }
}
