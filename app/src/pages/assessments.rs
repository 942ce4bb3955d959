//! An organisation's assessments: the list, starting a new one, and importing one.

use crate::assess_api::{CreateAssessment, assessments};
use crate::components::{ErrorPanel, FormError, Loading};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// How many critical-system rows the create form offers.
const SYSTEM_ROWS: usize = 5;

/// The assessments page.
#[component]
pub fn AssessmentsPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let create = ServerAction::<CreateAssessment>::new();
    Effect::new(move |_| {
        if let Some(Ok(id)) = create.value().get() {
            crate::browser::go_to(&format!("/org/{}/assessments/{id}", slug()));
        }
    });
    let data = Resource::new(slug, assessments);
    let import_error = move || query.read().get("import_error");
    view! {
        <Title text="Assessments" />
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    Ok(view) => {
                        let slug = slug();
                        let profiles = StoredValue::new(view.profiles.clone());
                        let chosen = RwSignal::new(view.frameworks.first().map(|f| f.0.clone()).unwrap_or_default());
                        let import_action = format!("/org/{slug}/assessments/import");
                        view! {
                            <span class="caption">{view.organisation.clone()}</span>
                            <h1 class="heading-xl">"Assessments"</h1>
                            <p class="body"><a href=format!("/org/{slug}/evidence")>"Evidence register"</a>" · "<a href=format!("/org/{slug}/systems") id="systems-link">"Critical systems"</a></p>
                            {if view.assessments.is_empty() {
                                view! { <p class="body">"No assessments yet."</p> }.into_any()
                            } else {
                                view! {
                                    <div class="table-scroll" role="region" aria-label="Assessments" tabindex="0"><table class="table" id="assessment-list">
                                        <thead><tr><th scope="col">"Assessment"</th><th scope="col">"Period"</th><th scope="col">"Framework"</th><th scope="col">"Profile"</th><th scope="col">"Scopes"</th></tr></thead>
                                        <tbody>
                                            {view.assessments.iter().map(|a| view! {
                                                <tr>
                                                    <td><a href=format!("/org/{slug}/assessments/{}", a.id)>{a.title.clone()}</a></td>
                                                    <td>{a.period.clone()}</td>
                                                    <td>{format!("CAF {}", a.framework_version)}</td>
                                                    <td>{a.profile_name.clone()}</td>
                                                    <td>{a.scopes.iter().map(|s| format!("{} ({})", s.name, s.state.label().to_lowercase())).collect::<Vec<_>>().join(", ")}</td>
                                                </tr>
                                            }).collect_view()}
                                        </tbody>
                                    </table></div>
                                }.into_any()
                            }}
                            {view.can_lead.then(|| view! {
                                <h2 class="heading-l">"Start an assessment"</h2>
                                <FormError value=create.value() />
                                <ActionForm action=create attr:class="form" attr:id="create-assessment">
                                    <input type="hidden" name="slug" value=slug.clone() />
                                    <div class="form-group">
                                        <label class="label" for="a-title">"Title"</label>
                                        <input class="input" id="a-title" name="title" type="text" required placeholder="CAF self-assessment 2026/27" />
                                    </div>
                                    <div class="form-group">
                                        <label class="label" for="a-period">"Period" <span class="hint">"For example 2026/27"</span></label>
                                        <input class="input input--short" id="a-period" name="period" type="text" required />
                                    </div>
                                    <div class="form-group">
                                        <label class="label" for="a-framework">"Framework version"</label>
                                        <select class="select" id="a-framework" name="framework" on:change=move |ev| chosen.set(event_target_value(&ev))>
                                            {view.frameworks.iter().map(|(v, t)| view! { <option value=v.clone()>{format!("CAF {v} – {t}")}</option> }).collect_view()}
                                        </select>
                                    </div>
                                    <div class="form-group">
                                        <label class="label" for="a-profile">"Target profile" <span class="hint">"Choose one for the framework version above"</span></label>
                                        <select class="select" id="a-profile" name="profile">
                                            {move || profiles.with_value(|all| all.iter().filter(|p| p.2 == chosen.get()).map(|(id, name, ..)| view! { <option value=id.clone()>{name.clone()}</option> }).collect_view())}
                                        </select>
                                        <details class="details" id="profile-sources">
                                            <summary class="details__summary">"Where these profiles come from"</summary>
                                            <div class="details__text">
                                                <ul class="list">
                                                    {move || profiles.with_value(|all| all.iter().filter(|p| p.2 == chosen.get()).map(|(id, name, version, source_name, source)| view! {
                                                        <li>
                                                            <strong>{name.clone()}</strong>
                                                            <span class="hint">{format!("The source calls it \u{201c}{source_name}\u{201d}. {source}")}</span>
                                                            <a href=format!("/frameworks/{version}?profile={id}")>"See its targets in the framework browser"</a>
                                                        </li>
                                                    }).collect_view())}
                                                </ul>
                                            </div>
                                        </details>
                                    </div>
                                    <div class="form-group checkbox">
                                        <input type="checkbox" id="a-own" name="own_profile" value="true" />
                                        <label for="a-own">"Use it as the starting point of our own profile (the CAF lead can change each target)"</label>
                                    </div>
                                    <div class="form-group">
                                        <label class="label" for="a-org-desc">"What the organisation scope covers" <span class="hint">"Objectives A and D are assessed for the organisation as a whole"</span></label>
                                        <textarea class="textarea" id="a-org-desc" name="organisation_description" rows="2"></textarea>
                                    </div>
                                    <fieldset class="fieldset">
                                        <legend class="heading-s">"Critical systems"</legend>
                                        <p class="hint">"Objectives B and C are assessed for each system. Leave unused rows blank."</p>
                                        {(0..SYSTEM_ROWS).map(|i| view! {
                                            <div class="form--inline">
                                                <div class="form-group">
                                                    <label class="label" for=format!("sys-name-{i}")>{format!("System {} name", i + 1)}</label>
                                                    <input class="input" id=format!("sys-name-{i}") name=format!("system_names[{i}]") type="text" />
                                                </div>
                                                <div class="form-group">
                                                    <label class="label" for=format!("sys-desc-{i}")>{format!("System {} description", i + 1)}</label>
                                                    <input class="input" id=format!("sys-desc-{i}") name=format!("system_descriptions[{i}]") type="text" />
                                                </div>
                                            </div>
                                        }).collect_view()}
                                    </fieldset>
                                    <button type="submit" class="button" id="create-submit">"Create assessment"</button>
                                </ActionForm>
                                <h2 class="heading-l">"Import an assessment"</h2>
                                <p class="body">"Import an assessment exported from this or another instance (JSON). Every problem is listed at once, and nothing is stored unless the whole file is valid."</p>
                                {import_error().map(|e| view! {
                                    <div class="error-summary" role="alert" id="import-error">
                                        <p class="body">"The file was not imported:"</p>
                                        <ul class="list list--bullet">{e.lines().map(|l| view! { <li>{l.to_owned()}</li> }).collect_view()}</ul>
                                    </div>
                                })}
                                <form class="form" method="post" enctype="multipart/form-data" action=import_action.clone()>
                                    <div class="form-group">
                                        <label class="label" for="import-title">"New title (optional)"</label>
                                        <input class="input" id="import-title" name="title" type="text" />
                                    </div>
                                    <div class="form-group">
                                        <label class="label" for="import-file">"Export file (JSON)"</label>
                                        <input class="file-upload" id="import-file" name="file" type="file" accept="application/json,.json" required />
                                    </div>
                                    <button type="submit" class="button button--secondary">"Import"</button>
                                </form>
                            })}
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}
