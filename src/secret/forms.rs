//! Every form a secret can take in text the doctor writes or keeps: as is,
//! JSON-escaped (once and twice, `\/` too), XML/HTML-escaped (named and
//! numeric entities), URL-encoded (space as `+` or `%20`), base64 (standard
//! and URL-safe, at each of the three byte alignments, with or without
//! padding), each of these inside another, and whitespace-collapsed.
//! Redaction masks these forms and the canary refuses to write them, so what
//! one finds the other finds too.
//!
//! Forms are found without regard to ASCII case: the transport may change it
//! (HTTP lower-cases header names, so a secret echoed as one arrives in lower
//! case; percent-encoding's hex digits come in either case, mixed too).
//! Masking a value that only differs in case costs nothing; missing it leaks.

/// The shortest secret the doctor looks for. A shorter value turns up in
/// ordinary text (a word, an id, a count) by chance, so masking it would
/// garble output and the canary would refuse innocent output; settings
/// refuse such a value up front instead (real client secrets have 32
/// characters, tokens 36).
pub const MIN_SCANNABLE_CHARS: usize = 8;

/// What replaces a secret's form in kept text.
pub const MASK: &str = "****";

type Encoder = fn(&str) -> String;

/// One step of encoding a renderer or a server may apply; `forms` composes two.
const ENCODERS: &[Encoder] = &[
    json_escaped,
    |s| json_escaped(s).replace('/', "\\/"),
    |s| html_escaped(s, "&quot;", "&apos;"),
    |s| html_escaped(s, "&quot;", "&#39;"),
    |s| html_escaped(s, "&quot;", "&#x27;"),
    |s| html_escaped(s, "&#34;", "&#39;"),
    |s| html_escaped(s, "\"", "'"),
    |s| url_encoded(s, "%20"),
    |s| url_encoded(s, "+"),
    |s| base64_core(s, 0, BASE64_STANDARD),
    |s| base64_core(s, 1, BASE64_STANDARD),
    |s| base64_core(s, 2, BASE64_STANDARD),
    |s| base64_core(s, 0, BASE64_URL_SAFE),
    |s| base64_core(s, 1, BASE64_URL_SAFE),
    |s| base64_core(s, 2, BASE64_URL_SAFE),
];

/// Every form of `raw` (itself included; none when `raw` is shorter than
/// `MIN_SCANNABLE_CHARS`), each at least that long, without repeats: up to two encodings deep (an excerpt of a JSON body
/// inside the JSON report is escaped twice; the same in JUnit is JSON-escaped,
/// then XML-escaped), then each with its whitespace runs collapsed to one space.
pub(super) fn forms(raw: &str) -> Vec<String> {
    if raw.chars().count() < MIN_SCANNABLE_CHARS {
        return Vec::new();
    }
    let mut found = vec![raw.to_string()];
    let mut layer = vec![raw.to_string()];
    for _depth in 0..2 {
        let mut next = Vec::new();
        for text in &layer {
            for encode in ENCODERS {
                let form = encode(text);
                if !found.contains(&form) {
                    found.push(form.clone());
                    next.push(form);
                }
            }
        }
        layer = next;
    }
    let collapsed: Vec<String> = found.iter().map(|f| collapse_whitespace(f)).collect();
    for form in collapsed {
        if !found.contains(&form) {
            found.push(form);
        }
    }
    found.retain(|f| f.chars().count() >= MIN_SCANNABLE_CHARS);
    found
}

/// Text as it reads once layout is taken away: no whitespace, no control
/// characters, no box-drawing (table borders). A secret wrapped across lines,
/// with a tab collapsed or a control character dropped, reads whole again.
pub fn without_layout(text: &str) -> String {
    text.chars()
        .filter(|&c| !c.is_whitespace() && !c.is_control() && !is_box_drawing(c))
        .collect()
}

pub fn is_box_drawing(c: char) -> bool {
    ('\u{2500}'..='\u{257f}').contains(&c)
}

fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn json_escaped(text: &str) -> String {
    let quoted = serde_json::to_string(text).unwrap_or_default();
    quoted[1..quoted.len() - 1].to_string()
}

/// XML/HTML escaping of `& < > " '`, quotes written as `quote` and `apostrophe`.
fn html_escaped(text: &str, quote: &str, apostrophe: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str(quote),
            '\'' => out.push_str(apostrophe),
            c => out.push(c),
        }
    }
    out
}

/// Upper case, as RFC 3986 §2.1 recommends; the finder ignores case.
const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// Percent-encoding of every byte but RFC 3986's unreserved ones.
fn url_encoded(text: &str, space: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for &b in text.as_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(char::from(b))
            }
            b' ' => out.push_str(space),
            b => {
                out.push('%');
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 0xf)]));
            }
        }
    }
    out
}

const BASE64_STANDARD: &[u8; 64] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const BASE64_URL_SAFE: &[u8; 64] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// The base64 characters that depend on `text` alone when it follows
/// `offset` (0, 1 or 2) other bytes: what any encoding of a longer message
/// holding the text shows, whatever comes before or after and whether the
/// end is padded.
fn base64_core(text: &str, offset: usize, alphabet: &[u8; 64]) -> String {
    let bytes: Vec<u8> = std::iter::repeat_n(0, offset).chain(text.bytes()).collect();
    let first_bit = offset * 8;
    let end_bit = bytes.len() * 8;
    let bit = |i: usize| (bytes[i / 8] >> (7 - i % 8)) & 1;
    (0..end_bit / 6)
        .filter(|&c| c * 6 >= first_bit)
        .map(|c| {
            let value = (0..6).fold(0usize, |v, i| (v << 1) | usize::from(bit(c * 6 + i)));
            char::from(alphabet[value])
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_cores_are_found_inside_any_encoding_of_a_longer_message() {
        let secret = "Zq8u2Kx9Lm4v";
        let standard =
            |bytes: &[u8]| base64_core(std::str::from_utf8(bytes).unwrap(), 0, BASE64_STANDARD);
        let cores: Vec<String> = (0..3)
            .map(|o| base64_core(secret, o, BASE64_STANDARD))
            .collect();
        for prefix in ["", "a", "ab", "abc", "user:"] {
            for suffix in ["", "x", "xy"] {
                let encoded = standard(format!("{prefix}{secret}{suffix}").as_bytes());
                assert!(
                    cores.iter().any(|core| encoded.contains(core.as_str())),
                    "{prefix}|{suffix}: {encoded} holds none of {cores:?}"
                );
            }
        }
        // "Zq8u2Kx9Lm4v" is 12 bytes: 16 characters, no padding, at alignment 0.
        assert_eq!(cores[0], "WnE4dTJLeDlMbTR2");
    }

    #[test]
    fn forms_hold_each_encoding_and_their_compositions() {
        let all = forms("ab\"c/d e\tf&g");
        for expected in [
            "ab\"c/d e\tf&g",
            r#"ab\"c/d e\tf&g"#,
            r#"ab\\\"c/d e\\tf&g"#,
            r#"ab\"c\/d e\tf&g"#,
            "ab&quot;c/d e\tf&amp;g",
            r#"ab\&quot;c/d e\tf&amp;g"#,
            "ab%22c%2Fd%20e%09f%26g",
            "ab%22c%2Fd+e%09f%26g",
            "ab\"c/d e f&g",
        ] {
            assert!(all.iter().any(|f| f == expected), "{expected} missing");
        }
        assert!(
            forms("short").is_empty(),
            "below the minimum: nothing to look for"
        );
    }
}
