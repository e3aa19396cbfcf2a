//! The literal prefilter: where in a file one of the rules' anchors (literals
//! every match contains) occurs, so that only those lines meet a regex.
//!
//! Aho-Corasick's fast SIMD searcher (Teddy) does not ignore case, and its
//! case-insensitive automaton reads a few hundred MB/s. So each anchor is
//! looked for by a three-byte window of it (the one with the fewest letters),
//! in every case where its rule ignores case (at most 8 spellings), with the
//! SIMD searcher; a window found is then checked against the whole anchor.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

/// A literal that every match of a rule contains.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Anchor {
    pub text: String,
    /// Whether the rule matches it in any case (ASCII).
    pub any_case: bool,
}

/// Where an anchor's window sits in it.
struct Candidate {
    anchor: usize,
    offset: usize,
}

pub struct Anchors {
    anchors: Vec<Anchor>,
    windows: AhoCorasick,
    /// Per window spelling: the anchors it may be part of.
    candidates: Vec<Vec<Candidate>>,
}

/// Bytes in a window: enough to be rare, few enough that its spellings in any case stay few.
const WINDOW: usize = 3;

impl Anchors {
    pub fn new(mut anchors: Vec<Anchor>) -> Anchors {
        anchors.sort();
        anchors.dedup();
        let mut spellings: Vec<Vec<u8>> = Vec::new();
        let mut candidates: Vec<Vec<Candidate>> = Vec::new();
        for (index, anchor) in anchors.iter().enumerate() {
            let bytes = anchor.text.as_bytes();
            let width = WINDOW.min(bytes.len());
            let letters = |at: usize| {
                bytes[at..at + width]
                    .iter()
                    .filter(|b| b.is_ascii_alphabetic())
                    .count()
            };
            let offset = (0..=bytes.len() - width)
                .min_by_key(|&at| letters(at))
                .unwrap_or(0);
            let window = &bytes[offset..offset + width];
            let forms = if anchor.any_case {
                case_forms(window)
            } else {
                vec![window.to_vec()]
            };
            for form in forms {
                let slot = match spellings.iter().position(|s| *s == form) {
                    Some(slot) => slot,
                    None => {
                        spellings.push(form);
                        candidates.push(Vec::new());
                        spellings.len() - 1
                    }
                };
                candidates[slot].push(Candidate {
                    anchor: index,
                    offset,
                });
            }
        }
        let windows = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostFirst)
            .build(&spellings)
            .expect("anchor windows build an automaton");
        Anchors {
            anchors,
            windows,
            candidates,
        }
    }

    /// The start of an anchor at or after `from`: the first whose window
    /// comes first (lines, not exact starts, are what the matcher needs).
    pub fn find(&self, buf: &[u8], origin: usize) -> Option<usize> {
        let mut from = origin;
        while from < buf.len() {
            let window = self.windows.find(&buf[from..])?;
            let at = from + window.start();
            let found = self.candidates[window.pattern().as_usize()]
                .iter()
                .find_map(|c| {
                    let start = at.checked_sub(c.offset).filter(|&s| s >= origin)?;
                    let anchor = &self.anchors[c.anchor];
                    let text = buf.get(start..start + anchor.text.len())?;
                    let same = if anchor.any_case {
                        text.eq_ignore_ascii_case(anchor.text.as_bytes())
                    } else {
                        text == anchor.text.as_bytes()
                    };
                    same.then_some(start)
                });
            if found.is_some() {
                return found;
            }
            // Windows overlap: the next may start one byte on.
            from = at + 1;
        }
        None
    }
}

/// Every spelling of `bytes` in upper and lower case (ASCII letters only).
fn case_forms(bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut forms = vec![Vec::new()];
    for &b in bytes {
        let cases = if b.is_ascii_alphabetic() {
            vec![b.to_ascii_lowercase(), b.to_ascii_uppercase()]
        } else {
            vec![b]
        };
        forms = forms
            .into_iter()
            .flat_map(|form| {
                cases.iter().map(move |&c| {
                    let mut form = form.clone();
                    form.push(c);
                    form
                })
            })
            .collect();
    }
    forms
}

#[cfg(test)]
mod tests {
    use super::*;

    fn anchors(list: &[(&str, bool)]) -> Anchors {
        Anchors::new(
            list.iter()
                .map(|(text, any_case)| Anchor {
                    text: text.to_string(),
                    any_case: *any_case,
                })
                .collect(),
        )
    }

    #[test]
    fn anchors_are_found_in_the_case_their_rule_allows() {
        let a = anchors(&[("client_secret", true), ("exchange/api", false)]);
        assert_eq!(a.find(b"x CLIENT_Secret=1", 0), Some(2));
        assert_eq!(a.find(b"EXCHANGE/API exchange/api", 0), Some(13));
        assert_eq!(a.find(b"exchange/api", 1), None);
        assert_eq!(a.find(b"client_secre", 0), None);
    }

    #[test]
    fn a_window_that_is_not_its_anchor_does_not_hide_the_next() {
        // The window of `a_a_b` is `_a_`; the one at 0 is no anchor, the one at 2 (overlapping it) is.
        let a = anchors(&[("a_a_b", false)]);
        assert_eq!(a.find(b"_a_a_b", 0), Some(1));
        let a = anchors(&[("mulesoft.com", true)]);
        assert_eq!(a.find(b"ft.ft.MuleSoft.com", 0), Some(6));
        assert_eq!(a.find(b"ft", 0), None);
    }

    #[test]
    fn short_anchors_are_their_own_window() {
        let a = anchors(&[("ak", true)]);
        assert_eq!(a.find(b"xxAK", 0), Some(2));
    }
}
