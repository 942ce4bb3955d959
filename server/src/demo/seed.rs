//! Deterministic choices: every "random" pick of the demo comes from a hash of a fixed key, so
//! every run makes the same council with the same answers, narratives and plan.

/// A 64-bit FNV-1a hash of `key`, the source of every choice.
pub fn hash(key: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in key.bytes() {
        h ^= u64::from(byte);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    // Mix the high bits down so that small moduli depend on the whole key.
    h ^ (h >> 29)
}

/// A number from 0 to 99 for `key`.
pub fn percent(key: &str) -> u64 {
    hash(key) % 100
}

/// Whether `key` falls in the first `chance` per cent.
pub fn chance(key: &str, chance: u64) -> bool {
    percent(key) < chance
}

/// One of `options`, chosen by `key`.
pub fn pick<T: Copy>(key: &str, options: &[T]) -> T {
    options[(hash(key) % options.len() as u64) as usize]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choices_are_stable_and_spread() {
        assert_eq!(hash("A1.a"), hash("A1.a"));
        assert_ne!(hash("A1.a"), hash("A1.b"));
        let hits = (0..1000)
            .filter(|i| chance(&format!("key {i}"), 30))
            .count();
        assert!((200..400).contains(&hits), "{hits}");
        assert_eq!(pick("x", &[7]), 7);
    }
}
