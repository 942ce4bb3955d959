//! One-use recovery codes: making a new set, using one, counting those left.

use super::audit::append_audit_in;
use super::{AuditEvent, DataError, Db, now_utc, sha256_hex};
use sqlx::Row;

impl Db {
    /// Replaces a user's recovery codes with ten new ones and returns them: the only time they
    /// are ever seen in clear.
    pub async fn replace_recovery_codes(
        &self,
        user_id: i64,
        event: AuditEvent,
    ) -> Result<Vec<String>, DataError> {
        let codes: Vec<String> = (0..RECOVERY_CODE_COUNT)
            .map(|_| random_recovery_code())
            .collect();
        let now = now_utc();
        let mut tx = self.write_tx().await?;
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        for code in &codes {
            sqlx::query(
                "INSERT INTO recovery_codes (user_id, code_hash, created_at) VALUES ($1, $2, $3)",
            )
            .bind(user_id)
            .bind(recovery_code_hash(user_id, &canonical_recovery_code(code)))
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        }
        append_audit_in(&mut tx, event).await?;
        tx.commit().await?;
        Ok(codes)
    }

    /// Spends a recovery code: true if it was one of the user's and unused. A code works once.
    pub async fn use_recovery_code(&self, user_id: i64, typed: &str) -> Result<bool, DataError> {
        let canonical = canonical_recovery_code(typed);
        if canonical.len() != 16 {
            return Ok(false);
        }
        let done = sqlx::query(
            "UPDATE recovery_codes SET used_at = $1 \
             WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL",
        )
        .bind(now_utc())
        .bind(user_id)
        .bind(recovery_code_hash(user_id, &canonical))
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// How many unused recovery codes a user has left.
    pub async fn unused_recovery_codes(&self, user_id: i64) -> Result<i64, DataError> {
        Ok(sqlx::query(
            "SELECT COUNT(*) AS n FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL",
        )
        .bind(user_id)
        .fetch_one(self.pool())
        .await?
        .try_get("n")?)
    }
}

/// How many recovery codes a user holds at a time.
pub const RECOVERY_CODE_COUNT: usize = 10;

/// Crockford's base 32: no I, L, O or U, so codes read aloud and typed without confusion.
const CODE_ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A fresh recovery code of 80 random bits, as four groups of four characters.
fn random_recovery_code() -> String {
    let mut bytes = [0u8; 10];
    getrandom::fill(&mut bytes).expect("the operating system's random source failed");
    let mut bits: u128 = 0;
    for b in bytes {
        bits = (bits << 8) | u128::from(b);
    }
    let chars: Vec<char> = (0..16)
        .map(|i| CODE_ALPHABET[((bits >> (75 - 5 * i)) & 31) as usize] as char)
        .collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// Puts a typed recovery code in canonical form: upper case, no spaces or hyphens, and the
/// characters people confuse mapped as Crockford's base 32 maps them.
pub fn canonical_recovery_code(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            other => other,
        })
        .collect()
}

fn recovery_code_hash(user_id: i64, canonical: &str) -> String {
    sha256_hex(format!("recovery:{user_id}:{canonical}").as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_codes_are_sixteen_unambiguous_characters() {
        let code = random_recovery_code();
        assert_eq!(code.len(), 19, "{code}");
        let canonical = canonical_recovery_code(&code);
        assert_eq!(canonical.len(), 16);
        assert!(canonical.bytes().all(|b| CODE_ALPHABET.contains(&b)));
        assert_ne!(random_recovery_code(), code);
    }

    #[test]
    fn typed_codes_are_forgiving() {
        assert_eq!(
            canonical_recovery_code(" ab0o-il1 "),
            "AB00111".to_owned() + ""
        );
    }
}
