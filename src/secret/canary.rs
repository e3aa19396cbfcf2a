//! The last guard before output: if any secret of the run (client secret,
//! access token, bearer or admin token) shows in the bytes about to be
//! written, nothing is written. It looks for every form a renderer or an
//! echo can give a secret (`secret::forms`), in the text as it is and as it
//! reads with layout taken away: each table column's cells joined across
//! lines (a value wrapped inside a cell), and the whole text without
//! whitespace, borders or colour (a value wrapped by a list, a tab
//! collapsed). It can only fire on a bug.

use std::collections::HashSet;

use crate::error::ConfigError;
use crate::secret::Secret;
use crate::secret::forms::{is_box_drawing, without_layout};
use crate::secret::registry::SecretRegistry;

/// The secrets of a run, each with what it is; shared with the client that
/// learns tokens, so a check sees every secret known by then.
#[derive(Clone, Default)]
pub struct Canary {
    secrets: SecretRegistry,
}

impl Canary {
    pub fn new(secrets: Vec<(&'static str, Secret)>) -> Canary {
        Canary {
            secrets: SecretRegistry::new(secrets),
        }
    }

    pub fn watching(secrets: SecretRegistry) -> Canary {
        Canary { secrets }
    }

    /// Refuses `bytes` bound for `destination` if they hold a secret.
    pub fn check(&self, bytes: &[u8], destination: &str) -> Result<(), ConfigError> {
        let text = String::from_utf8_lossy(bytes);
        let finder = self.secrets.finder();
        let found = in_every_view(&text, &mut |view| finder.find(view)).or_else(|| {
            // Layout goes first: a wrap may fall inside an escape.
            let plain = crate::text::without_ansi(&text);
            std::iter::once(without_layout(&plain))
                .chain(columns(&plain))
                .find_map(|bare| {
                    in_every_view(&bare, &mut |view| finder.find_unlaid(&without_layout(view)))
                })
        });
        match found {
            Some(what) => Err(ConfigError::SecretInOutput {
                what,
                destination: destination.to_string(),
            }),
            None => Ok(()),
        }
    }
}

/// The first thing `find` finds in the text or in the text with JSON, XML
/// or Markdown escapes undone, once and twice. Each view is read as it is
/// made and let go (a view already read is known by its hash), so a large
/// output costs a few copies of itself, not one per view.
fn in_every_view<T>(text: &str, find: &mut dyn FnMut(&str) -> Option<T>) -> Option<T> {
    let mut seen = HashSet::from([fingerprint(text)]);
    find(text).or_else(|| undone_views(text, 2, &mut seen, find))
}

fn undone_views<T>(
    view: &str,
    depth: usize,
    seen: &mut HashSet<u64>,
    find: &mut dyn FnMut(&str) -> Option<T>,
) -> Option<T> {
    if depth == 0 {
        return None;
    }
    for undo in [json_unescaped, xml_unescaped, markdown_unescaped] {
        let undone = undo(view);
        if !seen.insert(fingerprint(&undone)) {
            continue;
        }
        if let Some(found) = find(&undone).or_else(|| undone_views(&undone, depth - 1, seen, find))
        {
            return Some(found);
        }
    }
    None
}

fn fingerprint(text: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut hasher);
    hasher.finish()
}

/// Every JSON string escape in the text undone (text that is not an escape is kept).
fn json_unescaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('\\') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let (decoded, used) = match after.chars().next() {
            Some(c @ ('"' | '\\' | '/')) => (Some(c), 1),
            Some('n') => (Some('\n'), 1),
            Some('t') => (Some('\t'), 1),
            Some('r') => (Some('\r'), 1),
            Some('b') => (Some('\u{8}'), 1),
            Some('f') => (Some('\u{c}'), 1),
            Some('u') => (
                after
                    .get(1..5)
                    .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                    .and_then(char::from_u32),
                5,
            ),
            _ => (None, 0),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &after[used..];
            }
            None => {
                out.push('\\');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Every Markdown backslash escape (a backslash before ASCII punctuation,
/// as the Markdown renderer writes `\<`, `\[` or `\|`) undone.
fn markdown_unescaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match chars.peek() {
            // The escaped character stands for itself, a backslash included.
            Some(&next) if c == '\\' && next.is_ascii_punctuation() => {
                out.push(next);
                chars.next();
            }
            _ => out.push(c),
        }
    }
    out
}

/// Every XML/HTML character reference and the five named entities undone.
fn xml_unescaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let entity = after
            .find(';')
            .filter(|&end| end <= 10)
            .map(|end| &after[..end]);
        let decoded = entity.and_then(|name| match name {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => {
                let number = name.strip_prefix('#')?;
                let code = match number.strip_prefix(['x', 'X']) {
                    Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                    None => number.parse().ok()?,
                };
                char::from_u32(code)
            }
        });
        match (decoded, entity) {
            (Some(c), Some(name)) => {
                out.push(c);
                rest = &after[name.len() + 1..];
            }
            _ => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Each column of each table in the text (lines with box-drawing borders,
/// consecutive), its cells joined top to bottom without layout.
fn columns(text: &str) -> Vec<String> {
    let mut finished: Vec<String> = Vec::new();
    let mut open: Vec<String> = Vec::new();
    for line in text.lines() {
        if !line.chars().any(is_box_drawing) {
            finished.append(&mut open);
            continue;
        }
        let cells: Vec<&str> = line.split(is_box_drawing).collect();
        if open.len() < cells.len() {
            open.resize(cells.len(), String::new());
        }
        for (column, cell) in open.iter_mut().zip(cells) {
            column.push_str(&without_layout(cell));
        }
    }
    finished.append(&mut open);
    finished
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_in_any_escaping_stops_the_write() {
        let canary = Canary::new(vec![("client secret", Secret::new("s3c/r\"et"))]);
        assert!(canary.check(b"all clear", "stdout").is_ok());
        for leaked in [
            r#"x s3c/r"et y"#,
            r#"{"v": "s3c/r\"et"}"#,
            r#"{"v": "s3c\/r\"et"}"#,
        ] {
            let err = canary
                .check(leaked.as_bytes(), "report.json")
                .unwrap_err()
                .to_string();
            assert!(
                err.contains("client secret") && err.contains("report.json"),
                "{err}"
            );
        }
    }

    #[test]
    fn a_secret_wrapped_in_a_table_cell_stops_the_write() {
        let canary = Canary::new(vec![("access token", Secret::new("tok-0123456789"))]);
        let table = "│ ✗ fail ┆ a.b ┆ echo tok-01234 │\n│        ┆     ┆ 56789 and more │\n";
        assert!(canary.check(table.as_bytes(), "stdout").is_err());
        let apart = "│ ✗ fail ┆ tok-01234 ┆ x │\n│ 56789  ┆     ┆ y │\n";
        assert!(
            canary.check(apart.as_bytes(), "stdout").is_ok(),
            "halves in different columns are not one value"
        );
    }
}
