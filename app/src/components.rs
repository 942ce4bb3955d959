//! Pieces shared by several pages: header, footer, status tags and error panels.

use crate::error::AppError;
use caf::Status;
use leptos::prelude::*;
use leptos_router::components::A;

/// The site header with the skip link, the main navigation and the signed-in person.
#[component]
pub fn Header() -> impl IntoView {
    let viewer = Resource::new(|| (), |_| crate::auth_api::current_viewer());
    let sign_out = ServerAction::<crate::auth_api::SignOut>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = sign_out.value().get() {
            crate::browser::go_to("/signin");
        }
    });
    view! {
        <a href="#main-content" class="skip-link">"Skip to main content"</a>
        <header class="header">
            <div class="width-container header__inner">
                <a href="/" class="header__name">"CAF self-assessment"</a>
                <nav aria-label="Main">
                    <ul class="header__nav">
                        <Transition fallback=|| ()>
                            {move || Suspend::new(async move {
                                let viewer = viewer.await.ok().flatten();
                                let full = viewer.as_ref().filter(|v| v.stage == crate::types::Stage::Full).cloned();
                                let signed_in = viewer.is_some();
                                view! {
                                    {(viewer.is_none() || full.is_some()).then(|| view! {
                                        <li><A href="/frameworks">"Framework"</A></li>
                                        <li><A href="/changes/3.2/4.0">"What changed in 4.0"</A></li>
                                    })}
                                    {full.map(|v| view! {
                                        {v.platform_admin.then(|| view! { <li><A href="/admin">"Administration"</A></li> })}
                                        <li><A href="/account">{format!("Account ({})", v.name)}</A></li>
                                    })}
                                    {if signed_in {
                                        view! {
                                            <li>
                                                <ActionForm action=sign_out attr:class="inline-form">
                                                    <button class="header__button" type="submit" id="sign-out">"Sign out"</button>
                                                </ActionForm>
                                            </li>
                                        }.into_any()
                                    } else {
                                        view! { <li><a href="/signin">"Sign in"</a></li> }.into_any()
                                    }}
                                }
                            })}
                        </Transition>
                    </ul>
                </nav>
            </div>
        </header>
    }
}

/// The footer with the NCSC attribution that must accompany the framework text.
#[component]
pub fn Footer() -> impl IntoView {
    view! {
        <footer class="footer">
            <div class="width-container">
                <p>
                    "Contains public sector information published by the National Cyber Security Centre: "
                    <a href="https://www.ncsc.gov.uk/collection/cyber-assessment-framework">"Cyber Assessment Framework"</a>
                    ", © Crown copyright, reused under the "
                    <a href="https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/">"Open Government Licence v3.0"</a>
                    "."
                </p>
            </div>
        </footer>
    }
}

/// A coloured tag naming a status in words (colour is never the only signal).
#[component]
pub fn StatusTag(status: Status) -> impl IntoView {
    let class = match status {
        Status::NotAchieved => "tag tag--red",
        Status::PartiallyAchieved => "tag tag--amber",
        Status::Achieved => "tag tag--green",
    };
    view! { <strong class=class>{status.label()}</strong> }
}

/// Shows an error to the person, and on the server sets the response's status code.
#[component]
pub fn ErrorPanel(error: AppError) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>()
        && let Ok(code) = http::StatusCode::from_u16(error.status_code())
    {
        response.set_status(code);
    }
    let heading = match &error {
        AppError::NotFound(_) => "Page not found",
        AppError::Forbidden => "You cannot see this page",
        _ => "Sorry, there is a problem",
    };
    view! {
        <leptos_meta::Title text=heading />
        <h1 class="heading-l">{heading}</h1>
        <p class="body">{error.to_string()}</p>
        <p class="body"><a href="/frameworks">"Go to the framework versions"</a></p>
    }
}

/// A paragraph shown while data loads (only seen when navigating in the browser).
#[component]
pub fn Loading() -> impl IntoView {
    view! { <p class="body" role="status">"Loading…"</p> }
}

/// The error of the last submission of a form, if it failed, announced to screen readers.
#[component]
pub fn FormError<T>(value: MappedSignal<Option<Result<T, AppError>>>) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
{
    move || match value.get() {
        Some(Err(error)) => Some(view! {
            <div class="error-summary" role="alert"><p class="body">{error.to_string()}</p></div>
        }),
        _ => None,
    }
}

/// A count that moves only when an action succeeds: a page's data reloads after a change, but a
/// refused form keeps what the person typed.
pub fn successes<T>(
    value: MappedSignal<Option<Result<T, AppError>>>,
    version: RwSignal<usize>,
) -> Memo<usize>
where
    T: Clone + Send + Sync + 'static,
{
    Memo::new(move |previous: Option<&usize>| {
        if value.with(|v| matches!(v, Some(Ok(_)))) {
            version.get()
        } else {
            previous.copied().unwrap_or_default()
        }
    })
}

/// A UTC timestamp as people read it: `2026-11-25 08:42 UTC`.
pub fn when(stamp: &str) -> String {
    let (date, time) = stamp.split_once('T').unwrap_or((stamp, ""));
    format!("{date} {} UTC", time.get(..5).unwrap_or(time))
        .trim()
        .to_owned()
}

/// A count with its noun in the right number: `1 change`, `3 changes`.
pub fn count(n: i64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_take_the_right_number() {
        assert_eq!(count(0, "change", "changes"), "0 changes");
        assert_eq!(count(1, "change", "changes"), "1 change");
        assert_eq!(
            count(9, "unused recovery code", "unused recovery codes"),
            "9 unused recovery codes"
        );
    }
}
