//! Carried-forward outcomes waiting for a person to look at them again: per scope and
//! objective, with a bulk "re-confirm unchanged" for scopes carried for a light review.

use crate::components::{ErrorPanel, FormError, Loading};
use crate::cycle::CarryApproach;
use crate::cycle_api::{ReconfirmObjective, ReconfirmScope, reconfirm_view};
use leptos::prelude::*;
use leptos_meta::Title;

/// The re-confirmation page of an assessment.
#[component]
pub fn ReconfirmPage() -> impl IntoView {
    let key = super::assessment_address();
    let bulk = ServerAction::<ReconfirmObjective>::new();
    let data = Resource::new(
        move || (key(), bulk.version().get()),
        |((slug, id), _)| reconfirm_view(slug, id),
    );
    view! {
        <Title text="Re-confirm carried outcomes" />
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    Ok(view) => {
                        let (slug, id) = key();
                        let base = format!("/org/{slug}/assessments/{id}");
                        let waiting: usize = view.scopes.iter().map(|s| s.objectives.iter().map(|o| o.outcomes.len()).sum::<usize>()).sum();
                        view! {
                            <nav class="breadcrumbs" aria-label="Breadcrumb">
                                <ol>
                                    <li><a href=format!("/org/{slug}/assessments")>"Assessments"</a></li>
                                    <li><a href=base.clone()>{view.assessment.title.clone()}</a></li>
                                </ol>
                            </nav>
                            <h1 class="heading-xl">"Re-confirm carried outcomes"</h1>
                            <p class="lead">"These outcomes were carried forward from last year's signed-off assessment. Look at each one again: a scope cannot be submitted until every carried outcome is re-confirmed. Saving an outcome re-confirms it too."</p>
                            <p class="body" id="waiting-count" role="status">{match waiting {
                                0 => "Every carried outcome has been re-confirmed.".to_owned(),
                                1 => "1 carried outcome waits to be re-confirmed.".to_owned(),
                                n => format!("{n} carried outcomes wait to be re-confirmed."),
                            }}</p>
                            <p class="body"><a href=format!("{base}/not-carried") id="not-carried-link">"What did not carry from last year"</a></p>
                            <FormError value=bulk.value() />
                            {move || bulk.value().get().and_then(|r| r.ok()).map(|(done, left)| view! {
                                <div class="inset" role="status" id="bulk-result">
                                    <p class="body">{format!(
                                        "Re-confirmed {done}. {}",
                                        if left == 0 { "None of that objective's carried outcomes still waits.".to_owned() } else { format!("{left} still wait: their wording changed, so each needs a look of its own.") }
                                    )}</p>
                                </div>
                            })}
                            {view.scopes.iter().map(|s| view! { <ScopeList scope=s.clone() slug=slug.clone() base=base.clone() can_edit=view.can_edit bulk /> }).collect_view()}
                            {view.scopes.is_empty().then(|| view! {
                                <p class="body">"Nothing in this assessment was carried forward."</p>
                            })}
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn ScopeList(
    scope: ReconfirmScope,
    slug: String,
    base: String,
    can_edit: bool,
    bulk: ServerAction<ReconfirmObjective>,
) -> impl IntoView {
    let editable = can_edit && scope.scope.state.editable();
    let light = scope.approach == CarryApproach::Light;
    let scope_id = scope.scope.id;
    view! {
        <section class="section" aria-labelledby=format!("scope-{scope_id}")>
            <h2 class="heading-l" id=format!("scope-{scope_id}")>{scope.scope.name.clone()}</h2>
            <p class="body secondary">{format!("{} · {} re-confirmed", scope.approach.label(), scope.reconfirmed)}</p>
            {scope.objectives.into_iter().filter(|o| !o.outcomes.is_empty()).map(|o| {
                let (objective, title, outcomes) = (o.id, o.title, o.outcomes);
                let unchanged = outcomes.iter().filter(|o| o.2).count();
                let slug = slug.clone();
                view! {
                    <h3 class="heading-m">{format!("Objective {objective}: {title}")}</h3>
                    <ul class="list list--bullet">
                        {outcomes.into_iter().map(|(id, title, same)| view! {
                            <li>
                                <a href=format!("{base}/scopes/{scope_id}/outcomes/{id}")>{format!("{id} {title}")}</a>
                                {(!same).then(|| view! { " " <strong class="tag tag--amber">"Wording changed"</strong> })}
                            </li>
                        }).collect_view()}
                    </ul>
                    {(editable && light && unchanged > 0).then(move || view! {
                        <ActionForm action=bulk attr:class="inline-form">
                            <input type="hidden" name="slug" value=slug.clone() />
                            <input type="hidden" name="scope_id" value=scope_id.to_string() />
                            <input type="hidden" name="objective" value=objective.clone() />
                            <button type="submit" class="button button--secondary" id=format!("bulk-{scope_id}-{objective}")>
                                {format!("Re-confirm the {unchanged} unchanged outcome{} of objective {objective}", if unchanged == 1 { "" } else { "s" })}
                            </button>
                        </ActionForm>
                    })}
                }
            }).collect_view()}
        </section>
    }
}
