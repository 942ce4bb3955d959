//! Passwords: the policy a new password must meet, and argon2id hashing and verification.
//!
//! Policy per NCSC and OWASP ASVS 5.0: at least 12 characters, up to 1,024, no composition rules,
//! nothing truncated, and common or guessable passwords refused using the zxcvbn estimator.

use argon2::password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::OnceLock;

/// Fewest characters a password may have.
pub const MIN_CHARS: usize = 12;
/// Most characters a password may have (long passphrases are welcome; this only bounds the work).
pub const MAX_CHARS: usize = 1024;
/// Argon2id memory cost in KiB (19 MiB, the ASVS minimum).
pub const M_COST_KIB: u32 = 19 * 1024;
/// Argon2id passes.
pub const T_COST: u32 = 2;
/// Argon2id lanes.
pub const P_COST: u32 = 1;

/// Why a new password was refused, in words a person can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordProblem {
    /// Fewer than [`MIN_CHARS`] characters.
    #[error(
        "Use at least {MIN_CHARS} characters. A few unrelated words make a strong password that is easy to remember."
    )]
    TooShort,
    /// More than [`MAX_CHARS`] characters.
    #[error("Use at most {MAX_CHARS} characters.")]
    TooLong,
    /// Contains the person's own name or email address.
    #[error("Do not use your name or email address in your password.")]
    Personal,
    /// Easy to guess: common, a pattern, or based on the person's own details.
    #[error("This password is too easy to guess{0}. Try a few unrelated words instead.")]
    Guessable(String),
}

/// Checks a new password; `personal` holds the person's own details (name, email) to refuse.
pub fn check_new_password(password: &str, personal: &[&str]) -> Result<(), PasswordProblem> {
    let chars = password.chars().count();
    if chars < MIN_CHARS {
        return Err(PasswordProblem::TooShort);
    }
    if chars > MAX_CHARS {
        return Err(PasswordProblem::TooLong);
    }
    let separators = ['@', '.', ' ', '-', '_'];
    let parts: Vec<&str> = personal
        .iter()
        .flat_map(|d| d.split(separators))
        .filter(|p| p.chars().count() >= 3)
        .collect();
    let folded = password.to_lowercase();
    if parts
        .iter()
        .any(|part| part.chars().count() >= 4 && folded.contains(&part.to_lowercase()))
    {
        return Err(PasswordProblem::Personal);
    }
    let mut inputs: Vec<&str> = personal.to_vec();
    inputs.extend(["caf", "cyber", "assessment", "council", "ncsc"]);
    inputs.extend(parts);
    let estimate = zxcvbn::zxcvbn(password, &inputs);
    if estimate.score() < zxcvbn::Score::Three {
        let why = estimate
            .feedback()
            .and_then(|f| f.warning())
            .map(|w| format!(" ({})", w.to_string().trim_end_matches('.').to_lowercase()))
            .unwrap_or_default();
        return Err(PasswordProblem::Guessable(why));
    }
    Ok(())
}

fn hasher() -> Argon2<'static> {
    let params = Params::new(M_COST_KIB, T_COST, P_COST, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password with argon2id and a fresh random salt, as a PHC string.
pub fn hash_password(password: &str) -> Result<String, argon2::password_hash::Error> {
    Ok(hasher().hash_password(password.as_bytes())?.to_string())
}

/// Whether `password` matches a stored PHC string. A malformed hash never matches.
pub fn verify_password(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => hasher()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// Does the same work as a real check against a hash nobody has, so that an unknown account
/// takes as long to refuse as a wrong password.
pub fn verify_against_nobody(password: &str) -> bool {
    static NOBODY: OnceLock<String> = OnceLock::new();
    let phc = NOBODY.get_or_init(|| {
        hash_password("no account has this password: it only spends time").unwrap_or_default()
    });
    let _ = verify_password(password, phc);
    false
}

/// Whether a stored hash was made with weaker parameters than today's and should be redone.
pub fn needs_rehash(phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return true;
    };
    let number = |name: &str| {
        parsed
            .params
            .iter()
            .find(|(k, _)| k.as_str() == name)
            .and_then(|(_, v)| v.decimal().ok())
    };
    parsed.algorithm.as_str() != "argon2id"
        || number("m").is_none_or(|m| m < M_COST_KIB)
        || number("t").is_none_or(|t| t < T_COST)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "staple lantern orbit velvet";

    #[test]
    fn hashes_are_argon2id_at_or_above_the_asvs_minimum() {
        let phc = hash_password(GOOD).expect("hash");
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(!needs_rehash(&phc));
        assert_ne!(
            hash_password(GOOD).expect("hash"),
            phc,
            "a fresh salt each time"
        );
    }

    #[test]
    fn verify_accepts_the_password_and_nothing_else() {
        let phc = hash_password(GOOD).expect("hash");
        assert!(verify_password(GOOD, &phc));
        assert!(!verify_password("staple lantern orbit velvet ", &phc));
        assert!(!verify_password("", &phc));
        assert!(!verify_password(GOOD, "not a hash"));
        assert!(!verify_against_nobody(GOOD));
    }

    #[test]
    fn long_passwords_are_not_truncated() {
        let long: String = "wander ".repeat(30) + "end";
        let mut other = long.clone();
        other.push('!');
        check_new_password(&long, &[]).expect("a long passphrase is fine");
        let phc = hash_password(&long).expect("hash");
        assert!(verify_password(&long, &phc));
        assert!(!verify_password(&other, &phc), "the 212th character counts");
    }

    #[test]
    fn length_limits() {
        assert_eq!(
            check_new_password("abc def ghi", &[]),
            Err(PasswordProblem::TooShort)
        );
        let eleven_emoji = "🔒".repeat(11);
        assert_eq!(
            check_new_password(&eleven_emoji, &[]),
            Err(PasswordProblem::TooShort)
        );
        assert_eq!(
            check_new_password(&"x".repeat(MAX_CHARS + 1), &[]),
            Err(PasswordProblem::TooLong)
        );
    }

    #[test]
    fn common_and_personal_passwords_are_refused_with_no_composition_rules() {
        for weak in [
            "password1234",
            "Password123!",
            "qwertyuiop123",
            "aaaaaaaaaaaa",
            "123456789012",
        ] {
            assert!(
                matches!(
                    check_new_password(weak, &[]),
                    Err(PasswordProblem::Guessable(_))
                ),
                "{weak} should be refused"
            );
        }
        let personal = ["Jo Bloggs", "jo.bloggs@hackney.gov.uk"];
        assert_eq!(
            check_new_password("Bloggs-Hackney-2026", &personal),
            Err(PasswordProblem::Personal)
        );
        // All lower case, no digits or symbols: fine when it is hard to guess.
        check_new_password(GOOD, &personal).expect("a passphrase without composition rules");
    }

    #[test]
    fn weak_or_foreign_hashes_need_rehashing() {
        assert!(needs_rehash(
            "$argon2id$v=19$m=4096,t=3,p=1$c29tZXNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"
        ));
        assert!(needs_rehash("not a hash"));
    }
}
