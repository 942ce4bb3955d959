//! What changed between two framework versions.

use crate::api::get_changes;
use crate::components::{ErrorPanel, Loading};
use crate::types::ChangesView;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// Outcomes added, removed, renumbered and renamed, and how many statements are new.
#[component]
pub fn ChangesPage() -> impl IntoView {
    let params = use_params_map();
    let key = move || {
        let p = params.read();
        (
            p.get("from").unwrap_or_default(),
            p.get("to").unwrap_or_default(),
        )
    };
    let changes = Resource::new(key, |(from, to)| get_changes(from, to));
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match changes.await {
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    Ok(view) => view! { <Changes view /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Changes(view: ChangesView) -> impl IntoView {
    let ChangesView {
        changes,
        titles,
        outcome_counts,
    } = view;
    let from = changes.from_version.clone();
    let to = changes.to_version.clone();
    let link = |version: &str, id: &str, title: &str| {
        view! { <a href=format!("/frameworks/{version}/outcomes/{id}")>{format!("{id} {title}")}</a> }
    };
    let title_of = move |id: &str| titles.get(id).cloned().unwrap_or_default();
    let new_total: usize = changes
        .statements
        .iter()
        .map(|s| s.new_statements.len())
        .sum();
    let dropped_total: usize = changes
        .statements
        .iter()
        .map(|s| s.dropped_statements.len())
        .sum();
    view! {
        <Title text=format!("What changed from CAF {from} to CAF {to}") />
        <h1 class="heading-xl">{format!("What changed from CAF {from} to CAF {to}")}</h1>
        <p class="body">
            {format!(
                "CAF {to} has {} contributing outcomes; CAF {from} had {}. Answers and evidence can be \
                 carried forward along these links when an assessment moves to CAF {to}.",
                outcome_counts.1, outcome_counts.0
            )}
        </p>
        <h2 class="heading-l" id="added">"New outcomes"</h2>
        <ul class="list list--bullet" aria-labelledby="added">
            {changes.added.iter().map(|o| view! { <li>{link(&to, &o.id, &o.title)}</li> }).collect_view()}
        </ul>
        <h2 class="heading-l" id="removed">"Removed outcomes"</h2>
        <ul class="list list--bullet" aria-labelledby="removed">
            {changes.removed.iter().map(|o| view! { <li>{link(&from, &o.id, &o.title)}</li> }).collect_view()}
        </ul>
        <h2 class="heading-l" id="renumbered">"Renumbered outcomes"</h2>
        <ul class="list list--bullet" aria-labelledby="renumbered">
            {changes.renumbered.iter().map(|r| view! {
                <li>{format!("{} is now ", r.from)}{link(&to, &r.to, &title_of(&r.to))}</li>
            }).collect_view()}
        </ul>
        <h2 class="heading-l" id="renamed">"Renamed outcomes and principles"</h2>
        <ul class="list list--bullet" aria-labelledby="renamed">
            {changes.renamed.iter().chain(&changes.renamed_principles).map(|r| view! {
                <li>{format!("{}: “{}” is now “{}”", r.to, r.old_title, r.new_title)}</li>
            }).collect_view()}
        </ul>
        <h2 class="heading-l">"New or reworded statements"</h2>
        <p class="body">
            {format!(
                "Across the outcomes that carry over, {new_total} statements in CAF {to} are new or reworded \
                 and {dropped_total} statements of CAF {from} are no longer there word for word. \
                 Many are small rewordings: review each answer that is carried forward."
            )}
        </p>
        <div class="table-scroll" role="region" aria-label="Statements new or reworded, and dropped, per outcome" tabindex="0"><table class="table">
            <caption class="visually-hidden">"Statements new or reworded, and dropped, per outcome"</caption>
            <thead>
                <tr>
                    <th scope="col">{format!("Outcome in CAF {to}")}</th>
                    <th scope="col">{format!("In CAF {from}")}</th>
                    <th scope="col" class="num">"New or reworded"</th>
                    <th scope="col" class="num">"Dropped"</th>
                </tr>
            </thead>
            <tbody>
                {changes.statements.iter().map(|s| view! {
                    <tr>
                        <th scope="row">{link(&to, &s.to, &title_of(&s.to))}</th>
                        <td>{s.from.clone()}</td>
                        <td class="num">{s.new_statements.len()}</td>
                        <td class="num">{s.dropped_statements.len()}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table></div>
    }
}
