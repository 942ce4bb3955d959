//! Roles in an organisation and what each may do: the one table the server checks.

use serde::{Deserialize, Serialize};

/// A person's role in one organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Manages the organisation's members and settings.
    OrgAdmin,
    /// Runs the assessment: creates it, assigns outcomes, agrees the plan.
    CafLead,
    /// Answers outcomes and attaches evidence.
    Assessor,
    /// Internal quality assurance: reviews, returns or accepts.
    Reviewer,
    /// The senior risk owner who signs off.
    Approver,
    /// Reads reports only.
    BoardViewer,
    /// Independent assurer: reads and comments, for a set period.
    ExternalAssurer,
}

/// Something a member may be allowed to do in their organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// See the organisation's own page: every current member may.
    OpenOrganisation,
    /// See the organisation's assessments, answers and evidence.
    ReadAssessments,
    /// Read signed-off board reports.
    ReadReports,
    /// Answer outcomes and change evidence.
    EditAnswers,
    /// Create assessments, assign outcomes, set profiles, accept plan actions.
    LeadAssessment,
    /// Comment on outcomes.
    Comment,
    /// Return or accept a scope in internal review.
    Review,
    /// Assure a scope and propose plan actions.
    Assure,
    /// Sign off a scope.
    SignOff,
    /// Invite members, change roles, read the organisation's audit log.
    ManageMembers,
}

impl Role {
    /// Every role, in the order they are listed to people.
    pub const ALL: [Role; 7] = [
        Role::OrgAdmin,
        Role::CafLead,
        Role::Assessor,
        Role::Reviewer,
        Role::Approver,
        Role::BoardViewer,
        Role::ExternalAssurer,
    ];

    /// The role's name in words.
    pub fn label(self) -> &'static str {
        match self {
            Role::OrgAdmin => "Organisation admin",
            Role::CafLead => "CAF lead",
            Role::Assessor => "Assessor",
            Role::Reviewer => "Reviewer",
            Role::Approver => "Approver (senior risk owner)",
            Role::BoardViewer => "Board viewer",
            Role::ExternalAssurer => "External assurer",
        }
    }

    /// The key the role is stored under.
    pub fn key(self) -> &'static str {
        match self {
            Role::OrgAdmin => "org_admin",
            Role::CafLead => "caf_lead",
            Role::Assessor => "assessor",
            Role::Reviewer => "reviewer",
            Role::Approver => "approver",
            Role::BoardViewer => "board_viewer",
            Role::ExternalAssurer => "external_assurer",
        }
    }

    /// The role stored under `key`, if any.
    pub fn from_key(key: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.key() == key)
    }

    /// Whether this role may do `permission`. The access matrix in `docs/access.md` is this table.
    pub fn can(self, permission: Permission) -> bool {
        use Permission as P;
        if permission == P::OpenOrganisation {
            return true;
        }
        match self {
            Role::OrgAdmin => matches!(permission, P::ManageMembers),
            Role::CafLead => matches!(
                permission,
                P::ReadAssessments
                    | P::ReadReports
                    | P::EditAnswers
                    | P::LeadAssessment
                    | P::Comment
            ),
            Role::Assessor => {
                matches!(permission, P::ReadAssessments | P::EditAnswers | P::Comment)
            }
            Role::Reviewer => matches!(permission, P::ReadAssessments | P::Comment | P::Review),
            Role::Approver => matches!(
                permission,
                P::ReadAssessments | P::ReadReports | P::Comment | P::SignOff
            ),
            Role::BoardViewer => matches!(permission, P::ReadReports),
            Role::ExternalAssurer => matches!(
                permission,
                P::ReadAssessments | P::ReadReports | P::Comment | P::Assure
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::from_key(role.key()), Some(role));
        }
        assert_eq!(Role::from_key("platform_admin"), None);
    }

    #[test]
    fn separation_of_duties() {
        assert!(!Role::Assessor.can(Permission::SignOff));
        assert!(!Role::Assessor.can(Permission::Review));
        assert!(!Role::Reviewer.can(Permission::EditAnswers));
        assert!(!Role::ExternalAssurer.can(Permission::EditAnswers));
        assert!(!Role::BoardViewer.can(Permission::ReadAssessments));
        assert!(
            !Role::OrgAdmin.can(Permission::ReadAssessments),
            "admins manage, they do not read"
        );
        assert!(
            !Role::OrgAdmin.can(Permission::ReadReports),
            "a board report holds the assessment's content"
        );
        for role in [
            Role::BoardViewer,
            Role::Approver,
            Role::CafLead,
            Role::ExternalAssurer,
        ] {
            assert!(role.can(Permission::ReadReports), "{role:?}");
        }
        assert!(Role::Approver.can(Permission::SignOff));
        assert!(Role::CafLead.can(Permission::LeadAssessment));
        for role in Role::ALL {
            assert!(role.can(Permission::OpenOrganisation), "{role:?}");
        }
    }
}
