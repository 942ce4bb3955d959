//! One contributing outcome: its description and its table of indicators of good practice.

use crate::api::get_outcome;
use crate::components::{ErrorPanel, Loading, StatusTag};
use crate::types::OutcomeDetail;
use caf::{Answer, Column, Indicator};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use std::collections::BTreeMap;

/// The outcome page.
#[component]
pub fn OutcomePage() -> impl IntoView {
    let params = use_params_map();
    let key = move || {
        let p = params.read();
        (
            p.get("version").unwrap_or_default(),
            p.get("outcome").unwrap_or_default(),
        )
    };
    let detail = Resource::new(key, |(version, outcome)| get_outcome(version, outcome));
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match detail.await {
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    Ok(detail) => view! { <Outcome detail /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Outcome(detail: OutcomeDetail) -> impl IntoView {
    let OutcomeDetail {
        version,
        objective,
        principle,
        outcome,
        previous,
        next,
        targets,
        guidance,
        ..
    } = detail;
    let answers = RwSignal::new(BTreeMap::<String, Answer>::new());
    let rated = StoredValue::new(outcome.clone());
    let suggestion =
        Memo::new(move |_| rated.with_value(|o| caf::suggest_status(o, &answers.get())));
    let ticked = move || answers.with(|a| a.len());
    let columns = [
        (
            "Not achieved",
            "column--red",
            outcome.indicators.not_achieved.clone(),
        ),
        (
            "Partially achieved",
            "column--amber",
            outcome.indicators.partially_achieved.clone(),
        ),
        (
            "Achieved",
            "column--green",
            outcome.indicators.achieved.clone(),
        ),
    ];
    let rules = [
        outcome
            .column_rule(Column::NotAchieved)
            .unwrap_or_default()
            .to_owned(),
        outcome
            .column_rule(Column::PartiallyAchieved)
            .unwrap_or_default()
            .to_owned(),
        outcome
            .column_rule(Column::Achieved)
            .unwrap_or_default()
            .to_owned(),
    ];
    let link = |o: (String, String)| format!("/frameworks/{version}/outcomes/{}", o.0);
    view! {
        <Title text=format!("{} {} – CAF {}", outcome.id, outcome.title, version) />
        <nav class="breadcrumbs" aria-label="Breadcrumb">
            <ol>
                <li><a href="/frameworks">"Frameworks"</a></li>
                <li><a href=format!("/frameworks/{version}")>{format!("CAF {version}")}</a></li>
                <li><a href=format!("/frameworks/{version}#objective-{}", objective.0)>
                    {format!("Objective {}: {}", objective.0, objective.1)}
                </a></li>
            </ol>
        </nav>
        <span class="caption">{format!("Principle {} {}", principle.0, principle.1)}</span>
        <h1 class="heading-xl">{format!("{} {}", outcome.id, outcome.title)}</h1>
        {match outcome.description.clone() {
            Some(text) => view! { <p class="lead">{text}</p> }.into_any(),
            None => view! {
                <p class="body secondary">"The NCSC gives no description for this outcome."</p>
            }.into_any(),
        }}
        {(!targets.is_empty()).then(|| view! {
            <h2 class="heading-s">"Targets"</h2>
            <ul class="list">
                {targets.iter().map(|t| view! {
                    <li>
                        {format!("{}: ", t.profile)}
                        <StatusTag status=t.target />
                        {(t.certainty == caf::Certainty::LessCertain).then_some(" (less certain: from a single source)")}
                    </li>
                }).collect_view()}
            </ul>
        })}
        <h2 class="heading-m" id="igp-heading">"Indicators of good practice"</h2>
        <p class="body">
            "Tick the statements that are true for your organisation to see the status the rule "
            "suggests. Nothing here is saved."
        </p>
        <details class="details">
            <summary class="details__summary">"How the NCSC says to use the indicators"</summary>
            <div class="details__text">
                <p class="body">{guidance.not_achieved.clone()}</p>
                <p class="body">{guidance.partially_achieved.clone()}</p>
                <p class="body">{guidance.achieved.clone()}</p>
                <p class="body">{guidance.expert_judgement.clone()}</p>
                <p class="body secondary">
                    "The suggested status follows the order the government's own tool uses: any "
                    "not-achieved statement true gives Not achieved; otherwise all achieved statements "
                    "met gives Achieved; otherwise all partially-achieved statements met gives Partially "
                    "achieved; otherwise Not achieved. A statement marked not applicable counts as met "
                    "only with a justification naming the compensating measure."
                </p>
            </div>
        </details>
        <div class="suggestion" role="status" aria-live="polite" id="suggestion">
            <p class="body">
                "Suggested status: " {move || view! { <StatusTag status=suggestion.get().status /> }}
            </p>
            <p class="body secondary">{move || suggestion.get().reason}</p>
            <p class="hint">{move || format!("{} statement(s) ticked", ticked())}</p>
        </div>
        <div class="igp-table" aria-labelledby="igp-heading">
            {columns.into_iter().zip(rules).filter(|((_, _, items), _)| !items.is_empty()).map(|((label, class, items), rule)| view! {
                <section class=format!("igp-column {class}") aria-label=label>
                    <h3 class="igp-column__heading">{label}</h3>
                    <p class="igp-column__rule">{rule}</p>
                    <ul class="igp-list">
                        {items.into_iter().map(|indicator| view! { <Statement indicator answers /> }).collect_view()}
                    </ul>
                </section>
            }).collect_view()}
        </div>
        <nav class="pager" aria-label="Other outcomes">
            {previous.map(|p| view! { <a class="pager__prev" href=link(p.clone())>{format!("Previous: {} {}", p.0, p.1)}</a> })}
            {next.map(|n| view! { <a class="pager__next" href=link(n.clone())>{format!("Next: {} {}", n.0, n.1)}</a> })}
        </nav>
    }
}

#[component]
fn Statement(indicator: Indicator, answers: RwSignal<BTreeMap<String, Answer>>) -> impl IntoView {
    let id = indicator.id.clone();
    let input_id = format!("igp-{}", id.replace('.', "-"));
    let key = id.clone();
    let checked = move || answers.with(|a| matches!(a.get(&key), Some(Answer::True)));
    view! {
        <li class="igp">
            <input
                type="checkbox"
                class="igp__box"
                id=input_id.clone()
                prop:checked=checked
                on:change=move |ev| {
                    let on = event_target_checked(&ev);
                    answers.update(|a| {
                        if on { a.insert(id.clone(), Answer::True); } else { a.remove(&id); }
                    });
                }
            />
            <label class="igp__text" for=input_id>
                <span class="igp__id">{indicator.id.clone()}</span>
                " "
                {indicator.display_text().to_owned()}
            </label>
        </li>
    }
}
