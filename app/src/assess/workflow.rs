//! What a scope covers, where it is in review and sign-off, and who may move it: the workflow
//! rule the browser and the server share.

use crate::roles::{Permission, Role};
use serde::{Deserialize, Serialize};

/// What a scope covers: the organisation (objectives A and D) or a critical system (B and C).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScopeKind {
    /// The organisation as a whole.
    Organisation,
    /// A named critical system.
    System,
}

impl ScopeKind {
    /// The key it is stored under.
    pub fn key(self) -> &'static str {
        match self {
            Self::Organisation => "organisation",
            Self::System => "system",
        }
    }

    /// The kind stored under `key`.
    pub fn from_key(key: &str) -> Option<Self> {
        [Self::Organisation, Self::System]
            .into_iter()
            .find(|k| k.key() == key)
    }

    /// The CAF objectives this kind of scope is assessed against.
    pub fn objectives(self) -> &'static [&'static str] {
        match self {
            Self::Organisation => &["A", "D"],
            Self::System => &["B", "C"],
        }
    }
}

/// Where a scope is in review and sign-off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScopeState {
    /// Being answered.
    Draft,
    /// With the internal reviewer.
    InReview,
    /// Sent back with comments; being answered again.
    Returned,
    /// Accepted by the reviewer, with the external assurer.
    WithAssurer,
    /// Assured; waiting for the approver.
    Assured,
    /// Signed off: frozen for good.
    SignedOff,
}

impl ScopeState {
    /// Every state in workflow order.
    pub const ALL: [ScopeState; 6] = [
        Self::Draft,
        Self::InReview,
        Self::Returned,
        Self::WithAssurer,
        Self::Assured,
        Self::SignedOff,
    ];

    /// The key it is stored under.
    pub fn key(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::InReview => "in_review",
            Self::Returned => "returned",
            Self::WithAssurer => "with_assurer",
            Self::Assured => "assured",
            Self::SignedOff => "signed_off",
        }
    }

    /// The state stored under `key`.
    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.key() == key)
    }

    /// The state in words.
    pub fn label(self) -> &'static str {
        match self {
            Self::Draft => "Draft",
            Self::InReview => "In review",
            Self::Returned => "Returned with comments",
            Self::WithAssurer => "With the assurer",
            Self::Assured => "Assured",
            Self::SignedOff => "Signed off",
        }
    }

    /// Whether assessors may change answers, statuses, narratives and evidence links.
    pub fn editable(self) -> bool {
        matches!(self, Self::Draft | Self::Returned)
    }
}

/// A step of the workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkflowAction {
    /// Assessor or CAF lead: send for internal review.
    Submit,
    /// Reviewer or assurer: send back with a comment.
    Return,
    /// Reviewer: accept and pass to the external assurer.
    Accept,
    /// Assurer: assured, ready for sign-off.
    Assure,
    /// Approver: sign off and freeze.
    SignOff,
}

impl WorkflowAction {
    /// Every action.
    pub const ALL: [WorkflowAction; 5] = [
        Self::Submit,
        Self::Return,
        Self::Accept,
        Self::Assure,
        Self::SignOff,
    ];

    /// The key used in forms and the audit log.
    pub fn key(self) -> &'static str {
        match self {
            Self::Submit => "submit",
            Self::Return => "return",
            Self::Accept => "accept",
            Self::Assure => "assure",
            Self::SignOff => "sign_off",
        }
    }

    /// The action named `key`.
    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.key() == key)
    }

    /// The button's words.
    pub fn label(self) -> &'static str {
        match self {
            Self::Submit => "Submit for review",
            Self::Return => "Return with comments",
            Self::Accept => "Accept and send to the assurer",
            Self::Assure => "Mark as assured",
            Self::SignOff => "Sign off",
        }
    }

    /// The permission the action needs.
    pub fn permission(self) -> Permission {
        match self {
            Self::Submit => Permission::EditAnswers,
            Self::Return => Permission::Comment,
            Self::Accept => Permission::Review,
            Self::Assure => Permission::Assure,
            Self::SignOff => Permission::SignOff,
        }
    }

    /// Whether the action needs a comment saying why.
    pub fn needs_comment(self) -> bool {
        self == Self::Return
    }
}

/// The state a scope moves to when `role` takes `action` in `from`, or why it cannot.
pub fn transition(
    from: ScopeState,
    action: WorkflowAction,
    role: Role,
) -> Result<ScopeState, &'static str> {
    use ScopeState as S;
    use WorkflowAction as A;
    let next = match (action, from) {
        (A::Submit, S::Draft | S::Returned) => S::InReview,
        (A::Return, S::InReview) if role.can(Permission::Review) => S::Returned,
        (A::Return, S::WithAssurer) if role.can(Permission::Assure) => S::Returned,
        (A::Return, S::Assured) if role.can(Permission::SignOff) => S::Returned,
        (A::Accept, S::InReview) => S::WithAssurer,
        (A::Assure, S::WithAssurer) => S::Assured,
        (A::SignOff, S::Assured) => S::SignedOff,
        (A::Return, _) => return Err("This scope is not with you to return."),
        (_, S::SignedOff) => return Err("This scope is signed off and cannot change."),
        _ => return Err("That step does not apply to the scope in its current state."),
    };
    if !role.can(action.permission()) {
        return Err("Your role cannot take that step.");
    }
    Ok(next)
}

/// The workflow steps `role` may take on a scope in `state`.
pub fn available_actions(state: ScopeState, role: Role) -> Vec<WorkflowAction> {
    WorkflowAction::ALL
        .into_iter()
        .filter(|a| transition(state, *a, role).is_ok())
        .collect()
}
