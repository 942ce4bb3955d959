//! What did not carry from last year: statements the new framework dropped and outcomes it
//! removed, with last year's answers, so nothing said last year is lost from sight.

use crate::components::{ErrorPanel, Loading};
use crate::cycle::answer_words;
use crate::cycle_api::not_carried;
use leptos::prelude::*;
use leptos_meta::Title;

/// The "what did not carry" page.
#[component]
pub fn NotCarriedPage() -> impl IntoView {
    let key = super::assessment_address();
    let data = Resource::new(key, |(slug, id)| not_carried(slug, id));
    view! {
        <Title text="What did not carry from last year" />
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    Ok((assessment, view)) => {
                        let (slug, id) = key();
                        let base = format!("/org/{slug}/assessments/{id}");
                        view! {
                            <nav class="breadcrumbs" aria-label="Breadcrumb">
                                <ol>
                                    <li><a href=format!("/org/{slug}/assessments")>"Assessments"</a></li>
                                    <li><a href=base.clone()>{assessment.title.clone()}</a></li>
                                </ol>
                            </nav>
                            <h1 class="heading-xl">"What did not carry from last year"</h1>
                            {match view {
                                None => view! { <p class="body" id="not-carried-none">"This assessment was not carried forward from another."</p> }.into_any(),
                                Some(view) => {
                                    let total: usize = view.scopes.iter().map(|s| s.items.len()).sum();
                                    view! {
                                        <p class="lead">{if view.from_version == view.to_version {
                                            format!("Carried from {} ({}), on the same framework (CAF {}): every statement had somewhere to go.", view.from_title, view.from_period, view.to_version)
                                        } else {
                                            format!("Carried from {} ({}) on CAF {} to CAF {}. These statements and outcomes of CAF {} have no place in CAF {}: their answers did not carry. Last year's answers are shown so that what they said can be taken into this year's narratives.", view.from_title, view.from_period, view.from_version, view.to_version, view.from_version, view.to_version)
                                        }}</p>
                                        {(total == 0).then(|| view! { <p class="body">"Nothing was left behind."</p> })}
                                        {view.scopes.into_iter().filter(|s| !s.items.is_empty()).map(|s| view! {
                                            <h2 class="heading-l">{s.scope_name.clone()}</h2>
                                            <div class="table-scroll" role="region" aria-label=format!("Not carried: {}", s.scope_name) tabindex="0">
                                                <table class="table not-carried">
                                                    <caption class="visually-hidden">{format!("Statements and outcomes of {} that did not carry", s.scope_name)}</caption>
                                                    <thead><tr>
                                                        <th scope="col">"Last year's outcome"</th>
                                                        <th scope="col">"Statement"</th>
                                                        <th scope="col">"Column"</th>
                                                        <th scope="col">"Wording"</th>
                                                        <th scope="col">"Last year's answer"</th>
                                                    </tr></thead>
                                                    <tbody>
                                                        {s.items.into_iter().map(|i| view! {
                                                            <tr>
                                                                <td>{format!("{} {}", i.outcome, i.outcome_title)}</td>
                                                                <td>{i.indicator.clone().unwrap_or_else(|| "Whole outcome removed".into())}</td>
                                                                <td>{i.column.clone()}</td>
                                                                <td>{i.text.clone()}</td>
                                                                <td>{i.answer.as_deref().map(answer_words).unwrap_or("Not answered")}</td>
                                                            </tr>
                                                        }).collect_view()}
                                                    </tbody>
                                                </table>
                                            </div>
                                        }).collect_view()}
                                    }.into_any()
                                }
                            }}
                            <p class="hint attribution">{caf::ATTRIBUTION}</p>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}
