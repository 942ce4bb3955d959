//! The organisation's critical systems: each with the assessments that covered it and the name
//! it had then, renamed by the CAF lead; and, on an assessment's dashboard, the CAF lead's forms
//! to add a critical system to an assessment still running or to remove one from it.

use crate::assess::{ScopeGrid, ScopeKind, ScopeState};
use crate::components::{ErrorPanel, FormError, Loading, successes};
use crate::cycle::CriticalSystem;
use crate::systems_api::{AddSystemScope, RemoveSystemScope, RenameSystem, critical_systems};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// The critical systems page.
#[component]
pub fn SystemsPage() -> impl IntoView {
    let params = use_params_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let rename = ServerAction::<RenameSystem>::new();
    let version = RwSignal::new(0usize);
    let done = successes(rename.value(), version);
    Effect::new(move |_| {
        if matches!(rename.value().get(), Some(Ok(()))) {
            version.update(|v| *v += 1);
        }
    });
    let data = Resource::new(
        move || (slug(), done.get()),
        |(slug, _)| critical_systems(slug),
    );
    view! {
        <Title text="Critical systems" />
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    Ok((systems, may_change)) => {
                        let slug = slug();
                        view! {
                            <nav class="breadcrumbs" aria-label="Breadcrumb">
                                <ol><li><a href=format!("/org/{slug}/assessments")>"Assessments"</a></li></ol>
                            </nav>
                            <h1 class="heading-xl">"Critical systems"</h1>
                            <p class="lead">"Each critical system keeps one history from year to year, whatever it is called: the year-on-year comparison and the board report follow a system by this identity, never by its name."</p>
                            {systems.is_empty().then(|| view! { <p class="body" id="systems-none">"No assessment has a critical system yet. Name them when you create an assessment, or add one to an assessment still running from its page."</p> })}
                            <FormError value=rename.value() />
                            <ul class="list systems" id="systems">
                                {systems.into_iter().map(|s| system_item(slug.clone(), s, may_change, rename)).collect_view()}
                            </ul>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

fn system_item(
    slug: String,
    system: CriticalSystem,
    may_change: bool,
    rename: ServerAction<RenameSystem>,
) -> impl IntoView {
    let id = system.id;
    view! {
        <li class="system" data-system=id>
            <h2 class="heading-m">{system.name.clone()}</h2>
            {(!system.description.is_empty()).then(|| view! { <p class="body">{system.description.clone()}</p> })}
            {if system.assessments.is_empty() {
                view! { <p class="body secondary">"Not in any assessment."</p> }.into_any()
            } else {
                view! {
                    <p class="body">"Assessed in:"</p>
                    <ul class="list list--bullet">
                        {system.assessments.iter().map(|(aid, title, then)| view! {
                            <li>
                                <a href=format!("/org/{slug}/assessments/{aid}")>{title.clone()}</a>
                                {(*then != system.name).then(|| format!(" (as {then})"))}
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            {may_change.then(|| view! {
                <details class="details">
                    <summary class="details__summary" id=format!("rename-{id}")>{format!("Rename {}", system.name)}</summary>
                    <ActionForm action=rename attr:class="form details__text">
                        <input type="hidden" name="slug" value=slug.clone() />
                        <input type="hidden" name="system_id" value=id />
                        <p class="hint">"Assessments still running take the new name; signed-off ones keep the name they were signed under."</p>
                        <div class="form-group">
                            <label class="label" for=format!("sys-{id}-name")>"Name"</label>
                            <input class="input" id=format!("sys-{id}-name") name="name" maxlength="120" required value=system.name.clone() />
                        </div>
                        <div class="form-group">
                            <label class="label" for=format!("sys-{id}-desc")>"Description (optional)"</label>
                            <textarea class="textarea" id=format!("sys-{id}-desc") name="description" maxlength="1000" rows="2">{system.description.clone()}</textarea>
                        </div>
                        <button type="submit" class="button button--secondary">"Save the name"</button>
                    </ActionForm>
                </details>
            })}
        </li>
    }
}

/// The CAF lead's critical systems of one assessment: remove one, or add one, while no scope is
/// signed off.
#[component]
pub fn AssessmentSystems(slug: String, assessment_id: i64, grids: Vec<ScopeGrid>) -> impl IntoView {
    let add = ServerAction::<AddSystemScope>::new();
    let remove = ServerAction::<RemoveSystemScope>::new();
    Effect::new(move |_| {
        if matches!(add.value().get(), Some(Ok(_))) || matches!(remove.value().get(), Some(Ok(_))) {
            crate::browser::go_to(&crate::browser::current_path());
        }
    });
    let fixed = grids.iter().any(|g| g.scope.state == ScopeState::SignedOff);
    let systems: Vec<ScopeGrid> = grids
        .into_iter()
        .filter(|g| g.scope.kind == ScopeKind::System)
        .collect();
    view! {
        <h2 class="heading-l" id="assessment-systems">"Critical systems in this assessment"</h2>
        <p class="body"><a href=format!("/org/{slug}/systems")>"All the organisation's critical systems, with their history"</a></p>
        {if fixed {
            view! { <p class="body" id="systems-fixed">"A scope of this assessment is signed off, so its critical systems are fixed. Add or remove systems in next year's assessment."</p> }.into_any()
        } else {
            let slug_r = slug.clone();
            view! {
                <FormError value=remove.value() />
                {systems.is_empty().then(|| view! { <p class="body">"This assessment has no critical system yet."</p> })}
                <ul class="list">
                    {systems.into_iter().map(|g| {
                        let slug_r = slug_r.clone();
                        let id = g.scope.id;
                        let worked = g.cells.iter().filter(|c| c.answered.0 > 0 || c.confirmed.is_some()).count();
                        let name = g.scope.name.clone();
                        view! {
                            <li>
                                <details class="details">
                                    <summary class="details__summary" id=format!("remove-{id}")>{format!("Remove {name} from this assessment")}</summary>
                                    <ActionForm action=remove attr:class="form details__text">
                                        <input type="hidden" name="slug" value=slug_r.clone() />
                                        <input type="hidden" name="scope_id" value=id />
                                        <p class="body">{match worked {
                                            0 => "Nothing has been answered in this scope yet.".to_owned(),
                                            1 => "1 outcome has work in this scope. Its answers, narrative, evidence links, comments and plan actions go with the scope; the evidence register keeps its items.".to_owned(),
                                            n => format!("{n} outcomes have work in this scope. Their answers, narratives, evidence links, comments and plan actions go with the scope; the evidence register keeps its items."),
                                        }}</p>
                                        <div class="form-group">
                                            <label class="label" for=format!("remove-{id}-name")>{format!("Type {name} to confirm")}</label>
                                            <input class="input" id=format!("remove-{id}-name") name="typed_name" autocomplete="off" />
                                        </div>
                                        <button type="submit" class="button button--warning">"Remove the system"</button>
                                    </ActionForm>
                                </details>
                            </li>
                        }
                    }).collect_view()}
                </ul>
                <h3 class="heading-s">"Add a critical system"</h3>
                <p class="hint">"A system the organisation has assessed before keeps its history: give the name it has now."</p>
                <FormError value=add.value() />
                <ActionForm action=add attr:class="form" attr:id="add-system-form">
                    <input type="hidden" name="slug" value=slug.clone() />
                    <input type="hidden" name="id" value=assessment_id />
                    <div class="form-group">
                        <label class="label" for="add-system-name">"Name"</label>
                        <input class="input" id="add-system-name" name="name" maxlength="120" required />
                    </div>
                    <div class="form-group">
                        <label class="label" for="add-system-desc">"Description (optional)"</label>
                        <textarea class="textarea" id="add-system-desc" name="description" maxlength="1000" rows="2"></textarea>
                    </div>
                    <button type="submit" class="button button--secondary">"Add the system"</button>
                </ActionForm>
            }.into_any()
        }}
    }
}
