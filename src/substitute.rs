//! Several strings replaced at once, each by its own: how `--redact-ids`
//! puts a placeholder for every id, in the report and in the HAR record.
//! One pass, the longest match first, so an id inside a longer one is not
//! split and what was put in is never replaced again.

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

/// What to replace and by what, ready to apply to many texts.
#[derive(Default)]
pub struct Substitutions {
    finder: Option<AhoCorasick>,
    /// Each pattern's replacement, in the finder's order.
    by: Vec<String>,
}

impl Substitutions {
    /// Each `(from, to)`: `from` replaced by `to`; an empty `from` is left out.
    pub fn new(pairs: impl IntoIterator<Item = (String, String)>) -> Substitutions {
        let (from, by): (Vec<String>, Vec<String>) = pairs
            .into_iter()
            .filter(|(from, _)| !from.is_empty())
            .unzip();
        let finder = (!from.is_empty()).then(|| {
            AhoCorasick::builder()
                .kind(Some(AhoCorasickKind::ContiguousNFA))
                .match_kind(MatchKind::LeftmostLongest)
                .build(&from)
                .expect("literal patterns of bounded size build")
        });
        Substitutions { finder, by }
    }

    /// Replaces in `text`, which is left as it is (not copied) when nothing matches.
    pub fn apply(&self, text: &mut String) {
        if let Some(finder) = &self.finder
            && finder.is_match(text.as_str())
        {
            *text = finder.replace_all(text, &self.by);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_pass_longest_first_and_nothing_replaced_twice() {
        let subs = Substitutions::new([
            ("ab".to_string(), "X".to_string()),
            ("abc".to_string(), "ab".to_string()),
            (String::new(), "never".to_string()),
        ]);
        let mut text = "abc ab a".to_string();
        subs.apply(&mut text);
        assert_eq!(text, "ab X a");
        let mut untouched = "nothing here".to_string();
        subs.apply(&mut untouched);
        assert_eq!(untouched, "nothing here");
        let mut empty = "abc".to_string();
        Substitutions::default().apply(&mut empty);
        assert_eq!(empty, "abc");
    }
}
