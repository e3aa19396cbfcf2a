//! Finding and masking the forms of a run's secrets in one pass over a text.

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

use super::Secret;
use super::forms::*;

/// Finds and masks the forms of a set of secrets in one pass over a text.
pub struct Finder {
    /// Each pattern's secret, by what it is ("client secret").
    whats: Vec<&'static str>,
    forms: Option<AhoCorasick>,
    /// The same forms with layout taken away (`without_layout`), for views
    /// of rendered text that lost theirs.
    unlaid: Vec<&'static str>,
    unlaid_forms: Option<AhoCorasick>,
}

impl Finder {
    /// The finder of these secrets' forms; secrets too short to scan are left out.
    pub fn new<'a>(secrets: impl IntoIterator<Item = (&'static str, &'a Secret)>) -> Finder {
        let mut whats = Vec::new();
        let mut patterns = Vec::new();
        let mut unlaid = Vec::new();
        let mut unlaid_patterns: Vec<String> = Vec::new();
        for (what, secret) in secrets {
            if !secret.is_scannable() {
                continue;
            }
            for form in secret.forms() {
                let bare = without_layout(&form);
                if bare.chars().count() >= MIN_SCANNABLE_CHARS && !unlaid_patterns.contains(&bare) {
                    unlaid.push(what);
                    unlaid_patterns.push(bare);
                }
                whats.push(what);
                patterns.push(form);
            }
        }
        let build = |patterns: &[String]| {
            (!patterns.is_empty()).then(|| {
                // An NFA builds in a fraction of a DFA's time: the finder is
                // built again at each new token, on the runtime's thread.
                AhoCorasick::builder()
                    .kind(Some(AhoCorasickKind::ContiguousNFA))
                    .match_kind(MatchKind::LeftmostLongest)
                    .ascii_case_insensitive(true)
                    .build(patterns)
                    .expect("literal patterns of bounded size build")
            })
        };
        Finder {
            forms: build(&patterns),
            whats,
            unlaid_forms: build(&unlaid_patterns),
            unlaid,
        }
    }

    /// What the first secret found in `text` is, in any of its forms, in any case.
    pub fn find(&self, text: &str) -> Option<&'static str> {
        let found = self.forms.as_ref()?.find(text)?;
        Some(self.whats[found.pattern().as_usize()])
    }

    /// What the first secret found in a text without layout (`without_layout`) is.
    pub fn find_unlaid(&self, bare: &str) -> Option<&'static str> {
        let found = self.unlaid_forms.as_ref()?.find(bare)?;
        Some(self.unlaid[found.pattern().as_usize()])
    }

    /// `text` with every form of every secret replaced by `MASK`.
    pub fn mask(&self, text: &str) -> String {
        match &self.forms {
            Some(forms) => forms.replace_all(text, &vec![MASK; self.whats.len()]),
            None => text.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_finder_masks_every_form_and_finds_the_unlaid_ones() {
        let secret = Secret::new("s3c/r\"et-value");
        let finder = Finder::new([("client secret", &secret)]);
        assert_eq!(finder.mask("a s3c%2Fr%22et-value b"), "a **** b");
        // The transport may change case: a header name, lower-case hex, mixed.
        assert_eq!(finder.mask("a s3c%2fr%22ET-VALUE b"), "a **** b");
        assert_eq!(finder.find("x-S3C/R\"ET-value: 1"), Some("client secret"));
        assert_eq!(finder.find("all clear"), None);
        assert_eq!(
            finder.find_unlaid(&without_layout("s3c/r\"e\n│ t-value")),
            Some("client secret")
        );
    }
}
