//! The outcome's improvement plan actions: proposing one, and the actions already agreed.

use crate::assess::OutcomeWorkspace;
use crate::assess_api::ProposeAction;
use crate::components::FormError;
use crate::roles::Permission;
use caf::Status;
use leptos::prelude::*;

#[component]
pub(super) fn Actions(data: OutcomeWorkspace, slug: String) -> impl IntoView {
    let propose = ServerAction::<ProposeAction>::new();
    Effect::new(move |_| {
        if matches!(propose.value().get(), Some(Ok(_))) {
            crate::browser::go_to(&crate::browser::current_path());
        }
    });
    let lead = data.role.can(Permission::LeadAssessment);
    let can_propose = lead
        || (data.role.can(Permission::Assure)
            && data.scope.state != crate::assess::ScopeState::SignedOff);
    let below = crate::assess::short_of_target(
        data.record
            .draft
            .confirmed
            .as_deref()
            .and_then(Status::from_key),
        data.record.suggested,
        !data.record.draft.answers.is_empty(),
        data.target,
    ) == Some(true);
    view! {
        <section aria-labelledby="plan-heading">
            <h2 class="heading-m" id="plan-heading">"Improvement plan"</h2>
            {below.then(|| view! { <p class="body">"This outcome is below its target."</p> })}
            {if data.actions.is_empty() {
                view! { <p class="body secondary">"No actions for this outcome."</p> }.into_any()
            } else {
                view! {
                    <ul class="list" id="outcome-actions">
                        {data.actions.iter().map(|a| view! {
                            <li>{format!("{} — owner {}, due {}, {} (proposed by {})", a.description, a.owner, a.due.clone().unwrap_or_else(|| "not set".into()), a.status.label().to_lowercase(), a.proposed_by)}</li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            {can_propose.then(|| view! {
                <details class="details">
                    <summary class="details__summary">{if lead { "Add an action" } else { "Propose an action" }}</summary>
                    <FormError value=propose.value() />
                    <ActionForm action=propose attr:class="form">
                        <input type="hidden" name="slug" value=slug.clone() />
                        <input type="hidden" name="scope_id" value=data.scope.id />
                        <input type="hidden" name="outcome" value=data.outcome.id.clone() />
                        <div class="form-group">
                            <label class="label" for="action-description">"Action"</label>
                            <textarea class="textarea" id="action-description" name="description" rows="2" required></textarea>
                        </div>
                        <div class="form--inline">
                            <div class="form-group">
                                <label class="label" for="action-owner">"Owner"</label>
                                <input class="input" id="action-owner" name="owner" type="text" required />
                            </div>
                            <div class="form-group">
                                <label class="label" for="action-due">"Due"</label>
                                <input class="input input--short" id="action-due" name="due" type="date" />
                            </div>
                        </div>
                        <button type="submit" class="button button--secondary">{if lead { "Add action" } else { "Propose action" }}</button>
                    </ActionForm>
                </details>
            })}
        </section>
    }
}
