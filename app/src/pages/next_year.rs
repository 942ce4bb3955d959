//! Starting next year's assessment from a signed-off one: the framework version and profile,
//! and for each scope whether last year's work carries forward.

use crate::components::{ErrorPanel, FormError, Loading};
use crate::cycle::CarryApproach;
use crate::cycle_api::{StartNextYear, next_year_form};
use leptos::prelude::*;
use leptos_meta::Title;

/// A guess at next year's period from last year's: "2025/26" becomes "2026/27".
pub fn next_period(period: &str) -> String {
    let parts: Vec<&str> = period.split('/').collect();
    match parts.as_slice() {
        [a, b] => match (a.trim().parse::<u32>(), b.trim().parse::<u32>()) {
            (Ok(a), Ok(b)) => format!("{}/{:0width$}", a + 1, (b + 1) % 100, width = b_width(b)),
            _ => String::new(),
        },
        [a] => a
            .trim()
            .parse::<u32>()
            .map(|a| (a + 1).to_string())
            .unwrap_or_default(),
        _ => String::new(),
    }
}

fn b_width(b: u32) -> usize {
    if b < 100 { 2 } else { 4 }
}

/// The "start next year" page.
#[component]
pub fn NextYearPage() -> impl IntoView {
    let key = super::assessment_address();
    let data = Resource::new(key, |(slug, id)| next_year_form(slug, id));
    let start = ServerAction::<StartNextYear>::new();
    Effect::new(move |_| {
        if let Some(Ok(id)) = start.value().get() {
            crate::browser::go_to(&format!("/org/{}/assessments/{id}", key().0));
        }
    });
    view! {
        <Title text="Start next year's assessment" />
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    Ok(view) => {
                        let (slug, id) = key();
                        let previous = view.previous.clone();
                        let chosen = RwSignal::new(view.frameworks.first().map(|f| f.0.clone()).unwrap_or_default());
                        let profiles = StoredValue::new(view.profiles.clone());
                        let period = next_period(&previous.period);
                        let title = if period.is_empty() { String::new() } else { format!("CAF self-assessment {period}") };
                        view! {
                            <nav class="breadcrumbs" aria-label="Breadcrumb">
                                <ol>
                                    <li><a href=format!("/org/{slug}/assessments")>"Assessments"</a></li>
                                    <li><a href=format!("/org/{slug}/assessments/{id}")>{previous.title.clone()}</a></li>
                                </ol>
                            </nav>
                            <span class="caption">{view.organisation.clone()}</span>
                            <h1 class="heading-xl">"Start next year's assessment"</h1>
                            <p class="lead">{format!(
                                "From {} ({}, CAF {}). Last year's assessment stays as it was signed, and the new one links to it.",
                                previous.title, previous.period, previous.framework_version
                            )}</p>
                            {(!view.followed_by.is_empty()).then(|| view! {
                                <div class="inset" id="already-followed">
                                    <p class="body">"Already carried forward into: "
                                        {view.followed_by.iter().map(|(a, t)| view! { <a href=format!("/org/{slug}/assessments/{a}")>{t.clone()}</a>" " }).collect_view()}
                                    </p>
                                </div>
                            })}
                            {if !view.signed_off {
                                view! {
                                    <p class="body" id="not-signed-off">"Only a signed-off assessment can be carried forward. Every scope of this one must be signed off by the approver first."</p>
                                }.into_any()
                            } else {
                                view! {
                                    <FormError value=start.value() />
                                    <ActionForm action=start attr:class="form" attr:id="next-year">
                                        <input type="hidden" name="slug" value=slug.clone() />
                                        <input type="hidden" name="previous_id" value=id.to_string() />
                                        <div class="form-group">
                                            <label class="label" for="n-title">"Title"</label>
                                            <input class="input" id="n-title" name="title" type="text" required value=title />
                                        </div>
                                        <div class="form-group">
                                            <label class="label" for="n-period">"Period" <span class="hint">"For example 2026/27"</span></label>
                                            <input class="input input--short" id="n-period" name="period" type="text" required value=period />
                                        </div>
                                        <div class="form-group">
                                            <label class="label" for="n-framework">"Framework version" <span class="hint">"Last year's or a newer one. Moving to a newer version carries answers statement by statement and flags every statement whose wording changed."</span></label>
                                            <select class="select" id="n-framework" name="framework" on:change=move |ev| chosen.set(event_target_value(&ev))>
                                                {view.frameworks.iter().map(|(v, t)| view! { <option value=v.clone()>{format!("CAF {v} – {t}")}</option> }).collect_view()}
                                            </select>
                                        </div>
                                        <div class="form-group">
                                            <label class="label" for="n-profile">"Target profile"</label>
                                            <select class="select" id="n-profile" name="profile">
                                                {move || profiles.with_value(|all| all.iter().filter(|p| p.2 == chosen.get()).map(|(pid, name, _)| view! { <option value=pid.clone()>{name.clone()}</option> }).collect_view())}
                                            </select>
                                        </div>
                                        <div class="form-group checkbox">
                                            <input type="checkbox" id="n-own" name="own_profile" value="true" />
                                            <label for="n-own">"Use it as the starting point of our own profile"</label>
                                        </div>
                                        {previous.scopes.iter().enumerate().map(|(i, s)| {
                                            let legend = format!("{}: how does it start this year?", s.name);
                                            view! {
                                                <fieldset class="fieldset" id=format!("approach-{i}")>
                                                    <legend class="heading-s">{legend}</legend>
                                                    <input type="hidden" name=format!("scope_ids[{i}]") value=s.id.to_string() />
                                                    <div class="radios">
                                                        {CarryApproach::ALL.into_iter().map(|a| {
                                                            let input = format!("approach-{i}-{}", a.key());
                                                            let hint = format!("{input}-hint");
                                                            view! {
                                                                <div class="radio">
                                                                    <input type="radio" name=format!("approaches[{i}]") id=input.clone() value=a.key()
                                                                        checked=a == CarryApproach::Light aria-describedby=hint.clone() />
                                                                    <label for=input>{a.label()}</label>
                                                                    <p class="hint" id=hint>{a.hint()}</p>
                                                                </div>
                                                            }
                                                        }).collect_view()}
                                                    </div>
                                                </fieldset>
                                            }
                                        }).collect_view()}
                                        <p class="body">"Carried outcomes keep their answers, narratives, confirmed statuses and evidence links, marked \u{201c}carried forward, not yet re-confirmed\u{201d}. A scope cannot be submitted until a person has re-confirmed every one."</p>
                                        <button type="submit" class="button" id="next-submit">"Start the assessment"</button>
                                    </ActionForm>
                                }.into_any()
                            }}
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[cfg(test)]
mod tests {
    use super::next_period;

    #[test]
    fn next_period_follows_the_financial_year() {
        assert_eq!(next_period("2025/26"), "2026/27");
        assert_eq!(next_period("2099/00"), "2100/01");
        assert_eq!(next_period("2026"), "2027");
        assert_eq!(next_period("Spring"), "");
    }
}
