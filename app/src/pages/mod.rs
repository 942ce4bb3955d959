//! One module per page.

mod account;
mod admin;
mod answer;
mod assessments;
mod audit;
mod audit_words;
mod carried;
mod changes;
mod compare;
mod dashboard;
mod evidence;
mod evidence_fields;
mod framework;
mod framework_list;
mod home;
mod invitations;
mod next_year;
mod not_carried;
mod outcome;
mod reconfirm;
mod reports;
mod signed_view;
mod signin;
mod systems;

pub use account::{AccountPage, SessionsPage};
pub use admin::{AdminPage, OrgMembersPage, OrgPage};
pub use answer::AnswerPage;
pub use assessments::AssessmentsPage;
pub use audit::{AdminAuditPage, OrgAuditPage};
pub use changes::ChangesPage;
pub use compare::ComparePage;
pub use dashboard::AssessmentPage;
pub use evidence::{EvidencePage, PlanPage};
pub use framework::FrameworkPage;
pub use framework_list::FrameworkList;
pub use home::Home;
pub use next_year::NextYearPage;
pub use not_carried::NotCarriedPage;
pub use outcome::OutcomePage;
pub use reconfirm::ReconfirmPage;
pub use reports::ReportsPage;
pub use signin::{KeyStepPage, LinkPage, RegisterKeyStepPage, SignInPage};
pub use systems::{AssessmentSystems, SystemsPage};

use crate::components::ErrorPanel;
use crate::error::AppError;
use leptos::prelude::*;

/// The organisation's short name and the assessment id of an `/org/:slug/assessments/:id/…`
/// address, read reactively (an id that is not a number reads as 0, which no assessment has).
pub(crate) fn assessment_address() -> impl Fn() -> (String, i64) + Copy + Send + Sync + 'static {
    let params = leptos_router::hooks::use_params_map();
    move || {
        let p = params.read();
        (
            p.get("slug").unwrap_or_default(),
            p.get("id")
                .and_then(|s| s.parse::<i64>().ok())
                .unwrap_or_default(),
        )
    }
}

/// The page for any address the app does not know.
#[component]
pub fn NotFound() -> impl IntoView {
    view! { <ErrorPanel error=AppError::NotFound("There is no page at this address.".into()) /> }
}
