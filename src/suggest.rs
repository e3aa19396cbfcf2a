//! "Did you mean": the known name closest to a mistyped one, for the errors
//! that name an unknown check, capability or scenario.

/// The candidate closest to `value` when it is close enough to be a typo:
/// at most a quarter of its characters (and at least two) differ, or one
/// is the other with something added at the end.
pub fn did_you_mean<'a>(value: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let value = value.to_ascii_lowercase();
    let allowed = (value.chars().count() / 4).max(2);
    candidates
        .iter()
        .map(|c| (distance(&value, &c.to_ascii_lowercase()), *c))
        .filter(|(d, c)| {
            *d <= allowed || (value.len() >= 3 && c.to_ascii_lowercase().starts_with(&value))
        })
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// What to tell after "unknown X": the closest name, else every valid one.
pub fn hint(value: &str, candidates: &[&str], what: &str, listed_by: &str) -> String {
    match did_you_mean(value, candidates) {
        Some(close) => format!("did you mean {close}? (every {what}: {listed_by})"),
        None => format!("valid {what}s: {}", candidates.join(", ")),
    }
}

/// Levenshtein distance, in characters.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(previous + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typo_finds_its_name_and_nonsense_finds_none() {
        let ids = [
            "scope.manage-contracts",
            "scope.view-client-applications",
            "net.tls",
        ];
        assert_eq!(
            did_you_mean("scope.manage-contract", &ids),
            Some("scope.manage-contracts")
        );
        assert_eq!(did_you_mean("net.tsl", &ids), Some("net.tls"));
        assert_eq!(
            did_you_mean("scope.view-client", &ids),
            Some("scope.view-client-applications")
        );
        assert_eq!(did_you_mean("banana", &ids), None);
        assert!(hint("banana", &ids, "id", "anypoint-doctor list").starts_with("valid ids: "));
    }
}
