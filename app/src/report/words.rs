//! Wording for the board report: dates and counts as a councillor reads them.

/// "2026-12-03" as "3 December 2026"; anything else is returned as it is.
pub fn long_date(date: &str) -> String {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let parts: Vec<&str> = date.get(..10).unwrap_or(date).split('-').collect();
    if let [year, month, day] = parts[..]
        && let (Ok(m), Ok(d)) = (month.parse::<usize>(), day.parse::<u32>())
        && (1..=12).contains(&m)
        && year.len() == 4
    {
        return format!("{d} {} {year}", MONTHS[m - 1]);
    }
    date.to_owned()
}

/// "1 scope" or "3 scopes": the count with the right form of the noun.
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// "1 contributing outcome" or "41 contributing outcomes".
pub fn plural_outcomes(n: usize) -> String {
    count(n, "contributing outcome", "contributing outcomes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_as_words() {
        assert_eq!(long_date("2026-12-03"), "3 December 2026");
        assert_eq!(long_date("2027-01-31T10:00:00Z"), "31 January 2027");
        assert_eq!(long_date("soon"), "soon");
        assert_eq!(long_date("2026-13-01"), "2026-13-01");
    }

    #[test]
    fn counts_agree_with_their_nouns() {
        assert_eq!(count(1, "scope", "scopes"), "1 scope");
        assert_eq!(count(0, "scope", "scopes"), "0 scopes");
        assert_eq!(plural_outcomes(41), "41 contributing outcomes");
    }
}
