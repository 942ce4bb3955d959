//! The Leptos application: routes, pages, components and server functions.
//!
//! Server-only code (the data layer) compiles under the `ssr` feature only; the browser build
//! (`hydrate`) gets the same pages and the same `caf` rules.

#![recursion_limit = "256"]

pub mod account_api;
pub mod admin_api;
pub mod api;
pub mod assess;
pub mod assess_api;
pub mod audit_api;
pub mod auth_api;
pub mod browser;
mod components;
pub mod cycle;
pub mod cycle_api;
pub mod error;
pub mod filetypes;
pub mod invitations_api;
pub mod org_api;
mod pages;
pub mod report;
pub mod reports_api;
#[cfg(feature = "ssr")]
pub(crate) mod request_context;
pub mod roles;
pub mod systems_api;
pub mod types;
pub mod year_on_year;

#[cfg(feature = "ssr")]
pub mod auth;
#[cfg(feature = "ssr")]
pub mod data;
#[cfg(feature = "ssr")]
pub mod security;
#[cfg(feature = "ssr")]
mod shape;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::{
    SsrMode,
    components::{Route, Router, Routes},
    path,
};

/// The HTML document around every page, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    security::provide_request_nonce();
    view! {
        <!DOCTYPE html>
        <html lang="en-GB">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="icon" href="/favicon.ico" sizes="16x16 32x32" />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The application: header, routes and footer.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="app-style" href="/pkg/caf.css" />
        <Title formatter=|text: String| {
            if text.is_empty() {
                "CAF self-assessment".to_owned()
            } else {
                format!("{text} – CAF self-assessment")
            }
        } />
        <Router>
            <components::Header />
            <div class="width-container">
                <main id="main-content" class="main" tabindex="-1">
                    <Routes fallback=pages::NotFound>
                        <Route path=path!("/") view=pages::Home />
                        <Route path=path!("/frameworks") view=pages::FrameworkList ssr=SsrMode::Async />
                        <Route
                            path=path!("/frameworks/:version")
                            view=pages::FrameworkPage
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=path!("/frameworks/:version/outcomes/:outcome")
                            view=pages::OutcomePage
                            ssr=SsrMode::Async
                        />
                        <Route path=path!("/changes/:from/:to") view=pages::ChangesPage ssr=SsrMode::Async />
                        <Route path=path!("/signin") view=pages::SignInPage />
                        <Route path=path!("/signin/key") view=pages::KeyStepPage />
                        <Route path=path!("/signin/register-key") view=pages::RegisterKeyStepPage />
                        <Route path=path!("/setup/:token") view=pages::LinkPage ssr=SsrMode::Async />
                        <Route path=path!("/invite/:token") view=pages::LinkPage ssr=SsrMode::Async />
                        <Route path=path!("/account") view=pages::AccountPage ssr=SsrMode::Async />
                        <Route path=path!("/account/sessions") view=pages::SessionsPage ssr=SsrMode::Async />
                        <Route path=path!("/admin") view=pages::AdminPage ssr=SsrMode::Async />
                        <Route path=path!("/admin/audit") view=pages::AdminAuditPage ssr=SsrMode::Async />
                        <Route path=path!("/org/:slug") view=pages::OrgPage ssr=SsrMode::Async />
                        <Route path=path!("/org/:slug/members") view=pages::OrgMembersPage ssr=SsrMode::Async />
                        <Route path=path!("/org/:slug/audit") view=pages::OrgAuditPage ssr=SsrMode::Async />
                        <Route path=path!("/org/:slug/assessments") view=pages::AssessmentsPage ssr=SsrMode::Async />
                        <Route path=path!("/org/:slug/systems") view=pages::SystemsPage ssr=SsrMode::Async />
                        <Route path=path!("/org/:slug/assessments/:id") view=pages::AssessmentPage ssr=SsrMode::Async />
                        <Route path=path!("/org/:slug/assessments/:id/plan") view=pages::PlanPage ssr=SsrMode::Async />
                        <Route path=path!("/org/:slug/assessments/:id/next") view=pages::NextYearPage ssr=SsrMode::Async />
                        <Route path=path!("/org/:slug/assessments/:id/reconfirm") view=pages::ReconfirmPage ssr=SsrMode::Async />
                        <Route path=path!("/org/:slug/assessments/:id/not-carried") view=pages::NotCarriedPage ssr=SsrMode::Async />
                        <Route path=path!("/org/:slug/assessments/:id/compare") view=pages::ComparePage ssr=SsrMode::Async />
                        <Route
                            path=path!("/org/:slug/assessments/:id/scopes/:scope/outcomes/:outcome")
                            view=pages::AnswerPage
                            ssr=SsrMode::Async
                        />
                        <Route path=path!("/org/:slug/evidence") view=pages::EvidencePage ssr=SsrMode::Async />
                        <Route path=path!("/org/:slug/reports") view=pages::ReportsPage ssr=SsrMode::Async />
                    </Routes>
                </main>
            </div>
            <components::Footer />
        </Router>
    }
}

/// Entry point of the browser build: attaches to the server-rendered page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(App);
    // Lets people and browser tests know the page is interactive now.
    if let Some(body) = document().body() {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}
