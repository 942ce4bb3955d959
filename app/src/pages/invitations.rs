//! The invitations waiting on the signed-in user's account page, each with accept and decline:
//! someone who already has an account joins another organisation only by accepting here.

use crate::components::{FormError, successes, when};
use crate::invitations_api::{AcceptInvitation, DeclineInvitation, my_invitations};
use crate::types::InvitationView;
use leptos::prelude::*;

/// What an invitation offers, in words.
fn offer(invitation: &InvitationView) -> String {
    let mut parts = Vec::new();
    if let (Some(organisation), Some(role)) = (&invitation.organisation, invitation.role) {
        let until = invitation
            .until
            .as_deref()
            .map(|u| format!(", until {}", u.get(..10).unwrap_or(u)))
            .unwrap_or_default();
        parts.push(format!("join {organisation} as {}{until}", role.label()));
    }
    if invitation.platform_admin {
        parts.push("become a platform administrator".to_owned());
    }
    if parts.is_empty() {
        "use the CAF self-assessment".to_owned()
    } else {
        parts.join(" and ")
    }
}

/// Open invitations with accept and decline buttons; nothing at all when there are none.
#[component]
pub fn Invitations() -> impl IntoView {
    let accept = ServerAction::<AcceptInvitation>::new();
    let decline = ServerAction::<DeclineInvitation>::new();
    let accepted = successes(accept.value(), accept.version());
    let declined = successes(decline.value(), decline.version());
    let list = Resource::new(
        move || (accepted.get(), declined.get()),
        |_| my_invitations(),
    );
    view! {
        <FormError value=accept.value() />
        <FormError value=decline.value() />
        {move || match accept.value().get() {
            Some(Ok(())) => Some(view! {
                <div class="inset" role="status"><p class="body">"Invitation accepted. Your organisations are listed on the home page."</p></div>
            }),
            _ => None,
        }}
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let invitations = list.await.unwrap_or_default();
                (!invitations.is_empty()).then(|| view! {
                    <section aria-labelledby="invitations-heading" id="invitations">
                        <h2 class="heading-l" id="invitations-heading">"Invitations"</h2>
                        <p class="body">"You join an organisation only if you accept. Declining tells nobody anything but that you declined."</p>
                        <ul class="list">
                            {invitations.into_iter().map(|invitation| {
                                let id = invitation.id;
                                let text = format!(
                                    "{} invites you to {}.",
                                    invitation.invited_by.clone().unwrap_or_else(|| "An administrator".into()),
                                    offer(&invitation)
                                );
                                let expires = format!("Open until {}.", when(&invitation.expires_at));
                                view! {
                                    <li class="inset">
                                        <p class="body">{text}</p>
                                        <p class="hint">{expires}</p>
                                        <div class="actions-row">
                                            <ActionForm action=accept attr:class="inline-form">
                                                <input type="hidden" name="id" value=id />
                                                <button class="button" type="submit" id=format!("accept-invitation-{id}")>"Accept"</button>
                                            </ActionForm>
                                            <ActionForm action=decline attr:class="inline-form">
                                                <input type="hidden" name="id" value=id />
                                                <button class="button button--secondary" type="submit" id=format!("decline-invitation-{id}")>"Decline"</button>
                                            </ActionForm>
                                        </div>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    </section>
                })
            })}
        </Transition>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::roles::Role;

    #[test]
    fn an_offer_reads_as_a_sentence() {
        let mut invitation = InvitationView {
            id: 1,
            organisation: Some("London Borough of Hackney".into()),
            role: Some(Role::ExternalAssurer),
            until: Some("2027-03-31T23:59:59Z".into()),
            platform_admin: false,
            invited_by: None,
            expires_at: "2026-12-01T00:00:00Z".into(),
        };
        assert_eq!(
            offer(&invitation),
            "join London Borough of Hackney as External assurer, until 2027-03-31"
        );
        invitation.platform_admin = true;
        invitation.organisation = None;
        assert_eq!(offer(&invitation), "become a platform administrator");
    }
}
