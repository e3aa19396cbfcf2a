//! Reading Rust source as text for the paths it names: comments, strings and
//! character literals blanked, `use` trees opened into whole paths, and each
//! path with the inline modules (`mod tests { … }`) it sits in.

/// One path a piece of code names, with where it sits.
#[derive(Debug, PartialEq)]
pub struct Named {
    /// The inline modules around it, outermost first; empty at file level.
    pub scope: Vec<String>,
    /// Its segments, `crate`, `self` and `super` included.
    pub path: Vec<String>,
    /// The name it brings into scope, when it is a `use` (`as` respected).
    pub alias: Option<String>,
    /// Whether it is a `pub` (or `pub(…)`) `use`: a re-export.
    pub exported: bool,
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// `text` with comments, string literals (raw and byte ones too) and
/// character literals turned into spaces, so a brace or a `crate::` inside
/// them is not read as code. Lines and positions are kept.
pub fn code_only(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = chars.clone();
    let blank = |out: &mut Vec<char>, from: usize, to: usize| {
        for c in &mut out[from..to.min(chars.len())] {
            if *c != '\n' {
                *c = ' ';
            }
        }
    };
    let mut i = 0;
    while i < chars.len() {
        let at = |k: usize| chars.get(i + k).copied().unwrap_or('\0');
        let after_ident = i > 0 && is_ident(chars[i - 1]);
        if at(0) == '/' && at(1) == '/' {
            let end = (i..chars.len())
                .find(|&k| chars[k] == '\n')
                .unwrap_or(chars.len());
            blank(&mut out, i, end);
            i = end;
        } else if at(0) == '/' && at(1) == '*' {
            let (mut depth, mut k) = (0, i);
            while k < chars.len() {
                if chars[k] == '/' && chars.get(k + 1) == Some(&'*') {
                    depth += 1;
                    k += 2;
                } else if chars[k] == '*' && chars.get(k + 1) == Some(&'/') {
                    depth -= 1;
                    k += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    k += 1;
                }
            }
            blank(&mut out, i, k);
            i = k;
        } else if !after_ident && (at(0) == 'r' || (at(0) == 'b' && at(1) == 'r')) && {
            let start = if at(0) == 'b' { 2 } else { 1 };
            let hashes = (start..).take_while(|&k| at(k) == '#').count();
            at(start + hashes) == '"'
        } {
            let start = if at(0) == 'b' { 2 } else { 1 };
            let hashes = (start..).take_while(|&k| at(k) == '#').count();
            let mut k = i + start + hashes + 1;
            while k < chars.len()
                && !(chars[k] == '"' && (1..=hashes).all(|h| chars.get(k + h) == Some(&'#')))
            {
                k += 1;
            }
            let end = k + 1 + hashes;
            blank(&mut out, i, end);
            i = end;
        } else if at(0) == '"' || (!after_ident && at(0) == 'b' && at(1) == '"') {
            let mut k = i + if at(0) == 'b' { 2 } else { 1 };
            while k < chars.len() && chars[k] != '"' {
                k += if chars[k] == '\\' { 2 } else { 1 };
            }
            blank(&mut out, i, k + 1);
            i = k + 1;
        } else if at(0) == '\'' && (at(1) == '\\' || at(2) == '\'') {
            // A character literal; a lifetime (`'a`) has no closing quote.
            let mut k = i + 1;
            while k < chars.len() && chars[k] != '\'' {
                k += if chars[k] == '\\' { 2 } else { 1 };
            }
            blank(&mut out, i, k + 1);
            i = k + 1;
        } else {
            i += 1;
        }
    }
    out.into_iter().collect()
}

#[derive(Debug, PartialEq)]
enum Token {
    Ident(String),
    Colons,
    Punct(char),
}

/// The tokens of blanked code, each with its position in characters.
fn tokens(code: &str) -> Vec<(usize, Token)> {
    let chars: Vec<char> = code.chars().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        let token = if is_ident(c) {
            while i < chars.len() && is_ident(chars[i]) {
                i += 1;
            }
            found.push((start, Token::Ident(chars[start..i].iter().collect())));
            continue;
        } else if c == ':' && chars.get(i + 1) == Some(&':') {
            i += 1;
            Token::Colons
        } else if c.is_whitespace() {
            i += 1;
            continue;
        } else {
            Token::Punct(c)
        };
        found.push((start, token));
        i += 1;
    }
    found
}

/// The inline modules of the code: name and the token range of their body.
fn inline_modules(tokens: &[(usize, Token)]) -> Vec<(String, usize, usize)> {
    let mut found = Vec::new();
    for at in 0..tokens.len().saturating_sub(2) {
        let (Token::Ident(keyword), Token::Ident(name), Token::Punct('{')) =
            (&tokens[at].1, &tokens[at + 1].1, &tokens[at + 2].1)
        else {
            continue;
        };
        if keyword != "mod" {
            continue;
        }
        let mut depth = 0;
        for (end, (_, token)) in tokens.iter().enumerate().skip(at + 2) {
            match token {
                Token::Punct('{') => depth += 1,
                Token::Punct('}') => {
                    depth -= 1;
                    if depth == 0 {
                        found.push((name.clone(), at + 2, end));
                        break;
                    }
                }
                _ => {}
            }
        }
    }
    found
}

/// Whether the item at token `at` is `pub` or `pub(…)`.
fn is_pub_before(tokens: &[(usize, Token)], at: usize) -> bool {
    let mut p = at;
    if p >= 1 && tokens[p - 1].1 == Token::Punct(')') {
        while p > 0 && tokens[p - 1].1 != Token::Punct('(') {
            p -= 1;
        }
        p = p.saturating_sub(1);
    }
    p >= 1 && tokens[p - 1].1 == Token::Ident("pub".into())
}

/// Opens one `use` tree from token `at` into whole paths under `prefix`;
/// leaves `at` on the token after the tree.
fn use_tree(
    tokens: &[(usize, Token)],
    at: &mut usize,
    prefix: Vec<String>,
    out: &mut Vec<(Vec<String>, Option<String>)>,
) {
    let mut path = prefix;
    while let Some((_, token)) = tokens.get(*at) {
        match token {
            Token::Ident(word) if word == "as" => {
                let alias = match tokens.get(*at + 1) {
                    Some((_, Token::Ident(alias))) if alias != "_" => Some(alias.clone()),
                    _ => None,
                };
                *at += 2;
                out.push((path, alias));
                return;
            }
            // `{self, …}` names the prefix itself.
            Token::Ident(word) if word == "self" && !path.is_empty() => *at += 1,
            Token::Ident(word) => {
                path.push(word.clone());
                *at += 1;
            }
            Token::Colons => *at += 1,
            Token::Punct('{') => {
                *at += 1;
                loop {
                    use_tree(tokens, at, path.clone(), out);
                    match tokens.get(*at) {
                        Some((_, Token::Punct(','))) => *at += 1,
                        Some((_, Token::Punct('}'))) => {
                            *at += 1;
                            return;
                        }
                        _ => return,
                    }
                }
            }
            Token::Punct('*') => {
                *at += 1;
                out.push((path, None));
                return;
            }
            _ => break,
        }
    }
    if !path.is_empty() {
        let name = path.last().cloned();
        out.push((path, name));
    }
}

/// Every path of two segments or more that `text` names: in `use` trees,
/// opened, and in code (`crate::x::y(…)`, `super::Thing`).
pub fn named_paths(text: &str) -> Vec<Named> {
    let code = code_only(text);
    let tokens = tokens(&code);
    let modules = inline_modules(&tokens);
    let scope_at = |at: usize| -> Vec<String> {
        modules
            .iter()
            .filter(|(_, open, close)| *open < at && at < *close)
            .map(|(name, _, _)| name.clone())
            .collect()
    };
    let mut found = Vec::new();
    let mut at = 0;
    while at < tokens.len() {
        let Token::Ident(word) = &tokens[at].1 else {
            at += 1;
            continue;
        };
        let previous = at.checked_sub(1).map(|p| &tokens[p].1);
        if word == "use" {
            let exported = is_pub_before(&tokens, at);
            let scope = scope_at(at);
            let mut paths = Vec::new();
            at += 1;
            use_tree(&tokens, &mut at, Vec::new(), &mut paths);
            for (path, alias) in paths {
                found.push(Named {
                    scope: scope.clone(),
                    path,
                    alias,
                    exported,
                });
            }
        } else if matches!(previous, Some(Token::Colons | Token::Punct('$'))) {
            // The middle of a path already read, or `$crate::` in a macro.
            at += 1;
        } else {
            let start = at;
            let mut path = vec![word.clone()];
            at += 1;
            while let (Some((_, Token::Colons)), Some((_, Token::Ident(next)))) =
                (tokens.get(at), tokens.get(at + 1))
            {
                path.push(next.clone());
                at += 2;
            }
            if path.len() > 1 {
                found.push(Named {
                    scope: scope_at(start),
                    path,
                    alias: None,
                    exported: false,
                });
            }
        }
    }
    found
}

#[test]
fn the_reader_blanks_what_is_not_code_and_opens_use_trees() {
    // The file-cycle test is only as good as this reader.
    let text = r##"
use crate::report::{compact::{self, wrap as w}, Format};
pub use model::Outcome;
// crate::in_a::comment
let s = "crate::in_a::string {"; let c = '{'; let r = r#"super::no"#;
fn f<'a>(x: &'a str) { super::look::paint(x); $crate::not::mine }
#[cfg(test)]
mod tests {
    use super::*;
}
"##;
    let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let named = |scope: &[&str], path: &[&str], alias: Option<&str>, exported| Named {
        scope: strings(scope),
        path: strings(path),
        alias: alias.map(str::to_string),
        exported,
    };
    assert_eq!(
        named_paths(text),
        [
            named(&[], &["crate", "report", "compact"], Some("compact"), false),
            named(
                &[],
                &["crate", "report", "compact", "wrap"],
                Some("w"),
                false
            ),
            named(&[], &["crate", "report", "Format"], Some("Format"), false),
            named(&[], &["model", "Outcome"], Some("Outcome"), true),
            named(&[], &["super", "look", "paint"], None, false),
            named(&["tests"], &["super"], None, false),
        ]
    );
}
