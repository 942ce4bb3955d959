//! Sign-in building blocks that run on the server only.

pub mod flow;
pub mod password;

pub use flow::{AuthConfig, RequestMeta, SignedIn, Stage};

/// What the server's sign-in middleware learned about a request, for pages and server functions.
#[derive(Clone, Debug)]
pub struct RequestAuth {
    /// The request's session.
    pub session: tower_sessions::Session,
    /// Who is signed in, and how far.
    pub user: Option<SignedIn>,
    /// Address and browser, for sessions and audit records.
    pub meta: RequestMeta,
}

/// Where a person goes to finish signing in from a stage short of full.
pub fn next_step_path(stage: Stage) -> Option<&'static str> {
    match stage {
        Stage::KeyAssertion => Some("/signin/key"),
        Stage::KeyRegistration => Some("/signin/register-key"),
        Stage::Full => None,
    }
}
