//! "Did you mean": the known name closest to a mistyped one, for the errors
//! that name an unknown check, capability or scenario.

/// The candidate closest to `value` when it is close enough to be a typo:
/// at most a quarter of its characters (and at least two) differ, or one
/// is the other with something added at the end. An id's category prefix
/// may be left out (`manage-contracts` finds `scope.manage-contracts`).
pub fn did_you_mean<'a>(value: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let value = value.to_ascii_lowercase();
    let allowed = (value.chars().count() / 4).max(2);
    let nearest = |c: &str| {
        let c = c.to_ascii_lowercase();
        let whole = strsim::levenshtein(&value, &c);
        match c.split_once('.') {
            Some((_, name)) if !value.contains('.') => whole.min(strsim::levenshtein(&value, name)),
            _ => whole,
        }
    };
    candidates
        .iter()
        .map(|c| (nearest(c), *c))
        .filter(|(d, c)| {
            *d <= allowed || (value.len() >= 3 && c.to_ascii_lowercase().starts_with(&value))
        })
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// What to tell after "unknown X": the closest name, and every valid one
/// (`plural` names them) unless there are too many to read on one line, in
/// which case the command that lists them.
pub fn hint(value: &str, candidates: &[&str], plural: &str, listed_by: &str) -> String {
    let all = if candidates.len() <= SHORT_LIST {
        format!("valid {plural}: {}", candidates.join(", "))
    } else {
        format!("every one: {listed_by}")
    };
    match did_you_mean(value, candidates) {
        Some(close) => format!("did you mean {close}? ({all})"),
        None if candidates.len() <= SHORT_LIST => all,
        None => format!("valid {plural}: {}", candidates.join(", ")),
    }
}

/// Lists this long are shown whole even when a close name is found.
const SHORT_LIST: usize = 8;

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
        assert_eq!(
            did_you_mean("manage-contracts", &ids),
            Some("scope.manage-contracts"),
            "the category prefix may be left out"
        );
        assert!(hint("banana", &ids, "ids", "anypoint-doctor list").starts_with("valid ids: "));
        assert_eq!(
            hint("net.tsl", &ids, "ids", "anypoint-doctor list"),
            "did you mean net.tls? (valid ids: scope.manage-contracts, scope.view-client-applications, net.tls)"
        );
    }
}
