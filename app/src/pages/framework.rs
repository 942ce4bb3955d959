//! One framework version: objectives, principles and contributing outcomes.

use crate::api::get_framework;
use crate::components::{ErrorPanel, Loading, StatusTag};
use crate::types::{FrameworkOverview, OutcomeSummary, ProfileSummary};
use caf::Certainty;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// The version page, with a filter and a choice of target profile to show beside each outcome.
#[component]
pub fn FrameworkPage() -> impl IntoView {
    let params = use_params_map();
    let version = move || params.read().get("version").unwrap_or_default();
    let overview = Resource::new(version, get_framework);
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match overview.await {
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    Ok(overview) => view! { <Overview overview /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Lowercased text an outcome is found by.
fn haystack(outcome: &OutcomeSummary) -> String {
    format!(
        "{} {} {}",
        outcome.id,
        outcome.title,
        outcome.description.as_deref().unwrap_or_default()
    )
    .to_lowercase()
}

#[component]
fn Overview(overview: FrameworkOverview) -> impl IntoView {
    let version = overview.record.version.clone();
    let total: usize = overview
        .objectives
        .iter()
        .flat_map(|o| &o.principles)
        .map(|p| p.outcomes.len())
        .sum();
    let all_search: Vec<String> = overview
        .objectives
        .iter()
        .flat_map(|o| &o.principles)
        .flat_map(|p| &p.outcomes)
        .map(haystack)
        .collect();
    let query = RwSignal::new(String::new());
    // `?profile=ID` opens the page with that profile's targets shown (linked from the create form).
    let initial_profile = leptos_router::hooks::use_query_map()
        .read_untracked()
        .get("profile")
        .unwrap_or_default();
    let profile_id = RwSignal::new(initial_profile.clone());
    let profiles = StoredValue::new(overview.profiles.clone());
    let shown = move || {
        let q = query.get().trim().to_lowercase();
        all_search.iter().filter(|h| h.contains(&q)).count()
    };
    let selected = move || {
        let id = profile_id.get();
        profiles.with_value(|ps| ps.iter().find(|p| p.id == id).cloned())
    };
    view! {
        <Title text=format!("CAF {}", version) />
        <span class="caption">{overview.record.title.clone()}</span>
        <h1 class="heading-xl">{format!("CAF {}", version)}</h1>
        <p class="body">
            {format!(
                "Published {}. {} objectives, {} contributing outcomes, {} indicators of good practice.",
                overview.record.published,
                overview.objectives.len(),
                overview.record.outcomes,
                overview.record.indicators,
            )}
        </p>
        <div class="controls">
            <div class="form-group">
                <label class="label" for="outcome-filter">"Find an outcome"</label>
                <span class="hint" id="outcome-filter-hint">"By id, title or words in its description"</span>
                <input
                    class="input"
                    id="outcome-filter"
                    type="search"
                    aria-describedby="outcome-filter-hint"
                    prop:value=move || query.get()
                    on:input=move |ev| query.set(event_target_value(&ev))
                />
            </div>
            <div class="form-group">
                <label class="label" for="profile-select">"Show targets from a profile"</label>
                <select
                    class="select"
                    id="profile-select"
                    on:change=move |ev| profile_id.set(event_target_value(&ev))
                    prop:value=move || profile_id.get()
                >
                    <option value="">"No profile"</option>
                    {overview.profiles.iter().map(|p| view! {
                        <option value=p.id.clone() selected=p.id == initial_profile>{p.name.clone()}</option>
                    }).collect_view()}
                </select>
            </div>
        </div>
        <p class="body" role="status" aria-live="polite" id="filter-count">
            {move || format!("Showing {} of {} outcomes", shown(), total)}
        </p>
        {move || selected().map(|p| view! { <ProfileNote profile=p /> })}
        {overview.objectives.into_iter().map(|objective| view! {
            <section class="objective" aria-labelledby=format!("objective-{}", objective.id)>
                <h2 class="heading-l" id=format!("objective-{}", objective.id)>
                    {format!("Objective {}: {}", objective.id, objective.title)}
                </h2>
                <p class="body">{objective.description.clone()}</p>
                {objective.principles.into_iter().map(|principle| view! {
                    <h3 class="heading-m">{format!("{} {}", principle.id, principle.title)}</h3>
                    <p class="body secondary">{principle.description.clone()}</p>
                    <ul class="outcome-list">
                        {principle.outcomes.into_iter().map(|outcome| {
                            let text = haystack(&outcome);
                            let id = outcome.id.clone();
                            let href = format!("/frameworks/{}/outcomes/{}", version, outcome.id);
                            let [na, pa, a] = outcome.counts;
                            view! {
                                <li
                                    class="outcome-list__item"
                                    data-outcome=outcome.id.clone()
                                    hidden=move || !text.contains(query.get().trim().to_lowercase().as_str())
                                >
                                    <a href=href class="outcome-list__link">
                                        {format!("{} {}", outcome.id, outcome.title)}
                                    </a>
                                    <span class="hint">
                                        {format!("{na} not achieved, {pa} partially achieved, {a} achieved statements")}
                                    </span>
                                    {move || selected().and_then(|p| p.targets.get(&id).copied()).map(|t| view! {
                                        <span class="target">"Target: " <StatusTag status=t /></span>
                                    })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }).collect_view()}
            </section>
        }).collect_view()}
    }
}

#[component]
fn ProfileNote(profile: ProfileSummary) -> impl IntoView {
    let less_certain = profile.certainty == Certainty::LessCertain;
    view! {
        <div class=if less_certain { "inset inset--warning" } else { "inset" }>
            <p class="body">{format!("Targets from: {}.", profile.name)}</p>
            <details class="details">
                <summary class="details__summary">"Where these targets come from"</summary>
                <div class="details__text">
                    <p class="body">{format!("The source calls it \u{201c}{}\u{201d}.", profile.source_name)}</p>
                    <p class="body hint">{profile.source.clone()}</p>
                </div>
            </details>
            {less_certain.then(|| view! {
                <p class="body">
                    <strong>"Less certain: "</strong>
                    {profile.caveat.clone().unwrap_or_else(|| "these targets come from a single source.".into())}
                </p>
            })}
        </div>
    }
}
