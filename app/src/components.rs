//! Pieces shared by several pages: header, footer, status tags and error panels.

use crate::error::AppError;
use caf::Status;
use leptos::prelude::*;
use leptos_router::components::A;

/// The site header with the skip link and the main navigation.
#[component]
pub fn Header() -> impl IntoView {
    view! {
        <a href="#main-content" class="skip-link">"Skip to main content"</a>
        <header class="header">
            <div class="width-container header__inner">
                <a href="/" class="header__name">"CAF self-assessment"</a>
                <nav aria-label="Main">
                    <ul class="header__nav">
                        <li><A href="/frameworks">"Framework"</A></li>
                        <li><A href="/changes/3.2/4.0">"What changed in 4.0"</A></li>
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
