//! How account types compare and print without giving their secrets away: an [`Account`]
//! compares its password hash but never prints it, and a [`LinkAcceptance`]'s `Debug` leaves
//! the hash out.

use super::{Account, LinkAcceptance};
use secrecy::ExposeSecret;

impl PartialEq for Account {
    fn eq(&self, other: &Self) -> bool {
        let hash = |a: &Account| {
            a.password_hash
                .as_ref()
                .map(|h| h.expose_secret().to_owned())
        };
        self.id == other.id
            && self.email == other.email
            && self.display_name == other.display_name
            && hash(self) == hash(other)
            && self.webauthn_user_id == other.webauthn_user_id
            && self.is_platform_admin == other.is_platform_admin
            && self.disabled == other.disabled
    }
}

impl Eq for Account {}

impl std::fmt::Debug for LinkAcceptance<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LinkAcceptance")
            .field("email", &self.email)
            .field("display_name", &self.display_name)
            .field("password_hash", &"[REDACTED]")
            .finish()
    }
}
